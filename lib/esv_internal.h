/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the ESV questions the codec asks of every frame, answered
 * without a call (esv.c answers the public ones with these). */
#ifndef ECHONET_LIB_ESV_INTERNAL_H
#define ECHONET_LIB_ESV_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "noinline.h"

/* The codes of reference 3.1, one bit per low nibble: 0x50-0x53 and 0x5E
 * (SNA), 0x60-0x63 and 0x6E (requests), 0x71-0x74, 0x7A and 0x7E
 * (answers, INF, INFC). */
static inline bool esv_valid(uint8_t esv)
{
#if ECHONET_SHORTCUTS
    /* The three rows in one 64-bit word for 0x40-0x7F: no table load (a
     * shortcut: the table below is smaller on a 32-bit MCU). */
    const uint64_t mask = (uint64_t)0x400Fu << 16 | (uint64_t)0x400Fu << 32 | (uint64_t)0x441Eu << 48;

    return (esv >> 6) == 1u && (mask >> (esv & 0x3Fu) & 1u) != 0;
#else
    static const uint16_t row[3] = {0x400Fu, 0x400Fu, 0x441Eu};
    unsigned r = (unsigned)(esv >> 4) - 5u;

    return r < 3u && (row[r] >> (esv & 0x0Fu) & 1u) != 0;
#endif
}

/* For a valid code: SetGet, SetGet_Res or SetGet_SNA (the only codes
 * ending in E). */
static inline bool esv_setget(uint8_t esv)
{
    return (esv & 0x0Fu) == 0x0Eu;
}

/* For a valid code: a request (0x6_) or INFC, which must carry a property
 * (doc/decisions.md). */
static inline bool esv_needs_property(uint8_t esv)
{
    return (esv & 0xF0u) == 0x60u || esv == 0x74u;
}

#endif /* ECHONET_LIB_ESV_INTERNAL_H */
