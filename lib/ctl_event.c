/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Events to the application. */
#include <string.h>

#include "ctl_event.h"

void ctl_event_init(echonet_ctl_event *ev, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->node = node;
    ev->eoj = eoj;
    ev->op = NONE;
    ev->same_as = NONE;
    ev->probe_low = -1;
    ev->probe_high = -1;
}

void ctl_notify(echonet_ctl *ctl, echonet_ctl_event_kind kind, uint16_t node, echonet_eoj eoj)
{
    echonet_ctl_event ev;

    ctl_event_init(&ev, kind, node, eoj);
    ctl_emit(ctl, &ev);
}
