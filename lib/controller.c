/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The HEMS controller (AIF Ver. 1.10 chapters 2-5, reference 9 and 11).
 *
 * Each node runs at most one "job" at a time: a set of up to
 * ECHONET_CTL_BATCH_MAX properties of one object to read or write, sent in
 * requests of at most min(max_props, learned capacity) properties, one in
 * flight. A job comes from the node's own work (instance list, attributes,
 * identification, state, fault read-out, keepalive, polling) or from an
 * operation the application queued. Nodes with something to send wait in a
 * ready queue; nodes with a deadline (a response timer or their next timer)
 * sit in a heap, so nothing here walks every node. */
#include <stddef.h>
#include <string.h>

#include "echonet/aircon.h"
#include "echonet/controller.h"
#include "addr_internal.h"
#include "bytes.h"
#include "ctl_internal.h"
#include "noinline.h"
#include "static_assert.h"

/* A job holds ECHONET_CTL_BATCH_MAX properties, and the status read of AIF
 * 3.3.1 (7 properties), the attributes (4) and the probe's saved settings
 * (3) are each one job: smaller batches would overflow the job's arrays or
 * silently drop properties. (config.h allows 1 to 16.) */
#if ECHONET_CTL_BATCH_MAX < 7
#error "the controller needs ECHONET_CTL_BATCH_MAX of at least 7"
#endif

/* Node states. */
enum { N_FREE = 0, N_ACTIVE, N_OFFLINE, N_ALIAS };
/* Node work. */
/* NW_LISTED: an instance list notification (0xD5) came from the node while
 * the multicast search could be answered; its answer may be older than
 * that list (on_search_answer()). NW_ALIAS_HEARD: the unit was heard at an
 * alias's address since it was last heard at the node's own (node_offline()). */
enum { NW_INSTANCES = 0x01, NW_PROBE = 0x02, NW_KEEPALIVE = 0x04, NW_LOST = 0x08, NW_AFTER_SEARCH = 0x10,
       NW_LISTED = 0x20, NW_ALIAS_HEARD = 0x40 };
/* The bits of a node's work that are facts about it, not work to do: a
 * node with only these has nothing to send (node_has_work()). */
#define NW_FACTS (NW_AFTER_SEARCH | NW_LISTED | NW_ALIAS_HEARD)
/* Object work. */
enum { OW_ATTR = 0x01, OW_ID = 0x02, OW_NPID = 0x04, OW_STATE = 0x08, OW_FAULT = 0x10, OW_READY = 0x20, OW_ID_AGAIN = 0x40,
       OW_ATTR_AGAIN = 0x80 };
/* Jobs. */
enum { J_NONE = 0, J_INSTANCES, J_ATTR, J_ID, J_NPID, J_STATE, J_POLL, J_REREAD, J_FAULT, J_OP, J_ENERGY };
/* Job flags. */
enum { JF_WRITE = 0x01, JF_SINGLE = 0x02, JF_PREFIX = 0x04, JF_PREFIX_REFUSED = 0x08 };
/* Operations and their phases. */
enum { OP_FREE = 0, OP_GET, OP_SET, OP_PROBE, OP_FAULT };
enum { PH_MAIN = 0, PH_VERIFY, PH_CODES };
enum { PH_SAVE = 0, PH_ON, PH_HIGH_TRY, PH_HIGH_CHECK, PH_LOW_TRY, PH_LOW_CHECK, PH_RESTORE, PH_RESTORE_OFF };
/* Operation flags. */
enum { OF_PREFIX_REFUSED = 0x01, OF_LOCAL = 0x02, OF_GONE = 0x04, OF_REMOVED = 0x08 };
/* The probe's state, at the end of data[] after the values of its current
 * step (data[0..2]). (It was at 16..24: one byte past data[] when
 * ECHONET_CTL_VALUE_BYTES is 24, which config.h allows.) */
enum { P_MODE = ECHONET_CTL_VALUE_BYTES - 9, P_LOW, P_HIGH, P_CAND, P_S80, P_SB0, P_SB3, P_FOUND_LOW, P_FOUND_HIGH };

#define NO_TEMP 0xFFu

/* The status read set of AIF 3.3.1, in the order it is requested. */
static const uint8_t state_epcs[] = {0x80, 0x8F, 0xB0, 0xB3, 0xBB, 0xA0, 0x88};
/* Measured instantaneous power and cumulative energy (issue 7). */
static const uint8_t energy_epcs[] = {0x84, 0x85};

/* The status read is one job; the probe's state stays clear of the values of
 * its current step (data[0..2]) and inside data[]. */
ECHONET_STATIC_ASSERT(sizeof state_epcs <= ECHONET_CTL_BATCH_MAX, status_read_is_one_job);
ECHONET_STATIC_ASSERT(P_MODE >= 3 && P_FOUND_HIGH < ECHONET_CTL_VALUE_BYTES, probe_state_inside_data);

/* ---- Small helpers -------------------------------------------------------- */

static unsigned popcount16(uint16_t v)
{
    unsigned n = 0;

    for (; v; v = (uint16_t)(v & (v - 1u)))
        n++;
    return n;
}

static uint16_t bit(unsigned i)
{
    return (uint16_t)(1u << i);
}

static echonet_ctl_node *node_at(echonet_ctl *ctl, uint16_t i)
{
    return &ctl->st.nodes[i];
}

static echonet_ctl_object *obj_at(echonet_ctl *ctl, uint16_t i)
{
    return &ctl->st.objects[i];
}

static void emit(echonet_ctl *ctl, echonet_ctl_event *ev)
{
    ctl->cb.event(ctl->user, ev);
}

static ECHONET_NOINLINE_FOR_SIZE void event_init(echonet_ctl_event *ev, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->node = node;
    ev->eoj = eoj;
    ev->op = NONE;
    ev->same_as = NONE;
    ev->probe_low = -1;
    ev->probe_high = -1;
}

/* An event with nothing but its kind, node and object. Not inlined: its
 * event stays in this frame, out of those of the callers (the stack of a
 * frame that finds a node, makes room for it and tells both). */
static ECHONET_NOINLINE void notify(echonet_ctl *ctl, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj)
{
    echonet_ctl_event ev;

    event_init(&ev, kind, node, eoj);
    emit(ctl, &ev);
}

static uint16_t next_tid(echonet_ctl *ctl)
{
    return ctl->tid++;
}

/* The state bit and field of a cached property, or 0. */
static uint16_t state_bit(uint8_t epc, echonet_ctl_state *s, uint8_t **field)
{
    static const uint8_t epcs[] = {0x80, 0x8F, 0xB0, 0xB3, 0xBB, 0xA0, 0x88, 0x93};
    static const uint8_t offs[] = {
        offsetof(echonet_ctl_state, status), offsetof(echonet_ctl_state, power_saving),
        offsetof(echonet_ctl_state, mode),   offsetof(echonet_ctl_state, temp),
        offsetof(echonet_ctl_state, room),   offsetof(echonet_ctl_state, flow),
        offsetof(echonet_ctl_state, fault),  offsetof(echonet_ctl_state, remote),
    };
    unsigned i;

    for (i = 0; i < sizeof epcs; i++) {
        if (epcs[i] == epc) {
            if (field)
                *field = (uint8_t *)s + offs[i];
            return bit(i);
        }
    }
    return 0;
}

/* Whether a value may be believed: within the class table when the class
 * knows the property (read-only codes included). */
static bool value_plausible(uint8_t epc, const uint8_t *edt, size_t pdc)
{
    size_t n = 0;
    const echonet_prop_desc *table = echonet_aircon_props(&n);
    const echonet_prop_desc *d = echonet_prop_desc_find(table, n, epc);

    return !d || echonet_prop_desc_check(d, edt, pdc, false) == ECHONET_OK;
}

/* ---- Scheduling ------------------------------------------------------------ */

static bool timer_due(uint32_t t, uint32_t now)
{
    return t != CLOCK_NEVER && t <= now;
}

static bool keepalive_wanted(const echonet_ctl *ctl, const echonet_ctl_object *o)
{
    return ctl->cfg.remote && ctl->line_up && (o->work & OW_READY) &&
           echonet_propmap_contains(&o->set, ECHONET_EPC_REMOTE_CONTROL);
}

static bool object_has_work(const echonet_ctl *ctl, const echonet_ctl_object *o, uint32_t now)
{
    return (o->work & (OW_ATTR | OW_ID | OW_NPID | OW_STATE | OW_FAULT)) || timer_due(o->next_poll, now) ||
           timer_due(o->next_reread, now) || timer_due(o->next_energy, now) ||
           (keepalive_wanted(ctl, o) && timer_due(o->next_keepalive, now));
}

static bool node_has_work(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now)
{
    uint16_t i;

    if (n->job.kind != J_NONE || (n->work & ~NW_FACTS) || n->ops_head != NONE)
        return true;
    for (i = n->first_object; i != NONE; i = obj_at(ctl, i)->next)
        if (object_has_work(ctl, obj_at(ctl, i), now))
            return true;
    return false;
}

static uint32_t earliest(uint32_t a, uint32_t b, uint32_t now)
{
    /* Only timers still to come: due ones put the node in the ready queue. */
    return b > now && b < a ? b : a;
}

static uint32_t next_timer(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now)
{
    uint32_t t = CLOCK_NEVER;
    uint16_t i;

    /* A node that answered but whose objects found no room asks for its
     * instance list again every keepalive_retry_ms (echonet_ctl_write()):
     * room may have been made since (a lost node forgotten), and a unit
     * sends its 0xD5 only when it starts. */
    if (n->first_object == NONE && (n->work & NW_AFTER_SEARCH)) /* (echonet_ctl_add_node()) */
        return ctl->search ? (now > ctl->search_until ? now : ctl->search_until) + ctl->cfg.response_timeout_ms
                           : ctl->search_until;
    if (n->first_object == NONE)
        return now + ctl->cfg.keepalive_retry_ms;
    for (i = n->first_object; i != NONE; i = obj_at(ctl, i)->next) {
        const echonet_ctl_object *o = obj_at(ctl, i);

        t = earliest(t, o->next_poll, now);
        t = earliest(t, o->next_reread, now);
        t = earliest(t, o->next_energy, now);
        if (keepalive_wanted(ctl, o))
            t = earliest(t, o->next_keepalive, now);
    }
    return t;
}

static void ready_push(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = node_at(ctl, i);

    if (n->queued)
        return;
    n->queued = true;
    n->ready_next = NONE;
    if (ctl->ready_tail == NONE)
        ctl->ready_head = i;
    else
        node_at(ctl, ctl->ready_tail)->ready_next = i;
    ctl->ready_tail = i;
}

static uint16_t ready_pop(echonet_ctl *ctl)
{
    uint16_t i = ctl->ready_head;

    if (i == NONE)
        return NONE;
    ctl->ready_head = node_at(ctl, i)->ready_next;
    if (ctl->ready_head == NONE)
        ctl->ready_tail = NONE;
    node_at(ctl, i)->queued = false;
    return i;
}

/* Puts a node where it belongs: in the ready queue when it can send now, in
 * the heap under its response deadline or next timer. */
static void schedule(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = node_at(ctl, i);
    uint32_t now = ctl->clock;

    if (n->state == N_OFFLINE) {
        /* An offline node is probed (node_offline()): by its keepalives when
         * it has any to send, else by a Get 0xD6 every keepalive_retry_ms. */
        if (!n->busy) {
            uint32_t t = CLOCK_NEVER;
            bool wanted = false;
            uint16_t oi;

            for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
                const echonet_ctl_object *o = obj_at(ctl, oi);

                if (keepalive_wanted(ctl, o)) {
                    wanted = true;
                    if (o->next_keepalive < t)
                        t = o->next_keepalive;
                }
            }
            if (wanted) {
                /* A due one goes at once (ready queue), a later one by the heap. */
                n->work &= (uint8_t)~NW_PROBE;
                n->deadline = t > now ? t : CLOCK_NEVER;
                if (t <= now)
                    ready_push(ctl, i);
            } else if (n->work & NW_PROBE) {
                ready_push(ctl, i);
            } else if (n->deadline == CLOCK_NEVER) {
                n->deadline = now + ctl->cfg.keepalive_retry_ms;
            }
        }
        ctl_heap_update(ctl, i);
        return;
    }
    if (n->state != N_ACTIVE) {
        ctl_heap_remove(ctl, i);
        return;
    }
    if (!n->busy) {
        if (node_has_work(ctl, n, now))
            ready_push(ctl, i);
        n->deadline = next_timer(ctl, n, now);
    }
    ctl_heap_update(ctl, i);
}

