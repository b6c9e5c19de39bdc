#!/bin/sh
# libechonet demo: builds the library and the example programs, then runs
# hems-controller against aircon-emulator over real UDP on the loopback:
# discover the air conditioner, read it, write it (the controller verifies
# the write with a Get), read it again, show its status, and watch a write
# the class table refuses. Run from anywhere: sh examples/demo.sh
#
# Where it runs: in a private network namespace when one can be made
# (`unshare --net` as root, else `unshare --user --map-root-user --net`,
# and `ip` to bring its loopback up with a multicast route), on the usual
# port 3610; otherwise on the host's loopback, on port 13610, where the
# controller finds the emulator by a unicast search if multicast does not
# reach it. Nothing leaves the machine either way. The emulator binds
# 127.0.0.2, the controller 127.0.0.1.
#
# On a fresh Debian machine the build tools are installed with apt-get first
# (with sudo when not run as root).
set -eu

cd "$(dirname "$0")/.."

# --- Build (skipped when re-run inside the namespace) --------------------------
if [ "${1:-}" != "--inside" ]; then
    missing=
    for cmd in meson ninja cc pkg-config; do
        command -v "$cmd" >/dev/null 2>&1 || missing="$missing $cmd"
    done
    if [ -n "$missing" ]; then
        echo "== Installing build dependencies (missing:$missing)"
        if ! command -v apt-get >/dev/null 2>&1; then
            echo "demo.sh: apt-get not found; install meson, ninja, a C compiler and pkg-config" >&2
            exit 1
        fi
        sudo=
        if [ "$(id -u)" -ne 0 ]; then
            sudo=sudo
        fi
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update
        # libc6-dev is only a Recommends of gcc; name it so that the C headers
        # are there even where recommended packages are not installed.
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y \
            meson ninja-build gcc libc6-dev pkg-config
    fi
    if [ ! -f build-demo/meson-private/coredata.dat ]; then
        # The demo needs the library and the examples only.
        meson setup build-demo -Dexamples=true -Dtests=disabled -Ddocs=disabled
    fi
    meson compile -C build-demo

    # A private network namespace when one can be made.
    if command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1; then
        for ns in "--net" "--user --map-root-user --net"; do
            # shellcheck disable=SC2086
            if unshare $ns true 2>/dev/null; then
                # shellcheck disable=SC2086
                exec unshare $ns sh examples/demo.sh --inside netns
            fi
        done
    fi
    set -- --inside host
fi

# --- The demo proper ---------------------------------------------------------------
emulator=build-demo/examples/aircon-emulator
hems=build-demo/examples/hems-controller
log=build-demo/demo-emulator.log

if [ "$2" = netns ]; then
    ip link set lo up
    ip route add 224.0.0.0/4 dev lo
    port=3610
    echo
    echo "Running in a private network namespace: loopback with multicast, UDP port $port."
else
    port=13610
    echo
    echo "Running on this host's loopback, UDP port $port (no private network namespace here)."
fi

"$emulator" --bind 127.0.0.2 --port "$port" </dev/null >"$log" 2>&1 &
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null' EXIT
waited=0
until grep -q '"event":"start"' "$log" 2>/dev/null; do
    waited=$((waited + 1))
    if [ "$waited" -gt 50 ] || ! kill -0 "$emulator_pid" 2>/dev/null; then
        echo "demo.sh: the emulator did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    sleep 0.1
done
echo "aircon-emulator: one air conditioner, 013001 at 127.0.0.2 (log: $log)"

hc() {
    echo
    echo "== $1"
    shift
    echo "\$ hems-controller $*"
    "$hems" --bind 127.0.0.1 --port "$port" "$@"
}

hc "Discover (the emulator answers the searches; its maps, identification and state are read)" \
    discover --wait 2 127.0.0.2
hc "Read operation status 0x80, mode 0xB0, set temperature 0xB3" \
    get 127.0.0.2 013001 80 b0 b3
hc "Write: on, cooling, 26 C (sent in the order 0x80, 0xB0, 0xB3, then verified by a Get)" \
    set 127.0.0.2 013001 on mode cool temp 26
hc "Read them again" \
    get 127.0.0.2 013001 80 b0 b3
hc "Status" \
    status 127.0.0.2 013001
if hc "A write the class table refuses: 60 C (nothing is sent)" set 127.0.0.2 013001 temp 60; then
    echo "demo.sh: the write of 60 C was not refused" >&2
    exit 1
else
    echo "(exit status $?)"
fi

echo
echo "== What the emulator received: the SetC, as its log (and echonet-dump) shows frames"
grep '"dir":"in".*"esv":"61"' "$log" | head -n 1
echo
echo "Done. hems-controller --help lists its commands; 'hems-controller run' stays up"
echo "and takes them on standard input."
