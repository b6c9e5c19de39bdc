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

/* Out of line only when optimising for size (-Os defines
 * __OPTIMIZE_SIZE__): for a small helper whose copies cost flash in a
 * firmware build, while a build for speed keeps the call out of a hot path
 * (event_init(): 27 instructions more per controller response at -O3). */
#if defined(__OPTIMIZE_SIZE__)
#define ECHONET_NOINLINE_FOR_SIZE ECHONET_NOINLINE
#else
#define ECHONET_NOINLINE_FOR_SIZE
#endif

/* 1 unless optimising for size: whether the codec takes its shortcuts, the
 * quicker ways to the very result of the general code beside them (a frame
 * copied block by block, a property written in place), which cost flash
 * (the Cortex-M0+ codec budget of doc/footprint.md) to save instructions
 * (doc/benchmarks.md). */
#if defined(__OPTIMIZE_SIZE__)
#define ECHONET_SHORTCUTS 0
#else
#define ECHONET_SHORTCUTS 1
#endif

#endif /* ECHONET_LIB_NOINLINE_H */
