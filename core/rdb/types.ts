// The logical records the RDB codec speaks: values as plain byte strings and collections, so
// the codec does not depend on how the engine stores them. Owned here so the reader, the
// writer and the engine wiring share one definition.

/**
 * One value, by logical type. Collections are never empty (Redis never stores one). A set,
 * zset or hash may say which encoding holds it (`largeEncoding`: hashtable or skiplist, not
 * intset or listpack), so the writer picks the record type Redis would (4 or 16, 3 or 17…)
 * under any configured thresholds; without it the writer applies Redis's default thresholds.
 */
export type RdbValue =
  | { type: "string"; value: Uint8Array }
  | { type: "list"; elements: Uint8Array[] }
  | { type: "set"; members: Uint8Array[]; largeEncoding?: boolean }
  | { type: "zset"; entries: { member: Uint8Array; score: number }[]; largeEncoding?: boolean }
  | { type: "hash"; fields: { field: Uint8Array; value: Uint8Array }[]; largeEncoding?: boolean }
  | { type: "stream"; stream: RdbStream };

/** A stream entry ID: milliseconds and sequence, each an unsigned 64-bit number. */
export interface RdbStreamId {
  ms: bigint;
  seq: bigint;
}

/** One stream entry: its ID and its field/value pairs in the order XADD gave them. */
export interface RdbStreamEntry {
  id: RdbStreamId;
  fields: { field: Uint8Array; value: Uint8Array }[];
}

/** A pending entry of a consumer group: delivered, not yet acknowledged. */
export interface RdbStreamPending {
  id: RdbStreamId;
  /** When it was last delivered, Unix milliseconds. */
  deliveryTimeMs: bigint;
  deliveryCount: bigint;
}

export interface RdbStreamConsumer {
  name: Uint8Array;
  /** When the consumer last interacted (Redis 7.0's seen-time), Unix milliseconds. */
  seenTimeMs: bigint;
  /** IDs of the group's pending entries owned by this consumer, ascending. */
  pending: RdbStreamId[];
}

export interface RdbStreamGroup {
  name: Uint8Array;
  lastDeliveredId: RdbStreamId;
  /** Entries read by the group (Redis 7.0's entries-read); -1 when unknown. */
  entriesRead: bigint;
  /** The group's pending entries list, ascending by ID. */
  pending: RdbStreamPending[];
  consumers: RdbStreamConsumer[];
}

/**
 * A whole stream as RDB type 19 (Redis 7.0's stream listpacks 2) carries it. Unlike other
 * collections a stream may be empty (XDEL of every entry, XGROUP CREATE … MKSTREAM).
 */
/** One stream node as RDB carries it: its 16-byte key (master ID) and its listpack. */
export interface RdbStreamNode {
  key: Uint8Array;
  listpack: Uint8Array;
}

export interface RdbStream {
  /** Entries ascending by ID (deleted ones are not listed). */
  entries: RdbStreamEntry[];
  /**
   * The nodes holding those entries as listpacks (deleted entries and node boundaries as the
   * writer had them), when known: the reader gives them, and the writer writes them as they are;
   * without them it lays `entries` out as XADD would have (encodeStreamNodes).
   */
  nodes?: RdbStreamNode[];
  lastId: RdbStreamId;
  /**
   * First entry's ID when there is one. When empty: 0-0 as XDEL / XTRIM leave it, or what the
   * file said — Redis 7.0 records 18446744073709551615-18446744073709551615 for an empty stream
   * it loads from type 15 and writes that back — so any value is carried through.
   */
  firstId: RdbStreamId;
  /** Greatest ID ever deleted (XDEL, trimming); 0-0 when none. */
  maxDeletedId: RdbStreamId;
  /** Entries ever added (XADD count, XSETID ENTRIESADDED). */
  entriesAdded: bigint;
  groups: RdbStreamGroup[];
}

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
