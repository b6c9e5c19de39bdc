#!/bin/sh
# Instructions per energy-log sample, counted by callgrind (repeatable,
# unlike time): the same with 400 days of history as in an empty log (ratio
# under 1.05), and bounded by the 25-hour split of the longest interval the
# log spreads (under 12 times a plain sample). See energy_cost.c.
#
# usage: energy_cost.sh PATH/TO/energy_cost
set -eu
exe=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
command -v valgrind >/dev/null || { echo "energy_cost.sh: valgrind not found" >&2; exit 77; }

count() {
    valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$out/cg.$1" \
        "$exe" "$1" >/dev/null 2>"$out/log.$1"
    awk '/^totals:/ { print int($2 / 1000) }' "$out/cg.$1"
}

fresh=$(count fresh)
history=$(count history)
split=$(count split)
gap=$(count gap)
echo "instructions per echonet_energy_add(), callgrind, 1000 samples each:"
echo "  30 min apart, empty log:        $fresh"
echo "  30 min apart, 400 days behind:  $history"
echo "  23 h 59 min apart (25 hours):   $split"
echo "  3 days apart (a gap):           $gap"
awk -v f="$fresh" -v h="$history" -v s="$split" -v g="$gap" 'BEGIN {
    ok = h < f * 1.05 && s < f * 12 && g < f * 2
    if (!ok) print "energy_cost.sh: cost grows with history or the bounds are exceeded"
    exit !ok }'
