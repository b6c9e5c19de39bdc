#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Generates the device-class tables of libechonet from the facts-only
extract of the ECHONET Machine Readable Appendix (data/mra/mra-facts.json).

usage: tools/mra-gen.py list FACTS            the file names it writes, one a line
       tools/mra-gen.py generate FACTS OUTDIR [FILE...]
                                               writes them (or only those named) into OUTDIR

It writes one translation unit per class (class_XXXX.c, superclass.c), so
that a firmware links only the classes it names, the header classes.h that
declares them, and registry.c (echonet_class_find(): every class). Each
table is `static const` (flash). Meson runs it at build time
(lib/meson.build); nothing it writes is committed.

Each property's value rule follows the MRA data description (see
include/echonet/propdesc.h for the rule kinds and the layout program),
written as the simplest rule that states the same constraint:
a one-byte enumeration or range is an ECHONET_RULE_ENUM, _RANGE or
_RANGE_S8 entry; a raw property is ECHONET_RULE_ANY with its size bounds;
a value of fixed size whose bytes are independent one-byte ranges (a time,
a bitmap whose every byte allows one run of values) is an
ECHONET_RULE_RANGE of one pair per byte; fixed-size numbers one after the
other, each within one range (a 16- or 32-bit number, a date), are
ECHONET_RULE_NUMBERS; everything else (number-or-state-code of more than
one byte, enumerations of multi-byte codes, bitmaps with gaps, arrays,
alternatives) is an ECHONET_RULE_LAYOUT program, so an image whose tables
need none does not link the layout walker."""
import json
import sys

RELEASE_LATEST = "latest"

# Layout program opcodes (include/echonet/propdesc.h, ECHONET_LAYOUT_*).
OP_SCALAR, OP_RAW, OP_SEQ, OP_ARRAY, OP_ALT, OP_BITS, OP_CODES = 1, 2, 3, 4, 5, 6, 7
SIGNED = 0x80
MAX_DEPTH = 3  # SEQ, ARRAY and ALT levels the C walker has (ECHONET_LAYOUT_DEPTH)


class GenError(Exception):
    pass


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def classes(facts):
    """(code, short name, English name, properties) of the superclass and of every device class."""
    out = [(0x0000, "superclass", facts["superClass"]["className"], facts["superClass"]["elProperties"])]
    for dev in facts["devices"]:
        out.append((int(dev["eoj"], 16), dev["shortName"], dev["className"], dev["elProperties"]))
    return out


def file_name(code):
    return "superclass.c" if code == 0 else "class_%04x.c" % code


def sym(code):
    return "echonet_class_superclass" if code == 0 else "echonet_class_%04x" % code


# ---- MRA data description -> intermediate layout ------------------------------
# ("scalar", width, signed, ranges[(lo, hi)], codes[], readonly[])
# ("raw", min, max) ("seq", [nodes]) ("array", item_size, min, max, node)
# ("alt", [nodes]) ("bits", size, [(index, mask, scalar)])

FORMATS = {"uint8": (1, False), "uint16": (2, False), "uint32": (4, False),
           "int8": (1, True), "int16": (2, True), "int32": (4, True)}


class Converter:
    def __init__(self, defs):
        self.defs = defs
        self.missing = set()

    def resolve(self, x):
        if "$ref" in x:
            name = x["$ref"].split("/")[-1]
            if name not in self.defs:
                self.missing.add(name)
                return None
            return self.defs[name]
        return x

    def node(self, x, width_hint=None):
        x = self.resolve(x)
        if x is None:
            # The MRA names a definition it does not hold: those bytes are raw.
            if width_hint is None:
                raise GenError("missing definition without a known width")
            return ("raw", width_hint, width_hint)
        if "oneOf" in x:
            alts = [self.node(a, width_hint) for a in x["oneOf"] if self.resolve(a) is not None]
            # A state code beside a number whose size disagrees with it
            # (state_NoSetting_FF says 3 bytes for the code 0xFF beside a
            # uint8) takes the number's size when its codes fit in it.
            nums = {a[1] for a in alts if a[0] == "scalar" and a[3]}
            if len(nums) == 1:
                w = nums.pop()
                alts = [("scalar", w, None, [], a[4], a[5])
                        if a[0] == "scalar" and not a[3] and a[1] != w and max(a[4] + a[5]) < (1 << (8 * w))
                        else a for a in alts]
            w = None
            for a in alts:
                if a[0] == "scalar":
                    w = a[1]
            missing = [a for a in x["oneOf"] if self.resolve(a) is None]
            if missing:
                if w is None:
                    raise GenError("missing definition in a oneOf without a scalar")
                alts.append(("raw", w, w))
            return merge(alts)
        t = x.get("type")
        if t == "number":
            w, signed = FORMATS[x["format"]]
            if "enum" in x:
                return ("scalar", w, signed, [], [int(v) for v in x["enum"]], [])
            # One definition (number_-999999999--1Wh) says uint32 with a
            # negative range: the range decides, it is read as signed.
            signed = signed or x.get("minimum", 0) < 0
            lo = x.get("minimum", -(1 << (8 * w - 1)) if signed else 0)
            hi = x.get("maximum", (1 << (8 * w - 1)) - 1 if signed else (1 << (8 * w)) - 1)
            return ("scalar", w, signed, [(int(lo), int(hi))], [], [])
        if t in ("state", "numericValue"):
            w = x.get("size") or width_hint or 1
            codes, ro = [], []
            for e in x["enum"]:
                (ro if e.get("readOnly") else codes).append(int(e["edt"], 16))
            return ("scalar", w, None, [], codes, ro)
        if t == "level":
            base = int(x["base"], 16)
            w = (len(x["base"]) - 2) // 2
            return ("scalar", w, False, [(base, base + int(x["maximum"]) - 1)], [], [])
        if t == "raw":
            return ("raw", x["minSize"], x["maxSize"])
        if t == "date":
            return date_node()
        if t == "date-time":
            size = x.get("size", 7)
            return ("seq", date_node()[1] + time_node(size - 4, 23)[1])
        if t == "time":
            return time_node(x.get("size", 3), x.get("maximumOfHour", 23))
        if t == "bitmap":
            fields = []
            for b in x["bitmaps"]:
                mask = int(b["position"]["bitMask"], 2)
                v = self.node(b["value"], 1)
                if v[0] != "scalar" or v[1] != 1:
                    raise GenError("bitmap field that is not a one-byte scalar")
                fields.append((int(b["position"]["index"]), mask, v))
            return ("bits", x["size"], fields)
        if t == "object":
            return ("seq", [self.node(p["element"]) for p in x["properties"]])
        if t == "array":
            item = self.node(x["items"])
            lo, hi = size_of(item)
            if lo != hi or lo != x["itemSize"]:
                raise GenError("array item of a size other than itemSize")
            mx = x["maxItems"]
            return ("array", x["itemSize"], x.get("minItems", 0), mx, item)
        raise GenError("unknown data type %r" % t)


def date_node():
    # YYYY MM DD
    return ("seq", [("scalar", 2, False, [(1, 9999)], [], []), ("scalar", 1, False, [(1, 12)], [], []),
                    ("scalar", 1, False, [(1, 31)], [], [])])


def time_node(size, max_hour):
    # hh mm [ss]
    fields = [("scalar", 1, False, [(0, max_hour)], [], []), ("scalar", 1, False, [(0, 59)], [], []),
              ("scalar", 1, False, [(0, 59)], [], [])]
    if size not in (2, 3):
        raise GenError("time of %d bytes" % size)
    return ("seq", fields[:size])


def merge(alts):
    """A oneOf: one scalar when every alternative is a scalar of one width
    (and the ranges agree on sign), else an alternative node."""
    if len(alts) == 1:
        return alts[0]
    if all(a[0] == "scalar" for a in alts) and len({a[1] for a in alts}) == 1:
        signs = {a[2] for a in alts if a[3]}
        if len(signs) <= 1:
            ranges, codes, ro = [], [], []
            for a in alts:
                ranges += a[3]
                codes += [c for c in a[4] if c not in codes]
                ro += [c for c in a[5] if c not in ro]
            return ("scalar", alts[0][1], signs.pop() if signs else None, ranges, codes, ro)
    flat = []
    for a in alts:
        flat += a[1] if a[0] == "alt" else [a]
    return ("alt", flat)


def size_of(n):
    k = n[0]
    if k == "scalar":
        return n[1], n[1]
    if k == "raw":
        return n[1], n[2]
    if k == "bits":
        return n[1], n[1]
    if k == "seq":
        lo = sum(size_of(c)[0] for c in n[1])
        hi = sum(size_of(c)[1] for c in n[1])
        return lo, hi
    if k == "array":
        return n[1] * n[2], n[1] * n[3]
    if k == "alt":
        s = [size_of(c) for c in n[1]]
        return min(a for a, _ in s), max(b for _, b in s)
    raise GenError(k)


def fixed(n):
    lo, hi = size_of(n)
    return lo == hi


# ---- intermediate layout -> program bytes -----------------------------------

def be(v, w, signed):
    if signed is True and v < 0:
        v += 1 << (8 * w)
    if not 0 <= v < (1 << (8 * w)):
        raise GenError("value %d does not fit %d bytes" % (v, w))
    return list(v.to_bytes(w, "big"))


def encode(n, depth=0):
    k = n[0]
    if k == "scalar" and n[1] not in (1, 2, 4):
        # A state code of another size (7 bytes of 0xFF...): compared as bytes.
        _, w, signed, ranges, codes, ro = n
        if ranges or len(codes) + len(ro) > 255:
            raise GenError("a number of %d bytes" % w)
        body = [w, len(codes), len(ro)]
        for c in codes + ro:
            body += be(c, w, False)
        return wrap(OP_CODES, body)
    if k == "scalar":
        _, w, signed, ranges, codes, ro = n
        if len(ranges) > 255 or len(codes) > 255 or len(ro) > 255:
            raise GenError("too many codes")
        body = [w | (SIGNED if signed else 0), len(ranges), len(codes), len(ro)]
        for lo, hi in ranges:
            body += be(lo, w, signed) + be(hi, w, signed)
        for c in codes + ro:
            body += be(c, w, False)
        return wrap(OP_SCALAR, body)
    if k in ("seq", "array", "alt") and depth >= MAX_DEPTH:
        raise GenError("layout nested deeper than %d" % MAX_DEPTH)
    if k == "raw":
        return wrap(OP_RAW, [n[1], n[2]])
    if k == "bits":
        body = [n[1], len(n[2])]
        for index, mask, v in n[2]:
            if index >= n[1]:
                raise GenError("bitmap field beyond the bitmap")
            body += [index, mask] + encode(v, depth + 1)
        return wrap(OP_BITS, body)
    if k == "seq":
        body = [len(n[1])]
        for i, c in enumerate(n[1]):
            lo, hi = size_of(c)
            if lo != hi and i != len(n[1]) - 1:
                raise GenError("a field of variable size that is not the last")
            if lo == hi and not 1 <= lo <= 255:
                raise GenError("field size %d" % lo)
            body += [lo if lo == hi else 0] + encode(c, depth + 1)
        return wrap(OP_SEQ, body)
    if k == "array":
        if not fixed(n[4]):
            raise GenError("array item of variable size")
        return wrap(OP_ARRAY, [n[1], n[2], n[3]] + encode(n[4], depth + 1))
    if k == "alt":
        body = [len(n[1])]
        for c in n[1]:
            body += encode(c, depth + 1)
        return wrap(OP_ALT, body)
    raise GenError(k)


def wrap(op, body):
    if len(body) > 0xFFFF:
        raise GenError("program too long")
    return [op, len(body) >> 8, len(body) & 0xFF] + body


# ---- properties -------------------------------------------------------------

ACCESS = {"G": "ECHONET_ACCESS_GET", "S": "ECHONET_ACCESS_SET", "A": "ECHONET_ACCESS_ANNO",
          "M": "ECHONET_ACCESS_MANDATORY"}


def access(rule):
    a = ""
    if rule["get"] != "notApplicable":
        a += "G"
    if rule["set"] != "notApplicable":
        a += "S"
    if rule["inf"] == "required":
        a += "A"
    if "required" in (rule["get"], rule["set"], rule["inf"]):
        a += "M"
    return a


def latest(props):
    """The entries valid in the latest release, by EPC (rising)."""
    out = {}
    for p in props:
        if p["validRelease"]["to"] == RELEASE_LATEST:
            epc = int(p["epc"], 16)
            if epc in out:
                raise GenError("two entries of EPC 0x%02X valid in the latest release" % epc)
            out[epc] = p
    return [out[k] for k in sorted(out)]


# ---- the simplest rule --------------------------------------------------------

ENUM_MAX = 16  # codes a one-byte value may list as ECHONET_RULE_ENUM instead of a layout


def runs(n):
    """The values a scalar accepts, not read only, as runs (lo, hi) of raw
    (unsigned) numbers in the scalar's own order (signed numbers compare
    with their sign bit flipped), codes next to a run merged into it."""
    _, w, signed, ranges, codes, _ = n
    flip = 1 << (8 * w - 1) if signed else 0
    mod = 1 << (8 * w)
    keys = sorted([((lo % mod) ^ flip, (hi % mod) ^ flip) for lo, hi in ranges] +
                  [((c % mod) ^ flip, (c % mod) ^ flip) for c in codes])
    out = []
    for lo, hi in keys:
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return [(lo ^ flip, hi ^ flip) for lo, hi in out]


def scalar_verdict(n, u):
    """What the layout walker says of the raw number u for a scalar: 0
    refused, 1 valid, 2 read only."""
    _, w, signed, ranges, codes, ro = n
    flip = 1 << (8 * w - 1) if signed else 0
    mod = 1 << (8 * w)
    for lo, hi in ranges:
        if (lo % mod) ^ flip <= u ^ flip <= (hi % mod) ^ flip:
            return 1
    if u in codes:
        return 1
    return 2 if u in ro else 0


def byte_runs(n, index):
    """The one run (lo, hi) of byte index of a bitmap that its fields
    accept, or None (several runs, none, or a read-only code)."""
    fields = [(mask, v) for i, mask, v in n[2] if i == index]
    covered = 0
    for mask, _ in fields:
        covered |= mask
    valid = []
    for b in range(256):
        if b & ~covered & 0xFF:
            continue
        verdicts = []
        for mask, v in fields:
            x = b & mask
            m = mask
            while m and not m & 1:
                m >>= 1
                x >>= 1
            verdicts.append(scalar_verdict(v, x))
        if 2 in verdicts:
            return None
        if all(x == 1 for x in verdicts):
            valid.append(b)
    if not valid or valid != list(range(valid[0], valid[-1] + 1)):
        return None
    return valid[0], valid[-1]


def fields(n):
    """The value as numbers one after the other, each (width, signed, lo,
    hi) within one range (raw numbers), or None when it is not that."""
    k = n[0]
    if k == "scalar":
        if n[1] not in (1, 2, 4) or n[5]:
            return None
        r = runs(n)
        if len(r) != 1:
            return None
        return [(n[1], bool(n[2]), r[0][0], r[0][1])]
    if k == "raw":
        return [(1, False, 0, 255)] * n[1] if n[1] == n[2] else None
    if k == "seq":
        out = []
        for c in n[1]:
            f = fields(c)
            if f is None:
                return None
            out += f
        return out
    if k == "bits":
        out = []
        for i in range(n[1]):
            r = byte_runs(n, i)
            if r is None:
                return None
            out.append((1, False, r[0], r[1]))
        return out
    return None


def simplest(n):
    """(rule, values, read-only codes) of the simplest rule other than a
    layout that states exactly n's constraint, or None."""
    if n[0] == "scalar" and n[1] == 1:
        r = runs(n)
        # A read-only code is read only whatever the rule says (propdesc.h):
        # one the number also accepts needs the layout's reading.
        if any(scalar_verdict(n, c) == 1 for c in n[5]):
            return None
        if len(r) == 1:
            return ("RANGE_S8" if n[2] else "RANGE"), [r[0][0], r[0][1]], n[5]
        codes = [c for lo, hi in r for c in range(lo, hi + 1)]
        if len(codes) <= ENUM_MAX:
            return "ENUM", codes, n[5]
        return None
    f = fields(n)
    if f is None:
        return None
    if all(w == 1 and not signed for w, signed, _, _ in f):
        return "RANGE", [b for _, _, lo, hi in f for b in (lo, hi)], []
    values = []
    for w, signed, lo, hi in f:
        values += [w | (SIGNED if signed else 0)] + be(lo, w, False) + be(hi, w, False)
    return "NUMBERS", values, []


