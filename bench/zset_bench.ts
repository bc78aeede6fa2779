// Benchmarks for sorted sets through the engine binding (core/engine/zset.ts): the hot
// operations on a small listpack-encoded set and on a 100k-element skiplist, plus building
// many small sets (the memory-bound case). Members are encoded up front so the numbers measure
// staging, one WASM call and reading the out buffer back.

import { Engine } from "../core/engine/mod.ts";
import {
  RANGE_WITHSCORES,
  ZADD_INCR,
  zsetAdd,
  zsetPop,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
  zsetRank,
  zsetScores,
} from "../core/engine/zset.ts";

const NOW_MS = 1_700_000_000_000;
const LARGE_COUNT = 100_000;
const encoder = new TextEncoder();

const members: Uint8Array[] = [];
for (let i = 0; i < LARGE_COUNT; i++) members.push(encoder.encode(`member:${i}`));

const engine = Engine.create();
const largeKey = encoder.encode("large");
const smallKey = encoder.encode("small");
for (let i = 0; i < LARGE_COUNT; i += 1000) {
  const chunk = members.slice(i, i + 1000);
  zsetAdd(engine, 0, largeKey, chunk.map((_, j) => i + j), chunk, 0, NOW_MS);
}
zsetAdd(
  engine,
  0,
  smallKey,
  members.slice(0, 64).map((_, j) => j),
  members.slice(0, 64),
  0,
  NOW_MS,
);

let cursor = 0;
const next = () => (cursor = (cursor * 1103515245 + 12345) % LARGE_COUNT);

Deno.bench("ZADD update, 100k skiplist", { group: "zadd", baseline: true }, () => {
  zsetAdd(engine, 0, largeKey, [next()], [members[cursor]], 0, NOW_MS);
});

Deno.bench("ZINCRBY, 100k skiplist", { group: "zadd" }, () => {
  zsetAdd(engine, 0, largeKey, [1], [members[next()]], ZADD_INCR, NOW_MS);
});

Deno.bench("ZADD update, 64-element listpack", { group: "zadd" }, () => {
  zsetAdd(engine, 0, smallKey, [next() % 64], [members[cursor % 64]], 0, NOW_MS);
});

Deno.bench("ZSCORE, 100k skiplist", { group: "read" }, () => {
  zsetScores(engine, 0, largeKey, [members[next()]], NOW_MS);
});

Deno.bench("ZRANK, 100k skiplist", { group: "read" }, () => {
  zsetRank(engine, 0, largeKey, members[next()], false, NOW_MS);
});

Deno.bench("ZSCORE, 64-element listpack", { group: "read" }, () => {
  zsetScores(engine, 0, smallKey, [members[next() % 64]], NOW_MS);
});

Deno.bench("ZRANGE 10 WITHSCORES at a random rank, 100k skiplist", { group: "range" }, () => {
  const start = next();
  zsetRange(engine, 0, largeKey, {
    op: ZsetRangeOp.Emit,
    kind: ZsetRangeKind.Rank,
    flags: RANGE_WITHSCORES,
    a: start,
    b: start + 9,
  }, NOW_MS);
});

Deno.bench("ZCOUNT over a score range, 100k skiplist", { group: "range" }, () => {
  const min = next();
  zsetRange(engine, 0, largeKey, {
    op: ZsetRangeOp.Count,
    kind: ZsetRangeKind.Score,
    flags: 0,
    a: min,
    b: min + 5000,
  }, NOW_MS);
});

Deno.bench("ZRANGE 0 -1 WITHSCORES, 64-element listpack", { group: "range" }, () => {
  zsetRange(engine, 0, smallKey, {
    op: ZsetRangeOp.Emit,
    kind: ZsetRangeKind.Rank,
    flags: RANGE_WITHSCORES,
    a: 0,
    b: -1,
  }, NOW_MS);
});

Deno.bench("ZPOPMIN + ZADD back, 100k skiplist", { group: "pop" }, () => {
  const popped = zsetPop(engine, 0, largeKey, 1, false, NOW_MS)!;
  zsetAdd(engine, 0, largeKey, [popped.scores[0] + LARGE_COUNT], popped.members, 0, NOW_MS);
});

const smallKeys: Uint8Array[] = [];
for (let i = 0; i < 10_000; i++) smallKeys.push(encoder.encode(`zs:${i}`));
const threeMembers = [encoder.encode("alpha"), encoder.encode("beta"), encoder.encode("gamma")];
Deno.bench("10k small zsets of 3 members (fresh engine)", { group: "build" }, () => {
  const build = Engine.create();
  for (const key of smallKeys) zsetAdd(build, 0, key, [1, 2, 3], threeMembers, 0, NOW_MS);
});
