// libechonet: ECHONET Lite for firmware and HEMS controllers.
// SPDX-License-Identifier: MIT
//
// The dashboard in headless chromium (run by tests/browser/run.sh):
// aircon-emulator and hems-controller --http over real UDP on the loopback;
// the page, at a phone's size, must load with no console error, failed
// request or error status, show the emulated air conditioner, and a click
// on its controls must change the emulated unit (checked on the emulator's
// side: its announcements); the page follows through the event stream; a
// screenshot is taken and must not be blank (the PNG decoded here). Then,
// against a server with a token, the page asks for it and works with it.
//
// usage: node dashboard.test.js HEMS_CONTROLLER AIRCON_EMULATOR CHROMIUM OUT_DIR
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const readline = require('readline');
const zlib = require('zlib');
const puppeteer = require('puppeteer-core');

const [hemsPath, emuPath, chromium, outDir] = process.argv.slice(2);
const EMU = '127.0.0.2';
const STEP_MS = 15000;
const children = [];

function fail(message) {
  throw new Error(message);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// A program whose standard output is JSON lines, kept in order.
function start(cmd, args) {
  const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const proc = { p, lines: [], waiters: [], stderr: '' };
  readline.createInterface({ input: p.stdout }).on('line', (line) => {
    let obj;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      obj = { notJson: line };
    }
    proc.lines.push(obj);
    proc.waiters = proc.waiters.filter((w) => !(w.pred(obj) && (w.resolve(obj), true)));
  });
  p.stderr.on('data', (d) => { proc.stderr += d; });
  children.push(p);
  return proc;
}

// The first line (already read or to come) for which pred holds.
function waitLine(proc, pred, what, ms = STEP_MS) {
  const seen = proc.lines.find(pred);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const w = { pred, resolve };
    proc.waiters.push(w);
    setTimeout(() => reject(new Error('no ' + what + ' within ' + ms + ' ms; stderr: ' + proc.stderr)), ms);
  });
}

function announced(emu, epc, edt) {
  return waitLine(emu, (o) => o.dir === 'out' && o.frame && o.frame.esv === '73' &&
    (o.frame.props || []).some((p) => p.epc === epc && p.edt === edt),
    'announcement of ' + epc + ' = ' + edt + ' by the emulator');
}

// ---- PNG: decoded just enough to count colours -------------------------------

function paeth(a, b, c) {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function pngColours(buf) {
  if (buf.readUInt32BE(0) !== 0x89504e47) fail('the screenshot is not a PNG');
  let at = 8;
  let width = 0;
  let height = 0;
  let bpp = 0;
  const idat = [];
  while (at < buf.length) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('ascii', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const depth = data[8];
      const colour = data[9];
      if (depth !== 8 || (colour !== 2 && colour !== 6) || data[12] !== 0)
        fail('unexpected PNG format: depth ' + depth + ', colour type ' + colour);
      bpp = colour === 6 ? 4 : 3;
    } else if (type === 'IDAT') {
      idat.push(data);
    }
    at += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const prev = Buffer.alloc(stride);
  const line = Buffer.alloc(stride);
  const counts = new Map();
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0;
      const b = prev[i];
      const c = i >= bpp ? prev[i - bpp] : 0;
      const x = src[i];
      line[i] = (filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b :
        filter === 3 ? x + ((a + b) >> 1) : x + paeth(a, b, c)) & 0xff;
    }
    for (let i = 0; i < stride; i += bpp) {
      const rgb = (line[i] << 16) | (line[i + 1] << 8) | line[i + 2];
      counts.set(rgb, (counts.get(rgb) || 0) + 1);
    }
    line.copy(prev);
  }
  return { width, height, counts };
}

// ---- The test -----------------------------------------------------------------

