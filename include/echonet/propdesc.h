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
 * from a device but never in a Set: one-byte codes listed after the rule's
 * own bytes at @c values, or (rules @ref ECHONET_RULE_FUNC and
 * @ref ECHONET_RULE_LAYOUT) a verdict of @ref ECHONET_VALUE_READ_ONLY.
 *
 * A descriptor is 12 bytes on a 32-bit target: seven bytes and one
 * pointer (doc/decisions.md, "Descriptors of 12 bytes").
 *
 * Validation is complete: every byte of a value is checked by its rule;
 * only @ref ECHONET_RULE_ANY (and a raw field of a layout,
 * @ref ECHONET_LAYOUT_RAW) leaves bytes free, and only when the table says
 * the property (or field) is raw.
 *
 * The tables of every device class of the ECHONET Machine Readable
 * Appendix (MRA) are generated from it (`tools/mra-gen.py`, `classes.h`);
 * an @ref echonet_class is one of them, chained to the superclass table.
 *
 * @section layout Layout programs (ECHONET_RULE_LAYOUT)
 * A value with more structure than one byte is described by a small
 * program of bytes in flash, named by an @ref echonet_layout that the
 * descriptor's @c values points to (ECHONET_LAYOUT_VALUES()). A program is
 * one node; every node
 * is `op, len_hi, len_lo` followed by @c len bytes of operands. A node is
 * given exactly the bytes it must describe (n) and accepts them or not:
 * - @ref ECHONET_LAYOUT_SCALAR `flags, n_ranges, n_codes, n_readonly`,
 *   then n_ranges pairs (low, high), n_codes codes, n_readonly codes, each
 *   a big-endian number of w bytes: a number of w = flags & 7 (1, 2 or 4)
 *   bytes, signed when flags has @ref ECHONET_LAYOUT_SIGNED. n must be w;
 *   the value is valid within any range (signed or unsigned comparison) or
 *   equal to any code (state codes such as 0xFFFFFFFE "no data", 0xFD
 *   "undefined", 0x7E "unmeasurable", 0x7F/0x80 overflow/underflow); a
 *   read-only code is valid when read and refused in a Set. An enumeration
 *   has only codes; "a number or one of these state codes" has both.
 * - @ref ECHONET_LAYOUT_CODES `size, n_codes, n_readonly`, then the codes
 *   of size bytes each: an enumeration of codes of any size (the 7-byte
 *   "no schedule" state of a date-time); n must be size, read-only codes
 *   as above.
 * - @ref ECHONET_LAYOUT_RAW `min, max`: any n bytes, min <= n <= max.
 * - @ref ECHONET_LAYOUT_SEQ `count`, then count times `size, node`: fixed
 *   fields one after the other (an object of the MRA: a date, a time, a
 *   day number and an array...). size is the field's byte count; 0 means
 *   "the rest of the value" and is allowed for the last field only. The
 *   fields must use exactly n bytes.
 * - @ref ECHONET_LAYOUT_ARRAY `item_size, min_items, max_items, node`:
 *   n / item_size items (n a multiple of item_size), each checked by node,
 *   their number within min_items .. max_items.
 * - @ref ECHONET_LAYOUT_ALT `count`, then count nodes: valid when any
 *   alternative accepts the n bytes (the first that accepts without a
 *   read-only code decides).
 * - @ref ECHONET_LAYOUT_BITS `size, count`, then count times
 *   `index, mask, node`: a bitmap of size bytes (n must be size); each
 *   field is the bits @c mask of byte @c index (0 is the first byte of the
 *   EDT), shifted down, checked by its node (a one-byte SCALAR). Bits that
 *   no field covers must be 0.
 *
 * Programs nest at most @ref ECHONET_LAYOUT_DEPTH composite nodes (SEQ,
 * ARRAY, ALT) deep (the MRA needs 3); echonet_prop_desc_validate() refuses
 * any other shape, a length that does not match the operands, a width
 * other than 1, 2 or 4 and an item size of 0. A value longer than 255
 * bytes is refused.
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
    /** One byte, one of the @c n_values codes at @c values. */
    ECHONET_RULE_ENUM,
    /** Every byte i within @c values[2i] .. @c values[2i+1] (unsigned).
     *  @c n_values must be twice the largest size: no byte is left free
     *  (echonet_prop_desc_validate() refuses fewer pairs, and a value with
     *  a byte beyond the pairs is refused). */
    ECHONET_RULE_RANGE,
    /** One signed byte within (int8_t)@c values[0] .. (int8_t)@c values[1]. */
    ECHONET_RULE_RANGE_S8,
    /** Decided by a function: @c values points to an
     *  @ref echonet_value_func (ECHONET_FUNC_VALUES()); @c n_values and
     *  @c n_readonly are 0 (the function's verdict says what is read
     *  only). */
    ECHONET_RULE_FUNC,
    /** A layout program (see @ref layout): @c values points to an
     *  @ref echonet_layout (ECHONET_LAYOUT_VALUES()); @c n_values and
     *  @c n_readonly are 0. Multi-byte numbers with state codes,
     *  enumerations of multi-byte codes, bitmaps, objects and arrays. */
    ECHONET_RULE_LAYOUT,
    /** Big-endian numbers one after the other, each within its range,
     *  together exactly @c size bytes (@c size_alt 0). @c values holds, for
     *  each number, its width w (1 to 4, | @ref ECHONET_NUMBER_SIGNED for a
     *  two's complement number), then its lowest and its highest value, w
     *  bytes each, big-endian; @c n_values counts all those bytes. A 16- or
     *  32-bit number with a range, a date (year 1-9999, month, day). */
    ECHONET_RULE_NUMBERS
} echonet_value_rule;

