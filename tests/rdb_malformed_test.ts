// The RDB reader on invalid data: every limit with a malicious input, truncation at every byte
// of a small valid file (every type, a stream included), thousands of seeded random mutations,
// and the named refusals (version too new, unsupported types, checksum mismatch, data after the
// end). The only acceptable outcomes are a valid parse or an RdbFormatError naming an offset.
// Stream records get their own, deeper cases in tests/rdb_stream_test.ts.

import assert from "node:assert/strict";
import {
  encodeRdb,
  type RdbEntry,
  RdbFormatError,
  RdbReader,
  type RdbReaderLimits,
  type RdbStream,
} from "../core/rdb/mod.ts";
import { concatBytes } from "./_support/raw_client.ts";

const t = (text: string) => new TextEncoder().encode(text);
const hex = (s: string) => new Uint8Array(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** Seeded PRNG so every failure reproduces. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return state / 2 ** 32;
  };
}

/** A small valid file with every type and encoding the writer produces. */
function smallFile(options: { checksum?: boolean } = {}): Uint8Array {
  const entries: RdbEntry[] = [
    { db: 0, key: t("s"), expireAtMs: 1e12, value: { type: "string", value: t("v") } },
    { db: 0, key: t("i"), expireAtMs: 0, value: { type: "string", value: t("-300") } },
    { db: 0, key: t("z"), expireAtMs: 0, value: { type: "string", value: t("q".repeat(40)) } },
    { db: 0, key: t("l"), expireAtMs: 0, value: { type: "list", elements: [t("a"), t("7")] } },
    { db: 0, key: t("n"), expireAtMs: 0, value: { type: "set", members: [t("1"), t("2")] } },
    { db: 0, key: t("m"), expireAtMs: 0, value: { type: "set", members: [t("x")] } },
    {
      db: 0,
      key: t("o"),
      expireAtMs: 0,
      value: { type: "zset", entries: [{ member: t("a"), score: 1.5 }] },
    },
    {
      db: 0,
      key: t("O"),
      expireAtMs: 0,
      value: { type: "zset", entries: [{ member: t("b".repeat(70)), score: -2 }] },
    },
    {
      db: 0,
      key: t("h"),
      expireAtMs: 0,
      value: { type: "hash", fields: [{ field: t("f"), value: t("1") }] },
    },
    {
      db: 0,
      key: t("H"),
      expireAtMs: 0,
      value: { type: "hash", fields: [{ field: t("f"), value: t("w".repeat(70)) }] },
    },
    { db: 0, key: t("x"), expireAtMs: 0, value: { type: "stream", stream: smallStream() } },
  ];
  return concatBytes(encodeRdb({
    aux: { "redis-ver": "7.0.15" },
    databases: [{ db: 0, keyCount: entries.length, expiresCount: 1, entries }],
  }, options));
}

/** Two entries with different fields, a group with a PEL of two and two consumers. */
function smallStream(): RdbStream {
  const id = (ms: bigint, seq: bigint) => ({ ms, seq });
  const fields = (field: string, value: string) => [{ field: t(field), value: t(value) }];
  return {
    entries: [{ id: id(5n, 0n), fields: fields("f", "1") }, {
      id: id(5n, 1n),
      fields: fields("g", "x".repeat(30)),
    }],
    lastId: id(5n, 1n),
    firstId: id(5n, 0n),
    maxDeletedId: id(0n, 0n),
    entriesAdded: 2n,
    groups: [{
      name: t("g"),
      lastDeliveredId: id(5n, 1n),
      entriesRead: 2n,
      pending: [{ id: id(5n, 0n), deliveryTimeMs: 9n, deliveryCount: 1n }, {
        id: id(5n, 1n),
        deliveryTimeMs: 9n,
        deliveryCount: 3n,
      }],
      consumers: [
        { name: t("a"), seenTimeMs: 9n, pending: [id(5n, 0n)] },
        { name: t("b"), seenTimeMs: 9n, pending: [id(5n, 1n)] },
      ],
    }],
  };
}

