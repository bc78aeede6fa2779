// Snapshots in the engine: the typed binding over wasm/assembly/snapshot.ts (which keys a
// snapshot has written, string records encoded in WASM) and snapshot_load.ts (string records
// loaded in WASM).
//
// A snapshot runs in a slot: Background for BGSAVE (and anything sharing its walk), and
// Synchronous for a save that finishes before the event loop turns (SAVE, DEBUG RELOAD, a
// full sync), so one may run while the other is paused without disturbing its marks. The
// walk itself (which records go where, the pre-write hook) is core/persistence/cow_snapshot.ts.

import {
  DB_COUNT,
  SNAPSHOT_CELL_CURSOR,
  SNAPSHOT_CELL_DEFERRED_COUNT,
  SNAPSHOT_CELL_DEFERRED_PTR,
  SNAPSHOT_CELL_KEYS_WRITTEN,
  SNAPSHOT_CELL_OUT_LEN,
  SNAPSHOT_CELL_OUT_PTR,
  SNAPSHOT_CLAIM_HOST,
  SNAPSHOT_CLAIM_NOTHING,
  SNAPSHOT_LOAD_CELL_CONSUMED,
  SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED,
  SNAPSHOT_LOAD_CELL_KEYS_LOADED,
  SNAPSHOT_SLOT_BACKGROUND,
  SNAPSHOT_SLOT_SYNCHRONOUS,
  STATUS_OOM,
} from "./abi.ts";
import { type Engine, OutOfMemoryError } from "./engine.ts";

/** The engine's snapshot slots (abi.ts SNAPSHOT_SLOT_*). */
export const enum SnapshotSlot {
  Background = SNAPSHOT_SLOT_BACKGROUND,
  Synchronous = SNAPSHOT_SLOT_SYNCHRONOUS,
}

/** Word indexes (u32) in the snapshot cells (abi.ts SNAPSHOT_CELL_* byte offsets / 4). */
const CELL_CURSOR = SNAPSHOT_CELL_CURSOR >>> 2;
const CELL_OUT_PTR = SNAPSHOT_CELL_OUT_PTR >>> 2;
const CELL_OUT_LEN = SNAPSHOT_CELL_OUT_LEN >>> 2;
const CELL_DEFERRED_PTR = SNAPSHOT_CELL_DEFERRED_PTR >>> 2;
const CELL_DEFERRED_COUNT = SNAPSHOT_CELL_DEFERRED_COUNT >>> 2;
const CELL_KEYS_WRITTEN = SNAPSHOT_CELL_KEYS_WRITTEN >>> 2;

interface SnapshotExports {
  snapshotCellsPtr(): number;
  snapshotBegin(slot: number): number;
  snapshotClaim(
    slot: number,
    db: number,
    keyPtr: number,
    keyLen: number,
    compress: number,
    instantMs: number,
  ): number;
  snapshotScanStep(
    slot: number,
    db: number,
    cursor: number,
    entryBudget: number,
    compress: number,
    instantMs: number,
  ): number;
}

function snapshotExports(engine: Engine): SnapshotExports {
  return engine.internals.exports as unknown as SnapshotExports;
}

/** What one scan step produced. */
export interface SnapshotStep {
  /** True when the database has been walked to the end. */
  done: boolean;
  /** Cursor for the next step of the same database. */
  cursor: number;
  /**
   * String records encoded by the engine, as RdbWriter.writeEntry would write them: a view of
   * the engine's output buffer, valid until the next engine call (copy it before).
   */
  records: Uint8Array;
  /** How many keys `records` holds. */
  recordKeyCount: number;
  /** Keys the caller must claim and serialize itself before anything writes (copies). */
  deferredKeys: Uint8Array[];
}

/** Starts a snapshot in `slot`: every key existing now becomes pending. */
export function snapshotBegin(engine: Engine, slot: SnapshotSlot): void {
  if (snapshotExports(engine).snapshotBegin(slot) !== 1) throw new OutOfMemoryError();
}

/** What snapshotClaim found. */
export type SnapshotClaim =
  /** Absent, already written, or expired at the instant: nothing to write. */
  | { kind: "nothing" }
  /**
   * A pending string, now marked written: its record, encoded by the engine, as a view of its
   * output buffer valid until the next engine call (copy it before).
   */
  | { kind: "encoded"; record: Uint8Array }
  /** A pending key now marked written that the caller must serialize before it changes. */
  | { kind: "host" };

const CLAIM_NOTHING: SnapshotClaim = Object.freeze({ kind: "nothing" });
const CLAIM_HOST: SnapshotClaim = Object.freeze({ kind: "host" });

