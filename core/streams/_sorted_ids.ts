// An ordered map from stream IDs to values: the shape of Redis's PEL radix trees (a group's and
// each consumer's pending entries), which are read in ID order from a start ID (XPENDING,
// XAUTOCLAIM, XREADGROUP history) and looked up by ID (XACK, XCLAIM).
//
// Two parallel arrays kept sorted, searched by bisection. The common traffic is FIFO: XREADGROUP
// delivers ascending IDs (an append) and consumers acknowledge the oldest first (a removal at
// the front, which only moves #head: the dead prefix is dropped once it is half the arrays).
// Inserts and removals elsewhere move the tail, O(n), cheap next to a command's other work for
// PELs of realistic size.
//
//   #ids / #values   [ dead … dead │ live, ascending by ID ]
//                                  ▲ #head

import { compareIds, type StreamId } from "./id.ts";

/** Dead slots at the front tolerated before the arrays are compacted. */
const HEAD_COMPACT_MIN = 1024;

export class SortedIdMap<V> {
  #ids: StreamId[] = [];
  #values: V[] = [];
  #head = 0;

  get size(): number {
    return this.#ids.length - this.#head;
  }

  /** Index (from the first live entry) of the first ID >= id (size when none). */
  lowerBound(id: StreamId): number {
    let lo = this.#head;
    let hi = this.#ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.#ids[mid], id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - this.#head;
  }

  get(id: StreamId): V | undefined {
    const i = this.lowerBound(id);
    if (i >= this.size || compareIds(this.idAt(i), id) !== 0) return undefined;
    return this.valueAt(i);
  }

  has(id: StreamId): boolean {
    return this.get(id) !== undefined;
  }

  /** Inserts or replaces; returns true when the ID was new. */
  set(id: StreamId, value: V): boolean {
    const n = this.#ids.length;
    if (n === this.#head || compareIds(this.#ids[n - 1], id) < 0) {
      this.#ids.push(id);
      this.#values.push(value);
      return true;
    }
    const i = this.lowerBound(id);
    if (i < this.size && compareIds(this.idAt(i), id) === 0) {
      this.#values[this.#head + i] = value;
      return false;
    }
    this.#ids.splice(this.#head + i, 0, id);
    this.#values.splice(this.#head + i, 0, value);
    return true;
  }

  delete(id: StreamId): boolean {
    const i = this.lowerBound(id);
    if (i >= this.size || compareIds(this.idAt(i), id) !== 0) return false;
    if (i > 0) {
      this.#ids.splice(this.#head + i, 1);
      this.#values.splice(this.#head + i, 1);
      return true;
    }
    this.#values[this.#head] = undefined as V;
    this.#head++;
    if (this.#head === this.#ids.length) {
      this.#ids = [];
      this.#values = [];
      this.#head = 0;
    } else if (this.#head >= HEAD_COMPACT_MIN && this.#head * 2 >= this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
    return true;
  }

  idAt(index: number): StreamId {
    return this.#ids[this.#head + index];
  }

  valueAt(index: number): V {
    return this.#values[this.#head + index];
  }

  /** The IDs ascending, as a copy. */
  ids(): StreamId[] {
    return this.#ids.slice(this.#head);
  }
}
