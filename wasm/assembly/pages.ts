// pages.ts — the engine's memory: fixed-size pages, the page table, slab size classes.
//
// Everything the keyspace allocates (entries, values, bucket arrays, the staging region JS
// writes into) lives in 64 KiB pages carved out of linear memory. All bookkeeping is per
// page and pointers never move, so a snapshot can walk live data in place while writes go on
// (see "Snapshots" below).
//
// Linear memory
//
//   0                 staticEnd            pageTableBase         pagesBase
//   ┌─────────────────┬────────────────────┬─────────────────────┬────────┬────────┬─── ─ ─
//   │ AS static data  │ (pad)              │ page table          │ page 0 │ page 1 │ …
//   │ (db records,    │                    │ MAX_PAGE_COUNT × 8 B│ 64 KiB │ 64 KiB │
//   │  result cells)  │                    │ = 512 KiB           │        │        │
//   └─────────────────┴────────────────────┴─────────────────────┴────────┴────────┴─── ─ ─
//   pagesBase is 64 KiB aligned; heap page i starts at pagesBase + (i << 16); memory.grow
//   adds whole pages at the end, so memory.size() == pagesBase / 64 KiB + heapPageCount.
//
// Page table entry (8 bytes, one per heap page index, outside the pages themselves)
//
//   ┌────────┬───────────┬─────────────┬──────────────────────────────┐
//   │ kind u8│ class u8  │ cowEpoch u16│ aux u32                      │
//   └────────┴───────────┴─────────────┴──────────────────────────────┘
//   kind      FREE_HEAD  aux = pages in the free run (links live in the page, see below)
//             FREE_LAST  last page of a free run of ≥ 2 pages, aux = head page index
//             SLAB       page cut into equal slots of size class `class`
//             RUN_HEAD   first page of a large allocation, aux = pages in the run
//             RUN_BODY   later page of a large allocation, aux = head page index
//   cowEpoch  reserved, always 0 (see "Snapshots" below).
//
// Slab page (sizes ≤ SLAB_SLOT_MAX_BYTES): a 32-byte header, then slots of one size class
//
//   ┌───────────┬─────────────┬──────────┬───────────┬───────────┬──────┬──────┬──────┬───
//   │liveCount  │freeSlotPtr  │bumpPtr   │nextPartial│prevPartial│ pad  │slot 0│slot 1│ …
//   │u32        │u32 (0=none) │u32       │page index │page index │12 B  │      │      │
//   └───────────┴─────────────┴──────────┴───────────┴───────────┴──────┴──────┴──────┴───
//   Freed slots form an intrusive list through their first 4 bytes; never-used slots are
//   handed out by bumpPtr so a fresh page costs one header write. Pages with a free slot
//   sit on a doubly linked "partial" list per class. A page whose last slot is freed goes
//   back to the page pool unless it is the only partial page of its class (hysteresis).
//   Classes: 8..128 in steps of 8, then four per power of two up to 16 KiB (44 classes).
//   Steps of 8 (jemalloc steps by 16 from 16 to 128) fit the common small blocks: a
//   keyspace entry of a 14-byte key is 54 bytes (slot 56, was 64) and a 100-byte string value
//   takes 104 (was 112), 16 bytes less per key (issue 18). Slots stay 8-byte aligned (the slab
//   header is 32 bytes, every slot size a multiple of 8), which entry.ts's i64 needs.
//
// Large allocation (> SLAB_SLOT_MAX_BYTES): a run of contiguous pages, bytes start at the
// head page's first byte; a value of n bytes spans ceil(n / 64 KiB) pages, so a GET can
// return one contiguous view. Waste is under one page per large value.
//
// Free pages: runs of contiguous free pages, coalesced with both neighbours on free (the
// table answers "is page i-1 / i+n free" in O(1)), kept in FREE_BIN_COUNT bins by length
// (bin k holds runs of k+1 pages, the last bin holds every longer run, first fit). The free
// run's head page stores its bin links in its first 8 bytes. A request that no run fits
// extends the free run at the end of the heap, if any, then grows memory by the rest plus
// an eighth of the heap (≥ 16 pages) ahead, since every grow costs the host a view rebuild.
//
// Failure: every allocation returns 0 when the page ceiling (setMaxPages) or memory.grow
// refuses; callers turn 0 into STATUS_OOM. Nothing here traps on exhaustion.
//
// Snapshots: copy-on-write is tracked per keyspace entry, not per page (entry.ts `marks`,
// snapshot.ts). A page mixes entries of many keys, so page-level copies would copy (and a
// snapshot would later re-serialize) bytes of keys the write never touched; an entry mark
// lets the first write to a key serialize exactly that key's value as of the instant. The
// page table's cowEpoch field stays reserved (always 0).

