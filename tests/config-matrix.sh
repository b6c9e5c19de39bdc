#!/bin/sh
# The configuration matrix: the library and every test rebuilt at the
# smallest and at the largest compile-time sizes meson_options.txt allows,
# and `meson test` run in each (doc/hardening.md).
#
#   build-min  addr_max=16 node_request_max=60 ctl_batch_max=7 ctl_value_bytes=24
#   build-max  addr_max=255 node_request_max=65547 ctl_batch_max=16 ctl_value_bytes=255
#
# ctl_batch_max and ctl_value_bytes are at their minimum. node_request_max
# is 60, not its minimum 14 (one property of one byte, which refuses every
# request of the tests): 60 = 12 + 3 x (7 + 1) + 24 is the longest request
# a controller of this build sends (echonet_ctl_write()'s bound), and the
# unit tests' own requests to a node are at most 34 bytes (a request of
# exactly the maximum and one byte more: node/request_of_exactly_request_max,
# in each build). addr_max is 16, not 1: the IPv6 cases of
# tests/test_emulator.py receive 16-byte addresses (the unit tests and the
# IPv4 cases need 4). The controller's node, object and operation counts
# are caller storage, so their extremes (1 of each, and hundreds of nodes)
# are unit tests run in both builds
# (controller/ctl_storage_one_node_one_object, topo_hundreds_of_nodes).
# The build with error strings compiled out is build-nostrings in
# tests/run-all.sh.
#
# usage: sh tests/config-matrix.sh [meson test arguments...]
#        (from anywhere; CC defaults to gcc)
set -eu

cd "$(dirname "$0")/.."
export CC="${CC:-gcc}"

run() {
    dir=$1
    shift
    start=$(date +%s)
    log=$(mktemp)
    if [ -f "$dir/build.ninja" ]; then
        set -- --reconfigure "$dir" -Dwerror=true -Ddocs=disabled "$@"
    else
        set -- "$dir" -Dwerror=true -Ddocs=disabled "$@"
    fi
    meson setup "$@" >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
    # The sizes really are the ones asked for.
    for opt in "$@"; do
        case $opt in -D*_max=* | -Dctl_*=*) ;; *) continue ;; esac
        name=${opt#-D}
        name=${name%%=*}
        value=${opt#*=}
        macro=$(echo "ECHONET_$name" | tr 'a-z' 'A-Z')
        grep -q "^#define $macro $value\$" "$dir/include/echonet/config.h" ||
            { echo "config-matrix.sh: $dir: $macro is not $value" >&2; exit 1; }
    done
    meson compile -C "$dir" >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
    rm -f "$log"
    meson test -C "$dir" --print-errorlogs $test_args
    echo "config-matrix.sh: $dir passed in $(($(date +%s) - start)) s"
}

test_args="$*"
run build-min -Daddr_max=16 -Dnode_request_max=60 -Dctl_batch_max=7 -Dctl_value_bytes=24
run build-max -Daddr_max=255 -Dnode_request_max=65547 -Dctl_batch_max=16 -Dctl_value_bytes=255
