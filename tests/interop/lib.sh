# Shared by the interop scripts (run.sh, household.sh); sourced, not run.
# Sets `here` (this directory) first; needs `build` (the build directory).
#
#   interop_need             node, npm, ip, root and network namespaces, or die
#   interop_npm              the pinned npm packages into $build/interop-npm ($cache)
#   interop_network          two namespaces $ns_emu (10.99.0.1, vA) and $ns_peer
#                            (10.99.0.2, vB) joined by a veth pair, multicast routed
#   interop_wait_file F PID  waits (20 s at most) for file F while PID lives
#   interop_quit             `quit` to the emulator $emu_pid (descriptor 3), emu_rc
#   interop_show LOG FAILED  a peer's log, its datagram trace only on failure
#   teardown                 kills $peer_pid and $emu_pid, closes descriptor 3,
#                            deletes the namespaces (also on exit and signals)

emu_addr=10.99.0.1
peer_addr=10.99.0.2
ns_emu=""
ns_peer=""
emu_pid=""
peer_pid=""

die() {
    printf 'interop: %s\n' "$*" >&2
    exit 1
}

interop_need() {
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
}

interop_npm() {
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
}

interop_network() {
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

interop_wait_file() {
    waited=0
    while [ ! -f "$1" ] && kill -0 "$2" 2>/dev/null && [ "$waited" -lt 100 ]; do
        sleep 0.2
        waited=$((waited + 1))
    done
    [ -f "$1" ]
}

# interop_quit: stops the emulator $emu_pid the way a user would, with `quit`
# on its standard input (the FIFO open as descriptor 3); sets emu_rc to its
# exit status (it must be 0), 124 when it ignored quit and was killed.
interop_quit() {
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
}

# interop_show LOG PASSED: the peer's log, indented; its datagram trace
# ("#   " lines) only when PASSED is not 0.
interop_show() {
    if [ "$2" -eq 0 ]; then
        grep -v -e '^# trace' -e '^#   ' "$1" | sed 's/^/    /'
    else
        sed 's/^/    /' "$1"
    fi
}

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
