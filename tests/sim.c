/* The deterministic controller/air-conditioner simulation (see sim.h). */
#include "echonet/classes.h"
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

/* Check's ck_assert*() record every passing assertion (a write per call):
 * far too slow for the millions of checks of a soak. These cost nothing
 * until they fail. */
#define SIM_CHECK(cond, ...)           \
    do {                               \
        if (!(cond))                   \
            ck_abort_msg(__VA_ARGS__); \
    } while (0)
#define SIM_OK(cond) SIM_CHECK(cond, "%s:%d: %s", __FILE__, __LINE__, #cond)

/* SIM_TRACE=1 in the environment prints every datagram and event to
 * stderr: for finding out why a seed fails. */
static int trace = -1;

static bool tracing(void)
{
    if (trace < 0) {
        const char *e = getenv("SIM_TRACE");

        trace = e && *e && *e != '0';
    }
    return trace != 0;
}

static void trace_frame(const char *what, echonet_tstamp now, int peer, const uint8_t *buf, size_t len)
{
    size_t i;

    if (!tracing())
        return;
    fprintf(stderr, "%12llu %-8s %3d:", (unsigned long long)now, what, peer);
    for (i = 0; i < len; i++)
        fprintf(stderr, " %02X", buf[i]);
    fputc('\n', stderr);
}

#define NEVER ECHONET_TSTAMP_NEVER
#define SIM_MSGS 8192
#define SIM_MSG_MAX 512
#define CTL_NODES 512 /* room for topo_hundreds_of_nodes; 128 unless the setup says */
#define CTL_NODES_DEFAULT 128
#define CTL_OBJECTS 512
#define CTL_OPS 1024
#define CTL_INDEX 1024

typedef struct sim_msg {
    echonet_tstamp at;
    uint64_t seq;
    int to; /* -1 the controller, else a node */
    echonet_addr src;
    bool via2; /* to a node's second address (issue 13) */
    uint16_t len;
    uint8_t buf[SIM_MSG_MAX];
} sim_msg;

static sim S;
static sim_msg pool[SIM_MSGS];
static uint16_t heap[SIM_MSGS], free_slots[SIM_MSGS];
static unsigned n_heap, n_free;

static echonet_ctl_node ctl_nodes[CTL_NODES];
static echonet_ctl_object ctl_objects[CTL_OBJECTS];
static echonet_ctl_op ctl_ops[CTL_OPS];
static uint16_t ctl_index[CTL_INDEX];
static uint16_t ctl_heap[CTL_NODES];
static echonet_node_request dev_queue[SIM_MAX_DEVS][8];
/* Value stores of the units of other classes (a mixed house). */
#define SIM_STORE_DEVS 16
static sim_store dev_stores[SIM_STORE_DEVS][SIM_MAX_OBJS];
static unsigned n_store_devs;

static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0};
static const uint8_t default_keep[] = {0x83, 0x86, 0x89, 0x93};
static const uint8_t state_epcs[] = {0x80, 0x8F, 0xB0, 0xB3, 0xBB, 0xA0, 0x88};

/* ---- PRNG (splitmix64) -------------------------------------------------- */

