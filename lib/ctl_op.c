/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Operations the application starts (AIF 5.1, 4.1, 2.4.5): reads, writes in the order of 5.1 ⑦ verified by a Get, the remote prefix, local refusals, and their outcomes. */
#include <string.h>

#include "echonet/aircon.h"
#include "ctl_event.h"
#include "ctl_fault.h"
#include "ctl_job.h"
#include "ctl_nodes.h"
#include "ctl_op.h"
#include "ctl_profile.h"
#include "ctl_sched.h"

void ctl_op_free(echonet_ctl *ctl, uint16_t i)
{
    memset(&ctl->st.ops[i], 0, sizeof ctl->st.ops[i]);
    ctl->st.ops[i].node = NONE;
}

size_t ctl_op_value_offset(const echonet_ctl_op *op, unsigned i)
{
    size_t off = 0;
    unsigned k;

    for (k = 0; k < i; k++)
        off += op->len[k];
    return off;
}

int ctl_op_index_of(const echonet_ctl_op *op, uint8_t epc)
{
    unsigned k;

    for (k = 0; k < op->n; k++)
        if (op->epc[k] == epc)
            return (int)k;
    return -1;
}


void ctl_op_finish(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_op *op = ctl_op(ctl, i);
    echonet_ctl_event ev;
    uint16_t props = 0;
    bool remote = false;
    unsigned k;

    /* Filled here, not by ctl_event_init(): the deepest frames of a read
     * end in this one (an instance list that drops an object). */
    memset(&ev, 0, sizeof ev);
    ev.kind = ECHONET_CTL_EV_DONE;
    ev.node = op->node;
    ev.eoj = ctl_obj(ctl, op->object)->eoj;
    ev.op = i;
    ev.same_as = NONE;
    ev.probe_low = ev.probe_high = -1;
    if (op->flags & OF_GONE) {
        ev.outcome = ECHONET_CTL_NODE_GONE;
    } else if (op->flags & OF_REMOVED) {
        ev.outcome = ECHONET_CTL_INSTANCE_GONE;
    } else if (op->flags & OF_LOCAL) {
        ev.outcome = ECHONET_CTL_REFUSED_LOCAL;
        props = op->refused;
        remote = op->refused == 0; /* a remote write to a unit without 0x93 */
    } else if (op->timedout) {
        ev.outcome = ECHONET_CTL_TIMED_OUT;
        props = op->timedout;
    } else if (op->refused || (op->flags & OF_PREFIX_REFUSED)) {
        ev.outcome = ECHONET_CTL_REFUSED;
        props = op->refused;
        remote = (op->flags & OF_PREFIX_REFUSED) != 0;
    } else if (op->substituted) {
        ev.outcome = ECHONET_CTL_SUBSTITUTED;
        props = op->substituted;
    } else {
        ev.outcome = ECHONET_CTL_DONE;
    }
    for (k = 0; props && k < op->n; k++)
        if (props & ctl_bit(k))
            (void)echonet_propmap_add(&ev.props, op->epc[k]);
    if (remote)
        (void)echonet_propmap_add(&ev.props, ECHONET_EPC_REMOTE_CONTROL);
    if (op->kind == OP_PROBE)
        ctl->probe->result(op, &ev);
    memset(op, 0, sizeof *op); /* (ctl_op_free(), one call less deep) */
    op->node = NONE;
    ctl_emit(ctl, &ev);
}

/* Ends the operations of node @p n for object @p oi (NONE: every object),
 * the running one first, then the queued ones in order, each with @p why
 * (OF_GONE, OF_REMOVED) in its flags. */
static void ops_end(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint8_t why)
{
    uint16_t i, *q;

    if (n->op != NONE && (oi == NONE || ctl_op(ctl, n->op)->object == oi)) {
        i = n->op;
        n->op = NONE;
        ctl_op(ctl, i)->flags |= why;
        ctl_op_finish(ctl, i);
    }
    for (q = &n->ops_head; (i = *q) != NONE;) {
        if (oi != NONE && ctl_op(ctl, i)->object != oi) {
            q = &ctl_op(ctl, i)->next;
            continue;
        }
        *q = ctl_op(ctl, i)->next;
        ctl_op(ctl, i)->flags |= why;
        ctl_op_finish(ctl, i);
    }
}

