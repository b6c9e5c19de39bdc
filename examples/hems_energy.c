/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy file and the `energy` command of hems-controller; see hems_energy.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_energy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hems_cmd.h"
#include "posix_util.h"

#define FILE_VERSION 1u
#define PATH_CAP 4096

/* Per series kind (echonet_energy_kind order): its name and its colour in
 * the SVG; a device's bars keep the colour they always had. */
static const struct {
    const char *name, *label, *colour;
} kinds[] = {
    {"device", "device", "#2a7ab9"},
    {"whole-house", "whole house", "#d0342c"},
    {"generation", "generation", "#e8a317"},
    {"sale", "sale", "#2e9d4a"},
    {"battery-charge", "battery charge", "#8a5cc2"},
    {"battery-discharge", "battery discharge", "#0e9aa7"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])
/* The order series are shown in: the house first, devices last. */
static const echonet_energy_kind show_order[N_KINDS] = {
    ECHONET_ENERGY_KIND_WHOLE_HOUSE,    ECHONET_ENERGY_KIND_GENERATION,        ECHONET_ENERGY_KIND_SALE,
    ECHONET_ENERGY_KIND_BATTERY_CHARGE, ECHONET_ENERGY_KIND_BATTERY_DISCHARGE, ECHONET_ENERGY_KIND_DEVICE};

const char *hems_energy_kind_name(echonet_energy_kind kind)
{
    return (unsigned)kind < N_KINDS ? kinds[kind].name : "unknown";
}

static unsigned kind_of(const echonet_energy_log *log)
{
    echonet_energy_stats st;

    if (echonet_energy_stats_get(log, &st) != ECHONET_OK || (unsigned)st.kind >= N_KINDS)
        return ECHONET_ENERGY_KIND_DEVICE;
    return (unsigned)st.kind;
}

