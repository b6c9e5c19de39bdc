/*
 * Image (a): only decodes and encodes frames. A datagram is decoded; property
 * maps in it (0x9D-0x9F) are decoded, checked and encoded again; the frame is
 * answered with a writer-built Get_Res-style frame and re-encoded as a whole.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/echonet.h"
#include "fw.h"

static void answer(const echonet_frame *f)
{
    uint8_t out[64], map_edt[ECHONET_PROPMAP_MAX_LEN];
    echonet_writer w;
    echonet_prop_iter it = f->props;
    echonet_prop p;
    size_t len = 0;

    echonet_writer_init(&w, out, sizeof out);
    echonet_writer_header(&w, f->tid, f->deoj, f->seoj, (uint8_t)(f->esv + 0x10u));
    while (echonet_prop_next(&it, &p)) {
        if (p.epc >= 0x9Du && p.epc <= 0x9Fu) {
            echonet_propmap map;
            size_t n;

            if (echonet_propmap_decode(&map, p.edt, p.pdc) != ECHONET_OK)
                continue;
            if (!echonet_propmap_contains(&map, 0x80u))
                (void)echonet_propmap_add(&map, 0x80u);
            fw_io.out = echonet_propmap_count(&map) + (echonet_propmap_next(&map, 0x80u) << 8);
            if (echonet_propmap_encode(&map, map_edt, sizeof map_edt, &n) == ECHONET_OK)
                echonet_writer_prop(&w, p.epc, n, map_edt);
        } else {
            echonet_writer_prop(&w, p.epc, p.pdc, p.edt);
        }
    }
    if (f->opc_get > 0) {
        it = f->props_get;
        echonet_writer_get_block(&w);
        while (echonet_prop_next(&it, &p))
            echonet_writer_prop(&w, p.epc, 0, NULL);
    }
    if (echonet_writer_finish(&w, &len) == ECHONET_OK)
        fw_send(fw_io.rx_src, out, len);
}

void fw_main(void)
{
    for (;;) {
        uint8_t in[64], again[64];
        echonet_frame f;
        echonet_prop p;
        size_t n = fw_receive(in, sizeof in), off = 0, len = 0;

        if (n == 0)
            continue;
        if (echonet_frame_decode_udp(&f, in, n, &off) != ECHONET_OK) {
            fw_io.out = (uint32_t)off;
            continue;
        }
        if (echonet_prop_find(f.props, 0x80u, &p))
            fw_io.out = p.pdc;
        answer(&f);
        /* decode -> encode must give the datagram back */
        if (echonet_frame_encode(&f, again, sizeof again, &len) == ECHONET_OK)
            fw_send(fw_io.rx_src, again, len);
    }
}
