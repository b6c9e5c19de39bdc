/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file propmap.h
 * @brief Property sets and the two wire encodings of property maps.
 *
 * @defgroup propmap Property maps
 * @brief Sets of EPCs 0x80-0xFF (the values of 0x9D, 0x9E and 0x9F).
 *
 * A property map's EDT starts with the number of properties. With fewer than
 * 16 the EPCs follow as a list (1 + count bytes); with 16 or more a 16-byte
 * bitmap follows (17 bytes in all), where EPC e is bit ((e >> 4) - 8) of
 * byte 1 + (e & 0x0F) (reference 5).
 * @{
 */
#ifndef ECHONET_PROPMAP_H
#define ECHONET_PROPMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/error.h"

ECHONET_BEGIN_DECLS

/** @brief The largest EDT of a property map (count byte + 16-byte bitmap). */
#define ECHONET_PROPMAP_MAX_LEN 17u
/** @brief Count from which the bitmap form is used. */
#define ECHONET_PROPMAP_BITMAP_MIN 16u
/** @brief Returned by echonet_propmap_next() when no EPC is left. */
#define ECHONET_PROPMAP_END 0x100u

/** @brief A set of EPCs 0x80-0xFF, 16 bytes. The field is private. */
typedef struct echonet_propmap {
    uint8_t bits[16]; /**< @private the wire bitmap layout */
} echonet_propmap;

/**
 * @brief Empties a set.
 * @param map the set; nothing happens when NULL.
 */
ECHONET_API void echonet_propmap_init(echonet_propmap *map);

/**
 * @brief Adds an EPC to a set (adding a present EPC changes nothing).
 * @param map the set.
 * @param epc the property code, 0x80 to 0xFF.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p map is NULL.
 * @retval ECHONET_OK added or already present.
 * @retval ECHONET_ERR_EPC @p epc is below 0x80.
 */
ECHONET_API echonet_err echonet_propmap_add(echonet_propmap *map, uint8_t epc);

/**
 * @brief Removes an EPC from a set.
 * @param map the set; nothing happens when NULL.
 * @param epc the property code; EPCs below 0x80 are never present.
 */
ECHONET_API void echonet_propmap_remove(echonet_propmap *map, uint8_t epc);

/**
 * @brief Whether an EPC is in a set.
 * @param map the set; NULL is the empty set.
 * @param epc the property code.
 * @return true when present.
 */
ECHONET_API bool echonet_propmap_contains(const echonet_propmap *map, uint8_t epc);

/**
 * @brief Number of EPCs in a set.
 * @param map the set; NULL is the empty set.
 * @return 0 to 128.
 */
ECHONET_API unsigned echonet_propmap_count(const echonet_propmap *map);

/**
 * @brief The smallest EPC in @p map that is not below @p from.
 *
 * Iterate in ascending order with
 * `for (e = echonet_propmap_next(m, 0x80); e != ECHONET_PROPMAP_END; e = echonet_propmap_next(m, e + 1))`.
 * @param map the set; NULL is the empty set.
 * @param from where to start; values below 0x80 start at 0x80.
 * @return the EPC, or @ref ECHONET_PROPMAP_END when there is none.
 */
ECHONET_API unsigned echonet_propmap_next(const echonet_propmap *map, unsigned from);

/**
 * @brief Writes the EDT of a property map: list form below 16 EPCs, bitmap
 *        form from 16.
 * @param map the set.
 * @param buf output (NULL with @p cap 0 to measure).
 * @param cap bytes at @p buf.
 * @param len if not NULL, receives the bytes written, or needed on
 *        @ref ECHONET_ERR_NOBUF (at most @ref ECHONET_PROPMAP_MAX_LEN).
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_OK written.
 * @retval ECHONET_ERR_NOBUF @p cap too small; nothing written.
 * @retval ECHONET_ERR_INVALID_ARG @p map is NULL, or @p buf NULL with @p cap > 0.
 */
ECHONET_API echonet_err echonet_propmap_encode(const echonet_propmap *map, uint8_t *buf,
                                               size_t cap, size_t *len);

/**
 * @brief Reads the EDT of a property map, deciding the form from its count byte.
 *
 * Tolerance for inaccurate PDCs, as devices in the field send them
 * (reference 5): bytes after the 17 of a bitmap, or after the count's worth of
 * a list, are ignored; a list shorter than its count gives the EPCs present.
 *
 * @param map receives the set; emptied first, left empty on error.
 * @param edt the EDT.
 * @param pdc bytes at @p edt.
 * @return @ref ECHONET_OK or an error code, checked in this order:
 * @retval ECHONET_OK decoded.
 * @retval ECHONET_ERR_INVALID_ARG @p map is NULL, or @p edt NULL with @p pdc > 0.
 * @retval ECHONET_ERR_PROPMAP_LENGTH (checked first) empty EDT; (checked
 *         after the count) a bitmap of 16 to 128 EPCs shorter than 17 bytes.
 * @retval ECHONET_ERR_PROPMAP_INCONSISTENT (checked second) a count above
 *         128, whatever the length; (checked last) a bitmap whose bits differ
 *         from its count, or a list with an EPC below 0x80 or a repeated EPC.
 */
ECHONET_API echonet_err echonet_propmap_decode(echonet_propmap *map, const uint8_t *edt,
                                               size_t pdc);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_PROPMAP_H */
