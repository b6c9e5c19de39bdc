#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The MQTT bridge of hems-controller (--mqtt, examples/hems_mqtt.h) against
a real mosquitto broker, with aircon-emulator over real UDP.

Usage: python3 tests/test_mqtt.py /path/to/hems-controller /path/to/aircon-emulator
       python3 tests/test_mqtt.py --without-mqtt /path/to/hems-controller
(the second: a build without libmosquitto refuses --mqtt with a message).

Each case starts a mosquitto broker on a free TCP port with a configuration
file written here (plain, TLS with a CA and a server certificate made by
openssl, or a password file made by mosquitto_passwd), aircon-emulator
--extra at 127.0.0.2 and `hems-controller run --mqtt` at 127.0.0.1, and
watches the broker with mosquitto_sub (python3 has no MQTT client; the
Debian package mosquitto-clients) and publishes with mosquitto_pub. What
the emulated unit holds is read from it by ECHONET Lite (a Get from the
test's own address, 127.0.0.5), never taken from the controller's word.

Network: as tests/test_hems_controller.py, in a private network namespace
when one can be made (tests/udp_netns.py). Needs mosquitto, mosquitto_sub,
mosquitto_pub, mosquitto_passwd (Debian mosquitto, mosquitto-clients) and
openssl: without them the test fails, naming what is missing.

Prints one line per failure, and finally "N passed, M failed"; exits 1 when
anything failed.
"""

import json
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402  (network namespace, emulator, frames)
from test_emulator import Failure, expect  # noqa: E402

STEP = 10               # seconds allowed for each expectation
AIRCON = "013001"
EMU_ADDR = "127.0.0.2"
CTL_ADDR = "127.0.0.1"
PROBE_ADDR = "127.0.0.5"  # the test's own ECHONET Lite address, to read the emulator

# ---- What Home Assistant expects of discovery --------------------------------------
#
# MQTT discovery: https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery
#   topic <discovery_prefix>/<component>/[<node_id>/]<object_id>/config, a JSON object;
#   a device needs "identifiers" (or "connections"); entities in the device
#   registry need "unique_id".
# MQTT climate (HVAC): https://www.home-assistant.io/integrations/climate.mqtt/
# MQTT sensor: https://www.home-assistant.io/integrations/sensor.mqtt/
# Sensor device classes and units: https://www.home-assistant.io/integrations/sensor/#device-class
# The configuration variables documented there; a key outside them is a typo
# Home Assistant would reject or ignore.

COMMON_KEYS = {"availability", "availability_mode", "availability_template", "availability_topic", "device",
               "enabled_by_default", "encoding", "entity_category", "icon", "json_attributes_template",
               "json_attributes_topic", "name", "object_id", "origin", "payload_available",
               "payload_not_available", "qos", "unique_id", "default_entity_id", "entity_picture"}
CLIMATE_KEYS = COMMON_KEYS | {
    "action_template", "action_topic", "current_humidity_template", "current_humidity_topic",
    "current_temperature_template", "current_temperature_topic", "fan_mode_command_template",
    "fan_mode_command_topic", "fan_mode_state_template", "fan_mode_state_topic", "fan_modes", "initial",
    "max_humidity", "max_temp", "min_humidity", "min_temp", "mode_command_template", "mode_command_topic",
    "mode_state_template", "mode_state_topic", "modes", "optimistic", "payload_off", "payload_on",
    "power_command_template", "power_command_topic", "precision", "preset_mode_command_template",
    "preset_mode_command_topic", "preset_mode_state_topic", "preset_mode_value_template", "preset_modes",
    "retain", "swing_mode_command_template", "swing_mode_command_topic", "swing_mode_state_template",
    "swing_mode_state_topic", "swing_modes", "target_humidity_command_template", "target_humidity_command_topic",
    "target_humidity_state_topic", "target_humidity_state_template", "temperature_command_template",
    "temperature_command_topic", "temperature_high_command_template", "temperature_high_command_topic",
    "temperature_high_state_template", "temperature_high_state_topic", "temperature_low_command_template",
    "temperature_low_command_topic", "temperature_low_state_template", "temperature_low_state_topic",
    "temperature_state_template", "temperature_state_topic", "temperature_unit", "temp_step", "value_template"}
SENSOR_KEYS = COMMON_KEYS | {"device_class", "expire_after", "force_update", "last_reset_value_template",
                             "options", "suggested_display_precision", "state_class", "state_topic",
                             "unit_of_measurement", "value_template"}
DEVICE_KEYS = {"configuration_url", "connections", "hw_version", "identifiers", "manufacturer", "model",
               "model_id", "name", "serial_number", "suggested_area", "sw_version", "via_device"}
CLIMATE_MODES = {"auto", "off", "cool", "heat", "dry", "fan_only", "heat_cool"}
STATE_CLASSES = {"measurement", "total", "total_increasing"}
UNITS = {"power": {"W", "kW"}, "energy": {"Wh", "kWh", "MWh"}, "battery": {"%"}, "temperature": {"°C", "°F"}}
PRECISIONS = {0.1, 0.5, 1.0}


def check_common(cfg, what):
    expect(isinstance(cfg.get("unique_id"), str) and cfg["unique_id"], "%s: no unique_id: %r" % (what, cfg))
    dev = cfg.get("device")
    expect(isinstance(dev, dict) and set(dev) <= DEVICE_KEYS, "%s: device %r" % (what, dev))
    expect(isinstance(dev.get("identifiers"), list) and dev["identifiers"] and
           all(isinstance(i, str) and i for i in dev["identifiers"]), "%s: device identifiers %r" % (what, dev))
    av = cfg.get("availability")
    expect(isinstance(av, list) and av and all(isinstance(a, dict) and isinstance(a.get("topic"), str) for a in av),
           "%s: availability %r" % (what, av))
    expect(cfg.get("availability_mode", "latest") in ("all", "any", "latest"), "%s: availability_mode" % what)
    expect(cfg.get("qos", 0) in (0, 1, 2), "%s: qos %r" % (what, cfg.get("qos")))


def check_climate(cfg, what):
    """The keys and values of a climate discovery message."""
    expect(set(cfg) <= CLIMATE_KEYS, "%s: keys not in the climate schema: %r" % (what, set(cfg) - CLIMATE_KEYS))
    check_common(cfg, what)
    expect(isinstance(cfg.get("modes"), list) and set(cfg["modes"]) <= CLIMATE_MODES and "off" in cfg["modes"],
           "%s: modes %r" % (what, cfg.get("modes")))
    for key in ("mode_state_topic", "mode_command_topic", "temperature_state_topic", "temperature_command_topic",
                "current_temperature_topic", "fan_mode_state_topic", "fan_mode_command_topic"):
        expect(isinstance(cfg.get(key), str) and cfg[key] and "+" not in cfg[key] and "#" not in cfg[key],
               "%s: %s %r" % (what, key, cfg.get(key)))
    for key in ("min_temp", "max_temp", "temp_step"):
        expect(isinstance(cfg.get(key), (int, float)) and not isinstance(cfg.get(key), bool),
               "%s: %s %r" % (what, key, cfg.get(key)))
    expect(cfg["min_temp"] < cfg["max_temp"] and cfg["temp_step"] > 0, "%s: temperatures %r" % (what, cfg))
    expect(cfg.get("precision", 0.1) in PRECISIONS, "%s: precision %r" % (what, cfg.get("precision")))
    expect(cfg.get("temperature_unit", "C") in ("C", "F"), "%s: temperature_unit" % what)
    expect(isinstance(cfg.get("fan_modes"), list) and all(isinstance(f, str) for f in cfg["fan_modes"]),
           "%s: fan_modes %r" % (what, cfg.get("fan_modes")))


def check_sensor(cfg, what):
    expect(set(cfg) <= SENSOR_KEYS, "%s: keys not in the sensor schema: %r" % (what, set(cfg) - SENSOR_KEYS))
    check_common(cfg, what)
    expect(isinstance(cfg.get("state_topic"), str) and cfg["state_topic"], "%s: state_topic" % what)
    dc = cfg.get("device_class")
    expect(dc in UNITS, "%s: device_class %r" % (what, dc))
    expect(cfg.get("unit_of_measurement") in UNITS[dc], "%s: unit %r for %s" % (what, cfg.get("unit_of_measurement"),
                                                                                  dc))
    expect(cfg.get("state_class") in STATE_CLASSES, "%s: state_class %r" % (what, cfg.get("state_class")))
    if dc == "energy":
        expect(cfg["state_class"] in ("total", "total_increasing"), "%s: energy is a total" % what)


def template_key(template):
    """The X of "{{ value_json.X }}"."""
    t = template.strip()
    expect(t.startswith("{{") and t.endswith("}}") and "value_json." in t, "template %r" % template)
    return t[2:-2].strip().split("value_json.", 1)[1].strip()


# ---- The broker and its clients --------------------------------------------------

def free_tcp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Broker:
    """mosquitto with a configuration file written here."""

    def __init__(self, tmp, port=None, tls=None, password_file=None, client_certificate=False):
        self.port = port or free_tcp_port()
        self.tmp = tmp
        self.tls = tls          # (ca, cert, key) paths
        self.conf = os.path.join(tmp, "mosquitto-%d.conf" % self.port)
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false", "log_dest stderr",
                 "log_type error", "log_type warning", "log_type notice"]
        if os.geteuid() == 0:
            lines.append("user root")  # (else it drops to the user mosquitto, who cannot read tmp)
        if tls:
            lines += ["cafile %s" % tls[0], "certfile %s" % tls[1], "keyfile %s" % tls[2]]
            if client_certificate:
                lines.append("require_certificate true")
        if password_file:
            lines += ["allow_anonymous false", "password_file %s" % password_file]
        else:
            lines.append("allow_anonymous true")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self.start()

    def start(self):
        self.log = open(os.path.join(self.tmp, "mosquitto-%d.log" % self.port), "ab")
        self.proc = subprocess.Popen(["mosquitto", "-c", self.conf], stdout=self.log, stderr=self.log)
        end = time.monotonic() + STEP
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise Failure("mosquitto exited (%d): %s" % (self.proc.returncode, self.read_log()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.05)
        raise Failure("mosquitto did not listen on %d within %d s" % (self.port, STEP))

    def read_log(self):
        with open(os.path.join(self.tmp, "mosquitto-%d.log" % self.port), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def client_args(self):
        args = ["-h", "127.0.0.1" if not self.tls else "localhost", "-p", str(self.port)]
        if self.tls:
            args += ["--cafile", self.tls[0]]
        return args


class Sub:
    """mosquitto_sub on every topic: (retained, topic, payload) tuples in a queue."""

    def __init__(self, broker, auth=()):
        self.cmd = ["mosquitto_sub"] + broker.client_args() + list(auth) + ["-t", "#", "-F", "%r %t %p"]
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.q = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            retained, _, rest = line.partition(" ")
            topic, _, payload = rest.partition(" ")
            self.q.put((retained == "1", topic, payload))
        self.q.put(None)

    def mark(self):
        return len(self.seen)

    def expect(self, pred, what, timeout=STEP, since=None):
        """The next message for which pred holds; with since, also one seen
        already at or after that mark (retained messages come in any order)."""
        for m in self.seen[since:] if since is not None else []:
            if pred(*m):
                return m
        end = time.monotonic() + timeout
        while True:
            try:
                m = self.q.get(timeout=max(end - time.monotonic(), 0))
            except queue.Empty:
                m = None
            if m is None:
                raise Failure("mosquitto_sub saw no %s within %.0f s (saw %d messages; last %r)" %
                              (what, timeout, len(self.seen), self.seen[-3:]))
            self.seen.append(m)
            if pred(*m):
                return m

    def topic(self, topic, payload=None, what=None, timeout=STEP, retained=None, since=None):
        return self.expect(lambda r, t, p: t == topic and (payload is None or p == payload) and
                           (retained is None or r == retained),
                           what or "%s %s" % (topic, payload or ""), timeout, since)

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def snapshot(broker, auth=(), wait=1.5):
    """The retained messages: topic -> payload."""
    cmd = ["mosquitto_sub"] + broker.client_args() + list(auth) + ["-t", "#", "-F", "%r %t %p", "-W",
                                                                   str(int(wait))]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=wait + STEP).stdout
    got = {}
    for line in out.decode("utf-8", "replace").splitlines():
        retained, _, rest = line.partition(" ")
        topic, _, payload = rest.partition(" ")
        if retained == "1":
            got[topic] = payload
    return got


def pub(broker, topic, payload, auth=()):
    subprocess.run(["mosquitto_pub"] + broker.client_args() + list(auth) + ["-t", topic, "-m", payload],
                   check=True, timeout=STEP)


# ---- The programs ------------------------------------------------------------------

class Controller:
    """hems-controller run --json --mqtt ..., standard error kept."""

    def __init__(self, path, udp_port, *options, serve=False):
        """run with commands on standard input, or serve with none (standard
        input /dev/null, as under systemd; the unit is found by the
        multicast search at start)."""
        self.cmd = [path, "--port", str(udp_port), "--bind", CTL_ADDR, "--json", "--poll", "0",
                    "--offline-after", "1"] + list(options) + ["serve" if serve else "run"]
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL if serve else subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.events = queue.Queue()
        self.err = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.events), daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()
        if not serve:
            self.command("discover %s" % EMU_ADDR)

    @staticmethod
    def _read(f, q):
        for raw in f:
            q.put(raw.decode("utf-8", "replace"))
        q.put(None)

    def _read_err(self):
        for raw in self.proc.stderr:
            self.err.append(raw.decode("utf-8", "replace"))

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def stderr_has(self, text, timeout=STEP):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(text in line for line in self.err):
                return True
            time.sleep(0.1)
        return False

    def kill(self, sig=signal.SIGKILL):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=STEP)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Session:
    def __init__(self, ctl_path, emu_path, net):
        self.ctl_path, self.emu_path, self.net = ctl_path, emu_path, net
        self.udp_port = te.free_port()
        self.tmp = tempfile.mkdtemp(prefix="hems-mqtt-")
        self.things = []

    def broker(self, **kw):
        b = Broker(self.tmp, **kw)
        self.things.append(b)
        return b

    def emulator(self, *args):
        emu = te.Emulator(self.emu_path, self.udp_port, ["--extra"] + list(args), bind=EMU_ADDR)
        self.things.append(emu)
        return emu

    def controller(self, *options, serve=False):
        c = Controller(self.ctl_path, self.udp_port, *options, serve=serve)
        self.things.append(c)
        return c

    def sub(self, broker, auth=()):
        s = Sub(broker, auth)
        self.things.append(s)
        return s

    def unit_value(self, epc):
        """The emulated unit's value of epc, read from it by a Get."""
        c = te.Client(self.net, self.udp_port, local=PROBE_ADDR, remote=EMU_ADDR)
        try:
            return c.get_value(AIRCON, epc)
        finally:
            c.close()

    def close(self):
        for t in reversed(self.things):
            if isinstance(t, Broker):
                t.stop()
            else:
                t.kill() if hasattr(t, "kill") else t.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait_unit_value(s, epc, want, what):
    end = time.monotonic() + STEP
    got = None
    while time.monotonic() < end:
        got = s.unit_value(epc)
        if got == want:
            return
        time.sleep(0.2)
    raise Failure("%s: the emulated unit's 0x%02x is %r, want %r" % (what, epc, got, want))


def discovery(retained, prefix="homeassistant"):
    """(climate configs, sensor configs) of the retained messages, parsed."""
    climates, sensors = {}, {}
    for topic, payload in retained.items():
        parts = topic.split("/")
        if parts[0] != prefix or parts[-1] != "config":
            continue
        try:
            cfg = json.loads(payload)
        except ValueError:
            raise Failure("discovery %s is not JSON: %r" % (topic, payload))
        expect(isinstance(cfg, dict), "discovery %s is not an object" % topic)
        (climates if parts[1] == "climate" else sensors)[topic] = cfg
    return climates, sensors


def ready_unit(s, broker, *options, auth=(), serve=False, instances=1):
    """An emulator and a controller bridged to broker; returns (emulator,
    controller, climate config) once the climate's discovery is retained."""
    emu = s.emulator("--instances", str(instances))
    ctl = s.controller("--mqtt", "%s:%d" % ("localhost" if broker.tls else "127.0.0.1", broker.port), *options,
                       serve=serve)
    sub = s.sub(broker, auth)
    _, topic, payload = sub.expect(lambda r, t, p: t.startswith("homeassistant/climate/") and t.endswith("/config"),
                                   "a climate discovery message", timeout=2 * STEP)
    return emu, ctl, sub, json.loads(payload)


# ---- Cases ---------------------------------------------------------------------------

CASES = []


def require_multicast(s):
    """serve finds the unit by its multicast search alone."""
    expect(not s.net.v4_multicast, "needs IPv4 multicast on the loopback: %s" % s.net.v4_multicast)


def case_into(cases):
    """A decorator that adds a case (name, function) to the list cases."""
    def case(name):
        def register(fn):
            cases.append((name, fn))
            return fn
        return register
    return case


case = case_into(CASES)


@case("discovery: climate and sensors valid for Home Assistant (two units), state retained, unique_id stable "
      "across restarts")
def _(s):
    b = s.broker()
    emu, ctl, sub, _ = ready_unit(s, b, instances=2)
    # The energy figures are read at once after ready (0x84, 0x85).
    for eoj in ("013001", "013002"):
        sub.expect(lambda r, t, p: t.endswith("_%s/state" % eoj) and '"energy_kwh":' in p and
                   '"energy_kwh":null' not in p, "a state of %s with the energy read" % eoj, since=0)
    got = snapshot(b)
    climates, sensors = discovery(got)
    keys = sorted(t.split("/")[2] for t in climates)
    # The KEY: 0x83 (the emulator adds the instance to its last byte) and the EOJ.
    expect(keys == ["fefffff0" + "00" * 12 + "01_013001", "fefffff0" + "00" * 12 + "02_013002"],
           "climate discoveries %r" % list(climates))
    for t, cfg in climates.items():
        check_climate(cfg, t)
    expect(len(set(c["unique_id"] for c in list(climates.values()) + list(sensors.values()))) ==
           len(climates) + len(sensors), "unique_ids not unique")
    ctopic = sorted(climates)[0]
    climate = climates[ctopic]
    key = ctopic.split("/")[2]
    mine = {t: c for t, c in sensors.items() if key in t}
    classes = sorted((c["device_class"], c["unit_of_measurement"]) for c in mine.values())
    expect(classes == [("energy", "kWh"), ("power", "W")] and len(sensors) == 4, "sensors %r" % classes)
    for t, cfg in sensors.items():
        check_sensor(cfg, t)
    for t, cfg in mine.items():
        expect(cfg["device"]["identifiers"] == climate["device"]["identifiers"], "one device: %r" % cfg["device"])
    expect(climates[sorted(climates)[1]]["device"]["identifiers"] != climate["device"]["identifiers"],
           "two units, one device")
    expect(climate["device"].get("manufacturer", "").endswith("fffff0"), "manufacturer code %r" % climate["device"])
    # The state: retained JSON with what every template names.
    state_topic = climate["mode_state_topic"]
    expect(state_topic in got, "no retained state at %s: %r" % (state_topic, sorted(got)))
    state = json.loads(got[state_topic])
    for k in ("mode_state_template", "temperature_state_template", "current_temperature_template",
              "fan_mode_state_template"):
        expect(template_key(climate[k]) in state, "%s names %r, not in the state %r" % (k, climate[k], state))
    for cfg in sensors.values():
        expect(template_key(cfg["value_template"]) in state, "sensor template %r, state %r" % (cfg, state))
    expect(state["mode"] == "off" and state["target_temperature"] == 20 and state["current_temperature"] == 20 and
           state["fan_mode"] == "auto" and state["fan_mode"] in climate["fan_modes"], "state %r" % state)
    expect(isinstance(state["power_w"], int) and isinstance(state["energy_kwh"], (int, float)), "energy %r" % state)
    # Availability: the bridge's and the unit's, online and retained.
    for a in climate["availability"]:
        expect(got.get(a["topic"]) == "online", "availability %s: %r" % (a["topic"], got.get(a["topic"])))
    # A restarted controller announces the same entities.
    ids = sorted(c["unique_id"] for c in list(climates.values()) + list(sensors.values()))
    ctl.kill(signal.SIGTERM)
    after = snapshot(b)
    expect(after.get("echonet/bridge/availability") == "offline", "bridge after exit: %r" %
           after.get("echonet/bridge/availability"))
    for t in list(climates) + list(sensors):
        pub(b, t, "")  # (clears the retained discovery: it must come again)
    sub2 = s.sub(b)
    s.controller("--mqtt", "127.0.0.1:%d" % b.port)
    sub2.topic(ctopic, what="the climate discovery after a restart", retained=False, timeout=2 * STEP)
    time.sleep(1)
    climates2, sensors2 = discovery(snapshot(b))
    ids2 = sorted(c["unique_id"] for c in list(climates2.values()) + list(sensors2.values()))
    expect(ids == ids2, "unique_ids %r, after a restart %r" % (ids, ids2))


@case("commands: mode, temperature, fan and command lines change the emulated unit; refusals come back as events")
def _(s):
    b = s.broker()
    emu, ctl, sub, climate = ready_unit(s, b)
    pub(b, climate["mode_command_topic"], "cool")
    wait_unit_value(s, 0x80, b"\x30", "mode cool")
    wait_unit_value(s, 0xB0, b"\x42", "mode cool")
    sub.expect(lambda r, t, p: t == climate["mode_state_topic"] and json.loads(p)["mode"] == "cool",
               "the state in mode cool")
    pub(b, climate["temperature_command_topic"], "25.0")  # (Home Assistant sends a float)
    wait_unit_value(s, 0xB3, bytes([25]), "temperature 25")
    sub.expect(lambda r, t, p: t == climate["temperature_state_topic"] and
               json.loads(p)["target_temperature"] == 25, "the state at 25 C")
    pub(b, climate["fan_mode_command_topic"], "3")
    wait_unit_value(s, 0xA0, b"\x33", "fan 3")
    pub(b, "echonet/command", "set %s %s temp 27" % (EMU_ADDR, AIRCON))
    wait_unit_value(s, 0xB3, bytes([27]), "a command line")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("event") == "write" and
               json.loads(p).get("outcome") == "done", "the write event of the command line")
    pub(b, climate["mode_command_topic"], "off")
    wait_unit_value(s, 0x80, b"\x31", "mode off")
    # Refused as standard input's commands are: the class table, the grammar.
    pub(b, climate["temperature_command_topic"], "60")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("event") == "error" and
               json.loads(p).get("code") == "ECHONET_ERR_VALUE", "the refusal of 60 C as an error event")
    pub(b, climate["mode_command_topic"], "warm")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("code") == "bad_command", "a bad mode")
    pub(b, "echonet/command", "quit")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("code") == "bad_command", "quit refused")
    expect(ctl.proc.poll() is None, "the controller exited on a quit over MQTT")
    expect(s.unit_value(0xB3) == bytes([27]), "a refused value reached the unit: %r" % s.unit_value(0xB3))


