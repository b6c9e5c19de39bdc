/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * frame_json: one JSON object per ECHONET Lite frame, shared by the example
 * programs (echonet-dump, aircon-emulator) so that they print the same shape.
 *
 * A decoded format 1 frame:
 *
 *   {"format":1,"tid":"0001","seoj":"05ff01","deoj":"013001","esv":"62",
 *    "esv_name":"Get","props":[{"epc":"80","pdc":0,"edt":""}]}
 *
 * The SetGet family adds "props_get" (the Get block). A property map (0x9D,
 * 0x9E, 0x9F) in a block that carries values (Get_Res, Get_SNA, INF,
 * INF_SNA, INFC, the Get block of SetGet_Res and SetGet_SNA) gets "map", its
 * EPCs ascending, or "map_error" when it does not decode. A format 2 frame:
 *
 *   {"format":2,"tid":"0001","edata":"..."}
 *
 * Bytes not decoded, with the kind and offset of the first fault:
 *
 *   {"error":"ECHONET_ERR_TRUNCATED","offset":12,"message":"..."}
 *
 * Hex is lowercase. Nothing here writes a newline: the caller ends the line,
 * or embeds the object in a larger one.
 */
#ifndef EXAMPLES_FRAME_JSON_H
#define EXAMPLES_FRAME_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <echonet/echonet.h>

/* Writes s as a JSON string, quotes included. */
void frame_json_string(FILE *out, const char *s);

/* Writes n bytes as a JSON string of lowercase hex. */
void frame_json_hex(FILE *out, const uint8_t *p, size_t n);

/* Writes the object of a frame filled by echonet_frame_decode(). */
void frame_json_frame(FILE *out, const echonet_frame *f);

/* Whether frame_json_frame() names classes and properties from the
 * Appendix (echonet-dump --names); off by default. */
void frame_json_names(bool on);

/* Writes an error object: name (e.g. "ECHONET_ERR_TRUNCATED"), the input
 * line when line > 0 (as "line", before "offset"), offset and message. */
void frame_json_error(FILE *out, const char *name, unsigned long line, size_t offset, const char *message);

/* Decodes a UDP datagram (echonet_frame_decode_udp()) and writes the frame
 * object, or the error object (with line, when > 0) when it is not exactly
 * one valid frame. Returns the decoder's verdict. */
echonet_err frame_json_datagram_line(FILE *out, const uint8_t *buf, size_t len, unsigned long line);

/* frame_json_datagram_line() without a line. */
echonet_err frame_json_datagram(FILE *out, const uint8_t *buf, size_t len);

#endif /* EXAMPLES_FRAME_JSON_H */
