// Shared by the interop peer scripts: environment, check bookkeeping, the
// expected property maps and plausibility rules for the emulated aircon, and
// the emulator's control FIFO and log. Plain Node.js, no dependencies.
//
// Environment (set by run.sh):
//   EMU_ADDR    IPv4 address of the aircon emulator (e.g. 10.99.0.1)
//   SELF_ADDR   this peer's IPv4 address (e.g. 10.99.0.2)
//   EMU_STDIN   FIFO connected to the emulator's standard input
//   EMU_LOG     the emulator's JSON-lines log (its standard output)
//   READY_FILE  written once this peer listens, so run.sh can start the emulator
//   PEER_TIMEOUT  hard overall timeout in seconds (default 60)
'use strict';

const fs = require('fs');

const env = {
    emu: process.env.EMU_ADDR || '10.99.0.1',
    self: process.env.SELF_ADDR || '10.99.0.2',
    stdin: process.env.EMU_STDIN || '',
    log: process.env.EMU_LOG || '',
    ready: process.env.READY_FILE || '',
    timeout: Number(process.env.PEER_TIMEOUT || 60),
};

// The emulator's contract (see run.sh): its aircon's property maps.
const AIRCON_GET = [0x80, 0x81, 0x82, 0x83, 0x86, 0x88, 0x89, 0x8A, 0x8F, 0x93,
    0x9D, 0x9E, 0x9F, 0xA0, 0xB0, 0xB3, 0xBB];
const AIRCON_SET = [0x80, 0x81, 0x8F, 0x93, 0xA0, 0xB0, 0xB3];
const AIRCON_ANNO = [0x80, 0x81, 0x88, 0x8F, 0xA0, 0xB0];
// Mandatory node-profile Get properties (reference section 6).
const NODE_GET_MANDATORY = [0x80, 0x82, 0x83, 0x8A, 0x9D, 0x9E, 0x9F, 0xD3, 0xD4, 0xD6, 0xD7];
// The reference's worked example of the 17-property Get map (section 5).
const AIRCON_GET_MAP_EDT = '110d01010b000001000101010800020203';

function hex(buf) {
    return Buffer.from(buf).toString('hex');
}
function spaced(buf) {
    return hex(buf).replace(/(..)(?!$)/g, '$1 ');
}

// Our own decoding of a Format-1 frame (not the peer library's), so that the
// checks see the exact bytes on the wire. Returns null when malformed.
function parseFrame(buf) {
    buf = Buffer.from(buf);
    if (buf.length < 12 || buf[0] !== 0x10 || buf[1] !== 0x81) return null;
    const f = {
        tid: buf.readUInt16BE(2), seoj: hex(buf.subarray(4, 7)), deoj: hex(buf.subarray(7, 10)),
        esv: buf[10], opc: buf[11], props: [],
    };
    let at = 12;
    for (let i = 0; i < f.opc; i++) {
        if (at + 2 > buf.length) return null;
        const epc = buf[at], pdc = buf[at + 1];
        if (at + 2 + pdc > buf.length) return null;
        f.props.push({ epc, edt: Buffer.from(buf.subarray(at + 2, at + 2 + pdc)) });
        at += 2 + pdc;
    }
    if (at !== buf.length) return null;
    return f;
}
function epcs(list) {
    return '{' + list.map((e) => e.toString(16).toUpperCase().padStart(2, '0')).join(',') + '}';
}

// Decodes a property map EDT (both forms; format from the count byte).
function decodeMap(buf) {
    buf = Buffer.from(buf);
    if (buf.length < 1) return null;
    const n = buf[0];
    const out = [];
    if (n < 16) {
        if (buf.length !== 1 + n) return null;
        for (let i = 0; i < n; i++) out.push(buf[1 + i]);
    } else {
        if (buf.length !== 17) return null;
        for (let e = 0x80; e <= 0xFF; e++) {
            if (buf[1 + (e & 0x0F)] & (1 << ((e >> 4) - 8))) out.push(e);
        }
        if (out.length !== n) return null;
    }
    return out.sort((a, b) => a - b);
}
function sameSet(a, b) {
    const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
    return x.length === y.length && x.every((v, i) => v === y[i]);
}

// Plausibility of one aircon (0x0130) value: returns '' when fine, else why not.
function checkAirconValue(epc, v, ctx) {
    const n = v.length;
    const one = (ok) => (n === 1 && ok(v[0]) ? '' : 'unexpected value');
    switch (epc) {
    case 0x80: return one((b) => b === 0x30 || b === 0x31);
    case 0x81: return n === 1 || (n === 17 && v[0] === 0x01) ? '' : 'size must be 1 or 17';
    case 0x82: return hex(v) === '00004800' ? '' : 'expected 00 00 48 00 (Release H)';
    case 0x83: return n === 17 && v[0] === 0xFE ? '' : 'expected 17 bytes starting FE';
    case 0x86: return n >= 1 && n <= 225 ? '' : 'size must be 1..225';
    case 0x88: return one((b) => b === 0x41 || b === 0x42);
    case 0x89: return n === 2 && v.readUInt16BE(0) <= 0x03FF ? '' : 'expected 2 bytes, 0..0x03FF';
    case 0x8A: return n === 3 ? '' : 'expected 3 bytes';
    case 0x8F: return one((b) => b === 0x41 || b === 0x42);
    case 0x93: return one((b) => [0x41, 0x42, 0x61, 0x62].includes(b));
    case 0x9D: { const m = decodeMap(v); return m && sameSet(m, AIRCON_ANNO) ? '' : 'announce map differs'; }
    case 0x9E: { const m = decodeMap(v); return m && sameSet(m, AIRCON_SET) ? '' : 'Set map differs'; }
    case 0x9F: { const m = decodeMap(v); return m && sameSet(m, AIRCON_GET) ? '' : 'Get map differs'; }
    case 0xA0: return one((b) => b === 0x41 || (b >= 0x31 && b <= 0x38));
    case 0xB0: return one((b) => b >= 0x40 && b <= 0x45);
    case 0xB3: return one((b) => b <= 0x32 || b === 0xFD);
    case 0xBB: return one((b) => b === 0x7E || ((b << 24 >> 24) >= -20 && (b << 24 >> 24) <= 60));
    default: return ctx && ctx.allowUnknown ? '' : 'no rule for this EPC';
    }
}