def describe(conv, p):
    """(access letters, size, size_alt, rule, values, readonly, program) of one property."""
    n = conv.node(p["data"])
    acc = access(p["accessRule"])
    lo, hi = size_of(n)
    if n[0] == "alt" and all(c[0] == "raw" and c[1] == c[2] for c in n[1]):
        sizes = sorted({c[1] for c in n[1]})
        if len(sizes) == 2:
            return acc, sizes[0], sizes[1], "ANY", None, None, None
    if n[0] == "raw":
        if n[1] == n[2]:
            return acc, n[1], 0, "ANY", None, None, None
        if n[1] == 1:
            return acc, n[2], "VAR", "ANY", None, None, None
    if n[0] == "scalar" and n[1] == 1:
        _, _, signed, ranges, codes, ro = n
        if not ranges and codes:
            return acc, 1, 0, "ENUM", codes, ro, None
        if len(ranges) == 1 and not codes and not signed:
            return acc, 1, 0, "RANGE", list(ranges[0]), ro, None
        if len(ranges) == 1 and not codes and signed:
            return acc, 1, 0, "RANGE_S8", [b for v in ranges[0] for b in be(v, 1, True)], ro, None
    if hi > 255 or lo < 0:
        raise GenError("EDT of %d..%d bytes" % (lo, hi))
    if lo == hi:
        size, alt = hi, 0
        simple = simplest(n)
        if simple:
            rule, values, ro = simple
            return acc, size, alt, rule, values, ro, None
    else:
        size, alt = hi, "VAR"
    return acc, size, alt, "LAYOUT", None, None, encode(n)


