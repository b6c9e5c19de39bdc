/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Home air conditioner class 0x0130 (reference 7 and 8; AIF tables 2-3, 2-4). */
#include "echonet/aircon.h"

#include <stddef.h>
#include <string.h>

#include "noinline.h"

/* Access shorthands: G get, S set, A announce, M mandatory. */
#define G ECHONET_ACCESS_GET
#define S ECHONET_ACCESS_SET
#define A ECHONET_ACCESS_ANNO
#define M ECHONET_ACCESS_MANDATORY
#define VAR ECHONET_SIZE_VARIABLE

#define N(a) ((uint8_t)sizeof(a))
/* Each entry is E(epc, room for its largest value, descriptor): the list
 * below is expanded once into the table and once into the store's layout. */
#define LARGEST(size, alt) ((alt) != VAR && (alt) > (size) ? (alt) : (size))
#define ANY(epc, acc, size, alt) E(epc, LARGEST(size, alt), {epc, acc, size, alt, ECHONET_RULE_ANY, 0, 0, NULL, NULL, NULL})
#define ENUM(epc, acc, codes, ro) E(epc, 1, {epc, acc, 1, 0, ECHONET_RULE_ENUM, N(codes), N(ro), codes, ro, NULL})
#define ENUM0(epc, acc, codes) E(epc, 1, {epc, acc, 1, 0, ECHONET_RULE_ENUM, N(codes), 0, codes, NULL, NULL})
#define RANGE(epc, acc, size, ranges, ro) \
    E(epc, size, {epc, acc, size, 0, ECHONET_RULE_RANGE, N(ranges), N(ro), ranges, ro, NULL})
#define RANGE0(epc, acc, size, ranges) E(epc, size, {epc, acc, size, 0, ECHONET_RULE_RANGE, N(ranges), 0, ranges, NULL, NULL})
#define SIGNED(epc, acc, ro) E(epc, 1, {epc, acc, 1, 0, ECHONET_RULE_RANGE_S8, 2, N(ro), s8_range, ro, NULL})
#define FUNC(epc, acc, size, alt, fn) E(epc, LARGEST(size, alt), {epc, acc, size, alt, ECHONET_RULE_FUNC, 0, 0, NULL, NULL, fn})
/* An optional property: in the table only with ECHONET_AIRCON_OPTIONAL
 * (config.h); the mandatory ones (flag M) are always there. */
#if ECHONET_AIRCON_OPTIONAL
#define OPT(entry) entry
#else
#define OPT(entry)
#endif

static const uint8_t on_off[] = {0x30, 0x31};
static const uint8_t fault[] = {0x41, 0x42};
static const uint8_t two_choice[] = {0x41, 0x42};
static const uint8_t five_choice[] = {0x41, 0x42, 0x43, 0x44, 0x45};
static const uint8_t mode_other[] = {0x40};
static const uint8_t flow[] = {0x41, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38};
static const uint8_t celsius[] = {0x00, 0x32};
static const uint8_t undefined[] = {0xFD};
static const uint8_t s8_range[] = {0x81, 0x7D};             /* -127 .. 125 */
static const uint8_t s8_invalid[] = {0x7E, 0x7F, 0x80};     /* unmeasurable, overflow, underflow */
static const uint8_t position_marker[] = {0x01};
#if ECHONET_AIRCON_OPTIONAL
static const uint8_t three_choice[] = {0x41, 0x42, 0x43};
static const uint8_t four_choice[] = {0x41, 0x42, 0x43, 0x44};
static const uint8_t remote[] = {0x41, 0x42, 0x61, 0x62};
static const uint8_t swing[] = {0x31, 0x41, 0x42, 0x43};
static const uint8_t horizontal[] = {0x41, 0x42, 0x43, 0x44, 0x51, 0x52, 0x54, 0x55, 0x56, 0x57, 0x58,
                                     0x59, 0x5A, 0x5B, 0x5C, 0x5D, 0x5F, 0x60, 0x61, 0x62, 0x63, 0x64,
                                     0x65, 0x66, 0x67, 0x69, 0x6A, 0x6C, 0x6D, 0x6E, 0x6F};
