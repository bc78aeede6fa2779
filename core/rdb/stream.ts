// Streams inside RDB types 15 and 19 (t_stream.c): the listpack nodes that hold the entries,
// decoded with full validation and encoded exactly as XADDs on a fresh Redis 7.0 stream build
// them; the stream ID helpers; and the rules a whole stream record keeps, which the reader
// checks on load and the writer asserts before it writes. The RDB framing around the nodes
// (lengths, IDs, groups, PELs) is the reader's and the writer's.
//
// A stream is a radix tree of nodes. A node's key is its master ID — the ID of the first entry
// ever put in it — as 16 bytes, ms then seq, each big endian, so keys sort as IDs do. Each
// node is one listpack:
//
//   master    +-------+---------+------------+---------+-----+---------+---+
//             | count | deleted | num-fields | field_1 | ... | field_N | 0 |
//             +-------+---------+------------+---------+-----+---------+---+
//   entry     +-------+----------+-----------+------------+---------+---------+-----+----------+
//             | flags | ms-delta | seq-delta | num-fields | field_1 | value_1 | ... | lp-count |
//             +-------+----------+-----------+------------+---------+---------+-----+----------+
//   entry     +-------+----------+-----------+---------+-----+---------+----------+
//   with      | flags | ms-delta | seq-delta | value_1 | ... | value_N | lp-count |
//   SAMEFIELDS+-------+----------+-----------+---------+-----+---------+----------+
//
// - count / deleted: the node's live entries / entries flagged DELETED. XDEL and trimming only
//   flag an entry; a node is dropped with its last live entry, so count ≥ 1 and the first entry
//   (live or not) always has the master ID.
// - ms-delta / seq-delta: entry ID minus master ID, per part, as int64 (the uint64 difference
//   wraps: seq-delta is negative once ms grew; ms-delta too when it exceeds 2^63).
// - SAMEFIELDS: the entry's field names are the master entry's; only values are stored. The
//   first entry of a node always has it (its fields made the master entry).
// - lp-count: elements of the entry before it (3 + N with SAMEFIELDS, else 4 + 2N), so the node
//   can be walked backwards.
// - Numbers are integer listpack entries. Redis also reads a string entry holding an integer's
//   canonical text as that integer (lpGetIntegerIfValid), and so does the decoder.
//
// A new node starts (streamAppendItem) when the tail node's lpBytes + the new entry's field and
// value bytes would reach stream-node-max-bytes, or it holds stream-node-max-entries entries.
// The encoder gets only live entries, so it lays them out as that fresh XADD sequence would; a
// Redis stream that had deletions, or was filled under other node limits, keeps tombstones and
// older node boundaries a file written here lacks (same entries, IDs, counters and groups: only
// XINFO's radix-tree counts and approximate trimming can tell).

import { latin1 } from "../bytes.ts";
import {
  STREAM_ENTRIES_READ_INVALID,
  STREAM_ID_SIZE_BYTES,
  STREAM_ITEM_FLAG_DELETED,
  STREAM_ITEM_FLAG_NONE,
  STREAM_ITEM_FLAG_SAMEFIELDS,
  STREAM_LISTPACK_MAX_SIZE_BYTES,
  STREAM_NODE_MAX_BYTES_DEFAULT,
  STREAM_NODE_MAX_ENTRIES_DEFAULT,
} from "./_codes.ts";
import { INT64_MAX, INT64_MIN, parseCanonicalInt64 } from "./_int.ts";
import { BlobFormatError } from "./errors.ts";
import {
  decodeListpack,
  ListpackBuilder,
  listpackEntrySizeBytes,
  listpackIntegerEntrySizeBytes,
  LP_HEADER_SIZE_BYTES,
} from "./listpack.ts";
import type { RdbStream, RdbStreamEntry, RdbStreamId, RdbStreamNode } from "./types.ts";

