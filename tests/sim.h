/* A deterministic simulation of a HEMS controller and air conditioners.
 *
 * One echonet_ctl and up to SIM_MAX_DEVS simulated nodes, each built from
 * the library's own device side (echonet_node + echonet_aircon objects),
 * wired through a simulated network: a priority queue of datagrams with
 * delivery times, per-link loss, duplication, reordering (jitter), late
 * answers (beyond the controller's response timer) and spoofed copies.
 * Time jumps from event to event (the next delivery, the controller's and
 * the nodes' expiries); nothing reads a clock; one seeded PRNG decides every
 * random thing, so a seed replays a run exactly.
 *
 * The harness checks the controller's invariants as events happen (Check
 * assertions, so a violation fails the running test with the time and the
 * node):
 *  - at most one unicast request in flight per node: a request is in flight
 *    from its sending until its answer reaches the controller or the
 *    configured response timer has run out (AIF 2.4.1, 2.4.2); a node
 *    reachable at two addresses is one node, except for identification
 *    requests (instance list, attributes, 0x83) before the controller can
 *    know that the two are one (issue 13);
 *  - no multicast search while the one before can still be answered (AIF
 *    2.4.1, 2.4.2: a search is a request to every node; issue 13);
 *  - no TID twice within any window of 65535 requests (AIF 2.4.3);
 *  - every frame decodes; requests are only Get (PDC 0) and SetC; the node
 *    profile or a device object of the node is addressed;
 *  - every value written is within the class table (for_set: the AIF's for
 *    an air conditioner, the generated one for a unit of another class,
 *    sim_dev_setup::cls), except 0x93 which is 0x42 (first, remote mode
 *    only) or 0x62 (a keepalive, alone) (AIF 2.4.5, 4.1, 3.5); 0x93 is
 *    never written to a unit of another class (the AIF's remote rules are
 *    the air conditioner's, issue 14);
 *  - write order 0x93, 0x80, 0xB0, 0xB3, the rest (AIF 5.1 ⑦) to an air
 *    conditioner;
 *  - at most cfg.max_props properties per request (plus the 0x93 prefix
 *    when max_props is 1);
 *  - every operation started through sim_get/sim_set/sim_probe/
 *    sim_read_fault ends exactly once, on the right node and object, and no
 *    DONE comes for one not running (sim_check_ops_done() at the end);
 *  - only objects the node has are addressed;
 *  - expiry after a drained write is in the future (no livelock);
 *  - keepalives, device side: the gap between two 0x93 = 0x62 writes a unit
 *    accepts stays within the configured interval (at most 8 h) while the
 *    line is up (strong, for runs without loss); controller side: an attempt
 *    at least every interval and a retry within keepalive_retry after a
 *    failure, plus one response timer per object of the node (weak, for
 *    lossy runs);
 *  - 20-hour stops of the units are counted (sim_dev::stops);
 *  - no request to an object removed from its node's instance list once
 *    the controller has received a list without it, an announcement or
 *    the answer to its request in flight (AIF 3.1.1,
 *    sim_remove_instance()); an older list that overtook it on the way
 *    and still names the object makes it known again.
 * sim_check_converged() compares the cache with the units' state.
 *
 * Debugging: SIM_TRACE=1 prints every datagram, event and action to stderr.
 * (The checks use ck_abort_msg() only on failure: Check's ck_assert*() write
 * a record per passing assertion, far too slow for a soak.)
 */
#ifndef ECHONET_TESTS_SIM_H
#define ECHONET_TESTS_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/echonet.h"

#define SIM_MAX_DEVS 320 /* topo_hundreds_of_nodes */
#define SIM_MAX_OBJS 4
#define SIM_MAX_OPS 8192
#define SIM_LOG 8192
#define SIM_FRAME_MAX 120

/* A link between the controller and one node (both directions). Chances
 * are in parts per thousand. */
typedef struct sim_link {
    uint16_t loss;      /* each datagram is lost */
    uint16_t dup;       /* each datagram arrives twice */
    uint32_t delay_ms;  /* one-way delay */
    uint32_t jitter_ms; /* plus 0..jitter_ms (reorders) */
    uint16_t late;      /* an answer of the node is late by late_ms more */
    uint32_t late_ms;
    uint16_t spoof; /* an answer is copied: from another node's address, or with a stale TID */
} sim_link;

