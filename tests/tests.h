/* Shared declarations of the unit test suites (one per module). */
#ifndef ECHONET_TESTS_H
#define ECHONET_TESTS_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

Suite *aircon_suite(void);
Suite *classes_suite(void);
Suite *controller_suite(void);
Suite *crc32_suite(void);
Suite *ctl_parts_suite(void);
Suite *energy_suite(void);
Suite *eoj_suite(void);
Suite *error_suite(void);
Suite *esv_suite(void);
Suite *frame_suite(void);
Suite *household_suite(void);
Suite *node_suite(void);
Suite *propdesc_suite(void);
Suite *propmap_suite(void);

/* Parses hex digits (spaces allowed) into out; returns the byte count.
 * Aborts the test on bad input or overflow of cap. */
size_t test_hex(const char *hex, uint8_t *out, size_t cap);

/* Copies len bytes so that they end exactly at an unreadable page: any read
 * past the end faults. The copy stays valid until the next call. */
const uint8_t *guard_place(const uint8_t *data, size_t len);

#endif
