// One node of a stream: what a Redis listpack node holds (a master ID and master fields, then
// entries in ID order, deleted ones kept as tombstones), packed into a few typed arrays so an
// entry costs about its own bytes plus 21 — not a handful of JS objects, which is what made a
// stream of small entries take ten times Redis's memory. Entries are materialized as
// StreamEntry objects only when read.
//
//   ms, seq   BigUint64Array   entry i's ID                       (capacity grows ×2)
//   flags     Uint8Array       bit 0 deleted, bit 1 same fields as the master entry
//   partStart Uint32Array      entry i's parts are parts[partStart[i] .. partStart[i + 1])
//   partEnd   Uint32Array      part j is data[partEnd[j - 1] .. partEnd[j])   (j = 0: from 0)
//   data      Uint8Array       every part's bytes, back to back
//
// An entry with the master's fields stores its values only; another stores field, value,
// field, value. Appends go at the end; once XADD moves on to a new node, shrink() trims the
// spare capacity (Redis's lpShrinkToFit).

import type { StreamId } from "./id.ts";

/** An entry as read: views into the node's bytes, valid as long as the stream keeps it. */
export interface StreamEntry {
  readonly id: StreamId;
  readonly fields: readonly Uint8Array[];
  readonly values: readonly Uint8Array[];
}

const FLAG_DELETED = 1;
const FLAG_SAME_FIELDS = 2;
/** First capacities: entries, and data bytes. */
const ENTRY_CAPACITY_MIN = 4;
const DATA_CAPACITY_MIN = 64;

export class StreamNode {
  readonly masterId: StreamId;
  readonly masterFields: readonly Uint8Array[];
  /** Entries held, tombstones included. */
  count = 0;
  liveCount = 0;
  deletedCount = 0;
  /** The listpack's lpBytes in Redis (kept by the stream, _node_size.ts). */
  sizeBytes = 0;

  #ms: BigUint64Array;
  #seq: BigUint64Array;
  #flags: Uint8Array;
  #partStart: Uint32Array;
  #partEnd: Uint32Array;
  #partCount = 0;
  #data: Uint8Array;
  #dataBytes = 0;

