/* Cost of the controller per received response and per deadline, with N
 * nodes known, counted in instructions by callgrind (deterministic) and, as
 * a rough figure, in nanoseconds.
 *
 *   ctl_scale N            run with N nodes (each one air conditioner, built
 *                          from the library's device side), print figures
 *   valgrind --tool=callgrind --collect-atstart=no ./ctl_scale N
 *                          count only the measured calls (see ctl_scale.sh)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include <echonet/echonet.h>

#define MAX_NODES 512
#define ROUNDS 200

static echonet_ctl_node nodes[MAX_NODES];
static echonet_ctl_object objects[MAX_NODES];
static echonet_ctl_op ops[8];
static uint16_t index_slots[2 * MAX_NODES];
static uint16_t heap[MAX_NODES];

static echonet_aircon models[MAX_NODES];
static echonet_object objs[MAX_NODES];
static echonet_object *slots[MAX_NODES];
static echonet_node devs[MAX_NODES];
static echonet_node_request queues[MAX_NODES][1];
static echonet_addr addrs[MAX_NODES];
static echonet_addr me;

static echonet_ctl ctl;
static unsigned n_nodes, ready, done;
static echonet_tstamp now;

static void on_event(void *user, const echonet_ctl_event *ev)
{
    (void)user;
    if (ev->kind == ECHONET_CTL_EV_READY)
        ready++;
    if (ev->kind == ECHONET_CTL_EV_DONE)
        done++;
}

static unsigned addr_index(const echonet_addr *a)
{
    return (unsigned)a->bytes[2] << 8 | a->bytes[3];
}

/* Hands a controller datagram to the device(s) it is for. */
static void to_devices(const echonet_addr *dst, bool multicast, const uint8_t *buf, size_t len)
{
    unsigned i;

    if (!multicast) {
        (void)echonet_node_read(&devs[addr_index(dst)], &me, buf, len);
        return;
    }
    for (i = 0; i < n_nodes; i++)
        (void)echonet_node_read(&devs[i], &me, buf, len);
}

/* Delivers everything in flight until the network is quiet. */
static void settle(void)
{
    uint8_t buf[1500];
    echonet_addr dst;
    bool mc;
    int32_t n;
    bool busy = true;
    unsigned i;

    while (busy) {
        busy = false;
        while ((n = echonet_ctl_write(&ctl, &dst, &mc, buf, sizeof buf, now)) > 0) {
            to_devices(&dst, mc, buf, (size_t)n);
            busy = true;
        }
        for (i = 0; i < n_nodes; i++) {
            while ((n = echonet_node_write(&devs[i], &dst, &mc, buf, sizeof buf, now)) > 0) {
                (void)echonet_ctl_read(&ctl, &addrs[i], buf, (size_t)n, now);
                busy = true;
            }
        }
    }
}

static double elapsed_ns(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
    static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0};
    echonet_ctl_storage st = {nodes, 0, objects, 0, ops, 8, index_slots, 0, heap};
    echonet_ctl_callbacks cb = {on_event};
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {0}, 0};
    echonet_ctl_config cc;
    unsigned i, r;
    double ns_read = 0, ns_write = 0;
    /* What echonet_ctl_write() asks for: 318 bytes with the largest sizes (config.h). */
    uint8_t req[ECHONET_HEADER_LEN + 3 * (ECHONET_CTL_BATCH_MAX + 1) + ECHONET_CTL_VALUE_BYTES], res[1500];
    int32_t req_len, res_len;

    n_nodes = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
    if (n_nodes < 1 || n_nodes > MAX_NODES)
        return 2;
    st.n_nodes = st.n_objects = (uint16_t)n_nodes;
    for (st.n_index = 2; st.n_index < 2 * n_nodes; st.n_index = (uint16_t)(st.n_index * 2))
        ;
    echonet_addr_set(&me, "\x0A\x00\x00\x01", 4);
    for (i = 0; i < n_nodes; i++) {
        uint8_t a[4] = {10, 1, (uint8_t)(i >> 8), (uint8_t)i};

        echonet_addr_set(&addrs[i], a, 4);
        cfg.unique_id[12] = (uint8_t)i;
        if (echonet_aircon_init(&models[i], maker) != ECHONET_OK ||
            echonet_aircon_object_init(&objs[i], 0x013001, NULL, &echonet_aircon_ops, &models[i]) !=
                ECHONET_OK ||
            echonet_node_init(&devs[i], &cfg, &slots[i], 1, queues[i], 1) != ECHONET_OK ||
            echonet_node_add(&devs[i], &objs[i]) != ECHONET_OK)
            return 1;
    }
    echonet_ctl_config_default(&cc);
    if (echonet_ctl_init(&ctl, &cc, &cb, NULL, &st) != ECHONET_OK || echonet_ctl_read_energy(&ctl) != ECHONET_OK)
        return 1;
    settle(); /* discovery: every node found and ready */
    if (ready != n_nodes) {
        fprintf(stderr, "only %u of %u nodes ready\n", ready, n_nodes);
        return 1;
    }

    for (r = 0; r < ROUNDS; r++) {
        unsigned k = (r * 7919u) % n_nodes;
        static const uint8_t epc = 0x80;
        struct timespec t0, t1, t2;
        echonet_addr dst;
        bool mc;

        if (echonet_ctl_get(&ctl, (uint16_t)k, 0x013001, &epc, 1, NULL) != ECHONET_OK)
            return 1;
        /* Per deadline: the write that finds the work and sends the request. */
        clock_gettime(CLOCK_MONOTONIC, &t0);
        CALLGRIND_TOGGLE_COLLECT;
        req_len = echonet_ctl_write(&ctl, &dst, &mc, req, sizeof req, now);
        CALLGRIND_TOGGLE_COLLECT;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (req_len <= 0 || addr_index(&dst) != k)
            return 1;
        (void)echonet_node_read(&devs[k], &me, req, (size_t)req_len);
        res_len = echonet_node_write(&devs[k], &dst, &mc, res, sizeof res, now);
        if (res_len <= 0)
            return 1;
        /* Per received frame: the response. */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CALLGRIND_TOGGLE_COLLECT;
        (void)echonet_ctl_read(&ctl, &addrs[k], res, (size_t)res_len, now);
        CALLGRIND_TOGGLE_COLLECT;
        clock_gettime(CLOCK_MONOTONIC, &t2);
        ns_write += elapsed_ns(&t0, &t1);
        ns_read += elapsed_ns(&t1, &t2);
        now += 10;
    }
    if (done != ROUNDS)
        return 1;
    printf("nodes %u: %u rounds, write %.0f ns, read %.0f ns (wall clock, noisy)\n", n_nodes, ROUNDS,
           ns_write / ROUNDS, ns_read / ROUNDS);
    return 0;
}