void ctl_schedule_node(echonet_ctl *ctl, uint16_t node)
{
    schedule(ctl, node);
}

/* ---- Nodes and objects ----------------------------------------------------- */

/* An object slot back to the free list: the object is no longer the
 * node's (unlinked by the caller). */
static void object_free(echonet_ctl *ctl, uint16_t oi)
{
    echonet_ctl_object *o = obj_at(ctl, oi);

    o->node = NONE;
    o->work = 0;
    o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = CLOCK_NEVER;
    o->next = ctl->free_objects;
    ctl->free_objects = oi;
}

/* The objects of node @p n go back to the free list. */
static void objects_free(echonet_ctl *ctl, echonet_ctl_node *n)
{
    uint16_t oi;

    while ((oi = n->first_object) != NONE) {
        n->first_object = obj_at(ctl, oi)->next;
        object_free(ctl, oi);
    }
}

static void node_free(echonet_ctl *ctl, uint16_t i);

/* Forgets a lost node (offline, and none of its objects ever ready: an
 * address that announced an air conditioner and never answered, or a unit
 * unplugged before it was known) to make room. Its slot and its objects'
 * go to the free lists. Which one: the first in slot order. Costs a walk
 * over the nodes, but only when a lost node exists, and a walk forgets one
 * (unless each is being probed, 20 s in keepalive_retry_ms): a flood of new
 * addresses into a full table costs O(1) each once the lost nodes are used
 * up. Returns false when there is none to forget. */
static bool forget_lost(echonet_ctl *ctl)
{
    echonet_ctl_node *n;
    uint16_t i, k;

    if (ctl->n_lost == 0)
        return false;
    for (i = 0;; i++) {
        /* None, or each lost node is being probed (or about to be, in the
         * ready queue): forgotten now, it could be found again at once and
         * sent a second request while the device may still answer the
         * first (AIF 2.4.1). */
        if (i == ctl->n_nodes_used)
            return false;
        n = node_at(ctl, i);
        if (n->state == N_OFFLINE && (n->work & NW_LOST) && !n->busy && !n->queued)
            break;
    }
    ctl->n_lost--;
    node_free(ctl, i);
    /* Its aliases (issue 13) name no unit any more. */
    for (k = 0; k < ctl->n_nodes_used; k++)
        if (node_at(ctl, k)->state == N_ALIAS && node_at(ctl, k)->op == i)
            node_free(ctl, k);
    return true;
}

/* Node slot @p i, its objects and its address index entry become free; the
 * application is told (ECHONET_CTL_EV_FORGOTTEN). */
static void node_free(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = node_at(ctl, i);

    objects_free(ctl, n);
    ctl_heap_remove(ctl, i);
    ctl_index_remove(ctl, i);
    /* Told while echonet_ctl_node_addr() still gives its address. */
    notify(ctl, ECHONET_CTL_EV_FORGOTTEN, i, 0);
    n->state = N_FREE;
    n->work = 0;
    n->ready_next = ctl->free_nodes;
    ctl->free_nodes = i;
}

/* A node slot: one never used, a forgotten one, or a lost node's. */
static uint16_t node_slot(echonet_ctl *ctl)
{
    uint16_t i;

    if (ctl->n_nodes_used < ctl->st.n_nodes)
        return ctl->n_nodes_used++;
    if (ctl->free_nodes == NONE && !forget_lost(ctl))
        return NONE;
    i = ctl->free_nodes;
    ctl->free_nodes = node_at(ctl, i)->ready_next;
    return i;
}

/* An object slot: one never used, a forgotten node's, or made free by
 * forgetting lost nodes (one may have had no object). The node the object
 * is for was just heard, so it is not lost itself. */
static uint16_t object_slot(echonet_ctl *ctl)
{
    uint16_t i;

    if (ctl->n_objects_used < ctl->st.n_objects)
        return ctl->n_objects_used++;
    while (ctl->free_objects == NONE)
        if (!forget_lost(ctl))
            return NONE;
    i = ctl->free_objects;
    ctl->free_objects = obj_at(ctl, i)->next;
    return i;
}

/* A new node at @p addr, or NONE when there is no room. */
static uint16_t node_create(echonet_ctl *ctl, const echonet_addr *addr)
{
    echonet_ctl_node *n;
    uint16_t i = node_slot(ctl);

    if (i == NONE)
        return NONE;
    n = node_at(ctl, i);
    memset(n, 0, sizeof *n);
    n->addr = *addr;
    n->state = N_ACTIVE;
    n->capacity = ECHONET_CTL_BATCH_MAX;
    n->op = NONE;
    n->first_object = NONE;
    n->ops_head = NONE;
    n->heap_pos = NONE;
    n->ready_next = NONE;
    n->deadline = CLOCK_NEVER;
    ctl_index_insert(ctl, i);
    return i;
}

static uint16_t object_find(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj)
{
    uint16_t i;

    for (i = node_at(ctl, node)->first_object; i != NONE; i = obj_at(ctl, i)->next)
        if (obj_at(ctl, i)->eoj == eoj)
            return i;
    return NONE;
}

static unsigned object_count(echonet_ctl *ctl, uint16_t node)
{
    unsigned c = 0;
    uint16_t i;

    for (i = node_at(ctl, node)->first_object; i != NONE; i = obj_at(ctl, i)->next)
        c++;
    return c;
}

/* Finds or creates an air-conditioner object; announces a new one. */
static uint16_t object_get(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj)
{
    echonet_ctl_object *o;
    uint16_t i = object_find(ctl, node, eoj), *link;

    if (i != NONE)
        return i;
    if (ECHONET_EOJ_CLASS(eoj) != ECHONET_CLASS_HOME_AIRCON || ECHONET_EOJ_INSTANCE(eoj) == 0)
        return NONE;
    i = object_slot(ctl);
    if (i == NONE) {
        notify(ctl, ECHONET_CTL_EV_FULL, node, eoj);
        return NONE;
    }
    o = obj_at(ctl, i);
    memset(o, 0, sizeof *o);
    o->node = node;
    o->next = NONE;
    o->eoj = eoj;
    o->work = OW_ATTR | OW_ID | OW_STATE;
    o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = CLOCK_NEVER;
    /* Appended, so objects keep the order they were found in. */
    for (link = &node_at(ctl, node)->first_object; *link != NONE; link = &obj_at(ctl, *link)->next)
        ;
    *link = i;
    /* Found: no longer waiting for a search's end (echonet_ctl_add_node()
     * asks a known node again). */
    node_at(ctl, node)->work &= (uint8_t)~NW_AFTER_SEARCH;
    notify(ctl, ECHONET_CTL_EV_FOUND, node, eoj);
    return i;
}

/* Whether an instance list (0xD5/0xD6) names an air conditioner. */
static bool list_has_aircon(const uint8_t *edt, size_t pdc)
{
    size_t k, count;

    if (pdc < 1)
        return false;
    count = edt[0] <= (pdc - 1u) / 3u ? edt[0] : (pdc - 1u) / 3u;
    for (k = 0; k < count; k++)
        if (ECHONET_EOJ_CLASS(echonet_eoj_read(edt + 1 + 3 * k)) == ECHONET_CLASS_HOME_AIRCON)
            return true;
    return false;
}

static void objects_unlisted(echonet_ctl *ctl, uint16_t node, const uint8_t *edt, size_t count);

/* Creates the air-conditioner objects an instance list (0xD5/0xD6) names,
 * and drops those a complete list leaves out. */
static void objects_from_list(echonet_ctl *ctl, uint16_t node, const uint8_t *edt, size_t pdc)
{
    size_t i, count;

    if (pdc < 1)
        return;
    /* min(count, what the EDT holds), as devices get the count wrong (ref. 6.1). */
    count = edt[0];
    if (count > (pdc - 1) / 3)
        count = (pdc - 1) / 3;
    for (i = 0; i < count; i++)
        (void)object_get(ctl, node, echonet_eoj_read(edt + 1 + 3 * i));
    /* Only a list whose count is what its EDT holds is the whole list (one
     * of more than 84 instances, or a count that is wrong, is not). */
    if (count == edt[0])
        objects_unlisted(ctl, node, edt, count);
}

/* A node an announcement or a search answer made, whose objects found no
 * room, asks for its instance list itself, again at once after each
 * request without answer (job_done()): without any work it would never
 * time out, so a spoofed one would hold its slot for good instead of going
 * offline and becoming a lost node that can be forgotten. One that answers
 * stays, and asks again every keepalive_retry_ms (next_timer()). */
static void no_object_asks(echonet_ctl *ctl, uint16_t node)
{
    if (node_at(ctl, node)->first_object == NONE)
        node_at(ctl, node)->work |= NW_INSTANCES;
}

/* ---- Operations ------------------------------------------------------------ */

static void op_free(echonet_ctl *ctl, uint16_t i)
{
    memset(&ctl->st.ops[i], 0, sizeof ctl->st.ops[i]);
    ctl->st.ops[i].node = NONE;
}

static size_t op_value_offset(const echonet_ctl_op *op, unsigned i)
{
    size_t off = 0;
    unsigned k;

    for (k = 0; k < i; k++)
        off += op->len[k];
    return off;
}

static int op_index_of(const echonet_ctl_op *op, uint8_t epc)
{
    unsigned k;

    for (k = 0; k < op->n; k++)
        if (op->epc[k] == epc)
            return (int)k;
    return -1;
}

static void set_props(echonet_propmap *m, const echonet_ctl_op *op, uint16_t mask)
{
    unsigned k;

    for (k = 0; k < op->n; k++)
        if (mask & bit(k))
            (void)echonet_propmap_add(m, op->epc[k]);
}

/* Ends an operation with its outcome, exactly once, and frees its slot. */
static void op_finish(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_op *op = &ctl->st.ops[i];
    echonet_ctl_object *o = obj_at(ctl, op->object);
    echonet_ctl_event ev;

    event_init(&ev, ECHONET_CTL_EV_DONE, op->node, o->eoj);
    ev.op = i;
    if (op->flags & OF_GONE) {
        ev.outcome = ECHONET_CTL_NODE_GONE;
    } else if (op->flags & OF_REMOVED) {
        ev.outcome = ECHONET_CTL_INSTANCE_GONE;
    } else if (op->flags & OF_LOCAL) {
        ev.outcome = ECHONET_CTL_REFUSED_LOCAL;
        set_props(&ev.props, op, op->refused);
        if (op->refused == 0)
            (void)echonet_propmap_add(&ev.props, ECHONET_EPC_REMOTE_CONTROL);
    } else if (op->timedout) {
        ev.outcome = ECHONET_CTL_TIMED_OUT;
        set_props(&ev.props, op, op->timedout);
    } else if (op->refused || (op->flags & OF_PREFIX_REFUSED)) {
        ev.outcome = ECHONET_CTL_REFUSED;
        set_props(&ev.props, op, op->refused);
        if (op->flags & OF_PREFIX_REFUSED)
            (void)echonet_propmap_add(&ev.props, ECHONET_EPC_REMOTE_CONTROL);
    } else if (op->substituted) {
        ev.outcome = ECHONET_CTL_SUBSTITUTED;
        set_props(&ev.props, op, op->substituted);
    } else {
        ev.outcome = ECHONET_CTL_DONE;
    }
    if (op->kind == OP_PROBE) {
        ev.probe_low = op->data[P_FOUND_LOW] == NO_TEMP ? -1 : (int8_t)op->data[P_FOUND_LOW];
        ev.probe_high = op->data[P_FOUND_HIGH] == NO_TEMP ? -1 : (int8_t)op->data[P_FOUND_HIGH];
    }
    op_free(ctl, i);
    emit(ctl, &ev);
}

