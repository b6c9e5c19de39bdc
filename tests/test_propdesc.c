/* Property descriptors: table validation, value rules, read-only codes,
 * and map derivation. */
#include "echonet/propdesc.h"
#include "tests.h"

static const uint8_t codes[] = {0x41, 0x42, 0xFD}; /* two codes, then 0xFD read only */
static const uint8_t hh_mm[] = {0, 23, 0, 59};
static const uint8_t s8[] = {0xF6, 0x0A}; /* -10 .. 10 */
/* A 16-bit number 0 .. 0xFFFD, then a signed 16-bit one -300 .. 300, then
 * one byte 1 .. 12. */
static const uint8_t numbers[] = {0x02, 0x00, 0x00, 0xFF, 0xFD, 0x82, 0xFE, 0xD4, 0x01, 0x2C, 0x01, 0x01, 0x0C};
/* A 32-bit number 1 .. 999 999 999. */
static const uint8_t u32[] = {0x04, 0x00, 0x00, 0x00, 0x01, 0x3B, 0x9A, 0xC9, 0xFF};

static int even_only(const uint8_t *edt, size_t pdc)
{
    /* 0xFF: a state a device reports, never set */
    if (pdc == 1 && edt[0] == 0xFF)
        return ECHONET_VALUE_READ_ONLY;
    return pdc == 1 && edt[0] % 2 == 0;
}
static const echonet_value_func even = {even_only};

static const echonet_prop_desc table[] = {
    {0x80, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET | ECHONET_ACCESS_ANNO, 1, 0, ECHONET_RULE_ENUM, 2, 1, codes},
    {0x97, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET, 2, 0, ECHONET_RULE_RANGE, 4, 0, hh_mm},
    {0xBB, ECHONET_ACCESS_GET, 1, 0, ECHONET_RULE_RANGE_S8, 2, 0, s8},
    {0xC0, ECHONET_ACCESS_SET, 1, 0, ECHONET_RULE_FUNC, 0, 0, ECHONET_FUNC_VALUES(even)},
    {0x86, ECHONET_ACCESS_GET, 10, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x81, ECHONET_ACCESS_GET, 1, 17, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xE0, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET, 5, 0, ECHONET_RULE_NUMBERS, 13, 0, numbers},
    {0xE1, ECHONET_ACCESS_GET, 4, 0, ECHONET_RULE_NUMBERS, 9, 0, u32},
};
#define N_TABLE (sizeof table / sizeof table[0])

static echonet_err check(uint8_t epc, const char *hex, bool for_set)
{
    uint8_t b[32];
    size_t n = test_hex(hex, b, sizeof b);

    return echonet_prop_desc_check(echonet_prop_desc_find(table, N_TABLE, epc), guard_place(b, n), n, for_set);
}

START_TEST(value_rules)
{
    ck_assert_int_eq(check(0x80, "41", true), ECHONET_OK);
    ck_assert_int_eq(check(0x80, "43", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0x80, "FD", true), ECHONET_ERR_VALUE); /* read-only in a Set */
    ck_assert_int_eq(check(0x80, "FD", false), ECHONET_OK);
    ck_assert_int_eq(check(0x80, "41 41", true), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x80, "", true), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x97, "17 3B", true), ECHONET_OK);
    ck_assert_int_eq(check(0x97, "18 00", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0x97, "00 3C", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xBB, "F6", false), ECHONET_OK);
    ck_assert_int_eq(check(0xBB, "F5", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xBB, "0A", false), ECHONET_OK);
    ck_assert_int_eq(check(0xBB, "0B", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xC0, "02", true), ECHONET_OK);
    ck_assert_int_eq(check(0xC0, "03", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xC0, "03", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xC0, "FF", false), ECHONET_OK); /* the function's read-only verdict */
    ck_assert_int_eq(check(0xC0, "FF", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0x86, "01", false), ECHONET_OK);
    ck_assert_int_eq(check(0x86, "01 02 03 04 05 06 07 08 09 0A", false), ECHONET_OK);
    ck_assert_int_eq(check(0x86, "01 02 03 04 05 06 07 08 09 0A 0B", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x86, "", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x81, "08", false), ECHONET_OK);
    ck_assert_int_eq(check(0x81, "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", false), ECHONET_OK);
    ck_assert_int_eq(check(0x81, "01 00", false), ECHONET_ERR_VALUE_SIZE);
}
END_TEST

