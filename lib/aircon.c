/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Home air conditioner class 0x0130 (reference 7 and 8; AIF tables 2-3, 2-4).
 * The class facts are the generated MRA tables (echonet_class_0130 chained
 * to echonet_class_superclass); this file adds only the AIF overlay, the
 * entries where the AIF profile of this library says something else
 * (doc/decisions.md), and the device model. */
#include "echonet/aircon.h"

#include <stddef.h>
#include <string.h>

#include "aircon_internal.h"
#include "echonet/classes.h"
#include "node_internal.h"
#include "noinline.h"
#include "static_assert.h"

/* Access shorthands: G get, S set, A announce, M mandatory. */
#define G ECHONET_ACCESS_GET
#define S ECHONET_ACCESS_SET
#define A ECHONET_ACCESS_ANNO
#define M ECHONET_ACCESS_MANDATORY
#define VAR ECHONET_SIZE_VARIABLE
#define N(a) ((uint8_t)sizeof(a))
#define RAW(epc, acc, size, alt) {epc, acc, size, alt, ECHONET_RULE_ANY, 0, 0, NULL}
/* An optional property: only with ECHONET_AIRCON_OPTIONAL (config.h). */
#if ECHONET_AIRCON_OPTIONAL
#define OPT(...) __VA_ARGS__
#else
#define OPT(...)
#endif

/* The modes, then 0x40 "other" (read only). */
static const uint8_t modes[] = {0x41, 0x42, 0x43, 0x44, 0x45, 0x40};
/* -127 .. 125, then unmeasurable, overflow, underflow (read only). */
static const uint8_t measured[] = {0x81, 0x7D, 0x7E, 0x7F, 0x80};

/* 0x81: one byte (bit 7 free definition, bits 6-3 location, bits 2-0 number;
 * 0x00 not set, 0xFF indefinite) or 17 bytes starting 0x01 (position
 * information). One-byte 0x01-0x07 would be location code 0: reserved; a
 * device may still report 0x01, the marker of the position-information form
 * (reference 7.1), so it is a read-only code. */
static int check_installation(const uint8_t *edt, size_t pdc)
{
    if (pdc == 17)
        return edt[0] == 0x01;
    if (edt[0] == 0x01)
        return ECHONET_VALUE_READ_ONLY;
    return edt[0] == 0x00 || edt[0] >= 0x08;
}
static const echonet_value_func installation = {check_installation};

#if ECHONET_AIRCON_OPTIONAL
/* 0xC7/0xC9/0xCB: per method (8 bytes), bits 0-2 level, bit 3 on/off,
 * bit 4 auto (reference 8.2; the MRA extract describes two methods). */
static const uint8_t methods[] = {0, 0x1F, 0, 0x1F, 0, 0x1F, 0, 0x1F, 0, 0x1F, 0, 0x1F, 0, 0x1F, 0, 0x1F};
#endif

/* The AIF overlay, searched before the class and superclass tables
 * (doc/decisions.md, "The AIF overlay"): the AIF's stricter rules (0x81's
 * structure, 0xB0 = 0x40 "other" read only, 0x86 at most 225 bytes), the
 * overflow and underflow codes of the measured temperatures, the eight
 * methods of 0xC7/0xC9/0xCB (reference 8.2) and the read-only properties
 * whose values are checked for size only. Everything
 * else, mandatory flags included, is the MRA's. */
