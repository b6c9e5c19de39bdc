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

#include "broute.h"
#include "hems_http.h"
#include "posix_util.h"
#include "udp.h"

static const char usage_text[] =
    "Usage: hems-controller [OPTIONS] COMMAND [ARGS]\n"
    "A HEMS controller for ECHONET Lite devices over UDP: home air conditioners\n"
    "(0x0130) by the AIF spec, and every other device class of the Appendix.\n"
    "\n"
    "Commands:\n"
    "  discover [--wait S] [NODE...]  list the device objects that answer\n"
    "  get NODE EOJ EPC...            read properties (EPC: 2 hex digits)\n"
    "  set NODE EOJ SETTING...        write and verify; SETTING: EPC=HEX, on, off,\n"
    "                                 for 0130xx mode auto|cool|heat|dry|fan,\n"
    "                                 temp C, fan 0-8; brightness N (0290xx),\n"
    "                                 mode charge|discharge|standby|auto|rapid\n"
    "                                 (027dxx), heating auto|on|stop (026bxx),\n"
    "                                 generation on|off (027cxx)\n"
    "  status NODE [EOJ]              read and show the state\n"
    "  probe NODE EOJ MODE LOW HIGH   find the settable temperature range\n"
    "  fault NODE EOJ                 read the fault status and codes\n"
    "  run                            stay up; commands (and line up|down, house,\n"
    "                                 quit) on standard input, one per line\n"
    "  serve                          run as a service: stay up until SIGTERM,\n"
    "                                 SIGINT or quit; commands on --control PATH\n"
    "  energy [NODE] [--half-hour | --days N] [--csv] [--svg FILE]\n"
    "                                 show the energy log of --energy FILE\n"
    "NODE: the device's IP address (127.0.0.2, ::1); EOJ: a device object\n"
    "(e.g. 013001 air conditioner, 027d01 storage battery, 028801 smart meter).\n"
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
    "                          show it: energy [NODE] [--half-hour | --days N] ...\n"
    "  --energy-interval S     reading of 0x84/0x85, 60 to 1800 (default 1800)\n"
    "  --utc-offset S          local time of the energy log (default 32400, JST)\n"
    "  --control PATH          run/serve: a control socket (Unix, mode 0600) taking\n"
    "                          the commands of standard input, one per line\n"
    "  --log FILE              append events and messages to FILE instead of\n"
    "                          standard output and error; reopened on SIGHUP\n"
    "  --http ADDR:PORT        run/serve: the dashboard and the HTTP API, e.g.\n"
    "                          127.0.0.1:8080 (default address 127.0.0.1)\n"
    "  --http-token-file FILE  the API's bearer token (chmod 600); required to\n"
    "                          listen on an address other than loopback\n"
    "  --http-remote MODE      which HTTP writes are remote operation (AIF 4.1):\n"
    "                          non-local (default), always or never\n"
    "  --broute DEVICE         reach the smart meter through a Wi-SUN B-route\n"
    "                          module (SKSTACK-IP) on this serial port; the meter\n"
    "                          is the NODE fe80::... without %interface\n"
    "  --broute-auth FILE      the route-B ID (first line) and password (second);\n"
    "                          the file must be readable by its owner alone\n"
    "  --broute-baud N         the serial port's speed (default 115200, 8N1)\n";

/* After the MQTT options (hems_mqtt_usage). */
static const char usage_tail[] =
    "  -h, --help              this text (COMMAND --help: the command's)\n"
    "  --version               the program's and libechonet's version\n"
    "Options may also follow COMMAND and its arguments.\n"
    "\n"
    "Exit status: 0 done, 1 failed or not found (discover: no device object\n"
    "answered, or none at a NODE it names), 2 bad input.\n";

