/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the property map's bit layout, for the tests on hot paths. */
#ifndef ECHONET_LIB_PROPMAP_INTERNAL_H
#define ECHONET_LIB_PROPMAP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "echonet/propmap.h"

/* The set is kept in the wire bitmap layout of reference 5: EPC e is bit
 * ((e >> 4) - 8) of bits[e & 0x0F]. The bitmap form is then a plain copy. */
#define EPC_BYTE(epc) ((unsigned)(epc) & 0x0Fu)
#define EPC_BIT(epc) ((uint8_t)(1u << (((unsigned)(epc) >> 4) - 8u)))

/* echonet_propmap_contains() without a call. */
static inline bool propmap_has(const echonet_propmap *map, uint8_t epc)
{
    return epc >= 0x80u && (map->bits[EPC_BYTE(epc)] & EPC_BIT(epc)) != 0;
}

#endif
