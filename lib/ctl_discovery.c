/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Discovery (AIF 3.1): the multicast search, instance lists (0xD5
 * announced, 0xD6 answered), the search of one address, and each object's
 * attributes, identification and state until it is ready. */
#include <string.h>

#include "echonet/aircon.h"
#include "addr_internal.h"
#include "ctl_discovery.h"
#include "ctl_event.h"
#include "ctl_job.h"
#include "ctl_nodes.h"
#include "ctl_op.h"
#include "ctl_poll.h"
#include "ctl_profile.h"
#include "ctl_sched.h"
#include "ctl_state.h"
#include "noinline.h"
#include "writer_internal.h"

/* Whether an instance list (0xD5/0xD6) names an object the controller
 * manages (ctl_manages()). */
static bool list_has_managed(const echonet_ctl *ctl, const uint8_t *edt, size_t pdc)
{
    size_t k, count;

    if (pdc < 1)
        return false;
    count = edt[0] <= (pdc - 1u) / 3u ? edt[0] : (pdc - 1u) / 3u;
    for (k = 0; k < count; k++)
        if (ctl_manages(ctl, echonet_eoj_read(edt + 1 + 3 * k)))
            return true;
    return false;
}

/* Not inlined: its frame stays off the path that makes objects (stack). */
static ECHONET_NOINLINE void objects_unlisted(echonet_ctl *ctl, uint16_t ni, const uint8_t *edt, size_t count);

void ctl_objects_from_list(echonet_ctl *ctl, uint16_t node, const uint8_t *edt, size_t pdc)
{
    size_t i, count;

    if (pdc < 1)
        return;
    /* min(count, what the EDT holds), as devices get the count wrong (ref. 6.1). */
    count = edt[0];
    if (count > (pdc - 1) / 3)
        count = (pdc - 1) / 3;
    for (i = 0; i < count; i++)
        (void)ctl_object_get(ctl, node, echonet_eoj_read(edt + 1 + 3 * i));
    /* Only a list whose count is what its EDT holds is the whole list (one
     * of more than 84 instances, or a count that is wrong, is not). */
    if (count == edt[0])
        objects_unlisted(ctl, node, edt, count);
}

/* Drops the objects of a node that a complete instance list leaves out
 * (AIF 3.1.1: the unit no longer has them; polled, each would cost a
 * response timer and hold up the node's other work). Their operations end
 * with INSTANCE_GONE; a request in flight to one is still waited for (AIF
 * 2.4.1) but completes nothing (the job or keepalive loses its object). */
static ECHONET_NOINLINE void objects_unlisted(echonet_ctl *ctl, uint16_t ni, const uint8_t *edt, size_t count)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    uint16_t oi, *link = &n->first_object;
    size_t k;

    while ((oi = *link) != NONE) {
        echonet_ctl_object *o = ctl_obj(ctl, oi);
        echonet_eoj eoj = o->eoj;

        for (k = 0; k < count && echonet_eoj_read(edt + 1 + 3 * k) != eoj; k++)
            ;
        if (k < count) {
            link = &o->next;
            continue;
        }
        ctl_ops_removed(ctl, n, oi);
        if (n->job.kind != J_INSTANCES && n->job.object == oi)
            n->job.kind = J_NONE;
        *link = o->next;
        ctl_object_free(ctl, oi);
        ctl_notify(ctl, ECHONET_CTL_EV_REMOVED, ni, eoj);
    }
}

/* A node an announcement or a search answer made, whose objects found no
 * room, asks for its instance list itself, again at once after each
 * request without answer (job_done(), controller.c): without any work it would never
 * time out, so a spoofed one would hold its slot for good instead of going
 * offline and becoming a lost node that can be forgotten. One that answers
 * stays, and asks again every keepalive_retry_ms (ctl_next_timer()). */
static void no_object_asks(echonet_ctl *ctl, uint16_t node)
{
    if (ctl_node(ctl, node)->first_object == NONE)
        ctl_node(ctl, node)->work |= NW_INSTANCES;
}

void ctl_on_instance_list(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f, uint8_t epc)
{
    bool announced = epc == CTL_EPC_INSTANCES_ANNOUNCED;
    echonet_prop p;
    uint16_t ni;

    if (!echonet_prop_find(f->props, epc, &p) || p.pdc < 4)
        return;
    ni = ctl_node_of_src(ctl, src);
    if (ni == NONE) {
        /* A node without an object to manage takes no slot (every ECHONET
         * node of the home answers the search). */
        if (!list_has_managed(ctl, p.edt, p.pdc))
            return;
        ni = ctl_node_new(ctl, src, f->seoj);
        if (ni == NONE)
            return;
    }
    ctl_node_heard(ctl, ni);
    /* A search answer that comes after the node's 0xD5 may be older than
     * it (a unit answering late, then taking an object out): the list
     * announced last stands (AIF 3.1.1). */
    if (announced || !(ctl_node(ctl, ni)->work & NW_LISTED))
        ctl_objects_from_list(ctl, ni, p.edt, p.pdc);
    if (announced && ctl->clock < ctl->search_until)
        ctl_node(ctl, ni)->work |= NW_LISTED;
    no_object_asks(ctl, ni);
    ctl_schedule(ctl, ni);
}

