/* Frame codec: the reference's worked frames as golden vectors (decode and
 * encode byte for byte), generated frames of every ESV round-tripped, every
 * truncation rejected, inputs flush against an unreadable page, the writer's
 * sticky errors, and the decode policies of doc/decisions.md. */
#include <stdlib.h>
#include <string.h>

#include "echonet/frame.h"
#include "tests.h"

/* Properties are written "EPC=EDT;EPC=EDT" in hex; an empty EDT is PDC 0. */
struct golden {
    const char *name;
    const char *hex;
    uint16_t tid;
    echonet_eoj seoj, deoj;
    uint8_t esv;
    const char *props;
    const char *props_get; /* SetGet family only */
};

/* Reference 3.5, 6.2, 9.2 and 9.8. */
static const struct golden goldens[] = {
    {"Get 80,B0,B3", "10 81 00 01 05 FF 01 01 30 01 62 03 80 00 B0 00 B3 00", 0x0001, 0x05FF01, 0x013001, 0x62,
     "80=;B0=;B3=", NULL},
    {"Get_Res ON cooling 26C", "10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01 1A", 0x0001, 0x013001,
     0x05FF01, 0x72, "80=30;B0=42;B3=1A", NULL},
    {"Get_SNA B3 unreadable", "10 81 00 01 01 30 01 05 FF 01 52 03 80 01 30 B0 01 42 B3 00", 0x0001, 0x013001,
     0x05FF01, 0x52, "80=30;B0=42;B3=", NULL},
    {"SetC with 93=42 prefix", "10 81 00 02 05 FF 01 01 30 01 61 04 93 01 42 80 01 30 B0 01 42 B3 01 1A", 0x0002,
     0x05FF01, 0x013001, 0x61, "93=42;80=30;B0=42;B3=1A", NULL},
    {"Set_Res", "10 81 00 02 01 30 01 05 FF 01 71 04 93 00 80 00 B0 00 B3 00", 0x0002, 0x013001, 0x05FF01, 0x71,
     "93=;80=;B0=;B3=", NULL},
    {"SetC_SNA B3 rejected", "10 81 00 02 01 30 01 05 FF 01 51 04 93 00 80 00 B0 00 B3 01 1A", 0x0002, 0x013001,
     0x05FF01, 0x51, "93=;80=;B0=;B3=1A", NULL},
    {"SetGet", "10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00 B0 00", 0x0006, 0x05FF01, 0x013001, 0x6E,
     "80=30", "80=;B0="},
    {"SetGet_Res", "10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 30 B0 01 42", 0x0006, 0x013001, 0x05FF01,
     0x7E, "80=", "80=30;B0=42"},
    {"INF operation status OFF", "10 81 00 10 01 30 01 0E F0 01 73 01 80 01 31", 0x0010, 0x013001, 0x0EF001, 0x73,
     "80=31", NULL},
    {"INF instance list D5", "10 81 00 00 0E F0 01 0E F0 01 73 01 D5 04 01 01 30 01", 0x0000, 0x0EF001, 0x0EF001,
     0x73, "D5=01013001", NULL},
    {"Get D6 multicast", "10 81 00 04 05 FF 01 0E F0 01 62 01 D6 00", 0x0004, 0x05FF01, 0x0EF001, 0x62, "D6=", NULL},
    {"Get_Res D6", "10 81 00 04 0E F0 01 05 FF 01 72 01 D6 04 01 01 30 01", 0x0004, 0x0EF001, 0x05FF01, 0x72,
     "D6=01013001", NULL},
    {"Get 80 to all aircons", "10 81 00 05 05 FF 01 01 30 00 62 01 80 00", 0x0005, 0x05FF01, 0x013000, 0x62, "80=",
     NULL},
    {"Get_Res 80 OFF", "10 81 00 05 01 30 01 05 FF 01 72 01 80 01 31", 0x0005, 0x013001, 0x05FF01, 0x72, "80=31",
     NULL},
    {"Get attributes", "10 81 00 07 05 FF 01 01 30 01 62 04 82 00 9D 00 9E 00 9F 00", 0x0007, 0x05FF01, 0x013001,
     0x62, "82=;9D=;9E=;9F=", NULL},
    {"Get_Res attributes",
     "10 81 00 07 01 30 01 05 FF 01 72 04 82 04 00 00 48 00 9D 07 06 80 81 88 8F A0 B0 9E 08 07 80 81 8F 93 A0 B0 B3"
     " 9F 11 11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03",
     0x0007, 0x013001, 0x05FF01, 0x72,
     "82=00004800;9D=06808188 8FA0B0;9E=0780818F93A0B0B3;9F=110D01010B000001000101010800020203", NULL},
    {"SetC keepalive 93=62", "10 81 00 03 05 FF 01 01 30 01 61 01 93 01 62", 0x0003, 0x05FF01, 0x013001, 0x61,
     "93=62", NULL},
    {"Set_Res keepalive", "10 81 00 03 01 30 01 05 FF 01 71 01 93 00", 0x0003, 0x013001, 0x05FF01, 0x71, "93=", NULL},
};
#define N_GOLDEN (sizeof goldens / sizeof goldens[0])

