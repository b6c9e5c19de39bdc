/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * lines: command lines cut out of a byte stream (standard input, a client
 * of hems-controller's control socket), shared by the example programs.
 * A line is what comes before '\n', without a trailing '\r'; a line longer
 * than the reader's cap - 1 bytes is reported as too long.
 */
#ifndef EXAMPLES_LINES_H
#define EXAMPLES_LINES_H

#include <stdbool.h>
#include <stddef.h>

#define LINES_CAP 4096u /* longest line + 1 of any reader (broute.h: an ERXUDP of 1232 bytes) */

/* Called with each line (NUL-terminated, writable); too_long: the line
 * overflowed and text holds only its start. Returns false to stop taking
 * lines (the rest of the chunk is dropped). */
typedef bool (*lines_fn)(void *user, char *text, bool too_long);

struct lines {
    char buf[LINES_CAP];
    size_t cap; /* this reader's longest line + 1, at most LINES_CAP */
    size_t len;
    bool too_long;
};

/* An empty reader of lines up to cap - 1 bytes (cap at most LINES_CAP). */
void lines_init(struct lines *l, size_t cap);

/* Takes n bytes of the stream. Returns false when on_line asked to stop. */
bool lines_feed(struct lines *l, const char *chunk, size_t n, lines_fn on_line, void *user);

/* The end of the stream: a last line without its newline still counts. */
void lines_end(struct lines *l, lines_fn on_line, void *user);

#endif /* EXAMPLES_LINES_H */
