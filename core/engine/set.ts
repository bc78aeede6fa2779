// Set values in the engine: the typed binding over wasm/assembly/set.ts.
//
// Each function stages the key bare and the rest of its arguments as [u32 len][bytes] frames
// (Engine.internals.stage), calls one export, and turns the engine's negative statuses into
// WrongTypeError / OutOfMemoryError. Members come back through the engine's out buffer as
// copies, so they stay valid after later engine calls. Command semantics (argument errors,
// reply shapes, propagation) live in core/commands/sets.ts; this file only moves bytes.

import {
  SET_ENC_INT16,
  SET_ENC_INT32,
  SET_ENC_INT64,
  SET_ENC_PACKED,
  SET_ENC_TABLE,
  SET_OP_DIFF,
  SET_OP_INTER,
  SET_OP_INTERCARD,
  SET_OP_UNION,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
} from "./abi.ts";
import { type Engine, OutOfMemoryError, WrongTypeError } from "./engine.ts";

/** The engine's encoding tags (abi.ts SET_ENC_*) and the names OBJECT ENCODING gives. */
const ENCODING_NAMES: Record<number, string> = {
  [SET_ENC_INT16]: "intset",
  [SET_ENC_INT32]: "intset",
  [SET_ENC_INT64]: "intset",
  [SET_ENC_PACKED]: "hashtable", // compact here, but Redis 7.0 would hold it in a hashtable
  [SET_ENC_TABLE]: "hashtable",
};

/** Largest count handed to the engine (its counts are u32). */
const COUNT_MAX = 0xffffffff;

/** The multi-set operations of setOperation / setStore. */
export const enum SetOperation {
  Inter = SET_OP_INTER,
  Union = SET_OP_UNION,
  Diff = SET_OP_DIFF,
}

/** Exports of wasm/assembly/set.ts (see each contract there). */
interface SetExports {
  setAdd(db: number, keyLen: number, nowMs: number, memberCount: number): number;
  setRem(db: number, keyLen: number, nowMs: number, memberCount: number): number;
  setContains(
    db: number,
    keyLen: number,
    nowMs: number,
    memberCount: number,
    writeFlags: number,
  ): number;
  setCard(db: number, keyLen: number, nowMs: number): number;
  setEncodingOf(db: number, keyLen: number, nowMs: number): number;
  setMembers(db: number, keyLen: number, nowMs: number): number;
  setRandomMembers(
    db: number,
    keyLen: number,
    nowMs: number,
    count: number,
    unique: number,
  ): number;
  setPop(db: number, keyLen: number, nowMs: number, count: number): number;
  setMove(db: number, srcKeyLen: number, nowMs: number): number;
  setOp(
    db: number,
    keyLen: number,
    nowMs: number,
    op: number,
    keyCount: number,
    limit: number,
    toStore: number,
  ): number;
  setOpDeletedDst(): number;
  setScan(db: number, keyLen: number, nowMs: number, cursor: number, count: number): number;
  setCheck(db: number, keyLen: number, nowMs: number): number;
}

function setExports(engine: Engine): SetExports {
  return engine.internals.exports as unknown as SetExports;
}

