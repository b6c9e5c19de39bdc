/* Fuzz target: restoring an energy log (echonet_energy_load). The input is
 * tried as it is and again with its last four bytes replaced by the right
 * CRC-32, so the parser behind the checksum is reached. A log that loads
 * saves and reloads to the same bytes, and takes readings, amounts and
 * queries without fault; a refused one leaves the log untouched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "echonet/crc32.h"
#include "echonet/energy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP (12u * (ECHONET_ENERGY_HALF_HOURS + ECHONET_ENERGY_HOURS + ECHONET_ENERGY_DAYS) + 128u)

static echonet_energy_log lg, before;
static uint8_t buf[65536], out[CAP], out2[CAP];

static void must(int cond)
{
    if (!cond)
        abort();
}

static void exercise(void)
{
    size_t len, len2;
    echonet_energy_stats st;
    echonet_energy_iter it;
    echonet_energy_period p;
    uint64_t mwh;
    unsigned res;

    must(echonet_energy_save(&lg, out, sizeof out, &len) == ECHONET_OK);
    must(echonet_energy_load(&before, out, len) == ECHONET_OK);
    must(echonet_energy_save(&before, out2, sizeof out2, &len2) == ECHONET_OK);
    must(len == len2 && memcmp(out, out2, len) == 0);
    must(echonet_energy_stats_get(&lg, &st) == ECHONET_OK);
    for (res = 0; res < 3; res++) {
        int64_t t = st.have_last ? st.last_unix : 1700000000;

        if (echonet_energy_iter_init(&it, &lg, (echonet_energy_res)res, t - 86400, t + 86400) == ECHONET_OK)
            while (echonet_energy_iter_next(&it, &p))
                must(p.present || p.mwh == 0);
        (void)echonet_energy_total(&lg, (echonet_energy_res)res, t - 3 * 86400, t, &mwh, NULL, NULL);
    }
    if (st.have_last) {
        (void)echonet_energy_add_nodata(&lg, st.last_unix + 10);
        (void)echonet_energy_add_reading(&lg, st.last_unix + 1800, st.last_counter + 100u, 0);
    }
    (void)echonet_energy_add_amount(&lg, st.amount_end, st.amount_end + 1800, 1000u);
}

static void try_load(const uint8_t *b, size_t n)
{
    memcpy(&before, &lg, sizeof lg);
    if (echonet_energy_load(&lg, b, n) != ECHONET_OK) {
        must(memcmp(&before, &lg, sizeof lg) == 0);
        return;
    }
    exercise();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint32_t c;

    (void)echonet_energy_init(&lg, 32400);
    try_load(data, size);
    if (size < 4 || size > sizeof buf)
        return 0;
    memcpy(buf, data, size);
    c = echonet_crc32(buf, size - 4);
    buf[size - 4] = (uint8_t)(c >> 24);
    buf[size - 3] = (uint8_t)(c >> 16);
    buf[size - 2] = (uint8_t)(c >> 8);
    buf[size - 1] = (uint8_t)c;
    try_load(buf, size);
    return 0;
}
