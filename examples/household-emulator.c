/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * household-emulator: an emulated house over real UDP, one ECHONET Lite node
 * with six objects built on the library's device side and the generated
 * class tables (classes.h):
 *
 *   0x028801  low-voltage smart electric energy meter (0x0288)
 *   0x027901  household solar power generation (0x0279)
 *   0x027D01  storage battery (0x027D)
 *   0x027C01  fuel cell (0x027C)
 *   0x026B01  electric water heater (0x026B)
 *   0x029001  general lighting (0x0290)
 *
 * Their values come from the energy model of household.h, which advances
 * minute by minute on a clock of its own: --start sets the house time of
 * the start, --speed how many house seconds pass per real second (0: the
 * clock stands still; only the command "advance" moves it). Every figure
 * the model counted is written as one JSON object to --report FILE (and
 * printed as a "report" event) on SIGUSR1, on the command "report" and at
 * exit, so that a test can compare what a controller read with it, to the
 * Wh. doc/household-emulator.md describes the model, the properties and
 * the report.
 *
 * Standard output, one JSON object per line (emu_node.h): "start", "in"
 * and "out" datagrams, "command", "signal", "report" and "error" events.
 *
 * Exit status: 0 after quit or a signal; 1 when the sockets cannot be
 * opened, the report cannot be written or standard output fails; 2 for a
 * bad option.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <echonet/echonet.h>

#include "emu_node.h"
#include "evloop.h"
#include "household.h"
#include "posix_util.h"
#include "udp.h"

#define N_OBJECTS 6
#define QUEUE_SLOTS 4
#define LINE_CAP 256u
#define VALUE_CAP 20u            /* the longest stored value (0x83: 17 bytes) */
#define DEFAULT_MAKER 0xFFFFF0u  /* a "test" manufacturer code */
#define SPEED_MAX 100000L
#define WRAP_9 1000000000u       /* 0.001 kWh counters: 0 to 999 999.999 kWh */

enum part { METER, PV, BATTERY, FUEL_CELL, HEATER, LIGHT };

struct options {
    struct udp_config endpoint;
    uint8_t maker[3];
    uint8_t id[13];
    long speed;
    const char *report;
    struct household_config house;
    bool have_start;
};

/* One object: its generated class, the values the node serves (kept here,
 * refreshed from the model) and its announce map. */
struct hobj {
    struct emulator *emu;
    enum part part;
    const echonet_class *cls;
    echonet_object object;
    echonet_eoj eoj;
    echonet_propmap anno;
    uint8_t len[128];
    uint8_t value[128][VALUE_CAP];
};

struct emulator {
    struct options opt;
    /* The meter's EA and EB as its class has them, but announced: a meter
     * sends them after each half-hour boundary (an overlay, searched
     * before the class table). */
    echonet_prop_desc meter_overlay[2];
    struct emu_net net;
    echonet_node node;
    echonet_object *slots[N_OBJECTS];
    echonet_node_request queue[QUEUE_SLOTS];
    struct hobj objs[N_OBJECTS];
    struct household house;
    uint8_t meter_day;     /* 0x0288 0xE5 */
    bool dirty;            /* a write changed the model: refresh the objects */
    /* House time: sim_base_ms at the wall time wall_base (posix_now_ms()). */
    uint64_t sim_base_ms;
    echonet_tstamp wall_base;
    long speed;            /* 0 while paused */
    struct evloop loop;
    struct emu_stdin in;
};

static const char usage_text[] =
    "Usage: household-emulator [OPTIONS]\n"
    "An emulated house over UDP: smart meter, PV, battery, fuel cell, water heater, lighting.\n"
    "\n"
    "  --bind ADDR        local address to bind and send from (default 0.0.0.0, or ::)\n"
    "  --ipv6             IPv6 and ff02::1 instead of IPv4 and 224.0.23.0\n"
    "  --ifname IF        interface for multicast (default: the one holding ADDR)\n"
    "  --port N           port to listen on and to send to (default 3610)\n"
    "  --start TIME       house time of the start, YYYY-MM-DDTHH:MM (default: now, local time)\n"
    "  --speed N          house seconds per real second, 0 to 100000 (default 1;\n"
    "                     0: the clock moves only with the command advance)\n"
    "  --report FILE      write the model's figures to FILE (JSON) on SIGUSR1,\n"
    "                     on the command report and at exit\n"
    "  --maker HEX        manufacturer code, 6 hex digits (default FFFFF0)\n"
    "  --id HEX           identification number, up to 26 hex digits (default 0)\n"
    "  --pv W             PV output at noon of a clear day (default 4500)\n"
    "  --battery WH       battery capacity (default 9800; half charged at the start)\n"
    "  --meter-start WH   the meter's reading at the start, Wh (default 0)\n"
    "  --meter-coefficient N  0xD3, 1 to 999999 (default 1)\n"
    "  --meter-unit HEX   0xE1 unit code: 00 kWh, 01 0.1, 02 0.01, 03 0.001, 04 0.0001,\n"
    "                     0A 10, 0B 100, 0C 1000, 0D 10000 kWh (default 03)\n"
    "  --meter-digits N   0xD7, digits of the readings, 1 to 8 (default 8)\n"
    "  -h, --help         this text\n"
    "  --version          the program's and libechonet's version\n"
    "\n"
    "Commands on standard input:\n"
    "  pause | resume | advance MINUTES | report | quit\n"
    "SIGUSR1: report; SIGINT, SIGTERM: exit (the report is written).\n"
    "One JSON object per line on standard output.\n"
    "\n"
    "Exit status: 0 quit or signal, 1 socket, report or output failure, 2 bad option.\n";

