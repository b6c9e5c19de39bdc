/*
 * Self-test input of tests/check-freestanding.sh: a library that calls
 * malloc must be refused, and its 64-bit division listed (tests/firmware.sh).
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>

void *malloc(size_t n);
uint64_t fw_bad(uint64_t a, uint64_t b);

uint64_t fw_bad(uint64_t a, uint64_t b)
{
    return a / b + (uint64_t)(uintptr_t)malloc((size_t)a);
}
