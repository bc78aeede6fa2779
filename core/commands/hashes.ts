// Hash commands (Redis 7.0 semantics, replies byte-identical to redis-server 7.0.15).
//
// Handlers parse and validate in Redis's order (arity, then numbers, then the key's type), call
// the engine binding in core/engine/hash.ts, and write one reply. Arithmetic (HINCRBY,
// HINCRBYFLOAT) is read-compute-write here, as INCR is in strings.ts; the engine stays a store
// of bytes that owns encodings and memory. HRANDFIELD's distinct-count cases are built here on
// the engine's sampling with repetition, following Redis's four cases so the reply sizes and
// membership match (the picks themselves are random in both).

import { globMatch, INT64_MAX, INT64_MIN, latin1, parseInt64, utf8 } from "../bytes.ts";
import {
  HASH_READ_FIELDS,
  HASH_READ_PAIRS,
  HASH_READ_VALUES,
  hashDelete,
  hashGet,
  hashLength,
  hashRandomPairs,
  hashReadAll,
  hashScan,
  hashSet,
} from "../engine/hash.ts";
import { OutOfMemoryError } from "../engine/mod.ts";
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from "../long_double.ts";
import { ERR_NOT_FLOAT, ERR_OVERFLOW, fail, wrongArity } from "../errors.ts";
import { int64Arg, randomCountArgs } from "./_args.ts";
import { replyScanPage, scanCursorArg, scanOptionsArg } from "./_scan.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { countRead, countReadOf } from "./_keyspace_stats.ts";

/** Random picks fetched from the engine per call (bounds the out buffer per call). */
const RANDOM_BATCH_MAX = 4096;
/** A negative HRANDFIELD count beyond this cannot be replied to within engine limits. */
const RANDOM_PICKS_MAX = 0x7fffffff;
/** Redis's HRANDFIELD case 3 threshold: above size / 3 it copies and removes, not samples. */
const RANDOM_SUB_STRATEGY_MUL = 3;

/**
 * Counts the read lookup of argv[1] (Redis's lookupKeyRead: a hit when the hash exists, even if
 * the field does not). A field found proves the key; otherwise the engine is asked once more.
 */
function countLookup(ctx: CommandContext, fieldFound: boolean): void {
  if (fieldFound) countRead(ctx.server, true);
  else countReadOf(ctx, ctx.argv[1]);
}

/** The parts the engine stages: key first, then the arguments from argv[2]. */
function keyAndArgs(argv: Uint8Array[]): Uint8Array[] {
  return argv.slice(1);
}

// --- writes ---

/** HSET key field value [field value …] — fields added. HMSET: the same, replying +OK. */
function hsetGeneric(ctx: CommandContext, name: "hset" | "hmset"): void {
  const { argv, server, client } = ctx;
  if (argv.length % 2 === 1) throw wrongArity(name);
  const added = hashSet(server.engine, client.db, keyAndArgs(argv), false, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  if (name === "hset") ctx.out.integer(added);
  else ctx.out.simple("OK");
}

/** HSETNX key field value — 1 set, 0 the field existed (nothing converted then). */
function hsetnxCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const set = hashSet(server.engine, client.db, keyAndArgs(argv), true, ctx.nowMs);
  if (set === 1) server.keyModified(client.db, argv[1]);
  ctx.out.integer(set);
}

/** HDEL key field [field …] — fields removed; an emptied hash is deleted. */
function hdelCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const removed = hashDelete(server.engine, client.db, keyAndArgs(argv), ctx.nowMs);
  if (removed > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(removed);
}

/**
 * HINCRBY key field increment — the new value. Errors: the increment is not an integer; the
 * stored value is not one ("hash value is not an integer"); the sum leaves int64.
 */
function hincrbyCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const increment = int64Arg(argv[3]);
  const view = hashGet(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  let current = 0n;
  if (view !== null) {
    const parsed = parseInt64(view);
    if (parsed === null) fail("ERR hash value is not an integer");
    current = parsed;
  }
  const next = current + increment;
  if (next > INT64_MAX || next < INT64_MIN) fail(ERR_OVERFLOW);
  hashSet(server.engine, client.db, [argv[1], argv[2], utf8(next.toString())], false, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.out.integer(next);
}

/**
 * HINCRBYFLOAT key field increment — the new value as text, computed in long double as Redis
 * does and propagated as HSET of that text (replicas must not redo float math).
 */
function hincrbyfloatCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const increment = parseLongDouble(latin1(argv[3]));
  if (increment === null) fail(ERR_NOT_FLOAT);
  if (increment.infinite) fail("ERR value is NaN or Infinity");
  const view = hashGet(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  let current = parseLongDouble("0")!;
  if (view !== null) {
    const parsed = parseLongDouble(latin1(view));
    if (parsed === null) fail("ERR hash value is not a float");
    current = parsed;
  }
  const next = addLongDouble(current, increment);
  if (next.infinite) fail("ERR increment would produce NaN or Infinity");
  const text = utf8(formatLongDoubleHuman(next));
  hashSet(server.engine, client.db, [argv[1], argv[2], text], false, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.propagateAs = [["HSET", argv[1], argv[2], text]];
  ctx.out.bulk(text);
}

// --- single-field reads ---

function hgetCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const value = hashGet(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  countLookup(ctx, value !== null);
  if (value === null) ctx.out.nullBulk();
  else ctx.out.bulk(value);
}

/** HMGET key field [field …] — one bulk or nil per field; WRONGTYPE before any output. */
function hmgetCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const values: (Uint8Array | null)[] = [];
  for (let i = 2; i < argv.length; i++) {
    const view = hashGet(server.engine, client.db, argv[1], argv[i], ctx.nowMs);
    values.push(view === null ? null : view.slice());
  }
  countLookup(ctx, values.some((value) => value !== null));
  out.arrayHeader(values.length);
  for (const value of values) {
    if (value === null) out.nullBulk();
    else out.bulk(value);
  }
}

function hexistsCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const value = hashGet(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  countLookup(ctx, value !== null);
  ctx.out.integer(value === null ? 0 : 1);
}

function hstrlenCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const value = hashGet(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  countLookup(ctx, value !== null);
  ctx.out.integer(value === null ? 0 : value.length);
}

function hlenCommand(ctx: CommandContext): void {
  const length = hashLength(ctx.server.engine, ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, length > 0); // a hash that exists is never empty
  ctx.out.integer(length);
}

// --- whole-hash reads ---

/** HKEYS / HVALS: an array; HGETALL: a map (RESP3) or flat array (RESP2). */
function readAllCommand(ctx: CommandContext, what: number): void {
  const read = hashReadAll(ctx.server.engine, ctx.client.db, ctx.argv[1], what, ctx.nowMs);
  countRead(ctx.server, read !== null);
  const items = read ?? [];
  if (what === HASH_READ_PAIRS) ctx.out.mapHeader(items.length / 2);
  else ctx.out.arrayHeader(items.length);
  for (const item of items) ctx.out.bulk(item);
}

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count] — [next cursor, [field, value, …]]. As in
 * Redis: the cursor is checked first, a missing key replies an empty scan before the options
 * are read, MATCH filters after COUNT gathered, a listpack hash comes back whole.
 */
function hscanCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const cursor = scanCursorArg(argv[2]);
  const length = hashLength(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, length > 0);
  if (length === 0) return replyScanPage(out, 0, 0);
  const { count, pattern } = scanOptionsArg(argv, 3, false);
  const step = hashScan(server.engine, client.db, argv[1], cursor, count, ctx.nowMs)!;
  const kept: Uint8Array[] = [];
  for (let i = 0; i < step.pairs.length; i += 2) {
    if (pattern !== null && !globMatch(pattern, step.pairs[i])) continue;
    kept.push(step.pairs[i], step.pairs[i + 1]);
  }
  replyScanPage(out, step.cursor, kept.length);
  for (const item of kept) out.bulk(item);
}

// --- HRANDFIELD ---

/**
 * HRANDFIELD key [count [WITHVALUES]]. Without count: one random field or nil. With count:
 * negative → |count| picks with repetition; count ≥ size → the whole hash; otherwise count
 * distinct fields. WITHVALUES pairs are flat in RESP2 and [field, value] arrays in RESP3.
 */
function hrandfieldCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  if (argv.length === 2) {
    const picked = hashRandomPairs(server.engine, client.db, argv[1], 1, ctx.nowMs);
    countRead(server, picked !== null);
    if (picked === null) ctx.out.nullBulk();
    else ctx.out.bulk(picked[0]);
    return;
  }
  const { count, withPairs: withValues } = randomCountArgs(argv, "withvalues");
  const size = hashLength(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, size > 0);
  if (size === 0 || count === 0n) return ctx.out.arrayHeader(0);
  let pairs: Uint8Array[];
  if (count < 0n) {
    if (-count > BigInt(RANDOM_PICKS_MAX)) throw new OutOfMemoryError();
    pairs = randomPicks(ctx, Number(-count));
  } else if (count >= BigInt(size)) {
    pairs = hashReadAll(server.engine, client.db, argv[1], HASH_READ_PAIRS, ctx.nowMs)!;
  } else {
    pairs = distinctPicks(ctx, Number(count), size);
  }
  writeRandomPairs(ctx, pairs, withValues);
}

/** pickCount random pairs with repetition, fetched in bounded batches. */
function randomPicks(ctx: CommandContext, pickCount: number): Uint8Array[] {
  const pairs: Uint8Array[] = [];
  for (let left = pickCount; left > 0;) {
    const batch = Math.min(left, RANDOM_BATCH_MAX);
    const picked = hashRandomPairs(ctx.server.engine, ctx.client.db, ctx.argv[1], batch, ctx.nowMs);
    for (const item of picked!) pairs.push(item);
    left -= batch;
  }
  return pairs;
}

/**
 * `count` distinct pairs, 0 < count < size: Redis's case 3 (count near size: take all, drop
 * random ones) and case 4 (sample until enough distinct fields).
 */
function distinctPicks(ctx: CommandContext, count: number, size: number): Uint8Array[] {
  const { server, client, argv } = ctx;
  if (count * RANDOM_SUB_STRATEGY_MUL > size) {
    const all = hashReadAll(server.engine, client.db, argv[1], HASH_READ_PAIRS, ctx.nowMs)!;
    const indexes = Array.from({ length: all.length / 2 }, (_, i) => i);
    for (let remaining = indexes.length; remaining > count; remaining--) {
      const drop = Math.floor(Math.random() * remaining);
      indexes[drop] = indexes[remaining - 1];
    }
    indexes.length = count;
    return indexes.flatMap((i) => [all[2 * i], all[2 * i + 1]]);
  }
  const chosen = new Map<string, Uint8Array[]>();
  while (chosen.size < count) {
    const batch = Math.min(count - chosen.size, RANDOM_BATCH_MAX);
    const picked = hashRandomPairs(server.engine, client.db, argv[1], batch, ctx.nowMs)!;
    for (let i = 0; i < picked.length && chosen.size < count; i += 2) {
      const tag = latin1(picked[i]);
      if (!chosen.has(tag)) chosen.set(tag, [picked[i], picked[i + 1]]);
    }
  }
  return [...chosen.values()].flat();
}

function writeRandomPairs(ctx: CommandContext, pairs: Uint8Array[], withValues: boolean): void {
  const { out } = ctx;
  const pairCount = pairs.length / 2;
  if (!withValues) {
    out.arrayHeader(pairCount);
    for (let i = 0; i < pairs.length; i += 2) out.bulk(pairs[i]);
    return;
  }
  const nested = out.protocol === 3;
  out.arrayHeader(nested ? pairCount : pairs.length);
  for (let i = 0; i < pairs.length; i += 2) {
    if (nested) out.arrayHeader(2);
    out.bulk(pairs[i]);
    out.bulk(pairs[i + 1]);
  }
}

// --- table ---

const W = ["write", "denyoom", "fast"];
const R_FAST = ["readonly", "fast"];
const WRITE_CATEGORIES = ["write", "hash", "fast"];
const READ_FAST_CATEGORIES = ["read", "hash", "fast"];
const READ_SLOW_CATEGORIES = ["read", "hash", "slow"];

