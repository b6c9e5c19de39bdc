/* Property descriptors: table validation, value rules, read-only codes,
 * and map derivation. */
#include "echonet/propdesc.h"
#include "tests.h"

static const uint8_t codes[] = {0x41, 0x42};
static const uint8_t hh_mm[] = {0, 23, 0, 59};
static const uint8_t s8[] = {0xF6, 0x0A}; /* -10 .. 10 */
static const uint8_t ro[] = {0xFD};

static bool even_only(const uint8_t *edt, size_t pdc)
{
    return pdc == 1 && edt[0] % 2 == 0;
}

static const echonet_prop_desc table[] = {
    {0x80, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET | ECHONET_ACCESS_ANNO, 1, 0, ECHONET_RULE_ENUM, 2, 1, codes, ro,
     NULL},
    {0x97, ECHONET_ACCESS_GET | ECHONET_ACCESS_SET, 2, 0, ECHONET_RULE_RANGE, 4, 0, hh_mm, NULL, NULL},
    {0xBB, ECHONET_ACCESS_GET, 1, 0, ECHONET_RULE_RANGE_S8, 2, 0, s8, NULL, NULL},
    {0xC0, ECHONET_ACCESS_SET, 1, 0, ECHONET_RULE_FUNC, 0, 0, NULL, NULL, even_only},
    {0x86, ECHONET_ACCESS_GET, 10, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL, NULL, NULL},
    {0x81, ECHONET_ACCESS_GET, 1, 17, ECHONET_RULE_ANY, 0, 0, NULL, NULL, NULL},
};

static echonet_err check(uint8_t epc, const char *hex, bool for_set)
{
    uint8_t b[32];
    size_t n = test_hex(hex, b, sizeof b);

    return echonet_prop_desc_check(echonet_prop_desc_find(table, 6, epc), guard_place(b, n), n, for_set);
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
    ck_assert_int_eq(check(0x86, "01", false), ECHONET_OK);
    ck_assert_int_eq(check(0x86, "01 02 03 04 05 06 07 08 09 0A", false), ECHONET_OK);
    ck_assert_int_eq(check(0x86, "01 02 03 04 05 06 07 08 09 0A 0B", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x86, "", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(check(0x81, "08", false), ECHONET_OK);
    ck_assert_int_eq(check(0x81, "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", false), ECHONET_OK);
    ck_assert_int_eq(check(0x81, "01 00", false), ECHONET_ERR_VALUE_SIZE);
    ck_assert_int_eq(echonet_prop_desc_check(NULL, codes, 1, true), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_prop_desc_check(&table[0], NULL, 1, true), ECHONET_ERR_INVALID_ARG);
}
END_TEST

START_TEST(validation)
{
    echonet_prop_desc bad[2];

    ck_assert_int_eq(echonet_prop_desc_validate(table, 6), ECHONET_OK);
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
    bad[1].check = NULL;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x82;
    bad[1].rule = 99;
    ck_assert_int_eq(echonet_prop_desc_validate(bad, 2), ECHONET_ERR_TABLE);
    bad[1] = table[0];
    bad[1].epc = 0x82;
    bad[1].readonly = NULL;
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
    tcase_add_test(tc, validation);
    tcase_add_test(tc, maps);
    suite_add_tcase(s, tc);
    return s;
}
