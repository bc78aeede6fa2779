// Lazy freeing as Redis 7.0 counts it (lazyfree.c). Redis hands a deleted value whose "free
// effort" exceeds LAZYFREE_THRESHOLD to a background thread, and a flushed database's keys
// all at once; INFO's lazyfreed_objects counts what that thread freed. resplica's engine keeps
// a lazy-free queue instead (wasm/assembly/lazyfree.ts), drained in slices between event-loop
// turns (core/state/lazyfree_queue.ts). The engine decides what to queue from its own
// encodings, which are not always Redis's (a 100-member set may stay packed), so the counter
// is kept here, by Redis's rule applied to the encodings Redis would have chosen: a value is
// counted when it is deleted lazily and its effort passes the threshold, a flushed database
// for every key it held. A stream is a host value the engine never queues; it counts the same.
//
// Effort, as lazyfreeGetFreeEffort: a hashtable set or hash, or a skiplist zset, costs its
// element count; a list its quicklist node count; a stream its nodes plus, per consumer group,
// one plus the first group's PEL size; anything else 1.

import { collectionEncoding } from "../engine/collections.ts";
import { hashLength } from "../engine/hash.ts";
import { listCheck } from "../engine/list.ts";
import { DB_COUNT, ValueType } from "../engine/mod.ts";
import { setCardinality } from "../engine/set.ts";
import { zsetCard } from "../engine/zset.ts";
import type { ServerState } from "../state/server_state.ts";
import { streamRead } from "../engine/stream.ts";

/** Redis's LAZYFREE_THRESHOLD: values costing more are freed "in the background". */
export const LAZYFREE_THRESHOLD = 64;

/** lazyfreeGetFreeEffort of the value at `key` (0 when there is none). */
export function lazyfreeEffort(
  server: ServerState,
  db: number,
  key: Uint8Array,
  nowMs: number,
): number {
  const { engine } = server;
  const tag = engine.typeOf(db, key, nowMs);
  if (tag < 0) return 0;
  switch (tag) {
    case ValueType.List:
      return listCheck(engine, db, key, nowMs);
    case ValueType.Set:
      return collectionEncoding(engine, tag, db, key, nowMs) === "hashtable"
        ? setCardinality(engine, db, key, nowMs)
        : 1;
    case ValueType.Hash:
      return collectionEncoding(engine, tag, db, key, nowMs) === "hashtable"
        ? hashLength(engine, db, key, nowMs)
        : 1;
    case ValueType.Zset:
      return collectionEncoding(engine, tag, db, key, nowMs) === "skiplist"
        ? zsetCard(engine, db, key, nowMs)
        : 1;
    case ValueType.Stream: {
      const stream = streamRead(engine, db, key, nowMs);
      if (stream === null) return 1;
      let effort = stream.nodeCount;
      const first = stream.groups.values().next();
      if (!first.done) effort += stream.groups.size * (1 + first.value.pel.size);
      return effort;
    }
    default:
      return 1;
  }
}

/**
 * Counts the value at `key` about to be deleted lazily (UNLINK, DEL under
 * lazyfree-lazy-user-del, an eviction under lazyfree-lazy-eviction), as Redis's freeObjAsync.
 */
export function countLazyfreeOfKey(
  server: ServerState,
  db: number,
  key: Uint8Array,
  nowMs: number,
): void {
  if (lazyfreeEffort(server, db, key, nowMs) > LAZYFREE_THRESHOLD) server.stats.lazyfreedObjects++;
}

/**
 * Empties `db` asynchronously (emptyDbAsync): the database is empty at once, its keys go to the
 * engine's lazy-free queue; lazyfreed_objects counts them all at once. A running
 * snapshot must have been finished first (the saver's pre-write hook does it for FLUSHDB /
 * FLUSHALL): the queue's memory is never read again.
 */
export function flushDbLazily(server: ServerState, db: number): void {
  server.stats.lazyfreedObjects += server.engine.dbSize(db);
  server.engine.flushDbAsync(db);
  server.lazyFree.kick();
}

/** FLUSHALL ASYNC: every logical database, as flushDbLazily. */
export function flushAllLazily(server: ServerState): void {
  for (let db = 0; db < DB_COUNT; db++) server.stats.lazyfreedObjects += server.engine.dbSize(db);
  server.engine.flushAllAsync();
  server.lazyFree.kick();
}