/** Size of one page; also the WebAssembly page size, so pages map 1:1 onto memory.grow. */
export const PAGE_SIZE_BYTES: usize = 65536;
export const PAGE_SHIFT: usize = 16;
/** wasm32 can address 65536 WebAssembly pages; the table has one entry for each. */
export const MAX_PAGE_COUNT: u32 = 65536;
/** Sentinel page index / "no page". */
export const NO_PAGE: u32 = 0xffffffff;

const PAGE_ENTRY_SIZE_BYTES: usize = 8;
const PAGE_TABLE_SIZE_BYTES: usize = <usize>MAX_PAGE_COUNT * PAGE_ENTRY_SIZE_BYTES;

const PAGE_ENTRY_KIND_OFFSET: usize = 0;
const PAGE_ENTRY_CLASS_OFFSET: usize = 1;
const PAGE_ENTRY_COW_EPOCH_OFFSET: usize = 2;
const PAGE_ENTRY_AUX_OFFSET: usize = 4;

export const PAGE_KIND_FREE_HEAD: u8 = 1;
export const PAGE_KIND_FREE_LAST: u8 = 3;
export const PAGE_KIND_SLAB: u8 = 4;
export const PAGE_KIND_RUN_HEAD: u8 = 5;
export const PAGE_KIND_RUN_BODY: u8 = 6;

const SLAB_HEADER_SIZE_BYTES: usize = 32;
const SLAB_LIVE_COUNT_OFFSET: usize = 0;
const SLAB_FREE_SLOT_OFFSET: usize = 4;
const SLAB_BUMP_OFFSET: usize = 8;
const SLAB_NEXT_PARTIAL_OFFSET: usize = 12;
const SLAB_PREV_PARTIAL_OFFSET: usize = 16;

export const SLAB_SLOT_MAX_BYTES: usize = 16384;
const SIZE_CLASS_COUNT: u32 = 44;
/** Classes of at most 128 bytes, in steps of 1 << SMALL_CLASS_SHIFT = 8 bytes. */
const SMALL_CLASS_COUNT: u32 = 16;
const SMALL_CLASS_SHIFT: u32 = 3;

const FREE_RUN_NEXT_OFFSET: usize = 0;
const FREE_RUN_PREV_OFFSET: usize = 4;
const FREE_BIN_COUNT: u32 = 16;
/** Pages memory.grow adds beyond a request, at least (see acquirePages). */
const GROW_AHEAD_MIN_PAGES: u32 = 16;

/** Largest single allocation we attempt (keeps page arithmetic inside u32). */
export const ALLOC_MAX_BYTES: usize = 0xf0000000;

// ── State ───────────────────────────────────────────────────────────────────────────────

/** Address of page table entry 0. */
let pageTableBase: usize = 0;
/** Address of heap page 0 (64 KiB aligned). */
let pagesBase: usize = 0;
/** Heap pages obtained from memory.grow so far (free or used). */
let heapPageCount: u32 = 0;
/** Heap pages currently in free runs. */
let freePageCount: u32 = 0;
/** Ceiling on heapPageCount (setMaxPages); allocations beyond it fail with 0. */
let maxHeapPageCount: u32 = 0;
/** Bytes held by live allocations: slot size for slab allocations, whole pages for runs. */
let usedBytes: u64 = 0;

