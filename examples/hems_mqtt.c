/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The MQTT bridge of hems-controller with Home Assistant discovery; see
 * hems_mqtt.h and doc/mqtt.md. */
#define _POSIX_C_SOURCE 200809L

#include "hems_mqtt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mosquitto.h>

#include <echonet/classes.h>

#include "posix_util.h"

#define QOS_STATE 1          /* discovery, state, availability: delivered once the broker has them */
#define QOS_EVENTS 0         /* the event stream: best effort */
#define KEEPALIVE_S 30
#define MISC_EVERY_MS 1000u  /* mosquitto_loop_misc(): pings, timeouts */
#define PAYLOAD_CAP 4096u
#define TOPIC_CAP 256u
#define MAX_WORDS 24

/* ---- Mappings ------------------------------------------------------------- */

/* Home Assistant's climate modes and the ECHONET settings for them: "off"
 * is 0x80 = 0x31; the others are 0x80 = 0x30 and 0xB0 = the mode. */
static const struct {
    const char *ha;
    const char *setting; /* the word of hems_cmd's `mode` */
    uint8_t code;        /* 0xB0 */
} modes[] = {
    {"auto", "auto", ECHONET_MODE_AUTO}, {"cool", "cool", ECHONET_MODE_COOL}, {"heat", "heat", ECHONET_MODE_HEAT},
    {"dry", "dry", ECHONET_MODE_DRY},    {"fan_only", "fan", ECHONET_MODE_FAN},
};

/* How a sensor's value is read from its EDT. */
enum sensor_decode {
    DEC_U8,        /* 1 byte, 0-100 (a percentage) */
    DEC_U16,       /* 2 bytes unsigned, 0xFFFD-0xFFFF not a value */
    DEC_S32,       /* 4 bytes signed, 0x7FFFFFFE-0x80000000 not a value */
    DEC_U32_MILLI, /* 4 bytes unsigned, in thousandths (0.001 kWh) */
    DEC_METER      /* a smart meter's register (epc, or the fixed-time alt), x D3 x unit E1 */
};

/* The values published as Home Assistant sensors, by class and EPC: a class
 * the controller comes to manage gets its sensors by a row here. The key is
 * the field of the state JSON and the end of the entity's unique_id. */
static const struct sensor_row {
    uint16_t class_code;   /* class group and class, e.g. 0x0130 */
    uint8_t epc;
    uint8_t alt;           /* DEC_METER: the fixed-time reading of the same register (0: none) */
    enum sensor_decode decode;
    const char *key;
    const char *name;
    const char *device_class; /* Home Assistant's */
    const char *unit;
    const char *state_class;
} sensors[] = {
    /* Home air conditioner: measured power and cumulative energy. */
    {0x0130, ECHONET_EPC_INSTANT_POWER, 0, DEC_U16, "power_w", "Power", "power", "W", "measurement"},
    {0x0130, ECHONET_EPC_CUMULATIVE_ENERGY, 0, DEC_U32_MILLI, "energy_kwh", "Energy", "energy", "kWh",
     "total_increasing"},
    /* Household solar power generation 0x0279: 0xE0 instantaneous (W),
     * 0xE1 cumulative (0.001 kWh). */
    {0x0279, 0xE0, 0, DEC_U16, "generation_w", "Generation", "power", "W", "measurement"},
    {0x0279, 0xE1, 0, DEC_U32_MILLI, "generated_kwh", "Generated energy", "energy", "kWh", "total_increasing"},
    /* Storage battery 0x027D: 0xE4 remaining capacity (%), 0xD3
     * instantaneous charging (+) or discharging (-) power (W). */
    {0x027D, 0xE4, 0, DEC_U8, "battery_pct", "Battery", "battery", "%", "measurement"},
    {0x027D, 0xD3, 0, DEC_S32, "battery_w", "Battery power", "power", "W", "measurement"},
    /* Low-voltage smart electric energy meter 0x0288: 0xE7 instantaneous
     * power (W, signed: + bought, - sold); the normal direction E0 (or its
     * half-hourly EA) and the reverse direction E3 (or EB). */
    {0x0288, 0xE7, 0, DEC_S32, "power_w", "Power", "power", "W", "measurement"},
    {0x0288, 0xE0, 0xEA, DEC_METER, "energy_kwh", "Energy bought", "energy", "kWh", "total_increasing"},
    {0x0288, 0xE3, 0xEB, DEC_METER, "sold_kwh", "Energy sold", "energy", "kWh", "total_increasing"},
    /* Fuel cell 0x027C: 0xC4 generation (W), 0xC5 cumulative (0.001 kWh). */
    {0x027C, 0xC4, 0, DEC_U16, "generation_w", "Generation", "power", "W", "measurement"},
    {0x027C, 0xC5, 0, DEC_U32_MILLI, "generated_kwh", "Generated energy", "energy", "kWh", "total_increasing"},
    /* Electric water heater 0x026B and general lighting 0x0290: measured
     * power 0x84 (W) and energy 0x85 (0.001 kWh), when they have them. */
    {0x026B, ECHONET_EPC_INSTANT_POWER, 0, DEC_U16, "power_w", "Power", "power", "W", "measurement"},
    {0x026B, ECHONET_EPC_CUMULATIVE_ENERGY, 0, DEC_U32_MILLI, "energy_kwh", "Energy", "energy", "kWh",
     "total_increasing"},
    {0x0290, ECHONET_EPC_INSTANT_POWER, 0, DEC_U16, "power_w", "Power", "power", "W", "measurement"},
    {0x0290, ECHONET_EPC_CUMULATIVE_ENERGY, 0, DEC_U32_MILLI, "energy_kwh", "Energy", "energy", "kWh",
     "total_increasing"},
};

#define CLASS_WATER_HEATER 0x026Bu
#define CLASS_FUEL_CELL 0x027Cu
#define CLASS_BATTERY 0x027Du
#define CLASS_METER 0x0288u
#define CLASS_LIGHTING 0x0290u
#define EPC_BRIGHTNESS 0xB0u     /* lighting: illuminance level, 0-100 % */
#define EPC_BATTERY_MODE 0xDAu   /* storage battery: operation mode setting */
#define EPC_METER_COEFFICIENT 0xD3u
#define EPC_METER_UNIT 0xE1u

/* The storage battery's operation modes (0xDA) by their names in the
 * select entity; what the class table lets a controller write are offered. */
static const struct {
    uint8_t code;
    const char *name;
} battery_modes[] = {
    {0x41, "rapid_charging"}, {0x42, "charging"}, {0x43, "discharging"}, {0x44, "standby"},
    {0x45, "test"},           {0x46, "automatic"}, {0x48, "restart"},     {0x49, "capacity_recalculation"},
    {0x40, "other"},
};

/* The classes the bridge names (the device's name in Home Assistant). */
static const struct {
    uint16_t code;
    const char *name;
} class_names[] = {
    {0x0130, "Air conditioner"}, {CLASS_WATER_HEATER, "Water heater"}, {0x0279, "Solar power"},
    {CLASS_FUEL_CELL, "Fuel cell"}, {CLASS_BATTERY, "Storage battery"}, {CLASS_METER, "Smart meter"},
    {CLASS_LIGHTING, "Lighting"},
};

static uint16_t class_of(echonet_eoj eoj)
{
    return (uint16_t)(eoj >> 8);
}

/* Whether the bridge keeps a property's value: a sensor's, or one its
 * other entities show or need. */
