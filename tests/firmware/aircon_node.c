/*
 * Image (b): an air-conditioner node: the node, its node profile 0x0EF001
 * and one home air conditioner 0x013001 modelled by the library's aircon
 * object. A button (fw_io.cmd) switches it locally; datagrams in, answers
 * and announcements out, deadlines kept.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/echonet.h"
#include "fw.h"

#define FW_EOJ ECHONET_EOJ_OF_CLASS(ECHONET_CLASS_HOME_AIRCON, 1)
#define FW_QUEUE 2

static echonet_node node;
static echonet_object *slots[1];
static echonet_node_request queue[FW_QUEUE];
static echonet_aircon model;
static echonet_object object;

static uint32_t ipv4(const echonet_addr *a)
{
    uint32_t v = 0;
    uint8_t i;

    for (i = 0; i < a->len && i < 4; i++)
        v = (v << 8) | a->bytes[i];
    return v;
}

void fw_main(void)
{
    static const uint8_t maker[3] = {0x00, 0x00, 0x77};
    static const uint8_t keep[] = {0x83, 0x86, 0x89, 0x93};
    echonet_node_config cfg = {{0x00, 0x00, 0x77}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 0};
    echonet_propmap omit;
    echonet_err err;

    err = echonet_node_init(&node, &cfg, slots, 1, queue, FW_QUEUE);
    echonet_aircon_omit(&omit, keep, sizeof keep);
    if (err == ECHONET_OK)
        err = echonet_aircon_init(&model, maker);
    if (err == ECHONET_OK)
        err = echonet_aircon_object_init(&object, FW_EOJ, &omit, &echonet_aircon_ops, &model);
    if (err == ECHONET_OK)
        err = echonet_node_add(&node, &object);
    fw_io.out = (uint32_t)err;

    for (;;) {
        uint8_t buf[64];
        echonet_tstamp now = fw_now();
        size_t n = fw_receive(buf, sizeof buf);
        uint32_t cmd = fw_io.cmd;
        echonet_addr dst;
        bool multicast;
        int32_t len;

        if (n > 0) {
            echonet_addr from;

            if (fw_sender(&from) == 0)
                fw_io.out = (uint32_t)echonet_node_read(&node, &from, buf, n);
        }
        if (cmd != 0) {
            /* the handset: ON/OFF, or a set temperature */
            uint8_t v = (uint8_t)cmd;

            if ((cmd >> 8) == 0xB3u && echonet_aircon_temp_edt((int)v, &v))
                (void)echonet_node_set_local(&node, FW_EOJ, ECHONET_EPC_SET_TEMPERATURE, &v, 1, now);
            else
                (void)echonet_node_set_local(&node, FW_EOJ, ECHONET_EPC_OPERATION_STATUS, &v, 1, now);
            fw_io.cmd = 0;
        }
        while ((len = echonet_node_write(&node, &dst, &multicast, buf, sizeof buf, now)) > 0)
            fw_send(multicast ? 0xE0000017u : ipv4(&dst), buf, (size_t)len);
        fw_io.out = (uint32_t)echonet_node_expiry(&node);
    }
}
