/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_self: the controller object 0x05FF01 of hems-controller's own node,
 * so that the program is an ECHONET Lite node like any other: it announces
 * its instance list (0xD5 = 01 05 FF 01) at start (AIF 3.1.1) and answers
 * other controllers' searches and Gets.
 *
 * It carries the superclass's mandatory properties (reference 7): 0x80
 * operation status (always ON), 0x81 installation location (settable, one
 * byte, 0x00 "not set" at start), 0x82 version (Release H, 00 00 48 00),
 * 0x88 fault status (no fault), 0x8A manufacturer code, and the maps
 * 0x9D-0x9F the node derives from the table.
 */
#ifndef EXAMPLES_HEMS_SELF_H
#define EXAMPLES_HEMS_SELF_H

#include <stdint.h>

#include <echonet/echonet.h>

struct hems_self {
    echonet_object object; /* for echonet_node_add() */
    uint8_t maker[3];      /* 0x8A */
    uint8_t installation;  /* 0x81 */
};

/* Prepares the object; its accessors use self, which must stay in place.
 * Returns the error of echonet_object_init(). */
echonet_err hems_self_init(struct hems_self *self, const uint8_t maker[3]);

#endif /* EXAMPLES_HEMS_SELF_H */
