/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: discovery (AIF 3.1): the multicast search (3.1.2), instance
 * lists announced (0xD5) and answered (0xD6) that make nodes and objects
 * and drop objects left out (3.1.1), the search of one address
 * (echonet_ctl_add_node()), and each object's attributes, identification
 * and state read until it is ready (3.1.3, 3.1.4) (ctl_discovery.c). */
#ifndef ECHONET_LIB_CTL_DISCOVERY_H
#define ECHONET_LIB_CTL_DISCOVERY_H

#include "ctl_internal.h"

/* Writes the multicast Get 0xD6 to the node profile (AIF 3.1.2); the
 * search is answerable for one response timer. Returns the length (@p buf
 * has room for it: ctl_request_begin()). */
int32_t ctl_send_search(echonet_ctl *ctl, bool *multicast, uint8_t *buf, size_t cap, uint32_t now);

/* Whether a response is an answer to the multicast search still answerable. */
bool ctl_discovery_is_search_answer(const echonet_ctl *ctl, const echonet_frame *f, uint32_t now);

/* An instance list from the node profile at @p src: announced (INF, INFC
 * of 0xD5, @p epc CTL_EPC_INSTANCES_ANNOUNCED) or the answer to the
 * multicast search (0xD6, @p epc CTL_EPC_INSTANCES). Only one with an
 * object the controller manages makes a new node. */
void ctl_on_instance_list(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f, uint8_t epc);

/* A state announced by an object (AIF 5.4) from @p src: the cache is
 * updated; a new object of a managed class is found. */
void ctl_on_state_announced(echonet_ctl *ctl, const echonet_addr *src, const echonet_frame *f);

/* Creates the objects an instance list names, and drops those a complete
 * list leaves out (their operations end INSTANCE_GONE, ECHONET_CTL_EV_REMOVED). */
void ctl_objects_from_list(echonet_ctl *ctl, uint16_t node, const uint8_t *edt, size_t pdc);

/* Sets the node's job: its instance list (unicast Get 0xD6). */
void ctl_discovery_ask_instances(echonet_ctl_node *n);

/* Sets the node's job: the attributes of object @p oi (0x82, 0x9D, 0x9E,
 * 0x9F, AIF 3.1.3); asked again at a re-read when they never came. */
void ctl_discovery_ask_attributes(echonet_ctl_node *n, uint16_t oi);

/* A node's own timer fell: one without objects asks for its list again. */
void ctl_discovery_timer(echonet_ctl *ctl, echonet_ctl_node *n, uint32_t now);

/* Sets the node's job for the next discovery step of object @p oi
 * (attributes, identification, state); false when it has none left. */
bool ctl_discovery_job(echonet_ctl *ctl, uint16_t ni, uint16_t oi);

/* A value a discovery job read (instance list, maps, version,
 * identification); false when it is not one (a map that does not decode,
 * an identification number of the wrong size). */
bool ctl_discovery_value(echonet_ctl *ctl, uint16_t ni, uint8_t epc, const uint8_t *edt, uint8_t pdc);

/* A discovery job of kind @p kind ended (@p timedout: some property never
 * answered): the next step, ECHONET_CTL_EV_READY, or the same unit found at
 * a second address. */
void ctl_discovery_done(echonet_ctl *ctl, uint16_t ni, ctl_job_kind kind, bool timedout, uint32_t now);

/* A discovery job given up for an operation is made again: true when
 * @p kind is one (its object's work set again). */
bool ctl_discovery_redo(echonet_ctl_object *o, ctl_job_kind kind);

#endif
