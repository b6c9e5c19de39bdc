// Shared by the peers built on the `echonet-lite` package (echonet-lite.js,
// household.js): a tap on the library that records every datagram it sends
// and receives (with our own decoding, common.js), and the waits on them.
//
//   const T = tap(EL, C.env.emu);
//   EL.initialize([...], T.userfunc, ...);
//   const res = await T.reply(tid, 5000);       // the answer to a request
//   const a = await T.inf(mark, seoj, epc, 'hex', 3000); // an INF after rx[mark]
//   checks.atFinish.push(T.trace);
'use strict';

const C = require('./common.js');

const propOf = (f, epc) => f.props.find((p) => p.epc === epc);

function tap(EL, emu) {
    const t0 = Date.now();
    const T = { tx: [], rx: [], libErrors: [], propOf };
    const sendBase = EL.sendBase;
    EL.sendBase = function (ip, buffer) {
        T.tx.push({ t: Date.now() - t0, to: typeof ip === 'object' ? ip.address : ip, hex: C.hex(buffer) });
        return sendBase.call(EL, ip, buffer);
    };
    const returner = EL.returner;
    EL.returner = function (bytes, rinfo, userfunc) {
        T.rx.push({ t: Date.now() - t0, from: rinfo.address, port: rinfo.port, hex: C.hex(bytes), f: C.parseFrame(bytes), els: null });
        return returner.call(EL, bytes, rinfo, userfunc);
    };
    // The library's callback: its errors, and its parse of the last datagram.
    T.userfunc = function (rinfo, els, err) {
        if (err) T.libErrors.push(rinfo.address + ': ' + err.message);
        const last = T.rx[T.rx.length - 1];
        if (last && els) last.els = els;
    };
    T.fromEmu = (r) => r.from === emu && r.f;
    // The reply (not an INF) from the emulator to the request with this TID.
    T.reply = (tid, ms) => C.waitFor(() => T.rx.find((r) => T.fromEmu(r) && r.f.tid === tid && r.f.esv !== 0x73), ms);
    // An INF from `seoj` carrying epc = value, received after rx index `since`.
    T.inf = (since, seoj, epc, value, ms) => C.waitFor(() => T.rx.slice(since).find((r) => {
        if (!T.fromEmu(r) || r.f.esv !== 0x73 || r.f.seoj !== seoj) return false;
        const p = propOf(r.f, epc);
        return p && C.hex(p.edt) === value;
    }), ms);
    T.trace = () => {
        console.log('# trace (ms, direction, peer, bytes):');
        const all = T.tx.map((s) => [s.t, 'out', s.to, s.hex])
            .concat(T.rx.map((r) => [r.t, 'in ', r.from + ':' + r.port, r.hex]));
        all.sort((a, b) => a[0] - b[0]);
        for (const [t, d, who, h] of all) console.log('#   ' + String(t).padStart(5) + ' ' + d + ' ' + who + ' ' + C.spaced(Buffer.from(h, 'hex')));
    };
    return T;
}

module.exports = { tap };