/** Parses `bytes` fed in pieces of `chunkBytes`; returns the entry count or the error. */
function parse(
  bytes: Uint8Array,
  chunkBytes = bytes.length,
  limits: Partial<RdbReaderLimits> = {},
): number {
  const reader = new RdbReader(limits);
  let count = 0;
  for (let start = 0; start < bytes.length; start += Math.max(1, chunkBytes)) {
    reader.push(bytes.subarray(start, start + Math.max(1, chunkBytes)));
    while (reader.next() !== null) count++;
  }
  reader.finish();
  return count;
}

function assertFormatError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RdbFormatError, `expected RdbFormatError, got ${error}`);
    assert.match(error.message, /^RDB format error at offset \d+: /);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("the small valid file parses whole and byte by byte", () => {
  const bytes = smallFile();
  assert.equal(parse(bytes), 11);
  assert.equal(parse(bytes, 1), 11);
  assert.equal(parse(smallFile({ checksum: false }), 3), 11);
});

Deno.test("truncation at every byte gives RdbFormatError 'truncated'", () => {
  const bytes = smallFile();
  for (let cut = 0; cut < bytes.length; cut++) {
    for (const chunkBytes of [cut, 1, 7]) {
      assertFormatError(() => parse(bytes.subarray(0, cut), chunkBytes), /truncated/);
    }
  }
});

Deno.test("seeded random mutations give a valid parse or RdbFormatError, nothing else", () => {
  const bytes = smallFile();
  const random = seededRandom(20261125);
  let errors = 0;
  const MUTATION_COUNT = 4000;
  for (let round = 0; round < MUTATION_COUNT; round++) {
    const mutated = bytes.slice();
    const changes = 1 + Math.floor(random() * 4);
    for (let change = 0; change < changes; change++) {
      const at = Math.floor(random() * mutated.length);
      const kind = random();
      if (kind < 0.5) mutated[at] = Math.floor(random() * 256);
      else if (kind < 0.8) mutated[at] ^= 1 << Math.floor(random() * 8);
      else mutated[at] = [0x00, 0x3f, 0x40, 0x80, 0x81, 0xc0, 0xc3, 0xff][Math.floor(random() * 8)];
    }
    // Half the mutations also zero the checksum so the parse reaches the damaged structure.
    if (round % 2 === 0) mutated.fill(0, mutated.length - 8);
    const chunkBytes = 1 + Math.floor(random() * 64);
    try {
      parse(mutated, chunkBytes);
    } catch (error) {
      if (!(error instanceof RdbFormatError)) {
        throw new Error(`round ${round}: ${error}`, { cause: error });
      }
      errors++;
    }
  }
  assert.ok(errors > MUTATION_COUNT / 2, `only ${errors} mutations were refused`);
});

/** A version 10 file (zero checksum) around `body`. */
function file(body: string): Uint8Array {
  return concatBytes([t("REDIS0010"), hex(body), hex("ff 00 00 00 00 00 00 00 00")]);
}

Deno.test("limit stringLenMaxBytes: strings, LZF lengths and blobs above it are refused", () => {
  const limits = { stringLenMaxBytes: 16 };
  assert.equal(parse(file("fe 00 00 01 6b 10" + " 61".repeat(16)), undefined, limits), 1);
  assertFormatError(
    () => parse(file("fe 00 00 01 6b 11" + " 61".repeat(17)), undefined, limits),
    /offset 14: bad length for a string value: 17 bytes is above the limit 16/,
  );
  assertFormatError(
    () => parse(file("fe 00 00 01 6b c3 02 11 00 61"), undefined, limits),
    /uncompressed length in LZF string .* above the limit 16/,
  );
});