/** Per size class: head page index of the partial-page list (NO_PAGE when empty). */
const partialHeads: usize = memory.data(<i32>SIZE_CLASS_COUNT * 4, 4);
/** Per size class: slot size in bytes. */
const classSizes: usize = memory.data(<i32>SIZE_CLASS_COUNT * 4, 4);
/** Per bin: head page index of the free-run list (NO_PAGE when empty). */
const freeBinHeads: usize = memory.data(<i32>FREE_BIN_COUNT * 4, 4);

// ── Page table accessors ────────────────────────────────────────────────────────────────

@inline function pageEntry(pageIndex: u32): usize {
  return pageTableBase + (<usize>pageIndex << 3);
}
@inline export function getPageKind(pageIndex: u32): u8 {
  return load<u8>(pageEntry(pageIndex), PAGE_ENTRY_KIND_OFFSET);
}
@inline function getPageClass(pageIndex: u32): u32 {
  return <u32>load<u8>(pageEntry(pageIndex), PAGE_ENTRY_CLASS_OFFSET);
}
@inline function getPageAux(pageIndex: u32): u32 {
  return load<u32>(pageEntry(pageIndex), PAGE_ENTRY_AUX_OFFSET);
}
@inline function setPageEntry(pageIndex: u32, kind: u8, sizeClass: u32, aux: u32): void {
  const entry = pageEntry(pageIndex);
  store<u8>(entry, kind, PAGE_ENTRY_KIND_OFFSET);
  store<u8>(entry, <u8>sizeClass, PAGE_ENTRY_CLASS_OFFSET);
  store<u16>(entry, 0, PAGE_ENTRY_COW_EPOCH_OFFSET);
  store<u32>(entry, aux, PAGE_ENTRY_AUX_OFFSET);
}
@inline export function pageAddress(pageIndex: u32): usize {
  return pagesBase + (<usize>pageIndex << PAGE_SHIFT);
}
@inline export function pageIndexOf(ptr: usize): u32 {
  return <u32>((ptr - pagesBase) >> PAGE_SHIFT);
}

// ── Setup and statistics ────────────────────────────────────────────────────────────────

/** Lays out the page table after static data. Returns false if memory cannot hold it. */
export function initPages(): bool {
  pageTableBase = (__heap_base + 7) & ~<usize>7;
  pagesBase = (pageTableBase + PAGE_TABLE_SIZE_BYTES + PAGE_SIZE_BYTES - 1) & ~(PAGE_SIZE_BYTES - 1);
  const neededPageCount = <i32>(pagesBase >> PAGE_SHIFT);
  const havePageCount = memory.size();
  if (havePageCount < neededPageCount) {
    if (memory.grow(neededPageCount - havePageCount) < 0) return false;
  }
  assert(memory.size() == neededPageCount);
  maxHeapPageCount = MAX_PAGE_COUNT - <u32>neededPageCount;
  for (let i: u32 = 0; i < FREE_BIN_COUNT; i++) store<u32>(freeBinHeads + (<usize>i << 2), NO_PAGE);
  for (let c: u32 = 0; c < SIZE_CLASS_COUNT; c++) {
    store<u32>(partialHeads + (<usize>c << 2), NO_PAGE);
    store<u32>(classSizes + (<usize>c << 2), computeClassSize(c));
  }
  assert(computeClassSize(SIZE_CLASS_COUNT - 1) == <u32>SLAB_SLOT_MAX_BYTES);
  for (let c: u32 = 0; c < SIZE_CLASS_COUNT; c++) {
    const sizeBytes = computeClassSize(c);
    assert((sizeBytes & 7) == 0); // 8-byte aligned slots
    assert(sizeClassOf(sizeBytes) == c);
    if (c > 0) assert(sizeClassOf(computeClassSize(c - 1) + 1) == c);
  }
  return true;
}

