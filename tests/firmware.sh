#!/bin/sh
# Firmware readiness (issue 6): for Cortex-M0+, Cortex-M4F and RV32IMAC,
#  1. builds libechonet freestanding at -Os (tests/cross/*.ini),
#  2. proves with nm -u that it imports nothing from a C library beyond
#     memcpy/memset/memcmp/memmove (tests/check-freestanding.sh; and that the
#     check refuses a library calling malloc),
#  3. links three minimal firmware images (tests/firmware/: codec,
#     aircon_node, controller_min, controller8) with --gc-sections and a link map,
#  4. prints the footprint table and checks the budgets (tests/footprint.py),
#  5. checks the worst stack of every public call (tests/stack-usage.py),
#     also for the native gcc build.
# Exits non-zero when anything fails or a budget is exceeded.
#
# usage: tests/firmware.sh [--write-doc]
#   --write-doc   also rewrite doc/footprint.md from the figures
# environment: FW_BUILD_PREFIX (default build-fw-): build directories are
#   ${FW_BUILD_PREFIX}m0, m4 and rv; FW_NATIVE_BUILD (default
#   ${FW_BUILD_PREFIX}native) for the native gcc build; FW_MESON_OPTS: more
#   meson options for every build (sizes and parts, e.g. the firmware profile
#   of doc/footprint.md; use another FW_BUILD_PREFIX with them).
# Needs (Debian bookworm): gcc-arm-none-eabi libnewlib-arm-none-eabi
#   gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf gcc meson ninja-build python3
set -eu
cd "$(dirname "$0")/.."

prefix=${FW_BUILD_PREFIX:-build-fw-}
write_doc=""
case ${1:-} in
--write-doc) write_doc=1 ;;
"") ;;
*) echo "usage: $0 [--write-doc]" >&2; exit 2 ;;
esac

common_opts="-Dtests=disabled -Dexamples=false -Ddocs=disabled -Ddefault_library=static -Dwerror=true ${FW_MESON_OPTS:-}"
fw=tests/firmware
status=0
maps=""
archives=""
stack_args=""

# setup DIR ARGS...: configure once; a build directory is reused afterwards.
setup() {
    dir=$1
    shift
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
            cat "$dir.setup.log"
            echo "firmware: meson setup $dir failed"
            exit 1
        }
        rm -f "$dir.setup.log"
    fi
    meson compile -C "$dir" lib/echonet >/dev/null || {
        meson compile -C "$dir" lib/echonet
        echo "firmware: building the library in $dir failed"
        exit 1
    }
}

# c_args of a build directory and its C compiler, one per line.
meson_flags() {
    python3 - "$1" "$2" <<'PY'
import json, sys
d, what = sys.argv[1], sys.argv[2]
if what == "cc":
    for t in json.load(open(d + "/meson-info/intro-targets.json")):
        if t["name"] == "echonet_internal":
            print("\n".join(t["target_sources"][0]["compiler"]))
            break
else:
    for o in json.load(open(d + "/meson-info/intro-buildoptions.json")):
        if o["name"] == "c_args" and o["machine"] == "host":
            print("\n".join(o["value"]))
PY
}

