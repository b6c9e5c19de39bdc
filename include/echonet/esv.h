/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file esv.h
 * @brief ECHONET Lite service codes (ESV): names, kinds and pairings.
 *
 * @defgroup esv Services (ESV)
 * @brief The 16 service codes, what kind each is, and which answers which.
 *
 * Every other value of the ESV byte is reserved; a frame carrying one is
 * rejected by the decoder (reference 3.1: "do not use, drop on receipt").
 * @{
 */
#ifndef ECHONET_ESV_H
#define ECHONET_ESV_H

#include <stdbool.h>
#include <stdint.h>

#include "echonet/common.h"

ECHONET_BEGIN_DECLS

/** @name Requests
 *  @{ */
#define ECHONET_ESV_SETI 0x60u       /**< SetI: write, no response required */
#define ECHONET_ESV_SETC 0x61u       /**< SetC: write, response required */
#define ECHONET_ESV_GET 0x62u        /**< Get: read */
#define ECHONET_ESV_INF_REQ 0x63u    /**< INF_REQ: notification request */
#define ECHONET_ESV_SETGET 0x6Eu     /**< SetGet: write then read */
/** @} */
/** @name Responses and notifications
 *  @{ */
#define ECHONET_ESV_SET_RES 0x71u    /**< Set_Res: answer to SetC */
#define ECHONET_ESV_GET_RES 0x72u    /**< Get_Res: answer to Get */
#define ECHONET_ESV_INF 0x73u        /**< INF: notification (or answer to INF_REQ) */
#define ECHONET_ESV_INFC 0x74u       /**< INFC: notification, response required */
#define ECHONET_ESV_INFC_RES 0x7Au   /**< INFC_Res: answer to INFC */
#define ECHONET_ESV_SETGET_RES 0x7Eu /**< SetGet_Res: answer to SetGet */
/** @} */
/** @name "Service not available" responses
 *  @{ */
#define ECHONET_ESV_SETI_SNA 0x50u   /**< SetI_SNA */
#define ECHONET_ESV_SETC_SNA 0x51u   /**< SetC_SNA */
#define ECHONET_ESV_GET_SNA 0x52u    /**< Get_SNA */
#define ECHONET_ESV_INF_SNA 0x53u    /**< INF_SNA */
#define ECHONET_ESV_SETGET_SNA 0x5Eu /**< SetGet_SNA */
/** @} */

/** @brief What part an ESV plays in an exchange. */
typedef enum echonet_esv_kind {
    /** Reserved or unknown code. */
    ECHONET_ESV_KIND_INVALID = 0,
    /** A request a node must process: SetI, SetC, Get, INF_REQ, SetGet. */
    ECHONET_ESV_KIND_REQUEST,
    /** A successful answer: Set_Res, Get_Res, INFC_Res, SetGet_Res. */
    ECHONET_ESV_KIND_RESPONSE,
    /** A "service not available" answer: 0x50-0x53, 0x5E. */
    ECHONET_ESV_KIND_SNA,
    /** A notification: INF (spontaneous or answering INF_REQ). */
    ECHONET_ESV_KIND_NOTIFICATION,
    /** INFC: a notification that asks for an INFC_Res. */
    ECHONET_ESV_KIND_NOTIFICATION_REQ
} echonet_esv_kind;

/**
 * @brief What part a service code plays.
 * @param esv any byte.
 * @return its kind; @ref ECHONET_ESV_KIND_INVALID for reserved codes.
 */
ECHONET_API echonet_esv_kind echonet_esv_classify(uint8_t esv);

/**
 * @brief Whether a byte is one of the 16 service codes ECHONET Lite defines.
 * @param esv any byte.
 * @return false for reserved codes.
 */
ECHONET_API bool echonet_esv_is_valid(uint8_t esv);

/**
 * @brief Whether frames with this code carry two property blocks.
 * @param esv any byte.
 * @return true for SetGet, SetGet_Res and SetGet_SNA.
 */
ECHONET_API bool echonet_esv_is_setget(uint8_t esv);

/**
 * @brief Whether a frame with @p esv must carry at least one property.
 *
 * True for requests (SetI, SetC, Get, INF_REQ, SetGet) and INFC: a receiver
 * has nothing to process in them otherwise (reference 2.2, decided in
 * doc/decisions.md). Responses and INF may legally carry none.
 * @param esv any byte.
 * @return true for requests and INFC.
 */
ECHONET_API bool echonet_esv_needs_property(uint8_t esv);

/**
 * @brief The success answer to a request: SetC→Set_Res, Get→Get_Res,
 *        INF_REQ→INF, SetGet→SetGet_Res, INFC→INFC_Res.
 * @param request any byte.
 * @return the response code; 0 for SetI (which is never answered on success)
 *         and for anything that is not a request.
 */
ECHONET_API uint8_t echonet_esv_response(uint8_t request);

/**
 * @brief The "not available" answer to a request: request − 0x10
 *        (SetI→SetI_SNA, SetC→SetC_SNA, Get→Get_SNA, INF_REQ→INF_SNA,
 *        SetGet→SetGet_SNA).
 * @param request any byte.
 * @return the SNA code; 0 for INFC (which has none) and non-requests.
 */
ECHONET_API uint8_t echonet_esv_sna(uint8_t request);

/**
 * @brief The request a response or SNA answers (the inverse of
 *        echonet_esv_response() and echonet_esv_sna()).
 * @param answer any byte.
 * @return the request code; 0 for anything that answers no request. INF maps
 *         to INF_REQ, although an INF is usually spontaneous.
 */
ECHONET_API uint8_t echonet_esv_request_of(uint8_t answer);

/**
 * @brief The spec's symbol for a service code, e.g. "Get_Res".
 * @param esv any byte.
 * @return a static string; "reserved" for reserved codes; "" when the library
 *         was built without strings.
 */
ECHONET_API const char *echonet_esv_name(uint8_t esv);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_ESV_H */
