// The DUMP payload codec on its own (core/rdb/dump_payload.ts): every value type round-trips,
// the footer is checked (length, version, CRC64), the record is checked as a dump.rdb's would
// be, and `largeEncoding` picks the record type DUMP writes for a collection.

import assert from "node:assert/strict";
import {
  decodeDumpPayload,
  DUMP_PAYLOAD_BAD_DATA,
  DUMP_PAYLOAD_BAD_FOOTER,
  encodeDumpPayload,
  type RdbValue,
  verifyDumpPayload,
} from "../core/rdb/mod.ts";
import { Crc64 } from "../core/rdb/crc64.ts";

const text = (value: string) => new TextEncoder().encode(value);

const VALUES: RdbValue[] = [
  { type: "string", value: text("bar") },
  { type: "string", value: text("12345") },
  { type: "string", value: text("x".repeat(100)) },
  { type: "list", elements: [text("a"), text("1"), text("b".repeat(70))] },
  { type: "set", members: [text("-5"), text("1"), text("70000")] },
  { type: "set", members: [text("a"), text("b")] },
  { type: "zset", entries: [{ member: text("a"), score: 1.5 }, { member: text("b"), score: 3 }] },
  { type: "hash", fields: [{ field: text("f"), value: text("v") }] },
  {
    type: "stream",
    stream: {
      entries: [{ id: { ms: 1n, seq: 1n }, fields: [{ field: text("a"), value: text("1") }] }],
      lastId: { ms: 1n, seq: 1n },
      firstId: { ms: 1n, seq: 1n },
      maxDeletedId: { ms: 0n, seq: 0n },
      entriesAdded: 1n,
      groups: [],
    },
  },
];

/** The value without the stream's nodes (the reader adds them; the writer makes them). */
function logical(value: RdbValue): RdbValue {
  if (value.type !== "stream") return value;
  const { nodes: _nodes, ...stream } = value.stream;
  return { type: "stream", stream };
}

Deno.test("a DUMP payload round-trips every value type", () => {
  for (const value of VALUES) {
    const payload = encodeDumpPayload(value);
    assert.equal(verifyDumpPayload(payload), 10);
    const decoded = decodeDumpPayload(payload);
    assert.ok("value" in decoded, `${value.type}: ${"error" in decoded ? decoded.error : ""}`);
    assert.deepEqual(logical(decoded.value), value);
  }
});

Deno.test("a DUMP payload with a wrong footer is refused", () => {
  const payload = encodeDumpPayload(VALUES[0]);
  assert.deepEqual(decodeDumpPayload(payload.subarray(0, 9)), { error: DUMP_PAYLOAD_BAD_FOOTER });
  const badCrc = payload.slice();
  badCrc[badCrc.length - 1] ^= 1;
  assert.deepEqual(decodeDumpPayload(badCrc), { error: DUMP_PAYLOAD_BAD_FOOTER });
  assert.equal(verifyDumpPayload(badCrc, true), 10);
  const newer = payload.slice();
  newer[newer.length - 10] = 11;
  assert.equal(verifyDumpPayload(newer, true), null);
});

Deno.test("a DUMP payload with a malformed record is bad data", () => {
  // Types Redis 7.0 does not load (8 unused, 20 is 7.2's set listpack), an opcode, a cut value,
  // an empty collection, a duplicate set member: each with a correct CRC64.
  const records = [
    [8, 1, 0x78],
    [20, 1, 0x78],
    [0xfe, 0],
    [0, 0x3f, 0x61],
    [1, 0],
    [2, 2, 1, 0x78, 1, 0x78],
  ];
  for (const record of records) {
    const payload = signed(new Uint8Array([...record, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    assert.equal(verifyDumpPayload(payload), 10);
    assert.deepEqual(decodeDumpPayload(payload), { error: DUMP_PAYLOAD_BAD_DATA }, `${record}`);
  }
});

/** `payload` with its CRC64 written over the last 8 bytes. */
function signed(payload: Uint8Array): Uint8Array {
  const crc = new Crc64();
  crc.update(payload, 0, payload.length - 8);
  crc.writeLittleEndian(payload, payload.length - 8);
  return payload;
}

Deno.test("largeEncoding picks the collection's record type", () => {
  const hash: RdbValue = { type: "hash", fields: [{ field: text("f"), value: text("v") }] };
  assert.equal(encodeDumpPayload(hash)[0], 16);
  assert.equal(encodeDumpPayload(hash, { largeEncoding: true })[0], 4);
  const set: RdbValue = { type: "set", members: [text("1")] };
  assert.equal(encodeDumpPayload(set)[0], 11);
  assert.equal(encodeDumpPayload(set, { largeEncoding: true })[0], 2);
  const zset: RdbValue = { type: "zset", entries: [{ member: text("m"), score: 1 }] };
  assert.equal(encodeDumpPayload(zset)[0], 17);
  assert.equal(encodeDumpPayload(zset, { largeEncoding: true })[0], 5);
  const bigHash: RdbValue = {
    type: "hash",
    fields: [{ field: text("f"), value: text("v".repeat(65)) }],
  };
  assert.equal(encodeDumpPayload(bigHash)[0], 4);
  assert.equal(encodeDumpPayload(bigHash, { largeEncoding: false })[0], 16);
});
