/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems-controller: a HEMS controller for home air conditioners (class
 * 0x0130) over real UDP, following the AIF air-conditioner/HEMS spec Ver.
 * 1.10, built only on the public API.
 *
 *   hems-controller [OPTIONS] COMMAND [ARGS]
 *
 *   discover [--wait S] [NODE...]   list the air conditioners that answer
 *   get NODE EOJ EPC...             read properties
 *   set NODE EOJ SETTING...         write (EPC=HEX, on, off, mode M, temp C,
 *                                   fan 0-8), verified by a Get
 *   status NODE [EOJ]               read and show the state
 *   probe NODE EOJ MODE LOW HIGH    the temperature-range probe (AIF 5.3)
 *   fault NODE EOJ                  the fault read-out (AIF 5.5)
 *   run                             stay up: discover, poll, keep alive,
 *                                   react to announcements and faults, and
 *                                   take the commands above (and `line
 *                                   up|down`, `house`, `quit`) on standard
 *                                   input; `house` prints the whole house
 *                                   (hems_house.h)
 *   serve                           the same as a service: the end of
 *                                   standard input does not end it, only
 *                                   SIGTERM, SIGINT or `quit` (on standard
 *                                   input or the control socket) do
 *   energy [NODE] [--half-hour | --days N] [--csv] [--svg FILE]
 *                                   show the --energy FILE: kWh per hour
 *                                   (last 24), half-hour (last 48) or day
 *                                   (last N) of each series (whole house,
 *                                   generation, sale, battery, devices), as
 *                                   a table, CSV or an SVG bar chart
 *                                   (hems_energy.h)
 *
 * NODE is the device's IP address (127.0.0.2, ::1, fe80::1%eth0); an IPv6
 * NODE implies --ipv6. EOJ is 0130xx (e.g. 013001). The grammar is in
 * hems_cmd.h; the output, one line per event, in hems_print.h.
 *
 * Options (before or after COMMAND, until "--"; COMMAND --help shows a
 * command's usage, --version the version): --bind ADDR, --ifname IF, --ipv6 and --port N
 * (default 3610, for listening and as destination) choose the endpoint
 * (udp.h); --response-timeout S (default and minimum 20, AIF 2.4.2);
 * --keepalive S (default and maximum 28800 = 8 h, AIF 3.5 ③); --poll S
 * (reading 0xB3 and 0xBB, default 180, 0 never); --offline-after N
 * (requests without answer before a unit is offline, default 3; a unit
 * that goes offline before it was ever ready may be forgotten to make room
 * when the tables are full); --remote (operations come
 * from a public network: writes carry 0x93 = 0x42 first and keepalives
 * 0x93 = 0x62 go out while the public line is up, which it is until a
 * `line down`); --state FILE (the controller's snapshot, hems_state.h:
 * loaded at start, saved atomically within 5 s of an air conditioner found
 * or ready, at most once a minute for the requests' TIDs alone, and at
 * exit);
 * --json (JSON lines instead of text); --wait S (how long an air
 * conditioner may take to be discovered, default 5); --energy FILE (the
 * energy log, hems_energy.h: every 0x84/0x85 value read is added; the
 * file is saved atomically at most once a minute and at exit),
 * --energy-interval S (reading 0x84/0x85, 60 to 1800, default 1800) and --utc-offset S (local days of the log, default
 * 32400 = JST); see doc/energy.md. The values the controller's class
 * profiles read from the smart meter, PV, storage battery and fuel cell
 * (and every 0x84) are kept by hems_house.c for `house` and GET /api/house,
 * and fed into the energy log's whole-house, sale, generation and battery
 * series. --http ADDR:PORT (run, serve) serves the
 * dashboard and the HTTP API, --http-token-file FILE its bearer token,
 * --http-remote MODE which of its writes are remote operation (hems_http.h,
 * doc/http-api.md): its requests become the commands of standard input and
 * its answers the events, printed as JSON for it by a twin printer.
 * --control PATH (run, serve): a Unix-domain stream socket, created mode
 * 0600, taking the commands of standard input, one per line, from up to 16
 * clients at once; each client gets the events of its own commands, as
 * printed (hems_control.h).
 * --log FILE: standard output and error are appended to FILE, reopened on
 * SIGHUP (after logrotate renamed it).
 * --broute DEVICE, --broute-auth FILE, --broute-baud N: the smart meter
 * over Wi-SUN B-route (broute.h, doc/broute.md): a SKSTACK-IP module on a
 * serial port; every datagram for an IPv6 link-local address without
 * interface goes through it (SKSENDTO), and the meter's ERXUDP lines are
 * received as datagrams from that address. When its session comes up the
 * meter is searched (echonet_ctl_add_node()) as any node.
 *
 * `run` whose standard input is closed, or a device that is not a terminal
 * (/dev/null, as systemd gives a service), is `serve`: there is nothing to
 * read, so the end of it does not end the program. examples/
 * hems-controller.service is the systemd unit.
 *
 * The program is one ECHONET Lite node: an echonet_node holding a
 * controller object 0x05FF01 (the superclass's mandatory properties), so it
 * announces its instance list 0xD5 at start (AIF 3.1.1) and answers other
 * controllers' searches, plus an echonet_ctl that manages the air
 * conditioners. One UDP endpoint; every datagram is decoded once and the
 * frame goes to echonet_node_read_frame(), and the responses and
 * notifications it forwards to echonet_ctl_read_frame(). After every
 * input both are drained; poll() sleeps until the earlier of their
 * expiries (CLOCK_MONOTONIC milliseconds), in the loop of evloop.h, whose
 * sources are added in setup_loop() and setup_control(); every event
 * printed passes through on_output(). The
 * program's own multicasts come back (udp.h loops them) and are dropped, so
 * its node does not answer its own controller's searches.
 *
 * A one-shot command waits until its air conditioner is ready (its maps,
 * identification and state known), or at once when the state file knows
 * it, runs, prints its events and its outcome, and exits. A node a command
 * names that is not known yet is searched by unicast (echonet_ctl_add_node():
 * a Get 0xD6 to it, asked again with a new TID only after the response
 * timer, AIF 2.4.1-2.4.3), so that a device is found where multicast does
 * not reach, such as a loopback without a multicast route. A one-shot
 * command that names its nodes sends no multicast search; in `run`, a node
 * named while the multicast search can still be answered is asked when it
 * no longer can (up to the response timer, 20 s, after the search), unless
 * it has answered by then. Events are taken from the controller's callback into a queue and
 * handled once the library call returns, as the callback must not call
 * back into the controller.
 *
 * Exit status: 0 when the operation's outcome is done (discover: an air
 * conditioner was found, and one at each NODE it names; run: at the end of
 * standard input, after the operations still running, or on
 * SIGINT/SIGTERM; serve: on SIGINT/SIGTERM or after `quit`); 1 for another outcome, a node that was not found within
 * --wait (discover: none found), or a socket or file failure; 2 for bad input (an unknown
 * command or option, bad hex, a value the class table refuses...), always
 * before anything is sent for it.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <echonet/echonet.h>

#include "broute.h"
#include "evloop.h"
#include "hems_cmd.h"
#include "hems_control.h"
#include "hems_energy.h"
#include "hems_house.h"
#include "hems_http.h"
#include "hems_mqtt.h"
#include "hems_opts.h"
#include "hems_print.h"
#include "hems_self.h"
#include "hems_state.h"
#include "lines.h"
#include "posix_util.h"
#include "udp.h"

#define MAX_NODES 256
#define MAX_OBJECTS 512
#define MAX_OPS 64
#define INDEX_SIZE 512          /* a power of two, at least 2 x MAX_NODES */
#define QUEUE_SLOTS 4           /* requests to the node waiting for an answer */
#define MAX_HELD 16             /* commands waiting for their air conditioner */
#define MAX_EVENTS 1024         /* events of one library call */
#define DATAGRAM_CAP 65536u     /* more than any UDP payload */
#define LINE_CAP 1024u          /* longest command line */
#define MAX_WORDS 48
#define READS_PER_WAKEUP 32
#define ECHO_SLOTS 8            /* own multicasts remembered... */
#define ECHO_BYTES 64           /* ...when this short (searches and small INFs) */
#define ECHO_WINDOW_MS 2000u    /* ...for this long */
#define CODE_86_MAX 225u        /* longest 0x86 (maker fault code) */
#define DEFAULT_MAKER 0xFFFFF0u /* the "test" manufacturer code, as aircon-emulator */

/* What the program knows of an air conditioner beyond the library's cache. */
struct aircon {
    uint16_t node;
    echonet_eoj eoj;
    bool ready;       /* READY was reported, or the state file knew it */
    bool has_maker;
    uint8_t maker[3]; /* 0x8A, read with the identification */
    bool has_power;
    uint16_t power_w; /* 0x84, the last value read (for --http) */
    uint8_t n89;      /* the fault codes read last (0: none) */
    uint8_t c89[2];
    uint8_t n86;
    uint8_t c86[CODE_86_MAX];
};

/* An operation started by a command, until its DONE event. */
struct pending {
    bool used;
    enum hems_cmd_kind kind;
    uint16_t handle;
    uint16_t node;
    echonet_eoj eoj;
    echonet_propmap epcs; /* get/set: the properties whose events are shown */
    unsigned origin;      /* the control client that sent the command (0: none) */
};

/* A command waiting for its air conditioner to be ready (discover: for
 * its time to end). */
struct held {
    bool used;
    struct hems_cmd cmd;
    long wait_s;
    echonet_tstamp deadline;
    bool searched; /* its nodes not known were searched by unicast */
    unsigned origin; /* the control client that sent it (0: none) */
};

struct hems {
    struct hems_options opt;
    struct hems_printer out;
    struct hems_cmd cmd; /* the command line's */
    struct udp_transport udp;
    /* The node: the controller object 0x05FF01. */
    echonet_node node;
    struct hems_self self;
    echonet_object *slots[1];
    echonet_node_request requests[QUEUE_SLOTS];
    /* The controller and its storage. */
    echonet_ctl ctl;
    echonet_ctl_node ctl_nodes[MAX_NODES];
    echonet_ctl_object ctl_objects[MAX_OBJECTS];
    echonet_ctl_op ctl_ops[MAX_OPS];
    uint16_t ctl_index[INDEX_SIZE];
    uint16_t ctl_heap[MAX_NODES];
    /* Events of the library call in progress. */
    echonet_ctl_event events[MAX_EVENTS]; /* values copied into the arena */
    size_t n_events;
    uint8_t arena[DATAGRAM_CAP];
    size_t arena_used;
    bool events_lost;
    /* What the commands are doing. */
    struct aircon aircons[MAX_OBJECTS];
    unsigned n_aircons;
    struct pending pending[MAX_OPS];
    struct held held[MAX_HELD];
    /* The values of a one-shot get or set, printed once each at its end. */
    struct {
        bool seen;
        bool changed;
        uint8_t pdc;
        uint8_t edt[255];
    } values[ECHONET_CTL_BATCH_MAX];
    /* Own multicasts, to recognise them when they come back. */
    struct {
        echonet_tstamp at;
        size_t len;
        uint8_t bytes[ECHO_BYTES];
    } echoes[ECHO_SLOTS];
    unsigned next_echo;
    bool multicast_warned;
    /* The state file. */
    struct hems_state_file state;
    /* The energy log (--energy), NULL without. */
    struct hems_energy *energy;
    /* The whole house from the values read (hems_house.h). */
    struct hems_house house;
    /* The dashboard and HTTP API (--http), NULL without, and the JSON
     * printer that gives it every event whatever --json says. */
    struct hems_http *http;
    struct hems_printer json_out;
    /* The MQTT bridge (--mqtt), a source of the loop; NULL without. */
    struct hems_mqtt *mqtt;
    /* The Wi-SUN B-route transport to the smart meter (--broute), a source
     * of the loop; NULL without. */
    struct broute *broute;
    /* The loop and its sources; standard input (run), the end. */
    struct evloop loop;
    bool daemon;       /* run or serve */
    bool serve;        /* the end of standard input does not end it */
    bool quitting;     /* a quit command came */
    bool stdin_open;
    struct lines line; /* of standard input */
    /* The control socket (--control), NULL without; the client whose
     * command's events are being printed (0: none). */
    struct hems_control *control;
    unsigned origin;
    int status;
    uint8_t rx[DATAGRAM_CAP];
    uint8_t tx[DATAGRAM_CAP];
};

/* ---- Messages ------------------------------------------------------------- */

/* An error code as text: its name and message, or its number when the
 * library was built without error strings. */
static const char *err_text(int err, char *buf, size_t cap)
{
    const char *name = echonet_err_name(err), *text = echonet_strerror(err);

    if (name[0] == '\0')
        snprintf(buf, cap, "error %d", err);
    else if (text[0] == '\0')
        snprintf(buf, cap, "%s", name);
    else
        snprintf(buf, cap, "%s (%s)", name, text);
    return buf;
}

/* An error code as a machine-readable name: its echonet_err_name(), or
 * "echonet_err_N" for error -N when the library has no error strings. */
static const char *err_code(int err, char *buf, size_t cap)
{
    const char *name = echonet_err_name(err);

    if (name[0] == '\0')
        snprintf(buf, cap, "echonet_err_%d", -err);
    else
        snprintf(buf, cap, "%s", name);
    return buf;
}

static const char *node_name(const struct hems *h, uint16_t node, char *buf, size_t cap);

/* An air conditioner's name in the energy file: "ADDR/EOJ". */
static const char *energy_key(const struct hems *h, uint16_t node, echonet_eoj eoj, char *buf, size_t cap)
{
    char addr[UDP_FORMAT_MAX];

    snprintf(buf, cap, "%s/%06lx", node_name(h, node, addr, sizeof addr), (unsigned long)eoj);
    return buf;
}

static const char *node_name(const struct hems *h, uint16_t node, char *buf, size_t cap)
{
    const echonet_addr *a = echonet_ctl_node_addr(&h->ctl, node);

    return a ? udp_format_addr(a, buf, cap) : "?";
}

/* ---- Output: every event --------------------------------------------------- */

/* Every event the program prints comes here once, as written by hems_print
 * (JSON with --json, else text): to standard output, the event log, and to
 * whatever else follows the events. */
static void on_output(void *user, const char *text, size_t len, bool text_error)
{
    struct hems *h = user;

    if (!text_error) {
        fwrite(text, 1, len, stdout);
        fflush(stdout);
    }
    /* The control client whose command this event answers. */
    if (h->control && h->origin != 0)
        hems_control_send(h->control, h->origin, text, len);
}

/* Records a failure of a command: the exit status of a one-shot command. */
static void failed(struct hems *h, int status)
{
    if (h->status == 0)
        h->status = status;
}

/* code: as hems_print_error()'s. */
static void command_error(struct hems *h, const echonet_addr *node, echonet_eoj eoj, int status, const char *code,
                          const char *message)
{
    char name[UDP_FORMAT_MAX];

    hems_print_error(&h->out, node ? udp_format_addr(node, name, sizeof name) : NULL, eoj, code, message);
    failed(h, status);
}

/* ---- Air conditioners and operations --------------------------------------- */

static struct aircon *aircon_find(struct hems *h, uint16_t node, echonet_eoj eoj)
{
    unsigned i;

    for (i = 0; i < h->n_aircons; i++)
        if (h->aircons[i].node == node && h->aircons[i].eoj == eoj)
            return &h->aircons[i];
    return NULL;
}

static struct aircon *aircon_add(struct hems *h, uint16_t node, echonet_eoj eoj)
{
    struct aircon *a = aircon_find(h, node, eoj);

    if (!a && h->n_aircons < MAX_OBJECTS) {
        a = &h->aircons[h->n_aircons++];
        memset(a, 0, sizeof *a);
        a->node = node;
        a->eoj = eoj;
    }
    return a;
}

static struct pending *pending_find(struct hems *h, uint16_t handle)
{
    unsigned i;

    for (i = 0; i < MAX_OPS; i++)
        if (h->pending[i].used && h->pending[i].handle == handle)
            return &h->pending[i];
    return NULL;
}

/* Whether a property event belongs to a get or set in progress. */
static bool pending_shows(const struct hems *h, const echonet_ctl_event *ev)
{
    unsigned i;

    for (i = 0; i < MAX_OPS; i++) {
        const struct pending *p = &h->pending[i];

        if (p->used && (p->kind == HEMS_CMD_GET || p->kind == HEMS_CMD_SET) && p->node == ev->node &&
            p->eoj == ev->eoj && echonet_propmap_contains(&p->epcs, ev->epc))
            return true;
    }
    return false;
}

/* Whether a PROPERTY event is part of a one-shot status of an object of
 * another class than the air conditioner: shown as it comes (its state
 * has only power and fault). */
static bool pending_status_other(const struct hems *h, const echonet_ctl_event *ev)
{
    unsigned i;

    if (ECHONET_EOJ_CLASS(ev->eoj) == ECHONET_CLASS_HOME_AIRCON)
        return false;
    for (i = 0; i < MAX_OPS; i++) {
        const struct pending *p = &h->pending[i];

        if (p->used && p->kind == HEMS_CMD_STATUS && p->node == ev->node && p->eoj == ev->eoj)
            return true;
    }
    return false;
}

/* Whether a FAULT event is the result of a `fault` command: the library
 * emits it just before the DONE of the read-out operation (FAULT events
 * carry no operation handle; one of its own read-outs has no DONE). */
static bool fault_of_command(struct hems *h, const echonet_ctl_event *ev, const echonet_ctl_event *next)
{
    const struct pending *p = next && next->kind == ECHONET_CTL_EV_DONE ? pending_find(h, next->op) : NULL;

    return p && p->kind == HEMS_CMD_FAULT && p->node == ev->node && p->eoj == ev->eoj;
}

static unsigned pending_count(const struct hems *h)
{
    unsigned i, n = 0;

    for (i = 0; i < MAX_OPS; i++)
        n += h->pending[i].used;
    return n;
}

/* ---- Events -------------------------------------------------------------------- */

/* Drops what the program keeps of a forgotten node's air conditioners: its
 * index may come back in FOUND for another address. */
static void forget_node(struct hems *h, uint16_t node)
{
    unsigned i;

    for (i = 0; i < h->n_aircons;)
        if (h->aircons[i].node == node)
            memmove(&h->aircons[i], &h->aircons[i + 1], (--h->n_aircons - i) * sizeof h->aircons[0]);
        else
            i++;
}

/* The controller's callback: copies the event for handle_events(). */
static void on_event(void *user, const echonet_ctl_event *ev)
{
    struct hems *h = user;
    echonet_ctl_event *q;

    /* At once, not when handled: were the event lost (queue full), the
     * entries would be taken for the next node with that index. */
    if (ev->kind == ECHONET_CTL_EV_FORGOTTEN || ev->kind == ECHONET_CTL_EV_ALIAS)
        forget_node(h, ev->node); /* (an alias's units are its unit's node's) */
    if (h->n_events == MAX_EVENTS || (ev->kind == ECHONET_CTL_EV_PROPERTY &&
                                      ev->pdc > sizeof h->arena - h->arena_used)) {
        h->events_lost = true;
        return;
    }
    q = &h->events[h->n_events++];
    *q = *ev;
    if (ev->kind == ECHONET_CTL_EV_PROPERTY && ev->pdc > 0) {
        memcpy(h->arena + h->arena_used, ev->edt, ev->pdc);
        q->edt = h->arena + h->arena_used;
        h->arena_used += ev->pdc;
    }
    /* A forgotten node's address, which its index may name no more by the
     * time the event is handled. */
    if (ev->kind == ECHONET_CTL_EV_FORGOTTEN) {
        const echonet_addr *a = echonet_ctl_node_addr(&h->ctl, ev->node);

        q->edt = NULL;
        if (a && sizeof h->arena - h->arena_used >= sizeof *a) {
            memcpy(h->arena + h->arena_used, a, sizeof *a);
            q->edt = h->arena + h->arena_used;
            h->arena_used += sizeof *a;
        }
    }
}

/* Keeps what the program needs of a value (maker, fault codes) and shows
 * it when it is wanted. */
static void on_property(struct hems *h, const echonet_ctl_event *ev)
{
    const uint8_t *edt = ev->edt;
    struct aircon *a = aircon_find(h, ev->node, ev->eoj);
    char node[UDP_FORMAT_MAX];

    if (a && ev->epc == ECHONET_EPC_MANUFACTURER && ev->pdc == 3) {
        memcpy(a->maker, edt, 3);
        a->has_maker = true;
    } else if (a && ev->epc == ECHONET_EPC_FAULT_DESCRIPTION && ev->pdc == 2) {
        memcpy(a->c89, edt, 2);
        a->n89 = 2;
    } else if (a && ev->epc == ECHONET_EPC_MAKER_FAULT_CODE && ev->pdc <= CODE_86_MAX) {
        memcpy(a->c86, edt, ev->pdc);
        a->n86 = ev->pdc;
    }
    if (a && ev->epc == ECHONET_EPC_INSTANT_POWER && ev->pdc == 2) {
        a->power_w = (uint16_t)(edt[0] << 8 | edt[1]);
        a->has_power = true;
    }
    if (h->energy && (ev->epc == ECHONET_EPC_INSTANT_POWER || ev->epc == ECHONET_EPC_CUMULATIVE_ENERGY))
        (void)hems_energy_value(h->energy, energy_key(h, ev->node, ev->eoj, node, sizeof node), ev->epc, edt, ev->pdc,
                                time(NULL));
    /* The whole house (the meter, PV, battery, fuel cell and every 0x84). */
    hems_house_property(&h->house, h->energy, energy_key(h, ev->node, ev->eoj, node, sizeof node), ev->eoj, ev->epc,
                        edt, ev->pdc, time(NULL));
    if (h->daemon || pending_status_other(h, ev)) {
        hems_print_property(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj, ev->epc, edt, ev->pdc,
                            ev->changed);
    } else if (pending_shows(h, ev)) {
        /* A one-shot get or set: the value may come twice (an announcement
         * and the verifying read); kept until the end. */
        unsigned k;

        for (k = 0; k < h->cmd.n; k++) {
            if (h->cmd.epc[k] != ev->epc)
                continue;
            h->values[k].seen = true;
            h->values[k].changed |= ev->changed;
            h->values[k].pdc = ev->pdc;
            memcpy(h->values[k].edt, edt, ev->pdc);
        }
    }
}

/* The values a one-shot get or set collected, one event each, in the
 * command's order. */
static void print_values(struct hems *h, const char *node, echonet_eoj eoj)
{
    unsigned k;

    for (k = 0; k < h->cmd.n; k++)
        if (h->values[k].seen)
            hems_print_property(&h->out, node, eoj, h->cmd.epc[k], h->values[k].edt, h->values[k].pdc,
                                h->values[k].changed);
}

static void on_ready(struct hems *h, const echonet_ctl_event *ev)
{
    struct aircon *a = aircon_add(h, ev->node, ev->eoj);
    echonet_ctl_state state;
    uint8_t id[17];
    char node[UDP_FORMAT_MAX];

    echonet_propmap get;
    bool has_get = echonet_ctl_object_info(&h->ctl, ev->node, ev->eoj, NULL, &get, NULL, NULL) == ECHONET_OK;

    if (a)
        a->ready = true;
    if (has_get) /* (a meter's history, which a held EA waits for) */
        hems_house_ready(&h->house, energy_key(h, ev->node, ev->eoj, node, sizeof node), ev->eoj, &get);
    if (h->energy) {
        /* A unit without 0x84 and 0x85 is recorded as not measured (but
         * the meter, PV, battery and fuel cell, which have series of their
         * own, hems_house.h). */
        if (!hems_house_class(ev->eoj) && has_get &&
            !echonet_propmap_contains(&get, ECHONET_EPC_INSTANT_POWER) &&
            !echonet_propmap_contains(&get, ECHONET_EPC_CUMULATIVE_ENERGY))
            (void)hems_energy_unmeasured(h->energy, energy_key(h, ev->node, ev->eoj, node, sizeof node), time(NULL));
    }
    if (!h->daemon && h->cmd.kind != HEMS_CMD_DISCOVER)
        return;
    if (echonet_ctl_object_info(&h->ctl, ev->node, ev->eoj, &state, NULL, NULL, id) != ECHONET_OK)
        return;
    hems_print_ready(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj, id,
                     a && a->has_maker ? a->maker : NULL, &state);
}

static void on_fault(struct hems *h, const echonet_ctl_event *ev, const echonet_ctl_event *next)
{
    struct aircon *a = aircon_find(h, ev->node, ev->eoj);
    bool codes = a && ev->fault == ECHONET_FAULT;
    char node[UDP_FORMAT_MAX];

    if (h->daemon || fault_of_command(h, ev, next))
        hems_print_fault(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj, ev->fault,
                         codes && a->n89 ? a->c89 : NULL, codes ? a->n89 : 0, codes && a->n86 ? a->c86 : NULL,
                         codes ? a->n86 : 0);
    if (a)
        a->n89 = a->n86 = 0; /* a later read-out reads them again */
}

/* The end of an operation a command started. */
static void on_done(struct hems *h, const echonet_ctl_event *ev)
{
    struct pending *p = pending_find(h, ev->op);
    echonet_ctl_state state;
    char node[UDP_FORMAT_MAX];

    if (!p)
        return;
    node_name(h, ev->node, node, sizeof node);
    switch (p->kind) {
    case HEMS_CMD_GET:
    case HEMS_CMD_SET:
        if (!h->daemon)
            print_values(h, node, ev->eoj);
        hems_print_result(&h->out, p->kind == HEMS_CMD_GET ? "read" : "write", node, ev->eoj, ev->outcome,
                          &ev->props);
        break;
    case HEMS_CMD_STATUS:
        memset(&state, 0, sizeof state);
        (void)echonet_ctl_object_info(&h->ctl, ev->node, ev->eoj, &state, NULL, NULL, NULL);
        hems_print_status(&h->out, node, ev->eoj, ev->outcome, &state);
        break;
    default: /* probe, fault */
        hems_print_done(&h->out, p->kind == HEMS_CMD_PROBE ? "probe" : "fault", node, ev->eoj, ev->outcome,
                        &ev->props, ev->probe_low, ev->probe_high);
        break;
    }
    if (ev->outcome != ECHONET_CTL_DONE)
        failed(h, 1);
    p->used = false;
}

/* The control client an event answers: the one whose command started the
 * operation it ends or reports on (0: none, an event for the log alone). */
static unsigned event_origin(struct hems *h, const echonet_ctl_event *ev, const echonet_ctl_event *next)
{
    const struct pending *p = NULL;
    unsigned i;

    if (ev->kind == ECHONET_CTL_EV_DONE)
        p = pending_find(h, ev->op);
    else if (ev->kind == ECHONET_CTL_EV_FAULT && next && next->kind == ECHONET_CTL_EV_DONE)
        p = pending_find(h, next->op);
    else if (ev->kind == ECHONET_CTL_EV_PROPERTY)
        for (i = 0; i < MAX_OPS && !p; i++)
            if (h->pending[i].used && h->pending[i].origin != 0 && h->pending[i].node == ev->node &&
                h->pending[i].eoj == ev->eoj && echonet_propmap_contains(&h->pending[i].epcs, ev->epc))
                p = &h->pending[i];
    return p ? p->origin : 0;
}

/* next: the event queued after this one, or NULL. */
static void handle_event(struct hems *h, const echonet_ctl_event *ev, const echonet_ctl_event *next)
{
    bool listing = h->daemon || h->cmd.kind == HEMS_CMD_DISCOVER;
    char node[UDP_FORMAT_MAX];
    unsigned i;

    /* What the snapshot holds changes with an object found or ready (saved
     * soon), or a request sent (the next TID: drain(); saved later), never
     * with a property value: see hems_state.h for when it is written. */
    if (ev->kind == ECHONET_CTL_EV_FOUND || ev->kind == ECHONET_CTL_EV_READY || ev->kind == ECHONET_CTL_EV_FORGOTTEN ||
        ev->kind == ECHONET_CTL_EV_ALIAS)
        h->state.found = true;
    switch (ev->kind) {
    case ECHONET_CTL_EV_FOUND:
        (void)aircon_add(h, ev->node, ev->eoj);
        if (listing)
            hems_print_found(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj);
        break;
    case ECHONET_CTL_EV_READY:
        on_ready(h, ev);
        break;
    case ECHONET_CTL_EV_PROPERTY:
        on_property(h, ev);
        break;
    case ECHONET_CTL_EV_DONE:
        on_done(h, ev);
        break;
    case ECHONET_CTL_EV_FAULT:
        on_fault(h, ev, next);
        break;
    case ECHONET_CTL_EV_KEEPALIVE:
        if (h->daemon)
            hems_print_keepalive(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj, ev->ok);
        break;
    case ECHONET_CTL_EV_OFFLINE:
        for (i = 0; i < h->n_aircons; i++)
            if (h->aircons[i].node == ev->node)
                h->aircons[i].ready = false; /* until READY again */
        /* fall through */
    case ECHONET_CTL_EV_ONLINE:
        if (listing)
            hems_print_node(&h->out, ev->kind == ECHONET_CTL_EV_ONLINE ? "online" : "offline",
                            node_name(h, ev->node, node, sizeof node));
        break;
    case ECHONET_CTL_EV_FORGOTTEN: /* (its units dropped in on_event()) */
        if (listing)
            hems_print_node(&h->out, "forgotten",
                            ev->edt ? udp_format_addr((const echonet_addr *)ev->edt, node, sizeof node) : "?");
        break;
    case ECHONET_CTL_EV_ALIAS: /* a second address of a unit known at another */
        if (listing)
            hems_print_node(&h->out, "alias", node_name(h, ev->node, node, sizeof node));
        break;
    case ECHONET_CTL_EV_REMOVED: { /* no longer in its node's instance list */
        struct aircon *a = aircon_find(h, ev->node, ev->eoj);

        if (a)
            a->ready = false;
        if (listing)
            hems_print_removed(&h->out, node_name(h, ev->node, node, sizeof node), ev->eoj);
        break;
    }
    case ECHONET_CTL_EV_FULL:
        snprintf(node, sizeof node, "no room for another %s", ev->node == ECHONET_CTL_NONE ? "node" : "object");
        hems_print_error(&h->out, NULL, ev->eoj, "full", node);
        break;
    }
}

/* Handles the events the last library call queued. */
static void handle_events(struct hems *h)
{
    unsigned origin = h->origin;
    size_t i;

    for (i = 0; i < h->n_events; i++) {
        const echonet_ctl_event *next = i + 1 < h->n_events ? &h->events[i + 1] : NULL;

        h->origin = event_origin(h, &h->events[i], next); /* whom it answers */
        handle_event(h, &h->events[i], next);
    }
    h->origin = origin;
    h->n_events = 0;
    h->arena_used = 0;
    if (h->events_lost) {
        h->events_lost = false;
        hems_print_error(&h->out, NULL, 0, "events_lost", "events lost: more than one library call can queue");
    }
}

/* ---- Network -------------------------------------------------------------- */

static void remember_echo(struct hems *h, const uint8_t *buf, size_t len, echonet_tstamp now)
{
    if (len > ECHO_BYTES)
        return;
    h->echoes[h->next_echo].at = now;
    h->echoes[h->next_echo].len = len;
    memcpy(h->echoes[h->next_echo].bytes, buf, len);
    h->next_echo = (h->next_echo + 1) % ECHO_SLOTS;
}

/* Whether a datagram is one of our own multicasts coming back. */
static bool is_echo(const struct hems *h, const uint8_t *buf, size_t len, echonet_tstamp now)
{
    unsigned i;

    for (i = 0; i < ECHO_SLOTS; i++)
        if (h->echoes[i].len == len && len > 0 && now - h->echoes[i].at <= ECHO_WINDOW_MS &&
            memcmp(h->echoes[i].bytes, buf, len) == 0)
            return true;
    return false;
}

static void send_datagram(struct hems *h, const echonet_addr *dst, bool multicast, size_t len, echonet_tstamp now)
{
    char peer[UDP_FORMAT_MAX];

    /* The smart meter of --broute (an fe80:: address without interface). */
    if (!multicast && h->broute && broute_addr(dst)) {
        (void)broute_send(h->broute, h->tx, len, now);
        return;
    }
    if (!multicast) {
        if (udp_send(&h->udp, dst, false, h->tx, len) != 0)
            fprintf(stderr, "hems-controller: send to %s: %s\n", udp_format(dst, h->opt.endpoint.port, peer, sizeof peer),
                    strerror(errno));
        return;
    }
    remember_echo(h, h->tx, len, now);
    if (udp_send(&h->udp, NULL, true, h->tx, len) != 0 && !h->multicast_warned) {
        h->multicast_warned = true;
        fprintf(stderr, "hems-controller: multicast to %s: %s\n", udp_format_group(&h->udp, peer, sizeof peer),
                strerror(errno));
    }
}

static echonet_tstamp later(echonet_tstamp a, echonet_tstamp b)
{
    return a > b ? a : b;
}

/* Sends everything the node and the controller have to send now. */
static void drain(struct hems *h, echonet_tstamp now)
{
    char text[96], code[48];

    for (;;) {
        echonet_addr dst;
        bool multicast;
        int32_t n = echonet_node_write(&h->node, &dst, &multicast, h->tx, sizeof h->tx, now);

        if (n <= 0) {
            if (n < 0)
                hems_print_error(&h->out, NULL, 0, err_code(n, code, sizeof code), err_text(n, text, sizeof text));
            break;
        }
        send_datagram(h, &dst, multicast, (size_t)n, now);
    }
    for (;;) {
        echonet_addr dst;
        bool multicast;
        int32_t n;

        /* The time now, not when the datagram came: saving the files
         * (handle_events()) can take seconds on a slow disk, and a request
         * sent with an old time would find its response timer already run
         * out and be sent again at once (AIF 2.4.1, 2.4.2). */
        now = later(now, posix_now_ms());
        if (hems_state_blocked(&h->state)) {
            (void)hems_state_tick(&h->state, &h->ctl, now, false);
            if (hems_state_blocked(&h->state))
                break; /* (no request until the state is saved: AIF 2.4.3) */
        }
        n = echonet_ctl_write(&h->ctl, &dst, &multicast, h->tx, sizeof h->tx, now);
        handle_events(h);
        if (n <= 0) {
            if (n < 0)
                hems_print_error(&h->out, NULL, 0, err_code(n, code, sizeof code), err_text(n, text, sizeof text));
            break;
        }
        /* A request: the next TID moved. Never HEMS_STATE_MAX_UNSAVED of
         * them unsaved after this loop. */
        if (++h->state.unsaved >= HEMS_STATE_MAX_UNSAVED)
            (void)hems_state_tick(&h->state, &h->ctl, now, false);
        send_datagram(h, &dst, multicast, (size_t)n, now);
    }
}

/* One datagram, decoded once: to the node, and to the controller what the
 * node forwards. */
static void feed(struct hems *h, const struct udp_peer *from, size_t len, echonet_tstamp now)
{
    echonet_frame frame;
    int32_t r;

    if (is_echo(h, h->rx, len, now))
        return;
    /* Bytes after the last declared property are ignored, as by
     * echonet_node_read() (reference 2.4, tolerance). */
    if (echonet_frame_decode(&frame, h->rx, len, NULL) < 0)
        return;
    r = echonet_node_read_frame(&h->node, &from->addr, &frame);
    if (r == ECHONET_ERR_FULL) {
        drain(h, now);
        r = echonet_node_read_frame(&h->node, &from->addr, &frame);
    }
    if (r == ECHONET_NODE_FORWARD) {
        (void)echonet_ctl_read_frame(&h->ctl, &from->addr, &frame, now);
        handle_events(h);
    }
    /* Malformed datagrams and requests the node cannot queue are dropped:
     * whoever sent them gets no answer, as from any device. */
    drain(h, now);
}

static void receive(struct hems *h, int fd)
{
    int i;

    for (i = 0; i < READS_PER_WAKEUP; i++) {
        struct udp_peer from;
        ssize_t n = udp_recv(&h->udp, fd, h->rx, sizeof h->rx, &from);

        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            if (errno == EAFNOSUPPORT)
                continue;
            fprintf(stderr, "hems-controller: receive: %s\n", strerror(errno));
            return;
        }
        feed(h, &from, (size_t)n, posix_now_ms());
    }
}

