// Interop peer: the `echonet-lite` npm package (Hiroshi Sugimura's
// echonet-lite.js) as a controller against examples/aircon-emulator.
//
// The library is a whole node: EL.initialize() binds UDP 3610, joins
// 224.0.23.0 and announces its own instance list; EL.search() multicasts
// Get {D6,83,9D,9E,9F} to the node profile; with autoGetProperties it then
// fetches every object's property maps and every property in each Get map by
// itself and keeps the values in EL.facilities. The checks below look at
// both the library's view (EL.facilities, the parsed ELDATA) and the exact
// bytes received (decoded by common.js).
//
// Run by run.sh inside a network namespace; see common.js for the environment.
'use strict';

const C = require('./common.js');
const { tap } = require('./el-tap.js');
const EL = require('echonet-lite');
const version = require('echonet-lite/package.json').version;

const checks = new C.Checks('echonet-lite@' + version);
const emu = C.env.emu;
const CONTROLLER = '05ff01';
const AIRCON = '013001';

// Every datagram the library sends or receives, with our own decoding.
const T = tap(EL, emu);
const { tx, rx, reply, inf, propOf, fromEmu } = T;
const hexByte = (n) => n.toString(16).padStart(2, '0');
const tidOf = (pair) => pair[0] * 256 + pair[1];
const facility = (eoj) => (EL.facilities[emu] || {})[eoj] || {};

// The library's maps in EL.facilities are count + EPC list (form 2 is
// converted), so they are read as a list here.
function libMap(s) {
    if (typeof s !== 'string' || s.length < 2) return null;
    const b = Buffer.from(s, 'hex');
    return b[0] === b.length - 1 ? [...b.subarray(1)] : null;
}

