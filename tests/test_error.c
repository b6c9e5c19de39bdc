/* Error names and messages: every code named, names unique, unknowns safe. */
#include <string.h>

#include "echonet/config.h"
#include "echonet/error.h"
#include "tests.h"

static const int codes[] = {
    ECHONET_OK, ECHONET_ERR_INVALID_ARG, ECHONET_ERR_NOBUF, ECHONET_ERR_TRUNCATED, ECHONET_ERR_EHD1,
    ECHONET_ERR_EHD2, ECHONET_ERR_ESV, ECHONET_ERR_OPC_ZERO, ECHONET_ERR_TRAILING, ECHONET_ERR_TOO_LONG,
    ECHONET_ERR_WRITER_STATE, ECHONET_ERR_OPC_OVERFLOW, ECHONET_ERR_PDC_OVERFLOW, ECHONET_ERR_EPC,
    ECHONET_ERR_PROPMAP_LENGTH, ECHONET_ERR_PROPMAP_INCONSISTENT, ECHONET_ERR_TABLE, ECHONET_ERR_VALUE_SIZE,
    ECHONET_ERR_VALUE, ECHONET_ERR_ACCESS, ECHONET_ERR_MANDATORY, ECHONET_ERR_FULL, ECHONET_ERR_NOT_FOUND,
    ECHONET_ERR_DUPLICATE, ECHONET_ERR_SNAPSHOT, ECHONET_ERR_ENERGY_FORMAT, ECHONET_ERR_ENERGY_VERSION,
    ECHONET_ERR_ENERGY_VALUE, ECHONET_ERR_ENERGY_CONFLICT,
};
#define N_CODES (sizeof codes / sizeof codes[0])

START_TEST(names_and_messages)
{
    size_t i, j;

    for (i = 0; i < N_CODES; i++) {
#if ECHONET_ENABLE_ERROR_STRINGS
        const char *name = echonet_err_name(codes[i]);

        ck_assert_msg(strncmp(name, "ECHONET_", 8) == 0, "code %d: name %s", codes[i], name);
        ck_assert_str_ne(name, "ECHONET_ERR_UNKNOWN");
        ck_assert_str_ne(echonet_strerror(codes[i]), "unknown error");
        ck_assert_uint_gt(strlen(echonet_strerror(codes[i])), 5);
        for (j = 0; j < i; j++) {
            ck_assert_int_ne(codes[i], codes[j]);
            ck_assert_str_ne(name, echonet_err_name(codes[j]));
        }
#else
        (void)j;
        ck_assert_str_eq(echonet_err_name(codes[i]), "");
        ck_assert_str_eq(echonet_strerror(codes[i]), "");
#endif
        ck_assert_int_le(codes[i], 0);
    }
#if ECHONET_ENABLE_ERROR_STRINGS
    ck_assert_str_eq(echonet_err_name(ECHONET_ERR_TRUNCATED), "ECHONET_ERR_TRUNCATED");
    ck_assert_str_eq(echonet_err_name(-9999), "ECHONET_ERR_UNKNOWN");
    ck_assert_str_eq(echonet_err_name(5), "ECHONET_ERR_UNKNOWN");
    ck_assert_str_eq(echonet_strerror(-9999), "unknown error");
#endif
}
END_TEST

Suite *error_suite(void)
{
    Suite *s = suite_create("error");
    TCase *tc = tcase_create("strings");

    tcase_add_test(tc, names_and_messages);
    suite_add_tcase(s, tc);
    return s;
}
