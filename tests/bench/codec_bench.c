/* Speed of the codec and of a device node, per frame: wall-clock
 * nanoseconds (best of several runs, noisy on a shared machine) and, under
 * callgrind, instructions (repeatable).
 *
 *   codec_bench [ITERATIONS [RUNS]]
 *        time every case: ITERATIONS frames per run (default 200000), the
 *        fastest of RUNS runs (default 7); prints "case bytes ns/frame"
 *   valgrind --tool=callgrind --collect-atstart=no codec_bench 1000 1
 *        collection is on only around each case's loop of the first run,
 *        and the counts are dumped once per case under the case's name
 *        (see run.sh, which divides by the iterations)
 *
 * Every case is checked before it is measured (and its last result again
 * after), against frames written out by hand from the reference (3.5), so
 * that an error path cannot be measured by mistake: a mismatch aborts.
 * The "harness" case is an empty frame function: the cost of the loop and
 * the indirect call that every other figure includes.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include <echonet/echonet.h>

/* ---- Frames (reference 2.2, 2.3, 3.5; controller 05FF01, aircon 013001) -- */

/* Get 0x80 (TID 0001): 12-byte header + one EPC/PDC pair = 14 bytes. */
static const uint8_t get1[] = {0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x01, 0x30, 0x01, 0x62, 0x01, 0x80, 0x00};

/* Get_Res of 0x80, 0xB0, 0xB3, 0xBB from a factory-fresh aircon: OFF (0x31),
 * automatic (0x41), 20 °C set (0x14), 20 °C in the room (0x14): 12 + 4 x 3 =
 * 24 bytes. The node case below must answer exactly this. */
static const uint8_t get_res4[] = {0x10, 0x81, 0x00, 0x01, 0x01, 0x30, 0x01, 0x05, 0xFF, 0x01, 0x72, 0x04,
                                   0x80, 0x01, 0x31, 0xB0, 0x01, 0x41, 0xB3, 0x01, 0x14, 0xBB, 0x01, 0x14};

/* INF to the node profile, six one-byte values: ON (0x30), cooling (0x42),
 * 26 °C set (0x1A), 25 °C in the room (0x19), air flow automatic (0x41), no
 * fault (0x42 at 0x88): 12 + 6 x 3 = 30 bytes. */
static const uint8_t inf6[] = {0x10, 0x81, 0x00, 0x10, 0x01, 0x30, 0x01, 0x0E, 0xF0, 0x01, 0x73, 0x06, 0x80, 0x01, 0x30,
                               0xB0, 0x01, 0x42, 0xB3, 0x01, 0x1A, 0xBB, 0x01, 0x19, 0xA0, 0x01, 0x41, 0x88, 0x01, 0x42};

/* SetGet (TID 0006): set ON, read 0x80 and 0xB0 (reference 3.5): 20 bytes. */
static const uint8_t setget[] = {0x10, 0x81, 0x00, 0x06, 0x05, 0xFF, 0x01, 0x01, 0x30, 0x01,
                                 0x6E, 0x01, 0x80, 0x01, 0x30, 0x02, 0x80, 0x00, 0xB0, 0x00};

/* Get 0x80, 0xB0, 0xB3 (TID 0001, reference 3.5): what the writer builds. */
static const uint8_t get3[] = {0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x01, 0x30, 0x01,
                               0x62, 0x03, 0x80, 0x00, 0xB0, 0x00, 0xB3, 0x00};

/* Get 0x80, 0xB0, 0xB3, 0xBB (TID 0001) to the aircon: 20 bytes. */
static const uint8_t get4[] = {0x10, 0x81, 0x00, 0x01, 0x05, 0xFF, 0x01, 0x01, 0x30, 0x01,
                               0x62, 0x04, 0x80, 0x00, 0xB0, 0x00, 0xB3, 0x00, 0xBB, 0x00};

/* ---- State of the cases ------------------------------------------------- */

static const uint8_t *in;      /* the frame a codec case works on */
static size_t in_len;
static echonet_frame frame;    /* decoded from it */
static uint8_t out[256];       /* what a case wrote */
static size_t out_len;
static int32_t result;         /* the last call's return value */
static unsigned bad;           /* iterations whose call failed */

static echonet_aircon model;
static echonet_object obj;
static echonet_object *slot;
static echonet_node_request queue[1];
static echonet_node node;
static echonet_addr peer, dst;
static bool multicast;

static void fail(const char *what, const char *why)
{
    fprintf(stderr, "codec_bench: %s: %s\n", what, why);
    abort();
}

