/* Fuzz target: the controller driven by a script (ctl_harness.c): time
 * steps, datagrams from eight addresses (arbitrary bytes, announcements,
 * well-formed answers to what is in flight) and the application's
 * operations; time never goes back; after each step the invariants of the
 * simulation tests are checked from outside (ctl_harness.h), and at the
 * end every operation must have ended.
 *
 * The first byte is also the first step; its bits choose remote mode (0x01),
 * a small max_props (0x40: 1 to 4 from bits 1-2) and a clock that starts
 * near the end of echonet_tstamp (0x20). */
#include <stdint.h>

#include "ctl_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t b = size > 0 ? data[0] : 0;
    uint8_t max_props = (b & 0x40) ? (uint8_t)(1 + ((b >> 1) & 3)) : 4;
    echonet_tstamp start = (b & 0x20) ? ECHONET_TSTAMP_NEVER - ((echonet_tstamp)1 << 42) : 0;
    echonet_ctl *ctl = h_init(b & 1, max_props, start, false);

    echonet_ctl_set_line(ctl, true, start);
    h_script(data, size);
    return 0;
}
