/* Property maps: the reference's worked examples byte for byte, each of the
 * 128 EPCs in both forms and both directions, every count 0..128, and the
 * tolerance and rejection rules of decoding. */
#include <string.h>

#include "echonet/propmap.h"
#include "tests.h"

static echonet_propmap map_of(const uint8_t *epcs, size_t n)
{
    echonet_propmap m;
    size_t i;

    echonet_propmap_init(&m);
    for (i = 0; i < n; i++)
        ck_assert_int_eq(echonet_propmap_add(&m, epcs[i]), ECHONET_OK);
    return m;
}

static void assert_encodes_to(const echonet_propmap *m, const char *hex)
{
    uint8_t want[32], got[32];
    size_t n = test_hex(hex, want, sizeof want), len = 0;

    memset(got, 0xAA, sizeof got);
    ck_assert_int_eq(echonet_propmap_encode(m, got, sizeof got, &len), ECHONET_OK);
    ck_assert_uint_eq(len, n);
    ck_assert_mem_eq(got, want, n);
    ck_assert_uint_eq(got[n], 0xAA);
}

static void assert_maps_equal(const echonet_propmap *a, const echonet_propmap *b)
{
    unsigned e;

    for (e = 0x80; e <= 0xFF; e++)
        ck_assert_msg(echonet_propmap_contains(a, (uint8_t)e) == echonet_propmap_contains(b, (uint8_t)e),
                      "EPC %02x differs", e);
}

/* Reference 5: an aircon's 17-property Get map in the bitmap form. */
START_TEST(worked_bitmap_example)
{
    static const uint8_t epcs[] = {0x80, 0x81, 0x82, 0x83, 0x86, 0x88, 0x89, 0x8A, 0x8F,
                                   0x93, 0x9D, 0x9E, 0x9F, 0xA0, 0xB0, 0xB3, 0xBB};
    const char *hex = "11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03";
    echonet_propmap m = map_of(epcs, sizeof epcs), back;
    uint8_t edt[17];
    size_t n = test_hex(hex, edt, sizeof edt), i;

    ck_assert_uint_eq(echonet_propmap_count(&m), 17);
    assert_encodes_to(&m, hex);
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, n), n), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&back), 17);
    for (i = 0; i < sizeof epcs; i++)
        ck_assert(echonet_propmap_contains(&back, epcs[i]));
}
END_TEST

START_TEST(worked_list_examples)
{
    static const uint8_t set_map[] = {0x80, 0x81, 0x8F, 0x93, 0xA0, 0xB0, 0xB3};
    static const uint8_t anno_map[] = {0xB0, 0x80, 0xA0, 0x81, 0x8F, 0x88}; /* order of adding is irrelevant */
    echonet_propmap m = map_of(set_map, sizeof set_map), back;
    uint8_t edt[8];

    assert_encodes_to(&m, "07 80 81 8F 93 A0 B0 B3");
    m = map_of(anno_map, sizeof anno_map);
    assert_encodes_to(&m, "06 80 81 88 8F A0 B0");
    test_hex("06 80 81 88 8F A0 B0", edt, sizeof edt);
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, 7), 7), ECHONET_OK);
    assert_maps_equal(&back, &m);
    /* The empty map is the single byte 00. */
    echonet_propmap_init(&m);
    assert_encodes_to(&m, "00");
    edt[0] = 0;
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, 1), 1), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&back), 0);
}
END_TEST

/* Each EPC alone (list form) and in a full map less others (bitmap form),
 * checked against the layout table of reference 5 written out here:
 * byte 2 + low nibble, bit = high nibble - 8. */
