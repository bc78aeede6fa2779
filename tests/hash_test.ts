// Tests for hashes: the engine module (wasm/assembly/hash.ts) through its binding
// (core/engine/hash.ts), and the commands (core/commands/hashes.ts) run in process against a
// ServerState, where propagation and keyspace notifications are visible.
//
// Valid data (binary fields, both encodings, growth and shrinking), data turning invalid (OOM
// in the middle of a write, wrong types, non-numeric values), and the encoding boundaries
// Redis 7.0 defines (128 pairs, 64-byte strings) from both sides.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { Engine, OutOfMemoryError, WrongTypeError } from "../core/engine/mod.ts";
import {
  HASH_READ_FIELDS,
  HASH_READ_PAIRS,
  HASH_READ_VALUES,
  hashDelete,
  hashEncoding,
  hashGet,
  hashLength,
  hashRandomPairs,
  hashReadAll,
  hashScan,
  hashSet,
} from "../core/engine/hash.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import type { ServerState } from "../core/state/server_state.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import { inProcessClient, inProcessServer, recordPropagated } from "./_support/in_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NOW_MS = 1_700_000_000_000;

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

function texts(items: Uint8Array[] | null): string[] | null {
  return items === null ? null : items.map((item) => decoder.decode(item));
}

/** hashSet with string arguments: key, then field, value, … */
function hset(engine: Engine, key: string, ...pairs: string[]): number {
  return hashSet(engine, 0, [key, ...pairs].map(bytes), false, NOW_MS);
}

function hget(engine: Engine, key: string, field: string): string | null {
  const view = hashGet(engine, 0, bytes(key), bytes(field), NOW_MS);
  return view === null ? null : decoder.decode(view);
}

function encoding(engine: Engine, key: string): string {
  return hashEncoding(engine, 0, bytes(key), NOW_MS);
}

function pairsOf(engine: Engine, key: string): string[] | null {
  return texts(hashReadAll(engine, 0, bytes(key), HASH_READ_PAIRS, NOW_MS));
}

/** Every (field → value) of the hash, via a full HSCAN iteration (each field at least once). */
function scanAll(engine: Engine, key: string, count: number): Map<string, string> {
  const seen = new Map<string, string>();
  let cursor = 0;
  let calls = 0;
  do {
    const page = hashScan(engine, 0, bytes(key), cursor, count, NOW_MS)!;
    for (let i = 0; i < page.pairs.length; i += 2) {
      seen.set(decoder.decode(page.pairs[i]), decoder.decode(page.pairs[i + 1]));
    }
    cursor = page.cursor;
    ok(++calls < 1_000_000, "HSCAN did not finish");
  } while (cursor !== 0);
  return seen;
}

// ── Engine ──────────────────────────────────────────────────────────────────────────────

Deno.test("hash engine sets, updates in place and reads back in insertion order", () => {
  const engine = Engine.create();
  strictEqual(hset(engine, "h", "b", "1", "a", "2", "c", "3"), 3);
  strictEqual(hset(engine, "h", "a", "20", "d", "4"), 1);
  deepStrictEqual(pairsOf(engine, "h"), ["b", "1", "a", "20", "c", "3", "d", "4"]);
  deepStrictEqual(texts(hashReadAll(engine, 0, bytes("h"), HASH_READ_FIELDS, NOW_MS)), [
    "b",
    "a",
    "c",
    "d",
  ]);
  deepStrictEqual(texts(hashReadAll(engine, 0, bytes("h"), HASH_READ_VALUES, NOW_MS)), [
    "1",
    "20",
    "3",
    "4",
  ]);
  strictEqual(hget(engine, "h", "a"), "20");
  strictEqual(hget(engine, "h", "zz"), null);
  strictEqual(hget(engine, "missing", "a"), null);
  strictEqual(hashLength(engine, 0, bytes("h"), NOW_MS), 4);
  strictEqual(encoding(engine, "h"), "listpack");
  // Shrinking and growing a value in the middle keeps the neighbours intact.
  hset(engine, "h", "a", "");
  hset(engine, "h", "b", "x".repeat(64));
  deepStrictEqual(pairsOf(engine, "h"), ["b", "x".repeat(64), "a", "", "c", "3", "d", "4"]);
  strictEqual(encoding(engine, "h"), "listpack");
});

