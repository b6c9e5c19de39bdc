#!/bin/sh
# Builds libechonet in every configuration CI checks and runs its tests:
#
#   build-gcc       gcc, warnings are errors, every test (verbose)
#   build-clang     clang, warnings are errors, every test
#   build-asan      gcc with AddressSanitizer and UndefinedBehaviorSanitizer:
#                   unit tests, echonet-dump contract, README example, and
#                   the symbol check (which must allow the instrumentation)
#   (docs)          the Doxygen reference from build-gcc, warnings are errors
#   build-nostrings -Derror_strings=false: every test that applies
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

say() {
    printf '\n==> %s\n' "$*"
}
die() {
    printf '\nrun-all.sh: %s\n' "$*" >&2
    exit 1
}
# Whatever fails (a command under set -e, or die), the step is named.
trap '[ $? -eq 0 ] || printf "\nrun-all.sh: FAILED at step: %s\n" "$current" >&2' EXIT

# --- Dependencies ------------------------------------------------------------
# Debian package and a command (or check) that proves it is installed.
have() {
    case $1 in
    meson) command -v meson ;;
    ninja-build) command -v ninja ;;
    gcc) command -v gcc ;;
    g++) command -v g++ ;;
    clang) command -v clang && command -v clang++ ;;
    pkg-config) command -v pkg-config ;;
    check) command -v pkg-config && pkg-config --exists check ;;
    doxygen) command -v doxygen ;;
    python3) command -v python3 ;;
    binutils) command -v nm ;;
    nodejs) command -v node ;;
    npm) command -v npm ;;
    iproute2) command -v ip ;;
    *) return 1 ;;
    esac >/dev/null 2>&1
}

current="installing build dependencies"
missing=""
for pkg in meson ninja-build gcc g++ clang pkg-config check doxygen python3 binutils \
    nodejs npm iproute2; do
    have "$pkg" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    say "Installing missing build dependencies:$missing"
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found; install these yourself:$missing"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "not root and no sudo; install these as root:$missing"
        sudo=sudo
    fi
    $sudo apt-get update
    # libc6-dev is only recommended by gcc; name it since recommends are off.
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        $missing libc6-dev
    for pkg in $missing; do
        have "$pkg" || die "package $pkg was installed but is still not usable"
    done
fi
say "Tools: meson $(meson --version), $(gcc --version | head -n 1)," \
    "$(clang --version | head -n 1), doxygen $(doxygen --version)"

# --- Helpers -----------------------------------------------------------------
# setup DIR OPTIONS...: configure DIR fresh, or reconfigure it with OPTIONS.
setup() {
    dir=$1
    shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        rm -rf "$dir"
        meson setup "$dir" "$@"
    fi
}

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
meson test -C build-clang --print-errorlogs
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
    unit 'echonet-dump contract' 'README example' 'no heap, stdio or OS calls'
passed

# --- (d) API reference -------------------------------------------------------
current="API reference (meson compile -C build-gcc docs)"
say "$current"
meson compile -C build-gcc docs
[ -f build-gcc/doc/html/index.html ] || die "build-gcc/doc/html/index.html was not written"
passed

# --- (e) without error strings -----------------------------------------------
current="build without error strings (build-nostrings)"
say "$current"
CC=gcc CXX=g++ setup build-nostrings -Dwerror=true -Derror_strings=false \
    -Dtests=enabled -Ddocs=disabled
meson compile -C build-nostrings
meson test -C build-nostrings --print-errorlogs
passed

# --- (f) interop (npm peers) -------------------------------------------------
# Two ECHONET Lite controllers from the npm registry (pinned in
# tests/interop/package-lock.json) against build-gcc's aircon-emulator over
# UDP, each in network namespaces of its own.
current="interop (npm peers)"
say "$current"
sh tests/interop/run.sh build-gcc
passed

end=$(date +%s)
trap - EXIT
printf '\nrun-all.sh: PASS: %d of 6 steps (gcc, clang, asan+ubsan, docs, no error strings, interop) in %ds\n' \
    "$steps" "$((end - start))"
