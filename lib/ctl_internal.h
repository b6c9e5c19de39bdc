/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the controller's address index and deadline heap, kept apart so
 * that the cost of a frame or a deadline does not grow with the nodes. */
#ifndef ECHONET_LIB_CTL_INTERNAL_H
#define ECHONET_LIB_CTL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/controller.h"

#define NONE ECHONET_CTL_NONE

/* The controller's private types, shared by its parts (one file each:
 * controller.c orchestrates; ctl_sched, ctl_nodes, ctl_discovery, ctl_job,
 * ctl_op, ctl_fault, ctl_probe, ctl_keepalive, ctl_poll, ctl_energy,
 * ctl_state, ctl_event, ctl_snapshot, and the index, heap and clock below).
 * Each part's entry points are in its own header. */

/* A job holds ECHONET_CTL_BATCH_MAX properties, and the status read of AIF
 * 3.3.1 (7 properties), the attributes (4) and the probe's saved settings
 * (3) are each one job: smaller batches would overflow the job's arrays or
 * silently drop properties. */
#if ECHONET_CTL_BATCH_MAX < 7
#error "the controller needs ECHONET_CTL_BATCH_MAX of at least 7"
#endif

/* Node-profile properties the controller asks for: the instance list a
 * node announces (0xD5) and the one it answers (0xD6, AIF 3.1.2). */
#define CTL_EPC_INSTANCES_ANNOUNCED 0xD5u
#define CTL_EPC_INSTANCES 0xD6u

/* Node states (echonet_ctl_node.state). N_ALIAS: a second address of a
 * unit known as another node (its op field names that node). */
typedef enum { N_FREE = 0, N_ACTIVE, N_OFFLINE, N_ALIAS } ctl_node_state;

/* Node work bits (echonet_ctl_node.work). NW_LISTED: an instance list
 * notification (0xD5) came from the node while the multicast search could
 * be answered; its answer may be older than that list. NW_ALIAS_HEARD: the
 * unit was heard at an alias's address since it was last heard at the
 * node's own. NW_AFTER_SEARCH: added while the multicast search could be
 * answered, asked itself when it can no longer be. NW_LOST: offline and
 * never ready (may be forgotten). */
enum { NW_INSTANCES = 0x01, NW_PROBE = 0x02, NW_KEEPALIVE = 0x04, NW_LOST = 0x08, NW_AFTER_SEARCH = 0x10,
       NW_LISTED = 0x20, NW_ALIAS_HEARD = 0x40 };
/* The bits of a node's work that are facts about it, not work to do: a
 * node with only these has nothing to send (ctl_schedule()). */
#define NW_FACTS (NW_AFTER_SEARCH | NW_LISTED | NW_ALIAS_HEARD)

/* Object work bits (echonet_ctl_object.work). */
enum { OW_ATTR = 0x01, OW_ID = 0x02, OW_NPID = 0x04, OW_STATE = 0x08, OW_FAULT = 0x10, OW_READY = 0x20,
       OW_ID_AGAIN = 0x40, OW_ATTR_AGAIN = 0x80 };

/* What a node's job is for (echonet_ctl_job.kind). */
typedef enum { J_NONE = 0, J_INSTANCES, J_ATTR, J_ID, J_NPID, J_STATE, J_POLL, J_REREAD, J_FAULT, J_OP, J_ENERGY,
               J_FIXED, J_HISTORY_DAY, J_HISTORY, J_KINDS } ctl_job_kind;
/* Job flags (echonet_ctl_job.flags). */
enum { JF_WRITE = 0x01, JF_SINGLE = 0x02, JF_PREFIX = 0x04, JF_PREFIX_REFUSED = 0x08 };

/* Operation kinds (echonet_ctl_op.kind) and the phases of a get, set or
 * fault read-out (the probe's are its own, ctl_probe.c). */
typedef enum { OP_FREE = 0, OP_GET, OP_SET, OP_PROBE, OP_FAULT } ctl_op_kind;
typedef enum { PH_MAIN = 0, PH_VERIFY, PH_CODES } ctl_op_phase;
/* Operation flags (echonet_ctl_op.flags). */
/* OF_REMOTE: a write from outside the home (echonet_ctl_set_ex()). */
enum { OF_PREFIX_REFUSED = 0x01, OF_LOCAL = 0x02, OF_GONE = 0x04, OF_REMOVED = 0x08, OF_REMOTE = 0x10 };

static inline unsigned ctl_popcount16(uint16_t v)
{
    unsigned n = 0;

    for (; v; v = (uint16_t)(v & (v - 1u)))
        n++;
    return n;
}

/* Bit i of a 16-bit mask. */
static inline uint16_t ctl_bit(unsigned i)
{
    return (uint16_t)(1u << i);
}

/* All @p count properties of a list. */
static inline uint16_t ctl_all_of(size_t count)
{
    return (uint16_t)(ctl_bit((unsigned)count) - 1u);
}

static inline echonet_ctl_node *ctl_node(echonet_ctl *ctl, uint16_t i)
{
    return &ctl->st.nodes[i];
}

static inline echonet_ctl_object *ctl_obj(echonet_ctl *ctl, uint16_t i)
{
    return &ctl->st.objects[i];
}

static inline echonet_ctl_op *ctl_op(echonet_ctl *ctl, uint16_t i)
{
    return &ctl->st.ops[i];
}

/* Whether @p esv answers a request of the controller, @p request (a Get or
 * a SetC): its success response is the request + 0x10, its SNA the request
 * - 0x10 (reference 3.1). */
static inline bool ctl_esv_answers(uint8_t esv, uint8_t request)
{
    return esv == request + 0x10u || esv == request - 0x10u;
}

/* Address → node index: open addressing over st.index (a power of two,
 * at least twice the nodes), FNV-1a of the address bytes. */
void ctl_index_clear(echonet_ctl *ctl);
uint16_t ctl_index_find(const echonet_ctl *ctl, const echonet_addr *addr);
void ctl_index_insert(echonet_ctl *ctl, uint16_t node);
void ctl_index_remove(echonet_ctl *ctl, uint16_t node);

/* Nodes by deadline: a binary min-heap of node indices in st.heap; each
 * node knows its position (NONE when not in the heap). */
void ctl_heap_update(echonet_ctl *ctl, uint16_t node);
void ctl_heap_remove(echonet_ctl *ctl, uint16_t node);
uint16_t ctl_heap_top(const echonet_ctl *ctl);

/* The controller's clock: milliseconds after ctl->epoch in 32 bits, so that
 * each node's deadline and each object's timers take 4 bytes, not 8.
 * CLOCK_NEVER: no time. Every interval is at most CLOCK_SPAN (config_ok), and
 * the clock restarts before it passes CLOCK_SPAN, so now + interval never
 * reaches CLOCK_NEVER. */
#define CLOCK_NEVER 0xFFFFFFFFu
#define CLOCK_SPAN ECHONET_CTL_MAX_INTERVAL

/* Takes in the application's time (a time before the latest counts as the
 * latest) and returns the clock; restarts it past CLOCK_SPAN (controller.c). */
uint32_t ctl_clock(echonet_ctl *ctl, echonet_tstamp now);

/* Whether timer @p t (CLOCK_NEVER: none) is due at @p now. */
static inline bool ctl_timer_due(uint32_t t, uint32_t now)
{
    return t != CLOCK_NEVER && t <= now;
}




#endif
