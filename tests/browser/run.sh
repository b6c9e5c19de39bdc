#!/bin/sh
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
#
# The dashboard of hems-controller --http in a real browser: headless Debian
# chromium driven by puppeteer-core (pinned in package.json and
# package-lock.json beside this file, installed with `npm ci
# --ignore-scripts` into WORK_DIR/npm, no browser download). The checks are
# in dashboard.test.js; it runs (after npm ci) in a private network namespace
# when it can make one (as root: `unshare --net`), else on the host's loopback.
#
# Needs node, npm and chromium (tests/run-all.sh installs them); fails,
# never skips, without them. CHROMIUM overrides the browser's path.
#
# usage: sh tests/browser/run.sh HEMS_CONTROLLER AIRCON_EMULATOR WORK_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)

die() {
    printf 'browser test: %s\n' "$*" >&2
    exit 1
}

[ $# -eq 3 ] || { echo "usage: sh tests/browser/run.sh HEMS_CONTROLLER AIRCON_EMULATOR WORK_DIR" >&2; exit 2; }
hems=$1
emu=$2
work=$(mkdir -p "$3" && cd "$3" && pwd) || die "cannot create $3"
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$hems" ] || die "$hems not found"
[ -x "$emu" ] || die "$emu not found"
[ -x "$chromium" ] || die "$chromium not found (apt-get install chromium)"
command -v node >/dev/null 2>&1 || die "node not found (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || die "npm not found (apt-get install npm)"

cache=$work/npm
if [ ! -d "$cache/node_modules/puppeteer-core" ] || ! cmp -s "$here/package-lock.json" "$cache/package-lock.json"; then
    echo "==> npm ci into $cache"
    rm -rf "$cache"
    mkdir -p "$cache" || die "cannot create $cache"
    cp "$here/package.json" "$here/package-lock.json" "$cache/" || die "cannot copy the package files"
    (cd "$cache" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) ||
        { rm -rf "$cache"; die "npm ci failed"; }
fi
# The packages are installed first: the namespace has no way out.
if [ -z "${BROWSER_TEST_NETNS:-}" ] && command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare --net true 2>/dev/null; then
    BROWSER_TEST_NETNS=1 exec unshare --net -- sh -c 'ip link set lo up && exec sh "$@"' sh "$0" "$@"
fi
echo "==> node $(node --version), $("$chromium" --version 2>/dev/null), puppeteer-core" \
    "$(node -p "require('$cache/node_modules/puppeteer-core/package.json').version")" \
    "${BROWSER_TEST_NETNS:+(private network namespace)}"
mkdir -p "$work/out" || die "cannot create $work/out"
NODE_PATH=$cache/node_modules exec node "$here/dashboard.test.js" "$hems" "$emu" "$chromium" "$work/out"
