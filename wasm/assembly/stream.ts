// stream.ts — stream keys' engine half. A stream's structure (its node index, consumer groups
// and PELs) lives in the host (core/streams/, held by core/engine/stream.ts); its node bytes —
// Redis's listpacks, nearly all of a stream's size — live here, in blocks the host asks for
// (streamBlockAlloc / Realloc / Free), so used_memory and maxmemory count them. The engine
// keeps the key like any other: lookups with lazy expiry, TTL, RENAME / MOVE / SWAPDB / FLUSH /
// eviction, snapshot marks. The host writes its blocks directly: snapshots are per entry (the
// host side-saves a stream before changing it), so no page of a block needs copying.
//
//   stream entry: type TYPE_STREAM, valuePtr 0, valueLen = the host's handle (u31)
//
// So every keyspace operation that moves an entry moves the handle with it, and one that drops
// an entry (DEL, overwrite, expiry, FLUSHDB, eviction) drops the handle without freeing
// anything here; values.ts counts stream entries alive, and the host, when it holds more
// handles than that, asks for every live handle (streamCollectHandles) and drops the rest.
// COPY copies the handle and the host re-points the copy at a deep copy (streamSetHandle).
//
//   handle list (a host buffer, boundary.ts; address and length in cells ptr / len):
//   ┌────────────┬────────────┬─────┐
//   │ handle u32 │ handle u32 │ …   │
//   └────────────┴────────────┴─────┘

import {
  DB_SLOT_COUNT,
  RESULT_LEN,
  RESULT_PTR,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
  TYPE_STREAM,
} from "./abi";
import {
  BUFFER_DESCRIPTOR_BYTES,
  bufferClaim,
  bufferLen,
  bufferPtr,
  bufferReset,
  resultCells,
  stagingPtr,
} from "./boundary";
import { alloc, free, realloc } from "./pages";
import { dbRecord, isRehashing, table0Mask, table0Ptr, table1Mask, table1Ptr } from "./dict";
import { entryNext, entryType, entryValueLen, setEntryValue } from "./entry";
import { checkDb, colLastStatus, colOpenRead, colOpenWrite, lookupRead } from "./keyspace";
import { noteStreamEntryAdded, streamEntriesAlive } from "./values";

/** Handles are u31 so an export can return one as a non-negative i32. */
const HANDLE_MAX: u32 = 0x7fffffff;

/** streamCollectHandles' output. */
const handleList: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);

/**
 * The handle of the stream at the staged key: for reading (forWrite 0, lazy expiry as any
 * read) or for writing (forWrite 1: on a replica an expired stream is dropped and reads as
 * missing, as colOpenWrite does). STATUS_MISSING / STATUS_WRONGTYPE otherwise.
 */
export function streamOpen(db: u32, keyLen: u32, nowMs: f64, forWrite: u32): i32 {
  const e = forWrite != 0
    ? colOpenWrite(db, keyLen, nowMs, TYPE_STREAM, false)
    : colOpenRead(db, keyLen, nowMs, TYPE_STREAM);
  if (e == 0) return colLastStatus();
  return <i32>entryValueLen(e);
}

/**
 * Opens the stream at the staged key for writing, creating it with `handle` when missing.
 * Returns the handle it holds (the given one when it was created), STATUS_WRONGTYPE or
 * STATUS_OOM (nothing changed).
 */
export function streamOpenOrCreate(db: u32, keyLen: u32, nowMs: f64, handle: u32): i32 {
  assert(handle <= HANDLE_MAX);
  const e = colOpenWrite(db, keyLen, nowMs, TYPE_STREAM, true);
  if (e == 0) return colLastStatus();
  if (entryValueLen(e) == 0) {
    // A new entry (colOpenWrite made it with empty value words); handle 0 is never issued.
    setEntryValue(e, 0, handle, TYPE_STREAM);
    noteStreamEntryAdded();
  }
  return <i32>entryValueLen(e);
}

/** Re-points the live stream at the staged key to `handle` (COPY's copy): 1, or STATUS_*. */
export function streamSetHandle(db: u32, keyLen: u32, nowMs: f64, handle: u32): i32 {
  assert(handle != 0 && handle <= HANDLE_MAX);
  const d = checkDb(db);
  const e = lookupRead(d, db, stagingPtr(), keyLen, <i64>nowMs);
  if (e == 0) return STATUS_MISSING;
  if (entryType(e) != TYPE_STREAM) return STATUS_WRONGTYPE;
  setEntryValue(e, 0, handle, TYPE_STREAM);
  return 1;
}

/** Stream entries alive in every database (expired ones not yet removed included). */
export function streamCount(): u32 {
  return streamEntriesAlive();
}

/**
 * Lists the handle of every stream entry of every database (expired-but-present ones too: a
 * running snapshot may still save them) into the handle list; cells ptr / len give it.
 * Returns the number of handles, or STATUS_OOM.
 */
export function streamCollectHandles(): i32 {
  bufferReset(handleList);
  // Staging databases too: a stream loading there is alive (abi.ts DB_SLOT_COUNT).
  for (let db: u32 = 0; db < DB_SLOT_COUNT; db++) {
    const d = dbRecord(db);
    if (!collectTable(table0Ptr(d), table0Mask(d))) return STATUS_OOM;
    if (isRehashing(d) && !collectTable(table1Ptr(d), table1Mask(d))) return STATUS_OOM;
  }
  store<u32>(resultCells, <u32>bufferPtr(handleList), RESULT_PTR);
  store<u32>(resultCells, <u32>bufferLen(handleList), RESULT_LEN);
  return <i32>(bufferLen(handleList) >>> 2);
}

function collectTable(t: usize, mask: u32): bool {
  if (t == 0) return true;
  for (let i: u32 = 0; i <= mask; i++) {
    for (let e = <usize>load<u32>(t + (<usize>i << 2)); e != 0; e = entryNext(e)) {
      if (entryType(e) != TYPE_STREAM) continue;
      const at = bufferClaim(handleList, 4);
      if (at == 0) return false;
      store<u32>(at, entryValueLen(e));
    }
  }
  return true;
}

/** A block of sizeBytes for a stream node; 0 when memory is exhausted. */
export function streamBlockAlloc(sizeBytes: u32): usize {
  return alloc(<usize>(sizeBytes == 0 ? 1 : sizeBytes));
}

/** The block moved to one of newSizeBytes (old bytes kept up to the smaller size); 0 on OOM. */
export function streamBlockRealloc(ptr: usize, oldSizeBytes: u32, newSizeBytes: u32): usize {
  return realloc(ptr, <usize>oldSizeBytes, <usize>(newSizeBytes == 0 ? 1 : newSizeBytes));
}

/** Frees a block streamBlockAlloc / Realloc returned. */
export function streamBlockFree(ptr: usize): void {
  free(ptr);
}