/* ---- One frame of each case --------------------------------------------- */

static void run_harness(void)
{
}

static void run_decode(void)
{
    result = echonet_frame_decode_udp(&frame, in, in_len, NULL);
    bad += result != ECHONET_OK;
}

static void run_encode(void)
{
    result = echonet_frame_encode(&frame, out, sizeof out, &out_len);
    bad += result != ECHONET_OK;
}

static void run_roundtrip(void)
{
    result = echonet_frame_decode_udp(&frame, in, in_len, NULL);
    bad += result != ECHONET_OK;
    result = echonet_frame_encode(&frame, out, sizeof out, &out_len);
    bad += result != ECHONET_OK;
}

static void run_build(void)
{
    echonet_writer w;

    echonet_writer_init(&w, out, sizeof out);
    echonet_writer_header(&w, 0x0001, ECHONET_EOJ_CONTROLLER, 0x013001, ECHONET_ESV_GET);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    echonet_writer_prop(&w, 0xB0, 0, NULL);
    echonet_writer_prop(&w, 0xB3, 0, NULL);
    result = echonet_writer_finish(&w, &out_len);
    bad += result != ECHONET_OK;
}

/* The node takes the request and writes its answer: one whole exchange. */
static void run_node(void)
{
    bad += echonet_node_read(&node, &peer, in, in_len) != ECHONET_NODE_HANDLED;
    result = echonet_node_write(&node, &dst, &multicast, out, sizeof out, 0);
    out_len = result > 0 ? (size_t)result : 0;
    bad += result <= 0;
}

/* ---- Checks ------------------------------------------------------------- */

/* The decoded frame says what the bytes say, and encodes back to them. */
static void check_decoded(const char *name, uint8_t esv, uint8_t opc, uint8_t opc_get)
{
    echonet_prop_iter it = frame.props;
    echonet_prop p;
    unsigned n = 0;
    uint8_t again[256];
    size_t again_len;

    if (result != ECHONET_OK || frame.format != 1 || frame.len != in_len || frame.esv != esv ||
        frame.opc != opc || frame.opc_get != opc_get || frame.tid != ((unsigned)in[2] << 8 | in[3]) ||
        frame.seoj != echonet_eoj_read(in + 4) || frame.deoj != echonet_eoj_read(in + 7))
        fail(name, "decoded header differs from the frame");
    while (echonet_prop_next(&it, &p))
        n++;
    it = frame.props_get;
    while (echonet_prop_next(&it, &p))
        n++;
    if (n != (unsigned)opc + opc_get)
        fail(name, "wrong number of properties");
    if (echonet_frame_encode(&frame, again, sizeof again, &again_len) != ECHONET_OK || again_len != in_len ||
        memcmp(again, in, in_len) != 0)
        fail(name, "decoded frame does not encode back to its bytes");
}

static void check_out(const char *name, const uint8_t *want, size_t want_len)
{
    if (result < 0 || out_len != want_len || memcmp(out, want, want_len) != 0)
        fail(name, "output differs from the expected frame");
}

static void setup_node(void)
{
    static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0};
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 0};
    if (echonet_aircon_init(&model, maker) != ECHONET_OK ||
        echonet_aircon_object_init(&obj, 0x013001, NULL, &echonet_aircon_ops, &model) != ECHONET_OK ||
        echonet_node_init(&node, &cfg, &slot, 1, queue, 1) != ECHONET_OK || echonet_node_add(&node, &obj) != ECHONET_OK)
        fail("node", "set-up failed");
    (void)echonet_addr_set(&peer, "\xC0\xA8\x01\x0A", 4);
    /* The start-up 0xD5 announcement goes out first, outside the measure. */
    if (echonet_node_write(&node, &dst, &multicast, out, sizeof out, 0) <= 0 || !multicast)
        fail("node", "no start-up announcement");
}

/* ---- Cases -------------------------------------------------------------- */

enum kind { K_HARNESS, K_DECODE, K_ENCODE, K_ROUNDTRIP, K_BUILD, K_NODE };

typedef struct bench_case {
    const char *name; /* also the callgrind dump's name; run.sh labels it */
    enum kind kind;
    const uint8_t *frame;
    size_t len;
    uint8_t esv, opc, opc_get; /* what decoding must find */
} bench_case;

#define FRAME(f) f, sizeof f