/* ---- Values ------------------------------------------------------------------ */

static void put_u16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t u32_of(int32_t v)
{
    return (uint32_t)v; /* two's complement, as the wire wants it */
}

/* YYYY MM DD hh mm ss (7 bytes) of a house time. */
static void put_datetime(uint8_t *p, uint64_t t)
{
    struct household_time tm;

    household_civil(t, &tm);
    put_u16(p, tm.year);
    p[2] = (uint8_t)tm.month;
    p[3] = (uint8_t)tm.day;
    p[4] = (uint8_t)tm.hour;
    p[5] = (uint8_t)tm.minute;
    p[6] = (uint8_t)tm.second;
}

/* Stores a value the node will serve; when it changed and is in 0x9D, the
 * node announces it. Values the class table refuses are a bug: reported. */
static void publish(struct hobj *o, uint8_t epc, const uint8_t *v, size_t n)
{
    const echonet_prop_desc *d = echonet_object_desc(&o->object, epc);
    unsigned i = epc - 0x80u;
    char text[64];
    echonet_err err;

    if (d == NULL)
        return; /* a property this object leaves out */
    err = echonet_prop_desc_check(d, v, n, false);
    if (err != ECHONET_OK || n > VALUE_CAP) {
        emu_log_error("0x%06lx 0x%02x: a value the table refuses: %s", (unsigned long)o->eoj, (unsigned)epc,
                      emu_err_text(err, text, sizeof text));
        return;
    }
    if (o->len[i] == n && memcmp(o->value[i], v, n) == 0)
        return;
    o->len[i] = (uint8_t)n;
    memcpy(o->value[i], v, n);
    if (echonet_propmap_contains(&o->anno, epc))
        (void)echonet_node_changed(&o->emu->node, o->eoj, epc);
}

static void publish_byte(struct hobj *o, uint8_t epc, uint8_t v)
{
    publish(o, epc, &v, 1);
}

static void publish_u16(struct hobj *o, uint8_t epc, uint32_t v)
{
    uint8_t b[2];

    put_u16(b, v);
    publish(o, epc, b, 2);
}

static void publish_u32(struct hobj *o, uint8_t epc, uint32_t v)
{
    uint8_t b[4];

    put_u32(b, v);
    publish(o, epc, b, 4);
}

/* 0.001 kWh counters (1 Wh) of a W·s count, wrapping as the class says. */
static void publish_wh(struct hobj *o, uint8_t epc, uint64_t ws)
{
    publish_u32(o, epc, (uint32_t)(household_wh(ws) % WRAP_9));
}

/* EA/EB: the time of the latest half-hour boundary and the reading then. */
static void publish_fixed(struct hobj *o, uint8_t epc, uint64_t t, uint32_t raw)
{
    uint8_t b[11];

    put_datetime(b, t);
    put_u32(b + 7, raw);
    publish(o, epc, b, sizeof b);
}

static void publish_meter(struct hobj *o, const struct household *h)
{
    uint8_t currents[4];
    int32_t deci_amps = h->p.grid / 20; /* 200 V single-phase three-wire: each line carries W / 200 A */

    publish_u32(o, 0xD3, h->cfg.meter_coefficient);
    publish_byte(o, 0xD7, h->cfg.meter_digits);
    publish_byte(o, 0xE1, h->cfg.meter_unit);
    publish_u32(o, 0xE0, household_meter_normal(h));
    publish_u32(o, 0xE3, household_meter_reverse(h));
    publish_byte(o, 0xE5, o->emu->meter_day);
    publish_u32(o, 0xE7, u32_of(h->p.grid));
    put_u16(currents, (uint16_t)deci_amps);
    put_u16(currents + 2, (uint16_t)deci_amps);
    publish(o, 0xE8, currents, 4);
    publish_fixed(o, 0xEA, h->fixed_time, h->fixed_normal);
    publish_fixed(o, 0xEB, h->fixed_time, h->fixed_reverse);
}

