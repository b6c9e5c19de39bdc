/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file node.h
 * @brief The device side: objects, request handling, announcements and the
 *        node profile, without I/O.
 *
 * @defgroup node Device node
 * @brief Objects backed by property tables and an accessor interface, and a
 *        node that answers requests for them.
 *
 * An @ref echonet_object is an EOJ, a descriptor table (in flash) and the
 * application's accessors for the values. An @ref echonet_node holds the
 * objects (in caller storage) plus a built-in node profile object 0x0EF001
 * whose properties (0x80, 0x82, 0x83, 0x8A, 0x9D-0x9F, 0xD3-0xD7) are
 * derived from the node's objects.
 *
 * The node is sans-I/O. The application passes each received datagram to
 * echonet_node_read() (or, decoded, to echonet_node_read_frame()) with the
 * sender's address, then calls
 * echonet_node_write() until it returns 0, sending each datagram it gets;
 * echonet_node_expiry() tells when to call echonet_node_write() again for
 * the objects' timers. Requests are processed when they are written out, so
 * the values read and written are those of that moment.
 *
 * Request handling follows ECHONET Lite Part 2 section 4.2 as the project
 * reference (sections 3.2-3.4) distils it: unknown DEOJ → silence; instance
 * 0x00 → one response per instance; node profile as 0x0EF000/01/02; the
 * response ESV is chosen after every property is processed; SNA responses
 * carry PDC 0 for unreadable properties and echo refused Set values;
 * properties are answered in request order; responses go to the requester
 * (unicast) even for multicast requests; the INF answering an INF_REQ is
 * multicast (see doc/decisions.md).
 * @{
 */
#ifndef ECHONET_NODE_H
#define ECHONET_NODE_H

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

ECHONET_BEGIN_DECLS

/** @brief Where a write to an object comes from. */
typedef enum echonet_set_source {
    /** A SetI, SetC or SetGet from the network. */
    ECHONET_SET_NETWORK = 0,
    /** The device itself: its handset remote, its sensors, its own logic. */
    ECHONET_SET_LOCAL = 1
} echonet_set_source;

/**
 * @brief The application's accessors for one object's values.
 *
 * Callbacks run inside echonet_node_write() and echonet_node_set_local();
 * they must not call back into the node.
 */
typedef struct echonet_object_ops {
    /**
     * Required. Reads the current value of @p epc into @p edt.
     * @param ctx the object's context pointer.
     * @param epc a property of the object's table (never 0x9D-0x9F, which
     *        the node derives itself).
     * @param edt where the value goes.
     * @param cap bytes at @p edt (at least the descriptor's size).
     * @return the value's length (0 to @p cap), or a negative
     *         @ref echonet_err when it cannot be read now (answered as not
     *         processed).
     */
    int (*get)(void *ctx, uint8_t epc, uint8_t *edt, size_t cap);
    /**
     * Optional (NULL: nothing can be written). Applies a value already
     * checked against the property's descriptor.
     * @param ctx the object's context pointer.
     * @param epc the property.
     * @param edt the value.
     * @param pdc bytes at @p edt.
     * @param source network or local.
     * @param now the current time.
     * @return 1 when the stored value changed (it is announced if in 0x9D),
     *         0 when accepted without a change, or a negative
     *         @ref echonet_err to refuse (answered SNA, value echoed).
     */
    int (*set)(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
               echonet_tstamp now);
    /**
     * Optional. The object's next deadline.
     * @param ctx the object's context pointer.
     * @return a time, or @ref ECHONET_TSTAMP_NEVER.
     */
    echonet_tstamp (*expiry)(void *ctx);
    /**
     * Optional. Called from echonet_node_write() once @c expiry has passed.
     * @param ctx the object's context pointer.
     * @param now the current time.
     * @param changed receives the EPCs whose values changed (announced when
     *        they are in 0x9D).
     */
    void (*handle_expiry)(void *ctx, echonet_tstamp now, echonet_propmap *changed);
} echonet_object_ops;

/** @brief One ECHONET object of a node. Fields are private. */
typedef struct echonet_object {
    echonet_eoj eoj;                 /**< @private */
    const echonet_prop_desc *props;  /**< @private the class table */
    size_t n_props;                  /**< @private */
    const echonet_prop_desc *overlay; /**< @private searched first (maker or profile rules), or NULL */
    const echonet_prop_desc *super;  /**< @private searched last (the superclass), or NULL */
    uint8_t n_overlay;               /**< @private */
    uint8_t n_super;                 /**< @private */
    echonet_propmap omit;            /**< @private properties of the table this device lacks */
    echonet_propmap in_overlay;      /**< @private the EPCs of @c overlay */
    const echonet_object_ops *ops;   /**< @private */
    void *ctx;                       /**< @private */
    echonet_propmap pending;         /**< @private announcements due */
    /** @private for a table in rising EPC order, where each row of 8 EPCs
     *  (0x80-0x87, 0x88-0x8F...) starts in @c props; row[16] = n_props.
     *  row[0] is 255 for another table, and for every table when the
     *  library is optimised for size (searched from start to end). */
    uint8_t row[17];
} echonet_object;

/**
 * @brief Prepares an object.
 * @param obj the object.
 * @param eoj its EOJ: a real instance (0x01-0x7F), not the node profile.
 * @param props the class's descriptor table (kept by pointer: it must stay valid).
 * @param n_props entries in @p props.
 * @param omit if not NULL, optional properties of the table this device does
 *        not have (copied).
 * @param ops the accessors (kept by pointer); @c get is required.
 * @param ctx passed to every accessor.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL argument, no @c get accessor, or an
 *         EOJ with instance 0x00 or of the node profile class.
 * @retval ECHONET_ERR_TABLE the table is malformed (echonet_prop_desc_validate()).
 * @retval ECHONET_ERR_MANDATORY @p omit names a mandatory property.
 */
ECHONET_API echonet_err echonet_object_init(echonet_object *obj, echonet_eoj eoj, const echonet_prop_desc *props,
                                            size_t n_props, const echonet_propmap *omit,
                                            const echonet_object_ops *ops, void *ctx);

/**
 * @brief Prepares an object of a device class: its superclass table, its
 *        class table and an optional overlay chained in flash, nothing
 *        copied.
 *
 * A property is looked up in @p overlay first, then in the class table,
 * then in the superclass table: the first entry found is the property's.
 * The overlay holds maker-specific properties (EPC 0xF0-0xFF) and stricter
 * rules a profile lays on the class's (the AIF air-conditioner rules, a
 * product's narrower ranges); it may not make a mandatory property
 * optional.
 * @param obj the object.
 * @param eoj its EOJ: a real instance (0x01-0x7F) of @p cls's class.
 * @param cls the class (a generated table of classes.h, or one of the
 *        application's), kept by pointer.
 * @param overlay entries searched before the class's; may be NULL when
 *        @p n_overlay is 0. Kept by pointer.
 * @param n_overlay entries in @p overlay (at most 128).
 * @param omit if not NULL, optional properties this device does not have (copied).
 * @param ops the accessors (kept by pointer); @c get is required.
 * @param ctx passed to every accessor.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL argument, no @c get accessor, an
 *         EOJ with instance 0x00, of the node profile class or of another
 *         class than @p cls, or @p n_overlay above 128.
 * @retval ECHONET_ERR_TABLE a table is malformed (echonet_prop_desc_validate()),
 *         or has more than 255 entries.
 * @retval ECHONET_ERR_MANDATORY @p omit names a mandatory property, or an
 *         overlay entry replaces a mandatory property without
 *         @ref ECHONET_ACCESS_MANDATORY (the object would lack a property
 *         the class requires).
 */
ECHONET_API echonet_err echonet_object_init_class(echonet_object *obj, echonet_eoj eoj, const echonet_class *cls,
                                                  const echonet_prop_desc *overlay, size_t n_overlay,
                                                  const echonet_propmap *omit, const echonet_object_ops *ops,
                                                  void *ctx);

/**
 * @brief The descriptor of a property the object has (after its omitted
 *        properties and the lookup order of echonet_object_init_class()).
 * @param obj the object.
 * @param epc the property.
 * @return the descriptor, or NULL (no such property, or @p obj NULL).
 */
ECHONET_API const echonet_prop_desc *echonet_object_desc(const echonet_object *obj, uint8_t epc);

/**
 * @brief The object's property maps, as served in 0x9D, 0x9E and 0x9F.
 *
 * Derived from the table less the omitted properties; the Get map always
 * holds 0x9D, 0x9E and 0x9F.
 * @param obj the object.
 * @param anno receives the announce map (0x9D); may be NULL.
 * @param set receives the Set map (0x9E); may be NULL.
 * @param get receives the Get map (0x9F); may be NULL.
 */
ECHONET_API void echonet_object_maps(const echonet_object *obj, echonet_propmap *anno, echonet_propmap *set,
                                     echonet_propmap *get);

/** @brief What identifies a node: the node profile's fixed properties. */
typedef struct echonet_node_config {
    uint8_t manufacturer[3]; /**< manufacturer code (0x8A), also in 0x83 */
    uint8_t unique_id[13];   /**< bytes 5-17 of the identification number 0x83 */
    /** Process at most this many properties of a request and answer the
     *  rest as not processed, as some real devices do (0: no limit). */
    uint8_t max_opc;
} echonet_node_config;

/** @brief A queue slot for a request waiting to be answered. Fields are private. */
typedef struct echonet_node_request {
    echonet_addr src;                          /**< @private */
    uint32_t len;                              /**< @private (65547 bytes fit: not uint16_t) */
    uint8_t frame[ECHONET_NODE_REQUEST_MAX];   /**< @private */
} echonet_node_request;

/**
 * @brief What a node met in the requests it was given, for the field: read
 *        with echonet_node_get_stats(). The counts wrap at 2^32.
 */
typedef struct echonet_node_stats {
    /** Requests answered whose datagram went on after their last declared
     *  property: the bytes after it were ignored (doc/decisions.md). */
    uint32_t trailing;
    /** Well-formed requests dropped unanswered because they are longer
     *  than @ref ECHONET_NODE_REQUEST_MAX, for which echonet_node_read()
     *  returned ECHONET_ERR_TOO_LONG. A count above 0 says the option is
     *  too small for the controllers this node meets (doc/configuration.md). */
    uint32_t too_long;
} echonet_node_stats;

/** @brief A device node. Fields are private. */
typedef struct echonet_node {
    echonet_node_config cfg;          /**< @private */
    echonet_object profile;           /**< @private the node profile 0x0EF001 */
    echonet_object **objects;         /**< @private */
    size_t n_objects;                 /**< @private */
    size_t cap_objects;               /**< @private */
    echonet_node_request *queue;      /**< @private */
    size_t cap_queue;                 /**< @private */
    size_t head;                      /**< @private */
    size_t queued;                    /**< @private */
    size_t fanout;                    /**< @private next object for the head request */
    echonet_frame head_frame;         /**< @private the head request, decoded (when @c head_decoded) */
    bool head_decoded;                /**< @private */
    size_t d5_next;                   /**< @private next 0xD5 page's first object */
    bool d5_pending;                  /**< @private */
    uint16_t tid;                     /**< @private TID of the next announcement */
    echonet_node_stats stats;         /**< @private */
} echonet_node;

/**
 * @brief Prepares a node with no device objects yet; queues the 0xD5
 *        instance-list announcement of start-up.
 * @param node the node.
 * @param cfg identification (copied).
 * @param slots storage for @p n_slots object pointers.
 * @param n_slots the most objects the node will hold.
 * @param queue storage for @p n_queue pending requests (at least 1).
 * @param n_queue queue slots.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, or @p n_queue 0.
 */
ECHONET_API echonet_err echonet_node_init(echonet_node *node, const echonet_node_config *cfg,
                                          echonet_object **slots, size_t n_slots, echonet_node_request *queue,
                                          size_t n_queue);

/**
 * @brief Adds an object (kept by pointer) and queues a 0xD5 announcement.
 * @param node the node.
 * @param obj an object prepared by echonet_object_init().
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_DUPLICATE an object with the same EOJ is already there.
 * @retval ECHONET_ERR_FULL every slot is taken.
 */
ECHONET_API echonet_err echonet_node_add(echonet_node *node, echonet_object *obj);

/**
 * @brief Removes an object and queues a 0xD5 announcement.
 * @param node the node.
 * @param eoj the object's EOJ.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p node is NULL.
 * @retval ECHONET_ERR_NOT_FOUND no such object.
 */
ECHONET_API echonet_err echonet_node_remove(echonet_node *node, echonet_eoj eoj);

/**
 * @brief Finds an object by EOJ (the node profile under any of its spellings).
 * @param node the node.
 * @param eoj a real instance.
 * @return the object, or NULL.
 */
ECHONET_API echonet_object *echonet_node_find(echonet_node *node, echonet_eoj eoj);

/** @brief echonet_node_read(): the datagram was handled (queued or dropped by rule). */
#define ECHONET_NODE_HANDLED 0
/** @brief echonet_node_read(): a response or notification, for the caller's controller. */
#define ECHONET_NODE_FORWARD 1

/**
 * @brief Takes a received datagram.
 *
 * A request to an object of this node is queued (answered by
 * echonet_node_write()); a request to no object of this node is dropped
 * silently. Responses and notifications are left untouched for a controller
 * (INFC is both: its INFC_Res is queued and it is forwarded). Bytes after
 * the last declared property of a request are ignored (reference 2.4,
 * tolerance) and the request counted in echonet_node_stats.trailing.
 * @param node the node.
 * @param src the sender (copied; the answer goes there).
 * @param buf the datagram; read only during the call.
 * @param len its length.
 * @return @ref ECHONET_NODE_HANDLED, @ref ECHONET_NODE_FORWARD, or an error.
 *         The node's own refusals are ECHONET_ERR_INVALID_ARG,
 *         ECHONET_ERR_FULL and ECHONET_ERR_TOO_LONG; every other error is
 *         echonet_frame_decode()'s verdict on a malformed frame.
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_FULL the request queue is full: call echonet_node_write()
 *         first; nothing was kept.
 * @retval ECHONET_ERR_TOO_LONG a request (its frame, without bytes after
 *         it) longer than @ref ECHONET_NODE_REQUEST_MAX, dropped without an
 *         answer and counted in echonet_node_stats.too_long (a malformed
 *         format 2 frame longer than any frame is also reported so, by the
 *         decoder).
 */
ECHONET_API int32_t echonet_node_read(echonet_node *node, const echonet_addr *src, const uint8_t *buf,
                                      size_t len);

/**
 * @brief Takes a received datagram that the caller has already decoded.
 *
 * The same as echonet_node_read() without the decoding, for a program that
 * also runs a controller and decodes each datagram once
 * (echonet_ctl_read_frame() takes the same frame). A request kept is copied
 * from the frame's bytes, which need stay valid only during the call. The
 * bytes that followed the frame in its datagram are not known here, so such
 * a request is not counted in echonet_node_stats.trailing (decode with
 * echonet_frame_decode() to tolerate them, or echonet_frame_decode_udp() to
 * refuse them).
 * @param node the node.
 * @param src the sender (copied; the answer goes there).
 * @param frame a frame from echonet_frame_decode() or
 *        echonet_frame_decode_udp(), unchanged (its views point into the
 *        datagram, the frame's first byte 4 bytes before @c edata).
 * @return @ref ECHONET_NODE_HANDLED, @ref ECHONET_NODE_FORWARD, or an error:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer (also a frame without
 *         @c edata).
 * @retval ECHONET_ERR_FULL the request queue is full: call echonet_node_write()
 *         first; nothing was kept.
 * @retval ECHONET_ERR_TOO_LONG a request longer than
 *         @ref ECHONET_NODE_REQUEST_MAX, dropped without an answer and
 *         counted in echonet_node_stats.too_long.
 */
ECHONET_API int32_t echonet_node_read_frame(echonet_node *node, const echonet_addr *src,
                                            const echonet_frame *frame);

/**
 * @brief Reads the node's counters (echonet_node_stats).
 * @param node the node.
 * @param stats receives the counters.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 */
ECHONET_API echonet_err echonet_node_get_stats(const echonet_node *node, echonet_node_stats *stats);

/**
 * @brief Produces the next datagram to send: answers to queued requests
 *        first, then announcements. Runs the objects' timers that are due.
 * @param node the node.
 * @param dst receives the destination when @p multicast is false.
 * @param multicast receives true for a datagram to all nodes (224.0.23.0 /
 *        ff02::1), false for @p dst.
 * @param buf where the datagram goes.
 * @param cap bytes at @p buf. A buffer at least as long as the request
 *        always holds a well-formed answer: values that do not fit are
 *        answered as not processed (the request's ESV's SNA form), as
 *        devices that process only part of a request do.
 * @param now the current time.
 * @return the datagram's length, 0 when there is nothing to send, or an error:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer.
 * @retval ECHONET_ERR_NOBUF @p cap is shorter than the pending request (or
 *         than 269 bytes for an announcement); nothing was processed: call
 *         again with a larger buffer.
 */
ECHONET_API int32_t echonet_node_write(echonet_node *node, echonet_addr *dst, bool *multicast, uint8_t *buf,
                                       size_t cap, echonet_tstamp now);

/**
 * @brief When echonet_node_write() must next be called for the objects' timers.
 * @param node the node.
 * @return the earliest deadline, or @ref ECHONET_TSTAMP_NEVER.
 */
ECHONET_API echonet_tstamp echonet_node_expiry(const echonet_node *node);

/**
 * @brief Changes a value from the device's side (handset remote, sensor,
 *        internal logic) and announces it when it is in 0x9D.
 *
 * The value is checked against the descriptor as a read value (read-only
 * codes such as 0xFD are allowed; Set access is not needed) and passed to
 * the @c set accessor with @ref ECHONET_SET_LOCAL.
 * @param node the node.
 * @param eoj the object.
 * @param epc the property.
 * @param edt the value.
 * @param pdc bytes at @p edt.
 * @param now the current time.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG a NULL pointer, or no @c set accessor.
 * @retval ECHONET_ERR_NOT_FOUND no such object or property.
 * @retval ECHONET_ERR_VALUE_SIZE, ECHONET_ERR_VALUE the value does not fit the descriptor.
 * @return or the accessor's own negative code.
 */
ECHONET_API echonet_err echonet_node_set_local(echonet_node *node, echonet_eoj eoj, uint8_t epc,
                                               const uint8_t *edt, size_t pdc, echonet_tstamp now);

/**
 * @brief Tells the node that a value changed behind its back, so that it is
 *        announced when it is in 0x9D.
 * @param node the node.
 * @param eoj the object.
 * @param epc the property.
 * @return @ref ECHONET_OK or an error code:
 * @retval ECHONET_ERR_INVALID_ARG @p node is NULL.
 * @retval ECHONET_ERR_NOT_FOUND no such object or property.
 */
ECHONET_API echonet_err echonet_node_changed(echonet_node *node, echonet_eoj eoj, uint8_t epc);

ECHONET_END_DECLS

/** @} */
#endif /* ECHONET_NODE_H */