#define MEASURED(epc, acc) {epc, acc, 1, 0, ECHONET_RULE_RANGE_S8, 2, 3, measured}
#define OVERLAY(X, k) \
    X(0xB0, k, {0xB0, G | S | A | M, 1, 0, ECHONET_RULE_ENUM, 5, 1, modes}) \
    X(0xBB, k, MEASURED(0xBB, G | M)) \
    X(0x81, k, {0x81, G | S | A | M, 1, 17, ECHONET_RULE_FUNC, 0, 0, ECHONET_FUNC_VALUES(installation)}) \
    OPT(X(0x83, k, RAW(0x83, G, 17, 9)) X(0x85, k, RAW(0x85, G, 4, 0)) X(0x86, k, RAW(0x86, G, 225, VAR)) \
        X(0x9A, k, RAW(0x9A, G, 5, 0)) X(0xB8, k, RAW(0xB8, G, 8, 0)) X(0xBD, k, MEASURED(0xBD, G)) \
        X(0xBE, k, MEASURED(0xBE, G)) X(0xC6, k, RAW(0xC6, G, 1, 0)) X(0xC7, k, METHODS(0xC7)) \
        X(0xC8, k, RAW(0xC8, G, 1, 0)) X(0xC9, k, METHODS(0xC9)) X(0xCA, k, RAW(0xCA, G, 1, 0)) \
        X(0xCB, k, METHODS(0xCB)) X(0xCD, k, RAW(0xCD, G, 1, 0)))
#define METHODS(epc) {epc, G | S, 8, 0, ECHONET_RULE_RANGE, N(methods), 0, methods}
#define ENTRY(epc, k, ...) __VA_ARGS__,
/* The hot ones first: a lookup walks this table in order. */
static const echonet_prop_desc overlay[] = {OVERLAY(ENTRY, 0)};
/* Which EPCs the overlay holds (bit e & 7 of byte (e - 0x80) >> 3), so
 * that a lookup of any other property does not walk it. */
#define BIT(epc, k, ...) | (((epc) - 0x80) >> 3 == (k) ? 1u << ((epc) & 7) : 0u)
#define BYTE(k) (uint8_t)(0u OVERLAY(BIT, k))
static const uint8_t in_overlay[16] = {BYTE(0), BYTE(1), BYTE(2),  BYTE(3),  BYTE(4),  BYTE(5),  BYTE(6),  BYTE(7),
                                       BYTE(8), BYTE(9), BYTE(10), BYTE(11), BYTE(12), BYTE(13), BYTE(14), BYTE(15)};
#define N_OVERLAY (sizeof overlay / sizeof overlay[0])

/* The model's store: per property a length byte, then room for its largest
 * value (checked against the descriptors by echonet_aircon_init()). Every
 * property of the class and the superclass, the optional ones only with
 * ECHONET_AIRCON_OPTIONAL. */
#define SLOTS(E, k) \
    E(0x80, 1, k) E(0x81, 17, k) E(0x82, 4, k) OPT(E(0x83, 17, k) E(0x84, 2, k) E(0x85, 4, k) E(0x86, 225, k) \
        E(0x87, 1, k)) E(0x88, 1, k) OPT(E(0x89, 2, k)) E(0x8A, 3, k) OPT(E(0x8B, 3, k) E(0x8C, 12, k) \
        E(0x8D, 12, k) E(0x8E, 4, k)) E(0x8F, 1, k) OPT(E(0x90, 1, k) E(0x91, 2, k) E(0x92, 2, k) E(0x93, 1, k) \
        E(0x94, 1, k) E(0x95, 2, k) E(0x96, 2, k) E(0x97, 2, k) E(0x98, 4, k) E(0x99, 2, k) E(0x9A, 5, k)) \
    E(0x9D, 17, k) E(0x9E, 17, k) E(0x9F, 17, k) E(0xA0, 1, k) OPT(E(0xA1, 1, k) E(0xA3, 1, k) E(0xA4, 1, k) \
        E(0xA5, 1, k) E(0xAA, 1, k) E(0xAB, 1, k)) E(0xB0, 1, k) OPT(E(0xB1, 1, k) E(0xB2, 1, k)) E(0xB3, 1, k) \
    OPT(E(0xB4, 1, k) E(0xB5, 1, k) E(0xB6, 1, k) E(0xB7, 1, k) E(0xB8, 8, k) E(0xB9, 2, k) E(0xBA, 1, k)) \
    E(0xBB, 1, k) OPT(E(0xBC, 1, k) E(0xBD, 1, k) E(0xBE, 1, k) E(0xBF, 1, k) E(0xC0, 1, k) E(0xC1, 1, k) \
        E(0xC2, 1, k) E(0xC4, 1, k) E(0xC6, 1, k) E(0xC7, 8, k) E(0xC8, 1, k) E(0xC9, 8, k) E(0xCA, 1, k) \
        E(0xCB, 8, k) E(0xCC, 1, k) E(0xCD, 1, k) E(0xCE, 1, k) E(0xCF, 1, k) E(0xD0, 1, k))

