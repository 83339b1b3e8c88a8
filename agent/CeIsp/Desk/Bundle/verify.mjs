// Re-checks a ce-isp evidence bundle with an independent implementation (Node's crypto, the npm packages
// cbor and cose-js), without ce-isp. Usage: npm install && node verify.mjs [bundle-directory]
// Exit status 0 when every check passes; each failure is printed on a line starting with FAIL.
// The format is public: docs/summary-format.md in the ce-agent sources; README.md here says what is checked.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash, createPublicKey } from 'node:crypto';
import cbor from 'cbor';
import cose from 'cose-js';

const dir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
let failures = 0;
const fail = (m) => { failures++; console.log(`FAIL ${m}`); };
const pass = (m) => console.log(`ok   ${m}`);
const read = (p) => readFileSync(join(dir, p));

// 1. Signatures: every message verifies under its CE's enrolled key (COSE_Sign1, ES256) and names that
// CE and the sequence its file name says; the payload is canonical CBOR (re-encoding gives the same bytes).
const keys = {};
for (const f of existsSync(join(dir, 'keys')) ? readdirSync(join(dir, 'keys')) : []) {
  const jwk = createPublicKey(read(`keys/${f}`)).export({ format: 'jwk' });
  keys[f.replace(/\.pem$/, '')] = { key: { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') } };
}
const messages = new Map();
for (const ce of existsSync(join(dir, 'messages')) ? readdirSync(join(dir, 'messages')) : []) {
  for (const f of readdirSync(join(dir, 'messages', ce))) {
    const name = `messages/${ce}/${f}`;
    const seq = Number(f.replace(/\.cose$/, ''));
    const bytes = read(name);
    if (!keys[ce]) { fail(`${name}: no enrolled key keys/${ce}.pem`); continue; }
    let payload;
    try {
      payload = await cose.sign.verify(bytes, keys[ce]);
    } catch (e) {
      fail(`${name}: the signature does not verify under keys/${ce}.pem (${e.message})`);
      continue;
    }
    const m = cbor.decodeFirstSync(payload);
    if (m.get(2) !== ce || m.get(3) !== seq) { fail(`${name}: the message says CE ${m.get(2)} sequence ${m.get(3)}`); continue; }
    if (!cbor.encodeCanonical(m).equals(payload)) { fail(`${name}: the payload is not canonical CBOR`); continue; }
    messages.set(`${ce}/${seq}`, { bytes, m });
    pass(`${name}: signed by ${ce}, sequence ${seq}`);
  }
}

// 2. Chain links: where a message's predecessor is in the bundle, its "previous hash" (key 4) is the
// SHA-256 of the predecessor exactly as signed: nothing between them was removed or altered.
for (const [id, { m }] of messages) {
  const [ce, seq] = id.split('/');
  const prev = messages.get(`${ce}/${Number(seq) - 1}`);
  if (!prev) continue;
  const want = createHash('sha256').update(prev.bytes).digest();
  if (Buffer.compare(Buffer.from(m.get(4)), want) === 0) pass(`chain: ${ce} ${Number(seq) - 1} -> ${seq}`);
  else fail(`chain: ${ce} sequence ${seq} does not follow ${Number(seq) - 1} (previous hash differs)`);
}

// 3. Filter matches. For each evidence window the ISP gives the destination's keyed hash in that window
// (SipHash-2-4 under the CE's filter key of: window start, destination as IPv6, port, protocol). The
// hash maps onto the filter's range as (h * N * 2^P) >> 64; the filter must hold that value with an
// interval that, widened by the window's clock error bound, meets the observation's time span. The hash
// opens only this destination in this window: without the key nothing else can be tested.
function filterEntries([p, n, data], windowLength) {
  let pos = 0;
  const bit = () => {
    if (pos >= data.length * 8) throw new Error('filter data ends early');
    return (data[pos >> 3] >> (7 - (pos++ & 7))) & 1;
  };
  const bits = (k) => { let v = 0; for (let i = 0; i < k; i++) v = v * 2 + bit(); return v; };
  const offsetBits = Math.floor(Math.log2(windowLength)) + 1;
  const entries = [];
  let value = 0;
  for (let i = 0; i < n; i++) {
    let q = 0;
    while (bit()) q++;
    value += q * 2 ** p + bits(p);
    const end = bits(offsetBits);
    let zeros = 0;
    while (!bit()) zeros++;
    const length = ((2 ** zeros + bits(zeros)) - 1) * 64 + bits(6);
    entries.push({ value, end, length });
  }
  return entries;
}

const material = JSON.parse(read('filter-material.json'));
const confirmed = new Set();
for (const x of material) {
  const what = `${x.ceId} sequence ${x.seq} window ${x.window} lists ${x.dstIp}:${x.dstPort}/${x.proto} for observation ${x.observation}`;
  const msg = messages.get(`${x.ceId}/${x.seq}`);
  if (!msg) { fail(`${what}: message missing or unverified`); continue; }
  const w = msg.m.get(6)[x.window];
  if (!w || w.get(1) !== x.windowStart) { fail(`${what}: no window starting at ${x.windowStart}`); continue; }
  const [p, n] = w.get(8);
  const target = Number((BigInt(`0x${x.keyedHash}`) * (BigInt(n) << BigInt(p))) >> 64n);
  const maxError = w.get(3)[2];
  const error = maxError === 0xffffffff ? Infinity : maxError;
  const hits = filterEntries(w.get(8), w.get(2)).filter((e) => e.value === target)
    .map((e) => [x.windowStart + e.end - e.length, x.windowStart + e.end])
    .filter(([s, e]) => s * 1000 - error <= x.toMs && e * 1000 + error >= x.fromMs);
  if (hits.length === 0) { fail(`${what}: the filter holds no such entry at that time`); continue; }
  confirmed.add(`${x.ceId}/${x.seq}/${x.windowStart}/${x.observation}`);
  pass(`${what}: listed ${hits.map(([s, e]) => `${new Date(s * 1000).toISOString()}..${new Date(e * 1000).toISOString()}`).join(', ')} (clock bound ${error} ms)`);
}

// 4. The verdict: every window it cites for an observation is one confirmed above.
const verdict = JSON.parse(read('verdict.json'));
for (const c of verdict.candidates) {
  for (const w of c.windows) {
    for (const o of w.observations) {
      if (!confirmed.has(`${c.ceId}/${w.seq}/${w.windowStart}/${o}`)) fail(`verdict: ${c.line} (${c.ceId}) window ${w.windowStart} for observation ${o} is not confirmed`);
    }
  }
}
console.log(`verdict ${verdict.verdict}${verdict.line ? ` -> ${verdict.line}` : ''}: ${failures === 0 ? 'every check passed' : `${failures} check(s) failed`}`);
process.exit(failures === 0 ? 0 : 1);
