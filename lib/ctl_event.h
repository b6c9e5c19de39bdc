/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: events to the application, filled in one place (ctl_event.c). */
#ifndef ECHONET_LIB_CTL_EVENT_H
#define ECHONET_LIB_CTL_EVENT_H

#include "ctl_internal.h"

/* Sends an event to the application's callback. */
static inline void ctl_emit(echonet_ctl *ctl, echonet_ctl_event *ev)
{
    ctl->cb.event(ctl->user, ev);
}

/* An event of @p kind for @p node and @p eoj, every other field empty
 * (op and same_as NONE, the probe's range -1). */
void ctl_event_init(echonet_ctl_event *ev, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj);

/* Sends an event with nothing but its kind, node and object. Its event
 * sits in this function's frame, out of those of the callers (the stack of
 * a frame that finds a node, makes room for it and tells both). */
void ctl_notify(echonet_ctl *ctl, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj);

#endif
