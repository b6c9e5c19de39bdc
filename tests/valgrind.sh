#!/bin/sh
# Valgrind memcheck over the unit tests (every Check suite, the controller
# simulation included) and over every fuzz target's corpus replay. Zero
# errors and zero leaks of any kind, or it fails.
#
# usage: sh tests/valgrind.sh BUILD_DIR
#
# BUILD_DIR is a gcc build with the default -Dfuzz_engine=none (valgrind
# 3.19 cannot read clang 14's DWARF 5), for instance:
#   CC=gcc meson setup build-vg -Dbuildtype=debugoptimized -Ddocs=disabled
#   meson compile -C build-vg
#   sh tests/valgrind.sh build-vg
#
# Before the real runs, a self-test compiles a small program with one
# deliberate fault per kind (uninitialised branch, heap over-read, lost
# block, block still reachable at exit) and checks that the same valgrind
# options fail on each, and pass on its clean variant: a memcheck run that
# cannot fail is worth nothing.
#
# Environment: CC (compiler of the self-test, default cc), VALGRIND
# (default valgrind), VALGRIND_OPTS (read by valgrind itself: add
# --track-origins=yes to find where an uninitialised value came from; it
# doubles the run time, so it is not on by default), SOAK_SEEDS (seeds of
# controller/soak_hostile_network, default here 10 of the 50 it runs
# natively: memcheck is about 50 times slower, and the full 50-seed soak
# runs in every `meson test`; SOAK_SEEDS=50 runs it all under memcheck).
set -eu

[ $# -eq 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
src=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$1" && pwd)
vg=${VALGRIND:-valgrind}
command -v "$vg" >/dev/null || { echo "valgrind.sh: valgrind not found (apt-get install valgrind)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Strict: every error kind is an error (99), leaks of every kind count,
# partial loads past a block's end are errors, and child processes (none
# are expected) are followed.
vgrun() {
    "$vg" -q --tool=memcheck --error-exitcode=99 \
        --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --partial-loads-ok=no --undef-value-errors=yes \
        --trace-children=yes --num-callers=30 "$@"
}

# --- Self-test ------------------------------------------------------------------
cat >"$tmp/bad.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static void *keep;
int main(int argc, char **argv)
{
    int kind = argc > 1 ? atoi(argv[1]) : 0;
    volatile char *p = malloc(16);
    int x;

    if (!p)
        return 1;
    memset((char *)p, 1, 16);
    switch (kind) {
    case 1: /* branch on an uninitialised value */
        if (argc > 2)
            x = 1;
        if (x == 1)
            puts("");
        break;
    case 2: /* read one byte past the block */
        printf("%d\n", p[16]);
        break;
    case 3: /* definitely lost */
        p = NULL;
        return 0;
    case 4: /* still reachable at exit */
        keep = (void *)p;
        return 0;
    }
    free((void *)p);
    return 0;
}
EOF
${CC:-cc} -O0 -g -o "$tmp/bad" "$tmp/bad.c"
vgrun "$tmp/bad" 0 >/dev/null 2>"$tmp/self.log" || {
    cat "$tmp/self.log" >&2
    echo "valgrind.sh: self-test: the clean program failed" >&2
    exit 1
}
for kind in 1 2 3 4; do
    rc=0
    vgrun "$tmp/bad" "$kind" >/dev/null 2>"$tmp/self.log" || rc=$?
    if [ "$rc" -ne 99 ]; then
        cat "$tmp/self.log" >&2
        echo "valgrind.sh: self-test: fault $kind not reported (exit $rc, expected 99)" >&2
        exit 1
    fi
done
echo "self-test: 4 deliberate faults reported, the clean program passes"

# --- The tests ------------------------------------------------------------------
fail=0
run() {
    name=$1
    shift
    start=$(date +%s)
    rc=0
    vgrun --log-file="$tmp/vg.log" "$@" >"$tmp/out.log" 2>&1 || rc=$?
    end=$(date +%s)
    if [ "$rc" -eq 0 ] && [ ! -s "$tmp/vg.log" ]; then
        echo "ok   $name ($((end - start)) s)"
    else
        fail=1
        echo "FAIL $name (exit $rc, $((end - start)) s)"
        tail -n 40 "$tmp/out.log"
        cat "$tmp/vg.log"
    fi
}

[ -x "$build/tests/test-unit" ] || { echo "valgrind.sh: $build/tests/test-unit missing (tests need the check library)" >&2; exit 1; }
# CK_FORK=no: one process, so memcheck sees every test (and Check's own
# allocations are freed by srunner_free before exit).
SOAK_SEEDS=${SOAK_SEEDS:-10}
CK_FORK=no
CK_VERBOSITY=normal
export SOAK_SEEDS CK_FORK CK_VERBOSITY
run "unit tests (CK_FORK=no, soak of $SOAK_SEEDS seeds)" "$build/tests/test-unit"

targets=0
for exe in "$build"/fuzz/fuzz-*; do
    [ -f "$exe" ] && [ -x "$exe" ] || continue
    t=${exe##*/fuzz-}
    corpus=$src/fuzz/corpus/$t
    [ -d "$corpus" ] || { echo "valgrind.sh: no corpus for $exe" >&2; fail=1; continue; }
    run "fuzz corpus $t ($(ls "$corpus" | wc -l) inputs)" "$exe" "$corpus"
    targets=$((targets + 1))
done
[ "$targets" -gt 0 ] || { echo "valgrind.sh: no fuzz replay in $build/fuzz (needs -Dfuzz_engine=none)" >&2; exit 1; }

[ "$fail" -eq 0 ] || { echo "valgrind.sh: memcheck found errors" >&2; exit 1; }
echo "valgrind.sh: no error, no leak"
