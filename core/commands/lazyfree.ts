// Lazy freeing as Redis 7.0 counts it (lazyfree.c). Redis hands a deleted value whose "free
// effort" exceeds LAZYFREE_THRESHOLD to a background thread, and a flushed database's keys
// all at once; INFO's lazyfreed_objects counts what that thread freed. resplica frees every value
// at once in the engine (pages go back to its allocator immediately), so nothing is ever
// pending; the counter still moves exactly where Redis's would, so tools and tests that read it
// see Redis's numbers.
//
// Effort, as lazyfreeGetFreeEffort: a hashtable set or hash, or a skiplist zset, costs its
// element count; a list its quicklist node count; a stream its nodes plus, per consumer group,
// one plus the first group's PEL size; anything else 1. Redis reads these in O(1); the list's
// node count here walks the list (listCheck), which costs no more than the synchronous free
// that follows.

import { collectionEncoding } from "../engine/collections.ts";
import { hashLength } from "../engine/hash.ts";
import { listCheck } from "../engine/list.ts";
import { ValueType } from "../engine/mod.ts";
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
 * Counts the value at `key`, about to be deleted by UNLINK (or DEL under lazyfree-lazy-user-del,
 * or a server deletion under the matching lazyfree-lazy-* directive), as Redis's freeObjAsync.
 */
export function countLazyfreeOfKey(
  server: ServerState,
  db: number,
  key: Uint8Array,
  nowMs: number,
): void {
  if (lazyfreeEffort(server, db, key, nowMs) > LAZYFREE_THRESHOLD) server.stats.lazyfreedObjects++;
}

/** Counts a database emptied asynchronously (emptyDbAsync): every key it held. */
export function countLazyfreeOfDb(server: ServerState, db: number): void {
  server.stats.lazyfreedObjects += server.engine.dbSize(db);
}
