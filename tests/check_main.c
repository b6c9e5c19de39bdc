/* The unit test runner: every module's Check suite in one run. */
#include <stdlib.h>

#include "echonet/config.h"
#include "tests.h"

int main(void)
{
    SRunner *sr = srunner_create(frame_suite());
    int failed;

    srunner_add_suite(sr, propmap_suite());
    srunner_add_suite(sr, node_suite());
    srunner_add_suite(sr, propdesc_suite());
    srunner_add_suite(sr, esv_suite());
    srunner_add_suite(sr, eoj_suite());
    srunner_add_suite(sr, error_suite());
    srunner_add_suite(sr, aircon_suite());
    srunner_add_suite(sr, classes_suite());
#if ECHONET_ENABLE_CONTROLLER
    srunner_add_suite(sr, controller_suite());
    srunner_add_suite(sr, ctl_parts_suite());
#endif
    srunner_add_suite(sr, energy_suite());
    srunner_add_suite(sr, crc32_suite());
    srunner_add_suite(sr, household_suite());
    srunner_run_all(sr, CK_ENV);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