static void report(const char *what, const char *path, const char *detail)
{
    fprintf(stderr, "hems-controller: %s %s: %s\n", what, path, detail);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Parses the file's bytes into e (devices only when all of it is good). */
static const char *parse(struct hems_energy *e, const uint8_t *buf, size_t len)
{
    size_t pos = 7;
    unsigned count, i;
    static struct hems_energy_dev tmp[HEMS_ENERGY_DEVICES];

    if (len < 11 || memcmp(buf, "HEEF", 4) != 0)
        return "not an energy file";
    if (get32(buf + len - 4) != echonet_crc32(buf, len - 4))
        return "checksum mismatch (damaged or truncated)";
    if (buf[4] != FILE_VERSION)
        return "unknown version";
    count = (unsigned)buf[5] << 8 | buf[6];
    if (count > HEMS_ENERGY_DEVICES)
        return "too many air conditioners";
    len -= 4;
    for (i = 0; i < count; i++) {
        size_t klen;
        uint32_t llen;

        if (pos >= len)
            return "truncated";
        klen = buf[pos];
        if (klen == 0 || klen >= HEMS_ENERGY_KEY || len - pos < 1 + klen + 4)
            return "bad key";
        memset(tmp[i].key, 0, sizeof tmp[i].key);
        memcpy(tmp[i].key, buf + pos + 1, klen);
        pos += 1 + klen;
        llen = get32(buf + pos);
        pos += 4;
        if (llen > len - pos)
            return "truncated log";
        if (echonet_energy_load(&tmp[i].log, buf + pos, llen) != ECHONET_OK)
            return "a log is damaged";
        pos += llen;
    }
    if (pos != len)
        return "bytes after the last log";
    memcpy(e->dev, tmp, count * sizeof tmp[0]);
    e->n = count;
    return NULL;
}

int hems_energy_open(struct hems_energy *e, const char *path, int32_t utc_offset, bool move_damaged)
{
    long n;
    const char *why;
    char aside[PATH_CAP];

    e->path = path;
    e->utc_offset = utc_offset;
    e->n = 0;
    e->full_reported = false;
    n = posix_read_file(path, e->buf, sizeof e->buf);
    if (n < 0 && errno == ENOENT && move_damaged)
        return 0;
    if (n < 0 && errno == ENOENT) {
        report("cannot open the energy file", path, strerror(errno));
        return -1;
    }
    if (n < 0) {
        report("cannot read the energy file", path, strerror(errno));
        return -1;
    }
    why = (size_t)n > sizeof e->buf ? "too long" : parse(e, e->buf, (size_t)n);
    if (!why)
        return 0;
    if (!move_damaged) {
        report("the energy file is damaged:", path, why);
        return -1;
    }
    if (snprintf(aside, sizeof aside, "%s.damaged-%lld", path, (long long)time(NULL)) >= (int)sizeof aside ||
        rename(path, aside) != 0) {
        report("the energy file is damaged and cannot be moved aside:", path, why);
        return -1;
    }
    fprintf(stderr, "hems-controller: the energy file %s is damaged (%s); kept as %s, starting a new log\n", path,
            why, aside);
    return 0;
}

/* Temporary file beside path, fsync, rename over path, fsync of the
 * directory: a crash at any moment leaves the old file or the new one. */
static int replace_file(const char *path, const uint8_t *buf, size_t len)
{
    if (posix_replace_file(path, buf, len) != 0) {
        report("cannot save the energy file", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int save(struct hems_energy *e)
{
    size_t pos = 7, len;
    unsigned i;

    e->writes++;
    memcpy(e->buf, "HEEF", 4);
    e->buf[4] = FILE_VERSION;
    e->buf[5] = (uint8_t)(e->n >> 8);
    e->buf[6] = (uint8_t)e->n;
    for (i = 0; i < e->n; i++) {
        size_t klen = strlen(e->dev[i].key);

        e->buf[pos] = (uint8_t)klen;
        memcpy(e->buf + pos + 1, e->dev[i].key, klen);
        pos += 1 + klen + 4;
        if (echonet_energy_save(&e->dev[i].log, e->buf + pos, sizeof e->buf - pos - 4, &len) != ECHONET_OK) {
            report("cannot save the energy file", e->path, "too large");
            return -1;
        }
        put32(e->buf + pos - 4, (uint32_t)len);
        pos += len;
    }
    put32(e->buf + pos, echonet_crc32(e->buf, pos));
    return replace_file(e->path, e->buf, pos + 4);
}

static echonet_energy_log *log_of(struct hems_energy *e, const char *key, echonet_energy_kind kind)
{
    unsigned i;

    for (i = 0; i < e->n; i++)
        if (strcmp(e->dev[i].key, key) == 0)
            return &e->dev[i].log;
    if (e->n == HEMS_ENERGY_DEVICES || strlen(key) >= HEMS_ENERGY_KEY) {
        if (!e->full_reported)
            report("the energy file is full; not kept:", e->path, key);
        e->full_reported = true;
        return NULL;
    }
    snprintf(e->dev[e->n].key, HEMS_ENERGY_KEY, "%s", key);
    (void)echonet_energy_init_series(&e->dev[e->n].log, kind, e->utc_offset, 0);
    return &e->dev[e->n++].log;
}

const echonet_energy_log *hems_energy_find(const struct hems_energy *e, const char *key)
{
    unsigned i;

    for (i = 0; i < e->n; i++)
        if (strcmp(e->dev[i].key, key) == 0)
            return &e->dev[i].log;
    return NULL;
}

int hems_energy_flush(struct hems_energy *e)
{
    if (!e->dirty)
        return 0;
    e->dirty = false;
    return save(e);
}

/* After an input to the series key: reported when refused, the
 * file saved when the last save is HEMS_ENERGY_SAVE_EVERY_S old. */
static int taken(struct hems_energy *e, const char *key, echonet_err err)
{
    time_t now = time(NULL);

    if (err != ECHONET_OK) {
        fprintf(stderr, "hems-controller: energy sample of %s not taken: %s (%d)\n", key, echonet_err_name(err),
                (int)err);
        return -1;
    }
    e->dirty = true;
    /* By the wall clock, not the sample's time: a day of a meter's history
     * is 48 samples half an hour apart, each of which was a save (two
     * fsyncs) while nothing else ran. */
    if (now >= e->saved_at && now - e->saved_at < HEMS_ENERGY_SAVE_EVERY_S)
        return 0;
    e->saved_at = now;
    return hems_energy_flush(e);
}

static int add(struct hems_energy *e, const char *key, const echonet_energy_sample *s)
{
    echonet_energy_log *log = log_of(e, key, ECHONET_ENERGY_KIND_DEVICE);

    return log ? taken(e, key, echonet_energy_add(log, s)) : -1;
}

int hems_energy_reading(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t at, uint64_t wh,
                        uint64_t wrap_wh)
{
    echonet_energy_log *log = log_of(e, key, kind);

    return log ? taken(e, key, echonet_energy_add_reading(log, (int64_t)at, wh, wrap_wh)) : -1;
}

int hems_energy_amount(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t from, time_t to,
                       uint64_t mwh)
{
    echonet_energy_log *log = log_of(e, key, kind);

    return log ? taken(e, key, echonet_energy_add_amount(log, (int64_t)from, (int64_t)to, mwh)) : -1;
}

int hems_energy_nodata(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t at)
{
    echonet_energy_log *log = log_of(e, key, kind);

    return log ? taken(e, key, echonet_energy_add_nodata(log, (int64_t)at)) : -1;
}

int hems_energy_value(struct hems_energy *e, const char *key, uint8_t epc, const uint8_t *edt, uint8_t pdc,
                      time_t now)
{
    echonet_energy_sample s;

    memset(&s, 0, sizeof s);
    s.unix_s = (int64_t)now;
    if (epc == ECHONET_EPC_CUMULATIVE_ENERGY && pdc == 4) {
        s.has_counter = true;
        s.counter_wh = get32(edt);
    } else if (epc == ECHONET_EPC_INSTANT_POWER && pdc == 2) {
        s.has_power = true;
        s.power_w = (uint16_t)(edt[0] << 8 | edt[1]);
    } else {
        return 0;
    }
    return add(e, key, &s);
}

int hems_energy_unmeasured(struct hems_energy *e, const char *key, time_t now)
{
    echonet_energy_sample s;

    memset(&s, 0, sizeof s);
    s.unix_s = (int64_t)now;
    return add(e, key, &s);
}

/* ---- The `energy` command ------------------------------------------------- */

/* The flags as letters (see the legend). */
static void flag_letters(unsigned f, char *out)
{
    static const struct {
        unsigned bit;
        char c;
    } map[] = {{ECHONET_ENERGY_ESTIMATED, 'E'}, {ECHONET_ENERGY_GAP, 'G'},   {ECHONET_ENERGY_RESTART, 'R'},
               {ECHONET_ENERGY_WRAP, 'W'},      {ECHONET_ENERGY_CLOCK, 'C'}, {ECHONET_ENERGY_FROM_POWER, 'P'}};
    size_t i;

    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (f & map[i].bit)
            *out++ = map[i].c;
    *out = '\0';
}

static void period_label(int64_t start, int32_t offset, bool daily, char *out, size_t cap)
{
    time_t t = (time_t)(start + offset);
    struct tm tm;

    if (!gmtime_r(&t, &tm))
        snprintf(out, cap, "?");
    else
        strftime(out, cap, daily ? "%Y-%m-%d" : "%Y-%m-%d %H:%M", &tm);
}

static void kwh_text(uint64_t mwh, char *out, size_t cap)
{
    snprintf(out, cap, "%" PRIu64 ".%03" PRIu64, mwh / 1000000u, mwh % 1000000u / 1000u);
}

struct report {
    const struct hems_energy *e;
    unsigned sel[HEMS_ENERGY_DEVICES];
    unsigned n_sel;
    echonet_energy_res res;
    int64_t len; /* seconds per period */
    unsigned periods;
    int64_t from, to; /* Unix seconds */
};

static const char *res_word(const struct report *r)
{
    return r->res == ECHONET_ENERGY_DAILY ? "day" : r->res == ECHONET_ENERGY_HOURLY ? "hour" : "half-hour";
}

static echonet_energy_period period_of(const struct report *r, unsigned d, unsigned k)
{
    echonet_energy_iter it;
    echonet_energy_period p;
    int64_t t = r->from + (int64_t)k * r->len;

    memset(&p, 0, sizeof p);
    if (echonet_energy_iter_init(&it, &r->e->dev[r->sel[d]].log, r->res, t, t + 1) == ECHONET_OK)
        (void)echonet_energy_iter_next(&it, &p);
    return p;
}

static void label_of(const struct report *r, unsigned k, char *out, size_t cap)
{
    period_label(r->from + (int64_t)k * r->len, r->e->utc_offset, r->res == ECHONET_ENERGY_DAILY, out, cap);
}

static bool unmeasured(const struct report *r, unsigned d)
{
    echonet_energy_stats st;

    return echonet_energy_stats_get(&r->e->dev[r->sel[d]].log, &st) == ECHONET_OK &&
           st.source == ECHONET_ENERGY_SOURCE_UNMEASURED;
}

static unsigned sel_kind(const struct report *r, unsigned d)
{
    return kind_of(&r->e->dev[r->sel[d]].log);
}

static void print_table(const struct report *r, FILE *out)
{
    unsigned d, k;
    char label[32], kwh[32], flags[8];
    uint64_t total[HEMS_ENERGY_DEVICES];

    fprintf(out, "%-17s", res_word(r));
    for (d = 0; d < r->n_sel; d++)
        fprintf(out, "  %22s", r->e->dev[r->sel[d]].key);
    fprintf(out, "\n%-17s", "series");
    for (d = 0; d < r->n_sel; d++)
        fprintf(out, "  %22s", kinds[sel_kind(r, d)].name);
    fprintf(out, "\n");
    memset(total, 0, sizeof total);
    for (k = 0; k < r->periods; k++) {
        label_of(r, k, label, sizeof label);
        fprintf(out, "%-17s", label);
        for (d = 0; d < r->n_sel; d++) {
            echonet_energy_period p = period_of(r, d, k);

            if (unmeasured(r, d)) {
                fprintf(out, "  %22s", "not measured");
                continue;
            }
            if (!p.present) {
                fprintf(out, "  %18s    ", "-");
                continue;
            }
            kwh_text(p.mwh, kwh, sizeof kwh);
            flag_letters(p.flags, flags);
            fprintf(out, "  %14s kWh %-3s", kwh, flags);
            total[d] += p.mwh;
        }
        fprintf(out, "\n");
    }
    fprintf(out, "%-17s", "total");
    for (d = 0; d < r->n_sel; d++) {
        kwh_text(total[d], kwh, sizeof kwh);
        fprintf(out, "  %14s kWh    ", kwh);
    }
    fprintf(out, "\nkWh per %s, local time UTC%+d:%02d. Flags: E estimated (samples missed), G gap (not spread),\n"
                 "R counter restart, W counter wrap, C clock step, P integrated from 0x84 power; - no data.\n",
            res_word(r), (int)(r->e->utc_offset / 3600), (int)(abs(r->e->utc_offset) % 3600 / 60));
}

static void print_csv(const struct report *r, FILE *out)
{
    unsigned d, k;
    char label[32], kwh[32], flags[8];

    fprintf(out, "device,period,start_unix,kwh,flags,series\n");
    for (d = 0; d < r->n_sel; d++) {
        for (k = 0; k < r->periods; k++) {
            echonet_energy_period p = period_of(r, d, k);

            label_of(r, k, label, sizeof label);
            flag_letters(p.flags, flags);
            if (p.present && !unmeasured(r, d)) {
                snprintf(kwh, sizeof kwh, "%" PRIu64 ".%06" PRIu64, (uint64_t)p.mwh / 1000000u,
                         (uint64_t)p.mwh % 1000000u);
            } else {
                kwh[0] = '\0';
            }
            fprintf(out, "%s,%s,%lld,%s,%s,%s\n", r->e->dev[r->sel[d]].key, label,
                    (long long)(r->from + (int64_t)k * r->len), kwh, unmeasured(r, d) ? "not-measured" : flags,
                    kinds[sel_kind(r, d)].name);
        }
    }
}

/* The chart is at least this wide, and each title gets this many pixels
 * per character (13 px sans-serif averages about 7.5): a chart of one day
 * must not clip its titles. */
#define SVG_MIN_WIDTH 320u
#define SVG_TITLE_CHAR_PX 8u
/* The legend's row above the panels: a swatch and a name per kind shown. */
#define SVG_LEGEND 24u
#define SVG_SWATCH 12u

/* One panel per series, bars on a common scale coloured by the series'
 * kind, a legend of the kinds above; hand-written SVG. */
static int write_svg(const struct report *r, const char *path)
{
    const unsigned bar = r->periods <= 48 ? 24u : r->periods <= 100 ? 10u : 4u;
    const unsigned left = 70, panel = 180, plot = 120;
    const unsigned height = 20 + SVG_LEGEND + r->n_sel * panel;
    unsigned width = left + r->periods * bar + 20, legend = left;
    bool shown[N_KINDS];
    uint64_t max = 0;
    unsigned d, k;
    char label[32], kwh[32];
    FILE *f;

    memset(shown, 0, sizeof shown);
    for (d = 0; d < r->n_sel; d++) {
        /* "KEY: kWh per half-hour (battery discharge, not measured)" */
        unsigned chars = (unsigned)strlen(r->e->dev[r->sel[d]].key) + 20u +
                         (unsigned)strlen(kinds[sel_kind(r, d)].label) + (unmeasured(r, d) ? 15u : 0u);

        if (left + chars * SVG_TITLE_CHAR_PX + 20 > width)
            width = left + chars * SVG_TITLE_CHAR_PX + 20;
        if (!shown[sel_kind(r, d)])
            legend += SVG_SWATCH + 6u + (unsigned)strlen(kinds[sel_kind(r, d)].label) * SVG_TITLE_CHAR_PX + 14u;
        shown[sel_kind(r, d)] = true;
    }
    if (legend + 20 > width)
        width = legend + 20;
    if (width < SVG_MIN_WIDTH)
        width = SVG_MIN_WIDTH;
    f = fopen(path, "w");
    if (!f) {
        report("cannot write", path, strerror(errno));
        return -1;
    }
    for (d = 0; d < r->n_sel; d++)
        for (k = 0; k < r->periods; k++) {
            echonet_energy_period p = period_of(r, d, k);

            if (p.present && p.mwh > max)
                max = p.mwh;
        }
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" height=\"%u\" viewBox=\"0 0 %u %u\">\n"
               "<rect x=\"0\" y=\"0\" width=\"%u\" height=\"%u\" fill=\"#ffffff\"/>\n",
            width, height, width, height, width, height);
    fprintf(f, "<g class=\"legend\">\n");
    for (legend = left, k = 0; k < N_KINDS; k++) {
        unsigned kind = (unsigned)show_order[k];

        if (!shown[kind])
            continue;
        fprintf(f,
                "<rect x=\"%u\" y=\"8\" width=\"%u\" height=\"%u\" fill=\"%s\"/>"
                "<text x=\"%u\" y=\"19\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#000000\">%s</text>\n",
                legend, SVG_SWATCH, SVG_SWATCH, kinds[kind].colour, legend + SVG_SWATCH + 6u, kinds[kind].label);
        legend += SVG_SWATCH + 6u + (unsigned)strlen(kinds[kind].label) * SVG_TITLE_CHAR_PX + 14u;
    }
    fprintf(f, "</g>\n");
    kwh_text(max, kwh, sizeof kwh);
    for (d = 0; d < r->n_sel; d++) {
        unsigned top = 20 + SVG_LEGEND + d * panel, base = top + 20 + plot, kind = sel_kind(r, d);

        fprintf(f,
                "<text x=\"%u\" y=\"%u\" font-family=\"sans-serif\" font-size=\"13\" fill=\"#000000\">"
                "%s: kWh per %s (%s%s)</text>\n",
                left, top + 12, r->e->dev[r->sel[d]].key, res_word(r), kinds[kind].label,
                unmeasured(r, d) ? ", not measured" : "");
        fprintf(f,
                "<text x=\"%u\" y=\"%u\" font-family=\"sans-serif\" font-size=\"11\" text-anchor=\"end\" "
                "fill=\"#000000\">%s</text>\n",
                left - 6, top + 24, kwh);
        fprintf(f, "<line x1=\"%u\" y1=\"%u\" x2=\"%u\" y2=\"%u\" stroke=\"#000000\" stroke-width=\"1\"/>\n", left,
                base + 1, left + r->periods * bar, base + 1);
        for (k = 0; k < r->periods; k++) {
            echonet_energy_period p = period_of(r, d, k);
            unsigned h;

            if (!p.present || max == 0 || p.mwh == 0)
                continue;
            h = (unsigned)((p.mwh * plot + max / 2) / max);
            if (h == 0)
                h = 1;
            label_of(r, k, label, sizeof label);
            kwh_text(p.mwh, kwh, sizeof kwh);
            fprintf(f,
                    "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" fill=\"%s\">"
                    "<title>%s %s %s kWh</title></rect>\n",
                    left + k * bar + 1, base + 1 - h, bar - 2, h, kinds[kind].colour, kinds[kind].label, label,
                    kwh);
        }
    }
    fprintf(f, "</svg>\n");
    if (fclose(f) != 0) {
        report("cannot write", path, strerror(errno));
        return -1;
    }
    return 0;
}

int hems_energy_command(const char *path, int32_t utc_offset, char **words, int n, time_t now)
{
    static struct hems_energy e;
    struct report r;
    const char *node = NULL, *svg = NULL;
    bool csv = false, half = false;
    long days = 0;
    int i;
    unsigned d, k;
    int64_t local;

    for (i = 1; i < n; i++) {
        if (strcmp(words[i], "--csv") == 0) {
            csv = true;
        } else if (strcmp(words[i], "--half-hour") == 0 && days == 0) {
            half = true;
        } else if (strcmp(words[i], "--days") == 0 && i + 1 < n && !half) {
            if (!hems_parse_long(words[++i], 1, ECHONET_ENERGY_DAYS, &days)) {
                fprintf(stderr, "hems-controller: energy: --days takes 1 to %d\n", ECHONET_ENERGY_DAYS);
                return 2;
            }
        } else if (strcmp(words[i], "--svg") == 0 && i + 1 < n) {
            svg = words[++i];
        } else if (words[i][0] != '-' && !node) {
            node = words[i];
        } else {
            fprintf(stderr, "hems-controller: energy: unexpected argument %s\n"
                            "usage: energy [NODE] [--half-hour | --days N] [--csv] [--svg FILE]\n", words[i]);
            return 2;
        }
    }
    if (!path) {
        fprintf(stderr, "hems-controller: energy: needs --energy FILE\n");
        return 2;
    }
    if (hems_energy_open(&e, path, utc_offset, false) != 0)
        return 1;
    memset(&r, 0, sizeof r);
    r.e = &e;
    /* The house's series first, devices last, each kind in file order. */
    for (k = 0; k < N_KINDS; k++)
        for (d = 0; d < e.n; d++) {
            size_t nl = node ? strlen(node) : 0;

            if (kind_of(&e.dev[d].log) != (unsigned)show_order[k])
                continue;
            if (!node || strcmp(e.dev[d].key, node) == 0 ||
                (strncmp(e.dev[d].key, node, nl) == 0 && e.dev[d].key[nl] == '/'))
                r.sel[r.n_sel++] = d;
        }
    if (r.n_sel == 0) {
        fprintf(stderr, "hems-controller: energy: no series%s%s in %s\n", node ? " " : "", node ? node : "", path);
        return 1;
    }
    r.res = days > 0 ? ECHONET_ENERGY_DAILY : half ? ECHONET_ENERGY_HALF_HOURLY : ECHONET_ENERGY_HOURLY;
    r.periods = days > 0 ? (unsigned)days : half ? 48u : 24u;
    r.len = days > 0 ? 86400 : half ? 1800 : 3600;
    local = (int64_t)now + utc_offset;
    r.to = local - local % r.len + r.len - utc_offset;
    r.from = r.to - (int64_t)r.periods * r.len;
    if (svg && write_svg(&r, svg) != 0)
        return 1;
    if (csv)
        print_csv(&r, stdout);
    else if (!svg)
        print_table(&r, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