export function getUsedBytes(): u64 {
  return usedBytes;
}
export function getHeapPageCount(): u32 {
  return heapPageCount;
}
export function getFreePageCount(): u32 {
  return freePageCount;
}
/** Maximum heap pages; clamped to what wasm32 can address. */
export function setMaxHeapPageCount(pageCount: u32): void {
  const limit = MAX_PAGE_COUNT - <u32>(pagesBase >> PAGE_SHIFT);
  maxHeapPageCount = pageCount < limit ? pageCount : limit;
}

// ── Size classes ────────────────────────────────────────────────────────────────────────

/** Slot size of class c: 8·(c+1) up to 128, then 4 classes per power of two. */
function computeClassSize(sizeClass: u32): u32 {
  if (sizeClass < SMALL_CLASS_COUNT) return (sizeClass + 1) << SMALL_CLASS_SHIFT;
  const group = (sizeClass - SMALL_CLASS_COUNT) >> 2; // 0 → (128, 256]
  const step = (sizeClass - SMALL_CLASS_COUNT) & 3;
  const base: u32 = 128 << group;
  return base + (step + 1) * (base >> 2);
}

/** Smallest class whose slots hold sizeBytes (1 ≤ sizeBytes ≤ SLAB_SLOT_MAX_BYTES). */
@inline function sizeClassOf(sizeBytes: u32): u32 {
  if (sizeBytes <= 128) return ((sizeBytes + 7) >> SMALL_CLASS_SHIFT) - 1;
  const topBit = 31 - clz<u32>(sizeBytes - 1); // sizeBytes in (2^topBit, 2^(topBit+1)]
  return SMALL_CLASS_COUNT + ((topBit - 7) << 2) +
    ((sizeBytes - 1 - (<u32>1 << topBit)) >> (topBit - 2));
}

@inline function classSize(sizeClass: u32): u32 {
  return load<u32>(classSizes + (<usize>sizeClass << 2));
}

// ── Free page runs ──────────────────────────────────────────────────────────────────────

@inline function freeBinOf(runPageCount: u32): u32 {
  return runPageCount < FREE_BIN_COUNT ? runPageCount - 1 : FREE_BIN_COUNT - 1;
}

function binInsert(head: u32, runPageCount: u32): void {
  const binSlot = freeBinHeads + (<usize>freeBinOf(runPageCount) << 2);
  const first = load<u32>(binSlot);
  const address = pageAddress(head);
  store<u32>(address, first, FREE_RUN_NEXT_OFFSET);
  store<u32>(address, NO_PAGE, FREE_RUN_PREV_OFFSET);
  if (first != NO_PAGE) store<u32>(pageAddress(first), head, FREE_RUN_PREV_OFFSET);
  store<u32>(binSlot, head);
}

function binRemove(head: u32, runPageCount: u32): void {
  const address = pageAddress(head);
  const next = load<u32>(address, FREE_RUN_NEXT_OFFSET);
  const prev = load<u32>(address, FREE_RUN_PREV_OFFSET);
  if (prev == NO_PAGE) {
    const binSlot = freeBinHeads + (<usize>freeBinOf(runPageCount) << 2);
    assert(load<u32>(binSlot) == head);
    store<u32>(binSlot, next);
  } else {
    store<u32>(pageAddress(prev), next, FREE_RUN_NEXT_OFFSET);
  }
  if (next != NO_PAGE) store<u32>(pageAddress(next), prev, FREE_RUN_PREV_OFFSET);
}

/** Labels [head, head+count) as one free run and files it in its bin (no coalescing). */
function makeFreeRun(head: u32, runPageCount: u32): void {
  assert(runPageCount > 0);
  setPageEntry(head, PAGE_KIND_FREE_HEAD, 0, runPageCount);
  if (runPageCount > 1) {
    const last = head + runPageCount - 1;
    setPageEntry(last, PAGE_KIND_FREE_LAST, 0, head);
    // Interior entries keep stale labels: only a run's first and last entries are ever
    // read (as neighbours of another run), and allocation relabels every page it takes.
  }
  binInsert(head, runPageCount);
}

