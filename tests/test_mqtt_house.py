#!/usr/bin/env python3
# libechonet: ECHONET Lite for firmware and HEMS controllers.
# SPDX-License-Identifier: MIT
"""The MQTT bridge of hems-controller (--mqtt) with household-emulator: the
Home Assistant discovery of the smart meter, PV, storage battery, fuel
cell, water heater and lighting, their state against the emulator's report,
commands to the lighting and the battery, availability when the house goes
away. A real mosquitto broker, real UDP (tests/test_mqtt.py's helpers).

Usage: python3 tests/test_mqtt_house.py /path/to/hems-controller /path/to/household-emulator

The emulator's clock stands still (--speed 0; `advance` moves it), so that
what the controller read and what the report says are the same minute. The
controller reads each class's status by itself (its class profiles); what
it does not (the meter's E0/E3) is read by a `get` published on
echonet/command (the bridge's own command path). The emulated units are
checked by an ECHONET Lite Get from the test's own address (127.0.0.5) and
by the report.

Prints one line per failure, and finally "N passed, M failed"; exits 1 when
anything failed.
"""

import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_emulator as te  # noqa: E402
from test_emulator import Failure, expect  # noqa: E402
import test_mqtt as tm  # noqa: E402
from test_mqtt import COMMON_KEYS, STEP, EMU_ADDR, PROBE_ADDR  # noqa: E402

# ---- What Home Assistant documents ------------------------------------------------------
# MQTT light, default schema: https://www.home-assistant.io/integrations/light.mqtt/
# MQTT select: https://www.home-assistant.io/integrations/select.mqtt/
# MQTT switch: https://www.home-assistant.io/integrations/switch.mqtt/
# Sensor device classes: https://www.home-assistant.io/integrations/sensor/#device-class
LIGHT_KEYS = COMMON_KEYS | {
    "brightness_command_template", "brightness_command_topic", "brightness_scale", "brightness_state_topic",
    "brightness_value_template", "color_mode_state_topic", "color_mode_value_template", "command_topic",
    "effect_command_topic", "effect_list", "effect_state_topic", "effect_value_template", "on_command_type",
    "optimistic", "payload_off", "payload_on", "retain", "schema", "state_topic", "state_value_template",
    "supported_color_modes"}
SELECT_KEYS = COMMON_KEYS | {"command_template", "command_topic", "optimistic", "options", "retain",
                             "state_topic", "value_template"}
SWITCH_KEYS = COMMON_KEYS | {"command_template", "command_topic", "device_class", "optimistic", "payload_off",
                             "payload_on", "retain", "state_off", "state_on", "state_topic", "value_template"}
UNITS = {"power": {"W", "kW"}, "energy": {"Wh", "kWh", "MWh"}, "battery": {"%"}}
ON_COMMAND_TYPES = {"first", "last", "brightness"}

HOUSE = "fefffff0" + "00" * 12   # 0x83 of the household node: FE, the maker, the id, the object's number
METER, PV, BATTERY, FUEL_CELL, HEATER, LIGHTING = "028801", "027901", "027d01", "027c01", "026b01", "029001"
NUMBER = {METER: 1, PV: 2, BATTERY: 3, FUEL_CELL: 4, HEATER: 5, LIGHTING: 6}
# The sensors each class must have: field -> (device_class, unit, state_class).
SENSORS = {
    METER: {"power_w": ("power", "W", "measurement"), "energy_kwh": ("energy", "kWh", "total_increasing"),
            "sold_kwh": ("energy", "kWh", "total_increasing")},
    PV: {"generation_w": ("power", "W", "measurement"), "generated_kwh": ("energy", "kWh", "total_increasing")},
    BATTERY: {"battery_pct": ("battery", "%", "measurement"), "battery_w": ("power", "W", "measurement")},
    FUEL_CELL: {"generation_w": ("power", "W", "measurement"),
                "generated_kwh": ("energy", "kWh", "total_increasing")},
    HEATER: {"power_w": ("power", "W", "measurement"), "energy_kwh": ("energy", "kWh", "total_increasing")},
    LIGHTING: {"power_w": ("power", "W", "measurement"), "energy_kwh": ("energy", "kWh", "total_increasing")},
}
COEFFICIENT, UNIT_CODE = 10, 0x02          # the meter: D3 = 10, E1 = 0.01 kWh: a register step is 0.1 kWh
METER_START = 123456                       # Wh: E0 starts at 1234
START = "2026-12-01T12:10"                 # noon: PV generating; EA without data until 12:30