Deno.test("hash engine keeps binary fields and values exact in both encodings", () => {
  const engine = Engine.create();
  const field = new Uint8Array([0, 13, 10, 255, 0]);
  const value = new Uint8Array([255, 0, 1, 2]);
  for (const key of ["small", "large"]) {
    hashSet(engine, 0, [bytes(key), field, value, new Uint8Array(0), new Uint8Array(0)], false, 0);
    if (key === "large") hset(engine, key, "long", "y".repeat(65));
    deepStrictEqual(hashGet(engine, 0, bytes(key), field, 0)?.slice(), value);
    deepStrictEqual(hashGet(engine, 0, bytes(key), new Uint8Array(0), 0)?.length, 0);
  }
  strictEqual(encoding(engine, "small"), "listpack");
  strictEqual(encoding(engine, "large"), "hashtable");
});

Deno.test("hash engine converts after the 513th pair and on a 65-byte string, never back", () => {
  // Redis 7.0.15's defaults, checked live: hash-max-listpack-entries 512, -value 64.
  const engine = Engine.create();
  for (let i = 0; i < 512; i++) hset(engine, "n", `f${i}`, `v${i}`);
  strictEqual(encoding(engine, "n"), "listpack");
  hset(engine, "n", "f0", "updated"); // an update does not cross the limit
  strictEqual(encoding(engine, "n"), "listpack");
  hset(engine, "n", "f512", "v");
  strictEqual(encoding(engine, "n"), "hashtable");
  strictEqual(hashLength(engine, 0, bytes("n"), NOW_MS), 513);
  strictEqual(hget(engine, "n", "f0"), "updated");
  strictEqual(hashDelete(engine, 0, ["n", "f1", "f2", "nope"].map(bytes), NOW_MS), 2);
  strictEqual(encoding(engine, "n"), "hashtable");

  // A full small hash of the longest strings (512 × 130 bytes) stays exact.
  const wide = ["w"];
  for (let i = 0; i < 512; i++) wide.push(`${i}`.padEnd(64, "f"), `${i}`.padEnd(64, "v"));
  strictEqual(hset(engine, ...wide as [string]), 512);
  strictEqual(encoding(engine, "w"), "listpack");
  deepStrictEqual(pairsOf(engine, "w"), wide.slice(1));

  hset(engine, "v", "a", "x".repeat(64));
  strictEqual(encoding(engine, "v"), "listpack");
  hset(engine, "v", "b", "x".repeat(65));
  strictEqual(encoding(engine, "v"), "hashtable");
  hset(engine, "f", "x".repeat(65), "1");
  strictEqual(encoding(engine, "f"), "hashtable");

  // One multi-pair write that crosses the limit midway, with repeats of one field.
  const parts = ["m"];
  for (let i = 0; i < 800; i++) parts.push(`g${i % 600}`, `${i}`);
  strictEqual(hset(engine, ...parts as [string]), 600);
  strictEqual(encoding(engine, "m"), "hashtable");
  strictEqual(hget(engine, "m", "g10"), "610");
  strictEqual(hget(engine, "m", "g599"), "599");

  // Repeats that stay under the limit keep the small encoding (7.0 does not convert on the
  // argument count alone).
  const repeats = ["r"];
  for (let i = 0; i < 1200; i++) repeats.push(`k${i % 100}`, `${i}`);
  strictEqual(hset(engine, ...repeats as [string]), 100);
  strictEqual(encoding(engine, "r"), "listpack");
  strictEqual(hget(engine, "r", "k0"), "1100");
});

Deno.test("hash engine HSETNX keeps an existing field and converts nothing", () => {
  const engine = Engine.create();
  hset(engine, "h", "f", "v");
  strictEqual(hashSet(engine, 0, ["h", "f", "x".repeat(100)].map(bytes), true, NOW_MS), 0);
  strictEqual(encoding(engine, "h"), "listpack");
  strictEqual(hget(engine, "h", "f"), "v");
  strictEqual(hashSet(engine, 0, ["h", "g", "w"].map(bytes), true, NOW_MS), 1);
  strictEqual(hashSet(engine, 0, ["new", "g", "w"].map(bytes), true, NOW_MS), 1);
  strictEqual(hget(engine, "new", "g"), "w");
});

