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

static size_t desc_largest(const echonet_prop_desc *d)
{
    return d->size_alt != ECHONET_SIZE_VARIABLE && d->size_alt > d->size ? d->size_alt : d->size;
}

/* Whether the NUMBERS at v (n bytes) are well-formed and fill size bytes. */
static bool numbers_ok(const uint8_t *v, size_t n, size_t size)
{
    size_t k = 0, w;

    while (k < n) {
        w = v[k] & 0x7Fu;
        if (w == 0 || w > 4u || k + 1u + 2u * w > n || size < w)
            return false;
        size -= w;
        k += 1u + 2u * w;
    }
    return size == 0;
}

static bool desc_ok(const echonet_prop_desc *d)
{
    if (d->epc < 0x80u || d->size == 0 || ((d->n_values > 0 || d->n_readonly > 0) && !d->values))
        return false;
    switch (d->rule) {
    case ECHONET_RULE_ANY:
        return d->n_values == 0;
    case ECHONET_RULE_ENUM:
        return d->n_values > 0 && d->size == 1 && d->size_alt == 0;
    case ECHONET_RULE_RANGE:
        return d->n_values > 0 && d->n_values == 2 * desc_largest(d);
    case ECHONET_RULE_RANGE_S8:
        return d->n_values == 2 && d->size == 1 && d->size_alt == 0;
    case ECHONET_RULE_NUMBERS:
        return d->n_values > 0 && d->size_alt == 0 && numbers_ok(d->values, d->n_values, d->size);
    case ECHONET_RULE_FUNC: {
        const echonet_value_func *f = (const echonet_value_func *)(const void *)d->values;

        return f && d->n_values == 0 && d->n_readonly == 0 && f->check;
    }
    case ECHONET_RULE_LAYOUT: {
        /* The walker comes with the table (echonet_layout_program): an
         * image whose tables have no layout program does not link it. */
        const echonet_layout *l = (const echonet_layout *)(const void *)d->values;

        return l && d->n_values == 0 && d->n_readonly == 0 && l->ops && l->ops->walk && l->ops->shape && l->prog &&
               l->ops->shape(l->prog);
    }
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

echonet_err echonet_class_check_table(const echonet_class *cls, const echonet_prop_desc *table, size_t n)
{
    const echonet_class *c;
    const echonet_prop_desc *d;
    size_t i;

    if (!cls || (!table && n > 0))
        return ECHONET_ERR_INVALID_ARG;
    for (c = cls; c; c = c->super)
        for (i = 0; i < c->n_props; i++)
            if ((c->props[i].access & ECHONET_ACCESS_MANDATORY) &&
                (!(d = echonet_prop_desc_find(table, n, c->props[i].epc)) || !(d->access & ECHONET_ACCESS_MANDATORY)))
                return ECHONET_ERR_MANDATORY;
    return ECHONET_OK;
}

echonet_err echonet_class_omit(echonet_propmap *omit, const echonet_class *cls, const uint8_t *keep, size_t n_keep)
{
    const echonet_class *c;
    size_t i, k;

    if (!omit || !cls || (!keep && n_keep > 0))
        return ECHONET_ERR_INVALID_ARG;
    echonet_propmap_init(omit);
    for (c = cls; c; c = c->super)
        for (i = 0; i < c->n_props; i++) {
            bool kept = (c->props[i].access & ECHONET_ACCESS_MANDATORY) != 0;

            for (k = 0; k < n_keep && !kept; k++)
                kept = keep[k] == c->props[i].epc;
            /* A class's own entry decides over the superclass's. */
            if (!kept && (c == cls || !echonet_prop_desc_find(cls->props, cls->n_props, c->props[i].epc)))
                (void)echonet_propmap_add(omit, c->props[i].epc);
        }
    return ECHONET_OK;
}

const echonet_prop_desc *echonet_class_desc(const echonet_class *cls, uint8_t epc)
{
    const echonet_prop_desc *d = NULL;

    for (; cls && !d; cls = cls->super)
        d = echonet_prop_desc_find(cls->props, cls->n_props, epc);
    return d;
}