def key_of(eoj):
    return "%s%02x_%s" % (HOUSE, NUMBER[eoj], eoj)


def topic_field(cfg, name):
    value = cfg.get(name)
    expect(isinstance(value, str) and value and "+" not in value and "#" not in value,
           "%s %r" % (name, value))
    return value


def check_sensor(cfg, what, want):
    """A sensor's keys, and the device class, unit and state class wanted."""
    tm.check_sensor(cfg, what)
    dc, unit, sc = want
    expect((cfg.get("device_class"), cfg.get("unit_of_measurement"), cfg.get("state_class")) == want,
           "%s: %r, want %s %s %s" % (what, (cfg.get("device_class"), cfg.get("unit_of_measurement"),
                                             cfg.get("state_class")), dc, unit, sc))
    expect(dc in UNITS and unit in UNITS[dc], "%s: unit %s for %s" % (what, unit, dc))


def check_light(cfg, what):
    expect(set(cfg) <= LIGHT_KEYS, "%s: keys not in the light schema: %r" % (what, set(cfg) - LIGHT_KEYS))
    tm.check_common(cfg, what)
    for k in ("command_topic", "state_topic", "brightness_state_topic", "brightness_command_topic"):
        topic_field(cfg, k)
    expect(cfg.get("brightness_scale") == 100, "%s: brightness_scale %r (0xB0 is a percentage)" %
           (what, cfg.get("brightness_scale")))
    expect(cfg.get("on_command_type", "last") in ON_COMMAND_TYPES, "%s: on_command_type" % what)
    expect(cfg.get("schema", "default") == "default", "%s: schema %r" % (what, cfg.get("schema")))
    for k in ("payload_on", "payload_off"):
        expect(isinstance(cfg.get(k, ""), str), "%s: %s" % (what, k))


def check_select(cfg, what):
    expect(set(cfg) <= SELECT_KEYS, "%s: keys not in the select schema: %r" % (what, set(cfg) - SELECT_KEYS))
    tm.check_common(cfg, what)
    topic_field(cfg, "command_topic")
    topic_field(cfg, "state_topic")
    opts = cfg.get("options")
    expect(isinstance(opts, list) and opts and all(isinstance(o, str) and o for o in opts) and
           len(set(opts)) == len(opts), "%s: options %r" % (what, opts))


def check_switch(cfg, what):
    expect(set(cfg) <= SWITCH_KEYS, "%s: keys not in the switch schema: %r" % (what, set(cfg) - SWITCH_KEYS))
    tm.check_common(cfg, what)
    topic_field(cfg, "command_topic")
    topic_field(cfg, "state_topic")


