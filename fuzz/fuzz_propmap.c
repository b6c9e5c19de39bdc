/* Fuzz target: property-map decode. An accepted map re-encodes to a
 * canonical form that decodes to the same set; the set operations agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/propmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void must(int cond)
{
    if (!cond)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    echonet_propmap m, back;
    uint8_t edt[ECHONET_PROPMAP_MAX_LEN];
    size_t len = 0;
    unsigned e, n = 0;

    if (echonet_propmap_decode(&m, data, size) != ECHONET_OK) {
        must(echonet_propmap_count(&m) == 0);
        return 0;
    }
    must(echonet_propmap_encode(&m, edt, sizeof edt, &len) == ECHONET_OK);
    must(len == (echonet_propmap_count(&m) < 16 ? 1 + echonet_propmap_count(&m) : 17));
    must(echonet_propmap_decode(&back, edt, len) == ECHONET_OK);
    must(memcmp(&back, &m, sizeof m) == 0);
    /* A well-formed bitmap input is reproduced exactly. */
    if (size == 17 && data[0] >= 16)
        must(memcmp(edt, data, 17) == 0);
    for (e = echonet_propmap_next(&m, 0); e != ECHONET_PROPMAP_END; e = echonet_propmap_next(&m, e + 1)) {
        must(echonet_propmap_contains(&back, (uint8_t)e));
        n++;
    }
    must(n == echonet_propmap_count(&m));
    return 0;
}
