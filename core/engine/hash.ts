// Hash values in the engine: the typed binding over wasm/assembly/hash.ts.
//
// Each function stages the key bare and its fields/values as [u32 len][bytes] frames
// (Engine.internals.stage with framed = true), calls one export, and turns the engine's status
// codes into WrongTypeError / OutOfMemoryError. Single values (HGET) come back as views into
// engine memory, valid until the next engine call; many values (HGETALL, HSCAN, HRANDFIELD)
// come back as copies from the out buffer. The engine decides encodings (listpack up to 512
// pairs of ≤ 64-byte strings, hashtable beyond), so this file never needs to know them.

import {
  HASH_CELL_CURSOR,
  HASH_CELL_VALUE_PTR,
  HASH_ENCODING_HASHTABLE,
  HASH_ENCODING_LISTPACK,
  HASH_READ_FIELDS,
  HASH_READ_PAIRS,
  HASH_READ_VALUES,
  HASH_SET_NX,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
} from "./abi.ts";
import { type Engine, OutOfMemoryError, WrongTypeError } from "./engine.ts";

/** hashReadAll selectors (abi.ts): fields, values, or both as alternating pairs. */
export { HASH_READ_FIELDS, HASH_READ_PAIRS, HASH_READ_VALUES };

/** Word indexes (u32) in the hash module's cells (abi.ts HASH_CELL_* byte offsets / 4). */
const CELL_VALUE_PTR = HASH_CELL_VALUE_PTR >>> 2;
const CELL_CURSOR = HASH_CELL_CURSOR >>> 2;

interface HashExports {
  hashSetFields(
    db: number,
    keyLen: number,
    pairCount: number,
    flags: number,
    nowMs: number,
  ): number;
  hashDeleteFields(db: number, keyLen: number, fieldCount: number, nowMs: number): number;
  hashGetField(db: number, keyLen: number, nowMs: number): number;
  hashLength(db: number, keyLen: number, nowMs: number): number;
  hashEncodingOf(db: number, keyLen: number, nowMs: number): number;
  hashReadAll(db: number, keyLen: number, what: number, nowMs: number): number;
  hashScanFields(db: number, keyLen: number, cursor: number, count: number, nowMs: number): number;
  hashRandomFields(db: number, keyLen: number, pickCount: number, nowMs: number): number;
  hashCellsPtr(): number;
}

/** Cell index (in u32 words) of each engine's hash cells, looked up once. */
const cellsIndexByEngine = new WeakMap<Engine, number>();

function hashExports(engine: Engine): HashExports {
  return engine.internals.exports as unknown as HashExports;
}

function cellsIndex(engine: Engine): number {
  let index = cellsIndexByEngine.get(engine);
  if (index === undefined) {
    index = hashExports(engine).hashCellsPtr() >>> 2;
    cellsIndexByEngine.set(engine, index);
  }
  return index;
}

