/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The options of hems-controller; see hems_opts.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_opts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

#include "posix_util.h"
#include "udp.h"

static const char usage_text[] =
    "Usage: hems-controller [OPTIONS] COMMAND [ARGS]\n"
    "A HEMS controller for ECHONET Lite home air conditioners (0x0130) over UDP.\n"
    "\n"
    "Commands:\n"
    "  discover [--wait S] [NODE...]  list the air conditioners that answer\n"
    "  get NODE EOJ EPC...            read properties (EPC: 2 hex digits)\n"
    "  set NODE EOJ SETTING...        write and verify; SETTING: EPC=HEX, on, off,\n"
    "                                 mode auto|cool|heat|dry|fan, temp C, fan 0-8\n"
    "  status NODE [EOJ]              read and show the state\n"
    "  probe NODE EOJ MODE LOW HIGH   find the settable temperature range\n"
    "  fault NODE EOJ                 read the fault status and codes\n"
    "  run                            stay up; commands (and line up|down, quit)\n"
    "                                 on standard input, one per line\n"
    "NODE: the device's IP address (127.0.0.2, ::1); EOJ: 0130xx (e.g. 013001).\n"
    "\n"
    "Options:\n"
    "  --bind ADDR             local address (default 0.0.0.0, or ::)\n"
    "  --ifname IF             interface for multicast\n"
    "  --ipv6                  IPv6 and ff02::1 (implied by an IPv6 NODE)\n"
    "  --port N                port to listen on and send to (default 3610)\n"
    "  --response-timeout S    response wait, at least 20 (default 20)\n"
    "  --keepalive S           remote keepalive interval, at most 28800 (default)\n"
    "  --poll S                polling of 0xB3/0xBB (default 180, 0 never)\n"
    "  --offline-after N       requests without answer that make a unit offline,\n"
    "                          1 to 255 (default 3)\n"
    "  --remote                operations come from a public network (0x93)\n"
    "  --state FILE            load and save the controller's state\n"
    "  --json                  one JSON object per line\n"
    "  --wait S                how long discovery may take (default 5)\n"
    "  --energy FILE           keep the 0x84/0x85 energy log in FILE (run), or\n"
    "                          show it: energy [NODE] [--days N] [--csv] [--svg F]\n"
    "  --energy-interval S     reading of 0x84/0x85, 60 to 1800 (default 1800)\n"
    "  --utc-offset S          local time of the energy log (default 32400, JST)\n"
    "  -h, --help              this text\n"
    "\n"
    "Exit status: 0 done, 1 failed or not found (discover: no air conditioner\n"
    "answered, or none at a NODE it names), 2 bad input.\n";

int hems_usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "hems-controller: %s%s%s\nTry 'hems-controller --help'.\n", what, arg ? " " : "",
            arg ? arg : "");
    return 2;
}

static bool option_value(const char *name, const char *value, struct hems_options *o, const char **why)
{
    long v;
    int endpoint = udp_parse_option(&o->endpoint, name, value);

    *why = NULL;
    if (endpoint != 0)
        return endpoint > 0;
    if (strcmp(name, "--state") == 0) {
        o->state_path = value;
    } else if (strcmp(name, "--response-timeout") == 0 && hems_parse_long(value, 0, 86400, &v)) {
        if (v < (long)(ECHONET_CTL_MIN_RESPONSE_TIMEOUT / 1000u))
            *why = "--response-timeout: below 20 s is refused (AIF 2.4.2: the response wait is at least 20 s):";
        o->response_timeout_s = v;
    } else if (strcmp(name, "--keepalive") == 0 && hems_parse_long(value, 1, LONG_MAX / 1000, &v)) {
        if (v > (long)(ECHONET_CTL_MAX_KEEPALIVE_INTERVAL / 1000u))
            *why = "--keepalive: above 28800 s (8 h) is refused (AIF 3.5: a keepalive at least every 8 h):";
        o->keepalive_s = v;
    } else if (strcmp(name, "--poll") == 0 && hems_parse_long(value, 0, 86400, &v)) {
        o->poll_s = v;
    } else if (strcmp(name, "--offline-after") == 0 && hems_parse_long(value, 1, 255, &v)) {
        o->offline_after = v;
    } else if (strcmp(name, "--wait") == 0 && hems_parse_long(value, 0, 86400, &v)) {
        o->wait_s = v;
    } else if (strcmp(name, "--energy") == 0) {
        o->energy_path = value;
    } else if (strcmp(name, "--energy-interval") == 0 && hems_parse_long(value, 60, 1800, &v)) {
        o->energy_interval_s = v;
    } else if (strcmp(name, "--utc-offset") == 0 && hems_parse_long(value, -86399, 86399, &v)) {
        o->utc_offset_s = v;
    } else {
        return false;
    }
    return *why == NULL;
}

static bool takes_value(const char *name)
{
    static const char *const names[] = {"--state", "--response-timeout", "--keepalive", "--poll", "--wait",
                                         "--energy", "--energy-interval", "--utc-offset", "--offline-after"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return udp_option_has_value(name);
}

static bool flag(const char *arg, struct hems_options *o)
{
    if (strcmp(arg, "--remote") == 0)
        o->remote = true;
    else if (strcmp(arg, "--json") == 0)
        o->json = true;
    else
        return udp_parse_option(&o->endpoint, arg, NULL) > 0; /* --ipv6 */
    return true;
}

int hems_opts_parse(int argc, char **argv, struct hems_options *o, int *first)
{
    int i;

    memset(o, 0, sizeof *o);
    o->endpoint.port = ECHONET_PORT;
    o->response_timeout_s = ECHONET_CTL_MIN_RESPONSE_TIMEOUT / 1000u;
    o->keepalive_s = ECHONET_CTL_MAX_KEEPALIVE_INTERVAL / 1000u;
    o->poll_s = -1;
    o->wait_s = 5;
    o->energy_interval_s = 1800;
    o->utc_offset_s = 32400;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        char name[24];
        const char *arg = argv[i], *value, *why;

        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            return 1;
        }
        if (strcmp(arg, "--") == 0) {
            i++;
            break;
        }
        if (flag(arg, o))
            continue;
        /* "--name value" or "--name=value" */
        value = posix_option_split(arg, name, sizeof name);
        if (!takes_value(name))
            return hems_usage_error("unknown option", arg);
        if (!value) {
            if (i + 1 == argc)
                return hems_usage_error("missing value for option", arg);
            value = argv[++i];
        }
        if (!option_value(name, value, o, &why)) {
            char what[48];

            snprintf(what, sizeof what, "bad value for %s:", name);
            return hems_usage_error(why ? why : what, value);
        }
    }
    *first = i;
    return 0;
}

int hems_opts_check(struct hems_options *o, const struct hems_cmd *cmd)
{
    struct udp_config *e = &o->endpoint;
    const char *value, *what;
    echonet_addr a;

    if (cmd->n_nodes > 0 && cmd->node[0].len != 4 && !e->ipv6) {
        if (e->bind_addr && udp_addr_parse(e->bind_addr, &a) == 0 && a.len == 4)
            return hems_usage_error("an IPv6 NODE with an IPv4 --bind address:", e->bind_addr);
        e->ipv6 = true;
    }
    if (cmd->n_nodes > 0 && (cmd->node[0].len == 4) == e->ipv6)
        return hems_usage_error("an IPv4 NODE with --ipv6", NULL);
    what = udp_config_check(e, &value);
    return what ? hems_usage_error(what, value) : 0;
}

