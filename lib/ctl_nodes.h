/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: node lifecycle (ctl_nodes.c): node and object slots (never
 * used, freed, or taken from a lost node), going offline and coming back,
 * forgetting lost nodes (offline and never ready) to make room, one unit at
 * two addresses (AIF 4.1: told by its identification number), and the
 * application's queries. */
#ifndef ECHONET_LIB_CTL_NODES_H
#define ECHONET_LIB_CTL_NODES_H

#include "ctl_internal.h"

/* Object slot @p oi back to the free list (unlinked from its node by the caller). */
void ctl_object_free(echonet_ctl *ctl, uint16_t oi);

/* A new node at @p addr, or NONE when there is no room (a lost node is
 * forgotten first when one can be, ECHONET_CTL_EV_FORGOTTEN). */
uint16_t ctl_node_create(echonet_ctl *ctl, const echonet_addr *addr);

/* Object @p eoj of node @p node, or NONE. */
uint16_t ctl_object_find(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj);

/* The objects of node @p node that have every bit of @p work. */
uint16_t ctl_objects_with(const echonet_ctl *ctl, uint16_t node, uint8_t work);

/* The objects of node @p node. */
static inline uint16_t ctl_object_count(const echonet_ctl *ctl, uint16_t node)
{
    return ctl_objects_with(ctl, node, 0);
}

/* Object @p eoj of node @p node, made (ECHONET_CTL_EV_FOUND) when it is new
 * and an air conditioner; NONE for another class or when there is no room
 * (ECHONET_CTL_EV_FULL). */
uint16_t ctl_object_get(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj);

/* The node a frame from @p src is for, or NONE. For an alias, its unit's
 * node, which moves to this address when it is offline at its own and not
 * being asked there (the unit is alive here: a new address after a
 * restart); else the alias keeps the time it was heard. */
uint16_t ctl_node_of_src(echonet_ctl *ctl, const echonet_addr *src);

/* Object @p o of node @p ni has just been identified. When another node has
 * an object with the same identification number, node @p ni is that unit at
 * a second address: it becomes an alias (ECHONET_CTL_EV_ALIAS) whose address
 * leads to the first node, which alone sends to the unit (AIF 2.4.1); its
 * objects go, and operations queued for them end NODE_GONE. A walk over
 * the objects, once per identification. */
void ctl_same_unit(echonet_ctl *ctl, uint16_t ni, const echonet_ctl_object *o);

/* The objects of a node that are ready (once ready, an object stays so): a
 * node with none may be forgotten when offline, and is not saved in a
 * snapshot. */
static inline uint16_t ctl_ready_objects(const echonet_ctl *ctl, uint16_t node)
{
    return ctl_objects_with(ctl, node, OW_READY);
}

/* Node @p ni stopped answering (ECHONET_CTL_EV_OFFLINE): its operations end
 * NODE_GONE; it is probed from now on (its keepalives, else a Get 0xD6
 * every keepalive_retry_ms); a node never ready becomes lost. */
void ctl_node_offline(echonet_ctl *ctl, uint16_t ni);

/* A frame from node @p ni: an offline node is back (ECHONET_CTL_EV_ONLINE)
 * and rediscovered. */
void ctl_node_heard(echonet_ctl *ctl, uint16_t ni);

/* A new node at @p src (no node is there: ctl_node_of_src()), for a frame
 * that shows a device object; NONE and ECHONET_CTL_EV_FULL (for @p why)
 * when there is no room. */
uint16_t ctl_node_new(echonet_ctl *ctl, const echonet_addr *src, echonet_eoj why);

#endif
