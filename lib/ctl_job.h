/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the request job (AIF 2.4.1-2.4.4, capacity learning of 5.2): a
 * set of up to ECHONET_CTL_BATCH_MAX properties of one object, asked in
 * requests of at most min(max_props, the node's capacity), one in flight;
 * answers matched to what was asked; groups that fail split one by one;
 * timeouts retried with a new TID (ctl_job.c). The job knows nothing of why
 * it runs (discovery, polling, an operation): its caller reads the outcome. */
#ifndef ECHONET_LIB_CTL_JOB_H
#define ECHONET_LIB_CTL_JOB_H

#include "ctl_internal.h"

/* Which properties of a list a read asks, by the object's announce map
 * (AIF 5.4: the announced ones are re-read seldom, the others polled). */
typedef enum { CTL_READ_ALL = 0, CTL_READ_ANNOUNCED, CTL_READ_UNANNOUNCED } ctl_read_filter;

/* What a timeout did to the job (ctl_job_timeout()). */
typedef enum {
    CTL_JOB_AGAIN = 0, /* the properties are asked again (a new request, a new TID) */
    CTL_JOB_GAVE_UP,   /* a property alone got no answer to any attempt: it timed out */
    CTL_JOB_OFFLINE    /* ... and the node has timed out offline_after times in a row */
} ctl_job_timeout_result;

/* Starts a job of kind @p kind over the @p count properties at @p epcs (a
 * list of the library's or the operation's own, which outlives the job: the
 * job refers to it, it does not copy it), asking those whose bit is in
 * @p select. */
void ctl_job_start(echonet_ctl_node *n, ctl_job_kind kind, uint16_t object, const uint8_t *epcs, size_t count,
                   uint16_t select, uint8_t flags);

/* A read of @p epcs of object @p oi, filtered through its Get map, the
 * announce filter and (with @p use_skip) its skip list. False, and no job,
 * when nothing is left to ask. */
bool ctl_job_read(echonet_ctl *ctl, echonet_ctl_node *n, ctl_job_kind kind, uint16_t oi, const uint8_t *epcs,
                  size_t count, ctl_read_filter filter, bool use_skip);

/* The object the job asks (DEOJ): the node profile for the instance list
 * and the node profile's identification number. */
echonet_eoj ctl_job_deoj(echonet_ctl *ctl, const echonet_ctl_node *n);

/* Starts a request of the controller to @p deoj with @p esv in @p w, over
 * @p buf of @p cap bytes, with a new TID (AIF 2.4.3), which it returns.
 * Its properties go in by writer_prop_put(), its length is w->len: no
 * checks, no echonet_writer_finish(), as the controller's requests (a Get
 * or a SetC of one property or more, ECHONET_CTL_WRITE_MAX bytes at most)
 * always fit the buffer echonet_ctl_write() takes. */
uint16_t ctl_request_begin(echonet_ctl *ctl, echonet_writer *w, uint8_t *buf, size_t cap, echonet_eoj deoj,
                           uint8_t esv);

/* Writes the job's next request into @p buf (a new TID each time, AIF
 * 2.4.3), with the 0x93 = 0x42 prefix of a remote write (AIF 4.1) and, for
 * a write, the values of operation @p op; marks the node busy until
 * @p now + the response timer (AIF 2.4.1, 2.4.2). Returns the length;
 * @p cap is at least ECHONET_CTL_WRITE_MAX (echonet_ctl_write()). */
int32_t ctl_job_send(echonet_ctl *ctl, uint16_t ni, const echonet_ctl_op *op, uint8_t *buf, size_t cap, uint32_t now);

/* The index of the property in flight that an answer's @p epc is, not yet
 * in @p seen, or -1 (a property not asked for, or already answered). */
int ctl_job_match(const echonet_ctl_job *job, uint8_t epc, uint16_t seen);

/* The answer to the request in flight came; @p ok: the indices answered
 * well. Failures alone are the device's answer; in a group they are asked
 * again one by one, and a read's tail of failures shows the node's capacity
 * (@p capacity lowered, AIF 5.2). Returns true when nothing is pending. */
bool ctl_job_answered(echonet_ctl_job *job, uint16_t ok, uint8_t *capacity);

/* The request in flight got no answer within the response timer. @p timeouts
 * is the node's count of consecutive timeouts (raised when a property alone
 * used up its attempts); @p attempts and @p offline_after are the settings. */
ctl_job_timeout_result ctl_job_timeout(echonet_ctl_job *job, uint8_t *timeouts, uint8_t attempts,
                                       uint8_t offline_after);

#endif
