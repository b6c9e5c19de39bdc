#!/bin/sh
# Uses libechonet as a Meson subproject the way README.md shows, from a
# consumer project in a scratch directory (subprojects/libechonet is a
# symbolic link to this tree: no network), and checks that the consumer's
# `meson test` and `meson install` are its own:
#
#   1. README's dependency() call: the consumer's `meson test` lists and runs
#      its own test only; `meson install` installs its program only, and the
#      installed program runs (the library is linked into it statically).
#   2. The same with no option at all for the subproject (its programs and
#      their man pages built too): being a subproject is enough.
#   3. The parent asks for the library to be installed (install=enabled):
#      headers, libraries and echonet.pc are installed too.
#
# Run by `meson test`; also usable by hand.
#
# usage: subproject-test.sh SOURCE_DIR   (environment: CC, default cc;
#                                         MESON, default meson on PATH)
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 SOURCE_DIR" >&2
    exit 99
fi
src=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-cc}
MESON=${MESON:-meson}
export CC

die() {
    echo "subproject-test: FAIL: $*" >&2
    exit 1
}
step() {
    echo "subproject-test: $*"
}

command -v "$MESON" >/dev/null 2>&1 || die "'$MESON' not found on PATH (set MESON)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# consumer DIR OPTIONS: a consumer project whose dependency() call passes
# OPTIONS (a meson array, without the brackets) to the subproject.
consumer() {
    mkdir -p "$1/subprojects"
    ln -s "$src" "$1/subprojects/libechonet"
    cp "$here/install_consumer.c" "$1/app.c"
    cat >"$1/meson.build" <<EOF
project('consumer', 'c', default_options: ['c_std=c99'])
echonet_dep = dependency('echonet', fallback: 'libechonet',
  default_options: [$2])
app = executable('app', 'app.c', dependencies: echonet_dep, install: true)
test('consumer app', app)
EOF
}

# build DIR: configures, builds and tests the consumer in DIR/build;
# `meson test --list` must name the consumer's test alone.
build() {
    "$MESON" setup "$1/build" "$1" >"$1/setup.log" 2>&1 ||
        { cat "$1/setup.log" >&2; die "meson setup of the consumer failed"; }
    "$MESON" compile -C "$1/build" -j 1 >"$1/compile.log" 2>&1 ||
        { cat "$1/compile.log" >&2; die "the consumer did not build"; }
    (cd "$1/build" && "$MESON" test --no-rebuild --list) >"$1/list.log" 2>&1 ||
        { cat "$1/list.log" >&2; die "meson test --list failed"; }
    if [ "$(grep -c . "$1/list.log")" -ne 1 ] || ! grep -q 'consumer app' "$1/list.log"; then
        cat "$1/list.log" >&2
        die "the consumer's meson test lists more than its own test (above)"
    fi
    "$MESON" test -C "$1/build" --no-rebuild >"$1/test.log" 2>&1 ||
        { cat "$1/test.log" "$1/build/meson-logs/testlog.txt" >&2; die "the consumer's meson test failed"; }
    step "$2: meson test runs the consumer's test alone, and it passes"
}

# install DIR: installs the consumer into DIR/root; prints what was installed.
install() {
    rm -rf "$1/root"
    "$MESON" install -C "$1/build" --no-rebuild --destdir "$1/root" >"$1/install.log" 2>&1 ||
        { cat "$1/install.log" >&2; die "the consumer's meson install failed"; }
    (cd "$1/root" && find . -type f -o -type l) | sort
}

# only_app DIR WHAT: the install tree holds the consumer's program alone,
# and it runs without a shared libechonet.
only_app() {
    files=$(install "$1")
    if [ "$(echo "$files" | grep -c .)" -ne 1 ] || ! echo "$files" | grep -q '/bin/app$'; then
        echo "$files" >&2
        die "$2: meson install installed more than the consumer's program (above)"
    fi
    app=$1/root/$(echo "$files" | sed 's|^\./||')
    "$app" || die "$2: the installed program does not run"
    step "$2: meson install installs the consumer's program alone, and it runs"
}

readme="'examples=false', 'tests=disabled', 'docs=disabled'"
consumer "$tmp/readme" "$readme"
build "$tmp/readme" "README's options"
only_app "$tmp/readme" "README's options"

consumer "$tmp/bare" ""
build "$tmp/bare" "no tests or install option"
only_app "$tmp/bare" "no tests or install option"

# The parent asks for the library to be installed.
"$MESON" configure "$tmp/readme/build" -Dlibechonet:install=enabled >/dev/null ||
    die "meson configure -Dlibechonet:install=enabled failed"
"$MESON" compile -C "$tmp/readme/build" -j 1 >"$tmp/readme/compile.log" 2>&1 ||
    { cat "$tmp/readme/compile.log" >&2; die "the consumer did not build with install=enabled"; }
files=$(install "$tmp/readme")
for f in '/pkgconfig/echonet.pc$' '/include/echonet/echonet.h$' '/include/echonet/config.h$' \
    '/libechonet\.so' '/bin/app$'; do
    echo "$files" | grep -q "$f" || { echo "$files" >&2; die "install=enabled: nothing matching $f installed"; }
done
step "install=enabled: the library, its headers and echonet.pc are installed with the program"

step "OK"
