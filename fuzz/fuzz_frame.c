/* Fuzz target: frame decode. A rejected input reports an offset inside (or
 * at the end of) the input, and the UDP decoder rejects it the same way; an
 * accepted one has a length within the input, every property view inside
 * the frame and as many properties as its OPCs say; the UDP decoder accepts
 * it exactly when it fills the input; the rest of the input, read as a TCP
 * stream of frames, never over-reads. (The re-encoding is fuzz_roundtrip.c.) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

static unsigned walk(echonet_prop_iter it, const uint8_t *start, size_t len)
{
    echonet_prop p;
    unsigned count = 0;

    for (; echonet_prop_next(&it, &p); count++)
        must(p.pdc == 0 ? p.edt == NULL : (p.edt >= start && p.edt + p.pdc <= start + len));
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    echonet_frame f, g;
    size_t off = (size_t)-1, pos;
    int32_t n;
    echonet_err udp;

    n = echonet_frame_decode(&f, data, size, &off);
    udp = echonet_frame_decode_udp(&g, data, size, NULL);
    if (n < 0) {
        must(off <= size);
        must(udp == n);
        return 0;
    }
    must((size_t)n <= size && (size_t)n == f.len && f.len >= ECHONET_FRAME_MIN_LEN);
    must(udp == ((size_t)n == size ? ECHONET_OK : ECHONET_ERR_TRAILING));
    must(f.format == 1 || f.format == 2);
    must(f.edata == data + 4 && f.edata_len == f.len - 4);
    must(walk(f.props, data, f.len) == f.opc);
    must(walk(f.props_get, data, f.len) == f.opc_get);

    for (pos = (size_t)n; pos < size;) {
        int32_t m = echonet_frame_decode(&g, data + pos, size - pos, NULL);

        if (m <= 0)
            break;
        must((size_t)m <= size - pos);
        pos += (size_t)m;
    }
    return 0;
}
