/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the one test of an address length against ECHONET_ADDR_MAX. */
#ifndef ECHONET_LIB_ADDR_INTERNAL_H
#define ECHONET_LIB_ADDR_INTERNAL_H

#include <stdbool.h>

#include "echonet/config.h"

/* A function of an unsigned, not a comparison of the uint8_t length in
 * place: with ECHONET_ADDR_MAX 255 that comparison is always true, which
 * gcc's -Wtype-limits (-Wextra) makes an error under -Werror. */
static inline bool echonet_addr_len_ok(unsigned len)
{
    return len <= ECHONET_ADDR_MAX;
}

#endif /* ECHONET_LIB_ADDR_INTERNAL_H */
