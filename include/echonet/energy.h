/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file energy.h
 * @brief Energy log: readings, 0x84/0x85 samples and interval amounts turned
 *        into half-hourly, hourly and daily buckets.
 *
 * @defgroup energy Energy log
 * @brief One series of energy (a device's use, the whole house, generation,
 *        sale, battery charge or discharge), kept in half-hour, hour and day buckets.
 *
 * An @ref echonet_energy_log holds one series' history in caller-provided
 * storage (the struct itself, sized by @ref ECHONET_ENERGY_HALF_HOURS,
 * @ref ECHONET_ENERGY_HOURS and @ref ECHONET_ENERGY_DAYS): three rings of
 * buckets, each bucket keyed by its absolute half-hour, hour or day number,
 * so a bucket of an earlier lap of a ring is never mistaken for a recent
 * one. A house has several logs, one per series; each knows its
 * @ref echonet_energy_kind so that a display can tell them apart.
 *
 * Time is wall-clock time the caller passes in: Unix seconds (UTC) with each
 * sample, and a fixed UTC offset given at init (+32400 for JST). Half-hours,
 * hours and days are local: half-hour number = floor((unix + offset) / 1800),
 * hour number = floor(half-hour / 2), day number = floor(half-hour / 48).
 * The half-hour is the smart meter's own period (0x0288 EA/EB values are
 * fixed at :00 and :30).
 *
 * Three kinds of input:
 * - a cumulative reading (@ref echonet_energy_add_reading(): Wh at a time,
 *   with the value at which the counter returns to 0, e.g. from a meter's
 *   effective digits), or a device's sample (@ref echonet_energy_add(): 0x85
 *   and/or 0x84);
 * - an interval amount (@ref echonet_energy_add_amount(): mWh over a time
 *   range, in time order, never twice for the same time);
 * - a "no data" report (@ref echonet_energy_add_nodata(): the interval it
 *   falls in becomes a gap, never a number).
 * A log takes readings or amounts, not both.
 *
 * Samples carry measured cumulative energy (EPC 0x85, 1 Wh units, 0 to
 * 999,999,999, wrapping to 0) and/or measured instantaneous power (EPC 0x84,
 * W, 0 to 65533). The energy between two samples is attributed to the
 * buckets the interval covers:
 * - counter deltas are exact; across the wrap (999,999,999 → 0 for 0x85,
 *   the reading's @c wrap_wh otherwise) the wrap is followed (flag
 *   @ref ECHONET_ENERGY_WRAP);
 * - a counter that goes back (and no wrap explains it), or jumps by more
 *   than the log's highest power (@ref ECHONET_ENERGY_MAX_W for a device)
 *   could explain, is a restart or replacement: a new segment starts
 *   at that sample and the interval counts nothing
 *   (@ref ECHONET_ENERGY_RESTART), never a negative or huge amount;
 * - a unit without 0x85 has its 0x84 samples integrated (trapezoids,
 *   @ref ECHONET_ENERGY_FROM_POWER); once a unit has given a counter, power
 *   readings add nothing (no double counting);
 * - an interval within one half-hour goes to that half-hour (and its hour
 *   and day); one crossing a half-hour boundary is split in proportion to
 *   time; an interval longer than
 *   @ref ECHONET_ENERGY_ESTIMATE_S (missed samples) is split the same way and
 *   its buckets flagged @ref ECHONET_ENERGY_ESTIMATED; one longer than
 *   @ref ECHONET_ENERGY_SPLIT_HOURS hours is not spread at all: its energy is
 *   counted as unattributed and the buckets at both ends are flagged
 *   @ref ECHONET_ENERGY_GAP (so the cost of a sample is bounded by a constant);
 * - time going backwards is a clock step: the interval counts nothing, a new
 *   segment starts, the bucket is flagged @ref ECHONET_ENERGY_CLOCK. A jump
 *   forward is a gap as above;
 * - an interval in which a "no data" report fell is a gap as above.
 *
 * A bucket nothing was recorded in is absent (a gap), never a zero; so is a
 * bucket at a gap's end that no energy was attributed to.
 * After @ref echonet_energy_load the next reading continues from the saved
 * last reading: nothing is counted twice across a restart.
 *
 * A unit with neither property is "not measured" (a sample with neither
 * value says so); the log then holds no numbers for it, never invented ones.
 * @{
 */
#ifndef ECHONET_ENERGY_H
#define ECHONET_ENERGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/config.h"
#include "echonet/error.h"

ECHONET_BEGIN_DECLS

/** @brief Largest valid value of 0x85 (measured cumulative energy, 0.001 kWh). */
#define ECHONET_ENERGY_COUNTER_MAX 999999999u
/** @brief Largest valid value of 0x84 (measured instantaneous power, W). */
#define ECHONET_ENERGY_POWER_MAX 65533u
/** @brief Highest average power a counter delta may imply (W) before it is
 *  taken for a restart or replacement rather than consumption. */
#define ECHONET_ENERGY_MAX_W 65533u

/** @brief Highest @c max_w a series may be given (W): 10 MW, so that every
 *  product of energy and time in the log fits 64 bits. */
#define ECHONET_ENERGY_SERIES_MAX_W 10000000u

/** @name Bucket flags
 *  @{ */
/** Part of the energy was split over buckets from an interval longer than
 *  @ref ECHONET_ENERGY_ESTIMATE_S (missed samples). */
#define ECHONET_ENERGY_ESTIMATED 0x0001u
/** An interval ending or starting here was too long to spread: its energy
 *  is in no bucket (see @c unattributed_mwh of @ref echonet_energy_stats). */
#define ECHONET_ENERGY_GAP 0x0002u
/** The counter went back (device restart or replacement): a new segment began here. */
#define ECHONET_ENERGY_RESTART 0x0004u
/** The counter wrapped from 999,999,999 to 0 in this bucket. */
#define ECHONET_ENERGY_WRAP 0x0008u
/** The clock went backwards here: a new segment began. */
#define ECHONET_ENERGY_CLOCK 0x0010u
/** Energy integrated from 0x84 power readings, not read from a counter. */
#define ECHONET_ENERGY_FROM_POWER 0x0020u
/** Every flag. */
#define ECHONET_ENERGY_FLAGS_ALL 0x003Fu
/** @} */

/** @brief Where a log's numbers come from. */
typedef enum echonet_energy_source {
    /** No sample with a value yet. */
    ECHONET_ENERGY_SOURCE_NONE = 0,
    /** The unit has neither 0x84 nor 0x85: nothing is measured. */
    ECHONET_ENERGY_SOURCE_UNMEASURED = 1,
    /** Cumulative energy 0x85. */
    ECHONET_ENERGY_SOURCE_COUNTER = 2,
    /** Instantaneous power 0x84, integrated over time. */
    ECHONET_ENERGY_SOURCE_POWER = 3,
    /** Interval amounts (@ref echonet_energy_add_amount). */
    ECHONET_ENERGY_SOURCE_AMOUNT = 4
} echonet_energy_source;

/** @brief What a series measures (kept with the log, for display). */
typedef enum echonet_energy_kind {
    /** One device's use (0x84/0x85 of its object). */
    ECHONET_ENERGY_KIND_DEVICE = 0,
    /** The whole house's use (a smart meter's normal direction 0xE0/0xEA,
     *  or a distribution board's whole-house figure). */
    ECHONET_ENERGY_KIND_WHOLE_HOUSE = 1,
    /** Generation (solar 0x0279, fuel cell 0x027C). */
    ECHONET_ENERGY_KIND_GENERATION = 2,
    /** Sale: reverse flow to the grid (a meter's 0xE3/0xEB). */
    ECHONET_ENERGY_KIND_SALE = 3,
    /** Storage battery charge. */
    ECHONET_ENERGY_KIND_BATTERY_CHARGE = 4,
    /** Storage battery discharge. */
    ECHONET_ENERGY_KIND_BATTERY_DISCHARGE = 5
} echonet_energy_kind;

/** @brief The highest @ref echonet_energy_kind. */
#define ECHONET_ENERGY_KIND_MAX 5u

/** @brief Bucket size of a query. */
typedef enum echonet_energy_res {
    /** Hourly buckets. */
    ECHONET_ENERGY_HOURLY = 0,
    /** Daily buckets (local days). */
    ECHONET_ENERGY_DAILY = 1,
    /** Half-hourly buckets (local :00 and :30). */
    ECHONET_ENERGY_HALF_HOURLY = 2
} echonet_energy_res;

/** @brief One bucket as stored. Private: read through the query functions. */
typedef struct echonet_energy_bucket {
    uint32_t key;     /**< @private half-hour, hour or day number; UINT32_MAX when empty */
    uint32_t mwh;     /**< @private energy, milliwatt-hours */
    uint16_t flags;   /**< @private ECHONET_ENERGY_* flags */
    uint16_t samples; /**< @private samples taken in it (saturating) */
} echonet_energy_bucket;

/** @brief One device's energy log. All fields are private. */
typedef struct echonet_energy_log {
    echonet_energy_bucket halves[ECHONET_ENERGY_HALF_HOURS]; /**< @private half-hourly ring */
    echonet_energy_bucket hours[ECHONET_ENERGY_HOURS];       /**< @private hourly ring */
    echonet_energy_bucket days[ECHONET_ENERGY_DAYS];         /**< @private daily ring */
    int64_t last_t;            /**< @private local seconds of the reference sample */
    int64_t amount_end;        /**< @private local end of the latest amount */
    uint64_t total_mwh;        /**< @private energy put into buckets */
    uint64_t unattributed_mwh; /**< @private energy of intervals too long to spread */
    uint64_t last_counter;     /**< @private counter of the reference sample, Wh */
    uint32_t max_w;            /**< @private highest plausible power, W */
    uint32_t restarts;         /**< @private counter went back */
    uint32_t wraps;            /**< @private counter wrapped */
    uint32_t clock_steps;      /**< @private time went back */
    uint32_t gaps;             /**< @private intervals not spread */
    int32_t utc_offset;        /**< @private seconds east of UTC */
    uint16_t last_power;       /**< @private 0x84 of the latest sample */
    uint8_t source;            /**< @private echonet_energy_source */
    uint8_t have_ref;          /**< @private a reference sample exists */
    uint8_t power_frac;        /**< @private remainder of power integration, 1/36 mWh */
    uint8_t kind;              /**< @private echonet_energy_kind */
    uint8_t nodata;            /**< @private a no-data report since the reference */
    uint8_t have_amount;       /**< @private an amount was added (amount_end valid) */
} echonet_energy_log;

/** @brief One sample of a device's measurements. */
typedef struct echonet_energy_sample {
    int64_t unix_s;     /**< wall-clock time, Unix seconds (UTC) */
    bool has_counter;   /**< @c counter_wh holds a 0x85 reading */
    bool has_power;     /**< @c power_w holds a 0x84 reading */
    uint32_t counter_wh; /**< 0x85: cumulative energy, 0.001 kWh (= 1 Wh) units */
    uint16_t power_w;   /**< 0x84: instantaneous power, W */
} echonet_energy_sample;

/** @brief One half-hour, hour or day as a query reports it. */
typedef struct echonet_energy_period {
    uint32_t index;   /**< half-hour, hour or day number (local) */
    int64_t start;    /**< its first second, Unix seconds (UTC) */
    bool present;     /**< false: nothing recorded for it, or no longer kept */
    uint32_t mwh;     /**< energy, milliwatt-hours (0 when not present) */
    uint16_t flags;   /**< ECHONET_ENERGY_* flags */
    uint16_t samples; /**< samples taken in it (saturates at 65535) */
} echonet_energy_period;

/** @brief A log's state and counters. */
typedef struct echonet_energy_stats {
    echonet_energy_source source; /**< where the numbers come from */
    echonet_energy_kind kind;     /**< what the series measures */
    uint32_t max_w;               /**< highest plausible power, W */
    int32_t utc_offset;           /**< seconds east of UTC, as given at init */
    uint64_t total_mwh;           /**< energy put into buckets (including evicted ones) */
    uint64_t unattributed_mwh;    /**< energy of intervals too long to spread */
    uint32_t restarts;            /**< counter restarts or replacements seen */
    uint32_t wraps;               /**< counter wraps seen */
    uint32_t clock_steps;         /**< times the clock went backwards */
    uint32_t gaps;                /**< intervals too long to spread */
    bool have_last;               /**< a sample has been taken (the next fields are valid) */
    int64_t last_unix;            /**< time of the reference sample, Unix seconds */
    uint64_t last_counter;        /**< its counter reading, Wh (counter source) */
    uint16_t last_power;          /**< the latest 0x84 reading */
    bool nodata_pending;          /**< a no-data report fell after the reference */
    bool have_amount;             /**< an amount was added (@c amount_end valid) */
    int64_t amount_end;           /**< end of the latest amount, Unix seconds */
} echonet_energy_stats;

/** @brief Walks the periods between two times, present or not. Private fields. */
typedef struct echonet_energy_iter {
    const echonet_energy_log *log; /**< @private */
    uint32_t next;                 /**< @private next index */
    uint32_t last;                 /**< @private last index */
    uint8_t res;                   /**< @private echonet_energy_res */
    uint8_t done;                  /**< @private */
} echonet_energy_iter;

/**
 * @brief Empties a log and sets its UTC offset; the series is a device's
 *        (@ref ECHONET_ENERGY_KIND_DEVICE, highest power @ref ECHONET_ENERGY_MAX_W).
 * @param log the log.
 * @param utc_offset seconds east of UTC of the local time that days follow
 *        (32400 for JST), -86400 to +86400 exclusive.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG @p log is NULL or the offset out of range.
 */
ECHONET_API echonet_err echonet_energy_init(echonet_energy_log *log, int32_t utc_offset);

/**
 * @brief Empties a log for one series of a given kind.
 * @param log the log.
 * @param kind what the series measures.
 * @param utc_offset as for @ref echonet_energy_init.
 * @param max_w the highest power the series can have, W, at most
 *        @ref ECHONET_ENERGY_SERIES_MAX_W; a counter step or an amount that
 *        would need more is refused as implausible (a restart). 0:
 *        @ref ECHONET_ENERGY_MAX_W for a device, 100 000 W for the other kinds.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG @p log is NULL, the offset out of range,
 *         @p kind unknown or @p max_w too high.
 */
ECHONET_API echonet_err echonet_energy_init_series(echonet_energy_log *log, echonet_energy_kind kind,
                                                   int32_t utc_offset, uint32_t max_w);

/**
 * @brief Adds one sample; constant cost.
 *
 * A sample with neither value marks the unit "not measured" (its source
 * becomes @ref ECHONET_ENERGY_SOURCE_UNMEASURED when it has no other data;
 * nothing else changes). An invalid sample changes nothing.
 * @param log the log.
 * @param s the sample.
 * @retval ECHONET_OK taken (flags in the buckets tell how).
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, or a time before the local
 *         epoch or past half-hour number 2^32 - 2.
 * @retval ECHONET_ERR_ENERGY_VALUE 0x85 above 999,999,999 or 0x84 above
 *         65533 (overflow and underflow codes).
 * @retval ECHONET_ERR_ENERGY_CONFLICT the log takes interval amounts.
 */
ECHONET_API echonet_err echonet_energy_add(echonet_energy_log *log, const echonet_energy_sample *s);

/**
 * @brief Adds a cumulative reading (a meter's or a counter's); constant cost.
 *
 * The energy since the previous reading is the difference, followed across
 * the wrap at @p wrap_wh; a reading below the previous one that no wrap
 * explains, or a step the log's highest power could not make in the time,
 * starts a new segment and counts nothing (@ref ECHONET_ENERGY_RESTART). The
 * first reading, and the first after a restart, only sets the reference.
 * For a smart meter 0x0288: Wh = value × coefficient (0xD3, 1 without it)
 * × unit (0xE1) × 1000, and @p wrap_wh = 10^digits (0xD7) × coefficient ×
 * unit × 1000; the no-data code 0xFFFFFFFE is not a reading (see
 * @ref echonet_energy_add_nodata). Readings must come in time order (a
 * backfill of missed half-hours before the current value).
 * @param log the log.
 * @param unix_s time of the reading, Unix seconds.
 * @param wh the reading, Wh; below @p wrap_wh and below 2^53.
 * @param wrap_wh the value at which the counter returns to 0, at most
 *        2^53; 0: it never does (any step back is a restart).
 * @retval ECHONET_OK taken.
 * @retval ECHONET_ERR_INVALID_ARG @p log NULL, or a time outside the range
 *         @ref echonet_energy_add accepts.
 * @retval ECHONET_ERR_ENERGY_VALUE @p wh not below a non-zero @p wrap_wh,
 *         or either above its limit.
 * @retval ECHONET_ERR_ENERGY_CONFLICT the log takes interval amounts.
 */
ECHONET_API echonet_err echonet_energy_add_reading(echonet_energy_log *log, int64_t unix_s, uint64_t wh,
                                                   uint64_t wrap_wh);

/**
 * @brief Converts a smart meter's cumulative energy (0x0288 0xE0, 0xE3, and
 *        the value of 0xEA/0xEB or of a 0xE2/0xE4 history slot) to a
 *        reading for @ref echonet_energy_add_reading.
 *
 * Wh = @p raw × @p coefficient × unit × 1000 (rounded down when the unit is
 * below 1 Wh; differences of readings stay exact over time), and
 * @p wrap_wh = 10^@p digits × @p coefficient × unit × 1000, where the
 * count returns to 0.
 * @param raw the property's value.
 * @param coefficient 0xD3 (1 to 999 999; 1 when the meter has none).
 * @param unit 0xE1: 0x00 1 kWh, 0x01 0.1, 0x02 0.01, 0x03 0.001, 0x04
 *        0.0001, 0x0A 10, 0x0B 100, 0x0C 1000, 0x0D 10 000 kWh.
 * @param digits 0xD7, effective digits of the count (1 to 8).
 * @param wh out: the reading, Wh.
 * @param wrap_wh out: where it wraps, Wh.
 * @retval ECHONET_OK converted.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, or @p coefficient, @p unit
 *         or @p digits outside the values above.
 * @retval ECHONET_ERR_ENERGY_VALUE not a reading: the no-data code
 *         0xFFFFFFFE or any count of @p digits + 1 digits or more (report
 *         the time with @ref echonet_energy_add_nodata), or a scale whose
 *         wrap is beyond 2^53 Wh.
 */
ECHONET_API echonet_err echonet_energy_meter_wh(uint32_t raw, uint32_t coefficient, uint8_t unit, uint8_t digits,
                                                uint64_t *wh, uint64_t *wrap_wh);

/**
 * @brief The source said "no data" at a time (e.g. a meter's 0xFFFFFFFE).
 *
 * The interval from the latest reading to the next one becomes a gap: its
 * energy is not spread (counted in @c unattributed_mwh when a counter tells
 * it), the buckets at both ends are flagged @ref ECHONET_ENERGY_GAP and the
 * ones between stay absent. Without a reference, or before it, nothing
 * changes. For a log of amounts, leaving the interval out is enough.
 * @param log the log.
 * @param unix_s the time, Unix seconds.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG as for @ref echonet_energy_add_reading.
 */
ECHONET_API echonet_err echonet_energy_add_nodata(echonet_energy_log *log, int64_t unix_s);

/**
 * @brief Adds the energy measured over [from, to), spread over the
 *        half-hours it covers in proportion to time.
 *
 * Amounts come in time order and never cover a time twice (so a backfill
 * repeated after a restart is refused, not counted again); intervals longer
 * than @ref ECHONET_ENERGY_ESTIMATE_S flag their buckets
 * @ref ECHONET_ENERGY_ESTIMATED.
 * @param log the log.
 * @param from start, Unix seconds.
 * @param to end (exclusive), after @p from, at most
 *        @ref ECHONET_ENERGY_SPLIT_HOURS hours later.
 * @param mwh energy, milliwatt-hours.
 * @retval ECHONET_OK added.
 * @retval ECHONET_ERR_INVALID_ARG @p log NULL, a time out of range, or a
 *         bad interval.
 * @retval ECHONET_ERR_ENERGY_VALUE more than the log's highest power can
 *         give in the interval.
 * @retval ECHONET_ERR_ENERGY_CONFLICT the interval starts before the end of
 *         an amount already added, or the log takes readings.
 */
ECHONET_API echonet_err echonet_energy_add_amount(echonet_energy_log *log, int64_t from, int64_t to, uint64_t mwh);

/**
 * @brief The half-hour, hour or day number (local) of a time.
 * @param log the log (for its UTC offset).
 * @param res half-hours, hours or days.
 * @param unix_s Unix seconds.
 * @param index out: the number.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, an unknown @p res, or a
 *         time outside the range @ref echonet_energy_add accepts.
 */
ECHONET_API echonet_err echonet_energy_index(const echonet_energy_log *log, echonet_energy_res res, int64_t unix_s,
                                             uint32_t *index);

/**
 * @brief One half-hour, hour or day.
 * @param log the log.
 * @param res half-hours, hours or days.
 * @param index its number.
 * @param out the period (present false when not kept).
 * @retval ECHONET_OK the period is kept (present).
 * @retval ECHONET_ERR_NOT_FOUND nothing kept for it; @p out still filled.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer or an unknown @p res.
 */
ECHONET_API echonet_err echonet_energy_get(const echonet_energy_log *log, echonet_energy_res res, uint32_t index,
                                           echonet_energy_period *out);

/**
 * @brief Starts a walk over every half-hour, hour or day that overlaps [from, to).
 * @param it the iterator.
 * @param log the log; must not change during the walk.
 * @param res half-hours, hours or days.
 * @param from first time, Unix seconds.
 * @param to end time (exclusive), Unix seconds; an empty range walks nothing.
 * @retval ECHONET_OK ready.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, unknown @p res, or a time
 *         outside the range @ref echonet_energy_add accepts.
 */
ECHONET_API echonet_err echonet_energy_iter_init(echonet_energy_iter *it, const echonet_energy_log *log,
                                                 echonet_energy_res res, int64_t from, int64_t to);

/**
 * @brief The next period of a walk.
 * @param it the iterator.
 * @param out the period (see @ref echonet_energy_get).
 * @return true when @p out was filled, false at the end.
 */
ECHONET_API bool echonet_energy_iter_next(echonet_energy_iter *it, echonet_energy_period *out);

/**
 * @brief Sum of the periods that overlap [from, to).
 * @param log the log.
 * @param res half-hours, hours or days.
 * @param from first time, Unix seconds.
 * @param to end time (exclusive).
 * @param mwh out: energy of the present periods, milliwatt-hours.
 * @param flags out (may be NULL): the flags of those periods, or'ed.
 * @param missing out (may be NULL): periods in the range not present.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG as for @ref echonet_energy_iter_init.
 */
ECHONET_API echonet_err echonet_energy_total(const echonet_energy_log *log, echonet_energy_res res, int64_t from,
                                             int64_t to, uint64_t *mwh, unsigned *flags, uint32_t *missing);

/**
 * @brief The log's source, totals and event counters.
 * @param log the log.
 * @param out the stats.
 * @retval ECHONET_OK done.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_energy_stats_get(const echonet_energy_log *log, echonet_energy_stats *out);

/**
 * @brief Serializes a log (version 2, big-endian, CRC-32 at the end).
 *
 * Only kept buckets are written. On @ref ECHONET_ERR_NOBUF, @p len is the
 * size needed; pass @p buf NULL and @p cap 0 to ask for it.
 * @param log the log.
 * @param buf output buffer (may be NULL when @p cap is 0).
 * @param cap its size.
 * @param len out: bytes written, or needed.
 * @retval ECHONET_OK written.
 * @retval ECHONET_ERR_NOBUF @p cap too small; @p len says how much is needed.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_energy_save(const echonet_energy_log *log, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Restores a log from the bytes @ref echonet_energy_save wrote.
 *
 * The bytes are checked whole before anything is written: on an error the
 * log is unchanged. Version 1 (hours and days of a device, before
 * half-hours and kinds) is read too. Buckets that do not fit this build's rings (saved by a
 * build with larger capacities) are dropped, oldest first.
 * @param log the log.
 * @param buf the bytes.
 * @param len their count (exactly one saved log).
 * @retval ECHONET_OK restored.
 * @retval ECHONET_ERR_ENERGY_FORMAT truncated, corrupted (CRC), inconsistent,
 *         or not an energy log.
 * @retval ECHONET_ERR_ENERGY_VERSION an energy log of an unknown version.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_energy_load(echonet_energy_log *log, const uint8_t *buf, size_t len);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_ENERGY_H */
