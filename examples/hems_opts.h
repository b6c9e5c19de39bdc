/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_opts: the options of hems-controller (before or after COMMAND), as
 * "--name value" or "--name=value", and the --help of each command:
 *
 *   --bind ADDR, --ifname IF, --ipv6, --port N      the endpoint (udp.h)
 *   --response-timeout S   at least 20 (AIF 2.4.2), default 20
 *   --keepalive S          1 to 28800 (AIF 3.5 (3): at most 8 h), default 28800
 *   --poll S               0 (never) to 86400, default: the library's (180)
 *   --offline-after N      1 to 255 requests without answer (each after its
 *                          attempts) before a unit is offline, default 3
 *   --remote, --state FILE, --json, --wait S (default 5)
 *   --control PATH         the control socket of run/serve (hems_control.h)
 *   --log FILE             events and messages appended to FILE, reopened on SIGHUP
 *   --http ADDR:PORT, --http-token-file FILE, --http-remote MODE   (hems_http.h)
 *   --http-routes          (hidden) the HTTP routes, for the OpenAPI test
 *   --mqtt HOST[:PORT] and the other --mqtt-... options (hems_mqtt.h)
 *   --broute DEVICE, --broute-auth FILE, --broute-baud N  the Wi-SUN B-route
 *                          transport to the smart meter (broute.h)
 *
 * Out-of-range values get a message that names the rule, and exit status 2.
 */
#ifndef EXAMPLES_HEMS_OPTS_H
#define EXAMPLES_HEMS_OPTS_H

#include <stdbool.h>

#include "hems_cmd.h"
#include "hems_mqtt.h"
#include "udp.h"

struct hems_options {
    struct udp_config endpoint; /* --bind, --ifname, --ipv6, --port */
    const char *state_path;
    bool remote;
    bool json;
    long response_timeout_s;
    long keepalive_s;
    long poll_s; /* -1: the library's default */
    long offline_after; /* 0: the library's default (3) */
    long wait_s;
    const char *energy_path; /* --energy FILE (hems_energy.h) */
    long energy_interval_s;  /* --energy-interval S, 60 to 1800 */
    long utc_offset_s;       /* --utc-offset S: local days of the energy log (default 32400, JST) */
    const char *control_path; /* --control PATH: the control socket (hems_control.h) */
    const char *log_path;     /* --log FILE: standard output and error go there (reopened on SIGHUP) */
    const char *http_listen;     /* --http ADDR:PORT (hems_http.h), NULL: no HTTP */
    const char *http_token_file; /* --http-token-file FILE */
    const char *http_remote;     /* --http-remote always|never|non-local */
    struct hems_mqtt_config mqtt; /* --mqtt... (hems_mqtt.h) */
    const char *broute_device;    /* --broute DEVICE (broute.h), NULL: no B-route */
    const char *broute_auth;      /* --broute-auth FILE */
    long broute_baud;             /* --broute-baud N, default 115200 */
};

/* Parses the options, before or after COMMAND (until "--"), and gathers
 * the command's words, in order, at argv[*first], *n_words of them.
 * Returns 0, 1 after --help, COMMAND --help or --version (printed), or 2
 * (with a message on standard error). */
int hems_opts_parse(int argc, char **argv, struct hems_options *o, int *first, int *n_words);

/* Makes the family follow an IPv6 NODE of the command, and checks that
 * --bind and --ifname fit. Returns 0, or 2 (with a message). */
int hems_opts_check(struct hems_options *o, const struct hems_cmd *cmd);

/* Prints "hems-controller: WHAT ARG" and a hint on standard error; returns 2. */
int hems_usage_error(const char *what, const char *arg);

#endif /* EXAMPLES_HEMS_OPTS_H */
