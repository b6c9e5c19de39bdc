/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* Events of hems-controller as JSON lines or text; see hems_print.h. */
#define _POSIX_C_SOURCE 200809L /* open_memstream() */

#include "hems_print.h"

#include <stdlib.h>
#include <string.h>

#include "frame_json.h"
#include "hems_house.h"
#include "mra_names.h"

const char *hems_outcome_name(echonet_ctl_outcome outcome)
{
    switch (outcome) {
    case ECHONET_CTL_DONE:
        return "done";
    case ECHONET_CTL_SUBSTITUTED:
        return "substituted";
    case ECHONET_CTL_REFUSED:
        return "refused";
    case ECHONET_CTL_REFUSED_LOCAL:
        return "refused_local";
    case ECHONET_CTL_TIMED_OUT:
        return "timed_out";
    case ECHONET_CTL_NODE_GONE:
        return "node_gone";
    case ECHONET_CTL_INSTANCE_GONE:
        return "instance_gone";
    }
    return "unknown";
}

/* ---- Decoding values ------------------------------------------------------ */

static const char *mode_name(uint8_t v)
{
    static const char *const names[] = {"other", "auto", "cool", "heat", "dry", "fan"};

    return v >= ECHONET_MODE_OTHER && v <= ECHONET_MODE_FAN ? names[v - ECHONET_MODE_OTHER] : NULL;
}

/* A readable meaning of a value of the status properties, or "". */
static void describe(uint8_t epc, const uint8_t *edt, size_t pdc, char *out, size_t cap)
{
    int c = 0;
    uint8_t v = pdc == 1 ? edt[0] : 0;

    out[0] = '\0';
    if (pdc != 1)
        return;
    switch (epc) {
    case ECHONET_EPC_OPERATION_STATUS:
        snprintf(out, cap, "%s", v == ECHONET_ON ? "on" : v == ECHONET_OFF ? "off" : "");
        break;
    case ECHONET_EPC_MODE:
        snprintf(out, cap, "%s", mode_name(v) ? mode_name(v) : "");
        break;
    case ECHONET_EPC_SET_TEMPERATURE:
        if (echonet_aircon_set_temp(v, &c))
            snprintf(out, cap, "%d C", c);
        else if (v == ECHONET_TEMP_UNDEFINED)
            snprintf(out, cap, "undefined");
        break;
    case ECHONET_EPC_ROOM_TEMPERATURE:
        if (echonet_aircon_measured_temp(v, &c))
            snprintf(out, cap, "%d C", c);
        else
            snprintf(out, cap, "unavailable");
        break;
    case ECHONET_EPC_AIR_FLOW:
        if (echonet_aircon_flow_level(v, &c))
            snprintf(out, cap, c == 0 ? "auto" : "level %d", c);
        break;
    case ECHONET_EPC_FAULT_STATUS:
        snprintf(out, cap, "%s", v == ECHONET_FAULT ? "fault" : v == ECHONET_NO_FAULT ? "no fault" : "");
        break;
    case ECHONET_EPC_POWER_SAVING:
        snprintf(out, cap, "%s", v == ECHONET_POWER_SAVING_ON ? "power saving" : v == ECHONET_POWER_SAVING_OFF ? "normal" : "");
        break;
    default:
        break;
    }
}

static void hex_text(const uint8_t *p, size_t n, char *out, size_t cap)
{
    size_t i;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (i = 0; i < n && 2 * i + 2 < cap; i++)
        snprintf(out + 2 * i, cap - 2 * i, "%02x", (unsigned)p[i]);
}

/* ---- JSON pieces ---------------------------------------------------------- */

static void j_begin(FILE *f, const char *event, const char *node, echonet_eoj eoj)
{
    fputs("{\"event\":", f);
    frame_json_string(f, event);
    if (node) {
        fputs(",\"node\":", f);
        frame_json_string(f, node);
    }
    if (eoj != 0)
        fprintf(f, ",\"eoj\":\"%06lx\"", (unsigned long)eoj);
}

