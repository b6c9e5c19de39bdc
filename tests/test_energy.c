/* The energy log: attribution, wrap, restart, gaps, clock steps, power-only
 * and unmeasured units, 400 days of simulated samples, and the saved form. */
#include <string.h>

#include "echonet/energy.h"
#include "tests.h"

#include "echonet/crc32.h"

#define JST 32400
/* Header of the saved form, version 2 (doc/energy.md). */
#define HDR 88u
/* 2023-11-15 00:00 JST: a local midnight. */
#define T0 ((int64_t)1699974000)

static echonet_energy_log lg, lg2;

static echonet_energy_sample ctr(int64_t t, uint32_t wh)
{
    echonet_energy_sample s;

    memset(&s, 0, sizeof s);
    s.unix_s = t;
    s.has_counter = true;
    s.counter_wh = wh;
    return s;
}

static echonet_energy_sample pwr(int64_t t, uint16_t w)
{
    echonet_energy_sample s;

    memset(&s, 0, sizeof s);
    s.unix_s = t;
    s.has_power = true;
    s.power_w = w;
    return s;
}

static void add(const echonet_energy_sample s)
{
    ck_assert_int_eq(echonet_energy_add(&lg, &s), ECHONET_OK);
}

static echonet_energy_period hour_at(int64_t t)
{
    echonet_energy_period p;
    uint32_t i;

    ck_assert_int_eq(echonet_energy_index(&lg, ECHONET_ENERGY_HOURLY, t, &i), ECHONET_OK);
    (void)echonet_energy_get(&lg, ECHONET_ENERGY_HOURLY, i, &p);
    return p;
}

static echonet_energy_stats stats(void)
{
    echonet_energy_stats st;

    ck_assert_int_eq(echonet_energy_stats_get(&lg, &st), ECHONET_OK);
    return st;
}

START_TEST(args_and_values)
{
    echonet_energy_sample s = ctr(T0, 1000);
    echonet_energy_period p;
    uint32_t i;

    ck_assert_int_eq(echonet_energy_init(NULL, 0), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_init(&lg, 86400), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_init(&lg, -86400), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_init(&lg, JST), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_add(&lg, NULL), ECHONET_ERR_INVALID_ARG);
    s.counter_wh = ECHONET_ENERGY_COUNTER_MAX + 1u;
    ck_assert_int_eq(echonet_energy_add(&lg, &s), ECHONET_ERR_ENERGY_VALUE);
    s = pwr(T0, 0xFFFE); /* underflow code */
    ck_assert_int_eq(echonet_energy_add(&lg, &s), ECHONET_ERR_ENERGY_VALUE);
    s = ctr(-JST - 1, 5); /* before the local epoch */
    ck_assert_int_eq(echonet_energy_add(&lg, &s), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(stats().source, ECHONET_ENERGY_SOURCE_NONE);
    ck_assert(!stats().have_last);
    ck_assert_int_eq(echonet_energy_index(&lg, ECHONET_ENERGY_DAILY, T0, &i), ECHONET_OK);
    ck_assert_uint_eq(i, (uint32_t)((T0 + JST) / 86400));
    ck_assert_int_eq(echonet_energy_index(&lg, (echonet_energy_res)7, T0, &i), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_DAILY, i, &p), ECHONET_ERR_NOT_FOUND);
    ck_assert(!p.present);
    ck_assert_int_eq(p.start, T0);
    add(ctr(T0, ECHONET_ENERGY_COUNTER_MAX));
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_DAILY, i, &p), ECHONET_OK);
    ck_assert(p.present);
    ck_assert_uint_eq(p.mwh, 0);
    ck_assert_uint_eq(p.samples, 1);
}
END_TEST

START_TEST(within_and_across_hours)
{
    echonet_energy_period p;
    uint64_t total;
    unsigned flags;
    uint32_t missing;

    echonet_energy_init(&lg, JST);
    add(ctr(T0 + 600, 5000));
    add(ctr(T0 + 1800, 5100)); /* 100 Wh within hour 0 */
    p = hour_at(T0);
    ck_assert_uint_eq(p.mwh, 100000);
    ck_assert_uint_eq(p.flags, 0);
    ck_assert_uint_eq(p.samples, 2);
    /* 03:30 → 04:30 would be two buckets; here 00:30 → 01:15: 2/3 and 1/3. */
    add(ctr(T0 + 4500, 5400));
    ck_assert_uint_eq(hour_at(T0).mwh, 100000 + 200000);
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 100000);
    ck_assert_uint_eq(hour_at(T0 + 3600).flags, 0);
    ck_assert(!hour_at(T0 + 7200).present);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HOURLY, T0, T0 + 3 * 3600, &total, &flags, &missing),
                     ECHONET_OK);
    ck_assert_uint_eq(total, 400000);
    ck_assert_uint_eq(flags, 0);
    ck_assert_uint_eq(missing, 1);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, T0, T0 + 1, &total, NULL, NULL), ECHONET_OK);
    ck_assert_uint_eq(total, 400000);
    ck_assert_uint_eq(stats().total_mwh, 400000);
    ck_assert_uint_eq(stats().last_counter, 5400);
    ck_assert_int_eq(stats().last_unix, T0 + 4500);
    /* An empty range sums nothing. */
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HOURLY, T0, T0, &total, NULL, &missing), ECHONET_OK);
    ck_assert_uint_eq(total, 0);
    ck_assert_uint_eq(missing, 0);
}
END_TEST

START_TEST(counter_wrap)
{
    echonet_energy_init(&lg, JST);
    add(ctr(T0, ECHONET_ENERGY_COUNTER_MAX - 99));
    add(ctr(T0 + 1800, 150)); /* 100 to the wrap, 150 after it */
    ck_assert_uint_eq(hour_at(T0).mwh, 250000);
    ck_assert_uint_eq(hour_at(T0).flags & ECHONET_ENERGY_WRAP, ECHONET_ENERGY_WRAP);
    ck_assert_uint_eq(stats().wraps, 1);
    ck_assert_uint_eq(stats().restarts, 0);
    add(ctr(T0 + 3000, 160));
    ck_assert_uint_eq(hour_at(T0).mwh, 260000);
}
END_TEST

