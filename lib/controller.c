/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The HEMS controller (AIF Ver. 1.10 chapters 2-5, reference 9 and 11):
 * the orchestrator of its parts.
 *
 * Each node runs at most one "job" at a time (ctl_job.c): a set of up to
 * ECHONET_CTL_BATCH_MAX properties of one object to read or write, sent in
 * requests of at most min(max_props, learned capacity) properties, one in
 * flight. A job comes from the node's own work (discovery, ctl_discovery.c;
 * polling, ctl_poll.c; fault read-out, ctl_fault.c), from an operation the
 * application queued (ctl_op.c, ctl_probe.c); a keepalive (ctl_keepalive.c)
 * goes before the next request. Nodes with something to send wait in a
 * ready queue; nodes with a deadline sit in a heap (ctl_sched.c), so nothing
 * here walks every node. This file only initialises, takes datagrams in
 * (decoded once, dispatched by service), picks what each node sends next,
 * and tells when it must be called again. */
#include <stddef.h>
#include <string.h>

#include "echonet/aircon.h"
#include "echonet/controller.h"
#include "addr_internal.h"
#include "ctl_discovery.h"
#include "ctl_energy.h"
#include "ctl_event.h"
#include "ctl_fault.h"
#include "ctl_internal.h"
#include "ctl_job.h"
#include "ctl_meter.h"
#include "ctl_keepalive.h"
#include "ctl_nodes.h"
#include "ctl_op.h"
#include "ctl_poll.h"
#include "ctl_profile.h"
#include "ctl_sched.h"
#include "ctl_state.h"
#include "esv_internal.h"
#include "noinline.h"

static ECHONET_NOINLINE_FOR_SIZE bool config_ok(const echonet_ctl_config *c)
{
    return c->response_timeout_ms >= ECHONET_CTL_MIN_RESPONSE_TIMEOUT && c->response_timeout_ms <= CLOCK_SPAN &&
           c->poll_interval_ms <= CLOCK_SPAN && c->reread_interval_ms <= CLOCK_SPAN && c->max_props >= 1 &&
           c->max_props <= ECHONET_CTL_BATCH_MAX && c->attempts >= 1 && c->attempts <= 8 && c->offline_after >= 1 &&
           c->keepalive_interval_ms >= 1000u && c->keepalive_interval_ms <= ECHONET_CTL_MAX_KEEPALIVE_INTERVAL &&
           c->keepalive_retry_ms >= 1000u && c->keepalive_retry_ms <= c->keepalive_interval_ms &&
           c->energy_interval_ms >= 60000u && c->energy_interval_ms <= 1800000u &&
           c->self <= 0xFFFFFFu;
}

/* Out of line, like config_ok(), when optimising for size: the checks
 * then reach their return with short branches. */
static ECHONET_NOINLINE_FOR_SIZE bool storage_ok(const echonet_ctl_storage *st)
{
    return st->nodes && st->objects && st->index && st->heap && (st->ops || st->n_ops == 0) && st->n_nodes != 0 &&
           st->n_nodes != NONE && st->n_objects != 0 && st->n_objects != NONE && st->n_ops != NONE &&
           (st->n_index & (st->n_index - 1u)) == 0 && st->n_index / 2u >= st->n_nodes;
}

void echonet_ctl_config_default(echonet_ctl_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->self = ECHONET_EOJ_CONTROLLER;
    cfg->response_timeout_ms = ECHONET_CTL_MIN_RESPONSE_TIMEOUT;
    cfg->max_props = 4 <= ECHONET_CTL_BATCH_MAX ? 4 : ECHONET_CTL_BATCH_MAX;
    cfg->attempts = 2;
    cfg->offline_after = 3;
    cfg->poll_interval_ms = 180000u;
    cfg->reread_interval_ms = 1800000u;
    cfg->keepalive_interval_ms = ECHONET_CTL_MAX_KEEPALIVE_INTERVAL;
    cfg->keepalive_retry_ms = 600000u;
    cfg->energy_interval_ms = 1800000u;
}

