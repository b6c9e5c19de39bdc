/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy log: samples of 0x84/0x85 into hourly and daily rings.
 *
 * Saved layout, big-endian, version 1:
 *   "ELEN" version(1) utc_offset(4, two's complement) source(1) have_ref(1)
 *   power_frac(1) last_t(8, local seconds) last_counter(4) last_power(2)
 *   total_mwh(8) unattributed_mwh(8) restarts(4) wraps(4) clock_steps(4)
 *   gaps(4) hour ring size(2) day ring size(2) hours kept(2) days kept(2)
 *   per bucket, hours then days, each in ring-slot order:
 *     key(4) mwh(4) flags(2) samples(2)
 *   CRC-32 (IEEE) of everything before it (4)
 * The CRC is always the last four bytes, in every version. */
#include <string.h>

#include "echonet/energy.h"

#include "bytes.h"
#include "echonet/crc32.h"

#define VERSION 1u
#define HEADER_LEN 66u
#define BUCKET_LEN 12u
#define EMPTY UINT32_MAX
/* Local seconds whose hour number is below EMPTY. */
#define LOCAL_LIMIT ((int64_t)EMPTY * 3600)

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

static uint32_t hour_of(int64_t t)
{
    return (uint32_t)(t / 3600);
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

echonet_err echonet_energy_init(echonet_energy_log *log, int32_t utc_offset)
{
    if (!log || utc_offset <= -86400 || utc_offset >= 86400)
        return ECHONET_ERR_INVALID_ARG;
    memset(log, 0, sizeof *log);
    clear_ring(log->hours, ECHONET_ENERGY_HOURS);
    clear_ring(log->days, ECHONET_ENERGY_DAYS);
    log->utc_offset = utc_offset;
    log->source = ECHONET_ENERGY_SOURCE_NONE;
    return ECHONET_OK;
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

/* Energy and flags into one hour and its day. */
static void add_hour(echonet_energy_log *log, uint32_t hour, uint64_t mwh, unsigned flags)
{
    bucket_add(slot(log->hours, ECHONET_ENERGY_HOURS, hour), mwh, flags);
    bucket_add(slot(log->days, ECHONET_ENERGY_DAYS, hour / 24u), mwh, flags);
}

/* A sample was taken at local time t. */
static void mark(echonet_energy_log *log, int64_t t, unsigned flags)
{
    uint32_t hour = hour_of(t);
    echonet_energy_bucket *h = slot(log->hours, ECHONET_ENERGY_HOURS, hour);
    echonet_energy_bucket *d = slot(log->days, ECHONET_ENERGY_DAYS, hour / 24u);

    bucket_add(h, 0, flags);
    bucket_add(d, 0, flags);
    if (h->samples < UINT16_MAX)
        h->samples++;
    if (d->samples < UINT16_MAX)
        d->samples++;
}

/* Spreads the energy of (t0, t1] over the hours it covers, in proportion
 * to time; the shares are cumulative roundings, so they add up exactly. */
static void attribute(echonet_energy_log *log, int64_t t0, int64_t t1, uint64_t mwh, unsigned flags, bool known)
{
    uint64_t dt = (uint64_t)(t1 - t0), done = 0;
    int64_t pos = t0;
    uint32_t hour = hour_of(t0);

    if (dt == 0) {
        add_hour(log, hour_of(t1), mwh, flags);
        log->total_mwh += mwh;
        return;
    }
    if (dt > (uint64_t)ECHONET_ENERGY_SPLIT_HOURS * 3600u) {
        log->gaps++;
        if (known)
            log->unattributed_mwh += mwh;
        add_hour(log, hour_of(t0), 0, flags | ECHONET_ENERGY_GAP);
        add_hour(log, hour_of(t1), 0, flags | ECHONET_ENERGY_GAP);
        return;
    }
    if (dt > ECHONET_ENERGY_ESTIMATE_S)
        flags |= ECHONET_ENERGY_ESTIMATED;
    while (pos < t1) {
        int64_t end = ((int64_t)hour + 1) * 3600;
        uint64_t share;

        if (end > t1)
            end = t1;
        share = mwh * (uint64_t)(end - t0) / dt - done;
        add_hour(log, hour, share, flags);
        done += share;
        pos = end;
        hour++;
    }
    log->total_mwh += mwh;
}

/* A new segment: this sample is the reference, the interval before it counts nothing. */
static void start(echonet_energy_log *log, const echonet_energy_sample *s, int64_t t, unsigned flags)
{
    if (!s->has_counter && log->source == ECHONET_ENERGY_SOURCE_COUNTER) {
        /* A unit with a counter: only a counter reading can be the
         * reference, so the next one starts the segment. */
        log->have_ref = 0;
        log->last_power = s->power_w;
        mark(log, t, flags);
        return;
    }
    log->have_ref = 1;
    log->last_t = t;
    log->source = (uint8_t)(s->has_counter ? ECHONET_ENERGY_SOURCE_COUNTER : ECHONET_ENERGY_SOURCE_POWER);
    log->last_counter = s->has_counter ? s->counter_wh : 0;
    log->last_power = s->has_power ? s->power_w : 0;
    log->power_frac = 0;
    mark(log, t, flags);
}

/* Most Wh a counter may advance in dt seconds, plus the reading's own
 * resolution at both ends. */
static uint64_t plausible_wh(uint64_t dt)
{
    return ((uint64_t)ECHONET_ENERGY_MAX_W * dt + 3599u) / 3600u + 2u;
}

echonet_err echonet_energy_add(echonet_energy_log *log, const echonet_energy_sample *s)
{
    int64_t t;
    uint64_t dt, d;
    unsigned flags = 0;

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
            start(log, s, t, 0); /* the unit began to report 0x85 */
            return ECHONET_OK;
        }
        if (s->counter_wh >= log->last_counter) {
            d = s->counter_wh - log->last_counter;
        } else {
            d = (uint64_t)ECHONET_ENERGY_COUNTER_MAX + 1u - log->last_counter + s->counter_wh;
            flags = ECHONET_ENERGY_WRAP;
        }
        if (d > plausible_wh(dt)) {
            log->restarts++;
            start(log, s, t, ECHONET_ENERGY_RESTART);
            return ECHONET_OK;
        }
        if (flags)
            log->wraps++;
        attribute(log, log->last_t, t, d * 1000u, 0, true);
        log->last_counter = s->counter_wh;
        if (s->has_power)
            log->last_power = s->power_w;
    } else if (log->source == ECHONET_ENERGY_SOURCE_COUNTER) {
        /* Power from a unit with a counter: the counter tells the energy. */
        log->last_power = s->power_w;
        mark(log, t, 0);
        return ECHONET_OK;
    } else {
        /* Trapezoid: (p0 + p1) / 2 W over dt s is (p0 + p1) * dt * 5 / 36 mWh. */
        uint64_t num = ((uint64_t)log->last_power + s->power_w) * dt * 5u + log->power_frac;

        if (dt > (uint64_t)ECHONET_ENERGY_SPLIT_HOURS * 3600u)
            num = 0; /* a gap: the power in between is not known */
        log->power_frac = (uint8_t)(num % 36u);
        attribute(log, log->last_t, t, num / 36u, ECHONET_ENERGY_FROM_POWER, false);
        log->last_power = s->power_w;
    }
    log->last_t = t;
    mark(log, t, flags);
    return ECHONET_OK;
}

static bool res_ok(echonet_energy_res res)
{
    return res == ECHONET_ENERGY_HOURLY || res == ECHONET_ENERGY_DAILY;
}

static uint32_t index_of(echonet_energy_res res, int64_t t)
{
    return res == ECHONET_ENERGY_DAILY ? hour_of(t) / 24u : hour_of(t);
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
    const echonet_energy_bucket *b = res == ECHONET_ENERGY_DAILY ? &log->days[index % ECHONET_ENERGY_DAYS]
                                                                 : &log->hours[index % ECHONET_ENERGY_HOURS];

    out->index = index;
    out->start = (int64_t)index * (res == ECHONET_ENERGY_DAILY ? 86400 : 3600) - log->utc_offset;
    out->present = b->key == index;
    out->mwh = out->present ? b->mwh : 0;
    out->flags = out->present ? b->flags : 0;
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
    echonet_sink_put_u32(&o, log->last_counter);
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
    put_ring(&o, log->hours, ECHONET_ENERGY_HOURS);
    put_ring(&o, log->days, ECHONET_ENERGY_DAYS);
    if (o.len + 4 <= o.cap)
        echonet_sink_put_u32(&o, echonet_crc32(buf, o.len));
    else
        o.len += 4;
    *len = o.len;
    return o.len <= o.cap ? ECHONET_OK : ECHONET_ERR_NOBUF;
}

/* A saved ring: each bucket valid, in strictly increasing slot order of the
 * ring it was saved from (so no key twice). */
static bool check_ring(const uint8_t *p, uint16_t n, uint16_t ring)
{
    uint32_t i, prev = 0;

    if (n > ring)
        return false;
    for (i = 0; i < n; i++, p += BUCKET_LEN) {
        uint32_t key = get_u32(p);

        if (key == EMPTY || (echonet_get_u16be(p + 8) & ~ECHONET_ENERGY_FLAGS_ALL) != 0)
            return false;
        if (i > 0 && key % ring <= prev)
            return false;
        prev = key % ring;
    }
    return true;
}

static void load_ring(echonet_energy_bucket *ring, uint32_t n, const uint8_t *p, uint16_t count)
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
    }
}

