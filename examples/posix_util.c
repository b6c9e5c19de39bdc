/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The clock, self-pipe signals and option splitting of the example
 * programs; see posix_util.h. */
#define _POSIX_C_SOURCE 200809L

#include "posix_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The self-pipe's write end: signal handlers write the signal number into
 * it so that poll() wakes up. The only global. */
static volatile sig_atomic_t signal_pipe = -1;

echonet_tstamp posix_now_ms(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (echonet_tstamp)ts.tv_sec * 1000u + (echonet_tstamp)ts.tv_nsec / 1000000u;
}

static void on_signal(int sig)
{
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t r = write(signal_pipe, &b, 1);

    (void)r; /* a full pipe already holds a wake-up */
    errno = saved;
}

int posix_signal_pipe(const int *signals, size_t n)
{
    struct sigaction sa;
    int fds[2], i;
    size_t k;

    if (pipe(fds) != 0)
        return -1;
    for (i = 0; i < 2; i++) {
        int flags = fcntl(fds[i], F_GETFL);

        if (flags < 0 || fcntl(fds[i], F_SETFL, flags | O_NONBLOCK) != 0 ||
            fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0)
            return -1;
    }
    signal_pipe = fds[1];
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    for (k = 0; k < n; k++)
        if (sigaction(signals[k], &sa, NULL) != 0)
            return -1;
    /* A closed standard output shows as a write error, not a kill. */
    sa.sa_handler = SIG_IGN;
    if (sigaction(SIGPIPE, &sa, NULL) != 0)
        return -1;
    return fds[0];
}

const char *posix_option_split(const char *arg, char *name, size_t cap)
{
    const char *eq = strchr(arg, '=');

    if (!eq || (size_t)(eq - arg) >= cap) {
        snprintf(name, cap, "%s", eq ? "?" : arg);
        return NULL;
    }
    memcpy(name, arg, (size_t)(eq - arg));
    name[eq - arg] = '\0';
    return eq + 1;
}

int posix_hex_digit(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool posix_mode_by_name(const char *name, uint8_t *mode)
{
    static const struct {
        const char *name;
        uint8_t mode;
    } modes[] = {
        {"auto", ECHONET_MODE_AUTO}, {"cool", ECHONET_MODE_COOL}, {"heat", ECHONET_MODE_HEAT},
        {"dry", ECHONET_MODE_DRY},   {"fan", ECHONET_MODE_FAN},
    };
    size_t i;

    for (i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        if (strcmp(name, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return true;
        }
    }
    return false;
}
