/* The energy model of household-emulator (examples/household.c): the
 * balance to the W·s over simulated days, the meter's registers and their
 * wrap by D7 digits, its 48 half-hour readings a day and the E5 day
 * selection, the fixed-time readings, the battery's modes, the calendar. */
#include <string.h>

#include "../examples/household.h"
#include "tests.h"

static struct household house; /* about 40 KB: not on the stack */

static uint64_t at(const char *text)
{
    uint64_t t = 0;

    ck_assert_int_eq(household_parse_time(text, &t), 0);
    return t;
}

static void start(const char *text, struct household_config *cfg)
{
    cfg->start = at(text);
    ck_assert_ptr_null(household_config_check(cfg));
    household_init(&house, cfg);
}

/* Every minute of two days (a winter one and a summer one), the test
 * integrates the powers itself and checks the model's counters and the
 * balance: import - export = load + charge - discharge - pv - fuel cell. */
static void check_day(const char *when)
{
    struct household_config cfg;
    struct household_energy mine;
    unsigned m;
    int64_t lhs, rhs;
    bool imported = false, exported = false, charged = false, discharged = false;

    household_defaults(&cfg);
    start(when, &cfg);
    memset(&mine, 0, sizeof mine);
    for (m = 0; m < 1440; m++) {
        const struct household_power *p = &house.p;

        ck_assert_int_eq(p->load, p->base + p->heater + p->light);
        ck_assert_int_eq(p->grid, p->load + p->battery - p->pv - p->fuel_cell);
        ck_assert_int_ge(p->pv, 0);
        ck_assert_int_ge(p->fuel_cell, 0);
        mine.load += (uint64_t)p->load * 60u;
        mine.pv += (uint64_t)p->pv * 60u;
        mine.fuel_cell += (uint64_t)p->fuel_cell * 60u;
        mine.charge += p->battery > 0 ? (uint64_t)p->battery * 60u : 0u;
        mine.discharge += p->battery < 0 ? (uint64_t)-p->battery * 60u : 0u;
        mine.import += p->grid > 0 ? (uint64_t)p->grid * 60u : 0u;
        mine.export_ += p->grid < 0 ? (uint64_t)-p->grid * 60u : 0u;
        imported |= p->grid > 0;
        exported |= p->grid < 0;
        charged |= p->battery > 0;
        discharged |= p->battery < 0;
        household_step(&house);
        ck_assert_uint_le(house.soc_ws, (uint64_t)cfg.battery_wh * 3600u);
    }
    ck_assert_uint_eq(house.now, cfg.start + 86400u);
    ck_assert_uint_eq(house.e.load, mine.load);
    ck_assert_uint_eq(house.e.pv, mine.pv);
    ck_assert_uint_eq(house.e.fuel_cell, mine.fuel_cell);
    ck_assert_uint_eq(house.e.charge, mine.charge);
    ck_assert_uint_eq(house.e.discharge, mine.discharge);
    ck_assert_uint_eq(house.e.import, mine.import);
    ck_assert_uint_eq(house.e.export_, mine.export_);
    ck_assert_uint_eq(house.e.load, house.e.base + house.e.heater + house.e.light);
    lhs = (int64_t)house.e.import - (int64_t)house.e.export_;
    rhs = (int64_t)house.e.load + (int64_t)house.e.charge - (int64_t)house.e.discharge - (int64_t)house.e.pv -
          (int64_t)house.e.fuel_cell;
    ck_assert_int_eq(lhs, rhs);
    /* The battery's charge moved by exactly what went in and out. */
    ck_assert_uint_eq(house.soc_ws + house.e.discharge, (uint64_t)cfg.battery_soc_wh * 3600u + house.e.charge);
    /* The meter (1 Wh units from 0) shows the Wh of the import and export. */
    ck_assert_uint_eq(household_meter_normal(&house), house.e.import / 3600u);
    ck_assert_uint_eq(household_meter_reverse(&house), house.e.export_ / 3600u);
    /* A day of this house has all of it. */
    ck_assert(imported && charged && discharged);
    ck_assert(house.e.pv > 0 && house.e.heater > 0 && house.e.light > 0 && house.e.fuel_cell > 0);
    (void)exported;
}

START_TEST(balance_to_the_wh_over_a_day)
{
    check_day("2026-12-01T00:00");
    check_day("2026-06-21T00:00");
    ck_assert_uint_gt(house.e.export_, 0); /* a June day sells its surplus */
}
END_TEST

/* The readings the test saw at each half-hour boundary are the 48 slots of
 * the day, for the normal and the reverse direction. */
