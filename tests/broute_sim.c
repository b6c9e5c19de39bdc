/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * broute-sim: a simulated Wi-SUN B-route module (SKSTACK-IP, as
 * WHOLE_HOUSE_REFERENCE.md section 4 describes a BP35A1) on a
 * pseudo-terminal, with a low-voltage smart electric energy meter (class
 * 0x0288) behind it, built on the library's device side with the generated
 * table echonet_class_0288. For tests/test_broute.py; see doc/broute.md.
 *
 *   broute-sim --auth FILE [--empty-scans N] [--silent-scans N]
 *              [--join-failures N] [--expire S] [--reauth] [--garbage]
 *              [--link PATH] [--hangup S]
 *
 * Prints "PTY /dev/pts/N" on standard output once the terminal is ready,
 * then one JSON object per line for what happens on it ({"cmd": "SKSCAN"},
 * {"event": "29"}, {"in": HEX} for a frame given to the meter, {"out": HEX}
 * for one sent back in an ERXUDP...). Ends on SIGTERM or SIGINT.
 *
 * The module: echo on until SKSREG SFE 0 (and again after SKRESET); ROPT
 * says 00 (ERXUDP in binary) until WOPT 01; SKSETPWD, SKSETRBID checked
 * (FAIL ER06 for a wrong length, ER05 for a wrong argument count); SKSCAN
 * answers OK, then EVENT 20, an EPANDESC (with the PairID of --auth's ID)
 * and EVENT 22 after 50 ms x D, except for the first N scans of
 * --empty-scans (EVENT 22 alone) and --silent-scans (nothing after OK);
 * SKLL64 the address; SKJOIN OK, then EVENT 24 for the first N of
 * --join-failures and for a wrong ID or password, else EVENT 25, after
 * which the meter announces its instance list. --expire S: the first
 * session's lifetime ends S seconds after it began (EVENT 29; --reauth: the
 * module renews it by itself 1 s later with EVENT 25, else the controller
 * must SKJOIN). --garbage: once the first session is up, malformed and
 * truncated lines, a 5000-byte line, stray bytes and 300 lines of noise.
 * --link PATH: a symbolic link to the terminal (printed instead of its
 * name); --hangup S: S seconds into the first session the terminal goes
 * away and a new one comes at PATH, as a USB module pulled out and put back.
 * SKSENDTO reads exactly
 * DATALEN bytes, answers EVENT 21 (00, or 01 without a session) and OK, and
 * gives the frame to the meter; its answers come back as ERXUDP lines.
 */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 600

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <echonet/classes.h>
#include <echonet/echonet.h>

#define SELF_IP "FE80:0000:0000:0000:021D:1290:1234:5678"
#define METER_MAC "12345678ABCDEF01"
#define METER_IP "FE80:0000:0000:0000:1034:5678:ABCD:EF01"
#define CHANNEL "21"
#define PAN_ID "8888"
#define NEVER UINT64_MAX

static const uint8_t self_ip[16] = {0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x1D, 0x12, 0x90, 0x12, 0x34, 0x56, 0x78};

/* ---- The meter -------------------------------------------------------------------- */

struct meter {
    uint8_t len[128];
    uint8_t value[128][200];
};

static struct meter meter;
static echonet_object meter_object;
static echonet_object *slots[1];
static echonet_node_request queue[4];
static echonet_node node;

static void meter_value(uint8_t epc, const uint8_t *v, size_t n)
{
    meter.len[epc - 0x80] = (uint8_t)n;
    memcpy(meter.value[epc - 0x80], v, n);
}

static int meter_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    struct meter *m = ctx;

    if (m->len[epc - 0x80] == 0 || cap < m->len[epc - 0x80])
        return ECHONET_ERR_NOT_FOUND;
    memcpy(edt, m->value[epc - 0x80], m->len[epc - 0x80]);
    return m->len[epc - 0x80];
}