START_TEST(counter_restart)
{
    echonet_energy_init(&lg, JST);
    add(ctr(T0, 700000));
    add(ctr(T0 + 900, 700100));
    add(ctr(T0 + 1800, 40)); /* restarted from 0: not a wrap, never negative */
    ck_assert_uint_eq(hour_at(T0).mwh, 100000);
    ck_assert_uint_eq(hour_at(T0).flags, ECHONET_ENERGY_RESTART);
    ck_assert_uint_eq(stats().restarts, 1);
    add(ctr(T0 + 2700, 90)); /* a new segment from 40 */
    ck_assert_uint_eq(hour_at(T0).mwh, 150000);
    /* A jump no load could explain (a replaced unit): also a new segment. */
    add(ctr(T0 + 3000, 500000));
    ck_assert_uint_eq(hour_at(T0).mwh, 150000);
    ck_assert_uint_eq(stats().restarts, 2);
    /* The most a 65533 W load can do in 10 min is counted. */
    add(ctr(T0 + 3600, 500000 + 10922));
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 0);
    ck_assert_uint_eq(hour_at(T0).mwh, 150000 + 10922000);
    ck_assert_uint_eq(stats().total_mwh, 150000 + 10922000);
}
END_TEST

START_TEST(gaps)
{
    uint64_t total;
    unsigned flags;
    uint32_t missing;
    int h;

    echonet_energy_init(&lg, JST);
    add(ctr(T0 + 1800, 1000));
    /* 5 h without samples: 600 Wh over 00:30..05:30, flagged estimated. */
    add(ctr(T0 + 5 * 3600 + 1800, 1600));
    ck_assert_uint_eq(hour_at(T0).mwh, 60000);
    for (h = 1; h <= 4; h++) {
        ck_assert_uint_eq(hour_at(T0 + h * 3600).mwh, 120000);
        ck_assert_uint_eq(hour_at(T0 + h * 3600).flags, ECHONET_ENERGY_ESTIMATED);
    }
    ck_assert_uint_eq(hour_at(T0 + 5 * 3600).mwh, 60000);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HOURLY, T0, T0 + 6 * 3600, &total, &flags, &missing),
                     ECHONET_OK);
    ck_assert_uint_eq(total, 600000);
    ck_assert_uint_eq(flags, ECHONET_ENERGY_ESTIMATED);
    ck_assert_uint_eq(missing, 0);
    /* Proportional shares add up exactly even when they do not divide. */
    add(ctr(T0 + 8 * 3600 + 1000, 1607));
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HOURLY, T0, T0 + 9 * 3600, &total, NULL, NULL),
                     ECHONET_OK);
    ck_assert_uint_eq(total, 607000);
    /* Three days without samples: nothing spread, the ends flagged, the
     * energy known but kept out of every bucket. */
    add(ctr(T0 + 80 * 3600, 5607));
    ck_assert_uint_eq(hour_at(T0 + 8 * 3600).flags & ECHONET_ENERGY_GAP, ECHONET_ENERGY_GAP);
    /* The gap's end holds no measurement yet: absent, not 0. */
    ck_assert(!hour_at(T0 + 80 * 3600).present);
    ck_assert(!hour_at(T0 + 40 * 3600).present);
    ck_assert_uint_eq(stats().gaps, 1);
    ck_assert_uint_eq(stats().unattributed_mwh, 4000000);
    ck_assert_uint_eq(stats().total_mwh, 607000);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, T0, T0 + 4 * 86400, &total, &flags, &missing),
                     ECHONET_OK);
    ck_assert_uint_eq(total, 607000);
    ck_assert_uint_eq(missing, 3); /* days 1 and 2, and day 3 where only the gap ended */
    /* Afterwards, samples count as before. */
    add(ctr(T0 + 80 * 3600 + 1800, 5707));
    ck_assert_uint_eq(hour_at(T0 + 80 * 3600).mwh, 100000);
    ck_assert_uint_eq(hour_at(T0 + 80 * 3600).flags, ECHONET_ENERGY_GAP);
}
END_TEST

START_TEST(clock_steps)
{
    echonet_energy_init(&lg, JST);
    add(ctr(T0 + 7200, 100));
    add(ctr(T0 + 9000, 200));
    /* The clock goes back an hour: that interval counts nothing. */
    add(ctr(T0 + 5400, 260));
    ck_assert_uint_eq(stats().clock_steps, 1);
    ck_assert_uint_eq(hour_at(T0 + 3600).flags, ECHONET_ENERGY_CLOCK);
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 0);
    ck_assert_uint_eq(hour_at(T0 + 7200).mwh, 100000);
    add(ctr(T0 + 6000, 300));
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 40000);
    ck_assert_uint_eq(stats().total_mwh, 140000);
    /* Forward a year: a gap, nothing spread over it. */
    add(ctr(T0 + 366 * 86400, 900));
    ck_assert_uint_eq(stats().gaps, 1);
    ck_assert_uint_eq(stats().unattributed_mwh, 600000);
    ck_assert(!hour_at(T0 + 366 * 86400).present); /* the gap's end, nothing measured in it yet */
    /* And back again to the first day: its buckets are still there. */
    add(ctr(T0 + 6600, 950));
    ck_assert_uint_eq(stats().clock_steps, 2);
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 40000);
    ck_assert_uint_eq(hour_at(T0 + 3600).flags, ECHONET_ENERGY_CLOCK | ECHONET_ENERGY_GAP);
}
END_TEST

START_TEST(power_only)
{
    echonet_energy_period p;
    int i;

    echonet_energy_init(&lg, JST);
    for (i = 0; i <= 4; i++)
        add(pwr(T0 + i * 1800, 1000));
    ck_assert_int_eq(stats().source, ECHONET_ENERGY_SOURCE_POWER);
    p = hour_at(T0);
    ck_assert_uint_eq(p.mwh, 1000000);
    ck_assert_uint_eq(p.flags, ECHONET_ENERGY_FROM_POWER);
    ck_assert_uint_eq(hour_at(T0 + 3600).mwh, 1000000);
    /* 0 and 7 W alternating every second, 2002 intervals of 3.5 Ws: 7007 Ws
     * = 1946.4 mWh; remainders are carried, not rounded down each time. */
    echonet_energy_init(&lg, JST);
    add(pwr(T0, 0));
    for (i = 1; i <= 1001; i++)
        add(pwr(T0 + 2 * i - 1, 7)), add(pwr(T0 + 2 * i, 0));
    ck_assert_uint_eq(stats().total_mwh, 2002u * 35u / 36u);
    /* A long gap in power-only data: nothing known, nothing counted. */
    add(pwr(T0 + 5 * 86400, 500));
    ck_assert_uint_eq(stats().gaps, 1);
    ck_assert_uint_eq(stats().unattributed_mwh, 0);
    ck_assert(!hour_at(T0 + 5 * 86400).present);
    add(pwr(T0 + 5 * 86400 + 360, 500));
    ck_assert_uint_eq(hour_at(T0 + 5 * 86400).flags, ECHONET_ENERGY_GAP | ECHONET_ENERGY_FROM_POWER);
    ck_assert_uint_eq(hour_at(T0 + 5 * 86400).mwh, 50000);
}
END_TEST

