/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Keeps a function out of its callers. Used where inlining would put the
 * function's locals into a caller's frame that already sits on a deep path
 * (tests/stack-usage.py checks every public call against 512 bytes), or would
 * copy a function called from two places. GCC and clang honour it; another
 * compiler gets nothing, and the stack check in CI says what that costs. */
#ifndef ECHONET_LIB_NOINLINE_H
#define ECHONET_LIB_NOINLINE_H

#if defined(__GNUC__) || defined(__clang__)
#define ECHONET_NOINLINE __attribute__((noinline))
#else
#define ECHONET_NOINLINE
#endif

#endif /* ECHONET_LIB_NOINLINE_H */
