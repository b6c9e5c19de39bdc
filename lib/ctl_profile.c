/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Class profiles of the controller. */
#include "echonet/aircon.h"
#include "ctl_profile.h"
#include "ctl_state.h"

/* The home air conditioner (AIF spec): the status read of 3.3.1, the
 * write order of 5.1 ⑦, the class tables with the AIF overlay of aircon.h
 * (echonet_aircon_desc()), every state field. */
static const uint8_t aircon_write_first[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_MODE,
                                             ECHONET_EPC_SET_TEMPERATURE};
const ctl_profile ctl_profile_aircon = {ctl_state_epcs,  CTL_STATUS_READ, CTL_STATUS_READ,     aircon_write_first,
                                        sizeof aircon_write_first, 0xFFu, true, false, echonet_aircon_desc};

/* Any other device class: the superclass's operation and fault status
 * (mandatory Get properties of every device object), polled where the
 * announce map does not cover them; the state fields of superclass
 * properties only; the class table the application's finder gives. */
#define SUPER_STATE (ECHONET_CTL_S_STATUS | ECHONET_CTL_S_POWER_SAVING | ECHONET_CTL_S_FAULT | ECHONET_CTL_S_REMOTE)
#define ROW(status, n_poll, meter) {status, sizeof status, n_poll, NULL, 0, SUPER_STATE, false, meter, NULL}
static const uint8_t generic_status[] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_FAULT_STATUS};
const ctl_profile ctl_profile_generic = ROW(generic_status, 2, false);

/* The whole house (issue 15; reference WHOLE_HOUSE 2): what each class's
 * status read holds beyond 0x80 and 0x88 (only what its Get map has is
 * asked), polled every poll_interval_ms where not announced:
 *  - 0x0288 smart meter: E7 instantaneous W; D3 coefficient, D7 digits,
 *    E1 unit read at discovery (constants); EA/EB and the history by
 *    ctl_meter.c;
 *  - 0x0287 distribution board: C6 W, C0/C1 cumulative kWh; C2 unit once;
 *  - 0x0279 PV: E0 W generated, E1 cumulative generated, E3 sold;
 *  - 0x027D storage battery: DA mode set, CF working status, E4 %, D3 W
 *    (+ charging), A8/A9 AC cumulative charge/discharge, D8/D6 cumulative;
 *    E2 Wh remaining;
 *  - 0x027C fuel cell: CB status, C4 W, C5 cumulative;
 *  - 0x026B water heater: B0 heating setting, B2 heating, C3 supplying,
 *    E1 remaining water;
 *  - 0x0290 lighting: B0 brightness.
 * Writes are checked against the class table (echonet_ctl_config::classes)
 * like any other class's. */
static const uint8_t meter_status[] = {0x80, 0x88, 0xE7, 0xD3, 0xD7, 0xE1};
static const uint8_t board_status[] = {0x80, 0x88, 0xC6, 0xC0, 0xC1, 0xC2};
static const uint8_t pv_status[] = {0x80, 0x88, 0xE0, 0xE1, 0xE3};
static const uint8_t battery_status[] = {0x80, 0x88, 0xDA, 0xCF, 0xE4, 0xD3, 0xA8, 0xA9, 0xD8, 0xD6, 0xE2};
static const uint8_t fuel_cell_status[] = {0x80, 0x88, 0xCB, 0xC4, 0xC5};
static const uint8_t heater_status[] = {0x80, 0x88, 0xB0, 0xB2, 0xC3, 0xE1};
static const uint8_t lighting_status[] = {0x80, 0x88, 0xB0};
static const struct {
    uint16_t class_code;
    ctl_profile p;
} house[] = {
    {0x0288, ROW(meter_status, 3, true)},      {0x0287, ROW(board_status, 5, false)},
    {0x0279, ROW(pv_status, 5, false)},        {0x027D, ROW(battery_status, 11, false)},
    {0x027C, ROW(fuel_cell_status, 5, false)}, {0x026B, ROW(heater_status, 6, false)},
    {0x0290, ROW(lighting_status, 3, false)},
};

const ctl_profile *ctl_profile_of_class(uint16_t class_code)
{
    size_t i;

    for (i = 0; i < sizeof house / sizeof house[0]; i++)
        if (house[i].class_code == class_code)
            return &house[i].p;
    return &ctl_profile_generic;
}

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

    *known = true;
    if (p->desc)
        return p->desc(epc);
    cls = ctl->cfg.classes ? ctl->cfg.classes(ECHONET_EOJ_CLASS(eoj)) : NULL;
    if (!cls) {
        *known = false;
        return NULL;
    }
    return echonet_class_desc(cls, epc);
}

bool ctl_profile_plausible(const echonet_ctl *ctl, echonet_eoj eoj, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    bool known;
    const echonet_prop_desc *d = ctl_profile_desc(ctl, ctl_profile_of(eoj), eoj, epc, &known);

    return !d || echonet_prop_desc_check(d, edt, pdc, false) == ECHONET_OK;
}

const uint8_t *echonet_ctl_status_epcs(echonet_eoj eoj, size_t *n)
{
    const ctl_profile *p = ctl_profile_of(eoj);

    if (!n)
        return NULL;
    *n = p ? p->n_status : 0;
    return p ? p->status : NULL;
}
