// Tests for the WebAssembly keyspace engine through its TypeScript class (core/engine/).
//
// Valid data (binary keys, all value sizes), data turning invalid (expiry, lazy and
// active), and limits (OOM from a page ceiling, memory reuse). Internal states such as
// "a rehash is in progress" are observed through rehashStep(0), which moves nothing and
// reports whether any database is rehashing.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import {
  DB_COUNT,
  Engine,
  OutOfMemoryError,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  ValueType,
} from "../core/engine/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NOW_MS = 1_700_000_000_000;

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

function text(view: Uint8Array | null): string | null {
  return view === null ? null : decoder.decode(view);
}

function keyOf(i: number): Uint8Array {
  return bytes(`key:${i}`);
}

function isRehashing(engine: Engine): boolean {
  return engine.rehashStep(0);
}

/** Every key a full SCAN returns, as strings, with duplicates counted. */
function scanAll(engine: Engine, db: number, count = 10, nowMs = NOW_MS): string[] {
  const seen: string[] = [];
  let cursor = 0;
  do {
    const page = engine.scan(db, cursor, count, -1, nowMs);
    for (const key of page.keys) seen.push(decoder.decode(key));
    cursor = page.cursor;
  } while (cursor !== 0);
  return seen;
}

Deno.test("Engine stores binary keys: CRLF, NUL, empty key, empty value", () => {
  const engine = Engine.create();
  const keys = [
    new Uint8Array(0),
    bytes("a\r\nb"),
    new Uint8Array([0]),
    new Uint8Array([0, 0, 0]),
    new Uint8Array([255, 0, 13, 10, 1]),
    new Uint8Array(300).fill(7),
  ];
  keys.forEach((key, i) => engine.set(0, key, new Uint8Array([i, 0, i]), 0, 0, NOW_MS));
  strictEqual(engine.dbSize(0), keys.length);
  keys.forEach((key, i) => {
    deepStrictEqual(Array.from(engine.getString(0, key, NOW_MS)!), [i, 0, i]);
  });
  strictEqual(engine.getString(0, new Uint8Array([0, 0]), NOW_MS), null);
  ok(engine.set(0, bytes("empty"), new Uint8Array(0), 0, 0, NOW_MS));
  strictEqual(engine.getString(0, bytes("empty"), NOW_MS)!.length, 0);
  strictEqual(engine.typeOf(0, bytes("empty"), NOW_MS), ValueType.String);
  strictEqual(engine.typeOf(0, bytes("nope"), NOW_MS), -1);
});

Deno.test("Engine overwrites values of growing and shrinking sizes", () => {
  const engine = Engine.create();
  const key = bytes("k");
  const other = bytes("other");
  engine.set(0, other, bytes("untouched"), 0, 0, NOW_MS);
  for (const size of [1, 17, 0, 200, 5000, 16384, 16385, 70_000, 300_000, 3, 100_000, 0, 64]) {
    const value = new Uint8Array(size);
    for (let i = 0; i < size; i++) value[i] = (i * 31 + size) & 255;
    ok(engine.set(0, key, value, 0, 0, NOW_MS));
    deepStrictEqual(engine.getString(0, key, NOW_MS), value);
  }
  strictEqual(engine.dbSize(0), 2);
  strictEqual(text(engine.getString(0, other, NOW_MS)), "untouched");
});

Deno.test("Engine SET honours NX, XX and KEEPTTL", () => {
  const engine = Engine.create();
  const key = bytes("k");
  strictEqual(engine.set(0, key, bytes("1"), 0, SET_XX, NOW_MS), false);
  strictEqual(engine.set(0, key, bytes("1"), NOW_MS + 1000, SET_NX, NOW_MS), true);
  strictEqual(engine.set(0, key, bytes("2"), 0, SET_NX, NOW_MS), false);
  strictEqual(engine.getExpireAtMs(0, key, NOW_MS), NOW_MS + 1000);
  strictEqual(engine.set(0, key, bytes("3"), 0, SET_XX | SET_KEEPTTL, NOW_MS), true);
  strictEqual(engine.getExpireAtMs(0, key, NOW_MS), NOW_MS + 1000);
  strictEqual(engine.set(0, key, bytes("4"), 0, 0, NOW_MS), true);
  strictEqual(engine.getExpireAtMs(0, key, NOW_MS), -1);
  strictEqual(engine.expiresCount(0), 0);
  strictEqual(text(engine.getString(0, key, NOW_MS)), "4");
});

