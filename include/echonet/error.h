/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file error.h
 * @brief The library's single error type.
 *
 * @defgroup error Errors
 * @brief One error enum for every layer, and its names and messages.
 *
 * Every fallible function returns @ref ECHONET_OK (zero) or one of these
 * negative codes; its documentation lists which. The codes are grouped by
 * layer: general (-1 to -9), frame decode (-10 to -29), frame encode (-30 to
 * -39), property maps (-40 to -49), property descriptors and values (-50 to
 * -59), device node (-60 to -69), controller (-70 to -79), energy log (-80
 * to -89).
 * Values never change once released.
 * @{
 */
#ifndef ECHONET_ERROR_H
#define ECHONET_ERROR_H

#include "echonet/common.h"

ECHONET_BEGIN_DECLS

/** @brief Error codes. Zero is success; every error is negative. */
typedef enum echonet_err {
    /** Success. */
    ECHONET_OK = 0,

    /* General */
    /** A required pointer argument was NULL or an argument is out of its domain. */
    ECHONET_ERR_INVALID_ARG = -1,
    /** The caller's output buffer is too small; a size report tells how much is needed. */
    ECHONET_ERR_NOBUF = -2,

    /* Frame decode */
    /** The buffer ends before the frame does (on a byte stream: wait for more bytes). */
    ECHONET_ERR_TRUNCATED = -10,
    /** EHD1 is not 0x10 (ECHONET Lite). */
    ECHONET_ERR_EHD1 = -11,
    /** EHD2 is neither 0x81 (format 1) nor 0x82 (format 2). */
    ECHONET_ERR_EHD2 = -12,
    /** ESV is not one of the 16 codes ECHONET Lite defines (reserved or unknown). */
    ECHONET_ERR_ESV = -13,
    /** A request carries no property (OPC = 0, or both SetGet blocks empty). */
    ECHONET_ERR_OPC_ZERO = -14,
    /** A UDP datagram holds bytes after the end of the frame its lengths declare. */
    ECHONET_ERR_TRAILING = -15,
    /** A frame longer than @ref ECHONET_FRAME_MAX_LEN (only format 2 can be). */
    ECHONET_ERR_TOO_LONG = -16,

    /* Frame encode */
    /** Writer call out of order (property before header, Get block outside SetGet...). */
    ECHONET_ERR_WRITER_STATE = -30,
    /** More than 255 properties in one block (OPC is one byte). */
    ECHONET_ERR_OPC_OVERFLOW = -31,
    /** A property value longer than 255 bytes (PDC is one byte). */
    ECHONET_ERR_PDC_OVERFLOW = -32,

    /* Property maps */
    /** An EPC below 0x80, which no property map can hold. */
    ECHONET_ERR_EPC = -40,
    /** A property map's EDT is empty, or shorter than its count byte requires. */
    ECHONET_ERR_PROPMAP_LENGTH = -41,
    /** A property map contradicts itself: bitmap count differs from its bits,
     *  an EPC below 0x80 in the list, or a duplicate EPC. */
    ECHONET_ERR_PROPMAP_INCONSISTENT = -42,

    /* Property descriptors and values */
    /** A descriptor table is malformed (EPC below 0x80 or repeated, bad size or rule). */
    ECHONET_ERR_TABLE = -50,
    /** A value has a size its descriptor does not allow. */
    ECHONET_ERR_VALUE_SIZE = -51,
    /** A value is outside its descriptor's allowed values (or a read-only code in a Set). */
    ECHONET_ERR_VALUE = -52,
    /** A property is not writable (not in the Set map). */
    ECHONET_ERR_ACCESS = -53,
    /** A mandatory property is left out. */
    ECHONET_ERR_MANDATORY = -54,

    /* Device node */
    /** Every slot of the caller's storage is taken. */
    ECHONET_ERR_FULL = -60,
    /** No such object or property. */
    ECHONET_ERR_NOT_FOUND = -61,
    /** An object with the same EOJ is already there. */
    ECHONET_ERR_DUPLICATE = -62,

    /* Controller */
    /** A snapshot is truncated, corrupted, of another version or not a snapshot. */
    ECHONET_ERR_SNAPSHOT = -70,

    /* Energy log */
    /** A saved energy log is truncated, corrupted, inconsistent or not an energy log. */
    ECHONET_ERR_ENERGY_FORMAT = -80,
    /** A saved energy log of a version this library does not know. */
    ECHONET_ERR_ENERGY_VERSION = -81,
    /** A measured value outside its property's range (0x85 above 999,999,999,
     *  0x84 above 65533: the overflow and underflow codes). */
    ECHONET_ERR_ENERGY_VALUE = -82,
    /** An energy amount for a time the log already has, or the other kind
     *  of input than the log takes (readings or amounts). */
    ECHONET_ERR_ENERGY_CONFLICT = -83
} echonet_err;

/**
 * @brief The code's identifier, e.g. "ECHONET_ERR_TRUNCATED".
 * @param err any value; unknown values give "ECHONET_ERR_UNKNOWN".
 * @return a static string; "" when the library was built without error
 *         strings (@c ECHONET_ENABLE_ERROR_STRINGS = 0).
 */
ECHONET_API const char *echonet_err_name(int err);

/**
 * @brief A one-line English description of an error code.
 * @param err any value; unknown values give a generic message.
 * @return a static string; "" when the library was built without error strings.
 */
ECHONET_API const char *echonet_strerror(int err);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_ERROR_H */
