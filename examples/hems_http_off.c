/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* hems_http.h in a build without libmicrohttpd (meson -Dhttp=disabled, or
 * the library or jansson absent): --http is refused with a message. */
#include "hems_http.h"

bool hems_http_available(void)
{
    return false;
}

struct hems_http *hems_http_open(const struct hems_http_config *cfg, const struct hems_http_host *host, char *why,
                                 size_t cap)
{
    (void)cfg;
    (void)host;
    snprintf(why, cap, "--http: this hems-controller was built without HTTP (meson -Dhttp=enabled, with "
                       "libmicrohttpd and jansson)");
    return NULL;
}

struct evloop_source hems_http_source(struct hems_http *http)
{
    struct evloop_source s = {http, NULL, NULL, NULL};

    return s;
}

void hems_http_event(struct hems_http *http, const char *json, size_t len)
{
    (void)http;
    (void)json;
    (void)len;
}

void hems_http_close(struct hems_http *http)
{
    (void)http;
}

int hems_http_print_routes(FILE *out)
{
    (void)out;
    fputs("hems-controller: built without HTTP\n", stderr);
    return 1;
}
