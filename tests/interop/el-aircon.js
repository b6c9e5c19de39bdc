// Interop device: the `echonet-lite` npm package (Hiroshi Sugimura's
// echonet-lite.js) as an EMULATED AIR CONDITIONER, for examples/hems-controller.
//
// Written the way the package's README ("Device demo") shows: EL.initialize()
// with objList ['013001'] and a user function that hands every request to
// the air conditioner to EL.replySetDetail() / EL.replyGetDetail() with a
// dev_details property object. The node profile (0x0EF001, 0xD6 and friends)
// is the library's own. The README's aircon table is used with three
// additions, so that the AIF's start-up and remote operation can run: 0xB3
// in the Set map (the library's replySetDetail_sub already checks it, 0-50),
// 0x83 in the Get map (the README gives a value but leaves it out of 0x9F),
// and 0x93 in both maps (replySetDetail_sub accepts it without storing it).
//
// run.sh starts this in one network namespace and runs hems-controller
// commands in another (discover, get, set, a remote set, status). This side
// records every datagram and, on SIGTERM, checks what the controller sent:
// the search, the attribute Get {82,9D,9E,9F}, the SetC of 0x80, 0xB0, 0xB3
// in that order followed by the verifying Get, the 0x93 = 0x42 prefix and
// the 0x93 = 0x62 keepalive of the remote set, and the values it ends with.
// Quirks of the library seen on the wire are printed as `quirk` lines.
//
// Environment: SELF_ADDR (this device), CTL_ADDR (the controller),
// READY_FILE, PEER_TIMEOUT (see common.js).
'use strict';

const C = require('./common.js');
const EL = require('echonet-lite');
const version = require('echonet-lite/package.json').version;

const checks = new C.Checks('echonet-lite@' + version + ' as an air conditioner');
const ctl = process.env.CTL_ADDR || '10.99.0.2';
const AIRCON = '013001';
// Issue 14: a storage battery beside the air conditioner, so that
// hems-controller reads and writes an object of another class. The
// library's replySetDetail() accepts a write to a class it has no details
// for without storing it: userfunc stores the battery's writes first, as a
// device would.
const BATTERY = '027d01';

// The README's dev_details for '013001', with the additions above.
const devDetails = {
    '013001': {
        // super
        '80': [0x31], // operation status: OFF
        '81': [0xff], // installation location
        '82': [0x00, 0x00, 0x66, 0x00], // version, as in the README
        '83': [0xfe, 0x00, 0x00, 0x77, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02],
        '88': [0x42], // no fault
        '8a': [0x00, 0x00, 0x77], // maker code
        '93': [0x41], // remote control setting
        '9d': [0x04, 0x80, 0x8f, 0xa0, 0xb0], // announce map, count first
        '9e': [0x06, 0x80, 0x8f, 0x93, 0xa0, 0xb0, 0xb3], // Set map (+93, +b3)
        '9f': [0x0f, 0x80, 0x81, 0x82, 0x83, 0x88, 0x8a, 0x8f, 0x93, 0x9d, 0x9e, 0x9f, 0xa0, 0xb0, 0xb3, 0xbb], // Get map (+83, +93)
        // child
        '8f': [0x41], // power saving
        'a0': [0x31], // air flow level 1
        'b0': [0x41], // mode: automatic
        'b3': [0x19], // set temperature 25
        'bb': [0x1a], // room temperature 26
    },
    '027d01': {
        '80': [0x30], // on
        '81': [0xff],
        '82': [0x00, 0x00, 0x4d, 0x00], // release M
        '83': [0xfe, 0x00, 0x00, 0x77, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03],
        '88': [0x42],
        '8a': [0x00, 0x00, 0x77],
        '9d': [0x02, 0x80, 0xda], // announce map
        '9e': [0x01, 0xda], // Set map: the operation mode
        '9f': [0x0c, 0x80, 0x81, 0x82, 0x83, 0x88, 0x8a, 0x9d, 0x9e, 0x9f, 0xda, 0xdb, 0xe4], // Get map
        'da': [0x44], // operation mode: standby
        'db': [0x00], // system-interconnected (reverse power flow acceptable)
        'e4': [0x32], // remaining capacity 50 %
    },
};