struct want_prop {
    uint8_t epc;
    uint8_t pdc;
    uint8_t edt[64];
};

static size_t parse_props(const char *spec, struct want_prop *out, size_t cap)
{
    size_t n = 0;
    char buf[256];
    char *save = NULL, *tok;

    if (!spec)
        return 0;
    ck_assert(strlen(spec) < sizeof buf);
    strcpy(buf, spec);
    for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(tok, '=');
        uint8_t epc;

        ck_assert_ptr_nonnull(eq);
        *eq = '\0';
        ck_assert(n < cap);
        ck_assert_uint_eq(test_hex(tok, &epc, 1), 1);
        out[n].epc = epc;
        out[n].pdc = (uint8_t)test_hex(eq + 1, out[n].edt, sizeof out[n].edt);
        n++;
    }
    return n;
}

static void check_block(echonet_prop_iter it, uint8_t opc, const char *spec)
{
    struct want_prop want[16];
    size_t n = parse_props(spec, want, 16), i;
    echonet_prop p;

    ck_assert_uint_eq(opc, n);
    for (i = 0; i < n; i++) {
        ck_assert_msg(echonet_prop_next(&it, &p), "property %zu missing", i);
        ck_assert_uint_eq(p.epc, want[i].epc);
        ck_assert_uint_eq(p.pdc, want[i].pdc);
        if (p.pdc)
            ck_assert_mem_eq(p.edt, want[i].edt, p.pdc);
        else
            ck_assert_ptr_null(p.edt);
    }
    ck_assert(!echonet_prop_next(&it, &p));
}

static size_t write_golden(const struct golden *g, uint8_t *buf, size_t cap, echonet_err *err)
{
    struct want_prop props[16];
    size_t n, i, len = 0;
    echonet_writer w;

    echonet_writer_init(&w, buf, cap);
    echonet_writer_header(&w, g->tid, g->seoj, g->deoj, g->esv);
    n = parse_props(g->props, props, 16);
    for (i = 0; i < n; i++)
        echonet_writer_prop(&w, props[i].epc, props[i].pdc, props[i].edt);
    if (g->props_get) {
        echonet_writer_get_block(&w);
        n = parse_props(g->props_get, props, 16);
        for (i = 0; i < n; i++)
            echonet_writer_prop(&w, props[i].epc, props[i].pdc, props[i].edt);
    }
    *err = echonet_writer_finish(&w, &len);
    return len;
}

START_TEST(golden_decode)
{
    const struct golden *g = &goldens[_i];
    uint8_t bytes[128];
    size_t len = test_hex(g->hex, bytes, sizeof bytes), off = 99;
    echonet_frame f;

    ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(bytes, len), len, &off), ECHONET_OK);
    ck_assert_uint_eq(off, 99); /* untouched on success */
    ck_assert_uint_eq(f.format, 1);
    ck_assert_uint_eq(f.len, len);
    ck_assert_uint_eq(f.tid, g->tid);
    ck_assert_uint_eq(f.seoj, g->seoj);
    ck_assert_uint_eq(f.deoj, g->deoj);
    ck_assert_uint_eq(f.esv, g->esv);
    ck_assert_uint_eq(f.edata_len, len - 4);
    check_block(f.props, f.opc, g->props);
    check_block(f.props_get, f.opc_get, g->props_get);
    ck_assert_int_eq(echonet_esv_is_setget(f.esv), g->props_get != NULL);
}
END_TEST

