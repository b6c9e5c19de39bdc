/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The commands of hems-controller; see hems_cmd.h. */
#define _POSIX_C_SOURCE 200809L

#include "hems_cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "posix_util.h"
#include "udp.h"

/* Writes the message into why; returns -1. */
static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
    return -1;
}

bool hems_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (*s == '\0' || *s == '+')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return false;
    *out = v;
    return true;
}

/* Appends to the text at buf (used bytes so far), truncating at cap. */
static void append(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*used >= cap)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

const echonet_prop_desc *hems_cmd_desc(uint16_t class_code, uint8_t epc)
{
    if (class_code == ECHONET_CLASS_HOME_AIRCON)
        return echonet_aircon_desc(epc);
    return echonet_class_desc(echonet_class_find(class_code), epc);
}

const char *hems_cmd_allowed(uint16_t class_code, uint8_t epc, char *buf, size_t cap)
{
    size_t used = 0, i;
    const echonet_prop_desc *d = hems_cmd_desc(class_code, epc);

    buf[0] = '\0';
    if (!d) {
        snprintf(buf, cap, "nothing: not a property of the class");
        return buf;
    }
    switch (d->rule) {
    case ECHONET_RULE_RANGE:
        if (d->n_values == 2) {
            append(buf, cap, &used, "%u to %u", (unsigned)d->values[0], (unsigned)d->values[1]);
            break;
        }
        for (i = 0; i + 1 < d->n_values; i += 2)
            append(buf, cap, &used, "%sbyte %u: %u to %u", i ? ", " : "", (unsigned)(i / 2 + 1),
                   (unsigned)d->values[i], (unsigned)d->values[i + 1]);
        break;
    case ECHONET_RULE_RANGE_S8:
        append(buf, cap, &used, "%d to %d", (int)(int8_t)d->values[0], (int)(int8_t)d->values[1]);
        break;
    case ECHONET_RULE_ENUM:
        for (i = 0; i < d->n_values; i++)
            append(buf, cap, &used, "%s%02x", i ? ", " : "", (unsigned)d->values[i]);
        break;
    default:
        append(buf, cap, &used, "%u byte%s", (unsigned)d->size, d->size == 1 ? "" : "s");
        break;
    }
    return buf;
}

bool hems_parse_mode(const char *s, uint8_t *mode)
{
    return posix_mode_by_name(s, mode);
}

static bool parse_epc(const char *s, uint8_t *epc)
{
    return strlen(s) == 2 && posix_parse_hex(s, epc, 1, false) == 1 && *epc >= 0x80;
}

/* An EOJ of a device object (class groups 00-06, not a controller 05ff),
 * instance 01-7F: what the controller manages. */
static int parse_eoj(const char *s, echonet_eoj *eoj, char *why, size_t why_len)
{
    uint8_t b[3];

    if (strlen(s) != 6 || posix_parse_hex(s, b, 3, false) != 3)
        return fail(why, why_len, "bad EOJ '%s': expected 6 hex digits such as 013001 or 027d01", s);
    *eoj = echonet_eoj_read(b);
    if (ECHONET_EOJ_GROUP(*eoj) > 0x06 || ECHONET_EOJ_CLASS(*eoj) == ECHONET_CLASS_CONTROLLER)
        return fail(why, why_len, "bad EOJ '%s': not a device object (class groups 00 to 06, not a controller 05ff)",
                    s);
    if (ECHONET_EOJ_INSTANCE(*eoj) == 0 || ECHONET_EOJ_INSTANCE(*eoj) > 0x7F)
        return fail(why, why_len, "bad EOJ '%s': the instance must be 01 to 7f", s);
    return 0;
}

/* (An IPv6 link-local address without its %interface is a node of the
 * B-route transport, or refused by hems_cmd_check_scope().) */
