#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""Hostile-peer integration test of hems-controller and aircon-emulator
over real UDP (issue 5, "Hardening").

Usage: python3 tests/test_hostile.py /path/to/hems-controller /path/to/aircon-emulator

One scenario, in order. `aircon-emulator` runs at 127.0.0.2 and
`hems-controller --json --state FILE run` at 127.0.0.1, on one fresh port;
a legitimate client at 127.0.0.9 reads the emulator directly. Hostile
datagrams come from other loopback addresses (127.0.0.64-127, 127.0.0.200,
127.0.1.x, 127.0.2.x; from the emulator's own address only for the late
answers and duplicates, see below: a datagram from a device's address is
that device's, ECHONET Lite has no authentication), and are sent to both
programs, unicast and to the multicast group:

 1. every category once: random bytes, every prefix of valid frames,
    1500/9000/65507-byte datagrams (random, format 2, and a valid format-1
    INF of 65290 bytes), every reserved ESV, every wrong EHD1 and EHD2 on an
    otherwise answerable Get, format-2 frames, responses and SNAs with
    injected values and random TIDs, requests (SetI, SetC, Get, INF_REQ,
    SetGet) to absent objects, announcements from 8 addresses (impostor
    nodes); the legitimate checks after each; meanwhile a second emulator
    (127.0.0.3) is started and must be discovered.
 2. flood 1: FLOOD_N mixed datagrams, legitimate Gets every FLOOD_CHECK;
 3. history: INFs from 300 more addresses (the controller's 256-node table
    fills: "no room" errors) and instance lists 0xD5 of 84 air conditioners
    (the 512-object table fills); meanwhile every announced node is an
    impostor answering the controller's requests to it with the right TID
    and hostile contents (random values, broken property maps, other EPCs
    and SEOJs, the wrong ESV, truncated frames, duplicates); then, with the
    emulator stopped (SIGSTOP) while the controller's Get to it is
    outstanding, Get_Res for every TID 0-65535 from an unknown address and
    from a node the controller knows:
    the answer, when the emulator runs again, must be the emulator's; then
    late answers and duplicates from the emulator's own address (a new
    source port) carrying the TID of the completed Get;
 4. flood 2: the same datagrams as flood 1; then a set and a discovery.

Checked: both programs stay up and keep answering the legitimate peers with
the right values (the injected values are distinctive: 0xB0 = 0x44,
0xB3 = 0x2D, 0xBB = 0x32; no event of the controller about 127.0.0.2 or
127.0.0.3 ever shows one); a listener socket on 0.0.0.0 at the port (it
gets every datagram sent to a hostile address) must never receive anything
from an emulator, and from the controller only requests, to addresses that
announced an air conditioner; every emulator log line is a JSON object.

The controller runs with --energy FILE, and the flood's announcements carry
0x84 and 0x85 (tens of thousands of values reach it): the file may be
replaced at most once a minute plus once at exit (a thread watches its inode
and modification time). Without that limit it was written once per value,
a flash write per spoofed datagram (2745 writes in one run). The --state
file likewise: written within 5 s of an air conditioner found, else once a
minute or every 256 requests, and at exit (hems_state.h); with a write
whenever its contents changed, the spoofed nodes' requests wrote it 29 times
in 12 s.

Bounded memory: VmRSS and VmHWM (/proc/PID/status) after everything may
exceed their values after step 1 by MEM_SLACK_KB at most. The programs
allocate nothing per datagram; step 1 has already been through every code
path, so only a few pages touched late (stdio, deeper stack) may appear;
256 KiB is 64 pages, while steps 2-4 bring the emulator about 40 000
datagrams and the controller about 170 000: a leak of 7 (2) bytes per
datagram would exceed it, and the smallest malloc() chunk is 32.

Bounded CPU ("the flood costs per datagram, not per history"): utime +
stime (/proc/PID/stat) of each program over flood 2, after step 3's
history, may be at most CPU_FACTOR times that over flood 1 plus
CPU_SLACK_S: a bound on growth, generous for a shared machine, not a
timing figure. The numbers are printed. (Found here: hems-controller
serialized its whole snapshot, up to 32 KB with full tables, after every
announcement; flood 2 cost 4 to 10 times flood 1. The floods' announcements
come from 8 nodes known before flood 1, so that only the tables differ.)
Datagrams are sent in bursts and each burst waits until the programs'
socket queues are empty (/proc/net/udp), so that both floods are processed
in full; the kernel's drop counters of the programs' sockets are printed.

Network: as tests/test_emulator.py (udp_netns.py): a private network
namespace when `unshare` allows it, else the host's loopback (without
multicast where it does not work: the hostile multicasts and the second
emulator's discovery are then skipped, with the reason).