/* Each command's --help: its usage line first. */
static const struct {
    const char *name;
    const char *text;
} command_help[] = {
    {"discover", "discover [--wait S] [NODE...]\n"
                 "Search for device objects of every class (multicast, and unicast to each\n"
                 "NODE) and show each one found (with its class) and ready, with its\n"
                 "identification and state.\n"
                 "  --wait S   how long to wait for answers (default: the --wait option, 5)\n"
                 "  NODE       also search this address by unicast (at most 8)\n"
                 "Exit status 1 when no device object answered, or none at a NODE.\n"},
    {"get", "get NODE EOJ EPC...\n"
            "Read properties of one object of any class (EPC: 2 hex digits 80 to ff,\n"
            "maker-specific ones f0 to ff included, as its Get map allows).\n"},
    {"set", "set NODE EOJ SETTING...\n"
            "Write properties (SetC), then read them back to verify. SETTING:\n"
            "  EPC=HEX                        any property, e.g. b3=1a, da=42\n"
            "  on, off                        0x80\n"
            "  mode auto|cool|heat|dry|fan    0xB0 (air conditioners)\n"
            "  temp C                         0xB3, 0 to 50 (air conditioners)\n"
            "  fan 0-8                        0xA0, 0: auto (air conditioners)\n"
            "  brightness N                   0xB0, 0 to 100 % (lighting 0290xx)\n"
            "  mode charge|discharge|standby|auto|rapid\n"
            "                                 0xDA (storage battery 027dxx)\n"
            "  heating auto|on|stop           0xB0 (electric water heater 026bxx)\n"
            "  generation on|off              0xCA (fuel cell 027cxx)\n"
            "Values outside the class's allowed values (the Appendix's table) are\n"
            "refused before sending; maker-specific properties f0 to ff go as given.\n"},
    {"status", "status NODE [EOJ]\n"
               "Read and show the state of one object, or of every one at NODE: for an\n"
               "air conditioner power, mode, temperatures, air flow, fault; for any\n"
               "other class power, fault and the properties its class requires.\n"},
    {"probe", "probe NODE EOJ MODE LOW HIGH\n"
              "Find the settable temperature range of MODE between LOW and HIGH\n"
              "(0 <= LOW <= HIGH <= 50, degrees C), then restore the settings (AIF 5.3).\n"},
    {"fault", "fault NODE EOJ\n"
              "Read the fault status 0x88 and, on a fault, the codes 0x89 and 0x86 (AIF 5.5).\n"},
    {"run", "run\n"
            "Stay up: discover, poll, keep alive, report announcements and faults, and\n"
            "take commands on standard input, one per line: the commands above, and\n"
            "  line up|down   the public line is up or down (--remote)\n"
            "  house          the whole house: use now (meter E7) and today (its EA),\n"
            "                 generation now and today, sale today, battery charge %\n"
            "                 and mode, each device's 0x84\n"
            "  quit           finish the operations running, then exit\n"
            "Ends at the end of standard input or on SIGINT/SIGTERM (exit status 0).\n"
            "With no standard input (closed, or a device that is not a terminal such\n"
            "as /dev/null, as under systemd) it stays up as serve does.\n"},
    {"serve", "serve\n"
              "Run as a service: as run, but the end of standard input does not end it;\n"
              "it stays up until SIGTERM, SIGINT or a quit command. Commands come on\n"
              "standard input and on the control socket (--control PATH), whose clients\n"
              "each get the events of their own commands. SIGHUP reopens --log FILE.\n"},
    {"house", "house\n"
              "(standard input or control socket of run/serve) Show the whole house: use\n"
              "now (the smart meter's E7) and today (its half-hours), the meter's latest\n"
              "reading, generation now and today, sale today, the battery's charge, mode\n"
              "and power, each device's 0x84; today is the meter's day. With --json one\n"
              "house event (doc/hems-events.schema.json); the same as GET /api/house.\n"},
    {"energy", "energy [NODE] [--half-hour | --days N] [--csv] [--svg FILE]\n"
               "Show the energy log of --energy FILE: kWh per hour (the last 24), per\n"
               "half-hour (the last 48) or per day (the last N) of each series: the\n"
               "whole house, generation, sale, battery and each device (or those at NODE).\n"
               "  --half-hour  per half-hour, the last 48\n"
               "  --days N     per day, the last N days\n"
               "  --csv        CSV instead of a table\n"
               "  --svg FILE   write an SVG bar chart to FILE (no table then)\n"},
};

/* Prints COMMAND --help; returns 1, or 2 for an unknown command. */
static int print_command_help(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof command_help / sizeof command_help[0]; i++)
        if (strcmp(name, command_help[i].name) == 0) {
            printf("Usage: hems-controller [OPTIONS] %s\nOptions: see hems-controller --help.\n",
                   command_help[i].text);
            return 1;
        }
    return hems_usage_error("unknown command", name);
}

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
    } else if (strcmp(name, "--control") == 0 && value[0] != '\0') {
        o->control_path = value;
    } else if (strcmp(name, "--log") == 0 && value[0] != '\0') {
        o->log_path = value;
    } else if (strcmp(name, "--http") == 0) {
        o->http_listen = value;
    } else if (strcmp(name, "--http-token-file") == 0) {
        o->http_token_file = value;
    } else if (strcmp(name, "--http-remote") == 0 &&
               (strcmp(value, "always") == 0 || strcmp(value, "never") == 0 || strcmp(value, "non-local") == 0)) {
        o->http_remote = value;
    } else if (strcmp(name, "--broute") == 0 && value[0] != '\0') {
        o->broute_device = value;
    } else if (strcmp(name, "--broute-auth") == 0 && value[0] != '\0') {
        o->broute_auth = value;
    } else if (strcmp(name, "--broute-baud") == 0 && hems_parse_long(value, 1, 4000000, &v)) {
        o->broute_baud = v;
    } else if (hems_mqtt_option_known(name)) {
        return hems_mqtt_option(&o->mqtt, name, value, why);
    } else {
        return false;
    }
    return *why == NULL;
}