echonet_err echonet_ctl_init(echonet_ctl *ctl, const echonet_ctl_config *cfg, const echonet_ctl_callbacks *cb,
                             void *user, const echonet_ctl_storage *st)
{
    uint16_t i;

    if (!ctl || !cfg || !cb || !cb->event || !st || !config_ok(cfg) || !storage_ok(st))
        return ECHONET_ERR_INVALID_ARG;
    memset(ctl, 0, sizeof *ctl);
    ctl->cfg = *cfg;
    ctl->cb = *cb;
    ctl->user = user;
    ctl->st = *st;
    ctl->ready_head = ctl->ready_tail = NONE;
    ctl->free_nodes = ctl->free_objects = NONE;
    ctl->search_until = 0;
    ctl_index_clear(ctl);
    for (i = 0; i < st->n_ops; i++)
        ctl_op_free(ctl, i);
    ctl->tid = cfg->first_tid;
    ctl->search = !cfg->no_initial_search;
    return ECHONET_OK;
}

/* ---- What each node sends next ------------------------------------------------ */

/* Gives up the node's own read between two of its requests, for an
 * operation (ctl_op_first()); it is made again afterwards from the start
 * (what it read is kept). */
static void job_yield(echonet_ctl *ctl, echonet_ctl_node *n, uint32_t now)
{
    ctl_job_kind kind = (ctl_job_kind)n->job.kind;
    echonet_ctl_object *o;

    if (kind == J_INSTANCES || kind == J_OP)
        return; /* not given up (and no object: NONE is no index) */
    o = ctl_obj(ctl, n->job.object);
    if (kind == J_FAULT)
        o->work |= OW_FAULT;
    else if (!ctl_discovery_redo(o, kind))
        ctl_poll_redo(o, kind, now);
    n->job.kind = J_NONE;
}

/* Picks the node's next job; false when there is nothing to do. In order:
 * the probe of an offline node, its instance list, the discovery of each
 * object (AIF 3.1.3, 3.1.4) unless an operation for a ready object waits,
 * the application's operations, fault read-outs, polling. */
static bool pick_job(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t oi;
    bool ops_first;

    /* (Keepalives are not jobs: ctl_keepalive_send().) */
    if (n->state == N_OFFLINE) {
        /* Nothing but the probe of an offline node: any answer brings it back. */
        if (!(n->work & NW_PROBE))
            return false;
        n->work &= (uint8_t)~NW_PROBE;
        ctl_discovery_ask_instances(n);
        return true;
    }
    if (n->work & NW_INSTANCES) {
        n->work &= (uint8_t)~NW_INSTANCES;
        ctl_discovery_ask_instances(n);
        return true;
    }
    /* Again when the operations that went first ended at once and the
     * next is for an object not ready. */
    do {
        ops_first = ctl_op_first(ctl, n);
        for (oi = ops_first ? NONE : n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next)
            if (ctl_discovery_job(ctl, ni, oi))
                return true;
        if (ctl_pick_op(ctl, n, ops_first))
            return true;
    } while (ops_first && n->ops_head != NONE);
    for (oi = n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next) {
        echonet_ctl_object *o = ctl_obj(ctl, oi);

        if (o->work & OW_FAULT) {
            o->work &= (uint8_t)~OW_FAULT;
            return ctl_fault_step(ctl, n, oi, J_FAULT, false);
        }
        if (ctl_poll_job(ctl, n, oi, now))
            return true;
    }
    return false;
}