/* The end of an event: handed to p->emit, or flushed. text_error: a
 * text-mode error line (see hems_print.h). */
static void finish_as(const struct hems_printer *p, bool text_error)
{
    long len;

    if (!p->emit) {
        fflush(p->out);
        return;
    }
    len = fflush(p->out) == 0 ? ftell(p->out) : -1;
    if (len > 0)
        p->emit(p->user, p->buf, (size_t)len, text_error);
    rewind(p->out);
}

static void finish(const struct hems_printer *p)
{
    finish_as(p, false);
}

static void j_end(const struct hems_printer *p)
{
    fputs("}\n", p->out);
    finish(p);
}

static void j_byte(FILE *f, const char *key, uint8_t v)
{
    fprintf(f, ",\"%s\":\"%02x\"", key, (unsigned)v);
}

/* ,"key":N, or null for a negative N. */
static void j_int_or_null(FILE *f, const char *key, int n)
{
    if (n < 0)
        fprintf(f, ",\"%s\":null", key);
    else
        fprintf(f, ",\"%s\":%d", key, n);
}

static void j_props(FILE *f, const echonet_propmap *props)
{
    unsigned e;
    bool first = true;

    fputs(",\"props\":[", f);
    for (e = echonet_propmap_next(props, 0x80); e != ECHONET_PROPMAP_END; e = echonet_propmap_next(props, e + 1)) {
        fprintf(f, "%s\"%02x\"", first ? "" : ",", e);
        first = false;
    }
    fputc(']', f);
}

/* A state field, decoded: null when unknown, the value's hex for a code
 * outside the class's. */
static void j_decoded(FILE *f, const echonet_ctl_state *s, unsigned bit, const char *key, uint8_t epc, uint8_t v)
{
    int c = 0;
    bool number = false, flag = false;
    const char *text = NULL;

    fprintf(f, "%s\"%s\":", epc == 0x80 ? "" : ",", key); /* power comes first */
    if (!(s->valid & bit)) {
        fputs("null", f);
        return;
    }
    switch (epc) {
    case ECHONET_EPC_OPERATION_STATUS:
        text = v == ECHONET_ON ? "on" : v == ECHONET_OFF ? "off" : NULL;
        break;
    case ECHONET_EPC_MODE:
        text = mode_name(v);
        break;
    case ECHONET_EPC_SET_TEMPERATURE:
        number = echonet_aircon_set_temp(v, &c);
        text = v == ECHONET_TEMP_UNDEFINED ? "undefined" : NULL;
        break;
    case ECHONET_EPC_ROOM_TEMPERATURE:
        number = echonet_aircon_measured_temp(v, &c);
        text = "unavailable";
        break;
    case ECHONET_EPC_AIR_FLOW:
        number = echonet_aircon_flow_level(v, &c) && c > 0;
        text = v == ECHONET_FLOW_AUTO ? "auto" : NULL;
        break;
    default: /* 0x88, 0x8F: 0x41 yes, 0x42 no */
        flag = v == 0x41 || v == 0x42;
        break;
    }
    if (number)
        fprintf(f, "%d", c);
    else if (flag)
        fputs(v == 0x41 ? "true" : "false", f);
    else if (text)
        frame_json_string(f, text);
    else
        fprintf(f, "\"%02x\"", (unsigned)v);
}