class House:
    """household-emulator at EMU_ADDR, its report in a file."""

    def __init__(self, s, path):
        self.report_path = os.path.join(s.tmp, "house.json")
        self.emu = te.Emulator(path, s.udp_port, ["--start", START, "--speed", "0", "--report", self.report_path,
                                                  "--meter-start", str(METER_START), "--meter-coefficient", str(COEFFICIENT),
                                                  "--meter-unit", "%02x" % UNIT_CODE], bind=EMU_ADDR)
        s.things.append(self.emu)
        self.s = s

    def report(self):
        """The emulator's figures now (SIGUSR1, then the file)."""
        before = os.stat(self.report_path).st_mtime_ns if os.path.exists(self.report_path) else None
        self.emu.proc.send_signal(signal.SIGUSR1)
        end = time.monotonic() + STEP
        while time.monotonic() < end:
            if os.path.exists(self.report_path) and os.stat(self.report_path).st_mtime_ns != before:
                time.sleep(0.1)
                with open(self.report_path) as f:
                    return json.load(f)
            time.sleep(0.05)
        raise Failure("no report within %d s" % STEP)

    def value(self, eoj, epc):
        """The emulated object's value, by an ECHONET Lite Get from the test."""
        c = te.Client(self.s.net, self.s.udp_port, local=PROBE_ADDR, remote=EMU_ADDR)
        try:
            return c.get_value(eoj, epc)
        finally:
            c.close()

    def wait_value(self, eoj, epc, want, what):
        end = time.monotonic() + STEP
        got = None
        while time.monotonic() < end:
            got = self.value(eoj, epc)
            if got == want:
                return
            time.sleep(0.2)
        raise Failure("%s: %s 0x%02x is %r, want %r" % (what, eoj, epc, got, want))


def debug_topics(sub):
    return sorted(set(t for _, t, _ in sub.seen if t.endswith("/config")))


def configs(retained):
    """component -> {topic: parsed config} of the retained discovery."""
    out = {}
    for topic, payload in retained.items():
        parts = topic.split("/")
        if parts[0] != "homeassistant" or parts[-1] != "config" or not payload:
            continue
        try:
            cfg = json.loads(payload)
        except ValueError:
            raise Failure("discovery %s is not JSON: %r" % (topic, payload))
        out.setdefault(parts[1], {})[topic] = cfg
    return out


def start(s, house_path):
    b = s.broker()
    house = House(s, house_path)
    ctl = s.controller("--mqtt", "127.0.0.1:%d" % b.port)
    sub = s.sub(b)
    try:
        sub.topic("homeassistant/light/%s/config" % key_of(LIGHTING), what="the lighting's discovery",
                  timeout=3 * STEP, since=0)
    except Failure as e:
        raise Failure("%s; discovery seen: %r" % (e, debug_topics(sub)))
    sub.topic("homeassistant/select/%s_operation_mode/config" % key_of(BATTERY),
              what="the battery's discovery", timeout=3 * STEP, since=0)
    sub.topic("homeassistant/sensor/%s_power_w/config" % key_of(METER), what="the meter's discovery",
              timeout=3 * STEP, since=0)
    return b, house, ctl, sub


def read_all(b, sub):
    """Has the controller read what the entities show (a get per object),
    and waits for the ends of the reads."""
    gets = {METER: "e7 e0 e3 ea eb", PV: "e0 e1", BATTERY: "e4 d3 da", FUEL_CELL: "c4 c5", HEATER: "80 84 85",
            LIGHTING: "80 b0 84 85"}
    mark = sub.mark()
    for eoj, epcs in gets.items():
        tm.pub(b, "echonet/command", "get %s %s %s" % (EMU_ADDR, eoj, epcs))
    for eoj in gets:
        sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("event") == "read" and
                   json.loads(p).get("eoj") == eoj, "the read of %s" % eoj, since=mark)
    time.sleep(0.5)


def state_of(b, eoj):
    got = tm.snapshot(b)
    topic = "echonet/%s/state" % key_of(eoj)
    expect(topic in got, "no retained state %s: %r" % (topic, sorted(got)))
    return json.loads(got[topic])


# ---- Cases ---------------------------------------------------------------------------------

CASES = []
case = tm.case_into(CASES)


@case("discovery: meter, PV, battery, fuel cell, water heater and lighting valid for Home Assistant, with the "
      "device classes, units and state classes of their values")
