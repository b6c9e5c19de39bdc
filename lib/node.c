/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Device-side request handling (reference 3.2-3.4, 10) and announcements. */
#include <string.h>

#include "echonet/frame.h"
#include "esv_internal.h"
#include "noinline.h"
#include "node_internal.h"
#include "propdesc_internal.h"
#include "propmap_internal.h"
#include "writer_internal.h"

/* Offset of the ESV in a format 1 frame: the answer's ESV is settled there
 * once every property is processed (reference 12). */
#define OFF_ESV 10u
/* Room for the largest EDT plus the frame around one property. */
#define ONE_PROPERTY_FRAME (ECHONET_HEADER_LEN + 2u + 255u)

/* ---- Objects ------------------------------------------------------------ */

void echonet_object_rows(echonet_object *obj)
{
    size_t i, r = 0;

    /* When optimising for size every lookup walks the tables (a shortcut:
     * the rows and the overlay's bitmap cost code, not only RAM). */
    if (!ECHONET_SHORTCUTS) {
        obj->row[0] = 255;
        return;
    }
    for (i = 0; i < obj->n_props; i++) {
        if (i > 0 && obj->props[i - 1].epc >= obj->props[i].epc) {
            obj->row[0] = 255;
            return;
        }
        while (r <= (size_t)((obj->props[i].epc - 0x80u) >> 3))
            obj->row[r++] = (uint8_t)i;
    }
    while (r < sizeof obj->row)
        obj->row[r++] = (uint8_t)obj->n_props;
}

/* Whether an object may be made of these: accessors with a get, a real
 * instance of a device class. */
static bool object_args_ok(const echonet_object *obj, echonet_eoj eoj, const echonet_object_ops *ops)
{
    return obj && ops && ops->get && eoj <= 0xFFFFFFu && ECHONET_EOJ_INSTANCE(eoj) != ECHONET_INSTANCE_ALL &&
           ECHONET_EOJ_CLASS(eoj) != ECHONET_CLASS_NODE_PROFILE;
}

/* Whether omit names a mandatory entry of table (n entries). */
static bool omits_mandatory(const echonet_prop_desc *table, size_t n, const echonet_propmap *omit)
{
    size_t i;

    for (i = 0; omit && i < n; i++)
        if ((table[i].access & ECHONET_ACCESS_MANDATORY) && echonet_propmap_contains(omit, table[i].epc))
            return true;
    return false;
}

/* The object of a table that is valid (checked by the caller, or one of the
 * library's own); omit, if not NULL, already checked. */
static void object_setup(echonet_object *obj, echonet_eoj eoj, const echonet_prop_desc *props, size_t n_props,
                         const echonet_propmap *omit, const echonet_object_ops *ops, void *ctx)
{
    memset(obj, 0, sizeof *obj);
    obj->eoj = eoj;
    obj->props = props;
    obj->n_props = n_props;
    if (omit)
        obj->omit = *omit;
    obj->ops = ops;
    obj->ctx = ctx;
    echonet_object_rows(obj);
}

echonet_err echonet_object_init(echonet_object *obj, echonet_eoj eoj, const echonet_prop_desc *props, size_t n_props,
                                const echonet_propmap *omit, const echonet_object_ops *ops, void *ctx)
{
    echonet_err err;

    if (!props || !object_args_ok(obj, eoj, ops))
        return ECHONET_ERR_INVALID_ARG;
    err = echonet_prop_desc_validate(props, n_props);
    if (err != ECHONET_OK)
        return err == ECHONET_ERR_INVALID_ARG ? ECHONET_ERR_TABLE : err;
    if (omits_mandatory(props, n_props, omit))
        return ECHONET_ERR_MANDATORY;
    object_setup(obj, eoj, props, n_props, omit, ops, ctx);
    return ECHONET_OK;
}

/* Whether a mandatory entry of table (n entries) is shadowed by an overlay
 * entry that is not mandatory. */
static bool shadows_mandatory(const echonet_prop_desc *table, size_t n, const echonet_prop_desc *overlay,
                              size_t n_overlay)
{
    const echonet_prop_desc *o;
    size_t i;

    for (i = 0; i < n; i++)
        if ((table[i].access & ECHONET_ACCESS_MANDATORY) &&
            (o = echonet_prop_desc_find(overlay, n_overlay, table[i].epc)) != NULL &&
            !(o->access & ECHONET_ACCESS_MANDATORY))
            return true;
    return false;
}