static void j_state(FILE *f, const echonet_ctl_state *s)
{
    const struct {
        unsigned bit;
        uint8_t epc, v;
    } raw[] = {
        {ECHONET_CTL_S_STATUS, 0x80, s->status}, {ECHONET_CTL_S_POWER_SAVING, 0x8F, s->power_saving},
        {ECHONET_CTL_S_MODE, 0xB0, s->mode},     {ECHONET_CTL_S_TEMP, 0xB3, s->temp},
        {ECHONET_CTL_S_ROOM, 0xBB, s->room},     {ECHONET_CTL_S_FLOW, 0xA0, s->flow},
        {ECHONET_CTL_S_FAULT, 0x88, s->fault},   {ECHONET_CTL_S_REMOTE, 0x93, s->remote},
    };
    size_t i;
    bool first = true;

    fputs(",\"state\":{", f);
    j_decoded(f, s, ECHONET_CTL_S_STATUS, "power", 0x80, s->status);
    j_decoded(f, s, ECHONET_CTL_S_MODE, "mode", 0xB0, s->mode);
    j_decoded(f, s, ECHONET_CTL_S_TEMP, "temp", 0xB3, s->temp);
    j_decoded(f, s, ECHONET_CTL_S_ROOM, "room", 0xBB, s->room);
    j_decoded(f, s, ECHONET_CTL_S_FLOW, "flow", 0xA0, s->flow);
    j_decoded(f, s, ECHONET_CTL_S_FAULT, "fault", 0x88, s->fault);
    j_decoded(f, s, ECHONET_CTL_S_POWER_SAVING, "power_saving", 0x8F, s->power_saving);
    fputs(",\"raw\":{", f);
    for (i = 0; i < sizeof raw / sizeof raw[0]; i++) {
        if (!(s->valid & raw[i].bit))
            continue;
        fprintf(f, "%s\"%02x\":\"%02x\"", first ? "" : ",", (unsigned)raw[i].epc, (unsigned)raw[i].v);
        first = false;
    }
    fputs("}}", f);
}

/* ---- Text pieces ---------------------------------------------------------- */

static void t_props(FILE *f, const echonet_propmap *props)
{
    unsigned e;
    bool first = true;

    if (echonet_propmap_count(props) == 0)
        return;
    fputs(" (", f);
    for (e = echonet_propmap_next(props, 0x80); e != ECHONET_PROPMAP_END; e = echonet_propmap_next(props, e + 1)) {
        fprintf(f, "%s%02x", first ? "" : " ", e);
        first = false;
    }
    fputc(')', f);
}

/* One state property as text, "?" when unknown. */
static void t_field(FILE *f, const echonet_ctl_state *s, unsigned bit, uint8_t epc, uint8_t v)
{
    char text[32];

    if (!(s->valid & bit)) {
        fputs("?", f);
        return;
    }
    describe(epc, &v, 1, text, sizeof text);
    if (text[0] == '\0')
        snprintf(text, sizeof text, "0x%02x", (unsigned)v);
    fputs(text, f);
}

/* The state in one line: "on, cool, set 26 C, room 24 C, flow auto, no fault, normal". */
static void t_state(FILE *f, const echonet_ctl_state *s)
{
    t_field(f, s, ECHONET_CTL_S_STATUS, 0x80, s->status);
    fputs(", ", f);
    if (!(s->valid & (ECHONET_CTL_S_MODE | ECHONET_CTL_S_TEMP | ECHONET_CTL_S_ROOM | ECHONET_CTL_S_FLOW))) {
        /* Not an air conditioner's state (another class: its superclass
         * properties only, issue 14). */
        t_field(f, s, ECHONET_CTL_S_FAULT, 0x88, s->fault);
        return;
    }
    t_field(f, s, ECHONET_CTL_S_MODE, 0xB0, s->mode);
    fputs(", set ", f);
    t_field(f, s, ECHONET_CTL_S_TEMP, 0xB3, s->temp);
    fputs(", room ", f);
    t_field(f, s, ECHONET_CTL_S_ROOM, 0xBB, s->room);
    fputs(", flow ", f);
    t_field(f, s, ECHONET_CTL_S_FLOW, 0xA0, s->flow);
    fputs(", ", f);
    t_field(f, s, ECHONET_CTL_S_FAULT, 0x88, s->fault);
    fputs(", ", f);
    t_field(f, s, ECHONET_CTL_S_POWER_SAVING, 0x8F, s->power_saving);
}

/* ---- Events --------------------------------------------------------------- */

