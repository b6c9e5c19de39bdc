/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* The HTTP server of hems-controller on libmicrohttpd; see hems_http.h and
 * doc/http-api.md. */
#define _POSIX_C_SOURCE 200809L

#include "hems_http.h"
#include "mra_names.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "hems_assets.h"
#include "hems_print.h"
#include "posix_util.h"

#define BODY_MAX 4096u          /* request body */
#define TOKEN_MAX 256u          /* bytes of the token */
#define MAX_CONNECTIONS 32u     /* at once, all clients */
#define MAX_PER_CLIENT 16u      /* at once, one address */
#define MAX_STREAMS 8u          /* event streams at once */
#define STREAM_BACKLOG 262144u  /* bytes an event stream may fall behind before it is closed */
#define IDLE_TIMEOUT_S 30u      /* an idle connection is closed */
#define WAIT_MS 60000u          /* longest a request waits for its command's result */
#define PING_MS 15000u          /* a comment line on idle event streams */
#define RATE_SLOTS 64u          /* clients the rate limit remembers */
#define RATE_BURST 60.0         /* requests a client may make at once... */
#define RATE_PER_S 20.0         /* ...and on average per second */
#define MAX_DEVICES 512u

/* ---- Connections and their state ----------------------------------------------- */

struct hems_http;

/* An event stream (GET /api/events): bytes not sent yet. */
struct stream {
    struct hems_http *http;
    struct MHD_Connection *mc;
    char *buf;
    size_t len, sent;
    bool suspended;
    bool closed;
    struct stream *next;
};

/* A request waiting for its command's result event. */
enum wait_state { W_NONE, W_WAITING, W_DONE };

struct conn {
    struct hems_http *http;
    struct MHD_Connection *mc;
    int route;
    char node[UDP_FORMAT_MAX]; /* the request's {node} and {eoj}, as the events name them */
    char eoj[8];
    char body[BODY_MAX + 1];
    size_t body_len;
    bool too_big;
    bool remote;               /* the client counts as remote (--http-remote) */
    /* Waiting for the result of a command. */
    enum wait_state wait;
    bool suspended;
    const char *want;          /* the event that ends it: "status" or "write" */
    echonet_tstamp deadline;
    unsigned status;           /* the answer, once W_DONE */
    char *answer;
    struct conn *next;         /* in http->waiting */
};

struct rate {
    uint8_t addr[16];
    double tokens;
    echonet_tstamp at;
    bool used;
};

struct hems_http {
    struct hems_http_host host;
    struct MHD_Daemon *d;
    int epoll_fd;
    unsigned port;
    char token[TOKEN_MAX + 1];
    size_t token_len;          /* 0: no token (loopback only) */
    bool loopback;             /* bound to a loopback address */
    enum hems_http_remote remote_policy;
    bool controller_remote;
    int32_t utc_offset;
    struct stream *streams;
    unsigned n_streams;
    struct conn *waiting;
    struct conn *submitting;   /* the request whose command is being submitted */
    bool run_soon;             /* a connection was resumed: MHD_run() without waiting */
    echonet_tstamp next_ping;
    struct rate rate[RATE_SLOTS];
};

/* An EOJ as the events write it: 6 lowercase hex digits. */
static void eoj_text(echonet_eoj eoj, char out[8])
{
    snprintf(out, 8, "%06lx", (unsigned long)(eoj & 0xFFFFFFu));
}

/* ---- Routes ------------------------------------------------------------------ */

enum route_id { R_INDEX, R_ASSET, R_INFO, R_DEVICES, R_DEVICE_READ, R_DEVICE_WRITE, R_ENERGY, R_HOUSE, R_EVENTS };

/* Every route the server serves; {x} matches one path segment. doc/openapi.json
 * documents exactly these (hems_http_print_routes(), tests/check-openapi.py). */
