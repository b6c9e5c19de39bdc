/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the temperature-range probe (AIF 5.3), an operation in steps
 * (ctl_probe.c). Its part (struct echonet_ctl_probe_part, ctl_op.h) is
 * reached only through ctl->probe, which echonet_ctl_probe() sets. */
#ifndef ECHONET_LIB_CTL_PROBE_H
#define ECHONET_LIB_CTL_PROBE_H

#include "ctl_op.h"

/* The probe's steps (echonet_ctl_op.phase of an OP_PROBE). */
typedef enum {
    PR_SAVE = 0,    /* read 0x80, 0xB0, 0xB3 to put them back at the end */
    PR_ON,          /* 0x80 = ON and the mode probed */
    PR_HIGH_TRY,    /* write the candidate highest temperature */
    PR_HIGH_CHECK,  /* read back what the unit took */
    PR_LOW_TRY,     /* the same for the lowest */
    PR_LOW_CHECK,
    PR_RESTORE,     /* the saved settings back, in the order of AIF 5.1 ⑦ */
    PR_RESTORE_OFF, /* 0x80 = OFF alone, last, for a unit that was off */
    PR_DONE
} ctl_probe_phase;

/* The probe's state, in the last bytes of op->data (the first three carry
 * the values of its current step). NO_TEMP: not known. */
typedef struct {
    uint8_t mode, low, high;      /* what was asked */
    uint8_t cand;                 /* the temperature being tried */
    uint8_t s80, sb0, sb3;        /* the settings saved */
    uint8_t found_low, found_high;
} ctl_probe_state;
#define CTL_NO_TEMP 0xFFu

/* The probe's state inside an operation. */
ctl_probe_state *ctl_probe_state_of(echonet_ctl_op *op);

/* Sets the operation's properties and values for step @p phase. */
void ctl_probe_step(echonet_ctl_op *op, ctl_probe_phase phase);

/* The step ended with @p failed (refused, unanswered or the remote prefix
 * refused) and the value read @p v: moves to the next step (the search of
 * AIF 5.3 one degree at a time, or the restore). */
void ctl_probe_next(echonet_ctl_op *op, bool failed, bool timedout, uint16_t job_failed, uint16_t job_timedout,
                    uint8_t v);

#endif
