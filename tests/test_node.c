/* Device node: every ESV path and SNA rule of reference 3.2-3.4, instance
 * 0x00 fan-out, node-profile derivation (maps, 0xD3-0xD7 for 1, 8 and 85
 * objects), announcements, answers that fit the caller's buffer, max_opc,
 * and the 20-hour line-health rule of the aircon model (AIF 3.5) with
 * injected time. Expected frames are written out by hand from the
 * reference's worked examples. */
#include <string.h>

#include "echonet/aircon.h"
#include "echonet/frame.h"
#include "echonet/node.h"
#include "tests.h"

#define MAX_OBJ 90

static const uint8_t maker[3] = {0xFF, 0xFF, 0xF0};
static const uint8_t keep[] = {0x83, 0x86, 0x89, 0x93}; /* the reference's worked example (9.2) */

static echonet_aircon models[MAX_OBJ];
static echonet_object objs[MAX_OBJ];
static echonet_object *slots[MAX_OBJ];
static echonet_node_request queue[4];
static echonet_node node;
static echonet_addr peer, other;

static void setup_node(unsigned n_aircons, uint8_t max_opc)
{
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, max_opc};
    echonet_propmap omit;
    unsigned i;

    echonet_aircon_omit(&omit, keep, sizeof keep);
    ck_assert_int_eq(echonet_node_init(&node, &cfg, slots, MAX_OBJ, queue, 4), ECHONET_OK);
    for (i = 0; i < n_aircons; i++) {
        ck_assert_int_eq(echonet_aircon_init(&models[i], maker), ECHONET_OK);
        ck_assert_int_eq(echonet_aircon_object_init(&objs[i], ECHONET_EOJ_OF_CLASS(0x0130, i + 1), &omit,
                                                    &echonet_aircon_ops, &models[i]),
                         ECHONET_OK);
        ck_assert_int_eq(echonet_node_add(&node, &objs[i]), ECHONET_OK);
    }
    echonet_addr_set(&peer, "\xC0\xA8\x01\x0A", 4);
    echonet_addr_set(&other, "\xC0\xA8\x01\x0B", 4);
}

static int32_t feed_from(const echonet_addr *src, const char *hex)
{
    uint8_t b[512];
    size_t len = test_hex(hex, b, sizeof b);

    return echonet_node_read(&node, src, guard_place(b, len), len);
}

static int32_t feed(const char *hex)
{
    return feed_from(&peer, hex);
}

/* Takes the next datagram and compares it with @p hex; multicast says where
 * it must go (unicast: to the peer that asked). */
static void expect_at(const char *hex, bool multicast, echonet_tstamp now)
{
    uint8_t want[600], got[1500];
    size_t n = test_hex(hex, want, sizeof want);
    echonet_addr dst;
    bool mc = !multicast;
    int32_t len = echonet_node_write(&node, &dst, &mc, got, sizeof got, now);

    ck_assert_msg(len == (int32_t)n, "length %d, want %zu", len, n);
    ck_assert_mem_eq(got, want, n);
    ck_assert_int_eq(mc, multicast);
    if (!multicast)
        ck_assert(echonet_addr_equal(&dst, &peer));
}

static void expect(const char *hex, bool multicast)
{
    expect_at(hex, multicast, 0);
}

static void expect_nothing_at(echonet_tstamp now)
{
    uint8_t got[1500];
    echonet_addr dst;
    bool mc;

    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, sizeof got, now), 0);
}

static void expect_nothing(void)
{
    expect_nothing_at(0);
}

/* The start-up 0xD5 announcement of one aircon (reference 6.2), consumed. */
static void skip_startup(void)
{
    expect("10 81 00 00 0E F0 01 0E F0 01 73 01 D5 04 01 01 30 01", true);
}

/* ---- Reference worked exchanges ------------------------------------------ */

START_TEST(startup_instance_list)
{
    setup_node(1, 0);
    skip_startup();
    expect_nothing();
}
END_TEST

START_TEST(attributes_get_9_2)
{
    setup_node(1, 0);
    ck_assert_int_eq(feed("10 81 00 07 05 FF 01 01 30 01 62 04 82 00 9D 00 9E 00 9F 00"), ECHONET_NODE_HANDLED);
#if ECHONET_AIRCON_OPTIONAL
    expect("10 81 00 07 01 30 01 05 FF 01 72 04 82 04 00 00 48 00 9D 07 06 80 81 88 8F A0 B0"
           " 9E 08 07 80 81 8F 93 A0 B0 B3 9F 11 11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03",
           false);
#else
    /* Mandatory properties only (config.h): no 0x83, 0x86, 0x89, 0x93; the
     * Get map of 13 is a list. */
    expect("10 81 00 07 01 30 01 05 FF 01 72 04 82 04 00 00 48 00 9D 07 06 80 81 88 8F A0 B0"
           " 9E 07 06 80 81 8F A0 B0 B3 9F 0E 0D 80 81 82 88 8A 8F 9D 9E 9F A0 B0 B3 BB",
           false);
#endif
    skip_startup();
    expect_nothing();
}
END_TEST

START_TEST(get_res_and_get_sna_3_5)
{
    setup_node(1, 0);
    skip_startup();
    /* Factory state is OFF/auto/20 C: make it the reference's ON/cooling/26. */
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 03 80 01 30 B0 01 42 B3 01 1A"), 0);
    expect("10 81 00 02 01 30 01 05 FF 01 71 03 80 00 B0 00 B3 00", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 02 80 01 30 B0 01 42", true); /* announced */
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 62 03 80 00 B0 00 B3 00"), 0);
    expect("10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01 1A", false);
    /* A property the device lacks (0xBA was omitted): Get_SNA, PDC 0 for it,
     * the good values kept, request order kept. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 62 03 80 00 BA 00 B3 00"), 0);
    expect("10 81 00 03 01 30 01 05 FF 01 52 03 80 01 30 BA 00 B3 01 1A", false);
    /* A Set-only property (0xD0) is not readable either. 0xD0 is omitted;
     * an EPC outside the table likewise. */
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 62 02 F5 00 80 00"), 0);
    expect("10 81 00 04 01 30 01 05 FF 01 52 02 F5 00 80 01 30", false);
}
END_TEST

#if ECHONET_AIRCON_OPTIONAL
START_TEST(setc_with_remote_prefix_3_5)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 04 93 01 42 80 01 30 B0 01 42 B3 01 1A"), 0);
    expect("10 81 00 02 01 30 01 05 FF 01 71 04 93 00 80 00 B0 00 B3 00", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 02 80 01 30 B0 01 42", true);
    /* 0xB3 out of range: SetC_SNA echoing the value; the others applied. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 61 02 B0 01 43 B3 01 33"), 0);
    expect("10 81 00 03 01 30 01 05 FF 01 51 02 B0 00 B3 01 33", false);
    expect("10 81 00 02 01 30 01 0E F0 01 73 01 B0 01 43", true);
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 62 02 B0 00 B3 00"), 0);
    expect("10 81 00 04 01 30 01 05 FF 01 72 02 B0 01 43 B3 01 1A", false);
}
END_TEST
#else
/* Mandatory properties only (config.h): 0x93 is not in the table, so a
 * write of it is refused (echoed) and arms no 20-hour stop. */
START_TEST(remote_setting_absent)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 02 93 01 42 80 01 30"), 0);
    expect("10 81 00 02 01 30 01 05 FF 01 51 02 93 01 42 80 00", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true);
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    expect_nothing_at(ECHONET_HOURS(100));
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 62 02 80 00 93 00"), 0);
    expect_at("10 81 00 03 01 30 01 05 FF 01 52 02 80 01 30 93 00", false, ECHONET_HOURS(100));
}
END_TEST
#endif

/* Everything a Set can be refused for: read-only code, wrong size, not in
 * the Set map, read-only property, unknown EPC, omitted property. */
START_TEST(setc_sna_rules)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 01 61 07 B3 01 FD 80 02 30 30 BB 01 10 F0 01 00 BA 01 10"
                          " 80 01 30 D0 01 41"),
                     0);
    expect("10 81 00 05 01 30 01 05 FF 01 51 07 B3 01 FD 80 02 30 30 BB 01 10 F0 01 00 BA 01 10 80 00 D0 01 41",
           false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true);
    /* A Set with no value at all is refused too. */
    ck_assert_int_eq(feed("10 81 00 06 05 FF 01 01 30 01 61 01 80 00"), 0);
    expect("10 81 00 06 01 30 01 05 FF 01 51 01 80 00", false);
}
END_TEST