// Plausibility of one node-profile (0x0EF0) value, for one aircon instance.
function checkNodeValue(epc, v, ctx) {
    const n = v.length;
    switch (epc) {
    case 0x80: return n === 1 && (v[0] === 0x30 || v[0] === 0x31) ? '' : 'expected 30 or 31';
    case 0x82: return n === 4 && v[0] === 0x01 && (v[2] & 0x01) ? '' : 'expected 01 xx (format 1 bit) xx';
    case 0x83: return n === 17 && v[0] === 0xFE ? '' : 'expected 17 bytes starting FE';
    case 0x88: return n === 1 && (v[0] === 0x41 || v[0] === 0x42) ? '' : 'expected 41 or 42';
    case 0x89: return n === 2 ? '' : 'expected 2 bytes';
    case 0x8A: return n === 3 ? '' : 'expected 3 bytes';
    case 0x9D: case 0x9E: return decodeMap(v) ? '' : 'not a property map';
    case 0x9F: { const m = decodeMap(v); return m && NODE_GET_MANDATORY.every((e) => m.includes(e)) ? '' : 'mandatory EPCs missing'; }
    case 0xBF: return n === 2 ? '' : 'expected 2 bytes';
    case 0xD3: return hex(v) === '000001' ? '' : 'expected 00 00 01';
    case 0xD4: return hex(v) === '0002' ? '' : 'expected 00 02';
    case 0xD5: case 0xD6: return hex(v) === '01013001' ? '' : 'expected 01 01 30 01';
    case 0xD7: return hex(v) === '010130' ? '' : 'expected 01 01 30';
    default: return ctx && ctx.allowUnknown ? '' : 'no rule for this EPC';
    }
}

class Checks {
    constructor(name) {
        this.name = name;
        this.ok = 0;
        this.failed = 0;
        this.quirks = [];
        this.done = false;
        this.atFinish = [];
        const t = setTimeout(() => {
            this.fail('overall timeout of ' + env.timeout + ' s reached');
            this.finish();
        }, env.timeout * 1000);
        t.unref();
    }
    check(cond, what, detail) {
        if (cond) {
            this.ok++;
            console.log('ok   ' + what + (detail ? ' (' + detail + ')' : ''));
        } else {
            this.failed++;
            console.log('FAIL ' + what + (detail ? ' (' + detail + ')' : ''));
        }
        return !!cond;
    }
    fail(what) { return this.check(false, what); }
    note(what) { console.log('note ' + what); }
    quirk(what) { this.quirks.push(what); console.log('quirk ' + what); }
    finish(cleanup) {
        if (this.done) return;
        this.done = true;
        for (const f of this.atFinish.concat(cleanup ? [cleanup] : [])) {
            try { f(); } catch (e) { console.log('note while finishing: ' + e.message); }
        }
        console.log(this.name + ': ' + this.ok + ' checks ok, ' + this.failed + ' failed' +
            (this.quirks.length ? ', ' + this.quirks.length + ' quirk(s) noted' : ''));
        // Let stdout drain, then leave with the verdict.
        setTimeout(() => process.exit(this.failed === 0 && this.ok > 0 ? 0 : 1), 50);
    }
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

// Polls pred() every 50 ms until it returns a truthy value or ms pass.
async function waitFor(pred, ms) {
    const end = Date.now() + ms;
    for (;;) {
        const v = pred();
        if (v) return v;
        if (Date.now() >= end) return null;
        await sleep(50);
    }
}

// A handset-remote command for the emulator (on, off, mode cool, ...).
function emulatorCommand(line) {
    if (!env.stdin) throw new Error('EMU_STDIN is not set');
    fs.appendFileSync(env.stdin, line + '\n');
}

// The emulator's log lines, parsed (unparsable lines skipped).
function emulatorLog() {
    if (!env.log) return [];
    let text = '';
    try { text = fs.readFileSync(env.log, 'utf8'); } catch (e) { return []; }
    const out = [];
    for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try { out.push(JSON.parse(line)); } catch (e) { /* partial line */ }
    }
    return out;
}
// How many datagrams the emulator logged as sent to the IPv4 multicast group.
function multicastSent() {
    return emulatorLog().filter((l) => l.dir === 'out' && String(l.peer || '').startsWith('224.0.23.0')).length;
}

function signalReady() {
    if (env.ready) fs.writeFileSync(env.ready, String(process.pid) + '\n');
}

module.exports = {
    env, hex, spaced, parseFrame, epcs, decodeMap, sameSet, checkAirconValue, checkNodeValue, Checks,
    sleep, waitFor, emulatorCommand, emulatorLog, multicastSent, signalReady,
    AIRCON_GET, AIRCON_SET, AIRCON_ANNO, NODE_GET_MANDATORY, AIRCON_GET_MAP_EDT,
};
