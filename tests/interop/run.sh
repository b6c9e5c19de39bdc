#!/bin/sh
# Interoperability over real UDP/IPv4 with independent ECHONET Lite stacks
# from the npm registry: two controllers against examples/aircon-emulator,
# and examples/hems-controller against an air conditioner built with one of
# them.
#
#   echonet-lite.js       the `echonet-lite` package (Hiroshi Sugimura)
#   node-echonet-lite.js  the `node-echonet-lite` package (Futomi Hatano)
#   el-aircon.js          `echonet-lite` as an air conditioner (its README's
#                         device demo), driven by hems-controller commands
#
# Each peer gets a fresh pair of network namespaces joined by a veth pair:
# the emulator in one (10.99.0.1, --bind/--ifname), the peer in the other
# (10.99.0.2), both on UDP 3610 (the npm libraries hard-code it), multicast
# routed over the veth. Nothing is sent outside these namespaces. The peer
# starts first, so it sees the emulator's start-up INF 0xD5; it then
# discovers the emulator, reads its property maps and every property of its
# Get map, writes 0x80, 0xB0, 0xB3, 0xA0 and reads them back, and writes
# `off` to the emulator's standard input (a FIFO) to receive INF 0x80 = 0x31.
#
# The packages are pinned in package.json / package-lock.json beside this
# file (date-utils is listed because echonet-lite 2.16.2 requires it without
# declaring it) and installed with `npm ci --ignore-scripts` into
# BUILD_DIR/interop-npm (serialport's native build is not needed: it is only
# loaded for Wi-SUN). Logs go to BUILD_DIR/interop-logs/PEER/: peer.log (the
# checks and a trace of every datagram, printed here only on failure),
# emulator.log (its JSON lines), emulator.err.
#
# The hems-controller case runs the device in the first namespace and, in the
# second, hems-controller one-shot commands (--json): discover, get, set,
# get again, a --remote set and status; their output goes to
# BUILD_DIR/interop-logs/hems-controller/*.json and is checked here, and the
# device checks on SIGTERM what it received (device.log).
#
# Needs root (ip netns), node and npm. Ends with the line `N passed, M failed`
# (one test per peer, one for hems-controller) and exits non-zero if any
# failed.
#
# usage: sh tests/interop/run.sh BUILD_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
peers="echonet-lite node-echonet-lite"