/* Every operation of a node ends with NODE_GONE. */
static void ops_gone(echonet_ctl *ctl, echonet_ctl_node *n)
{
    uint16_t i;

    if (n->op != NONE) {
        i = n->op;
        n->op = NONE;
        ctl->st.ops[i].flags |= OF_GONE;
        op_finish(ctl, i);
    }
    while ((i = n->ops_head) != NONE) {
        n->ops_head = ctl->st.ops[i].next;
        ctl->st.ops[i].flags |= OF_GONE;
        op_finish(ctl, i);
    }
}

/* Drops the objects of a node that a complete instance list leaves out
 * (AIF 3.1.1: the unit no longer has them; polled, each would cost a
 * response timer and hold up the node's other work). Their operations end
 * with INSTANCE_GONE; a request in flight to one is still waited for (AIF
 * 2.4.1) but completes nothing (the job or keepalive loses its object). */
static void objects_unlisted(echonet_ctl *ctl, uint16_t ni, const uint8_t *edt, size_t count)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    uint16_t oi, *link = &n->first_object, i, *q;
    size_t k;

    while ((oi = *link) != NONE) {
        echonet_ctl_object *o = obj_at(ctl, oi);
        echonet_eoj eoj = o->eoj;

        for (k = 0; k < count && echonet_eoj_read(edt + 1 + 3 * k) != eoj; k++)
            ;
        if (k < count) {
            link = &o->next;
            continue;
        }
        if (n->op != NONE && ctl->st.ops[n->op].object == oi) {
            i = n->op;
            n->op = NONE;
            ctl->st.ops[i].flags |= OF_REMOVED;
            op_finish(ctl, i);
        }
        for (q = &n->ops_head; (i = *q) != NONE;) {
            if (ctl->st.ops[i].object != oi) {
                q = &ctl->st.ops[i].next;
                continue;
            }
            *q = ctl->st.ops[i].next;
            ctl->st.ops[i].flags |= OF_REMOVED;
            op_finish(ctl, i);
        }
        if (n->job.kind != J_INSTANCES && n->job.object == oi)
            n->job.kind = J_NONE;
        *link = o->next;
        object_free(ctl, oi);
        notify(ctl, ECHONET_CTL_EV_REMOVED, ni, eoj);
    }
}

/* ---- Jobs -------------------------------------------------------------------- */

/* Starts a job over the @p count properties at @p epcs (a list of the
 * library's or the operation's own, which outlives the job: the job refers
 * to it, it does not copy it), asking those whose bit is in @p select. Not
 * inlined: it has a dozen callers. */
static ECHONET_NOINLINE void job_start(echonet_ctl_node *n, uint8_t kind, uint16_t object, const uint8_t *epcs,
                                       size_t count, uint16_t select, uint8_t flags)
{
    memset(&n->job, 0, sizeof n->job);
    n->job.kind = kind;
    n->job.object = object;
    n->job.flags = flags;
    n->job.epc = epcs;
    n->job.n = (uint8_t)count;
    n->job.pending = select;
}

/* All @p count properties of a list. */
static uint16_t all_of(size_t count)
{
    return (uint16_t)(bit((unsigned)count) - 1u);
}

/* A read of @p epcs filtered through the object's Get map and skip list. */
static bool job_read(echonet_ctl *ctl, echonet_ctl_node *n, uint8_t kind, uint16_t oi, const uint8_t *epcs, size_t count,
                     uint8_t announced_only, bool use_skip)
{
    echonet_ctl_object *o = obj_at(ctl, oi);
    uint16_t select = 0;
    size_t k;

    for (k = 0; k < count; k++) {
        uint16_t sb = state_bit(epcs[k], NULL, NULL);

        if (!echonet_propmap_contains(&o->get, epcs[k]))
            continue;
        if (use_skip && (o->skip[0] == epcs[k] || o->skip[1] == epcs[k]))
            continue;
        if (announced_only == 1 && !(o->announced & sb))
            continue;
        if (announced_only == 2 && (o->announced & sb))
            continue;
        select |= bit((unsigned)k);
    }
    if (select == 0)
        return false;
    job_start(n, kind, oi, epcs, count, select, 0);
    return true;
}

/* Whether the restore ends with 0x80 = OFF after other properties: then it
 * is two requests, the OFF alone and last. */
static bool probe_off_last(const echonet_ctl_op *op)
{
    return op->n > 1 && op->epc[op->n - 1] == 0x80;
}

/* Sets the job of the operation's current step. Returns false when the
 * operation ended without sending anything. */
static bool op_job(echonet_ctl *ctl, echonet_ctl_node *n)
{
    echonet_ctl_op *op = &ctl->st.ops[n->op];
    uint8_t prefix = ctl->cfg.remote ? JF_PREFIX : 0;

    switch (op->kind) {
    case OP_GET:
        job_start(n, J_OP, op->object, op->epc, op->n, all_of(op->n), 0);
        return true;
    case OP_SET:
        if (op->phase == PH_MAIN) {
            job_start(n, J_OP, op->object, op->epc, op->n, all_of(op->n), (uint8_t)(JF_WRITE | prefix));
        } else {
            /* Verify every property written (AIF 2.4.5, 4.1 ③), refused
             * and unanswered ones too: the cache then holds what the unit
             * really has, whatever the answer said (issue 13). */
            uint16_t select = 0;
            unsigned k;

            for (k = 0; k < op->n; k++)
                if (echonet_propmap_contains(&obj_at(ctl, op->object)->get, op->epc[k]))
                    select |= bit(k);
            if (select == 0)
                return false;
            job_start(n, J_OP, op->object, op->epc, op->n, select, 0);
        }
        return true;
    case OP_FAULT:
        if (op->phase == PH_MAIN) {
            static const uint8_t fault[] = {0x88};

            job_start(n, J_OP, op->object, fault, 1, 1, 0);
            return true;
        } else {
            static const uint8_t codes[] = {0x86, 0x89};

            return job_read(ctl, n, J_OP, op->object, codes, 2, 0, false);
        }
    default: { /* OP_PROBE: the step's properties are in op->epc */
        uint16_t select = all_of(op->n);

        if (op->phase >= PH_RESTORE && probe_off_last(op))
            select = op->phase == PH_RESTORE ? (uint16_t)(select >> 1) : bit(op->n - 1u);
        job_start(n, J_OP, op->object, op->epc, op->n, select,
                  (uint8_t)(op->phase == PH_SAVE || op->phase == PH_HIGH_CHECK || op->phase == PH_LOW_CHECK
                                ? 0
                                : JF_WRITE | prefix));
        return true;
    }
    }
}

/* Probe steps: the properties and values of each phase. */
static void probe_step(echonet_ctl_op *op, uint8_t phase)
{
    static const uint8_t save[] = {0x80, 0xB0, 0xB3};
    uint8_t *d = op->data;

    op->phase = phase;
    op->n = 0;
    switch (phase) {
    case PH_SAVE:
        memcpy(op->epc, save, 3);
        op->n = 3;
        memset(op->len, 0, sizeof op->len);
        return;
    case PH_ON:
        op->epc[0] = 0x80;
        op->epc[1] = 0xB0;
        op->len[0] = op->len[1] = 1;
        d[0] = ECHONET_ON;
        d[1] = d[P_MODE];
        op->n = 2;
        return;
    case PH_HIGH_TRY:
    case PH_LOW_TRY:
        op->epc[0] = 0xB3;
        op->len[0] = 1;
        d[0] = d[P_CAND];
        op->n = 1;
        return;
    case PH_HIGH_CHECK:
    case PH_LOW_CHECK:
        op->epc[0] = 0xB3;
        op->len[0] = 0;
        op->n = 1;
        return;
    default: /* PH_RESTORE: what was saved, in the order of AIF 5.1 ⑦ */
        /* A unit that was off is switched off last, in a request of its
         * own (PH_RESTORE_OFF), after its mode and temperature are back:
         * one that refuses writes while off (AIF 3.3) would otherwise be
         * left at the probe's settings (issue 13). */
        if (d[P_S80] == ECHONET_ON) {
            op->epc[op->n] = 0x80;
            op->len[op->n] = 1;
            d[op->n++] = d[P_S80];
        }
        if (d[P_SB0] >= ECHONET_MODE_AUTO && d[P_SB0] <= ECHONET_MODE_FAN) {
            op->epc[op->n] = 0xB0;
            op->len[op->n] = 1;
            d[op->n++] = d[P_SB0];
        }
        if (d[P_SB3] <= ECHONET_TEMP_MAX) {
            op->epc[op->n] = 0xB3;
            op->len[op->n] = 1;
            d[op->n++] = d[P_SB3];
        }
        if (d[P_S80] == ECHONET_OFF) {
            op->epc[op->n] = 0x80;
            op->len[op->n] = 1;
            d[op->n++] = d[P_S80];
        }
        return;
    }
}

/* Local checks of an operation before anything is sent (AIF 2.4.5). */
static bool op_locally_refused(echonet_ctl *ctl, echonet_ctl_op *op)
{
    echonet_ctl_object *o = obj_at(ctl, op->object);
    const echonet_propmap *map = op->kind == OP_GET ? &o->get : &o->set;
    unsigned k;

    if (op->kind == OP_FAULT)
        return false;
    if (op->kind == OP_PROBE) {
        static const uint8_t need[] = {0x80, 0xB0, 0xB3};

        for (k = 0; k < 3; k++)
            if (!echonet_propmap_contains(&o->set, need[k]) || !echonet_propmap_contains(&o->get, need[k]))
                op->refused |= bit(k);
        if (op->refused) {
            memcpy(op->epc, need, 3);
            op->n = 3;
        }
    } else {
        for (k = 0; k < op->n; k++)
            if (!echonet_propmap_contains(map, op->epc[k]))
                op->refused |= bit(k);
    }
    /* A remote write to a unit that cannot be told so is not made. */
    if (op->kind != OP_GET && ctl->cfg.remote && !echonet_propmap_contains(&o->set, ECHONET_EPC_REMOTE_CONTROL))
        op->flags |= OF_LOCAL;
    if (op->refused)
        op->flags |= OF_LOCAL;
    return (op->flags & OF_LOCAL) != 0;
}

/* The application's operations, in order: starts the first that sends
 * something (the others end at once). With @p ready_only, stops at one for
 * an object whose maps are not read yet: its discovery goes first
 * (pick_job()). */
static bool pick_op(echonet_ctl *ctl, echonet_ctl_node *n, bool ready_only)
{
    while (n->ops_head != NONE) {
        uint16_t i = n->ops_head;
        echonet_ctl_op *op = &ctl->st.ops[i];

        if (ready_only && !(obj_at(ctl, op->object)->work & OW_READY))
            return false;
        n->ops_head = op->next;
        n->op = i;
        if (op_locally_refused(ctl, op) || !op_job(ctl, n)) {
            n->op = NONE;
            op_finish(ctl, i);
            continue;
        }
        return true;
    }
    return false;
}

/* Whether the node's next operation is for a ready object: it then goes
 * before the node's own reads (issue 13: a read or write of the
 * application waited behind a background read for minutes). One for an
 * object still being discovered waits for its maps. */
static bool op_first(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    return n->ops_head != NONE && (obj_at(ctl, ctl->st.ops[n->ops_head].object)->work & OW_READY);
}

/* Gives up the node's own read between two of its requests, for an
 * operation (op_first()); it is made again afterwards from the start (what
 * it read is kept). */
static void job_yield(echonet_ctl *ctl, echonet_ctl_node *n, uint32_t now)
{
    /* The object work that makes each kind of job again (0: its timer). */
    static const uint8_t redo[J_ENERGY + 1] = {
        [J_ATTR] = OW_ATTR, [J_ID] = OW_ID, [J_NPID] = OW_NPID, [J_STATE] = OW_STATE, [J_FAULT] = OW_FAULT,
    };
    echonet_ctl_object *o;
    uint8_t kind = n->job.kind;

    if (kind == J_INSTANCES || kind == J_OP)
        return; /* not given up (and no object: NONE is no index) */
    o = obj_at(ctl, n->job.object);
    o->work |= redo[kind];
    if (kind == J_POLL)
        o->next_poll = now;
    else if (kind == J_REREAD)
        o->next_reread = now;
    else if (kind == J_ENERGY)
        o->next_energy = now;
    n->job.kind = J_NONE;
}

