#!/bin/sh
# Proves the library's promise of no heap, no stdio and no OS calls: every
# symbol a static library leaves undefined must be on a short allowlist.
#
# usage: check-symbols.sh LIBRARY.a   (environment: NM, default nm)
#
# Allowed: memcpy, memset, memcmp, memmove (and their _FORTIFY_SOURCE *_chk
# forms; and bcmp, which clang emits for a memcmp compared with zero on
# hosted targets), and what sanitizers, coverage and stack protection insert
# (__asan_*, __ubsan_*, __sanitizer_*, __sancov_*, __gcov_*, __llvm_*,
# __stack_chk_fail, _GLOBAL_OFFSET_TABLE_). Symbols defined by another
# member of the same archive are internal references, not imports.
#
# Exit status: 0 clean; 1 offenders found (each listed by name and member);
# 99 the check itself could not run (meson reports that as an error, so a
# should_fail self-test cannot pass by accident).
set -eu

NM=${NM:-nm}

if [ $# -ne 1 ]; then
    echo "usage: $0 LIBRARY.a" >&2
    exit 99
fi
lib=$1
if [ ! -r "$lib" ]; then
    echo "check-symbols: cannot read $lib" >&2
    exit 99
fi
if ! command -v "$NM" >/dev/null 2>&1; then
    echo "check-symbols: $NM not found" >&2
    exit 99
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# POSIX nm output (-P): "name type [value size]"; archive members appear as
# "lib.a[member.o]:" lines. Keep the member so offenders can be located.
if ! "$NM" -P -g "$lib" >"$tmp/all" 2>"$tmp/err"; then
    cat "$tmp/err" >&2
    echo "check-symbols: $NM failed on $lib" >&2
    exit 99
fi

awk '
    /:$/ { member = $0; sub(/:$/, "", member); sub(/\]$/, "", member)
           sub(/^.*[[\/]/, "", member); next }
    NF >= 2 && ($2 == "U" || $2 == "w" || $2 == "v") { print $1, member; next }
' "$tmp/all" | sort -u >"$tmp/undefined"
awk 'NF >= 2 && $2 != "U" && $2 != "w" && $2 != "v" && $1 !~ /:$/ { print $1 }' "$tmp/all" |
    sort -u >"$tmp/defined"

members=$(grep -c ':$' "$tmp/all" || true)
echo "check-symbols: $lib ($members object files), nm: $NM"

# Why a symbol is unwelcome, for the report.
reason() {
    case $1 in
    malloc | calloc | realloc | free | reallocarray | aligned_alloc | posix_memalign | \
        memalign | valloc | strdup | strndup | alloca | __libc_malloc | _Znwm | _Znam | \
        _ZdlPv | _ZdaPv)
        echo "heap allocation" ;;
    printf | fprintf | sprintf | snprintf | vprintf | vfprintf | vsprintf | vsnprintf | \
        dprintf | vdprintf | puts | putchar | fputs | fputc | putc | fwrite | fread | \
        fopen | fclose | fflush | perror | __printf_chk | __fprintf_chk | __sprintf_chk | \
        __snprintf_chk | __vfprintf_chk | __vsnprintf_chk | stdout | stderr | stdin)
        echo "stdio" ;;
    time | clock | clock_gettime | gettimeofday | localtime | localtime_r | gmtime | \
        gmtime_r | mktime | strftime | difftime | nanosleep | sleep | usleep)
        echo "time function" ;;
    socket | bind | connect | listen | accept | accept4 | send | sendto | sendmsg | recv | \
        recvfrom | recvmsg | setsockopt | getsockopt | getaddrinfo | freeaddrinfo | \
        inet_pton | inet_ntop | htons | htonl | ntohs | ntohl | poll | select | shutdown)
        echo "socket call" ;;
    open | close | read | write | ioctl | fcntl | mmap | munmap | exit | _exit | abort | \
        getenv | pthread_* | __assert_fail | __errno_location | raise | signal)
        echo "OS or libc call" ;;
    *)
        echo "not on the allowlist" ;;
    esac
}

allowed() {
    case $1 in
    memcpy | memset | memcmp | memmove | __memcpy_chk | __memset_chk | __memmove_chk | bcmp)
        return 0 ;;
    __asan_* | __ubsan_* | __sanitizer_* | __sancov_* | __gcov_* | __llvm_*)
        return 0 ;;
    __stack_chk_fail | _GLOBAL_OFFSET_TABLE_)
        return 0 ;;
    esac
    return 1
}

checked=0
bad=0
imports=""
instrumentation=0
while read -r sym member; do
    checked=$((checked + 1))
    if grep -qxF "$sym" "$tmp/defined"; then
        continue
    fi
    if allowed "$sym"; then
        case $sym in
        mem* | __mem*)
            case " $imports " in *" $sym "*) ;; *) imports="$imports $sym" ;; esac ;;
        *)
            instrumentation=$((instrumentation + 1)) ;;
        esac
        continue
    fi
    echo "  FORBIDDEN: $sym ($(reason "$sym")) in ${member:-$lib}"
    bad=$((bad + 1))
done <"$tmp/undefined"

echo "check-symbols: $checked undefined symbol references checked;" \
    "allowed imports:${imports:- none}; instrumentation references: $instrumentation"
if [ "$bad" -ne 0 ]; then
    echo "check-symbols: FAIL: $bad forbidden undefined symbol(s) in $lib"
    exit 1
fi
echo "check-symbols: OK: only mem* and instrumentation symbols are imported"
