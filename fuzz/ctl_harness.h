/* The controller harness shared by fuzz_controller.c and fuzz_snapshot.c:
 * runs a script against one echonet_ctl and checks, from outside, the
 * invariants the simulation tests (tests/sim.h) check:
 *  - every datagram decodes (format 1), its SEOJ is cfg.self, and no TID
 *    comes twice within 65535 requests (AIF 2.4.3);
 *  - multicast: only Get, to the node profile or 0x013000;
 *  - unicast: only Get (PDC 0) and SetC, to a node the controller knows, to
 *    its node profile (Get only) or to one of its air-conditioner objects;
 *    at most one request in flight per node until an answer with its TID
 *    and ESV pair came back or the response timer ran out (AIF 2.4.1/2);
 *  - writes: every value within the class table, 0x93 only in remote mode,
 *    0x42 first (AIF 4.1) or 0x62 alone (a keepalive, AIF 3.5), the order
 *    0x80, 0xB0, 0xB3, the rest (AIF 5.1 ⑦), at most max_props properties
 *    (plus the 0x42 prefix when max_props is 1);
 *  - the expiry after a drained write lies in the future (no livelock);
 *  - every operation ends exactly once, on the node and object it was
 *    started for, and only one that was started; at the end of the script
 *    time runs on until every operation has ended (none is lost);
 *  - the query functions agree: every node's address finds that node.
 * Time never goes back: the script only moves it forward. */
#ifndef ECHONET_FUZZ_CTL_HARNESS_H
#define ECHONET_FUZZ_CTL_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "echonet/echonet.h"

/* Storage of the harness's controller (small, so FULL is reached). */
#define H_NODES 6
#define H_OPS 16

/* Aborts (a fuzzer finding) when @p cond is false. */
void h_must(int cond);

/* A fresh controller at time @p start. @p remote and @p max_props as in
 * echonet_ctl_config; @p by_node makes script address a mean the address of
 * node a when there is one (for restored controllers). */
echonet_ctl *h_init(bool remote, uint8_t max_props, echonet_tstamp start, bool by_node);

/* Runs the script @p data (see ctl_harness.c) with the invariants above,
 * then lets time run until every operation has ended. */
void h_script(const uint8_t *data, size_t size);

/* Takes the controller's output now, checking every datagram. */
void h_drain(void);

/* The current time of the harness. */
echonet_tstamp h_now(void);

#endif
