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

/* Whether v is one of d's read-only codes (after the rule's bytes). */
static inline bool desc_readonly(const echonet_prop_desc *d, uint8_t v)
{
    return d->n_readonly > 0 && desc_in_list(d->values + d->n_values, d->n_readonly, v);
}

/* The verdict of ECHONET_RULE_NUMBERS on pdc bytes at edt: each number
 * within its range, all of them exactly pdc bytes. */
static ECHONET_NOINLINE int numbers_verdict(const uint8_t *v, size_t n_values, const uint8_t *edt, size_t pdc)
{
    const uint8_t *end = v + n_values;
    size_t w, j;

    while (v < end) {
        uint32_t x = 0, lo = 0, hi = 0, flip;

        w = v[0] & 7u;
        if (w == 0 || w > 4u || pdc < w || (size_t)(end - v) < 1u + 2u * w)
            return ECHONET_VALUE_REFUSED;
        /* Signed numbers compare as unsigned once their sign bit is flipped. */
        flip = (uint32_t)(v[0] >> 7) << (8u * w - 1u);
        for (j = 1; j <= w; j++) {
            x = x << 8 | *edt++;
            lo = lo << 8 | v[j];
            hi = hi << 8 | v[j + w];
        }
        if ((x ^ flip) < (lo ^ flip) || (x ^ flip) > (hi ^ flip))
            return ECHONET_VALUE_REFUSED;
        pdc -= w;
        v += 1u + 2u * w;
    }
    return pdc == 0 ? ECHONET_VALUE_VALID : ECHONET_VALUE_REFUSED;
}

/* echonet_prop_desc_check() of a descriptor and a value that are there
 * (d not NULL, edt not NULL when pdc > 0). A one-byte read-only code is
 * valid when read and refused in a Set whatever the rule says, so with the
 * shortcuts the rule is asked first and the read-only codes only when they
 * can change the outcome: the same result with one list walk less for most
 * values (when optimising for size they come first: less code). */
static HOT_INLINE echonet_err prop_desc_check(const echonet_prop_desc *d, const uint8_t *edt, size_t pdc, bool for_set)
{
    const uint8_t *v = d->values;
    int r;
    size_t i;

    if (d->size_alt == ECHONET_SIZE_VARIABLE ? pdc < 1 || pdc > d->size
                                             : pdc != d->size && (d->size_alt == 0 || pdc != d->size_alt))
        return ECHONET_ERR_VALUE_SIZE;
    /* When optimising for size, the read-only codes first, as one test. */
    if (!ECHONET_SHORTCUTS && pdc == 1 && desc_readonly(d, edt[0]))
        return for_set ? ECHONET_ERR_VALUE : ECHONET_OK;
    switch (d->rule) {
    case ECHONET_RULE_ANY:
        r = ECHONET_VALUE_VALID;
        break;
    case ECHONET_RULE_ENUM:
        r = pdc == 1 && desc_in_list(v, d->n_values, edt[0]);
        break;
    case ECHONET_RULE_RANGE:
        /* One (low, high) pair per byte; no byte without one. */
        r = ECHONET_VALUE_VALID;
        for (i = 0; r && i < pdc; i++)
            r = 2 * i + 1 < d->n_values && edt[i] >= v[2 * i] && edt[i] <= v[2 * i + 1];
        break;
    case ECHONET_RULE_RANGE_S8:
        /* Signed bytes compared unsigned once 0x80 is added to each. */
        r = pdc == 1 && (uint8_t)(edt[0] ^ 0x80u) >= (uint8_t)(v[0] ^ 0x80u) &&
            (uint8_t)(edt[0] ^ 0x80u) <= (uint8_t)(v[1] ^ 0x80u);
        break;
    case ECHONET_RULE_NUMBERS:
        r = numbers_verdict(v, d->n_values, edt, pdc);
        break;
    case ECHONET_RULE_FUNC: {
        const echonet_value_func *f = (const echonet_value_func *)(const void *)v;

        r = f && f->check ? f->check(edt, pdc) : ECHONET_VALUE_REFUSED;
        break;
    }
    case ECHONET_RULE_LAYOUT: {
        /* The walker comes with the table (echonet_layout_program): an
         * image whose tables have no layout program does not link it. */
        const echonet_layout *l = (const echonet_layout *)(const void *)v;

        r = l && l->ops && l->ops->walk && l->prog ? l->ops->walk(l->prog, edt, pdc) : ECHONET_VALUE_REFUSED;
        break;
    }
    default:
        r = ECHONET_VALUE_REFUSED;
        break;
    }
    /* Read-only codes: a one-byte value a device may report, never a Set.
     * They change the outcome only of a value the rule refuses when read,
     * or accepts in a Set. */
    if (ECHONET_SHORTCUTS && (r == ECHONET_VALUE_VALID) == for_set && pdc == 1 && desc_readonly(d, edt[0]))
        r = for_set ? ECHONET_VALUE_REFUSED : ECHONET_VALUE_VALID;
    return r == ECHONET_VALUE_VALID || (r == ECHONET_VALUE_READ_ONLY && !for_set) ? ECHONET_OK : ECHONET_ERR_VALUE;
}

#endif