static bool takes_value(const char *name)
{
    static const char *const names[] = {"--state", "--response-timeout", "--keepalive", "--poll", "--wait",
                                         "--energy", "--energy-interval", "--utc-offset", "--offline-after",
                                         "--control", "--log", "--http", "--http-token-file", "--http-remote",
                                         "--broute", "--broute-auth", "--broute-baud"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return hems_mqtt_option_known(name) || udp_option_has_value(name);
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

/* Whether arg is an option of the program (not of a command): a flag, or
 * a name that takes a value ("--name" or "--name=value"). */
static bool is_global(const char *arg)
{
    char name[24];
    struct hems_options scratch;

    memset(&scratch, 0, sizeof scratch);
    if (strncmp(arg, "--", 2) != 0)
        return false;
    if (flag(arg, &scratch) || strcmp(arg, "--help") == 0 || strcmp(arg, "--version") == 0)
        return true;
    (void)posix_option_split(arg, name, sizeof name);
    return takes_value(name);
}

int hems_opts_parse(int argc, char **argv, struct hems_options *o, int *first, int *n_words)
{
    int i, n = 0;
    bool after_dashes = false;
    const char *help = NULL;

    memset(o, 0, sizeof *o);
    o->endpoint.port = ECHONET_PORT;
    o->response_timeout_s = ECHONET_CTL_MIN_RESPONSE_TIMEOUT / 1000u;
    o->keepalive_s = ECHONET_CTL_MAX_KEEPALIVE_INTERVAL / 1000u;
    o->poll_s = -1;
    o->wait_s = 5;
    o->energy_interval_s = 1800;
    o->utc_offset_s = 32400;
    /* Options anywhere before "--": before COMMAND, any word starting with
     * '-'; after it, only the program's own (the command's, such as
     * energy --csv, and numbers such as -5 stay its arguments). The
     * command's words are gathered at argv[1..n], in order. */
    for (i = 1; i < argc; i++) {
        char name[24];
        const char *arg = argv[i], *value, *why;

        if (after_dashes || arg[0] != '-' || arg[1] == '\0' ||
            (n > 0 && !is_global(arg) && strcmp(arg, "-h") != 0)) {
            argv[1 + n++] = argv[i];
            continue;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            help = n > 0 ? argv[1] : "";
            continue;
        }
        if (strcmp(arg, "--version") == 0) {
            posix_print_version("hems-controller");
            return 1;
        }
        if (strcmp(arg, "--http-routes") == 0)
            return hems_http_print_routes(stdout) == 0 ? 1 : 2;
        if (strcmp(arg, "--") == 0) {
            after_dashes = true;
            continue;
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
    if (help && help[0] != '\0')
        return print_command_help(help);
    if (help) {
        fputs(usage_text, stdout);
        fputs(hems_mqtt_usage, stdout);
        fputs(usage_tail, stdout);
        if (!hems_http_available())
            fputs("This build has no HTTP server (libmicrohttpd and jansson): --http is refused.\n", stdout);
        return 1;
    }
    *first = 1;
    *n_words = n;
    return 0;
}

int hems_opts_check(struct hems_options *o, const struct hems_cmd *cmd)
{
    struct udp_config *e = &o->endpoint;
    const char *value, *what;
    echonet_addr a;

    char why[200];
    bool meter = o->broute_device && cmd->n_nodes > 0 && broute_addr(&cmd->node[0]);

    if (hems_cmd_check_scope(cmd, o->broute_device != NULL, why, sizeof why) != 0)
        return hems_usage_error(why, NULL);
    if ((o->broute_device != NULL) != (o->broute_auth != NULL))
        return hems_usage_error(o->broute_device ? "--broute needs --broute-auth FILE (the route-B ID and password)"
                                                 : "--broute-auth is for --broute DEVICE",
                                NULL);
    /* The meter of --broute is not reached over UDP: its address says
     * nothing of the endpoint's family. */
    if (cmd->n_nodes > 0 && cmd->node[0].len != 4 && !e->ipv6 && !meter) {
        if (e->bind_addr && udp_addr_parse(e->bind_addr, &a) == 0 && a.len == 4)
            return hems_usage_error("an IPv6 NODE with an IPv4 --bind address:", e->bind_addr);
        e->ipv6 = true;
    }
    if (cmd->n_nodes > 0 && (cmd->node[0].len == 4) == e->ipv6 && !meter)
        return hems_usage_error("an IPv4 NODE with --ipv6", NULL);
    what = udp_config_check(e, &value);
    if (what)
        return hems_usage_error(what, value);
    what = hems_mqtt_config_check(&o->mqtt);
    if (!what && o->mqtt.host && cmd->kind != HEMS_CMD_RUN && cmd->kind != HEMS_CMD_SERVE)
        what = "--mqtt is for run and serve (a one-shot command does not stay up for a broker)";
    return what ? hems_usage_error(what, NULL) : 0;
}

