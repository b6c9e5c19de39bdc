/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The smart meter's fixed-time values and half-hour history (ctl_meter.h). */
#include "ctl_job.h"
#include "ctl_meter.h"
#include "ctl_profile.h"

#define MINUTE 60000u
#define HISTORY_DAYS 16u
/* history_day: the E5 write was answered, E2 is asked next (bit 7);
 * restored (bit 6, CTL_METER_RESTORED); the day (bits 0-5). */
#define DAY_WRITTEN 0x80u
#define DAY_MASK 0x3Fu
/* fixed_same: the reads are in step with the meter's boundaries (bit 7);
 * the last EA read failed (bit 6: refused, of a wrong size, no answer);
 * reads in a row that found no new half-hour (bits 0-5, up to 63). */
#define IN_STEP 0x80u
#define READ_FAILED 0x40u
#define SAME_MAX 0x3Fu

static const uint8_t fixed_epcs[] = {CTL_METER_FIXED, CTL_METER_FIXED_REVERSE};
static const uint8_t day_epc[] = {CTL_METER_DAY};
static const uint8_t history_epcs[] = {CTL_METER_HISTORY, CTL_METER_HISTORY_REVERSE};

/* Days from 1999-03-01 of a Gregorian date (months from March, so that
 * February's leap day ends the year); valid for years 2000 to 2099 and on.
 * The leap days are counted on the (March-based) year itself, then the
 * days before 1999-03-01 taken off: counting them on the years since 1999
 * would give February 29 and March 1 of a leap year the same number. */
#define DAYS_TO_1999 (365u * 1999u + 1999u / 4u - 1999u / 100u + 1999u / 400u)
static uint32_t day_number(unsigned y, unsigned m, unsigned d)
{
    if (m < 3) {
        y--;
        m += 12;
    }
    return 365u * y + y / 4u - y / 100u + y / 400u + (153u * (m - 3u) + 2u) / 5u + d - 1u - DAYS_TO_1999;
}

/* The half-hour an EA value names (day × 48 + half-hours) + 1, or 0 for a
 * time that is none (0xFF bytes of a meter without a value yet, a month 13). */
static uint32_t slot_of(const uint8_t *edt)
{
    unsigned y = (unsigned)edt[0] << 8 | edt[1], mo = edt[2], d = edt[3], h = edt[4], mi = edt[5];

    if (y < 2000u || y > 2099u || mo < 1u || mo > 12u || d < 1u || d > 31u || h > 23u || mi > 59u)
        return 0;
    return day_number(y, mo, d) * 48u + h * 2u + (mi >= 30u) + 1u;
}

void ctl_meter_fixed(const echonet_ctl *ctl, echonet_ctl_object *o, const uint8_t *edt, uint32_t now)
{
    uint32_t slot = slot_of(edt), last = o->fixed_slot, s;
    bool restored = (o->history_day & CTL_METER_RESTORED) != 0 && slot != 0;

    (void)ctl;
    o->fixed_same &= (uint8_t)~READ_FAILED;
    if (restored)
        o->history_day = 0;
    if (slot == 0 || slot == last) {
        if ((o->fixed_same & SAME_MAX) < SAME_MAX)
            o->fixed_same++;
        if (restored)
            o->history |= 0x3u; /* (today and yesterday, below) */
        return;
    }
    /* A new day on the meter's calendar: the days still to ask are one
     * (or more) further back. */
    if (last != 0 && slot > last && (slot - 1u) / 48u > (last - 1u) / 48u)
        o->history = (slot - 1u) / 48u - (last - 1u) / 48u >= HISTORY_DAYS
                         ? 0u
                         : (uint16_t)(o->history << ((slot - 1u) / 48u - (last - 1u) / 48u));
    if (last == 0 || slot < last || restored) {
        /* The first since the controller started (or the meter's clock went
         * back): today's half-hours, and yesterday's (a restart across
         * midnight missed its last ones; and after a restore, the
         * application's record may be behind the snapshot). */
        o->history |= 0x3u;
    }
    if (last != 0 && slot > last) {
        /* Half-hours missed between the two (a restore's too): the days
         * they fall on. */
        for (s = last + 1u; s < slot; s++) {
            uint32_t back = (slot - 1u) / 48u - (s - 1u) / 48u;

            if (back < HISTORY_DAYS)
                o->history |= (uint16_t)(1u << back);
            if (slot - s > HISTORY_DAYS * 48u)
                s = slot - HISTORY_DAYS * 48u; /* (older days are not kept by the loop) */
        }
    }
    /* A new half-hour found after a read that found none: in step. */
    if (o->fixed_same & SAME_MAX)
        o->fixed_same = IN_STEP;
    else
        o->fixed_same &= IN_STEP;
    o->fixed_slot = slot;
    o->next_fixed = now + ((o->fixed_same & IN_STEP) ? 30u : 20u) * MINUTE;
}