START_TEST(counter_preferred_over_power)
{
    echonet_energy_sample s;

    echonet_energy_init(&lg, JST);
    s = ctr(T0, 1000);
    s.has_power = true;
    s.power_w = 2000;
    add(s);
    add(pwr(T0 + 600, 2000)); /* the counter's reading failed this time */
    add(ctr(T0 + 1800, 1500));
    ck_assert_uint_eq(hour_at(T0).mwh, 500000);
    ck_assert_uint_eq(hour_at(T0).flags, 0);
    ck_assert_uint_eq(hour_at(T0).samples, 3);
    ck_assert_uint_eq(stats().last_power, 2000);
    /* The clock goes back at a power-only reading: the unit stays a
     * counter unit, and the next counter reading starts the segment. */
    add(pwr(T0 - 3600, 1500));
    ck_assert_int_eq(stats().source, ECHONET_ENERGY_SOURCE_COUNTER);
    ck_assert_uint_eq(stats().clock_steps, 1);
    ck_assert(!stats().have_last);
    ck_assert_uint_eq(hour_at(T0 - 3600).flags, ECHONET_ENERGY_CLOCK);
    add(pwr(T0 - 3000, 1500)); /* nothing to integrate: not a power unit */
    add(ctr(T0 - 2400, 1600));
    add(ctr(T0 - 1800, 1650));
    ck_assert_uint_eq(hour_at(T0 - 3600).mwh, 50000);
    ck_assert_uint_eq(stats().total_mwh, 550000);
    /* A power-only unit that starts giving 0x85: a new segment from it. */
    echonet_energy_init(&lg, JST);
    add(pwr(T0, 1000));
    add(pwr(T0 + 1800, 1000));
    add(ctr(T0 + 2400, 777));
    add(ctr(T0 + 3000, 877));
    ck_assert_int_eq(stats().source, ECHONET_ENERGY_SOURCE_COUNTER);
    ck_assert_uint_eq(hour_at(T0).mwh, 500000 + 100000);
}
END_TEST

START_TEST(unmeasured)
{
    echonet_energy_sample s;
    uint64_t total = 1;
    uint32_t missing;

    echonet_energy_init(&lg, JST);
    memset(&s, 0, sizeof s);
    s.unix_s = T0;
    add(s);
    s.unix_s = T0 + 1800;
    add(s);
    ck_assert_int_eq(stats().source, ECHONET_ENERGY_SOURCE_UNMEASURED);
    ck_assert(!stats().have_last);
    ck_assert(!hour_at(T0).present);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, T0, T0 + 86400, &total, NULL, &missing),
                     ECHONET_OK);
    ck_assert_uint_eq(total, 0);
    ck_assert_uint_eq(missing, 1);
}
END_TEST

/* Load of the simulated unit in the half hour from t (local), W, even so
 * that a half hour is a whole number of Wh. Deterministic, varied. */
static uint32_t load_w(int64_t t)
{
    uint32_t day = (uint32_t)(t / 86400), slot = (uint32_t)(t % 86400 / 1800);
    uint32_t x = (day * 2654435761u) ^ (slot * 40503u);

    if (slot < 12 && (day % 3) == 0)
        return 4; /* standby at night, some nights */
    return 2u * (100u + (x >> 7) % 1200u);
}

#define SIM_DAYS 400
static uint64_t expect_day[SIM_DAYS];
static uint32_t expect_hour[ECHONET_ENERGY_HOURS + 24];

