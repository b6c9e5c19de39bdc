// libechonet: ECHONET Lite for firmware and HEMS controllers.
// SPDX-License-Identifier: MIT
//
// The dashboard of hems-controller --http (doc/http-api.md): the device
// list, controls that write through POST /api/devices/{node}/{eoj}, the
// energy of today, and live updates from the event stream /api/events
// (read with fetch so that the Authorization header goes with it).
'use strict';

const TOKEN_KEY = 'hems-token';
const devices = new Map(); // "node/eoj" -> device object (as GET /api/devices)
let info = null;
let energy = null;
let house = null; // GET /api/house

function $(id) { return document.getElementById(id); }

function headers(extra) {
  const h = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h.Authorization = 'Bearer ' + token;
  return h;
}

class AuthError extends Error {}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = headers(opts.headers);
  const r = await fetch(path, opts);
  if (r.status === 401) throw new AuthError('token required');
  const body = await r.json().catch(() => ({ error: 'not JSON', code: 'bad_response' }));
  if (!r.ok) {
    const e = new Error(body.error || r.statusText);
    e.code = body.code;
    throw e;
  }
  return body;
}

function showError(text) {
  const p = $('error');
  p.textContent = text || '';
  p.hidden = !text;
}

function askToken() {
  $('login').hidden = false;
  $('token').focus();
}

// ---- State ----------------------------------------------------------------

const MODES = { 40: 'other', 41: 'auto', 42: 'cool', 43: 'heat', 44: 'dry', 45: 'fan' };

// A changed or read property (hex EDT) into the device's state.
function applyProperty(dev, epc, edt) {
  const s = dev.state || (dev.state = { raw: {} });
  const v = edt.length === 2 ? parseInt(edt, 16) : NaN;
  s.raw = s.raw || {};
  s.raw[epc] = edt;
  if (Number.isNaN(v)) return;
  if (epc === '80') s.power = v === 0x30 ? 'on' : v === 0x31 ? 'off' : null;
  else if (!isAircon(dev)) return; // another class's 0xB0.. mean other things
  else if (epc === 'b0') s.mode = MODES[v.toString(16)] || null;
  else if (epc === 'b3') s.temp = v <= 50 ? v : v === 0xfd ? 'undefined' : null;
  else if (epc === 'bb') s.room = v === 0x7e ? 'unavailable' : v > 127 ? v - 256 : v;
  else if (epc === 'a0') s.flow = v === 0x41 ? 'auto' : v >= 0x31 && v <= 0x38 ? v - 0x30 : null;
  else if (epc === '84' && edt.length === 4) dev.power_w = parseInt(edt, 16);
}

function key(node, eoj) { return node + '/' + eoj; }

// An air conditioner (0130xx): its card has mode and temperature; a card of
// any other class has power and fault only (its own figures are in the
// house summary).
function isAircon(dev) { return dev.eoj.startsWith('0130'); }

function onEvent(ev) {
  const k = key(ev.node, ev.eoj);
  let dev = devices.get(k);
  switch (ev.event) {
    case 'found':
    case 'ready':
    case 'status':
      if (!dev) {
        dev = { node: ev.node, eoj: ev.eoj, ready: false, online: true, state: null };
        devices.set(k, dev);
      }
      if (ev.state) dev.state = ev.state;
      if (ev.class) dev.class = ev.class;
      if (ev.event === 'ready') dev.ready = true;
      dev.online = true;
      break;
    case 'property':
    case 'changed':
      if (!dev) return;
      if (ev.epc === '84') {
        dev.power_w = parseInt(ev.edt, 16);
        renderSummary();
      }
      applyProperty(dev, ev.epc, ev.edt);
      break;
    case 'offline':
    case 'online':
      for (const d of devices.values())
        if (d.node === ev.node) d.online = ev.event === 'online';
      break;
    case 'removed':
      devices.delete(k);
      break;
    case 'house': // a `house` command's answer: the figures now
      house = ev;
      renderSummary();
      return;
    default:
      return;
  }
  renderDevices();
}

// ---- Rendering ------------------------------------------------------------

function text(v, unit) {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'number') return v + (unit || '');
  return String(v);
}

// The names of the series kinds (GET /api/energy "series"), as the legend says them.
const KIND_LABEL = {
  'whole-house': 'whole house', generation: 'generation', sale: 'sale',
  'battery-charge': 'battery charge', 'battery-discharge': 'battery discharge', device: 'devices',
};

function clock(start) {
  const d = new Date((start + (info ? info.utc_offset : 0)) * 1000);
  return d.getUTCHours() + ':' + String(d.getUTCMinutes()).padStart(2, '0');
}

