// One node of a stream: a Redis 7.0 stream listpack, byte for byte (t_stream.c), held in the
// stream's memory (memory.ts: on a server, the engine's linear memory). Being the very bytes
// Redis keeps means three things at once: RDB writes and loads a node as it is, so a loaded
// stream keeps its writer's node boundaries and deleted entries; the node's size is lpBytes,
// which XADD's node-full test and approximate trimming depend on; and an entry costs about
// what it costs in Redis.
//
//   listpack:      [total bytes u32][element count u16]  master entry  entry … entry  [0xFF]
//   master entry:  live count, deleted count, field count, field …, 0
//   entry:         flags, ms - master ms, seq - master seq,
//                  (flags & SAMEFIELDS ? value … : field count, field, value …), lp-count
//
// The node also keeps, outside those bytes, what lets it seek without decoding from the start:
// the offset of each entry (4 bytes an entry), its master ID and fields, and its counters.
// Entries are decoded only when read, and returned as copies (the memory may move).

import {
  elementInt,
  elementIntNum,
  elementIntSmall,
  elementIsInt,
  elementStrLen,
  elementStrStart,
  intElementBytes,
  LP_COUNT_UNKNOWN,
  LP_EOF,
  LP_HEADER_BYTES,
  readElement,
  readElementBytes,
  readIntElement,
  stringElementBytes,
  writeIntElement,
  writeStringElement,
} from "./_listpack.ts";
import type { StreamId } from "./id.ts";
import type { StreamMemory } from "./memory.ts";

/** An entry as read: its own copies of the bytes. */
export interface StreamEntry {
  readonly id: StreamId;
  readonly fields: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
}

/** STREAM_ITEM_FLAG_*: the flags element is always a one-byte uint7 (plus its backlen). */
const FLAG_DELETED = 1;
const FLAG_SAME_FIELDS = 2;
const FLAGS_ELEMENT_BYTES = 2;
/** Offset of the live-count element (the master entry's first). */
const LIVE_COUNT_AT = LP_HEADER_BYTES;
/** Capacities: first block bytes, first offsets. The block doubles as entries come. */
const BLOCK_CAPACITY_MIN_BYTES = 64;
const OFFSETS_CAPACITY_MIN = 4;
/** Elements of an entry beside its fields and values: flags, ms-diff, seq-diff (lp-count). */
const ENTRY_FIXED_ELEMENTS = 3;
/**
 * Entries of a node whose master ID parts stay below this compare as numbers (compareAt's fast
 * path): a master part below it plus a diff of at most 32 bits is still exact in a double.
 * Millisecond times and sequence numbers are far below; anything else takes the BigInt path.
 */
const FAST_ID_PART_LIMIT = 2n ** 52n;

export class StreamNode {
  readonly masterId: StreamId;
  readonly masterFields: readonly Uint8Array[];
  /** Entries held, deleted ones included. */
  count = 0;
  liveCount = 0;
  deletedCount = 0;

  readonly #memory: StreamMemory;
  /** The master ID's parts as numbers when both are below FAST_ID_PART_LIMIT, else -1. */
  readonly #masterMsNum: number;
  readonly #masterSeqNum: number;
  #ptr = 0;
  #capacityBytes = 0;
  /** lpBytes: header to end byte. */
  #usedBytes = 0;
  #elementCount = 0;
  /** Entry i's flags element, as an offset from #ptr. */
  #offsets: Uint32Array;

  private constructor(
    memory: StreamMemory,
    masterId: StreamId,
    masterFields: readonly Uint8Array[],
  ) {
    this.#memory = memory;
    this.masterId = masterId;
    this.masterFields = masterFields;
    const fast = masterId.ms < FAST_ID_PART_LIMIT && masterId.seq < FAST_ID_PART_LIMIT;
    this.#masterMsNum = fast ? Number(masterId.ms) : -1;
    this.#masterSeqNum = fast ? Number(masterId.seq) : -1;
    this.#offsets = new Uint32Array(OFFSETS_CAPACITY_MIN);
  }

