/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* LD_PRELOAD shim for the black-box tests (tests/test_hems_controller.py):
 * the wall clock (CLOCK_REALTIME, time()) of the program it is loaded into
 * stands still at one instant, so two runs see the same wall clock. Two
 * runs of hems-controller must still not send the same TIDs (AIF 2.4.3):
 * a first TID derived from the wall clock would make them equal. The
 * monotonic clock is left alone (the program's timers need it). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <time.h>

#define FROZEN_SEC 1767225600 /* 2026-01-01 00:00:00 UTC */
#define FROZEN_NSEC 250000000L

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int (*real)(clockid_t, struct timespec *);
    void *sym;

    if (id == CLOCK_REALTIME) {
        ts->tv_sec = FROZEN_SEC;
        ts->tv_nsec = FROZEN_NSEC;
        return 0;
    }
    sym = dlsym(RTLD_NEXT, "clock_gettime");
    if (!sym)
        return -1;
    *(void **)&real = sym;
    return real(id, ts);
}

time_t time(time_t *t)
{
    if (t)
        *t = FROZEN_SEC;
    return FROZEN_SEC;
}
