/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller's parts, each through its own entry points (lib/ctl_*.h),
 * as ngtcp2 tests its path validation alone: the request job, the state
 * table, the probe, keepalives, the fault read-out, discovery values,
 * polling and operations. test_controller.c and the simulation are the
 * integration suite over the public API. */
#include <string.h>

#include "echonet/aircon.h"
#include "echonet/classes.h"
#include "../lib/ctl_discovery.h"
#include "../lib/ctl_fault.h"
#include "../lib/ctl_job.h"
#include "../lib/ctl_keepalive.h"
#include "../lib/ctl_meter.h"
#include "../lib/ctl_nodes.h"
#include "../lib/ctl_op.h"
#include "../lib/ctl_poll.h"
#include "../lib/ctl_probe.h"
#include "../lib/ctl_profile.h"
#include "../lib/ctl_state.h"
#include "tests.h"

/* ---- A controller with a few slots, driven by hand ---------------------------- */

#define P_NODES 4
#define P_OBJECTS 8
#define P_OPS 4

static echonet_ctl pc;
static echonet_ctl_node p_nodes[P_NODES];
static echonet_ctl_object p_objects[P_OBJECTS];
static echonet_ctl_op p_ops[P_OPS];
static uint16_t p_index[2 * P_NODES], p_heap[P_NODES];
static echonet_ctl_event p_events[32];
static unsigned p_n_events;

static void p_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    if (p_n_events < 32)
        p_events[p_n_events] = *ev;
    p_n_events++;
}

static unsigned p_count(echonet_ctl_event_kind kind)
{
    unsigned i, n = 0;

    for (i = 0; i < p_n_events && i < 32; i++)
        n += p_events[i].kind == kind;
    return n;
}

static void p_init(bool remote)
{
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {p_event};
    echonet_ctl_storage st = {p_nodes, P_NODES, p_objects, P_OBJECTS, p_ops, P_OPS, p_index, 2 * P_NODES, p_heap};

    echonet_ctl_config_default(&cfg);
    cfg.remote = remote;
    cfg.no_initial_search = true;
    ck_assert_int_eq(echonet_ctl_init(&pc, &cfg, &cb, NULL, &st), ECHONET_OK);
    p_n_events = 0;
}

/* A node at 192.0.2.(10 + k). */
static uint16_t p_node(unsigned k)
{
    echonet_addr a;
    uint16_t ni;

    ck_assert_int_eq(echonet_addr_set(&a, (const uint8_t[]){192, 0, 2, (uint8_t)(10 + k)}, 4), ECHONET_OK);
    ni = ctl_node_create(&pc, &a);
    ck_assert_uint_ne(ni, NONE);
    return ni;
}

/* Air conditioner @p instance of node @p ni, ready, with 0x80, 0xB0, 0xB3
 * and 0x93 settable and readable. */
static uint16_t p_aircon(uint16_t ni, uint8_t instance)
{
    static const uint8_t epcs[] = {0x80, 0xB0, 0xB3, 0x93, 0x88, 0x86, 0x89};
    echonet_ctl_object *o;
    uint16_t oi = ctl_object_get(&pc, ni, ECHONET_EOJ(0x01, 0x30, instance));
    unsigned k;

    ck_assert_uint_ne(oi, NONE);
    o = ctl_obj(&pc, oi);
    for (k = 0; k < sizeof epcs; k++) {
        ck_assert_int_eq(echonet_propmap_add(&o->get, epcs[k]), ECHONET_OK);
        if (k < 4)
            ck_assert_int_eq(echonet_propmap_add(&o->set, epcs[k]), ECHONET_OK);
    }
    o->work = OW_READY;
    return oi;
}

/* A job of @p n properties 0x80.. with the first @p inflight in flight. */
static void p_job(echonet_ctl_job *job, unsigned n, unsigned inflight, bool write)
{
    static const uint8_t epcs[] = {0x80, 0xB0, 0xB3, 0xA0, 0x8F, 0xBB};

    memset(job, 0, sizeof *job);
    job->epc = epcs;
    job->n = (uint8_t)n;
    job->pending = ctl_all_of(n);
    job->inflight = ctl_all_of(inflight);
    job->flags = write ? JF_WRITE : 0;
}

/* ---- The request job (AIF 2.4.1-2.4.4, 5.2) ------------------------------------- */

/* One property alone, refused: that is the device's answer; nothing to ask again. */
START_TEST(job_alone_refused_is_failed)
{
    echonet_ctl_job job;
    uint8_t capacity = 4;

    p_job(&job, 1, 1, false);
    ck_assert(ctl_job_answered(&job, 0, &capacity));
    ck_assert_uint_eq(job.failed, 1);
    ck_assert_uint_eq(job.pending, 0);
    ck_assert_uint_eq(capacity, 4);
}
END_TEST

/* A read whose last properties failed after processed ones shows the
 * unit's capacity (AIF 5.2): learned, the rest asked again in groups. */
START_TEST(job_read_tail_learns_capacity)
{
    echonet_ctl_job job;
    uint8_t capacity = 4;

    p_job(&job, 6, 4, false);
    ck_assert(!ctl_job_answered(&job, 0x3, &capacity));
    ck_assert_uint_eq(capacity, 2);
    ck_assert_uint_eq(job.pending, 0x3C);
    ck_assert_uint_eq(job.failed, 0);
    ck_assert(!(job.flags & JF_SINGLE));
}
END_TEST

/* A hole (answered, failed, answered) is no capacity: asked one by one. */
START_TEST(job_read_hole_goes_single)
{
    echonet_ctl_job job;
    uint8_t capacity = 4;

    p_job(&job, 3, 3, false);
    ck_assert(!ctl_job_answered(&job, 0x5, &capacity));
    ck_assert_uint_eq(capacity, 4);
    ck_assert(job.flags & JF_SINGLE);
    ck_assert_uint_eq(job.pending, 0x2);
}
END_TEST

/* A write refused before a property that was processed is the device's
 * refusal (it processes in order): never re-sent alone, where it would
 * land after properties that come later in the order of AIF 5.1 ⑦. Only
 * those after the last processed one are asked again, one by one. */
START_TEST(job_write_refused_before_processed_not_resent)
{
    echonet_ctl_job job;
    uint8_t capacity = 4;

    p_job(&job, 4, 4, true);
    /* 0x80 refused, 0xB0 taken, 0xB3 and 0xA0 not. */
    ck_assert(!ctl_job_answered(&job, 0x2, &capacity));
    ck_assert_uint_eq(job.failed, 0x1);
    ck_assert_uint_eq(job.pending, 0xC);
    ck_assert(job.flags & JF_SINGLE);
    ck_assert_uint_eq(capacity, 4); /* a write shows no capacity */
}
END_TEST

/* A group without answer is asked again whole for all its attempts, then
 * one by one; it never counts toward offline (a lost datagram is likelier). */
START_TEST(job_timeout_group_retried_then_split)
{
    echonet_ctl_job job;
    uint8_t timeouts = 0;

    p_job(&job, 5, 3, false);
    ck_assert_int_eq(ctl_job_timeout(&job, &timeouts, 2, 1), CTL_JOB_AGAIN);
    ck_assert_uint_eq(job.split, 0);
    job.inflight = 0x7;
    ck_assert_int_eq(ctl_job_timeout(&job, &timeouts, 2, 1), CTL_JOB_AGAIN);
    ck_assert_uint_eq(job.split, 3); /* only this group, not the rest of the job */
    ck_assert_uint_eq(job.pending, 0x1F);
    ck_assert_uint_eq(timeouts, 0);
    ck_assert_uint_eq(job.inflight, 0);
}
END_TEST

/* A property alone uses up its attempts, then times out and counts once;
 * offline_after such in a row make the node offline. */
START_TEST(job_timeout_single_gives_up_and_counts)
{
    echonet_ctl_job job;
    uint8_t timeouts = 0;

    p_job(&job, 2, 1, false);
    ck_assert_int_eq(ctl_job_timeout(&job, &timeouts, 2, 2), CTL_JOB_AGAIN);
    job.inflight = 1;
    ck_assert_int_eq(ctl_job_timeout(&job, &timeouts, 2, 2), CTL_JOB_GAVE_UP);
    ck_assert_uint_eq(job.timedout, 1);
    ck_assert_uint_eq(job.pending, 2);
    ck_assert_uint_eq(timeouts, 1);
    job.inflight = 2;
    ck_assert_int_eq(ctl_job_timeout(&job, &timeouts, 1, 2), CTL_JOB_OFFLINE);
    ck_assert_uint_eq(timeouts, 2);
}
END_TEST