static void publish_battery(struct hobj *o, const struct household *h)
{
    uint32_t soc = (uint32_t)household_wh(h->soc_ws), cap = h->cfg.battery_wh;
    uint8_t b[8];
    struct household_time tm;
    uint8_t state = h->p.battery > 0   ? HOUSEHOLD_BATTERY_CHARGING
                    : h->p.battery < 0 ? HOUSEHOLD_BATTERY_DISCHARGING
                                       : HOUSEHOLD_BATTERY_STANDBY;

    household_civil(h->now, &tm);
    b[0] = (uint8_t)tm.hour;
    b[1] = (uint8_t)tm.minute;
    publish(o, 0x97, b, 2);
    put_u16(b, tm.year);
    b[2] = (uint8_t)tm.month;
    b[3] = (uint8_t)tm.day;
    publish(o, 0x98, b, 4);
    publish_u32(o, 0xA0, cap);
    publish_u32(o, 0xA1, cap);
    publish_u32(o, 0xA2, cap);
    publish_u32(o, 0xA3, cap);
    publish_u32(o, 0xA4, cap - soc);
    publish_u32(o, 0xA5, soc);
    publish_wh(o, 0xA8, h->e.charge);
    publish_wh(o, 0xA9, h->e.discharge);
    put_u32(b, 100);
    put_u32(b + 4, h->cfg.battery_max_w);
    publish(o, 0xC8, b, 8);
    publish(o, 0xC9, b, 8);
    publish_byte(o, 0xCF, state);
    publish_byte(o, 0xDA, h->battery_mode);
    publish_u32(o, 0xD3, u32_of(h->p.battery));
    publish_u32(o, 0xE2, soc);
    publish_byte(o, 0xE4, (uint8_t)(soc * 100u / cap));
}

static void publish_fuel_cell(struct hobj *o, const struct household *h)
{
    uint8_t window[4] = {(uint8_t)(h->fc_from / 60), (uint8_t)(h->fc_from % 60), (uint8_t)(h->fc_to / 60),
                         (uint8_t)(h->fc_to % 60)};

    publish_u16(o, 0xC2, h->cfg.fuel_cell_w);
    publish_u16(o, 0xC4, (uint32_t)h->p.fuel_cell);
    publish_wh(o, 0xC5, h->e.fuel_cell);
    publish_byte(o, 0xCB, h->p.fuel_cell > 0 ? 0x41 : 0x42);
    publish(o, 0xD1, window, 4);
    publish_byte(o, 0xD2, h->fc_mode);
}

static void publish_all(struct emulator *emu)
{
    const struct household *h = &emu->house;
    struct hobj *o = emu->objs;
    uint64_t full = (uint64_t)HOUSEHOLD_TANK_WH * 3600u;

    publish_meter(&o[METER], h);
    publish_u16(&o[PV], 0xE0, (uint32_t)h->p.pv);
    publish_wh(&o[PV], 0xE1, h->e.pv);
    publish_battery(&o[BATTERY], h);
    publish_fuel_cell(&o[FUEL_CELL], h);
    publish_byte(&o[HEATER], 0xB0, h->heater_mode);
    publish_byte(&o[HEATER], 0xB2, h->p.heater > 0 ? 0x41 : 0x42);
    publish_byte(&o[HEATER], 0xC3, h->drawing ? 0x41 : 0x42);
    publish_u16(&o[HEATER], 0xE1, (uint32_t)(HOUSEHOLD_TANK_L * h->tank_ws / full));
    publish_u16(&o[HEATER], 0x84, (uint32_t)h->p.heater);
    publish_wh(&o[HEATER], 0x85, h->e.heater);
    publish_byte(&o[LIGHT], 0x80, h->light_on ? ECHONET_ON : ECHONET_OFF);
    publish_byte(&o[LIGHT], 0xB0, h->brightness);
    publish_u16(&o[LIGHT], 0x84, (uint32_t)h->p.light);
    publish_wh(&o[LIGHT], 0x85, h->e.light);
}

/* ---- Accessors ------------------------------------------------------------- */

static int hobj_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    const struct hobj *o = ctx;
    unsigned i = epc - 0x80u;

    if (o->part == METER && (epc == 0xE2 || epc == 0xE4)) {
        uint32_t slots[HOUSEHOLD_SLOTS];
        const struct emulator *emu = o->emu;
        unsigned k;

        if (cap < 2 + 4 * HOUSEHOLD_SLOTS)
            return ECHONET_ERR_NOBUF;
        household_history(&emu->house, emu->meter_day, epc == 0xE4, slots);
        put_u16(edt, emu->meter_day);
        for (k = 0; k < HOUSEHOLD_SLOTS; k++)
            put_u32(edt + 2 + 4 * k, slots[k]);
        return 2 + 4 * HOUSEHOLD_SLOTS;
    }
    if (o->len[i] == 0 || cap < o->len[i])
        return ECHONET_ERR_NOT_FOUND;
    memcpy(edt, o->value[i], o->len[i]);
    return o->len[i];
}

/* A write the model acts on: 1; 0 for a property it only stores; a
 * negative echonet_err for a value the model cannot take. */
