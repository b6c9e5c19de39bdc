/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The options and the credentials file of the MQTT bridge (hems_mqtt.h):
 * built whether or not libmosquitto is, so that a build without it still
 * knows the options and refuses them with a clear message (the stand-ins
 * at the end, for a build without hems_mqtt.c). */
#define _POSIX_C_SOURCE 200809L

#include "hems_mqtt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hems_cmd.h"

const char hems_mqtt_usage[] =
    "  --mqtt HOST[:PORT]      run/serve: bridge to an MQTT broker, with Home\n"
    "                          Assistant discovery (port 1883, 8883 with TLS);\n"
    "                          the events are JSON lines (--json)\n"
    "  --mqtt-credentials FILE user name and password (two lines; owner-only file)\n"
    "  --mqtt-tls-ca FILE      TLS, trusting the CA certificates in FILE\n"
    "  --mqtt-tls-cert FILE    TLS client certificate (with --mqtt-tls-key)\n"
    "  --mqtt-tls-key FILE     its private key\n"
    "  --mqtt-prefix P         topic prefix (default echonet)\n"
    "  --mqtt-discovery-prefix P  Home Assistant's (default homeassistant)\n";

static const char *const names[] = {"--mqtt", "--mqtt-credentials", "--mqtt-tls-ca", "--mqtt-tls-cert",
                                     "--mqtt-tls-key", "--mqtt-prefix", "--mqtt-discovery-prefix"};

bool hems_mqtt_option_known(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* A topic prefix: not empty, no wildcard, no leading or trailing '/'. */
static bool prefix_ok(const char *p)
{
    size_t n = strlen(p);

    return n > 0 && n < HEMS_MQTT_PREFIX_MAX && strpbrk(p, "+#") == NULL && p[0] != '/' && p[n - 1] != '/';
}

/* HOST, HOST:PORT, [V6] or [V6]:PORT. */
static bool parse_host(struct hems_mqtt_config *c, const char *value)
{
    const char *colon, *end = value + strlen(value);
    long port = 0;

    if (value[0] == '[') {
        const char *close = strchr(value, ']');

        if (!close || (close[1] != '\0' && close[1] != ':'))
            return false;
        colon = close[1] == ':' ? close + 1 : NULL;
        value++;
        end = close;
    } else {
        colon = strchr(value, ':');
        if (colon && strchr(colon + 1, ':'))
            colon = NULL; /* a bare IPv6 address */
        if (colon)
            end = colon;
    }
    if (colon && !hems_parse_long(colon + 1, 1, 65535, &port))
        return false;
    if (end == value || (size_t)(end - value) >= sizeof c->host_buf)
        return false;
    memcpy(c->host_buf, value, (size_t)(end - value));
    c->host_buf[end - value] = '\0';
    c->host = c->host_buf;
    c->port = (unsigned)port;
    return true;
}

bool hems_mqtt_option(struct hems_mqtt_config *c, const char *name, const char *value, const char **why)
{
    *why = NULL;
    if (strcmp(name, "--mqtt") == 0) {
        if (!parse_host(c, value))
            *why = "--mqtt: HOST, HOST:PORT or [IPv6]:PORT (port 1 to 65535):";
    } else if (strcmp(name, "--mqtt-credentials") == 0) {
        c->credentials = value;
    } else if (strcmp(name, "--mqtt-tls-ca") == 0) {
        c->ca_file = value;
    } else if (strcmp(name, "--mqtt-tls-cert") == 0) {
        c->cert_file = value;
    } else if (strcmp(name, "--mqtt-tls-key") == 0) {
        c->key_file = value;
    } else if (strcmp(name, "--mqtt-prefix") == 0 || strcmp(name, "--mqtt-discovery-prefix") == 0) {
        if (!prefix_ok(value))
            *why = "a topic prefix: 1 to 63 characters, no + or #, no leading or trailing /:";
        else if (name[7] == 'p')
            c->prefix = value;
        else
            c->discovery_prefix = value;
    } else {
        return false;
    }
    return *why == NULL;
}

const char *hems_mqtt_config_check(const struct hems_mqtt_config *c)
{
    bool other = c->credentials || c->ca_file || c->cert_file || c->key_file || c->prefix || c->discovery_prefix;

    if (!c->host && other)
        return "the --mqtt-... options need --mqtt HOST";
    if ((c->cert_file != NULL) != (c->key_file != NULL))
        return "--mqtt-tls-cert and --mqtt-tls-key go together";
    if (c->cert_file && !c->ca_file)
        return "a TLS client certificate needs --mqtt-tls-ca";
    if (c->prefix && c->discovery_prefix && strcmp(c->prefix, c->discovery_prefix) == 0)
        return "--mqtt-prefix and --mqtt-discovery-prefix must differ";
    return NULL;
}

/* The next line of buf (up to '\n', without '\r'), copied to out. */
static bool next_line(const char **p, const char *end, char *out, size_t cap)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    const char *stop = nl ? nl : end;
    size_t n;

    if (stop > *p && stop[-1] == '\r')
        stop--;
    n = (size_t)(stop - *p);
    if (n >= cap)
        return false;
    memcpy(out, *p, n);
    out[n] = '\0';
    *p = nl ? nl + 1 : end;
    return true;
}