static const uint8_t special_state[] = {0x40, 0x41, 0x42, 0x43};
static const uint8_t non_priority[] = {0x40, 0x41};
static const uint8_t special_function[] = {0x40, 0x41, 0x42, 0x43, 0x44};
static const uint8_t thermostat[] = {0x40, 0x41, 0x42};
static const uint8_t buzzer[] = {0x41};
static const uint8_t level8_auto[] = {0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x41};
static const uint8_t percent[] = {0x00, 0x64};
static const uint8_t unmeasurable[] = {0x7E};
static const uint8_t hh_mm[] = {0x00, 0x17, 0x00, 0x3B};    /* 0-23 h, 0-59 min */
static const uint8_t hhh_mm[] = {0x00, 0xFF, 0x00, 0x3B};   /* 0-255 h, 0-59 min */
#endif

/* 0x81: one byte (bit 7 free definition, bits 6-3 location, bits 2-0 number;
 * 0x00 not set, 0xFF indefinite) or 17 bytes starting 0x01 (position
 * information). One-byte 0x01-0x07 would be location code 0: reserved; a
 * device may still report 0x01, the marker of the position-information form
 * (reference 7.1), so it is a read-only code. */
static bool check_installation(const uint8_t *edt, size_t pdc)
{
    if (pdc == 17)
        return edt[0] == 0x01;
    return edt[0] == 0x00 || edt[0] >= 0x08;
}

#if ECHONET_AIRCON_OPTIONAL
/* 0x98: YYYY (1-9999) MM (1-12) DD (1-31). */
static bool check_date(const uint8_t *edt, size_t pdc)
{
    unsigned year = (unsigned)edt[0] << 8 | edt[1];

    (void)pdc;
    return year >= 1 && year <= 9999 && edt[2] >= 1 && edt[2] <= 12 && edt[3] >= 1 && edt[3] <= 31;
}

/* 0xC7/0xC9/0xCB: per method, bits 0-2 level, bit 3 on/off, bit 4 auto. */
static bool check_methods(const uint8_t *edt, size_t pdc)
{
    size_t i;

    for (i = 0; i < pdc; i++)
        if (edt[i] & 0xE0u)
            return false;
    return true;
}
#endif

/* Announce flags follow the AIF (0x80, 0x81, 0x88, 0x8F, 0xA0, 0xB0); the
 * mandatory set is AIF tables 2-3 and 2-4. */
