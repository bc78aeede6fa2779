// The engine half of snapshots (wasm/assembly/snapshot.ts via core/engine/snapshot.ts): string
// records encoded in WASM are byte for byte what the TypeScript RDB writer produces, every
// key of the instant is written exactly once across claims, deferred keys and revisited
// buckets, and the per-slot epochs survive wrap-around, abandoned snapshots and a synchronous
// save in the middle of a background one. The engine's string loader stores what the reader's
// entries would, whatever the chunking, and never gets past a damaged record.

import assert from "node:assert/strict";
import { Engine, SET_KEEPTTL } from "../core/engine/mod.ts";
import { setAdd } from "../core/engine/set.ts";
import { snapshotBegin, snapshotScanStep, SnapshotSlot } from "../core/engine/snapshot.ts";
import { CowSnapshot } from "../core/persistence/cow_snapshot.ts";
import { loadEntries, readEntry, writeEntry } from "../core/persistence/keyspace_records.ts";
import { writeSnapshot } from "../core/persistence/rdb_file.ts";
import { RdbReader, RdbWriter } from "../core/rdb/mod.ts";
import type { RdbEntry } from "../core/rdb/mod.ts";
import { concatBytes } from "./_support/raw_client.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const NOW_MS = 1_700_000_000_000;
const OPTIONS = { compression: true, checksum: true, replId: "0".repeat(40), replOffset: 0 };

/** Deterministic pseudo-random bytes (xorshift32). */
function noise(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Every string shape rdbSaveRawString distinguishes, as values and as keys. */
function stringShapes(): Uint8Array[] {
  const texts = [
    "0",
    "-1",
    "127",
    "128",
    "-128",
    "-129",
    "32767",
    "-32769",
    "2147483647",
    "-2147483648",
    "2147483648",
    "007",
    "-0",
    "+1",
    " 1",
    "12345678901",
    "",
    "a".repeat(20),
    "a".repeat(21),
    "ab".repeat(50),
    "x".repeat(63),
    "y".repeat(64),
    "z".repeat(16383),
    "w".repeat(16384),
  ];
  return [
    ...texts.map(bytes),
    noise(21, 7),
    noise(100, 8),
    noise(70_000, 9),
    new Uint8Array([0, 255, 13, 10, 0]),
  ];
}

function entriesOf(file: Uint8Array): RdbEntry[] {
  const reader = new RdbReader();
  reader.push(file);
  const entries: RdbEntry[] = [];
  for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
  reader.finish();
  return entries;
}

function keyText(entry: RdbEntry): string {
  return `${entry.db}:${[...entry.key].join(",")}`;
}

Deno.test("engine-encoded string records equal the TypeScript writer's, byte for byte", () => {
  for (const compression of [true, false]) {
    const engine = Engine.create();
    const shapes = stringShapes();
    let n = 0;
    for (const value of shapes) {
      for (const key of [bytes(`k${n}`), shapes[n % shapes.length]]) {
        const expireAtMs = n % 3 === 0 ? NOW_MS + 1000 * n + 1 : 0;
        engine.set(0, key, value, expireAtMs, 0, NOW_MS);
        n++;
      }
    }
    // What the engine encodes, in small steps, against writeEntry of the same keys in the same
    // (SCAN) order: both walk the buckets in reverse-binary cursor order.
    snapshotBegin(engine, SnapshotSlot.Synchronous);
    const engineRecords: Uint8Array[] = [];
    let cursor = 0;
    let written = 0;
    for (let steps = 0;; steps++) {
      const step = snapshotScanStep(
        engine,
        SnapshotSlot.Synchronous,
        0,
        cursor,
        1,
        compression,
        NOW_MS,
      );
      assert.deepEqual(step.deferredKeys, [], "strings under 256 KiB are encoded in WASM");
      engineRecords.push(step.records.slice()); // a view, overwritten by the next step
      written += step.recordKeyCount;
      cursor = step.cursor;
      if (step.done) break;
      assert.ok(steps < 10 * n, "the walk ends");
    }
    const expected: Uint8Array[] = [];
    const writer = new RdbWriter({ onChunk: (chunk) => expected.push(chunk), compression });
    writer.selectDb(0, 0, 0);
    cursor = 0;
    do {
      const page = engine.scan(0, cursor, 1000, -1, NOW_MS);
      for (const key of page.keys) writer.writeEntry(readEntry(engine, 0, key.slice(), NOW_MS)!);
      cursor = page.cursor;
    } while (cursor !== 0);
    writer.finish();
    assert.equal(written, engine.dbSize(0));
    const file = concatBytes(expected);
    // The records sit between the header (magic, SELECTDB, RESIZEDB) and EOF + CRC.
    const emptyChunks: Uint8Array[] = [];
    const empty = new RdbWriter({ onChunk: (chunk) => emptyChunks.push(chunk), compression });
    empty.selectDb(0, 0, 0);
    empty.finish();
    const headerBytes = concatBytes(emptyChunks).length - 9; // minus EOF + CRC
    assert.deepEqual(
      concatBytes(engineRecords),
      file.subarray(headerBytes, file.length - 9),
      `compression ${compression}`,
    );
  }
});

Deno.test("a snapshot writes every key once: strings, collections, huge values, expiries", () => {
  const engine = Engine.create();
  const expectedKeys = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const db = i % 3;
    const key = bytes(`key:${i}`);
    if (i % 10 === 0) setAdd(engine, db, key, [bytes("a"), bytes(`m${i}`)], NOW_MS);
    else engine.set(db, key, bytes(`value ${i}`.repeat(1 + (i % 7))), 0, 0, NOW_MS);
    if (i % 11 === 0) engine.setExpireAtMs(db, key, NOW_MS + 60_000, NOW_MS);
    expectedKeys.add(`${db}:${[...key].join(",")}`);
  }
  const huge = bytes("h".repeat(300 * 1024)); // larger than the engine's step buffer
  engine.set(1, bytes("huge"), huge, 0, SET_KEEPTTL, NOW_MS);
  expectedKeys.add(`1:${[...bytes("huge")].join(",")}`);
  // Expired at the instant: not in the file (expiry deletes are off while a snapshot reads).
  engine.setExpireDeletes(false);
  engine.set(2, bytes("gone"), bytes("x"), NOW_MS - 1, 0, NOW_MS - 10);

  const chunks: Uint8Array[] = [];
  const keyCount = writeSnapshot(engine, OPTIONS, NOW_MS, (chunk) => chunks.push(chunk));
  const entries = entriesOf(concatBytes(chunks));
  assert.equal(keyCount, expectedKeys.size);
  assert.deepEqual(new Set(entries.map(keyText)), expectedKeys);
  assert.equal(entries.length, expectedKeys.size, "no key twice");
  const hugeEntry = entries.find((entry) =>
    keyText(entry) === `1:${[...bytes("huge")].join(",")}`
  )!;
  assert.deepEqual(hugeEntry.value, { type: "string", value: huge });
});