static int meter_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                     echonet_tstamp now)
{
    struct meter *m = ctx;

    (void)source;
    (void)now;
    if (pdc > sizeof m->value[0])
        return ECHONET_ERR_VALUE_SIZE;
    m->len[epc - 0x80] = (uint8_t)pdc;
    memcpy(m->value[epc - 0x80], edt, pdc);
    return 1;
}

static const echonet_object_ops meter_ops = {meter_get, meter_set, NULL, NULL};

/* Plausible values: 1234 W now, 12345.6 kWh at 2026-12-07 12:30:00. */
static int meter_start(void)
{
    static const uint8_t keep[] = {0xD3};
    static const echonet_node_config cfg = {{0x00, 0x00, 0x16}, {0x02, 0x88, 0x01}, 0};
    uint8_t e2[194];
    echonet_propmap omit;
    size_t i;

    meter_value(0x80, (const uint8_t[]){0x30}, 1);
    meter_value(0x81, (const uint8_t[]){0x00}, 1);
    meter_value(0x82, (const uint8_t[]){0x00, 0x00, 'F', 0x00}, 4);
    meter_value(0x88, (const uint8_t[]){0x42}, 1);
    meter_value(0x8A, (const uint8_t[]){0x00, 0x00, 0x16}, 3);
    meter_value(0xD3, (const uint8_t[]){0x00, 0x00, 0x00, 0x01}, 4);             /* coefficient 1 */
    meter_value(0xD7, (const uint8_t[]){0x06}, 1);                               /* 6 digits */
    meter_value(0xE0, (const uint8_t[]){0x00, 0x01, 0xE2, 0x48}, 4);             /* 12345.6 kWh */
    meter_value(0xE1, (const uint8_t[]){0x01}, 1);                               /* 0.1 kWh */
    meter_value(0xE5, (const uint8_t[]){0x00}, 1);
    meter_value(0xE7, (const uint8_t[]){0x00, 0x00, 0x04, 0xD2}, 4);             /* 1234 W */
    meter_value(0xE8, (const uint8_t[]){0x00, 0x64, 0x7F, 0xFE}, 4);             /* 10.0 A, no T phase */
    meter_value(0xEA, (const uint8_t[]){0x07, 0xEA, 12, 7, 12, 30, 0, 0x00, 0x01, 0xE2, 0x40}, 11);
    memset(e2, 0xFF, sizeof e2);
    e2[0] = 0;
    e2[1] = 0;
    for (i = 0; i < 48; i++)
        e2[5 + 4 * i] = 0xFE; /* no data yet */
    meter_value(0xE2, e2, sizeof e2);
    if (echonet_class_omit(&omit, &echonet_class_0288, keep, sizeof keep) != ECHONET_OK ||
        echonet_object_init_class(&meter_object, ECHONET_EOJ(0x02, 0x88, 0x01), &echonet_class_0288, NULL, 0,
                                  &omit, &meter_ops, &meter) != ECHONET_OK ||
        echonet_node_init(&node, &cfg, slots, 1, queue, 4) != ECHONET_OK ||
        echonet_node_add(&node, &meter_object) != ECHONET_OK)
        return -1;
    return 0;
}

/* ---- The module ------------------------------------------------------------------- */

static struct {
    int master;
    bool echo;
    bool wopt_hex;
    bool session;
    bool joined_once;
    char rbid[33], pwd[33];
    char want_rbid[33], want_pwd[33];
    int empty_scans, silent_scans, join_failures;
    long expire_s, hangup_s;
    bool reauth, garbage;
    const char *link;
    int slave;
    uint64_t hangup_at;
    unsigned scan_d;
    uint64_t scan_at, join_at, expire_at, reauth_at, garbage_at;
    unsigned long noise; /* the state of the noise's generator */
    bool join_ok;
    uint8_t in[8192];
    size_t in_len;
} m;