START_TEST(history_has_48_half_hours)
{
    struct household_config cfg;
    uint32_t normal[3][48], reverse[3][48], slots[48];
    unsigned d, i, k;

    household_defaults(&cfg);
    cfg.meter_start_wh = 123456;
    start("2026-05-10T00:00", &cfg);
    for (d = 0; d < 3; d++) {
        for (i = 0; i < 48; i++) {
            ck_assert_uint_eq(house.now % 1800u, 0);
            normal[d][i] = household_meter_normal(&house);
            reverse[d][i] = household_meter_reverse(&house);
            /* Today's slots up to now are there, the later ones are not yet. */
            household_history(&house, 0, false, slots);
            for (k = 0; k < 48; k++)
                ck_assert_uint_eq(slots[k], k <= i ? normal[d][k] : HOUSEHOLD_NO_DATA);
            for (k = 0; k < 30; k++)
                household_step(&house);
        }
    }
    /* Day 3, 00:00: E5 = 1, 2, 3 are the three days, oldest at 3. */
    for (d = 0; d < 3; d++) {
        household_history(&house, 3 - d, false, slots);
        ck_assert_mem_eq(slots, normal[d], sizeof slots);
        household_history(&house, 3 - d, true, slots);
        ck_assert_mem_eq(slots, reverse[d], sizeof slots);
        for (k = 1; k < 48; k++)
            ck_assert_uint_ge(normal[d][k], normal[d][k - 1]);
    }
    ck_assert_uint_eq(normal[0][0], 123456u);
    /* Today's 00:00 is the start's reading and the Wh imported since. */
    household_history(&house, 0, false, slots);
    ck_assert_uint_eq(slots[0], 123456u + household_wh(house.e.import));
}
END_TEST

/* E5 = n selects the day n days back; days before the start, and n above
 * 99, have no data; a day that has fallen out of the 100-day ring too. */
START_TEST(e5_day_selection)
{
    struct household_config cfg;
    uint32_t slots[48];
    unsigned d, k;

    household_defaults(&cfg);
    start("2026-01-01T12:00", &cfg);
    household_history(&house, 0, false, slots);
    ck_assert_uint_eq(slots[24], household_meter_normal(&house)); /* 12:00 of the start */
    ck_assert_uint_eq(slots[23], HOUSEHOLD_NO_DATA);
    for (d = 0; d < 101; d++) {
        household_advance(&house, house.now + 86400u);
        if (d == 0) {
            household_history(&house, 1, false, slots);
            ck_assert_uint_eq(slots[23], HOUSEHOLD_NO_DATA); /* before the start */
            ck_assert_uint_ne(slots[24], HOUSEHOLD_NO_DATA);
        }
    }
    /* Now 2026-04-12 12:00 (101 days on): E5 = 99 is 2026-01-04. */
    household_history(&house, 99, false, slots);
    for (k = 0; k < 48; k++)
        ck_assert_uint_ne(slots[k], HOUSEHOLD_NO_DATA);
    household_history(&house, 100, false, slots);
    for (k = 0; k < 48; k++)
        ck_assert_uint_eq(slots[k], HOUSEHOLD_NO_DATA);
    household_history(&house, 255, true, slots);
    ck_assert_uint_eq(slots[0], HOUSEHOLD_NO_DATA);
    household_history(&house, 2, false, slots);
    ck_assert_uint_lt(slots[0], slots[47]);
}
END_TEST

/* The registers wrap at 10^D7 and count in units of D3 x E1. */
START_TEST(wrap_by_d7_digits)
{
    struct household_config cfg;
    uint64_t wh;

    household_defaults(&cfg);
    cfg.meter_digits = 4;
    cfg.meter_start_wh = 9990;
    cfg.battery_soc_wh = 0; /* an empty battery: the evening is imported */
    start("2026-12-01T18:00", &cfg);
    household_advance(&house, house.now + 3600u);
    wh = 9990u + household_wh(house.e.import);
    ck_assert_uint_gt(wh, 10000u);
    ck_assert_uint_eq(household_meter_normal(&house), wh % 10000u);
    ck_assert_uint_lt(household_meter_normal(&house), 9990u);

    /* Units: 0x02 = 0.01 kWh with D3 = 2: 20 Wh a count; 0x04: 0.1 Wh. */
    cfg.meter_digits = 8;
    cfg.meter_unit = 0x02;
    cfg.meter_coefficient = 2;
    ck_assert_uint_eq(household_meter_raw(&cfg, 12345u * 3600u), 617u);
    cfg.meter_unit = 0x04;
    cfg.meter_coefficient = 1;
    ck_assert_uint_eq(household_meter_raw(&cfg, 12345u * 3600u + 1800u), 123455u);
    ck_assert_uint_eq(household_meter_raw(&cfg, 10000000ull * 3600u), 0u); /* 10^8 counts wrap to 0 */
    cfg.meter_unit = 0x00;
    ck_assert_uint_eq(household_meter_raw(&cfg, 2999ull * 3600u), 2u);
    cfg.meter_unit = 0x0D;
    ck_assert_uint_eq(household_meter_raw(&cfg, 25000000ull * 3600u), 2u);
    /* A unit that is no E1 code, digits out of 1..8: refused. */
    cfg.meter_unit = 0x05;
    ck_assert_ptr_nonnull(household_config_check(&cfg));
    cfg.meter_unit = 0x03;
    cfg.meter_digits = 9;
    ck_assert_ptr_nonnull(household_config_check(&cfg));
    cfg.meter_digits = 0;
    ck_assert_ptr_nonnull(household_config_check(&cfg));
}
END_TEST

