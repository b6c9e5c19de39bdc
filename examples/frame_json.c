/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/* JSON objects for frames and decode errors; the shape is in frame_json.h. */
#include "frame_json.h"
#include "mra_names.h"

#include <stdbool.h>

void frame_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c == 0x7F)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

void frame_json_hex(FILE *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    fputc('"', out);
    for (i = 0; i < n; i++) {
        fputc(digits[p[i] >> 4], out);
        fputc(digits[p[i] & 0x0F], out);
    }
    fputc('"', out);
}

void frame_json_error(FILE *out, const char *name, unsigned long line, size_t offset, const char *message)
{
    fputs("{\"error\":", out);
    frame_json_string(out, name);
    if (line > 0)
        fprintf(out, ",\"line\":%lu", line);
    fprintf(out, ",\"offset\":%zu,\"message\":", offset);
    frame_json_string(out, message);
    fputc('}', out);
}

/* Whether the properties of a block carry values (Get_Res, Get_SNA, INF,
 * INF_SNA, INFC, and the Get block of SetGet_Res and SetGet_SNA), so that a
 * property map in them is worth decoding. */
static bool block_has_values(uint8_t esv, bool get_block)
{
    if (get_block)
        return esv == ECHONET_ESV_SETGET_RES || esv == ECHONET_ESV_SETGET_SNA;
    return esv == ECHONET_ESV_GET_RES || esv == ECHONET_ESV_GET_SNA || esv == ECHONET_ESV_INF ||
           esv == ECHONET_ESV_INF_SNA || esv == ECHONET_ESV_INFC;
}

/* Set by frame_json_names(): the program's one setting, not state. */
static bool with_names;

void frame_json_names(bool on)
{
    with_names = on;
}

static void put_propmap(FILE *out, const echonet_prop *prop)
{
    echonet_propmap map;
    echonet_err err = echonet_propmap_decode(&map, prop->edt, prop->pdc);
    unsigned epc;
    const char *sep = "";

    if (err != ECHONET_OK) {
        fputs(",\"map_error\":", out);
        frame_json_string(out, echonet_err_name(err));
        return;
    }
    fputs(",\"map\":[", out);
    for (epc = echonet_propmap_next(&map, 0x80); epc != ECHONET_PROPMAP_END;
         epc = echonet_propmap_next(&map, epc + 1)) {
        fprintf(out, "%s\"%02x\"", sep, epc);
        sep = ",";
    }
    fputc(']', out);
}

/* The properties of a block, named after the class of @p owner (the object
 * they belong to: the DEOJ of a request, the SEOJ of anything else). */
static void put_props(FILE *out, echonet_prop_iter it, bool with_values, echonet_eoj owner)
{
    echonet_prop prop;
    const char *sep = "", *name;

    fputc('[', out);
    while (echonet_prop_next(&it, &prop)) {
        fprintf(out, "%s{\"epc\":\"%02x\",", sep, prop.epc);
        name = with_names ? mra_prop_name(ECHONET_EOJ_CLASS(owner), prop.epc) : NULL;
        if (name) {
            fputs("\"name\":", out);
            frame_json_string(out, name);
            fputc(',', out);
        }
        fprintf(out, "\"pdc\":%u,\"edt\":", (unsigned)prop.pdc);
        frame_json_hex(out, prop.edt, prop.pdc);
        if (with_values && prop.pdc > 0 && prop.epc >= 0x9D && prop.epc <= 0x9F)
            put_propmap(out, &prop);
        fputc('}', out);
        sep = ",";
    }
    fputc(']', out);
}

/* ,"KEY":"Home air conditioner" for an object of a class the Appendix lists. */
static void put_class(FILE *out, const char *key, echonet_eoj eoj)
{
    const char *name = with_names ? mra_class_name(ECHONET_EOJ_CLASS(eoj)) : NULL;

    if (name) {
        fprintf(out, ",\"%s\":", key);
        frame_json_string(out, name);
    }
}

void frame_json_frame(FILE *out, const echonet_frame *f)
{
    echonet_eoj owner;

    if (f->format == 2) {
        fprintf(out, "{\"format\":2,\"tid\":\"%04x\",\"edata\":", (unsigned)f->tid);
        frame_json_hex(out, f->edata, f->edata_len);
        fputc('}', out);
        return;
    }
    fprintf(out,
            "{\"format\":1,\"tid\":\"%04x\",\"seoj\":\"%06lx\",\"deoj\":\"%06lx\","
            "\"esv\":\"%02x\",\"esv_name\":",
            (unsigned)f->tid, (unsigned long)f->seoj, (unsigned long)f->deoj, (unsigned)f->esv);
    frame_json_string(out, echonet_esv_name(f->esv));
    owner = f->esv >= 0x60 && f->esv <= 0x6F ? f->deoj : f->seoj;
    put_class(out, "seoj_class", f->seoj);
    put_class(out, "deoj_class", f->deoj);
    fputs(",\"props\":", out);
    put_props(out, f->props, block_has_values(f->esv, false), owner);
    if (echonet_esv_is_setget(f->esv)) {
        fputs(",\"props_get\":", out);
        put_props(out, f->props_get, block_has_values(f->esv, true), owner);
    }
    fputc('}', out);
}

echonet_err frame_json_datagram_line(FILE *out, const uint8_t *buf, size_t len, unsigned long line)
{
    echonet_frame frame;
    size_t offset = 0;
    echonet_err err = echonet_frame_decode_udp(&frame, buf, len, &offset);

    if (err != ECHONET_OK)
        frame_json_error(out, echonet_err_name(err), line, offset, echonet_strerror(err));
    else
        frame_json_frame(out, &frame);
    return err;
}

echonet_err frame_json_datagram(FILE *out, const uint8_t *buf, size_t len)
{
    return frame_json_datagram_line(out, buf, len, 0);
}