/** Largest ID part (ms or seq): a uint64. */
export const STREAM_ID_PART_MAX = 2n ** 64n - 1n;
/** The ID Redis 7.0 records as the first one of an empty type-15 stream (streamGetEdgeID). */
export const STREAM_ID_MAX: Readonly<RdbStreamId> = Object.freeze({
  ms: STREAM_ID_PART_MAX,
  seq: STREAM_ID_PART_MAX,
});
/** Elements of an entry besides fields and values: flags, ms-delta, seq-delta. */
const ENTRY_FIXED_ELEMENT_COUNT = 3;
/** Elements every entry has at least: the fixed ones and lp-count. */
const ENTRY_ELEMENT_COUNT_MIN = ENTRY_FIXED_ELEMENT_COUNT + 1;
/** The flags a node entry may carry. */
const ENTRY_FLAGS_KNOWN = STREAM_ITEM_FLAG_DELETED | STREAM_ITEM_FLAG_SAMEFIELDS;
/** A listpack's total size is a uint32 (lpBytes). */
const LISTPACK_SIZE_MAX_BYTES = 0xffffffff;

// --- IDs ---------------------------------------------------------------------------------

/**
 * Orders two stream IDs: negative, zero or positive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareStreamIds } from "./stream.ts";
 * assert.equal(compareStreamIds({ ms: 1n, seq: 9n }, { ms: 2n, seq: 0n }) < 0, true);
 * ```
 */