/* An answer matches a property in flight once; others are ignored. */
START_TEST(job_match_only_inflight_unseen)
{
    echonet_ctl_job job;

    p_job(&job, 3, 2, false);
    ck_assert_int_eq(ctl_job_match(&job, 0xB0, 0), 1);
    ck_assert_int_eq(ctl_job_match(&job, 0xB0, 0x2), -1); /* answered already */
    ck_assert_int_eq(ctl_job_match(&job, 0xB3, 0), -1);   /* not in flight */
    ck_assert_int_eq(ctl_job_match(&job, 0x81, 0), -1);   /* not asked */
}
END_TEST

/* Each request a new TID (AIF 2.4.3); the node busy for the response timer
 * (2.4.1, 2.4.2); the remote prefix 0x93 = 0x42 first and counted in the
 * node's capacity (4.1): a write of four to a unit of capacity four goes as
 * 0x93 and three. */
START_TEST(job_send_tid_timer_and_prefix)
{
    static const uint8_t epcs[] = {0x80, 0xB0, 0xB3, 0xA0};
    static const uint8_t values[] = {0x30, 0x42, 25, 0x41};
    uint8_t buf[128];
    echonet_frame f;
    echonet_prop p;
    echonet_prop_iter it;
    echonet_ctl_op op;
    echonet_ctl_node *n;
    uint16_t ni, oi;
    int32_t len;
    uint16_t tid;
    unsigned k;

    p_init(true);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    memset(&op, 0, sizeof op);
    for (k = 0; k < 4; k++) {
        op.epc[k] = epcs[k];
        op.len[k] = 1;
        op.data[k] = values[k];
    }
    op.n = 4;
    ctl_job_start(n, J_OP, oi, op.epc, 4, ctl_all_of(4), JF_WRITE | JF_PREFIX);
    len = ctl_job_send(&pc, ni, &op, buf, sizeof buf, 1000);
    ck_assert_int_gt(len, 0);
    ck_assert_int_gt(echonet_frame_decode(&f, buf, (size_t)len, NULL), 0);
    tid = f.tid;
    ck_assert_uint_eq(f.esv, ECHONET_ESV_SETC);
    ck_assert_uint_eq(f.opc, 4);
    it = f.props;
    ck_assert(echonet_prop_next(&it, &p));
    ck_assert_uint_eq(p.epc, 0x93);
    ck_assert_uint_eq(p.edt[0], 0x42);
    for (k = 0; k < 3; k++) {
        ck_assert(echonet_prop_next(&it, &p));
        ck_assert_uint_eq(p.epc, epcs[k]);
        ck_assert_uint_eq(p.edt[0], values[k]);
    }
    ck_assert(n->busy);
    ck_assert_uint_eq(n->deadline, 1000 + ECHONET_CTL_MIN_RESPONSE_TIMEOUT);
    ck_assert_uint_eq(n->job.inflight, 0x7);
    n->busy = false;
    len = ctl_job_send(&pc, ni, &op, buf, sizeof buf, 2000);
    ck_assert_int_gt(len, 0);
    ck_assert_int_gt(echonet_frame_decode(&f, buf, (size_t)len, NULL), 0);
    ck_assert_uint_eq(f.tid, (uint16_t)(tid + 1u)); /* a new TID for each request */
    ck_assert_uint_eq(n->tid, f.tid);
}
END_TEST

/* ---- The state table ----------------------------------------------------------- */

/* One table: property i is bit i and field i of echonet_ctl_state; only
 * the first seven are the status read; 0x93 is cached, never asked. */
START_TEST(state_table_is_fields_in_order)
{
    static const uint8_t in_order[] = {0x80, 0x8F, 0xB0, 0xB3, 0xBB, 0xA0, 0x88, 0x93};
    echonet_ctl_state *s;
    echonet_propmap map;
    uint16_t ni, oi;
    unsigned k;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    s = &ctl_obj(&pc, oi)->state;
    for (k = 0; k < sizeof in_order; k++) {
        uint8_t v = (uint8_t)(0x30 + k);

        ck_assert_uint_eq(ctl_state_bit(in_order[k]), 1u << k);
        ctl_deliver(&pc, ni, oi, in_order[k], &v, 1);
        ck_assert_uint_eq((&s->status)[k], v);
        ck_assert(s->valid & (1u << k));
    }
    ck_assert_uint_eq(s->status, 0x30);
    ck_assert_uint_eq(s->remote, 0x37);
    ck_assert_uint_eq(ctl_state_bit(0x81), 0);
    memset(&map, 0, sizeof map);
    (void)echonet_propmap_add(&map, 0x80);
    (void)echonet_propmap_add(&map, 0xB0);
    (void)echonet_propmap_add(&map, 0x93);
    ck_assert_uint_eq(ctl_state_bits_in(&map), ECHONET_CTL_S_STATUS | ECHONET_CTL_S_MODE);
    (void)echonet_propmap_add(&map, 0x88);
    ck_assert_uint_eq(ctl_state_bits_in(&map), ECHONET_CTL_S_STATUS | ECHONET_CTL_S_MODE | ECHONET_CTL_S_FAULT);
    ck_assert_uint_eq(CTL_STATUS_READ, 7);
}
END_TEST

/* A fault newly seen starts the read-out, once (AIF 3.4, 5.5). */
START_TEST(state_fault_seen_starts_readout)
{
    static const uint8_t fault = ECHONET_FAULT, ok = ECHONET_NO_FAULT;
    echonet_ctl_object *o;
    uint16_t ni, oi;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    o = ctl_obj(&pc, oi);
    ctl_deliver(&pc, ni, oi, 0x88, &ok, 1);
    ck_assert(!(o->work & OW_FAULT));
    ctl_deliver(&pc, ni, oi, 0x88, &fault, 1);
    ck_assert(o->work & OW_FAULT);
    o->work &= (uint8_t)~OW_FAULT;
    ctl_deliver(&pc, ni, oi, 0x88, &fault, 1); /* not changed: no second read-out */
    ck_assert(!(o->work & OW_FAULT));
}
END_TEST

/* ---- The probe (AIF 5.3) ---------------------------------------------------------- */

/* Steps of a unit that was off and refuses writes while off: after the
 * search, the mode and temperature go back first and 0x80 = OFF alone and
 * last (issue 13, defect 4). */
START_TEST(probe_restore_off_last_alone)
{
    echonet_ctl_op op;
    ctl_probe_state *p;
    echonet_ctl_node n;

    memset(&op, 0, sizeof op);
    memset(&n, 0, sizeof n);
    p = ctl_probe_state_of(&op);
    p->mode = ECHONET_MODE_COOL;
    p->low = 18;
    p->high = 20;
    p->found_low = p->found_high = CTL_NO_TEMP;
    ctl_probe_step(&op, PR_SAVE);
    ck_assert_uint_eq(op.n, 3);
    /* Saved: off, heat, 23 °C. */
    p->s80 = ECHONET_OFF;
    p->sb0 = ECHONET_MODE_HEAT;
    p->sb3 = 23;
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_ON);
    ck_assert_uint_eq(op.epc[0], 0x80);
    ck_assert_uint_eq(op.data[0], ECHONET_ON);
    ck_assert_uint_eq(op.data[1], ECHONET_MODE_COOL);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_HIGH_TRY);
    ck_assert_uint_eq(op.data[0], 20);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_HIGH_CHECK);
    ctl_probe_next(&op, false, false, 0, 0, 20); /* took 20 */
    ck_assert_uint_eq(p->found_high, 20);
    ck_assert_uint_eq(op.phase, PR_LOW_TRY);
    ck_assert_uint_eq(op.data[0], 18);
    ctl_probe_next(&op, true, false, 1, 0, 0); /* 18 refused: 19 next */
    ck_assert_uint_eq(op.phase, PR_LOW_TRY);
    ck_assert_uint_eq(op.data[0], 19);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ctl_probe_next(&op, false, false, 0, 0, 19);
    ck_assert_uint_eq(p->found_low, 19);
    ck_assert_uint_eq(op.phase, PR_RESTORE);
    ck_assert_uint_eq(op.n, 3);
    ck_assert_uint_eq(op.epc[0], 0xB0);
    ck_assert_uint_eq(op.data[0], ECHONET_MODE_HEAT);
    ck_assert_uint_eq(op.epc[1], 0xB3);
    ck_assert_uint_eq(op.data[1], 23);
    ck_assert_uint_eq(op.epc[2], 0x80);
    ck_assert_uint_eq(op.data[2], ECHONET_OFF);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_RESTORE_OFF);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_DONE);
    ck_assert_uint_eq(op.refused, 0);
    ck_assert_uint_eq(op.timedout, 0);
}
END_TEST

