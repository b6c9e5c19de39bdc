/* Home air conditioner class 0x0130: the descriptor table against
 * expectations written from reference sections 7 and 8 (not from the code):
 * every EPC's access and mandatory flags, every allowed size, all 256 values
 * of every one-byte property, boundary vectors of the multi-byte ones; the
 * value helpers of aircon.h; the device model's factory values and store.
 * Built with ECHONET_AIRCON_OPTIONAL 0 (meson -Daircon_optional=false), the
 * table must hold exactly the mandatory properties of the same expectations:
 * every optional one is checked to be absent from the table and the model. */
#include <stdbool.h>
#include <string.h>

#include "echonet/aircon.h"
#include "echonet/node.h"
#include "echonet/propdesc.h"
#include "echonet/propmap.h"
#include "../lib/aircon_internal.h"
#include "tests.h"

#define G ECHONET_ACCESS_GET
#define S ECHONET_ACCESS_SET
#define A ECHONET_ACCESS_ANNO
#define M ECHONET_ACCESS_MANDATORY

/* size2: any size from 1 to size. */
#define VAR 0xFF

/* What the reference says about one property. */
struct expect {
    uint8_t epc;
    uint8_t access; /* G/S/A/M as expected */
    uint8_t size;   /* the only size, or the largest */
    uint8_t size2;  /* a second allowed size, VAR, or 0 */
    /* Properties with a one-byte form: the codes valid in a Set, and the
     * codes valid only when read. Hex bytes and "lo-hi" ranges. */
    const char *ok;
    const char *ro;
};

static const struct expect expects[] = {
    /* Reference 7: superclass; access per 8.1 and the AIF sets. */
    {0x80, G | S | A | M, 1, 0, "30 31", NULL},
    {0x81, G | S | A | M, 17, 1, "00 08-FF", "01"}, /* 7.1; location code 0 reserved; 0x01 = position-information marker, read only */
    {0x82, G | M, 4, 0, NULL, NULL},
    {0x83, G, 17, 9, NULL, NULL},
    {0x84, G, 2, 0, NULL, NULL},
    {0x85, G, 4, 0, NULL, NULL},
    {0x86, G, 225, VAR, NULL, NULL},
    {0x87, G | S, 1, 0, "00-64", NULL},
    {0x88, G | A | M, 1, 0, "41 42", NULL},
    {0x89, G, 2, 0, NULL, NULL},
    {0x8A, G | M, 3, 0, NULL, NULL},
    {0x8B, G, 3, 0, NULL, NULL},
    {0x8C, G, 12, 0, NULL, NULL},
    {0x8D, G, 12, 0, NULL, NULL},
    {0x8E, G, 4, 0, NULL, NULL},
    {0x8F, G | S | A | M, 1, 0, "41 42", NULL},
    {0x93, G | S, 1, 0, "41 42 61 62", NULL}, /* 7.4 */
    {0x97, G | S, 2, 0, NULL, NULL},
    {0x98, G | S, 4, 0, NULL, NULL},
    {0x99, G | S, 2, 0, NULL, NULL},
    {0x9A, G, 5, 0, NULL, NULL},
    {0x9D, G | M, 17, VAR, NULL, NULL},
    {0x9E, G | M, 17, VAR, NULL, NULL},
    {0x9F, G | M, 17, VAR, NULL, NULL},
    /* Reference 8.1: AIF-mandatory class properties. */
    {0xA0, G | S | A | M, 1, 0, "31-38 41", NULL},
    {0xB0, G | S | A | M, 1, 0, "41-45", "40"},
    {0xB3, G | S | M, 1, 0, "00-32", "FD"},
    {0xBB, G | M, 1, 0, "81-FF 00-7D", "7E 7F 80"},
    /* Reference 8.2: optional class properties. */
    {0xB1, G | S, 1, 0, "41 42", NULL},
    {0xB2, G | S, 1, 0, "41 42 43", NULL},
    {0xB4, G | S, 1, 0, "00-64", NULL},
    {0xB5, G | S, 1, 0, "00-32", "FD"},
    {0xB6, G | S, 1, 0, "00-32", "FD"},
    {0xB7, G | S, 1, 0, "00-32", "FD"},
    {0xB8, G, 8, 0, NULL, NULL},
    {0xB9, G, 2, 0, NULL, NULL},
    {0xBA, G, 1, 0, "00-64", "FD"},
    {0xBC, G, 1, 0, "00-32", NULL},
    {0xBD, G, 1, 0, "81-FF 00-7D", "7E 7F 80"},
    {0xBE, G, 1, 0, "81-FF 00-7D", "7E 7F 80"},
    {0xBF, G | S, 1, 0, "81-FF 00-7D", "7E"},
    {0xA1, G | S, 1, 0, "41 42 43 44", NULL},
    {0xA3, G | S, 1, 0, "31 41 42 43", NULL},
    {0xA4, G | S, 1, 0, "41-45", NULL},
    {0xA5, G | S, 1, 0,
     "41 42 43 44 51 52 54 55 56 57 58 59 5A 5B 5C 5D 5F 60 61 62 63 64 65 66 67 69 6A 6C 6D 6E 6F", NULL},
    {0xAA, G, 1, 0, "40 41 42 43", NULL},
    {0xAB, G, 1, 0, "40 41", NULL},
    {0xC0, G | S, 1, 0, "41 42 43 44", NULL},
    {0xC1, G | S, 1, 0, "41 42", NULL},
    {0xC2, G | S, 1, 0, "31-38 41", NULL},
    {0xC4, G | S, 1, 0, "31-38 41", NULL},
    {0xC6, G, 1, 0, "00-FF", NULL}, /* reserved bits tolerated in read-only bitmaps (doc/decisions.md) */
    {0xC7, G | S, 8, 0, NULL, NULL},
    {0xC8, G, 1, 0, "00-FF", NULL}, /* reserved bits tolerated in read-only bitmaps (doc/decisions.md) */
    {0xC9, G | S, 8, 0, NULL, NULL},
    {0xCA, G, 1, 0, "00-FF", NULL}, /* reserved bits tolerated in read-only bitmaps (doc/decisions.md) */
    {0xCB, G | S, 8, 0, NULL, NULL},
    {0xCC, G | S, 1, 0, "40 41 42 43 44", NULL},
    {0xCD, G, 1, 0, "00-FF", NULL}, /* reserved bits tolerated in read-only bitmaps (doc/decisions.md) */
    {0xCE, G | S, 1, 0, "40 41 42", NULL},
    {0xCF, G | S, 1, 0, "41 42", NULL},
    {0xD0, S, 1, 0, "41", NULL},
    {0x90, G | S, 1, 0, "41 42 43 44", NULL},
    {0x94, G | S, 1, 0, "41 42 43 44", NULL},
    {0x91, G | S, 2, 0, NULL, NULL},
    {0x95, G | S, 2, 0, NULL, NULL},
    {0x92, G | S, 2, 0, NULL, NULL},
    {0x96, G | S, 2, 0, NULL, NULL},
};
#define N_EXPECTS (sizeof expects / sizeof expects[0])