/* Whether the arguments of echonet_object_init_class() may make an object
 * (the tables' contents aside). */
static bool class_args_ok(const echonet_object *obj, echonet_eoj eoj, const echonet_class *cls,
                          const echonet_prop_desc *overlay, size_t n_overlay, const echonet_object_ops *ops)
{
    return cls && (overlay || n_overlay == 0) && n_overlay <= 128 && ECHONET_EOJ_CLASS(eoj) == cls->code &&
           object_args_ok(obj, eoj, ops);
}

echonet_err object_init_chained(echonet_object *obj, echonet_eoj eoj, const echonet_class *cls,
                                const echonet_prop_desc *overlay, size_t n_overlay, const echonet_propmap *omit,
                                const echonet_object_ops *ops, void *ctx)
{
    const echonet_class *super;

    if (!class_args_ok(obj, eoj, cls, overlay, n_overlay, ops))
        return ECHONET_ERR_INVALID_ARG;
    super = cls->super;
    if (super && super->super)
        return ECHONET_ERR_TABLE;
    /* A mandatory property of any layer may not be omitted. */
    if (omits_mandatory(cls->props, cls->n_props, omit) ||
        (super && omits_mandatory(super->props, super->n_props, omit)) ||
        omits_mandatory(overlay, n_overlay, omit))
        return ECHONET_ERR_MANDATORY;
    object_setup(obj, eoj, cls->props, cls->n_props, omit, ops, ctx);
    obj->overlay = overlay;
    obj->n_overlay = (uint8_t)n_overlay;
    obj->super = super ? super->props : NULL;
    obj->n_super = super ? super->n_props : 0;
    if (ECHONET_SHORTCUTS)
        echonet_prop_desc_map(&obj->in_overlay, overlay, n_overlay, 0, NULL);
    return ECHONET_OK;
}

echonet_err echonet_object_init_class(echonet_object *obj, echonet_eoj eoj, const echonet_class *cls,
                                      const echonet_prop_desc *overlay, size_t n_overlay, const echonet_propmap *omit,
                                      const echonet_object_ops *ops, void *ctx)
{
    if (!class_args_ok(obj, eoj, cls, overlay, n_overlay, ops))
        return ECHONET_ERR_INVALID_ARG;
    if ((cls->super && echonet_prop_desc_validate(cls->super->props, cls->super->n_props) != ECHONET_OK) ||
        echonet_prop_desc_validate(overlay, n_overlay) != ECHONET_OK ||
        echonet_prop_desc_validate(cls->props, cls->n_props) != ECHONET_OK)
        return ECHONET_ERR_TABLE;
    /* Nor may the overlay make it optional. */
    if (shadows_mandatory(cls->props, cls->n_props, overlay, n_overlay) ||
        (cls->super && shadows_mandatory(cls->super->props, cls->super->n_props, overlay, n_overlay)))
        return ECHONET_ERR_MANDATORY;
    return object_init_chained(obj, eoj, cls, overlay, n_overlay, omit, ops, ctx);
}

/* object_desc() of an object whose table is out of EPC order (row[0]
 * 255), or of any object when optimising for size: the overlay first, then
 * the class table, then the superclass. */
#if ECHONET_SHORTCUTS
#define UNSORTED_NOINLINE ECHONET_NOINLINE /* out of the answer loop */
#else
#define UNSORTED_NOINLINE inline /* object_desc() itself */
#endif
static UNSORTED_NOINLINE const echonet_prop_desc *object_desc_unsorted(const echonet_object *obj, uint8_t epc)
{
    const echonet_prop_desc *d = echonet_prop_desc_find(obj->overlay, obj->n_overlay, epc);

    if (!d)
        d = echonet_prop_desc_find(obj->props, obj->n_props, epc);
    /* The superclass last: a class may redefine its properties. */
    return d ? d : echonet_prop_desc_find(obj->super, obj->n_super, epc);
}

/* The descriptor of a property this object really has, or NULL. */
/* HOT_INLINE (propdesc_internal.h): in the answer loop unless optimising
 * for size, and then out of line, once. */
