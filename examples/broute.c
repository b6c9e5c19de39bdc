/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The Wi-SUN B-route transport (SKSTACK-IP); see broute.h. */
#define _POSIX_C_SOURCE 200809L

#include "broute.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "posix_util.h"

#define DRAIN_MS 300u          /* stale bytes dropped at start */
#define CMD_TIMEOUT_MS 10000u  /* an answer to any command */
#define SCAN_MARGIN_MS 5000u   /* beyond the scan's own time */
#define JOIN_TIMEOUT_MS 40000u /* EVENT 25 or 24 after SKJOIN */
#define REAUTH_MS 5000u        /* EVENT 25 after EVENT 29, before SKJOIN */
#define JOIN_RETRY_MS 2000u
#define JOIN_ATTEMPTS 3u
#define FRAME_MAX_AGE_MS 20000u
#define SCAN_D_FIRST 4u
#define SCAN_D_LAST 8u
#define PAUSE_MAX_MS 300000u
#define SCAN_CHANNELS 28u      /* 33 to 60 */
#define NEVER UINT64_MAX

enum phase { P_DRAIN, P_SETUP, P_SCAN, P_SCANNING, P_CONFIG, P_JOIN, P_JOINING, P_UP, P_REAUTH, P_WAIT };

/* Commands, by what their answer leads to. */
enum command { C_NONE, C_RESET, C_SFE, C_VER, C_ROPT, C_WOPT, C_PWD, C_RBID, C_SCAN, C_S2, C_S3, C_LL64, C_JOIN,
               C_SEND };

static const char *const command_names[] = {"",         "SKRESET",  "SKSREG SFE", "SKVER",    "ROPT",
                                            "WOPT",     "SKSETPWD", "SKSETRBID",  "SKSCAN",   "SKSREG S2",
                                            "SKSREG S3", "SKLL64",  "SKJOIN",     "SKSENDTO"};

/* ---- Messages ---------------------------------------------------------------------- */

