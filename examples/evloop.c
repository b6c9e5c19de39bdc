/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The poll() loop of the example programs; see evloop.h. */
#define _POSIX_C_SOURCE 200809L

#include "evloop.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "posix_util.h"

int evloop_init(struct evloop *loop, const int *signals, size_t n, void (*on_signal)(void *user, int sig),
                void *user)
{
    memset(loop, 0, sizeof *loop);
    loop->on_signal = on_signal;
    loop->user = user;
    loop->signal_fd = posix_signal_pipe(signals, n);
    return loop->signal_fd < 0 ? -1 : 0;
}

int evloop_add(struct evloop *loop, const struct evloop_source *src)
{
    if (loop->n_sources == EVLOOP_MAX_SOURCES)
        return -1;
    loop->sources[loop->n_sources++] = *src;
    return 0;
}

void evloop_stop(struct evloop *loop)
{
    loop->stop = true;
}

int evloop_ms_until(uint64_t deadline, uint64_t now)
{
    if (deadline <= now)
        return 0;
    return deadline - now > (uint64_t)INT_MAX ? INT_MAX : (int)(deadline - now);
}

int evloop_watch_in(struct pollfd *out, int cap, const int *fds, int n)
{
    int i;

    for (i = 0; i < n && i < cap; i++) {
        out[i].fd = fds[i];
        out[i].events = POLLIN;
    }
    return i;
}

int evloop_min_timeout(int a, int b)
{
    if (a < 0)
        return b;
    if (b < 0)
        return a;
    return a < b ? a : b;
}

/* Reads the self-pipe dry and hands each signal to on_signal. */
static void deliver_signals(struct evloop *loop)
{
    unsigned char sig;

    while (read(loop->signal_fd, &sig, 1) == 1)
        if (loop->on_signal)
            loop->on_signal(loop->user, sig);
}

int evloop_turn(struct evloop *loop)
{
    int n = 0, timeout = -1, i;

    loop->pfd[n].fd = loop->signal_fd;
    loop->pfd[n].events = POLLIN;
    loop->pfd[n++].revents = 0;
    /* Timeouts first: asking for one may do work that changes the fds. */
    for (i = 0; i < loop->n_sources; i++) {
        const struct evloop_source *s = &loop->sources[i];

        if (s->timeout_ms)
            timeout = evloop_min_timeout(timeout, s->timeout_ms(s->self));
    }
    for (i = 0; i < loop->n_sources; i++) {
        const struct evloop_source *s = &loop->sources[i];
        int k = s->fds ? s->fds(s->self, loop->pfd + n, EVLOOP_MAX_FDS + 1 - n) : 0;

        if (k < 0)
            k = 0;
        if (k > EVLOOP_MAX_FDS + 1 - n)
            k = EVLOOP_MAX_FDS + 1 - n;
        loop->first[i] = n;
        for (; k > 0; k--)
            loop->pfd[n++].revents = 0;
    }
    loop->first[loop->n_sources] = n;
    if (poll(loop->pfd, (nfds_t)n, timeout) < 0)
        return errno == EINTR ? 0 : -1;
    if (loop->pfd[0].revents != 0)
        deliver_signals(loop);
    for (i = 0; i < loop->n_sources && !loop->stop; i++) {
        const struct evloop_source *s = &loop->sources[i];

        if (s->dispatch)
            s->dispatch(s->self, loop->pfd + loop->first[i], loop->first[i + 1] - loop->first[i]);
    }
    return 0;
}