START_TEST(golden_encode)
{
    const struct golden *g = &goldens[_i];
    uint8_t want[128], got[128];
    size_t len = test_hex(g->hex, want, sizeof want);
    echonet_err err;

    memset(got, 0xAA, sizeof got);
    ck_assert_uint_eq(write_golden(g, got, sizeof got, &err), len);
    ck_assert_int_eq(err, ECHONET_OK);
    ck_assert_mem_eq(got, want, len);
    ck_assert_uint_eq(got[len], 0xAA); /* nothing written past the frame */
}
END_TEST

START_TEST(golden_round_trip)
{
    uint8_t in[128], out[128];
    size_t len = test_hex(goldens[_i].hex, in, sizeof in), out_len = 0;
    echonet_frame f;

    ck_assert_int_eq(echonet_frame_decode(&f, in, len, NULL), (int32_t)len);
    ck_assert_int_eq(echonet_frame_encode(&f, out, sizeof out, &out_len), ECHONET_OK);
    ck_assert_uint_eq(out_len, len);
    ck_assert_mem_eq(out, in, len);
}
END_TEST

/* Every proper prefix of a format 1 frame is truncated, and the reported
 * offset lies within the prefix (or at its end). Placed flush against an
 * unreadable page, so any over-read crashes. */
START_TEST(golden_every_truncation)
{
    uint8_t bytes[128];
    size_t len = test_hex(goldens[_i].hex, bytes, sizeof bytes), cut;

    for (cut = 0; cut < len; cut++) {
        echonet_frame f;
        size_t off = 9999;

        ck_assert_int_eq(echonet_frame_decode(&f, guard_place(bytes, cut), cut, &off), ECHONET_ERR_TRUNCATED);
        ck_assert_msg(off <= cut, "offset %zu beyond prefix %zu", off, cut);
        off = 9999;
        ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(bytes, cut), cut, &off), ECHONET_ERR_TRUNCATED);
        ck_assert_uint_le(off, cut);
    }
}
END_TEST

START_TEST(golden_trailing_byte)
{
    uint8_t bytes[129];
    size_t len = test_hex(goldens[_i].hex, bytes, sizeof bytes), off = 0;
    echonet_frame f;

    bytes[len] = 0x00;
    /* A stream decode stops at the frame's end... */
    ck_assert_int_eq(echonet_frame_decode(&f, guard_place(bytes, len + 1), len + 1, &off), (int32_t)len);
    /* ...a datagram must be exactly one frame. */
    ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(bytes, len + 1), len + 1, &off), ECHONET_ERR_TRAILING);
    ck_assert_uint_eq(off, len);
}
END_TEST

START_TEST(golden_writer_every_capacity)
{
    const struct golden *g = &goldens[_i];
    uint8_t want[128], got[128];
    size_t len = test_hex(g->hex, want, sizeof want), cap;

    for (cap = 0; cap < len; cap++) {
        echonet_err err;

        memset(got, 0xAA, sizeof got);
        ck_assert_uint_eq(write_golden(g, cap ? got : NULL, cap, &err), len);
        ck_assert_int_eq(err, ECHONET_ERR_NOBUF);
        ck_assert_uint_eq(got[cap], 0xAA); /* never past the capacity */
    }
}
END_TEST

/* Several frames back to back, as on a TCP stream. */
START_TEST(stream_of_frames)
{
    uint8_t stream[2048];
    size_t total = 0, pos = 0, i;
    echonet_frame f;

    for (i = 0; i < N_GOLDEN; i++)
        total += test_hex(goldens[i].hex, stream + total, sizeof stream - total);
    for (i = 0; i < N_GOLDEN; i++) {
        int32_t n = echonet_frame_decode(&f, stream + pos, total - pos, NULL);

        ck_assert_int_gt(n, 0);
        ck_assert_uint_eq(f.tid, goldens[i].tid);
        ck_assert_uint_eq(f.esv, goldens[i].esv);
        pos += (size_t)n;
    }
    ck_assert_uint_eq(pos, total);
}
END_TEST

