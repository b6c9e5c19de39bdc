/* EOJ helpers: packing, node-profile spellings, instance 0x00 matching. */
#include "echonet/eoj.h"
#include "tests.h"

START_TEST(packing)
{
    const uint8_t wire[3] = {0x01, 0x30, 0x02};
    echonet_eoj e = ECHONET_EOJ(0x01, 0x30, 0x02);

    ck_assert_uint_eq(e, 0x013002);
    ck_assert_uint_eq(ECHONET_EOJ_GROUP(e), 0x01);
    ck_assert_uint_eq(ECHONET_EOJ_CLASS(e), ECHONET_CLASS_HOME_AIRCON);
    ck_assert_uint_eq(ECHONET_EOJ_INSTANCE(e), 0x02);
    ck_assert_uint_eq(ECHONET_EOJ_OF_CLASS(0x05FF, 1), ECHONET_EOJ_CONTROLLER);
    ck_assert_uint_eq(echonet_eoj_read(wire), e);
    ck_assert_uint_eq(ECHONET_EOJ(0x1FF, 0x130, 0x101), 0xFF3001); /* each part masked to a byte */
}
END_TEST

START_TEST(node_profile_spellings)
{
    ck_assert(echonet_eoj_is_node_profile(0x0EF000));
    ck_assert(echonet_eoj_is_node_profile(ECHONET_EOJ_NODE_PROFILE));
    ck_assert(echonet_eoj_is_node_profile(ECHONET_EOJ_NODE_PROFILE_TX_ONLY));
    ck_assert(!echonet_eoj_is_node_profile(0x0EF003));
    ck_assert(!echonet_eoj_is_node_profile(0x0EF101));
    ck_assert(!echonet_eoj_is_node_profile(0x01EF001));
    ck_assert(echonet_eoj_matches(0x0EF000, ECHONET_EOJ_NODE_PROFILE));
    ck_assert(echonet_eoj_matches(0x0EF002, ECHONET_EOJ_NODE_PROFILE));
    ck_assert(!echonet_eoj_matches(0x0EF001, 0x013001));
}
END_TEST

START_TEST(instance_all)
{
    ck_assert(echonet_eoj_matches(0x013000, 0x013001));
    ck_assert(echonet_eoj_matches(0x013000, 0x01307F));
    ck_assert(echonet_eoj_matches(0x013001, 0x013001));
    ck_assert(!echonet_eoj_matches(0x013001, 0x013002));
    ck_assert(!echonet_eoj_matches(0x013100, 0x013001));
    ck_assert(!echonet_eoj_matches(0x023000, 0x013001));
    /* An object's own instance 0x00 is not a wildcard in the other direction. */
    ck_assert(!echonet_eoj_matches(0x013001, 0x013000));
}
END_TEST

Suite *eoj_suite(void)
{
    Suite *s = suite_create("eoj");
    TCase *tc = tcase_create("eoj");

    tcase_add_test(tc, packing);
    tcase_add_test(tc, node_profile_spellings);
    tcase_add_test(tc, instance_all);
    suite_add_tcase(s, tc);
    return s;
}
