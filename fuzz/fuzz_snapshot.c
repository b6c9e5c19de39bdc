/* Fuzz target: snapshot restore. Input: a flags byte, a big-endian length
 * L, L bytes of snapshot, then a controller script (ctl_harness.c).
 * Flags: 0x01 remote mode; 0x02 the CRC is recomputed before restoring, so
 * that the fuzzer reaches the checks behind it.
 *
 * echonet_ctl_restore() must give a defined error and leave the controller
 * untouched, or succeed with a controller consistent with the snapshot: its
 * nodes, addresses, objects, maps and identification numbers as saved,
 * every object ready, and saved again it gives the same snapshot (the TID
 * moved on by 1024, capacities clamped to ECHONET_CTL_BATCH_MAX, nodes
 * without an object left out, the objects node by node, as version 2).
 * Either way the controller then runs the script under the harness's invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 11u
#define OBJECT_1 59u /* an object of a version 1 snapshot */
#define OBJECT 65u   /* of version 2: a meter's last half-hour and days to read after it */

static uint8_t saved[4096];

static uint32_t crc32(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    unsigned k;

    while (n--) {
        c ^= *p++;
        for (k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return ~c;
}

static void put_crc(uint8_t *b, size_t len)
{
    uint32_t c;

    /* This CRC is the harness's own, kept apart from lib/crc32.c on purpose:
     * check_restored() demands that the library saves the very bytes this
     * function made, so the library's CRC must equal it; and it is pinned to
     * the standard here by the CRC-32 check value. */
    h_must(crc32((const uint8_t *)"123456789", 9) == 0xCBF43926u);
    c = crc32(b, len - 4);
    b[len - 4] = (uint8_t)(c >> 24);
    b[len - 3] = (uint8_t)(c >> 16);
    b[len - 2] = (uint8_t)(c >> 8);
    b[len - 1] = (uint8_t)c;
}

static uint16_t u16(const uint8_t *b)
{
    return (uint16_t)(b[0] << 8 | b[1]);
}

/* The controller holds what the (accepted) snapshot @p b says. */
static void check_restored(const echonet_ctl *ctl, uint8_t *b, size_t len)
{
    uint16_t nodes = u16(b + 5), objects = u16(b + 7), i, j;
    uint16_t tid = (uint16_t)(u16(b + 9) + ECHONET_CTL_RESTORE_TID_SKIP);
    size_t pos = HEADER, got = 0, obj_start, olen = b[4] == 1 ? OBJECT_1 : OBJECT;

    h_must(nodes <= H_NODES);
    for (i = 0, obj_start = HEADER; i < nodes; i++)
        obj_start += 2u + b[obj_start];
    for (i = 0; i < nodes; i++) {
        const echonet_addr *a = echonet_ctl_node_addr(ctl, i);
        size_t count = 0;

        h_must(a && a->len == b[pos] && memcmp(a->bytes, b + pos + 1, a->len) == 0);
        h_must(echonet_ctl_find(ctl, a) == i && echonet_ctl_node_online(ctl, i));
        if (b[pos + 1 + b[pos]] > ECHONET_CTL_BATCH_MAX)
            b[pos + 1 + b[pos]] = ECHONET_CTL_BATCH_MAX; /* as saved again */
        pos += 2u + b[pos];
        for (j = 0; j < objects; j++)
            count += u16(b + obj_start + (size_t)j * olen) == i;
        h_must(echonet_ctl_objects(ctl, i, NULL, 0) == count);
    }
    h_must(echonet_ctl_node_addr(ctl, nodes) == NULL && pos == obj_start);
    for (j = 0; j < objects; j++) {
        const uint8_t *r = b + obj_start + (size_t)j * olen;
        echonet_eoj eoj = (echonet_eoj)r[2] << 16 | (echonet_eoj)r[3] << 8 | r[4];
        echonet_propmap get, set;
        uint8_t id[17];

        h_must(echonet_ctl_object_info(ctl, u16(r), eoj, NULL, &get, &set, id) == ECHONET_OK);
        h_must(memcmp(get.bits, r + 5, 16) == 0 && memcmp(set.bits, r + 21, 16) == 0 && memcmp(id, r + 38, 17) == 0);
        h_must(echonet_ctl_object_ready(ctl, u16(r), eoj));
    }
    /* Saved again: the same bytes, but for the TID, the clamped capacities,
     * the nodes without an object (left out, and the node numbers after
     * one move down), the order of the objects (node by node, each
     * node's in the snapshot's order), and as version 2: a meter's 6 bytes
     * kept, any other object's zero (a version 1 object's too). */
    {
        static uint8_t want[4096];
        uint16_t kept = 0, n;
        size_t w = HEADER;

        h_must(HEADER + (len - HEADER) / OBJECT_1 * OBJECT <= sizeof want);
        for (i = 0, pos = HEADER; i < nodes; i++, pos += 2u + b[pos]) {
            size_t count = 0;

            for (j = 0; j < objects; j++)
                count += u16(b + obj_start + (size_t)j * olen) == i;
            if (count) {
                memcpy(want + w, b + pos, 2u + b[pos]);
                w += 2u + b[pos];
            }
        }
        for (n = 0; n < nodes; n++) {
            bool any = false;

            for (j = 0; j < objects; j++) {
                const uint8_t *r = b + obj_start + (size_t)j * olen;

                if (u16(r) != n)
                    continue;
                memcpy(want + w, r, OBJECT_1);
                if (olen == OBJECT && r[2] == 0x02 && r[3] == 0x88) {
                    memcpy(want + w + OBJECT_1, r + OBJECT_1, OBJECT - OBJECT_1);
                    if (memcmp(r + OBJECT_1, "\0\0\0\0", 4) == 0) /* no half-hour: no days to read */
                        memset(want + w + OBJECT_1 + 4, 0, 2);
                } else
                    memset(want + w + OBJECT_1, 0, OBJECT - OBJECT_1);
                want[w] = (uint8_t)(kept >> 8);
                want[w + 1] = (uint8_t)kept;
                w += OBJECT;
                any = true;
            }
            kept = (uint16_t)(kept + any);
        }
        memcpy(want, b, HEADER);
        want[4] = 2;
        want[5] = (uint8_t)(kept >> 8);
        want[6] = (uint8_t)kept;
        want[9] = (uint8_t)(tid >> 8);
        want[10] = (uint8_t)tid;
        w += 4;
        put_crc(want, w);
        h_must(echonet_ctl_save(ctl, saved, sizeof saved, &got) == ECHONET_OK);
        h_must(got == w && memcmp(saved, want, w) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t flags;
    size_t len, got = 0;
    uint8_t *snap;
    echonet_ctl *ctl;
    echonet_err err;

    if (size < 3)
        return 0;
    flags = data[0];
    len = (size_t)data[1] << 8 | data[2];
    if (len > size - 3)
        len = size - 3;
    ctl = h_init(flags & 1, 4, 1000, true);
    /* An exact-size copy, so that an over-read is seen by the sanitizers. */
    snap = malloc(len ? len : 1);
    h_must(snap != NULL);
    if (len)
        memcpy(snap, data + 3, len);
    if ((flags & 2) && len >= 4)
        put_crc(snap, len);
    err = echonet_ctl_restore(ctl, snap, len, h_now());
    if (err == ECHONET_OK) {
        check_restored(ctl, snap, len);
        if (echonet_ctl_node_addr(ctl, 0))
            h_must(echonet_ctl_restore(ctl, snap, len, h_now()) == ECHONET_ERR_INVALID_ARG);
    } else {
        /* A defined error, and nothing loaded. */
        h_must(err == ECHONET_ERR_SNAPSHOT || err == ECHONET_ERR_FULL);
        h_must(echonet_ctl_node_addr(ctl, 0) == NULL);
        h_must(echonet_ctl_save(ctl, saved, sizeof saved, &got) == ECHONET_OK && got == HEADER + 4);
    }
    free(snap);
    echonet_ctl_set_line(ctl, true, h_now());
    h_script(data + 3 + len, size - 3 - len);
    return 0;
}