Deno.test("Engine APPEND creates, grows across page runs and keeps the TTL", () => {
  const engine = Engine.create();
  const key = bytes("log");
  strictEqual(engine.append(0, key, bytes("ab"), NOW_MS), 2);
  engine.setExpireAtMs(0, key, NOW_MS + 5000, NOW_MS);
  let expected = "ab";
  const chunk = "x".repeat(9000);
  for (let i = 0; i < 30; i++) {
    expected += chunk + i;
    strictEqual(engine.append(0, key, bytes(chunk + i), NOW_MS), expected.length);
  }
  strictEqual(text(engine.getString(0, key, NOW_MS)), expected);
  strictEqual(engine.getExpireAtMs(0, key, NOW_MS), NOW_MS + 5000);
  strictEqual(engine.append(0, key, new Uint8Array(0), NOW_MS), expected.length);
});

Deno.test("Engine keeps 200k keys exact and retrievable through incremental rehashing", () => {
  const engine = Engine.create();
  const keyCount = 200_000;
  let sawRehash = false;
  for (let i = 0; i < keyCount; i++) {
    engine.set(3, keyOf(i), bytes(`v${i}`), 0, 0, NOW_MS);
    if (isRehashing(engine)) {
      sawRehash = true;
      if (i % 9973 === 0) {
        // Mid-rehash: every key so far must be found.
        for (let j = 0; j <= i; j += 97) {
          strictEqual(text(engine.getString(3, keyOf(j), NOW_MS)), `v${j}`);
        }
      }
    }
  }
  ok(sawRehash);
  strictEqual(engine.dbSize(3), keyCount);
  for (let i = 0; i < keyCount; i++) {
    strictEqual(text(engine.getString(3, keyOf(i), NOW_MS)), `v${i}`);
  }
  // Delete the even keys (shrink starts partway), check the odd ones survive.
  let sawShrinkRehash = false;
  for (let i = 0; i < keyCount; i += 2) {
    ok(engine.del(3, keyOf(i), NOW_MS));
  }
  for (let i = 1; i < keyCount; i += 2) {
    ok(engine.del(3, keyOf(i), NOW_MS));
    if (isRehashing(engine)) sawShrinkRehash = true;
    if (i % 20_001 === 0) strictEqual(engine.dbSize(3), keyCount - (i + 1) / 2 - keyCount / 2);
  }
  ok(sawShrinkRehash);
  strictEqual(engine.dbSize(3), 0);
  strictEqual(engine.del(3, keyOf(1), NOW_MS), false);
  while (engine.rehashStep(100)) { /* finish */ }
  strictEqual(engine.dbSize(3), 0);
});

Deno.test("Engine SCAN returns every key exactly once without resizing", () => {
  const engine = Engine.create();
  for (let i = 0; i < 5000; i++) engine.set(0, keyOf(i), bytes("v"), 0, 0, NOW_MS);
  while (engine.rehashStep(1000)) { /* settle */ }
  const seen = scanAll(engine, 0, 7);
  strictEqual(seen.length, 5000);
  strictEqual(new Set(seen).size, 5000);
  deepStrictEqual(scanAll(engine, 1), []);
});

Deno.test("Engine SCAN is complete while the table grows during the scan", () => {
  const engine = Engine.create();
  const stable = 3000;
  for (let i = 0; i < stable; i++) engine.set(0, keyOf(i), bytes("v"), 0, 0, NOW_MS);
  while (engine.rehashStep(1000)) { /* settle */ }
  const seen = new Set<string>();
  let cursor = 0;
  let added = 0;
  let sawRehash = false;
  do {
    const page = engine.scan(0, cursor, 10, -1, NOW_MS);
    for (const key of page.keys) seen.add(decoder.decode(key));
    cursor = page.cursor;
    // Grow the table under the cursor: insert new keys, rehash only a little.
    for (let j = 0; j < 40; j++) engine.set(0, bytes(`new:${added++}`), bytes("n"), 0, 0, NOW_MS);
    if (isRehashing(engine)) sawRehash = true;
  } while (cursor !== 0);
  ok(sawRehash);
  for (let i = 0; i < stable; i++) ok(seen.has(`key:${i}`), `key:${i} missing from scan`);
});

