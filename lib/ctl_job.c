/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The request job: what goes in each request, and what an answer or its
 * absence means for the properties asked (AIF 2.4.1-2.4.4, 5.2; reference 11). */
#include <string.h>

#include "echonet/aircon.h"
#include "ctl_job.h"
#include "ctl_meter.h"
#include "ctl_op.h"
#include "ctl_state.h"
#include "noinline.h"
#include "writer_internal.h"

ECHONET_NOINLINE void ctl_job_start(echonet_ctl_node *n, ctl_job_kind kind, uint16_t object, const uint8_t *epcs,
                                    size_t count, uint16_t select, uint8_t flags)
{
    memset(&n->job, 0, sizeof n->job);
    n->job.kind = (uint8_t)kind;
    n->job.object = object;
    n->job.flags = flags;
    n->job.epc = epcs;
    n->job.n = (uint8_t)count;
    n->job.pending = select;
}

bool ctl_job_read(echonet_ctl *ctl, echonet_ctl_node *n, ctl_job_kind kind, uint16_t oi, const uint8_t *epcs,
                  size_t count, ctl_read_filter filter, bool use_skip)
{
    echonet_ctl_object *o = ctl_obj(ctl, oi);
    uint16_t select = 0;
    size_t k;

    for (k = 0; k < count; k++) {
        if (!echonet_propmap_contains(&o->get, epcs[k]))
            continue;
        if (use_skip && (o->skip[0] == epcs[k] || o->skip[1] == epcs[k]))
            continue;
        /* Announced or not, as the filter asks. */
        if (filter != CTL_READ_ALL &&
            ((o->announced & ctl_state_bit(epcs[k])) != 0) != (filter == CTL_READ_ANNOUNCED))
            continue;
        select |= ctl_bit((unsigned)k);
    }
    if (select == 0)
        return false;
    ctl_job_start(n, kind, oi, epcs, count, select, 0);
    return true;
}

echonet_eoj ctl_job_deoj(echonet_ctl *ctl, const echonet_ctl_node *n)
{
    return n->job.kind == J_INSTANCES || n->job.kind == J_NPID ? ECHONET_EOJ_NODE_PROFILE
                                                                 : ctl_obj(ctl, n->job.object)->eoj;
}

uint16_t ctl_request_begin(echonet_ctl *ctl, echonet_writer *w, uint8_t *buf, size_t cap, echonet_eoj deoj,
                           uint8_t esv)
{
    uint16_t tid = ctl->tid++;

    writer_begin(w, buf, cap, tid, ctl->cfg.self, deoj, esv);
    return tid;
}

int32_t ctl_job_send(echonet_ctl *ctl, uint16_t ni, const echonet_ctl_op *op, uint8_t *buf, size_t cap, uint32_t now)
{
    echonet_ctl_node *n = ctl_node(ctl, ni);
    echonet_ctl_job *job = &n->job;
    bool write = (job->flags & JF_WRITE) != 0, prefix = (job->flags & JF_PREFIX) != 0;
    unsigned k, size = ctl->cfg.max_props, taken = 0;
    echonet_writer w;

    if (n->capacity < size)
        size = n->capacity;
    if ((job->flags & JF_SINGLE) || (job->pending & (ctl_bit(job->split) - 1u)))
        size = 1;
    /* The 0x93 prefix counts in what the device must process (AIF 4.1). */
    if (prefix && size > 1)
        size--;
    n->esv = write ? ECHONET_ESV_SETC : ECHONET_ESV_GET;
    n->tid = ctl_request_begin(ctl, &w, buf, cap, ctl_job_deoj(ctl, n), n->esv);
    job->inflight = 0;
    if (prefix) {
        static const uint8_t remote = ECHONET_REMOTE_PUBLIC;

        writer_prop_put(&w, ECHONET_EPC_REMOTE_CONTROL, 1, &remote);
    }
    for (k = 0; k < job->n && taken < size; k++) {
        if (!(job->pending & ctl_bit(k)))
            continue;
        if (write) {
            size_t vlen;
            const uint8_t *v;

            if (job->kind == J_HISTORY_DAY) {
                v = ctl_meter_day(ctl_obj(ctl, job->object)); /* (the meter's own write, no operation) */
                vlen = 1;
            } else {
                v = ctl_op_value(op, job->epc[k], &vlen);
            }

            writer_prop_put(&w, job->epc[k], vlen, v);
        } else {
            writer_prop_put(&w, job->epc[k], 0, NULL);
        }
        job->inflight |= ctl_bit(k);
        taken++;
    }
    n->busy = true;
    n->deadline = now + ctl->cfg.response_timeout_ms;
    ctl_heap_update(ctl, ni);
    return (int32_t)w.len;
}

