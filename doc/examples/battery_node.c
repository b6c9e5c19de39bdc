/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * The code of doc/device-node.md, "A storage battery from the generated
 * tables": a storage battery (class 0x027D) as an ECHONET Lite node, built
 * on the class table generated from the ECHONET Machine Readable Appendix,
 * chained to the superclass table, with one maker-specific property in an
 * overlay. A controller's requests are built with the frame writer and fed
 * in; the answers are checked. The test suite builds and runs this program
 * ('guide battery node').
 */
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

/* guide:battery-store */
/* The battery's values: a length and up to 8 bytes per EPC, set at start-up
 * and by the accessors. A real firmware reads its hardware instead. */
struct battery {
    uint8_t len[128];
    uint8_t value[128][8];
};
static struct battery battery;
#define BATTERY_EOJ ECHONET_EOJ(0x02, 0x7D, 0x01)

/* Every mandatory property of 0x027D and its superclass, and the optional
 * ones this product has (0xD3 power, 0xE4 remaining %); values as the
 * class table allows them. */
static const struct { uint8_t epc, len, v[8]; } factory[] = {
    {0x80, 1, {0x30}}, {0x81, 1, {0x00}}, {0x82, 4, {0, 0, 'M', 0}}, {0x88, 1, {0x42}},
    {0x8A, 3, {0x00, 0x00, 0x77}}, {0x97, 2, {12, 30}}, {0x98, 4, {0x07, 0xEA, 12, 6}},
    {0xA0, 4, {0, 0, 0x27, 0x10}}, {0xA1, 4, {0, 0, 0x27, 0x10}}, {0xA2, 4, {0, 0, 0x13, 0x88}},
    {0xA3, 4, {0, 0, 0x13, 0x88}}, {0xA4, 4, {0, 0, 0x13, 0x88}}, {0xA5, 4, {0, 0, 0x13, 0x88}},
    {0xA8, 4, {0, 0, 0, 0}}, {0xA9, 4, {0, 0, 0, 0}}, {0xAA, 4, {0, 0, 0, 0}}, {0xAB, 4, {0, 0, 0, 0}},
    {0xC1, 1, {0x01}}, {0xC2, 1, {0x01}}, {0xC8, 8, {0, 0, 0, 100, 0, 0, 0x0B, 0xB8}},
    {0xC9, 8, {0, 0, 0, 100, 0, 0, 0x0B, 0xB8}}, {0xCF, 1, {0x44}}, {0xDA, 1, {0x44}}, {0xDB, 1, {0x00}},
    {0xE6, 1, {0x01}}, {0xD3, 4, {0xFF, 0xFF, 0xFA, 0x24}} /* -1500 W */, {0xE4, 1, {57}},
    {0xF0, 1, {25}},
};
/* end guide:battery-store */

/* guide:battery-tables */
/* A maker-specific property: 0xF0, cell temperature, -20..60 °C, read
 * only. Overlay entries are searched before the class's. */
static const uint8_t cell_range[] = {0xEC, 0x3C};
static const echonet_prop_desc maker_props[] = {
    {0xF0, ECHONET_ACCESS_GET, 1, 0, ECHONET_RULE_RANGE_S8, 2, 0, cell_range},
};

static int battery_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    struct battery *b = ctx;

    if (b->len[epc - 0x80] == 0 || cap < b->len[epc - 0x80])
        return ECHONET_ERR_NOT_FOUND;
    memcpy(edt, b->value[epc - 0x80], b->len[epc - 0x80]);
    return b->len[epc - 0x80];
}

/* Values arrive checked against the table (0xDA one of its nine codes). */
static int battery_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source,
                       echonet_tstamp now)
{
    struct battery *b = ctx;

    (void)source;
    (void)now;
    if (pdc > sizeof b->value[0])
        return ECHONET_ERR_VALUE_SIZE;
    if (b->len[epc - 0x80] == pdc && memcmp(b->value[epc - 0x80], edt, pdc) == 0)
        return 0;
    b->len[epc - 0x80] = (uint8_t)pdc;
    memcpy(b->value[epc - 0x80], edt, pdc);
    return 1;
}

static const echonet_object_ops battery_ops = {battery_get, battery_set, NULL, NULL};
static echonet_object object;
static echonet_object *slots[1];
static echonet_node_request queue[2];
static echonet_node node;