Prints the measurements and one line per failure; exits 1 on any failure.
"""

import json
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402  (network set-up, frames, free_port)
import udp_netns  # noqa: E402
from test_emulator import Failure, expect, h  # noqa: E402

STEP = 5.0                  # seconds allowed for each legitimate answer
CTL_ADDR = "127.0.0.1"
EMU_ADDR = "127.0.0.2"
EMU2_ADDR = "127.0.0.3"
CLIENT_ADDR = "127.0.0.9"
SPOOF_ADDR = "127.0.0.200"  # never announces anything: unknown to the controller
POOL = ["127.0.0.%d" % i for i in range(64, 128)]            # flood sources
INF_POOL = POOL[:8]         # the flood's announcements: 8 nodes (their values change)
FILL = ["127.0.%d.%d" % (1 + i // 250, 1 + i % 250) for i in range(300)]  # INF sources
AIRCON = "013001"
CONTROLLER = "05ff01"
FLOOD_N = 40000             # datagrams per measured flood
FLOOD_CHECK = 2000          # a legitimate Get every this many
IMPOSTOR_ANSWERS = 30000    # at most, in step 3
BURST = 64                  # datagrams sent before waiting for the queues
MEM_SLACK_KB = 256
CPU_FACTOR = 3.0
CPU_SLACK_S = 0.1
CLK_TCK = os.sysconf("SC_CLK_TCK")
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)             # Linux values
IP_MULTICAST_ALL = getattr(socket, "IP_MULTICAST_ALL", 49)

# Values the spoofers inject: never the legitimate units' (cool, 25 C, room 20 C).
INJECTED = {0xB0: b"\x44", 0xB3: b"\x2d", 0xBB: b"\x32",
            0x84: b"\x01\x00", 0x85: b"\x00\x00\x10\x00"}  # power and energy: the --energy file
INJECTED_HEX = {"%02x" % e: v.hex() for e, v in INJECTED.items()}
# The emulator's state once the controller has set it: on, cool, 25 C.
LEGIT = {0x80: b"\x30", 0xB0: b"\x42", 0xB3: b"\x19"}

REQUESTS = [0x60, 0x61, 0x62, 0x63, 0x6E]
# Answers and SNAs; the announcements (INF 0x73, INFC 0x74) are sent apart:
# from an unknown address they make a node.
ANSWERS = [0x50, 0x51, 0x52, 0x53, 0x5E, 0x71, 0x72, 0x7A, 0x7E]
VALID_ESV = set(REQUESTS + ANSWERS + [0x73, 0x74])


def frame(tid, seoj, deoj, esv, props):
    return te.frame(tid, seoj, deoj, esv, props)


def setget(tid, seoj, deoj, sets, gets):
    out = struct.pack(">BBH", 0x10, 0x81, tid) + h(seoj) + h(deoj) + bytes([0x6E, len(sets)])
    for epc, edt in sets:
        out += bytes([epc, len(edt)]) + edt
    out += bytes([len(gets)])
    for epc in gets:
        out += bytes([epc, 0])
    return out


def injected_props():
    return [(e, v) for e, v in INJECTED.items()]


# ---- Processes ------------------------------------------------------------------

class Program:
    """A program under test: its JSON lines read by a thread, kept when
    keep(obj) holds, all counted; stderr in a file."""

    def __init__(self, name, cmd, keep):
        self.name = name
        self.cmd = cmd
        self.keep = keep
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
        self.kept = []
        self.bad_lines = []
        self.lines = 0
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            for raw in self.proc.stdout:
                try:
                    obj = json.loads(raw.decode("utf-8"))
                    if not isinstance(obj, dict):
                        raise ValueError("not an object")
                except ValueError:
                    with self.cond:
                        self.bad_lines.append(raw[:200])
                    continue
                with self.cond:
                    self.lines += 1
                    if self.keep(obj):
                        self.kept.append(obj)
                        self.cond.notify_all()
        except (OSError, ValueError):
            pass
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pred, what, timeout=STEP, start=0):
        """The first kept object from index start on for which pred holds."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for obj in self.kept[start:]:
                    if pred(obj):
                        return obj
                start = len(self.kept)
                left = end - time.monotonic()
                if self.proc.poll() is not None:
                    raise Failure("%s exited (%s) before %s; stderr: %s" %
                                  (self.name, self.proc.returncode, what, self.stderr()))
                if left <= 0:
                    raise Failure("%s: no %s within %.0f s" % (self.name, what, timeout))
                self.cond.wait(min(left, 0.2))

    def mark(self):
        with self.cond:
            return len(self.kept)

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode("ascii"))
        self.proc.stdin.flush()

    def stderr(self):
        self.err.seek(0)
        return self.err.read().decode("utf-8", "replace")[-2000:]

    def alive(self):
        return self.proc.poll() is None

    def status(self):
        """VmRSS and VmHWM in kB."""
        out = {}
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1])
        return out

    def cpu(self):
        """utime + stime in seconds."""
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def kill(self):
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGCONT)
            except OSError:
                pass
            self.proc.kill()
            self.proc.wait()
        self.reader.join(timeout=2)
        for f in (self.proc.stdin, self.proc.stdout, self.err):
            try:
                f.close()
            except (OSError, ValueError):
                pass


def emulator_keep(obj):
    """Kept: everything but the "in" lines of hostile peers (counted)."""
    return obj.get("dir") != "in" or obj.get("peer", "").split(":")[0] in (CTL_ADDR, CLIENT_ADDR)


# ---- Network helpers ----------------------------------------------------------------

def ip_hex(addr):
    """An IPv4 address as /proc/net/udp spells it (the network-order word read in host order)."""
    return "%08X" % struct.unpack("=I", socket.inet_aton(addr))[0]


class Queues:
    """The receive queues and drop counters of the programs' sockets."""

    def __init__(self, port, addrs):
        self.keys = {"%s:%04X" % (ip_hex(a), port) for a in addrs}

    def read(self):
        rx = drops = 0
        with open("/proc/net/udp") as f:
            next(f)
            for line in f:
                if line.split(None, 2)[1] in self.keys:
                    fields = line.split()
                    rx += int(fields[4].split(":")[1], 16)
                    drops += int(fields[-1])
        return rx, drops

    def wait_empty(self, timeout=STEP):
        end = time.monotonic() + timeout
        while self.read()[0] > 0:
            if time.monotonic() > end:
                raise Failure("the programs' socket queues did not empty within %.0f s" % timeout)
            time.sleep(0.0005)