/* Sum over the expected table of (1 + largest size), worked out by hand:
 * 68 properties; sizes 309 (0x80-0x8F) + 75 (0x90-0x9F) + 7 (0xAx) +
 * 24 (0xBx) + 35 (0xCx) + 1 (0xD0) = 451. The 13 mandatory ones only:
 * sizes 1 + 17 + 4 + 1 + 3 + 1 (0x80-0x8F) + 51 (0x9D-0x9F) + 1 (0xA0) +
 * 3 (0xB0, 0xB3, 0xBB) = 82. */
#if ECHONET_AIRCON_OPTIONAL
#define EXPECTED_STORE_SIZE (68u + 451u)
#define EXPECTED_PROPS 68u
#else
#define EXPECTED_STORE_SIZE (13u + 82u)
#define EXPECTED_PROPS 13u
#endif

static const struct expect *expect_of(unsigned epc)
{
    size_t i;

    for (i = 0; i < N_EXPECTS; i++)
        if (expects[i].epc == epc)
            return &expects[i];
    return NULL;
}

/* Whether this build's table has the property: mandatory ones always,
 * optional ones with ECHONET_AIRCON_OPTIONAL. */
static bool expected_present(const struct expect *e)
{
    return ECHONET_AIRCON_OPTIONAL || (e->access & M) != 0;
}

static bool size_allowed(const struct expect *e, size_t pdc)
{
    if (e->size2 == VAR)
        return pdc >= 1 && pdc <= e->size;
    return pdc == e->size || (e->size2 != 0 && pdc == e->size2);
}

static unsigned hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return (unsigned)(c - '0');
    if (c >= 'A' && c <= 'F')
        return (unsigned)(c - 'A' + 10);
    ck_abort_msg("bad spec digit '%c'", c);
    return 0;
}

/* Whether v is in a spec such as "00 08-FF". */
static bool in_spec(const char *spec, unsigned v)
{
    while (spec && *spec) {
        unsigned lo, hi;

        if (*spec == ' ') {
            spec++;
            continue;
        }
        lo = hex_digit(spec[0]) << 4 | hex_digit(spec[1]);
        spec += 2;
        hi = lo;
        if (*spec == '-') {
            hi = hex_digit(spec[1]) << 4 | hex_digit(spec[2]);
            spec += 3;
        }
        if (v >= lo && v <= hi)
            return true;
    }
    return false;
}

/* The class's properties, as the library looks them up (the AIF overlay,
 * then the generated class and superclass tables). */
static const echonet_prop_desc *desc_of(unsigned epc)
{
    const echonet_prop_desc *d = echonet_aircon_desc((uint8_t)epc);

    ck_assert_msg(d != NULL, "EPC %02X missing from the table", epc);
    return d;
}

/* The descriptor of a property this build has; NULL, after checking that
 * the table does not have it, for an optional one left out. */
static const echonet_prop_desc *desc_if_present(unsigned epc)
{
    const struct expect *e = expect_of(epc);

    ck_assert_ptr_nonnull(e);
    if (expected_present(e))
        return desc_of(epc);
    ck_assert_msg(echonet_aircon_desc((uint8_t)epc) == NULL, "optional EPC %02X in a mandatory-only table", epc);
    return NULL;
}

/* Checks pdc bytes flush against an unreadable page. */
static echonet_err check_bytes(const echonet_prop_desc *d, const uint8_t *edt, size_t pdc, bool for_set)
{
    return echonet_prop_desc_check(d, guard_place(edt, pdc), pdc, for_set);
}

/* --- 2. Presence, access and mandatory flags -------------------------- */

/* Guards this file's own table: one entry per EPC, one-byte forms specified. */
START_TEST(expectations_well_formed)
{
    size_t i, j;

    ck_assert_uint_eq(N_EXPECTS, 68);
    for (i = 0; i < N_EXPECTS; i++) {
        const struct expect *e = &expects[i];
        bool has_one_byte = e->size2 != VAR && (e->size == 1 || e->size2 == 1);

        for (j = i + 1; j < N_EXPECTS; j++)
            ck_assert_msg(expects[j].epc != e->epc, "EPC %02X twice", e->epc);
        ck_assert_msg(has_one_byte == (e->ok != NULL), "EPC %02X: one-byte spec", e->epc);
    }
}
END_TEST

START_TEST(property_present_with_access)
{
    const struct expect *e = &expects[_i];
    const echonet_prop_desc *d = desc_if_present(e->epc);

    if (!d)
        return; /* absent, as desc_if_present() checked */
    ck_assert_uint_eq(d->epc, e->epc);
    ck_assert_msg(d->access == e->access, "EPC %02X: access %02X, expected %02X", e->epc, d->access, e->access);
}
END_TEST

START_TEST(no_unexpected_property)
{
    size_t n = 0, i, n_present = 0, n_overlay;
    const echonet_prop_desc *overlay = echonet_aircon_overlay(&n_overlay);
    unsigned epc;

    for (epc = 0; epc < 256; epc++) {
        const echonet_prop_desc *d = echonet_aircon_desc((uint8_t)epc);

        if (!d)
            continue;
        n++;
        ck_assert_uint_eq(d->epc, epc);
        ck_assert_msg(expect_of(epc) != NULL, "unexpected EPC %02X in the table", epc);
        ck_assert_int_eq(echonet_prop_desc_validate(d, 1), ECHONET_OK);
    }
    ck_assert_uint_eq(n, EXPECTED_PROPS);
    for (i = 0; i < N_EXPECTS; i++)
        if (expected_present(&expects[i]))
            n_present++;
    ck_assert_uint_eq(n, n_present);
    ck_assert_ptr_eq(echonet_aircon_overlay(NULL), overlay);
    /* Reference 7 note: the SetM/GetM maps do not apply to ECHONET Lite. */
    ck_assert_ptr_null(echonet_aircon_desc(0x9B));
    ck_assert_ptr_null(echonet_aircon_desc(0x9C));
    ck_assert_int_eq(echonet_prop_desc_validate(overlay, n_overlay), ECHONET_OK);
}
END_TEST

/* The mandatory and announcement sets spelled out, independent of expects[]. */
START_TEST(mandatory_and_anno_sets)
{
    static const uint8_t mandatory[] = {0x80, 0x81, 0x82, 0x88, 0x8A, 0x8F, 0x9D,
                                        0x9E, 0x9F, 0xA0, 0xB0, 0xB3, 0xBB};
    static const uint8_t anno[] = {0x80, 0x81, 0x88, 0x8F, 0xA0, 0xB0};
    size_t n_m = 0, n_a = 0;
    unsigned epc;

    for (epc = 0x80; epc < 256; epc++) {
        const echonet_prop_desc *d = echonet_aircon_desc((uint8_t)epc);
        bool want_m = memchr(mandatory, (int)epc, sizeof mandatory) != NULL;
        bool want_a = memchr(anno, (int)epc, sizeof anno) != NULL;

        if (!d)
            continue;
        ck_assert_msg(((d->access & M) != 0) == want_m, "EPC %02X mandatory flag", epc);
        ck_assert_msg(((d->access & A) != 0) == want_a, "EPC %02X announce flag", epc);
        n_m += want_m;
        n_a += want_a;
    }
    ck_assert_uint_eq(n_m, sizeof mandatory);
    ck_assert_uint_eq(n_a, sizeof anno);
#if ECHONET_AIRCON_OPTIONAL
    ck_assert_uint_eq(desc_of(0x93)->access, G | S);
    ck_assert_uint_eq(desc_of(0xD0)->access, S);
#else
    ck_assert_ptr_null(desc_if_present(0x93));
    ck_assert_ptr_null(desc_if_present(0xD0));
#endif
}
END_TEST