void hems_print_found(const struct hems_printer *p, const char *node, echonet_eoj eoj)
{
    const char *cls = mra_class_name(ECHONET_EOJ_CLASS(eoj));

    if (p->twin)
        hems_print_found(p->twin, node, eoj);
    if (p->json) {
        j_begin(p->out, "found", node, eoj);
        if (cls) {
            fputs(",\"class\":", p->out);
            frame_json_string(p->out, cls);
        }
        j_end(p);
    } else {
        fprintf(p->out, "found     %s %06lx%s%s\n", node, (unsigned long)eoj, cls ? " " : "", cls ? cls : "");
        finish(p);
    }
}

void hems_print_ready(const struct hems_printer *p, const char *node, echonet_eoj eoj, const uint8_t id[17],
                      const uint8_t *maker, const echonet_ctl_state *state)
{
    char idtext[40], makertext[8] = "?";

    if (p->twin)
        hems_print_ready(p->twin, node, eoj, id, maker, state);
    hex_text(id, 17, idtext, sizeof idtext);
    if (maker)
        hex_text(maker, 3, makertext, sizeof makertext);
    if (p->json) {
        j_begin(p->out, "ready", node, eoj);
        fprintf(p->out, ",\"id\":\"%s\",\"maker\":", idtext);
        if (maker)
            fprintf(p->out, "\"%s\"", makertext);
        else
            fputs("null", p->out);
        j_state(p->out, state);
        j_end(p);
        return;
    }
    fprintf(p->out, "ready     %s %06lx id %s maker %s: ", node, (unsigned long)eoj, idtext, makertext);
    t_state(p->out, state);
    fputc('\n', p->out);
    finish(p);
}

void hems_print_property(const struct hems_printer *p, const char *node, echonet_eoj eoj, uint8_t epc,
                         const uint8_t *edt, size_t pdc, bool changed)
{
    char meaning[128], value[2 * 255 + 1];

    if (p->twin)
        hems_print_property(p->twin, node, eoj, epc, edt, pdc, changed);
    if (p->json) {
        j_begin(p->out, changed ? "changed" : "property", node, eoj);
        j_byte(p->out, "epc", epc);
        fputs(",\"edt\":", p->out);
        frame_json_hex(p->out, edt, pdc);
        j_end(p);
        return;
    }
    /* An air conditioner's values are told in words; any other class's
     * property is named (its 0xB0 is no mode). */
    if (ECHONET_EOJ_CLASS(eoj) == ECHONET_CLASS_HOME_AIRCON || epc == ECHONET_EPC_OPERATION_STATUS ||
        epc == ECHONET_EPC_FAULT_STATUS)
        describe(epc, edt, pdc, meaning, sizeof meaning);
    else
        snprintf(meaning, sizeof meaning, "%s", mra_prop_name(ECHONET_EOJ_CLASS(eoj), epc) ? mra_prop_name(ECHONET_EOJ_CLASS(eoj), epc) : "");
    hex_text(edt, pdc, value, sizeof value);
    fprintf(p->out, "%-9s %s %06lx %02x=%s%s%s%s\n", changed ? "changed" : "property", node, (unsigned long)eoj,
            (unsigned)epc, value, meaning[0] ? " (" : "", meaning, meaning[0] ? ")" : "");
    finish(p);
}

void hems_print_result(const struct hems_printer *p, const char *event, const char *node, echonet_eoj eoj,
                       echonet_ctl_outcome outcome, const echonet_propmap *props)
{
    if (p->twin)
        hems_print_result(p->twin, event, node, eoj, outcome, props);
    if (p->json) {
        j_begin(p->out, event, node, eoj);
        fputs(",\"outcome\":", p->out);
        frame_json_string(p->out, hems_outcome_name(outcome));
        j_props(p->out, props);
        j_end(p);
        return;
    }
    fprintf(p->out, "%-9s %s %06lx: %s", event, node, (unsigned long)eoj, hems_outcome_name(outcome));
    t_props(p->out, props);
    fputc('\n', p->out);
    finish(p);
}