void ctl_ops_gone(echonet_ctl *ctl, echonet_ctl_node *n)
{
    ops_end(ctl, n, NONE, OF_GONE);
}

/* Whether the operation's writes are remote operation (AIF 4.1): in remote
 * mode or asked so, to an object whose profile follows the AIF. */
static bool op_remote(const echonet_ctl *ctl, const echonet_ctl_op *op)
{
    return (ctl->cfg.remote || (op->flags & OF_REMOTE)) && ctl_profile_of(ctl->st.objects[op->object].eoj)->aif;
}

/* Sets the job of the operation's current step. Returns false when the
 * operation ended without sending anything. */
static bool op_job(echonet_ctl *ctl, echonet_ctl_node *n)
{
    echonet_ctl_op *op = ctl_op(ctl, n->op);
    uint8_t prefix = op_remote(ctl, op) ? JF_PREFIX : 0;

    switch (op->kind) {
    case OP_GET:
    case OP_SET:
        /* Verify every property written that the Get map has (AIF 2.4.5,
         * 4.1 ③), refused and unanswered ones too: the cache then holds
         * what the unit really has, whatever the answer said (issue 13). */
        if (op->phase == PH_VERIFY)
            return ctl_job_read(ctl, n, J_OP, op->object, op->epc, op->n, CTL_READ_ALL, false);
        ctl_job_start(n, J_OP, op->object, op->epc, op->n, ctl_all_of(op->n),
                      op->kind == OP_SET ? (uint8_t)(JF_WRITE | prefix) : 0);
        return true;
    case OP_FAULT:
        return ctl_fault_step(ctl, n, op->object, J_OP, op->phase == PH_CODES);
    default: /* OP_PROBE (ctl_probe.c) */
        return ctl->probe->job(n, op, prefix);
    }
}

/* Local checks of an operation before anything is sent (AIF 2.4.5). */
static bool op_locally_refused(echonet_ctl *ctl, echonet_ctl_op *op)
{
    echonet_ctl_object *o = ctl_obj(ctl, op->object);
    const echonet_propmap *map = op->kind == OP_GET ? &o->get : &o->set;
    unsigned k;

    if (op->kind == OP_FAULT)
        return false;
    /* (A probe's first step lists what it reads and writes back.) */
    for (k = 0; k < op->n; k++)
        if (!echonet_propmap_contains(map, op->epc[k]) ||
            (op->kind == OP_PROBE && !echonet_propmap_contains(&o->get, op->epc[k])))
            op->refused |= ctl_bit(k);
    /* A remote write to a unit that cannot be told so is not made. */
    if (op->kind != OP_GET && op_remote(ctl, op) && !echonet_propmap_contains(&o->set, ECHONET_EPC_REMOTE_CONTROL))
        op->flags |= OF_LOCAL;
    if (op->refused)
        op->flags |= OF_LOCAL;
    return (op->flags & OF_LOCAL) != 0;
}

bool ctl_pick_op(echonet_ctl *ctl, echonet_ctl_node *n, bool ready_only)
{
    while (n->ops_head != NONE) {
        uint16_t i = n->ops_head;
        echonet_ctl_op *op = &ctl->st.ops[i];

        if (ready_only && !(ctl_obj(ctl, op->object)->work & OW_READY))
            return false;
        n->ops_head = op->next;
        n->op = i;
        if (op_locally_refused(ctl, op) || !op_job(ctl, n)) {
            n->op = NONE;
            ctl_op_finish(ctl, i);
            continue;
        }
        return true;
    }
    return false;
}

bool ctl_op_first(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    return n->ops_head != NONE && (ctl_obj(ctl, ctl->st.ops[n->ops_head].object)->work & OW_READY);
}

