/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy log: readings, samples of 0x84/0x85 and interval amounts into
 * half-hourly, hourly and daily rings.
 *
 * Saved layout, big-endian, version 2 (version 1 is the same without the
 * 22 bytes marked v2 and without half-hours; it is still read):
 *   "ELEN" version(1) utc_offset(4, two's complement) source(1) have_ref(1)
 *   power_frac(1) last_t(8, local seconds) last_counter low 32 bits(4)
 *   last_power(2) total_mwh(8) unattributed_mwh(8) restarts(4) wraps(4)
 *   clock_steps(4) gaps(4) hour ring size(2) day ring size(2) hours kept(2)
 *   days kept(2)                                              -- 66 bytes
 *   v2: kind(1) state(1: bit 0 no-data pending, bit 1 an amount was added)
 *   max_w(4) last_counter high 32 bits(4) amount_end(8, local seconds)
 *   half-hour ring size(2) half-hours kept(2)                  -- 88 bytes
 *   per bucket, hours, days, then (v2) half-hours, each in ring-slot order:
 *     key(4) mwh(4) flags(2; v2: bit 15 energy attributed) samples(2)
 *   CRC-32 (IEEE) of everything before it (4)
 * The CRC is always the last four bytes, in every version. */
#include <string.h>

#include "echonet/energy.h"

#include "bytes.h"
#include "echonet/crc32.h"

#define VERSION 2u
#define HEADER_V1 66u
#define HEADER_V2 88u
#define BUCKET_LEN 12u
#define EMPTY UINT32_MAX
/* Local seconds whose half-hour number is below EMPTY. */
#define LOCAL_LIMIT ((int64_t)EMPTY * 1800)
#define HALF_S 1800
/* Default plausibility limit of the series other than a device's (W). */
#define HOUSE_MAX_W 100000u
/* Readings and wrap values are below 2^53 Wh, so that d * 1000 fits. */
#define READING_LIMIT ((uint64_t)1 << 53)
/* Bucket flag, private (saved, never reported): energy of an interval was
 * attributed to the bucket. A bucket without it that a gap touched holds
 * no measurement and is reported absent, not as 0. */
#define HAS_ENERGY 0x8000u
/* state bits of the saved form */
#define ST_NODATA 1u
#define ST_AMOUNT 2u

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)echonet_get_u16be(p) << 16 | echonet_get_u16be(p + 2);
}

static uint64_t get_u64(const uint8_t *p)
{
    return (uint64_t)get_u32(p) << 32 | get_u32(p + 4);
}

static bool local_time(const echonet_energy_log *log, int64_t unix_s, int64_t *t)
{
    /* Checked before adding, so that nothing overflows. */
    if (unix_s < -(int64_t)86400 || unix_s > LOCAL_LIMIT)
        return false;
    *t = unix_s + log->utc_offset;
    return *t >= 0 && *t < LOCAL_LIMIT;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint32_t half_of(int64_t t)
{
    return (uint32_t)(t / HALF_S);
}

static void clear_ring(echonet_energy_bucket *b, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        b[i].key = EMPTY;
        b[i].mwh = 0;
        b[i].flags = 0;
        b[i].samples = 0;
    }
}

echonet_err echonet_energy_init_series(echonet_energy_log *log, echonet_energy_kind kind, int32_t utc_offset,
                                       uint32_t max_w)
{
    if (!log || utc_offset <= -86400 || utc_offset >= 86400 || (unsigned)kind > ECHONET_ENERGY_KIND_MAX ||
        max_w > ECHONET_ENERGY_SERIES_MAX_W)
        return ECHONET_ERR_INVALID_ARG;
    memset(log, 0, sizeof *log);
    clear_ring(log->halves, ECHONET_ENERGY_HALF_HOURS);
    clear_ring(log->hours, ECHONET_ENERGY_HOURS);
    clear_ring(log->days, ECHONET_ENERGY_DAYS);
    log->utc_offset = utc_offset;
    log->source = ECHONET_ENERGY_SOURCE_NONE;
    log->kind = (uint8_t)kind;
    log->max_w = max_w ? max_w : kind == ECHONET_ENERGY_KIND_DEVICE ? ECHONET_ENERGY_MAX_W : HOUSE_MAX_W;
    return ECHONET_OK;
}