static HOT_INLINE ECHONET_NOINLINE_FOR_SIZE const echonet_prop_desc *object_desc(const echonet_object *obj,
                                                                                 uint8_t epc)
{
    size_t i, end;

    if (epc < 0x80u || propmap_has(&obj->omit, epc))
        return NULL;
    if (!ECHONET_SHORTCUTS || obj->row[0] != 0)
        return object_desc_unsorted(obj, epc);
    /* The overlay only for the EPCs it has (a bit each); then the class
     * table in rising EPC order (row[0] 0): the property is among the few
     * entries of its row; the superclass last. */
    if (propmap_has(&obj->in_overlay, epc)) {
        for (i = 0; obj->overlay[i].epc != epc; i++)
            ; /* it is there: the bit says so */
        return &obj->overlay[i];
    }
    end = obj->row[((epc - 0x80u) >> 3) + 1];
    for (i = obj->row[(epc - 0x80u) >> 3]; i < end; i++)
        if (obj->props[i].epc == epc)
            return &obj->props[i];
    return obj->n_super ? echonet_prop_desc_find(obj->super, obj->n_super, epc) : NULL;
}

const echonet_prop_desc *echonet_object_desc(const echonet_object *obj, uint8_t epc)
{
    return obj ? object_desc(obj, epc) : NULL;
}

/* The maps of an object with chained tables: each layer's entries that are
 * the object's (not shadowed by an earlier layer, not omitted). */
static void chained_map(const echonet_object *obj, echonet_propmap *map, uint8_t access)
{
    const echonet_prop_desc *layer[3] = {obj->overlay, obj->props, obj->super};
    size_t n[3] = {obj->n_overlay, obj->n_props, obj->n_super}, l, i;

    echonet_propmap_init(map);
    for (l = 0; l < 3; l++)
        for (i = 0; i < n[l]; i++)
            if ((layer[l][i].access & access) == access && object_desc(obj, layer[l][i].epc) == &layer[l][i])
                (void)echonet_propmap_add(map, layer[l][i].epc);
}

static void object_map(const echonet_object *obj, echonet_propmap *map, uint8_t access)
{
    if (!map)
        return;
    /* One table: its map without a lookup per entry, unless optimising for
     * size (a shortcut: chained_map() gives the same map). */
    if (ECHONET_SHORTCUTS && obj->n_overlay == 0 && obj->n_super == 0)
        echonet_prop_desc_map(map, obj->props, obj->n_props, access, &obj->omit);
    else
        chained_map(obj, map, access);
}

void echonet_object_maps(const echonet_object *obj, echonet_propmap *anno, echonet_propmap *set, echonet_propmap *get)
{
    if (!obj)
        return;
    object_map(obj, anno, ECHONET_ACCESS_ANNO);
    object_map(obj, set, ECHONET_ACCESS_SET);
    if (get) {
        object_map(obj, get, ECHONET_ACCESS_GET);
        (void)echonet_propmap_add(get, 0x9D);
        (void)echonet_propmap_add(get, 0x9E);
        (void)echonet_propmap_add(get, 0x9F);
    }
}

/* Reads a property for an answer or an announcement into edt (cap bytes).
 * Returns its length, or a negative code when it cannot be read
 * (ECHONET_ERR_NOBUF when it does not fit in cap). */
static HOT_INLINE int object_read(const echonet_object *obj, uint8_t epc, uint8_t *edt, size_t cap)
{
    const echonet_prop_desc *d;
    echonet_propmap map;
    size_t len = 0;
    int n;

    if (epc >= 0x9D && epc <= 0x9F) {
        /* Derived from the table, never stored (issue: maps written by hand lie). */
        echonet_object_maps(obj, epc == 0x9D ? &map : NULL, epc == 0x9E ? &map : NULL, epc == 0x9F ? &map : NULL);
        if (echonet_propmap_encode(&map, edt, cap, &len) != ECHONET_OK)
            return ECHONET_ERR_NOBUF;
        return (int)len;
    }
    d = object_desc(obj, epc);
    if (!d || !(d->access & ECHONET_ACCESS_GET))
        return ECHONET_ERR_NOT_FOUND;
    /* The accessor is promised room for the largest value the descriptor
     * allows; near the end of an answer there may be less. */
    if (cap < (d->size_alt != ECHONET_SIZE_VARIABLE && d->size_alt > d->size ? d->size_alt : d->size))
        return ECHONET_ERR_NOBUF;
    n = obj->ops->get(obj->ctx, epc, edt, cap);
    if (n < 0)
        return n;
    /* Never put a value on the wire that breaks the descriptor (the check
     * without a call unless optimising for size). */
    if ((size_t)n > cap || (ECHONET_SHORTCUTS ? prop_desc_check(d, edt, (size_t)n, false)
                                              : echonet_prop_desc_check(d, edt, (size_t)n, false)) != ECHONET_OK)
        return ECHONET_ERR_VALUE;
    return n;
}

