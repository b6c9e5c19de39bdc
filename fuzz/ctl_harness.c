/* The controller harness of the fuzz targets (see ctl_harness.h).
 *
 * Script: a sequence of steps, each an opcode byte and its arguments;
 * address a = (op >> 3) % 8 (a one-byte address, or with by_node the
 * address of node a when the controller has one):
 *   op & 7 == 0  time passes: p0² × 0.5 s (up to ~9 h)
 *             1  p0 arbitrary bytes arrive from a
 *             2  a well-formed answer (Get_Res/SNA, Set_Res/SNA, from p0..p3)
 *                to the request in flight at a
 *             3  a announces its instance list (INF 0xD5, 0x013001..04)
 *             4  the application reads 0x80, 0xB3 and one more (p0)
 *             5  the application writes 0x80 = p0, 0xB3 = p1
 *             6  the public line goes up or down (bit 3)
 *             7  (op >> 3) & 3: a search; a temperature probe (p0, p1); a
 *                fault read-out; add node a by address
 * After every step the output is drained and checked. */
#include "ctl_harness.h"

#include <stdlib.h>
#include <string.h>

#define ADDRS 8

ECHONET_CTL_STORAGE(st, H_NODES, 10, H_OPS, 16);

static echonet_ctl ctl;
static echonet_ctl_config cfg;
static echonet_tstamp now;
static bool by_node;

/* TIDs: the request count at which each was last sent, in this run (epoch). */
static uint32_t tid_epoch[65536];
static uint64_t tid_at[65536];
static uint32_t epoch;
static uint64_t requests;

static struct {
    bool busy;
    uint16_t tid;
    uint8_t esv;
    echonet_eoj deoj;
    echonet_tstamp sent;
} flight[H_NODES];

static struct {
    bool live;
    uint16_t node;
    echonet_eoj eoj;
} ops[H_OPS];

void h_must(int cond)
{
    if (!cond)
        abort();
}

echonet_tstamp h_now(void)
{
    return now;
}

static void on_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    if (ev->kind == ECHONET_CTL_EV_FORGOTTEN) {
        /* Only an offline node with nothing in flight; its address is
         * still given, and no longer found; its index may be reused. */
        const echonet_addr *a = echonet_ctl_node_addr(&ctl, ev->node);

        h_must(ev->node < H_NODES && a != NULL && echonet_ctl_find(&ctl, a) == ECHONET_CTL_NONE);
        h_must(!echonet_ctl_node_online(&ctl, ev->node) && echonet_ctl_objects(&ctl, ev->node, NULL, 0) == 0);
        h_must(!flight[ev->node].busy ||
               now >= echonet_tstamp_add(flight[ev->node].sent, cfg.response_timeout_ms));
        flight[ev->node].busy = false;
    }
    if (ev->kind == ECHONET_CTL_EV_DONE) {
        h_must(ev->op < H_OPS && ops[ev->op].live);
        h_must(ev->node == ops[ev->op].node && ev->eoj == ops[ev->op].eoj);
        ops[ev->op].live = false;
    }
}

echonet_ctl *h_init(bool remote, uint8_t max_props, echonet_tstamp start, bool node_addrs)
{
    echonet_ctl_callbacks cb = {on_event};

    memset(flight, 0, sizeof flight);
    memset(ops, 0, sizeof ops);
    epoch++;
    requests = 0;
    now = start;
    by_node = node_addrs;
    echonet_ctl_config_default(&cfg);
    cfg.remote = remote;
    cfg.max_props = max_props;
    cfg.keepalive_interval_ms = 3600000u;
    h_must(echonet_ctl_init(&ctl, &cfg, &cb, NULL, &st) == ECHONET_OK);
    h_must(echonet_ctl_read_energy(&ctl) == ECHONET_OK);
    return &ctl;
}

static void note_tid(uint16_t tid)
{
    if (tid_epoch[tid] == epoch)
        h_must(requests - tid_at[tid] >= 65535u);
    tid_epoch[tid] = epoch;
    tid_at[tid] = requests++;
}

static unsigned write_rank(uint8_t epc)
{
    return epc == 0x80 ? 1u : epc == 0xB0 ? 2u : epc == 0xB3 ? 3u : 4u;
}

static bool has_object(uint16_t node, echonet_eoj eoj)
{
    echonet_eoj eojs[16];
    size_t n = echonet_ctl_objects(&ctl, node, eojs, 16), i;

    for (i = 0; i < n && i < 16; i++)
        if (eojs[i] == eoj)
            return true;
    return false;
}

