// A HyperLogLog being changed: PFADD, PFMERGE, PFCOUNT's cache and PFDEBUG TODENSE copy the
// stored value here, change it, and hand the bytes back to the engine in one set.
//
// The sparse update is Redis's hllSparseSet step for step, because its output is not canonical:
// which opcodes a split writes, which neighbours it merges afterwards (at most five opcodes from
// the one before the change), and when it gives up and promotes to dense all show in the bytes a
// replica, an RDB or DUMP carries. The buffer behaves as Redis's sds string does where that is
// observable: a length inside a larger capacity, a NUL written at the length whenever it
// changes, and writes that may run past the length (a split is copied in after the length
// moves, as Redis copies it).
//
//   capacity ─────────────────────────────────────────────────────────────┐
//   ┌────────┬───────────────────────────────────────┬───┬───────────────┤
//   │ header │ registers (dense) / opcodes (sparse)  │ 0 │ slack         │
//   └────────┴───────────────────────────────────────┴───┴───────────────┘
//   0        16                                    length
//
// One draft serves every command in turn (they run one at a time), so a PFADD allocates nothing
// once the buffers have grown; `value` is a view of the draft, valid until its next change.

import {
  DENSE_SIZE_BYTES,
  denseRegister,
  HEADER_SIZE_BYTES,
  HllEncoding,
  hllEncoding,
  isSparseVal,
  isSparseXzero,
  isSparseZero,
  markCardinalityStale,
  packDenseRegisters,
  REGISTER_COUNT,
  setDenseRegister,
  setHllEncoding,
  SPARSE_EMPTY_SIZE_BYTES,
  SPARSE_VAL_RUN_MAX,
  SPARSE_VAL_VALUE_MAX,
  SPARSE_ZERO_RUN_MAX,
  sparseValOpcode,
  sparseValRun,
  sparseValValue,
  sparseXzeroFirstByte,
  sparseXzeroRun,
  sparseZeroOpcode,
  sparseZeroRun,
  storeCardinality,
  unpackDenseRegisters,
  writeEmptySparse,
} from "./layout.ts";
import { patternCount, patternIndex } from "./murmur.ts";

/** The most a sparse update grows a value by: an XZERO split into XZERO, VAL, XZERO. */
const SPARSE_GROWTH_MAX_BYTES = 3;
/** Longest opcode sequence a split writes (XZERO VAL XZERO). */
const SPLIT_SIZE_MAX_BYTES = 5;
/** Opcodes the merge after a sparse update looks at, starting from the one before it. */
const MERGE_SCAN_OPCODES_MAX = 5;
/** Room past the length: the NUL Redis keeps there, and a split copied in past it. */
const SLACK_BYTES = 8;

/** What an update did: Redis's -1 / 0 / 1 of hllAdd and hllSparseSet. */
export const enum RegisterUpdate {
  /** The sparse value is corrupted (its opcodes do not reach the register, or cannot expand). */
  Corrupted = -1,
  /** The register already held at least the count. */
  Unchanged = 0,
  Raised = 1,
}

export class HllDraft {
  /** The buffer being changed: #sparseBytes or #denseBytes. */
  #bytes: Uint8Array;
  #sparseBytes = new Uint8Array(SPARSE_EMPTY_SIZE_BYTES + SLACK_BYTES);
  #denseBytes = new Uint8Array(DENSE_SIZE_BYTES + SLACK_BYTES);
  #length = 0;
  /** Fixed buffer for a sparse split, so an update allocates nothing. */
  readonly #split = new Uint8Array(SPLIT_SIZE_MAX_BYTES);
  /** The registers of a dense draft one byte each, for raiseAll. */
  readonly #unpacked = new Uint8Array(REGISTER_COUNT);

  constructor() {
    this.#bytes = this.#sparseBytes;
  }

