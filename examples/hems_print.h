/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_print: what hems-controller prints, one line per event, as JSON
 * (--json) or as readable text. Every JSON object has "event" and, when
 * they apply, "node" (the address, e.g. "127.0.0.2" or "::1") and "eoj"
 * (6 lowercase hex digits); EPCs and values are lowercase hex:
 *
 *   {"event":"found","node":N,"eoj":E}
 *   {"event":"ready","node":N,"eoj":E,"id":"fe...","maker":"fffff0","state":S}
 *   {"event":"property"|"changed","node":N,"eoj":E,"epc":"80","edt":"30"}
 *   {"event":"read"|"write","node":N,"eoj":E,"outcome":O,"props":["b3"]}
 *   {"event":"status","node":N,"eoj":E,"outcome":O,"state":S}
 *   {"event":"fault","node":N,"eoj":E,"fault":true,"edt":"41","codes":{"89":"0005","86":"..."}}
 *   {"event":"keepalive","node":N,"eoj":E,"ok":true}
 *   {"event":"offline"|"online","node":N}
 *   {"event":"forgotten","node":N}    (offline and never ready: dropped to make room)
 *   {"event":"alias","node":N}        (another address of a unit already known by its
 *                                      identification number 0x83: its units go)
 *   {"event":"removed","node":N,"eoj":E}  (left out of its node's instance list: dropped)
 *   {"event":"timeout","node":N,"eoj":E,"wait":5}      (--wait ran out)
 *   {"event":"done","op":"probe","node":N,"eoj":E,"outcome":O,"props":[],"low":16,"high":30}
 *   {"event":"done","op":"fault","node":N,"eoj":E,"outcome":O,"props":[]}
 *   {"event":"done","op":"discover","found":2,"ready":2}
 *   {"event":"line","up":false}
 *   {"event":"house","day":"2026-12-01","day_from":"meter"|"clock","use_w":W,"use_today_wh":WH,
 *    "meter_wh":WH,"meter_time":"2026-12-01T06:30:00","generation_w":W,"generation_today_wh":WH,
 *    "sale_today_wh":WH,"battery":{"soc":58,"mode":"automatic","mode_code":"46","power_w":-300},
 *    "devices":[{"key":"ADDR/EOJ","power_w":40,"today_wh":WH}]}
 *                                     (the whole house, hems_house.h: null for a figure without
 *                                      data; whole Wh)
 *   {"event":"error","node":N,"eoj":E,"code":C,"message":"..."}  (node, eoj when known)
 *
 * O is done, substituted, refused, refused_local, timed_out, node_gone or instance_gone.
 * The state S: {"power":"on"|"off","mode":"auto"|"cool"|"heat"|"dry"|"fan"|
 * "other","temp":26|"undefined","room":24|"unavailable","flow":"auto"|1-8,
 * "fault":false,"power_saving":false,"raw":{"80":"30",...}}, null for what
 * is not known, the value's hex for a code outside the class's.
 *
 * The code C of an error is the library's error name when the library
 * refused (echonet_err_name(): "ECHONET_ERR_VALUE"...; "echonet_err_N" for
 * error -N in a build without error strings), else the program's own:
 * "not_found" (nothing answered within --wait), "bad_command" (a line of
 * standard input or of a control client), "busy" (too many commands
 * waiting, or too many control clients), "full" (no room
 * for another node or object), "events_lost" or "interrupted".
 *
 * The contract is also a JSON Schema, doc/hems-events.schema.json, which
 * the tests check the program's output against.
 */
#ifndef EXAMPLES_HEMS_PRINT_H
#define EXAMPLES_HEMS_PRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <echonet/echonet.h>

/* Called with each event once it is written: text (len bytes, one or more
 * lines, the last ending in '\n'), valid until the call returns.
 * text_error: an error in text mode, already on standard error as
 * "hems-controller: MESSAGE" and written here as "error     CODE: MESSAGE"
 * for whoever asked (standard output does not show it). */
typedef void (*hems_emit_fn)(void *user, const char *text, size_t len, bool text_error);

/* Where events go: written to out and flushed; with emit (see
 * hems_printer_open()), out is a memory stream and each event is handed to
 * emit. */
struct hems_printer {
    FILE *out;
    bool json;
    hems_emit_fn emit;
    void *user;
    char *buf;   /* the memory stream's (private) */
    size_t size;
    /* Optional: every event is also printed to this printer (hems-controller
     * gives the front-ends, hems_http.h, a JSON one whatever --json says). */
    const struct hems_printer *twin;
};

/* A printer handing each event to emit(user, ...). Returns 0, or -1 with
 * errno (no memory). */
int hems_printer_open(struct hems_printer *p, bool json, hems_emit_fn emit, void *user);
void hems_printer_close(struct hems_printer *p);

/* The name of an outcome: "done", "substituted"... */
const char *hems_outcome_name(echonet_ctl_outcome outcome);

void hems_print_found(const struct hems_printer *p, const char *node, echonet_eoj eoj);
/* maker: 3 bytes or NULL. */
void hems_print_ready(const struct hems_printer *p, const char *node, echonet_eoj eoj, const uint8_t id[17],
                      const uint8_t *maker, const echonet_ctl_state *state);
void hems_print_property(const struct hems_printer *p, const char *node, echonet_eoj eoj, uint8_t epc,
                         const uint8_t *edt, size_t pdc, bool changed);
/* event: "read" or "write". */
void hems_print_result(const struct hems_printer *p, const char *event, const char *node, echonet_eoj eoj,
                       echonet_ctl_outcome outcome, const echonet_propmap *props);
void hems_print_status(const struct hems_printer *p, const char *node, echonet_eoj eoj, echonet_ctl_outcome outcome,
                       const echonet_ctl_state *state);
/* c89/c86: the codes read with the fault, NULL when none. */
void hems_print_fault(const struct hems_printer *p, const char *node, echonet_eoj eoj, uint8_t fault,
                      const uint8_t *c89, size_t n89, const uint8_t *c86, size_t n86);
void hems_print_keepalive(const struct hems_printer *p, const char *node, echonet_eoj eoj, bool ok);
/* A node event: "online", "offline", "forgotten" or "alias". */
void hems_print_node(const struct hems_printer *p, const char *what, const char *node);
/* An air conditioner no longer in its node's instance list (dropped). */
void hems_print_removed(const struct hems_printer *p, const char *node, echonet_eoj eoj);
void hems_print_timeout(const struct hems_printer *p, const char *node, echonet_eoj eoj, long wait_s);
/* op: "probe" or "fault"; low/high only for probes (-1: not found). */
void hems_print_done(const struct hems_printer *p, const char *op, const char *node, echonet_eoj eoj,
                     echonet_ctl_outcome outcome, const echonet_propmap *props, int low, int high);
void hems_print_discovered(const struct hems_printer *p, unsigned found, unsigned ready);
void hems_print_line(const struct hems_printer *p, bool up);
struct hems_house_figures;
/* The whole house (`house`), utc_offset for its local times. */
void hems_print_house(const struct hems_printer *p, const struct hems_house_figures *f, int32_t utc_offset);
/* node may be NULL, eoj 0; code: see the top. Always "hems-controller: ..."
 * on standard error; with JSON also the error event on p->out. */
void hems_print_error(const struct hems_printer *p, const char *node, echonet_eoj eoj, const char *code,
                      const char *message);

#endif /* EXAMPLES_HEMS_PRINT_H */