Deno.test("Engine SCAN is complete while the table shrinks during the scan", () => {
  const engine = Engine.create();
  const total = 40_000;
  const keptEvery = 50;
  for (let i = 0; i < total; i++) engine.set(0, keyOf(i), bytes("v"), 0, 0, NOW_MS);
  while (engine.rehashStep(1000)) { /* settle */ }
  const seen = new Set<string>();
  let cursor = 0;
  let nextDelete = 0;
  let sawRehash = false;
  do {
    const page = engine.scan(0, cursor, 10, -1, NOW_MS);
    for (const key of page.keys) seen.add(decoder.decode(key));
    cursor = page.cursor;
    for (let j = 0; j < 400 && nextDelete < total; j++, nextDelete++) {
      if (nextDelete % keptEvery !== 0) engine.del(0, keyOf(nextDelete), NOW_MS);
    }
    if (isRehashing(engine)) sawRehash = true;
  } while (cursor !== 0);
  ok(sawRehash);
  for (let i = 0; i < total; i += keptEvery) ok(seen.has(`key:${i}`), `key:${i} missing`);
});

Deno.test("Engine SCAN filters by type and skips expired keys", () => {
  const engine = Engine.create();
  engine.set(0, bytes("live"), bytes("v"), 0, 0, NOW_MS);
  engine.set(0, bytes("dead"), bytes("v"), NOW_MS - 1, 0, NOW_MS - 10);
  deepStrictEqual(scanAll(engine, 0), ["live"]);
  strictEqual(engine.scan(0, 0, 10, 3, NOW_MS).keys.length, 0);
  strictEqual(engine.scan(0, 0, 10, ValueType.String, NOW_MS).keys.length, 1);
});

Deno.test("Engine expires keys lazily on access and reports them", () => {
  const engine = Engine.create();
  const key = bytes("session");
  engine.set(2, key, bytes("v"), NOW_MS + 100, 0, NOW_MS);
  strictEqual(engine.expiresCount(2), 1);
  strictEqual(text(engine.getString(2, key, NOW_MS + 100)), "v"); // alive at its expiry ms
  strictEqual(engine.getExpireAtMs(2, key, NOW_MS), NOW_MS + 100);
  strictEqual(engine.dbSize(2), 1);
  strictEqual(engine.getString(2, key, NOW_MS + 101), null);
  strictEqual(engine.dbSize(2), 0);
  strictEqual(engine.expiresCount(2), 0);
  const expired = engine.drainExpired();
  strictEqual(expired.length, 1);
  strictEqual(expired[0].db, 2);
  strictEqual(decoder.decode(expired[0].key), "session");
  deepStrictEqual(engine.drainExpired(), []);
  // exists / typeOf / ttl see it as missing too.
  engine.set(2, key, bytes("v"), NOW_MS + 100, 0, NOW_MS);
  strictEqual(engine.exists(2, key, NOW_MS + 200), false);
  strictEqual(engine.getExpireAtMs(2, key, NOW_MS + 200), -2);
  strictEqual(engine.drainExpired().length, 1);
});

