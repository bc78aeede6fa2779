// Benchmarks for lists through the engine binding (core/engine/list.ts), as the list commands
// call it: queue traffic (push at one end, pop at the other), reads by index and range on a
// 100k-element list, and LPUSH onto many small lists (the keyspace-of-small-lists case the
// memory target is about). Keys and elements are made up front, so the numbers measure the
// staging copy, one WASM call and the reply copy, not encoding.

import { Engine } from "../core/engine/mod.ts";
import { listIndex, listPop, listPush, listRange } from "../core/engine/list.ts";

const NOW_MS = 1_700_000_000_000;
const BIG_LIST_LEN = 100_000;
const SMALL_LIST_COUNT = 100_000;
const encoder = new TextEncoder();

const element = encoder.encode("element-of-sixteen");
const single = [element];
const queueKey = encoder.encode("queue");
const bigKey = encoder.encode("big");
const smallKeys: Uint8Array[] = [];
for (let i = 0; i < SMALL_LIST_COUNT; i++) smallKeys.push(encoder.encode(`list:${i}`));

const engine = Engine.create();
{
  const batch: Uint8Array[] = [];
  for (let i = 0; i < BIG_LIST_LEN; i++) batch.push(encoder.encode(`v${i}`));
  listPush(engine, 0, bigKey, batch, true, false, NOW_MS);
  // A queue that never empties, so pops do not delete and recreate the key.
  listPush(engine, 0, queueKey, batch.slice(0, 1000), true, false, NOW_MS);
}

Deno.bench("RPUSH one + LPOP one (queue)", { group: "push/pop", baseline: true }, () => {
  listPush(engine, 0, queueKey, single, true, false, NOW_MS);
  listPop(engine, 0, queueKey, false, 1, NOW_MS);
});

Deno.bench("LPUSH one + RPOP one (queue)", { group: "push/pop" }, () => {
  listPush(engine, 0, queueKey, single, false, false, NOW_MS);
  listPop(engine, 0, queueKey, true, 1, NOW_MS);
});

const tenElements = Array.from({ length: 10 }, () => element);
Deno.bench("RPUSH ten + LPOP ten", { group: "push/pop" }, () => {
  listPush(engine, 0, queueKey, tenElements, true, false, NOW_MS);
  listPop(engine, 0, queueKey, false, 10, NOW_MS);
});

let smallIndex = 0;
Deno.bench("LPUSH onto 100k small lists", { group: "push/pop" }, () => {
  listPush(engine, 0, smallKeys[smallIndex], single, false, false, NOW_MS);
  smallIndex = smallIndex + 1 === SMALL_LIST_COUNT ? 0 : smallIndex + 1;
});

let readIndex = 0;
Deno.bench("LINDEX random position, 100k list", { group: "read", baseline: true }, () => {
  listIndex(engine, 0, bigKey, BigInt(readIndex), NOW_MS);
  readIndex = (readIndex + 7919) % BIG_LIST_LEN;
});

Deno.bench("LINDEX 0, 100k list", { group: "read" }, () => {
  listIndex(engine, 0, bigKey, 0n, NOW_MS);
});

Deno.bench("LRANGE 0 9, 100k list", { group: "read" }, () => {
  listRange(engine, 0, bigKey, 0n, 9n, NOW_MS);
});

Deno.bench("LRANGE 0 99, 100k list", { group: "read" }, () => {
  listRange(engine, 0, bigKey, 0n, 99n, NOW_MS);
});