Deno.test("hash engine deletes the key when the last field goes, in both encodings", () => {
  const engine = Engine.create();
  hset(engine, "s", "a", "1", "b", "2");
  strictEqual(hashDelete(engine, 0, ["s", "a", "a", "b"].map(bytes), NOW_MS), 2);
  strictEqual(engine.exists(0, bytes("s"), NOW_MS), false);
  hset(engine, "t", "a", "x".repeat(70));
  strictEqual(hashDelete(engine, 0, ["t", "a"].map(bytes), NOW_MS), 1);
  strictEqual(engine.exists(0, bytes("t"), NOW_MS), false);
  strictEqual(hashDelete(engine, 0, ["t", "a"].map(bytes), NOW_MS), 0);
});

Deno.test("hash engine reports WRONGTYPE for strings and strings for hashes", () => {
  const engine = Engine.create();
  engine.set(0, bytes("str"), bytes("v"), 0, 0, NOW_MS);
  throws(() => hset(engine, "str", "f", "v"), WrongTypeError);
  throws(() => hget(engine, "str", "f"), WrongTypeError);
  throws(() => hashDelete(engine, 0, ["str", "f"].map(bytes), NOW_MS), WrongTypeError);
  throws(() => hashLength(engine, 0, bytes("str"), NOW_MS), WrongTypeError);
  throws(() => hashReadAll(engine, 0, bytes("str"), HASH_READ_PAIRS, NOW_MS), WrongTypeError);
  throws(() => hashScan(engine, 0, bytes("str"), 0, 10, NOW_MS), WrongTypeError);
  throws(() => hashRandomPairs(engine, 0, bytes("str"), 1, NOW_MS), WrongTypeError);
  hset(engine, "h", "f", "v");
  throws(() => engine.getString(0, bytes("h"), NOW_MS), WrongTypeError);
  strictEqual(engine.typeOf(0, bytes("h"), NOW_MS), 4);
  // SET replaces a hash of either encoding and frees it.
  hset(engine, "h", "g", "z".repeat(80));
  engine.set(0, bytes("h"), bytes("now a string"), 0, 0, NOW_MS);
  strictEqual(decoder.decode(engine.getString(0, bytes("h"), NOW_MS)!), "now a string");
});

Deno.test("hash engine COPY deep-copies both encodings; RENAME and expiry carry hashes", () => {
  const engine = Engine.create();
  hset(engine, "small", "a", "1", "b", "2");
  for (let i = 0; i < 600; i++) hset(engine, "large", `f${i}`, `v${i}`);
  for (const key of ["small", "large"]) {
    strictEqual(engine.copy(0, bytes(key), 0, bytes(`${key}2`), false, NOW_MS), 1);
    hset(engine, `${key}2`, "a", "changed");
    strictEqual(hashDelete(engine, 0, [`${key}2`, "b", "f1"].map(bytes), NOW_MS), 1);
    strictEqual(encoding(engine, `${key}2`), encoding(engine, key));
  }
  strictEqual(hget(engine, "small", "a"), "1");
  strictEqual(hget(engine, "small", "b"), "2");
  strictEqual(hget(engine, "large", "a"), null);
  strictEqual(hashLength(engine, 0, bytes("large"), NOW_MS), 600);
  strictEqual(hashLength(engine, 0, bytes("large2"), NOW_MS), 600);
  strictEqual(engine.rename(0, bytes("large2"), 3, bytes("moved"), false, NOW_MS), 1);
  strictEqual(hashLength(engine, 3, bytes("moved"), NOW_MS), 600);
  engine.setExpireAtMs(0, bytes("small"), NOW_MS + 10, NOW_MS);
  strictEqual(hget(engine, "small", "a"), "1");
  strictEqual(hashGet(engine, 0, bytes("small"), bytes("a"), NOW_MS + 11), null);
  strictEqual(engine.exists(0, bytes("small"), NOW_MS + 11), false);
  engine.flushAll();
  strictEqual(engine.dbSize(0), 0);
});