/* The nodes a command names that are not known yet, searched by unicast
 * (see the top): the library's search of one address. */
static void search_named(struct hems *h, const struct hems_cmd *cmd)
{
    char node_text[UDP_FORMAT_MAX], why[96], text[200], code[32];
    unsigned i;

    for (i = 0; i < cmd->n_nodes; i++) {
        echonet_err err;

        if (echonet_ctl_find(&h->ctl, &cmd->node[i]) != ECHONET_CTL_NONE)
            continue;
        err = echonet_ctl_add_node(&h->ctl, &cmd->node[i], NULL);
        if (err != ECHONET_OK) {
            udp_format_addr(&cmd->node[i], node_text, sizeof node_text);
            snprintf(text, sizeof text, "searching %s: %s", node_text, err_text(err, why, sizeof why));
            hems_print_error(&h->out, NULL, 0, err_code(err, code, sizeof code), text);
        }
    }
}

/* ---- Commands ------------------------------------------------------------------ */

static const char *const kind_names[] = {"discover", "get", "set",  "status", "probe",
                                         "fault",    "run", "line", "quit",   "serve"};

/* Whether the air conditioner(s) a command names are ready; *node gets the
 * node's index. For `status NODE`, every object found must be. */
static bool target_ready(struct hems *h, const struct hems_cmd *cmd, uint16_t *node, unsigned *n_ready)
{
    unsigned i, found = 0;

    *n_ready = 0;
    *node = echonet_ctl_find(&h->ctl, &cmd->node[0]);
    if (*node == ECHONET_CTL_NONE)
        return false;
    for (i = 0; i < h->n_aircons; i++) {
        const struct aircon *a = &h->aircons[i];

        if (a->node != *node || (cmd->eoj != 0 && a->eoj != cmd->eoj))
            continue;
        found++;
        *n_ready += a->ready;
    }
    return found > 0 && *n_ready == found;
}

