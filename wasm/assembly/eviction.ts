// eviction.ts — the engine half of maxmemory: which key to evict next (evictionCandidate) and
// OBJECT IDLETIME / FREQ (accessInfo), over the access stamps access.ts keeps in every entry.
//
// The engine only chooses: the host deletes the chosen key as a DEL command would
// (core/state/eviction.ts), so a running snapshot, replicas and the AOF all see the deletion.
//
//   eviction pool (static; Redis's EVPOOL_SIZE slots, ascending by score, best last)
//   ┌──────────┬────────┬──────────────────┬──────────────┬─────────┐
//   │ score f64│ db u32 │ key copy ptr u32 │ keyLen u32   │ pad u32 │   24 bytes per slot
//   └──────────┴────────┴──────────────────┴──────────────┴─────────┘

import {
  ACCESS_MODE_LFU,
  DB_COUNT,
  EVICT_ALLKEYS_LFU,
  EVICT_ALLKEYS_LRU,
  EVICT_ALLKEYS_RANDOM,
  EVICT_VOLATILE_LFU,
  EVICT_VOLATILE_LRU,
  EVICT_VOLATILE_RANDOM,
  RESULT_CURSOR,
  STATUS_MISSING,
} from "./abi";
import {
  decayedCounter,
  getAccessMode,
  idleMs,
  noteClock,
  stampFromAccessInfo,
} from "./access";
import { resultCells, setResultPtr, stagingPtr } from "./boundary";
import { hashBytes } from "./bytes";
import { dbRecord, expiresAt, expiresCount, findEntry, keyCount, randomEntry } from "./dict";
import {
  entryExpireAtMs,
  entryKeyLen,
  entryKeyPtr,
  entryLruClock,
  setEntryLruClock,
} from "./entry";
import { checkDb, isExpired } from "./keyspace";
import { alloc, free } from "./pages";
import { randomBelow } from "./random";

/** Next database the random policies start from, so they spread over databases. */
let evictNextDb: u32 = 0;

/**
 * The key maxmemory should evict next under `policy`: Redis's approximation, sampling
 * `samples` keys per database (all keys, or only those with a TTL for volatile-*) into a pool
 * of the best candidates seen so far — longest idle (LRU), least frequently used (LFU),
 * soonest to expire (TTL) — and taking the best; for the random policies, a random key of the
 * next database that has one. The key is not
 * deleted here: the host deletes it as a command would, so snapshots, replicas and the AOF see
 * a DEL. Returns the key length (key address in cell ptr, database in cell cursor) or
 * STATUS_MISSING when no key qualifies.
 */
export function evictionCandidate(policy: u32, samples: u32, nowMs: f64): i32 {
  noteClock(<i64>nowMs);
  const volatile = policy >= EVICT_VOLATILE_LRU;
  if (policy == EVICT_ALLKEYS_RANDOM || policy == EVICT_VOLATILE_RANDOM) {
    for (let visited: u32 = 0; visited < DB_COUNT; visited++) {
      const db = (evictNextDb + visited) % DB_COUNT;
      const d = dbRecord(db);
      const candidates = volatile ? expiresCount(d) : keyCount(d);
      if (candidates == 0) continue;
      evictNextDb = (db + 1) % DB_COUNT;
      return reportCandidate(db, volatile ? expiresAt(d, randomBelow(candidates)) : randomEntry(d));
    }
    return STATUS_MISSING;
  }
  if (policy != evictionPoolPolicy) {
    clearEvictionPool();
    evictionPoolPolicy = policy;
  }
  // As Redis: sample every database into the pool, then take the best candidate that still
  // exists (pool entries are key copies; the key may have gone since it was sampled).
  for (let round: u32 = 0; round < EVICTION_ROUNDS_MAX; round++) {
    let sampledAny = false;
    for (let db: u32 = 0; db < DB_COUNT; db++) {
      const d = dbRecord(db);
      const candidates = volatile ? expiresCount(d) : keyCount(d);
      if (candidates == 0) continue;
      sampledAny = true;
      for (let s: u32 = 0; s < samples; s++) {
        const e = volatile ? expiresAt(d, randomBelow(expiresCount(d))) : randomEntry(d);
        poolOffer(db, e, evictionScore(policy, e));
      }
    }
    if (!sampledAny) return STATUS_MISSING;
    while (evictionPoolCount > 0) {
      evictionPoolCount--;
      const slot = evictionPool + <usize>evictionPoolCount * POOL_SLOT_BYTES;
      const db = load<u32>(slot, POOL_DB);
      const keyPtr = <usize>load<u32>(slot, POOL_KEY_PTR);
      const keyLen = load<u32>(slot, POOL_KEY_LEN);
      const e = findEntry(dbRecord(db), keyPtr, keyLen, hashBytes(keyPtr, keyLen));
      free(keyPtr);
      if (e == 0 || (volatile && entryExpireAtMs(e) == 0)) continue;
      return reportCandidate(db, e);
    }
  }
  return STATUS_MISSING;
}