START_TEST(seti_silent_unless_refused)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 07 05 FF 01 01 30 01 60 01 B3 01 19"), 0);
    expect_nothing(); /* all accepted: no answer (reference 3.3); 0xB3 not announced */
    ck_assert_int_eq(feed("10 81 00 08 05 FF 01 01 30 01 60 02 B3 01 18 A0 01 39"), 0);
    expect("10 81 00 08 01 30 01 05 FF 01 50 02 B3 00 A0 01 39", false);
    ck_assert_int_eq(feed("10 81 00 09 05 FF 01 01 30 01 62 01 B3 00"), 0);
    expect("10 81 00 09 01 30 01 05 FF 01 72 01 B3 01 18", false);
}
END_TEST

START_TEST(setget_3_5)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 01 B0 01 42"), 0);
    expect("10 81 00 02 01 30 01 05 FF 01 71 01 B0 00", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 01 B0 01 42", true);
    ck_assert_int_eq(feed("10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00 B0 00"), 0);
    expect("10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 30 B0 01 42", false);
    expect("10 81 00 02 01 30 01 0E F0 01 73 01 80 01 30", true);
    /* SetGet_SNA: refused Set echoed, unreadable Get PDC 0, the rest kept. */
    ck_assert_int_eq(feed("10 81 00 07 05 FF 01 01 30 01 6E 02 80 01 31 B3 01 99 02 BA 00 B0 00"), 0);
    expect("10 81 00 07 01 30 01 05 FF 01 5E 02 80 00 B3 01 99 02 BA 00 B0 01 42", false);
    expect("10 81 00 03 01 30 01 0E F0 01 73 01 80 01 31", true);
    /* One empty block is a plain write or read. */
    ck_assert_int_eq(feed("10 81 00 08 05 FF 01 01 30 01 6E 00 01 80 00"), 0);
    expect("10 81 00 08 01 30 01 05 FF 01 7E 00 01 80 01 31", false);
}
END_TEST

/* INF_REQ is answered by an INF to all nodes (doc/decisions.md); a failure
 * by INF_SNA to the requester. */
START_TEST(inf_req)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 0A 05 FF 01 01 30 01 63 01 80 00"), 0);
    expect("10 81 00 0A 01 30 01 05 FF 01 73 01 80 01 31", true);
    ck_assert_int_eq(feed("10 81 00 0B 05 FF 01 01 30 01 63 02 80 00 BA 00"), 0);
    expect("10 81 00 0B 01 30 01 05 FF 01 53 02 80 01 31 BA 00", false);
    /* Legacy discovery: INF_REQ 0xD5 to the node profile. */
    ck_assert_int_eq(feed("10 81 00 0C 05 FF 01 0E F0 01 63 01 D5 00"), 0);
    expect("10 81 00 0C 0E F0 01 05 FF 01 73 01 D5 04 01 01 30 01", true);
}
END_TEST

/* INFC: acknowledged with INFC_Res (PDC 0 each) and handed on to the
 * caller's controller; to a missing object: dropped (but still handed on). */
START_TEST(infc)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 0D 02 88 01 01 30 01 74 02 E0 04 00 00 01 00 80 01 30"), ECHONET_NODE_FORWARD);
    expect("10 81 00 0D 01 30 01 02 88 01 7A 02 E0 00 80 00", false);
    ck_assert_int_eq(feed("10 81 00 0E 02 88 01 02 88 01 74 01 E0 04 00 00 01 00"), ECHONET_NODE_FORWARD);
    expect_nothing();
}
END_TEST

START_TEST(responses_and_notifications_forwarded)
{
    static const char *frames[] = {
        "10 81 00 01 01 30 01 05 FF 01 72 01 80 01 30", "10 81 00 01 01 30 01 05 FF 01 52 01 80 00",
        "10 81 00 10 01 30 01 0E F0 01 73 01 80 01 31", "10 81 00 02 01 30 01 05 FF 01 71 01 80 00",
        "10 81 00 02 01 30 01 05 FF 01 51 01 80 01 30", "10 81 00 02 01 30 01 05 FF 01 50 01 80 01 30",
        "10 81 00 02 01 30 01 05 FF 01 53 01 80 00",    "10 81 00 02 01 30 01 05 FF 01 7A 01 80 00",
        "10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 00", "10 81 00 06 01 30 01 05 FF 01 5E 00 01 80 00",
    };
    size_t i;

    setup_node(1, 0);
    skip_startup();
    for (i = 0; i < sizeof frames / sizeof frames[0]; i++)
        ck_assert_int_eq(feed(frames[i]), ECHONET_NODE_FORWARD);
    expect_nothing();
}
END_TEST

/* Reference 3.4 rule 1: no object → silence, not even SNA. */
START_TEST(unknown_deoj_silent)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 02 62 01 80 00"), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 02 60 00 62 01 80 00"), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 05 FF 01 61 01 80 01 30"), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 0E F0 03 62 01 80 00"), ECHONET_NODE_HANDLED);
    expect_nothing();
}
END_TEST

/* A request longer than a queue slot (a SetGet: longer than any Get,
 * whatever ECHONET_NODE_REQUEST_MAX is) in buf; returns its length. */
static size_t too_long_request(uint8_t *buf, size_t cap)
{
    echonet_writer w;
    size_t len = 0;
    unsigned i;

    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETGET);
    for (i = 0; i < 255 && w.len < ECHONET_NODE_REQUEST_MAX; i++)
        echonet_writer_prop(&w, 0x80, 255, buf);
    echonet_writer_get_block(&w);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &len), ECHONET_OK);
    return len;
}

