/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Class profiles of the controller. */
#include "echonet/aircon.h"
#include "ctl_profile.h"
#include "ctl_state.h"

/* The home air conditioner (AIF spec): the status read of 3.3.1, the
 * write order of 5.1 ⑦, the class tables with the AIF overlay of aircon.h. */
static const uint8_t aircon_write_first[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_MODE,
                                             ECHONET_EPC_SET_TEMPERATURE};
const ctl_profile ctl_profile_aircon = {ECHONET_CLASS_HOME_AIRCON, ctl_state_epcs, CTL_STATUS_READ,
                                        aircon_write_first, sizeof aircon_write_first, echonet_aircon_desc};

unsigned ctl_profile_write_rank(const ctl_profile *p, uint8_t epc)
{
    unsigned i;

    for (i = 0; i < p->n_write_first && p->write_first[i] != epc; i++)
        ;
    return i;
}

bool ctl_profile_plausible(const ctl_profile *p, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    const echonet_prop_desc *d = p->desc(epc);

    return !d || echonet_prop_desc_check(d, edt, pdc, false) == ECHONET_OK;
}