/* The largest value of the store: 0x86 (225 bytes). */
#define VALUE_MAX 225u
#define FIELD(epc, room, k) uint8_t slot_##epc[1 + (room)];
struct aircon_layout {
    SLOTS(FIELD, 0)
};
/* The store of aircon.h is exactly this plan. */
ECHONET_STATIC_ASSERT(sizeof(struct aircon_layout) == ECHONET_AIRCON_STORE_SIZE, store_is_the_plan);
#if ECHONET_SHORTCUTS
#define OFFSET(epc, room, k) (uint16_t)offsetof(struct aircon_layout, slot_##epc),
static const uint16_t slot_offset[] = {SLOTS(OFFSET, 0)};
/* Each property's slot, plus one, by EPC - 0x80 (0: not a property of the
 * model): a value is found in one step on every read. */
#define INDEX(epc, room, k) index_##epc,
enum aircon_index { SLOTS(INDEX, 0) N_SLOTS };
#define INDEX_OF(epc, room, k) [(epc) - 0x80] = index_##epc + 1,
static const uint8_t index_of[128] = {SLOTS(INDEX_OF, 0)};
#else
/* When optimising for size, the plan itself, walked to find a slot (a
 * shortcut: the two tables above cost 264 bytes): which EPCs have a slot
 * (bit e & 7 of byte (e - 0x80) >> 3) and the room of each, in EPC order. */
#define HAS(epc, room, k) | (((epc) - 0x80) >> 3 == (k) ? 1u << ((epc) & 7) : 0u)
#define HAS_ROW(k) (uint8_t)(0u SLOTS(HAS, k))
static const uint8_t has_slot[16] = {HAS_ROW(0), HAS_ROW(1), HAS_ROW(2),  HAS_ROW(3),  HAS_ROW(4),  HAS_ROW(5),
                                     HAS_ROW(6), HAS_ROW(7), HAS_ROW(8),  HAS_ROW(9),  HAS_ROW(10), HAS_ROW(11),
                                     HAS_ROW(12), HAS_ROW(13), HAS_ROW(14), HAS_ROW(15)};
#define ROOM(epc, room, k) room,
static const uint8_t rooms[] = {SLOTS(ROOM, 0)};
#endif

/* Where a property's slot is in the model's store (struct aircon_layout),
 * plus one (0: not a property of the model), and the bytes of value it has
 * room for. */
static ECHONET_NOINLINE_FOR_SIZE size_t slot_at(uint8_t epc, size_t *room)
{
#if ECHONET_SHORTCUTS
    size_t k;

    if (epc < 0x80u || (k = index_of[epc - 0x80u]) == 0)
        return 0;
    *room = (k < N_SLOTS ? slot_offset[k] : ECHONET_AIRCON_STORE_SIZE) - slot_offset[k - 1u] - 1u;
    return slot_offset[k - 1u] + 1u;
#else
    size_t k = 0, at = 0;
    unsigned e;

    for (e = 0x80; e <= epc; e++)
        if (has_slot[(e - 0x80u) >> 3] >> (e & 7u) & 1u) {
            if (e == epc) {
                *room = rooms[k];
                return at + 1u;
            }
            at += 1u + rooms[k++];
        }
    return 0;
#endif
}

const echonet_prop_desc *echonet_aircon_overlay(size_t *n)
{
    if (n)
        *n = N_OVERLAY;
    return overlay;
}