Deno.test("Engine EXPIRE and PERSIST maintain the TTL index", () => {
  const engine = Engine.create();
  for (let i = 0; i < 100; i++) engine.set(0, keyOf(i), bytes("v"), 0, 0, NOW_MS);
  for (let i = 0; i < 100; i++) ok(engine.setExpireAtMs(0, keyOf(i), NOW_MS + 1000 + i, NOW_MS));
  strictEqual(engine.expiresCount(0), 100);
  for (let i = 0; i < 100; i += 2) ok(engine.persist(0, keyOf(i), NOW_MS));
  strictEqual(engine.persist(0, keyOf(0), NOW_MS), false);
  strictEqual(engine.expiresCount(0), 50);
  strictEqual(engine.getExpireAtMs(0, keyOf(3), NOW_MS), NOW_MS + 1003);
  strictEqual(engine.getExpireAtMs(0, keyOf(2), NOW_MS), -1);
  strictEqual(engine.setExpireAtMs(0, bytes("missing"), NOW_MS + 1, NOW_MS), false);
  throws(() => engine.setExpireAtMs(0, keyOf(1), 0, NOW_MS), RangeError);
  for (let i = 1; i < 100; i += 2) ok(engine.del(0, keyOf(i), NOW_MS));
  strictEqual(engine.expiresCount(0), 0);
  strictEqual(engine.dbSize(0), 50);
});

Deno.test("Engine active expiry removes most expired keys and reports them", () => {
  const engine = Engine.create();
  const expiring = 20_000;
  for (let i = 0; i < expiring; i++) {
    engine.set(i % 3, keyOf(i), bytes("x"), NOW_MS + 10, 0, NOW_MS);
  }
  for (let i = 0; i < 5000; i++) engine.set(0, bytes(`keep:${i}`), bytes("y"), 0, 0, NOW_MS);
  for (let i = 0; i < 5000; i++) {
    engine.set(1, bytes(`later:${i}`), bytes("z"), NOW_MS + 1e9, 0, NOW_MS);
  }
  const removed = engine.activeExpireCycle(NOW_MS + 1000, 1000);
  // Databases whose TTL keys are all expired are cleared; db 1 stops once a sample of 20
  // is at most a quarter expired (Redis's accepted staleness), so it is random but bounded.
  strictEqual(engine.dbSize(0), 5000);
  strictEqual(engine.dbSize(2), 0);
  ok(removed >= expiring * 0.65, `removed only ${removed}`);
  const reported = engine.drainExpired();
  strictEqual(reported.length, removed);
  const reportedNames = new Set(reported.map((entry) => decoder.decode(entry.key)));
  strictEqual(reportedNames.size, removed);
  for (const name of reportedNames) ok(name.startsWith("key:"));
  const totalKeys = () => engine.dbSize(0) + engine.dbSize(1) + engine.dbSize(2);
  strictEqual(totalKeys(), expiring - removed + 10_000);
  // Keys without TTL or with a distant TTL are untouched.
  for (let i = 0; i < 5000; i += 499) {
    strictEqual(text(engine.getString(0, bytes(`keep:${i}`), NOW_MS + 1000)), "y");
    strictEqual(text(engine.getString(1, bytes(`later:${i}`), NOW_MS + 1000)), "z");
  }
  // Repeated cycles finish the job.
  let more = 0;
  for (let round = 0; round < 50; round++) more += engine.activeExpireCycle(NOW_MS + 1000, 1000);
  strictEqual(engine.drainExpired().length, more);
  ok(removed + more >= expiring * 0.85, `removed ${removed + more} of ${expiring}`);
  strictEqual(totalKeys(), expiring - removed - more + 10_000);
  strictEqual(
    engine.expiresCount(0) + engine.expiresCount(1) + engine.expiresCount(2),
    totalKeys() - 5000,
  );
});

