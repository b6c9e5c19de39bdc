/* Test helpers: hex parsing, and inputs placed flush against an unreadable
 * page so that a read of one byte too many crashes the test. */
#define _DEFAULT_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests.h"

size_t test_hex(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;

    for (; *hex; hex++) {
        int v;
        char c = *hex;

        if (c == ' ')
            continue;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            ck_abort_msg("bad hex digit '%c'", c);
        if (hi < 0) {
            hi = v;
        } else {
            ck_assert_msg(n < cap, "hex longer than %zu bytes", cap);
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    ck_assert_msg(hi < 0, "odd number of hex digits");
    return n;
}

/* Room for the largest frame plus slack, then one PROT_NONE page. */
#define GUARD_DATA (70u * 1024u)

const uint8_t *guard_place(const uint8_t *data, size_t len)
{
    static uint8_t *region;
    static size_t page, data_size;
    uint8_t *dst;

    if (!region) {
        page = (size_t)sysconf(_SC_PAGESIZE);
        data_size = (GUARD_DATA + page - 1) / page * page;
        region = mmap(NULL, data_size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        ck_assert_msg(region != MAP_FAILED, "mmap failed");
        ck_assert_int_eq(mprotect(region + data_size, page, PROT_NONE), 0);
    }
    ck_assert_msg(len <= data_size, "guarded input too long");
    dst = region + data_size - len;
    if (len)
        memcpy(dst, data, len);
    return dst;
}
