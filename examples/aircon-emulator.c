/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * aircon-emulator: an emulated ECHONET Lite node with 1 to 8 home air
 * conditioners (class 0x0130) over real UDP, built only on the public API.
 *
 *   aircon-emulator [--bind ADDR] [--ipv6] [--ifname IF] [--port N]
 *                   [--instances N] [--maker HEX] [--id HEX] [--max-opc N]
 *                   [--tick MS] [--extra]
 *
 * The node (echonet_node) holds the node profile 0x0EF001 and the objects
 * 0x013001 up to 0x0130NN, each an echonet_aircon model. It answers requests
 * sent to --port by unicast or to the multicast group (224.0.23.0, or
 * ff02::1 with --ipv6), sends every answer to the requester's address at
 * --port (reference 1: whatever the request's source port), and announces
 * to the group: the instance list 0xD5 at start-up, and every change of a
 * property in the announce map 0x9D. The objects keep the mandatory
 * properties plus 0x83, 0x86, 0x89 and 0x93, so that their maps are those
 * of the reference's worked example (9.2): 0x9D 06 80 81 88 8F A0 B0,
 * 0x9E 07 80 81 8F 93 A0 B0 B3, 0x9F 11 0D 01 01 0B 00 00 01 00 01 01 01 08
 * 00 02 02 03. --extra adds 0x84 (instantaneous power), 0x85 (cumulative
 * energy), 0xBA (room humidity, 50 %) and 0xBE (outdoor temperature, 28 °C).
 *
 * Physics, every --tick milliseconds: while a unit is ON in automatic,
 * cooling or heating mode with a defined set temperature, the room
 * temperature 0xBB moves 1 °C toward it (cooling only lowers it, heating
 * only raises it). With --extra, 0x84 follows the load: 2 W of standby when
 * OFF, 40 W for the fan alone (air-circulation mode), and 300 W + 100 W per
 * °C between room and set temperature when the compressor runs (the other
 * modes); 0x85 (0.001 kWh = 1 Wh) integrates it, wrapping after
 * 999 999.999 kWh. Values change through echonet_node_set_local(), as a real
 * unit's sensors would, so changes in 0x9D are announced (0xBB is not).
 *
 * Commands on standard input, one per line, for every unit or, after a
 * prefix "@N", for unit N only (the handset remote and the unit itself):
 *   on | off | mode auto|cool|heat|dry|fan | temp C (0-50) | fan N (0 auto,
 *   1-8) | room C (-127..125) | fault CODE (0x88 = fault, 0x89 = CODE,
 *   0x86 = 04 <maker> 00 00 CODE; CODE 0-65535, decimal or 0x hex) |
 *   recover (0x88 = no fault, 0x89 = 0, 0x86 = 04 <maker> 00 00 00 00) | quit
 * SIGUSR1 is "fault 1", SIGUSR2 "recover"; SIGINT and SIGTERM end the
 * program with status 0, as "quit" does. The end of standard input does not.
 *
 * Standard output, one JSON object per line, flushed:
 *   {"event":"start","port":3610,"instances":1,"ipv6":false}
 *   {"dir":"in","peer":"192.0.2.1:3610","frame":{...}}
 *   {"dir":"out","peer":"224.0.23.0:3610","frame":{...}}   (or "[ff02::1]:3610",
 *                                                            or the unicast peer)
 *   {"event":"command","line":"on"}
 *   {"event":"signal","signal":"SIGUSR1"}
 *   {"event":"error","message":"..."}       (a bad command, a failed send...)
 * where "frame" is the object echonet-dump prints (frame_json.h), an error
 * object for a datagram that is not one valid frame. Multicast is looped
 * back (udp.h), so the node's own announcements also come back as "in".
 *
 * Exit status: 0 after quit or a signal; 1 when the sockets cannot be
 * opened or standard output fails; 2 for a bad option.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <echonet/echonet.h>

#include "emu_node.h"
#include "evloop.h"
#include "posix_util.h"
#include "udp.h"

#define MAX_INSTANCES 8
#define QUEUE_SLOTS 4           /* requests waiting for an answer */
#define LINE_CAP 256u           /* longest command line */
#define DEFAULT_MAKER 0xFFFFF0u /* a "test" manufacturer code (reference 7, uecho) */
#define ROOM_HUMIDITY 50u       /* %, with --extra */
#define OUTDOOR_TEMPERATURE 28u /* °C, with --extra */
#define WATTS_STANDBY 2u        /* W when OFF */
#define WATTS_FAN 40u           /* W in air-circulation mode (no compressor) */
#define WATTS_BASE 300u         /* W when ON... */
#define WATTS_PER_DEGREE 100u   /* ...plus this per °C between room and set temperature */
#define WMS_PER_WH 3600000u     /* W·ms in a watt-hour (0x85 counts Wh) */
#define ENERGY_WRAP 1000000000u /* 0x85 counts 0 to 999 999.999 kWh */

struct options {
    struct udp_config endpoint; /* --bind, --ifname, --ipv6, --port */
    unsigned instances;
    uint8_t maker[3];
    uint8_t id[13];
    uint8_t max_opc;
    unsigned tick_ms;
    bool extra;
};

/* One air conditioner. */
struct unit {
    echonet_aircon model;
    echonet_object object;
    echonet_eoj eoj;
    unsigned watts;      /* 0x84 since the last tick */
    uint64_t energy_wms; /* energy since start, W·ms */
};

enum command_kind {
    CMD_ON, CMD_OFF, CMD_MODE, CMD_TEMP, CMD_FAN, CMD_ROOM, CMD_FAULT, CMD_RECOVER, CMD_QUIT
};

/* A parsed command line. */
struct command {
    enum command_kind kind;
    unsigned instance; /* 1-8, or 0 for every unit */
    long value;        /* the argument, as the property wants it */
};

struct emulator {
    struct options opt;
    struct emu_net net;  /* the UDP endpoint, its buffers */
    echonet_node node;
    echonet_object *slots[MAX_INSTANCES];
    echonet_node_request queue[QUEUE_SLOTS];
    struct unit units[MAX_INSTANCES];
    echonet_tstamp last_tick, next_tick;
    struct evloop loop;  /* its sources: the UDP endpoint, standard input */
    struct emu_stdin in;
};

static const char usage_text[] =
    "Usage: aircon-emulator [OPTIONS]\n"
    "An emulated ECHONET Lite node of home air conditioners (0x0130) over UDP.\n"
    "\n"
    "  --bind ADDR      local address to bind and send from (default 0.0.0.0, or ::)\n"
    "  --ipv6           IPv6 and ff02::1 instead of IPv4 and 224.0.23.0\n"
    "  --ifname IF      interface for multicast (default: the one holding ADDR,\n"
    "                   else the kernel's choice)\n"
    "  --port N         port to listen on and to send to (default 3610)\n"
    "  --instances N    1-8 objects 0x013001.. (default 1)\n"
    "  --maker HEX      manufacturer code, 6 hex digits (default FFFFF0)\n"
    "  --id HEX         identification number, up to 26 hex digits (default 0);\n"
    "                   object N adds N to the last byte\n"
    "  --max-opc N      process only the first N properties of a request (0: all)\n"
    "  --tick MS        physics step in milliseconds (default 1000)\n"
    "  --extra          add 0x84, 0x85, 0xBA and 0xBE to every object\n"
    "  -h, --help       this text\n"
    "  --version        the program's and libechonet's version\n"
    "\n"
    "Commands on standard input, for every unit or for unit N after \"@N \":\n"
    "  on | off | mode auto|cool|heat|dry|fan | temp C | fan 0-8 | room C |\n"
    "  fault CODE | recover | quit\n"
    "SIGUSR1: fault 1; SIGUSR2: recover; SIGINT, SIGTERM: exit.\n"
    "One JSON object per line on standard output.\n"
    "\n"
    "Exit status: 0 quit or signal, 1 socket or output failure, 2 bad option.\n";

/* ---- The units ------------------------------------------------------------ */

static uint8_t value_byte(const struct unit *u, uint8_t epc)
{
    uint8_t v = 0;

    (void)echonet_aircon_value(&u->model, epc, &v, 1);
    return v;
}

/* Changes a value as the unit itself does; NOT_FOUND (a property this unit
 * lacks) is ignored when optional. */
static void set_local(struct emulator *emu, const struct unit *u, uint8_t epc, const uint8_t *edt, size_t pdc,
                      bool optional, echonet_tstamp now)
{
    char text[64];
    echonet_err err = echonet_node_set_local(&emu->node, u->eoj, epc, edt, pdc, now);

    if (err != ECHONET_OK && !(optional && err == ECHONET_ERR_NOT_FOUND))
        emu_log_error("0x%06lx 0x%02x: %s", (unsigned long)u->eoj, (unsigned)epc, emu_err_text(err, text, sizeof text));
}

static void set_byte(struct emulator *emu, const struct unit *u, uint8_t epc, uint8_t v, echonet_tstamp now)
{
    set_local(emu, u, epc, &v, 1, false, now);
}

static uint8_t s8_edt(int celsius)
{
    return (uint8_t)(celsius < 0 ? celsius + 256 : celsius);
}

/* Sets 0x89, 0x86 and then 0x88 (announced) for a fault with a code, or
 * back to normal for code -1. */
static void set_fault(struct emulator *emu, const struct unit *u, long code, echonet_tstamp now)
{
    const uint8_t *m = emu->opt.maker;
    uint16_t c = code < 0 ? 0 : (uint16_t)code;
    uint8_t description[2] = {(uint8_t)(c >> 8), (uint8_t)c};
    /* 0x86: b1 = bytes of the maker-defined code, the maker code, then the
     * code: 4 bytes, the 0x89 value in the last two (zeros: no fault), as
     * echonet_aircon_init() stores it. */
    uint8_t maker_code[8] = {4, m[0], m[1], m[2], 0, 0, description[0], description[1]};

    set_local(emu, u, ECHONET_EPC_FAULT_DESCRIPTION, description, 2, true, now);
    set_local(emu, u, ECHONET_EPC_MAKER_FAULT_CODE, maker_code, sizeof maker_code, true, now);
    set_byte(emu, u, ECHONET_EPC_FAULT_STATUS, code < 0 ? ECHONET_NO_FAULT : ECHONET_FAULT, now);
}

static void apply(struct emulator *emu, const struct command *cmd, echonet_tstamp now)
{
    unsigned i;

    if (cmd->kind == CMD_QUIT) {
        evloop_stop(&emu->loop);
        return;
    }
    for (i = 0; i < emu->opt.instances; i++) {
        const struct unit *u = &emu->units[i];

        if (cmd->instance != 0 && cmd->instance != i + 1)
            continue;
        switch (cmd->kind) {
        case CMD_ON:
            set_byte(emu, u, ECHONET_EPC_OPERATION_STATUS, ECHONET_ON, now);
            break;
        case CMD_OFF:
            set_byte(emu, u, ECHONET_EPC_OPERATION_STATUS, ECHONET_OFF, now);
            break;
        case CMD_MODE:
            set_byte(emu, u, ECHONET_EPC_MODE, (uint8_t)cmd->value, now);
            break;
        case CMD_TEMP:
            set_byte(emu, u, ECHONET_EPC_SET_TEMPERATURE, (uint8_t)cmd->value, now);
            break;
        case CMD_FAN:
            set_byte(emu, u, ECHONET_EPC_AIR_FLOW, (uint8_t)cmd->value, now);
            break;
        case CMD_ROOM:
            set_byte(emu, u, ECHONET_EPC_ROOM_TEMPERATURE, s8_edt((int)cmd->value), now);
            break;
        case CMD_FAULT:
            set_fault(emu, u, cmd->value, now);
            break;
        case CMD_RECOVER:
            set_fault(emu, u, -1, now);
            break;
        case CMD_QUIT:
            break;
        }
    }
    emu_net_drain(&emu->net, now);
}

/* One physics step of dt milliseconds (see the header comment). */
static void physics(struct emulator *emu, struct unit *u, echonet_tstamp dt, echonet_tstamp now)
{
    uint8_t mode = value_byte(u, ECHONET_EPC_MODE), set = value_byte(u, ECHONET_EPC_SET_TEMPERATURE);
    bool on = value_byte(u, ECHONET_EPC_OPERATION_STATUS) == ECHONET_ON;
    bool defined = set <= ECHONET_TEMP_MAX;
    int room = 0;
    bool measured = echonet_aircon_measured_temp(value_byte(u, ECHONET_EPC_ROOM_TEMPERATURE), &room);

    if (on && defined && measured &&
        (mode == ECHONET_MODE_AUTO || mode == ECHONET_MODE_COOL || mode == ECHONET_MODE_HEAT)) {
        int step = 0;

        if (room > set && mode != ECHONET_MODE_HEAT)
            step = -1;
        else if (room < set && mode != ECHONET_MODE_COOL)
            step = 1;
        if (step != 0) {
            room += step;
            set_byte(emu, u, ECHONET_EPC_ROOM_TEMPERATURE, s8_edt(room), now);
        }
    }
    if (emu->opt.extra) {
        unsigned watts = WATTS_STANDBY;
        uint32_t wh;
        uint8_t power[2], energy[4];

        if (on && mode == ECHONET_MODE_FAN)
            watts = WATTS_FAN;
        else if (on)
            watts = WATTS_BASE + (defined && measured ? WATTS_PER_DEGREE * (unsigned)abs(room - set) : 0u);
        if (watts > 65533u)
            watts = 65533u;
        u->energy_wms += (uint64_t)u->watts * dt;
        u->watts = watts;
        wh = (uint32_t)(u->energy_wms / WMS_PER_WH % ENERGY_WRAP);
        power[0] = (uint8_t)(watts >> 8);
        power[1] = (uint8_t)watts;
        energy[0] = (uint8_t)(wh >> 24);
        energy[1] = (uint8_t)(wh >> 16);
        energy[2] = (uint8_t)(wh >> 8);
        energy[3] = (uint8_t)wh;
        set_local(emu, u, ECHONET_EPC_INSTANT_POWER, power, 2, false, now);
        set_local(emu, u, ECHONET_EPC_CUMULATIVE_ENERGY, energy, 4, false, now);
    }
}

static void tick(struct emulator *emu, echonet_tstamp now)
{
    unsigned i;

    if (now < emu->next_tick)
        return;
    for (i = 0; i < emu->opt.instances; i++)
        physics(emu, &emu->units[i], now - emu->last_tick, now);
    emu->last_tick = now;
    emu->next_tick += emu->opt.tick_ms;
    if (emu->next_tick <= now)
        emu->next_tick = now + emu->opt.tick_ms; /* fell behind: no burst of steps */
}

/* ---- Commands ------------------------------------------------------------- */

static bool parse_mode(const char *s, long *out)
{
    uint8_t mode;

    if (!posix_mode_by_name(s, &mode))
        return false;
    *out = mode;
    return true;
}

/* The argument of a command that takes one, checked; NULL when fine, else
 * what is wrong. */
static const char *parse_argument(struct command *cmd, const char *arg)
{
    long level;

    switch (cmd->kind) {
    case CMD_MODE:
        return parse_mode(arg, &cmd->value) ? NULL : "mode: expected auto, cool, heat, dry or fan";
    case CMD_TEMP:
        return emu_parse_long(arg, false, 0, ECHONET_TEMP_MAX, &cmd->value) ? NULL : "temp: expected 0 to 50";
    case CMD_FAN:
        if (!emu_parse_long(arg, false, 0, 8, &level))
            return "fan: expected 0 (auto) to 8";
        cmd->value = echonet_aircon_flow_edt((int)level);
        return NULL;
    case CMD_ROOM:
        return emu_parse_long(arg, false, -127, 125, &cmd->value) ? NULL : "room: expected -127 to 125";
    case CMD_FAULT:
        return emu_parse_long(arg, true, 0, 0xFFFF, &cmd->value) ? NULL : "fault: expected a code 0 to 65535 (or 0x0 to 0xffff)";
    default:
        return NULL;
    }
}

/* Parses a command line (modified: split into words). Returns NULL, or
 * what is wrong with it. */
static const char *parse_command(struct emulator *emu, char *line, struct command *cmd)
{
    static const struct {
        const char *name;
        enum command_kind kind;
        bool has_arg;
    } table[] = {
        {"on", CMD_ON, false},     {"off", CMD_OFF, false},         {"mode", CMD_MODE, true},
        {"temp", CMD_TEMP, true},  {"fan", CMD_FAN, true},          {"room", CMD_ROOM, true},
        {"fault", CMD_FAULT, true}, {"recover", CMD_RECOVER, false}, {"quit", CMD_QUIT, false},
    };
    char *words[4];
    size_t n = 0, i, first = 0;
    char *save = NULL, *w;
    long instance;

    for (w = strtok_r(line, " \t", &save); w && n < 4; w = strtok_r(NULL, " \t", &save))
        words[n++] = w;
    cmd->instance = 0;
    cmd->value = 0;
    if (n > 0 && words[0][0] == '@') {
        if (!emu_parse_long(words[0] + 1, false, 1, (long)emu->opt.instances, &instance))
            return "@N: no such unit";
        cmd->instance = (unsigned)instance;
        first = 1;
    }
    if (n == first)
        return "missing command";
    for (i = 0; i < sizeof table / sizeof table[0]; i++) {
        if (strcmp(words[first], table[i].name) != 0)
            continue;
        cmd->kind = table[i].kind;
        if (n - first != (table[i].has_arg ? 2u : 1u))
            return table[i].has_arg ? "expected one argument" : "expected no argument";
        return table[i].has_arg ? parse_argument(cmd, words[first + 1]) : NULL;
    }
    return "unknown command";
}

/* A line of standard input (lines_fn). */
static bool run_line(void *user, char *line, bool too_long)
{
    struct emulator *emu = user;
    char copy[LINE_CAP];
    struct command cmd;
    const char *why;

    if (too_long) {
        emu_log_error("command line longer than %u bytes", LINE_CAP - 1u);
        return true;
    }
    if (emu_is_blank(line))
        return true;
    memcpy(copy, line, sizeof copy);
    why = parse_command(emu, copy, &cmd);
    if (why) {
        emu_log_error("%s: %s", line, why);
        return true;
    }
    emu_log_event("command", "line", line);
    apply(emu, &cmd, posix_now_ms());
    return !emu->loop.stop;
}

/* The loop's signal handler. */
static void on_signal(void *user, int sig)
{
    struct emulator *emu = user;
    struct command cmd = {CMD_FAULT, 0, 1};

    if (sig == SIGUSR1) {
        emu_log_event("signal", "signal", "SIGUSR1");
        apply(emu, &cmd, posix_now_ms());
    } else if (sig == SIGUSR2) {
        emu_log_event("signal", "signal", "SIGUSR2");
        cmd.kind = CMD_RECOVER;
        apply(emu, &cmd, posix_now_ms());
    } else {
        emu_log_event("signal", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
        evloop_stop(&emu->loop);
    }
}

/* ---- Options -------------------------------------------------------------- */

static bool option_value(void *user, const char *name, const char *value)
{
    struct options *o = user;
    long v;

    if (strcmp(name, "--instances") == 0 && emu_parse_long(value, false, 1, MAX_INSTANCES, &v))
        o->instances = (unsigned)v;
    else if (strcmp(name, "--maker") == 0 && strlen(value) == 6 && posix_parse_hex(value, o->maker, 3, false) == 3)
        ;
    else if (strcmp(name, "--id") == 0 && posix_parse_hex(value, o->id, 13, true) == 13)
        ;
    else if (strcmp(name, "--max-opc") == 0 && emu_parse_long(value, false, 0, 255, &v))
        o->max_opc = (uint8_t)v;
    else if (strcmp(name, "--tick") == 0 && emu_parse_long(value, false, 1, 86400000L, &v))
        o->tick_ms = (unsigned)v;
    else
        return false;
    return true;
}

static bool takes_value(const char *name)
{
    static const char *const names[] = {"--instances", "--maker", "--id", "--max-opc", "--tick"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

static bool option_flag(void *user, const char *arg)
{
    struct options *o = user;

    if (strcmp(arg, "--extra") != 0)
        return false;
    o->extra = true;
    return true;
}

/* Returns 0 to run, 1 after --help or --version, 2 (with a message) on a bad option. */
static int parse_options(int argc, char **argv, struct options *o)
{
    const struct emu_args args = {"aircon-emulator", usage_text, &o->endpoint, option_flag, takes_value,
                                  option_value, o};

    memset(o, 0, sizeof *o);
    o->endpoint.port = ECHONET_PORT;
    o->endpoint.broadcast = true; /* a node hears IPv4 broadcast (reference 1) */
    o->instances = 1;
    o->maker[0] = (uint8_t)(DEFAULT_MAKER >> 16);
    o->maker[1] = (uint8_t)(DEFAULT_MAKER >> 8);
    o->maker[2] = (uint8_t)DEFAULT_MAKER;
    o->tick_ms = 1000;
    return emu_parse_args(&args, argc, argv);
}

/* ---- Set-up and main loop ------------------------------------------------- */

static int setup_node(struct emulator *emu)
{
    static const uint8_t keep[] = {0x83, 0x86, 0x89, 0x93, 0x84, 0x85, 0xBA, 0xBE};
    const struct options *o = &emu->opt;
    echonet_node_config cfg;
    echonet_propmap omit;
    const echonet_prop_desc *props;
    size_t n_props;
    unsigned i;
    char text[64];
    echonet_err err;

    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.manufacturer, o->maker, 3);
    memcpy(cfg.unique_id, o->id, 13);
    cfg.max_opc = o->max_opc;
    err = echonet_node_init(&emu->node, &cfg, emu->slots, MAX_INSTANCES, emu->queue, QUEUE_SLOTS);
    props = echonet_aircon_props(&n_props);
    echonet_aircon_omit(&omit, keep, o->extra ? 8 : 4);
    for (i = 0; i < o->instances && err == ECHONET_OK; i++) {
        struct unit *u = &emu->units[i];
        uint8_t id[17] = {0xFE, o->maker[0], o->maker[1], o->maker[2]};
        static const uint8_t humidity = ROOM_HUMIDITY, outdoor = OUTDOOR_TEMPERATURE;
        static const uint8_t standby[2] = {0, WATTS_STANDBY}; /* OFF from the start */

        u->eoj = ECHONET_EOJ_OF_CLASS(ECHONET_CLASS_HOME_AIRCON, i + 1);
        memcpy(id + 4, o->id, 13);
        id[16] = (uint8_t)(id[16] + i + 1);
        err = echonet_aircon_init(&u->model, o->maker);
        if (err == ECHONET_OK)
            err = echonet_aircon_store(&u->model, ECHONET_EPC_IDENTIFICATION, id, sizeof id);
        if (err == ECHONET_OK)
            err = echonet_aircon_store(&u->model, ECHONET_EPC_ROOM_HUMIDITY, &humidity, 1);
        if (err == ECHONET_OK)
            err = echonet_aircon_store(&u->model, ECHONET_EPC_OUTDOOR_TEMPERATURE, &outdoor, 1);
        if (err == ECHONET_OK)
            err = echonet_aircon_store(&u->model, ECHONET_EPC_INSTANT_POWER, standby, 2);
        if (err == ECHONET_OK)
            err = echonet_object_init(&u->object, u->eoj, props, n_props, &omit, &echonet_aircon_ops, &u->model);
        if (err == ECHONET_OK)
            err = echonet_node_add(&emu->node, &u->object);
    }
    if (err != ECHONET_OK) {
        fprintf(stderr, "aircon-emulator: setting up the node: %s\n", emu_err_text(err, text, sizeof text));
        return -1;
    }
    return 0;
}

static int setup_transport(struct emulator *emu)
{
    char why[256];

    if (udp_open(&emu->net.udp, &emu->opt.endpoint, why, sizeof why) != 0) {
        fprintf(stderr, "aircon-emulator: %s\n", why);
        return -1;
    }
    return 0;
}

/* ---- The loop's sources ----------------------------------------------------- */

/* The UDP endpoint and the node's and the physics' deadlines. */
static int net_fds(void *self, struct pollfd *out, int cap)
{
    const struct emulator *emu = self;

    return emu_net_fds(&emu->net, out, cap);
}

/* Until the next tick or node deadline. */
static int net_timeout(void *self)
{
    const struct emulator *emu = self;
    echonet_tstamp deadline = echonet_node_expiry(&emu->node);

    if (emu->next_tick < deadline)
        deadline = emu->next_tick;
    return evloop_ms_until(deadline, posix_now_ms());
}

static void net_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct emulator *emu = self;
    echonet_tstamp now;
    int i;

    for (i = 0; i < n && !emu->loop.stop; i++)
        if (fds[i].revents != 0)
            emu_net_receive(&emu->net, fds[i].fd);
    now = posix_now_ms();
    tick(emu, now);
    emu_net_drain(&emu->net, now);
    if (ferror(stdout))
        evloop_stop(&emu->loop);
}

static int setup_loop(struct emulator *emu)
{
    static const int caught[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
    const struct evloop_source net = {emu, net_fds, net_timeout, net_dispatch};

    if (evloop_init(&emu->loop, caught, sizeof caught / sizeof caught[0], on_signal, emu) != 0)
        return -1;
    (void)evloop_add(&emu->loop, &net);
    (void)emu_stdin_add(&emu->in, &emu->loop, LINE_CAP, run_line, emu);
    return 0;
}

static void run(struct emulator *emu)
{
    echonet_tstamp now = posix_now_ms();

    tick(emu, now);
    emu_net_drain(&emu->net, now);
    while (!emu->loop.stop && !ferror(stdout))
        if (evloop_turn(&emu->loop) != 0)
            emu_log_error("poll: %s", strerror(errno));
}

int main(int argc, char **argv)
{
    static const char *const no_group = "joining the multicast group %s failed: %s";
    struct emulator state; /* about 140 KB, mostly the two datagram buffers */
    struct emulator *emu = &state;
    char group[UDP_FORMAT_MAX];
    int status;

    memset(emu, 0, sizeof *emu);
    emu->net.node = &emu->node;
    status = parse_options(argc, argv, &emu->opt);
    if (status != 0)
        return status == 1 ? 0 : status;
    if (setup_loop(emu) != 0) {
        perror("aircon-emulator: signals");
        return 1;
    }
    if (setup_node(emu) != 0 || setup_transport(emu) != 0)
        return 1;
    emu->last_tick = posix_now_ms();
    emu->next_tick = emu->last_tick + emu->opt.tick_ms;
    printf("{\"event\":\"start\",\"port\":%u,\"instances\":%u,\"ipv6\":%s}\n", (unsigned)emu->opt.endpoint.port,
           emu->opt.instances, emu->opt.endpoint.ipv6 ? "true" : "false");
    fflush(stdout);
    if (emu->net.udp.group_errno != 0)
        emu_log_error(no_group, udp_format_group(&emu->net.udp, group, sizeof group), strerror(emu->net.udp.group_errno));
    run(emu);
    status = 0;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("aircon-emulator: standard output");
        status = 1;
    }
    udp_close(&emu->net.udp);
    return status;
}