def _(s):
    b, house, ctl, sub = start(s, s.house_path)
    time.sleep(1)
    got = tm.snapshot(b)
    comp = configs(got)
    sensors = comp.get("sensor", {})
    for eoj, fields in SENSORS.items():
        for field, want in fields.items():
            topic = "homeassistant/sensor/%s_%s/config" % (key_of(eoj), field)
            expect(topic in sensors, "no %s sensor %s: %r" % (eoj, field, sorted(sensors)))
            cfg = sensors[topic]
            check_sensor(cfg, topic, want)
            expect(tm.template_key(cfg["value_template"]) == field, "%s: template %r" % (topic, cfg))
            expect(cfg["state_topic"] == "echonet/%s/state" % key_of(eoj), "%s: state_topic %r" %
                   (topic, cfg["state_topic"]))
            expect(cfg["device"]["identifiers"] == ["echonet_%s" % key_of(eoj)], "%s: device %r" %
                   (topic, cfg["device"]))
    expect(not comp.get("climate"), "a climate entity for a house without air conditioner: %r" %
           list(comp.get("climate", {})))
    light = comp.get("light", {}).get("homeassistant/light/%s/config" % key_of(LIGHTING))
    expect(light is not None, "no light: %r" % comp.get("light"))
    check_light(light, "light")
    for k in ("state_value_template", "brightness_value_template"):
        expect(isinstance(light.get(k), str), "light: no %s" % k)
    select = comp.get("select", {}).get("homeassistant/select/%s_operation_mode/config" % key_of(BATTERY))
    expect(select is not None, "no battery mode select: %r" % comp.get("select"))
    check_select(select, "select")
    # The modes a controller may write (the class table): 0x40-0x46, 0x48, 0x49; 0x47 is not one.
    expect({"charging", "discharging", "standby", "automatic"} <= set(select["options"]) and
           len(select["options"]) == 9, "select options %r" % select["options"])
    switch = comp.get("switch", {}).get("homeassistant/switch/%s/config" % key_of(HEATER))
    expect(switch is not None, "no water heater switch: %r" % comp.get("switch"))
    check_switch(switch, "switch")
    ids = [c["unique_id"] for cs in comp.values() for c in cs.values()]
    expect(len(ids) == len(set(ids)), "unique_ids not unique: %r" % ids)
    # Every template names a field of the published state, every availability is online.
    read_all(b, sub)
    got = tm.snapshot(b)
    for cs in comp.values():
        for topic, cfg in cs.items():
            state = json.loads(got[cfg["state_topic"]])
            for k in ("value_template", "state_value_template", "brightness_value_template"):
                if k in cfg:
                    expect(tm.template_key(cfg[k]) in state, "%s: %s %r not in the state %r" %
                           (topic, k, cfg[k], state))
            for a in cfg["availability"]:
                expect(got.get(a["topic"]) == "online", "%s: availability %s %r" %
                       (topic, a["topic"], got.get(a["topic"])))


def wait_state(sub, eoj, pred, what, timeout=2 * STEP):
    """The latest state of eoj once pred holds for it."""
    topic = "echonet/%s/state" % key_of(eoj)
    _, _, payload = sub.expect(lambda r, t, p: t == topic and pred(json.loads(p)), what, timeout=timeout, since=0)
    return json.loads(payload)


def known(*fields):
    return lambda st: all(st.get(f) is not None for f in fields)


@case("state: what the controller reads by itself (class profiles) matches the emulator's report; the meter's "
      "energy from EA then E0 with D3 and E1; no-data codes never published as numbers")
