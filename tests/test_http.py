#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The HTTP API of hems-controller (--http, doc/http-api.md) against
aircon-emulator over real UDP (issue 16).

Usage: python3 tests/test_http.py /path/to/hems-controller /path/to/aircon-emulator

Runs in a private network namespace like tests/test_hems_controller.py
(whose harness it uses). Cases:
- list, fresh read, write (the emulator announces the new state and got the
  SetC), the event stream (an event after the write; every event matches
  doc/hems-events.schema.json), energy series;
- refusals, each a 4xx with a JSON {"error", "code"} and nothing sent to
  the unit: unknown device 404, bad JSON 400, unknown field 400, a value
  the class table refuses 400, oversized body 413, form content type 415,
  cross-site Origin 403, a Host naming another site 403, wrong method 405,
  unknown route 404;
- the token: a non-loopback address without --http-token-file, or with a
  token file others can read, is refused at start; 401 without the token
  or with a wrong one; 200 with it;
- remote operation (--http-remote always): 0x93 = 0x42 first, with or without
  --remote (echonet_ctl_set_ex()); with
  it the SetC carries 0x93 = 0x42 first (AIF 4.1); with the default
  (non-local), a public client address is remote and a private one is not;
- the rate limit: a burst of requests gets 429s.

Prints one line per failure or skip, then "N passed, M failed"; exits 1
when anything failed.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402
import test_energy_cli as tec  # noqa: E402
import test_hems_controller as thc  # noqa: E402
from test_emulator import Failure, expect  # noqa: E402

STEP = te.STEP
AIRCON = "013001"
EMU = "127.0.0.2"
TOKEN = "s3cret-token-0123456789abcdef"

CASES = []

with open(thc.SCHEMA_PATH, encoding="utf-8") as f:
    SCHEMA = json.load(f)


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


def tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Api:
    """A client of one server; every answer is (status, headers, JSON or text)."""

    def __init__(self, port, host="127.0.0.1", token=None, source=None):
        self.port = port
        self.host = host
        self.token = token
        self.source = source  # the client's own address, or None

    def request(self, method, path, body=None, headers=None, token=True, timeout=30):
        h = {}
        if token and self.token:
            h["Authorization"] = "Bearer " + self.token
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h["Content-Type"] = "application/json"
        h.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout,
                                          source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        ctype = r.getheader("Content-Type", "")
        value = data.decode("utf-8", "replace")
        if ctype.startswith("application/json"):
            try:
                value = json.loads(data)
            except ValueError:
                raise Failure("%s %s: %d with a body that is not JSON: %r" % (method, path, r.status, data[:200]))
        return r.status, r, value

    def ok(self, method, path, body=None, **kw):
        status, _, value = self.request(method, path, body, **kw)
        expect(status == 200, "%s %s: %d %r, want 200" % (method, path, status, value))
        return value

    def refused(self, want, code, method, path, body=None, **kw):
        """A refusal: status want, a JSON error body with the code (when given)."""
        status, _, value = self.request(method, path, body, **kw)
        expect(status == want, "%s %s: %d %r, want %d" % (method, path, status, value, want))
        expect(isinstance(value, dict) and isinstance(value.get("error"), str) and isinstance(value.get("code"), str),
               "%s %s: %d without a JSON error body: %r" % (method, path, status, value))
        expect(code is None or same_code(value["code"], code),
               "%s %s: code %r, want %r" % (method, path, value["code"], code))
        return value


# The library's errors by name, or as echonet_err_N in a build without
# error strings (-Derror_strings=false).
LIB_ERRORS = {"ECHONET_ERR_VALUE": 52, "ECHONET_ERR_VALUE_SIZE": 51, "ECHONET_ERR_ACCESS": 53,
              "ECHONET_ERR_INVALID_ARG": 1, "ECHONET_ERR_NOT_FOUND": 61, "ECHONET_ERR_FULL": 60}


def same_code(got, want):
    n = LIB_ERRORS.get(want)
    return got == want or (n is not None and got == "echonet_err_%d" % n)