static int model_set(struct hobj *o, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    struct household *h = &o->emu->house;

    switch (o->part * 256 + epc) {
    case METER * 256 + 0xE5:
        o->emu->meter_day = edt[0];
        return 1;
    case BATTERY * 256 + 0xDA:
        if (!household_battery_mode_ok(edt[0]))
            return ECHONET_ERR_VALUE;
        h->battery_mode = edt[0];
        return 1;
    case FUEL_CELL * 256 + 0xD2:
        h->fc_mode = edt[0];
        return 1;
    case FUEL_CELL * 256 + 0xD1:
        if (pdc != 4 || edt[0] > 23 || edt[1] > 59 || edt[2] > 24 || edt[3] > 59 || (edt[2] == 24 && edt[3] != 0))
            return ECHONET_ERR_VALUE; /* also "undefined" (0xFFFFFFFF): the model needs hours */
        h->fc_from = (uint16_t)(edt[0] * 60 + edt[1]);
        h->fc_to = (uint16_t)(edt[2] * 60 + edt[3]);
        return 1;
    case HEATER * 256 + 0xB0:
        h->heater_mode = edt[0];
        return 1;
    case LIGHT * 256 + 0x80:
        h->light_on = edt[0] == ECHONET_ON;
        return 1;
    case LIGHT * 256 + 0xB0:
        h->brightness = edt[0];
        return 1;
    default:
        return 0;
    }
}

/* Values arrive checked against the class table. */
static int hobj_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                    echonet_tstamp now)
{
    struct hobj *o = ctx;
    unsigned i = epc - 0x80u;
    int acted;

    (void)source;
    (void)now;
    if (pdc > VALUE_CAP)
        return ECHONET_ERR_VALUE_SIZE;
    if (o->len[i] == pdc && memcmp(o->value[i], edt, pdc) == 0)
        return 0;
    acted = model_set(o, epc, edt, pdc);
    if (acted < 0)
        return acted;
    if (acted > 0) {
        household_update(&o->emu->house);
        o->emu->dirty = true; /* the measured values follow after the answer */
    }
    o->len[i] = (uint8_t)pdc;
    memcpy(o->value[i], edt, pdc);
    return 1;
}

static const echonet_object_ops hobj_ops = {hobj_get, hobj_set, NULL, NULL};

/* ---- Set-up ------------------------------------------------------------------- */

/* The values that do not follow the model: each object's superclass
 * properties and the fixed ones of its class. */
static void publish_fixed_values(struct emulator *emu)
{
    static const uint8_t version[4] = {0, 0, 'M', 0};
    static const uint8_t no_schedule[7] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    static const uint8_t zeros[16] = {0};
    struct hobj *o = emu->objs;
    unsigned k;

    for (k = 0; k < N_OBJECTS; k++) {
        uint8_t id[17] = {0xFE, emu->opt.maker[0], emu->opt.maker[1], emu->opt.maker[2]};

        memcpy(id + 4, emu->opt.id, 13);
        id[16] = (uint8_t)(id[16] + k + 1);
        publish_byte(&o[k], 0x80, ECHONET_ON);
        publish_byte(&o[k], 0x81, 0x00);
        publish(&o[k], 0x82, version, 4);
        publish(&o[k], 0x83, id, sizeof id);
        publish_byte(&o[k], 0x88, ECHONET_NO_FAULT);
        publish(&o[k], 0x8A, emu->opt.maker, 3);
    }
    publish(&o[PV], 0xB1, no_schedule, 7);
    publish_byte(&o[PV], 0xC1, 0x42);           /* non-FIT */
    publish_byte(&o[PV], 0xC2, 0x41);           /* with self-consumption */
    publish_byte(&o[PV], 0xD0, 0x00);           /* grid-tied, reverse flow */
    publish_byte(&o[PV], 0xD1, 0x44);           /* not restraining */
    publish_u16(&o[PV], 0xE8, emu->opt.house.pv_peak_w); /* rated output (writable, stored) */
    publish_u32(&o[BATTERY], 0xAA, 0);          /* not set */
    publish_u32(&o[BATTERY], 0xAB, 0);
    publish_byte(&o[BATTERY], 0xC1, 0x02);      /* surplus-energy charging */
    publish_byte(&o[BATTERY], 0xC2, 0x02);      /* load following */
    publish_byte(&o[BATTERY], 0xDB, 0x00);
    publish_byte(&o[BATTERY], 0xE6, 0x04);      /* lithium-ion */
    publish_byte(&o[FUEL_CELL], 0xD0, 0x02);    /* grid-tied, no reverse flow */
    publish_byte(&o[HEATER], 0xC0, 0x41);       /* daytime reheating permitted */
    publish(&o[HEATER], 0xC2, zeros, 4);        /* no alarm */
    publish_byte(&o[HEATER], 0xC7, 0x00);       /* no energy shift */
    publish_byte(&o[HEATER], 0xC8, 0x01);       /* heating starts at 01:00 */
    publish_byte(&o[HEATER], 0xC9, 0x01);
    publish_byte(&o[HEATER], 0xCA, 0x00);
    publish(&o[HEATER], 0xCB, zeros, 16);
    publish(&o[HEATER], 0xCC, zeros, 8);
    publish_byte(&o[HEATER], 0xCD, 0x00);
    publish(&o[HEATER], 0xCE, zeros, 12);
    publish(&o[HEATER], 0xCF, zeros, 6);
    publish_byte(&o[HEATER], 0xEA, 0x42);       /* bath stopped */
    publish_u16(&o[HEATER], 0xE2, HOUSEHOLD_TANK_L);
    publish_byte(&o[LIGHT], 0xB6, 0x42);        /* main lighting */
}

