// A point-in-time snapshot of the keyspace taken while the server keeps writing: what BGSAVE
// serializes in place of Redis's fork().
//
// Key-level copy-on-write ("side-save on first write", as Dragonfly's versioned buckets):
//
//   instant ──► scan db 0 … db 15 in bounded slices ─────────────────────────► EOF
//                 │ each key not yet handled: serialize it, mark it handled
//   a write ──► beforeWrite(db, key) for every key the command may change:
//                 not handled yet → serialize its value *now* (still the value at the
//                 instant, since any earlier write would have come through here first),
//                 or nothing if it did not exist at the instant; mark it handled.
//
// So each key present at the instant is written exactly once, with its value and TTL at the
// instant, and a key created after it never is. Every read uses the instant's clock
// (`instantMs`), and expiry must not delete keys meanwhile (the saver turns engine expiry
// deletes off for the snapshot's life), so a key alive at the instant still reads as alive.
//
// Records of several databases may interleave: a side-save re-selects its database
// (SELECTDB alone), which loaders accept at any point.
//
// "Handled" is a per-entry mark in the engine (wasm/assembly/snapshot.ts): starting a snapshot
// bumps an epoch, so every key becomes pending at O(1) cost; keys created later are born
// handled. The scan is an engine loop that encodes string keys into RDB records itself and
// hands everything else (collections, huge strings) back to be serialized here through the
// typed bindings, in the same synchronous step. Writes that are not per key (FLUSHALL,
// SWAPDB …) call finish() first: the rest of the keyspace is serialized synchronously (rare;
// exact).

import { type CommandSpec, visitWrittenKeys, WriteKeysKind } from "../command_meta/spec.ts";
import { DB_COUNT, type Engine } from "../engine/mod.ts";
import {
  snapshotBegin,
  snapshotClaim,
  snapshotScanStep,
  SnapshotSlot,
} from "../engine/snapshot.ts";
import { RdbWriter } from "../rdb/mod.ts";
import { REDIS_COMPAT_VERSION } from "../version.ts";
import { type DbSizes, dbSizes, readEntry } from "./keyspace_records.ts";
import type { RdbEntry } from "../rdb/mod.ts";

/**
 * Pending keys the engine handles per scan step; the time budget is checked after every
 * step. Large enough that the boundary crossing is noise, small enough to stay well under
 * a millisecond for small values.
 */
const SCAN_STEP_KEYS = 128;

/** What a snapshot records besides the keyspace, and how it is encoded. */
export interface SnapshotOptions {
  compression: boolean;
  checksum: boolean;
  /** Files only: wrap the RDB in LZ4 frames (core/rdb/lz4_frames.ts). Replicas get plain RDB. */
  lz4Frames?: boolean;
  /**
   * The replication id and offset recorded in the aux fields, so a restart can offer PSYNC
   * <replId> <replOffset + 1>. Null when this server has no history a restart could continue
   * (a master without a backlog, a replica that never synced or is mid full sync): the three
   * repl-* fields are then left out, as when Redis's rdbPopulateSaveInfo returns NULL.
   */
  replId: string | null;
  replOffset: number;
  /** The database the replication stream has selected at that offset (repl-stream-db). */
  replStreamDb?: number;
  /** stream-node-max-bytes / -entries: streams are written in nodes cut as XADD cuts them. */
  streamNodeMaxBytes?: number;
  streamNodeMaxEntries?: number;
  /**
   * The function libraries' code at the instant, written as 0xF5 records before the databases
   * (where Redis 7.0's rdbSaveFunctions puts them). Copied by the caller: they never change.
   */
  functionCodes?: readonly Uint8Array[];
}

export class CowSnapshot {
  /** Wall clock of the snapshot: every read is made as of this instant. */
  readonly instantMs: number;
  /** Keys the instant held, all databases (INFO current_save_keys_total). */
  readonly keyCountTotal: number;
  /** Keys written to the file so far, by the scan or side-saved (current_save_keys_processed). */
  keysProcessed = 0;
  /** Bytes of records side-saved by beforeWrite (current_cow_size). */
  cowSizeBytes = 0;
  /** True once EOF is written or abort() called: nothing more is read from the keyspace. */
  done = false;
  /** True after abort(): the file is incomplete and must be discarded. */
  aborted = false;
  /** Why a side-save failed (abort(error)); null for an abort on request or no abort. */
  failure: Error | null = null;

  readonly #engine: Engine;
  readonly #writer: RdbWriter;
  readonly #slot: SnapshotSlot;
  readonly #compression: boolean;
  /** Sizes at the instant, for each database's RESIZEDB hint. */
  readonly #sizes: DbSizes[] = [];
  /** Whether a database has had its SELECTDB + RESIZEDB (later entries re-select only). */
  readonly #started: boolean[] = [];
  /** Database the scan is in; every database below it is complete. */
  #scanDb = 0;
  #scanCursor = 0;
  /** Database the writer has selected, -1 before the first record. */
  #writerDb = -1;

