/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy reads (issue 7) and the smart meter's (issue 15,
 * ctl_meter.c, compiled with them as one translation unit: they are
 * linked together, and the compiler inlines across them), linked only
 * into a program that calls echonet_ctl_read_energy(). */
#include "ctl_meter.c"
#include "echonet/aircon.h"
#include "ctl_energy.h"
#include "ctl_job.h"
#include "ctl_meter.h"
#include "ctl_poll.h"
#include "ctl_profile.h"
#include "ctl_sched.h"
#include "ctl_state.h"

/* Measured instantaneous power and cumulative energy (issue 7). */
static const uint8_t energy_epcs[] = {ECHONET_EPC_INSTANT_POWER, ECHONET_EPC_CUMULATIVE_ENERGY};

static bool energy_job(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);

    if (!ctl_timer_due(o->next_energy, now))
        return false;
    o->next_energy = now + ctl->cfg.energy_interval_ms;
    return ctl_job_read(ctl, n, J_ENERGY, oi, energy_epcs, sizeof energy_epcs, CTL_READ_ALL, false);
}

static const struct echonet_ctl_energy_part energy_part = {ctl_meter_job, energy_job, ctl_meter_fixed, ctl_meter_done};

echonet_err echonet_ctl_read_energy(echonet_ctl *ctl)
{
    uint16_t i;

    if (!ctl)
        return ECHONET_ERR_INVALID_ARG;
    if (ctl->energy)
        return ECHONET_OK;
    ctl->energy = &energy_part;
    /* Objects already ready are read at once. */
    for (i = 0; i < ctl->n_objects_used; i++)
        if (ctl->st.objects[i].node != NONE && (ctl->st.objects[i].work & OW_READY))
            ctl_energy_timers(ctl, &ctl->st.objects[i], ctl->clock);
    for (i = 0; i < ctl->n_nodes_used; i++)
        ctl_schedule(ctl, i);
    return ECHONET_OK;
}