class Stream:
    """GET /api/events read by a thread: the events, in order."""

    def __init__(self, api):
        self.events = []
        self.comments = 0
        self.conn = http.client.HTTPConnection(api.host, api.port, timeout=60)
        h = {"Authorization": "Bearer " + api.token} if api.token else {}
        self.conn.request("GET", "/api/events", headers=h)
        self.r = self.conn.getresponse()
        expect(self.r.status == 200 and self.r.getheader("Content-Type") == "text/event-stream",
               "event stream: %d %s" % (self.r.status, self.r.getheader("Content-Type")))
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for raw in self.r:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("data: "):
                    self.events.append(json.loads(line[6:]))
                elif line.startswith(":"):
                    self.comments += 1
        except (OSError, ValueError, AttributeError, http.client.HTTPException):
            pass  # closed

    def wait(self, pred, what, timeout=STEP * 3):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for e in self.events:
                if pred(e):
                    return e
            time.sleep(0.05)
        raise Failure("the event stream had no %s within %.0f s; got %r" % (what, timeout, self.events))

    def close(self):
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.conn.close()


def start(s, *options, http_addr="127.0.0.1", extra_emulator=(), wait_ready=True):
    """An emulator and hems-controller run --http; returns (emulator, daemon, api)."""
    emu = s.emulator(*extra_emulator, bind=EMU)
    port = tcp_port()
    d = s.daemon("--http", "%s:%d" % (http_addr, port), *options)
    api = Api(port)
    # The server is up once it answers; the unit is searched by unicast.
    end = time.monotonic() + STEP * 2
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if d.proc.poll() is not None or time.monotonic() > end:
                raise Failure("hems-controller --http did not listen: status %r, stderr %r" %
                              (d.proc.poll(), d.stderr()))
            time.sleep(0.05)
    d.command("discover %s" % EMU)
    if wait_ready:
        d.event("ready", node=EMU, eoj=AIRCON, timeout=STEP * 5)
    return emu, d, api


def set_frames(emu):
    """The SetC frames the emulator received from the controller."""
    return thc.frames_in(emu, "%s:%d" % (thc.CONTROLLER_ADDR, emu_port(emu)), esv="61")


def emu_port(emu):
    return int(emu.cmd[emu.cmd.index("--port") + 1])


def announced(emu, epc, edt, timeout=STEP * 3):
    """Waits for the emulator to announce (INF) epc = edt: its state changed."""
    def pred(o):
        fr = o.get("frame", {})
        return o.get("dir") == "out" and fr.get("esv") == "73" and (epc, edt) in thc.props(fr)
    for o in emu.log:
        if pred(o):
            return o
    return emu.expect(pred, "an announcement of %s = %s" % (epc, edt), timeout)


# ---- Cases --------------------------------------------------------------------------

