/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_cmd: the commands of hems-controller, parsed from words (the command
 * line after the options, or one line of standard input in `run` mode):
 *
 *   discover [--wait S] [NODE...]
 *   get NODE EOJ EPC...
 *   set NODE EOJ (EPC=HEX | on | off | mode auto|cool|heat|dry|fan |
 *                 temp C | fan 0-8)...
 *   status NODE [EOJ]
 *   probe NODE EOJ MODE LOW HIGH
 *   fault NODE EOJ
 *   run
 *   serve
 *   line up|down                       (standard input or control socket of `run`/`serve` only)
 *   quit                               (standard input or control socket of `run`/`serve` only)
 *   house                              (the same: the whole house now, hems_house.h)
 *
 * NODE is an IPv4 or IPv6 literal (IPv6 with an optional %interface, which
 * a link-local fe80:: address must have but for the smart meter of
 * --broute: hems_cmd_check_scope()), EOJ
 * six hex digits of a home air conditioner (0130 and an instance 01-7F),
 * EPC two hex digits 80-FF. Values are only parsed here, never judged: a
 * temperature of 60 becomes 0xB3 = 0x3C and echonet_ctl_set() refuses it
 * against the class table, so the program never holds a second copy of the
 * ranges. Only what has no encoding at all is a parse error (a fan level 9,
 * a temperature that is not a byte, refused with the table's range).
 */
#ifndef EXAMPLES_HEMS_CMD_H
#define EXAMPLES_HEMS_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

/* Most NODE arguments of `discover`. */
#define HEMS_CMD_MAX_NODES 8

enum hems_cmd_kind {
    HEMS_CMD_DISCOVER,
    HEMS_CMD_GET,
    HEMS_CMD_SET,
    HEMS_CMD_STATUS,
    HEMS_CMD_PROBE,
    HEMS_CMD_FAULT,
    HEMS_CMD_RUN,
    HEMS_CMD_LINE,
    HEMS_CMD_QUIT,
    HEMS_CMD_SERVE,
    HEMS_CMD_HOUSE
};

/* A parsed command; a plain value (copy it to keep it). */
struct hems_cmd {
    enum hems_cmd_kind kind;
    echonet_addr node[HEMS_CMD_MAX_NODES]; /* NODE (discover: the unicast targets) */
    unsigned n_nodes;
    echonet_eoj eoj;                      /* 0 when `status` names no EOJ */
    unsigned n;                           /* properties of get/set */
    uint8_t epc[ECHONET_CTL_BATCH_MAX];   /* their EPCs */
    uint8_t len[ECHONET_CTL_BATCH_MAX];   /* set: their value lengths... */
    uint8_t data[ECHONET_CTL_VALUE_BYTES]; /* ...and the values, one after the other */
    size_t used;                          /* bytes of data[] in use */
    uint8_t mode;                         /* probe: 0x41-0x45 */
    int low, high;                        /* probe: °C */
    bool up;                              /* line */
    long wait_s;                          /* discover --wait, -1 when not given */
    bool remote;                          /* set: from outside the home network (AIF 4.1, the HTTP API;
                                             echonet_ctl_set_ex()); never from the words */
};

/* Parses words[0..n-1] into cmd. interactive: a line of `run`'s standard
 * input (allows line and quit, not run). Returns 0, or -1 with a message in
 * why. */
int hems_cmd_parse(struct hems_cmd *cmd, char **words, int n, bool interactive, char *why, size_t why_len);

/* Refuses an IPv6 link-local NODE without its %interface unless broute
 * (the smart meter of --broute has such an address, broute.h). Returns 0,
 * or -1 with a message in why. */
int hems_cmd_check_scope(const struct hems_cmd *cmd, bool broute, char *why, size_t why_len);

/* The properties of a `set` as views into cmd->data, for echonet_ctl_set().
 * Returns how many (cmd->n). */
size_t hems_cmd_props(const struct hems_cmd *cmd, echonet_prop props[ECHONET_CTL_BATCH_MAX]);

/* Splits a line into at most max words (modifying it). Returns the number
 * of words, or -1 when there are more than max. */
int hems_cmd_split(char *line, char **words, int max);

/* Parses a whole decimal number within min..max. */
bool hems_parse_long(const char *s, long min, long max, long *out);

/* A property's descriptor in the table of its class: the air
 * conditioner's with the AIF overlay, the Appendix's for any other class
 * (its own, then the superclass's); NULL when the class has none. */
const echonet_prop_desc *hems_cmd_desc(uint16_t class_code, uint8_t epc);

/* What the class table allows for a property, for a refusal's message:
 * "0 to 50" (0xB3), "30, 31" (0x80), "2 bytes"... Returns buf. */
const char *hems_cmd_allowed(uint16_t class_code, uint8_t epc, char *buf, size_t cap);

/* Parses a mode name (auto, cool, heat, dry, fan) into 0x41-0x45. */
bool hems_parse_mode(const char *s, uint8_t *mode);

#endif /* EXAMPLES_HEMS_CMD_H */
