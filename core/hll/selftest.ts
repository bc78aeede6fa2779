// PFSELFTEST: what can only be checked from inside. Two tests, as Redis's command runs them:
// dense register access (every register written and read back, 1000 rounds of random values,
// so a neighbour clobbered by a 6-bit write shows), then 10 M distinct elements added to a
// dense and a sparse HyperLogLog at once, checking at each power of ten that the sparse one is
// still sparse while small, that both estimate the same, and that the error stays within six
// standard errors (1.04 / sqrt(16384) relative).
//
// It runs in one go, as in Redis (about half a second there, about a second here): an
// administrative command, not one for serving traffic.

import { estimateCardinality, newHistogram, valueHistogram } from "./estimate.ts";
import { HllDraft } from "./draft.ts";
import { hllPattern, patternCount, patternIndex } from "./murmur.ts";
import {
  DENSE_SIZE_BYTES,
  denseRegister,
  HllEncoding,
  REGISTER_COUNT,
  REGISTER_MAX,
  setDenseRegister,
} from "./layout.ts";

/** Rounds of random values through every dense register (Redis's HLL_TEST_CYCLES). */
const REGISTER_ROUNDS = 1000;
/** Elements added in the accuracy test; checkpoints at 1, 10, 100 … up to it. */
const ELEMENT_COUNT = 10_000_000;
/** Standard errors the estimate may stray at a checkpoint. */
const ERROR_BOUND_STANDARD_ERRORS = 6;
const RELATIVE_STANDARD_ERROR = 1.04 / Math.sqrt(REGISTER_COUNT);
/** At 10 elements one collision is already a 10% error: the bound there is 1, as in Redis. */
const SMALL_CHECKPOINT = 10;
const SMALL_CHECKPOINT_ERROR_MAX = 1;

/**
 * Runs the self-test; null when it passes, else the error reply's text (`TESTFAILED …`).
 * `sparseMaxBytes` is the server's hll-sparse-max-bytes: below half of it in elements, the
 * sparse HyperLogLog must still be sparse.
 */
export function hllSelfTest(sparseMaxBytes: number): string | null {
  return registerAccessProblem() ?? accuracyProblem(sparseMaxBytes);
}

function registerAccessProblem(): string | null {
  const dense = new Uint8Array(DENSE_SIZE_BYTES);
  const expected = new Uint8Array(REGISTER_COUNT);
  for (let round = 0; round < REGISTER_ROUNDS; round++) {
    for (let index = 0; index < REGISTER_COUNT; index++) {
      const count = Math.floor(Math.random() * (REGISTER_MAX + 1));
      expected[index] = count;
      setDenseRegister(dense, index, count);
    }
    for (let index = 0; index < REGISTER_COUNT; index++) {
      const count = denseRegister(dense, index);
      if (count !== expected[index]) {
        return `TESTFAILED Register ${index} should be ${expected[index]} but is ${count}`;
      }
    }
  }
  return null;
}

function accuracyProblem(sparseMaxBytes: number): string | null {
  const dense = new HllDraft();
  dense.loadEmpty();
  dense.toDense();
  const sparse = new HllDraft();
  sparse.loadEmpty();
  const histogram = newHistogram();
  const count = (draft: HllDraft) => {
    valueHistogram(draft.value, histogram);
    return Number(estimateCardinality(histogram));
  };
  // Element j is the 8 bytes of j XOR a random 64-bit seed, little endian, as Redis hashes them.
  const element = new Uint8Array(8);
  const words = new DataView(element.buffer);
  const seedLow = Math.floor(Math.random() * 2 ** 32);
  words.setUint32(4, Math.floor(Math.random() * 2 ** 32), true);
  let checkpoint = 1;
  for (let j = 1; j <= ELEMENT_COUNT; j++) {
    words.setUint32(0, (j ^ seedLow) >>> 0, true);
    const pattern = hllPattern(element);
    dense.raise(patternIndex(pattern), patternCount(pattern), sparseMaxBytes);
    sparse.raise(patternIndex(pattern), patternCount(pattern), sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== HllEncoding.Sparse) {
      return "TESTFAILED sparse encoding not used";
    }
    const estimate = count(dense);
    if (estimate !== count(sparse)) return "TESTFAILED dense/sparse disagree";
    const errorMax = j === SMALL_CHECKPOINT
      ? SMALL_CHECKPOINT_ERROR_MAX
      : Math.ceil(RELATIVE_STANDARD_ERROR * ERROR_BOUND_STANDARD_ERRORS * checkpoint);
    const error = Math.abs(checkpoint - estimate);
    if (error > errorMax) {
      return `TESTFAILED Too big error. card:${checkpoint} abserr:${error}`;
    }
    checkpoint *= 10;
  }
  return null;
}