START_TEST(bad_datagrams)
{
    static uint8_t big[ECHONET_NODE_REQUEST_MAX + 300];
    size_t len;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 62 02 80 00"), ECHONET_ERR_TRUNCATED);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 64 01 80 00"), ECHONET_ERR_ESV);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 62 00"), ECHONET_ERR_OPC_ZERO);
    ck_assert_int_eq(feed("11 81 00 01"), ECHONET_ERR_EHD1);
    ck_assert_int_eq(feed("10 82 00 01 DE AD"), ECHONET_NODE_HANDLED); /* format 2 is not spoken */
    ck_assert_int_eq(echonet_node_read(&node, NULL, big, 4), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_read(NULL, &peer, big, 4), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_read(&node, &peer, NULL, 4), ECHONET_ERR_INVALID_ARG);
    len = too_long_request(big, sizeof big);
    ck_assert_int_eq(echonet_node_read(&node, &peer, big, len), ECHONET_ERR_TOO_LONG);
    expect_nothing();
}
END_TEST

/* Bytes after the last declared property are ignored (reference 2.4,
 * tolerance; doc/decisions.md): the request is answered, and counted. */
START_TEST(trailing_bytes_ignored_and_counted)
{
    echonet_node_stats st;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.trailing, 0);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 62 01 80 00 00"), ECHONET_NODE_HANDLED);
    expect("10 81 00 01 01 30 01 05 FF 01 72 01 80 01 31", false);
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 01 80 01 30 DE AD BE EF"), ECHONET_NODE_HANDLED);
    expect("10 81 00 02 01 30 01 05 FF 01 71 01 80 00", false);
    /* SetGet: after the Get block. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 6E 00 01 80 00 80"), ECHONET_NODE_HANDLED);
    expect("10 81 00 03 01 30 01 05 FF 01 7E 00 01 80 01 30", false);
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.trailing, 3);
    ck_assert_uint_eq(st.too_long, 0);
    /* A well-formed frame is not counted; a malformed one is still refused. */
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 62 01 80 00"), ECHONET_NODE_HANDLED);
    expect("10 81 00 04 01 30 01 05 FF 01 72 01 80 01 30", false);
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 01 62 02 80 00 00"), ECHONET_ERR_TRUNCATED);
    expect("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true); /* the SetC's change, announced */
    expect_nothing();
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.trailing, 3);
    ck_assert_int_eq(echonet_node_get_stats(NULL, &st), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_get_stats(&node, NULL), ECHONET_ERR_INVALID_ARG);
}
END_TEST

/* ---- Decode once: echonet_node_read_frame() ----------------------------- */

/* Decodes hex into buf (placed against an unreadable page) and hands the
 * frame that starts at byte skip to echonet_node_read_frame(); the bytes
 * are overwritten after the call, so only what the node copied is used. */
static int32_t feed_frame_at(const char *hex, size_t skip)
{
    uint8_t b[512];
    size_t len = test_hex(hex, b, sizeof b);
    uint8_t *placed = (uint8_t *)guard_place(b, len);
    echonet_frame f;
    int32_t r;

    ck_assert_int_ge(echonet_frame_decode(&f, placed + skip, len - skip, NULL), 4);
    r = echonet_node_read_frame(&node, &peer, &f);
    memset(placed, 0xEE, len);
    return r;
}

START_TEST(read_frame_answers_as_read)
{
    setup_node(1, 0);
    skip_startup();
    /* A SetC then a Get: the second waits in the queue behind the first. */
    ck_assert_int_eq(feed_frame_at("10 81 00 02 05 FF 01 01 30 01 61 03 80 01 30 B0 01 42 B3 01 1A", 0),
                     ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed_frame_at("10 81 00 03 05 FF 01 01 30 01 62 03 80 00 BA 00 B3 00", 0),
                     ECHONET_NODE_HANDLED);
    expect("10 81 00 02 01 30 01 05 FF 01 71 03 80 00 B0 00 B3 00", false);
    expect("10 81 00 03 01 30 01 05 FF 01 52 03 80 01 30 BA 00 B3 01 1A", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 02 80 01 30 B0 01 42", true);
    /* SetGet: both blocks moved with the copy. */
    ck_assert_int_eq(feed_frame_at("10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 31 02 80 00 B0 00", 0),
                     ECHONET_NODE_HANDLED);
    expect("10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 31 B0 01 42", false);
    expect("10 81 00 02 01 30 01 0E F0 01 73 01 80 01 31", true);
    expect_nothing();
}
END_TEST

/* A frame that is not at the start of its buffer (the second of a stream),
 * and one with bytes after it: the frame alone is taken, and (the datagram
 * unknown) not counted as trailing. */
START_TEST(read_frame_inside_a_buffer)
{
    echonet_node_stats st;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed_frame_at("10 81 00 07 05 FF 01 01 30 01 62 01 80 00 "
                                   "10 81 00 08 05 FF 01 01 30 01 62 01 B3 00 DE AD", 14),
                     ECHONET_NODE_HANDLED);
    expect("10 81 00 08 01 30 01 05 FF 01 72 01 B3 01 14", false);
    expect_nothing();
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.trailing, 0);
}
END_TEST

