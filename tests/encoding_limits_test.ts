// The encoding thresholds without a peer: the config rows (names, aliases, defaults, range
// errors), the engine converting at the live limits and clamping them to its layouts, and
// CONFIG SET reaching the engine through ServerState. tests/differential_encoding_limits_test.ts
// compares the same behaviour with redis-server.

import assert from "node:assert/strict";
import { Config, ConfigValueError } from "../core/config/table.ts";
import { Engine } from "../core/engine/engine.ts";
import { hashEncoding, hashSet } from "../core/engine/hash.ts";
import { setAdd, setEncoding } from "../core/engine/set.ts";
import { zsetAdd, zsetEncoding, zsetVerify } from "../core/engine/zset.ts";
import { Logger } from "../core/log.ts";
import { ServerState } from "../core/state/server_state.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const NOW_MS = 1_000_000;

const DEFAULT_LIMITS = {
  hashEntries: 512,
  hashValueBytes: 64,
  setIntsetEntries: 512,
  zsetEntries: 128,
  zsetValueBytes: 64,
};

function hashFill(engine: Engine, key: string, count: number, valueBytes = 1): void {
  for (let i = 0; i < count; i++) {
    hashSet(engine, 0, [bytes(key), bytes(`f${i}`), bytes("v".repeat(valueBytes))], false, NOW_MS);
  }
}

function zsetFill(engine: Engine, key: string, from: number, to: number): void {
  for (let i = from; i < to; i++) zsetAdd(engine, 0, bytes(key), [i], [bytes(`m${i}`)], 0, NOW_MS);
}

Deno.test("encoding threshold directives have Redis 7.0's names, aliases and defaults", () => {
  const config = new Config();
  const expected: [string, string, number][] = [
    ["hash-max-listpack-entries", "hash-max-ziplist-entries", 512],
    ["hash-max-listpack-value", "hash-max-ziplist-value", 64],
    ["zset-max-listpack-entries", "zset-max-ziplist-entries", 128],
    ["zset-max-listpack-value", "zset-max-ziplist-value", 64],
  ];
  for (const [name, alias, value] of expected) {
    assert.equal(config.getNumber(name), value);
    assert.equal(config.getNumber(alias), value);
  }
  assert.equal(config.getNumber("set-max-intset-entries"), 512);
  config.setText("hash-max-ziplist-value", "1kb", false);
  assert.equal(config.getNumber("hash-max-listpack-value"), 1024);
  assert.throws(
    () => config.setText("set-max-intset-entries", "-1", false),
    (error: Error) =>
      error instanceof ConfigValueError &&
      error.message === "argument must be between 0 and 9223372036854775807 inclusive",
  );
  assert.throws(
    () => config.setText("zset-max-listpack-value", "-1", false),
    (error: Error) =>
      error instanceof ConfigValueError && error.message === "argument must be a memory value",
  );
});

Deno.test("engine converts a hash past the live entry and value limits", () => {
  const engine = Engine.create();
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, hashEntries: 4, hashValueBytes: 8 });
  hashFill(engine, "h", 4);
  assert.equal(hashEncoding(engine, 0, bytes("h"), NOW_MS), "listpack");
  hashFill(engine, "h", 5);
  assert.equal(hashEncoding(engine, 0, bytes("h"), NOW_MS), "hashtable");
  hashFill(engine, "v", 1, 8);
  assert.equal(hashEncoding(engine, 0, bytes("v"), NOW_MS), "listpack");
  hashFill(engine, "v", 1, 9);
  assert.equal(hashEncoding(engine, 0, bytes("v"), NOW_MS), "hashtable");
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, hashEntries: 0 });
  hashFill(engine, "zero", 1);
  assert.equal(hashEncoding(engine, 0, bytes("zero"), NOW_MS), "hashtable");
});

Deno.test("engine converts an intset past the live limit, and at once with 0", () => {
  const engine = Engine.create();
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, setIntsetEntries: 3 });
  setAdd(engine, 0, bytes("s"), ["1", "2", "3"].map(bytes), NOW_MS);
  assert.equal(setEncoding(engine, 0, bytes("s"), NOW_MS), "intset");
  setAdd(engine, 0, bytes("s"), [bytes("4")], NOW_MS);
  assert.equal(setEncoding(engine, 0, bytes("s"), NOW_MS), "hashtable");
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, setIntsetEntries: 0 });
  setAdd(engine, 0, bytes("zero"), [bytes("1")], NOW_MS);
  assert.equal(setEncoding(engine, 0, bytes("zero"), NOW_MS), "hashtable");
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, setIntsetEntries: 2000 });
  const members = Array.from({ length: 1500 }, (_, i) => bytes(String(i)));
  setAdd(engine, 0, bytes("big"), members, NOW_MS);
  assert.equal(setEncoding(engine, 0, bytes("big"), NOW_MS), "intset");
});

Deno.test("engine keeps a zset listpack up to the live limit, clamped to 1024", () => {
  const engine = Engine.create();
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, zsetEntries: 300 });
  zsetFill(engine, "z", 0, 300);
  assert.equal(zsetEncoding(engine, 0, bytes("z"), NOW_MS), "listpack");
  assert.equal(zsetVerify(engine, 0, bytes("z"), NOW_MS), 300);
  zsetFill(engine, "z", 300, 301);
  assert.equal(zsetEncoding(engine, 0, bytes("z"), NOW_MS), "skiplist");
  assert.equal(zsetVerify(engine, 0, bytes("z"), NOW_MS), 301);
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, zsetEntries: 1e12 });
  zsetFill(engine, "clamped", 0, 1024);
  assert.equal(zsetEncoding(engine, 0, bytes("clamped"), NOW_MS), "listpack");
  zsetFill(engine, "clamped", 1024, 1025);
  assert.equal(zsetEncoding(engine, 0, bytes("clamped"), NOW_MS), "skiplist");
  engine.setEncodingLimits({ ...DEFAULT_LIMITS, zsetValueBytes: 2 });
  zsetAdd(engine, 0, bytes("v"), [1], [bytes("abc")], 0, NOW_MS);
  assert.equal(zsetEncoding(engine, 0, bytes("v"), NOW_MS), "skiplist");
});

Deno.test("CONFIG SET of a threshold reaches the engine through ServerState", () => {
  const config = new Config();
  const state = new ServerState(Engine.create(), config, new Logger("nothing"));
  config.setText("zset-max-ziplist-entries", "2", false);
  zsetFill(state.engine, "z", 0, 3);
  assert.equal(zsetEncoding(state.engine, 0, bytes("z"), NOW_MS), "skiplist");
  config.setText("hash-max-ziplist-entries", "1", false);
  hashFill(state.engine, "h", 2);
  assert.equal(hashEncoding(state.engine, 0, bytes("h"), NOW_MS), "hashtable");
  config.setText("set-max-intset-entries", "1", false);
  setAdd(state.engine, 0, bytes("s"), ["1", "2"].map(bytes), NOW_MS);
  assert.equal(setEncoding(state.engine, 0, bytes("s"), NOW_MS), "hashtable");
});
