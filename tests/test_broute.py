#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The Wi-SUN B-route transport of hems-controller (examples/broute.c)
against a simulated SKSTACK-IP module on a pseudo-terminal (tests/broute_sim.c)
with a smart meter 0x028801 built on the library behind it (issue 15).

Usage: python3 tests/test_broute.py HEMS_CONTROLLER BROUTE_SIM BROUTE_GET

Cases: an auth file others may read (or malformed, or a symbolic link) is
refused before the module hears anything; `hems-controller get METER 028801
e7 ea` joins after an empty scan and a failed join and prints E7 and EA;
`hems-controller run` reads them, survives malformed lines and a session
that expires (EVENT 29, re-joined with SKJOIN) and reads them again; its
search reaches the meter before and after an expiry. The transport alone
(broute-get, a small reader on examples/broute.c): two sessions with
garbage in between, a scan the module never ends, a terminal that goes
away (a USB module pulled out) and comes back.

Prints one line per failure, then "N passed, M failed"; exits 1 when
anything failed.
"""

import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time

HEMS, SIM, GET = sys.argv[1:4]
RBID = "00112233445566778899AABBCCDDEEFF"
PASSWORD = "0123456789AB"
METER = "fe80::1034:5678:abcd:ef01"
E7 = "000004D2"                    # 1234 W
EA = "07EA0C070C1E000001E240"      # 2026-12-07 12:30:00, 123456 (x 0.1 kWh)
failures = []
passed = 0


def free_port():
    """A UDP port nobody holds on 127.0.0.1, for hems-controller's own
    endpoint (the meter is reached over the pty, not UDP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return str(sock.getsockname()[1])


class Sim:
    """broute-sim with its log (JSON lines after the "PTY path" line)."""

    def __init__(self, tmp, *args):
        self.log_path = os.path.join(tmp, "sim-%d.log" % time.monotonic_ns())
        self.log = open(self.log_path, "w+")
        self.proc = subprocess.Popen([SIM, "--auth", os.path.join(tmp, "auth")] + list(args),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with open(self.log_path) as f:
                first = f.readline()
            if first.startswith("PTY ") and first.endswith("\n"):
                self.pty = first.split()[1]
                return
            time.sleep(0.05)
        raise AssertionError("broute-sim gave no pty")

    def records(self):
        with open(self.log_path) as f:
            return [json.loads(line) for line in f.read().splitlines()[1:] if line.startswith("{")]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()


def check(name, cond, detail=""):
    global passed
    if cond:
        passed += 1
    else:
        failures.append("%s: %s" % (name, detail))
        print("FAIL %s: %s" % (name, detail))


def commands(recs):
    return [r["cmd"] for r in recs if "cmd" in r]


def run(args, timeout):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def case_auth_refused(tmp):
    """An auth file group or others may read is refused; the module hears nothing."""
    loose = os.path.join(tmp, "loose")
    with open(loose, "w") as f:
        f.write(RBID + "\n" + PASSWORD + "\n")
    os.chmod(loose, 0o644)
    sim = Sim(tmp)
    try:
        r = run([HEMS, "--broute", sim.pty, "--broute-auth", loose, "--bind", "127.0.0.1", "--port", free_port(),
                 "--wait", "3", "discover", METER], 30)
        time.sleep(0.5)
        check("auth 0644 refused", r.returncode == 1 and "--broute-auth" in r.stderr and "chmod 600" in r.stderr,
              "status %d, %r" % (r.returncode, r.stderr))
        check("auth 0644: nothing sent to the module", commands(sim.records()) == [], sim.records())
        check("auth: the password is never shown", PASSWORD not in r.stderr + r.stdout, r.stderr)
        bad = os.path.join(tmp, "bad")
        with open(bad, "w") as f:
            f.write(RBID[:31] + "\n" + PASSWORD + "\n")
        os.chmod(bad, 0o600)
        r = run([HEMS, "--broute", sim.pty, "--broute-auth", bad, "--wait", "1", "discover", METER], 30)
        check("auth: a 31-character ID refused", r.returncode == 1 and "32 hex digits" in r.stderr and
              PASSWORD not in r.stderr, "status %d, %r" % (r.returncode, r.stderr))
        link = os.path.join(tmp, "auth-link")
        os.symlink(os.path.join(tmp, "auth"), link)
        r = run([HEMS, "--broute", sim.pty, "--broute-auth", link, "--wait", "1", "discover", METER], 30)
        check("auth: a symbolic link refused", r.returncode == 1 and "--broute-auth" in r.stderr,
              "status %d, %r" % (r.returncode, r.stderr))
        time.sleep(0.3)
        check("auth: nothing sent to the module for a bad file", commands(sim.records()) == [], sim.records())
        r = run([HEMS, "--broute", sim.pty, "discover", METER], 30)
        check("--broute without --broute-auth refused", r.returncode == 2 and "--broute-auth" in r.stderr,
              "status %d, %r" % (r.returncode, r.stderr))
        r = run([HEMS, "--wait", "1", "discover", METER], 30)
        check("a bare link-local NODE without --broute refused",
              r.returncode == 2 and "without its %interface" in r.stderr, "status %d, %r" % (r.returncode, r.stderr))
    finally:
        sim.stop()


def case_transport(tmp):
    """Empty scan, failed join, garbage, expiry: E7 and EA read in two sessions."""
    sim = Sim(tmp, "--empty-scans", "1", "--join-failures", "1", "--expire", "4", "--garbage")
    try:
        r = run([GET, sim.pty, os.path.join(tmp, "auth"), "2", "e7", "ea"], 150)
    finally:
        sim.stop()
    recs = sim.records()
    reads = [l for l in r.stdout.splitlines() if l.startswith("session ")]
    check("transport: exit status 0", r.returncode == 0, "status %d\n%s" % (r.returncode, r.stderr))
    check("transport: E7 and EA read in the first session",
          len(reads) >= 1 and reads[0] == "session 1: e7=%s ea=%s" % (E7, EA), reads)
    check("transport: E7 and EA read again after the re-join",
          len(reads) == 2 and reads[1] == "session 2: e7=%s ea=%s" % (E7, EA), reads)
    scans = [r_["scan"] for r_ in recs if "scan" in r_]
    check("transport: the empty scan repeated with a longer duration", scans[:2] == [4, 5], scans)
    cmds = commands(recs)
    check("transport: start-up sequence",
          cmds[:7] == ["SKRESET", "SKSREG", "SKVER", "ROPT", "WOPT", "SKSETPWD", "SKSETRBID"], cmds[:8])
    events = [(i, r_["event"]) for i, r_ in enumerate(recs) if "event" in r_]
    check("transport: joined again after EVENT 24", [e for _, e in events][:2] == ["24", "25"], events)
    joins_after_expiry = [i for i, r_ in enumerate(recs) if r_.get("cmd") == "SKJOIN" and
                          any(e == "29" and j < i for j, e in events)]
    check("transport: SKJOIN after the session expired (EVENT 29)", len(joins_after_expiry) >= 1, events)
    stats = [l for l in r.stderr.splitlines() if l.startswith("stats:")]
    bad = int(stats[0].split("bad_lines=")[1].split()[0]) if stats else -1
    check("transport: malformed lines counted and ignored", bad >= 15, stats)
    check("transport: the password is never shown", PASSWORD not in r.stderr + r.stdout, "")
    check("transport: SKSENDTO frames are Gets of E7 and EA to 028801",
          any(r_.get("in", "").endswith("05FF010288016202E700EA00") for r_ in recs), recs)


def case_silent_scan(tmp):
    """A scan the module never ends (no EVENT 22) is given up and done again."""
    sim = Sim(tmp, "--silent-scans", "1")
    try:
        r = run([GET, sim.pty, os.path.join(tmp, "auth"), "1", "e7"], 150)
    finally:
        sim.stop()
    recs = sim.records()
    results = [r_["scan_result"] for r_ in recs if "scan_result" in r_]
    check("silent scan: given up, then found", results[:2] == ["silent", "found"], results)
    check("silent scan: E7 read", r.returncode == 0 and "session 1: e7=%s" % E7 in r.stdout,
          "status %d: %s %s" % (r.returncode, r.stdout, r.stderr[-400:]))


def case_hangup(tmp):
    """The module's terminal goes away and comes back: opened again, joined, read."""
    link = os.path.join(tmp, "module")
    sim = Sim(tmp, "--link", link, "--hangup", "3")
    try:
        r = run([GET, link, os.path.join(tmp, "auth"), "2", "e7"], 150)
    finally:
        sim.stop()
    recs = sim.records()
    check("hangup: the terminal went away", any("hangup" in r_ for r_ in recs), recs)
    check("hangup: opened again and read in a new session",
          r.returncode == 0 and "session 2: e7=%s" % E7 in r.stdout and "open again" in r.stderr,
          "status %d: %s %s" % (r.returncode, r.stdout, r.stderr[-600:]))


def meter_values(lines):
    """The E7 and EA values of 028801 in hems-controller's JSON events."""
    values = {}
    for line in lines:
        ev = json.loads(line)
        if ev.get("event") in ("property", "changed") and ev.get("eoj") == "028801" and ev.get("epc") in ("e7", "ea"):
            values[ev["epc"]] = ev.get("edt", "").upper()
    return values


def case_controller_get(tmp):
    """hems-controller get METER 028801 e7 ea: joined after an empty scan and a failed join."""
    sim = Sim(tmp, "--empty-scans", "1", "--join-failures", "1")
    auth = os.path.join(tmp, "auth")
    try:
        r = run([HEMS, "--broute", sim.pty, "--broute-auth", auth, "--bind", "127.0.0.1", "--port", free_port(),
                 "--wait", "40", "--json", "get", METER, "028801", "e7", "ea"], 90)
    finally:
        sim.stop()
    check("controller get: exit status 0", r.returncode == 0, "status %d: %s %s" % (r.returncode, r.stdout,
                                                                                    r.stderr[-600:]))
    check("controller get: E7 and EA", meter_values(r.stdout.splitlines()) == {"e7": E7, "ea": EA}, r.stdout)
    scans = [r_["scan"] for r_ in sim.records() if "scan" in r_]
    check("controller get: after an empty scan and a failed join",
          scans[:2] == [4, 5] and "join failed (EVENT 24)" in r.stderr, (scans, r.stderr))


def case_controller_run(tmp):
    """hems-controller run: E7 and EA read, the session expires, re-joined, read again."""
    sim = Sim(tmp, "--expire", "8", "--garbage")
    auth = os.path.join(tmp, "auth")
    proc = subprocess.Popen([HEMS, "--broute", sim.pty, "--broute-auth", auth, "--bind", "127.0.0.1", "--port",
                             free_port(), "--wait", "40", "--json", "run"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = queue.Queue(), []
    threading.Thread(target=lambda: [out.put(l) for l in proc.stdout], daemon=True).start()
    threading.Thread(target=lambda: [err.append(l) for l in proc.stderr], daemon=True).start()

    def read_meter(what):
        """Sends the get and collects its events until its "read" result."""
        proc.stdin.write("get %s 028801 e7 ea\n" % METER)
        proc.stdin.flush()
        lines, deadline = [], time.monotonic() + 45
        while time.monotonic() < deadline:
            try:
                line = out.get(timeout=1)
            except queue.Empty:
                continue
            lines.append(line)
            ev = json.loads(line)
            if ev.get("event") == "read" and ev.get("eoj") == "028801":
                check("controller run: %s: read done" % what, ev.get("outcome") == "done", ev)
                break
        check("controller run: %s: E7 and EA" % what, meter_values(lines) == {"e7": E7, "ea": EA}, lines)

    try:
        read_meter("first session")
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and "".join(err).count("session up with the meter") < 2:
            time.sleep(0.2)
        check("controller run: re-joined after the session expired",
              "session lifetime expired" in "".join(err) and "".join(err).count("session up with the meter") >= 2,
              "".join(err)[-800:])
        read_meter("after the re-join")
        proc.stdin.write("quit\n")
        proc.stdin.flush()
        check("controller run: quit, exit status 0", proc.wait(timeout=30) == 0, "".join(err)[-800:])
        check("controller run: malformed lines reported, not fatal", "ignored a line from the module" in "".join(err),
              "".join(err)[-800:])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sim.stop()
    recs = sim.records()
    events = [r_["event"] for r_ in recs if "event" in r_]
    joins = [i for i, r_ in enumerate(recs) if r_.get("cmd") == "SKJOIN"]
    expired = [i for i, r_ in enumerate(recs) if r_.get("event") == "29"]
    check("controller run: SKJOIN after EVENT 29", expired and any(j > expired[0] for j in joins), events)
    check("controller run: the password is never shown", PASSWORD not in "".join(err), "")


def case_controller(tmp):
    """hems-controller over the pty: it joins, reaches the meter, and again after an expiry."""
    sim = Sim(tmp, "--empty-scans", "1", "--join-failures", "1", "--expire", "4")
    auth = os.path.join(tmp, "auth")
    try:
        # The controller's own frames go to the meter over B-route and its
        # answers come back, across an expiry.
        r = run([HEMS, "--broute", sim.pty, "--broute-auth", auth, "--bind", "127.0.0.1", "--port", free_port(),
                 "--wait", "22", "--json", "discover", METER], 90)
    finally:
        sim.stop()
    recs = sim.records()
    check("controller: joined", "B-route: session up with the meter" in r.stderr, r.stderr)
    check("controller: re-joined after the session expired",
          "session lifetime expired" in r.stderr and r.stderr.count("session up with the meter") >= 2, r.stderr)
    check("controller: the password is never shown", PASSWORD not in r.stderr + r.stdout, "")
    expired = [i for i, r_ in enumerate(recs) if r_.get("event") == "29"]
    search = "0EF0016201D600"
    before = [i for i, r_ in enumerate(recs) if r_.get("in", "").endswith(search) and expired and i < expired[-1]]
    after = [i for i, r_ in enumerate(recs) if r_.get("in", "").endswith(search) and expired and i > expired[-1]]
    check("controller: its search reached the meter before the expiry", len(before) >= 1, recs)
    check("controller: and after the re-join", len(after) >= 1, recs)
    answered = [r_ for r_ in recs if "out" in r_ and r_["out"][20:22] == "72" and r_["out"].endswith("D60401028801")]
    check("controller: the meter answered it (ERXUDP)", len(answered) >= 2, answered)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        auth = os.path.join(tmp, "auth")
        with open(auth, "w") as f:
            f.write("# route-B ID, then password\n" + RBID + "\n" + PASSWORD + "\n")
        os.chmod(auth, 0o600)
        for case in (case_auth_refused, case_transport, case_silent_scan, case_hangup, case_controller_get,
                     case_controller_run, case_controller):
            try:
                case(tmp)
            except Exception as e:  # noqa: BLE001 (a case that crashes is a failure)
                check(case.__name__, False, repr(e))
    print("%d passed, %d failed" % (passed, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