bool ctl_op_step_done(echonet_ctl *ctl, echonet_ctl_node *n)
{
    echonet_ctl_op *op = ctl_op(ctl, n->op);
    bool more = false;

    switch (op->kind) {
    case OP_GET:
    case OP_SET:
        if (op->phase == PH_VERIFY) {
            /* A verification that got no answer leaves the write unknown
             * (the verify asks the operation's own list: its bit k is
             * op->epc[k], op_job()). */
            op->timedout |= (uint16_t)(n->job.timedout & ~op->refused);
            break;
        }
        op->refused = n->job.failed;
        op->timedout = n->job.timedout;
        if (op->kind == OP_GET)
            break;
        if (n->job.flags & JF_PREFIX_REFUSED)
            op->flags |= OF_PREFIX_REFUSED;
        op->phase = PH_VERIFY;
        more = op_job(ctl, n);
        break;
    case OP_FAULT:
        if (op->phase == PH_MAIN && ctl_fault_codes_next(ctl, &n->job)) {
            op->phase = PH_CODES;
            more = op_job(ctl, n);
        }
        if (!more && n->job.timedout)
            op->timedout |= 1;
        break;
    default: /* OP_PROBE */
        more = ctl->probe->step_done(n, op, ctl->cfg.remote ? JF_PREFIX : 0);
        break;
    }
    if (!more) {
        uint16_t i = n->op;

        n->job.kind = J_NONE;
        n->op = NONE;
        if (op->kind == OP_FAULT)
            ctl_fault_report(ctl, op->node, op->object, i);
        ctl_op_finish(ctl, i);
    }
    return more;
}

void ctl_ops_removed(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi)
{
    ops_end(ctl, n, oi, OF_REMOVED);
}

echonet_err ctl_op_new(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, ctl_op_kind kind, uint16_t *out)
{
    uint16_t oi, i;

    if (!ctl)
        return ECHONET_ERR_INVALID_ARG;
    if (node >= ctl->n_nodes_used || ctl_node(ctl, node)->state != N_ACTIVE)
        return ECHONET_ERR_NOT_FOUND;
    oi = ctl_object_find(ctl, node, eoj);
    if (oi == NONE)
        return ECHONET_ERR_NOT_FOUND;
    for (i = 0; i < ctl->st.n_ops; i++)
        if (ctl->st.ops[i].kind == OP_FREE)
            break;
    if (i == ctl->st.n_ops)
        return ECHONET_ERR_FULL;
    ctl_op_free(ctl, i);
    ctl->st.ops[i].kind = (uint8_t)kind;
    ctl->st.ops[i].object = oi;
    *out = i;
    return ECHONET_OK;
}

void ctl_op_queue(echonet_ctl *ctl, uint16_t i, uint16_t *handle)
{
    echonet_ctl_op *op = &ctl->st.ops[i];
    echonet_ctl_node *n;
    uint16_t *link;

    op->node = ctl_obj(ctl, op->object)->node;
    op->next = NONE;
    n = ctl_node(ctl, op->node);
    /* At the end of the node's queue (a walk over the node's own queued
     * operations, at most n_ops: no tail index kept in every node slot). */
    for (link = &n->ops_head; *link != NONE; link = &ctl->st.ops[*link].next)
        ;
    *link = i;
    if (handle)
        *handle = i;
    ctl_schedule(ctl, op->node);
}

/* A new operation of @p kind over the @p n properties at @p epcs, queued
 * (ctl_op_new(), ctl_op_queue()). */
static echonet_err op_start(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, ctl_op_kind kind, const uint8_t *epcs,
                            size_t n, uint16_t *handle)
{
    uint16_t i;
    echonet_err err = ctl_op_new(ctl, node, eoj, kind, &i);

    if (err != ECHONET_OK)
        return err;
    memcpy(ctl->st.ops[i].epc, epcs, n);
    ctl->st.ops[i].n = (uint8_t)n;
    ctl_op_queue(ctl, i, handle);
    return ECHONET_OK;
}

static bool repeated(const uint8_t *epcs, size_t n, uint8_t epc, size_t upto)
{
    size_t k;

    (void)n;
    for (k = 0; k < upto; k++)
        if (epcs[k] == epc)
            return true;
    return false;
}

echonet_err echonet_ctl_get(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const uint8_t *epcs, size_t n,
                            uint16_t *handle)
{
    size_t k;

    if (!epcs || n < 1 || n > ECHONET_CTL_BATCH_MAX)
        return ECHONET_ERR_INVALID_ARG;
    for (k = 0; k < n; k++)
        if (epcs[k] < 0x80u || repeated(epcs, n, epcs[k], k))
            return ECHONET_ERR_INVALID_ARG;
    return op_start(ctl, node, eoj, OP_GET, epcs, n, handle);
}

echonet_err echonet_ctl_set(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const echonet_prop *props, size_t n,
                            uint16_t *handle)
{
    return echonet_ctl_set_ex(ctl, node, eoj, props, n, 0, handle);
}

