/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the cached state of an air conditioner (echonet_ctl_state), one
 * table of the properties it keeps, and the delivery of a value (ctl_state.c). */
#ifndef ECHONET_LIB_CTL_STATE_H
#define ECHONET_LIB_CTL_STATE_H

#include "ctl_internal.h"

/* The cached properties, in the order of echonet_ctl_state's fields after
 * @c valid (field i, bit i of @c valid, ECHONET_CTL_S_*). The first
 * CTL_STATUS_READ are the status read of AIF 3.3.1, in the order they are
 * requested; the last (0x93) is cached when it comes, never asked for. */
extern const uint8_t ctl_state_epcs[8];
#define CTL_STATUS_READ 7u

/* The state bit of a cached property (ECHONET_CTL_S_*), or 0. */
uint16_t ctl_state_bit(uint8_t epc);

/* The state bits of the status-read properties a property map holds. */
uint8_t ctl_state_bits_in(const echonet_propmap *map);

/* A value of property @p epc of object @p oi of node @p ni: cached when it
 * is a state property of one byte, sent as a PROPERTY event; a fault (0x88
 * = 0x41) newly seen sets the object's fault read-out (AIF 3.4, 5.5). */
void ctl_deliver(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t epc, const uint8_t *edt, uint8_t pdc);

#endif