class Listener:
    """0.0.0.0 at the port: every datagram to a hostile address (none of
    the group's: IP_MULTICAST_ALL off), with its source and destination."""

    def __init__(self, port):
        self.on_datagram = None   # called by the thread with (src, dst, data)
        self.sock = te.bound_socket(socket.AF_INET, ("0.0.0.0", port))
        try:
            self.sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        except OSError:
            pass
        self.sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.got = []
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                data, anc, _, src = self.sock.recvmsg(65536, 256)
            except socket.timeout:
                continue
            except OSError:
                return
            dst = None
            for level, kind, payload in anc:
                if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(payload) >= 12:
                    dst = socket.inet_ntoa(payload[8:12])
            self.got.append((src[0], dst, data))
            if self.on_datagram:
                self.on_datagram(src[0], dst, data)

    def close(self):
        self.stop = True
        self.thread.join(timeout=2)
        self.sock.close()


class Hostile:
    """Sends from any loopback address (one socket per address, ephemeral
    port), in bursts paced by the programs' queues."""

    def __init__(self, port, queues, multicast):
        self.port = port
        self.queues = queues
        self.multicast = multicast
        self.socks = {}
        self.sent = 0
        self.pending = 0
        self.creators = set()   # addresses that sent a frame able to make a node

    def sock(self, src):
        s = self.socks.get(src)
        if s is None:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("127.0.0.1"))
            s.bind((src, 0))
            self.socks[src] = s
        return s

    def send(self, src, dst, data):
        if dst == te.GROUP4 and not self.multicast:
            return
        if len(data) >= 12 and data[:2] == b"\x10\x81" and data[4:6] in (b"\x01\x30", b"\x0e\xf0"):
            self.creators.add(src)
        self.sock(src).sendto(data, (dst, self.port))
        self.sent += 1
        self.pending += 1 if len(data) < 4096 else BURST
        if self.pending >= BURST:
            self.flush()

    def flush(self):
        self.queues.wait_empty()
        self.pending = 0

    def forget(self, addrs):
        """Closes the sockets of addresses that send no more (fewer lines in
        /proc/net/udp to read for each burst)."""
        for a in addrs:
            s = self.socks.pop(a, None)
            if s:
                s.close()

    def close(self):
        self.forget(list(self.socks))


class Impostors:
    """The nodes the spoofers announced, answering the controller's
    requests to them with the right TID and hostile contents: values of
    random lengths, broken and valid property maps, SNAs, other EPCs, the
    wrong ESV, truncated or trailing bytes, duplicates. Runs in the
    listener's thread while on."""

    def __init__(self, port, limit):
        self.port = port
        self.limit = limit
        self.on = False
        self.answered = 0
        self.rng = random.Random(7)
        self.socks = {}

    def __call__(self, src, dst, data):
        if not self.on or src != CTL_ADDR or self.answered >= self.limit or dst in (None, EMU_ADDR, EMU2_ADDR):
            return
        f = te.parse(data)
        if f is None or f["esv"] not in REQUESTS:
            return
        s = self.socks.get(dst)
        if s is None:
            s = self.socks[dst] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((dst, 0))
        for answer in self.answers(f):
            s.sendto(answer, (CTL_ADDR, self.port))
            self.answered += 1

    def close(self):
        for s in self.socks.values():
            s.close()
        self.socks = {}

    def value(self, epc):
        rng = self.rng
        r = rng.random()
        if epc in (0x9D, 0x9E, 0x9F) and r < 0.5:
            if rng.random() < 0.5:
                epcs = sorted(rng.sample(range(0x80, 0x100), rng.randrange(0, 16)))
                return bytes([len(epcs)] + epcs)
            return bytes([rng.randrange(256)]) + rng.randbytes(16)
        if r < 0.3:
            return rng.randbytes(rng.choice([1, 2, 3, 17]))
        if r < 0.9:
            return rng.randbytes(rng.randrange(0, 40))
        return rng.randbytes(255)

    def answers(self, f):
        rng = self.rng
        ok = {0x61: 0x71, 0x62: 0x72, 0x63: 0x73, 0x6E: 0x7E}.get(f["esv"], 0x72)
        r = rng.random()
        epcs = [e for e, _ in f["props"]]
        if r < 0.1:
            epcs = [rng.randrange(0x80, 0x100) for _ in range(rng.randrange(0, 8))]
        elif r < 0.2:
            epcs = epcs + [rng.randrange(0x80, 0x100)]
        esv = ok if rng.random() < 0.7 else rng.choice([0x50, 0x51, 0x52, 0x71, 0x72, 0x73, 0x7E])
        props = [(e, b"" if esv in (0x71, 0x51) and rng.random() < 0.7 else self.value(e)) for e in epcs]
        seoj = f["deoj"] if rng.random() < 0.8 else rng.choice(["0ef001", "013001", "013002", "05ff01", "000000"])
        out = frame(f["tid"], seoj, f["seoj"], esv, props)
        r = rng.random()
        if r < 0.1:
            out = out[:rng.randrange(len(out))]
        elif r < 0.15:
            out += b"\x00"
        return [out, out] if rng.random() < 0.1 else [out]