/* A unit that was on gets 0x80 = ON first (write order of AIF 5.1 ⑦), and
 * a substituted reading is the next guess; a timeout goes straight to the
 * restore and is reported. */
START_TEST(probe_substitute_and_timeout)
{
    echonet_ctl_op op;
    ctl_probe_state *p;

    memset(&op, 0, sizeof op);
    p = ctl_probe_state_of(&op);
    p->mode = ECHONET_MODE_HEAT;
    p->low = 10;
    p->high = 30;
    p->found_low = p->found_high = CTL_NO_TEMP;
    p->s80 = ECHONET_ON;
    p->sb0 = ECHONET_MODE_COOL;
    p->sb3 = 26;
    ctl_probe_step(&op, PR_HIGH_CHECK);
    p->cand = 30;
    ctl_probe_next(&op, false, false, 0, 0, 28); /* the unit took 28 */
    ck_assert_uint_eq(op.phase, PR_HIGH_TRY);
    ck_assert_uint_eq(op.data[0], 28);
    ctl_probe_next(&op, false, true, 0, 1, 0);
    ck_assert_uint_eq(op.timedout, 1);
    ck_assert_uint_eq(op.phase, PR_RESTORE);
    ck_assert_uint_eq(op.epc[0], 0x80);
    ck_assert_uint_eq(op.data[0], ECHONET_ON);
    ck_assert_uint_eq(op.epc[1], 0xB0);
    ck_assert_uint_eq(op.epc[2], 0xB3);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_DONE); /* no OFF step for a unit that was on */
    /* A reading exactly at LOW is still the next guess. */
    ctl_probe_step(&op, PR_HIGH_CHECK);
    p->cand = 20;
    ctl_probe_next(&op, false, false, 0, 0, 10);
    ck_assert_uint_eq(op.phase, PR_HIGH_TRY);
    ck_assert_uint_eq(op.data[0], 10);
    /* Only 0x80 saved (mode and temperature unread): the restore is that
     * one property, in one request, then done. */
    p->s80 = ECHONET_OFF;
    p->sb0 = p->sb3 = CTL_NO_TEMP;
    ctl_probe_step(&op, PR_RESTORE);
    ck_assert_uint_eq(op.n, 1);
    ck_assert_uint_eq(op.epc[0], 0x80);
    ctl_probe_next(&op, false, false, 0, 0, 0);
    ck_assert_uint_eq(op.phase, PR_DONE);
}
END_TEST

/* ---- Keepalives (AIF 3.5) ------------------------------------------------------------ */

/* The longest overdue goes first; one not wanted (line down) never. */
START_TEST(keepalive_due_longest_overdue_first)
{
    uint16_t ni, a, b, c;

    p_init(true);
    echonet_ctl_set_line(&pc, true, 0);
    ni = p_node(0);
    a = p_aircon(ni, 1);
    b = p_aircon(ni, 2);
    c = p_aircon(ni, 3);
    ctl_obj(&pc, a)->next_keepalive = 500;
    ctl_obj(&pc, b)->next_keepalive = 100;
    ctl_obj(&pc, c)->next_keepalive = 5000;
    ck_assert_uint_eq(ctl_keepalive_due(&pc, ctl_node(&pc, ni), 1000), b);
    ctl_obj(&pc, b)->next_keepalive = 2000;
    ck_assert_uint_eq(ctl_keepalive_due(&pc, ctl_node(&pc, ni), 1000), a);
    ck_assert_uint_eq(ctl_keepalive_due(&pc, ctl_node(&pc, ni), 400), NONE);
    echonet_ctl_set_line(&pc, false, 0);
    ck_assert_uint_eq(ctl_keepalive_due(&pc, ctl_node(&pc, ni), 1000), NONE);
}
END_TEST

/* A keepalive answered is scheduled within its interval; one without
 * answer is retried after keepalive_retry_ms and counts toward offline. */
START_TEST(keepalive_answer_and_timeout)
{
    uint8_t buf[64];
    echonet_frame f;
    echonet_ctl_node *n;
    uint16_t ni, oi;

    p_init(true);
    echonet_ctl_set_line(&pc, true, 0);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    ck_assert_int_gt(ctl_keepalive_send(&pc, ni, oi, buf, sizeof buf, 1000), 0);
    ck_assert(n->busy && (n->work & NW_KEEPALIVE));
    memset(&f, 0, sizeof f);
    f.esv = ECHONET_ESV_SET_RES;
    f.seoj = ctl_obj(&pc, oi)->eoj;
    ctl_keepalive_answer(&pc, ni, &f, 2000);
    ck_assert(!n->busy && !(n->work & NW_KEEPALIVE));
    ck_assert_uint_gt(ctl_obj(&pc, oi)->next_keepalive, 2000);
    ck_assert_uint_le(ctl_obj(&pc, oi)->next_keepalive, 2000 + ECHONET_CTL_MAX_KEEPALIVE_INTERVAL);
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_KEEPALIVE), 1);
    ck_assert(p_events[p_n_events - 1].ok);
    ck_assert_int_gt(ctl_keepalive_send(&pc, ni, oi, buf, sizeof buf, 3000), 0);
    n->timeouts = (uint8_t)(pc.cfg.offline_after - 1u);
    ck_assert(ctl_keepalive_timeout(&pc, ni, 23000));
    ck_assert_uint_eq(ctl_obj(&pc, oi)->next_keepalive, 23000 + pc.cfg.keepalive_retry_ms);
    ck_assert(!p_events[p_n_events - 1].ok);
}
END_TEST

/* ---- Fault read-out, discovery values, polling ------------------------------------- */

/* The codes are read only after 0x88 was answered 0x41. */
START_TEST(fault_codes_only_after_fault_answered)
{
    static const uint8_t fault = ECHONET_FAULT;
    echonet_ctl_node *n;
    uint16_t ni, oi;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    ck_assert(ctl_fault_step(&pc, n, oi, J_FAULT, false));
    ck_assert_uint_eq(n->job.n, 1);
    ck_assert_uint_eq(n->job.epc[0], 0x88);
    ck_assert(!ctl_fault_codes_next(&pc, &n->job)); /* fault status not known */
    ctl_deliver(&pc, ni, oi, 0x88, &fault, 1);
    ck_assert(ctl_fault_codes_next(&pc, &n->job));
    n->job.timedout = 1;
    ck_assert(!ctl_fault_codes_next(&pc, &n->job));
    n->job.timedout = 0;
    n->job.failed = 1; /* 0x88 refused (Get_SNA) */
    ck_assert(!ctl_fault_codes_next(&pc, &n->job));
    n->job.failed = 0;
    ck_assert(ctl_fault_step(&pc, n, oi, J_FAULT, true));
    ck_assert_uint_eq(n->job.pending, 0x3); /* 0x86 and 0x89, both in its Get map */
    p_n_events = 0;
    ctl_fault_report(&pc, ni, oi, 3);
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_FAULT), 1);
    ck_assert_uint_eq(p_events[0].fault, ECHONET_FAULT);
    ck_assert_uint_eq(p_events[0].op, 3);
    ck_assert(!(ctl_obj(&pc, oi)->work & OW_FAULT));
    /* A fault raised again during an automatic read-out owes another. */
    ctl_obj(&pc, oi)->work |= OW_FAULT;
    ctl_fault_report(&pc, ni, oi, NONE);
    ck_assert(ctl_obj(&pc, oi)->work & OW_FAULT);
}
END_TEST

/* Maps decode or fail the property; identification numbers have 17 bytes;
 * the announce map gives the announced state bits. */