static struct pending *pending_new(struct hems *h, const struct hems_cmd *cmd, uint16_t node, echonet_eoj eoj,
                                   uint16_t handle)
{
    unsigned i, k;

    for (i = 0; i < MAX_OPS; i++) {
        struct pending *p = &h->pending[i];

        if (p->used)
            continue;
        memset(p, 0, sizeof *p);
        p->used = true;
        p->kind = cmd->kind;
        p->handle = handle;
        p->node = node;
        p->eoj = eoj;
        p->origin = h->origin;
        for (k = 0; k < cmd->n; k++)
            (void)echonet_propmap_add(&p->epcs, cmd->epc[k]);
        return p;
    }
    return NULL; /* cannot happen: as many slots as the controller's */
}

/* Bad input (2) or a failure (1) of a refused start. */
static int start_status(echonet_err err)
{
    return err == ECHONET_ERR_INVALID_ARG || err == ECHONET_ERR_VALUE || err == ECHONET_ERR_VALUE_SIZE ||
                   err == ECHONET_ERR_ACCESS
               ? 2
               : 1;
}

/* The status read of one object: the controller's own status read of its
 * class (echonet_ctl_status_epcs()), what of it the Get map has; then a
 * meter's cumulative values E0/E3 and its latest half-hour EA; for a class
 * with no status read of its own (0x80 and 0x88 only), the properties its
 * class table requires, 8 at most. */