export function compareStreamIds(a: RdbStreamId, b: RdbStreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

/** "ms-seq", as Redis prints an ID. */
export function streamIdText(id: RdbStreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** True when both parts are uint64 bigints. */
export function isStreamId(id: RdbStreamId): boolean {
  return typeof id.ms === "bigint" && typeof id.seq === "bigint" &&
    id.ms >= 0n && id.ms <= STREAM_ID_PART_MAX && id.seq >= 0n && id.seq <= STREAM_ID_PART_MAX;
}

/**
 * The 16-byte form of an ID (node keys, PEL entries): ms then seq, big endian.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStreamId, encodeStreamId } from "./stream.ts";
 * const bytes = encodeStreamId({ ms: 258n, seq: 1n });
 * assert.deepEqual([...bytes.subarray(6, 8)], [1, 2]);
 * assert.deepEqual(decodeStreamId(bytes, 0), { ms: 258n, seq: 1n });
 * ```
 */
export function encodeStreamId(id: RdbStreamId): Uint8Array {
  const out = new Uint8Array(STREAM_ID_SIZE_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, id.ms, false);
  view.setBigUint64(8, id.seq, false);
  return out;
}

/** The ID in the 16 bytes at `bytes[at]` (see `encodeStreamId`). */
export function decodeStreamId(bytes: Uint8Array, at: number): RdbStreamId {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { ms: view.getBigUint64(at, false), seq: view.getBigUint64(at + 8, false) };
}

// --- decoding a node ---------------------------------------------------------------------

/**
 * Decodes one node: checks it as `streamValidateListpackIntegrity` does with deep
 * sanitization, and more — counts match the flags, IDs ascend from the node key (the first
 * entry's ID is the key) and stay above `afterId` (the previous node's last ID), lp-counts are
 * right, nothing follows the last entry. Appends the live entries to `live` (entries with the
 * same fields as the master share its field arrays) and returns the node's last ID, deleted
 * entries included. Throws BlobFormatError naming the offset of the bad element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeStreamNode, encodeStreamNodes } from "./stream.ts";
 * const fields = [{ field: new TextEncoder().encode("f"), value: new TextEncoder().encode("v") }];
 * const entries = [{ id: { ms: 5n, seq: 0n }, fields }, { id: { ms: 5n, seq: 1n }, fields }];
 * const [node] = encodeStreamNodes(entries);
 * const live: typeof entries = [];
 * assert.deepEqual(decodeStreamNode({ ms: 5n, seq: 0n }, node.listpack, null, live), {
 *   ms: 5n,
 *   seq: 1n,
 * });
 * assert.deepEqual(live, entries);
 * ```
 */
export function decodeStreamNode(
  masterId: RdbStreamId,
  listpack: Uint8Array,
  afterId: RdbStreamId | null,
  live: RdbStreamEntry[],
): RdbStreamId {
  const offsets: number[] = [];
  const elements = decodeListpack(listpack, offsets);
  const terminatorAt = listpack.length - 1;
  let index = 0;
  /** Offset of the element about to be read (the terminator once all are read). */
  const here = () => (index < offsets.length ? offsets[index] : terminatorAt);
  const remaining = () => elements.length - index;
  const take = (what: string): Uint8Array => {
    if (index >= elements.length) {
      throw new BlobFormatError(terminatorAt, `stream node ends inside ${what}`);
    }
    return elements[index++];
  };
  const integer = (what: string): bigint => {
    const at = here();
    const value = parseCanonicalInt64(take(what));
    if (value === null) throw new BlobFormatError(at, `stream node ${what} is no integer`);
    return BigInt(value);
  };
  /** An integer in 0 ..= max, as a number. */
  const count = (what: string, max: number): number => {
    const at = here();
    const value = integer(what);
    if (value < 0n || value > BigInt(max)) {
      throw new BlobFormatError(at, `stream node ${what} ${value} is outside 0..${max}`);
    }
    return Number(value);
  };

  // The master entry.
  const countAt = here();
  const liveCount = count("live entry count", remaining());
  if (liveCount === 0) throw new BlobFormatError(countAt, "stream node has no live entry");
  const deletedAt = here();
  const deletedCount = count("deleted entry count", remaining());
  const masterFieldCount = count("master field count", remaining());
  const masterFields: Uint8Array[] = [];
  for (let field = 0; field < masterFieldCount; field++) {
    masterFields.push(take("the master fields"));
  }
  const terminatorOfMasterAt = here();
  if (integer("master entry terminator") !== 0n) {
    throw new BlobFormatError(terminatorOfMasterAt, "stream node master entry does not end in 0");
  }
  const entryCount = liveCount + deletedCount;
  if (entryCount * ENTRY_ELEMENT_COUNT_MIN > remaining()) {
    throw new BlobFormatError(
      countAt,
      `stream node declares ${entryCount} entries but holds ${remaining()} more elements`,
    );
  }

  // The entries.
  let previous = afterId;
  let liveSeen = 0;
  for (let entryIndex = 0; entryIndex < entryCount; entryIndex++) {
    const entryAt = here();
    const flags = integer("entry flags");
    if (flags < 0n || (flags & ~BigInt(ENTRY_FLAGS_KNOWN)) !== 0n) {
      throw new BlobFormatError(entryAt, `stream entry has unknown flags ${flags}`);
    }
    const msDelta = integer("entry ms-delta");
    const seqDelta = integer("entry seq-delta");
    const id = {
      ms: BigInt.asUintN(64, masterId.ms + msDelta),
      seq: BigInt.asUintN(64, masterId.seq + seqDelta),
    };
    if (entryIndex === 0 && compareStreamIds(id, masterId) !== 0) {
      throw new BlobFormatError(
        entryAt,
        `stream node's first entry ${streamIdText(id)} is not its key ${streamIdText(masterId)}`,
      );
    }
    if (previous !== null && compareStreamIds(id, previous) <= 0) {
      throw new BlobFormatError(
        entryAt,
        `stream entry ${streamIdText(id)} does not follow ${streamIdText(previous)}`,
      );
    }
    previous = id;
    const sameFields = (flags & BigInt(STREAM_ITEM_FLAG_SAMEFIELDS)) !== 0n;
    const fieldCount = sameFields
      ? masterFieldCount
      : count("entry field count", Math.floor(remaining() / 2));
    const fields: RdbStreamEntry["fields"] = [];
    for (let field = 0; field < fieldCount; field++) {
      const name = sameFields ? masterFields[field] : take("an entry's fields");
      fields.push({ field: name, value: take("an entry's values") });
    }
    const lpCountAt = here();
    const lpCount = integer("entry lp-count");
    const expected = ENTRY_FIXED_ELEMENT_COUNT + (sameFields ? fieldCount : 1 + 2 * fieldCount);
    if (lpCount !== BigInt(expected)) {
      throw new BlobFormatError(lpCountAt, `stream entry lp-count ${lpCount}, not ${expected}`);
    }
    if ((flags & BigInt(STREAM_ITEM_FLAG_DELETED)) !== 0n) continue;
    live.push({ id, fields });
    liveSeen++;
  }
  if (remaining() !== 0) {
    throw new BlobFormatError(here(), `${remaining()} elements after the stream node's entries`);
  }
  if (liveSeen !== liveCount) {
    throw new BlobFormatError(
      deletedAt,
      `stream node counts ${liveCount} live and ${deletedCount} deleted entries, ` +
        `its flags ${liveSeen} and ${entryCount - liveSeen}`,
    );
  }
  return previous!; // entryCount ≥ 1
}

// --- encoding nodes ----------------------------------------------------------------------

/** Node limits of `encodeStreamNodes`: the server's config directives of the same names. */
export interface StreamNodeLimits {
  /** stream-node-max-bytes; 0 = STREAM_LISTPACK_MAX_SIZE_BYTES. @default 4096 */
  nodeMaxBytes: number;
  /** stream-node-max-entries; 0 = no entry limit. @default 100 */
  nodeMaxEntries: number;
}

/** The node being filled: what lpBytes would be is tracked without building it. */
interface OpenNode {
  masterId: RdbStreamId;
  masterFields: Uint8Array[];
  entries: { entry: RdbStreamEntry; sameFields: boolean }[];
  /** Bytes of every element but the first (the live count, whose size changes with it). */
  restBytes: number;
}

/**
 * The nodes a Redis 7.0 stream holds after XADDing `entries` (ascending IDs) one by one to a
 * fresh stream with these node limits (streamAppendItem). Deleted entries are not among
 * `entries`, so no node holds any.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeStreamNodes } from "./stream.ts";
 * const fields = [{ field: new TextEncoder().encode("f"), value: new TextEncoder().encode("v") }];
 * const entries = [1n, 2n, 3n].map((ms) => ({ id: { ms, seq: 0n }, fields }));
 * assert.equal(encodeStreamNodes(entries).length, 1);
 * assert.equal(encodeStreamNodes(entries, { nodeMaxBytes: 4096, nodeMaxEntries: 2 }).length, 2);
 * ```
 */
export function encodeStreamNodes(
  entries: readonly RdbStreamEntry[],
  limits: StreamNodeLimits = {
    nodeMaxBytes: STREAM_NODE_MAX_BYTES_DEFAULT,
    nodeMaxEntries: STREAM_NODE_MAX_ENTRIES_DEFAULT,
  },
): RdbStreamNode[] {
  const maxBytes = limits.nodeMaxBytes === 0 || limits.nodeMaxBytes > STREAM_LISTPACK_MAX_SIZE_BYTES
    ? STREAM_LISTPACK_MAX_SIZE_BYTES
    : limits.nodeMaxBytes;
  const nodes: RdbStreamNode[] = [];
  let open: OpenNode | null = null;
  for (const entry of entries) {
    let fieldBytes = 0;
    for (const pair of entry.fields) fieldBytes += pair.field.length + pair.value.length;
    if (open !== null) {
      const full = openNodeSizeBytes(open) + fieldBytes >= maxBytes ||
        (limits.nodeMaxEntries !== 0 && open.entries.length >= limits.nodeMaxEntries);
      if (full) {
        nodes.push(finishNode(open));
        open = null;
      }
    }
    if (open === null) open = openNode(entry);
    appendEntry(open, entry);
  }
  if (open !== null) nodes.push(finishNode(open));
  return nodes;
}

function openNode(first: RdbStreamEntry): OpenNode {
  const masterFields = first.fields.map((pair) => pair.field);
  let restBytes = listpackIntegerEntrySizeBytes(0) + // deleted
    listpackIntegerEntrySizeBytes(masterFields.length) +
    listpackIntegerEntrySizeBytes(0); // master entry terminator
  for (const field of masterFields) restBytes += listpackEntrySizeBytes(field);
  return { masterId: first.id, masterFields, entries: [], restBytes };
}

/** lpBytes of the node built so far: header, live count, the rest, terminator. */
function openNodeSizeBytes(node: OpenNode): number {
  return LP_HEADER_SIZE_BYTES + listpackIntegerEntrySizeBytes(node.entries.length) +
    node.restBytes + 1;
}

function appendEntry(node: OpenNode, entry: RdbStreamEntry): void {
  const sameFields = node.entries.length === 0 || hasMasterFields(node.masterFields, entry);
  const flags = sameFields ? STREAM_ITEM_FLAG_SAMEFIELDS : STREAM_ITEM_FLAG_NONE;
  const [msDelta, seqDelta] = idDeltas(entry.id, node.masterId);
  let bytes = listpackIntegerEntrySizeBytes(flags) + listpackIntegerEntrySizeBytes(msDelta) +
    listpackIntegerEntrySizeBytes(seqDelta);
  if (!sameFields) {
    bytes += listpackIntegerEntrySizeBytes(entry.fields.length);
    for (const pair of entry.fields) bytes += listpackEntrySizeBytes(pair.field);
  }
  for (const pair of entry.fields) bytes += listpackEntrySizeBytes(pair.value);
  bytes += listpackIntegerEntrySizeBytes(lpCountOf(entry.fields.length, sameFields));
  node.restBytes += bytes;
  node.entries.push({ entry, sameFields });
}

function hasMasterFields(masterFields: readonly Uint8Array[], entry: RdbStreamEntry): boolean {
  if (entry.fields.length !== masterFields.length) return false;
  for (let index = 0; index < masterFields.length; index++) {
    const a = masterFields[index];
    const b = entry.fields[index].field;
    if (a.length !== b.length) return false;
    for (let at = 0; at < a.length; at++) if (a[at] !== b[at]) return false;
  }
  return true;
}

/** ID minus master ID per part, as the int64 lpAppendInteger is given. */
function idDeltas(id: RdbStreamId, masterId: RdbStreamId): [bigint, bigint] {
  return [BigInt.asIntN(64, id.ms - masterId.ms), BigInt.asIntN(64, id.seq - masterId.seq)];
}

function lpCountOf(fieldCount: number, sameFields: boolean): number {
  return ENTRY_FIXED_ELEMENT_COUNT + (sameFields ? fieldCount : 1 + 2 * fieldCount);
}

function finishNode(node: OpenNode): RdbStreamNode {
  const expectedBytes = openNodeSizeBytes(node);
  if (expectedBytes > LISTPACK_SIZE_MAX_BYTES) {
    throw new RangeError(`stream node of ${expectedBytes} bytes exceeds a listpack's 4 GB`);
  }
  const builder = new ListpackBuilder();
  builder.appendInteger(node.entries.length);
  builder.appendInteger(0);
  builder.appendInteger(node.masterFields.length);
  for (const field of node.masterFields) builder.append(field);
  builder.appendInteger(0);
  for (const { entry, sameFields } of node.entries) {
    const [msDelta, seqDelta] = idDeltas(entry.id, node.masterId);
    builder.appendInteger(sameFields ? STREAM_ITEM_FLAG_SAMEFIELDS : STREAM_ITEM_FLAG_NONE);
    builder.appendInteger(msDelta);
    builder.appendInteger(seqDelta);
    if (!sameFields) builder.appendInteger(entry.fields.length);
    for (const pair of entry.fields) {
      if (!sameFields) builder.append(pair.field);
      builder.append(pair.value);
    }
    builder.appendInteger(lpCountOf(entry.fields.length, sameFields));
  }
  // The split decisions rest on the tracked size: it must be what was built.
  if (builder.sizeBytes !== expectedBytes) {
    throw new Error(`stream node size ${builder.sizeBytes} != tracked ${expectedBytes} (a bug)`);
  }
  return { key: encodeStreamId(node.masterId), listpack: builder.finish() };
}

// --- the record's rules ------------------------------------------------------------------

/**
 * The first rule `stream` breaks, or null. The writer refuses to write a stream that breaks
 * one, the reader refuses to load one (with the offset), so what one writes the other reads:
 * - IDs and times in range (uint64 IDs, entries-added and delivery counts; int64 times);
 * - entries strictly ascending; the last ID at or above the last entry's; the first ID the
 *   first entry's when there is one (any value when empty: Redis 7.0 records
 *   `STREAM_ID_MAX` for an empty stream loaded from type 15); entries-added ≥ length;
 * - group names unique; entries-read -1 or more; PEL IDs unique; consumer names unique; each
 *   PEL entry owned by exactly one consumer of its group, and consumers own nothing else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { streamRuleBroken } from "./stream.ts";
 * const zero = { ms: 0n, seq: 0n };
 * const stream = {
 *   entries: [],
 *   lastId: zero,
 *   firstId: zero,
 *   maxDeletedId: zero,
 *   entriesAdded: 0n,
 *   groups: [],
 * };
 * assert.equal(streamRuleBroken(stream), null);
 * assert.match(streamRuleBroken({ ...stream, entriesAdded: -1n })!, /entries-added/);
 * ```
 */
export function streamRuleBroken(stream: RdbStream): string | null {
  const { entries } = stream;
  for (
    const [name, id] of [
      ["last ID", stream.lastId],
      ["first ID", stream.firstId],
      ["max deleted ID", stream.maxDeletedId],
    ] as const
  ) {
    if (!isStreamId(id)) return `${name} is no pair of uint64 bigints`;
  }
  for (let index = 0; index < entries.length; index++) {
    const id = entries[index].id;
    if (!isStreamId(id)) return `entry ${index} has an ID that is no pair of uint64 bigints`;
    if (index > 0 && compareStreamIds(id, entries[index - 1].id) <= 0) {
      return `entry ${streamIdText(id)} does not follow ${streamIdText(entries[index - 1].id)}`;
    }
  }
  if (entries.length > 0) {
    const last = entries[entries.length - 1].id;
    if (compareStreamIds(stream.lastId, last) < 0) {
      return `last ID ${streamIdText(stream.lastId)} is below entry ${streamIdText(last)}`;
    }
    if (compareStreamIds(stream.firstId, entries[0].id) !== 0) {
      return `first ID ${streamIdText(stream.firstId)} is not entry ${streamIdText(entries[0].id)}`;
    }
  }
  if (!isUint64(stream.entriesAdded) || stream.entriesAdded < BigInt(entries.length)) {
    return `entries-added ${stream.entriesAdded} is below the length ${entries.length}`;
  }
  const groupNames = new Set<string>();
  for (const group of stream.groups) {
    const name = latin1(group.name);
    if (groupNames.has(name)) return `duplicate consumer group ${JSON.stringify(name)}`;
    groupNames.add(name);
    const broken = groupRuleBroken(group);
    if (broken !== null) return `group ${JSON.stringify(name)}: ${broken}`;
  }
  return null;
}

function groupRuleBroken(group: RdbStream["groups"][number]): string | null {
  if (!isStreamId(group.lastDeliveredId)) return "last delivered ID is no pair of uint64 bigints";
  if (
    typeof group.entriesRead !== "bigint" || group.entriesRead < STREAM_ENTRIES_READ_INVALID ||
    group.entriesRead > INT64_MAX
  ) {
    return `entries-read ${group.entriesRead} is outside -1 ..= 2^63 - 1`;
  }
  const owner = new Map<string, boolean>();
  for (const pending of group.pending) {
    if (!isStreamId(pending.id)) return "a PEL ID is no pair of uint64 bigints";
    if (!isInt64(pending.deliveryTimeMs)) return "a PEL delivery time is no int64";
    if (!isUint64(pending.deliveryCount)) return "a PEL delivery count is no uint64";
    const key = streamIdText(pending.id);
    if (owner.has(key)) return `duplicate PEL entry ${key}`;
    owner.set(key, false);
  }
  const consumerNames = new Set<string>();
  for (const consumer of group.consumers) {
    const name = latin1(consumer.name);
    if (consumerNames.has(name)) return `duplicate consumer ${JSON.stringify(name)}`;
    consumerNames.add(name);
    if (!isInt64(consumer.seenTimeMs)) return "a consumer seen time is no int64";
    for (const id of consumer.pending) {
      const key = isStreamId(id) ? streamIdText(id) : "?";
      if (owner.get(key) !== false) {
        return owner.has(key)
          ? `PEL entry ${key} is owned twice`
          : `consumer ${JSON.stringify(name)} owns ${key}, which is not in the PEL`;
      }
      owner.set(key, true);
    }
  }
  for (const [key, owned] of owner) if (!owned) return `PEL entry ${key} has no consumer`;
  return null;
}

function isUint64(value: bigint): boolean {
  return typeof value === "bigint" && value >= 0n && value <= STREAM_ID_PART_MAX;
}

function isInt64(value: bigint): boolean {
  return typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX;
}

// --- what Redis 7.0 derives ---------------------------------------------------------------

/**
 * A group's entries-read as Redis 7.0 estimates it from the stream's counters
 * (streamEstimateDistanceFromFirstEverEntry): what it records for each group of a type-15
 * stream, which has no such counter. -1 when it cannot tell.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { estimateEntriesRead } from "./stream.ts";
 * const id = (ms: bigint) => ({ ms, seq: 0n });
 * const stream = {
 *   length: 3,
 *   entriesAdded: 3n,
 *   lastId: id(9n),
 *   firstId: id(1n),
 *   maxDeletedId: id(0n),
 * };
 * assert.equal(estimateEntriesRead(stream, id(9n)), 3n); // the last ID: every entry read
 * assert.equal(estimateEntriesRead(stream, id(1n)), 1n); // the first entry
 * assert.equal(estimateEntriesRead(stream, id(5n)), -1n); // somewhere inside: unknown
 * ```
 */
export function estimateEntriesRead(
  stream: {
    length: number;
    entriesAdded: bigint;
    lastId: RdbStreamId;
    firstId: RdbStreamId;
    maxDeletedId: RdbStreamId;
  },
  id: RdbStreamId,
): bigint {
  if (stream.entriesAdded === 0n) return 0n; // nothing was ever added
  const versusLast = compareStreamIds(id, stream.lastId);
  if (stream.length === 0 && versusLast <= 0) return stream.entriesAdded;
  if (versusLast === 0) return stream.entriesAdded;
  if (versusLast > 0) return STREAM_ENTRIES_READ_INVALID; // a future ID
  const noTombstoneAhead = (stream.maxDeletedId.ms === 0n && stream.maxDeletedId.seq === 0n) ||
    compareStreamIds(stream.maxDeletedId, stream.firstId) < 0;
  if (noTombstoneAhead) {
    const versusFirst = compareStreamIds(id, stream.firstId);
    const before = stream.entriesAdded - BigInt(stream.length);
    if (versusFirst < 0) return before;
    if (versusFirst === 0) return before + 1n;
  }
  return STREAM_ENTRIES_READ_INVALID;
}
