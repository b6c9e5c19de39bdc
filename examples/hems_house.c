/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The whole house from the values read; see hems_house.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_house.h"

#include <stdio.h>
#include <string.h>

#define CLASS_METER 0x0288u
#define CLASS_PV 0x0279u
#define CLASS_BATTERY 0x027Du
#define CLASS_FUEL_CELL 0x027Cu
#define NO_DATA_S32 0x7FFFFFFEu
#define WH_WRAP 1000000000u /* counters of 0.001 kWh: 0 to 999 999 999 */
#define HALF_HOUR 1800
#define DAY 86400
#define HISTORY_WAIT_S 300 /* the longest an EA is held for the history (controller's clock) */

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static unsigned class_of(echonet_eoj eoj)
{
    return (unsigned)(eoj >> 8);
}

bool hems_house_class(echonet_eoj eoj)
{
    unsigned c = class_of(eoj);

    return c == CLASS_METER || c == CLASS_PV || c == CLASS_BATTERY || c == CLASS_FUEL_CELL;
}

void hems_house_init(struct hems_house *house, int32_t utc_offset)
{
    memset(house, 0, sizeof *house);
    house->utc_offset = utc_offset;
}

static struct hems_house_obj *find(const struct hems_house *house, const char *key)
{
    unsigned i;

    for (i = 0; i < house->n; i++)
        if (strcmp(house->obj[i].key, key) == 0)
            return (struct hems_house_obj *)&house->obj[i];
    return NULL;
}

static struct hems_house_obj *obj_of(struct hems_house *house, const char *key, echonet_eoj eoj)
{
    struct hems_house_obj *o = find(house, key);