@case("list, fresh read, write (the emulator changes), event stream, energy series")
def _(s):
    energy = os.path.join(s.tmp, "energy.bin")
    # A whole-house series already in the file: today's first six half-hours, the third without data.
    first_half = (int(time.time()) + tec.JST) // 86400 * 48
    house = {first_half + k: 100000 * (k + 1) for k in range(6) if k != 2}
    with open(energy, "wb") as f:
        f.write(tec.file_bytes([("house", tec.log_bytes_v2("whole-house", house))]))
    emu, d, api = start(s, "--energy", energy, extra_emulator=("--extra",))
    devices = api.ok("GET", "/api/devices")["devices"]
    mine = [x for x in devices if x["node"] == EMU and x["eoj"] == AIRCON]
    expect(len(mine) == 1, "GET /api/devices: %r" % devices)
    dev = mine[0]
    expect(dev["ready"] is True and dev["online"] is True and dev["state"]["power"] == "off" and "power_w" in dev and
           dev["maker"] == "fffff0" and dev["id"].startswith("fefffff0"), "the device: %r" % dev)
    expect(dev.get("class") == "Home air conditioner", "the device's class: %r" % dev.get("class"))
    stream = Stream(api)
    try:
        read = api.ok("GET", "/api/devices/%s/%s" % (EMU, AIRCON))
        expect(read["event"] == "status" and read["outcome"] == "done" and read["state"]["temp"] == 20,
               "fresh read: %r" % read)
        before = len(set_frames(emu))
        wrote = api.ok("POST", "/api/devices/%s/%s" % (EMU, AIRCON),
                       {"power": "on", "mode": "cool", "temp": 26, "fan": "auto", "props": {"8f": "41"}})
        expect(wrote["event"] == "write" and wrote["outcome"] == "done", "write: %r" % wrote)
        # The unit's side: it announces its new state, and it got one SetC
        # with every value.
        announced(emu, "80", "30")
        announced(emu, "b0", "42")
        # (At most four properties a request: the library splits.)
        sets = set_frames(emu)[before:]
        written = [p for fr in sets for p in thc.props(fr)]
        expect(sorted(written) == sorted([("80", "30"), ("b0", "42"), ("b3", "1a"), ("a0", "41"), ("8f", "41")]),
               "SetC frames of the write: %r" % sets)
        ev = stream.wait(lambda e: e.get("event") == "changed" and e.get("epc") == "80" and e.get("edt") == "30",
                         "changed 80 = 30")
        expect(ev["node"] == EMU and ev["eoj"] == AIRCON, "event %r" % ev)
        stream.wait(lambda e: e.get("event") == "write" and e.get("outcome") == "done", "the write's result")
        for e in stream.events:
            errors = thc.schema_errors(e, SCHEMA, SCHEMA)
            expect(not errors, "event %r does not match doc/hems-events.schema.json: %s" % (e, errors))
        again = api.ok("GET", "/api/devices")["devices"]
        state = [x for x in again if x["node"] == EMU][0]["state"]
        expect(state["power"] == "on" and state["mode"] == "cool" and state["temp"] == 26,
               "the list after the write: %r" % state)
    finally:
        stream.close()
    series = api.ok("GET", "/api/energy")
    expect(series["enabled"] is True and series["res"] == "hour" and len(series["total"]) == 24 and
           series["to"] - series["from"] == 86400, "energy: %r" % {k: series[k] for k in series if k != "devices"})
    mine = [x for x in series["devices"] if x["node"] == EMU and x["eoj"] == AIRCON]
    expect(len(mine) == 1 and mine[0]["source"] in ("counter", "power") and len(mine[0]["periods"]) == 24,
           "energy of the unit: %r" % series["devices"])
    expect([x["key"] for x in series["series"]] == ["house"] and series["series"][0]["series"] == "whole-house" and
           all(x["series"] == "device" for x in series["devices"]), "series: %r" % series["series"])
    halves = api.ok("GET", "/api/energy?res=half-hour")
    expect(halves["res"] == "half-hour" and len(halves["total"]) == 48 and halves["to"] - halves["from"] == 86400,
           "half-hours: %r" % {k: halves[k] for k in halves if k not in ("devices", "series")})
    got = [p["wh"] for p in halves["series"][0]["periods"]]
    want = [house[first_half + k] / 1000 if first_half + k in house else None for k in range(48)]
    expect(got == want, "the house's half-hours: %r, want %r" % (got[:8], want[:8]))
    days = api.ok("GET", "/api/energy?res=day&days=3")
    expect(days["res"] == "day" and len(days["total"]) == 3, "energy per day: %r" % days)
    api.refused(400, "bad_request", "GET", "/api/energy?res=minute")
    api.refused(400, "bad_request", "GET", "/api/energy?res=half-hour&days=2")
    page = api.request("GET", "/", token=False)
    expect(page[0] == 200 and "<title>hems-controller</title>" in page[2] and
           "default-src 'self'" in page[1].getheader("Content-Security-Policy", ""), "the page: %r" % (page[:1],))
    js = api.request("GET", "/assets/app.js", token=False)
    expect(js[0] == 200 and "text/javascript" in js[1].getheader("Content-Type"), "app.js: %d" % js[0])