/* EA and EB of the meter's class table, with announcement added. */
static echonet_err announced_fixed_time(echonet_prop_desc overlay[2])
{
    static const uint8_t epcs[2] = {0xEA, 0xEB};
    unsigned k;

    for (k = 0; k < 2; k++) {
        const echonet_prop_desc *d =
            echonet_prop_desc_find(echonet_class_0288.props, echonet_class_0288.n_props, epcs[k]);

        if (d == NULL)
            return ECHONET_ERR_TABLE;
        overlay[k] = *d;
        overlay[k].access |= ECHONET_ACCESS_ANNO;
    }
    return ECHONET_OK;
}

static int setup_node(struct emulator *emu)
{
    /* The optional properties each object keeps (0x83 for all). */
    static const uint8_t keep_meter[] = {0x83, 0xD3, 0xE3, 0xE4, 0xEB};
    static const uint8_t keep_pv[] = {0x83};
    static const uint8_t keep_battery[] = {0x83, 0xD3, 0xE2, 0xE4};
    static const uint8_t keep_fc[] = {0x83};
    static const uint8_t keep_heater[] = {0x83, 0x84, 0x85, 0xE1, 0xE2};
    static const uint8_t keep_light[] = {0x83, 0x84, 0x85, 0xB0};
    static const struct {
        const echonet_class *cls;
        const uint8_t *keep;
        size_t n_keep;
    } parts[N_OBJECTS] = {
        {&echonet_class_0288, keep_meter, sizeof keep_meter},
        {&echonet_class_0279, keep_pv, sizeof keep_pv},
        {&echonet_class_027d, keep_battery, sizeof keep_battery},
        {&echonet_class_027c, keep_fc, sizeof keep_fc},
        {&echonet_class_026b, keep_heater, sizeof keep_heater},
        {&echonet_class_0290, keep_light, sizeof keep_light},
    };
    echonet_node_config cfg;
    char text[64];
    echonet_err err;
    unsigned k;

    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.manufacturer, emu->opt.maker, 3);
    memcpy(cfg.unique_id, emu->opt.id, 13);
    err = echonet_node_init(&emu->node, &cfg, emu->slots, N_OBJECTS, emu->queue, QUEUE_SLOTS);
    for (k = 0; k < N_OBJECTS && err == ECHONET_OK; k++) {
        struct hobj *o = &emu->objs[k];
        echonet_propmap omit;

        o->emu = emu;
        o->part = (enum part)k;
        o->cls = parts[k].cls;
        o->eoj = ECHONET_EOJ_OF_CLASS(o->cls->code, 1);
        err = echonet_class_omit(&omit, o->cls, parts[k].keep, parts[k].n_keep);
        if (err == ECHONET_OK && k == METER)
            err = announced_fixed_time(emu->meter_overlay);
        if (err == ECHONET_OK)
            err = echonet_object_init_class(&o->object, o->eoj, o->cls, k == METER ? emu->meter_overlay : NULL,
                                            k == METER ? 2 : 0, &omit, &hobj_ops, o);
        if (err == ECHONET_OK)
            echonet_object_maps(&o->object, &o->anno, NULL, NULL);
    }
    if (err == ECHONET_OK) {
        publish_fixed_values(emu);
        publish_all(emu);
    }
    for (k = 0; k < N_OBJECTS && err == ECHONET_OK; k++)
        err = echonet_node_add(&emu->node, &emu->objs[k].object);
    if (err != ECHONET_OK) {
        fprintf(stderr, "household-emulator: setting up the node: %s\n", emu_err_text(err, text, sizeof text));
        return -1;
    }
    return 0;
}

/* ---- The report --------------------------------------------------------------- */

static void report_energy(FILE *f, const char *name, uint64_t ws)
{
    fprintf(f, ",\"%s\":%llu", name, (unsigned long long)household_wh(ws));
}

