/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy model of household-emulator; see household.h and
 * doc/household-emulator.md. Integer arithmetic only, so that every figure
 * is the same on every machine. */
#include "household.h"

#include <stdio.h>
#include <string.h>

#define MINUTES_PER_DAY 1440u

/* The house's own load (W) at each hour; interpolated between hours. */
static const uint16_t base_hourly[24] = {
    300, 260, 240, 240, 250, 300, 600, 900, 700, 450, 400, 420,
    500, 450, 400, 420, 550, 900, 1200, 1300, 1100, 900, 600, 400,
};

/* Sunrise and sunset (minutes of the day) in the middle of each month,
 * roughly those of Tokyo. */
static const uint16_t sun_rise[12] = {410, 390, 355, 315, 280, 265, 275, 300, 325, 350, 375, 400};
static const uint16_t sun_set[12] = {1000, 1030, 1055, 1080, 1105, 1130, 1135, 1110, 1070, 1025, 990, 980};

/* A small deterministic hash for the day-to-day and minute-to-minute
 * variation. */
static uint32_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xFF51AFD7ED558CCDull;
    x ^= x >> 33;
    x *= 0xC4CEB9FE1A85EC53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

void household_defaults(struct household_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->pv_peak_w = 4500;
    cfg->battery_wh = 9800;
    cfg->battery_soc_wh = 4900;
    cfg->battery_max_w = 3000;
    cfg->fuel_cell_w = 700;
    cfg->meter_coefficient = 1;
    cfg->meter_unit = 0x03;
    cfg->meter_digits = 8;
}

/* The unit E1 as a fraction of a Wh: num / den Wh. */
static bool unit_wh(uint8_t code, uint64_t *num, uint64_t *den)
{
    static const struct { uint8_t code; uint32_t num, den; } units[] = {
        {0x00, 1000, 1}, {0x01, 100, 1}, {0x02, 10, 1}, {0x03, 1, 1}, {0x04, 1, 10},
        {0x0A, 10000, 1}, {0x0B, 100000, 1}, {0x0C, 1000000, 1}, {0x0D, 10000000, 1},
    };
    size_t i;

    for (i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (units[i].code == code) {
            *num = units[i].num;
            *den = units[i].den;
            return true;
        }
    }
    return false;
}

const char *household_config_check(const struct household_config *cfg)
{
    uint64_t num, den;

    if (cfg->start % HOUSEHOLD_STEP != 0)
        return "the start must be a whole minute";
    if (cfg->battery_wh == 0 || cfg->battery_soc_wh > cfg->battery_wh)
        return "the battery's charge must be within its capacity";
    if (cfg->meter_coefficient < 1 || cfg->meter_coefficient > 999999)
        return "the meter's coefficient must be 1 to 999999";
    if (!unit_wh(cfg->meter_unit, &num, &den))
        return "the meter's unit must be an E1 code (0x00-0x04, 0x0A-0x0D)";
    if (cfg->meter_digits < 1 || cfg->meter_digits > 8)
        return "the meter's digits must be 1 to 8";
    if (cfg->pv_peak_w > 65533 || cfg->fuel_cell_w > 65533)
        return "PV and fuel cell power must be at most 65533 W";
    return NULL;
}

uint64_t household_wh(uint64_t ws)
{
    return ws / 3600u;
}

uint32_t household_meter_raw(const struct household_config *cfg, uint64_t ws)
{
    uint64_t num = 1, den = 1, wrap = 1;
    unsigned i;

    (void)unit_wh(cfg->meter_unit, &num, &den);
    for (i = 0; i < cfg->meter_digits; i++)
        wrap *= 10u;
    /* ws / 3600 Wh in units of coefficient x num / den Wh */
    return (uint32_t)((ws * den / (3600u * num * cfg->meter_coefficient)) % wrap);
}

static uint64_t normal_ws(const struct household *h)
{
    return (uint64_t)h->cfg.meter_start_wh * 3600u + h->e.import;
}

uint32_t household_meter_normal(const struct household *h)
{
    return household_meter_raw(&h->cfg, normal_ws(h));
}

uint32_t household_meter_reverse(const struct household *h)
{
    return household_meter_raw(&h->cfg, h->e.export_);
}

/* ---- Calendar --------------------------------------------------------------- */

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar
 * (year 1970 to 9999). */
