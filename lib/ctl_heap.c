/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The controller's deadlines: a binary min-heap of nodes keyed by their
 * next deadline, so the next expiry is read in O(1) and kept in O(log n). */
#include "ctl_internal.h"

static uint32_t key(const echonet_ctl *ctl, uint16_t i)
{
    return ctl->st.nodes[ctl->st.heap[i]].deadline;
}

static void place(echonet_ctl *ctl, uint16_t i, uint16_t node)
{
    ctl->st.heap[i] = node;
    ctl->st.nodes[node].heap_pos = i;
}

static void sift_up(echonet_ctl *ctl, uint16_t i)
{
    uint16_t node = ctl->st.heap[i];
    uint32_t k = ctl->st.nodes[node].deadline;

    while (i > 0) {
        uint16_t parent = (uint16_t)((i - 1u) / 2u);

        if (key(ctl, parent) <= k)
            break;
        place(ctl, i, ctl->st.heap[parent]);
        i = parent;
    }
    place(ctl, i, node);
}

static void sift_down(echonet_ctl *ctl, uint16_t i)
{
    uint16_t node = ctl->st.heap[i];
    uint32_t k = ctl->st.nodes[node].deadline;

    for (;;) {
        uint32_t child = 2u * i + 1u;

        if (child >= ctl->n_heap)
            break;
        if (child + 1u < ctl->n_heap && key(ctl, (uint16_t)(child + 1u)) < key(ctl, (uint16_t)child))
            child++;
        if (k <= key(ctl, (uint16_t)child))
            break;
        place(ctl, i, ctl->st.heap[child]);
        i = (uint16_t)child;
    }
    place(ctl, i, node);
}

/* Node @p node, placed at a position of the heap, moves to where its
 * deadline belongs. */
static void resift(echonet_ctl *ctl, uint16_t node)
{
    sift_down(ctl, ctl->st.nodes[node].heap_pos);
    sift_up(ctl, ctl->st.nodes[node].heap_pos);
}

void ctl_heap_remove(echonet_ctl *ctl, uint16_t node)
{
    uint16_t i = ctl->st.nodes[node].heap_pos, last;

    if (i == NONE)
        return;
    ctl->st.nodes[node].heap_pos = NONE;
    last = ctl->st.heap[--ctl->n_heap];
    if (i == ctl->n_heap)
        return;
    place(ctl, i, last);
    resift(ctl, last);
}

/* Puts the node where its deadline says, or takes it out when it has none. */
void ctl_heap_update(echonet_ctl *ctl, uint16_t node)
{
    uint16_t i = ctl->st.nodes[node].heap_pos;

    if (ctl->st.nodes[node].deadline == CLOCK_NEVER) {
        ctl_heap_remove(ctl, node);
        return;
    }
    if (i == NONE)
        place(ctl, ctl->n_heap++, node);
    resift(ctl, node);
}

uint16_t ctl_heap_top(const echonet_ctl *ctl)
{
    return ctl->n_heap > 0 ? ctl->st.heap[0] : NONE;
}