START_TEST(thirteen_months)
{
    /* A sample every 30 min for 400 days from a local midnight (the last at
     * 23:30 of day 399), the counter starting close to its wrap; 18 samples
     * lost on a day in month 7. */
    const int64_t end = T0 + (int64_t)SIM_DAYS * 86400;
    uint32_t counter = ECHONET_ENERGY_COUNTER_MAX - 2000000u, first_counter = counter, first_hour, day0, i;
    uint64_t counted = 0, total, sum;
    int64_t t;
    echonet_energy_iter it;
    echonet_energy_period p;
    unsigned flags;
    uint32_t missing, n;
    size_t len, len2;
    static uint8_t buf[(ECHONET_ENERGY_HALF_HOURS + ECHONET_ENERGY_HOURS + ECHONET_ENERGY_DAYS) * 12 + 100], buf2[sizeof buf];

    ck_assert_int_ge(ECHONET_ENERGY_HOURS, 744);
    ck_assert_int_ge(ECHONET_ENERGY_DAYS, SIM_DAYS);
    echonet_energy_init(&lg, JST);
    memset(expect_day, 0, sizeof expect_day);
    memset(expect_hour, 0, sizeof expect_hour);
    first_hour = (uint32_t)((end - 1800 + JST) / 3600) - (ECHONET_ENERGY_HOURS - 1u);
    day0 = (uint32_t)((T0 + JST) / 86400);
    add(ctr(T0, counter));
    for (t = T0; t + 1800 < end; t += 1800) {
        uint32_t wh = load_w(t + JST) / 2u;

        counter = (counter + wh) % (ECHONET_ENERGY_COUNTER_MAX + 1u);
        counted += wh;
        if (t >= T0 + 200 * 86400 + 3600 && t < T0 + 200 * 86400 + 10 * 3600)
            continue; /* missed: the next sample carries these too */
        add(ctr(t + 1800, counter));
    }
    /* Expected buckets from the model itself: the energy of the interval
     * starting at t belongs to t's hour, except across the missed stretch,
     * whose 10 h are spread evenly-in-time by the log. */
    for (t = T0; t + 1800 < end; t += 1800) {
        uint32_t wh = load_w(t + JST) / 2u, h = (uint32_t)((t + JST) / 3600);

        if (t >= T0 + 200 * 86400 + 3600 && t < T0 + 200 * 86400 + 10 * 3600 + 1800)
            continue;
        expect_day[h / 24 - day0] += wh;
        if (h >= first_hour)
            expect_hour[h - first_hour] += wh;
    }
    {
        /* The stretch 01:00..10:30 of day 200: one sample's delta, spread. */
        uint64_t stretch = 0;

        for (t = T0 + 200 * 86400 + 3600; t < T0 + 200 * 86400 + 10 * 3600 + 1800; t += 1800)
            stretch += load_w(t + JST) / 2u;
        expect_day[200] += stretch;
    }
    /* Counter difference = everything counted = daily buckets together. */
    ck_assert_uint_eq(stats().wraps, 1);
    ck_assert_uint_eq(stats().restarts, 0);
    ck_assert_uint_eq(stats().gaps, 0);
    ck_assert_uint_eq(stats().total_mwh,
                      ((uint64_t)counter + ECHONET_ENERGY_COUNTER_MAX + 1u - first_counter) * 1000u);
    ck_assert_uint_eq(stats().total_mwh, counted * 1000u);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, T0, end, &total, &flags, &missing), ECHONET_OK);
    ck_assert_uint_eq(total, counted * 1000u);
    ck_assert_uint_eq(missing, 0);
    ck_assert_uint_eq(flags, ECHONET_ENERGY_ESTIMATED | ECHONET_ENERGY_WRAP);
    /* Every day as the model says; the estimated one only on day 200. */
    ck_assert_int_eq(echonet_energy_iter_init(&it, &lg, ECHONET_ENERGY_DAILY, T0, end), ECHONET_OK);
    for (n = 0; echonet_energy_iter_next(&it, &p); n++) {
        ck_assert(p.present);
        ck_assert_uint_eq(p.index, day0 + n);
        ck_assert_int_eq(p.start, T0 + (int64_t)n * 86400);
        ck_assert_uint_eq(p.mwh, expect_day[n] * 1000u);
        ck_assert_uint_eq((p.flags & ECHONET_ENERGY_ESTIMATED) != 0, n == 200);
        ck_assert_uint_ge(p.samples, n == 0 ? 48u : 30u);
    }
    ck_assert_uint_eq(n, SIM_DAYS);
    /* The last 744 hours are kept, each as the model says, and each kept
     * day is the sum of its hours; the hour before them is evicted. */
    for (i = 0; i < ECHONET_ENERGY_HOURS; i++) {
        ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_HOURLY, first_hour + i, &p), ECHONET_OK);
        ck_assert_uint_eq(p.mwh, expect_hour[i] * 1000u);
    }
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_HOURLY, first_hour - 1, &p), ECHONET_ERR_NOT_FOUND);
    for (t = end - 30 * 86400; t < end; t += 86400) {
        ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HOURLY, t, t + 86400, &sum, NULL, &missing),
                         ECHONET_OK);
        ck_assert_uint_eq(missing, 0);
        ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, t, t + 1, &total, NULL, NULL), ECHONET_OK);
        ck_assert_uint_eq(sum, total);
    }
    /* 30 more days: the first 30 days leave the ring, the rest stay. */
    for (t = end - 1800; t + 1800 < end + 30 * 86400; t += 1800) {
        counter = (counter + 50u) % (ECHONET_ENERGY_COUNTER_MAX + 1u);
        add(ctr(t + 1800, counter));
    }
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_DAILY, day0 + 29, &p), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_DAILY, day0 + 30, &p), ECHONET_OK);
    ck_assert_uint_eq(p.mwh, expect_day[30] * 1000u);
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_DAILY, day0 + SIM_DAYS + 28, &p), ECHONET_OK);
    ck_assert_uint_eq(p.mwh, 48u * 50u * 1000u);

    /* Saved and restored: the same log, byte for byte, and saved the same. */
    ck_assert_int_eq(echonet_energy_save(&lg, NULL, 0, &len), ECHONET_ERR_NOBUF);
    ck_assert_uint_eq(len, HDR + 4u + 12u * (ECHONET_ENERGY_HALF_HOURS + ECHONET_ENERGY_HOURS + ECHONET_ENERGY_DAYS));
    ck_assert_int_eq(echonet_energy_save(&lg, buf, len - 1, &len2), ECHONET_ERR_NOBUF);
    ck_assert_uint_eq(len2, len);
    ck_assert_int_eq(echonet_energy_save(&lg, buf, sizeof buf, &len), ECHONET_OK);
    memset(&lg2, 0xA5, sizeof lg2);
    ck_assert_int_eq(echonet_energy_load(&lg2, buf, len), ECHONET_OK);
    ck_assert_int_eq(memcmp(&lg, &lg2, sizeof lg), 0);
    ck_assert_int_eq(echonet_energy_save(&lg2, buf2, sizeof buf2, &len2), ECHONET_OK);
    ck_assert_uint_eq(len2, len);
    ck_assert_int_eq(memcmp(buf, buf2, len), 0);
}
END_TEST

/* A small log with a bit of everything, saved into buf. */
static size_t small_saved(uint8_t *buf, size_t cap)
{
    size_t len;
    int i;

    echonet_energy_init(&lg, -18000);
    for (i = 0; i < 30; i++)
        add(ctr(T0 + i * 1800, (uint32_t)(ECHONET_ENERGY_COUNTER_MAX - 3000u + (uint32_t)i * 211u) %
                                   (ECHONET_ENERGY_COUNTER_MAX + 1u)));
    add(ctr(T0 + 30 * 1800, 5));
    add(ctr(T0 + 20 * 1800, 15));
    add(pwr(T0 + 31 * 1800, 1234));
    ck_assert_int_eq(echonet_energy_save(&lg, buf, cap, &len), ECHONET_OK);
    return len;
}

static void recrc(uint8_t *buf, size_t len)
{
    uint32_t c = echonet_crc32(buf, len - 4);

    buf[len - 4] = (uint8_t)(c >> 24);
    buf[len - 3] = (uint8_t)(c >> 16);
    buf[len - 2] = (uint8_t)(c >> 8);
    buf[len - 1] = (uint8_t)c;
}