Deno.test("hash engine keeps 100k fields exact through growth, deletes and shrinking", () => {
  const engine = Engine.create();
  const fieldCount = 100_000;
  for (let i = 0; i < fieldCount; i++) hset(engine, "big", `field:${i}`, `value:${i}`);
  strictEqual(hashLength(engine, 0, bytes("big"), NOW_MS), fieldCount);
  for (let i = 0; i < fieldCount; i += 997) {
    strictEqual(hget(engine, "big", `field:${i}`), `value:${i}`);
  }
  const usedFull = engine.usedMemoryBytes();
  // Delete all but 1 in 100, in batches.
  for (let start = 0; start < fieldCount; start += 1000) {
    const parts = ["big"];
    for (let i = start; i < start + 1000; i++) if (i % 100 !== 0) parts.push(`field:${i}`);
    strictEqual(hashDelete(engine, 0, parts.map(bytes), NOW_MS), parts.length - 1);
  }
  strictEqual(hashLength(engine, 0, bytes("big"), NOW_MS), fieldCount / 100);
  ok(engine.usedMemoryBytes() < usedFull / 10, "deleting 99% gives the memory back");
  const seen = scanAll(engine, "big", 7);
  strictEqual(seen.size, fieldCount / 100);
  for (const [field, value] of seen) strictEqual(value, field.replace("field", "value"));
  strictEqual(engine.del(0, bytes("big"), NOW_MS), true);
});

Deno.test("hash engine HSCAN returns every field present for the whole scan across resizes", () => {
  const engine = Engine.create();
  for (let i = 0; i < 1000; i++) hset(engine, "h", `keep${i}`, "v");
  const seen = new Set<string>();
  let cursor = 0;
  let step = 0;
  do {
    const page = hashScan(engine, 0, bytes("h"), cursor, 10, NOW_MS)!;
    for (let i = 0; i < page.pairs.length; i += 2) seen.add(decoder.decode(page.pairs[i]));
    cursor = page.cursor;
    // Grow the table during the scan, then shrink it.
    if (step === 5) { for (let i = 0; i < 5000; i++) hset(engine, "h", `extra${i}`, "v"); }
    if (step === 40) {
      const parts = ["h"];
      for (let i = 0; i < 5000; i++) parts.push(`extra${i}`);
      hashDelete(engine, 0, parts.map(bytes), NOW_MS);
    }
    step++;
  } while (cursor !== 0);
  for (let i = 0; i < 1000; i++) ok(seen.has(`keep${i}`), `keep${i} missed`);
  // A small hash comes back whole with cursor 0.
  hset(engine, "s", "a", "1", "b", "2");
  deepStrictEqual(hashScan(engine, 0, bytes("s"), 0, 1, NOW_MS), {
    cursor: 0,
    pairs: ["a", "1", "b", "2"].map(bytes),
  });
  strictEqual(hashScan(engine, 0, bytes("none"), 0, 1, NOW_MS), null);
});

Deno.test("hash engine random picks are members, with repetition", () => {
  const engine = Engine.create();
  hset(engine, "s", "a", "1", "b", "2", "c", "3");
  for (let i = 0; i < 700; i++) hset(engine, "l", `f${i}`, `v${i}`);
  for (const key of ["s", "l"]) {
    const picks = texts(hashRandomPairs(engine, 0, bytes(key), 2000, NOW_MS))!;
    strictEqual(picks.length, 4000);
    const fields = new Set<string>();
    for (let i = 0; i < picks.length; i += 2) {
      strictEqual(hget(engine, key, picks[i]), picks[i + 1]);
      fields.add(picks[i]);
    }
    ok(fields.size >= (key === "s" ? 3 : 550), `picks cover the hash (${fields.size})`);
  }
  strictEqual(hashRandomPairs(engine, 0, bytes("none"), 1, NOW_MS), null);
});

