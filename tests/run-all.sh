#!/bin/sh
# Builds libechonet in every configuration CI checks and runs its tests:
#
#   build-gcc       gcc, warnings are errors, every test (verbose): unit
#                   suites, simulations, headers, symbols, install, README,
#                   the example programs over real UDP (hostile peers and
#                   the energy log included), the HTTP API and the dashboard
#                   in headless chromium (suite browser), docs checks,
#                   callgrind checks, fuzz corpus replays
#   build-clang     clang, warnings are errors, every test but the browser,
#                   the npm interop and the slow program runs (suite slow)
#   build-asan      gcc with AddressSanitizer and UndefinedBehaviorSanitizer:
#                   unit tests, corpus replays, echonet-dump contract,
#                   README example, the symbol check, the HTTP API
#   (docs)          the Doxygen reference from build-gcc, warnings are errors
#   build-nostrings -Derror_strings=false, at -Os (the code a firmware runs:
#                   ECHONET_SHORTCUTS off, the size-first paths of the node
#                   and the tables): every test that applies but the
#                   callgrind ceilings (set for -O2, build-gcc checks them)
#   (valgrind)      memcheck over the unit and simulation tests and the
#                   corpus replays of build-gcc (tests/valgrind.sh)
#   (matrix)        smallest and largest compile-time sizes
#                   (tests/config-matrix.sh), and the library without the
#                   controller and the optional aircon properties
#                   (tests/config-parts.sh)
#   (firmware)      Cortex-M0+, Cortex-M4F, RV32IMAC freestanding builds,
#                   nm -u, footprint table and budgets, stack depth of every
#                   public call (tests/firmware.sh)
#   (big-endian)    s390x cross build, unit tests and corpora under
#                   qemu-user (tests/bigendian.sh)
#   (fuzz)          every libFuzzer target for 60 s with ASan+UBSan
#                   (fuzz/run.sh)
#   (bench)         the speed table of doc/benchmarks.md, printed (figures,
#                   not pass/fail: tests/bench/run.sh)
#   (interop)       npm ECHONET Lite controllers against build-gcc's
#                   aircon-emulator, in network namespaces (needs root)
#
# Missing build tools are installed with apt-get first (Debian; as root, or
# through sudo). Build directories are created when absent and reconfigured
# when present. Stops at the first failure.
#
# usage: sh tests/run-all.sh       (from anywhere in the tree)
set -eu

cd "$(dirname "$0")/.."
start=$(date +%s)
current="starting"

NAME=run-all.sh
. tests/lib.sh
# Whatever fails (a command under set -e, or die), the step is named.
trap '[ $? -eq 0 ] || printf "\nrun-all.sh: FAILED at step: %s\n" "$current" >&2' EXIT

current="installing build dependencies"
need meson ninja-build gcc g++ clang pkg-config check doxygen python3 binutils \
    nodejs npm iproute2 valgrind libclang-rt-14-dev librsvg2-bin gcc-arm-none-eabi \
    libnewlib-arm-none-eabi gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf \
    libmicrohttpd-dev libjansson-dev chromium \
    libmosquitto-dev mosquitto mosquitto-clients openssl
say "Tools: meson $(meson --version), $(gcc --version | head -n 1)," \
    "$(clang --version | head -n 1), doxygen $(doxygen --version)"

steps=0
passed() {
    steps=$((steps + 1))
    say "OK: $current"
}

# --- (a) gcc -----------------------------------------------------------------
current="gcc build (build-gcc)"
say "$current"
CC=gcc CXX=g++ setup build-gcc -Dwerror=true -Dtests=enabled -Ddocs=enabled
meson compile -C build-gcc
meson test -C build-gcc -v --print-errorlogs
passed

# --- (b) clang ---------------------------------------------------------------
current="clang build (build-clang)"
say "$current"
CC=clang CXX=clang++ setup build-clang -Dwerror=true -Dtests=enabled -Ddocs=disabled
meson compile -C build-clang
# (The dashboard's browser test and the household interop test run once,
# in build-gcc: they need the npm registry and do not depend on the compiler.
# The slow program runs (suite slow: response timers, a minute each) run in
# build-gcc and build-nostrings; the faster program tests still run here.)
meson test -C build-clang --print-errorlogs --no-suite browser --no-suite interop --no-suite slow
passed

