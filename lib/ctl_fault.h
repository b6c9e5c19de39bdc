/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the fault read-out (AIF 3.4, 5.5), one for both its uses: the
 * one a fault seen starts by itself (an object's OW_FAULT) and the one the
 * application asks for (echonet_ctl_read_fault()). Step 0 reads the fault
 * status 0x88; when that says 0x41 (fault), step 1 reads the codes 0x86 and
 * 0x89 the object has; the end is told as ECHONET_CTL_EV_FAULT (ctl_fault.c). */
#ifndef ECHONET_LIB_CTL_FAULT_H
#define ECHONET_LIB_CTL_FAULT_H

#include "ctl_internal.h"

/* Sets the node's job for step @p codes (false: 0x88, true: the codes) of
 * the read-out of object @p oi, as a job of kind @p kind (J_FAULT or
 * J_OP). False, and no job, when the object has none of the codes. */
bool ctl_fault_step(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, ctl_job_kind kind, bool codes);

/* After step 0 (@p job its outcome): whether the codes are read next, that
 * is, 0x88 was answered with 0x41. */
bool ctl_fault_codes_next(echonet_ctl *ctl, const echonet_ctl_job *job);

/* The read-out of object @p oi of node @p ni ended: ECHONET_CTL_EV_FAULT
 * with the fault status and @p op (the operation, or NONE). After an
 * operation's read-out no automatic one is owed for what it read. */
void ctl_fault_report(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint16_t op);

#endif