static uint64_t days_from_civil(unsigned y, unsigned m, unsigned d)
{
    /* Years counted from March, so that the leap day comes last. */
    unsigned yy = m <= 2 ? y - 1 : y;
    unsigned era = yy / 400, yoe = yy % 400;
    unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return (uint64_t)era * 146097u + doe - 719468u;
}

void household_civil(uint64_t t, struct household_time *out)
{
    uint64_t days = t / HOUSEHOLD_DAY + 719468u;
    unsigned secs = (unsigned)(t % HOUSEHOLD_DAY);
    unsigned era = (unsigned)(days / 146097u), doe = (unsigned)(days % 146097u);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    out->day = doy - (153 * mp + 2) / 5 + 1;
    out->month = mp < 10 ? mp + 3 : mp - 9;
    out->year = era * 400 + yoe + (out->month <= 2 ? 1 : 0);
    out->hour = secs / 3600;
    out->minute = secs / 60 % 60;
    out->second = secs % 60;
}

uint64_t household_from_civil(const struct household_time *tm)
{
    return days_from_civil(tm->year, tm->month, tm->day) * HOUSEHOLD_DAY + tm->hour * 3600u + tm->minute * 60u +
           tm->second;
}

int household_parse_time(const char *s, uint64_t *t)
{
    static const unsigned month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    struct household_time tm;
    unsigned sec = 0;
    int used = 0;
    size_t len = strlen(s);

    if (len != 16 && len != 19)
        return -1;
    if (sscanf(s, "%4u-%2u-%2uT%2u:%2u%n", &tm.year, &tm.month, &tm.day, &tm.hour, &tm.minute, &used) != 5 ||
        used != 16)
        return -1;
    if (len == 19 && (sscanf(s + 16, ":%2u%n", &sec, &used) != 1 || used != 3 || sec != 0))
        return -1;
    if (tm.year < 1970 || tm.year > 9999 || tm.month < 1 || tm.month > 12 || tm.day < 1 ||
        tm.day > month_days[tm.month - 1] || tm.hour > 23 || tm.minute > 59)
        return -1;
    if (tm.month == 2 && tm.day == 29 && !(tm.year % 4 == 0 && (tm.year % 100 != 0 || tm.year % 400 == 0)))
        return -1;
    tm.second = 0;
    *t = household_from_civil(&tm);
    return 0;
}

char *household_format_time(uint64_t t, char *out, size_t cap)
{
    struct household_time tm;

    household_civil(t, &tm);
    snprintf(out, cap, "%04u-%02u-%02uT%02u:%02u:%02u", tm.year, tm.month, tm.day, tm.hour, tm.minute, tm.second);
    return out;
}

/* ---- The parts of the house ------------------------------------------------ */

static unsigned minute_of_day(uint64_t t)
{
    return (unsigned)(t % HOUSEHOLD_DAY / 60u);
}

/* The occupants' own load: the hourly shape, +-8 % from minute to minute. */
static int32_t base_load(uint64_t t)
{
    unsigned m = minute_of_day(t), hour = m / 60, frac = m % 60;
    int32_t a = base_hourly[hour], b = base_hourly[(hour + 1) % 24];
    int32_t w = a + (b - a) * (int32_t)frac / 60;
    int32_t jitter = (int32_t)(mix(t / 60u) % 17u) - 8; /* -8..8 % */

    return w + w * jitter / 100;
}

/* PV: a parabola from sunrise to sunset, scaled by the day's weather
 * (40 % to 100 % of a clear day). */
static int32_t pv_power(const struct household *h, uint64_t t)
{
    struct household_time tm;
    int64_t m = minute_of_day(t), rise, set, x, span, weather;

    household_civil(t, &tm);
    rise = sun_rise[tm.month - 1];
    set = sun_set[tm.month - 1];
    if (m <= rise || m >= set)
        return 0;
    x = m - rise;
    span = set - rise;
    weather = 40 + (int64_t)(mix(t / HOUSEHOLD_DAY + 0x5EED) % 61u);
    return (int32_t)((int64_t)h->cfg.pv_peak_w * 4 * x * (span - x) * weather / (span * span * 100));
}

/* Hot water drawn (Wh of the tank per minute): a shower in the morning,
 * baths and dishes in the evening. */