static int parse_node(const char *s, echonet_addr *addr, char *why, size_t why_len)
{
    if (udp_addr_parse(s, addr) != 0)
        return fail(why, why_len, "bad NODE '%s': expected an IPv4 or IPv6 address", s);
    return 0;
}

int hems_cmd_check_scope(const struct hems_cmd *cmd, bool broute, char *why, size_t why_len)
{
    char text[UDP_FORMAT_MAX];
    unsigned i;

    /* fe80::/10 without a scope (udp.h: 16 bytes) names no interface: over
     * UDP no answer could ever come back to it. */
    for (i = 0; i < cmd->n_nodes && !broute; i++)
        if (cmd->node[i].len == 16 && cmd->node[i].bytes[0] == 0xFE && (cmd->node[i].bytes[1] & 0xC0) == 0x80) {
            udp_format_addr(&cmd->node[i], text, sizeof text);
            return fail(why, why_len,
                        "bad NODE '%s': an IPv6 link-local address without its %%interface (e.g. %s%%eth0; "
                        "without one, only the smart meter of --broute)",
                        text, text);
        }
    return 0;
}

/* Appends one property to a set; -1 with a message when it does not fit
 * or repeats. */
static int add_value(struct hems_cmd *cmd, uint8_t epc, const uint8_t *v, size_t len, char *why, size_t why_len)
{
    unsigned k;
    char name[8];

    snprintf(name, sizeof name, "%02x", (unsigned)epc);
    for (k = 0; k < cmd->n; k++)
        if (cmd->epc[k] == epc)
            return fail(why, why_len, "property %s is given twice", name);
    if (cmd->n == ECHONET_CTL_BATCH_MAX)
        return fail(why, why_len, "too many properties (at most %d)", ECHONET_CTL_BATCH_MAX);
    if (len > sizeof cmd->data - cmd->used)
        return fail(why, why_len, "values too long: at most %d bytes in all", ECHONET_CTL_VALUE_BYTES);
    cmd->epc[cmd->n] = epc;
    cmd->len[cmd->n++] = (uint8_t)len;
    memcpy(cmd->data + cmd->used, v, len);
    cmd->used += len;
    return 0;
}

/* The named settings of the whole house's classes (issue 15): a word and
 * its values, each a code of one property. */
static const struct class_setting {
    uint16_t class_code;
    const char *word;
    uint8_t epc;
    const char *names[6];
    uint8_t codes[6];
} class_settings[] = {
    {0x027D, "mode", 0xDA, {"rapid", "charge", "discharge", "standby", "auto", NULL}, {0x41, 0x42, 0x43, 0x44, 0x46}},
    {0x026B, "heating", 0xB0, {"auto", "on", "stop", NULL}, {0x41, 0x42, 0x43}},
    {0x027C, "generation", 0xCA, {"on", "off", NULL}, {0x41, 0x42}},
};

/* A setting of a class other than the air conditioner: one of
 * class_settings, or the lighting's brightness (0x0290 B0, 0 to 100 %). */
static int parse_class_setting(struct hems_cmd *cmd, const char *w, const char *arg, int *i, char *why,
                               size_t why_len)
{
    uint16_t cls = ECHONET_EOJ_CLASS(cmd->eoj);
    uint8_t v;
    long x;
    size_t k, j;

    if (cls == 0x0290 && strcmp(w, "brightness") == 0) {
        if (!arg || !hems_parse_long(arg, 0, 100, &x))
            return fail(why, why_len, "brightness: expected 0 to 100 (%%)");
        *i += 2;
        v = (uint8_t)x;
        return add_value(cmd, 0xB0, &v, 1, why, why_len);
    }
    for (k = 0; k < sizeof class_settings / sizeof class_settings[0]; k++) {
        const struct class_setting *c = &class_settings[k];

        if (c->class_code != cls || strcmp(c->word, w) != 0)
            continue;
        for (j = 0; arg && c->names[j]; j++)
            if (strcmp(c->names[j], arg) == 0) {
                *i += 2;
                return add_value(cmd, c->epc, &c->codes[j], 1, why, why_len);
            }
        return fail(why, why_len, "%s: expected %s%s%s%s%s%s%s%s%s", w, c->names[0], c->names[1] ? ", " : "",
                    c->names[1] ? c->names[1] : "", c->names[2] ? ", " : "", c->names[2] ? c->names[2] : "",
                    c->names[3] ? ", " : "", c->names[3] ? c->names[3] : "", c->names[4] ? ", " : "",
                    c->names[4] ? c->names[4] : "");
    }
    return fail(why, why_len,
                "unknown setting '%s' for %06lx (on, off, EPC=HEX; brightness N for lighting 0290xx, mode for a "
                "battery 027dxx, heating for a water heater 026bxx, generation for a fuel cell 027cxx; mode, temp "
                "and fan for air conditioners 0130xx)",
                w, (unsigned long)cmd->eoj);
}

