/* CRC-32: the standard check value, the empty string, and bytes read up to
 * the last one only. */
#include <string.h>

#include "echonet/crc32.h"
#include "tests.h"

START_TEST(check_value)
{
    const uint8_t *check = (const uint8_t *)"123456789";

    /* The catalogue's check value of CRC-32/ISO-HDLC, zlib's crc32(). */
    ck_assert_uint_eq(echonet_crc32(check, 9), 0xCBF43926u);
    ck_assert_uint_eq(echonet_crc32(guard_place(check, 9), 9), 0xCBF43926u);
}
END_TEST

START_TEST(short_strings)
{
    const uint8_t zero = 0, a = 'a';

    ck_assert_uint_eq(echonet_crc32(NULL, 0), 0u);
    ck_assert_uint_eq(echonet_crc32(&zero, 1), 0xD202EF8Du);
    ck_assert_uint_eq(echonet_crc32(&a, 1), 0xE8B7BE43u);
}
END_TEST

START_TEST(every_bit_counts)
{
    uint8_t buf[64];
    uint32_t base;
    size_t i;
    unsigned b;

    for (i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37u + 11u);
    base = echonet_crc32(buf, sizeof buf);
    for (i = 0; i < sizeof buf; i++) {
        for (b = 0; b < 8; b++) {
            buf[i] ^= (uint8_t)(1u << b);
            ck_assert_uint_ne(echonet_crc32(buf, sizeof buf), base);
            buf[i] ^= (uint8_t)(1u << b);
        }
    }
    ck_assert_uint_eq(echonet_crc32(buf, sizeof buf), base);
}
END_TEST

Suite *crc32_suite(void)
{
    Suite *s = suite_create("crc32");
    TCase *tc = tcase_create("crc32");

    tcase_add_test(tc, check_value);
    tcase_add_test(tc, short_strings);
    tcase_add_test(tc, every_bit_counts);
    suite_add_tcase(s, tc);
    return s;
}