#define AIRCON_TABLE \
    ENUM0(0x80, G | S | A | M, on_off) \
    E(0x81, 17, {0x81, G | S | A | M, 1, 17, ECHONET_RULE_FUNC, 0, N(position_marker), NULL, position_marker, check_installation}) \
    ANY(0x82, G | M, 4, 0) \
    OPT(ANY(0x83, G, 17, 9)) \
    OPT(ANY(0x84, G, 2, 0)) \
    OPT(ANY(0x85, G, 4, 0)) \
    OPT(ANY(0x86, G, 225, VAR)) \
    OPT(RANGE0(0x87, G | S, 1, percent)) \
    ENUM0(0x88, G | A | M, fault) \
    OPT(ANY(0x89, G, 2, 0)) \
    ANY(0x8A, G | M, 3, 0) \
    OPT(ANY(0x8B, G, 3, 0)) \
    OPT(ANY(0x8C, G, 12, 0)) \
    OPT(ANY(0x8D, G, 12, 0)) \
    OPT(ANY(0x8E, G, 4, 0)) \
    ENUM0(0x8F, G | S | A | M, two_choice) \
    OPT(ENUM0(0x90, G | S, four_choice)) \
    OPT(RANGE0(0x91, G | S, 2, hh_mm)) \
    OPT(RANGE0(0x92, G | S, 2, hhh_mm)) \
    OPT(ENUM0(0x93, G | S, remote)) \
    OPT(ENUM0(0x94, G | S, four_choice)) \
    OPT(RANGE0(0x95, G | S, 2, hh_mm)) \
    OPT(RANGE0(0x96, G | S, 2, hhh_mm)) \
    OPT(RANGE0(0x97, G | S, 2, hh_mm)) \
    OPT(FUNC(0x98, G | S, 4, 0, check_date)) \
    OPT(ANY(0x99, G | S, 2, 0)) \
    OPT(ANY(0x9A, G, 5, 0)) \
    ANY(0x9D, G | M, 17, VAR) \
    ANY(0x9E, G | M, 17, VAR) \
    ANY(0x9F, G | M, 17, VAR) \
    ENUM0(0xA0, G | S | A | M, flow) \
    OPT(ENUM0(0xA1, G | S, four_choice)) \
    OPT(ENUM0(0xA3, G | S, swing)) \
    OPT(ENUM0(0xA4, G | S, five_choice)) \
    OPT(ENUM0(0xA5, G | S, horizontal)) \
    OPT(ENUM0(0xAA, G, special_state)) \
    OPT(ENUM0(0xAB, G, non_priority)) \
    ENUM(0xB0, G | S | A | M, five_choice, mode_other) \
    OPT(ENUM0(0xB1, G | S, two_choice)) \
    OPT(ENUM0(0xB2, G | S, three_choice)) \
    RANGE(0xB3, G | S | M, 1, celsius, undefined) \
    OPT(RANGE0(0xB4, G | S, 1, percent)) \
    OPT(RANGE(0xB5, G | S, 1, celsius, undefined)) \
    OPT(RANGE(0xB6, G | S, 1, celsius, undefined)) \
    OPT(RANGE(0xB7, G | S, 1, celsius, undefined)) \
    OPT(ANY(0xB8, G, 8, 0)) \
    OPT(ANY(0xB9, G, 2, 0)) \
    OPT(RANGE(0xBA, G, 1, percent, undefined)) \
    SIGNED(0xBB, G | M, s8_invalid) \
    OPT(RANGE0(0xBC, G, 1, celsius)) \
    OPT(SIGNED(0xBD, G, s8_invalid)) \
    OPT(SIGNED(0xBE, G, s8_invalid)) \
    OPT(SIGNED(0xBF, G | S, unmeasurable)) \
    OPT(ENUM0(0xC0, G | S, four_choice)) \
    OPT(ENUM0(0xC1, G | S, two_choice)) \
    OPT(ENUM0(0xC2, G | S, level8_auto)) \
    OPT(ENUM0(0xC4, G | S, level8_auto)) \
    OPT(ANY(0xC6, G, 1, 0)) \
    OPT(FUNC(0xC7, G | S, 8, 0, check_methods)) \
    OPT(ANY(0xC8, G, 1, 0)) \
    OPT(FUNC(0xC9, G | S, 8, 0, check_methods)) \
    OPT(ANY(0xCA, G, 1, 0)) \
    OPT(FUNC(0xCB, G | S, 8, 0, check_methods)) \
    OPT(ENUM0(0xCC, G | S, special_function)) \
    OPT(ANY(0xCD, G, 1, 0)) \
    OPT(ENUM0(0xCE, G | S, thermostat)) \
    OPT(ENUM0(0xCF, G | S, two_choice)) \
    OPT(ENUM0(0xD0, S, buzzer))

#define E(epc, largest, ...) __VA_ARGS__,
static const echonet_prop_desc aircon_props[] = {AIRCON_TABLE};
#undef E

/* The model's store: for each table entry in order, a length byte then
 * room for the descriptor's largest value. */
#define E(epc, largest, ...) uint8_t slot_##epc[1 + (largest)];
struct aircon_layout {
    AIRCON_TABLE
};
#undef E
#define E(epc, largest, ...) (uint16_t)offsetof(struct aircon_layout, slot_##epc),
static const uint16_t slot_offset[] = {AIRCON_TABLE};
#undef E
/* Each property's entry, plus one, by EPC - 0x80 (0: not in the table): a
 * value is found in one step on every read. */
#define E(epc, largest, ...) index_##epc,
enum aircon_index { AIRCON_TABLE };
#undef E
#define E(epc, largest, ...) [(epc) - 0x80] = index_##epc + 1,
static const uint8_t index_of[128] = {AIRCON_TABLE};
#undef E