    if (o)
        return o;
    if (house->n == HEMS_HOUSE_OBJECTS || strlen(key) >= HEMS_ENERGY_KEY) {
        if (!house->full_reported)
            fprintf(stderr, "hems-controller: too many objects in the house; %s not shown\n", key);
        house->full_reported = true;
        return NULL;
    }
    o = &house->obj[house->n++];
    memset(o, 0, sizeof *o);
    snprintf(o->key, sizeof o->key, "%s", key);
    o->eoj = eoj;
    return o;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The meter's 7-byte time (YYYY MM DD hh mm ss, local) as Unix seconds;
 * false when it is not a time. */
static bool meter_time(const uint8_t *p, int32_t utc_offset, int64_t *out)
{
    unsigned y = (unsigned)p[0] << 8 | p[1];

    if (y < 1970 || y > 9999 || p[2] < 1 || p[2] > 12 || p[3] < 1 || p[3] > 31 || p[4] > 23 || p[5] > 59 ||
        p[6] > 59)
        return false;
    *out = days_from_civil(y, p[2], p[3]) * DAY + p[4] * 3600 + p[5] * 60 + p[6] - utc_offset;
    return true;
}

static int64_t local_day_start(int64_t t, int32_t utc_offset)
{
    int64_t local = t + utc_offset;
    int64_t r = local % DAY;

    if (r < 0)
        r += DAY;
    return local - r - utc_offset;
}

static void series_key(const struct hems_house_obj *o, const char *suffix, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", o->key, suffix);
}

/* A meter count at `at` into the series (whole house or sale), after the
 * latest one fed (*last), as a reading or as a gap. */
static void meter_count(struct hems_energy *e, const struct hems_house_obj *o, echonet_energy_kind kind,
                        const char *suffix, int64_t at, uint32_t raw, int64_t *last)
{
    uint64_t wh, wrap;
    char key[HEMS_ENERGY_KEY + 16];
    const echonet_energy_log *log;
    echonet_energy_stats st;
    bool valid;

    if (!o->has_unit || !o->has_digits || at <= *last)
        return;
    valid = echonet_energy_meter_wh(raw, o->has_coef ? o->coef : 1u, o->unit, o->digits, &wh, &wrap) == ECHONET_OK;
    if (!e) {
        if (valid)
            *last = at;
        return;
    }
    series_key(o, suffix, key, sizeof key);
    /* Readings in time order: what the log has (from before a restart) is not fed again. */
    log = hems_energy_find(e, key);
    if (log && echonet_energy_stats_get(log, &st) == ECHONET_OK && st.have_last && at <= st.last_unix)
        return;
    /* Only a reading the log took moves the series on (a reading from the
     * history may still come for a time that said "no data"). */
    if (!valid)
        (void)hems_energy_nodata(e, key, kind, (time_t)at);
    else if (hems_energy_reading(e, key, kind, (time_t)at, wh, wrap) == 0)
        *last = at;
}

/* E2/E4: day (u16, days back from the meter's today), 48 counts from 00:00. */
/* The EA and EB held back during a gap, fed once the history is in. */
static void release_held(struct hems_energy *e, struct hems_house_obj *o)
{
    o->want_history = false;
    if (o->held[0])
        meter_count(e, o, ECHONET_ENERGY_KIND_WHOLE_HOUSE, "use", o->held_at[0], o->held_raw[0], &o->normal_at);
    if (o->held[1])
        meter_count(e, o, ECHONET_ENERGY_KIND_SALE, "sale", o->held_at[1], o->held_raw[1], &o->reverse_at);
    o->held[0] = o->held[1] = false;
}

/* The time of the series' latest reading (in the log, from before a
 * restart, or fed since), 0 without one. */
static int64_t last_reading(const struct hems_energy *e, const struct hems_house_obj *o, const char *suffix,
                            int64_t fed)
{
    char key[HEMS_ENERGY_KEY + 16];
    const echonet_energy_log *log;
    echonet_energy_stats st;

    series_key(o, suffix, key, sizeof key);
    log = e ? hems_energy_find(e, key) : NULL;
    if (log && echonet_energy_stats_get(log, &st) == ECHONET_OK && st.have_last && st.last_unix > fed)
        return st.last_unix;
    return fed;
}

/* The half-hours of one day of the history (E2 normal, E4 reverse; back:
 * days before the meter's today) after the series' latest reading. */
static void history_feed(struct hems_house *house, struct hems_energy *e, struct hems_house_obj *o, bool normal,
                         const uint8_t *edt, unsigned back, time_t now)
{
    unsigned i, n = 48;
    int64_t today, *last = normal ? &o->normal_at : &o->reverse_at;

    /* The meter's day: that of its latest EA, else the controller's. */
    today = local_day_start(o->shown_at != 0 ? o->shown_at : (int64_t)now, house->utc_offset);
    /* Half-hours not reached yet say "no data" too: only a no-data slot
     * before a reading is a gap. */
    while (n > 0 && get32(edt + 2 + 4 * (n - 1)) == 0xFFFFFFFEu)
        n--;
    for (i = 0; i < n; i++)
        meter_count(e, o, normal ? ECHONET_ENERGY_KIND_WHOLE_HOUSE : ECHONET_ENERGY_KIND_SALE, normal ? "use" : "sale",
                    today - (int64_t)back * DAY + (int64_t)i * HALF_HOUR, get32(edt + 2 + 4 * i), last);
}

/* E2/E4: day (u16, days back from the meter's today), 48 counts from 00:00.
 * Fed as it comes (the controller reads the oldest day first, so the days
 * come in time order); while EA is held, the held values are fed once
 * every day awaited is in. */
static void meter_history(struct hems_house *house, struct hems_energy *e, struct hems_house_obj *o, bool normal,
                          const uint8_t *edt, time_t now)
{
    unsigned back = (unsigned)edt[0] << 8 | edt[1];

    if (back > 99)
        return; /* no day selected */
    history_feed(house, e, o, normal, edt, back, now);
    if (!o->want_history || back > o->history_back)
        return;
    o->hist_have |= (uint8_t)(1u << (2 * back + (normal ? 0u : 1u)));
    if ((o->hist_have & o->history_need) == o->history_need)
        release_held(e, o);
}

static void meter_value(struct hems_house *house, struct hems_energy *e, struct hems_house_obj *o, uint8_t epc,
                        const uint8_t *edt, uint8_t pdc, time_t now)
{
    int64_t at;
    uint64_t wh, wrap;
    bool first;

    switch (epc) {
    case 0xD3:
        if (pdc == 4 && get32(edt) >= 1 && get32(edt) <= 999999) {
            o->coef = get32(edt);
            o->has_coef = true;
        }
        break;
    case 0xE1:
        if (pdc == 1 && echonet_energy_meter_wh(0, 1, edt[0], 1, &wh, &wrap) == ECHONET_OK) {
            o->unit = edt[0];
            o->has_unit = true;
        }
        break;
    case 0xD7:
        if (pdc == 1 && edt[0] >= 1 && edt[0] <= 8) {
            o->digits = edt[0];
            o->has_digits = true;
        }
        break;
    case 0xE7:
        if (pdc == 4) {
            o->has_power = get32(edt) != NO_DATA_S32;
            o->power_w = (int32_t)get32(edt);
        }
        break;
    case 0xEA:
    case 0xEB:
        /* A time more than a day ahead of the controller's clock is not the
         * meter's latest boundary (a clock gone wrong, a forged value). */
        if (pdc != 11 || !meter_time(edt, house->utc_offset, &at) || at > (int64_t)now + DAY)
            break;
        if (!o->has_unit || !o->has_digits)
            break;
        if (echonet_energy_meter_wh(get32(edt + 7), o->has_coef ? o->coef : 1u, o->unit, o->digits, &wh, &wrap) !=
            ECHONET_OK) {
            /* No data: a gap, but neither held nor a reason to read the history. */
            if (!o->want_history)
                meter_count(e, o, epc == 0xEA ? ECHONET_ENERGY_KIND_WHOLE_HOUSE : ECHONET_ENERGY_KIND_SALE,
                            epc == 0xEA ? "use" : "sale", at, get32(edt + 7),
                            epc == 0xEA ? &o->normal_at : &o->reverse_at);
            break;
        }
        first = epc == 0xEA && !o->seen_ea;
        if (epc == 0xEA && at > o->shown_at) {
            o->seen_ea = true;
            o->normal_wh = wh;
            o->has_normal = true;
            o->shown_at = at;
        }
        /* Held for HISTORY_WAIT_S: no history is coming (nothing reads it,
         * or only E2 of a meter with E4): the held values as they are. */
        if (o->want_history && (int64_t)now - o->hold_since >= HISTORY_WAIT_S)
            release_held(e, o);
        /* A gap since the latest reading: the history first. */
        if (epc == 0xEA && !o->want_history && e && at > o->normal_at && (!o->map_known || o->has_history) &&
            at - last_reading(e, o, "use", o->normal_at) > HALF_HOUR) {
            int64_t since = last_reading(e, o, "use", o->normal_at);
            unsigned d;

            o->want_history = true;
            o->hold_since = (int64_t)now;
            o->hist_have = 0;
            /* The days awaited: today, and yesterday after a start or a gap
             * across midnight (HEMS_HOUSE_HISTORY_DAYS). The controller
             * reads the days of a longer gap too, the oldest first: they
             * come before these and are fed as they come. */
            o->history_back = first || (since != 0 && local_day_start(since, house->utc_offset) <
                                                                  local_day_start(at, house->utc_offset))
                                  ? HEMS_HOUSE_HISTORY_DAYS - 1
                                  : 0;
            o->history_need = 0;
            for (d = 0; d <= o->history_back; d++)
                o->history_need |= (uint8_t)((o->map_known && !o->has_reverse_history ? 1u : 3u) << (2 * d));
        }
        if (o->want_history) {
            unsigned k = epc == 0xEA ? 0 : 1;

            if (!o->held[k] || at > o->held_at[k]) {
                o->held[k] = true;
                o->held_at[k] = at;
                o->held_raw[k] = get32(edt + 7);
            }
            break;
        }
        if (epc == 0xEA)
            meter_count(e, o, ECHONET_ENERGY_KIND_WHOLE_HOUSE, "use", at, get32(edt + 7), &o->normal_at);
        else
            meter_count(e, o, ECHONET_ENERGY_KIND_SALE, "sale", at, get32(edt + 7), &o->reverse_at);
        break;
    case 0xE2:
    case 0xE4:
        if (pdc == 194)
            meter_history(house, e, o, epc == 0xE2, edt, now);
        break;
    default:
        break;
    }
}

/* A cumulative Wh counter (0.001 kWh, wrapping at 10^9) of series suffix. */
static void counter(struct hems_energy *e, const struct hems_house_obj *o, echonet_energy_kind kind,
                    const char *suffix, const uint8_t *edt, uint8_t pdc, time_t now)
{
    char key[HEMS_ENERGY_KEY + 16];

    if (!e || pdc != 4)
        return;
    series_key(o, suffix, key, sizeof key);
    if (get32(edt) >= WH_WRAP)
        (void)hems_energy_nodata(e, key, kind, now);
    else
        (void)hems_energy_reading(e, key, kind, now, get32(edt), WH_WRAP);
}

static void battery_value(struct hems_energy *e, struct hems_house_obj *o, uint8_t epc, const uint8_t *edt,
                          uint8_t pdc, time_t now)
{
    switch (epc) {
    case 0xE4:
        if (pdc == 1 && edt[0] <= 100) {
            o->soc = edt[0];
            o->has_soc = true;
        }
        break;
    case 0xDA:
    case 0xCF:
        if (pdc == 1 && epc == 0xDA) {
            o->mode = edt[0];
            o->has_mode = true;
        } else if (pdc == 1) {
            o->working = edt[0];
            o->has_working = true;
        }
        break;
    case 0xD3:
        if (pdc == 4) {
            o->has_power = true;
            o->power_w = (int32_t)get32(edt);
        }
        break;
    case 0xD8:
    case 0xD6:
        o->cum_dx = true;
        counter(e, o, epc == 0xD8 ? ECHONET_ENERGY_KIND_BATTERY_CHARGE : ECHONET_ENERGY_KIND_BATTERY_DISCHARGE,
                epc == 0xD8 ? "charge" : "discharge", edt, pdc, now);
        break;
    case 0xA8:
    case 0xA9:
        if (!o->cum_dx)
            counter(e, o, epc == 0xA8 ? ECHONET_ENERGY_KIND_BATTERY_CHARGE : ECHONET_ENERGY_KIND_BATTERY_DISCHARGE,
                    epc == 0xA8 ? "charge" : "discharge", edt, pdc, now);
        break;
    default:
        break;
    }
}

void hems_house_property(struct hems_house *house, struct hems_energy *energy, const char *key, echonet_eoj eoj,
                         uint8_t epc, const uint8_t *edt, uint8_t pdc, time_t now)
{
    unsigned cls = class_of(eoj);
    struct hems_house_obj *o;

    if (!hems_house_class(eoj) && epc != ECHONET_EPC_INSTANT_POWER)
        return;
    o = obj_of(house, key, eoj);
    if (!o)
        return;
    if (cls == CLASS_METER) {
        meter_value(house, energy, o, epc, edt, pdc, now);
    } else if (cls == CLASS_BATTERY) {
        battery_value(energy, o, epc, edt, pdc, now);
    } else if ((cls == CLASS_PV && epc == 0xE0) || (cls == CLASS_FUEL_CELL && epc == 0xC4)) {
        if (pdc == 2) {
            o->has_power = true;
            o->power_w = (int32_t)(edt[0] << 8 | edt[1]);
        }
    } else if ((cls == CLASS_PV && epc == 0xE1) || (cls == CLASS_FUEL_CELL && epc == 0xC5)) {
        counter(energy, o, ECHONET_ENERGY_KIND_GENERATION, "generation", edt, pdc, now);
    } else if (epc == ECHONET_EPC_INSTANT_POWER && pdc == 2) {
        o->has_power = true;
        o->power_w = (int32_t)(edt[0] << 8 | edt[1]);
    }
}

void hems_house_ready(struct hems_house *house, const char *key, echonet_eoj eoj, const echonet_propmap *get)
{
    struct hems_house_obj *o;

    if (class_of(eoj) != CLASS_METER || !(o = obj_of(house, key, eoj)))
        return;
    o->has_history = echonet_propmap_contains(get, 0xE2) && echonet_propmap_contains(get, 0xE5);
    o->has_reverse_history = echonet_propmap_contains(get, 0xE4);
    o->map_known = true;
}

static bool today_total(const struct hems_energy *e, const char *key, int64_t day, uint64_t *mwh)
{
    const echonet_energy_log *log = e ? hems_energy_find(e, key) : NULL;
    uint32_t missing = 0;

    return log &&
           echonet_energy_total(log, ECHONET_ENERGY_HALF_HOURLY, day, day + DAY, mwh, NULL, &missing) == ECHONET_OK &&
           missing < 48;
}

/* Adds today's energy of series key to *sum; *has when it has any. */
static void add_today(const struct hems_energy *e, const char *key, int64_t day, uint64_t *sum, bool *has)
{
    uint64_t mwh;

    if (today_total(e, key, day, &mwh)) {
        *sum += mwh;
        *has = true;
    }
}

void hems_house_figures(const struct hems_house *house, const struct hems_energy *energy, time_t now,
                        struct hems_house_figures *out)
{
    unsigned i;
    char key[HEMS_ENERGY_KEY + 16];

