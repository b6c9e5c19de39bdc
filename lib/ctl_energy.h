/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the energy reads (issue 7): measured instantaneous power 0x84
 * and cumulative energy 0x85 of every ready object whose Get map has them,
 * every energy_interval_ms; and a smart meter's half-hour values and
 * history (issue 15, ctl_meter.c). Reached only through ctl->energy, which
 * echonet_ctl_read_energy() sets (ctl_energy.c): a firmware that never
 * calls it links none of them. */
#ifndef ECHONET_LIB_CTL_ENERGY_H
#define ECHONET_LIB_CTL_ENERGY_H

#include "ctl_internal.h"

struct echonet_ctl_energy_part {
    /* Sets the node's job when a meter's own read of object @p oi is due
     * (ctl_meter_job()); asked first. */
    bool (*meter_job)(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now);
    /* Sets the node's job when object @p oi's energy read is due. */
    bool (*job)(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now);
    /* A meter's EA value came (ctl_meter_fixed()). */
    void (*fixed)(const echonet_ctl *ctl, echonet_ctl_object *o, const uint8_t *edt, uint32_t now);
    /* A meter's job ended (ctl_meter_done()). */
    void (*done)(const echonet_ctl *ctl, echonet_ctl_object *o, ctl_job_kind kind, bool failed, uint32_t now);
};

#endif