void ctl_on_state_announced(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f)
{
    echonet_prop_iter it = f->props;
    echonet_prop p;
    uint16_t ni, oi;

    if (!ctl_profile_of(f->seoj))
        return;
    ni = ctl_node_of_src(ctl, src);
    oi = ni != NONE ? ctl_object_find(ctl, ni, f->seoj) : NONE;
    /* An object not known: what the application does not manage is
     * ignored (and takes no node slot); else the node's instance list
     * tells whether it has it (AIF 3.1.1), not the announcement, which may
     * be a copy from another address or come after a list that took the
     * object out. */
    if (oi == NONE && !ctl_manages(ctl, f->seoj))
        return;
    if (ni == NONE && (ni = ctl_node_new(ctl, src, f->seoj)) == NONE)
        return;
    ctl_node_heard(ctl, ni);
    if (oi == NONE)
        ctl_node(ctl, ni)->work |= NW_INSTANCES;
    else
        while (echonet_prop_next(&it, &p))
            if (p.pdc > 0 && ctl_profile_plausible(ctl, f->seoj, p.epc, p.edt, p.pdc))
                ctl_deliver(ctl, ni, oi, p.epc, p.edt, p.pdc);
    ctl_schedule(ctl, ni);
}


int32_t ctl_send_search(echonet_ctl *ctl, bool *multicast, uint8_t *buf, size_t cap, uint32_t now)
{
    echonet_writer w;
    uint16_t tid, k;

    /* Multicast Get 0xD6 to the node profile (AIF 3.1.2): every node lists
     * its objects in one answer. Not also the Get 0x80 to 0x013000 that
     * 3.1.2 offers instead: sent together they were two requests at once
     * at every unit (AIF 2.4.1). */
    tid = ctl_request_begin(ctl, &w, buf, cap, ECHONET_EOJ_NODE_PROFILE, ECHONET_ESV_GET);
    writer_prop_put(&w, CTL_EPC_INSTANCES, 0, NULL);
    for (k = 0; k < ctl->n_nodes_used; k++) /* (one walk per search, at most one per response timer) */
        ctl_node(ctl, k)->work &= (uint8_t)~NW_LISTED;
    ctl->search_tid = tid;
    ctl->search_until = now + ctl->cfg.response_timeout_ms;
    ctl->search = 0;
    *multicast = true;
    return (int32_t)w.len;
}

void echonet_ctl_discover(echonet_ctl *ctl)
{
    if (ctl)
        ctl->search = 1; /* once the one in flight can no longer be answered */
}

echonet_err echonet_ctl_add_node(echonet_ctl *ctl, const echonet_addr *addr, uint16_t *node)
{
    uint16_t ni;

    if (!ctl || !addr || addr->len == 0 || !echonet_addr_len_ok(addr->len))
        return ECHONET_ERR_INVALID_ARG;
    ni = ctl_node_of_src(ctl, addr);
    if (ni == NONE) {
        ni = ctl_node_create(ctl, addr); /* (full: an error, not an event) */
        if (ni == NONE)
            return ECHONET_ERR_FULL;
        /* The multicast search is a request to it too: while that can be
         * answered, a unicast one would be a second (AIF 2.4.1). Asked
         * when it can no longer be (ctl_next_timer()), if still unknown. */
        if (ctl->search || ctl->clock < ctl->search_until)
            ctl_node(ctl, ni)->work = NW_AFTER_SEARCH;
    }
    /* Ask the node itself for its instance list (unicast Get 0xD6), unless
     * that request is in flight: a search of one address keeps the
     * discipline of any request (AIF 2.4.1, 2.4.2). */
    if (!(ctl_node(ctl, ni)->work & NW_AFTER_SEARCH) &&
        !(ctl_node(ctl, ni)->busy && ctl_node(ctl, ni)->job.kind == J_INSTANCES))
        ctl_node(ctl, ni)->work |= NW_INSTANCES;
    ctl_node_heard(ctl, ni);
    ctl_schedule(ctl, ni);
    if (node)
        *node = ni;
    return ECHONET_OK;
}

bool ctl_discovery_is_search_answer(const echonet_ctl *ctl, const echonet_frame *f, uint32_t now)
{
    return now < ctl->search_until && f->tid == ctl->search_tid && ctl_esv_answers(f->esv, ECHONET_ESV_GET);
}

void ctl_discovery_ask_instances(echonet_ctl_node *n)
{
    static const uint8_t d6[] = {CTL_EPC_INSTANCES};

    ctl_job_start(n, J_INSTANCES, NONE, d6, 1, 1, 0);
}

void ctl_discovery_ask_attributes(echonet_ctl_node *n, uint16_t oi)
{
    static const uint8_t attr[] = {ECHONET_EPC_VERSION, ECHONET_EPC_ANNO_MAP, ECHONET_EPC_SET_MAP,
                                   ECHONET_EPC_GET_MAP};

    ctl_job_start(n, J_ATTR, oi, attr, sizeof attr, ctl_all_of(sizeof attr), 0);
}

