// dict.ts — the keyspace hash tables: 16 databases of entries (entry.ts), incremental
// rehashing, the per-database TTL index, SCAN's bucket groups and random picks.
//
// Each database is a fixed 64-byte record in static memory, so SWAPDB swaps two records and
// the entries never move. A database has up to two bucket arrays (power-of-two sizes,
// chaining through `next`): table0 is the live one; while rehashing, table1 is the new one,
// buckets of table0 below rehashIndex have been moved and every insert goes to table1. Write
// operations move REHASH_STEP_BUCKETS buckets; the host moves more through rehashStep.
//
// Database record (64 bytes)
//
//   0 table0Ptr u32 │ 4 table0Mask u32 │ 8 table1Ptr u32 │ 12 table1Mask u32
//   16 rehashIndex i32 (-1 = not rehashing) │ 20 keyCount u32
//   24 expiresPtr u32 │ 28 expiresCount u32 │ 32 expiresCapacity u32 │ 36..63 reserved
//
// Entries (entry.ts) chain through their `next` word; the bucket arrays are u32 arrays of
// entry addresses. This module links, finds and unlinks entries and never looks at values:
// freeing an entry's value is the keyspace's job (keyspace.ts, through values.ts), done before
// the entry goes.
//
// TTL index: per database a dense array of entry pointers for the entries with a TTL;
// entry.expiresIndex is the entry's slot. Add appends, remove swaps the last slot in, so
// EXPIRE/PERSIST are O(1) and active expiry samples uniformly by random index — the role
// Redis gives its `expires` dict.
//
// Resizing follows Redis's rules: grow to the next power of two ≥ keyCount+1 when keyCount
// reaches the bucket count; shrink to the next power of two ≥ keyCount when fewer than 1/8
// of buckets would be used. A failed bucket allocation only postpones the resize.

import { DB_SLOT_COUNT } from "./abi";
import { stampForNewEntry } from "./access";
import { BUCKET_COUNT_MIN, bucketCountFor, bytesEqual, reverseIncrement } from "./bytes";
import {
  ENTRY_EXPIRE_AT,
  ENTRY_EXPIRES_INDEX,
  ENTRY_HASH,
  ENTRY_HEADER_SIZE_BYTES,
  ENTRY_KEY_LEN,
  ENTRY_LRU_CLOCK,
  ENTRY_NEXT,
  ENTRY_SNAPSHOT_MARKS,
  ENTRY_TYPE,
  ENTRY_VALUE_LEN,
  ENTRY_VALUE_PTR,
  entryExpireAtMs,
  entryHash,
  entryKeyLen,
  entryKeyPtr,
  entryNext,
} from "./entry";
import { alloc, free, realloc } from "./pages";
import { nextRandom, randomBelow } from "./random";

const DB_RECORD_SIZE_BYTES: usize = 64;
const DB_TABLE0_PTR: usize = 0;
const DB_TABLE0_MASK: usize = 4;
const DB_TABLE1_PTR: usize = 8;
const DB_TABLE1_MASK: usize = 12;
const DB_REHASH_INDEX: usize = 16;
const DB_KEY_COUNT: usize = 20;
const DB_EXPIRES_PTR: usize = 24;
const DB_EXPIRES_COUNT: usize = 28;
const DB_EXPIRES_CAPACITY: usize = 32;

/** Buckets moved per write operation (Redis moves one per operation). */
export const REHASH_STEP_BUCKETS: u32 = 1;
/** Empty buckets a rehash step may skip per bucket it was asked to move. */
const REHASH_EMPTY_VISITS_PER_STEP: u32 = 10;

const dbRecords: usize = memory.data(<i32>(DB_SLOT_COUNT * <u32>DB_RECORD_SIZE_BYTES), 16);

// ── Database record accessors ───────────────────────────────────────────────────────────

@inline export function dbRecord(db: u32): usize {
  return dbRecords + <usize>db * DB_RECORD_SIZE_BYTES;
}
@inline export function table0Ptr(d: usize): usize {
  return <usize>load<u32>(d, DB_TABLE0_PTR);
}
@inline export function table0Mask(d: usize): u32 {
  return load<u32>(d, DB_TABLE0_MASK);
}
@inline export function table1Ptr(d: usize): usize {
  return <usize>load<u32>(d, DB_TABLE1_PTR);
}
@inline export function table1Mask(d: usize): u32 {
  return load<u32>(d, DB_TABLE1_MASK);
}
@inline function rehashIndex(d: usize): i32 {
  return load<i32>(d, DB_REHASH_INDEX);
}
@inline export function isRehashing(d: usize): bool {
  return load<i32>(d, DB_REHASH_INDEX) >= 0;
}
@inline export function keyCount(d: usize): u32 {
  return load<u32>(d, DB_KEY_COUNT);
}
@inline export function expiresCount(d: usize): u32 {
  return load<u32>(d, DB_EXPIRES_COUNT);
}
@inline function expiresPtr(d: usize): usize {
  return <usize>load<u32>(d, DB_EXPIRES_PTR);
}