async function main() {
  const udpPort = 20000 + Math.floor(Math.random() * 30000);
  const httpPort = await freePort();
  fs.rmSync(path.join(outDir, 'energy.bin'), { force: true });
  const emu = start(emuPath, ['--port', String(udpPort), '--bind', EMU, '--extra']);
  await waitLine(emu, (o) => o.event === 'start', 'start of the emulator');
  const hems = start(hemsPath, ['--port', String(udpPort), '--bind', '127.0.0.1', '--json',
    '--energy', path.join(outDir, 'energy.bin'),
    '--http', '127.0.0.1:' + httpPort, 'run']);
  hems.p.stdin.write('discover ' + EMU + '\n');
  await waitLine(hems, (o) => o.event === 'ready' && o.node === EMU, 'the unit ready in hems-controller');

  const problems = [];
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
      '--no-default-browser-check', '--disable-extensions'],
  });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warn') problems.push('console ' + m.type() + ': ' + m.text());
    });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('requestfailed', (r) => {
      // The event stream is cut when the page goes: not a failure.
      if (!r.url().endsWith('/api/events')) problems.push('request failed: ' + r.url() + ' ' + r.failure().errorText);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push('HTTP ' + r.status() + ' for ' + r.url());
    });
    await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await page.goto('http://127.0.0.1:' + httpPort + '/', { waitUntil: 'load', timeout: STEP_MS });

    // The unit, as the page shows it.
    const card = 'article.device[data-node="' + EMU + '"][data-eoj="013001"]';
    await page.waitForSelector(card, { timeout: STEP_MS });
    await page.waitForFunction((sel) => document.querySelector(sel + ' .power').textContent === 'off',
      { timeout: STEP_MS }, card);
    const login = await page.$eval('#login', (e) => e.getClientRects().length > 0);
    if (login) fail('the token form is shown, but the server has no token');
    const name = await page.$eval(card + ' .name', (e) => e.textContent);
    if (!name.includes(EMU)) fail('the card does not name the unit: ' + name);
    await page.waitForFunction(() => document.getElementById('link').textContent === 'live', { timeout: STEP_MS });

    // A click on "On": the emulated unit switches on, and the page follows.
    await page.click(card + ' button.on');
    await announced(emu, '80', '30');
    await page.waitForFunction((sel) => document.querySelector(sel + ' .power').textContent === 'on',
      { timeout: STEP_MS }, card);
    await page.waitForFunction((sel) => /written/.test(document.querySelector(sel + ' .result').textContent),
      { timeout: STEP_MS }, card);
    // The energy chart: bars, or the empty state said in words.
    const chart = await page.$eval('#chart-note', (e) => e.textContent);
    const bars = await page.$$eval('#chart rect', (r) => r.length);
    if (bars === 0 && !/No energy recorded today yet/.test(chart)) fail('no chart and no empty state: ' + chart);
    // Series told apart: each bar's kind (its k-KIND class) is in the legend, in the legend's colour.
    const kinds = await page.$$eval('#chart rect', (r) => r.map((e) => [e.getAttribute('class'),
      getComputedStyle(e).fill]));
    const listed = await page.$$eval('#chart-legend li', (l) => l.map((e) => [e.dataset.kind,
      getComputedStyle(e.querySelector('.swatch')).backgroundColor]));
    for (const [cls, fill] of kinds) {
      const m = /\bk-([a-z-]+)/.exec(cls || '');
      const entry = m && listed.find((l) => l[0] === m[1]);
      if (!entry || entry[1] !== fill) fail('a bar of class ' + cls + ' (' + fill + ') not in the legend ' + JSON.stringify(listed));
    }
    if (bars > 0 && !listed.some((l) => l[0] === 'device')) fail('no device series in the legend: ' + JSON.stringify(listed));
    // The house's figures (GET /api/house): at least the day they are for.
    await page.waitForFunction(() => /^today: \d{4}-\d{2}-\d{2}/.test(document.getElementById('house-note').textContent),
      { timeout: STEP_MS });
    // The mode, from the select.
    await page.select(card + ' select.mode-select', 'heat');
    await announced(emu, 'b0', '43');
    await page.waitForFunction((sel) => document.querySelector(sel + ' .mode').textContent === 'heat',
      { timeout: STEP_MS }, card);

    // Readable on a phone: nothing wider than the screen.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) fail('the page is ' + overflow + ' px wider than a 390 px screen');

    const file = path.join(outDir, 'dashboard.png');
    const png = await page.screenshot({ path: file, fullPage: true, type: 'png' });
    const { width, height, counts } = pngColours(Buffer.from(png));
    const top = Math.max(...counts.values());
    if (counts.size < 8 || top / (width * height) > 0.97)
      fail('the screenshot looks blank: ' + counts.size + ' colours, the commonest on ' +
        Math.round((100 * top) / (width * height)) + ' % of it');
    console.log('screenshot ' + file + ': ' + width + 'x' + height + ', ' + counts.size + ' colours');
    await tokenFlow(browser, udpPort);
  } finally {
    await browser.close();
  }
  if (problems.length) fail('the page reported problems:\n  ' + problems.join('\n  '));
}

// A server with a token: the page asks for it, keeps it in the tab's
// sessionStorage (nowhere else) and then shows the unit.
async function tokenFlow(browser, udpPort) {
  const token = 'browser-test-token-' + Math.random().toString(36).slice(2);
  const file = path.join(outDir, 'token');
  fs.writeFileSync(file, token + '\n', { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  const httpPort = await freePort();
  const hems = start(hemsPath, ['--port', String(udpPort), '--bind', '127.0.0.3', '--json',
    '--http', '127.0.0.1:' + httpPort, '--http-token-file', file, 'run']);
  hems.p.stdin.write('discover ' + EMU + '\n');
  await waitLine(hems, (o) => o.event === 'ready' && o.node === EMU, 'the unit ready (token server)');
  const page = await browser.newPage();
  const unauthorized = [];
  page.on('response', (r) => { if (r.status() === 401) unauthorized.push(r.url()); });
  await page.goto('http://127.0.0.1:' + httpPort + '/', { waitUntil: 'load', timeout: STEP_MS });
  await page.waitForSelector('#login:not([hidden])', { visible: true, timeout: STEP_MS });
  if (unauthorized.length === 0) fail('the API answered without the token');
  if (await page.$('article.device')) fail('a device is shown before the token was given');
  await page.type('#token', token);
  await page.click('#login button[type=submit]');
  const card = 'article.device[data-node="' + EMU + '"]';
  await page.waitForSelector(card, { timeout: STEP_MS });
  await page.waitForFunction(() => document.getElementById('link').textContent === 'live', { timeout: STEP_MS });
  const stored = await page.evaluate(() => [sessionStorage.getItem('hems-token'), localStorage.length,
    document.cookie]);
  if (stored[0] !== token || stored[1] !== 0 || stored[2] !== '')
    fail('the token is not kept in sessionStorage alone: ' + JSON.stringify(stored));
  await page.close();
}

main().then(() => {
  console.log('1 passed, 0 failed');
  for (const c of children) c.kill();
  process.exit(0);
}, (e) => {
  console.log('FAIL dashboard in a browser: ' + e.message);
  console.log('0 passed, 1 failed');
  for (const c of children) c.kill();
  process.exit(1);
});