static echonet_err start_status_read(struct hems *h, uint16_t node, echonet_eoj eoj, uint16_t *handle)
{
    static const uint8_t meter_extra[] = {0xE0, 0xE3, 0xEA};
    size_t k, n = 0, n_base = 0, n_extra = 0;
    const uint8_t *base = echonet_ctl_status_epcs(eoj, &n_base);
    const uint8_t *extra = NULL;
    const echonet_class *cls = NULL;
    echonet_propmap get;
    uint8_t epcs[ECHONET_CTL_BATCH_MAX];

    if (!base || echonet_ctl_object_info(&h->ctl, node, eoj, NULL, &get, NULL, NULL) != ECHONET_OK)
        return ECHONET_ERR_NOT_FOUND;
    if (ECHONET_EOJ_CLASS(eoj) == 0x0288) {
        extra = meter_extra;
        n_extra = sizeof meter_extra;
    } else if (n_base == 2) {
        cls = echonet_class_find(ECHONET_EOJ_CLASS(eoj));
    }
    for (k = 0; k < n_base + n_extra && n < ECHONET_CTL_BATCH_MAX; k++) {
        uint8_t epc = k < n_base ? base[k] : extra[k - n_base];

        if (echonet_propmap_contains(&get, epc))
            epcs[n++] = epc;
    }
    for (k = 0; cls && k < cls->n_props && n < 8 && n < ECHONET_CTL_BATCH_MAX; k++) {
        const echonet_prop_desc *d = &cls->props[k];

        if ((d->access & ECHONET_ACCESS_MANDATORY) && (d->access & ECHONET_ACCESS_GET) && d->size <= 32 &&
            echonet_propmap_contains(&get, d->epc) && d->epc != 0x80 && d->epc != 0x88 &&
            (k == 0 || cls->props[k - 1].epc != d->epc))
            epcs[n++] = d->epc;
    }
    if (n == 0)
        epcs[n++] = base[0]; /* refused locally, and shown as such */
    return echonet_ctl_get(&h->ctl, node, eoj, epcs, n, handle);
}