# ---- Hostile datagrams -----------------------------------------------------------------

VALID_FRAMES = [
    te.get(0x0101, AIRCON, 0x80, 0xB0, 0xB3),
    frame(0x0102, CONTROLLER, AIRCON, 0x61, [(0x80, b"\x30"), (0xB3, b"\x1a")]),
    frame(0x0103, AIRCON, CONTROLLER, 0x72, [(0x80, b"\x30")] + injected_props()),
    frame(0x0104, AIRCON, "0ef001", 0x73, injected_props()),
    frame(0x0105, "0ef001", "0ef001", 0x73, [(0xD5, h("02 01 30 01 01 30 02"))]),
    frame(0x0106, "0ef001", CONTROLLER, 0x72, [(0xD6, h("01 01 30 01"))]),
    setget(0x0107, CONTROLLER, AIRCON, [(0xB3, b"\x1a")], [0x80, 0xB3]),
    frame(0x0108, AIRCON, CONTROLLER, 0x52, [(0x80, b""), (0xB3, b"\x2d")]),
]


def absent_requests(rng, deojs):
    """Every request ESV to objects the target does not have."""
    out = []
    for deoj in deojs:
        for esv in REQUESTS:
            tid = rng.randrange(0x10000)
            if esv == 0x6E:
                out.append(setget(tid, CONTROLLER, deoj, [(0xB3, b"\x1a")], [0x80]))
            elif esv in (0x60, 0x61):
                out.append(frame(tid, CONTROLLER, deoj, esv, [(0x80, b"\x30"), (0xB3, b"\x1a")]))
            else:
                out.append(frame(tid, CONTROLLER, deoj, esv, [(0x80, b""), (0xD6, b"")]))
    return out


# 0x0EF000 and 0x0EF002 are the node profile too (doc/decisions.md); 0x0EF003 is not.
EMU_ABSENT = ["013002", "013009", "029001", "0ef003", CONTROLLER, "05ff02"]
CTL_ABSENT = [AIRCON, "013000", "0ef003", "05ff02", "029001"]


def spoofed_answers(rng, n):
    """Answers and SNAs nobody asked for, injected values, random TIDs."""
    out = []
    for _ in range(n):
        esv = rng.choice(ANSWERS)
        props = injected_props() if esv not in (0x51, 0x71) else [(0xB3, b"")]
        out.append(frame(rng.randrange(0x10000), AIRCON, CONTROLLER, esv, props))
    return out


def header_variants(target_deoj, answerable_epc=0x80):
    """A Get each target would answer, but for a wrong EHD1, EHD2 or a
    reserved ESV."""
    base = bytearray(frame(0x0200, CONTROLLER, target_deoj, 0x62, [(answerable_epc, b"")]))
    out = []
    for v in range(256):
        if v != 0x10:
            b = bytearray(base)
            b[0] = v
            out.append(bytes(b))
        if v not in (0x81, 0x82):
            b = bytearray(base)
            b[1] = v
            out.append(bytes(b))
        if v not in VALID_ESV:
            b = bytearray(base)
            b[10] = v
            out.append(bytes(b))
    return out


def format2(rng, target_deoj):
    body = frame(0x0300, CONTROLLER, target_deoj, 0x62, [(0x80, b"")])[4:]
    out = [b"\x10\x82\x03\x00", b"\x10\x82\x03\x00" + body]
    out += [b"\x10\x82" + rng.randbytes(rng.randrange(2, 600)) for _ in range(20)]
    return out


def oversized(rng):
    big_inf = frame(0x0400, AIRCON, "0ef001", 0x73, [(0x80 + i % 128, bytes([i % 256]) * 255) for i in range(254)])
    assert len(big_inf) == 65290
    return [rng.randbytes(1500), rng.randbytes(9000), rng.randbytes(65507),
            b"\x10\x82\x00\x01" + rng.randbytes(65503), b"\x10\x81\x00\x01" + rng.randbytes(65503), big_inf]


def prefixes():
    return [f[:n] for f in VALID_FRAMES for n in range(len(f))]


def categories(rng):
    """(name, [(dst_kind, datagram)]) for step 1; dst_kind: emu, ctl, group."""
    cats = []
    rnd = [rng.randbytes(rng.randrange(0, 1500)) for _ in range(300)]
    cats.append(("random bytes", [(k, d) for d in rnd for k in ("emu", "ctl")] +
                 [("group", d) for d in rnd[:50]]))
    cats.append(("truncated frames", [(k, d) for d in prefixes() for k in ("emu", "ctl")]))
    cats.append(("oversized datagrams", [(k, d) for d in oversized(rng) for k in ("emu", "ctl")]))
    cats.append(("wrong EHD1/EHD2 and reserved ESVs",
                 [("emu", d) for d in header_variants(AIRCON)] + [("ctl", d) for d in header_variants(CONTROLLER)] +
                 [("group", d) for d in header_variants("0ef001", 0xD6)]))
    cats.append(("format-2 frames", [("emu", d) for d in format2(rng, AIRCON)] +
                 [("ctl", d) for d in format2(rng, CONTROLLER)] + [("group", d) for d in format2(rng, "0ef001")]))
    cats.append(("unasked answers", [(k, d) for d in spoofed_answers(rng, 200) for k in ("emu", "ctl")]))
    # (Each lists its air conditioner first: the controller takes an
    # object from an instance list, not from an announcement, issue 14.)
    cats.append(("announcements of 8 impostor nodes",
                 [("ctl", frame(0x0610 + i, "0ef001", "0ef001", 0x73, [(0xD5, h("01 01 30 01"))]), src)
                  for i, src in enumerate(INF_POOL)] +
                 [("ctl", frame(0x0600 + i, AIRCON, "0ef001", 0x73, injected_props()), src)
                  for i, src in enumerate(INF_POOL)]))
    cats.append(("requests to absent objects", [("emu", d) for d in absent_requests(rng, EMU_ABSENT)] +
                 [("ctl", d) for d in absent_requests(rng, CTL_ABSENT)] +
                 [("group", d) for d in absent_requests(rng, ["013009", "029001", "05ff09"])]))
    return cats