int ctl_job_match(const echonet_ctl_job *job, uint8_t epc, uint16_t seen)
{
    unsigned k;

    for (k = 0; k < job->n; k++)
        if ((job->inflight & ctl_bit(k)) && !(seen & ctl_bit(k)) && job->epc[k] == epc)
            return (int)k;
    return -1;
}

bool ctl_job_answered(echonet_ctl_job *job, uint16_t ok, uint8_t *capacity)
{
    bool write = (job->flags & JF_WRITE) != 0;
    uint16_t failed = (uint16_t)(job->inflight & ~ok);
    unsigned k, leading = 0;

    job->pending &= (uint16_t)~ok;
    job->attempt = 0;
    if (failed && ctl_popcount16(job->inflight) == 1) {
        /* Alone and refused: that is the device's answer. */
        job->failed |= failed;
        job->pending &= (uint16_t)~failed;
    } else if (failed) {
        /* Refused or unprocessed in a group: ask again one by one. When
         * the failures are a tail after processed ones, the device's
         * capacity shows: learn it (AIF 5.2, reference 11). */
        bool tail = true, after = false;
        uint16_t unsure = 0, refused = 0;

        for (k = 0; k < job->n; k++) {
            if (!(job->inflight & ctl_bit(k)))
                continue;
            if (failed & ctl_bit(k)) {
                after = true;
                unsure |= ctl_bit(k);
                continue;
            }
            if (after)
                tail = false;
            else
                leading++;
            refused |= unsure; /* failed before one processed after it */
            unsure = 0;
        }
        /* Only a read shows it: a write's refused property looks the
         * same as an unprocessed one (value echoed), and refusals of a
         * value are common (AIF 2.4.5), so a write's failures are asked
         * again one by one instead; but only those after the last one
         * processed, which may have been left unprocessed: one before
         * it was refused (a device processes in order), and re-sent
         * alone it would land after properties that come later in the
         * order of AIF 5.1 ⑦ (issue 13). */
        if (write) {
            job->failed |= refused;
            job->pending &= (uint16_t)~refused;
            if (unsure)
                job->flags |= JF_SINGLE;
        } else if (tail && leading > 0) {
            if (leading < *capacity)
                *capacity = (uint8_t)leading;
        } else {
            job->flags |= JF_SINGLE;
        }
    }
    return job->pending == 0;
}

ctl_job_timeout_result ctl_job_timeout(echonet_ctl_job *job, uint8_t *timeouts, uint8_t attempts,
                                       uint8_t offline_after)
{
    /* The step ended; a re-issue is a new request with a new TID (AIF 2.4.3).
     * A group without answer is asked again one by one (reference 11: some
     * units time out on one property), whatever the attempts: only single
     * requests use them up (with attempts 1 a group's properties all timed
     * out with it). */
    if (ctl_popcount16(job->inflight) > 1) {
        /* A lost datagram is far likelier than a unit that cannot answer
         * the group: the group is asked again as it was, and only after
         * all its attempts one property at a time (issue 13: under 30 %
         * loss, splitting at the first loss made a unit usable after
         * minutes). A timeout tells nothing of the node's capacity. */
        if (++job->attempt >= attempts) {
            unsigned k;

            /* Only this group, not the rest of the job (issue 13). */
            for (k = 0; k < job->n; k++)
                if (job->inflight & ctl_bit(k))
                    job->split = (uint8_t)(k + 1u);
            job->attempt = 0;
        }
        job->inflight = 0;
        return CTL_JOB_AGAIN;
    }
    if (++job->attempt < attempts) {
        job->inflight = 0;
        return CTL_JOB_AGAIN;
    }
    /* Only what got no answer to any of its attempts counts toward
     * offline: counting each attempt made a unit that times out on one
     * property (reference 11) offline, found again, offline... though
     * it answers everything else. */
    if (++*timeouts >= offline_after)
        return CTL_JOB_OFFLINE;
    job->timedout |= job->inflight;
    job->pending &= (uint16_t)~job->inflight;
    job->attempt = 0;
    return CTL_JOB_GAVE_UP;
}
