#!/bin/sh
# Builds libechonet without its optional parts (config.h, STYLE.md rule 9)
# and runs every test that applies:
#
#   build-parts   -Dcontroller=false -Daircon_optional=false
#                 (ECHONET_ENABLE_CONTROLLER 0, ECHONET_AIRCON_OPTIONAL 0):
#                 no controller in the library, the 0x0130 table with its 13
#                 mandatory properties only; hems-controller and
#                 aircon-emulator are not built (they need the parts).
#
# Then checks what the options promise: config.h says 0 for both, the library
# defines no controller symbol, and controller.h is not installed.
# Missing packages are installed with apt-get (Debian bookworm; as root or
# through sudo). The build directory is created when absent and
# reconfigured when present.
#
# usage: sh tests/config-parts.sh      (from anywhere in the tree)
set -eu

cd "$(dirname "$0")/.."
start=$(date +%s)
build=build-parts

NAME=config-parts.sh
. tests/lib.sh

need meson ninja-build gcc pkg-config check python3 binutils

# --- Build and test ----------------------------------------------------------
opts="-Dwerror=true -Dcontroller=false -Daircon_optional=false -Dtests=enabled -Ddocs=disabled"
say "Configuring $build ($opts)"
# shellcheck disable=SC2086
CC=gcc CXX=g++ setup "$build" $opts
meson compile -C "$build"

say "Tests of $build"
meson test -C "$build" --print-errorlogs

# --- What the options promise ------------------------------------------------
say "Checking config.h, the library's symbols and the installed headers"
grep -q '^#define ECHONET_ENABLE_CONTROLLER 0$' "$build/include/echonet/config.h" ||
    die "config.h does not say ECHONET_ENABLE_CONTROLLER 0"
grep -q '^#define ECHONET_AIRCON_OPTIONAL 0$' "$build/include/echonet/config.h" ||
    die "config.h does not say ECHONET_AIRCON_OPTIONAL 0"
lib="$build/lib/libechonet_internal.a"
[ -f "$lib" ] || die "$lib was not built"
nm -g --defined-only "$lib" | grep -q ' T echonet_aircon_desc$' ||
    die "nm cannot see the library's functions (echonet_aircon_desc missing)"
if nm -g --defined-only "$lib" | grep ' T echonet_ctl_'; then
    die "the library defines controller functions although the controller is off"
fi
[ ! -e "$build/examples/hems-controller" ] || die "hems-controller was built without the controller"
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
inc=$(find "$dest" -type d -path '*/include/echonet' | head -n 1)
[ -n "$inc" ] && [ -f "$inc/config.h" ] || die "config.h was not installed"
[ ! -e "$inc/controller.h" ] || die "controller.h was installed without the controller"

end=$(date +%s)
printf '\nconfig-parts.sh: PASS: without the controller and the optional aircon properties in %ds\n' \
    "$((end - start))"