static const struct route {
    const char *method;
    const char *path;
    enum route_id id;
    bool api;   /* needs the token (when there is one) and answers JSON */
} routes[] = {
    {"GET", "/", R_INDEX, false},
    {"GET", "/assets/{file}", R_ASSET, false},
    {"GET", "/api/info", R_INFO, true},
    {"GET", "/api/devices", R_DEVICES, true},
    {"GET", "/api/devices/{node}/{eoj}", R_DEVICE_READ, true},
    {"POST", "/api/devices/{node}/{eoj}", R_DEVICE_WRITE, true},
    {"GET", "/api/energy", R_ENERGY, true},
    {"GET", "/api/house", R_HOUSE, true},
    {"GET", "/api/events", R_EVENTS, true},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

/* Whether url matches pattern; the {x} segments go to params (each at most
 * cap bytes), in order. */
static bool path_match(const char *pattern, const char *url, char params[][UDP_FORMAT_MAX], unsigned max)
{
    unsigned n = 0;

    while (*pattern && *url) {
        if (*pattern == '{') {
            const char *end = strchr(url, '/');
            size_t len = end ? (size_t)(end - url) : strlen(url);

            if (len == 0 || len >= UDP_FORMAT_MAX || n == max)
                return false;
            memcpy(params[n], url, len);
            params[n++][len] = '\0';
            url += len;
            pattern = strchr(pattern, '}') + 1;
            continue;
        }
        if (*pattern++ != *url++)
            return false;
    }
    return *pattern == '\0' && *url == '\0';
}

int hems_http_print_routes(FILE *out)
{
    size_t i;

    for (i = 0; i < N_ROUTES; i++)
        fprintf(out, "%s %s\n", routes[i].method, routes[i].path);
    return 0;
}

bool hems_http_available(void)
{
    return true;
}

/* ---- Answers ------------------------------------------------------------------ */

static void security_headers(struct MHD_Response *r, bool api)
{
    (void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    (void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
    (void)MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    (void)MHD_add_response_header(r, "Cache-Control", "no-store");
    if (!api)
        (void)MHD_add_response_header(r, "Content-Security-Policy",
                                      "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                      "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
                                      "base-uri 'none'; form-action 'none'");
}

static enum MHD_Result answer(struct MHD_Connection *mc, unsigned status, const char *type, const void *body,
                              size_t len, bool api)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (!r)
        return MHD_NO;
    (void)MHD_add_response_header(r, "Content-Type", type);
    security_headers(r, api);
    if (status == MHD_HTTP_UNAUTHORIZED)
        (void)MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"hems-controller\"");
    ret = MHD_queue_response(mc, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Answers a JSON value (taking its reference). */
static enum MHD_Result answer_json(struct MHD_Connection *mc, unsigned status, json_t *v)
{
    char *text = v ? json_dumps(v, JSON_COMPACT) : NULL;
    enum MHD_Result ret;

    json_decref(v);
    if (!text)
        return answer(mc, 500, "application/json", "{\"error\":\"out of memory\",\"code\":\"internal\"}", 46, true);
    ret = answer(mc, status, "application/json", text, strlen(text), true);
    free(text);
    return ret;
}

/* {"error": message, "code": code}: every refusal of the API. */
static json_t *error_body(const char *message, const char *code)
{
    return json_pack("{s:s, s:s}", "error", message, "code", code);
}

static enum MHD_Result answer_error(struct MHD_Connection *mc, unsigned status, const char *code, const char *message)
{
    return answer_json(mc, status, error_body(message, code));
}

/* ---- Clients: address, rate, token ---------------------------------------------- */

/* The client's address as 16 bytes (IPv4 mapped into IPv6). */
static bool client_addr(struct MHD_Connection *mc, uint8_t out[16])
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    memset(out, 0, 16);
    if (!sa)
        return false;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        out[10] = out[11] = 0xFF;
        memcpy(out + 12, &in->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        return true;
    }
    return false;
}

/* Whether an address (16 bytes, IPv4 mapped) is in the home network:
 * loopback, IPv4 private (RFC 1918) and link-local, IPv6 unique local
 * (fc00::/7) and link-local (fe80::/10). */
static bool addr_is_local(const uint8_t a[16])
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
    static const uint8_t loop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    if (memcmp(a, mapped, 12) == 0) {
        const uint8_t *v4 = a + 12;

        return v4[0] == 127 || v4[0] == 10 || (v4[0] == 172 && (v4[1] & 0xF0) == 16) ||
               (v4[0] == 192 && v4[1] == 168) || (v4[0] == 169 && v4[1] == 254);
    }
    return memcmp(a, loop6, 16) == 0 || (a[0] & 0xFE) == 0xFC || (a[0] == 0xFE && (a[1] & 0xC0) == 0x80);
}

/* A token bucket per client address; the least recently seen is replaced. */
static bool rate_ok(struct hems_http *http, const uint8_t addr[16], echonet_tstamp now)
{
    struct rate *slot = NULL, *oldest = &http->rate[0];
    unsigned i;

    for (i = 0; i < RATE_SLOTS && !slot; i++) {
        if (http->rate[i].used && memcmp(http->rate[i].addr, addr, 16) == 0)
            slot = &http->rate[i];
        else if (!http->rate[i].used || http->rate[i].at < oldest->at)
            oldest = &http->rate[i];
    }
    if (!slot) {
        slot = oldest;
        memcpy(slot->addr, addr, 16);
        slot->used = true;
        slot->tokens = RATE_BURST;
        slot->at = now;
    }
    slot->tokens += (double)(now - slot->at) * RATE_PER_S / 1000.0;
    if (slot->tokens > RATE_BURST)
        slot->tokens = RATE_BURST;
    slot->at = now;
    if (slot->tokens < 1.0)
        return false;
    slot->tokens -= 1.0;
    return true;
}

/* Compares in a time that depends on the token's length only. */
static bool token_equal(const struct hems_http *http, const char *given)
{
    size_t n = strlen(given), i;
    unsigned diff = n != http->token_len;

    for (i = 0; i < http->token_len; i++)
        diff |= (unsigned)(unsigned char)http->token[i] ^ (unsigned)(unsigned char)(i < n ? given[i] : 0);
    return diff == 0;
}

static bool authorized(const struct hems_http *http, struct MHD_Connection *mc)
{
    const char *h = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Authorization");

    if (http->token_len == 0)
        return true;
    if (!h || strncmp(h, "Bearer ", 7) != 0)
        return false;
    return token_equal(http, h + 7);
}

/* Without a token, the server is for this machine alone: a Host header
 * that names anything but a loopback address or localhost is refused (a
 * DNS-rebinding page from elsewhere gets nothing). */
static bool host_ok(const struct hems_http *http, const char *host)
{
    char name[UDP_FORMAT_MAX];
    const char *end;
    size_t len;

    if (http->token_len > 0)
        return true;
    if (!host)
        return false;
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end)
            return false;
        len = (size_t)(end - host - 1);
        host++;
    } else {
        end = strchr(host, ':');
        len = end ? (size_t)(end - host) : strlen(host);
    }
    if (len == 0 || len >= sizeof name)
        return false;
    memcpy(name, host, len);
    name[len] = '\0';
    return strcmp(name, "localhost") == 0 || strncmp(name, "127.", 4) == 0 || strcmp(name, "::1") == 0;
}

/* A write is refused when its Origin is another site's: a page elsewhere
 * cannot make the browser write here (with the JSON content type, which a
 * form cannot send either). */
static bool origin_ok(struct MHD_Connection *mc)
{
    const char *origin = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Origin");
    const char *host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Host");

    if (!origin)
        return true; /* not a browser's cross-site request (browsers send Origin with POST) */
    if (!host || strncmp(origin, "http://", 7) != 0)
        return false;
    return strcmp(origin + 7, host) == 0;
}

static bool json_content(struct MHD_Connection *mc)
{
    const char *t = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Type");
    size_t n = strlen("application/json");

    return t && strncasecmp(t, "application/json", n) == 0 && (t[n] == '\0' || t[n] == ';');
}

/* ---- Waiting for results ---------------------------------------------------------- */