/* Applies a write after checking it; marks the property for announcement
 * when the value changed and it is in the announce map. */
static echonet_err object_write(echonet_object *obj, uint8_t epc, const uint8_t *edt, size_t pdc,
                                echonet_set_source source, echonet_tstamp now)
{
    const echonet_prop_desc *d = object_desc(obj, epc);
    echonet_err err;
    int r;

    if (!d)
        return ECHONET_ERR_NOT_FOUND;
    if (source == ECHONET_SET_NETWORK && !(d->access & ECHONET_ACCESS_SET))
        return ECHONET_ERR_ACCESS;
    if (!obj->ops->set)
        return ECHONET_ERR_ACCESS;
    err = echonet_prop_desc_check(d, edt, pdc, source == ECHONET_SET_NETWORK);
    if (err != ECHONET_OK)
        return err;
    r = obj->ops->set(obj->ctx, epc, edt, pdc, source, now);
    if (r < 0)
        return (echonet_err)r;
    if (r > 0 && (d->access & ECHONET_ACCESS_ANNO))
        (void)echonet_propmap_add(&obj->pending, epc);
    return ECHONET_OK;
}

/* ---- Node --------------------------------------------------------------- */

echonet_err echonet_node_init(echonet_node *node, const echonet_node_config *cfg, echonet_object **slots,
                              size_t n_slots, echonet_node_request *queue, size_t n_queue)
{
    if (!node || !cfg || (!slots && n_slots > 0) || !queue || n_queue == 0)
        return ECHONET_ERR_INVALID_ARG;
    memset(node, 0, sizeof *node);
    node->cfg = *cfg;
    node->objects = slots;
    node->cap_objects = n_slots;
    node->queue = queue;
    node->cap_queue = n_queue;
    node->d5_pending = true; /* instance list at start-up (reference 6.2) */
    echonet_nodeprofile_init(node);
    return ECHONET_OK;
}

echonet_object *echonet_node_find(echonet_node *node, echonet_eoj eoj)
{
    size_t i;

    if (!node)
        return NULL;
    if (echonet_eoj_is_node_profile(eoj))
        return &node->profile;
    for (i = 0; i < node->n_objects; i++)
        if (node->objects[i]->eoj == eoj)
            return node->objects[i];
    return NULL;
}

echonet_err echonet_node_add(echonet_node *node, echonet_object *obj)
{
    if (!node || !obj)
        return ECHONET_ERR_INVALID_ARG;
    if (echonet_node_find(node, obj->eoj))
        return ECHONET_ERR_DUPLICATE;
    if (node->n_objects == node->cap_objects)
        return ECHONET_ERR_FULL;
    node->objects[node->n_objects++] = obj;
    node->d5_pending = true; /* the instance configuration changed */
    node->d5_next = 0;
    return ECHONET_OK;
}

echonet_err echonet_node_remove(echonet_node *node, echonet_eoj eoj)
{
    size_t i;

    if (!node)
        return ECHONET_ERR_INVALID_ARG;
    for (i = 0; i < node->n_objects; i++) {
        if (node->objects[i]->eoj != eoj)
            continue;
        memmove(&node->objects[i], &node->objects[i + 1], (node->n_objects - i - 1) * sizeof node->objects[0]);
        node->n_objects--;
        node->d5_pending = true;
        node->d5_next = 0;
        return ECHONET_OK;
    }
    return ECHONET_ERR_NOT_FOUND;
}

/* Object i of the walk over every object a DEOJ may address: 0 is the node
 * profile, 1..n the device objects. */
static echonet_object *walk_object(echonet_node *node, size_t i)
{
    return i == 0 ? &node->profile : (i <= node->n_objects ? node->objects[i - 1] : NULL);
}