@case("availability: a unit offline when the emulator dies and online when it returns; the bridge's last will")
def _(s):
    b = s.broker()
    emu, ctl, sub, climate = ready_unit(s, b)
    unit_av = [a["topic"] for a in climate["availability"] if a["topic"] != "echonet/bridge/availability"][0]
    sub.topic(unit_av, "online", since=0)
    emu.kill()
    # A read (no polls: --poll 0) without answer: 20 s of response wait (AIF
    # 2.4.2) and a second attempt (AIF 2.4.3), offline after 1 (--offline-after
    # 1): about 40 s.
    pub(b, "echonet/command", "get %s %s 80" % (EMU_ADDR, AIRCON))
    sub.topic(unit_av, "offline", "the unit offline", timeout=60)
    s.emulator()  # announces its instance list at start
    sub.topic(unit_av, "online", "the unit online again", timeout=30)
    ctl.kill(signal.SIGKILL)  # no clean exit: the broker publishes the last will
    sub.topic("echonet/bridge/availability", "offline", "the last will")


@case("broker restart (serve, standard input /dev/null): discovery and state published again, commands work "
      "again; Home Assistant's birth")
def _(s):
    require_multicast(s)
    b = s.broker()
    emu, ctl, sub, climate = ready_unit(s, b, serve=True)
    sub.close()
    b.stop()
    time.sleep(1.5)
    b.start()  # (no persistence: nothing retained survives)
    sub = s.sub(b)
    sub.expect(lambda r, t, p: t.startswith("homeassistant/climate/") and t.endswith("/config"),
               "the climate discovery after the broker's restart", timeout=3 * STEP)
    time.sleep(1)
    got = snapshot(b)
    expect(climate["mode_state_topic"] in got and got.get("echonet/bridge/availability") == "online",
           "state and availability after the broker's restart: %r" % got)
    expect(ctl.stderr_has("lost the broker"), "the loss not reported: %r" % ctl.err)
    pub(b, climate["temperature_command_topic"], "23")
    wait_unit_value(s, 0xB3, bytes([23]), "a command after the broker's restart")
    # Home Assistant restarted: its birth message brings everything again.
    pub(b, "homeassistant/status", "online")
    sub.expect(lambda r, t, p: not r and t.startswith("homeassistant/climate/"), "discovery on the birth message")


