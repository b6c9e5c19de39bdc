/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller's address index: which node an address belongs to, in
 * constant time whatever the number of nodes. Linear probing; a forgotten
 * node is taken out and the entries after it inserted again (no
 * tombstones, so a lookup never walks over the dead). */
#include <string.h>

#include "ctl_internal.h"

static uint32_t addr_hash(const echonet_addr *a)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < a->len && i < ECHONET_ADDR_MAX; i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return h ^ a->len;
}

void ctl_index_clear(echonet_ctl *ctl)
{
    size_t i;

    for (i = 0; i < ctl->st.n_index; i++)
        ctl->st.index[i] = NONE;
}

uint16_t ctl_index_find(const echonet_ctl *ctl, const echonet_addr *addr)
{
    uint32_t mask = (uint32_t)ctl->st.n_index - 1u, i = addr_hash(addr) & mask;
    uint16_t n;

    while ((n = ctl->st.index[i]) != NONE) {
        if (echonet_addr_equal(&ctl->st.nodes[n].addr, addr))
            return n;
        i = (i + 1u) & mask;
    }
    return NONE;
}

void ctl_index_insert(echonet_ctl *ctl, uint16_t node)
{
    uint32_t mask = (uint32_t)ctl->st.n_index - 1u, i = addr_hash(&ctl->st.nodes[node].addr) & mask;

    /* The index has at least twice the slots of nodes: a free one exists. */
    while (ctl->st.index[i] != NONE)
        i = (i + 1u) & mask;
    ctl->st.index[i] = node;
}

void ctl_index_remove(echonet_ctl *ctl, uint16_t node)
{
    uint32_t mask = (uint32_t)ctl->st.n_index - 1u, i = addr_hash(&ctl->st.nodes[node].addr) & mask;
    uint16_t n;

    while (ctl->st.index[i] != node) {
        if (ctl->st.index[i] == NONE)
            return; /* (not reached: every node is in the index) */
        i = (i + 1u) & mask;
    }
    /* The entries after the hole, up to a free slot, are inserted again:
     * each lands in the hole or stays where a lookup still reaches it. The
     * index is at most half full, so the run is short. */
    ctl->st.index[i] = NONE;
    for (i = (i + 1u) & mask; (n = ctl->st.index[i]) != NONE; i = (i + 1u) & mask) {
        ctl->st.index[i] = NONE;
        ctl_index_insert(ctl, n);
    }
}
