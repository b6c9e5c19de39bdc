/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The node profile object 0x0EF001: only mandatory properties (AIF 2.3),
 * every value derived from the node (reference 6). */
#include <string.h>

#include "bytes.h"
#include "node_internal.h"
#include "static_assert.h"

static const uint8_t status_codes[] = {0x30, 0x31};

#define GET_M (ECHONET_ACCESS_GET | ECHONET_ACCESS_MANDATORY)

/* The lists must fit the one-byte PDC and the sizes of 0xD5/0xD6 (253) and
 * 0xD7 (17) below; the node answers from a buffer it sizes from them. */
ECHONET_STATIC_ASSERT(1u + 3u * NODEPROFILE_MAX_INSTANCES <= 253u, instance_list_fits_edt);
ECHONET_STATIC_ASSERT(1u + 2u * NODEPROFILE_MAX_CLASSES <= 17u, class_list_fits_edt);

static const echonet_prop_desc nodeprofile_props[] = {
    {0x80, GET_M | ECHONET_ACCESS_ANNO, 1, 0, ECHONET_RULE_ENUM, 2, 0, status_codes},
    {0x82, GET_M, 4, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x83, GET_M, 17, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x8A, GET_M, 3, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9D, GET_M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9E, GET_M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0x9F, GET_M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xD3, GET_M, 3, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xD4, GET_M, 2, 0, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xD5, GET_M | ECHONET_ACCESS_ANNO, 253, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xD6, GET_M, 253, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
    {0xD7, GET_M, 17, ECHONET_SIZE_VARIABLE, ECHONET_RULE_ANY, 0, 0, NULL},
};

size_t echonet_nodeprofile_instance_list(const echonet_node *node, size_t first, uint8_t *out)
{
    size_t i, n = 0;

    /* Byte 1 counts the EOJs in this EDT (never more than 84); the node's
     * total is in 0xD3 (decided in doc/decisions.md). */
    for (i = first; i < node->n_objects && n < NODEPROFILE_MAX_INSTANCES; i++, n++)
        echonet_put_u24be(out + 1 + 3 * n, node->objects[i]->eoj);
    out[0] = (uint8_t)n;
    return 1 + 3 * n;
}

/* Distinct device classes in the order their first object was added;
 * returns how many there are, writing at most max of them. */
static size_t class_list(const echonet_node *node, uint16_t *classes, size_t max)
{
    size_t i, j, n = 0, total = 0;

    for (i = 0; i < node->n_objects; i++) {
        uint16_t cls = ECHONET_EOJ_CLASS(node->objects[i]->eoj);
        bool seen = false;

        for (j = 0; j < i && !seen; j++)
            seen = ECHONET_EOJ_CLASS(node->objects[j]->eoj) == cls;
        if (seen)
            continue;
        if (n < max)
            classes[n++] = cls;
        total++;
    }
    return total;
}

static int nodeprofile_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    const echonet_node *node = ctx;
    uint16_t classes[NODEPROFILE_MAX_CLASSES];
    size_t n, i;

    if (cap < 253)
        return ECHONET_ERR_NOBUF;
    switch (epc) {
    case 0x80:
        edt[0] = 0x30; /* booting: the node answers, so it runs */
        return 1;
    case 0x82:
        /* ECHONET Lite 1.13, message format 1 only (reference 6). */
        edt[0] = 0x01;
        edt[1] = 0x0D;
        edt[2] = 0x01;
        edt[3] = 0x00;
        return 4;
    case 0x83:
        edt[0] = 0xFE;
        memcpy(edt + 1, node->cfg.manufacturer, 3);
        memcpy(edt + 4, node->cfg.unique_id, 13);
        return 17;
    case 0x8A:
        memcpy(edt, node->cfg.manufacturer, 3);
        return 3;
    case 0xD3:
        echonet_put_u24be(edt, (uint32_t)(node->n_objects > 0xFFFFFFu ? 0xFFFFFFu : node->n_objects));
        return 3;
    case 0xD4:
        /* Counts the node profile class too (reference 6). */
        n = class_list(node, classes, NODEPROFILE_MAX_CLASSES) + 1;
        echonet_put_u16be(edt, (uint16_t)(n > 0xFFFFu ? 0xFFFFu : n));
        return 2;
    case 0xD5:
    case 0xD6:
        return (int)echonet_nodeprofile_instance_list(node, 0, edt);
    case 0xD7:
        n = class_list(node, classes, NODEPROFILE_MAX_CLASSES);
        if (n > NODEPROFILE_MAX_CLASSES)
            n = NODEPROFILE_MAX_CLASSES;
        edt[0] = (uint8_t)n;
        for (i = 0; i < n; i++)
            echonet_put_u16be(edt + 1 + 2 * i, classes[i]);
        return (int)(1 + 2 * n);
    default:
        return ECHONET_ERR_NOT_FOUND;
    }
}

static const echonet_object_ops nodeprofile_ops = {nodeprofile_get, NULL, NULL, NULL};

void echonet_nodeprofile_init(echonet_node *node)
{
    echonet_object *p = &node->profile;

    memset(p, 0, sizeof *p);
    p->eoj = ECHONET_EOJ_NODE_PROFILE;
    p->props = nodeprofile_props;
    p->n_props = sizeof nodeprofile_props / sizeof nodeprofile_props[0];
    p->ops = &nodeprofile_ops;
    p->ctx = node;
    echonet_object_rows(p);
}