START_TEST(read_frame_forwards_and_refuses)
{
    static uint8_t big[ECHONET_NODE_REQUEST_MAX + 300];
    echonet_frame f;
    size_t len;
    unsigned i;

    setup_node(1, 0);
    skip_startup();
    /* Responses and notifications for the controller; INFC both. */
    ck_assert_int_eq(feed_frame_at("10 81 00 01 01 30 01 05 FF 01 72 01 80 01 30", 0), ECHONET_NODE_FORWARD);
    ck_assert_int_eq(feed_frame_at("10 81 00 10 01 30 01 0E F0 01 73 01 80 01 31", 0), ECHONET_NODE_FORWARD);
    ck_assert_int_eq(feed_frame_at("10 81 00 0D 02 88 01 01 30 01 74 01 80 01 30", 0), ECHONET_NODE_FORWARD);
    expect("10 81 00 0D 01 30 01 02 88 01 7A 01 80 00", false);
    /* No such object, format 2: handled, silent. */
    ck_assert_int_eq(feed_frame_at("10 81 00 01 05 FF 01 01 30 02 62 01 80 00", 0), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed_frame_at("10 82 00 01 DE AD", 0), ECHONET_NODE_HANDLED);
    expect_nothing();
    /* Bad arguments. */
    ck_assert_int_ge(echonet_frame_decode(&f, (const uint8_t *)"\x10\x81\x00\x01\x05\xFF\x01\x01\x30\x01\x62\x01\x80\x00",
                                          14, NULL), 4);
    ck_assert_int_eq(echonet_node_read_frame(NULL, &peer, &f), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_read_frame(&node, NULL, &f), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_read_frame(&node, &peer, NULL), ECHONET_ERR_INVALID_ARG);
    f.edata = NULL;
    ck_assert_int_eq(echonet_node_read_frame(&node, &peer, &f), ECHONET_ERR_INVALID_ARG);
    expect_nothing();
    /* Too long for a queue slot. */
    len = too_long_request(big, sizeof big);
    ck_assert_int_ge(echonet_frame_decode(&f, big, len, NULL), 4);
    ck_assert_int_eq(echonet_node_read_frame(&node, &peer, &f), ECHONET_ERR_TOO_LONG);
    /* A full queue (4 slots). */
    for (i = 0; i < 4; i++)
        ck_assert_int_eq(feed_frame_at("10 81 00 20 05 FF 01 01 30 01 62 01 80 00", 0), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(feed_frame_at("10 81 00 21 05 FF 01 01 30 01 62 01 80 00", 0), ECHONET_ERR_FULL);
    for (i = 0; i < 4; i++)
        expect("10 81 00 20 01 30 01 05 FF 01 72 01 80 01 31", false);
    expect_nothing();
}
END_TEST

/* ---- Instance 0x00 and the node profile ---------------------------------- */

START_TEST(fanout_instance_all)
{
    setup_node(3, 0);
    expect("10 81 00 00 0E F0 01 0E F0 01 73 01 D5 0A 03 01 30 01 01 30 02 01 30 03", true);
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 00 62 01 80 00"), 0);
    expect("10 81 00 05 01 30 01 05 FF 01 72 01 80 01 31", false);
    expect("10 81 00 05 01 30 02 05 FF 01 72 01 80 01 31", false);
    expect("10 81 00 05 01 30 03 05 FF 01 72 01 80 01 31", false);
    expect_nothing();
    /* A Set to all instances is applied to each, answered by each, announced by each. */
    ck_assert_int_eq(feed("10 81 00 06 05 FF 01 01 30 00 61 01 80 01 30"), 0);
    expect("10 81 00 06 01 30 01 05 FF 01 71 01 80 00", false);
    expect("10 81 00 06 01 30 02 05 FF 01 71 01 80 00", false);
    expect("10 81 00 06 01 30 03 05 FF 01 71 01 80 00", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true);
    expect("10 81 00 02 01 30 02 0E F0 01 73 01 80 01 30", true);
    expect("10 81 00 03 01 30 03 0E F0 01 73 01 80 01 30", true);
    expect_nothing();
}
END_TEST

/* Reference 3.4 rule 5: 0x0EF000, 0x0EF001 and 0x0EF002 all reach the node
 * profile, which answers as 0x0EF001; search by Get 0xD6 (reference 9.2). */
START_TEST(node_profile_spellings)
{
    static const char *deojs[] = {"0E F0 00", "0E F0 01", "0E F0 02"};
    size_t i;

    setup_node(1, 0);
    skip_startup();
    for (i = 0; i < 3; i++) {
        char req[80];

        strcpy(req, "10 81 00 04 05 FF 01 ");
        strcat(req, deojs[i]);
        strcat(req, " 62 01 D6 00");
        ck_assert_int_eq(feed(req), 0);
        expect("10 81 00 04 0E F0 01 05 FF 01 72 01 D6 04 01 01 30 01", false);
    }
}
END_TEST

START_TEST(node_profile_one_object)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 20 05 FF 01 0E F0 01 62 0A 80 00 82 00 83 00 8A 00 D3 00 D4 00 D6 00 D7 00 9D 00"
                          " 9E 00"),
                     0);
    expect("10 81 00 20 0E F0 01 05 FF 01 72 0A 80 01 30 82 04 01 0D 01 00"
           " 83 11 FE FF FF F0 01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 8A 03 FF FF F0"
           " D3 03 00 00 01 D4 02 00 02 D6 04 01 01 30 01 D7 03 01 01 30 9D 03 02 80 D5 9E 01 00",
           false);
    ck_assert_int_eq(feed("10 81 00 21 05 FF 01 0E F0 01 62 01 9F 00"), 0);
    expect("10 81 00 21 0E F0 01 05 FF 01 72 01 9F 0D 0C 80 82 83 8A 9D 9E 9F D3 D4 D5 D6 D7", false);
    /* Nothing of the node profile is settable. */
    ck_assert_int_eq(feed("10 81 00 22 05 FF 01 0E F0 01 61 01 80 01 31"), 0);
    expect("10 81 00 22 0E F0 01 05 FF 01 51 01 80 01 31", false);
}
END_TEST

/* A one-property class for node-profile counting over many classes. */
static const uint8_t status_codes[] = {0x30, 0x31};
static const echonet_prop_desc tiny_props[] = {
    {0x80, ECHONET_ACCESS_GET | ECHONET_ACCESS_ANNO | ECHONET_ACCESS_MANDATORY, 1, 0, ECHONET_RULE_ENUM, 2, 0,
     status_codes},
};

static int tiny_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    (void)ctx;
    (void)epc;
    (void)cap;
    edt[0] = 0x30;
    return 1;
}

static const echonet_object_ops tiny_ops = {tiny_get, NULL, NULL, NULL};