  /** `masterFields` must be bytes the node may keep. */
  constructor(masterId: StreamId, masterFields: readonly Uint8Array[]) {
    this.masterId = masterId;
    this.masterFields = masterFields;
    this.#ms = new BigUint64Array(ENTRY_CAPACITY_MIN);
    this.#seq = new BigUint64Array(ENTRY_CAPACITY_MIN);
    this.#flags = new Uint8Array(ENTRY_CAPACITY_MIN);
    this.#partStart = new Uint32Array(ENTRY_CAPACITY_MIN + 1);
    this.#partEnd = new Uint32Array(ENTRY_CAPACITY_MIN * 2);
    this.#data = new Uint8Array(DATA_CAPACITY_MIN);
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────

  idAt(i: number): StreamId {
    return { ms: this.#ms[i], seq: this.#seq[i] };
  }

  isDeleted(i: number): boolean {
    return (this.#flags[i] & FLAG_DELETED) !== 0;
  }

  /** -1, 0, 1 as entry i's ID is below, equal to, above `id`, without building an ID. */
  compareAt(i: number, id: StreamId): number {
    const ms = this.#ms[i];
    if (ms !== id.ms) return ms < id.ms ? -1 : 1;
    const seq = this.#seq[i];
    if (seq !== id.seq) return seq < id.seq ? -1 : 1;
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

  /** Entry i as an object with views into the node's bytes. */
  entryAt(i: number): StreamEntry {
    const first = this.#partStart[i];
    const end = this.#partStart[i + 1];
    const values: Uint8Array[] = [];
    if ((this.#flags[i] & FLAG_SAME_FIELDS) !== 0) {
      for (let j = first; j < end; j++) values.push(this.#part(j));
      return { id: this.idAt(i), fields: this.masterFields, values };
    }
    const fields: Uint8Array[] = [];
    for (let j = first; j < end; j += 2) {
      fields.push(this.#part(j));
      values.push(this.#part(j + 1));
    }
    return { id: this.idAt(i), fields, values };
  }

  #part(j: number): Uint8Array {
    const start = j === 0 ? 0 : this.#partEnd[j - 1];
    return this.#data.subarray(start, this.#partEnd[j]);
  }

  // ── Writing ──────────────────────────────────────────────────────────────────────────

  /**
   * Appends an entry (its ID above every ID held): `pairs` is field, value, …; with
   * `sameFields` only the values are stored. The bytes are copied.
   */
  append(id: StreamId, pairs: readonly Uint8Array[], sameFields: boolean): void {
    const i = this.count;
    if (i === this.#ms.length) this.#growEntries(i * 2);
    const partCount = sameFields ? pairs.length >>> 1 : pairs.length;
    if (this.#partCount + partCount > this.#partEnd.length) {
      this.#partEnd = grown(
        this.#partEnd,
        Math.max(this.#partEnd.length * 2, this.#partCount + partCount),
      );
    }
    let bytes = 0;
    for (let k = sameFields ? 1 : 0; k < pairs.length; k += sameFields ? 2 : 1) {
      bytes += pairs[k].length;
    }
    if (this.#dataBytes + bytes > this.#data.length) {
      const data = new Uint8Array(Math.max(this.#data.length * 2, this.#dataBytes + bytes));
      data.set(this.#data.subarray(0, this.#dataBytes));
      this.#data = data;
    }
    this.#ms[i] = id.ms;
    this.#seq[i] = id.seq;
    this.#flags[i] = sameFields ? FLAG_SAME_FIELDS : 0;
    this.#partStart[i] = this.#partCount;
    for (let k = sameFields ? 1 : 0; k < pairs.length; k += sameFields ? 2 : 1) {
      const part = pairs[k];
      this.#data.set(part, this.#dataBytes);
      this.#dataBytes += part.length;
      this.#partEnd[this.#partCount++] = this.#dataBytes;
    }
    this.#partStart[i + 1] = this.#partCount;
    this.count = i + 1;
  }

  /** Marks entry i deleted; false when it already was. (Counters are the stream's to set.) */
  markDeleted(i: number): boolean {
    if ((this.#flags[i] & FLAG_DELETED) !== 0) return false;
    this.#flags[i] |= FLAG_DELETED;
    return true;
  }

  /** Gives back spare capacity: the node takes no more appends. */
  shrink(): void {
    const n = this.count;
    if (this.#ms.length > n) this.#growEntries(n);
    if (this.#partEnd.length > this.#partCount) {
      this.#partEnd = this.#partEnd.slice(0, this.#partCount);
    }
    if (this.#data.length > this.#dataBytes) this.#data = this.#data.slice(0, this.#dataBytes);
  }

  #growEntries(capacity: number): void {
    const ms = new BigUint64Array(capacity);
    ms.set(this.#ms.subarray(0, this.count));
    this.#ms = ms;
    const seq = new BigUint64Array(capacity);
    seq.set(this.#seq.subarray(0, this.count));
    this.#seq = seq;
    const flags = new Uint8Array(capacity);
    flags.set(this.#flags.subarray(0, this.count));
    this.#flags = flags;
    this.#partStart = grown(this.#partStart, capacity + 1);
  }

  /** A copy sharing nothing mutable (COPY). */
  clone(): StreamNode {
    const copy = new StreamNode(this.masterId, this.masterFields);
    copy.count = this.count;
    copy.liveCount = this.liveCount;
    copy.deletedCount = this.deletedCount;
    copy.sizeBytes = this.sizeBytes;
    copy.#ms = this.#ms.slice();
    copy.#seq = this.#seq.slice();
    copy.#flags = this.#flags.slice();
    copy.#partStart = this.#partStart.slice();
    copy.#partEnd = this.#partEnd.slice();
    copy.#partCount = this.#partCount;
    copy.#data = this.#data.slice();
    copy.#dataBytes = this.#dataBytes;
    return copy;
  }
}

/** A Uint32Array of `length` holding `array`'s first elements (as many as fit). */
function grown(array: Uint32Array, length: number): Uint32Array {
  const copy = new Uint32Array(length);
  copy.set(array.subarray(0, Math.min(array.length, length)));
  return copy;
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