static volatile sig_atomic_t stopping;

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void log_json(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void put(const void *bytes, size_t n)
{
    const uint8_t *p = bytes;

    while (n > 0) {
        ssize_t w = write(m.master, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            struct pollfd pfd = {m.master, POLLOUT, 0};

            if (errno != EAGAIN || poll(&pfd, 1, 1000) <= 0)
                return; /* nobody reads: dropped */
            continue;
        }
        p += w;
        n -= (size_t)w;
    }
}

static void say(const char *fmt, ...)
{
    char line[6000];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n > sizeof line - 3)
        n = (int)sizeof line - 3;
    line[n++] = '\r';
    line[n++] = '\n';
    put(line, (size_t)n);
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", b[i]);
    out[2 * n] = '\0';
}

/* Everything the meter has to send, as ERXUDP lines (or dropped without a
 * session). */
static void meter_flush(void)
{
    uint8_t buf[600];
    char text[1300];
    echonet_addr dst;
    bool multicast;
    int32_t n;

    while ((n = echonet_node_write(&node, &dst, &multicast, buf, sizeof buf, now_ms())) > 0) {
        hex(buf, (size_t)n, text);
        if (!m.session) {
            log_json("{\"dropped_out\": \"%s\"}", text);
            continue;
        }
        log_json("{\"out\": \"%s\"}", text);
        if (m.wopt_hex) {
            say("ERXUDP %s %s 0E1A 0E1A %s 1 %04X %s", METER_IP, multicast ? "FF02:0000:0000:0000:0000:0000:0000:0001" : SELF_IP,
                METER_MAC, (unsigned)n, text);
        } else {
            char head[200];
            int k = snprintf(head, sizeof head, "ERXUDP %s %s 0E1A 0E1A %s 1 %04X ", METER_IP, SELF_IP, METER_MAC,
                             (unsigned)n);

            put(head, (size_t)k);
            put(buf, (size_t)n);
            put("\r\n", 2);
        }
    }
}

static void session_up(void)
{
    m.session = true;
    say("EVENT 25 %s", METER_IP);
    log_json("{\"event\": \"25\"}");
    if (!m.joined_once) {
        m.joined_once = true;
        if (m.expire_s > 0)
            m.expire_at = now_ms() + (uint64_t)m.expire_s * 1000u;
        if (m.garbage)
            m.garbage_at = now_ms() + 300;
        if (m.hangup_s > 0)
            m.hangup_at = now_ms() + (uint64_t)m.hangup_s * 1000u;
    }
    /* The meter announces its instance list on a new connection. */
    {
        static const uint8_t list[4] = {0x01, 0x02, 0x88, 0x01};
        uint8_t buf[64];
        size_t len = 0;
        echonet_writer w;
        echonet_addr ctl;

        (void)echonet_addr_set(&ctl, self_ip, 16);
        echonet_writer_init(&w, buf, sizeof buf);
        echonet_writer_header(&w, 0x7777, ECHONET_EOJ(0x0E, 0xF0, 0x01), ECHONET_EOJ(0x0E, 0xF0, 0x01), ECHONET_ESV_INF);
        echonet_writer_prop(&w, 0xD5, 4, list);
        if (echonet_writer_finish(&w, &len) == ECHONET_OK) {
            char text[200];

            hex(buf, len, text);
            log_json("{\"out\": \"%s\"}", text);
            say("ERXUDP %s FF02:0000:0000:0000:0000:0000:0000:0001 0E1A 0E1A %s 1 %04X %s", METER_IP, METER_MAC,
                (unsigned)len, text);
        }
    }
}