def _(s):
    b, house, ctl, sub = start(s, s.house_path)
    # No get: the controller's own status reads of each class.
    meter = wait_state(sub, METER, known("power_w"), "the meter's power")
    pv = wait_state(sub, PV, known("generation_w", "generated_kwh"), "the PV's figures")
    battery = wait_state(sub, BATTERY, known("battery_pct", "battery_w", "operation_mode"), "the battery's figures")
    fuel = wait_state(sub, FUEL_CELL, known("generation_w", "generated_kwh"), "the fuel cell's figures")
    heater = wait_state(sub, HEATER, known("power"), "the water heater's 0x80")
    light = wait_state(sub, LIGHTING, known("power", "brightness"), "the lighting's 0x80 and 0xB0")
    time.sleep(1)
    meter = state_of(b, METER)
    rep = house.report()
    p = rep["power_w"]
    expect(rep["meter"]["coefficient"] == COEFFICIENT and rep["meter"]["unit"] == UNIT_CODE,
           "the emulator's meter settings %r" % rep["meter"])
    expect(meter["power_w"] == rep["meter"]["e7"] == p["grid"], "meter power %r, report %r" %
           (meter["power_w"], rep["meter"]))
    # EA and EB: no data before the first half-hour boundary (0xFFFFFFFE), and E0 not read: no number.
    ea = house.value(METER, 0xEA)
    expect(ea[-4:] == b"\xff\xff\xff\xfe", "EA %r: the test expects no data yet" % ea)
    expect(meter["energy_kwh"] is None and meter["sold_kwh"] is None, "energy from no data: %r" % meter)
    expect(pv["generation_w"] == p["pv"] and p["pv"] > 0, "PV %r, report %r" % (pv, p))
    e1 = int.from_bytes(house.value(PV, 0xE1), "big")
    expect(abs(pv["generated_kwh"] - e1 / 1000.0) < 1e-6, "PV energy %r, E1 %d Wh" % (pv["generated_kwh"], e1))
    expect(battery["battery_w"] == p["battery"], "battery power %r, report %r" % (battery["battery_w"], p))
    soc = rep["battery"]["soc_wh"] * 100 / rep["battery"]["capacity_wh"]
    expect(abs(battery["battery_pct"] - soc) <= 1, "battery %r %%, report %.1f %%" % (battery["battery_pct"], soc))
    expect(battery["operation_mode"] == "automatic" and rep["battery"]["mode"] == 0x46,
           "battery mode %r, report %r" % (battery["operation_mode"], rep["battery"]))
    expect(fuel["generation_w"] == p["fuel_cell"], "fuel cell %r, report %r" % (fuel, p))
    expect(heater["power"] == "on", "water heater %r" % heater)
    expect(light["power"] == ("on" if rep["lighting"]["on"] else "off") and
           light["brightness"] == rep["lighting"]["brightness"], "lighting %r, report %r" % (light, rep["lighting"]))
    # 0x84 of the water heater and the lighting: read as energy figures.
    tm.pub(b, "echonet/command", "get %s %s 84" % (EMU_ADDR, HEATER))
    heater = wait_state(sub, HEATER, lambda st: st.get("power_w") == p["heater"], "the water heater's 0x84")
    # Half an hour later the meter announces EA and EB at 12:30: the energy is EA's register x D3 x E1.
    house.emu.proc.stdin.write(b"advance 30\n")
    house.emu.proc.stdin.flush()
    meter = wait_state(sub, METER, known("energy_kwh", "sold_kwh"), "the meter's energy from EA", timeout=3 * STEP)
    rep = house.report()
    expect(rep["meter"]["fixed_time"].startswith("2026-12-01T12:30") and rep["meter"]["ea"] >= 1234,
           "report %r" % rep["meter"])
    for field, reg in (("energy_kwh", "ea"), ("sold_kwh", "eb")):
        want = rep["meter"][reg] * COEFFICIENT * 0.01
        expect(abs(meter[field] - want) < 1e-6, "meter %s %r, want %r (EA/EB register %d)" %
               (field, meter[field], want, rep["meter"][reg]))
    # E0 and E3 read (now, 12:40): the later register, larger than EA's when it moved.
    tm.pub(b, "echonet/command", "get %s %s e0 e3" % (EMU_ADDR, METER))
    want = {f: rep["meter"][r] * COEFFICIENT * 0.01 for f, r in (("energy_kwh", "e0"), ("sold_kwh", "e3"))}
    meter = wait_state(sub, METER, lambda st: all(st[f] is not None and abs(st[f] - w) < 1e-6
                                                  for f, w in want.items()),
                       "the meter's energy from E0/E3 %r" % want)
    for st in (meter, pv, battery, fuel, heater, light):
        for k, v in st.items():
            expect(v not in (0xFFFFFFFE, 0x7FFFFFFE, 0xFFFE, 0xFFFD, 0xFD), "%s = %r" % (k, v))