def flood_list(seed, n):
    """n (src, dst_kind, datagram) of every kind, mixed; the same for a seed."""
    rng = random.Random(seed)
    pre = prefixes()
    absent_emu = absent_requests(rng, EMU_ABSENT)
    absent_ctl = absent_requests(rng, CTL_ABSENT)
    hdr_emu = header_variants(AIRCON)
    hdr_ctl = header_variants(CONTROLLER)
    f2 = format2(rng, AIRCON)
    out = []
    for i in range(n):
        kind = "emu" if i % 2 == 0 else "ctl"
        src = rng.choice(POOL)
        r = rng.random()
        if i % 5000 == 4999:
            d = rng.randbytes(9000)
        elif r < 0.2:
            d = rng.randbytes(rng.randrange(0, 600))
        elif r < 0.28:
            d = rng.choice(pre)
        elif r < 0.36:
            d = rng.choice(hdr_emu if kind == "emu" else hdr_ctl)
        elif r < 0.4:
            d = rng.choice(f2)
        elif r < 0.5:
            d = spoofed_answers(rng, 1)[0]
        elif r < 0.9:
            src = rng.choice(INF_POOL)
            d = frame(rng.randrange(0x10000), AIRCON, "0ef001", 0x73,
                      [(0x80, rng.choice([b"\x30", b"\x31"]))] + injected_props())
        else:
            d = rng.choice(absent_emu if kind == "emu" else absent_ctl)
        out.append((src, kind, d))
    return out


# ---- The scenario -----------------------------------------------------------------------

