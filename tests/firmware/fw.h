/*
 * Minimal firmware images for the footprint figures (tests/firmware.sh).
 * SPDX-License-Identifier: MIT
 *
 * The images are linked, never run. Input comes from, and results go to, a
 * memory-mapped "peripheral" (fw_io, placed by the linker script), so the
 * compiler must keep every call: it cannot know what is read.
 */
#ifndef FW_H
#define FW_H

#include <stddef.h>
#include <stdint.h>

#include "echonet/addr.h"
#include "echonet/tstamp.h"

typedef struct fw_io_regs {
    uint32_t rx_len;       /* bytes of the datagram waiting, 0 if none */
    uint8_t rx[64];        /* the datagram (a real radio would DMA it) */
    uint32_t rx_src;       /* sender's IPv4 address */
    uint32_t time_lo;      /* millisecond clock, low and high halves */
    uint32_t time_hi;
    uint32_t cmd;          /* an application command (button, schedule) */
    uint32_t tx_len;       /* writing sends tx[0..tx_len) to tx_dst */
    uint32_t tx_dst;
    uint8_t tx[64];
    uint32_t out;          /* results the application shows */
} fw_io_regs;

extern volatile fw_io_regs fw_io;

/** The image's main loop; called by the startup code, never returns. */
void fw_main(void);

/** Copies the waiting datagram into buf (at most cap bytes); its length. */
size_t fw_receive(uint8_t *buf, size_t cap);
/** The sender of the datagram fw_receive() returned, into from; 0 on success. */
int fw_sender(echonet_addr *from);
/** Sends len bytes of buf to the IPv4 address dst. */
void fw_send(uint32_t dst, const uint8_t *buf, size_t len);
/** The millisecond clock. */
echonet_tstamp fw_now(void);

#endif