/* A property of a generated table (in rising EPC order): its bracket found
 * by doubling from the start (the status properties 0x80, 0x8F, 0xA0...
 * come first), then by halves. */
static const echonet_prop_desc *find_sorted(const echonet_class *c, uint8_t epc)
{
    size_t lo = 0, hi = 1;

    while (hi <= c->n_props && c->props[hi - 1u].epc < epc) {
        lo = hi;
        hi = 2u * hi + 1u;
    }
    if (hi > c->n_props)
        hi = c->n_props;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (c->props[mid].epc == epc)
            return &c->props[mid];
        if (c->props[mid].epc < epc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const echonet_prop_desc *echonet_aircon_desc(uint8_t epc)
{
    const echonet_prop_desc *d;
    size_t room;

    /* Every property of the tables has a slot (aircon/store_plan); without
     * the optional properties, only the mandatory ones. */
    if (epc < 0x80u || (!ECHONET_AIRCON_OPTIONAL && !slot_at(epc, &room)))
        return NULL;
    if (in_overlay[(epc - 0x80u) >> 3] & (1u << (epc & 7u)))
        return echonet_prop_desc_find(overlay, N_OVERLAY, epc);
    d = find_sorted(&echonet_class_0130, epc);
    return d ? d : find_sorted(&echonet_class_superclass, epc);
}

echonet_err echonet_aircon_object_init(echonet_object *obj, echonet_eoj eoj, const echonet_propmap *omit,
                                       const echonet_object_ops *ops, void *ctx)
{
#if !ECHONET_AIRCON_OPTIONAL
    echonet_propmap all;
    unsigned epc;

    /* Without the optional properties the model has none of them. */
    echonet_aircon_omit(&all, NULL, 0);
    for (epc = omit ? echonet_propmap_next(omit, 0x80) : ECHONET_PROPMAP_END; epc != ECHONET_PROPMAP_END;
         epc = echonet_propmap_next(omit, epc + 1))
        (void)echonet_propmap_add(&all, (uint8_t)epc);
    omit = &all;
#endif
    /* The library's own tables, validated by the tests
     * (classes/aircon_overlay_on_mra): not validated again here. */
    return object_init_chained(obj, eoj, &echonet_class_0130, overlay, N_OVERLAY, omit, ops, ctx);
}

void echonet_aircon_omit(echonet_propmap *omit, const uint8_t *keep, size_t n_keep)
{
    if (!omit)
        return;
    /* Every optional property of the class and the superclass not kept
     * (all of them without ECHONET_AIRCON_OPTIONAL: the model lacks them). */
    if (echonet_class_omit(omit, &echonet_class_0130, ECHONET_AIRCON_OPTIONAL ? keep : NULL,
                           ECHONET_AIRCON_OPTIONAL && keep ? n_keep : 0) != ECHONET_OK)
        echonet_propmap_init(omit);
}

/* ---- Value helpers ------------------------------------------------------ */

bool echonet_aircon_temp_edt(int c, uint8_t *edt)
{
    if (!edt || c < 0 || c > ECHONET_TEMP_MAX)
        return false;
    *edt = (uint8_t)c;
    return true;
}

bool echonet_aircon_set_temp(uint8_t edt, int *c)
{
    if (edt > ECHONET_TEMP_MAX)
        return false;
    if (c)
        *c = edt;
    return true;
}

bool echonet_aircon_measured_temp(uint8_t edt, int *c)
{
    if (edt >= 0x7Eu && edt <= 0x80u)
        return false;
    if (c)
        *c = edt >= 0x80u ? (int)edt - 256 : (int)edt;
    return true;
}

bool echonet_aircon_measured_edt(int c, uint8_t *edt)
{
    if (!edt || c < -127 || c > 125)
        return false;
    *edt = (uint8_t)(c < 0 ? c + 256 : c);
    return true;
}

uint8_t echonet_aircon_flow_edt(int level)
{
    if (level == 0)
        return ECHONET_FLOW_AUTO;
    return level >= 1 && level <= 8 ? (uint8_t)(0x30 + level) : 0;
}

bool echonet_aircon_flow_level(uint8_t edt, int *level)
{
    int l;

    if (edt == ECHONET_FLOW_AUTO)
        l = 0;
    else if (edt >= 0x31u && edt <= 0x38u)
        l = edt - 0x30;
    else
        return false;
    if (level)
        *level = l;
    return true;
}

/* ---- Device model ------------------------------------------------------- */

/* Room for the largest value a descriptor allows: its size, or its second
 * size when that is larger (0x81 is 1 or 17 bytes). */
static size_t largest(const echonet_prop_desc *d)
{
    return d->size_alt != ECHONET_SIZE_VARIABLE && d->size_alt > d->size ? d->size_alt : d->size;
}

/* A property's slot and its room, or NULL. */
static uint8_t *slot_room(const echonet_aircon *ac, uint8_t epc, size_t *room)
{
    size_t at = slot_at(epc, room);

    return at ? (uint8_t *)(uintptr_t)(ac->store + at - 1u) : NULL;
}

static uint8_t *slot(const echonet_aircon *ac, uint8_t epc)
{
    size_t room;

    return slot_room(ac, epc, &room);
}

int echonet_aircon_value(const echonet_aircon *ac, uint8_t epc, uint8_t *edt, size_t cap)
{
    const uint8_t *s;

    if (!ac || !edt)
        return ECHONET_ERR_INVALID_ARG;
    s = slot(ac, epc);
    if (!s)
        return ECHONET_ERR_NOT_FOUND;
    if (cap < s[0])
        return ECHONET_ERR_NOBUF;
    if (ECHONET_SHORTCUTS && s[0] == 1)
        edt[0] = s[1]; /* most values: one byte, without a call */
    else
        memcpy(edt, s + 1, s[0]);
    return s[0];
}

/* Stores a valid value (checked by echonet_aircon_store(), or by the node
 * against the object's tables before its set accessor, or a factory value
 * that aircon/store_plan checks) in its slot, when it fits there. */
static echonet_err put(echonet_aircon *ac, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    size_t room;
    uint8_t *s = slot_room(ac, epc, &room);

    if (!s)
        return ECHONET_ERR_NOT_FOUND;
    if (pdc > room)
        return ECHONET_ERR_VALUE_SIZE;
    s[0] = (uint8_t)pdc;
    if (pdc > 0)
        memcpy(s + 1, edt, pdc);
    return ECHONET_OK;
}

echonet_err echonet_aircon_store(echonet_aircon *ac, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    const echonet_prop_desc *d;
    echonet_err err;

    if (!ac || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    d = echonet_aircon_desc(epc);
    if (!d)
        return ECHONET_ERR_NOT_FOUND;
    err = echonet_prop_desc_check(d, edt, pdc, false);
    return err != ECHONET_OK ? err : put(ac, epc, edt, pdc);
}

static void put_byte(echonet_aircon *ac, uint8_t epc, uint8_t v)
{
    (void)put(ac, epc, &v, 1);
}

/* Starts the 20-hour rule of a remotely operated unit from now (AIF 3.5
 * ⑧), or ends it (armed false). */
static ECHONET_NOINLINE_FOR_SIZE void line_rule(echonet_aircon *ac, bool armed, echonet_tstamp now)
{
    ac->remote_armed = armed;
    ac->line_deadline = armed ? echonet_tstamp_add(now, ECHONET_AIRCON_LINE_TIMEOUT) : ECHONET_TSTAMP_NEVER;
}

/* Factory values other than zeros, as (EPC, length, bytes): the date
 * properties, the air-flow levels (automatic) and the class's state. */
static const uint8_t factory[] = {
    0x80, 1, ECHONET_OFF, 0x81, 1, 0x00, 0x82, 4, 0x00, 0x00, 'H', 0x00, 0x88, 1, ECHONET_NO_FAULT, 0x8F, 1,
    ECHONET_POWER_SAVING_OFF, 0xA0, 1, ECHONET_FLOW_AUTO, 0xB0, 1, ECHONET_MODE_AUTO, 0xB3, 1, 20, 0xBB, 1, 20,
#if ECHONET_AIRCON_OPTIONAL
    0x8E, 4, 0x07, 0xD0, 1, 1, 0x93, 1, ECHONET_REMOTE_LOCAL, 0x98, 4, 0x07, 0xD0, 1, 1, 0xC2, 1, 0x41, 0xC4, 1,
    0x41,
#endif
};

/* The tables in lookup order: the overlay, the class, the superclass. */
static const echonet_prop_desc *layer(size_t l, size_t *n)
{
    const echonet_class *c = l == 1 ? &echonet_class_0130 : &echonet_class_superclass;

    *n = l == 0 ? N_OVERLAY : c->n_props;
    return l == 0 ? overlay : c->props;
}

echonet_err echonet_aircon_init(echonet_aircon *ac, const uint8_t manufacturer[3])
{
    const echonet_prop_desc *t;
    size_t l, i, n, room;
    uint8_t *s;

    if (!ac || !manufacturer)
        return ECHONET_ERR_INVALID_ARG;
    memset(ac, 0, sizeof *ac);
    line_rule(ac, false, 0);
    ac->prefix_at = ECHONET_TSTAMP_NEVER;
    /* Each property of the store (its plan and the tables agree:
     * aircon/store_plan) starts with the first code of its rule or zeros of
     * its size, as its first entry in lookup order says... */
    for (l = 0; l < 3; l++)
        for (t = layer(l, &n), i = 0; i < n; i++) {
            s = slot_room(ac, t[i].epc, &room);
            if (!s || s[0] != 0)
                continue;
            s[0] = t[i].size_alt == ECHONET_SIZE_VARIABLE ? 1 : t[i].size;
            if (t[i].rule == ECHONET_RULE_ENUM || t[i].rule == ECHONET_RULE_RANGE)
                s[1] = t[i].values[0];
        }
    /* ...then the factory state of the class... */
    for (i = 0; i < sizeof factory; i += 2u + factory[i + 1])
        (void)put(ac, factory[i], &factory[i + 2], factory[i + 1]);
    /* ...and the maker's code: 0x8A, in 0x83 after 0xFE, and in 0x86
     * without a fault (a 4-byte code field of zeros after the maker code,
     * b1 counting the code bytes, as real units report it). */
    memcpy(slot(ac, 0x8A) + 1, manufacturer, 3);
#if ECHONET_AIRCON_OPTIONAL
    s = slot(ac, 0x83);
    s[1] = 0xFE;
    memcpy(s + 2, manufacturer, 3);
    s = slot(ac, 0x86);
    s[0] = 8;
    s[1] = 0x04;
    memcpy(s + 2, manufacturer, 3);
#endif
    return ECHONET_OK;
}

echonet_err echonet_aircon_check_plan(echonet_aircon *ac)
{
    const echonet_prop_desc *t, *d;
    size_t l, i, n, room;
    unsigned epc;
    uint8_t v[VALUE_MAX];
    int len;

    (void)echonet_aircon_init(ac, (const uint8_t *)"\x00\x00\x77");
    for (epc = 0x80; epc <= 0xFF; epc++) {
        /* Every slot is a property with room for its largest value... */
        d = echonet_aircon_desc((uint8_t)epc);
        if (slot_room(ac, (uint8_t)epc, &room) && (!d || largest(d) > room))
            return ECHONET_ERR_TABLE;
        /* ...whose first value is valid... */
        len = d ? echonet_aircon_value(ac, (uint8_t)epc, v, sizeof v) : 0;
        if (d && (len < 0 || echonet_prop_desc_check(d, v, (size_t)len, false) != ECHONET_OK))
            return ECHONET_ERR_VALUE;
    }
    /* ...and every property of the tables (the optional ones with
     * ECHONET_AIRCON_OPTIONAL) has a slot. */
    for (l = 0; l < 3; l++)
        for (t = layer(l, &n), i = 0; i < n; i++)
            if ((ECHONET_AIRCON_OPTIONAL || (t[i].access & M)) && !slot(ac, t[i].epc))
                return ECHONET_ERR_TABLE;
    return ECHONET_OK;
}

static int aircon_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    return echonet_aircon_value(ctx, epc, edt, cap);
}

/* Whether a property is one an operation of the AIF spec sets (3.3.2): a
 * handset operation of one of them ends remote operation. */
static bool is_operation(uint8_t epc)
{
    return epc == 0x80 || epc == 0x8F || epc == 0xB0 || epc == 0xB3 || epc == 0xA0;
}

static int aircon_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                      echonet_tstamp now)
{
    echonet_aircon *ac = ctx;
    const uint8_t *old;

    if (epc == ECHONET_EPC_REMOTE_CONTROL && pdc == 1 && source == ECHONET_SET_NETWORK) {
        /* A line-health signal (0x61, 0x62) is acknowledged, never stored,
         * and keeps the 20-hour rule running if it is (AIF 3.5 ④, 5.7);
         * operation through the public network (0x42) starts it, for what
         * follows in this request too; anything else ends it. */
        bool line_ok = edt[0] == ECHONET_REMOTE_LINE_OK_LOCAL || edt[0] == ECHONET_REMOTE_LINE_OK_PUBLIC;

        ac->prefix_at = edt[0] == ECHONET_REMOTE_PUBLIC ? now : ECHONET_TSTAMP_NEVER;
        line_rule(ac, line_ok ? ac->remote_armed : edt[0] == ECHONET_REMOTE_PUBLIC, now);
        if (line_ok)
            return 0;
    } else if (is_operation(epc) && (source == ECHONET_SET_LOCAL || now != ac->prefix_at)) {
        /* Operated at the unit, by its handset, or from the home network
         * (a request without the 0x93 = 0x42 prefix, AIF 4.1): no longer
         * remote (AIF 3.5 (6), doc/decisions.md). A request's writes are
         * all made at one instant, the time of its prefix if it has one. */
        line_rule(ac, false, now);
        put_byte(ac, ECHONET_EPC_REMOTE_CONTROL, ECHONET_REMOTE_LOCAL);
    }
    /* Compared in the store itself: no copy of the old value on the stack. */
    old = slot(ac, epc);
    if (!old)
        return ECHONET_ERR_NOT_FOUND;
    if (old[0] == pdc && memcmp(old + 1, edt, pdc) == 0)
        return 0;
    return put(ac, epc, edt, pdc) == ECHONET_OK ? 1 : ECHONET_ERR_VALUE;
}

static echonet_tstamp aircon_expiry(void *ctx)
{
    const echonet_aircon *ac = ctx;

    return ac->remote_armed ? ac->line_deadline : ECHONET_TSTAMP_NEVER;
}

static void aircon_handle_expiry(void *ctx, echonet_tstamp now, echonet_propmap *changed)
{
    echonet_aircon *ac = ctx;
    uint8_t status = 0;

    if (!ac->remote_armed || now < ac->line_deadline)
        return;
    /* 20 hours without a line-health write: assume the line failed and stop
     * (AIF 3.5 ⑧); the change of 0x80 is announced. */
    line_rule(ac, false, now);
    (void)echonet_aircon_value(ac, ECHONET_EPC_OPERATION_STATUS, &status, 1);
    if (status != ECHONET_OFF) {
        put_byte(ac, ECHONET_EPC_OPERATION_STATUS, ECHONET_OFF);
        (void)echonet_propmap_add(changed, ECHONET_EPC_OPERATION_STATUS);
    }
}

const echonet_object_ops echonet_aircon_ops = {aircon_get, aircon_set, aircon_expiry, aircon_handle_expiry};