/** @brief ECHONET_RULE_NUMBERS width flag: a two's complement number. */
#define ECHONET_NUMBER_SIGNED 0x80u

/** @name Verdicts of a check function or a layout walker
 *  @{ */
#define ECHONET_VALUE_REFUSED 0   /**< not a valid value */
#define ECHONET_VALUE_VALID 1     /**< valid when read and in a Set */
#define ECHONET_VALUE_READ_ONLY 2 /**< valid when read, refused in a Set (a state code) */
/** @} */

/** @brief An @ref ECHONET_RULE_FUNC rule: the function that judges values. */
typedef struct echonet_value_func {
    /** The verdict on @p pdc bytes at @p edt (of an allowed size):
     *  @ref ECHONET_VALUE_REFUSED, @ref ECHONET_VALUE_VALID or
     *  @ref ECHONET_VALUE_READ_ONLY. */
    int (*check)(const uint8_t *edt, size_t pdc);
} echonet_value_func;

/** @brief The @c values of an @ref ECHONET_RULE_FUNC descriptor: the
 *  address of an @ref echonet_value_func object @p f. */
#define ECHONET_FUNC_VALUES(f) ((const uint8_t *)(const void *)&(f))

/** @name Layout program opcodes and flags (see @ref layout)
 *  @{ */
#define ECHONET_LAYOUT_SCALAR 1u /**< a number of 1, 2 or 4 bytes: ranges and codes */
#define ECHONET_LAYOUT_RAW 2u    /**< raw bytes, min .. max of them */
#define ECHONET_LAYOUT_SEQ 3u    /**< fields one after the other */
#define ECHONET_LAYOUT_ARRAY 4u  /**< items of one size and rule */
#define ECHONET_LAYOUT_ALT 5u    /**< any of several layouts */
#define ECHONET_LAYOUT_BITS 6u   /**< a bitmap of fields */
#define ECHONET_LAYOUT_CODES 7u  /**< codes of any size, compared as bytes */
#define ECHONET_LAYOUT_SIGNED 0x80u /**< SCALAR flag: a two's complement number */
#define ECHONET_LAYOUT_DEPTH 3u  /**< SEQ, ARRAY and ALT nodes a program may nest */
/** @} */

/** @brief The functions that run layout programs (see @ref layout). */
typedef struct echonet_layout_ops {
    /** The verdict on @p pdc bytes at @p edt: @ref ECHONET_VALUE_REFUSED,
     *  @ref ECHONET_VALUE_VALID or @ref ECHONET_VALUE_READ_ONLY. */
    int (*walk)(const uint8_t *prog, const uint8_t *edt, size_t pdc);
    /** Whether the program is well-formed (echonet_prop_desc_validate()). */
    bool (*shape)(const uint8_t *prog);
} echonet_layout_ops;

/** @brief A layout rule: the program and the functions that run it. The
 *  walker comes with the tables that use it, so an image whose tables
 *  have no layout program does not link it. */
typedef struct echonet_layout {
    const echonet_layout_ops *ops; /**< &echonet_layout_program */
    const uint8_t *prog;           /**< the program (see @ref layout) */
} echonet_layout;

