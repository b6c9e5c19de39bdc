// Interop peer: the `node-echonet-lite` npm package (Futomi Hatano) as a
// controller against examples/aircon-emulator.
//
// The library's API is request/callback: startDiscovery() multicasts Get 0xD6
// to the node profile class (DEOJ 0x0EF000) three times, one second apart;
// getPropertyMaps(), getPropertyValue() and setPropertyValue() send one
// unicast request each from 0x05FF01 and match the answer by TID alone;
// everything else (announcements) arrives as the 'notify' event. Values are
// parsed into objects ({status: true}, {mode: 2}, ...) and written from them.
// The checks look at both the library's parsed view and the exact bytes.
//
// Run by run.sh inside a network namespace; see common.js for the environment.
'use strict';

const C = require('./common.js');
const EchonetLite = require('node-echonet-lite');
const version = require('node-echonet-lite/package.json').version;

const checks = new C.Checks('node-echonet-lite@' + version);
const emu = C.env.emu;
const NODE = [0x0E, 0xF0, 0x01];
const AIRCON = [0x01, 0x30, 0x01];
const REPLY_MS = 5000;

const t0 = Date.now();
const trace = [];
const notified = [];
const hexByte = (n) => n.toString(16).padStart(2, '0');
const E = (n) => '0x' + hexByte(n).toUpperCase();
const eojHex = (eoj) => eoj.map(hexByte).join('');

const el = new EchonetLite({ type: 'lan', netif: C.env.self });
el.on('sent', (p) => trace.push([Date.now() - t0, 'out', p.device.address, p.buffer]));
el.on('data', (p) => trace.push([Date.now() - t0, 'in ', p.device.address + ':' + p.device.port, p.buffer]));
el.on('notify', (p) => notified.push(p));

// The library has no timeouts of its own: a request without an answer never
// calls back. Each call is given REPLY_MS here.
function call(method, ...args) {
    return new Promise((resolve) => {
        const t = setTimeout(() => resolve({ err: new Error('no answer within ' + REPLY_MS + ' ms'), res: null }), REPLY_MS);
        el[method](...args, (err, res) => {
            clearTimeout(t);
            resolve({ err, res });
        });
    });
}
const propOf = (res, epc) => res && res.message.prop.find((p) => p.epc === epc);
const raw = (res) => (res ? C.spaced(res.buffer) : '');

// An INF from `seoj` with epc = value among the notifications after `since`.
function inf(since, seoj, epc, value, ms) {
    return C.waitFor(() => notified.slice(since).find((n) => {
        const f = C.parseFrame(n.buffer);
        if (!f || n.device.address !== emu || f.esv !== 0x73 || f.seoj !== eojHex(seoj)) return false;
        const p = f.props.find((q) => q.epc === epc);
        return p && C.hex(p.edt) === value;
    }), ms);
}