/* Picks the node's next job; false when there is nothing to do. */
static bool pick_job(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    static const uint8_t attr[] = {0x82, 0x9D, 0x9E, 0x9F};
    static const uint8_t d6[] = {0xD6};
    static const uint8_t id83[] = {0x83};
    static const uint8_t fault[] = {0x88};
    echonet_ctl_node *n = node_at(ctl, ni);
    uint16_t oi;
    bool ops_first;

    /* (Keepalives are not jobs: send_keepalive().) */
    if (n->state == N_OFFLINE) {
        /* Nothing but the probe of an offline node: any answer brings it back. */
        if (!(n->work & NW_PROBE))
            return false;
        n->work &= (uint8_t)~NW_PROBE;
        job_start(n, J_INSTANCES, NONE, d6, 1, 1, 0);
        return true;
    }
    if (n->work & NW_INSTANCES) {
        n->work &= (uint8_t)~NW_INSTANCES;
        job_start(n, J_INSTANCES, NONE, d6, 1, 1, 0);
        return true;
    }
    /* Discovery of each object first (AIF 3.1.3, 3.1.4), unless an
     * operation for a ready object waits (op_first()); again when the
     * operations that went first ended at once and the next is for an
     * object not ready. */
    do {
        ops_first = op_first(ctl, n);
        for (oi = ops_first ? NONE : n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
            echonet_ctl_object *o = obj_at(ctl, oi);

            if (o->work & OW_ATTR) {
                o->work &= (uint8_t)~OW_ATTR;
                job_start(n, J_ATTR, oi, attr, 4, all_of(4), 0);
                return true;
            }
            if (o->work & OW_ID) {
                static const uint8_t id[] = {0x83, 0x8A};

                o->work &= (uint8_t)~OW_ID;
                /* The object's own 0x83, or the node profile's for a one-object
                 * node (AIF 3.1.4). */
                if (!echonet_propmap_contains(&o->get, 0x83) && object_count(ctl, ni) == 1)
                    o->work |= OW_NPID;
                if (job_read(ctl, n, J_ID, oi, id, 2, 0, false))
                    return true;
            }
            if (o->work & OW_NPID) {
                o->work &= (uint8_t)~OW_NPID;
                job_start(n, J_NPID, oi, id83, 1, 1, 0);
                return true;
            }
            if (o->work & OW_STATE) {
                o->work &= (uint8_t)~OW_STATE;
                if (!job_read(ctl, n, J_STATE, oi, state_epcs, sizeof state_epcs, 0, false))
                    job_start(n, J_STATE, oi, NULL, 0, 0, 0); /* nothing readable: done at once */
                return true;
            }
        }
        if (pick_op(ctl, n, ops_first))
            return true;
    } while (ops_first && n->ops_head != NONE);
    for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
        echonet_ctl_object *o = obj_at(ctl, oi);

        if (o->work & OW_FAULT) {
            o->work &= (uint8_t)~OW_FAULT;
            job_start(n, J_FAULT, oi, fault, 1, 1, 0);
            return true;
        }
        if (timer_due(o->next_poll, now)) {
            o->next_poll = now + ctl->cfg.poll_interval_ms;
            if (job_read(ctl, n, J_POLL, oi, state_epcs, sizeof state_epcs, 2, true))
                return true;
        }
        if (timer_due(o->next_reread, now)) {
            o->next_reread = now + ctl->cfg.reread_interval_ms;
            /* Properties skipped for timing out alone are tried again from
             * now on: a bad spell of the network must not make a property
             * skipped for good (the cache would never catch up, AIF 5.4). */
            o->skip[0] = o->skip[1] = 0;
            if (echonet_propmap_count(&o->get) == 0) {
                /* The attributes never came: ask again. */
                job_start(n, J_ATTR, oi, attr, 4, all_of(4), 0);
                return true;
            }
            if (job_read(ctl, n, J_REREAD, oi, state_epcs, sizeof state_epcs, 1, true))
                return true;
        }
        if (timer_due(o->next_energy, now)) {
            o->next_energy = now + ctl->cfg.energy_interval_ms;
            if (job_read(ctl, n, J_ENERGY, oi, energy_epcs, sizeof energy_epcs, 0, false))
                return true;
        }
    }
    return false;
}

/* ---- Requests ---------------------------------------------------------------- */

/* The value job property @p k writes. */
static const uint8_t *job_value(echonet_ctl *ctl, const echonet_ctl_node *n, unsigned k, size_t *len)
{
    const echonet_ctl_op *op;
    int i;

    op = &ctl->st.ops[n->op];
    i = op_index_of(op, n->job.epc[k]);
    *len = op->len[i];
    return op->data + op_value_offset(op, (unsigned)i);
}

static echonet_eoj job_deoj(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    return n->job.kind == J_INSTANCES || n->job.kind == J_NPID ? ECHONET_EOJ_NODE_PROFILE
                                                                 : obj_at(ctl, n->job.object)->eoj;
}

/* Sends the next request of the node's job. */
static int32_t send_request(echonet_ctl *ctl, uint16_t ni, uint8_t *buf, size_t cap, uint32_t now)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_job *job = &n->job;
    bool write = (job->flags & JF_WRITE) != 0, prefix = (job->flags & JF_PREFIX) != 0;
    unsigned k, size = ctl->cfg.max_props, taken = 0;
    echonet_writer w;
    size_t len = 0;

    if (n->capacity < size)
        size = n->capacity;
    if ((job->flags & JF_SINGLE) || (job->pending & (bit(job->split) - 1u)))
        size = 1;
    /* The 0x93 prefix counts in what the device must process (AIF 4.1). */
    if (prefix && size > 1)
        size--;
    n->tid = next_tid(ctl);
    n->esv = write ? ECHONET_ESV_SETC : ECHONET_ESV_GET;
    job->inflight = 0;
    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, n->tid, ctl->cfg.self, job_deoj(ctl, n), n->esv);
    if (prefix) {
        static const uint8_t remote = ECHONET_REMOTE_PUBLIC;

        echonet_writer_prop(&w, ECHONET_EPC_REMOTE_CONTROL, 1, &remote);
    }
    for (k = 0; k < job->n && taken < size; k++) {
        if (!(job->pending & bit(k)))
            continue;
        if (write) {
            size_t vlen;
            const uint8_t *v = job_value(ctl, n, k, &vlen);

            echonet_writer_prop(&w, job->epc[k], vlen, v);
        } else {
            echonet_writer_prop(&w, job->epc[k], 0, NULL);
        }
        job->inflight |= bit(k);
        taken++;
    }
    if (echonet_writer_finish(&w, &len) != ECHONET_OK)
        return ECHONET_ERR_NOBUF;
    n->busy = true;
    n->deadline = now + ctl->cfg.response_timeout_ms;
    ctl_heap_update(ctl, ni);
    return (int32_t)len;
}

/* ---- Values arriving ------------------------------------------------------------ */

/* A value of an object's property: cache, event, and what the job needs. */
static void deliver(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    echonet_ctl_object *o = obj_at(ctl, oi);
    echonet_ctl_event ev;
    uint8_t *field = NULL;
    uint16_t sb = state_bit(epc, &o->state, &field);

    event_init(&ev, ECHONET_CTL_EV_PROPERTY, ni, o->eoj);
    ev.epc = epc;
    ev.pdc = pdc;
    ev.edt = edt;
    ev.changed = true;
    if (sb && pdc == 1) {
        ev.changed = !(o->state.valid & sb) || *field != edt[0];
        *field = edt[0];
        o->state.valid |= sb;
        /* A fault announced or read starts the read-out (AIF 3.4, 5.5). */
        if (epc == ECHONET_EPC_FAULT_STATUS && edt[0] == ECHONET_FAULT && ev.changed)
            o->work |= OW_FAULT;
    }
    emit(ctl, &ev);
}

/* What a read job does with a value beyond caching it. */
static bool job_take_value(echonet_ctl *ctl, uint16_t ni, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_object *o = n->job.object != NONE ? obj_at(ctl, n->job.object) : NULL;
    echonet_ctl_op *op = n->op != NONE ? &ctl->st.ops[n->op] : NULL;
    echonet_propmap map;

    switch (n->job.kind) {
    case J_INSTANCES:
        objects_from_list(ctl, ni, edt, pdc);
        return true;
    case J_NPID:
        if (pdc != 17)
            return false;
        memcpy(o->id, edt, 17);
        return true;
    case J_ATTR:
        if (epc == 0x82 && pdc == 4) {
            memcpy(o->version, edt, 4);
        } else if (epc >= 0x9D && epc <= 0x9F) {
            if (echonet_propmap_decode(&map, edt, pdc) != ECHONET_OK)
                return false;
            if (epc == 0x9D) {
                uint8_t *f;
                unsigned k;

                o->announced = 0;
                for (k = 0; k < sizeof state_epcs; k++)
                    if (echonet_propmap_contains(&map, state_epcs[k]))
                        o->announced |= (uint8_t)state_bit(state_epcs[k], &o->state, &f);
            } else if (epc == 0x9E) {
                o->set = map;
            } else {
                o->get = map;
            }
        }
        break;
    case J_ID:
        if (epc == 0x83 && pdc == 17)
            memcpy(o->id, edt, 17);
        break;
    case J_OP:
        if (op->kind == OP_SET && op->phase == PH_VERIFY) {
            int i = op_index_of(op, epc);

            if (i >= 0 && (op->len[i] != pdc || memcmp(op->data + op_value_offset(op, (unsigned)i), edt, pdc) != 0))
                op->substituted |= bit((unsigned)i);
        } else if (op->kind == OP_PROBE && pdc == 1) {
            if (op->phase == PH_SAVE)
                op->data[epc == 0x80 ? P_S80 : epc == 0xB0 ? P_SB0 : P_SB3] = edt[0];
            else
                op->data[0] = edt[0];
        }
        break;
    default:
        break;
    }
    if (o && value_plausible(epc, edt, pdc)) {
        deliver(ctl, ni, n->job.object, epc, edt, pdc);
        return true;
    }
    return o == NULL || value_plausible(epc, edt, pdc);
}

/* ---- Ending steps, jobs and operations ------------------------------------------- */

static void probe_next(const echonet_ctl_node *n, echonet_ctl_op *op)
{
    uint8_t *d = op->data;
    bool failed = (n->job.failed | n->job.timedout) != 0 || (n->job.flags & JF_PREFIX_REFUSED);
    uint8_t v = d[0];

    if (n->job.timedout && op->phase < PH_RESTORE) {
        op->timedout |= 1;
        probe_step(op, PH_RESTORE);
        return;
    }
    switch (op->phase) {
    case PH_SAVE:
        probe_step(op, failed ? PH_RESTORE : PH_ON);
        if (failed)
            op->refused |= 1;
        return;
    case PH_ON:
        if (failed) {
            op->refused |= 1;
            probe_step(op, PH_RESTORE);
            return;
        }
        d[P_CAND] = d[P_HIGH];
        probe_step(op, PH_HIGH_TRY);
        return;
    case PH_HIGH_TRY:
        if (!failed) {
            probe_step(op, PH_HIGH_CHECK);
            return;
        }
        break; /* refused: one lower */
    case PH_HIGH_CHECK:
        if (!failed && v == d[P_CAND]) {
            d[P_FOUND_HIGH] = v;
            d[P_CAND] = d[P_LOW];
            probe_step(op, PH_LOW_TRY);
            return;
        }
        /* Substituted: the value read is the next guess when it is lower. */
        if (!failed && v <= ECHONET_TEMP_MAX && v < d[P_CAND] && v >= d[P_LOW]) {
            d[P_CAND] = v;
            probe_step(op, PH_HIGH_TRY);
            return;
        }
        break;
    case PH_LOW_TRY:
        if (!failed) {
            probe_step(op, PH_LOW_CHECK);
            return;
        }
        break;
    case PH_LOW_CHECK:
        if (!failed && v == d[P_CAND]) {
            d[P_FOUND_LOW] = v;
            probe_step(op, PH_RESTORE);
            return;
        }
        if (!failed && v > d[P_CAND] && v <= d[P_HIGH]) {
            d[P_CAND] = v;
            probe_step(op, PH_LOW_TRY);
            return;
        }
        break;
    default: /* PH_RESTORE done */
        /* A setting the unit would not take back is reported (the job's
         * bits index op->epc, the restore's properties): the unit is not
         * as it was (AIF 5.3 ⑤). */
        op->refused |= n->job.failed;
        op->timedout |= n->job.timedout;
        op->phase = op->phase == PH_RESTORE && probe_off_last(op) ? PH_RESTORE_OFF : 0xFF;
        return;
    }
    /* Next candidate, or give up on this end. */
    if (op->phase == PH_HIGH_TRY || op->phase == PH_HIGH_CHECK) {
        if (d[P_CAND] == 0 || d[P_CAND] - 1 < d[P_LOW]) {
            d[P_CAND] = d[P_LOW];
            probe_step(op, PH_LOW_TRY);
        } else {
            d[P_CAND]--;
            probe_step(op, PH_HIGH_TRY);
        }
    } else {
        if (d[P_CAND] + 1 > d[P_HIGH]) {
            probe_step(op, PH_RESTORE);
        } else {
            d[P_CAND]++;
            probe_step(op, PH_LOW_TRY);
        }
    }
}