/** Head of the free run whose last page is pageIndex, or NO_PAGE if that page is not free. */
function freeRunHeadEndingAt(pageIndex: u32): u32 {
  const kind = getPageKind(pageIndex);
  if (kind == PAGE_KIND_FREE_HEAD) {
    assert(getPageAux(pageIndex) == 1);
    return pageIndex;
  }
  if (kind == PAGE_KIND_FREE_LAST) return getPageAux(pageIndex);
  return NO_PAGE;
}

/** Returns pages [head, head+count) to the pool, merging with free neighbours. */
function releasePages(head: u32, runPageCount: u32): void {
  assert(head + runPageCount <= heapPageCount);
  freePageCount += runPageCount;
  let start = head;
  let count = runPageCount;
  if (start > 0) {
    const prevHead = freeRunHeadEndingAt(start - 1);
    if (prevHead != NO_PAGE) {
      const prevCount = getPageAux(prevHead);
      binRemove(prevHead, prevCount);
      start = prevHead;
      count += prevCount;
    }
  }
  const after = head + runPageCount;
  if (after < heapPageCount && getPageKind(after) == PAGE_KIND_FREE_HEAD) {
    const nextCount = getPageAux(after);
    binRemove(after, nextCount);
    count += nextCount;
  }
  makeFreeRun(start, count);
}

/** Takes runPageCount contiguous pages; returns the head index or NO_PAGE. */
function acquirePages(runPageCount: u32, kind: u8, sizeClass: u32): u32 {
  assert(runPageCount > 0);
  let head = NO_PAGE;
  let haveCount: u32 = 0;
  // Exact-size bins: any run there fits.
  for (let bin = freeBinOf(runPageCount); bin < FREE_BIN_COUNT - 1; bin++) {
    const first = load<u32>(freeBinHeads + (<usize>bin << 2));
    if (first != NO_PAGE) {
      head = first;
      haveCount = bin + 1;
      break;
    }
  }
  if (head == NO_PAGE) {
    // Last bin: first fit, bounded by the number of long free runs.
    let candidate = load<u32>(freeBinHeads + (<usize>(FREE_BIN_COUNT - 1) << 2));
    while (candidate != NO_PAGE) {
      const candidateCount = getPageAux(candidate);
      if (candidateCount >= runPageCount) {
        head = candidate;
        haveCount = candidateCount;
        break;
      }
      candidate = load<u32>(pageAddress(candidate), FREE_RUN_NEXT_OFFSET);
    }
  }
  if (head != NO_PAGE) {
    binRemove(head, haveCount);
    freePageCount -= haveCount;
  } else {
    // Grow: reuse a free run at the very end of the heap, grow memory by the rest.
    let tailHead = NO_PAGE;
    let tailCount: u32 = 0;
    if (heapPageCount > 0) {
      tailHead = freeRunHeadEndingAt(heapPageCount - 1);
      if (tailHead != NO_PAGE) tailCount = getPageAux(tailHead);
    }
    const growCount = runPageCount - tailCount;
    if (<u64>heapPageCount + <u64>growCount > <u64>maxHeapPageCount) return NO_PAGE;
    // Grow ahead (an eighth of the heap, at least GROW_AHEAD_MIN_PAGES): each memory.grow
    // costs the host a buffer detach and view rebuild. The surplus becomes a free run.
    let aheadCount = heapPageCount >> 3;
    if (aheadCount < GROW_AHEAD_MIN_PAGES) aheadCount = GROW_AHEAD_MIN_PAGES;
    if (<u64>heapPageCount + <u64>growCount + <u64>aheadCount > <u64>maxHeapPageCount) {
      aheadCount = 0;
    }
    if (aheadCount != 0 && memory.grow(<i32>(growCount + aheadCount)) < 0) aheadCount = 0;
    if (aheadCount == 0 && memory.grow(<i32>growCount) < 0) return NO_PAGE;
    if (tailHead != NO_PAGE) {
      binRemove(tailHead, tailCount);
      freePageCount -= tailCount;
      head = tailHead;
    } else {
      head = heapPageCount;
    }
    heapPageCount += growCount + aheadCount;
    haveCount = runPageCount + aheadCount;
    assert(<u32>memory.size() == <u32>(pagesBase >> PAGE_SHIFT) + heapPageCount);
  }
  if (haveCount > runPageCount) {
    // Split: the remainder stays free. Its left neighbour is now used, its right
    // neighbour was not free (runs are always fully coalesced), so no merge is needed.
    freePageCount += haveCount - runPageCount;
    makeFreeRun(head + runPageCount, haveCount - runPageCount);
  }
  setPageEntry(head, kind, sizeClass, runPageCount);
  for (let i: u32 = 1; i < runPageCount; i++) setPageEntry(head + i, PAGE_KIND_RUN_BODY, 0, head);
  return head;
}

