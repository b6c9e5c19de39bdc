/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the energy reads (issue 7): measured instantaneous power 0x84
 * and cumulative energy 0x85 of every ready object whose Get map has them,
 * every energy_interval_ms. Reached only through ctl->energy, which
 * echonet_ctl_read_energy() sets (ctl_energy.c). */
#ifndef ECHONET_LIB_CTL_ENERGY_H
#define ECHONET_LIB_CTL_ENERGY_H

#include "ctl_internal.h"

struct echonet_ctl_energy_part {
    /* Sets the node's job when object @p oi's energy read is due. */
    bool (*job)(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now);
};

#endif
