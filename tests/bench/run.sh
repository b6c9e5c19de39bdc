#!/bin/sh
# Cost per frame of the codec, of a device node and of the controller, as
# one markdown table: wall-clock ns per frame (native run, best of several:
# noisy on a shared machine) and instructions per frame (callgrind:
# repeatable, the figure to compare).
#
# usage: run.sh BUILD_DIR           print the table (timing + callgrind)
#        run.sh --check BUILD_DIR   callgrind only; fail when a count is 0 or
#                                   above its ceiling (about ten times the
#                                   counts of doc/benchmarks.md)
#
# BUILD_DIR is a gcc build of the tree with valgrind/callgrind.h installed
# (tests/codec-bench and tests/ctl-scale built). Tunables (environment):
# ITERATIONS frames per timing run (200000), RUNS timing runs (7),
# CG_ITERATIONS frames per case under callgrind (1000), CTL_RUNS native runs
# of ctl-scale per node count (5).
set -eu

check=0
if [ "${1:-}" = "--check" ]; then
    check=1
    shift
fi
[ $# -eq 1 ] || { echo "usage: run.sh [--check] BUILD_DIR" >&2; exit 2; }
build=$1
bench=$build/tests/codec-bench
ctl=$build/tests/ctl-scale
iterations=${ITERATIONS:-200000}
runs=${RUNS:-7}
cg_iterations=${CG_ITERATIONS:-1000}
ctl_runs=${CTL_RUNS:-5}

for exe in "$bench" "$ctl"; do
    [ -x "$exe" ] || { echo "run.sh: $exe not built" >&2; exit 1; }
done
for tool in valgrind callgrind_annotate; do
    command -v $tool >/dev/null || { echo "run.sh: $tool not found" >&2; exit 77; }
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ---- Instructions ------------------------------------------------------------
# codec-bench dumps the counts of each case under its name (one file per
# dump: cg.1, cg.2...); each count covers cg_iterations frames.
valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg" \
    "$bench" "$cg_iterations" 1 >"$out/bench.cg.txt" 2>"$out/bench.cg.log" ||
    { cat "$out/bench.cg.log" >&2; echo "run.sh: codec-bench failed under callgrind" >&2; exit 1; }
for f in "$out"/cg.*; do
    awk -v n="$cg_iterations" '
        /^desc: Trigger: Client Request: / { name = $5 }
        /^totals:/ { total = $2 }
        END { if (name != "") printf "%s %d\n", name, total / n }' "$f"
done >"$out/instr"

# ctl-scale collects one request sent and one response handled per round;
# the response's share is the inclusive cost of echonet_ctl_read().
for nodes in 8 512; do
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/ctl.$nodes" \
        "$ctl" "$nodes" >"$out/ctl.$nodes.txt" 2>"$out/ctl.$nodes.log" ||
        { cat "$out/ctl.$nodes.log" >&2; echo "run.sh: ctl-scale $nodes failed under callgrind" >&2; exit 1; }
    rounds=$(awk '{ for (i = 1; i < NF; i++) if ($(i + 1) == "rounds,") print $i }' "$out/ctl.$nodes.txt")
    callgrind_annotate --inclusive=yes --threshold=100 "$out/ctl.$nodes" |
        awk -v n="$rounds" -v name="ctl$nodes.response" '
            $3 ~ /:echonet_ctl_read$/ { gsub(",", "", $1); ir = $1 }
            END { if (n > 0 && ir != "") printf "%s %d\n", name, ir / n }'
done >>"$out/instr"

if [ $check -eq 1 ]; then
    # Ceilings: about ten times the -O3 counts of doc/benchmarks.md, so that
    # only a regression by an order of magnitude fails (counts differ a
    # little between compilers and optimisation levels).
    cat >"$out/ceilings" <<'EOF'
harness 100
get1.decode 2000
get1.encode 4000
get1.roundtrip 6000
getres4.decode 2500
getres4.encode 8000
getres4.roundtrip 10000
inf6.decode 2500
inf6.encode 10000
inf6.roundtrip 13000
setget.decode 2500
setget.encode 7000
setget.roundtrip 9000
get3.build 4000
node.get4 45000
ctl8.response 12000
ctl512.response 12000
EOF
    awk 'NR == FNR { got[$1] = $2; next }
        {
            if (!($1 in got)) { printf "FAIL %s: no count\n", $1; bad = 1; next }
            verdict = (got[$1] > 0 && got[$1] <= $2) ? "ok  " : "FAIL"
            if (verdict == "FAIL") bad = 1
            printf "%s %-20s %7d instructions/frame (ceiling %d)\n", verdict, $1, got[$1], $2
        }
        END { exit bad }' "$out/instr" "$out/ceilings"
    exit $?
fi

# ---- Wall clock ----------------------------------------------------------------
"$bench" "$iterations" "$runs" | grep -v '^#' >"$out/ns"
# ctl-scale times each response once (200 rounds, mean, one clock read
# included): the fastest of ctl_runs runs.
for nodes in 8 512; do
    i=0
    while [ $i -lt "$ctl_runs" ]; do
        "$ctl" "$nodes"
        i=$((i + 1))
    done | awk -v name="ctl$nodes.response" '
        { for (i = 1; i < NF; i++) if ($i == "read") { v = $(i + 1); if (best == "" || v < best) best = v } }
        END { printf "%s 15 %s\n", name, best }'
done >>"$out/ns"

awk '
    BEGIN {
        label["harness"] = "harness: empty frame function (included in every row)"
        label["get1"] = "Get, 1 property"
        label["getres4"] = "Get_Res, 4 properties"
        label["inf6"] = "INF, 6 properties"
        label["setget"] = "SetGet, 1 set + 2 gets"
        label["get3"] = "Get, 3 properties"
        label["node"] = "node (aircon)"
        label["ctl8"] = "controller, 8 nodes"
        label["ctl512"] = "controller, 512 nodes"
        what["decode"] = "decode"
        what["encode"] = "encode"
        what["roundtrip"] = "decode + re-encode"
        what["build"] = "build with the writer"
        what["get4"] = "4-property Get in, Get_Res out"
        what["response"] = "one Get_Res handled"
    }
    NR == FNR { instr[$1] = $2; next }
    FNR == 1 {
        print "| case | bytes | ns/frame | instructions/frame |"
        print "|---|---:|---:|---:|"
    }
    {
        split($1, part, ".")
        name = label[part[1]]
        if (part[2] in what)
            name = name ": " what[part[2]]
        printf "| %s | %s | %.0f | %s |\n", name, $2 == 0 ? "-" : $2, $3, ($1 in instr) ? instr[$1] : "?"
    }' "$out/instr" "$out/ns"