for t in m0:cortex-m0plus:arm-none-eabi m4:cortex-m4f:arm-none-eabi rv:rv32imac:riscv64-unknown-elf; do
    short=${t%%:*}
    rest=${t#*:}
    target=${rest%%:*}
    triple=${rest#*:}
    dir=$prefix$short
    echo "== $target ($dir)"
    setup "$dir" --cross-file "tests/cross/$target.ini" -Db_staticpic=false $common_opts

    # 2. nm -u, and the check's own ability to fail
    if ! sh tests/check-freestanding.sh "$dir/lib/libechonet.a" "$triple-nm"; then
        status=1
    fi
    cc=$(meson_flags "$dir" cc | tr '\n' ' ')
    cflags=$(meson_flags "$dir" c_args | tr '\n' ' ')
    out=$dir/firmware
    mkdir -p "$out"
    # shellcheck disable=SC2086
    $cc $cflags -c $fw/bad_freestanding.c -o "$out/bad_freestanding.o"
    rm -f "$out/libbad.a"
    "$triple-ar" rcs "$out/libbad.a" "$out/bad_freestanding.o"
    if sh tests/check-freestanding.sh "$out/libbad.a" "$triple-nm" >"$out/bad.log" 2>&1; then
        cat "$out/bad.log"
        echo "firmware: FAIL: check-freestanding.sh accepted a library calling malloc"
        status=1
    elif ! grep -q "FORBIDDEN: malloc" "$out/bad.log" || ! grep -q "64-bit division.*fw_bad\|64-bit division.*bad_freestanding" "$out/bad.log"; then
        cat "$out/bad.log"
        echo "firmware: FAIL: check-freestanding.sh did not name malloc and list the 64-bit division"
        status=1
    fi

    # 3. the images
    case $triple in
    arm-*) start=$fw/vectors_arm.c ld=$fw/cortex-m.ld ;;
    *) start=$fw/start_rv.S ld=$fw/rv32.ld ;;
    esac
    warn="-std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude -I$dir/include"
    objs=""
    for src in $start $fw/startup.c $fw/support.c; do
        o=$out/$(basename "$src" | sed 's/\.[cS]$//').o
        extra=""
        case $src in *support.c) extra="-fno-builtin -fno-tree-loop-distribute-patterns" ;; esac
        # shellcheck disable=SC2086
        $cc $cflags $warn $extra -c "$src" -o "$o"
        objs="$objs $o"
    done
    for image in codec aircon_node controller_min controller8; do
        # shellcheck disable=SC2086
        $cc $cflags $warn -c "$fw/$image.c" -o "$out/$image.o"
        # shellcheck disable=SC2086
        if ! $cc $cflags -nostdlib -T "$ld" -Wl,--gc-sections -Wl,-Map="$out/$image.map" \
            -o "$out/$image.elf" $objs "$out/$image.o" "$dir/lib/libechonet.a" -lgcc; then
            echo "firmware: FAIL: linking $image for $target"
            status=1
            continue
        fi
        maps="$maps $target:$image:$out/$image.map"
    done
    stack_args="$stack_args --target $target:$dir/lib/libechonet_internal.a.p:$out"
    archives="$archives --archive $target:$dir/lib/libechonet.a:$triple-size"
done

echo "== native (gcc)"
native=${FW_NATIVE_BUILD:-${prefix}native}
CC=${CC:-gcc}
export CC
setup "$native" -Dc_args="-fstack-usage -fcallgraph-info=su" $common_opts
stack_args="$stack_args --target x86-64:$native/lib/libechonet_internal.a.p:"

# The stack check must be able to fail: recursion and an unbounded frame.
selftest=$native/stack-selftest/lib/objs
mkdir -p "$selftest"
# shellcheck disable=SC2086
$CC -O0 -fstack-usage -fcallgraph-info=su -c $fw/bad_stack.c -o "$selftest/bad_stack.o"
if python3 tests/stack-usage.py --target selftest:"$selftest" >"$selftest/log" 2>&1; then
    cat "$selftest/log"
    echo "firmware: FAIL: stack-usage.py accepted recursion and an unbounded frame"
    status=1
elif ! grep -q "recursion in lib/: echonet_bad_recursive" "$selftest/log" ||
    ! grep -q "echonet_bad_dynamic has an unbounded dynamic frame" "$selftest/log"; then
    cat "$selftest/log"
    echo "firmware: FAIL: stack-usage.py did not name the recursion and the unbounded frame"
    status=1
else
    echo "stack-usage self-test: recursion and the unbounded frame are refused"
fi

# shellcheck disable=SC2086
python3 tests/footprint.py --markdown "$native/footprint.md" $archives $maps || status=1
# shellcheck disable=SC2086
python3 tests/stack-usage.py --markdown "$native/stack.md" $stack_args || status=1
if [ -n "$write_doc" ]; then
    {
        sed -n '1,/^<!-- generated below/p' doc/footprint.md
        echo
        cat "$native/footprint.md"
        echo
        cat "$native/stack.md"
    } >"$native/doc.md"
    mv "$native/doc.md" doc/footprint.md
    echo "firmware: wrote doc/footprint.md"
fi

if [ "$status" -ne 0 ]; then
    echo "firmware: FAIL"
else
    echo "firmware: OK"
fi
exit "$status"
