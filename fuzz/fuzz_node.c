/* Fuzz target: a device node with two air-conditioner objects answers
 * arbitrary datagrams. The input is split into datagrams (a length byte,
 * then that many bytes; the first two bytes pick the sender and a time
 * step). Everything the node emits must decode, be an answer or an INF, and
 * pair with the request it answers; the node must never crash or loop. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/echonet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

/* Checks one datagram the node sent in answer to @p req (or an INF). */
static void check_output(const uint8_t *out, int32_t len, bool multicast)
{
    echonet_frame f;
    echonet_esv_kind kind;

    must(len > 0);
    must(echonet_frame_decode_udp(&f, out, (size_t)len, NULL) == ECHONET_OK);
    must(f.format == 1);
    kind = echonet_esv_classify(f.esv);
    must(kind == ECHONET_ESV_KIND_RESPONSE || kind == ECHONET_ESV_KIND_SNA || kind == ECHONET_ESV_KIND_NOTIFICATION);
    /* Answers come from a real object, never instance 0x00. */
    must(ECHONET_EOJ_INSTANCE(f.seoj) != 0);
    if (multicast)
        must(f.esv == ECHONET_ESV_INF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0};
    static const uint8_t keep[] = {0x83, 0x86, 0x89, 0x93};
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {1}, 0};
    static echonet_aircon ac[2];
    static echonet_object obj[2], *slots[2];
    static echonet_node node;
    static echonet_node_request queue[2];
    static uint8_t out[2048];
    echonet_propmap omit;
    echonet_tstamp now = 0;
    size_t n_table, pos = 0;
    const echonet_prop_desc *table = echonet_aircon_props(&n_table);
    unsigned i;

    if (size < 2)
        return 0;
    cfg.max_opc = data[0] & 7; /* sometimes a device that processes only a few */
    echonet_aircon_omit(&omit, keep, sizeof keep);
    for (i = 0; i < 2; i++) {
        must(echonet_aircon_init(&ac[i], maker) == ECHONET_OK);
        must(echonet_object_init(&obj[i], 0x013001 + i, table, n_table, i ? NULL : &omit, &echonet_aircon_ops,
                                 &ac[i]) == ECHONET_OK);
    }
    must(echonet_node_init(&node, &cfg, slots, 2, queue, 2) == ECHONET_OK);
    must(echonet_node_add(&node, &obj[0]) == ECHONET_OK);
    must(echonet_node_add(&node, &obj[1]) == ECHONET_OK);
    pos = 1;
    while (pos < size) {
        size_t len = data[pos++];
        echonet_addr src, dst;
        bool mc;
        int32_t n;
        unsigned guard = 0;

        if (len > size - pos)
            len = size - pos;
        echonet_addr_set(&src, &data[pos - 1], 1);
        (void)echonet_node_read(&node, &src, data + pos, len);
        pos += len;
        now += (echonet_tstamp)(data[pos - 1 < size ? pos - 1 : 0]) * 3600000u;
        /* A bounded number of datagrams per input: no loop. */
        while ((n = echonet_node_write(&node, &dst, &mc, out, sizeof out, now)) > 0) {
            check_output(out, n, mc);
            must(++guard < 64);
        }
        must(n == 0);
    }
    return 0;
}
