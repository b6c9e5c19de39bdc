/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: scheduling (ctl_sched.c). A node that can send now waits in the
 * ready queue (FIFO, linked through the nodes); one with a deadline (its
 * response timer, or the next of its objects' timers) sits in the heap
 * (ctl_heap.c), so that nothing walks every node to find what is due. An
 * offline node is probed by its keepalives when it has any, else by a Get
 * 0xD6 every keepalive_retry_ms. */
#ifndef ECHONET_LIB_CTL_SCHED_H
#define ECHONET_LIB_CTL_SCHED_H

#include "ctl_internal.h"

/* The earliest of node @p n's timers still to come (CLOCK_NEVER: none);
 * @p due receives whether one of its objects has work now (a timer due, a
 * discovery step, a fault read-out, a meter's history). A node without
 * objects asks for its list again every keepalive_retry_ms (or after the
 * search it waits for). */
uint32_t ctl_next_timer(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now, bool *due);

/* The first node of the ready queue, taken out, or NONE. */
uint16_t ctl_ready_pop(echonet_ctl *ctl);

/* Puts node @p i where its state says: in the ready queue when it can
 * send now, in the heap under its response deadline or next timer. */
void ctl_schedule(echonet_ctl *ctl, uint16_t i);

#endif
