/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Layout programs (propdesc.h, "Layout programs"): the walker that judges a
 * value and the check of a program's shape. Reached only through
 * echonet_layout_program, which the tables that hold layout programs name:
 * an image whose tables have none does not link this file. */
#include <string.h>

#include "echonet/propdesc.h"
#include "noinline.h"

/* Nodes nest at most ECHONET_LAYOUT_DEPTH composites deep. Nothing recurses:
 * the stack bound of every public call stays computable
 * (tests/stack-usage.py). */

#define NODE_LEN(p) ((size_t)(p)[1] << 8 | (size_t)(p)[2])
#define NODE_NEXT(p) ((p) + 3 + NODE_LEN(p))

/* The leaves are folded into the walker: one frame instead of a chain of
 * them under every check (the stack bound of echonet_node_write()). */
#if defined(__GNUC__)
#define LEAF_INLINE __attribute__((always_inline)) inline
#else
#define LEAF_INLINE inline
#endif

static LEAF_INLINE uint32_t be_value(const uint8_t *p, size_t w)
{
    uint32_t v = 0;

    while (w-- > 0)
        v = v << 8 | *p++;
    return v;
}

/* A SCALAR node's verdict on the number v. */
static ECHONET_NOINLINE int scalar_verdict(const uint8_t *node, uint32_t v)
{
    size_t w = node[3] & 7u, i;
    const uint8_t *at = node + 7;
    /* Signed numbers compare as unsigned once their sign bit is flipped. */
    uint32_t flip = (node[3] & ECHONET_LAYOUT_SIGNED) ? (uint32_t)1 << (8 * w - 1) : 0;

    for (i = 0; i < node[4]; i++, at += 2 * w)
        if ((v ^ flip) >= (be_value(at, w) ^ flip) && (v ^ flip) <= (be_value(at + w, w) ^ flip))
            return 1;
    for (i = 0; i < (size_t)node[5] + node[6]; i++, at += w)
        if (v == be_value(at, w))
            return i < node[5] ? 1 : 2;
    return 0;
}

/* A bitmap: every field's bits valid, every bit outside the fields 0. */
static LEAF_INLINE int bits_verdict(const uint8_t *node, const uint8_t *edt, size_t n)
{
    size_t i, f;
    int r = 1;

    if (n != node[3])
        return 0;
    for (i = 0; i < n; i++) {
        const uint8_t *field = node + 5;
        unsigned covered = 0;

        for (f = 0; f < node[4]; f++, field = NODE_NEXT(field + 2)) {
            unsigned mask = field[1], v, x;

            if (field[0] != i)
                continue;
            covered |= mask;
            v = edt[i] & mask;
            while (mask && !(mask & 1u)) {
                mask >>= 1;
                v >>= 1;
            }
            x = (unsigned)scalar_verdict(field + 2, v);
            if (x == 0)
                return 0;
            if (x > (unsigned)r)
                r = (int)x;
        }
        if (edt[i] & ~covered & 0xFFu)
            return 0;
    }
    return r;
}

static LEAF_INLINE int codes_verdict(const uint8_t *node, const uint8_t *edt, size_t n)
{
    const uint8_t *at = node + 6;
    size_t i;

    if (n != node[3])
        return 0;
    for (i = 0; i < (size_t)node[4] + node[5]; i++, at += n)
        if (memcmp(at, edt, n) == 0)
            return i < node[4] ? 1 : 2;
    return 0;
}

static LEAF_INLINE int leaf_verdict(const uint8_t *node, const uint8_t *edt, size_t n)
{
    switch (node[0]) {
    case ECHONET_LAYOUT_SCALAR:
        return n == (node[3] & 7u) ? scalar_verdict(node, be_value(edt, n)) : 0;
    case ECHONET_LAYOUT_RAW:
        return n >= node[3] && n <= node[4];
    case ECHONET_LAYOUT_BITS:
        return bits_verdict(node, edt, n);
    case ECHONET_LAYOUT_CODES:
        return codes_verdict(node, edt, n);
    default:
        return 0;
    }
}