/* EA/EB: the latest half-hour boundary and the reading at it. */
START_TEST(fixed_time_readings)
{
    struct household_config cfg;
    uint32_t at_0030 = 0;
    unsigned m;

    household_defaults(&cfg);
    start("2026-12-01T00:10", &cfg);
    ck_assert_uint_eq(house.fixed_time, at("2026-12-01T00:00"));
    ck_assert_uint_eq(house.fixed_normal, HOUSEHOLD_NO_DATA); /* the emulator did not run then */
    for (m = 0; m < 35; m++) {
        household_step(&house);
        if (house.now == at("2026-12-01T00:30"))
            at_0030 = household_meter_normal(&house);
    }
    ck_assert_uint_eq(house.fixed_time, at("2026-12-01T00:30"));
    ck_assert_uint_eq(house.fixed_normal, at_0030);
    ck_assert_uint_eq(house.fixed_reverse, household_meter_reverse(&house));
}
END_TEST

/* Charging charges at the largest power until full, then stops; standby
 * does nothing; discharging empties it and no further. */
START_TEST(battery_modes)
{
    struct household_config cfg;

    household_defaults(&cfg);
    start("2026-12-01T03:00", &cfg);
    house.battery_mode = HOUSEHOLD_BATTERY_CHARGING;
    household_update(&house);
    ck_assert_int_eq(house.p.battery, 3000);
    household_advance(&house, house.now + 3 * 3600u);
    ck_assert_uint_eq(house.soc_ws, 9800u * 3600u);
    ck_assert_int_eq(house.p.battery, 0);
    house.battery_mode = HOUSEHOLD_BATTERY_STANDBY;
    household_update(&house);
    ck_assert_int_eq(house.p.battery, 0);
    house.battery_mode = HOUSEHOLD_BATTERY_DISCHARGING;
    household_update(&house);
    ck_assert_int_eq(house.p.battery, -3000);
    household_advance(&house, house.now + 4 * 3600u);
    ck_assert_uint_eq(house.soc_ws, 0);
    ck_assert_int_eq(house.p.battery, 0);
    ck_assert(household_battery_mode_ok(0x46) && household_battery_mode_ok(0x49));
    ck_assert(!household_battery_mode_ok(0x47) && !household_battery_mode_ok(0x00));
}
END_TEST

START_TEST(calendar)
{
    struct household_time tm;
    char text[24];
    uint64_t t;

    ck_assert_uint_eq(at("1970-01-01T00:00"), 0);
    ck_assert_uint_eq(at("2000-03-01T00:00"), 951868800u);
    t = at("2028-02-29T23:59");
    household_civil(t + 60u, &tm);
    ck_assert(tm.year == 2028 && tm.month == 3 && tm.day == 1 && tm.hour == 0 && tm.minute == 0);
    ck_assert_str_eq(household_format_time(t, text, sizeof text), "2028-02-29T23:59:00");
    ck_assert_uint_eq(at("2026-12-01T10:30:00"), at("2026-12-01T10:30"));
    ck_assert_int_eq(household_parse_time("2026-02-29T00:00", &t), -1);
    ck_assert_int_eq(household_parse_time("2026-12-01T24:00", &t), -1);
    ck_assert_int_eq(household_parse_time("2026-12-01T10:30:05", &t), -1);
    ck_assert_int_eq(household_parse_time("2026-12-01 10:30", &t), -1);
    ck_assert_int_eq(household_parse_time("2026-12-1T10:30", &t), -1);
    ck_assert_int_eq(household_parse_time("", &t), -1);
}
END_TEST

Suite *household_suite(void)
{
    Suite *s = suite_create("household");
    TCase *tc = tcase_create("model");

    tcase_add_test(tc, balance_to_the_wh_over_a_day);
    tcase_add_test(tc, history_has_48_half_hours);
    tcase_add_test(tc, e5_day_selection);
    tcase_add_test(tc, wrap_by_d7_digits);
    tcase_add_test(tc, fixed_time_readings);
    tcase_add_test(tc, battery_modes);
    tcase_add_test(tc, calendar);
    suite_add_tcase(s, tc);
    return s;
}
