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

/* Nodes by deadline: a binary min-heap of node indices in st.heap; each
 * node knows its position (NONE when not in the heap). */
void ctl_heap_update(echonet_ctl *ctl, uint16_t node);
void ctl_heap_remove(echonet_ctl *ctl, uint16_t node);
uint16_t ctl_heap_top(const echonet_ctl *ctl);

/* Puts a node in the ready queue or the heap as its work and timers say
 * (controller.c). */
void ctl_schedule_node(echonet_ctl *ctl, uint16_t node);

#endif