/* --- 3. Values and sizes ---------------------------------------------- */

/* Every size from 0 to one past the largest: refused exactly when the
 * reference does not allow it, for a Set and for a read value. */
START_TEST(sizes)
{
    const struct expect *e = &expects[_i];
    const echonet_prop_desc *d = desc_if_present(e->epc);
    uint8_t buf[256];
    size_t pdc, top = (size_t)e->size + 1;
    int for_set;

    if (!d)
        return; /* absent, as desc_if_present() checked */
    memset(buf, 0, sizeof buf);
    for (for_set = 0; for_set < 2; for_set++) {
        for (pdc = 0; pdc <= top; pdc++) {
            echonet_err err = check_bytes(d, buf, pdc, for_set);

            if (size_allowed(e, pdc))
                ck_assert_msg(err != ECHONET_ERR_VALUE_SIZE, "EPC %02X: size %zu refused", e->epc, pdc);
            else
                ck_assert_msg(err == ECHONET_ERR_VALUE_SIZE, "EPC %02X: size %zu gives %d", e->epc, pdc, err);
        }
        ck_assert_int_eq(echonet_prop_desc_check(d, NULL, 0, for_set), ECHONET_ERR_VALUE_SIZE);
    }
}
END_TEST

/* All 256 values of every one-byte form against the expected sets. */
START_TEST(one_byte_all_values)
{
    const struct expect *e = &expects[_i];
    const echonet_prop_desc *d;
    unsigned v;

    d = desc_if_present(e->epc);
    if (!e->ok || !d)
        return;
    for (v = 0; v < 256; v++) {
        uint8_t b = (uint8_t)v;
        bool set_ok = in_spec(e->ok, v), read_ok = set_ok || in_spec(e->ro, v);
        echonet_err s = check_bytes(d, &b, 1, true), r = check_bytes(d, &b, 1, false);

        ck_assert_msg(s == (set_ok ? ECHONET_OK : ECHONET_ERR_VALUE), "EPC %02X = %02X for Set: %d", e->epc, v, s);
        ck_assert_msg(r == (read_ok ? ECHONET_OK : ECHONET_ERR_VALUE), "EPC %02X = %02X read: %d", e->epc, v, r);
    }
}
END_TEST

#define OK ECHONET_OK
#define BAD ECHONET_ERR_VALUE
#define NA 1 /* not asserted */

/* Boundary vectors: the result for a Set and for a read value. */
struct vec {
    uint8_t epc;
    const char *hex;
    int set, read;
};

