/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Lines out of a byte stream; see lines.h. */
#include "lines.h"

void lines_init(struct lines *l, size_t cap)
{
    l->cap = cap < LINES_CAP ? cap : LINES_CAP;
    l->len = 0;
    l->too_long = false;
}

/* Hands the line collected to on_line and starts the next. */
static bool line_done(struct lines *l, lines_fn on_line, void *user)
{
    bool go_on;

    l->buf[l->len] = '\0';
    if (l->len > 0 && l->buf[l->len - 1] == '\r')
        l->buf[l->len - 1] = '\0';
    go_on = on_line(user, l->buf, l->too_long);
    l->len = 0;
    l->too_long = false;
    return go_on;
}

bool lines_feed(struct lines *l, const char *chunk, size_t n, lines_fn on_line, void *user)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (chunk[i] == '\n') {
            if (!line_done(l, on_line, user))
                return false;
        } else if (l->len + 1 < l->cap) {
            l->buf[l->len++] = chunk[i];
        } else {
            l->too_long = true;
        }
    }
    return true;
}

void lines_end(struct lines *l, lines_fn on_line, void *user)
{
    if (l->len > 0 || l->too_long)
        (void)line_done(l, on_line, user);
}
