#!/bin/sh
# config.h's #error guards (STYLE.md rule 9): every impossible configuration
# below must fail to compile with its own message, and the library's C99
# static assert must stop a false condition. A control run first proves that
# the probe compiles when nothing is wrong, so a broken include path cannot
# pass for a working guard.
#
# usage: config-errors.sh SRCDIR BUILDDIR CC [CC-ARGS...]
set -u

src=$1
build=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fails=0

compile() {
    "$@" -std=c99 -pedantic -Wall -Wextra -Werror -I"$build/include" -I"$src/include" -I"$src/lib" \
        -c "$src/tests/config_probe.c" -o /dev/null >"$out" 2>&1
}

# ok DESCRIPTION FLAGS...: must compile.
ok() {
    what=$1
    shift
    # shellcheck disable=SC2086
    if compile $cc "$@"; then
        echo "ok: $what compiles"
    else
        echo "FAIL: $what does not compile:"
        cat "$out"
        fails=$((fails + 1))
    fi
}

# refused DESCRIPTION MESSAGE FLAGS...: must fail, with MESSAGE in the output.
refused() {
    what=$1
    message=$2
    shift 2
    # shellcheck disable=SC2086
    if compile $cc "$@"; then
        echo "FAIL: $what compiled; expected: $message"
        fails=$((fails + 1))
    elif grep -qF -- "$message" "$out"; then
        echo "ok: $what refused: $message"
    else
        echo "FAIL: $what failed without '$message':"
        cat "$out"
        fails=$((fails + 1))
    fi
}

cc="$*"

ok "the configuration of this build"
ok "the smallest allowed sizes" -DECHONET_ADDR_MAX=1 -DECHONET_NODE_REQUEST_MAX=14 \
    -DECHONET_CTL_BATCH_MAX=7 -DECHONET_CTL_VALUE_BYTES=24 -DECHONET_ENERGY_HALF_HOURS=48 \
    -DECHONET_ENERGY_HOURS=24 -DECHONET_ENERGY_DAYS=2
ok "a true static assertion" -DPROBE_STATIC_ASSERT=1

refused "a controller batch of 4 properties" "ECHONET_CTL_BATCH_MAX must be 7 to 16" \
    -DECHONET_CTL_BATCH_MAX=4
refused "a controller batch of 17 properties" "ECHONET_CTL_BATCH_MAX must be 7 to 16" \
    -DECHONET_CTL_BATCH_MAX=17
refused "the controller without the optional aircon properties" \
    "ECHONET_ENABLE_CONTROLLER needs ECHONET_AIRCON_OPTIONAL" \
    -DECHONET_ENABLE_CONTROLLER=1 -DECHONET_AIRCON_OPTIONAL=0
refused "controller.h in a build without the controller" "built without the controller" \
    -DECHONET_ENABLE_CONTROLLER=0 -DPROBE_CONTROLLER_H
refused "a node request slot smaller than one property" \
    "ECHONET_NODE_REQUEST_MAX must hold at least one property" -DECHONET_NODE_REQUEST_MAX=13
refused "an empty address" "ECHONET_ADDR_MAX must be 1 to 255" -DECHONET_ADDR_MAX=0
refused "an address longer than its length byte counts" "ECHONET_ADDR_MAX must be 1 to 255" \
    -DECHONET_ADDR_MAX=256
refused "controller write values below 24 bytes" "ECHONET_CTL_VALUE_BYTES must be 24 to 255" \
    -DECHONET_CTL_VALUE_BYTES=23
refused "error strings 2" "ECHONET_ENABLE_ERROR_STRINGS must be 0 or 1" \
    -DECHONET_ENABLE_ERROR_STRINGS=2
refused "aircon optional 2" "ECHONET_AIRCON_OPTIONAL must be 0 or 1" \
    -DECHONET_ENABLE_CONTROLLER=0 -DECHONET_AIRCON_OPTIONAL=2
refused "less than a day of half-hours" "ECHONET_ENERGY_HALF_HOURS must be 48 to 65535" \
    -DECHONET_ENERGY_HALF_HOURS=47
refused "more half-hours than a saved log counts" "ECHONET_ENERGY_HALF_HOURS must be 48 to 65535" \
    -DECHONET_ENERGY_HALF_HOURS=65536
refused "less than a day of hours" "ECHONET_ENERGY_HOURS must be 24 to 65535" -DECHONET_ENERGY_HOURS=23
refused "one day" "ECHONET_ENERGY_DAYS must be 2 to 65535" -DECHONET_ENERGY_DAYS=1
refused "a false static assertion" "echonet_static_assert_probe_condition_holds" \
    -DPROBE_STATIC_ASSERT=0

if [ "$fails" -ne 0 ]; then
    echo "config-errors: $fails case(s) wrong"
    exit 1
fi
echo "config-errors: every guard holds"
