// The bridge between the engine and the RDB codec: the keyspace as logical records
// (RdbEntry) and back. The codec never sees engine layouts and the engine never sees RDB
// encodings; each type's typed binding (core/engine/<type>.ts) is the only way in or out, so a
// new encoding inside a type changes nothing here.

import { DB_COUNT, type Engine, SET_KEEPTTL, ValueType } from "../engine/mod.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { HASH_READ_PAIRS, hashReadAll, hashSet } from "../engine/hash.ts";
import { listPush, listRange } from "../engine/list.ts";
import { setAdd, setMembers } from "../engine/set.ts";
import { zsetAdd, zsetRange } from "../engine/zset.ts";
import { RANGE_WITHSCORES, ZsetRangeKind, ZsetRangeOp } from "../engine/zset.ts";
import { loadStringRecords } from "../engine/snapshot.ts";
import { streamCreate, streamMemory, streamRead } from "../engine/stream.ts";
import { streamFromRecord, streamToRecord } from "./stream_records.ts";
import type { RdbEntry, RdbReader, RdbValue } from "../rdb/mod.ts";

/** Keys per SCAN step while dumping. */
const DUMP_SCAN_COUNT = 1000;
/** Elements per engine call while loading a large collection. */
const LOAD_BATCH_ELEMENTS = 1024;

/** Keys and keys-with-TTL of one database, for RESIZEDB. */
export interface DbSizes {
  keyCount: number;
  expiresCount: number;
}

export function dbSizes(engine: Engine, db: number): DbSizes {
  return { keyCount: engine.dbSize(db), expiresCount: engine.expiresCount(db) };
}

/** Whether the collection at key is in its large encoding (hashtable, skiplist). */
function isLargeEncoding(
  engine: Engine,
  tag: number,
  db: number,
  key: Uint8Array,
  nowMs: number,
): boolean {
  const encoding = collectionEncoding(engine, tag, db, key, nowMs);
  return encoding === "hashtable" || encoding === "skiplist";
}

/** The value at key as a logical RDB value, or null if it vanished (expired meanwhile). */
export function readValue(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): RdbValue | null {
  const tag = engine.typeOf(db, key, nowMs);
  switch (tag) {
    case ValueType.String: {
      const view = engine.getString(db, key, nowMs);
      return view === null ? null : { type: "string", value: view.slice() };
    }
    case 1: {
      const elements = listRange(engine, db, key, 0n, -1n, nowMs);
      return elements.length === 0 ? null : { type: "list", elements };
    }
    case 2: {
      const members = setMembers(engine, db, key, nowMs);
      if (members === null) return null;
      return { type: "set", members, largeEncoding: isLargeEncoding(engine, tag, db, key, nowMs) };
    }
    case 3: {
      const result = zsetRange(engine, db, key, {
        kind: ZsetRangeKind.Rank,
        op: ZsetRangeOp.Emit,
        flags: RANGE_WITHSCORES,
        a: 0,
        b: -1,
      }, nowMs);
      if (result === null || typeof result === "number") return null;
      const entries = result.members.map((member, i) => ({ member, score: result.scores![i] }));
      return { type: "zset", entries, largeEncoding: isLargeEncoding(engine, tag, db, key, nowMs) };
    }
    case 4: {
      const flat = hashReadAll(engine, db, key, HASH_READ_PAIRS, nowMs);
      if (flat === null) return null;
      const fields = [];
      for (let i = 0; i < flat.length; i += 2) fields.push({ field: flat[i], value: flat[i + 1] });
      return { type: "hash", fields, largeEncoding: isLargeEncoding(engine, tag, db, key, nowMs) };
    }
    case ValueType.Stream: {
      const stream = streamRead(engine, db, key, nowMs);
      return stream === null ? null : { type: "stream", stream: streamToRecord(stream) };
    }
    default:
      return null;
  }
}

/**
 * The key as one RDB entry (value and expiry time), or null when it does not exist at nowMs.
 * `key` is kept by reference in the entry: pass a copy if the caller's view may be reused.
 */
export function readEntry(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
): RdbEntry | null {
  const value = readValue(engine, db, key, nowMs);
  if (value === null) return null;
  const expireAt = engine.getExpireAtMs(db, key, nowMs);
  return { db, key, expireAtMs: expireAt > 0 ? expireAt : 0, value };
}

/**
 * Every live key of every database as RDB entries, database by database. Synchronous from the
 * first key to the last, so the records form one point-in-time view of the keyspace.
 */
export function* keyspaceEntries(engine: Engine, nowMs: number): Generator<RdbEntry> {
  for (let db = 0; db < DB_COUNT; db++) yield* dbEntries(engine, db, nowMs);
}

export function* dbEntries(engine: Engine, db: number, nowMs: number): Generator<RdbEntry> {
  if (engine.dbSize(db) === 0) return;
  const seen = new Set<string>();
  let cursor = 0;
  do {
    const page = engine.scan(db, cursor, DUMP_SCAN_COUNT, -1, nowMs);
    cursor = page.cursor;
    for (const keyView of page.keys) {
      const key = keyView.slice();
      // SCAN may return a key twice while the table rehashes; a snapshot holds it once.
      let tag = "";
      for (let i = 0; i < key.length; i++) tag += String.fromCharCode(key[i]);
      if (seen.has(tag)) continue;
      seen.add(tag);
      const entry = readEntry(engine, db, key, nowMs);
      if (entry !== null) yield entry;
    }
  } while (cursor !== 0);
}

