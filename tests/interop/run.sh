#!/bin/sh
# Interoperability: independent ECHONET Lite controllers from the npm registry
# talk to examples/aircon-emulator over real UDP/IPv4.
#
#   echonet-lite.js       the `echonet-lite` package (Hiroshi Sugimura)
#   node-echonet-lite.js  the `node-echonet-lite` package (Futomi Hatano)
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
# Needs root (ip netns), node and npm. Ends with the line `N passed, M failed`
# (one test per peer) and exits non-zero if any failed.
#
# usage: sh tests/interop/run.sh BUILD_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
peers="echonet-lite node-echonet-lite"
emu_addr=10.99.0.1
peer_addr=10.99.0.2

die() {
    printf 'interop: %s\n' "$*" >&2
    exit 1
}

[ $# -eq 1 ] || { echo "usage: sh tests/interop/run.sh BUILD_DIR" >&2; exit 2; }
build=$(cd "$1" 2>/dev/null && pwd) || die "no build directory $1"
emu=$build/examples/aircon-emulator
[ -x "$emu" ] || die "$emu not found (configure the build with -Dexamples=true)"
command -v node >/dev/null 2>&1 || die "node not found (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || die "npm not found (apt-get install npm)"
command -v ip >/dev/null 2>&1 || die "ip not found (apt-get install iproute2)"
[ "$(id -u)" -eq 0 ] || die "must run as root: it creates network namespaces"
probe=elprobe$$
if ! ip netns add "$probe" 2>/dev/null; then
    die "'ip netns add' is not permitted on this machine (no CAP_SYS_ADMIN, or a" \
        "container without network-namespace support); these tests need it"
fi
ip netns del "$probe"

# --- The peers' packages -----------------------------------------------------
cache=$build/interop-npm
if [ ! -d "$cache/node_modules" ] || ! cmp -s "$here/package-lock.json" "$cache/package-lock.json"; then
    echo "==> npm ci into $cache"
    rm -rf "$cache"
    mkdir -p "$cache" || die "cannot create $cache"
    cp "$here/package.json" "$here/package-lock.json" "$cache/" || die "cannot copy the package files"
    (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
        { rm -rf "$cache"; die "npm ci failed"; }
fi
echo "==> node $(node --version); peers: $(cd "$cache" && node -p \
    "['echonet-lite','node-echonet-lite'].map(n => n + '@' + require(n + '/package.json').version).join(', ')")"

# --- Namespaces, processes, clean-up -----------------------------------------
ns_emu=""
ns_peer=""
emu_pid=""
peer_pid=""
teardown() {
    for pid in $peer_pid $emu_pid; do
        kill "$pid" 2>/dev/null
    done
    for pid in $peer_pid $emu_pid; do
        wait "$pid" 2>/dev/null
    done
    peer_pid=""
    emu_pid=""
    exec 3>&-
    for ns in $ns_peer $ns_emu; do
        ip netns del "$ns" 2>/dev/null
    done
    ns_emu=""
    ns_peer=""
}
trap teardown EXIT
trap 'teardown; exit 130' INT TERM HUP

network() {
    ns_emu=elemu$$
    ns_peer=elpeer$$
    ip netns add "$ns_emu" &&
    ip netns add "$ns_peer" &&
    ip link add vA netns "$ns_emu" type veth peer name vB netns "$ns_peer" &&
    ip -n "$ns_emu" addr add "$emu_addr/24" dev vA &&
    ip -n "$ns_peer" addr add "$peer_addr/24" dev vB &&
    ip -n "$ns_emu" link set lo up &&
    ip -n "$ns_peer" link set lo up &&
    ip -n "$ns_emu" link set vA up &&
    ip -n "$ns_peer" link set vB up &&
    ip -n "$ns_emu" route add 224.0.0.0/4 dev vA &&
    ip -n "$ns_peer" route add 224.0.0.0/4 dev vB
}

# run_peer NAME: one peer against a fresh emulator; returns 0 when both passed.
run_peer() {
    name=$1
    logs=$build/interop-logs/$name
    rm -rf "$logs"
    mkdir -p "$logs" || return 1
    network || { echo "interop: cannot set up the network namespaces" >&2; return 1; }

    # The emulator's stdin: a FIFO we also hold open, so it sees no EOF early.
    mkfifo "$logs/emulator.stdin" || return 1
    exec 3<>"$logs/emulator.stdin"

    ip netns exec "$ns_peer" env NODE_PATH="$cache/node_modules" \
        EMU_ADDR="$emu_addr" SELF_ADDR="$peer_addr" \
        EMU_STDIN="$logs/emulator.stdin" EMU_LOG="$logs/emulator.log" \
        READY_FILE="$logs/peer.ready" PEER_TIMEOUT=60 \
        timeout -k 5 90 node "$here/$name.js" >"$logs/peer.log" 2>&1 &
    peer_pid=$!
    waited=0
    while [ ! -f "$logs/peer.ready" ] && kill -0 "$peer_pid" 2>/dev/null && [ "$waited" -lt 100 ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    [ -f "$logs/peer.ready" ] || echo "interop: $name did not get ready; starting the emulator anyway"

    ip netns exec "$ns_emu" "$emu" --bind "$emu_addr" --ifname vA \
        <"$logs/emulator.stdin" >"$logs/emulator.log" 2>"$logs/emulator.err" &
    emu_pid=$!

    wait "$peer_pid"
    peer_rc=$?
    peer_pid=""

    # Stop the emulator the way a user would; it must leave with status 0.
    echo quit >&3
    waited=0
    while kill -0 "$emu_pid" 2>/dev/null && [ "$waited" -lt 25 ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    if kill -0 "$emu_pid" 2>/dev/null; then
        echo "interop: the emulator ignored 'quit'; killing it"
        kill "$emu_pid"
        wait "$emu_pid"
        emu_rc=124
    else
        wait "$emu_pid"
        emu_rc=$?
    fi
    emu_pid=""
    teardown

    # The datagram trace ("#   " lines) is shown only when something failed.
    if [ "$peer_rc" -eq 0 ] && [ "$emu_rc" -eq 0 ]; then
        grep -v -e '^# trace' -e '^#   ' "$logs/peer.log" | sed 's/^/    /'
    else
        sed 's/^/    /' "$logs/peer.log"
    fi
    if [ -s "$logs/emulator.err" ]; then
        echo "    -- emulator stderr:"
        sed 's/^/    /' "$logs/emulator.err"
    fi
    [ "$peer_rc" -eq 124 ] && echo "    -- $name was killed by the 90 s safety timeout"
    [ "$emu_rc" -eq 0 ] || echo "    -- the emulator exited with status $emu_rc"
    [ "$peer_rc" -eq 0 ] && [ "$emu_rc" -eq 0 ]
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
echo "==> interop done in $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
