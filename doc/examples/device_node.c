/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * The code of doc/device-node.md: an air conditioner as an ECHONET Lite
 * node. The class table (in flash) comes from the library; the values live
 * in the ready-made model echonet_aircon, wrapped by accessors that also
 * drive the "hardware". A controller's requests are built with the frame
 * writer and fed in; the answers and announcements are checked. The test
 * suite builds and runs this program ('guide device node').
 */
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

/* guide:objects */
/* Everything the node needs, in static storage: one object, one slot for
 * it, a queue of 4 requests (each slot holds ECHONET_NODE_REQUEST_MAX bytes). */
struct unit {
    echonet_aircon model;      /* the values, and the 0x93 20-hour rule */
    int compressor_on;         /* stands for the real hardware */
};
static struct unit unit;
#define AIRCON_EOJ ECHONET_EOJ(0x01, 0x30, 0x01) /* the object's EOJ (its fields are private) */
static echonet_object aircon;
static echonet_object *slots[1];
static echonet_node_request queue[4];
static echonet_node node;
/* end guide:objects */

/* guide:accessors */
/* Reads come from the model. */
static int unit_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    struct unit *u = ctx;

    return echonet_aircon_ops.get(&u->model, epc, edt, cap);
}

/* Writes reach here already checked against the class table (size, range,
 * Set access); store them, then act on the hardware. Return 1 when the value
 * changed (the node announces it if it is in 0x9D), 0 when not, or a
 * negative echonet_err to refuse (answered SetC_SNA). */
static int unit_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                    echonet_tstamp now)
{
    struct unit *u = ctx;
    int r = echonet_aircon_ops.set(&u->model, epc, edt, pdc, source, now);

    if (r >= 0 && epc == ECHONET_EPC_OPERATION_STATUS)
        u->compressor_on = edt[0] == ECHONET_ON;
    return r;
}

/* Timers: the model's 20-hour line-health deadline (AIF 3.5 ⑧). */
static echonet_tstamp unit_expiry(void *ctx)
{
    struct unit *u = ctx;

    return echonet_aircon_ops.expiry(&u->model);
}

static void unit_handle_expiry(void *ctx, echonet_tstamp now, echonet_propmap *changed)
{
    struct unit *u = ctx;
    uint8_t status;

    echonet_aircon_ops.handle_expiry(&u->model, now, changed);
    if (echonet_aircon_value(&u->model, ECHONET_EPC_OPERATION_STATUS, &status, 1) == 1)
        u->compressor_on = status == ECHONET_ON;
}

static const echonet_object_ops unit_ops = {unit_get, unit_set, unit_expiry, unit_handle_expiry};
/* end guide:accessors */

/* guide:init */
static int unit_start(void)
{
    static const uint8_t maker[3] = {0x00, 0x00, 0x0B};       /* your manufacturer code */
    static const uint8_t optional[] = {ECHONET_EPC_REMOTE_CONTROL}; /* optional properties kept */
    echonet_node_config cfg;
    echonet_propmap omit;

    memset(&cfg, 0, sizeof cfg);
    memcpy(cfg.manufacturer, maker, 3);
    memcpy(cfg.unique_id, "UNIT-00000001", 13);
    echonet_aircon_omit(&omit, optional, sizeof optional);
    if (echonet_aircon_init(&unit.model, maker) != ECHONET_OK)
        return -1;
    if (echonet_aircon_object_init(&aircon, AIRCON_EOJ, &omit, &unit_ops, &unit) != ECHONET_OK)
        return -1;
    if (echonet_node_init(&node, &cfg, slots, 1, queue, 4) != ECHONET_OK)
        return -1;
    return echonet_node_add(&node, &aircon) == ECHONET_OK ? 0 : -1;
}
/* end guide:init */

/* What the loop sent, for the checks below. */
static uint8_t sent[8][64];
static size_t sent_len[8], n_sent;
static bool sent_multicast[8];

/* guide:loop */
/* Send everything the node has to say at 'now'. In firmware the body is a
 * UDP sendto(): to 'dst' port 3610, or to 224.0.23.0 / ff02::1 port 3610
 * when 'multicast' is true. */
static void node_flush(echonet_tstamp now)
{
    uint8_t buf[300]; /* at least the longest request (and 269 for announcements) */
    echonet_addr dst;
    bool multicast;
    int32_t n;

    while ((n = echonet_node_write(&node, &dst, &multicast, buf, sizeof buf, now)) > 0) {
        if (n_sent < 8 && (size_t)n <= sizeof sent[0]) {
            memcpy(sent[n_sent], buf, (size_t)n);
            sent_len[n_sent] = (size_t)n;
            sent_multicast[n_sent++] = multicast;
        }
    }
}

/* A datagram arrived from 'src': queue it, and answer at once. */
static void node_receive(const echonet_addr *src, const uint8_t *buf, size_t len, echonet_tstamp now)
{
    if (echonet_node_read(&node, src, buf, len) == ECHONET_ERR_FULL) {
        node_flush(now); /* make room, then try again */
        (void)echonet_node_read(&node, src, buf, len);
    }
    node_flush(now);
}
/* end guide:loop */

/* A request as a controller would send it. */
static size_t request(uint8_t *buf, size_t cap, uint16_t tid, uint8_t esv, const echonet_prop *props, size_t n)
{
    echonet_writer w;
    size_t len = 0, i;

    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, tid, ECHONET_EOJ_CONTROLLER, AIRCON_EOJ, esv);
    for (i = 0; i < n; i++)
        echonet_writer_prop(&w, props[i].epc, props[i].pdc, props[i].edt);
    return echonet_writer_finish(&w, &len) == ECHONET_OK ? len : 0;
}