/* The operation's step ended: start its next step or finish it. */
static void op_step_done(echonet_ctl *ctl, uint16_t ni)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    uint16_t i = n->op;
    echonet_ctl_op *op = &ctl->st.ops[i];
    bool more = false;

    switch (op->kind) {
    case OP_GET:
        op->refused = n->job.failed;
        op->timedout = n->job.timedout;
        break;
    case OP_SET:
        if (op->phase == PH_MAIN) {
            op->refused = n->job.failed;
            op->timedout = n->job.timedout;
            if (n->job.flags & JF_PREFIX_REFUSED)
                op->flags |= OF_PREFIX_REFUSED;
            op->phase = PH_VERIFY;
            more = op_job(ctl, n);
        } else {
            /* A verification that got no answer leaves the write unknown. */
            unsigned k;

            for (k = 0; k < n->job.n; k++)
                if (n->job.timedout & bit(k) & (uint16_t)~op->refused)
                    op->timedout |= bit((unsigned)op_index_of(op, n->job.epc[k]));
        }
        break;
    case OP_FAULT:
        if (op->phase == PH_MAIN && !n->job.failed && !n->job.timedout &&
            (obj_at(ctl, op->object)->state.valid & ECHONET_CTL_S_FAULT) &&
            obj_at(ctl, op->object)->state.fault == ECHONET_FAULT) {
            op->phase = PH_CODES;
            more = op_job(ctl, n);
        }
        if (!more) {
            echonet_ctl_event ev;
            echonet_ctl_object *o = obj_at(ctl, op->object);

            /* This read-out is the one a fault read here asked for: not
             * another automatic one (and no second FAULT event). */
            o->work &= (uint8_t)~OW_FAULT;
            if (n->job.timedout)
                op->timedout |= 1;
            event_init(&ev, ECHONET_CTL_EV_FAULT, ni, o->eoj);
            ev.fault = o->state.fault;
            ev.op = i;
            emit(ctl, &ev);
        }
        break;
    default: /* OP_PROBE */
        probe_next(n, op);
        if (op->phase != 0xFF) {
            more = op_job(ctl, n);
            if (!more && op->phase != PH_RESTORE) {
                probe_step(op, PH_RESTORE);
                more = op_job(ctl, n);
            }
            if (op->phase == PH_RESTORE && op->n == 0)
                more = false;
        }
        break;
    }
    if (more)
        return;
    n->job.kind = J_NONE;
    n->op = NONE;
    op_finish(ctl, i);
}

static uint32_t keepalive_lead(const echonet_ctl *ctl, unsigned objects)
{
    /* Waiting for the request in flight, for the node's other objects'
     * keepalives due at the same time, and for its own answer. */
    uint64_t margin = (objects + 1u) * (uint64_t)ctl->cfg.response_timeout_ms;

    uint32_t half = ctl->cfg.keepalive_interval_ms / 2u;

    /* An interval too short for that (set below what the node's objects
     * allow) spaces each object's keepalives by half of it at least, not
     * by a second (issue 13): the 3.5 promise cannot be kept then anyway. */
    return ctl->cfg.keepalive_interval_ms > margin + half ? (uint32_t)(ctl->cfg.keepalive_interval_ms - margin) : half;
}

/* ---- Keepalives (AIF 3.5) ---------------------------------------------------------------
 *
 * A keepalive is not a job: it goes out before the next request of whatever
 * the node is doing (a job, an operation's step, the probe of an offline
 * node), so that neither a long job nor a slow unit delays it by more than
 * the request in flight. Its object is the node's only one whose
 * next_keepalive is NEVER while it is ready (set when it is sent). */

/* The object whose keepalive is due, the longest overdue first, or NONE.
 * (The first due in object order let an object whose keepalive had just
 * been sent, failed and been brought forward go again before another
 * overdue for a whole request: with three objects and a one-hour interval,
 * the third's came 1.4 s after its interval had run out, issue 13.) */
static uint16_t keepalive_due(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now)
{
    uint16_t oi, due = NONE;

    for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
        const echonet_ctl_object *o = obj_at(ctl, oi);

        if (keepalive_wanted(ctl, o) && timer_due(o->next_keepalive, now) &&
            (due == NONE || o->next_keepalive < obj_at(ctl, due)->next_keepalive))
            due = oi;
    }
    return due;
}

/* The object whose keepalive is in flight, or NONE. */
static uint16_t keepalive_in_flight(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    uint16_t oi;

    for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
        const echonet_ctl_object *o = obj_at(ctl, oi);

        if ((o->work & OW_READY) && o->next_keepalive == CLOCK_NEVER)
            return oi;
    }
    return NONE;
}

/* SetC 0x93 = 0x62 (AIF 3.5 ③). */
static int32_t send_keepalive(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t *buf, size_t cap, uint32_t now)
{
    static const uint8_t line_ok = ECHONET_REMOTE_LINE_OK_PUBLIC;
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_writer w;
    size_t len = 0;

    n->tid = next_tid(ctl);
    n->esv = ECHONET_ESV_SETC;
    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, n->tid, ctl->cfg.self, obj_at(ctl, oi)->eoj, n->esv);
    echonet_writer_prop(&w, ECHONET_EPC_REMOTE_CONTROL, 1, &line_ok);
    if (echonet_writer_finish(&w, &len) != ECHONET_OK)
        return ECHONET_ERR_NOBUF;
    obj_at(ctl, oi)->next_keepalive = CLOCK_NEVER;
    n->work |= NW_KEEPALIVE;
    n->busy = true;
    n->deadline = now + ctl->cfg.response_timeout_ms;
    ctl_heap_update(ctl, ni);
    return (int32_t)len;
}

/* Not inlined: called from two places, one of them echonet_ctl_read(). */
static ECHONET_NOINLINE void keepalive_done(echonet_ctl *ctl, uint16_t ni, uint16_t oi, bool ok, uint32_t now)
{
    echonet_ctl_object *o = obj_at(ctl, oi);
    echonet_ctl_event ev;

    /* The next one goes out early enough that, even after waiting for a
     * request in flight and for its own answer, it succeeds within the
     * interval of this one; a failed one is tried again long before the
     * unit's 20 hours (AIF 3.5 ③). */
    o->next_keepalive =
        now + (ok ? keepalive_lead(ctl, object_count(ctl, ni)) : ctl->cfg.keepalive_retry_ms);
    event_init(&ev, ECHONET_CTL_EV_KEEPALIVE, ni, o->eoj);
    ev.ok = ok;
    emit(ctl, &ev);
}

/* ---- One unit, one node (issue 13, AIF 4.1) ------------------------------------------ */

static void node_heard(echonet_ctl *ctl, uint16_t ni);

/* Nodes @p a and @p b trade addresses (and index entries). */
static void swap_addrs(echonet_ctl *ctl, uint16_t a, uint16_t b)
{
    echonet_addr t = node_at(ctl, a)->addr;

    ctl_index_remove(ctl, a);
    ctl_index_remove(ctl, b);
    node_at(ctl, a)->addr = node_at(ctl, b)->addr;
    node_at(ctl, b)->addr = t;
    ctl_index_insert(ctl, a);
    ctl_index_insert(ctl, b);
}

/* The node of a frame from @p src: for an alias, its unit's node, which
 * moves to this address when it is offline at its own and not being asked
 * there (the unit is alive here: a new address after a restart). Else the
 * alias keeps the time it was heard (its deadline: an alias has no timer)
 * for node_offline(). */
static uint16_t node_of_src(echonet_ctl *ctl, const echonet_addr *src)
{
    uint16_t ni = ctl_index_find(ctl, src), a;

    if (ni == NONE)
        return ni;
    if (node_at(ctl, ni)->state != N_ALIAS) {
        node_at(ctl, ni)->work &= (uint8_t)~NW_ALIAS_HEARD;
        return ni;
    }
    a = node_at(ctl, ni)->op;
    if (node_at(ctl, a)->state == N_OFFLINE && !node_at(ctl, a)->busy) {
        swap_addrs(ctl, a, ni);
    } else {
        node_at(ctl, ni)->deadline = ctl->clock;
        node_at(ctl, a)->work |= NW_ALIAS_HEARD;
    }
    return a;
}

/* Node @p ni goes offline at its address: when the unit was heard at an
 * alias's address since it was last heard at its own, the node moves to
 * the latest such address (an address changed while the node was online,
 * DHCP), where its probes go. A walk over the nodes, once per going
 * offline. */
static void alias_move(echonet_ctl *ctl, uint16_t ni)
{
    uint16_t i, best = NONE;

    if (!(node_at(ctl, ni)->work & NW_ALIAS_HEARD))
        return;
    for (i = 0; i < ctl->n_nodes_used; i++)
        if (node_at(ctl, i)->state == N_ALIAS && node_at(ctl, i)->op == ni &&
            (best == NONE || node_at(ctl, i)->deadline > node_at(ctl, best)->deadline))
            best = i;
    if (best != NONE)
        swap_addrs(ctl, ni, best);
}

/* Object @p o of node @p ni has just been identified. A unit is told by
 * its identification number (AIF 4.1): when another node has an object
 * with the same one, node @p ni is that unit at a second address (an IPv6
 * unit at its link-local and at its global address). It becomes an alias:
 * its address stays known and leads to the first node, which alone sends
 * to the unit (one request in flight, AIF 2.4.1); its objects go, and
 * operations queued for them end NODE_GONE. The first node is offline at
 * its own address (and not being asked there): it takes this one, which
 * answered. A walk over the objects, once per identification. */
static void same_unit(echonet_ctl *ctl, uint16_t ni, const echonet_ctl_object *o)
{
    static const uint8_t zeros[12];
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_event ev;
    uint16_t i, a;

    /* A unique part of zeros (bytes 5 to 16 after 0xFE and the maker code;
     * the 17th may number the objects) is a placeholder: two units that
     * have it are not one (two emulators with their default, for one). */
    if (memcmp(o->id + 4, zeros, sizeof zeros) == 0)
        return;
    for (i = 0; i < ctl->n_objects_used; i++) {
        const echonet_ctl_object *p = obj_at(ctl, i);

        if (p->node != NONE && p->node != ni && memcmp(p->id, o->id, sizeof p->id) == 0)
            break;
    }
    if (i == ctl->n_objects_used)
        return;
    a = obj_at(ctl, i)->node;
    ops_gone(ctl, n);
    objects_free(ctl, n);
    ctl_heap_remove(ctl, ni);
    n->state = N_ALIAS;
    n->busy = false;
    n->work = 0;
    n->job.kind = J_NONE;
    n->op = a;
    n->deadline = ctl->clock; /* heard (node_of_src()) */
    for (i = 0; i < ctl->n_nodes_used; i++)
        if (node_at(ctl, i)->state == N_ALIAS && node_at(ctl, i)->op == ni)
            node_at(ctl, i)->op = a;
    if (node_at(ctl, a)->state == N_OFFLINE && !node_at(ctl, a)->busy) {
        swap_addrs(ctl, a, ni);
        node_heard(ctl, a);
    } else {
        node_at(ctl, a)->work |= NW_ALIAS_HEARD;
    }
    event_init(&ev, ECHONET_CTL_EV_ALIAS, ni, 0);
    ev.same_as = a;
    emit(ctl, &ev);
    schedule(ctl, a);
}

