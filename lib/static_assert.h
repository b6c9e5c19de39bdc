/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* A compile-time assertion for C99 (which has no _Static_assert): an array
 * type of negative size when the condition is false stops the build. Used for
 * size relationships the code relies on that config.h's #error lines cannot
 * see (enum values, sizeof). Internal to the library. */
#ifndef ECHONET_LIB_STATIC_ASSERT_H
#define ECHONET_LIB_STATIC_ASSERT_H

/* cond: an integer constant expression; name: an identifier saying what must
 * hold (it appears in the compiler's message). At file scope only. */
#define ECHONET_STATIC_ASSERT(cond, name) typedef char echonet_static_assert_##name[(cond) ? 1 : -1]

#endif /* ECHONET_LIB_STATIC_ASSERT_H */