Deno.test("a declared 4 GB string fails without allocating it", () => {
  // 0x80 + 32-bit length 0xFFFFFFFF in a ~30-byte file.
  assertFormatError(
    () => parse(file("fe 00 00 01 6b 80 ff ff ff ff 61 62")),
    /bad length for a string value: 4294967295 bytes is above the limit 536870912/,
  );
  // Within the limit (100 MB declared), it fails at the truncation.
  assertFormatError(() => parse(file("fe 00 00 01 6b 80 06 00 00 00 61 62")), /truncated/);
  // LZF: 3 compressed bytes cannot expand to 1 MB.
  assertFormatError(
    () => parse(file("fe 00 00 01 6b c3 03 80 00 10 00 00 00 61 62")),
    /3 bytes cannot expand to 1048576/,
  );
});

Deno.test("limit elementCountMax: a collection length above it is refused", () => {
  const limits = { elementCountMax: 2 };
  assert.equal(parse(file("fe 00 01 01 6c 02 01 61 01 62"), undefined, limits), 1);
  assertFormatError(
    () => parse(file("fe 00 01 01 6c 03 01 61 01 62 01 63"), undefined, limits),
    /bad length for a list length: 3 is above the limit 2/,
  );
  // A huge count with no elements behind it fails at the truncation, without allocating.
  assertFormatError(
    () => parse(concatBytes([t("REDIS0010"), hex("fe 00 02 01 73 80 ff ff ff fe 01 61")])),
    /truncated/,
  );
});

Deno.test("limit dbCountMax: SELECTDB at or above it is refused", () => {
  assert.equal(parse(file("fe 0f 00 01 6b 01 76")), 1);
  assertFormatError(
    () => parse(file("fe 10 00 01 6b 01 76")),
    /database id: 16 is above the limit 15/,
  );
  assert.equal(parse(file("fe 10 00 01 6b 01 76"), undefined, { dbCountMax: 17 }), 1);
});

Deno.test("named refusals: version, magic, types, checksum, trailing data, duplicates", () => {
  assertFormatError(() => parse(t("REDIS0011\xff")), /offset 5: version too new: 11/);
  assertFormatError(() => parse(t("REDIS0000")), /bad version 0/);
  assertFormatError(() => parse(t("RODIS0009")), /offset 0: not an RDB file/);
  assertFormatError(
    () => parse(file("fe 00 15 01 6b 00")),
    /offset 11: unsupported type stream listpacks 3 \(21\)/,
  );
  // Streams (15, 19) are read; a body cut short is refused where it breaks.
  assertFormatError(
    () => parse(file("fe 00 13 01 6b 00")),
    /offset 15: bad length for a stream length: special string encoding/,
  );
  assertFormatError(() => parse(file("fe 00 07 01 6b 00")), /unsupported type module2 \(7\)/);
  assertFormatError(() => parse(file("f7 00")), /offset 9: unsupported: module aux/);
  assertFormatError(() => parse(file("fe 00 08 01 6b 00")), /unknown value type 8/);
  assertFormatError(() => parse(file("fe 00 02 01 73 02 01 61 01 61")), /duplicate set member/);
  assertFormatError(() => parse(file("fe 00 05 01 7a 01 01 61 00 00 00 00 00 00 f8 7f")), /NaN/);
  assertFormatError(
    () => parse(file("fe 00 12 01 6c 01 03 01 61")),
    /bad quicklist node container 3/,
  );

  const bytes = smallFile();
  const corrupted = bytes.slice();
  corrupted[bytes.length - 1] ^= 1;
  assertFormatError(
    () => parse(corrupted),
    new RegExp(`offset ${bytes.length - 8}: checksum mismatch`),
  );
  assertFormatError(() => parse(concatBytes([bytes, hex("00")])), /data after the end/);
  const reader = new RdbReader();
  reader.push(bytes);
  while (reader.next() !== null) { /* drain */ }
  reader.finish();
  assertFormatError(() => reader.push(hex("00")), /data after the end/);
});

Deno.test("an error is sticky: the reader keeps refusing after the first RdbFormatError", () => {
  const reader = new RdbReader();
  reader.push(t("REDIS0099"));
  assert.throws(() => reader.next(), RdbFormatError);
  assert.throws(() => reader.next(), RdbFormatError);
  assert.throws(() => reader.finish(), RdbFormatError);
});