START_TEST(ehd1_only_0x10)
{
    uint8_t b[14];
    unsigned v;

    test_hex("10 81 00 04 05 FF 01 0E F0 01 62 01 D6 00", b, sizeof b);
    for (v = 0; v < 256; v++) {
        echonet_frame f;
        size_t off = 99;
        int32_t rc;

        b[0] = (uint8_t)v;
        rc = echonet_frame_decode(&f, guard_place(b, sizeof b), sizeof b, &off);
        if (v == 0x10) {
            ck_assert_int_eq(rc, 14);
        } else {
            ck_assert_int_eq(rc, ECHONET_ERR_EHD1);
            ck_assert_uint_eq(off, 0);
        }
    }
}
END_TEST

START_TEST(ehd2_formats)
{
    uint8_t b[14];
    unsigned v;

    test_hex("10 81 00 04 05 FF 01 0E F0 01 62 01 D6 00", b, sizeof b);
    for (v = 0; v < 256; v++) {
        echonet_frame f;
        size_t off = 99;
        int32_t rc;

        b[1] = (uint8_t)v;
        rc = echonet_frame_decode(&f, guard_place(b, sizeof b), sizeof b, &off);
        if (v == 0x81 || v == 0x82) {
            ck_assert_int_eq(rc, 14);
            ck_assert_uint_eq(f.format, v == 0x81 ? 1 : 2);
        } else {
            ck_assert_int_eq(rc, ECHONET_ERR_EHD2);
            ck_assert_uint_eq(off, 1);
        }
    }
}
END_TEST

/* Exactly the 16 ESVs of reference 3.1 decode; every reserved code is
 * rejected at offset 10, even when the frame is cut right after it. */
START_TEST(esv_reserved_rejected)
{
    static const uint8_t defined[] = {0x60, 0x61, 0x62, 0x63, 0x6E, 0x71, 0x72, 0x73,
                                      0x74, 0x7A, 0x7E, 0x50, 0x51, 0x52, 0x53, 0x5E};
    uint8_t b[16];
    unsigned v, accepted = 0;

    test_hex("10 81 00 01 05 FF 01 01 30 01 62 01 80 01 30 00", b, sizeof b);
    for (v = 0; v < 256; v++) {
        echonet_frame f;
        size_t off = 99, i;
        bool is_defined = false;
        int32_t rc;

        for (i = 0; i < sizeof defined; i++)
            is_defined |= defined[i] == v;
        b[10] = (uint8_t)v;
        /* The SetGet family reads the trailing 00 as an empty Get block. */
        rc = echonet_frame_decode(&f, guard_place(b, sizeof b), sizeof b, &off);
        if (is_defined) {
            ck_assert_int_eq(rc, echonet_esv_is_setget((uint8_t)v) ? 16 : 15);
            accepted++;
        } else {
            ck_assert_int_eq(rc, ECHONET_ERR_ESV);
            ck_assert_uint_eq(off, 10);
            ck_assert_int_eq(echonet_frame_decode(&f, guard_place(b, 11), 11, &off), ECHONET_ERR_ESV);
        }
    }
    ck_assert_uint_eq(accepted, 16);
}
END_TEST

/* Policy: a request or INFC without any property is rejected; responses,
 * SNAs and INF with OPC 0 are accepted (doc/decisions.md). */
START_TEST(opc_zero_policy)
{
    uint8_t b[13];
    unsigned v;

    test_hex("10 81 00 01 05 FF 01 01 30 01 62 00 00", b, sizeof b);
    for (v = 0; v < 256; v++) {
        echonet_frame f;
        size_t off = 99, len;
        int32_t rc;

        if (!echonet_esv_is_valid((uint8_t)v))
            continue;
        b[10] = (uint8_t)v;
        len = echonet_esv_is_setget((uint8_t)v) ? 13 : 12;
        rc = echonet_frame_decode(&f, guard_place(b, len), len, &off);
        if (echonet_esv_needs_property((uint8_t)v)) {
            ck_assert_int_eq(rc, ECHONET_ERR_OPC_ZERO);
            ck_assert_uint_eq(off, 11);
        } else {
            ck_assert_int_eq(rc, (int32_t)len);
            ck_assert_uint_eq(f.opc, 0);
        }
    }
}
END_TEST