void hems_print_status(const struct hems_printer *p, const char *node, echonet_eoj eoj, echonet_ctl_outcome outcome,
                       const echonet_ctl_state *s)
{
    FILE *f = p->out;
    int c;

    if (p->twin)
        hems_print_status(p->twin, node, eoj, outcome, s);
    if (p->json) {
        j_begin(f, "status", node, eoj);
        fputs(",\"outcome\":", f);
        frame_json_string(f, hems_outcome_name(outcome));
        j_state(f, s);
        j_end(p);
        return;
    }
    fprintf(f, "%s %06lx (read: %s)\n  power:        ", node, (unsigned long)eoj, hems_outcome_name(outcome));
    t_field(f, s, ECHONET_CTL_S_STATUS, 0x80, s->status);
    if (ECHONET_EOJ_CLASS(eoj) != ECHONET_CLASS_HOME_AIRCON) {
        /* Another class: its superclass state (its own properties came as
         * property lines). */
        fputs("\n  fault:        ", f);
        t_field(f, s, ECHONET_CTL_S_FAULT, 0x88, s->fault);
        fputc('\n', f);
        finish(p);
        return;
    }
    fputs("\n  mode:         ", f);
    t_field(f, s, ECHONET_CTL_S_MODE, 0xB0, s->mode);
    fputs("\n  set temp:     ", f);
    t_field(f, s, ECHONET_CTL_S_TEMP, 0xB3, s->temp);
    /* AIF 5.1 ⑥: no set temperature in air circulation or dehumidification. */
    if ((s->valid & ECHONET_CTL_S_MODE) && (s->mode == ECHONET_MODE_FAN || s->mode == ECHONET_MODE_DRY) &&
        (s->valid & ECHONET_CTL_S_TEMP) && echonet_aircon_set_temp(s->temp, &c))
        fprintf(f, " (not in effect in %s mode)", mode_name(s->mode));
    fputs("\n  room temp:    ", f);
    t_field(f, s, ECHONET_CTL_S_ROOM, 0xBB, s->room);
    fputs("\n  air flow:     ", f);
    t_field(f, s, ECHONET_CTL_S_FLOW, 0xA0, s->flow);
    fputs("\n  fault:        ", f);
    t_field(f, s, ECHONET_CTL_S_FAULT, 0x88, s->fault);
    fputs("\n  power saving: ", f);
    t_field(f, s, ECHONET_CTL_S_POWER_SAVING, 0x8F, s->power_saving);
    fputc('\n', f);
    finish(p);
}

void hems_print_fault(const struct hems_printer *p, const char *node, echonet_eoj eoj, uint8_t fault,
                      const uint8_t *c89, size_t n89, const uint8_t *c86, size_t n86)
{
    char text[2 * 255 + 1];

    if (p->twin)
        hems_print_fault(p->twin, node, eoj, fault, c89, n89, c86, n86);
    if (p->json) {
        j_begin(p->out, "fault", node, eoj);
        fprintf(p->out, ",\"fault\":%s", fault == ECHONET_FAULT ? "true" : "false");
        j_byte(p->out, "edt", fault);
        fputs(",\"codes\":{", p->out);
        if (c89) {
            fputs("\"89\":", p->out);
            frame_json_hex(p->out, c89, n89);
        }
        if (c86) {
            fputs(c89 ? ",\"86\":" : "\"86\":", p->out);
            frame_json_hex(p->out, c86, n86);
        }
        fputc('}', p->out);
        j_end(p);
        return;
    }
    fprintf(p->out, "fault     %s %06lx: %s", node, (unsigned long)eoj,
            fault == ECHONET_FAULT ? "fault" : fault == ECHONET_NO_FAULT ? "no fault" : "unknown");
    if (c89) {
        hex_text(c89, n89, text, sizeof text);
        fprintf(p->out, ", 89=%s", text);
    }
    if (c86) {
        hex_text(c86, n86, text, sizeof text);
        fprintf(p->out, ", 86=%s", text);
    }
    fputc('\n', p->out);
    finish(p);
}

