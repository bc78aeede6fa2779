// From registers to a cardinality: the register histogram of each representation, the union of
// several HyperLogLogs as one array of registers, and Redis 7.0's estimator (Otmar Ertl's
// improved raw estimator, "New cardinality estimation algorithms for HyperLogLog sketches",
// arXiv:1702.01284, with its tau and sigma corrections).
//
// PFCOUNT caches what this computes inside the value and a replica recomputes it on its own
// copy, so the estimate must come out as Redis's to the unit: the floating-point steps below
// are Redis's in Redis's order (IEEE doubles in both; the final rounding is half away from zero
// as llroundl). Everything reads the value as it is, so a view into engine memory serves.

import {
  HEADER_SIZE_BYTES,
  HLL_Q,
  HllEncoding,
  hllEncoding,
  isSparseXzero,
  isSparseZero,
  REGISTER_COUNT,
  REGISTER_MAX,
  sparseValRun,
  sparseValValue,
  sparseXzeroRun,
  sparseZeroRun,
  unpackDenseRegisters,
} from "./layout.ts";

/**
 * A register histogram: slot v counts the registers holding v. 64 slots, as Redis sizes it:
 * a forged dense value may hold any 6-bit register, and the estimator reads slots 0..Q+1.
 */
export type RegisterHistogram = Float64Array;

export function newHistogram(): RegisterHistogram {
  return new Float64Array(REGISTER_MAX + 1);
}

/** One byte per register: where a dense value is unpacked to be counted or merged. */
const unpacked = new Uint8Array(REGISTER_COUNT);

/** Fills `histogram` from a dense value. */
export function denseHistogram(value: Uint8Array, histogram: RegisterHistogram): void {
  unpackDenseRegisters(value, unpacked);
  registersHistogram(unpacked, histogram);
}

/**
 * Fills `histogram` from a sparse value; false when its opcodes do not cover exactly 16384
 * registers (a corrupted value: PFCOUNT answers INVALIDOBJ). A run passing register 16383 ends
 * the walk as invalid at once: Redis's fix for CVE-2025-32023, in every release since (and in
 * the 7.0.15 that distributions ship), which the tests' redis-server has.
 */
export function sparseHistogram(value: Uint8Array, histogram: RegisterHistogram): boolean {
  histogram.fill(0);
  let index = 0;
  let cursor = HEADER_SIZE_BYTES;
  while (cursor < value.length) {
    const op = value[cursor];
    let run: number;
    let count = 0;
    if (isSparseZero(op)) {
      run = sparseZeroRun(op);
      cursor++;
    } else if (isSparseXzero(op)) {
      run = sparseXzeroRun(op, value[cursor + 1] | 0);
      cursor += 2;
    } else {
      run = sparseValRun(op);
      count = sparseValValue(op);
      cursor++;
    }
    if (index + run > REGISTER_COUNT) return false;
    index += run;
    histogram[count] += run;
  }
  return index === REGISTER_COUNT;
}

/** Fills `histogram` from one byte per register (the union mergeRegisters builds). */
export function registersHistogram(registers: Uint8Array, histogram: RegisterHistogram): void {
  histogram.fill(0);
  for (let index = 0; index < REGISTER_COUNT; index++) histogram[registers[index]]++;
}

/**
 * Raises each of `registers` (one byte per register) to the value's register where that is
 * higher: the union of HyperLogLogs. False when a sparse value does not cover exactly 16384
 * registers (INVALIDOBJ), a run passing the last register included (see sparseHistogram).
 */
export function mergeRegisters(registers: Uint8Array, value: Uint8Array, dense: boolean): boolean {
  if (dense) {
    unpackDenseRegisters(value, unpacked);
    for (let index = 0; index < REGISTER_COUNT; index++) {
      if (unpacked[index] > registers[index]) registers[index] = unpacked[index];
    }
    return true;
  }
  let index = 0;
  let cursor = HEADER_SIZE_BYTES;
  while (cursor < value.length) {
    const op = value[cursor];
    if (isSparseZero(op)) {
      const run = sparseZeroRun(op);
      if (index + run > REGISTER_COUNT) return false;
      index += run;
      cursor++;
    } else if (isSparseXzero(op)) {
      const run = sparseXzeroRun(op, value[cursor + 1] | 0);
      if (index + run > REGISTER_COUNT) return false;
      index += run;
      cursor += 2;
    } else {
      const run = sparseValRun(op);
      const count = sparseValValue(op);
      if (index + run > REGISTER_COUNT) return false;
      for (const end = index + run; index < end; index++) {
        if (count > registers[index]) registers[index] = count;
      }
      cursor++;
    }
  }
  return index === REGISTER_COUNT;
}

/** 0.5 / ln 2, the bias constant of the estimator for an infinite number of registers. */
const ALPHA_INF = 0.721347520444481703680;

/** Ertl's sigma(x) = x + Σ x^(2^k) · 2^(k-1), summed until it stops changing. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrevious: number;
  do {
    x *= x;
    zPrevious = z;
    z += x * y;
    y += y;
  } while (zPrevious !== z);
  return z;
}

/** Ertl's tau(x) = (1 - x - Σ (1 - x^(2^-k))² · 2^-k) / 3, summed until it stops changing. */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrevious: number;
  do {
    x = Math.sqrt(x);
    zPrevious = z;
    y *= 0.5;
    const complement = 1 - x;
    z -= complement * complement * y;
  } while (zPrevious !== z);
  return z / 3;
}

/**
 * Redis 7.0's cardinality estimate from a register histogram. Returns a number; only a forged
 * value whose every register holds Q + 1 makes the estimate infinite, where Redis's llroundl
 * yields the most negative 64-bit integer, returned here as that bigint.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { estimateCardinality, newHistogram } from "./estimate.ts";
 * const histogram = newHistogram();
 * histogram[0] = 16384; // every register 0
 * assert.equal(estimateCardinality(histogram), 0);
 * ```
 */
export function estimateCardinality(histogram: RegisterHistogram): number | bigint {
  const m = REGISTER_COUNT;
  let z = m * tau((m - histogram[HLL_Q + 1]) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histogram[j];
    z *= 0.5;
  }
  z += m * sigma(histogram[0] / m);
  const estimate = ALPHA_INF * m * m / z;
  if (!Number.isFinite(estimate)) return -(2n ** 63n);
  const floor = Math.floor(estimate);
  return estimate - floor >= 0.5 ? floor + 1 : floor;
}

/**
 * Fills `histogram` from a valid HyperLogLog of either encoding (layout.ts isHllValue); false
 * for a corrupted sparse value.
 */
export function valueHistogram(value: Uint8Array, histogram: RegisterHistogram): boolean {
  if (hllEncoding(value) === HllEncoding.Dense) {
    denseHistogram(value, histogram);
    return true;
  }
  return sparseHistogram(value, histogram);
}
