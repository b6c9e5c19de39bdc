/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The temperature-range probe (AIF 5.3): with the unit on in the mode
 * asked, the highest temperature it takes at or below HIGH, then the lowest
 * at or above LOW, then its settings put back. Linked only into a program
 * that calls echonet_ctl_probe(). */
#include <string.h>

#include "echonet/aircon.h"
#include "ctl_job.h"
#include "ctl_probe.h"
#include "static_assert.h"

/* The probe's state stays clear of the values of its current step
 * (data[0..2]) and inside data[]. */
ECHONET_STATIC_ASSERT(ECHONET_CTL_VALUE_BYTES >= 3 + sizeof(ctl_probe_state), probe_state_inside_data);

ctl_probe_state *ctl_probe_state_of(echonet_ctl_op *op)
{
    return (ctl_probe_state *)(void *)(op->data + ECHONET_CTL_VALUE_BYTES - sizeof(ctl_probe_state));
}

/* Whether the restore ends with 0x80 = OFF after other properties: then it
 * is two requests, the OFF alone and last. */
static bool off_last(const echonet_ctl_op *op)
{
    return op->n > 1 && op->epc[op->n - 1] == ECHONET_EPC_OPERATION_STATUS;
}

static void put(echonet_ctl_op *op, uint8_t epc, uint8_t v)
{
    op->epc[op->n] = epc;
    op->len[op->n] = 1;
    op->data[op->n++] = v;
}

void ctl_probe_step(echonet_ctl_op *op, ctl_probe_phase phase)
{
    static const uint8_t save[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_MODE, ECHONET_EPC_SET_TEMPERATURE};
    ctl_probe_state *p = ctl_probe_state_of(op);

    op->phase = (uint8_t)phase;
    op->n = 0;
    switch (phase) {
    case PR_SAVE:
        memcpy(op->epc, save, 3);
        op->n = 3;
        memset(op->len, 0, sizeof op->len);
        return;
    case PR_ON:
        put(op, ECHONET_EPC_OPERATION_STATUS, ECHONET_ON);
        put(op, ECHONET_EPC_MODE, p->mode);
        return;
    case PR_HIGH_TRY:
    case PR_LOW_TRY:
        put(op, ECHONET_EPC_SET_TEMPERATURE, p->cand);
        return;
    case PR_HIGH_CHECK:
    case PR_LOW_CHECK:
        op->epc[0] = ECHONET_EPC_SET_TEMPERATURE;
        op->len[0] = 0;
        op->n = 1;
        return;
    default: /* PR_RESTORE: what was saved, in the order of AIF 5.1 ⑦ */
        /* A unit that was off is switched off last, in a request of its
         * own (PR_RESTORE_OFF), after its mode and temperature are back:
         * one that refuses writes while off (AIF 3.3) would otherwise be
         * left at the probe's settings (issue 13). */
        if (p->s80 == ECHONET_ON)
            put(op, ECHONET_EPC_OPERATION_STATUS, p->s80);
        if (p->sb0 >= ECHONET_MODE_AUTO && p->sb0 <= ECHONET_MODE_FAN)
            put(op, ECHONET_EPC_MODE, p->sb0);
        if (p->sb3 <= ECHONET_TEMP_MAX)
            put(op, ECHONET_EPC_SET_TEMPERATURE, p->sb3);
        if (p->s80 == ECHONET_OFF)
            put(op, ECHONET_EPC_OPERATION_STATUS, p->s80);
        return;
    }
}

void ctl_probe_next(echonet_ctl_op *op, bool failed, bool timedout, uint16_t job_failed, uint16_t job_timedout,
                    uint8_t v)
{
    ctl_probe_state *p = ctl_probe_state_of(op);
    ctl_probe_phase phase = (ctl_probe_phase)op->phase;

    if (timedout && phase < PR_RESTORE) {
        op->timedout |= 1;
        ctl_probe_step(op, PR_RESTORE);
        return;
    }
    switch (phase) {
    case PR_SAVE:
        ctl_probe_step(op, failed ? PR_RESTORE : PR_ON);
        if (failed)
            op->refused |= 1;
        return;
    case PR_ON:
        if (failed) {
            op->refused |= 1;
            ctl_probe_step(op, PR_RESTORE);
            return;
        }
        p->cand = p->high;
        ctl_probe_step(op, PR_HIGH_TRY);
        return;
    case PR_HIGH_TRY:
        if (!failed) {
            ctl_probe_step(op, PR_HIGH_CHECK);
            return;
        }
        break; /* refused: one lower */
    case PR_HIGH_CHECK:
        if (!failed && v == p->cand) {
            p->found_high = v;
            p->cand = p->low;
            ctl_probe_step(op, PR_LOW_TRY);
            return;
        }
        /* Substituted: the value read is the next guess when it is lower. */
        if (!failed && v <= ECHONET_TEMP_MAX && v < p->cand && v >= p->low) {
            p->cand = v;
            ctl_probe_step(op, PR_HIGH_TRY);
            return;
        }
        break;
    case PR_LOW_TRY:
        if (!failed) {
            ctl_probe_step(op, PR_LOW_CHECK);
            return;
        }
        break;
    case PR_LOW_CHECK:
        if (!failed && v == p->cand) {
            p->found_low = v;
            ctl_probe_step(op, PR_RESTORE);
            return;
        }
        if (!failed && v > p->cand && v <= p->high) {
            p->cand = v;
            ctl_probe_step(op, PR_LOW_TRY);
            return;
        }
        break;
    default: /* PR_RESTORE or PR_RESTORE_OFF done */
        /* A setting the unit would not take back is reported (the job's
         * bits index op->epc, the restore's properties): the unit is not
         * as it was (AIF 5.3 ⑤). */
        op->refused |= job_failed;
        op->timedout |= job_timedout;
        op->phase = (uint8_t)(phase == PR_RESTORE && off_last(op) ? PR_RESTORE_OFF : PR_DONE);
        return;
    }
    /* Next candidate, or give up on this end. */
    if (phase == PR_HIGH_TRY || phase == PR_HIGH_CHECK) {
        if (p->cand == 0 || p->cand - 1 < p->low) {
            p->cand = p->low;
            ctl_probe_step(op, PR_LOW_TRY);
        } else {
            p->cand--;
            ctl_probe_step(op, PR_HIGH_TRY);
        }
    } else if (p->cand + 1 > p->high) {
        ctl_probe_step(op, PR_RESTORE);
    } else {
        p->cand++;
        ctl_probe_step(op, PR_LOW_TRY);
    }
}

