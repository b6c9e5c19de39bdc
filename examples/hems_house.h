/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_house: the whole house as hems-controller sees it, from the values
 * the controller reads (ECHONET_CTL_EV_PROPERTY events), whichever part of
 * the program asked for them:
 *
 * - 0x0288 smart meter: D3 (coefficient), E1 (unit), D7 (effective digits)
 *   kept per meter; E7 (W) the whole house's power now; EA (normal
 *   direction at the latest :00/:30, the meter's local time) a cumulative
 *   reading of the whole-house series at that half-hour, EB the same for
 *   the sale series; E2/E4 (the 48 half-hour counts of the day E5 selects,
 *   counted back from the day of the latest EA) fill the half-hours of that
 *   day after the latest reading. After a gap (no reading of the series
 *   for more than a half-hour, as at a start or after an outage) the EA and
 *   EB are held back until the history of today (and yesterday after a
 *   start or a gap across midnight) is in; the controller's meter profile
 *   reads the days of a gap (16 at most) after it, the oldest first (E5,
 *   then E2 and E4), so each day is fed as it comes and the held values
 *   last: the log takes readings in time order only. A
 *   meter without E2 (its Get map, hems_house_ready()) gets its EA fed as it
 *   is; so does one whose history has not come within 5 minutes of the
 *   controller's clock. Counts become Wh through
 *   echonet_energy_meter_wh() (coefficient x unit, wrap at 10^D7); the
 *   no-data code 0xFFFFFFFE (and any count too long for D7) becomes a gap
 *   (hems_energy_nodata()), never a number. Counts that arrive before the
 *   unit and digits are known are dropped.
 * - 0x0279 PV: E0 (W) generation now, E1 (cumulative, 0.001 kWh = 1 Wh)
 *   the generation series; 0x027C fuel cell: C4 (W), C5 (Wh) likewise.
 * - 0x027D battery: E4 (%), DA (mode), CF (working status), D3 (W, +
 *   charging); D8/D6 (cumulative charge/discharge, Wh) the battery series,
 *   or A8/A9 (AC cumulative charge/discharge) when the battery never gave
 *   D8/D6.
 * - every object: 0x84 (W) for the per-device list (0x84/0x85 also go to the
 *   device series, through hems_energy_value(), as before).
 *
 * Series keys in the energy file: "ADDR/EOJ/use" (a meter's whole house),
 * "ADDR/EOJ/sale", "ADDR/EOJ/generation" (PV, fuel cell), "ADDR/EOJ/charge",
 * "ADDR/EOJ/discharge" (battery); a device's 0x84/0x85 stay "ADDR/EOJ".
 * Readings without a time of their own (everything
 * but EA/EB/E2/E4) are stamped with the controller's clock.
 *
 * "Today" is the local day (--utc-offset) of the latest EA of a meter, the
 * meter's calendar, or of the controller's clock when no meter gave one.
 */
#ifndef EXAMPLES_HEMS_HOUSE_H
#define EXAMPLES_HEMS_HOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <echonet/echonet.h>

#include "hems_energy.h"

#define HEMS_HOUSE_OBJECTS 64 /* objects of the house's classes and devices with 0x84 */
#define HEMS_HOUSE_HISTORY_DAYS 2 /* days of a meter's history awaited while its EA is held */

struct hems_house_obj {
    char key[HEMS_ENERGY_KEY]; /* "ADDR/EOJ" */
    echonet_eoj eoj;
    /* 0x0288: the scale of its counts */
    bool has_coef, has_unit, has_digits;
    uint32_t coef;
    uint8_t unit, digits;
    int64_t normal_at, reverse_at; /* the latest EA/EB (or history slot) fed, Unix s; 0: none */
    bool has_normal;
    uint64_t normal_wh; /* the latest EA, Wh... */
    int64_t shown_at;   /* ...and its time */
    /* After a gap (a start, an outage): the EA/EB held back while the
     * history E2/E4 of the days since fills the half-hours before them. */
    bool want_history, held[2];
    bool map_known, has_history, has_reverse_history; /* E5 and E2; E4 (hems_house_ready()) */
    uint8_t history_back;   /* the oldest day awaited (0: today) */
    uint8_t history_need, hist_have; /* bit 2 x day: E2, 2 x day + 1: E4 */
    bool seen_ea;           /* an EA since the start */
    int64_t held_at[2];
    int64_t hold_since; /* the controller's clock when the history was wanted */
    uint32_t held_raw[2];
    /* power now: E7, E0, C4, D3 or 0x84 */
    bool has_power;
    int32_t power_w;
    /* battery */
    bool has_soc, has_mode, has_working, cum_dx; /* cum_dx: gave D8/D6 */
    uint8_t soc, mode, working;
};

struct hems_house {
    int32_t utc_offset;
    unsigned n;
    bool full_reported;
    struct hems_house_obj obj[HEMS_HOUSE_OBJECTS];
};

/* What `house` shows. Energies in mWh; a figure without data has its has_
 * flag false. */
#define HEMS_HOUSE_DEVICES 16
struct hems_house_figures {
    int64_t day;            /* Unix s of the start of "today" (local) */
    bool day_from_meter;    /* the meter's calendar, else the controller's clock */
    bool has_use_w;
    int32_t use_w;          /* E7 of the meters, summed */
    bool has_use_today;
    uint64_t use_today_mwh; /* whole-house series, today */
    bool has_meter;
    uint64_t meter_wh;      /* the latest EA, Wh (one meter: the first) */
    int64_t meter_at;       /* its time, Unix s */
    bool has_gen_w;
    int32_t gen_w;          /* PV E0 + fuel cell C4 */
    bool has_gen_today;
    uint64_t gen_today_mwh;
    bool has_sale_today;
    uint64_t sale_today_mwh;
    bool has_battery;       /* a battery with E4 */
    uint8_t battery_soc;    /* % */
    bool has_battery_mode;
    uint8_t battery_mode;   /* DA */
    bool has_battery_w;
    int32_t battery_w;      /* D3, + charging */
    unsigned n_devices;
    struct {
        char key[HEMS_ENERGY_KEY];
        int32_t power_w;
        bool has_today;
        uint64_t today_mwh;
    } devices[HEMS_HOUSE_DEVICES];
};

void hems_house_init(struct hems_house *house, int32_t utc_offset);

/* Whether eoj is of a class whose figures the house keeps in series of its
 * own (meter, PV, battery, fuel cell): not "not measured" without 0x84/0x85. */
bool hems_house_class(echonet_eoj eoj);

/* A value read from key's object (key "ADDR/EOJ"); energy may be NULL (no
 * --energy). now: the controller's clock. */
void hems_house_property(struct hems_house *house, struct hems_energy *energy, const char *key, echonet_eoj eoj,
                         uint8_t epc, const uint8_t *edt, uint8_t pdc, time_t now);

/* An object became ready with its Get map get: for a meter, whether it has
 * the history (E5 and E2; E4) that a held EA waits for. */
void hems_house_ready(struct hems_house *house, const char *key, echonet_eoj eoj, const echonet_propmap *get);

/* The figures now; energy may be NULL. */
void hems_house_figures(const struct hems_house *house, const struct hems_energy *energy, time_t now,
                        struct hems_house_figures *out);

/* The name of a battery mode (0xDA/0xCF codes): "charging", "automatic"...,
 * NULL for another code. */
const char *hems_house_battery_mode(uint8_t code);

#endif /* EXAMPLES_HEMS_HOUSE_H */
