// OBJECT ENCODING for every collection type, by engine type tag. One switch so keys.ts (and
// later the RDB writer, which picks record types by encoding) need not know each type module.

import type { Engine } from "./engine.ts";
import { hashEncoding } from "./hash.ts";
import { listEncoding } from "./list.ts";
import { setEncoding } from "./set.ts";
import { zsetEncoding } from "./zset.ts";

/** Redis's encoding name for the collection at key with engine type tag `typeTag`. */
export function collectionEncoding(
  engine: Engine,
  typeTag: number,
  db: number,
  key: Uint8Array,
  nowMs: number,
): string {
  switch (typeTag) {
    case 1:
      return listEncoding(engine, db, key, nowMs);
    case 2:
      return setEncoding(engine, db, key, nowMs);
    case 3:
      return zsetEncoding(engine, db, key, nowMs);
    case 4:
      return hashEncoding(engine, db, key, nowMs);
    default:
      return "unknown";
  }
}
