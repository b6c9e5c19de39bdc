/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: what the tests check of the air-conditioner model once, so that
 * the model need not check it at every start. */
#ifndef ECHONET_LIB_AIRCON_INTERNAL_H
#define ECHONET_LIB_AIRCON_INTERNAL_H

#include "echonet/aircon.h"

/* Whether the model's store plan and the class tables agree: every slot is
 * a property of the tables (echonet_aircon_desc()) with room for its
 * largest value, every property of the overlay, class and superclass
 * tables (the optional ones only with ECHONET_AIRCON_OPTIONAL) has a slot,
 * and every value echonet_aircon_init() leaves in ac is valid. ECHONET_OK,
 * or ECHONET_ERR_TABLE (the plan) or ECHONET_ERR_VALUE (a first value).
 * echonet_aircon_init() and the set accessor rely on it
 * (aircon/store_plan). */
echonet_err echonet_aircon_check_plan(echonet_aircon *ac);

#endif