static uint32_t hot_water_draw(uint64_t t)
{
    unsigned hour = minute_of_day(t) / 60;

    if (hour == 7)
        return 15;
    if (hour >= 19 && hour < 22)
        return 25;
    return 0;
}

/* The water heater: in automatic mode it heats at night (01:00-06:00) and
 * whenever the tank is below a fifth; manual on heats until full; manual
 * stop never. */
static int32_t heater_power(const struct household *h)
{
    uint64_t full = (uint64_t)HOUSEHOLD_TANK_WH * 3600u;
    unsigned hour = minute_of_day(h->now) / 60;
    uint64_t room = full - h->tank_ws, w;
    bool heat;

    if (h->heater_mode == HOUSEHOLD_HEATER_ON)
        heat = true;
    else if (h->heater_mode == HOUSEHOLD_HEATER_AUTO)
        heat = (hour >= 1 && hour < 6) || h->tank_ws < full / 5;
    else
        heat = false;
    if (!heat || room == 0)
        return 0;
    w = room / HOUSEHOLD_STEP;
    return (int32_t)(w < HOUSEHOLD_HEATER_W ? w : HOUSEHOLD_HEATER_W);
}

static bool fc_window(const struct household *h)
{
    unsigned m = minute_of_day(h->now);

    if (h->fc_from <= h->fc_to)
        return m >= h->fc_from && m < h->fc_to;
    return m >= h->fc_from || m < h->fc_to; /* across midnight */
}

static int32_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return (int32_t)(v < lo ? lo : v > hi ? hi : v);
}

/* The battery's power for the minute: what the mode asks, within its
 * power and its remaining room or charge. Automatic (0x46) charges from
 * the surplus and discharges to cover the load from 17:00 to 23:00. */
static int32_t battery_power(const struct household *h, int32_t net)
{
    int64_t max = h->cfg.battery_max_w;
    int64_t room = (int64_t)(((uint64_t)h->cfg.battery_wh * 3600u - h->soc_ws) / HOUSEHOLD_STEP);
    int64_t avail = (int64_t)(h->soc_ws / HOUSEHOLD_STEP);
    int64_t want;
    unsigned hour;

    switch (h->battery_mode) {
    case HOUSEHOLD_BATTERY_RAPID:
    case HOUSEHOLD_BATTERY_CHARGING:
        want = max;
        break;
    case HOUSEHOLD_BATTERY_DISCHARGING:
        want = -max;
        break;
    case HOUSEHOLD_BATTERY_AUTO:
        /* Charge any surplus; cover the shortfall in the evening peak. */
        hour = minute_of_day(h->now) / 60;
        want = net < 0 || (hour >= 17 && hour < 23) ? -(int64_t)net : 0;
        break;
    default:
        want = 0;
        break;
    }
    if (want > 0)
        return clamp(want, 0, max < room ? max : room);
    return -clamp(-want, 0, max < avail ? max : avail);
}

void household_update(struct household *h)
{
    struct household_power *p = &h->p;
    int32_t net;

    p->base = base_load(h->now);
    p->heater = heater_power(h);
    p->light = h->light_on ? (int32_t)(HOUSEHOLD_LIGHT_W * h->brightness / 100u) : 0;
    p->load = p->base + p->heater + p->light;
    p->pv = pv_power(h, h->now);
    p->fuel_cell = 0;
    if (fc_window(h))
        p->fuel_cell = h->fc_mode == HOUSEHOLD_FC_RATED ? (int32_t)h->cfg.fuel_cell_w
                                                        : clamp((int64_t)p->load - p->pv, 0, h->cfg.fuel_cell_w);
    net = p->load - p->pv - p->fuel_cell;
    p->battery = battery_power(h, net);
    p->grid = net + p->battery;
    h->drawing = hot_water_draw(h->now) > 0;
}

bool household_battery_mode_ok(uint8_t code)
{
    return code == 0x40 || (code >= 0x41 && code <= 0x46) || code == 0x48 || code == 0x49;
}

/* The readings at a half-hour boundary: EA/EB and the history slot. */
static void record_boundary(struct household *h)
{
    uint64_t day = h->now / HOUSEHOLD_DAY;
    unsigned row = (unsigned)(day % HOUSEHOLD_DAYS), slot = (unsigned)(h->now % HOUSEHOLD_DAY / 1800u), i;

    if (h->hist_day[row] != day + 1) {
        for (i = 0; i < HOUSEHOLD_SLOTS; i++)
            h->hist_normal[row][i] = h->hist_reverse[row][i] = HOUSEHOLD_NO_DATA;
        h->hist_day[row] = day + 1;
    }
    h->fixed_time = h->now;
    h->fixed_normal = h->hist_normal[row][slot] = household_meter_normal(h);
    h->fixed_reverse = h->hist_reverse[row][slot] = household_meter_reverse(h);
}