START_TEST(discovery_values)
{
    static const uint8_t anno[] = {2, 0x80, 0xB0}, bad_map[] = {2, 0x80, 0x40}; /* an EPC below 0x80 */
    uint8_t id[17];
    echonet_ctl_node *n;
    echonet_ctl_object *o;
    uint16_t ni, oi;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    o = ctl_obj(&pc, oi);
    ctl_job_start(n, J_ATTR, oi, NULL, 0, 0, 0);
    ck_assert(ctl_discovery_value(&pc, ni, 0x9D, anno, sizeof anno));
    ck_assert_uint_eq(o->announced, ECHONET_CTL_S_STATUS | ECHONET_CTL_S_MODE);
    ck_assert(!ctl_discovery_value(&pc, ni, 0x9F, bad_map, sizeof bad_map));
    memset(id, 0xAB, sizeof id);
    ctl_job_start(n, J_NPID, oi, NULL, 0, 0, 0);
    ck_assert(!ctl_discovery_value(&pc, ni, 0x83, id, 16));
    ck_assert(ctl_discovery_value(&pc, ni, 0x83, id, 17));
    ck_assert_mem_eq(o->id, id, 17);
}
END_TEST

/* A search answer only inside its window, with its TID, to a Get. */
START_TEST(discovery_search_answer_window)
{
    uint8_t buf[64];
    bool multicast = false;
    echonet_frame f;

    p_init(false);
    ck_assert_int_gt(ctl_send_search(&pc, &multicast, buf, sizeof buf, 1000), 0);
    ck_assert(multicast);
    memset(&f, 0, sizeof f);
    f.tid = pc.search_tid;
    f.esv = ECHONET_ESV_GET_RES;
    ck_assert(ctl_discovery_is_search_answer(&pc, &f, 1000 + ECHONET_CTL_MIN_RESPONSE_TIMEOUT - 1));
    ck_assert(!ctl_discovery_is_search_answer(&pc, &f, 1000 + ECHONET_CTL_MIN_RESPONSE_TIMEOUT));
    f.esv = ECHONET_ESV_SET_RES;
    ck_assert(!ctl_discovery_is_search_answer(&pc, &f, 2000));
    f.esv = ECHONET_ESV_GET_SNA;
    ck_assert(ctl_discovery_is_search_answer(&pc, &f, 2000));
    f.tid++;
    ck_assert(!ctl_discovery_is_search_answer(&pc, &f, 2000));
}
END_TEST

/* Polling asks what the announce map does not cover, re-reading what it
 * does; a property that timed out alone is skipped until the re-read; no
 * energy read unless asked for (echonet_ctl_read_energy()). */
START_TEST(poll_filters_skip_and_energy)
{
    echonet_ctl_node *n;
    echonet_ctl_object *o;
    echonet_ctl_job job;
    uint16_t ni, oi;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    o = ctl_obj(&pc, oi);
    (void)echonet_propmap_add(&o->get, 0xBB);
    (void)echonet_propmap_add(&o->get, 0x84);
    o->announced = ECHONET_CTL_S_STATUS;
    ctl_object_timers(&pc, o, 0);
    ck_assert_uint_eq(o->next_energy, CLOCK_NEVER);
    ck_assert(!ctl_poll_job(&pc, n, oi, 1000));
    ck_assert(ctl_poll_job(&pc, n, oi, pc.cfg.poll_interval_ms));
    ck_assert_uint_eq(n->job.kind, J_POLL);
    /* 0xB0, 0xB3, 0xBB, 0x88 of the status read: not 0x80 (announced), not 0x8F or 0xA0 (not readable). */
    ck_assert_uint_eq(n->job.pending, ctl_bit(2) | ctl_bit(3) | ctl_bit(4) | ctl_bit(6));
    memset(&job, 0, sizeof job);
    job.epc = ctl_state_epcs;
    job.n = CTL_STATUS_READ;
    job.inflight = ctl_bit(4) | ctl_bit(3);
    ctl_poll_skip(o, &job); /* two in flight: no skip */
    ck_assert_uint_eq(o->skip[0], 0);
    job.inflight = ctl_bit(4);
    ctl_poll_skip(o, &job);
    ck_assert_uint_eq(o->skip[0], 0xBB);
    ck_assert(ctl_poll_job(&pc, n, oi, 2 * pc.cfg.poll_interval_ms));
    ck_assert(!(n->job.pending & ctl_bit(4)));
    ck_assert(!ctl_poll_job(&pc, n, oi, 2 * pc.cfg.poll_interval_ms + 1)); /* nothing due: no energy */
    ck_assert_int_eq(echonet_ctl_read_energy(&pc), ECHONET_OK);
    ck_assert(ctl_poll_job(&pc, n, oi, 2 * pc.cfg.poll_interval_ms + 2));
    ck_assert_uint_eq(n->job.kind, J_ENERGY);
    ck_assert_uint_eq(n->job.pending, 0x1); /* 0x84 only: no 0x85 in its Get map */
}
END_TEST

/* ---- Operations ----------------------------------------------------------------------- */

/* Values are kept in the order of AIF 5.1 ⑦ whatever the order given, and
 * each found by its EPC. */
START_TEST(op_write_order_and_values)
{
    const echonet_prop props[] = {
        {0xA0, 1, (const uint8_t[]){0x41}},
        {0xB3, 1, (const uint8_t[]){24}},
        {0x80, 1, (const uint8_t[]){ECHONET_ON}},
        {0xB0, 1, (const uint8_t[]){ECHONET_MODE_COOL}},
    };
    const echonet_ctl_op *op;
    const uint8_t *v;
    size_t len;
    uint16_t ni, h;

    p_init(false);
    ni = p_node(0);
    (void)p_aircon(ni, 1);
    ck_assert_int_eq(echonet_ctl_set(&pc, ni, ECHONET_EOJ(0x01, 0x30, 1), props, 4, &h), ECHONET_OK);
    op = ctl_op(&pc, h);
    ck_assert_uint_eq(op->n, 4);
    ck_assert_uint_eq(op->epc[0], 0x80);
    ck_assert_uint_eq(op->epc[1], 0xB0);
    ck_assert_uint_eq(op->epc[2], 0xB3);
    ck_assert_uint_eq(op->epc[3], 0xA0);
    v = ctl_op_value(op, 0xB3, &len);
    ck_assert_uint_eq(len, 1);
    ck_assert_uint_eq(v[0], 24);
    ck_assert_int_eq(ctl_op_index_of(op, 0x81), -1);
    /* A fault read-out names 0x88, what a TIMED_OUT outcome of it lists. */
    ck_assert_int_eq(echonet_ctl_read_fault(&pc, ni, ECHONET_EOJ(0x01, 0x30, 1), &h), ECHONET_OK);
    ck_assert_uint_eq(ctl_op(&pc, h)->n, 1);
    ck_assert_uint_eq(ctl_op(&pc, h)->epc[0], 0x88);
}
END_TEST

/* An object dropped from its node's list ends its operations, running and
 * queued, with INSTANCE_GONE; another object's stay. */
START_TEST(op_removed_ends_instance_gone)
{
    static const uint8_t epcs[] = {0x80};
    echonet_ctl_node *n;
    uint16_t ni, a, b, h1, h2, h3;
    unsigned i, gone = 0;

    p_init(false);
    ni = p_node(0);
    a = p_aircon(ni, 1);
    b = p_aircon(ni, 2);
    n = ctl_node(&pc, ni);
    ck_assert_int_eq(echonet_ctl_get(&pc, ni, ECHONET_EOJ(0x01, 0x30, 1), epcs, 1, &h1), ECHONET_OK);
    ck_assert_int_eq(echonet_ctl_get(&pc, ni, ECHONET_EOJ(0x01, 0x30, 2), epcs, 1, &h2), ECHONET_OK);
    ck_assert_int_eq(echonet_ctl_get(&pc, ni, ECHONET_EOJ(0x01, 0x30, 1), epcs, 1, &h3), ECHONET_OK);
    ck_assert(ctl_pick_op(&pc, n, true));
    ck_assert_uint_eq(n->op, h1);
    p_n_events = 0;
    ctl_ops_removed(&pc, n, a);
    ck_assert_uint_eq(n->op, NONE);
    for (i = 0; i < p_n_events; i++) {
        ck_assert_uint_eq(p_events[i].kind, ECHONET_CTL_EV_DONE);
        ck_assert_int_eq(p_events[i].outcome, ECHONET_CTL_INSTANCE_GONE);
        ck_assert(p_events[i].op == h1 || p_events[i].op == h3);
        gone++;
    }
    ck_assert_uint_eq(gone, 2);
    ck_assert_uint_eq(n->ops_head, h2);
    ck_assert_uint_eq(ctl_op(&pc, h2)->object, b);
}
END_TEST