static void status(struct broute *b, bool up, const char *fmt, ...)
{
    char text[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (b->host.status)
        b->host.status(b->host.user, up, b->have_meter ? &b->meter : NULL, text);
}

/* A line not understood: counted; reported at 1, 2, 4, 8... of them. */
static void bad_line(struct broute *b, const char *what)
{
    unsigned long n = ++b->stats.bad_lines;

    if ((n & (n - 1)) == 0)
        status(b, b->up, "ignored a line from the module: %s (%lu so far)", what, n);
}

/* ---- Output ---------------------------------------------------------------------------- */

static void out_bytes(struct broute *b, const void *bytes, size_t n)
{
    if (n > sizeof b->out - b->out_len) {
        b->out_len = 0; /* the module stopped reading: what it gets next starts clean */
        return;
    }
    memcpy(b->out + b->out_len, bytes, n);
    b->out_len += n;
}

/* Sends a command line (ending crlf: "\r\n", or "\r" for ROPT and WOPT)
 * and waits for its answer. */
static void command(struct broute *b, enum command c, const char *line, const char *end, echonet_tstamp now)
{
    out_bytes(b, line, strlen(line));
    out_bytes(b, end, strlen(end));
    b->inflight = c;
    b->cmd_deadline = now + CMD_TIMEOUT_MS;
}

/* ---- Phases -------------------------------------------------------------------------- */

/* The pause after n failures in a row: 1 s, 2 s, 4 s... at most 300 s. */
static echonet_tstamp pause_ms(unsigned n)
{
    echonet_tstamp ms = 1000u;

    while (n-- > 1 && ms < PAUSE_MAX_MS)
        ms *= 2u;
    return ms < PAUSE_MAX_MS ? ms : PAUSE_MAX_MS;
}

static void wait_then(struct broute *b, enum phase next, echonet_tstamp ms, echonet_tstamp now)
{
    b->phase = P_WAIT;
    b->after_wait = next;
    b->deadline = now + ms;
}

static void session_down(struct broute *b, const char *why)
{
    if (!b->up)
        return;
    b->up = false;
    status(b, false, "session down: %s", why);
}

/* Everything from the start, after a pause (a module that does not answer). */
static void restart(struct broute *b, const char *why, echonet_tstamp now)
{
    b->stats.restarts++;
    b->inflight = C_NONE;
    session_down(b, why);
    b->fails++;
    status(b, false, "%s; starting again in %lu s", why, (unsigned long)(pause_ms(b->fails) / 1000u));
    wait_then(b, P_DRAIN, pause_ms(b->fails), now);
}

static void new_scan(struct broute *b, echonet_tstamp now, echonet_tstamp after_ms)
{
    b->pan_found = false;
    b->in_pandesc = false;
    if (after_ms > 0)
        wait_then(b, P_SCAN, after_ms, now);
    else
        b->phase = P_SCAN;
}

static void scan_ended(struct broute *b, echonet_tstamp now, const char *how)
{
    b->in_pandesc = false;
    if (b->pan_found) {
        status(b, false, "PAN %s found on channel %s; joining", b->pan_id, b->channel);
        b->empty_scans = 0;
        b->join_failures = 0;
        b->phase = P_CONFIG;
        b->step = 0;
        return;
    }
    b->empty_scans++;
    status(b, false, "scan of duration %u %s; scanning again with %u in %lu s", b->scan_d, how,
           b->scan_d < SCAN_D_LAST ? b->scan_d + 1 : b->scan_d, (unsigned long)(pause_ms(b->empty_scans) / 1000u));
    if (b->scan_d < SCAN_D_LAST)
        b->scan_d++;
    new_scan(b, now, pause_ms(b->empty_scans));
}

static void join_failed(struct broute *b, const char *why, echonet_tstamp now)
{
    b->join_failures++;
    if (b->join_failures < JOIN_ATTEMPTS) {
        status(b, false, "join failed (%s); joining again in %u s", why, JOIN_RETRY_MS / 1000u);
        wait_then(b, P_JOIN, JOIN_RETRY_MS, now);
        return;
    }
    b->join_failures = 0;
    b->scan_d = SCAN_D_FIRST;
    b->empty_scans++;
    status(b, false, "join failed %u times (%s: a wrong route-B ID or password?); scanning again in %lu s",
           JOIN_ATTEMPTS, why, (unsigned long)(pause_ms(b->empty_scans) / 1000u));
    new_scan(b, now, pause_ms(b->empty_scans));
}

static void ip_text(const uint8_t ip[16], char out[40]);

static void session_up(struct broute *b)
{
    char addr[40];

    b->up = true;
    b->fails = 0;
    b->join_failures = 0;
    b->stats.sessions++;
    ip_text(b->meter.bytes, addr);
    b->phase = P_UP;
    status(b, true, "session up with the meter %s (PAN %s, channel %s)", addr, b->pan_id, b->channel);
}

/* ---- Parsing ------------------------------------------------------------------------ */

static bool all_hex(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (posix_hex_digit((unsigned char)s[i]) < 0)
            return false;
    return true;
}

/* A hex number of exactly n digits (n <= 8). */
static bool hex_field(const char *s, size_t n, unsigned long *v)
{
    size_t i;

    if (strlen(s) != n || !all_hex(s, n))
        return false;
    *v = 0;
    for (i = 0; i < n; i++)
        *v = *v << 4 | (unsigned long)posix_hex_digit((unsigned char)s[i]);
    return true;
}

/* An IPv6 address as the module writes it: 8 groups of 4 hex digits. */
static bool parse_ip(const char *s, uint8_t ip[16])
{
    unsigned i;
    unsigned long v;
    char group[5];

    if (strlen(s) != 39)
        return false;
    for (i = 0; i < 8; i++) {
        if (i < 7 && s[5 * i + 4] != ':')
            return false;
        memcpy(group, s + 5 * i, 4);
        group[4] = '\0';
        if (!hex_field(group, 4, &v))
            return false;
        ip[2 * i] = (uint8_t)(v >> 8);
        ip[2 * i + 1] = (uint8_t)v;
    }
    return true;
}

static void ip_text(const uint8_t ip[16], char out[40])
{
    unsigned i;

    for (i = 0; i < 8; i++)
        snprintf(out + 5 * i, 40 - 5 * i, "%02X%02X%s", ip[2 * i], ip[2 * i + 1], i < 7 ? ":" : "");
}

/* Splits a line at spaces into at most max words. Returns the count, or
 * -1 for more than max. */
static int split(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return n;
        if (n == max)
            return -1;
        words[n++] = p;
        while (*p != ' ' && *p != '\0')
            p++;
        if (*p == ' ')
            *p++ = '\0';
    }
}