Deno.test("Engine in replica mode hides expired keys without deleting them", () => {
  const engine = Engine.create();
  engine.setExpireDeletes(false);
  const key = bytes("k");
  engine.set(0, key, bytes("old"), NOW_MS + 10, 0, NOW_MS);
  strictEqual(engine.getString(0, key, NOW_MS + 20), null);
  strictEqual(engine.exists(0, key, NOW_MS + 20), false);
  strictEqual(engine.dbSize(0), 1);
  strictEqual(engine.activeExpireCycle(NOW_MS + 20, 100), 0);
  deepStrictEqual(engine.drainExpired(), []);
  strictEqual(engine.dbSize(0), 1);
  deepStrictEqual(scanAll(engine, 0, 10, NOW_MS + 20), []);
  strictEqual(engine.randomKey(0, NOW_MS + 20), null);
  // NX treats the stale key as missing and overwrites it in place.
  strictEqual(engine.set(0, key, bytes("new"), 0, SET_NX, NOW_MS + 20), true);
  strictEqual(engine.dbSize(0), 1);
  strictEqual(text(engine.getString(0, key, NOW_MS + 20)), "new");
  strictEqual(engine.expiresCount(0), 0);
  // The master's DEL removes a stale key.
  engine.set(0, key, bytes("v"), NOW_MS + 10, 0, NOW_MS);
  strictEqual(engine.del(0, key, NOW_MS + 20), false);
  strictEqual(engine.dbSize(0), 0);
  // Back to master mode: expired keys are reclaimed again.
  engine.set(0, key, bytes("v"), NOW_MS + 10, 0, NOW_MS);
  engine.setExpireDeletes(true);
  strictEqual(engine.getString(0, key, NOW_MS + 20), null);
  strictEqual(engine.dbSize(0), 0);
  strictEqual(engine.drainExpired().length, 1);
});

Deno.test("Engine RENAME moves value and TTL across keys and databases", () => {
  const engine = Engine.create();
  engine.set(0, bytes("a"), bytes("va"), NOW_MS + 500, 0, NOW_MS);
  engine.set(0, bytes("b"), bytes("vb"), 0, 0, NOW_MS);
  strictEqual(engine.rename(0, bytes("missing"), 0, bytes("x"), false, NOW_MS), -1);
  strictEqual(engine.rename(0, bytes("a"), 0, bytes("b"), true, NOW_MS), 0);
  strictEqual(engine.rename(0, bytes("a"), 0, bytes("a"), false, NOW_MS), 1);
  strictEqual(engine.rename(0, bytes("a"), 0, bytes("a"), true, NOW_MS), 0);
  strictEqual(engine.rename(0, bytes("a"), 0, bytes("b"), false, NOW_MS), 1);
  strictEqual(engine.exists(0, bytes("a"), NOW_MS), false);
  strictEqual(text(engine.getString(0, bytes("b"), NOW_MS)), "va");
  strictEqual(engine.getExpireAtMs(0, bytes("b"), NOW_MS), NOW_MS + 500);
  strictEqual(engine.dbSize(0), 1);
  strictEqual(engine.expiresCount(0), 1);
  // MOVE-like: same key, other database.
  strictEqual(engine.rename(0, bytes("b"), 5, bytes("b"), true, NOW_MS), 1);
  strictEqual(engine.dbSize(0), 0);
  strictEqual(engine.expiresCount(0), 0);
  strictEqual(engine.expiresCount(5), 1);
  strictEqual(text(engine.getString(5, bytes("b"), NOW_MS)), "va");
  strictEqual(engine.getExpireAtMs(5, bytes("b"), NOW_MS), NOW_MS + 500);
  // Other key, other database, replacing a destination with a TTL.
  engine.set(6, bytes("c"), bytes("old"), NOW_MS + 9, 0, NOW_MS);
  strictEqual(engine.rename(5, bytes("b"), 6, bytes("c"), false, NOW_MS), 1);
  strictEqual(engine.expiresCount(6), 1);
  strictEqual(engine.expiresCount(5), 0);
  strictEqual(text(engine.getString(6, bytes("c"), NOW_MS)), "va");
  strictEqual(engine.getExpireAtMs(6, bytes("c"), NOW_MS), NOW_MS + 500);
});

Deno.test("Engine COPY deep-copies value and TTL", () => {
  const engine = Engine.create();
  engine.set(0, bytes("src"), bytes("value"), NOW_MS + 700, 0, NOW_MS);
  engine.set(1, bytes("dst"), bytes("other"), 0, 0, NOW_MS);
  strictEqual(engine.copy(0, bytes("none"), 1, bytes("dst"), true, NOW_MS), -1);
  strictEqual(engine.copy(0, bytes("src"), 1, bytes("dst"), false, NOW_MS), 0);
  strictEqual(engine.copy(0, bytes("src"), 0, bytes("src"), true, NOW_MS), 0);
  strictEqual(engine.copy(0, bytes("src"), 1, bytes("dst"), true, NOW_MS), 1);
  strictEqual(text(engine.getString(1, bytes("dst"), NOW_MS)), "value");
  strictEqual(engine.getExpireAtMs(1, bytes("dst"), NOW_MS), NOW_MS + 700);
  engine.set(0, bytes("src"), bytes("changed"), 0, SET_KEEPTTL, NOW_MS);
  strictEqual(text(engine.getString(1, bytes("dst"), NOW_MS)), "value");
  strictEqual(engine.copy(0, bytes("src"), 0, bytes("copy2"), false, NOW_MS), 1);
  strictEqual(engine.dbSize(0), 2);
  strictEqual(engine.expiresCount(0), 2);
});