/* The node's job is done: what it was for goes on. */
static void job_done(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    ctl_job_kind kind = (ctl_job_kind)n->job.kind;
    uint16_t oi = n->job.object;

    if (kind == J_OP) {
        (void)ctl_op_step_done(ctl, n);
        return;
    }
    if (kind == J_FAULT) {
        if (n->job.phase == 0 && ctl_fault_codes_next(ctl, &n->job) && ctl_fault_step(ctl, n, oi, J_FAULT, true)) {
            n->job.phase = 1;
            return;
        }
        n->job.kind = J_NONE;
        ctl_fault_report(ctl, ni, oi, NONE);
        return;
    }
    n->job.kind = J_NONE;
    if (kind == J_POLL || kind == J_REREAD || kind == J_ENERGY)
        ctl_poll_done(ctl, ctl_obj(ctl, oi), kind);
    else if (kind == J_FIXED || kind == J_HISTORY_DAY || kind == J_HISTORY)
        ctl->energy->done(ctl, ctl_obj(ctl, oi), kind, (n->job.failed | n->job.timedout) != 0, now); /* (only its jobs) */
    else
        ctl_discovery_done(ctl, ni, kind, n->job.timedout != 0, now);
}

/* ---- Answers and their absence --------------------------------------------------- */

/* A value of the job's property: what the job is for takes it, then it is
 * cached and told. False: not a value (a map that does not decode, an
 * implausible reading), the property failed. */
static bool take_value(echonet_ctl *ctl, uint16_t ni, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    bool ok;

    switch (n->job.kind) {
    case J_INSTANCES:
    case J_NPID:
        return ctl_discovery_value(ctl, ni, epc, edt, pdc); /* the node profile's: not told */
    case J_ATTR:
    case J_ID:
        ok = ctl_discovery_value(ctl, ni, epc, edt, pdc);
        break;
    case J_OP:
        ok = ctl_op_take_value(ctl, ctl_op(ctl, n->op), epc, edt, pdc);
        break;
    default:
        ok = true;
        break;
    }
    if (!ok || !ctl_profile_plausible(ctl, ctl_obj(ctl, n->job.object)->eoj, epc, edt, pdc))
        return false;
    ctl_deliver(ctl, ni, n->job.object, epc, edt, pdc);
    return true;
}

/* The answer to the node's job request: each property asked is answered
 * (a value, or for a write an empty EDT) or failed (AIF 2.4.4). */
static void on_response(echonet_ctl *ctl, uint16_t ni, const echonet_frame *f, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_job *job = &n->job;
    bool write = (job->flags & JF_WRITE) != 0;
    uint16_t ok = 0, seen = 0;
    echonet_prop_iter it = f->props;
    echonet_prop p;
    bool first = true;
    int k;

    n->busy = false;
    n->timeouts = 0;
    while (echonet_prop_next(&it, &p)) {
        bool was_first = first;

        first = false;
        if (was_first && (job->flags & JF_PREFIX) && p.epc == ECHONET_EPC_REMOTE_CONTROL) {
            if (p.pdc != 0)
                job->flags |= JF_PREFIX_REFUSED;
            continue;
        }
        k = ctl_job_match(job, p.epc, seen);
        if (k < 0)
            continue; /* not asked for */
        seen |= ctl_bit((unsigned)k);
        if (write ? p.pdc == 0 : (p.pdc > 0 && take_value(ctl, ni, p.epc, p.edt, p.pdc)))
            ok |= ctl_bit((unsigned)k);
    }
    if (ctl_job_answered(job, ok, &n->capacity))
        job_done(ctl, ni, now);
    ctl_schedule(ctl, ni);
}