class Scenario:
    def __init__(self, ctl_path, emu_path, net):
        self.ctl_path, self.emu_path, self.net = ctl_path, emu_path, net
        self.port = te.free_port()
        self.things = []
        self.failures = []
        self.multicast = not net.v4_multicast
        self.dst = {"emu": EMU_ADDR, "ctl": CTL_ADDR, "group": te.GROUP4}

    def emulator(self, addr):
        emu = Program("aircon-emulator@" + addr,
                      [self.emu_path, "--port", str(self.port), "--bind", addr], emulator_keep)
        self.things.append(emu)
        emu.wait_for(lambda o: o.get("event") == "start", "start event")
        return emu

    def close(self):
        for t in reversed(self.things):
            if isinstance(t, Program):
                t.kill()
            else:
                t.close()
        if getattr(self, "tmp", None):
            shutil.rmtree(self.tmp, ignore_errors=True)

    # -- legitimate peers

    def client_get(self, epcs=(0x80, 0xB0, 0xB3), want=None):
        """The legitimate client's Get of the emulator: the right values."""
        want = want or LEGIT
        tid = random.randrange(0x100, 0x10000)
        self.client.send(te.get(tid, AIRCON, *epcs))
        answer = self.client.recv(lambda d: d[2:4] == struct.pack(">H", tid), timeout=STEP)
        expect(answer is not None, "the emulator did not answer the legitimate Get within %.0f s" % STEP)
        f = te.parse(answer)
        expect(f is not None and f["esv"] == 0x72 and f["seoj"] == AIRCON,
               "the legitimate Get got %s" % answer.hex())
        got = {e: v for e, v in f["props"]}
        expect(all(got.get(e) == want[e] for e in epcs if e in want),
               "the emulator answered %r, want %r" % (got, want))

    def ctl_do(self, line, event, timeout=STEP, check=None):
        """A command of the controller; waits for its result event."""
        m = self.ctl.mark()
        self.ctl.command(line)
        return self.ctl_result(m, line, event, timeout, check)

    def ctl_result(self, m, line, event, timeout=STEP, check=None):
        ev = self.ctl.wait_for(lambda o: (o.get("event") == event and o.get("node") in (EMU_ADDR, EMU2_ADDR, None)) or
                               (o.get("event") in ("error", "timeout") and o.get("node") in (EMU_ADDR, EMU2_ADDR)),
                               "the result of %r" % line, timeout, m)
        expect(ev.get("event") == event and ev.get("outcome", "done") == "done",
               "%r ended %r" % (line, ev))
        if check:
            check(ev, m)
        return ev

    def ctl_values(self, m, node=EMU_ADDR):
        """The values of node's property events since mark m."""
        return {o["epc"]: o["edt"] for o in self.ctl.kept[m:]
                if o.get("event") in ("property", "changed") and o.get("node") == node}

    def ctl_get_checked(self, what):
        def check(ev, m):
            vals = self.ctl_values(m)
            want = {"%02x" % e: v.hex() for e, v in LEGIT.items()}
            expect(all(vals.get(k) == v for k, v in want.items()),
                   "%s: the controller read %r, want %r" % (what, vals, want))
        return check

    def legit(self, what):
        """Both programs serve the legitimate peers."""
        for p in self.things:
            if isinstance(p, Program):
                expect(p.alive(), "%s died (%s) during %s; stderr: %s" % (p.name, p.proc.returncode, what,
                                                                          p.stderr()))
        self.client_get()
        self.ctl_do("get %s %s 80 b0 b3" % (EMU_ADDR, AIRCON), "read", check=self.ctl_get_checked(what))

    # -- sending

    def send_all(self, items):
        """items: (kind, datagram), sent from POOL in turn, or (kind,
        datagram, source)."""
        for i, item in enumerate(items):
            self.hostile.send(item[2] if len(item) == 3 else POOL[i % len(POOL)], self.dst[item[0]], item[1])
        self.hostile.flush()

    def flood(self, items, label):
        """Sends a flood list; legitimate Gets meanwhile. Returns the CPU
        seconds of each program and the datagrams sent to each."""
        t = time.monotonic()
        before = {p.name: p.cpu() for p in (self.ctl, self.emu)}
        drops0 = self.queues.read()[1]
        m = self.ctl.mark()
        self.ctl.command("get %s %s 80 b0 b3" % (EMU_ADDR, AIRCON))
        for i, (src, kind, d) in enumerate(items):
            self.hostile.send(src, self.dst[kind], d)
            if i % FLOOD_CHECK == FLOOD_CHECK - 1:
                self.hostile.flush()
                self.client_get()
        self.hostile.flush()
        time.sleep(0.2)  # the last log lines
        cpu = {p.name: p.cpu() - before[p.name] for p in (self.ctl, self.emu)}
        self.ctl_result(m, "get during " + label, "read", check=self.ctl_get_checked(label))
        drops = self.queues.read()[1] - drops0
        print("# %s: %d datagrams in %.1f s; CPU s: hems-controller %.2f, aircon-emulator %.2f; kernel drops %d" %
              (label, len(items), time.monotonic() - t, cpu[self.ctl.name], cpu[self.emu.name], drops))
        return cpu

    # -- the steps

    def run(self):
        self.emu = self.emulator(EMU_ADDR)
        self.tmp = tempfile.mkdtemp(prefix="hostile-")
        self.state = os.path.join(self.tmp, "hems.state")
        self.energy = os.path.join(self.tmp, "energy.bin")
        self.ctl = Program("hems-controller",
                           [self.ctl_path, "--port", str(self.port), "--bind", CTL_ADDR, "--json", "--wait", "5",
                            "--state", self.state, "--energy", self.energy, "run"], lambda o: True)
        self.things.append(self.ctl)
        self.energy_watch = te.FileWatch(self.energy)
        self.state_watch = te.FileWatch(self.state)
        self.client = te.Client(self.net, self.port, local=CLIENT_ADDR, remote=EMU_ADDR)
        self.things.append(self.client)
        self.listener = Listener(self.port)
        self.things.append(self.listener)
        self.impostors = Impostors(self.port, IMPOSTOR_ANSWERS)
        self.listener.on_datagram = self.impostors
        self.queues = Queues(self.port, [CTL_ADDR, EMU_ADDR, EMU2_ADDR, te.GROUP4])
        self.hostile = Hostile(self.port, self.queues, self.multicast)
        self.things.append(self.hostile)
        if not self.multicast:
            print("# hostile multicasts and the second emulator's discovery skipped: %s" % self.net.v4_multicast)

        # The legitimate state: the controller switches the unit on, cool, 25 C.
        self.ctl_do("set %s %s on mode cool temp 25" % (EMU_ADDR, AIRCON), "write", timeout=10)
        self.legit("the start")
        start_mem = {p.name: p.status() for p in (self.ctl, self.emu)}

        # 1. Every category once, the legitimate checks after each, while a
        # second emulator is discovered.
        m = self.ctl.mark()
        if self.multicast:
            self.emulator(EMU2_ADDR)
        rng = random.Random(5)
        for name, items in categories(rng):
            t = time.monotonic()
            self.send_all(items)
            self.legit(name)
            print("# %s: %d datagrams, %.1f s" % (name, len(items), time.monotonic() - t))
        if self.multicast:
            ready = self.ctl.wait_for(lambda o: o.get("event") == "ready" and o.get("node") == EMU2_ADDR,
                                      "the second emulator's ready event", STEP, m)
            st = ready["state"]
            expect(st["power"] == "off" and st["mode"] == "auto" and st["temp"] == 20 and st["room"] == 20,
                   "the second emulator's state %r" % st)
        base_mem = {p.name: p.status() for p in (self.ctl, self.emu)}

        # 2. Flood 1.
        items = flood_list(55, FLOOD_N)
        cpu1 = self.flood(items, "flood 1")

        # 3. History: the node and object tables fill (INF of 0x80, or of an
        # instance list 0xD5 of 84 air conditioners); the impostors answer
        # the controller's requests to them; TID sweeps.
        t = time.monotonic()
        d5 = bytes([84]) + b"".join(bytes([0x01, 0x30, i]) for i in range(1, 85))
        self.impostors.on = True
        for src in FILL:
            self.hostile.send(src, CTL_ADDR, frame(0x0500, AIRCON, "0ef001", 0x73, [(0x80, b"\x30")]))
        self.hostile.flush()
        self.ctl.wait_for(lambda o: o.get("event") == "error" and "no room for another node" in o.get("message", ""),
                          "a 'no room for another node' error", STEP)
        self.legit("the node table filling")
        time.sleep(1.5)
        for src in FILL[:10]:
            self.hostile.send(src, CTL_ADDR, frame(0x0501, "0ef001", "0ef001", 0x73, [(0xD5, d5)]))
        self.hostile.flush()
        self.ctl.wait_for(lambda o: o.get("event") == "error" and "no room for another object" in o.get("message", ""),
                          "a 'no room for another object' error", STEP)
        time.sleep(0.5)
        self.legit("the impostors' answers")
        self.impostors.on = False
        self.impostors.close()
        self.hostile.forget(FILL[1:])
        print("# %d INFs from new addresses, 10 lists of 84 objects; %d impostor answers; %.1f s" %
              (len(FILL), self.impostors.answered, time.monotonic() - t))
        self.sweep()

        # 4. Flood 2: the same datagrams.
        cpu2 = self.flood(items, "flood 2")
        self.legit("flood 2")
        self.ctl_do("set %s %s temp 26" % (EMU_ADDR, AIRCON), "write")
        self.client_get(want={**LEGIT, 0xB3: b"\x1a"})
        if self.multicast:
            done = self.ctl_do("discover --wait 1", "done", timeout=STEP)
            expect(done.get("ready", 0) >= 2, "discover after the floods: %r" % done)

        # The bounds.
        end_mem = {p.name: p.status() for p in (self.ctl, self.emu)}
        for p in (self.ctl, self.emu):
            s, b, e = start_mem[p.name], base_mem[p.name], end_mem[p.name]
            print("# %s memory kB: VmRSS %d (start) %d (after step 1) %d (end); VmHWM %d %d %d" %
                  (p.name, s["VmRSS"], b["VmRSS"], e["VmRSS"], s["VmHWM"], b["VmHWM"], e["VmHWM"]))
            for k in ("VmRSS", "VmHWM"):
                if e[k] > b[k] + MEM_SLACK_KB:
                    self.failures.append("%s: %s grew from %d to %d kB (slack %d)" %
                                         (p.name, k, b[k], e[k], MEM_SLACK_KB))
            c1, c2 = cpu1[p.name], cpu2[p.name]
            bound = CPU_FACTOR * c1 + CPU_SLACK_S
            print("# %s CPU: flood 1 %.2f s, flood 2 %.2f s (bound %.2f s)" % (p.name, c1, c2, bound))
            if c2 > bound:
                self.failures.append("%s: flood 2 took %.2f s of CPU, flood 1 %.2f s (bound %.2f)" %
                                     (p.name, c2, c1, bound))
        self.check_wire()
        self.check_events()
        self.check_logs()
        self.stop()
        self.check_energy_file()
        self.check_state_file()

    def check_energy_file(self):
        """Announcements carrying 0x84/0x85 (the flood's, from 8 nodes) must
        not turn into a write of the --energy file each: it is written at
        most once a minute and at exit."""
        writes, elapsed = self.energy_watch.stop()
        values = sum(1 for o in self.ctl.kept if o.get("event") in ("property", "changed") and
                     o.get("epc") in ("84", "85"))
        self.check_writes("energy file", writes, elapsed, 2 + int(elapsed // 60),
                          values, "0x84/0x85 values reported")

    def check_state_file(self):
        """Spoofed announcements make nodes and requests, each of which moves
        what the --state file holds: it is written within 5 s of an air
        conditioner found, otherwise once a minute or every 256 requests,
        and at exit (examples/hems_state.h), never per datagram or per
        request."""
        writes, elapsed = self.state_watch.stop()
        requests = sum(1 for src, dst, data in self.listener.got if src == CTL_ADDR)
        self.check_writes("state file", writes, elapsed, 3 + int(elapsed // 5) + requests // 256,
                          requests, "requests to spoofed nodes")

    def check_writes(self, what, writes, elapsed, bound, causes, causes_what):
        """Fails when a file was written more than @bound times, or when
        fewer than 100 things that could each have written it happened (the
        check would prove nothing)."""
        print("# %s: %d writes seen in %.0f s, %d %s (bound %d)" % (what, writes, elapsed, causes, causes_what, bound))
        if causes < 100:
            self.failures.append("%s: only %d %s: the check proves nothing" % (what, causes, causes_what))
        if writes > bound:
            self.failures.append("the %s was written %d times in %.0f s (bound %d)" % (what, writes, elapsed, bound))

    def stop(self):
        """Both end cleanly: the emulator on SIGTERM, the controller at the
        end of its input (exit status 0 each)."""
        for p in self.things:
            if isinstance(p, Program) and p.alive():
                if p is self.ctl:
                    p.proc.stdin.close()
                else:
                    p.proc.send_signal(signal.SIGTERM)
        for p in self.things:
            if isinstance(p, Program):
                try:
                    status = p.proc.wait(timeout=STEP)
                except subprocess.TimeoutExpired:
                    self.failures.append("%s did not exit within %.0f s" % (p.name, STEP))
                    continue
                if status != 0:
                    self.failures.append("%s exited with status %d; stderr: %s" % (p.name, status, p.stderr()))

    def sweep(self):
        """Get_Res for every TID while the controller's Get is outstanding,
        from an unknown address and a known node; then late answers and
        duplicates of the answer from the emulator's address."""
        t = time.monotonic()
        known = FILL[0]
        fds = Queues(self.port, [EMU_ADDR])
        m = self.ctl.mark()
        paced_by = self.hostile.queues
        self.hostile.queues = Queues(self.port, [CTL_ADDR])  # the stopped emulator's queues stay full
        self.emu.proc.send_signal(signal.SIGSTOP)
        try:
            self.ctl.command("get %s %s 80 b0 b3" % (EMU_ADDR, AIRCON))
            end = time.monotonic() + STEP
            while fds.read()[0] == 0:
                expect(time.monotonic() < end, "the controller's Get did not reach the emulator")
                time.sleep(0.01)
            props = [(0x80, b"\x31")] + injected_props()
            for src in (SPOOF_ADDR, known):
                for tid in range(0x10000):
                    self.hostile.send(src, CTL_ADDR, frame(tid, AIRCON, CONTROLLER, 0x72, props))
                self.hostile.flush()
        finally:
            self.emu.proc.send_signal(signal.SIGCONT)
            self.hostile.queues = paced_by
        self.ctl_result(m, "the Get outstanding during the TID sweeps", "read",
                        check=self.ctl_get_checked("the TID sweeps"))
        asked = self.emu.wait_for(lambda o: o.get("dir") == "in" and o["peer"].startswith(CTL_ADDR + ":") and
                                  o["frame"].get("esv") == "62" and o["frame"].get("deoj") == AIRCON,
                                  "the controller's Get in the emulator's log", STEP,
                                  max(0, self.emu.mark() - 50))
        tid = int(asked["frame"]["tid"], 16)
        late = frame(tid, AIRCON, CONTROLLER, 0x72, [(0x80, b"\x31")] + injected_props())
        dup = frame(tid, AIRCON, CONTROLLER, 0x72, list(LEGIT.items()))
        for _ in range(3):
            self.hostile.send(EMU_ADDR, CTL_ADDR, late)
            self.hostile.send(EMU_ADDR, CTL_ADDR, dup)
        self.hostile.flush()
        time.sleep(0.2)
        reads = [o for o in self.ctl.kept[m:] if o.get("event") == "read"]
        expect(len(reads) == 1, "one Get, %d read events: %r" % (len(reads), reads))
        self.legit("the late answers and duplicates")
        print("# TID sweeps (2 x 65536 Get_Res) and late answers: %.1f s" % (time.monotonic() - t))

    def check_wire(self):
        """Nothing to hostile addresses but the controller's requests to
        announced nodes."""
        emus = {EMU_ADDR, EMU2_ADDR}
        bad, requests = [], 0
        for src, dst, data in self.listener.got:
            esv = data[10] if len(data) > 10 else None
            if src in emus:
                bad.append("the emulator at %s sent %s to %s" % (src, data[:24].hex(), dst))
            elif src == CTL_ADDR and esv in REQUESTS and dst in self.hostile.creators:
                requests += 1
            else:
                bad.append("%s sent %s to %s" % (src, data[:24].hex(), dst))
        print("# listener: %d datagrams to hostile addresses, %d of them the controller's requests to the nodes "
              "they announced" % (len(self.listener.got), requests))
        if bad:
            self.failures.append("%d datagrams that must not be sent, e.g. %s" % (len(bad), bad[:3]))

    def check_events(self):
        """No injected value in anything the controller says about the
        legitimate units."""
        bad = []
        for o in self.ctl.kept:
            if o.get("node") not in (EMU_ADDR, EMU2_ADDR):
                continue
            if o.get("event") in ("property", "changed") and INJECTED_HEX.get(o.get("epc")) == o.get("edt"):
                bad.append(o)
            st = o.get("state")
            if isinstance(st, dict) and (st.get("mode") == "dry" or st.get("temp") == 45 or st.get("room") == 50):
                bad.append(o)
        print("# hems-controller: %d events, %d about the legitimate units" %
              (self.ctl.lines, sum(1 for o in self.ctl.kept if o.get("node") in (EMU_ADDR, EMU2_ADDR))))
        if bad:
            self.failures.append("injected values reported for a legitimate unit: %r" % bad[:3])

    def check_logs(self):
        for p in self.things:
            if isinstance(p, Program):
                if not p.alive():
                    self.failures.append("%s died (%s); stderr: %s" % (p.name, p.proc.returncode, p.stderr()))
                if p.bad_lines:
                    self.failures.append("%s printed lines that are not JSON objects: %r" % (p.name, p.bad_lines[:3]))
        print("# aircon-emulator: %d log lines" % self.emu.lines)


def main():
    if len(sys.argv) != 3:
        print("usage: %s /path/to/hems-controller /path/to/aircon-emulator" % sys.argv[0], file=sys.stderr)
        return 2
    ctl_path, emu_path = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    why_not = udp_netns.enter_namespace(__file__)
    net = te.Network()
    print(net.describe() + ("" if net.netns else " (%s)" % why_not))
    started = time.monotonic()
    s = Scenario(ctl_path, emu_path, net)
    try:
        s.run()
    except (Failure, OSError, subprocess.SubprocessError) as e:
        s.failures.append(str(e))
    finally:
        s.close()
    for f in s.failures:
        print("FAIL %s" % f)
    print("# %.1f s" % (time.monotonic() - started))
    print("%d passed, %d failed" % (0 if s.failures else 1, 1 if s.failures else 0))
    return 1 if s.failures else 0


if __name__ == "__main__":
    sys.exit(main())