/* A write's verifying Get (AIF 2.4.5, 4.1 ③) that gets no answer leaves the
 * properties it did not confirm unknown: TIMED_OUT names them, but not one
 * the unit refused (REFUSED says that already). */
START_TEST(op_verify_timeout_names_unconfirmed)
{
    const echonet_prop props[] = {
        {0xB3, 1, (const uint8_t[]){24}},
        {0x80, 1, (const uint8_t[]){ECHONET_ON}},
        {0xB0, 1, (const uint8_t[]){ECHONET_MODE_COOL}},
    };
    echonet_ctl_node *n;
    uint16_t ni, h;

    p_init(false);
    ni = p_node(0);
    (void)p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    ck_assert_int_eq(echonet_ctl_set(&pc, ni, ECHONET_EOJ(0x01, 0x30, 1), props, 3, &h), ECHONET_OK);
    ck_assert(ctl_pick_op(&pc, n, true));
    ck_assert(n->job.flags & JF_WRITE);
    /* The SetC: 0xB0 (index 1 in the order 0x80, 0xB0, 0xB3) refused. */
    n->job.failed = ctl_bit(1);
    n->job.pending = 0;
    p_n_events = 0;
    ck_assert(ctl_op_step_done(&pc, n));
    ck_assert(!(n->job.flags & JF_WRITE));
    ck_assert_uint_eq(n->job.pending, ctl_all_of(3));
    ck_assert_uint_eq(p_n_events, 0);
    /* The verifying Get: 0xB0 and 0xB3 never answered. */
    n->job.timedout = ctl_bit(1) | ctl_bit(2);
    n->job.pending = 0;
    ck_assert(!ctl_op_step_done(&pc, n));
    ck_assert_uint_eq(p_n_events, 1);
    ck_assert_uint_eq(p_events[0].kind, ECHONET_CTL_EV_DONE);
    ck_assert_uint_eq(p_events[0].op, h);
    ck_assert_int_eq(p_events[0].outcome, ECHONET_CTL_TIMED_OUT);
    ck_assert_uint_eq(echonet_propmap_count(&p_events[0].props), 1);
    ck_assert(echonet_propmap_contains(&p_events[0].props, 0xB3));
    ck_assert_uint_eq(n->op, NONE);
}
END_TEST

/* A write from outside the home (echonet_ctl_set_ex(), AIF 4.1) carries the
 * remote prefix though the controller is not in remote mode; a plain one
 * does not; one to a unit that cannot be told so is not made; 0x93 of the
 * application's own and unknown flags are refused. */
START_TEST(op_remote_write_per_operation)
{
    const echonet_prop on = {0x80, 1, (const uint8_t[]){ECHONET_ON}};
    const echonet_prop own93 = {0x93, 1, (const uint8_t[]){0x42}};
    const echonet_eoj eoj = ECHONET_EOJ(0x01, 0x30, 1);
    echonet_ctl_node *n;
    uint16_t ni, oi, h;

    p_init(false);
    ni = p_node(0);
    oi = p_aircon(ni, 1);
    n = ctl_node(&pc, ni);
    ck_assert_int_eq(echonet_ctl_set_ex(&pc, ni, eoj, &on, 1, ECHONET_CTL_FROM_REMOTE, &h), ECHONET_OK);
    ck_assert(ctl_pick_op(&pc, n, true));
    ck_assert(n->job.flags & JF_PREFIX);
    ck_assert(n->job.flags & JF_WRITE);
    n->job.kind = J_NONE;
    n->op = NONE;
    ctl_op_free(&pc, h);
    ck_assert_int_eq(echonet_ctl_set(&pc, ni, eoj, &on, 1, &h), ECHONET_OK);
    ck_assert(ctl_pick_op(&pc, n, true));
    ck_assert(!(n->job.flags & JF_PREFIX));
    n->job.kind = J_NONE;
    n->op = NONE;
    ctl_op_free(&pc, h);
    ck_assert_int_eq(echonet_ctl_set_ex(&pc, ni, eoj, &own93, 1, ECHONET_CTL_FROM_REMOTE, &h),
                     ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_ctl_set(&pc, ni, eoj, &own93, 1, &h), ECHONET_OK); /* local: the application's own */
    ck_assert(ctl_pick_op(&pc, n, true));
    n->job.kind = J_NONE;
    n->op = NONE;
    ctl_op_free(&pc, h);
    ck_assert_int_eq(echonet_ctl_set_ex(&pc, ni, eoj, &on, 1, 0x02, &h), ECHONET_ERR_INVALID_ARG);
    /* A unit without 0x93 in its Set map: refused before anything is sent. */
    (void)echonet_propmap_remove(&ctl_obj(&pc, oi)->set, 0x93);
    p_n_events = 0;
    ck_assert_int_eq(echonet_ctl_set_ex(&pc, ni, eoj, &on, 1, ECHONET_CTL_FROM_REMOTE, &h), ECHONET_OK);
    ck_assert(!ctl_pick_op(&pc, n, true));
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_DONE), 1);
    ck_assert_int_eq(p_events[0].outcome, ECHONET_CTL_REFUSED_LOCAL);
    ck_assert(echonet_propmap_contains(&p_events[0].props, 0x93));
    ck_assert_int_eq(echonet_ctl_set(&pc, ni, eoj, &on, 1, &h), ECHONET_OK);
    ck_assert(ctl_pick_op(&pc, n, true)); /* a local write still goes */
}
END_TEST

/* Only answers are read as answers (reference 3.1): a request, or a code
 * that is no ESV, from the address of an offline node (a frame built by
 * the application, echonet_ctl_read_frame()) does not bring it back; a
 * response does, whatever it answers. */
START_TEST(read_frame_answers_only)
{
    static const uint8_t not_answers[] = {ECHONET_ESV_GET, ECHONET_ESV_SETC, ECHONET_ESV_SETGET, 0x55, 0x7F, 0x00};
    echonet_addr unit;
    echonet_frame f;
    uint16_t ni;
    unsigned k;

    p_init(false);
    ni = p_node(0);
    (void)p_aircon(ni, 1);
    ctl_node_offline(&pc, ni);
    ck_assert(!echonet_ctl_node_online(&pc, ni));
    ck_assert_int_eq(echonet_addr_set(&unit, (const uint8_t[]){192, 0, 2, 10}, 4), ECHONET_OK);
    ck_assert_uint_eq(echonet_ctl_find(&pc, &unit), ni);
    memset(&f, 0, sizeof f);
    f.format = 1;
    f.tid = 7;
    f.seoj = ECHONET_EOJ(0x01, 0x30, 1);
    f.deoj = pc.cfg.self;
    for (k = 0; k < sizeof not_answers; k++) {
        f.esv = not_answers[k];
        ck_assert_int_eq(echonet_ctl_read_frame(&pc, &unit, &f, 1000), ECHONET_OK);
        ck_assert_msg(!echonet_ctl_node_online(&pc, ni), "ESV 0x%02X brought the node back", not_answers[k]);
    }
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_ONLINE), 0);
    f.esv = ECHONET_ESV_GET_SNA;
    ck_assert_int_eq(echonet_ctl_read_frame(&pc, &unit, &f, 1000), ECHONET_OK);
    ck_assert(echonet_ctl_node_online(&pc, ni));
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_ONLINE), 1);
}
END_TEST

/* ---- Decode once --------------------------------------------------------------------------- */

/* echonet_ctl_read_frame() takes a frame already decoded, as
 * echonet_ctl_read() does the bytes: an answer to the search makes the node
 * and its object; NULL arguments are refused; a format 2 frame is ignored. */
