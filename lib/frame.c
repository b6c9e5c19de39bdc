/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
#include "echonet/frame.h"

#include <string.h>

#include "bytes.h"
#include "esv_internal.h"
#include "noinline.h"
#include "writer_internal.h"

/* ---- Decode ------------------------------------------------------------ */

/* Offsets of the format 1 header fields (reference 2.1, 2.2). */
enum { OFF_EHD1 = 0, OFF_EHD2 = 1, OFF_TID = 2, OFF_SEOJ = 4, OFF_DEOJ = 7, OFF_ESV = 10, OFF_OPC = 11 };

static int32_t decode_fail(size_t *err_offset, size_t offset, echonet_err err)
{
    if (err_offset)
        *err_offset = offset;
    return (int32_t)err;
}

/* decode() in each of its two callers when optimising for speed (a
 * shortcut: the call costs 7 instructions a frame), one copy when
 * optimising for size. */
#if ECHONET_SHORTCUTS && defined(__GNUC__)
#define DECODE_INLINE __attribute__((always_inline)) inline
#else
#define DECODE_INLINE
#endif

/* echonet_frame_decode(), shared with echonet_frame_decode_udp(). */
static DECODE_INLINE int32_t decode(echonet_frame *frame, const uint8_t *buf, size_t len, size_t *err_offset)
{
    /* Where each header field starts; the next entry is where it ends. */
    static const uint8_t bound[] = {OFF_EHD1, OFF_EHD2, OFF_TID, OFF_SEOJ,
                                    OFF_DEOJ, OFF_ESV,  OFF_OPC, ECHONET_HEADER_LEN};
    echonet_prop_iter *it;
    const uint8_t *p, *end;
    unsigned i, opc, opc_get = 0;
    bool format2;
    uint8_t esv;
    size_t n;

    if (!frame || (!buf && len > 0))
        return decode_fail(err_offset, 0, ECHONET_ERR_INVALID_ARG);
    /* A whole format 1 header with a known ESV skips the checks that find
     * the first fault of any other (a shortcut: the same outcome). */
    if (!(ECHONET_SHORTCUTS && len >= ECHONET_HEADER_LEN &&
          echonet_get_u16be(buf) == (ECHONET_EHD1 << 8 | ECHONET_EHD2_FORMAT1) && esv_valid(buf[OFF_ESV]))) {
        /* A wrong byte is reported before a truncation after it: EHD1, EHD2,
         * and the ESV as soon as it is there (before the OPC). */
        if (len > OFF_EHD1 && buf[OFF_EHD1] != ECHONET_EHD1)
            return decode_fail(err_offset, OFF_EHD1, ECHONET_ERR_EHD1);
        if (len > OFF_EHD2 && buf[OFF_EHD2] != ECHONET_EHD2_FORMAT1 && buf[OFF_EHD2] != ECHONET_EHD2_FORMAT2)
            return decode_fail(err_offset, OFF_EHD2, ECHONET_ERR_EHD2);
        format2 = len > OFF_EHD2 && buf[OFF_EHD2] == ECHONET_EHD2_FORMAT2;
        if (!format2 && len > OFF_ESV && !esv_valid(buf[OFF_ESV]))
            return decode_fail(err_offset, OFF_ESV, ECHONET_ERR_ESV);
        /* Format 2 has EHD1, EHD2 and the TID in its header; format 1 all. A
         * short one is truncated in the first field that does not fit. */
        if (len < (format2 ? (size_t)OFF_SEOJ : ECHONET_HEADER_LEN))
            for (i = 0;; i++)
                if (len < bound[i + 1])
                    return decode_fail(err_offset, bound[i], ECHONET_ERR_TRUNCATED);
        if (format2) {
            /* Arbitrary message format: EDATA is opaque and runs to the end. */
            if (len > ECHONET_FRAME_MAX_LEN)
                return decode_fail(err_offset, ECHONET_FRAME_MAX_LEN, ECHONET_ERR_TOO_LONG);
            memset(frame, 0, sizeof *frame);
            frame->format = 2;
            frame->tid = echonet_get_u16be(buf + OFF_TID);
            frame->edata = buf + OFF_SEOJ;
            frame->edata_len = len - OFF_SEOJ;
            frame->len = len;
            return (int32_t)len;
        }
    }

    /* The properties, then for the SetGet family OPCGet and the Get block
     * after the last Set property (reference 2.3). Each EPC and PDC must be
     * there, and each EDT as long as its PDC says. */
    esv = buf[OFF_ESV];
    opc = buf[OFF_OPC];
    p = buf + ECHONET_HEADER_LEN;
    end = buf + len;
    it = &frame->props;
    frame->props_get.pos = NULL;
    frame->props_get.left = 0;
    for (;;) {
        it->pos = p;
        it->left = (uint8_t)opc;
        for (; opc > 0; opc--) {
            if (end - p < 2)
                return decode_fail(err_offset, (size_t)(p - buf), ECHONET_ERR_TRUNCATED);
            if (end - p - 2 < p[1])
                return decode_fail(err_offset, (size_t)(p - buf) + 2u, ECHONET_ERR_TRUNCATED);
            p += 2u + p[1];
        }
        if (it == &frame->props_get || !esv_setget(esv))
            break;
        if (p == end)
            return decode_fail(err_offset, (size_t)(p - buf), ECHONET_ERR_TRUNCATED);
        opc = opc_get = *p++;
        it = &frame->props_get;
    }

    /* A request with nothing to process cannot be answered meaningfully
     * (reference 2.2, 13 item 2: decided in doc/decisions.md). */
    if (buf[OFF_OPC] == 0 && opc_get == 0 && esv_needs_property(esv))
        return decode_fail(err_offset, OFF_OPC, ECHONET_ERR_OPC_ZERO);

    n = (size_t)(p - buf);
    frame->format = 1;
    frame->tid = echonet_get_u16be(buf + OFF_TID);
#if ECHONET_SHORTCUTS
    /* Each EOJ and the byte after it (inside the header) in one load. */
    frame->seoj = get_u32be(buf + OFF_SEOJ) >> 8;
    frame->deoj = get_u32be(buf + OFF_DEOJ) >> 8;
#else
    frame->seoj = echonet_get_u24be(buf + OFF_SEOJ);
    frame->deoj = echonet_get_u24be(buf + OFF_DEOJ);
#endif
    frame->esv = esv;
    frame->opc = buf[OFF_OPC];
    frame->opc_get = (uint8_t)opc_get;
    frame->edata = buf + OFF_SEOJ;
    frame->edata_len = n - OFF_SEOJ;
    frame->len = n;
    return (int32_t)n;
}