/* The node's request got no answer within the response timer (AIF 2.4.2). */
static void on_timeout(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_job *job = &n->job;

    n->busy = false;
    if (n->work & NW_KEEPALIVE) {
        if (ctl_keepalive_timeout(ctl, ni, now))
            ctl_node_offline(ctl, ni);
        return;
    }
    if (n->state == N_OFFLINE) {
        /* The probe of an offline node got no answer: the next one later. */
        job->kind = J_NONE;
        n->deadline = now + ctl->cfg.keepalive_retry_ms;
        return;
    }
    if (job->kind == J_NONE)
        return; /* a request to an object dropped meanwhile (ctl_objects_unlisted()) */
    switch (ctl_job_timeout(job, &n->timeouts, ctl->cfg.attempts, ctl->cfg.offline_after)) {
    case CTL_JOB_OFFLINE:
        ctl_node_offline(ctl, ni);
        return;
    case CTL_JOB_GAVE_UP:
        /* The unit may have dropped the object and its 0xD5 saying so been
         * lost, while its other objects answer (and keep it online): its
         * instance list is asked again after this job (AIF 3.1.1). */
        if (job->object != NONE && job->kind != J_NPID)
            n->work |= NW_INSTANCES;
        if (job->kind == J_POLL || job->kind == J_REREAD)
            ctl_poll_skip(ctl_obj(ctl, job->object), job);
        job->inflight = 0;
        break;
    default:
        break;
    }
    if (job->pending == 0)
        job_done(ctl, ni, now);
}

/* ---- Datagrams in ------------------------------------------------------------------ */

echonet_err echonet_ctl_read(echonet_ctl *ctl, const echonet_addr *src, const uint8_t *buf, size_t len,
                             echonet_tstamp at)
{
    echonet_frame f;
    int32_t used;

    if (!ctl || !src)
        return ECHONET_ERR_INVALID_ARG;
    /* Bytes after the last declared property are ignored (reference 2.4,
     * tolerance; doc/decisions.md). */
    used = echonet_frame_decode(&f, buf, len, NULL);
    if (used < 0)
        return (echonet_err)used;
    return echonet_ctl_read_frame(ctl, src, &f, at);
}

echonet_err echonet_ctl_read_frame(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f,
                                   echonet_tstamp at)
{
    echonet_ctl_node *n;
    echonet_eoj asked;
    uint32_t now;
    uint16_t ni;

    if (!ctl || !src || !f)
        return ECHONET_ERR_INVALID_ARG;
    now = ctl_clock(ctl, at);
    if (f->format != 1)
        return ECHONET_OK;
    if (f->esv == ECHONET_ESV_INF || f->esv == ECHONET_ESV_INFC) {
        /* (Two calls, not one: each its own frame, on the deepest path.) */
        if (echonet_eoj_is_node_profile(f->seoj))
            ctl_on_instance_list(ctl, src, f, CTL_EPC_INSTANCES_ANNOUNCED);
        else
            ctl_on_state_announced(ctl, src, f);
        return ECHONET_OK;
    }
    /* Only an answer (a response 0x7_, an SNA 0x5_): requests are for the
     * node side. */
    if (!esv_valid(f->esv) || (f->esv >> 4 != 0x5u && f->esv >> 4 != 0x7u))
        return ECHONET_OK;
    if (f->deoj != ctl->cfg.self)
        return ECHONET_OK; /* an answer to another object of this host (its DEOJ is the request's SEOJ) */
    if (ctl_discovery_is_search_answer(ctl, f, now)) {
        /* (The search is a Get 0xD6 to the node profile: ctl_send_search().) */
        if (echonet_eoj_is_node_profile(f->seoj))
            ctl_on_instance_list(ctl, src, f, CTL_EPC_INSTANCES);
        return ECHONET_OK;
    }
    ni = ctl_node_of_src(ctl, src);
    if (ni == NONE)
        return ECHONET_OK; /* not from a node we know */
    ctl_node_heard(ctl, ni);
    n = ctl_node(ctl, ni);
    /* Only the answer to the request in flight: same TID, the ESV pair,
     * the object asked (reference 11); late, duplicate and foreign frames
     * complete nothing. */
    if (!n->busy || f->tid != n->tid || !ctl_esv_answers(f->esv, n->esv))
        return ECHONET_OK;
    if (n->work & NW_KEEPALIVE) {
        ctl_keepalive_answer(ctl, ni, f, now);
        return ECHONET_OK;
    }
    if (n->job.kind == J_NONE) {
        /* The answer to a request whose object was dropped meanwhile
         * (ctl_objects_unlisted()): the node is free again. */
        n->busy = false;
        n->timeouts = 0;
        ctl_schedule(ctl, ni);
        return ECHONET_OK;
    }
    asked = ctl_job_deoj(ctl, n);
    if (f->seoj == asked || (echonet_eoj_is_node_profile(asked) && echonet_eoj_is_node_profile(f->seoj)))
        on_response(ctl, ni, f, now);
    return ECHONET_OK;
}