/* An EPANDESC's indented "Key:value" line. */
static void pandesc_line(struct broute *b, const char *line)
{
    const char *colon = strchr(line, ':'), *v;
    size_t klen;
    unsigned long x;

    while (*line == ' ')
        line++;
    if (!colon || colon < line) {
        bad_line(b, "an EPANDESC line without ':'");
        return;
    }
    klen = (size_t)(colon - line);
    v = colon + 1;
    if (klen == 7 && memcmp(line, "Channel", 7) == 0 && hex_field(v, 2, &x) && x >= 0x21 && x <= 0x3C)
        memcpy(b->channel, v, 3);
    else if (klen == 6 && memcmp(line, "Pan ID", 6) == 0 && hex_field(v, 4, &x))
        memcpy(b->pan_id, v, 5);
    else if (klen == 4 && memcmp(line, "Addr", 4) == 0 && strlen(v) == 16 && all_hex(v, 16))
        memcpy(b->mac, v, 17);
    else if (klen == 6 && memcmp(line, "PairID", 6) == 0 && strlen(v) == 8 && all_hex(v, 8))
        memcpy(b->pair_id, v, 9);
    else if ((klen == 12 && memcmp(line, "Channel Page", 12) == 0) || (klen == 3 && memcmp(line, "LQI", 3) == 0))
        return;
    else
        bad_line(b, "an EPANDESC field not understood");
}

/* The end of an EPANDESC: a PAN the scan found, when it is complete and
 * its Pairing ID (when given) is the route-B ID's last 8 characters. */
static void pandesc_end(struct broute *b)
{
    b->in_pandesc = false;
    if (b->pan_found)
        return;
    if (b->channel[0] == '\0' || b->pan_id[0] == '\0' || b->mac[0] == '\0') {
        bad_line(b, "an incomplete EPANDESC");
        return;
    }
    if (b->pair_id[0] != '\0' && strcasecmp(b->pair_id, b->rbid + 24) != 0)
        return; /* another home's meter */
    b->pan_found = true;
}

static void on_erxudp(struct broute *b, char **w, int n, echonet_tstamp now)
{
    uint8_t ip[16], data[BROUTE_FRAME_MAX];
    unsigned long rport, lport, len;
    const char *hex;
    echonet_addr from;
    size_t i;

    (void)now;
    /* single-hop: ERXUDP SENDER DEST RPORT LPORT SENDERLLA SECURED DATALEN DATA;
     * dual-stack modules add LQI before SECURED and SIDE after it. */
    if ((n != 9 && n != 11) || !parse_ip(w[1], ip) || !hex_field(w[3], 4, &rport) || !hex_field(w[4], 4, &lport) ||
        !hex_field(w[n - 2], 4, &len)) {
        bad_line(b, "a malformed ERXUDP");
        return;
    }
    hex = w[n - 1];
    if (len == 0 || len > sizeof data || strlen(hex) != 2 * len || !all_hex(hex, 2 * len)) {
        bad_line(b, "an ERXUDP whose data is not DATALEN bytes in hex (truncated?)");
        return;
    }
    if (rport != 3610 || lport != 3610)
        return; /* PANA (716) and others: the module's business */
    if (!b->have_meter || memcmp(ip, b->meter.bytes, 16) != 0) {
        b->stats.dropped++;
        return; /* not the meter */
    }
    for (i = 0; i < len; i++)
        data[i] = (uint8_t)(posix_hex_digit((unsigned char)hex[2 * i]) << 4 |
                            posix_hex_digit((unsigned char)hex[2 * i + 1]));
    from = b->meter;
    b->stats.received++;
    if (b->host.datagram)
        b->host.datagram(b->host.user, &from, data, len);
}