static const struct vec vecs[] = {
    /* 0x81 17-byte form: 0x01 then 16 bytes of position information. */
    {0x81, "01 00000000000000000000000000000000", OK, OK},
    {0x81, "01 FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", OK, OK},
    {0x81, "00 00000000000000000000000000000000", BAD, BAD},
    {0x81, "02 00000000000000000000000000000000", BAD, BAD},
    {0x81, "FF 00000000000000000000000000000000", BAD, BAD},
    /* 0x82: 00 00 <release letter> <revision>. */
    {0x82, "00 00 48 00", OK, OK},
    {0x82, "00 00 52 01", OK, OK},
    {0x82, "00 00 61 00", OK, OK},
    {0x82, "00 00 4A FF", OK, OK},
    {0x82, "01 00 48 00", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x82, "00 01 48 00", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    /* 0x83: FE + manufacturer + unique bytes; the 9-byte form. */
    {0x83, "FE 123456 00000000000000000000000001", OK, OK},
    {0x83, "FE 123456 0000000001", OK, OK},
    /* 0x84: 0-65533 W. */
    {0x84, "0000", OK, OK},
    {0x84, "FFFD", OK, OK},
    /* 0x85: 0-999 999.999 kWh in 0.001 kWh. */
    {0x85, "00000000", OK, OK},
    {0x85, "3B9AC9FF", OK, OK},
    {0x85, "3B9ACA00", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x85, "FFFFFFFF", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    /* 0x89: 0x0000-0x0007, 0x0009-0x03E8, 0x03E9, 0x03FF. */
    {0x89, "0000", OK, OK},
    {0x89, "0007", OK, OK},
    {0x89, "0008", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x89, "0009", OK, OK},
    {0x89, "03E8", OK, OK},
    {0x89, "03E9", OK, OK},
    {0x89, "03EA", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x89, "03FE", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x89, "03FF", OK, OK},
    {0x89, "0400", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x89, "FFFF", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    /* 0x8A/0x8B: any 3 bytes. */
    {0x8A, "000000", OK, OK},
    {0x8A, "FFFFFF", OK, OK},
    {0x8B, "000000", OK, OK},
    {0x8B, "FFFFFF", OK, OK},
    /* 0x8C/0x8D: 12 ASCII bytes, NUL-padded. */
    {0x8C, "48572D413034000000000000", OK, OK},
    {0x8D, "303030303030303030303031", OK, OK},
    /* 0x8E: YYYY MM DD. */
    {0x8E, "07E40C1F", OK, OK},
    /* 0x97: HH 0-23, MM 0-59. */
    {0x97, "0000", OK, OK},
    {0x97, "173B", OK, OK},
    {0x97, "1700", OK, OK},
    {0x97, "003B", OK, OK},
    {0x97, "1800", BAD, BAD},
    {0x97, "003C", BAD, BAD},
    {0x97, "183C", BAD, BAD},
    {0x97, "FFFF", BAD, BAD},
    /* 0x91/0x95: the same. */
    {0x91, "0000", OK, OK},
    {0x91, "173B", OK, OK},
    {0x91, "1800", BAD, BAD},
    {0x91, "003C", BAD, BAD},
    {0x95, "0000", OK, OK},
    {0x95, "173B", OK, OK},
    {0x95, "1800", BAD, BAD},
    {0x95, "003C", BAD, BAD},
    /* 0x92/0x96: HH 0-255, MM 0-59. */
    {0x92, "0000", OK, OK},
    {0x92, "FF3B", OK, OK},
    {0x92, "1800", OK, OK},
    {0x92, "003C", BAD, BAD},
    {0x92, "FF3C", BAD, BAD},
    {0x92, "FFFF", BAD, BAD},
    {0x96, "0000", OK, OK},
    {0x96, "FF3B", OK, OK},
    {0x96, "1800", OK, OK},
    {0x96, "003C", BAD, BAD},
    {0x96, "FF3C", BAD, BAD},
    /* 0x98: year 1-9999, month 1-12, day 1-31. */
    {0x98, "0001 01 01", OK, OK},
    {0x98, "270F 0C 1F", OK, OK},
    {0x98, "0100 01 01", OK, OK},
    {0x98, "07E8 0C 01", OK, OK},
    {0x98, "07E8 01 1F", OK, OK},
    {0x98, "0000 01 01", BAD, BAD},
    {0x98, "2710 01 01", BAD, BAD},
    {0x98, "FFFF 01 01", BAD, BAD},
    {0x98, "07E8 00 01", BAD, BAD},
    {0x98, "07E8 0D 01", BAD, BAD},
    {0x98, "07E8 01 00", BAD, BAD},
    {0x98, "07E8 01 20", BAD, BAD},
    {0x98, "07E8 FF FF", BAD, BAD},
    /* 0x99: uint16 W. */
    {0x99, "0000", OK, OK},
    {0x99, "1234", OK, OK},
    {0x99, "FFFD", OK, OK},
    /* 0x9A: unit 0x41-0x44 + uint32. */
    {0x9A, "41 00000000", OK, OK},
    {0x9A, "42 FFFFFFFF", OK, OK},
    {0x9A, "43 00000001", OK, OK},
    {0x9A, "44 12345678", OK, OK},
    {0x9A, "40 00000000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x9A, "45 00000000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0x9A, "00 00000000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    /* Property maps: the reference 5 examples. */
    {0x9D, "00", OK, OK},
    {0x9D, "06 80 81 88 8F A0 B0", OK, OK},
    {0x9E, "07 80 81 8F 93 A0 B0 B3", OK, OK},
    {0x9F, "11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03", OK, OK},
    /* 0xB8: four uint16, 0-65533 W or 0xFFFE unsupported. */
    {0xB8, "0000 0000 0000 0000", OK, OK},
    {0xB8, "FFFD FFFD FFFD FFFD", OK, OK},
    {0xB8, "FFFE 0000 0000 0000", NA, OK},
    {0xB8, "0000 0000 0000 FFFE", NA, OK},
    {0xB8, "FFFF 0000 0000 0000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0xB8, "0000 FFFF 0000 0000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0xB8, "0000 0000 FFFF 0000", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    {0xB8, "0000 0000 0000 FFFF", OK, OK}, /* read-only value: not range-checked (doc/decisions.md) */
    /* 0xB9: 0-6553.3 A. */
    {0xB9, "0000", OK, OK},
    {0xB9, "FFFD", OK, OK},
    /* 0xC7/0xC9/0xCB: eight bytes, bits 5-7 zero. */
    {0xC7, "00 00 00 00 00 00 00 00", OK, OK},
    {0xC7, "1F 1F 1F 1F 1F 1F 1F 1F", OK, OK},
    {0xC7, "0F 10 08 07 00 1F 01 02", OK, OK},
    {0xC7, "20 00 00 00 00 00 00 00", BAD, BAD},
    {0xC7, "00 00 00 00 00 00 00 20", BAD, BAD},
    {0xC7, "00 00 00 E0 00 00 00 00", BAD, BAD},
    {0xC9, "1F 1F 1F 1F 1F 1F 1F 1F", OK, OK},
    {0xC9, "00 00 00 00 40 00 00 00", BAD, BAD},
    {0xCB, "1F 1F 1F 1F 1F 1F 1F 1F", OK, OK},
    {0xCB, "00 80 00 00 00 00 00 00", BAD, BAD},
};
#define N_VECS (sizeof vecs / sizeof vecs[0])

START_TEST(boundary_vectors)
{
    const struct vec *v = &vecs[_i];
    const echonet_prop_desc *d = desc_if_present(v->epc);
    uint8_t edt[64];
    size_t n = test_hex(v->hex, edt, sizeof edt);
    echonet_err s, r;

    if (!d)
        return; /* absent, as desc_if_present() checked */
    s = check_bytes(d, edt, n, true);
    r = check_bytes(d, edt, n, false);
    if (v->set != NA)
        ck_assert_msg(s == v->set, "EPC %02X = %s for Set: %d, expected %d", v->epc, v->hex, s, v->set);
    ck_assert_msg(r == v->read, "EPC %02X = %s read: %d, expected %d", v->epc, v->hex, r, v->read);
}
END_TEST

/* 0xC7/0xC9/0xCB: each of the 8 bytes, each of bits 5-7, alone. */
START_TEST(cleaning_setting_every_byte)
{
    static const uint8_t epcs[] = {0xC7, 0xC9, 0xCB};
    const echonet_prop_desc *d = desc_if_present(epcs[_i]);
    unsigned pos, bit;

    if (!d)
        return; /* absent, as desc_if_present() checked */
    for (pos = 0; pos < 8; pos++) {
        uint8_t edt[8];

        memset(edt, 0, sizeof edt);
        edt[pos] = 0x1F;
        ck_assert_int_eq(check_bytes(d, edt, 8, true), ECHONET_OK);
        for (bit = 5; bit < 8; bit++) {
            edt[pos] = (uint8_t)(1u << bit);
            ck_assert_msg(check_bytes(d, edt, 8, true) == ECHONET_ERR_VALUE, "EPC %02X byte %u bit %u", epcs[_i],
                          pos, bit);
            ck_assert_int_eq(check_bytes(d, edt, 8, false), ECHONET_ERR_VALUE);
        }
    }
}
END_TEST

static echonet_err check_byte(unsigned epc, uint8_t b, bool for_set)
{
    return check_bytes(desc_of(epc), &b, 1, for_set);
}

/* 0x87, 0xB4 (0-100 %) and 0xB3, 0xBF around their edges, spelled out. */
START_TEST(percent_and_temperature_edges)
{
    static const uint8_t pct[] = {0x87, 0xB4};
    size_t i;

    for (i = 0; i < sizeof pct; i++) {
        if (!desc_if_present(pct[i]))
            continue; /* absent, as desc_if_present() checked */
        ck_assert_int_eq(check_byte(pct[i], 0x00, true), ECHONET_OK);
        ck_assert_int_eq(check_byte(pct[i], 0x64, true), ECHONET_OK);
        ck_assert_int_eq(check_byte(pct[i], 0x65, true), ECHONET_ERR_VALUE);
        ck_assert_int_eq(check_byte(pct[i], 0xFF, true), ECHONET_ERR_VALUE);
    }
    ck_assert_int_eq(check_byte(0xB3, 0x00, true), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xB3, 0x32, true), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xB3, 0x33, true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xB3, 0xFF, true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xB3, 0xFD, true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xB3, 0xFD, false), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xBB, 0x81, false), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xBB, 0x7D, false), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xBB, 0x7F, true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xBB, 0x7F, false), ECHONET_OK);
    if (!desc_if_present(0xBF))
        return; /* absent, as desc_if_present() checked */
    ck_assert_int_eq(check_byte(0xBF, 0x7E, true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xBF, 0x7E, false), ECHONET_OK);
    ck_assert_int_eq(check_byte(0xBF, 0x7F, false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xBF, 0x80, false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check_byte(0xBF, 0x81, true), ECHONET_OK);
}
END_TEST

START_TEST(check_bad_arguments)
{
    uint8_t b = 0x30;

    ck_assert_int_eq(echonet_prop_desc_check(NULL, &b, 1, true), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_prop_desc_check(desc_of(0x80), NULL, 1, true), ECHONET_ERR_INVALID_ARG);
}
END_TEST

/* --- 4. Value helpers --------------------------------------------------- */

START_TEST(temp_edt)
{
    uint8_t edt = 0xAA;

    ck_assert(!echonet_aircon_temp_edt(-1, &edt));
    ck_assert_uint_eq(edt, 0xAA);
    ck_assert(!echonet_aircon_temp_edt(51, &edt));
    ck_assert_uint_eq(edt, 0xAA);
    ck_assert(!echonet_aircon_temp_edt(253, &edt)); /* 0xFD is never a temperature to set */
    ck_assert_uint_eq(edt, 0xAA);
    ck_assert(echonet_aircon_temp_edt(0, &edt));
    ck_assert_uint_eq(edt, 0x00);
    ck_assert(echonet_aircon_temp_edt(50, &edt));
    ck_assert_uint_eq(edt, 0x32);
    ck_assert(echonet_aircon_temp_edt(26, &edt));
    ck_assert_uint_eq(edt, 0x1A);
    ck_assert_int_eq(ECHONET_TEMP_MAX, 50);
}
END_TEST

START_TEST(set_temp_all_values)
{
    unsigned v;

    for (v = 0; v < 256; v++) {
        int c = -999;
        bool ok = echonet_aircon_set_temp((uint8_t)v, &c);

        if (v <= 0x32) {
            ck_assert_msg(ok, "%02X", v);
            ck_assert_int_eq(c, (int)v);
        } else {
            ck_assert_msg(!ok, "%02X accepted", v);
        }
    }
}
END_TEST

START_TEST(measured_temp_all_values)
{
    unsigned v;
    int c;

    for (v = 0; v < 256; v++) {
        bool ok;

        c = -999;
        ok = echonet_aircon_measured_temp((uint8_t)v, &c);
        if (v == 0x7E || v == 0x7F || v == 0x80) {
            ck_assert_msg(!ok, "%02X accepted", v);
        } else {
            ck_assert_msg(ok, "%02X refused", v);
            ck_assert_int_eq(c, v < 0x80 ? (int)v : (int)v - 256);
        }
    }
    ck_assert(echonet_aircon_measured_temp(0x81, &c));
    ck_assert_int_eq(c, -127);
    ck_assert(echonet_aircon_measured_temp(0x7D, &c));
    ck_assert_int_eq(c, 125);
    ck_assert(echonet_aircon_measured_temp(0xFF, &c));
    ck_assert_int_eq(c, -1);
    ck_assert(echonet_aircon_measured_temp(0xEC, &c));
    ck_assert_int_eq(c, -20);
}
END_TEST

/* The encoder is the decoder's inverse over -127..125 and refuses the rest. */
START_TEST(measured_edt_round_trip)
{
    int c, back;
    uint8_t edt = 0x55;

    for (c = -130; c <= 130; c++) {
        bool ok = echonet_aircon_measured_edt(c, &edt);

        ck_assert_int_eq(ok, c >= -127 && c <= 125);
        if (ok) {
            ck_assert(echonet_aircon_measured_temp(edt, &back));
            ck_assert_int_eq(back, c);
        }
    }
    ck_assert(echonet_aircon_measured_edt(-1, &edt));
    ck_assert_uint_eq(edt, 0xFF);
    ck_assert(!echonet_aircon_measured_edt(0, NULL));
}
END_TEST

START_TEST(flow_helpers)
{
    static const uint8_t codes[9] = {0x41, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38};
    unsigned v;
    int level;

    for (level = 0; level <= 8; level++)
        ck_assert_uint_eq(echonet_aircon_flow_edt(level), codes[level]);
    ck_assert_uint_eq(echonet_aircon_flow_edt(-1), 0);
    ck_assert_uint_eq(echonet_aircon_flow_edt(9), 0);
    ck_assert_uint_eq(echonet_aircon_flow_edt(0x31), 0);
    for (v = 0; v < 256; v++) {
        const uint8_t *p = memchr(codes, (int)v, sizeof codes);
        int got = -999;
        bool ok = echonet_aircon_flow_level((uint8_t)v, &got);

        ck_assert_msg(ok == (p != NULL), "%02X", v);
        if (p)
            ck_assert_int_eq(got, (int)(p - codes));
    }
}
END_TEST

/* The optional EPCs of the expected table (everything not mandatory). */
static void expected_optional(echonet_propmap *m)
{
    size_t i;

    echonet_propmap_init(m);
    for (i = 0; i < N_EXPECTS; i++)
        if (!(expects[i].access & M) && expected_present(&expects[i]))
            ck_assert_int_eq(echonet_propmap_add(m, expects[i].epc), ECHONET_OK);
}

static void assert_map_is(const echonet_propmap *got, const echonet_propmap *want)
{
    unsigned e;

    for (e = 0x80; e <= 0xFF; e++)
        ck_assert_msg(echonet_propmap_contains(got, (uint8_t)e) == echonet_propmap_contains(want, (uint8_t)e),
                      "EPC %02X differs", e);
}

START_TEST(omit_sets)
{
    static const uint8_t keep_93[] = {0x93};
    static const uint8_t keep_mixed[] = {0x80, 0x93, 0xB3, 0xF0, 0x9B};
    uint8_t keep_all[128];
    size_t n_all = 0, i;
    echonet_propmap omit, want;

    expected_optional(&want);
    ck_assert_uint_eq(echonet_propmap_count(&want), EXPECTED_PROPS - 13);
    /* Without the optional properties the model has none: every one of
     * the class is left out, whatever the device says it keeps. */
    for (i = 0; !ECHONET_AIRCON_OPTIONAL && i < N_EXPECTS; i++)
        if (!(expects[i].access & M))
            ck_assert_int_eq(echonet_propmap_add(&want, expects[i].epc), ECHONET_OK);
    memset(&omit, 0xFF, sizeof omit);
    echonet_aircon_omit(&omit, NULL, 0);
    assert_map_is(&omit, &want);

    echonet_aircon_omit(&omit, keep_93, sizeof keep_93);
    if (ECHONET_AIRCON_OPTIONAL)
        echonet_propmap_remove(&want, 0x93);
    assert_map_is(&omit, &want);
    ck_assert(echonet_propmap_contains(&omit, 0x93) == !ECHONET_AIRCON_OPTIONAL);

    /* Mandatory ones are never omitted, listed or not; unknown EPCs ignored. */
    echonet_aircon_omit(&omit, keep_mixed, sizeof keep_mixed);
    assert_map_is(&omit, &want);

    for (i = 0; i < N_EXPECTS; i++)
        if (!(expects[i].access & M))
            keep_all[n_all++] = expects[i].epc;
    echonet_aircon_omit(&omit, keep_all, n_all);
    ck_assert_uint_eq(echonet_propmap_count(&omit), ECHONET_AIRCON_OPTIONAL ? 0 : N_EXPECTS - 13);
}
END_TEST

/* Reference 5: the worked maps of an AIF aircon with optional 0x83, 0x86,
 * 0x89 and 0x93 are what the table derives. */
START_TEST(reference_worked_maps)
{
    static const uint8_t keep[] = {0x83, 0x86, 0x89, 0x93};
    static const uint8_t get[] = {0x80, 0x81, 0x82, 0x83, 0x86, 0x88, 0x89, 0x8A, 0x8F,
                                  0x93, 0x9D, 0x9E, 0x9F, 0xA0, 0xB0, 0xB3, 0xBB};
    static const uint8_t set[] = {0x80, 0x81, 0x8F, 0x93, 0xA0, 0xB0, 0xB3};
    static const uint8_t anno[] = {0x80, 0x81, 0x88, 0x8F, 0xA0, 0xB0};
    echonet_propmap omit, got, want, set_map, anno_map;
    echonet_object obj;
    echonet_aircon ac;
    size_t i;

    /* The maps an object of the class serves (0x9D-0x9F are always in the
     * Get map: derived, never stored). */
    echonet_aircon_omit(&omit, keep, sizeof keep);
    ck_assert_int_eq(echonet_aircon_init(&ac, (const uint8_t *)"\x12\x34\x56"), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_object_init(&obj, 0x013001, &omit, &echonet_aircon_ops, &ac), ECHONET_OK);
    echonet_object_maps(&obj, &anno_map, &set_map, &got);
    echonet_propmap_init(&want);
    for (i = 0; i < sizeof get; i++)
        if (expected_present(expect_of(get[i])))
            echonet_propmap_add(&want, get[i]);
    assert_map_is(&got, &want);

    got = set_map;
    echonet_propmap_init(&want);
    for (i = 0; i < sizeof set; i++)
        if (expected_present(expect_of(set[i])))
            echonet_propmap_add(&want, set[i]);
    assert_map_is(&got, &want);

    got = anno_map;
    echonet_propmap_init(&want);
    for (i = 0; i < sizeof anno; i++)
        echonet_propmap_add(&want, anno[i]);
    assert_map_is(&got, &want);
}
END_TEST

/* --- 5. The device model ------------------------------------------------ */

static const uint8_t maker[3] = {0x12, 0x34, 0x56};

static void init_model(echonet_aircon *ac)
{
    memset(ac, 0xA5, sizeof *ac);
    ck_assert_int_eq(echonet_aircon_init(ac, maker), ECHONET_OK);
}

static void assert_value(const echonet_aircon *ac, uint8_t epc, const char *hex)
{
    uint8_t want[256], got[256];
    size_t n = test_hex(hex, want, sizeof want);
    int len = echonet_aircon_value(ac, epc, got, sizeof got);

    ck_assert_msg(len == (int)n, "EPC %02X: length %d, expected %zu", epc, len, n);
    ck_assert_mem_eq(got, want, n);
}

START_TEST(factory_values)
{
    echonet_aircon ac;
    uint8_t edt[32];
    int len;

    init_model(&ac);
    assert_value(&ac, 0x80, "31");
    assert_value(&ac, 0xB0, "41");
    assert_value(&ac, 0xB3, "14");
    assert_value(&ac, 0xBB, "14");
    assert_value(&ac, 0x88, "42");
    assert_value(&ac, 0x8F, "42");
#if ECHONET_AIRCON_OPTIONAL
    assert_value(&ac, 0x93, "41");
#endif
    assert_value(&ac, 0xA0, "41");
    assert_value(&ac, 0x81, "00");
    assert_value(&ac, 0x82, "00 00 48 00");
    assert_value(&ac, 0x8A, "12 34 56");
#if ECHONET_AIRCON_OPTIONAL
    assert_value(&ac, 0x86, "04 12 34 56 00 00 00 00"); /* no fault: b1 counts the code bytes */
    len = echonet_aircon_value(&ac, 0x83, edt, sizeof edt);
    ck_assert_int_eq(len, 17);
    ck_assert_uint_eq(edt[0], 0xFE);
    ck_assert_mem_eq(edt + 1, maker, 3);
#else
    /* The optional properties are not in the model either. */
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x93, edt, sizeof edt), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x86, edt, sizeof edt), ECHONET_ERR_NOT_FOUND);
    len = echonet_aircon_value(&ac, 0x83, edt, sizeof edt);
    ck_assert_int_eq(len, ECHONET_ERR_NOT_FOUND);
