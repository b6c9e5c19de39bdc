/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* hems-controller's house view (examples/hems_house.c) over a gap of days:
 * a smart meter's values as the controller delivers them, in the order it
 * reads them (its first EA, then its history oldest day first; after a
 * restart from the controller's state three days later, the EA, then the
 * days missed, oldest first). Every half-hour from the day before the
 * first EA to the last one must then be in the whole-house series of the
 * energy file, each with the meter's own Wh; and while the history is
 * awaited, the house's figures show the latest EA and its day.
 *
 * usage: hems-house-days FILE   (FILE: a path for the energy file, created)
 * Prints what is wrong; exits 0 when every half-hour is right, 1 if not. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hems_energy.h"
#include "hems_house.h"

#define JST 32400
#define DAY0 (1796083200 - JST) /* 2026-12-01 00:00 in Japan: day 0 */
#define KEY "10.0.0.2/028801"
#define METER ECHONET_EOJ(0x02, 0x88, 0x01)

static struct hems_energy e;
static struct hems_house house;

/* The meter's register (1 Wh a count) at the boundary that starts
 * half-hour s of the days from day -1 (s = 0: day -1, 00:00). */
static uint32_t reg(unsigned s)
{
    return 500000u + 37u * s + (s * s) % 41u;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void value(uint8_t epc, const uint8_t *edt, uint8_t pdc, time_t now)
{
    hems_house_property(&house, &e, KEY, METER, epc, edt, pdc, now);
}

/* EA of half-hour s (from day -1, 00:00): 2026-11-30 + s / 48 days. */
static void ea(unsigned s, time_t now)
{
    uint8_t v[11];
    unsigned day = 30u + s / 48u; /* (November 30, then December) */

    v[0] = 0x07;
    v[1] = 0xEA;
    v[2] = day > 30u ? 12 : 11;
    v[3] = (uint8_t)(day > 30u ? day - 30u : day);
    v[4] = (uint8_t)(s % 48u / 2u);
    v[5] = (uint8_t)(s % 2u * 30u);
    v[6] = 0;
    put32(v + 7, reg(s));
    value(0xEA, v, sizeof v, now);
}

/* E2 of the day @p back days before the day of half-hour @p latest (the
 * latest EA): its half-hours up to @p latest, no data after. */
static void e2(unsigned latest, unsigned back, time_t now)
{
    uint8_t v[194];
    unsigned day = latest / 48u - back, i;

    v[0] = 0;
    v[1] = (uint8_t)back;
    for (i = 0; i < 48; i++)
        put32(v + 2 + 4 * i, day * 48u + i <= latest ? reg(day * 48u + i) : 0xFFFFFFFEu);
    value(0xE2, v, sizeof v, now);
}

int main(int argc, char **argv)
{
    static const uint8_t coef[] = {0, 0, 0, 1}, unit = 0x03, digits = 8;
    echonet_propmap get;
    const echonet_energy_log *log;
    unsigned s, first = 48u + 20u, stop = 48u + 40u, again = 4u * 48u + 18u, bad = 0;
    time_t now = DAY0 + 10 * 3600;
    unsigned writes;
    int back;

    if (argc != 2) {
        fprintf(stderr, "usage: hems-house-days FILE\n");
        return 2;
    }
    remove(argv[1]);
    if (hems_energy_open(&e, argv[1], JST, true) != 0)
        return 1;
    hems_house_init(&house, JST);
    echonet_propmap_init(&get);
    (void)echonet_propmap_add(&get, 0xEA);
    (void)echonet_propmap_add(&get, 0xE2);
    (void)echonet_propmap_add(&get, 0xE5);
    hems_house_ready(&house, KEY, METER, &get);
    value(0xD3, coef, 4, now);
    value(0xE1, &unit, 1, now);
    value(0xD7, &digits, 1, now);
    /* Day 0, 10:00: the first EA, then yesterday's and today's history.
     * While the history is awaited, `house` shows the EA and its day (it
     * showed 1970: the series' latest reading, none yet). */
    ea(first, now);
    {
        struct hems_house_figures f;

        hems_house_figures(&house, &e, now, &f);
        if (!f.has_meter || f.meter_wh != reg(first) || f.day != DAY0 || !f.day_from_meter) {
            fprintf(stderr, "hems-house-days: while the history is awaited: meter %d %llu Wh, day %lld (want %llu, %lld)\n",
                    (int)f.has_meter, (unsigned long long)f.meter_wh, (long long)f.day,
                    (unsigned long long)reg(first), (long long)DAY0);
            bad = 1;
        }
    }
    e2(first, 1, now);
    e2(first, 0, now);
    /* Every half-hour to 20:00. */
    for (s = first + 1; s <= stop; s++)
        ea(s, now += 1800);
    /* Down until day 3, 09:00; restored, the controller reads the EA, then
     * the days since day 0, the oldest first. The file is not written again
     * for their 200 half-hours (a save by the samples' times wrote it, two
     * fsyncs, for each: seconds of a controller doing nothing else). */
    writes = e.writes;
    now = DAY0 + 3 * 86400 + 9 * 3600 + 60;
    ea(again, now);
    for (back = 3; back >= 0; back--)
        e2(again, (unsigned)back, now);
    if (writes == 0 || e.writes != writes) {
        fprintf(stderr, "hems-house-days: the energy file written %u times before the gap, %u times more for "
                        "its history within a second\n", writes, e.writes - writes);
        bad = 1;
    }
    log = hems_energy_find(&e, KEY "/use");
    if (!log) {
        fprintf(stderr, "hems-house-days: no series %s/use\n", KEY);
        return 1;
    }
    /* Half-hour s: the register from boundary s to s + 1. */
    for (s = 0; s < again; s++) {
        echonet_energy_period p;
        uint32_t index;
        int64_t t = DAY0 - 86400 + (int64_t)s * 1800;

        if (echonet_energy_index(log, ECHONET_ENERGY_HALF_HOURLY, t, &index) != ECHONET_OK ||
            echonet_energy_get(log, ECHONET_ENERGY_HALF_HOURLY, index, &p) != ECHONET_OK) {
            fprintf(stderr, "hems-house-days: half-hour %u (day %d %02u:%02u) missing\n", s, (int)(s / 48) - 1,
                    s % 48 / 2, s % 2 * 30);
            bad = 1;
            continue;
        }
        if (p.mwh != (uint64_t)(reg(s + 1) - reg(s)) * 1000u) {
            fprintf(stderr, "hems-house-days: half-hour %u: %llu mWh, the meter counted %u Wh\n", s,
                    (unsigned long long)p.mwh, reg(s + 1) - reg(s));
            bad = 1;
        }
    }
    if (!bad)
        printf("hems-house-days: %u half-hours over 4 days, each as the meter counted\n", again);
    return bad;
}
