/* Fuzz target: frame round trip. Every input the decoder accepts must
 * re-encode (echonet_frame_encode()) to exactly the bytes it was decoded
 * from, and those decode again to the same frame; rebuilding a format 1
 * frame property by property with the writer gives the same bytes too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/esv.h"
#include "echonet/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[ECHONET_FRAME_MAX_LEN], again[ECHONET_FRAME_MAX_LEN];

static void must(int cond)
{
    if (!cond)
        abort();
}

static void same_props(echonet_prop_iter a, echonet_prop_iter b)
{
    echonet_prop p, q;

    while (echonet_prop_next(&a, &p)) {
        must(echonet_prop_next(&b, &q));
        must(p.epc == q.epc && p.pdc == q.pdc && (p.pdc == 0 || memcmp(p.edt, q.edt, p.pdc) == 0));
    }
    must(!echonet_prop_next(&b, &q));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    echonet_frame f, g;
    echonet_writer w;
    echonet_prop p;
    echonet_prop_iter it;
    size_t len = 0, len2 = 0;
    int32_t n = echonet_frame_decode(&f, data, size, NULL);

    if (n < 0)
        return 0;
    must(echonet_frame_encode(&f, out, sizeof out, &len) == ECHONET_OK);
    must(len == f.len && memcmp(out, data, len) == 0);
    /* A buffer one byte short is refused, and the size needed reported. */
    must(echonet_frame_encode(&f, again, len - 1, &len2) == ECHONET_ERR_NOBUF && len2 == len);
    must(echonet_frame_decode_udp(&g, out, len, NULL) == ECHONET_OK);
    must(g.format == f.format && g.tid == f.tid && g.len == f.len && g.edata_len == f.edata_len);
    if (f.format == 1) {
        must(g.seoj == f.seoj && g.deoj == f.deoj && g.esv == f.esv && g.opc == f.opc && g.opc_get == f.opc_get);
        same_props(f.props, g.props);
        same_props(f.props_get, g.props_get);
        /* The writer builds the same bytes. */
        echonet_writer_init(&w, again, sizeof again);
        echonet_writer_header(&w, f.tid, f.seoj, f.deoj, f.esv);
        for (it = f.props; echonet_prop_next(&it, &p);)
            echonet_writer_prop(&w, p.epc, p.pdc, p.edt);
        if (echonet_esv_is_setget(f.esv)) {
            echonet_writer_get_block(&w);
            for (it = f.props_get; echonet_prop_next(&it, &p);)
                echonet_writer_prop(&w, p.epc, p.pdc, p.edt);
        }
        must(echonet_writer_finish(&w, &len2) == ECHONET_OK);
        must(len2 == len && memcmp(again, data, len) == 0);
    } else {
        must(memcmp(g.edata, data + 4, g.edata_len) == 0);
    }
    return 0;
}