/* What a refused set or probe should have been, from the class table
 * (": b3 = 3c is out of range (b3 allows 0 to 50)"), or "". */
static void refusal_detail(const struct hems_cmd *cmd, echonet_err err, char *buf, size_t cap)
{
    echonet_prop props[ECHONET_CTL_BATCH_MAX];
    size_t n = cmd->kind == HEMS_CMD_SET ? hems_cmd_props(cmd, props) : 0, k, i;
    char allowed[96], value[2 * ECHONET_CTL_VALUE_BYTES + 1];

    buf[0] = '\0';
    if (cmd->kind == HEMS_CMD_PROBE && err == ECHONET_ERR_INVALID_ARG) {
        if (cmd->low > cmd->high)
            snprintf(buf, cap, ": LOW %d > HIGH %d", cmd->low, cmd->high);
        else
            snprintf(buf, cap, ": LOW and HIGH must be within %s",
                     hems_cmd_allowed(ECHONET_CLASS_HOME_AIRCON, ECHONET_EPC_SET_TEMPERATURE, allowed, sizeof allowed));
        return;
    }
    for (k = 0; k < n; k++) {
        const echonet_prop_desc *d = hems_cmd_desc(ECHONET_EOJ_CLASS(cmd->eoj), props[k].epc);
        echonet_err e = d ? echonet_prop_desc_check(d, props[k].edt, props[k].pdc, true) : ECHONET_OK;

        if (e != ECHONET_ERR_VALUE && e != ECHONET_ERR_VALUE_SIZE)
            continue;
        for (i = 0; i < props[k].pdc && 2 * i + 2 < sizeof value; i++)
            snprintf(value + 2 * i, 3, "%02x", (unsigned)props[k].edt[i]);
        value[2 * i] = '\0';
        if (e == ECHONET_ERR_VALUE_SIZE)
            snprintf(buf, cap, ": %02x = %s: %u byte%s, %02x takes %u", (unsigned)props[k].epc, value,
                     (unsigned)props[k].pdc, props[k].pdc == 1 ? "" : "s", (unsigned)props[k].epc, (unsigned)d->size);
        else
            snprintf(buf, cap, ": %02x = %s is %s (%02x allows %s)", (unsigned)props[k].epc, value,
                     d->rule == ECHONET_RULE_RANGE || d->rule == ECHONET_RULE_RANGE_S8 ? "out of range" : "not allowed",
                     (unsigned)props[k].epc,
                     hems_cmd_allowed(ECHONET_EOJ_CLASS(cmd->eoj), props[k].epc, allowed, sizeof allowed));
        return;
    }
}

/* Starts the operation of a command whose air conditioner is ready. */
static void start_operation(struct hems *h, const struct hems_cmd *cmd, uint16_t node, echonet_eoj eoj)
{
    echonet_prop props[ECHONET_CTL_BATCH_MAX];
    echonet_err err;
    uint16_t handle = 0;
    char text[240], why[96], name[UDP_FORMAT_MAX];

    switch (cmd->kind) {
    case HEMS_CMD_GET:
        err = echonet_ctl_get(&h->ctl, node, eoj, cmd->epc, cmd->n, &handle);
        break;
    case HEMS_CMD_SET:
        /* A write from outside the home is remote operation (AIF 4.1)
         * even when the controller is not in remote mode. */
        err = echonet_ctl_set_ex(&h->ctl, node, eoj, props, hems_cmd_props(cmd, props),
                                 cmd->remote ? ECHONET_CTL_FROM_REMOTE : 0, &handle);
        break;
    case HEMS_CMD_STATUS:
        err = start_status_read(h, node, eoj, &handle);
        break;
    case HEMS_CMD_PROBE:
        err = echonet_ctl_probe(&h->ctl, node, eoj, cmd->mode, cmd->low, cmd->high, &handle);
        break;
    default:
        err = echonet_ctl_read_fault(&h->ctl, node, eoj, &handle);
        break;
    }
    if (err == ECHONET_OK) {
        (void)pending_new(h, cmd, node, eoj, handle);
    } else {
        char allowed[160];

        refusal_detail(cmd, err, allowed, sizeof allowed);
        snprintf(text, sizeof text, "%s %s %06lx: refused: %s%s", kind_names[cmd->kind],
                 udp_format_addr(&cmd->node[0], name, sizeof name), (unsigned long)eoj, err_text(err, why, sizeof why),
                 allowed);
        command_error(h, &cmd->node[0], eoj, start_status(err), err_code(err, why, sizeof why), text);
    }
    handle_events(h);
}

/* Starts a command on the objects it names (all ready ones for `status
 * NODE`). */
static void start_command(struct hems *h, const struct hems_cmd *cmd, uint16_t node)
{
    unsigned i;

    if (cmd->eoj != 0) {
        start_operation(h, cmd, node, cmd->eoj);
        return;
    }
    for (i = 0; i < h->n_aircons; i++)
        if (h->aircons[i].node == node && h->aircons[i].ready)
            start_operation(h, cmd, node, h->aircons[i].eoj);
}

static void count_aircons(const struct hems *h, unsigned *found, unsigned *ready)
{
    unsigned i;

    *found = h->n_aircons;
    *ready = 0;
    for (i = 0; i < h->n_aircons; i++)
        *ready += h->aircons[i].ready;
}

/* The end of a discover: "not found" (exit status 1) when no air
 * conditioner answered, or a NODE it names has none. */
static void discover_verdict(struct hems *h, const struct hems_cmd *cmd, unsigned found, long wait_s)
{
    unsigned i, k;
    char node[UDP_FORMAT_MAX], text[200];

    if (found == 0) {
        snprintf(text, sizeof text, "not found: no device object answered within %ld s", wait_s);
        command_error(h, NULL, 0, 1, "not_found", text);
        return;
    }
    for (i = 0; i < cmd->n_nodes; i++) {
        uint16_t index = echonet_ctl_find(&h->ctl, &cmd->node[i]);

        for (k = 0; k < h->n_aircons && (index == ECHONET_CTL_NONE || h->aircons[k].node != index); k++)
            ;
        if (k < h->n_aircons)
            continue;
        snprintf(text, sizeof text, "not found: no device object at %s answered within %ld s",
                 udp_format_addr(&cmd->node[i], node, sizeof node), wait_s);
        command_error(h, &cmd->node[i], 0, 1, "not_found", text);
    }
}

/* Whether the unit a command names is known, online and fully discovered
 * (every object it lists is ready) without the object the command names: it
 * does not have it (or no longer: its list left it out, AIF 3.1.1). Waiting
 * for it would only end in the same answer after --wait. */
static bool unit_lacks(struct hems *h, const struct hems_cmd *cmd)
{
    echonet_eoj eojs[32];
    uint16_t node = echonet_ctl_find(&h->ctl, &cmd->node[0]);
    size_t n, i;

    if (cmd->eoj == 0 || node == ECHONET_CTL_NONE || !echonet_ctl_node_online(&h->ctl, node))
        return false;
    n = echonet_ctl_objects(&h->ctl, node, eojs, sizeof eojs / sizeof eojs[0]);
    if (n == 0 || n > sizeof eojs / sizeof eojs[0])
        return false;
    for (i = 0; i < n; i++)
        if (eojs[i] == cmd->eoj || !echonet_ctl_object_ready(&h->ctl, node, eojs[i]))
            return false;
    return true;
}

/* Looks at a held command: started, finished or timed out (true), or still
 * waiting (false). */
static bool advance_held(struct hems *h, struct held *w, echonet_tstamp now)
{
    const struct hems_cmd *cmd = &w->cmd;
    unsigned found, ready;
    uint16_t node;
    char node_text[UDP_FORMAT_MAX], text[200];

    if (cmd->kind == HEMS_CMD_DISCOVER && now >= w->deadline) {
        count_aircons(h, &found, &ready);
        hems_print_discovered(&h->out, found, ready);
        discover_verdict(h, cmd, found, w->wait_s);
        return true;
    }
    if (cmd->kind != HEMS_CMD_DISCOVER &&
        (target_ready(h, cmd, &node, &ready) || (now >= w->deadline && ready > 0 && cmd->eoj == 0))) {
        start_command(h, cmd, node);
        return true;
    }
    if (cmd->kind != HEMS_CMD_DISCOVER && unit_lacks(h, cmd)) {
        udp_format_addr(&cmd->node[0], node_text, sizeof node_text);
        snprintf(text, sizeof text, "no such object: the unit at %s has no object %06lx", node_text,
                 (unsigned long)cmd->eoj);
        command_error(h, &cmd->node[0], cmd->eoj, 1, "not_found", text);
        return true;
    }
    if (now < w->deadline) {
        if (!w->searched) {
            w->searched = true;
            search_named(h, cmd);
        }
        return false;
    }
    udp_format_addr(&cmd->node[0], node_text, sizeof node_text);
    hems_print_timeout(&h->out, node_text, cmd->eoj, w->wait_s);
    if (cmd->eoj != 0)
        snprintf(text, sizeof text, "unknown node: no object %06lx at %s became ready within %ld s",
                 (unsigned long)cmd->eoj, node_text, w->wait_s);
    else
        snprintf(text, sizeof text, "unknown node: no object at %s became ready within %ld s", node_text,
                 w->wait_s);
    command_error(h, &cmd->node[0], cmd->eoj, 1, "not_found", text);
    return true;
}