echonet_err echonet_energy_init(echonet_energy_log *log, int32_t utc_offset)
{
    return echonet_energy_init_series(log, ECHONET_ENERGY_KIND_DEVICE, utc_offset, 0);
}

/* The bucket for a key; a slot holding another key (an earlier lap of the
 * ring, or a later one after the clock went back) is taken over. */
static echonet_energy_bucket *slot(echonet_energy_bucket *ring, uint32_t n, uint32_t key)
{
    echonet_energy_bucket *b = &ring[key % n];

    if (b->key != key) {
        b->key = key;
        b->mwh = 0;
        b->flags = 0;
        b->samples = 0;
    }
    return b;
}

static void bucket_add(echonet_energy_bucket *b, uint64_t mwh, unsigned flags)
{
    uint64_t sum = (uint64_t)b->mwh + mwh;

    b->mwh = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
    b->flags = (uint16_t)(b->flags | flags);
}

/* Energy and flags into one half-hour, its hour and its day; a sample
 * taken there counts in all three. */
static void add_half(echonet_energy_log *log, uint32_t half, uint64_t mwh, unsigned flags, unsigned samples)
{
    echonet_energy_bucket *b[3];
    unsigned i;

    b[0] = slot(log->halves, ECHONET_ENERGY_HALF_HOURS, half);
    b[1] = slot(log->hours, ECHONET_ENERGY_HOURS, half / 2u);
    b[2] = slot(log->days, ECHONET_ENERGY_DAYS, half / 48u);
    for (i = 0; i < 3; i++) {
        bucket_add(b[i], mwh, flags);
        if (samples && b[i]->samples < UINT16_MAX)
            b[i]->samples++;
    }
}

/* A sample was taken at local time t. */
static void mark(echonet_energy_log *log, int64_t t, unsigned flags)
{
    add_half(log, half_of(t), 0, flags, 1);
}

/* Spreads the energy of (t0, t1] over the half-hours it covers, in
 * proportion to time; the shares are cumulative roundings, so they add up
 * exactly. An interval too long to spread, or one a no-data report fell
 * in, is a gap: its ends are flagged and its energy, when known, is
 * counted as unattributed. */
static void attribute(echonet_energy_log *log, int64_t t0, int64_t t1, uint64_t mwh, unsigned flags, bool known)
{
    uint64_t dt = (uint64_t)(t1 - t0), done = 0, hour_mwh = 0, day_mwh = 0;
    int64_t pos = t0;
    uint32_t half = half_of(t0), hour, day;

    if (dt > (uint64_t)ECHONET_ENERGY_SPLIT_HOURS * 3600u || log->nodata) {
        log->nodata = 0;
        log->gaps++;
        if (known)
            log->unattributed_mwh = add_sat(log->unattributed_mwh, mwh);
        add_half(log, half_of(t0), 0, flags | ECHONET_ENERGY_GAP, 0);
        add_half(log, half_of(t1), 0, flags | ECHONET_ENERGY_GAP, 0);
        return;
    }
    flags |= HAS_ENERGY;
    if (dt == 0) {
        add_half(log, half_of(t1), mwh, flags, 0);
        log->total_mwh = add_sat(log->total_mwh, mwh);
        return;
    }
    if (dt > ECHONET_ENERGY_ESTIMATE_S)
        flags |= ECHONET_ENERGY_ESTIMATED;
    /* Each half-hour gets its share; an hour or a day gets the sum of its
     * half-hours' shares once, when the walk leaves it. */
    hour = half / 2u;
    day = half / 48u;
    while (pos < t1) {
        int64_t end = ((int64_t)half + 1) * HALF_S;
        uint64_t share;

        if (end > t1)
            end = t1;
        share = mwh * (uint64_t)(end - t0) / dt - done;
        if (half / 2u != hour) {
            bucket_add(slot(log->hours, ECHONET_ENERGY_HOURS, hour), hour_mwh, flags);
            hour = half / 2u;
            hour_mwh = 0;
        }
        if (half / 48u != day) {
            bucket_add(slot(log->days, ECHONET_ENERGY_DAYS, day), day_mwh, flags);
            day = half / 48u;
            day_mwh = 0;
        }
        bucket_add(slot(log->halves, ECHONET_ENERGY_HALF_HOURS, half), share, flags);
        hour_mwh += share;
        day_mwh += share;
        done += share;
        pos = end;
        half++;
    }
    bucket_add(slot(log->hours, ECHONET_ENERGY_HOURS, hour), hour_mwh, flags);
    bucket_add(slot(log->days, ECHONET_ENERGY_DAYS, day), day_mwh, flags);
    log->total_mwh = add_sat(log->total_mwh, mwh);
}