/** @brief The library's layout walker, for @ref echonet_layout::ops. */
ECHONET_API extern const echonet_layout_ops echonet_layout_program;

/** @brief The @c values of an @ref ECHONET_RULE_LAYOUT descriptor: the
 *  address of an @ref echonet_layout object @p l. */
#define ECHONET_LAYOUT_VALUES(l) ((const uint8_t *)(const void *)&(l))

/** @brief Size flag: the EDT may have any size from 1 to @c size. */
#define ECHONET_SIZE_VARIABLE 0xFFu

/** @brief One property of a class. Meant for `static const` tables. */
typedef struct echonet_prop_desc {
    uint8_t epc;      /**< property code, 0x80 to 0xFF */
    uint8_t access;   /**< ECHONET_ACCESS_* flags */
    uint8_t size;     /**< EDT size in bytes (the largest when @c size_alt is ECHONET_SIZE_VARIABLE) */
    uint8_t size_alt; /**< a second allowed size (smaller or larger), 0 if none, or ECHONET_SIZE_VARIABLE */
    uint8_t rule;     /**< an @ref echonet_value_rule */
    uint8_t n_values; /**< bytes at @c values that the rule reads */
    uint8_t n_readonly; /**< one-byte codes valid only when read (0xFD, 0x7E...), at @c values + @c n_values */
    /** The rule's bytes (codes, ranges) followed by the read-only codes;
     *  for ECHONET_RULE_FUNC and ECHONET_RULE_LAYOUT the address of the
     *  rule's object; NULL when both counts are 0. */
    const uint8_t *values;
} echonet_prop_desc;

/**
 * @brief A device class: its descriptor table and the superclass table it
 *        is chained to. Meant for `static const` objects (the generated
 *        ones are declared in classes.h).
 */
typedef struct echonet_class {
    uint16_t code;                  /**< class group and class code (0x0288); 0x0000 for the superclass */
    uint8_t n_props;                /**< entries at @c props */
    char release;                   /**< the MRA release the table follows ('M') */
    const echonet_prop_desc *props; /**< the class's own properties, rising EPC */
    const struct echonet_class *super; /**< the superclass, NULL for the superclass itself */
} echonet_class;

/**
 * @brief Checks that a table has every property a class and its
 *        superclass mark mandatory (@ref ECHONET_ACCESS_MANDATORY, where the MRA
 *        says "required" for its Get, Set or announcement), and marks
 *        each of them mandatory too.
 * @param cls the class.
 * @param table the table; may be NULL when @p n is 0.
 * @param n entries in @p table.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p cls is NULL, or @p table NULL with @p n > 0.
 * @retval ECHONET_ERR_MANDATORY a mandatory property is missing from
 *         @p table, or is there without @ref ECHONET_ACCESS_MANDATORY.
 */
ECHONET_API echonet_err echonet_class_check_table(const echonet_class *cls, const echonet_prop_desc *table,
                                                  size_t n);

/**
 * @brief The optional properties of a class (and its superclass) that a
 *        device leaves out, given those it keeps: for
 *        echonet_object_init_class().
 * @param omit receives every optional property not in @p keep.
 * @param cls the class.
 * @param keep optional EPCs the device has; may be NULL when @p n_keep is 0.
 * @param n_keep entries in @p keep.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p omit or @p cls NULL, or @p keep NULL with @p n_keep > 0.
 */
ECHONET_API echonet_err echonet_class_omit(echonet_propmap *omit, const echonet_class *cls, const uint8_t *keep,
                                           size_t n_keep);

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
 * @brief Finds a property's descriptor in a class: in its own table, then
 *        in its superclass's (the chain of echonet_object_init_class()
 *        without an overlay).
 * @param cls the class; may be NULL.
 * @param epc the property code.
 * @return the descriptor, or NULL (no such property, or @p cls NULL).
 */
ECHONET_API const echonet_prop_desc *echonet_class_desc(const echonet_class *cls, uint8_t epc);

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
 *        sizes 1-255, rules with the values they need (a RANGE with one
 *        pair per byte of its largest size, NUMBERS of widths 1-4 that fill
 *        the fixed size, a FUNC with its function, a LAYOUT program of a
 *        valid shape, see @ref layout; read-only codes only after the
 *        bytes of ANY, ENUM, RANGE, RANGE_S8 and NUMBERS).
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