// ── Slabs ───────────────────────────────────────────────────────────────────────────────

function partialPush(pageIndex: u32, sizeClass: u32): void {
  const headSlot = partialHeads + (<usize>sizeClass << 2);
  const first = load<u32>(headSlot);
  const address = pageAddress(pageIndex);
  store<u32>(address, first, SLAB_NEXT_PARTIAL_OFFSET);
  store<u32>(address, NO_PAGE, SLAB_PREV_PARTIAL_OFFSET);
  if (first != NO_PAGE) store<u32>(pageAddress(first), pageIndex, SLAB_PREV_PARTIAL_OFFSET);
  store<u32>(headSlot, pageIndex);
}

function partialRemove(pageIndex: u32, sizeClass: u32): void {
  const address = pageAddress(pageIndex);
  const next = load<u32>(address, SLAB_NEXT_PARTIAL_OFFSET);
  const prev = load<u32>(address, SLAB_PREV_PARTIAL_OFFSET);
  if (prev == NO_PAGE) {
    const headSlot = partialHeads + (<usize>sizeClass << 2);
    assert(load<u32>(headSlot) == pageIndex);
    store<u32>(headSlot, next);
  } else {
    store<u32>(pageAddress(prev), next, SLAB_NEXT_PARTIAL_OFFSET);
  }
  if (next != NO_PAGE) store<u32>(pageAddress(next), prev, SLAB_PREV_PARTIAL_OFFSET);
}

function slabAlloc(sizeClass: u32): usize {
  const slotSizeBytes = <usize>classSize(sizeClass);
  let pageIndex = load<u32>(partialHeads + (<usize>sizeClass << 2));
  if (pageIndex == NO_PAGE) {
    pageIndex = acquirePages(1, PAGE_KIND_SLAB, sizeClass);
    if (pageIndex == NO_PAGE) return 0;
    const fresh = pageAddress(pageIndex);
    store<u32>(fresh, 0, SLAB_LIVE_COUNT_OFFSET);
    store<u32>(fresh, 0, SLAB_FREE_SLOT_OFFSET);
    store<u32>(fresh, <u32>(fresh + SLAB_HEADER_SIZE_BYTES), SLAB_BUMP_OFFSET);
    partialPush(pageIndex, sizeClass);
  }
  const page = pageAddress(pageIndex);
  let slot = <usize>load<u32>(page, SLAB_FREE_SLOT_OFFSET);
  if (slot != 0) {
    store<u32>(page, load<u32>(slot), SLAB_FREE_SLOT_OFFSET);
  } else {
    slot = <usize>load<u32>(page, SLAB_BUMP_OFFSET);
    assert(slot + slotSizeBytes <= page + PAGE_SIZE_BYTES);
    store<u32>(page, <u32>(slot + slotSizeBytes), SLAB_BUMP_OFFSET);
  }
  store<u32>(page, load<u32>(page, SLAB_LIVE_COUNT_OFFSET) + 1, SLAB_LIVE_COUNT_OFFSET);
  if (isSlabFull(page, slotSizeBytes)) partialRemove(pageIndex, sizeClass);
  usedBytes += slotSizeBytes;
  return slot;
}

@inline function isSlabFull(page: usize, slotSizeBytes: usize): bool {
  return load<u32>(page, SLAB_FREE_SLOT_OFFSET) == 0 &&
    <usize>load<u32>(page, SLAB_BUMP_OFFSET) + slotSizeBytes > page + PAGE_SIZE_BYTES;
}