echonet_err echonet_ctl_set_ex(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const echonet_prop *props, size_t n,
                               unsigned flags, uint16_t *handle)
{
    const ctl_profile *profile = ctl_profile_of(eoj);
    size_t k, total = 0;
    echonet_ctl_op *op;
    echonet_err err;
    unsigned rank;
    uint16_t i;
    bool remote;

    if (!ctl || !props || n < 1 || n > ECHONET_CTL_BATCH_MAX || (flags & ~ECHONET_CTL_FROM_REMOTE) != 0)
        return ECHONET_ERR_INVALID_ARG;
    remote = (ctl->cfg.remote || (flags & ECHONET_CTL_FROM_REMOTE) != 0) && profile && profile->aif;
    for (k = 0; k < n; k++) {
        const echonet_prop_desc *d;
        size_t j;
        bool known;

        for (j = 0; j < k; j++)
            if (props[j].epc == props[k].epc)
                return ECHONET_ERR_INVALID_ARG;
        if (remote && props[k].epc == ECHONET_EPC_REMOTE_CONTROL)
            return ECHONET_ERR_INVALID_ARG;
        if (props[k].pdc && !props[k].edt)
            return ECHONET_ERR_INVALID_ARG;
        if (!profile)
            continue;
        d = ctl_profile_desc(ctl, profile, eoj, props[k].epc, &known);
        total += props[k].pdc;
        if (!d) {
            /* Not in the class table: a maker's property (0xF0 to 0xFF)
             * or one of a class without a table is raw bytes the unit's
             * Set map allows; any other the class does not define. */
            if (known && props[k].epc < 0xF0u)
                return ECHONET_ERR_ACCESS;
            if (props[k].pdc == 0)
                return ECHONET_ERR_VALUE_SIZE;
            continue;
        }
        if (!(d->access & ECHONET_ACCESS_SET))
            return ECHONET_ERR_ACCESS;
        /* Never a value outside the Appendix range (AIF 2.4.5). */
        err = echonet_prop_desc_check(d, props[k].edt, props[k].pdc, true);
        if (err != ECHONET_OK)
            return err;
    }
    if (total > ECHONET_CTL_VALUE_BYTES)
        return ECHONET_ERR_INVALID_ARG;
    if (!profile)
        return ECHONET_ERR_NOT_FOUND; /* no object of a class without a profile is known */
    err = ctl_op_new(ctl, node, eoj, OP_SET, &i);
    if (err != ECHONET_OK)
        return err;
    op = &ctl->st.ops[i];
    if (flags & ECHONET_CTL_FROM_REMOTE)
        op->flags |= OF_REMOTE;
    /* In the class's write order (AIF 5.1 ⑦). */
    for (rank = 0; rank <= profile->n_write_first; rank++) {
        for (k = 0; k < n; k++) {
            if (ctl_profile_write_rank(profile, props[k].epc) != rank)
                continue;
            memcpy(op->data + ctl_op_value_offset(op, op->n), props[k].edt, props[k].pdc);
            op->epc[op->n] = props[k].epc;
            op->len[op->n++] = props[k].pdc;
        }
    }
    ctl_op_queue(ctl, i, handle);
    return ECHONET_OK;
}

const uint8_t *ctl_op_value(const echonet_ctl_op *op, uint8_t epc, size_t *len)
{
    int i = ctl_op_index_of(op, epc);

    *len = op->len[i];
    return op->data + ctl_op_value_offset(op, (unsigned)i);
}

bool ctl_op_take_value(echonet_ctl *ctl, echonet_ctl_op *op, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    if (op->kind == OP_SET && op->phase == PH_VERIFY) {
        int i = ctl_op_index_of(op, epc);

        if (i >= 0 && (op->len[i] != pdc || memcmp(op->data + ctl_op_value_offset(op, (unsigned)i), edt, pdc) != 0))
            op->substituted |= ctl_bit((unsigned)i);
    } else if (op->kind == OP_PROBE) {
        ctl->probe->take(op, epc, edt, pdc);
    }
    return true;
}

echonet_err echonet_ctl_read_fault(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint16_t *handle)
{
    /* What a TIMED_OUT outcome names (ctl_op_finish()). */
    static const uint8_t fault[] = {ECHONET_EPC_FAULT_STATUS};

    return op_start(ctl, node, eoj, OP_FAULT, fault, 1, handle);
}
