/*
 * What a firmware gives the library instead of a C library: memcpy, memset,
 * memcmp and memmove (byte loops, as small as they come), plus the I/O
 * helpers of the images. Built with -fno-builtin and
 * -fno-tree-loop-distribute-patterns so the loops do not become calls to
 * themselves.
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <stdint.h>

#include "fw.h"

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memmove(void *dst, const void *src, size_t n);

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;

    while (n--)
        *d++ = (uint8_t)c;
    return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const uint8_t *p = a, *q = b;

    for (; n; n--, p++, q++)
        if (*p != *q)
            return *p < *q ? -1 : 1;
    return 0;
}

void *memmove(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;

    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        while (n--)
            d[n] = s[n];
    }
    return dst;
}

size_t fw_receive(uint8_t *buf, size_t cap)
{
    size_t len = fw_io.rx_len, i;

    if (len > cap || len > sizeof fw_io.rx)
        return 0;
    for (i = 0; i < len; i++)
        buf[i] = fw_io.rx[i];
    fw_io.rx_len = 0;
    return len;
}

int fw_sender(echonet_addr *from)
{
    uint32_t src = fw_io.rx_src;
    uint8_t a[4] = {(uint8_t)(src >> 24), (uint8_t)(src >> 16), (uint8_t)(src >> 8), (uint8_t)src};

    return echonet_addr_set(from, a, sizeof a) == ECHONET_OK ? 0 : -1;
}

void fw_send(uint32_t dst, const uint8_t *buf, size_t len)
{
    size_t i;

    for (i = 0; i < len && i < sizeof fw_io.tx; i++)
        fw_io.tx[i] = buf[i];
    fw_io.tx_dst = dst;
    fw_io.tx_len = (uint32_t)len;
}

echonet_tstamp fw_now(void)
{
    uint32_t hi, lo;

    do {
        hi = fw_io.time_hi;
        lo = fw_io.time_lo;
    } while (hi != fw_io.time_hi);
    return ((echonet_tstamp)hi << 32) | lo;
}
