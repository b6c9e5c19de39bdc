/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: operations the application starts (echonet_ctl_get(),
 * echonet_ctl_set(), echonet_ctl_read_fault(), echonet_ctl_probe()): a
 * queue per node, local refusals before anything is sent (AIF 2.4.5, 4.1),
 * writes in the order of AIF 5.1 ⑦ with the remote prefix and verified by a
 * Get (4.1 ③), and the outcome of each, told exactly once (ctl_op.c). */
#ifndef ECHONET_LIB_CTL_OP_H
#define ECHONET_LIB_CTL_OP_H

#include "ctl_internal.h"

/* The probe's part of an operation (ctl_probe.c), reached through
 * ctl->probe, which echonet_ctl_probe() sets: a program that never probes
 * links none of it. @c prefix is JF_PREFIX for a remote controller. */
struct echonet_ctl_probe_part {
    /* Sets the job of the probe's current step; false when it has none. */
    bool (*job)(echonet_ctl_node *n, echonet_ctl_op *op, uint8_t prefix);
    /* The step ended (the job's outcome in n->job): true when the next
     * step's job is set, false when the probe ended. */
    bool (*step_done)(echonet_ctl_node *n, echonet_ctl_op *op, uint8_t prefix);
    /* A value the step read. */
    void (*take)(echonet_ctl_op *op, uint8_t epc, const uint8_t *edt, uint8_t pdc);
    /* The range found, into the DONE event. */
    void (*result)(const echonet_ctl_op *op, echonet_ctl_event *ev);
};

/* Frees operation slot @p i. */
void ctl_op_free(echonet_ctl *ctl, uint16_t i);

/* Where the value of property @p i starts in op->data. */
size_t ctl_op_value_offset(const echonet_ctl_op *op, unsigned i);

/* The index of @p epc in the operation, or -1. */
int ctl_op_index_of(const echonet_ctl_op *op, uint8_t epc);

/* The value the operation writes to @p epc (which it has), and its length. */
const uint8_t *ctl_op_value(const echonet_ctl_op *op, uint8_t epc, size_t *len);

/* Ends operation @p i with its outcome (an ECHONET_CTL_EV_DONE event),
 * exactly once, and frees its slot. */
void ctl_op_finish(echonet_ctl *ctl, uint16_t i);

/* Every operation of a node, running or queued, ends with NODE_GONE. */
void ctl_ops_gone(echonet_ctl *ctl, echonet_ctl_node *n);

/* Every operation of object @p oi of node @p n ends with INSTANCE_GONE
 * (the object left its node's instance list). */
void ctl_ops_removed(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi);

/* Starts the node's first queued operation that sends something (those
 * refused locally end at once). With @p ready_only, stops at one for an
 * object whose maps are not read yet: its discovery goes first. */
bool ctl_pick_op(echonet_ctl *ctl, echonet_ctl_node *n, bool ready_only);

/* Whether the node's next operation is for a ready object: it then goes
 * before the node's own reads (issue 13: a read or write of the
 * application waited behind a background read for minutes). */
bool ctl_op_first(echonet_ctl *ctl, const echonet_ctl_node *n);

/* A value that the running operation's step read (the verify of a write
 * notes a substituted value, a probe its reading). */
bool ctl_op_take_value(echonet_ctl *ctl, echonet_ctl_op *op, uint8_t epc, const uint8_t *edt, uint8_t pdc);

/* The running operation's step ended (its job's outcome in n->job): true
 * when its next step's job is set; false when the operation ended (its
 * FAULT and DONE events told, the node's job and operation cleared). */
bool ctl_op_step_done(echonet_ctl *ctl, echonet_ctl_node *n);

/* A free operation slot of kind @p kind for object @p eoj of node @p node. */
echonet_err ctl_op_new(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, ctl_op_kind kind, uint16_t *out);

/* Queues operation @p i at the end of its node's queue. */
void ctl_op_queue(echonet_ctl *ctl, uint16_t i, uint16_t *handle);

#endif