static void resume(struct hems_http *http, struct conn *c)
{
    if (c->suspended) {
        c->suspended = false;
        MHD_resume_connection(c->mc);
        http->run_soon = true;
    }
}

static void unlink_waiting(struct hems_http *http, struct conn *c)
{
    struct conn **p;

    for (p = &http->waiting; *p; p = &(*p)->next)
        if (*p == c) {
            *p = c->next;
            break;
        }
    c->next = NULL;
}

/* Ends a wait with an answer (taking the JSON value's reference). */
static void finish(struct hems_http *http, struct conn *c, unsigned status, json_t *v)
{
    if (c->wait != W_WAITING) {
        json_decref(v);
        return;
    }
    c->answer = v ? json_dumps(v, JSON_COMPACT) : NULL;
    json_decref(v);
    c->status = c->answer ? status : 500;
    c->wait = W_DONE;
    unlink_waiting(http, c);
    resume(http, c);
}

/* The HTTP status of an error event's code (hems_print.h): the program's
 * own codes, and the library's errors by name or, in a build without error
 * strings, as "echonet_err_N" (error -N). */
static unsigned error_status(const char *code)
{
    static const struct {
        const char *name;
        echonet_err err;
        unsigned status;
    } codes[] = {
        {"bad_command", ECHONET_OK, 400},
        {"ECHONET_ERR_INVALID_ARG", ECHONET_ERR_INVALID_ARG, 400},
        {"ECHONET_ERR_VALUE", ECHONET_ERR_VALUE, 400},
        {"ECHONET_ERR_VALUE_SIZE", ECHONET_ERR_VALUE_SIZE, 400},
        {"ECHONET_ERR_ACCESS", ECHONET_ERR_ACCESS, 400},
        {"not_found", ECHONET_OK, 404},
        {"ECHONET_ERR_NOT_FOUND", ECHONET_ERR_NOT_FOUND, 404},
        {"busy", ECHONET_OK, 503},
        {"full", ECHONET_OK, 503},
        {"ECHONET_ERR_FULL", ECHONET_ERR_FULL, 503},
    };
    char numbered[24];
    size_t i;

    for (i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (strcmp(code, codes[i].name) == 0)
            return codes[i].status;
        if (codes[i].err == ECHONET_OK)
            continue;
        snprintf(numbered, sizeof numbered, "echonet_err_%d", -(int)codes[i].err);
        if (strcmp(code, numbered) == 0)
            return codes[i].status;
    }
    return 500;
}

/* The HTTP status of an operation's outcome. */
static unsigned outcome_status(const char *outcome)
{
    if (strcmp(outcome, "done") == 0 || strcmp(outcome, "substituted") == 0)
        return 200;
    if (strcmp(outcome, "refused_local") == 0)
        return 409;
    if (strcmp(outcome, "timed_out") == 0)
        return 504;
    return 502; /* refused by the unit, node or instance gone */
}

/* Whether ev ends c's wait, and how. */
static void match_event(struct hems_http *http, struct conn *c, json_t *ev, bool during_submit)
{
    const char *event = json_string_value(json_object_get(ev, "event"));
    const char *node = json_string_value(json_object_get(ev, "node"));
    const char *eoj = json_string_value(json_object_get(ev, "eoj"));
    bool mine = node && eoj && strcmp(node, c->node) == 0 && strcmp(eoj, c->eoj) == 0;

    if (!event)
        return;
    if (strcmp(event, "error") == 0 && (mine || (during_submit && !node))) {
        const char *code = json_string_value(json_object_get(ev, "code"));
        const char *message = json_string_value(json_object_get(ev, "message"));

        finish(http, c, error_status(code ? code : ""), error_body(message ? message : "error", code ? code : "error"));
    } else if (strcmp(event, "timeout") == 0 && mine) {
        finish(http, c, 504, json_pack("{s:s, s:s, s:O}", "error", "the unit did not become ready in time", "code",
                                       "timeout", "event", ev));
    } else if (strcmp(event, c->want) == 0 && mine) {
        const char *outcome = json_string_value(json_object_get(ev, "outcome"));
        unsigned status = outcome_status(outcome ? outcome : "");

        if (status == 200)
            finish(http, c, 200, json_incref(ev));
        else
            finish(http, c, status, json_pack("{s:s, s:s, s:O}", "error", "the operation did not succeed", "code",
                                              outcome ? outcome : "failed", "event", ev));
    }
}

/* ---- Event streams ------------------------------------------------------------------ */

static void stream_append(struct stream *s, const char *text, size_t len)
{
    char *grown;

    if (s->closed)
        return;
    if (s->len - s->sent + len > STREAM_BACKLOG) {
        s->closed = true; /* too far behind: the client reconnects and reads the list again */
        return;
    }
    if (s->sent > 0) {
        memmove(s->buf, s->buf + s->sent, s->len - s->sent);
        s->len -= s->sent;
        s->sent = 0;
    }
    grown = realloc(s->buf, s->len + len);
    if (!grown) {
        s->closed = true;
        return;
    }
    s->buf = grown;
    memcpy(s->buf + s->len, text, len);
    s->len += len;
}

static void stream_wake(struct hems_http *http, struct stream *s)
{
    if (s->suspended) {
        s->suspended = false;
        MHD_resume_connection(s->mc);
        http->run_soon = true;
    }
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    size_t n = s->len - s->sent;

    (void)pos;
    if (n == 0) {
        if (s->closed)
            return MHD_CONTENT_READER_END_OF_STREAM;
        /* Nothing to send: the connection sleeps until an event comes. */
        s->suspended = true;
        MHD_suspend_connection(s->mc);
        return 0;
    }
    if (n > max)
        n = max;
    memcpy(buf, s->buf + s->sent, n);
    s->sent += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls, **p;

    for (p = &s->http->streams; *p; p = &(*p)->next)
        if (*p == s) {
            *p = s->next;
            break;
        }
    s->http->n_streams--;
    free(s->buf);
    free(s);
}

