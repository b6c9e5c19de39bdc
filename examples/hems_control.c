/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The control socket of hems-controller; see hems_control.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return -1;
    return 0;
}

/* Whether something accepts connections at the socket address. */
static bool listening(const struct sockaddr_un *sun)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    bool yes;

    if (fd < 0)
        return false;
    yes = connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0;
    close(fd);
    return yes;
}

int hems_control_open(struct hems_control *c, const char *path,
                      bool (*on_line)(void *user, unsigned client, char *line, bool too_long), void *user,
                      const char *busy_line, char *why, size_t why_len)
{
    struct sockaddr_un sun;
    struct stat st;
    mode_t old_mask;
    int fd, r;
    unsigned i;

    memset(c, 0, sizeof *c);
    c->listen_fd = -1;
    for (i = 0; i < HEMS_CONTROL_CLIENTS; i++)
        c->clients[i].fd = -1;
    c->on_line = on_line;
    c->user = user;
    c->busy_line = busy_line;
    memset(&sun, 0, sizeof sun);
    if (strlen(path) >= sizeof sun.sun_path) {
        snprintf(why, why_len, "--control %s: longer than %zu bytes", path, sizeof sun.sun_path - 1);
        return -1;
    }
    sun.sun_family = AF_UNIX;
    memcpy(sun.sun_path, path, strlen(path));
    /* An old socket (a run that ended without removing it) is replaced;
     * one that is listening, or any other file, is not. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            snprintf(why, why_len, "--control %s: exists and is not a socket", path);
            return -1;
        }
        if (listening(&sun)) {
            snprintf(why, why_len, "--control %s: another program is listening there", path);
            return -1;
        }
        (void)unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || nonblocking(fd) != 0) {
        snprintf(why, why_len, "--control %s: socket: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    /* Owner-only from the start: no moment where others may connect. */
    old_mask = umask(0177);
    r = bind(fd, (const struct sockaddr *)&sun, sizeof sun);
    umask(old_mask);
    if (r != 0 || chmod(path, 0600) != 0 || listen(fd, 8) != 0) {
        snprintf(why, why_len, "--control %s: %s", path, strerror(errno));
        close(fd);
        if (r == 0)
            (void)unlink(path);
        return -1;
    }
    c->listen_fd = fd;
    snprintf(c->path, sizeof c->path, "%s", path);
    return 0;
}

static void drop(struct hems_control_client *cl)
{
    if (cl->fd >= 0)
        close(cl->fd);
    cl->fd = -1;
    cl->out_len = 0;
}

void hems_control_close(struct hems_control *c)
{
    unsigned i;

    for (i = 0; i < HEMS_CONTROL_CLIENTS; i++)
        drop(&c->clients[i]);
    if (c->listen_fd >= 0) {
        close(c->listen_fd);
        (void)unlink(c->path);
    }
    c->listen_fd = -1;
}

static struct hems_control_client *client_of(struct hems_control *c, unsigned id)
{
    unsigned i;

    for (i = 0; id != 0 && i < HEMS_CONTROL_CLIENTS; i++)
        if (c->clients[i].fd >= 0 && c->clients[i].id == id)
            return &c->clients[i];
    return NULL;
}

bool hems_control_connected(const struct hems_control *c, unsigned client)
{
    return client_of((struct hems_control *)c, client) != NULL;
}

/* Sends what the client's queue holds, as far as the socket takes it;
 * a client that has gone is dropped. */
static void flush(struct hems_control_client *cl)
{
    size_t done = 0;

    while (done < cl->out_len) {
        ssize_t n = send(cl->fd, cl->out + done, cl->out_len - done, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            drop(cl);
            return;
        }
        done += (size_t)n;
    }
    memmove(cl->out, cl->out + done, cl->out_len - done);
    cl->out_len -= done;
}

void hems_control_send(struct hems_control *c, unsigned client, const char *text, size_t len)
{
    struct hems_control_client *cl = client_of(c, client);

    if (!cl)
        return;
    if (len > sizeof cl->out - cl->out_len) {
        drop(cl); /* too far behind: it would hold the daemon's memory */
        return;
    }
    memcpy(cl->out + cl->out_len, text, len);
    cl->out_len += len;
    flush(cl);
}

/* lines_fn: a line of the client being read. */
static bool client_line(void *user, char *line, bool too_long)
{
    struct hems_control *c = user;

    return c->on_line(c->user, c->reading, line, too_long);
}

static void client_read(struct hems_control *c, struct hems_control_client *cl)
{
    char chunk[4096];
    ssize_t n = read(cl->fd, chunk, sizeof chunk);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    c->reading = cl->id;
    if (n <= 0) {
        /* Gone: a last line without its newline still counts. */
        lines_end(&cl->in, client_line, c);
        drop(cl);
    } else {
        (void)lines_feed(&cl->in, chunk, (size_t)n, client_line, c);
    }
    c->reading = 0;
}

static void accept_clients(struct hems_control *c)
{
    for (;;) {
        int fd = accept(c->listen_fd, NULL, NULL);
        struct hems_control_client *cl = NULL;
        unsigned i;

        if (fd < 0)
            return; /* EAGAIN, or a connection reset before it was taken */
        for (i = 0; i < HEMS_CONTROL_CLIENTS && !cl; i++)
            if (c->clients[i].fd < 0)
                cl = &c->clients[i];
        if (!cl || nonblocking(fd) != 0) {
            ssize_t r = send(fd, c->busy_line, strlen(c->busy_line), MSG_NOSIGNAL | MSG_DONTWAIT);

            (void)r;
            close(fd);
            continue;
        }
        cl->fd = fd;
        cl->id = ++c->last_id == 0 ? ++c->last_id : c->last_id;
        cl->out_len = 0;
        lines_init(&cl->in, HEMS_CONTROL_LINE_CAP);
    }
}

static int control_fds(void *self, struct pollfd *out, int cap)
{
    struct hems_control *c = self;
    int n = 0;
    unsigned i;

    if (c->listen_fd < 0 || cap < 1)
        return 0;
    out[n].fd = c->listen_fd;
    out[n].events = POLLIN;
    c->slot_of[n++] = -1;
    for (i = 0; i < HEMS_CONTROL_CLIENTS && n < cap; i++) {
        const struct hems_control_client *cl = &c->clients[i];

        if (cl->fd < 0)
            continue;
        out[n].fd = cl->fd;
        out[n].events = (short)(POLLIN | (cl->out_len > 0 ? POLLOUT : 0));
        c->slot_of[n++] = (int)i;
    }
    return n;
}

static void control_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct hems_control *c = self;
    bool incoming = false;
    int k;

    for (k = 0; k < n; k++) {
        struct hems_control_client *cl;

        if (fds[k].revents == 0)
            continue;
        if (c->slot_of[k] < 0) {
            incoming = true;
            continue;
        }
        cl = &c->clients[c->slot_of[k]];
        if (cl->fd != fds[k].fd)
            continue; /* dropped meanwhile */
        if (fds[k].revents & POLLOUT)
            flush(cl);
        if (cl->fd >= 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)))
            client_read(c, cl);
    }
    /* New clients last: their descriptors may reuse those dropped above. */
    if (incoming)
        accept_clients(c);
}

struct evloop_source hems_control_source(struct hems_control *c)
{
    struct evloop_source s = {c, control_fds, NULL, control_dispatch};

    return s;
}