async function main() {
    // 1. Start as the library's documentation shows; bind before the emulator starts.
    const sock = await EL.initialize([CONTROLLER], T.userfunc, 4, {
        v4: C.env.self, ignoreMe: true, autoGetProperties: true, autoGetDelay: 100, debugMode: false,
    });
    await new Promise((resolve) => {
        try { sock.address(); resolve(); } catch (e) { sock.once('listening', resolve); }
    });
    await C.sleep(100); // the bind callback joins 224.0.23.0
    C.signalReady();
    console.log('# bound to UDP 3610 on ' + C.env.self + ', waiting for the emulator to start');

    // 2. The emulator's start-up announcement: INF 0xD5 to the multicast group.
    const d5 = await C.waitFor(() => rx.find((r) => fromEmu(r) && r.f.esv === 0x73 && propOf(r.f, 0xD5)), 15000);
    if (checks.check(d5, 'start-up INF 0xD5 received by multicast', d5 && C.spaced(Buffer.from(d5.hex, 'hex')))) {
        checks.check(d5.f.seoj === '0ef001' && d5.f.deoj === '0ef001', 'start-up INF is 0EF001 -> 0EF001',
            d5.f.seoj + ' -> ' + d5.f.deoj);
        checks.check(C.hex(propOf(d5.f, 0xD5).edt) === '01013001', '0xD5 lists exactly 013001');
        checks.check(d5.els && d5.els.DETAILs && d5.els.DETAILs.d5 === '01013001', 'the library parsed 0xD5 = 01013001',
            d5.els && JSON.stringify(d5.els.DETAILs));
    }

    // 3. Discovery the library's way: multicast Get {D6,83,9D,9E,9F} to 0EF001.
    const before = tx.length;
    EL.search();
    const search = await C.waitFor(() => tx.slice(before).find((s) => s.to === '224.0.23.0'), 2000);
    checks.check(search, 'EL.search() sent a multicast request', search && search.hex);
    const searchTid = search ? parseInt(search.hex.slice(4, 8), 16) : -1;
    const found = await reply(searchTid, 5000);
    if (checks.check(found, 'the emulator answered the multicast search (unicast)',
        found && found.from + ':' + found.port + ' ' + C.spaced(Buffer.from(found.hex, 'hex')))) {
        const f = found.f;
        checks.check(f.esv === 0x72 && f.seoj === '0ef001', 'search answer is Get_Res from 0EF001',
            'ESV ' + hexByte(f.esv) + ' SEOJ ' + f.seoj);
        checks.check(f.props.map((p) => p.epc).join() === [0xD6, 0x83, 0x9D, 0x9E, 0x9F].join(),
            'search answer keeps the request order D6,83,9D,9E,9F');
        const d6 = propOf(f, 0xD6);
        checks.check(d6 && C.hex(d6.edt) === '01013001', 'node profile 0xD6 = 01 01 30 01');
    }
    if (!found && !d5) {
        checks.fail('the emulator was neither heard nor found: giving up');
        return;
    }

    // 4. The library's automatic acquisition fills EL.facilities: every EPC of
    //    both Get maps (it skips D6/9D/9E/9F, which the search already fetched).
    const complete = (eoj) => {
        const fac = facility(eoj);
        const map = libMap(fac['9f']);
        return map && map.every((e) => fac[hexByte(e)] !== undefined && fac[hexByte(e)] !== '') ? map : null;
    };
    const npMap = await C.waitFor(() => complete('0ef001'), 10000);
    const acMap = await C.waitFor(() => complete(AIRCON), 10000);
    checks.check(npMap, 'the library read every property of the node profile Get map',
        npMap ? C.epcs(npMap) : JSON.stringify(facility('0ef001')));
    checks.check(acMap, 'the library read every property of the aircon Get map',
        acMap ? C.epcs(acMap) : JSON.stringify(facility(AIRCON)));
    if (acMap) {
        checks.check(C.sameSet(acMap, C.AIRCON_GET), 'aircon Get map (library view) is the emulator\'s', C.epcs(acMap));
        checks.check(C.sameSet(libMap(facility(AIRCON)['9e']) || [], C.AIRCON_SET), 'aircon Set map (library view)',
            facility(AIRCON)['9e']);
        checks.check(C.sameSet(libMap(facility(AIRCON)['9d']) || [], C.AIRCON_ANNO), 'aircon announce map (library view)',
            facility(AIRCON)['9d']);
        for (const epc of acMap) {
            const v = Buffer.from(facility(AIRCON)[hexByte(epc)], 'hex');
            if (epc >= 0x9D && epc <= 0x9F) continue; // maps: checked on the raw bytes below
            const why = C.checkAirconValue(epc, v);
            checks.check(!why, 'aircon 0x' + hexByte(epc).toUpperCase() + ' plausible (library view)',
                C.spaced(v) + (why ? ': ' + why : ''));
        }
    }
    if (npMap) {
        for (const epc of npMap) {
            const v = Buffer.from(facility('0ef001')[hexByte(epc)], 'hex');
            const why = C.checkNodeValue(epc, v);
            checks.check(!why, 'node profile 0x' + hexByte(epc).toUpperCase() + ' plausible (library view)',
                C.spaced(v) + (why ? ': ' + why : ''));
        }
        checks.check(facility('0ef001')['8a'] === facility(AIRCON)['8a'], 'node profile and aircon agree on 0x8A');
    }

    // 5. AIF start-up step 3 from a controller object: Get {82,9D,9E,9F}, OPC = 4.
    const tidMaps = tidOf(await EL.sendDetails(emu, CONTROLLER, AIRCON, EL.GET, [{ 82: '' }, { '9d': '' }, { '9e': '' }, { '9f': '' }]));
    const maps = await reply(tidMaps, 5000);
    if (checks.check(maps, 'Get {82,9D,9E,9F} answered', maps && C.spaced(Buffer.from(maps.hex, 'hex')))) {
        const f = maps.f;
        checks.check(f.esv === 0x72 && f.opc === 4 && f.seoj === AIRCON && f.deoj === CONTROLLER,
            'Get_Res, OPC 4, 013001 -> 05FF01', 'ESV ' + hexByte(f.esv) + ' OPC ' + f.opc + ' ' + f.seoj + ' -> ' + f.deoj);
        const edt = (e) => { const p = propOf(f, e); return p ? C.hex(p.edt) : ''; };
        checks.check(edt(0x82) === '00004800', '0x82 = 00 00 48 00', edt(0x82));
        checks.check(edt(0x9d) === '068081888fa0b0', '0x9D = 06 80 81 88 8F A0 B0 (format 1)', edt(0x9d));
        checks.check(edt(0x9e) === '0780818f93a0b0b3', '0x9E = 07 80 81 8F 93 A0 B0 B3 (format 1)', edt(0x9e));
        checks.check(edt(0x9f) === C.AIRCON_GET_MAP_EDT, '0x9F = the reference\'s 17-EPC bitmap (format 2)', edt(0x9f));
        checks.check(maps.els && maps.els.DETAILs && maps.els.DETAILs['9f'] === '11' + C.AIRCON_GET.map(hexByte).join(''),
            'the library decoded the format-2 Get map', maps.els && maps.els.DETAILs['9f']);
    }

    // 6. Every Get-map property in one request (OPC 17), checked on the wire.
    const tidAll = tidOf(await EL.sendDetails(emu, CONTROLLER, AIRCON, EL.GET, C.AIRCON_GET.map((e) => ({ [hexByte(e)]: '' }))));
    const all = await reply(tidAll, 5000);
    const initial = {};
    if (checks.check(all && all.f.esv === 0x72 && all.f.opc === C.AIRCON_GET.length,
        'Get of all ' + C.AIRCON_GET.length + ' Get-map EPCs in one request: Get_Res', all && ('ESV ' + hexByte(all.f.esv) + ' OPC ' + all.f.opc))) {
        checks.check(all.f.props.map((p) => p.epc).join() === C.AIRCON_GET.join(), 'answer in request order');
        for (const p of all.f.props) {
            initial[p.epc] = C.hex(p.edt);
            const why = C.checkAirconValue(p.epc, p.edt);
            checks.check(!why, 'aircon 0x' + hexByte(p.epc).toUpperCase() + ' plausible (wire)', C.spaced(p.edt) + (why ? ': ' + why : ''));
        }
    }

    // 7. SetC from the controller object, one property at a time; read back;
    //    a change of a property in 0x9D must be announced.
    const writes = [[0x80, '30', 'ON'], [0xB0, '42', 'cooling'], [0xB3, '1a', '26 degC'], [0xA0, '33', 'fan level 3']];
    for (const [epc, value, what] of writes) {
        const E = hexByte(epc).toUpperCase();
        const mark = rx.length;
        const tid = tidOf(EL.sendOPC1(emu, CONTROLLER, AIRCON, EL.SETC, epc, value));
        const res = await reply(tid, 5000);
        const ok = res && res.f.esv === 0x71 && res.f.opc === 1 && res.f.props[0].epc === epc && res.f.props[0].edt.length === 0;
        checks.check(ok, 'SetC 0x' + E + ' = ' + value.toUpperCase() + ' (' + what + '): Set_Res, PDC 0',
            res ? C.spaced(Buffer.from(res.hex, 'hex')) : 'no answer');
        if (C.AIRCON_ANNO.includes(epc) && initial[epc] !== undefined && initial[epc] !== value) {
            const a = await inf(mark, AIRCON, epc, value, 3000);
            checks.check(a, 'the change of 0x' + E + ' was announced (INF ' + E + '=' + value.toUpperCase() + ')',
                a ? a.f.seoj + ' -> ' + a.f.deoj : 'no INF within 3 s');
        }
        const tidGet = tidOf(EL.sendOPC1(emu, CONTROLLER, AIRCON, EL.GET, epc, ''));
        const back = await reply(tidGet, 5000);
        const p = back && back.f.esv === 0x72 && propOf(back.f, epc);
        checks.check(p && C.hex(p.edt) === value, 'read back 0x' + E + ' = ' + value.toUpperCase(), p ? C.hex(p.edt) : 'no Get_Res');
        checks.check(facility(AIRCON)[hexByte(epc)] === value, 'EL.facilities shows 0x' + E + ' = ' + value.toUpperCase(),
            facility(AIRCON)[hexByte(epc)]);
    }

    // 8. Handset remote: `off` on the emulator's stdin => INF 0x80 = 0x31.
    const mcBefore = C.multicastSent();
    const mark = rx.length;
    C.emulatorCommand('off');
    const off = await inf(mark, AIRCON, 0x80, '31', 5000);
    if (checks.check(off, 'INF 0x80 = 31 received after `off` on the emulator',
        off && C.spaced(Buffer.from(off.hex, 'hex')))) {
        checks.check(off.f.deoj === '0ef001', 'announcement DEOJ is 0EF001', off.f.deoj);
        checks.check(C.multicastSent() > mcBefore, 'the emulator sent it to 224.0.23.0 (its log)');
        checks.check(facility(AIRCON)['80'] === '31', 'EL.facilities follows the announcement (0x80 = 31)');
    }
    const tidOff = tidOf(EL.sendOPC1(emu, CONTROLLER, AIRCON, EL.GET, 0x80, ''));
    const offBack = await reply(tidOff, 5000);
    const p80 = offBack && propOf(offBack.f, 0x80);
    checks.check(p80 && C.hex(p80.edt) === '31', 'read back 0x80 = 31', p80 ? C.hex(p80.edt) : 'no Get_Res');

    checks.check(T.libErrors.length === 0, 'the library parsed every datagram without an exception', T.libErrors.join('; '));
    const bad = rx.filter((r) => r.from === emu && !r.f);
    checks.check(bad.length === 0, 'every datagram from the emulator is a well-formed frame', bad.map((r) => r.hex).join(' '));
    const ports = [...new Set(rx.filter((r) => r.from === emu).map((r) => r.port))];
    console.log('# the emulator sent from UDP port(s) ' + ports.join(', '));
}

checks.atFinish.push(T.trace);
main().catch((e) => checks.fail('exception: ' + (e && e.stack || e))).finally(() => {
    checks.finish(() => EL.release());
});