/* One input: a counter reading, a power reading, or both. */
typedef struct reading {
    bool has_counter, has_power;
    uint64_t counter, wrap; /* wrap: the counter's modulus, 0 when it does not wrap */
    uint16_t power;
} reading;

/* A new segment: this sample is the reference, the interval before it counts nothing. */
static void start(echonet_energy_log *log, const reading *s, int64_t t, unsigned flags)
{
    log->nodata = 0;
    if (!s->has_counter && log->source == ECHONET_ENERGY_SOURCE_COUNTER) {
        /* A unit with a counter: only a counter reading can be the
         * reference, so the next one starts the segment. */
        log->have_ref = 0;
        log->last_power = s->power;
        mark(log, t, flags);
        return;
    }
    log->have_ref = 1;
    log->last_t = t;
    log->source = (uint8_t)(s->has_counter ? ECHONET_ENERGY_SOURCE_COUNTER : ECHONET_ENERGY_SOURCE_POWER);
    log->last_counter = s->has_counter ? s->counter : 0;
    log->last_power = s->has_power ? s->power : 0;
    log->power_frac = 0;
    mark(log, t, flags);
}

/* Most Wh a counter may advance in dt seconds at the log's highest power,
 * plus the reading's own resolution at both ends. */
static uint64_t plausible_wh(const echonet_energy_log *log, uint64_t dt)
{
    /* max_w <= 10^7 W: the product fits for every dt below 58 000 years. */
    if (dt > UINT64_MAX / 2u / ECHONET_ENERGY_SERIES_MAX_W)
        return UINT64_MAX;
    return ((uint64_t)log->max_w * dt + 3599u) / 3600u + 2u;
}

static echonet_err take(echonet_energy_log *log, const reading *s, int64_t t)
{
    uint64_t dt, d;
    unsigned flags = 0;

    if (log->source == ECHONET_ENERGY_SOURCE_AMOUNT)
        return ECHONET_ERR_ENERGY_CONFLICT;
    if (!log->have_ref) {
        start(log, s, t, 0);
        return ECHONET_OK;
    }
    if (t < log->last_t) {
        log->clock_steps++;
        start(log, s, t, ECHONET_ENERGY_CLOCK);
        return ECHONET_OK;
    }
    dt = (uint64_t)(t - log->last_t);
    if (s->has_counter) {
        if (log->source != ECHONET_ENERGY_SOURCE_COUNTER) {
            start(log, s, t, 0); /* the unit began to report a counter */
            return ECHONET_OK;
        }
        if (s->counter >= log->last_counter) {
            d = s->counter - log->last_counter;
        } else if (s->wrap > log->last_counter) {
            d = s->wrap - log->last_counter + s->counter;
            flags = ECHONET_ENERGY_WRAP;
        } else {
            d = UINT64_MAX; /* back, and no wrap explains it */
        }
        if (d > plausible_wh(log, dt)) {
            log->restarts++;
            start(log, s, t, ECHONET_ENERGY_RESTART);
            return ECHONET_OK;
        }
        if (flags)
            log->wraps++;
        attribute(log, log->last_t, t, d * 1000u, 0, true);
        log->last_counter = s->counter;
        if (s->has_power)
            log->last_power = s->power;
    } else if (log->source == ECHONET_ENERGY_SOURCE_COUNTER) {
        /* Power from a unit with a counter: the counter tells the energy. */
        log->last_power = s->power;
        mark(log, t, 0);
        return ECHONET_OK;
    } else {
        /* Trapezoid: (p0 + p1) / 2 W over dt s is (p0 + p1) * dt * 5 / 36 mWh. */
        uint64_t num = ((uint64_t)log->last_power + s->power) * dt * 5u + log->power_frac;

        if (dt > (uint64_t)ECHONET_ENERGY_SPLIT_HOURS * 3600u || log->nodata)
            num = 0; /* a gap: the power in between is not known */
        log->power_frac = (uint8_t)(num % 36u);
        attribute(log, log->last_t, t, num / 36u, ECHONET_ENERGY_FROM_POWER, false);
        log->last_power = s->power;
    }
    log->last_t = t;
    mark(log, t, flags);
    return ECHONET_OK;
}