    memset(out, 0, sizeof *out);
    out->day = local_day_start((int64_t)now, house->utc_offset);
    for (i = 0; i < house->n; i++) {
        const struct hems_house_obj *o = &house->obj[i];

        /* The latest EA and its time (shown_at), not the series' latest
         * reading (normal_at), which stays behind while the EA is held for
         * the history: the day was 1970 then. */
        if (class_of(o->eoj) == CLASS_METER && o->has_normal && (!out->has_meter || o->shown_at > out->meter_at)) {
            out->has_meter = true;
            out->meter_wh = o->normal_wh;
            out->meter_at = o->shown_at;
            out->day = local_day_start(o->shown_at, house->utc_offset);
            out->day_from_meter = true;
        }
    }
    for (i = 0; i < house->n; i++) {
        const struct hems_house_obj *o = &house->obj[i];

        switch (class_of(o->eoj)) {
        case CLASS_METER:
            if (o->has_power) {
                out->use_w += o->power_w;
                out->has_use_w = true;
            }
            series_key(o, "use", key, sizeof key);
            add_today(energy, key, out->day, &out->use_today_mwh, &out->has_use_today);
            series_key(o, "sale", key, sizeof key);
            add_today(energy, key, out->day, &out->sale_today_mwh, &out->has_sale_today);
            break;
        case CLASS_PV:
        case CLASS_FUEL_CELL:
            if (o->has_power) {
                out->gen_w += o->power_w;
                out->has_gen_w = true;
            }
            series_key(o, "generation", key, sizeof key);
            add_today(energy, key, out->day, &out->gen_today_mwh, &out->has_gen_today);
            break;
        case CLASS_BATTERY:
            if (o->has_soc && !out->has_battery) {
                out->has_battery = true;
                out->battery_soc = o->soc;
            }
            if (o->has_mode && !out->has_battery_mode) {
                out->has_battery_mode = true;
                out->battery_mode = o->mode;
            }
            if (o->has_power && !out->has_battery_w) {
                out->has_battery_w = true;
                out->battery_w = o->power_w;
            }
            break;
        default:
            if (o->has_power && out->n_devices < HEMS_HOUSE_DEVICES) {
                snprintf(out->devices[out->n_devices].key, HEMS_ENERGY_KEY, "%s", o->key);
                out->devices[out->n_devices].power_w = o->power_w;
                out->devices[out->n_devices].has_today =
                    today_total(energy, o->key, out->day, &out->devices[out->n_devices].today_mwh);
                out->n_devices++;
            }
            break;
        }
    }
}

const char *hems_house_battery_mode(uint8_t code)
{
    static const char *const names[] = {"other",   "rapid_charging", "charging", "discharging", "standby",
                                        "test",    "automatic",      NULL,       "restart",     "recalculation"};

    return code >= 0x40 && code <= 0x49 ? names[code - 0x40] : NULL;
}
