/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Remote-operation keepalives (AIF 3.5): SetC 0x93 = 0x62 per object within its interval, before the node's next request. */
#include <string.h>

#include "echonet/aircon.h"
#include "ctl_event.h"
#include "ctl_job.h"
#include "ctl_keepalive.h"
#include "ctl_nodes.h"
#include "ctl_profile.h"
#include "ctl_sched.h"
#include "noinline.h"
#include "writer_internal.h"

bool ctl_keepalive_wanted(const echonet_ctl *ctl, const echonet_ctl_object *o)
{
    return ctl->cfg.remote && ctl->line_up && (o->work & OW_READY) &&
           echonet_propmap_contains(&o->set, ECHONET_EPC_REMOTE_CONTROL) && ctl_profile_of(o->eoj)->aif;
}

static uint32_t keepalive_lead(const echonet_ctl *ctl, unsigned objects)
{
    uint32_t interval = ctl->cfg.keepalive_interval_ms, half = interval / 2u, timeout = ctl->cfg.response_timeout_ms;

    /* Early by a margin of (objects + 1) response timers: waiting for the
     * request in flight, for the node's other objects' keepalives due at
     * the same time, and for its own answer. An interval too short for
     * that (set below what the node's objects allow: margin >= interval -
     * half) spaces each object's keepalives by half of it at least, not by
     * a second (issue 13): the 3.5 promise cannot be kept then anyway. The
     * test is margin <= interval - half - 1 by a division, so that the
     * margin is only multiplied out when it is below the interval: no
     * 64-bit product (interval - half is at least 500). */
    return objects + 1u <= (interval - half - 1u) / timeout ? interval - (objects + 1u) * timeout : half;
}

uint16_t ctl_keepalive_next(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    uint16_t oi, next = NONE;

    for (oi = n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next) {
        const echonet_ctl_object *o = ctl_obj(ctl, oi);

        if (ctl_keepalive_wanted(ctl, o) && (next == NONE || o->next_keepalive < ctl_obj(ctl, next)->next_keepalive))
            next = oi;
    }
    return next;
}

uint16_t ctl_keepalive_due(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now)
{
    uint16_t oi = ctl_keepalive_next(ctl, n);

    return oi != NONE && ctl_timer_due(ctl_obj(ctl, oi)->next_keepalive, now) ? oi : NONE;
}

static uint16_t keepalive_in_flight(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    uint16_t oi;

    for (oi = n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next) {
        const echonet_ctl_object *o = ctl_obj(ctl, oi);

        if ((o->work & OW_READY) && o->next_keepalive == CLOCK_NEVER)
            return oi;
    }
    return NONE;
}

int32_t ctl_keepalive_send(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t *buf, size_t cap, uint32_t now)
{
    static const uint8_t line_ok = ECHONET_REMOTE_LINE_OK_PUBLIC;
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_writer w;

    n->esv = ECHONET_ESV_SETC;
    n->tid = ctl_request_begin(ctl, &w, buf, cap, ctl_obj(ctl, oi)->eoj, n->esv);
    writer_prop_put(&w, ECHONET_EPC_REMOTE_CONTROL, 1, &line_ok);
    ctl_obj(ctl, oi)->next_keepalive = CLOCK_NEVER;
    n->work |= NW_KEEPALIVE;
    n->busy = true;
    n->deadline = now + ctl->cfg.response_timeout_ms;
    ctl_heap_update(ctl, ni);
    return (int32_t)w.len;
}

/* Not inlined: called from two places, one of them echonet_ctl_read(). */
static ECHONET_NOINLINE void keepalive_done(echonet_ctl *ctl, uint16_t ni, uint16_t oi, bool ok, uint32_t now)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    echonet_ctl_event ev;

    /* The next one goes out early enough that, even after waiting for a
     * request in flight and for its own answer, it succeeds within the
     * interval of this one; a failed one is tried again long before the
     * unit's 20 hours (AIF 3.5 ③). */
    o->next_keepalive =
        now + (ok ? keepalive_lead(ctl, ctl_object_count(ctl, ni)) : ctl->cfg.keepalive_retry_ms);
    ctl_event_init(&ev, ECHONET_CTL_EV_KEEPALIVE, ni, o->eoj);
    ev.ok = ok;
    ctl_emit(ctl, &ev);
}

void ctl_keepalive_answer(echonet_ctl *ctl, uint16_t ni, const echonet_frame *f, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t oi = keepalive_in_flight(ctl, n);

    /* (NONE: its object was dropped meanwhile, ctl_objects_unlisted().) */
    if (oi != NONE && oi != ctl_object_find(ctl, ni, f->seoj))
        return;
    n->busy = false;
    n->timeouts = 0;
    n->work &= (uint8_t)~NW_KEEPALIVE;
    if (oi != NONE)
        keepalive_done(ctl, ni, oi, f->esv == ECHONET_ESV_SET_RES, now);
    ctl_schedule(ctl, ni);
}

bool ctl_keepalive_timeout(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t oi = keepalive_in_flight(ctl, n);

    n->work &= (uint8_t)~NW_KEEPALIVE;
    if (oi != NONE)
        keepalive_done(ctl, ni, oi, false, now);
    if (n->state == N_OFFLINE) {
        n->deadline = now + ctl->cfg.keepalive_retry_ms;
        return false;
    }
    return oi != NONE && ++n->timeouts >= ctl->cfg.offline_after; /* (NONE: its object dropped) */
}

void echonet_ctl_set_line(echonet_ctl *ctl, bool up, echonet_tstamp now)
{
    uint16_t i;

    if (!ctl)
        return;
    (void)ctl_clock(ctl, now);
    if (up && !ctl->line_up) {
        /* The line is back: keepalives resume at once (AIF 3.5). */
        ctl->line_up = true;
        for (i = 0; i < ctl->n_objects_used; i++)
            if (ctl->st.objects[i].next_keepalive != CLOCK_NEVER) /* NEVER: not ready, or in flight */
                ctl->st.objects[i].next_keepalive = ctl->clock;
        for (i = 0; i < ctl->n_nodes_used; i++)
            ctl_schedule(ctl, i);
    }
    ctl->line_up = up;
}
