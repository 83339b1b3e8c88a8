// The desk page: reads pasted data through the server's parser (/api/v1/parse), submits the observations
// as the request JSON `ce-isp resolve` takes, and shows the verdict with what it rests on. Everything is
// written with textContent: nothing from a log line or a verdict is ever interpreted as HTML.
'use strict';
const $ = (id) => document.getElementById(id);
const verdictNames = {
  unique: '一意 / unique', ambiguous: '複数候補 / ambiguous', none: '該当なし / none', unknown: '判定不能 / unknown',
};
let me = null;
let observations = [];

async function api(path, options = {}) {
  // Every POST carries the session's anti-forgery token (docs/desk.md), which /api/v1/me gave.
  const headers = options.method === 'POST' ? { ...options.headers, 'x-csrf-token': me.csrfToken } : options.headers;
  const r = await fetch(path, { credentials: 'same-origin', ...options, headers });
  if (r.status === 401) { location.href = '/login'; throw new Error('signed out'); }
  const body = r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text();
  if (!r.ok) throw new Error(body.error ?? `${r.status}`);
  return body;
}

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text;
  if (cls) td.className = cls;
  return td;
}

function fill(table, items, render) {
  const body = $(table).tBodies[0];
  body.replaceChildren();
  for (const item of items) render(body.insertRow(), item);
}

const utc = (t) => new Date(t).toISOString().replace('.000Z', 'Z');

async function parse() {
  $('errors').replaceChildren();
  $('notes').replaceChildren();
  $('resolve').disabled = true;
  try {
    const result = await api('/api/v1/parse', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        format: $('format').value, text: $('text').value, proto: $('proto').value,
        serverIp: $('serverIp').value || null, serverPort: $('serverPort').value ? Number($('serverPort').value) : null,
        accuracyMs: Number($('accuracy').value || 0),
      }),
    });
    observations = result.observations;
    for (const e of result.errors) $('errors').append(Object.assign(document.createElement('li'), { textContent: e }));
    for (const n of result.notes) $('notes').append(Object.assign(document.createElement('li'), { textContent: n }));
    fill('observations', observations, (row, o) => {
      cell(row, String(row.sectionRowIndex));
      cell(row, o.ip);
      cell(row, utc(o.time));
      cell(row, String(o.timeAccuracyMs));
      cell(row, `${o.dstIp}:${o.dstPort ?? ''}/${o.proto}`);
      cell(row, o.srcPort == null ? '—' : String(o.srcPort));
    });
    $('observations').hidden = observations.length === 0;
    $('resolve').disabled = observations.length === 0 || result.errors.length > 0;
  } catch (e) {
    $('errors').append(Object.assign(document.createElement('li'), { textContent: e.message }));
  }
}

async function resolve() {
  $('resolve').disabled = true;
  try {
    const verdict = await api('/api/v1/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ requester: me.name, reference: $('reference').value || null, observations }),
    });
    show(verdict);
    await history();
  } catch (e) {
    $('errors').append(Object.assign(document.createElement('li'), { textContent: e.message }));
  } finally {
    $('resolve').disabled = false;
  }
}

function show(v) {
  $('answer').hidden = false;
  $('verdict').textContent = verdictNames[v.verdict] ?? v.verdict;
  $('verdict').className = `badge ${v.verdict}`;
  $('explanationJa').textContent = v.explanationJa;
  $('explanationEn').textContent = v.explanation;
  $('requestId').textContent = v.id;
  $('bundle').href = `/api/v1/requests/${encodeURIComponent(v.id)}/evidence`;
  fill('candidates', v.candidates, (row, c) => {
    cell(row, c.line, 'line');
    cell(row, c.ceId);
    cell(row, String(c.observationsMatched));
    cell(row, c.falsePositiveProbability.toPrecision(3));
    const windows = cell(row, '');
    for (const w of c.windows) {
      const clock = w.clockSynchronized ? `同期 synced ±${w.clockErrorMs} ms` : `非同期 NOT synced (${w.clockErrorMs < 0 ? 'unknown' : `±${w.clockErrorMs} ms`})`;
      const obs = w.observations.length ? `観測 obs ${w.observations.join(', ')}` : '—';
      windows.append(Object.assign(document.createElement('div'), {
        textContent: `${utc(w.windowStart * 1000)} +${w.windowLength}s · seq ${w.seq} · ${obs} · ${clock}${w.portUsed ? ' · port used' : ''}`,
      }));
    }
    cell(row, c.notes.join('; '));
  });
  $('unknownBox').hidden = v.unknown.length === 0;
  $('unknown').replaceChildren(...v.unknown.map((u) => Object.assign(document.createElement('li'), { textContent: `${u.line} (${u.ceId}): ${u.why}` })));
}

async function history() {
  const list = await api('/api/v1/requests');
  fill('requests', list, (row, r) => {
    cell(row, utc(r.at));
    cell(row, r.reference ?? '');
    cell(row, r.owner);
    cell(row, `${verdictNames[r.verdict] ?? r.verdict}${r.line ? ` → ${r.line}` : ''}`);
    const open = Object.assign(document.createElement('button'), { type: 'button', textContent: '表示 / open' });
    open.addEventListener('click', async () => show((await api(`/api/v1/requests/${encodeURIComponent(r.id)}`)).verdict));
    row.insertCell().append(open);
  });
}

async function audit() {
  const r = await fetch('/api/v1/audit', { credentials: 'same-origin' });
  $('auditChain').textContent = r.headers.get('x-audit-chain') === 'intact' ? '改ざんなし / chain intact' : '改ざんの疑い / chain BROKEN';
  $('auditChain').className = `badge ${r.headers.get('x-audit-chain') === 'intact' ? 'unique' : 'unknown'}`;
  $('audit').textContent = await r.text();
}

async function start() {
  me = await api('/api/v1/me');
  $('logoutCsrf').value = me.csrfToken;
  $('me').textContent = `${me.name} (${me.roles.join(', ')})`;
  const has = (role) => me.roles.includes(role);
  $('new').hidden = !has('requester');
  $('history').hidden = !(has('requester') || has('auditor'));
  $('auditSection').hidden = !has('auditor');
  $('devicesSection').hidden = !has('administrator');
  $('parse').addEventListener('click', parse);
  $('resolve').addEventListener('click', resolve);
  $('text').addEventListener('input', () => { $('resolve').disabled = true; });
  $('loadAudit').addEventListener('click', audit);
  if (!$('history').hidden) await history();
  if (has('administrator')) {
    fill('devices', await api('/api/v1/devices'), (row, d) => {
      cell(row, d.ceId);
      cell(row, d.line);
      cell(row, d.publicKeyPem.split('\n').slice(1, -2).join('').slice(0, 24) + '…', 'mono');
    });
  }
}

start();