void hems_http_event(struct hems_http *http, const char *json, size_t len)
{
    struct stream *s;
    struct conn *c, *next;
    json_t *ev = json_loadb(json, len, 0, NULL);

    for (s = http->streams; s; s = s->next) {
        stream_append(s, "data: ", 6);
        stream_append(s, json, len);
        stream_append(s, "\n\n", 2);
        stream_wake(http, s);
    }
    if (!ev)
        return;
    if (http->submitting && http->submitting->wait == W_WAITING) {
        match_event(http, http->submitting, ev, true);
        /* What comes while a command is taken is its refusal, or no one's. */
        if (http->submitting->wait == W_DONE ||
            strcmp(json_string_value(json_object_get(ev, "event")) ? json_string_value(json_object_get(ev, "event")) : "",
                   "error") == 0) {
            json_decref(ev);
            return;
        }
    }
    /* One request per event: the oldest that waits for it. */
    for (c = http->waiting; c; c = next) {
        next = c->next;
        if (c == http->submitting)
            continue;
        match_event(http, c, ev, false);
        if (c->wait == W_DONE)
            break;
    }
    json_decref(ev);
}

static enum MHD_Result serve_events(struct hems_http *http, struct conn *c)
{
    struct stream *s;
    struct MHD_Response *r;
    enum MHD_Result ret;