START_TEST(read_frame_decoded_once)
{
    uint8_t buf[ECHONET_CTL_WRITE_MAX], answer[32];
    echonet_addr dst, unit;
    echonet_frame f;
    echonet_writer w;
    size_t len = 0;
    bool mc;
    int32_t n;

    p_init(false);
    echonet_ctl_discover(&pc);
    n = echonet_ctl_write(&pc, &dst, &mc, buf, sizeof buf, 0);
    ck_assert_int_gt(n, 0);
    ck_assert(mc);
    ck_assert_int_gt(echonet_frame_decode(&f, buf, (size_t)n, NULL), 0);
    echonet_writer_init(&w, answer, sizeof answer);
    echonet_writer_header(&w, f.tid, ECHONET_EOJ_NODE_PROFILE, ECHONET_EOJ_CONTROLLER, ECHONET_ESV_GET_RES);
    echonet_writer_prop(&w, 0xD6, 4, (const uint8_t[]){1, 0x01, 0x30, 0x01});
    ck_assert_int_eq(echonet_writer_finish(&w, &len), ECHONET_OK);
    ck_assert_int_gt(echonet_frame_decode(&f, answer, len, NULL), 0);
    ck_assert_int_eq(echonet_addr_set(&unit, (const uint8_t[]){192, 0, 2, 7}, 4), ECHONET_OK);
    ck_assert_int_eq(echonet_ctl_read_frame(NULL, &unit, &f, 10), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_ctl_read_frame(&pc, NULL, &f, 10), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_ctl_read_frame(&pc, &unit, NULL, 10), ECHONET_ERR_INVALID_ARG);
    ck_assert_uint_eq(echonet_ctl_find(&pc, &unit), NONE);
    f.format = 2;
    ck_assert_int_eq(echonet_ctl_read_frame(&pc, &unit, &f, 10), ECHONET_OK);
    ck_assert_uint_eq(echonet_ctl_find(&pc, &unit), NONE);
    f.format = 1;
    ck_assert_int_eq(echonet_ctl_read_frame(&pc, &unit, &f, 10), ECHONET_OK);
    ck_assert_uint_ne(echonet_ctl_find(&pc, &unit), NONE);
    ck_assert_uint_eq(p_count(ECHONET_CTL_EV_FOUND), 1);
}
END_TEST

/* ---- Class profiles --------------------------------------------------------------------- */

/* Every device object has a profile: the air conditioner its own (the
 * status read of AIF 3.3.1, the write order of 5.1 ⑦, its class table,
 * the AIF's remote rules), any other class the generic one; instance 0,
 * the node profile and class groups above 0x06 none. */
START_TEST(profile_of_classes)
{
    const ctl_profile *p = ctl_profile_of(ECHONET_EOJ(0x01, 0x30, 0x01));
    const ctl_profile *g = ctl_profile_of(ECHONET_EOJ(0x00, 0x11, 0x01)); /* a temperature sensor */
    const ctl_profile *bat = ctl_profile_of(ECHONET_EOJ(0x02, 0x7D, 0x01)), *m = ctl_profile_of(ECHONET_EOJ(0x02, 0x88, 0x01));
    static const uint8_t fan_out_of_range = 0x29, fan_auto = 0x41;

    p_init(false);
    ck_assert_ptr_eq(p, &ctl_profile_aircon);
    ck_assert(p->aif);
    ck_assert_uint_eq(p->n_status, 7);
    ck_assert_uint_eq(p->status[0], 0x80);
    ck_assert_ptr_null(ctl_profile_of(ECHONET_EOJ(0x01, 0x30, 0x00)));
    ck_assert_ptr_null(ctl_profile_of(ECHONET_EOJ_NODE_PROFILE));
    ck_assert_ptr_null(ctl_profile_of(ECHONET_EOJ(0x07, 0x01, 0x01)));
    ck_assert_ptr_eq(g, &ctl_profile_generic);
    ck_assert_ptr_null(ctl_profile_of(ECHONET_EOJ(0x05, 0xFF, 0x01))); /* a controller */
    ck_assert_ptr_eq(ctl_profile_of(ECHONET_EOJ(0x05, 0xFD, 0x01)), &ctl_profile_generic);
    ck_assert(!g->aif);
    ck_assert_uint_eq(g->n_status, 2);
    ck_assert_uint_eq(g->status[0], 0x80);
    ck_assert_uint_eq(g->status[1], 0x88);
    ck_assert_uint_eq(g->state_bits & ECHONET_CTL_S_MODE, 0); /* a sensor's 0xB0 is not a mode */
    /* The whole house's classes have their own status reads (issue 15). */
    ck_assert_ptr_ne(bat, &ctl_profile_generic);
    ck_assert(!bat->aif && !bat->meter);
    ck_assert_uint_eq(bat->state_bits & ECHONET_CTL_S_MODE, 0);
    ck_assert(memchr(bat->status, 0xE4, bat->n_poll) != NULL); /* remaining % polled */
    ck_assert(m->meter);
    ck_assert(memchr(m->status, 0xE7, m->n_poll) != NULL);     /* instantaneous W polled */
    ck_assert(memchr(m->status, 0xD3, m->n_poll) == NULL);     /* the coefficient read once */
    ck_assert(memchr(m->status, 0xD3, m->n_status) != NULL);
    ck_assert_uint_eq(ctl_profile_write_rank(p, 0x80), 0);
    ck_assert_uint_eq(ctl_profile_write_rank(p, 0xB0), 1);
    ck_assert_uint_eq(ctl_profile_write_rank(p, 0xB3), 2);
    ck_assert_uint_eq(ctl_profile_write_rank(p, 0xA0), 3);
    ck_assert_uint_eq(ctl_profile_write_rank(g, 0x80), 0);
    ck_assert(ctl_profile_plausible(&pc, ECHONET_EOJ(0x01, 0x30, 0x01), 0xA0, &fan_auto, 1));
    ck_assert(!ctl_profile_plausible(&pc, ECHONET_EOJ(0x01, 0x30, 0x01), 0xA0, &fan_out_of_range, 1));
    /* not in the table: believed */
    ck_assert(ctl_profile_plausible(&pc, ECHONET_EOJ(0x01, 0x30, 0x01), 0xF5, &fan_out_of_range, 1));
    /* no class table given: raw bytes */
    ck_assert(ctl_profile_plausible(&pc, ECHONET_EOJ(0x02, 0x7D, 0x01), 0x80, &fan_out_of_range, 1));
}
END_TEST

/* The application's class tables (echonet_ctl_config::classes) judge the
 * values of a class without a profile of its own, the superclass's
 * properties included; the filter (echonet_ctl_config::manage) narrows
 * which objects are managed. */
static const echonet_class *p_classes(uint16_t code)
{
    return code == 0x027D ? &echonet_class_027d : NULL;
}

static bool p_no_batteries(void *user, echonet_eoj eoj)
{
    (void)user;
    return ECHONET_EOJ_CLASS(eoj) != 0x027D;
}

START_TEST(profile_class_tables_and_filter)
{
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {p_event};
    echonet_ctl_storage st = {p_nodes, P_NODES, p_objects, P_OBJECTS, p_ops, P_OPS, p_index, 2 * P_NODES, p_heap};
    const echonet_eoj bat = ECHONET_EOJ(0x02, 0x7D, 0x01);
    static const uint8_t on = 0x30, bogus = 0x29, no_mode = 0x47;

    echonet_ctl_config_default(&cfg);
    cfg.no_initial_search = true;
    cfg.classes = p_classes;
    ck_assert_int_eq(echonet_ctl_init(&pc, &cfg, &cb, NULL, &st), ECHONET_OK);
    ck_assert(ctl_profile_plausible(&pc, bat, 0x80, &on, 1));
    ck_assert(!ctl_profile_plausible(&pc, bat, 0x80, &bogus, 1)); /* superclass 0x80: 0x30/0x31 */
    ck_assert(ctl_profile_plausible(&pc, bat, 0xF3, &bogus, 1));  /* maker's: raw */
    ck_assert(!ctl_profile_plausible(&pc, bat, 0xDA, &no_mode, 1)); /* operation mode: no 0x47 */
    ck_assert(ctl_manages(&pc, bat));
    ck_assert(!ctl_manages(&pc, ECHONET_EOJ_NODE_PROFILE));
    cfg.manage = p_no_batteries;
    ck_assert_int_eq(echonet_ctl_init(&pc, &cfg, &cb, NULL, &st), ECHONET_OK);
    ck_assert(!ctl_manages(&pc, bat));
    ck_assert(ctl_manages(&pc, ECHONET_EOJ(0x02, 0x88, 0x01)));
}
END_TEST

/* ---- The smart meter (ctl_meter.c, issue 15) ------------------------------------------ */

/* An EA value: 2026-12-dd hh:mm, reading 1000. */
static void ea(uint8_t *v, unsigned dd, unsigned hh, unsigned mm)
{
    static const uint8_t head[] = {0x07, 0xEA, 12};

    memcpy(v, head, 3);
    v[3] = (uint8_t)dd;
    v[4] = (uint8_t)hh;
    v[5] = (uint8_t)mm;
    v[6] = 0;
    v[7] = v[8] = 0;
    v[9] = 0x03;
    v[10] = 0xE8;
}