void hems_print_keepalive(const struct hems_printer *p, const char *node, echonet_eoj eoj, bool ok)
{
    if (p->twin)
        hems_print_keepalive(p->twin, node, eoj, ok);
    if (p->json) {
        j_begin(p->out, "keepalive", node, eoj);
        fprintf(p->out, ",\"ok\":%s", ok ? "true" : "false");
        j_end(p);
    } else {
        fprintf(p->out, "keepalive %s %06lx: %s\n", node, (unsigned long)eoj, ok ? "ok" : "failed");
        finish(p);
    }
}

void hems_print_node(const struct hems_printer *p, const char *what, const char *node)
{
    if (p->twin)
        hems_print_node(p->twin, what, node);
    if (p->json) {
        j_begin(p->out, what, node, 0);
        j_end(p);
    } else {
        fprintf(p->out, "%-9s %s\n", what, node);
        finish(p);
    }
}

void hems_print_removed(const struct hems_printer *p, const char *node, echonet_eoj eoj)
{
    if (p->twin)
        hems_print_removed(p->twin, node, eoj);
    if (p->json) {
        j_begin(p->out, "removed", node, eoj);
        j_end(p);
    } else {
        fprintf(p->out, "removed   %s %06lx\n", node, (unsigned long)eoj);
        finish(p);
    }
}

void hems_print_timeout(const struct hems_printer *p, const char *node, echonet_eoj eoj, long wait_s)
{
    if (p->twin)
        hems_print_timeout(p->twin, node, eoj, wait_s);
    if (p->json) {
        j_begin(p->out, "timeout", node, eoj);
        fprintf(p->out, ",\"wait\":%ld", wait_s);
        j_end(p);
    } else {
        fprintf(p->out, "timeout   %s %06lx: not ready within %ld s\n", node, (unsigned long)eoj, wait_s);
        finish(p);
    }
}

void hems_print_done(const struct hems_printer *p, const char *op, const char *node, echonet_eoj eoj,
                     echonet_ctl_outcome outcome, const echonet_propmap *props, int low, int high)
{
    bool probe = strcmp(op, "probe") == 0;

    if (p->twin)
        hems_print_done(p->twin, op, node, eoj, outcome, props, low, high);
    if (p->json) {
        j_begin(p->out, "done", NULL, 0);
        fputs(",\"op\":", p->out);
        frame_json_string(p->out, op);
        fputs(",\"node\":", p->out);
        frame_json_string(p->out, node);
        fprintf(p->out, ",\"eoj\":\"%06lx\",\"outcome\":", (unsigned long)eoj);
        frame_json_string(p->out, hems_outcome_name(outcome));
        j_props(p->out, props);
        if (probe) {
            j_int_or_null(p->out, "low", low);
            j_int_or_null(p->out, "high", high);
        }
        j_end(p);
        return;
    }
    fprintf(p->out, "%-9s %s %06lx: %s", op, node, (unsigned long)eoj, hems_outcome_name(outcome));
    t_props(p->out, props);
    if (probe) {
        char lo[16] = "?", hi[16] = "?";

        if (low >= 0)
            snprintf(lo, sizeof lo, "%d", low);
        if (high >= 0)
            snprintf(hi, sizeof hi, "%d", high);
        fprintf(p->out, ", settable %s C to %s C", lo, hi);
    }
    fputc('\n', p->out);
    finish(p);
}

void hems_print_discovered(const struct hems_printer *p, unsigned found, unsigned ready)
{
    if (p->twin)
        hems_print_discovered(p->twin, found, ready);
    if (p->json) {
        j_begin(p->out, "done", NULL, 0);
        fprintf(p->out, ",\"op\":\"discover\",\"found\":%u,\"ready\":%u", found, ready);
        j_end(p);
    } else {
        fprintf(p->out, "%u object%s found, %u ready\n", found, found == 1 ? "" : "s", ready);
        finish(p);
    }
}

