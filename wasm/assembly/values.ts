// Dispatch from a value's type tag to the module that owns that type's memory. The keyspace
// (dict.ts, index.ts) stores every value as (type, valuePtr, valueLen) and never looks inside a
// collection: freeing and deep-copying go through here, so adding a type touches this file and
// the type's own module only. Strings are handled by the keyspace itself.

import { TYPE_HASH, TYPE_LIST, TYPE_SET, TYPE_ZSET } from "./dict";
import { hashCopyValue, hashFreeValue } from "./hash";
import { listCopyValue, listFreeValue } from "./list";
import { setCopyValue, setFreeValue } from "./set";
import { zsetCopyValue, zsetFreeValue } from "./zset";

/** Frees every block a collection value owns. */
export function freeValueOfType(valueType: u8, valuePtr: usize, valueLen: u32): void {
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
