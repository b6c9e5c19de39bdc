/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file addr.h
 * @brief Peer addresses, opaque to the library.
 *
 * @defgroup addr Addresses
 * @brief A small byte blob the caller fills with its transport's address.
 *
 * The library only copies and compares addresses. The caller puts in
 * whatever identifies a peer on its transport: an IPv4 or IPv6 address, a
 * 6LoWPAN short address. "All nodes" (multicast) is never an address: it is
 * a flag beside one.
 * @{
 */
#ifndef ECHONET_ADDR_H
#define ECHONET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/config.h"
#include "echonet/error.h"

ECHONET_BEGIN_DECLS

/** @brief A peer address: @c len bytes of @c bytes, compared bytewise. */
typedef struct echonet_addr {
    uint8_t len;                        /**< bytes used, 0 to @ref ECHONET_ADDR_MAX */
    uint8_t bytes[ECHONET_ADDR_MAX];    /**< the address, as the caller's transport spells it */
} echonet_addr;

/**
 * @brief Fills an address from bytes.
 * @param addr the address to fill.
 * @param bytes @p len bytes; may be NULL when @p len is 0.
 * @param len at most @ref ECHONET_ADDR_MAX.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p addr is NULL, @p bytes NULL with
 *         @p len > 0, or @p len > @ref ECHONET_ADDR_MAX.
 */
ECHONET_API echonet_err echonet_addr_set(echonet_addr *addr, const void *bytes, size_t len);

/**
 * @brief Whether two addresses are the same.
 * @param a an address; NULL equals only NULL.
 * @param b an address.
 * @return true when lengths and bytes are equal.
 */
ECHONET_API bool echonet_addr_equal(const echonet_addr *a, const echonet_addr *b);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_ADDR_H */