Deno.test("Engine SWAPDB, FLUSHDB and FLUSHALL", () => {
  const engine = Engine.create();
  for (let i = 0; i < 1000; i++) engine.set(0, keyOf(i), bytes("zero"), NOW_MS + 1e6, 0, NOW_MS);
  for (let i = 0; i < 10; i++) engine.set(1, keyOf(i), bytes("one"), 0, 0, NOW_MS);
  engine.swapDb(0, 1);
  strictEqual(engine.dbSize(0), 10);
  strictEqual(engine.dbSize(1), 1000);
  strictEqual(engine.expiresCount(1), 1000);
  strictEqual(text(engine.getString(0, keyOf(3), NOW_MS)), "one");
  strictEqual(text(engine.getString(1, keyOf(999), NOW_MS)), "zero");
  ok(engine.del(1, keyOf(5), NOW_MS)); // TTL index survived the swap
  strictEqual(engine.expiresCount(1), 999);
  engine.flushDb(1);
  strictEqual(engine.dbSize(1), 0);
  strictEqual(engine.expiresCount(1), 0);
  strictEqual(engine.dbSize(0), 10);
  for (let db = 0; db < DB_COUNT; db++) engine.set(db, bytes("k"), bytes("v"), 0, 0, NOW_MS);
  engine.flushAll();
  for (let db = 0; db < DB_COUNT; db++) strictEqual(engine.dbSize(db), 0);
  ok(engine.set(0, bytes("after"), bytes("flush"), 0, 0, NOW_MS));
  strictEqual(text(engine.getString(0, bytes("after"), NOW_MS)), "flush");
});

Deno.test("Engine RANDOMKEY returns live keys and null for an empty database", () => {
  const engine = Engine.create();
  strictEqual(engine.randomKey(0, NOW_MS), null);
  for (let i = 0; i < 100; i++) engine.set(0, keyOf(i), bytes("v"), 0, 0, NOW_MS);
  for (let i = 0; i < 100; i++) {
    engine.set(0, bytes(`gone:${i}`), bytes("v"), NOW_MS - 1, 0, NOW_MS - 5);
  }
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const key = text(engine.randomKey(0, NOW_MS));
    ok(key !== null && key.startsWith("key:"));
    seen.add(key);
  }
  ok(seen.size > 50, `only ${seen.size} distinct keys`);
});

Deno.test("Engine reports OOM at its page ceiling and keeps working", () => {
  const engine = Engine.create();
  for (let i = 0; i < 1000; i++) engine.set(0, keyOf(i), bytes(`v${i}`), 0, 0, NOW_MS);
  engine.set(0, bytes("big"), new Uint8Array(100).fill(1), 0, 0, NOW_MS);
  engine.setMaxPages(engine.pageCount()); // no growth; free pages stay usable
  const huge = new Uint8Array((engine.freePageCount() + 2) * 65536).fill(9);
  throws(() => engine.set(0, bytes("big"), huge, 0, 0, NOW_MS), OutOfMemoryError);
  deepStrictEqual(engine.getString(0, bytes("big"), NOW_MS), new Uint8Array(100).fill(1));
  throws(() => engine.append(0, bytes("big"), huge, NOW_MS), OutOfMemoryError);
  strictEqual(engine.getString(0, bytes("big"), NOW_MS)!.length, 100);
  // Fill with small keys until OOM: every write before the failure is intact.
  let written = 0;
  let failed = false;
  for (let i = 0; i < 1_000_000 && !failed; i++) {
    try {
      engine.set(1, keyOf(i), bytes(`small${i}`), 0, 0, NOW_MS);
      written++;
    } catch (error) {
      ok(error instanceof OutOfMemoryError);
      failed = true;
    }
  }
  ok(failed);
  strictEqual(engine.dbSize(1), written);
  for (let i = 0; i < written; i += 37) {
    strictEqual(text(engine.getString(1, keyOf(i), NOW_MS)), `small${i}`);
  }
  for (let i = 0; i < 1000; i++) strictEqual(text(engine.getString(0, keyOf(i), NOW_MS)), `v${i}`);
  // Freeing makes room again; raising the ceiling lifts the limit.
  for (let i = 0; i < written; i += 2) engine.del(1, keyOf(i), NOW_MS);
  ok(engine.set(1, bytes("fits"), bytes("now"), 0, 0, NOW_MS));
  engine.setMaxPages(1 << 16);
  ok(engine.set(0, bytes("big"), huge, 0, 0, NOW_MS));
  deepStrictEqual(engine.getString(0, bytes("big"), NOW_MS), huge);
});