Deno.test("epochs: 300 abandoned snapshots, then a whole one still writes every key", () => {
  const engine = Engine.create();
  for (let i = 0; i < 2000; i++) engine.set(0, bytes(`k${i}`), bytes(`v${i}`), 0, 0, NOW_MS);
  for (let round = 0; round < 300; round++) {
    snapshotBegin(engine, SnapshotSlot.Synchronous);
    snapshotScanStep(engine, SnapshotSlot.Synchronous, 0, 0, 1 + (round % 50), true, NOW_MS);
    engine.set(0, bytes(`new${round}`), bytes("v"), 0, 0, NOW_MS);
  }
  const chunks: Uint8Array[] = [];
  const keyCount = writeSnapshot(engine, OPTIONS, NOW_MS, (chunk) => chunks.push(chunk));
  assert.equal(keyCount, 2300);
  assert.equal(entriesOf(concatBytes(chunks)).length, 2300);
});

Deno.test("a synchronous save in the middle of a background snapshot disturbs neither", () => {
  const engine = Engine.create();
  for (let i = 0; i < 20_000; i++) engine.set(0, bytes(`k${i}`), bytes(`v${i}`), 0, 0, NOW_MS);
  const backgroundChunks: Uint8Array[] = [];
  const background = new CowSnapshot(
    engine,
    OPTIONS,
    NOW_MS,
    (chunk) => backgroundChunks.push(chunk),
    SnapshotSlot.Background,
  );
  background.step(-Infinity); // one step only
  assert.ok(!background.done);
  // A write after the background instant: side-saved there, then visible to the SAVE.
  background.beforeWrite(0, bytes("k19999"));
  engine.set(0, bytes("k19999"), bytes("changed"), 0, 0, NOW_MS);
  engine.set(0, bytes("born-later"), bytes("x"), 0, 0, NOW_MS);
  const syncChunks: Uint8Array[] = [];
  assert.equal(writeSnapshot(engine, OPTIONS, NOW_MS, (chunk) => syncChunks.push(chunk)), 20_001);
  background.finish();
  const backgroundEntries = entriesOf(concatBytes(backgroundChunks));
  assert.equal(backgroundEntries.length, 20_000);
  const k19999 = backgroundEntries.find((entry) =>
    new TextDecoder().decode(entry.key) === "k19999"
  )!;
  assert.deepEqual(k19999.value, { type: "string", value: bytes("v19999") });
  const syncEntries = entriesOf(concatBytes(syncChunks));
  assert.ok(syncEntries.some((entry) => new TextDecoder().decode(entry.key) === "born-later"));
});