#endif

    ck_assert_int_eq(echonet_aircon_init(NULL, maker), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_aircon_init(&ac, NULL), ECHONET_ERR_INVALID_ARG);
}
END_TEST

/* The store plan and the tables agree (what the model relies on without
 * checking it at every start): every slot a property with room for its
 * largest value, every property of the tables with a slot, every first
 * value valid. */
START_TEST(store_plan)
{
    echonet_aircon ac;

    ck_assert_int_eq(echonet_aircon_check_plan(&ac), ECHONET_OK);
}
END_TEST

/* Every property of the table reads back a valid value after init. */
START_TEST(factory_values_valid)
{
    const struct expect *e = &expects[_i];
    const echonet_prop_desc *d = desc_if_present(e->epc);
    echonet_aircon ac;
    uint8_t edt[256];
    int len;

    init_model(&ac);
    len = echonet_aircon_value(&ac, e->epc, edt, sizeof edt);
    if (!d) {
        ck_assert_msg(len == ECHONET_ERR_NOT_FOUND, "optional EPC %02X in the model: %d", e->epc, len);
        return;
    }
    ck_assert_msg(len >= 0, "EPC %02X: %d", e->epc, len);
    ck_assert_msg(size_allowed(e, (size_t)len), "EPC %02X: length %d", e->epc, len);
    ck_assert_msg(check_bytes(d, edt, (size_t)len, false) == ECHONET_OK, "EPC %02X: factory value refused", e->epc);
    if (len == 1 && e->ok)
        ck_assert_msg(in_spec(e->ok, edt[0]) || in_spec(e->ro, edt[0]), "EPC %02X = %02X", e->epc, edt[0]);
}
END_TEST

