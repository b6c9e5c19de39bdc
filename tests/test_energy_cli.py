#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The energy log of hems-controller (--energy FILE, `energy`) against
aircon-emulator over real UDP (issue 7).

Usage: python3 tests/test_energy_cli.py /path/to/hems-controller /path/to/aircon-emulator /path/to/hems-energy-feed

Runs in a private network namespace like tests/test_hems_controller.py
(whose harness it uses). Cases:
- end to end: an emulator with --extra (0x84/0x85) and one without; two
  runs of the controller each read 0x85 once; the CSV's kWh equal the
  counter difference the controller saw; the unit without is "not measured";
- a file written here from the documented format (doc/energy.md), shown as
  a table, CSV and an SVG rendered to PNG by rsvg-convert (Debian
  librsvg2-bin; the case fails without it): one bar per hour with
  data, each as high as its value says;
- series of every kind in a file (half-hours as CSV, table and SVG); the
  house's series fed through examples/hems_energy.c by hems-energy-feed
  (tests/hems_energy_feed.c) as the meter, PV and battery profiles will;
- a damaged file is reported and kept aside (FILE.damaged-TIME), never
  overwritten, and `energy` refuses it;
- kill -9 at random moments of runs that write the file: the file is
  always absent or complete and valid.

Prints one line per failure or skip, then "N passed, M failed"; exits 1
when anything failed.
"""

import csv
import io
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402
import test_hems_controller as thc  # noqa: E402
from test_emulator import Failure, expect  # noqa: E402

STEP = te.STEP
JST = 32400
BAR = (0x2A, 0x7A, 0xB9)
# Bar colours of the other series kinds in the SVG, and the legend's height.
KIND_COLOURS = {"whole-house": (0xD0, 0x34, 0x2C), "generation": (0xE8, 0xA3, 0x17), "sale": (0x2E, 0x9D, 0x4A)}
KINDS = ["device", "whole-house", "generation", "sale", "battery-charge", "battery-discharge"]
LEGEND = 24

CASES = []
FEED = None  # hems-energy-feed (tests/hems_energy_feed.c)


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def energy_cmd(s, path, *args):
    cmd = [s.ctl_path, "--energy", path, "energy"] + list(args)
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=thc.RUN)


def csv_rows(s, path, *args):
    r = energy_cmd(s, path, "--csv", *args)
    expect(r.returncode == 0, "energy --csv: status %d, stderr %r" % (r.returncode, r.stderr))
    rows = list(csv.DictReader(io.StringIO(r.stdout.decode())))
    expect(rows and set(rows[0]) == {"device", "period", "start_unix", "kwh", "flags", "series"},
           "CSV header: %r" % rows[:1])
    return rows


def wait_for(pred, what, timeout=STEP):
    end = time.monotonic() + timeout
    while not pred():
        expect(time.monotonic() < end, "%s within %.0f s" % (what, timeout))
        time.sleep(0.05)


def counter_of(ev):
    return struct.unpack(">I", bytes.fromhex(ev["edt"]))[0]


def one_reading(s, path, also_ready=None):
    """A run of the controller until it has read 0x85 of 127.0.0.2 and saved
    the file (and, with also_ready, that node is ready: its energy state is
    recorded before its ready event is printed); returns the counter value."""
    before = os.stat(path).st_mtime_ns if os.path.exists(path) else None
    d = s.daemon("--energy", path, "--energy-interval", "60")
    seen = {}

    def wanted(o):
        if o.get("event") in ("property", "changed") and o.get("epc") == "85" and o.get("node") == "127.0.0.2":
            seen["85"] = o
        if also_ready and o.get("event") == "ready" and o.get("node") == also_ready:
            seen["ready"] = o
        return "85" in seen and (not also_ready or "ready" in seen)
    d.expect(wanted, "a 0x85 value" + (" and %s ready" % also_ready if also_ready else ""), timeout=2 * STEP)
    ev = seen["85"]
    wait_for(lambda: os.path.exists(path) and os.stat(path).st_mtime_ns != before, "the energy file saved")
    expect(d.finish() == 0, "hems-controller run failed: %r" % d.stderr())
    return counter_of(ev)


@case("end to end: kWh in the log equal the 0x85 difference; a unit without is not measured")
def _(s):
    emu = s.emulator("--extra", "--tick", "100")
    s.emulator(bind="127.0.0.3")
    emu.do("room 50", "temp 16", "mode cool", "on")
    path = os.path.join(s.tmp, "energy.bin")
    c1 = one_reading(s, path, also_ready="127.0.0.3")
    time.sleep(2.5)  # about 3.7 kW: a few Wh
    c2 = one_reading(s, path)
    expect(c2 > c1, "0x85 did not advance: %d then %d" % (c1, c2))
    rows = csv_rows(s, path)
    mine = [r for r in rows if r["device"] == "127.0.0.2/013001"]
    other = [r for r in rows if r["device"] == "127.0.0.3/013001"]
    expect(len(mine) == 24 and len(other) == 24, "24 hours per unit: %d, %d" % (len(mine), len(other)))
    expect({r["series"] for r in rows} == {"device"}, "series of air conditioners: %r" % {r["series"] for r in rows})
    mode = os.stat(path).st_mode & 0o777
    expect(mode == 0o600, "the energy file has mode %o, want 600 (owner only)" % mode)
    total_wh = sum(round(float(r["kwh"]) * 1000) for r in mine if r["kwh"])
    expect(total_wh == c2 - c1, "CSV sums to %d Wh, the counter moved %d Wh" % (total_wh, c2 - c1))
    expect(all(r["kwh"] == "" and r["flags"] == "not-measured" for r in other), "unit without 0x84/0x85: %r" % other)
    table = energy_cmd(s, path)
    text = table.stdout.decode()
    expect(table.returncode == 0 and "127.0.0.2/013001" in text and "not measured" in text and "kWh" in text,
           "table: %r %r" % (text, table.stderr))
    only = csv_rows(s, path, "127.0.0.2")
    expect({r["device"] for r in only} == {"127.0.0.2/013001"}, "NODE filter: %r" % only[:2])
    missing = energy_cmd(s, path, "127.0.0.9")
    expect(missing.returncode == 1, "an unknown NODE: status %d" % missing.returncode)
    bad = energy_cmd(s, path, "--days", "0")
    expect(bad.returncode == 2, "--days 0: status %d" % bad.returncode)


# ---- A file from the documented format -------------------------------------------

def log_bytes(hours, days, offset=JST):
    """An echonet_energy_save() image (doc/energy.md): hours and days map
    number -> (mWh, flags), rings of 744 and 400."""
    def ring(buckets, size):
        out = b""
        for key, (mwh, flags) in sorted(buckets.items(), key=lambda kv: kv[0] % size):
            out += struct.pack(">IIHH", key, mwh, flags, 1)
        return out
    head = b"ELEN" + bytes([1]) + struct.pack(">i", offset) + bytes([2, 1, 0])
    last_t = max(hours) * 3600
    head += struct.pack(">QIH", last_t, 1000, 0)
    head += struct.pack(">QQIIII", sum(v for v, _ in hours.values()), 0, 0, 0, 0, 0)
    head += struct.pack(">HHHH", 744, 400, len(hours), len(days))
    assert len(head) == 66
    body = head + ring(hours, 744) + ring(days, 400)
    return body + struct.pack(">I", zlib.crc32(body))


def log_bytes_v2(kind, halves, total_mwh=0, offset=JST):
    """A version 2 image of a series of the given kind (doc/energy.md) with
    half-hours number -> mWh; its hours and days are their sums."""
    hours, days = {}, {}
    for k, v in halves.items():
        hours[k // 2] = hours.get(k // 2, 0) + v
        days[k // 48] = days.get(k // 48, 0) + v

    def ring(buckets, size):
        return b"".join(struct.pack(">IIHH", key, v, 0, 1)
                        for key, v in sorted(buckets.items(), key=lambda kv: kv[0] % size))
    head = b"ELEN" + bytes([2]) + struct.pack(">i", offset) + bytes([4, 0, 0])
    head += struct.pack(">QIH", 0, 0, 0)
    head += struct.pack(">QQIIII", total_mwh, 0, 0, 0, 0, 0)
    head += struct.pack(">HHHH", 744, 400, len(hours), len(days))
    head += bytes([KINDS.index(kind), 2]) + struct.pack(">IIQ", 100000, 0, (max(halves) + 1) * 1800)
    head += struct.pack(">HH", 336, len(halves))
    assert len(head) == 88
    body = head + ring(hours, 744) + ring(days, 400) + ring(halves, 336)
    return body + struct.pack(">I", zlib.crc32(body))


def file_bytes(devices):
    body = b"HEEF" + bytes([1]) + struct.pack(">H", len(devices))
    for key, log in devices:
        body += bytes([len(key)]) + key.encode() + struct.pack(">I", len(log)) + log
    return body + struct.pack(">I", zlib.crc32(body))


def png_pixels(path):
    """(width, height, rows of (r, g, b)) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, hgt, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunk)
            expect(depth == 8 and ctype in (2, 6) and interlace == 0, "PNG kind %d/%d/%d" % (depth, ctype, interlace))
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(hgt):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ftype == 1:
                line[x] = (line[x] + a) & 0xFF
            elif ftype == 2:
                line[x] = (line[x] + b) & 0xFF
            elif ftype == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, bpp)])
        prev = line
    return w, hgt, rows