/* One setting of `set` at words[*i] (advanced past its words). */
static int parse_setting(struct hems_cmd *cmd, char **words, int n, int *i, char *why, size_t why_len)
{
    const char *w = words[*i], *eq = strchr(w, '='), *arg = *i + 1 < n ? words[*i + 1] : NULL;
    uint8_t v[ECHONET_CTL_VALUE_BYTES], epc;
    long x;
    int len;

    if (eq) {
        char name[3];

        if (eq - w != 2)
            return fail(why, why_len, "bad property '%s': expected EPC=HEX such as b3=1a", w);
        memcpy(name, w, 2);
        name[2] = '\0';
        len = posix_parse_hex(eq + 1, v, sizeof v, false);
        if (!parse_epc(name, &epc) || len < 0)
            return fail(why, why_len, "bad property '%s': expected EPC=HEX such as b3=1a", w);
        (*i)++;
        return add_value(cmd, epc, v, (size_t)len, why, why_len);
    }
    if (strcmp(w, "on") == 0 || strcmp(w, "off") == 0) {
        v[0] = w[1] == 'n' ? ECHONET_ON : ECHONET_OFF;
        (*i)++;
        return add_value(cmd, ECHONET_EPC_OPERATION_STATUS, v, 1, why, why_len);
    }
    if (ECHONET_EOJ_CLASS(cmd->eoj) != ECHONET_CLASS_HOME_AIRCON)
        return parse_class_setting(cmd, w, arg, i, why, why_len);
    if (strcmp(w, "mode") != 0 && strcmp(w, "temp") != 0 && strcmp(w, "fan") != 0)
        return fail(why, why_len, "unknown setting '%s' (on, off, mode, temp, fan or EPC=HEX)", w);
    if (!arg)
        return fail(why, why_len, "%s: missing its value", w);
    *i += 2;
    if (w[0] == 'm') {
        if (!hems_parse_mode(arg, &v[0]))
            return fail(why, why_len, "mode '%s': expected auto, cool, heat, dry or fan", arg);
        return add_value(cmd, ECHONET_EPC_MODE, v, 1, why, why_len);
    }
    if (w[0] == 't') {
        char allowed[64];

        /* Any byte: the range (0-50 °C) is the class table's, checked by
         * echonet_ctl_set(); a whole number that is no byte is refused by
         * the same range. */
        if (!hems_parse_long(arg, LONG_MIN, LONG_MAX, &x))
            return fail(why, why_len, "temp '%s': expected a whole number of degrees", arg);
        if (x < 0 || x > 255)
            return fail(why, why_len, "temp '%s': out of range (b3 allows %s)", arg,
                        hems_cmd_allowed(ECHONET_CLASS_HOME_AIRCON, ECHONET_EPC_SET_TEMPERATURE, allowed, sizeof allowed));
        v[0] = (uint8_t)x;
        return add_value(cmd, ECHONET_EPC_SET_TEMPERATURE, v, 1, why, why_len);
    }
    if (!hems_parse_long(arg, 0, 8, &x))
        return fail(why, why_len, "fan '%s': expected 0 (auto) to 8", arg);
    v[0] = echonet_aircon_flow_edt((int)x);
    return add_value(cmd, ECHONET_EPC_AIR_FLOW, v, 1, why, why_len);
}