int32_t echonet_frame_decode(echonet_frame *frame, const uint8_t *buf, size_t len, size_t *err_offset)
{
    return decode(frame, buf, len, err_offset);
}

echonet_err echonet_frame_decode_udp(echonet_frame *frame, const uint8_t *buf, size_t len, size_t *err_offset)
{
    int32_t n = decode(frame, buf, len, err_offset);

    if (n < 0)
        return (echonet_err)n;
    if ((size_t)n != len)
        return (echonet_err)decode_fail(err_offset, (size_t)n, ECHONET_ERR_TRAILING);
    return ECHONET_OK;
}

bool echonet_prop_next(echonet_prop_iter *it, echonet_prop *prop)
{
    if (!it || !prop || it->left == 0 || !it->pos)
        return false;
    prop->epc = it->pos[0];
    prop->pdc = it->pos[1];
    prop->edt = prop->pdc ? it->pos + 2 : NULL;
    it->pos += 2u + prop->pdc;
    it->left--;
    return true;
}

bool echonet_prop_find(echonet_prop_iter it, uint8_t epc, echonet_prop *prop)
{
    echonet_prop p;

    while (echonet_prop_next(&it, &p)) {
        if (p.epc == epc) {
            if (prop)
                *prop = p;
            return true;
        }
    }
    return false;
}

/* ---- Encode ------------------------------------------------------------ */

static bool writer_blocked(const echonet_writer *w)
{
    /* After an overflow the writer keeps counting; any other error stops it. */
    return w->err != ECHONET_OK && w->err != ECHONET_ERR_NOBUF;
}

static void writer_fail(echonet_writer *w, echonet_err err)
{
    if (w->err == ECHONET_OK || (w->err == ECHONET_ERR_NOBUF && err != ECHONET_ERR_NOBUF))
        w->err = err;
}