// Every datagram in and out, decoded by common.js.
const rx = [];
const tx = [];
const t0 = Date.now();
const sendBase = EL.sendBase;
EL.sendBase = function (ip, buffer) {
    tx.push({ t: Date.now() - t0, to: typeof ip === 'object' ? ip.address : ip, hex: C.hex(buffer), f: C.parseFrame(buffer) });
    return sendBase.call(EL, ip, buffer);
};
const returner = EL.returner;
EL.returner = function (bytes, rinfo, userfunc) {
    rx.push({ t: Date.now() - t0, from: rinfo.address, port: rinfo.port, hex: C.hex(bytes), f: C.parseFrame(bytes) });
    return returner.call(EL, bytes, rinfo, userfunc);
};
const libErrors = [];

// The README's device user function.
function userfunc(rinfo, els, e) {
    if (e) {
        libErrors.push(rinfo.address + ': ' + (e.message || e));
        return;
    }
    if (els.DEOJ.substr(0, 4) === '0ef0') return; // the node profile is the library's
    switch (els.ESV) {
    case EL.SETI:
    case EL.SETC:
        if (els.DEOJ === BATTERY) {
            for (const epc of Object.keys(els.DETAILs)) {
                if (devDetails[BATTERY]['9e'].slice(1).includes(parseInt(epc, 16))) {
                    devDetails[BATTERY][epc] = EL.toHexArray(els.DETAILs[epc]);
                }
            }
        }
        EL.replySetDetail(rinfo, els, devDetails);
        break;
    case EL.GET:
        EL.replyGetDetail(rinfo, els, devDetails);
        break;
    default:
        break;
    }
}

const fromCtl = (r) => r.from === ctl && r.f;
const epcList = (f) => f.props.map((p) => p.epc.toString(16).padStart(2, '0')).join(',');
const pairs = (f) => f.props.map((p) => p.epc.toString(16).padStart(2, '0') + '=' + C.hex(p.edt)).join(',');