// Bars of one or more series side by side in each period, one colour (CSS
// class k-KIND) per kind; periods without data draw nothing. Returns false
// when no series has any data.
function bars(container, list, label) {
  container.textContent = '';
  const present = [].concat(...list.map((s) => s.periods.filter((p) => p.wh !== null)));
  if (present.length === 0) return false;
  const max = Math.max(1, ...present.map((p) => p.wh));
  const n = list[0].periods.length;
  const w = 10 / list.length;
  const svgNS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNS, 'svg');
  svg.setAttribute('viewBox', '0 0 ' + n * 10 + ' 100');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  list.forEach((s, j) => {
    s.periods.forEach((p, i) => {
      if (p.wh === null) return;
      const h = Math.max(1, (p.wh / max) * 96);
      const r = document.createElementNS(svgNS, 'rect');
      r.setAttribute('x', i * 10 + j * w + w * 0.1);
      r.setAttribute('y', 100 - h);
      r.setAttribute('width', w * 0.8);
      r.setAttribute('height', h);
      r.setAttribute('class', 'bar k-' + s.kind);
      const t = document.createElementNS(svgNS, 'title');
      t.textContent = s.name + ' ' + clock(p.start) + ' ' + p.wh.toFixed(1) + ' Wh';
      r.appendChild(t);
      svg.appendChild(r);
    });
  });
  container.appendChild(svg);
  return true;
}

// The main chart's series: the house's own (whole house, generation, sale,
// battery) and each device, or the devices' sum when there is no whole-house series.
function chartSeries() {
  const list = [];
  for (const s of energy.series || []) list.push({ kind: s.series, name: s.key + ' (' + KIND_LABEL[s.series] + ')', periods: s.periods });
  if (!list.some((s) => s.kind === 'whole-house') && energy.devices.length > 1)
    list.unshift({ kind: 'sum', name: 'devices, sum', periods: energy.total });
  for (const d of energy.devices) list.push({ kind: 'device', name: d.node + ' ' + d.eoj, periods: d.periods });
  return list;
}

function legend(el, list) {
  el.textContent = '';
  const seen = new Set();
  for (const s of list) {
    if (seen.has(s.kind)) continue;
    seen.add(s.kind);
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch k-' + s.kind;
    li.dataset.kind = s.kind;
    li.append(sw, ' ' + (s.kind === 'sum' ? 'devices, sum' : KIND_LABEL[s.kind]));
    el.appendChild(li);
  }
}

// Wh as kWh with 3 decimals, or a dash.
function kwh(wh) { return typeof wh === 'number' ? (wh / 1000).toFixed(3) : '–'; }

const BATTERY_MODES = {
  other: 'other', rapid_charging: 'rapid charging', charging: 'charging', discharging: 'discharging',
  standby: 'standby', test: 'test', automatic: 'automatic', restart: 'restarting', recalculation: 'recalculating',
};

// The house's figures (GET /api/house): the meter's E7 as the whole house
// now when there is a meter, else the units' 0x84 summed.
function renderHouse() {
  const h = house || {};
  $('gen-w').textContent = text(h.generation_w);
  const b = h.battery;
  $('battery').textContent = !b ? '–' : (b.soc === null ? '–' : b.soc + ' %') +
    (b.mode ? ', ' + (BATTERY_MODES[b.mode] || b.mode) : '') +
    (typeof b.power_w === 'number' ? ', ' + b.power_w + ' W' : '');
  $('use-today').textContent = kwh(h.use_today_wh);
  $('gen-today').textContent = kwh(h.generation_today_wh);
  $('sale-today').textContent = kwh(h.sale_today_wh);
  $('house-note').textContent = h.day ? 'today: ' + h.day +
    (h.day_from === 'meter' ? ' (the smart meter\'s calendar)' : '') : '';
}

function renderSummary() {
  let sum = 0;
  let any = false;
  for (const d of devices.values())
    if (typeof d.power_w === 'number') {
      sum += d.power_w;
      any = true;
    }
  if (house && typeof house.use_w === 'number') {
    $('now-w').textContent = String(house.use_w);
    $('now-note').textContent = 'the smart meter (E7; negative: selling)';
  } else {
    $('now-w').textContent = any ? String(sum) : '–';
  }
  renderHouse();
  const note = $('chart-note');
  if (!energy || !energy.enabled) {
    $('chart').textContent = '';
    note.textContent = 'No energy log: start hems-controller with --energy FILE.';
    $('chart-legend').textContent = '';
  } else {
    const list = chartSeries();
    if (list.length === 0 || !bars($('chart'), list, 'energy per half-hour today, by series')) {
      $('chart-legend').textContent = '';
      note.textContent = 'No energy recorded today yet.';
    } else {
      legend($('chart-legend'), list);
      note.textContent = 'Wh per half-hour, local time.';
    }
  }
}

function seriesOf(dev) {
  if (!energy || !energy.devices) return null;
  return energy.devices.find((e) => e.node === dev.node && e.eoj === dev.eoj) || null;
}

