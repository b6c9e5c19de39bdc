/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: big-endian reads and writes. Every multi-byte wire field goes
 * through these, so the code does not depend on the host's byte order. */
#ifndef ECHONET_LIB_BYTES_H
#define ECHONET_LIB_BYTES_H

#include <stdint.h>

#include <stddef.h>
#include <string.h>

/* A write cursor that counts what it would write past the end of its
 * buffer, so a caller learns the size it needs (the snapshot's and the
 * energy log's saved forms). */
typedef struct echonet_sink {
    uint8_t *buf;
    size_t cap, len;
} echonet_sink;

static inline void echonet_sink_init(echonet_sink *o, uint8_t *buf, size_t cap)
{
    o->buf = buf;
    o->cap = buf ? cap : 0;
    o->len = 0;
}

static inline void echonet_sink_put(echonet_sink *o, const void *src, size_t n)
{
    if (o->len <= o->cap && n <= o->cap - o->len)
        memcpy(o->buf + o->len, src, n);
    o->len += n;
}

static inline void echonet_sink_put_u16(echonet_sink *o, uint16_t v)
{
    uint8_t b[2];

    b[0] = (uint8_t)(v >> 8);
    b[1] = (uint8_t)v;
    echonet_sink_put(o, b, 2);
}

static inline void echonet_sink_put_u32(echonet_sink *o, uint32_t v)
{
    echonet_sink_put_u16(o, (uint16_t)(v >> 16));
    echonet_sink_put_u16(o, (uint16_t)v);
}

static inline uint16_t echonet_get_u16be(const uint8_t *p)
{
    return (uint16_t)(((unsigned)p[0] << 8) | p[1]);
}

static inline uint32_t echonet_get_u24be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2];
}

static inline uint8_t *echonet_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static inline uint8_t *echonet_put_u24be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
    return p + 3;
}

#endif /* ECHONET_LIB_BYTES_H */
