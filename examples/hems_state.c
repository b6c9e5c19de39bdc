/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The state file of hems-controller; see hems_state.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_state.h"
#include "posix_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Room for "FILE.bad" or "FILE.tmpXXXXXX". */
#define PATH_CAP 4096

static void report(const char *what, const char *path, const char *detail)
{
    fprintf(stderr, "hems-controller: %s %s: %s\n", what, path, detail);
}

static enum hems_state_result move_aside(const char *path, const char *why)
{
    char bad[PATH_CAP];

    if (snprintf(bad, sizeof bad, "%s.bad", path) >= (int)sizeof bad || rename(path, bad) != 0) {
        report("cannot load the state file", path, why);
        report("and cannot move it aside either:", path, strerror(errno));
        return HEMS_STATE_ERROR;
    }
    fprintf(stderr, "hems-controller: the state file %s cannot be loaded (%s); moved to %s, starting afresh\n",
            path, why, bad);
    return HEMS_STATE_MOVED;
}

/* An error code as text, also when the library has no error strings. */
static const char *err_text(echonet_err err, char *buf, size_t cap)
{
    const char *name = echonet_err_name(err);

    snprintf(buf, cap, "%s (%d)", name[0] != '\0' ? name : "error", (int)err);
    return buf;
}

enum hems_state_result hems_state_load(struct hems_state_file *f, echonet_ctl *ctl, echonet_tstamp now)
{
    const char *path = f->path;
    size_t cap = sizeof f->saved;
    long n = posix_read_file(path, f->saved, cap);
    char why[128];
    echonet_err err;

    f->saved_len = 0;
    if (n < 0 && errno == ENOENT)
        return HEMS_STATE_ABSENT;
    if (n < 0) {
        report("cannot read the state file", path, strerror(errno));
        return HEMS_STATE_ERROR;
    }
    if ((size_t)n > cap) {
        snprintf(why, sizeof why, "longer than %lu bytes", (unsigned long)cap);
        return move_aside(path, why);
    }
    err = echonet_ctl_restore(ctl, f->saved, (size_t)n, now);
    if (err != ECHONET_OK)
        return move_aside(path, err_text(err, why, sizeof why));
    f->saved_len = (size_t)n;
    return HEMS_STATE_LOADED;
}

/* Replaces path atomically with len bytes (see hems_state.h). */
static int write_atomically(const char *path, const uint8_t *buf, size_t len)
{
    if (posix_replace_file(path, buf, len) != 0) {
        report("cannot save the state file", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Writes the snapshot when it differs from what the file holds. */
static int save(struct hems_state_file *f, const echonet_ctl *ctl)
{
    size_t len = 0;
    char why[128];
    echonet_err err = echonet_ctl_save(ctl, f->snapshot, sizeof f->snapshot, &len);

    if (err != ECHONET_OK) {
        report("cannot save the state file", f->path, err_text(err, why, sizeof why));
        return -1;
    }
    if (len == f->saved_len && memcmp(f->snapshot, f->saved, len) == 0)
        return 0;
    if (write_atomically(f->path, f->snapshot, len) != 0)
        return -1;
    memcpy(f->saved, f->snapshot, len);
    f->saved_len = len;
    return 0;
}

int hems_state_tick(struct hems_state_file *f, const echonet_ctl *ctl, echonet_tstamp now, bool at_exit)
{
    if (!f->path || (!f->found && f->unsaved == 0))
        return 0;
    if (!at_exit && (f->unsaved < HEMS_STATE_MAX_UNSAVED || f->failed_at != 0) && now < hems_state_due(f))
        return 0;
    if (save(f, ctl) != 0) {
        /* Kept unsaved (a restart must skip them all), tried again later. */
        if (f->failed_at == 0 && f->unsaved >= HEMS_STATE_BLOCK_UNSAVED)
            fprintf(stderr, "hems-controller: no request is sent until %s can be saved (a restart would "
                            "send their TIDs again)\n", f->path);
        f->failed_at = now != 0 ? now : 1;
        return -1;
    }
    f->found = false;
    f->unsaved = 0;
    f->failed_at = 0;
    f->written_at = now;
    return 0;
}

echonet_tstamp hems_state_due(const struct hems_state_file *f)
{
    if (!f->path || (!f->found && f->unsaved == 0))
        return ECHONET_TSTAMP_NEVER;
    if (f->failed_at != 0)
        return echonet_tstamp_add(f->failed_at, HEMS_STATE_RETRY_MS);
    return echonet_tstamp_add(f->written_at, f->found ? HEMS_STATE_SOON_MS : HEMS_STATE_LATER_MS);
}

bool hems_state_blocked(const struct hems_state_file *f)
{
    return f->path && f->unsaved >= HEMS_STATE_BLOCK_UNSAVED;
}
