/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: CRC-32 (IEEE 802.3, reflected, as zlib's crc32()) shared by the
 * controller snapshot and the energy log. */
#ifndef ECHONET_LIB_CRC32_H
#define ECHONET_LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t echonet_crc32(const uint8_t *p, size_t n);

#endif