echonet_err echonet_energy_add(echonet_energy_log *log, const echonet_energy_sample *s)
{
    int64_t t;
    reading r;

    if (!log || !s || !local_time(log, s->unix_s, &t))
        return ECHONET_ERR_INVALID_ARG;
    if ((s->has_counter && s->counter_wh > ECHONET_ENERGY_COUNTER_MAX) ||
        (s->has_power && s->power_w > ECHONET_ENERGY_POWER_MAX))
        return ECHONET_ERR_ENERGY_VALUE;
    if (!s->has_counter && !s->has_power) {
        if (log->source == ECHONET_ENERGY_SOURCE_NONE)
            log->source = ECHONET_ENERGY_SOURCE_UNMEASURED;
        return ECHONET_OK;
    }
    r.has_counter = s->has_counter;
    r.has_power = s->has_power;
    r.counter = s->counter_wh;
    r.wrap = (uint64_t)ECHONET_ENERGY_COUNTER_MAX + 1u;
    r.power = s->power_w;
    return take(log, &r, t);
}

echonet_err echonet_energy_add_reading(echonet_energy_log *log, int64_t unix_s, uint64_t wh, uint64_t wrap_wh)
{
    int64_t t;
    reading r;

    if (!log || !local_time(log, unix_s, &t))
        return ECHONET_ERR_INVALID_ARG;
    if ((wrap_wh != 0 && wh >= wrap_wh) || wh >= READING_LIMIT || wrap_wh > READING_LIMIT)
        return ECHONET_ERR_ENERGY_VALUE;
    memset(&r, 0, sizeof r);
    r.has_counter = true;
    r.counter = wh;
    r.wrap = wrap_wh;
    return take(log, &r, t);
}

echonet_err echonet_energy_meter_wh(uint32_t raw, uint32_t coefficient, uint8_t unit, uint8_t digits,
                                    uint64_t *wh, uint64_t *wrap_wh)
{
    /* 0xE1's unit codes in mWh per count. */
    static const struct {
        uint8_t code;
        uint64_t mwh;
    } units[] = {{0x00, 1000000u},   {0x01, 100000u},     {0x02, 10000u},       {0x03, 1000u},           {0x04, 100u},
                 {0x0A, 10000000u}, {0x0B, 100000000u}, {0x0C, 1000000000u}, {0x0D, 10000000000u}};
    uint64_t scale = 0, counts = 1;
    size_t i;

    if (!wh || !wrap_wh || coefficient < 1u || coefficient > 999999u || digits < 1u || digits > 8u)
        return ECHONET_ERR_INVALID_ARG;
    for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (units[i].code == unit)
            scale = units[i].mwh * coefficient;
    if (scale == 0)
        return ECHONET_ERR_INVALID_ARG;
    for (i = 0; i < digits; i++)
        counts *= 10u;
    /* scale <= 10^16 and counts <= 10^8: compare before multiplying. */
    if (raw >= counts || scale > READING_LIMIT * 1000u / counts)
        return ECHONET_ERR_ENERGY_VALUE;
    *wh = raw * scale / 1000u;
    *wrap_wh = counts * scale / 1000u;
    return ECHONET_OK;
}

echonet_err echonet_energy_add_nodata(echonet_energy_log *log, int64_t unix_s)
{
    int64_t t;

    if (!log || !local_time(log, unix_s, &t))
        return ECHONET_ERR_INVALID_ARG;
    if (log->have_ref && t >= log->last_t)
        log->nodata = 1;
    return ECHONET_OK;
}