START_TEST(number_rules)
{
    /* each number at its boundaries, and one beyond */
    ck_assert_int_eq(check(0xE0, "0000 0000 01", true), ECHONET_OK);
    ck_assert_int_eq(check(0xE0, "FFFD 0000 01", true), ECHONET_OK);
    ck_assert_int_eq(check(0xE0, "FFFE 0000 01", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xE0, "FFFD FED4 0C", true), ECHONET_OK);  /* -300, 12 */
    ck_assert_int_eq(check(0xE0, "FFFD FED3 0C", true), ECHONET_ERR_VALUE); /* -301 */
    ck_assert_int_eq(check(0xE0, "FFFD 012C 0C", true), ECHONET_OK);  /* 300 */
    ck_assert_int_eq(check(0xE0, "FFFD 012D 0C", true), ECHONET_ERR_VALUE); /* 301 */
    ck_assert_int_eq(check(0xE0, "FFFD 8000 0C", true), ECHONET_ERR_VALUE); /* -32768 */
    ck_assert_int_eq(check(0xE0, "FFFD 7FFF 0C", true), ECHONET_ERR_VALUE); /* 32767 */
    ck_assert_int_eq(check(0xE0, "0000 0000 00", true), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xE0, "0000 0000 0D", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xE0, "0000 0000", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0xE1, "00000001", false), ECHONET_OK);
    ck_assert_int_eq(check(0xE1, "3B9AC9FF", false), ECHONET_OK);
    ck_assert_int_eq(check(0xE1, "3B9ACA00", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xE1, "00000000", false), ECHONET_ERR_VALUE);
    ck_assert_int_eq(check(0xE1, "FFFFFFFF", false), ECHONET_ERR_VALUE);
}
END_TEST

START_TEST(null_arguments)
{
    ck_assert_int_eq(echonet_prop_desc_check(NULL, codes, 1, true), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_prop_desc_check(&table[0], NULL, 1, true), ECHONET_ERR_INVALID_ARG);
}
END_TEST

/* A function rule without its function; numbers of 5 and of 0 bytes. */
static const echonet_value_func no_function = {NULL};
static const uint8_t bad_width[] = {0x05, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t no_width[] = {0x80, 0, 0, 0, 0, 0, 0, 0, 0};

START_TEST(validation)
{
    echonet_prop_desc bad[2];

    ck_assert_int_eq(echonet_prop_desc_validate(table, N_TABLE), ECHONET_OK);
    ck_assert_int_eq(echonet_prop_desc_validate(NULL, 0), ECHONET_OK);
    ck_assert_int_eq(echonet_prop_desc_validate(NULL, 1), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_prop_desc_validate(table, 129), ECHONET_ERR_INVALID_ARG);
    bad[0] = table[0];
    bad[1] = table[0];
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE); /* EPC twice */
    bad[1].epc = 0x7F;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x81;
    bad[1].size = 0;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x81;
    bad[1].values = NULL;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[1];
    bad[1].n_values = 3; /* ranges come in pairs */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[3];
    bad[1].values = ECHONET_FUNC_VALUES(no_function);
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[3];
    bad[1].n_readonly = 1; /* a function says itself what is read only */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x82;
    bad[1].rule = 99;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[5];
    bad[1].n_readonly = 1; /* read-only codes without their bytes */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x82;
    bad[1].rule = ECHONET_RULE_ANY; /* bytes no rule reads */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1].n_values = 0; /* only the read-only code: valid */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_OK);
    bad[1] = table[6];
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_OK);
    bad[1].size = 6; /* the numbers fill 5 bytes */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1].size = 4;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1].size = 5;
    bad[1].size_alt = 2; /* a fixed size only */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1].size_alt = 0;
    bad[1].n_values = 12; /* the last number cut short */
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[7];
    bad[1].values = bad_width;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1].values = no_width;
    bad[1].n_values = 9;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
}
END_TEST

START_TEST(maps)
{
    echonet_propmap m, omit;

    echonet_prop_desc_map(&m, table, 6, ECHONET_ACCESS_GET, NULL);
    ck_assert_uint_eq(echonet_propmap_count(&m), 5);
    ck_assert(!echonet_propmap_contains(&m, 0xC0));
    echonet_prop_desc_map(&m, table, 6, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET, NULL);
    ck_assert_uint_eq(echonet_propmap_count(&m), 2);
    echonet_propmap_init(&omit);
    echonet_propmap_add(&omit, 0x97);
    echonet_prop_desc_map(&m, table, 6, ECHONET_ACCESS_SET, &omit);
    ck_assert_uint_eq(echonet_propmap_count(&m), 2);
    ck_assert(echonet_propmap_contains(&m, 0xC0));
    ck_assert(!echonet_propmap_contains(&m, 0x97));
    ck_assert_ptr_null(echonet_prop_desc_find(table, 6, 0x99));
    ck_assert_ptr_null(echonet_prop_desc_find(NULL, 6, 0x80));
}
END_TEST

Suite *propdesc_suite(void)
{
    Suite *s = suite_create("propdesc");
    TCase *tc = tcase_create("propdesc");

    tcase_add_test(tc, value_rules);
    tcase_add_test(tc, number_rules);
    tcase_add_test(tc, null_arguments);
    tcase_add_test(tc, validation);
    tcase_add_test(tc, maps);
    suite_add_tcase(s, tc);
    return s;
}
