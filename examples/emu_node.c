/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The JSON lines, UDP endpoint and command lines of the emulators; see
 * emu_node.h. */
#define _POSIX_C_SOURCE 200809L

#include "emu_node.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "frame_json.h"
#include "posix_util.h"

#define READS_PER_WAKEUP 32 /* datagrams taken from one socket before polling again */

void emu_log_end(void)
{
    fputs("}\n", stdout);
    fflush(stdout);
}

void emu_log_error(const char *fmt, ...)
{
    char message[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fputs("{\"event\":\"error\",\"message\":", stdout);
    frame_json_string(stdout, message);
    emu_log_end();
}

void emu_log_event(const char *event, const char *key, const char *value)
{
    printf("{\"event\":\"%s\",\"%s\":", event, key);
    frame_json_string(stdout, value);
    emu_log_end();
}

static void log_datagram(const char *dir, const char *peer, const uint8_t *buf, size_t len)
{
    printf("{\"dir\":\"%s\",\"peer\":", dir);
    frame_json_string(stdout, peer);
    fputs(",\"frame\":", stdout);
    (void)frame_json_datagram(stdout, buf, len);
    emu_log_end();
}

const char *emu_err_text(int err, char *buf, size_t cap)
{
    const char *name = echonet_err_name(err);

    snprintf(buf, cap, "%s (%d)", name[0] != '\0' ? name : "error", err);
    return buf;
}

static void send_datagram(struct emu_net *net, const echonet_addr *dst, bool multicast, size_t len)
{
    char peer[UDP_FORMAT_MAX];

    if (multicast)
        udp_format_group(&net->udp, peer, sizeof peer);
    else
        udp_format(dst, net->udp.port, peer, sizeof peer);
    if (udp_send(&net->udp, dst, multicast, net->tx, len) != 0) {
        emu_log_error("send to %s: %s", peer, strerror(errno));
        return;
    }
    log_datagram("out", peer, net->tx, len);
}

void emu_net_drain(struct emu_net *net, echonet_tstamp now)
{
    for (;;) {
        echonet_addr dst;
        bool multicast;
        char text[64];
        int32_t n = echonet_node_write(net->node, &dst, &multicast, net->tx, sizeof net->tx, now);

        if (n == 0)
            return;
        if (n < 0) {
            emu_log_error("echonet_node_write: %s", emu_err_text(n, text, sizeof text));
            return;
        }
        send_datagram(net, &dst, multicast, (size_t)n);
    }
}

/* Hands a datagram to the node; a full queue is emptied once first. */
static void feed(struct emu_net *net, const struct udp_peer *from, size_t len, echonet_tstamp now)
{
    echonet_frame frame;
    char text[64];
    int32_t r = echonet_node_read(net->node, &from->addr, net->rx, len);

    if (r == ECHONET_ERR_FULL) {
        emu_net_drain(net, now);
        r = echonet_node_read(net->node, &from->addr, net->rx, len);
    }
    /* A datagram that is not a frame is already an error object in its
     * "in" line; other refusals (too long, queue full) are reported. */
    if (r < 0 && echonet_frame_decode_udp(&frame, net->rx, len, NULL) == ECHONET_OK)
        emu_log_error("echonet_node_read: %s", emu_err_text(r, text, sizeof text));
    emu_net_drain(net, now);
}

void emu_net_receive(struct emu_net *net, int fd)
{
    int i;

    for (i = 0; i < READS_PER_WAKEUP; i++) {
        struct udp_peer from;
        char peer[UDP_FORMAT_MAX];
        ssize_t n = udp_recv(&net->udp, fd, net->rx, sizeof net->rx, &from);

        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            emu_log_error("receive: %s", strerror(errno));
            if (errno == EAFNOSUPPORT)
                continue;
            return;
        }
        log_datagram("in", udp_format(&from.addr, from.port, peer, sizeof peer), net->rx, (size_t)n);
        feed(net, &from, (size_t)n, posix_now_ms());
    }
}

int emu_net_fds(const struct emu_net *net, struct pollfd *out, int cap)
{
    return evloop_watch_in(out, cap, net->udp.fds, net->udp.n_fds);
}

static int stdin_fds(void *self, struct pollfd *out, int cap)
{
    const struct emu_stdin *in = self;
    static const int fd = STDIN_FILENO;

    return !in->open ? 0 : evloop_watch_in(out, cap, &fd, 1);
}

static void stdin_read(struct emu_stdin *in, const struct pollfd *fds, int n)
{
    char chunk[512];
    ssize_t got;

    if (n < 1 || fds[0].revents == 0)
        return;
    if (fds[0].revents & POLLNVAL) {
        in->open = false; /* no standard input at all */
        return;
    }
    got = read(STDIN_FILENO, chunk, sizeof chunk);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        lines_end(&in->line, in->on_line, in->user);
        in->open = false;
        return;
    }
    (void)lines_feed(&in->line, chunk, (size_t)got, in->on_line, in->user);
}

static void stdin_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct emu_stdin *in = self;

    stdin_read(in, fds, n);
    if (ferror(stdout))
        evloop_stop(in->loop);
}

int emu_stdin_add(struct emu_stdin *in, struct evloop *loop, size_t cap, lines_fn on_line, void *user)
{
    const struct evloop_source src = {in, stdin_fds, NULL, stdin_dispatch};

    in->open = true;
    lines_init(&in->line, cap);
    in->on_line = on_line;
    in->user = user;
    in->loop = loop;
    return evloop_add(loop, &src);
}

int emu_usage_error(const char *program, const char *what, const char *arg)
{
    fprintf(stderr, "%s: %s '%s'\nTry '%s --help'.\n", program, what, arg, program);
    return 2;
}

int emu_parse_args(const struct emu_args *a, int argc, char **argv)
{
    const char *value, *what;
    int i;

    for (i = 1; i < argc; i++) {
        char name[32];
        const char *arg = argv[i];

        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(a->usage, stdout);
            return 1;
        }
        if (strcmp(arg, "--version") == 0) {
            posix_print_version(a->program);
            return 1;
        }
        if (udp_parse_option(a->endpoint, arg, NULL) > 0) /* --ipv6 */
            continue;
        if (a->flag && a->flag(a->user, arg))
            continue;
        /* "--name value" or "--name=value" */
        value = posix_option_split(arg, name, sizeof name);
        if (!a->takes_value(name) && !udp_option_has_value(name))
            return emu_usage_error(a->program, "unknown option", arg);
        if (!value) {
            if (i + 1 == argc)
                return emu_usage_error(a->program, "missing value for option", arg);
            value = argv[++i];
        }
        if (udp_option_has_value(name) ? udp_parse_option(a->endpoint, name, value) <= 0
                                       : !a->value(a->user, name, value)) {
            char bad[48];

            snprintf(bad, sizeof bad, "bad value for %s:", name);
            return emu_usage_error(a->program, bad, value);
        }
    }
    what = udp_config_check(a->endpoint, &value);
    return what ? emu_usage_error(a->program, what, value) : 0;
}

bool emu_parse_long(const char *s, bool hex_ok, long min, long max, long *out)
{
    char *end;
    long v;
    int base = 10;

    if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s += 2;
        base = 16;
    }
    if (*s == '\0' || *s == '+' || (base == 16 && *s == '-'))
        return false;
    errno = 0;
    v = strtol(s, &end, base);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

bool emu_is_blank(const char *s)
{
    return s[strspn(s, " \t\r")] == '\0';
}