static void garbage(void)
{
    static const char *const lines[] = {
        "ERXUDP FE80:0000",                                                   /* truncated */
        "ERXUDP " METER_IP " " SELF_IP " 0E1A 0E1A " METER_MAC " 1 0012 1081", /* data shorter than DATALEN */
        "ERXUDP " METER_IP " " SELF_IP " 0E1A 0E1A " METER_MAC " 1 0002 ZZZZ", /* not hex */
        "ERXUDP FE80:0000:0000:0000:1034:5678:ABCD:EFXX " SELF_IP " 0E1A 0E1A " METER_MAC " 1 0001 00",
        "ERXUDP " METER_IP " " SELF_IP " 0E1A 0E1A " METER_MAC " 1 FFFF 00",
        "EVENT", "EVENT ZZ", "EVENT 2", "OK", "FAIL ER10", "EPANDESC", "  Channel:ZZ", "  Nonsense", "hello world",
        "::::", "",
    };
    char big[5001];
    size_t i;

    for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
        say("%s", lines[i]);
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    say("%s", big);
    put("\x01\x02\xff\xfe\r\n", 6);
    /* 300 lines of noise: bytes of any value, some after a real line's
     * start, cut anywhere (a fixed generator: the same every run). */
    for (i = 0; i < 300; i++) {
        static const char *const starts[] = {"ERXUDP ", "EVENT ", "EPANDESC", "  Addr:", "OK ", "FAIL ", ""};
        char noise[200];
        size_t k, len;

        m.noise = m.noise * 1103515245u + 12345u;
        len = (m.noise >> 8) % sizeof noise;
        k = (size_t)snprintf(noise, sizeof noise, "%s", starts[(m.noise >> 20) % 7]);
        if (k > len)
            k = len;
        for (; k < len; k++) {
            m.noise = m.noise * 1103515245u + 12345u;
            noise[k] = (char)(m.noise >> 16);
            if (noise[k] == '\n' || noise[k] == '\r')
                noise[k] = ' ';
        }
        put(noise, len);
        put("\r\n", 2);
    }
    log_json("{\"garbage\": %u}", (unsigned)(sizeof lines / sizeof lines[0] + 302));
}

static int words(char *line, char **w, int max)
{
    int n = 0;
    char *save = NULL, *t;

    for (t = strtok_r(line, " ", &save); t && n < max; t = strtok_r(NULL, " ", &save))
        w[n++] = t;
    return n;
}

