# Shared by the shell scripts of tests/ (sourced, not run): messages, the
# Debian packages they need, and meson setup. Before sourcing, set NAME to
# the script's name (for messages).
#
#   say TEXT...              a step heading
#   die TEXT...              an error message, exit 1
#   need PACKAGE...          installs the Debian packages that are missing
#                            (apt-get, as root or through sudo; PKG:ARCH adds
#                            the foreign architecture first)
#   setup DIR OPTIONS...     configures the meson build DIR fresh, or
#                            reconfigures it with OPTIONS

say() {
    printf '\n==> %s\n' "$*"
}

die() {
    printf '\n%s: %s\n' "$NAME" "$*" >&2
    exit 1
}

# Whether a Debian package is installed and usable, by a command or file it
# provides.
have() {
    case $1 in
    meson) command -v meson ;;
    ninja-build) command -v ninja ;;
    gcc) command -v gcc ;;
    g++) command -v g++ ;;
    clang) command -v clang && command -v clang++ ;;
    pkg-config) command -v pkg-config ;;
    check) command -v pkg-config && pkg-config --exists check ;;
    doxygen) command -v doxygen ;;
    python3) command -v python3 ;;
    binutils) command -v nm ;;
    nodejs) command -v node ;;
    npm) command -v npm ;;
    iproute2) command -v ip ;;
    valgrind) command -v valgrind ;;
    libclang-rt-14-dev) ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a ;;
    librsvg2-bin) command -v rsvg-convert ;;
    gcc-arm-none-eabi) command -v arm-none-eabi-gcc ;;
    libnewlib-arm-none-eabi) echo '#include <string.h>' | arm-none-eabi-gcc -fsyntax-only -x c - ;;
    gcc-riscv64-unknown-elf) command -v riscv64-unknown-elf-gcc ;;
    picolibc-riscv64-unknown-elf) test -f /usr/lib/picolibc/riscv64-unknown-elf/include/release/string.h ;;
    gcc-s390x-linux-gnu) command -v s390x-linux-gnu-gcc ;;
    libc6-dev-s390x-cross) test -f /usr/s390x-linux-gnu/include/stdio.h ;;
    qemu-user) command -v qemu-s390x ;;
    libmicrohttpd-dev) pkg-config --exists libmicrohttpd ;;
    libjansson-dev) pkg-config --exists jansson ;;
    chromium) command -v chromium ;;
    libmosquitto-dev) pkg-config --exists libmosquitto ;;
    mosquitto) command -v mosquitto || test -x /usr/sbin/mosquitto ;;
    mosquitto-clients) command -v mosquitto_pub && command -v mosquitto_sub ;;
    openssl) command -v openssl ;;
    check:s390x) test -f /usr/lib/s390x-linux-gnu/pkgconfig/check.pc &&
        test -f /usr/lib/s390x-linux-gnu/libsubunit.a ;;
    *) return 1 ;;
    esac >/dev/null 2>&1
}

need() {
    missing=""
    for pkg in "$@"; do
        have "$pkg" || missing="$missing $pkg"
    done
    [ -n "$missing" ] || return 0
    say "Installing missing packages:$missing"
    command -v apt-get >/dev/null 2>&1 ||
        die "apt-get not found; install these yourself:$missing"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "not root and no sudo; install these as root:$missing"
        sudo=sudo
    fi
    for pkg in $missing; do
        case $pkg in
        *:*)
            arch=${pkg#*:}
            case " $(dpkg --print-foreign-architectures | tr '\n' ' ') " in
            *" $arch "*) ;;
            *) $sudo dpkg --add-architecture "$arch" ;;
            esac
            ;;
        esac
    done
    $sudo apt-get update
    # libc6-dev is only recommended by gcc; name it since recommends are off.
    # shellcheck disable=SC2086
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        $missing libc6-dev
    for pkg in $missing; do
        have "$pkg" || die "package $pkg was installed but is still not usable"
    done
}

setup() {
    dir=$1
    shift
    if [ -f "$dir/meson-private/coredata.dat" ]; then
        meson setup --reconfigure "$dir" "$@"
    else
        rm -rf "$dir"
        meson setup "$dir" "$@"
    fi
}
