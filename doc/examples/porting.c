/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * The code of doc/porting.md: the whole port layer of a firmware that runs
 * an air-conditioner node. The port provides a millisecond clock and a UDP
 * send and receive; here they run over an in-process "wire" (two datagram
 * mailboxes), so the test suite can build and run the program ('guide
 * porting') and play the network's side: a controller's multicast search
 * and a unicast Get, whose answers it checks.
 */
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

/* ---- The in-process wire (replace with the firmware's network stack) ---- */
struct datagram {
    echonet_addr peer;  /* the sender (inbound) or the destination (outbound) */
    bool multicast;     /* outbound to 224.0.23.0 / ff02::1 */
    size_t len;
    uint8_t data[256];
};
static struct datagram inbox, outbox[4];
static bool inbox_full;
static size_t n_out;
static uint64_t fake_ticks;

/* guide:port */
/* 1. A monotonic millisecond clock. Any origin (boot is fine); it must not
 *    go backwards. A 32-bit tick counter is widened so it never wraps. */
static echonet_tstamp port_now(void)
{
    return (echonet_tstamp)fake_ticks; /* e.g. HAL_GetTick() widened to 64 bits */
}

/* 2. The peer address: whatever the network stack needs to answer. Here an
 *    IPv4 address (4 bytes); an IPv6 address and scope ID fit the default
 *    ECHONET_ADDR_MAX of 20 bytes. The library only copies and compares it. */
static void port_addr_ipv4(echonet_addr *addr, const uint8_t ip[4])
{
    (void)echonet_addr_set(addr, ip, 4);
}

/* 3. Send one datagram to UDP port 3610 of 'dst', or to the ECHONET Lite
 *    multicast group (224.0.23.0, or ff02::1 on IPv6) when 'multicast'. */
static void port_udp_send(const echonet_addr *dst, bool multicast, const uint8_t *buf, size_t len)
{
    if (n_out < 4 && len <= sizeof outbox[0].data) { /* e.g. sendto() on lwIP */
        outbox[n_out].peer = *dst;
        outbox[n_out].multicast = multicast;
        outbox[n_out].len = len;
        memcpy(outbox[n_out++].data, buf, len);
    }
}

/* 4. Receive one datagram from UDP port 3610 (unicast and the multicast
 *    group joined at start-up), without blocking: its length, or 0. */
static size_t port_udp_recv(echonet_addr *src, uint8_t *buf, size_t cap)
{
    size_t len = inbox.len;

    if (!inbox_full || len > cap)
        return 0;
    *src = inbox.peer;
    memcpy(buf, inbox.data, len);
    inbox_full = false;
    return len;
}
/* end guide:port */

/* guide:memory */
/* All the library's memory, in one place: a static struct (or .bss, or a
 * linker section of your choice). Nothing else is allocated, ever. The send
 * buffer must hold the longest request (its answer fits in as many bytes)
 * and 269 bytes (the longest announcement echonet_node_write() makes). */
#define TX_SIZE (ECHONET_NODE_REQUEST_MAX > 269 ? ECHONET_NODE_REQUEST_MAX : 269)
static struct {
    echonet_node node;
    echonet_object *slots[1];            /* one pointer per object */
    echonet_node_request queue[2];       /* ECHONET_NODE_REQUEST_MAX bytes each */
    echonet_object aircon;
    echonet_aircon model;                /* ECHONET_AIRCON_STORE_SIZE bytes of values */
    uint8_t rx[ECHONET_NODE_REQUEST_MAX];/* one received datagram */
    uint8_t tx[TX_SIZE];                 /* one datagram to send */
} ram;
/* end guide:memory */

/* guide:loop */
static int firmware_init(void)
{
    static const uint8_t maker[3] = {0x00, 0x00, 0x0B};
    echonet_node_config cfg;

    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.manufacturer, maker, 3);
    if (echonet_aircon_init(&ram.model, maker) != ECHONET_OK ||
        echonet_aircon_object_init(&ram.aircon, ECHONET_EOJ(0x01, 0x30, 0x01), NULL, &echonet_aircon_ops,
                                   &ram.model) != ECHONET_OK ||
        echonet_node_init(&ram.node, &cfg, ram.slots, 1, ram.queue, 2) != ECHONET_OK ||
        echonet_node_add(&ram.node, &ram.aircon) != ECHONET_OK)
        return -1;
    return 0;
}