START_TEST(damaged_refused)
{
    static uint8_t buf[4096], bad[4096];
    size_t len = small_saved(buf, sizeof buf), i;
    unsigned bit;
    int err;

    ck_assert_uint_gt(len, HDR + 4u + 12u * 10u);
    /* Every truncation, every single bit flip: refused, the log untouched. */
    add(ctr(T0, 1));
    memcpy(&lg2, &lg, sizeof lg);
    for (i = 0; i < len; i++) {
        ck_assert_int_eq(echonet_energy_load(&lg, guard_place(buf, i), i), ECHONET_ERR_ENERGY_FORMAT);
        for (bit = 0; bit < 8; bit++) {
            memcpy(bad, buf, len);
            bad[i] ^= (uint8_t)(1u << bit);
            err = echonet_energy_load(&lg, guard_place(bad, len), len);
            ck_assert_msg(err == ECHONET_ERR_ENERGY_FORMAT || (i == 4 && err == ECHONET_ERR_ENERGY_VERSION),
                          "byte %zu bit %u: %d", i, bit, err);
        }
    }
    ck_assert_int_eq(memcmp(&lg, &lg2, sizeof lg), 0);
    /* A good one after all that; then inconsistent ones with a right CRC. */
    ck_assert_int_eq(echonet_energy_load(&lg, guard_place(buf, len), len), ECHONET_OK);
    memcpy(&lg2, &lg, sizeof lg);
    memcpy(bad, buf, len);
    bad[4] = 3;
    recrc(bad, len);
    ck_assert_int_eq(echonet_energy_load(&lg, bad, len), ECHONET_ERR_ENERGY_VERSION);
    memcpy(bad, buf, len);
    bad[9] = 9; /* source */
    recrc(bad, len);
    ck_assert_int_eq(echonet_energy_load(&lg, bad, len), ECHONET_ERR_ENERGY_FORMAT);
    memcpy(bad, buf, len);
    memcpy(bad + HDR + 12, bad + HDR, 12); /* the same hour twice */
    recrc(bad, len);
    ck_assert_int_eq(echonet_energy_load(&lg, bad, len), ECHONET_ERR_ENERGY_FORMAT);
    memcpy(bad, buf, len);
    bad[HDR + 9] = 0x40; /* unknown flag */
    recrc(bad, len);
    ck_assert_int_eq(echonet_energy_load(&lg, bad, len), ECHONET_ERR_ENERGY_FORMAT);
    memcpy(bad, buf, len);
    bad[63]++; /* one hour more than the bytes hold */
    recrc(bad, len);
    ck_assert_int_eq(echonet_energy_load(&lg, bad, len), ECHONET_ERR_ENERGY_FORMAT);
    ck_assert_int_eq(memcmp(&lg, &lg2, sizeof lg), 0);
    ck_assert_int_eq(echonet_energy_load(NULL, buf, len), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_save(&lg, NULL, 5, &len), ECHONET_ERR_INVALID_ARG);
}
END_TEST

START_TEST(restored_continues)
{
    static uint8_t buf[4096];
    size_t len = small_saved(buf, sizeof buf);
    echonet_energy_stats a, b;

    ck_assert_int_eq(echonet_energy_load(&lg2, buf, len), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_stats_get(&lg, &a), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_stats_get(&lg2, &b), ECHONET_OK);
    ck_assert_int_eq(memcmp(&a, &b, sizeof a), 0);
    ck_assert_int_eq(b.utc_offset, -18000);
    ck_assert_uint_eq(b.wraps, 1);
    ck_assert_uint_eq(b.clock_steps, 1);
    ck_assert_int_eq(b.source, ECHONET_ENERGY_SOURCE_COUNTER);
    /* Both take the same next sample to the same state. */
    add(ctr(T0 + 21 * 1800, 115));
    ck_assert_int_eq(echonet_energy_add(&lg2, &(echonet_energy_sample){T0 + 21 * 1800, true, false, 115, 0}),
                     ECHONET_OK);
    ck_assert_int_eq(memcmp(&lg, &lg2, sizeof lg), 0);
}
END_TEST

/* Saved by a build with a ring twice as large: two hours that share a slot
 * here; the newer one is kept, whatever the order. */
START_TEST(larger_ring_restored)
{
    static uint8_t buf[4096], big[4096];
    size_t len = small_saved(buf, sizeof buf), n;
    /* In slot order of the larger ring the newer comes first. */
    const uint32_t ring = 2u * ECHONET_ENERGY_HOURS, k = 10u * ring + ECHONET_ENERGY_HOURS + 3u;
    const uint32_t keys[2] = {k + ECHONET_ENERGY_HOURS, k};
    echonet_energy_period p;
    unsigned i, j;

    memcpy(big, buf, HDR);
    big[58] = (uint8_t)(ring >> 8);
    big[59] = (uint8_t)ring;
    big[62] = 0;
    big[63] = 2;
    big[64] = 0;
    big[65] = 0;
    big[86] = 0; /* no half-hours */
    big[87] = 0;
    n = HDR;
    for (i = 0; i < 2; i++) {
        for (j = 0; j < 4; j++)
            big[n + j] = (uint8_t)(keys[i] >> (24 - 8 * j));
        memset(big + n + 4, 0, 8);
        big[n + 7] = (uint8_t)(i + 1); /* 1 and 2 mWh */
        n += 12;
    }
    n += 4;
    recrc(big, n);
    ck_assert_int_eq(echonet_energy_load(&lg, big, n), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_HOURLY, keys[0], &p), ECHONET_OK);
    ck_assert_uint_eq(p.mwh, 1);
    ck_assert_int_eq(echonet_energy_get(&lg, ECHONET_ENERGY_HOURLY, keys[1], &p), ECHONET_ERR_NOT_FOUND);
    (void)len;
}
END_TEST


/* ---- Series, half-hours, readings, amounts, no-data (issue 15) ---------------------------- */

static echonet_energy_period period(echonet_energy_res res, int64_t t)
{
    echonet_energy_period p;
    uint32_t i;

    ck_assert_int_eq(echonet_energy_index(&lg, res, t, &i), ECHONET_OK);
    (void)echonet_energy_get(&lg, res, i, &p);
    return p;
}

static void reading_w(int64_t t, uint64_t wh, uint64_t wrap)
{
    ck_assert_int_eq(echonet_energy_add_reading(&lg, t, wh, wrap), ECHONET_OK);
}

static void reading(int64_t t, uint64_t wh)
{
    reading_w(t, wh, 0);
}

/* A meter's fixed-time values at :00 and :30: each half-hour gets exactly
 * its difference, the hour the sum of its two, the day the sum of all. */
