/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file controller.h
 * @brief The HEMS controller, as a sans-I/O state machine following the
 *        AIF air-conditioner/HEMS spec Ver. 1.10, for every device class.
 *
 * @defgroup controller HEMS controller
 * @brief Discovery, attribute acquisition, operations, polling, keepalive
 *        and fault read-out, without I/O.
 *
 * The application passes in datagrams (echonet_ctl_read()) and the time,
 * takes datagrams out (echonet_ctl_write() until it returns 0) and asks when
 * to call again (echonet_ctl_expiry()). Everything that happens is reported
 * through one event callback. All memory is the caller's
 * (@ref echonet_ctl_storage). When it is full, a node that is offline and
 * never became ready (an address that announced a device object and
 * never answered: a spoofed datagram, or a unit unplugged before it was
 * known) is forgotten to make room for a new one
 * (@ref ECHONET_CTL_EV_FORGOTTEN); a node that was ever ready is kept.
 *
 * Messaging discipline (AIF 2.4): at most one request in flight per node; a
 * response-wait timer of at least 20 s; after a timeout the step ends and
 * any re-issue gets a new TID, so a TID is never sent twice while it can
 * still be answered; responses are matched by source address, TID, ESV pair
 * and object, never by arrival order. Reads and writes of more than
 * @c max_props properties are split; properties a device leaves unprocessed
 * are requested again; the node's capacity is learned downward and kept.
 * Searches keep the same discipline. A physical unit is one node, told by
 * its identification number 0x83 (AIF 4.1): a second address it is reached
 * at becomes an alias of its node (@ref ECHONET_CTL_EV_ALIAS).
 *
 * Every device object (class groups 0x00 to 0x06, save controllers 0x05FF:
 * other HEMS, phone apps) a node lists is managed, unless the application's
 * filter (echonet_ctl_config::manage) says no.
 * The rules of the AIF air-conditioner spec are the air conditioner's
 * (0x0130): its writes are ordered 0x80, 0xB0, 0xB3, then the rest (AIF 5.1
 * ⑦), carry 0x93 = 0x42 first in remote mode (AIF 4.1, with the keepalive
 * of 3.5), its state (0x80, 0x8F, 0xB0, 0xB3, 0xBB, 0xA0, 0x88) is read and
 * polled, it can be probed (5.3). An object of any other class has its
 * operation and fault status (0x80, 0x88) read and polled, and any property
 * its maps allow read and written as raw bytes, checked against its class
 * table where the application gives one (echonet_ctl_config::classes).
 * Writes of every class are verified by a Get (AIF 2.4.5, 4.1 ③).
 * @{
 */
#ifndef ECHONET_CONTROLLER_H
#define ECHONET_CONTROLLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/addr.h"
#include "echonet/common.h"
#include "echonet/config.h"
#include "echonet/eoj.h"
#include "echonet/error.h"
#include "echonet/frame.h"
#include "echonet/propdesc.h"
#include "echonet/propmap.h"
#include "echonet/tstamp.h"

#if !ECHONET_ENABLE_CONTROLLER
#error "libechonet was built without the controller (meson -Dcontroller=false, ECHONET_ENABLE_CONTROLLER 0)"
#endif

ECHONET_BEGIN_DECLS

/** @brief The shortest response-wait timer the AIF allows (2.4.2): 20 s. */
#define ECHONET_CTL_MIN_RESPONSE_TIMEOUT 20000u
/** @brief The longest keepalive interval the AIF allows (3.5 ③): 8 h. */
#define ECHONET_CTL_MAX_KEEPALIVE_INTERVAL 28800000u
/** @brief The longest response timer, polling and re-reading interval:
 *  2^31 - 1 ms, 24.8 days (the controller keeps its timers in 32 bits). */
#define ECHONET_CTL_MAX_INTERVAL 0x7FFFFFFFu
/** @brief TIDs a restored controller skips past the saved one
 *  (echonet_ctl_restore()). */
#define ECHONET_CTL_RESTORE_TID_SKIP 1024u
/** @brief No node / no operation. */
#define ECHONET_CTL_NONE 0xFFFFu

/** @brief Controller settings. Start from echonet_ctl_config_default(). */
typedef struct echonet_ctl_config {
    echonet_eoj self;               /**< SEOJ of requests (default 0x05FF01) */
    uint32_t response_timeout_ms;   /**< response-wait timer, 20000 to ECHONET_CTL_MAX_INTERVAL (default 20000) */
    uint8_t max_props;              /**< properties per request, 1 to ECHONET_CTL_BATCH_MAX (default 4) */
    uint8_t attempts;               /**< requests for one step before its properties time out, 1 to 8 (default 2); a keepalive has one, then keepalive_retry_ms */
    uint8_t offline_after;          /**< consecutive timeouts that make a node offline (a step's attempts count once), 1 to 255 (default 3) */
    bool remote;                    /**< operations come from a public network: 0x93 = 0x42 prefix, keepalive */
    uint32_t poll_interval_ms;      /**< reading unannounced state (0xB3, 0xBB) (default 180000), 0 = never;
                                         at most ECHONET_CTL_MAX_INTERVAL */
    uint32_t reread_interval_ms;    /**< re-reading announced state (default 1800000), 0 = never;
                                         at most ECHONET_CTL_MAX_INTERVAL */
    uint32_t keepalive_interval_ms; /**< 0x93 = 0x62 interval in remote mode, at most 8 h (default 8 h);
                                         the next is sent (objects + 1) response timers early, so that
                                         it is made in time behind the node's other requests, but never
                                         sooner than half the interval after the last (doc/decisions.md) */
    uint16_t first_tid;             /**< TID of the first request (default 0); seed it from a
                                         random source (or restore a snapshot, which keeps the
                                         counter), so that a restarted controller does not reuse
                                         the TIDs of the one before; a clock repeats them */
    bool no_initial_search;         /**< no multicast search at init (default false): for a controller
                                         that manages only the units it is given (echonet_ctl_add_node(),
                                         a snapshot); echonet_ctl_discover() still searches */
    uint32_t keepalive_retry_ms;    /**< retry after a failed keepalive, probe of an offline node, and the
                                         instance-list read of a node whose objects found no room
                                         (default 600000); a lost node being probed is not forgotten,
                                         so one close to the response timer leaves little time to forget */
    uint32_t energy_interval_ms;    /**< reading measured power 0x84 and cumulative energy 0x85 (PROPERTY
                                         events), once echonet_ctl_read_energy() asked for it, of every
                                         ready object whose Get map has them, 60000 to
                                         1800000 (default 1800000: the 30 min of HEMS criteria); a unit
                                         with neither is never asked: its Get map
                                         (echonet_ctl_object_info()) tells the application */
    /** The class table of a device class, or NULL (default NULL: none).
     *  Values written to an object of a class other than the air
     *  conditioner are checked against the table it gives (a property the
     *  table lacks may not be written, save maker-specific ones, 0xF0 to
     *  0xFF), and values read believed only within it; without a table
     *  they are raw bytes the unit's maps alone allow. echonet_class_find()
     *  of echonet/classes.h knows every class of the Appendix (and links
     *  every table); a firmware passes a function naming the few it links.
     *  The air conditioner always has the AIF's own table (echonet/aircon.h). */
    const echonet_class *(*classes)(uint16_t class_code);
    /** Whether to manage a device object (class groups 0x00 to
     *  0x06, save controllers 0x05FF) a node lists or announces, asked while it is not managed
     *  (maybe more than once: the answer must depend on @p eoj alone; not
     *  asked for restored objects). NULL (default) manages every one. Return false
     *  for the classes the application has no use for: they take no
     *  object slot, and a node with nothing else takes no node slot. Called with
     *  echonet_ctl_init()'s @c user; must not change the controller. */
    bool (*manage)(void *user, echonet_eoj eoj);
} echonet_ctl_config;

/** @brief How an operation ended. */
typedef enum echonet_ctl_outcome {
    /** Every property done (writes verified by a Get). */
    ECHONET_CTL_DONE = 0,
    /** Written, but the device stored another value for some (in @c props). */
    ECHONET_CTL_SUBSTITUTED,
    /** The device refused some properties (in @c props); the others are done. */
    ECHONET_CTL_REFUSED,
    /** Refused before sending: a value out of the class range or a property
     *  not in the device's Set/Get map (in @c props). Nothing was sent. */
    ECHONET_CTL_REFUSED_LOCAL,
    /** Some properties got no answer within every attempt (in @c props). */
    ECHONET_CTL_TIMED_OUT,
    /** The node went offline or was forgotten before the operation ended. */
    ECHONET_CTL_NODE_GONE,
    /** The object left its node's instance list (0xD5 or 0xD6, AIF 3.1.1)
     *  before the operation ended (@ref ECHONET_CTL_EV_REMOVED). */
    ECHONET_CTL_INSTANCE_GONE
} echonet_ctl_outcome;

/** @brief Kinds of @ref echonet_ctl_event. */
typedef enum echonet_ctl_event_kind {
    ECHONET_CTL_EV_FOUND = 0,  /**< a new device object (@c node, @c eoj) */
    ECHONET_CTL_EV_READY,      /**< its maps, identification and state are known */
    ECHONET_CTL_EV_PROPERTY,   /**< a property value arrived (@c epc, @c edt, @c pdc, @c changed) */
    ECHONET_CTL_EV_DONE,       /**< an operation ended (@c op, @c outcome, @c props) */
    ECHONET_CTL_EV_FAULT,      /**< a fault read-out ended (@c fault: 0x88; codes came as PROPERTY) */
    ECHONET_CTL_EV_KEEPALIVE,  /**< a keepalive was answered (@c ok true) or failed (@c ok false) */
    ECHONET_CTL_EV_OFFLINE,    /**< the node stopped answering */
    ECHONET_CTL_EV_ONLINE,     /**< an offline node spoke again; it is rediscovered */
    ECHONET_CTL_EV_FULL,       /**< no room for a node or object that was found (@c eoj), and
                                    no lost node to forget for it */
    /** The node was forgotten to make room for a node or object found: it
     *  was offline and none of its objects had ever been ready (an address
     *  that announced a device object and never answered), or, with no
     *  such node left, it was the alias (@ref ECHONET_CTL_EV_ALIAS) heard
     *  longest ago (a unit's old address, after DHCP or a rotating IPv6
     *  address). Its objects are gone and @c node may name another address
     *  from now on (during the callback, echonet_ctl_node_addr() still
     *  gives its address). */
    ECHONET_CTL_EV_FORGOTTEN,
    /** The node turned out to be a unit already known as node @c same_as,
     *  reached at a second address (an IPv6 unit at its link-local and its
     *  global address): its identification number 0x83 is that of an
     *  object of @c same_as (AIF 4.1; a unique part of zeros, bytes 5
     *  to 16, identifies nothing). @c node stays as an alias of its
     *  address: echonet_ctl_find() of that gives @c same_as, which alone
     *  sends to the unit (one request in flight, AIF 2.4.1); @c node names
     *  no object any more (its objects, found before, are gone, operations
     *  queued for them ended NODE_GONE, and new ones are refused). When
     *  @c same_as was offline at its own address, it takes over this one
     *  (and @c node keeps the old). */
    ECHONET_CTL_EV_ALIAS,
    /** The object (@c node, @c eoj) is no longer in its node's instance
     *  list: a complete 0xD5 announcement or 0xD6 answer left it out (AIF
     *  3.1.1). It is dropped: its operations ended first with
     *  @ref ECHONET_CTL_INSTANCE_GONE, it is polled and kept alive no more,
     *  and it is no longer among echonet_ctl_objects() (already during the
     *  callback). Should it come back in a later list, it is found anew
     *  (@ref ECHONET_CTL_EV_FOUND). */
    ECHONET_CTL_EV_REMOVED
} echonet_ctl_event_kind;

/** @brief Something the application should know. Valid during the callback only. */
typedef struct echonet_ctl_event {
    echonet_ctl_event_kind kind; /**< what happened */
    uint16_t node;               /**< node index */
    echonet_eoj eoj;             /**< object */
    uint8_t epc;                 /**< PROPERTY: the property */
    uint8_t pdc;                 /**< PROPERTY: bytes at @c edt */
    const uint8_t *edt;          /**< PROPERTY: the value */
    bool changed;                /**< PROPERTY: differs from the cached value (or is the first) */
    bool ok;                     /**< KEEPALIVE: answered with Set_Res */
    uint8_t fault;               /**< FAULT: 0x88 as read (0x41 fault, 0x42 none) */
    uint16_t op;                 /**< DONE, and FAULT of an echonet_ctl_read_fault(): the
                                      operation's handle; @ref ECHONET_CTL_NONE otherwise */
    uint16_t same_as;            /**< ALIAS: the node of the unit */
    echonet_ctl_outcome outcome; /**< DONE: how it ended */
    echonet_propmap props;       /**< DONE: the properties the outcome names */
    int8_t probe_low;            /**< DONE of a probe: lowest settable °C, or -1 */
    int8_t probe_high;           /**< DONE of a probe: highest settable °C, or -1 */
} echonet_ctl_event;

/** @brief The application's callbacks; copied at init. */
typedef struct echonet_ctl_callbacks {
    /** Required. Called from echonet_ctl_read(), echonet_ctl_write() and the
     *  operation calls; must not change the controller (no read, write,
     *  operation, discover, restore...), but may call its query functions
     *  (echonet_ctl_find(), echonet_ctl_node_addr(), echonet_ctl_node_online(),
     *  echonet_ctl_objects(), echonet_ctl_object_info(),
     *  echonet_ctl_object_ready()). */
    void (*event)(void *user, const echonet_ctl_event *ev);
} echonet_ctl_callbacks;

/** @brief Cached state of one object (values as on the wire): every field
 *  for an air conditioner; for any other class only those of superclass
 *  properties (status, power_saving, fault, remote), as its 0xB0 to 0xBB
 *  mean something else (read them with echonet_ctl_get()). */
typedef struct echonet_ctl_state {
    uint16_t valid;      /**< bit i: value i below is known (ECHONET_CTL_S_*) */
    uint8_t status;      /**< 0x80 */
    uint8_t power_saving;/**< 0x8F */
    uint8_t mode;        /**< 0xB0 */
    uint8_t temp;        /**< 0xB3 */
    uint8_t room;        /**< 0xBB */
    uint8_t flow;        /**< 0xA0 */
    uint8_t fault;       /**< 0x88 */
    uint8_t remote;      /**< 0x93 */
} echonet_ctl_state;

/** @name Bits of echonet_ctl_state::valid
 *  @{ */
#define ECHONET_CTL_S_STATUS 0x01u       /**< status */
#define ECHONET_CTL_S_POWER_SAVING 0x02u /**< power_saving */
#define ECHONET_CTL_S_MODE 0x04u         /**< mode */
#define ECHONET_CTL_S_TEMP 0x08u         /**< temp */
#define ECHONET_CTL_S_ROOM 0x10u         /**< room */
#define ECHONET_CTL_S_FLOW 0x20u         /**< flow */
#define ECHONET_CTL_S_FAULT 0x40u        /**< fault */
#define ECHONET_CTL_S_REMOTE 0x80u       /**< remote */
/** @} */

/** @brief A set of properties being read or written, split into requests.
 *  Fields are private. */
typedef struct echonet_ctl_job {
    const uint8_t *epc;                    /**< @private the properties: a list of the library's or the operation's */
    uint8_t kind;                          /**< @private */
    uint8_t phase;                         /**< @private */
    uint8_t n;                             /**< @private */
    uint8_t attempt;                       /**< @private */
    uint8_t flags;                         /**< @private */
    uint8_t split;                         /**< @private properties before this index are asked one by one */
    uint16_t object;                       /**< @private object index, or NONE for the node profile */
    uint16_t pending;                      /**< @private properties not yet answered (bit i: epc[i]) */
    uint16_t inflight;                     /**< @private properties of the request in flight */
    uint16_t failed;                       /**< @private refused or unreadable */
    uint16_t timedout;                     /**< @private */
} echonet_ctl_job;

/** @brief A node (an IP host). Fields are private. */
typedef struct echonet_ctl_node {
    echonet_addr addr;          /**< @private */
    uint8_t state;              /**< @private */
    uint8_t capacity;           /**< @private properties per request it processes */
    uint8_t timeouts;           /**< @private consecutive */
    uint8_t work;               /**< @private node-level work bits */
    uint8_t esv;                /**< @private ESV in flight */
    bool busy;                  /**< @private a request is in flight */
    bool queued;                /**< @private in the ready queue (the byte fields together: no padding) */
    uint16_t tid;               /**< @private TID in flight */
    uint16_t op;                /**< @private operation being run, or NONE; for an alias, its unit's node */
    uint16_t first_object;      /**< @private */
    uint16_t ops_head;          /**< @private queued operations */
    uint16_t heap_pos;          /**< @private */
    uint16_t ready_next;        /**< @private */
    uint32_t deadline;          /**< @private response deadline or next timer (controller clock) */
    echonet_ctl_job job;        /**< @private */
} echonet_ctl_node;

/** @brief A device object of a node. Fields are private. */
typedef struct echonet_ctl_object {
    echonet_eoj eoj;                /**< @private (first: no padding before the bytes that follow) */
    uint16_t node;                  /**< @private */
    uint16_t next;                  /**< @private next object of the node */
    uint8_t work;                   /**< @private */
    uint8_t announced;              /**< @private state bits in the announce map */
    echonet_propmap get;            /**< @private Get map */
    echonet_propmap set;            /**< @private Set map */
    uint8_t id[17];                 /**< @private identification number 0x83 */
    uint8_t version[4];             /**< @private 0x82 */
    uint8_t skip[2];                /**< @private properties that time out alone */
    echonet_ctl_state state;        /**< @private */
    uint32_t next_poll;             /**< @private timers on the controller clock */
    uint32_t next_reread;           /**< @private */
    uint32_t next_keepalive;        /**< @private */
    uint32_t next_energy;           /**< @private */
    uint32_t next_fixed;            /**< @private a meter's next read of its fixed-time values (EA, EB) */
    uint32_t fixed_slot;            /**< @private the half-hour of its last EA (days × 48 + half-hours) + 1; 0: none */
    uint16_t history;               /**< @private days back (bit k: E5 = k) whose half-hours a meter is asked */
    uint8_t fixed_same;             /**< @private EA reads in a row that found no new half-hour (bits 0-5); bit 6: the last failed; bit 7: in step */
    uint8_t history_day;            /**< @private the day of the history read in flight */
} echonet_ctl_object;

/** @brief An operation the application started. Fields are private. */
typedef struct echonet_ctl_op {
    uint16_t node;                          /**< @private NONE when free */
    uint16_t object;                        /**< @private */
    uint16_t next;                          /**< @private queue link */
    uint8_t kind;                           /**< @private */
    uint8_t phase;                          /**< @private */
    uint8_t flags;                          /**< @private */
    uint8_t n;                              /**< @private */
    uint8_t epc[ECHONET_CTL_BATCH_MAX];     /**< @private */
    uint8_t len[ECHONET_CTL_BATCH_MAX];     /**< @private */
    uint8_t data[ECHONET_CTL_VALUE_BYTES];  /**< @private */
    uint16_t refused;                       /**< @private */
    uint16_t timedout;                      /**< @private */
    uint16_t substituted;                   /**< @private */
} echonet_ctl_op;

/**
 * @brief The caller's memory for a controller.
 *
 * @c index must have a power-of-two number of entries at least twice
 * @c n_nodes; @c heap one entry per node. ECHONET_CTL_STORAGE() declares
 * all of it.
 */
typedef struct echonet_ctl_storage {
    echonet_ctl_node *nodes;     /**< node slots */
    uint16_t n_nodes;            /**< at most 0xFFFE */
    echonet_ctl_object *objects; /**< object slots */
    uint16_t n_objects;          /**< at most 0xFFFE */
    echonet_ctl_op *ops;         /**< operation slots */
    uint16_t n_ops;              /**< at most 0xFFFE */
    uint16_t *index;             /**< address index */
    uint16_t n_index;            /**< a power of two, at least 2 × n_nodes */
    uint16_t *heap;              /**< n_nodes entries */
} echonet_ctl_storage;

/**
 * @brief Declares static storage for @p nodes nodes, @p objects objects and
 *        @p ops operations, and an @ref echonet_ctl_storage @p name for it.
 *        @p index_size must be a power of two at least 2 × @p nodes.
 */
#define ECHONET_CTL_STORAGE(name, nodes, objects, ops, index_size)                                         \
    static echonet_ctl_node name##_nodes[nodes];                                                          \
    static echonet_ctl_object name##_objects[objects];                                                    \
    static echonet_ctl_op name##_ops[ops];                                                                \
    static uint16_t name##_index[index_size];                                                             \
    static uint16_t name##_heap[nodes];                                                                   \
    static const echonet_ctl_storage name = {name##_nodes, nodes, name##_objects, objects, name##_ops, ops, \
                                             name##_index, index_size, name##_heap}

/** @brief The controller. Fields are private. */
typedef struct echonet_ctl {
    echonet_ctl_config cfg;       /**< @private */
    echonet_ctl_callbacks cb;     /**< @private */
    void *user;                   /**< @private */
    echonet_ctl_storage st;       /**< @private */
    uint16_t n_heap;              /**< @private */
    uint16_t n_nodes_used;        /**< @private node slots ever used (then reused from free_nodes) */
    uint16_t n_objects_used;      /**< @private */
    echonet_tstamp epoch;         /**< @private the controller clock's 0 */
    uint32_t clock;               /**< @private the latest time passed in, ms after epoch */
    uint16_t ready_head;          /**< @private */
    uint16_t ready_tail;          /**< @private */
    uint16_t tid;                 /**< @private next TID */
    uint16_t search_tid;          /**< @private TID of the latest multicast search */
    uint32_t search_until;        /**< @private it is answered until then, and no search goes before (clock) */
    uint8_t search;               /**< @private a search to send */
    bool line_up;                 /**< @private */
    bool started;                 /**< @private */
    uint16_t free_nodes;          /**< @private forgotten node slots, linked by ready_next (last: the
                                       fields before keep the short offsets Thumb-1 loads reach) */
    uint16_t free_objects;        /**< @private their object slots, linked by next */
    uint16_t n_lost;              /**< @private offline nodes never ready: they may be forgotten */
    const struct echonet_ctl_probe_part *probe;   /**< @private set by echonet_ctl_probe() */
    const struct echonet_ctl_energy_part *energy; /**< @private set by echonet_ctl_read_energy() */
} echonet_ctl;

/**
 * @brief Fills @p cfg with the defaults (AIF values).
 * @param cfg the settings to fill; nothing happens when NULL.
 */
ECHONET_API void echonet_ctl_config_default(echonet_ctl_config *cfg);

/**
 * @brief Prepares a controller. The first echonet_ctl_write() call sends the
 *        discovery search (AIF 3.1.2, echonet_ctl_discover()).
 * @param ctl the controller.
 * @param cfg settings (copied).
 * @param cb callbacks (copied); @c event is required.
 * @param user passed to every callback.
 * @param storage the caller's memory (copied; the arrays are used in place).
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer or missing callback, an
 *         empty or malformed storage, or a setting out of its range
 *         (response timeout below 20 s, keepalive interval above 8 h,
 *         a response timer, polling or re-reading interval above
 *         @ref ECHONET_CTL_MAX_INTERVAL, max_props 0 or above
 *         ECHONET_CTL_BATCH_MAX...).
 */
ECHONET_API echonet_err echonet_ctl_init(echonet_ctl *ctl, const echonet_ctl_config *cfg,
                                         const echonet_ctl_callbacks *cb, void *user,
                                         const echonet_ctl_storage *storage);

/**
 * @brief Takes a received datagram.
 * @param ctl the controller.
 * @param src the sender.
 * @param buf the datagram.
 * @param len its length.
 * @param now the current time.
 * @return @ref ECHONET_OK (handled, used or ignored) or an error:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @return or the error of echonet_frame_decode() for a malformed frame (bytes
 *         after the frame's last declared property are ignored).
 */
ECHONET_API echonet_err echonet_ctl_read(echonet_ctl *ctl, const echonet_addr *src, const uint8_t *buf, size_t len,
                                         echonet_tstamp now);

/**
 * @brief Takes a received datagram that the caller has already decoded.
 *
 * The same as echonet_ctl_read() without the decoding, for a program that
 * also runs a node and decodes each datagram
 * once. The frame's bytes must stay valid during the call.
 * @param ctl the controller.
 * @param src the sender.
 * @param frame a frame from echonet_frame_decode() (or its UDP variant).
 * @param now the current time.
 * @return @ref ECHONET_OK (handled, used or ignored) or an error:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_ctl_read_frame(echonet_ctl *ctl, const echonet_addr *src,
                                               const echonet_frame *frame, echonet_tstamp now);

/** @brief Bytes that always hold a datagram of echonet_ctl_write():
 *  12 + 3 × (ECHONET_CTL_BATCH_MAX + 1) + ECHONET_CTL_VALUE_BYTES (60 to 318). */
#define ECHONET_CTL_WRITE_MAX (12 + 3 * (ECHONET_CTL_BATCH_MAX + 1) + ECHONET_CTL_VALUE_BYTES)

/**
 * @brief Handles what is due at @p now and produces the next datagram to send.
 * @param ctl the controller.
 * @param dst receives the destination when @p multicast is false.
 * @param multicast receives true for a datagram to all nodes.
 * @param buf where the datagram goes.
 * @param cap bytes at @p buf; at least @ref ECHONET_CTL_WRITE_MAX, which
 *        always suffices.
 * @param now the current time; never earlier than in an earlier call.
 * @return the datagram's length, 0 when there is nothing to send now, or an error:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_NOBUF @p cap is too small; nothing was lost: call
 *         again with a larger buffer.
 */
ECHONET_API int32_t echonet_ctl_write(echonet_ctl *ctl, echonet_addr *dst, bool *multicast, uint8_t *buf, size_t cap,
                                      echonet_tstamp now);

/**
 * @brief When echonet_ctl_write() must next be called.
 * @param ctl the controller.
 * @return a time (0 when something can be sent at once), or
 *         @ref ECHONET_TSTAMP_NEVER.
 */
ECHONET_API echonet_tstamp echonet_ctl_expiry(const echonet_ctl *ctl);

/**
 * @brief Sends the discovery search again (multicast Get 0xD6 to the node
 *        profile, AIF 3.1.2; echonet_ctl_init() makes the first).
 *
 * A search is a request to every node, so it keeps the discipline of any
 * request (AIF 2.4.1, 2.4.2): its TID is answered for the whole response
 * timer, and no search goes out before the previous one's timer has run
 * out: a call while a search can still be answered sends the new one when
 * it can no longer be (answers to the one in flight still count). To
 * search one address, use echonet_ctl_add_node().
 * @param ctl the controller; nothing happens when NULL.
 */
ECHONET_API void echonet_ctl_discover(echonet_ctl *ctl);

/**
 * @brief Tells the controller whether its public line is up. In remote mode,
 *        keepalives (0x93 = 0x62) go out only while it is; when it comes
 *        back they are sent at once (AIF 3.5 ③ ⑤ ⑦).
 * @param ctl the controller; nothing happens when NULL.
 * @param up the line's state.
 * @param now the current time.
 */
ECHONET_API void echonet_ctl_set_line(echonet_ctl *ctl, bool up, echonet_tstamp now);

/**
 * @brief Starts a read of properties of one object. Properties not
 *        in its Get map end as @ref ECHONET_CTL_REFUSED_LOCAL.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param epcs the properties, each once.
 * @param n 1 to ECHONET_CTL_BATCH_MAX.
 * @param op receives the operation's handle (reported in its DONE event); may be NULL.
 * @return @ref ECHONET_OK or an error code (no operation was started):
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, @p n out of range, or a repeated EPC.
 * @retval ECHONET_ERR_NOT_FOUND no such node or object, or the node is offline.
 * @retval ECHONET_ERR_FULL every operation slot is taken.
 */
ECHONET_API echonet_err echonet_ctl_get(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const uint8_t *epcs,
                                        size_t n, uint16_t *op);

/**
 * @brief Starts a write to one object, verified by a Get.
 *
 * Values are checked against the class table first (the AIF's for an air
 * conditioner, echonet_ctl_config::classes for any other class; a
 * maker-specific property, 0xF0 to 0xFF, is raw bytes); to an air
 * conditioner in remote mode 0x93 = 0x42 is added in front (other classes
 * are written as they are). Properties not in the device's Set map end as
 * @ref ECHONET_CTL_REFUSED_LOCAL without being sent.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param props the properties and values, each EPC once (0x93 may not be
 *        among them in remote mode).
 * @param n 1 to ECHONET_CTL_BATCH_MAX (minus one in remote mode).
 * @param op receives the operation's handle; may be NULL.
 * @return @ref ECHONET_OK or an error code (no operation was started):
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, @p n out of range, a
 *         repeated EPC, or values longer than ECHONET_CTL_VALUE_BYTES in all.
 * @retval ECHONET_ERR_VALUE_SIZE, ECHONET_ERR_VALUE a value outside the class range.
 * @retval ECHONET_ERR_ACCESS a property the class table does not let anyone
 *         write, or does not have (save maker-specific ones).
 * @retval ECHONET_ERR_NOT_FOUND no such node or object, or the node is offline.
 * @retval ECHONET_ERR_FULL every operation slot is taken.
 */
ECHONET_API echonet_err echonet_ctl_set(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const echonet_prop *props,
                                        size_t n, uint16_t *op);

/** @brief echonet_ctl_set_ex() flag: the write comes from outside the home
 *  network (AIF 4.1), whatever echonet_ctl_config::remote says. */
#define ECHONET_CTL_FROM_REMOTE 0x01u

/**
 * @brief Starts a write as echonet_ctl_set() does, with flags.
 *
 * With @ref ECHONET_CTL_FROM_REMOTE the write is remote operation (AIF
 * 4.1) even when the controller is not in remote mode: 0x93 = 0x42 goes in
 * front of the properties, it counts in the properties of a request, 0x93
 * may not be among @p props, and a unit without 0x93 in its Set map is not
 * written (@ref ECHONET_CTL_REFUSED_LOCAL naming 0x93). For an application
 * that takes commands from the home and from outside it (a web API, a
 * remote server); keepalives (AIF 3.5) stay with remote mode. The flag,
 * like remote mode, concerns air conditioners (the AIF's rule): an object
 * of another class is written as echonet_ctl_set() writes it.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param props the properties and values, each EPC once.
 * @param n 1 to ECHONET_CTL_BATCH_MAX (minus one for a remote write).
 * @param flags 0 or @ref ECHONET_CTL_FROM_REMOTE.
 * @param op receives the operation's handle; may be NULL.
 * @return @ref ECHONET_OK or an error code (no operation was started):
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, @p n out of range, a
 *         repeated EPC, 0x93 in a remote write, an unknown flag, or values
 *         longer than ECHONET_CTL_VALUE_BYTES in all.
 * @retval ECHONET_ERR_VALUE_SIZE, ECHONET_ERR_VALUE a value outside the class range.
 * @retval ECHONET_ERR_ACCESS a property the class table does not let anyone
 *         write, or does not have (save maker-specific ones).
 * @retval ECHONET_ERR_NOT_FOUND no such node or object, or the node is offline.
 * @retval ECHONET_ERR_FULL every operation slot is taken.
 */
ECHONET_API echonet_err echonet_ctl_set_ex(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, const echonet_prop *props,
                                           size_t n, unsigned flags, uint16_t *op);

/**
 * @brief Starts the temperature-range probe of AIF 5.3 for one operation mode.
 *
 * Saves 0x80, 0xB0 and 0xB3, switches the unit on in @p mode, finds the
 * highest settable temperature from @p high down and the lowest from @p low
 * up (SetC 0xB3, then Get to verify; a different value read back is taken
 * as the next guess), then restores the saved settings (a unit that was
 * off gets its mode and temperature back first, then 0x80 = OFF in a
 * request of its own: AIF 3.3 lets it refuse writes while off). The DONE event
 * carries probe_low and probe_high.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param mode 0x41 to 0x45.
 * @param low the lowest temperature wanted, °C.
 * @param high the highest temperature wanted, °C (low ≤ high ≤ 50).
 * @param op receives the operation's handle; may be NULL.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, a value out of range, or
 *         an object that is not an air conditioner (class 0x0130).
 * @retval ECHONET_ERR_NOT_FOUND no such node or object, or the node is offline.
 * @retval ECHONET_ERR_FULL every operation slot is taken.
 */
ECHONET_API echonet_err echonet_ctl_probe(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint8_t mode, int low,
                                          int high, uint16_t *op);

/**
 * @brief Starts a fault read-out (AIF 5.5): Get 0x88, and when it is 0x41,
 *        Get 0x86 and 0x89 as far as the Get map has them. Values arrive as
 *        PROPERTY events, then a FAULT event, then DONE.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param op receives the operation's handle; may be NULL.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p ctl is NULL.
 * @retval ECHONET_ERR_NOT_FOUND no such node or object, or the node is offline.
 * @retval ECHONET_ERR_FULL every operation slot is taken.
 */
ECHONET_API echonet_err echonet_ctl_read_fault(echonet_ctl *ctl, uint16_t node, echonet_eoj eoj, uint16_t *op);

/**
 * @brief Starts the energy reads: measured instantaneous power 0x84 and
 *        cumulative energy 0x85 of every ready object whose Get map has
 *        them, as PROPERTY events, every
 *        echonet_ctl_config::energy_interval_ms (the first at once); and
 *        a smart meter's (0x0288) fixed-time values EA/EB after each
 *        half-hour with its half-hour history E5/E2/E4 after a gap
 *        (doc/controller.md, "The smart meter's half-hours").
 *
 * Without this call the controller reads none of them (a meter's status,
 * E7 and its constants are read all the same), and a firmware that never
 * calls it links none of the code (doc/footprint.md). Calling it again
 * changes nothing.
 * @param ctl the controller.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p ctl is NULL.
 */
ECHONET_API echonet_err echonet_ctl_read_energy(echonet_ctl *ctl);

/**
 * @brief Searches one address (unicast): adds a node by address, for a
 *        device the multicast search does not reach or that the
 *        application names; a unicast Get 0xD6 asks it for its instance
 *        list, and its objects are then discovered as usual.
 *
 * The search is a request of the node like any other (AIF 2.4.1-2.4.3):
 * one in flight, answered for the whole response timer, asked again with a
 * new TID after it (@c attempts), and not asked again while it is in
 * flight, however often this is called. A new node is not asked while the
 * multicast search (echonet_ctl_discover()) can still be answered, as that
 * search is a request to it too: it is asked when the search's response
 * timer runs out, unless it has answered the search by then.
 * @param ctl the controller.
 * @param addr the device's address.
 * @param node receives the node index (for a second address of a known
 *        unit, @ref ECHONET_CTL_EV_ALIAS, the unit's node); may be NULL.
 * @return @ref ECHONET_OK (also when the node was known: it is asked again,
 *         unless that request is in flight) or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer or an empty address.
 * @retval ECHONET_ERR_FULL every node slot is taken and no node is lost
 *         (offline and never ready) and none is an alias: such a node is
 *         forgotten to make room (@ref ECHONET_CTL_EV_FORGOTTEN).
 */
ECHONET_API echonet_err echonet_ctl_add_node(echonet_ctl *ctl, const echonet_addr *addr, uint16_t *node);

/**
 * @brief Whether an object is ready: its maps, identification and
 *        state known (its READY event was sent, or it was restored).
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @return false for an unknown node or object.
 */
ECHONET_API bool echonet_ctl_object_ready(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj);

/**
 * @brief Finds a node by address.
 * @param ctl the controller.
 * @param addr the address; a second address of a unit known at another
 *        (@ref ECHONET_CTL_EV_ALIAS) gives the unit's node.
 * @return the node index, or @ref ECHONET_CTL_NONE.
 */
ECHONET_API uint16_t echonet_ctl_find(const echonet_ctl *ctl, const echonet_addr *addr);

/**
 * @brief A node's address.
 * @param ctl the controller.
 * @param node the node index.
 * @return the address, or NULL for an unused index or a node forgotten
 *         (@ref ECHONET_CTL_EV_FORGOTTEN) and not yet reused.
 */
ECHONET_API const echonet_addr *echonet_ctl_node_addr(const echonet_ctl *ctl, uint16_t node);

/**
 * @brief Whether a node is online.
 * @param ctl the controller.
 * @param node the node index.
 * @return false for an offline node or an unused index.
 */
ECHONET_API bool echonet_ctl_node_online(const echonet_ctl *ctl, uint16_t node);

/**
 * @brief The device objects of a node the controller manages.
 * @param ctl the controller.
 * @param node the node index.
 * @param eojs receives up to @p cap EOJs; may be NULL with @p cap 0.
 * @param cap entries at @p eojs.
 * @return the number of objects (may exceed @p cap).
 */
ECHONET_API size_t echonet_ctl_objects(const echonet_ctl *ctl, uint16_t node, echonet_eoj *eojs, size_t cap);

/**
 * @brief What the controller knows of one object.
 * @param ctl the controller.
 * @param node the node index.
 * @param eoj the object.
 * @param state receives the cached state; may be NULL.
 * @param get receives the Get map (empty until known); may be NULL.
 * @param set receives the Set map; may be NULL.
 * @param id receives the 17-byte identification number (zeros until known); may be NULL.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p ctl is NULL.
 * @retval ECHONET_ERR_NOT_FOUND no such node or object.
 */
ECHONET_API echonet_err echonet_ctl_object_info(const echonet_ctl *ctl, uint16_t node, echonet_eoj eoj,
                                                echonet_ctl_state *state, echonet_propmap *get, echonet_propmap *set,
                                                uint8_t id[17]);

/**
 * @brief The properties the controller reads as an object's status, in
 *        the order it asks them: its class profile's status read.
 *
 * The air conditioner's is AIF 3.3.1's (0x80, 0x8F, 0xB0, 0xB3, 0xBB,
 * 0xA0, 0x88); the whole house's classes have 0x80, 0x88 and their own
 * (a meter's E7, D3, D7, E1...; doc/controller.md); any other device class
 * has 0x80 and 0x88. Of these the controller asks only what the object's
 * Get map has. An application that shows an object's status asks the
 * same (echonet_ctl_get()) instead of keeping lists of its own.
 * @param eoj the object.
 * @param n receives the number of properties: 0 for an object the
 *        controller does not manage (instance 0, the node profile, a class
 *        group above 0x06, a controller 0x05FF).
 * @return the @p n EPCs (constant, owned by the library), or NULL when
 *         there are none or @p n is NULL. Errors: none.
 */
ECHONET_API const uint8_t *echonet_ctl_status_epcs(echonet_eoj eoj, size_t *n);

/**
 * @brief Writes the controller's durable state (nodes, addresses, objects,
 *        maps, identification numbers, learned capacities) with a version
 *        and a CRC-32.
 *
 * Only the objects that became ready, and their nodes, are saved:
 * a unit still being discovered (or a node forgotten,
 * @ref ECHONET_CTL_EV_FORGOTTEN) is found again after a restart, where
 * restored it would be taken for a known one. Node indices after a restore
 * may therefore differ from those before.
 * @param ctl the controller.
 * @param buf output (NULL with @p cap 0 to measure).
 * @param cap bytes at @p buf.
 * @param len receives the bytes written, or needed on @ref ECHONET_ERR_NOBUF.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_NOBUF @p cap is too small.
 */
ECHONET_API echonet_err echonet_ctl_save(const echonet_ctl *ctl, uint8_t *buf, size_t cap, size_t *len);

/**
 * @brief Loads a snapshot into a controller that has just been initialised.
 *
 * The snapshot is checked whole before anything is loaded: a corrupted,
 * truncated or foreign one changes nothing. Restored nodes have their
 * attributes re-read and, in remote mode, are sent a keepalive at once (the
 * time spent rebooting is unknown, so none may be missed). The first
 * request's TID is the saved next TID plus @ref ECHONET_CTL_RESTORE_TID_SKIP
 * (1024). Save again before that many requests have gone out since the last
 * save, and no TID is reused after a crash (AIF 2.4.3).
 * @param ctl the controller (no node known yet).
 * @param buf the snapshot.
 * @param len its length.
 * @param now the current time.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, or the controller already knows nodes.
 * @retval ECHONET_ERR_SNAPSHOT not a snapshot of this version, truncated, or its CRC is wrong.
 * @retval ECHONET_ERR_FULL more nodes or objects than the storage holds.
 */
ECHONET_API echonet_err echonet_ctl_restore(echonet_ctl *ctl, const uint8_t *buf, size_t len, echonet_tstamp now);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_CONTROLLER_H */