static void advance(struct hems *h, echonet_tstamp now)
{
    unsigned i;


    for (i = 0; i < MAX_HELD; i++) {
        unsigned origin = h->origin;
        bool done;

        if (!h->held[i].used)
            continue;
        h->origin = h->held[i].origin; /* its events answer its client */
        done = advance_held(h, &h->held[i], now);
        h->origin = origin;
        if (done)
            h->held[i].used = false;
    }
}

/* Takes a command: held until its air conditioner is ready, or done at once. */
static void submit(struct hems *h, const struct hems_cmd *cmd, echonet_tstamp now)
{
    unsigned i;
    struct held *w = NULL;

    if (cmd->kind == HEMS_CMD_LINE) {
        echonet_ctl_set_line(&h->ctl, cmd->up, now);
        hems_print_line(&h->out, cmd->up);
        return;
    }
    if (cmd->kind == HEMS_CMD_HOUSE) {
        struct hems_house_figures f;

        hems_house_figures(&h->house, h->energy, time(NULL), &f);
        hems_print_house(&h->out, &f, (int32_t)h->opt.utc_offset_s);
        return;
    }
    if (cmd->kind == HEMS_CMD_QUIT) {
        h->quitting = true;
        h->stdin_open = false;
        return;
    }
    for (i = 0; i < MAX_HELD && !w; i++)
        if (!h->held[i].used)
            w = &h->held[i];
    if (!w) {
        command_error(h, NULL, 0, 1, "busy", "too many commands waiting for their air conditioners");
        return;
    }
    w->used = true;
    w->cmd = *cmd;
    w->wait_s = cmd->kind == HEMS_CMD_DISCOVER && cmd->wait_s >= 0 ? cmd->wait_s : h->opt.wait_s;
    w->deadline = now + (echonet_tstamp)w->wait_s * 1000u;
    w->searched = false;
    w->origin = h->origin;
    /* A search when one was asked for (run); the nodes a command names are
     * searched by unicast (search_named()). */
    if (h->daemon && cmd->kind == HEMS_CMD_DISCOVER)
        echonet_ctl_discover(&h->ctl);
    advance(h, now);
}

/* ---- Standard input (run) ------------------------------------------------------- */

/* A command of `run` (standard input, HTTP): returns 0, or -1 with why. */
static int take_command(struct hems *h, const struct hems_cmd *cmd, echonet_tstamp now, char *why, size_t cap)
{
    if (hems_cmd_check_scope(cmd, h->broute != NULL, why, cap) != 0)
        return -1;
    if ((cmd->node[0].len == 4) == h->opt.endpoint.ipv6 && cmd->n_nodes > 0 &&
        !(h->broute && broute_addr(&cmd->node[0]))) {
        snprintf(why, cap, "%s", h->opt.endpoint.ipv6 ? "an IPv4 NODE, but running on IPv6"
                                                      : "an IPv6 NODE, but running on IPv4 (use --ipv6)");
        return -1;
    }
    submit(h, cmd, now);
    drain(h, now);
    return 0;
}

/* A command line of standard input or of a control client (h->origin). */
static void run_line(struct hems *h, char *line, bool too_long)
{
    char *words[MAX_WORDS], why[160];
    struct hems_cmd cmd;
    echonet_tstamp now = posix_now_ms();
    int n;

    if (too_long) {
        hems_print_error(&h->out, NULL, 0, "bad_command", "command line too long");
        return;
    }
    n = hems_cmd_split(line, words, MAX_WORDS);
    if (n == 0 || (n > 0 && words[0][0] == '#'))
        return;
    if (n < 0) {
        hems_print_error(&h->out, NULL, 0, "bad_command", "too many words in the command line");
        return;
    }
    for (int i = 1; i < n; i++)
        if (strcmp(words[i], "--help") == 0 || strcmp(words[i], "-h") == 0) {
            /* (Standard output is the event stream: no help text in it.) */
            snprintf(why, sizeof why, "%s --help is for the command line: hems-controller %s --help", words[0],
                     words[0]);
            hems_print_error(&h->out, NULL, 0, "bad_command", why);
            return;
        }
    if (hems_cmd_parse(&cmd, words, n, true, why, sizeof why) != 0) {
        hems_print_error(&h->out, NULL, 0, "bad_command", why);
        return;
    }
    if (take_command(h, &cmd, now, why, sizeof why) != 0)
        hems_print_error(&h->out, NULL, 0, "bad_command", why);
}

/* A line of standard input (lines_fn). */
static bool stdin_line(void *user, char *line, bool too_long)
{
    struct hems *h = user;

    run_line(h, line, too_long);
    return h->stdin_open;
}

/* A line of a control client (hems_control.h): its events go back to it. */
static bool control_line(void *user, unsigned client, char *line, bool too_long)
{
    struct hems *h = user;

    h->origin = client;
    run_line(h, line, too_long);
    h->origin = 0;
    return !h->quitting;
}

static void read_stdin(struct hems *h)
{
    char chunk[512];
    ssize_t n = read(STDIN_FILENO, chunk, sizeof chunk);

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (n <= 0) {
        lines_end(&h->line, stdin_line, h);
        h->stdin_open = false;
        return;
    }
    (void)lines_feed(&h->line, chunk, (size_t)n, stdin_line, h);
}

/* Points standard output and error at --log FILE (appending), at start and
 * on SIGHUP (after logrotate moved it). Returns 0, or -1 with errno. */
static int open_log(const struct hems *h)
{
    int fd;

    if (!h->opt.log_path)
        return 0;
    fflush(stdout);
    fflush(stderr);
    fd = open(h->opt.log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return -1;
    if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
        int saved = errno;

        close(fd);
        errno = saved;
        return -1;
    }
    close(fd);
    return 0;
}

/* The loop's signal handler: SIGHUP reopens the log; SIGINT, SIGTERM end. */
static void on_signal(void *user, int sig)
{
    struct hems *h = user;

    if (sig == SIGHUP) {
        if (open_log(h) != 0)
            fprintf(stderr, "hems-controller: --log %s: %s (still writing to the old file)\n", h->opt.log_path,
                    strerror(errno));
        return;
    }
    evloop_stop(&h->loop);
    if (!h->daemon) {
        hems_print_error(&h->out, NULL, 0, "interrupted", sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)");
        failed(h, 1);
    }
}

/* ---- The HTTP front-end (hems_http.h) --------------------------------------------- */

static int http_submit(void *user, const struct hems_cmd *cmd, char *why, size_t cap)
{
    return take_command(user, cmd, posix_now_ms(), why, cap);
}

static size_t http_devices(void *user, struct hems_http_device *out, size_t cap)
{
    struct hems *h = user;
    unsigned i;

    for (i = 0; i < h->n_aircons && i < cap; i++) {
        const struct aircon *a = &h->aircons[i];
        struct hems_http_device *d = &out[i];

        memset(d, 0, sizeof *d);
        node_name(h, a->node, d->node, sizeof d->node);
        d->eoj = a->eoj;
        d->ready = a->ready;
        d->online = echonet_ctl_node_online(&h->ctl, a->node);
        d->has_info = echonet_ctl_object_info(&h->ctl, a->node, a->eoj, &d->state, NULL, NULL, d->id) == ECHONET_OK;
        d->has_maker = a->has_maker;
        memcpy(d->maker, a->maker, sizeof d->maker);
        d->power_w = a->has_power ? a->power_w : -1;
    }
    return h->n_aircons;
}

static const struct hems_energy *http_energy(void *user)
{
    return ((struct hems *)user)->energy;
}

/* Every event as JSON (h->json_out, the twin of h->out): to the front-ends. */
/* The `house` event as JSON, for GET /api/house. */
static size_t http_house(void *user, char *out, size_t cap)
{
    struct hems *h = user;
    struct hems_house_figures f;
    struct hems_printer p;
    FILE *mem = fmemopen(out, cap, "w");
    long len;

    if (!mem)
        return 0;
    memset(&p, 0, sizeof p);
    p.out = mem;
    p.json = true;
    hems_house_figures(&h->house, h->energy, time(NULL), &f);
    hems_print_house(&p, &f, (int32_t)h->opt.utc_offset_s);
    len = ftell(mem);
    if (fclose(mem) != 0 || len <= 1 || (size_t)len >= cap)
        return 0;
    return (size_t)len - 1; /* without its newline */
}

static void on_json(void *user, const char *text, size_t len, bool text_error)
{
    struct hems *h = user;

    (void)text_error;
    while (len > 0 && text[len - 1] == '\n')
        len--;
    if (h->http)
        hems_http_event(h->http, text, len);
    if (h->mqtt)
        hems_mqtt_event(h->mqtt, text, len);
}