/* The days a gap falls on are asked (bit k: E5 = k days before the EA's
 * day), today after the first EA; a new day moves them one further back;
 * nothing is asked while the latest EA is 23:30 (the meter may be past
 * midnight, and E5 = 0 another day than the EA's); reads get in step with
 * the boundaries (30 min after a new half-hour that followed one that
 * found none, 20 min before). */
START_TEST(meter_history_days_and_midnight)
{
    echonet_ctl_object o;
    uint8_t v[11];

    p_init(false);
    memset(&o, 0, sizeof o);
    o.eoj = ECHONET_EOJ(0x02, 0x88, 0x01);
    ea(v, 3, 10, 0);
    ctl_meter_fixed(&pc, &o, v, 1000);
    ck_assert_uint_eq(o.history, 3u); /* today's morning, and yesterday (a restart across midnight) */
    /* (An EA announced before the meter is ready: asked once its maps are known.) */
    ck_assert(!ctl_meter_history_due(&o));
    o.work = OW_READY;
    ck_assert(ctl_meter_history_due(&o));
    ck_assert_uint_eq(o.next_fixed, 1000u + 20u * 60000u); /* not in step yet */
    o.history = 0;
    ctl_meter_fixed(&pc, &o, v, 2000); /* the same half-hour: none new */
    ck_assert_uint_eq(o.fixed_same, 1);
    ea(v, 3, 10, 30);
    ctl_meter_fixed(&pc, &o, v, 3000);
    ck_assert_uint_eq(o.history, 0);
    ck_assert_uint_eq(o.next_fixed, 3000u + 30u * 60000u); /* in step */
    /* A gap from 10:30 on day 3 to 01:00 on day 5: days 3, 4 (and 5). */
    ea(v, 5, 1, 0);
    ctl_meter_fixed(&pc, &o, v, 4000);
    ck_assert_uint_eq(o.history, 0x7u);
    /* Day 5, 23:30: nothing asked until the 00:00 value of day 6 is there;
     * then each day is one further back. */
    o.history = 0x1u;
    ea(v, 5, 23, 30);
    ctl_meter_fixed(&pc, &o, v, 5000);
    ck_assert_uint_eq(o.history, 0x1u | 0x1u); /* (23:00 to 23:30 missed: today again) */
    ck_assert(!ctl_meter_history_due(&o));
    ea(v, 6, 0, 0);
    ctl_meter_fixed(&pc, &o, v, 6000);
    ck_assert_uint_eq(o.history, 0x2u);
    ck_assert(ctl_meter_history_due(&o));
    /* No date (a meter without a value yet): no new half-hour. */
    memset(v, 0xFF, sizeof v);
    ctl_meter_fixed(&pc, &o, v, 7000);
    ck_assert_uint_eq(o.history, 0x2u);
}
END_TEST

/* An EA of year @p y, month @p mo, day @p dd, at hh:mm. */
static void ea_date(uint8_t *v, unsigned y, unsigned mo, unsigned dd, unsigned hh, unsigned mm)
{
    ea(v, dd, hh, mm);
    v[0] = (uint8_t)(y >> 8);
    v[1] = (uint8_t)y;
    v[2] = (uint8_t)mo;
}

/* Each step is the next half-hour on the meter's calendar: no gap, no day
 * asked again, no clock going back (2000 and 2028 are leap years, 2100 is
 * out of range, 2027 and 2099 are not leap years). */
START_TEST(meter_calendar_day_after)
{
    static const uint8_t days[][6] = {
        /* y/100, y%100, month, day -> month, day of the next */
        {20, 0, 2, 29, 3, 1}, {20, 28, 2, 28, 2, 29}, {20, 28, 2, 29, 3, 1}, {20, 27, 2, 28, 3, 1},
        {20, 26, 12, 31, 1, 1}, {20, 28, 4, 30, 5, 1},  {20, 99, 2, 28, 3, 1}, {20, 24, 2, 29, 3, 1},
    };
    echonet_ctl_object o;
    uint8_t v[11];
    size_t i;

    p_init(false);
    for (i = 0; i < sizeof days / sizeof days[0]; i++) {
        unsigned y = days[i][0] * 100u + days[i][1], y2 = days[i][4] == 1 && days[i][2] == 12 ? y + 1u : y;
        uint32_t last;

        memset(&o, 0, sizeof o);
        o.eoj = ECHONET_EOJ(0x02, 0x88, 0x01);
        ea_date(v, y, days[i][2], days[i][3], 23, 30);
        ctl_meter_fixed(&pc, &o, v, 1000);
        last = o.fixed_slot;
        o.history = 0; /* (the first one's days read) */
        ea_date(v, y2, days[i][4], days[i][5], 0, 0);
        ctl_meter_fixed(&pc, &o, v, 2000);
        ck_assert_msg(o.fixed_slot == last + 1u, "%u-%u-%u: slot %u after %u", y, days[i][2], days[i][3],
                      (unsigned)o.fixed_slot, (unsigned)last);
        ck_assert_uint_eq(o.history, 0);
    }
}
END_TEST

/* A meter of node @p ni, ready, with EA and E2 readable and E5 settable. */
static uint16_t p_meter(uint16_t ni)
{
    uint16_t oi = ctl_object_get(&pc, ni, ECHONET_EOJ(0x02, 0x88, 0x01));
    echonet_ctl_object *o;

    ck_assert_uint_ne(oi, NONE);
    o = ctl_obj(&pc, oi);
    ck_assert_int_eq(echonet_propmap_add(&o->get, 0xEA), ECHONET_OK);
    ck_assert_int_eq(echonet_propmap_add(&o->get, 0xE2), ECHONET_OK);
    ck_assert_int_eq(echonet_propmap_add(&o->set, 0xE5), ECHONET_OK);
    o->work = OW_READY;
    return oi;
}

/* A controller with one node whose meter is ready (p_meter()): its
 * object, node index @p ni and object index @p oi. */
static echonet_ctl_object *p_meter_of_node0(uint16_t *ni, uint16_t *oi)
{
    p_init(false);
    *ni = p_node(0);
    *oi = p_meter(*ni);
    return ctl_obj(&pc, *oi);
}

/* What the scheduler counts as a meter's work (ctl_meter_history_due(), a
 * due next_fixed: ctl_next_timer() of ctl_sched.c) is what
 * ctl_meter_job() takes, or no longer work: else echonet_ctl_write() would
 * push the node to the ready queue for ever. Here E5 was written, then
 * the Get map read again (the node came back) has no E2 or E4. */
START_TEST(meter_job_false_means_no_work)
{
    echonet_ctl_object *o;
    uint16_t ni, oi;
    uint8_t v[11];

    o = p_meter_of_node0(&ni, &oi);
    ea(v, 3, 10, 0);
    ctl_meter_fixed(&pc, o, v, 1000);
    ck_assert(ctl_meter_history_due(o));
    ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, 1000));
    ck_assert_uint_eq(ctl_node(&pc, ni)->job.kind, J_HISTORY_DAY);
    ctl_meter_done(&pc, o, J_HISTORY_DAY, false, 1000);
    ctl_node(&pc, ni)->job.kind = J_NONE;
    memset(&o->get, 0, sizeof o->get);
    ck_assert_int_eq(echonet_propmap_add(&o->get, 0xEA), ECHONET_OK);
    if (!ctl_meter_job(&pc, ctl_node(&pc, ni), oi, 1000))
        ck_assert(!ctl_meter_history_due(o) && !ctl_timer_due(o->next_fixed, 1000));
}
END_TEST

/* Restored from a snapshot with a day still to read and its last
 * half-hour: nothing is read before an EA tells the meter's today; then
 * the pending day (moved back by the days passed), the days missed, and
 * today and yesterday. An EA without a date keeps it waiting. */
