/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * hems_mqtt: a bridge from hems-controller to an MQTT broker (libmosquitto),
 * with Home Assistant MQTT discovery. doc/mqtt.md describes the topics and
 * payloads; in short, with the default prefixes:
 *
 *   echonet/bridge/availability        online | offline (retained; the
 *                                      broker's last will says offline)
 *   echonet/KEY/state                  the unit's state, JSON (retained)
 *   echonet/KEY/availability           online | offline (retained)
 *   echonet/events                     every event of the program, the JSON
 *                                      line of doc/hems-events.schema.json
 *   echonet/command                    a command line, as on standard input
 *   echonet/KEY/set                    SETTING... of `set` (temp 26 mode cool)
 *   echonet/KEY/mode/set               off|auto|cool|heat|dry|fan_only
 *   echonet/KEY/temperature/set        degrees C
 *   echonet/KEY/fan_mode/set           auto|1..8
 *   echonet/KEY/power/set              on|off (lighting, water heater: 0x80)
 *   echonet/KEY/brightness/set         0..100 (lighting: 0xB0)
 *   echonet/KEY/operation_mode/set     a mode name (storage battery: 0xDA)
 *   homeassistant/climate/KEY/config   discovery (retained)
 *   homeassistant/sensor/KEY_NAME/config
 *   homeassistant/light/KEY/config, homeassistant/switch/KEY/config,
 *   homeassistant/select/KEY_operation_mode/config
 *   homeassistant/status               Home Assistant's birth message: on
 *                                      "online" everything is published again
 *
 * KEY names one object for good: the hex of its identification number 0x83
 * and its EOJ (fe0000...01_013001), or its address when it has no 0x83.
 *
 * The bridge is a front-end over the program's own command path and
 * events: a command is parsed by hems_cmd_parse() and handed to the
 * program (hems_mqtt_host::submit), as a line of standard input is; what
 * happens comes back through hems_mqtt_event(), which the program calls
 * with each JSON event line it prints (or would print).
 *
 * libmosquitto runs inside the program's event loop (an evloop_source,
 * evloop.h: its socket, mosquitto_loop_read/write/misc), never in a thread
 * of its own.
 * When the broker goes away the bridge reconnects with a backoff (1 s,
 * doubling up to HEMS_MQTT_BACKOFF_MAX_MS) and publishes the discovery and
 * the retained state again once connected.
 */
#ifndef EXAMPLES_HEMS_MQTT_H
#define EXAMPLES_HEMS_MQTT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <echonet/echonet.h>

#include "evloop.h"
#include "hems_cmd.h"
#include "udp.h"


#define HEMS_MQTT_MAX_UNITS 512u       /* objects the bridge keeps track of */
#define HEMS_MQTT_KEY_MAX 96u          /* a KEY with its NUL */
#define HEMS_MQTT_PREFIX_MAX 64u       /* --mqtt-prefix, --mqtt-discovery-prefix */
#define HEMS_MQTT_BACKOFF_MIN_MS 1000u
#define HEMS_MQTT_BACKOFF_MAX_MS 30000u
#define HEMS_MQTT_VALUE_MAX 8u         /* property values kept per object */
#define HEMS_MQTT_VALUE_BYTES 11u      /* the longest kept (the meter's EA: a date-time and a register) */

/* The options (hems_mqtt_option()). */
struct hems_mqtt_config {
    const char *host;          /* --mqtt HOST[:PORT] ([V6]:PORT); NULL: no bridge */
    unsigned port;             /* 0: 1883, or 8883 with TLS */
    const char *credentials;   /* --mqtt-credentials FILE */
    const char *ca_file;       /* --mqtt-tls-ca FILE */
    const char *cert_file;     /* --mqtt-tls-cert FILE */
    const char *key_file;      /* --mqtt-tls-key FILE */
    const char *prefix;        /* --mqtt-prefix, default "echonet" */
    const char *discovery_prefix; /* --mqtt-discovery-prefix, default "homeassistant" */
    char host_buf[256];        /* the host part of --mqtt */
};

/* The options' lines of --help. */
extern const char hems_mqtt_usage[];

/* Whether name is an MQTT option (they all take a value). */
bool hems_mqtt_option_known(const char *name);

/* Takes one option (name as "--mqtt..."). Returns true, or false with *why
 * saying what is wrong with the value. */
bool hems_mqtt_option(struct hems_mqtt_config *c, const char *name, const char *value, const char **why);