/* The model's figures as one JSON object (no newline). */
static void write_report(FILE *f, const struct emulator *emu)
{
    const struct household *h = &emu->house;
    const struct household_energy *e = &h->e;
    const struct household_power *p = &h->p;
    char t[24], ft[24];

    fprintf(f, "{\"time\":\"%s\",\"minutes\":%llu,\"speed\":%ld", household_format_time(h->now, t, sizeof t),
            (unsigned long long)((h->now - h->cfg.start) / HOUSEHOLD_STEP), emu->speed);
    fprintf(f, ",\"power_w\":{\"base\":%ld,\"heater\":%ld,\"light\":%ld,\"load\":%ld,\"pv\":%ld,\"fuel_cell\":%ld,"
               "\"battery\":%ld,\"grid\":%ld}",
            (long)p->base, (long)p->heater, (long)p->light, (long)p->load, (long)p->pv, (long)p->fuel_cell,
            (long)p->battery, (long)p->grid);
    fputs(",\"energy_wh\":{\"start\":\"", f);
    fputs(household_format_time(h->cfg.start, t, sizeof t), f);
    fputc('"', f);
    report_energy(f, "load", e->load);
    report_energy(f, "base", e->base);
    report_energy(f, "heater", e->heater);
    report_energy(f, "light", e->light);
    report_energy(f, "pv", e->pv);
    report_energy(f, "fuel_cell", e->fuel_cell);
    report_energy(f, "charge", e->charge);
    report_energy(f, "discharge", e->discharge);
    report_energy(f, "import", e->import);
    report_energy(f, "export", e->export_);
    fprintf(f, "},\"energy_ws\":{\"load\":%llu,\"pv\":%llu,\"fuel_cell\":%llu,\"charge\":%llu,\"discharge\":%llu,"
               "\"import\":%llu,\"export\":%llu}",
            (unsigned long long)e->load, (unsigned long long)e->pv, (unsigned long long)e->fuel_cell,
            (unsigned long long)e->charge, (unsigned long long)e->discharge, (unsigned long long)e->import,
            (unsigned long long)e->export_);
    fprintf(f, ",\"meter\":{\"coefficient\":%lu,\"unit\":%u,\"digits\":%u,\"start_wh\":%lu,\"e0\":%lu,\"e3\":%lu,"
               "\"e7\":%ld,\"e5\":%u,\"fixed_time\":\"%s\",\"ea\":%lu,\"eb\":%lu}",
            (unsigned long)h->cfg.meter_coefficient, (unsigned)h->cfg.meter_unit, (unsigned)h->cfg.meter_digits,
            (unsigned long)h->cfg.meter_start_wh, (unsigned long)household_meter_normal(h),
            (unsigned long)household_meter_reverse(h), (long)p->grid, (unsigned)emu->meter_day,
            household_format_time(h->fixed_time, ft, sizeof ft), (unsigned long)h->fixed_normal,
            (unsigned long)h->fixed_reverse);
    fprintf(f, ",\"battery\":{\"mode\":%u,\"soc_wh\":%llu,\"capacity_wh\":%lu}", (unsigned)h->battery_mode,
            (unsigned long long)household_wh(h->soc_ws), (unsigned long)h->cfg.battery_wh);
    fprintf(f, ",\"water_heater\":{\"mode\":%u,\"tank_wh\":%llu},\"lighting\":{\"on\":%s,\"brightness\":%u}",
            (unsigned)h->heater_mode, (unsigned long long)household_wh(h->tank_ws), h->light_on ? "true" : "false",
            (unsigned)h->brightness);
    fprintf(f, ",\"fuel_cell\":{\"mode\":%u,\"from\":%u,\"to\":%u}}", (unsigned)h->fc_mode, (unsigned)h->fc_from,
            (unsigned)h->fc_to);
}

/* Prints the report as an event and writes --report. Returns 0, or -1. */
static int report(struct emulator *emu)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int rc = 0;

    if (f == NULL) {
        emu_log_error("report: %s", strerror(errno));
        return -1;
    }
    write_report(f, emu);
    if (fclose(f) != 0) {
        free(buf);
        emu_log_error("report: %s", strerror(errno));
        return -1;
    }
    printf("{\"event\":\"report\",\"report\":%s", buf);
    emu_log_end();
    if (emu->opt.report) {
        buf[len] = '\n';
        if (posix_replace_file(emu->opt.report, (const uint8_t *)buf, len + 1) != 0) {
            emu_log_error("report: %s: %s", emu->opt.report, strerror(errno));
            rc = -1;
        }
    }
    free(buf);
    return rc;
}

/* ---- The clock ------------------------------------------------------------------ */

static uint64_t sim_ms(const struct emulator *emu, echonet_tstamp now)
{
    return emu->sim_base_ms + (now - emu->wall_base) * (uint64_t)emu->speed;
}

/* Sets the clock's base to now, so that the speed can change. */
static void rebase(struct emulator *emu, echonet_tstamp now)
{
    emu->sim_base_ms = sim_ms(emu, now);
    emu->wall_base = now;
}

/* Brings the model to the clock's time and the objects to the model. */
static void catch_up(struct emulator *emu, echonet_tstamp now)
{
    if (household_advance(&emu->house, sim_ms(emu, now) / 1000u) > 0 || emu->dirty) {
        emu->dirty = false;
        publish_all(emu);
    }
}

