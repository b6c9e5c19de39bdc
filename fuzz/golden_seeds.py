#!/usr/bin/env python3
"""Writes seeds made from the golden vectors of tests/test_frame.c into
fuzz/corpus/: each frame for frame and roundtrip; the requests, one
datagram each and all together, for node; the property maps (0x9D, 0x9E,
0x9F) for propmap. Run from the repository root:
    python3 fuzz/golden_seeds.py
"""
import os
import re

SRC = os.path.join("tests", "test_frame.c")
OUT = os.path.join("fuzz", "corpus")


def goldens():
    text = open(SRC, encoding="utf-8").read()
    body = text[text.index("static const struct golden goldens[]"):]
    body = body[:body.index("};")]
    # Each entry: {"name", "hex" ["hex"...], ...
    for m in re.finditer(r'\{"([^"]*)",\s*((?:"[0-9A-F ]*"\s*)+),', body):
        hexes = "".join(re.findall(r'"([0-9A-F ]*)"', m.group(2)))
        yield m.group(1), bytes.fromhex(hexes)


def write(target, name, data):
    """Writes a seed unless the corpus holds those bytes already."""
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    for other in os.listdir(d):
        if not other.startswith("golden-" + name) and os.path.getsize(os.path.join(d, other)) == len(data):
            with open(os.path.join(d, other), "rb") as f:
                if f.read() == data:
                    return
    with open(os.path.join(d, "golden-" + name), "wb") as f:
        f.write(data)


def props(frame):
    """(epc, edt) of a format 1 frame without a SetGet block."""
    pos, out = 12, []
    for _ in range(frame[11]):
        epc, pdc = frame[pos], frame[pos + 1]
        out.append((epc, frame[pos + 2:pos + 2 + pdc]))
        pos += 2 + pdc
    return out


def main():
    requests = []
    for i, (name, frame) in enumerate(goldens()):
        slug = "%02d-%s" % (i, re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-"))
        write("frame", slug, frame)
        write("roundtrip", slug, frame)
        if frame[10] in (0x60, 0x61, 0x62, 0x63, 0x6E):
            requests.append(frame)
            write("node", slug, bytes([0, len(frame)]) + frame)
        if frame[10] == 0x72 and frame[11] > 1 and 0x9D in [e for e, _ in props(frame)]:
            for epc, edt in props(frame):
                if epc in (0x9D, 0x9E, 0x9F):
                    write("propmap", "%s-%02X" % (slug, epc), edt)
    write("node", "all-requests", bytes([0]) + b"".join(bytes([len(r)]) + r for r in requests))


if __name__ == "__main__":
    main()
