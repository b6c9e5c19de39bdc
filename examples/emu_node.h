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

/* Standard input as command lines (lines.h): call emu_stdin_fds() from a
 * source's fds() and emu_stdin_dispatch() from its dispatch(). */
struct emu_stdin {
    bool open;
    struct lines line;
};

/* Opens the reader of lines up to cap - 1 bytes. */
void emu_stdin_init(struct emu_stdin *in, size_t cap);

/* Standard input's pollfd while it is open. */
int emu_stdin_fds(const struct emu_stdin *in, struct pollfd *out, int cap);

/* Reads what standard input has and calls on_line with each line; at its
 * end (or without one) the reader is closed (the program goes on). */
void emu_stdin_dispatch(struct emu_stdin *in, const struct pollfd *fds, int n, lines_fn on_line, void *user);

/* A whole decimal number (hex after "0x" when hex_ok) within min..max. */
bool emu_parse_long(const char *s, bool hex_ok, long min, long max, long *out);

/* Whether s holds only blanks. */
bool emu_is_blank(const char *s);

#endif /* EXAMPLES_EMU_NODE_H */
