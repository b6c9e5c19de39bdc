/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller object 0x05FF01; see hems_self.h. */
#include "hems_self.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define G ECHONET_ACCESS_GET
#define S ECHONET_ACCESS_SET
#define A ECHONET_ACCESS_ANNO
#define M ECHONET_ACCESS_MANDATORY

static const uint8_t on_off[] = {ECHONET_ON, ECHONET_OFF};
static const uint8_t fault_codes[] = {ECHONET_FAULT, ECHONET_NO_FAULT};

/* The superclass's mandatory properties (reference 7). */
static const echonet_prop_desc self_props[] = {
    {0x80, G | A | M, 1, 0, ECHONET_RULE_ENUM, 2, 0, on_off},
    {0x81, G | S | A | M, 1, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x82, G | M, 4, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x88, G | A | M, 1, 0, ECHONET_RULE_ENUM, 2, 0, fault_codes},
    {0x8A, G | M, 3, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9D, G | M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9E, G | M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9F, G | M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
};

static int self_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    static const uint8_t release_h[4] = {0x00, 0x00, 0x48, 0x00};
    const struct hems_self *self = ctx;

    (void)cap; /* at least the descriptor's size */
    switch (epc) {
    case 0x80:
        edt[0] = ECHONET_ON;
        return 1;
    case 0x81:
        edt[0] = self->installation;
        return 1;
    case 0x82:
        memcpy(edt, release_h, 4);
        return 4;
    case 0x88:
        edt[0] = ECHONET_NO_FAULT;
        return 1;
    case 0x8A:
        memcpy(edt, self->maker, 3);
        return 3;
    default:
        return ECHONET_ERR_NOT_FOUND;
    }
}

static int self_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                    echonet_tstamp now)
{
    struct hems_self *self = ctx;
    bool changed;

    (void)pdc;
    (void)source;
    (void)now;
    if (epc != 0x81)
        return ECHONET_ERR_ACCESS;
    changed = self->installation != edt[0];
    self->installation = edt[0];
    return changed ? 1 : 0;
}

static const echonet_object_ops self_ops = {self_get, self_set, NULL, NULL};

#undef G
#undef S
#undef A
#undef M

echonet_err hems_self_init(struct hems_self *self, const uint8_t maker[3])
{
    memcpy(self->maker, maker, 3);
    self->installation = 0x00;
    return echonet_object_init(&self->object, ECHONET_EOJ_CONTROLLER, self_props,
                               sizeof self_props / sizeof self_props[0], NULL, &self_ops, self);
}
