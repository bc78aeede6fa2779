// Benchmarks for the embedded path: the Engine class called directly, as an embedded store
// would, on a keyspace of 100k keys. Keys are made up front so the numbers measure the
// engine and its boundary (staging copy, one WASM call, result view), not key encoding.
//
// The product target is GET on 100k keys at ≥ 5 M ops/s (≤ 200 ns per call).

import { Engine } from "../core/engine/mod.ts";

const KEY_COUNT = 100_000;
const NOW_MS = 1_700_000_000_000;
const encoder = new TextEncoder();

const keys: Uint8Array[] = [];
for (let i = 0; i < KEY_COUNT; i++) {
  keys.push(encoder.encode(`key:${i.toString().padStart(8, "0")}`));
}
const value = encoder.encode("value-of-sixteen");

function filledEngine(): Engine {
  const engine = Engine.create();
  for (const key of keys) engine.set(0, key, value, 0, 0, NOW_MS);
  while (engine.rehashStep(1000)) { /* settle */ }
  return engine;
}

const getEngine = filledEngine();
let getIndex = 0;
Deno.bench("GET hit, 100k keys", { group: "get", baseline: true }, () => {
  getEngine.getString(0, keys[getIndex], NOW_MS);
  getIndex = getIndex + 1 === KEY_COUNT ? 0 : getIndex + 1;
});

const missKey = encoder.encode("key:absent!");
Deno.bench("GET miss, 100k keys", { group: "get" }, () => {
  getEngine.getString(0, missKey, NOW_MS);
});

let fixedCount = 0;
const fixedKey = keys[12345];
Deno.bench("GET one hot key", { group: "get" }, () => {
  fixedCount += getEngine.getString(0, fixedKey, NOW_MS)!.length;
});

const setEngine = filledEngine();
let setIndex = 0;
Deno.bench("SET overwrite, 100k keys", { group: "set", baseline: true }, () => {
  setEngine.set(0, keys[setIndex], value, 0, 0, NOW_MS);
  setIndex = setIndex + 1 === KEY_COUNT ? 0 : setIndex + 1;
});

Deno.bench("SET 100k fresh keys into an empty db (per batch)", { group: "set", n: 20 }, (b) => {
  const engine = Engine.create();
  b.start();
  for (const key of keys) engine.set(0, key, value, 0, 0, NOW_MS);
  b.end();
});

Deno.bench("DEL + SET, 100k keys", { group: "del" }, () => {
  setEngine.del(0, keys[setIndex], NOW_MS);
  setEngine.set(0, keys[setIndex], value, 0, 0, NOW_MS);
  setIndex = setIndex + 1 === KEY_COUNT ? 0 : setIndex + 1;
});

Deno.bench("SCAN full keyspace, COUNT 1000, 100k keys", { group: "scan", n: 20 }, () => {
  let cursor = 0;
  do {
    cursor = getEngine.scan(0, cursor, 1000, -1, NOW_MS).cursor;
  } while (cursor !== 0);
});

addEventListener("unload", () => {
  if (fixedCount < 0) console.log(fixedCount);
});
