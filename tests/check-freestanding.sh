#!/bin/sh
# Proves that the library, built freestanding for a firmware target, needs no
# C library beyond memcpy, memset, memcmp and memmove: every symbol the
# archive leaves undefined (nm -u) must be one of those four, a symbol
# another member of the archive defines, or a compiler-runtime helper from
# libgcc (not libc) that the compiler emits on cores without the instruction:
#
#   ARM EABI:  __aeabi_idiv __aeabi_uidiv __aeabi_idivmod __aeabi_uidivmod
#              (32-bit division: Cortex-M0+ has no divide instruction),
#              __aeabi_lmul __aeabi_llsl __aeabi_llsr __aeabi_lasr
#              __aeabi_lcmp __aeabi_ulcmp (64-bit multiply, shifts, compares),
#              __gnu_thumb1_case_* (Thumb-1 switch tables)
#   generic:   __divsi3 __udivsi3 __modsi3 __umodsi3 __mulsi3 __muldi3
#              __ashldi3 __ashrdi3 __lshrdi3 __cmpdi2 __ucmpdi2 (the same on
#              cores without M or without a barrel shifter)
#
#   64-bit division: __aeabi_uldivmod __aeabi_ldivmod __udivdi3 __divdi3
#              __umoddi3 __moddi3 __udivmoddi4 __divmoddi4: allowed (libgcc,
#              not libc) but listed on a line of their own, because on a
#              32-bit core they cost flash (the footprint table shows how
#              much under "libgcc") and many cycles.
#
# Floating point (__aeabi_f*, __aeabi_d*, __add?f3 ...) is refused: the
# library has no use for it.
#
# usage: check-freestanding.sh LIBRARY.a NM
# Exit status: 0 clean; 1 offenders (listed with their member); 99 the check
# could not run.
set -eu

if [ $# -ne 2 ]; then
    echo "usage: $0 LIBRARY.a NM" >&2
    exit 99
fi
lib=$1
NM=$2
if [ ! -r "$lib" ]; then
    echo "check-freestanding: cannot read $lib" >&2
    exit 99
fi
if ! command -v "$NM" >/dev/null 2>&1; then
    echo "check-freestanding: $NM not found" >&2
    exit 99
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# nm -A -u: "lib.a:member.o:         U name"; nm -A --defined-only for the rest.
if ! "$NM" -A -u "$lib" >"$tmp/u" 2>"$tmp/err" ||
    ! "$NM" -A --defined-only -g "$lib" >"$tmp/d" 2>>"$tmp/err"; then
    cat "$tmp/err" >&2
    echo "check-freestanding: $NM failed on $lib" >&2
    exit 99
fi
awk '{ print $NF }' "$tmp/d" | sort -u >"$tmp/defined"
awk 'NF >= 2 && $(NF-1) ~ /^[Uwv]$/ { m = $1; sub(/:$/, "", m); sub(/^.*:/, "", m)
     if (m == "") m = $1; print $NF, m }' "$tmp/u" | sort -u >"$tmp/undefined"

members=$(awk -F: '{ print $2 }' "$tmp/d" "$tmp/u" | sort -u | grep -c . || true)
echo "check-freestanding: $lib ($members members), nm: $NM"

bad=0
libc=""
runtime=""
div64=""
while read -r sym member; do
    if grep -qxF "$sym" "$tmp/defined"; then
        continue
    fi
    case $sym in
    memcpy | memset | memcmp | memmove)
        case " $libc " in *" $sym "*) ;; *) libc="$libc $sym" ;; esac
        continue ;;
    __aeabi_idiv | __aeabi_uidiv | __aeabi_idivmod | __aeabi_uidivmod | \
        __aeabi_lmul | __aeabi_llsl | __aeabi_llsr | __aeabi_lasr | __aeabi_lcmp | \
        __aeabi_ulcmp | __gnu_thumb1_case_* | \
        __divsi3 | __udivsi3 | __modsi3 | __umodsi3 | __mulsi3 | __muldi3 | \
        __ashldi3 | __ashrdi3 | __lshrdi3 | __cmpdi2 | __ucmpdi2)
        case " $runtime " in *" $sym "*) ;; *) runtime="$runtime $sym" ;; esac
        continue ;;
    __aeabi_uldivmod | __aeabi_ldivmod | __udivdi3 | __divdi3 | __umoddi3 | __moddi3 | \
        __udivmoddi4 | __divmoddi4)
        case " $div64 " in *" $sym($member) "*) ;; *) div64="$div64 $sym($member)" ;; esac
        continue ;;
    __aeabi_f* | __aeabi_d* | __aeabi_i2* | __aeabi_ui2* | __aeabi_l2* | __aeabi_ul2* | \
        __add?f3 | __sub?f3 | __mul?f3 | __div?f3 | __float* | __fix* | __extend* | __trunc*)
        why="floating point" ;;
    *)
        why="not memcpy/memset/memcmp/memmove or an allowed compiler-runtime helper" ;;
    esac
    echo "  FORBIDDEN: $sym ($why) in $member"
    bad=$((bad + 1))
done <"$tmp/undefined"

echo "check-freestanding: C library imports:${libc:- none}"
echo "check-freestanding: compiler-runtime (libgcc) helpers:${runtime:- none}"
echo "check-freestanding: 64-bit division (libgcc, costly on 32-bit cores):${div64:- none}"
if [ "$bad" -ne 0 ]; then
    echo "check-freestanding: FAIL: $bad forbidden undefined symbol(s) in $lib"
    exit 1
fi
echo "check-freestanding: OK"
