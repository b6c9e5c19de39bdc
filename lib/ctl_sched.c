/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Scheduling: which node may send now (ready queue), which waits for a deadline (heap), and when its next timer falls. */
#include <string.h>

#include "ctl_keepalive.h"
#include "ctl_meter.h"
#include "ctl_sched.h"

uint32_t ctl_next_timer(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now, bool *due)
{
    uint32_t next = CLOCK_NEVER;
    uint16_t i;
    unsigned k;

    *due = false;
    /* A node that answered but whose objects found no room asks for its
     * instance list again every keepalive_retry_ms (echonet_ctl_write()):
     * room may have been made since (a lost node forgotten), and a unit
     * sends its 0xD5 only when it starts. */
    if (n->first_object == NONE && (n->work & NW_AFTER_SEARCH)) /* (echonet_ctl_add_node()) */
        return ctl->search ? (now > ctl->search_until ? now : ctl->search_until) + ctl->cfg.response_timeout_ms
                           : ctl->search_until;
    if (n->first_object == NONE)
        return now + ctl->cfg.keepalive_retry_ms;
    for (i = n->first_object; i != NONE; i = ctl_obj(ctl, i)->next) {
        const echonet_ctl_object *o = ctl_obj(ctl, i);
        const uint32_t timers[] = {o->next_poll, o->next_reread, o->next_energy, o->next_fixed,
                                   ctl_keepalive_wanted(ctl, o) ? o->next_keepalive : CLOCK_NEVER};

        if ((o->work & (OW_ATTR | OW_ID | OW_NPID | OW_STATE | OW_FAULT)) || ctl_meter_history_due(o))
            *due = true;
        /* Due ones put the node in the ready queue; the earliest still to
         * come is its deadline. (CLOCK_NEVER is later than any now.) */
        for (k = 0; k < sizeof timers / sizeof timers[0]; k++) {
            if (timers[k] <= now)
                *due = true;
            else if (timers[k] < next)
                next = timers[k];
        }
    }
    return next;
}

static void ready_push(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = ctl_node(ctl, i);

    if (n->queued)
        return;
    n->queued = true;
    n->ready_next = NONE;
    if (ctl->ready_tail == NONE)
        ctl->ready_head = i;
    else
        ctl_node(ctl, ctl->ready_tail)->ready_next = i;
    ctl->ready_tail = i;
}

uint16_t ctl_ready_pop(echonet_ctl *ctl)
{
    uint16_t i = ctl->ready_head;

    if (i == NONE)
        return NONE;
    ctl->ready_head = ctl_node(ctl, i)->ready_next;
    if (ctl->ready_head == NONE)
        ctl->ready_tail = NONE;
    ctl_node(ctl, i)->queued = false;
    return i;
}

void ctl_schedule(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = ctl_node(ctl, i);
    uint32_t now = ctl->clock;

    if (n->state == N_OFFLINE) {
        /* An offline node is probed (ctl_node_offline()): by its keepalives when
         * it has any to send, each followed by a Get 0xD6 (the object kept
         * alive may be one the unit no longer has, its 0xD5 lost: only its
         * node profile answers then), else by a Get 0xD6 every
         * keepalive_retry_ms. */
        if (!n->busy) {
            uint16_t oi = ctl_keepalive_next(ctl, n);

            if (oi != NONE) {
                uint32_t t = ctl_obj(ctl, oi)->next_keepalive;

                /* A due one goes at once (ready queue), a later one by the
                 * heap; the probe due with it, after it (pick_job()). */
                n->deadline = t > now ? t : CLOCK_NEVER;
                if (t <= now || (n->work & NW_PROBE))
                    ready_push(ctl, i);
            } else if (n->work & NW_PROBE) {
                ready_push(ctl, i);
            } else if (n->deadline == CLOCK_NEVER) {
                n->deadline = now + ctl->cfg.keepalive_retry_ms;
            }
        }
        ctl_heap_update(ctl, i);
        return;
    }
    if (n->state != N_ACTIVE) {
        ctl_heap_remove(ctl, i);
        return;
    }
    if (!n->busy) {
        bool due;

        n->deadline = ctl_next_timer(ctl, n, now, &due);
        /* (Its work bits but the facts, NW_FACTS, are work to do.) */
        if (due || n->job.kind != J_NONE || (n->work & ~NW_FACTS) || n->ops_head != NONE)
            ready_push(ctl, i);
    }
    ctl_heap_update(ctl, i);
}