def make_tls(tmp):
    """A CA, and a server certificate for localhost and 127.0.0.1 it signs."""
    def run(*args):
        subprocess.run(["openssl"] + list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       cwd=tmp)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hems test CA",
        "-keyout", "ca.key", "-out", "ca.pem")
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
        "-out", "server.csr")
    with open(os.path.join(tmp, "san.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-extfile", "san.ext", "-out", "server.pem")
    # Another CA, which did not sign the broker's certificate.
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=other CA",
        "-keyout", "other.key", "-out", "other.pem")
    # A client certificate the CA signs.
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hems-controller", "-keyout", "client.key",
        "-out", "client.csr")
    run("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
        "-out", "client.pem")
    return [os.path.join(tmp, n) for n in ("ca.pem", "server.pem", "server.key", "other.pem", "client.pem",
                                           "client.key")]


@case("TLS: --mqtt-tls-ca connects to a TLS listener, a CA that did not sign the broker's certificate does not; "
      "a client certificate")
def _(s):
    ca, cert, key, other, client_cert, client_key = make_tls(s.tmp)
    b = s.broker(tls=(ca, cert, key))
    emu, ctl, sub, climate = ready_unit(s, b, "--mqtt-tls-ca", ca)
    check_climate(climate, "over TLS")
    ctl.kill()
    bad = s.controller("--mqtt", "localhost:%d" % b.port, "--mqtt-tls-ca", other)
    expect(bad.stderr_has("cannot connect") and bad.stderr_has("certificate verify failed"),
           "a wrong CA not reported: %r" % bad.err)
    time.sleep(2)
    got = snapshot(b)
    expect(got.get("echonet/bridge/availability") != "online", "connected with a CA that did not sign: %r" % got)
    bad.kill()
    # A broker that wants a client certificate: --mqtt-tls-cert and --mqtt-tls-key.
    b2 = s.broker(tls=(ca, cert, key), client_certificate=True)
    s.controller("--mqtt", "localhost:%d" % b2.port, "--mqtt-tls-ca", ca, "--mqtt-tls-cert", client_cert,
                 "--mqtt-tls-key", client_key)
    sub2 = Sub(b2, ("--cert", client_cert, "--key", client_key))
    s.things.append(sub2)
    sub2.topic("echonet/bridge/availability", "online", "the bridge with a client certificate", since=0)
    nocert = s.controller("--mqtt", "localhost:%d" % b2.port, "--mqtt-tls-ca", ca)
    expect(nocert.stderr_has("cannot connect"), "no client certificate, not reported: %r" % nocert.err)


