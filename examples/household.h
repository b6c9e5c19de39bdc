/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * household: the energy model of a house for household-emulator, without
 * I/O (plain C99, no clock: the caller says what time it is), so that the
 * unit tests and a simulation can run it too. doc/household-emulator.md
 * describes it.
 *
 * Time is the house's local time in seconds since 1970-01-01T00:00 (no
 * time zone: the calendar of the meter). The model advances in steps of one
 * minute; every power is constant over its minute, so that every energy
 * is an exact sum of W x 60 s (counted in W·s) and every Wh figure is exact.
 *
 * The balance, each minute (W; battery positive when charging):
 *
 *   load    = base + water heater + lighting
 *   grid    = load + battery - pv - fuel cell
 *   import  = max(grid, 0), export = max(-grid, 0)   (the meter's E0 and E3)
 *
 * so that, over any stretch, import - export = load + charge - discharge -
 * pv - fuel cell, to the W·s.
 */
#ifndef EXAMPLES_HOUSEHOLD_H
#define EXAMPLES_HOUSEHOLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HOUSEHOLD_STEP 60u          /* seconds of one step */
#define HOUSEHOLD_DAY 86400u
#define HOUSEHOLD_SLOTS 48u         /* half-hours of a day (E2/E4) */
#define HOUSEHOLD_DAYS 100u         /* days of history kept: E5 = 0 (today) to 99 */
#define HOUSEHOLD_NO_DATA 0xFFFFFFFEu /* a half-hour the meter has no reading for */

/* Battery working states (0x027D 0xCF and 0xDA codes). */
#define HOUSEHOLD_BATTERY_RAPID 0x41u
#define HOUSEHOLD_BATTERY_CHARGING 0x42u
#define HOUSEHOLD_BATTERY_DISCHARGING 0x43u
#define HOUSEHOLD_BATTERY_STANDBY 0x44u
#define HOUSEHOLD_BATTERY_AUTO 0x46u

/* Water heater settings (0x026B 0xB0). */
#define HOUSEHOLD_HEATER_AUTO 0x41u
#define HOUSEHOLD_HEATER_ON 0x42u
#define HOUSEHOLD_HEATER_STOP 0x43u

/* Fuel cell (0x027C 0xD2). */
#define HOUSEHOLD_FC_RATED 0x41u
#define HOUSEHOLD_FC_FOLLOW 0x42u

/* A calendar time. */
struct household_time {
    unsigned year, month, day, hour, minute, second;
};

/* What the house is made of; household_defaults() fills in the defaults. */
struct household_config {
    uint64_t start;            /* house time of the start, a whole minute */
    uint32_t pv_peak_w;        /* PV output at noon of a clear day */
    uint32_t battery_wh;       /* battery capacity */
    uint32_t battery_soc_wh;   /* its charge at the start */
    uint32_t battery_max_w;    /* its largest charge and discharge power */
    uint32_t fuel_cell_w;      /* fuel cell rated output */
    uint32_t meter_start_wh;   /* the meter's normal-direction reading at the start */
    uint32_t meter_coefficient; /* 0x0288 0xD3, 1 to 999 999 */
    uint8_t meter_unit;        /* 0x0288 0xE1 code */
    uint8_t meter_digits;      /* 0x0288 0xD7, 1 to 8 */
};

/* The powers of the current minute (W). */
struct household_power {
    int32_t base, heater, light, load, pv, fuel_cell, battery, grid;
};

/* Energies since the start, in W·s (Wh = value / 3600). */
struct household_energy {
    uint64_t load, base, heater, light, pv, fuel_cell, charge, discharge, import, export_;
};

struct household {
    struct household_config cfg;
    uint64_t now;              /* house time; start + a whole number of minutes */
    /* Settings (written through the node, or by the occupants). */
    uint8_t battery_mode;      /* 0xDA */
    uint8_t heater_mode;       /* 0xB0 */
    uint8_t fc_mode;           /* 0xD2 */
    uint16_t fc_from, fc_to;   /* 0xD1: minutes of the day the fuel cell may run */
    bool light_on;             /* 0x80 */
    uint8_t brightness;        /* 0xB0, % */
    /* State. */
    struct household_power p;  /* of the minute starting at now */
    struct household_energy e;
    uint64_t soc_ws;           /* battery charge */
    uint64_t tank_ws;          /* heat in the water heater's tank */
    bool drawing;              /* hot water being used this minute */
    /* The meter's 30-minute readings (raw register values), a ring of
     * days indexed by day number modulo HOUSEHOLD_DAYS. */
    uint32_t hist_normal[HOUSEHOLD_DAYS][HOUSEHOLD_SLOTS];
    uint32_t hist_reverse[HOUSEHOLD_DAYS][HOUSEHOLD_SLOTS];
    uint64_t hist_day[HOUSEHOLD_DAYS]; /* day number + 1 each row holds (0: none) */
    uint64_t fixed_time;       /* the latest half-hour boundary (EA/EB) */
    uint32_t fixed_normal, fixed_reverse; /* the readings at it (or HOUSEHOLD_NO_DATA) */
};

/* The tank's full heat (Wh) and volume (L), and the heater's power (W). */
#define HOUSEHOLD_TANK_WH 10000u
#define HOUSEHOLD_TANK_L 370u
#define HOUSEHOLD_HEATER_W 1500u
#define HOUSEHOLD_LIGHT_W 80u /* lighting at 100 % */

/* The defaults: 4.5 kW of PV, a 9.8 kWh battery half full charging at up to
 * 3 kW, a 700 W fuel cell, a meter counting Wh (D3 1, E1 0x03, D7 8)
 * from 0. start is left 0. */
void household_defaults(struct household_config *cfg);

/* Whether cfg is usable; NULL, or what is wrong with it. */
const char *household_config_check(const struct household_config *cfg);

/* Starts the house at cfg->start (cfg checked by household_config_check()). */
void household_init(struct household *h, const struct household_config *cfg);

/* One minute: integrates the current powers, moves to the next minute,
 * records the meter's reading at a half-hour boundary, and computes the
 * powers of the new minute. */
void household_step(struct household *h);

/* Steps until now + HOUSEHOLD_STEP > t. Returns the number of steps. */
uint64_t household_advance(struct household *h, uint64_t t);

/* Recomputes the current minute's powers after a setting changed (nothing
 * of the minute is counted yet). */
void household_update(struct household *h);

/* Whether code is a battery mode the model accepts (any code of 0xDA). */
bool household_battery_mode_ok(uint8_t code);

/* The meter's register for an energy of ws W·s from its zero: the reading
 * in units of D3 x E1, modulo 10^D7. */
uint32_t household_meter_raw(const struct household_config *cfg, uint64_t ws);

/* The meter's normal (E0) and reverse (E3) registers now. */
uint32_t household_meter_normal(const struct household *h);
uint32_t household_meter_reverse(const struct household *h);

/* The 48 half-hour readings of the day days_back days before today (E5),
 * normal or reverse direction; HOUSEHOLD_NO_DATA for slots not reached or
 * lost. days_back above 99 gives every slot HOUSEHOLD_NO_DATA. */
void household_history(const struct household *h, unsigned days_back, bool reverse, uint32_t out[HOUSEHOLD_SLOTS]);

/* Energy in Wh (whole, rounded down) of a W·s count. */
uint64_t household_wh(uint64_t ws);

/* Calendar conversions of house time. */
void household_civil(uint64_t t, struct household_time *out);
uint64_t household_from_civil(const struct household_time *tm);

/* Parses "YYYY-MM-DDTHH:MM" (or with ":SS" = 00) into *t. Returns 0, or -1. */
int household_parse_time(const char *s, uint64_t *t);

/* Writes "YYYY-MM-DDTHH:MM:SS" (20 bytes with the NUL). */
char *household_format_time(uint64_t t, char *out, size_t cap);

#endif /* EXAMPLES_HOUSEHOLD_H */