/** Throws for WRONGTYPE / OOM; passes every other status through. */
function checked(status: number): number {
  if (status === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (status === STATUS_OOM) throw new OutOfMemoryError();
  return status;
}

function clampCount(count: number): number {
  return Math.min(Math.max(Math.trunc(count), 0), COUNT_MAX);
}

/** OBJECT ENCODING of a set value at key: "intset" or "hashtable" (Redis 7.0's names). */
export function setEncoding(engine: Engine, db: number, key: Uint8Array, nowMs: number): string {
  engine.internals.stage([key], false);
  const tag = setExports(engine).setEncodingOf(db, key.length, nowMs);
  return ENCODING_NAMES[tag] ?? "unknown";
}

/**
 * SADD: adds members, creating the set if missing.
 *
 * @returns how many were not members before.
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} nothing was changed.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { setAdd, setCardinality } from "./set.ts";
 * const engine = Engine.create();
 * const key = new TextEncoder().encode("s");
 * const members = ["1", "2", "2"].map((m) => new TextEncoder().encode(m));
 * console.assert(setAdd(engine, 0, key, members, Date.now()) === 2);
 * console.assert(setCardinality(engine, 0, key, Date.now()) === 2);
 * ```
 */
export function setAdd(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  nowMs: number,
): number {
  engine.internals.stage([key, ...members], true);
  return checked(setExports(engine).setAdd(db, key.length, nowMs, members.length));
}

/** SREM: removes members; the key is deleted when emptied. Returns how many were removed. */
export function setRemove(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  nowMs: number,
): number {
  engine.internals.stage([key, ...members], true);
  return checked(setExports(engine).setRem(db, key.length, nowMs, members.length));
}

/** SISMEMBER: true if member is in the set (false for a missing key). */
export function setIsMember(
  engine: Engine,
  db: number,
  key: Uint8Array,
  member: Uint8Array,
  nowMs: number,
): boolean {
  engine.internals.stage([key, member], true);
  return checked(setExports(engine).setContains(db, key.length, nowMs, 1, 0)) === 1;
}

/** SMISMEMBER: membership of each member, in order. */
export function setAreMembers(
  engine: Engine,
  db: number,
  key: Uint8Array,
  members: readonly Uint8Array[],
  nowMs: number,
): boolean[] {
  const internals = engine.internals;
  internals.stage([key, ...members], true);
  checked(setExports(engine).setContains(db, key.length, nowMs, members.length, 1));
  return internals.readOut().map((flag) => flag[0] === 1);
}

/** SCARD: number of members (0 for a missing key). */
export function setCardinality(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  return checked(setExports(engine).setCard(db, key.length, nowMs));
}

/** Reads the out buffer after a call that returned a count, or null for STATUS_MISSING. */
function membersOrNull(engine: Engine, status: number): Uint8Array[] | null {
  if (checked(status) === STATUS_MISSING) return null;
  return engine.internals.readOut();
}

/**
 * SMEMBERS: copies of every member (ascending for an intset), or null for a missing key.
 */
export function setMembers(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): Uint8Array[] | null {
  engine.internals.stage([key], false);
  return membersOrNull(engine, setExports(engine).setMembers(db, key.length, nowMs));
}

/**
 * SRANDMEMBER: with `unique`, min(count, size) distinct members (the whole set in its order
 * when count ≥ size); otherwise `count` independent draws. Null for a missing key.
 */
export function setRandomMembers(
  engine: Engine,
  db: number,
  key: Uint8Array,
  count: number,
  unique: boolean,
  nowMs: number,
): Uint8Array[] | null {
  engine.internals.stage([key], false);
  const status = setExports(engine).setRandomMembers(
    db,
    key.length,
    nowMs,
    clampCount(count),
    unique ? 1 : 0,
  );
  return membersOrNull(engine, status);
}

/**
 * SPOP: removes and returns min(count, size) distinct random members (the key goes when
 * emptied); null for a missing key.
 */
export function setPop(
  engine: Engine,
  db: number,
  key: Uint8Array,
  count: number,
  nowMs: number,
): Uint8Array[] | null {
  engine.internals.stage([key], false);
  const status = setExports(engine).setPop(db, key.length, nowMs, clampCount(count));
  return membersOrNull(engine, status);
}

/**
 * SMOVE: 0 when src is missing or lacks member; 1 moved and dst gained it; 2 moved but dst
 * already had it (also src == dst holding member, where nothing changes).
 */
export function setMove(
  engine: Engine,
  db: number,
  src: Uint8Array,
  dst: Uint8Array,
  member: Uint8Array,
  nowMs: number,
): number {
  engine.internals.stage([src, dst, member], true);
  return checked(setExports(engine).setMove(db, src.length, nowMs));
}

function stageKeys(engine: Engine, keys: readonly Uint8Array[], dst: Uint8Array | null): void {
  engine.internals.stage(dst === null ? keys : [...keys, dst], true);
}

/**
 * SINTER / SUNION / SDIFF over keys (a missing key is an empty set): the result's members,
 * in Redis's order where it has one.
 */
export function setOperation(
  engine: Engine,
  db: number,
  keys: readonly Uint8Array[],
  op: SetOperation,
  nowMs: number,
): Uint8Array[] {
  stageKeys(engine, keys, null);
  checked(setExports(engine).setOp(db, keys[0].length, nowMs, op, keys.length, 0, 0));
  return engine.internals.readOut();
}

/** SINTERCARD: size of the intersection, counting stops at limit (0 = no limit). */
export function setInterCard(
  engine: Engine,
  db: number,
  keys: readonly Uint8Array[],
  limit: number,
  nowMs: number,
): number {
  stageKeys(engine, keys, null);
  return checked(
    setExports(engine).setOp(
      db,
      keys[0].length,
      nowMs,
      SET_OP_INTERCARD,
      keys.length,
      clampCount(limit),
      0,
    ),
  );
}

/** Outcome of setStore. */
export interface SetStoreResult {
  /** Members stored at dst (0: the result was empty and dst is gone). */
  size: number;
  /** The key dst was written or deleted. */
  dstChanged: boolean;
}

/**
 * SINTERSTORE / SUNIONSTORE / SDIFFSTORE: the result replaces dst whatever its type (TTL
 * cleared); an empty result deletes dst.
 */
export function setStore(
  engine: Engine,
  db: number,
  dst: Uint8Array,
  keys: readonly Uint8Array[],
  op: SetOperation,
  nowMs: number,
): SetStoreResult {
  stageKeys(engine, keys, dst);
  const exports = setExports(engine);
  const size = checked(exports.setOp(db, keys[0].length, nowMs, op, keys.length, 0, 1));
  return { size, dstChanged: size > 0 || exports.setOpDeletedDst() === 1 };
}

/** One SSCAN page. */
export interface SetScanPage {
  cursor: number;
  members: Uint8Array[];
}

/** SSCAN step from cursor; null for a missing key. */
export function setScan(
  engine: Engine,
  db: number,
  key: Uint8Array,
  cursor: number,
  count: number,
  nowMs: number,
): SetScanPage | null {
  engine.internals.stage([key], false);
  const next = setExports(engine).setScan(
    db,
    key.length,
    nowMs,
    cursor >>> 0,
    Math.max(1, clampCount(count)),
  );
  if (checked(next) === STATUS_MISSING) return null;
  return { cursor: next, members: engine.internals.readOut() };
}

/**
 * Asserts the engine's layout invariants for the set at key (tests): returns its size,
 * -1 when missing; an EngineInvariantError means a corrupt value.
 */
export function setCheck(engine: Engine, db: number, key: Uint8Array, nowMs: number): number {
  engine.internals.stage([key], false);
  return checked(setExports(engine).setCheck(db, key.length, nowMs));
}
