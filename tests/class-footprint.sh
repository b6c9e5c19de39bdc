#!/bin/sh
# Flash of each generated class table when linked into a Cortex-M0+ image
# (issue 14): a one-function image that names the class, linked with
# --gc-sections against the library that tests/firmware.sh built
# (build-fw-m0) and its memcpy family (tests/firmware/support.c). .rodata
# is the class's table and its rule programs plus the superclass table
# every class is chained to (620 bytes, once per image however many
# classes it links); .text is the layout walker the tables bring
# (lib/layout.c, once per image) with the libgcc and mem* code it calls.
#
# usage: tests/class-footprint.sh [CLASS...]   (default: 0288 0287 0279 027d 026b)
# Needs: sh tests/firmware.sh run first (build-fw-m0), arm-none-eabi-gcc.
set -eu
cd "$(dirname "$0")/.."
dir=${FW_BUILD_PREFIX:-build-fw-}m0
[ -f "$dir/lib/libechonet.a" ] || { echo "class-footprint: run sh tests/firmware.sh first ($dir)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ $# -gt 0 ] || set -- 0288 0287 0279 027d 026b
echo "| class | .rodata linked (with the superclass) | the class's own table | .text linked (the walker) |"
echo "|---|---:|---:|---:|"
for c in "$@"; do
    printf '#include "echonet/classes.h"\nconst echonet_class *ref(void);\nconst echonet_class *ref(void) { return &echonet_class_%s; }\n' "$c" >"$tmp/ref.c"
    arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -Os -ffunction-sections -fdata-sections -Iinclude \
        -I"$dir/include" -nostdlib -Wl,--gc-sections -Wl,-e,ref "$tmp/ref.c" "$dir/lib/libechonet.a" \
        "$dir/firmware/support.o" -lgcc -o "$tmp/ref.elf"
    linked=$(arm-none-eabi-size -A "$tmp/ref.elf" | awk '/^\.rodata/ { r += $2 } END { print r }')
    text=$(arm-none-eabi-size -A "$tmp/ref.elf" | awk '/^\.text/ { r += $2 } END { print r }')
    own=$(arm-none-eabi-size -A "$dir/lib/libechonet_internal.a.p/meson-generated_.._class_$c.c.o" |
        awk '/^\.rodata/ { r += $2 } END { print r }')
    echo "| 0x$(echo "$c" | tr a-f A-F) | $linked | $own | $text |"
done
