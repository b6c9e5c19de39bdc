/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * emu_node: what the emulators (aircon-emulator, household-emulator) share
 * around their echonet_node: the JSON lines they print on standard output,
 * the UDP endpoint that feeds the node and sends what it writes, and
 * standard input read as command lines.
 *
 * Every line is one JSON object, flushed:
 *   {"dir":"in","peer":"192.0.2.1:3610","frame":{...}}
 *   {"dir":"out","peer":"224.0.23.0:3610","frame":{...}}
 *   {"event":"NAME","KEY":"VALUE"}
 *   {"event":"error","message":"..."}
 * where "frame" is the object echonet-dump prints (frame_json.h).
 */
#ifndef EXAMPLES_EMU_NODE_H
#define EXAMPLES_EMU_NODE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

#include "evloop.h"
#include "lines.h"
#include "udp.h"

#define EMU_DATAGRAM_CAP 65536u /* more than any UDP payload */

/* The node's endpoint: set udp (udp_open()) and node, then call the rest. */
struct emu_net {
    struct udp_transport udp;
    echonet_node *node;
    uint8_t rx[EMU_DATAGRAM_CAP];
    uint8_t tx[EMU_DATAGRAM_CAP];
};

/* Ends a JSON line: "}\n", flushed. */
void emu_log_end(void);

/* {"event":"error","message":...}, the message formatted as printf's. */
void emu_log_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* {"event":EVENT,KEY:VALUE}. */
void emu_log_event(const char *event, const char *key, const char *value);

/* An error code as text, also when the library has no error strings. */
const char *emu_err_text(int err, char *buf, size_t cap);

/* Sends everything the node has to send at now, each datagram logged. */
void emu_net_drain(struct emu_net *net, echonet_tstamp now);

/* Takes the datagrams waiting on fd (one of net->udp.fds, ready for
 * reading): logs each, hands it to the node and sends its answers. */
void emu_net_receive(struct emu_net *net, int fd);

/* The endpoint's pollfds, for a source's fds(). */
int emu_net_fds(const struct emu_net *net, struct pollfd *out, int cap);

/* Standard input as command lines (lines.h), a source of the program's
 * loop: each line goes to on_line(user, ...); at the end of standard input
 * (or without one) the source goes quiet and the program goes on. The loop
 * stops when standard output fails. */
struct emu_stdin {
    bool open;
    struct lines line;
    lines_fn on_line;
    void *user;
    struct evloop *loop;
};

/* Adds standard input, read as lines up to cap - 1 bytes, to loop. Returns
 * evloop_add()'s result. */
int emu_stdin_add(struct emu_stdin *in, struct evloop *loop, size_t cap, lines_fn on_line, void *user);

/* An emulator's command line: -h/--help prints usage and --version the
 * version (both on standard output); the endpoint options of udp.h go to
 * *endpoint; a flag of the program's (an argument without a value) is taken
 * by flag() (NULL: none); an option for which takes_value() is true gets
 * its value ("--name value" or "--name=value") through value(), false for
 * a bad one. At the end the endpoint is checked (udp_config_check()). */
struct emu_args {
    const char *program;
    const char *usage;
    struct udp_config *endpoint;
    bool (*flag)(void *user, const char *arg);
    bool (*takes_value)(const char *name);
    bool (*value)(void *user, const char *name, const char *value);
    void *user;
};

/* Returns 0 to run, 1 after --help or --version, 2 (with a message on
 * standard error) for a bad option. */
int emu_parse_args(const struct emu_args *a, int argc, char **argv);

/* "PROGRAM: WHAT 'ARG'" and a hint on standard error; returns 2. */
int emu_usage_error(const char *program, const char *what, const char *arg);

/* A whole decimal number (hex after "0x" when hex_ok) within min..max. */
bool emu_parse_long(const char *s, bool hex_ok, long min, long max, long *out);

/* Whether s holds only blanks. */
bool emu_is_blank(const char *s);

#endif /* EXAMPLES_EMU_NODE_H */