Deno.test("Engine Engine.create applies maxPages", () => {
  const engine = Engine.create({ maxPages: 40 });
  ok(engine.pageCount() <= 40);
  throws(
    () => engine.set(0, bytes("k"), new Uint8Array(41 * 65536), 0, 0, NOW_MS),
    OutOfMemoryError,
  );
  ok(engine.set(0, bytes("k"), bytes("small"), 0, 0, NOW_MS));
});

Deno.test("Engine reuses freed memory across insert/delete cycles", () => {
  const engine = Engine.create();
  const pageCounts: number[] = [];
  for (let cycle = 0; cycle < 6; cycle++) {
    for (let i = 0; i < 30_000; i++) {
      engine.set(cycle % 2, keyOf(i), new Uint8Array((i % 50) * 10 + 1), 0, 0, NOW_MS);
    }
    for (let i = 0; i < 20; i++) {
      engine.set(0, bytes(`big:${i}`), new Uint8Array(70_000 + i * 1000), 0, 0, NOW_MS);
    }
    for (let i = 0; i < 30_000; i++) engine.del(cycle % 2, keyOf(i), NOW_MS);
    for (let i = 0; i < 20; i++) engine.del(0, bytes(`big:${i}`), NOW_MS);
    while (engine.rehashStep(1000)) { /* settle */ }
    pageCounts.push(engine.pageCount());
  }
  ok(pageCounts[5] <= pageCounts[1], `pages grew: ${pageCounts.join(",")}`);
  ok(engine.freePageCount() > 0);
  // Empty databases hold nothing; what remains is the staging region (grown for the
  // 70 KB values) and the scan/expiry buffers.
  ok(engine.usedMemoryBytes() <= 160 * 1024, `used ${engine.usedMemoryBytes()} bytes when empty`);
});

Deno.test("Engine stores a large value spanning many pages", () => {
  const engine = Engine.create();
  const sizeBytes = 20 * 1024 * 1024 + 3;
  const value = new Uint8Array(sizeBytes);
  for (let i = 0; i < sizeBytes; i += 4093) value[i] = i & 255;
  ok(engine.set(0, bytes("large"), value, 0, 0, NOW_MS));
  deepStrictEqual(engine.getString(0, bytes("large"), NOW_MS), value);
  ok(engine.usedMemoryBytes() >= sizeBytes);
  ok(engine.del(0, bytes("large"), NOW_MS));
  ok(engine.usedMemoryBytes() < 1024 * 1024);
});

