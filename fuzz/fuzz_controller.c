/* Fuzz target: the controller driven by a script. The input is read as a
 * sequence of steps; time never goes back. Steps: advance time; deliver a
 * datagram (arbitrary bytes, or a well-formed answer to the controller's
 * last request to that address) from one of eight addresses; start a read
 * or a write; set the line up or down. After each step the controller's
 * output is drained and checked: every datagram decodes and is a request or
 * a search; a request never goes to an address that still has one in flight
 * (until an answer with its TID came back or the response timer ran out);
 * no TID is ever sent twice; every operation ends at most once, and only
 * one that was started. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/echonet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ADDRS 8
#define TIMEOUT 20000u

ECHONET_CTL_STORAGE(st, 6, 10, 4, 16);

static struct {
    bool live[16];
    bool tid_seen[65536];
    struct {
        bool busy;
        uint16_t tid;
        uint8_t esv;
        echonet_eoj deoj;
        echonet_tstamp sent;
    } flight[ADDRS];
} s;

static echonet_ctl ctl;
static echonet_addr addrs[ADDRS];

static void must(int cond)
{
    if (!cond)
        abort();
}

static void on_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    if (ev->kind == ECHONET_CTL_EV_DONE) {
        must(ev->op < 16 && s.live[ev->op]);
        s.live[ev->op] = false;
    }
}

static unsigned addr_of(const echonet_addr *a)
{
    return a->len == 1 && a->bytes[0] < ADDRS ? a->bytes[0] : ADDRS;
}

static void drain(echonet_tstamp now)
{
    uint8_t buf[512];
    echonet_addr dst;
    bool mc;
    int32_t n;
    unsigned guard = 0;

    while ((n = echonet_ctl_write(&ctl, &dst, &mc, buf, sizeof buf, now)) > 0) {
        echonet_frame f;
        unsigned a;

        must(++guard < 200);
        must(echonet_frame_decode_udp(&f, buf, (size_t)n, NULL) == ECHONET_OK);
        must(echonet_esv_classify(f.esv) == ECHONET_ESV_KIND_REQUEST);
        must(!s.tid_seen[f.tid]);
        s.tid_seen[f.tid] = true;
        if (mc)
            continue;
        must(f.esv == ECHONET_ESV_GET || f.esv == ECHONET_ESV_SETC);
        a = addr_of(&dst);
        must(a < ADDRS);
        /* One request in flight per node (AIF 2.4.1), the timer at least 20 s. */
        must(!s.flight[a].busy || now >= s.flight[a].sent + TIMEOUT);
        s.flight[a].busy = true;
        s.flight[a].tid = f.tid;
        s.flight[a].esv = f.esv;
        s.flight[a].deoj = f.deoj;
        s.flight[a].sent = now;
    }
    must(n == 0);
}