#define N_PROPS (sizeof aircon_props / sizeof aircon_props[0])

const echonet_prop_desc *echonet_aircon_props(size_t *n)
{
    if (n)
        *n = N_PROPS;
    return aircon_props;
}

void echonet_aircon_omit(echonet_propmap *omit, const uint8_t *keep, size_t n_keep)
{
    size_t i, k;

    if (!omit)
        return;
    echonet_propmap_init(omit);
    for (i = 0; i < N_PROPS; i++) {
        bool kept = (aircon_props[i].access & ECHONET_ACCESS_MANDATORY) != 0;

        for (k = 0; keep && k < n_keep && !kept; k++)
            kept = keep[k] == aircon_props[i].epc;
        if (!kept)
            (void)echonet_propmap_add(omit, aircon_props[i].epc);
    }
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

/* A property's place in the model's store (struct aircon_layout). */
static uint8_t *slot(const echonet_aircon *ac, uint8_t epc, const echonet_prop_desc **desc)
{
    size_t i;

    if (epc < 0x80u || index_of[epc - 0x80u] == 0)
        return NULL;
    i = index_of[epc - 0x80u] - 1u;
    if (desc)
        *desc = &aircon_props[i];
    return (uint8_t *)(uintptr_t)(ac->store + slot_offset[i]);
}

int echonet_aircon_value(const echonet_aircon *ac, uint8_t epc, uint8_t *edt, size_t cap)
{
    const uint8_t *s;

    if (!ac || !edt)
        return ECHONET_ERR_INVALID_ARG;
    s = slot(ac, epc, NULL);
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

echonet_err echonet_aircon_store(echonet_aircon *ac, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    const echonet_prop_desc *d = NULL;
    uint8_t *s;
    echonet_err err;

    if (!ac || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    s = slot(ac, epc, &d);
    if (!s)
        return ECHONET_ERR_NOT_FOUND;
    err = echonet_prop_desc_check(d, edt, pdc, false);
    if (err != ECHONET_OK)
        return err;
    s[0] = (uint8_t)pdc;
    memcpy(s + 1, edt, pdc);
    return ECHONET_OK;
}

static int store_byte(echonet_aircon *ac, uint8_t epc, uint8_t v)
{
    return echonet_aircon_store(ac, epc, &v, 1);
}

echonet_err echonet_aircon_init(echonet_aircon *ac, const uint8_t manufacturer[3])
{
    static const uint8_t version[4] = {0x00, 0x00, 'H', 0x00};
#if ECHONET_AIRCON_OPTIONAL
    uint8_t no_fault[8] = {0x04};
    uint8_t id[17] = {0xFE};
#endif
    size_t i, need = 0;
    int err;

    if (!ac || !manufacturer)
        return ECHONET_ERR_INVALID_ARG;
    for (i = 0; i < N_PROPS; i++)
        need += 1u + largest(&aircon_props[i]);
    if (need > sizeof ac->store)
        return ECHONET_ERR_TABLE;
    memset(ac, 0, sizeof *ac);
    ac->line_deadline = ECHONET_TSTAMP_NEVER;
    ac->prefix_at = ECHONET_TSTAMP_NEVER;
    /* Every property starts with a valid value of its largest size... */
    for (i = 0; i < N_PROPS; i++) {
        const echonet_prop_desc *d = &aircon_props[i];
        uint8_t v = d->rule == ECHONET_RULE_ENUM ? d->values[0] : d->rule == ECHONET_RULE_RANGE ? d->values[0] : 0;
        uint8_t *s = slot(ac, d->epc, NULL);

        s[0] = d->size_alt == ECHONET_SIZE_VARIABLE ? 1 : d->size;
        memset(s + 1, 0, largest(d));
        s[1] = v;
        if (d->rule == ECHONET_RULE_FUNC && d->epc == 0x98) {
            s[1] = 0x07; /* 2000-01-01 */
            s[2] = 0xD0;
            s[3] = 1;
            s[4] = 1;
        }
    }
    /* ...then the factory state of the class. */
    err = store_byte(ac, 0x80, ECHONET_OFF);
    err |= store_byte(ac, 0x81, 0x00);
    err |= echonet_aircon_store(ac, 0x82, version, 4);
#if ECHONET_AIRCON_OPTIONAL
    memcpy(id + 1, manufacturer, 3);
    err |= echonet_aircon_store(ac, 0x83, id, 17);
    /* 0x86 without a fault: a 4-byte code field of zeros after the maker
     * code (b1 counts the code bytes, as real units report it). */
    memcpy(no_fault + 1, manufacturer, 3);
    err |= echonet_aircon_store(ac, 0x86, no_fault, 8);
#endif
    err |= store_byte(ac, 0x88, ECHONET_NO_FAULT);
    err |= echonet_aircon_store(ac, 0x8A, manufacturer, 3);
    err |= store_byte(ac, 0x8F, ECHONET_POWER_SAVING_OFF);
#if ECHONET_AIRCON_OPTIONAL
    err |= store_byte(ac, 0x93, ECHONET_REMOTE_LOCAL);
#endif
    err |= store_byte(ac, 0xA0, ECHONET_FLOW_AUTO);
    err |= store_byte(ac, 0xB0, ECHONET_MODE_AUTO);
    err |= store_byte(ac, 0xB3, 20);
    err |= store_byte(ac, 0xBB, 20);
    return err == 0 ? ECHONET_OK : ECHONET_ERR_TABLE;
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
        switch (edt[0]) {
        case ECHONET_REMOTE_LINE_OK_LOCAL:
        case ECHONET_REMOTE_LINE_OK_PUBLIC:
            /* A line-health signal: acknowledged, never stored (AIF 3.5 ④, 5.7). */
            ac->prefix_at = ECHONET_TSTAMP_NEVER;
            if (ac->remote_armed)
                ac->line_deadline = echonet_tstamp_add(now, ECHONET_AIRCON_LINE_TIMEOUT);
            return 0;
        case ECHONET_REMOTE_PUBLIC:
            /* Operation through the public network: the 20-hour rule applies
             * (to what follows in this request, too). */
            ac->remote_armed = true;
            ac->line_deadline = echonet_tstamp_add(now, ECHONET_AIRCON_LINE_TIMEOUT);
            ac->prefix_at = now;
            break;
        default:
            ac->remote_armed = false;
            ac->line_deadline = ECHONET_TSTAMP_NEVER;
            ac->prefix_at = ECHONET_TSTAMP_NEVER;
            break;
        }
    } else if (is_operation(epc) && (source == ECHONET_SET_LOCAL || now != ac->prefix_at)) {
        /* Operated at the unit, by its handset, or from the home network
         * (a request without the 0x93 = 0x42 prefix, AIF 4.1): no longer
         * remote (AIF 3.5 (6), doc/decisions.md). A request's writes are
         * all made at one instant, the time of its prefix if it has one. */
        ac->remote_armed = false;
        ac->line_deadline = ECHONET_TSTAMP_NEVER;
        (void)store_byte(ac, ECHONET_EPC_REMOTE_CONTROL, ECHONET_REMOTE_LOCAL);
    }
    /* Compared in the store itself: no copy of the old value on the stack. */
    old = slot(ac, epc, NULL);
    if (!old)
        return ECHONET_ERR_NOT_FOUND;
    if (old[0] == pdc && memcmp(old + 1, edt, pdc) == 0)
        return 0;
    return echonet_aircon_store(ac, epc, edt, pdc) == ECHONET_OK ? 1 : ECHONET_ERR_VALUE;
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
    ac->remote_armed = false;
    ac->line_deadline = ECHONET_TSTAMP_NEVER;
    (void)echonet_aircon_value(ac, ECHONET_EPC_OPERATION_STATUS, &status, 1);
    if (status != ECHONET_OFF) {
        (void)store_byte(ac, ECHONET_EPC_OPERATION_STATUS, ECHONET_OFF);
        (void)echonet_propmap_add(changed, ECHONET_EPC_OPERATION_STATUS);
    }
}

const echonet_object_ops echonet_aircon_ops = {aircon_get, aircon_set, aircon_expiry, aircon_handle_expiry};