static void get_profile(const char *epc, uint8_t *edt, size_t *pdc)
{
    uint8_t req[14], got[1500];
    echonet_frame f;
    echonet_prop p;
    echonet_addr dst;
    bool mc;
    int32_t len;

    test_hex("10 81 00 30 05 FF 01 0E F0 01 62 01 00 00", req, sizeof req);
    test_hex(epc, req + 12, 1);
    ck_assert_int_eq(echonet_node_read(&node, &peer, req, sizeof req), 0);
    len = echonet_node_write(&node, &dst, &mc, got, sizeof got, 0);
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(echonet_frame_decode_udp(&f, got, (size_t)len, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.esv, ECHONET_ESV_GET_RES);
    ck_assert(echonet_prop_next(&f.props, &p));
    memcpy(edt, p.edt, p.pdc);
    *pdc = p.pdc;
}

/* 8 objects of 8 classes, then a 9th class: 0xD7 lists at most 8 and its
 * count byte counts what it lists; 0xD4 has the true number plus the node
 * profile class (doc/decisions.md). */
START_TEST(node_profile_eight_and_nine_classes)
{
    uint8_t edt[260];
    size_t pdc, i;

    setup_node(0, 0);
    for (i = 0; i < 9; i++) {
        ck_assert_int_eq(echonet_object_init(&objs[i], ECHONET_EOJ(0x02, 0x60 + i, 1), tiny_props, 1, NULL,
                                             &tiny_ops, NULL),
                         ECHONET_OK);
        ck_assert_int_eq(echonet_node_add(&node, &objs[i]), ECHONET_OK);
        if (i == 7) {
            get_profile("D7", edt, &pdc);
            ck_assert_uint_eq(pdc, 17);
            ck_assert_uint_eq(edt[0], 8);
            ck_assert_uint_eq(edt[15], 0x02);
            ck_assert_uint_eq(edt[16], 0x67);
            get_profile("D4", edt, &pdc);
            ck_assert_uint_eq(pdc, 2);
            ck_assert_uint_eq(edt[1], 9);
            get_profile("D3", edt, &pdc);
            ck_assert_uint_eq(edt[2], 8);
        }
    }
    get_profile("D7", edt, &pdc);
    ck_assert_uint_eq(pdc, 17);
    ck_assert_uint_eq(edt[0], 8);
    get_profile("D4", edt, &pdc);
    ck_assert_uint_eq(edt[0] << 8 | edt[1], 10);
    get_profile("D3", edt, &pdc);
    ck_assert_uint_eq(edt[0] << 16 | edt[1] << 8 | edt[2], 9);
    get_profile("D6", edt, &pdc);
    ck_assert_uint_eq(pdc, 1 + 9 * 3);
    ck_assert_uint_eq(edt[0], 9);
}
END_TEST

/* 85 objects: 0xD6 lists the first 84 (count byte 84), 0xD3 says 85, and
 * the 0xD5 announcement comes as two INFs of 84 and 1 (reference 6.1). */
START_TEST(node_profile_85_objects)
{
    uint8_t edt[260], got[1500];
    size_t pdc, i;
    echonet_frame f;
    echonet_prop p;
    echonet_addr dst;
    bool mc;
    int32_t len;

    setup_node(85, 0);
    get_profile("D3", edt, &pdc);
    ck_assert_uint_eq(edt[0] << 16 | edt[1] << 8 | edt[2], 85);
    get_profile("D6", edt, &pdc);
    ck_assert_uint_eq(pdc, 253);
    ck_assert_uint_eq(edt[0], 84);
    for (i = 0; i < 84; i++)
        ck_assert_uint_eq(edt[1 + 3 * i + 2], i + 1);
    get_profile("D4", edt, &pdc);
    ck_assert_uint_eq(edt[1], 2);
    get_profile("D7", edt, &pdc);
    ck_assert_uint_eq(pdc, 3);
    for (i = 0; i < 2; i++) {
        len = echonet_node_write(&node, &dst, &mc, got, sizeof got, 0);
        ck_assert_int_gt(len, 0);
        ck_assert(mc);
        ck_assert_int_eq(echonet_frame_decode_udp(&f, got, (size_t)len, NULL), ECHONET_OK);
        ck_assert_uint_eq(f.esv, ECHONET_ESV_INF);
        ck_assert(echonet_prop_next(&f.props, &p));
        ck_assert_uint_eq(p.epc, 0xD5);
        ck_assert_uint_eq(p.edt[0], i == 0 ? 84 : 1);
        ck_assert_uint_eq(p.pdc, i == 0 ? 253 : 4);
        if (i == 1)
            ck_assert_uint_eq(p.edt[3], 85);
    }
    expect_nothing();
}
END_TEST

START_TEST(objects_add_remove)
{
    echonet_object dup;
    echonet_propmap omit;
    size_t n;

    setup_node(2, 0);
    expect("10 81 00 00 0E F0 01 0E F0 01 73 01 D5 07 02 01 30 01 01 30 02", true);
    ck_assert_int_eq(echonet_aircon_object_init(&dup, 0x013001, NULL, &echonet_aircon_ops, &models[0]), ECHONET_OK);
    ck_assert_int_eq(echonet_node_add(&node, &dup), ECHONET_ERR_DUPLICATE);
    ck_assert_int_eq(echonet_node_remove(&node, 0x013001), ECHONET_OK);
    ck_assert_int_eq(echonet_node_remove(&node, 0x013001), ECHONET_ERR_NOT_FOUND);
    expect("10 81 00 01 0E F0 01 0E F0 01 73 01 D5 04 01 01 30 02", true);
    ck_assert_ptr_null(echonet_node_find(&node, 0x013001));
    ck_assert_ptr_eq(echonet_node_find(&node, 0x0EF000), echonet_node_find(&node, 0x0EF001));
    /* Objects that cannot be. */
    ck_assert_int_eq(echonet_aircon_object_init(&dup, 0x013000, NULL, &echonet_aircon_ops, &models[0]),
                     ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_object_init(&dup, 0x0EF001, echonet_aircon_overlay(&n), n, NULL, &echonet_aircon_ops,
                                         &models[0]),
                     ECHONET_ERR_INVALID_ARG);
    echonet_propmap_init(&omit);
    echonet_propmap_add(&omit, 0xB3);
    ck_assert_int_eq(echonet_aircon_object_init(&dup, 0x013005, &omit, &echonet_aircon_ops, &models[0]),
                     ECHONET_ERR_MANDATORY);
    ck_assert_int_eq(echonet_object_init(&dup, 0x013005, tiny_props, 1, NULL, &tiny_ops, NULL), ECHONET_OK);
    ck_assert_int_eq(echonet_node_init(&node, NULL, slots, 1, queue, 1), ECHONET_ERR_INVALID_ARG);
}
END_TEST

START_TEST(slots_full)
{
    echonet_node_config cfg = {{0}, {0}, 0};
    echonet_object *one[1];

    ck_assert_int_eq(echonet_node_init(&node, &cfg, one, 1, queue, 1), ECHONET_OK);
    ck_assert_int_eq(echonet_object_init(&objs[0], 0x026001, tiny_props, 1, NULL, &tiny_ops, NULL), ECHONET_OK);
    ck_assert_int_eq(echonet_object_init(&objs[1], 0x026002, tiny_props, 1, NULL, &tiny_ops, NULL), ECHONET_OK);
    ck_assert_int_eq(echonet_node_add(&node, &objs[0]), ECHONET_OK);
    ck_assert_int_eq(echonet_node_add(&node, &objs[1]), ECHONET_ERR_FULL);
    /* The queue of one: a second request waits for write(). */
    echonet_addr_set(&peer, "\x01", 1);
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 02 60 01 62 01 80 00"), 0);
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 02 60 01 62 01 80 00"), ECHONET_ERR_FULL);
    expect("10 81 00 01 02 60 01 05 FF 01 72 01 80 01 30", false);
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 02 60 01 62 01 80 00"), 0);
    expect("10 81 00 02 02 60 01 05 FF 01 72 01 80 01 30", false);
}
END_TEST

/* Answers go to whoever asked, in order, even interleaved. */
START_TEST(answers_to_each_requester)
{
    uint8_t got[1500];
    echonet_addr dst;
    bool mc;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed_from(&other, "10 81 00 01 05 FF 01 01 30 01 62 01 80 00"), 0);
    ck_assert_int_eq(feed_from(&peer, "10 81 00 02 05 FF 02 01 30 01 62 01 80 00"), 0);
    ck_assert_int_gt(echonet_node_write(&node, &dst, &mc, got, sizeof got, 0), 0);
    ck_assert(echonet_addr_equal(&dst, &other));
    ck_assert_uint_eq(got[3], 0x01);
    expect("10 81 00 02 01 30 01 05 FF 02 72 01 80 01 31", false);
}
END_TEST

/* ---- Buffers and partial processing -------------------------------------- */

/* A buffer as long as the request always holds a well-formed answer: values
 * that do not fit are answered as not processed. Shorter: NOBUF, nothing
 * processed, and the request is still there. */