static int battery_start(void)
{
    static const uint8_t keep[] = {0xD3, 0xE4};
    static const echonet_node_config cfg = {{0x00, 0x00, 0x77}, {0x02, 0x7D}, 0};
    echonet_propmap omit;
    size_t i;

    for (i = 0; i < sizeof factory / sizeof factory[0]; i++) {
        battery.len[factory[i].epc - 0x80] = factory[i].len;
        memcpy(battery.value[factory[i].epc - 0x80], factory[i].v, factory[i].len);
    }
    /* Leave out every optional property but 0xD3 and 0xE4. */
    if (echonet_class_omit(&omit, &echonet_class_027d, keep, sizeof keep) != ECHONET_OK)
        return -1;
    if (echonet_object_init_class(&object, BATTERY_EOJ, &echonet_class_027d, maker_props, 1, &omit, &battery_ops,
                                  &battery) != ECHONET_OK ||
        echonet_node_init(&node, &cfg, slots, 1, queue, 2) != ECHONET_OK || echonet_node_add(&node, &object) != ECHONET_OK)
        return -1;
    return 0;
}
/* end guide:battery-tables */

/* Sends one request to the battery and returns the answer's length in
 * 'answer' (0 when none); announcements are skipped. */
static size_t ask(uint8_t esv, uint8_t epc, const uint8_t *edt, size_t pdc, uint8_t *answer, size_t cap)
{
    static const uint8_t ip[4] = {192, 168, 1, 20};
    echonet_addr controller, dst;
    echonet_writer w;
    uint8_t req[64];
    size_t len = 0;
    bool multicast;
    int32_t n;

    if (echonet_addr_set(&controller, ip, 4) != ECHONET_OK)
        return 0;
    echonet_writer_init(&w, req, sizeof req);
    echonet_writer_header(&w, 1, ECHONET_EOJ_CONTROLLER, BATTERY_EOJ, esv);
    echonet_writer_prop(&w, epc, pdc, edt);
    if (echonet_writer_finish(&w, &len) != ECHONET_OK || echonet_node_read(&node, &controller, req, len) < 0)
        return 0;
    while ((n = echonet_node_write(&node, &dst, &multicast, answer, cap, 0)) > 0)
        if (!multicast)
            return (size_t)n;
    return 0;
}

/* The answer's ESV and its first property. */
static uint8_t answer_prop(const uint8_t *buf, size_t len, echonet_prop *p)
{
    echonet_frame f;

    if (echonet_frame_decode_udp(&f, buf, len, NULL) != ECHONET_OK || !echonet_prop_next(&f.props, p))
        return 0;
    return f.esv;
}

int main(void)
{
    uint8_t buf[300];
    size_t len;
    echonet_prop p;
    echonet_propmap get;

    if (battery_start() != 0)
        return 1;
    /* guide:battery-requests */
    /* The Get map: superclass (0x80), class (0xDA), kept optional (0xE4)
     * and maker (0xF0) properties; the omitted 0xE2 is not there. */
    len = ask(ECHONET_ESV_GET, 0x9F, NULL, 0, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_GET_RES || echonet_propmap_decode(&get, p.edt, p.pdc) != ECHONET_OK ||
        !echonet_propmap_contains(&get, 0x80) || !echonet_propmap_contains(&get, 0xDA) ||
        !echonet_propmap_contains(&get, 0xE4) || !echonet_propmap_contains(&get, 0xF0) ||
        echonet_propmap_contains(&get, 0xE2))
        return 2;
    /* Remaining capacity 3 (0xE4): 57 %. */
    len = ask(ECHONET_ESV_GET, 0xE4, NULL, 0, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_GET_RES || p.pdc != 1 || p.edt[0] != 57)
        return 3;
    /* Operation mode (0xDA) = 0x42, charging: accepted. */
    len = ask(ECHONET_ESV_SETC, 0xDA, (const uint8_t[]){0x42}, 1, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_SET_RES || battery.value[0xDA - 0x80][0] != 0x42)
        return 4;
    /* 0x47 is no operation mode of the class: refused, value echoed, not stored. */
    len = ask(ECHONET_ESV_SETC, 0xDA, (const uint8_t[]){0x47}, 1, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_SETC_SNA || p.pdc != 1 || battery.value[0xDA - 0x80][0] != 0x42)
        return 5;
    /* 0xE4 is read only: a Set is refused. */
    len = ask(ECHONET_ESV_SETC, 0xE4, (const uint8_t[]){50}, 1, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_SETC_SNA)
        return 6;
    /* A value out of the table never leaves the node: 0xE4 = 101 % is
     * answered as not processed (Get_SNA, PDC 0). */
    battery.value[0xE4 - 0x80][0] = 101;
    len = ask(ECHONET_ESV_GET, 0xE4, NULL, 0, buf, sizeof buf);
    if (answer_prop(buf, len, &p) != ECHONET_ESV_GET_SNA || p.pdc != 0)
        return 7;
    /* end guide:battery-requests */
    printf("battery node: Get map, Get 0xE4, SetC 0xDA accepted and refused, read-only and out-of-range refused\n");
    return 0;
}