function evaluate() {
    const reqs = rx.filter(fromCtl);
    checks.check(rx.filter((r) => r.from === ctl && !r.f).length === 0, 'every datagram from hems-controller is a well-formed frame');
    checks.check(reqs.some((r) => r.f.esv === 0x62 && (r.f.deoj === '0ef001' || r.f.deoj === '0ef000') &&
        epcList(r.f) === 'd6') || reqs.some((r) => r.f.esv === 0x62 && r.f.deoj === '013000'),
    'the controller searched (Get 0xD6 to the node profile, or Get 0x80 to 0x013000)');
    checks.check(reqs.some((r) => r.f.esv === 0x62 && r.f.deoj === AIRCON && r.f.opc === 4 && epcList(r.f) === '82,9d,9e,9f'),
        'attribute acquisition: Get {82,9D,9E,9F} with OPC 4 (AIF 3.1.3)');
    checks.check(reqs.some((r) => r.f.esv === 0x62 && r.f.deoj === AIRCON && epcList(r.f).includes('83')),
        'identification: 0x83 read (AIF 3.1.4)');
    const setIdx = reqs.findIndex((r) => r.f.esv === 0x61 && pairs(r.f) === '80=30,b0=42,b3=1a');
    checks.check(setIdx >= 0, 'SetC 80=30, b0=42, b3=1a in that order (AIF 5.1 (7))',
        reqs.filter((r) => r.f.esv === 0x61).map((r) => pairs(r.f)).join(' | '));
    if (setIdx >= 0) {
        const verify = reqs.slice(setIdx + 1).find((r) => r.f.esv === 0x62 && r.f.deoj === AIRCON);
        checks.check(verify && ['80', 'b0', 'b3'].every((e) => epcList(verify.f).split(',').includes(e)),
            'the write was verified by a Get of 80, b0, b3 (AIF 2.4.5)', verify && epcList(verify.f));
    }
    const remote = reqs.find((r) => r.f.esv === 0x61 && r.f.props.length > 1 && r.f.props[0].epc === 0x93);
    checks.check(remote && pairs(remote.f) === '93=42,b3=17', 'remote set: SetC 93=42 first, then b3=17 (AIF 4.1)',
        remote && pairs(remote.f));
    checks.check(reqs.some((r) => r.f.esv === 0x61 && pairs(r.f) === '93=62'), 'remote keepalive: SetC 93=62 (AIF 3.5)');
    const d = devDetails[AIRCON];
    checks.check(d['80'][0] === 0x30 && d['b0'][0] === 0x42 && d['b3'][0] === 23,
        'the device ends ON, cooling, 23 degC', '80=' + d['80'] + ' b0=' + d['b0'] + ' b3=' + d['b3']);
    checks.check(libErrors.length === 0, 'the library raised no exception', libErrors.join('; '));
    // Issue 14: the battery discovered, read and written like any object.
    checks.check(reqs.some((r) => r.f.esv === 0x62 && r.f.deoj === BATTERY && epcList(r.f) === '82,9d,9e,9f'),
        'battery: its attributes read (Get {82,9D,9E,9F})');
    checks.check(reqs.some((r) => r.f.esv === 0x61 && r.f.deoj === BATTERY && pairs(r.f) === 'da=42'),
        'battery: SetC da=42 (charging), without a 0x93 prefix', reqs.filter((r) => r.f.deoj === BATTERY && r.f.esv === 0x61).map((r) => pairs(r.f)).join(' | '));
    checks.check(!reqs.some((r) => r.f.deoj === BATTERY && r.f.props.some((p) => p.epc === 0x93)),
        'battery: 0x93 never written (the AIF remote rules are the air conditioner\'s)');
    checks.check(devDetails[BATTERY]['da'][0] === 0x42, 'the battery ends charging (da=42)', 'da=' + devDetails[BATTERY]['da']);

    // Quirks of echonet-lite.js as a device, as seen on the wire.
    const classAnswer = tx.find((s) => s.f && s.f.seoj === '013000');
    if (classAnswer) {
        checks.quirk('the class search Get 0x80 to 0x013000 is answered from SEOJ 013000 (instance 0) as ' +
            (classAnswer.f.esv === 0x52 ? 'Get_SNA' : 'ESV ' + classAnswer.f.esv.toString(16)) + ': ' +
            C.spaced(Buffer.from(classAnswer.hex, 'hex')));
    }
    const infToCtl = tx.find((s) => s.f && s.f.esv === 0x73 && s.f.deoj === '05ff01');
    if (infToCtl) {
        checks.quirk('the announcement after a SetC is addressed to the requester 05FF01, not 0EF001: ' +
            C.spaced(Buffer.from(infToCtl.hex, 'hex')));
    }
    const ver = tx.find((s) => s.f && s.f.seoj === AIRCON && s.f.props.some((p) => p.epc === 0x82 && p.edt.length === 4));
    if (ver) {
        const p = ver.f.props.find((q) => q.epc === 0x82);
        if (p.edt[2] < 0x41 || p.edt[2] > 0x5a) {
            checks.quirk('0x82 = ' + C.spaced(p.edt) + ': the README\'s release byte is not an upper-case letter (\'' +
                String.fromCharCode(p.edt[2]) + '\')');
        }
    }
}

function trace() {
    console.log('# trace (ms, direction, peer, bytes):');
    const all = tx.map((s) => [s.t, 'out', s.to, s.hex]).concat(rx.map((r) => [r.t, 'in ', r.from + ':' + r.port, r.hex]));
    all.sort((a, b) => a[0] - b[0]);
    for (const [t, d, who, h] of all) console.log('#   ' + String(t).padStart(5) + ' ' + d + ' ' + who + ' ' + C.spaced(Buffer.from(h, 'hex')));
}

async function main() {
    const sock = await EL.initialize([AIRCON, BATTERY], userfunc, 4, {
        v4: C.env.self, ignoreMe: true, autoGetProperties: false, debugMode: false,
    });
    await new Promise((resolve) => {
        try { sock.address(); resolve(); } catch (e) { sock.once('listening', resolve); }
    });
    await C.sleep(100); // the bind callback joins 224.0.23.0
    C.signalReady();
    console.log('# echonet-lite@' + version + ' air conditioner 013001 and storage battery 027d01 on ' + C.env.self +
        ':3610; waiting for SIGTERM');
}

checks.atFinish.push(trace);
process.on('SIGTERM', () => {
    evaluate();
    checks.finish(() => EL.release());
});
main().catch((e) => {
    checks.fail('exception: ' + (e && e.stack || e));
    checks.finish();
});