Deno.test("hash engine OOM leaves the hash unchanged and removes a key it created", () => {
  const engine = Engine.create({ maxPages: 48 });
  hset(engine, "small", "a", "1");
  hset(engine, "table", "a", "x".repeat(70));
  let filled = 0;
  try {
    for (;; filled++) hset(engine, "filler", `field-${filled}`, "y".repeat(200));
  } catch (error) {
    ok(error instanceof OutOfMemoryError);
  }
  ok(filled > 1000);
  // (Reading the whole filler back needs out-buffer memory, so it is sampled by HGET.)
  const fillerLength = hashLength(engine, 0, bytes("filler"), NOW_MS);
  // A large multi-pair write fails as a whole, on each encoding and on a new key.
  const parts: string[] = [];
  for (let i = 0; i < 5000; i++) parts.push(`new${i}`, "z".repeat(100));
  for (const key of ["small", "table", "filler", "fresh"]) {
    const lengthBefore = hashLength(engine, 0, bytes(key), NOW_MS);
    const encodingBefore = key === "fresh" ? "unknown" : encoding(engine, key);
    throws(() => hset(engine, key, ...parts), OutOfMemoryError);
    strictEqual(hashLength(engine, 0, bytes(key), NOW_MS), lengthBefore);
    strictEqual(encoding(engine, key), encodingBefore);
  }
  strictEqual(engine.exists(0, bytes("fresh"), NOW_MS), false);
  strictEqual(hashLength(engine, 0, bytes("filler"), NOW_MS), fillerLength);
  for (let i = 0; i < filled; i += 97) {
    strictEqual(hget(engine, "filler", `field-${i}`), "y".repeat(200));
  }
  strictEqual(hget(engine, "small", "a"), "1");
  // Freeing the filler makes room again.
  engine.del(0, bytes("filler"), NOW_MS);
  strictEqual(hset(engine, "small", ...parts.slice(0, 1200)), 600);
  strictEqual(encoding(engine, "small"), "hashtable");
});

Deno.test("hash engine memory: a small hash costs less than in redis-server (122 B measured)", () => {
  const engine = Engine.create();
  const keyCount = 100_000;
  const usedBefore = engine.usedMemoryBytes();
  for (let i = 0; i < keyCount; i++) {
    hset(engine, `user:${i}`, "name", `n${i}`, "age", `${i % 90}`, "city", "Paris");
  }
  const perKeyBytes = (engine.usedMemoryBytes() - usedBefore) / keyCount;
  // Entry (40 B header + key in a 64 B slot) + a 32 B packed block + its 4 B bucket.
  ok(perKeyBytes < 122, `bytes per small hash: ${perKeyBytes}`);
  for (let i = 0; i < keyCount; i += 1013) strictEqual(encoding(engine, `user:${i}`), "listpack");
});

// ── Commands, in process ────────────────────────────────────────────────────────────────

interface Harness {
  run(...args: string[]): string;
  state: ServerState;
  propagated: string[][];
  setProtocol(protocol: 2 | 3): void;
}

function harness(): Harness {
  const { state, table } = inProcessServer();
  const writer = new ReplyWriter();
  const client = inProcessClient(1, writer);
  const propagated = recordPropagated(state, (arg) => decoder.decode(arg));
  return {
    state,
    propagated,
    setProtocol: (protocol) => {
      writer.protocol = protocol;
    },
    run: (...args) => {
      writer.reset();
      const result = executeCommand(table, state, client, args.map(bytes));
      if (result instanceof Promise) throw new Error("hash commands never wait");
      return decoder.decode(writer.view());
    },
  };
}