/* Independent of the table: the sum worked out by hand above. */
START_TEST(store_size_matches_reference)
{
    size_t i, sum = 0;

    for (i = 0; i < N_EXPECTS; i++)
        if (expected_present(&expects[i]))
            sum += 1u + expects[i].size;
    ck_assert_uint_eq(sum, EXPECTED_STORE_SIZE);
    ck_assert_uint_eq(ECHONET_AIRCON_STORE_SIZE, EXPECTED_STORE_SIZE);
}
END_TEST

/* And from the descriptors: a table change must update the macro. */
START_TEST(store_size_matches_table)
{
    size_t sum = 0;
    unsigned epc;

    for (epc = 0x80; epc < 256; epc++) {
        const echonet_prop_desc *t = echonet_aircon_desc((uint8_t)epc);

        if (t)
            sum += 1u + (t->size_alt != ECHONET_SIZE_VARIABLE && t->size_alt > t->size ? t->size_alt : t->size);
    }
    ck_assert_uint_eq(ECHONET_AIRCON_STORE_SIZE, sum);
}
END_TEST

START_TEST(store_and_value)
{
    echonet_aircon ac;
    uint8_t b, big[225], edt[256];
    uint8_t loc17[17] = {0x01};

    init_model(&ac);
    /* Read-only codes may be stored; out-of-range values may not. */
    b = 0xFD;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xB3, &b, 1), ECHONET_OK);
    assert_value(&ac, 0xB3, "FD");
    b = 0x33;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xB3, &b, 1), ECHONET_ERR_VALUE);
    assert_value(&ac, 0xB3, "FD");
    b = 0x7E;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xBB, &b, 1), ECHONET_OK);
    assert_value(&ac, 0xBB, "7E");
    b = 0x40;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xB0, &b, 1), ECHONET_OK);
    b = 0x46;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xB0, &b, 1), ECHONET_ERR_VALUE);
    assert_value(&ac, 0xB0, "40");
    b = 0x32;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x80, &b, 1), ECHONET_ERR_VALUE);
    b = 0x05;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x81, &b, 1), ECHONET_ERR_VALUE);
    assert_value(&ac, 0x80, "31");
    assert_value(&ac, 0x81, "00");
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x80, (const uint8_t *)"\x30\x30", 2), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x80, &b, 0), ECHONET_ERR_VALUE_SIZE);
    /* Unknown EPCs. */
    b = 0x41;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x9B, &b, 1), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x9C, &b, 1), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xF0, &b, 1), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x7F, &b, 1), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0xA2, &b, 1), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x9B, edt, sizeof edt), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0xF0, edt, sizeof edt), ECHONET_ERR_NOT_FOUND);
    /* Bad arguments. */
    ck_assert_int_eq(echonet_aircon_store(NULL, 0x80, &b, 1), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x80, NULL, 1), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_aircon_value(NULL, 0x80, edt, sizeof edt), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x80, NULL, 1), ECHONET_ERR_INVALID_ARG);

    /* The largest forms fit: 17-byte location, 225-byte fault code. */
    memset(loc17 + 1, 0x5A, 16);
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x81, loc17, 17), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x81, edt, sizeof edt), 17);
    ck_assert_mem_eq(edt, loc17, 17);
    b = 0x08;
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x81, &b, 1), ECHONET_OK);
    assert_value(&ac, 0x81, "08");
    memset(big, 0x3C, sizeof big);
    big[0] = 224;
    memcpy(big + 1, maker, 3);
