// Unit tests of the RDB codec's parts on hand-built bytes: CRC64, LZF (ours and Redis's
// output), length encodings at every boundary, listpack / ziplist / zipmap / intset decoders,
// the old encodings a 7.0 server still loads (hand-built files of versions 3 and 9), and the
// writer's encoding choices at each threshold.

import assert from "node:assert/strict";
import {
  crc64,
  decodeIntset,
  decodeLength,
  decodeListpack,
  decodeZiplist,
  decodeZipmap,
  encodeIntset,
  encodeLength,
  encodeRdbValue,
  formatScore,
  lengthSizeBytes,
  ListpackBuilder,
  lzfCompress,
  lzfDecompress,
  RdbFormatError,
  RdbReader,
  type RdbValue,
} from "../core/rdb/mod.ts";
import {
  LENGTH_BAD_ENCODING,
  LENGTH_NEED_MORE,
  LENGTH_OK,
  LENGTH_TOO_BIG,
} from "../core/rdb/length.ts";
import { BlobFormatError } from "../core/rdb/errors.ts";
import { Crc64 } from "../core/rdb/crc64.ts";
import { concatBytes } from "./_support/raw_client.ts";

const t = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hex = (s: string) => new Uint8Array(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

Deno.test("crc64 matches the Jones check value, in one piece and incrementally", () => {
  assert.equal(crc64(t("123456789")), 0xe9c6d914c4b8d9can);
  const crc = new Crc64();
  for (const piece of ["1", "2345", "", "6789"]) crc.update(t(piece));
  assert.equal(crc.value(), 0xe9c6d914c4b8d9can);
});

Deno.test("lzfDecompress reads what redis-server compressed", () => {
  // DUMP of SET k "hello world, " × 6 from redis-server 7.0.15: c3 <clen 21> <len 78> <data>
  const data = hex("0d 68 65 6c 6c 6f 20 77 6f 72 6c 64 2c 20 68 e0 35 0c 01 2c 20");
  assert.equal(text(lzfDecompress(data, 78)), "hello world, ".repeat(6));
  // And our compressor makes the same bytes.
  assert.deepEqual(lzfCompress(t("hello world, ".repeat(6)), 78 - 4), data);
});

Deno.test("lzf round trips random and repetitive data of many sizes", () => {
  let seed = 1;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;
  for (const size of [3, 21, 33, 100, 1000, 9000, 70_000]) {
    for (const alphabet of [2, 4, 256]) {
      const input = new Uint8Array(size);
      for (let index = 0; index < size; index++) input[index] = random() % alphabet;
      const packed = lzfCompress(input, size + Math.ceil(size / 32) + 4);
      assert.ok(packed !== null);
      assert.deepEqual(lzfDecompress(packed, size), input);
    }
  }
  assert.equal(lzfCompress(new Uint8Array(0), 10), null);
});

Deno.test("lzfDecompress rejects backrefs before the start, overflows and short output", () => {
  assert.throws(() => lzfDecompress(hex("20 05"), 3), BlobFormatError); // ref before start
  assert.throws(() => lzfDecompress(hex("02 61 62 63"), 2), BlobFormatError); // overflow
  assert.throws(() => lzfDecompress(hex("00 61"), 2), BlobFormatError); // short
  assert.throws(() => lzfDecompress(hex("05 61"), 6), BlobFormatError); // literal past end
  assert.throws(() => lzfDecompress(hex("00 61 e0"), 10), BlobFormatError); // truncated ref
});

Deno.test("length encodings at every boundary", () => {
  const out = { value: 0, sizeBytes: 0, isEncoded: false };
  const buf = new Uint8Array(9);
  const cases: [number, number][] = [
    [0, 1],
    [63, 1],
    [64, 2],
    [16383, 2],
    [16384, 5],
    [2 ** 32 - 1, 5],
    [2 ** 32, 9],
    [Number.MAX_SAFE_INTEGER, 9],
  ];
  for (const [len, size] of cases) {
    assert.equal(lengthSizeBytes(len), size, `size of ${len}`);
    assert.equal(encodeLength(len, buf, 0), size);
    assert.equal(decodeLength(buf, 0, size, out), LENGTH_OK);
    assert.deepEqual(out, { value: len, sizeBytes: size, isEncoded: false });
    assert.equal(decodeLength(buf, 0, size - 1, out), LENGTH_NEED_MORE, `truncated ${len}`);
  }
  assert.deepEqual([...buf.subarray(0, 2)].length, 2);
  encodeLength(64, buf, 0);
  assert.deepEqual([...buf.subarray(0, 2)], [0x40, 0x40]);
  assert.equal(decodeLength(hex("c3"), 0, 1, out), LENGTH_OK);
  assert.deepEqual(out, { value: 3, sizeBytes: 1, isEncoded: true });
  assert.equal(decodeLength(hex("82"), 0, 1, out), LENGTH_BAD_ENCODING);
  assert.equal(decodeLength(hex("bf"), 0, 1, out), LENGTH_BAD_ENCODING);
  assert.equal(decodeLength(hex("81 00 20 00 00 00 00 00 00"), 0, 9, out), LENGTH_TOO_BIG);
});

Deno.test("listpack: every entry encoding, built and decoded", () => {
  const values = [
    "0",
    "127",
    "128",
    "-1",
    "-4096",
    "4095",
    "4096",
    "-32768",
    "32767",
    "32768",
    "-8388608",
    "8388607",
    "8388608",
    "-2147483648",
    "2147483647",
    "2147483648",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "-0",
    "01",
    "+1",
    "",
    "a".repeat(63),
    "b".repeat(64),
    "c".repeat(4095),
    "d".repeat(4096),
    "e".repeat(20_000),
  ];
  const builder = new ListpackBuilder();
  for (const value of values) builder.append(t(value));
  const blob = builder.finish();
  assert.equal(blob.length, builder.sizeBytes);
  assert.deepEqual(decodeListpack(blob).map(text), values);
  // Hand-built: "a", 5, -2 as 13-bit, terminator.
  const hand = hex("0f 00 00 00 03 00 81 61 02 05 01 df fe 02 ff");
  assert.deepEqual(decodeListpack(hand).map(text), ["a", "5", "-2"]);
  // 16-bit int 5000 is f1 88 13 + backlen 3.
  const small = new ListpackBuilder();
  small.append(t("5000"));
  assert.deepEqual([...small.finish()], [11, 0, 0, 0, 1, 0, 0xf1, 0x88, 0x13, 3, 0xff]);
});

Deno.test("listpack decoder rejects malformed blobs", () => {
  const bad = [
    hex("0f 00 00 00 03 00 81 61 02 05 01 df fe 02"), // header size mismatch
    hex("0f 00 00 00 04 00 81 61 02 05 01 df fe 02 ff"), // count mismatch
    hex("0f 00 00 00 03 00 81 61 03 05 01 df fe 02 ff"), // bad backlen
    hex("0f 00 00 00 03 00 81 61 02 05 01 df fe 02 fe"), // no terminator
    hex("09 00 00 00 01 00 f5 01 ff"), // bad encoding byte
    hex("09 00 00 00 01 00 85 61 ff"), // string past the end
    hex("06 00 00 00 00 00"), // too short
  ];
  for (const blob of bad) assert.throws(() => decodeListpack(blob), BlobFormatError);
});

Deno.test("ziplist decoder: every encoding, and malformed blobs", () => {
  // entries: "ab" (06b str), 7 (imm), int8 -3, int16 300, int24 -70000, int32, int64
  const entries = [
    "02 02 61 62", // prevlen 0
    "04 f8", // imm 7 (0xf1 + 7)
    "02 fe fd", // int8 -3
    "03 c0 2c 01", // int16 300
    "04 f0 90 ee fe", // int24 -70000
    "05 d0 00 00 00 80", // int32 -2147483648
    "06 e0 ff ff ff ff ff ff ff 7f", // int64 max
  ];
  const body = entries.map(hex);
  // Fix prevlens to the previous entry's size.
  let previous = 0;
  for (const entry of body) {
    entry[0] = previous;
    previous = entry.length;
  }
  const size = 10 + body.reduce((sum, e) => sum + e.length, 0) + 1;
  const blob = new Uint8Array(size);
  const view = new DataView(blob.buffer);
  view.setUint32(0, size, true);
  view.setUint32(4, size - 1 - body[body.length - 1].length, true);
  view.setUint16(8, body.length, true);
  let pos = 10;
  for (const entry of body) {
    blob.set(entry, pos);
    pos += entry.length;
  }
  blob[pos] = 0xff;
  assert.deepEqual(decodeZiplist(blob).map(text), [
    "ab",
    "7",
    "-3",
    "300",
    "-70000",
    "-2147483648",
    "9223372036854775807",
  ]);
  const wrongCount = blob.slice();
  wrongCount[8] = 3;
  assert.throws(() => decodeZiplist(wrongCount), BlobFormatError);
  const wrongPrev = blob.slice();
  wrongPrev[14] = 9;
  assert.throws(() => decodeZiplist(wrongPrev), BlobFormatError);
  assert.throws(() => decodeZiplist(blob.subarray(0, 20)), BlobFormatError);
});

Deno.test("zipmap decoder: pairs with free space, and malformed blobs", () => {
  const blob = hex("02 01 61 01 02 62 00 00 02 63 63 01 00 64 ff"); // {a: b (2 free), cc: d}
  assert.deepEqual(decodeZipmap(blob).map(text), ["a", "b", "cc", "d"]);
  assert.throws(() => decodeZipmap(hex("01 01 61 ff")), BlobFormatError);
  assert.throws(() => decodeZipmap(hex("01 01 61 01 00 62")), BlobFormatError);
  assert.throws(() => decodeZipmap(hex("05 01 61 01 00 62 ff")), BlobFormatError);
});

Deno.test("intset: widths, order, and malformed blobs", () => {
  assert.deepEqual([...encodeIntset([5n, -1n])], [2, 0, 0, 0, 2, 0, 0, 0, 0xff, 0xff, 5, 0]);
  assert.equal(encodeIntset([40000n])[0], 4);
  assert.equal(encodeIntset([2n ** 40n])[0], 8);
  assert.deepEqual(decodeIntset(encodeIntset([2n ** 40n, -3n])).map(text), ["-3", "1099511627776"]);
  assert.throws(() => encodeIntset([1n, 1n]), RangeError);
  assert.throws(() => decodeIntset(hex("03 00 00 00 01 00 00 00 01 00 00")), BlobFormatError);
  assert.throws(() => decodeIntset(hex("02 00 00 00 02 00 00 00 05 00 01 00")), BlobFormatError);
  assert.throws(() => decodeIntset(hex("02 00 00 00 02 00 00 00 05 00")), BlobFormatError);
});

/** Builds an RDB file from hex pieces (no checksum for versions < 5). */
function file(version: number, ...pieces: string[]): Uint8Array {
  const head = t("REDIS" + String(version).padStart(4, "0"));
  const body = pieces.map(hex);
  const parts = [head, ...body, hex("ff")];
  if (version >= 5) parts.push(new Uint8Array(8));
  return concatBytes(parts);
}

function readEntries(bytes: Uint8Array): { key: string; expireAtMs: number; value: RdbValue }[] {
  const reader = new RdbReader();
  reader.push(bytes);
  const out = [];
  for (let entry = reader.next(); entry !== null; entry = reader.next()) {
    out.push({ key: text(entry.key), expireAtMs: entry.expireAtMs, value: entry.value });
  }
  reader.finish();
  return out;
}

Deno.test("reader loads old encodings: v3 plain types, text scores, seconds expiry", () => {
  const bytes = file(
    3,
    "fe 00",
    "fd 10 27 00 00 00 01 6b 05 76 61 6c 75 65", // expire 10000 s, "k" = "value"
    "01 01 6c 02 01 61 c0 05", // list l = [a, 5]
    "02 01 73 01 01 6d", // set s = {m}
    "03 01 7a 03 01 61 03 31 2e 35 01 62 fe 01 63 ff", // zset: a 1.5, b +inf, c -inf
    "04 01 68 01 01 66 01 76", // hash h = {f: v}
  );
  const entries = readEntries(bytes);
  assert.equal(entries.length, 5);
  assert.equal(entries[0].expireAtMs, 10_000_000);
  assert.equal(text((entries[0].value as { value: Uint8Array }).value), "value");
  assert.deepEqual((entries[1].value as { elements: Uint8Array[] }).elements.map(text), ["a", "5"]);
  const zset = entries[3].value as { entries: { member: Uint8Array; score: number }[] };
  assert.deepEqual(zset.entries.map((e) => e.score), [1.5, Infinity, -Infinity]);
});

Deno.test("reader loads old compact encodings: zipmap, ziplist list/zset/hash, quicklist", () => {
  const zipmap = "0f 02 01 61 01 02 62 00 00 02 63 63 01 00 64 ff";
  // ziplist ["x", "2"]: zlbytes 16, zltail 13, zllen 2
  const ziplist = "10 10 00 00 00 0d 00 00 00 02 00 00 01 78 03 f3 ff";
  const bytes = file(
    9,
    "fe 00",
    "09 01 61 " + zipmap,
    "0a 01 62 " + ziplist,
    "0c 01 63 " + ziplist, // zset {x: 2}
    "0d 01 64 " + ziplist, // hash {x: 2}
    "0e 01 65 02 " + ziplist + " " + ziplist, // quicklist of two ziplists
  );
  const entries = readEntries(bytes);
  assert.deepEqual(entries.map((e) => e.value.type), ["hash", "list", "zset", "hash", "list"]);
  assert.deepEqual((entries[4].value as { elements: Uint8Array[] }).elements.map(text), [
    "x",
    "2",
    "x",
    "2",
  ]);
  assert.deepEqual((entries[2].value as { entries: unknown[] }).entries, [
    { member: t("x"), score: 2 },
  ]);
});

Deno.test("reader: events, aux, resizedb, idle/freq skipped, function code, empty keys", () => {
  const bytes = file(
    10,
    "fa 09 72 65 64 69 73 2d 76 65 72 06 37 2e 30 2e 31 35", // redis-ver 7.0.15
    "f5 03 61 62 63", // function library "abc"
    "fe 03 fb 02 01",
    "f8 05 f9 07 fc 00 01 00 00 00 00 00 00 00 01 6b 01 76", // idle, freq, expire 256
    "01 01 65 00", // empty list: skipped
  );
  const reader = new RdbReader();
  reader.push(bytes);
  const kinds = [];
  for (let event = reader.nextEvent(); event !== null; event = reader.nextEvent()) {
    kinds.push(
      event.kind === "entry" ? `entry:${event.entry.db}:${event.entry.expireAtMs}` : event.kind,
    );
  }
  reader.finish();
  assert.deepEqual(kinds, ["aux", "function", "selectdb", "resizedb", "entry:3:256"]);
  assert.equal(text(reader.aux["redis-ver"]), "7.0.15");
  assert.equal(reader.emptyKeysSkipped, 1);
});

Deno.test("writer chooses Redis's encodings at each threshold", () => {
  const typeOf = (value: RdbValue) => encodeRdbValue(value)[0];
  const ints = (count: number) => Array.from({ length: count }, (_, i) => t(String(i)));
  assert.equal(typeOf({ type: "set", members: ints(512) }), 11);
  assert.equal(typeOf({ type: "set", members: ints(513) }), 2);
  assert.equal(typeOf({ type: "set", members: [t("1"), t("01")] }), 2);
  const zset = (count: number, memberBytes: number) => ({
    type: "zset" as const,
    entries: Array.from({ length: count }, (_, i) => ({
      member: t(String(i).padStart(memberBytes, "m")),
      score: i,
    })),
  });
  assert.equal(typeOf(zset(128, 64)), 17);
  assert.equal(typeOf(zset(129, 4)), 5);
  assert.equal(typeOf(zset(2, 65)), 5);
  const hash = (count: number, valueBytes: number) => ({
    type: "hash" as const,
    fields: Array.from(
      { length: count },
      (_, i) => ({ field: t("f" + i), value: t("v".repeat(valueBytes)) }),
    ),
  });
  assert.equal(typeOf(hash(512, 64)), 16);
  assert.equal(typeOf(hash(513, 1)), 4);
  assert.equal(typeOf(hash(1, 65)), 4);
  assert.equal(typeOf({ type: "list", elements: [t("a")] }), 18);
  // Strings: int8/16/32, too long for an int, compressed, and raw when compression is off.
  assert.deepEqual([...encodeRdbValue({ type: "string", value: t("-129") })], [
    0,
    0xc1,
    0x7f,
    0xff,
  ]);
  assert.deepEqual([...encodeRdbValue({ type: "string", value: t("2147483648") })].slice(0, 2), [
    0,
    10,
  ]);
  const long = { type: "string" as const, value: t("z".repeat(100)) };
  assert.equal(encodeRdbValue(long)[1], 0xc3);
  assert.equal(encodeRdbValue(long, { compression: false })[1], 0x40);
  assert.throws(() => encodeRdbValue({ type: "list", elements: [] }), RangeError);
  assert.throws(
    () => encodeRdbValue({ type: "zset", entries: [{ member: t("a"), score: NaN }] }),
    RangeError,
  );
});

Deno.test("formatScore prints scores as Redis's d2string", () => {
  assert.deepEqual(
    [1, -0, 0, 1.5, 0.1, 1e20, 2 ** 62, 2 ** 63, Infinity, -Infinity, -2.5e-20].map(formatScore),
    [
      "1",
      "-0",
      "0",
      "1.5",
      "0.10000000000000001",
      "1e+20",
      "4611686018427387904",
      "9.2233720368547758e+18",
      "inf",
      "-inf",
      "-2.4999999999999999e-20",
    ],
  );
});

Deno.test("RdbFormatError carries the offset", () => {
  const bytes = file(10, "fe 00", "00 01 6b 82");
  const reader = new RdbReader();
  reader.push(bytes);
  assert.throws(() => reader.next(), (error: unknown) => {
    assert.ok(error instanceof RdbFormatError);
    assert.equal(error.offset, 14);
    assert.match(error.message, /offset 14: bad length encoding for a string value/);
    return true;
  });
});
