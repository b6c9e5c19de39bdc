/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/eoj.h"

#include "bytes.h"

bool echonet_eoj_is_node_profile(echonet_eoj eoj)
{
    return ECHONET_EOJ_CLASS(eoj) == ECHONET_CLASS_NODE_PROFILE && ECHONET_EOJ_INSTANCE(eoj) <= 0x02u &&
           (eoj & 0xFF000000u) == 0;
}

bool echonet_eoj_matches(echonet_eoj target, echonet_eoj eoj)
{
    if (echonet_eoj_is_node_profile(target))
        return echonet_eoj_is_node_profile(eoj);
    if (ECHONET_EOJ_CLASS(target) != ECHONET_EOJ_CLASS(eoj))
        return false;
    return ECHONET_EOJ_INSTANCE(target) == ECHONET_INSTANCE_ALL ||
           ECHONET_EOJ_INSTANCE(target) == ECHONET_EOJ_INSTANCE(eoj);
}

echonet_eoj echonet_eoj_read(const uint8_t *p)
{
    return echonet_get_u24be(p);
}
