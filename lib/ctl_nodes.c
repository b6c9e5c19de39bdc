/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Node lifecycle: slots for nodes and objects, going offline and coming back, forgetting lost nodes, one unit at two addresses (AIF 4.1), and the queries. */
#include <string.h>

#include "addr_internal.h"
#include "ctl_event.h"
#include "ctl_nodes.h"
#include "ctl_op.h"
#include "ctl_profile.h"
#include "ctl_sched.h"
#include "noinline.h"

void ctl_object_free(echonet_ctl *ctl, uint16_t oi)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);

    o->node = NONE;
    o->work = 0;
    o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = o->next_fixed = CLOCK_NEVER;
    o->next = ctl->free_objects;
    ctl->free_objects = oi;
}

/* The objects of node @p n go back to the free list. */
static void objects_free(echonet_ctl *ctl, echonet_ctl_node *n)
{
    uint16_t oi;

    while ((oi = n->first_object) != NONE) {
        n->first_object = ctl_obj(ctl, oi)->next;
        ctl_object_free(ctl, oi);
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
        n = ctl_node(ctl, i);
        if (n->state == N_OFFLINE && (n->work & NW_LOST) && !n->busy && !n->queued)
            break;
    }
    ctl->n_lost--;
    node_free(ctl, i);
    /* Its aliases (issue 13) name no unit any more. */
    for (k = 0; k < ctl->n_nodes_used; k++)
        if (ctl_node(ctl, k)->state == N_ALIAS && ctl_node(ctl, k)->op == i)
            node_free(ctl, k);
    return true;
}

/* Node slot @p i, its objects and its address index entry become free; the
 * application is told (ECHONET_CTL_EV_FORGOTTEN). */
static void node_free(echonet_ctl *ctl, uint16_t i)
{
    echonet_ctl_node *n = ctl_node(ctl, i);

    objects_free(ctl, n);
    ctl_heap_remove(ctl, i);
    ctl_index_remove(ctl, i);
    /* Told while echonet_ctl_node_addr() still gives its address. */
    ctl_notify(ctl, ECHONET_CTL_EV_FORGOTTEN, i, 0);
    n->state = N_FREE;
    n->work = 0;
    n->ready_next = ctl->free_nodes;
    ctl->free_nodes = i;
}

/* Forgets the alias heard longest ago (its deadline is when it was last
 * heard, ctl_node_of_src()) to make room: a unit whose address changes
 * (DHCP, rotating IPv6 addresses) leaves one at each old address, and they
 * would otherwise fill the table for good. Should the unit speak from that
 * address again, it is found there and becomes an alias anew. A walk over
 * the nodes, only when the table is full and no lost node is left. */
static bool forget_alias(echonet_ctl *ctl)
{
    uint16_t i, oldest = NONE;

    for (i = 0; i < ctl->n_nodes_used; i++)
        if (ctl_node(ctl, i)->state == N_ALIAS &&
            (oldest == NONE || ctl_node(ctl, i)->deadline < ctl_node(ctl, oldest)->deadline))
            oldest = i;
    if (oldest == NONE)
        return false;
    node_free(ctl, oldest);
    return true;
}

/* A node slot: one never used, a forgotten one, a lost node's or an old
 * alias's. */
static uint16_t node_slot(echonet_ctl *ctl)
{
    uint16_t i;

    if (ctl->n_nodes_used < ctl->st.n_nodes)
        return ctl->n_nodes_used++;
    if (ctl->free_nodes == NONE && !forget_lost(ctl) && !forget_alias(ctl))
        return NONE;
    i = ctl->free_nodes;
    ctl->free_nodes = ctl_node(ctl, i)->ready_next;
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
    ctl->free_objects = ctl_obj(ctl, i)->next;
    return i;
}