echonet_err echonet_energy_add_amount(echonet_energy_log *log, int64_t from, int64_t to, uint64_t mwh)
{
    int64_t a, b;
    uint64_t dt;

    if (!log || !local_time(log, from, &a) || !local_time(log, to, &b) || b <= a ||
        b - a > (int64_t)ECHONET_ENERGY_SPLIT_HOURS * 3600)
        return ECHONET_ERR_INVALID_ARG;
    dt = (uint64_t)(b - a);
    if (mwh > plausible_wh(log, dt) * 1000u)
        return ECHONET_ERR_ENERGY_VALUE;
    if ((log->source != ECHONET_ENERGY_SOURCE_NONE && log->source != ECHONET_ENERGY_SOURCE_UNMEASURED &&
         log->source != ECHONET_ENERGY_SOURCE_AMOUNT) ||
        (log->have_amount && a < log->amount_end))
        return ECHONET_ERR_ENERGY_CONFLICT;
    log->source = ECHONET_ENERGY_SOURCE_AMOUNT;
    log->have_amount = 1;
    log->amount_end = b;
    log->nodata = 0;
    mark(log, a, 0);
    attribute(log, a, b, mwh, 0, true);
    return ECHONET_OK;
}

static bool res_ok(echonet_energy_res res)
{
    return res == ECHONET_ENERGY_HOURLY || res == ECHONET_ENERGY_DAILY || res == ECHONET_ENERGY_HALF_HOURLY;
}

static uint32_t index_of(echonet_energy_res res, int64_t t)
{
    return res == ECHONET_ENERGY_DAILY ? half_of(t) / 48u : res == ECHONET_ENERGY_HOURLY ? half_of(t) / 2u : half_of(t);
}

echonet_err echonet_energy_index(const echonet_energy_log *log, echonet_energy_res res, int64_t unix_s,
                                 uint32_t *index)
{
    int64_t t;

    if (!log || !index || !res_ok(res) || !local_time(log, unix_s, &t))
        return ECHONET_ERR_INVALID_ARG;
    *index = index_of(res, t);
    return ECHONET_OK;
}

static bool fill(const echonet_energy_log *log, echonet_energy_res res, uint32_t index, echonet_energy_period *out)
{
    const echonet_energy_bucket *b = res == ECHONET_ENERGY_DAILY    ? &log->days[index % ECHONET_ENERGY_DAYS]
                                     : res == ECHONET_ENERGY_HOURLY ? &log->hours[index % ECHONET_ENERGY_HOURS]
                                                                    : &log->halves[index % ECHONET_ENERGY_HALF_HOURS];
    int64_t len = res == ECHONET_ENERGY_DAILY ? 86400 : res == ECHONET_ENERGY_HOURLY ? 3600 : HALF_S;

    out->index = index;
    out->start = (int64_t)index * len - log->utc_offset;
    out->present = b->key == index && ((b->flags & HAS_ENERGY) || !(b->flags & ECHONET_ENERGY_GAP));
    out->mwh = out->present ? b->mwh : 0;
    out->flags = (uint16_t)(out->present ? b->flags & ECHONET_ENERGY_FLAGS_ALL : 0);
    out->samples = out->present ? b->samples : 0;
    return out->present;
}

echonet_err echonet_energy_get(const echonet_energy_log *log, echonet_energy_res res, uint32_t index,
                               echonet_energy_period *out)
{
    if (!log || !out || !res_ok(res))
        return ECHONET_ERR_INVALID_ARG;
    return fill(log, res, index, out) ? ECHONET_OK : ECHONET_ERR_NOT_FOUND;
}

echonet_err echonet_energy_iter_init(echonet_energy_iter *it, const echonet_energy_log *log,
                                     echonet_energy_res res, int64_t from, int64_t to)
{
    int64_t a, b;

    if (!it || !log || !res_ok(res) || !local_time(log, from, &a) || !local_time(log, to, &b))
        return ECHONET_ERR_INVALID_ARG;
    it->log = log;
    it->res = (uint8_t)res;
    it->done = b <= a;
    it->next = index_of(res, a);
    it->last = it->done ? it->next : index_of(res, b - 1);
    return ECHONET_OK;
}

