/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The fault read-out (AIF 3.4, 5.5). */
#include "echonet/aircon.h"
#include "ctl_event.h"
#include "ctl_fault.h"
#include "ctl_job.h"

bool ctl_fault_step(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, ctl_job_kind kind, bool codes)
{
    static const uint8_t status[] = {ECHONET_EPC_FAULT_STATUS};
    static const uint8_t code_epcs[] = {ECHONET_EPC_MAKER_FAULT_CODE, ECHONET_EPC_FAULT_DESCRIPTION};

    if (codes)
        return ctl_job_read(ctl, n, kind, oi, code_epcs, sizeof code_epcs, CTL_READ_ALL, false);
    ctl_job_start(n, kind, oi, status, 1, 1, 0);
    return true;
}

bool ctl_fault_codes_next(echonet_ctl *ctl, const echonet_ctl_job *job)
{
    const echonet_ctl_object *o = ctl_obj(ctl, job->object);

    return !job->failed && !job->timedout && (o->state.valid & ECHONET_CTL_S_FAULT) && o->state.fault == ECHONET_FAULT;
}

void ctl_fault_report(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint16_t op)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    echonet_ctl_event ev;

    /* The read-out asked for is the one a fault seen meanwhile would start
     * (no second FAULT event). An automatic one cleared the mark when it
     * started: one set since is a fault raised again during it, whose
     * read-out is still owed. */
    if (op != NONE)
        o->work &= (uint8_t)~OW_FAULT;
    ctl_event_init(&ev, ECHONET_CTL_EV_FAULT, ni, o->eoj);
    ev.fault = o->state.fault;
    ev.op = op;
    ctl_emit(ctl, &ev);
}