bool ctl_meter_job(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    unsigned k;

    if (!ctl_profile_of(o->eoj)->meter)
        return false;
    /* The fixed-time values first when due: the history's days back count
     * from the latest EA's day, so the latest must be fresh (a meter
     * unreachable from 23:10 to 00:10 is in its next day; its history read
     * before its EA would be put a day back). */
    if (ctl_timer_due(o->next_fixed, now)) {
        if (echonet_propmap_contains(&o->get, CTL_METER_FIXED)) {
            /* Until the read answers (ctl_meter_fixed(), ctl_meter_done()). */
            o->next_fixed = now + MINUTE;
            return ctl_job_read(ctl, n, J_FIXED, oi, fixed_epcs, sizeof fixed_epcs, CTL_READ_ALL, false);
        }
        o->next_fixed = CLOCK_NEVER; /* nothing to read: a meter without EA */
    }
    /* Days back count from the day of the latest EA, the meter's today
     * once its 00:00 value is there: not while the latest is 23:30 (the
     * meter may be past midnight already; E5 = 0 would then be another day). */
    if (ctl_meter_history_due(o)) {
        /* The oldest day first: an application can then add each day to
         * its record as it comes, in time order, without keeping any. */
        for (k = HISTORY_DAYS - 1u; !(o->history & (1u << k)); k--)
            ;
        /* (Not read: E2 and E4 left the Get map read again since the
         * write; nothing to fill then, below, or the node would be work
         * that no job takes.) */
        if ((o->history_day & DAY_WRITTEN) && (o->history_day & DAY_MASK) == k &&
            ctl_job_read(ctl, n, J_HISTORY, oi, history_epcs, sizeof history_epcs, CTL_READ_ALL, false))
            return true;
        if (echonet_propmap_contains(&o->set, CTL_METER_DAY) && echonet_propmap_contains(&o->get, CTL_METER_HISTORY)) {
            o->history_day = (uint8_t)k;
            ctl_job_start(n, J_HISTORY_DAY, oi, day_epc, 1, 1u, JF_WRITE);
            return true;
        }
        o->history = 0; /* a meter without the history: nothing to fill */
        o->history_day = 0;
    }
    return false;
}

void ctl_meter_done(const echonet_ctl *ctl, echonet_ctl_object *o, ctl_job_kind kind, bool failed, uint32_t now)
{
    unsigned k = o->history_day & DAY_MASK;

    (void)ctl;
    if (kind == J_FIXED) {
        /* A read that found no new half-hour (ctl_meter_fixed() counted
         * it): again in a minute, in five after five of them. One that
         * failed: in a minute, in five after two in a row (a meter that
         * keeps refusing EA, or a route that loses it, is not asked every
         * minute for ever: on Wi-SUN each request costs airtime). */
        if (o->next_fixed <= now + MINUTE) {
            bool again = failed && (o->fixed_same & READ_FAILED);

            o->next_fixed = now + ((o->fixed_same & SAME_MAX) > 5u || again ? 5u : 1u) * MINUTE;
            if (failed)
                o->fixed_same |= READ_FAILED;
        }
        return;
    }
    if (kind == J_HISTORY_DAY && !failed) {
        o->history_day |= DAY_WRITTEN;
        return;
    }
    /* The day read (or its E5 refused, or not answered): done with it. */
    o->history &= (uint16_t)~(1u << k);
    o->history_day = 0;
}