  /**
   * A node whose first entry will have this ID and fields (copied): its master entry written
   * with a live count of 1, as streamAppendItem writes it before appending that entry.
   */
  static create(
    memory: StreamMemory,
    masterId: StreamId,
    fields: readonly Uint8Array[],
  ): StreamNode {
    const node = new StreamNode(memory, masterId, fields.map((field) => field.slice()));
    let size = LP_HEADER_BYTES + intElementBytes(1n) + intElementBytes(0n) +
      intElementBytes(BigInt(fields.length)) + intElementBytes(0n) + 1;
    for (const field of fields) size += stringElementBytes(field);
    node.#ptr = memory.alloc(Math.max(size, BLOCK_CAPACITY_MIN_BYTES));
    node.#capacityBytes = Math.max(size, BLOCK_CAPACITY_MIN_BYTES);
    const bytes = memory.bytes();
    let at = node.#ptr + LP_HEADER_BYTES;
    at += writeIntElement(bytes, at, 1n);
    at += writeIntElement(bytes, at, 0n);
    at += writeIntElement(bytes, at, BigInt(fields.length));
    for (const field of fields) at += writeStringElement(bytes, at, field);
    at += writeIntElement(bytes, at, 0n);
    bytes[at] = LP_EOF;
    node.#elementCount = 4 + fields.length;
    node.#usedBytes = size;
    node.#writeHeader(bytes);
    return node;
  }

  /**
   * A node over a copy of a stream listpack that RDB carried (core/rdb/stream.ts
   * decodeStreamNode has checked it): its counters, master fields and entry offsets read back.
   */
  static fromListpack(memory: StreamMemory, masterId: StreamId, listpack: Uint8Array) {
    const size = listpack.length;
    const ptr = memory.alloc(size);
    const bytes = memory.bytes();
    bytes.set(listpack, ptr);
    let at = LIVE_COUNT_AT;
    const liveCount = Number(readIntElement(listpack, at));
    at += readElement(listpack, at);
    const deletedCount = Number(readIntElement(listpack, at));
    at += readElement(listpack, at);
    const fieldCount = Number(readIntElement(listpack, at));
    at += readElement(listpack, at);
    const fields: Uint8Array[] = [];
    for (let f = 0; f < fieldCount; f++) {
      fields.push(readElementBytes(listpack, at));
      at += readElement(listpack, at);
    }
    at += readElement(listpack, at); // the master entry's 0
    let elementCount = 4 + fieldCount;
    const node = new StreamNode(memory, masterId, fields);
    node.#ptr = ptr;
    node.#capacityBytes = size;
    node.#usedBytes = size;
    node.liveCount = liveCount;
    node.deletedCount = deletedCount;
    const entryCount = liveCount + deletedCount;
    node.#offsets = new Uint32Array(Math.max(entryCount, 1));
    for (let i = 0; i < entryCount; i++) {
      node.#offsets[i] = at;
      const flags = Number(readIntElement(listpack, at));
      at += readElement(listpack, at); // flags
      at += readElement(listpack, at); // ms-diff
      at += readElement(listpack, at); // seq-diff
      let parts = fieldCount;
      if ((flags & FLAG_SAME_FIELDS) === 0) {
        parts = 2 * Number(readIntElement(listpack, at));
        at += readElement(listpack, at);
        elementCount++;
      }
      for (let k = 0; k < parts; k++) at += readElement(listpack, at);
      at += readElement(listpack, at); // lp-count
      elementCount += ENTRY_FIXED_ELEMENTS + parts + 1;
    }
    node.count = entryCount;
    node.#elementCount = elementCount;
    return node;
  }

  /** lpBytes of the listpack. */
  get sizeBytes(): number {
    return this.#usedBytes;
  }