/** Resets every database record to "empty, no tables" (memory is not freed). */
export function initDatabases(): void {
  for (let db: u32 = 0; db < DB_SLOT_COUNT; db++) resetRecord(dbRecord(db));
}

function resetRecord(d: usize): void {
  memory.fill(d, 0, DB_RECORD_SIZE_BYTES);
  store<i32>(d, -1, DB_REHASH_INDEX);
}

export function swapRecords(a: u32, b: u32): void {
  const ra = dbRecord(a);
  const rb = dbRecord(b);
  for (let offset: usize = 0; offset < DB_RECORD_SIZE_BYTES; offset += 8) {
    const t = load<u64>(ra + offset);
    store<u64>(ra + offset, load<u64>(rb + offset));
    store<u64>(rb + offset, t);
  }
}

// ── Entries ─────────────────────────────────────────────────────────────────────────────

/** Current snapshot epoch of each slot (slot s in bits 8s..8s+7); see snapshot.ts. */
let snapshotEpochs: u16 = 0;

export function currentSnapshotEpochs(): u16 {
  return snapshotEpochs;
}

export function setSnapshotEpochs(epochs: u16): void {
  snapshotEpochs = epochs;
}

/** Allocates an entry holding a copy of the key; value empty, no TTL. 0 on OOM. */
export function allocEntry(keyPtr: usize, keyLen: u32, hash: u32): usize {
  const e = alloc(ENTRY_HEADER_SIZE_BYTES + <usize>keyLen);
  if (e == 0) return 0;
  store<i64>(e, 0, ENTRY_EXPIRE_AT);
  store<u32>(e, 0, ENTRY_NEXT);
  store<u32>(e, hash, ENTRY_HASH);
  store<u32>(e, keyLen, ENTRY_KEY_LEN);
  store<u32>(e, 0, ENTRY_VALUE_PTR);
  store<u32>(e, 0, ENTRY_VALUE_LEN);
  store<u32>(e, 0, ENTRY_EXPIRES_INDEX);
  store<u32>(e, stampForNewEntry(), ENTRY_LRU_CLOCK);
  store<u16>(e, 0, ENTRY_TYPE); // type, flags
  store<u16>(e, snapshotEpochs, ENTRY_SNAPSHOT_MARKS);
  memory.copy(e + ENTRY_HEADER_SIZE_BYTES, keyPtr, keyLen);
  return e;
}

// ── Lookup, insert, unlink ──────────────────────────────────────────────────────────────

@inline function entryMatches(e: usize, keyPtr: usize, keyLen: u32, hash: u32): bool {
  return entryHash(e) == hash && entryKeyLen(e) == keyLen &&
    bytesEqual(entryKeyPtr(e), keyPtr, keyLen);
}

/** Entry for the key in database record d, or 0. */
export function findEntry(d: usize, keyPtr: usize, keyLen: u32, hash: u32): usize {
  const t0 = table0Ptr(d);
  if (t0 == 0) return 0;
  const index0 = hash & table0Mask(d);
  const rehash = rehashIndex(d);
  if (rehash < 0 || index0 >= <u32>rehash) {
    let e = <usize>load<u32>(t0 + (<usize>index0 << 2));
    while (e != 0) {
      if (entryMatches(e, keyPtr, keyLen, hash)) return e;
      e = entryNext(e);
    }
  }
  if (rehash >= 0) {
    let e = <usize>load<u32>(table1Ptr(d) + (<usize>(hash & table1Mask(d)) << 2));
    while (e != 0) {
      if (entryMatches(e, keyPtr, keyLen, hash)) return e;
      e = entryNext(e);
    }
  }
  return 0;
}