function slabFree(ptr: usize, pageIndex: u32): void {
  const sizeClass = getPageClass(pageIndex);
  const slotSizeBytes = <usize>classSize(sizeClass);
  const page = pageAddress(pageIndex);
  assert((ptr - page - SLAB_HEADER_SIZE_BYTES) % slotSizeBytes == 0);
  const wasFull = isSlabFull(page, slotSizeBytes);
  store<u32>(ptr, load<u32>(page, SLAB_FREE_SLOT_OFFSET));
  store<u32>(page, <u32>ptr, SLAB_FREE_SLOT_OFFSET);
  const liveCount = load<u32>(page, SLAB_LIVE_COUNT_OFFSET);
  assert(liveCount > 0);
  store<u32>(page, liveCount - 1, SLAB_LIVE_COUNT_OFFSET);
  usedBytes -= slotSizeBytes;
  if (wasFull) partialPush(pageIndex, sizeClass);
  if (liveCount == 1) {
    // Empty: give the page back unless it is the class's only partial page.
    const onlyPartial = load<u32>(page, SLAB_NEXT_PARTIAL_OFFSET) == NO_PAGE &&
      load<u32>(page, SLAB_PREV_PARTIAL_OFFSET) == NO_PAGE;
    if (!onlyPartial) {
      partialRemove(pageIndex, sizeClass);
      releasePages(pageIndex, 1);
    }
  }
}

// ── Public allocation API ───────────────────────────────────────────────────────────────

/** Allocates sizeBytes (> 0); returns the address or 0 when memory is exhausted. */
export function alloc(sizeBytes: usize): usize {
  assert(sizeBytes > 0);
  if (sizeBytes <= SLAB_SLOT_MAX_BYTES) return slabAlloc(sizeClassOf(<u32>sizeBytes));
  if (sizeBytes > ALLOC_MAX_BYTES) return 0;
  const runPageCount = <u32>((sizeBytes + PAGE_SIZE_BYTES - 1) >> PAGE_SHIFT);
  const head = acquirePages(runPageCount, PAGE_KIND_RUN_HEAD, 0);
  if (head == NO_PAGE) return 0;
  usedBytes += <u64>runPageCount << PAGE_SHIFT;
  return pageAddress(head);
}

/** Frees an address returned by alloc. 0 is ignored. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  assert(ptr >= pagesBase);
  const pageIndex = pageIndexOf(ptr);
  assert(pageIndex < heapPageCount);
  const kind = getPageKind(pageIndex);
  if (kind == PAGE_KIND_SLAB) {
    slabFree(ptr, pageIndex);
    return;
  }
  assert(kind == PAGE_KIND_RUN_HEAD);
  assert(ptr == pageAddress(pageIndex));
  const runPageCount = getPageAux(pageIndex);
  usedBytes -= <u64>runPageCount << PAGE_SHIFT;
  releasePages(pageIndex, runPageCount);
}

/** Bytes usable at ptr (≥ the size it was allocated with); 0 for ptr 0. */
export function usableSize(ptr: usize): usize {
  if (ptr == 0) return 0;
  const pageIndex = pageIndexOf(ptr);
  const kind = getPageKind(pageIndex);
  if (kind == PAGE_KIND_SLAB) return <usize>classSize(getPageClass(pageIndex));
  assert(kind == PAGE_KIND_RUN_HEAD);
  return <usize>getPageAux(pageIndex) << PAGE_SHIFT;
}

/** Moves an allocation to a block of newSizeBytes, copying min(old, new) bytes. 0 on OOM (old kept). */
export function realloc(ptr: usize, oldSizeBytes: usize, newSizeBytes: usize): usize {
  const fresh = alloc(newSizeBytes);
  if (fresh == 0) return 0;
  if (ptr != 0) {
    memory.copy(fresh, ptr, oldSizeBytes < newSizeBytes ? oldSizeBytes : newSizeBytes);
    free(ptr);
  }
  return fresh;
}