Deno.test("HSET family replies and errors", () => {
  const { run } = harness();
  strictEqual(run("HSET", "h", "a", "1", "b", "2"), ":2\r\n");
  strictEqual(run("HSET", "h", "a"), "-ERR wrong number of arguments for 'hset' command\r\n");
  strictEqual(
    run("HSET", "h", "a", "1", "c"),
    "-ERR wrong number of arguments for 'hset' command\r\n",
  );
  strictEqual(
    run("HMSET", "h", "a", "1", "c"),
    "-ERR wrong number of arguments for 'hmset' command\r\n",
  );
  strictEqual(run("HMSET", "h", "c", "3"), "+OK\r\n");
  strictEqual(run("HSETNX", "h", "c", "9"), ":0\r\n");
  strictEqual(run("HSETNX", "h", "d", "4"), ":1\r\n");
  strictEqual(
    run("HGETALL", "h"),
    "*8\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n",
  );
  strictEqual(run("HMGET", "h", "a", "zz", "d"), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n4\r\n");
  strictEqual(run("HSTRLEN", "h", "a"), ":1\r\n");
  strictEqual(run("HEXISTS", "h", "zz"), ":0\r\n");
  strictEqual(run("HDEL", "h", "a", "b", "zz"), ":2\r\n");
  strictEqual(run("HKEYS", "h"), "*2\r\n$1\r\nc\r\n$1\r\nd\r\n");
  strictEqual(run("HVALS", "h"), "*2\r\n$1\r\n3\r\n$1\r\n4\r\n");
  strictEqual(run("HLEN", "h"), ":2\r\n");
  strictEqual(run("OBJECT", "ENCODING", "h"), "$8\r\nlistpack\r\n");
  strictEqual(run("TYPE", "h"), "+hash\r\n");
  strictEqual(run("SET", "s", "v"), "+OK\r\n");
  const wrongType = "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";
  for (
    const command of [
      ["HSET", "s", "a", "1"],
      ["HGET", "s", "a"],
      ["HMGET", "s", "a"],
      ["HGETALL", "s"],
      ["HSCAN", "s", "0", "COUNT", "0"],
      ["HRANDFIELD", "s", "0"],
      ["HINCRBY", "s", "a", "1"],
      ["HINCRBYFLOAT", "s", "a", "1"],
    ]
  ) {
    strictEqual(run(...command), wrongType, command.join(" "));
  }
});

Deno.test("HINCRBY and HINCRBYFLOAT arithmetic, errors and propagation", () => {
  const { run, propagated } = harness();
  strictEqual(run("HINCRBY", "h", "n", "5"), ":5\r\n");
  strictEqual(run("HINCRBY", "h", "n", "-7"), ":-2\r\n");
  strictEqual(run("HINCRBY", "h", "n", "x"), "-ERR value is not an integer or out of range\r\n");
  run("HSET", "h", "max", "9223372036854775807", "text", "abc", "sp", " 1");
  strictEqual(run("HINCRBY", "h", "max", "1"), "-ERR increment or decrement would overflow\r\n");
  strictEqual(run("HINCRBY", "h", "text", "1"), "-ERR hash value is not an integer\r\n");
  strictEqual(run("HINCRBY", "h", "sp", "1"), "-ERR hash value is not an integer\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "f", "10.5"), "$4\r\n10.5\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "f", "0.1"), "$4\r\n10.6\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "f", "5.0e3"), "$22\r\n5010.60000000000000009\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "text", "1"), "-ERR hash value is not a float\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "f", "abc"), "-ERR value is not a valid float\r\n");
  strictEqual(run("HINCRBYFLOAT", "h", "f", "inf"), "-ERR value is NaN or Infinity\r\n");
  strictEqual(run("HINCRBYFLOAT", "none", "f", "inf"), "-ERR value is NaN or Infinity\r\n");
  strictEqual(run("EXISTS", "none"), ":0\r\n");
  run("HSET", "h", "huge", "1.1e4932", "inf", "inf");
  strictEqual(
    run("HINCRBYFLOAT", "h", "huge", "1e4931"),
    "-ERR increment would produce NaN or Infinity\r\n",
  );
  strictEqual(
    run("HINCRBYFLOAT", "h", "inf", "1"),
    "-ERR increment would produce NaN or Infinity\r\n",
  );
  propagated.length = 0;
  run("HINCRBYFLOAT", "h", "g", "0x10");
  run("HINCRBY", "h", "n", "1");
  deepStrictEqual(propagated, [["HSET", "h", "g", "16"], ["HINCRBY", "h", "n", "1"]]);
  // A long field converts, as in Redis 7.0's hashTypeSet.
  run("HINCRBY", "h", "x".repeat(65), "1");
  strictEqual(run("OBJECT", "ENCODING", "h"), "$9\r\nhashtable\r\n");
});

