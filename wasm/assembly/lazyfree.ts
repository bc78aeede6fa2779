// lazyfree.ts — the lazy-free queue: memory that left the keyspace but is freed later, in
// bounded steps, so that FLUSHALL ASYNC, UNLINK of a big collection and the lazyfree-lazy-*
// deletions cost the command O(1) instead of O(elements). Redis hands the same work to a
// background thread (lazyfree.c); we have one thread, so the host calls lazyFreeStep between
// event-loop turns (core/state/lazyfree_queue.ts) and commands are served in between.
//
// Two kinds of job sit on one FIFO list of 32-byte records allocated from pages.ts:
//
//   job record (JOB_SIZE_BYTES)
//   ┌──────────┬──────┬──────┬──────┬──────────┬──────────┬──────────┬──────────┬──────────┬─────┐
//   │ next u32 │kind  │type  │ pad  │ ptr u32  │ word u32 │ ptr2 u32 │ mask2 u32│cursor u32│ pad │
//   │ (0 last) │u8    │u8    │ 2 B  │          │          │          │          │          │ 4 B │
//   └──────────┴──────┴──────┴──────┴──────────┴──────────┴──────────┴──────────┴──────────┴─────┘
//    0          4      5      6      8          12         16         20         24         28
//
//   JOB_DATABASE  a flushed database's bucket arrays: ptr/word = the array being freed and its
//                 mask, ptr2/mask2 = the second array when it was rehashing (0 = none), cursor
//                 = next bucket. The chain of a bucket cut by the budget is written back into
//                 its slot, so a step resumes mid-chain. Detaching is O(1): the database
//                 record is reset, its TTL index freed (one block), the arrays kept here.
//   JOB_VALUE     one value whose free effort exceeds LAZYFREE_THRESHOLD: type, ptr = valuePtr,
//                 word = valueLen, cursor = next bucket (hash / set tables) or next node (list).
//                 A zset skiplist is consumed from its header's level-0 link instead.
//
// Effort is Redis's lazyfreeGetFreeEffort: a hashtable hash or set, a skiplist zset, its
// element count; a list its node count (counted here up to the threshold only, so deciding is
// O(1)); anything else 1 (a stream is a host handle: nothing of it is freed here). Smaller
// values are freed at once, as Redis does; a value found big inside a flushed database becomes
// a JOB_VALUE of its own, so one step never frees a whole big value.
//
// Counting (INFO lazyfree_pending_objects / lazyfreed_objects, as Redis): a flushed database
// adds its key count to the pending objects, a value 1; each key or value leaves the pending
// count and joins the freed count when its memory is actually freed (a key whose big value
// moved to its own job stays pending until that job ends).
//
// Snapshots never read from here: a running snapshot serializes a key before any write changes
// it, and the whole keyspace before a flush or a swap (core/persistence/cow_snapshot.ts), so
// everything on the queue has been written already or was never part of a snapshot. Pending
// bytes stay allocated, so getUsedBytes (INFO used_memory, maxmemory) keeps counting them
// until the step that frees them.
//
// A job record that cannot be allocated (OOM) is no failure: the memory is freed at once.

import {
  LAZYFREE_MODE_EXPIRE,
  LAZYFREE_MODE_SERVER_DEL,
  SET_ENC_TABLE,
  TYPE_HASH,
  TYPE_LIST,
  TYPE_SET,
  TYPE_ZSET,
} from "./abi";
import { CHAIN_NEXT } from "./chain";
import { entryNext, entryType, entryValueLen, entryValuePtr, setEntryValue } from "./entry";
import { isTable } from "./hash_listpack";
import { tableBucket, tableCount as hashTableCount, tableMask as hashTableMask } from "./hash_table";
import { nodeNext as listNodeNext } from "./list_quicklist";
import { alloc, free } from "./pages";
import { countOf as setCountOf } from "./set_value";
import { tableBuckets as setTableBuckets, tableMask as setTableMask } from "./set_table";
import { isSkiplist, countOf as zsetCountOf } from "./zset_value";
import { forward as zsForward, zsFree, zsFreeFront } from "./zset_skiplist";
import { freeEntryValue } from "./values";