/* The first object from walk index *i on that @p deoj addresses. */
static echonet_object *next_target(echonet_node *node, echonet_eoj deoj, size_t *i)
{
    echonet_object *obj;

    /* The same EOJ, the usual case, is told without a call; another class
     * never matches. */
    for (; (obj = walk_object(node, *i)) != NULL; (*i)++)
        if (deoj == obj->eoj ||
            (ECHONET_EOJ_CLASS(deoj) == ECHONET_EOJ_CLASS(obj->eoj) && echonet_eoj_matches(deoj, obj->eoj)))
            return obj;
    return NULL;
}

/* echonet_node_read_frame(); trailing: bytes followed the frame in its
 * datagram (counted when the request is kept). */
static int32_t take_frame(echonet_node *node, const echonet_addr *src, const echonet_frame *f, bool trailing)
{
    echonet_node_request *slot;
    echonet_esv_kind kind;
    const uint8_t *buf;
    size_t i = 0;

    if (f->format != 1)
        return ECHONET_NODE_HANDLED; /* format 2 is not spoken here (AIF: format 1) */
    /* A request or INFC (the decoded ESV is a valid one). */
    if (!esv_needs_property(f->esv))
        return ECHONET_NODE_FORWARD;
    kind = f->esv == ECHONET_ESV_INFC ? ECHONET_ESV_KIND_NOTIFICATION_REQ : ECHONET_ESV_KIND_REQUEST;
    /* No object addressed: silence, not even SNA (reference 3.4 rule 1). */
    if (!next_target(node, f->deoj, &i))
        return kind == ECHONET_ESV_KIND_NOTIFICATION_REQ ? ECHONET_NODE_FORWARD : ECHONET_NODE_HANDLED;
    if (f->len > ECHONET_NODE_REQUEST_MAX) {
        node->stats.too_long++;
        return ECHONET_ERR_TOO_LONG;
    }
    if (node->queued == node->cap_queue)
        return ECHONET_ERR_FULL;
    if (trailing)
        node->stats.trailing++;
    /* The frame's bytes: EHD1, EHD2 and the TID (4 bytes) come before EDATA. */
    buf = f->edata - 4;
    slot = &node->queue[(node->head + node->queued) % node->cap_queue];
    slot->src = *src;
    slot->len = (uint32_t)f->len;
    memcpy(slot->frame, buf, f->len);
    if (node->queued++ == 0 && ECHONET_SHORTCUTS) {
        /* The head request: kept decoded, its views moved to the copy (a
         * shortcut: when optimising for size answer_next() decodes it). */
        echonet_frame *head = &node->head_frame;

        node->fanout = 0;
        *head = *f;
        head->props.pos = f->props.pos ? slot->frame + (f->props.pos - buf) : NULL;
        head->props_get.pos = f->props_get.pos ? slot->frame + (f->props_get.pos - buf) : NULL;
        head->edata = slot->frame + (f->edata - buf);
        node->head_decoded = true;
    }
    return kind == ECHONET_ESV_KIND_NOTIFICATION_REQ ? ECHONET_NODE_FORWARD : ECHONET_NODE_HANDLED;
}

int32_t echonet_node_read(echonet_node *node, const echonet_addr *src, const uint8_t *buf, size_t len)
{
    echonet_frame f;
    int32_t n;

    if (!node || !src)
        return ECHONET_ERR_INVALID_ARG;
    /* The stream form: bytes after the last declared property are ignored
     * (reference 2.4, tolerance; doc/decisions.md), the frame is n bytes. */
    n = echonet_frame_decode(&f, buf, len, NULL);
    if (n < 0)
        return n;
    return take_frame(node, src, &f, f.len != len);
}

int32_t echonet_node_read_frame(echonet_node *node, const echonet_addr *src, const echonet_frame *frame)
{
    if (!node || !src || !frame || !frame->edata)
        return ECHONET_ERR_INVALID_ARG;
    return take_frame(node, src, frame, false);
}

/* Where the next property's EDT goes in w's buffer, and how many bytes fit
 * there (at most 255). Values are read straight into place and then handed
 * to the writer, so no copy of a value sits on the stack. */
static uint8_t *value_room(const echonet_writer *w, size_t *room)
{
    if (w->err != ECHONET_OK || w->cap - w->len < 2u) {
        *room = 0;
        return NULL;
    }
    *room = w->cap - w->len - 2u < 255u ? w->cap - w->len - 2u : 255u;
    return w->buf + w->len + 2;
}

