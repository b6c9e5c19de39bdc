#!/bin/sh
# libechonet demo: builds the library and echonet-dump, then decodes the
# worked frames of the ECHONET Lite reference (sections 3.5 and 9.2) and one
# broken frame. Run from anywhere: sh examples/demo.sh
#
# On a fresh Debian machine the build tools are installed with apt-get first
# (with sudo when not run as root).
set -eu

cd "$(dirname "$0")/.."

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

dump=build-demo/examples/echonet-dump

show() {
    caption=$1
    shift
    echo
    echo "== $caption"
    echo "   $*"
    if "$dump" "$*"; then
        :
    else
        echo "   (echonet-dump exited with status $?: the frame was rejected)"
    fi
}

echo
echo "Controller 05FF01 <-> home air conditioner 013001 (reference 3.5 and 9.2)"

show "Get 0x80, 0xB0, 0xB3 (TID 0001)" \
    10 81 00 01 05 FF 01 01 30 01 62 03 80 00 B0 00 B3 00
show "Get_Res: ON, cooling, 26 degC" \
    10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01 1A
show "Get_SNA: 0xB3 unreadable (PDC 0)" \
    10 81 00 01 01 30 01 05 FF 01 52 03 80 01 30 B0 01 42 B3 00
show "SetC with the remote-operation prefix 0x93=0x42: ON, cooling, 26 degC" \
    10 81 00 02 05 FF 01 01 30 01 61 04 93 01 42 80 01 30 B0 01 42 B3 01 1A
show "Set_Res" \
    10 81 00 02 01 30 01 05 FF 01 71 04 93 00 80 00 B0 00 B3 00
show "SetC_SNA: 0xB3 rejected, its value echoed" \
    10 81 00 02 01 30 01 05 FF 01 51 04 93 00 80 00 B0 00 B3 01 1A
show "SetGet: set ON, read 0x80 and 0xB0 (TID 0006)" \
    10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00 B0 00
show "SetGet_Res" \
    10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 30 B0 01 42
show "Status-change announcement (INF): turned OFF by its remote control" \
    10 81 00 10 01 30 01 0E F0 01 73 01 80 01 31
show "Get_Res of the attributes 0x82, 0x9D, 0x9E, 0x9F (property maps decoded)" \
    10 81 00 07 01 30 01 05 FF 01 72 04 82 04 00 00 48 00 \
    9D 07 06 80 81 88 8F A0 B0 \
    9E 08 07 80 81 8F 93 A0 B0 B3 \
    9F 11 11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03
show "A broken frame: the Get_Res of 3.5 cut short (0xB3 declares 1 byte, none follows)" \
    10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01