echonet_err echonet_energy_load(echonet_energy_log *log, const uint8_t *buf, size_t len)
{
    uint32_t off;
    int32_t offset;
    uint64_t last_t;
    uint16_t ring_h, ring_d, n_h, n_d;

    if (!log || !buf)
        return ECHONET_ERR_INVALID_ARG;
    if (len < 5 || memcmp(buf, "ELEN", 4) != 0 || len < HEADER_LEN + 4u ||
        get_u32(buf + len - 4) != echonet_crc32(buf, len - 4))
        return ECHONET_ERR_ENERGY_FORMAT;
    if (buf[4] != VERSION)
        return ECHONET_ERR_ENERGY_VERSION;
    off = get_u32(buf + 5);
    offset = off >= 0x80000000u ? -(int32_t)(0xFFFFFFFFu - off) - 1 : (int32_t)off;
    last_t = get_u64(buf + 12);
    ring_h = echonet_get_u16be(buf + 58);
    ring_d = echonet_get_u16be(buf + 60);
    n_h = echonet_get_u16be(buf + 62);
    n_d = echonet_get_u16be(buf + 64);
    if (offset <= -86400 || offset >= 86400 || buf[9] > ECHONET_ENERGY_SOURCE_POWER || buf[10] > 1 ||
        buf[11] >= 36 || last_t >= (uint64_t)LOCAL_LIMIT || get_u32(buf + 20) > ECHONET_ENERGY_COUNTER_MAX ||
        echonet_get_u16be(buf + 24) > ECHONET_ENERGY_POWER_MAX || ring_h == 0 || ring_d == 0 ||
        len != HEADER_LEN + 4u + ((size_t)n_h + n_d) * BUCKET_LEN ||
        !check_ring(buf + HEADER_LEN, n_h, ring_h) ||
        !check_ring(buf + HEADER_LEN + (size_t)n_h * BUCKET_LEN, n_d, ring_d))
        return ECHONET_ERR_ENERGY_FORMAT;
    (void)echonet_energy_init(log, offset);
    log->source = buf[9];
    log->have_ref = buf[10];
    log->power_frac = buf[11];
    log->last_t = (int64_t)last_t;
    log->last_counter = get_u32(buf + 20);
    log->last_power = echonet_get_u16be(buf + 24);
    log->total_mwh = get_u64(buf + 26);
    log->unattributed_mwh = get_u64(buf + 34);
    log->restarts = get_u32(buf + 42);
    log->wraps = get_u32(buf + 46);
    log->clock_steps = get_u32(buf + 50);
    log->gaps = get_u32(buf + 54);
    load_ring(log->hours, ECHONET_ENERGY_HOURS, buf + HEADER_LEN, n_h);
    load_ring(log->days, ECHONET_ENERGY_DAYS, buf + HEADER_LEN + (size_t)n_h * BUCKET_LEN, n_d);
    return ECHONET_OK;
}
