/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller parts every controller links, compiled as one translation
 * unit: each stays a file of its own with its own header (doc/controller.md,
 * "Inside"), and the compiler still inlines across them. Split into
 * separately compiled files, the controller grew by 900 bytes of flash on
 * Cortex-M0+ and handling a response took 18 % more instructions (calls
 * where one file had inlined them; doc/footprint.md). The parts a program
 * links only when it calls them (probe, energy and meter reads, snapshot) are their own
 * translation units. Static names must not repeat across the files below. */
#include "controller.c"
#include "ctl_clock.c"
#include "ctl_discovery.c"
#include "ctl_event.c"
#include "ctl_fault.c"
#include "ctl_heap.c"
#include "ctl_index.c"
#include "ctl_job.c"
#include "ctl_keepalive.c"
#include "ctl_nodes.c"
#include "ctl_op.c"
#include "ctl_poll.c"
#include "ctl_profile.c"
#include "ctl_sched.c"
#include "ctl_state.c"