export const HASH_COMMANDS: CommandDefinition[] = [
  {
    name: "hset",
    arity: -4,
    flags: W,
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Creates or modifies the value of a field in a hash.",
    since: "2.0.0",
    complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs.",
    handler: (ctx) => hsetGeneric(ctx, "hset"),
  },
  {
    name: "hsetnx",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Sets the value of a field in a hash only when the field doesn't exist.",
    since: "2.0.0",
    handler: hsetnxCommand,
  },
  {
    name: "hmset",
    arity: -4,
    flags: W,
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Sets the values of multiple fields.",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being set.",
    handler: (ctx) => hsetGeneric(ctx, "hmset"),
  },
  {
    name: "hget",
    arity: 3,
    flags: R_FAST,
    keys: [1, 1, 1],
    categories: READ_FAST_CATEGORIES,
    group: "hash",
    summary: "Returns the value of a field in a hash.",
    since: "2.0.0",
    handler: hgetCommand,
  },
  {
    name: "hmget",
    arity: -3,
    flags: R_FAST,
    keys: [1, 1, 1],
    categories: READ_FAST_CATEGORIES,
    group: "hash",
    summary: "Returns the values of all fields in a hash.",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields being requested.",
    handler: hmgetCommand,
  },
  {
    name: "hdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Deletes one or more fields and their values from a hash. Deletes the hash if no " +
      "fields remain.",
    since: "2.0.0",
    complexity: "O(N) where N is the number of fields to be removed.",
    handler: hdelCommand,
  },
  {
    name: "hexists",
    arity: 3,
    flags: R_FAST,
    keys: [1, 1, 1],
    categories: READ_FAST_CATEGORIES,
    group: "hash",
    summary: "Determines whether a field exists in a hash.",
    since: "2.0.0",
    handler: hexistsCommand,
  },
  {
    name: "hlen",
    arity: 2,
    flags: R_FAST,
    keys: [1, 1, 1],
    categories: READ_FAST_CATEGORIES,
    group: "hash",
    summary: "Returns the number of fields in a hash.",
    since: "2.0.0",
    handler: hlenCommand,
  },
  {
    name: "hstrlen",
    arity: 3,
    flags: R_FAST,
    keys: [1, 1, 1],
    categories: READ_FAST_CATEGORIES,
    group: "hash",
    summary: "Returns the length of the value of a field.",
    since: "3.2.0",
    handler: hstrlenCommand,
  },
  {
    name: "hkeys",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW_CATEGORIES,
    group: "hash",
    summary: "Returns all fields in a hash.",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx) => readAllCommand(ctx, HASH_READ_FIELDS),
  },
  {
    name: "hvals",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW_CATEGORIES,
    group: "hash",
    summary: "Returns all values in a hash.",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx) => readAllCommand(ctx, HASH_READ_VALUES),
  },
  {
    name: "hgetall",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW_CATEGORIES,
    group: "hash",
    summary: "Returns all fields and values in a hash.",
    since: "2.0.0",
    complexity: "O(N) where N is the size of the hash.",
    handler: (ctx) => readAllCommand(ctx, HASH_READ_PAIRS),
  },
  {
    name: "hincrby",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Increments the integer value of a field in a hash by a number. Uses 0 as initial " +
      "value if the field doesn't exist.",
    since: "2.0.0",
    handler: hincrbyCommand,
  },
  {
    name: "hincrbyfloat",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "hash",
    summary: "Increments the floating point value of a field by a number. Uses 0 as initial " +
      "value if the field doesn't exist.",
    since: "2.6.0",
    handler: hincrbyfloatCommand,
  },
  {
    name: "hrandfield",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW_CATEGORIES,
    group: "hash",
    summary: "Returns one or more random fields from a hash.",
    since: "6.2.0",
    complexity: "O(N) where N is the number of fields returned",
    handler: hrandfieldCommand,
  },
  {
    name: "hscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW_CATEGORIES,
    group: "hash",
    summary: "Iterates over fields and values of a hash.",
    since: "2.8.0",
    complexity: "O(1) for every call. O(N) for a complete iteration, including enough command " +
      "calls for the cursor to return back to 0. N is the number of elements inside the " +
      "collection.",
    handler: hscanCommand,
  },
];