static int parse_get(struct hems_cmd *cmd, char **words, int n, char *why, size_t why_len)
{
    int i;
    unsigned k;

    if (n < 4)
        return fail(why, why_len, "usage: get NODE EOJ EPC...");
    if (n - 3 > ECHONET_CTL_BATCH_MAX)
        return fail(why, why_len, "get: too many properties (at most %d)", ECHONET_CTL_BATCH_MAX);
    for (i = 3; i < n; i++) {
        uint8_t epc;

        if (!parse_epc(words[i], &epc))
            return fail(why, why_len, "bad EPC '%s': expected 2 hex digits 80 to ff", words[i]);
        for (k = 0; k < cmd->n; k++)
            if (cmd->epc[k] == epc)
                return fail(why, why_len, "property %s is given twice", words[i]);
        cmd->epc[cmd->n++] = epc;
    }
    return 0;
}

static int parse_set(struct hems_cmd *cmd, char **words, int n, char *why, size_t why_len)
{
    int i = 3;

    if (n < 4)
        return fail(why, why_len, "usage: set NODE EOJ (EPC=HEX | on | off | mode M | temp C | fan N)...");
    while (i < n)
        if (parse_setting(cmd, words, n, &i, why, why_len) != 0)
            return -1;
    return 0;
}

static int parse_probe(struct hems_cmd *cmd, char **words, int n, char *why, size_t why_len)
{
    long low, high;

    if (n != 6)
        return fail(why, why_len, "usage: probe NODE EOJ MODE LOW HIGH");
    if (ECHONET_EOJ_CLASS(cmd->eoj) != ECHONET_CLASS_HOME_AIRCON)
        return fail(why, why_len, "probe: only home air conditioners (0130xx) have a temperature range to probe");
    if (!hems_parse_mode(words[3], &cmd->mode))
        return fail(why, why_len, "mode '%s': expected auto, cool, heat, dry or fan", words[3]);
    /* The range is echonet_ctl_probe()'s to judge. */
    if (!hems_parse_long(words[4], -1000, 1000, &low) || !hems_parse_long(words[5], -1000, 1000, &high))
        return fail(why, why_len, "probe: LOW and HIGH must be whole numbers of degrees");
    cmd->low = (int)low;
    cmd->high = (int)high;
    return 0;
}

static int parse_discover(struct hems_cmd *cmd, char **words, int n, char *why, size_t why_len)
{
    int i;

    for (i = 1; i < n; i++) {
        if (strcmp(words[i], "--wait") == 0) {
            if (i + 1 == n || !hems_parse_long(words[i + 1], 0, 86400, &cmd->wait_s))
                return fail(why, why_len, "discover: --wait needs 0 to 86400 seconds");
            i++;
            continue;
        }
        if (cmd->n_nodes == HEMS_CMD_MAX_NODES)
            return fail(why, why_len, "discover: too many nodes");
        if (parse_node(words[i], &cmd->node[cmd->n_nodes++], why, why_len) != 0)
            return -1;
    }
    return 0;
}

