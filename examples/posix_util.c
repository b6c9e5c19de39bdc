/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The clock, self-pipe signals, option splitting and file helpers of the
 * example programs; see posix_util.h. */
#define _POSIX_C_SOURCE 200809L

#include "posix_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

void posix_print_version(const char *program)
{
    printf("%s (libechonet) %s\n", program, ECHONET_VERSION_STRING);
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

int posix_parse_hex(const char *s, uint8_t *out, size_t cap, bool pad)
{
    size_t len = strlen(s), n, i;

    if (len == 0 || len > 2 * cap || (!pad && len % 2 != 0))
        return -1;
    for (i = 0; i < len; i++)
        if (posix_hex_digit((unsigned char)s[i]) < 0)
            return -1;
    n = pad ? cap : len / 2;
    memset(out, 0, n);
    for (i = 0; i < len; i++) {
        unsigned v = (unsigned)posix_hex_digit((unsigned char)s[len - 1 - i]);

        out[n - 1 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
    return (int)n;
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

long posix_read_file(const char *path, uint8_t *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    size_t len = 0;

    if (fd < 0)
        return -1;
    for (;;) {
        uint8_t extra;
        ssize_t n = len < cap ? read(fd, buf + len, cap - len) : read(fd, &extra, 1);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;

            close(fd);
            errno = saved;
            return -1;
        }
        if (n == 0)
            break;
        if (len == cap) {
            len = cap + 1;
            break;
        }
        len += (size_t)n;
    }
    close(fd);
    return (long)len;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The directory of path: what comes before its last '/', or ".". */
static void dir_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(dir, cap, ".");
    else
        snprintf(dir, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

int posix_dir_writable(const char *path)
{
    char dir[4096];
    struct stat st;

    if (strlen(path) >= sizeof dir)
        return ENAMETOOLONG;
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0)
        return errno;
    if (!S_ISDIR(st.st_mode))
        return ENOTDIR;
    return access(dir, W_OK | X_OK) == 0 ? 0 : errno;
}

int posix_replace_file(const char *path, const uint8_t *buf, size_t len)
{
    char tmp[4096], dir[4096];
    int fd, dfd, saved;

    if (snprintf(tmp, sizeof tmp, "%s.tmpXXXXXX", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    if (write_all(fd, buf, len) != 0 || fsync(fd) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        errno = saved;
        return -1;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return -1;
    }
    /* The rename itself is durable once the directory is. */
    dir_of(path, dir, sizeof dir);
    dfd = open(dir, O_RDONLY);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    return 0;
}