START_TEST(answer_fits_request_sized_buffer)
{
    const char *req = "10 81 00 07 05 FF 01 01 30 01 62 04 82 00 9D 00 9E 00 9F 00"; /* 20 bytes */
    /* The whole answer (attributes_get_9_2): smaller maps without the
     * optional properties (config.h). */
    const size_t full = ECHONET_AIRCON_OPTIONAL ? 56 : 52;
    uint8_t got[64];
    echonet_addr dst;
    bool mc;
    size_t cap;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed(req), 0);
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, 19, 0), ECHONET_ERR_NOBUF);
    for (cap = 20; cap <= full; cap++) {
        echonet_frame f;
        int32_t len;

        if (cap > 20)
            ck_assert_int_eq(feed(req), 0);
        len = echonet_node_write(&node, &dst, &mc, got, cap, 0);
        ck_assert_int_gt(len, 0);
        ck_assert_uint_le((size_t)len, cap);
        ck_assert_int_eq(echonet_frame_decode_udp(&f, got, (size_t)len, NULL), ECHONET_OK);
        ck_assert_uint_eq(f.opc, 4);
        ck_assert_uint_eq(f.esv, cap < full ? ECHONET_ESV_GET_SNA : ECHONET_ESV_GET_RES);
    }
    /* With 28 bytes, 0x82 (4 bytes) fits and the maps do not. */
    ck_assert_int_eq(feed(req), 0);
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, 28, 0), 24);
    {
        uint8_t want[24];

        test_hex("10 81 00 07 01 30 01 05 FF 01 52 04 82 04 00 00 48 00 9D 00 9E 00 9F 00", want, sizeof want);
        ck_assert_mem_eq(got, want, 24);
    }
}
END_TEST

/* Devices that process only the first N properties (reference 11, AIF 5.2). */
START_TEST(max_opc_partial_processing)
{
    setup_node(1, 2);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 01 05 FF 01 01 30 01 62 04 80 00 B0 00 B3 00 BB 00"), 0);
    expect("10 81 00 01 01 30 01 05 FF 01 52 04 80 01 31 B0 01 41 B3 00 BB 00", false);
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 03 80 01 30 B0 01 42 B3 01 1A"), 0);
    expect("10 81 00 02 01 30 01 05 FF 01 51 03 80 00 B0 00 B3 01 1A", false);
    expect("10 81 00 01 01 30 01 0E F0 01 73 02 80 01 30 B0 01 42", true);
    /* The unprocessed 0xB3 was not applied. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 62 01 B3 00"), 0);
    expect("10 81 00 03 01 30 01 05 FF 01 72 01 B3 01 14", false);
}
END_TEST

/* ---- Local changes and announcements ------------------------------------- */

START_TEST(local_changes_announced)
{
    uint8_t v;

    setup_node(1, 0);
    skip_startup();
    v = ECHONET_ON;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0x80, &v, 1, 0), ECHONET_OK);
    v = ECHONET_MODE_HEAT;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0xB0, &v, 1, 0), ECHONET_OK);
    /* Not in 0x9D: stored, not announced. A read-only code is fine locally. */
    v = 0x7E;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0xBB, &v, 1, 0), ECHONET_OK);
    v = ECHONET_TEMP_UNDEFINED;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0xB3, &v, 1, 0), ECHONET_OK);
    expect("10 81 00 01 01 30 01 0E F0 01 73 02 80 01 30 B0 01 43", true);
    expect_nothing();
    /* The same value again is no change: nothing announced. */
    v = ECHONET_ON;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0x80, &v, 1, 0), ECHONET_OK);
    expect_nothing();
    /* Bad local writes. */
    v = 0x99;
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0x80, &v, 1, 0), ECHONET_ERR_VALUE);
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0xBA, &v, 1, 0), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013009, 0x80, &v, 1, 0), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_node_set_local(&node, 0x0EF001, 0x80, &v, 1, 0), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0x80, NULL, 1, 0), ECHONET_ERR_INVALID_ARG);
    /* A change the application made itself. */
    ck_assert_int_eq(echonet_node_changed(&node, 0x013001, 0x88), ECHONET_OK);
    ck_assert_int_eq(echonet_node_changed(&node, 0x013001, 0xBA), ECHONET_ERR_NOT_FOUND);
    ck_assert_int_eq(echonet_node_changed(&node, 0x013001, 0xB3), ECHONET_OK); /* not announced */
    expect("10 81 00 02 01 30 01 0E F0 01 73 01 88 01 42", true);
    expect_nothing();
}
END_TEST

/* ---- The 20-hour line-health rule (AIF 3.5, 5.7) ------------------------- */

#define H(h) ECHONET_HOURS(h)

#if ECHONET_AIRCON_OPTIONAL /* the 0x93 rule needs 0x93; see remote_setting_absent */
START_TEST(keepalive_not_stored)
{
    setup_node(1, 0);
    skip_startup();
    /* The reference's keepalive exchange (9.8). */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 61 01 93 01 62"), 0);
    expect("10 81 00 03 01 30 01 05 FF 01 71 01 93 00", false);
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 61 01 93 01 61"), 0);
    expect("10 81 00 04 01 30 01 05 FF 01 71 01 93 00", false);
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 01 62 01 93 00"), 0);
    expect("10 81 00 05 01 30 01 05 FF 01 72 01 93 01 41", false); /* still 0x41 */
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER); /* never operated remotely */
    expect_nothing_at(H(100));
}
END_TEST

START_TEST(remote_operation_stops_after_20h)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 02 93 01 42 80 01 30"), 0);
    expect_at("10 81 00 02 01 30 01 05 FF 01 71 02 93 00 80 00", false, H(1));
    expect_at("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true, H(1));
    ck_assert_uint_eq(echonet_node_expiry(&node), H(21));
    /* Keepalives every 8 h push the deadline. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 61 01 93 01 62"), 0);
    expect_at("10 81 00 03 01 30 01 05 FF 01 71 01 93 00", false, H(9));
    ck_assert_uint_eq(echonet_node_expiry(&node), H(29));
    expect_nothing_at(H(28));
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 61 01 93 01 62"), 0);
    expect_at("10 81 00 04 01 30 01 05 FF 01 71 01 93 00", false, H(17));
    /* Then the line fails: 20 h after the last keepalive, not a ms sooner. */
    expect_nothing_at(H(37) - 1);
    expect_at("10 81 00 02 01 30 01 0E F0 01 73 01 80 01 31", true, H(37));
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    expect_nothing_at(H(100));
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 01 62 02 80 00 93 00"), 0);
    expect_at("10 81 00 05 01 30 01 05 FF 01 72 02 80 01 31 93 01 42", false, H(100));
}
END_TEST