static void writer_put(echonet_writer *w, const uint8_t *src, size_t n)
{
    if (w->err == ECHONET_OK && n <= w->cap - w->len) {
        /* memmove: a caller may have placed the value where it goes
         * already (the node reads values straight into its answer). */
        if (n > 0)
            memmove(w->buf + w->len, src, n);
    } else {
        writer_fail(w, ECHONET_ERR_NOBUF);
    }
    w->len += n;
}

static void writer_put_byte(echonet_writer *w, uint8_t b)
{
    writer_put(w, &b, 1);
}

static void writer_open_block(echonet_writer *w, uint8_t state)
{
    w->opc_pos = w->len;
    w->count = 0;
    w->state = state;
    writer_put_byte(w, 0);
}

/* Whether a writer call may go on: a writer that is there, not stopped by an
 * error, and in one of the states of @p allowed (a bit per state). A call out
 * of order stops the writer. */
static bool writer_enter(echonet_writer *w, unsigned allowed)
{
    if (!w || writer_blocked(w))
        return false;
    if (!(allowed >> w->state & 1u)) {
        writer_fail(w, ECHONET_ERR_WRITER_STATE);
        return false;
    }
    return true;
}

/* EHD1, EHD2 and the TID: the start of both formats. */
static void writer_start(echonet_writer *w, uint8_t ehd2, uint16_t tid)
{
    const uint8_t h[ECHONET_FRAME_MIN_LEN] = {ECHONET_EHD1, ehd2, (uint8_t)(tid >> 8), (uint8_t)tid};

    writer_put(w, h, sizeof h);
}

void echonet_writer_init(echonet_writer *w, uint8_t *buf, size_t cap)
{
    if (!w)
        return;
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf ? cap : 0;
}

/* echonet_writer_header() in general. With the shortcuts it is a function
 * of its own, so that the common call, tested first, costs no saving of
 * registers. */
#if ECHONET_SHORTCUTS
#define WRITER_HEADER_GENERAL static ECHONET_NOINLINE void writer_header_general
#else
#define WRITER_HEADER_GENERAL void echonet_writer_header
#endif
WRITER_HEADER_GENERAL(echonet_writer *w, uint16_t tid, echonet_eoj seoj, echonet_eoj deoj, uint8_t esv)
{
    uint8_t local[ECHONET_HEADER_LEN], *h;
    bool fits;

    if (!writer_enter(w, 1u << W_EMPTY))
        return;
    if (!esv_valid(esv)) {
        writer_fail(w, ECHONET_ERR_ESV);
        return;
    }
    /* Straight into the buffer when it fits. */
    fits = ECHONET_SHORTCUTS && w->err == ECHONET_OK && w->cap - w->len >= ECHONET_HEADER_LEN;
    h = fits ? w->buf + w->len : local;
    /* OPC is 0 until a property is added. */
    writer_header_bytes(h, tid, seoj, deoj, esv, 0);
    w->opc_pos = w->len + OFF_OPC;
    if (fits) {
        w->len += ECHONET_HEADER_LEN;
    } else {
        /* In the pieces an overflowing writer has always written. */
        writer_put(w, h, ECHONET_FRAME_MIN_LEN);
        writer_put(w, h + ECHONET_FRAME_MIN_LEN, OFF_OPC - ECHONET_FRAME_MIN_LEN);
        writer_put(w, h + OFF_OPC, 1);
    }
    w->esv = esv;
    w->state = W_BLOCK_SET;
}

#if ECHONET_SHORTCUTS
void echonet_writer_header(echonet_writer *w, uint16_t tid, echonet_eoj seoj, echonet_eoj deoj, uint8_t esv)
{
    /* The common call: a new writer with room (the general code writes the
     * same). */
    if (w && w->state == W_EMPTY && w->err == ECHONET_OK && w->cap - w->len >= ECHONET_HEADER_LEN &&
        esv_valid(esv)) {
        writer_header_bytes(w->buf + w->len, tid, seoj, deoj, esv, 0);
        w->opc_pos = w->len + OFF_OPC;
        w->len += ECHONET_HEADER_LEN;
        w->esv = esv;
        w->state = W_BLOCK_SET;
        return;
    }
    writer_header_general(w, tid, seoj, deoj, esv);
}
#endif

