// One stream value: its entries in nodes shaped like Redis 7.0's listpacks, its counters, and
// its consumer groups (groups.ts). Everything a stream command needs to decide and answer lives
// here, with no server, client or reply types, so the commands layer (core/commands/streams.ts)
// parses arguments and writes replies and this module keeps Redis's rules (t_stream.c).
//
// Why nodes, not one sorted array: Redis groups entries into listpack nodes of at most
// stream-node-max-entries entries (tombstones counted) and stream-node-max-bytes bytes, each
// node keyed by its first ("master") ID, and marks deleted entries with a flag instead of
// removing them. Approximate trimming removes whole nodes only, and XINFO reports the node
// count, so replies match Redis only if nodes fill, split and empty exactly as Redis's do:
//
//   nodes (ascending master ID)          a node: a Redis stream listpack (_node.ts)
//   ┌──────────┬──────────┬─────┐        ┌─────────────────────────────────────────────────┐
//   │ node 0   │ node 1   │ …   │        │ master ID, master fields, live / deleted counts │
//   └──────────┴──────────┴─────┘        │ entries ascending: id, fields, values, deleted? │
//    ▲ #head (trimmed nodes leave the     └─────────────────────────────────────────────────┘
//      front; compacted once half dead)
//
// Entries are appended only at the tail (IDs only grow), so a node's entries stay sorted and a
// lookup bisects the nodes by master ID, then the node's entries. A node is the listpack Redis
// would hold, in the memory the stream was given (memory.ts): on a server, engine memory.

import { fieldsEqual, type StreamEntry, StreamNode } from "./_node.ts";
import type { StreamMemory } from "./memory.ts";
import { compareNames, ENTRIES_READ_INVALID, StreamGroup } from "./groups.ts";
import {
  compareIds,
  ID_MAX,
  ID_ZERO,
  idIsZero,
  makeId,
  nextId,
  type StreamId,
  UINT64_MAX,
} from "./id.ts";

/** STREAM_LISTPACK_MAX_SIZE: a node never grows past 1 GiB, whatever the config says. */
export const NODE_SIZE_MAX_BYTES = 1 << 30;
/** Redis's defaults for stream-node-max-bytes and stream-node-max-entries. */
export const NODE_MAX_BYTES_DEFAULT = 4096;
export const NODE_MAX_ENTRIES_DEFAULT = 100;
/** Dead nodes at the front of #nodes tolerated before the array is compacted. */
const HEAD_COMPACT_MIN = 64;

/** When XADD starts a new node (stream-node-max-bytes / -entries; 0 = no limit). */
export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

export const DEFAULT_NODE_LIMITS: NodeLimits = Object.freeze({
  maxBytes: NODE_MAX_BYTES_DEFAULT,
  maxEntries: NODE_MAX_ENTRIES_DEFAULT,
});

export type { StreamEntry };

/** How XADD/XTRIM trim (streamAddTrimArgs). */
export type TrimSpec =
  | { strategy: "maxlen"; maxlen: bigint; approx: boolean; limit: bigint }
  | { strategy: "minid"; minid: StreamId; approx: boolean; limit: bigint };

export class Stream {
  /** Live entries. */
  length = 0;
  /** The greatest ID ever added or set (XSETID); 0-0 before the first. */
  lastId: StreamId = ID_ZERO;
  /** The first live entry's ID as last recorded (Redis's first_id); 0-0 when empty. */
  firstId: StreamId = ID_ZERO;
  /** The greatest ID XDEL removed (max_deleted_entry_id). */
  maxDeletedId: StreamId = ID_ZERO;
  /** Entries ever added (XADD; XSETID ENTRIESADDED sets it). */
  entriesAdded = 0n;
  /** Groups by name (latin1). */
  readonly groups = new Map<string, StreamGroup>();

  #nodes: StreamNode[] = [];
  /** Index of the first node still in use; those before it were trimmed. */
  #head = 0;
  readonly #memory: StreamMemory;

  /** An empty stream whose nodes will live in `memory`. */
  constructor(memory: StreamMemory) {
    this.#memory = memory;
  }

  // ── Nodes ────────────────────────────────────────────────────────────────────────────