  /** The draft's bytes: a view, valid until the draft changes. */
  get value(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  get encoding(): HllEncoding {
    return hllEncoding(this.#bytes);
  }

  /** Starts from a copy of `value`, a valid HyperLogLog (layout.ts isHllValue). */
  load(value: Uint8Array): void {
    if (hllEncoding(value) === HllEncoding.Dense) {
      this.#bytes = this.#denseBytes;
    } else {
      if (this.#sparseBytes.length < value.length + SLACK_BYTES) {
        this.#sparseBytes = new Uint8Array(value.length + SLACK_BYTES * 2);
      }
      this.#bytes = this.#sparseBytes;
    }
    this.#bytes.set(value);
    this.#setLength(value.length);
  }

  /** Starts from an empty sparse HyperLogLog, as PFADD and PFMERGE create a missing key. */
  loadEmpty(): void {
    this.#bytes = this.#sparseBytes;
    writeEmptySparse(this.#bytes);
    this.#setLength(SPARSE_EMPTY_SIZE_BYTES);
  }

  markStale(): void {
    markCardinalityStale(this.#bytes);
  }

  /** Caches `cardinality` in the header (which marks the cache fresh), as PFCOUNT does. */
  cacheCardinality(cardinality: number | bigint): void {
    storeCardinality(this.#bytes, cardinality);
  }

  /** Adds a hashed element (murmur.ts hllPattern): raises its register to its count. */
  add(pattern: number, sparseMaxBytes: number): RegisterUpdate {
    return this.raise(patternIndex(pattern), patternCount(pattern), sparseMaxBytes);
  }

  /**
   * Raises register `index` to `count` if it is lower. A sparse value that would need a VAL
   * above 32, or grow past `sparseMaxBytes`, is promoted to dense first.
   */
  raise(index: number, count: number, sparseMaxBytes: number): RegisterUpdate {
    if (this.encoding === HllEncoding.Dense) return this.#raiseDense(index, count);
    return this.#raiseSparse(index, count, sparseMaxBytes);
  }

  /**
   * Converts a sparse draft to dense (the header kept, encoding byte changed). False, and
   * the draft unchanged, when the opcodes do not cover exactly 16384 registers (a run past
   * the last register included: estimate.ts sparseHistogram says why).
   */
  toDense(): boolean {
    if (this.encoding === HllEncoding.Dense) return true;
    const sparse = this.#bytes;
    const end = this.#length;
    const dense = this.#denseBytes;
    dense.fill(0, HEADER_SIZE_BYTES, DENSE_SIZE_BYTES + 1);
    dense.set(sparse.subarray(0, HEADER_SIZE_BYTES));
    setHllEncoding(dense, HllEncoding.Dense);
    let index = 0;
    let cursor = HEADER_SIZE_BYTES;
    while (cursor < end) {
      const op = sparse[cursor];
      if (isSparseZero(op)) {
        const run = sparseZeroRun(op);
        if (index + run > REGISTER_COUNT) return false;
        index += run;
        cursor++;
      } else if (isSparseXzero(op)) {
        const run = sparseXzeroRun(op, sparse[cursor + 1]);
        if (index + run > REGISTER_COUNT) return false;
        index += run;
        cursor += 2;
      } else {
        const run = sparseValRun(op);
        const count = sparseValValue(op);
        if (index + run > REGISTER_COUNT) return false;
        for (const last = index + run; index < last; index++) {
          setDenseRegister(dense, index, count);
        }
        cursor++;
      }
    }
    if (index !== REGISTER_COUNT) return false;
    this.#bytes = dense;
    this.#setLength(DENSE_SIZE_BYTES);
    return true;
  }

  /**
   * Raises every register to its counterpart in `registers` (one byte each) where that is
   * higher, as PFMERGE does: register by register on a sparse draft (Redis's order, so the
   * same splits, merges and promotion point), in one unpack-compare-pack pass on a dense one.
   */
  raiseAll(registers: Uint8Array, sparseMaxBytes: number): void {
    for (let index = 0; index < REGISTER_COUNT; index++) {
      if (this.encoding === HllEncoding.Dense) break;
      if (registers[index] !== 0) this.raise(index, registers[index], sparseMaxBytes);
    }
    if (this.encoding !== HllEncoding.Dense) return;
    const current = this.#unpacked;
    unpackDenseRegisters(this.#bytes, current);
    for (let index = 0; index < REGISTER_COUNT; index++) {
      if (registers[index] > current[index]) current[index] = registers[index];
    }
    packDenseRegisters(current, this.#bytes);
  }

  #raiseDense(index: number, count: number): RegisterUpdate {
    if (count <= denseRegister(this.#bytes, index)) return RegisterUpdate.Unchanged;
    setDenseRegister(this.#bytes, index, count);
    return RegisterUpdate.Raised;
  }

  #promoteAndRaise(index: number, count: number): RegisterUpdate {
    if (!this.toDense()) return RegisterUpdate.Corrupted;
    // Promotion happens only for a register that must rise, so this raises it.
    return this.#raiseDense(index, count);
  }

  /** Redis's hllSparseSet; see the file comment for why it is followed to the letter. */
  #raiseSparse(index: number, count: number, sparseMaxBytes: number): RegisterUpdate {
    if (count > SPARSE_VAL_VALUE_MAX) return this.#promoteAndRaise(index, count);
    this.#reserve(this.#length + SPARSE_GROWTH_MAX_BYTES);
    const bytes = this.#bytes;
    let end = this.#length;

    // Step 1: find the opcode covering `index`, with the first register it covers.
    let cursor = HEADER_SIZE_BYTES;
    let previous = -1;
    let first = 0;
    let span = 0;
    while (cursor < end) {
      const op = bytes[cursor];
      let opSize = 1;
      if (isSparseZero(op)) {
        span = sparseZeroRun(op);
      } else if (isSparseVal(op)) {
        span = sparseValRun(op);
      } else {
        span = sparseXzeroRun(op, bytes[cursor + 1]);
        opSize = 2;
      }
      if (index <= first + span - 1) break;
      previous = cursor;
      cursor += opSize;
      first += span;
    }
    if (span === 0 || cursor >= end) return RegisterUpdate.Corrupted;
    const op = bytes[cursor];
    const isXzero = isSparseXzero(op);
    const isZero = isSparseZero(op);
    let next = cursor + (isXzero ? 2 : 1);
    if (next >= end) next = -1;
    const run = span;

    // Step 2: the cases that change one byte in place.
    let updatedInPlace = false;
    if (!isZero && !isXzero) {
      if (sparseValValue(op) >= count) return RegisterUpdate.Unchanged;
      if (run === 1) {
        bytes[cursor] = sparseValOpcode(count, 1);
        updatedInPlace = true;
      }
    }
    if (!updatedInPlace && isZero && run === 1) {
      bytes[cursor] = sparseValOpcode(count, 1);
      updatedInPlace = true;
    }

    if (!updatedInPlace) {
      // Step 3: split the opcode into up to three around the register, and splice them in.
      const split = this.#split;
      let splitSize = 0;
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) splitSize = writeZeroRun(split, splitSize, index - first);
        split[splitSize++] = sparseValOpcode(count, 1);
        if (index !== last) splitSize = writeZeroRun(split, splitSize, last - index);
      } else {
        const current = sparseValValue(op);
        if (index !== first) split[splitSize++] = sparseValOpcode(current, index - first);
        split[splitSize++] = sparseValOpcode(count, 1);
        if (index !== last) split[splitSize++] = sparseValOpcode(current, last - index);
      }
      const delta = splitSize - (isXzero ? 2 : 1);
      if (delta > 0 && this.#length + delta > sparseMaxBytes) {
        return this.#promoteAndRaise(index, count);
      }
      if (delta !== 0 && next !== -1) bytes.copyWithin(next + delta, next, end);
      this.#setLength(this.#length + delta);
      bytes.set(split.subarray(0, splitSize), cursor);
      end += delta;
    }

    // Step 4: merge adjacent VALs of one value, from the opcode before the change.
    let scan = previous !== -1 ? previous : HEADER_SIZE_BYTES;
    let scansLeft = MERGE_SCAN_OPCODES_MAX;
    while (scan < end && scansLeft-- !== 0) {
      const scanned = bytes[scan];
      if (isSparseXzero(scanned)) {
        scan += 2;
        continue;
      }
      if (isSparseZero(scanned)) {
        scan++;
        continue;
      }
      if (scan + 1 < end && isSparseVal(bytes[scan + 1])) {
        const value = sparseValValue(scanned);
        if (value === sparseValValue(bytes[scan + 1])) {
          const merged = sparseValRun(scanned) + sparseValRun(bytes[scan + 1]);
          if (merged <= SPARSE_VAL_RUN_MAX) {
            bytes[scan + 1] = sparseValOpcode(value, merged);
            bytes.copyWithin(scan, scan + 1, end + 1);
            this.#setLength(this.#length - 1);
            end--;
            continue; // the merged opcode may merge with the next one too
          }
        }
      }
      scan++;
    }
    markCardinalityStale(bytes);
    return RegisterUpdate.Raised;
  }

  /** Sets the length and writes the NUL after it, as sds does on every length change. */
  #setLength(length: number): void {
    this.#length = length;
    this.#bytes[length] = 0;
  }

  /** Makes room for a sparse value of `length` bytes plus the slack, keeping the contents. */
  #reserve(length: number): void {
    if (this.#bytes.length >= length + SLACK_BYTES) return;
    const grown = new Uint8Array((length + SLACK_BYTES) * 2);
    grown.set(this.#bytes);
    this.#bytes = this.#sparseBytes = grown;
  }
}

/**
 * Register `index` of a sparse value, found as an update finds it (step 1 of #raiseSparse),
 * or -1 when no opcode reaches it (a corrupted value, which an update reports). Lets PFADD see
 * that nothing will change without copying the value.
 */
export function sparseRegister(value: Uint8Array, index: number): number {
  let cursor = HEADER_SIZE_BYTES;
  let first = 0;
  while (cursor < value.length) {
    const op = value[cursor];
    if (isSparseZero(op)) {
      first += sparseZeroRun(op);
      cursor++;
    } else if (isSparseVal(op)) {
      first += sparseValRun(op);
      if (index < first) return sparseValValue(op);
      cursor++;
      continue;
    } else {
      first += sparseXzeroRun(op, value[cursor + 1] | 0);
      cursor += 2;
    }
    if (index < first) return 0;
  }
  return -1;
}

/** Writes a run of zero registers as ZERO (≤ 64) or XZERO at `at`; returns the new end. */
function writeZeroRun(out: Uint8Array, at: number, run: number): number {
  if (run > SPARSE_ZERO_RUN_MAX) {
    out[at] = sparseXzeroFirstByte(run);
    out[at + 1] = (run - 1) & 0xff;
    return at + 2;
  }
  out[at] = sparseZeroOpcode(run);
  return at + 1;
}