/* The composite a program is walking through: which part comes next, as
 * offsets (programs are at most 65538 bytes, values 255) to keep the
 * frames small. */
struct layout_frame {
    uint16_t node;  /* the SEQ, ARRAY or ALT node, from the program's start */
    uint16_t child; /* SEQ: the next field's size byte; ALT: the next alternative */
    uint8_t edt;    /* SEQ, ARRAY: the bytes not yet given to a part; ALT: all of them */
    uint8_t n;
    uint8_t i;      /* parts given so far (SEQ, ALT) */
    uint8_t r;      /* the verdict so far */
};

static bool is_composite(uint8_t op)
{
    return op == ECHONET_LAYOUT_SEQ || op == ECHONET_LAYOUT_ARRAY || op == ECHONET_LAYOUT_ALT;
}

/* Walks the program without recursion (the stack bound of every public call
 * stays computable, tests/stack-usage.py): a frame per open composite, at
 * most ECHONET_LAYOUT_DEPTH of them. */
static int layout_walk(const uint8_t *prog, const uint8_t *value, size_t pdc)
{
    struct layout_frame st[ECHONET_LAYOUT_DEPTH], *f;
    const uint8_t *node = prog, *parent;
    size_t depth = 0, at = 0, n = pdc, size, k;
    int x;

    if (!prog || pdc > 255)
        return 0;
descend:
    /* Judge node on the n bytes at value + at. */
    if (!is_composite(node[0])) {
        x = leaf_verdict(node, value + at, n);
        goto up;
    }
    k = node[3];
    if (depth == ECHONET_LAYOUT_DEPTH ||
        (node[0] == ECHONET_LAYOUT_ARRAY && (k == 0 || n % k != 0 || n / k < node[4] || n / k > node[5]))) {
        x = 0;
        goto up;
    }
    f = &st[depth++];
    f->node = (uint16_t)(node - prog);
    f->child = (uint16_t)(f->node + 4u);
    f->edt = (uint8_t)at;
    f->n = (uint8_t)n;
    f->i = 0;
    f->r = node[0] == ECHONET_LAYOUT_ALT ? 0 : 1;
next:
    /* Give the next part of f its bytes, or end f with its verdict. */
    parent = prog + f->node;
    k = parent[3];
    at = f->edt;
    switch (parent[0]) {
    case ECHONET_LAYOUT_SEQ:
        if (f->i == k) {
            x = f->n == 0 ? f->r : 0;
            break;
        }
        size = prog[f->child] ? prog[f->child] : f->n;
        if (size > f->n || (f->i + 1u == k && size != f->n)) {
            x = 0;
            break;
        }
        node = prog + f->child + 1;
        n = size;
        f->child = (uint16_t)(NODE_NEXT(node) - prog);
        f->edt = (uint8_t)(f->edt + size);
        f->n = (uint8_t)(f->n - size);
        f->i++;
        goto descend;
    case ECHONET_LAYOUT_ARRAY:
        if (f->n == 0) {
            x = f->r;
            break;
        }
        node = parent + 6;
        n = k;
        f->edt = (uint8_t)(f->edt + k);
        f->n = (uint8_t)(f->n - k);
        goto descend;
    default: /* ECHONET_LAYOUT_ALT */
        if (f->i == k) {
            x = f->r;
            break;
        }
        node = prog + f->child;
        n = f->n;
        f->child = (uint16_t)(NODE_NEXT(node) - prog);
        f->i++;
        goto descend;
    }
    depth--;
up:
    /* Hand x to the composite that asked, which may end at once. */
    if (depth == 0)
        return x;
    f = &st[depth - 1];
    if (prog[f->node] == ECHONET_LAYOUT_ALT ? x == 1 : x == 0) {
        depth--;
        goto up;
    }
    if (x > f->r)
        f->r = (uint8_t)x;
    goto next;
}

/* Well-formedness of one leaf node within end: operands that match its
 * length (a bitmap's fields one-byte SCALARs). */