  /** Nodes in use (XINFO's radix-tree-keys). */
  get nodeCount(): number {
    return this.#nodes.length - this.#head;
  }

  /**
   * The node count of Redis's radix tree over the nodes' master IDs (XINFO's
   * radix-tree-nodes): one node per shared run of key bytes, per branching point and per key,
   * the root included, over the 128-bit big-endian keys. Computed on demand, O(nodes × 16).
   */
  radixTreeNodeCount(): number {
    const count = this.nodeCount;
    if (count === 0) return 1;
    const keys: Uint8Array[] = [];
    for (let n = 0; n < count; n++) keys.push(radixKey(this.#node(n).masterId));
    return radixNodes(keys, 0, count, 0);
  }

  #node(index: number): StreamNode {
    return this.#nodes[this.#head + index];
  }

  /** Index (from #head) of the last node whose master ID <= id, or -1. */
  #nodeAtOrBefore(id: StreamId): number {
    let lo = this.#head;
    let hi = this.#nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIds(this.#nodes[mid].masterId, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1 - this.#head;
  }

  #removeNode(index: number): void {
    this.#node(index).release();
    if (index === 0) {
      this.#nodes[this.#head] = undefined as unknown as StreamNode;
      this.#head++;
      if (this.#head >= HEAD_COMPACT_MIN && this.#head * 2 >= this.#nodes.length) {
        this.#nodes = this.#nodes.slice(this.#head);
        this.#head = 0;
      }
      return;
    }
    this.#nodes.splice(this.#head + index, 1);
  }

  // ── Adding ───────────────────────────────────────────────────────────────────────────

  /**
   * The ID XADD `*` gives (streamNextID): nowMs with sequence 0 when the clock is ahead of the
   * last ID, else the last ID's successor (null when the last ID is the largest one).
   */
  autoId(nowMs: number): StreamId | null {
    const ms = BigInt(nowMs);
    if (ms > this.lastId.ms) return makeId(ms, 0n);
    return nextId(this.lastId);
  }

  /**
   * The ID XADD `<ms>-*` gives: the last ID's successor in the same millisecond, else ms-0;
   * null when the sequence would overflow.
   */
  autoSeqId(ms: bigint): StreamId | null {
    if (this.lastId.ms !== ms) return makeId(ms, 0n);
    if (this.lastId.seq === UINT64_MAX) return null;
    return makeId(ms, this.lastId.seq + 1n);
  }

  /**
   * Appends an entry (streamAppendItem). The caller has checked id > lastId; `pairs` is
   * field, value, field, value … (copied here: the caller may reuse their bytes).
   */
  append(id: StreamId, pairs: readonly Uint8Array[], limits: NodeLimits): void {
    const fieldCount = pairs.length >>> 1;
    let rawBytes = 0;
    for (const part of pairs) rawBytes += part.length;
    let tail = this.nodeCount > 0 ? this.#node(this.nodeCount - 1) : null;
    if (tail !== null) {
      const maxBytes = limits.maxBytes === 0 || limits.maxBytes > NODE_SIZE_MAX_BYTES
        ? NODE_SIZE_MAX_BYTES
        : limits.maxBytes;
      const full = tail.sizeBytes + rawBytes >= maxBytes ||
        (limits.maxEntries > 0 && tail.liveCount + tail.deletedCount >= limits.maxEntries);
      if (full) {
        tail.shrink();
        tail = null;
      }
    }
    const fields: Uint8Array[] = [];
    for (let i = 0; i < fieldCount; i++) fields.push(pairs[2 * i]);
    if (tail === null) {
      const node = StreamNode.create(this.#memory, id, fields);
      try {
        node.append(id, pairs, true);
      } catch (error) {
        node.release();
        throw error;
      }
      this.#nodes.push(node);
    } else {
      tail.append(id, pairs, fieldsEqual(tail.masterFields, fields));
    }
    this.length++;
    this.entriesAdded++;
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  // ── Reading ──────────────────────────────────────────────────────────────────────────

  /**
   * Live entries with start <= id <= end, ascending (or descending when `rev`), at most `count`
   * (0 = all). The streamIterator walk.
   */
  range(start: StreamId, end: StreamId, rev: boolean, count: number): StreamEntry[] {
    const found: StreamEntry[] = [];
    if (this.nodeCount === 0 || compareIds(start, end) > 0) return found;
    if (!rev) {
      let n = Math.max(this.#nodeAtOrBefore(start), 0);
      let i = this.#node(n).lowerBound(start);
      for (; n < this.nodeCount; n++, i = 0) {
        const node = this.#node(n);
        for (; i < node.count; i++) {
          if (node.isDeleted(i)) continue;
          if (node.compareAt(i, end) > 0) return found;
          found.push(node.entryAt(i));
          if (found.length === count) return found;
        }
      }
      return found;
    }
    let n = this.#nodeAtOrBefore(end);
    if (n < 0) return found;
    let i = this.#node(n).upperBound(end) - 1;
    for (; n >= 0; n--, i = n >= 0 ? this.#node(n).count - 1 : 0) {
      const node = this.#node(n);
      for (; i >= 0; i--) {
        if (node.isDeleted(i)) continue;
        if (node.compareAt(i, start) < 0) return found;
        found.push(node.entryAt(i));
        if (found.length === count) return found;
      }
    }
    return found;
  }

  /** The live entry with this ID, or null. */
  entry(id: StreamId): StreamEntry | null {
    const n = this.#nodeAtOrBefore(id);
    if (n < 0) return null;
    const node = this.#node(n);
    const i = node.lowerBound(id);
    if (i >= node.count || node.compareAt(i, id) !== 0 || node.isDeleted(i)) return null;
    return node.entryAt(i);
  }

  /** Whether a live entry has this ID (streamEntryExists), without building it. */
  hasEntry(id: StreamId): boolean {
    const n = this.#nodeAtOrBefore(id);
    if (n < 0) return false;
    const node = this.#node(n);
    const i = node.lowerBound(id);
    return i < node.count && node.compareAt(i, id) === 0 && !node.isDeleted(i);
  }

  /** The last live entry's ID (streamLastValidID); 0-0 when empty. */
  lastValidId(): StreamId {
    return this.range(ID_ZERO, ID_MAX, true, 1)[0]?.id ?? ID_ZERO;
  }

  /**
   * streamGetEdgeID: the first (or last) entry's ID, tombstones included unless
   * `skipTombstones`; when there is none, the largest ID for `first`, 0-0 for last.
   */
  edgeId(first: boolean, skipTombstones: boolean): StreamId {
    for (let step = 0; step < this.nodeCount; step++) {
      const node = this.#node(first ? step : this.nodeCount - 1 - step);
      for (let k = 0; k < node.count; k++) {
        const i = first ? k : node.count - 1 - k;
        if (!skipTombstones || !node.isDeleted(i)) return node.idAt(i);
      }
    }
    return first ? ID_MAX : ID_ZERO;
  }

  // ── Deleting ─────────────────────────────────────────────────────────────────────────

  /** Marks one live entry deleted (streamDeleteItem); false when it is not there. */
  #deleteEntry(id: StreamId): boolean {
    const n = this.#nodeAtOrBefore(id);
    if (n < 0) return false;
    const node = this.#node(n);
    const i = node.lowerBound(id);
    if (i >= node.count || node.compareAt(i, id) !== 0 || node.isDeleted(i)) return false;
    if (node.liveCount === 1) this.#removeNode(n);
    else {
      // Counts first: the one step that may need memory, so OOM leaves the entry as it was.
      node.setCounts(node.liveCount - 1, node.deletedCount + 1);
      node.markDeleted(i);
    }
    this.length--;
    return true;
  }

  /** XDEL: deletes the entries with these IDs; returns how many existed. */
  deleteIds(ids: readonly StreamId[]): number {
    let deleted = 0;
    let firstDeleted = false;
    for (const id of ids) {
      if (!this.#deleteEntry(id)) continue;
      if (compareIds(id, this.firstId) === 0) firstDeleted = true;
      if (compareIds(id, this.maxDeletedId) > 0) this.maxDeletedId = id;
      deleted++;
    }
    if (deleted > 0) {
      if (this.length === 0) this.firstId = ID_ZERO;
      else if (firstDeleted) this.firstId = this.edgeId(true, true);
    }
    return deleted;
  }

  /**
   * Trims from the head (streamTrim): whole nodes while they fit the strategy, then (unless
   * approximate) entries of the next node. `limit` > 0 caps the entries removed, whole nodes
   * only. Returns the entries removed.
   */
  trim(spec: TrimSpec): number {
    const limit = spec.limit;
    let deleted = 0;
    while (this.nodeCount > 0) {
      if (spec.strategy === "maxlen" && BigInt(this.length) <= spec.maxlen) break;
      const node = this.#node(0);
      const entries = node.liveCount;
      if (limit > 0n && BigInt(deleted + entries) > limit) break;
      const removeNode = spec.strategy === "maxlen"
        ? BigInt(this.length - entries) >= spec.maxlen
        : node.compareAt(node.count - 1, spec.minid) < 0;
      if (removeNode) {
        this.#removeNode(0);
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (spec.approx) break;
      // Which entries go is decided first and the counts rewritten before any flag, so OOM
      // (the counts may need a byte more) leaves the node as it was.
      let deletedFromNode = 0;
      let end = 0;
      for (; end < node.count; end++) {
        const stop = spec.strategy === "maxlen"
          ? BigInt(this.length - deletedFromNode) <= spec.maxlen
          : node.compareAt(end, spec.minid) >= 0;
        if (stop) break;
        if (!node.isDeleted(end)) deletedFromNode++;
      }
      node.setCounts(entries - deletedFromNode, node.deletedCount + deletedFromNode);
      for (let i = 0; i < end; i++) node.markDeleted(i);
      this.length -= deletedFromNode;
      deleted += deletedFromNode;
      break;
    }
    if (this.length === 0) this.firstId = ID_ZERO;
    else if (deleted > 0) this.firstId = this.edgeId(true, true);
    return deleted;
  }

  // ── Consumer groups: entries-read and lag (7.0) ──────────────────────────────────────

  /** A new group, or null when the name is taken (streamCreateCG). */
  createGroup(name: string, lastId: StreamId, entriesRead: bigint): StreamGroup | null {
    if (this.groups.has(name)) return null;
    const group = new StreamGroup(name, lastId, entriesRead);
    this.groups.set(name, group);
    return group;
  }

  /** Groups sorted by name in byte order. */
  sortedGroups(): StreamGroup[] {
    return [...this.groups.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** streamRangeHasTombstones: whether an XDEL hole may lie within [start, end]. */
  rangeHasTombstones(start: StreamId, end: StreamId = ID_MAX): boolean {
    if (this.length === 0 || idIsZero(this.maxDeletedId)) return false;
    if (compareIds(this.firstId, this.maxDeletedId) > 0) return false;
    return compareIds(start, this.maxDeletedId) <= 0 && compareIds(this.maxDeletedId, end) <= 0;
  }

  /**
   * streamEstimateDistanceFromFirstEverEntry: the entries-read value of `id`, when it can be
   * known; ENTRIES_READ_INVALID otherwise.
   */
  estimateEntriesRead(id: StreamId): bigint {
    if (this.entriesAdded === 0n) return 0n;
    if (this.length === 0 && compareIds(id, this.lastId) < 1) return this.entriesAdded;
    const cmpLast = compareIds(id, this.lastId);
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return ENTRIES_READ_INVALID;
    const cmpFirst = compareIds(id, this.firstId);
    if (idIsZero(this.maxDeletedId) || compareIds(this.maxDeletedId, this.firstId) < 0) {
      if (cmpFirst < 0) return this.entriesAdded - BigInt(this.length);
      if (cmpFirst === 0) return this.entriesAdded - BigInt(this.length) + 1n;
    }
    return ENTRIES_READ_INVALID;
  }

  /** The group's lag (streamReplyWithCGLag), or null when it cannot be known. */
  groupLag(group: StreamGroup): bigint | null {
    if (this.entriesAdded === 0n) return 0n;
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(group.lastId)) {
      return BigInt.asIntN(64, this.entriesAdded - group.entriesRead);
    }
    const entriesRead = this.estimateEntriesRead(group.lastId);
    if (entriesRead === ENTRIES_READ_INVALID) return null;
    return BigInt.asIntN(64, this.entriesAdded - entriesRead);
  }

  /**
   * Moves a group's last-delivered ID forward to an entry it is delivering, updating its
   * entries-read as streamReplyWithRange does. Returns true when the ID moved.
   */
  advanceGroup(group: StreamGroup, id: StreamId): boolean {
    if (compareIds(id, group.lastId) <= 0) return false;
    if (group.entriesRead !== ENTRIES_READ_INVALID && !this.rangeHasTombstones(id)) {
      group.entriesRead++;
    } else if (this.entriesAdded !== 0n) {
      group.entriesRead = this.estimateEntriesRead(id);
    }
    group.lastId = id;
    return true;
  }

  // ── Copies and loading ───────────────────────────────────────────────────────────────

  /**
   * A deep copy (COPY) in `memory` (this stream's by default): entries keep their node layout;
   * groups are copied whole. Throws, having allocated nothing, when memory runs out.
   */
  clone(memory: StreamMemory = this.#memory): Stream {
    const copy = new Stream(memory);
    copy.length = this.length;
    copy.lastId = this.lastId;
    copy.firstId = this.firstId;
    copy.maxDeletedId = this.maxDeletedId;
    copy.entriesAdded = this.entriesAdded;
    try {
      for (let n = 0; n < this.nodeCount; n++) copy.#nodes.push(this.#node(n).clone(memory));
    } catch (error) {
      copy.release();
      throw error;
    }
    for (const [name, group] of this.groups) copy.groups.set(name, group.clone());
    return copy;
  }

  /** Gives every node's memory back; the stream is not used again (its key is gone). */
  release(): void {
    for (let n = 0; n < this.nodeCount; n++) this.#node(n).release();
    this.#nodes = [];
    this.#head = 0;
  }

  /** Each node's master ID and listpack bytes (copies), in order: what RDB writes. */
  nodeListpacks(): { masterId: StreamId; listpack: Uint8Array }[] {
    const nodes = [];
    for (let n = 0; n < this.nodeCount; n++) {
      const node = this.#node(n);
      nodes.push({ masterId: node.masterId, listpack: node.listpack() });
    }
    return nodes;
  }

  /**
   * Adds a node RDB carried (a checked stream listpack whose IDs follow every ID held), with
   * its deleted entries and its boundaries as the writer had them. The stream's counters
   * (length included) are the loader's to set. Throws on OOM, the stream unchanged.
   */
  appendListpack(masterId: StreamId, listpack: Uint8Array): void {
    const tail = this.nodeCount > 0 ? this.#node(this.nodeCount - 1) : null;
    tail?.shrink();
    this.#nodes.push(StreamNode.fromListpack(this.#memory, masterId, listpack));
  }

  /** Every live entry ascending (a snapshot's record of the stream). */
  liveEntries(): StreamEntry[] {
    return this.range(ID_ZERO, ID_MAX, false, 0);
  }
}

/** Bytes of a radix tree key: ms then seq, big-endian. */
const RADIX_KEY_BYTES = 16;

function radixKey(id: StreamId): Uint8Array {
  const key = new Uint8Array(RADIX_KEY_BYTES);
  const view = new DataView(key.buffer);
  view.setBigUint64(0, id.ms);
  view.setBigUint64(8, id.seq);
  return key;
}

/**
 * Radix tree nodes holding keys[lo, hi) (sorted, sharing their first `depth` bytes): a run of
 * bytes they all share is one node, a byte where they part is one branching node, and each key
 * ends in a node of its own.
 */
function radixNodes(keys: readonly Uint8Array[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth < RADIX_KEY_BYTES ? 2 : 1;
  const first = keys[lo];
  const last = keys[hi - 1];
  let shared = depth;
  while (shared < RADIX_KEY_BYTES && first[shared] === last[shared]) shared++;
  if (shared > depth) return 1 + radixNodes(keys, lo, hi, shared);
  let nodes = 1;
  for (let i = lo; i < hi;) {
    let j = i + 1;
    while (j < hi && keys[j][depth] === keys[i][depth]) j++;
    nodes += radixNodes(keys, i, j, depth + 1);
    i = j;
  }
  return nodes;
}
