/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: polling of a ready object (AIF 5.4): the state properties its
 * announce map does not cover every poll_interval_ms, the announced ones
 * every reread_interval_ms, and the energy reads when the application
 * asked for them (ctl_energy.c); a property that times out alone is skipped
 * until the next re-read (reference 11) (ctl_poll.c). */
#ifndef ECHONET_LIB_CTL_POLL_H
#define ECHONET_LIB_CTL_POLL_H

#include "ctl_internal.h"

/* An object's timers when it becomes ready: polling and re-reading one
 * interval from now; the keepalive and the energy read (when asked for) at once. */
void ctl_object_timers(const echonet_ctl *ctl, echonet_ctl_object *o, uint32_t now);

/* Sets object @p o's energy timers: 0x84/0x85 and, for a meter, its
 * fixed-time values, at @p now when the energy reads are on, else never
 * (ctl_object_timers(), and echonet_ctl_read_energy() for the objects
 * already ready). */
void ctl_energy_timers(const echonet_ctl *ctl, echonet_ctl_object *o, uint32_t now);

/* Sets the node's job for the first due read of object @p oi; false when none. */
bool ctl_poll_job(echonet_ctl *ctl, echonet_ctl_node *n, uint16_t oi, uint32_t now);

/* A polling job of kind @p kind ended. */
void ctl_poll_done(const echonet_ctl *ctl, echonet_ctl_object *o, ctl_job_kind kind);

/* A polling job given up for an operation is due again at once. */
void ctl_poll_redo(echonet_ctl_object *o, ctl_job_kind kind, uint32_t now);

/* The single property in flight of @p job timed out: skipped by later polls. */
void ctl_poll_skip(echonet_ctl_object *o, const echonet_ctl_job *job);

#endif