    if (http->n_streams >= MAX_STREAMS)
        return answer_error(c->mc, 503, "busy", "too many event streams");
    s = calloc(1, sizeof *s);
    if (!s)
        return answer_error(c->mc, 500, "internal", "out of memory");
    s->http = http;
    s->mc = c->mc;
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    if (!r) {
        free(s);
        return MHD_NO;
    }
    s->next = http->streams;
    http->streams = s;
    http->n_streams++;
    stream_append(s, ": hems-controller events\n\n", strlen(": hems-controller events\n\n"));
    (void)MHD_add_response_header(r, "Content-Type", "text/event-stream");
    security_headers(r, true);
    ret = MHD_queue_response(c->mc, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- The API ---------------------------------------------------------------------- */

/* A device as the list shows it: the "ready" event's fields (hems_print.h)
 * without "event", plus ready, online and power_w. */
static json_t *device_json(const struct hems_http_device *d)
{
    json_t *o = NULL;
    char *text = NULL, eoj[8];
    size_t len = 0;
    FILE *f;

    eoj_text(d->eoj, eoj);
    if (d->has_info && (f = open_memstream(&text, &len)) != NULL) {
        struct hems_printer p;

        memset(&p, 0, sizeof p);
        p.out = f;
        p.json = true;

        hems_print_ready(&p, d->node, d->eoj, d->id, d->has_maker ? d->maker : NULL, &d->state);
        if (fclose(f) == 0)
            o = json_loadb(text, len, 0, NULL);
        free(text);
    }
    if (!o)
        o = json_pack("{s:s, s:s, s:n, s:n, s:n}", "node", d->node, "eoj", eoj, "id", "maker", "state");
    (void)json_object_del(o, "event");
    (void)json_object_set_new(o, "ready", json_boolean(d->ready));
    (void)json_object_set_new(o, "online", json_boolean(d->online));
    (void)json_object_set_new(o, "power_w", d->power_w >= 0 ? json_integer(d->power_w) : json_null());
    /* The Appendix's name of its class, for the dashboard (issue 14). */
    (void)json_object_set_new(o, "class", mra_class_name(ECHONET_EOJ_CLASS(d->eoj))
                                              ? json_string(mra_class_name(ECHONET_EOJ_CLASS(d->eoj)))
                                              : json_null());
    return o;
}

/* Fills out with the devices; returns how many, or -1. */
static long list_devices(struct hems_http *http, struct hems_http_device **out)
{
    size_t n;

    *out = calloc(MAX_DEVICES, sizeof **out);
    if (!*out)
        return -1;
    n = http->host.devices(http->host.user, *out, MAX_DEVICES);
    return (long)(n > MAX_DEVICES ? MAX_DEVICES : n);
}

static enum MHD_Result serve_devices(struct hems_http *http, struct conn *c)
{
    struct hems_http_device *devs;
    long n = list_devices(http, &devs), i;
    json_t *list = json_array();

    for (i = 0; i < n; i++)
        (void)json_array_append_new(list, device_json(&devs[i]));
    free(devs);
    return answer_json(c->mc, 200, json_pack("{s:o}", "devices", list));
}

static enum MHD_Result serve_info(struct hems_http *http, struct conn *c)
{
    static const char *const policy[] = {"non-local", "always", "never"};

    return answer_json(c->mc, 200,
                       json_pack("{s:s, s:s, s:b, s:s, s:b, s:b, s:i}", "program", "hems-controller", "version",
                                 ECHONET_VERSION_STRING, "remote", http->controller_remote, "http_remote",
                                 policy[http->remote_policy], "client_remote", c->remote, "energy",
                                 http->host.energy(http->host.user) != NULL, "utc_offset", (int)http->utc_offset));
}

/* Whether the device {node}/{eoj} of the request is known; parses them
 * into cmd's words on the way (the command line's checks). */
static enum MHD_Result known_device(struct hems_http *http, struct conn *c, bool *known)
{
    struct hems_http_device *devs;
    long n = list_devices(http, &devs), i;

    *known = false;
    for (i = 0; i < n && !*known; i++) {
        char eoj[8];

        eoj_text(devs[i].eoj, eoj);
        *known = strcmp(devs[i].node, c->node) == 0 && strcmp(eoj, c->eoj) == 0;
    }
    free(devs);
    return n < 0 ? MHD_NO : MHD_YES;
}

/* Submits words as a command and waits for its result (c->want). */
static enum MHD_Result submit(struct hems_http *http, struct conn *c, char **words, int n)
{
    struct hems_cmd cmd;
    struct conn **tail;
    char why[200];
    bool known;

    if (hems_cmd_parse(&cmd, words, n, true, why, sizeof why) != 0)
        return answer_error(c->mc, 400, "bad_command", why);
    /* A write from outside the home network is remote operation (AIF 4.1):
     * 0x93 = 0x42 first, whether the controller runs with --remote or not. */
    cmd.remote = c->remote;
    /* The names the events will use: the address as the program writes it. */
    udp_format_addr(&cmd.node[0], c->node, sizeof c->node);
    eoj_text(cmd.eoj, c->eoj);
    if (known_device(http, c, &known) != MHD_YES)
        return answer_error(c->mc, 500, "internal", "out of memory");
    if (!known)
        return answer_error(c->mc, 404, "unknown_device", "no such device: not found by the controller");
    c->wait = W_WAITING;
    c->deadline = posix_now_ms() + WAIT_MS;
    /* In the order of submission: the controller runs one operation per
     * node at a time, so results come in that order (hems_http_event()). */
    for (tail = &http->waiting; *tail; tail = &(*tail)->next)
        ;
    c->next = NULL;
    *tail = c;
    http->submitting = c;
    if (http->host.submit(http->host.user, &cmd, why, sizeof why) != 0)
        finish(http, c, 400, error_body(why, "bad_command"));
    http->submitting = NULL;
    if (c->wait == W_DONE)
        return answer(c->mc, c->status, "application/json", c->answer, strlen(c->answer), true);
    c->suspended = true;
    MHD_suspend_connection(c->mc);
    return MHD_YES;
}

static enum MHD_Result serve_read(struct hems_http *http, struct conn *c, char params[][UDP_FORMAT_MAX])
{
    char *words[] = {"status", params[0], params[1]};

    c->want = "status";
    return submit(http, c, words, 3);
}

/* The settings of a write, from the JSON body into the words of `set`:
 * {"power":"on"|"off","mode":M,"temp":C,"fan":0-8|"auto","props":{"b3":"1a"}}. */
static const char *write_words(json_t *body, char store[][24], char **words, int *n, int max)
{
    const char *key;
    json_t *v;

    if (!json_is_object(body))
        return "the body must be a JSON object";
    if (json_object_size(body) == 0)
        return "nothing to write";
    json_object_foreach(body, key, v) {
        if (*n + 2 > max)
            return "too many settings";
        if (strcmp(key, "power") == 0) {
            if (!json_is_string(v) || (strcmp(json_string_value(v), "on") != 0 && strcmp(json_string_value(v), "off") != 0))
                return "power: \"on\" or \"off\"";
            words[(*n)++] = (char *)json_string_value(v);
        } else if (strcmp(key, "mode") == 0) {
            if (!json_is_string(v))
                return "mode: a string (auto, cool, heat, dry, fan)";
            words[(*n)++] = "mode";
            words[(*n)++] = (char *)json_string_value(v);
        } else if (strcmp(key, "temp") == 0 || strcmp(key, "fan") == 0) {
            bool fan = key[0] == 'f';

            char *value = store[*n + 1];

            if (fan && json_is_string(v) && strcmp(json_string_value(v), "auto") == 0)
                snprintf(value, 24, "0");
            else if (json_is_integer(v) && json_integer_value(v) >= -1000 && json_integer_value(v) <= 1000)
                snprintf(value, 24, "%lld", (long long)json_integer_value(v));
            else
                return fan ? "fan: an integer 0-8 or \"auto\"" : "temp: an integer (degrees C)";
            words[(*n)++] = fan ? "fan" : "temp";
            words[(*n)++] = value;
        } else if (strcmp(key, "props") == 0) {
            const char *epc;
            json_t *hex;

            if (!json_is_object(v))
                return "props: an object of \"EPC\": \"HEX\"";
            json_object_foreach(v, epc, hex) {
                if (*n + 1 > max)
                    return "too many settings";
                if (!json_is_string(hex) || strlen(epc) != 2 || strlen(json_string_value(hex)) > 2 * 16)
                    return "props: an object of \"EPC\": \"HEX\" (two hex digits: at most 16 bytes of hex)";
                snprintf(store[*n], 24, "%s=", epc);
                words[*n] = malloc(strlen(store[*n]) + strlen(json_string_value(hex)) + 1);
                if (!words[*n])
                    return "out of memory";
                strcpy(words[*n], store[*n]);
                strcat(words[*n], json_string_value(hex));
                store[*n][0] = '\1'; /* words[*n] is to be freed */
                (*n)++;
            }
        } else {
            return "unknown field (power, mode, temp, fan, props)";
        }
    }
    return NULL;
}

static enum MHD_Result serve_write(struct hems_http *http, struct conn *c, char params[][UDP_FORMAT_MAX])
{
    enum { MAX_W = 40 };
    char store[MAX_W][24], *words[MAX_W];
    const char *why;
    json_error_t jerr;
    json_t *body;
    int n = 3, i;
    enum MHD_Result ret;

    body = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body) {
        char text[200];

        snprintf(text, sizeof text, "bad JSON: %s", jerr.text);
        return answer_error(c->mc, 400, "bad_json", text);
    }
    memset(store, 0, sizeof store);
    words[0] = "set";
    words[1] = params[0];
    words[2] = params[1];
    why = write_words(body, store, words, &n, MAX_W);
    c->want = "write";
    ret = why ? answer_error(c->mc, 400, "bad_request", why) : submit(http, c, words, n);
    for (i = 3; i < n; i++)
        if (store[i][0] == '\1')
            free(words[i]);
    json_decref(body);
    return ret;
}

static const char *const flag_names[] = {"estimated", "gap", "restart", "wrap", "clock", "from_power"};

static json_t *period_json(int64_t start, bool present, uint64_t mwh, unsigned flags)
{
    json_t *o = json_pack("{s:I}", "start", (json_int_t)start), *f = json_array();
    unsigned k;

    (void)json_object_set_new(o, "wh", present ? json_real((double)mwh / 1000.0) : json_null());
    for (k = 0; k < sizeof flag_names / sizeof flag_names[0]; k++)
        if (flags & (1u << k))
            (void)json_array_append_new(f, json_string(flag_names[k]));
    (void)json_object_set_new(o, "flags", f);
    return o;
}

/* One log's periods [from, from + periods * len) as JSON; each present
 * one added to sum/any when they are given. */
static json_t *periods_json(const echonet_energy_log *log, echonet_energy_res res, int64_t from, int64_t len,
                            unsigned periods, uint64_t *sum, bool *any)
{
    json_t *series = json_array();
    unsigned k;

    for (k = 0; k < periods; k++) {
        echonet_energy_iter it;
        echonet_energy_period p;
        int64_t t = from + (int64_t)k * len;

        memset(&p, 0, sizeof p);
        if (echonet_energy_iter_init(&it, log, res, t, t + 1) == ECHONET_OK)
            (void)echonet_energy_iter_next(&it, &p);
        (void)json_array_append_new(series, period_json(t, p.present, p.mwh, p.flags));
        if (p.present && sum) {
            sum[k] += p.mwh;
            any[k] = true;
        }
    }
    return series;
}

/* GET /api/house: the whole house, the program's `house` event. */
static enum MHD_Result serve_house(struct hems_http *http, struct conn *c)
{
    char buf[HEMS_HTTP_HOUSE_CAP];
    size_t len = http->host.house(http->host.user, buf, sizeof buf);