void household_init(struct household *h, const struct household_config *cfg)
{
    memset(h, 0, sizeof *h);
    h->cfg = *cfg;
    h->now = cfg->start;
    h->battery_mode = HOUSEHOLD_BATTERY_AUTO;
    h->heater_mode = HOUSEHOLD_HEATER_AUTO;
    h->fc_mode = HOUSEHOLD_FC_FOLLOW;
    h->fc_from = 6 * 60;
    h->fc_to = 23 * 60;
    h->brightness = 100;
    h->light_on = minute_of_day(h->now) >= 18 * 60 && minute_of_day(h->now) < 23 * 60 + 30;
    h->soc_ws = (uint64_t)cfg->battery_soc_wh * 3600u;
    h->tank_ws = (uint64_t)HOUSEHOLD_TANK_WH * 3600u / 2u;
    h->fixed_time = h->now - h->now % 1800u;
    h->fixed_normal = h->fixed_reverse = HOUSEHOLD_NO_DATA;
    if (h->now % 1800u == 0)
        record_boundary(h);
    household_update(h);
}

void household_step(struct household *h)
{
    const struct household_power *p = &h->p;
    struct household_energy *e = &h->e;
    uint64_t draw = (uint64_t)hot_water_draw(h->now) * 3600u;
    unsigned m;

    e->base += (uint64_t)p->base * HOUSEHOLD_STEP;
    e->heater += (uint64_t)p->heater * HOUSEHOLD_STEP;
    e->light += (uint64_t)p->light * HOUSEHOLD_STEP;
    e->load += (uint64_t)p->load * HOUSEHOLD_STEP;
    e->pv += (uint64_t)p->pv * HOUSEHOLD_STEP;
    e->fuel_cell += (uint64_t)p->fuel_cell * HOUSEHOLD_STEP;
    if (p->battery > 0) {
        e->charge += (uint64_t)p->battery * HOUSEHOLD_STEP;
        h->soc_ws += (uint64_t)p->battery * HOUSEHOLD_STEP;
    } else {
        e->discharge += (uint64_t)-p->battery * HOUSEHOLD_STEP;
        h->soc_ws -= (uint64_t)-p->battery * HOUSEHOLD_STEP;
    }
    if (p->grid > 0)
        e->import += (uint64_t)p->grid * HOUSEHOLD_STEP;
    else
        e->export_ += (uint64_t)-p->grid * HOUSEHOLD_STEP;
    h->tank_ws += (uint64_t)p->heater * HOUSEHOLD_STEP;
    h->tank_ws = h->tank_ws > draw ? h->tank_ws - draw : 0;
    h->now += HOUSEHOLD_STEP;
    if (h->now % 1800u == 0)
        record_boundary(h);
    /* The occupants switch the lights on at 18:00 and off at 23:30. */
    m = minute_of_day(h->now);
    if (m == 18 * 60)
        h->light_on = true;
    else if (m == 23 * 60 + 30)
        h->light_on = false;
    household_update(h);
}

uint64_t household_advance(struct household *h, uint64_t t)
{
    uint64_t n = 0;

    while (h->now + HOUSEHOLD_STEP <= t) {
        household_step(h);
        n++;
    }
    return n;
}

void household_history(const struct household *h, unsigned days_back, bool reverse, uint32_t out[HOUSEHOLD_SLOTS])
{
    uint64_t today = h->now / HOUSEHOLD_DAY;
    unsigned i, row;

    for (i = 0; i < HOUSEHOLD_SLOTS; i++)
        out[i] = HOUSEHOLD_NO_DATA;
    if (days_back >= HOUSEHOLD_DAYS || days_back > today)
        return;
    row = (unsigned)((today - days_back) % HOUSEHOLD_DAYS);
    if (h->hist_day[row] != today - days_back + 1)
        return;
    memcpy(out, reverse ? h->hist_reverse[row] : h->hist_normal[row], sizeof h->hist_normal[row]);
}