uint16_t ctl_node_create(echonet_ctl *ctl, const echonet_addr *addr)
{
    echonet_ctl_node *n;
    uint16_t i = node_slot(ctl);

    if (i == NONE)
        return NONE;
    n = ctl_node(ctl, i);
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

uint16_t ctl_object_find(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj)
{
    uint16_t i;

    for (i = ctl->st.nodes[node].first_object; i != NONE; i = ctl->st.objects[i].next)
        if (ctl->st.objects[i].eoj == eoj)
            return i;
    return NONE;
}

uint16_t ctl_objects_with(const echonet_ctl *ctl, uint16_t node, uint8_t work)
{
    uint16_t oi, k = 0;

    for (oi = ctl->st.nodes[node].first_object; oi != NONE; oi = ctl->st.objects[oi].next)
        k = (uint16_t)(k + ((ctl->st.objects[oi].work & work) == work));
    return k;
}

uint16_t ctl_object_get(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj)
{
    echonet_ctl_object *o;
    uint16_t i = ctl_object_find(ctl, node, eoj), *link;

    if (i != NONE)
        return i;
    if (!ctl_manages(ctl, eoj))
        return NONE;
    i = object_slot(ctl);
    if (i == NONE) {
        ctl_notify(ctl, ECHONET_CTL_EV_FULL, node, eoj);
        return NONE;
    }
    o = ctl_obj(ctl, i);
    memset(o, 0, sizeof *o);
    o->node = node;
    o->next = NONE;
    o->eoj = eoj;
    o->work = OW_ATTR | OW_ID | OW_STATE;
    o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = o->next_fixed = CLOCK_NEVER;
    /* Appended, so objects keep the order they were found in. */
    for (link = &ctl_node(ctl, node)->first_object; *link != NONE; link = &ctl_obj(ctl, *link)->next)
        ;
    *link = i;
    /* Found: no longer waiting for a search's end (echonet_ctl_add_node()
     * asks a known node again). */
    ctl_node(ctl, node)->work &= (uint8_t)~NW_AFTER_SEARCH;
    ctl_notify(ctl, ECHONET_CTL_EV_FOUND, node, eoj);
    return i;
}

/* Nodes @p a and @p b trade addresses (and index entries). */
static void swap_addrs(echonet_ctl *ctl, uint16_t a, uint16_t b)
{
    echonet_addr t = ctl_node(ctl, a)->addr;

    ctl_index_remove(ctl, a);
    ctl_index_remove(ctl, b);
    ctl_node(ctl, a)->addr = ctl_node(ctl, b)->addr;
    ctl_node(ctl, b)->addr = t;
    ctl_index_insert(ctl, a);
    ctl_index_insert(ctl, b);
}

uint16_t ctl_node_of_src(echonet_ctl *ctl, const echonet_addr *src)
{
    uint16_t ni = ctl_index_find(ctl, src), a;

    if (ni == NONE)
        return ni;
    if (ctl_node(ctl, ni)->state != N_ALIAS) {
        ctl_node(ctl, ni)->work &= (uint8_t)~NW_ALIAS_HEARD;
        return ni;
    }
    a = ctl_node(ctl, ni)->op;
    if (ctl_node(ctl, a)->state == N_OFFLINE && !ctl_node(ctl, a)->busy) {
        swap_addrs(ctl, a, ni);
    } else {
        ctl_node(ctl, ni)->deadline = ctl->clock;
        ctl_node(ctl, a)->work |= NW_ALIAS_HEARD;
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

    if (!(ctl_node(ctl, ni)->work & NW_ALIAS_HEARD))
        return;
    for (i = 0; i < ctl->n_nodes_used; i++)
        if (ctl_node(ctl, i)->state == N_ALIAS && ctl_node(ctl, i)->op == ni &&
            (best == NONE || ctl_node(ctl, i)->deadline > ctl_node(ctl, best)->deadline))
            best = i;
    if (best != NONE)
        swap_addrs(ctl, ni, best);
}

/* ECHONET_CTL_EV_ALIAS. Not inlined: its event stays out of the frame of
 * ctl_same_unit(), which goes on to schedule nodes (stack). */
static ECHONET_NOINLINE void tell_alias(echonet_ctl *ctl, uint16_t ni, uint16_t a)
{
    echonet_ctl_event ev;

    ctl_event_init(&ev, ECHONET_CTL_EV_ALIAS, ni, 0);
    ev.same_as = a;
    ctl_emit(ctl, &ev);
}

void ctl_same_unit(echonet_ctl *ctl, uint16_t ni, const echonet_ctl_object *o)
{
    static const uint8_t zeros[12];
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t i, a;

    /* A unique part of zeros (bytes 5 to 16 after 0xFE and the maker code;
     * the 17th may number the objects) is a placeholder: two units that
     * have it are not one (two emulators with their default, for one). */
    if (memcmp(o->id + 4, zeros, sizeof zeros) == 0)
        return;
    for (i = 0; i < ctl->n_objects_used; i++) {
        const echonet_ctl_object *p = ctl_obj(ctl, i);

        if (p->node != NONE && p->node != ni && memcmp(p->id, o->id, sizeof p->id) == 0)
            break;
    }
    if (i == ctl->n_objects_used)
        return;
    a = ctl_obj(ctl, i)->node;
    ctl_ops_gone(ctl, n);
    objects_free(ctl, n);
    ctl_heap_remove(ctl, ni);
    n->state = N_ALIAS;
    n->busy = false;
    n->work = 0;
    n->job.kind = J_NONE;
    n->op = a;
    n->deadline = ctl->clock; /* heard (ctl_node_of_src()) */
    for (i = 0; i < ctl->n_nodes_used; i++)
        if (ctl_node(ctl, i)->state == N_ALIAS && ctl_node(ctl, i)->op == ni)
            ctl_node(ctl, i)->op = a;
    if (ctl_node(ctl, a)->state == N_OFFLINE && !ctl_node(ctl, a)->busy) {
        swap_addrs(ctl, a, ni);
        ctl_node_heard(ctl, a);
    } else {
        ctl_node(ctl, a)->work |= NW_ALIAS_HEARD;
    }
    tell_alias(ctl, ni, a);
    ctl_schedule(ctl, a);
}

void ctl_node_offline(echonet_ctl *ctl, uint16_t ni)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);

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
     * (ctl_schedule(), pick_job() of controller.c). */
    {
        uint32_t retry = ctl->clock + ctl->cfg.keepalive_retry_ms;
        uint16_t oi;

        for (oi = n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next)
            if (ctl_obj(ctl, oi)->next_keepalive > retry)
                ctl_obj(ctl, oi)->next_keepalive = retry;
        n->deadline = retry;
    }
    ctl_heap_update(ctl, ni);
    ctl_ops_gone(ctl, n);
    ctl_notify(ctl, ECHONET_CTL_EV_OFFLINE, ni, 0);
}

