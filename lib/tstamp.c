/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/tstamp.h"

echonet_tstamp echonet_tstamp_add(echonet_tstamp t, echonet_tstamp delta)
{
    return delta > ECHONET_TSTAMP_NEVER - t ? ECHONET_TSTAMP_NEVER : t + delta;
}