static void check_sent(const echonet_addr *dst, bool mc, const uint8_t *buf, size_t len)
{
    echonet_frame f;
    echonet_prop_iter it;
    echonet_prop p;
    unsigned k = 0, rank = 0, limit;
    bool prefixed = false, keepalive = false;
    uint16_t node;

    h_must(echonet_frame_decode_udp(&f, buf, len, NULL) == ECHONET_OK);
    h_must(f.format == 1 && f.seoj == cfg.self);
    note_tid(f.tid);
    if (mc) {
        h_must(f.esv == ECHONET_ESV_GET);
        h_must(f.deoj == ECHONET_EOJ_NODE_PROFILE || f.deoj == 0x013000);
        return;
    }
    h_must(f.esv == ECHONET_ESV_GET || f.esv == ECHONET_ESV_SETC);
    node = echonet_ctl_find(&ctl, dst);
    h_must(node < H_NODES);
    /* One request in flight per node (AIF 2.4.1) until its answer or the timer (2.4.2). */
    h_must(!flight[node].busy || now >= echonet_tstamp_add(flight[node].sent, cfg.response_timeout_ms));
    flight[node].busy = true;
    flight[node].tid = f.tid;
    flight[node].esv = f.esv;
    flight[node].deoj = f.deoj;
    flight[node].sent = now;
    if (f.deoj == ECHONET_EOJ_NODE_PROFILE)
        h_must(f.esv == ECHONET_ESV_GET);
    else
        h_must(ECHONET_EOJ_GROUP(f.deoj) <= 0x06 && ECHONET_EOJ_INSTANCE(f.deoj) != 0 && has_object(node, f.deoj));
    it = f.props;
    while (echonet_prop_next(&it, &p)) {
        if (f.esv == ECHONET_ESV_GET) {
            h_must(p.pdc == 0);
        } else if (p.epc == ECHONET_EPC_REMOTE_CONTROL) {
            h_must(cfg.remote && p.pdc == 1);
            if (p.edt[0] == ECHONET_REMOTE_LINE_OK_PUBLIC) {
                h_must(f.opc == 1);
                keepalive = true;
            } else {
                h_must(p.edt[0] == ECHONET_REMOTE_PUBLIC && k == 0);
                prefixed = true;
            }
        } else {
            const echonet_prop_desc *desc = echonet_aircon_desc(p.epc);

            h_must(desc && (desc->access & ECHONET_ACCESS_SET));
            h_must(echonet_prop_desc_check(desc, p.edt, p.pdc, true) == ECHONET_OK);
            h_must(write_rank(p.epc) >= rank);
            rank = write_rank(p.epc);
        }
        k++;
    }
    if (f.esv == ECHONET_ESV_SETC && cfg.remote && !keepalive)
        h_must(prefixed);
    limit = cfg.max_props;
    if (prefixed && limit < 2)
        limit = 2;
    h_must(f.opc <= limit);
}

void h_drain(void)
{
    uint8_t buf[512];
    echonet_addr dst;
    bool mc;
    int32_t n;
    unsigned guard = 0;
    uint16_t i;

    while ((n = echonet_ctl_write(&ctl, &dst, &mc, buf, sizeof buf, now)) > 0) {
        h_must(++guard < 200);
        check_sent(&dst, mc, buf, (size_t)n);
    }
    h_must(n == 0);
    h_must(echonet_ctl_expiry(&ctl) > now);
    for (i = 0; i < H_NODES; i++) {
        const echonet_addr *a = echonet_ctl_node_addr(&ctl, i);
        uint16_t unit = a ? echonet_ctl_find(&ctl, a) : i;

        /* Its own node, or for an alias (ECHONET_CTL_EV_ALIAS) without
         * objects, its unit's node, itself no alias. */
        h_must(unit == i || (unit < H_NODES && echonet_ctl_objects(&ctl, i, NULL, 0) == 0 &&
                             echonet_ctl_node_addr(&ctl, unit) != NULL &&
                             echonet_ctl_find(&ctl, echonet_ctl_node_addr(&ctl, unit)) == unit));
    }
}

/* A datagram arrives; an answer with the TID and ESV pair of the request in
 * flight at its node ends that request (as tests/sim.c counts it). */
static void deliver(const echonet_addr *src, const uint8_t *buf, size_t len)
{
    echonet_frame f;
    uint16_t node = echonet_ctl_find(&ctl, src);

    (void)echonet_ctl_read(&ctl, src, buf, len, now);
    if (node < H_NODES && flight[node].busy && echonet_frame_decode_udp(&f, buf, len, NULL) == ECHONET_OK &&
        f.format == 1 && f.tid == flight[node].tid && echonet_esv_request_of(f.esv) == flight[node].esv)
        flight[node].busy = false;
}

/* A plausible answer to the request in flight at a node. */
static size_t answer(uint16_t node, const uint8_t *p, size_t avail, uint8_t *out, size_t cap)
{
    echonet_writer w;
    size_t len = 0;
    bool get = flight[node].esv == ECHONET_ESV_GET, sna = avail && (p[0] & 1);
    uint8_t esv = get ? (sna ? ECHONET_ESV_GET_SNA : ECHONET_ESV_GET_RES)
                      : (sna ? ECHONET_ESV_SETC_SNA : ECHONET_ESV_SET_RES);
    unsigned k, props = avail > 1 ? (p[1] % 5u) + 1u : 1u;

    echonet_writer_init(&w, out, cap);
    echonet_writer_header(&w, flight[node].tid, flight[node].deoj, cfg.self, esv);
    for (k = 0; k < props; k++) {
        uint8_t epc = avail > 2 + k ? (uint8_t)(0x80 | p[2 + k]) : 0x80;
        uint8_t v = avail > 3 + k ? p[3 + k] : 0x30;

        echonet_writer_prop(&w, epc, get ? 1 : 0, &v);
    }
    (void)echonet_writer_finish(&w, &len);
    return len;
}