START_TEST(setget_one_empty_block)
{
    uint8_t b[32];
    size_t len;
    echonet_frame f;
    echonet_prop p;

    /* Set block empty, Get block 0x80: accepted. */
    len = test_hex("10 81 00 06 05 FF 01 01 30 01 6E 00 01 80 00", b, sizeof b);
    ck_assert_int_eq(echonet_frame_decode_udp(&f, b, len, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.opc, 0);
    ck_assert_uint_eq(f.opc_get, 1);
    ck_assert(echonet_prop_next(&f.props_get, &p));
    ck_assert_uint_eq(p.epc, 0x80);
    /* Get block empty: accepted. */
    len = test_hex("10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 00", b, sizeof b);
    ck_assert_int_eq(echonet_frame_decode_udp(&f, b, len, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.opc, 1);
    ck_assert_uint_eq(f.opc_get, 0);
    /* Missing OPCGet byte: truncated at its offset. */
    len = test_hex("10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30", b, sizeof b);
    ck_assert_int_eq(echonet_frame_decode(&f, b, len, NULL), ECHONET_ERR_TRUNCATED);
}
END_TEST

START_TEST(truncation_offsets)
{
    static const struct {
        const char *hex;
        size_t off;
    } cases[] = {
        {"", 0},
        {"10", 1},
        {"10 81", 2},
        {"10 81 00", 2},
        {"10 81 00 01", 4},
        {"10 81 00 01 05 FF 01", 7},
        {"10 81 00 01 05 FF 01 01 30 01", 10},
        {"10 81 00 01 05 FF 01 01 30 01 62", 11},
        {"10 81 00 01 05 FF 01 01 30 01 62 01", 12},
        {"10 81 00 01 05 FF 01 01 30 01 62 01 80", 12},
        {"10 81 00 01 05 FF 01 01 30 01 72 01 80 02 30", 14},
        {"10 81 00 01 05 FF 01 01 30 01 72 02 80 01 30", 15},
        {"10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00", 18},
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t b[32];
        size_t len = test_hex(cases[i].hex, b, sizeof b), off = 999;
        echonet_frame f;

        ck_assert_int_eq(echonet_frame_decode(&f, guard_place(b, len), len, &off), ECHONET_ERR_TRUNCATED);
        ck_assert_msg(off == cases[i].off, "case %zu: offset %zu, want %zu", i, off, cases[i].off);
    }
}
END_TEST

START_TEST(format2_opaque)
{
    uint8_t b[16], out[16];
    size_t len = test_hex("10 82 12 34 DE AD BE EF", b, sizeof b), n = 0;
    echonet_frame f;
    echonet_writer w;

    ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(b, len), len, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.format, 2);
    ck_assert_uint_eq(f.tid, 0x1234);
    ck_assert_uint_eq(f.edata_len, 4);
    ck_assert_mem_eq(f.edata, b + 4, 4);
    ck_assert_uint_eq(f.opc, 0);
    ck_assert_int_eq(echonet_frame_encode(&f, out, sizeof out, &n), ECHONET_OK);
    ck_assert_uint_eq(n, len);
    ck_assert_mem_eq(out, b, len);
    /* Empty EDATA is a frame of its own. */
    ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(b, 4), 4, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.edata_len, 0);
    echonet_writer_init(&w, out, sizeof out);
    echonet_writer_format2(&w, 0x1234, NULL, 0);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_OK);
    ck_assert_uint_eq(n, 4);
    ck_assert_mem_eq(out, b, 4);
}
END_TEST

