// The logical records the RDB codec speaks: values as plain byte strings and collections, so
// the codec does not depend on how the engine stores them. Owned here so the reader, the
// writer and the engine wiring share one definition.

/** One value, by logical type. Collections are never empty (Redis never stores one). */
export type RdbValue =
  | { type: "string"; value: Uint8Array }
  | { type: "list"; elements: Uint8Array[] }
  | { type: "set"; members: Uint8Array[] }
  | { type: "zset"; entries: { member: Uint8Array; score: number }[] }
  | { type: "hash"; fields: { field: Uint8Array; value: Uint8Array }[] };

/** One key of one database. */
export interface RdbEntry {
  /** Database index (SELECTDB). */
  db: number;
  key: Uint8Array;
  /** Absolute expiry in Unix milliseconds; 0 = none. */
  expireAtMs: number;
  value: RdbValue;
}

/** Aux fields by name (redis-ver, redis-bits, ctime, used-mem, repl-id, repl-offset, …). */
export interface RdbAux {
  [name: string]: Uint8Array;
}

/** Everything the reader reports, in file order. */
export type RdbEvent =
  | { kind: "aux"; name: string; value: Uint8Array }
  | { kind: "selectdb"; db: number }
  | { kind: "resizedb"; db: number; keyCount: number; expiresCount: number }
  /** A Redis 7.0 function library (0xF5): its source code, for the engine to load or ignore. */
  | { kind: "function"; code: Uint8Array }
  | { kind: "entry"; entry: RdbEntry };
