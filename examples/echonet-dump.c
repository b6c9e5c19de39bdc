/*
 * libechonet: ECHONET Lite for firmware and HEMS controllers.
 * SPDX-License-Identifier: MIT
 */
/*
 * echonet-dump: decode ECHONET Lite frames written in hex and print each as
 * one line of JSON.
 *
 *   echonet-dump HEX...      one frame per argument
 *   echonet-dump             one frame per line of standard input
 *
 * Hex digits are case-insensitive and may be separated by white space,
 * colons or nothing; blank input lines are skipped. Every frame goes through
 * echonet_frame_decode_udp(), so a datagram must be exactly one frame. The
 * output is one object per input, in the order of the inputs:
 *
 *   {"format":1,"tid":"0001","seoj":"05ff01","deoj":"013001","esv":"62",
 *    "esv_name":"Get","props":[{"epc":"80","pdc":0,"edt":""}]}
 *   {"format":2,"tid":"0001","edata":"..."}
 *   {"error":"ECHONET_ERR_TRUNCATED","offset":12,"message":"..."}
 *   {"error":"invalid_hex","line":3,"offset":5,"message":"..."}  (standard input)
 *
 * With --names, a frame also names the classes of its objects
 * ("seoj_class", "deoj_class": the Appendix's class names, for the classes
 * it lists) and each property ("name", of the class of the object it
 * belongs to: the DEOJ of a request, the SEOJ of anything else).
 *
 * The SetGet family adds "props_get" (the Get block). Property maps (0x9D,
 * 0x9E, 0x9F) in blocks that carry values get "map" (their EPCs, ascending)
 * or "map_error". Input that is not hex gives the error "invalid_hex" with
 * the character position of the fault as offset. An error of standard input
 * also gives its line number (from 1, blank lines counted) as "line". The objects are written by
 * frame_json.c, which aircon-emulator shares.
 *
 * Exit status: 0 when every input decoded, 1 when one did not, 2 on a usage
 * error.
 *
 * The program keeps to the public API; stdio is its only dependency.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <echonet/echonet.h>

#include "posix_util.h"

#include "frame_json.h"

/* Why a hex input could not become bytes. */
enum hex_fault {
    HEX_OK = 0,
    HEX_BAD_CHAR, /* a character that is neither a hex digit nor a separator */
    HEX_ODD       /* an odd number of digits; reported at the end of the input */
};

/* Turns a stream of characters into bytes, one character at a time, so a
 * line of any length is read without being stored. Digits pair up in order;
 * separators may appear anywhere. Bytes beyond the buffer are counted, not
 * kept: with one byte more than the largest frame, the decoder already gives
 * the verdict it would give on the whole input (ECHONET_ERR_TRAILING or
 * ECHONET_ERR_TOO_LONG at the largest frame's end, or an earlier fault). */
struct hex_reader {
    uint8_t *buf;          /* receives the first cap bytes */
    size_t cap;            /* bytes at buf */
    size_t len;            /* bytes decoded, kept or not */
    size_t pos;            /* characters fed */
    int high;              /* pending high nibble, or -1 */
    bool blank;            /* only white space fed so far */
    enum hex_fault fault;  /* first fault, HEX_OK if none */
    size_t fault_pos;      /* character position of that fault */
};

static const char usage_text[] =
    "Usage: echonet-dump [--names] [--] [HEX...]\n"
    "       echonet-dump --help | --version\n"
    "Decode ECHONET Lite frames written in hex; print one JSON object per frame.\n"
    "Each HEX argument is one frame; with none, standard input is read, one\n"
    "frame per line (blank lines are skipped). Hex digits may be separated by\n"
    "spaces or colons. An error object gives the byte offset in the frame (the\n"
    "character for invalid hex) and, on standard input, the line number.\n"
    "  --names   also name the objects' classes (\"seoj_class\", \"deoj_class\")\n"
    "            and the properties (\"name\"), as the ECHONET Appendix does\n"
    "\n"
    "Exit status: 0 every frame decoded, 1 some input was invalid, 2 usage error.\n";

