// List values in the engine: the typed binding over wasm/assembly/list.ts.
//
// Each function stages the key and the command's elements ([u32 len][bytes] frames after the
// key), makes one WASM call, and turns the numeric answer into JS values: element replies come
// back through the engine's out buffer as copies, so they stay valid across later engine calls.
// Status codes become WrongTypeError / OutOfMemoryError; "missing" is an ordinary result (null,
// 0 or false) because every list command gives a missing key a defined reply.
//
// Indexes and counts arrive as bigints (Redis parses them as 64-bit) and cross the boundary
// as f64 clamped to ±2^53: a list holds fewer than 2^32 elements, so clamping never changes
// which elements an index selects.

import { LIST_PIVOT_MISSING, STATUS_MISSING, STATUS_OOM, STATUS_WRONGTYPE } from "./abi.ts";
import { type BulkSink, type Engine, OutOfMemoryError, WrongTypeError } from "./engine.ts";

/** Largest magnitude passed across the boundary (exact in f64). */
const INDEX_ABS_MAX = 2 ** 53;

interface ListExports {
  listPush(
    db: number,
    keyLen: number,
    nowMs: number,
    toTail: number,
    mustExist: number,
    elementCount: number,
  ): number;
  listPop(db: number, keyLen: number, nowMs: number, fromTail: number, count: number): number;
  listLength(db: number, keyLen: number, nowMs: number): number;
  listRange(db: number, keyLen: number, nowMs: number, start: number, stop: number): number;
  listIndex(db: number, keyLen: number, nowMs: number, index: number): number;
  listSet(db: number, keyLen: number, nowMs: number, index: number): number;
  listInsert(db: number, keyLen: number, nowMs: number, after: number): number;
  listRemove(db: number, keyLen: number, nowMs: number, count: number): number;
  listTrim(db: number, keyLen: number, nowMs: number, start: number, stop: number): number;
  listPos(
    db: number,
    keyLen: number,
    nowMs: number,
    rank: number,
    count: number,
    maxlen: number,
  ): number;
  listCheck(db: number, keyLen: number, nowMs: number): number;
  listSetFill(fill: number): number;
  listSetPackedThreshold(thresholdBytes: number): number;
}

function listExports(engine: Engine): ListExports {
  return engine.internals.exports as unknown as ListExports;
}

/** A 64-bit index or count as an f64 the engine compares exactly. */
function clampIndex(value: bigint | number): number {
  const n = typeof value === "bigint" ? Number(value) : value;
  return Math.max(-INDEX_ABS_MAX, Math.min(INDEX_ABS_MAX, n));
}