static bool watched(uint16_t class_code, uint8_t epc)
{
    size_t i;

    for (i = 0; i < sizeof sensors / sizeof sensors[0]; i++)
        if (sensors[i].class_code == class_code && (sensors[i].epc == epc || (sensors[i].alt && sensors[i].alt == epc)))
            return true;
    switch (class_code) {
    case CLASS_LIGHTING:
        return epc == ECHONET_EPC_OPERATION_STATUS || epc == EPC_BRIGHTNESS;
    case CLASS_WATER_HEATER:
        return epc == ECHONET_EPC_OPERATION_STATUS;
    case CLASS_BATTERY:
        return epc == EPC_BATTERY_MODE;
    case CLASS_METER:
        return epc == EPC_METER_COEFFICIENT || epc == EPC_METER_UNIT;
    default:
        return false;
    }
}

/* A property's descriptor in the class table (the class's, else the
 * superclass's), or NULL. */
static const echonet_prop_desc *class_desc(uint16_t class_code, uint8_t epc)
{
    return echonet_class_desc(echonet_class_find(class_code), epc);
}

/* A big-endian unsigned number of n bytes (n at most 4). */
static uint32_t be(const uint8_t *p, size_t n)
{
    uint32_t u = 0;
    size_t i;

    for (i = 0; i < n && i < 4; i++)
        u = u << 8 | p[i];
    return u;
}

/* kWh as exact decimal text: v x 10^exp (exp from -4 to 4). */
static void kwh_text(uint64_t v, int exp, char *out, size_t cap)
{
    uint64_t scale = 1;
    int i;

    for (i = 0; i < (exp < 0 ? -exp : exp); i++)
        scale *= 10u;
    if (exp >= 0)
        snprintf(out, cap, "%llu", (unsigned long long)(v * scale));
    else
        snprintf(out, cap, "%llu.%0*llu", (unsigned long long)(v / scale), -exp, (unsigned long long)(v % scale));
}

/* The power of ten in kWh of a meter's unit code 0xE1 (0x00 1 kWh ...
 * 0x04 0.0001 kWh, 0x0A 10 kWh ... 0x0D 10 000 kWh). */
static bool meter_unit(uint8_t code, int *exp)
{
    if (code <= 0x04)
        *exp = -(int)code;
    else if (code >= 0x0A && code <= 0x0D)
        *exp = code - 0x09;
    else
        return false;
    return true;
}

/* ---- Text helpers ---------------------------------------------------------- */

/* snprintf() into a topic or a name whose parts are bounded (prefixes and
 * keys are checked to fit TOPIC_CAP; a cut name is still a name). */
static void fmt(char *out, size_t cap, const char *format, ...)
{
    va_list ap;

    va_start(ap, format);
    (void)vsnprintf(out, cap, format, ap);
    va_end(ap);
}

/* A growing JSON text in a fixed buffer; too long is reported once at the
 * end (nothing half-written is ever published). */
struct text {
    char *b;
    size_t cap, len;
    bool overflow;
};

static void add(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->overflow)
        return;
    va_start(ap, fmt);
    n = vsnprintf(t->b + t->len, t->cap - t->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= t->cap - t->len)
        t->overflow = true;
    else
        t->len += (size_t)n;
}

/* A JSON string. */
static void add_str(struct text *t, const char *s)
{
    add(t, "\"");
    for (; *s && !t->overflow; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            add(t, "\\%c", c);
        else if (c < 0x20)
            add(t, "\\u%04x", c);
        else
            add(t, "%c", c);
    }
    add(t, "\"");
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    size_t i;

    for (i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", (unsigned)p[i]);
    out[2 * n] = '\0';
}

/* FNV-1a: whether a state changed since it was published. Never 0. */
static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h ? h : 1u;
}

/* The string value of a top-level "key":"..." of an event line (the lines
 * of hems_print.c: keys before any nested object, values without
 * escapes). */
