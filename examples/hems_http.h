/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_http: the web dashboard and the HTTP API of hems-controller
 * (--http ADDR:PORT), on libmicrohttpd driven by the program's event loop
 * (evloop.h: one epoll descriptor, MHD_run() after it; no thread of its own).
 *
 * A front-end over the program, not a second controller: a request becomes
 * the `struct hems_cmd` a line of standard input would be (hems_cmd.h, so
 * the validation and the AIF rules are the command line's), handed to the
 * program through hems_http_host.submit; results and state changes come
 * back as the program's JSON events (hems_print.h), which the program hands
 * to hems_http_event() (from a JSON printer, the twin of its own). The
 * routes, the security model and the options are in doc/http-api.md; the
 * API as OpenAPI 3 in doc/openapi.json (tests/check-openapi.py keeps the
 * two in step with hems_http_print_routes()).
 *
 * Built without libmicrohttpd (meson -Dhttp=disabled, or the library
 * absent), hems_http_open() refuses with a message saying so
 * (hems_http_off.c); the rest of the program is the same.
 */
#ifndef EXAMPLES_HEMS_HTTP_H
#define EXAMPLES_HEMS_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <echonet/echonet.h>

#include "hems_cmd.h"
#include "evloop.h"
#include "hems_energy.h"
#include "udp.h"


/* Whether a write from a client counts as remote operation (AIF 4.1). */
enum hems_http_remote {
    HEMS_HTTP_REMOTE_NON_LOCAL, /* clients outside the home network (default) */
    HEMS_HTTP_REMOTE_ALWAYS,    /* every client */
    HEMS_HTTP_REMOTE_NEVER      /* no client */
};

struct hems_http_config {
    const char *listen;     /* --http ADDR:PORT, [V6]:PORT or PORT (127.0.0.1) */
    const char *token_file; /* --http-token-file FILE, or NULL */
    const char *remote;     /* --http-remote always|never|non-local, or NULL */
    bool controller_remote; /* --remote: the controller's writes carry 0x93 = 0x42 */
    int32_t utc_offset;     /* --utc-offset: the local day of the energy series */
};

/* One air conditioner as the program knows it, for the device list. */
struct hems_http_device {
    char node[UDP_FORMAT_MAX];
    echonet_eoj eoj;
    bool ready;       /* its maps, identification and state are known */
    bool online;
    bool has_info;    /* id and state below are filled */
    uint8_t id[17];
    bool has_maker;
    uint8_t maker[3];
    echonet_ctl_state state;
    long power_w;     /* 0x84, the last value read, or -1 */
};

/* The longest `house` event GET /api/house answers. */
#define HEMS_HTTP_HOUSE_CAP 8192

/* What the program offers the front-end. */
struct hems_http_host {
    void *user;
    /* Takes a parsed command as a line of standard input (its events follow,
     * possibly before it returns). Returns 0, or -1 with a message in why. */
    int (*submit)(void *user, const struct hems_cmd *cmd, char *why, size_t cap);
    /* Fills out with at most cap devices; returns how many there are in all. */
    size_t (*devices)(void *user, struct hems_http_device *out, size_t cap);
    /* The energy log (--energy), or NULL without one. */
    const struct hems_energy *(*energy)(void *user);
    /* The whole house as the JSON `house` event (hems_print.h, without
     * newline) in out; returns its length, 0 when it does not fit. */
    size_t (*house)(void *user, char *out, size_t cap);
};

struct hems_http;

/* Whether this build has the HTTP server. */
bool hems_http_available(void);

/* Starts the server. Refuses (returns NULL, message in why) a bad address,
 * a non-loopback address without --http-token-file, a token file readable or
 * writable by others or not the user's, an empty token, or a build without
 * HTTP. */
struct hems_http *hems_http_open(const struct hems_http_config *cfg, const struct hems_http_host *host, char *why,
                                 size_t cap);

/* The server as a source of the program's event loop. */
struct evloop_source hems_http_source(struct hems_http *http);

/* One event of the program, a JSON object (hems_print.h) without newline:
 * to the event streams, and to the requests waiting for it. */
void hems_http_event(struct hems_http *http, const char *json, size_t len);

/* Stops the server: open connections are closed. NULL is allowed. */
void hems_http_close(struct hems_http *http);

/* Prints the routes the server serves, one "METHOD PATH" a line, for the
 * test that compares them with doc/openapi.json. Returns 0, or 1 without
 * HTTP. */
int hems_http_print_routes(FILE *out);

#endif /* EXAMPLES_HEMS_HTTP_H */
