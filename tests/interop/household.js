// Interop peer: the `echonet-lite` npm package (Hiroshi Sugimura's
// echonet-lite.js) as a controller against examples/household-emulator, one
// node of six objects built on libechonet's generated class tables.
//
// The emulator runs with its clock stopped (--speed 0) from
// 2026-12-01T00:00, its meter at 99 999 000 Wh of 8 digits (so that E0
// wraps within the test), and writes its figures to REPORT_FILE after each
// `advance` or `report` command on its standard input (the FIFO EMU_STDIN).
// The checks:
//   1. the start-up INF 0xD5 and EL.search() find the six objects;
//   2. the storage battery 0x027D01: Get 0xDA is the reported mode (0x46),
//      SetC 0xDA = 0x42 (charging) is accepted, announced (INF 0xDA) and
//      read back, and the working status 0xCF follows (INF 0xCF = 0x42);
//      0x47 (no mode of the class) is refused with SetC_SNA; the lighting
//      0x029001 is switched on (INF 0x80) at 50 %, and the report shows it;
//   3. 90 minutes of house time pass (`advance 90`): the meter announces
//      EA (INF) of 01:30; the values read from
//      the smart meter 0x028801 (E7, E0, E3, D3, E1, D7, EA, EB), the
//      battery (D3, E2, A8, CF) and the PV (E0, E1) equal the report's,
//      and the meter's E0 converted with D3, E1 and D7 is the report's
//      import to the Wh (wrapped at 10^D7);
//   4. SetC 0xE5 = 0, then Get 0xE2: day 0, the 00:00 reading, the reading
//      of the fixed time 01:30 at slot 3, no data after it.
//
// Run by household.sh inside a network namespace; see common.js for the
// environment (and REPORT_FILE, the emulator's --report).
'use strict';

const fs = require('fs');
const C = require('./common.js');
const { tap } = require('./el-tap.js');
const EL = require('echonet-lite');
const version = require('echonet-lite/package.json').version;

const checks = new C.Checks('echonet-lite@' + version + ' against household-emulator');
const emu = C.env.emu;
const CONTROLLER = '05ff01';
const METER = '028801';
const PV = '027901';
const BATTERY = '027d01';
const LIGHT = '029001';
const OBJECTS = ['028801', '027901', '027d01', '027c01', '026b01', '029001'];
const NO_DATA = 0xFFFFFFFE;

const T = tap(EL, emu);
const { tx, rx, reply, inf, propOf } = T;
const hexByte = (n) => n.toString(16).padStart(2, '0');
const tidOf = (pair) => pair[0] * 256 + pair[1];
const fromEmu = T.fromEmu;

// The emulator's report once it says `minutes` minutes have passed (and
// `also(report)` holds).
function report(minutes, also) {
    return C.waitFor(() => {
        try {
            const r = JSON.parse(fs.readFileSync(process.env.REPORT_FILE, 'utf8'));
            return r.minutes === minutes && (!also || also(r)) ? r : null;
        } catch (e) {
            return null;
        }
    }, 5000);
}

// Get of several EPCs of one object: the answer's values by EPC (Buffers), or null.
async function get(eoj, list) {
    const tid = tidOf(await EL.sendDetails(emu, CONTROLLER, eoj, EL.GET, list.map((e) => ({ [hexByte(e)]: '' }))));
    const res = await reply(tid, 5000);
    if (!checks.check(res && res.f.esv === 0x72, 'Get ' + eoj + ' ' + C.epcs(list) + ': Get_Res',
        res ? C.spaced(Buffer.from(res.hex, 'hex')) : 'no answer')) return null;
    const out = {};
    for (const p of res.f.props) out[p.epc] = p.edt;
    return out;
}
async function setc(eoj, epc, value) {
    const tid = tidOf(EL.sendOPC1(emu, CONTROLLER, eoj, EL.SETC, epc, value));
    return reply(tid, 5000);
}

// Decodings of the meter's values.
const u32 = (b) => b.readUInt32BE(0);
const s32 = (b) => b.readInt32BE(0);
const dateTime = (b) => {
    const p2 = (n) => String(n).padStart(2, '0');
    return b.readUInt16BE(0) + '-' + p2(b[2]) + '-' + p2(b[3]) + 'T' + p2(b[4]) + ':' + p2(b[5]) + ':' + p2(b[6]);
};
// E1 code -> Wh per unit, as [numerator, denominator].
const UNIT_WH = { 0: [1000, 1], 1: [100, 1], 2: [10, 1], 3: [1, 1], 4: [1, 10],
    10: [10000, 1], 11: [100000, 1], 12: [1000000, 1], 13: [10000000, 1] };

