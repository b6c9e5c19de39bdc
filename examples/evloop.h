/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * evloop: the one poll() loop of the POSIX example programs
 * (aircon-emulator, hems-controller). Everything with descriptors to watch
 * or deadlines of its own is a *source* (struct evloop_source): the UDP
 * endpoint, standard input, the control socket, the library's timers, an
 * HTTP server, an MQTT client. Each turn the loop asks every source for its
 * pollfds and its timeout, sleeps in poll() until the earliest, and hands
 * each source its own pollfds back (revents filled, possibly all 0, so a
 * source whose deadline came does its work).
 *
 * Signals come through the loop's own self-pipe (posix_signal_pipe()): the
 * loop reads them and calls on_signal with each signal number.
 *
 *   struct evloop loop;
 *   evloop_init(&loop, caught, n_caught, on_signal, user);
 *   evloop_add(&loop, &udp_source);
 *   while (!loop.stop)
 *       evloop_turn(&loop);
 *
 * A source or a signal handler that ends the program sets loop.stop
 * (evloop_stop()): the sources not yet dispatched in that turn are not.
 */
#ifndef EXAMPLES_EVLOOP_H
#define EXAMPLES_EVLOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef EVLOOP_SOURCE_DEFINED
#define EVLOOP_SOURCE_DEFINED
/* A part of a program with descriptors to watch and deadlines of its own. The loop asks
 * every source before it sleeps and hands each its own pollfds back after. */
struct evloop_source {
    void *self;
    /* Writes at most cap pollfds (fd, events) to out; returns how many (0 allowed). */
    int (*fds)(void *self, struct pollfd *out, int cap);
    /* Milliseconds until the source must be dispatched even without input; -1 for none. */
    int (*timeout_ms)(void *self);
    /* Called after every poll() with this source's pollfds (revents filled, possibly all 0). */
    void (*dispatch)(void *self, const struct pollfd *fds, int n);
};
#endif

#define EVLOOP_MAX_SOURCES 16
#define EVLOOP_MAX_FDS 256 /* pollfds of all sources together */

struct evloop {
    struct evloop_source sources[EVLOOP_MAX_SOURCES];
    int n_sources;
    int signal_fd; /* the self-pipe's read end */
    void (*on_signal)(void *user, int sig);
    void *user;
    bool stop;     /* evloop_stop() was called */
    struct pollfd pfd[EVLOOP_MAX_FDS + 1];
    int first[EVLOOP_MAX_SOURCES + 1]; /* each source's first pollfd in pfd */
};

/* Sets the loop up with the signals signals[0..n-1] delivered to
 * on_signal(user, sig) from within evloop_turn() (SIGPIPE is ignored; see
 * posix_signal_pipe()). Returns 0, or -1 with errno. One loop per program. */
int evloop_init(struct evloop *loop, const int *signals, size_t n, void (*on_signal)(void *user, int sig),
                void *user);

/* Adds a source (copied); sources are asked and dispatched in the order
 * they were added. Returns 0, or -1 when EVLOOP_MAX_SOURCES are in. */
int evloop_add(struct evloop *loop, const struct evloop_source *src);

/* One turn: collects the sources' pollfds and timeouts, poll()s until the
 * earliest (or a signal, or input), then delivers the signals that came and
 * dispatches every source, in order. Returns 0, or -1 with errno when
 * poll() failed other than by EINTR (the sources were not dispatched). */
int evloop_turn(struct evloop *loop);

/* Ends the loop: evloop_turn() dispatches no more sources in this turn,
 * and loop->stop tells the caller's loop to end. */
void evloop_stop(struct evloop *loop);

/* A source timeout from an absolute deadline in milliseconds of the clock
 * of posix_now_ms(): 0 when it is due, at most INT_MAX (a deadline of
 * "never" waits INT_MAX ms, and the source is asked again after). */
int evloop_ms_until(uint64_t deadline, uint64_t now);

/* For a source's fds(): writes fds[0..n-1] with POLLIN into out, at most
 * cap of them. Returns how many. */
int evloop_watch_in(struct pollfd *out, int cap, const int *fds, int n);

/* The earlier of two source timeouts (-1: none). */
int evloop_min_timeout(int a, int b);

#endif /* EXAMPLES_EVLOOP_H */