/** Throws for WRONGTYPE / OOM; other statuses pass through. */
function check(status: number): number {
  if (status === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (status === STATUS_OOM) throw new OutOfMemoryError();
  return status;
}

/**
 * Sets (field, value) pairs: `parts` is [key, field, value, field, value, …]. Creates the key
 * when missing; converts to hashtable as Redis 7.0 does. With `nx` (one pair) an existing
 * field is kept.
 *
 * @returns fields added (with nx: 1 set, 0 the field existed).
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} nothing was changed.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { hashGet, hashSet } from "./hash.ts";
 * const bytes = (s: string) => new TextEncoder().encode(s);
 * const engine = Engine.create();
 * hashSet(engine, 0, [bytes("user:1"), bytes("name"), bytes("ada")], false, Date.now());
 * const name = hashGet(engine, 0, bytes("user:1"), bytes("name"), Date.now());
 * console.assert(new TextDecoder().decode(name!) === "ada");
 * ```
 */
export function hashSet(
  engine: Engine,
  db: number,
  parts: readonly Uint8Array[],
  nx: boolean,
  nowMs: number,
): number {
  const pairCount = (parts.length - 1) / 2;
  if (!Number.isInteger(pairCount) || pairCount < 1) {
    throw new RangeError(`hashSet needs a key and whole pairs, got ${parts.length} parts`);
  }
  engine.internals.stage(parts, true);
  const status = hashExports(engine).hashSetFields(
    db,
    parts[0].length,
    pairCount,
    nx ? HASH_SET_NX : 0,
    nowMs,
  );
  return check(status);
}

/**
 * Deletes fields: `parts` is [key, field, …]. Deletes the key when the hash empties.
 *
 * @returns fields removed (0 when the key is missing).
 * @throws {WrongTypeError} the key holds another type.
 */
export function hashDelete(
  engine: Engine,
  db: number,
  parts: readonly Uint8Array[],
  nowMs: number,
): number {
  engine.internals.stage(parts, true);
  const status = hashExports(engine).hashDeleteFields(db, parts[0].length, parts.length - 1, nowMs);
  if (status === STATUS_MISSING) return 0;
  return check(status);
}

/**
 * The value of field as a view into engine memory (valid until the next engine call), or
 * null when the key or the field is missing.
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function hashGet(
  engine: Engine,
  db: number,
  key: Uint8Array,
  field: Uint8Array,
  nowMs: number,
): Uint8Array | null {
  const internals = engine.internals;
  internals.stage([key, field], true);
  const status = hashExports(engine).hashGetField(db, key.length, nowMs);
  if (status === STATUS_MISSING) return null;
  check(status);
  const valuePtr = internals.words()[cellsIndex(engine) + CELL_VALUE_PTR];
  return internals.bytes().subarray(valuePtr, valuePtr + status);
}

/**
 * Pairs in the hash (0 when missing).
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function hashLength(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], true);
  const status = hashExports(engine).hashLength(db, key.length, nowMs);
  if (status === STATUS_MISSING) return 0;
  return check(status);
}

/**
 * Fields, values or both (`what`: HASH_READ_*), small hashes in insertion order; null when the
 * key is missing. With HASH_READ_PAIRS the array alternates field, value.
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function hashReadAll(
  engine: Engine,
  db: number,
  key: Uint8Array,
  what: number,
  nowMs: number,
): Uint8Array[] | null {
  const internals = engine.internals;
  internals.stage([key], true);
  const status = hashExports(engine).hashReadAll(db, key.length, what, nowMs);
  if (status === STATUS_MISSING) return null;
  check(status);
  return internals.readOut();
}

/** One HSCAN step. */
export interface HashScanPage {
  /** Cursor for the next call; 0 when the iteration is complete. */
  cursor: number;
  /** Alternating field, value (copies). */
  pairs: Uint8Array[];
}

/**
 * One HSCAN step from `cursor` (low 32 bits of Redis's cursor) gathering about `count` pairs;
 * a listpack hash is returned whole with cursor 0. Null when the key is missing.
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function hashScan(
  engine: Engine,
  db: number,
  key: Uint8Array,
  cursor: number,
  count: number,
  nowMs: number,
): HashScanPage | null {
  const internals = engine.internals;
  internals.stage([key], true);
  const countClamped = Math.min(Math.max(Math.trunc(count), 1), 0x7fffffff);
  const status = hashExports(engine).hashScanFields(
    db,
    key.length,
    cursor >>> 0,
    countClamped,
    nowMs,
  );
  if (status === STATUS_MISSING) return null;
  check(status);
  const pairs = internals.readOut();
  const nextCursor = internals.words()[cellsIndex(engine) + CELL_CURSOR];
  return { cursor: nextCursor, pairs };
}

/**
 * `pickCount` uniformly random pairs, with repetition (alternating field, value); null when
 * the key is missing.
 *
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} the out buffer could not hold the picks.
 */
export function hashRandomPairs(
  engine: Engine,
  db: number,
  key: Uint8Array,
  pickCount: number,
  nowMs: number,
): Uint8Array[] | null {
  const internals = engine.internals;
  internals.stage([key], true);
  const status = hashExports(engine).hashRandomFields(db, key.length, pickCount >>> 0, nowMs);
  if (status === STATUS_MISSING) return null;
  check(status);
  return internals.readOut();
}

/** OBJECT ENCODING of a hash value at key (Redis's names: listpack, hashtable). */
export function hashEncoding(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): string {
  engine.internals.stage([key], true);
  const status = hashExports(engine).hashEncodingOf(db, key.length, nowMs);
  if (status === HASH_ENCODING_LISTPACK) return "listpack";
  if (status === HASH_ENCODING_HASHTABLE) return "hashtable";
  return "unknown";
}