static void hex_init(struct hex_reader *r, uint8_t *buf, size_t cap)
{
    r->buf = buf;
    r->cap = cap;
    r->len = 0;
    r->pos = 0;
    r->high = -1;
    r->blank = true;
    r->fault = HEX_OK;
    r->fault_pos = 0;
}

static void hex_feed(struct hex_reader *r, int c)
{
    size_t pos = r->pos++;
    int v;

    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
        return;
    r->blank = false;
    if (r->fault != HEX_OK || c == ':')
        return;
    v = posix_hex_digit(c);
    if (v < 0) {
        r->fault = HEX_BAD_CHAR;
        r->fault_pos = pos;
    } else if (r->high < 0) {
        r->high = v;
    } else {
        if (r->len < r->cap)
            r->buf[r->len] = (uint8_t)((r->high << 4) | v);
        r->len++;
        r->high = -1;
    }
}

static void hex_finish(struct hex_reader *r)
{
    if (r->fault == HEX_OK && r->high >= 0) {
        r->fault = HEX_ODD;
        r->fault_pos = r->pos;
    }
}

static void put_error(const char *name, unsigned long line, size_t offset, const char *message)
{
    frame_json_error(stdout, name, line, offset, message);
    putchar('\n');
}

/* Prints the object for one complete input (line: its line of standard
 * input, 0 for an argument); returns whether it decoded. */
static bool dump(const struct hex_reader *r, unsigned long line)
{
    echonet_err err;

    switch (r->fault) {
    case HEX_OK:
        break;
    case HEX_BAD_CHAR:
        put_error("invalid_hex", line, r->fault_pos, "not a hex digit, space or colon");
        return false;
    case HEX_ODD:
        put_error("invalid_hex", line, r->fault_pos, "odd number of hex digits");
        return false;
    }
    err = frame_json_datagram_line(stdout, r->buf, r->len < r->cap ? r->len : r->cap, line);
    putchar('\n');
    return err == ECHONET_OK;
}

/* Dumps every line of standard input; returns whether all decoded. */
static bool dump_lines(uint8_t *buf, size_t cap)
{
    struct hex_reader r;
    bool all_ok = true;
    unsigned long line = 1;
    int c;

    hex_init(&r, buf, cap);
    do {
        c = getchar();
        if (c != '\n' && c != EOF) {
            hex_feed(&r, c);
            continue;
        }
        if (!r.blank) {
            hex_finish(&r);
            if (!dump(&r, line))
                all_ok = false;
        }
        hex_init(&r, buf, cap);
        line++;
    } while (c != EOF);
    if (ferror(stdin)) {
        perror("echonet-dump: standard input");
        all_ok = false;
    }
    return all_ok;
}

static bool dump_string(const char *s, uint8_t *buf, size_t cap)
{
    struct hex_reader r;

    hex_init(&r, buf, cap);
    while (*s != '\0')
        hex_feed(&r, (unsigned char)*s++);
    hex_finish(&r);
    return dump(&r, 0);
}

int main(int argc, char **argv)
{
    uint8_t buf[ECHONET_FRAME_MAX_LEN + 1]; /* see struct hex_reader */
    bool all_ok = true;
    bool any_frame = false;
    bool end_of_options = false;
    int i;

    /* Options first, wherever they are before "--": no frame starts with '-'. */
    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage_text, stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            posix_print_version("echonet-dump");
            return 0;
        }
        if (strcmp(argv[i], "--names") == 0) {
            frame_json_names(true);
            continue;
        }
        if (argv[i][0] == '-') {
            fprintf(stderr, "echonet-dump: unknown option '%s'\n%s", argv[i], usage_text);
            return 2;
        }
    }

    for (i = 1; i < argc; i++) {
        if (!end_of_options && strcmp(argv[i], "--") == 0) {
            end_of_options = true;
            continue;
        }
        if (!end_of_options && strcmp(argv[i], "--names") == 0)
            continue;
        all_ok = dump_string(argv[i], buf, sizeof buf) && all_ok;
        any_frame = true;
    }
    if (!any_frame)
        all_ok = dump_lines(buf, sizeof buf);

    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("echonet-dump: standard output");
        return 1;
    }
    return all_ok ? 0 : 1;
}