/* The answer of one object to a request, in buf. Returns its length, 0 when
 * no answer is due (SetI fully accepted). */
static size_t answer(echonet_node *node, echonet_object *obj, const echonet_frame *req, size_t req_len, uint8_t *buf,
                     size_t cap, bool *multicast, echonet_tstamp now)
{
    /* echonet_esv_response() and echonet_esv_sna() of a request or INFC
     * (what echonet_node_read() queues): the request's code + 0x10 and
     * - 0x10, none for SetI's success or INFC's SNA (reference 3.1); without
     * a call (a node links nothing else of esv.c). */
    uint8_t ok_esv = req->esv == ECHONET_ESV_INFC   ? ECHONET_ESV_INFC_RES
                     : req->esv == ECHONET_ESV_SETI ? 0
                                                    : (uint8_t)(req->esv + 0x10u);
    uint8_t sna = req->esv == ECHONET_ESV_INFC ? 0 : (uint8_t)(req->esv - 0x10u);
    bool setget = esv_setget(req->esv), all_ok = true, stop = false;
    /* Bytes the unanswered properties need in their "not processed" form,
     * which is never longer than in the request: kept free so that the
     * answer always fits in a buffer as long as the request. */
    size_t reserve = req_len - ECHONET_HEADER_LEN - (setget ? 1u : 0u);
    unsigned processed = 0, block;
    echonet_writer w;
    size_t len = 0;

    /* The answer is written without the writer's checks: it fits, as it
     * is never longer than the request (cap >= req_len) but for values
     * read, each of which is let in only if it fits (beside the room the
     * rest of the request needs); the header's ESV is a valid one. */
    writer_begin(&w, buf, cap, req->tid, obj->eoj, req->seoj, ok_esv ? ok_esv : sna);
    for (block = 0; block < (setget ? 2u : 1u); block++) {
        echonet_prop_iter it = block == 0 ? req->props : req->props_get;
        /* SetI, SetC and the Set block of SetGet write; INFC is acknowledged;
         * Get, INF_REQ and the Get block of SetGet read. */
        bool writes = (req->esv == ECHONET_ESV_SETI || req->esv == ECHONET_ESV_SETC || (setget && block == 0));
        echonet_prop p;

        if (block == 1)
            writer_get_block_placed(&w);
        /* The block as echonet_prop_next() walks it (decoded: no check). */
        for (; it.left > 0; it.left--, it.pos += 2u + p.pdc) {
            bool may = !stop && (node->cfg.max_opc == 0 || processed < node->cfg.max_opc);

            p.epc = it.pos[0];
            p.pdc = it.pos[1];
            p.edt = p.pdc ? it.pos + 2 : NULL;

            reserve -= 2u + p.pdc;
            if (req->esv == ECHONET_ESV_INFC) {
                writer_prop_put(&w, p.epc, 0, NULL); /* INFC_Res: PDC 0 (reference 3.4 rule 7) */
                continue;
            }
            if (may)
                processed++;
            if (writes) {
                if (may && object_write(obj, p.epc, p.edt, p.pdc, ECHONET_SET_NETWORK, now) == ECHONET_OK) {
                    writer_prop_put(&w, p.epc, 0, NULL);
                } else {
                    writer_prop_put(&w, p.epc, p.pdc, p.edt); /* refused: value echoed */
                    all_ok = false;
                }
            } else {
                size_t room;
                uint8_t *value = value_room(&w, &room);
                int n = may && value ? object_read(obj, p.epc, value, room) : ECHONET_ERR_NOT_FOUND;

                if ((may && !value) || (room < 255u && n == ECHONET_ERR_NOBUF) ||
                    (n >= 0 && (size_t)n + 2u + reserve > cap - w.len)) {
                    stop = true; /* no room: this and the rest go unprocessed */
                    n = ECHONET_ERR_NOBUF;
                }
                if (n >= 0) {
                    /* The value is in place (value_room(): no error yet,
                     * n <= room), it fits (tested above), the block is open
                     * (a valid ESV's header) and has at most 255 properties,
                     * as in the request. */
                    writer_prop_placed(&w, p.epc, (size_t)n);
                } else {
                    writer_prop_put(&w, p.epc, 0, NULL);
                    all_ok = false;
                }
            }
        }
    }
    /* What echonet_writer_finish() would say: the Get block of a SetGet is
     * open, and an answer has a property for each of the request's. */
    len = w.len;
    if (!all_ok)
        buf[OFF_ESV] = sna;
    else if (req->esv == ECHONET_ESV_SETI)
        return 0;
    /* The INF answering an INF_REQ goes to all nodes (doc/decisions.md). */
    *multicast = all_ok && req->esv == ECHONET_ESV_INF_REQ;
    return len;
}