/* echonet_writer_prop() in general. With the shortcuts it is a function
 * of its own, so that the common property, tested first, costs no saving of
 * registers. */
#if ECHONET_SHORTCUTS
#define WRITER_PROP_GENERAL static ECHONET_NOINLINE void writer_prop_general
#else
#define WRITER_PROP_GENERAL void echonet_writer_prop
#endif
WRITER_PROP_GENERAL(echonet_writer *w, uint8_t epc, size_t pdc, const uint8_t *edt)
{
    uint8_t head[2];

    if (!writer_enter(w, 1u << W_BLOCK_SET | 1u << W_BLOCK_GET))
        return;
    if (w->count == 255) {
        writer_fail(w, ECHONET_ERR_OPC_OVERFLOW);
        return;
    }
    if (pdc > 255 || (pdc > 0 && !edt)) {
        writer_fail(w, ECHONET_ERR_PDC_OVERFLOW);
        return;
    }
    head[0] = epc;
    head[1] = (uint8_t)pdc;
    writer_put(w, head, 2);
    writer_put(w, edt, pdc);
    w->count++;
    w->total++;
    if (w->err == ECHONET_OK)
        w->buf[w->opc_pos] = (uint8_t)w->count;
}

#if ECHONET_SHORTCUTS
void echonet_writer_prop(echonet_writer *w, uint8_t epc, size_t pdc, const uint8_t *edt)
{
    if (!w || !writer_prop_quick(w, epc, pdc, edt))
        writer_prop_general(w, epc, pdc, edt);
}
#endif

void echonet_writer_get_block(echonet_writer *w)
{
    if (!writer_enter(w, 1u << W_BLOCK_SET))
        return;
    if (!esv_setget(w->esv)) {
        writer_fail(w, ECHONET_ERR_WRITER_STATE);
        return;
    }
    writer_open_block(w, W_BLOCK_GET);
}

void echonet_writer_format2(echonet_writer *w, uint16_t tid, const uint8_t *edata, size_t len)
{
    if (!writer_enter(w, 1u << W_EMPTY))
        return;
    if (!edata && len > 0) {
        writer_fail(w, ECHONET_ERR_INVALID_ARG);
        return;
    }
    if (len > ECHONET_FRAME_MAX_LEN - ECHONET_FRAME_MIN_LEN) {
        writer_fail(w, ECHONET_ERR_TOO_LONG);
        return;
    }
    writer_start(w, ECHONET_EHD2_FORMAT2, tid);
    writer_put(w, edata, len);
    w->state = W_FORMAT2;
}

echonet_err echonet_writer_finish(echonet_writer *w, size_t *len)
{
#if ECHONET_SHORTCUTS
    /* The common end: no error, no OPCGet to add, a property if one is
     * needed (the general code below decides the same). */
    if (w && w->err == ECHONET_OK &&
        (w->state == W_BLOCK_GET || (w->state == W_BLOCK_SET && !esv_setget(w->esv))) &&
        (w->total > 0 || !esv_needs_property(w->esv))) {
        w->state = W_DONE;
        if (len)
            *len = w->len;
        return ECHONET_OK;
    }
#endif
    if (!w) {
        if (len)
            *len = 0;
        return ECHONET_ERR_INVALID_ARG;
    }
    if (writer_enter(w, 1u << W_BLOCK_SET | 1u << W_BLOCK_GET | 1u << W_FORMAT2)) {
        /* A SetGet frame always has its OPCGet, 0 when no Get was added.
         * (The esv of a format 2 writer is 0: neither question holds.) */
        if (w->state == W_BLOCK_SET && esv_setget(w->esv))
            writer_open_block(w, W_BLOCK_GET);
        if (w->state != W_FORMAT2 && esv_needs_property(w->esv) && w->total == 0)
            writer_fail(w, ECHONET_ERR_OPC_ZERO);
    }
    w->state = W_DONE;
    if (len)
        *len = w->len;
    return (echonet_err)w->err;
}

/* Writes every property of a block. */
static void write_block(echonet_writer *w, echonet_prop_iter it)
{
    echonet_prop p;

    while (echonet_prop_next(&it, &p))
        echonet_writer_prop(w, p.epc, p.pdc, p.edt);
}

#if ECHONET_SHORTCUTS
/* The bytes of a block's properties and how many echonet_prop_next() gives:
 * a block is contiguous, so it is copied whole. */