static void on_event(struct broute *b, char **w, int n, echonet_tstamp now)
{
    unsigned long code;

    if (n < 2 || !hex_field(w[1], 2, &code)) {
        bad_line(b, "a malformed EVENT");
        return;
    }
    switch (code) {
    case 0x20: /* a beacon: its EPANDESC follows */
        break;
    case 0x22: /* the scan ended */
        if (b->phase == P_SCANNING)
            scan_ended(b, now, "found nothing");
        break;
    case 0x21: /* a UDP send: 00 sent, 01 failed, 02 neighbour solicitation done */
        if (n >= 4 && strcmp(w[3], "01") == 0)
            b->stats.send_failed++;
        break;
    case 0x24: /* PANA failed */
        if (b->phase == P_JOINING)
            join_failed(b, "EVENT 24", now);
        else if (b->phase == P_REAUTH)
            b->phase = P_JOIN;
        else if (b->phase == P_UP) {
            session_down(b, "authentication failed (EVENT 24)");
            b->phase = P_JOIN;
        }
        break;
    case 0x25: /* PANA up */
        if (b->phase == P_JOINING || b->phase == P_REAUTH)
            session_up(b);
        break;
    case 0x26: /* the meter asked to end the session */
    case 0x27: /* the session ended */
    case 0x28: /* ending the session timed out */
        if (b->phase == P_UP || b->phase == P_REAUTH) {
            session_down(b, code == 0x26 ? "the meter ended the session (EVENT 26)"
                                         : code == 0x27 ? "the session ended (EVENT 27)"
                                                        : "the session ended (EVENT 28)");
            b->phase = P_JOIN;
        }
        break;
    case 0x29: /* the session's lifetime expired: the module may renew it */
        if (b->phase == P_UP) {
            session_down(b, "session lifetime expired (EVENT 29); re-joining");
            b->phase = P_REAUTH;
            b->deadline = now + REAUTH_MS;
        }
        break;
    case 0x32:
        b->held = true;
        status(b, b->up, "sends held: transmission time limit (EVENT 32)");
        break;
    case 0x33:
        b->held = false;
        break;
    default:
        break;
    }
}

/* The answer OK (ok) or FAIL (code "ERnn") to the command in flight. */
static void on_answer(struct broute *b, bool ok, const char *value, echonet_tstamp now)
{
    enum command c = (enum command)b->inflight;

    b->inflight = C_NONE;
    switch (c) {
    case C_NONE:
        bad_line(b, ok ? "an OK for no command" : "a FAIL for no command");
        return;
    case C_ROPT:
        /* "OK 00": ERXUDP in binary; FAIL ER04 (no ROPT): hex already. */
        b->wopt_needed = ok && value && strcmp(value, "00") == 0;
        b->step++;
        return;
    case C_SEND:
        if (ok)
            b->stats.sent++;
        else
            b->stats.send_failed++;
        return;
    case C_SCAN:
        if (!ok) {
            scan_ended(b, now, "was refused");
            return;
        }
        b->phase = P_SCANNING;
        /* 9.6 ms x (2^D + 1) per channel, and a margin. */
        b->deadline = now + SCAN_CHANNELS * 96u * ((1u << b->scan_d) + 1u) / 10u + SCAN_MARGIN_MS;
        return;
    case C_JOIN:
        if (!ok) {
            join_failed(b, value ? value : "FAIL", now);
            return;
        }
        b->phase = P_JOINING;
        b->deadline = now + JOIN_TIMEOUT_MS;
        return;
    case C_LL64:
        bad_line(b, "SKLL64 answered without an address");
        new_scan(b, now, pause_ms(++b->empty_scans));
        return;
    default:
        break;
    }
    if (!ok) {
        b->fails++;
        status(b, false, "the module refused %s (%s); starting again in %lu s", command_names[c],
               value ? value : "FAIL", (unsigned long)(pause_ms(b->fails) / 1000u));
        wait_then(b, P_DRAIN, pause_ms(b->fails), now);
        return;
    }
    b->step++; /* the next command of the start-up or join sequence */
}

