#!/bin/sh
# Installs the build into a scratch directory and builds a program against it
# the way a user would: with `pkg-config echonet` only, linked dynamically and
# statically. Run by `meson test`; also usable by hand.
#
# usage: install-test.sh BUILD_DIR      (environment: CC, default cc;
#                                        MESON, default meson on PATH)
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 99
fi
build=$1
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
MESON=${MESON:-meson}

die() {
    echo "install-test: FAIL: $*" >&2
    exit 1
}
step() {
    echo "install-test: $*"
}

command -v "$MESON" >/dev/null 2>&1 || die "'$MESON' not found on PATH (set MESON)"
command -v pkg-config >/dev/null 2>&1 || die "pkg-config not found"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
root=$tmp/root

step "meson install -C $build --destdir $root"
"$MESON" install -C "$build" --no-rebuild --destdir "$root" >"$tmp/install.log" 2>&1 ||
    { cat "$tmp/install.log" >&2; die "meson install failed"; }

pc=$(find "$root" -name echonet.pc -path '*/pkgconfig/*' | head -n 1)
[ -n "$pc" ] || die "no pkgconfig/echonet.pc installed under $root"
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")
step "found ${pc#"$root"}"

incdir=$(find "$root" -type d -path '*/include/echonet' | head -n 1)
[ -n "$incdir" ] || die "no include/echonet directory installed"
for h in echonet.h common.h config.h version.h error.h eoj.h esv.h frame.h propmap.h; do
    [ -f "$incdir/$h" ] || die "header $h not installed in ${incdir#"$root"}"
done
step "headers installed in ${incdir#"$root"}, config.h and version.h among them"

ls "$libdir"/libechonet.so* >/dev/null 2>&1 || die "no libechonet.so in ${libdir#"$root"}"
[ -f "$libdir/libechonet.a" ] || die "no libechonet.a in ${libdir#"$root"}"

# The .pc file names paths under the final prefix; the sysroot moves them
# into the scratch tree. System paths must not be dropped (prefix /usr).
PKG_CONFIG_PATH=$pcdir
PKG_CONFIG_LIBDIR=$pcdir
PKG_CONFIG_SYSROOT_DIR=$root
PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1
PKG_CONFIG_ALLOW_SYSTEM_LIBS=1
export PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR \
    PKG_CONFIG_ALLOW_SYSTEM_CFLAGS PKG_CONFIG_ALLOW_SYSTEM_LIBS

cflags=$(pkg-config --cflags echonet) || die "pkg-config --cflags echonet failed"
libs=$(pkg-config --libs echonet) || die "pkg-config --libs echonet failed"
step "pkg-config echonet $(pkg-config --modversion echonet): $cflags $libs"
# README.md says the static link needs nothing more (no Libs.private).
[ "$(pkg-config --static --libs echonet)" = "$libs" ] ||
    die "pkg-config --static --libs echonet differs from --libs; README.md says they are equal"

# Word splitting of the flags is intended.
# shellcheck disable=SC2086
"$CC" -o "$tmp/consumer" "$here/install_consumer.c" $cflags $libs ||
    die "$CC could not build install_consumer.c with pkg-config flags alone"
step "built the consumer against the shared library"
LD_LIBRARY_PATH=$libdir "$tmp/consumer" || die "the dynamically linked consumer failed"
if command -v ldd >/dev/null 2>&1; then
    LD_LIBRARY_PATH=$libdir ldd "$tmp/consumer" | grep -F "$root" >/dev/null ||
        die "the consumer did not load libechonet from the install tree"
fi

# shellcheck disable=SC2086
"$CC" -o "$tmp/consumer-static" "$here/install_consumer.c" $cflags "$libdir/libechonet.a" ||
    die "$CC could not link install_consumer.c against libechonet.a"
step "built the consumer against libechonet.a"
if command -v ldd >/dev/null 2>&1 && ldd "$tmp/consumer-static" 2>/dev/null | grep -q libechonet; then
    die "the static consumer still needs a shared libechonet"
fi
"$tmp/consumer-static" || die "the statically linked consumer failed"

# The installed programs start from this prefix, which is not a system one,
# without LD_LIBRARY_PATH: their rpath leads to the library beside them.
bindir=$(find "$root" -type d -name bin | head -n 1)
for prog in "$bindir"/*; do
    [ -n "$bindir" ] && [ -x "$prog" ] || continue
    name=${prog#"$root"}
    env -u LD_LIBRARY_PATH "$prog" --help >"$tmp/prog.log" 2>&1 ||
        { cat "$tmp/prog.log" >&2; die "the installed $name does not start (above)"; }
    if command -v ldd >/dev/null 2>&1 && ldd "$prog" | grep -q libechonet; then
        env -u LD_LIBRARY_PATH ldd "$prog" | grep libechonet | grep -F "$root" >/dev/null ||
            die "the installed $name does not load libechonet from the install tree"
    fi
    step "the installed $name starts"
done
if [ -x "$bindir/echonet-dump" ]; then
    echo '10 81 00 01 05 FF 01 01 30 01 62 01 80 00' | env -u LD_LIBRARY_PATH "$bindir/echonet-dump" |
        grep -q '"esv":"62"' || die "the installed echonet-dump does not decode a Get"
    step "the installed echonet-dump decodes a frame"
fi
# hems-controller comes with its systemd unit, which starts the installed
# program as a service (`serve`).
if [ -x "$bindir/hems-controller" ]; then
    unit=$(find "$root" -name hems-controller.service -path '*/systemd/system/*' | head -n 1)
    [ -n "$unit" ] || die "hems-controller is installed without its systemd unit"
    grep -q "^ExecStart=${bindir#"$root"}/hems-controller .* serve\$" "$unit" ||
        die "${unit#"$root"} does not start ${bindir#"$root"}/hems-controller ... serve"
    if command -v systemd-analyze >/dev/null 2>&1; then
        sed "s|^ExecStart=${bindir#"$root"}/|ExecStart=$bindir/|" "$unit" >"$tmp/hems-controller.service"
        systemd-analyze verify --man=no "$tmp/hems-controller.service" ||
            die "systemd-analyze verify finds fault with ${unit#"$root"} (above)"
    fi
    step "the systemd unit ${unit#"$root"} starts the installed hems-controller serve"
fi

step "OK"