START_TEST(energy_half_hour_bucket_boundary)
{
    echonet_energy_period p;
    int k;

    ck_assert_int_eq(echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0), ECHONET_OK);
    ck_assert_int_eq(stats().kind, ECHONET_ENERGY_KIND_WHOLE_HOUSE);
    for (k = 0; k <= 48; k++)
        reading(T0 + k * 1800, 1000u + (uint64_t)k * (uint64_t)(k + 1) * 10u);
    for (k = 0; k < 48; k++) {
        p = period(ECHONET_ENERGY_HALF_HOURLY, T0 + k * 1800);
        ck_assert_msg(p.present, "half-hour %d", k);
        ck_assert_int_eq(p.start, T0 + k * 1800);
        /* reading(k+1) - reading(k) = 20 (k + 1) Wh */
        ck_assert_uint_eq(p.mwh, (uint32_t)(k + 1) * 20000u);
        ck_assert_uint_eq(p.flags, 0);
        /* the same, seen from a time inside it */
        ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0 + k * 1800 + 1799).mwh, p.mwh);
    }
    for (k = 0; k < 24; k++)
        ck_assert_uint_eq(period(ECHONET_ENERGY_HOURLY, T0 + k * 3600).mwh, (uint32_t)(4 * k + 3) * 20000u);
    ck_assert_uint_eq(period(ECHONET_ENERGY_DAILY, T0).mwh, 48u * 49u * 10u * 1000u);
    /* The reading at 24:00 opens the next half-hour with nothing in it yet. */
    p = period(ECHONET_ENERGY_HALF_HOURLY, T0 + 48 * 1800);
    ck_assert(p.present);
    ck_assert_uint_eq(p.mwh, 0);
    /* One sample across a boundary: split in proportion to time. */
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_GENERATION, JST, 0);
    reading(T0 + 1500, 0);
    reading(T0 + 1800 + 900, 1200);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0).mwh, 300000u);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800).mwh, 900000u);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HOURLY, T0).mwh, 1200000u);
}
END_TEST

/* Saved after some readings, restored, fed the readings that follow: the
 * same totals as a log that never stopped, nothing counted twice. */
START_TEST(energy_restore_no_double_count)
{
    static uint8_t buf[32768];
    static echonet_energy_log ref;
    size_t len;
    uint64_t a, b;
    int k;

    echonet_energy_init_series(&ref, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    for (k = 0; k <= 20; k++) {
        ck_assert_int_eq(echonet_energy_add_reading(&ref, T0 + k * 1800, 5000000u + (uint64_t)k * 700u, 0),
                         ECHONET_OK);
        if (k <= 10)
            reading(T0 + k * 1800, 5000000u + (uint64_t)k * 700u);
    }
    ck_assert_int_eq(echonet_energy_save(&lg, buf, sizeof buf, &len), ECHONET_OK);
    memset(&lg, 0, sizeof lg);
    ck_assert_int_eq(echonet_energy_load(&lg, buf, len), ECHONET_OK);
    ck_assert_int_eq(stats().kind, ECHONET_ENERGY_KIND_WHOLE_HOUSE);
    ck_assert_uint_eq(stats().last_counter, 5007000u);
    /* The controller restarted; its first reading comes 2 h later. */
    for (k = 14; k <= 20; k++)
        reading(T0 + k * 1800, 5000000u + (uint64_t)k * 700u);
    ck_assert_int_eq(echonet_energy_total(&ref, ECHONET_ENERGY_DAILY, T0, T0 + 86400, &a, NULL, NULL), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_DAILY, T0, T0 + 86400, &b, NULL, NULL), ECHONET_OK);
    ck_assert_uint_eq(a, 20u * 700u * 1000u);
    ck_assert_uint_eq(b, a);
    ck_assert_uint_eq(stats().total_mwh, a);
    ck_assert_uint_eq(stats().restarts, 0);
    /* An amount log restored refuses an amount it already has. */
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_BATTERY_CHARGE, JST, 0);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0, T0 + 1800, 400000u), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_save(&lg, buf, sizeof buf, &len), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_load(&lg, buf, len), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0, T0 + 1800, 400000u), ECHONET_ERR_ENERGY_CONFLICT);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0 + 1799, T0 + 3600, 1000u), ECHONET_ERR_ENERGY_CONFLICT);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0).mwh, 400000u);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0 + 1800, T0 + 3600, 100000u), ECHONET_OK);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HOURLY, T0).mwh, 500000u);
    /* ... and readings (the other kind of input) */
    ck_assert_int_eq(echonet_energy_add_reading(&lg, T0 + 3600, 5, 0), ECHONET_ERR_ENERGY_CONFLICT);
    ck_assert_int_eq(echonet_energy_add_amount(&ref, T0 + 86400, T0 + 90000, 5), ECHONET_ERR_ENERGY_CONFLICT);
}
END_TEST

/* A meter with 6 effective digits and 0.1 kWh units wraps at 100 000 kWh:
 * 99 999.9 -> 0.2 kWh is 300 Wh. A value that goes back without a wrap
 * explaining it, or a step no house can make, counts nothing. */
START_TEST(energy_meter_wrap)
{
    const uint64_t wrap = 1000000u * 100u; /* 10^6 counts of 100 Wh */

    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    ck_assert_int_eq(echonet_energy_add_reading(&lg, T0, wrap, wrap), ECHONET_ERR_ENERGY_VALUE);
    reading_w(T0, wrap - 100u, wrap);
    reading_w(T0 + 1800, 200u, wrap);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0).mwh, 300000u);
    ck_assert_uint_eq(stats().wraps, 1);
    ck_assert(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800).flags & ECHONET_ENERGY_WRAP);
    /* Back by 100 Wh: a restart, not 99 999.9 kWh. */
    reading_w(T0 + 3600, 100u, wrap);
    ck_assert_uint_eq(stats().restarts, 1);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800).mwh, 0);
    ck_assert(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 3600).flags & ECHONET_ENERGY_RESTART);
    /* Without a wrap value, back is always a restart. */
    reading(T0 + 5400, 50u);
    ck_assert_uint_eq(stats().restarts, 2);
    /* 60 000 Wh in half an hour is 120 kW: more than the series' 100 kW. */
    reading(T0 + 7200, 60050u);
    ck_assert_uint_eq(stats().restarts, 3);
    ck_assert_uint_eq(stats().total_mwh, 300000u);
    /* A higher limit given at init takes it. */
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 200000);
    ck_assert_uint_eq(stats().max_w, 200000);
    reading(T0 + 5400, 50u);
    reading(T0 + 7200, 60050u);
    ck_assert_uint_eq(stats().restarts, 0);
    ck_assert_uint_eq(stats().total_mwh, 60000000u);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0 + 7200, T0 + 9000, 100000001u), ECHONET_ERR_ENERGY_CONFLICT);
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_SALE, JST, 0);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0, T0 + 1800, 50000002001u), ECHONET_ERR_ENERGY_VALUE);
    ck_assert_int_eq(echonet_energy_init_series(&lg, (echonet_energy_kind)6, JST, 0), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_SALE, JST, ECHONET_ENERGY_SERIES_MAX_W + 1u),
                     ECHONET_ERR_INVALID_ARG);
    /* The largest values: nothing overflows; 2^53 Wh in a century is more
     * than 10 MW, in 127 000 years it is a gap. */
    ck_assert_int_eq(echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_SALE, JST, ECHONET_ENERGY_SERIES_MAX_W),
                     ECHONET_OK);
    ck_assert_int_eq(echonet_energy_add_reading(&lg, T0, (uint64_t)1 << 53, 0), ECHONET_ERR_ENERGY_VALUE);
    ck_assert_int_eq(echonet_energy_add_reading(&lg, T0, 5, ((uint64_t)1 << 53) + 1u), ECHONET_ERR_ENERGY_VALUE);
    reading(T0, 0);
    reading(T0 + 3155760000, ((uint64_t)1 << 53) - 1u);
    ck_assert_uint_eq(stats().restarts, 1);
    reading(T0 + 3155760000, 0);
    ck_assert_uint_eq(stats().restarts, 2);
    reading(T0 + 4000000000000, ((uint64_t)1 << 53) - 1u);
    ck_assert_uint_eq(stats().restarts, 2);
    ck_assert_uint_eq(stats().gaps, 1);
    ck_assert_uint_eq(stats().unattributed_mwh, (((uint64_t)1 << 53) - 1u) * 1000u);
    ck_assert_uint_eq(stats().total_mwh, 0);
}
END_TEST

