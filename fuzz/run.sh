#!/bin/sh
# Runs every fuzz target for SECONDS each under libFuzzer with
# AddressSanitizer and UndefinedBehaviorSanitizer, at most JOBS targets at a
# time (default 2), on a temporary copy of its corpus (fuzz/corpus/ does
# not grow). Prints executions and coverage per target; exits non-zero on
# any crash, leak, timeout or out-of-memory, naming the saved input.
#   sh fuzz/run.sh SECONDS [JOBS]        (from the repository root)
# Needs clang and the libFuzzer runtime (Debian: clang, libclang-rt-14-dev)
# and meson/ninja. Build directory: build-fuzz-run (reused).
set -u

usage() {
    echo "usage: sh fuzz/run.sh SECONDS [JOBS]" >&2
    exit 2
}
[ $# -ge 1 ] || usage
secs=$1
jobs=${2:-2}
case $secs in '' | *[!0-9]*) usage ;; esac
case $jobs in '' | *[!0-9]* | 0) usage ;; esac

cd "$(dirname "$0")/.." || exit 2
build=build-fuzz-run
targets="frame roundtrip propmap node energy controller snapshot"

if ! command -v clang >/dev/null 2>&1; then
    echo "fuzz/run.sh: clang not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
    exit 2
fi
probe=$(mktemp -d) || exit 2
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! clang -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >"$probe/log" 2>&1; then
    cat "$probe/log" >&2
    echo "fuzz/run.sh: clang cannot link libFuzzer with ASan/UBSan: the runtime is missing (Debian: apt-get install libclang-rt-14-dev)" >&2
    rm -rf "$probe"
    exit 2
fi
rm -rf "$probe"

if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" -Dfuzz_engine=libfuzzer -Db_sanitize=address,undefined -Db_lundef=false \
        -Dtests=disabled -Dexamples=false -Ddocs=disabled \
        -Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all || exit 2
fi
compile_targets=
for t in $targets; do compile_targets="$compile_targets fuzz/fuzz-$t"; done
# shellcheck disable=SC2086
meson compile -C "$build" $compile_targets || exit 2

work=$(mktemp -d "${TMPDIR:-/tmp}/echonet-fuzz.XXXXXX") || exit 2
findings="$build/findings"
mkdir -p "$findings"
export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:${UBSAN_OPTIONS:-}"

run_one() {
    t=$1
    mkdir -p "$work/$t/corpus"
    cp fuzz/corpus/"$t"/* "$work/$t/corpus/" 2>/dev/null
    "$build/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/$t/" "$work/$t/corpus" >"$work/$t/log" 2>&1
    echo $? >"$work/$t/rc"
}

start=$(date +%s)
running=0
for t in $targets; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait
end=$(date +%s)

failed=0
printf '%-11s %12s %7s %7s %7s %s\n' target executions cov ft corpus result
for t in $targets; do
    log="$work/$t/log"
    rc=$(cat "$work/$t/rc" 2>/dev/null || echo 1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | grep -E 'cov: ' | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p')
    result=ok
    if [ "$rc" != 0 ]; then
        failed=1
        result="FAILED (exit $rc)"
        for a in "$work/$t"/crash-* "$work/$t"/leak-* "$work/$t"/timeout-* "$work/$t"/oom-* "$work/$t"/slow-unit-*; do
            [ -f "$a" ] || continue
            cp "$a" "$findings/$t-$(basename "$a")"
            result="$result; input saved as $findings/$t-$(basename "$a")"
        done
        cp "$log" "$findings/$t.log"
        result="$result; log $findings/$t.log"
    fi
    printf '%-11s %12s %7s %7s %7s %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done
echo "fuzz/run.sh: $secs s per target, $jobs at a time, $((end - start)) s in all"
if [ "$failed" != 0 ]; then
    for t in $targets; do
        if [ "$(cat "$work/$t/rc" 2>/dev/null || echo 1)" != 0 ]; then
            echo "---- $t (last lines of the log) ----"
            tail -n 40 "$work/$t/log"
        fi
    done
fi
rm -rf "$work"
exit "$failed"