@case("refusals: 404, 400, 413, 415, 403 cross-site and bad Host, 405; nothing reaches the unit")
def _(s):
    emu, d, api = start(s)
    path = "/api/devices/%s/%s" % (EMU, AIRCON)
    before = len(set_frames(emu))
    api.refused(404, "unknown_device", "GET", "/api/devices/127.0.0.9/013001")
    api.refused(404, "unknown_device", "POST", "/api/devices/127.0.0.9/013001", {"power": "on"})
    api.refused(400, "bad_command", "GET", "/api/devices/not-an-address/013001")
    api.refused(400, "bad_command", "POST", "/api/devices/%s/zz" % EMU, {"power": "on"})
    api.refused(400, "bad_json", "POST", path, "{\"power\": ", headers={"Content-Type": "application/json"})
    api.refused(400, "bad_json", "POST", path, "{\"power\":\"on\",\"power\":\"off\"}",
                headers={"Content-Type": "application/json"})
    api.refused(400, "bad_request", "POST", path, {"colour": "red"})
    api.refused(400, "bad_request", "POST", path, {})
    api.refused(400, "bad_request", "POST", path, [1, 2])
    api.refused(400, "bad_request", "POST", path, {"temp": 25.5})
    api.refused(400, "bad_command", "POST", path, {"mode": "turbo"})
    api.refused(400, "bad_command", "POST", path, {"props": {"zz": "00"}})
    api.refused(400, "bad_command", "POST", path, {"fan": 9})
    refusal = api.refused(400, "ECHONET_ERR_VALUE", "POST", path, {"temp": 60})
    expect("0 to 50" in refusal["error"], "the refusal names the range: %r" % refusal)
    api.refused(413, "too_large", "POST", path, json.dumps({"power": "on", "pad": "x" * 5000}),
                headers={"Content-Type": "application/json"})
    api.refused(415, "unsupported_media_type", "POST", path, "power=on",
                headers={"Content-Type": "application/x-www-form-urlencoded"})
    api.refused(415, "unsupported_media_type", "POST", path, "{\"power\":\"on\"}", headers={"Content-Type": "text/plain"})
    api.refused(403, "cross_site", "POST", path, {"power": "on"}, headers={"Origin": "http://evil.example"})
    api.refused(403, "bad_host", "GET", "/api/devices", headers={"Host": "evil.example:%d" % api.port})
    api.refused(405, "method_not_allowed", "DELETE", path)
    api.refused(405, "method_not_allowed", "PUT", path, {"power": "on"})
    api.refused(404, "not_found", "GET", "/api/nothing")
    # A write from this page's own origin passes the checks.
    ok = api.ok("POST", path, {"power": "on"}, headers={"Origin": "http://127.0.0.1:%d" % api.port})
    expect(ok["outcome"] == "done", "same-origin write: %r" % ok)
    sets = set_frames(emu)[before:]
    expect(len(sets) == 1 and thc.props(sets[0]) == [("80", "30")],
           "only the good write reached the unit: %r" % sets)


