// OBJECT ENCODING for every collection type, by engine type tag. One switch so keys.ts (and
// later the RDB writer, which picks record types by encoding) need not know each type module.

import { type Engine, ValueType } from "./engine.ts";
import { hashEncoding } from "./hash.ts";
import { listEncoding } from "./list.ts";
import { setEncoding } from "./set.ts";
import { zsetEncoding } from "./zset.ts";

/** Redis's encoding name for the collection at key with engine type tag `typeTag` (ValueType). */
export function collectionEncoding(
  engine: Engine,
  typeTag: number,
  db: number,
  key: Uint8Array,
  nowMs: number,
): string {
  switch (typeTag) {
    case ValueType.List:
      return listEncoding(engine, db, key, nowMs);
    case ValueType.Set:
      return setEncoding(engine, db, key, nowMs);
    case ValueType.Zset:
      return zsetEncoding(engine, db, key, nowMs);
    case ValueType.Hash:
      return hashEncoding(engine, db, key, nowMs);
    case ValueType.Stream:
      return "stream";
    default:
      return "unknown";
  }
}