static const bench_case cases[] = {
    {"harness", K_HARNESS, NULL, 0, 0, 0, 0},
    {"get1.decode", K_DECODE, FRAME(get1), 0x62, 1, 0},
    {"get1.encode", K_ENCODE, FRAME(get1), 0x62, 1, 0},
    {"get1.roundtrip", K_ROUNDTRIP, FRAME(get1), 0x62, 1, 0},
    {"getres4.decode", K_DECODE, FRAME(get_res4), 0x72, 4, 0},
    {"getres4.encode", K_ENCODE, FRAME(get_res4), 0x72, 4, 0},
    {"getres4.roundtrip", K_ROUNDTRIP, FRAME(get_res4), 0x72, 4, 0},
    {"inf6.decode", K_DECODE, FRAME(inf6), 0x73, 6, 0},
    {"inf6.encode", K_ENCODE, FRAME(inf6), 0x73, 6, 0},
    {"inf6.roundtrip", K_ROUNDTRIP, FRAME(inf6), 0x73, 6, 0},
    {"setget.decode", K_DECODE, FRAME(setget), 0x6E, 1, 2},
    {"setget.encode", K_ENCODE, FRAME(setget), 0x6E, 1, 2},
    {"setget.roundtrip", K_ROUNDTRIP, FRAME(setget), 0x6E, 1, 2},
    {"get3.build", K_BUILD, FRAME(get3), 0x62, 3, 0},
    {"node.get4", K_NODE, FRAME(get4), 0x62, 4, 0},
};

#define N_CASES (sizeof cases / sizeof cases[0])

static void (*const runs[])(void) = {run_harness, run_decode, run_encode, run_roundtrip, run_build, run_node};

/* Prepares a case and checks one frame of it; returns its frame function. */
static void (*prepare(const bench_case *c))(void)
{
    void (*run)(void) = runs[c->kind];

    in = c->frame;
    in_len = c->len;
    if (c->kind == K_ENCODE) {
        result = echonet_frame_decode_udp(&frame, in, in_len, NULL);
        check_decoded(c->name, c->esv, c->opc, c->opc_get);
    }
    if (c->kind == K_NODE)
        setup_node();
    bad = 0;
    run();
    if (bad != 0)
        fail(c->name, "a call failed");
    return run;
}

/* Checks the result of the last frame run. */
static void check(const bench_case *c)
{
    if (bad != 0)
        fail(c->name, "a call failed");
    switch (c->kind) {
    case K_HARNESS:
        break;
    case K_DECODE:
        check_decoded(c->name, c->esv, c->opc, c->opc_get);
        break;
    case K_ENCODE:
    case K_ROUNDTRIP:
        check_out(c->name, c->frame, c->len);
        break;
    case K_BUILD:
        check_out(c->name, get3, sizeof get3);
        break;
    case K_NODE:
        check_out(c->name, get_res4, sizeof get_res4);
        if (multicast || !echonet_addr_equal(&dst, &peer))
            fail(c->name, "answer not sent back to the asker");
        break;
    }
}

static double elapsed_ns(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e9 + (double)(b->tv_nsec - a->tv_nsec);
}

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000;
    unsigned long n_runs = argc > 2 ? strtoul(argv[2], NULL, 10) : 7;
    static double best[N_CASES];
    unsigned long r, k;
    size_t i;

    if (iterations == 0 || n_runs == 0) {
        fprintf(stderr, "usage: codec_bench [ITERATIONS [RUNS]]\n");
        return 2;
    }
    /* Runs go round the cases, so that a busy spell of the machine hits
     * one run of every case rather than every run of one case. */
    for (r = 0; r < n_runs; r++) {
        for (i = 0; i < N_CASES; i++) {
            const bench_case *c = &cases[i];
            void (*run)(void) = prepare(c);
            struct timespec t0, t1;
            double ns;

            check(c);
            clock_gettime(CLOCK_MONOTONIC, &t0);
            if (r == 0)
                CALLGRIND_TOGGLE_COLLECT;
            for (k = 0; k < iterations; k++)
                run();
            if (r == 0) {
                CALLGRIND_TOGGLE_COLLECT;
                CALLGRIND_DUMP_STATS_AT(c->name);
            }
            clock_gettime(CLOCK_MONOTONIC, &t1);
            check(c);
            ns = elapsed_ns(&t0, &t1) / (double)iterations;
            if (r == 0 || ns < best[i])
                best[i] = ns;
        }
    }
    printf("# %lu frames per run, best of %lu runs\n", iterations, n_runs);
    printf("# case bytes ns/frame\n");
    for (i = 0; i < N_CASES; i++)
        printf("%s %zu %.1f\n", cases[i].name, cases[i].len, best[i]);
    return 0;
}
