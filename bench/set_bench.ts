// Benchmarks for sets through the engine binding (core/engine/set.ts), as an embedded store
// or a command handler calls it: one staging copy, one WASM call, members copied out of the
// out buffer where the command returns any. Members and keys are made up front.
//
// Three shapes, one per encoding: small integer sets (intset), small string sets (packed,
// which Redis 7.0 would hold in a hashtable), and one large string set (table).

import { Engine } from "../core/engine/mod.ts";
import {
  setAdd,
  setIsMember,
  setMembers,
  SetOperation,
  setOperation,
  setPop,
  setRandomMembers,
  setRemove,
} from "../core/engine/set.ts";

const NOW_MS = 1_700_000_000_000;
const SMALL_KEY_COUNT = 10_000;
const SMALL_SET_MEMBERS = 16;
const LARGE_SET_MEMBERS = 100_000;
const encoder = new TextEncoder();

function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

const smallKeys = Array.from({ length: SMALL_KEY_COUNT }, (_, i) => bytes(`set:${i}`));
const intMembers = Array.from({ length: SMALL_SET_MEMBERS }, (_, i) => bytes(String(i * 7)));
const stringMembers = Array.from({ length: SMALL_SET_MEMBERS }, (_, i) => bytes(`member:${i}`));
const largeMembers = Array.from({ length: LARGE_SET_MEMBERS }, (_, i) => bytes(`member:${i}`));
const largeKey = bytes("large");

function filled(members: Uint8Array[]): Engine {
  const engine = Engine.create();
  for (const key of smallKeys) setAdd(engine, 0, key, members, NOW_MS);
  for (let i = 0; i < LARGE_SET_MEMBERS; i += 1000) {
    setAdd(engine, 0, largeKey, largeMembers.slice(i, i + 1000), NOW_MS);
  }
  return engine;
}

const intEngine = filled(intMembers);
const stringEngine = filled(stringMembers);
let cursor = 0;
function next(): number {
  cursor = cursor + 1 === SMALL_KEY_COUNT ? 0 : cursor + 1;
  return cursor;
}

// ── Membership ──────────────────────────────────────────────────────────────────────────

Deno.bench("SISMEMBER intset (16 members)", { group: "sismember", baseline: true }, () => {
  const i = next();
  setIsMember(intEngine, 0, smallKeys[i], intMembers[i & 15], NOW_MS);
});

Deno.bench("SISMEMBER packed (16 members)", { group: "sismember" }, () => {
  const i = next();
  setIsMember(stringEngine, 0, smallKeys[i], stringMembers[i & 15], NOW_MS);
});

Deno.bench("SISMEMBER table (100k members)", { group: "sismember" }, () => {
  setIsMember(stringEngine, 0, largeKey, largeMembers[next() * 7], NOW_MS);
});

// ── SADD / SREM of one member (remove then re-add keeps the sets stable) ────────────────

const churnInt = bytes("99991");
Deno.bench("SADD+SREM intset", { group: "sadd-srem", baseline: true }, () => {
  const key = smallKeys[next()];
  setAdd(intEngine, 0, key, [churnInt], NOW_MS);
  setRemove(intEngine, 0, key, [churnInt], NOW_MS);
});

const churnString = bytes("churn-member");
Deno.bench("SADD+SREM packed", { group: "sadd-srem" }, () => {
  const key = smallKeys[next()];
  setAdd(stringEngine, 0, key, [churnString], NOW_MS);
  setRemove(stringEngine, 0, key, [churnString], NOW_MS);
});

Deno.bench("SADD+SREM table (100k members)", { group: "sadd-srem" }, () => {
  setAdd(stringEngine, 0, largeKey, [churnString], NOW_MS);
  setRemove(stringEngine, 0, largeKey, [churnString], NOW_MS);
});

Deno.bench("SADD 16 members into a new key, then DEL", { group: "sadd-new" }, () => {
  setAdd(stringEngine, 0, churnString, stringMembers, NOW_MS);
  stringEngine.del(0, churnString, NOW_MS);
});

// ── Whole-set reads ─────────────────────────────────────────────────────────────────────

Deno.bench("SMEMBERS intset (16 members)", { group: "smembers", baseline: true }, () => {
  setMembers(intEngine, 0, smallKeys[next()], NOW_MS);
});

Deno.bench("SMEMBERS packed (16 members)", { group: "smembers" }, () => {
  setMembers(stringEngine, 0, smallKeys[next()], NOW_MS);
});

Deno.bench("SINTER two packed sets", { group: "setop", baseline: true }, () => {
  const i = next();
  setOperation(stringEngine, 0, [smallKeys[i], smallKeys[i ^ 1]], SetOperation.Inter, NOW_MS);
});

Deno.bench("SUNION two intsets", { group: "setop" }, () => {
  const i = next();
  setOperation(intEngine, 0, [smallKeys[i], smallKeys[i ^ 1]], SetOperation.Union, NOW_MS);
});

Deno.bench("SINTER packed with the 100k table", { group: "setop" }, () => {
  setOperation(stringEngine, 0, [smallKeys[next()], largeKey], SetOperation.Inter, NOW_MS);
});

// ── Random members ──────────────────────────────────────────────────────────────────────

Deno.bench("SRANDMEMBER table (100k members)", { group: "random", baseline: true }, () => {
  setRandomMembers(stringEngine, 0, largeKey, 1, false, NOW_MS);
});

Deno.bench("SRANDMEMBER 10 distinct from the table", { group: "random" }, () => {
  setRandomMembers(stringEngine, 0, largeKey, 10, true, NOW_MS);
});

Deno.bench("SPOP + SADD back, table (100k members)", { group: "random" }, () => {
  const popped = setPop(stringEngine, 0, largeKey, 1, NOW_MS)!;
  setAdd(stringEngine, 0, largeKey, popped, NOW_MS);
});
