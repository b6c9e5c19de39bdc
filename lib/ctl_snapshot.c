/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller's durable state, so that a HEMS that reboots neither
 * forgets its air conditioners nor misses a keepalive.
 *
 * Layout, big-endian, version 2:
 *   "ELCS" version(1) nodes(2) objects(2) next TID(2)
 *   per node:   address length(1) address(length) capacity(1)
 *   per object: node(2) EOJ(3) Get map(16) Set map(16) announced(1)
 *               identification(17) version(4)
 *               a meter's last half-hour(4) and history days to read(2)
 *   CRC-32 (IEEE) of everything before it (4)
 * Version 1 (without the meter's 6 bytes) is still restored: its meters
 * start as after a first start (today and yesterday read).
 * Only the objects that were ready, and the nodes that have one, are saved
 * (ctl_ready_objects()): the numbers of the nodes after a left-out one move
 * down; the objects go node by node, each node's in its order.
 */
#include <string.h>

#include "addr_internal.h"
#include "bytes.h"
#include "echonet/crc32.h"
#include "ctl_internal.h"
#include "ctl_meter.h"
#include "ctl_nodes.h"
#include "ctl_poll.h"
#include "ctl_profile.h"
#include "ctl_sched.h"

#define SNAPSHOT_VERSION 2u
#define HEADER_LEN 11u
/* TIDs a controller may have sent after its last snapshot: a restored one
 * starts past them, so that no TID is reused while it could be answered. */
#define TID_SKIP ECHONET_CTL_RESTORE_TID_SKIP
#define OBJECT_LEN_1 (2u + 3u + 16u + 16u + 1u + 17u + 4u)
#define OBJECT_LEN (OBJECT_LEN_1 + 4u + 2u)

/* Only the ready objects are saved, and only the nodes that have one
 * (ctl_ready_objects()). A node still being discovered, or forgotten, is
 * left out (after a restart it is found again), and so is an object not
 * yet ready: restored, each would be taken for a known air conditioner. */
echonet_err echonet_ctl_save(const echonet_ctl *ctl, uint8_t *buf, size_t cap, size_t *len)
{
    echonet_sink o;
    uint8_t b[4];
    uint16_t i, oi, k, nodes = 0, objects = 0;

    if (!ctl || !len || (!buf && cap > 0))
        return ECHONET_ERR_INVALID_ARG;
    for (i = 0; i < ctl->n_nodes_used; i++) {
        k = ctl_ready_objects(ctl, i);
        nodes = (uint16_t)(nodes + (k > 0));
        objects = (uint16_t)(objects + k);
    }
    echonet_sink_init(&o, buf, cap);
    echonet_sink_put(&o, "ELCS", 4);
    b[0] = SNAPSHOT_VERSION;
    echonet_sink_put(&o, b, 1);
    echonet_sink_put_u16(&o, nodes);
    echonet_sink_put_u16(&o, objects);
    echonet_sink_put_u16(&o, ctl->tid);
    for (i = 0; i < ctl->n_nodes_used; i++) {
        const echonet_ctl_node *n = &ctl->st.nodes[i];

        if (ctl_ready_objects(ctl, i) == 0)
            continue;
        echonet_sink_put(&o, &n->addr.len, 1);
        echonet_sink_put(&o, n->addr.bytes, n->addr.len);
        echonet_sink_put(&o, &n->capacity, 1);
    }
    /* Each saved node's objects in its order, the node numbered as saved. */
    for (i = 0, k = 0; i < ctl->n_nodes_used; i++) {
        if (ctl_ready_objects(ctl, i) == 0)
            continue;
        for (oi = ctl->st.nodes[i].first_object; oi != NONE; oi = ctl->st.objects[oi].next) {
            const echonet_ctl_object *ob = &ctl->st.objects[oi];

            if (!(ob->work & OW_READY))
                continue;
            echonet_sink_put_u16(&o, k);
            echonet_put_u24be(b, ob->eoj);
            echonet_sink_put(&o, b, 3);
            echonet_sink_put(&o, ob->get.bits, 16);
            echonet_sink_put(&o, ob->set.bits, 16);
            echonet_sink_put(&o, &ob->announced, 1);
            echonet_sink_put(&o, ob->id, 17);
            echonet_sink_put(&o, ob->version, 4);
            /* A meter's last half-hour, so that after a restart the days
             * missed meanwhile are read from its history (ctl_meter.c). */
            echonet_put_u16be(b, (uint16_t)(ob->fixed_slot >> 16));
            echonet_put_u16be(b + 2, (uint16_t)ob->fixed_slot);
            echonet_sink_put(&o, b, 4);
            echonet_sink_put_u16(&o, ob->history);
        }
        k++;
    }
    if (o.len + 4 <= o.cap) {
        echonet_put_u16be(b, (uint16_t)(echonet_crc32(buf, o.len) >> 16));
        echonet_put_u16be(b + 2, (uint16_t)echonet_crc32(buf, o.len));
    }
    echonet_sink_put(&o, b, 4);
    *len = o.len;
    return o.len <= o.cap ? ECHONET_OK : ECHONET_ERR_NOBUF;
}

/* Checks a snapshot whole: framing, CRC, and every field in range. */
static echonet_err check(const echonet_ctl *ctl, const uint8_t *buf, size_t len, uint16_t *nodes, uint16_t *objects)
{
    size_t pos = HEADER_LEN, i, j, node_start, olen;
    uint32_t crc;

    if (len < HEADER_LEN + 4 || memcmp(buf, "ELCS", 4) != 0 || buf[4] < 1u || buf[4] > SNAPSHOT_VERSION)
        return ECHONET_ERR_SNAPSHOT;
    olen = buf[4] == 1u ? OBJECT_LEN_1 : OBJECT_LEN;
    crc = (uint32_t)echonet_get_u16be(buf + len - 4) << 16 | echonet_get_u16be(buf + len - 2);
    if (crc != echonet_crc32(buf, len - 4))
        return ECHONET_ERR_SNAPSHOT;
    len -= 4;
    *nodes = echonet_get_u16be(buf + 5);
    *objects = echonet_get_u16be(buf + 7);
    node_start = pos;
    for (i = 0; i < *nodes; i++) {
        if (pos >= len || buf[pos] == 0 || !echonet_addr_len_ok(buf[pos]) || len - pos < 2u + buf[pos])
            return ECHONET_ERR_SNAPSHOT;
        if (buf[pos + 1u + buf[pos]] == 0)
            return ECHONET_ERR_SNAPSHOT; /* capacity */
        pos += 2u + buf[pos];
    }
    if ((len - pos) != (size_t)*objects * olen)
        return ECHONET_ERR_SNAPSHOT;
    for (i = 0; i < *objects; i++) {
        const uint8_t *r = buf + pos + i * olen;
        echonet_eoj eoj = echonet_eoj_read(r + 2);

        if (echonet_get_u16be(r) >= *nodes || !ctl_profile_of(eoj))
            return ECHONET_ERR_SNAPSHOT;
        for (j = 0; j < i; j++)
            if (memcmp(r, buf + pos + j * olen, 5) == 0)
                return ECHONET_ERR_SNAPSHOT; /* the same object twice */
    }
    /* No address twice. */
    for (i = 0, pos = node_start; i < *nodes; i++, pos += 2u + buf[pos]) {
        size_t q = node_start;

        for (j = 0; j < i; j++, q += 2u + buf[q])
            if (buf[q] == buf[pos] && memcmp(buf + q + 1, buf + pos + 1, buf[pos]) == 0)
                return ECHONET_ERR_SNAPSHOT;
    }
    if (*nodes > ctl->st.n_nodes || *objects > ctl->st.n_objects)
        return ECHONET_ERR_FULL;
    return ECHONET_OK;
}

echonet_err echonet_ctl_restore(echonet_ctl *ctl, const uint8_t *buf, size_t len, echonet_tstamp now)
{
    uint16_t nodes = 0, objects = 0, i, *link;
    uint32_t clock;
    size_t pos = HEADER_LEN, olen;
    echonet_err err;

    if (!ctl || !buf || ctl->n_nodes_used > 0 || ctl->n_objects_used > 0)
        return ECHONET_ERR_INVALID_ARG;
    err = check(ctl, buf, len, &nodes, &objects);
    if (err != ECHONET_OK)
        return err;
    olen = buf[4] == 1u ? OBJECT_LEN_1 : OBJECT_LEN;
    clock = ctl_clock(ctl, now);
    ctl->tid = (uint16_t)(echonet_get_u16be(buf + 9) + TID_SKIP);
    for (i = 0; i < nodes; i++) {
        echonet_ctl_node *n = &ctl->st.nodes[i];

        memset(n, 0, sizeof *n);
        (void)echonet_addr_set(&n->addr, buf + pos + 1, buf[pos]);
        n->capacity = buf[pos + 1u + buf[pos]];
        if (n->capacity > ECHONET_CTL_BATCH_MAX)
            n->capacity = ECHONET_CTL_BATCH_MAX;
        n->state = 1; /* active */
        n->op = n->first_object = n->ops_head = n->heap_pos = n->ready_next = NONE;
        n->deadline = CLOCK_NEVER;
        pos += 2u + buf[pos];
        ctl->n_nodes_used++;
        ctl_index_insert(ctl, i);
    }
    for (i = 0; i < objects; i++, pos += olen) {
        echonet_ctl_object *o = &ctl->st.objects[i];
        const uint8_t *r = buf + pos;

        memset(o, 0, sizeof *o);
        o->node = echonet_get_u16be(r);
        o->next = NONE;
        o->eoj = echonet_eoj_read(r + 2);
        memcpy(o->get.bits, r + 5, 16);
        memcpy(o->set.bits, r + 21, 16);
        o->announced = r[37];
        memcpy(o->id, r + 38, 17);
        memcpy(o->version, r + 55, 4);
        if (olen == OBJECT_LEN && ctl_profile_of(o->eoj)->meter) {
            /* A meter: its history is read again from its last half-hour
             * once an EA tells today's (ctl_meter_restored()). */
            o->fixed_slot = (uint32_t)echonet_get_u16be(r + 59) << 16 | echonet_get_u16be(r + 61);
            o->history = o->fixed_slot != 0 ? echonet_get_u16be(r + 63) : 0u; /* (days count from a half-hour) */
            ctl_meter_restored(o);
        }
        /* Known at once, so a keepalive can go out first; the attributes
         * and state are read again, as the unit may have changed. */
        o->work = OW_READY | OW_ATTR | OW_ID | OW_STATE;
        ctl_object_timers(ctl, o, clock);
        for (link = &ctl->st.nodes[o->node].first_object; *link != NONE; link = &ctl->st.objects[*link].next)
            ;
        *link = i;
        ctl->n_objects_used++;
    }
    for (i = 0; i < nodes; i++)
        ctl_schedule(ctl, i);
    return ECHONET_OK;
}