/* What makes a simulated unit quirky. */
typedef struct sim_quirks {
    bool no_announce;         /* its INFs never leave it (announce maps lie) */
    uint32_t answer_delay_ms; /* added to every answer */
    unsigned late_next;       /* the next answers (this many) are late by late_next_ms */
    uint32_t late_next_ms;
    /* 0xB3 settable range in b3_mode (0: every mode): outside it SetC_SNA,
     * or with b3_substitute Set_Res and the nearest settable value stored. */
    uint8_t b3_lo, b3_hi, b3_mode;
    bool b3_substitute;
    echonet_propmap refuse; /* writes to these are refused (SetC_SNA) */
    echonet_propmap silent; /* a request naming one of these gets no answer */
    /* Issue 13: its answers to searches (a Get 0xD6 to the node profile, or
     * a request to instance 0x00) are late by search_late_min_ms to
     * search_late_max_ms (sim_late_searches()). */
    uint32_t search_late_min_ms, search_late_max_ms;
    bool refuse_while_off;  /* while 0x80 is OFF, writes other than 0x80 and 0x93 are refused (AIF 3.3) */
} sim_quirks;

/* How a node is built. */
typedef struct sim_dev_setup {
    unsigned n_obj;      /* objects, 1 to SIM_MAX_OBJS (0: 1) */
    const uint8_t *keep; /* optional properties kept (NULL: 0x83 0x86 0x89 0x93) */
    size_t n_keep;
    bool no_keep;     /* keep no optional property at all */
    uint8_t max_opc;  /* processes at most this many properties (0: all) */
    bool no_announce; /* its INFs never leave it, not even the start-up 0xD5 */
    /* Their class (0: the air conditioner 0x0130). Another class (a mixed
     * house, issue 14) makes objects from the generated class table with
     * its mandatory properties (and 0x83) in a value store, with the
     * first valid value of each; 0x80 and 0x88 as a unit would have. */
    uint16_t cls;
} sim_dev_setup;

typedef struct sim sim;

/* Per-object context of the wrapped aircon accessors. */
typedef struct sim_ctx {
    sim *s;
    unsigned dev, obj;
} sim_ctx;

/* The values of an object of another class than the air conditioner. */
#define SIM_STORE_BYTES 1024
#define SIM_STORE_PROPS 48
typedef struct sim_store {
    uint8_t n;
    uint8_t epc[SIM_STORE_PROPS];
    uint8_t len[SIM_STORE_PROPS]; /* 0: no valid value found: not readable */
    uint16_t off[SIM_STORE_PROPS];
    uint16_t used;
    uint8_t bytes[SIM_STORE_BYTES];
} sim_store;

typedef struct sim_dev {
    echonet_addr addr;
    uint16_t cls;          /* its objects' class (sim_dev_setup::cls) */
    sim_store *store;      /* for another class: SIM_MAX_OBJS stores */
    echonet_node node;
    echonet_object *slots[SIM_MAX_OBJS + 1];
    echonet_object obj[SIM_MAX_OBJS];
    echonet_aircon ac[SIM_MAX_OBJS];
    sim_ctx ctx[SIM_MAX_OBJS];
    echonet_node_request *queue; /* 8 slots, outside the struct: sim_init() clears the struct, and
                                  * a slot is ECHONET_NODE_REQUEST_MAX bytes (65547 at most) */
    unsigned n_obj;
    sim_link link;
    sim_quirks q;
    bool down;             /* unreachable: everything to and from it is lost */
    echonet_tstamp expiry; /* echonet_node_expiry(), as of its last activity */
    /* Device-side record, per object. */
    echonet_tstamp ka_last[SIM_MAX_OBJS]; /* last accepted 0x93 = 0x62, NEVER before the first */
    echonet_tstamp ka_max_gap[SIM_MAX_OBJS];
    unsigned ka_count[SIM_MAX_OBJS];
    unsigned stops[SIM_MAX_OBJS]; /* 20-hour stops */
    unsigned requests;            /* requests it received */
    /* Issue 13: a second address (sim_second_addr()), e.g. an IPv6 global
     * one beside the link-local one its multicasts come from. It answers
     * from the address it was asked at. */
    echonet_addr addr2;
    bool two_addrs;
    bool moved;            /* its address became addr2 (DHCP): it sends and is reached there only */
    unsigned readdressed;  /* times sim_readdress() gave it a new address */
    bool asked_via2;       /* the request being answered came to addr2 */
    bool answering_search; /* the request being answered is a search */
    /* Issue 13 quirks (sim_remove_instance(), sim_loss_burst()). */
    uint8_t removed;                          /* objects taken out of its instance list */
    echonet_tstamp removed_told[SIM_MAX_OBJS]; /* when the controller got a list without it, NEVER before */
    echonet_tstamp burst_until;               /* everything to and from it is lost until then */
} sim_dev;

/* One operation started through the harness. */
typedef struct sim_op {
    uint16_t handle;
    uint16_t node;
    echonet_eoj eoj;
    unsigned dev, obj;
    unsigned done; /* DONE events seen (must end at 1) */
    echonet_ctl_outcome outcome;
    echonet_propmap props;
    int8_t probe_low, probe_high;
    echonet_tstamp started, ended;
} sim_op;