START_TEST(largest_frames)
{
    static uint8_t big[ECHONET_FRAME_MAX_LEN + 2];
    static uint8_t out[ECHONET_FRAME_MAX_LEN];
    echonet_writer w;
    echonet_frame f;
    echonet_prop p;
    echonet_prop_iter it;
    static uint8_t edt[255];
    size_t n = 0, off = 0;
    unsigned i;

    /* 255 properties of 255 bytes: the largest format 1 frame. */
    memset(big, 0x5A, sizeof big);
    echonet_writer_init(&w, big, sizeof big);
    echonet_writer_header(&w, 0xFFFF, 0x013001, 0x05FF01, ECHONET_ESV_GET_RES);
    for (i = 0; i < 255; i++)
        echonet_writer_prop(&w, (uint8_t)(0x80 + (i & 0x7F)), 255, edt);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_OK);
    ck_assert_uint_eq(n, ECHONET_FRAME_MAX_LEN);
    ck_assert_int_eq(echonet_frame_decode_udp(&f, guard_place(big, n), n, NULL), ECHONET_OK);
    ck_assert_uint_eq(f.opc, 255);
    it = f.props; /* walk a copy: the frame's own cursor stays at the start */
    for (i = 0; echonet_prop_next(&it, &p); i++)
        ck_assert_uint_eq(p.pdc, 255);
    ck_assert_uint_eq(i, 255);
    ck_assert_int_eq(echonet_frame_encode(&f, out, sizeof out, &n), ECHONET_OK);
    ck_assert_mem_eq(out, big, n);
    /* Format 2 may not exceed it. */
    big[1] = 0x82;
    ck_assert_int_eq(echonet_frame_decode(&f, big, ECHONET_FRAME_MAX_LEN, NULL), (int32_t)ECHONET_FRAME_MAX_LEN);
    ck_assert_int_eq(echonet_frame_decode(&f, big, ECHONET_FRAME_MAX_LEN + 1, &off), ECHONET_ERR_TOO_LONG);
    ck_assert_uint_eq(off, ECHONET_FRAME_MAX_LEN);
    echonet_writer_init(&w, big, sizeof big);
    echonet_writer_format2(&w, 1, big, ECHONET_FRAME_MAX_LEN - 3);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_TOO_LONG);
}
END_TEST

/* ---- Generated frames of every ESV -------------------------------------- */

static uint32_t rng_state;

static uint32_t rng(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return rng_state >> 8;
}

static const uint8_t all_esvs[] = {0x60, 0x61, 0x62, 0x63, 0x6E, 0x71, 0x72, 0x73,
                                   0x74, 0x7A, 0x7E, 0x50, 0x51, 0x52, 0x53, 0x5E};

START_TEST(generated_round_trip_every_esv)
{
    uint8_t esv = all_esvs[_i];
    static uint8_t buf[ECHONET_FRAME_MAX_LEN], out[ECHONET_FRAME_MAX_LEN];
    uint8_t edt[255];
    unsigned iter;

    rng_state = 12345u + esv;
    for (iter = 0; iter < 400; iter++) {
        echonet_writer w;
        echonet_frame f;
        echonet_prop_iter it;
        echonet_prop p;
        unsigned nset, nget, k, maxpdc = (iter % 10 == 0) ? 255 : 8;
        uint16_t tid = (uint16_t)rng();
        echonet_eoj seoj = rng() & 0xFFFFFF, deoj = rng() & 0xFFFFFF;
        size_t len = 0, len2 = 0;
        uint32_t seed;

        nset = rng() % (iter % 7 == 0 ? 256 : 6);
        nget = echonet_esv_is_setget(esv) ? rng() % 6 : 0;
        if (echonet_esv_needs_property(esv) && nset + nget == 0)
            nset = 1;
        seed = rng_state;
        echonet_writer_init(&w, buf, sizeof buf);
        echonet_writer_header(&w, tid, seoj, deoj, esv);
        for (k = 0; k < nset + nget; k++) {
            unsigned pdc = rng() % (maxpdc + 1), j;

            if (k == nset)
                echonet_writer_get_block(&w);
            for (j = 0; j < pdc; j++)
                edt[j] = (uint8_t)rng();
            echonet_writer_prop(&w, (uint8_t)rng(), pdc, edt);
        }
        ck_assert_int_eq(echonet_writer_finish(&w, &len), ECHONET_OK);

        ck_assert_int_eq(echonet_frame_decode_udp(&f, buf, len, NULL), ECHONET_OK);
        ck_assert_uint_eq(f.tid, tid);
        ck_assert_uint_eq(f.seoj, seoj);
        ck_assert_uint_eq(f.deoj, deoj);
        ck_assert_uint_eq(f.esv, esv);
        ck_assert_uint_eq(f.opc, nset);
        ck_assert_uint_eq(f.opc_get, nget);
        /* Replay the generator to check every property's content. */
        rng_state = seed;
        it = f.props;
        for (k = 0; k < nset + nget; k++) {
            unsigned pdc = rng() % (maxpdc + 1), j;

            if (k == nset)
                it = f.props_get;
            for (j = 0; j < pdc; j++)
                edt[j] = (uint8_t)rng();
            ck_assert(echonet_prop_next(&it, &p));
            ck_assert_uint_eq(p.epc, (uint8_t)rng());
            ck_assert_uint_eq(p.pdc, pdc);
            if (pdc)
                ck_assert_mem_eq(p.edt, edt, pdc);
        }
        ck_assert(!echonet_prop_next(&it, &p));

        ck_assert_int_eq(echonet_frame_encode(&f, out, sizeof out, &len2), ECHONET_OK);
        ck_assert_uint_eq(len2, len);
        ck_assert_mem_eq(out, buf, len);
    }
}
END_TEST

