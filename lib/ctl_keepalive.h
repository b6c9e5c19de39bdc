/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: remote-operation keepalives (AIF 3.5): SetC 0x93 = 0x62 to each
 * ready object that has 0x93 in its Set map, while the line is up, within
 * keepalive_interval_ms of the last. A keepalive is not a job: it goes out
 * before the next request of whatever the node is doing (a job, an
 * operation's step, the probe of an offline node), so that neither a long
 * job nor a slow unit delays it by more than the request in flight. Its
 * object is the node's only one whose next_keepalive is CLOCK_NEVER while it
 * is ready (set when it is sent) (ctl_keepalive.c). */
#ifndef ECHONET_LIB_CTL_KEEPALIVE_H
#define ECHONET_LIB_CTL_KEEPALIVE_H

#include "ctl_internal.h"

/* Whether object @p o is kept alive (remote mode, line up, ready, 0x93 settable). */
bool ctl_keepalive_wanted(const echonet_ctl *ctl, const echonet_ctl_object *o);

/* The object of node @p n kept alive whose keepalive comes first (the
 * first of equals; CLOCK_NEVER, in flight, last of all), or NONE. */
uint16_t ctl_keepalive_next(echonet_ctl *ctl, const echonet_ctl_node *n);

/* The object of node @p n whose keepalive is due, the longest overdue
 * first (with three objects and a one-hour interval, the first due in
 * object order let the third's come 1.4 s late, issue 13), or NONE. */
uint16_t ctl_keepalive_due(echonet_ctl *ctl, const echonet_ctl_node *n, uint32_t now);

/* Writes the keepalive of object @p oi and marks the node busy. Returns the
 * length (@p buf has room for it: ctl_request_begin()). */
int32_t ctl_keepalive_send(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t *buf, size_t cap, uint32_t now);

/* The answer to the keepalive in flight (TID and ESV already matched):
 * Set_Res is success, SetC_SNA failure; ECHONET_CTL_EV_KEEPALIVE; the next
 * one scheduled so that it lands within the interval (AIF 3.5 ③). */
void ctl_keepalive_answer(echonet_ctl *ctl, uint16_t ni, const echonet_frame *f, uint32_t now);

/* The keepalive in flight got no answer: failed, retried after
 * keepalive_retry_ms. True when the node has now timed out offline_after
 * times in a row (the caller takes it offline). */
bool ctl_keepalive_timeout(echonet_ctl *ctl, uint16_t ni, uint32_t now);

#endif