/* No data gives a gap, not a zero: the meter said "no data" at 01:00 and
 * 01:30; the half-hours between 00:30 and 02:00 stay absent, the energy is
 * unattributed, and readings after it count again. */
START_TEST(energy_nodata_gap)
{
    echonet_energy_period p;
    uint32_t missing;
    uint64_t mwh;
    unsigned flags;

    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    ck_assert_int_eq(echonet_energy_add_nodata(&lg, T0), ECHONET_OK); /* no reference: nothing */
    ck_assert(!stats().nodata_pending);
    reading(T0, 1000u);
    reading(T0 + 1800, 1100u);
    ck_assert_int_eq(echonet_energy_add_nodata(&lg, T0 + 3600), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_add_nodata(&lg, T0 + 5400), ECHONET_OK);
    ck_assert(stats().nodata_pending);
    reading(T0 + 7200, 1500u);
    reading(T0 + 9000, 1550u);
    ck_assert(!stats().nodata_pending);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0).mwh, 100000u);
    p = period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800); /* the gap's start: no measurement, absent */
    ck_assert(!p.present && p.mwh == 0 && p.flags == 0);
    ck_assert(!period(ECHONET_ENERGY_HALF_HOURLY, T0 + 3600).present);
    ck_assert(!period(ECHONET_ENERGY_HALF_HOURLY, T0 + 5400).present);
    p = period(ECHONET_ENERGY_HALF_HOURLY, T0 + 7200); /* the gap's end, then counting again */
    ck_assert(p.present && (p.flags & ECHONET_ENERGY_GAP));
    ck_assert_uint_eq(p.mwh, 50000u);
    ck_assert_uint_eq(stats().unattributed_mwh, 400000u);
    ck_assert_uint_eq(stats().gaps, 1);
    ck_assert_int_eq(echonet_energy_total(&lg, ECHONET_ENERGY_HALF_HOURLY, T0, T0 + 9000, &mwh, &flags, &missing),
                     ECHONET_OK);
    ck_assert_uint_eq(missing, 3);
    ck_assert_uint_eq(mwh, 150000u);
    ck_assert(flags & ECHONET_ENERGY_GAP);
    /* A device logging power alone: the no-data interval adds nothing. */
    echonet_energy_init(&lg, JST);
    add(pwr(T0, 1000));
    ck_assert_int_eq(echonet_energy_add_nodata(&lg, T0 + 900), ECHONET_OK);
    add(pwr(T0 + 1800, 1000));
    ck_assert(!period(ECHONET_ENERGY_HALF_HOURLY, T0).present);
    add(pwr(T0 + 3600, 1000));
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800).mwh, 500000u);
    /* Amounts: a half-hour left out stays absent. */
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_GENERATION, JST, 0);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0, T0 + 1800, 7000u), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_add_amount(&lg, T0 + 3600, T0 + 5400, 9000u), ECHONET_OK);
    ck_assert(!period(ECHONET_ENERGY_HALF_HOURLY, T0 + 1800).present);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0 + 3600).mwh, 9000u);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HOURLY, T0).mwh, 7000u);
}
END_TEST

/* 401 days of whole-house readings every half-hour, the last one opening
 * day 402: 400 days are kept by the day (399 full days and the one just
 * begun), 31 by the hour, 7 by the half-hour, each equal to the readings'
 * differences; older ones are gone. */
START_TEST(energy_daily_400_days)
{
    const int days = 401;
    echonet_energy_period p;
    uint64_t wh = 0, day_wh[401];
    int d, k;

    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    memset(day_wh, 0, sizeof day_wh);
    reading(T0, 0);
    for (d = 0; d < days; d++)
        for (k = 0; k < 48; k++) {
            uint64_t step = (uint64_t)(100 + (d * 7 + k * 13) % 900);

            wh += step;
            day_wh[d] += step;
            reading(T0 + ((int64_t)d * 48 + k + 1) * 1800, wh);
        }
    for (d = 0; d < days; d++) {
        p = period(ECHONET_ENERGY_DAILY, T0 + (int64_t)d * 86400);
        if (d <= 1) {
            ck_assert(!p.present); /* evicted */
            continue;
        }
        ck_assert_msg(p.present, "day %d", d);
        ck_assert_uint_eq(p.mwh, day_wh[d] * 1000u);
    }
    for (k = 0; k < 24 * 31 - 1; k++) {
        int64_t t = T0 + (int64_t)days * 86400 - (int64_t)(k + 1) * 3600;
        int64_t i = (t - T0) / 1800;
        uint64_t want = 2u * 100u + (uint64_t)((i / 48 * 7 + i % 48 * 13) % 900 + ((i + 1) / 48 * 7 + (i + 1) % 48 * 13) % 900);

        ck_assert_uint_eq(period(ECHONET_ENERGY_HOURLY, t).mwh, want * 1000u);
    }
    ck_assert(!period(ECHONET_ENERGY_HOURLY, T0 + (int64_t)(days - 31) * 86400).present);
    ck_assert(period(ECHONET_ENERGY_HALF_HOURLY, T0 + (int64_t)days * 86400 - (ECHONET_ENERGY_HALF_HOURS - 1) * 1800)
                  .present);
    ck_assert(!period(ECHONET_ENERGY_HALF_HOURLY, T0 + (int64_t)days * 86400 - ECHONET_ENERGY_HALF_HOURS * 1800)
                   .present);
    ck_assert_uint_eq(stats().total_mwh, wh * 1000u);
}
END_TEST