static uint64_t next64(sim *s)
{
    uint64_t z = (s->rng += 0x9E3779B97F4A7C15u);

    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

uint32_t sim_rand(sim *s, uint32_t n)
{
    return n == 0 ? 0 : (uint32_t)(next64(s) % n);
}

static bool chance(sim *s, uint16_t permille)
{
    return permille > 0 && sim_rand(s, 1000) < permille;
}

/* ---- The network's queue ------------------------------------------------- */

static bool msg_before(unsigned a, unsigned b)
{
    return pool[a].at < pool[b].at || (pool[a].at == pool[b].at && pool[a].seq < pool[b].seq);
}

static void heap_swap(unsigned i, unsigned j)
{
    uint16_t t = heap[i];

    heap[i] = heap[j];
    heap[j] = t;
}

static void enqueue(sim *s, int to, const echonet_addr *src, const uint8_t *buf, size_t len, echonet_tstamp at)
{
    unsigned i, slot;

    SIM_CHECK(n_free > 0, "simulated network full");
    SIM_CHECK(len <= SIM_MSG_MAX, "datagram of %zu bytes", len);
    slot = free_slots[--n_free];
    pool[slot].at = at;
    pool[slot].seq = s->msg_seq++;
    pool[slot].to = to;
    pool[slot].src = *src;
    pool[slot].via2 = s->sending_via2;
    pool[slot].len = (uint16_t)len;
    memcpy(pool[slot].buf, buf, len);
    i = n_heap++;
    heap[i] = (uint16_t)slot;
    while (i > 0 && msg_before(heap[i], heap[(i - 1) / 2])) {
        heap_swap(i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static unsigned dequeue(void)
{
    unsigned top = heap[0], i = 0;

    heap[0] = heap[--n_heap];
    for (;;) {
        unsigned l = 2 * i + 1, r = l + 1, m = i;

        if (l < n_heap && msg_before(heap[l], heap[m]))
            m = l;
        if (r < n_heap && msg_before(heap[r], heap[m]))
            m = r;
        if (m == i)
            break;
        heap_swap(i, m);
        i = m;
    }
    free_slots[n_free++] = (uint16_t)top;
    return top;
}

/* One datagram over a node's link, either way. */
static void link_send(sim *s, sim_dev *d, int to, const echonet_addr *src, const uint8_t *buf, size_t len,
                      uint32_t extra)
{
    const sim_link *l = &d->link;
    echonet_tstamp at;

    if (d->down || s->now < d->burst_until || chance(s, l->loss)) {
        s->lost++;
        return;
    }
    at = echonet_tstamp_add(s->now, (echonet_tstamp)l->delay_ms + sim_rand(s, l->jitter_ms + 1) + extra);
    enqueue(s, to, src, buf, len, at);
    if (chance(s, l->dup)) {
        s->duplicated++;
        enqueue(s, to, src, buf, len, echonet_tstamp_add(at, 1u + sim_rand(s, l->jitter_ms + 1000)));
    }
}

/* ---- Addresses --------------------------------------------------------------- */

/* The device at @p a: 10.0.x.y its first address, 10.1.x.y its second,
 * 10.k.x.y (k >= 2) one it was given by sim_readdress(); an address it no
 * longer has reaches nothing (-2). */
static int dev_of_addr(const sim *s, const echonet_addr *a)
{
    const sim_dev *d;
    unsigned i;

    if (a->len != 4 || a->bytes[0] != 10)
        return -2;
    i = ((unsigned)a->bytes[2] << 8 | a->bytes[3]) - 1u;
    if (i >= s->n_devs)
        return -2;
    d = &s->devs[i];
    if (a->bytes[1] == 0)
        return d->readdressed ? -2 : (int)i;
    if (a->bytes[1] == 1)
        return d->two_addrs ? (int)i : -2;
    return echonet_addr_equal(a, &d->addr) ? (int)i : -2;
}

uint16_t sim_node(const sim *s, unsigned dev)
{
    return echonet_ctl_find(&s->ctl, &s->devs[dev].addr);
}

echonet_eoj sim_eoj(unsigned obj)
{
    return ECHONET_EOJ_OF_CLASS(0x0130, obj + 1);
}

echonet_eoj sim_dev_eoj(const sim *s, unsigned dev, unsigned obj)
{
    return ECHONET_EOJ_OF_CLASS(s->devs[dev].cls, obj + 1);
}

static int dev_of_node(const sim *s, uint16_t node)
{
    const echonet_addr *a = echonet_ctl_node_addr(&s->ctl, node);

    return a ? dev_of_addr(s, a) : -2;
}

static int obj_of_eoj(const sim *s, int dev, echonet_eoj eoj)
{
    unsigned i = ECHONET_EOJ_INSTANCE(eoj);

    if (dev < 0 || ECHONET_EOJ_CLASS(eoj) != s->devs[dev].cls || i == 0 || i > s->devs[dev].n_obj)
        return -1;
    return (int)i - 1;
}

/* ---- The units: the aircon model with quirks ----------------------------------- */

static int w_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    sim_ctx *c = ctx;

    return echonet_aircon_ops.get(&c->s->devs[c->dev].ac[c->obj], epc, edt, cap);
}

static int w_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source, echonet_tstamp now)
{
    sim_ctx *c = ctx;
    sim *s = c->s;
    sim_dev *d = &s->devs[c->dev];
    echonet_aircon *ac = &d->ac[c->obj];
    uint8_t v;

    if (source == ECHONET_SET_NETWORK) {
        if (echonet_propmap_contains(&d->q.refuse, epc))
            return ECHONET_ERR_VALUE;
        if (d->q.refuse_while_off && epc != ECHONET_EPC_OPERATION_STATUS && epc != ECHONET_EPC_REMOTE_CONTROL) {
            uint8_t on = 0;

            (void)echonet_aircon_value(ac, ECHONET_EPC_OPERATION_STATUS, &on, 1);
            if (on == ECHONET_OFF)
                return ECHONET_ERR_VALUE;
        }
        if (epc == 0xB3 && pdc == 1 && d->q.b3_hi != 0) {
            uint8_t mode = 0;

            (void)echonet_aircon_value(ac, 0xB0, &mode, 1);
            if ((d->q.b3_mode == 0 || d->q.b3_mode == mode) && (edt[0] < d->q.b3_lo || edt[0] > d->q.b3_hi)) {
                if (!d->q.b3_substitute)
                    return ECHONET_ERR_VALUE;
                /* Set_Res, but the nearest value it can realise is stored (AIF 2.4.5). */
                v = edt[0] < d->q.b3_lo ? d->q.b3_lo : d->q.b3_hi;
                return echonet_aircon_ops.set(ac, epc, &v, 1, source, now);
            }
        }
        if (epc == ECHONET_EPC_REMOTE_CONTROL && pdc == 1 && edt[0] == ECHONET_REMOTE_LINE_OK_PUBLIC) {
            echonet_tstamp last = d->ka_last[c->obj];

            if (last != NEVER && last >= s->line_up_since && s->line_up) {
                echonet_tstamp gap = now - last;

                if (gap > d->ka_max_gap[c->obj])
                    d->ka_max_gap[c->obj] = gap;
                SIM_CHECK(!s->strong_keepalive || gap <= s->cfg.keepalive_interval_ms,
                          "t=%llu node %u object %u: %llu ms between keepalives (AIF 3.5: at most the interval, 8 h)",
                          (unsigned long long)now, c->dev, c->obj, (unsigned long long)gap);
            }
            d->ka_last[c->obj] = now;
            d->ka_count[c->obj]++;
        }
    }
    return echonet_aircon_ops.set(ac, epc, edt, pdc, source, now);
}

static echonet_tstamp w_expiry(void *ctx)
{
    sim_ctx *c = ctx;

    return echonet_aircon_ops.expiry(&c->s->devs[c->dev].ac[c->obj]);
}

static void w_handle_expiry(void *ctx, echonet_tstamp now, echonet_propmap *changed)
{
    sim_ctx *c = ctx;
    sim_dev *d = &c->s->devs[c->dev];

    echonet_aircon_ops.handle_expiry(&d->ac[c->obj], now, changed);
    if (echonet_propmap_contains(changed, ECHONET_EPC_OPERATION_STATUS))
        d->stops[c->obj]++; /* the 20-hour stop (AIF 3.5 ⑧) */
}

static const echonet_object_ops sim_ops = {w_get, w_set, w_expiry, w_handle_expiry};

/* ---- The units of other classes: a value store ------------------------------------ */

static int store_find(const sim_store *st, uint8_t epc)
{
    unsigned i;

    for (i = 0; i < st->n; i++)
        if (st->epc[i] == epc)
            return (int)i;
    return -1;
}

/* ---- The smart meter's model ------------------------------------------------------ */

#define HALF_HOUR_S 1800u
#define METER_LAG_S 120u /* EA and the history's slots are there 2 min after the boundary */

/* The load of half-hour @p slot: 200 to 1998 W, even (whole Wh per half-hour). */
static uint32_t meter_w(uint64_t slot)
{
    return 2u * (100u + (uint32_t)((slot * 7919u) % 900u));
}

uint64_t sim_meter_wh(uint64_t meter_s)
{
    uint64_t slot = meter_s / HALF_HOUR_S, k, wh = SIM_METER_BASE_WH;

    for (k = 0; k < slot; k++)
        wh += meter_w(k) / 2u;
    return wh + meter_w(slot) * (meter_s % HALF_HOUR_S) / 3600u;
}

uint64_t sim_meter_seconds(const sim *s, echonet_tstamp t)
{
    return SIM_METER_START_S + (t - s->t0) / 1000u;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* The model's value of E7, E0, EA or E2 (with E5 = @p day), or -1. */
static int meter_value(const sim *s, uint8_t epc, uint8_t day, uint8_t *edt, size_t cap)
{
    uint64_t now_s = sim_meter_seconds(s, s->now), b;
    unsigned i;

    if (cap < 194)
        return -1;
    switch (epc) {
    case 0xE7:
        put32(edt, meter_w(now_s / HALF_HOUR_S));
        return 4;
    case 0xE0:
        put32(edt, (uint32_t)(sim_meter_wh(now_s) % 100000000u));
        return 4;
    case 0xEA:
        b = (now_s - METER_LAG_S) / HALF_HOUR_S * HALF_HOUR_S;
        SIM_OK(b / 86400u < 30u); /* (December) */
        edt[0] = 2026 >> 8;
        edt[1] = 2026 & 0xFF;
        edt[2] = 12;
        edt[3] = (uint8_t)(1u + b / 86400u);
        edt[4] = (uint8_t)(b % 86400u / 3600u);
        edt[5] = (uint8_t)(b % 3600u / 60u);
        edt[6] = 0;
        put32(edt + 7, (uint32_t)(sim_meter_wh(b) % 100000000u));
        return 11;
    case 0xE2:
        if (day > 99)
            return -1;
        edt[0] = 0;
        edt[1] = day;
        for (i = 0; i < 48; i++) {
            /* (A day before the meter's first: no data at all.) */
            uint64_t t = (now_s / 86400u - day) * 86400u + i * HALF_HOUR_S;

            put32(edt + 2 + 4 * i, now_s / 86400u >= day && t + METER_LAG_S <= now_s
                                       ? (uint32_t)(sim_meter_wh(t) % 100000000u)
                                       : 0xFFFFFFFEu);
        }
        return 194;
    default:
        return -1;
    }
}

static int g_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    sim_ctx *c = ctx;
    const sim_store *st = &c->s->devs[c->dev].store[c->obj];
    int i = store_find(st, epc);

    if (c->s->devs[c->dev].cls == 0x0288) {
        int e5 = store_find(st, 0xE5), n = meter_value(c->s, epc, e5 >= 0 ? st->bytes[st->off[e5]] : 0, edt, cap);

        if (n > 0)
            return n;
    }
    if (i < 0 || st->len[i] == 0 || st->len[i] > cap)
        return ECHONET_ERR_NOT_FOUND; /* no valid value: answered as not processed */
    memcpy(edt, st->bytes + st->off[i], st->len[i]);
    return st->len[i];
}

static int g_set(void *ctx, uint8_t epc, const uint8_t *edt, size_t pdc, echonet_set_source source, echonet_tstamp now)
{
    sim_ctx *c = ctx;
    sim_dev *d = &c->s->devs[c->dev];
    sim_store *st = &d->store[c->obj];
    int i = store_find(st, epc);
    bool changed;

    (void)now;
    if (source == ECHONET_SET_NETWORK && echonet_propmap_contains(&d->q.refuse, epc))
        return ECHONET_ERR_VALUE;
    /* (Checked by the node against the class table, whose largest size
     * store_add() kept room for.) */
    if (i < 0)
        return ECHONET_ERR_VALUE;
    changed = st->len[i] != pdc || memcmp(st->bytes + st->off[i], edt, pdc) != 0;
    memcpy(st->bytes + st->off[i], edt, pdc);
    st->len[i] = (uint8_t)pdc;
    return changed;
}

static const echonet_object_ops store_ops = {g_get, g_set, NULL, NULL};

/* A first valid value for a property, as read from a unit: the ones a unit
 * of any class has, else a few fills, the first code or the low ends. */
static size_t first_value(const echonet_prop_desc *d, uint8_t *v, size_t cap)
{
    static const uint8_t fills[] = {0x00, 0x30, 0x41, 0x01, 0x42, 0xFF, 0xFE, 0x7E, 0xFD, 0x7F};
    size_t sizes[2], len, k, f;

    sizes[0] = d->size;
    sizes[1] = d->size_alt && d->size_alt != ECHONET_SIZE_VARIABLE ? d->size_alt : d->size;
    for (k = 0; k < 2; k++) {
        len = sizes[k] <= cap ? sizes[k] : cap;
        if (d->rule == ECHONET_RULE_ENUM && d->n_values > 0 && len == 1) {
            v[0] = d->values[0];
            if (echonet_prop_desc_check(d, v, 1, false) == ECHONET_OK)
                return 1;
        }
        if (d->rule == ECHONET_RULE_RANGE && d->n_values >= 2 * len) {
            for (f = 0; f < len; f++)
                v[f] = d->values[2 * f];
            if (echonet_prop_desc_check(d, v, len, false) == ECHONET_OK)
                return len;
        }
        for (f = 0; f < sizeof fills; f++) {
            memset(v, fills[f], len);
            if (echonet_prop_desc_check(d, v, len, false) == ECHONET_OK)
                return len;
        }
        /* A number of 2 or 4 bytes that is "no data" (0xFFFE, 0xFFFFFFFE). */
        if (len == 2 || len == 4) {
            memset(v, 0xFF, len);
            v[len - 1] = 0xFE;
            if (echonet_prop_desc_check(d, v, len, false) == ECHONET_OK)
                return len;
        }
    }
    return 0;
}

static void store_add(sim_store *st, uint8_t epc, const uint8_t *v, size_t len, size_t room)
{
    SIM_OK(st->n < SIM_STORE_PROPS && st->used + room <= SIM_STORE_BYTES);
    st->epc[st->n] = epc;
    st->len[st->n] = (uint8_t)len;
    st->off[st->n] = st->used;
    memcpy(st->bytes + st->used, v, len);
    st->used = (uint16_t)(st->used + room);
    st->n++;
}

/* Object @p o of unit @p i, of class d->cls: its mandatory properties and
 * 0x83, each with a first valid value; on (0x80 = 0x30), no fault. */
static void store_object(sim *s, unsigned i, unsigned o)
{
    sim_dev *d = &s->devs[i];
    const echonet_class *cls = echonet_class_find(d->cls);
    echonet_propmap omit;
    sim_store *st = &d->store[o];
    unsigned epc;
    static const uint8_t keep[] = {0x83, 0xD3};
    uint8_t v[256], id[17] = {0xFE, 0xFF, 0xFF, 0xF0};

    SIM_OK(cls != NULL);
    SIM_OK(echonet_class_omit(&omit, cls, keep, sizeof keep) == ECHONET_OK);
    SIM_OK(echonet_object_init_class(&d->obj[o], sim_dev_eoj(s, i, o), cls, NULL, 0, &omit, &store_ops, &d->ctx[o]) ==
           ECHONET_OK);
    memset(st, 0, sizeof *st);
    id[4] = (uint8_t)(i >> 8);
    id[5] = (uint8_t)i;
    id[6] = (uint8_t)o;
    id[15] = 0x3C;
    id[16] = 0xA5;
    for (epc = 0x80; epc <= 0xFF; epc++) {
        const echonet_prop_desc *desc = echonet_object_desc(&d->obj[o], (uint8_t)epc);
        size_t len;

        if (!desc || (epc >= 0x9D && epc <= 0x9F))
            continue;
        if (epc == 0x80) {
            v[0] = 0x30;
            len = 1;
        } else if (epc == 0x88) {
            v[0] = 0x42;
            len = 1;
        } else if (epc == 0x83) {
            memcpy(v, id, sizeof id);
            len = sizeof id;
        } else if (epc == 0x8A) {
            memcpy(v, maker, 3);
            len = 3;
        } else if (d->cls == 0x0288 && (epc == 0xD3 || epc == 0xD7 || epc == 0xE1 || epc == 0xE5)) {
            /* The model's units: 1 Wh, 8 digits; E5 today. */
            static const uint8_t d3[] = {0, 0, 0, 1};

            len = epc == 0xD3 ? 4 : 1;
            memcpy(v, epc == 0xD3 ? d3 : epc == 0xD7 ? (const uint8_t *)"\x08" : epc == 0xE1 ? (const uint8_t *)"\x03"
                                                                                              : (const uint8_t *)"\x00",
                   len);
        } else {
            len = first_value(desc, v, sizeof v);
        }
        SIM_OK(len == 0 || echonet_prop_desc_check(desc, v, len, false) == ECHONET_OK);
        store_add(st, (uint8_t)epc, v, len, desc->size);
    }
}

uint8_t sim_value(const sim *s, unsigned dev, unsigned obj, uint8_t epc)
{
    uint8_t v = 0;

    if (s->devs[dev].cls != 0x0130) {
        const sim_store *st = &s->devs[dev].store[obj];
        int i = store_find(st, epc);

        SIM_OK(i >= 0 && st->len[i] > 0);
        return st->bytes[st->off[i]];
    }
    SIM_OK(echonet_aircon_value(&s->devs[dev].ac[obj], epc, &v, 1) == 1);
    return v;
}

/* ---- Controller events ----------------------------------------------------------- */

/* Nodes that are offline (known, not online) and have no ready object:
 * the lost nodes the controller may forget, which it counts in n_lost. */
static unsigned lost_nodes(const sim *s)
{
    echonet_eoj eojs[128];
    unsigned count = 0;
    uint16_t i;

    for (i = 0; i < s->ctl.n_nodes_used; i++) {
        size_t n, k;
        bool ready = false;
        uint16_t unit;

        if (!echonet_ctl_node_addr(&s->ctl, i) || echonet_ctl_node_online(&s->ctl, i))
            continue;
        unit = echonet_ctl_find(&s->ctl, echonet_ctl_node_addr(&s->ctl, i));
        if (unit != ECHONET_CTL_NONE && unit != i) /* an alias (issue 13) */
            continue;
        n = echonet_ctl_objects(&s->ctl, i, eojs, 128);
        for (k = 0; k < n && k < 128; k++)
            ready = ready || echonet_ctl_object_ready(&s->ctl, i, eojs[k]);
        count += !ready;
    }
    return count;
}

static void on_event(void *user, const echonet_ctl_event *ev)
{
    sim *s = user;
    int dev = ev->node != ECHONET_CTL_NONE ? dev_of_node(s, ev->node) : -2;
    int obj = obj_of_eoj(s, dev, ev->eoj);

    s->events++;
    if (tracing())
        fprintf(stderr, "%12llu EVENT %u node %d (sim %d) eoj %06X epc %02X ok %d outcome %d op %u\n",
                (unsigned long long)s->now, (unsigned)ev->kind, ev->node == ECHONET_CTL_NONE ? -1 : (int)ev->node, dev,
                (unsigned)ev->eoj, ev->epc, ev->ok, (int)ev->outcome, ev->op);
    SIM_OK(ev->kind < 16);
    s->ev_count[ev->kind]++;
    switch (ev->kind) {
    case ECHONET_CTL_EV_FOUND:
        s->found++;
        break;
    case ECHONET_CTL_EV_READY:
        s->ready++;
        if (obj >= 0)
            s->ready_mask[dev] |= (uint8_t)(1u << obj);
        break;
    case ECHONET_CTL_EV_DONE: {
        int i;
        sim_op *op;

        SIM_CHECK(ev->op < 1024 && s->handle_op[ev->op] >= 0,
                  "t=%llu: DONE for operation %u, not running (lost or ended twice)", (unsigned long long)s->now,
                  ev->op);
        i = s->handle_op[ev->op];
        op = &s->ops[i];
        SIM_CHECK(op->done == 0, "operation %d ended twice", i);
        SIM_CHECK(ev->node == op->node && ev->eoj == op->eoj, "operation %d ended on another object", i);
        op->done++;
        op->outcome = ev->outcome;
        op->props = ev->props;
        op->probe_low = ev->probe_low;
        op->probe_high = ev->probe_high;
        op->ended = s->now;
        s->handle_op[ev->op] = -1;
        break;
    }
    case ECHONET_CTL_EV_FAULT:
        s->faults++;
        s->last_fault = ev->fault;
        break;
    case ECHONET_CTL_EV_KEEPALIVE:
        if (ev->ok) {
            s->keepalive_ok++;
        } else {
            s->keepalive_fail++;
            if (dev >= 0 && obj >= 0) {
                sim_ka *ka = &s->ka[dev][obj];

                ka->failures++;
                /* Plus the request in flight and the node's other keepalives
                 * due at the same time (one request in flight per node). */
                ka->retry_by = echonet_tstamp_add(s->now, (echonet_tstamp)s->cfg.keepalive_retry_ms +
                                                              (echonet_tstamp)s->retry_slack_ms * s->devs[dev].n_obj);
            }
        }
        break;
    case ECHONET_CTL_EV_OFFLINE:
        s->offline++;
        SIM_OK(lost_nodes(s) == s->ctl.n_lost);
        break;
    case ECHONET_CTL_EV_ONLINE:
        s->online++;
        SIM_OK(lost_nodes(s) == s->ctl.n_lost);
        break;
    case ECHONET_CTL_EV_FULL:
        s->full++;
        break;
    case ECHONET_CTL_EV_FORGOTTEN:
        /* Only a node that is offline, has nothing in flight and was never
         * ready may be forgotten; its address is still known during the
         * callback, and no longer found. */
        SIM_OK(!echonet_ctl_node_online(&s->ctl, ev->node));
        SIM_OK(echonet_ctl_node_addr(&s->ctl, ev->node) != NULL);
        SIM_OK(echonet_ctl_find(&s->ctl, echonet_ctl_node_addr(&s->ctl, ev->node)) == ECHONET_CTL_NONE);
        SIM_OK(echonet_ctl_objects(&s->ctl, ev->node, NULL, 0) == 0);
        SIM_OK(lost_nodes(s) == s->ctl.n_lost + 1u); /* (counted out already, still offline) */
        if (dev >= 0) {
            SIM_OK(s->ready_mask[dev] == 0);
            SIM_OK(!s->inflight[dev].busy ||
                   s->now >= echonet_tstamp_add(s->inflight[dev].sent, s->cfg.response_timeout_ms));
        }
        break;
    default:
        break;
    }
    if (s->on_event)
        s->on_event(s, ev);
}

/* ---- What the controller sends ------------------------------------------------------ */

static unsigned write_rank(uint8_t epc)
{
    return epc == 0x80 ? 1u : epc == 0xB0 ? 2u : epc == 0xB3 ? 3u : 4u;
}

static bool is_search_tid(const sim *s, uint16_t tid)
{
    unsigned i;

    for (i = 0; i < s->n_search && i < 8; i++)
        if (s->search_tid[i] == tid)
            return true;
    return false;
}

static void note_tid(sim *s, uint16_t tid)
{
    uint32_t slot = (uint32_t)(s->requests % 65535u);

    if (s->requests >= 65535u)
        s->tid_count[s->tid_ring[slot]]--;
    SIM_CHECK(s->tid_count[tid] == 0, "t=%llu: TID %04X sent again within 65535 requests (AIF 2.4.3, reference 11)",
              (unsigned long long)s->now, tid);
    s->tid_count[tid]++;
    s->tid_ring[slot] = tid;
    if (s->requests > 0 && s->last_tid == 0xFFFF && tid == 0)
        s->wrapped = true;
    s->last_tid = tid;
    s->requests++;
}

static void keepalive_attempt(sim *s, int dev, int obj)
{
    sim_ka *ka = &s->ka[dev][obj];

    if (s->weak_keepalive && s->line_up && ka->last_attempt != NEVER && ka->last_attempt >= s->line_up_since) {
        echonet_tstamp gap = s->now - ka->last_attempt;

        if (gap > ka->max_gap)
            ka->max_gap = gap;
        SIM_CHECK(gap <= s->cfg.keepalive_interval_ms,
                  "t=%llu node %d object %d: no keepalive attempt for %llu ms (AIF 3.5)", (unsigned long long)s->now,
                  dev, obj, (unsigned long long)gap);
    }
    if (s->weak_keepalive && ka->retry_by != NEVER)
        SIM_CHECK(s->now <= ka->retry_by, "t=%llu node %d object %d: keepalive retried %llu ms late",
                  (unsigned long long)s->now, dev, obj, (unsigned long long)(s->now - ka->retry_by));
    ka->retry_by = NEVER;
    ka->last_attempt = s->now;
    ka->attempts++;
}

/* A request the controller sends before it can know which unit a node is
 * (issue 13): to the node profile, or a Get of attributes and 0x83/0x8A. */
static bool identification_request(const echonet_frame *f)
{
    static const uint8_t ident[] = {0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F};
    echonet_prop_iter it = f->props;
    echonet_prop p;

    if (f->deoj == ECHONET_EOJ_NODE_PROFILE)
        return true;
    if (f->esv != ECHONET_ESV_GET)
        return false;
    while (echonet_prop_next(&it, &p))
        if (!memchr(ident, p.epc, sizeof ident))
            return false;
    return true;
}

/* Checks one frame from the controller against every invariant of sim.h. */
static void check_sent(sim *s, int dev, bool multicast, const uint8_t *buf, size_t len)
{
    echonet_frame f;
    echonet_prop p;
    echonet_prop_iter it;
    unsigned k = 0, rank = 0, limit;
    bool prefixed = false, keepalive = false, aircon = true;
    unsigned long long now = (unsigned long long)s->now;

    SIM_CHECK(echonet_frame_decode_udp(&f, buf, len, NULL) == ECHONET_OK, "t=%llu: undecodable frame", now);
    SIM_OK(f.format == 1);
    SIM_CHECK(f.seoj == s->cfg.self, "SEOJ %06X", (unsigned)f.seoj);
    note_tid(s, f.tid);
    if (multicast) {
        SIM_CHECK(f.esv == ECHONET_ESV_GET, "t=%llu: multicast ESV %02X", now, f.esv);
        SIM_OK(f.deoj == ECHONET_EOJ_NODE_PROFILE || f.deoj == ECHONET_EOJ_OF_CLASS(0x0130, 0));
        SIM_CHECK(!s->searched || s->now >= echonet_tstamp_add(s->last_search, s->cfg.response_timeout_ms),
                  "t=%llu: a search %llu ms after the one before, which may still be answered (AIF 2.4.1, 2.4.2)",
                  now, (unsigned long long)(s->now - s->last_search));
        s->searched = true;
        s->last_search = s->now;
        s->search_tid[s->n_search++ % 8] = f.tid;
        return;
    }
    SIM_CHECK(f.esv == ECHONET_ESV_GET || f.esv == ECHONET_ESV_SETC, "t=%llu: ESV %02X", now, f.esv);
    if (dev >= 0) {
        const sim_dev *d = &s->devs[dev];
        bool ident = identification_request(&f);

        /* AIF 2.4.1: one request in flight per node until its answer arrives
         * or the response timer (2.4.2) runs out. */
        SIM_CHECK(!s->inflight[dev].busy ||
                      s->now >= echonet_tstamp_add(s->inflight[dev].sent, s->cfg.response_timeout_ms) ||
                      (d->two_addrs && s->inflight_via2[dev] != s->sending_via2 && (ident || s->inflight_ident[dev])),
                  "t=%llu node %d: TID %04X sent while TID %04X (sent at %llu) is in flight (AIF 2.4.1)", now, dev,
                  f.tid, s->inflight[dev].tid, (unsigned long long)s->inflight[dev].sent);
        s->inflight_via2[dev] = s->sending_via2;
        s->inflight_ident[dev] = ident;
        s->inflight[dev].busy = true;
        s->inflight[dev].tid = f.tid;
        s->inflight[dev].esv = f.esv;
        s->inflight[dev].sent = s->now;
        /* Only objects the node has (a request to another is never answered). */
        if (f.deoj != ECHONET_EOJ_NODE_PROFILE) {
            int obj = obj_of_eoj(s, dev, f.deoj);

            SIM_CHECK(obj >= 0, "t=%llu node %d: DEOJ %06X, not one of its %u objects", now, dev, (unsigned)f.deoj,
                      d->n_obj);
            SIM_CHECK(!(d->removed & (1u << obj)) || d->removed_told[obj] == NEVER,
                      "t=%llu node %d: request to %06X, removed from its instance list at %llu (AIF 3.1.1)", now, dev,
                      (unsigned)f.deoj, (unsigned long long)d->removed_told[obj]);
        }
    }
    if (f.deoj == ECHONET_EOJ_NODE_PROFILE) {
        SIM_OK(f.esv == ECHONET_ESV_GET);
    } else {
        SIM_CHECK(dev < 0 || (ECHONET_EOJ_CLASS(f.deoj) == s->devs[dev].cls && ECHONET_EOJ_INSTANCE(f.deoj) != 0),
                  "DEOJ %06X", (unsigned)f.deoj);
        aircon = ECHONET_EOJ_CLASS(f.deoj) == 0x0130;
    }
    it = f.props;
    while (echonet_prop_next(&it, &p)) {
        if (f.esv == ECHONET_ESV_GET) {
            SIM_CHECK(p.pdc == 0, "Get with a value");
        } else if (p.epc == ECHONET_EPC_REMOTE_CONTROL) {
            SIM_CHECK(s->cfg.remote, "t=%llu: 0x93 written outside remote mode", now);
            SIM_CHECK(aircon, "t=%llu: 0x93 written to %06X: the AIF's remote rules are the air conditioner's", now,
                      (unsigned)f.deoj);
            SIM_OK(p.pdc == 1);
            if (p.edt[0] == ECHONET_REMOTE_LINE_OK_PUBLIC) {
                SIM_CHECK(f.opc == 1, "keepalive with other properties");
                keepalive = true;
            } else {
                SIM_CHECK(p.edt[0] == ECHONET_REMOTE_PUBLIC && k == 0,
                          "t=%llu: 0x93 = %02X at position %u (AIF 4.1: 0x42 first)", now, p.edt[0], k);
                prefixed = true;
            }
        } else if (!aircon) {
            int obj = dev >= 0 ? obj_of_eoj(s, dev, f.deoj) : -1;
            const echonet_prop_desc *desc = obj >= 0 ? echonet_object_desc(&s->devs[dev].obj[obj], p.epc) : NULL;

            SIM_CHECK(obj < 0 || (desc && (desc->access & ECHONET_ACCESS_SET)), "t=%llu: write of %06X EPC %02X", now,
                      (unsigned)f.deoj, p.epc);
            SIM_CHECK(!desc || echonet_prop_desc_check(desc, p.edt, p.pdc, true) == ECHONET_OK,
                      "t=%llu: %06X EPC %02X written out of range (AIF 2.4.5)", now, (unsigned)f.deoj, p.epc);
        } else {
            const echonet_prop_desc *desc = echonet_aircon_desc(p.epc);
            unsigned r = write_rank(p.epc);

            SIM_CHECK(desc && (desc->access & ECHONET_ACCESS_SET), "t=%llu: write of EPC %02X", now, p.epc);
            SIM_CHECK(echonet_prop_desc_check(desc, p.edt, p.pdc, true) == ECHONET_OK,
                      "t=%llu: EPC %02X written out of range (AIF 2.4.5)", now, p.epc);
            SIM_CHECK(r >= rank, "t=%llu: EPC %02X after a later one (AIF 5.1 ⑦ order 80, B0, B3)", now, p.epc);
            rank = r;
        }
        k++;
    }
    if (f.esv == ECHONET_ESV_SETC && s->cfg.remote && !keepalive && aircon)
        SIM_CHECK(prefixed, "t=%llu: remote write without 0x93 = 0x42 first (AIF 4.1)", now);
    limit = s->cfg.max_props;
    if (prefixed && limit < 2)
        limit = 2;
    SIM_CHECK(f.opc <= limit, "t=%llu: %u properties in one request (max_props %u)", now, f.opc, s->cfg.max_props);
    if (keepalive && dev >= 0) {
        int obj = obj_of_eoj(s, dev, f.deoj);

        if (obj >= 0)
            keepalive_attempt(s, dev, obj);
    }
}

static void ctl_sent(sim *s, const echonet_addr *dst, bool multicast, const uint8_t *buf, size_t len)
{
    int dev = multicast ? -1 : dev_of_addr(s, dst);
    sim_sent *e = &s->log[s->n_log++ % SIM_LOG];
    unsigned i;

    trace_frame("ctl->", s->now, dev, buf, len);
    e->at = s->now;
    e->dev = dev;
    e->len = (uint16_t)(len < SIM_FRAME_MAX ? len : SIM_FRAME_MAX);
    memcpy(e->buf, buf, e->len);
    s->sending_via2 = !multicast && dev >= 0 && s->devs[dev].two_addrs && echonet_addr_equal(dst, &s->devs[dev].addr2);
    check_sent(s, dev, multicast, buf, len);
    if (multicast) {
        for (i = 0; i < s->n_devs; i++)
            link_send(s, &s->devs[i], (int)i, &s->ctl_addr, buf, len, 0);
    } else if (dev >= 0) {
        link_send(s, &s->devs[dev], dev, &s->ctl_addr, buf, len, 0);
    }
    s->sending_via2 = false;
}

/* ---- Moving datagrams -------------------------------------------------------------------- */

static void spoof(sim *s, unsigned dev, const uint8_t *buf, size_t len)
{
    uint8_t copy[SIM_MSG_MAX];
    uint16_t tid = (uint16_t)(buf[2] << 8 | buf[3]);
    const echonet_addr *src = &s->foreign;
    uint32_t kind = sim_rand(s, 3);

    memcpy(copy, buf, len);
    /* (Not its instance list announced: a forged list from another node's
     * address is believed, as ECHONET has nothing to tell it by; the
     * copies of its other announcements test that the node's list, not an
     * announcement, decides what objects it has, issue 14.) */
    if (kind == 0 && s->n_devs > 1 && !is_search_tid(s, tid) &&
        !(len > 10 && buf[4] == 0x0E && buf[5] == 0xF0 && (buf[10] == ECHONET_ESV_INF || buf[10] == ECHONET_ESV_INFC))) {
        /* A copy from another node: never its answer. */
        src = &s->devs[(dev + 1 + sim_rand(s, s->n_devs - 1)) % s->n_devs].addr;
    } else if (kind == 2) {
        /* The right node, a stale TID: answers nothing in flight. */
        tid = (uint16_t)(tid - 1u - sim_rand(s, 500));
        copy[2] = (uint8_t)(tid >> 8);
        copy[3] = (uint8_t)tid;
        src = &s->devs[dev].addr;
    }
    s->spoofed++;
    enqueue(s, -1, src, copy, len, echonet_tstamp_add(s->now, sim_rand(s, 30000)));
}

/* Sends what a node has to send now: answers, announcements. */
static void dev_pump(sim *s, unsigned i)
{
    sim_dev *d = &s->devs[i];
    uint8_t buf[1500];
    echonet_addr dst;
    bool mc;
    int32_t n;

    while ((n = echonet_node_write(&d->node, &dst, &mc, buf, sizeof buf, s->now)) > 0) {
        uint32_t extra = d->q.answer_delay_ms;

        if (mc) {
            if (!d->q.no_announce)
                link_send(s, d, -1, d->moved ? &d->addr2 : &d->addr, buf, (size_t)n, 0);
            continue;
        }
        SIM_OK(echonet_addr_equal(&dst, &s->ctl_addr));
        if (d->answering_search)
            extra += d->q.search_late_min_ms + sim_rand(s, d->q.search_late_max_ms - d->q.search_late_min_ms + 1u);
        if (d->q.late_next > 0) {
            d->q.late_next--;
            extra += d->q.late_next_ms;
        }
        if (chance(s, d->link.late)) {
            s->late++;
            extra += d->link.late_ms;
        }
        link_send(s, d, -1, (d->asked_via2 || d->moved) ? &d->addr2 : &d->addr, buf, (size_t)n, extra);
        if (chance(s, d->link.spoof))
            spoof(s, i, buf, (size_t)n);
    }
    SIM_CHECK(n == 0, "node write error %d", n);
    d->expiry = echonet_node_expiry(&d->node); /* only what a node does changes it */
    SIM_OK(d->expiry > s->now);
}

/* A complete 0xD5 or 0xD6 list reaching the controller tells it which
 * removed objects are gone: an announcement, or the answer to its request
 * in flight (a late one answers nothing, AIF 2.4.3; a search answer is
 * left out, as it counts only within the search's response window). */
static void note_instance_list(sim *s, unsigned dev, const uint8_t *buf, size_t len)
{
    sim_dev *d = &s->devs[dev];
    echonet_frame f;
    echonet_prop p;
    unsigned o, k;

    if (echonet_frame_decode_udp(&f, buf, len, NULL) != ECHONET_OK || f.format != 1 ||
        !echonet_eoj_is_node_profile(f.seoj))
        return;
    if (f.esv != ECHONET_ESV_INF && f.esv != ECHONET_ESV_INFC &&
        !(s->inflight[dev].busy && f.tid == s->inflight[dev].tid && f.esv == ECHONET_ESV_GET_RES &&
          s->now < echonet_tstamp_add(s->inflight[dev].sent, s->cfg.response_timeout_ms)))
        return;
    if (!echonet_prop_find(f.props, 0xD5, &p) && !echonet_prop_find(f.props, 0xD6, &p))
        return;
    if (p.pdc < 1 || p.edt[0] != (p.pdc - 1u) / 3u)
        return; /* not the whole list */
    for (o = 0; o < d->n_obj; o++) {
        bool listed = false;

        for (k = 0; k < p.edt[0]; k++)
            listed = listed || echonet_eoj_read(p.edt + 1 + 3 * k) == sim_dev_eoj(s, dev, o);
        if (!(d->removed & (1u << o)))
            continue;
        if (listed)
            d->removed_told[o] = NEVER; /* a list older than the removal, overtaken on the way */
        else if (d->removed_told[o] == NEVER)
            d->removed_told[o] = s->now;
    }
}

static void deliver(sim *s, const sim_msg *m)
{
    s->delivered++;
    trace_frame(m->to < 0 ? "->ctl" : "->dev", s->now, m->to < 0 ? dev_of_addr(s, &m->src) : m->to, m->buf, m->len);
    if (m->to < 0) {
        int dev = dev_of_addr(s, &m->src);
        echonet_err err = echonet_ctl_read(&s->ctl, &m->src, m->buf, m->len, s->now);

        SIM_CHECK(err == ECHONET_OK, "echonet_ctl_read: %d", err);
        if (dev >= 0 && s->devs[dev].removed)
            note_instance_list(s, (unsigned)dev, m->buf, m->len);
        if (dev >= 0 && s->inflight[dev].busy) {
            uint16_t tid = (uint16_t)(m->buf[2] << 8 | m->buf[3]);

            if (tid == s->inflight[dev].tid && echonet_esv_request_of(m->buf[10]) == s->inflight[dev].esv)
                s->inflight[dev].busy = false;
        }
    } else {
        sim_dev *d = &s->devs[m->to];
        echonet_frame f;
        echonet_prop_iter it;
        echonet_prop p;

        if (d->down || (d->moved && !m->via2)) {
            s->lost++;
            return;
        }
        d->answering_search = false;
        if (echonet_frame_decode_udp(&f, m->buf, m->len, NULL) == ECHONET_OK && f.format == 1) {
            it = f.props;
            while (echonet_prop_next(&it, &p))
                if (echonet_propmap_contains(&d->q.silent, p.epc))
                    return; /* times out silently on this property (reference 11) */
            d->answering_search = d->q.search_late_max_ms > 0 && f.esv == ECHONET_ESV_GET &&
                                  (ECHONET_EOJ_INSTANCE(f.deoj) == 0 ||
                                   (echonet_eoj_is_node_profile(f.deoj) && echonet_prop_find(f.props, 0xD6, &p)));
        }
        d->requests++;
        d->asked_via2 = m->via2;
        (void)echonet_node_read(&d->node, &m->src, m->buf, m->len);
        dev_pump(s, (unsigned)m->to);
        d->asked_via2 = false;
        d->answering_search = false;
    }
}

/* Everything due now: the controller's output and the units' timers. */
static void pump(sim *s)
{
    uint8_t buf[1500];
    echonet_addr dst;
    bool mc;
    int32_t n;
    unsigned i;

    while ((n = echonet_ctl_write(&s->ctl, &dst, &mc, buf, sizeof buf, s->now)) > 0)
        ctl_sent(s, &dst, mc, buf, (size_t)n);
    SIM_CHECK(n == 0, "echonet_ctl_write: %d", n);
    SIM_CHECK(echonet_ctl_expiry(&s->ctl) > s->now, "t=%llu: expiry %llu not in the future after write",
              (unsigned long long)s->now, (unsigned long long)echonet_ctl_expiry(&s->ctl));
    for (i = 0; i < s->n_devs; i++)
        if (s->devs[i].expiry <= s->now)
            dev_pump(s, i);
}

static echonet_tstamp next_event(const sim *s)
{
    echonet_tstamp t = echonet_ctl_expiry(&s->ctl), e;
    unsigned i;

    if (n_heap > 0 && pool[heap[0]].at < t)
        t = pool[heap[0]].at;
    for (i = 0; i < s->n_devs; i++) {
        e = s->devs[i].expiry;
        if (e < t)
            t = e;
    }
    return t;
}

void sim_run_until(sim *s, echonet_tstamp end)
{
    unsigned long guard = 0;

    pump(s);
    for (;;) {
        echonet_tstamp t = next_event(s);

        if (t > end)
            break;
        if (t > s->now) {
            s->now = t;
            guard = 0;
        }
        while (n_heap > 0 && pool[heap[0]].at <= s->now) {
            sim_msg *m = &pool[dequeue()];

            deliver(s, m);
            pump(s);
        }
        pump(s);
        SIM_CHECK(++guard < 1000000ul, "simulation does not advance at t=%llu", (unsigned long long)s->now);
    }
    if (end > s->now)
        s->now = end;
    pump(s);
}

void sim_run_for(sim *s, echonet_tstamp dt)
{
    sim_run_until(s, echonet_tstamp_add(s->now, dt));
}

/* ---- Set-up ------------------------------------------------------------------------------------ */

static uint16_t pow2_at_least(unsigned n)
{
    unsigned p = 1;

    while (p < n)
        p <<= 1;
    return (uint16_t)p;
}

static void ctl_start(sim *s)
{
    echonet_ctl_callbacks cb = {on_event};

    SIM_OK(echonet_ctl_init(&s->ctl, &s->cfg, &cb, s, &s->st) == ECHONET_OK);
    if (!s->no_energy)
        SIM_OK(echonet_ctl_read_energy(&s->ctl) == ECHONET_OK);
}

sim *sim_init(const sim_setup *setup)
{
    sim *s = &S;
    unsigned i, j;

    memset(s, 0, sizeof *s);
    n_heap = 0;
    n_store_devs = 0;
    n_free = SIM_MSGS;
    for (i = 0; i < SIM_MSGS; i++)
        free_slots[i] = (uint16_t)(SIM_MSGS - 1 - i);
    s->rng = setup->seed * 0x2545F4914F6CDD1Du + 1u;
    s->now = setup->start;
    s->t0 = setup->start;
    s->cfg = setup->cfg;
    if (!s->cfg.classes)
        s->cfg.classes = echonet_class_find; /* the tables a HEMS would use (issue 14) */
    s->no_energy = setup->no_energy;
    s->st.nodes = ctl_nodes;
    s->st.n_nodes = setup->n_nodes ? setup->n_nodes : CTL_NODES_DEFAULT;
    s->st.objects = ctl_objects;
    s->st.n_objects = setup->n_objects ? setup->n_objects : CTL_OBJECTS;
    s->st.ops = ctl_ops;
    s->st.n_ops = setup->n_ops ? setup->n_ops : 64;
    s->st.index = ctl_index;
    s->st.n_index = pow2_at_least(2u * s->st.n_nodes);
    s->st.heap = ctl_heap;
    SIM_OK(s->st.n_nodes <= CTL_NODES && s->st.n_objects <= CTL_OBJECTS && s->st.n_ops <= CTL_OPS &&
           s->st.n_index <= CTL_INDEX);
    (void)echonet_addr_set(&s->ctl_addr, "\xC0\xA8\x00\x01", 4);
    (void)echonet_addr_set(&s->foreign, "\xAC\x10\x00\x63", 4);
    for (i = 0; i < 1024; i++)
        s->handle_op[i] = -1;
    for (i = 0; i < SIM_MAX_DEVS; i++)
        for (j = 0; j < SIM_MAX_OBJS; j++) {
            s->ka[i][j].last_attempt = NEVER;
            s->ka[i][j].retry_by = NEVER;
        }
    s->retry_slack_ms = s->cfg.response_timeout_ms;
    ctl_start(s);
    if (setup->line_up)
        sim_set_line(s, true);
    return s;
}

unsigned sim_add_dev(sim *s, const sim_dev_setup *setup)
{
    static const sim_dev_setup plain;
    unsigned i = s->n_devs++, o;
    sim_dev *d = &s->devs[i];
    echonet_node_config nc;
    echonet_propmap omit;

    if (!setup)
        setup = &plain;
    SIM_OK(i < SIM_MAX_DEVS);
    memset(d, 0, sizeof *d);
    d->cls = setup->cls ? setup->cls : 0x0130;
    if (d->cls != 0x0130) {
        SIM_OK(n_store_devs < SIM_STORE_DEVS);
        d->store = dev_stores[n_store_devs++];
    }
    d->queue = dev_queue[i];
    d->q.no_announce = setup->no_announce;
    d->n_obj = setup->n_obj ? setup->n_obj : 1;
    SIM_OK(d->n_obj <= SIM_MAX_OBJS);
    d->link = s->link_default;
    (void)echonet_addr_set(&d->addr, (const uint8_t[]){10, 0, (uint8_t)((i + 1) >> 8), (uint8_t)(i + 1)}, 4);
    memset(&nc, 0, sizeof nc);
    memcpy(nc.manufacturer, maker, 3);
    nc.unique_id[0] = (uint8_t)(i >> 8);
    nc.unique_id[1] = (uint8_t)i;
    nc.unique_id[11] = 0x3C; /* a unique part not all zeros: node 0's identifies it (issue 13) */
    nc.unique_id[12] = 0x5A;
    nc.max_opc = setup->max_opc;
    if (setup->no_keep)
        echonet_aircon_omit(&omit, NULL, 0);
    else if (setup->keep)
        echonet_aircon_omit(&omit, setup->keep, setup->n_keep);
    else
        echonet_aircon_omit(&omit, default_keep, sizeof default_keep);
    SIM_OK(echonet_node_init(&d->node, &nc, d->slots, SIM_MAX_OBJS + 1, d->queue, 8) == ECHONET_OK);
    for (o = 0; o < d->n_obj && d->cls != 0x0130; o++) {
        d->ctx[o].s = s;
        d->ctx[o].dev = i;
        d->ctx[o].obj = o;
        d->ka_last[o] = NEVER;
        store_object(s, i, o);
        SIM_OK(echonet_node_add(&d->node, &d->obj[o]) == ECHONET_OK);
    }
    for (o = 0; o < d->n_obj && d->cls == 0x0130; o++) {
        uint8_t id[17] = {0xFE, 0xFF, 0xFF, 0xF0};
        echonet_aircon *ac = &d->ac[o];

        id[4] = (uint8_t)(i >> 8);
        id[5] = (uint8_t)i;
        id[6] = (uint8_t)o;
        id[15] = 0x3C; /* (as the node profile's) */
        id[16] = 0xA5;
        SIM_OK(echonet_aircon_init(ac, maker) == ECHONET_OK);
        SIM_OK(echonet_aircon_store(ac, 0x83, id, 17) == ECHONET_OK);
        /* A unit that has run for a while: its own state. */
        SIM_OK(echonet_aircon_store(ac, 0x80, (const uint8_t[]){(uint8_t)(0x30 + sim_rand(s, 2))}, 1) == 0);
        SIM_OK(echonet_aircon_store(ac, 0xB0, (const uint8_t[]){(uint8_t)(0x41 + sim_rand(s, 5))}, 1) == 0);
        SIM_OK(echonet_aircon_store(ac, 0xB3, (const uint8_t[]){(uint8_t)(18 + sim_rand(s, 11))}, 1) == 0);
        SIM_OK(echonet_aircon_store(ac, 0xBB, (const uint8_t[]){(uint8_t)(15 + sim_rand(s, 15))}, 1) == 0);
        d->ctx[o].s = s;
        d->ctx[o].dev = i;
        d->ctx[o].obj = o;
        d->ka_last[o] = NEVER;
        SIM_OK(echonet_aircon_object_init(&d->obj[o], sim_eoj(o), &omit, &sim_ops, &d->ctx[o]) == ECHONET_OK);
        SIM_OK(echonet_node_add(&d->node, &d->obj[o]) == ECHONET_OK);
    }
    /* Its start-up 0xD5 goes out at once (AIF 3.1.1). */
    dev_pump(s, i);
    return i;
}

void sim_add_devs(sim *s, unsigned n)
{
    unsigned i;

    for (i = 0; i < n; i++)
        (void)sim_add_dev(s, NULL);
}

/* ---- Actions -------------------------------------------------------------------------------------- */

void sim_set_line(sim *s, bool up)
{
    unsigned i, j;

    if (tracing())
        fprintf(stderr, "%12llu LINE %s\n", (unsigned long long)s->now, up ? "up" : "down");
    if (up && !s->line_up)
        s->line_up_since = s->now;
    /* While the line is down no keepalive is owed (AIF 3.5 ⑦). */
    for (i = 0; i < SIM_MAX_DEVS; i++)
        for (j = 0; j < SIM_MAX_OBJS; j++)
            s->ka[i][j].retry_by = ECHONET_TSTAMP_NEVER;
    s->line_up = up;
    echonet_ctl_set_line(&s->ctl, up, s->now);
    pump(s);
}

void sim_local_set(sim *s, unsigned dev, unsigned obj, uint8_t epc, uint8_t value)
{
    sim_dev *d = &s->devs[dev];

    if (tracing())
        fprintf(stderr, "%12llu LOCAL dev %u obj %u %02X=%02X\n", (unsigned long long)s->now, dev, obj, epc, value);
    SIM_OK(echonet_node_set_local(&d->node, sim_dev_eoj(s, dev, obj), epc, &value, 1, s->now) == ECHONET_OK);
    dev_pump(s, dev);
}

void sim_announce_instances(sim *s, unsigned dev)
{
    sim_dev *d = &s->devs[dev];
    uint8_t list[1 + 3 * SIM_MAX_OBJS], buf[64];
    echonet_writer w;
    size_t len = 0;
    unsigned o;

    list[0] = 0;
    for (o = 0; o < d->n_obj; o++) {
        if (d->removed & (1u << o))
            continue;
        echonet_eoj e = sim_dev_eoj(s, dev, o);

        list[1 + 3 * list[0]] = ECHONET_EOJ_GROUP(e);
        list[2 + 3 * list[0]] = (uint8_t)ECHONET_EOJ_CLASS(e);
        list[3 + 3 * list[0]++] = ECHONET_EOJ_INSTANCE(e);
    }
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 0x7000, ECHONET_EOJ_NODE_PROFILE, ECHONET_EOJ_NODE_PROFILE, ECHONET_ESV_INF);
    echonet_writer_prop(&w, 0xD5, 1 + 3u * list[0], list);
    SIM_OK(echonet_writer_finish(&w, &len) == ECHONET_OK);
    if (!d->q.no_announce)
        link_send(s, d, -1, d->moved ? &d->addr2 : &d->addr, buf, len, 0);
}

void sim_late_searches(sim *s, unsigned dev, uint32_t min_ms, uint32_t max_ms)
{
    SIM_OK(dev < s->n_devs && min_ms <= max_ms && max_ms > 0);
    s->devs[dev].q.search_late_min_ms = min_ms;
    s->devs[dev].q.search_late_max_ms = max_ms;
}

const echonet_addr *sim_second_addr(sim *s, unsigned dev)
{
    sim_dev *d = &s->devs[dev];

    SIM_OK(dev < s->n_devs);
    (void)echonet_addr_set(&d->addr2, (const uint8_t[]){10, 1, (uint8_t)((dev + 1) >> 8), (uint8_t)(dev + 1)}, 4);
    d->two_addrs = true;
    return &d->addr2;
}

void sim_readdress(sim *s, unsigned dev)
{
    sim_dev *d = &s->devs[dev];

    SIM_OK(dev < s->n_devs && !d->two_addrs && d->readdressed < 250);
    d->readdressed++;
    (void)echonet_addr_set(&d->addr, (const uint8_t[]){10, (uint8_t)(1 + d->readdressed), (uint8_t)((dev + 1) >> 8),
                                                       (uint8_t)(dev + 1)}, 4);
    if (tracing())
        fprintf(stderr, "%12llu READDRESS dev %u to 10.%u\n", (unsigned long long)s->now, dev, 1u + d->readdressed);
    sim_announce_instances(s, dev);
}

void sim_remove_instance(sim *s, unsigned dev, unsigned obj)
{
    sim_dev *d = &s->devs[dev];

    if (tracing())
        fprintf(stderr, "%12llu REMOVE dev %u obj %u\n", (unsigned long long)s->now, dev, obj);
    SIM_OK(obj < d->n_obj && echonet_node_remove(&d->node, sim_dev_eoj(s, dev, obj)) == ECHONET_OK);
    d->removed |= (uint8_t)(1u << obj);
    d->removed_told[obj] = NEVER;
    dev_pump(s, dev); /* its 0xD5 */
}

void sim_loss_burst(sim *s, unsigned dev, uint32_t ms)
{
    s->devs[dev].burst_until = echonet_tstamp_add(s->now, ms);
}

void sim_inject(sim *s, const echonet_addr *src, const uint8_t *buf, size_t len, uint32_t delay_ms)
{
    enqueue(s, -1, src, buf, len, echonet_tstamp_add(s->now, delay_ms));
}

echonet_err sim_reboot_ctl(sim *s, uint8_t *snap, size_t cap, size_t *len)
{
    echonet_err err;
    unsigned i;

    for (i = 0; i < s->n_ops; i++)
        SIM_CHECK(s->ops[i].done == 1, "reboot with operation %u running", i);
    SIM_OK(echonet_ctl_save(&s->ctl, snap, cap, len) == ECHONET_OK);
    /* A new controller: its TIDs and in-flight requests start afresh. */
    memset(s->inflight, 0, sizeof s->inflight);
    memset(s->tid_count, 0, sizeof s->tid_count);
    s->searched = false;
    s->requests = 0;
    ctl_start(s); /* restored objects are ready at once (no READY event) */
    err = echonet_ctl_restore(&s->ctl, snap, *len, s->now);
    if (s->line_up)
        echonet_ctl_set_line(&s->ctl, true, s->now);
    pump(s);
    return err;
}

/* ---- Operations --------------------------------------------------------------------------------------- */

static int op_started(sim *s, echonet_err err, uint16_t handle, unsigned dev, unsigned obj)
{
    sim_op *op;

    if (err != ECHONET_OK)
        return -1;
    SIM_OK(s->n_ops < SIM_MAX_OPS);
    SIM_CHECK(handle < 1024 && s->handle_op[handle] < 0, "handle %u given while running", handle);
    op = &s->ops[s->n_ops];
    memset(op, 0, sizeof *op);
    op->handle = handle;
    op->node = sim_node(s, dev);
    op->eoj = sim_dev_eoj(s, dev, obj);
    op->dev = dev;
    op->obj = obj;
    op->started = s->now;
    s->handle_op[handle] = (int)s->n_ops;
    return (int)s->n_ops++;
}

#define OP_CALL(call)                                                                                                  \
    do {                                                                                                               \
        uint16_t h = ECHONET_CTL_NONE;                                                                                 \
        echonet_err e_ = (call);                                                                                       \
        int id;                                                                                                        \
        if (err)                                                                                                       \
            *err = e_;                                                                                                 \
        id = op_started(s, e_, h, dev, obj);                                                                           \
        pump(s);                                                                                                       \
        return id;                                                                                                     \
    } while (0)

int sim_get(sim *s, unsigned dev, unsigned obj, const uint8_t *epcs, size_t n, echonet_err *err)
{
    OP_CALL(echonet_ctl_get(&s->ctl, sim_node(s, dev), sim_dev_eoj(s, dev, obj), epcs, n, &h));
}

int sim_set(sim *s, unsigned dev, unsigned obj, const echonet_prop *props, size_t n, echonet_err *err)
{
    OP_CALL(echonet_ctl_set(&s->ctl, sim_node(s, dev), sim_dev_eoj(s, dev, obj), props, n, &h));
}

int sim_set1(sim *s, unsigned dev, unsigned obj, uint8_t epc, uint8_t value, echonet_err *err)
{
    echonet_prop p;

    p.epc = epc;
    p.pdc = 1;
    p.edt = &value;
    return sim_set(s, dev, obj, &p, 1, err);
}

int sim_probe(sim *s, unsigned dev, unsigned obj, uint8_t mode, int low, int high, echonet_err *err)
{
    OP_CALL(echonet_ctl_probe(&s->ctl, sim_node(s, dev), sim_dev_eoj(s, dev, obj), mode, low, high, &h));
}

int sim_read_fault(sim *s, unsigned dev, unsigned obj, echonet_err *err)
{
    OP_CALL(echonet_ctl_read_fault(&s->ctl, sim_node(s, dev), sim_dev_eoj(s, dev, obj), &h));
}

/* ---- Queries and checks ----------------------------------------------------------------------------------- */

bool sim_ready(const sim *s, unsigned dev)
{
    uint16_t node = sim_node(s, dev);

    uint8_t all = (uint8_t)(((1u << s->devs[dev].n_obj) - 1u) & ~s->devs[dev].removed);

    return node != ECHONET_CTL_NONE && echonet_ctl_node_online(&s->ctl, node) && (s->ready_mask[dev] & all) == all;
}

echonet_ctl_state sim_cached(const sim *s, unsigned dev, unsigned obj)
{
    echonet_ctl_state st;

    memset(&st, 0, sizeof st);
    SIM_OK(echonet_ctl_object_info(&s->ctl, sim_node(s, dev), sim_dev_eoj(s, dev, obj), &st, NULL, NULL, NULL) ==
           ECHONET_OK);
    return st;
}

void sim_check_ops_done(const sim *s)
{
    unsigned i;

    for (i = 0; i < s->n_ops; i++)
        SIM_CHECK(s->ops[i].done == 1, "operation %u (started at %llu on node %u) ended %u times", i,
                  (unsigned long long)s->ops[i].started, s->ops[i].dev, s->ops[i].done);
}

void sim_check_converged(const sim *s)
{
    unsigned i, o, k;

    for (i = 0; i < s->n_devs; i++) {
        uint16_t node = sim_node(s, i);

        SIM_CHECK(node != ECHONET_CTL_NONE, "node %u unknown", i);
        SIM_CHECK(echonet_ctl_node_online(&s->ctl, node), "node %u offline at t=%llu", i, (unsigned long long)s->now);
        for (o = 0; o < s->devs[i].n_obj; o++) {
            echonet_ctl_state st;

            if (s->devs[i].removed & (1u << o)) {
                SIM_CHECK(echonet_ctl_object_info(&s->ctl, node, sim_dev_eoj(s, i, o), NULL, NULL, NULL, NULL) ==
                              ECHONET_ERR_NOT_FOUND,
                          "t=%llu node %u object %u: removed from its list, still known", (unsigned long long)s->now,
                          i, o);
                continue;
            }
            st = sim_cached(s, i, o);
            const uint8_t cached[] = {st.status, st.power_saving, st.mode, st.temp, st.room, st.flow, st.fault};

            for (k = 0; k < sizeof state_epcs; k++) {
                uint8_t truth;

                if (s->devs[i].cls != 0x0130) {
                    /* Another class: only its superclass state is cached
                     * (its 0xB0..0xBB mean something else, issue 14). */
                    if (state_epcs[k] != 0x80 && state_epcs[k] != 0x88) {
                        SIM_CHECK(!(st.valid & (1u << k)), "t=%llu node %u object %u: %02X cached as aircon state",
                                  (unsigned long long)s->now, i, o, state_epcs[k]);
                        continue;
                    }
                }
                truth = sim_value(s, i, o, state_epcs[k]);

                if (echonet_propmap_contains(&s->devs[i].q.silent, state_epcs[k]))
                    continue; /* never answered: nothing to compare */

                SIM_CHECK(st.valid & (1u << k), "t=%llu node %u object %u: %02X never read", (unsigned long long)s->now,
                          i, o, state_epcs[k]);
                SIM_CHECK(cached[k] == truth, "t=%llu node %u object %u: %02X cached %02X, unit has %02X",
                          (unsigned long long)s->now, i, o, state_epcs[k], cached[k], truth);
            }
        }
    }
}

void sim_check_keepalive(sim *s)
{
    unsigned i, o;

    if (!s->line_up)
        return;
    for (i = 0; i < s->n_devs; i++) {
        for (o = 0; o < s->devs[i].n_obj; o++) {
            sim_ka *ka = &s->ka[i][o];
            echonet_tstamp last = s->devs[i].ka_last[o];

            if (s->devs[i].removed & (1u << o))
                continue; /* no keepalive owed to an object the unit no longer has */
            if (s->strong_keepalive && last != NEVER && last >= s->line_up_since)
                SIM_CHECK(s->now - last <= s->cfg.keepalive_interval_ms,
                          "t=%llu node %u object %u: no keepalive since %llu", (unsigned long long)s->now, i, o,
                          (unsigned long long)last);
            if (!s->weak_keepalive)
                continue;
            if (ka->last_attempt != NEVER && ka->last_attempt >= s->line_up_since)
                SIM_CHECK(s->now - ka->last_attempt <= s->cfg.keepalive_interval_ms,
                          "t=%llu node %u object %u: no keepalive attempt since %llu", (unsigned long long)s->now, i, o,
                          (unsigned long long)ka->last_attempt);
            if (ka->retry_by != NEVER)
                SIM_CHECK(s->now <= ka->retry_by, "t=%llu node %u object %u: failed keepalive not retried",
                          (unsigned long long)s->now, i, o);
        }
    }
}

const sim_sent *sim_sent_at(const sim *s, uint64_t i)
{
    SIM_OK(i < s->n_log && i + SIM_LOG >= s->n_log);
    return &s->log[i % SIM_LOG];
}

unsigned sim_count_sent(const sim *s, uint64_t from, int dev, uint8_t esv, uint8_t epc)
{
    uint64_t i = from + SIM_LOG < s->n_log ? s->n_log - SIM_LOG : from;
    unsigned c = 0;

    for (; i < s->n_log; i++) {
        const sim_sent *e = &s->log[i % SIM_LOG];
        echonet_frame f;
        echonet_prop p;

        if (e->dev < 0 && dev != -2)
            continue;
        if (dev >= 0 && e->dev != dev)
            continue;
        if (echonet_frame_decode_udp(&f, e->buf, e->len, NULL) != ECHONET_OK)
            continue;
        if (esv && f.esv != esv)
            continue;
        if (epc && !echonet_prop_find(f.props, epc, &p))
            continue;
        c++;
    }
    return c;
}