/* Starts the server of --http (run only) as a source of the loop. */
static int setup_http(struct hems *h)
{
    struct hems_http_config cfg;
    struct hems_http_host host = {h, http_submit, http_devices, http_energy, http_house};
    struct evloop_source src;
    char why[300];

    if (!h->opt.http_listen)
        return 0;
    if (!h->daemon) {
        fprintf(stderr, "hems-controller: --http is for run and serve\n");
        return -1;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.listen = h->opt.http_listen;
    cfg.token_file = h->opt.http_token_file;
    cfg.remote = h->opt.http_remote;
    cfg.controller_remote = h->opt.remote;
    cfg.utc_offset = (int32_t)h->opt.utc_offset_s;
    h->http = hems_http_open(&cfg, &host, why, sizeof why);
    if (!h->http) {
        fprintf(stderr, "hems-controller: %s\n", why);
        return -1;
    }
    src = hems_http_source(h->http);
    if (evloop_add(&h->loop, &src) != 0) {
        fprintf(stderr, "hems-controller: --http: too many event-loop sources\n");
        return -1;
    }
    return 0;
}

/* ---- The MQTT bridge (hems_mqtt.h) ----------------------------------------------- */

/* hems_mqtt_host::unit: the i-th air conditioner. */
static bool mqtt_unit(void *user, size_t i, struct hems_mqtt_unit *u)
{
    struct hems *h = user;
    const struct aircon *a;
    size_t k;

    if (i >= h->n_aircons)
        return false;
    a = &h->aircons[i];
    memset(u, 0, sizeof *u);
    node_name(h, a->node, u->node, sizeof u->node);
    u->eoj = a->eoj;
    u->ready = a->ready;
    u->has_maker = a->has_maker;
    memcpy(u->maker, a->maker, sizeof u->maker);
    (void)echonet_ctl_object_info(&h->ctl, a->node, a->eoj, &u->state, &u->get, &u->set, u->id);
    for (k = 0; k < sizeof u->id && !u->has_id; k++)
        u->has_id = u->id[k] != 0; /* zeros until known */
    return true;
}

/* hems_mqtt_host::find: the air conditioner at an address and EOJ. */
static bool mqtt_find(void *user, const char *node, echonet_eoj eoj, struct hems_mqtt_unit *u)
{
    struct hems *h = user;
    echonet_addr addr;
    uint16_t index;
    const struct aircon *a;

    if (udp_addr_parse(node, &addr) != 0 || (index = echonet_ctl_find(&h->ctl, &addr)) == ECHONET_CTL_NONE ||
        (a = aircon_find(h, index, eoj)) == NULL)
        return false;
    return mqtt_unit(user, (size_t)(a - h->aircons), u);
}

static void mqtt_submit(void *user, const struct hems_cmd *cmd)
{
    struct hems *h = user;
    char why[160];

    if (take_command(h, cmd, posix_now_ms(), why, sizeof why) != 0)
        hems_print_error(&h->out, NULL, 0, "bad_command", why);
}

static void mqtt_error(void *user, const char *code, const char *message)
{
    struct hems *h = user;

    hems_print_error(&h->out, NULL, 0, code, message);
}

/* Starts the bridge when --mqtt asks for it. Returns 0, or -1 (reported). */
static int setup_mqtt(struct hems *h)
{
    char why[400];
    struct evloop_source src;

    if (!h->opt.mqtt.host)
        return 0;
    {
        static struct hems_mqtt mqtt; /* about 120 kB: what it keeps of 512 objects */
        struct hems_mqtt_host host = {h, mqtt_unit, mqtt_find, mqtt_submit, mqtt_error};

        if (hems_mqtt_open(&mqtt, &h->opt.mqtt, &host, why, sizeof why) != 0) {
            fprintf(stderr, "hems-controller: %s\n", why);
            return -1;
        }
        h->mqtt = &mqtt;
        src = hems_mqtt_source(&mqtt);
    }
    return evloop_add(&h->loop, &src);
}

/* ---- The B-route transport (broute.h) --------------------------------------------- */

/* A datagram from the smart meter: as one from the UDP endpoint. */
static void broute_datagram(void *user, const echonet_addr *from, const uint8_t *buf, size_t len)
{
    struct hems *h = user;
    struct udp_peer peer;

    peer.addr = *from;
    peer.port = ECHONET_PORT;
    memcpy(h->rx, buf, len < sizeof h->rx ? len : sizeof h->rx);
    feed(h, &peer, len < sizeof h->rx ? len : sizeof h->rx, posix_now_ms());
}

/* The session came up or went down. Up: the meter is a node of the
 * controller like any other, searched at its address; after a re-join it
 * is asked its instance list again (echonet_ctl_add_node() of a known
 * node), as what it lists may have changed while the session was down. */
static void broute_status(void *user, bool up, const echonet_addr *meter, const char *message)
{
    struct hems *h = user;

    fprintf(stderr, "hems-controller: B-route: %s\n", message);
    if (up && meter) {
        (void)echonet_ctl_add_node(&h->ctl, meter, NULL);
        drain(h, posix_now_ms());
    }
}

/* Opens the B-route transport when --broute asks for it. Returns 0, or -1
 * (reported). */
static int setup_broute(struct hems *h)
{
    static struct broute broute; /* about 10 kB: its queue and lines */
    struct broute_config cfg = {h->opt.broute_device, h->opt.broute_auth, h->opt.broute_baud};
    struct broute_host host = {h, broute_datagram, broute_status};
    struct evloop_source src;
    char why[300];

    if (!h->opt.broute_device)
        return 0;
    if (broute_open(&broute, &cfg, &host, why, sizeof why) != 0) {
        fprintf(stderr, "hems-controller: %s\n", why);
        return -1;
    }
    h->broute = &broute;
    src = broute_source(&broute);
    return evloop_add(&h->loop, &src);
}

/* ---- The state file ------------------------------------------------------------- */

/* The TIDs a restored controller skips cover every request that can be
 * unsaved at a crash (hems_state.h). */
typedef char hems_state_tids_covered[HEMS_STATE_MAX_UNSAVED < ECHONET_CTL_RESTORE_TID_SKIP ? 1 : -1];

/* Loads the state file; its air conditioners are ready at once. */
static int load_state(struct hems *h, echonet_tstamp now)
{
    enum hems_state_result r;
    uint16_t node;

    h->state.path = h->opt.state_path;
    if (!h->state.path)
        return 0;
    r = hems_state_load(&h->state, &h->ctl, now);
    if (r == HEMS_STATE_ERROR)
        return -1;
    h->state.found = r == HEMS_STATE_MOVED; /* a good file in its place, soon */
    h->state.written_at = now;
    if (r == HEMS_STATE_LOADED) {
        /* Written at once: the TID the restored controller starts from
         * (echonet_ctl_restore(): past the saved one) is then what a next
         * restore skips from, even after a crash within a second. Without
         * it no request goes out (hems_state_blocked()). */
        h->state.found = true;
        if (hems_state_tick(&h->state, &h->ctl, now, true) != 0)
            h->state.unsaved = HEMS_STATE_BLOCK_UNSAVED;
    }
    for (node = 0; r == HEMS_STATE_LOADED && echonet_ctl_node_addr(&h->ctl, node) != NULL; node++) {
        echonet_eoj eojs[MAX_OBJECTS];
        size_t n = echonet_ctl_objects(&h->ctl, node, eojs, MAX_OBJECTS), i;

        for (i = 0; i < n && i < MAX_OBJECTS; i++) {
            struct aircon *a = aircon_add(h, node, eojs[i]);

            if (a)
                a->ready = true;
        }
    }
    return 0;
}

/* ---- Set-up and main loop ------------------------------------------------------- */

static int setup_node(struct hems *h)
{
    echonet_node_config cfg;
    char text[96];
    echonet_err err;

    memset(&cfg, 0, sizeof cfg);
    cfg.manufacturer[0] = (uint8_t)(DEFAULT_MAKER >> 16);
    cfg.manufacturer[1] = (uint8_t)(DEFAULT_MAKER >> 8);
    cfg.manufacturer[2] = (uint8_t)DEFAULT_MAKER;
    err = echonet_node_init(&h->node, &cfg, h->slots, 1, h->requests, QUEUE_SLOTS);
    if (err == ECHONET_OK)
        err = hems_self_init(&h->self, cfg.manufacturer);
    if (err == ECHONET_OK)
        err = echonet_node_add(&h->node, &h->self.object);
    if (err != ECHONET_OK) {
        fprintf(stderr, "hems-controller: setting up the node: %s\n", err_text(err, text, sizeof text));
        return -1;
    }
    return 0;
}

/* The first TID of a run without a saved state: two bytes of the OS's
 * random source, so that two runs do not send the same TIDs (AIF 2.4.3;
 * the residual chance of an overlap is in doc/decisions.md). A state file
 * keeps the counter itself (echonet_ctl_restore() goes past it). Without a
 * random source: the clocks, and a warning. */
static uint16_t random_first_tid(void)
{
    uint8_t b[2];
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t n = -1;
    struct timespec ts;

    if (fd >= 0) {
        do
            n = read(fd, b, sizeof b);
        while (n < 0 && errno == EINTR);
        (void)close(fd);
    }
    if (n == (ssize_t)sizeof b)
        return (uint16_t)(b[0] << 8 | b[1]);
    fprintf(stderr, "hems-controller: /dev/urandom: %s; TIDs may repeat those of an earlier run\n",
            n < 0 ? strerror(errno) : "short read");
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (uint16_t)((unsigned long)ts.tv_nsec ^ (unsigned long)ts.tv_sec ^ posix_now_ms() ^ (unsigned long)getpid());
}

static int setup_controller(struct hems *h)
{
    const struct hems_options *o = &h->opt;
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {on_event};
    echonet_ctl_storage st;
    char text[96];
    echonet_err err;

    echonet_ctl_config_default(&cfg);
    cfg.response_timeout_ms = (uint32_t)o->response_timeout_s * 1000u;
    cfg.keepalive_interval_ms = (uint32_t)o->keepalive_s * 1000u;
    if (cfg.keepalive_retry_ms > cfg.keepalive_interval_ms)
        cfg.keepalive_retry_ms = cfg.keepalive_interval_ms;
    if (o->poll_s >= 0)
        cfg.poll_interval_ms = (uint32_t)o->poll_s * 1000u;
    cfg.remote = o->remote;
    if (o->offline_after > 0)
        cfg.offline_after = (uint8_t)o->offline_after;
    cfg.energy_interval_ms = (uint32_t)o->energy_interval_s * 1000u;
    /* A new run must not reuse the TIDs of the one before (AIF 2.4.3). A
     * restored state goes past its own. */
    cfg.first_tid = random_first_tid();
    cfg.classes = echonet_class_find; /* every class's table judges what is written and read (issue 14) */
    /* A one-shot command that names its nodes searches them alone (by
     * unicast, search_named()): no multicast search to hold that back. */
    cfg.no_initial_search = !h->daemon && h->cmd.n_nodes > 0;
    st.nodes = h->ctl_nodes;
    st.n_nodes = MAX_NODES;
    st.objects = h->ctl_objects;
    st.n_objects = MAX_OBJECTS;
    st.ops = h->ctl_ops;
    st.n_ops = MAX_OPS;
    st.index = h->ctl_index;
    st.n_index = INDEX_SIZE;
    st.heap = h->ctl_heap;
    err = echonet_ctl_init(&h->ctl, &cfg, &cb, h, &st);
    if (err == ECHONET_OK)
        err = echonet_ctl_read_energy(&h->ctl); /* 0x84/0x85 of every unit that has them */
    if (err != ECHONET_OK) {
        fprintf(stderr, "hems-controller: setting up the controller: %s\n", err_text(err, text, sizeof text));
        return -1;
    }
    return 0;
}

static int setup_transport(struct hems *h)
{
    char why[256], group[UDP_FORMAT_MAX];

    if (udp_open(&h->udp, &h->opt.endpoint, why, sizeof why) != 0) {
        fprintf(stderr, "hems-controller: %s\n", why);
        return -1;
    }
    if (h->udp.group_errno != 0 && (h->daemon || h->cmd.kind == HEMS_CMD_DISCOVER))
        fprintf(stderr, "hems-controller: joining the multicast group %s failed: %s\n",
                udp_format_group(&h->udp, group, sizeof group), strerror(h->udp.group_errno));
    return 0;
}

static bool busy(const struct hems *h)
{
    unsigned i;

    for (i = 0; i < MAX_HELD; i++)
        if (h->held[i].used)
            return true;
    return pending_count(h) > 0;
}

/* ---- The loop's sources --------------------------------------------------------- */

/* The UDP endpoint, and the deadlines of the node, the controller, the
 * state file and the held commands (their work is step()'s). */
static int net_fds(void *self, struct pollfd *out, int cap)
{
    const struct hems *h = self;

    return evloop_watch_in(out, cap, h->udp.fds, h->udp.n_fds);
}

static int net_timeout(void *self)
{
    const struct hems *h = self;
    echonet_tstamp deadline = echonet_ctl_expiry(&h->ctl), t = echonet_node_expiry(&h->node);
    unsigned i;

    if (t < deadline)
        deadline = t;
    t = hems_state_due(&h->state);
    if (t < deadline)
        deadline = t;
    for (i = 0; i < MAX_HELD; i++) {
        if (!h->held[i].used)
            continue;
        if (h->held[i].deadline < deadline)
            deadline = h->held[i].deadline;
    }
    return evloop_ms_until(deadline, posix_now_ms());
}

static void net_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct hems *h = self;
    int i;

    for (i = 0; i < n && !h->loop.stop; i++)
        if (fds[i].revents != 0)
            receive(h, fds[i].fd);
}