bool echonet_energy_iter_next(echonet_energy_iter *it, echonet_energy_period *out)
{
    if (!it || !out || it->done)
        return false;
    (void)fill(it->log, (echonet_energy_res)it->res, it->next, out);
    if (it->next == it->last)
        it->done = 1;
    else
        it->next++;
    return true;
}

echonet_err echonet_energy_total(const echonet_energy_log *log, echonet_energy_res res, int64_t from, int64_t to,
                                 uint64_t *mwh, unsigned *flags, uint32_t *missing)
{
    echonet_energy_iter it;
    echonet_energy_period p;
    echonet_err err;
    unsigned f = 0;
    uint32_t miss = 0;

    if (!mwh)
        return ECHONET_ERR_INVALID_ARG;
    err = echonet_energy_iter_init(&it, log, res, from, to);
    if (err != ECHONET_OK)
        return err;
    *mwh = 0;
    while (echonet_energy_iter_next(&it, &p)) {
        if (p.present) {
            *mwh += p.mwh;
            f |= p.flags;
        } else {
            miss++;
        }
    }
    if (flags)
        *flags = f;
    if (missing)
        *missing = miss;
    return ECHONET_OK;
}

echonet_err echonet_energy_stats_get(const echonet_energy_log *log, echonet_energy_stats *out)
{
    if (!log || !out)
        return ECHONET_ERR_INVALID_ARG;
    memset(out, 0, sizeof *out);
    out->source = (echonet_energy_source)log->source;
    out->kind = (echonet_energy_kind)log->kind;
    out->max_w = log->max_w;
    out->utc_offset = log->utc_offset;
    out->total_mwh = log->total_mwh;
    out->unattributed_mwh = log->unattributed_mwh;
    out->restarts = log->restarts;
    out->wraps = log->wraps;
    out->clock_steps = log->clock_steps;
    out->gaps = log->gaps;
    out->have_last = log->have_ref != 0;
    out->last_unix = log->have_ref ? log->last_t - log->utc_offset : 0;
    out->last_counter = log->last_counter;
    out->last_power = log->last_power;
    out->nodata_pending = log->nodata != 0;
    out->have_amount = log->have_amount != 0;
    out->amount_end = log->have_amount ? log->amount_end - log->utc_offset : 0;
    return ECHONET_OK;
}

static void put_u64(echonet_sink *o, uint64_t v)
{
    echonet_sink_put_u32(o, (uint32_t)(v >> 32));
    echonet_sink_put_u32(o, (uint32_t)v);
}

static uint16_t kept(const echonet_energy_bucket *ring, size_t n)
{
    size_t i;
    uint16_t k = 0;

    for (i = 0; i < n; i++)
        if (ring[i].key != EMPTY)
            k++;
    return k;
}

static void put_ring(echonet_sink *o, const echonet_energy_bucket *ring, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (ring[i].key == EMPTY)
            continue;
        echonet_sink_put_u32(o, ring[i].key);
        echonet_sink_put_u32(o, ring[i].mwh);
        echonet_sink_put_u16(o, ring[i].flags);
        echonet_sink_put_u16(o, ring[i].samples);
    }
}