@case("token: refused at start without one or with a readable file; 401 without it, 200 with it")
def _(s):
    port = tcp_port()
    base = s.base() + ["--http", "0.0.0.0:%d" % port]
    r = subprocess.run(base + ["run"], stdin=subprocess.DEVNULL, capture_output=True, timeout=10)
    expect(r.returncode == 1 and b"--http-token-file" in r.stderr,
           "0.0.0.0 without a token: %d %r" % (r.returncode, r.stderr))
    token = os.path.join(s.tmp, "token")
    with open(token, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(token, 0o644)
    r = subprocess.run(base + ["--http-token-file", token, "run"], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    expect(r.returncode == 1 and b"chmod 600" in r.stderr, "a token readable by others: %d %r" %
           (r.returncode, r.stderr))
    short = os.path.join(s.tmp, "short")
    with open(short, "w") as f:
        f.write("abc\n")
    os.chmod(short, 0o600)
    r = subprocess.run(base + ["--http-token-file", short, "run"], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=10)
    expect(r.returncode == 1 and b"at least 16" in r.stderr, "a short token: %d %r" % (r.returncode, r.stderr))
    os.chmod(token, 0o600)
    emu, d, api = start(s, "--http-token-file", token, http_addr="0.0.0.0")
    api.refused(401, "unauthorized", "GET", "/api/devices", token=False)
    api.refused(401, "unauthorized", "GET", "/api/events", token=False)
    api.refused(401, "unauthorized", "POST", "/api/devices/%s/%s" % (EMU, AIRCON), {"power": "on"}, token=False)
    status, r, _ = api.request("GET", "/api/devices", headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"},
                               token=False)
    expect(status == 401 and r.getheader("WWW-Authenticate", "").startswith("Bearer"), "wrong token: %d" % status)
    status, _, _ = api.request("GET", "/api/devices", headers={"Authorization": "Bearer " + TOKEN + "X"},
                               token=False)
    expect(status == 401, "a longer token: %d" % status)
    api.token = TOKEN
    expect(len(api.ok("GET", "/api/devices")["devices"]) == 1, "with the token")
    status, _, page = api.request("GET", "/", token=False)
    expect(status == 200 and "hems-controller" in page, "the page needs no token: %d" % status)
    expect(not set_frames(emu), "nothing written: %r" % set_frames(emu))


@case("remote operation: --http-remote always makes every write carry 0x93 = 0x42, with or without --remote")
def _(s):
    for extra in ((), ("--remote",)):
        emu, d, api = start(s, "--http-remote", "always", *extra)
        info = api.ok("GET", "/api/info")
        expect(info["client_remote"] is True and info["remote"] is bool(extra), "info %r" % info)
        wrote = api.ok("POST", "/api/devices/%s/%s" % (EMU, AIRCON), {"power": "on"})
        expect(wrote["outcome"] == "done", "remote write %r: %r" % (extra, wrote))
        sets = [f for f in set_frames(emu) if ("80", "30") in thc.props(f)]
        expect(len(sets) == 1 and thc.props(sets[0])[0] == ("93", "42"), "the remote SetC %r: %r" % (extra, sets))
        d.kill()
        emu.stop()
    # never: the same client is local.
    emu, d, api = start(s, "--http-remote", "never")
    expect(api.ok("GET", "/api/info")["client_remote"] is False, "never: not remote")
    api.ok("POST", "/api/devices/%s/%s" % (EMU, AIRCON), {"power": "on"})
    sets = [f for f in set_frames(emu) if ("80", "30") in thc.props(f)]
    expect(len(sets) == 1 and ("93", "42") not in thc.props(sets[0]), "a local SetC: %r" % sets)


@case("non-local (default): a client outside the home network is remote, its write carries 0x93 = 0x42")
def _(s):
    if not s.net.netns:
        raise te.Skip("needs a private network namespace for a public client address")
    public, private = "203.0.113.5", "192.168.7.5"
    for a in (public, private):
        expect(subprocess.run(["ip", "addr", "add", a + "/32", "dev", "lo"]).returncode == 0, "ip addr add " + a)
    try:
        token = os.path.join(s.tmp, "token")
        with open(token, "w") as f:
            f.write(TOKEN)
        os.chmod(token, 0o600)
        emu, d, api = start(s, "--http-token-file", token, http_addr="0.0.0.0")
        path = "/api/devices/%s/%s" % (EMU, AIRCON)
        far = Api(api.port, host=public, token=TOKEN, source=public)
        near = Api(api.port, host=private, token=TOKEN, source=private)
        expect(far.ok("GET", "/api/info")["client_remote"] is True, "203.0.113.5 is not remote")
        expect(near.ok("GET", "/api/info")["client_remote"] is False, "192.168.7.5 is remote")
        expect(len(far.ok("GET", "/api/devices")["devices"]) == 1, "reads from outside are served")
        expect(far.ok("POST", path, {"power": "on"})["outcome"] == "done", "the remote write")
        sets = set_frames(emu)
        expect(len(sets) == 1 and thc.props(sets[0]) == [("93", "42"), ("80", "30")], "the remote SetC: %r" % sets)
        expect(near.ok("POST", path, {"power": "off"})["outcome"] == "done", "the local write")
        sets = set_frames(emu)
        expect(len(sets) == 2 and thc.props(sets[1]) == [("80", "31")], "the local SetC: %r" % sets)
    finally:
        for a in (public, private):
            subprocess.run(["ip", "addr", "del", a + "/32", "dev", "lo"])


@case("two writes at once to one unit: each answered with its own result, both reach the unit")
def _(s):
    emu, d, api = start(s)
    path = "/api/devices/%s/%s" % (EMU, AIRCON)
    results = {}

    def write(name, body):
        results[name] = api.request("POST", path, body)

    threads = [threading.Thread(target=write, args=(n, b)) for n, b in
               (("power", {"power": "on"}), ("temp", {"temp": 24}), ("bad", {"temp": 99}))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    expect(results["power"][0] == 200 and results["power"][2]["outcome"] == "done", "power: %r" % (results["power"],))
    expect(results["temp"][0] == 200 and results["temp"][2]["outcome"] == "done", "temp: %r" % (results["temp"],))
    expect(results["bad"][0] == 400 and same_code(results["bad"][2]["code"], "ECHONET_ERR_VALUE"), "bad: %r" % (results["bad"],))
    announced(emu, "80", "30")
    written = [p for fr in set_frames(emu) for p in thc.props(fr)]
    expect(sorted(written) == [("80", "30"), ("b3", "18")], "SetC of both writes: %r" % written)


@case("serve --http with standard input at /dev/null stays up and answers")
def _(s):
    thc.require_multicast(s)  # (serve finds the unit by its multicast search)
    emu = s.emulator(bind=EMU)
    port = tcp_port()
    proc = subprocess.Popen(s.base() + ["--http", "127.0.0.1:%d" % port, "serve"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        api = Api(port)
        end = time.monotonic() + STEP * 5
        while True:
            try:
                devices = api.ok("GET", "/api/devices")["devices"]
            except OSError:
                devices = []
            if devices or time.monotonic() > end or proc.poll() is not None:
                break
            time.sleep(0.2)
        if proc.poll() is not None:
            raise Failure("serve exited: %r %r" % (proc.returncode, proc.stderr.read()))
        expect([x["node"] for x in devices] == [EMU], "serve found by its multicast search: %r" % devices)
        proc.terminate()
        expect(proc.wait(timeout=10) == 0, "serve on SIGTERM: %r" % proc.returncode)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


@case("rate limit: a burst of requests from one client gets 429 with a JSON error")
def _(s):
    emu, d, api = start(s, wait_ready=False)
    codes = []
    for _ in range(150):
        status, _, value = api.request("GET", "/api/info")
        codes.append(status)
        if status == 429:
            expect(value.get("code") == "rate_limited", "429 body %r" % value)
    expect(codes.count(200) >= 50 and codes.count(429) > 0, "statuses of the burst: %r" % codes)
    time.sleep(1.0)
    expect(api.request("GET", "/api/info")[0] == 200, "served again after a pause")


def main():
    if len(sys.argv) != 3:
        print("usage: %s /path/to/hems-controller /path/to/aircon-emulator" % sys.argv[0], file=sys.stderr)
        return 2
    ctl_path, emu_path = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    why_not = te.udp_netns.enter_namespace(__file__)
    net = te.Network()
    print(net.describe() + ("" if net.netns else " (%s)" % why_not))
    only = os.environ.get("HEMS_TEST_ONLY", "")
    return te.run_cases([c for c in CASES if only in c[0]], lambda: thc.Session(ctl_path, emu_path, net))


if __name__ == "__main__":
    sys.exit(main())