/* ---- Writer errors ------------------------------------------------------ */

START_TEST(writer_state_errors)
{
    uint8_t buf[64];
    echonet_writer w;
    size_t n = 7;

    /* Nothing written. */
    echonet_writer_init(&w, buf, sizeof buf);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Property before header. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Two headers. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Get block outside the SetGet family, and twice inside it. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    echonet_writer_get_block(&w);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETGET);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    echonet_writer_get_block(&w);
    echonet_writer_get_block(&w);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Reserved ESV. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, 0x64);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_ESV);
    /* Finished twice; nothing accepted after finishing. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_OK);
    echonet_writer_prop(&w, 0x81, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Format 2 after a header. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET_RES);
    echonet_writer_format2(&w, 1, buf, 1);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_format2(&w, 1, NULL, 3);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_INVALID_ARG);
    /* NULL writer. */
    echonet_writer_init(NULL, buf, sizeof buf);
    echonet_writer_header(NULL, 1, 0, 0, ECHONET_ESV_GET);
    echonet_writer_prop(NULL, 0x80, 0, NULL);
    echonet_writer_get_block(NULL);
    echonet_writer_format2(NULL, 1, NULL, 0);
    ck_assert_int_eq(echonet_writer_finish(NULL, &n), ECHONET_ERR_INVALID_ARG);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(writer_request_needs_property)
{
    uint8_t buf[64];
    size_t i, n;

    for (i = 0; i < sizeof all_esvs; i++) {
        echonet_writer w;
        echonet_err err;
        echonet_frame f;

        echonet_writer_init(&w, buf, sizeof buf);
        echonet_writer_header(&w, 1, 0x05FF01, 0x013001, all_esvs[i]);
        err = echonet_writer_finish(&w, &n);
        if (echonet_esv_needs_property(all_esvs[i])) {
            ck_assert_int_eq(err, ECHONET_ERR_OPC_ZERO);
        } else {
            /* What the writer accepts, the decoder accepts. */
            ck_assert_int_eq(err, ECHONET_OK);
            ck_assert_int_eq(echonet_frame_decode_udp(&f, buf, n, NULL), ECHONET_OK);
        }
    }
}
END_TEST

START_TEST(writer_opc_and_pdc_limits)
{
    static uint8_t buf[ECHONET_FRAME_MAX_LEN + 16];
    uint8_t edt[300] = {0};
    echonet_writer w;
    size_t n;
    unsigned i;

    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    for (i = 0; i < 256; i++)
        echonet_writer_prop(&w, 0x80, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_OPC_OVERFLOW);

    /* 255 in each SetGet block is fine: the count restarts per block. */
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETGET);
    for (i = 0; i < 255; i++)
        echonet_writer_prop(&w, 0x80, 1, edt);
    echonet_writer_get_block(&w);
    for (i = 0; i < 255; i++)
        echonet_writer_prop(&w, 0x80, 0, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_OK);
    ck_assert_uint_eq(n, 12 + 255 * 3 + 1 + 255 * 2);

    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETC);
    echonet_writer_prop(&w, 0x80, 256, edt);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_PDC_OVERFLOW);
    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETC);
    echonet_writer_prop(&w, 0x80, 1, NULL);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_PDC_OVERFLOW);
}
END_TEST

/* After an overflow, a later non-overflow error is the one reported. */
START_TEST(writer_overflow_then_state_error)
{
    uint8_t buf[4];
    echonet_writer w;
    size_t n = 0;

    echonet_writer_init(&w, buf, sizeof buf);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_GET);
    echonet_writer_prop(&w, 0x80, 0, NULL);
    echonet_writer_get_block(&w);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_WRITER_STATE);
    /* Measuring with no buffer at all. */
    echonet_writer_init(&w, NULL, 100);
    echonet_writer_header(&w, 1, 0x05FF01, 0x013001, ECHONET_ESV_SETGET);
    echonet_writer_prop(&w, 0x80, 1, buf);
    ck_assert_int_eq(echonet_writer_finish(&w, &n), ECHONET_ERR_NOBUF);
    ck_assert_uint_eq(n, 12 + 3 + 1);
}
END_TEST