echonet_err echonet_energy_save(const echonet_energy_log *log, uint8_t *buf, size_t cap, size_t *len)
{
    echonet_sink o;
    uint8_t b[3];

    if (!log || !len || (!buf && cap > 0))
        return ECHONET_ERR_INVALID_ARG;
    echonet_sink_init(&o, buf, cap);
    echonet_sink_put(&o, "ELEN", 4);
    b[0] = VERSION;
    echonet_sink_put(&o, b, 1);
    echonet_sink_put_u32(&o, (uint32_t)log->utc_offset);
    b[0] = log->source;
    b[1] = log->have_ref;
    b[2] = log->power_frac;
    echonet_sink_put(&o, b, 3);
    put_u64(&o, (uint64_t)log->last_t);
    echonet_sink_put_u32(&o, (uint32_t)log->last_counter);
    echonet_sink_put_u16(&o, log->last_power);
    put_u64(&o, log->total_mwh);
    put_u64(&o, log->unattributed_mwh);
    echonet_sink_put_u32(&o, log->restarts);
    echonet_sink_put_u32(&o, log->wraps);
    echonet_sink_put_u32(&o, log->clock_steps);
    echonet_sink_put_u32(&o, log->gaps);
    echonet_sink_put_u16(&o, ECHONET_ENERGY_HOURS);
    echonet_sink_put_u16(&o, ECHONET_ENERGY_DAYS);
    echonet_sink_put_u16(&o, kept(log->hours, ECHONET_ENERGY_HOURS));
    echonet_sink_put_u16(&o, kept(log->days, ECHONET_ENERGY_DAYS));
    b[0] = log->kind;
    b[1] = (uint8_t)((log->nodata ? ST_NODATA : 0u) | (log->have_amount ? ST_AMOUNT : 0u));
    echonet_sink_put(&o, b, 2);
    echonet_sink_put_u32(&o, log->max_w);
    echonet_sink_put_u32(&o, (uint32_t)(log->last_counter >> 32));
    put_u64(&o, (uint64_t)log->amount_end);
    echonet_sink_put_u16(&o, ECHONET_ENERGY_HALF_HOURS);
    echonet_sink_put_u16(&o, kept(log->halves, ECHONET_ENERGY_HALF_HOURS));
    put_ring(&o, log->hours, ECHONET_ENERGY_HOURS);
    put_ring(&o, log->days, ECHONET_ENERGY_DAYS);
    put_ring(&o, log->halves, ECHONET_ENERGY_HALF_HOURS);
    if (o.len + 4 <= o.cap)
        echonet_sink_put_u32(&o, echonet_crc32(buf, o.len));
    else
        o.len += 4;
    *len = o.len;
    return o.len <= o.cap ? ECHONET_OK : ECHONET_ERR_NOBUF;
}

/* A saved ring: each bucket valid, in strictly increasing slot order of the
 * ring it was saved from (so no key twice). */
static bool check_ring(const uint8_t *p, uint16_t n, uint16_t ring, unsigned version)
{
    uint32_t i, prev = 0;
    unsigned known = ECHONET_ENERGY_FLAGS_ALL | (version == 1 ? 0u : HAS_ENERGY);

    if (n > ring || ring == 0)
        return false;
    for (i = 0; i < n; i++, p += BUCKET_LEN) {
        uint32_t key = get_u32(p);

        if (key == EMPTY || (echonet_get_u16be(p + 8) & ~known) != 0)
            return false;
        if (i > 0 && key % ring <= prev)
            return false;
        prev = key % ring;
    }
    return true;
}

static void load_ring(echonet_energy_bucket *ring, uint32_t n, const uint8_t *p, uint16_t count, unsigned version)
{
    uint16_t i;

    for (i = 0; i < count; i++, p += BUCKET_LEN) {
        uint32_t key = get_u32(p);
        echonet_energy_bucket *b = &ring[key % n];

        /* From a larger ring two keys can share a slot here: the newer stays. */
        if (b->key != EMPTY && b->key > key)
            continue;
        b->key = key;
        b->mwh = get_u32(p + 4);
        b->flags = echonet_get_u16be(p + 8);
        b->samples = echonet_get_u16be(p + 10);
        /* Version 1 did not mark buckets with energy: those with some have it. */
        if (version == 1 && b->mwh > 0)
            b->flags = (uint16_t)(b->flags | HAS_ENERGY);
    }
}

/* The header's fields in range (version 1 or 2; len already matched the CRC). */
static int32_t get_offset(const uint8_t *buf)
{
    uint32_t off = get_u32(buf + 5);

    return off >= 0x80000000u ? -(int32_t)(0xFFFFFFFFu - off) - 1 : (int32_t)off;
}

