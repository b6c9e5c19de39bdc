/* Fuzz target: frame decode. Every accepted input must re-encode to the
 * same bytes and decode again to the same view; every rejected input must
 * report an offset inside (or at the end of) the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t out[ECHONET_FRAME_MAX_LEN];

static void must(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    echonet_frame f, g;
    echonet_prop_iter it;
    echonet_prop p;
    size_t off = (size_t)-1, len = 0, pos = 0;
    int32_t n;
    unsigned count = 0;

    n = echonet_frame_decode(&f, data, size, &off);
    if (n < 0) {
        must(off <= size);
        must(echonet_frame_decode_udp(&f, data, size, NULL) == n);
        return 0;
    }
    must((size_t)n <= size && (size_t)n == f.len);

    /* Every property lies inside the frame. */
    for (it = f.props; echonet_prop_next(&it, &p); count++)
        must(p.pdc == 0 || (p.edt >= data && p.edt + p.pdc <= data + f.len));
    for (it = f.props_get; echonet_prop_next(&it, &p); count++)
        must(p.pdc == 0 || (p.edt >= data && p.edt + p.pdc <= data + f.len));
    must(count == (unsigned)f.opc + f.opc_get);

    /* Round trip: byte-identical. */
    must(echonet_frame_encode(&f, out, sizeof out, &len) == ECHONET_OK);
    must(len == f.len && memcmp(out, data, len) == 0);
    must(echonet_frame_decode_udp(&g, out, len, NULL) == ECHONET_OK);
    must(g.tid == f.tid && g.esv == f.esv && g.opc == f.opc && g.opc_get == f.opc_get);

    /* The rest of the buffer, read as a stream of frames, never over-reads. */
    while (pos < size) {
        int32_t m = echonet_frame_decode(&g, data + pos, size - pos, NULL);

        if (m <= 0)
            break;
        pos += (size_t)m;
    }
    return 0;
}
