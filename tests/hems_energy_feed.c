/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Feeds hems-controller's energy file (examples/hems_energy.c) the way the
 * meter, PV and battery profiles will: hems_energy_reading(),
 * hems_energy_amount() and hems_energy_nodata(), around the half-hour
 * containing NOW; tests/test_energy_cli.py reads the file back with
 * `hems-controller energy`. Prints the status of each call that must be
 * refused; exits 1 when a call that must work fails.
 *
 * usage: hems-energy-feed FILE NOW
 *   "house" (whole house): readings at the 9 half-hour boundaries from
 *     8 half-hours before NOW's, wrapping at 1 000 000 Wh, the k-th
 *     half-hour getting 100 (k + 1) Wh; a no-data report in the 6th;
 *   "pv" (generation): 250, 500, 750 Wh in the 3rd to 5th, then the 4th
 *     again (refused);
 *   "battery" (charge): 2 kWh over the 2nd and 3rd. */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>

#include "hems_energy.h"

#define WRAP 1000000u

static struct hems_energy e;
static int bad;

static void must(int status, const char *what)
{
    if (status != 0) {
        fprintf(stderr, "hems-energy-feed: %s failed\n", what);
        bad = 1;
    }
}

int main(int argc, char **argv)
{
    long long now;
    time_t first;
    uint64_t wh = WRAP - 300u;
    int k;

    if (argc != 3) {
        fprintf(stderr, "usage: hems-energy-feed FILE NOW\n");
        return 2;
    }
    now = atoll(argv[2]);
    first = (time_t)((now + 32400) / 1800 * 1800 - 32400 - 8 * 1800);
    if (hems_energy_open(&e, argv[1], 32400, true) != 0)
        return 1;
    for (k = 0; k <= 8; k++) {
        if (k == 6)
            must(hems_energy_nodata(&e, "house", ECHONET_ENERGY_KIND_WHOLE_HOUSE, first + 5 * 1800 + 60), "nodata");
        must(hems_energy_reading(&e, "house", ECHONET_ENERGY_KIND_WHOLE_HOUSE, first + k * 1800, wh, WRAP),
             "reading");
        wh = (wh + 100u * (uint64_t)(k + 1)) % WRAP;
    }
    for (k = 2; k <= 4; k++)
        must(hems_energy_amount(&e, "pv", ECHONET_ENERGY_KIND_GENERATION, first + k * 1800, first + (k + 1) * 1800,
                                250000u * (uint64_t)(k - 1)),
             "amount");
    printf("repeated amount: %d\n",
           hems_energy_amount(&e, "pv", ECHONET_ENERGY_KIND_GENERATION, first + 3 * 1800, first + 4 * 1800, 500000u));
    must(hems_energy_amount(&e, "battery", ECHONET_ENERGY_KIND_BATTERY_CHARGE, first + 1800, first + 3 * 1800,
                            2000000u),
         "battery amount");
    must(hems_energy_flush(&e), "flush");
    return bad;
}
