/*
 * libechonet examples: the English names of device classes and properties.
 * SPDX-License-Identifier: MIT
 */
/* From the ECHONET Machine Readable Appendix (tools/mra-names.py writes
 * mra_names.c at build time). For people reading output, not for logic. */
#ifndef HEMS_MRA_NAMES_H
#define HEMS_MRA_NAMES_H

#include <stdint.h>

/* "Home air conditioner" for 0x0130, or NULL for a class the Appendix does
 * not list. */
const char *mra_class_name(uint16_t class_code);

/* A property's name: the class's, else its superclass's (the node
 * profile's for 0x0EF0), or NULL. */
const char *mra_prop_name(uint16_t class_code, uint8_t epc);

#endif