/** Stores one loaded entry, replacing whatever the key held. Throws OutOfMemoryError. */
export function writeEntry(engine: Engine, entry: RdbEntry, nowMs: number): void {
  const { db, key, value } = entry;
  engine.del(db, key, nowMs);
  switch (value.type) {
    case "string":
      engine.set(db, key, value.value, 0, SET_KEEPTTL, nowMs);
      break;
    case "list":
      for (let i = 0; i < value.elements.length; i += LOAD_BATCH_ELEMENTS) {
        listPush(
          engine,
          db,
          key,
          value.elements.slice(i, i + LOAD_BATCH_ELEMENTS),
          true,
          false,
          nowMs,
        );
      }
      break;
    case "set":
      for (let i = 0; i < value.members.length; i += LOAD_BATCH_ELEMENTS) {
        setAdd(engine, db, key, value.members.slice(i, i + LOAD_BATCH_ELEMENTS), nowMs);
      }
      break;
    case "zset":
      for (let i = 0; i < value.entries.length; i += LOAD_BATCH_ELEMENTS) {
        const batch = value.entries.slice(i, i + LOAD_BATCH_ELEMENTS);
        zsetAdd(engine, db, key, batch.map((e) => e.score), batch.map((e) => e.member), 0, nowMs);
      }
      break;
    case "hash":
      for (let i = 0; i < value.fields.length; i += LOAD_BATCH_ELEMENTS) {
        const parts: Uint8Array[] = [key];
        for (const { field, value: fieldValue } of value.fields.slice(i, i + LOAD_BATCH_ELEMENTS)) {
          parts.push(field, fieldValue);
        }
        hashSet(engine, db, parts, false, nowMs);
      }
      break;
    case "stream":
      streamCreate(engine, db, key, nowMs, streamFromRecord(value.stream, streamMemory(engine)));
      break;
  }
  if (entry.expireAtMs > 0) engine.setExpireAtMs(db, key, entry.expireAtMs, nowMs);
}

/** Bytes offered to the engine's string loader per call: first, and at most. */
const LOAD_WINDOW_MIN_BYTES = 4 * 1024;
const LOAD_WINDOW_MAX_BYTES = 1024 * 1024;
const RDB_TYPE_STRING = 0;
const RDB_OPCODE_EXPIRETIME_MS = 0xfc;
/** Bytes of an 0xFC opcode and its 8-byte time. */
const EXPIRE_MS_RECORD_BYTES = 9;

/** Whether bytes begin with a string record (`0x00`, or `0xFC <ms> 0x00`). */
function startsStringRecord(bytes: Uint8Array): boolean {
  if (bytes[0] === RDB_TYPE_STRING) return true;
  return bytes[0] === RDB_OPCODE_EXPIRETIME_MS && bytes[EXPIRE_MS_RECORD_BYTES] === RDB_TYPE_STRING;
}

/** Keys a load stored, and keys it skipped as already expired. */
export interface LoadCounts {
  keyCount: number;
  expiredSkipped: number;
  /**
   * When given, the function libraries' code (0xF5 records) is collected here for the caller to
   * hand to the function registry once the file is whole; else it is skipped.
   */
  libraryCodes?: Uint8Array[];
}

/**
 * Drains what `reader` can parse so far into the engine, adding to `counts`: plain string
 * records go through the engine's own loader (wasm/assembly/snapshot_load.ts, several times
 * faster), everything else through the reader's entries and writeEntry. With
 * `skipExpired` (a master loading its file) keys expired at nowMs are dropped; a replica
 * keeps them until its master's DEL. Call after every push; throws what the reader throws.
 * `dbBase` is added to every database index: a replica loading into the engine's staging
 * databases (STAGING_DB_BASE, repl-diskless-load swapdb) passes it; everyone else loads at 0.
 */
export function loadEntries(
  engine: Engine,
  reader: RdbReader,
  nowMs: number,
  skipExpired: boolean,
  counts: LoadCounts,
  dbBase = 0,
): void {
  // Bytes offered to the engine per call: they are copied into its staging region, so a file
  // that alternates strings with other types must not copy the whole buffer per record. The
  // window doubles while the engine takes most of it and starts small again when it stops.
  let windowBytes = LOAD_WINDOW_MIN_BYTES;
  const decode = (bytes: Uint8Array, db: number, stringLenMaxBytes: number): number => {
    if (!startsStringRecord(bytes)) return 0;
    const offered = bytes.subarray(0, windowBytes);
    const loaded = loadStringRecords(
      engine,
      dbBase + db,
      offered,
      nowMs,
      skipExpired,
      stringLenMaxBytes,
    );
    counts.keyCount += loaded.keysLoaded;
    counts.expiredSkipped += loaded.expiredSkipped;
    windowBytes = loaded.consumedBytes * 2 >= offered.length
      ? Math.min(windowBytes * 2, LOAD_WINDOW_MAX_BYTES)
      : LOAD_WINDOW_MIN_BYTES;
    return loaded.consumedBytes;
  };
  for (;;) {
    while (reader.consumeRecords(decode) > 0) {
      // The engine took a run of string records; look again where it stopped.
    }
    const event = reader.nextEvent();
    if (event === null) return;
    if (event.kind === "function") counts.libraryCodes?.push(event.code);
    if (event.kind !== "entry") continue;
    const entry = event.entry;
    if (skipExpired && entry.expireAtMs > 0 && entry.expireAtMs <= nowMs) {
      counts.expiredSkipped++;
      continue;
    }
    writeEntry(engine, dbBase === 0 ? entry : { ...entry, db: dbBase + entry.db }, nowMs);
    counts.keyCount++;
  }
}