void hems_print_line(const struct hems_printer *p, bool up)
{
    if (p->twin)
        hems_print_line(p->twin, up);
    if (p->json) {
        j_begin(p->out, "line", NULL, 0);
        fprintf(p->out, ",\"up\":%s", up ? "true" : "false");
        j_end(p);
    } else {
        fprintf(p->out, "line      %s\n", up ? "up" : "down");
        finish(p);
    }
}

/* ---- The house ------------------------------------------------------------ */

static void local_time(int64_t t, int32_t utc_offset, const char *fmt, char *out, size_t cap)
{
    time_t l = (time_t)(t + utc_offset);
    struct tm tm;

    if (!gmtime_r(&l, &tm) || strftime(out, cap, fmt, &tm) == 0)
        snprintf(out, cap, "?");
}

/* mWh as kWh with 3 decimals (whole Wh) in text, whole Wh in JSON; null
 * or "-" without. */
static void kwh(FILE *f, bool has, uint64_t mwh, bool json)
{
    if (!has)
        fputs(json ? "null" : "-", f);
    else if (json)
        fprintf(f, "%llu", (unsigned long long)(mwh / 1000u));
    else
        fprintf(f, "%llu.%03llu", (unsigned long long)(mwh / 1000000u), (unsigned long long)(mwh % 1000000u / 1000u));
}

static void watts(FILE *f, bool has, int32_t w, bool json)
{
    if (has)
        fprintf(f, "%ld", (long)w);
    else
        fputs(json ? "null" : "-", f);
}

static void house_json(const struct hems_printer *p, const struct hems_house_figures *h, int32_t utc_offset)
{
    FILE *f = p->out;
    char text[32];
    const char *mode = h->has_battery_mode ? hems_house_battery_mode(h->battery_mode) : NULL;
    unsigned i;

    j_begin(f, "house", NULL, 0);
    local_time(h->day, utc_offset, "%Y-%m-%d", text, sizeof text);
    fprintf(f, ",\"day\":\"%s\",\"day_from\":\"%s\",\"use_w\":", text, h->day_from_meter ? "meter" : "clock");
    watts(f, h->has_use_w, h->use_w, true);
    fputs(",\"use_today_wh\":", f);
    kwh(f, h->has_use_today, h->use_today_mwh, true);
    fputs(",\"meter_wh\":", f);
    kwh(f, h->has_meter, h->meter_wh * 1000u, true);
    local_time(h->meter_at, utc_offset, "%Y-%m-%dT%H:%M:%S", text, sizeof text);
    fprintf(f, ",\"meter_time\":");
    if (h->has_meter)
        frame_json_string(f, text);
    else
        fputs("null", f);
    fputs(",\"generation_w\":", f);
    watts(f, h->has_gen_w, h->gen_w, true);
    fputs(",\"generation_today_wh\":", f);
    kwh(f, h->has_gen_today, h->gen_today_mwh, true);
    fputs(",\"sale_today_wh\":", f);
    kwh(f, h->has_sale_today, h->sale_today_mwh, true);
    fputs(",\"battery\":", f);
    if (h->has_battery || h->has_battery_mode || h->has_battery_w) {
        fputs("{\"soc\":", f);
        if (h->has_battery)
            fprintf(f, "%u", (unsigned)h->battery_soc);
        else
            fputs("null", f);
        fputs(",\"mode\":", f);
        if (mode)
            frame_json_string(f, mode);
        else
            fputs("null", f);
        fputs(",\"mode_code\":", f);
        if (h->has_battery_mode)
            fprintf(f, "\"%02x\"", (unsigned)h->battery_mode);
        else
            fputs("null", f);
        fputs(",\"power_w\":", f);
        watts(f, h->has_battery_w, h->battery_w, true);
        fputc('}', f);
    } else {
        fputs("null", f);
    }
    fputs(",\"devices\":[", f);
    for (i = 0; i < h->n_devices; i++) {
        fputs(i ? ",{\"key\":" : "{\"key\":", f);
        frame_json_string(f, h->devices[i].key);
        fprintf(f, ",\"power_w\":%ld,\"today_wh\":", (long)h->devices[i].power_w);
        kwh(f, h->devices[i].has_today, h->devices[i].today_mwh, true);
        fputc('}', f);
    }
    fputc(']', f);
    j_end(p);
}

