/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the controller's address index and deadline heap, kept apart so
 * that the cost of a frame or a deadline does not grow with the nodes. */
#ifndef ECHONET_LIB_CTL_INTERNAL_H
#define ECHONET_LIB_CTL_INTERNAL_H

#include "echonet/controller.h"

#define NONE ECHONET_CTL_NONE

/* Address → node index: open addressing over st.index (a power of two,
 * at least twice the nodes), FNV-1a of the address bytes. */
void ctl_index_clear(echonet_ctl *ctl);
uint16_t ctl_index_find(const echonet_ctl *ctl, const echonet_addr *addr);
void ctl_index_insert(echonet_ctl *ctl, uint16_t node);
void ctl_index_remove(echonet_ctl *ctl, uint16_t node);

/* Nodes by deadline: a binary min-heap of node indices in st.heap; each
 * node knows its position (NONE when not in the heap). */
void ctl_heap_update(echonet_ctl *ctl, uint16_t node);
void ctl_heap_remove(echonet_ctl *ctl, uint16_t node);
uint16_t ctl_heap_top(const echonet_ctl *ctl);

/* The controller's clock: milliseconds after ctl->epoch in 32 bits, so that
 * each node's deadline and each object's timers take 4 bytes, not 8.
 * CLOCK_NEVER: no time. Every interval is at most CLOCK_SPAN (config_ok), and
 * the clock restarts before it passes CLOCK_SPAN, so now + interval never
 * reaches CLOCK_NEVER. */
#define CLOCK_NEVER 0xFFFFFFFFu
#define CLOCK_SPAN ECHONET_CTL_MAX_INTERVAL

/* Takes in the application's time (a time before the latest counts as the
 * latest) and returns the clock; restarts it past CLOCK_SPAN (controller.c). */
uint32_t ctl_clock(echonet_ctl *ctl, echonet_tstamp now);

/* An object's timers when it becomes ready (controller.c). */
void ctl_object_timers(const echonet_ctl *ctl, echonet_ctl_object *o, uint32_t now);

/* The objects of a node that are ready (once ready, an object stays so):
 * a node with none may be forgotten when offline, and is not saved in a
 * snapshot (controller.c). */
uint16_t ctl_ready_objects(const echonet_ctl *ctl, uint16_t node);

/* Puts a node in the ready queue or the heap as its work and timers say
 * (controller.c). */
void ctl_schedule_node(echonet_ctl *ctl, uint16_t node);

#endif