/* A frame the controller sent. */
typedef struct sim_sent {
    echonet_tstamp at;
    int dev; /* destination node, -1 multicast, -2 an address no node has */
    uint16_t len;
    uint8_t buf[SIM_FRAME_MAX];
} sim_sent;

/* Controller-side keepalive record, per node and object. */
typedef struct sim_ka {
    echonet_tstamp last_attempt; /* NEVER: not tracking */
    echonet_tstamp retry_by;     /* NEVER: no failure pending */
    echonet_tstamp max_gap;
    unsigned attempts, failures;
} sim_ka;

typedef struct sim_setup {
    uint64_t seed;
    echonet_tstamp start;               /* the clock at the beginning */
    echonet_ctl_config cfg;             /* fill from echonet_ctl_config_default() */
    uint16_t n_nodes, n_objects, n_ops; /* controller storage (0: 128, 512, 64) */
    bool line_up;                       /* echonet_ctl_set_line(up) at the start */
    bool no_energy;                     /* no echonet_ctl_read_energy() (it is called by default) */
} sim_setup;

struct sim {
    uint64_t rng;
    echonet_tstamp now;
    echonet_tstamp t0; /* the clock at the beginning: 2026-12-01 10:13:00 on the meters' calendar */
    echonet_ctl ctl;
    echonet_ctl_config cfg;
    echonet_ctl_storage st;
    echonet_addr ctl_addr, foreign;
    sim_dev devs[SIM_MAX_DEVS];
    unsigned n_devs;
    sim_link link_default;
    bool line_up;
    bool no_energy;
    echonet_tstamp line_up_since;
    /* Invariant options. */
    bool strong_keepalive;   /* device-side gap <= 8 h while the line is up */
    bool weak_keepalive;     /* controller-side attempt/retry rule */
    uint32_t retry_slack_ms; /* allowed beyond keepalive_retry for a retry, per object of the node */
    /* In flight per node. */
    struct {
        bool busy;
        uint16_t tid;
        uint8_t esv;
        echonet_tstamp sent;
    } inflight[SIM_MAX_DEVS];
    /* TID window. */
    uint8_t tid_count[65536];
    uint16_t tid_ring[65535];
    uint64_t requests; /* every request the controller sent (unicast and multicast) */
    uint16_t last_tid;
    bool wrapped;           /* a TID 0x0000 followed 0xFFFF */
    uint16_t search_tid[8]; /* recent multicast TIDs */
    unsigned n_search;
    /* Operations. */
    sim_op ops[SIM_MAX_OPS];
    unsigned n_ops;
    int handle_op[1024]; /* operation of each live handle, -1 */
    /* Events. */
    unsigned ev_count[16];
    unsigned found, ready, online, offline, full, faults, keepalive_ok, keepalive_fail;
    uint8_t last_fault;
    uint8_t ready_mask[SIM_MAX_DEVS]; /* READY seen per object */
    /* Keepalives seen from the controller side. */
    sim_ka ka[SIM_MAX_DEVS][SIM_MAX_OBJS];
    /* Frames sent, the latest SIM_LOG. */
    sim_sent log[SIM_LOG];
    uint64_t n_log;
    /* Counters. */
    uint64_t delivered, lost, duplicated, spoofed, late, events;
    /* Optional observer of every controller event (after the harness's own checks). */
    void (*on_event)(sim *s, const echonet_ctl_event *ev);
    void *user;
    /* Issue 13: the latest multicast search (none may go while it can still
     * be answered), and what is in flight per node beyond inflight[]: sent
     * to its second address, an identification request (instance list,
     * attributes, 0x83: the controller cannot know before the answer that
     * two addresses are one unit). */
    echonet_tstamp last_search;
    bool searched;
    bool sending_via2;
    bool inflight_via2[SIM_MAX_DEVS];
    bool inflight_ident[SIM_MAX_DEVS];
    /* The network's datagrams. */
    struct sim_msg *msgs;
    unsigned n_msgs;
    uint64_t msg_seq;
};

/* Sets up the simulation (static storage; one at a time). */
sim *sim_init(const sim_setup *setup);
/* A node at address 10.0.x.y, index returned. */
unsigned sim_add_dev(sim *s, const sim_dev_setup *setup);
/* Adds @p n nodes of one object each. */
void sim_add_devs(sim *s, unsigned n);

/* Runs everything due up to and including @p t. */
void sim_run_until(sim *s, echonet_tstamp t);
void sim_run_for(sim *s, echonet_tstamp dt);