/* Operated locally after remote operation: the rule no longer applies. */
START_TEST(local_operation_ends_remote)
{
    uint8_t v = 0x1B;

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 02 93 01 42 80 01 30"), 0);
    expect_at("10 81 00 02 01 30 01 05 FF 01 71 02 93 00 80 00", false, 0);
    expect_at("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true, 0);
    ck_assert_int_eq(echonet_node_set_local(&node, 0x013001, 0xB3, &v, 1, H(2)), ECHONET_OK);
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    expect_nothing_at(H(30));
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 62 02 80 00 93 00"), 0);
    expect_at("10 81 00 03 01 30 01 05 FF 01 72 02 80 01 30 93 01 41", false, H(30));
    /* A network 0x93 = 0x41 also ends it. */
    ck_assert_int_eq(feed("10 81 00 04 05 FF 01 01 30 01 61 01 93 01 42"), 0);
    expect_at("10 81 00 04 01 30 01 05 FF 01 71 01 93 00", false, H(30));
    ck_assert_int_eq(feed("10 81 00 05 05 FF 01 01 30 01 61 01 93 01 41"), 0);
    expect_at("10 81 00 05 01 30 01 05 FF 01 71 01 93 00", false, H(31));
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
}
END_TEST
#endif

/* Time near the end of the clock: deadlines saturate, never wrap. */
START_TEST(deadline_near_uint64_max)
{
#if ECHONET_AIRCON_OPTIONAL
    echonet_tstamp t = ECHONET_TSTAMP_NEVER - H(1);

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 01 93 01 42"), 0);
    expect_at("10 81 00 02 01 30 01 05 FF 01 71 01 93 00", false, t);
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    expect_nothing_at(ECHONET_TSTAMP_NEVER - 1);
#endif
    ck_assert_uint_eq(echonet_tstamp_add(5, 7), 12);
    ck_assert_uint_eq(echonet_tstamp_add(ECHONET_TSTAMP_NEVER - 3, 3), ECHONET_TSTAMP_NEVER);
    ck_assert_uint_eq(echonet_tstamp_add(ECHONET_TSTAMP_NEVER - 3, 4), ECHONET_TSTAMP_NEVER);
}
END_TEST

START_TEST(write_bad_arguments)
{
    uint8_t got[64];
    echonet_addr dst;
    bool mc;

    setup_node(1, 0);
    ck_assert_int_eq(echonet_node_write(NULL, &dst, &mc, got, sizeof got, 0), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_write(&node, NULL, &mc, got, sizeof got, 0), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_write(&node, &dst, NULL, got, sizeof got, 0), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, NULL, 10, 0), ECHONET_ERR_INVALID_ARG);
    /* An announcement that cannot fit even one property. */
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, 12, 0), ECHONET_ERR_NOBUF);
    skip_startup();
}
END_TEST

START_TEST(addresses)
{
    echonet_addr a, b;
    uint8_t big[ECHONET_ADDR_MAX + 1] = {0};

    ck_assert_int_eq(echonet_addr_set(&a, "\x01\x02", 2), ECHONET_OK);
    ck_assert_int_eq(echonet_addr_set(&b, "\x01\x02\x00", 3), ECHONET_OK);
    ck_assert(!echonet_addr_equal(&a, &b));
    ck_assert_int_eq(echonet_addr_set(&b, "\x01\x02", 2), ECHONET_OK);
    ck_assert(echonet_addr_equal(&a, &b));
    ck_assert_int_eq(echonet_addr_set(&b, big, sizeof big), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_addr_set(&b, NULL, 1), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_addr_set(NULL, big, 1), ECHONET_ERR_INVALID_ARG);
    ck_assert(!echonet_addr_equal(&a, NULL));
    ck_assert(echonet_addr_equal(NULL, NULL));
}
END_TEST

/* ---- Limits (issue 5; doc/hardening.md) ----------------------------------- */

/* The largest TID is echoed as it came. */
START_TEST(tid_ffff_echoed)
{
    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 FF FF 05 FF 01 01 30 01 62 01 80 00"), ECHONET_NODE_HANDLED);
    expect("10 81 FF FF 01 30 01 05 FF 01 72 01 80 01 31", false);
    ck_assert_int_eq(feed("10 81 00 00 05 FF 01 01 30 01 62 01 80 00"), ECHONET_NODE_HANDLED);
    expect("10 81 00 00 01 30 01 05 FF 01 72 01 80 01 31", false);
}
END_TEST

/* The 20-hour stop fires on time when its deadline is an hour before the
 * end of the clock; a keepalive whose 20 hours would pass the end
 * saturates the deadline at NEVER. */
#if ECHONET_AIRCON_OPTIONAL
START_TEST(stop_fires_near_uint64_max)
{
    echonet_tstamp t = ECHONET_TSTAMP_NEVER - H(21);

    setup_node(1, 0);
    skip_startup();
    ck_assert_int_eq(feed("10 81 00 02 05 FF 01 01 30 01 61 02 93 01 42 80 01 30"), 0);
    expect_at("10 81 00 02 01 30 01 05 FF 01 71 02 93 00 80 00", false, t);
    expect_at("10 81 00 01 01 30 01 0E F0 01 73 01 80 01 30", true, t);
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER - H(1));
    expect_nothing_at(ECHONET_TSTAMP_NEVER - H(1) - 1);
    expect_at("10 81 00 02 01 30 01 0E F0 01 73 01 80 01 31", true, ECHONET_TSTAMP_NEVER - H(1));
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    /* Armed again 2 h before the end: the deadline saturates. */
    ck_assert_int_eq(feed("10 81 00 03 05 FF 01 01 30 01 61 02 93 01 42 80 01 30"), 0);
    expect_at("10 81 00 03 01 30 01 05 FF 01 71 02 93 00 80 00", false, ECHONET_TSTAMP_NEVER - H(2));
    expect_at("10 81 00 03 01 30 01 0E F0 01 73 01 80 01 30", true, ECHONET_TSTAMP_NEVER - H(2));
    ck_assert_uint_eq(echonet_node_expiry(&node), ECHONET_TSTAMP_NEVER);
    expect_nothing_at(ECHONET_TSTAMP_NEVER - 1);
}
END_TEST
#endif

/* Properties are found whatever the order of a caller's table: one in
 * rising EPC order (searched row by row of 8 EPCs) with entries at both
 * ends of the EPC range and gaps between, and the same entries in falling
 * order (searched through the whole table). */
static int epc_get(void *ctx, uint8_t epc, uint8_t *edt, size_t cap)
{
    (void)ctx;
    (void)cap;
    edt[0] = epc; /* each property's value is its EPC */
    return 1;
}

static const echonet_object_ops epc_ops = {epc_get, NULL, NULL, NULL};

#define ANY1(epc) {epc, ECHONET_ACCESS_GET, 1, 0, ECHONET_RULE_ANY, 0, 0, NULL}
static const echonet_prop_desc rising[] = {ANY1(0x80), ANY1(0x87), ANY1(0x88), ANY1(0xB3), ANY1(0xF8), ANY1(0xFF)};
static const echonet_prop_desc falling[] = {ANY1(0xFF), ANY1(0xF8), ANY1(0xB3), ANY1(0x88), ANY1(0x87), ANY1(0x80)};

START_TEST(tables_in_any_order)
{
    const echonet_prop_desc *table = _i == 0 ? rising : falling;
    echonet_node_config cfg = {{0xFF, 0xFF, 0xF0}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 0};

    ck_assert_int_eq(echonet_node_init(&node, &cfg, slots, MAX_OBJ, queue, 4), ECHONET_OK);
    ck_assert_int_eq(echonet_object_init(&objs[0], 0x05FF02, table, 6, NULL, &epc_ops, NULL), ECHONET_OK);
    ck_assert_int_eq(echonet_node_add(&node, &objs[0]), ECHONET_OK);
    echonet_addr_set(&peer, "\xC0\xA8\x01\x0A", 4);
    expect("10 81 00 00 0E F0 01 0E F0 01 73 01 D5 04 01 05 FF 02", true);
    ck_assert_int_eq(feed("10 81 00 07 05 FF 01 05 FF 02 62 06 FF 00 80 00 B3 00 87 00 F8 00 88 00"),
                     ECHONET_NODE_HANDLED);
    expect("10 81 00 07 05 FF 02 05 FF 01 72 06 FF 01 FF 80 01 80 B3 01 B3 87 01 87 F8 01 F8 88 01 88", false);
    /* Next to present ones, in their rows and out of the range: not found. */
    ck_assert_int_eq(feed("10 81 00 08 05 FF 01 05 FF 02 62 05 81 00 89 00 B2 00 F9 00 FE 00"), ECHONET_NODE_HANDLED);
    expect("10 81 00 08 05 FF 02 05 FF 01 52 05 81 00 89 00 B2 00 F9 00 FE 00", false);
    /* The node profile's own table is found the same way. */
    ck_assert_int_eq(feed("10 81 00 09 05 FF 01 0E F0 01 62 01 D6 00"), ECHONET_NODE_HANDLED);
    expect("10 81 00 09 0E F0 01 05 FF 01 72 01 D6 04 01 05 FF 02", false);
}
END_TEST