void ctl_discovery_timer(echonet_ctl *ctl, echonet_ctl_node *n, uint32_t now)
{
    /* (ctl_next_timer()) A node without objects asks for its instance
     * list again; one waiting for the end of a search waits for the next
     * one too when that is asked for or answerable: it is a request to the
     * node (AIF 2.4.1). */
    if (n->first_object == NONE && (!(n->work & NW_AFTER_SEARCH) || (!ctl->search && now >= ctl->search_until)))
        n->work = (uint8_t)((n->work & ~NW_AFTER_SEARCH) | NW_INSTANCES);
}

bool ctl_discovery_job(echonet_ctl *ctl, uint16_t ni, uint16_t oi)
{
    static const uint8_t id[] = {ECHONET_EPC_IDENTIFICATION, ECHONET_EPC_MANUFACTURER};
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_object *o = ctl_obj(ctl, oi);

    if (o->work & OW_ATTR) {
        o->work &= (uint8_t)~OW_ATTR;
        ctl_discovery_ask_attributes(n, oi);
        return true;
    }
    if (o->work & OW_ID) {
        o->work &= (uint8_t)~OW_ID;
        /* The object's own 0x83, or the node profile's for a one-object
         * node (AIF 3.1.4). */
        if (!echonet_propmap_contains(&o->get, ECHONET_EPC_IDENTIFICATION) && ctl_object_count(ctl, ni) == 1)
            o->work |= OW_NPID;
        if (ctl_job_read(ctl, n, J_ID, oi, id, 2, CTL_READ_ALL, false))
            return true;
    }
    if (o->work & OW_NPID) {
        o->work &= (uint8_t)~OW_NPID;
        ctl_job_start(n, J_NPID, oi, id, 1, 1, 0);
        return true;
    }
    if (o->work & OW_STATE) {
        o->work &= (uint8_t)~OW_STATE;
        const ctl_profile *profile = ctl_profile_of(o->eoj);

        if (!ctl_job_read(ctl, n, J_STATE, oi, profile->status, profile->n_status, CTL_READ_ALL, false))
            ctl_job_start(n, J_STATE, oi, NULL, 0, 0, 0); /* nothing readable: done at once */
        return true;
    }
    return false;
}

bool ctl_discovery_value(echonet_ctl *ctl, uint16_t ni, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_object *o;
    echonet_propmap map;

    if (n->job.kind == J_INSTANCES) {
        ctl_objects_from_list(ctl, ni, edt, pdc);
        return true;
    }
    o = ctl_obj(ctl, n->job.object);
    if (n->job.kind == J_NPID || epc == ECHONET_EPC_IDENTIFICATION) {
        if (pdc != 17)
            return n->job.kind != J_NPID; /* (an object's 0x83 of another size is still told) */
        memcpy(o->id, edt, 17);
        return true;
    }
    if (epc == ECHONET_EPC_VERSION && pdc == 4) {
        memcpy(o->version, edt, 4);
    } else if (epc >= ECHONET_EPC_ANNO_MAP && epc <= ECHONET_EPC_GET_MAP) {
        if (echonet_propmap_decode(&map, edt, pdc) != ECHONET_OK)
            return false;
        if (epc == ECHONET_EPC_ANNO_MAP)
            o->announced = ctl_state_bits_in(&map);
        else if (epc == ECHONET_EPC_SET_MAP)
            o->set = map;
        else
            o->get = map;
    }
    return true;
}

void ctl_discovery_done(echonet_ctl *ctl, uint16_t ni, ctl_job_kind kind, bool timedout, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_object *o = kind == J_INSTANCES ? NULL : ctl_obj(ctl, n->job.object);

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
         * this is a unit known at another address (ctl_same_unit()). */
        if (timedout && !(o->work & (OW_ID_AGAIN | OW_NPID)))
            o->work |= (uint8_t)(OW_ID_AGAIN | (kind == J_ID ? OW_ID : OW_NPID));
        else
            ctl_same_unit(ctl, ni, o);
        break;
    case J_INSTANCES:
        /* No answer, and no object known: asked again, until it answers or
         * is offline (no_object_asks()). */
        if (timedout && n->first_object == NONE)
            n->work |= NW_INSTANCES;
        break;
    case J_STATE:
        o->work &= (uint8_t)~OW_STATE;
        if (!(o->work & OW_READY)) {
            o->work |= OW_READY;
            ctl_object_timers(ctl, o, now);
            ctl_notify(ctl, ECHONET_CTL_EV_READY, ni, o->eoj);
        }
        break;
    default:
        break;
    }
}

bool ctl_discovery_redo(echonet_ctl_object *o, ctl_job_kind kind)
{
    static const uint8_t redo[J_KINDS] = {
        [J_ATTR] = OW_ATTR, [J_ID] = OW_ID, [J_NPID] = OW_NPID, [J_STATE] = OW_STATE,
    };

    o->work |= redo[kind];
    return redo[kind] != 0;
}
