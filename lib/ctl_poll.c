/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Polling of ready objects (AIF 5.4). */
#include "ctl_discovery.h"
#include "ctl_energy.h"
#include "ctl_job.h"
#include "ctl_poll.h"
#include "ctl_profile.h"
#include "ctl_state.h"

void ctl_object_timers(const echonet_ctl *ctl, echonet_ctl_object *o, uint32_t now)
{
    o->next_poll = ctl->cfg.poll_interval_ms ? now + ctl->cfg.poll_interval_ms : CLOCK_NEVER;
    o->next_reread = ctl->cfg.reread_interval_ms ? now + ctl->cfg.reread_interval_ms : CLOCK_NEVER;
    o->next_keepalive = now;
    ctl_energy_timers(ctl, o, now);
}


bool ctl_poll_job(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    const ctl_profile *profile = ctl_profile_of(o->eoj);

    if (ctl_timer_due(o->next_poll, now)) {
        o->next_poll = now + ctl->cfg.poll_interval_ms;
        if (ctl_job_read(ctl, n, J_POLL, oi, profile->status, profile->n_poll, CTL_READ_UNANNOUNCED, true))
            return true;
    }
    if (ctl_timer_due(o->next_reread, now)) {
        o->next_reread = now + ctl->cfg.reread_interval_ms;
        /* Properties skipped for timing out alone are tried again from
         * now on: a bad spell of the network must not make a property
         * skipped for good (the cache would never catch up, AIF 5.4). */
        o->skip[0] = o->skip[1] = 0;
        if (echonet_propmap_count(&o->get) == 0) {
            /* The attributes never came: ask again. */
            ctl_discovery_ask_attributes(n, oi);
            return true;
        }
        if (ctl_job_read(ctl, n, J_REREAD, oi, profile->status, profile->n_status, CTL_READ_ANNOUNCED, true))
            return true;
    }
    /* A meter's own reads, then the energy reads (each a call of its
     * own: one deep chain would be the deepest stack of echonet_ctl_read()). */
    return ctl->energy && (ctl->energy->meter_job(ctl, n, oi, now) || ctl->energy->job(ctl, n, oi, now));
}

void ctl_poll_done(const echonet_ctl *ctl, echonet_ctl_object *o, ctl_job_kind kind)
{
    if (kind == J_POLL && !ctl->cfg.poll_interval_ms)
        o->next_poll = CLOCK_NEVER;
    else if (kind == J_REREAD && !ctl->cfg.reread_interval_ms)
        o->next_reread = CLOCK_NEVER;
}

void ctl_poll_redo(echonet_ctl_object *o, ctl_job_kind kind, uint32_t now)
{
    if (kind == J_POLL)
        o->next_poll = now;
    else if (kind == J_REREAD)
        o->next_reread = now;
    else if (kind == J_ENERGY)
        o->next_energy = now;
    else if (kind == J_FIXED)
        o->next_fixed = now;
}

void ctl_poll_skip(echonet_ctl_object *o, const echonet_ctl_job *job)
{
    unsigned k;

    if (ctl_popcount16(job->inflight) != 1)
        return;
    for (k = 0; k < job->n; k++)
        if (job->inflight & ctl_bit(k)) {
            o->skip[1] = o->skip[0];
            o->skip[0] = job->epc[k];
        }
}

void ctl_energy_timers(const echonet_ctl *ctl, echonet_ctl_object *o, uint32_t now)
{
    o->next_energy = ctl->energy ? now : CLOCK_NEVER;
    /* A meter's fixed-time values at once, with the energy reads (ctl_meter.c). */
    o->next_fixed = ctl->energy && ctl_profile_of(o->eoj)->meter ? now : CLOCK_NEVER;
}