/** Allocates table0 for an empty database. False on OOM. */
export function ensureTable(d: usize): bool {
  if (table0Ptr(d) != 0) return true;
  const sizeBytes = <usize>BUCKET_COUNT_MIN << 2;
  const t = alloc(sizeBytes);
  if (t == 0) return false;
  memory.fill(t, 0, sizeBytes);
  store<u32>(d, <u32>t, DB_TABLE0_PTR);
  store<u32>(d, BUCKET_COUNT_MIN - 1, DB_TABLE0_MASK);
  return true;
}

/** Links an entry (not present yet) into d; table0 must exist. */
export function insertEntry(d: usize, e: usize): void {
  const hash = entryHash(e);
  let bucket: usize;
  if (isRehashing(d)) bucket = table1Ptr(d) + (<usize>(hash & table1Mask(d)) << 2);
  else {
    assert(table0Ptr(d) != 0);
    bucket = table0Ptr(d) + (<usize>(hash & table0Mask(d)) << 2);
  }
  store<u32>(e, load<u32>(bucket), ENTRY_NEXT);
  store<u32>(bucket, <u32>e);
  store<u32>(d, keyCount(d) + 1, DB_KEY_COUNT);
}

/** Removes e from d's chains and TTL index; frees nothing. */
export function unlinkEntry(d: usize, e: usize): void {
  const hash = entryHash(e);
  let link: usize = 0;
  const index0 = hash & table0Mask(d);
  const rehash = rehashIndex(d);
  if (rehash < 0 || index0 >= <u32>rehash) link = findLink(table0Ptr(d) + (<usize>index0 << 2), e);
  if (link == 0 && rehash >= 0) {
    link = findLink(table1Ptr(d) + (<usize>(hash & table1Mask(d)) << 2), e);
  }
  assert(link != 0);
  store<u32>(link, load<u32>(e, ENTRY_NEXT));
  const count = keyCount(d);
  assert(count > 0);
  store<u32>(d, count - 1, DB_KEY_COUNT);
  if (entryExpireAtMs(e) != 0) removeExpire(d, e);
}

function findLink(bucket: usize, target: usize): usize {
  let link = bucket;
  let e = <usize>load<u32>(link);
  while (e != 0) {
    if (e == target) return link;
    link = e + ENTRY_NEXT;
    e = <usize>load<u32>(link);
  }
  return 0;
}

// ── SCAN cursor groups ──────────────────────────────────────────────────────────────────

// The buckets one SCAN cursor value stands for: a bucket of table0, or while rehashing a
// bucket of the smaller table and every bucket of the larger one it expands to (Redis's
// dictScan). An iterator, since that expansion can be large after a shrink: bucketGroupFirst,
// then bucketGroupNext until it returns 0, then bucketGroupCursor is the next cursor. One
// walk at a time (SCAN and the snapshot walk never nest).
let groupBig: usize = 0;
let groupBigMask: u32 = 0;
let groupSmallMask: u32 = 0;
let groupCursor: u32 = 0;
let groupLeft: bool = false;

/** The group's first bucket address for cursor v in database record d (table0 must exist). */
export function bucketGroupFirst(d: usize, v: u32): usize {
  if (!isRehashing(d)) {
    const mask = table0Mask(d);
    groupCursor = reverseIncrement(v, mask);
    groupLeft = false;
    return table0Ptr(d) + (<usize>(v & mask) << 2);
  }
  let small = table0Ptr(d);
  let smallMask = table0Mask(d);
  let big = table1Ptr(d);
  let bigMask = table1Mask(d);
  if (smallMask > bigMask) {
    small = table1Ptr(d);
    smallMask = table1Mask(d);
    big = table0Ptr(d);
    bigMask = table0Mask(d);
  }
  groupBig = big;
  groupBigMask = bigMask;
  groupSmallMask = smallMask;
  groupCursor = v;
  groupLeft = true;
  return small + (<usize>(v & smallMask) << 2);
}

/** The group's next bucket address, or 0 when the group is done. */
export function bucketGroupNext(): usize {
  if (!groupLeft) return 0;
  const bucket = groupBig + (<usize>(groupCursor & groupBigMask) << 2);
  groupCursor = reverseIncrement(groupCursor, groupBigMask);
  groupLeft = (groupCursor & (groupSmallMask ^ groupBigMask)) != 0;
  return bucket;
}

/** The cursor after the group, once bucketGroupNext has returned 0. */
export function bucketGroupCursor(): u32 {
  return groupCursor;
}

// ── Resizing ────────────────────────────────────────────────────────────────────────────

