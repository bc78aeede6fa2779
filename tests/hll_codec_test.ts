// The HyperLogLog codec (core/hll/) on its own, where a mistake would hide behind the
// differential tests' few hundred elements: the 32-bit-halves MurmurHash64A against a plain
// BigInt transcription of the algorithm on every tail length, the dense register accessors
// against the group packers, and the draft's sparse → dense promotion keeping the registers.

import assert from "node:assert/strict";
import {
  DENSE_SIZE_BYTES,
  denseRegister,
  HLL_HASH_SEED,
  HllDraft,
  HllEncoding,
  hllPattern,
  murmurHash64ABigInt,
  packDenseRegisters,
  patternCount,
  patternIndex,
  REGISTER_COUNT,
  RegisterUpdate,
  setDenseRegister,
  unpackDenseRegisters,
} from "../core/hll/mod.ts";
import { seededRandom } from "./_support/differential.ts";

const MASK_64 = (1n << 64n) - 1n;
const M = 0xc6a4a7935bd1e995n;

/** MurmurHash64A in BigInt arithmetic, straight from the algorithm's definition. */
function referenceMurmur(data: Uint8Array, seed: bigint): bigint {
  let h = (seed ^ (BigInt(data.length) * M)) & MASK_64;
  const blocksEnd = data.length - (data.length & 7);
  for (let i = 0; i < blocksEnd; i += 8) {
    let k = 0n;
    for (let b = 7; b >= 0; b--) k = (k << 8n) | BigInt(data[i + b]);
    k = (k * M) & MASK_64;
    k ^= k >> 47n;
    k = (k * M) & MASK_64;
    h ^= k;
    h = (h * M) & MASK_64;
  }
  const tail = data.length & 7;
  if (tail > 0) {
    for (let j = tail - 1; j >= 0; j--) h ^= BigInt(data[blocksEnd + j]) << BigInt(8 * j);
    h = (h * M) & MASK_64;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK_64;
  return h ^ (h >> 47n);
}

Deno.test("MurmurHash64A on 32-bit halves equals the BigInt definition", () => {
  const random = seededRandom(20261125);
  for (let n = 0; n < 3000; n++) {
    const data = new Uint8Array(n % 41);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
    assert.equal(murmurHash64ABigInt(data, HLL_HASH_SEED), referenceMurmur(data, 0xadc83b19n));
  }
});

Deno.test("hllPattern takes the index from the low 14 bits and counts the zeroes above", () => {
  const random = seededRandom(7);
  for (let n = 0; n < 1000; n++) {
    const data = new TextEncoder().encode(`element-${random()}`);
    const hash = referenceMurmur(data, 0xadc83b19n);
    const pattern = hllPattern(data);
    assert.equal(patternIndex(pattern), Number(hash & 0x3fffn));
    let rest = (hash >> 14n) | (1n << 50n);
    let count = 1;
    while ((rest & 1n) === 0n) {
      rest >>= 1n;
      count++;
    }
    assert.equal(patternCount(pattern), count);
  }
});

Deno.test("dense registers: single accessors and group packers agree, neighbours untouched", () => {
  const random = seededRandom(11);
  const value = new Uint8Array(DENSE_SIZE_BYTES);
  const expected = new Uint8Array(REGISTER_COUNT);
  for (let index = 0; index < REGISTER_COUNT; index++) {
    expected[index] = Math.floor(random() * 64);
    setDenseRegister(value, index, expected[index]);
  }
  const unpacked = new Uint8Array(REGISTER_COUNT);
  unpackDenseRegisters(value, unpacked);
  assert.deepEqual(unpacked, expected);
  const repacked = new Uint8Array(DENSE_SIZE_BYTES);
  packDenseRegisters(expected, repacked);
  assert.deepEqual(repacked, value);
  for (let index = 0; index < REGISTER_COUNT; index++) {
    assert.equal(denseRegister(value, index), expected[index]);
  }
});

Deno.test("a sparse draft promoted by size holds the same registers as a dense one", () => {
  const sparse = new HllDraft();
  sparse.loadEmpty();
  const dense = new HllDraft();
  dense.loadEmpty();
  assert.ok(dense.toDense());
  for (let n = 0; n < 5000; n++) {
    const pattern = hllPattern(new TextEncoder().encode(`e${n}`));
    const raisedDense = dense.add(pattern, 3000);
    assert.equal(sparse.add(pattern, 3000), raisedDense, `element e${n}`);
    assert.notEqual(raisedDense, RegisterUpdate.Corrupted);
  }
  assert.equal(sparse.encoding, HllEncoding.Dense);
  assert.deepEqual(sparse.value.subarray(16), dense.value.subarray(16));
});
