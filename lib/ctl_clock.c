/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller's 32-bit clock (ctl_internal.h): milliseconds after
 * ctl->epoch, so that each node's deadline and each object's four timers take
 * 4 bytes, not 8, and compare in one instruction on a 32-bit core. */
#include "ctl_internal.h"
#include "noinline.h"

/* A time on the clock after the clock moved back by d (d of CLOCK_NEVER or
 * more: every timer is due, as none reaches CLOCK_NEVER). Out of line for
 * size: seven copies of it, for a walk made once in 24.8 days. */
static ECHONET_NOINLINE_FOR_SIZE uint32_t shift(uint32_t t, uint32_t d)
{
    return t == CLOCK_NEVER ? t : t > d ? t - d : 0;
}

uint32_t ctl_clock(echonet_ctl *ctl, echonet_tstamp now)
{
    uint64_t d;
    uint32_t back;
    uint16_t i;

    if (now <= ctl->epoch + ctl->clock) /* time never goes back */
        return ctl->clock;
    d = now - ctl->epoch;
    if (d <= CLOCK_SPAN) {
        ctl->clock = (uint32_t)d;
        return ctl->clock;
    }
    /* The clock restarts at 0 = now, and every timer moves with it; those
     * already due become 0, still due. The order of the deadline heap stays
     * as it was (the shift keeps order). Once per 24.8 days of time, or
     * after a jump: the only walk over every node and object. */
    back = d < CLOCK_NEVER ? (uint32_t)d : CLOCK_NEVER;
    for (i = 0; i < ctl->n_nodes_used; i++)
        ctl->st.nodes[i].deadline = shift(ctl->st.nodes[i].deadline, back);
    for (i = 0; i < ctl->n_objects_used; i++) {
        echonet_ctl_object *o = &ctl->st.objects[i];

        o->next_poll = shift(o->next_poll, back);
        o->next_reread = shift(o->next_reread, back);
        o->next_keepalive = shift(o->next_keepalive, back);
        o->next_energy = shift(o->next_energy, back);
        o->next_fixed = shift(o->next_fixed, back);
    }
    ctl->search_until = shift(ctl->search_until, back);
    ctl->epoch = now;
    ctl->clock = 0;
    return 0;
}