Deno.test("HRANDFIELD and HSCAN argument handling and reply shapes", () => {
  const { run, setProtocol } = harness();
  run("HSET", "h", "a", "1", "b", "2");
  strictEqual(run("HRANDFIELD", "none"), "$-1\r\n");
  strictEqual(run("HRANDFIELD", "none", "5"), "*0\r\n");
  strictEqual(run("HRANDFIELD", "h", "0"), "*0\r\n");
  strictEqual(run("HRANDFIELD", "h", "x"), "-ERR value is not an integer or out of range\r\n");
  strictEqual(run("HRANDFIELD", "h", "1", "foo"), "-ERR syntax error\r\n");
  strictEqual(run("HRANDFIELD", "h", "1", "WITHVALUES", "x"), "-ERR syntax error\r\n");
  strictEqual(
    run("HRANDFIELD", "h", "-9223372036854775808"),
    "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
  );
  strictEqual(
    run("HRANDFIELD", "h", "-4611686018427387904", "WITHVALUES"),
    "-ERR value is out of range\r\n",
  );
  strictEqual(run("HRANDFIELD", "h", "2"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  ok(
    /^\*6\r\n(\$1\r\n[ab]\r\n\$1\r\n[12]\r\n){3}$/.test(run("HRANDFIELD", "h", "-3", "WITHVALUES")),
  );
  setProtocol(3);
  strictEqual(
    run("HRANDFIELD", "h", "5", "WITHVALUES"),
    "*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
  );
  strictEqual(run("HGETALL", "h"), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
  strictEqual(run("HGETALL", "none"), "%0\r\n");
  setProtocol(2);
  strictEqual(run("HSCAN", "h", "x"), "-ERR invalid cursor\r\n");
  strictEqual(run("HSCAN", "none", "0", "COUNT", "0"), "*2\r\n$1\r\n0\r\n*0\r\n");
  strictEqual(run("HSCAN", "h", "0", "COUNT", "0"), "-ERR syntax error\r\n");
  strictEqual(run("HSCAN", "h", "0", "NOVALUES"), "-ERR syntax error\r\n");
  strictEqual(run("HSCAN", "h", "0", "TYPE", "hash"), "-ERR syntax error\r\n");
  strictEqual(
    run("HSCAN", "h", "-1", "MATCH", "b*"),
    "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n",
  );
  // Distinct picks from a large hash: count below and above a third of the size.
  for (let i = 0; i < 700; i++) run("HSET", "big", `f${i}`, `v${i}`);
  for (const count of [10, 300, 699]) {
    const reply = run("HRANDFIELD", "big", String(count));
    const fields = reply.split("\r\n").filter((line) => line.startsWith("f"));
    strictEqual(fields.length, count);
    strictEqual(new Set(fields).size, count);
  }
});

// ── Long fields and values under a raised hash-max-listpack-value ──────────────────────────

/** A value of `len` bytes whose bytes tell apart versions of it (seed) and positions. */
function longValue(len: number, seed: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = 97 + ((i + seed) % 26);
  return out;
}

const LONG_LENGTHS = [0, 1, 63, 64, 65, 127, 128, 129, 200, 8191, 65535];

Deno.test("hash engine keeps long values in the listpack, in insertion order, when the limit allows", () => {
  const engine = Engine.create();
  engine.setEncodingLimits({
    hashEntries: 512,
    hashValueBytes: 1_000_000_000,
    setIntsetEntries: 512,
    zsetEntries: 128,
    zsetValueBytes: 64,
  });
  const key = bytes("long");
  const model = new Map<string, Uint8Array>();
  const hexOf = (field: Uint8Array) => Array.from(field, (b) => b.toString(16)).join("");
  let seed = 0;
  const check = () => {
    strictEqual(hashEncoding(engine, 0, key, NOW_MS), "listpack");
    strictEqual(hashLength(engine, 0, key, NOW_MS), model.size);
    const flat = hashReadAll(engine, 0, key, HASH_READ_PAIRS, NOW_MS)!;
    const expected: Uint8Array[] = [];
    for (const [fieldHex, value] of model) {
      expected.push(Uint8Array.from(fieldHex.match(/../g)!, (h) => parseInt(h, 16)), value);
    }
    deepStrictEqual(flat, expected);
    const scan = hashScan(engine, 0, key, 0, 10, NOW_MS)!;
    strictEqual(scan.cursor, 0);
    deepStrictEqual(scan.pairs, expected);
    const picks = hashRandomPairs(engine, 0, key, 20, NOW_MS)!;
    for (let i = 0; i < picks.length; i += 2) {
      deepStrictEqual(model.get(hexOf(picks[i])), picks[i + 1]);
    }
  };
  // Fields and values of every length, short and long prefixes side by side.
  for (const len of LONG_LENGTHS) {
    const field = longValue(Math.min(len, 300) + 1, len);
    const value = longValue(len, seed++);
    strictEqual(hashSet(engine, 0, [key, field, value], false, NOW_MS), 1);
    model.set(hexOf(field), value);
    check();
  }
  // Past 128 KiB the count leaves the valueLen word (the wide form): still a listpack.
  for (const name of ["big1", "big2"]) {
    const value = longValue(65535, seed++);
    strictEqual(hashSet(engine, 0, [key, bytes(name), value], false, NOW_MS), 1);
    model.set(hexOf(bytes(name)), value);
    check();
  }
  // Replacing values in place: short ↔ long prefixes, growing and shrinking, order kept.
  const fields = [...model.keys()];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < fields.length; i++) {
      const len = LONG_LENGTHS[(i + round * 5) % LONG_LENGTHS.length];
      const field = Uint8Array.from(fields[i].match(/../g)!, (h) => parseInt(h, 16));
      const value = longValue(len, seed++);
      strictEqual(hashSet(engine, 0, [key, field, value], false, NOW_MS), 0);
      model.set(fields[i], value);
      deepStrictEqual(hashGet(engine, 0, key, field, NOW_MS), value);
    }
    check();
  }
  // COPY keeps the listpack, deep.
  strictEqual(engine.copy(0, key, 0, bytes("copied"), false, NOW_MS), 1);
  strictEqual(hashEncoding(engine, 0, bytes("copied"), NOW_MS), "listpack");
  deepStrictEqual(
    hashReadAll(engine, 0, bytes("copied"), HASH_READ_PAIRS, NOW_MS),
    hashReadAll(engine, 0, key, HASH_READ_PAIRS, NOW_MS),
  );
  // Deleting from the middle, the big ones first, down to the narrow form and to nothing.
  for (const fieldHex of [...fields.slice(8), ...fields.slice(0, 8)]) {
    const field = Uint8Array.from(fieldHex.match(/../g)!, (h) => parseInt(h, 16));
    strictEqual(hashDelete(engine, 0, [key, field], NOW_MS), 1);
    model.delete(fieldHex);
    if (model.size > 0) check();
  }
  strictEqual(hashLength(engine, 0, key, NOW_MS), 0);
});

Deno.test("hash engine converts exactly past a raised hash-max-listpack-value", () => {
  for (const limit of [65, 200, 8191, 65535]) {
    const engine = Engine.create();
    engine.setEncodingLimits({
      hashEntries: 512,
      hashValueBytes: limit,
      setIntsetEntries: 512,
      zsetEntries: 128,
      zsetValueBytes: 64,
    });
    hashSet(engine, 0, [bytes("h"), bytes("a"), longValue(limit, 0)], false, NOW_MS);
    hashSet(engine, 0, [bytes("h"), longValue(limit, 1), bytes("b")], false, NOW_MS);
    strictEqual(hashEncoding(engine, 0, bytes("h"), NOW_MS), "listpack", `limit ${limit}`);
    hashSet(engine, 0, [bytes("h"), bytes("c"), longValue(limit + 1, 2)], false, NOW_MS);
    strictEqual(hashEncoding(engine, 0, bytes("h"), NOW_MS), "hashtable", `limit ${limit}`);
    strictEqual(hashLength(engine, 0, bytes("h"), NOW_MS), 3);
    deepStrictEqual(hashGet(engine, 0, bytes("h"), bytes("a"), NOW_MS), longValue(limit, 0));
    deepStrictEqual(hashGet(engine, 0, bytes("h"), bytes("c"), NOW_MS), longValue(limit + 1, 2));
  }
});

Deno.test("hash engine: a listpack of long values crosses the entry limit into a table intact", () => {
  const engine = Engine.create();
  engine.setEncodingLimits({
    hashEntries: 4,
    hashValueBytes: 100_000,
    setIntsetEntries: 512,
    zsetEntries: 128,
    zsetValueBytes: 64,
  });
  const parts = [bytes("h")];
  for (let i = 0; i < 6; i++) parts.push(bytes(`f${i}`), longValue(40_000 + i, i));
  strictEqual(hashSet(engine, 0, parts.slice(0, 9), false, NOW_MS), 4);
  strictEqual(hashEncoding(engine, 0, bytes("h"), NOW_MS), "listpack");
  strictEqual(hashLength(engine, 0, bytes("h"), NOW_MS), 4);
  strictEqual(hashSet(engine, 0, [bytes("h"), ...parts.slice(1)], false, NOW_MS), 2);
  strictEqual(hashEncoding(engine, 0, bytes("h"), NOW_MS), "hashtable");
  for (let i = 0; i < 6; i++) {
    deepStrictEqual(
      hashGet(engine, 0, bytes("h"), bytes(`f${i}`), NOW_MS),
      longValue(40_000 + i, i),
    );
  }
});
