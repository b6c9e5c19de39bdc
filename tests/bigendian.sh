#!/bin/sh
# Builds libechonet and its tests for a big-endian Linux target (s390x, IBM Z)
# with Debian's cross compiler and runs them under qemu-user:
#
#   unit                    every Check suite (frame, propmap, node, propdesc,
#                           esv, eoj, error, aircon, controller with its
#                           golden vectors, round trips and simulations)
#   target byte order       a program run under qemu must find big-endian
#                           integers (meson: host_machine.endian() == 'big')
#   fuzz corpus *           the seed corpora replayed (fuzz_engine=none)
#   headers                 every public header alone as strict C99
#   symbols, README         no heap/stdio/OS calls; the README example runs
#
# Build directory: build-s390x (created when absent, reconfigured when
# present). Cross file: tests/cross/s390x-linux.ini (static executables).
# Missing packages are installed with apt-get (Debian bookworm; as root or
# through sudo), among them Check for s390x through multiarch (check:s390x),
# which needs `dpkg --add-architecture s390x`.
#
# usage: sh tests/bigendian.sh      (from anywhere in the tree)
set -eu

cd "$(dirname "$0")/.."
start=$(date +%s)
build=build-s390x

NAME=bigendian.sh
. tests/lib.sh

need meson ninja-build pkg-config python3 gcc-s390x-linux-gnu libc6-dev-s390x-cross \
    qemu-user check:s390x
say "Tools: meson $(meson --version), $(s390x-linux-gnu-gcc --version | head -n 1)," \
    "$(qemu-s390x --version | head -n 1)"

# --- Build -------------------------------------------------------------------
say "Configuring $build (cross file tests/cross/s390x-linux.ini)"
setup "$build" --cross-file tests/cross/s390x-linux.ini \
    -Dwerror=true -Dexamples=false -Ddocs=disabled -Dtests=enabled
meson compile -C "$build"

# The unit runner must be a big-endian s390x executable, not a host one.
s390x-linux-gnu-readelf -h "$build/tests/test-unit" | grep -q 'big endian' ||
    die "$build/tests/test-unit is not a big-endian executable"
s390x-linux-gnu-readelf -h "$build/tests/test-unit" | grep -q 'IBM S/390' ||
    die "$build/tests/test-unit is not an s390x executable"

# --- Tests under qemu-s390x --------------------------------------------------
# CK_FORK=no: one process for all Check tests (a fork per test under qemu is
# slow). The timeout multiplier allows for emulation on a loaded machine.
say "Unit tests, byte order, symbols and README example under qemu-s390x"
CK_FORK=no meson test -C "$build" --print-errorlogs --timeout-multiplier 5 \
    unit 'target byte order is big' 'no heap, stdio or OS calls' \
    'check-symbols rejects malloc and printf' 'README example'
grep -q '^byte order: big$' "$build/meson-logs/testlog.txt" ||
    die "the byte-order program did not report a big-endian target"

say "Fuzz corpus replays under qemu-s390x"
meson test -C "$build" --print-errorlogs --timeout-multiplier 5 --suite fuzz

say "Public headers (built for s390x, run under qemu-s390x)"
meson test -C "$build" --print-errorlogs --timeout-multiplier 5 --suite headers

end=$(date +%s)
printf '\nbigendian.sh: PASS: s390x (big-endian) build and tests in %ds\n' "$((end - start))"
