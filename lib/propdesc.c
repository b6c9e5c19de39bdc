/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/propdesc.h"

#include "propdesc_internal.h"

const echonet_prop_desc *echonet_prop_desc_find(const echonet_prop_desc *table, size_t n, uint8_t epc)
{
    size_t i;

    if (!table)
        return NULL;
    for (i = 0; i < n; i++)
        if (table[i].epc == epc)
            return &table[i];
    return NULL;
}

echonet_err echonet_prop_desc_check(const echonet_prop_desc *d, const uint8_t *edt, size_t pdc, bool for_set)
{
    if (!d || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    return prop_desc_check(d, edt, pdc, for_set);
}

static bool desc_ok(const echonet_prop_desc *d)
{
    if (d->epc < 0x80u || d->size == 0 || (d->n_readonly > 0 && !d->readonly))
        return false;
    switch (d->rule) {
    case ECHONET_RULE_ANY:
        return true;
    case ECHONET_RULE_ENUM:
        return d->values && d->n_values > 0 && d->size == 1 && d->size_alt == 0;
    case ECHONET_RULE_RANGE:
        return d->values && d->n_values >= 2 && d->n_values % 2 == 0;
    case ECHONET_RULE_RANGE_S8:
        return d->values && d->n_values == 2 && d->size == 1 && d->size_alt == 0;
    case ECHONET_RULE_FUNC:
        return d->check != NULL;
    default:
        return false;
    }
}

echonet_err echonet_prop_desc_validate(const echonet_prop_desc *table, size_t n)
{
    echonet_propmap seen;
    size_t i;

    if ((!table && n > 0) || n > 128)
        return ECHONET_ERR_INVALID_ARG;
    echonet_propmap_init(&seen);
    for (i = 0; i < n; i++) {
        if (!desc_ok(&table[i]) || echonet_propmap_contains(&seen, table[i].epc))
            return ECHONET_ERR_TABLE;
        (void)echonet_propmap_add(&seen, table[i].epc);
    }
    return ECHONET_OK;
}

void echonet_prop_desc_map(echonet_propmap *map, const echonet_prop_desc *table, size_t n, uint8_t access,
                           const echonet_propmap *omit)
{
    size_t i;

    if (!map)
        return;
    echonet_propmap_init(map);
    if (!table)
        return;
    for (i = 0; i < n; i++)
        if ((table[i].access & access) == access && !echonet_propmap_contains(omit, table[i].epc))
            (void)echonet_propmap_add(map, table[i].epc);
}
