#!/bin/sh
# Interoperability of examples/household-emulator over real UDP/IPv4 with the
# npm `echonet-lite` package as a controller (household.js): discovery of the
# six objects, reads and writes of the storage battery, reads of the smart
# meter and the PV, each value compared with the figures the emulator
# reports (--report), to the Wh.
#
# Two network namespaces joined by a veth pair (lib.sh): the emulator in one
# (10.99.0.1), the controller in the other (10.99.0.2), UDP 3610. The
# controller starts first, so that it hears the start-up INF 0xD5. The
# emulator's clock stands still (--speed 0) from 2026-12-01T00:00; the
# controller moves it with `advance` on the emulator's standard input (a
# FIFO). Logs in BUILD_DIR/interop-logs/household/: peer.log (the checks and
# a trace of every datagram, printed here only on failure), emulator.log,
# emulator.err, report.json.
#
# Needs root (ip netns), node and npm (packages pinned in package-lock.json,
# installed into BUILD_DIR/interop-npm). Exits non-zero when a check failed.
#
# usage: sh tests/interop/household.sh BUILD_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"

[ $# -eq 1 ] || { echo "usage: sh tests/interop/household.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || die "no build directory $1"
emu=$build/examples/household-emulator
[ -x "$emu" ] || die "$emu not found (configure the build with -Dexamples=true)"
interop_need
interop_npm

logs=$build/interop-logs/household
rm -rf "$logs"
mkdir -p "$logs" || die "cannot create $logs"
interop_network || die "cannot set up the network namespaces"
mkfifo "$logs/emulator.stdin" || die "cannot make a FIFO"
exec 3<>"$logs/emulator.stdin"

ip netns exec "$ns_peer" env NODE_PATH="$cache/node_modules" \
    EMU_ADDR="$emu_addr" SELF_ADDR="$peer_addr" EMU_STDIN="$logs/emulator.stdin" EMU_LOG="$logs/emulator.log" \
    REPORT_FILE="$logs/report.json" READY_FILE="$logs/peer.ready" PEER_TIMEOUT=60 \
    timeout -k 5 90 node "$here/household.js" >"$logs/peer.log" 2>&1 &
peer_pid=$!
interop_wait_file "$logs/peer.ready" "$peer_pid" || echo "interop: household.js did not get ready; starting anyway"

ip netns exec "$ns_emu" "$emu" --bind "$emu_addr" --ifname vA --start 2026-12-01T00:00 --speed 0 \
    --meter-start 99999000 --report "$logs/report.json" \
    <"$logs/emulator.stdin" >"$logs/emulator.log" 2>"$logs/emulator.err" &
emu_pid=$!

wait "$peer_pid"
peer_rc=$?
peer_pid=""
interop_quit
exec 3>&-
teardown

interop_show "$logs/peer.log" $(( peer_rc != 0 || emu_rc != 0 ))
errors=$(grep -c '"event":"error"' "$logs/emulator.log")
if [ "$errors" -ne 0 ]; then
    echo "-- the emulator logged $errors error(s):"
    grep '"event":"error"' "$logs/emulator.log"
fi
[ -s "$logs/emulator.err" ] && { echo "-- emulator stderr:"; cat "$logs/emulator.err"; }
[ "$peer_rc" -eq 124 ] && echo "-- household.js was killed by the 90 s safety timeout"
[ "$emu_rc" -eq 0 ] || echo "-- the emulator exited with status $emu_rc"
[ "$peer_rc" -eq 0 ] && [ "$emu_rc" -eq 0 ] && [ "$errors" -eq 0 ]