  /** A copy of the listpack's bytes (what RDB writes for this node). */
  listpack(): Uint8Array {
    return this.#memory.bytes().slice(this.#ptr, this.#ptr + this.#usedBytes);
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────

  idAt(i: number): StreamId {
    const bytes = this.#memory.bytes();
    const at = this.#ptr + this.#offsets[i] + FLAGS_ELEMENT_BYTES;
    const msDiff = readIntElement(bytes, at);
    const seqDiff = readIntElement(bytes, at + readElement(bytes, at));
    return {
      ms: BigInt.asUintN(64, this.masterId.ms + msDiff),
      seq: BigInt.asUintN(64, this.masterId.seq + seqDiff),
    };
  }

  #flagsAt(i: number): number {
    return this.#memory.bytes()[this.#ptr + this.#offsets[i]];
  }

  isDeleted(i: number): boolean {
    return (this.#flagsAt(i) & FLAG_DELETED) !== 0;
  }

  /** -1, 0, 1 as entry i's ID is below, equal to, above `id`. */
  compareAt(i: number, id: StreamId): number {
    if (this.#masterMsNum >= 0) {
      const bytes = this.#memory.bytes();
      const at = this.#ptr + this.#offsets[i] + FLAGS_ELEMENT_BYTES;
      const msSize = readElement(bytes, at);
      // Entries never have a smaller ms than their master: a negative ms diff wrapped past
      // 2^64, as does a diff that makes seq negative. The BigInt path below decides those;
      // otherwise both parts are exact numbers, and number-to-BigInt comparisons are exact.
      if (elementIntSmall && elementIntNum >= 0) {
        const ms = this.#masterMsNum + elementIntNum;
        readElement(bytes, at + msSize);
        const seq = this.#masterSeqNum + elementIntNum;
        if (elementIntSmall && seq >= 0) {
          if (ms < id.ms) return -1;
          if (ms > id.ms) return 1;
          if (seq < id.seq) return -1;
          if (seq > id.seq) return 1;
          return 0;
        }
      }
    }
    const mine = this.idAt(i);
    if (mine.ms !== id.ms) return mine.ms < id.ms ? -1 : 1;
    if (mine.seq !== id.seq) return mine.seq < id.seq ? -1 : 1;
    return 0;
  }

  /** First index whose ID >= id (count when none). */
  lowerBound(id: StreamId): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First index whose ID > id. */
  upperBound(id: StreamId): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Entry i, decoded into copies: every part of the entry is copied into one new buffer (one
   * allocation an entry, not one a part), integers written back as their decimal text.
   */
  entryAt(i: number): StreamEntry {
    const bytes = this.#memory.bytes();
    let at = this.#ptr + this.#offsets[i];
    const flags = bytes[at];
    at += FLAGS_ELEMENT_BYTES;
    const msDiff = readIntElement(bytes, at);
    at += readElement(bytes, at);
    const seqDiff = readIntElement(bytes, at);
    at += readElement(bytes, at);
    const id = {
      ms: BigInt.asUintN(64, this.masterId.ms + msDiff),
      seq: BigInt.asUintN(64, this.masterId.seq + seqDiff),
    };
    const sameFields = (flags & FLAG_SAME_FIELDS) !== 0;
    let partCount = this.masterFields.length;
    if (!sameFields) {
      partCount = 2 * Number(readIntElement(bytes, at));
      at += readElement(bytes, at);
    }
    // Pass 1: where each part's bytes are, or its digits; pass 2: one buffer for them all.
    const starts: number[] = [];
    const digits: (string | null)[] = [];
    let totalBytes = 0;
    for (let k = 0; k < partCount; k++) {
      const size = readElement(bytes, at);
      if (elementIsInt) {
        const text = elementIntSmall ? String(elementIntNum) : elementInt().toString();
        digits.push(text);
        starts.push(0);
        totalBytes += text.length;
      } else {
        digits.push(null);
        starts.push(elementStrStart);
        totalBytes += elementStrLen;
        starts.push(elementStrLen);
      }
      at += size;
    }
    const copy = new Uint8Array(totalBytes);
    const parts: Uint8Array[] = [];
    let out = 0;
    for (let k = 0, s = 0; k < partCount; k++) {
      const text = digits[k];
      if (text !== null) {
        for (let c = 0; c < text.length; c++) copy[out + c] = text.charCodeAt(c);
        parts.push(copy.subarray(out, out + text.length));
        out += text.length;
        s++;
      } else {
        const start = starts[s++];
        const len = starts[s++];
        copy.set(bytes.subarray(start, start + len), out);
        parts.push(copy.subarray(out, out + len));
        out += len;
      }
    }
    if (sameFields) return { id, fields: this.masterFields, values: parts };
    const fields: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (let k = 0; k < partCount; k += 2) {
      fields.push(parts[k]);
      values.push(parts[k + 1]);
    }
    return { id, fields, values };
  }

  // ── Writing ──────────────────────────────────────────────────────────────────────────

  /**
   * Appends an entry (its ID above every ID held): `pairs` is field, value, …; with
   * `sameFields` only the values are stored. Raises the live count (unless this is the
   * node's first entry: create() wrote 1). All or nothing: when memory runs out it throws
   * before anything changed.
   */
  append(id: StreamId, pairs: readonly Uint8Array[], sameFields: boolean): void {
    const fieldCount = pairs.length >>> 1;
    const msDiff = BigInt.asIntN(64, id.ms - this.masterId.ms);
    const seqDiff = BigInt.asIntN(64, id.seq - this.masterId.seq);
    let lpCount = ENTRY_FIXED_ELEMENTS + fieldCount;
    let entryBytes = FLAGS_ELEMENT_BYTES + intElementBytes(msDiff) + intElementBytes(seqDiff);
    if (!sameFields) {
      entryBytes += intElementBytes(BigInt(fieldCount));
      for (let k = 0; k < pairs.length; k += 2) entryBytes += stringElementBytes(pairs[k]);
      lpCount += fieldCount + 1;
    }
    for (let k = 1; k < pairs.length; k += 2) entryBytes += stringElementBytes(pairs[k]);
    entryBytes += intElementBytes(BigInt(lpCount));
    const liveCount = this.count === 0 ? 1 : this.liveCount + 1;
    const countGrowth = this.#countsGrowth(liveCount, this.deletedCount);
    this.#reserve(this.#usedBytes + countGrowth + entryBytes);
    if (this.count === this.#offsets.length) {
      const offsets = new Uint32Array(this.count * 2);
      offsets.set(this.#offsets);
      this.#offsets = offsets;
    }
    // Nothing can fail from here on.
    this.#writeCounts(liveCount, this.deletedCount);
    const bytes = this.#memory.bytes();
    const base = this.#ptr;
    const start = this.#usedBytes - 1; // over the end byte
    let at = base + start;
    at += writeIntElement(bytes, at, BigInt(sameFields ? FLAG_SAME_FIELDS : 0));
    at += writeIntElement(bytes, at, msDiff);
    at += writeIntElement(bytes, at, seqDiff);
    if (!sameFields) {
      at += writeIntElement(bytes, at, BigInt(fieldCount));
      for (const part of pairs) at += writeStringElement(bytes, at, part);
    } else {
      for (let k = 1; k < pairs.length; k += 2) at += writeStringElement(bytes, at, pairs[k]);
    }
    at += writeIntElement(bytes, at, BigInt(lpCount));
    bytes[at] = LP_EOF;
    this.#offsets[this.count] = start;
    this.count++;
    this.#elementCount += lpCount + 1;
    this.#usedBytes = at + 1 - base;
    this.#writeHeader(bytes);
  }

  /**
   * Marks entry i deleted (flags rewritten in place, same size); false when it already was.
   * The counters are the stream's to set (setCounts).
   */
  markDeleted(i: number): boolean {
    const bytes = this.#memory.bytes();
    const at = this.#ptr + this.#offsets[i];
    if ((bytes[at] & FLAG_DELETED) !== 0) return false;
    writeIntElement(bytes, at, BigInt(bytes[at] | FLAG_DELETED));
    return true;
  }

  /** Sets the master entry's live / deleted counts (lpReplaceInteger); throws on OOM first. */
  setCounts(liveCount: number, deletedCount: number): void {
    this.#reserve(this.#usedBytes + this.#countsGrowth(liveCount, deletedCount));
    this.#writeCounts(liveCount, deletedCount);
    this.#writeHeader(this.#memory.bytes());
  }

  /** Bytes the counts elements grow by (negative when they shrink). */
  #countsGrowth(liveCount: number, deletedCount: number): number {
    return intElementBytes(BigInt(liveCount)) - intElementBytes(BigInt(this.liveCount)) +
      intElementBytes(BigInt(deletedCount)) - intElementBytes(BigInt(this.deletedCount));
  }

  /** Rewrites both counts, moving what follows when their sizes change; room is reserved. */
  #writeCounts(liveCount: number, deletedCount: number): void {
    const oldBytes = intElementBytes(BigInt(this.liveCount)) +
      intElementBytes(BigInt(this.deletedCount));
    const newBytes = intElementBytes(BigInt(liveCount)) + intElementBytes(BigInt(deletedCount));
    const bytes = this.#memory.bytes();
    const base = this.#ptr;
    const shift = newBytes - oldBytes;
    if (shift !== 0) {
      const tail = base + LIVE_COUNT_AT + oldBytes;
      bytes.copyWithin(tail + shift, tail, base + this.#usedBytes);
      this.#usedBytes += shift;
      for (let i = 0; i < this.count; i++) this.#offsets[i] += shift;
    }
    let at = base + LIVE_COUNT_AT;
    at += writeIntElement(bytes, at, BigInt(liveCount));
    writeIntElement(bytes, at, BigInt(deletedCount));
    this.liveCount = liveCount;
    this.deletedCount = deletedCount;
  }

  #writeHeader(bytes: Uint8Array): void {
    const base = this.#ptr;
    const total = this.#usedBytes;
    bytes[base] = total & 0xff;
    bytes[base + 1] = (total >>> 8) & 0xff;
    bytes[base + 2] = (total >>> 16) & 0xff;
    bytes[base + 3] = total >>> 24;
    const count = Math.min(this.#elementCount, LP_COUNT_UNKNOWN);
    bytes[base + 4] = count & 0xff;
    bytes[base + 5] = count >>> 8;
  }

  /** Makes the block hold at least `sizeBytes` (doubling); throws, unchanged, on OOM. */
  #reserve(sizeBytes: number): void {
    if (sizeBytes <= this.#capacityBytes) return;
    const capacity = Math.max(sizeBytes, this.#capacityBytes * 2);
    this.#ptr = this.#memory.realloc(this.#ptr, this.#usedBytes, capacity);
    this.#capacityBytes = capacity;
  }

  /** Gives back spare capacity (lpShrinkToFit): the node takes no more appends. */
  shrink(): void {
    if (this.#offsets.length > this.count) this.#offsets = this.#offsets.slice(0, this.count);
    if (this.#capacityBytes === this.#usedBytes) return;
    try {
      this.#ptr = this.#memory.realloc(this.#ptr, this.#usedBytes, this.#usedBytes);
      this.#capacityBytes = this.#usedBytes;
    } catch {
      // No room to move into a smaller block: keep the larger one.
    }
  }

  /** A copy with its own block (COPY); throws on OOM. */
  clone(memory: StreamMemory = this.#memory): StreamNode {
    const copy = new StreamNode(memory, this.masterId, this.masterFields);
    copy.#ptr = memory.alloc(this.#usedBytes);
    const source = this.#memory.bytes().subarray(this.#ptr, this.#ptr + this.#usedBytes);
    memory.bytes().set(source, copy.#ptr);
    copy.#capacityBytes = this.#usedBytes;
    copy.#usedBytes = this.#usedBytes;
    copy.#elementCount = this.#elementCount;
    copy.#offsets = this.#offsets.slice(0, this.count);
    copy.count = this.count;
    copy.liveCount = this.liveCount;
    copy.deletedCount = this.deletedCount;
    return copy;
  }

  /** Frees the block; the node is not used again. */
  release(): void {
    if (this.#ptr === 0) return;
    this.#memory.free(this.#ptr);
    this.#ptr = 0;
    this.#capacityBytes = 0;
  }
}

/** Whether two field lists hold the same bytes. */
export function fieldsEqual(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}
