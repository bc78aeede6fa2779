// values.ts — a value by its type tag: freeing it, deep-copying it. The keyspace (keyspace.ts)
// stores every value as (type, valuePtr, valueLen) and never looks inside a collection; when a
// key goes or is copied, it asks here, and this dispatches to the module that owns that type's
// memory. Adding a type touches this file and the type's own modules only.
//
// It sits below the keyspace and above the value encodings: the encodings know nothing of keys
// (hash_value.ts, list_quicklist.ts, set_value.ts, zset_value.ts), the keyspace knows nothing
// of encodings. A string is one block of bytes and is handled here directly.
//
// A stream is held by the host (core/engine/stream.ts): its entry's valueLen is a handle into
// the host's table and valuePtr is 0, so there is nothing to free here. What the engine does
// keep is the number of stream entries alive, so the host can tell when handles it still
// holds have lost their key (deleted, overwritten, expired, flushed) and sweep them
// (stream.ts streamCollectHandles).

import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_STREAM, TYPE_STRING, TYPE_ZSET } from "./abi";
import { entryType, entryValueLen, entryValuePtr } from "./entry";
import { hashCopyValue, hashFreeValue } from "./hash_value";
import { listCopyValue, listFreeValue } from "./list_quicklist";
import { free } from "./pages";
import { setCopyValue, setFreeValue } from "./set_value";
import { zsetCopyValue, zsetFreeValue } from "./zset_value";

/** Stream entries in every database (each holds one host handle). */
let streamEntryCount: u32 = 0;

/** Frees the value entry e owns (its words are left as they were). */
export function freeEntryValue(e: usize): void {
  const valueType = entryType(e);
  if (valueType == TYPE_STRING) free(entryValuePtr(e));
  else if (valueType == TYPE_STREAM) streamEntryCount--;
  else freeValueOfType(valueType, entryValuePtr(e), entryValueLen(e));
}

/** Whether a value of this type is a host handle (a stream) rather than engine memory. */
@inline export function isHostHandle(valueType: u8): bool {
  return valueType == TYPE_STREAM;
}

/** A stream entry was created, or copied (COPY; the host then gives the copy its own handle). */
export function noteStreamEntryAdded(): void {
  streamEntryCount++;
}

/** Stream entries alive, so the host knows how many of its handles are still referenced. */
export function streamEntriesAlive(): u32 {
  return streamEntryCount;
}

/** Frees every block a collection value owns. */
function freeValueOfType(valueType: u8, valuePtr: usize, valueLen: u32): void {
  if (valueType == TYPE_HASH) hashFreeValue(valuePtr, valueLen);
  else if (valueType == TYPE_LIST) listFreeValue(valuePtr, valueLen);
  else if (valueType == TYPE_SET) setFreeValue(valuePtr, valueLen);
  else if (valueType == TYPE_ZSET) zsetFreeValue(valuePtr, valueLen);
  else assert(false, "free of an unknown value type");
}

/**
 * Deep copy of a collection value (COPY). Returns the new valuePtr (valueLen is copied by the
 * caller unchanged), or 0 on OOM with nothing allocated.
 */
export function copyValueOfType(valueType: u8, valuePtr: usize, valueLen: u32): usize {
  if (valueType == TYPE_HASH) return hashCopyValue(valuePtr, valueLen);
  if (valueType == TYPE_LIST) return listCopyValue(valuePtr, valueLen);
  if (valueType == TYPE_SET) return setCopyValue(valuePtr, valueLen);
  if (valueType == TYPE_ZSET) return zsetCopyValue(valuePtr, valueLen);
  assert(false, "copy of an unknown value type");
  return 0;
}