static void command_line(char *line)
{
    char copy[512], *w[12];
    int n;

    if (m.echo)
        say("%s", line);
    snprintf(copy, sizeof copy, "%s", line);
    n = words(copy, w, 12);
    if (n == 0)
        return;
    if (strcmp(w[0], "SKSETPWD") != 0 && strcmp(w[0], "SKSETRBID") != 0)
        log_json("{\"cmd\": \"%s\"}", w[0]);
    else
        log_json("{\"cmd\": \"%s\", \"secret\": true}", w[0]);
    if (strcmp(w[0], "SKRESET") == 0) {
        m.echo = true;
        m.session = false;
        m.scan_at = m.join_at = m.reauth_at = NEVER;
        say("OK");
    } else if (strcmp(w[0], "SKSREG") == 0) {
        if (n != 3) {
            say("FAIL ER05");
            return;
        }
        if (strcmp(w[1], "SFE") == 0)
            m.echo = strcmp(w[2], "0") != 0;
        else if (strcmp(w[1], "S2") == 0)
            log_json("{\"channel\": \"%s\"}", w[2]);
        else if (strcmp(w[1], "S3") == 0)
            log_json("{\"pan\": \"%s\"}", w[2]);
        say("OK");
    } else if (strcmp(w[0], "SKVER") == 0) {
        say("EVER 1.2.10");
        say("OK");
    } else if (strcmp(w[0], "ROPT") == 0) {
        put(m.wopt_hex ? "OK 01\r" : "OK 00\r", 6);
    } else if (strcmp(w[0], "WOPT") == 0) {
        if (n != 2) {
            put("FAIL ER05\r", 10);
            return;
        }
        m.wopt_hex = strcmp(w[1], "01") == 0;
        put("OK\r", 3);
    } else if (strcmp(w[0], "SKSETPWD") == 0) {
        if (n != 3) {
            say("FAIL ER05");
            return;
        }
        if (strtoul(w[1], NULL, 16) != strlen(w[2]) || strlen(w[2]) > 32) {
            say("FAIL ER06");
            return;
        }
        snprintf(m.pwd, sizeof m.pwd, "%s", w[2]);
        say("OK");
    } else if (strcmp(w[0], "SKSETRBID") == 0) {
        if (n != 2) {
            say("FAIL ER05");
            return;
        }
        if (strlen(w[1]) != 32) {
            say("FAIL ER06");
            return;
        }
        snprintf(m.rbid, sizeof m.rbid, "%s", w[1]);
        say("OK");
    } else if (strcmp(w[0], "SKSCAN") == 0) {
        if (n != 4) {
            say("FAIL ER05");
            return;
        }
        m.scan_d = (unsigned)strtoul(w[3], NULL, 16);
        log_json("{\"scan\": %u}", m.scan_d);
        say("OK");
        if (m.silent_scans > 0) {
            m.silent_scans--;
            log_json("{\"scan_result\": \"silent\"}");
            return;
        }
        m.scan_at = now_ms() + 50u * m.scan_d;
    } else if (strcmp(w[0], "SKLL64") == 0) {
        if (n != 2) {
            say("FAIL ER05");
            return;
        }
        say("%s", strcmp(w[1], METER_MAC) == 0 ? METER_IP : "FE80:0000:0000:0000:0000:0000:0000:0001");
    } else if (strcmp(w[0], "SKJOIN") == 0) {
        if (n != 2) {
            say("FAIL ER05");
            return;
        }
        say("OK");
        m.session = false;
        if (m.join_failures > 0) {
            m.join_failures--;
            m.join_ok = false;
        } else {
            m.join_ok = strcmp(w[1], METER_IP) == 0 && strcmp(m.rbid, m.want_rbid) == 0 &&
                        strcmp(m.pwd, m.want_pwd) == 0;
        }
        m.join_at = now_ms() + 200;
    } else {
        say("FAIL ER04");
    }
}

/* SKSENDTO HANDLE IP PORT SEC LEN, then LEN bytes. */
static void sk_sendto(char *head, const uint8_t *data, size_t len)
{
    char *w[8], text[2600];
    echonet_addr ctl;
    int n = words(head, w, 8);

    if (n != 6) {
        say("FAIL ER05");
        return;
    }
    hex(data, len, text);
    if (!m.session) {
        log_json("{\"cmd\": \"SKSENDTO\", \"no_session\": \"%s\"}", text);
        say("EVENT 21 %s 01", w[2]);
        say("OK");
        return;
    }
    log_json("{\"cmd\": \"SKSENDTO\", \"in\": \"%s\"}", text);
    say("EVENT 21 %s 00", w[2]);
    say("OK");
    (void)echonet_addr_set(&ctl, self_ip, 16);
    if (strcmp(w[2], METER_IP) == 0 && strcmp(w[3], "0E1A") == 0)
        (void)echonet_node_read(&node, &ctl, data, len);
    meter_flush();
}

