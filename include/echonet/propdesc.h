/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file propdesc.h
 * @brief Declarative property descriptors: access, sizes, allowed values.
 *
 * @defgroup propdesc Property descriptors
 * @brief What a class says about each of its properties, in flash.
 *
 * A device class is a `static const` array of @ref echonet_prop_desc, one
 * entry per property. Everything else is derived from it: the property maps
 * 0x9D/0x9E/0x9F, the validation of a Set on the device, and the refusal
 * to send an out-of-range value on the controller side.
 *
 * Values are checked against the descriptor's rule. Read-only codes (0xFD
 * "undefined", 0x7E "unmeasurable" and the like) are valid in a value read
 * from a device but never in a Set.
 * @{
 */
#ifndef ECHONET_PROPDESC_H
#define ECHONET_PROPDESC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/error.h"
#include "echonet/propmap.h"

ECHONET_BEGIN_DECLS

/** @name Access flags (echonet_prop_desc::access)
 *  @{ */
#define ECHONET_ACCESS_GET 0x01u       /**< readable (Get, INF_REQ) */
#define ECHONET_ACCESS_SET 0x02u       /**< writable (SetI, SetC) */
#define ECHONET_ACCESS_ANNO 0x04u      /**< announced on change (in 0x9D) */
#define ECHONET_ACCESS_MANDATORY 0x80u /**< every object of the class has it */
/** @} */

/** @brief How the values of a property are checked. */
typedef enum echonet_value_rule {
    /** Any bytes of an allowed size. */
    ECHONET_RULE_ANY = 0,
    /** One byte, one of the codes in @c values. */
    ECHONET_RULE_ENUM,
    /** Every byte i within @c values[2i] .. @c values[2i+1] (unsigned). */
    ECHONET_RULE_RANGE,
    /** One signed byte within (int8_t)@c values[0] .. (int8_t)@c values[1]. */
    ECHONET_RULE_RANGE_S8,
    /** Decided by the descriptor's @c check function. */
    ECHONET_RULE_FUNC
} echonet_value_rule;

/** @brief Size flag: the EDT may have any size from 1 to @c size. */
#define ECHONET_SIZE_VARIABLE 0xFFu

/** @brief One property of a class. Meant for `static const` tables. */
typedef struct echonet_prop_desc {
    uint8_t epc;      /**< property code, 0x80 to 0xFF */
    uint8_t access;   /**< ECHONET_ACCESS_* flags */
    uint8_t size;     /**< EDT size in bytes (the largest when @c size_alt is ECHONET_SIZE_VARIABLE) */
    uint8_t size_alt; /**< a second allowed size (smaller or larger), 0 if none, or ECHONET_SIZE_VARIABLE */
    uint8_t rule;     /**< an @ref echonet_value_rule */
    uint8_t n_values; /**< entries at @c values */
    uint8_t n_readonly; /**< entries at @c readonly */
    const uint8_t *values;   /**< the enumerated codes, or the ranges */
    const uint8_t *readonly; /**< one-byte codes valid only when read (0xFD, 0x7E...) */
    /** With @ref ECHONET_RULE_FUNC, whether @p pdc bytes at @p edt are a valid value. */
    bool (*check)(const uint8_t *edt, size_t pdc);
} echonet_prop_desc;

/**
 * @brief Finds a property's descriptor in a table.
 * @param table the table; may be NULL when @p n is 0.
 * @param n entries in @p table.
 * @param epc the property code.
 * @return the first entry with @p epc, or NULL.
 */
ECHONET_API const echonet_prop_desc *echonet_prop_desc_find(const echonet_prop_desc *table, size_t n,
                                                            uint8_t epc);

/**
 * @brief Checks a value against a descriptor.
 * @param desc the property's descriptor.
 * @param edt the value; may be NULL when @p pdc is 0.
 * @param pdc bytes at @p edt.
 * @param for_set true for a value about to be written: read-only codes are
 *        refused. false for a value read from a device or set locally by it.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p desc is NULL, or @p edt NULL with @p pdc > 0.
 * @retval ECHONET_ERR_VALUE_SIZE @p pdc is not an allowed size.
 * @retval ECHONET_ERR_VALUE @p edt is outside the allowed values.
 */
ECHONET_API echonet_err echonet_prop_desc_check(const echonet_prop_desc *desc, const uint8_t *edt,
                                                size_t pdc, bool for_set);

/**
 * @brief Checks that a table is well-formed: EPCs 0x80-0xFF, each once,
 *        sizes 1-255, rules with the values they need.
 * @param table the table.
 * @param n entries in @p table (at most 128).
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p table NULL with @p n > 0, or @p n > 128.
 * @retval ECHONET_ERR_TABLE an entry breaks one of the rules above.
 */
ECHONET_API echonet_err echonet_prop_desc_validate(const echonet_prop_desc *table, size_t n);

/**
 * @brief Collects the EPCs of a table whose access includes all of @p access.
 * @param map receives the set.
 * @param table the table; may be NULL when @p n is 0.
 * @param n entries in @p table.
 * @param access ECHONET_ACCESS_* flags that must all be present.
 * @param omit if not NULL, EPCs left out (properties this device lacks).
 */
ECHONET_API void echonet_prop_desc_map(echonet_propmap *map, const echonet_prop_desc *table, size_t n,
                                       uint8_t access, const echonet_propmap *omit);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_PROPDESC_H */