async function main() {
    // 1. Open the socket (UDP 3610, 224.0.23.0 joined on SELF_ADDR).
    const init = await new Promise((resolve) => el.init((err) => resolve(err)));
    if (!checks.check(!init, 'init() bound UDP 3610 and joined 224.0.23.0', init && init.message)) return;
    // Quirk: init() leaves `initialized` false on success (`err ? true :
    // false`), so startDiscovery() would call init() again and re-create the
    // socket. Mark it initialized so one socket serves the whole run.
    el.initialized = true;
    C.signalReady();
    console.log('# bound to UDP 3610 on ' + C.env.self + ', waiting for the emulator to start');

    // 2. The emulator's start-up announcement, INF 0xD5, arrives as 'notify'.
    const d5 = await C.waitFor(() => notified.find((n) => n.device.address === emu && n.message.esv === 'INF' &&
        n.message.prop.some((p) => p.epc === 0xD5)), 15000);
    if (checks.check(d5, 'start-up INF 0xD5 received by multicast (notify event)', raw(d5))) {
        checks.check(eojHex(d5.message.seoj) === '0ef001' && eojHex(d5.message.deoj) === '0ef001',
            'start-up INF is 0EF001 -> 0EF001');
        const p = propOf(d5, 0xD5);
        checks.check(p.edt && JSON.stringify(p.edt.list) === JSON.stringify([AIRCON]),
            'the library parsed 0xD5 as [[1,48,1]]', JSON.stringify(p.edt));
    }

    // 3. Discovery the library's way: multicast Get 0xD6 to 0x0EF000.
    const found = await new Promise((resolve) => {
        const t = setTimeout(() => resolve(null), 6000);
        el.startDiscovery((err, res) => {
            if (err) { checks.fail('startDiscovery: ' + err.message); return; }
            if (res && res.device.address === emu) { clearTimeout(t); resolve(res); }
        });
    });
    el.stopDiscovery();
    if (checks.check(found, 'startDiscovery() found the emulator at ' + emu, raw(found))) {
        checks.check(found.message.esv === 'Get_Res' && eojHex(found.message.seoj) === '0ef001',
            'the answer to Get 0xD6 sent to 0EF000 is a Get_Res from 0EF001',
            found.message.esv + ' from ' + eojHex(found.message.seoj));
        checks.check(JSON.stringify(found.device.eoj) === JSON.stringify([AIRCON]), 'device.eoj = [[1,48,1]]',
            JSON.stringify(found.device.eoj));
    }
    if (!found && !d5) {
        checks.fail('the emulator was neither heard nor found: giving up');
        return;
    }

    // 4. Property maps of both objects (one Get {9D,9E,9F} each).
    const maps = {};
    for (const [eoj, name] of [[NODE, 'node profile'], [AIRCON, 'aircon']]) {
        const { err, res } = await call('getPropertyMaps', emu, eoj);
        if (!checks.check(!err && res.message.esv === 'Get_Res', 'getPropertyMaps(' + name + '): Get_Res',
            err ? err.message : res.message.esv + ' ' + raw(res))) continue;
        maps[name] = res.message.data;
        const d = res.message.data;
        console.log('# ' + name + ' maps: inf ' + C.epcs(d.inf) + ', set ' + C.epcs(d.set) + ', get ' + C.epcs(d.get));
        if (name === 'aircon') {
            checks.check(C.sameSet(d.get, C.AIRCON_GET), 'aircon Get map (library view)', C.epcs(d.get));
            checks.check(C.sameSet(d.set, C.AIRCON_SET), 'aircon Set map (library view)', C.epcs(d.set));
            checks.check(C.sameSet(d.inf, C.AIRCON_ANNO), 'aircon announce map (library view)', C.epcs(d.inf));
            const b = propOf(res, 0x9F).buffer;
            checks.check(C.hex(b) === C.AIRCON_GET_MAP_EDT, 'aircon 0x9F on the wire = the reference\'s bitmap', C.spaced(b));
        } else {
            checks.check(C.NODE_GET_MANDATORY.every((e) => d.get.includes(e)), 'node profile Get map has the mandatory EPCs',
                C.epcs(d.get));
        }
    }

    // 5. Every property of both Get maps, one request each (as the library's
    //    README asks: never several requests at once).
    const initial = {};
    for (const [eoj, name, rule] of [[NODE, 'node profile', C.checkNodeValue], [AIRCON, 'aircon', C.checkAirconValue]]) {
        for (const epc of (maps[name] || { get: [] }).get) {
            const { err, res } = await call('getPropertyValue', emu, eoj, epc);
            const p = !err && res.message.esv === 'Get_Res' && propOf(res, epc);
            if (!checks.check(p && p.buffer, name + ' ' + E(epc) + ': Get_Res', err ? err.message : raw(res))) continue;
            const why = rule(epc, p.buffer);
            checks.check(!why, name + ' ' + E(epc) + ' plausible', C.spaced(p.buffer) + (why ? ': ' + why : '') +
                '; library: ' + JSON.stringify(p.edt));
            if (p.edt === null && el.isSupportedEpc(eoj[0], eoj[1], epc)) {
                checks.quirk('the library knows ' + name + ' ' + E(epc) + ' but returned null for ' + C.spaced(p.buffer));
            }
            if (name === 'aircon') initial[epc] = C.hex(p.buffer);
        }
    }

    // 6. Writes through the library's value objects, read back both ways.
    const writes = [
        [0x80, { status: true }, '30', (d) => d && d.status === true],
        [0xB0, { mode: 2 }, '42', (d) => d && d.mode === 2],
        [0xB3, { temperature: 26 }, '1a', (d) => d && d.temperature === 26],
        [0xA0, { level: 3 }, '33', (d) => d && d.level === 3],
    ];
    for (const [epc, edt, value, parsedOk] of writes) {
        const what = E(epc) + ' = ' + JSON.stringify(edt);
        const mark = notified.length;
        const sentMark = trace.length;
        const { err, res } = await call('setPropertyValue', emu, AIRCON, epc, edt);
        const sent = trace.slice(sentMark).find((t) => t[1] === 'out');
        const sf = sent && C.parseFrame(sent[3]);
        checks.check(sf && sf.esv === 0x61 && sf.props.length === 1 && C.hex(sf.props[0].edt) === value,
            'setPropertyValue(' + what + ') sent SetC ' + E(epc) + ' = ' + value.toUpperCase(), sent && C.spaced(sent[3]));
        const ok = !err && res.message.esv === 'Set_Res' && propOf(res, epc) && propOf(res, epc).buffer === null;
        checks.check(ok, 'SetC ' + what + ': Set_Res, PDC 0', err ? err.message : raw(res));
        // Wait for the announcement before the next request: the library
        // matches answers by TID alone, so an INF whose TID equals that of a
        // pending request would be taken for its answer.
        if (C.AIRCON_ANNO.includes(epc) && initial[epc] !== undefined && initial[epc] !== value) {
            const a = await inf(mark, AIRCON, epc, value, 3000);
            checks.check(a, 'the change of ' + E(epc) + ' was announced (INF)', a ? raw(a) : 'no INF within 3 s');
        } else {
            await C.sleep(200);
        }
        const back = await call('getPropertyValue', emu, AIRCON, epc);
        const p = !back.err && back.res.message.esv === 'Get_Res' && propOf(back.res, epc);
        checks.check(p && C.hex(p.buffer) === value, 'read back ' + E(epc) + ' = ' + value.toUpperCase(),
            back.err ? back.err.message : raw(back.res));
        checks.check(p && parsedOk(back.res.message.data), 'the library parses it back as ' + JSON.stringify(edt),
            p && JSON.stringify(back.res.message.data));
    }

    // 7. Handset remote: `off` on the emulator's stdin => INF 0x80 = 0x31.
    const mcBefore = C.multicastSent();
    const mark = notified.length;
    C.emulatorCommand('off');
    const off = await inf(mark, AIRCON, 0x80, '31', 5000);
    if (checks.check(off, 'INF 0x80 = 31 received after `off` on the emulator (notify event)', raw(off))) {
        checks.check(eojHex(off.message.deoj) === '0ef001', 'announcement DEOJ is 0EF001', eojHex(off.message.deoj));
        checks.check(propOf(off, 0x80).edt && propOf(off, 0x80).edt.status === false, 'the library parses it as {status: false}',
            JSON.stringify(propOf(off, 0x80).edt));
        checks.check(C.multicastSent() > mcBefore, 'the emulator sent it to 224.0.23.0 (its log)');
    }
    const back = await call('getPropertyValue', emu, AIRCON, 0x80);
    const p80 = !back.err && propOf(back.res, 0x80);
    checks.check(p80 && C.hex(p80.buffer) === '31', 'read back 0x80 = 31', back.err ? back.err.message : raw(back.res));

    const bad = trace.filter((t) => t[1] === 'in ' && t[2].startsWith(emu + ':') && !C.parseFrame(t[3]));
    checks.check(bad.length === 0, 'every datagram from the emulator is a well-formed frame');
    const ports = [...new Set(trace.filter((t) => t[1] === 'in ').map((t) => t[2].split(':')[1]))];
    console.log('# the emulator sent from UDP port(s) ' + ports.join(', '));
}

checks.atFinish.push(() => {
    console.log('# trace (ms, direction, peer, bytes):');
    for (const [t, d, who, buf] of trace) console.log('#   ' + String(t).padStart(5) + ' ' + d + ' ' + who + ' ' + C.spaced(buf));
});
main().catch((e) => checks.fail('exception: ' + (e && e.stack || e))).finally(() => {
    checks.finish(() => el.close());
});