void hems_print_house(const struct hems_printer *p, const struct hems_house_figures *h, int32_t utc_offset)
{
    FILE *f = p->out;
    char text[32];
    const char *mode = h->has_battery_mode ? hems_house_battery_mode(h->battery_mode) : NULL;
    unsigned i;

    if (p->twin)
        hems_print_house(p->twin, h, utc_offset);
    if (p->json) {
        house_json(p, h, utc_offset);
        return;
    }
    local_time(h->day, utc_offset, "%Y-%m-%d", text, sizeof text);
    fprintf(f, "house     today %s (%s)\n  use now:          ", text,
            h->day_from_meter ? "the meter's calendar" : "the controller's clock");
    watts(f, h->has_use_w, h->use_w, false);
    fputs(" W\n  use today:        ", f);
    kwh(f, h->has_use_today, h->use_today_mwh, false);
    fputs(" kWh\n  meter:            ", f);
    kwh(f, h->has_meter, h->meter_wh * 1000u, false);
    local_time(h->meter_at, utc_offset, "%Y-%m-%d %H:%M", text, sizeof text);
    fprintf(f, " kWh%s%s\n  generation now:   ", h->has_meter ? " at " : "", h->has_meter ? text : "");
    watts(f, h->has_gen_w, h->gen_w, false);
    fputs(" W\n  generation today: ", f);
    kwh(f, h->has_gen_today, h->gen_today_mwh, false);
    fputs(" kWh\n  sale today:       ", f);
    kwh(f, h->has_sale_today, h->sale_today_mwh, false);
    fputs(" kWh\n  battery:          ", f);
    if (h->has_battery)
        fprintf(f, "%u %%", (unsigned)h->battery_soc);
    else
        fputs("-", f);
    if (h->has_battery_mode)
        fprintf(f, ", %s (%02x)", mode ? mode : "unknown mode", (unsigned)h->battery_mode);
    if (h->has_battery_w)
        fprintf(f, ", %ld W", (long)h->battery_w);
    fputc('\n', f);
    for (i = 0; i < h->n_devices; i++) {
        fprintf(f, "  %-24s %ld W, today ", h->devices[i].key, (long)h->devices[i].power_w);
        kwh(f, h->devices[i].has_today, h->devices[i].today_mwh, false);
        fputs(" kWh\n", f);
    }
    finish(p);
}

/* An error event, on standard error too when to_stderr. */
static void print_error(const struct hems_printer *p, const char *node, echonet_eoj eoj, const char *code,
                        const char *message, bool to_stderr)
{
    if (p->twin)
        print_error(p->twin, node, eoj, code, message, false);
    if (to_stderr) {
        fprintf(stderr, "hems-controller: %s\n", message);
        fflush(stderr);
    }
    if (p->json) {
        j_begin(p->out, "error", node, eoj);
        fputs(",\"code\":", p->out);
        frame_json_string(p->out, code);
        fputs(",\"message\":", p->out);
        frame_json_string(p->out, message);
        j_end(p);
    } else if (p->emit) {
        fprintf(p->out, "error     %s: %s\n", code, message);
        finish_as(p, true);
    }
}

void hems_print_error(const struct hems_printer *p, const char *node, echonet_eoj eoj, const char *code,
                      const char *message)
{
    print_error(p, node, eoj, code, message, true);
}

int hems_printer_open(struct hems_printer *p, bool json, hems_emit_fn emit, void *user)
{
    memset(p, 0, sizeof *p);
    p->json = json;
    p->emit = emit;
    p->user = user;
    p->out = open_memstream(&p->buf, &p->size);
    return p->out ? 0 : -1;
}

void hems_printer_close(struct hems_printer *p)
{
    if (p->out)
        fclose(p->out);
    free(p->buf);
    p->out = NULL;
    p->buf = NULL;
}
