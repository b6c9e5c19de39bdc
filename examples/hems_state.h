/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_state: the state file of hems-controller (--state FILE), holding the
 * controller's snapshot (echonet_ctl_save(), echonet_ctl_restore()).
 *
 * Writing is atomic: the bytes go to a temporary file in the same
 * directory, which is fsync'ed and renamed over FILE, and the directory is
 * fsync'ed; a crash leaves the old file or the new one, never a mix.
 *
 * Loading never destroys anything: a file the controller refuses (damaged,
 * truncated, of another version, or larger than the storage) is reported on
 * standard error and renamed FILE.bad, so that the next save does not
 * overwrite what someone may want to look at.
 */
#ifndef EXAMPLES_HEMS_STATE_H
#define EXAMPLES_HEMS_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

/* More than a snapshot of the largest storage hems-controller has. */
#define HEMS_STATE_CAP 65536u

/* When the file is written (hems_state_tick()). Every request the
 * controller sends moves the next TID, which the snapshot holds, so saving
 * on every change would write the file (two fsyncs) per request: flash
 * wear on a gateway, and a write per datagram under a flood of spoofed
 * announcements. Instead:
 *  - an air conditioner found or ready: within HEMS_STATE_SOON_MS of the
 *    last write (at most one write per 5 s, whatever arrives);
 *  - requests only: once HEMS_STATE_LATER_MS have passed since the last
 *    write, or at once when HEMS_STATE_MAX_UNSAVED requests are unsaved;
 *  - at exit.
 * After a crash the restored controller starts ECHONET_CTL_RESTORE_TID_SKIP
 * (1024) TIDs past the saved one (echonet_ctl_restore()); fewer than
 * HEMS_STATE_MAX_UNSAVED requests can have gone out since, as drain() saves
 * when that many are unsaved, so no TID is reused. */
#define HEMS_STATE_SOON_MS 5000u
#define HEMS_STATE_LATER_MS 60000u
#define HEMS_STATE_MAX_UNSAVED 256u
/* A save that failed (a full disk, a read-only directory) is tried again
 * HEMS_STATE_RETRY_MS later; meanwhile the requests stay counted, and at
 * HEMS_STATE_BLOCK_UNSAVED unsaved ones hems-controller sends no more
 * until a save succeeds (hems_state_blocked()): past
 * ECHONET_CTL_RESTORE_TID_SKIP unsaved requests a restart would send TIDs
 * again (AIF 2.4.3). Right after a restore the file is written at once,
 * so that the TID the restored controller starts from is what the next
 * restore skips from (two crashes in a row do not start from the same). */
#define HEMS_STATE_RETRY_MS 5000u
#define HEMS_STATE_BLOCK_UNSAVED 768u

/* A state file and what it holds. */
struct hems_state_file {
    const char *path;
    size_t saved_len;                /* bytes in saved[] (0: nothing known) */
    uint8_t saved[HEMS_STATE_CAP];   /* the file's contents, as last read or written */
    uint8_t snapshot[HEMS_STATE_CAP]; /* scratch for the next save */
    bool found;                      /* an air conditioner found or ready since the last write */
    unsigned unsaved;                /* requests sent since the last write */
    echonet_tstamp written_at;       /* time of the last write (or of loading) */
    echonet_tstamp failed_at;        /* time of the last failed write, 0 after a good one */
};

/* What hems_state_load() found. */
enum hems_state_result {
    HEMS_STATE_LOADED,  /* restored into the controller */
    HEMS_STATE_ABSENT,  /* no file: nothing to restore */
    HEMS_STATE_MOVED,   /* refused, reported and moved to FILE.bad */
    HEMS_STATE_ERROR    /* could not be read or moved (reported) */
};

/* Loads f->path into a controller that knows no node yet. */
enum hems_state_result hems_state_load(struct hems_state_file *f, echonet_ctl *ctl, echonet_tstamp now);

/* Writes the controller's snapshot to f->path, when it differs from what
 * the file holds, if the rules above say so, or whenever something is
 * unsaved when @p at_exit. Returns 0, or -1 (reported on standard error). */
int hems_state_tick(struct hems_state_file *f, const echonet_ctl *ctl, echonet_tstamp now, bool at_exit);

/* The time hems_state_tick() next has something to write, or
 * ECHONET_TSTAMP_NEVER. */
echonet_tstamp hems_state_due(const struct hems_state_file *f);

/* Whether no request may be sent now: HEMS_STATE_BLOCK_UNSAVED requests
 * unsaved (the saves failing). */
bool hems_state_blocked(const struct hems_state_file *f);

#endif /* EXAMPLES_HEMS_STATE_H */