/* Takes what the controller wrote: command lines, and SKSENDTO's bytes. */
static void take_input(void)
{
    for (;;) {
        size_t i;

        if (m.in_len >= 9 && memcmp(m.in, "SKSENDTO ", 9) == 0) {
            size_t spaces = 0, len;
            char head[128];

            for (i = 0; i < m.in_len && spaces < 6 && i < sizeof head - 1; i++)
                spaces += m.in[i] == ' ';
            if (spaces < 6) {
                if (i >= sizeof head - 1 || memchr(m.in, '\n', m.in_len)) {
                    log_json("{\"bad\": \"SKSENDTO header\"}");
                    m.in_len = 0;
                    say("FAIL ER06");
                }
                return;
            }
            memcpy(head, m.in, i - 1);
            head[i - 1] = '\0';
            len = (size_t)strtoul(strrchr(head, ' ') + 1, NULL, 16);
            if (len == 0 || len > 0x4D0) {
                m.in_len = 0;
                say("FAIL ER06");
                return;
            }
            if (m.in_len < i + len)
                return;
            sk_sendto(head, m.in + i, len);
            memmove(m.in, m.in + i + len, m.in_len - i - len);
            m.in_len -= i + len;
            continue;
        }
        for (i = 0; i < m.in_len && m.in[i] != '\r' && m.in[i] != '\n'; i++)
            ;
        if (i == m.in_len) {
            if (m.in_len == sizeof m.in)
                m.in_len = 0;
            return;
        }
        {
            char line[512];
            size_t n = i < sizeof line - 1 ? i : sizeof line - 1;

            memcpy(line, m.in, n);
            line[n] = '\0';
            memmove(m.in, m.in + i + 1, m.in_len - i - 1);
            m.in_len -= i + 1;
            if (n > 0)
                command_line(line);
        }
    }
}

static void hangup(void);

static void timers(void)
{
    uint64_t now = now_ms();

    if (now >= m.scan_at) {
        m.scan_at = NEVER;
        if (m.empty_scans > 0) {
            m.empty_scans--;
            log_json("{\"scan_result\": \"empty\"}");
        } else if (strlen(m.rbid) == 32) {
            log_json("{\"scan_result\": \"found\"}");
            say("EVENT 20 %s", METER_IP);
            say("EPANDESC");
            say("  Channel:" CHANNEL);
            say("  Channel Page:09");
            say("  Pan ID:" PAN_ID);
            say("  Addr:" METER_MAC);
            say("  LQI:E1");
            say("  PairID:%s", m.want_rbid + 24);
        }
        say("EVENT 22 %s", SELF_IP);
    }
    if (now >= m.join_at) {
        m.join_at = NEVER;
        if (m.join_ok) {
            session_up();
        } else {
            say("EVENT 24 %s", METER_IP);
            log_json("{\"event\": \"24\"}");
        }
    }
    if (now >= m.expire_at) {
        m.expire_at = NEVER;
        m.session = false;
        say("EVENT 29 %s", METER_IP);
        log_json("{\"event\": \"29\"}");
        if (m.reauth)
            m.reauth_at = now + 1000;
    }
    if (now >= m.reauth_at) {
        m.reauth_at = NEVER;
        session_up();
    }
    if (now >= m.garbage_at) {
        m.garbage_at = NEVER;
        garbage();
    }
    if (now >= m.hangup_at) {
        m.hangup_at = NEVER;
        hangup();
    }
}

/* A new pseudo-terminal, raw, its other side held open (so that the master
 * never sees a hang-up between two programs using it), named by --link
 * when given. Returns 0, or -1. */
static int open_pty(void)
{
    struct termios t;

    m.master = posix_openpt(O_RDWR | O_NOCTTY);
    if (m.master < 0 || grantpt(m.master) != 0 || unlockpt(m.master) != 0 || !ptsname(m.master))
        return -1;
    m.slave = open(ptsname(m.master), O_RDWR | O_NOCTTY);
    if (m.slave < 0 || tcgetattr(m.slave, &t) != 0)
        return -1;
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    (void)tcsetattr(m.slave, TCSANOW, &t);
    (void)fcntl(m.master, F_SETFL, O_NONBLOCK);
    if (m.link) {
        char tmp[600];

        snprintf(tmp, sizeof tmp, "%s.new", m.link);
        (void)unlink(tmp);
        if (symlink(ptsname(m.master), tmp) != 0 || rename(tmp, m.link) != 0)
            return -1;
    }
    return 0;
}

/* The module pulled out and put back: the terminal goes (the program using
 * it reads its end) and another comes, at the same --link. */