static bool json_field(const char *json, size_t len, const char *key, char *out, size_t cap)
{
    char pattern[32];
    size_t plen, i, n;

    plen = (size_t)snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    for (i = 0; i + plen <= len; i++) {
        if (memcmp(json + i, pattern, plen) != 0)
            continue;
        for (n = 0; i + plen + n < len && json[i + plen + n] != '"'; n++)
            if (json[i + plen + n] == '\\' || n + 1 >= cap)
                return false;
        memcpy(out, json + i + plen, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

/* ---- Publishing ------------------------------------------------------------- */

static void publish(struct hems_mqtt *m, const char *topic, const char *payload, size_t len, int qos, bool retain)
{
    int rc;

    if (!m->connected)
        return; /* everything is published again on connecting */
    rc = mosquitto_publish(m->mosq, NULL, topic, (int)len, payload, qos, retain);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN && rc != MOSQ_ERR_CONN_LOST)
        fprintf(stderr, "hems-controller: mqtt: publishing %s: %s\n", topic, mosquitto_strerror(rc));
}

static void publish_text(struct hems_mqtt *m, const char *topic, const char *payload, bool retain)
{
    publish(m, topic, payload, strlen(payload), QOS_STATE, retain);
}

static void bridge_topic(const struct hems_mqtt *m, char *topic, size_t cap)
{
    fmt(topic, cap, "%s/bridge/availability", m->prefix);
}

/* The KEY of an object: its 0x83 and EOJ, else its address and EOJ. */
static void unit_key(const struct hems_mqtt_unit *u, char *key, size_t cap)
{
    char idhex[35], addr[UDP_FORMAT_MAX];
    size_t i;

    if (u->has_id) {
        hex(u->id, 17, idhex);
        fmt(key, cap, "%s_%06lx", idhex, (unsigned long)u->eoj);
        return;
    }
    for (i = 0; u->node[i] && i + 1 < sizeof addr; i++)
        addr[i] = (u->node[i] >= '0' && u->node[i] <= '9') || (u->node[i] >= 'a' && u->node[i] <= 'z') ||
                          (u->node[i] >= 'A' && u->node[i] <= 'Z')
                      ? u->node[i]
                      : '_';
    addr[i] = '\0';
    fmt(key, cap, "%s_%06lx", addr, (unsigned long)u->eoj);
}

static struct hems_mqtt_entry *entry_find(struct hems_mqtt *m, const char *node, echonet_eoj eoj)
{
    size_t i;

    for (i = 0; i < HEMS_MQTT_MAX_UNITS; i++)
        if (m->entries[i].used && m->entries[i].eoj == eoj && strcmp(m->entries[i].node, node) == 0)
            return &m->entries[i];
    return NULL;
}

static struct hems_mqtt_entry *entry_add(struct hems_mqtt *m, const char *node, echonet_eoj eoj)
{
    struct hems_mqtt_entry *e = entry_find(m, node, eoj);
    size_t i;

    for (i = 0; !e && i < HEMS_MQTT_MAX_UNITS; i++)
        if (!m->entries[i].used) {
            e = &m->entries[i];
            memset(e, 0, sizeof *e);
            e->used = true;
            snprintf(e->node, sizeof e->node, "%s", node);
            e->eoj = eoj;
        }
    return e;
}

/* The program's object at (node, eoj). */
static bool unit_find(struct hems_mqtt *m, const char *node, echonet_eoj eoj, struct hems_mqtt_unit *u)
{
    return m->host.find(m->host.user, node, eoj, u);
}

/* The kept value of a property, or NULL. */
static const uint8_t *kept(const struct hems_mqtt_entry *e, uint8_t epc, size_t *pdc)
{
    size_t i;

    for (i = 0; i < e->n_kept; i++)
        if (e->kept[i].epc == epc) {
            *pdc = e->kept[i].pdc;
            return e->kept[i].edt;
        }
    return NULL;
}

/* Whether a value read is a number by the class table: its state codes
 * (0xFFFFFFFE "no data", 0xFD "undefined"...) are valid only as read, so a
 * check as for a Set refuses them. A class without a table: as the
 * decoding alone says. */
static bool table_number(uint16_t class_code, uint8_t epc, const uint8_t *edt, size_t pdc)
{
    const echonet_prop_desc *d = class_desc(class_code, epc);

    return !d || echonet_prop_desc_check(d, edt, pdc, true) == ECHONET_OK;
}

/* A meter's register (E0, E3, or the 4 bytes after EA's/EB's date-time),
 * or -1 when it holds none. */
static int64_t meter_register(const struct hems_mqtt_entry *e, uint8_t epc, bool fixed_time)
{
    size_t pdc = 0;
    const uint8_t *edt = kept(e, epc, &pdc);
    uint32_t v;

    if (!edt || pdc != (fixed_time ? 11u : 4u) || !table_number(CLASS_METER, epc, edt, pdc))
        return -1;
    v = be(edt + pdc - 4, 4);
    return v <= 99999999u ? (int64_t)v : -1;
}

/* A meter's energy in kWh: the register x D3 (1 when the meter has none) x
 * the unit E1. Of the register's two readings (E0 now, EA at the last
 * half-hour) the larger, the later one but across a wrap. */
static void meter_text(const struct sensor_row *r, const struct hems_mqtt_entry *e, const struct hems_mqtt_unit *u,
                       char *out, size_t cap)
{
    int64_t now = meter_register(e, r->epc, false), fixed = meter_register(e, r->alt, true);
    int64_t reg = now > fixed ? now : fixed;
    uint32_t coefficient = 1;
    const uint8_t *edt;
    size_t pdc = 0;
    int exp;

    if (reg < 0)
        return;
    if (echonet_propmap_contains(&u->get, EPC_METER_COEFFICIENT)) {
        edt = kept(e, EPC_METER_COEFFICIENT, &pdc);
        if (!edt || pdc != 4 || (coefficient = be(edt, 4)) < 1 || coefficient > 999999u)
            return;
    }
    edt = kept(e, EPC_METER_UNIT, &pdc);
    if (!edt || pdc != 1 || !meter_unit(edt[0], &exp))
        return;
    kwh_text((uint64_t)reg * coefficient, exp, out, cap);
}

/* A sensor's value as JSON (a number, or null when it is not one). */
static void sensor_text(const struct sensor_row *r, const struct hems_mqtt_entry *e, const struct hems_mqtt_unit *u,
                        char *out, size_t cap)
{
    size_t pdc = 0;
    const uint8_t *edt = kept(e, r->epc, &pdc);
    uint32_t v;

    snprintf(out, cap, "null");
    if (r->decode == DEC_METER) {
        meter_text(r, e, u, out, cap);
        return;
    }
    if (!edt || !table_number(r->class_code, r->epc, edt, pdc))
        return;
    v = be(edt, pdc);
    switch (r->decode) {
    case DEC_U8:
        if (pdc == 1 && v <= 100)
            snprintf(out, cap, "%u", (unsigned)v);
        break;
    case DEC_U16:
        if (pdc == 2 && v < 0xFFFDu)
            snprintf(out, cap, "%u", (unsigned)v);
        break;
    case DEC_S32:
        if (pdc == 4 && v != 0x7FFFFFFFu && v != 0x80000000u && v != 0x7FFFFFFEu)
            snprintf(out, cap, "%ld", v >= 0x80000000u ? -(long)(0xFFFFFFFFu - v) - 1 : (long)v);
        break;
    case DEC_U32_MILLI:
        if (pdc == 4 && v <= 999999999u)
            kwh_text(v, -3, out, cap);
        break;
    case DEC_METER:
        break;
    }
}

/* The "device" of an object's entities. */
static void add_device(struct text *t, const struct hems_mqtt_unit *u, const char *key)
{
    char maker[7];

    add(t, ",\"device\":{\"identifiers\":[\"echonet_%s\"],\"name\":", key);
    {
        char name[UDP_FORMAT_MAX + 48];

        const char *class_name = "Device";
        size_t i;

        for (i = 0; i < sizeof class_names / sizeof class_names[0]; i++)
            if (class_names[i].code == class_of(u->eoj))
                class_name = class_names[i].name;
        fmt(name, sizeof name, "%s %06lx at %s", class_name, (unsigned long)u->eoj, u->node);
        add_str(t, name);
    }
    if (u->has_maker) {
        hex(u->maker, 3, maker);
        add(t, ",\"manufacturer\":\"ECHONET Lite maker %s\"", maker);
    }
    add(t, ",\"model\":\"ECHONET Lite class 0x%04x\"", (unsigned)class_of(u->eoj));
    if (u->has_id) {
        char idhex[35];

        hex(u->id, 17, idhex);
        add(t, ",\"serial_number\":\"%s\"", idhex);
    }
    add(t, "}");
}

/* What every entity of an object shares: availability, device, origin. */
static void add_common(struct hems_mqtt *m, struct text *t, const struct hems_mqtt_unit *u, const char *key)
{
    char topic[TOPIC_CAP];

    bridge_topic(m, topic, sizeof topic);
    add(t, ",\"availability\":[{\"topic\":");
    add_str(t, topic);
    fmt(topic, sizeof topic, "%s/%s/availability", m->prefix, key);
    add(t, "},{\"topic\":");
    add_str(t, topic);
    add(t, "}],\"availability_mode\":\"all\"");
    add_device(t, u, key);
    add(t, ",\"origin\":{\"name\":\"libechonet hems-controller\"}");
}

/* The settable range of 0xB3 from the class table (0 to 50 °C). */
static void temp_range(int *min, int *max)
{
    const echonet_prop_desc *d = echonet_aircon_desc(ECHONET_EPC_SET_TEMPERATURE);

    *min = 0;
    *max = 50;
    if (d && d->rule == ECHONET_RULE_RANGE && d->n_values >= 2) {
        *min = d->values[0];
        *max = d->values[1];
    }
}

static void publish_climate(struct hems_mqtt *m, const struct hems_mqtt_unit *u, const char *key)
{
    char buf[PAYLOAD_CAP], topic[TOPIC_CAP], base[TOPIC_CAP];
    struct text t = {buf, sizeof buf, 0, false};
    size_t i;
    int min, max;

    fmt(base, sizeof base, "%s/%s", m->prefix, key);
    add(&t, "{\"name\":null,\"unique_id\":\"echonet_%s_climate\"", key);
    add_common(m, &t, u, key);
    fmt(topic, sizeof topic, "%s/state", base);
    add(&t, ",\"json_attributes_topic\":");
    add_str(&t, topic);
    add(&t, ",\"modes\":[\"off\"");
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
        add(&t, ",\"%s\"", modes[i].ha);
    add(&t, "],\"mode_state_topic\":");
    add_str(&t, topic);
    add(&t, ",\"mode_state_template\":\"{{ value_json.mode }}\"");
    if (echonet_propmap_contains(&u->set, ECHONET_EPC_OPERATION_STATUS)) {
        add(&t, ",\"mode_command_topic\":");
        fmt(topic, sizeof topic, "%s/mode/set", base);
        add_str(&t, topic);
    }
    fmt(topic, sizeof topic, "%s/state", base);
    add(&t, ",\"current_temperature_topic\":");
    add_str(&t, topic);
    add(&t, ",\"current_temperature_template\":\"{{ value_json.current_temperature }}\"");
    add(&t, ",\"temperature_state_topic\":");
    add_str(&t, topic);
    add(&t, ",\"temperature_state_template\":\"{{ value_json.target_temperature }}\"");
    if (echonet_propmap_contains(&u->set, ECHONET_EPC_SET_TEMPERATURE)) {
        temp_range(&min, &max);
        fmt(topic, sizeof topic, "%s/temperature/set", base);
        add(&t, ",\"temperature_command_topic\":");
        add_str(&t, topic);
        add(&t, ",\"min_temp\":%d,\"max_temp\":%d,\"temp_step\":1", min, max);
    }
    add(&t, ",\"precision\":1.0,\"temperature_unit\":\"C\"");
    if (echonet_propmap_contains(&u->get, ECHONET_EPC_AIR_FLOW)) {
        fmt(topic, sizeof topic, "%s/state", base);
        add(&t, ",\"fan_modes\":[\"auto\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\",\"8\"],\"fan_mode_state_topic\":");
        add_str(&t, topic);
        add(&t, ",\"fan_mode_state_template\":\"{{ value_json.fan_mode }}\"");
        if (echonet_propmap_contains(&u->set, ECHONET_EPC_AIR_FLOW)) {
            fmt(topic, sizeof topic, "%s/fan_mode/set", base);
            add(&t, ",\"fan_mode_command_topic\":");
            add_str(&t, topic);
        }
    }
    add(&t, ",\"qos\":%d}", QOS_STATE);
    fmt(topic, sizeof topic, "%s/climate/%s/config", m->discovery, key);
    if (t.overflow)
        fprintf(stderr, "hems-controller: mqtt: the discovery of %s is too long\n", key);
    else
        publish(m, topic, buf, t.len, QOS_STATE, true);
}

/* Whether an object has a sensor: its class's row, a property of its Get
 * map (either reading of a meter's register). */
static bool shows(const struct hems_mqtt_unit *u, const struct sensor_row *r)
{
    return r->class_code == class_of(u->eoj) &&
           (echonet_propmap_contains(&u->get, r->epc) || (r->alt && echonet_propmap_contains(&u->get, r->alt)));
}

static void publish_sensors(struct hems_mqtt *m, const struct hems_mqtt_unit *u, const char *key)
{
    size_t i;

    for (i = 0; i < sizeof sensors / sizeof sensors[0]; i++) {
        const struct sensor_row *r = &sensors[i];
        char buf[PAYLOAD_CAP], topic[TOPIC_CAP];
        struct text t = {buf, sizeof buf, 0, false};

        if (!shows(u, r))
            continue;
        add(&t, "{\"name\":\"%s\",\"unique_id\":\"echonet_%s_%s\"", r->name, key, r->key);
        add_common(m, &t, u, key);
        fmt(topic, sizeof topic, "%s/%s/state", m->prefix, key);
        add(&t, ",\"state_topic\":");
        add_str(&t, topic);
        add(&t, ",\"value_template\":\"{{ value_json.%s }}\",\"device_class\":\"%s\","
                "\"unit_of_measurement\":\"%s\",\"state_class\":\"%s\",\"qos\":%d}",
            r->key, r->device_class, r->unit, r->state_class, QOS_STATE);
        fmt(topic, sizeof topic, "%s/sensor/%s_%s/config", m->discovery, key, r->key);
        if (!t.overflow)
            publish(m, topic, buf, t.len, QOS_STATE, true);
    }
}

/* The start of an entity's discovery: its name, unique_id, what every
 * entity has, and the state topic with the template of one field. */
static void entity_begin(struct hems_mqtt *m, struct text *t, const struct hems_mqtt_unit *u, const char *key,
                         const char *name, const char *id, const char *state_template, const char *field)
{
    char topic[TOPIC_CAP];

    add(t, "{\"name\":%s%s%s,\"unique_id\":\"echonet_%s_%s\"", name ? "\"" : "", name ? name : "null",
        name ? "\"" : "", key, id);
    add_common(m, t, u, key);
    fmt(topic, sizeof topic, "%s/%s/state", m->prefix, key);
    add(t, ",\"state_topic\":");
    add_str(t, topic);
    add(t, ",\"%s\":\"{{ value_json.%s }}\"", state_template, field);
}

/* A command topic, PREFIX/KEY/what/set. */
static void add_command_topic(struct hems_mqtt *m, struct text *t, const char *field, const char *key,
                              const char *what)
{
    char topic[TOPIC_CAP];

    fmt(topic, sizeof topic, "%s/%s/%s/set", m->prefix, key, what);
    add(t, ",\"%s\":", field);
    add_str(t, topic);
}

static void publish_config(struct hems_mqtt *m, struct text *t, const char *component, const char *key,
                           const char *suffix)
{
    char topic[TOPIC_CAP];

    add(t, ",\"qos\":%d}", QOS_STATE);
    fmt(topic, sizeof topic, "%s/%s/%s%s/config", m->discovery, component, key, suffix);
    if (t->overflow)
        fprintf(stderr, "hems-controller: mqtt: the discovery of %s is too long\n", topic);
    else
        publish(m, topic, t->b, t->len, QOS_STATE, true);
}

/* General lighting: a light (Home Assistant's default schema), on/off
 * 0x80 and brightness 0xB0 in percent. */
static void publish_light(struct hems_mqtt *m, const struct hems_mqtt_unit *u, const char *key)
{
    char buf[PAYLOAD_CAP], topic[TOPIC_CAP];
    struct text t = {buf, sizeof buf, 0, false};

    entity_begin(m, &t, u, key, NULL, "light", "state_value_template", "power");
    add(&t, ",\"payload_on\":\"on\",\"payload_off\":\"off\"");
    add_command_topic(m, &t, "command_topic", key, "power"); /* (required; without 0x80 in the Set map, refused) */
    if (echonet_propmap_contains(&u->get, EPC_BRIGHTNESS)) {
        fmt(topic, sizeof topic, "%s/%s/state", m->prefix, key);
        add(&t, ",\"brightness_state_topic\":");
        add_str(&t, topic);
        add(&t, ",\"brightness_value_template\":\"{{ value_json.brightness }}\",\"brightness_scale\":100");
        if (echonet_propmap_contains(&u->set, EPC_BRIGHTNESS))
            add_command_topic(m, &t, "brightness_command_topic", key, "brightness");
    }
    publish_config(m, &t, "light", key, "");
}

/* The water heater: a switch for 0x80 when it may be written, else a
 * sensor of it. */
static void publish_power_switch(struct hems_mqtt *m, const struct hems_mqtt_unit *u, const char *key)
{
    char buf[PAYLOAD_CAP];
    struct text t = {buf, sizeof buf, 0, false};
    bool settable = echonet_propmap_contains(&u->set, ECHONET_EPC_OPERATION_STATUS);

    entity_begin(m, &t, u, key, "Operation", "power", "value_template", "power");
    if (settable) {
        add(&t, ",\"payload_on\":\"on\",\"payload_off\":\"off\",\"state_on\":\"on\",\"state_off\":\"off\"");
        add_command_topic(m, &t, "command_topic", key, "power");
    } else {
        add(&t, ",\"device_class\":\"enum\",\"options\":[\"on\",\"off\"]");
    }
    publish_config(m, &t, settable ? "switch" : "sensor", key, settable ? "" : "_power");
}

/* The storage battery's operation mode 0xDA: a select of the modes the
 * class table lets a controller write. */
static void publish_battery_mode(struct hems_mqtt *m, const struct hems_mqtt_unit *u, const char *key)
{
    const echonet_prop_desc *d = class_desc(CLASS_BATTERY, EPC_BATTERY_MODE);
    char buf[PAYLOAD_CAP];
    struct text t = {buf, sizeof buf, 0, false};
    bool first = true;
    size_t i;

    if (!echonet_propmap_contains(&u->set, EPC_BATTERY_MODE))
        return;
    entity_begin(m, &t, u, key, "Operation mode", "operation_mode", "value_template", "operation_mode");
    add_command_topic(m, &t, "command_topic", key, "operation_mode");
    add(&t, ",\"options\":[");
    for (i = 0; i < sizeof battery_modes / sizeof battery_modes[0]; i++) {
        if (d && echonet_prop_desc_check(d, &battery_modes[i].code, 1, true) != ECHONET_OK)
            continue;
        add(&t, "%s\"%s\"", first ? "" : ",", battery_modes[i].name);
        first = false;
    }
    add(&t, "]");
    publish_config(m, &t, "select", key, "_operation_mode");
}

/* Home Assistant's mode: "off" when the unit is off. */
static const char *ha_mode(const echonet_ctl_state *s)
{
    size_t i;

    if (!(s->valid & ECHONET_CTL_S_STATUS))
        return NULL;
    if (s->status == ECHONET_OFF)
        return "off";
    if (!(s->valid & ECHONET_CTL_S_MODE))
        return NULL;
    for (i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (modes[i].code == s->mode)
            return modes[i].ha;
    return NULL; /* "other" (0x40): none of Home Assistant's */
}

static void add_state_int(struct text *t, const char *key, bool known, int v)
{
    if (known)
        add(t, ",\"%s\":%d", key, v);
    else
        add(t, ",\"%s\":null", key);
}

/* The air conditioner's fields of the state. */
static void add_aircon_state(struct text *t, const struct hems_mqtt_unit *u)
{
    const echonet_ctl_state *s = &u->state;
    const char *mode = ha_mode(s);
    int c = 0, level = 0;
    bool known;

    add(t, ",\"mode\":");
    if (mode)
        add_str(t, mode);
    else
        add(t, "null");
    add(t, ",\"power\":%s", !(s->valid & ECHONET_CTL_S_STATUS) ? "null" : s->status == ECHONET_ON ? "\"on\"" : "\"off\"");
    known = (s->valid & ECHONET_CTL_S_TEMP) && echonet_aircon_set_temp(s->temp, &c);
    add_state_int(t, "target_temperature", known, c);
    known = (s->valid & ECHONET_CTL_S_ROOM) && echonet_aircon_measured_temp(s->room, &c);
    add_state_int(t, "current_temperature", known, c);
    add(t, ",\"fan_mode\":");
    if ((s->valid & ECHONET_CTL_S_FLOW) && echonet_aircon_flow_level(s->flow, &level)) {
        if (level == 0)
            add(t, "\"auto\"");
        else
            add(t, "\"%d\"", level);
    } else {
        add(t, "null");
    }
    add(t, ",\"fault\":%s", !(s->valid & ECHONET_CTL_S_FAULT) ? "null" : s->fault == ECHONET_FAULT ? "true" : "false");
}

/* The fields of another class's state: 0x80, the lighting's brightness,
 * the battery's mode, from the last values seen (the controller's cache
 * for 0x80 until one is). */
static void add_device_state(struct text *t, const struct hems_mqtt_entry *e, const struct hems_mqtt_unit *u)
{
    uint16_t cc = class_of(u->eoj);
    const uint8_t *edt;
    size_t pdc = 0, i;

    if (watched(cc, ECHONET_EPC_OPERATION_STATUS)) {
        edt = kept(e, ECHONET_EPC_OPERATION_STATUS, &pdc);
        if (edt && pdc == 1 && (edt[0] == ECHONET_ON || edt[0] == ECHONET_OFF))
            add(t, ",\"power\":\"%s\"", edt[0] == ECHONET_ON ? "on" : "off");
        else if (!edt && (u->state.valid & ECHONET_CTL_S_STATUS))
            add(t, ",\"power\":\"%s\"", u->state.status == ECHONET_ON ? "on" : "off");
        else
            add(t, ",\"power\":null");
    }
    if (cc == CLASS_LIGHTING) {
        edt = kept(e, EPC_BRIGHTNESS, &pdc);
        add_state_int(t, "brightness", edt && pdc == 1 && edt[0] <= 100 && table_number(cc, EPC_BRIGHTNESS, edt, 1),
                      edt ? edt[0] : 0);
    }
    if (cc == CLASS_BATTERY) {
        const char *name = NULL;

        edt = kept(e, EPC_BATTERY_MODE, &pdc);
        for (i = 0; edt && pdc == 1 && i < sizeof battery_modes / sizeof battery_modes[0]; i++)
            if (battery_modes[i].code == edt[0])
                name = battery_modes[i].name;
        add(t, ",\"operation_mode\":");
        if (name)
            add_str(t, name);
        else
            add(t, "null");
    }
}

/* The state JSON of an object: Home Assistant's names, the ECHONET values
 * beside them. Published when it differs from the last one (or force). */
static void publish_state(struct hems_mqtt *m, struct hems_mqtt_entry *e, const struct hems_mqtt_unit *u, bool force)
{
    char buf[PAYLOAD_CAP], topic[TOPIC_CAP], value[48];
    struct text t = {buf, sizeof buf, 0, false};
    size_t i;
    uint32_t h;

    add(&t, "{\"node\":");
    add_str(&t, u->node);
    add(&t, ",\"eoj\":\"%06lx\"", (unsigned long)u->eoj);
    if (class_of(u->eoj) != 0x0130)
        add_device_state(&t, e, u);
    else
        add_aircon_state(&t, u);
    for (i = 0; i < sizeof sensors / sizeof sensors[0]; i++) {
        const struct sensor_row *r = &sensors[i];

        if (!shows(u, r))
            continue;
        sensor_text(r, e, u, value, sizeof value);
        add(&t, ",\"%s\":%s", r->key, value);
    }
    add(&t, "}");
    if (t.overflow)
        return;
    h = hash(buf, t.len);
    if (!force && h == e->state_hash)
        return;
    fmt(topic, sizeof topic, "%s/%s/state", m->prefix, e->key);
    publish(m, topic, buf, t.len, QOS_STATE, true);
    if (m->connected)
        e->state_hash = h;
}

static void publish_availability(struct hems_mqtt *m, struct hems_mqtt_entry *e, bool online, bool force)
{
    char topic[TOPIC_CAP];

    if (!force && e->online == online)
        return;
    e->online = online;
    if (e->key[0] == '\0')
        return;
    fmt(topic, sizeof topic, "%s/%s/availability", m->prefix, e->key);
    publish_text(m, topic, online ? "online" : "offline", true);
}

/* Brings one object up to date: its discovery once it is ready (once per
 * connection), its state, its availability. */
static void refresh(struct hems_mqtt *m, const struct hems_mqtt_unit *u, bool force)
{
    struct hems_mqtt_entry *e = entry_add(m, u->node, u->eoj);
    char key[HEMS_MQTT_KEY_MAX];

    if (!e || !u->ready)
        return; /* the discovery waits for the identification and maps */
    unit_key(u, key, sizeof key);
    if (strcmp(key, e->key) != 0) {
        snprintf(e->key, sizeof e->key, "%s", key);
        e->announced = false;
        e->state_hash = 0;
    }
    if (!e->announced || force) {
        if (class_of(u->eoj) == 0x0130)
            publish_climate(m, u, key);
        else if (class_of(u->eoj) == CLASS_LIGHTING)
            publish_light(m, u, key);
        else if (class_of(u->eoj) == CLASS_WATER_HEATER)
            publish_power_switch(m, u, key);
        else if (class_of(u->eoj) == CLASS_BATTERY)
            publish_battery_mode(m, u, key);
        publish_sensors(m, u, key);
        e->announced = m->connected;
    }
    publish_state(m, e, u, force);
    publish_availability(m, e, true, force);
}

/* Everything again: after connecting, and on Home Assistant's birth. */
static void publish_all(struct hems_mqtt *m)
{
    struct hems_mqtt_unit u;
    char topic[TOPIC_CAP];
    size_t i;

    bridge_topic(m, topic, sizeof topic);
    publish_text(m, topic, "online", true);
    for (i = 0; i < HEMS_MQTT_MAX_UNITS; i++)
        m->entries[i].announced = false;
    for (i = 0; m->host.unit(m->host.user, i, &u); i++) {
        struct hems_mqtt_entry *e;

        if (u.ready) {
            refresh(m, &u, true);
        } else if ((e = entry_find(m, u.node, u.eoj)) != NULL && e->key[0] != '\0') {
            publish_state(m, e, &u, true);
            publish_availability(m, e, false, true);
        }
    }
}

/* ---- Events ------------------------------------------------------------------ */

static void set_node_availability(struct hems_mqtt *m, const char *node, bool online)
{
    size_t i;

    for (i = 0; i < HEMS_MQTT_MAX_UNITS; i++) {
        struct hems_mqtt_entry *e = &m->entries[i];
        struct hems_mqtt_unit u;

        if (!e->used || strcmp(e->node, node) != 0)
            continue;
        if (online && unit_find(m, e->node, e->eoj, &u))
            refresh(m, &u, false);
        publish_availability(m, e, online, false);
    }
}

/* A property value: kept when it is a sensor's. */
static void keep_value(struct hems_mqtt *m, const char *node, echonet_eoj eoj, const char *json, size_t len)
{
    char epc_text[4], edt_text[2 * HEMS_MQTT_VALUE_BYTES + 1];
    uint8_t edt[HEMS_MQTT_VALUE_BYTES];
    struct hems_mqtt_entry *e;
    size_t n, i;
    int hi, lo;

    if (!json_field(json, len, "epc", epc_text, sizeof epc_text) || strlen(epc_text) != 2)
        return;
    hi = posix_hex_digit(epc_text[0]);
    lo = posix_hex_digit(epc_text[1]);
    if (hi < 0 || lo < 0 || !watched(class_of(eoj), (uint8_t)(hi << 4 | lo)) ||
        !json_field(json, len, "edt", edt_text, sizeof edt_text) || strlen(edt_text) % 2 != 0)
        return; /* (a longer value than any kept: not one of them) */
    n = strlen(edt_text) / 2;
    for (i = 0; i < n; i++) {
        int h = posix_hex_digit(edt_text[2 * i]), l = posix_hex_digit(edt_text[2 * i + 1]);

        if (h < 0 || l < 0)
            return;
        edt[i] = (uint8_t)(h << 4 | l);
    }
    e = entry_add(m, node, eoj);
    if (!e)
        return;
    for (i = 0; i < e->n_kept && e->kept[i].epc != (uint8_t)(hi << 4 | lo); i++)
        ;
    if (i == HEMS_MQTT_VALUE_MAX)
        return; /* (watched() names fewer per class) */
    if (i == e->n_kept)
        e->n_kept++;
    e->kept[i].epc = (uint8_t)(hi << 4 | lo);
    e->kept[i].pdc = (uint8_t)n;
    memcpy(e->kept[i].edt, edt, n);
}

void hems_mqtt_event(struct hems_mqtt *m, const char *json, size_t len)
{
    char topic[TOPIC_CAP], event[24], node[UDP_FORMAT_MAX], eoj_text[8];
    struct hems_mqtt_unit u;
    echonet_eoj eoj = 0;
    size_t i;

    while (len > 0 && (json[len - 1] == '\n' || json[len - 1] == '\r'))
        len--;
    fmt(topic, sizeof topic, "%s/events", m->prefix);
    publish(m, topic, json, len, QOS_EVENTS, false);
    if (!json_field(json, len, "event", event, sizeof event) || !json_field(json, len, "node", node, sizeof node))
        return;
    if (json_field(json, len, "eoj", eoj_text, sizeof eoj_text) && strlen(eoj_text) == 6)
        for (i = 0; i < 6; i++)
            eoj = eoj << 4 | (echonet_eoj)(posix_hex_digit(eoj_text[i]) & 0xF);
    if (strcmp(event, "offline") == 0 || strcmp(event, "forgotten") == 0 || strcmp(event, "alias") == 0) {
        set_node_availability(m, node, false);
        return;
    }
    if (strcmp(event, "online") == 0) {
        set_node_availability(m, node, true);
        return;
    }
    if (eoj == 0)
        return;
    if (strcmp(event, "removed") == 0) {
        struct hems_mqtt_entry *e = entry_find(m, node, eoj);

        if (e)
            publish_availability(m, e, false, false);
        return;
    }
    if (strcmp(event, "property") == 0 || strcmp(event, "changed") == 0)
        keep_value(m, node, eoj, json, len);
    /* ready, status, read, write, property...: the state may have changed. */
    if (unit_find(m, node, eoj, &u))
        refresh(m, &u, false);
}

/* ---- Commands ---------------------------------------------------------------- */

static void refuse(struct hems_mqtt *m, const char *topic, const char *why)
{
    char text[400];

    snprintf(text, sizeof text, "mqtt %s: %s", topic, why);
    m->host.error(m->host.user, "bad_command", text);
}

/* Parses words as a line of standard input and runs it. */
static void run_words(struct hems_mqtt *m, const char *topic, char **words, int n)
{
    struct hems_cmd cmd;
    char why[160];

    if (n > 0 && strcmp(words[0], "quit") == 0) {
        refuse(m, topic, "quit is not taken over MQTT");
        return;
    }
    if (hems_cmd_parse(&cmd, words, n, true, why, sizeof why) != 0) {
        refuse(m, topic, why);
        return;
    }
    m->host.submit(m->host.user, &cmd);
}

/* The object whose KEY is key. */
static bool unit_by_key(struct hems_mqtt *m, const char *key, struct hems_mqtt_unit *u)
{
    char k[HEMS_MQTT_KEY_MAX];
    size_t i;

    for (i = 0; m->host.unit(m->host.user, i, u); i++) {
        unit_key(u, k, sizeof k);
        if (strcmp(k, key) == 0)
            return true;
    }
    return false;
}

/* A whole number of degrees: "26", "26.0" (Home Assistant sends floats). */
static bool parse_degrees(const char *s, char *out, size_t cap)
{
    const char *dot = strchr(s, '.');
    char whole[8];
    size_t n = dot ? (size_t)(dot - s) : strlen(s);
    long v;

    if (n == 0 || n >= sizeof whole)
        return false;
    memcpy(whole, s, n);
    whole[n] = '\0';
    if (dot && strspn(dot + 1, "0") != strlen(dot + 1))
        return false;
    if (!hems_parse_long(whole, -1000, 1000, &v))
        return false;
    snprintf(out, cap, "%ld", v);
    return true;
}

/* PREFIX/KEY/set, PREFIX/KEY/mode/set, .../temperature/set, .../fan_mode/set,
 * .../power/set, .../brightness/set, .../operation_mode/set. */
static void unit_command(struct hems_mqtt *m, const char *topic, const char *rest, char *payload)
{
    char key[HEMS_MQTT_KEY_MAX], eoj[8], degrees[8], setting[8];
    const char *slash = strchr(rest, '/');
    const char *what = slash ? slash + 1 : "";
    char *words[MAX_WORDS];
    struct hems_mqtt_unit u;
    int n = 3, k;
    long v;
    size_t i;

    if (!slash || (size_t)(slash - rest) >= sizeof key) {
        refuse(m, topic, "no such topic");
        return;
    }
    memcpy(key, rest, (size_t)(slash - rest));
    key[slash - rest] = '\0';
    if (!unit_by_key(m, key, &u)) {
        refuse(m, topic, "no such unit");
        return;
    }
    fmt(eoj, sizeof eoj, "%06lx", (unsigned long)u.eoj);
    words[0] = "set";
    words[1] = u.node;
    words[2] = eoj;
    if (strcmp(what, "set") == 0) {
        k = hems_cmd_split(payload, words + 3, MAX_WORDS - 3);
        if (k < 0) {
            refuse(m, topic, "too many words");
            return;
        }
        n += k;
    } else if (strcmp(what, "mode/set") == 0) {
        if (strcmp(payload, "off") == 0) {
            words[n++] = "off";
        } else {
            for (i = 0; i < sizeof modes / sizeof modes[0] && strcmp(payload, modes[i].ha) != 0; i++)
                ;
            if (i == sizeof modes / sizeof modes[0]) {
                refuse(m, topic, "a mode is off, auto, cool, heat, dry or fan_only");
                return;
            }
            words[n++] = "on";
            words[n++] = "mode";
            words[n++] = (char *)modes[i].setting;
        }
    } else if (strcmp(what, "temperature/set") == 0) {
        if (!parse_degrees(payload, degrees, sizeof degrees)) {
            refuse(m, topic, "a temperature is a whole number of degrees C");
            return;
        }
        words[n++] = "temp";
        words[n++] = degrees;
    } else if (strcmp(what, "fan_mode/set") == 0) {
        words[n++] = "fan";
        words[n++] = strcmp(payload, "auto") == 0 ? "0" : payload;
    } else if (strcmp(what, "power/set") == 0) {
        if (strcmp(payload, "on") != 0 && strcmp(payload, "off") != 0) {
            refuse(m, topic, "on or off");
            return;
        }
        words[n++] = strcmp(payload, "on") == 0 ? "80=30" : "80=31";
    } else if (strcmp(what, "brightness/set") == 0) {
        /* Any byte: the range (0-100 %) is the class table's. */
        if (!hems_parse_long(payload, 0, 255, &v)) {
            refuse(m, topic, "a brightness is a whole number of percent");
            return;
        }
        fmt(setting, sizeof setting, "%02x=%02lx", EPC_BRIGHTNESS, (unsigned long)v);
        words[n++] = setting;
    } else if (strcmp(what, "operation_mode/set") == 0) {
        for (i = 0; i < sizeof battery_modes / sizeof battery_modes[0] && strcmp(payload, battery_modes[i].name) != 0;
             i++)
            ;
        if (i == sizeof battery_modes / sizeof battery_modes[0]) {
            refuse(m, topic, "not an operation mode");
            return;
        }
        fmt(setting, sizeof setting, "%02x=%02x", EPC_BATTERY_MODE, (unsigned)battery_modes[i].code);
        words[n++] = setting;
    } else {
        refuse(m, topic, "no such topic");
        return;
    }
    run_words(m, topic, words, n);
}

static void on_message(struct mosquitto *mosq, void *obj, const struct mosquitto_message *msg)
{
    struct hems_mqtt *m = obj;
    char payload[512], *words[MAX_WORDS];
    size_t plen = strlen(m->prefix);
    int n;

    (void)mosq;
    if (msg->payloadlen < 0 || (size_t)msg->payloadlen >= sizeof payload || msg->retain)
        return; /* (a retained command is an old one) */
    memcpy(payload, msg->payload, (size_t)msg->payloadlen);
    payload[msg->payloadlen] = '\0';
    if (strlen(payload) != (size_t)msg->payloadlen) {
        refuse(m, msg->topic, "a NUL in the payload");
        return;
    }
    if (strncmp(msg->topic, m->discovery, strlen(m->discovery)) == 0 &&
        strcmp(msg->topic + strlen(m->discovery), "/status") == 0) {
        if (strcmp(payload, "online") == 0)
            publish_all(m);
        return;
    }
    if (strncmp(msg->topic, m->prefix, plen) != 0 || msg->topic[plen] != '/')
        return;
    if (strcmp(msg->topic + plen + 1, "command") == 0) {
        n = hems_cmd_split(payload, words, MAX_WORDS);
        if (n < 0)
            refuse(m, msg->topic, "too many words");
        else if (n > 0)
            run_words(m, msg->topic, words, n);
        return;
    }
    unit_command(m, msg->topic, msg->topic + plen + 1, payload);
}

/* ---- Connection ------------------------------------------------------------------ */

static void subscribe(struct hems_mqtt *m)
{
    char topic[TOPIC_CAP];
    int rc;

    fmt(topic, sizeof topic, "%s/command", m->prefix);
    rc = mosquitto_subscribe(m->mosq, NULL, topic, 1);
    fmt(topic, sizeof topic, "%s/+/set", m->prefix);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_subscribe(m->mosq, NULL, topic, 1);
    fmt(topic, sizeof topic, "%s/+/+/set", m->prefix);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_subscribe(m->mosq, NULL, topic, 1);
    fmt(topic, sizeof topic, "%s/status", m->discovery);
    if (rc == MOSQ_ERR_SUCCESS)
        rc = mosquitto_subscribe(m->mosq, NULL, topic, 1);
    if (rc != MOSQ_ERR_SUCCESS)
        fprintf(stderr, "hems-controller: mqtt: subscribing: %s\n", mosquitto_strerror(rc));
}

static void retry_later(struct hems_mqtt *m)
{
    m->next_attempt = posix_now_ms() + m->backoff_ms;
    m->backoff_ms = m->backoff_ms * 2 > HEMS_MQTT_BACKOFF_MAX_MS ? HEMS_MQTT_BACKOFF_MAX_MS : m->backoff_ms * 2;
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
    struct hems_mqtt *m = obj;

    (void)mosq;
    m->connecting = false;
    if (rc != 0) {
        if (rc != m->refused_rc)
            fprintf(stderr, "hems-controller: mqtt: the broker %s refused the connection: %s\n", m->broker,
                    mosquitto_connack_string(rc));
        m->refused_rc = rc;
        return; /* the broker closes; on_disconnect() tries again later */
    }
    if (m->lost_reported)
        fprintf(stderr, "hems-controller: mqtt: connected to %s\n", m->broker);
    m->last_error[0] = '\0';
    m->connected = m->ever_connected = true;
    m->lost_reported = false;
    m->refused_rc = 0;
    m->backoff_ms = HEMS_MQTT_BACKOFF_MIN_MS;
    subscribe(m);
    publish_all(m);
}

/* A connection that failed or ended: reported once until the next success,
 * with the library's last error (OpenSSL's reason for a TLS failure). */
static void connection_failed(struct hems_mqtt *m, int rc)
{
    if (!m->lost_reported && m->refused_rc == 0 && rc != 0) {
        if (m->connected)
            fprintf(stderr, "hems-controller: mqtt: lost the broker %s (%s%s%s); connecting again\n", m->broker,
                    mosquitto_strerror(rc), m->last_error[0] ? ": " : "", m->last_error);
        else
            fprintf(stderr, "hems-controller: mqtt: cannot connect to %s (%s%s%s); trying again\n", m->broker,
                    mosquitto_strerror(rc), m->last_error[0] ? ": " : "", m->last_error);
        m->lost_reported = true;
    }
    m->connected = m->connecting = false;
    retry_later(m);
}

static void on_disconnect(struct mosquitto *mosq, void *obj, int rc)
{
    (void)mosq;
    connection_failed(obj, rc);
}

/* The library's error messages, kept for the report of a failure. */
static void on_log(struct mosquitto *mosq, void *obj, int level, const char *text)
{
    struct hems_mqtt *m = obj;

    (void)mosq;
    if (level == MOSQ_LOG_ERR)
        fmt(m->last_error, sizeof m->last_error, "%s", text);
}

/* A connection attempt (the first, or again). */
static void attempt(struct hems_mqtt *m)
{
    int rc = m->ever_connected || m->next_attempt != 0 ? mosquitto_reconnect_async(m->mosq)
                                                       : mosquitto_connect_async(m->mosq, m->host_name, (int)m->port,
                                                                                 KEEPALIVE_S);

    if (rc == MOSQ_ERR_SUCCESS) {
        m->connecting = true;
        return;
    }
    connection_failed(m, rc); /* (MOSQ_ERR_ERRNO: mosquitto_strerror() gives errno's text) */
}

static int source_fds(void *self, struct pollfd *out, int cap)
{
    struct hems_mqtt *m = self;
    int fd = mosquitto_socket(m->mosq);

    if (fd < 0 || cap < 1)
        return 0;
    out[0].fd = fd;
    out[0].events = (short)(POLLIN | (mosquitto_want_write(m->mosq) ? POLLOUT : 0));
    return 1;
}

static int source_timeout(void *self)
{
    struct hems_mqtt *m = self;
    uint64_t now = posix_now_ms(), at;

    if (mosquitto_socket(m->mosq) >= 0)
        at = m->last_misc + MISC_EVERY_MS;
    else
        at = m->next_attempt;
    return evloop_ms_until(at, now);
}

static void source_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct hems_mqtt *m = self;
    uint64_t now = posix_now_ms();
    short revents = n > 0 ? fds[0].revents : 0;
    int fd = mosquitto_socket(m->mosq);

    if (fd < 0) {
        if (now >= m->next_attempt)
            attempt(m);
        return;
    }
    if (n > 0 && fds[0].fd == fd) {
        if (revents & (POLLIN | POLLERR | POLLHUP))
            (void)mosquitto_loop_read(m->mosq, 1);
        if ((revents & POLLOUT) && mosquitto_socket(m->mosq) >= 0)
            (void)mosquitto_loop_write(m->mosq, 1);
    }
    if (mosquitto_socket(m->mosq) >= 0 && now >= m->last_misc + MISC_EVERY_MS) {
        m->last_misc = now;
        (void)mosquitto_loop_misc(m->mosq);
    }
    if (mosquitto_socket(m->mosq) < 0 && (m->connected || m->connecting))
        connection_failed(m, MOSQ_ERR_CONN_LOST); /* closed without on_disconnect() */
}

struct evloop_source hems_mqtt_source(struct hems_mqtt *m)
{
    struct evloop_source s;

    s.self = m;
    s.fds = source_fds;
    s.timeout_ms = source_timeout;
    s.dispatch = source_dispatch;
    return s;
}

int hems_mqtt_open(struct hems_mqtt *m, const struct hems_mqtt_config *c, const struct hems_mqtt_host *host,
                   char *why, size_t why_len)
{
    char user[256], password[256], topic[TOPIC_CAP];
    int rc;

    memset(m, 0, sizeof *m);
    m->host = *host;
    snprintf(m->prefix, sizeof m->prefix, "%s", c->prefix ? c->prefix : "echonet");
    snprintf(m->discovery, sizeof m->discovery, "%s", c->discovery_prefix ? c->discovery_prefix : "homeassistant");
    m->host_name = c->host;
    m->port = c->port ? c->port : c->ca_file ? 8883u : 1883u;
    fmt(m->broker, sizeof m->broker, strchr(c->host, ':') ? "[%s]:%u" : "%s:%u", c->host, m->port);
    m->backoff_ms = HEMS_MQTT_BACKOFF_MIN_MS;
    mosquitto_lib_init();
    m->mosq = mosquitto_new(NULL, true, m);
    if (!m->mosq) {
        snprintf(why, why_len, "mqtt: %s", strerror(errno));
        return -1;
    }
    if (c->credentials) {
        if (hems_mqtt_read_credentials(c->credentials, user, sizeof user, password, sizeof password, why,
                                       why_len) != 0)
            goto fail;
        rc = mosquitto_username_pw_set(m->mosq, user, password);
        memset(password, 0, sizeof password);
        if (rc != MOSQ_ERR_SUCCESS) {
            snprintf(why, why_len, "--mqtt-credentials %s: %s", c->credentials, mosquitto_strerror(rc));
            goto fail;
        }
    }
    if (c->ca_file) {
        rc = mosquitto_tls_set(m->mosq, c->ca_file, NULL, c->cert_file, c->key_file, NULL);
        if (rc != MOSQ_ERR_SUCCESS) {
            snprintf(why, why_len, "--mqtt-tls-ca %s%s%s: %s", c->ca_file, c->cert_file ? ", --mqtt-tls-cert " : "",
                     c->cert_file ? c->cert_file : "", rc == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(rc));
            goto fail;
        }
    }
    bridge_topic(m, topic, sizeof topic);
    rc = mosquitto_will_set(m->mosq, topic, 7, "offline", QOS_STATE, true);
    if (rc != MOSQ_ERR_SUCCESS) {
        snprintf(why, why_len, "mqtt: last will: %s", mosquitto_strerror(rc));
        goto fail;
    }
    mosquitto_connect_callback_set(m->mosq, on_connect);
    mosquitto_disconnect_callback_set(m->mosq, on_disconnect);
    mosquitto_message_callback_set(m->mosq, on_message);
    mosquitto_log_callback_set(m->mosq, on_log);
    m->last_misc = posix_now_ms();
    attempt(m);
    return 0;
fail:
    mosquitto_destroy(m->mosq);
    m->mosq = NULL;
    mosquitto_lib_cleanup();
    return -1;
}

void hems_mqtt_close(struct hems_mqtt *m)
{
    char topic[TOPIC_CAP];
    int i;

    if (!m->mosq)
        return;
    if (m->connected) {
        bridge_topic(m, topic, sizeof topic);
        publish_text(m, topic, "offline", true);
        /* Sent before the DISCONNECT, so that no last will is needed. */
        for (i = 0; i < 20 && mosquitto_want_write(m->mosq) && mosquitto_socket(m->mosq) >= 0; i++) {
            struct pollfd p = {mosquitto_socket(m->mosq), POLLOUT, 0};

            if (poll(&p, 1, 100) > 0)
                (void)mosquitto_loop_write(m->mosq, 1);
        }
        (void)mosquitto_disconnect(m->mosq);
        (void)mosquitto_loop_write(m->mosq, 1);
    }
    mosquitto_destroy(m->mosq);
    m->mosq = NULL;
    mosquitto_lib_cleanup();
}
