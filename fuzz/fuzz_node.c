/* Fuzz target: a device node with two air-conditioner objects answers
 * arbitrary datagrams. The input is split into datagrams (a length byte,
 * then that many bytes; the length byte is also the sender's address and,
 * after the datagram, its last byte a time step in hours; the first byte
 * sets max_opc). Everything the node emits must decode and be an answer or
 * an INF. Each unicast answer must pair with a request the node was given
 * (ESV pairing rules): from that address, with its TID, the response or SNA
 * code of its ESV, DEOJ its SEOJ, SEOJ an object its DEOJ addresses (never
 * instance 0), the same properties in the same order in each block, PDC 0
 * for every property of a Set_Res and INFC_Res, each object answering a
 * request once, and requests answered in the order they came. A multicast INF is an announcement (to the node profile)
 * or answers an INF_REQ. The node must never crash or loop. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/echonet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQS 512

/* The requests given to the node (views into the input). */
static struct {
    echonet_addr src;
    echonet_frame f;
    unsigned answered; /* bit per object: node profile, 0x013001, 0x013002 */
} reqs[REQS];
static unsigned n_reqs, first;

static void must(int cond)
{
    if (!cond)
        abort();
}

static unsigned object_bit(echonet_eoj eoj)
{
    return eoj == ECHONET_EOJ_NODE_PROFILE ? 1u : eoj == 0x013001 ? 2u : eoj == 0x013002 ? 4u : 0u;
}

/* The properties of an answer block name those of the request block. */
static bool same_epcs(echonet_prop_iter req, echonet_prop_iter ans, bool pdc_zero)
{
    echonet_prop p, q;

    while (echonet_prop_next(&req, &p))
        if (!echonet_prop_next(&ans, &q) || p.epc != q.epc || (pdc_zero && q.pdc != 0))
            return false;
    return !echonet_prop_next(&ans, &q);
}

static bool pairs(unsigned i, const echonet_addr *dst, const echonet_frame *f)
{
    const echonet_frame *r = &reqs[i].f;

    return echonet_addr_equal(&reqs[i].src, dst) && r->tid == f->tid &&
           (f->esv == echonet_esv_response(r->esv) || f->esv == echonet_esv_sna(r->esv)) && f->deoj == r->seoj &&
           echonet_eoj_matches(r->deoj, f->seoj) && !(reqs[i].answered & object_bit(f->seoj)) &&
           f->opc == r->opc && f->opc_get == r->opc_get &&
           same_epcs(r->props, f->props, f->esv == ECHONET_ESV_SET_RES || f->esv == ECHONET_ESV_INFC_RES) &&
           same_epcs(r->props_get, f->props_get, false);
}

/* Checks one datagram the node sent. */
static void check_output(const uint8_t *out, int32_t len, const echonet_addr *dst, bool multicast)
{
    echonet_frame f;
    echonet_esv_kind kind;
    unsigned i;

    must(len > 0);
    must(echonet_frame_decode_udp(&f, out, (size_t)len, NULL) == ECHONET_OK);
    must(f.format == 1);
    kind = echonet_esv_classify(f.esv);
    must(kind == ECHONET_ESV_KIND_RESPONSE || kind == ECHONET_ESV_KIND_SNA || kind == ECHONET_ESV_KIND_NOTIFICATION);
    /* Answers come from a real object, never instance 0x00. */
    must(ECHONET_EOJ_INSTANCE(f.seoj) != 0 && object_bit(f.seoj) != 0);
    if (multicast) {
        must(f.esv == ECHONET_ESV_INF);
        if (f.deoj == ECHONET_EOJ_NODE_PROFILE)
            return; /* an announcement */
        for (i = 0; i < n_reqs; i++)
            if (reqs[i].f.esv == ECHONET_ESV_INF_REQ && reqs[i].f.tid == f.tid &&
                f.deoj == reqs[i].f.seoj && echonet_eoj_matches(reqs[i].f.deoj, f.seoj))
                return;
        must(0);
    }
    /* Requests are answered in the order they came (a queue): never one
     * older than the last answered. Some get no answer (SetI accepted, no
     * object addressed), so a later one with the same TID may be the one. */
    for (i = first; i < n_reqs && !pairs(i, dst, &f); i++)
        ;
    must(i < n_reqs);
    reqs[i].answered |= object_bit(f.seoj);
    first = i;
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
    size_t pos = 0;
    unsigned i;

    if (size < 2)
        return 0;
    cfg.max_opc = data[0] & 7; /* sometimes a device that processes only a few */
    echonet_aircon_omit(&omit, keep, sizeof keep);
    for (i = 0; i < 2; i++) {
        must(echonet_aircon_init(&ac[i], maker) == ECHONET_OK);
        must(echonet_aircon_object_init(&obj[i], 0x013001 + i, i ? NULL : &omit, &echonet_aircon_ops, &ac[i]) == ECHONET_OK);
    }
    must(echonet_node_init(&node, &cfg, slots, 2, queue, 2) == ECHONET_OK);
    must(echonet_node_add(&node, &obj[0]) == ECHONET_OK);
    must(echonet_node_add(&node, &obj[1]) == ECHONET_OK);
    n_reqs = first = 0;
    pos = 1;
    while (pos < size && n_reqs < REQS) { /* (longer inputs than a fuzzer makes end early) */
        size_t len = data[pos++];
        echonet_addr src, dst;
        bool mc;
        int32_t n;
        unsigned guard = 0;

        if (len > size - pos)
            len = size - pos;
        echonet_addr_set(&src, &data[pos - 1], 1);
        if (echonet_node_read(&node, &src, data + pos, len) >= 0) {
            reqs[n_reqs].src = src;
            reqs[n_reqs].answered = 0;
            /* The stream form: the node ignores bytes after the frame. */
            if (echonet_frame_decode(&reqs[n_reqs].f, data + pos, len, NULL) >= 0 &&
                reqs[n_reqs].f.format == 1)
                n_reqs++;
        }
        pos += len;
        now += (echonet_tstamp)(data[pos - 1 < size ? pos - 1 : 0]) * 3600000u;
        /* A bounded number of datagrams per input: no loop. */
        while ((n = echonet_node_write(&node, &dst, &mc, out, sizeof out, now)) > 0) {
            check_output(out, n, &dst, mc);
            must(++guard < 64);
        }
        must(n == 0);
    }
    return 0;
}