/* ---- Datagrams out ------------------------------------------------------------------- */

int32_t echonet_ctl_write(echonet_ctl *ctl, echonet_addr *dst, bool *multicast, uint8_t *buf, size_t cap,
                          echonet_tstamp at)
{
    uint16_t ni, oi;
    uint32_t now;

    if (!ctl || !dst || !multicast || !buf)
        return ECHONET_ERR_INVALID_ARG;
    /* (What the parts write needs no more: ctl_request_begin().) */
    if (cap < ECHONET_CTL_WRITE_MAX)
        return ECHONET_ERR_NOBUF;
    now = ctl_clock(ctl, at);
    *multicast = false;
    if (ctl->search > 0 && now >= ctl->search_until)
        return ctl_send_search(ctl, multicast, buf, cap, now);
    /* What is due: response timers, the nodes' own timers, the probes of
     * offline nodes. on_timeout() may set a new deadline (a probe's). */
    while ((ni = ctl_heap_top(ctl)) != NONE && ctl_node(ctl, ni)->deadline <= now) {
        echonet_ctl_node *n = ctl_node(ctl, ni);

        n->deadline = CLOCK_NEVER;
        ctl_heap_remove(ctl, ni);
        if (n->busy)
            on_timeout(ctl, ni, now);
        else if (n->state == N_OFFLINE)
            n->work |= NW_PROBE;
        else
            ctl_discovery_timer(ctl, n, now);
        ctl_schedule(ctl, ni);
    }
    while ((ni = ctl_ready_pop(ctl)) != NONE) {
        echonet_ctl_node *n = ctl_node(ctl, ni);

        if (n->busy || n->state == N_FREE || n->state == N_ALIAS)
            continue;
        oi = ctl_keepalive_due(ctl, n, now);
        if (oi != NONE) {
            *dst = n->addr;
            return ctl_keepalive_send(ctl, ni, oi, buf, cap, now);
        }
        if (n->job.kind != J_NONE && n->job.kind != J_OP && ctl_op_first(ctl, n))
            job_yield(ctl, n, now);
        if (n->job.kind == J_NONE && !pick_job(ctl, ni, now)) {
            ctl_schedule(ctl, ni);
            continue;
        }
        if (n->job.pending == 0) {
            /* A job with nothing to ask (a state read of a unit whose Get
             * map has none of the state properties). */
            job_done(ctl, ni, now);
            ctl_schedule(ctl, ni);
            continue;
        }
        *dst = n->addr;
        return ctl_job_send(ctl, ni, n->op != NONE ? ctl_op(ctl, n->op) : NULL, buf, cap, now);
    }
    return 0;
}

echonet_tstamp echonet_ctl_expiry(const echonet_ctl *ctl)
{
    uint16_t top;
    uint32_t t;

    if (!ctl)
        return ECHONET_TSTAMP_NEVER;
    if ((ctl->search > 0 && ctl->clock >= ctl->search_until) || ctl->ready_head != NONE)
        return 0;
    /* The earliest on the controller's clock, then in the application's
     * time (a heap deadline and search_until are never CLOCK_NEVER). */
    top = ctl_heap_top(ctl);
    t = top == NONE ? CLOCK_NEVER : ctl->st.nodes[top].deadline;
    if (ctl->search > 0 && ctl->search_until < t)
        t = ctl->search_until; /* the next search */
    return t == CLOCK_NEVER ? ECHONET_TSTAMP_NEVER : echonet_tstamp_add(ctl->epoch, t);
}