static void on_line(struct broute *b, char *line, echonet_tstamp now)
{
    char *w[12];
    int n;
    uint8_t ip[16];

    if (line[0] == '\0')
        return; /* the CR of a CRLF, and ROPT's CR-only answers, make empty lines */
    b->stats.lines++;
    if (b->in_pandesc && line[0] == ' ') {
        pandesc_line(b, line);
        return;
    }
    if (b->in_pandesc)
        pandesc_end(b);
    if (b->inflight == C_LL64 && parse_ip(line, ip)) {
        b->inflight = C_NONE;
        b->have_meter = echonet_addr_set(&b->meter, ip, 16) == ECHONET_OK;
        b->phase = P_JOIN;
        return;
    }
    n = split(line, w, (int)(sizeof w / sizeof w[0]));
    if (n == 0) {
        bad_line(b, "spaces alone");
        return;
    }
    if (n < 0) {
        bad_line(b, "too many words");
        return;
    }
    if (strcmp(w[0], "OK") == 0) {
        on_answer(b, true, n > 1 ? w[1] : NULL, now);
    } else if (strcmp(w[0], "FAIL") == 0) {
        on_answer(b, false, n > 1 ? w[1] : NULL, now);
    } else if (strcmp(w[0], "EVENT") == 0) {
        on_event(b, w, n, now);
    } else if (strcmp(w[0], "ERXUDP") == 0) {
        on_erxudp(b, w, n, now);
    } else if (strcmp(w[0], "EPANDESC") == 0) {
        b->in_pandesc = true;
        if (!b->pan_found)
            b->channel[0] = b->pan_id[0] = b->mac[0] = b->pair_id[0] = '\0';
    } else if (strcmp(w[0], "EVER") == 0 && n == 2) {
        snprintf(b->version, sizeof b->version, "%s", w[1]);
    } else if (strncmp(w[0], "SK", 2) == 0 || strcmp(w[0], "ROPT") == 0 || strcmp(w[0], "WOPT") == 0 ||
               w[0][0] == 'E') {
        /* The echo of a command (before SKSREG SFE 0), and the module's other
         * answers (EINFO, EPORT, EADDR, ENEIGHBOR, EEDSCAN...). */
    } else {
        bad_line(b, "not understood");
    }
}

/* lines_fn: one line from the module. */
struct line_ctx {
    struct broute *b;
    echonet_tstamp now;
};

static bool take_line(void *user, char *text, bool too_long)
{
    struct line_ctx *c = user;

    if (too_long)
        bad_line(c->b, "too long");
    else if (c->b->phase != P_DRAIN)
        on_line(c->b, text, c->now);
    return true;
}

void broute_input(struct broute *b, const char *bytes, size_t n, echonet_tstamp now)
{
    struct line_ctx c = {b, now};
    char chunk[256];
    size_t i, k;

    /* CR ends a line too (ROPT and WOPT answer with CR alone); the empty
     * lines a CRLF makes are skipped. */
    for (i = 0; i < n; i += k) {
        for (k = 0; k < sizeof chunk && i + k < n; k++)
            chunk[k] = bytes[i + k] == '\r' ? '\n' : bytes[i + k];
        (void)lines_feed(&b->lines, chunk, k, take_line, &c);
    }
    broute_tick(b, now);
}

/* ---- Sending ------------------------------------------------------------------------ */

static void send_next(struct broute *b, echonet_tstamp now)
{
    char head[80], ip[40];

    while (b->q_n > 0) {
        unsigned i = b->q_first;

        b->q_first = (b->q_first + 1) % BROUTE_QUEUE;
        b->q_n--;
        if (now - b->queue[i].at > FRAME_MAX_AGE_MS) {
            b->stats.dropped++;
            continue;
        }
        ip_text(b->meter.bytes, ip);
        snprintf(head, sizeof head, "SKSENDTO 1 %s 0E1A 1 %04X ", ip, (unsigned)b->queue[i].len);
        if (strlen(head) + b->queue[i].len > sizeof b->out - b->out_len) {
            b->stats.dropped++;
            continue;
        }
        /* The data as bytes, no CRLF: the module reads DATALEN of them. */
        out_bytes(b, head, strlen(head));
        out_bytes(b, b->queue[i].data, b->queue[i].len);
        b->inflight = C_SEND;
        b->cmd_deadline = now + CMD_TIMEOUT_MS;
        return;
    }
}

int broute_send(struct broute *b, const uint8_t *buf, size_t len, echonet_tstamp now)
{
    unsigned i;

    if (len == 0 || len > BROUTE_FRAME_MAX || b->q_n == BROUTE_QUEUE) {
        b->stats.dropped++;
        return -1;
    }
    i = (b->q_first + b->q_n++) % BROUTE_QUEUE;
    memcpy(b->queue[i].data, buf, len);
    b->queue[i].len = len;
    b->queue[i].at = now;
    broute_tick(b, now);
    return 0;
}

/* ---- The machine ------------------------------------------------------------------- */