def c_bytes(data):
    return ", ".join("0x%02X" % b for b in data)


def class_source(code, short, name, props, conv, release):
    lines = [
        "/*",
        " * libechonet: ECHONET Lite for firmware and HEMS controllers.",
        " * SPDX-License-Identifier: MIT",
        " *",
        " * Generated by tools/mra-gen.py from data/mra/mra-facts.json, the facts of",
        " * the ECHONET Machine Readable Appendix release %s (MIT, data/mra/LICENSE.txt:" % release,
        " * Copyright (C) 2021 Kanagawa Institute of Technology, ECHONET CONSORTIUM).",
        " * Do not edit: change the generator or the extract.",
        " *",
        " * 0x%04X %s (%s)" % (code, name, short),
        " */",
        '#include "echonet/classes.h"',
        "",
    ]
    arrays = {}
    rows = []

    def array(kind, data):
        key = (kind, tuple(data))
        if key not in arrays:
            arrays[key] = "%s%d" % (kind, len(arrays))
            lines.append("static const uint8_t %s[] = {%s};" % (arrays[key], c_bytes(data)))
        return arrays[key]

    for p in latest(props):
        epc = int(p["epc"], 16)
        try:
            acc, size, alt, rule, values, ro, prog = describe(conv, p)
        except GenError as e:
            raise GenError("class 0x%04X EPC 0x%02X: %s" % (code, epc, e))
        # The rule's bytes, then the read-only codes (propdesc.h).
        v = array("v", (values or []) + (ro or [])) if values or ro else "NULL"
        if prog:
            p_name = array("p", prog)
            l_name = "l" + p_name[1:]
            if ("l", p_name) not in arrays:
                arrays[("l", p_name)] = l_name
                lines.append("static const echonet_layout %s = {&echonet_layout_program, %s};" % (l_name, p_name))
            v = "ECHONET_LAYOUT_VALUES(%s)" % l_name
        flags = " | ".join(ACCESS[c] for c in acc) or "0"
        rows.append("    {0x%02X, %s, %d, %s, ECHONET_RULE_%s, %d, %d, %s}, /* %s */" % (
            epc, flags, size, "ECHONET_SIZE_VARIABLE" if alt == "VAR" else alt, rule,
            len(values) if values else 0, len(ro) if ro else 0, v, p["shortName"]))
    lines.append("")
    lines.append("static const echonet_prop_desc props[] = {")
    lines += rows
    lines.append("};")
    lines.append("")
    sup = "NULL" if code == 0 else "&echonet_class_superclass"
    lines.append("const echonet_class %s = {0x%04X, (uint8_t)(sizeof props / sizeof props[0]), '%s', props, %s};"
                 % (sym(code), code, release, sup))
    return "\n".join(lines) + "\n"


