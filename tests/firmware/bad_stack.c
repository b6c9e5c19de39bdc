/*
 * Self-test input of tests/stack-usage.py: recursion and a frame gcc cannot
 * bound must both be refused (tests/firmware.sh compiles this at -O0, so the
 * recursion stays a call).
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>

unsigned echonet_bad_recursive(unsigned n);
unsigned echonet_bad_dynamic(size_t n);

unsigned echonet_bad_recursive(unsigned n)
{
    return n ? 1u + echonet_bad_recursive(n - 1u) : 0u;
}

unsigned echonet_bad_dynamic(size_t n)
{
    volatile unsigned char *p = __builtin_alloca(n + 1u);

    p[n] = 1;
    return p[n / 2u];
}