/* A plausible answer to the request in flight at address a. */
static size_t answer(unsigned a, const uint8_t *p, size_t avail, uint8_t *out, size_t cap)
{
    echonet_writer w;
    size_t len = 0;
    uint8_t esv = s.flight[a].esv == ECHONET_ESV_GET ? (avail && (p[0] & 1) ? ECHONET_ESV_GET_SNA : ECHONET_ESV_GET_RES)
                                                     : (avail && (p[0] & 1) ? ECHONET_ESV_SETC_SNA : ECHONET_ESV_SET_RES);
    unsigned k, props = avail > 1 ? (p[1] % 5u) + 1u : 1u;
    echonet_eoj seoj = s.flight[a].deoj == 0x0EF001 ? 0x0EF001 : s.flight[a].deoj;

    echonet_writer_init(&w, out, cap);
    echonet_writer_header(&w, s.flight[a].tid, seoj, 0x05FF01, esv);
    for (k = 0; k < props; k++) {
        uint8_t epc = avail > 2 + k ? (uint8_t)(0x80 | p[2 + k]) : 0x80;
        uint8_t v = avail > 3 + k ? p[3 + k] : 0x30;

        echonet_writer_prop(&w, epc, s.flight[a].esv == ECHONET_ESV_GET ? 1 : 0, &v);
    }
    (void)echonet_writer_finish(&w, &len);
    return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {on_event};
    echonet_tstamp now = 0;
    size_t pos = 0;
    unsigned i;

    memset(&s, 0, sizeof s);
    for (i = 0; i < ADDRS; i++)
        echonet_addr_set(&addrs[i], &i, 1);
    echonet_ctl_config_default(&cfg);
    cfg.remote = size > 0 && (data[0] & 1);
    cfg.keepalive_interval_ms = 3600000u;
    must(echonet_ctl_init(&ctl, &cfg, &cb, NULL, &st) == ECHONET_OK);
    echonet_ctl_set_line(&ctl, true, 0);
    drain(now);
    while (pos < size) {
        uint8_t op = data[pos++];
        size_t avail = size - pos;
        const uint8_t *p = data + pos;
        unsigned a = (op >> 3) % ADDRS;

        switch (op & 7) {
        case 0: /* time passes, up to ~9 h */
            now += avail ? (echonet_tstamp)p[0] * p[0] * 500u : 1000u;
            pos += avail ? 1 : 0;
            break;
        case 1: { /* arbitrary bytes from an address */
            size_t len = avail ? p[0] : 0;

            if (len > avail - (avail ? 1 : 0))
                len = avail - (avail ? 1 : 0);
            (void)echonet_ctl_read(&ctl, &addrs[a], p + 1, len, now);
            pos += 1 + len;
            break;
        }
        case 2: { /* a well-formed answer to what is in flight there */
            uint8_t out[128];
            size_t len;

            if (s.flight[a].busy) {
                len = answer(a, p, avail, out, sizeof out);
                if (len && echonet_ctl_read(&ctl, &addrs[a], out, len, now) == ECHONET_OK)
                    s.flight[a].busy = false;
            }
            pos += avail < 4 ? avail : 4;
            break;
        }
        case 3: { /* a device announces itself: INF 0xD5 listing 0x013001..03 */
            uint8_t inf[] = {0x10, 0x81, 0, 0, 0x0E, 0xF0, 0x01, 0x0E, 0xF0, 0x01, 0x73, 1, 0xD5, 4, 1, 0x01, 0x30, 0x01};

            inf[17] = (uint8_t)(1 + (op >> 6));
            (void)echonet_ctl_read(&ctl, &addrs[a], inf, sizeof inf, now);
            break;
        }
        case 4: { /* the application reads */
            uint8_t epcs[3] = {0x80, 0xB3, (uint8_t)(0x80 | (avail ? p[0] : 0))};
            uint16_t h = 0xFFFF;

            if (epcs[2] == 0x80 || epcs[2] == 0xB3)
                epcs[2] = 0xBB;
            if (echonet_ctl_get(&ctl, (uint16_t)(a % 6), 0x013001, epcs, 3, &h) == ECHONET_OK) {
                must(h < 16 && !s.live[h]);
                s.live[h] = true;
            }
            pos += avail ? 1 : 0;
            break;
        }
        case 5: { /* the application writes (range-checked by the library) */
            uint8_t v = avail ? p[0] : 0x30, t = avail > 1 ? p[1] : 20;
            echonet_prop props[2] = {{0x80, 1, &v}, {0xB3, 1, &t}};
            uint16_t h = 0xFFFF;

            if (echonet_ctl_set(&ctl, (uint16_t)(a % 6), 0x013001, props, 2, &h) == ECHONET_OK) {
                must(h < 16 && !s.live[h]);
                s.live[h] = true;
            }
            pos += avail < 2 ? avail : 2;
            break;
        }
        case 6:
            echonet_ctl_set_line(&ctl, (op >> 3) & 1, now);
            break;
        default: /* a search again */
            echonet_ctl_discover(&ctl);
            break;
        }
        drain(now);
    }
    return 0;
}