/** Redis's LAZYFREE_THRESHOLD: values whose free effort exceeds it are freed lazily. */
export const LAZYFREE_THRESHOLD: u32 = 64;
/** Bucket slots visited per unit of budget (an empty slot is cheaper than a free). */
const BUCKETS_PER_BUDGET_UNIT: u32 = 64;


const JOB_NEXT: usize = 0;
const JOB_KIND: usize = 4;
const JOB_TYPE: usize = 5;
const JOB_PTR: usize = 8;
const JOB_WORD: usize = 12;
const JOB_PTR2: usize = 16;
const JOB_MASK2: usize = 20;
const JOB_CURSOR: usize = 24;
const JOB_SIZE_BYTES: usize = 32;

const JOB_DATABASE: u8 = 1;
const JOB_VALUE: u8 = 2;

/** First and last job (0 = the queue is empty). */
let headJob: usize = 0;
let tailJob: usize = 0;
/** Keys and values on the queue (INFO lazyfree_pending_objects). */
let pendingObjectCount: u32 = 0;
/** Keys and values the queue has freed since start (INFO lazyfreed_objects, as deltas). */
let freedObjectCount: u64 = 0;
/** Which server-side deletions go through the queue (LAZYFREE_MODE_* bits). */
let lazyModes: u32 = 0;
/** Budget left in the current lazyFreeStep. */
let budgetLeft: u32 = 0;
/** Bucket slots visited since the last budget unit was charged for them. */
let bucketVisits: u32 = 0;

// ── Modes ───────────────────────────────────────────────────────────────────────────────

/** Sets which deletions are lazy: LAZYFREE_MODE_EXPIRE, LAZYFREE_MODE_SERVER_DEL bits. */
export function setLazyFreeModes(modes: u32): void {
  lazyModes = modes;
}

@inline export function lazyExpire(): bool {
  return (lazyModes & LAZYFREE_MODE_EXPIRE) != 0;
}

@inline export function lazyServerDel(): bool {
  return (lazyModes & LAZYFREE_MODE_SERVER_DEL) != 0;
}

// ── Effort ──────────────────────────────────────────────────────────────────────────────

/** Quicklist nodes of a list, counted up to `limit` (Redis's effort for a list). */
function listNodesUpTo(head: usize, limit: u32): u32 {
  let nodeCount: u32 = 0;
  for (let node = head; node != 0 && nodeCount < limit; node = listNodeNext(node)) nodeCount++;
  return nodeCount;
}

/** lazyfreeGetFreeEffort of a value; lists are counted only up to the threshold + 1. */
function freeEffort(valueType: u8, valuePtr: usize, valueLen: u32): u32 {
  if (valuePtr == 0) return 1; // strings of 0 bytes, streams (host handles)
  if (valueType == TYPE_HASH) return isTable(valueLen) ? hashTableCount(valuePtr) : 1;
  if (valueType == TYPE_SET) return valueLen == SET_ENC_TABLE ? setCountOf(valuePtr) : 1;
  if (valueType == TYPE_ZSET) return isSkiplist(valueLen) ? zsetCountOf(valueLen) : 1;
  if (valueType == TYPE_LIST) return listNodesUpTo(valuePtr, LAZYFREE_THRESHOLD + 1);
  return 1;
}

// ── Queueing ────────────────────────────────────────────────────────────────────────────

function pushJob(job: usize): void {
  store<u32>(job, 0, JOB_NEXT);
  if (tailJob == 0) headJob = job;
  else store<u32>(tailJob, <u32>job, JOB_NEXT);
  tailJob = job;
}

/** A JOB_VALUE for the value words, or 0 when no record could be allocated. */
function queueValue(valueType: u8, valuePtr: usize, valueLen: u32): usize {
  const job = alloc(JOB_SIZE_BYTES);
  if (job == 0) return 0;
  memory.fill(job, 0, JOB_SIZE_BYTES);
  store<u8>(job, JOB_VALUE, JOB_KIND);
  store<u8>(job, valueType, JOB_TYPE);
  store<u32>(job, <u32>valuePtr, JOB_PTR);
  store<u32>(job, valueLen, JOB_WORD);
  if (valueType == TYPE_LIST) store<u32>(job, <u32>valuePtr, JOB_CURSOR);
  pushJob(job);
  return job;
}

