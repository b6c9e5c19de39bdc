/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_assets: the dashboard's files (examples/dashboard/), compiled into
 * hems-controller by examples/embed-assets.py at build time, so the page
 * needs nothing from anywhere else (no CDN, no network font).
 */
#ifndef EXAMPLES_HEMS_ASSETS_H
#define EXAMPLES_HEMS_ASSETS_H

#include <stddef.h>

struct hems_asset {
    const char *name; /* the file's name: "index.html", "app.js"... */
    const char *type; /* its Content-Type */
    const unsigned char *data;
    size_t len;
};

extern const struct hems_asset hems_assets[];
extern const size_t hems_n_assets;

#endif /* EXAMPLES_HEMS_ASSETS_H */