static void pop_request(echonet_node *node)
{
    node->head = (node->head + 1) % node->cap_queue;
    node->queued--;
    node->fanout = 0;
    node->head_decoded = false;
}

/* Answers the head request for its next addressed object; the request
 * leaves the queue with its last answer, so its slot is free at once.
 * Returns the length, 0 when no answer was due, or an error. */
static int32_t answer_next(echonet_node *node, echonet_addr *dst, bool *multicast, uint8_t *buf, size_t cap,
                           echonet_tstamp now)
{
    echonet_node_request *req = &node->queue[node->head];
    const echonet_frame *f = &node->head_frame;
    echonet_object *obj;
    size_t len = 0;

    if (!node->head_decoded) {
        /* validated by echonet_node_read() */
        (void)echonet_frame_decode(&node->head_frame, req->frame, req->len, NULL);
        node->head_decoded = true;
    }
    obj = next_target(node, f->deoj, &node->fanout);
    if (obj) {
        if (cap < req->len)
            return ECHONET_ERR_NOBUF;
        node->fanout++;
        len = answer(node, obj, f, req->len, buf, cap, multicast, now);
        if (len > 0)
            *dst = req->src;
    }
    /* One object at most has a given device EOJ: only instance 0 and the
     * node profile's spellings can address more. */
    if ((ECHONET_EOJ_INSTANCE(f->deoj) != ECHONET_INSTANCE_ALL &&
         ECHONET_EOJ_CLASS(f->deoj) != ECHONET_CLASS_NODE_PROFILE) ||
        !next_target(node, f->deoj, &node->fanout))
        pop_request(node);
    return (int32_t)len;
}

/* One announcement (INF to all nodes, DEOJ 0x0EF001, reference 3.4 rule 8)
 * of as many of the object's pending properties as fit. */
static int32_t announce(echonet_node *node, echonet_object *obj, uint8_t *buf, size_t cap)
{
    echonet_writer w;
    unsigned epc;
    size_t props = 0;

    if (cap < ECHONET_HEADER_LEN)
        return ECHONET_ERR_NOBUF;
    /* Written without the writer's checks: each value is let in only if
     * it fits. */
    writer_begin(&w, buf, cap, node->tid, obj->eoj, ECHONET_EOJ_NODE_PROFILE, ECHONET_ESV_INF);
    for (epc = echonet_propmap_next(&obj->pending, 0); epc != ECHONET_PROPMAP_END;
         epc = echonet_propmap_next(&obj->pending, epc + 1)) {
        size_t room;
        uint8_t *value = value_room(&w, &room);
        int n = value ? object_read(obj, (uint8_t)epc, value, room) : ECHONET_ERR_NOBUF;

        if ((room < 255u && n == ECHONET_ERR_NOBUF) || (n >= 0 && w.len + 2u + (size_t)n > cap)) {
            if (props == 0)
                return ECHONET_ERR_NOBUF;
            break; /* the rest go in the next announcement */
        }
        echonet_propmap_remove(&obj->pending, (uint8_t)epc);
        if (n < 0)
            continue; /* unreadable now: nothing to announce */
        writer_prop_placed(&w, (uint8_t)epc, (size_t)n);
        props++;
    }
    if (props == 0)
        return 0;
    node->tid++;
    return (int32_t)w.len;
}

static int32_t announce_instances(echonet_node *node, uint8_t *buf, size_t cap)
{
    size_t left = node->n_objects - node->d5_next, n, room;
    echonet_writer w;
    uint8_t *list;

    if (cap < ECHONET_HEADER_LEN)
        return ECHONET_ERR_NOBUF;
    writer_begin(&w, buf, cap, node->tid, ECHONET_EOJ_NODE_PROFILE, ECHONET_EOJ_NODE_PROFILE, ECHONET_ESV_INF);
    /* The list is built in place, in the answer buffer. */
    list = value_room(&w, &room);
    if (!list || room < 1u + 3u * (left < NODEPROFILE_MAX_INSTANCES ? left : NODEPROFILE_MAX_INSTANCES))
        return ECHONET_ERR_NOBUF;
    n = echonet_nodeprofile_instance_list(node, node->d5_next, list);
    writer_prop_placed(&w, 0xD5, n);
    /* More than 84 instances: one announcement per 84 (reference 6.1). */
    node->d5_next += NODEPROFILE_MAX_INSTANCES;
    if (node->d5_next >= node->n_objects) {
        node->d5_pending = false;
        node->d5_next = 0;
    }
    node->tid++;
    return (int32_t)w.len;
}