function card(dev) {
  const id = 'dev-' + dev.node.replace(/[^0-9a-zA-Z]/g, '_') + '-' + dev.eoj;
  let el = document.getElementById(id);
  if (!el) {
    el = $('device-card').content.firstElementChild.cloneNode(true);
    el.id = id;
    el.dataset.node = dev.node;
    el.dataset.eoj = dev.eoj;
    el.querySelector('.on').addEventListener('click', () => write(dev, { power: 'on' }, el));
    el.querySelector('.off').addEventListener('click', () => write(dev, { power: 'off' }, el));
    el.querySelector('.mode-select').addEventListener('change', (e) => write(dev, { mode: e.target.value }, el));
    el.querySelector('.up').addEventListener('click', () => stepTemp(dev, 1, el));
    el.querySelector('.down').addEventListener('click', () => stepTemp(dev, -1, el));
    if (!isAircon(dev))
      for (const c of ['.mode', '.temp', '.room', '.flow', '.mode-select', '.temp-ctl']) {
        const x = el.querySelector(c);
        x.hidden = true;
        if (x.previousElementSibling && x.previousElementSibling.tagName === 'DT') x.previousElementSibling.hidden = true;
      }
    $('devices').appendChild(el);
  }
  return el;
}

function renderDevices() {
  $('no-devices').hidden = devices.size > 0;
  for (const dev of devices.values()) {
    const el = card(dev);
    const s = dev.state || {};
    el.querySelector('.name').textContent = (dev.class || (isAircon(dev) ? 'Home air conditioner' : 'Device')) + ' ' +
      dev.eoj + ' at ' + dev.node;
    const badge = el.querySelector('.badge');
    badge.textContent = !dev.online ? 'offline' : dev.ready ? text(s.power) : 'starting';
    badge.className = 'badge ' + (!dev.online ? 'offline' : s.power === 'on' ? 'on' : 'off');
    el.querySelector('.power').textContent = text(s.power);
    el.querySelector('.mode').textContent = text(s.mode);
    el.querySelector('.temp').textContent = text(s.temp, ' °C');
    el.querySelector('.room').textContent = text(s.room, ' °C');
    el.querySelector('.flow').textContent = text(s.flow);
    const sel = el.querySelector('.mode-select');
    if (s.mode && document.activeElement !== sel) sel.value = s.mode;
    const series = seriesOf(dev);
    if (!series || !bars(el.querySelector('.series'), [{ kind: 'device', name: dev.node + ' ' + dev.eoj,
      periods: series.periods }], 'Wh per half-hour today'))
      el.querySelector('.series').textContent = '';
  }
  for (const el of Array.from($('devices').children))
    if (!devices.has(key(el.dataset.node, el.dataset.eoj))) el.remove();
  renderSummary();
}

// ---- Writes ---------------------------------------------------------------

async function write(dev, settings, el) {
  const out = el.querySelector('.result');
  out.textContent = 'writing…';
  try {
    const r = await api('/api/devices/' + encodeURIComponent(dev.node) + '/' + dev.eoj, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(settings),
    });
    out.textContent = 'written (' + r.outcome + ')';
  } catch (e) {
    if (e instanceof AuthError) askToken();
    out.textContent = 'refused: ' + e.message;
  }
}

function stepTemp(dev, delta, el) {
  const t = dev.state && typeof dev.state.temp === 'number' ? dev.state.temp : 24;
  write(dev, { temp: Math.min(50, Math.max(0, t + delta)) }, el);
}

// ---- Loading and the event stream -------------------------------------------

async function load() {
  info = await api('/api/info');
  const list = await api('/api/devices');
  for (const d of list.devices) devices.set(key(d.node, d.eoj), d);
  energy = await api('/api/energy?res=half-hour');
  house = await api('/api/house');
  renderDevices();
}

function setLink(up) {
  const l = $('link');
  l.textContent = up ? 'live' : 'reconnecting…';
  l.className = 'link ' + (up ? 'up' : 'down');
}

async function stream() {
  for (;;) {
    try {
      const r = await fetch('/api/events', { headers: headers() });
      if (r.status === 401) throw new AuthError('token required');
      if (!r.ok || !r.body) throw new Error('event stream: HTTP ' + r.status);
      setLink(true);
      const reader = r.body.getReader();
      const dec = new TextDecoder();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += dec.decode(value, { stream: true });
        let at;
        while ((at = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, at);
          buf = buf.slice(at + 2);
          const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
          if (data) onEvent(JSON.parse(data));
        }
      }
    } catch (e) {
      if (e instanceof AuthError) {
        askToken();
        return;
      }
    }
    setLink(false);
    await new Promise((res) => setTimeout(res, 3000));
  }
}

async function start() {
  try {
    await load();
    showError('');
    stream();
    setInterval(() => api('/api/energy?res=half-hour').then((e) => { energy = e; renderDevices(); }).catch(() => {}), 60000);
    setInterval(() => api('/api/house').then((h) => { house = h; renderSummary(); }).catch(() => {}), 10000);
  } catch (e) {
    if (e instanceof AuthError) askToken();
    else showError('Cannot load: ' + e.message);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login').addEventListener('submit', (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('login').hidden = true;
    start();
  });
  start();
});