#if ECHONET_AIRCON_OPTIONAL
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x86, big, sizeof big), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x86, edt, sizeof edt), 225);
    ck_assert_mem_eq(edt, big, 225);
#else
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x86, big, sizeof big), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x86, edt, sizeof edt), ECHONET_ERR_NOT_FOUND);
#endif
    /* Neighbours untouched by the largest values. */
    assert_value(&ac, 0x80, "31");
    assert_value(&ac, 0x82, "00 00 48 00");
    assert_value(&ac, 0x88, "42");
}
END_TEST

/* The largest form of each multi-size property fits its slot: storing it
 * round-trips and leaves every other property's value as it was. */
struct largest {
    uint8_t epc;
    const char *hex;
};

static const struct largest largests[] = {
    {0x81, "01 5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A"},
    {0x83, "FE 123456 FFFFFFFFFFFFFFFFFFFFFFFFFF"},
    {0x83, "FE 123456 FFFFFFFFFF"},
    {0x86, NULL}, /* 225 bytes, built below */
    {0x9D, "11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03"},
    {0x9E, "11 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"},
    {0x9F, "11 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"},
};

START_TEST(largest_value_fits)
{
    const struct largest *l = &largests[_i];
    static uint8_t before[N_EXPECTS][256];
    static int len_before[N_EXPECTS];
    echonet_aircon ac;
    uint8_t edt[256], got[256];
    size_t n, i;

    if (l->hex) {
        n = test_hex(l->hex, edt, sizeof edt);
    } else {
        n = 225;
        memset(edt, 0xC3, n);
        edt[0] = 224;
    }
    init_model(&ac);
    for (i = 0; i < N_EXPECTS; i++)
        len_before[i] = echonet_aircon_value(&ac, expects[i].epc, before[i], sizeof before[i]);
    if (!desc_if_present(l->epc)) {
        ck_assert_int_eq(echonet_aircon_store(&ac, l->epc, edt, n), ECHONET_ERR_NOT_FOUND);
        return;
    }
    ck_assert_int_eq(echonet_aircon_store(&ac, l->epc, edt, n), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_value(&ac, l->epc, got, sizeof got), (int)n);
    ck_assert_mem_eq(got, edt, n);
    for (i = 0; i < N_EXPECTS; i++) {
        int len;

        if (expects[i].epc == l->epc)
            continue;
        len = echonet_aircon_value(&ac, expects[i].epc, got, sizeof got);
        ck_assert_msg(len == len_before[i], "storing %zu bytes of %02X changed the length of %02X: %d -> %d", n,
                      l->epc, expects[i].epc, len_before[i], len);
        if (!expected_present(&expects[i])) {
            ck_assert_int_eq(len, ECHONET_ERR_NOT_FOUND);
            continue;
        }
        ck_assert_msg(memcmp(got, before[i], (size_t)len) == 0, "storing %02X changed %02X", l->epc,
                      expects[i].epc);
    }
}
END_TEST

START_TEST(value_needs_room)
{
    echonet_aircon ac;
    uint8_t edt[32], loc17[17] = {0x01};

    init_model(&ac);
    memset(edt, 0xEE, sizeof edt);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x82, edt, 3), ECHONET_ERR_NOBUF);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x82, edt, 4), 4);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x80, edt, 0), ECHONET_ERR_NOBUF);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x80, edt, 1), 1);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x8A, edt, 2), ECHONET_ERR_NOBUF);
#if ECHONET_AIRCON_OPTIONAL
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x83, edt, 16), ECHONET_ERR_NOBUF);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x83, edt, 17), 17);
#endif
    ck_assert_int_eq(echonet_aircon_store(&ac, 0x81, loc17, 17), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x81, edt, 16), ECHONET_ERR_NOBUF);
    ck_assert_int_eq(echonet_aircon_value(&ac, 0x81, edt, 17), 17);
}
END_TEST

/* ---- The 20-hour rule: what ends remote operation (AIF 3.5, 4.1) -------- */

#if ECHONET_AIRCON_OPTIONAL /* the rule needs 0x93 */
#define H(h) ECHONET_HOURS(h)

/* A node with one air conditioner, as a unit on the network. */
struct unit {
    echonet_node node;
    echonet_node_request queue[2];
    echonet_object obj;
    echonet_object *slot;
    echonet_aircon ac;
};

static void unit_init(struct unit *u)
{
    echonet_node_config cfg = {{0x12, 0x34, 0x56}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 0};

    memset(u, 0, sizeof *u);
    ck_assert_int_eq(echonet_node_init(&u->node, &cfg, &u->slot, 1, u->queue, 2), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_init(&u->ac, maker), ECHONET_OK);
    ck_assert_int_eq(echonet_aircon_object_init(&u->obj, 0x013001, NULL, &echonet_aircon_ops, &u->ac), ECHONET_OK);
    ck_assert_int_eq(echonet_node_add(&u->node, &u->obj), ECHONET_OK);
}

/* The unit receives the request in hex and answers it at now; returns the
 * ESV of its answer (0: none). Announcements are sent and dropped. */
static unsigned unit_request(struct unit *u, const char *hex, echonet_tstamp now)
{
    uint8_t req[64], out[256];
    size_t len = test_hex(hex, req, sizeof req);
    echonet_addr from, dst;
    unsigned esv = 0;
    bool multicast;
    int32_t n;

    echonet_addr_set(&from, "\xC0\xA8\x01\x0A", 4);
    ck_assert_int_eq(echonet_node_read(&u->node, &from, req, len), ECHONET_NODE_HANDLED);
    while ((n = echonet_node_write(&u->node, &dst, &multicast, out, sizeof out, now)) > 0)
        if (!multicast && esv == 0)
            esv = out[10];
    ck_assert_int_eq(n, 0);
    return esv;
}