static size_t block_bytes(echonet_prop_iter it, unsigned *count)
{
    const uint8_t *p = it.pos;
    unsigned n;

    if (!p) {
        *count = 0;
        return 0;
    }
    for (n = it.left; n > 0; n--)
        p += 2u + p[1];
    *count = it.left;
    return (size_t)(p - it.pos);
}

/* The blocks of a frame echonet_frame_encode() copies when one of them is
 * longer than 32 bytes, after the header it wrote in buf; then the length.
 * A function of its own (the blocks measured again), so that the short
 * frames' path calls nothing and keeps few values. */
static ECHONET_NOINLINE echonet_err copy_long_blocks(uint8_t *buf, const echonet_frame *frame, size_t *len)
{
    unsigned n_set, n_get = 0;
    size_t set = block_bytes(frame->props, &n_set), get = 0;
    uint8_t *b = buf + ECHONET_HEADER_LEN;

    if (esv_setget(frame->esv))
        get = block_bytes(frame->props_get, &n_get) + 1u;
    if (set > 0)
        memmove(b, frame->props.pos, set);
    if (get > 0) {
        b[set] = (uint8_t)n_get;
        if (get > 1u)
            memmove(b + set + 1u, frame->props_get.pos, get - 1u);
    }
    if (len)
        *len = ECHONET_HEADER_LEN + set + get;
    return ECHONET_OK;
}
#endif

/* echonet_frame_encode() through the writer. With the shortcuts it is a
 * function of its own, which the block copy below hands every frame it does
 * not take. */
#if ECHONET_SHORTCUTS
#define ENCODE_GENERAL static ECHONET_NOINLINE echonet_err encode_general
#else
#define ENCODE_GENERAL echonet_err echonet_frame_encode
#endif
ENCODE_GENERAL(const echonet_frame *frame, uint8_t *buf, size_t cap, size_t *len)
{
    echonet_writer w;

    if (!frame) {
        if (len)
            *len = 0;
        return ECHONET_ERR_INVALID_ARG;
    }
    echonet_writer_init(&w, buf, cap);
    if (frame->format == 2) {
        echonet_writer_format2(&w, frame->tid, frame->edata, frame->edata_len);
    } else {
        echonet_writer_header(&w, frame->tid, frame->seoj, frame->deoj, frame->esv);
        write_block(&w, frame->props);
        if (esv_setget(frame->esv)) {
            echonet_writer_get_block(&w);
            write_block(&w, frame->props_get);
        }
    }
    return echonet_writer_finish(&w, len);
}

#if ECHONET_SHORTCUTS
/* A format 1 frame that fits and breaks no rule is copied block by block:
 * the writer's bytes without a call per property. Any other frame takes
 * the writer (encode_general()). Every call here is a tail call, so the
 * common frame saves no registers. */
echonet_err echonet_frame_encode(const echonet_frame *frame, uint8_t *buf, size_t cap, size_t *len)
{
    unsigned n_set, n_get = 0;
    size_t set, get = 0, need;
    uint8_t esv;
    uint8_t *b = buf;

    if (!frame || frame->format == 2 || !buf || !esv_valid(frame->esv))
        return encode_general(frame, buf, cap, len);
    esv = frame->esv;
    set = block_bytes(frame->props, &n_set);
    if (esv_setget(esv))
        get = block_bytes(frame->props_get, &n_get) + 1u;
    need = ECHONET_HEADER_LEN + set + get;
    if (need > cap || (n_set + n_get == 0 && esv_needs_property(esv)))
        return encode_general(frame, buf, cap, len);
    /* As echonet_writer_header() writes it. */
    writer_header_bytes(b, frame->tid, frame->seoj, frame->deoj, esv, (uint8_t)n_set);
    b += ECHONET_HEADER_LEN;
    if (set > 32u || get > 33u)
        return copy_long_blocks(buf, frame, len);
    /* Short blocks (most frames) without a call. */
    move_small(b, frame->props.pos, set);
    if (get > 0) {
        b[set] = (uint8_t)n_get;
        move_small(b + set + 1u, frame->props_get.pos, get - 1u);
    }
    if (len)
        *len = need;
    return ECHONET_OK;
}
#endif