static void job_done(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_object *o = n->job.object != NONE ? obj_at(ctl, n->job.object) : NULL;
    echonet_ctl_event ev;
    uint8_t kind = n->job.kind;

    if (kind == J_OP) {
        op_step_done(ctl, ni);
        return;
    }
    n->job.kind = J_NONE;
    switch (kind) {
    case J_ATTR:
        /* No Get map (lost on the way): asked once more before the rest, as
         * the map decides which 0x83 identifies the object (J_ID, J_NPID),
         * and the same unit at two addresses must be identified alike. */
        if (echonet_propmap_count(&o->get) == 0 && !(o->work & (OW_READY | OW_ATTR_AGAIN)))
            o->work |= OW_ATTR | OW_ATTR_AGAIN;
        break;
    case J_ID:
    case J_NPID:
        /* Lost on the way: asked once more, as the identity decides whether
         * this is a unit known at another address (same_unit()). */
        if (n->job.timedout && !(o->work & (OW_ID_AGAIN | OW_NPID)))
            o->work |= (uint8_t)(OW_ID_AGAIN | (kind == J_ID ? OW_ID : OW_NPID));
        else
            same_unit(ctl, ni, o);
        break;
    case J_INSTANCES:
        /* No answer, and no object known: asked again, until it answers or
         * is offline (no_object_asks()). */
        if (n->job.timedout && n->first_object == NONE)
            n->work |= NW_INSTANCES;
        break;
    case J_STATE:
        o->work &= (uint8_t)~OW_STATE;
        if (!(o->work & OW_READY)) {
            o->work |= OW_READY;
            ctl_object_timers(ctl, o, now);
            notify(ctl, ECHONET_CTL_EV_READY, ni, o->eoj);
        }
        break;
    case J_POLL:
        if (!ctl->cfg.poll_interval_ms)
            o->next_poll = CLOCK_NEVER;
        break;
    case J_REREAD:
        if (!ctl->cfg.reread_interval_ms)
            o->next_reread = CLOCK_NEVER;
        break;
    case J_FAULT:
        if (n->job.phase == 0 && (o->state.valid & ECHONET_CTL_S_FAULT) && o->state.fault == ECHONET_FAULT) {
            static const uint8_t codes[] = {0x86, 0x89};

            if (job_read(ctl, n, J_FAULT, n->job.object, codes, 2, 0, false)) {
                n->job.phase = 1;
                return;
            }
        }
        event_init(&ev, ECHONET_CTL_EV_FAULT, ni, o->eoj);
        ev.fault = o->state.fault;
        emit(ctl, &ev);
        break;
    default:
        break;
    }
}

/* ---- Responses and timeouts ------------------------------------------------------- */

static void on_response(echonet_ctl *ctl, uint16_t ni, const echonet_frame *f, uint32_t now)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_job *job = &n->job;
    bool write = (job->flags & JF_WRITE) != 0;
    uint16_t ok = 0, seen = 0, failed;
    unsigned k, sent = popcount16(job->inflight), leading = 0;
    echonet_prop_iter it = f->props;
    echonet_prop p;
    bool first = true;

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
        for (k = 0; k < job->n; k++) {
            if ((job->inflight & bit(k)) && !(seen & bit(k)) && job->epc[k] == p.epc)
                break;
        }
        if (k == job->n)
            continue; /* not asked for */
        seen |= bit(k);
        if (write ? p.pdc == 0 : (p.pdc > 0 && job_take_value(ctl, ni, p.epc, p.edt, p.pdc)))
            ok |= bit(k);
    }
    failed = (uint16_t)(job->inflight & ~ok);
    job->pending &= (uint16_t)~ok;
    job->attempt = 0;
    if (failed) {
        if (sent == 1) {
            /* Alone and refused: that is the device's answer. */
            job->failed |= failed;
            job->pending &= (uint16_t)~failed;
        } else {
            /* Refused or unprocessed in a group: ask again one by one. When
             * the failures are a tail after processed ones, the device's
             * capacity shows: learn it (AIF 5.2, reference 11). */
            bool tail = true, after = false;
            uint16_t unsure = 0, refused = 0;

            for (k = 0; k < job->n; k++) {
                if (!(job->inflight & bit(k)))
                    continue;
                if (failed & bit(k)) {
                    after = true;
                    unsure |= bit(k);
                    continue;
                }
                if (after)
                    tail = false;
                else
                    leading++;
                refused |= unsure; /* failed before one processed after it */
                unsure = 0;
            }
            /* Only a read shows it: a write's refused property looks the
             * same as an unprocessed one (value echoed), and refusals of a
             * value are common (AIF 2.4.5), so a write's failures are asked
             * again one by one instead; but only those after the last one
             * processed, which may have been left unprocessed: one before
             * it was refused (a device processes in order), and re-sent
             * alone it would land after properties that come later in the
             * order of AIF 5.1 ⑦ (issue 13). */
            if (write) {
                job->failed |= refused;
                job->pending &= (uint16_t)~refused;
                if (unsure)
                    job->flags |= JF_SINGLE;
            } else if (tail && leading > 0) {
                if (leading < n->capacity)
                    n->capacity = (uint8_t)leading;
            } else {
                job->flags |= JF_SINGLE;
            }
        }
    }
    if (job->pending == 0)
        job_done(ctl, ni, now);
    schedule(ctl, ni);
}

uint16_t ctl_ready_objects(const echonet_ctl *ctl, uint16_t node)
{
    uint16_t oi, k = 0;

    for (oi = ctl->st.nodes[node].first_object; oi != NONE; oi = ctl->st.objects[oi].next)
        k = (uint16_t)(k + ((ctl->st.objects[oi].work & OW_READY) != 0));
    return k;
}

static void node_offline(echonet_ctl *ctl, uint16_t ni)
{
    echonet_ctl_node *n = node_at(ctl, ni);

    alias_move(ctl, ni);
    n->state = N_OFFLINE;
    n->busy = false;
    n->job.kind = J_NONE;
    n->work = 0;
    /* Never ready: it may be forgotten to make room (forget_lost()). */
    if (ctl_ready_objects(ctl, ni) == 0) {
        n->work = NW_LOST;
        ctl->n_lost++;
    }
    /* Not given up: a node that lost a few datagrams in a row would
     * otherwise never hear from the controller again, and a remotely
     * operated unit would stop after 20 hours without keepalives (AIF 3.5).
     * Its keepalives go on (the next within keepalive_retry_ms, as after a
     * failure); without any, a Get 0xD6 every keepalive_retry_ms probes it
     * (schedule(), pick_job()). */
    {
        uint32_t retry = ctl->clock + ctl->cfg.keepalive_retry_ms;
        uint16_t oi;

        for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next)
            if (obj_at(ctl, oi)->next_keepalive > retry)
                obj_at(ctl, oi)->next_keepalive = retry;
        n->deadline = retry;
    }
    ctl_heap_update(ctl, ni);
    ops_gone(ctl, n);
    notify(ctl, ECHONET_CTL_EV_OFFLINE, ni, 0);
}

static void on_timeout(echonet_ctl *ctl, uint16_t ni, uint32_t now)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    echonet_ctl_job *job = &n->job;

    n->busy = false;
    if (n->work & NW_KEEPALIVE) {
        /* A keepalive without answer: retried after keepalive_retry_ms; the
         * job it went before goes on. */
        uint16_t oi = keepalive_in_flight(ctl, n);

        n->work &= (uint8_t)~NW_KEEPALIVE;
        if (oi != NONE)
            keepalive_done(ctl, ni, oi, false, now);
        if (n->state == N_OFFLINE)
            n->deadline = now + ctl->cfg.keepalive_retry_ms;
        else if (oi != NONE && ++n->timeouts >= ctl->cfg.offline_after) /* (NONE: its object dropped) */
            node_offline(ctl, ni);
        return;
    }
    if (n->state == N_OFFLINE) {
        /* The probe of an offline node got no answer: the next one later. */
        job->kind = J_NONE;
        n->deadline = now + ctl->cfg.keepalive_retry_ms;
        return;
    }
    if (job->kind == J_NONE)
        return; /* a request to an object dropped meanwhile (objects_unlisted()) */
    /* The step ended; a re-issue is a new request with a new TID (AIF 2.4.3).
     * A group without answer is asked again one by one (reference 11: some
     * units time out on one property), whatever the attempts: only single
     * requests use them up (with attempts 1 a group's properties all timed
     * out with it). */
    if (popcount16(job->inflight) > 1) {
        /* A lost datagram is far likelier than a unit that cannot answer
         * the group: the group is asked again as it was, and only after
         * all its attempts one property at a time (issue 13: under 30 %
         * loss, splitting at the first loss made a unit usable after
         * minutes). A timeout tells nothing of the node's capacity. */
        if (++job->attempt >= ctl->cfg.attempts) {
            unsigned k;

            /* Only this group, not the rest of the job (issue 13). */
            for (k = 0; k < job->n; k++)
                if (job->inflight & bit(k))
                    job->split = (uint8_t)(k + 1u);
            job->attempt = 0;
        }
    } else if (++job->attempt >= ctl->cfg.attempts) {
        /* Only what got no answer to any of its attempts counts toward
         * offline: counting each attempt made a unit that times out on one
         * property (reference 11) offline, found again, offline... though
         * it answers everything else. */
        if (++n->timeouts >= ctl->cfg.offline_after) {
            node_offline(ctl, ni);
            return;
        }
        job->timedout |= job->inflight;
        job->pending &= (uint16_t)~job->inflight;
        job->attempt = 0;
        /* The unit may have dropped the object and its 0xD5 saying so been
         * lost, while its other objects answer (and keep it online): its
         * instance list is asked again after this job (AIF 3.1.1). */
        if (job->object != NONE && job->kind != J_NPID)
            n->work |= NW_INSTANCES;
        /* A property that times out alone is skipped by later polls (ref. 11). */
        if (popcount16(job->inflight) == 1 && (job->kind == J_POLL || job->kind == J_REREAD)) {
            echonet_ctl_object *o = obj_at(ctl, job->object);
            unsigned k;

            for (k = 0; k < job->n; k++)
                if (job->inflight & bit(k)) {
                    o->skip[1] = o->skip[0];
                    o->skip[0] = job->epc[k];
                }
        }
    }
    job->inflight = 0;
    if (job->pending == 0)
        job_done(ctl, ni, now);
}

/* ---- Public API ------------------------------------------------------------------------ */

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

static bool config_ok(const echonet_ctl_config *c)
{
    return c->response_timeout_ms >= ECHONET_CTL_MIN_RESPONSE_TIMEOUT && c->response_timeout_ms <= CLOCK_SPAN &&
           c->poll_interval_ms <= CLOCK_SPAN && c->reread_interval_ms <= CLOCK_SPAN && c->max_props >= 1 &&
           c->max_props <= ECHONET_CTL_BATCH_MAX && c->attempts >= 1 && c->attempts <= 8 && c->offline_after >= 1 &&
           c->keepalive_interval_ms >= 1000u && c->keepalive_interval_ms <= ECHONET_CTL_MAX_KEEPALIVE_INTERVAL &&
           c->keepalive_retry_ms >= 1000u && c->keepalive_retry_ms <= c->keepalive_interval_ms &&
           c->energy_interval_ms >= 60000u && c->energy_interval_ms <= 1800000u &&
           c->self <= 0xFFFFFFu;
}