static void hangup(void)
{
    close(m.slave);
    close(m.master);
    m.echo = true;
    m.session = false;
    m.in_len = 0;
    m.scan_at = m.join_at = m.reauth_at = m.expire_at = NEVER;
    if (open_pty() != 0) {
        perror("broute-sim: a new terminal");
        exit(1);
    }
    log_json("{\"hangup\": \"%s\"}", ptsname(m.master));
}

static int next_timeout(void)
{
    uint64_t t = m.scan_at, now = now_ms();

    if (m.join_at < t)
        t = m.join_at;
    if (m.expire_at < t)
        t = m.expire_at;
    if (m.reauth_at < t)
        t = m.reauth_at;
    if (m.garbage_at < t)
        t = m.garbage_at;
    if (m.hangup_at < t)
        t = m.hangup_at;
    if (t == NEVER)
        return 1000;
    return t <= now ? 0 : (int)(t - now > 1000 ? 1000 : t - now);
}

static void on_signal(int sig)
{
    (void)sig;
    stopping = 1;
}

static int read_auth(const char *path)
{
    char buf[256], *save = NULL, *a, *b;
    FILE *f = fopen(path, "r");
    size_t n;

    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (a = strtok_r(buf, "\r\n", &save); a && a[0] == '#'; a = strtok_r(NULL, "\r\n", &save))
        ;
    b = a ? strtok_r(NULL, "\r\n", &save) : NULL;
    if (!a || !b || strlen(a) != 32 || strlen(b) > 32)
        return -1;
    snprintf(m.want_rbid, sizeof m.want_rbid, "%s", a);
    snprintf(m.want_pwd, sizeof m.want_pwd, "%s", b);
    return 0;
}

int main(int argc, char **argv)
{
    const char *auth = NULL;
    int i;

    m.scan_at = m.join_at = m.expire_at = m.reauth_at = m.garbage_at = m.hangup_at = NEVER;
    m.echo = true;
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : "0";

        if (strcmp(argv[i], "--auth") == 0 && i + 1 < argc)
            auth = argv[++i];
        else if (strcmp(argv[i], "--empty-scans") == 0 && ++i)
            m.empty_scans = atoi(v);
        else if (strcmp(argv[i], "--silent-scans") == 0 && ++i)
            m.silent_scans = atoi(v);
        else if (strcmp(argv[i], "--join-failures") == 0 && ++i)
            m.join_failures = atoi(v);
        else if (strcmp(argv[i], "--expire") == 0 && ++i)
            m.expire_s = atol(v);
        else if (strcmp(argv[i], "--hangup") == 0 && ++i)
            m.hangup_s = atol(v);
        else if (strcmp(argv[i], "--link") == 0 && i + 1 < argc)
            m.link = argv[++i];
        else if (strcmp(argv[i], "--reauth") == 0)
            m.reauth = true;
        else if (strcmp(argv[i], "--garbage") == 0)
            m.garbage = true;
        else {
            fprintf(stderr, "broute-sim: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    if (!auth || read_auth(auth) != 0) {
        fprintf(stderr, "broute-sim: --auth FILE: the route-B ID (32 characters) and the password, two lines\n");
        return 2;
    }
    if (meter_start() != 0) {
        fprintf(stderr, "broute-sim: the meter node could not be made\n");
        return 1;
    }
    if (open_pty() != 0) {
        perror("broute-sim: the terminal");
        return 1;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    printf("PTY %s\n", m.link ? m.link : ptsname(m.master));
    fflush(stdout);
    while (!stopping) {
        struct pollfd pfd = {m.master, POLLIN, 0};
        int r = poll(&pfd, 1, next_timeout());

        if (r > 0 && (pfd.revents & POLLIN)) {
            ssize_t got = read(m.master, m.in + m.in_len, sizeof m.in - m.in_len);

            if (got > 0) {
                m.in_len += (size_t)got;
                take_input();
            }
        }
        timers();
    }
    close(m.slave);
    close(m.master);
    if (m.link)
        (void)unlink(m.link);
    return 0;
}