@case("table, CSV and SVG of a file in the documented format; the PNG shows one bar per value")
def _(s):
    now = int(time.time())
    this_hour = (now + JST) // 3600
    # The last 24 hours: every third one without data, the others 100..2300 Wh.
    hours = {}
    for k in range(24):
        if k % 3 != 2:
            hours[this_hour - 23 + k] = ((k + 1) * 100000, 0x20 if k == 0 else 0)
    days = {this_hour // 24: (sum(v for v, _ in hours.values()), 0)}
    path = os.path.join(s.tmp, "made.bin")
    with open(path, "wb") as f:
        f.write(file_bytes([("192.0.2.7/013001", log_bytes(hours, days))]))
    rows = csv_rows(s, path)
    expect(len(rows) == 24, "%d rows" % len(rows))
    for k, r in enumerate(rows):
        want = "" if k % 3 == 2 else "%.6f" % ((k + 1) * 0.1)
        expect(r["kwh"] == want, "hour %d: %r, want %r" % (k, r["kwh"], want))
        expect(int(r["start_unix"]) == (this_hour - 23 + k) * 3600 - JST, "hour %d starts at %s" % (k, r["start_unix"]))
    expect(rows[0]["flags"] == "P", "flags of the first hour: %r" % rows[0]["flags"])
    table = energy_cmd(s, path).stdout.decode()
    total = sum((k + 1) * 100 for k in range(24) if k % 3 != 2)
    lines = table.splitlines()
    expect(lines[0].split() == ["hour", "192.0.2.7/013001"] and lines[1].split() == ["series", "device"] and
           len(lines) == 2 + 24 + 1 + 2, "table: %r" % table)
    expect(lines[26].split() == ["total", "%d.%03d" % (total // 1000, total % 1000), "kWh"], "total: %r" % lines[26])
    expect(lines[2].split()[-1] == "P" and lines[4].split()[-1] == "-", "flags and no-data marks: %r" % lines[2:5])
    daily = csv_rows(s, path, "--days", "3")
    expect(len(daily) == 3 and daily[2]["kwh"] != "" and daily[0]["kwh"] == "", "daily: %r" % daily)
    rsvg = shutil.which("rsvg-convert")
    if not rsvg:
        # A chart nobody looked at is not tested: missing tool, failed case
        # (tests/run-all.sh installs it).
        raise Failure("rsvg-convert not installed (Debian package librsvg2-bin)")
    svg, png = os.path.join(s.tmp, "chart.svg"), os.path.join(s.tmp, "chart.png")
    r = energy_cmd(s, path, "--svg", svg)
    expect(r.returncode == 0 and os.path.exists(svg), "--svg: %d %r" % (r.returncode, r.stderr))
    subprocess.run([rsvg, "-o", png, svg], check=True, timeout=thc.RUN)
    w, hgt, px = png_pixels(png)
    expect(any(px[y][x] == BAR for y in range(LEGEND) for x in range(w)), "no legend swatch of a device")
    columns = [x for x in range(w) if any(px[y][x] == BAR for y in range(LEGEND, hgt))]
    bars = []
    for x in columns:
        if bars and x == bars[-1][-1] + 1:
            bars[-1].append(x)
        else:
            bars.append([x])
    want = [(k + 1) * 100 for k in range(24) if k % 3 != 2]
    expect(len(bars) == len(want), "%d bars in the PNG, want %d" % (len(bars), len(want)))
    heights = [max(sum(1 for y in range(LEGEND, hgt) if px[y][x] == BAR) for x in b) for b in bars]
    for got, wh in zip(heights, want):
        expect(abs(got - 120 * wh / max(want)) <= 1.5, "bar of %d Wh is %d px high, want %.1f" %
               (wh, got, 120 * wh / max(want)))
    # Bars stand where their hours are: the gaps are the hours without data.
    step = (bars[1][0] - bars[0][0])
    expect(all(b[0] - bars[0][0] in [step * k for k in range(24) if k % 3 != 2] for b in bars), "bar positions")


@case("half-hours of whole-house, generation and device series: CSV by series, SVG bars in each kind's colour")
def _(s):
    this_half = (int(time.time()) + JST) // 1800
    first = this_half - 47
    # whole house: every half-hour but the 10th; generation: 8 half-hours at noon-ish; a device: 4.
    house = {first + k: 200000 + 10000 * k for k in range(48) if k != 10}
    pv = {first + 20 + k: 50000 * (k + 1) for k in range(8)}
    dev = {first + 40 + k: 30000 for k in range(4)}
    path = os.path.join(s.tmp, "house.bin")
    with open(path, "wb") as f:
        f.write(file_bytes([("192.0.2.7/013001", log_bytes_v2("device", dev)),
                            ("pv", log_bytes_v2("generation", pv)),
                            ("house", log_bytes_v2("whole-house", house))]))
    rows = csv_rows(s, path, "--half-hour")
    expect([r["device"] for r in rows[::48]] == ["house", "pv", "192.0.2.7/013001"], "series order: %r" %
           [r["device"] for r in rows[::48]])
    expect([r["series"] for r in rows[::48]] == ["whole-house", "generation", "device"], "kinds: %r" % rows[::48])
    for key, series in (("house", house), ("pv", pv), ("192.0.2.7/013001", dev)):
        mine = [r for r in rows if r["device"] == key]
        expect(len(mine) == 48, "%s: %d half-hours" % (key, len(mine)))
        for k, r in enumerate(mine):
            want = "%.6f" % (series[first + k] / 1e6) if first + k in series else ""
            expect(r["kwh"] == want and int(r["start_unix"]) == (first + k) * 1800 - JST,
                   "%s half-hour %d: %r, want %r" % (key, k, r, want))
    hourly = csv_rows(s, path, "house")
    expect(sum(round(float(r["kwh"]) * 1e6) for r in hourly if r["kwh"]) ==
           sum(v for k, v in house.items() if k >= (this_half // 2 - 23) * 2), "hours of the house")
    table = energy_cmd(s, path, "--half-hour").stdout.decode().splitlines()
    expect(table[0].split()[0] == "half-hour" and table[1].split() == ["series", "whole-house", "generation", "device"],
           "table header: %r" % table[:2])
    bad = energy_cmd(s, path, "--half-hour", "--days", "2")
    expect(bad.returncode == 2, "--half-hour with --days: status %d" % bad.returncode)
    rsvg = shutil.which("rsvg-convert")
    if not rsvg:
        raise Failure("rsvg-convert not installed (Debian package librsvg2-bin)")
    svg, png = os.path.join(s.tmp, "house.svg"), os.path.join(s.tmp, "house.png")
    r = energy_cmd(s, path, "--half-hour", "--svg", svg)
    expect(r.returncode == 0, "--svg: %d %r" % (r.returncode, r.stderr))
    text = open(svg, encoding="utf-8").read()
    for label in ("whole house", "generation", "device"):
        expect(">%s</text>" % label in text, "legend lacks %r" % label)
    subprocess.run([rsvg, "-o", png, svg], check=True, timeout=thc.RUN)
    w, hgt, px = png_pixels(png)
    top = max(house.values())
    for colour, series in ((KIND_COLOURS["whole-house"], house), (KIND_COLOURS["generation"], pv), (BAR, dev)):
        expect(any(px[y][x] == colour for y in range(LEGEND) for x in range(w)), "no legend swatch %r" % (colour,))
        cols = [x for x in range(w) if any(px[y][x] == colour for y in range(LEGEND, hgt))]
        bars = []
        for x in cols:
            if bars and x == bars[-1][-1] + 1:
                bars[-1].append(x)
            else:
                bars.append([x])
        expect(len(bars) == len(series), "%d bars of colour %r, want %d" % (len(bars), colour, len(series)))
        heights = [max(sum(1 for y in range(LEGEND, hgt) if px[y][x] == colour) for x in b) for b in bars]
        for got, v in zip(heights, [series[k] for k in sorted(series)]):
            expect(abs(got - 120 * v / top) <= 1.5, "bar of %d mWh is %d px, want %.1f" % (v, got, 120 * v / top))


@case("the house's series fed through hems_energy.c: readings across a wrap, no data, amounts once, by kind")
def _(s):
    path = os.path.join(s.tmp, "fed.bin")
    now = int(time.time())
    r = subprocess.run([FEED, path, str(now)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=thc.RUN)
    expect(r.returncode == 0, "hems-energy-feed: %d %r" % (r.returncode, r.stderr))
    expect(r.stdout.decode().strip() == "repeated amount: -1" and b"not taken" in r.stderr,
           "a repeated amount must be refused and reported: %r %r" % (r.stdout, r.stderr))
    mode = os.stat(path).st_mode & 0o777
    expect(mode == 0o600, "the fed file has mode %o" % mode)
    rows = csv_rows(s, path, "--half-hour")
    by = {}
    for row in rows:
        by.setdefault(row["device"], []).append(row)
    expect(list(by) == ["house", "pv", "battery"] and [by[k][0]["series"] for k in by] ==
           ["whole-house", "generation", "battery-charge"], "series: %r" % [(k, by[k][0]["series"]) for k in by])
    # The last 9 half-hours of the 48 are the fed ones (k = 0..8, 8 the current).
    def kwh(key, k):
        return by[key][39 + k]["kwh"]
    for k in range(8):
        want = "" if k == 5 else "%.6f" % (100 * (k + 1) / 1000)
        expect(kwh("house", k) == want, "house half-hour %d: %r, want %r" % (k, kwh("house", k), want))
    expect(kwh("house", 8) == "0.000000", "the current half-hour: %r" % kwh("house", 8))
    expect(all(r["kwh"] == "" for r in by["house"][:39]), "house before the readings")
    flags = [by["house"][39 + k]["flags"] for k in range(9)]
    expect("W" in flags[2] and "G" in flags[6], "wrap and gap flags: %r" % flags)
    pv = [kwh("pv", k) for k in range(9)]
    expect(pv == ["", "", "0.250000", "0.500000", "0.750000", "", "", "", ""], "pv: %r" % pv)
    bat = [kwh("battery", k) for k in range(9)]
    expect(bat == ["", "1.000000", "1.000000", "", "", "", "", "", ""], "battery: %r" % bat)


@case("SVG of one day with a long name: wide enough for its titles (rendered by rsvg-convert)")
def _(s):
    import re
    this_day = (int(time.time()) + JST) // 86400
    key = "fd00:1234:5678:9abc::7/013001"
    path = os.path.join(s.tmp, "day.bin")
    with open(path, "wb") as f:
        f.write(file_bytes([(key, log_bytes({this_day * 24: (1500, 0)}, {this_day: (1500, 0)}))]))
    rsvg = shutil.which("rsvg-convert")
    if not rsvg:
        raise Failure("rsvg-convert not installed (Debian package librsvg2-bin)")
    svg, png = os.path.join(s.tmp, "day.svg"), os.path.join(s.tmp, "day.png")
    r = energy_cmd(s, path, "--days", "1", "--svg", svg)
    expect(r.returncode == 0, "--svg: %d %r" % (r.returncode, r.stderr))
    text = open(svg, encoding="utf-8").read()
    width = int(re.search(r'<svg [^>]*width="(\d+)"', text).group(1))
    expect(key + ": kWh per day" in text, "no title in %r" % text)
    subprocess.run([rsvg, "-o", png, svg], check=True, timeout=thc.RUN)
    w, _, _ = png_pixels(png)
    expect(w == width and w >= 320, "the PNG is %d px wide (SVG: %d); want at least 320" % (w, width))
    # The same drawing on a canvas 2000 px wider: nothing may be drawn
    # right of the chart's own width (a clipped title would be).
    wide = text.replace('width="%d"' % width, 'width="%d"' % (width + 2000))
    wide = wide.replace('viewBox="0 0 %d ' % width, 'viewBox="0 0 %d ' % (width + 2000))
    expect(wide.count('width="%d"' % (width + 2000)) == 2, "cannot widen %r" % text[:300])
    wide_svg, wide_png = os.path.join(s.tmp, "wide.svg"), os.path.join(s.tmp, "wide.png")
    with open(wide_svg, "w", encoding="utf-8") as f:
        f.write(wide)
    subprocess.run([rsvg, "-o", wide_png, wide_svg], check=True, timeout=thc.RUN)
    ww, hgt, px = png_pixels(wide_png)
    inked = [x for x in range(ww) if any(px[y][x] != (255, 255, 255) for y in range(hgt))]
    expect(inked and max(inked) < width - 4, "drawn up to x = %s, beyond the width %d" %
           (max(inked) if inked else None, width))


@case("a damaged file is reported and kept aside, never overwritten; energy refuses it")
def _(s):
    s.emulator("--extra")
    path = os.path.join(s.tmp, "energy.bin")
    one_reading(s, path)
    good = open(path, "rb").read()
    damaged = bytearray(good)
    damaged[len(damaged) // 2] ^= 0x10
    with open(path, "wb") as f:
        f.write(damaged)
    r = energy_cmd(s, path)
    expect(r.returncode == 1 and b"damaged" in r.stderr, "energy on a damaged file: %d %r" % (r.returncode, r.stderr))
    expect(open(path, "rb").read() == damaged, "energy changed the damaged file")
    d = s.daemon("--energy", path)
    wait_for(lambda: any(n.startswith("energy.bin.damaged-") for n in os.listdir(s.tmp)), "the file moved aside")
    aside = [n for n in os.listdir(s.tmp) if n.startswith("energy.bin.damaged-")]
    expect(len(aside) == 1 and open(os.path.join(s.tmp, aside[0]), "rb").read() == damaged,
           "kept aside: %r" % aside)
    wait_for(lambda: os.path.exists(path), "a new file")
    expect(d.finish() == 0, "run failed")
    expect("damaged" in d.stderr(), "not reported: %r" % d.stderr())
    expect(energy_cmd(s, path).returncode == 0, "the new file does not load")


@case("energy of a missing file: 'cannot open' and why; --energy in a missing directory refused at start")
def _(s):
    emu = s.emulator("--extra")
    missing = os.path.join(s.tmp, "no-such-dir", "energy.bin")
    for path in (os.path.join(s.tmp, "absent.bin"), missing):
        r = energy_cmd(s, path)
        err = r.stderr.decode()
        expect(r.returncode == 1 and "cannot open" in err and path in err and "No such file or directory" in err,
               "energy on %s: %d %r" % (path, r.returncode, err))
    r = s.hems("--energy", missing, "--wait", "3", "get", "127.0.0.2", thc.AIRCON, "80")
    expect(r.rc == 1 and "no-such-dir" in r.stderr and "No such file or directory" in r.stderr and not r.events,
           "get with --energy in a missing directory: %d %r %r" % (r.rc, r.events, r.stderr))
    expect(not thc.frames_in(emu, s.peer), "frames were sent before the refusal")


@case("kill -9 at random moments: the file is always absent or whole and valid")
def _(s):
    s.emulator("--extra", "--tick", "100")
    s.emulator("--extra", bind="127.0.0.3")
    path = os.path.join(s.tmp, "energy.bin")
    rnd = random.Random(7)
    changes, last = 0, None
    for i in range(30):
        d = s.daemon("--energy", path)
        time.sleep(rnd.uniform(0.0, 1.2))
        d.proc.send_signal(signal.SIGKILL)
        d.kill()
        if os.path.exists(path):
            data = open(path, "rb").read()
            if data != last:
                changes += 1
                last = data
            r = energy_cmd(s, path, "--csv")
            expect(r.returncode == 0, "after kill %d the file does not load: %r" % (i, r.stderr))
        expect(not any(".damaged-" in n for n in os.listdir(s.tmp)), "a damaged file after kill %d" % i)
    expect(changes >= 5, "only %d of 30 runs wrote the file before the kill" % changes)


def main():
    global FEED
    if len(sys.argv) != 4:
        print("usage: %s /path/to/hems-controller /path/to/aircon-emulator /path/to/hems-energy-feed" % sys.argv[0],
              file=sys.stderr)
        return 2
    ctl_path, emu_path = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    FEED = os.path.abspath(sys.argv[3])
    why_not = te.udp_netns.enter_namespace(__file__)
    net = te.Network()
    print(net.describe() + ("" if net.netns else " (%s)" % why_not))
    only = os.environ.get("HEMS_TEST_ONLY", "")  # as tests/test_hems_controller.py
    return te.run_cases([c for c in CASES if only in c[0]], lambda: thc.Session(ctl_path, emu_path, net))


if __name__ == "__main__":
    sys.exit(main())
