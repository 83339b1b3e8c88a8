// An independent implementation checks ce-agent's published vectors: cose-js verifies the COSE_Sign1
// ES256 signatures, the npm cbor package decodes the payloads and re-encodes them canonically, which must
// give back the very same bytes (the format is deterministic CBOR, RFC 8949 section 4.2).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, createPublicKey } from 'node:crypto';
import cbor from 'cbor';
import cose from 'cose-js';

const doc = JSON.parse(readFileSync(new URL('../../docs/summary-vectors.json', import.meta.url)));
const jwk = createPublicKey(doc.publicKeyPem).export({ format: 'jwk' });
const verifier = { key: { x: Buffer.from(jwk.x, 'base64url'), y: Buffer.from(jwk.y, 'base64url') } };

for (const v of doc.vectors) {
  test(`vector "${v.name}" verifies with cose-js`, async () => {
    const payload = await cose.sign.verify(Buffer.from(v.message, 'hex'), verifier);
    assert.equal(payload.toString('hex'), v.payload);
  });

  test(`vector "${v.name}" decodes with cbor and is canonical`, () => {
    const bytes = Buffer.from(v.payload, 'hex');
    const m = cbor.decodeFirstSync(bytes);
    assert.ok(m instanceof Map, 'payload is a map');
    assert.equal(m.get(1), 3, 'version');
    assert.equal(m.get(2), v.ceId);
    assert.equal(m.get(3), v.seq);
    assert.equal(m.get(5).get(3), v.psid);
    assert.equal(m.get(6).length, v.windows);
    assert.equal(m.get(6)[0].get(1), v.firstWindowStart);
    assert.equal(m.get(8) ?? 0, v.filterKeyEpoch, 'filter key epoch (left out when 0)');
    assert.equal(cbor.encodeCanonical(m).toString('hex'), v.payload, 're-encoding changes the bytes');
  });

  test(`vector "${v.name}" chain hash is SHA-256 of the signed bytes`, () => {
    assert.equal(createHash('sha256').update(Buffer.from(v.message, 'hex')).digest('hex'), v.chainHash);
  });
}

// The filter's bit layout read independently (docs/summary-format.md, "Attribution filter"): Golomb-Rice
// gaps of P bits, then each entry's end offset and its length in Exp-Golomb order 6. Without the keyed hash
// the values cannot be tied to destinations, but the intervals listed must be exactly the published ones.
function readFilter([p, n, data], windowStart, windowLength) {
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
    assert.ok(value < n * 2 ** p, 'value inside the range N * 2^P');
    const end = bits(offsetBits);
    let zeros = 0;
    while (!bit()) zeros++;
    const length = ((2 ** zeros + bits(zeros)) - 1) * 64 + bits(6);
    entries.push([windowStart + end - length, windowStart + end]);
  }
  assert.ok(data.length * 8 - pos < 8, 'nothing after the last entry but padding');
  return entries;
}

test('the first vector lists exactly the published intervals', () => {
  const m = cbor.decodeFirstSync(Buffer.from(doc.vectors[0].payload, 'hex'));
  const w = m.get(6)[0];
  const got = readFilter(w.get(8), w.get(1), w.get(2)).map(String).sort();
  const want = doc.filterIntervals.map((d) => String([d.start, d.end])).sort();
  assert.deepEqual(got, want);
});

test('the parts of the split window together list exactly the published intervals', () => {
  const m = cbor.decodeFirstSync(Buffer.from(doc.vectors[2].payload, 'hex'));
  const [part0, part1] = m.get(6);
  assert.deepEqual(part0.get(9), [0, 2]);
  assert.deepEqual(part1.get(9), [1, 2]);
  assert.equal(part0.get(10), 3, 'unrecorded intervals on part 0');
  assert.equal(part1.get(4).length, 0, 'later parts carry no protocols');
  const got = [part0, part1].flatMap((w) => readFilter(w.get(8), w.get(1), w.get(2))).map(String).sort();
  const want = doc.filterIntervals.map((d) => String([d.start, d.end])).sort();
  assert.deepEqual(got, want);
});

test('a tampered vector fails verification', async () => {
  const bytes = Buffer.from(doc.vectors[0].message, 'hex');
  bytes[bytes.length - 70] ^= 1; // inside the payload, before the 64-byte signature
  await assert.rejects(cose.sign.verify(bytes, verifier));
});

test('a vector under another key fails verification', async () => {
  const other = { key: { x: Buffer.alloc(32, 1), y: Buffer.alloc(32, 2) } };
  await assert.rejects(cose.sign.verify(Buffer.from(doc.vectors[0].message, 'hex'), other));
});
