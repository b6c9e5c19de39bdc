/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * Instructions of echonet_energy_add() per sample, counted by callgrind
 * (deterministic), for the cost to be shown constant (issue 7):
 *
 *   valgrind --tool=callgrind --collect-atstart=no ./energy_cost MODE
 *
 * MODE fresh:   1000 samples 30 min apart into an empty log;
 *      history: the same 1000 after 400 days of samples (the rings full);
 *      split:   1000 samples 23 h 59 min apart (each spread over 25 hours,
 *               the most a sample may touch);
 *      gap:     1000 samples 3 days apart (not spread).
 * Only the 1000 calls are counted (CALLGRIND_TOGGLE_COLLECT around them).
 */
#include <stdio.h>
#include <string.h>

#include <valgrind/callgrind.h>

#include <echonet/energy.h>

#define COUNTED 1000

static echonet_energy_log lg;

int main(int argc, char **argv)
{
    echonet_energy_sample s;
    int64_t t = 1700000000, step = 1800;
    uint32_t wh = 0;
    long i;

    if (argc != 2)
        return 2;
    if (strcmp(argv[1], "split") == 0)
        step = 86340;
    else if (strcmp(argv[1], "gap") == 0)
        step = 3 * 86400;
    else if (strcmp(argv[1], "fresh") != 0 && strcmp(argv[1], "history") != 0)
        return 2;
    memset(&s, 0, sizeof s);
    s.has_counter = true;
    (void)echonet_energy_init(&lg, 32400);
    if (strcmp(argv[1], "history") == 0)
        for (i = 0; i < 400L * 48; i++, t += 1800) {
            s.unix_s = t;
            s.counter_wh = wh += 300;
            (void)echonet_energy_add(&lg, &s);
        }
    for (i = 0; i < COUNTED; i++, t += step) {
        s.unix_s = t;
        s.counter_wh = wh = (wh + 300u) % (ECHONET_ENERGY_COUNTER_MAX + 1u);
        CALLGRIND_TOGGLE_COLLECT;
        (void)echonet_energy_add(&lg, &s);
        CALLGRIND_TOGGLE_COLLECT;
    }
    printf("%llu\n", (unsigned long long)lg.total_mwh);
    return 0;
}
