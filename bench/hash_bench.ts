// Benchmarks for hashes through the engine binding (core/engine/hash.ts), as an embedded store
// or a command handler calls it: 100k small hashes (listpack, 4 fields each) and one large
// hash (hashtable, 100k fields). Arguments are encoded up front so the numbers measure the
// staging copy, one WASM call and the result, not text encoding.

import { Engine } from "../core/engine/mod.ts";
import {
  HASH_READ_PAIRS,
  hashDelete,
  hashGet,
  hashReadAll,
  hashScan,
  hashSet,
} from "../core/engine/hash.ts";

const KEY_COUNT = 100_000;
const FIELD_COUNT = 100_000;
const NOW_MS = 1_700_000_000_000;
const encoder = new TextEncoder();

const keys = Array.from({ length: KEY_COUNT }, (_, i) => encoder.encode(`user:${i}`));
const smallFields = ["name", "email", "age", "city"].map((name) => encoder.encode(name));
const value = encoder.encode("value-of-sixteen");
const bigKey = encoder.encode("big");
const bigFields = Array.from({ length: FIELD_COUNT }, (_, i) => encoder.encode(`field:${i}`));

function filledEngine(): Engine {
  const engine = Engine.create();
  for (const key of keys) {
    hashSet(engine, 0, [key, ...smallFields.flatMap((field) => [field, value])], false, NOW_MS);
  }
  for (const field of bigFields) hashSet(engine, 0, [bigKey, field, value], false, NOW_MS);
  return engine;
}

const engine = filledEngine();

let getIndex = 0;
Deno.bench("HGET listpack (4 fields), 100k keys", { group: "hget", baseline: true }, () => {
  hashGet(engine, 0, keys[getIndex], smallFields[getIndex & 3], NOW_MS);
  getIndex = getIndex + 1 === KEY_COUNT ? 0 : getIndex + 1;
});

let bigGetIndex = 0;
Deno.bench("HGET hashtable, 100k fields", { group: "hget" }, () => {
  hashGet(engine, 0, bigKey, bigFields[bigGetIndex], NOW_MS);
  bigGetIndex = bigGetIndex + 1 === FIELD_COUNT ? 0 : bigGetIndex + 1;
});

let setIndex = 0;
Deno.bench("HSET update listpack, 100k keys", { group: "hset", baseline: true }, () => {
  hashSet(engine, 0, [keys[setIndex], smallFields[setIndex & 3], value], false, NOW_MS);
  setIndex = setIndex + 1 === KEY_COUNT ? 0 : setIndex + 1;
});

let bigSetIndex = 0;
Deno.bench("HSET update hashtable, 100k fields", { group: "hset" }, () => {
  hashSet(engine, 0, [bigKey, bigFields[bigSetIndex], value], false, NOW_MS);
  bigSetIndex = bigSetIndex + 1 === FIELD_COUNT ? 0 : bigSetIndex + 1;
});

const churnKey = encoder.encode("churn");
let churnIndex = 0;
Deno.bench("HSET new field + HDEL it, hashtable", { group: "hset" }, () => {
  const field = bigFields[churnIndex];
  hashSet(engine, 0, [churnKey, field, value], false, NOW_MS);
  hashDelete(engine, 0, [churnKey, field], NOW_MS);
  churnIndex = churnIndex + 1 === FIELD_COUNT ? 0 : churnIndex + 1;
});

let allIndex = 0;
Deno.bench("HGETALL listpack (4 fields)", { group: "read-all" }, () => {
  hashReadAll(engine, 0, keys[allIndex], HASH_READ_PAIRS, NOW_MS);
  allIndex = allIndex + 1 === KEY_COUNT ? 0 : allIndex + 1;
});

let scanCursor = 0;
Deno.bench("HSCAN COUNT 10 step, hashtable", { group: "read-all" }, () => {
  scanCursor = hashScan(engine, 0, bigKey, scanCursor, 10, NOW_MS)!.cursor;
});
