/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file tstamp.h
 * @brief Time as the library sees it: a number the caller passes in.
 *
 * @defgroup tstamp Time
 * @brief Monotonic milliseconds chosen by the caller, and a "never".
 *
 * The library never reads a clock. Every function that needs the time takes
 * an @ref echonet_tstamp, milliseconds on a monotonic clock whose origin the
 * caller chooses (boot, for instance). Deadlines are compared with the
 * helpers here, which are safe up to @ref ECHONET_TSTAMP_NEVER.
 * @{
 */
#ifndef ECHONET_TSTAMP_H
#define ECHONET_TSTAMP_H

#include <stdint.h>

#include "echonet/common.h"

ECHONET_BEGIN_DECLS

/** @brief Milliseconds on the caller's monotonic clock. */
typedef uint64_t echonet_tstamp;

/** @brief "No deadline": later than every real time. */
#define ECHONET_TSTAMP_NEVER UINT64_MAX

/** @brief Milliseconds in a second. */
#define ECHONET_SECONDS(s) ((echonet_tstamp)(s) * 1000u)
/** @brief Milliseconds in an hour. */
#define ECHONET_HOURS(h) ((echonet_tstamp)(h) * 3600000u)

/**
 * @brief @p t plus @p delta, saturating at @ref ECHONET_TSTAMP_NEVER.
 * @param t a time (may be @ref ECHONET_TSTAMP_NEVER).
 * @param delta milliseconds to add.
 * @return the later time, never wrapping around.
 */
ECHONET_API echonet_tstamp echonet_tstamp_add(echonet_tstamp t, echonet_tstamp delta);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_TSTAMP_H */