static bool scalar_shape(const uint8_t *node, const uint8_t *end, size_t width)
{
    size_t len, w;

    if (end - node < 7 || (size_t)(end - node) - 3 < (len = NODE_LEN(node)) || node[0] != ECHONET_LAYOUT_SCALAR)
        return false;
    w = node[3] & 7u;
    return (w == 1 || w == 2 || w == 4) && (width == 0 || w == width) && (node[3] & 0x78u) == 0 &&
           len == 4 + w * (2u * node[4] + node[5] + node[6]);
}

static bool leaf_shape(const uint8_t *node, const uint8_t *end)
{
    const uint8_t *c, *stop;
    size_t len, i;

    if (end - node < 4 || (size_t)(end - node) - 3 < (len = NODE_LEN(node)))
        return false;
    stop = NODE_NEXT(node);
    switch (node[0]) {
    case ECHONET_LAYOUT_SCALAR:
        return scalar_shape(node, end, 0);
    case ECHONET_LAYOUT_RAW:
        return len == 2 && node[3] <= node[4];
    case ECHONET_LAYOUT_CODES:
        return len >= 3 && node[3] > 0 && len == 3 + (size_t)node[3] * (node[4] + node[5]);
    case ECHONET_LAYOUT_BITS:
        if (len < 2 || node[3] == 0)
            return false;
        for (i = 0, c = node + 5; i < node[4]; i++, c = NODE_NEXT(c + 2))
            if (stop - c < 2 || c[0] >= node[3] || c[1] == 0 || !scalar_shape(c + 2, stop, 1))
                return false;
        return c == stop;
    default:
        return false;
    }
}

/* The shape of a program, walked without recursion like the values: a
 * frame per open composite holds where its next part starts, where it
 * ends and how many parts are left. */
struct shape_frame {
    const uint8_t *next, *stop;
    uint8_t left, op;
};

static bool layout_shape(const uint8_t *prog)
{
    struct shape_frame st[ECHONET_LAYOUT_DEPTH], *f;
    const uint8_t *node = prog, *stop = prog + 3 + NODE_LEN(prog);
    size_t depth = 0, k;

    for (;;) {
        /* node must lie within stop. */
        if (stop - node < 4 || (size_t)(stop - node) - 3 < NODE_LEN(node))
            return false;
        if (is_composite(node[0])) {
            k = node[3];
            if (depth == ECHONET_LAYOUT_DEPTH || (node[0] != ECHONET_LAYOUT_SEQ && k == 0) ||
                (node[0] == ECHONET_LAYOUT_ARRAY && (NODE_LEN(node) < 6 || node[4] > node[5])))
                return false;
            f = &st[depth++];
            f->op = node[0];
            f->stop = NODE_NEXT(node);
            f->next = node + (node[0] == ECHONET_LAYOUT_ARRAY ? 6 : 4);
            f->left = (uint8_t)(node[0] == ECHONET_LAYOUT_ARRAY ? 1 : k);
        } else if (!leaf_shape(node, stop)) {
            return false;
        } else {
            /* A leaf ends where its length says: the next part follows. */
            if (depth == 0)
                return true;
            st[depth - 1].next = NODE_NEXT(node);
        }
        /* The next part of the innermost composite with parts left; each
         * composite's parts must fill it exactly. */
        for (;;) {
            if (depth == 0)
                return true;
            f = &st[depth - 1];
            if (f->left > 0)
                break;
            if (f->next != f->stop)
                return false;
            depth--;
            if (depth > 0)
                st[depth - 1].next = f->stop;
        }
        node = f->next;
        stop = f->stop;
        if (f->op == ECHONET_LAYOUT_SEQ) {
            /* a field's size byte; 0 (the rest) for the last field only */
            if (stop - node < 1 || (node[0] == 0 && f->left != 1))
                return false;
            node++;
        }
        f->left--;
    }
}

const echonet_layout_ops echonet_layout_program = {layout_walk, layout_shape};
