#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Integration test of the hems-controller example against aircon-emulator
over real UDP.

Usage: python3 tests/test_hems_controller.py /path/to/hems-controller /path/to/aircon-emulator

Each case starts emulators on a fresh port (each on its own loopback
address, 127.0.0.2, 127.0.0.3...) and runs hems-controller at 127.0.0.1 on
the same port: one-shot commands, or `run` with commands on its standard
input. The controller prints JSON lines (--json); the emulators log every
datagram, so each case checks both what the controller reports and what
went over the wire.

Network: as tests/test_emulator.py (whose helpers this file imports): the
test re-runs itself in a private network namespace (`unshare --net` as
root, else with a user namespace) with a multicast route on the loopback,
::2 beside ::1, and a veth pair with fd00::1 and fd00::2 for IPv6
multicast. Without a namespace it runs on the host's loopback, where
discovery still works for commands that name their node (their searches
also go to it by unicast) and the IPv6 cases are skipped.

Prints one line per failure or skip, and finally "N passed, M failed";
exits 1 when anything failed.
"""

import json
import os
import queue
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402  (the emulator's harness: network, emulator, frames)
from test_emulator import Failure, Skip, expect, h  # noqa: E402

STEP = te.STEP          # seconds allowed for each expectation
RUN = 30                # seconds a one-shot command may take at most
CONTROLLER_ADDR = "127.0.0.1"
AIRCON = "013001"


def names_error(text, name, code):
    """Whether a message names an error: ECHONET_ERR_... with error strings,
    its number (e.g. -52) in a build without them."""
    return name in text or ("error %d" % code) in text or ("(%d)" % code) in text


# ---- Frames in the emulator's log -------------------------------------------------

def frames_in(emu, peer, esv=None):
    """Frames the emulator received from peer (optionally of one ESV), in
    order, after letting its log settle."""
    settle(emu)
    return [o["frame"] for o in emu.log
            if o.get("dir") == "in" and o.get("peer") == peer and "esv" in o.get("frame", {}) and
            (esv is None or o["frame"]["esv"] == esv)]


def settle(emu, quiet=0.3):
    """Moves every log line the emulator has written into emu.log."""
    while True:
        try:
            obj = emu.lines.get(timeout=quiet)
        except queue.Empty:
            return
        if obj is None:
            return
        emu.log.append(obj)


def props(fr):
    return [(p["epc"], p["edt"]) for p in fr["props"]]


def epcs(fr):
    return [p["epc"] for p in fr["props"]]


# ---- The JSON event contract -------------------------------------------------------

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "doc", "hems-events.schema.json")
SEEN_EVENTS = []  # every --json event the cases read, checked against the schema by the last case
ANNOTATIONS = {"$schema", "$id", "title", "description", "$defs"}
TYPES = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
         "string": lambda v: isinstance(v, str), "null": lambda v: v is None,
         "boolean": lambda v: isinstance(v, bool),
         "integer": lambda v: isinstance(v, int) and not isinstance(v, bool)}


def same_json(a, b):
    """Equality of JSON values, where true is not 1."""
    return type(a) is type(b) and a == b


def schema_errors(value, schema, root, where="$"):
    """The reasons value does not match schema: the subset of JSON Schema
    2020-12 doc/hems-events.schema.json uses (a keyword outside it is an
    error, never ignored). Returns a list of strings, empty when it matches."""
    import re
    unknown = set(schema) - ANNOTATIONS - {"$ref", "oneOf", "enum", "const", "type", "pattern", "minLength",
                                           "minimum", "maximum", "properties", "required",
                                           "additionalProperties", "propertyNames", "items"}
    if unknown:
        return ["%s: the test's validator does not know %s" % (where, sorted(unknown))]
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return schema_errors(value, target, root, where)
    if "oneOf" in schema:
        matches = [sub for sub in schema["oneOf"] if not schema_errors(value, sub, root, where)]
        if len(matches) != 1:
            return ["%s: %r matches %d of the oneOf alternatives, want 1" % (where, value, len(matches))]
    if "enum" in schema and not any(same_json(value, e) for e in schema["enum"]):
        return ["%s: %r not in %r" % (where, value, schema["enum"])]
    if "const" in schema and not same_json(value, schema["const"]):
        return ["%s: %r is not %r" % (where, value, schema["const"])]
    if "type" in schema and not TYPES[schema["type"]](value):
        return ["%s: %r is not of type %s" % (where, value, schema["type"])]
    errors = []
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
        if len(value) < schema.get("minLength", 0):
            errors.append("%s: %r is too short" % (where, value))
    if TYPES["integer"](value):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errors.append("%s: %r out of range" % (where, value))
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += schema_errors(item, schema["items"], root, "%s[%d]" % (where, i))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += ["%s: no %r" % (where, k) for k in schema.get("required", []) if k not in value]
        for k, v in value.items():
            if "propertyNames" in schema:
                errors += schema_errors(k, schema["propertyNames"], root, "%s.<%s>" % (where, k))
            if k in props:
                errors += schema_errors(v, props[k], root, "%s.%s" % (where, k))
            elif schema.get("additionalProperties") is False:
                errors.append("%s: %r is not in the contract" % (where, k))
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += schema_errors(v, schema["additionalProperties"], root, "%s.%s" % (where, k))
    return errors


# ---- The controller ---------------------------------------------------------------

class Result:
    def __init__(self, cmd, proc, json_out):
        self.cmd = " ".join(cmd)
        self.rc = proc.returncode
        self.stdout = proc.stdout.decode("utf-8", "replace")
        self.stderr = proc.stderr.decode("utf-8", "replace")
        self.events = []
        if json_out:
            for line in self.stdout.splitlines():
                try:
                    obj = json.loads(line)
                except ValueError:
                    raise Failure("%s: not a JSON line: %r" % (self.cmd, line))
                expect(isinstance(obj, dict) and "event" in obj, "%s: not an event: %r" % (self.cmd, line))
                self.events.append(obj)
                SEEN_EVENTS.append(obj)

    def of(self, event, **fields):
        return [e for e in self.events if e["event"] == event and all(e.get(k) == v for k, v in fields.items())]

    def one(self, event, **fields):
        found = self.of(event, **fields)
        expect(len(found) == 1, "%s: %d %r events %r, want 1; events %r; stderr %r" %
               (self.cmd, len(found), event, fields, self.events, self.stderr))
        return found[0]

    def ok(self):
        expect(self.rc == 0, "%s: exit status %d; events %r; stderr %r" % (self.cmd, self.rc, self.events,
                                                                           self.stderr))
        return self


class Daemon:
    """hems-controller run, its JSON lines read by a thread."""

    def __init__(self, cmd, stdin=subprocess.PIPE):
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines = queue.Queue()
        self.log = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for raw in self.proc.stdout:
                try:
                    obj = json.loads(raw.decode("utf-8"))
                    SEEN_EVENTS.append(obj)
                except ValueError:
                    obj = {"event": "not-json", "line": raw.decode("utf-8", "replace")}
                self.lines.put(obj)
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def expect(self, pred, what, timeout=STEP):
        end = time.monotonic() + timeout
        while True:
            try:
                obj = self.lines.get(timeout=max(end - time.monotonic(), 0))
            except queue.Empty:
                obj = None
            if obj is None:
                if self.proc.poll() is not None:
                    raise Failure("hems-controller run exited (%s) before %s; stderr %r" %
                                  (self.proc.returncode, what, self.stderr()))
                raise Failure("hems-controller run did not print %s within %.0f s" % (what, timeout))
            self.log.append(obj)
            expect(obj.get("event") != "not-json", "not a JSON line: %r" % obj)
            if pred(obj):
                return obj

    def event(self, event, what=None, timeout=STEP, **fields):
        return self.expect(lambda o: o.get("event") == event and all(o.get(k) == v for k, v in fields.items()),
                           what or "a %s event %r" % (event, fields), timeout)

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode("ascii"))
        self.proc.stdin.flush()

    def stderr(self):
        if self.proc.poll() is None:
            return ""
        try:
            return self.proc.stderr.read().decode("utf-8", "replace")
        except ValueError:
            return ""

    def finish(self, how="eof", timeout=RUN):
        """Ends the daemon (end of input or a signal); returns its status."""
        if self.proc.poll() is None:
            if how == "eof":
                self.proc.stdin.close()
            else:
                self.proc.send_signal(how)
        try:
            status = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise Failure("hems-controller run did not exit within %.0f s of %s" % (timeout, how))
        self.reader.join(timeout=STEP)
        while True:
            try:
                obj = self.lines.get_nowait()
            except queue.Empty:
                break
            if obj is not None:
                self.log.append(obj)
        return status

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=STEP)
        for f in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            try:
                if f:
                    f.close()
            except (OSError, ValueError):
                pass


class ControlClient:
    """A client of hems-controller's control socket: sends lines, reads the
    JSON lines it is answered with."""

    def __init__(self, path, timeout):
        end = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(path)
                break
            except OSError as e:
                self.sock.close()
                if time.monotonic() > end:
                    raise Failure("no control socket at %s: %s" % (path, e))
                time.sleep(0.05)
        self.buf = b""
        self.log = []

    def command(self, line):
        self.sock.sendall((line + "\n").encode("ascii"))

    def expect(self, pred, what, timeout=STEP):
        end = time.monotonic() + timeout
        while True:
            while b"\n" in self.buf:
                raw, self.buf = self.buf.split(b"\n", 1)
                try:
                    obj = json.loads(raw.decode("utf-8"))
                except ValueError:
                    raise Failure("control client: not a JSON line: %r" % raw)
                SEEN_EVENTS.append(obj)
                self.log.append(obj)
                if pred(obj):
                    return obj
            left = end - time.monotonic()
            if left <= 0:
                raise Failure("control client: no %s within %.0f s; got %r" % (what, timeout, self.log))
            self.sock.settimeout(left)
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise Failure("control client: closed before %s; got %r" % (what, self.log))
            self.buf += data

    def event(self, event, what=None, timeout=STEP, **fields):
        return self.expect(lambda o: o.get("event") == event and all(o.get(k) == v for k, v in fields.items()),
                           what or "a %s event %r" % (event, fields), timeout)

    def close(self):
        self.sock.close()


# ---- A scripted air conditioner ----------------------------------------------------

class FakeAircon:
    """An air conditioner answering from a table, for values the emulator
    cannot produce (0xB3 = 0xFD, 0xBB = 0x7E). Unicast only."""

    def __init__(self, port, addr, values):
        self.values = self.with_maps(values)
        self.sock = te.bound_socket(socket.AF_INET, (addr, port))
        self.port = port
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @staticmethod
    def _map(epc_list):
        return bytes([len(epc_list)] + epc_list)

    @classmethod
    def with_maps(cls, values):
        """values, plus property maps 0x9D-0x9F where it has none."""
        values = dict(values)
        values.setdefault(0x9F, cls._map(sorted(set(values) | {0x9D, 0x9E, 0x9F})))
        values.setdefault(0x9E, cls._map([0x80, 0xB0, 0xB3]))
        values.setdefault(0x9D, cls._map([0x80, 0xB0]))
        return values

    def _answer(self, f):
        if f["deoj"] in ("0ef000", "0ef001") and f["esv"] == 0x62:
            return te.frame(f["tid"], "0ef001", f["seoj"], 0x72, [(0xD6, h("01 01 30 01"))])
        if f["deoj"] not in ("013000", AIRCON):
            return None
        if f["esv"] == 0x62:
            out = [(e, self.values.get(e, b"")) for e, _ in f["props"]]
            ok = all(len(v) > 0 for _, v in out)
            return te.frame(f["tid"], AIRCON, f["seoj"], 0x72 if ok else 0x52, out)
        if f["esv"] == 0x61:
            for e, v in f["props"]:
                self.values[e] = v
            return te.frame(f["tid"], AIRCON, f["seoj"], 0x71, [(e, b"") for e, _ in f["props"]])
        return None

    def _serve(self):
        serve_socket(self.sock, lambda: self.stop, self._handle)

    def _handle(self, data, addr):
        f = te.parse(data)
        answer = self._answer(f) if f else None
        if answer:
            self.sock.sendto(answer, (addr, self.port))

    def close(self):
        self.stop = True
        self.thread.join(timeout=STEP)
        self.sock.close()


def serve_socket(sock, stopped, handle):
    """Calls handle(data, address) for each datagram sock receives, until
    stopped() or the socket is closed."""
    sock.settimeout(0.1)
    while not stopped():
        try:
            data, (addr, _) = sock.recvfrom(65536)
        except socket.timeout:
            continue
        except OSError:
            return
        handle(data, addr)


def send_later(timers, delay, sock, data, dest):
    """Sends data to dest from sock delay seconds from now (the timer is
    added to timers, to be cancelled at the end)."""
    def send():
        try:
            sock.sendto(data, dest)
        except OSError:
            pass
    t = threading.Timer(delay, send)
    timers.append(t)
    t.start()


class LateSearchAircon(FakeAircon):
    """A FakeAircon that answers searches (Get 0xD6 to its node profile, a
    request to instance 0x00) `delay` seconds late, and records every request with its time of
    arrival (issue 13: such a unit was never found)."""

    def __init__(self, port, addr, values, delay):
        self.delay = delay
        self.requests = []  # (monotonic time, parsed frame)
        self.timers = []
        super().__init__(port, addr, values)

    def _handle(self, data, addr):
        f = te.parse(data)
        if not f:
            return
        self.requests.append((time.monotonic(), f))
        answer = self._answer(f)
        if answer and f["deoj"] in self.SEARCHED:
            send_later(self.timers, self.delay, self.sock, answer, (addr, self.port))
        elif answer:
            self.sock.sendto(answer, (addr, self.port))

    SEARCHED = ("0ef000", "0ef001", "013000")

    def searches(self):
        return [(t, f) for t, f in self.requests if f["deoj"] in self.SEARCHED]

    def close(self):
        for t in self.timers:
            t.cancel()
        super().close()


class QuirkyAircon:
    """A node with two air conditioners (013001, 013002) that misbehaves as
    units in the field do (issue 13's audit): it answers searches `late`
    seconds late, drops every `drop`-th other request (no answer at all),
    answers every third it answers twice, and can take 013002 out of its
    instance list (remove(): an INF 0xD5 naming only 013001, sent to the
    controller). Records every request (arrival, frame, when answered or
    None) to check the controller's discipline: one request in flight,
    never a TID twice, nothing to an object after its removal."""

    OBJS = ("013001", "013002")

    def __init__(self, port, addr, late=2.0, drop=5):
        self.values = {}
        for k, o in enumerate(self.OBJS):
            v = dict(FAKE_UNIT)
            v[0x83] = h("FE 00 00 7A 51 52 53 54 55 56 57 58 59 5A 5B 5C") + bytes([k + 1])
            self.values[o] = FakeAircon.with_maps(v)
        self.listed = list(self.OBJS)
        self.late, self.drop = late, drop
        self.requests = []  # [arrival, frame, answered at or None]
        self.lock = threading.Lock()
        self.timers = []
        self.stop = False
        self.port = port
        self.ctl = None
        self.removed_at = None
        self.n_other = self.n_answered = 0
        self.sock = te.bound_socket(socket.AF_INET, (addr, port))
        self.thread = threading.Thread(target=serve_socket, daemon=True,
                                       args=(self.sock, lambda: self.stop, self._handle))
        self.thread.start()

    def _list(self):
        return bytes([len(self.listed)]) + b"".join(bytes.fromhex(o) for o in self.listed)

    def _answer(self, f):
        if f["deoj"] in ("0ef000", "0ef001"):
            if f["esv"] != 0x62:
                return None
            return te.frame(f["tid"], "0ef001", f["seoj"], 0x72, [(0xD6, self._list())])
        v = self.values.get(f["deoj"])
        if v is None or f["deoj"] not in self.listed:
            return None
        if f["esv"] == 0x62:
            out = [(e, v.get(e, b"")) for e, _ in f["props"]]
            return te.frame(f["tid"], f["deoj"], f["seoj"], 0x72 if all(x for _, x in out) else 0x52, out)
        if f["esv"] == 0x61:
            for e, x in f["props"]:
                v[e] = x
            return te.frame(f["tid"], f["deoj"], f["seoj"], 0x71, [(e, b"") for e, _ in f["props"]])
        return None

    def _handle(self, data, addr):
        f = te.parse(data)
        if not f or f["seoj"] != "05ff01":
            return
        now = time.monotonic()
        with self.lock:
            self.ctl = addr
            entry = [now, f, None]
            self.requests.append(entry)
            answer = self._answer(f)
            search = f["deoj"] in ("0ef000", "0ef001")
            if answer and not search:
                self.n_other += 1
                if self.n_other % self.drop == 0:
                    answer = None  # lost, for the controller
            if not answer:
                return
            delay = self.late if search else 0.0
            entry[2] = now + delay
            self.n_answered += 1
            twice = self.n_answered % 3 == 0
        send_later(self.timers, delay, self.sock, answer, (addr, self.port))
        if twice:
            send_later(self.timers, delay + 0.3, self.sock, answer, (addr, self.port))

    def remove(self, obj):
        with self.lock:
            self.listed.remove(obj)
            self.removed_at = time.monotonic()
            inf = te.frame(0x1234, "0ef001", "0ef001", 0x73, [(0xD5, self._list())])
            dest = self.ctl
        self.sock.sendto(inf, (dest, self.port))

    def violations(self, timer=20.0):
        """What broke AIF 2.4.1-2.4.3 or 3.1.1, in words."""
        out = []
        with self.lock:
            reqs = sorted(self.requests, key=lambda r: r[0])
            removed_at = self.removed_at
        tids = [r[1]["tid"] for r in reqs]
        if len(set(tids)) != len(tids):
            out.append("a TID sent twice: %r" % sorted(t for t in set(tids) if tids.count(t) > 1))
        for (t1, f1, a1), (t2, f2, _) in zip(reqs, reqs[1:]):
            if a1 is not None and t2 < a1 - 0.05:
                out.append("TID %04x sent %.2f s before the answer to %04x (two in flight)" %
                           (f2["tid"], a1 - t2, f1["tid"]))
            if a1 is None and t2 - t1 < timer - 0.5:
                out.append("TID %04x sent %.1f s after %04x, which got no answer (response timer)" %
                           (f2["tid"], t2 - t1, f1["tid"]))
        if removed_at is not None:
            late = [r[1]["tid"] for r in reqs if r[1]["deoj"] == "013002" and r[0] > removed_at + 0.2]
            if late:
                out.append("requests to 013002 after its removal: %r" % late)
        return out

    def count(self):
        with self.lock:
            return len(self.requests), sum(1 for r in self.requests if r[2] is None)

    def close(self):
        self.stop = True
        for t in self.timers:
            t.cancel()
        self.thread.join(timeout=STEP)
        self.sock.close()


class TwoAddressAircon:
    """One FakeAircon unit reachable at two addresses (as an IPv6 unit at
    its link-local and its global address): one socket on each, one table
    of values, each request answered `delay` seconds later from the address
    it came to. Records every request (arrival time, address, frame) to
    check that the unit never has two in flight (issue 13)."""

    IDENT_EPCS = {0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F}

    def __init__(self, port, addrs, values, delay):
        self.values = FakeAircon.with_maps(values)
        self.delay = delay
        self.requests = []
        self.lock = threading.Lock()
        self.timers = []
        self.stop = False
        self.socks = [te.bound_socket(socket.AF_INET, (a, port)) for a in addrs]
        self.port = port
        self.addrs = list(addrs)
        self.threads = [threading.Thread(target=serve_socket, daemon=True,
                                         args=(sock, lambda: self.stop,
                                               lambda data, addr, i=i: self._handle(i, data, addr)))
                        for i, sock in enumerate(self.socks)]
        for t in self.threads:
            t.start()

    def _handle(self, i, data, addr):
        f = te.parse(data)
        if not f:
            return
        with self.lock:
            self.requests.append((time.monotonic(), self.addrs[i], f))
            answer = FakeAircon._answer(self, f)  # (it reads self.values only)
        if answer:
            send_later(self.timers, self.delay, self.socks[i], answer, (addr, self.port))

    def identification(self, f):
        return f["deoj"] in ("0ef000", "0ef001") or (
            f["esv"] == 0x62 and all(e in self.IDENT_EPCS for e, _ in f["props"]))

    def overlaps(self):
        """Pairs of requests in flight at once, other than identification
        requests (before the controller can know the two addresses are one
        unit)."""
        out = []
        with self.lock:
            reqs = list(self.requests)
        for k, (t, a, f) in enumerate(reqs):
            for t2, a2, f2 in reqs[k + 1:]:
                if t2 >= t + self.delay - 0.05:
                    break
                if not (self.identification(f) or self.identification(f2)):
                    out.append(((a, f["tid"], f["props"]), (a2, f2["tid"], f2["props"])))
        return out

    def close(self):
        self.stop = True
        for t in self.timers:
            t.cancel()
        for t in self.threads:
            t.join(timeout=STEP)
        for sock in self.socks:
            sock.close()


# On, air circulation, set temperature undefined, room temperature unmeasurable.
FAKE_UNIT = {0x80: b"\x30", 0x82: h("00 00 48 00"), 0x83: h("FE 00 00 7A") + bytes(13), 0x8A: h("00 00 7A"),
             0x88: b"\x42", 0xB0: b"\x45", 0xB3: b"\xfd", 0xBB: b"\x7e"}


# ---- Environment --------------------------------------------------------------------

def enter_namespace():
    """As test_emulator.enter_namespace(), re-running this script."""
    return te.udp_netns.enter_namespace(__file__)


CASES = []


def case(name):
    def register(fn):
        CASES.append((name, fn))
        return fn
    return register


class Session:
    """Per-case resources, closed whatever happens."""

    def __init__(self, ctl_path, emu_path, net):
        self.ctl_path = ctl_path
        self.emu_path = emu_path
        self.net = net
        self.port = te.free_port()
        self.things = []
        self.tmp = tempfile.mkdtemp(prefix="hems-test-")
        self.peer = "%s:%d" % (CONTROLLER_ADDR, self.port)

    def emulator(self, *args, bind="127.0.0.2", **kw):
        emu = te.Emulator(self.emu_path, self.port, args, bind=bind, **kw)
        self.things.append(emu)
        return emu

    def base(self, bind=CONTROLLER_ADDR, json_out=True):
        return ([self.ctl_path, "--port", str(self.port)] + (["--bind", bind] if bind else []) +
                (["--json"] if json_out else []))

    def hems(self, *args, bind=CONTROLLER_ADDR, json_out=True, timeout=RUN, env=None):
        """Runs a one-shot command (options first in args)."""
        cmd = self.base(bind, json_out) + list(args)
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  timeout=timeout, env=env)
        except subprocess.TimeoutExpired:
            raise Failure("%s did not exit within %.0f s" % (" ".join(cmd), timeout))
        return Result(cmd, proc, json_out)

    def daemon(self, *options, bind=CONTROLLER_ADDR, command="run", stdin=subprocess.PIPE):
        d = Daemon(self.base(bind) + list(options) + [command], stdin=stdin)
        self.things.append(d)
        return d

    def control(self, path, timeout=STEP):
        """A client of the control socket at path (connected once it exists)."""
        c = ControlClient(path, timeout)
        self.things.append(c)
        return c

    def fake(self, addr, values):
        f = FakeAircon(self.port, addr, values)
        self.things.append(f)
        return f

    def close(self):
        for t in reversed(self.things):
            if isinstance(t, (te.Emulator, Daemon)):
                t.kill()
            else:
                t.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def require_multicast(s):
    if s.net.v4_multicast:
        raise Skip(s.net.v4_multicast)


# ---- Cases: one-shot commands ---------------------------------------------------------

@case("discover: two emulators (one with 3 instances) -> found and ready for each, ids, makers, states")
def _(s):
    require_multicast(s)
    s.emulator(bind="127.0.0.2")
    s.emulator("--instances", "3", "--maker", "00007A", "--id", "0102", bind="127.0.0.3")
    r = s.hems("discover", "--wait", "2").ok()
    want = [("127.0.0.2", AIRCON), ("127.0.0.3", "013001"), ("127.0.0.3", "013002"), ("127.0.0.3", "013003")]
    for node, eoj in want:
        r.one("found", node=node, eoj=eoj)
        ready = r.one("ready", node=node, eoj=eoj)
        state = ready["state"]
        expect(state["power"] == "off" and state["mode"] == "auto" and state["temp"] == 20 and
               state["room"] == 20 and state["flow"] == "auto" and state["fault"] is False and
               state["power_saving"] is False, "state of %s %s: %r" % (node, eoj, state))
    ready = r.one("ready", node="127.0.0.2", eoj=AIRCON)
    expect(ready["id"] == "fefffff0" + "00" * 12 + "01" and ready["maker"] == "fffff0", "ids %r" % ready)
    ready = r.one("ready", node="127.0.0.3", eoj="013002")
    # --id 0102 fills the last bytes; object N adds N to the last one.
    expect(ready["id"] == "fe00007a" + "00" * 11 + "0104" and ready["maker"] == "00007a", "ids %r" % ready)
    done = r.one("done", op="discover")
    expect(done["found"] == 4 and done["ready"] == 4, "summary %r" % done)
    expect(not r.of("property") and not r.of("error"), "unexpected events %r" % r.events)


@case("discover in text: readable lines and a summary")
def _(s):
    require_multicast(s)
    s.emulator()
    r = s.hems("discover", "--wait", "1", json_out=False).ok()
    lines = r.stdout.splitlines()
    expect(any(l.split()[:3] == ["found", "127.0.0.2", AIRCON] for l in lines), "no found line: %r" % lines)
    expect(any(l.startswith("ready") and "maker fffff0" in l and "off, auto, set 20 C, room 20 C" in l
               for l in lines), "no ready line: %r" % lines)
    expect(lines[-1] == "1 object found, 1 ready", "last line %r" % lines[-1])


@case("discover NODE: a device that never hears multicast is found by a unicast search round")
def _(s):
    s.fake("127.0.0.4", FAKE_UNIT)
    r = s.hems("discover", "--wait", "3", "127.0.0.4").ok()
    r.one("ready", node="127.0.0.4", eoj=AIRCON)


@case("discover: nothing answers, or a named NODE does not -> done, an error, exit 1 (as --help says)")
def _(s):
    r = s.hems("discover", "--wait", "1")
    expect(r.rc == 1, "exit status %d with nothing to find; stderr %r" % (r.rc, r.stderr))
    done = r.one("done", op="discover")
    expect(done["found"] == 0 and r.of("error") and "no device object" in r.stderr, "events %r" % r.events)
    s.fake("127.0.0.4", FAKE_UNIT)
    r = s.hems("discover", "--wait", "2", "127.0.0.4", "127.0.0.9")
    expect(r.rc == 1 and "127.0.0.9" in r.stderr, "a named node missing: %d %r" % (r.rc, r.stderr))
    r.one("ready", node="127.0.0.4", eoj=AIRCON)


@case("searches: a command that names its node sends one search, a unicast Get 0xD6 to it")
def _(s):
    # (Issue 13: it was a multicast round of Get 0xD6 and Get 0x80, 1 ms
    # apart, and copies of it by unicast every 2 s.)
    emu = s.emulator()
    s.hems("--wait", "3", "get", "127.0.0.2", AIRCON, "80").ok()
    searches = [f for f in frames_in(emu, s.peer, "62") if f["deoj"] in ("0ef001", "0ef000", "013000")]
    expect([(f["deoj"], epcs(f)) for f in searches] == [("0ef001", ["d6"])], "searches %r" % searches)
    requests = [f for f in frames_in(emu, s.peer) if f["seoj"] == "05ff01"]
    expect(len(set(f["tid"] for f in requests)) == len(requests), "a TID sent twice: %r" % requests)


@case("get 80 b0 b3 -> the emulator's values, one event per property, outcome done")
def _(s):
    emu = s.emulator()
    r = s.hems("--wait", "3", "get", "127.0.0.2", AIRCON, "80", "b0", "b3").ok()
    got = {e["epc"]: e["edt"] for e in r.events if e["event"] in ("property", "changed")}
    expect(got == {"80": "31", "b0": "41", "b3": "14"}, "values %r" % got)
    for e in r.events[:-1]:
        expect(e["node"] == "127.0.0.2" and e["eoj"] == AIRCON, "event %r" % e)
    expect(r.events[-1] == {"event": "read", "node": "127.0.0.2", "eoj": AIRCON, "outcome": "done", "props": []},
           "last event %r" % r.events[-1])
    gets = [f for f in frames_in(emu, s.peer, "62") if f["deoj"] == AIRCON and epcs(f) == ["80", "b0", "b3"]]
    expect(len(gets) == 1, "the Get 80 b0 b3 on the wire: %r" % gets)


@case("set on, mode cool, temp 26 -> done; SetC in that order, then the verifying Get; status shows it")
def _(s):
    emu = s.emulator()
    r = s.hems("--wait", "3", "set", "127.0.0.2", AIRCON, "temp", "26", "mode", "cool", "on").ok()
    r.one("write", outcome="done", props=[])
    got = sorted((e["epc"], e["edt"], e["event"]) for e in r.events if e["event"] in ("property", "changed"))
    expect(got == [("80", "30", "changed"), ("b0", "42", "changed"), ("b3", "1a", "changed")],
           "one event per property, changed: %r" % got)
    frames = [f for f in frames_in(emu, s.peer) if f["deoj"] == AIRCON]
    sets = [i for i, f in enumerate(frames) if f["esv"] == "61"]
    expect(len(sets) == 1, "SetC frames: %r" % [frames[i] for i in sets])
    expect(props(frames[sets[0]]) == [("80", "30"), ("b0", "42"), ("b3", "1a")],
           "SetC properties (AIF 5.1: 80, b0, b3): %r" % frames[sets[0]])
    verify = [f for f in frames[sets[0] + 1:] if f["esv"] == "62"]
    expect(verify and sorted(epcs(verify[0])) == ["80", "b0", "b3"], "the verifying Get: %r" % verify)
    st = s.hems("--wait", "3", "status", "127.0.0.2", AIRCON).ok().one("status", outcome="done")["state"]
    expect(st["power"] == "on" and st["mode"] == "cool" and st["temp"] == 26, "status %r" % st)


@case("status in text: power, mode, set and room temperature, flow, fault, power saving")
def _(s):
    s.emulator()
    r = s.hems("--wait", "3", "status", "127.0.0.2", json_out=False).ok()
    want = ["127.0.0.2 013001 (read: done)", "  power:        off", "  mode:         auto",
            "  set temp:     20 C", "  room temp:    20 C", "  air flow:     auto", "  fault:        no fault",
            "  power saving: normal"]
    expect(r.stdout.splitlines() == want, "status text %r" % r.stdout)


@case("status NODE without EOJ: every object of a 3-instance node")
def _(s):
    s.emulator("--instances", "3")
    r = s.hems("--wait", "3", "status", "127.0.0.2").ok()
    expect(sorted(e["eoj"] for e in r.of("status", outcome="done")) == ["013001", "013002", "013003"],
           "status events %r" % r.events)


@case("--remote set: SetC carries 0x93 = 0x42 first; the verifying Get leaves 0x93 out; a keepalive went out")
def _(s):
    emu = s.emulator()
    s.hems("--remote", "--wait", "3", "set", "127.0.0.2", AIRCON, "on").ok().one("write", outcome="done")
    sets = [f for f in frames_in(emu, s.peer, "61") if f["deoj"] == AIRCON]
    operation = [f for f in sets if props(f)[0] == ("93", "42")]
    expect(len(operation) == 1 and props(operation[0]) == [("93", "42"), ("80", "30")],
           "SetC frames %r" % sets)
    expect(any(props(f) == [("93", "62")] for f in sets), "no keepalive 0x93 = 0x62 in %r" % sets)
    gets = [f for f in frames_in(emu, s.peer, "62") if f["deoj"] == AIRCON and "80" in epcs(f)]
    expect(gets and "93" not in epcs(gets[-1]), "verifying Get %r" % gets)


@case("temp 60: refused by echonet_ctl_set before anything is queued; exit 2; no SetC")
def _(s):
    emu = s.emulator()
    r = s.hems("--wait", "3", "set", "127.0.0.2", AIRCON, "on", "temp", "60")
    expect(r.rc == 2, "exit status %d, want 2" % r.rc)
    expect(names_error(r.stderr, "ECHONET_ERR_VALUE", -52), "stderr %r" % r.stderr)
    expect("b3 = 3c is out of range (b3 allows 0 to 50)" in r.stderr, "no range in %r" % r.stderr)
    expect(r.of("error") and not r.of("write"), "events %r" % r.events)
    expect(not frames_in(emu, s.peer, "61"), "a SetC was sent: %r" % frames_in(emu, s.peer, "61"))


@case("--max-opc 2: partial answers are re-requested; a 5-property write is split and completes")
def _(s):
    emu = s.emulator("--max-opc", "2")
    r = s.hems("--wait", "3", "set", "127.0.0.2", AIRCON, "on", "mode", "cool", "temp", "26", "fan", "3",
               "8f=41").ok()
    r.one("write", outcome="done", props=[])
    settle(emu)
    answers = [o["frame"] for o in emu.log if o.get("dir") == "out" and o["frame"].get("deoj") == "05ff01"]
    # Discovery asked for 4 properties and got 2 (Get_SNA, PDC 0 for the
    # rest): the rest was asked again, and the capacity learned.
    partial = [a for a in answers if a["esv"] == "52" and [p["pdc"] for p in a["props"]][2:] == [0, 0]]
    expect(partial, "no partial answer: %r" % answers)
    sets = [f for f in frames_in(emu, s.peer, "61") if f["deoj"] == AIRCON]
    expect(all(len(f["props"]) <= 2 for f in sets), "a SetC of more than 2 properties: %r" % sets)
    written = [p["epc"] for a in answers if a["esv"] == "71" for p in a["props"]]
    expect(written == ["80", "b0", "b3", "a0", "8f"], "accepted, in order: %r" % written)
    c = te.Client(s.net, s.port, local="127.0.0.9")
    s.things.append(c)
    expect(c.get_value(AIRCON, 0xA0) == b"\x33" and c.get_value(AIRCON, 0x8F) == b"\x41", "values not applied")


@case("get of a property the device lacks (0x84) -> refused_local, exit 1, nothing asked")
def _(s):
    emu = s.emulator()
    r = s.hems("--wait", "3", "get", "127.0.0.2", AIRCON, "84")
    expect(r.rc == 1, "exit status %d" % r.rc)
    r.one("read", outcome="refused_local", props=["84"])
    expect(not any("84" in epcs(f) for f in frames_in(emu, s.peer, "62")), "0x84 was asked for")


@case("probe cool 16 30 -> low 16, high 30; the settings are restored")
def _(s):
    s.emulator()
    r = s.hems("--wait", "3", "probe", "127.0.0.2", AIRCON, "cool", "16", "30").ok()
    done = r.one("done", op="probe")
    expect(done["outcome"] == "done" and done["low"] == 16 and done["high"] == 30, "probe %r" % done)
    st = s.hems("--wait", "3", "status", "127.0.0.2", AIRCON).ok().one("status")["state"]
    expect(st["power"] == "off" and st["mode"] == "auto" and st["temp"] == 20, "not restored: %r" % st)


@case("fault: after the handset's 'fault 5' -> fault event with 0x89 = 0005 and 0x86; outcome done")
def _(s):
    emu = s.emulator()
    emu.do("fault 5")
    r = s.hems("--wait", "3", "fault", "127.0.0.2", AIRCON).ok()
    f = r.one("fault")
    expect(f["fault"] is True and f["edt"] == "41" and f["codes"] == {"89": "0005", "86": "04fffff000000005"},
           "fault event %r" % f)
    r.one("done", op="fault", outcome="done")
    emu.do("recover")
    f = s.hems("--wait", "3", "fault", "127.0.0.2", AIRCON).ok().one("fault")
    expect(f["fault"] is False and f["codes"] == {}, "after recovery %r" % f)


@case("status of 0xB3 = 0xFD and 0xBB = 0x7E: 'undefined' and 'unavailable' (a scripted device)")
def _(s):
    s.fake("127.0.0.4", FAKE_UNIT)
    r = s.hems("--wait", "3", "status", "127.0.0.4", AIRCON).ok()
    st = r.one("status", outcome="done")["state"]
    expect(st["temp"] == "undefined" and st["room"] == "unavailable" and st["mode"] == "fan", "state %r" % st)
    expect(st["flow"] is None and st["power_saving"] is None, "unknown fields %r" % st)
    text = s.hems("--wait", "3", "status", "127.0.0.4", AIRCON, json_out=False).ok().stdout
    expect("set temp:     undefined" in text and "room temp:    unavailable" in text and "mode:         fan" in text
           and "air flow:     ?" in text, "status text %r" % text)


@case("unknown node or object: timeout event, 'unknown node' on stderr, exit 1; an object the unit lacks at once")
def _(s):
    s.emulator()
    r = s.hems("--wait", "1", "get", "127.0.0.9", AIRCON, "80")
    expect(r.rc == 1 and "unknown node" in r.stderr, "exit %d, stderr %r" % (r.rc, r.stderr))
    r.one("timeout", node="127.0.0.9", eoj=AIRCON, wait=1)
    # A unit found without the object named: said at once, not after --wait.
    t0 = time.monotonic()
    r = s.hems("--wait", "10", "get", "127.0.0.2", "013005", "80")
    expect(r.rc == 1 and "no such object" in r.stderr, "exit %d, stderr %r" % (r.rc, r.stderr))
    expect(time.monotonic() - t0 < 8, "it waited %.1f s for an object the unit does not list" %
           (time.monotonic() - t0))
    r.one("error", node="127.0.0.2", eoj="013005", code="not_found")


BAD = [
    (["frobnicate"], "unknown command"),
    (["--bogus", "discover"], "unknown option"),
    ([], "missing command"),
    (["get", "127.0.0.2", AIRCON, "8g"], "bad EPC"),
    (["get", "127.0.0.2", AIRCON, "7f"], "bad EPC"),
    (["get", "127.0.0.2", AIRCON, "80", "80"], "twice"),
    (["get", "127.0.0.2", "0130", "80"], "bad EOJ"),
    (["get", "127.0.0.2", "05ff01", "80"], "bad EOJ"),
    (["get", "127.0.0.2", "0f0101", "80"], "bad EOJ"),
    (["set", "127.0.0.2", "027d01", "temp", "20"], "unknown setting 'temp' for 027d01"),
    (["set", "127.0.0.2", "027d01", "mode", "cool"], "mode: expected rapid, charge, discharge, standby, auto"),
    (["set", "127.0.0.2", "029001", "brightness", "101"], "brightness: expected 0 to 100"),
    (["probe", "127.0.0.2", "027d01", "cool", "16", "30"], "only home air conditioners"),
    (["get", "127.0.0.2", "013000", "80"], "bad EOJ"),
    (["get", "no-such-host", AIRCON, "80"], "bad NODE"),
    (["get", "fe80::1", AIRCON, "80"], "link-local address without its %interface"),
    (["discover", "fe80::1234"], "link-local address without its %interface"),
    (["get", "127.0.0.2", AIRCON], "usage"),
    (["set", "127.0.0.2", AIRCON], "usage"),
    (["set", "127.0.0.2", AIRCON, "b3=1"], "bad property"),
    (["set", "127.0.0.2", AIRCON, "b3=zz"], "bad property"),
    (["set", "127.0.0.2", AIRCON, "temp", "abc"], "temp"),
    (["set", "127.0.0.2", AIRCON, "temp", "-5"], "temp '-5': out of range (b3 allows 0 to 50)"),
    (["set", "127.0.0.2", AIRCON, "temp", "300"], "temp '300': out of range (b3 allows 0 to 50)"),
    (["set", "127.0.0.2", AIRCON, "fan", "9"], "fan"),
    (["set", "127.0.0.2", AIRCON, "mode", "sideways"], "mode"),
    (["set", "127.0.0.2", AIRCON, "mode"], "missing"),
    (["set", "127.0.0.2", AIRCON, "on", "80=31"], "twice"),
    (["set", "127.0.0.2", AIRCON, "warm"], "unknown setting"),
    (["status", "127.0.0.2", AIRCON, "extra"], "unexpected"),
    (["probe", "127.0.0.2", AIRCON, "cool", "16"], "usage"),
    (["line", "down"], "only in run or serve"),
    (["quit"], "only in run or serve"),
    (["serve", "now"], "no arguments"),
    (["--control", "/tmp/x", "get", "127.0.0.2", AIRCON, "80"], "--control is for run and serve"),
    (["run", "now"], "no arguments"),
    (["--response-timeout", "19", "discover"], "20"),
    (["--keepalive", "28801", "discover"], "28800"),
    (["--keepalive", "0", "discover"], "bad value"),
    (["--offline-after", "0", "discover"], "bad value"),
    (["--offline-after", "256", "discover"], "bad value"),
    (["--port", "0", "discover"], "bad value"),
    (["--wait", "x", "discover"], "bad value"),
    (["--ipv6", "get", "127.0.0.2", AIRCON, "80"], "IPv4 NODE"),
    (["--bind", "127.0.0.1", "get", "::1", AIRCON, "80"], "IPv6 NODE"),
    (["--ifname", "no-such-if0", "discover"], "no such interface"),
]


@case("bad input: a message on stderr, exit 2, nothing on stdout, nothing sent")
def _(s):
    emu = s.emulator()
    for args, words in BAD:
        r = s.hems(*args, bind=None if "--bind" in args else CONTROLLER_ADDR, timeout=STEP)
        expect(r.rc == 2, "%r: exit status %d, want 2 (stderr %r)" % (args, r.rc, r.stderr))
        expect(words in r.stderr and r.stdout == "", "%r: stdout %r, stderr %r" % (args, r.stdout, r.stderr))
    expect(not frames_in(emu, s.peer), "frames were sent: %r" % frames_in(emu, s.peer))
    p = subprocess.run([s.ctl_path, "--help"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=STEP)
    expect(p.returncode == 0 and p.stdout.startswith(b"Usage: hems-controller"), "--help")


COMMANDS = ["discover", "get", "set", "status", "probe", "fault", "run", "serve", "energy"]


@case("COMMAND --help for every command, --version of both programs: exit 0, on stdout")
def _(s):
    import test_dump
    for command in COMMANDS:
        for option in ("--help", "-h"):
            p = subprocess.run([s.ctl_path, command, option], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL, timeout=STEP)
            out = p.stdout.decode()
            expect(p.returncode == 0 and out.startswith("Usage: hems-controller [OPTIONS] %s" % command) and
                   not p.stderr, "%s %s: %d %r %r" % (command, option, p.returncode, out, p.stderr))
    for path, name in ((s.ctl_path, "hems-controller"), (s.emu_path, "aircon-emulator")):
        p = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, timeout=STEP)
        want = "%s (libechonet) %s\n" % (name, test_dump.project_version())
        expect(p.returncode == 0 and p.stdout.decode() == want, "%s --version: %d %r" % (name, p.returncode, p.stdout))


@case("options after the command are taken (and before it), -5 stays an argument")
def _(s):
    s.emulator()
    cmd = [s.ctl_path, "get", "127.0.0.2", AIRCON, "80", "--port", str(s.port), "--bind=" + CONTROLLER_ADDR,
           "--json", "--wait", "3"]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN)
    r = Result(cmd, p, True).ok()
    r.one("property", node="127.0.0.2", eoj=AIRCON, epc="80", edt="31")
    r = s.hems("set", "127.0.0.2", AIRCON, "temp", "-5", "--wait", "3")
    expect(r.rc == 2 and "out of range" in r.stderr, "temp -5 after the command: %d %r" % (r.rc, r.stderr))
    r = s.hems("get", "127.0.0.2", AIRCON, "80", "--bogus")
    expect(r.rc == 2 and "--bogus" in r.stderr, "an unknown option after the command: %d %r" % (r.rc, r.stderr))


@case("probe out of range (LOW > HIGH, HIGH > 50): refused by echonet_ctl_probe, exit 2")
def _(s):
    emu = s.emulator()
    for low, high, why in (("30", "16", "LOW 30 > HIGH 16"), ("16", "51", "LOW and HIGH must be within 0 to 50")):
        r = s.hems("--wait", "3", "probe", "127.0.0.2", AIRCON, "cool", low, high)
        expect(r.rc == 2 and names_error(r.stderr, "ECHONET_ERR_INVALID_ARG", -1) and why in r.stderr,
               "exit %d, stderr %r" % (r.rc, r.stderr))
    expect(not frames_in(emu, s.peer, "61"), "a SetC was sent")


# ---- Cases: run ------------------------------------------------------------------------

@case("run: handset off -> changed 0x80; fault 5 -> fault event 0x89 = 0005; commands on stdin; EOF exits 0")
def _(s):
    emu = s.emulator()
    d = s.daemon()
    d.event("ready", node="127.0.0.2", eoj=AIRCON)
    emu.command("on")
    d.event("changed", epc="80", edt="30", node="127.0.0.2", eoj=AIRCON)
    emu.command("off")
    d.event("changed", epc="80", edt="31", node="127.0.0.2", eoj=AIRCON)
    emu.command("fault 5")
    d.event("changed", epc="88", edt="41")
    f = d.event("fault", node="127.0.0.2", eoj=AIRCON)
    expect(f["fault"] is True and f["codes"].get("89") == "0005", "fault event %r" % f)
    emu.command("recover")
    d.event("changed", epc="88", edt="42")
    d.command("frobnicate")
    d.event("error", "an error event for a bad line")
    d.command("get --help")  # (was "bad NODE '--help'")
    e = d.event("error", "the answer to get --help")
    expect(e["code"] == "bad_command" and "hems-controller get --help" in e["message"], "error %r" % e)
    d.command("get 127.0.0.2 013001 b3")
    d.event("read", outcome="done")
    d.command("set 127.0.0.2 013001 on temp 25")
    d.event("write", outcome="done")
    d.command("status 127.0.0.2 013001")
    st = d.event("status", outcome="done")["state"]
    expect(st["power"] == "on" and st["temp"] == 25 and st["fault"] is False, "status %r" % st)
    d.command("set 127.0.0.2 013001 temp 60")
    err = d.event("error", "the refusal of temp 60")
    expect(names_error(err["message"], "ECHONET_ERR_VALUE", -52), "error %r" % err)
    status = d.finish()
    expect(status == 0, "exit status %d after the end of input" % status)


@case("run: a command for a node not found yet waits for it (up to --wait); a last command finishes before exit")
def _(s):
    d = s.daemon("--wait", "5")
    time.sleep(0.3)
    d.command("get 127.0.0.2 013001 80")
    time.sleep(0.3)
    s.emulator()     # starts after the command: its 0xD5 makes it known
    d.proc.stdin.close()
    d.event("read", outcome="done", timeout=RUN)
    expect(d.finish() == 0, "exit status")


@case("run --poll 1: the unannounced room temperature 0xBB is polled; a change shows as 'changed'")
def _(s):
    emu = s.emulator()
    d = s.daemon("--poll", "1")
    d.event("ready", node="127.0.0.2", eoj=AIRCON)
    emu.do("room 24")
    d.event("changed", epc="bb", edt="18", timeout=2 * STEP)
    expect(d.finish() == 0, "exit status")


@case("run --offline-after 1: 256 spoofed units that never answer fill the table; once offline, "
      "one is forgotten for a real unit")
def _(s):
    d = s.daemon("--offline-after", "1")
    # (An instance list: the controller takes objects from lists, not from
    # other announcements, issue 14.)
    inf = te.frame(1, "0ef001", "0ef001", 0x73, [(0xD5, bytes([1, 0x01, 0x30, 0x01]))])
    spoofed = set("127.0.%d.%d" % (10 + k // 250, 1 + k % 250) for k in range(256))
    found = set()
    for _ in range(10):  # (again for those not found: the first may come before the daemon listens)
        for addr in sorted(spoofed - found):
            sock = te.bound_socket(socket.AF_INET, (addr, 0))
            sock.sendto(inf, ("127.0.0.1", s.port))
            sock.close()
        try:
            while found != spoofed:
                found.add(d.event("found", "a found event for each spoofed address", timeout=1, eoj=AIRCON)["node"])
        except Failure:
            continue
        break
    expect(found == spoofed, "found %d of the %d spoofed units" % (len(found), len(spoofed)))
    s.emulator()  # its start-up 0xD5: no room
    err = d.event("error", "no room for the emulator's node")
    expect("no room for another node" in err["message"], "error %r" % err)
    # Each spoofed node: Get 0xD6, again after 20 s, offline 20 s later.
    offline = set()
    while offline != spoofed:
        offline.add(d.event("offline", "an offline event for each spoofed address", timeout=90)["node"])
    d.command("discover")
    gone = d.event("forgotten", "a spoofed node forgotten for the emulator")
    expect(gone["node"] in spoofed, "forgotten %r" % gone)
    d.event("ready", node="127.0.0.2", eoj=AIRCON)
    d.command("get 127.0.0.2 013001 80")
    d.event("read", outcome="done")
    expect(d.finish() == 0, "exit status")
    events = [e["event"] for e in d.log]
    expect(events.count("forgotten") == 1 and events.count("error") == 1, "events %r" % sorted(set(events)))


@case("run --remote --keepalive 60: keepalive events; SIGTERM exits 0")
def _(s):
    emu = s.emulator()
    d = s.daemon("--remote", "--keepalive", "60")
    d.event("keepalive", node="127.0.0.2", eoj=AIRCON, ok=True)
    expect(any(props(f) == [("93", "62")] for f in frames_in(emu, s.peer, "61")), "no SetC 0x93 = 0x62")
    expect(d.finish(signal.SIGTERM) == 0, "exit status after SIGTERM")


@case("run --remote --keepalive 2: repeated keepalives; line down stops them, line up resumes at once")
def _(s):
    emu = s.emulator()
    d = s.daemon("--remote", "--keepalive", "2")
    d.event("keepalive", ok=True)
    d.event("keepalive", ok=True, timeout=2 * STEP)
    d.command("line down")
    d.event("line", up=False)
    time.sleep(0.5)
    before = len([f for f in frames_in(emu, s.peer, "61") if props(f) == [("93", "62")]])
    time.sleep(2.5)
    after = len([f for f in frames_in(emu, s.peer, "61") if props(f) == [("93", "62")]])
    expect(after == before, "keepalives while the line is down: %d -> %d" % (before, after))
    d.command("line up")
    d.event("line", up=True)
    d.event("keepalive", ok=True)
    expect(d.finish() == 0, "exit status")


@case("the controller's own node: 0xD5 with 05FF01 at start; answers Get 0xD6 and 0x05FF01's properties")
def _(s):
    require_multicast(s)
    group = te.Group(s.port)
    s.things.append(group)
    d = s.daemon()
    d5 = group.recv(lambda data: data[4:] == h("0E F0 01 0E F0 01 73 01 D5 04 01 05 FF 01"))
    expect(d5 is not None, "no 0xD5 instance list with 05FF01")
    c = te.Client(s.net, s.port, local="127.0.0.3", remote=CONTROLLER_ADDR)
    s.things.append(c)
    expect(c.get_value("0ef001", 0xD6) == h("01 05 FF 01"), "0xD6")
    f = te.parse(c.request(te.get(0x0101, "05ff01", 0x80, 0x88, 0x8A, 0x9F), "Get of 05FF01"))
    expect(f["esv"] == 0x72 and f["props"][:3] == [(0x80, b"\x30"), (0x88, b"\x42"), (0x8A, h("FF FF F0"))],
           "answer %r" % f)
    expect(d.finish() == 0, "exit status")


# ---- Cases: state file ------------------------------------------------------------------

@case("--state: saved by run; a later one-shot knows the node at once (--wait 0)")
def _(s):
    s.emulator()
    path = os.path.join(s.tmp, "hems.state")
    d = s.daemon("--state", path)
    d.event("ready", node="127.0.0.2", eoj=AIRCON)
    expect(d.finish() == 0, "exit status")
    with open(path, "rb") as f:
        data = f.read()
    expect(data[:4] == b"ELCS", "state file %r" % data[:16])
    expect(not [n for n in os.listdir(s.tmp) if n != "hems.state"], "left-overs %r" % os.listdir(s.tmp))
    r = s.hems("--state", path, "--wait", "0", "get", "127.0.0.2", AIRCON, "80").ok()
    r.one("read", outcome="done")
    expect(r.stderr == "", "stderr %r" % r.stderr)


@case("--state: written soon after a unit is found, not per request; after kill -9 no TID is reused")
def _(s):
    emu = s.emulator()
    path = os.path.join(s.tmp, "hems.state")
    watch = te.FileWatch(path)
    d = s.daemon("--state", path, "--poll", "1")
    d.event("ready", node="127.0.0.2", eoj=AIRCON)
    time.sleep(8)  # a poll a second: a request each, each moving the next TID the file holds
    writes, elapsed = watch.stop()
    first = [f for f in frames_in(emu, s.peer) if f["seoj"] == "05ff01"]
    print("# --state: %d writes in %.0f s, %d requests" % (writes, elapsed, len(first)))
    # Without the write policy of hems_state.h: a write per request (>= 8).
    expect(len(first) >= 8, "only %d requests in %.0f s: the check proves nothing" % (len(first), elapsed))
    expect(1 <= writes <= 2, "the state file was written %d times in %.0f s for %d requests (1 or 2: found, "
           "ready)" % (writes, elapsed, len(first)))
    d.kill()  # no save at exit: what is in the file is all a restart has
    with open(path, "rb") as f:
        expect(f.read(4) == b"ELCS", "no state file after the unit was found")
    emu.log.clear()
    d = s.daemon("--state", path, "--poll", "1")
    d.expect(lambda o: o.get("event") in ("property", "changed"), "a value read after the restart")
    time.sleep(2)
    second = [f for f in frames_in(emu, s.peer) if f["seoj"] == "05ff01"]
    expect(second, "no request after the restart")
    reused = sorted(set(f["tid"] for f in first) & set(f["tid"] for f in second))
    expect(not reused, "TIDs sent before the crash and again after it: %r" % reused)
    expect(d.finish() == 0, "exit status")


@case("--state: killed twice in a row within seconds of a restart, no TID is sent again (AIF 2.4.3)")
def _(s):
    # A black-box audit: a restored controller starts 1024 TIDs past the
    # saved one but wrote that only a minute later, so a second crash (a
    # crash loop, two power cuts) restarted from the same file and sent
    # the same TIDs again. The file is now written at once after a restore.
    emu = s.emulator()
    path = os.path.join(s.tmp, "hems.state")
    runs = []
    for k in range(3):
        emu.log.clear()
        d = s.daemon("--state", path, "--poll", "1")
        if k == 0:
            d.event("ready", node="127.0.0.2", eoj=AIRCON)
            time.sleep(6)  # the file written once the unit is found (within 5 s)
        else:
            d.expect(lambda o: o.get("event") in ("property", "changed"), "a value read after restart %d" % k)
        time.sleep(3)
        d.kill()
        runs.append([f["tid"] for f in frames_in(emu, s.peer) if f["seoj"] == "05ff01"])
    expect(all(len(t) >= 2 for t in runs), "too few requests to compare: %r" % runs)
    for a in range(3):
        for b in range(a + 1, 3):
            common = sorted(set(runs[a]) & set(runs[b]))
            expect(not common, "runs %d and %d sent the same TIDs %r" % (a + 1, b + 1, common))


@case("--state: a damaged file is reported and moved to FILE.bad, then replaced by a good one")
def _(s):
    s.emulator()
    path = os.path.join(s.tmp, "hems.state")
    with open(path, "wb") as f:
        f.write(b"ELCS\x01 not a snapshot")
    r = s.hems("--state", path, "--wait", "3", "get", "127.0.0.2", AIRCON, "80").ok()
    expect(names_error(r.stderr, "ECHONET_ERR_SNAPSHOT", -70) and path + ".bad" in r.stderr, "stderr %r" % r.stderr)
    with open(path + ".bad", "rb") as f:
        expect(f.read() == b"ELCS\x01 not a snapshot", "FILE.bad is not the damaged file")
    with open(path, "rb") as f:
        expect(f.read(4) == b"ELCS", "no good state file written")


@case("--state in a missing directory: refused at start (exit 1, the reason), nothing sent")
def _(s):
    emu = s.emulator()
    path = os.path.join(s.tmp, "no-such-dir", "hems.state")
    for args in (["get", "127.0.0.2", AIRCON, "80"], ["discover"]):
        r = s.hems("--state", path, "--wait", "2", *args)
        expect(r.rc == 1 and "no-such-dir" in r.stderr and "No such file or directory" in r.stderr and
               not r.events, "%r: %d %r %r" % (args, r.rc, r.events, r.stderr))
    expect(not frames_in(emu, s.peer), "frames were sent: %r" % frames_in(emu, s.peer))


@case("TIDs across runs: two runs at the same wall-clock instant send no TID in common (AIF 2.4.3)")
def _(s):
    # tests/clock_shim.c (LD_PRELOAD) stops the wall clock: the runs differ
    # only by what the OS random source gives (a first TID from the clock
    # made them equal). The emulator records every request's TID.
    shim = os.environ.get("HEMS_CLOCK_SHIM")
    if not shim or not os.path.exists(shim):
        raise Skip("no clock shim (HEMS_CLOCK_SHIM, Linux only)")
    emu = s.emulator()
    env = dict(os.environ)
    env["LD_PRELOAD"] = shim
    runs = []
    for _ in range(2):
        emu.log.clear()
        r = s.hems("--wait", "5", "get", "127.0.0.2", AIRCON, "80", env=env).ok()
        r.one("read", outcome="done")
        runs.append([f["tid"] for f in frames_in(emu, s.peer) if f["seoj"] == "05ff01"])
    expect(all(len(t) >= 4 for t in runs), "too few requests to compare: %r" % runs)
    common = sorted(set(runs[0]) & set(runs[1]))
    expect(not common, "TIDs of the first run sent again by the second: %r (runs %r)" % (common, runs))


@case("a unit that answers searches 3 s late is found; no second search at it within the response timer")
def _(s):
    # Issue 13: the unicast search rounds every 2 s each replaced the TIDs
    # remembered, so the answer to an earlier round was thrown away.
    unit = LateSearchAircon(s.port, "127.0.0.2", FAKE_UNIT, delay=3.0)
    s.things.append(unit)
    r = s.hems("--wait", "20", "get", "127.0.0.2", AIRCON, "80").ok()
    r.one("read", outcome="done")
    first = unit.searches()
    expect(first, "no search reached the unit")
    t0 = first[0][0]
    early = [f["tid"] for t, f in first[1:] if t - t0 < 19.0]
    expect(not early, "searches sent to the unit while the first could still be answered (AIF 2.4.1): %r" % early)


@case("one unit at two addresses is one node: the second becomes an alias; never two requests in flight at it")
def _(s):
    # Issue 13: found at one address and named at another (an IPv6 unit's
    # link-local and global ones), the unit became two nodes, each sending.
    values = dict(FAKE_UNIT)
    values[0x83] = h("FE 00 00 7A 10 20 30 40 50 60 70 80 90 A0 B0 C0 01")  # a unique part that is not zeros
    unit = TwoAddressAircon(s.port, ["127.0.0.2", "127.0.0.3"], values, delay=0.3)
    s.things.append(unit)
    d = s.daemon("--wait", "40")  # (named while the search may be answered: asked after it, 20 s)
    d.command("get 127.0.0.2 %s 80" % AIRCON)
    d.event("read", node="127.0.0.2", outcome="done", timeout=40)
    for _ in range(8):
        d.command("get 127.0.0.2 %s 80 b0" % AIRCON)  # the unit kept busy...
    d.command("get 127.0.0.3 %s 80" % AIRCON)  # ...while its second address is named
    d.expect(lambda _: len([e for e in d.log if e.get("event") == "read"]) == 10,  # (d.log has the line)
             "10 reads", timeout=40)
    expect(not unit.overlaps(), "requests in flight at once at the unit (AIF 2.4.1): %r" % unit.overlaps()[:3])
    reads = [e for e in d.log if e.get("event") == "read"]
    expect(all(r["node"] == "127.0.0.2" and r["outcome"] == "done" for r in reads), "reads %r" % reads)
    expect([e["node"] for e in d.log if e.get("event") == "alias"] == ["127.0.0.3"], "events %r" % d.log)
    expect(d.finish() == 0, "exit status")


@case("a quirky unit (searches answered late, 1 request in 5 lost, answers doubled, an object removed): "
      "one request in flight, no TID twice, the user's reads done, nothing asked of the removed object")
def _(s):
    # Issue 13: the audit's misbehaving units, together, over real UDP.
    unit = QuirkyAircon(s.port, "127.0.0.2", late=2.0, drop=5)
    s.things.append(unit)
    d = s.daemon("--wait", "120")
    d.command("get 127.0.0.2 013001 80 b0")
    d.event("read", node="127.0.0.2", eoj="013001", outcome="done", timeout=150)
    d.command("get 127.0.0.2 013002 80")
    d.event("read", node="127.0.0.2", eoj="013002", outcome="done", timeout=90)
    unit.remove("013002")
    d.event("removed", node="127.0.0.2", eoj="013002", timeout=STEP)
    t0 = time.monotonic()
    d.command("get 127.0.0.2 013002 80")
    d.expect(lambda o: o.get("eoj") == "013002" and o.get("event") in ("error", "timeout", "read"),
             "an answer to the get of the removed object", timeout=30)
    expect(time.monotonic() - t0 < 5.0, "the get of a removed object waited %.1f s" % (time.monotonic() - t0))
    d.command("get 127.0.0.2 013001 b3")
    d.event("read", node="127.0.0.2", eoj="013001", outcome="done", timeout=90)
    n, lost = unit.count()
    expect(lost >= 2, "the unit lost too few requests to test anything: %d of %d" % (lost, n))
    bad = unit.violations()
    expect(not bad, "; ".join(bad[:4]))
    expect(d.finish() == 0, "exit status")


# ---- Cases: IPv6 ----------------------------------------------------------------------------

@case("IPv6 ::1 <- ::2: get over unicast (NODE implies --ipv6)")
def _(s):
    if s.net.v6_unicast:
        raise Skip(s.net.v6_unicast)
    s.emulator("--ipv6", bind="::1")
    r = s.hems("--wait", "3", "get", "::1", AIRCON, "80", bind="::2").ok()
    r.one("property", node="::1", eoj=AIRCON, epc="80", edt="31")


@case("IPv6 multicast (veth fd00::1, fd00::2): discover finds the emulator")
def _(s):
    if s.net.v6_multicast:
        raise Skip(s.net.v6_multicast)
    s.emulator("--ipv6", bind="fd00::1")
    r = s.hems("--ipv6", "discover", "--wait", "2", bind="fd00::2").ok()
    r.one("ready", node="fd00::1", eoj=AIRCON)


# ---- Cases: the service (serve, run without standard input, --control, --log) -------

def service(s, *options, command="serve", ready=True):
    """An emulator, and hems-controller COMMAND with standard input /dev/null
    and a control socket; returns the daemon and the socket's path."""
    s.emulator()
    sock = os.path.join(s.tmp, "ctl")
    d = s.daemon("--control", sock, *options, command=command, stdin=subprocess.DEVNULL)
    if ready:
        d.event("ready", node="127.0.0.2", eoj=AIRCON)
    return d, sock


@case("serve: standard input /dev/null, stays up; --control socket 0600 takes commands; "
      "SIGTERM exits 0 with the state file written")
def _(s):
    state = os.path.join(s.tmp, "state")
    d, sock = service(s, "--state", state)
    time.sleep(0.5)
    expect(d.proc.poll() is None, "serve exited (%s) with standard input /dev/null" % d.proc.returncode)
    st = os.lstat(sock)
    expect(stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600,
           "control socket mode %o" % st.st_mode)
    c = s.control(sock)
    c.command("get 127.0.0.2 %s 80 b3" % AIRCON)
    c.event("property", epc="b3", edt="14")
    c.event("read", outcome="done")
    c.command("set 127.0.0.2 %s temp 25" % AIRCON)
    c.event("write", outcome="done")
    d.event("write", outcome="done")  # the log (standard output) has it too
    if os.path.exists(state):
        os.unlink(state)  # (saved soon after the unit was ready: it must come again at the end)
    status = d.finish(signal.SIGTERM)
    expect(status == 0, "exit status %d after SIGTERM" % status)
    expect(os.path.getsize(state) > 0, "no state file after SIGTERM")
    expect(not os.path.exists(sock), "the control socket was left behind")


@case("run with standard input /dev/null stays up; `quit` over the control socket ends it (exit 0)")
def _(s):
    d, sock = service(s, command="run")
    time.sleep(0.5)
    expect(d.proc.poll() is None, "run exited (%s) with standard input /dev/null" % d.proc.returncode)
    c = s.control(sock)
    c.command("quit")
    try:
        status = d.proc.wait(timeout=STEP)
    except subprocess.TimeoutExpired:
        raise Failure("still running %d s after quit on the control socket" % STEP)
    expect(status == 0, "exit status %d after quit" % status)


@case("serve: two control clients at once get the answers to their own commands; garbage gets an "
      "error line and the daemon goes on; a client gone mid-command is dropped")
def _(s):
    d, sock = service(s)
    c1, c2 = s.control(sock), s.control(sock)
    c1.command("status 127.0.0.2 %s" % AIRCON)
    c2.command("frobnicate")
    e = c2.event("error")
    expect(e.get("code") == "bad_command", "the answer to garbage: %r" % e)
    c1.event("status", outcome="done")
    c2.sock.sendall(b"\x01\x02 \xff\n")
    c2.event("error", "an error for a line of binary", code="bad_command")
    c2.command("x" * 3000)
    c2.event("error", "an error for a line too long", code="bad_command")
    c2.command("get 127.0.0.2 %s 80" % AIRCON)
    c2.event("read", outcome="done")
    gone = s.control(sock)
    gone.command("status 127.0.0.2 %s" % AIRCON)
    gone.close()
    c1.command("get 127.0.0.2 %s b0" % AIRCON)
    c1.event("read", outcome="done")
    expect(not any(o.get("event") == "error" for o in c1.log), "client 1 got client 2's errors: %r" % c1.log)
    expect(not any(o.get("event") == "status" for o in c2.log), "client 2 got client 1's status: %r" % c2.log)
    expect(d.proc.poll() is None, "the daemon exited (%s)" % d.proc.returncode)
    expect(d.finish(signal.SIGINT) == 0, "exit status after SIGINT")


@case("serve --control PATH: a stale socket is replaced; a regular file or a socket in use is refused (exit 1)")
def _(s):
    sock = os.path.join(s.tmp, "ctl")
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(sock)
    stale.close()  # (bound, never listened: what a killed daemon leaves)
    d, _ = service(s, "--wait", "1")
    c = s.control(sock)
    c.command("get 127.0.0.2 %s 80" % AIRCON)
    c.event("read", outcome="done")
    for path in (sock, os.path.join(s.tmp, "file")):
        if path != sock:
            with open(path, "w") as f:
                f.write("keep me\n")
        p = subprocess.run(s.base() + ["--control", path, "serve"], stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN)
        expect(p.returncode == 1 and b"--control" in p.stderr, "%s: exit %d, stderr %r" %
               (path, p.returncode, p.stderr))
    with open(os.path.join(s.tmp, "file")) as f:
        expect(f.read() == "keep me\n", "the regular file was changed")
    c.command("get 127.0.0.2 %s b0" % AIRCON)
    c.event("read", outcome="done")  # the first daemon's socket still works
    expect(d.finish(signal.SIGTERM) == 0, "exit status after SIGTERM")


@case("serve --log FILE: events go to FILE; after it is renamed, SIGHUP reopens it and new lines go "
      "to a new FILE")
def _(s):
    log = os.path.join(s.tmp, "hems.log")
    d, sock = service(s, "--log", log, ready=False)  # (its events go to the log)

    def wait_for(path, text, what):
        end = time.monotonic() + STEP
        while time.monotonic() < end:
            if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                    if text in f.read():
                        return
            time.sleep(0.05)
        raise Failure("%s: %r not in %s" % (what, text, path))

    wait_for(log, '"event":"ready"', "the log at start")
    os.rename(log, log + ".1")
    d.proc.send_signal(signal.SIGHUP)
    c = s.control(sock)
    end = time.monotonic() + STEP
    while not os.path.exists(log) and time.monotonic() < end:
        time.sleep(0.05)  # (the signal is taken when the loop next wakes up)
    c.command("status 127.0.0.2 %s" % AIRCON)
    c.event("status", outcome="done")
    wait_for(log, '"event":"status"', "after SIGHUP")
    with open(log + ".1", encoding="utf-8") as f:
        expect('"event":"status"' not in f.read(), "the status event went to the renamed log")
    expect(d.proc.poll() is None, "the daemon exited (%s)" % d.proc.returncode)
    expect(d.finish(signal.SIGTERM) == 0, "exit status after SIGTERM")


# ---- The contract: last, as it checks the events of every case before it ------------

@case("every --json event (this case's and all the cases' above) matches doc/hems-events.schema.json")
def _(s):
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    for bad in ({"event": "error", "message": "no code"}, {"event": "found", "node": "127.0.0.2", "eoj": "13001"},
                {"event": "read", "node": "127.0.0.2", "eoj": AIRCON, "outcome": "done", "props": [], "x": 1}):
        expect(schema_errors(bad, schema, schema), "the schema takes %r" % bad)
    s.emulator()
    s.hems("discover", "--wait", "2", "127.0.0.2").ok()
    s.hems("--wait", "3", "status", "127.0.0.2", AIRCON).ok()
    r = s.hems("--wait", "3", "set", "127.0.0.2", AIRCON, "b0=99")
    code = r.one("error").get("code", "")
    expect(code == "ECHONET_ERR_VALUE" or code == "echonet_err_52", "the refusal's code: %r" % r.events)
    r = s.hems("--wait", "1", "get", "127.0.0.9", AIRCON, "80")
    expect(r.one("error").get("code") == "not_found", "the code of an unknown node: %r" % r.events)
    kinds = set(e.get("event") for e in SEEN_EVENTS)
    expect({"ready", "status", "error", "timeout"} <= kinds, "events seen: %r" % kinds)
    bad = [(e, errors) for e in SEEN_EVENTS for errors in [schema_errors(e, schema, schema)] if errors]
    expect(not bad, "%d of %d events break the contract, e.g. %r" % (len(bad), len(SEEN_EVENTS), bad[:3]))


def main():
    if len(sys.argv) != 3:
        print("usage: %s /path/to/hems-controller /path/to/aircon-emulator" % sys.argv[0], file=sys.stderr)
        return 2
    ctl_path, emu_path = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    why_not = enter_namespace()
    net = te.Network()
    print(net.describe() + ("" if net.netns else " (%s)" % why_not))
    # HEMS_TEST_ONLY=TEXT runs only the cases whose name contains TEXT, and
    # HEMS_TEST_EXCLUDE=TEXT|TEXT... all the others: tests/meson.build runs
    # the 46-second case of lost nodes and the minute of the quirky unit as
    # tests of their own, beside the rest.
    only = os.environ.get("HEMS_TEST_ONLY", "")
    exclude = [x for x in os.environ.get("HEMS_TEST_EXCLUDE", "").split("|") if x]
    cases = [c for c in CASES if only in c[0] and not any(x in c[0] for x in exclude)]
    return te.run_cases(cases, lambda: Session(ctl_path, emu_path, net))


if __name__ == "__main__":
    sys.exit(main())
