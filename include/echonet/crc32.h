/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file crc32.h
 * @brief CRC-32 of a byte string.
 *
 * @defgroup crc32 CRC-32
 * @brief The checksum the library's own formats carry, for the caller's too.
 *
 * CRC-32 as IEEE 802.3 defines it (polynomial 0x04C11DB7, reflected,
 * initial value and final XOR 0xFFFFFFFF), the same as zlib's `crc32()`:
 * the CRC of the nine bytes "123456789" is 0xCBF43926. The controller
 * snapshot (echonet_ctl_save()) and the energy log
 * (echonet_energy_save()) end with it; a program's own files can use the
 * same function. Computed bit by bit without a table (no flash for 1 KiB of
 * table; the data it guards are small and rarely written).
 * @{
 */
#ifndef ECHONET_CRC32_H
#define ECHONET_CRC32_H

#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"

ECHONET_BEGIN_DECLS

/**
 * @brief The CRC-32 (IEEE 802.3) of @p n bytes at @p p.
 * @param p the bytes (may be NULL when @p n is 0).
 * @param n how many.
 * @return the CRC; 0 for no bytes. Never fails.
 */
ECHONET_API uint32_t echonet_crc32(const uint8_t *p, size_t n);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_CRC32_H */