async function main() {
    const sock = await EL.initialize([CONTROLLER], T.userfunc, 4, {
        v4: C.env.self, ignoreMe: true, autoGetProperties: false, debugMode: false,
    });
    await new Promise((resolve) => {
        try { sock.address(); resolve(); } catch (e) { sock.once('listening', resolve); }
    });
    await C.sleep(100);
    C.signalReady();
    console.log('# bound to UDP 3610 on ' + C.env.self + ', waiting for the household emulator');

    // 1. Start-up INF 0xD5 and discovery.
    const list = '06' + OBJECTS.join('');
    const d5 = await C.waitFor(() => rx.find((r) => fromEmu(r) && r.f.esv === 0x73 && propOf(r.f, 0xD5)), 15000);
    checks.check(d5 && C.hex(propOf(d5.f, 0xD5).edt) === list, 'start-up INF 0xD5 lists the six objects',
        d5 && C.hex(propOf(d5.f, 0xD5).edt));
    const before = tx.length;
    EL.search();
    const search = await C.waitFor(() => tx.slice(before).find((s) => s.to === '224.0.23.0'), 2000);
    const found = search && await reply(parseInt(search.hex.slice(4, 8), 16), 5000);
    const d6 = found && propOf(found.f, 0xD6);
    checks.check(d6 && C.hex(d6.edt) === list, 'EL.search() found the node: 0xD6 lists the six objects',
        d6 && C.hex(d6.edt));
    if (!d5 && !found) {
        checks.fail('the emulator was neither heard nor found: giving up');
        return;
    }
    const maps = await get(BATTERY, [0x9D, 0x9E, 0x9F]);
    if (maps) {
        checks.check(C.decodeMap(maps[0x9E]).includes(0xDA), 'battery Set map has 0xDA', C.epcs(C.decodeMap(maps[0x9E])));
        checks.check(C.decodeMap(maps[0x9D]).includes(0xCF), 'battery announce map has 0xCF', C.epcs(C.decodeMap(maps[0x9D])));
    }

    // 2. The battery's operation mode, read and written.
    C.emulatorCommand('report');
    let rep = await report(0);
    if (!checks.check(rep, 'the emulator reported (minute 0)')) return;
    let v = await get(BATTERY, [0xDA, 0xCF]);
    checks.check(v && v[0xDA][0] === rep.battery.mode, 'battery 0xDA = the reported mode (0x46 automatic)',
        v && C.hex(v[0xDA]));
    let mark = rx.length;
    let res = await setc(BATTERY, 0xDA, '42');
    checks.check(res && res.f.esv === 0x71, 'SetC 0xDA = 0x42 (charging): Set_Res', res && C.spaced(Buffer.from(res.hex, 'hex')));
    checks.check(await inf(mark, BATTERY, 0xDA, '42', 3000), 'INF 0xDA = 42 announced');
    checks.check(await inf(mark, BATTERY, 0xCF, '42', 3000), 'INF 0xCF = 42 (working status: charging) announced');
    v = await get(BATTERY, [0xDA, 0xCF, 0xD3]);
    checks.check(v && C.hex(v[0xDA]) === '42' && C.hex(v[0xCF]) === '42', 'read back 0xDA = 42, 0xCF = 42',
        v && C.hex(v[0xDA]) + ' ' + C.hex(v[0xCF]));
    checks.check(v && s32(v[0xD3]) === 3000, 'battery 0xD3 = +3000 W (charging at its largest power)', v && s32(v[0xD3]));
    res = await setc(BATTERY, 0xDA, '47');
    checks.check(res && res.f.esv === 0x51 && C.hex(res.f.props[0].edt) === '47',
        'SetC 0xDA = 0x47 (no mode of the class): SetC_SNA, value echoed', res && C.spaced(Buffer.from(res.hex, 'hex')));

    // The lights: on, at 50 %; the report sees them and their 40 W.
    mark = rx.length;
    res = await setc(LIGHT, 0x80, '30');
    checks.check(res && res.f.esv === 0x71, 'SetC lighting 0x80 = 0x30 (on): Set_Res');
    checks.check(await inf(mark, LIGHT, 0x80, '30', 3000), 'INF lighting 0x80 = 30 announced');
    res = await setc(LIGHT, 0xB0, '32');
    checks.check(res && res.f.esv === 0x71, 'SetC lighting 0xB0 = 50 %: Set_Res');
    C.emulatorCommand('report');
    rep = await report(0, (r) => r.lighting.on && r.lighting.brightness === 50);
    checks.check(rep && rep.power_w.light === 40, 'the report: lighting on at 50 %, 40 W', rep && JSON.stringify(rep.lighting));
    v = await get(LIGHT, [0x80, 0xB0, 0x84]);
    checks.check(v && C.hex(v[0x80]) === '30' && v[0xB0][0] === 50 && v[0x84].readUInt16BE(0) === 40,
        'read back lighting 0x80 = 30, 0xB0 = 50, 0x84 = 40 W', v && [0x80, 0xB0, 0x84].map((e) => C.hex(v[e])).join(' '));

    // 3. 90 minutes of house time, then the meter, battery and PV against the report.
    mark = rx.length;
    C.emulatorCommand('advance 90');
    rep = await report(90);
    if (!checks.check(rep && rep.time === '2026-12-01T01:30:00', 'the emulator reported after 90 minutes', rep && rep.time)) return;
    const ea = '07ea0c01011e00' + rep.meter.ea.toString(16).padStart(8, '0');
    checks.check(await inf(mark, METER, 0xEA, ea, 3000), 'INF EA (01:30, the reported register) announced', ea);
    console.log('# report: ' + JSON.stringify({ meter: rep.meter, energy_wh: rep.energy_wh, battery: rep.battery }));
    const m = await get(METER, [0xE7, 0xE0, 0xE3, 0xD3, 0xE1, 0xD7, 0xEA, 0xEB]);
    if (m) {
        const mr = rep.meter;
        checks.check(s32(m[0xE7]) === mr.e7, 'meter E7 = the reported ' + mr.e7 + ' W', s32(m[0xE7]));
        checks.check(mr.e7 > 0, 'the house imports (charging at night)');
        checks.check(u32(m[0xE0]) === mr.e0, 'meter E0 = the reported register ' + mr.e0, u32(m[0xE0]));
        checks.check(u32(m[0xE3]) === mr.e3, 'meter E3 = the reported register ' + mr.e3, u32(m[0xE3]));
        checks.check(u32(m[0xD3]) === mr.coefficient, 'meter D3 = ' + mr.coefficient, u32(m[0xD3]));
        checks.check(m[0xE1][0] === mr.unit, 'meter E1 = ' + mr.unit, m[0xE1][0]);
        checks.check(m[0xD7][0] === mr.digits, 'meter D7 = ' + mr.digits, m[0xD7][0]);
        checks.check(m[0xEA].length === 11 && dateTime(m[0xEA]) === mr.fixed_time && u32(m[0xEA].subarray(7)) === mr.ea,
            'meter EA = ' + mr.fixed_time + ', ' + mr.ea, C.hex(m[0xEA]));
        checks.check(m[0xEB].length === 11 && dateTime(m[0xEB]) === mr.fixed_time && u32(m[0xEB].subarray(7)) === mr.eb,
            'meter EB = ' + mr.fixed_time + ', ' + mr.eb, C.hex(m[0xEB]));
        // The controller's arithmetic: Wh = register x D3 x unit, modulo 10^D7.
        const [num, den] = UNIT_WH[m[0xE1][0]] || [0, 1];
        const wrap = 10 ** m[0xD7][0];
        const wh = u32(m[0xE0]) * u32(m[0xD3]) * num / den;
        const expected = (rep.meter.start_wh + rep.energy_wh.import) % wrap;
        checks.check(wh === expected, 'E0 x D3 x E1 = (meter start + reported import) mod 10^D7 = ' + expected + ' Wh', wh);
        checks.check(u32(m[0xE0]) < rep.meter.start_wh, 'E0 wrapped at 10^D7', u32(m[0xE0]));
    }
    const b = await get(BATTERY, [0xD3, 0xE2, 0xA8, 0xCF]);
    if (b) {
        checks.check(s32(b[0xD3]) === rep.power_w.battery, 'battery D3 = the reported ' + rep.power_w.battery + ' W', s32(b[0xD3]));
        checks.check(u32(b[0xE2]) === rep.battery.soc_wh, 'battery E2 = the reported ' + rep.battery.soc_wh + ' Wh', u32(b[0xE2]));
        checks.check(u32(b[0xA8]) === rep.energy_wh.charge, 'battery A8 = the reported charge ' + rep.energy_wh.charge + ' Wh',
            u32(b[0xA8]));
    }
    const p = await get(PV, [0xE0, 0xE1]);
    if (p) {
        checks.check(p[0xE0].readUInt16BE(0) === rep.power_w.pv, 'PV E0 = the reported ' + rep.power_w.pv + ' W (night)');
        checks.check(u32(p[0xE1]) === rep.energy_wh.pv, 'PV E1 = the reported ' + rep.energy_wh.pv + ' Wh');
    }

    // 4. The 30-minute history of today.
    res = await setc(METER, 0xE5, '00');
    checks.check(res && res.f.esv === 0x71, 'SetC E5 = 0 (today): Set_Res');
    const h = await get(METER, [0xE2]);
    if (h && checks.check(h[0xE2].length === 194, 'E2 is 194 bytes', h[0xE2].length)) {
        const e2 = h[0xE2];
        const slot = (i) => e2.readUInt32BE(2 + 4 * i);
        checks.check(e2.readUInt16BE(0) === 0, 'E2 day = 0');
        checks.check(slot(0) === rep.meter.start_wh, 'E2 slot 0 (00:00) = the start reading', slot(0));
        checks.check(slot(3) === rep.meter.ea, 'E2 slot 3 (01:30) = EA', slot(3));
        const later = [];
        for (let i = 4; i < 48; i++) later.push(slot(i));
        checks.check(later.every((x) => x === NO_DATA), 'E2 slots 4-47 are no data (0xFFFFFFFE)');
    }

    checks.check(T.libErrors.length === 0, 'the library parsed every datagram without an exception', T.libErrors.join('; '));
    const bad = rx.filter((r) => r.from === emu && !r.f);
    checks.check(bad.length === 0, 'every datagram from the emulator is a well-formed frame');
}

checks.atFinish.push(T.trace);
main().catch((e) => checks.fail('exception: ' + (e && e.stack || e))).finally(() => {
    checks.finish(() => EL.release());
});