START_TEST(every_epc_both_forms)
{
    unsigned e = 0x80 + (unsigned)_i;
    echonet_propmap m, back;
    uint8_t edt[17];
    size_t len;
    unsigned other, row = e % 16, bit = e / 16 - 8, byte;

    /* List form, alone. */
    echonet_propmap_init(&m);
    ck_assert_int_eq(echonet_propmap_add(&m, (uint8_t)e), ECHONET_OK);
    ck_assert_int_eq(echonet_propmap_encode(&m, edt, sizeof edt, &len), ECHONET_OK);
    ck_assert_uint_eq(len, 2);
    ck_assert_uint_eq(edt[0], 1);
    ck_assert_uint_eq(edt[1], e);
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, len), len), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&back), 1);
    ck_assert(echonet_propmap_contains(&back, (uint8_t)e));

    /* Bitmap form: e plus 15 others, then e alone set in a 16-member map. */
    echonet_propmap_init(&m);
    ck_assert_int_eq(echonet_propmap_add(&m, (uint8_t)e), ECHONET_OK);
    for (other = 0x80; echonet_propmap_count(&m) < 16; other++)
        if (other / 16 != e / 16) /* keep e's bit position the only one in its column */
            echonet_propmap_add(&m, (uint8_t)other);
    ck_assert_int_eq(echonet_propmap_encode(&m, edt, sizeof edt, &len), ECHONET_OK);
    ck_assert_uint_eq(len, 17);
    ck_assert_uint_eq(edt[0], 16);
    for (byte = 1; byte <= 16; byte++) {
        bool has_e_bit = (edt[byte] >> bit) & 1u;

        ck_assert_msg(has_e_bit == (byte - 1 == row), "EPC %02x: byte %u bit %u", e, byte + 1, bit);
    }
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, len), len), ECHONET_OK);
    assert_maps_equal(&back, &m);

    /* And the full map minus e. */
    echonet_propmap_init(&m);
    for (other = 0x80; other <= 0xFF; other++)
        echonet_propmap_add(&m, (uint8_t)other);
    echonet_propmap_remove(&m, (uint8_t)e);
    ck_assert_int_eq(echonet_propmap_encode(&m, edt, sizeof edt, &len), ECHONET_OK);
    ck_assert_uint_eq(edt[0], 127);
    ck_assert_uint_eq(edt[1 + row], (uint8_t)~(1u << bit));
    ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, len), len), ECHONET_OK);
    ck_assert(!echonet_propmap_contains(&back, (uint8_t)e));
    ck_assert_uint_eq(echonet_propmap_count(&back), 127);
}
END_TEST

/* Every count 0..128, with two different choices of members. */
START_TEST(every_count)
{
    unsigned count = (unsigned)_i, pattern;

    for (pattern = 0; pattern < 2; pattern++) {
        echonet_propmap m, back;
        uint8_t edt[17];
        size_t len = 0;
        unsigned k, e;

        echonet_propmap_init(&m);
        for (k = 0; k < count; k++)
            /* pattern 0: ascending; pattern 1: from 0xFF down, touching 0xC0-0xFF first */
            echonet_propmap_add(&m, (uint8_t)(pattern ? 0xFF - k : 0x80 + k));
        ck_assert_uint_eq(echonet_propmap_count(&m), count);
        ck_assert_int_eq(echonet_propmap_encode(&m, edt, sizeof edt, &len), ECHONET_OK);
        ck_assert_uint_eq(len, count < 16 ? count + 1 : 17);
        ck_assert_uint_eq(edt[0], count);
        ck_assert_int_eq(echonet_propmap_decode(&back, guard_place(edt, len), len), ECHONET_OK);
        assert_maps_equal(&back, &m);
        /* Iteration visits exactly the members, ascending. */
        k = 0;
        for (e = echonet_propmap_next(&back, 0); e != ECHONET_PROPMAP_END; e = echonet_propmap_next(&back, e + 1)) {
            ck_assert(echonet_propmap_contains(&m, (uint8_t)e));
            if (count < 16)
                ck_assert_uint_eq(edt[1 + k], e); /* the list is in ascending order */
            k++;
        }
        ck_assert_uint_eq(k, count);
    }
}
END_TEST

START_TEST(encode_needs_room)
{
    echonet_propmap m;
    uint8_t buf[17];
    size_t cap, len;
    unsigned k;

    for (k = 0; k <= 20; k += 4) {
        unsigned i;
        size_t need = k < 16 ? k + 1 : 17;

        echonet_propmap_init(&m);
        for (i = 0; i < k; i++)
            echonet_propmap_add(&m, (uint8_t)(0x80 + 3 * i));
        for (cap = 0; cap < need; cap++) {
            len = 0;
            ck_assert_int_eq(echonet_propmap_encode(&m, cap ? buf : NULL, cap, &len), ECHONET_ERR_NOBUF);
            ck_assert_uint_eq(len, need);
        }
    }
    ck_assert_int_eq(echonet_propmap_encode(NULL, buf, sizeof buf, &len), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_propmap_encode(&m, NULL, 5, &len), ECHONET_ERR_INVALID_ARG);
}
END_TEST