/* When the next minute of house time begins, on posix_now_ms()'s clock. */
static echonet_tstamp next_minute(const struct emulator *emu)
{
    uint64_t target = (emu->house.now + HOUSEHOLD_STEP) * 1000u;

    if (emu->speed == 0)
        return ECHONET_TSTAMP_NEVER;
    if (target <= emu->sim_base_ms)
        return emu->wall_base;
    return emu->wall_base + (target - emu->sim_base_ms + (uint64_t)emu->speed - 1) / (uint64_t)emu->speed;
}

/* ---- Commands and signals ------------------------------------------------------- */

static bool run_line(void *user, char *line, bool too_long)
{
    struct emulator *emu = user;
    echonet_tstamp now = posix_now_ms();
    char copy[LINE_CAP], *word, *arg, *extra, *save = NULL;
    long minutes;

    if (too_long) {
        emu_log_error("command line longer than %u bytes", LINE_CAP - 1u);
        return true;
    }
    if (emu_is_blank(line))
        return true;
    memcpy(copy, line, sizeof copy);
    word = strtok_r(copy, " \t\r", &save);
    arg = strtok_r(NULL, " \t\r", &save);
    extra = strtok_r(NULL, " \t\r", &save);
    if (extra != NULL || (arg != NULL && strcmp(word, "advance") != 0)) {
        emu_log_error("%s: too many arguments", line);
        return true;
    }
    catch_up(emu, now);
    if (strcmp(word, "pause") == 0) {
        rebase(emu, now);
        emu->speed = 0;
    } else if (strcmp(word, "resume") == 0) {
        rebase(emu, now);
        emu->speed = emu->opt.speed;
    } else if (strcmp(word, "advance") == 0) {
        if (arg == NULL || !emu_parse_long(arg, false, 0, 100L * 24 * 60, &minutes)) {
            emu_log_error("%s: expected advance MINUTES (0 to 144000)", line);
            return true;
        }
        rebase(emu, now);
        /* From the current minute's start, so that N minutes are N steps. */
        emu->sim_base_ms = (emu->house.now + (uint64_t)minutes * HOUSEHOLD_STEP) * 1000u;
    } else if (strcmp(word, "report") == 0) {
        ;
    } else if (strcmp(word, "quit") == 0) {
        emu_log_event("command", "line", line);
        evloop_stop(&emu->loop);
        return false;
    } else {
        emu_log_error("%s: unknown command", line);
        return true;
    }
    emu_log_event("command", "line", line);
    catch_up(emu, now);
    if (strcmp(word, "report") == 0 || strcmp(word, "advance") == 0)
        (void)report(emu);
    emu_net_drain(&emu->net, now);
    return true;
}