/** A file mixing every string shape (keys and values, TTLs past, future and negative) with sets. */
function mixedFile(): { file: Uint8Array; nowMs: number } {
  const chunks: Uint8Array[] = [];
  const writer = new RdbWriter({ onChunk: (chunk) => chunks.push(chunk) });
  const shapes = stringShapes();
  for (const db of [0, 3]) {
    writer.selectDb(db, 0, 0);
    let n = 0;
    for (const value of shapes) {
      for (const key of [bytes(`k${n}`), shapes[n % shapes.length]]) {
        const ttls = [0, NOW_MS - 5, NOW_MS + 5000, -7, NOW_MS];
        writer.writeEntry({
          db,
          key,
          expireAtMs: ttls[n % ttls.length],
          value: { type: "string", value },
        });
        if (n % 4 === 0) {
          writer.writeEntry({
            db,
            key: bytes(`set${n}`),
            expireAtMs: 0,
            value: { type: "set", members: [bytes("a"), bytes(`m${n}`)] },
          });
        }
        n++;
      }
    }
    // A duplicate key: the later record wins, as with the TypeScript path.
    writer.writeEntry({
      db,
      key: bytes("k0"),
      expireAtMs: 0,
      value: { type: "string", value: bytes("again") },
    });
  }
  writer.finish();
  return { file: concatBytes(chunks), nowMs: NOW_MS };
}

/** The keyspace as sorted text lines (db, key, type, value, TTL). */
function keyspaceText(engine: Engine, nowMs: number): string[] {
  const lines: string[] = [];
  for (const db of [0, 3]) {
    let cursor = 0;
    do {
      const page = engine.scan(db, cursor, 100, -1, nowMs);
      cursor = page.cursor;
      for (const key of page.keys) {
        const entry = readEntry(engine, db, key.slice(), nowMs)!;
        lines.push(
          JSON.stringify([
            db,
            [...key],
            entry.expireAtMs,
            entry.value,
            (entry.value as { value?: Uint8Array }).value &&
            [...(entry.value as { value: Uint8Array }).value],
          ]),
        );
      }
    } while (cursor !== 0);
  }
  return lines.sort();
}

Deno.test("the engine's string loader stores exactly what the reader's entries would, in any chunking", () => {
  const { file, nowMs } = mixedFile();
  for (const skipExpired of [true, false]) {
    const reference = Engine.create();
    const reader = new RdbReader();
    reader.push(file);
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      if (skipExpired && entry.expireAtMs > 0 && entry.expireAtMs <= nowMs) continue;
      writeEntry(reference, entry, nowMs);
    }
    reader.finish();
    const expected = keyspaceText(reference, nowMs);
    for (const chunkBytes of [1, 13, 4096, file.length]) {
      const engine = Engine.create();
      const chunked = new RdbReader();
      const counts = { keyCount: 0, expiredSkipped: 0 };
      for (let at = 0; at < file.length; at += chunkBytes) {
        chunked.push(file.subarray(at, at + chunkBytes));
        loadEntries(engine, chunked, nowMs, skipExpired, counts);
      }
      chunked.finish();
      assert.deepEqual(keyspaceText(engine, nowMs), expected, `chunks of ${chunkBytes}`);
      assert.equal(engine.dbSize(0) + engine.dbSize(3), reference.dbSize(0) + reference.dbSize(3));
      assert.ok(counts.keyCount >= engine.dbSize(0) + engine.dbSize(3)); // duplicates count twice
      if (skipExpired) assert.ok(counts.expiredSkipped > 0);
    }
  }
});

Deno.test("a damaged LZF string is refused with its offset, never half-loaded by the fast path", () => {
  const chunks: Uint8Array[] = [];
  const writer = new RdbWriter({ onChunk: (chunk) => chunks.push(chunk) });
  writer.selectDb(0, 0, 0);
  for (let i = 0; i < 100; i++) {
    writer.writeEntry({
      db: 0,
      key: bytes(`k${i}`),
      expireAtMs: 0,
      value: { type: "string", value: bytes("ab".repeat(40)) },
    });
  }
  writer.finish();
  const file = concatBytes(chunks);
  // Record 50's LZF payload: find the 51st 0xC3 (LZF) marker and break its first backref.
  let seen = 0;
  let at = 0;
  for (; at < file.length; at++) if (file[at] === 0xc3 && ++seen === 51) break;
  const damaged = file.slice();
  damaged[at + 3] = 0xff; // literal run header → a run longer than the data
  const engine = Engine.create();
  const reader = new RdbReader();
  reader.push(damaged);
  assert.throws(
    () => loadEntries(engine, reader, NOW_MS, true, { keyCount: 0, expiredSkipped: 0 }),
    (error: Error) => error.name === "RdbFormatError" && /LZF/.test(error.message),
  );
  assert.equal(engine.dbSize(0), 50, "the records before the damage, and nothing after");
});
