/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * broute: the Wi-SUN B-route transport of hems-controller: a Wi-SUN module
 * speaking SKSTACK-IP (ROHM BP35A1 and compatibles) on a serial port, which
 * reaches the home's smart electric energy meter (class 0x0288). Facts:
 * WHOLE_HOUSE_REFERENCE.md section 4; the operator's guide: doc/broute.md.
 *
 * The module takes ASCII commands ending in CRLF and answers "OK" or
 * "FAIL ERnn"; EVENT, EPANDESC and ERXUDP lines come at any time. The state
 * machine below sends one command at a time and waits for its answer:
 *
 *   start     CRLF, 300 ms of stale bytes dropped; SKRESET; SKSREG SFE 0
 *             (no echo); SKVER; ROPT (WOPT 01 when ERXUDP is not in hex);
 *             SKSETPWD; SKSETRBID
 *   scan      SKSCAN 2 FFFFFFFF D (active scan with the Pairing ID, the
 *             last 8 characters of the route-B ID), D = 4 at first; a scan
 *             that ends (EVENT 22) without a PAN description, or does not
 *             end in time, is repeated with D + 1 (at most 8) after a pause
 *             that doubles from 1 s to 300 s
 *   join      SKSREG S2 channel; SKSREG S3 PAN ID; SKLL64 MAC (the meter's
 *             IPv6 link-local address); SKJOIN address; EVENT 25 (PANA up)
 *             or EVENT 24 (failed: SKJOIN again after 2 s; after 3 failures
 *             a new scan)
 *   up        frames to the meter: SKSENDTO 1 ADDR 0E1A 1 LEN (binary data)
 *             one at a time; ERXUDP lines from the meter's address, UDP
 *             3610 to 3610, hex data, become datagrams. EVENT 29 (session
 *             lifetime expired): the module may re-authenticate by itself
 *             (EVENT 25) within 5 s, else SKJOIN; EVENT 26, 27, 28 (session
 *             ended): SKJOIN at once. EVENT 32 holds the sends until EVENT 33.
 *
 * A command without answer within 10 s (a module that does not answer, or
 * stopped answering) restarts everything after the same doubling pause.
 * Frames given while the session is down wait in a queue of 4 (dropped
 * after 20 s, the controller's response wait, AIF 2.4.2: its answer would
 * come too late).
 *
 * Every line is parsed defensively: a line that is not understood, is too
 * long or is truncated (an ERXUDP whose data is not exactly 2 x DATALEN hex
 * digits, an address that is not 8 groups of 4 hex digits...) is counted in
 * bad_lines and ignored. Lines are never logged as they are (an echo of
 * SKSETPWD would hold the password): messages name what happened.
 *
 * The meter's address is an echonet_addr of 16 bytes, its IPv6 link-local
 * address with no interface (udp.h's form): hems-controller sends every
 * datagram for an address of that form (fe80::/10 without %interface) over
 * B-route (broute_addr()).
 *
 * The route-B ID (32 characters) and password (1 to 32 characters) come
 * from a file (broute_read_auth()): the ID on the first line, the password
 * on the second, nothing else but empty lines and # comments; the file must
 * be a regular file of the user running the program, readable by no one
 * else (mode 0600 or 0400).
 *
 * The core (broute_init(), broute_input(), broute_tick(), broute_expiry(),
 * broute_send()) does no I/O: what the module must be sent is appended to
 * b->out. broute_open() adds the serial port (termios, raw, 8N1) and
 * broute_source() makes it a source of evloop.h.
 */
#ifndef EXAMPLES_BROUTE_H
#define EXAMPLES_BROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

#include "evloop.h"
#include "lines.h"

#define BROUTE_FRAME_MAX 1232u /* SKSENDTO DATALEN: at most 0x04D0 */
#define BROUTE_QUEUE 4u        /* frames waiting for the session */
#define BROUTE_OUT_CAP 2048u   /* bytes waiting to be written to the module */
#define BROUTE_LINE_CAP 2600u  /* longest module line: an ERXUDP of BROUTE_FRAME_MAX bytes in hex */
#define BROUTE_DEFAULT_BAUD 115200L

/* What the program gets from the transport. */
struct broute_host {
    void *user;
    /* A datagram from the meter (from: its address). */
    void (*datagram)(void *user, const echonet_addr *from, const uint8_t *buf, size_t len);
    /* The session came up (up, meter: its address) or went down; message:
     * what happened, for the log (never a secret). */
    void (*status)(void *user, bool up, const echonet_addr *meter, const char *message);
};

/* What happened, for messages and tests. */
struct broute_stats {
    unsigned long lines;      /* lines read */
    unsigned long bad_lines;  /* not understood, too long or truncated: ignored */
    unsigned long scans;      /* SKSCAN sent */
    unsigned long joins;      /* SKJOIN sent */
    unsigned long sessions;   /* EVENT 25: sessions up */
    unsigned long sent;       /* frames the module took (OK to SKSENDTO) */
    unsigned long send_failed; /* FAIL to SKSENDTO, or EVENT 21 with 01 */
    unsigned long dropped;    /* frames dropped: queue full, too old, too long */
    unsigned long received;   /* datagrams from the meter */
    unsigned long restarts;   /* the module did not answer a command in time */
    unsigned long reopened;   /* the serial port failed and was opened again */
};

/* The transport; its fields are private but for stats and out. */
struct broute {
    int fd; /* the serial port, -1 before broute_open() */
    struct broute_host host;
    char rbid[33];
    char pwd[33];
    struct lines lines; /* (its cap is LINES_CAP; BROUTE_LINE_CAP needs it that large) */
    int phase;
    int after_wait;       /* the phase a pause leads to */
    int inflight;         /* the command waiting for its answer (0: none) */
    echonet_tstamp cmd_deadline;
    echonet_tstamp deadline; /* of the phase (drain, scan, join, re-authentication, pause) */
    unsigned step;        /* within the start-up and join sequences */
    bool wopt_needed;     /* ROPT said binary ERXUDP: WOPT 01 */
    unsigned scan_d;      /* the next scan's duration */
    unsigned empty_scans; /* since the last PAN found: the pause before the next scan */
    unsigned fails;       /* restarts or failed joins in a row: the pause */
    unsigned join_failures;
    bool in_pandesc;      /* within the lines of an EPANDESC */
    bool pan_found;
    char channel[3], pan_id[5], mac[17], pair_id[9];
    bool have_meter;
    echonet_addr meter;
    bool up;
    bool held;            /* EVENT 32 until EVENT 33 */
    char version[32];     /* EVER */
    struct {
        size_t len;
        echonet_tstamp at;
        uint8_t data[BROUTE_FRAME_MAX];
    } queue[BROUTE_QUEUE];
    unsigned q_first, q_n;
    uint8_t out[BROUTE_OUT_CAP]; /* to be written to the module */
    size_t out_len;
    struct broute_stats stats;
    /* The serial port (broute_open()): opened again every 2 s after it
     * failed (a USB module pulled out and put back). */
    char device[256];
    long baud;
    echonet_tstamp reopen_at;
};

/* What broute_open() needs. */
struct broute_config {
    const char *device;    /* the serial port (--broute DEVICE) */
    const char *auth_path; /* --broute-auth FILE */
    long baud;             /* --broute-baud, default BROUTE_DEFAULT_BAUD */
};

/* Reads the route-B ID and password from path (see the top). Returns 0, or
 * -1 with why (which never holds the secrets). */
int broute_read_auth(const char *path, char rbid[33], char pwd[33], char *why, size_t why_len);

/* The core, without I/O: starts the state machine at now with the ID (32
 * characters) and password (1 to 32). Returns 0, or -1 for a bad ID or
 * password. */
int broute_init(struct broute *b, const char *rbid, const char *pwd, const struct broute_host *host,
                echonet_tstamp now);

/* Bytes read from the module. */
void broute_input(struct broute *b, const char *bytes, size_t n, echonet_tstamp now);

/* Does what is due at now (timeouts, the next command). */
void broute_tick(struct broute *b, echonet_tstamp now);

/* When broute_tick() must be called next. */
echonet_tstamp broute_expiry(const struct broute *b);

/* Queues a frame for the meter (sent at once when the session is up and
 * the module idle). Returns 0, or -1 when dropped (too long, or the queue
 * is full: the oldest stays). */
int broute_send(struct broute *b, const uint8_t *buf, size_t len, echonet_tstamp now);

/* Whether an address is one the transport serves: IPv6 link-local without
 * interface (16 bytes, fe80::/10). */
bool broute_addr(const echonet_addr *addr);

/* Opens the serial port and the auth file, and starts. Returns 0, or -1
 * with why. */
int broute_open(struct broute *b, const struct broute_config *cfg, const struct broute_host *host, char *why,
                size_t why_len);

/* The loop's source: the serial port (written when b->out has bytes), and
 * broute_expiry(). */
struct evloop_source broute_source(struct broute *b);

/* Closes the serial port, and forgets the secrets. */
void broute_close(struct broute *b);

#endif /* EXAMPLES_BROUTE_H */