def header(cls, release):
    lines = [
        "/*",
        " * libechonet: ECHONET Lite for firmware and HEMS controllers.",
        " * SPDX-License-Identifier: MIT",
        " *",
        " * Generated by tools/mra-gen.py from data/mra/mra-facts.json (ECHONET",
        " * Machine Readable Appendix release %s, MIT, data/mra/LICENSE.txt). Do not edit." % release,
        " */",
        "/**",
        " * @file classes.h",
        " * @brief The device-class tables generated from the ECHONET Machine",
        " *        Readable Appendix: one object per class, each in its own",
        " *        translation unit (a firmware links only the classes it names).",
        " *",
        " * @defgroup classes Device classes (MRA release %s)" % release,
        " * @brief Use with echonet_object_init_class(); see @ref echonet_class.",
        " * @{",
        " */",
        "#ifndef ECHONET_CLASSES_H",
        "#define ECHONET_CLASSES_H",
        "",
        '#include "echonet/common.h"',
        '#include "echonet/propdesc.h"',
        "",
        "ECHONET_BEGIN_DECLS",
        "",
    ]
    for code, short, name, _ in cls:
        lines.append("/** @brief 0x%04X %s (%s). */" % (code, name.replace("*", ""), short))
        lines.append("ECHONET_API extern const echonet_class %s;" % sym(code))
    lines += [
        "",
        "/**",
        " * @brief Finds a class table by its code (links every class).",
        " * @param code class group and class code, e.g. 0x0288; 0x0000 for the superclass.",
        " * @return the table, or NULL for a class the MRA release does not describe.",
        " */",
        "ECHONET_API const echonet_class *echonet_class_find(uint16_t code);",
        "",
        "/**",
        " * @brief The i-th class table, the superclass first, then rising codes (links every class).",
        " * @param i 0 to the number of classes - 1.",
        " * @return the table, or NULL when @p i is past the last.",
        " */",
        "ECHONET_API const echonet_class *echonet_class_at(size_t i);",
        "",
        "ECHONET_END_DECLS",
        "",
        "/** @} */",
        "#endif /* ECHONET_CLASSES_H */",
    ]
    return "\n".join(lines) + "\n"


