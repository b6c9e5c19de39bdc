/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/config.h"
#include "echonet/esv.h"
#include "esv_internal.h"

echonet_esv_kind echonet_esv_classify(uint8_t esv)
{
    switch (esv) {
    case ECHONET_ESV_SETI:
    case ECHONET_ESV_SETC:
    case ECHONET_ESV_GET:
    case ECHONET_ESV_INF_REQ:
    case ECHONET_ESV_SETGET:
        return ECHONET_ESV_KIND_REQUEST;
    case ECHONET_ESV_SET_RES:
    case ECHONET_ESV_GET_RES:
    case ECHONET_ESV_INFC_RES:
    case ECHONET_ESV_SETGET_RES:
        return ECHONET_ESV_KIND_RESPONSE;
    case ECHONET_ESV_INF:
        return ECHONET_ESV_KIND_NOTIFICATION;
    case ECHONET_ESV_INFC:
        return ECHONET_ESV_KIND_NOTIFICATION_REQ;
    case ECHONET_ESV_SETI_SNA:
    case ECHONET_ESV_SETC_SNA:
    case ECHONET_ESV_GET_SNA:
    case ECHONET_ESV_INF_SNA:
    case ECHONET_ESV_SETGET_SNA:
        return ECHONET_ESV_KIND_SNA;
    default:
        return ECHONET_ESV_KIND_INVALID;
    }
}

bool echonet_esv_is_valid(uint8_t esv)
{
    return esv_valid(esv);
}

bool echonet_esv_is_setget(uint8_t esv)
{
    return esv_valid(esv) && esv_setget(esv);
}

bool echonet_esv_needs_property(uint8_t esv)
{
    return esv_valid(esv) && esv_needs_property(esv);
}

/* Success response = request + 0x10, SNA = request - 0x10 (reference 3.1),
 * with INFC -> INFC_Res the one exception. */
uint8_t echonet_esv_response(uint8_t request)
{
    if (request == ECHONET_ESV_INFC)
        return ECHONET_ESV_INFC_RES;
    if (request == ECHONET_ESV_SETI || echonet_esv_classify(request) != ECHONET_ESV_KIND_REQUEST)
        return 0;
    return (uint8_t)(request + 0x10u);
}

uint8_t echonet_esv_sna(uint8_t request)
{
    if (echonet_esv_classify(request) != ECHONET_ESV_KIND_REQUEST)
        return 0;
    return (uint8_t)(request - 0x10u);
}

uint8_t echonet_esv_request_of(uint8_t answer)
{
    switch (echonet_esv_classify(answer)) {
    case ECHONET_ESV_KIND_SNA:
        return (uint8_t)(answer + 0x10u);
    case ECHONET_ESV_KIND_RESPONSE:
    case ECHONET_ESV_KIND_NOTIFICATION:
        return answer == ECHONET_ESV_INFC_RES ? ECHONET_ESV_INFC : (uint8_t)(answer - 0x10u);
    default:
        return 0;
    }
}

const char *echonet_esv_name(uint8_t esv)
{
#if ECHONET_ENABLE_ERROR_STRINGS
    switch (esv) {
    case ECHONET_ESV_SETI: return "SetI";
    case ECHONET_ESV_SETC: return "SetC";
    case ECHONET_ESV_GET: return "Get";
    case ECHONET_ESV_INF_REQ: return "INF_REQ";
    case ECHONET_ESV_SETGET: return "SetGet";
    case ECHONET_ESV_SET_RES: return "Set_Res";
    case ECHONET_ESV_GET_RES: return "Get_Res";
    case ECHONET_ESV_INF: return "INF";
    case ECHONET_ESV_INFC: return "INFC";
    case ECHONET_ESV_INFC_RES: return "INFC_Res";
    case ECHONET_ESV_SETGET_RES: return "SetGet_Res";
    case ECHONET_ESV_SETI_SNA: return "SetI_SNA";
    case ECHONET_ESV_SETC_SNA: return "SetC_SNA";
    case ECHONET_ESV_GET_SNA: return "Get_SNA";
    case ECHONET_ESV_INF_SNA: return "INF_SNA";
    case ECHONET_ESV_SETGET_SNA: return "SetGet_SNA";
    default: return "reserved";
    }
#else
    (void)esv;
    return "";
#endif
}
