/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Class profiles of the controller. */
#include "echonet/aircon.h"
#include "ctl_profile.h"
#include "ctl_state.h"

/* The home air conditioner (AIF spec): the status read of 3.3.1, the
 * write order of 5.1 ⑦, the class table of aircon.h, every state field. */
static const uint8_t aircon_write_first[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_MODE,
                                             ECHONET_EPC_SET_TEMPERATURE};
const ctl_profile ctl_profile_aircon = {ctl_state_epcs,     CTL_STATUS_READ, aircon_write_first,
                                        sizeof aircon_write_first, 0xFFu, true, echonet_aircon_props};

/* Any other device class: the superclass's operation and fault status
 * (mandatory Get properties of every device object), polled where the
 * announce map does not cover them; the state fields of superclass
 * properties only; the class table the application's finder gives. */
static const uint8_t generic_status[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_FAULT_STATUS};
const ctl_profile ctl_profile_generic = {
    generic_status, sizeof generic_status, NULL, 0,
    ECHONET_CTL_S_STATUS | ECHONET_CTL_S_POWER_SAVING | ECHONET_CTL_S_FAULT | ECHONET_CTL_S_REMOTE, false, NULL};

bool ctl_manages(const echonet_ctl *ctl, echonet_eoj eoj)
{
    return ctl_profile_of(eoj) && (!ctl->cfg.manage || ctl->cfg.manage(ctl->user, eoj));
}

unsigned ctl_profile_write_rank(const ctl_profile *p, uint8_t epc)
{
    unsigned i;

    for (i = 0; i < p->n_write_first && p->write_first[i] != epc; i++)
        ;
    return i;
}

const echonet_prop_desc *ctl_profile_desc(const echonet_ctl *ctl, const ctl_profile *p, echonet_eoj eoj, uint8_t epc,
                                          bool *known)
{
    const echonet_class *cls;
    const echonet_prop_desc *d = NULL;
    size_t n = 0;

    *known = true;
    if (p->table) {
        const echonet_prop_desc *table = p->table(&n);

        return echonet_prop_desc_find(table, n, epc);
    }
    cls = ctl->cfg.classes ? ctl->cfg.classes(ECHONET_EOJ_CLASS(eoj)) : NULL;
    if (!cls) {
        *known = false;
        return NULL;
    }
    /* The class's own properties, then its superclass's. */
    for (; cls && !d; cls = cls->super)
        d = echonet_prop_desc_find(cls->props, cls->n_props, epc);
    return d;
}

bool ctl_profile_plausible(const echonet_ctl *ctl, echonet_eoj eoj, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    bool known;
    const echonet_prop_desc *d = ctl_profile_desc(ctl, ctl_profile_of(eoj), eoj, epc, &known);

    return !d || echonet_prop_desc_check(d, edt, pdc, false) == ECHONET_OK;
}
