/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * The energy file of hems-controller (--energy FILE): one echonet_energy_log
 * per series (an air conditioner, fed from the 0x84/0x85 values the
 * controller reads; the whole house, generation, sale or a battery, fed
 * through hems_energy_reading() and hems_energy_amount()),
 * kept in a file replaced atomically (temporary file in the same directory,
 * fsync, rename, fsync of the directory) and checked by a CRC-32; and the
 * `energy` command that shows it as a table, CSV or an SVG bar chart.
 *
 * File layout, big-endian, version 1:
 *   "HEEF" version(1) devices(2)
 *   per series: key length(1) key (ASCII, "ADDR/EOJ" for a device) log length(4)
 *               log (echonet_energy_save(), itself versioned and checked;
 *               it carries the series' kind)
 *   CRC-32 (IEEE) of everything before it (4)
 *
 * A file that cannot be read back whole (damaged, truncated, another
 * format) is reported on standard error and renamed FILE.damaged-UNIXTIME;
 * it is never overwritten. The file is created readable and writable by
 * its owner only (0600, by mkstemp), whatever the umask.
 */
#ifndef EXAMPLES_HEMS_ENERGY_H
#define EXAMPLES_HEMS_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <echonet/echonet.h>

#define HEMS_ENERGY_DEVICES 32 /* series (air conditioners, meters...) in one file */
#define HEMS_ENERGY_KEY 64     /* "ADDR/EOJ" */
#define HEMS_ENERGY_FILE_CAP (HEMS_ENERGY_DEVICES * (HEMS_ENERGY_KEY + 5u + 100u + \
                              12u * (ECHONET_ENERGY_HALF_HOURS + ECHONET_ENERGY_HOURS + ECHONET_ENERGY_DAYS)) + 16u)

struct hems_energy_dev {
    char key[HEMS_ENERGY_KEY];
    echonet_energy_log log;
};

/* Samples are kept in memory and the file written at most once a minute
 * (and by hems_energy_flush): a flood of spoofed announcements carrying
 * 0x84/0x85 must not turn into a file write per datagram. A crash loses at
 * most the last minute. */
#define HEMS_ENERGY_SAVE_EVERY_S 60

struct hems_energy {
    const char *path;
    int32_t utc_offset;
    unsigned n;
    bool full_reported;
    bool dirty;        /* samples not in the file yet */
    time_t saved_at;   /* when the file was last written */
    unsigned writes;   /* times the file was written (tests/hems_house_days.c) */
    struct hems_energy_dev dev[HEMS_ENERGY_DEVICES];
    uint8_t buf[HEMS_ENERGY_FILE_CAP];
};

/* Loads path. With move_damaged true (a log to add to), an absent file is
 * an empty log, and a damaged file is reported and moved aside (the log
 * starts empty); with false (a log to show), both are reported as errors.
 * Returns 0, or -1 when the file cannot be read or moved. */
int hems_energy_open(struct hems_energy *e, const char *path, int32_t utc_offset, bool move_damaged);

/* One value of 0x84 or 0x85 of the air conditioner key, read at now; the
 * file is saved when the last save is HEMS_ENERGY_SAVE_EVERY_S old. Returns
 * 0, or -1 on a failure (reported). */
int hems_energy_value(struct hems_energy *e, const char *key, uint8_t epc, const uint8_t *edt, uint8_t pdc,
                      time_t now);

/* A cumulative reading (Wh, wrapping at wrap_wh; 0: never) of the series
 * key of the given kind, made at `at`; the series is created with that kind
 * when new. Saved as for hems_energy_value. Returns 0, or -1 (reported). */
int hems_energy_reading(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t at, uint64_t wh,
                        uint64_t wrap_wh);

/* Energy (mWh) of the series key measured over [from, to). Returns 0, or -1
 * (reported; an interval the log already has is refused, not counted twice). */
int hems_energy_amount(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t from, time_t to,
                       uint64_t mwh);

/* The source of the series key said "no data" at `at`: the interval becomes a gap. */
int hems_energy_nodata(struct hems_energy *e, const char *key, echonet_energy_kind kind, time_t at);

/* The name of a series kind: "device", "whole-house", "generation", "sale",
 * "battery-charge", "battery-discharge". */
const char *hems_energy_kind_name(echonet_energy_kind kind);

/* The log of the series key, or NULL. */
const echonet_energy_log *hems_energy_find(const struct hems_energy *e, const char *key);

/* Writes the file now if samples are waiting. Returns 0, or -1 (reported). */
int hems_energy_flush(struct hems_energy *e);

/* The air conditioner key has neither 0x84 nor 0x85: recorded as not measured. */
int hems_energy_unmeasured(struct hems_energy *e, const char *key, time_t now);

/* `energy [NODE] [--half-hour | --days N] [--csv] [--svg FILE]` (words[0] is "energy").
 * Returns the exit status: 0, 1 (no file, damaged, cannot write the SVG),
 * 2 (bad arguments). */
int hems_energy_command(const char *path, int32_t utc_offset, char **words, int n, time_t now);

#endif /* EXAMPLES_HEMS_ENERGY_H */
