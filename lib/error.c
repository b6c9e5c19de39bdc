/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/config.h"
#include "echonet/error.h"

#include <stddef.h>

#if ECHONET_ENABLE_ERROR_STRINGS

/* One row per code: the table is the single place names and texts live. */
static const struct {
    int code;
    const char *name;
    const char *text;
} echonet_errors[] = {
    {ECHONET_OK, "ECHONET_OK", "success"},
    {ECHONET_ERR_INVALID_ARG, "ECHONET_ERR_INVALID_ARG", "invalid argument"},
    {ECHONET_ERR_NOBUF, "ECHONET_ERR_NOBUF", "output buffer too small"},
    {ECHONET_ERR_TRUNCATED, "ECHONET_ERR_TRUNCATED", "frame truncated: the buffer ends inside the frame"},
    {ECHONET_ERR_EHD1, "ECHONET_ERR_EHD1", "EHD1 is not 0x10 (not ECHONET Lite)"},
    {ECHONET_ERR_EHD2, "ECHONET_ERR_EHD2", "EHD2 is neither 0x81 (format 1) nor 0x82 (format 2)"},
    {ECHONET_ERR_ESV, "ECHONET_ERR_ESV", "reserved or unknown ESV"},
    {ECHONET_ERR_OPC_ZERO, "ECHONET_ERR_OPC_ZERO", "request without any property"},
    {ECHONET_ERR_TRAILING, "ECHONET_ERR_TRAILING", "bytes after the end of the frame in the datagram"},
    {ECHONET_ERR_TOO_LONG, "ECHONET_ERR_TOO_LONG", "frame longer than 65547 bytes"},
    {ECHONET_ERR_WRITER_STATE, "ECHONET_ERR_WRITER_STATE", "frame writer used out of order"},
    {ECHONET_ERR_OPC_OVERFLOW, "ECHONET_ERR_OPC_OVERFLOW", "more than 255 properties in one block"},
    {ECHONET_ERR_PDC_OVERFLOW, "ECHONET_ERR_PDC_OVERFLOW", "property value longer than 255 bytes"},
    {ECHONET_ERR_EPC, "ECHONET_ERR_EPC", "EPC below 0x80"},
    {ECHONET_ERR_PROPMAP_LENGTH, "ECHONET_ERR_PROPMAP_LENGTH", "property map shorter than its count requires"},
    {ECHONET_ERR_PROPMAP_INCONSISTENT, "ECHONET_ERR_PROPMAP_INCONSISTENT",
     "property map contradicts itself (count, EPC below 0x80 or duplicate)"},
    {ECHONET_ERR_TABLE, "ECHONET_ERR_TABLE", "malformed property descriptor table"},
    {ECHONET_ERR_VALUE_SIZE, "ECHONET_ERR_VALUE_SIZE", "value size not allowed for the property"},
    {ECHONET_ERR_VALUE, "ECHONET_ERR_VALUE", "value outside the property's allowed values"},
    {ECHONET_ERR_ACCESS, "ECHONET_ERR_ACCESS", "property not writable"},
    {ECHONET_ERR_MANDATORY, "ECHONET_ERR_MANDATORY", "mandatory property left out"},
    {ECHONET_ERR_FULL, "ECHONET_ERR_FULL", "no free slot in the caller's storage"},
    {ECHONET_ERR_NOT_FOUND, "ECHONET_ERR_NOT_FOUND", "no such object or property"},
    {ECHONET_ERR_DUPLICATE, "ECHONET_ERR_DUPLICATE", "an object with this EOJ exists already"},
    {ECHONET_ERR_SNAPSHOT, "ECHONET_ERR_SNAPSHOT", "snapshot truncated, corrupted or of another version"},
    {ECHONET_ERR_ENERGY_FORMAT, "ECHONET_ERR_ENERGY_FORMAT", "energy log truncated, corrupted or not an energy log"},
    {ECHONET_ERR_ENERGY_VERSION, "ECHONET_ERR_ENERGY_VERSION", "energy log of an unknown version"},
    {ECHONET_ERR_ENERGY_VALUE, "ECHONET_ERR_ENERGY_VALUE", "measured value outside its property's range"},
    {ECHONET_ERR_ENERGY_CONFLICT, "ECHONET_ERR_ENERGY_CONFLICT", "energy for a time already counted, or the wrong input for this log"},
};

static size_t echonet_err_index(int err)
{
    size_t i;

    for (i = 0; i < sizeof echonet_errors / sizeof echonet_errors[0]; i++)
        if (echonet_errors[i].code == err)
            return i;
    return (size_t)-1;
}

const char *echonet_err_name(int err)
{
    size_t i = echonet_err_index(err);

    return i == (size_t)-1 ? "ECHONET_ERR_UNKNOWN" : echonet_errors[i].name;
}

const char *echonet_strerror(int err)
{
    size_t i = echonet_err_index(err);

    return i == (size_t)-1 ? "unknown error" : echonet_errors[i].text;
}

#else /* !ECHONET_ENABLE_ERROR_STRINGS */

const char *echonet_err_name(int err)
{
    (void)err;
    return "";
}

const char *echonet_strerror(int err)
{
    (void)err;
    return "";
}

#endif