/** Redis's EVPOOL_SIZE: candidates kept across evictions, ascending by score (best last). */
const EVICTION_POOL_SIZE: u32 = 16;
/** Slot: score f64 │ db u32 │ key copy ptr u32 │ key length u32 │ pad u32. */
const POOL_SLOT_BYTES: usize = 24;
const POOL_SCORE: usize = 0;
const POOL_DB: usize = 8;
const POOL_KEY_PTR: usize = 12;
const POOL_KEY_LEN: usize = 16;
/** Sample-then-pick rounds before giving up (every pooled key may have gone meanwhile). */
const EVICTION_ROUNDS_MAX: u32 = 8;
const evictionPool: usize = memory.data(<i32>(EVICTION_POOL_SIZE * <u32>POOL_SLOT_BYTES), 8);
let evictionPoolCount: u32 = 0;
/** The policy the pooled scores were computed for. */
let evictionPoolPolicy: u32 = 0;

function reportCandidate(db: u32, e: usize): i32 {
  store<u32>(resultCells, db, RESULT_CURSOR);
  setResultPtr(entryKeyPtr(e));
  return <i32>entryKeyLen(e);
}

/** Higher is a better candidate: longest idle, least used, or soonest to expire. */
function evictionScore(policy: u32, e: usize): f64 {
  const stamp = entryLruClock(e);
  if (policy == EVICT_ALLKEYS_LRU || policy == EVICT_VOLATILE_LRU) return idleMs(stamp);
  if (policy == EVICT_ALLKEYS_LFU || policy == EVICT_VOLATILE_LFU) {
    return <f64>(255 - decayedCounter(stamp));
  }
  return 9007199254740991.0 - <f64>entryExpireAtMs(e); // volatile-ttl
}

/** Inserts a sampled key in score order unless the pool is full of better ones (or has it). */
function poolOffer(db: u32, e: usize, score: f64): void {
  const keyPtr = entryKeyPtr(e);
  const keyLen = entryKeyLen(e);
  const full = evictionPoolCount == EVICTION_POOL_SIZE;
  if (full && score <= load<f64>(evictionPool, POOL_SCORE)) return;
  for (let i: u32 = 0; i < evictionPoolCount; i++) {
    const slot = evictionPool + <usize>i * POOL_SLOT_BYTES;
    if (
      load<u32>(slot, POOL_DB) == db && load<u32>(slot, POOL_KEY_LEN) == keyLen &&
      memory.compare(<usize>load<u32>(slot, POOL_KEY_PTR), keyPtr, keyLen) == 0
    ) return;
  }
  const copy = alloc(keyLen > 0 ? <usize>keyLen : 1);
  if (copy == 0) return;
  memory.copy(copy, keyPtr, keyLen);
  if (full) {
    // Drop the worst (slot 0) to make room.
    free(<usize>load<u32>(evictionPool, POOL_KEY_PTR));
    memory.copy(evictionPool, evictionPool + POOL_SLOT_BYTES, <usize>(EVICTION_POOL_SIZE - 1) * POOL_SLOT_BYTES);
    evictionPoolCount--;
  }
  let at = evictionPoolCount;
  while (at > 0 && load<f64>(evictionPool + <usize>(at - 1) * POOL_SLOT_BYTES, POOL_SCORE) > score) {
    at--;
  }
  const slot = evictionPool + <usize>at * POOL_SLOT_BYTES;
  memory.copy(slot + POOL_SLOT_BYTES, slot, <usize>(evictionPoolCount - at) * POOL_SLOT_BYTES);
  store<f64>(slot, score, POOL_SCORE);
  store<u32>(slot, db, POOL_DB);
  store<u32>(slot, <u32>copy, POOL_KEY_PTR);
  store<u32>(slot, keyLen, POOL_KEY_LEN);
  evictionPoolCount++;
}

function clearEvictionPool(): void {
  for (let i: u32 = 0; i < evictionPoolCount; i++) {
    free(<usize>load<u32>(evictionPool + <usize>i * POOL_SLOT_BYTES, POOL_KEY_PTR));
  }
  evictionPoolCount = 0;
}

/**
 * OBJECT IDLETIME / FREQ without touching the key: idle milliseconds in LRU mode, the decayed
 * LFU counter in LFU mode; -1 when the key is missing.
 */
export function accessInfo(db: u32, keyLen: u32, nowMs: f64): f64 {
  const d = checkDb(db);
  noteClock(<i64>nowMs);
  const e = findEntry(d, stagingPtr(), keyLen, hashBytes(stagingPtr(), keyLen));
  if (e == 0 || isExpired(e, <i64>nowMs)) return -1;
  const stamp = entryLruClock(e);
  return getAccessMode() == ACCESS_MODE_LFU ? <f64>decayedCounter(stamp) : idleMs(stamp);
}

/**
 * RESTORE … IDLETIME s (LRU mode) / FREQ f (LFU mode): sets the key's access stamp as if it was
 * last used s seconds ago / with counter f. Returns 0, or -1 when the key is missing.
 */
export function setAccessInfo(db: u32, keyLen: u32, nowMs: f64, value: f64): i32 {
  const d = checkDb(db);
  noteClock(<i64>nowMs);
  const e = findEntry(d, stagingPtr(), keyLen, hashBytes(stagingPtr(), keyLen));
  if (e == 0 || isExpired(e, <i64>nowMs)) return -1;
  setEntryLruClock(e, stampFromAccessInfo(value));
  return 0;
}
