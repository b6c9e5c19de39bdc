/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: echonet_prop_desc_check() without a call, for the node's answers
 * (every value read is checked before it goes on the wire). */
#ifndef ECHONET_LIB_PROPDESC_INTERNAL_H
#define ECHONET_LIB_PROPDESC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/propdesc.h"
#include "noinline.h"

/* In its caller's loop when optimising for speed (a shortcut: out of line,
 * once, when optimising for size): for the node's answer loop. */
#if ECHONET_SHORTCUTS && defined(__GNUC__)
#define HOT_INLINE __attribute__((always_inline)) inline
#else
#define HOT_INLINE
#endif

static inline bool desc_in_list(const uint8_t *list, size_t n, uint8_t v)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (list[i] == v)
            return true;
    return false;
}

/* echonet_prop_desc_check() of a descriptor and a value that are there
 * (d not NULL, edt not NULL when pdc > 0). A one-byte read-only code is
 * valid when read and refused in a Set whatever the rule says, so with the
 * shortcuts the rule is asked first and the read-only codes only when they
 * can change the outcome: the same result with one list walk less for most
 * values (when optimising for size they come first: less code). */
static HOT_INLINE echonet_err prop_desc_check(const echonet_prop_desc *d, const uint8_t *edt, size_t pdc, bool for_set)
{
    bool ok;
    size_t i;

    if (d->size_alt == ECHONET_SIZE_VARIABLE ? pdc < 1 || pdc > d->size
                                             : pdc != d->size && (d->size_alt == 0 || pdc != d->size_alt))
        return ECHONET_ERR_VALUE_SIZE;
    /* When optimising for size, the read-only codes first, as one test. */
    if (!ECHONET_SHORTCUTS && pdc == 1 && desc_in_list(d->readonly, d->n_readonly, edt[0]))
        return for_set ? ECHONET_ERR_VALUE : ECHONET_OK;
    switch (d->rule) {
    case ECHONET_RULE_ANY:
        ok = true;
        break;
    case ECHONET_RULE_ENUM:
        ok = pdc == 1 && desc_in_list(d->values, d->n_values, edt[0]);
        break;
    case ECHONET_RULE_RANGE:
        /* One (low, high) pair per byte; no byte without one. */
        ok = true;
        for (i = 0; ok && i < pdc; i++)
            ok = 2 * i + 1 < d->n_values && edt[i] >= d->values[2 * i] && edt[i] <= d->values[2 * i + 1];
        break;
    case ECHONET_RULE_RANGE_S8:
        /* Signed bytes compared unsigned once 0x80 is added to each. */
        ok = pdc == 1 && (uint8_t)(edt[0] ^ 0x80u) >= (uint8_t)(d->values[0] ^ 0x80u) &&
             (uint8_t)(edt[0] ^ 0x80u) <= (uint8_t)(d->values[1] ^ 0x80u);
        break;
    case ECHONET_RULE_FUNC:
        ok = d->check(edt, pdc);
        break;
    case ECHONET_RULE_LAYOUT: {
        const echonet_layout *l = (const echonet_layout *)(const void *)d->values;
        int r = l && l->ops && l->ops->walk && l->prog ? l->ops->walk(l->prog, edt, pdc) : 0;

        ok = r == 1 || (r == 2 && !for_set);
        break;
    }
    default:
        ok = false;
        break;
    }
    /* Read-only codes: a one-byte value a device may report, never a Set.
     * They change the outcome only of a value the rule refuses when read,
     * or accepts in a Set. */
    if (ECHONET_SHORTCUTS && ok == for_set && pdc == 1 && desc_in_list(d->readonly, d->n_readonly, edt[0]))
        ok = !for_set;
    return ok ? ECHONET_OK : ECHONET_ERR_VALUE;
}

#endif
