#!/bin/sh
# Instructions the controller spends per received response and per request
# it sends (one deadline), with 8 and with 512 nodes, counted by callgrind
# (repeatable, unlike time). Fails when 512 nodes cost twice what 8 do.
#
# usage: ctl_scale.sh PATH/TO/ctl_scale
set -eu
exe=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v valgrind >/dev/null || { echo "ctl_scale.sh: valgrind not found" >&2; exit 77; }

count() {
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.$1" \
        "$exe" "$1" >/dev/null 2>"$out/log.$1"
    # "totals:" is the instruction count of the collected calls.
    awk '/^totals:/ { print $2 }' "$out/cg.$1"
}

small=$(count 8)
large=$(count 512)
rounds=200
echo "instructions per round (one request sent + one response handled), callgrind:"
echo "  8 nodes:   $((small / rounds))"
echo "  512 nodes: $((large / rounds))"
ratio=$(awk -v a="$large" -v b="$small" 'BEGIN { printf "%.3f", a / b }')
echo "  ratio 512/8: $ratio (must stay under 2)"
awk -v r="$ratio" 'BEGIN { exit !(r < 2.0) }'
