/*
 * Image (d): the smallest useful HEMS controller for 8 air conditioners
 * (issue 13): image (c) without the temperature probe, the snapshot, the
 * fault read-out on request and the energy reads (controller8.c).
 * SPDX-License-Identifier: MIT
 */
#define FW_CTL_MIN 1
#include "controller8.c"
