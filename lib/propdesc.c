/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/propdesc.h"

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

static bool size_allowed(const echonet_prop_desc *d, size_t pdc)
{
    if (d->size_alt == ECHONET_SIZE_VARIABLE)
        return pdc >= 1 && pdc <= d->size;
    return pdc == d->size || (d->size_alt != 0 && pdc == d->size_alt);
}

static bool in_list(const uint8_t *list, size_t n, uint8_t v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

echonet_err echonet_prop_desc_check(const echonet_prop_desc *d, const uint8_t *edt, size_t pdc, bool for_set)
{
    size_t i;

    if (!d || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    if (!size_allowed(d, pdc))
        return ECHONET_ERR_VALUE_SIZE;
    /* Read-only codes: a one-byte value a device may report, never a Set. */
    if (pdc == 1 && in_list(d->readonly, d->n_readonly, edt[0]))
        return for_set ? ECHONET_ERR_VALUE : ECHONET_OK;
    switch (d->rule) {
    case ECHONET_RULE_ANY:
        return ECHONET_OK;
    case ECHONET_RULE_ENUM:
        return pdc == 1 && in_list(d->values, d->n_values, edt[0]) ? ECHONET_OK : ECHONET_ERR_VALUE;
    case ECHONET_RULE_RANGE:
        /* One (low, high) pair per byte; bytes beyond the pairs are free. */
        for (i = 0; i < pdc && 2 * i + 1 < d->n_values; i++)
            if (edt[i] < d->values[2 * i] || edt[i] > d->values[2 * i + 1])
                return ECHONET_ERR_VALUE;
        return ECHONET_OK;
    case ECHONET_RULE_RANGE_S8: {
        int v = edt[0] >= 0x80u ? (int)edt[0] - 256 : (int)edt[0];
        int lo = d->values[0] >= 0x80u ? (int)d->values[0] - 256 : (int)d->values[0];
        int hi = d->values[1] >= 0x80u ? (int)d->values[1] - 256 : (int)d->values[1];

        return pdc == 1 && v >= lo && v <= hi ? ECHONET_OK : ECHONET_ERR_VALUE;
    }
    case ECHONET_RULE_FUNC:
        return d->check(edt, pdc) ? ECHONET_OK : ECHONET_ERR_VALUE;
    default:
        return ECHONET_ERR_VALUE;
    }
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
