/* ESV helpers against the table of reference 3.1, over all 256 codes. */
#include <string.h>

#include "echonet/config.h"
#include "echonet/esv.h"
#include "tests.h"

/* Reference 3.1, written out: code, kind, success answer, SNA, name. */
static const struct {
    uint8_t esv;
    echonet_esv_kind kind;
    uint8_t response, sna;
    const char *name;
} table[] = {
    {0x60, ECHONET_ESV_KIND_REQUEST, 0x00, 0x50, "SetI"},
    {0x61, ECHONET_ESV_KIND_REQUEST, 0x71, 0x51, "SetC"},
    {0x62, ECHONET_ESV_KIND_REQUEST, 0x72, 0x52, "Get"},
    {0x63, ECHONET_ESV_KIND_REQUEST, 0x73, 0x53, "INF_REQ"},
    {0x6E, ECHONET_ESV_KIND_REQUEST, 0x7E, 0x5E, "SetGet"},
    {0x71, ECHONET_ESV_KIND_RESPONSE, 0, 0, "Set_Res"},
    {0x72, ECHONET_ESV_KIND_RESPONSE, 0, 0, "Get_Res"},
    {0x73, ECHONET_ESV_KIND_NOTIFICATION, 0, 0, "INF"},
    {0x74, ECHONET_ESV_KIND_NOTIFICATION_REQ, 0x7A, 0x00, "INFC"},
    {0x7A, ECHONET_ESV_KIND_RESPONSE, 0, 0, "INFC_Res"},
    {0x7E, ECHONET_ESV_KIND_RESPONSE, 0, 0, "SetGet_Res"},
    {0x50, ECHONET_ESV_KIND_SNA, 0, 0, "SetI_SNA"},
    {0x51, ECHONET_ESV_KIND_SNA, 0, 0, "SetC_SNA"},
    {0x52, ECHONET_ESV_KIND_SNA, 0, 0, "Get_SNA"},
    {0x53, ECHONET_ESV_KIND_SNA, 0, 0, "INF_SNA"},
    {0x5E, ECHONET_ESV_KIND_SNA, 0, 0, "SetGet_SNA"},
};

START_TEST(all_codes)
{
    unsigned v, valid = 0;

    for (v = 0; v < 256; v++) {
        size_t i;
        int row = -1;

        for (i = 0; i < sizeof table / sizeof table[0]; i++)
            if (table[i].esv == v)
                row = (int)i;
        if (row < 0) {
            ck_assert_msg(!echonet_esv_is_valid((uint8_t)v), "%02x should be reserved", v);
            ck_assert_int_eq(echonet_esv_classify((uint8_t)v), ECHONET_ESV_KIND_INVALID);
            ck_assert_uint_eq(echonet_esv_response((uint8_t)v), 0);
            ck_assert_uint_eq(echonet_esv_sna((uint8_t)v), 0);
            ck_assert_uint_eq(echonet_esv_request_of((uint8_t)v), 0);
            ck_assert(!echonet_esv_needs_property((uint8_t)v));
            ck_assert(!echonet_esv_is_setget((uint8_t)v));
#if ECHONET_ENABLE_ERROR_STRINGS
            ck_assert_str_eq(echonet_esv_name((uint8_t)v), "reserved");
#endif
            continue;
        }
        valid++;
        ck_assert(echonet_esv_is_valid((uint8_t)v));
        ck_assert_int_eq(echonet_esv_classify((uint8_t)v), table[row].kind);
        ck_assert_uint_eq(echonet_esv_response((uint8_t)v), table[row].response);
        ck_assert_uint_eq(echonet_esv_sna((uint8_t)v), table[row].sna);
        ck_assert_int_eq(echonet_esv_is_setget((uint8_t)v), (v & 0x0F) == 0x0E);
        ck_assert_int_eq(echonet_esv_needs_property((uint8_t)v),
                         table[row].kind == ECHONET_ESV_KIND_REQUEST ||
                             table[row].kind == ECHONET_ESV_KIND_NOTIFICATION_REQ);
#if ECHONET_ENABLE_ERROR_STRINGS
        ck_assert_str_eq(echonet_esv_name((uint8_t)v), table[row].name);
#else
        ck_assert_str_eq(echonet_esv_name((uint8_t)v), "");
#endif
        /* Answers map back to the request they answer. */
        if (table[row].response)
            ck_assert_uint_eq(echonet_esv_request_of(table[row].response), v);
        if (table[row].sna)
            ck_assert_uint_eq(echonet_esv_request_of(table[row].sna), v);
        if (table[row].kind == ECHONET_ESV_KIND_REQUEST || table[row].kind == ECHONET_ESV_KIND_NOTIFICATION_REQ)
            ck_assert_uint_eq(echonet_esv_request_of((uint8_t)v), 0);
    }
    ck_assert_uint_eq(valid, 16);
}
END_TEST

Suite *esv_suite(void)
{
    Suite *s = suite_create("esv");
    TCase *tc = tcase_create("table");

    tcase_add_test(tc, all_codes);
    suite_add_tcase(s, tc);
    return s;
}
