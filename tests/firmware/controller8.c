/*
 * Images (c) controller8 and, built with FW_CTL_MIN, (d) controller_min
 * (tests/firmware/controller_min.c). (c): a HEMS controller for 8 air
 * conditioners with every part. Storage for 8 nodes, 8 objects and 8
 * operations (one queued operation per unit), an address index of 16;
 * events go to fw_io.out; commands (fw_io.cmd) read, write, probe, read
 * faults and save the state to "flash"; energy reads are on. (d): the
 * smallest useful controller (issue 13): discovery, reads, writes with the
 * AIF rules (write order, verify, remote prefix) and keepalives; no
 * temperature probe, no snapshot, no energy reads, which a firmware links
 * only when it calls them.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "echonet/echonet.h"
#include "fw.h"

#ifndef FW_CTL_MIN
#define FW_CTL_MIN 0
#endif

#define FW_UNITS 8

ECHONET_CTL_STORAGE(fw_ctl_storage, FW_UNITS, FW_UNITS, FW_UNITS, 2 * FW_UNITS);
static echonet_ctl fw_ctl;
#if !FW_CTL_MIN
static uint8_t snapshot[1024]; /* stands in for a flash page */
static size_t snapshot_len;
#endif

static void on_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    fw_io.out = ((uint32_t)ev->kind << 24) | ((uint32_t)ev->node << 8) | ev->epc;
}

static void command(uint32_t cmd, echonet_tstamp now)
{
    uint16_t node = (uint16_t)((cmd >> 16) & 0xFFu), op = ECHONET_CTL_NONE;
    echonet_eoj eoj = ECHONET_EOJ_OF_CLASS(ECHONET_CLASS_HOME_AIRCON, 1);
    uint8_t v = (uint8_t)cmd;
    echonet_err err = ECHONET_OK;

    switch (cmd >> 24) {
    case 1: {
        echonet_prop p = {ECHONET_EPC_SET_TEMPERATURE, 1, &v};

        err = echonet_ctl_set(&fw_ctl, node, eoj, &p, 1, &op);
        break;
    }
    case 2: {
        static const uint8_t epcs[] = {0x80, 0xB0, 0xB3, 0xBB};

        err = echonet_ctl_get(&fw_ctl, node, eoj, epcs, sizeof epcs, &op);
        break;
    }
    case 3:
        echonet_ctl_set_line(&fw_ctl, v != 0, now);
        break;
#if !FW_CTL_MIN
    case 4:
        err = echonet_ctl_probe(&fw_ctl, node, eoj, ECHONET_MODE_COOL, 16, 30, &op);
        break;
    case 5:
        err = echonet_ctl_read_fault(&fw_ctl, node, eoj, &op);
        break;
#endif
    case 6: {
        echonet_ctl_state s = {0};
        echonet_propmap get, set;
        uint8_t id[17];

        if (echonet_ctl_node_online(&fw_ctl, node) && echonet_ctl_object_ready(&fw_ctl, node, eoj))
            err = echonet_ctl_object_info(&fw_ctl, node, eoj, &s, &get, &set, id);
        fw_io.out = s.temp;
        break;
    }
#if !FW_CTL_MIN
    case 7:
        err = echonet_ctl_save(&fw_ctl, snapshot, sizeof snapshot, &snapshot_len);
        break;
    case 8:
        err = echonet_ctl_restore(&fw_ctl, snapshot, snapshot_len, now);
        break;
#endif
    default:
        echonet_ctl_discover(&fw_ctl);
        break;
    }
    fw_io.out = ((uint32_t)op << 16) | (uint16_t)err;
}

void fw_main(void)
{
    echonet_ctl_config cfg;
    echonet_ctl_callbacks cb = {on_event};

    echonet_ctl_config_default(&cfg);
    cfg.remote = true;
    cfg.first_tid = (uint16_t)fw_io.time_lo;
    fw_io.out = (uint32_t)echonet_ctl_init(&fw_ctl, &cfg, &cb, NULL, &fw_ctl_storage);
#if !FW_CTL_MIN
    (void)echonet_ctl_read_energy(&fw_ctl);
#endif
    echonet_ctl_discover(&fw_ctl);

    for (;;) {
        static uint8_t buf[256];
        echonet_tstamp now = fw_now();
        size_t n = fw_receive(buf, sizeof buf);
        uint32_t cmd = fw_io.cmd;
        echonet_addr dst;
        bool multicast;
        int32_t len;

        if (n > 0) {
            echonet_addr from;

            if (fw_sender(&from) == 0)
                fw_io.out = (uint32_t)echonet_ctl_read(&fw_ctl, &from, buf, n, now);
        }
        if (cmd != 0) {
            command(cmd, now);
            fw_io.cmd = 0;
        }
        while ((len = echonet_ctl_write(&fw_ctl, &dst, &multicast, buf, sizeof buf, now)) > 0)
            fw_send(multicast ? 0xE0000017u : fw_io.rx_src, buf, (size_t)len);
        fw_io.out = (uint32_t)echonet_ctl_expiry(&fw_ctl);
        fw_io.out = echonet_ctl_find(&fw_ctl, &dst);
    }
}
