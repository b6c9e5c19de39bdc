/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file common.h
 * @brief Export and linkage macros shared by every public header.
 *
 * @defgroup common Common macros
 * @brief Symbol visibility and C++ linkage.
 * @{
 */
#ifndef ECHONET_COMMON_H
#define ECHONET_COMMON_H

/**
 * @def ECHONET_API
 * @brief Marks a function exported from the shared library.
 *
 * The library is built with hidden visibility; only declarations carrying this
 * macro are exported. Define @c ECHONET_STATIC_DEFINE when linking the static
 * library on Windows-like targets.
 */
#if defined(_WIN32) && !defined(ECHONET_STATIC_DEFINE)
#  ifdef ECHONET_BUILDING_LIBRARY
#    define ECHONET_API __declspec(dllexport)
#  else
#    define ECHONET_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) && __GNUC__ >= 4
#  define ECHONET_API __attribute__((visibility("default")))
#else
#  define ECHONET_API
#endif

/** @cond INTERNAL */
#ifdef __cplusplus
#  define ECHONET_BEGIN_DECLS extern "C" {
#  define ECHONET_END_DECLS }
#else
#  define ECHONET_BEGIN_DECLS
#  define ECHONET_END_DECLS
#endif
/** @endcond */

/** @} */
#endif /* ECHONET_COMMON_H */
