/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file aircon.h
 * @brief The home air conditioner class 0x0130: codes, property table,
 *        value helpers and a ready-made device model.
 *
 * @defgroup aircon Home air conditioner (0x0130)
 * @brief Appendix Release H+ and the AIF air-conditioner/HEMS spec Ver. 1.10.
 *
 * The class's facts are the generated MRA tables (echonet_class_0130
 * chained to echonet_class_superclass, classes.h) with a small overlay of
 * the AIF rules searched first (echonet_aircon_overlay(), doc/decisions.md);
 * echonet_aircon_desc() looks a property up in that order. Both sides use
 * them: a device derives its property maps and validates Sets from them
 * (echonet_aircon_object_init()); a controller refuses to send an
 * out-of-range value with them.
 *
 * @ref echonet_aircon is an optional device model that stores every value
 * of the table and implements the remote-control setting 0x93 (reference
 * 7.4, AIF 3.5 and 5.7): a write of 0x61 or 0x62 is acknowledged as a
 * line-health signal without being stored; once the unit has been operated
 * through the public network (0x93 = 0x42), 20 hours without such a signal
 * switch it off, which is announced. Remote operation ends when the unit is
 * operated otherwise (AIF 3.5 (6)): a local write of 0x80, 0x8F, 0xA0, 0xB0
 * or 0xB3, a network write of 0x93 = 0x41, or a network write of one of
 * those five without 0x93 = 0x42 at the head of its request (AIF 4.1).
 * The model sees no request boundary, only each write's time: the writes of
 * one request are made at one instant, so a network write made at the
 * instant of a 0x93 = 0x42 write counts as prefixed by it.
 * @{
 */
#ifndef ECHONET_AIRCON_H
#define ECHONET_AIRCON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/common.h"
#include "echonet/config.h"
#include "echonet/error.h"
#include "echonet/node.h"
#include "echonet/propdesc.h"
#include "echonet/propmap.h"
#include "echonet/tstamp.h"

ECHONET_BEGIN_DECLS

/** @name Property codes (EPC)
 *  @{ */
#define ECHONET_EPC_OPERATION_STATUS 0x80u   /**< 0x30 ON, 0x31 OFF */
#define ECHONET_EPC_INSTALLATION 0x81u       /**< installation location */
#define ECHONET_EPC_VERSION 0x82u            /**< standard version information */
#define ECHONET_EPC_IDENTIFICATION 0x83u     /**< identification number */
#define ECHONET_EPC_INSTANT_POWER 0x84u      /**< measured instantaneous power, W */
#define ECHONET_EPC_CUMULATIVE_ENERGY 0x85u  /**< measured cumulative energy, 0.001 kWh */
#define ECHONET_EPC_MAKER_FAULT_CODE 0x86u   /**< manufacturer's fault code */
#define ECHONET_EPC_FAULT_STATUS 0x88u       /**< 0x41 fault, 0x42 no fault */
#define ECHONET_EPC_FAULT_DESCRIPTION 0x89u  /**< fault description, 16 bits */
#define ECHONET_EPC_MANUFACTURER 0x8Au       /**< manufacturer code */
#define ECHONET_EPC_POWER_SAVING 0x8Fu       /**< 0x41 power-saving, 0x42 normal */
#define ECHONET_EPC_REMOTE_CONTROL 0x93u     /**< remote control setting */
#define ECHONET_EPC_ANNO_MAP 0x9Du           /**< status change announcement property map */
#define ECHONET_EPC_SET_MAP 0x9Eu            /**< Set property map */
#define ECHONET_EPC_GET_MAP 0x9Fu            /**< Get property map */
#define ECHONET_EPC_AIR_FLOW 0xA0u           /**< air flow rate setting */
#define ECHONET_EPC_MODE 0xB0u               /**< operation mode setting */
#define ECHONET_EPC_SET_TEMPERATURE 0xB3u    /**< set temperature, °C */
#define ECHONET_EPC_ROOM_HUMIDITY 0xBAu      /**< measured room relative humidity, % */
#define ECHONET_EPC_ROOM_TEMPERATURE 0xBBu   /**< measured room temperature, signed °C */
#define ECHONET_EPC_OUTDOOR_TEMPERATURE 0xBEu /**< measured outdoor temperature, signed °C */
/** @} */

/** @name Values
 *  @{ */
#define ECHONET_ON 0x30u                 /**< 0x80: ON */
#define ECHONET_OFF 0x31u                /**< 0x80: OFF */
#define ECHONET_FAULT 0x41u              /**< 0x88: a fault occurred */
#define ECHONET_NO_FAULT 0x42u           /**< 0x88: no fault */
#define ECHONET_POWER_SAVING_ON 0x41u    /**< 0x8F: power-saving operation */
#define ECHONET_POWER_SAVING_OFF 0x42u   /**< 0x8F: normal operation */
#define ECHONET_REMOTE_LOCAL 0x41u       /**< 0x93: operation not through a public network */
#define ECHONET_REMOTE_PUBLIC 0x42u      /**< 0x93: operation through a public network */
#define ECHONET_REMOTE_LINE_OK_LOCAL 0x61u  /**< 0x93: line normal, public-network operation not possible */
#define ECHONET_REMOTE_LINE_OK_PUBLIC 0x62u /**< 0x93: line normal, public-network operation possible (keepalive) */
#define ECHONET_FLOW_AUTO 0x41u          /**< 0xA0: automatic air flow */
#define ECHONET_TEMP_UNDEFINED 0xFDu     /**< 0xB3 and relatives: undefined (read only) */
#define ECHONET_TEMP_UNMEASURABLE 0x7Eu  /**< 0xBB and relatives: unmeasurable (read only) */
#define ECHONET_TEMP_MAX 50              /**< highest settable temperature, °C */
/** @} */

/** @brief Operation modes (0xB0). */
typedef enum echonet_aircon_mode {
    ECHONET_MODE_OTHER = 0x40,  /**< other (read only, e.g. internal cleaning) */
    ECHONET_MODE_AUTO = 0x41,   /**< automatic */
    ECHONET_MODE_COOL = 0x42,   /**< cooling */
    ECHONET_MODE_HEAT = 0x43,   /**< heating */
    ECHONET_MODE_DRY = 0x44,    /**< dehumidification */
    ECHONET_MODE_FAN = 0x45     /**< air circulation */
} echonet_aircon_mode;

/** @brief Hours without a line-health write before a remotely operated unit stops (AIF 3.5 ⑧). */
#define ECHONET_AIRCON_LINE_TIMEOUT ECHONET_HOURS(20)

/**
 * @brief The AIF overlay of class 0x0130: the entries searched before the
 *        generated class and superclass tables (echonet_class_0130,
 *        echonet_class_superclass of classes.h), where the AIF profile of
 *        this library says more than the MRA (doc/decisions.md).
 * @param n receives the number of entries; may be NULL.
 * @return the overlay (static, in flash).
 */
ECHONET_API const echonet_prop_desc *echonet_aircon_overlay(size_t *n);

/**
 * @brief The descriptor of a property of an AIF air conditioner: the
 *        overlay's entry, else the class table's, else the superclass's.
 * @param epc the property.
 * @return the descriptor (in flash), or NULL: not a property of the class,
 *         or an optional one while @ref ECHONET_AIRCON_OPTIONAL is 0.
 */
ECHONET_API const echonet_prop_desc *echonet_aircon_desc(uint8_t epc);

/**
 * @brief Prepares an object of class 0x0130 with the AIF rules:
 *        echonet_object_init_class() with echonet_class_0130 and
 *        echonet_aircon_overlay(), nothing copied.
 *
 * While @ref ECHONET_AIRCON_OPTIONAL is 0, every optional property is left
 * out as well (the model has none).
 * @param obj the object.
 * @param eoj its EOJ: an instance 0x01-0x7F of class 0x0130.
 * @param omit if not NULL, optional properties this device does not have
 *        (echonet_aircon_omit(); copied).
 * @param ops the accessors (kept by pointer), e.g. &echonet_aircon_ops.
 * @param ctx passed to every accessor, e.g. an @ref echonet_aircon.
 * @return @ref ECHONET_OK or an error code of echonet_object_init_class():
 * @retval ECHONET_ERR_INVALID_ARG a NULL argument, no @c get accessor, or
 *         an EOJ with instance 0x00 or of another class.
 * @retval ECHONET_ERR_TABLE a table is malformed (a defect of the build:
 *         the tables are the library's own, which its tests validate, so
 *         they are not validated again here).
 * @retval ECHONET_ERR_MANDATORY @p omit names a mandatory property.
 */
ECHONET_API echonet_err echonet_aircon_object_init(echonet_object *obj, echonet_eoj eoj, const echonet_propmap *omit,
                                                   const echonet_object_ops *ops, void *ctx);

/**
 * @brief The optional properties of class 0x0130 and its superclass a
 *        device leaves out, given those it keeps: for
 *        echonet_aircon_object_init().
 * @param omit receives every optional property not in @p keep (every one
 *        while @ref ECHONET_AIRCON_OPTIONAL is 0).
 * @param keep optional EPCs the device has; may be NULL when @p n_keep is 0.
 * @param n_keep entries in @p keep.
 */
ECHONET_API void echonet_aircon_omit(echonet_propmap *omit, const uint8_t *keep, size_t n_keep);

/**
 * @brief The EDT of a set temperature.
 * @param celsius 0 to 50.
 * @param edt receives the byte.
 * @return false (and nothing written) outside 0 to 50.
 */
ECHONET_API bool echonet_aircon_temp_edt(int celsius, uint8_t *edt);

/**
 * @brief Reads a set temperature (0xB3, 0xB5-0xB7).
 * @param edt the byte.
 * @param celsius receives 0 to 50.
 * @return false for 0xFD (undefined) and values out of range.
 */
ECHONET_API bool echonet_aircon_set_temp(uint8_t edt, int *celsius);

/**
 * @brief Reads a measured temperature (0xBB, 0xBD, 0xBE): signed °C.
 * @param edt the byte.
 * @param celsius receives -127 to 125.
 * @return false for 0x7E (unmeasurable), 0x7F (overflow) and 0x80
 *         (underflow): no valid reading (reference 8.1).
 */
ECHONET_API bool echonet_aircon_measured_temp(uint8_t edt, int *celsius);

/**
 * @brief The EDT of a measured temperature (0xBB, 0xBD, 0xBE): signed °C.
 * @param celsius -127 to 125.
 * @param edt receives the byte.
 * @return false (and nothing written) outside -127 to 125.
 */
ECHONET_API bool echonet_aircon_measured_edt(int celsius, uint8_t *edt);

/**
 * @brief The EDT of an air-flow level.
 * @param level 0 for automatic, 1 to 8.
 * @return 0x41 for 0, 0x31-0x38 for 1-8; 0 for anything else.
 */
ECHONET_API uint8_t echonet_aircon_flow_edt(int level);

/**
 * @brief Reads an air-flow setting (0xA0).
 * @param edt the byte.
 * @param level receives 0 for automatic, 1 to 8.
 * @return false for any other code.
 */
ECHONET_API bool echonet_aircon_flow_level(uint8_t edt, int *level);

#if ECHONET_AIRCON_OPTIONAL
/** @brief Bytes a device model needs to store every value of the table. */
#define ECHONET_AIRCON_STORE_SIZE 519u
#else
/** @brief Bytes a device model needs to store every value of the table
 *  (the mandatory properties only: @ref ECHONET_AIRCON_OPTIONAL is 0). */
#define ECHONET_AIRCON_STORE_SIZE 95u
#endif

/**
 * @brief A device model of one air conditioner: every value of the table,
 *        and the 0x93 line-health rule. Fields are private.
 *
 * Use with echonet_aircon_object_init(obj, eoj, omit, &echonet_aircon_ops,
 * &model).
 */
typedef struct echonet_aircon {
    uint8_t store[ECHONET_AIRCON_STORE_SIZE]; /**< @private length byte + value per table entry */
    bool remote_armed;                         /**< @private operated through the public network */
    echonet_tstamp line_deadline;              /**< @private when the unit stops without a line-health write */
    echonet_tstamp prefix_at;                  /**< @private when 0x93 = 0x42 was last written from the network */
} echonet_aircon;

/** @brief Accessors of @ref echonet_aircon, for echonet_aircon_object_init().
 *  Their @c set stores a value the node has checked against the object's
 *  tables (echonet_object_ops::set), as long as it fits the property's
 *  slot; use echonet_aircon_store() to store a value with the checks. */
ECHONET_API extern const echonet_object_ops echonet_aircon_ops;

/**
 * @brief Prepares a model with the values of a unit fresh from the factory:
 *        OFF, automatic mode and air flow, 20 °C set, 20 °C in the room, no
 *        fault, normal (not power-saving) operation, 0x93 = 0x41, version
 *        Release H (00 00 48 00), location not set (0x00).
 * @param ac the model.
 * @param manufacturer the 3-byte manufacturer code (0x8A, and in 0x83).
 *
 * The model's store has a slot for every property of the class tables,
 * with room for its largest value: the aircon tests check that, so it is
 * not checked again at every start.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_aircon_init(echonet_aircon *ac, const uint8_t manufacturer[3]);

/**
 * @brief Reads a stored value (the same as the @c get accessor).
 * @param ac the model.
 * @param epc the property.
 * @param edt receives the value.
 * @param cap bytes at @p edt.
 * @return the value's length, or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_NOT_FOUND not a property of the table.
 * @retval ECHONET_ERR_NOBUF @p cap is too small.
 */
ECHONET_API int echonet_aircon_value(const echonet_aircon *ac, uint8_t epc, uint8_t *edt, size_t cap);

/**
 * @brief Stores a value directly, without announcing it: for setting up a
 *        model before its node runs (identification, fault codes...). Use
 *        echonet_node_set_local() once the node runs.
 * @param ac the model.
 * @param epc the property.
 * @param edt the value.
 * @param pdc bytes at @p edt.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_NOT_FOUND not a property of the table.
 * @retval ECHONET_ERR_VALUE_SIZE, ECHONET_ERR_VALUE not a valid value (read-only codes are allowed).
 */
ECHONET_API echonet_err echonet_aircon_store(echonet_aircon *ac, uint8_t epc, const uint8_t *edt, size_t pdc);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_AIRCON_H */