/**
 * Frees the value of entry e (already unlinked, about to be freed itself) now when its effort
 * is at most LAZYFREE_THRESHOLD, else hands it to the queue. True when it was queued.
 */
export function freeEntryValueLazily(e: usize): bool {
  const valueType = entryType(e);
  const valuePtr = entryValuePtr(e);
  const valueLen = entryValueLen(e);
  if (freeEffort(valueType, valuePtr, valueLen) <= LAZYFREE_THRESHOLD) {
    freeEntryValue(e);
    return false;
  }
  if (queueValue(valueType, valuePtr, valueLen) == 0) {
    freeEntryValue(e);
    return false;
  }
  setEntryValue(e, 0, 0, valueType); // the entry no longer owns it
  pendingObjectCount++;
  return true;
}

/**
 * Takes a database's bucket arrays (both while rehashing) holding keyCount entries. False when
 * no job record could be allocated: the caller then frees them at once.
 */
export function queueTables(table0: usize, mask0: u32, table1: usize, mask1: u32, keyCount: u32): bool {
  if (table0 == 0) {
    assert(table1 == 0);
    return true; // never had a table: nothing to free
  }
  const job = alloc(JOB_SIZE_BYTES);
  if (job == 0) return false;
  memory.fill(job, 0, JOB_SIZE_BYTES);
  store<u8>(job, JOB_DATABASE, JOB_KIND);
  store<u32>(job, <u32>table0, JOB_PTR);
  store<u32>(job, mask0, JOB_WORD);
  store<u32>(job, <u32>table1, JOB_PTR2);
  store<u32>(job, mask1, JOB_MASK2);
  pushJob(job);
  pendingObjectCount += keyCount;
  return true;
}

// ── Steps ───────────────────────────────────────────────────────────────────────────────

@inline function spend(units: u32): void {
  budgetLeft = units >= budgetLeft ? 0 : budgetLeft - units;
}

/** Charges one unit per BUCKETS_PER_BUDGET_UNIT bucket slots visited. */
@inline function visitBucket(): void {
  bucketVisits++;
  if (bucketVisits == BUCKETS_PER_BUDGET_UNIT) {
    bucketVisits = 0;
    spend(1);
  }
}

/** One keyspace entry of a flushed database: its value (now or as its own job), then it. */
function freeDetachedEntry(e: usize): void {
  const valueType = entryType(e);
  const valuePtr = entryValuePtr(e);
  const valueLen = entryValueLen(e);
  const big = freeEffort(valueType, valuePtr, valueLen) > LAZYFREE_THRESHOLD;
  if (big && queueValue(valueType, valuePtr, valueLen) != 0) {
    // Still pending as the value's job; counted freed when that job ends.
  } else {
    freeEntryValue(e);
    pendingObjectCount--;
    freedObjectCount++;
  }
  free(e);
  spend(1);
}

/** Frees entries of the job's current bucket array; true when it is done (array freed). */
function stepDatabaseTable(job: usize): bool {
  const table = <usize>load<u32>(job, JOB_PTR);
  const mask = load<u32>(job, JOB_WORD);
  let bucket = load<u32>(job, JOB_CURSOR);
  while (budgetLeft > 0 && bucket <= mask) {
    const slot = table + (<usize>bucket << 2);
    let e = <usize>load<u32>(slot);
    while (e != 0 && budgetLeft > 0) {
      const next = entryNext(e);
      freeDetachedEntry(e);
      e = next;
    }
    store<u32>(slot, <u32>e); // the rest of a chain cut by the budget
    if (e != 0) break;
    visitBucket();
    bucket++;
  }
  store<u32>(job, bucket, JOB_CURSOR);
  if (bucket <= mask) return false;
  free(table);
  return true;
}