/* Answers and announcements: call echonet_node_write() until it returns 0. */
static void firmware_send_all(echonet_tstamp now)
{
    echonet_addr dst;
    bool multicast;
    int32_t n;

    while ((n = echonet_node_write(&ram.node, &dst, &multicast, ram.tx, sizeof ram.tx, now)) > 0)
        port_udp_send(&dst, multicast, ram.tx, (size_t)n);
}

/* One pass of the main loop; returns when the node wants to run again. A
 * firmware sleeps until then or until a datagram arrives (an RTOS: wait on
 * the socket with that timeout; bare metal: WFI with a timer). */
static echonet_tstamp firmware_poll(void)
{
    echonet_tstamp now = port_now();
    echonet_addr src;
    size_t len;

    while ((len = port_udp_recv(&src, ram.rx, sizeof ram.rx)) > 0) {
        if (echonet_node_read(&ram.node, &src, ram.rx, len) == ECHONET_ERR_FULL) {
            firmware_send_all(now); /* answering frees the queue */
            (void)echonet_node_read(&ram.node, &src, ram.rx, len);
        }
    }
    firmware_send_all(now);
    return echonet_node_expiry(&ram.node);
}
/* end guide:loop */

/* The network's side, for the test: deliver a datagram from 'ip'. */
static void wire_deliver(const uint8_t ip[4], const uint8_t *buf, size_t len)
{
    port_addr_ipv4(&inbox.peer, ip);
    inbox.len = len;
    memcpy(inbox.data, buf, len);
    inbox_full = true;
}

int main(void)
{
    static const uint8_t controller_ip[4] = {192, 168, 1, 10};
    static const uint8_t search[] = { /* multicast Get 0xD6 to the node profile 0x0EF001 */
        0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x0E, 0xF0, 0x01, 0x62, 0x01, 0xD6, 0x00};
    static const uint8_t get80[] = { /* unicast Get 0x80 to 0x013001 */
        0x10, 0x81, 0x00, 0x02, 0x05, 0xFF, 0x01, 0x01, 0x30, 0x01, 0x62, 0x01, 0x80, 0x00};
    static const uint8_t d6_res[] = {
        0x10, 0x81, 0x00, 0x01, 0x0E, 0xF0, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x01, 0xD6, 0x04, 0x01, 0x01, 0x30, 0x01};
    static const uint8_t get80_res[] = {
        0x10, 0x81, 0x00, 0x02, 0x01, 0x30, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x01, 0x80, 0x01, 0x31};
    echonet_addr controller;

    port_addr_ipv4(&controller, controller_ip);
    if (firmware_init() != 0)
        return 1;
    fake_ticks = 5;
    (void)firmware_poll();   /* start-up: the 0xD5 instance list to all nodes */
    if (n_out != 1 || !outbox[0].multicast)
        return 2;

    n_out = 0;
    wire_deliver(controller_ip, search, sizeof search);
    (void)firmware_poll();
    if (n_out != 1 || outbox[0].multicast || !echonet_addr_equal(&outbox[0].peer, &controller) ||
        outbox[0].len != sizeof d6_res || memcmp(outbox[0].data, d6_res, sizeof d6_res) != 0)
        return 3;

    n_out = 0;
    fake_ticks += 10;
    wire_deliver(controller_ip, get80, sizeof get80);
    if (firmware_poll() != ECHONET_TSTAMP_NEVER) /* no timer runs: sleep until a datagram */
        return 4;
    if (n_out != 1 || outbox[0].len != sizeof get80_res || memcmp(outbox[0].data, get80_res, sizeof get80_res) != 0)
        return 4;

    printf("port: %zu bytes of RAM for the node (queue slot %zu bytes, model %zu bytes)\n", sizeof ram,
           sizeof(echonet_node_request), sizeof(echonet_aircon));
    return 0;
}