static bool header_ok(const uint8_t *buf, size_t len, unsigned version)
{
    int32_t offset = get_offset(buf);
    size_t head = version == 1 ? HEADER_V1 : HEADER_V2;
    size_t buckets = (size_t)echonet_get_u16be(buf + 62) + echonet_get_u16be(buf + 64);

    if (version == 2)
        buckets += echonet_get_u16be(buf + 86);
    if (len != head + 4u + buckets * BUCKET_LEN)
        return false;
    if (offset <= -86400 || offset >= 86400 || buf[10] > 1 || buf[11] >= 36 ||
        get_u64(buf + 12) >= (uint64_t)LOCAL_LIMIT || echonet_get_u16be(buf + 24) > ECHONET_ENERGY_POWER_MAX)
        return false;
    if (version == 1)
        return buf[9] <= ECHONET_ENERGY_SOURCE_POWER && get_u32(buf + 20) <= ECHONET_ENERGY_COUNTER_MAX;
    return buf[9] <= ECHONET_ENERGY_SOURCE_AMOUNT && buf[66] <= ECHONET_ENERGY_KIND_MAX &&
           (buf[67] & ~(ST_NODATA | ST_AMOUNT)) == 0 && get_u32(buf + 68) != 0 &&
           get_u32(buf + 68) <= ECHONET_ENERGY_SERIES_MAX_W && get_u32(buf + 72) < (uint32_t)(READING_LIMIT >> 32) &&
           get_u64(buf + 76) < (uint64_t)LOCAL_LIMIT;
}

echonet_err echonet_energy_load(echonet_energy_log *log, const uint8_t *buf, size_t len)
{
    unsigned version;
    size_t head;
    uint16_t n_h, n_d, n_hh = 0;
    const uint8_t *p;

    if (!log || !buf)
        return ECHONET_ERR_INVALID_ARG;
    if (len < 5 || memcmp(buf, "ELEN", 4) != 0 || len < HEADER_V1 + 4u ||
        get_u32(buf + len - 4) != echonet_crc32(buf, len - 4))
        return ECHONET_ERR_ENERGY_FORMAT;
    version = buf[4];
    if (version != 1 && version != 2)
        return ECHONET_ERR_ENERGY_VERSION;
    head = version == 1 ? HEADER_V1 : HEADER_V2;
    if (len < head + 4u || !header_ok(buf, len, version))
        return ECHONET_ERR_ENERGY_FORMAT;
    n_h = echonet_get_u16be(buf + 62);
    n_d = echonet_get_u16be(buf + 64);
    if (version == 2)
        n_hh = echonet_get_u16be(buf + 86);
    p = buf + head;
    if (!check_ring(p, n_h, echonet_get_u16be(buf + 58), version) ||
        !check_ring(p + (size_t)n_h * BUCKET_LEN, n_d, echonet_get_u16be(buf + 60), version) ||
        (version == 2 &&
         !check_ring(p + ((size_t)n_h + n_d) * BUCKET_LEN, n_hh, echonet_get_u16be(buf + 84), version)))
        return ECHONET_ERR_ENERGY_FORMAT;
    (void)echonet_energy_init(log, get_offset(buf));
    log->source = buf[9];
    log->have_ref = buf[10];
    log->power_frac = buf[11];
    log->last_t = (int64_t)get_u64(buf + 12);
    log->last_counter = get_u32(buf + 20);
    log->last_power = echonet_get_u16be(buf + 24);
    log->total_mwh = get_u64(buf + 26);
    log->unattributed_mwh = get_u64(buf + 34);
    log->restarts = get_u32(buf + 42);
    log->wraps = get_u32(buf + 46);
    log->clock_steps = get_u32(buf + 50);
    log->gaps = get_u32(buf + 54);
    if (version == 2) {
        log->kind = buf[66];
        log->nodata = (buf[67] & ST_NODATA) ? 1 : 0;
        log->have_amount = (buf[67] & ST_AMOUNT) ? 1 : 0;
        log->max_w = get_u32(buf + 68);
        log->last_counter |= (uint64_t)get_u32(buf + 72) << 32;
        log->amount_end = (int64_t)get_u64(buf + 76);
    }
    load_ring(log->hours, ECHONET_ENERGY_HOURS, p, n_h, version);
    load_ring(log->days, ECHONET_ENERGY_DAYS, p + (size_t)n_h * BUCKET_LEN, n_d, version);
    load_ring(log->halves, ECHONET_ENERGY_HALF_HOURS, p + ((size_t)n_h + n_d) * BUCKET_LEN, n_hh, version);
    return ECHONET_OK;
}
