/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * broute-get: reads properties of the smart meter 0x028801 through the
 * B-route transport of hems-controller (examples/broute.c), with the
 * library's frame writer and decoder: the test's way to E7 and EA while the
 * controller does not manage class 0x0288 (tests/test_broute.py).
 *
 *   broute-get DEVICE AUTHFILE SESSIONS EPC...
 *
 * In each of SESSIONS sessions (the first, then each after a re-join), one
 * Get of the EPCs (asked again every 5 s without answer); prints
 * "session N: EPC=HEX EPC=HEX..." for each Get_Res or Get_SNA, and at the
 * end "stats: lines=N bad_lines=N scans=N joins=N sessions=N". Exit status
 * 0, or 1 when 120 s pass first, 2 for bad arguments.
 */
#define _POSIX_C_SOURCE 200809L

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <echonet/echonet.h>

#include "broute.h"
#include "evloop.h"
#include "posix_util.h"

#define METER ECHONET_EOJ(0x02, 0x88, 0x01)

static struct broute br;
static struct evloop loop;
static uint8_t epcs[16];
static size_t n_epcs;
static unsigned long sessions_wanted, read_in; /* read_in: the session already read */
static uint16_t tid = 0x100;
static echonet_tstamp asked_at;
static bool waiting;

static void ask(echonet_tstamp now)
{
    uint8_t buf[64];
    size_t len = 0, i;
    echonet_writer w;

    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, ++tid, ECHONET_EOJ_CONTROLLER, METER, ECHONET_ESV_GET);
    for (i = 0; i < n_epcs; i++)
        echonet_writer_prop(&w, epcs[i], 0, NULL);
    if (echonet_writer_finish(&w, &len) != ECHONET_OK)
        return;
    (void)broute_send(&br, buf, len, now);
    asked_at = now;
    waiting = true;
}

static void on_datagram(void *user, const echonet_addr *from, const uint8_t *buf, size_t len)
{
    echonet_frame f;
    echonet_prop p;

    (void)user;
    (void)from;
    if (echonet_frame_decode_udp(&f, buf, len, NULL) != ECHONET_OK || !waiting || f.tid != tid || f.seoj != METER ||
        (f.esv != ECHONET_ESV_GET_RES && f.esv != ECHONET_ESV_GET_SNA))
        return;
    printf("session %lu:", br.stats.sessions);
    while (echonet_prop_next(&f.props, &p)) {
        size_t i;

        printf(" %02x=", p.epc);
        for (i = 0; i < p.pdc; i++)
            printf("%02X", p.edt[i]);
    }
    printf("\n");
    fflush(stdout);
    waiting = false;
    read_in = br.stats.sessions;
    if (read_in >= sessions_wanted)
        evloop_stop(&loop);
}

static void on_status(void *user, bool up, const echonet_addr *meter, const char *message)
{
    (void)user;
    (void)meter;
    fprintf(stderr, "broute-get: %s\n", message);
    if (up && br.stats.sessions > read_in)
        ask(posix_now_ms());
}

/* Asks again after 5 s without an answer. */
static int retry_timeout(void *self)
{
    (void)self;
    return waiting && br.up ? evloop_ms_until(asked_at + 5000u, posix_now_ms()) : 1000;
}

static void retry_dispatch(void *self, const struct pollfd *fds, int n)
{
    echonet_tstamp now = posix_now_ms();

    (void)self;
    (void)fds;
    (void)n;
    if (waiting && br.up && now >= asked_at + 5000u)
        ask(now);
}

static void on_signal(void *user, int sig)
{
    (void)user;
    (void)sig;
    evloop_stop(&loop);
}

int main(int argc, char **argv)
{
    struct broute_config cfg;
    struct broute_host host = {NULL, on_datagram, on_status};
    struct evloop_source retry = {NULL, NULL, retry_timeout, retry_dispatch}, src;
    char why[300];
    echonet_tstamp end;
    int i;

    if (argc < 5 || (sessions_wanted = strtoul(argv[3], NULL, 10)) == 0) {
        fprintf(stderr, "usage: broute-get DEVICE AUTHFILE SESSIONS EPC...\n");
        return 2;
    }
    for (i = 4; i < argc && n_epcs < sizeof epcs; i++)
        if (posix_parse_hex(argv[i], &epcs[n_epcs++], 1, false) != 1)
            return 2;
    cfg.device = argv[1];
    cfg.auth_path = argv[2];
    cfg.baud = 0;
    if (broute_open(&br, &cfg, &host, why, sizeof why) != 0) {
        fprintf(stderr, "broute-get: %s\n", why);
        return 1;
    }
    src = broute_source(&br);
    if (evloop_init(&loop, (const int[]){SIGINT, SIGTERM}, 2, on_signal, NULL) != 0 || evloop_add(&loop, &src) != 0 ||
        evloop_add(&loop, &retry) != 0)
        return 1;
    end = posix_now_ms() + 120000u;
    while (!loop.stop && posix_now_ms() < end)
        (void)evloop_turn(&loop);
    fprintf(stderr, "stats: lines=%lu bad_lines=%lu scans=%lu joins=%lu sessions=%lu sent=%lu received=%lu\n",
            br.stats.lines, br.stats.bad_lines, br.stats.scans, br.stats.joins, br.stats.sessions, br.stats.sent,
            br.stats.received);
    broute_close(&br);
    return read_in >= sessions_wanted ? 0 : 1;
}