/* By AIF 4.1 a controller writes 0x93 = 0x42 at the head of every setting
 * it makes for a request through the public network; a write of an
 * operation property without it is an operation not through the public
 * line, which ends remote operation like the handset (3.5 (6)). */
START_TEST(unprefixed_set_ends_remote)
{
    struct unit u;
    uint8_t v = 0;

    unit_init(&u);
    /* The prefix covers every property of its request. */
    ck_assert_uint_eq(unit_request(&u, "10 81 00 01 05 FF 01 01 30 01 61 04 93 01 42 80 01 30 B0 01 42 B3 01 1A", H(1)),
                      0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), H(21));
    assert_value(&u.ac, 0x93, "42");
    /* A SetC of 0xB3 alone, from the home network: remote operation ends. */
    ck_assert_uint_eq(unit_request(&u, "10 81 00 02 05 FF 01 01 30 01 61 01 B3 01 1B", H(2)), 0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), ECHONET_TSTAMP_NEVER);
    assert_value(&u.ac, 0x93, "41");
    ck_assert_uint_eq(unit_request(&u, "10 81 00 03 05 FF 01 01 30 01 62 01 80 00", H(30)), 0x72);
    assert_value(&u.ac, 0x80, "30"); /* not stopped 20 h later */

    /* Operated remotely again; keepalives and writes of properties outside
     * the operation set (3.5 leaves them open) do not end it. */
    ck_assert_uint_eq(unit_request(&u, "10 81 00 04 05 FF 01 01 30 01 61 02 93 01 42 8F 01 41", H(31)), 0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), H(51));
    ck_assert_uint_eq(unit_request(&u, "10 81 00 05 05 FF 01 01 30 01 61 01 93 01 62", H(32)), 0x71);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 06 05 FF 01 01 30 01 61 01 81 01 08", H(33)), 0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), H(52));
    assert_value(&u.ac, 0x93, "42");
    /* A SetI, and every operation property, ends it too. */
    ck_assert_uint_eq(unit_request(&u, "10 81 00 07 05 FF 01 01 30 01 60 01 A0 01 31", H(34)), 0);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), ECHONET_TSTAMP_NEVER);
    assert_value(&u.ac, 0x93, "41");
    ck_assert_uint_eq(unit_request(&u, "10 81 00 08 05 FF 01 01 30 01 61 02 93 01 42 80 01 30", H(35)), 0x71);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 09 05 FF 01 01 30 01 61 01 8F 01 42", H(36)), 0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), ECHONET_TSTAMP_NEVER);

    /* A stale prefix does not cover a later request, and the unit still
     * stops 20 h after the last keepalive when nothing ends remote
     * operation. */
    ck_assert_uint_eq(unit_request(&u, "10 81 00 0A 05 FF 01 01 30 01 61 02 93 01 42 B0 01 43", H(37)), 0x71);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 0B 05 FF 01 01 30 01 61 01 93 01 62", H(38)), 0x71);
    ck_assert_uint_eq(echonet_node_expiry(&u.node), H(58));
    ck_assert_uint_eq(unit_request(&u, "10 81 00 0C 05 FF 01 01 30 01 62 01 80 00", H(58)), 0x72);
    ck_assert_int_eq(echonet_aircon_value(&u.ac, 0x80, &v, 1), 1);
    ck_assert_uint_eq(v, ECHONET_OFF);
}
END_TEST

/* The AIF overlay on the wire: the MRA lets a controller set 0xB0 = 0x40
 * ("other"), the AIF does not; a unit answers SetC_SNA with the value
 * echoed and keeps its mode, reads 0x40 when it reports it itself, and
 * takes 0x42. The generated class table answers 0x81 = 0x05 too; the
 * overlay refuses it. */
START_TEST(aif_overlay_on_the_wire)
{
    struct unit u;
    static const uint8_t other = 0x40;
    uint8_t v = 0;

    unit_init(&u);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 01 05 FF 01 01 30 01 61 01 B0 01 40", 0), 0x51);
    ck_assert_int_eq(echonet_aircon_value(&u.ac, 0xB0, &v, 1), 1);
    ck_assert_uint_eq(v, ECHONET_MODE_AUTO);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 02 05 FF 01 01 30 01 61 01 81 01 05", 0), 0x51);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 03 05 FF 01 01 30 01 61 01 B0 01 42", 0), 0x71);
    ck_assert_int_eq(echonet_node_set_local(&u.node, 0x013001, 0xB0, &other, 1, 0), ECHONET_OK);
    ck_assert_uint_eq(unit_request(&u, "10 81 00 04 05 FF 01 01 30 01 62 01 B0 00", 0), 0x72);
    ck_assert_int_eq(echonet_aircon_value(&u.ac, 0xB0, &v, 1), 1);
    ck_assert_uint_eq(v, 0x40);
}
END_TEST
#endif

Suite *aircon_suite(void)
{
    Suite *s = suite_create("aircon");
    TCase *tc = tcase_create("table");

    tcase_add_test(tc, expectations_well_formed);
    tcase_add_loop_test(tc, property_present_with_access, 0, (int)N_EXPECTS);
    tcase_add_test(tc, no_unexpected_property);
    tcase_add_test(tc, mandatory_and_anno_sets);
    suite_add_tcase(s, tc);

    tc = tcase_create("values");
    tcase_add_loop_test(tc, sizes, 0, (int)N_EXPECTS);
    tcase_add_loop_test(tc, one_byte_all_values, 0, (int)N_EXPECTS);
    tcase_add_loop_test(tc, boundary_vectors, 0, (int)N_VECS);
    tcase_add_loop_test(tc, cleaning_setting_every_byte, 0, 3);
    tcase_add_test(tc, percent_and_temperature_edges);
    tcase_add_test(tc, check_bad_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("helpers");
    tcase_add_test(tc, temp_edt);
    tcase_add_test(tc, set_temp_all_values);
    tcase_add_test(tc, measured_temp_all_values);
    tcase_add_test(tc, measured_edt_round_trip);
    tcase_add_test(tc, flow_helpers);
    tcase_add_test(tc, omit_sets);
    tcase_add_test(tc, reference_worked_maps);
    suite_add_tcase(s, tc);

    tc = tcase_create("model");
    tcase_add_test(tc, factory_values);
    tcase_add_test(tc, store_plan);
    tcase_add_loop_test(tc, factory_values_valid, 0, (int)N_EXPECTS);
    tcase_add_test(tc, store_size_matches_reference);
    tcase_add_test(tc, store_size_matches_table);
    tcase_add_test(tc, store_and_value);
    tcase_add_loop_test(tc, largest_value_fits, 0, (int)(sizeof largests / sizeof largests[0]));
    tcase_add_test(tc, value_needs_room);
    suite_add_tcase(s, tc);

#if ECHONET_AIRCON_OPTIONAL
    tc = tcase_create("remote");
    tcase_add_test(tc, unprefixed_set_ends_remote);
    tcase_add_test(tc, aif_overlay_on_the_wire);
    suite_add_tcase(s, tc);
#endif
    return s;
}