/* Checks the combination (a client certificate needs its key and a CA...).
 * Returns NULL, or what is wrong. */
const char *hems_mqtt_config_check(const struct hems_mqtt_config *c);

/* Reads the user name (first line) and password (second line) of a
 * credentials file, which must be a regular file that neither group nor
 * others may read or write. Returns 0, or -1 with the reason in why. */
int hems_mqtt_read_credentials(const char *path, char *user, size_t user_cap, char *password, size_t password_cap,
                               char *why, size_t why_len);

/* One object the program knows, as it tells the bridge. */
struct hems_mqtt_unit {
    char node[UDP_FORMAT_MAX];  /* its address, as in the events */
    echonet_eoj eoj;
    bool ready;                 /* identification, maps and state known */
    bool has_id;                /* id holds 0x83 */
    uint8_t id[17];
    bool has_maker;             /* maker holds 0x8A */
    uint8_t maker[3];
    echonet_ctl_state state;    /* the controller's cached state */
    echonet_propmap get, set;   /* its property maps */
};

/* What the program offers the bridge; every member is required. */
struct hems_mqtt_host {
    void *user;
    /* The i-th object the program knows (i from 0); false past the last. */
    bool (*unit)(void *user, size_t i, struct hems_mqtt_unit *out);
    /* The object at node (its address, as in the events) and eoj; false
     * when the program knows none (the bridge's lookup on every event). */
    bool (*find)(void *user, const char *node, echonet_eoj eoj, struct hems_mqtt_unit *out);
    /* Runs a parsed command as a line of standard input is run. */
    void (*submit)(void *user, const struct hems_cmd *cmd);
    /* Reports an error as the program reports errors (an error event). */
    void (*error)(void *user, const char *code, const char *message);
};

struct mosquitto;

/* What the bridge keeps of one object. Private. */
struct hems_mqtt_entry {
    bool used;
    char node[UDP_FORMAT_MAX];
    echonet_eoj eoj;
    char key[HEMS_MQTT_KEY_MAX];
    bool online;                       /* as last published */
    bool announced;                    /* discovery published on this connection */
    uint32_t state_hash;               /* of the state last published (0: none) */
    uint8_t n_kept;                    /* values in kept[] */
    struct {
        uint8_t epc;
        uint8_t pdc;
        uint8_t edt[HEMS_MQTT_VALUE_BYTES];
    } kept[HEMS_MQTT_VALUE_MAX];       /* the last values of the properties its entities show */
};

/* The bridge. Fields are private. */
struct hems_mqtt {
    struct mosquitto *mosq;
    struct hems_mqtt_host host;
    char prefix[HEMS_MQTT_PREFIX_MAX];
    char discovery[HEMS_MQTT_PREFIX_MAX];
    char broker[300];                  /* HOST:PORT, for messages */
    const char *host_name;
    unsigned port;
    bool connecting;                   /* a socket is open, CONNACK not seen */
    bool connected;
    bool ever_connected;
    bool lost_reported;
    int refused_rc;                    /* the last CONNACK refusal reported */
    char last_error[160];              /* the library's last error message */
    uint64_t next_attempt;             /* ms (posix_now_ms()) */
    uint32_t backoff_ms;
    uint64_t last_misc;
    struct hems_mqtt_entry entries[HEMS_MQTT_MAX_UNITS];
};

/* Sets up the client (credentials, TLS, last will) and starts connecting.
 * A broker that cannot be reached yet is no error: the bridge keeps trying.
 * Returns 0, or -1 with the reason in why (a bad credentials file, TLS
 * files that cannot be used...). */
int hems_mqtt_open(struct hems_mqtt *m, const struct hems_mqtt_config *c, const struct hems_mqtt_host *host,
                   char *why, size_t why_len);

/* The bridge as a source of the program's event loop. */
struct evloop_source hems_mqtt_source(struct hems_mqtt *m);

/* Takes one event line of the program (JSON, doc/hems-events.schema.json,
 * with or without its newline): published on PREFIX/events, and the state,
 * availability and discovery of the objects it names brought up to date. */
void hems_mqtt_event(struct hems_mqtt *m, const char *json, size_t len);

/* Publishes the bridge's availability "offline", disconnects and frees the
 * client. */
void hems_mqtt_close(struct hems_mqtt *m);

#endif /* EXAMPLES_HEMS_MQTT_H */
