/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_control: the local control socket of hems-controller (--control
 * PATH): a Unix-domain stream socket, created owner-only (0600), that takes
 * the commands of standard input, one per line, from several clients at
 * once, and writes back to each client the events of its own commands.
 *
 * It is one source of the program's loop (evloop.h). Each line a client
 * sends goes to on_line(user, client, line, too_long), with the client's
 * number (never 0, never reused within a run, so that an answer due to a
 * client that has gone is dropped instead of reaching a newer one);
 * hems_control_send() queues text for a client. A client that closes, or
 * whose unsent answers pass HEMS_CONTROL_OUT_CAP bytes, is dropped.
 */
#ifndef EXAMPLES_HEMS_CONTROL_H
#define EXAMPLES_HEMS_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "evloop.h"
#include "lines.h"

#define HEMS_CONTROL_CLIENTS 16
#define HEMS_CONTROL_OUT_CAP 65536u /* unsent bytes a client may fall behind */
#define HEMS_CONTROL_LINE_CAP 1024u /* longest command line */

struct hems_control_client {
    int fd;         /* -1: a free slot */
    unsigned id;    /* the client's number */
    struct lines in;
    char out[HEMS_CONTROL_OUT_CAP];
    size_t out_len;
};

struct hems_control {
    int listen_fd; /* -1: none */
    char path[108];
    unsigned last_id;
    struct hems_control_client clients[HEMS_CONTROL_CLIENTS];
    /* A command line of a client (lines.h: false stops reading its chunk). */
    bool (*on_line)(void *user, unsigned client, char *line, bool too_long);
    void *user;
    const char *busy_line;
    unsigned reading;                   /* the client whose input is being cut into lines */
    int slot_of[HEMS_CONTROL_CLIENTS + 1]; /* the client slot of each pollfd of the last fds() */
};

/* Creates the socket at path (mode 0600; an old socket there is replaced,
 * any other file refused). busy_line: what a client beyond
 * HEMS_CONTROL_CLIENTS is told before it is closed. Returns 0, or -1 with
 * the reason in why. */
int hems_control_open(struct hems_control *c, const char *path,
                      bool (*on_line)(void *user, unsigned client, char *line, bool too_long), void *user,
                      const char *busy_line, char *why, size_t why_len);

/* Closes every client and the socket, and removes it. */
void hems_control_close(struct hems_control *c);

/* The loop source of the socket and its clients. */
struct evloop_source hems_control_source(struct hems_control *c);

/* Queues len bytes for client (dropped silently when it is gone); a client
 * too far behind is dropped. */
void hems_control_send(struct hems_control *c, unsigned client, const char *text, size_t len);

/* Whether the client is still connected. */
bool hems_control_connected(const struct hems_control *c, unsigned client);

#endif /* EXAMPLES_HEMS_CONTROL_H */
