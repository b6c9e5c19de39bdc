#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Contract test of the echonet-dump example.

Usage: python3 tests/test_dump.py /path/to/echonet-dump

Runs the program through its command line only and compares what it prints
with objects written by hand from the bytes of the reference's worked frames
(ECHONET_LITE_REFERENCE.md 3.5 and 9.2). Every line the program prints must
be one valid JSON object (no duplicate keys), with its keys in the order of
the contract. Prints one line per failure and finally "N passed, M failed";
exits 1 when anything failed.
"""

import json
import subprocess
import sys

TIMEOUT = 30


class Any:
    """Matches any value of the given type (used for error messages)."""

    def __init__(self, kind):
        self.kind = kind

    def __repr__(self):
        return "<any %s>" % self.kind.__name__


ANY_TEXT = Any(str)


class Failure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise Failure(message)


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key in %r" % keys)
    return dict(pairs)


def parse_output(stdout):
    """Every line of stdout as a JSON object; fails on anything else."""
    if stdout == "":
        return []
    expect(stdout.endswith("\n"), "output does not end with a newline: %r" % stdout[-80:])
    objects = []
    for number, line in enumerate(stdout[:-1].split("\n"), 1):
        try:
            obj = json.loads(line, object_pairs_hook=no_duplicate_keys)
        except ValueError as e:
            raise Failure("output line %d is not valid JSON (%s): %r" % (number, e, line[:200]))
        expect(isinstance(obj, dict), "output line %d is not an object: %r" % (number, line[:200]))
        objects.append(obj)
    return objects


def run(dump, args, stdin=""):
    """Runs the program; returns (exit status, objects printed, stderr)."""
    proc = subprocess.run([dump] + list(args), input=stdin.encode("ascii"),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=TIMEOUT)
    expect(proc.returncode >= 0, "killed by signal %d" % -proc.returncode)
    stdout = proc.stdout.decode("ascii")
    stderr = proc.stderr.decode("ascii", "replace")
    return proc.returncode, stdout, stderr


def run_json(dump, args, stdin=""):
    status, stdout, stderr = run(dump, args, stdin)
    return status, parse_output(stdout), stderr


def same(got, want, where="$"):
    """Compares parsed JSON with an expectation, key order included."""
    if isinstance(want, Any):
        expect(isinstance(got, want.kind) and got != "",
               "%s: expected a non-empty %s, got %r" % (where, want.kind.__name__, got))
    elif isinstance(want, dict):
        expect(isinstance(got, dict), "%s: expected an object, got %r" % (where, got))
        expect(list(got) == list(want),
               "%s: keys %s, expected %s" % (where, list(got), list(want)))
        for key in want:
            same(got[key], want[key], "%s.%s" % (where, key))
    elif isinstance(want, list):
        expect(isinstance(got, list), "%s: expected an array, got %r" % (where, got))
        expect(len(got) == len(want),
               "%s: %d elements, expected %d: %r" % (where, len(got), len(want), got))
        for i, (g, w) in enumerate(zip(got, want)):
            same(g, w, "%s[%d]" % (where, i))
    else:
        expect(type(got) is type(want) and got == want,
               "%s: %r, expected %r" % (where, got, want))


# ---------------------------------------------------------------------------
# Expected objects, written by hand from the frames' bytes.

def prop(epc, pdc, edt, **extra):
    p = {"epc": epc, "pdc": pdc, "edt": edt}
    p.update(extra)
    return p


def frame(tid, seoj, deoj, esv, name, props, props_get=None):
    f = {"format": 1, "tid": tid, "seoj": seoj, "deoj": deoj, "esv": esv,
         "esv_name": name, "props": props}
    if props_get is not None:
        f["props_get"] = props_get
    return f


def error(name, offset, line=None):
    """An error object; line: the input line (standard input only)."""
    if line is None:
        return {"error": name, "offset": offset, "message": ANY_TEXT}
    return {"error": name, "line": line, "offset": offset, "message": ANY_TEXT}


GET_HEX = "10 81 00 01 05 FF 01 01 30 01 62 03 80 00 B0 00 B3 00"
GET = frame("0001", "05ff01", "013001", "62", "Get",
            [prop("80", 0, ""), prop("b0", 0, ""), prop("b3", 0, "")])

GET_RES_HEX = "10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01 1A"
GET_RES = frame("0001", "013001", "05ff01", "72", "Get_Res",
                [prop("80", 1, "30"), prop("b0", 1, "42"), prop("b3", 1, "1a")])

INF_HEX = "10 81 00 10 01 30 01 0E F0 01 73 01 80 01 31"
INF = frame("0010", "013001", "0ef001", "73", "INF", [prop("80", 1, "31")])

MAP_9D = ["80", "81", "88", "8f", "a0", "b0"]
MAP_9E = ["80", "81", "8f", "93", "a0", "b0", "b3"]
MAP_9F = ["80", "81", "82", "83", "86", "88", "89", "8a", "8f",
          "93", "9d", "9e", "9f", "a0", "b0", "b3", "bb"]

ATTR_GET_RES_HEX = ("10 81 00 07 01 30 01 05 FF 01 72 04 82 04 00 00 48 00 "
                    "9D 07 06 80 81 88 8F A0 B0 "
                    "9E 08 07 80 81 8F 93 A0 B0 B3 "
                    "9F 11 11 0D 01 01 0B 00 00 01 00 01 01 01 08 00 02 02 03")
ATTR_GET_RES = frame("0007", "013001", "05ff01", "72", "Get_Res", [
    prop("82", 4, "00004800"),
    prop("9d", 7, "068081888fa0b0", map=MAP_9D),
    prop("9e", 8, "0780818f93a0b0b3", map=MAP_9E),
    prop("9f", 17, "110d01010b000001000101010800020203", map=MAP_9F),
])

WORKED_FRAMES = [
    # Reference 3.5
    ("3.5 Get", GET_HEX, GET),
    ("3.5 Get_Res", GET_RES_HEX, GET_RES),
    ("3.5 Get_SNA",
     "10 81 00 01 01 30 01 05 FF 01 52 03 80 01 30 B0 01 42 B3 00",
     frame("0001", "013001", "05ff01", "52", "Get_SNA",
           [prop("80", 1, "30"), prop("b0", 1, "42"), prop("b3", 0, "")])),
    ("3.5 SetC with 0x93 prefix",
     "10 81 00 02 05 FF 01 01 30 01 61 04 93 01 42 80 01 30 B0 01 42 B3 01 1A",
     frame("0002", "05ff01", "013001", "61", "SetC",
           [prop("93", 1, "42"), prop("80", 1, "30"), prop("b0", 1, "42"),
            prop("b3", 1, "1a")])),
    ("3.5 Set_Res",
     "10 81 00 02 01 30 01 05 FF 01 71 04 93 00 80 00 B0 00 B3 00",
     frame("0002", "013001", "05ff01", "71", "Set_Res",
           [prop("93", 0, ""), prop("80", 0, ""), prop("b0", 0, ""), prop("b3", 0, "")])),
    ("3.5 SetC_SNA",
     "10 81 00 02 01 30 01 05 FF 01 51 04 93 00 80 00 B0 00 B3 01 1A",
     frame("0002", "013001", "05ff01", "51", "SetC_SNA",
           [prop("93", 0, ""), prop("80", 0, ""), prop("b0", 0, ""), prop("b3", 1, "1a")])),
    ("3.5 SetGet",
     "10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00 B0 00",
     frame("0006", "05ff01", "013001", "6e", "SetGet",
           [prop("80", 1, "30")], [prop("80", 0, ""), prop("b0", 0, "")])),
    ("3.5 SetGet_Res",
     "10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 30 B0 01 42",
     frame("0006", "013001", "05ff01", "7e", "SetGet_Res",
           [prop("80", 0, "")], [prop("80", 1, "30"), prop("b0", 1, "42")])),
    ("3.5 status-change announcement", INF_HEX, INF),
    # Reference 9.2
    ("9.2 Get 0xD6 multicast",
     "10 81 00 04 05 FF 01 0E F0 01 62 01 D6 00",
     frame("0004", "05ff01", "0ef001", "62", "Get", [prop("d6", 0, "")])),
    ("9.2 Get_Res 0xD6",
     "10 81 00 04 0E F0 01 05 FF 01 72 01 D6 04 01 01 30 01",
     frame("0004", "0ef001", "05ff01", "72", "Get_Res", [prop("d6", 4, "01013001")])),
    ("9.2 Get 0x80 to 0x013000",
     "10 81 00 05 05 FF 01 01 30 00 62 01 80 00",
     frame("0005", "05ff01", "013000", "62", "Get", [prop("80", 0, "")])),
    ("9.2 Get_Res 0x80",
     "10 81 00 05 01 30 01 05 FF 01 72 01 80 01 31",
     frame("0005", "013001", "05ff01", "72", "Get_Res", [prop("80", 1, "31")])),
    ("9.2 Get of the attributes",
     "10 81 00 07 05 FF 01 01 30 01 62 04 82 00 9D 00 9E 00 9F 00",
     frame("0007", "05ff01", "013001", "62", "Get",
           [prop("82", 0, ""), prop("9d", 0, ""), prop("9e", 0, ""), prop("9f", 0, "")])),
    ("9.2 Get_Res of the attributes", ATTR_GET_RES_HEX, ATTR_GET_RES),
]


# ---------------------------------------------------------------------------
# Test cases: (name, function(dump)). A case fails on its first failed check.

CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def decodes_to(hex_arg, want):
    def check(dump):
        status, objs, _ = run_json(dump, [hex_arg])
        expect(len(objs) == 1, "%d objects, expected 1" % len(objs))
        same(objs[0], want)
        expect(status == 0, "exit status %d, expected 0" % status)
    return check


def fails_with(hex_arg, want):
    def check(dump):
        status, objs, _ = run_json(dump, [hex_arg])
        expect(len(objs) == 1, "%d objects, expected 1" % len(objs))
        same(objs[0], want)
        expect(status == 1, "exit status %d, expected 1" % status)
    return check


for _name, _hex, _want in WORKED_FRAMES:
    CASES.append(("worked frame " + _name, decodes_to(_hex, _want)))


@case("all worked frames in one run, in order")
def _(dump):
    status, objs, _ = run_json(dump, [h for _, h, _ in WORKED_FRAMES])
    same(objs, [w for _, _, w in WORKED_FRAMES])
    expect(status == 0, "exit status %d" % status)


# Hex input forms -----------------------------------------------------------

for _name, _hex in [
    ("no separators, upper case", "1081000105FF0101300162038000B000B300"),
    ("no separators, lower case", "1081000105ff0101300162038000b000b300"),
    ("colons", "10:81:00:01:05:ff:01:01:30:01:62:03:80:00:b0:00:b3:00"),
    ("mixed separators and case", "10 81:0001 05Ff01  01:30:01 62 03 80:00 b0 00 B3 00"),
    ("leading and trailing spaces", "   10 81 00 01 05 FF 01 01 30 01 62 03 80 00 B0 00 B3 00  "),
]:
    CASES.append(("hex input: " + _name, decodes_to(_hex, GET)))


# Standard input --------------------------------------------------------------

@case("stdin: several lines, blank lines skipped, good and bad mixed")
def _(dump):
    lines = [GET_HEX, "", GET_RES_HEX, "   ", "zz",
             "10 81 00 01 05 FF 01 01 30 01 62 01 80", "", INF_HEX]
    status, objs, _ = run_json(dump, [], "\n".join(lines) + "\n\n")
    same(objs, [GET, GET_RES, error("invalid_hex", 0, 5), error("ECHONET_ERR_TRUNCATED", 12, 6), INF])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("stdin: all good, last line without newline")
def _(dump):
    status, objs, _ = run_json(dump, [], GET_HEX + "\n" + ATTR_GET_RES_HEX + "\n" + INF_HEX)
    same(objs, [GET, ATTR_GET_RES, INF])
    expect(status == 0, "exit status %d, expected 0" % status)


@case("stdin: empty input and blank lines only print nothing")
def _(dump):
    for text in ["", "\n", "\n  \n\n"]:
        status, objs, _ = run_json(dump, [], text)
        same(objs, [])
        expect(status == 0, "exit status %d for %r" % (status, text))


@case("stdin: a bad line does not stop the following ones")
def _(dump):
    status, objs, _ = run_json(dump, [], "10 81 0\n" + GET_HEX + "\n")
    same(objs, [error("invalid_hex", 7, 1), GET])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("arguments: one object per argument, in order, exit 1 when one fails")
def _(dump):
    status, objs, _ = run_json(dump, [GET_HEX, "10 81 zz", INF_HEX])
    same(objs, [GET, error("invalid_hex", 6), INF])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("arguments: an empty argument is a truncated frame")
def _(dump):
    status, objs, _ = run_json(dump, [""])
    same(objs, [error("ECHONET_ERR_TRUNCATED", 0)])
    expect(status == 1, "exit status %d, expected 1" % status)


# Format 2 ------------------------------------------------------------------

CASES.append(("format 2", decodes_to("10 82 00 09 de ad BE EF",
                                     {"format": 2, "tid": "0009", "edata": "deadbeef"})))
CASES.append(("format 2 with empty EDATA", decodes_to("10 82 AB CD",
                                                      {"format": 2, "tid": "abcd", "edata": ""})))
CASES.append(("format 2 EDATA that looks like format 1",
              decodes_to("10 82 00 01 05 FF 01 01 30 01 62 01 80",
                         {"format": 2, "tid": "0001", "edata": "05ff01013001620180"})))


# SetGet family -------------------------------------------------------------

CASES.append(("SetGet with an empty Set block",
              decodes_to("10 81 00 0b 05 FF 01 01 30 01 6E 00 01 B3 00",
                         frame("000b", "05ff01", "013001", "6e", "SetGet",
                               [], [prop("b3", 0, "")]))))
CASES.append(("SetGet with an empty Get block",
              decodes_to("10 81 00 0b 05 FF 01 01 30 01 6E 01 B3 01 19 00",
                         frame("000b", "05ff01", "013001", "6e", "SetGet",
                               [prop("b3", 1, "19")], []))))
CASES.append(("SetGet_SNA: Set block echoed, Get block maps decoded",
              decodes_to("10 81 00 0c 01 30 01 05 FF 01 5E 01 9E 02 01 80 02 9F 00 9D 02 01 80",
                         frame("000c", "013001", "05ff01", "5e", "SetGet_SNA",
                               [prop("9e", 2, "0180")],
                               [prop("9f", 0, ""), prop("9d", 2, "0180", map=["80"])]))))
CASES.append(("SetGet_Res: property map in the Get block",
              decodes_to("10 81 00 0c 01 30 01 05 FF 01 7E 01 80 00 01 9E 03 02 B0 80",
                         frame("000c", "013001", "05ff01", "7e", "SetGet_Res",
                               [prop("80", 0, "")],
                               [prop("9e", 3, "02b080", map=["80", "b0"])]))))
CASES.append(("SetGet_SNA with no property at all (responses may be empty)",
              decodes_to("10 81 00 0c 01 30 01 05 FF 01 5E 00 00",
                         frame("000c", "013001", "05ff01", "5e", "SetGet_SNA", [], []))))

# Every ESV the standard defines decodes, under its name (reference 3.1).
for _esv, _name in [(0x60, "SetI"), (0x61, "SetC"), (0x62, "Get"), (0x63, "INF_REQ"),
                    (0x71, "Set_Res"), (0x72, "Get_Res"), (0x73, "INF"), (0x74, "INFC"),
                    (0x7A, "INFC_Res"), (0x50, "SetI_SNA"), (0x51, "SetC_SNA"),
                    (0x52, "Get_SNA"), (0x53, "INF_SNA")]:
    CASES.append(("ESV %02X is %s" % (_esv, _name),
                  decodes_to("10 81 12 34 05 FF 01 01 30 01 %02X 01 80 01 30" % _esv,
                             frame("1234", "05ff01", "013001", "%02x" % _esv, _name,
                                   [prop("80", 1, "30")]))))


# Property maps -------------------------------------------------------------

@case("property maps of the 9.2 Get_Res: 9D, 9E and the 9F bitmap")
def _(dump):
    status, objs, _ = run_json(dump, [ATTR_GET_RES_HEX])
    expect(status == 0 and len(objs) == 1, "status %d, %d objects" % (status, len(objs)))
    props = {p["epc"]: p for p in objs[0]["props"]}
    same(props["9d"].get("map"), MAP_9D, "9d.map")
    same(props["9e"].get("map"), MAP_9E, "9e.map")
    same(props["9f"].get("map"), MAP_9F, "9f.map")
    expect("map" not in props["82"], "0x82 has a map")


def map_frame(esv, epc, edt_hex):
    """A frame carrying one property EPC with the given EDT."""
    edt = bytes.fromhex(edt_hex)
    return "10 81 00 20 01 30 01 05 FF 01 %02X 01 %s %02X %s" % (esv, epc, len(edt), edt_hex)


def map_result(esv, name, epc, edt_hex, **extra):
    return frame("0020", "013001", "05ff01", "%02x" % esv, name,
                 [prop(epc.lower(), len(bytes.fromhex(edt_hex)), edt_hex.lower(), **extra)])


for _esv, _name in [(0x72, "Get_Res"), (0x52, "Get_SNA"), (0x73, "INF"),
                    (0x53, "INF_SNA"), (0x74, "INFC")]:
    CASES.append(("property map decoded in %s" % _name,
                  decodes_to(map_frame(_esv, "9D", "0280b0"),
                             map_result(_esv, _name, "9d", "0280b0", map=["80", "b0"]))))

for _esv, _name in [(0x61, "SetC"), (0x60, "SetI"), (0x51, "SetC_SNA"), (0x7A, "INFC_Res")]:
    CASES.append(("no property map in %s" % _name,
                  decodes_to(map_frame(_esv, "9E", "0280b0"),
                             map_result(_esv, _name, "9e", "0280b0"))))

CASES.append(("no map for an EPC next to the map EPCs (0x9C, 0xA0)",
              decodes_to("10 81 00 20 01 30 01 05 FF 01 72 02 9C 02 01 80 A0 02 01 80",
                         frame("0020", "013001", "05ff01", "72", "Get_Res",
                               [prop("9c", 2, "0180"), prop("a0", 2, "0180")]))))
CASES.append(("no map for a map property with PDC 0 (Get_SNA)",
              decodes_to("10 81 00 20 01 30 01 05 FF 01 52 01 9F 00",
                         frame("0020", "013001", "05ff01", "52", "Get_SNA",
                               [prop("9f", 0, "")]))))
CASES.append(("empty property map",
              decodes_to(map_frame(0x72, "9D", "00"), map_result(0x72, "Get_Res", "9d", "00", map=[]))))
CASES.append(("list property map is sorted",
              decodes_to(map_frame(0x72, "9E", "03B38180"),
                         map_result(0x72, "Get_Res", "9e", "03b38180", map=["80", "81", "b3"]))))
CASES.append(("full bitmap property map",
              decodes_to(map_frame(0x72, "9F", "80" + "FF" * 16),
                         map_result(0x72, "Get_Res", "9f", "80" + "ff" * 16,
                                    map=["%02x" % e for e in range(0x80, 0x100)]))))
CASES.append(("map_error: bitmap shorter than 17 bytes",
              decodes_to(map_frame(0x72, "9F", "110D0101"),
                         map_result(0x72, "Get_Res", "9f", "110d0101",
                                    map_error="ECHONET_ERR_PROPMAP_LENGTH"))))
CASES.append(("map_error: bitmap count differs from its bits",
              decodes_to(map_frame(0x72, "9F", "12" + "0D01010B000001000101010800020203"),
                         map_result(0x72, "Get_Res", "9f", "12" + "0d01010b000001000101010800020203",
                                    map_error="ECHONET_ERR_PROPMAP_INCONSISTENT"))))
CASES.append(("map_error: EPC below 0x80 in a list",
              decodes_to(map_frame(0x73, "9E", "0230B0"),
                         map_result(0x73, "INF", "9e", "0230b0",
                                    map_error="ECHONET_ERR_PROPMAP_INCONSISTENT"))))
CASES.append(("map_error: repeated EPC in a list",
              decodes_to(map_frame(0x72, "9D", "028080"),
                         map_result(0x72, "Get_Res", "9d", "028080",
                                    map_error="ECHONET_ERR_PROPMAP_INCONSISTENT"))))
CASES.append(("a bad map does not make the frame invalid; the next map still decodes",
              decodes_to("10 81 00 20 01 30 01 05 FF 01 72 02 9D 02 11 80 9E 02 01 80",
                         frame("0020", "013001", "05ff01", "72", "Get_Res",
                               [prop("9d", 2, "1180", map_error="ECHONET_ERR_PROPMAP_LENGTH"),
                                prop("9e", 2, "0180", map=["80"])]))))
# Tolerance for inaccurate PDCs (reference 5, propmap.h).
CASES.append(("list map shorter than its count gives the EPCs present",
              decodes_to(map_frame(0x72, "9D", "038081"),
                         map_result(0x72, "Get_Res", "9d", "038081", map=["80", "81"]))))
CASES.append(("list map: bytes after the count's worth are ignored",
              decodes_to(map_frame(0x72, "9D", "018081"),
                         map_result(0x72, "Get_Res", "9d", "018081", map=["80"]))))


# Frame errors ----------------------------------------------------------------

ERROR_CASES = [
    # Truncation: the offset of the first header field or property (EPC) or
    # EDT that does not fit.
    ("truncated: empty", "", "ECHONET_ERR_TRUNCATED", 0),
    ("truncated: EHD2 missing", "10", "ECHONET_ERR_TRUNCATED", 1),
    ("truncated: TID missing", "10 81", "ECHONET_ERR_TRUNCATED", 2),
    ("truncated: inside TID", "10 81 00", "ECHONET_ERR_TRUNCATED", 2),
    ("truncated: inside SEOJ", "10 81 00 01 05 FF", "ECHONET_ERR_TRUNCATED", 4),
    ("truncated: inside DEOJ", "10 81 00 01 05 FF 01 01 30", "ECHONET_ERR_TRUNCATED", 7),
    ("truncated: ESV missing", "10 81 00 01 05 FF 01 01 30 01", "ECHONET_ERR_TRUNCATED", 10),
    ("truncated: OPC missing", "10 81 00 01 05 FF 01 01 30 01 62", "ECHONET_ERR_TRUNCATED", 11),
    ("truncated: first property missing", "10 81 00 01 05 FF 01 01 30 01 62 01",
     "ECHONET_ERR_TRUNCATED", 12),
    ("truncated: PDC missing", "10 81 00 01 05 FF 01 01 30 01 62 01 80",
     "ECHONET_ERR_TRUNCATED", 12),
    ("truncated: second property missing", "10 81 00 01 05 FF 01 01 30 01 62 02 80 00",
     "ECHONET_ERR_TRUNCATED", 14),
    ("truncated: EDT short", "10 81 00 01 05 FF 01 01 30 01 72 01 80 02 30",
     "ECHONET_ERR_TRUNCATED", 14),
    ("truncated: EDT missing", "10 81 00 01 01 30 01 05 FF 01 72 03 80 01 30 B0 01 42 B3 01",
     "ECHONET_ERR_TRUNCATED", 20),
    ("truncated: SetGet OPCGet missing", "10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30",
     "ECHONET_ERR_TRUNCATED", 15),
    ("truncated: SetGet Get block short", "10 81 00 06 05 FF 01 01 30 01 6E 01 80 01 30 02 80 00",
     "ECHONET_ERR_TRUNCATED", 18),
    # Header values
    ("bad EHD1", "20 81 00 01 05 FF 01 01 30 01 62 01 80 00", "ECHONET_ERR_EHD1", 0),
    ("bad EHD1: conventional ECHONET", "90 81 00 01 05 FF 01 01 30 01 62 01 80 00",
     "ECHONET_ERR_EHD1", 0),
    ("bad EHD1 alone", "20", "ECHONET_ERR_EHD1", 0),
    ("bad EHD2", "10 83 00 01 05 FF 01 01 30 01 62 01 80 00", "ECHONET_ERR_EHD2", 1),
    ("bad EHD2 0x80", "10 80 00 01 05 FF 01 01 30 01 62 01 80 00", "ECHONET_ERR_EHD2", 1),
    ("bad EHD2 before truncation", "10 00", "ECHONET_ERR_EHD2", 1),
    ("reserved ESV before a missing OPC", "10 81 00 01 05 FF 01 01 30 01 64",
     "ECHONET_ERR_ESV", 10),
    # Requests without a property
    ("Get with OPC 0", "10 81 00 01 05 FF 01 01 30 01 62 00", "ECHONET_ERR_OPC_ZERO", 11),
    ("SetC with OPC 0", "10 81 00 01 05 FF 01 01 30 01 61 00", "ECHONET_ERR_OPC_ZERO", 11),
    ("SetI with OPC 0", "10 81 00 01 05 FF 01 01 30 01 60 00", "ECHONET_ERR_OPC_ZERO", 11),
    ("INF_REQ with OPC 0", "10 81 00 01 05 FF 01 01 30 01 63 00", "ECHONET_ERR_OPC_ZERO", 11),
    ("INFC with OPC 0", "10 81 00 01 01 30 01 05 FF 01 74 00", "ECHONET_ERR_OPC_ZERO", 11),
    ("SetGet with both blocks empty", "10 81 00 01 05 FF 01 01 30 01 6E 00 00",
     "ECHONET_ERR_OPC_ZERO", 11),
    # UDP: exactly one frame
    ("trailing byte after a Get", GET_HEX + " 00", "ECHONET_ERR_TRAILING", 18),
    ("trailing bytes after an INF", INF_HEX + " 10 81", "ECHONET_ERR_TRAILING", 15),
    ("trailing byte after a SetGet_Res",
     "10 81 00 06 01 30 01 05 FF 01 7E 01 80 00 02 80 01 30 B0 01 42 FF",
     "ECHONET_ERR_TRAILING", 21),
    ("trailing byte after a Get_Res with OPC 0", "10 81 00 01 01 30 01 05 FF 01 72 00 80",
     "ECHONET_ERR_TRAILING", 12),
]
# Reserved ESV codes (reference 3.1)
for _esv in [0x64, 0x6D, 0x6F, 0x75, 0x79, 0x7B, 0x7D, 0x7F, 0x54, 0x5D, 0x5F,
             0x00, 0x4F, 0x80, 0xFF]:
    ERROR_CASES.append(("reserved ESV %02X" % _esv,
                        "10 81 00 01 05 FF 01 01 30 01 %02X 01 80 00" % _esv,
                        "ECHONET_ERR_ESV", 10))

for _name, _hex, _err, _off in ERROR_CASES:
    CASES.append(("error: " + _name, fails_with(_hex, error(_err, _off))))

CASES.append(("responses and INF may carry no property",
              decodes_to("10 81 00 01 01 30 01 05 FF 01 72 00",
                         frame("0001", "013001", "05ff01", "72", "Get_Res", []))))
CASES.append(("INF with no property",
              decodes_to("10 81 00 01 01 30 01 0E F0 01 73 00",
                         frame("0001", "013001", "0ef001", "73", "INF", []))))


# Invalid hex -------------------------------------------------------------------

for _name, _hex, _off in [
    ("odd number of digits", "10 81 0", 7),
    ("odd number of digits, trailing space", "10 8 ", 5),
    ("single digit", "1", 1),
    ("'zz'", "10 81 zz", 6),
    ("'g' inside a byte", "10 8g", 4),
    ("0x prefix", "0x10 0x81", 1),
    ("comma separator", "10,81", 2),
    ("dash separator", "10-81", 2),
]:
    CASES.append(("invalid hex: " + _name, fails_with(_hex, error("invalid_hex", _off))))


# Usage -------------------------------------------------------------------------

def usage_error(args):
    def check(dump):
        status, stdout, stderr = run(dump, args)
        expect(status == 2, "exit status %d, expected 2" % status)
        expect(stderr.strip() != "", "no message on stderr")
    return check


for _args in [["-x"], ["--bogus"], ["-"], ["--help=1"], [GET_HEX, "-v"], ["-hx"]]:
    CASES.append(("usage error: %s" % " ".join(_args)[:40], usage_error(_args)))


def help_option(option):
    def check(dump):
        status, stdout, stderr = run(dump, [option])
        expect(status == 0, "exit status %d, expected 0" % status)
        expect("echonet-dump" in stdout, "usage not on stdout: %r" % stdout)
    return check


def project_version():
    """The version in meson.build, which --version must print."""
    import os
    import re
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "meson.build")
    with open(path, encoding="utf-8") as f:
        return re.search(r"version: '([0-9.]+)'", f.read()).group(1)


@case("--version: the program and the library's version, exit 0")
def _(dump):
    status, stdout, _ = run(dump, ["--version"])
    expect(status == 0 and stdout == "echonet-dump (libechonet) %s\n" % project_version(),
           "--version: %d %r" % (status, stdout))


CASES.append(("--help", help_option("--help")))
CASES.append(("-h", help_option("-h")))


@case("-- ends options")
def _(dump):
    status, objs, _ = run_json(dump, ["--", GET_HEX, "-x"])
    same(objs, [GET, error("invalid_hex", 0)])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("-- before frames only")
def _(dump):
    status, objs, _ = run_json(dump, ["--", INF_HEX])
    same(objs, [INF])
    expect(status == 0, "exit status %d, expected 0" % status)


# Long lines --------------------------------------------------------------------

def largest_frame():
    """A Get_Res with 255 properties of 255 bytes: 65547 bytes, the largest
    format 1 frame. Returns (bytes, expected object)."""
    data = bytearray.fromhex("10 81 FF FE 01 30 01 05 FF 01 72 FF")
    props = []
    for i in range(255):
        epc = i % 0x9D  # never a property map
        edt = bytes((i + j) & 0xFF for j in range(255))
        data += bytes([epc, 255]) + edt
        props.append(prop("%02x" % epc, 255, edt.hex()))
    assert len(data) == 65547
    return bytes(data), frame("fffe", "013001", "05ff01", "72", "Get_Res", props)


@case("long line: the largest frame (65547 bytes) with spaces")
def _(dump):
    data, want = largest_frame()
    status, objs, _ = run_json(dump, [], " ".join("%02X" % b for b in data) + "\n" + INF_HEX + "\n")
    same(objs, [want, INF])
    expect(status == 0, "exit status %d, expected 0" % status)


@case("long line: the largest frame without separators")
def _(dump):
    data, want = largest_frame()
    status, objs, _ = run_json(dump, [], data.hex() + "\n")
    same(objs, [want])
    expect(status == 0, "exit status %d, expected 0" % status)


@case("too long line: one byte more than the largest frame")
def _(dump):
    data, _ = largest_frame()
    status, objs, _ = run_json(dump, [], (data + b"\x00").hex() + "\n" + INF_HEX + "\n")
    same(objs, [error("ECHONET_ERR_TRAILING", 65547, 1), INF])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("too long line: a megabyte of hex")
def _(dump):
    status, objs, _ = run_json(dump, [], "10 81 00 01 " + "ab" * 500000 + "\n" + GET_HEX + "\n")
    same(objs, [error("ECHONET_ERR_ESV", 10, 1), GET])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("format 2 of the largest frame's length decodes")
def _(dump):
    edata = bytes(i & 0xFF for i in range(65547 - 4))
    status, objs, _ = run_json(dump, [], "10 82 12 34 " + edata.hex() + "\n")
    same(objs, [{"format": 2, "tid": "1234", "edata": edata.hex()}])
    expect(status == 0, "exit status %d, expected 0" % status)


@case("too long line: format 2 longer than the largest frame")
def _(dump):
    for extra in [1, 500000]:
        status, objs, _ = run_json(dump, [], "10 82 00 01 " + "cd" * (65547 - 4 + extra) + "\n")
        same(objs, [error("ECHONET_ERR_TOO_LONG", 65547, 1)])
        expect(status == 1, "exit status %d, expected 1" % status)


@case("too long line: bad hex far beyond the largest frame is still found")
def _(dump):
    line = "10 82 00 01 " + "cd" * 100000
    status, objs, _ = run_json(dump, [], line + "zz\n" + line + "c\n")
    same(objs, [error("invalid_hex", len(line), 1), error("invalid_hex", len(line) + 1, 2)])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("long line of garbage")
def _(dump):
    status, objs, _ = run_json(dump, [], "q" * 300000 + "\n")
    same(objs, [error("invalid_hex", 0, 1)])
    expect(status == 1, "exit status %d, expected 1" % status)


@case("--names: classes and properties named from the Appendix, by the object they belong to")
def _(dump):
    # A Get of a storage battery (the DEOJ names the properties), its answer
    # (the SEOJ does), a class the Appendix does not list (no name), and a
    # maker's property (none).
    status, objs, _ = run_json(dump, ["--names", "10 81 00 01 05 ff 01 02 7d 01 62 02 da 00 f5 00",
                                      "10 81 00 01 02 88 01 05 ff 01 72 01 e7 04 00 00 01 f4",
                                      "10 81 00 01 05 ff 01 0f 01 01 62 01 80 00"])
    expect(status == 0, "exit status %d" % status)
    expect(len(objs) == 3, "%d objects" % len(objs))
    expect(objs[0].get("seoj_class") == "Controller", "seoj_class %r" % objs[0].get("seoj_class"))
    expect(objs[0].get("deoj_class") == "Storage battery", "deoj_class %r" % objs[0].get("deoj_class"))
    expect(objs[0]["props"][0].get("name") == "Operation mode setting", "name %r" % objs[0]["props"][0])
    expect("name" not in objs[0]["props"][1], "a maker's property named: %r" % objs[0]["props"][1])
    expect(objs[1].get("seoj_class") == "Low-voltage smart electric energy meter", "%r" % objs[1])
    expect(objs[1]["props"][0].get("name", "").startswith("Measured instantaneous"), "%r" % objs[1]["props"][0])
    expect("deoj_class" not in objs[2], "an unlisted class named: %r" % objs[2])
    # The superclass's properties of any class: 0x80.
    expect(objs[2]["props"][0].get("name") == "Operation status", "%r" % objs[2]["props"][0])


# ---------------------------------------------------------------------------

def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: %s /path/to/echonet-dump\n" % sys.argv[0])
        return 2
    dump = sys.argv[1]
    passed = failed = 0
    for name, fn in CASES:
        try:
            fn(dump)
        except Failure as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
        except Exception as e:  # a crash of the harness itself is a failure too
            failed += 1
            print("FAIL %s: %s: %s" % (name, type(e).__name__, e))
        else:
            passed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