echonet_err echonet_ctl_init(echonet_ctl *ctl, const echonet_ctl_config *cfg, const echonet_ctl_callbacks *cb,
                             void *user, const echonet_ctl_storage *st)
{
    uint16_t i;

    if (!ctl || !cfg || !cb || !cb->event || !st || !config_ok(cfg))
        return ECHONET_ERR_INVALID_ARG;
    if (!st->nodes || !st->objects || !st->index || !st->heap || (!st->ops && st->n_ops > 0) || st->n_nodes == 0 ||
        st->n_nodes == NONE || st->n_objects == 0 || st->n_objects == NONE || st->n_ops == NONE ||
        (st->n_index & (st->n_index - 1u)) != 0 || st->n_index / 2u < st->n_nodes)
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
        op_free(ctl, i);
    ctl->tid = cfg->first_tid;
    ctl->search = !cfg->no_initial_search;
    return ECHONET_OK;
}

void echonet_ctl_discover(echonet_ctl *ctl)
{
    if (ctl)
        ctl->search = 1; /* once the one in flight can no longer be answered */
}

void echonet_ctl_set_line(echonet_ctl *ctl, bool up, echonet_tstamp now)
{
    uint16_t i;

    if (!ctl)
        return;
    (void)ctl_clock(ctl, now);
    if (up && !ctl->line_up) {
        /* The line is back: keepalives resume at once (AIF 3.5). */
        ctl->line_up = true;
        for (i = 0; i < ctl->n_objects_used; i++)
            if (ctl->st.objects[i].next_keepalive != CLOCK_NEVER) /* NEVER: not ready, or in flight */
                ctl->st.objects[i].next_keepalive = ctl->clock;
        for (i = 0; i < ctl->n_nodes_used; i++)
            schedule(ctl, i);
    }
    ctl->line_up = up;
}

/* A frame from a node's address: an offline node is back. */
static void node_heard(echonet_ctl *ctl, uint16_t ni)
{
    echonet_ctl_node *n = node_at(ctl, ni);
    uint16_t oi;

    if (n->state != N_OFFLINE)
        return;
    if (n->work & NW_LOST)
        ctl->n_lost--;
    n->state = N_ACTIVE;
    n->timeouts = 0;
    n->work = (uint8_t)((n->work & NW_KEEPALIVE) | NW_INSTANCES); /* a keepalive may be what it answers */
    for (oi = n->first_object; oi != NONE; oi = obj_at(ctl, oi)->next) {
        echonet_ctl_object *o = obj_at(ctl, oi);

        /* Found again from scratch; an object that was ready stays so (as
         * after a restore) and is sent a keepalive at once, since those
         * sent while it was away may all have been lost. */
        if (o->work & OW_READY) {
            o->work = OW_READY | OW_ATTR | OW_ID | OW_STATE;
            /* (NEVER: in flight.) One already due keeps its time, so that
             * the longest overdue still goes first (keepalive_due()). */
            if (o->next_keepalive != CLOCK_NEVER && o->next_keepalive > ctl->clock)
                o->next_keepalive = ctl->clock;
        } else {
            o->work = OW_ATTR | OW_ID | OW_STATE;
            o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = CLOCK_NEVER;
        }
    }
    notify(ctl, ECHONET_CTL_EV_ONLINE, ni, 0);
    /* Whatever frame it was (even a late answer that matches nothing), the
     * node must be scheduled again, or it would sit idle for good. */
    schedule(ctl, ni);
}

/* A frame that shows an air conditioner at @p src: find or make its node. */
static uint16_t node_for(echonet_ctl *ctl, const echonet_addr *src, echonet_eoj why, bool list_objects)
{
    uint16_t ni = node_of_src(ctl, src);

    if (ni == NONE) {
        ni = node_create(ctl, src);
        if (ni == NONE)
            notify(ctl, ECHONET_CTL_EV_FULL, NONE, why);
        else if (list_objects)
            node_at(ctl, ni)->work |= NW_INSTANCES;
    }
    return ni;
}

static void on_search_answer(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f)
{
    echonet_prop p;
    uint16_t ni;

    /* (The search is a Get 0xD6 to the node profile: send_search().) */
    if (!echonet_eoj_is_node_profile(f->seoj) || !echonet_prop_find(f->props, 0xD6, &p) || p.pdc < 4)
        return;
    /* A node without an air conditioner takes no slot (every ECHONET
     * node of the home answers the search). */
    ni = node_of_src(ctl, src);
    if (ni == NONE && !list_has_aircon(p.edt, p.pdc))
        return;
    ni = node_for(ctl, src, f->seoj, false);
    if (ni != NONE) {
        node_heard(ctl, ni);
        /* An answer that comes after the node's 0xD5 may be older than it
         * (a unit answering late, then taking an object out): the list
         * announced last stands (AIF 3.1.1). */
        if (!(node_at(ctl, ni)->work & NW_LISTED))
            objects_from_list(ctl, ni, p.edt, p.pdc);
        no_object_asks(ctl, ni);
        schedule(ctl, ni);
    }
}

static void on_notification(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f)
{
    echonet_prop_iter it = f->props;
    echonet_prop p;
    uint16_t ni, oi;

    if (echonet_eoj_is_node_profile(f->seoj)) {
        if (!echonet_prop_find(f->props, 0xD5, &p) || p.pdc < 4)
            return;
        /* Only an instance list with an air conditioner makes a new node. */
        ni = node_of_src(ctl, src);
        if (ni == NONE) {
            if (!list_has_aircon(p.edt, p.pdc))
                return;
            ni = node_for(ctl, src, f->seoj, false);
            if (ni == NONE)
                return;
        }
        node_heard(ctl, ni);
        objects_from_list(ctl, ni, p.edt, p.pdc);
        if (ctl->clock < ctl->search_until)
            node_at(ctl, ni)->work |= NW_LISTED;
        no_object_asks(ctl, ni);
        schedule(ctl, ni);
        return;
    }
    if (ECHONET_EOJ_CLASS(f->seoj) != ECHONET_CLASS_HOME_AIRCON || ECHONET_EOJ_INSTANCE(f->seoj) == 0)
        return;
    ni = node_for(ctl, src, f->seoj, true);
    if (ni == NONE)
        return;
    node_heard(ctl, ni);
    oi = object_get(ctl, ni, f->seoj);
    if (oi == NONE)
        return;
    /* An announcement updates the cache (AIF 5.4). */
    while (echonet_prop_next(&it, &p))
        if (p.pdc > 0 && value_plausible(p.epc, p.edt, p.pdc))
            deliver(ctl, ni, oi, p.epc, p.edt, p.pdc);
    schedule(ctl, ni);
}

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

echonet_err echonet_ctl_read_frame(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *frame,
                                   echonet_tstamp at)
{
    uint32_t now;
    echonet_frame f;
    echonet_esv_kind kind;
    uint16_t ni;

    if (!ctl || !src || !frame)
        return ECHONET_ERR_INVALID_ARG;
    f = *frame;
    now = ctl_clock(ctl, at);
    if (f.format != 1)
        return ECHONET_OK;
    kind = echonet_esv_classify(f.esv);
    if (kind == ECHONET_ESV_KIND_NOTIFICATION || kind == ECHONET_ESV_KIND_NOTIFICATION_REQ) {
        on_notification(ctl, src, &f);
        return ECHONET_OK;
    }
    if (kind != ECHONET_ESV_KIND_RESPONSE && kind != ECHONET_ESV_KIND_SNA)
        return ECHONET_OK; /* requests are for the node side */
    if (f.deoj != ctl->cfg.self)
        return ECHONET_OK; /* an answer to another object of this host (its DEOJ is the request's SEOJ) */
    if (now < ctl->search_until && f.tid == ctl->search_tid &&
        echonet_esv_request_of(f.esv) == ECHONET_ESV_GET) {
        on_search_answer(ctl, src, &f);
        return ECHONET_OK;
    }
    ni = node_of_src(ctl, src);
    if (ni == NONE)
        return ECHONET_OK; /* not from a node we know */
    node_heard(ctl, ni);
    {
        echonet_ctl_node *n = node_at(ctl, ni);
        echonet_eoj asked;

        /* Only the answer to the request in flight: same TID, the ESV pair,
         * the object asked (reference 11); late, duplicate and foreign
         * frames complete nothing. */
        if (!n->busy || f.tid != n->tid || echonet_esv_request_of(f.esv) != n->esv)
            return ECHONET_OK;
        if (n->work & NW_KEEPALIVE) {
            uint16_t oi = keepalive_in_flight(ctl, n);

            /* (NONE: its object was dropped meanwhile, objects_unlisted().) */
            if (oi != NONE && oi != object_find(ctl, ni, f.seoj))
                return ECHONET_OK;
            n->busy = false;
            n->timeouts = 0;
            n->work &= (uint8_t)~NW_KEEPALIVE;
            if (oi != NONE)
                keepalive_done(ctl, ni, oi, f.esv == ECHONET_ESV_SET_RES, now);
            schedule(ctl, ni);
            return ECHONET_OK;
        }
        if (n->job.kind == J_NONE) {
            /* The answer to a request whose object was dropped meanwhile
             * (objects_unlisted()): the node is free again. */
            n->busy = false;
            n->timeouts = 0;
            schedule(ctl, ni);
            return ECHONET_OK;
        }
        asked = job_deoj(ctl, n);
        if (!(f.seoj == asked || (echonet_eoj_is_node_profile(asked) && echonet_eoj_is_node_profile(f.seoj))))
            return ECHONET_OK;
        on_response(ctl, ni, &f, now);
    }
    return ECHONET_OK;
}

static int32_t send_search(echonet_ctl *ctl, bool *multicast, uint8_t *buf, size_t cap, uint32_t now)
{
    echonet_writer w;
    size_t len = 0;
    uint16_t tid = next_tid(ctl), k;

    /* Multicast Get 0xD6 to the node profile (AIF 3.1.2): every node lists
     * its objects in one answer. Not also the Get 0x80 to 0x013000 that
     * 3.1.2 offers instead: sent together they were two requests at once
     * at every unit (AIF 2.4.1). */
    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, tid, ctl->cfg.self, ECHONET_EOJ_NODE_PROFILE, ECHONET_ESV_GET);
    echonet_writer_prop(&w, 0xD6, 0, NULL);
    if (echonet_writer_finish(&w, &len) != ECHONET_OK)
        return ECHONET_ERR_NOBUF;
    for (k = 0; k < ctl->n_nodes_used; k++) /* (one walk per search, at most one per response timer) */
        node_at(ctl, k)->work &= (uint8_t)~NW_LISTED;
    ctl->search_tid = tid;
    ctl->search_until = now + ctl->cfg.response_timeout_ms;
    ctl->search = 0;
    *multicast = true;
    return (int32_t)len;
}

int32_t echonet_ctl_write(echonet_ctl *ctl, echonet_addr *dst, bool *multicast, uint8_t *buf, size_t cap,
                          echonet_tstamp at)
{
    uint16_t ni, oi;
    uint32_t now;

    if (!ctl || !dst || !multicast || !buf)
        return ECHONET_ERR_INVALID_ARG;
    if (cap < ECHONET_HEADER_LEN + 3u * (ECHONET_CTL_BATCH_MAX + 1u) + ECHONET_CTL_VALUE_BYTES)
        return ECHONET_ERR_NOBUF;
    now = ctl_clock(ctl, at);
    *multicast = false;
    if (ctl->search > 0 && now >= ctl->search_until)
        return send_search(ctl, multicast, buf, cap, now);
    /* What is due: response timers, the nodes' own timers, the probes of
     * offline nodes. on_timeout() may set a new deadline (a probe's). */
    while ((ni = ctl_heap_top(ctl)) != NONE && node_at(ctl, ni)->deadline <= now) {
        echonet_ctl_node *n = node_at(ctl, ni);

        n->deadline = CLOCK_NEVER;
        ctl_heap_remove(ctl, ni);
        if (n->busy)
            on_timeout(ctl, ni, now);
        else if (n->state == N_OFFLINE)
            n->work |= NW_PROBE;
        else if (n->first_object == NONE &&
                 (!(n->work & NW_AFTER_SEARCH) || (!ctl->search && now >= ctl->search_until)))
            /* (next_timer()) A node waiting for the end of a search waits
             * for the next one too when that is asked for or answerable:
             * it is a request to the node (AIF 2.4.1). */
            n->work = (uint8_t)((n->work & ~NW_AFTER_SEARCH) | NW_INSTANCES);
        schedule(ctl, ni);
    }
    while ((ni = ready_pop(ctl)) != NONE) {
        echonet_ctl_node *n = node_at(ctl, ni);

        if (n->busy || n->state == N_FREE || n->state == N_ALIAS)
            continue;
        oi = keepalive_due(ctl, n, now);
        if (oi != NONE) {
            *dst = n->addr;
            return send_keepalive(ctl, ni, oi, buf, cap, now);
        }
        if (n->job.kind != J_NONE && n->job.kind != J_OP && op_first(ctl, n))
            job_yield(ctl, n, now);
        if (n->job.kind == J_NONE && !pick_job(ctl, ni, now)) {
            schedule(ctl, ni);
            continue;
        }
        if (n->job.pending == 0) {
            /* A job with nothing to ask (a state read of a unit whose Get
             * map has none of the state properties). */
            job_done(ctl, ni, now);
            schedule(ctl, ni);
            continue;
        }
        *dst = n->addr;
        return send_request(ctl, ni, buf, cap, now);
    }
    return 0;
}