# --- (c) sanitizers ----------------------------------------------------------
# Not -Dwerror: gcc's warnings change under instrumentation; (a) and (b) hold
# the line on warnings. The install test is left out: its consumer is built
# without the sanitizer runtime. CK_FORK=no runs the Check tests in one
# process: a fork per test, each ending in a leak scan, takes ten times as
# long, and any sanitizer report aborts the run all the same.
current="AddressSanitizer + UndefinedBehaviorSanitizer build (build-asan)"
say "$current"
CC=gcc CXX=g++ setup build-asan -Dtests=enabled -Ddocs=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false \
    -Dc_args='-fno-sanitize-recover=all -fno-omit-frame-pointer' \
    -Dcpp_args='-fno-sanitize-recover=all -fno-omit-frame-pointer'
meson compile -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
CK_FORK=no \
    meson test -C build-asan --print-errorlogs \
    unit 'echonet-dump contract' 'README example' 'no heap, stdio or OS calls' \
    'hems-controller HTTP API' 'hems-controller MQTT bridge'
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    meson test -C build-asan --print-errorlogs --suite fuzz
passed

# --- (d) API reference -------------------------------------------------------
current="API reference (meson compile -C build-gcc docs)"
say "$current"
meson compile -C build-gcc docs
[ -f build-gcc/doc/html/index.html ] || die "build-gcc/doc/html/index.html was not written"
passed

# --- (e) without error strings (and without MQTT) -------------------------------
current="build without error strings and MQTT, at -Os (build-nostrings)"
say "$current"
CC=gcc CXX=g++ setup build-nostrings -Dwerror=true -Derror_strings=false -Dmqtt=disabled \
    -Dtests=enabled -Ddocs=disabled -Doptimization=s
meson compile -C build-nostrings
meson test -C build-nostrings --print-errorlogs --no-suite browser --no-suite interop --no-suite bench
passed

# --- (f) valgrind ------------------------------------------------------------
current="valgrind memcheck (tests/valgrind.sh build-gcc)"
say "$current"
sh tests/valgrind.sh build-gcc
passed

# --- (g) configuration matrix --------------------------------------------------
current="configuration matrix (tests/config-matrix.sh, tests/config-parts.sh)"
say "$current"
# (Without the slow program runs: they do not depend on the sizes; the
# program tests that do, over IPv6 with 16-byte addresses, stay.)
sh tests/config-matrix.sh --no-suite slow
sh tests/config-parts.sh
passed

# --- (h) firmware: cross builds, footprint, stack ------------------------------
current="firmware builds, footprint and stack (tests/firmware.sh)"
say "$current"
sh tests/firmware.sh
passed

# --- (i) big-endian --------------------------------------------------------------
current="big-endian s390x under qemu-user (tests/bigendian.sh)"
say "$current"
sh tests/bigendian.sh
passed

# --- (j) fuzzing -------------------------------------------------------------------
current="fuzzing, every target 60 s (fuzz/run.sh 60)"
say "$current"
sh fuzz/run.sh 60
passed

# --- (k) benchmark table ---------------------------------------------------------
# Figures, not a verdict (the callgrind sanity checks ran in (a)).
current="benchmark table (tests/bench/run.sh build-bench)"
say "$current"
CC=gcc CXX=g++ setup build-bench -Dbuildtype=release -Dtests=enabled -Ddocs=disabled
meson compile -C build-bench tests/codec-bench tests/ctl-scale
sh tests/bench/run.sh build-bench
passed

# --- (l) interop (npm peers) -------------------------------------------------
# Two ECHONET Lite controllers from the npm registry (pinned in
# tests/interop/package-lock.json) against build-gcc's aircon-emulator over
# UDP, each in network namespaces of its own.
current="interop (npm peers)"
say "$current"
sh tests/interop/run.sh build-gcc
passed

end=$(date +%s)
trap - EXIT
printf '\nrun-all.sh: PASS: %d of 12 steps (gcc, clang, asan+ubsan, docs, no error strings, valgrind, config matrix, firmware, big-endian, fuzz, bench, interop) in %ds\n' \
    "$steps" "$((end - start))"