    if (len == 0)
        return answer_error(c->mc, 500, "internal", "the house does not fit");
    return answer(c->mc, 200, "application/json", buf, len, true);
}

/* GET /api/energy[?res=half-hour|hour|day][&days=N]: today's half-hours or
 * hours, or the last N local days; per device, for the house's other series
 * (whole house, generation, sale, battery), and the devices' sum. */
static enum MHD_Result serve_energy(struct hems_http *http, struct conn *c)
{
    static const char *const sources[] = {"none", "unmeasured", "counter", "power", "amounts"};
    const struct hems_energy *e = http->host.energy(http->host.user);
    const char *res_q = MHD_lookup_connection_value(c->mc, MHD_GET_ARGUMENT_KIND, "res");
    const char *days_q = MHD_lookup_connection_value(c->mc, MHD_GET_ARGUMENT_KIND, "days");
    echonet_energy_res res = ECHONET_ENERGY_HOURLY;
    long days = 7;
    int64_t now = (int64_t)time(NULL), off = http->utc_offset, today, from, to, len;
    unsigned periods, d, k;
    uint64_t sum[400];
    bool any[400];
    json_t *devices, *others, *total;

    if (res_q && strcmp(res_q, "day") == 0)
        res = ECHONET_ENERGY_DAILY;
    else if (res_q && strcmp(res_q, "half-hour") == 0)
        res = ECHONET_ENERGY_HALF_HOURLY;
    else if (res_q && strcmp(res_q, "hour") != 0)
        return answer_error(c->mc, 400, "bad_request", "res: half-hour, hour or day");
    if (days_q && (res != ECHONET_ENERGY_DAILY || !hems_parse_long(days_q, 1, 400, &days)))
        return answer_error(c->mc, 400, "bad_request", "days: 1 to 400, with res=day");
    /* Today in local time, and the periods that end with it. */
    today = (now + off) / 86400 * 86400 - off;
    len = res == ECHONET_ENERGY_DAILY ? 86400 : res == ECHONET_ENERGY_HOURLY ? 3600 : 1800;
    periods = res == ECHONET_ENERGY_DAILY ? (unsigned)days : (unsigned)(86400 / len);
    to = today + 86400;
    from = to - (int64_t)periods * len;
    devices = json_array();
    others = json_array();
    total = json_array();
    memset(sum, 0, sizeof sum);
    memset(any, 0, sizeof any);
    for (d = 0; e && d < e->n; d++) {
        const struct hems_energy_dev *dev = &e->dev[d];
        const char *slash = strrchr(dev->key, '/');
        echonet_energy_stats st;
        json_t *o;
        char node[HEMS_ENERGY_KEY];
        bool device;

        memset(&st, 0, sizeof st);
        (void)echonet_energy_stats_get(&dev->log, &st);
        device = st.kind == ECHONET_ENERGY_KIND_DEVICE;
        snprintf(node, sizeof node, "%.*s", slash ? (int)(slash - dev->key) : 0, dev->key);
        o = json_pack("{s:s, s:s, s:o}", "series", hems_energy_kind_name(st.kind), "source",
                      (unsigned)st.source < sizeof sources / sizeof sources[0] ? sources[st.source] : "none",
                      "periods",
                      periods_json(&dev->log, res, from, len, periods, device ? sum : NULL, device ? any : NULL));
        (void)json_object_set_new(o, "total_wh", json_real((double)st.total_mwh / 1000.0));
        if (device) {
            (void)json_object_set_new(o, "node", json_string(node));
            (void)json_object_set_new(o, "eoj", json_string(slash ? slash + 1 : ""));
            (void)json_array_append_new(devices, o);
        } else {
            (void)json_object_set_new(o, "key", json_string(dev->key));
            (void)json_array_append_new(others, o);
        }
    }
    for (k = 0; k < periods; k++)
        (void)json_array_append_new(total, period_json(from + (int64_t)k * len, any[k], sum[k], 0));
    return answer_json(c->mc, 200,
                       json_pack("{s:b, s:s, s:i, s:I, s:I, s:o, s:o, s:o}", "enabled", e != NULL, "res",
                                 res == ECHONET_ENERGY_DAILY    ? "day"
                                 : res == ECHONET_ENERGY_HOURLY ? "hour"
                                                                : "half-hour",
                                 "utc_offset", (int)off, "from", (json_int_t)from, "to", (json_int_t)to, "devices",
                                 devices, "series", others, "total", total));
}

static enum MHD_Result serve_asset(struct conn *c, const char *name)
{
    size_t i;