int hems_mqtt_read_credentials(const char *path, char *user, size_t user_cap, char *password, size_t password_cap,
                               char *why, size_t why_len)
{
    char buf[1024];
    const char *p = buf, *end;
    struct stat st;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        snprintf(why, why_len, "--mqtt-credentials %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, why_len, "--mqtt-credentials %s: not a regular file", path);
        (void)close(fd);
        return -1;
    }
    if ((st.st_mode & 077) != 0) {
        snprintf(why, why_len,
                 "--mqtt-credentials %s: refused: group or others may access it (mode %04o); "
                 "it holds a password: chmod 600 it",
                 path, (unsigned)(st.st_mode & 07777));
        (void)close(fd);
        return -1;
    }
    do
        n = read(fd, buf, sizeof buf);
    while (n < 0 && errno == EINTR);
    (void)close(fd);
    if (n < 0 || (size_t)n == sizeof buf) {
        snprintf(why, why_len, "--mqtt-credentials %s: %s", path, n < 0 ? strerror(errno) : "too long");
        return -1;
    }
    end = buf + n;
    if (!next_line(&p, end, user, user_cap) || !next_line(&p, end, password, password_cap) || user[0] == '\0') {
        snprintf(why, why_len, "--mqtt-credentials %s: want the user name on the first line, the password on "
                               "the second", path);
        memset(buf, 0, sizeof buf);
        return -1;
    }
    memset(buf, 0, sizeof buf);
    return 0;
}

#ifndef HEMS_WITH_MQTT
int hems_mqtt_open(struct hems_mqtt *m, const struct hems_mqtt_config *c, const struct hems_mqtt_host *host,
                   char *why, size_t why_len)
{
    (void)m;
    (void)c;
    (void)host;
    snprintf(why, why_len, "--mqtt: this hems-controller was built without MQTT (libmosquitto was not found, "
                           "or -Dmqtt=disabled)");
    return -1;
}

static int no_fds(void *self, struct pollfd *out, int cap)
{
    (void)self;
    (void)out;
    (void)cap;
    return 0;
}

static int no_timeout(void *self)
{
    (void)self;
    return -1;
}

static void no_dispatch(void *self, const struct pollfd *fds, int n)
{
    (void)self;
    (void)fds;
    (void)n;
}

struct evloop_source hems_mqtt_source(struct hems_mqtt *m)
{
    struct evloop_source s = {m, no_fds, no_timeout, no_dispatch};

    return s;
}

void hems_mqtt_event(struct hems_mqtt *m, const char *json, size_t len)
{
    (void)m;
    (void)json;
    (void)len;
}

void hems_mqtt_close(struct hems_mqtt *m)
{
    (void)m;
}
#endif
