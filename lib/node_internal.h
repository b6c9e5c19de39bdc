/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Private: what node.c and nodeprofile.c share. */
#ifndef ECHONET_LIB_NODE_INTERNAL_H
#define ECHONET_LIB_NODE_INTERNAL_H

#include "echonet/node.h"

/* Most EOJs in one 0xD5/0xD6 EDT: 1 + 84 x 3 = 253 bytes (reference 6.1). */
#define NODEPROFILE_MAX_INSTANCES 84u
/* Most class codes listed in 0xD7: 1 + 8 x 2 = 17 bytes. */
#define NODEPROFILE_MAX_CLASSES 8u

/* Fills obj->row from obj->props: a property is then found among the few
 * entries of its row of 8 EPCs instead of in the whole table. A table out
 * of EPC order (a caller's) keeps the search through the whole table. */
void echonet_object_rows(echonet_object *obj);

/* echonet_object_init_class() of tables known to be well-formed (the
 * library's own: the generated classes and the AIF overlay, which the tests
 * validate), without checking them again (their rules, and that the
 * overlay keeps every mandatory property mandatory): an image that makes
 * objects only of those does not link the validation. The same errors
 * otherwise: ECHONET_ERR_INVALID_ARG, ECHONET_ERR_TABLE for a superclass
 * with a superclass, ECHONET_ERR_MANDATORY when omit names a mandatory
 * property of any table. */
echonet_err object_init_chained(echonet_object *obj, echonet_eoj eoj, const echonet_class *cls,
                                const echonet_prop_desc *overlay, size_t n_overlay, const echonet_propmap *omit,
                                const echonet_object_ops *ops, void *ctx);

/* Prepares node->profile, the node profile object 0x0EF001. */
void echonet_nodeprofile_init(echonet_node *node);

/* Writes an instance list (0xD5/0xD6 layout) of the objects from index
 * first on, at most 84 of them, into out (253 bytes); returns its length. */
size_t echonet_nodeprofile_instance_list(const echonet_node *node, size_t first, uint8_t *out);

#endif
