#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""hems-controller against household-emulator over real UDP (issue 15): the
figures of `house` and the half-hours of `energy --csv` against the
emulator's report, to the Wh.

Usage: python3 tests/test_house.py /path/to/hems-controller /path/to/household-emulator

Runs in a private network namespace (tests/udp_netns.py; the loopback with
a multicast route, so the meter's INF of EA reaches the controller), else
on the host's loopback. The emulator's clock stands still (--speed 0) and
moves by `advance 30` on its standard input; it starts seven hours
before the last local midnight when that is more than 2.5 h ago and less
than 16 h (the controller's outage then runs across midnight, so that the
history of yesterday and today fills it), else on a half-hour eleven hours
before now (local time of --utc-offset, JST), so that the
house's half-hours are among the last 48 that `energy --half-hour` shows.
Its meter counts in 0.0001 kWh with a coefficient of 10 (1 Wh a count) and
six digits from 999 000 Wh, so the register wraps during the test and
every reading goes through echonet_energy_meter_wh(). hems-controller runs
with --energy FILE and --poll 1 (its class profiles read the meter's E7
each second, EA after each boundary and the history after a gap by
themselves); after each advance the test waits
for the meter's EA of the new half-hour in the controller's events. After
six house hours the controller stops (`quit`), the house lives three more
hours, and a new controller on the same file reads the meter's history
(E5, E2/E4) to fill them, the EA it reads first held back until then. Then:

- `house` (on the controller's standard input, --json): use_w = the
  report's E7; meter_wh = the register EA x D3 x unit; use_today_wh = the
  emulator's import over the half-hours of the meter's day; battery soc = E4 (soc_wh x 100 / capacity, rounded down) and
  mode = the report's; generation_w = PV E0 + fuel cell C4 as the report
  gives them; the event matches doc/hems-events.schema.json;
- sale_today_wh = the emulator's export over the meter's day, and the
  sale half-hours of the CSV its export in each (the battery is set to
  discharge, 0xDA = 0x43, through the controller, so that there is some,
  once it has charged (0x42) until the import took the register past its
  wrap, whatever the hour);
- `energy --half-hour --csv`: the whole-house row of each half-hour from
  the start to the last = the emulator's import in it (the difference of
  energy_wh.import of its reports at both ends), to the Wh, those of the
  outage and the first one (before the first EA) from the history; none
  missing, none flagged but W (the register's wrap, which must be seen);
- with HTTP in the build, GET /api/house (--http) answers the same object.

Prints one line per failure, then "N passed, M failed"; exits 1 on a
failure. Set HOUSE_TEST_BREAK=1 to check that it fails (it then expects
1 Wh more in one half-hour).
"""

import csv
import io
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import udp_netns  # noqa: E402
import test_emulator as te  # noqa: E402
import test_hems_controller as thc  # noqa: E402

JST = 32400
HALF_HOURS = 12          # house time the controller sees, in half-hours...
OUTAGE = 6               # ...then stopped for these, and started again
COEFFICIENT, UNIT, UNIT_WH = 10, "04", 0.1   # 0xD3, 0xE1 (0.0001 kWh = 0.1 Wh): 1 Wh a count
DIGITS, METER_START = 6, 999000
WAIT = 30.0


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)


class Proc:
    """A program with its standard input open and its output lines in a queue."""

    def __init__(self, cmd):
        self.cmd = cmd
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, bufsize=1)
        self.lines = queue.Queue()
        self.err = []
        threading.Thread(target=self._read, args=(self.p.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.p.stderr, self.err.append), daemon=True).start()

    @staticmethod
    def _read(f, put):
        for line in f:
            put(line.rstrip("\n"))

    def send(self, line):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()

    def wait_event(self, pred, what, timeout=WAIT):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise Failure("%s: not within %.0f s; stderr: %s" % (what, timeout, " | ".join(self.err[-5:])))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if pred(ev):
                return ev

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()


def meter_time(edt_hex):
    b = bytes.fromhex(edt_hex)
    return "%04d-%02d-%02dT%02d:%02d:%02d" % (b[0] << 8 | b[1], b[2], b[3], b[4], b[5], b[6])


def read_report(path, minutes):
    """The report once it says `minutes`."""
    end = time.monotonic() + WAIT
    while time.monotonic() < end:
        try:
            with open(path) as f:
                r = json.load(f)
            if r["minutes"] == minutes:
                return r
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.05)
    raise Failure("the emulator's report never said minutes=%d" % minutes)


def house_time(t):
    return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(t + JST))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ctl_path, emu_path = sys.argv[1], sys.argv[2]
    why = udp_netns.enter_namespace(__file__)
    net = te.Network()
    print(net.describe() if not why else "# running on the host's loopback (%s)" % why)
    if net.v4_multicast:
        print("# no IPv4 multicast (%s): the meter's INF does not reach the controller; its reads do" %
              net.v4_multicast)
    passed, failed = 0, 0
    tmp = tempfile.mkdtemp(prefix="hems-house-")
    port = te.free_port()
    now = int(time.time())
    # The outage across the local midnight when the last 24 h allow it (the
    # history of yesterday and today, read today's first), else 11 h ago.
    midnight = (now + JST) // 86400 * 86400 - JST
    if midnight + 2.5 * 3600 <= now and midnight - 7 * 3600 >= now - 23 * 3600:
        start = midnight - 7 * 3600
    else:
        start = (now + JST) // 1800 * 1800 - JST - 11 * 3600
    print("# house time %s to %s, the controller stopped from %s" % (
        house_time(start), house_time(start + 1800 * (HALF_HOURS + OUTAGE)), house_time(start + 1800 * HALF_HOURS)))
    report_path, energy_path = os.path.join(tmp, "house.json"), os.path.join(tmp, "energy.bin")
    emu = Proc([emu_path, "--bind", "127.0.0.2", "--port", str(port), "--start", house_time(start), "--speed", "0",
                "--report", report_path, "--meter-coefficient", str(COEFFICIENT), "--meter-unit", UNIT,
                "--meter-digits", str(DIGITS), "--meter-start", str(METER_START)])
    http_port = te.free_port() if subprocess.run([ctl_path, "--http-routes"], stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL).returncode == 0 else None

    def controller():
        c = Proc([ctl_path, "--bind", "127.0.0.1", "--port", str(port), "--json", "--energy", energy_path,
                  "--poll", "1", "--utc-offset", str(JST)] +
                 (["--http", "127.0.0.1:%d" % http_port] if http_port else []) + ["run"])
        c.send("discover 127.0.0.2")
        # The meter's scale, read once it is ready.
        scale = {"d3", "e1", "d7"}
        while scale:
            ev = c.wait_event(lambda ev: ev.get("eoj") == "028801" and ev.get("epc") in scale,
                              "the meter's %s read" % " ".join(sorted(scale)))
            scale.discard(ev["epc"])
        return c

    ctl = None
    try:
        ctl = controller()
        # The battery charging at its largest power until the house has
        # bought the 1000 Wh that take the register past 10^6 (its wrap
        # must be seen, at whatever hour the house time falls: discharging
        # from the start, a whole morning had imported 8 Wh), then
        # discharging at its largest power: the house sells (at night too).
        def battery_mode(code):
            ctl.send("set 127.0.0.2 027d01 da=%02x" % code)
            ctl.wait_event(lambda ev: ev.get("event") == "write" and ev.get("eoj") == "027d01",
                           "the battery's mode %02x written" % code)

        battery_mode(0x42)
        charging = True
        emu.send("report")
        reports = [read_report(report_path, 0)]
        for k in range(1, HALF_HOURS + 1):
            emu.send("advance 30")
            reports.append(read_report(report_path, 30 * k))
            want = reports[-1]["meter"]["fixed_time"]
            ctl.wait_event(lambda ev: ev.get("eoj") == "028801" and ev.get("epc") == "ea" and
                           meter_time(ev["edt"]) == want, "EA of %s" % want)
            bought = reports[-1]["energy_wh"]["import"] - reports[0]["energy_wh"]["import"]
            if charging and METER_START + bought >= 10 ** DIGITS:
                battery_mode(0x43)
                charging = False
        # The controller stops (its file written) for three house hours, then
        # starts again: the history E2 fills the half-hours it missed.
        ctl.send("quit")
        ctl.p.wait(timeout=WAIT)
        for k in range(HALF_HOURS + 1, HALF_HOURS + OUTAGE + 1):
            emu.send("advance 30")
            reports.append(read_report(report_path, 30 * k))
        ctl = controller()
        last = reports[-1]
        ctl.wait_event(lambda ev: ev.get("eoj") == "028801" and ev.get("epc") == "ea" and
                       meter_time(ev["edt"]) == last["meter"]["fixed_time"], "EA after the restart")
        try:    # E5 and E2 within the next rounds of reads (each second)
            ctl.wait_event(lambda ev: ev.get("eoj") == "028801" and ev.get("epc") == "e2", "E2", timeout=15)
        except Failure:
            pass    # (the figures below say what is missing)
        time.sleep(0.5)
        # E7 after the last advance: read again within --poll.
        ctl.wait_event(lambda ev: ev.get("eoj") == "028801" and ev.get("epc") == "e7" and
                       int(ev["edt"], 16) == last["meter"]["e7"] & 0xFFFFFFFF, "E7 of the last report")
        time.sleep(1.5)   # one more round of reads (PV, battery, fuel cell)
        ctl.send("house")
        house = ctl.wait_event(lambda ev: ev.get("event") == "house", "the house event")
        api = None
        if http_port:
            with urllib.request.urlopen("http://127.0.0.1:%d/api/house" % http_port, timeout=WAIT) as r:
                api = json.load(r)
        with open(thc.SCHEMA_PATH) as f:
            schema = json.load(f)
        errors = thc.schema_errors(house, schema, schema)

        # Per half-hour import of the emulator: Wh between consecutive reports.
        imports, exports = {}, {}
        for a, b in zip(reports, reports[1:]):
            t0 = start + 60 * a["minutes"]
            imports[t0] = b["energy_wh"]["import"] - a["energy_wh"]["import"]
            exports[t0] = b["energy_wh"]["export"] - a["energy_wh"]["export"]
        if os.environ.get("HOUSE_TEST_BREAK"):
            imports[start + 1800 * 3] += 1
        # From the start on: EA is "no data" before the first boundary, but
        # after that first EA (a gap since nothing) the history E2 fills the
        # half-hour before it.
        counted = dict(imports)
        meter_day = (start + 60 * last["minutes"] + JST) // 86400 * 86400 - JST

        checks = []

        def check(name, fn):
            checks.append((name, fn))

        check("house event matches the schema", lambda: expect(not errors, "; ".join(errors)))
        if http_port:
            check("GET /api/house = the house event", lambda: expect(api == house, "api %r" % api))
        check("use now = E7", lambda: expect(house["use_w"] == last["meter"]["e7"],
                                             "use_w %r, report E7 %r" % (house["use_w"], last["meter"]["e7"])))
        meter_wh = round(last["meter"]["ea"] * COEFFICIENT * UNIT_WH)
        check("meter reading = EA x D3 x unit", lambda: expect(
            house["meter_wh"] == meter_wh and house["meter_time"] == last["meter"]["fixed_time"],
            "meter %r Wh at %r, report %r Wh at %r" % (house["meter_wh"], house["meter_time"], meter_wh,
                                                    last["meter"]["fixed_time"])))
        today = sum(wh for t, wh in counted.items() if t >= meter_day)
        check("use today = the emulator's import", lambda: expect(
            house["use_today_wh"] == today and house["day_from"] == "meter",
            "use_today_wh %r (%s), emulator %d Wh" % (house["use_today_wh"], house["day_from"], today)))
        sold = sum(wh for t, wh in exports.items() if t >= meter_day)
        check("sale today = the emulator's export", lambda: expect(
            house["sale_today_wh"] == sold, "sale_today_wh %r, emulator %d Wh" % (house["sale_today_wh"], sold)))
        bat = last["battery"]
        check("battery charge and mode", lambda: expect(
            house["battery"] is not None and house["battery"]["soc"] == bat["soc_wh"] * 100 // bat["capacity_wh"]
            and house["battery"]["mode_code"] == "%02x" % bat["mode"],
            "battery %r, report %r" % (house["battery"], bat)))
        gen = last["power_w"]["pv"] + last["power_w"]["fuel_cell"]
        check("generation now = PV + fuel cell", lambda: expect(
            house["generation_w"] == gen, "generation_w %r, report %r" % (house["generation_w"], gen)))

        def csv_rows():
            out = subprocess.run([ctl_path, "--energy", energy_path, "--utc-offset", str(JST), "energy",
                                  "--half-hour", "--csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True, timeout=WAIT)
            expect(out.returncode == 0, "energy --csv: exit %d: %s" % (out.returncode, out.stderr))
            return list(csv.DictReader(io.StringIO(out.stdout)))

        ctl.send("quit")    # the file is written at exit
        ctl.p.wait(timeout=WAIT)
        rows = csv_rows()

        def csv_sums(series, counted):
            whole = {int(r["start_unix"]): r for r in rows if r["series"] == series}
            expect(whole, "no %s series in the CSV" % series)
            bad = []
            for t, wh in sorted(counted.items()):
                r = whole.get(t)
                got = None if r is None or r["kwh"] == "" else round(float(r["kwh"]) * 1000, 3)
                if got != wh or (r and r["flags"] not in ("", "W")):
                    bad.append("%s: csv %r (flags %r), emulator %d Wh" % (house_time(t), got,
                                                                         r and r["flags"], wh))
            extra = [house_time(t) for t, r in whole.items() if r["kwh"] not in ("", "0.000000") and
                     t not in counted]
            expect(not bad and not extra, "; ".join(bad) + (" extra: %s" % extra if extra else ""))

        check("energy --csv whole-house half-hours = the emulator's import",
              lambda: csv_sums("whole-house", counted))
        check("energy --csv sale half-hours = the emulator's export", lambda: csv_sums("sale", exports))
        check("the house sold some", lambda: expect(sum(exports.values()) > 0, "no export in the emulated hours"))
        check("the wrap of the register was crossed", lambda: expect(
            any(r["series"] == "whole-house" and "W" in r["flags"] for r in rows),
            "no half-hour flagged W (the meter should wrap at 10^6 counts; the house bought %d Wh from %d)" %
            (sum(imports.values()), METER_START)))
        check("the house bought enough to wrap, then discharged", lambda: expect(
            not charging, "still charging after %d half-hours" % HALF_HOURS))
        for name, fn in checks:
            try:
                fn()
                passed += 1
            except Failure as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
    except Failure as e:
        failed += 1
        print("FAIL set-up: %s" % e)
    finally:
        if ctl:
            ctl.stop()
        emu.stop()
        if not os.environ.get("HOUSE_TEST_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print("# kept", tmp)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