    for (i = 0; i < hems_n_assets; i++)
        if (strcmp(hems_assets[i].name, name) == 0)
            return answer(c->mc, 200, hems_assets[i].type, hems_assets[i].data, hems_assets[i].len, false);
    return answer_error(c->mc, 404, "not_found", "no such file");
}

/* ---- Requests ---------------------------------------------------------------------- */

/* The checks made once the headers are in; returns MHD_YES with
 * c->route set, or the refusal's result with c->route -1. */
static enum MHD_Result check_request(struct hems_http *http, struct conn *c, const char *url, const char *method)
{
    char params[2][UDP_FORMAT_MAX];
    const char *length = MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Content-Length");
    bool path_known = false;
    uint8_t addr[16];
    size_t i;

    c->route = -1;
    if (!client_addr(c->mc, addr))
        return answer_error(c->mc, 400, "bad_request", "unknown client address");
    c->remote = http->remote_policy == HEMS_HTTP_REMOTE_ALWAYS ||
                (http->remote_policy == HEMS_HTTP_REMOTE_NON_LOCAL && !addr_is_local(addr));
    if (!rate_ok(http, addr, posix_now_ms()))
        return answer_error(c->mc, 429, "rate_limited", "too many requests: slow down");
    if (!host_ok(http, MHD_lookup_connection_value(c->mc, MHD_HEADER_KIND, "Host")))
        return answer_error(c->mc, 403, "bad_host", "Host must name this machine (localhost)");
    for (i = 0; i < N_ROUTES; i++) {
        if (!path_match(routes[i].path, url, params, 2))
            continue;
        path_known = true;
        if (strcmp(routes[i].method, method) == 0)
            break;
    }
    if (i == N_ROUTES)
        return path_known ? answer_error(c->mc, 405, "method_not_allowed", "method not allowed here")
                          : answer_error(c->mc, 404, "not_found", "no such route");
    if (routes[i].api && !authorized(http, c->mc))
        return answer_error(c->mc, 401, "unauthorized", "Authorization: Bearer TOKEN required");
    if (strcmp(method, "POST") == 0) {
        if (!origin_ok(c->mc))
            return answer_error(c->mc, 403, "cross_site", "the Origin is not this server");
        if (!json_content(c->mc))
            return answer_error(c->mc, 415, "unsupported_media_type", "Content-Type must be application/json");
        if (length && (strlen(length) > 9 || strtoul(length, NULL, 10) > BODY_MAX))
            return answer_error(c->mc, 413, "too_large", "request body over 4096 bytes");
    } else if (length && strcmp(length, "0") != 0) {
        return answer_error(c->mc, 400, "bad_request", "no body expected");
    }
    c->route = (int)i;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct hems_http *http = cls;
    struct conn *c = *con_cls;
    char params[2][UDP_FORMAT_MAX];

    (void)version;
    if (!c) {
        enum MHD_Result ret;

        c = calloc(1, sizeof *c);
        if (!c)
            return MHD_NO;
        c->http = http;
        c->mc = mc;
        *con_cls = c;
        ret = check_request(http, c, url, method);
        return ret;
    }
    if (c->route < 0)
        return MHD_YES; /* refused: the body (if any) is not read */
    if (*upload_data_size > 0) {
        if (c->body_len + *upload_data_size > BODY_MAX)
            c->too_big = true;
        else
            memcpy(c->body + c->body_len, upload_data, *upload_data_size);
        if (!c->too_big)
            c->body_len += *upload_data_size;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (c->wait == W_DONE) {
        c->wait = W_NONE;
        return answer(mc, c->status, "application/json", c->answer, strlen(c->answer), true);
    }
    if (c->wait == W_WAITING)
        return MHD_YES; /* (resumed spuriously) */
    if (c->too_big)
        return answer_error(mc, 413, "too_large", "request body over 4096 bytes");
    (void)path_match(routes[c->route].path, url, params, 2);
    switch (routes[c->route].id) {
    case R_INDEX:
        return serve_asset(c, "index.html");
    case R_ASSET:
        return serve_asset(c, params[0]);
    case R_INFO:
        return serve_info(http, c);
    case R_DEVICES:
        return serve_devices(http, c);
    case R_DEVICE_READ:
        return serve_read(http, c, params);
    case R_DEVICE_WRITE:
        return serve_write(http, c, params);
    case R_ENERGY:
        return serve_energy(http, c);
    case R_HOUSE:
        return serve_house(http, c);
    case R_EVENTS:
        return serve_events(http, c);
    }
    return MHD_NO;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    struct hems_http *http = cls;
    struct conn *c = *con_cls;

    (void)mc;
    (void)toe;
    if (!c)
        return;
    if (c->wait == W_WAITING)
        unlink_waiting(http, c);
    if (http->submitting == c)
        http->submitting = NULL;
    free(c->answer);
    free(c);
    *con_cls = NULL;
}

/* ---- The event-loop source ---------------------------------------------------------- */

static int src_fds(void *self, struct pollfd *out, int cap)
{
    struct hems_http *http = self;

    if (cap < 1)
        return 0;
    out[0].fd = http->epoll_fd;
    out[0].events = POLLIN;
    return 1;
}

static int src_timeout(void *self)
{
    struct hems_http *http = self;
    MHD_UNSIGNED_LONG_LONG t;
    echonet_tstamp now = posix_now_ms(), next = http->next_ping;
    const struct conn *c;
    long ms;

    if (http->run_soon)
        return 0;
    for (c = http->waiting; c; c = c->next)
        if (c->deadline < next)
            next = c->deadline;
    ms = next <= now ? 0 : (long)(next - now);
    if (MHD_get_timeout(http->d, &t) == MHD_YES && (MHD_UNSIGNED_LONG_LONG)ms > t)
        ms = (long)t;
    return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void src_dispatch(void *self, const struct pollfd *fds, int n)
{
    struct hems_http *http = self;
    echonet_tstamp now = posix_now_ms();
    struct conn *c, *next;
    struct stream *s;

    (void)fds;
    (void)n;
    for (c = http->waiting; c; c = next) {
        next = c->next;
        if (c->deadline <= now)
            finish(http, c, 504, error_body("no result in time", "timeout"));
    }
    if (now >= http->next_ping) {
        http->next_ping = now + PING_MS;
        for (s = http->streams; s; s = s->next) {
            stream_append(s, ": ping\n\n", 8);
            stream_wake(http, s);
        }
    }
    http->run_soon = false;
    (void)MHD_run(http->d);
}

struct evloop_source hems_http_source(struct hems_http *http)
{
    struct evloop_source s = {http, src_fds, src_timeout, src_dispatch};

    return s;
}

/* ---- Start and stop ------------------------------------------------------------------ */

/* Reads the token: the file must be the user's and no one else's. */
static int read_token(struct hems_http *http, const char *path, char *why, size_t cap)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    ssize_t n;

    if (fd < 0) {
        snprintf(why, cap, "--http-token-file %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        snprintf(why, cap, "--http-token-file %s: must be a regular file of this user, readable by no one else "
                           "(chmod 600)", path);
        (void)close(fd);
        return -1;
    }
    n = read(fd, http->token, TOKEN_MAX + 1);
    (void)close(fd);
    if (n < 0 || n > (ssize_t)TOKEN_MAX) {
        snprintf(why, cap, "--http-token-file %s: %s", path, n < 0 ? strerror(errno) : "longer than 256 bytes");
        return -1;
    }
    while (n > 0 && isspace((unsigned char)http->token[n - 1]))
        n--;
    http->token[n] = '\0';
    http->token_len = (size_t)n;
    for (n = 0; (size_t)n < http->token_len; n++)
        if (!isgraph((unsigned char)http->token[n]))
            break;
    if (http->token_len < 16 || (size_t)n != http->token_len) {
        snprintf(why, cap, "--http-token-file %s: the token must be at least 16 printable characters, no spaces",
                 path);
        return -1;
    }
    return 0;
}

/* Parses ADDR:PORT, [V6]:PORT or PORT into a socket address. */
static int parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, char *why, size_t cap)
{
    char host[UDP_FORMAT_MAX] = "127.0.0.1";
    const char *port_text = text, *colon;
    long port;

    memset(ss, 0, sizeof *ss);
    if (text[0] == '[') {
        const char *end = strchr(text, ']');

        if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host)
            goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(end - text - 1), text + 1);
        port_text = end + 2;
    } else if ((colon = strrchr(text, ':')) != NULL) {
        if ((size_t)(colon - text) >= sizeof host || strchr(text, ':') != colon)
            goto bad;
        snprintf(host, sizeof host, "%.*s", (int)(colon - text), text);
        port_text = colon + 1;
    }
    if (!hems_parse_long(port_text, 1, 65535, &port))
        goto bad;
    if (strchr(host, ':')) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            goto bad;
        *len = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;

        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            goto bad;
        *len = sizeof *in;
    }
    return (int)port;