/* The command of the start-up sequence at b->step; false after the last. */
static bool setup_command(struct broute *b, echonet_tstamp now)
{
    char line[80];

    switch (b->step) {
    case 0:
        command(b, C_RESET, "SKRESET", "\r\n", now);
        return true;
    case 1:
        command(b, C_SFE, "SKSREG SFE 0", "\r\n", now);
        return true;
    case 2:
        command(b, C_VER, "SKVER", "\r\n", now);
        return true;
    case 3:
        command(b, C_ROPT, "ROPT", "\r", now);
        return true;
    case 4:
        if (!b->wopt_needed) {
            b->step++;
            return setup_command(b, now);
        }
        command(b, C_WOPT, "WOPT 01", "\r", now);
        return true;
    case 5:
        snprintf(line, sizeof line, "SKSETPWD %X %s", (unsigned)strlen(b->pwd), b->pwd);
        command(b, C_PWD, line, "\r\n", now);
        memset(line, 0, sizeof line);
        return true;
    case 6:
        snprintf(line, sizeof line, "SKSETRBID %s", b->rbid);
        command(b, C_RBID, line, "\r\n", now);
        memset(line, 0, sizeof line);
        return true;
    default:
        return false;
    }
}

static bool config_command(struct broute *b, echonet_tstamp now)
{
    char line[64];

    switch (b->step) {
    case 0:
        snprintf(line, sizeof line, "SKSREG S2 %s", b->channel);
        command(b, C_S2, line, "\r\n", now);
        return true;
    case 1:
        snprintf(line, sizeof line, "SKSREG S3 %s", b->pan_id);
        command(b, C_S3, line, "\r\n", now);
        return true;
    case 2:
        snprintf(line, sizeof line, "SKLL64 %s", b->mac);
        command(b, C_LL64, line, "\r\n", now);
        return true;
    default:
        return false;
    }
}

void broute_tick(struct broute *b, echonet_tstamp now)
{
    char line[64], ip[40];

    if (b->inflight != C_NONE) {
        if (now >= b->cmd_deadline) {
            char why[80];

            snprintf(why, sizeof why, "the module did not answer %s", command_names[b->inflight]);
            restart(b, why, now);
        } else {
            return;
        }
    }
    switch (b->phase) {
    case P_DRAIN:
        if (b->deadline == NEVER) { /* the start: CRLF, then the stale bytes dropped */
            out_bytes(b, "\r\n", 2);
            b->deadline = now + DRAIN_MS;
            return;
        }
        if (now < b->deadline)
            return;
        b->phase = P_SETUP;
        b->step = 0;
        b->up = false;
        b->have_meter = false;
        b->scan_d = SCAN_D_FIRST;
        b->empty_scans = 0;
        /* fall through */
    case P_SETUP:
        if (setup_command(b, now))
            return;
        status(b, false, "module ready (firmware %s); scanning", b->version[0] ? b->version : "?");
        b->phase = P_SCAN;
        /* fall through */
    case P_SCAN:
        b->pan_found = false;
        b->stats.scans++;
        snprintf(line, sizeof line, "SKSCAN 2 FFFFFFFF %u", b->scan_d);
        command(b, C_SCAN, line, "\r\n", now);
        return;
    case P_SCANNING:
        if (now >= b->deadline)
            scan_ended(b, now, "did not end in time");
        return;
    case P_CONFIG:
        if (!config_command(b, now))
            b->phase = P_JOIN; /* (SKLL64's answer moves on) */
        return;
    case P_JOIN:
        if (!b->have_meter) {
            new_scan(b, now, 0);
            return;
        }
        b->stats.joins++;
        ip_text(b->meter.bytes, ip);
        snprintf(line, sizeof line, "SKJOIN %s", ip);
        command(b, C_JOIN, line, "\r\n", now);
        return;
    case P_JOINING:
        if (now >= b->deadline)
            join_failed(b, "no EVENT 25 in time", now);
        return;
    case P_REAUTH:
        if (now >= b->deadline)
            b->phase = P_JOIN;
        else
            return;
        broute_tick(b, now);
        return;
    case P_WAIT:
        if (now < b->deadline)
            return;
        b->phase = b->after_wait;
        if (b->phase == P_DRAIN)
            b->deadline = NEVER;
        broute_tick(b, now);
        return;
    case P_UP:
        if (!b->held)
            send_next(b, now);
        return;
    default:
        return;
    }
}

echonet_tstamp broute_expiry(const struct broute *b)
{
    if (b->inflight != C_NONE)
        return b->cmd_deadline;
    switch (b->phase) {
    case P_DRAIN:
        return b->deadline == NEVER ? 0 : b->deadline;
    case P_SCANNING:
    case P_JOINING:
    case P_REAUTH:
    case P_WAIT:
        return b->deadline;
    case P_UP:
        return b->q_n > 0 && !b->held ? 0 : NEVER;
    default:
        return 0; /* a command to send */
    }
}