/* Standard input of `run`. */
static int stdin_fds(void *self, struct pollfd *out, int cap)
{
    const struct hems *h = self;
    static const int in = STDIN_FILENO;

    return (!h->daemon || !h->stdin_open) ? 0 : evloop_watch_in(out, cap, &in, 1);
}

static void stdin_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct hems *h = self;

    if (n < 1 || fds[0].revents == 0)
        return;
    if (fds[0].revents & POLLNVAL)
        h->stdin_open = false;
    else
        read_stdin(h);
}

/* The loop with its sources. Further sources (front-ends over the same
 * commands and events) are added here. */
static int setup_loop(struct hems *h)
{
    static const int caught[] = {SIGINT, SIGTERM, SIGHUP};
    const struct evloop_source net = {h, net_fds, net_timeout, net_dispatch};
    const struct evloop_source in = {h, stdin_fds, NULL, stdin_dispatch};

    if (evloop_init(&h->loop, caught, sizeof caught / sizeof caught[0], on_signal, h) != 0)
        return -1;
    if (evloop_add(&h->loop, &net) != 0 || evloop_add(&h->loop, &in) != 0)
        return -1;
    return 0;
}

/* The control socket (--control PATH), a source of the loop. */
static int setup_control(struct hems *h)
{
    static struct hems_control control; /* about 1 MB: each client's unsent answers */
    struct evloop_source src;
    char why[256];
    static const char busy_json[] =
        "{\"event\":\"error\",\"code\":\"busy\",\"message\":\"too many control clients\"}\n";
    static const char busy_text[] = "error     busy: too many control clients\n";

    if (!h->opt.control_path)
        return 0;
    if (hems_control_open(&control, h->opt.control_path, control_line, h, h->opt.json ? busy_json : busy_text, why,
                          sizeof why) != 0) {
        fprintf(stderr, "hems-controller: %s\n", why);
        return -1;
    }
    h->control = &control;
    src = hems_control_source(&control);
    return evloop_add(&h->loop, &src);
}

/* What is due after any input or deadline: held commands that can start
 * or have timed out, datagrams to send, the state file. */
static void step(struct hems *h)
{
    echonet_tstamp now = posix_now_ms();

    advance(h, now);
    drain(h, now);
    (void)hems_state_tick(&h->state, &h->ctl, now, false);
}

static void run(struct hems *h)
{
    while (!h->loop.stop) {
        step(h);
        if (!busy(h) && (!h->daemon || h->quitting || (!h->stdin_open && !h->serve)))
            return;
        if (evloop_turn(&h->loop) != 0)
            fprintf(stderr, "hems-controller: poll: %s\n", strerror(errno));
    }
}

/* The state and energy files are written while running and at exit: a
 * directory that cannot hold them is refused at start, not at the end. */
static int check_file_option(const char *option, const char *path)
{
    int err = path ? posix_dir_writable(path) : 0;

    if (err != 0)
        fprintf(stderr, "hems-controller: %s %s: cannot create it in its directory: %s\n", option, path,
                strerror(err));
    return err;
}

/* Whether standard input can bring commands: not when it is closed, or a
 * device that is not a terminal (/dev/null, as systemd gives a service). */
static bool stdin_usable(void)
{
    struct stat st;

    if (fstat(STDIN_FILENO, &st) != 0)
        return false;
    return !S_ISCHR(st.st_mode) || isatty(STDIN_FILENO);
}

/* Parses the command line into h; returns 0, or the exit status. */
static int parse_command_line(struct hems *h, int argc, char **argv)
{
    char why[160];
    int first = 0, n = 0, status = hems_opts_parse(argc, argv, &h->opt, &first, &n);

    if (status != 0)
        return status == 1 ? -1 : status;
    if (n == 0)
        return hems_usage_error("missing command", NULL);
    if (strcmp(argv[first], "energy") == 0) {
        status = hems_energy_command(h->opt.energy_path, (int32_t)h->opt.utc_offset_s, argv + first, n, time(NULL));
        return status == 0 ? -1 : status;
    }
    if (hems_cmd_parse(&h->cmd, argv + first, n, false, why, sizeof why) != 0)
        return hems_usage_error(why, NULL);
    h->daemon = h->cmd.kind == HEMS_CMD_RUN || h->cmd.kind == HEMS_CMD_SERVE;
    h->serve = h->cmd.kind == HEMS_CMD_SERVE || (h->daemon && !stdin_usable());
    if (h->opt.control_path && !h->daemon)
        return hems_usage_error("--control is for run and serve", NULL);
    return hems_opts_check(&h->opt, &h->cmd);
}

int main(int argc, char **argv)
{
    struct hems state; /* about 0.6 MB: storage for 256 nodes and 512 objects, buffers */
    struct hems *h = &state;
    int status;
    echonet_tstamp now;

    memset(h, 0, sizeof *h);
    status = parse_command_line(h, argc, argv);
    if (status != 0)
        return status < 0 ? 0 : status;
    if (check_file_option("--state", h->opt.state_path) != 0 || check_file_option("--energy", h->opt.energy_path) != 0)
        return 1;
    if (hems_printer_open(&h->out, h->opt.json, on_output, h) != 0) {
        perror("hems-controller");
        return 1;
    }
    if (open_log(h) != 0) {
        fprintf(stderr, "hems-controller: --log %s: %s\n", h->opt.log_path, strerror(errno));
        return 1;
    }
    if (setup_loop(h) != 0) {
        perror("hems-controller: signals");
        return 1;
    }
    now = posix_now_ms();
    if (setup_node(h) != 0 || setup_controller(h) != 0 || load_state(h, now) != 0 || setup_transport(h) != 0 ||
        setup_control(h) != 0 || setup_broute(h) != 0)
        return 1;
    if (h->opt.energy_path) {
        static struct hems_energy energy; /* about 1.1 MB: 32 logs and the file's bytes */

        if (hems_energy_open(&energy, h->opt.energy_path, (int32_t)h->opt.utc_offset_s, true) != 0)
            return 1;
        h->energy = &energy;
    }
    hems_house_init(&h->house, (int32_t)h->opt.utc_offset_s);
    /* The front-ends (HTTP, MQTT) get every event as JSON, whatever --json
     * says: a twin of the printer, for them alone. */
    if ((h->opt.http_listen || h->opt.mqtt.host) && hems_printer_open(&h->json_out, true, on_json, h) != 0) {
        perror("hems-controller");
        return 1;
    }
    h->out.twin = h->opt.http_listen || h->opt.mqtt.host ? &h->json_out : NULL;
    if (setup_http(h) != 0 || setup_mqtt(h) != 0) {
        h->out.twin = NULL;
        hems_http_close(h->http);
        if (h->mqtt)
            hems_mqtt_close(h->mqtt);
        hems_printer_close(&h->json_out);
        hems_printer_close(&h->out);
        return 1;
    }
    if (h->opt.remote)
        echonet_ctl_set_line(&h->ctl, true, now);
    h->stdin_open = h->daemon;
    lines_init(&h->line, LINE_CAP);
    if (!h->daemon)
        submit(h, &h->cmd, now);
    run(h);
    if (hems_state_tick(&h->state, &h->ctl, posix_now_ms(), true) != 0)
        status = 1;
    if (h->energy && hems_energy_flush(h->energy) != 0)
        status = 1;
    h->out.twin = NULL;
    hems_http_close(h->http);
    hems_printer_close(&h->json_out);
    if (h->mqtt)
        hems_mqtt_close(h->mqtt);
    udp_close(&h->udp);
    if (h->broute)
        broute_close(h->broute);
    if (h->control)
        hems_control_close(h->control);
    hems_printer_close(&h->out);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("hems-controller: standard output");
        return 1;
    }
    if (status != 0)
        return status;
    return h->daemon ? 0 : h->status;
}