bad:
    snprintf(why, cap, "--http %s: expected ADDR:PORT, [IPV6]:PORT or PORT (numeric address, port 1-65535)", text);
    return -1;
}

static bool sockaddr_loopback(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
    return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("hems-controller: http: ", stderr);
    vfprintf(stderr, fmt, ap);
}

struct hems_http *hems_http_open(const struct hems_http_config *cfg, const struct hems_http_host *host, char *why,
                                 size_t cap)
{
    struct hems_http *http = calloc(1, sizeof *http);
    struct sockaddr_storage ss;
    socklen_t sslen;
    const union MHD_DaemonInfo *info;
    int port;
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;

    if (!http) {
        snprintf(why, cap, "--http: out of memory");
        return NULL;
    }
    http->host = *host;
    http->controller_remote = cfg->controller_remote;
    http->utc_offset = cfg->utc_offset;
    http->epoll_fd = -1;
    if (!cfg->remote || strcmp(cfg->remote, "non-local") == 0)
        http->remote_policy = HEMS_HTTP_REMOTE_NON_LOCAL;
    else if (strcmp(cfg->remote, "always") == 0)
        http->remote_policy = HEMS_HTTP_REMOTE_ALWAYS;
    else if (strcmp(cfg->remote, "never") == 0)
        http->remote_policy = HEMS_HTTP_REMOTE_NEVER;
    else {
        snprintf(why, cap, "--http-remote %s: always, never or non-local", cfg->remote);
        goto fail;
    }
    port = parse_listen(cfg->listen, &ss, &sslen, why, cap);
    if (port < 0)
        goto fail;
    http->port = (unsigned)port;
    http->loopback = sockaddr_loopback(&ss);
    if (cfg->token_file && read_token(http, cfg->token_file, why, cap) != 0)
        goto fail;
    if (!http->loopback && http->token_len == 0) {
        snprintf(why, cap, "--http %s: an address other than loopback needs --http-token-file", cfg->listen);
        goto fail;
    }
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    http->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, http,
                               MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
                               MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                               MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
                               MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)MAX_PER_CLIENT,
                               MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768,
                               MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
                               MHD_OPTION_END);
    if (!http->d) {
        snprintf(why, cap, "--http %s: cannot listen there (address in use, or not this machine's)", cfg->listen);
        goto fail;
    }
    info = MHD_get_daemon_info(http->d, MHD_DAEMON_INFO_EPOLL_FD);
    if (!info) {
        snprintf(why, cap, "--http: libmicrohttpd without epoll");
        goto fail;
    }
    http->epoll_fd = info->epoll_fd;
    http->next_ping = posix_now_ms() + PING_MS;
    return http;
fail:
    hems_http_close(http);
    return NULL;
}

void hems_http_close(struct hems_http *http)
{
    struct stream *s;
    struct conn *c;

    if (!http)
        return;
    if (http->d) {
        for (s = http->streams; s; s = s->next) {
            s->closed = true;
            stream_wake(http, s);
        }
        for (c = http->waiting; c; c = c->next)
            resume(http, c);
        (void)MHD_run(http->d);
        MHD_stop_daemon(http->d);
    }
    memset(http->token, 0, sizeof http->token);
    free(http);
}