void ctl_node_heard(echonet_ctl *ctl, uint16_t ni)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t oi;

    if (n->state != N_OFFLINE)
        return;
    if (n->work & NW_LOST)
        ctl->n_lost--;
    n->state = N_ACTIVE;
    n->timeouts = 0;
    n->work = (uint8_t)((n->work & NW_KEEPALIVE) | NW_INSTANCES); /* a keepalive may be what it answers */
    for (oi = n->first_object; oi != NONE; oi = ctl_obj(ctl, oi)->next) {
        echonet_ctl_object *o = ctl_obj(ctl, oi);

        /* Found again from scratch; an object that was ready stays so (as
         * after a restore) and is sent a keepalive at once, since those
         * sent while it was away may all have been lost. */
        if (o->work & OW_READY) {
            o->work = OW_READY | OW_ATTR | OW_ID | OW_STATE;
            /* (NEVER: in flight.) One already due keeps its time, so that
             * the longest overdue still goes first (ctl_keepalive_due()). */
            if (o->next_keepalive != CLOCK_NEVER && o->next_keepalive > ctl->clock)
                o->next_keepalive = ctl->clock;
        } else {
            o->work = OW_ATTR | OW_ID | OW_STATE;
            o->next_poll = o->next_reread = o->next_keepalive = o->next_energy = o->next_fixed = CLOCK_NEVER;
        }
    }
    ctl_notify(ctl, ECHONET_CTL_EV_ONLINE, ni, 0);
    /* Whatever frame it was (even a late answer that matches nothing), the
     * node must be scheduled again, or it would sit idle for good. */
    ctl_schedule(ctl, ni);
}

uint16_t ctl_node_new(echonet_ctl *ctl, const echonet_addr *src, echonet_eoj why)
{
    uint16_t ni = ctl_node_create(ctl, src);

    if (ni == NONE)
        ctl_notify(ctl, ECHONET_CTL_EV_FULL, NONE, why);
    return ni;
}

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
    if (node >= ctl->n_nodes_used || (i = ctl_object_find(ctl, node, eoj)) == NONE)
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

    if (!ctl || node >= ctl->n_nodes_used || (i = ctl_object_find(ctl, node, eoj)) == NONE)
        return false;
    return (ctl->st.objects[i].work & OW_READY) != 0;
}