/** Starts rehashing into a table sized for targetCount; silently skipped on OOM. */
function startResize(d: usize, targetCount: u32): void {
  assert(!isRehashing(d));
  const size = bucketCountFor(targetCount);
  if (size == table0Mask(d) + 1) return;
  const sizeBytes = <usize>size << 2;
  const t = alloc(sizeBytes);
  if (t == 0) return;
  memory.fill(t, 0, sizeBytes);
  store<u32>(d, <u32>t, DB_TABLE1_PTR);
  store<u32>(d, size - 1, DB_TABLE1_MASK);
  store<i32>(d, 0, DB_REHASH_INDEX);
}

/** After an insert: grow when the load factor reaches 1. */
export function maybeGrow(d: usize): void {
  if (isRehashing(d)) return;
  const count = keyCount(d);
  if (count >= table0Mask(d) + 1) startResize(d, count + 1);
}

/** After a delete: shrink when under 1/8 full. An empty database drops its table. */
export function maybeShrink(d: usize): void {
  if (isRehashing(d) || table0Ptr(d) == 0) return;
  const count = keyCount(d);
  const size = table0Mask(d) + 1;
  if (count == 0 && expiresCount(d) == 0) {
    free(table0Ptr(d));
    freeExpires(d);
    resetRecord(d);
    return;
  }
  if (size > BUCKET_COUNT_MIN && count < (size >> 3)) startResize(d, count);
}

/** Moves up to `steps` non-empty buckets from table0 to table1. True if rehashing remains. */
export function rehashSteps(d: usize, steps: u32): bool {
  let index = rehashIndex(d);
  if (index < 0) return false;
  const t0 = table0Ptr(d);
  const t1 = table1Ptr(d);
  const mask1 = table1Mask(d);
  const size0 = table0Mask(d) + 1;
  let emptyVisits = steps * REHASH_EMPTY_VISITS_PER_STEP;
  let moved: u32 = 0;
  while (moved < steps && <u32>index < size0) {
    const bucket = t0 + (<usize>index << 2);
    let e = <usize>load<u32>(bucket);
    if (e == 0) {
      index++;
      if (--emptyVisits == 0) break;
      continue;
    }
    while (e != 0) {
      const next = entryNext(e);
      const target = t1 + (<usize>(entryHash(e) & mask1) << 2);
      store<u32>(e, load<u32>(target), ENTRY_NEXT);
      store<u32>(target, <u32>e);
      e = next;
    }
    store<u32>(bucket, 0);
    index++;
    moved++;
  }
  if (<u32>index >= size0) {
    free(t0);
    store<u32>(d, <u32>t1, DB_TABLE0_PTR);
    store<u32>(d, mask1, DB_TABLE0_MASK);
    store<u32>(d, 0, DB_TABLE1_PTR);
    store<u32>(d, 0, DB_TABLE1_MASK);
    store<i32>(d, -1, DB_REHASH_INDEX);
    return false;
  }
  store<i32>(d, index, DB_REHASH_INDEX);
  return true;
}

// ── TTL index ───────────────────────────────────────────────────────────────────────────

/** Makes room for `extra` more TTL slots. False on OOM (nothing changed). */
export function ensureExpiresCapacity(d: usize, extra: u32): bool {
  const count = expiresCount(d);
  const capacity = load<u32>(d, DB_EXPIRES_CAPACITY);
  if (count + extra <= capacity) return true;
  let newCapacity: u32 = capacity < 16 ? 16 : capacity * 2;
  if (newCapacity < count + extra) newCapacity = count + extra;
  const fresh = realloc(expiresPtr(d), <usize>count << 2, <usize>newCapacity << 2);
  if (fresh == 0) return false;
  store<u32>(d, <u32>fresh, DB_EXPIRES_PTR);
  store<u32>(d, newCapacity, DB_EXPIRES_CAPACITY);
  return true;
}

/** Records e (expireAtMs already non-zero) in the TTL index; capacity must be ensured. */
function addExpire(d: usize, e: usize): void {
  const count = expiresCount(d);
  assert(count < load<u32>(d, DB_EXPIRES_CAPACITY));
  store<u32>(expiresPtr(d) + (<usize>count << 2), <u32>e);
  store<u32>(e, count, ENTRY_EXPIRES_INDEX);
  store<u32>(d, count + 1, DB_EXPIRES_COUNT);
}

