/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: the writer's common property, which frame.c and the node's
 * answers share without a call. */
#ifndef ECHONET_LIB_WRITER_INTERNAL_H
#define ECHONET_LIB_WRITER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "echonet/frame.h"
#include "esv_internal.h"
#include "noinline.h"

/* The writer's states (echonet_writer::state). */
enum { W_EMPTY, W_BLOCK_SET, W_BLOCK_GET, W_FORMAT2, W_DONE };

/* Stores v big-endian at h: one byte-swapped 32-bit store where gcc or
 * clang know the byte order (a shortcut), else byte by byte. */
static inline void put_u32be(uint8_t *h, uint32_t v)
{
#if ECHONET_SHORTCUTS && defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    v = __builtin_bswap32(v);
    memcpy(h, &v, 4);
#elif ECHONET_SHORTCUTS && defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    memcpy(h, &v, 4);
#else
    h[0] = (uint8_t)(v >> 24);
    h[1] = (uint8_t)(v >> 16);
    h[2] = (uint8_t)(v >> 8);
    h[3] = (uint8_t)v;
#endif
}

/* The big-endian 32-bit value at p: one load, byte-swapped where gcc or
 * clang know the byte order (a shortcut), else byte by byte. */
static inline uint32_t get_u32be(const uint8_t *p)
{
#if ECHONET_SHORTCUTS && defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;

    memcpy(&v, p, 4);
    return __builtin_bswap32(v);
#elif ECHONET_SHORTCUTS && defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    uint32_t v;

    memcpy(&v, p, 4);
    return v;
#else
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
#endif
}

/* The 12 bytes of a format 1 header at h, with @p opc as its OPC: three
 * 32-bit words, each stored big-endian (in a loop when stored byte by byte,
 * so that the compiler does not merge twelve byte stores into one costly
 * 64-bit value). */
static inline void writer_header_bytes(uint8_t *h, uint16_t tid, echonet_eoj seoj, echonet_eoj deoj, uint8_t esv,
                                       uint8_t opc)
{
    uint32_t word[3];
    unsigned i;

    word[0] = (uint32_t)ECHONET_EHD1 << 24 | (uint32_t)ECHONET_EHD2_FORMAT1 << 16 | tid;
    word[1] = (seoj & 0xFFFFFFu) << 8 | (deoj >> 16 & 0xFFu);
    word[2] = (deoj & 0xFFFFu) << 16 | (uint32_t)esv << 8 | opc;
    for (i = 0; i < 3; i++, h += 4)
        put_u32be(h, word[i]);
}

/* memmove() of a few bytes (n <= 32) without a call: every byte is loaded
 * before any is stored, so the two areas may overlap. */
static inline void move_small(uint8_t *d, const uint8_t *s, size_t n)
{
    uint64_t a8, b8, c8, e8;
    uint32_t a4, b4;
    uint16_t a2, b2;

    /* Two tests at most for the sizes below 8, the usual ones. */
    if (n < 4) {
        if (n >= 2) {
            memcpy(&a2, s, 2);
            memcpy(&b2, s + n - 2, 2);
            memcpy(d, &a2, 2);
            memcpy(d + n - 2, &b2, 2);
        } else if (n == 1) {
            d[0] = s[0];
        }
    } else if (n < 8) {
        memcpy(&a4, s, 4);
        memcpy(&b4, s + n - 4, 4);
        memcpy(d, &a4, 4);
        memcpy(d + n - 4, &b4, 4);
    } else if (n <= 16) {
        memcpy(&a8, s, 8);
        memcpy(&b8, s + n - 8, 8);
        memcpy(d, &a8, 8);
        memcpy(d + n - 8, &b8, 8);
    } else {
        memcpy(&a8, s, 8);
        memcpy(&b8, s + 8, 8);
        memcpy(&c8, s + n - 16, 8);
        memcpy(&e8, s + n - 8, 8);
        memcpy(d, &a8, 8);
        memcpy(d + 8, &b8, 8);
        memcpy(d + n - 16, &c8, 8);
        memcpy(d + n - 8, &e8, 8);
    }
}

/* echonet_writer_prop() of the common case: no error yet, inside a block
 * with room for one more property, a value of at most 16 bytes that is
 * there and fits. Returns false, having done nothing, for any other call
 * (and always when optimising for size: a shortcut), which
 * echonet_writer_prop() then takes as before. */
static inline bool writer_prop_quick(echonet_writer *w, uint8_t epc, size_t pdc, const uint8_t *edt)
{
    uint8_t *b;

    if (!(ECHONET_SHORTCUTS && w->err == ECHONET_OK && (w->state == W_BLOCK_SET || w->state == W_BLOCK_GET) &&
          w->count < 255 && pdc <= 16u && (pdc == 0 || edt) && pdc + 2u <= w->cap - w->len))
        return false;
    b = w->buf + w->len;
    b[0] = epc;
    b[1] = (uint8_t)pdc;
    if (pdc > 0)
        move_small(b + 2, edt, pdc); /* the value may be in place already */
    w->len += pdc + 2u;
    w->count++;
    w->total++;
    w->buf[w->opc_pos] = (uint8_t)w->count;
    return true;
}

/* echonet_writer_init() then echonet_writer_header() of a valid ESV into a
 * buffer with room for the header (cap >= ECHONET_HEADER_LEN), by a caller
 * that knows both hold: the same writer and bytes in one step, without the
 * tests (the device node's answers and announcements). */
static inline void writer_begin(echonet_writer *w, uint8_t *buf, size_t cap, uint16_t tid, echonet_eoj seoj,
                                echonet_eoj deoj, uint8_t esv)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    w->len = ECHONET_HEADER_LEN;
    w->opc_pos = ECHONET_HEADER_LEN - 1u;
    w->esv = esv;
    w->state = W_BLOCK_SET;
    writer_header_bytes(buf, tid, seoj, deoj, esv, 0);
}

/* echonet_writer_prop() of a value already in place, pdc bytes at
 * w->buf + w->len + 2, by a caller that knows what the checks of
 * writer_prop_quick() would find: no error yet, an open block with fewer
 * than 255 properties, pdc <= 255 and pdc + 2 bytes of room. The same bytes
 * and state, without the tests. */
static inline void writer_prop_placed(echonet_writer *w, uint8_t epc, size_t pdc)
{
    uint8_t *b = w->buf + w->len;

    b[0] = epc;
    b[1] = (uint8_t)pdc;
    w->len += pdc + 2u;
    w->count++;
    w->total++;
    w->buf[w->opc_pos] = (uint8_t)w->count;
}

/* echonet_writer_prop() of pdc bytes at edt (moved into place: they may
 * be there already), by a caller that knows what the checks of
 * writer_prop_placed() would find. */
static inline void writer_prop_put(echonet_writer *w, uint8_t epc, size_t pdc, const uint8_t *edt)
{
    if (pdc > 0)
        memmove(w->buf + w->len + 2, edt, pdc);
    writer_prop_placed(w, epc, pdc);
}

/* echonet_writer_get_block() of a SetGet writer in its Set block with no
 * error and room for the OPCGet byte, by a caller that knows all three. */
static inline void writer_get_block_placed(echonet_writer *w)
{
    w->opc_pos = w->len;
    w->count = 0;
    w->state = W_BLOCK_GET;
    w->buf[w->len++] = 0;
}

#endif