/* Property 'epc' of the first sent frame with ESV 'esv'. */
static bool sent_prop(uint8_t esv, uint8_t epc, echonet_prop *p)
{
    size_t i;

    for (i = 0; i < n_sent; i++) {
        echonet_frame f;

        if (echonet_frame_decode_udp(&f, sent[i], sent_len[i], NULL) == ECHONET_OK && f.esv == esv &&
            echonet_prop_find(f.props, epc, p))
            return true;
    }
    return false;
}

/* The one-byte value of 'epc' in the first sent frame with ESV 'esv', or -1. */
static int sent_value(uint8_t esv, uint8_t epc)
{
    echonet_prop p;

    return sent_prop(esv, epc, &p) && p.pdc == 1 ? p.edt[0] : -1;
}

int main(void)
{
    static const uint8_t ip[4] = {192, 168, 1, 10};
    static const uint8_t on = ECHONET_ON, remote = ECHONET_REMOTE_PUBLIC, hot = 60;
    echonet_addr controller;
    uint8_t buf[64];
    size_t len;
    echonet_tstamp now = 1000;

    if (unit_start() != 0 || echonet_addr_set(&controller, ip, 4) != ECHONET_OK)
        return 1;

    /* guide:startup */
    /* At start-up the node announces its instance list (0xD5) to all nodes. */
    node_flush(now);
    {
        static const uint8_t list[4] = {0x01, 0x01, 0x30, 0x01}; /* 1 instance: 013001 */
        echonet_prop p;

        if (n_sent != 1 || !sent_multicast[0] || !sent_prop(ECHONET_ESV_INF, 0xD5, &p) || p.pdc != 4 ||
            memcmp(p.edt, list, 4) != 0)
            return 2;
    }
    /* end guide:startup */

    /* guide:requests */
    /* SetC from the public network: 0x93 = 0x42 first, then ON (AIF 4.1). */
    {
        const echonet_prop props[] = {{ECHONET_EPC_REMOTE_CONTROL, 1, &remote},
                                      {ECHONET_EPC_OPERATION_STATUS, 1, &on}};

        n_sent = 0;
        len = request(buf, sizeof buf, 1, ECHONET_ESV_SETC, props, 2);
        node_receive(&controller, buf, len, now);
    }
    /* Set_Res to the controller, then the INF announcing 0x80 = ON. */
    if (n_sent != 2 || sent_multicast[0] || sent[0][10] != ECHONET_ESV_SET_RES ||
        sent_value(ECHONET_ESV_INF, ECHONET_EPC_OPERATION_STATUS) != ECHONET_ON || !unit.compressor_on)
        return 3;

    /* An out-of-range value is refused by the table before unit_set() runs. */
    {
        const echonet_prop p = {ECHONET_EPC_SET_TEMPERATURE, 1, &hot};

        n_sent = 0;
        len = request(buf, sizeof buf, 2, ECHONET_ESV_SETC, &p, 1);
        node_receive(&controller, buf, len, now);
        if (n_sent != 1 || sent_value(ECHONET_ESV_SETC_SNA, ECHONET_EPC_SET_TEMPERATURE) != 60)
            return 4; /* SetC_SNA echoes the refused value */
    }
    /* end guide:requests */

    /* guide:local */
    /* The handset sets 27 °C: not in 0x9D, so stored without an announcement;
     * then switches to heating: 0xB0 is in 0x9D, so it is announced. */
    {
        uint8_t t27 = 27, heat = ECHONET_MODE_HEAT;

        n_sent = 0;
        if (echonet_node_set_local(&node, AIRCON_EOJ, ECHONET_EPC_SET_TEMPERATURE, &t27, 1, now) != ECHONET_OK ||
            echonet_node_set_local(&node, AIRCON_EOJ, ECHONET_EPC_MODE, &heat, 1, now) != ECHONET_OK)
            return 5;
        node_flush(now);
        if (n_sent != 1 || sent_value(ECHONET_ESV_INF, ECHONET_EPC_MODE) != ECHONET_MODE_HEAT)
            return 5;
    }
    /* end guide:local */

    /* guide:expiry */
    /* The handset use above ended remote operation, so no 20-hour stop is
     * pending; arm it again from the network and let 20 hours pass with no
     * line-health write (0x93 = 0x61/0x62): the unit stops and announces it. */
    {
        const echonet_prop p = {ECHONET_EPC_REMOTE_CONTROL, 1, &remote};

        len = request(buf, sizeof buf, 3, ECHONET_ESV_SETC, &p, 1);
        node_receive(&controller, buf, len, now);
        if (echonet_node_expiry(&node) != now + ECHONET_AIRCON_LINE_TIMEOUT)
            return 6;
        now = echonet_node_expiry(&node); /* a firmware sleeps until then */
        n_sent = 0;
        node_flush(now);
        if (n_sent != 1 || sent_value(ECHONET_ESV_INF, ECHONET_EPC_OPERATION_STATUS) != ECHONET_OFF || unit.compressor_on)
            return 6;
    }
    /* end guide:expiry */
    printf("device node: start-up, SetC, SetC_SNA, local change and 20-hour stop as expected\n");
    return 0;
}