START_TEST(meter_restored_waits_for_ea)
{
    echonet_ctl_object o;
    uint8_t v[11];

    p_init(false);
    memset(&o, 0, sizeof o);
    o.eoj = ECHONET_EOJ(0x02, 0x88, 0x01);
    o.work = OW_READY;
    ea(v, 3, 10, 0);
    ctl_meter_fixed(&pc, &o, v, 1000);
    o.history = 0x4u; /* (day 1 of the month still to read) */
    ctl_meter_restored(&o);
    ck_assert(!ctl_meter_history_due(&o));
    memset(v, 0xFF, sizeof v); /* no date */
    ctl_meter_fixed(&pc, &o, v, 2000);
    ck_assert(!ctl_meter_history_due(&o));
    ea(v, 6, 9, 0); /* three days later */
    ctl_meter_fixed(&pc, &o, v, 3000);
    ck_assert(ctl_meter_history_due(&o));
    /* Day 1 is now 5 back; the days missed are 3 to 0 back (days 3 to 6,
     * today and yesterday among them). */
    ck_assert_uint_eq(o.history, 0x20u | 0x8u | 0x4u | 0x2u | 0x1u);
    /* Not restored (fixed_slot 0): nothing waits; and days without a
     * half-hour (a snapshot made up so) are no work: they count from an
     * EA, and a controller without energy reads would never take them. */
    memset(&o, 0, sizeof o);
    ctl_meter_restored(&o);
    ck_assert_uint_eq(o.history_day, 0);
    o.eoj = ECHONET_EOJ(0x02, 0x88, 0x01);
    o.work = OW_READY;
    o.history = 0x3u;
    ck_assert(!ctl_meter_history_due(&o));
}
END_TEST

/* The days of the history are read the oldest first (E5 = 3, then 1,
 * then 0), each as E5 then E2: an application adds each day to its record
 * in time order as it comes. */
START_TEST(meter_history_oldest_day_first)
{
    static const unsigned order[] = {3, 1, 0};
    echonet_ctl_object *o;
    echonet_ctl_node *n;
    uint16_t ni, oi;
    uint8_t v[11];
    unsigned i;

    o = p_meter_of_node0(&ni, &oi);
    n = ctl_node(&pc, ni);
    ea(v, 3, 10, 0);
    ctl_meter_fixed(&pc, o, v, 1000);
    o->history = 0xBu;
    for (i = 0; i < 3; i++) {
        ck_assert(ctl_meter_job(&pc, n, oi, 1000));
        ck_assert_uint_eq(n->job.kind, J_HISTORY_DAY);
        ck_assert_uint_eq(*ctl_meter_day(o), order[i]);
        n->job.kind = J_NONE;
        ctl_meter_done(&pc, o, J_HISTORY_DAY, false, 1000);
        ck_assert(ctl_meter_job(&pc, n, oi, 1000));
        ck_assert_uint_eq(n->job.kind, J_HISTORY);
        n->job.kind = J_NONE;
        ctl_meter_done(&pc, o, J_HISTORY, false, 1000);
    }
    ck_assert_uint_eq(o->history, 0);
}
END_TEST

/* A meter that keeps refusing EA (or a route that loses it) is asked
 * again in a minute, then every five minutes, not every minute for ever;
 * an EA that comes ends that; a read that only found no new half-hour
 * keeps its own count (five of them before five minutes). */
START_TEST(meter_refused_ea_backs_off)
{
    echonet_ctl_object *o;
    uint16_t ni, oi;
    uint32_t t = 1000;
    uint8_t v[11];
    unsigned i;

    o = p_meter_of_node0(&ni, &oi);
    o->next_fixed = t;
    for (i = 0; i < 4; i++) {
        ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, t));
        ck_assert_uint_eq(ctl_node(&pc, ni)->job.kind, J_FIXED);
        ctl_node(&pc, ni)->job.kind = J_NONE;
        ctl_meter_done(&pc, o, J_FIXED, true, t + 5u);
        ck_assert_uint_eq(o->next_fixed - (t + 5u), (i == 0 ? 1u : 5u) * 60000u);
        t = o->next_fixed;
    }
    /* An EA comes: back to the ordinary pace. */
    ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, t));
    ctl_node(&pc, ni)->job.kind = J_NONE;
    ea(v, 3, 10, 0);
    ctl_meter_fixed(&pc, o, v, t);
    ctl_meter_done(&pc, o, J_FIXED, false, t);
    ck_assert_uint_eq(o->next_fixed - t, 20u * 60000u);
    /* The same half-hour again (no failure): a minute, as before; one
     * failure after it: a minute too. */
    t = o->next_fixed;
    ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, t));
    ctl_node(&pc, ni)->job.kind = J_NONE;
    ctl_meter_fixed(&pc, o, v, t);
    ctl_meter_done(&pc, o, J_FIXED, false, t);
    ck_assert_uint_eq(o->next_fixed - t, 60000u);
    t = o->next_fixed;
    ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, t));
    ctl_node(&pc, ni)->job.kind = J_NONE;
    ctl_meter_done(&pc, o, J_FIXED, true, t);
    ck_assert_uint_eq(o->next_fixed - t, 60000u);
}
END_TEST

/* A meter unreachable from 23:10 to 00:10 on its clock, with a day of
 * history still to read: its latest EA (23:00) is no longer its today, so
 * EA is read first (days back count from the latest EA's day). */
START_TEST(meter_stale_ea_read_before_history)
{
    echonet_ctl_object *o;
    uint16_t ni, oi;
    uint8_t v[11];

    o = p_meter_of_node0(&ni, &oi);
    ea(v, 3, 23, 0);
    ctl_meter_fixed(&pc, o, v, 1000);
    o->history = 0x2u; /* yesterday still to read */
    ck_assert(ctl_meter_job(&pc, ctl_node(&pc, ni), oi, 1000u + 70u * 60000u));
    ck_assert_uint_eq(ctl_node(&pc, ni)->job.kind, J_FIXED);
    ctl_node(&pc, ni)->job.kind = J_NONE;
    ea(v, 4, 0, 0);
    ctl_meter_fixed(&pc, o, v, 1000u + 71u * 60000u);
    ck_assert_uint_eq(o->history, 0x4u | 0x2u); /* one further back; 23:30 missed: day 3 (1 back) too */
}
END_TEST

Suite *ctl_parts_suite(void)
{
    Suite *s = suite_create("ctl_parts");
    TCase *tc = tcase_create("job");

    tcase_add_test(tc, job_alone_refused_is_failed);
    tcase_add_test(tc, job_read_tail_learns_capacity);
    tcase_add_test(tc, job_read_hole_goes_single);
    tcase_add_test(tc, job_write_refused_before_processed_not_resent);
    tcase_add_test(tc, job_timeout_group_retried_then_split);
    tcase_add_test(tc, job_timeout_single_gives_up_and_counts);
    tcase_add_test(tc, job_match_only_inflight_unseen);
    tcase_add_test(tc, job_send_tid_timer_and_prefix);
    suite_add_tcase(s, tc);
    tc = tcase_create("state");
    tcase_add_test(tc, state_table_is_fields_in_order);
    tcase_add_test(tc, state_fault_seen_starts_readout);
    suite_add_tcase(s, tc);
    tc = tcase_create("probe");
    tcase_add_test(tc, probe_restore_off_last_alone);
    tcase_add_test(tc, probe_substitute_and_timeout);
    suite_add_tcase(s, tc);
    tc = tcase_create("keepalive");
    tcase_add_test(tc, keepalive_due_longest_overdue_first);
    tcase_add_test(tc, keepalive_answer_and_timeout);
    suite_add_tcase(s, tc);
    tc = tcase_create("fault, discovery, polling");
    tcase_add_test(tc, fault_codes_only_after_fault_answered);
    tcase_add_test(tc, discovery_values);
    tcase_add_test(tc, discovery_search_answer_window);
    tcase_add_test(tc, poll_filters_skip_and_energy);
    suite_add_tcase(s, tc);
    tc = tcase_create("operations");
    tcase_add_test(tc, op_write_order_and_values);
    tcase_add_test(tc, op_removed_ends_instance_gone);
    tcase_add_test(tc, op_verify_timeout_names_unconfirmed);
    tcase_add_test(tc, op_remote_write_per_operation);
    suite_add_tcase(s, tc);
    tc = tcase_create("decode once");
    tcase_add_test(tc, read_frame_decoded_once);
    tcase_add_test(tc, read_frame_answers_only);
    suite_add_tcase(s, tc);
    tc = tcase_create("profiles");
    tcase_add_test(tc, profile_of_classes);
    tcase_add_test(tc, profile_class_tables_and_filter);
    tcase_add_test(tc, meter_history_days_and_midnight);
    tcase_add_test(tc, meter_refused_ea_backs_off);
    tcase_add_test(tc, meter_history_oldest_day_first);
    tcase_add_test(tc, meter_restored_waits_for_ea);
    tcase_add_test(tc, meter_calendar_day_after);
    tcase_add_test(tc, meter_job_false_means_no_work);
    tcase_add_test(tc, meter_stale_ea_read_before_history);
    suite_add_tcase(s, tc);
    return s;
}