def registry(cls):
    lines = [
        "/*",
        " * libechonet: ECHONET Lite for firmware and HEMS controllers.",
        " * SPDX-License-Identifier: MIT",
        " *",
        " * Generated by tools/mra-gen.py. Do not edit.",
        " */",
        '#include "echonet/classes.h"',
        "",
        "static const echonet_class *const all[] = {",
    ]
    for code, _, _, _ in sorted(cls, key=lambda c: c[0]):
        lines.append("    &%s," % sym(code))
    lines += [
        "};",
        "",
        "const echonet_class *echonet_class_find(uint16_t code)",
        "{",
        "    size_t i;",
        "",
        "    for (i = 0; i < sizeof all / sizeof all[0]; i++)",
        "        if (all[i]->code == code)",
        "            return all[i];",
        "    return NULL;",
        "}",
        "",
        "const echonet_class *echonet_class_at(size_t i)",
        "{",
        "    return i < sizeof all / sizeof all[0] ? all[i] : NULL;",
        "}",
    ]
    return "\n".join(lines) + "\n"


def outputs(facts):
    return ["classes.h", "registry.c"] + [file_name(c[0]) for c in classes(facts)]


def generate(facts, outdir, only=None):
    conv = Converter(facts["definitions"])
    release = facts["metaData"]["release"]
    cls = classes(facts)
    files = {"classes.h": header(cls, release), "registry.c": registry(cls)}
    for code, short, name, props in cls:
        files[file_name(code)] = class_source(code, short, name, props, conv, release)
    for name, text in files.items():
        if only and name not in only:
            continue
        with open(outdir + "/" + name, "w", encoding="utf-8") as f:
            f.write(text)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "list":
        print("\n".join(outputs(load(sys.argv[2]))))
    elif len(sys.argv) >= 4 and sys.argv[1] == "generate":
        try:
            generate(load(sys.argv[2]), sys.argv[3], set(sys.argv[4:]))
        except GenError as e:
            sys.exit("mra-gen: %s" % e)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
