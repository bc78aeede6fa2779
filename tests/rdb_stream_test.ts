// Streams in the RDB codec (core/rdb/stream.ts and the stream parts of reader.ts / writer.ts):
//
// - round trip: streams of many shapes (empty with groups, one entry, thousands of entries with
//   varying fields, deleted-entry history, IDs near 2^64 - 1, groups with PELs and consumers)
//   come back from the reader exactly as given to the writer, at every node limit and chunking;
// - node layout and writer refusals on hand-checked cases;
// - interop with a real redis-server 7.0: streams built with XADD / XDEL / XTRIM / XGROUP /
//   XREADGROUP / XCLAIM / XSETID and SAVEd read back as XINFO STREAM FULL says; our encoding
//   of each stream without deleted entries equals Redis's DUMP byte for byte (so nodes are cut
//   exactly as XADD cuts them, at default and changed node limits); our file passes
//   redis-check-rdb and a redis-server loading it answers XINFO STREAM FULL, XRANGE and
//   XPENDING as the original; type-15 payloads RESTOREd into redis-server get the counters our
//   reader fills in;
// - malformed input: truncation at every byte of stream records, seeded mutations, and one
//   hand-built record per validation rule — RdbFormatError naming an offset, nothing else.

import assert from "node:assert/strict";
import {
  crc64,
  encodeLength,
  encodeLengthBig,
  encodeRdb,
  encodeRdbValue,
  encodeStreamId,
  encodeStreamNodes,
  ListpackBuilder,
  type RdbEntry,
  RdbFormatError,
  RdbReader,
  type RdbReaderLimits,
  type RdbStream,
  type RdbStreamEntry,
  type RdbStreamId,
  type RdbValue,
  type RdbWriterOptions,
  streamIdText,
} from "../core/rdb/mod.ts";
import { decodeListpack } from "../core/rdb/listpack.ts";
import {
  blobText,
  concatBytes,
  encodeCommand,
  latin1Bytes,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./_support/raw_client.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";

const t = (text: string) => latin1Bytes(text);
const hex = (s: string) => new Uint8Array(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const U64_MAX = 2n ** 64n - 1n;
const id = (ms: bigint | number, seq: bigint | number = 0n): RdbStreamId => ({
  ms: BigInt(ms),
  seq: BigInt(seq),
});
const ZERO_ID = id(0);
/** Field/value pairs from alternating texts. */
const pairs = (...texts: string[]) => {
  const fields: RdbStreamEntry["fields"] = [];
  for (let index = 0; index < texts.length; index += 2) {
    fields.push({ field: t(texts[index]), value: t(texts[index + 1]) });
  }
  return fields;
};
/** Bytes per chunk when feeding files to the reader (deliberately odd). */
const READ_CHUNK_BYTES = 997;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

/** A stream with the counters a fresh XADD sequence leaves, unless given. */
function stream(entries: RdbStreamEntry[], more: Partial<RdbStream> = {}): RdbStream {
  return {
    entries,
    lastId: entries.length > 0 ? entries[entries.length - 1].id : ZERO_ID,
    firstId: entries.length > 0 ? entries[0].id : ZERO_ID,
    maxDeletedId: ZERO_ID,
    entriesAdded: BigInt(entries.length),
    groups: [],
    ...more,
  };
}

/** A whole file holding `streams` (key → stream) in db 0. */
function fileOf(
  streams: Record<string, RdbStream>,
  options: Omit<RdbWriterOptions, "onChunk"> = {},
): Uint8Array {
  const entries: RdbEntry[] = Object.entries(streams).map(([key, value]) => ({
    db: 0,
    key: t(key),
    expireAtMs: 0,
    value: { type: "stream", stream: value },
  }));
  return concatBytes(
    encodeRdb({ databases: [{ db: 0, keyCount: entries.length, expiresCount: 0, entries }] }, {
      ...options,
    }),
  );
}

/** Every entry of a file, fed in chunks of `chunkBytes`. */
function readAll(
  bytes: Uint8Array,
  chunkBytes = READ_CHUNK_BYTES,
  limits: Partial<RdbReaderLimits> = {},
): RdbEntry[] {
  const reader = new RdbReader(limits);
  const entries: RdbEntry[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    reader.push(bytes.subarray(start, start + chunkBytes));
    for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
  }
  reader.finish();
  return entries;
}

/** Each stream read, by key: its logical record (`nodes` left out unless `withNodes`). */
function streamsOf(entries: RdbEntry[], withNodes = false): Map<string, RdbStream> {
  const out = new Map<string, RdbStream>();
  for (const entry of entries) {
    assert.equal(entry.value.type, "stream");
    if (entry.value.type !== "stream") continue;
    const { nodes, ...logical } = entry.value.stream;
    assert.ok(nodes !== undefined, "the reader keeps the nodes");
    out.set(latin1Text(entry.key), withNodes ? entry.value.stream : logical);
  }
  return out;
}

// --- shapes ---------------------------------------------------------------------------------

/** Entries with ascending IDs and fields that vary as real streams' do. */
function variedEntries(
  count: number,
  seed: number,
  start = id(1_700_000_000_000),
): RdbStreamEntry[] {
  const random = seededRandom(seed);
  const entries: RdbStreamEntry[] = [];
  let ms = start.ms;
  let seq = start.seq;
  for (let index = 0; index < count; index++) {
    if (index > 0) {
      const step = random();
      if (step < 0.3) seq += 1n + BigInt(Math.floor(random() * 5));
      else if (step < 0.95) [ms, seq] = [ms + 1n + BigInt(Math.floor(random() * 90)), 0n];
      else [ms, seq] = [ms + 2n ** 33n, BigInt(Math.floor(random() * 2 ** 30))];
    }
    const kind = index % 11;
    let fields: RdbStreamEntry["fields"];
    if (kind < 6) fields = pairs("sensor", `s-${index % 7}`, "reading", String(index * 37 - 900));
    else if (kind === 6) fields = pairs("other", "x");
    else if (kind === 7) fields = pairs("123", "-5", "name", "bin\x00\xff\x80");
    else if (kind === 8) fields = pairs("blob", "y".repeat(Math.floor(random() * 300)));
    else if (kind === 9) fields = pairs("sensor", "", "reading", "9223372036854775807");
    else fields = pairs("wide", "z".repeat(70), "n", "-4096", "m", "4095", "k", "8388608");
    if (index % 97 === 50) fields = pairs("huge", "h".repeat(5_000)); // a node of its own
    if (index % 333 === 100) {
      fields = [];
      for (let field = 0; field < 40; field++) fields.push(...pairs(`f${field}`, `v${field}`));
    }
    entries.push({ id: { ms, seq }, fields });
  }
  return entries;
}

/** Streams of every shape the round trip covers, groups and consumers sorted by name. */
function shapes(): Record<string, RdbStream> {
  const big = variedEntries(3_000, 1);
  const history = variedEntries(400, 2).filter((_, index) => index % 3 !== 0 && index !== 1);
  const nearMax = [
    { id: id(1, 5), fields: pairs("a", "1") },
    { id: id(2n ** 63n + 1n, 0), fields: pairs("a", "2") }, // ms-delta 2^63: int64 min
    { id: id(U64_MAX - 1n, U64_MAX), fields: pairs("a", "3") },
    { id: id(U64_MAX, 0), fields: pairs("b", "4") },
    { id: id(U64_MAX, U64_MAX), fields: pairs("a", "5") },
  ];
  return {
    "empty:mkstream": stream([], {
      groups: [{
        name: t("g"),
        lastDeliveredId: ZERO_ID,
        entriesRead: 0n,
        pending: [],
        consumers: [{ name: t("idle"), seenTimeMs: 1_700_000_000_123n, pending: [] }],
      }],
    }),
    "empty:emptied": stream([], {
      lastId: id(10, 5),
      maxDeletedId: id(10, 5),
      entriesAdded: 50n,
      groups: [{
        name: t("g"),
        lastDeliveredId: id(10, 5),
        entriesRead: -1n,
        pending: [{ id: id(10, 5), deliveryTimeMs: 5n, deliveryCount: 2n }],
        consumers: [{ name: t("c"), seenTimeMs: 6n, pending: [id(10, 5)] }],
      }],
    }),
    "empty:type15-first-id": stream([], { firstId: id(U64_MAX, U64_MAX) }),
    "one": stream([{ id: id(5, 0), fields: pairs("f", "v") }]),
    "one:no-fields": stream([{ id: id(5, 1), fields: [] }]),
    "big": stream(big),
    "history": stream(history, {
      lastId: id(history[history.length - 1].id.ms + 1000n, 7),
      maxDeletedId: id(history[history.length - 1].id.ms + 1000n, 7),
      entriesAdded: 401n,
    }),
    "near-max": stream(nearMax, {
      groups: [{
        name: t("g"),
        lastDeliveredId: id(U64_MAX, U64_MAX),
        entriesRead: 5n,
        pending: [
          { id: id(1, 5), deliveryTimeMs: -1n, deliveryCount: U64_MAX },
          { id: id(U64_MAX, U64_MAX), deliveryTimeMs: 2n ** 63n - 1n, deliveryCount: 0n },
        ],
        consumers: [{
          name: t("c"),
          seenTimeMs: -(2n ** 63n),
          pending: [id(1, 5), id(U64_MAX, U64_MAX)],
        }],
      }],
    }),
    "groups": stream(big.slice(0, 500), {
      groups: [
        {
          name: t("1234"), // an integer-looking name is int-encoded
          lastDeliveredId: big[20].id,
          entriesRead: 21n,
          pending: big.slice(0, 20).map((entry, index) => ({
            id: entry.id,
            deliveryTimeMs: 1_700_000_000_000n + BigInt(index),
            deliveryCount: BigInt(index % 3 + 1),
          })),
          consumers: [
            {
              name: t("alice"),
              seenTimeMs: 1_700_000_000_500n,
              pending: big.slice(0, 20).filter((_, i) => i % 2 === 0).map((e) => e.id),
            },
            {
              name: t("bob"),
              seenTimeMs: 1_700_000_000_600n,
              pending: big.slice(0, 20).filter((_, i) => i % 2 === 1).map((e) => e.id),
            },
            { name: t("carol-" + "c".repeat(30)), seenTimeMs: 0n, pending: [] },
          ],
        },
        {
          name: t("analytics"),
          lastDeliveredId: id(1, 0), // before every entry
          entriesRead: -1n,
          pending: [
            // A pending entry whose stream entry was deleted since.
            { id: id(999, 9), deliveryTimeMs: 0n, deliveryCount: 1n },
          ],
          consumers: [{ name: t("x"), seenTimeMs: 1n, pending: [id(999, 9)] }],
        },
      ],
    }),
  };
}

/** What the writer returns to the reader: groups, consumers by name, PELs by ID. */
function sortedLikeRedis(value: RdbStream): RdbStream {
  const byName = (a: { name: Uint8Array }, b: { name: Uint8Array }) => {
    const x = latin1Text(a.name);
    const y = latin1Text(b.name);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const byId = (a: RdbStreamId, b: RdbStreamId) =>
    a.ms !== b.ms ? (a.ms < b.ms ? -1 : 1) : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
  return {
    ...value,
    groups: [...value.groups].sort(byName).map((group) => ({
      ...group,
      pending: [...group.pending].sort((a, b) => byId(a.id, b.id)),
      consumers: [...group.consumers].sort(byName).map((consumer) => ({
        ...consumer,
        pending: [...consumer.pending].sort(byId),
      })),
    })),
  };
}

// --- round trip -----------------------------------------------------------------------------

Deno.test("stream round trip: every shape at every node limit comes back unchanged", () => {
  const all = shapes();
  for (
    const options of [
      {},
      { compression: false },
      { streamNodeMaxEntries: 1 },
      { streamNodeMaxEntries: 0, streamNodeMaxBytes: 0 },
      { streamNodeMaxEntries: 7, streamNodeMaxBytes: 200, chunkSizeBytes: 100 },
    ]
  ) {
    const file = fileOf(all, options);
    const got = streamsOf(readAll(file));
    assert.deepEqual([...got.keys()], Object.keys(all));
    for (const [key, value] of Object.entries(all)) {
      assert.deepEqual(got.get(key), value, `${key} with ${JSON.stringify(options)}`);
    }
    // Records read back carry their nodes, which the writer writes as they are: the same file
    // comes out, whatever node limits the second writer was given.
    const withNodes = streamsOf(readAll(file), true);
    const again = fileOf(Object.fromEntries(withNodes), { ...options, streamNodeMaxEntries: 3 });
    assert.deepEqual(again, file, JSON.stringify(options));
  }
  // Byte by byte, for the small ones (the parser suspends anywhere inside a stream).
  const small = { ...all };
  delete small.big;
  delete small.groups;
  delete small.history;
  const got = streamsOf(readAll(fileOf(small), 1));
  for (const [key, value] of Object.entries(small)) assert.deepEqual(got.get(key), value, key);
});

Deno.test("stream writer sorts groups, consumers and PELs as Redis's radix trees do", () => {
  const value = shapes()["groups"];
  const shuffled: RdbStream = {
    ...value,
    groups: [...value.groups].reverse().map((group) => ({
      ...group,
      pending: [...group.pending].reverse(),
      consumers: [...group.consumers].reverse().map((consumer) => ({
        ...consumer,
        pending: [...consumer.pending].reverse(),
      })),
    })),
  };
  const bytes = encodeRdbValue({ type: "stream", stream: shuffled });
  assert.deepEqual(bytes, encodeRdbValue({ type: "stream", stream: value }));
  const got = streamsOf(readAll(fileOf({ s: shuffled })));
  assert.deepEqual(got.get("s"), sortedLikeRedis(shuffled));
  assert.deepEqual(got.get("s"), value);
});

Deno.test("encodeStreamNodes cuts nodes as XADD does: by entries, by bytes, SAMEFIELDS", () => {
  const small = Array.from({ length: 250 }, (_, i) => ({ id: id(i + 1), fields: pairs("f", "v") }));
  const liveCounts = (nodes: { listpack: Uint8Array }[]) =>
    nodes.map((node) => Number(latin1Text(decodeListpack(node.listpack)[0])));
  assert.deepEqual(liveCounts(encodeStreamNodes(small)), [100, 100, 50]);
  assert.deepEqual(
    liveCounts(encodeStreamNodes(small, { nodeMaxBytes: 0, nodeMaxEntries: 0 })),
    [250],
  );
  assert.equal(encodeStreamNodes(small, { nodeMaxBytes: 4096, nodeMaxEntries: 1 }).length, 250);
  // Node keys are the first entries' IDs, 16 bytes big endian.
  const nodes = encodeStreamNodes(small);
  assert.deepEqual(
    nodes.map((node) => node.key),
    [1, 101, 201].map((ms) => encodeStreamId(id(ms))),
  );

  // A 5000-byte entry cannot join a node (lpBytes + 5004 ≥ 4096): it opens one, and the next
  // entry cannot join that one either.
  const withHuge = [
    ...small.slice(0, 3),
    { id: id(10_000), fields: pairs("huge", "h".repeat(5_000)) },
    ...small.slice(3, 6).map((entry) => ({ ...entry, id: id(entry.id.ms + 20_000n) })),
  ];
  assert.deepEqual(liveCounts(encodeStreamNodes(withHuge)), [3, 1, 3]);

  // By bytes: 1001 bytes of field and value per entry (1014 in the listpack), so a node takes
  // a fourth entry (lpBytes 3055 + 1001 < 4096) but not a fifth (4069 + 1001 ≥ 4096).
  const wide = Array.from({ length: 10 }, (_, i) => ({
    id: id(i + 1),
    fields: pairs("f", "w".repeat(1_000)),
  }));
  const wideCounts = liveCounts(encodeStreamNodes(wide));
  assert.deepEqual(wideCounts, [4, 4, 2]);

  // The node holds: count, deleted, master fields, 0, then flags/deltas/values/lp-count.
  const [node] = encodeStreamNodes([
    { id: id(7, 3), fields: pairs("a", "1", "b", "2") },
    { id: id(7, 4), fields: pairs("a", "5", "b", "6") }, // same fields: values only
    { id: id(9, 0), fields: pairs("c", "7") }, // other fields: seq-delta -3
  ]);
  assert.deepEqual(decodeListpack(node.listpack).map(latin1Text), [
    ..."3 0 2 a b 0".split(" "),
    ..."2 0 0 1 2 5".split(" "),
    ..."2 0 1 5 6 5".split(" "),
    ..."0 2 -3 1 c 7 6".split(" "),
  ]);
});

Deno.test("stream writer refuses a stream the reader would refuse", () => {
  const base = shapes()["groups"];
  const group = base.groups[0];
  const broken: [Partial<RdbStream>, RegExp][] = [
    [{ entries: [...base.entries].reverse() }, /does not follow/],
    [{ lastId: id(0, 1) }, /last ID 0-1 is below entry/],
    [{ firstId: id(0, 1) }, /first ID 0-1 is not entry/],
    [{ entriesAdded: 3n }, /entries-added 3 is below the length 500/],
    [{ maxDeletedId: id(-1) }, /max deleted ID is no pair of uint64/],
    [{ entries: [{ id: id(U64_MAX + 1n), fields: [] }] }, /entry 0 has an ID that is no pair/],
    [{ groups: [group, group] }, /duplicate consumer group "1234"/],
    [{ groups: [{ ...group, entriesRead: -2n }] }, /entries-read -2 is outside/],
    [{ groups: [{ ...group, pending: [...group.pending, group.pending[0]] }] }, /duplicate PEL/],
    [
      { groups: [{ ...group, consumers: [group.consumers[0], group.consumers[0]] }] },
      /duplicate consumer "alice"/,
    ],
    [
      {
        groups: [{
          ...group,
          consumers: [{ ...group.consumers[0], pending: [id(4, 4)] }, ...group.consumers.slice(1)],
        }],
      },
      /owns 4-4, which is not in the PEL/,
    ],
    [
      {
        groups: [{
          ...group,
          consumers: [group.consumers[0], {
            ...group.consumers[1],
            pending: group.consumers[0].pending,
          }],
        }],
      },
      /owned twice/,
    ],
    [{ groups: [{ ...group, consumers: [] }] }, /has no consumer/],
    [
      { groups: [{ ...group, pending: [{ ...group.pending[0], deliveryTimeMs: 2n ** 63n }] }] },
      /delivery time is no int64/,
    ],
  ];
  for (const [change, pattern] of broken) {
    assert.throws(
      () => encodeRdbValue({ type: "stream", stream: { ...base, ...change } }),
      (error: unknown) => error instanceof RangeError && pattern.test(error.message),
      String(pattern),
    );
  }
  assert.throws(
    () => encodeRdbValue({ type: "stream", stream: base }, { streamNodeMaxBytes: -1 }),
    RangeError,
  );
});

// --- hand-built records -----------------------------------------------------------------------

/** A node listpack from numbers (integer entries) and strings. */
function nodeListpack(elements: (number | bigint | string)[]): Uint8Array {
  const builder = new ListpackBuilder();
  for (const element of elements) {
    if (typeof element === "string") builder.append(t(element));
    else builder.appendInteger(element);
  }
  return builder.finish();
}

interface RawGroup {
  name: string;
  lastId?: RdbStreamId;
  /** The uint64 on disk (type 19 only). */
  entriesRead?: bigint;
  pel?: { id: RdbStreamId; timeMs?: bigint; count?: bigint }[];
  consumers?: { name: string; seenMs?: bigint; ids: RdbStreamId[] }[];
}

interface RawStream {
  type?: 15 | 19;
  nodes: { key: Uint8Array; listpack: Uint8Array }[];
  length: number;
  lastId: RdbStreamId;
  firstId?: RdbStreamId;
  maxDeletedId?: RdbStreamId;
  entriesAdded?: bigint;
  groups?: RawGroup[];
}

const rawLength = (len: number) => {
  const out = new Uint8Array(9);
  return out.slice(0, encodeLength(len, out, 0));
};
const rawString = (bytes: Uint8Array) => concatBytes([rawLength(bytes.length), bytes]);
const rawId = (value: RdbStreamId) =>
  concatBytes([encodeLengthBig(value.ms), encodeLengthBig(value.seq)]);
const rawInt64 = (value: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, value, true);
  return out;
};

/** `<type> [<key>] <stream>` laid out by hand, so any field can be made wrong. */
function rawStream(value: RawStream, key: string | null = "s"): Uint8Array {
  const type = value.type ?? 19;
  const parts: Uint8Array[] = [new Uint8Array([type])];
  if (key !== null) parts.push(rawString(t(key)));
  parts.push(rawLength(value.nodes.length));
  for (const node of value.nodes) parts.push(rawString(node.key), rawString(node.listpack));
  parts.push(rawLength(value.length), rawId(value.lastId));
  if (type === 19) {
    parts.push(rawId(value.firstId ?? ZERO_ID), rawId(value.maxDeletedId ?? ZERO_ID));
    parts.push(encodeLengthBig(value.entriesAdded ?? BigInt(value.length)));
  }
  const groups = value.groups ?? [];
  parts.push(rawLength(groups.length));
  for (const group of groups) {
    parts.push(rawString(t(group.name)), rawId(group.lastId ?? ZERO_ID));
    if (type === 19) parts.push(encodeLengthBig(group.entriesRead ?? 0n));
    const pel = group.pel ?? [];
    parts.push(rawLength(pel.length));
    for (const entry of pel) {
      parts.push(encodeStreamId(entry.id), rawInt64(entry.timeMs ?? 0n));
      parts.push(encodeLengthBig(entry.count ?? 1n));
    }
    const consumers = group.consumers ?? [];
    parts.push(rawLength(consumers.length));
    for (const consumer of consumers) {
      parts.push(rawString(t(consumer.name)), rawInt64(consumer.seenMs ?? 0n));
      parts.push(rawLength(consumer.ids.length), ...consumer.ids.map(encodeStreamId));
    }
  }
  return concatBytes(parts);
}

/** A version 10 file (zero checksum) holding `records` in db 0. */
function fileWith(...records: Uint8Array[]): Uint8Array {
  return concatBytes([t("REDIS0010"), hex("fe 00"), ...records, hex("ff 00 00 00 00 00 00 00 00")]);
}

/** A valid two-node stream with one group, the base every broken record changes one thing of. */
function validRaw(): RawStream {
  return {
    nodes: [
      {
        key: encodeStreamId(id(5, 0)),
        // 5-0 live, 5-1 deleted; then 6-0 live with other fields.
        listpack: nodeListpack([
          2,
          1,
          1,
          "f",
          0,
          2,
          0,
          0,
          "v",
          4,
          3,
          0,
          1,
          "w",
          4,
          0,
          1,
          0,
          1,
          "g",
          "x",
          6,
        ]),
      },
      { key: encodeStreamId(id(9, 9)), listpack: nodeListpack([1, 0, 1, "f", 0, 2, 0, 0, "z", 4]) },
    ],
    length: 3,
    lastId: id(9, 9),
    firstId: id(5, 0),
    maxDeletedId: id(5, 1),
    entriesAdded: 4n,
    groups: [{
      name: "g",
      lastId: id(9, 9),
      entriesRead: 4n,
      pel: [{ id: id(5, 0) }, { id: id(5, 1) }],
      consumers: [{ name: "a", ids: [id(5, 1)] }, { name: "b", ids: [id(5, 0)] }],
    }],
  };
}

function assertFormatError(bytes: Uint8Array, pattern: RegExp, chunkBytes = bytes.length): void {
  assert.throws(() => readAll(bytes, Math.max(1, chunkBytes)), (error: unknown) => {
    assert.ok(error instanceof RdbFormatError, `expected RdbFormatError, got ${error}`);
    assert.match(error.message, /^RDB format error at offset \d+: /);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("reader: the hand-built valid stream reads as intended", () => {
  const [entry] = readAll(fileWith(rawStream(validRaw())));
  assert.equal(entry.value.type, "stream");
  const { nodes, ...logical } = entry.value.type === "stream" ? entry.value.stream : {};
  assert.equal(nodes?.length, 2, "both nodes kept as they are");
  assert.deepEqual(
    { type: entry.value.type, stream: logical },
    {
      type: "stream",
      stream: {
        entries: [
          { id: id(5, 0), fields: pairs("f", "v") },
          { id: id(6, 0), fields: pairs("g", "x") },
          { id: id(9, 9), fields: pairs("f", "z") },
        ],
        lastId: id(9, 9),
        firstId: id(5, 0),
        maxDeletedId: id(5, 1),
        entriesAdded: 4n,
        groups: [{
          name: t("g"),
          lastDeliveredId: id(9, 9),
          entriesRead: 4n,
          pending: [
            { id: id(5, 0), deliveryTimeMs: 0n, deliveryCount: 1n },
            { id: id(5, 1), deliveryTimeMs: 0n, deliveryCount: 1n },
          ],
          consumers: [
            { name: t("a"), seenTimeMs: 0n, pending: [id(5, 1)] },
            { name: t("b"), seenTimeMs: 0n, pending: [id(5, 0)] },
          ],
        }],
      },
    } satisfies RdbValue,
  );
});

Deno.test("reader fills type 15's missing counters as Redis 7.0 does", () => {
  const value = validRaw();
  const groups: RawGroup[] = [
    { name: "at-last", lastId: id(9, 9) },
    { name: "at-first", lastId: id(5, 0) },
    { name: "before", lastId: id(1, 0) },
    { name: "inside", lastId: id(6, 0) },
    { name: "future", lastId: id(10, 0) },
  ];
  const [entry] = readAll(fileWith(rawStream({ ...value, type: 15, groups })));
  assert.equal(entry.value.type, "stream");
  if (entry.value.type !== "stream") return;
  const got = entry.value.stream;
  assert.deepEqual(got.firstId, id(5, 0));
  assert.deepEqual(got.maxDeletedId, ZERO_ID);
  assert.equal(got.entriesAdded, 3n);
  assert.deepEqual(
    got.groups.map((group) => [latin1Text(group.name), group.entriesRead]),
    [["at-last", 3n], ["at-first", 1n], ["before", 0n], ["inside", -1n], ["future", -1n]],
  );
  // Empty: the first ID is the largest (streamGetEdgeID finds nothing), entries-read 0.
  const [empty] = readAll(
    fileWith(
      rawStream({
        type: 15,
        nodes: [],
        length: 0,
        lastId: id(3),
        groups: [{ name: "g", lastId: id(3) }],
      }),
    ),
  );
  assert.deepEqual(
    empty.value.type === "stream" && empty.value.stream.firstId,
    id(U64_MAX, U64_MAX),
  );
  assert.equal(empty.value.type === "stream" && empty.value.stream.groups[0].entriesRead, 0n);
});

Deno.test("reader refuses each broken rule of a stream record with its offset", () => {
  const node = (key: RdbStreamId, elements: (number | bigint | string)[]) => ({
    key: encodeStreamId(key),
    listpack: nodeListpack(elements),
  });
  const one = (elements: (number | bigint | string)[], key = id(5, 0)): RawStream => ({
    nodes: [node(key, elements)],
    length: 1,
    lastId: id(99),
    firstId: key,
    entriesAdded: 1n,
  });
  const base = validRaw();
  const group = base.groups![0];
  const cases: [RawStream, RegExp][] = [
    // Node framing.
    [
      { ...base, nodes: [{ key: t("short"), listpack: base.nodes[0].listpack }] },
      /node key is 5 bytes/,
    ],
    [
      { ...base, nodes: [{ key: base.nodes[0].key, listpack: hex("08 00 00 00 00 00 ff") }] },
      /bad stream node listpack \(.*listpack header says 8 bytes, blob has 7/,
    ],
    [
      { ...base, nodes: [{ key: base.nodes[0].key, listpack: hex("07 00 00 00 00 00 ff") }] },
      /stream node ends inside live entry count/,
    ],
    // The master entry.
    [one(["x"]), /live entry count is no integer/],
    [one([0, 0, 1, "f", 0]), /has no live entry/],
    [one([1, -1, 1, "f", 0, 2, 0, 0, "v", 4]), /deleted entry count -1 is outside/],
    [one([1, 0, 9, "f", 0, 2, 0, 0, "v", 4]), /master field count 9 is outside/],
    [one([1, 0, 1, "f", 7, 2, 0, 0, "v", 4]), /master entry does not end in 0/],
    [one([3, 0, 1, "f", 0, 2, 0, 0, "v", 4]), /declares 3 entries but holds 5 more elements/],
    // Entries.
    [one([1, 0, 1, "f", 0, 4, 0, 0, "v", 4]), /unknown flags 4/],
    [one([1, 0, 1, "f", 0, 2, 1, 0, "v", 4]), /first entry 6-0 is not its key 5-0/],
    [one([1, 0, 1, "f", 0, 2, 0, 0, "v", 5]), /lp-count 5, not 4/],
    [one([1, 0, 1, "f", 0, 0, 0, 0, 1, "g", "v", 4]), /lp-count 4, not 6/],
    [one([1, 0, 1, "f", 0, 0, 0, 0, 3, "g", "v", 6]), /entry field count 3 is outside/],
    [one([1, 0, 1, "f", 0, 2, 0, 0, "v", 4, 9]), /1 elements after the stream node's entries/],
    [one([1, 0, 1, "f", 0, 2, 0, 0]), /declares 1 entries but holds 3 more elements/],
    [
      one([1, 0, 1, "f", 0, 3, 0, 0, "v", 4]),
      /counts 1 live and 0 deleted entries, its flags 0 and 1/,
    ],
    [one([2, 0, 1, "f", 0, 2, 0, 0, "v", 4, 2, -1, 0, "v", 4]), /entry 4-0 does not follow 5-0/],
    // Deltas wrap as uint64: seq-delta -1 from 5-0 is 5-18446744073709551615, which follows.
    [
      {
        ...one([2, 0, 1, "f", 0, 2, 0, 0, "v", 4, 2, 0, -1, "v", 4]),
        length: 2,
        entriesAdded: 2n,
        lastId: id(5, 3),
      },
      /last ID 5-3 is below entry 5-18446744073709551615/,
    ],
    [{ ...base, nodes: [base.nodes[1], base.nodes[0]] }, /entry 5-0 does not follow 9-9/],
    // Stream counters.
    [{ ...base, length: 4 }, /stream length 4, but its nodes hold 3 entries/],
    [{ ...base, lastId: id(9, 8) }, /last ID 9-8 is below entry 9-9/],
    [{ ...base, firstId: id(6, 0) }, /first ID 6-0 is not entry 5-0/],
    [{ ...base, entriesAdded: 2n }, /entries-added 2 is below its length 3/],
    // Groups.
    [{ ...base, groups: [group, group] }, /duplicate consumer group name/],
    [{ ...base, groups: [{ ...group, entriesRead: U64_MAX - 1n }] }, /entries-read -2 is below -1/],
    [
      { ...base, groups: [{ ...group, pel: [...group.pel!, group.pel![0]] }] },
      /duplicate PEL entry 5-0/,
    ],
    [
      { ...base, groups: [{ ...group, consumers: [group.consumers![0], group.consumers![0]] }] },
      /duplicate consumer name/,
    ],
    [
      { ...base, groups: [{ ...group, consumers: [{ name: "a", ids: [id(7, 7)] }] }] },
      /consumer PEL entry 7-7 is not in the group's PEL/,
    ],
    [
      { ...base, groups: [{ ...group, consumers: [{ name: "a", ids: [id(5, 0), id(5, 0)] }] }] },
      /PEL entry 5-0 is owned twice/,
    ],
    [
      {
        ...base,
        groups: [{ ...group, consumers: [group.consumers![0], { name: "b", ids: [id(5, 1)] }] }],
      },
      /PEL entry 5-1 is owned twice/,
    ],
    [
      { ...base, groups: [{ ...group, consumers: [group.consumers![0]] }] },
      /PEL entry 5-0 has no consumer/,
    ],
  ];
  for (const [value, pattern] of cases) {
    const bytes = fileWith(rawStream(value));
    assertFormatError(bytes, pattern);
    assertFormatError(bytes, pattern, 3);
  }
  // Offsets name the bytes: a too-short node key at the key's length byte (file offset 16:
  // header 9, fe 00, type, key "s" as 01 73, node count).
  assertFormatError(fileWith(rawStream(cases[0][0])), /^RDB format error at offset 15: /);
  // A stream type 21 (Redis 7.2) is still refused, by name.
  assertFormatError(
    fileWith(hex("15 01 73 00")),
    /offset 11: unsupported type stream listpacks 3 \(21\)/,
  );
});

Deno.test("reader limits on streams: elementCountMax on every count, no preallocation", () => {
  const base = fileWith(rawStream(validRaw()));
  assert.equal(readAll(base, 64, { elementCountMax: 3 }).length, 1);
  assert.throws(
    () => readAll(base, 64, { elementCountMax: 2 }),
    /offset \d+: stream has more entries than the limit/,
  );
  assert.throws(
    () => readAll(base, 64, { elementCountMax: 1 }),
    /offset 14: bad length for a stream node count: 2 is above the limit 1/,
  );
  // Huge declared counts with nothing behind them end at the truncation, allocating nothing.
  const huge = 0xfffffff0;
  const truncated = (bytes: Uint8Array) => {
    assert.throws(() => {
      const reader = new RdbReader();
      reader.push(bytes);
      while (reader.next() !== null) { /* drain */ }
      reader.finish();
    }, /truncated/);
  };
  const prefix = concatBytes([t("REDIS0010"), hex("fe 00 13 01 73")]);
  truncated(concatBytes([prefix, rawLength(huge)])); // nodes
  truncated(concatBytes([prefix, hex("00 00 00 00 00 00 00 00 00"), rawLength(huge)])); // groups
  truncated(
    concatBytes([prefix, hex("00 00 00 00 00 00 00 00 00 01 01 67 00 00 00"), rawLength(huge)]),
  ); // a PEL
});

// --- truncation and mutation --------------------------------------------------------------

/** A small file of stream records: nodes of two entries, groups, PEL, consumers. */
function smallStreamFile(options: Omit<RdbWriterOptions, "onChunk"> = {}): Uint8Array {
  const all = shapes();
  const entries = variedEntries(7, 3).map((entry, index) =>
    index === 3 ? { ...entry, fields: pairs("sensor", "x".repeat(40)) } : entry
  );
  const withGroups = stream(entries, {
    groups: [{
      name: t("g"),
      lastDeliveredId: entries[4].id,
      entriesRead: 5n,
      pending: entries.slice(0, 3).map((entry) => ({
        id: entry.id,
        deliveryTimeMs: 1_700_000_000_000n,
        deliveryCount: 1n,
      })),
      consumers: [
        { name: t("a"), seenTimeMs: 1n, pending: [entries[0].id, entries[2].id] },
        { name: t("b"), seenTimeMs: 2n, pending: [entries[1].id] },
      ],
    }],
  });
  return fileOf(
    { s: withGroups, e: all["empty:emptied"], m: all["near-max"] },
    { streamNodeMaxEntries: 2, ...options },
  );
}

Deno.test("stream records truncated at every byte give RdbFormatError 'truncated'", () => {
  for (const options of [{ compression: false }, {}]) {
    const bytes = smallStreamFile(options);
    assert.equal(readAll(bytes).length, 3);
    for (let cut = 0; cut < bytes.length; cut++) {
      for (const chunkBytes of [cut, 1, 7]) {
        assertFormatError(bytes.subarray(0, cut), /truncated/, chunkBytes);
      }
    }
  }
});

Deno.test("seeded mutations of stream records give a valid parse or RdbFormatError only", () => {
  const random = seededRandom(20261203);
  const files = [smallStreamFile({ compression: false }), fileWith(rawStream(validRaw()))];
  const MUTATION_COUNT = 3_000;
  let refused = 0;
  for (let round = 0; round < MUTATION_COUNT; round++) {
    const mutated = files[round % files.length].slice();
    const changes = 1 + Math.floor(random() * 3);
    for (let change = 0; change < changes; change++) {
      // Past the header, so the damage lands in the records.
      const at = 11 + Math.floor(random() * (mutated.length - 20));
      const kind = random();
      if (kind < 0.4) mutated[at] = Math.floor(random() * 256);
      else if (kind < 0.7) mutated[at] ^= 1 << Math.floor(random() * 8);
      else {mutated[at] = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0x81, 0xc0, 0xf4, 0xff][
          Math.floor(random() * 10)
        ];}
    }
    mutated.fill(0, mutated.length - 8); // no checksum: reach the damaged structure
    try {
      readAll(mutated, 1 + Math.floor(random() * 64));
    } catch (error) {
      if (!(error instanceof RdbFormatError)) {
        throw new Error(`round ${round}: ${error}`, { cause: error });
      }
      refused++;
    }
  }
  assert.ok(refused > MUTATION_COUNT / 2, `only ${refused} mutations were refused`);
});

// --- interop with redis-server 7.0 ----------------------------------------------------------

/** A reply as nested values: bulk text, "i:<n>" integers, "+text", null, arrays. */
type Reply = string | null | Reply[];

function decodeReply(bytes: Uint8Array): Reply {
  const line = () => latin1Text(bytes.subarray(1, bytes.indexOf(0x0d)));
  switch (bytes[0]) {
    case 0x24: // $
      return blobText(bytes);
    case 0x2a: { // *
      const parts = splitAggregate(bytes);
      return parts === null ? null : parts.map(decodeReply);
    }
    case 0x3a: // :
      return "i:" + line();
    case 0x2b: // +
      return "+" + line();
    default:
      throw new Error(`reply: ${latin1Text(bytes)}`);
  }
}

/** Sends commands pipelined in batches; returns each reply, failing on an error reply. */
async function pipeline(
  client: RawClient,
  commands: (string | Uint8Array)[][],
): Promise<Uint8Array[]> {
  const BATCH_COMMANDS = 200;
  const replies: Uint8Array[] = [];
  for (let start = 0; start < commands.length; start += BATCH_COMMANDS) {
    const batch = commands.slice(start, start + BATCH_COMMANDS);
    await client.send(concatBytes(batch.map(encodeCommand)));
    const got = await client.readReplies(batch.length);
    got.forEach((reply, index) => {
      assert.notEqual(
        reply[0],
        0x2d,
        `${batch[index].slice(0, 3).map(String).join(" ")}: ${latin1Text(reply)}`,
      );
    });
    replies.push(...got);
  }
  return replies;
}

const xadd = (key: string, entry: RdbStreamEntry): (string | Uint8Array)[] => [
  "XADD",
  key,
  streamIdText(entry.id),
  ...entry.fields.flatMap((pair) => [pair.field, pair.value]),
];

/** Streams without deleted entries (and the node limits they were built with). */
const EXACT_KEYS: Record<string, { streamNodeMaxBytes?: number; streamNodeMaxEntries?: number }> = {
  "s:plain": {},
  "s:near-max": {},
  "s:groups": {},
  "s:mk": {},
  "s:emptied": {},
  "s:nodes7": { streamNodeMaxEntries: 7 },
  "s:wide": { streamNodeMaxEntries: 0, streamNodeMaxBytes: 100_000 },
};

/** Builds the test streams on a redis-server with the commands a real workload uses. */
async function buildStreams(client: RawClient): Promise<void> {
  const plain = variedEntries(2_000, 11);
  const commands: (string | Uint8Array)[][] = plain.map((entry) => xadd("s:plain", entry));
  for (const entry of shapes()["near-max"].entries) commands.push(xadd("s:near-max", entry));
  commands.push(
    ["XGROUP", "CREATE", "s:near-max", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "s:near-max", ">"],
  );

  // Groups over a stream with no deleted entries.
  const grouped = variedEntries(300, 12);
  for (const entry of grouped) commands.push(xadd("s:groups", entry));
  const ids = grouped.map((entry) => streamIdText(entry.id));
  commands.push(
    ["XGROUP", "CREATE", "s:groups", "zeta", "0"],
    ["XGROUP", "CREATE", "s:groups", "alpha", "$"],
    ["XGROUP", "CREATE", "s:groups", "1234", ids[99], "ENTRIESREAD", "100"],
    ["XREADGROUP", "GROUP", "zeta", "bob", "COUNT", "50", "STREAMS", "s:groups", ">"],
    ["XREADGROUP", "GROUP", "zeta", "alice", "COUNT", "30", "STREAMS", "s:groups", ">"],
    ["XACK", "s:groups", "zeta", ...ids.slice(0, 10)],
    [
      "XCLAIM",
      "s:groups",
      "zeta",
      "carol",
      "0",
      ...ids.slice(60, 65),
      "RETRYCOUNT",
      "1099511627776",
    ],
    ["XCLAIM", "s:groups", "zeta", "carol", "0", ids[70], "TIME", "1600000000000"],
    ["XGROUP", "CREATECONSUMER", "s:groups", "zeta", "dave"],
    ["XREADGROUP", "GROUP", "1234", "x", "COUNT", "5", "STREAMS", "s:groups", ">"],
    ["XGROUP", "SETID", "s:groups", "1234", ids[150]],
  );

  // History: deleted entries, whole nodes gone, partial trims, a PEL entry deleted since.
  const history = variedEntries(700, 13).map((entry) => ({ ...entry, fields: pairs("k", "v") }));
  const historyIds = history.map((entry) => streamIdText(entry.id));
  for (const entry of history) commands.push(xadd("s:history", entry));
  commands.push(
    ["XGROUP", "CREATE", "s:history", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "120", "STREAMS", "s:history", ">"],
    ["XDEL", "s:history", historyIds[0], historyIds[5], historyIds[110], historyIds[699]],
    ["XDEL", "s:history", ...historyIds.slice(200, 300)], // a whole node
    ["XTRIM", "s:history", "MAXLEN", "=", "560"],
    ["XTRIM", "s:history", "MINID", "=", historyIds[90]],
    ["XREADGROUP", "GROUP", "g", "d", "COUNT", "7", "STREAMS", "s:history", ">"],
  );

  // Empty streams: a group made with MKSTREAM; one emptied by XDEL and moved by XSETID.
  commands.push(
    ["XGROUP", "CREATE", "s:mk", "g", "$", "MKSTREAM"],
    ["XGROUP", "CREATECONSUMER", "s:mk", "g", "c1"],
    ["XADD", "s:emptied", "5-1", "a", "1"],
    ["XADD", "s:emptied", "5-2", "a", "2"],
    ["XDEL", "s:emptied", "5-1", "5-2"],
    ["XSETID", "s:emptied", "10-0", "ENTRIESADDED", "50", "MAXDELETEDID", "7-0"],
  );

  // Other node limits: 7 entries per node; no entry limit and 100 KB (a 2-byte live count).
  commands.push(["CONFIG", "SET", "stream-node-max-entries", "7"]);
  for (const entry of variedEntries(40, 14)) commands.push(xadd("s:nodes7", entry));
  commands.push(
    ["CONFIG", "SET", "stream-node-max-entries", "0"],
    ["CONFIG", "SET", "stream-node-max-bytes", "100000"],
  );
  for (let index = 0; index < 400; index++) {
    commands.push(xadd("s:wide", { id: id(index + 1, index), fields: pairs("n", String(index)) }));
  }
  commands.push(
    ["CONFIG", "SET", "stream-node-max-entries", "100"],
    ["CONFIG", "SET", "stream-node-max-bytes", "4096"],
  );
  await pipeline(client, commands);
}

/** XINFO STREAM FULL as the record says it, without radix-tree counts and lag (derived). */
function xinfoOf(record: RdbStream): Reply {
  const value = sortedLikeRedis(record); // the server lists groups and consumers by name
  const i = (n: bigint | number) => `i:${BigInt.asIntN(64, BigInt(n))}`;
  const owners = (group: RdbStream["groups"][number]) => {
    const out = new Map<string, string>();
    for (const c of group.consumers) {
      for (const p of c.pending) out.set(streamIdText(p), latin1Text(c.name));
    }
    return out;
  };
  return [
    "length",
    i(value.entries.length),
    "last-generated-id",
    streamIdText(value.lastId),
    "max-deleted-entry-id",
    streamIdText(value.maxDeletedId),
    "entries-added",
    i(value.entriesAdded),
    "recorded-first-entry-id",
    streamIdText(value.firstId),
    "entries",
    value.entries.map((entry) => [
      streamIdText(entry.id),
      entry.fields.flatMap((pair) => [latin1Text(pair.field), latin1Text(pair.value)]),
    ]),
    "groups",
    value.groups.map((group) => {
      const owner = owners(group);
      const byId = new Map(group.pending.map((p) => [streamIdText(p.id), p]));
      return [
        "name",
        latin1Text(group.name),
        "last-delivered-id",
        streamIdText(group.lastDeliveredId),
        "entries-read",
        group.entriesRead === -1n ? null : i(group.entriesRead),
        "pel-count",
        i(group.pending.length),
        "pending",
        group.pending.map((p) => [
          streamIdText(p.id),
          owner.get(streamIdText(p.id))!,
          i(p.deliveryTimeMs),
          i(p.deliveryCount),
        ]),
        "consumers",
        group.consumers.map((c) => [
          "name",
          latin1Text(c.name),
          "seen-time",
          i(c.seenTimeMs),
          "pel-count",
          i(c.pending.length),
          "pending",
          c.pending.map((p) => {
            const nack = byId.get(streamIdText(p))!;
            return [streamIdText(p), i(nack.deliveryTimeMs), i(nack.deliveryCount)];
          }),
        ]),
      ];
    }),
  ];
}

/** Drops `names` (and their values) from a flat name/value reply, at the top and in groups. */
function without(reply: Reply, names: string[]): Reply {
  if (!Array.isArray(reply)) return reply;
  const out: Reply[] = [];
  for (let index = 0; index < reply.length; index += 2) {
    const name = reply[index];
    if (typeof name === "string" && names.includes(name)) continue;
    const value = reply[index + 1];
    out.push(
      name,
      name === "groups" && Array.isArray(value) ? value.map((g) => without(g, names)) : value,
    );
  }
  return out;
}

async function xinfoFull(client: RawClient, key: string): Promise<Reply> {
  return decodeReply(await client.command("XINFO", "STREAM", key, "FULL", "COUNT", "0"));
}

/** Everything the server says about a stream: XINFO FULL, XRANGE, XPENDING per group. */
async function describeStream(client: RawClient, key: string, layoutFree: boolean): Promise<Reply> {
  const info = await xinfoFull(client, key) as Reply[];
  const groups = info[info.indexOf("groups") + 1] as Reply[];
  const pending: Reply[] = [];
  for (const group of groups as Reply[][]) {
    const name = group[1] as string;
    pending.push(decodeReply(await client.command("XPENDING", key, name)));
    const extended = decodeReply(await client.command("XPENDING", key, name, "-", "+", "1000000"));
    // [id, consumer, idle ms, deliveries]: idle is now minus delivery time, so it moves.
    pending.push((extended as Reply[][]).map((row) => [row[0], row[1], row[3]]));
  }
  return [
    layoutFree ? without(info, ["radix-tree-keys", "radix-tree-nodes"]) : info,
    decodeReply(await client.command("XRANGE", key, "-", "+")),
    decodeReply(await client.command("XREVRANGE", key, "+", "-", "COUNT", "3")),
    pending,
  ];
}

const STREAM_KEYS = [
  "s:plain",
  "s:near-max",
  "s:groups",
  "s:history",
  "s:mk",
  "s:emptied",
  "s:nodes7",
  "s:wide",
];

peerTest(
  "stream interop: redis-server's streams read exactly, DUMP-equal, and load back from our file",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-stream-" });
    const source = await startRedisServer(["--dir", dir]);
    const client = await RawClient.connect(source.port, 30_000);
    try {
      await buildStreams(client);
      assert.equal(await client.commandText("SAVE"), "+OK\r\n");
      const file = await Deno.readFile(`${dir}/dump.rdb`);

      // Read: our reader's records say what XINFO STREAM FULL says.
      const read = streamsOf(readAll(file));
      assert.deepEqual(streamsOf(readAll(file, 65_536)), read);
      assert.deepEqual([...read.keys()].sort(), [...STREAM_KEYS].sort());
      for (const key of STREAM_KEYS) {
        const want = without(await xinfoFull(client, key), [
          "radix-tree-keys",
          "radix-tree-nodes",
          "lag",
        ]);
        assert.deepEqual(xinfoOf(read.get(key)!), want, key);
      }
      // Layout: each stream without deleted entries encodes to Redis's DUMP, byte for byte.
      for (const [key, limits] of Object.entries(EXACT_KEYS)) {
        const dump = latin1Bytes(blobText(await client.command("DUMP", key)) ?? "");
        const body = dump.subarray(0, dump.length - 10); // minus RDB version (2) and CRC64 (8)
        const ours = encodeRdbValue({ type: "stream", stream: read.get(key)! }, limits);
        assert.deepEqual(ours, body, `${key}: our bytes differ from DUMP`);
      }

      // Write: our file (default node limits) passes redis-check-rdb and loads the same.
      const ours = fileOf(Object.fromEntries(read), { chunkSizeBytes: 4096 });
      await Deno.writeFile(`${dir}/ours.rdb`, ours);
      const check = await new Deno.Command(findExecutable("redis-check-rdb")!, {
        args: [`${dir}/ours.rdb`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const checkText = new TextDecoder().decode(check.stdout) +
        new TextDecoder().decode(check.stderr);
      assert.equal(check.code, 0, checkText);
      assert.match(checkText, /RDB looks OK/);

      const loaded = await startRedisServer(["--dir", dir, "--dbfilename", "ours.rdb"]);
      const loadedClient = await RawClient.connect(loaded.port, 30_000);
      try {
        for (const key of STREAM_KEYS) {
          // Streams that had deleted entries, or other node limits, are laid out afresh.
          const layoutFree = !(key in EXACT_KEYS) || Object.keys(EXACT_KEYS[key]).length > 0;
          assert.deepEqual(
            await describeStream(loadedClient, key, layoutFree),
            await describeStream(client, key, layoutFree),
            key,
          );
        }
        // The loaded stream keeps working: XADD goes past the last ID.
        assert.match(await loadedClient.commandText("XADD", "s:emptied", "*", "a", "b"), /^\$/);

        // Type 15 (Redis 5 / 6.2): RESTOREd into 7.0, the counters it fills are ours.
        for (const [key, value] of type15Payloads()) {
          const payload = dumpPayload(rawStream(value, null));
          assert.equal(
            await loadedClient.commandText("RESTORE", key, "0", payload),
            "+OK\r\n",
            key,
          );
          const [entry] = readAll(fileWith(rawStream(value, key)));
          assert.equal(entry.value.type, "stream");
          if (entry.value.type !== "stream") continue;
          const want = without(await xinfoFull(loadedClient, key), [
            "radix-tree-keys",
            "radix-tree-nodes",
            "lag",
          ]);
          assert.deepEqual(xinfoOf(entry.value.stream), want, key);
        }
      } finally {
        loadedClient.close();
        await loaded.stop();
      }
    } finally {
      client.close();
      await source.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
  { binaries: ["redis-server", "redis-check-rdb"] },
);

/** Type-15 streams: with groups at every position the entries-read estimate tells apart. */
function type15Payloads(): [string, RawStream][] {
  const nodes = encodeStreamNodes(variedEntries(150, 21, id(1000)));
  const entries = variedEntries(150, 21, id(1000));
  const group = (name: string, lastId: RdbStreamId, pelIds: RdbStreamId[] = []): RawGroup => ({
    name,
    lastId,
    pel: pelIds.map((pelId) => ({ id: pelId, timeMs: 1_650_000_000_000n, count: 2n })),
    consumers: [{ name: "c", seenMs: 1_650_000_000_001n, ids: pelIds }],
  });
  return [
    ["t15:full", {
      type: 15,
      nodes,
      length: entries.length,
      lastId: id(entries[entries.length - 1].id.ms + 5n, 0),
      groups: [
        group("at-last", id(entries[entries.length - 1].id.ms + 5n, 0)),
        group("at-first", entries[0].id, [entries[0].id]),
        group("before", id(1, 0)),
        group("inside", entries[70].id, [entries[3].id, entries[70].id]),
        group("future", id(U64_MAX, 0)),
      ],
    }],
    ["t15:empty", {
      type: 15,
      nodes: [],
      length: 0,
      lastId: id(77, 7),
      groups: [group("g", id(77, 7))],
    }],
    ["t15:fresh", { type: 15, nodes: [], length: 0, lastId: ZERO_ID, groups: [] }],
  ];
}

/** A DUMP payload around a value: RDB version 9 (2 bytes LE) and the CRC64 of it all. */
function dumpPayload(value: Uint8Array): Uint8Array {
  const body = concatBytes([value, hex("09 00")]);
  const crc = new Uint8Array(8);
  new DataView(crc.buffer).setBigUint64(0, crc64(body), true);
  return concatBytes([body, crc]);
}