/** The pre-write hook's question for `key` of `db`: see SnapshotClaim. */
export function snapshotClaim(
  engine: Engine,
  slot: SnapshotSlot,
  db: number,
  key: Uint8Array,
  compression: boolean,
  instantMs: number,
): SnapshotClaim {
  const internals = engine.internals;
  internals.stage([key], false);
  const status = snapshotExports(engine).snapshotClaim(
    slot,
    db,
    internals.stagingPtr(),
    key.length,
    compression ? 1 : 0,
    instantMs,
  );
  if (status === SNAPSHOT_CLAIM_NOTHING) return CLAIM_NOTHING;
  if (status === SNAPSHOT_CLAIM_HOST) return CLAIM_HOST;
  const words = internals.words();
  const cells = snapshotExports(engine).snapshotCellsPtr() >>> 2;
  const outPtr = words[cells + CELL_OUT_PTR];
  return {
    kind: "encoded",
    record: internals.bytes().subarray(outPtr, outPtr + words[cells + CELL_OUT_LEN]),
  };
}

/**
 * One step of the walk over database `db` from `cursor`: handles about `entryBudget` pending
 * keys (keys expired at `instantMs` are skipped, as a read at the instant would).
 */
export function snapshotScanStep(
  engine: Engine,
  slot: SnapshotSlot,
  db: number,
  cursor: number,
  entryBudget: number,
  compression: boolean,
  instantMs: number,
): SnapshotStep {
  if (!Number.isInteger(db) || db < 0 || db >= DB_COUNT) {
    throw new RangeError(`snapshotScanStep: no database ${db}`);
  }
  const internals = engine.internals;
  const exports = snapshotExports(engine);
  const done = exports.snapshotScanStep(
    slot,
    db,
    cursor >>> 0,
    entryBudget,
    compression ? 1 : 0,
    instantMs,
  ) === 1;
  const words = internals.words();
  const bytes = internals.bytes();
  const cells = exports.snapshotCellsPtr() >>> 2;
  const outPtr = words[cells + CELL_OUT_PTR];
  const records = bytes.subarray(outPtr, outPtr + words[cells + CELL_OUT_LEN]);
  const deferredKeys: Uint8Array[] = [];
  const deferredAt = words[cells + CELL_DEFERRED_PTR] >>> 2;
  const deferredCount = words[cells + CELL_DEFERRED_COUNT];
  for (let i = 0; i < deferredCount; i++) {
    const keyPtr = words[deferredAt + 2 * i];
    deferredKeys.push(bytes.slice(keyPtr, keyPtr + words[deferredAt + 2 * i + 1]));
  }
  return {
    done,
    cursor: words[cells + CELL_CURSOR],
    records,
    recordKeyCount: words[cells + CELL_KEYS_WRITTEN],
    deferredKeys,
  };
}

/** Word indexes (u32) in the loader's cells (abi.ts SNAPSHOT_LOAD_CELL_* byte offsets / 4). */
const LOAD_CELL_KEYS_LOADED = SNAPSHOT_LOAD_CELL_KEYS_LOADED >>> 2;
const LOAD_CELL_EXPIRED_SKIPPED = SNAPSHOT_LOAD_CELL_EXPIRED_SKIPPED >>> 2;
const LOAD_CELL_CONSUMED = SNAPSHOT_LOAD_CELL_CONSUMED >>> 2;

interface SnapshotLoadExports {
  snapshotLoadCellsPtr(): number;
  snapshotLoadStrings(
    db: number,
    ptr: number,
    len: number,
    nowMs: number,
    skipExpired: number,
    stringLenMax: number,
  ): number;
}

/** What loadStringRecords did. */
export interface StringRecordsLoaded {
  /** Leading bytes of the input consumed as whole records. */
  consumedBytes: number;
  keysLoaded: number;
  /** Keys not stored because they had expired at nowMs (skipExpired only). */
  expiredSkipped: number;
}

/**
 * Loads the leading plain string records (`[0xFC ms] 0x00 key value`) of `bytes` into `db`,
 * stopping before anything else (RdbReader.consumeRecords's decoder). `bytes` is copied into
 * the engine's staging region: keep it to a window (core/persistence/keyspace_records.ts). Throws
 * OutOfMemoryError when a key does not fit (the keys before it are loaded).
 */
export function loadStringRecords(
  engine: Engine,
  db: number,
  bytes: Uint8Array,
  nowMs: number,
  skipExpired: boolean,
  stringLenMaxBytes: number,
): StringRecordsLoaded {
  const internals = engine.internals;
  const exports = engine.internals.exports as unknown as SnapshotLoadExports;
  const input = bytes;
  internals.stage([input], false);
  const status = exports.snapshotLoadStrings(
    db,
    internals.stagingPtr(),
    input.length,
    nowMs,
    skipExpired ? 1 : 0,
    stringLenMaxBytes,
  );
  if (status === STATUS_OOM) throw new OutOfMemoryError();
  const words = internals.words();
  const cells = exports.snapshotLoadCellsPtr() >>> 2;
  return {
    consumedBytes: words[cells + LOAD_CELL_CONSUMED],
    keysLoaded: words[cells + LOAD_CELL_KEYS_LOADED],
    expiredSkipped: words[cells + LOAD_CELL_EXPIRED_SKIPPED],
  };
}