static void on_signal(void *user, int sig)
{
    struct emulator *emu = user;

    if (sig == SIGUSR1) {
        emu_log_event("signal", "signal", "SIGUSR1");
        catch_up(emu, posix_now_ms());
        (void)report(emu);
    } else {
        emu_log_event("signal", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM");
        evloop_stop(&emu->loop);
    }
}

/* ---- Options ---------------------------------------------------------------------- */

static bool option_value(void *user, const char *name, const char *value)
{
    struct options *o = user;
    long v;
    struct household_config *c = &o->house;

    if (strcmp(name, "--start") == 0 && household_parse_time(value, &c->start) == 0)
        o->have_start = true;
    else if (strcmp(name, "--speed") == 0 && emu_parse_long(value, false, 0, SPEED_MAX, &v))
        o->speed = v;
    else if (strcmp(name, "--report") == 0 && value[0] != '\0')
        o->report = value;
    else if (strcmp(name, "--maker") == 0 && strlen(value) == 6 && posix_parse_hex(value, o->maker, 3, false) == 3)
        ;
    else if (strcmp(name, "--id") == 0 && posix_parse_hex(value, o->id, 13, true) == 13)
        ;
    else if (strcmp(name, "--pv") == 0 && emu_parse_long(value, false, 0, 65533, &v))
        c->pv_peak_w = (uint32_t)v;
    else if (strcmp(name, "--battery") == 0 && emu_parse_long(value, false, 100, 999999999L, &v)) {
        c->battery_wh = (uint32_t)v;
        c->battery_soc_wh = (uint32_t)v / 2u;
    } else if (strcmp(name, "--meter-start") == 0 && emu_parse_long(value, false, 0, 999999999L, &v))
        c->meter_start_wh = (uint32_t)v;
    else if (strcmp(name, "--meter-coefficient") == 0 && emu_parse_long(value, false, 1, 999999, &v))
        c->meter_coefficient = (uint32_t)v;
    else if (strcmp(name, "--meter-unit") == 0 && posix_parse_hex(value, &c->meter_unit, 1, true) == 1)
        ;
    else if (strcmp(name, "--meter-digits") == 0 && emu_parse_long(value, false, 1, 8, &v))
        c->meter_digits = (uint8_t)v;
    else
        return false;
    return true;
}

static bool takes_value(const char *name)
{
    static const char *const names[] = {"--start", "--speed", "--report", "--maker", "--id", "--pv", "--battery",
                                        "--meter-start", "--meter-coefficient", "--meter-unit", "--meter-digits"};
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    return false;
}

/* The local time now, to the minute. */
static uint64_t local_now(void)
{
    time_t t = time(NULL);
    struct tm tm;
    struct household_time ht;

    if (localtime_r(&t, &tm) == NULL)
        return 0;
    ht.year = (unsigned)tm.tm_year + 1900u;
    ht.month = (unsigned)tm.tm_mon + 1u;
    ht.day = (unsigned)tm.tm_mday;
    ht.hour = (unsigned)tm.tm_hour;
    ht.minute = (unsigned)tm.tm_min;
    ht.second = 0;
    return household_from_civil(&ht);
}

/* Returns 0 to run, 1 after --help or --version, 2 (with a message) on a bad option. */
static int parse_options(int argc, char **argv, struct options *o)
{
    const struct emu_args args = {"household-emulator", usage_text, &o->endpoint, NULL, takes_value, option_value, o};
    const char *what;
    int rc;

    memset(o, 0, sizeof *o);
    o->endpoint.port = ECHONET_PORT;
    o->endpoint.broadcast = true;
    o->maker[0] = (uint8_t)(DEFAULT_MAKER >> 16);
    o->maker[1] = (uint8_t)(DEFAULT_MAKER >> 8);
    o->maker[2] = (uint8_t)DEFAULT_MAKER;
    o->speed = 1;
    household_defaults(&o->house);
    rc = emu_parse_args(&args, argc, argv);
    if (rc != 0)
        return rc;
    if (!o->have_start)
        o->house.start = local_now();
    what = household_config_check(&o->house);
    return what ? emu_usage_error("household-emulator", what, "") : 0;
}

/* ---- The loop's sources ------------------------------------------------------------ */

static int net_fds(void *self, struct pollfd *out, int cap)
{
    const struct emulator *emu = self;

    return emu_net_fds(&emu->net, out, cap);
}

static int net_timeout(void *self)
{
    const struct emulator *emu = self;
    echonet_tstamp deadline = echonet_node_expiry(&emu->node), minute = next_minute(emu);

    return evloop_ms_until(minute < deadline ? minute : deadline, posix_now_ms());
}

static void net_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct emulator *emu = self;
    echonet_tstamp now;
    int i;

    for (i = 0; i < n && !emu->loop.stop; i++) {
        if (fds[i].revents == 0)
            continue;
        catch_up(emu, posix_now_ms());
        emu_net_receive(&emu->net, fds[i].fd);
    }
    now = posix_now_ms();
    catch_up(emu, now); /* also the values a write just changed */
    emu_net_drain(&emu->net, now);
    if (ferror(stdout))
        evloop_stop(&emu->loop);
}

int main(int argc, char **argv)
{
    static const int caught[] = {SIGINT, SIGTERM, SIGUSR1};
    static struct emulator state; /* about 200 KB: the datagram buffers and the meter's history */
    struct emulator *emu = &state;
    const struct evloop_source net = {emu, net_fds, net_timeout, net_dispatch};
    char why[256], group[UDP_FORMAT_MAX], t[24];
    int status = parse_options(argc, argv, &emu->opt);

    if (status != 0)
        return status == 1 ? 0 : status;
    emu->net.node = &emu->node;
    emu->speed = emu->opt.speed;
    household_init(&emu->house, &emu->opt.house);
    emu->sim_base_ms = emu->house.now * 1000u;
    emu->wall_base = posix_now_ms();
    if (evloop_init(&emu->loop, caught, sizeof caught / sizeof caught[0], on_signal, emu) != 0) {
        perror("household-emulator: signals");
        return 1;
    }
    (void)evloop_add(&emu->loop, &net);
    (void)emu_stdin_add(&emu->in, &emu->loop, LINE_CAP, run_line, emu);
    if (setup_node(emu) != 0)
        return 1;
    if (udp_open(&emu->net.udp, &emu->opt.endpoint, why, sizeof why) != 0) {
        fprintf(stderr, "household-emulator: %s\n", why);
        return 1;
    }
    printf("{\"event\":\"start\",\"port\":%u,\"ipv6\":%s,\"time\":\"%s\",\"speed\":%ld}\n",
           (unsigned)emu->opt.endpoint.port, emu->opt.endpoint.ipv6 ? "true" : "false",
           household_format_time(emu->house.now, t, sizeof t), emu->speed);
    fflush(stdout);
    if (emu->net.udp.group_errno != 0)
        emu_log_error("joining the multicast group %s failed: %s",
                      udp_format_group(&emu->net.udp, group, sizeof group), strerror(emu->net.udp.group_errno));
    emu_net_drain(&emu->net, posix_now_ms());
    while (!emu->loop.stop && !ferror(stdout))
        if (evloop_turn(&emu->loop) != 0)
            emu_log_error("poll: %s", strerror(errno));
    catch_up(emu, posix_now_ms());
    status = report(emu) == 0 ? 0 : 1;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("household-emulator: standard output");
        status = 1;
    }
    udp_close(&emu->net.udp);
    return status;
}