START_TEST(set_operations)
{
    echonet_propmap m;
    unsigned e;

    echonet_propmap_init(&m);
    for (e = 0; e < 0x80; e++) {
        ck_assert_int_eq(echonet_propmap_add(&m, (uint8_t)e), ECHONET_ERR_EPC);
        ck_assert(!echonet_propmap_contains(&m, (uint8_t)e));
        echonet_propmap_remove(&m, (uint8_t)e); /* harmless */
    }
    ck_assert_uint_eq(echonet_propmap_count(&m), 0);
    ck_assert_int_eq(echonet_propmap_add(&m, 0xC5), ECHONET_OK);
    ck_assert_int_eq(echonet_propmap_add(&m, 0xC5), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 1);
    ck_assert_uint_eq(echonet_propmap_next(&m, 0), 0xC5);
    ck_assert_uint_eq(echonet_propmap_next(&m, 0xC5), 0xC5);
    ck_assert_uint_eq(echonet_propmap_next(&m, 0xC6), ECHONET_PROPMAP_END);
    ck_assert_uint_eq(echonet_propmap_next(&m, 0x1000), ECHONET_PROPMAP_END);
    echonet_propmap_remove(&m, 0xC5);
    ck_assert_uint_eq(echonet_propmap_count(&m), 0);
    ck_assert_int_eq(echonet_propmap_add(NULL, 0x80), ECHONET_ERR_INVALID_ARG);
    ck_assert(!echonet_propmap_contains(NULL, 0x80));
    ck_assert_uint_eq(echonet_propmap_count(NULL), 0);
    ck_assert_uint_eq(echonet_propmap_next(NULL, 0x80), ECHONET_PROPMAP_END);
}
END_TEST

static echonet_err decode_hex(echonet_propmap *m, const char *hex)
{
    uint8_t edt[32];
    size_t n = test_hex(hex, edt, sizeof edt);

    return echonet_propmap_decode(m, guard_place(edt, n), n);
}

/* Inaccurate PDCs as seen on real devices (reference 5) are tolerated. */
START_TEST(decode_tolerance)
{
    echonet_propmap m;

    /* List with extra bytes after its count's worth. */
    ck_assert_int_eq(decode_hex(&m, "02 80 81 00 00"), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 2);
    /* List shorter than its count: the EPCs present. */
    ck_assert_int_eq(decode_hex(&m, "05 80 81"), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 2);
    ck_assert(echonet_propmap_contains(&m, 0x81));
    /* Count only. */
    ck_assert_int_eq(decode_hex(&m, "03"), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 0);
    /* Bitmap with a byte more than 17. */
    ck_assert_int_eq(decode_hex(&m, "11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03 FF"), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 17);
}
END_TEST

START_TEST(decode_rejections)
{
    echonet_propmap m;

    ck_assert_int_eq(echonet_propmap_decode(&m, NULL, 0), ECHONET_ERR_PROPMAP_LENGTH);
    ck_assert_int_eq(echonet_propmap_decode(&m, NULL, 3), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_propmap_decode(NULL, (const uint8_t *)"\0", 1), ECHONET_ERR_INVALID_ARG);
    /* Bitmap short of its 16 bytes. */
    ck_assert_int_eq(decode_hex(&m, "11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02"), ECHONET_ERR_PROPMAP_LENGTH);
    ck_assert_int_eq(decode_hex(&m, "10"), ECHONET_ERR_PROPMAP_LENGTH);
    /* Bitmap bits differ from the count. */
    ck_assert_int_eq(decode_hex(&m, "12 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03"),
                     ECHONET_ERR_PROPMAP_INCONSISTENT);
    ck_assert_int_eq(decode_hex(&m, "10 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03"),
                     ECHONET_ERR_PROPMAP_INCONSISTENT);
    /* More than 128 properties cannot exist. */
    ck_assert_int_eq(decode_hex(&m, "81 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"),
                     ECHONET_ERR_PROPMAP_INCONSISTENT);
    /* List with an EPC below 0x80, or a repeated EPC. */
    ck_assert_int_eq(decode_hex(&m, "02 80 7F"), ECHONET_ERR_PROPMAP_INCONSISTENT);
    ck_assert_int_eq(decode_hex(&m, "03 80 B0 80"), ECHONET_ERR_PROPMAP_INCONSISTENT);
    /* The map is left empty after an error. */
    ck_assert_uint_eq(echonet_propmap_count(&m), 0);
    /* All 128: count 0x80 with a full bitmap is fine. */
    ck_assert_int_eq(decode_hex(&m, "80 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF"), ECHONET_OK);
    ck_assert_uint_eq(echonet_propmap_count(&m), 128);
}
END_TEST

Suite *propmap_suite(void)
{
    Suite *s = suite_create("propmap");
    TCase *tc = tcase_create("encodings");

    tcase_add_test(tc, worked_bitmap_example);
    tcase_add_test(tc, worked_list_examples);
    tcase_add_loop_test(tc, every_epc_both_forms, 0, 128);
    tcase_add_loop_test(tc, every_count, 0, 129);
    tcase_add_test(tc, encode_needs_room);
    tcase_add_test(tc, set_operations);
    tcase_add_test(tc, decode_tolerance);
    tcase_add_test(tc, decode_rejections);
    suite_add_tcase(s, tc);
    return s;
}