/* The commands that name NODE EOJ, and how many words they take. */
static int parse_targeted(struct hems_cmd *cmd, char **words, int n, char *why, size_t why_len)
{
    if (n < 2)
        return fail(why, why_len, "%s: missing NODE", words[0]);
    if (parse_node(words[1], &cmd->node[0], why, why_len) != 0)
        return -1;
    cmd->n_nodes = 1;
    if (cmd->kind == HEMS_CMD_STATUS && n == 2)
        return 0;
    if (n < 3)
        return fail(why, why_len, "%s: missing EOJ", words[0]);
    if (parse_eoj(words[2], &cmd->eoj, why, why_len) != 0)
        return -1;
    switch (cmd->kind) {
    case HEMS_CMD_GET:
        return parse_get(cmd, words, n, why, why_len);
    case HEMS_CMD_SET:
        return parse_set(cmd, words, n, why, why_len);
    case HEMS_CMD_PROBE:
        return parse_probe(cmd, words, n, why, why_len);
    default: /* status, fault */
        if (n != 3)
            return fail(why, why_len, "%s: unexpected arguments after EOJ", words[0]);
        return 0;
    }
}

int hems_cmd_parse(struct hems_cmd *cmd, char **words, int n, bool interactive, char *why, size_t why_len)
{
    static const struct {
        const char *name;
        enum hems_cmd_kind kind;
    } names[] = {
        {"discover", HEMS_CMD_DISCOVER}, {"get", HEMS_CMD_GET},     {"set", HEMS_CMD_SET},
        {"status", HEMS_CMD_STATUS},     {"probe", HEMS_CMD_PROBE}, {"fault", HEMS_CMD_FAULT},
        {"run", HEMS_CMD_RUN},           {"line", HEMS_CMD_LINE},   {"quit", HEMS_CMD_QUIT},
        {"serve", HEMS_CMD_SERVE},       {"house", HEMS_CMD_HOUSE},
    };
    size_t i;

    memset(cmd, 0, sizeof *cmd);
    cmd->wait_s = -1;
    if (n < 1)
        return fail(why, why_len, "missing command");
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(words[0], names[i].name) == 0)
            break;
    if (i == sizeof names / sizeof names[0])
        return fail(why, why_len, "unknown command '%s'", words[0]);
    cmd->kind = names[i].kind;
    switch (cmd->kind) {
    case HEMS_CMD_DISCOVER:
        return parse_discover(cmd, words, n, why, why_len);
    case HEMS_CMD_RUN:
    case HEMS_CMD_SERVE:
        if (interactive)
            return fail(why, why_len, "already running");
        return n == 1 ? 0 : fail(why, why_len, "%s takes no arguments", words[0]);
    case HEMS_CMD_LINE:
        if (!interactive)
            return fail(why, why_len, "line: only in run or serve (standard input, control socket)");
        if (n != 2 || (strcmp(words[1], "up") != 0 && strcmp(words[1], "down") != 0))
            return fail(why, why_len, "usage: line up|down");
        cmd->up = strcmp(words[1], "up") == 0;
        return 0;
    case HEMS_CMD_HOUSE:
        if (!interactive)
            return fail(why, why_len, "house: only in run or serve (standard input, control socket)");
        return n == 1 ? 0 : fail(why, why_len, "house takes no arguments");
    case HEMS_CMD_QUIT:
        if (!interactive)
            return fail(why, why_len, "quit: only in run or serve (standard input, control socket)");
        return n == 1 ? 0 : fail(why, why_len, "quit takes no arguments");
    default:
        return parse_targeted(cmd, words, n, why, why_len);
    }
}

size_t hems_cmd_props(const struct hems_cmd *cmd, echonet_prop props[ECHONET_CTL_BATCH_MAX])
{
    size_t off = 0;
    unsigned k;

    for (k = 0; k < cmd->n; k++) {
        props[k].epc = cmd->epc[k];
        props[k].pdc = cmd->len[k];
        props[k].edt = cmd->len[k] > 0 ? cmd->data + off : NULL;
        off += cmd->len[k];
    }
    return cmd->n;
}

int hems_cmd_split(char *line, char **words, int max)
{
    int n = 0;
    char *save = NULL, *w;

    for (w = strtok_r(line, " \t\r\n", &save); w; w = strtok_r(NULL, " \t\r\n", &save)) {
        if (n == max)
            return -1;
        words[n++] = w;
    }
    return n;
}