[ $# -eq 1 ] || { echo "usage: sh tests/interop/run.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || die "no build directory $1"
emu=$build/examples/aircon-emulator
hems=$build/examples/hems-controller
[ -x "$emu" ] || die "$emu not found (configure the build with -Dexamples=true)"
[ -x "$hems" ] || die "$hems not found (configure the build with -Dexamples=true)"
interop_need

# --- The peers' packages -----------------------------------------------------
interop_npm

# run_peer NAME: one peer against a fresh emulator; returns 0 when both passed.
run_peer() {
    name=$1
    logs=$build/interop-logs/$name
    rm -rf "$logs"
    mkdir -p "$logs" || return 1
    interop_network || { echo "interop: cannot set up the network namespaces" >&2; return 1; }

    # The emulator's stdin: a FIFO we also hold open, so it sees no EOF early.
    mkfifo "$logs/emulator.stdin" || return 1
    exec 3<>"$logs/emulator.stdin"

    ip netns exec "$ns_peer" env NODE_PATH="$cache/node_modules" \
        EMU_ADDR="$emu_addr" SELF_ADDR="$peer_addr" \
        EMU_STDIN="$logs/emulator.stdin" EMU_LOG="$logs/emulator.log" \
        READY_FILE="$logs/peer.ready" PEER_TIMEOUT=60 \
        timeout -k 5 90 node "$here/$name.js" >"$logs/peer.log" 2>&1 &
    peer_pid=$!
    interop_wait_file "$logs/peer.ready" "$peer_pid" ||
        echo "interop: $name did not get ready; starting the emulator anyway"

    ip netns exec "$ns_emu" "$emu" --bind "$emu_addr" --ifname vA \
        <"$logs/emulator.stdin" >"$logs/emulator.log" 2>"$logs/emulator.err" &
    emu_pid=$!

    wait "$peer_pid"
    peer_rc=$?
    peer_pid=""

    # Stop the emulator the way a user would; it must leave with status 0.
    interop_quit
    teardown

    # The datagram trace ("#   " lines) is shown only when something failed.
    interop_show "$logs/peer.log" $(( peer_rc != 0 || emu_rc != 0 ))
    if [ -s "$logs/emulator.err" ]; then
        echo "    -- emulator stderr:"
        sed 's/^/    /' "$logs/emulator.err"
    fi
    [ "$peer_rc" -eq 124 ] && echo "    -- $name was killed by the 90 s safety timeout"
    [ "$emu_rc" -eq 0 ] || echo "    -- the emulator exited with status $emu_rc"
    [ "$peer_rc" -eq 0 ] && [ "$emu_rc" -eq 0 ]
}

# hc NAME ARGS...: a hems-controller command in the controller's namespace,
# its JSON lines in NAME.json, its stderr in NAME.err, its status in hc_rc.
hc() {
    out=$1
    shift
    ip netns exec "$ns_peer" timeout -k 5 60 "$hems" --bind "$peer_addr" --ifname vB --json --wait 10 "$@" \
        >"$logs/$out.json" 2>"$logs/$out.err"
    hc_rc=$?
}

# hc_check WHAT NAME PATTERN...: the last command exited 0 and NAME.json
# matches every pattern (grep); counts a failure in hc_failed.
hc_check() {
    what=$1
    out=$2
    shift 2
    ok=$([ "$hc_rc" -eq 0 ] && echo 1 || echo 0)
    for pat in "$@"; do
        grep -q -- "$pat" "$logs/$out.json" || ok=0
    done
    if [ "$ok" -eq 1 ]; then
        echo "ok   $what"
    else
        hc_failed=$((hc_failed + 1))
        echo "FAIL $what (exit status $hc_rc; $out.json, $out.err):"
        sed 's/^/       /' "$logs/$out.json" "$logs/$out.err"
    fi
}

# run_hems_device: hems-controller against echonet-lite.js as an air conditioner.
run_hems_device() {
    name=hems-controller
    logs=$build/interop-logs/$name
    rm -rf "$logs"
    mkdir -p "$logs" || return 1
    interop_network || { echo "interop: cannot set up the network namespaces" >&2; return 1; }

    ip netns exec "$ns_emu" env NODE_PATH="$cache/node_modules" \
        SELF_ADDR="$emu_addr" CTL_ADDR="$peer_addr" READY_FILE="$logs/device.ready" PEER_TIMEOUT=80 \
        timeout -k 5 90 node "$here/el-aircon.js" >"$logs/device.log" 2>&1 &
    peer_pid=$!
    interop_wait_file "$logs/device.ready" "$peer_pid" || echo "interop: el-aircon.js did not get ready; going on anyway"

    hc_failed=0
    dev=$emu_addr
    hc discover discover --wait 5
    hc_check "discover: 013001 at $dev ready, maker 000077" discover \
        "\"event\":\"ready\",\"node\":\"$dev\",\"eoj\":\"013001\"" '"maker":"000077"' \
        '"id":"fe000077000002000000000000000000'
    hc get1 get "$dev" 013001 80 b0 b3
    hc_check "get 80 b0 b3: 31, 41, 19" get1 '"epc":"80","edt":"31"' '"epc":"b0","edt":"41"' \
        '"epc":"b3","edt":"19"' '"event":"read".*"outcome":"done"'
    hc set set "$dev" 013001 on mode cool temp 26
    hc_check "set on, mode cool, temp 26: done (verified)" set '"event":"write".*"outcome":"done"'
    hc get2 get "$dev" 013001 80 b0 b3
    hc_check "get 80 b0 b3 again: 30, 42, 1a" get2 '"epc":"80","edt":"30"' '"epc":"b0","edt":"42"' \
        '"epc":"b3","edt":"1a"'
    hc remote --remote set "$dev" 013001 temp 23
    hc_check "--remote set temp 23: done" remote '"event":"write".*"outcome":"done"'
    hc status status "$dev" 013001
    hc_check "status: on, cool, 23 degC" status '"event":"status".*"outcome":"done"' '"power":"on"' \
        '"mode":"cool"' '"temp":23'

    # The device checks what it received when it is told to stop.
    kill -TERM "$peer_pid" 2>/dev/null
    wait "$peer_pid"
    dev_rc=$?
    peer_pid=""
    teardown
    interop_show "$logs/device.log" "$dev_rc"
    [ "$dev_rc" -eq 124 ] && echo "    -- el-aircon.js was killed by the 90 s safety timeout"
    [ "$hc_failed" -eq 0 ] && [ "$dev_rc" -eq 0 ]
}

passed=0
failed=0
start=$(date +%s)
for peer in $peers; do
    echo "==> $peer"
    t=$(date +%s)
    if run_peer "$peer"; then
        passed=$((passed + 1))
        echo "PASS $peer ($(($(date +%s) - t)) s)"
    else
        failed=$((failed + 1))
        echo "FAIL $peer ($(($(date +%s) - t)) s; logs in $build/interop-logs/$peer)"
    fi
done
echo "==> hems-controller against echonet-lite as an air conditioner"
t=$(date +%s)
if run_hems_device; then
    passed=$((passed + 1))
    echo "PASS hems-controller ($(($(date +%s) - t)) s)"
else
    failed=$((failed + 1))
    echo "FAIL hems-controller ($(($(date +%s) - t)) s; logs in $build/interop-logs/hems-controller)"
fi
echo "==> interop done in $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