  /**
   * Starts the snapshot in `slot` and writes the header; `onChunk` receives the encoded file
   * in order, chunk by chunk. One snapshot per slot at a time: a new one in the same slot
   * makes every key pending again, so the previous one must be done or abandoned.
   */
  constructor(
    engine: Engine,
    options: SnapshotOptions,
    instantMs: number,
    onChunk: (chunk: Uint8Array) => void,
    slot: SnapshotSlot = SnapshotSlot.Synchronous,
  ) {
    this.#engine = engine;
    this.instantMs = instantMs;
    this.#slot = slot;
    this.#compression = options.compression;
    snapshotBegin(engine, slot);
    this.#writer = new RdbWriter({
      onChunk,
      compression: options.compression,
      checksum: options.checksum,
      streamNodeMaxBytes: options.streamNodeMaxBytes,
      streamNodeMaxEntries: options.streamNodeMaxEntries,
    });
    const writer = this.#writer;
    writer.writeAux("redis-ver", REDIS_COMPAT_VERSION);
    writer.writeAux("redis-bits", "64");
    writer.writeAux("ctime", String(Math.floor(instantMs / 1000)));
    writer.writeAux("used-mem", String(engine.usedMemoryBytes()));
    if (options.replId !== null) {
      writer.writeAux("repl-stream-db", String(options.replStreamDb ?? 0));
      writer.writeAux("repl-id", options.replId);
      writer.writeAux("repl-offset", String(options.replOffset));
    }
    writer.writeAux("aof-base", "0");
    for (const code of options.functionCodes ?? []) writer.writeFunction(code);
    let keyCountTotal = 0;
    for (let db = 0; db < DB_COUNT; db++) {
      const sizes = dbSizes(engine, db);
      keyCountTotal += sizes.keyCount;
      this.#sizes.push(sizes);
      this.#started.push(false);
    }
    this.keyCountTotal = keyCountTotal;
  }

  /**
   * The pre-write hook: call before a command that may change keys runs, with the client's
   * database. Side-saves each key it may change; for a command that is not per key, finishes
   * the whole snapshot first.
   */
  beforeCommand(db: number, spec: CommandSpec, argv: readonly Uint8Array[]): void {
    if (this.done || spec.writeKeys.kind === WriteKeysKind.None) return;
    visitWrittenKeys(spec, db, argv, this.#beforeWriteOrFinish);
  }

  /** A key about to change is side-saved; a whole database (or any) ends the snapshot first. */
  readonly #beforeWriteOrFinish = (db: number, key: Uint8Array | null): void => {
    if (key === null) this.finish();
    else this.beforeWrite(db, key);
  };

  /** Side-saves `key` of `db` unless already handled; see the file comment. */
  beforeWrite(db: number, key: Uint8Array): void {
    if (this.done || db < this.#scanDb) return;
    const sizeBefore = this.#writer.sizeBytes;
    this.#claimAndWrite(db, key);
    this.cowSizeBytes += this.#writer.sizeBytes - sizeBefore;
  }

  /** Writes `key` now if it is still pending (the engine encodes strings itself). */
  #claimAndWrite(db: number, key: Uint8Array): void {
    const claim = snapshotClaim(
      this.#engine,
      this.#slot,
      db,
      key,
      this.#compression,
      this.instantMs,
    );
    if (claim.kind === "nothing") return;
    if (claim.kind === "encoded") {
      this.#selectForWrite(db);
      this.#writer.writeEncodedRecords(claim.record);
      this.keysProcessed++;
      return;
    }
    const entry = readEntry(this.#engine, db, key, this.instantMs);
    if (entry !== null) this.#write(entry);
  }

  /**
   * Scans on until `deadlineMs` (performance.now() clock) passes or the keyspace is done;
   * writes EOF at the end. Returns true when done. Work per call is bounded by the deadline
   * plus one engine step of `stepKeyCount` pending keys (a single huge collection is
   * serialized in one piece).
   */
  step(deadlineMs: number, stepKeyCount = SCAN_STEP_KEYS): boolean {
    while (!this.done) {
      if (this.#scanDb === DB_COUNT) {
        // Each key of the instant is written once at most; expired-but-kept keys count in
        // keyCountTotal without being written, so the figure may fall short, never over.
        if (this.keysProcessed > this.keyCountTotal) {
          throw new Error(
            `CowSnapshot: ${this.keysProcessed} keys written, ${this.keyCountTotal} existed`,
          );
        }
        this.#writer.finish();
        this.done = true;
        break;
      }
      this.#scanPage(stepKeyCount);
      if (performance.now() >= deadlineMs) break;
    }
    return this.done;
  }

  /** Serializes everything not yet written, synchronously, and ends the file. */
  finish(): void {
    this.step(Infinity);
  }

  /** Stops: the caller discards the file. Hooks become no-ops. `failure` says why, if failed. */
  abort(failure: Error | null = null): void {
    this.done = true;
    this.aborted = true;
    this.failure ??= failure;
  }

  #scanPage(stepKeyCount: number): void {
    const db = this.#scanDb;
    if (this.#sizes[db].keyCount > 0) {
      const step = snapshotScanStep(
        this.#engine,
        this.#slot,
        db,
        this.#scanCursor,
        stepKeyCount,
        this.#compression,
        this.instantMs,
      );
      if (step.recordKeyCount > 0) {
        this.#selectForWrite(db);
        this.#writer.writeEncodedRecords(step.records);
        this.keysProcessed += step.recordKeyCount;
      }
      // The engine left these pending; nothing can write them before this loop ends.
      for (const key of step.deferredKeys) this.#claimAndWrite(db, key);
      this.#scanCursor = step.cursor;
      if (!step.done) return;
    }
    this.#scanCursor = 0;
    this.#scanDb++;
  }

  #selectForWrite(db: number): void {
    if (this.#writerDb === db) return;
    if (this.#started[db]) this.#writer.reselectDb(db);
    else this.#writer.selectDb(db, this.#sizes[db].keyCount, this.#sizes[db].expiresCount);
    this.#started[db] = true;
    this.#writerDb = db;
  }

  #write(entry: RdbEntry): void {
    this.#selectForWrite(entry.db);
    this.#writer.writeEntry(entry);
    this.keysProcessed++;
  }
}