/* Appends properties of EPC 0xF0 (not in the class: a Set of it is refused
 * and echoed) whose bytes add up to @p bytes (not 1). */
static void fill_block(echonet_writer *w, size_t bytes)
{
    static const uint8_t edt[255];

    while (bytes > 0) {
        size_t pdc = bytes - 2 > 255 ? 255 : bytes - 2;

        if (bytes - 2 - pdc == 1)
            pdc--;
        echonet_writer_prop(w, 0xF0, pdc, edt);
        bytes -= 2 + pdc;
    }
}

/* A request of exactly ECHONET_NODE_REQUEST_MAX bytes is queued and
 * answered whole (SetC_SNA echoing every value: as long as the request);
 * one byte more is ECHONET_ERR_TOO_LONG. A SetGet makes the longer one
 * whatever the configured maximum (up to 65547, a format 1 Set frame's). */
START_TEST(request_of_exactly_request_max)
{
    static uint8_t req[ECHONET_NODE_REQUEST_MAX + 1], got[ECHONET_NODE_REQUEST_MAX];
    echonet_node_stats st;
    echonet_writer w;
    echonet_addr dst;
    bool mc = true;
    size_t len = 0, i;

    setup_node(1, 0);
    skip_startup();
    echonet_writer_init(&w, req, sizeof req);
    echonet_writer_header(&w, 0xFFFF, 0x05FF01, 0x013001, ECHONET_ESV_SETC);
    fill_block(&w, ECHONET_NODE_REQUEST_MAX - ECHONET_HEADER_LEN);
    ck_assert_int_eq(echonet_writer_finish(&w, &len), ECHONET_OK);
    ck_assert_uint_eq(len, ECHONET_NODE_REQUEST_MAX);
    ck_assert_int_eq(echonet_node_read(&node, &peer, guard_place(req, len), len), ECHONET_NODE_HANDLED);
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, len - 1, 0), ECHONET_ERR_NOBUF);
    ck_assert_int_eq(echonet_node_write(&node, &dst, &mc, got, len, 0), (int32_t)len);
    ck_assert(!mc);
    ck_assert_uint_eq(got[10], ECHONET_ESV_SETC_SNA);
    ck_assert_mem_eq(got + 4, req + 7, 3); /* SEOJ, DEOJ swapped */
    ck_assert_mem_eq(got + 7, req + 4, 3);
    ck_assert_mem_eq(got + 11, req + 11, len - 11);
    ck_assert_uint_eq(got[2] << 8 | got[3], 0xFFFF);
    expect_nothing();
    /* One byte more. */
    echonet_writer_init(&w, req, sizeof req);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETGET);
    i = ECHONET_NODE_REQUEST_MAX + 1 - ECHONET_HEADER_LEN - 1 - 2; /* the Set block */
    fill_block(&w, i == 1 ? 0 : i);
    echonet_writer_get_block(&w);
    echonet_writer_prop(&w, 0x80, i == 1 ? 1 : 0, req);
    ck_assert_int_eq(echonet_writer_finish(&w, &len), ECHONET_OK);
    ck_assert_uint_eq(len, ECHONET_NODE_REQUEST_MAX + 1);
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.too_long, 0);
    ck_assert_int_eq(echonet_node_read(&node, &peer, guard_place(req, len), len), ECHONET_ERR_TOO_LONG);
    expect_nothing();
    /* Dropped, and counted where the firmware can read it (doc/decisions.md). */
    ck_assert_int_eq(echonet_node_get_stats(&node, &st), ECHONET_OK);
    ck_assert_uint_eq(st.too_long, 1);
    ck_assert_uint_eq(st.trailing, 0);
}
END_TEST

Suite *node_suite(void)
{
    Suite *s = suite_create("node");
    TCase *tc = tcase_create("esv");

    tcase_add_test(tc, startup_instance_list);
    tcase_add_test(tc, attributes_get_9_2);
    tcase_add_test(tc, get_res_and_get_sna_3_5);
#if ECHONET_AIRCON_OPTIONAL
    tcase_add_test(tc, setc_with_remote_prefix_3_5);
#else
    tcase_add_test(tc, remote_setting_absent);
#endif
    tcase_add_test(tc, setc_sna_rules);
    tcase_add_test(tc, seti_silent_unless_refused);
    tcase_add_test(tc, setget_3_5);
    tcase_add_test(tc, inf_req);
    tcase_add_test(tc, infc);
    tcase_add_test(tc, responses_and_notifications_forwarded);
    tcase_add_test(tc, unknown_deoj_silent);
    tcase_add_test(tc, bad_datagrams);
    tcase_add_test(tc, trailing_bytes_ignored_and_counted);
    tcase_add_test(tc, read_frame_answers_as_read);
    tcase_add_test(tc, read_frame_inside_a_buffer);
    tcase_add_test(tc, read_frame_forwards_and_refuses);
    suite_add_tcase(s, tc);

    tc = tcase_create("objects");
    tcase_add_test(tc, fanout_instance_all);
    tcase_add_test(tc, node_profile_spellings);
    tcase_add_test(tc, node_profile_one_object);
    tcase_add_test(tc, node_profile_eight_and_nine_classes);
    tcase_add_test(tc, node_profile_85_objects);
    tcase_add_test(tc, objects_add_remove);
    tcase_add_test(tc, slots_full);
    tcase_add_test(tc, answers_to_each_requester);
    tcase_add_loop_test(tc, tables_in_any_order, 0, 2);
    suite_add_tcase(s, tc);

    tc = tcase_create("buffers");
    tcase_add_test(tc, answer_fits_request_sized_buffer);
    tcase_add_test(tc, max_opc_partial_processing);
    tcase_add_test(tc, write_bad_arguments);
    tcase_add_test(tc, addresses);
    tcase_add_test(tc, request_of_exactly_request_max);
    suite_add_tcase(s, tc);

    tc = tcase_create("announcements");
    tcase_add_test(tc, local_changes_announced);
#if ECHONET_AIRCON_OPTIONAL
    tcase_add_test(tc, keepalive_not_stored);
    tcase_add_test(tc, remote_operation_stops_after_20h);
    tcase_add_test(tc, local_operation_ends_remote);
#endif
    tcase_add_test(tc, deadline_near_uint64_max);
#if ECHONET_AIRCON_OPTIONAL
    tcase_add_test(tc, stop_fires_near_uint64_max);
#endif
    tcase_add_test(tc, tid_ffff_echoed);
    suite_add_tcase(s, tc);
    return s;
}