/** Throws for the error statuses; returns the result otherwise. */
function checked(result: number): number {
  if (result === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (result === STATUS_OOM) throw new OutOfMemoryError();
  return result;
}

/**
 * LPUSH/RPUSH (and the X forms with `mustExist`): pushes elements one by one at the head
 * (`toTail` false) or tail.
 *
 * @returns the new length; 0 when mustExist and the key is missing.
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} nothing was pushed.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { listPush, listRange } from "./list.ts";
 * const engine = Engine.create();
 * const key = new TextEncoder().encode("queue");
 * listPush(engine, 0, key, [new TextEncoder().encode("a")], true, false, Date.now());
 * console.assert(listRange(engine, 0, key, 0n, -1n, Date.now()).length === 1);
 * ```
 */
export function listPush(
  engine: Engine,
  db: number,
  key: Uint8Array,
  elements: readonly Uint8Array[],
  toTail: boolean,
  mustExist: boolean,
  nowMs: number,
): number {
  const internals = engine.internals;
  internals.stage([key, ...elements], true);
  return checked(
    listExports(engine).listPush(
      db,
      key.length,
      nowMs,
      toTail ? 1 : 0,
      mustExist ? 1 : 0,
      elements.length,
    ),
  );
}

/**
 * Pops up to `count` elements from the head (or tail), deleting the key when it empties.
 *
 * @returns the elements in pop order (copies), or null when the key is missing.
 */
export function listPop(
  engine: Engine,
  db: number,
  key: Uint8Array,
  fromTail: boolean,
  count: number,
  nowMs: number,
): Uint8Array[] | null {
  const internals = engine.internals;
  internals.stage([key], false);
  const n = checked(
    listExports(engine).listPop(db, key.length, nowMs, fromTail ? 1 : 0, clampIndex(count)),
  );
  if (n === STATUS_MISSING) return null;
  return internals.readOut();
}

/**
 * listPop writing its reply straight into `sink` (one bulk, or an array with `asArray`)
 * instead of returning copies: the LPOP/RPOP hot path. False when the key is missing.
 */
export function listPopInto(
  engine: Engine,
  db: number,
  key: Uint8Array,
  fromTail: boolean,
  count: number,
  nowMs: number,
  sink: BulkSink,
  asArray: boolean,
): boolean {
  const internals = engine.internals;
  internals.stage([key], false);
  const n = checked(
    listExports(engine).listPop(db, key.length, nowMs, fromTail ? 1 : 0, clampIndex(count)),
  );
  if (n === STATUS_MISSING) return false;
  internals.writeOut(sink, asArray);
  return true;
}

/** LLEN: 0 for a missing key. */
export function listLength(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  const n = checked(listExports(engine).listLength(db, key.length, nowMs));
  return n === STATUS_MISSING ? 0 : n;
}

/** True if the key holds a list (false when missing). @throws {WrongTypeError} another type. */
export function listExists(engine: Engine, db: number, key: Uint8Array, nowMs: number): boolean {
  engine.internals.stage([key], false);
  return checked(listExports(engine).listLength(db, key.length, nowMs)) !== STATUS_MISSING;
}

/** listRange writing the reply array straight into `sink` (LRANGE's hot path). */
export function listRangeInto(
  engine: Engine,
  db: number,
  key: Uint8Array,
  start: bigint,
  stop: bigint,
  nowMs: number,
  sink: BulkSink,
): void {
  const internals = engine.internals;
  internals.stage([key], false);
  const n = checked(
    listExports(engine).listRange(db, key.length, nowMs, clampIndex(start), clampIndex(stop)),
  );
  if (n <= 0) sink.arrayHeader(0);
  else internals.writeOut(sink, true);
}

/** LRANGE with Redis's index rules; [] for a missing key. */
export function listRange(
  engine: Engine,
  db: number,
  key: Uint8Array,
  start: bigint,
  stop: bigint,
  nowMs: number,
): Uint8Array[] {
  const internals = engine.internals;
  internals.stage([key], false);
  const n = checked(
    listExports(engine).listRange(db, key.length, nowMs, clampIndex(start), clampIndex(stop)),
  );
  if (n <= 0) return [];
  return internals.readOut();
}

/** LINDEX: the element, or null when the key is missing or the index out of range. */
export function listIndex(
  engine: Engine,
  db: number,
  key: Uint8Array,
  index: bigint,
  nowMs: number,
): Uint8Array | null {
  const internals = engine.internals;
  internals.stage([key], false);
  const found = checked(listExports(engine).listIndex(db, key.length, nowMs, clampIndex(index)));
  if (found !== 1) return null;
  return internals.readOut()[0];
}

/** LSET outcome. */
export const enum ListSetResult {
  Done = 1,
  OutOfRange = 0,
  Missing = STATUS_MISSING,
}

/** LSET: replaces the element at index. */
export function listSet(
  engine: Engine,
  db: number,
  key: Uint8Array,
  index: bigint,
  element: Uint8Array,
  nowMs: number,
): ListSetResult {
  engine.internals.stage([key, element], true);
  return checked(listExports(engine).listSet(db, key.length, nowMs, clampIndex(index)));
}

/**
 * LINSERT: inserts element before (or after) the first element equal to pivot.
 *
 * @returns the new length, 0 for a missing key, -1 when pivot is not found.
 */
export function listInsert(
  engine: Engine,
  db: number,
  key: Uint8Array,
  after: boolean,
  pivot: Uint8Array,
  element: Uint8Array,
  nowMs: number,
): number {
  engine.internals.stage([key, pivot, element], true);
  const n = checked(listExports(engine).listInsert(db, key.length, nowMs, after ? 1 : 0));
  return n === LIST_PIVOT_MISSING ? -1 : n;
}

/** LREM: removes up to |count| (all for 0) elements equal to element, from the tail if count < 0. */
export function listRemove(
  engine: Engine,
  db: number,
  key: Uint8Array,
  count: bigint,
  element: Uint8Array,
  nowMs: number,
): number {
  engine.internals.stage([key, element], true);
  return checked(listExports(engine).listRemove(db, key.length, nowMs, clampIndex(count)));
}

/** LTRIM: false when the key is missing. */
export function listTrim(
  engine: Engine,
  db: number,
  key: Uint8Array,
  start: bigint,
  stop: bigint,
  nowMs: number,
): boolean {
  engine.internals.stage([key], false);
  const status = checked(
    listExports(engine).listTrim(db, key.length, nowMs, clampIndex(start), clampIndex(stop)),
  );
  return status === 1;
}

/**
 * LPOS: indexes of matches (rank ≠ 0, count 0 = all, maxlen 0 = whole list), or null for a
 * missing key.
 */
export function listPos(
  engine: Engine,
  db: number,
  key: Uint8Array,
  element: Uint8Array,
  rank: bigint,
  count: bigint,
  maxlen: bigint,
  nowMs: number,
): number[] | null {
  const internals = engine.internals;
  internals.stage([key, element], true);
  const n = checked(
    listExports(engine).listPos(
      db,
      key.length,
      nowMs,
      clampIndex(rank),
      clampIndex(count),
      clampIndex(maxlen),
    ),
  );
  if (n === STATUS_MISSING) return null;
  if (n === 0) return [];
  return internals.readOut().map((record) =>
    new DataView(record.buffer, record.byteOffset, 8).getFloat64(0, true)
  );
}

/**
 * Checks every structural invariant of the list at key (an engine assert fails otherwise) and
 * returns its node count; 0 for a missing key. For tests.
 */
export function listCheck(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  const n = checked(listExports(engine).listCheck(db, key.length, nowMs));
  return n === STATUS_MISSING ? 0 : n;
}

/** OBJECT ENCODING of a list value at key: Redis 7.0 answers "quicklist" for every list. */
export function listEncoding(
  _engine: Engine,
  _db: number,
  _key: Uint8Array,
  _nowMs: number,
): string {
  return "quicklist";
}

/** Redis's bound on DEBUG QUICKLIST-PACKED-THRESHOLD: at most 4 GB less 1 MB. */
export const PACKED_THRESHOLD_MAX_BYTES = 2 ** 32 - 2 ** 20;

/**
 * list-max-listpack-size: the shape of list nodes built from now on (negative: a byte cap of
 * 4..64 KB for -1..-5, none below -5 lets a second element in; otherwise elements per node,
 * within 8 KB). Existing lists keep their nodes.
 */
export function listSetFill(engine: Engine, fill: number): void {
  if (!Number.isInteger(fill) || fill < -(2 ** 31) || fill >= 2 ** 31) {
    throw new RangeError(`list fill ${fill} is not a 32-bit integer`);
  }
  listExports(engine).listSetFill(fill);
}

/**
 * DEBUG QUICKLIST-PACKED-THRESHOLD: elements of at least `thresholdBytes` get a node of their
 * own from now on; 0 restores the 1 GB default. Throws RangeError past
 * PACKED_THRESHOLD_MAX_BYTES (the caller replies with Redis's error first).
 */
export function listSetPackedThreshold(engine: Engine, thresholdBytes: number): void {
  if (
    !Number.isInteger(thresholdBytes) || thresholdBytes < 0 ||
    thresholdBytes > PACKED_THRESHOLD_MAX_BYTES
  ) {
    throw new RangeError(`packed threshold ${thresholdBytes} is out of range`);
  }
  listExports(engine).listSetPackedThreshold(thresholdBytes);
}