START_TEST(decode_bad_arguments)
{
    uint8_t b[4] = {0x10, 0x81, 0, 0};
    echonet_frame f;
    size_t off = 5, n = 5;

    ck_assert_int_eq(echonet_frame_decode(NULL, b, 4, &off), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_frame_decode(&f, NULL, 4, &off), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_frame_decode(&f, NULL, 0, &off), ECHONET_ERR_TRUNCATED);
    ck_assert_uint_eq(off, 0);
    ck_assert_int_eq(echonet_frame_decode_udp(NULL, b, 4, NULL), ECHONET_ERR_INVALID_ARG);
    ck_assert_int_eq(echonet_frame_encode(NULL, b, 4, &n), ECHONET_ERR_INVALID_ARG);
    ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(prop_iteration_helpers)
{
    uint8_t b[64];
    size_t len = test_hex(goldens[1].hex, b, sizeof b);
    echonet_frame f;
    echonet_prop p;
    echonet_prop_iter copy;

    ck_assert_int_eq(echonet_frame_decode_udp(&f, b, len, NULL), ECHONET_OK);
    ck_assert(echonet_prop_find(f.props, 0xB3, &p));
    ck_assert_uint_eq(p.pdc, 1);
    ck_assert_uint_eq(p.edt[0], 0x1A);
    ck_assert(!echonet_prop_find(f.props, 0x81, &p));
    ck_assert(echonet_prop_find(f.props, 0x80, NULL));
    /* The iterator is a value: a copy walks the block again. */
    copy = f.props;
    ck_assert(echonet_prop_next(&f.props, &p));
    ck_assert(echonet_prop_next(&copy, &p));
    ck_assert_uint_eq(p.epc, 0x80);
    ck_assert(!echonet_prop_next(NULL, &p));
    ck_assert(!echonet_prop_next(&copy, NULL));
    /* Non-SetGet frames have an empty Get block. */
    ck_assert(!echonet_prop_next(&f.props_get, &p));
}
END_TEST

Suite *frame_suite(void)
{
    Suite *s = suite_create("frame");
    TCase *tc = tcase_create("golden");

    tcase_add_loop_test(tc, golden_decode, 0, N_GOLDEN);
    tcase_add_loop_test(tc, golden_encode, 0, N_GOLDEN);
    tcase_add_loop_test(tc, golden_round_trip, 0, N_GOLDEN);
    tcase_add_loop_test(tc, golden_every_truncation, 0, N_GOLDEN);
    tcase_add_loop_test(tc, golden_trailing_byte, 0, N_GOLDEN);
    tcase_add_loop_test(tc, golden_writer_every_capacity, 0, N_GOLDEN);
    tcase_add_test(tc, stream_of_frames);
    suite_add_tcase(s, tc);

    tc = tcase_create("policies");
    tcase_add_test(tc, ehd1_only_0x10);
    tcase_add_test(tc, ehd2_formats);
    tcase_add_test(tc, esv_reserved_rejected);
    tcase_add_test(tc, opc_zero_policy);
    tcase_add_test(tc, setget_one_empty_block);
    tcase_add_test(tc, truncation_offsets);
    tcase_add_test(tc, format2_opaque);
    tcase_add_test(tc, largest_frames);
    tcase_add_test(tc, decode_bad_arguments);
    tcase_add_test(tc, prop_iteration_helpers);
    suite_add_tcase(s, tc);

    tc = tcase_create("generated");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, generated_round_trip_every_esv, 0, sizeof all_esvs);
    suite_add_tcase(s, tc);

    tc = tcase_create("writer");
    tcase_add_test(tc, writer_state_errors);
    tcase_add_test(tc, writer_request_needs_property);
    tcase_add_test(tc, writer_opc_and_pdc_limits);
    tcase_add_test(tc, writer_overflow_then_state_error);
    suite_add_tcase(s, tc);
    return s;
}