echonet_tstamp echonet_ctl_expiry(const echonet_ctl *ctl)
{
    uint16_t top;
    echonet_tstamp t;

    if (!ctl)
        return ECHONET_TSTAMP_NEVER;
    if ((ctl->search > 0 && ctl->clock >= ctl->search_until) || ctl->ready_head != NONE)
        return 0;
    top = ctl_heap_top(ctl);
    t = top == NONE ? ECHONET_TSTAMP_NEVER : echonet_tstamp_add(ctl->epoch, ctl->st.nodes[top].deadline);
    if (ctl->search > 0 && echonet_tstamp_add(ctl->epoch, ctl->search_until) < t)
        t = echonet_tstamp_add(ctl->epoch, ctl->search_until); /* the next search */
    return t;
}

/* ---- Operations the application starts --------------------------------------------- */

static echonet_err op_new(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint8_t kind, uint16_t *out)
{
    uint16_t oi, i;

    if (!ctl)
        return ECHONET_ERR_INVALID_ARG;
    if (node >= ctl->n_nodes_used || node_at(ctl, node)->state != N_ACTIVE)
        return ECHONET_ERR_NOT_FOUND;
    oi = object_find(ctl, node, eoj);
    if (oi == NONE)
        return ECHONET_ERR_NOT_FOUND;
    for (i = 0; i < ctl->st.n_ops; i++)
        if (ctl->st.ops[i].kind == OP_FREE)
            break;
    if (i == ctl->st.n_ops)
        return ECHONET_ERR_FULL;
    op_free(ctl, i);
    ctl->st.ops[i].kind = kind;
    ctl->st.ops[i].object = oi;
    *out = i;
    return ECHONET_OK;
}

static void op_queue(echonet_ctl *ctl, uint16_t i, uint16_t *handle)
{
    echonet_ctl_op *op = &ctl->st.ops[i];
    echonet_ctl_node *n;
    uint16_t *link;

    op->node = obj_at(ctl, op->object)->node;
    op->next = NONE;
    n = node_at(ctl, op->node);
    /* At the end of the node's queue (a walk over the node's own queued
     * operations, at most n_ops: no tail index kept in every node slot). */
    for (link = &n->ops_head; *link != NONE; link = &ctl->st.ops[*link].next)
        ;
    *link = i;
    if (handle)
        *handle = i;
    schedule(ctl, op->node);
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
    echonet_err err;
    uint16_t i;
    size_t k;

    if (!epcs || n < 1 || n > ECHONET_CTL_BATCH_MAX)
        return ECHONET_ERR_INVALID_ARG;
    for (k = 0; k < n; k++)
        if (epcs[k] < 0x80u || repeated(epcs, n, epcs[k], k))
            return ECHONET_ERR_INVALID_ARG;
    err = op_new(ctl, node, eoj, OP_GET, &i);
    if (err != ECHONET_OK)
        return err;
    memcpy(ctl->st.ops[i].epc, epcs, n);
    ctl->st.ops[i].n = (uint8_t)n;
    op_queue(ctl, i, handle);
    return ECHONET_OK;
}

/* Write order of AIF 5.1 ⑦: operation status, mode, temperature, the rest. */
static unsigned write_rank(uint8_t epc)
{
    return epc == 0x80 ? 0u : epc == 0xB0 ? 1u : epc == 0xB3 ? 2u : 3u;
}

echonet_err echonet_ctl_set(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const echonet_prop *props, size_t n,
                            uint16_t *handle)
{
    size_t k, total = 0, nt;
    const echonet_prop_desc *table = echonet_aircon_props(&nt);
    echonet_ctl_op *op;
    echonet_err err;
    unsigned rank;
    uint16_t i;

    if (!ctl || !props || n < 1 || n > ECHONET_CTL_BATCH_MAX)
        return ECHONET_ERR_INVALID_ARG;
    for (k = 0; k < n; k++) {
        const echonet_prop_desc *d = echonet_prop_desc_find(table, nt, props[k].epc);
        size_t j;

        for (j = 0; j < k; j++)
            if (props[j].epc == props[k].epc)
                return ECHONET_ERR_INVALID_ARG;
        if (ctl->cfg.remote && props[k].epc == ECHONET_EPC_REMOTE_CONTROL)
            return ECHONET_ERR_INVALID_ARG;
        if (!d || !(d->access & ECHONET_ACCESS_SET))
            return ECHONET_ERR_ACCESS;
        /* Never a value outside the Appendix range (AIF 2.4.5). */
        err = echonet_prop_desc_check(d, props[k].edt, props[k].pdc, true);
        if (err != ECHONET_OK)
            return err;
        total += props[k].pdc;
    }
    if (total > ECHONET_CTL_VALUE_BYTES)
        return ECHONET_ERR_INVALID_ARG;
    err = op_new(ctl, node, eoj, OP_SET, &i);
    if (err != ECHONET_OK)
        return err;
    op = &ctl->st.ops[i];
    for (rank = 0; rank < 4; rank++) {
        for (k = 0; k < n; k++) {
            if (write_rank(props[k].epc) != rank)
                continue;
            memcpy(op->data + op_value_offset(op, op->n), props[k].edt, props[k].pdc);
            op->epc[op->n] = props[k].epc;
            op->len[op->n++] = props[k].pdc;
        }
    }
    op_queue(ctl, i, handle);
    return ECHONET_OK;
}

echonet_err echonet_ctl_probe(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint8_t mode, int low, int high,
                              uint16_t *handle)
{
    echonet_ctl_op *op;
    echonet_err err;
    uint16_t i;

    if (mode < ECHONET_MODE_AUTO || mode > ECHONET_MODE_FAN || low < 0 || high > ECHONET_TEMP_MAX || low > high)
        return ECHONET_ERR_INVALID_ARG;
    err = op_new(ctl, node, eoj, OP_PROBE, &i);
    if (err != ECHONET_OK)
        return err;
    op = &ctl->st.ops[i];
    op->data[P_MODE] = mode;
    op->data[P_LOW] = (uint8_t)low;
    op->data[P_HIGH] = (uint8_t)high;
    op->data[P_S80] = op->data[P_SB0] = op->data[P_SB3] = NO_TEMP;
    op->data[P_FOUND_LOW] = op->data[P_FOUND_HIGH] = NO_TEMP;
    probe_step(op, PH_SAVE);
    op_queue(ctl, i, handle);
    return ECHONET_OK;
}

echonet_err echonet_ctl_read_fault(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint16_t *handle)
{
    uint16_t i;
    echonet_err err = op_new(ctl, node, eoj, OP_FAULT, &i);

    if (err != ECHONET_OK)
        return err;
    ctl->st.ops[i].epc[0] = ECHONET_EPC_FAULT_STATUS;
    ctl->st.ops[i].n = 1;
    op_queue(ctl, i, handle);
    return ECHONET_OK;
}

/* ---- Queries ------------------------------------------------------------------------ */

uint16_t echonet_ctl_find(const echonet_ctl *ctl, const echonet_addr *addr)
{
    uint16_t ni = ctl && addr ? ctl_index_find(ctl, addr) : NONE;

    return ni != NONE && ctl->st.nodes[ni].state == N_ALIAS ? ctl->st.nodes[ni].op : ni;
}

const echonet_addr *echonet_ctl_node_addr(const echonet_ctl *ctl, uint16_t node)
{
    return ctl && node < ctl->n_nodes_used && ctl->st.nodes[node].state != N_FREE ? &ctl->st.nodes[node].addr : NULL;
}

bool echonet_ctl_node_online(const echonet_ctl *ctl, uint16_t node)
{
    return ctl && node < ctl->n_nodes_used && ctl->st.nodes[node].state == N_ACTIVE;
}

size_t echonet_ctl_objects(const echonet_ctl *ctl, uint16_t node, echonet_eoj *eojs, size_t cap)
{
    size_t c = 0;
    uint16_t i;

    if (!ctl || node >= ctl->n_nodes_used)
        return 0;
    for (i = ctl->st.nodes[node].first_object; i != NONE; i = ctl->st.objects[i].next, c++)
        if (eojs && c < cap)
            eojs[c] = ctl->st.objects[i].eoj;
    return c;
}

echonet_err echonet_ctl_object_info(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, echonet_ctl_state *state,
                                    echonet_propmap *get, echonet_propmap *set, uint8_t id[17])
{
    const echonet_ctl_object *o;
    uint16_t i;

    if (!ctl)
        return ECHONET_ERR_INVALID_ARG;
    if (node >= ctl->n_nodes_used)
        return ECHONET_ERR_NOT_FOUND;
    for (i = ctl->st.nodes[node].first_object; i != NONE; i = ctl->st.objects[i].next)
        if (ctl->st.objects[i].eoj == eoj)
            break;
    if (i == NONE)
        return ECHONET_ERR_NOT_FOUND;
    o = &ctl->st.objects[i];
    if (state)
        *state = o->state;
    if (get)
        *get = o->get;
    if (set)
        *set = o->set;
    if (id)
        memcpy(id, o->id, 17);
    return ECHONET_OK;
}

bool echonet_ctl_object_ready(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj)
{
    uint16_t i;

    if (!ctl || node >= ctl->n_nodes_used)
        return false;
    for (i = ctl->st.nodes[node].first_object; i != NONE; i = ctl->st.objects[i].next)
        if (ctl->st.objects[i].eoj == eoj)
            return (ctl->st.objects[i].work & OW_READY) != 0;
    return false;
}

echonet_err echonet_ctl_add_node(echonet_ctl *ctl, const echonet_addr *addr, uint16_t *node)
{
    uint16_t ni;

    if (!ctl || !addr || addr->len == 0 || !echonet_addr_len_ok(addr->len))
        return ECHONET_ERR_INVALID_ARG;
    ni = node_of_src(ctl, addr);
    if (ni == NONE) {
        ni = node_create(ctl, addr); /* (full: an error, not an event) */
        if (ni == NONE)
            return ECHONET_ERR_FULL;
        /* The multicast search is a request to it too: while that can be
         * answered, a unicast one would be a second (AIF 2.4.1). Asked
         * when it can no longer be (next_timer()), if still unknown. */
        if (ctl->search || ctl->clock < ctl->search_until)
            node_at(ctl, ni)->work = NW_AFTER_SEARCH;
    }
    /* Ask the node itself for its instance list (unicast Get 0xD6), unless
     * that request is in flight: a search of one address keeps the
     * discipline of any request (AIF 2.4.1, 2.4.2). */
    if (!(node_at(ctl, ni)->work & NW_AFTER_SEARCH) &&
        !(node_at(ctl, ni)->busy && node_at(ctl, ni)->job.kind == J_INSTANCES))
        node_at(ctl, ni)->work |= NW_INSTANCES;
    node_heard(ctl, ni);
    schedule(ctl, ni);
    if (node)
        *node = ni;
    return ECHONET_OK;
}
