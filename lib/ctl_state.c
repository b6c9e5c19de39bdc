/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The cached state of an air conditioner: one table of the properties it
 * keeps (field i of echonet_ctl_state after @c valid is bit i and
 * ctl_state_epcs[i]), and the delivery of a value. */
#include <string.h>

#include "echonet/aircon.h"
#include "ctl_event.h"
#include "ctl_energy.h"
#include "ctl_meter.h"
#include "ctl_profile.h"
#include "ctl_state.h"
#include "static_assert.h"

const uint8_t ctl_state_epcs[8] = {ECHONET_EPC_OPERATION_STATUS, ECHONET_EPC_POWER_SAVING, ECHONET_EPC_MODE, ECHONET_EPC_SET_TEMPERATURE,
                                   ECHONET_EPC_ROOM_TEMPERATURE, ECHONET_EPC_AIR_FLOW, ECHONET_EPC_FAULT_STATUS,
                                   ECHONET_EPC_REMOTE_CONTROL};

/* The fields follow @c valid in the table's order, one byte each. */
ECHONET_STATIC_ASSERT(offsetof(echonet_ctl_state, remote) - offsetof(echonet_ctl_state, status) == 7,
                      state_fields_in_table_order);
ECHONET_STATIC_ASSERT(ECHONET_CTL_S_REMOTE == 0x80u && ECHONET_CTL_S_STATUS == 0x01u, state_bits_in_table_order);

uint16_t ctl_state_bit(uint8_t epc)
{
    unsigned i;

    for (i = 0; i < sizeof ctl_state_epcs; i++)
        if (ctl_state_epcs[i] == epc)
            return ctl_bit(i);
    return 0;
}

uint8_t ctl_state_bits_in(const echonet_propmap *map)
{
    uint8_t bits = 0;
    unsigned i;

    for (i = 0; i < CTL_STATUS_READ; i++)
        if (echonet_propmap_contains(map, ctl_state_epcs[i]))
            bits |= (uint8_t)ctl_bit(i);
    return bits;
}

void ctl_deliver(echonet_ctl *ctl, uint16_t ni, uint16_t oi, uint8_t epc, const uint8_t *edt, uint8_t pdc)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    echonet_ctl_event ev;
    uint16_t sb = ctl_state_bit(epc) & ctl_profile_of(o->eoj)->state_bits;

    ctl_event_init(&ev, ECHONET_CTL_EV_PROPERTY, ni, o->eoj);
    ev.epc = epc;
    ev.pdc = pdc;
    ev.edt = edt;
    ev.changed = true;
    if (sb && pdc == 1) {
        uint8_t *field = &o->state.status + (ctl_popcount16((uint16_t)(sb - 1u)));

        ev.changed = !(o->state.valid & sb) || *field != edt[0];
        *field = edt[0];
        o->state.valid |= sb;
        /* A fault announced or read starts the read-out (AIF 3.4, 5.5). */
        if (epc == ECHONET_EPC_FAULT_STATUS && edt[0] == ECHONET_FAULT && ev.changed)
            o->work |= OW_FAULT;
    }
    /* A meter's fixed-time value, read or announced, when the energy
     * reads are on (ctl_meter.c). */
    if (epc == CTL_METER_FIXED && pdc == 11 && ctl->energy && ctl_profile_of(o->eoj)->meter)
        ctl->energy->fixed(ctl, o, edt, ctl->clock);
    ctl_emit(ctl, &ev);
}