bool broute_addr(const echonet_addr *addr)
{
    return addr->len == 16 && addr->bytes[0] == 0xFE && (addr->bytes[1] & 0xC0) == 0x80;
}

int broute_init(struct broute *b, const char *rbid, const char *pwd, const struct broute_host *host,
                echonet_tstamp now)
{
    size_t n = strlen(pwd), i;

    (void)now;
    memset(b, 0, sizeof *b);
    b->fd = -1;
    if (strlen(rbid) != 32 || n < 1 || n > 32)
        return -1;
    for (i = 0; i < n; i++)
        if (pwd[i] <= ' ' || pwd[i] > '~')
            return -1;
    if (!all_hex(rbid, 32))
        return -1;
    memcpy(b->rbid, rbid, 33);
    memcpy(b->pwd, pwd, n + 1);
    if (host)
        b->host = *host;
    lines_init(&b->lines, BROUTE_LINE_CAP);
    b->phase = P_DRAIN;
    b->deadline = NEVER;
    b->scan_d = SCAN_D_FIRST;
    return 0;
}

/* ---- The auth file ------------------------------------------------------------------ */

int broute_read_auth(const char *path, char rbid[33], char pwd[33], char *why, size_t why_len)
{
    char buf[512], *line, *save = NULL;
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW), found = 0;

    if (fd < 0) {
        snprintf(why, why_len, "--broute-auth %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        snprintf(why, why_len,
                 "--broute-auth %s: refused: it holds the route-B password, so it must be a regular file of "
                 "this user that no one else may read (chmod 600)",
                 path);
        (void)close(fd);
        return -1;
    }
    do
        n = read(fd, buf, sizeof buf - 1);
    while (n < 0 && errno == EINTR);
    (void)close(fd);
    if (n < 0 || (size_t)n >= sizeof buf - 1) {
        snprintf(why, why_len, "--broute-auth %s: %s", path, n < 0 ? strerror(errno) : "too long");
        memset(buf, 0, sizeof buf);
        return -1;
    }
    buf[n] = '\0';
    for (line = strtok_r(buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
        size_t len;

        while (*line == ' ' || *line == '\t')
            line++;
        len = strlen(line);
        while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (found == 0 && len == 32 && all_hex(line, 32))
            memcpy(rbid, line, 33);
        else if (found == 1 && len >= 1 && len <= 32)
            memcpy(pwd, line, len + 1);
        else
            found = 3;
        found++;
    }
    memset(buf, 0, sizeof buf);
    if (found != 2) {
        snprintf(why, why_len,
                 "--broute-auth %s: want the route-B ID (32 hex digits) on the first line and the password "
                 "(1 to 32 characters) on the second, nothing else but # comments",
                 path);
        memset(rbid, 0, 33);
        memset(pwd, 0, 33);
        return -1;
    }
    return 0;
}

/* ---- The serial port ------------------------------------------------------------------ */

static speed_t baud_constant(long baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    default: return B0;
    }
}

/* Opens b->device raw, 8N1 at b->baud. Returns the descriptor, or -1 with
 * why. */
static int open_port(const struct broute *b, char *why, size_t why_len)
{
    struct termios t;
    speed_t speed = baud_constant(b->baud);
    int fd = open(b->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0) {
        snprintf(why, why_len, "--broute %s: %s", b->device, strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &t) != 0) {
        snprintf(why, why_len, "--broute %s: not a serial port: %s", b->device, strerror(errno));
        (void)close(fd);
        return -1;
    }
    /* Raw 8N1 at the speed asked, no flow control, nothing translated. */
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CSIZE);
#ifdef CRTSCTS
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
#endif
    t.c_cflag |= CS8 | CLOCAL | CREAD;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    (void)cfsetispeed(&t, speed);
    (void)cfsetospeed(&t, speed);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        snprintf(why, why_len, "--broute %s: %s", b->device, strerror(errno));
        (void)close(fd);
        return -1;
    }
    (void)tcflush(fd, TCIOFLUSH);
    return fd;
}

