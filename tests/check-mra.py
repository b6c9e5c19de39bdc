#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Independent check of the generated class tables against the MRA extract.

usage: check-mra.py FACTS_JSON MRA_DUMP

Reads data/mra/mra-facts.json with its own code (it shares nothing with
tools/mra-gen.py) and compares it with what the compiled library reports
through MRA_DUMP (tests/mra_dump.c):
  1. the classes: the superclass and every device class, no more, no less;
  2. every property valid in the latest release: its access (Get, Set,
     announcement, mandatory) and its sizes;
  3. its bounds: for every property, values at each boundary (lowest,
     highest, one beyond, each state code, one beside it, each field of a
     composite at its boundaries, arrays with too few and too many items,
     one byte short and one too many), judged here from the MRA and by the
     library, as read from a device and as written.
The documented readings where the MRA contradicts itself are applied here
too (doc/device-node.md, "Where the MRA is read"): a definition it lacks
is raw bytes; a state code beside a number of another size takes the
number's size; a uint range with a negative minimum is signed.
Exits 1 with the first differences when anything disagrees."""
import json
import subprocess
import sys

FMT = {"uint8": (1, False), "uint16": (2, False), "uint32": (4, False),
       "int8": (1, True), "int16": (2, True), "int32": (4, True)}


class Mra:
    def __init__(self, facts):
        self.defs = facts["definitions"]

    def get(self, x):
        if "$ref" in x:
            return self.defs.get(x["$ref"].rsplit("/", 1)[1], {"type": "missing"})
        return x

    # ---- sizes -----------------------------------------------------------
    def sizes(self, x, width=None):
        """(smallest, largest) EDT size."""
        x = self.get(x)
        if "oneOf" in x:
            w = self.number_width(x)
            s = [self.sizes(a, w) for a in x["oneOf"]]
            return min(a for a, _ in s), max(b for _, b in s)
        t = x["type"]
        if t == "missing":
            return width, width
        if t == "number":
            return FMT[x["format"]][0], FMT[x["format"]][0]
        if t in ("state", "numericValue"):
            w = x["size"] or 1
            if width and w != width and all(int(e["edt"], 16) < 256 ** width for e in x["enum"]):
                w = width
            return w, w
        if t == "level":
            return (len(x["base"]) - 2) // 2, (len(x["base"]) - 2) // 2
        if t == "raw":
            return x["minSize"], x["maxSize"]
        if t == "date":
            return 4, 4
        if t == "date-time":
            return x.get("size", 7), x.get("size", 7)
        if t == "time":
            return x.get("size", 3), x.get("size", 3)
        if t == "bitmap":
            return x["size"], x["size"]
        if t == "object":
            s = [self.sizes(p["element"]) for p in x["properties"]]
            return sum(a for a, _ in s), sum(b for _, b in s)
        if t == "array":
            return x["itemSize"] * x.get("minItems", 0), x["itemSize"] * x["maxItems"]
        raise ValueError(t)

    def number_width(self, x):
        w = {FMT[self.get(a)["format"]][0] for a in x["oneOf"] if self.get(a).get("type") == "number"}
        w |= {(len(self.get(a)["base"]) - 2) // 2 for a in x["oneOf"] if self.get(a).get("type") == "level"}
        return w.pop() if len(w) == 1 else None

    # ---- verdict: 0 invalid, 1 valid, 2 valid only when read --------------
    def verdict(self, x, b, width=None):
        x = self.get(x)
        if "oneOf" in x:
            w = self.number_width(x)
            vs = [self.verdict(a, b, w) for a in x["oneOf"]]
            return 1 if 1 in vs else 2 if 2 in vs else 0
        t = x["type"]
        if t == "missing":
            return int(len(b) == width)
        if t == "number":
            w, signed = FMT[x["format"]]
            if len(b) != w:
                return 0
            signed = signed or x.get("minimum", 0) < 0
            v = int.from_bytes(b, "big", signed=signed)
            if "enum" in x:
                return int(v in x["enum"])
            return int(x.get("minimum", -2 ** 63) <= v <= x.get("maximum", 2 ** 63))
        if t in ("state", "numericValue"):
            lo, _ = self.sizes(x, width)
            if len(b) != lo:
                return 0
            v = int.from_bytes(b, "big")
            for e in x["enum"]:
                if int(e["edt"], 16) == v:
                    return 2 if e.get("readOnly") else 1
            return 0
        if t == "level":
            base = int(x["base"], 16)
            return int(len(b) == (len(x["base"]) - 2) // 2 and base <= int.from_bytes(b, "big") < base + x["maximum"])
        if t == "raw":
            return int(x["minSize"] <= len(b) <= x["maxSize"])
        if t in ("date", "date-time", "time"):
            lo, _ = self.sizes(x)
            if len(b) != lo:
                return 0
            limits = []
            if t != "time":
                if not 1 <= int.from_bytes(b[:2], "big") <= 9999:
                    return 0
                limits += [(2, 1, 12), (3, 1, 31)]
                rest = 4
            else:
                rest = 0
            limits += [(rest, 0, x.get("maximumOfHour", 23) if t == "time" else 23), (rest + 1, 0, 59),
                       (rest + 2, 0, 59)]
            return int(all(lo_ <= b[i] <= hi for i, lo_, hi in limits if i < len(b)))
        if t == "bitmap":
            if len(b) != x["size"]:
                return 0
            r, covered = 1, [0] * len(b)
            for f in x["bitmaps"]:
                i, mask = f["position"]["index"], int(f["position"]["bitMask"], 2)
                covered[i] |= mask
                shift = (mask & -mask).bit_length() - 1
                v = self.verdict(f["value"], bytes([(b[i] & mask) >> shift]), 1)
                if v == 0:
                    return 0
                r = max(r, v)
            return int(all(b[i] & ~covered[i] == 0 for i in range(len(b)))) and r
        if t == "object":
            r, at, els = 1, 0, x["properties"]
            for k, p in enumerate(els):
                lo, hi = self.sizes(p["element"])
                n = len(b) - at if k == len(els) - 1 else lo
                if lo != hi and k != len(els) - 1:
                    raise ValueError("variable field inside")
                v = self.verdict(p["element"], b[at:at + n]) if at + n <= len(b) else 0
                if v == 0:
                    return 0
                r, at = max(r, v), at + n
            return r if at == len(b) else 0
        if t == "array":
            k = x["itemSize"]
            if len(b) % k or not x.get("minItems", 0) <= len(b) // k <= x["maxItems"]:
                return 0
            r = 1
            for i in range(0, len(b), k):
                v = self.verdict(x["items"], b[i:i + k])
                if v == 0:
                    return 0
                r = max(r, v)
            return r
        raise ValueError(t)

    # ---- boundary values ---------------------------------------------------
    def samples(self, x, width=None):
        """Byte strings at the boundaries of x (the first one valid when x has a valid value)."""
        x = self.get(x)
        if "oneOf" in x:
            w = self.number_width(x)
            out = []
            for a in x["oneOf"]:
                out += self.samples(a, w)
            return out
        t = x["type"]
        lo, hi = self.sizes(x, width)
        if t == "missing":
            return [bytes(width), bytes(width + 1)]
        if t == "number":
            w, signed = FMT[x["format"]]
            signed = signed or x.get("minimum", 0) < 0
            vals = list(x["enum"]) if "enum" in x else [x.get("minimum", 0), x.get("maximum", 0)]
            vals += [v + d for v in list(vals) for d in (-1, 1)]
            return [v.to_bytes(w, "big", signed=signed) for v in vals if fits(v, w, signed)]
        if t in ("state", "numericValue"):
            codes = [int(e["edt"], 16) for e in x["enum"]]
            vals = codes + [c + d for c in codes for d in (-1, 1)]
            return [v.to_bytes(lo, "big") for v in vals if 0 <= v < 256 ** lo]
        if t == "level":
            base, w = int(x["base"], 16), lo
            vals = [base, base + x["maximum"] - 1, base - 1, base + x["maximum"]]
            return [v.to_bytes(w, "big") for v in vals if 0 <= v < 256 ** w]
        if t == "raw":
            return [bytes(x["minSize"]), bytes([0xFF] * x["maxSize"]), bytes(x["maxSize"] + 1)] + \
                   ([bytes(x["minSize"] - 1)] if x["minSize"] > 0 else [])
        if t in ("date", "date-time", "time"):
            fields = []
            if t != "time":
                fields += [(2, [1, 9999, 0, 10000]), (1, [1, 12, 0, 13]), (1, [1, 31, 0, 32])]
            mh = x.get("maximumOfHour", 23) if t == "time" else 23
            fields += [(1, [0, mh, mh + 1]), (1, [0, 59, 60]), (1, [0, 59, 60])]
            size = lo
            fields = trim(fields, size)
            return combine([[v.to_bytes(w, "big") for v in vs if v < 256 ** w] for w, vs in fields])
        if t == "bitmap":
            base = bytearray(x["size"])
            out = [bytes(base)]
            for f in x["bitmaps"]:
                i, mask = f["position"]["index"], int(f["position"]["bitMask"], 2)
                shift = (mask & -mask).bit_length() - 1
                for s in self.samples(f["value"], 1):
                    v = bytearray(base)
                    v[i] = (v[i] & ~mask | (s[0] << shift & mask)) & 0xFF
                    out.append(bytes(v))
            for i in range(x["size"]):
                v = bytearray(base)
                v[i] = 0xFF
                out.append(bytes(v))
            return out
        if t == "object":
            return combine([self.samples(p["element"]) for p in x["properties"]])
        if t == "array":
            k, mn, mx = x["itemSize"], x.get("minItems", 0), x["maxItems"]
            items = self.samples(x["items"])
            good = next((s for s in items if self.verdict(x["items"], s)), bytes(k))
            n = max(mn, 1)
            out = []
            for s in items:
                out.append(s + good * (n - 1))
                out.append(good * (n - 1) + s)
            out += [good * mn, good * mx, good * (mx + 1)] + ([good * (mn - 1)] if mn > 0 else [])
            return out
        raise ValueError(t)


def fits(v, w, signed):
    return -(1 << (8 * w - 1)) <= v < (1 << (8 * w - 1)) if signed else 0 <= v < (1 << (8 * w))


def trim(fields, size):
    out, n = [], 0
    for w, vs in fields:
        if n + w > size:
            break
        out.append((w, vs))
        n += w
    return out


def combine(parts):
    """A base value of each part's first sample, and each part's samples in turn."""
    base = [p[0] for p in parts]
    out = [b"".join(base)]
    for i, p in enumerate(parts):
        for s in p[1:]:
            out.append(b"".join(base[:i] + [s] + base[i + 1:]))
    return out


def access(rule):
    a = 0
    a |= 0x01 if rule["get"] != "notApplicable" else 0
    a |= 0x02 if rule["set"] != "notApplicable" else 0
    a |= 0x04 if rule["inf"] == "required" else 0
    a |= 0x80 if "required" in (rule["get"], rule["set"], rule["inf"]) else 0
    return a


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    facts = json.load(open(sys.argv[1], encoding="utf-8"))
    dump = sys.argv[2]
    mra = Mra(facts)
    errors = []

    classes = {0: facts["superClass"]["elProperties"]}
    for d in facts["devices"]:
        classes[int(d["eoj"], 16)] = d["elProperties"]
    props = {}
    for code, ps in classes.items():
        for p in ps:
            if p["validRelease"]["to"] == "latest":
                props[(code, int(p["epc"], 16))] = p

    listed = {}
    for line in subprocess.run([dump, "list"], check=True, capture_output=True, text=True).stdout.split("\n"):
        if not line:
            continue
        f = line.split()
        if f[1] == "invalid":
            errors.append("class %s: the library's table is malformed" % f[0])
            continue
        listed[(int(f[0], 16), int(f[1], 16))] = (int(f[2], 16), int(f[3], 16), int(f[4], 16))

    if {c for c, _ in listed} != set(classes):
        errors.append("classes differ: library %s, MRA %s" % (
            sorted("%04X" % c for c in {c for c, _ in listed} ^ set(classes)), len(classes)))
    for key in sorted(set(props) | set(listed)):
        if key not in listed or key not in props:
            errors.append("%04X %02X: in %s only" % (key[0], key[1], "the MRA" if key in props else "the library"))
            continue
        p, (acc, size, alt) = props[key], listed[key]
        if acc != access(p["accessRule"]):
            errors.append("%04X %02X: access %02X, the MRA says %02X" % (key + (acc, access(p["accessRule"]))))
        lo, hi = mra.sizes(p["data"])
        if alt == 0xFF:
            ok = size == hi and lo >= 1
        elif alt:
            ok = {size, alt} == {lo, hi}
        else:
            ok = size == lo == hi
        if not ok:
            errors.append("%04X %02X: sizes %d/%d, the MRA says %d..%d" % (key + (size, alt, lo, hi)))

    # Bounds: every sample, read and written.
    queries, expect = [], []
    for key in sorted(props):
        if key not in listed:
            continue
        data = props[key]["data"]
        seen = set()
        for s in mra.samples(data):
            lo, hi = mra.sizes(data)
            for v in (s, s[:-1], s + b"\x00"):
                if v in seen or not 1 <= len(v) <= 255:
                    continue
                seen.add(v)
                want = mra.verdict(data, v)
                for for_set in (0, 1):
                    queries.append("%04X %02X %d %s" % (key[0], key[1], for_set, v.hex()))
                    expect.append(want == 1 or (want == 2 and not for_set))
    out = subprocess.run([dump, "check"], input="\n".join(queries) + "\n", check=True, capture_output=True,
                         text=True).stdout.split()
    if len(out) != len(queries):
        errors.append("the dump answered %d of %d questions" % (len(out), len(queries)))
    for q, e, got in zip(queries, expect, out):
        if (got == "ok") != e:
            errors.append("%s: the library says %s, the MRA %s" % (q, got, "valid" if e else "invalid"))
    n_bad = sum(1 for e in expect if not e)
    if errors:
        print("\n".join(errors[:40]))
        print("check-mra: %d differences" % len(errors))
        return 1
    print("check-mra: %d classes, %d properties, %d values (%d invalid) agree" % (
        len(classes), len(props), len(queries), n_bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