/* A version 1 file (hours and days of a device) still loads: its buckets
 * and its counter reference, no half-hours. */
START_TEST(energy_load_version_1)
{
    static uint8_t buf[4096], v1[4096];
    size_t len, n_h, n_d, n, i;
    echonet_energy_period p;

    echonet_energy_init(&lg, JST);
    add(ctr(T0, 100));
    add(ctr(T0 + 1800, 400));
    ck_assert_int_eq(echonet_energy_save(&lg, buf, sizeof buf, &len), ECHONET_OK);
    n_h = (size_t)(buf[62] << 8 | buf[63]);
    n_d = (size_t)(buf[64] << 8 | buf[65]);
    memcpy(v1, buf, 66);
    v1[4] = 1;
    memcpy(v1 + 66, buf + HDR, (n_h + n_d) * 12u);
    n = 66 + (n_h + n_d) * 12u + 4u;
    ck_assert_uint_ne(v1[66 + 8] & 0x80u, 0); /* version 2's "energy attributed" bit, */
    for (i = 0; i < n_h + n_d; i++)
        v1[66 + 12 * i + 8] &= 0x7Fu; /* which version 1 does not have */
    recrc(v1, n);
    memset(&lg2, 0, sizeof lg2);
    ck_assert_int_eq(echonet_energy_load(&lg2, v1, n), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_get(&lg2, ECHONET_ENERGY_HOURLY, (uint32_t)((T0 + JST) / 3600), &p), ECHONET_OK);
    ck_assert_uint_eq(p.mwh, 300000u);
    ck_assert_int_eq(echonet_energy_get(&lg2, ECHONET_ENERGY_HALF_HOURLY, (uint32_t)((T0 + JST) / 1800), &p),
                     ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_energy_add(&lg2, &(echonet_energy_sample){T0 + 3600, true, false, 450, 0}), ECHONET_OK);
    ck_assert_int_eq(echonet_energy_get(&lg2, ECHONET_ENERGY_HOURLY, (uint32_t)((T0 + JST) / 3600), &p), ECHONET_OK);
    ck_assert_uint_eq(p.mwh, 350000u);
    /* A version 1 header with a version 2 length is refused. */
    v1[4] = 1;
    memcpy(buf + 4, v1 + 4, 1);
    recrc(buf, len);
    ck_assert_int_eq(echonet_energy_load(&lg2, buf, len), ECHONET_ERR_ENERGY_FORMAT);
}
END_TEST

/* A meter's count to Wh with its coefficient, unit and effective digits;
 * the no-data code and counts beyond the digits are not readings. */
START_TEST(energy_meter_conversion)
{
    uint64_t wh, wrap;

    /* 6 digits of 0.1 kWh, no coefficient: 99 999.9 kWh, wrapping at 100 000 kWh. */
    ck_assert_int_eq(echonet_energy_meter_wh(999999u, 1, 0x01, 6, &wh, &wrap), ECHONET_OK);
    ck_assert_uint_eq(wh, 99999900u);
    ck_assert_uint_eq(wrap, 100000000u);
    /* 8 digits of 0.0001 kWh times 40: 0.1 Wh counts, floored. */
    ck_assert_int_eq(echonet_energy_meter_wh(12345677u, 40, 0x04, 8, &wh, &wrap), ECHONET_OK);
    ck_assert_uint_eq(wh, 49382708u); /* 12345677 × 4 Wh / 1 */
    ck_assert_uint_eq(wrap, 400000000u);
    ck_assert_int_eq(echonet_energy_meter_wh(7u, 3, 0x0A, 1, &wh, &wrap), ECHONET_OK);
    ck_assert_uint_eq(wh, 210000u);
    ck_assert_uint_eq(wrap, 300000u);
    ck_assert_int_eq(echonet_energy_meter_wh(0xFFFFFFFEu, 1, 0x01, 8, &wh, &wrap), ECHONET_ERR_ENERGY_VALUE);
    ck_assert_int_eq(echonet_energy_meter_wh(1000000u, 1, 0x01, 6, &wh, &wrap), ECHONET_ERR_ENERGY_VALUE);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 999999u, 0x0D, 8, &wh, &wrap), ECHONET_ERR_ENERGY_VALUE);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 1, 0x05, 6, &wh, &wrap), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 0, 0x01, 6, &wh, &wrap), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 1000000u, 0x01, 6, &wh, &wrap), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 1, 0x01, 0, &wh, &wrap), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 1, 0x01, 9, &wh, &wrap), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_energy_meter_wh(5u, 1, 0x01, 6, NULL, &wrap), ECHONET_ERR_INVALID_ARG);
    /* Into a log: 99 999.8 -> 0.1 kWh across the wrap is 300 Wh. */
    echonet_energy_init_series(&lg, ECHONET_ENERGY_KIND_WHOLE_HOUSE, JST, 0);
    ck_assert_int_eq(echonet_energy_meter_wh(999998u, 1, 0x01, 6, &wh, &wrap), ECHONET_OK);
    reading_w(T0, wh, wrap);
    ck_assert_int_eq(echonet_energy_meter_wh(1u, 1, 0x01, 6, &wh, &wrap), ECHONET_OK);
    reading_w(T0 + 1800, wh, wrap);
    ck_assert_uint_eq(period(ECHONET_ENERGY_HALF_HOURLY, T0).mwh, 300000u);
}
END_TEST

Suite *energy_suite(void)
{
    Suite *s = suite_create("energy");
    TCase *tc = tcase_create("log");

    tcase_add_test(tc, args_and_values);
    tcase_add_test(tc, within_and_across_hours);
    tcase_add_test(tc, counter_wrap);
    tcase_add_test(tc, counter_restart);
    tcase_add_test(tc, gaps);
    tcase_add_test(tc, clock_steps);
    tcase_add_test(tc, power_only);
    tcase_add_test(tc, counter_preferred_over_power);
    tcase_add_test(tc, unmeasured);
    tcase_add_test(tc, thirteen_months);
    tcase_add_test(tc, damaged_refused);
    tcase_add_test(tc, restored_continues);
    tcase_add_test(tc, larger_ring_restored);
    tcase_add_test(tc, energy_half_hour_bucket_boundary);
    tcase_add_test(tc, energy_restore_no_double_count);
    tcase_add_test(tc, energy_meter_wrap);
    tcase_add_test(tc, energy_nodata_gap);
    tcase_add_test(tc, energy_daily_400_days);
    tcase_add_test(tc, energy_load_version_1);
    tcase_add_test(tc, energy_meter_conversion);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