/** Removes e from the TTL index (swap with the last slot); expireAtMs is left to the caller. */
function removeExpire(d: usize, e: usize): void {
  const count = expiresCount(d);
  assert(count > 0);
  const index = load<u32>(e, ENTRY_EXPIRES_INDEX);
  assert(index < count);
  const base = expiresPtr(d);
  assert(<usize>load<u32>(base + (<usize>index << 2)) == e);
  const last = <usize>load<u32>(base + (<usize>(count - 1) << 2));
  store<u32>(base + (<usize>index << 2), <u32>last);
  store<u32>(last, index, ENTRY_EXPIRES_INDEX);
  store<u32>(d, count - 1, DB_EXPIRES_COUNT);
  // Give memory back when the index is mostly empty (failure to shrink is harmless).
  const capacity = load<u32>(d, DB_EXPIRES_CAPACITY);
  if (capacity > 64 && (count - 1) < (capacity >> 2)) {
    const newCapacity = capacity >> 1;
    const fresh = realloc(base, <usize>(count - 1) << 2, <usize>newCapacity << 2);
    if (fresh != 0) {
      store<u32>(d, <u32>fresh, DB_EXPIRES_PTR);
      store<u32>(d, newCapacity, DB_EXPIRES_CAPACITY);
    }
  }
}

/** Entry at TTL index slot i. */
@inline export function expiresAt(d: usize, i: u32): usize {
  return <usize>load<u32>(expiresPtr(d) + (<usize>i << 2));
}

function freeExpires(d: usize): void {
  free(expiresPtr(d));
  store<u32>(d, 0, DB_EXPIRES_PTR);
  store<u32>(d, 0, DB_EXPIRES_COUNT);
  store<u32>(d, 0, DB_EXPIRES_CAPACITY);
}

/** Sets or clears e's TTL, keeping the TTL index in step. Capacity must be ensured to add. */
export function setEntryExpire(d: usize, e: usize, expireAtMs: i64): void {
  const had = entryExpireAtMs(e) != 0;
  store<i64>(e, expireAtMs, ENTRY_EXPIRE_AT);
  if (expireAtMs != 0 && !had) addExpire(d, e);
  else if (expireAtMs == 0 && had) removeExpire(d, e);
}

// ── Whole-database operations ───────────────────────────────────────────────────────────

/**
 * Frees d's bucket arrays and TTL index and leaves it empty. Its entries must be gone already
 * (keyspace.ts clearDatabase frees them with their values, bucket by bucket, first).
 */
export function releaseDatabase(d: usize): void {
  free(table0Ptr(d));
  if (isRehashing(d)) free(table1Ptr(d));
  freeExpires(d);
  resetRecord(d);
}

/**
 * Frees d's TTL index and leaves it empty without touching its bucket arrays or entries: the
 * caller has taken them (keyspace.ts detachDatabase hands them to lazyfree.ts). O(1).
 */
export function forgetTables(d: usize): void {
  freeExpires(d);
  resetRecord(d);
}

/** Random bucket probes before randomEntry falls back to a walk. */
const RANDOM_BUCKET_PROBES_MAX: u32 = 1000;

/** Some entry of a non-empty database: random non-empty bucket, random chain position. */
export function randomEntry(d: usize): usize {
  for (let probe: u32 = 0; probe < RANDOM_BUCKET_PROBES_MAX; probe++) {
    let bucket: usize;
    if (isRehashing(d)) {
      const rehash = <u32>rehashIndex(d);
      const pending0 = table0Mask(d) + 1 - rehash;
      const r = randomBelow(pending0 + table1Mask(d) + 1);
      bucket = r < pending0
        ? table0Ptr(d) + (<usize>(rehash + r) << 2)
        : table1Ptr(d) + (<usize>(r - pending0) << 2);
    } else {
      bucket = table0Ptr(d) + (<usize>(<u32>nextRandom() & table0Mask(d)) << 2);
    }
    const first = <usize>load<u32>(bucket);
    if (first == 0) continue;
    let chainLen: u32 = 0;
    for (let e = first; e != 0; e = entryNext(e)) chainLen++;
    let e = first;
    for (let skip = randomBelow(chainLen); skip > 0; skip--) e = entryNext(e);
    return e;
  }
  // Very sparse table: the first entry found by a full walk.
  for (let t: u32 = 0; t < 2; t++) {
    const table = t == 0 ? table0Ptr(d) : table1Ptr(d);
    const mask = t == 0 ? table0Mask(d) : table1Mask(d);
    if (table == 0) continue;
    for (let i: u32 = 0; i <= mask; i++) {
      const e = <usize>load<u32>(table + (<usize>i << 2));
      if (e != 0) return e;
    }
  }
  assert(false);
  return 0;
}
