/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * posix_util: what the POSIX example programs (aircon-emulator,
 * hems-controller) share besides the transport (udp.h): the millisecond
 * clock, signals through a self-pipe, the splitting of a "--name=value"
 * option, two small parsers every example needs (hex digits, mode names),
 * and whole-file reads and atomic replacements (the state and energy files).
 */
#ifndef EXAMPLES_POSIX_UTIL_H
#define EXAMPLES_POSIX_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

/* CLOCK_MONOTONIC in milliseconds; 0 when the clock cannot be read. */
echonet_tstamp posix_now_ms(void);

/* Makes the signals signals[0..n-1] arrive through a non-blocking self-pipe:
 * each one's number is written into it as one byte, so that poll() wakes
 * up. SIGPIPE is ignored, so that a closed standard output shows as a write
 * error, not a kill. Returns the pipe's read end, or -1 with errno. One
 * self-pipe per program. */
int posix_signal_pipe(const int *signals, size_t n);

/* Splits an option argument "--name=value" into name (at most cap bytes with
 * the NUL) and the value, which it returns. Without '=' (the value is then
 * the next argument), name is the whole argument, cut to fit, and NULL is
 * returned; a name before '=' too long for name gives "?" and NULL. */
const char *posix_option_split(const char *arg, char *name, size_t cap);

/* Prints "PROGRAM (libechonet) VERSION" on standard output (--version). */
void posix_print_version(const char *program);

/* The value of a hex digit (either case), or -1. */
int posix_hex_digit(int c);

/* The examples' one parser of hex strings (either case, nothing else).
 * Without pad: an even number of digits, 2 to 2 * cap, into the first
 * bytes of out; returns how many bytes. With pad: 1 to 2 * cap digits,
 * right-aligned into all cap bytes with zeros before them ("1" -> 00 01);
 * returns cap. Returns -1 for anything else, out left untouched. */
int posix_parse_hex(const char *s, uint8_t *out, size_t cap, bool pad);

/* An operation mode by its name (auto, cool, heat, dry, fan) into *mode
 * (0x41-0x45); false for any other name. */
bool posix_mode_by_name(const char *name, uint8_t *mode);

/* Reads the whole file path into buf. Returns its length, cap + 1 when it is
 * longer than cap, or -1 with errno (ENOENT: there is none). */
long posix_read_file(const char *path, uint8_t *buf, size_t cap);

/* Whether a file can be created at path: its directory exists and is
 * writable. Returns 0, or the errno value that says why not (ENOENT,
 * ENOTDIR, EACCES...). */
int posix_dir_writable(const char *path);

/* Replaces path with len bytes so that a crash or power cut at any moment
 * leaves either the old file or the new one: a temporary file beside it,
 * fsync, rename over path, fsync of the directory. Returns 0, or -1 with
 * errno (the temporary file removed); ENAMETOOLONG for a path too long. */
int posix_replace_file(const char *path, const uint8_t *buf, size_t len);

#endif /* EXAMPLES_POSIX_UTIL_H */