@case("credentials: owner-only file accepted, a group-readable one refused, a wrong password reported")
def _(s):
    pw = os.path.join(s.tmp, "passwd")
    subprocess.run(["mosquitto_passwd", "-c", "-b", pw, "hems", "s3cret pass"], check=True, timeout=STEP)
    os.chmod(pw, 0o600)
    b = s.broker(password_file=pw)
    good = os.path.join(s.tmp, "good")
    with open(good, "w") as f:
        f.write("hems\ns3cret pass\n")
    os.chmod(good, 0o644)
    r = subprocess.run([s.ctl_path, "--port", str(s.udp_port), "--bind", CTL_ADDR, "--mqtt",
                        "127.0.0.1:%d" % b.port, "--mqtt-credentials", good, "run"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=STEP)
    expect(r.returncode != 0 and b"group or others" in r.stderr, "a 0644 credentials file: %d %r" %
           (r.returncode, r.stderr))
    os.chmod(good, 0o600)
    auth = ("-u", "hems", "-P", "s3cret pass")
    emu, ctl, sub, climate = ready_unit(s, b, "--mqtt-credentials", good, auth=auth)
    check_climate(climate, "with credentials")
    ctl.kill()
    bad = os.path.join(s.tmp, "bad")
    with open(bad, "w") as f:
        f.write("hems\nwrong\n")
    os.chmod(bad, 0o600)
    c = s.controller("--mqtt", "127.0.0.1:%d" % b.port, "--mqtt-credentials", bad)
    expect(c.stderr_has("not authorised") or c.stderr_has("not authorized"),
           "a wrong password not reported: %r" % c.err)


@case("options: --mqtt only with run; bad values and combinations refused with exit status 2")
def _(s):
    base = [s.ctl_path, "--port", str(s.udp_port), "--bind", CTL_ADDR]
    for args, text in ((["--mqtt", "127.0.0.1", "status", EMU_ADDR], "--mqtt is for run and serve"),
                       (["--mqtt", "127.0.0.1:0", "run"], "--mqtt"),
                       (["--mqtt", "127.0.0.1", "--mqtt-tls-cert", "c.pem", "run"], "go together"),
                       (["--mqtt", "127.0.0.1", "--mqtt-prefix", "a/#", "run"], "topic prefix"),
                       (["--mqtt-prefix", "x", "run"], "need --mqtt")):
        r = subprocess.run(base + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=STEP)
        expect(r.returncode == 2 and text.encode() in r.stderr, "%r: %d %r" % (args, r.returncode, r.stderr))


def without_mqtt(ctl_path):
    """A hems-controller built without MQTT: --mqtt refused, exit status 1."""
    r = subprocess.run([ctl_path, "--bind", CTL_ADDR, "--port", str(te.free_port()), "--mqtt", "127.0.0.1", "run"],
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=STEP)
    ok = r.returncode == 1 and b"built without MQTT" in r.stderr
    print("%s  --mqtt in a build without MQTT: exit status %d, %r" % ("ok" if ok else "FAIL", r.returncode,
                                                                     r.stderr))
    sys.exit(0 if ok else 1)


def run_cases(cases, ctl_path, emu_path, script, prepare=None):
    """Runs the cases (in a private network namespace when one can be
    made: script is re-run there), each in a Session of its own (prepare(s)
    first, when given); MQTT_TEST_ONLY=TEXT runs those whose name has TEXT.
    Exits 1 when any failed or none ran."""
    te.udp_netns.enter_namespace(script)
    net = te.Network()
    print(net.describe())
    only = os.environ.get("MQTT_TEST_ONLY")
    passed = failed = 0
    for name, fn in cases:
        if only and only not in name:
            continue
        s = Session(ctl_path, emu_path, net)
        if prepare:
            prepare(s)
        started = time.monotonic()
        try:
            fn(s)
            passed += 1
            print("ok   %s (%.1f s)" % (name, time.monotonic() - started))
        except Failure as e:
            failed += 1
            print("FAIL %s: %s" % (name, e))
        except Exception:  # noqa: BLE001  (a crash of the test is a failure, with its trace)
            failed += 1
            print("FAIL %s: %s" % (name, traceback.format_exc()))
        finally:
            s.close()
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not passed else 0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--without-mqtt":
        without_mqtt(sys.argv[2])
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ctl_path, emu_path = (os.path.abspath(p) for p in sys.argv[1:])
    missing = [p for p in ("mosquitto", "mosquitto_sub", "mosquitto_pub", "mosquitto_passwd", "openssl")
               if not shutil.which(p)]
    if missing:
        print("FAIL: not installed: %s (Debian packages mosquitto, mosquitto-clients, openssl)" % " ".join(missing))
        sys.exit(1)
    run_cases(CASES, ctl_path, emu_path, __file__)


if __name__ == "__main__":
    main()