Deno.test("Engine matches a Map model under random operations", () => {
  const engine = Engine.create();
  let seed = 12345;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  type Model = { value: string; expireAtMs: number };
  const models = [new Map<string, Model>(), new Map<string, Model>()];
  let nowMs = NOW_MS;
  const live = (db: number, key: string) => {
    const entry = models[db].get(key);
    if (entry && entry.expireAtMs !== 0 && nowMs > entry.expireAtMs) {
      models[db].delete(key);
      return undefined;
    }
    return entry;
  };
  for (let step = 0; step < 60_000; step++) {
    const db = random(2);
    const name = `k${random(400)}`;
    const key = bytes(name);
    const op = random(10);
    if (step % 1000 === 0) nowMs += random(50);
    if (op <= 2) {
      const value = "v".repeat(random(40)) + step;
      const ttl = random(4) === 0 ? nowMs + 1 + random(100) : 0;
      engine.set(db, key, bytes(value), ttl, 0, nowMs);
      models[db].set(name, { value, expireAtMs: ttl });
    } else if (op <= 5) {
      strictEqual(text(engine.getString(db, key, nowMs)), live(db, name)?.value ?? null);
    } else if (op === 6) {
      strictEqual(engine.del(db, key, nowMs), live(db, name) !== undefined);
      models[db].delete(name);
    } else if (op === 7) {
      const suffix = "s" + random(10);
      const entry = live(db, name);
      const expected = (entry?.value ?? "") + suffix;
      strictEqual(engine.append(db, key, bytes(suffix), nowMs), expected.length);
      models[db].set(name, { value: expected, expireAtMs: entry?.expireAtMs ?? 0 });
    } else if (op === 8) {
      const target = `k${random(400)}`;
      const dstDb = random(2);
      const source = live(db, name);
      const status = engine.rename(db, key, dstDb, bytes(target), false, nowMs);
      strictEqual(status, source ? 1 : -1);
      if (source && !(db === dstDb && name === target)) {
        models[db].delete(name);
        models[dstDb].set(target, source);
      }
    } else {
      const entry = live(db, name);
      strictEqual(engine.getExpireAtMs(db, key, nowMs), entry ? (entry.expireAtMs || -1) : -2);
    }
    if (step % 5000 === 0) engine.activeExpireCycle(nowMs, 5);
  }
  engine.drainExpired();
  for (let db = 0; db < 2; db++) {
    for (const name of [...models[db].keys()]) live(db, name);
    const scanned = new Set(scanAll(engine, db, 50).filter((k) => live(db, k) !== undefined));
    deepStrictEqual([...scanned].sort(), [...models[db].keys()].sort());
  }
});

Deno.test("Engine keeps every value intact under random sizes at a page ceiling", () => {
  const engine = Engine.create();
  let seed = 5;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const model = new Map<string, Uint8Array>();
  let oomCount = 0;
  const fill = (sizeBytes: number, tag: number) => {
    const value = new Uint8Array(sizeBytes);
    for (let i = 0; i < sizeBytes; i += 97) value[i] = (tag + i) & 255;
    if (sizeBytes > 0) value[sizeBytes - 1] = tag & 255;
    return value;
  };
  for (let step = 0; step < 20_000; step++) {
    if (step === 3000) engine.setMaxPages(engine.pageCount()); // no more growth from here
    const name = `k${random(step > 3000 ? 600 : 300)}`;
    const key = bytes(name);
    const op = random(10);
    try {
      if (op < 5) {
        const r = random(100);
        const sizeBytes = r < 60 ? random(200) : r < 90 ? random(20_000) : random(400_000);
        const value = fill(sizeBytes, step);
        engine.set(0, key, value, 0, 0, NOW_MS);
        model.set(name, value);
      } else if (op < 7) {
        strictEqual(engine.del(0, key, NOW_MS), model.delete(name));
      } else if (op < 8) {
        const suffix = fill(random(30_000), step);
        const old = model.get(name) ?? new Uint8Array(0);
        const joined = new Uint8Array(old.length + suffix.length);
        joined.set(old);
        joined.set(suffix, old.length);
        strictEqual(engine.append(0, key, suffix, NOW_MS), joined.length);
        model.set(name, joined);
      } else {
        deepStrictEqual(engine.getString(0, key, NOW_MS), model.get(name) ?? null);
      }
    } catch (error) {
      ok(error instanceof OutOfMemoryError);
      oomCount++;
    }
  }
  ok(oomCount > 0, "the ceiling was never reached");
  strictEqual(engine.dbSize(0), model.size);
  for (const [name, value] of model) {
    deepStrictEqual(engine.getString(0, bytes(name), NOW_MS), value);
  }
});
