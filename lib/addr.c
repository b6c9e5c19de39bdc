/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/addr.h"

#include <string.h>

#include "addr_internal.h"

echonet_err echonet_addr_set(echonet_addr *addr, const void *bytes, size_t len)
{
    if (!addr || (!bytes && len > 0) || len > ECHONET_ADDR_MAX)
        return ECHONET_ERR_INVALID_ARG;
    memset(addr, 0, sizeof *addr);
    if (len > 0)
        memcpy(addr->bytes, bytes, len);
    addr->len = (uint8_t)len;
    return ECHONET_OK;
}

bool echonet_addr_equal(const echonet_addr *a, const echonet_addr *b)
{
    if (!a || !b)
        return a == b;
    return a->len == b->len && echonet_addr_len_ok(a->len) && memcmp(a->bytes, b->bytes, a->len) == 0;
}