int broute_open(struct broute *b, const struct broute_config *cfg, const struct broute_host *host, char *why,
                size_t why_len)
{
    char rbid[33], pwd[33];
    long baud = cfg->baud > 0 ? cfg->baud : BROUTE_DEFAULT_BAUD;
    int rc;

    if (baud_constant(baud) == B0) {
        snprintf(why, why_len, "--broute-baud %ld: not one of 9600, 19200, 38400, 57600, 115200, 230400", baud);
        return -1;
    }
    if (strlen(cfg->device) >= sizeof b->device) {
        snprintf(why, why_len, "--broute: the device's path is too long");
        return -1;
    }
    if (broute_read_auth(cfg->auth_path, rbid, pwd, why, why_len) != 0)
        return -1;
    rc = broute_init(b, rbid, pwd, host, posix_now_ms());
    memset(rbid, 0, sizeof rbid);
    memset(pwd, 0, sizeof pwd);
    if (rc != 0) {
        snprintf(why, why_len, "--broute-auth %s: a password of printable characters without spaces",
                 cfg->auth_path);
        broute_close(b);
        return -1;
    }
    snprintf(b->device, sizeof b->device, "%s", cfg->device);
    b->baud = baud;
    b->fd = open_port(b, why, why_len);
    if (b->fd < 0) {
        broute_close(b);
        return -1;
    }
    return 0;
}

void broute_close(struct broute *b)
{
    if (b->fd >= 0)
        (void)close(b->fd);
    b->fd = -1;
    memset(b->rbid, 0, sizeof b->rbid);
    memset(b->pwd, 0, sizeof b->pwd);
    memset(b->out, 0, sizeof b->out);
    b->out_len = 0;
}

static int serial_fds(void *self, struct pollfd *out, int cap)
{
    const struct broute *b = self;

    if (b->fd < 0 || cap < 1)
        return 0;
    out[0].fd = b->fd;
    out[0].events = (short)(POLLIN | (b->out_len > 0 ? POLLOUT : 0));
    return 1;
}

static int serial_timeout(void *self)
{
    const struct broute *b = self;
    echonet_tstamp now = posix_now_ms();

    if (b->fd < 0)
        return evloop_ms_until(b->reopen_at, now);
    return evloop_ms_until(broute_expiry(b), now);
}

/* The port failed: closed, opened again in 2 s (serial_reopen()). */
static void serial_failed(struct broute *b, const char *what, echonet_tstamp now)
{
    (void)close(b->fd);
    b->fd = -1;
    b->out_len = 0;
    b->reopen_at = now + 2000u;
    session_down(b, "the serial port failed");
    status(b, false, "serial port %s: %s; opening it again every 2 s", b->device, what);
}

/* Opens the port again; once it is back, everything starts again. */
static void serial_reopen(struct broute *b, echonet_tstamp now)
{
    char why[300];

    if (now < b->reopen_at)
        return;
    b->fd = open_port(b, why, sizeof why);
    if (b->fd < 0) {
        b->reopen_at = now + 2000u;
        return;
    }
    b->stats.reopened++;
    b->inflight = C_NONE;
    b->phase = P_DRAIN;
    b->deadline = NEVER;
    b->lines.len = 0;
    status(b, false, "serial port %s open again; starting again", b->device);
}

/* Writes what the module must get; keeps the rest for POLLOUT. */
static void serial_write(struct broute *b)
{
    while (b->fd >= 0 && b->out_len > 0) {
        ssize_t n = write(b->fd, b->out, b->out_len);

        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                serial_failed(b, strerror(errno), posix_now_ms());
            return;
        }
        memmove(b->out, b->out + n, b->out_len - (size_t)n);
        b->out_len -= (size_t)n;
    }
}

static void serial_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct broute *b = self;
    char buf[512];
    int i;

    if (b->fd < 0) {
        serial_reopen(b, posix_now_ms());
        return;
    }
    if (n >= 1 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
        for (i = 0; i < 16; i++) {
            ssize_t got = read(b->fd, buf, sizeof buf);

            if (got > 0) {
                broute_input(b, buf, (size_t)got, posix_now_ms());
                continue;
            }
            if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                break;
            /* The end or an error: a USB module pulled out, the pty's
             * other side gone. */
            serial_failed(b, got == 0 ? "end of input" : strerror(errno), posix_now_ms());
            return;
        }
    }
    broute_tick(b, posix_now_ms());
    serial_write(b);
}

struct evloop_source broute_source(struct broute *b)
{
    struct evloop_source s = {b, serial_fds, serial_timeout, serial_dispatch};

    return s;
}