function stepDatabase(job: usize): bool {
  while (budgetLeft > 0) {
    if (!stepDatabaseTable(job)) return false;
    const table1 = load<u32>(job, JOB_PTR2);
    if (table1 == 0) return true;
    store<u32>(job, table1, JOB_PTR);
    store<u32>(job, load<u32>(job, JOB_MASK2), JOB_WORD);
    store<u32>(job, 0, JOB_PTR2);
    store<u32>(job, 0, JOB_CURSOR);
  }
  return false;
}

/**
 * Frees chained nodes (chain.ts layout) of bucketCount buckets from the job's cursor on;
 * true when every bucket is empty.
 */
function stepChains(job: usize, buckets: usize, bucketCount: u32): bool {
  let bucket = load<u32>(job, JOB_CURSOR);
  while (budgetLeft > 0 && bucket < bucketCount) {
    const slot = buckets + (<usize>bucket << 2);
    let node = <usize>load<u32>(slot);
    while (node != 0 && budgetLeft > 0) {
      const next = <usize>load<u32>(node, CHAIN_NEXT);
      free(node);
      spend(1);
      node = next;
    }
    store<u32>(slot, <u32>node);
    if (node != 0) break;
    visitBucket();
    bucket++;
  }
  store<u32>(job, bucket, JOB_CURSOR);
  return bucket >= bucketCount;
}

/** Frees part of a big value; true when all of it is freed. */
function stepValue(job: usize): bool {
  const valueType = load<u8>(job, JOB_TYPE);
  const valuePtr = <usize>load<u32>(job, JOB_PTR);
  if (valueType == TYPE_HASH) {
    if (!stepChains(job, tableBucket(valuePtr, 0), hashTableMask(valuePtr) + 1)) return false;
    free(valuePtr);
    return true;
  }
  if (valueType == TYPE_SET) {
    const buckets = setTableBuckets(valuePtr);
    if (!stepChains(job, buckets, setTableMask(valuePtr) + 1)) return false;
    free(buckets);
    free(valuePtr);
    return true;
  }
  if (valueType == TYPE_ZSET) {
    spend(zsFreeFront(valuePtr, budgetLeft));
    if (zsForward(valuePtr, 0) != 0) return false;
    zsFree(valuePtr); // nodes gone: only the bucket array and the header are left
    return true;
  }
  assert(valueType == TYPE_LIST, "lazy free of a value type with no steps");
  let node = <usize>load<u32>(job, JOB_CURSOR);
  while (node != 0 && budgetLeft > 0) {
    const next = listNodeNext(node);
    free(node);
    spend(1);
    node = next;
  }
  store<u32>(job, <u32>node, JOB_CURSOR);
  return node == 0;
}

/**
 * Frees at most about `budget` entries, elements, nodes or (per 64) bucket slots from the
 * queue, oldest job first. Returns 1 when work remains, else 0.
 */
export function lazyFreeStep(budget: u32): i32 {
  budgetLeft = budget;
  while (headJob != 0 && budgetLeft > 0) {
    const job = headJob;
    const kind = load<u8>(job, JOB_KIND);
    let done: bool;
    if (kind == JOB_DATABASE) done = stepDatabase(job);
    else {
      assert(kind == JOB_VALUE);
      done = stepValue(job);
      if (done) {
        assert(pendingObjectCount > 0);
        pendingObjectCount--;
        freedObjectCount++;
      }
    }
    if (!done) break;
    headJob = <usize>load<u32>(job, JOB_NEXT);
    if (headJob == 0) tailJob = 0;
    free(job);
  }
  if (headJob == 0) assert(pendingObjectCount == 0);
  return headJob != 0 ? 1 : 0;
}

/** Keys and values waiting on the queue (INFO lazyfree_pending_objects). */
export function lazyFreePendingObjects(): u32 {
  return pendingObjectCount;
}

/** Keys and values the queue has freed since start; the host counts the deltas. */
export function lazyFreedObjects(): f64 {
  return <f64>freedObjectCount;
}