/* The job of the current step: reads for the save and the checks, writes
 * (with the remote prefix) for the rest; the restore of a unit that was off
 * in two requests, the OFF alone and last. */
static bool probe_job(echonet_ctl_node *n, echonet_ctl_op *op, uint8_t prefix)
{
    ctl_probe_phase phase = (ctl_probe_phase)op->phase;
    uint16_t select = ctl_all_of(op->n);

    if (phase >= PR_RESTORE && off_last(op))
        select = phase == PR_RESTORE ? (uint16_t)(select >> 1) : ctl_bit(op->n - 1u);
    if (select == 0)
        return false;
    ctl_job_start(n, J_OP, op->object, op->epc, op->n, select,
                  (uint8_t)(phase == PR_SAVE || phase == PR_HIGH_CHECK || phase == PR_LOW_CHECK ? 0
                                                                                              : JF_WRITE | prefix));
    return true;
}

static bool probe_step_done(echonet_ctl_node *n, echonet_ctl_op *op, uint8_t prefix)
{
    const echonet_ctl_job *job = &n->job;

    ctl_probe_next(op, (job->failed | job->timedout) != 0 || (job->flags & JF_PREFIX_REFUSED), job->timedout != 0,
                   job->failed, job->timedout, op->data[0]);
    if (op->phase == PR_DONE)
        return false;
    if (probe_job(n, op, prefix))
        return true;
    if (op->phase == PR_RESTORE)
        return false; /* nothing to put back */
    ctl_probe_step(op, PR_RESTORE);
    return op->n > 0 && probe_job(n, op, prefix);
}

static void probe_take(echonet_ctl_op *op, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    ctl_probe_state *p = ctl_probe_state_of(op);

    if (pdc != 1)
        return;
    if (op->phase == PR_SAVE)
        *(epc == ECHONET_EPC_OPERATION_STATUS ? &p->s80 : epc == ECHONET_EPC_MODE ? &p->sb0 : &p->sb3) = edt[0];
    else
        op->data[0] = edt[0];
}

static void probe_result(const echonet_ctl_op *op, echonet_ctl_event *ev)
{
    const ctl_probe_state *p =
        (const ctl_probe_state *)(const void *)(op->data + ECHONET_CTL_VALUE_BYTES - sizeof(ctl_probe_state));

    ev->probe_low = p->found_low == CTL_NO_TEMP ? -1 : (int8_t)p->found_low;
    ev->probe_high = p->found_high == CTL_NO_TEMP ? -1 : (int8_t)p->found_high;
}

static const struct echonet_ctl_probe_part probe_part = {probe_job, probe_step_done, probe_take, probe_result};

echonet_err echonet_ctl_probe(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint8_t mode, int low, int high,
                              uint16_t *handle)
{
    ctl_probe_state *p;
    echonet_err err;
    uint16_t i;

    if (mode < ECHONET_MODE_AUTO || mode > ECHONET_MODE_FAN || low < 0 || high > ECHONET_TEMP_MAX || low > high ||
        ECHONET_EOJ_CLASS(eoj) != ECHONET_CLASS_HOME_AIRCON)
        return ECHONET_ERR_INVALID_ARG;
    err = ctl_op_new(ctl, node, eoj, OP_PROBE, &i);
    if (err != ECHONET_OK)
        return err;
    ctl->probe = &probe_part;
    p = ctl_probe_state_of(ctl_op(ctl, i));
    p->mode = mode;
    p->low = (uint8_t)low;
    p->high = (uint8_t)high;
    p->s80 = p->sb0 = p->sb3 = CTL_NO_TEMP;
    p->found_low = p->found_high = CTL_NO_TEMP;
    ctl_probe_step(ctl_op(ctl, i), PR_SAVE);
    ctl_op_queue(ctl, i, handle);
    return ECHONET_OK;
}