int32_t echonet_node_write(echonet_node *node, echonet_addr *dst, bool *multicast, uint8_t *buf, size_t cap,
                           echonet_tstamp now)
{
    echonet_object *obj;
    size_t i;
    int32_t n;

    if (!node || !dst || !multicast || !buf)
        return ECHONET_ERR_INVALID_ARG;
    *multicast = false;
    while (node->queued > 0) {
        n = answer_next(node, dst, multicast, buf, cap, now);
        if (n != 0)
            return n;
    }
    for (i = 0; (obj = walk_object(node, i)) != NULL; i++) {
        if (obj->ops->expiry && obj->ops->handle_expiry && obj->ops->expiry(obj->ctx) <= now) {
            echonet_propmap changed;
            const echonet_prop_desc *d;
            unsigned epc;

            echonet_propmap_init(&changed);
            obj->ops->handle_expiry(obj->ctx, now, &changed);
            /* Each change of a property in the announce map is announced. */
            for (epc = echonet_propmap_next(&changed, 0x80); epc != ECHONET_PROPMAP_END;
                 epc = echonet_propmap_next(&changed, epc + 1))
                if ((d = object_desc(obj, (uint8_t)epc)) != NULL && (d->access & ECHONET_ACCESS_ANNO))
                    (void)echonet_propmap_add(&obj->pending, (uint8_t)epc);
        }
    }
    *multicast = true;
    if (node->d5_pending)
        return announce_instances(node, buf, cap);
    for (i = 0; (obj = walk_object(node, i)) != NULL; i++) {
        while (echonet_propmap_count(&obj->pending) > 0) {
            n = announce(node, obj, buf, cap);
            if (n != 0)
                return n;
        }
    }
    *multicast = false;
    return 0;
}

echonet_err echonet_node_get_stats(const echonet_node *node, echonet_node_stats *stats)
{
    if (!node || !stats)
        return ECHONET_ERR_INVALID_ARG;
    *stats = node->stats;
    return ECHONET_OK;
}

echonet_tstamp echonet_node_expiry(const echonet_node *node)
{
    echonet_tstamp t = ECHONET_TSTAMP_NEVER;
    size_t i;

    if (!node)
        return t;
    for (i = 0; i < node->n_objects; i++) {
        const echonet_object *obj = node->objects[i];

        if (obj->ops->expiry && obj->ops->handle_expiry) {
            echonet_tstamp e = obj->ops->expiry(obj->ctx);

            if (e < t)
                t = e;
        }
    }
    return t;
}

echonet_err echonet_node_set_local(echonet_node *node, echonet_eoj eoj, uint8_t epc, const uint8_t *edt, size_t pdc,
                                   echonet_tstamp now)
{
    echonet_object *obj = echonet_node_find(node, eoj);

    if (!node || (!edt && pdc > 0))
        return ECHONET_ERR_INVALID_ARG;
    if (!obj || obj == &node->profile)
        return ECHONET_ERR_NOT_FOUND;
    if (!obj->ops->set)
        return ECHONET_ERR_INVALID_ARG;
    return object_write(obj, epc, edt, pdc, ECHONET_SET_LOCAL, now);
}

echonet_err echonet_node_changed(echonet_node *node, echonet_eoj eoj, uint8_t epc)
{
    echonet_object *obj = echonet_node_find(node, eoj);
    const echonet_prop_desc *d;

    if (!node)
        return ECHONET_ERR_INVALID_ARG;
    d = obj ? object_desc(obj, epc) : NULL;
    if (!d)
        return ECHONET_ERR_NOT_FOUND;
    if (d->access & ECHONET_ACCESS_ANNO)
        (void)echonet_propmap_add(&obj->pending, epc);
    return ECHONET_OK;
}