/* Actions. */
void sim_set_line(sim *s, bool up);
void sim_local_set(sim *s, unsigned dev, unsigned obj, uint8_t epc, uint8_t value);
void sim_announce_instances(sim *s, unsigned dev);
/* Issue 13: the node's answers to searches come late by min_ms to max_ms. */
void sim_late_searches(sim *s, unsigned dev, uint32_t min_ms, uint32_t max_ms);
/* Issue 13: gives the node a second address, 10.1.x.y beside 10.0.x.y (the
 * controller learns it only if told: echonet_ctl_add_node()). */
const echonet_addr *sim_second_addr(sim *s, unsigned dev);
/* The unit gets a new address, 10.k.x.y (a DHCP lease, a rotating IPv6
 * address): the old one reaches nothing from now on, and it announces its
 * instance list from the new one. Not with sim_second_addr(). */
void sim_readdress(sim *s, unsigned dev);
/* Takes an object out of the unit (its 0xD5 announces the shorter list).
 * From the moment the controller has received a complete 0xD5 or 0xD6 list
 * without it, a request to it is a violation (AIF 3.1.1). */
void sim_remove_instance(sim *s, unsigned dev, unsigned obj);
/* Every datagram to and from the unit is lost for @p ms from now. */
void sim_loss_burst(sim *s, unsigned dev, uint32_t ms);
/* Delivers a datagram to the controller from @p src after @p delay_ms. */
void sim_inject(sim *s, const echonet_addr *src, const uint8_t *buf, size_t len, uint32_t delay_ms);
/* Takes a snapshot, replaces the controller with a fresh one restored from
 * it (same config), and returns restore's result. */
echonet_err sim_reboot_ctl(sim *s, uint8_t *snap, size_t cap, size_t *len);

/* Operations: an index into s->ops, or -1 with *err set. */
int sim_get(sim *s, unsigned dev, unsigned obj, const uint8_t *epcs, size_t n, echonet_err *err);
int sim_set(sim *s, unsigned dev, unsigned obj, const echonet_prop *props, size_t n, echonet_err *err);
int sim_set1(sim *s, unsigned dev, unsigned obj, uint8_t epc, uint8_t value, echonet_err *err);
int sim_probe(sim *s, unsigned dev, unsigned obj, uint8_t mode, int low, int high, echonet_err *err);
int sim_read_fault(sim *s, unsigned dev, unsigned obj, echonet_err *err);

/* Lookups. */
uint16_t sim_node(const sim *s, unsigned dev); /* controller's node index, NONE if unknown */
echonet_eoj sim_eoj(unsigned obj);                                  /* 0x0130 instance obj + 1 */
echonet_eoj sim_dev_eoj(const sim *s, unsigned dev, unsigned obj); /* of the unit's class */
bool sim_ready(const sim *s, unsigned dev);    /* known, online, every object's maps known */
/* The smart meters' model (units of class 0x0288, issue 15): a load that
 * changes every half-hour, E7 its power, E0 the cumulative Wh (D3 1, E1
 * 0x03: 1 Wh, D7 8 digits), EA the reading at the latest half-hour
 * boundary from 2 minutes after it (as meters update it), E2 the 48
 * readings of the day E5 selects (0xFFFFFFFE for those not yet reached).
 * Its calendar starts at sim::t0 = 2026-12-01 10:13:00, in December. */
#define SIM_METER_START_S (10u * 3600u + 13u * 60u)
#define SIM_METER_BASE_WH 12345u
/* The meter's reading (Wh) at @p meter_s seconds after 2026-12-01 00:00. */
uint64_t sim_meter_wh(uint64_t meter_s);
/* Its seconds at the controller's time @p t. */
uint64_t sim_meter_seconds(const sim *s, echonet_tstamp t);
/* A one-byte value the unit has (of any class; its first byte for longer ones). */
uint8_t sim_value(const sim *s, unsigned dev, unsigned obj, uint8_t epc);
echonet_ctl_state sim_cached(const sim *s, unsigned dev, unsigned obj);

/* Checks. */
/* Every operation started has ended exactly once. */
void sim_check_ops_done(const sim *s);
/* The cached 0x80 0x8F 0xB0 0xB3 0xBB 0xA0 0x88 of every object equal the
 * units' own. */
void sim_check_converged(const sim *s);
/* The keepalive rules at the current time (also checked as events happen). */
void sim_check_keepalive(sim *s);
/* Frames sent since log index @p from that match: destination dev (-1 any
 * unicast), ESV (0 any), EPC (0 any) in the frame. */
unsigned sim_count_sent(const sim *s, uint64_t from, int dev, uint8_t esv, uint8_t epc);
/* Decodes log entry @p i (absolute index). */
const sim_sent *sim_sent_at(const sim *s, uint64_t i);

/* PRNG, for tests that draw their own actions. */
uint32_t sim_rand(sim *s, uint32_t n);

#endif
