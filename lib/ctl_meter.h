/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the low-voltage smart electric energy meter's own reads (class
 * 0x0288, issue 15; reference WHOLE_HOUSE 3.2-3.4) (ctl_meter.c):
 *  - its fixed-time cumulative values EA (and EB when its Get map has it)
 *    shortly after each 30-minute boundary: read at once when the meter
 *    is ready, then 30 min after a read that found a new half-hour once in
 *    step (a read found none just before), 20 min after one that may not
 *    be (so that the next finds none and puts the reads in step), and every
 *    minute after one that found none (every 5 min after 5 such reads: a
 *    meter whose clock stopped);
 *  - its half-hour history: the days a gap between two EA half-hours falls
 *    on (a restart of the controller, an outage of the meter or of the
 *    route), and today and yesterday after the first EA (a restart across
 *    midnight), the oldest first, each by SetC E5 = days back then
 *    Get E2 (and E4), as PROPERTY events; days are counted on the meter's
 *    calendar (the EA dates), the 16 latest at most.
 * No wall clock is needed: the meter's EA timestamps are the only time it
 * reads. Its status (0x80, 0x88, E7) and constants (D3, D7, E1) are the
 * profile's status read (ctl_profile.c). Reached through the energy part
 * (ctl_energy.h): only with echonet_ctl_read_energy(). */
#ifndef ECHONET_LIB_CTL_METER_H
#define ECHONET_LIB_CTL_METER_H

#include "ctl_internal.h"

/* The meter properties (EPCs). */
enum { CTL_METER_HISTORY = 0xE2, CTL_METER_HISTORY_REVERSE = 0xE4, CTL_METER_DAY = 0xE5,
       CTL_METER_FIXED = 0xEA, CTL_METER_FIXED_REVERSE = 0xEB };

/* history_day: the last half-hour and the days to read came from a
 * snapshot (ctl_meter_restored()), no EA since. */
#define CTL_METER_RESTORED 0x40u

/* Whether a meter's history read may be made now (ctl_meter_job()): once
 * it is ready (its maps known; an EA it announced before may have set the
 * days to ask), and not before an EA since a restore nor without any EA
 * (days back count from the meter's today; a snapshot made up with days
 * and no half-hour would otherwise be work no job takes). */
static inline bool ctl_meter_history_due(const echonet_ctl_object *o)
{
    return o->history != 0 && o->fixed_slot != 0 && (o->work & OW_READY) && !(o->history_day & CTL_METER_RESTORED) &&
           (o->fixed_slot - 1u) % 48u != 47u;
}

/* A meter object was restored from a snapshot with its last half-hour
 * (fixed_slot) and the days still to read (history): the first EA then
 * adds the days it missed meanwhile, and today and yesterday as after any
 * start (the application's own record may be behind the snapshot). */
static inline void ctl_meter_restored(echonet_ctl_object *o)
{
    o->history_day = o->fixed_slot != 0 ? CTL_METER_RESTORED : 0u;
}

/* Sets the node's job for a meter's due read of object @p oi: its history
 * first (not while its latest EA is of 23:30: days back count from the
 * EA's day, which is the meter's today only once the 00:00 value is
 * there; an application maps E2's day k to that day minus k), then its
 * fixed-time values. False when none is due (or @p oi is not a meter). */
bool ctl_meter_job(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now);

/* A value of EA (11 bytes) of meter object @p o came (read or announced). */
void ctl_meter_fixed(const echonet_ctl *ctl, echonet_ctl_object *o, const uint8_t *edt, uint32_t now);

/* A meter job of kind @p kind ended; @p failed: a property was refused or
 * timed out. */
void ctl_meter_done(const echonet_ctl *ctl, echonet_ctl_object *o, ctl_job_kind kind, bool failed, uint32_t now);

/* The value of the E5 write in flight (the day back). */
static inline const uint8_t *ctl_meter_day(const echonet_ctl_object *o)
{
    return &o->history_day;
}

#endif