static void started(echonet_err err, uint16_t h, uint16_t node, echonet_eoj eoj)
{
    if (err != ECHONET_OK)
        return;
    h_must(h < H_OPS && !ops[h].live);
    ops[h].live = true;
    ops[h].node = node;
    ops[h].eoj = eoj;
}

void h_script(const uint8_t *data, size_t size)
{
    size_t pos = 0;
    unsigned i, spins;

    h_drain();
    while (pos < size) {
        uint8_t op = data[pos++];
        size_t avail = size - pos;
        const uint8_t *p = data + pos;
        unsigned a = (op >> 3) % ADDRS;
        uint16_t node = (uint16_t)(a % H_NODES), h = 0xFFFF;
        echonet_addr addr;
        echonet_err err;

        if (by_node && echonet_ctl_node_addr(&ctl, (uint16_t)a))
            addr = *echonet_ctl_node_addr(&ctl, (uint16_t)a);
        else
            (void)echonet_addr_set(&addr, &a, 1);
        switch (op & 7) {
        case 0: /* time passes */
            now += avail ? (echonet_tstamp)p[0] * p[0] * 500u : 1000u;
            pos += avail ? 1 : 0;
            break;
        case 1: { /* arbitrary bytes */
            size_t len = avail ? p[0] : 0;

            if (len > avail - (avail ? 1 : 0))
                len = avail - (avail ? 1 : 0);
            deliver(&addr, p + 1, len);
            pos += 1 + len;
            break;
        }
        case 2: { /* a well-formed answer to what is in flight there */
            uint8_t out[128];
            uint16_t n = echonet_ctl_find(&ctl, &addr);
            size_t len;

            if (n < H_NODES && flight[n].busy) {
                len = answer(n, p, avail, out, sizeof out);
                if (len)
                    deliver(&addr, out, len);
            }
            pos += avail < 4 ? avail : 4;
            break;
        }
        case 3: { /* instance list */
            uint8_t inf[] = {0x10, 0x81, 0, 0, 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 1, 0xD5, 4, 1, 0x01, 0x30, 0x01};

            inf[17] = (uint8_t)(1 + (op >> 6));
            deliver(&addr, inf, sizeof inf);
            break;
        }
        case 4: { /* the application reads */
            uint8_t epcs[3] = {0x80, 0xB3, (uint8_t)(0x80 | (avail ? p[0] : 0))};

            if (epcs[2] == 0x80 || epcs[2] == 0xB3)
                epcs[2] = 0xBB;
            err = echonet_ctl_get(&ctl, node, 0x013001, epcs, 3, &h);
            started(err, h, node, 0x013001);
            pos += avail ? 1 : 0;
            break;
        }
        case 5: { /* the application writes (range-checked by the library) */
            uint8_t v = avail ? p[0] : 0x30, t = avail > 1 ? p[1] : 20;
            echonet_prop props[2] = {{0x80, 1, NULL}, {0xB3, 1, NULL}};

            props[0].edt = &v;
            props[1].edt = &t;
            err = echonet_ctl_set(&ctl, node, 0x013001, props, 2, &h);
            started(err, h, node, 0x013001);
            pos += avail < 2 ? avail : 2;
            break;
        }
        case 6:
            echonet_ctl_set_line(&ctl, (op >> 3) & 1, now);
            break;
        default:
            switch ((op >> 3) & 3) {
            case 0:
                echonet_ctl_discover(&ctl);
                break;
            case 1: { /* probe: mode from p0, range from p1 */
                int low = avail > 1 ? 16 + (p[1] & 7) : 16, high = avail > 1 ? 24 + (p[1] >> 5) : 30;

                node = (uint16_t)((op >> 5) % H_NODES);
                err = echonet_ctl_probe(&ctl, node, 0x013001, (uint8_t)(0x41 + (avail ? p[0] % 5 : 0)), low, high,
                                        &h);
                started(err, h, node, 0x013001);
                pos += avail < 2 ? avail : 2;
                break;
            }
            case 2:
                node = (uint16_t)((op >> 5) % H_NODES);
                err = echonet_ctl_read_fault(&ctl, node, 0x013001, &h);
                started(err, h, node, 0x013001);
                break;
            default:
                (void)echonet_ctl_add_node(&ctl, &addr, NULL);
                break;
            }
            break;
        }
        h_drain();
    }
    /* No operation is lost: with nothing answering, every one ends. */
    for (spins = 0; spins < 4000; spins++) {
        echonet_tstamp t = echonet_ctl_expiry(&ctl);
        bool any = false;

        for (i = 0; i < H_OPS; i++)
            any = any || ops[i].live;
        if (!any)
            break;
        h_must(t != ECHONET_TSTAMP_NEVER);
        now = t;
        h_drain();
    }
    for (i = 0; i < H_OPS; i++)
        h_must(!ops[i].live);
}