@case("commands: the lighting switched and dimmed, the battery's mode selected; values the class table refuses "
      "never sent")
def _(s):
    b, house, ctl, sub = start(s, s.house_path)
    comp = configs(tm.snapshot(b))
    light = comp["light"]["homeassistant/light/%s/config" % key_of(LIGHTING)]
    select = comp["select"]["homeassistant/select/%s_operation_mode/config" % key_of(BATTERY)]
    tm.pub(b, light["brightness_command_topic"], "40")
    house.wait_value(LIGHTING, 0xB0, bytes([40]), "brightness 40")
    tm.pub(b, light["command_topic"], light.get("payload_on", "ON"))
    house.wait_value(LIGHTING, 0x80, b"\x30", "lighting on")
    rep = house.report()
    expect(rep["lighting"] == {"on": True, "brightness": 40}, "report %r" % rep["lighting"])
    sub.expect(lambda r, t, p: t == light["state_topic"] and json.loads(p).get("power") == "on" and
               json.loads(p).get("brightness") == 40, "the lighting's state on at 40 %")
    tm.pub(b, select["command_topic"], "charging")
    house.wait_value(BATTERY, 0xDA, b"\x42", "battery charging")
    sub.expect(lambda r, t, p: t == select["state_topic"] and json.loads(p).get("operation_mode") == "charging",
               "the battery's state in charging")
    expect(house.report()["battery"]["mode"] == 0x42, "report %r" % house.report()["battery"])
    # Refused before anything is sent: 150 % (the class table's 0-100), a mode that is none.
    tm.pub(b, light["brightness_command_topic"], "150")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("event") == "error" and
               json.loads(p).get("code") == "ECHONET_ERR_VALUE", "the refusal of 150 %")
    tm.pub(b, select["command_topic"], "warp")
    sub.expect(lambda r, t, p: t == "echonet/events" and json.loads(p).get("code") == "bad_command",
               "an unknown mode refused")
    tm.pub(b, light["command_topic"], light.get("payload_off", "OFF"))
    house.wait_value(LIGHTING, 0x80, b"\x31", "lighting off")
    expect(house.value(LIGHTING, 0xB0) == bytes([40]), "a refused brightness reached the unit")


@case("availability: every object of the house offline when the emulator stops, online when it returns")
def _(s):
    b, house, ctl, sub = start(s, s.house_path)
    mark = sub.mark()
    for eoj in NUMBER:
        sub.topic("echonet/%s/availability" % key_of(eoj), "online", since=0)
    house.emu.kill()
    # A read without answer: 20 s of response wait and a second attempt
    # (AIF 2.4.2, 2.4.3), offline after 1 (--offline-after 1).
    tm.pub(b, "echonet/command", "get %s %s e7" % (EMU_ADDR, METER))
    mark = sub.mark()
    for eoj in NUMBER:
        sub.topic("echonet/%s/availability" % key_of(eoj), "offline", "%s offline" % eoj, timeout=60, since=mark)
    House(s, s.house_path)  # announces its instance list at start
    for eoj in NUMBER:
        sub.topic("echonet/%s/availability" % key_of(eoj), "online", "%s online again" % eoj, timeout=30,
                  since=mark)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ctl_path, house_path = (os.path.abspath(p) for p in sys.argv[1:])
    missing = [p for p in ("mosquitto", "mosquitto_sub", "mosquitto_pub") if not shutil.which(p)]
    if missing:
        print("FAIL: not installed: %s (Debian packages mosquitto, mosquitto-clients)" % " ".join(missing))
        sys.exit(1)
    tm.run_cases(CASES, ctl_path, house_path, __file__, prepare=lambda s: setattr(s, "house_path", house_path))


if __name__ == "__main__":
    main()
