/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The energy reads (issue 7), linked only into a program that calls
 * echonet_ctl_read_energy(). */
#include "echonet/aircon.h"
#include "ctl_energy.h"
#include "ctl_job.h"
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

static const struct echonet_ctl_energy_part energy_part = {energy_job};

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
            ctl->st.objects[i].next_energy = ctl->clock;
    for (i = 0; i < ctl->n_nodes_used; i++)
        ctl_schedule(ctl, i);
    return ECHONET_OK;
}
