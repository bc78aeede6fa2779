// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST, with Redis 7.0's replies
// and Redis 7.0's bytes. A HyperLogLog is a plain string value in Redis's own layout (the codec
// is core/hll/), because a replica, an RDB file and DUMP carry those bytes as they are: a write
// here must leave exactly the bytes redis-server leaves, PFCOUNT's cached cardinality included.
//
// Each handler reads the value as a view into engine memory, decides from the view alone
// whether anything changes, and only then copies it into the shared HllDraft, changes it there
// and stores it back with one engine set (TTL kept, raw encoding). So a PFADD that raises no
// register and a PFCOUNT answered from the cache copy nothing. A dense value is 12304 bytes;
// changing it costs a copy in and a copy back, not a re-encoding.
//
// What Redis does about changes, mirrored:
// - PFADD counts one change per raised register (dirty), PFMERGE one; both signal the key.
// - PFCOUNT is a read-only command, yet a single-key PFCOUNT with a stale cache writes the
//   cardinality back into the value, signals the key and propagates itself, so a replica and
//   the AOF cache the same number (spec.ts declares its key as written for the same reason).
// - PFDEBUG GETREG / TODENSE on a sparse value convert it to dense and propagate. Redis only
//   bumps dirty there; we also signal the key (WATCH sees it), the one deliberate difference.

import { isWord, latin1 } from "../bytes.ts";
import { ENCODING_HINT_RAW, SET_ENCODING_RAW, SET_KEEPTTL, WrongTypeError } from "../engine/mod.ts";
import { fail } from "../errors.ts";
import {
  cachedCardinality,
  denseRegister,
  estimateCardinality,
  HEADER_SIZE_BYTES,
  HllDraft,
  HllEncoding,
  hllEncoding,
  hllPattern,
  hllSelfTest,
  isCardinalityCached,
  isHllValue,
  isSparseVal,
  isSparseXzero,
  isSparseZero,
  mergeRegisters,
  newHistogram,
  patternCount,
  patternIndex,
  REGISTER_COUNT,
  registersHistogram,
  RegisterUpdate,
  sparseRegister,
  sparseValRun,
  sparseValValue,
  sparseXzeroRun,
  sparseZeroRun,
  valueHistogram,
} from "../hll/mod.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** Redis's reply to a string that is not a HyperLogLog (isHLLObjectOrReply). */
const ERR_NOT_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/** Redis's reply to a sparse value whose opcodes do not describe 16384 registers. */
const ERR_CORRUPTED_HLL = "INVALIDOBJ Corrupted HLL object detected";

/**
 * Strings up to this length Redis may hold as embstr (OBJ_ENCODING_EMBSTR_SIZE_LIMIT); Redis
 * makes a HyperLogLog raw before touching it, which OBJECT ENCODING shows only for these.
 */
const EMBSTR_LEN_MAX = 44;

/** The value being changed; commands run one at a time, so one draft serves them all. */
const draft = new HllDraft();
/** The union PFCOUNT and PFMERGE build: one byte per register. */
const unionRegisters = new Uint8Array(REGISTER_COUNT);
const histogram = newHistogram();

function sparseMaxBytes(ctx: CommandContext): number {
  return ctx.server.config.getNumber("hll-sparse-max-bytes");
}

/**
 * The HyperLogLog at `key` as a view (valid until the next engine call), or null if missing.
 * `countLookup` counts a keyspace hit or miss, as Redis's lookupKeyRead does (its writes'
 * lookups count nothing). A string that is no HyperLogLog is a WRONGTYPE error.
 */
function lookupHll(ctx: CommandContext, key: Uint8Array, countLookup: boolean): Uint8Array | null {
  const { server } = ctx;
  let value: Uint8Array | null;
  try {
    value = server.engine.getString(ctx.client.db, key, ctx.nowMs);
  } catch (error) {
    if (countLookup && error instanceof WrongTypeError) server.stats.keyspaceHits++;
    throw error;
  }
  if (countLookup) {
    if (value === null) server.stats.keyspaceMisses++;
    else server.stats.keyspaceHits++;
  }
  if (value !== null && !isHllValue(value)) fail(ERR_NOT_HLL);
  return value;
}

/**
 * Redis unshares a HyperLogLog into a raw string before any PF command reads or changes it
 * (dbUnshareStringValue), which OBJECT ENCODING then reports; a short value another command
 * stored gets the same hint here. `value` may be a view: it is copied before the engine runs.
 */
function keepRaw(ctx: CommandContext, key: Uint8Array, value: Uint8Array): void {
  const { engine } = ctx.server;
  if (value.length > EMBSTR_LEN_MAX) return; // reported raw whatever its hint
  const copy = value.slice();
  if (engine.encodingHint(ctx.client.db, key, ctx.nowMs) & ENCODING_HINT_RAW) return;
  engine.set(ctx.client.db, key, copy, 0, SET_KEEPTTL | SET_ENCODING_RAW, ctx.nowMs);
}

/** Stores the draft at `key` in place of its value (TTL kept), as a raw string. */
function storeDraft(ctx: CommandContext, key: Uint8Array): void {
  ctx.server.engine.set(
    ctx.client.db,
    key,
    draft.value,
    0,
    SET_KEEPTTL | SET_ENCODING_RAW,
    ctx.nowMs,
  );
}

// --- PFADD ---

/**
 * The first of argv[start..] that would raise a register of `value`, or argv.length when none
 * would. An element that finds no opcode in a sparse value counts as raising: adding it
 * reports the corruption.
 */
function firstRaisingElement(value: Uint8Array, argv: Uint8Array[], start: number): number {
  const dense = hllEncoding(value) === HllEncoding.Dense;
  for (let i = start; i < argv.length; i++) {
    const pattern = hllPattern(argv[i]);
    const index = patternIndex(pattern);
    const current = dense ? denseRegister(value, index) : sparseRegister(value, index);
    if (current < patternCount(pattern)) return i;
  }
  return argv.length;
}

/**
 * PFADD key [element …] — :1 when a register was raised or the key created, else :0. Cost:
 * one hash and one register read per element; a value is copied (at most 12304 bytes) and
 * stored back only when a register rises. Sparse values are searched linearly, bounded by
 * hll-sparse-max-bytes (3000 by default).
 */
function pfaddCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const key = argv[1];
  const maxBytes = sparseMaxBytes(ctx);
  const stored = lookupHll(ctx, key, false);
  let start = 2;
  let raisedCount = 0;
  if (stored === null) {
    draft.loadEmpty();
    raisedCount = 1; // creating the key is a change, as in Redis
  } else {
    start = firstRaisingElement(stored, argv, start);
    if (start === argv.length) {
      keepRaw(ctx, key, stored);
      return ctx.out.integer(0);
    }
    draft.load(stored);
  }
  for (let i = start; i < argv.length; i++) {
    const update = draft.add(hllPattern(argv[i]), maxBytes);
    if (update === RegisterUpdate.Corrupted) {
      // Redis changed the value in place up to here and keeps it so, signalling nothing.
      if (raisedCount > 0) storeDraft(ctx, key);
      else keepRaw(ctx, key, draft.value);
      fail(ERR_CORRUPTED_HLL);
    }
    if (update === RegisterUpdate.Raised) raisedCount++;
  }
  draft.markStale();
  storeDraft(ctx, key);
  server.keyModified(client.db, key);
  // Redis counts a change per raised register (save points and INFO count them so).
  server.dirty += raisedCount - 1;
  ctx.out.integer(1);
}

// --- PFCOUNT ---

/**
 * PFCOUNT key [key …] — the estimated cardinality of one HyperLogLog (from its cache when
 * fresh, else computed over the 16384 registers and cached in the value), or of the union of
 * several (computed, nothing written). A missing key counts as empty.
 */
function pfcountCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  if (argv.length > 2) return pfcountUnion(ctx);
  const key = argv[1];
  const stored = lookupHll(ctx, key, true);
  if (stored === null) return ctx.out.integer(0);
  if (isCardinalityCached(stored)) {
    const cardinality = cachedCardinality(stored);
    keepRaw(ctx, key, stored);
    return ctx.out.integer(cardinality);
  }
  if (!valueHistogram(stored, histogram)) {
    keepRaw(ctx, key, stored);
    fail(ERR_CORRUPTED_HLL);
  }
  const cardinality = estimateCardinality(histogram);
  draft.load(stored);
  draft.cacheCardinality(cardinality);
  storeDraft(ctx, key);
  server.keyModified(client.db, key);
  // Read-only, but it changed the value: replicas and the AOF run it too, as from Redis.
  ctx.propagateAs = [argv];
  ctx.out.integer(cardinality);
}

function pfcountUnion(ctx: CommandContext): void {
  const { argv } = ctx;
  unionRegisters.fill(0);
  for (let i = 1; i < argv.length; i++) {
    const stored = lookupHll(ctx, argv[i], true);
    if (stored === null) continue;
    const dense = hllEncoding(stored) === HllEncoding.Dense;
    if (!mergeRegisters(unionRegisters, stored, dense)) fail(ERR_CORRUPTED_HLL);
  }
  registersHistogram(unionRegisters, histogram);
  ctx.out.integer(estimateCardinality(histogram));
}

// --- PFMERGE ---

/**
 * PFMERGE destkey [sourcekey …] — +OK. The destination (created when missing) becomes the
 * union of itself and the sources. As Redis 7.0: it turns dense when any input is dense, else
 * stays sparse and takes the union register by register (so it may still be promoted by size).
 */
function pfmergeCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const key = argv[1];
  unionRegisters.fill(0);
  let anyDense = false;
  for (let i = 1; i < argv.length; i++) {
    const stored = lookupHll(ctx, argv[i], true);
    if (stored === null) continue;
    const dense = hllEncoding(stored) === HllEncoding.Dense;
    if (dense) anyDense = true;
    if (!mergeRegisters(unionRegisters, stored, dense)) fail(ERR_CORRUPTED_HLL);
  }
  // The destination was argv[1] above: present means a valid HyperLogLog.
  const destination = server.engine.getString(client.db, key, ctx.nowMs);
  if (destination === null) draft.loadEmpty();
  else draft.load(destination);
  if (anyDense && !draft.toDense()) fail(ERR_CORRUPTED_HLL);
  draft.raiseAll(unionRegisters, sparseMaxBytes(ctx));
  draft.markStale();
  storeDraft(ctx, key);
  server.keyModified(client.db, key);
  ctx.out.simple("OK");
}

// --- PFDEBUG and PFSELFTEST ---

/**
 * PFDEBUG GETREG|DECODE|ENCODING|TODENSE key — Redis's HyperLogLog debugging: the 16384
 * registers (a sparse value is converted to dense first, and stays so), the sparse opcodes as
 * text (`Z:n` XZERO, `z:n` ZERO, `v:value,run` VAL), the encoding, or a conversion to dense
 * (:1 converted, :0 already dense). The key is checked before the subcommand, as in Redis.
 */
function pfdebugCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  const key = argv[2];
  const stored = lookupHll(ctx, key, false);
  if (stored === null) fail("ERR The specified key does not exist");
  draft.load(stored);
  keepRaw(ctx, key, draft.value);
  const subcommand = argv[1];
  if (isWord(subcommand, "getreg")) {
    if (draft.encoding === HllEncoding.Sparse) convertToDense(ctx, key);
    const value = draft.value;
    ctx.out.arrayHeader(REGISTER_COUNT);
    for (let index = 0; index < REGISTER_COUNT; index++) {
      ctx.out.integer(denseRegister(value, index));
    }
  } else if (isWord(subcommand, "decode")) {
    if (draft.encoding !== HllEncoding.Sparse) fail("ERR HLL encoding is not sparse");
    ctx.out.bulkString(decodeSparse(draft.value));
  } else if (isWord(subcommand, "encoding")) {
    ctx.out.simple(draft.encoding === HllEncoding.Dense ? "dense" : "sparse");
  } else if (isWord(subcommand, "todense")) {
    const converted = draft.encoding === HllEncoding.Sparse;
    if (converted) convertToDense(ctx, key);
    ctx.out.integer(converted ? 1 : 0);
  } else {
    fail(`ERR Unknown PFDEBUG subcommand '${latin1(subcommand)}'`);
  }
}

/** Converts the draft (a copy of `key`'s sparse value) to dense and stores it. */
function convertToDense(ctx: CommandContext, key: Uint8Array): void {
  if (!draft.toDense()) fail(ERR_CORRUPTED_HLL);
  storeDraft(ctx, key);
  ctx.server.keyModified(ctx.client.db, key);
}

/** The sparse opcodes as PFDEBUG DECODE writes them, space separated. */
function decodeSparse(value: Uint8Array): string {
  const words: string[] = [];
  let cursor = HEADER_SIZE_BYTES;
  while (cursor < value.length) {
    const op = value[cursor];
    if (isSparseZero(op)) {
      words.push(`z:${sparseZeroRun(op)}`);
      cursor++;
    } else if (isSparseXzero(op)) {
      words.push(`Z:${sparseXzeroRun(op, value[cursor + 1] | 0)}`);
      cursor += 2;
    } else if (isSparseVal(op)) {
      words.push(`v:${sparseValValue(op)},${sparseValRun(op)}`);
      cursor++;
    }
  }
  return words.join(" ");
}

/** PFSELFTEST — +OK, or the first failed check as `ERR TESTFAILED …` (core/hll/selftest.ts). */
function pfselftestCommand(ctx: CommandContext): void {
  const problem = hllSelfTest(sparseMaxBytes(ctx));
  if (problem !== null) fail(`ERR ${problem}`);
  ctx.out.simple("OK");
}

// --- table ---

export const HYPERLOGLOG_COMMANDS: CommandDefinition[] = [
  {
    name: "pfadd",
    arity: -2,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [{ flags: ["RW", "insert"], beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0 }],
    categories: ["write", "hyperloglog", "fast"],
    group: "hyperloglog",
    summary: "Adds the specified elements to the specified HyperLogLog.",
    since: "2.8.9",
    complexity: "O(1) to add every element.",
    handler: pfaddCommand,
  },
  {
    name: "pfcount",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    keySpecs: [{
      notes:
        "RW because it may change the internal representation of the key, and propagate to replicas",
      flags: ["RW", "access"],
      beginIndex: 1,
      lastKey: -1,
      keyStep: 1,
      limit: 0,
    }],
    categories: ["read", "hyperloglog", "slow"],
    group: "hyperloglog",
    summary:
      "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).",
    since: "2.8.9",
    complexity:
      "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys.",
    handler: pfcountCommand,
  },
  {
    name: "pfmerge",
    arity: -2,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    keySpecs: [
      { flags: ["RW", "access", "insert"], beginIndex: 1, lastKey: 0, keyStep: 1, limit: 0 },
      { flags: ["RO", "access"], beginIndex: 2, lastKey: -1, keyStep: 1, limit: 0 },
    ],
    categories: ["write", "hyperloglog", "slow"],
    group: "hyperloglog",
    summary: "Merge N different HyperLogLogs into a single one.",
    since: "2.8.9",
    complexity: "O(N) to merge N HyperLogLogs, but with high constant times.",
    handler: pfmergeCommand,
  },
  {
    name: "pfdebug",
    arity: 3,
    flags: ["write", "denyoom", "admin"],
    keys: [2, 2, 1],
    keySpecs: [{ flags: ["RW", "access"], beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0 }],
    categories: ["write", "hyperloglog", "admin", "slow", "dangerous"],
    group: "hyperloglog",
    summary: "Internal commands for debugging HyperLogLog values",
    since: "2.8.9",
    complexity: "N/A",
    handler: pfdebugCommand,
  },
  {
    name: "pfselftest",
    arity: 1,
    flags: ["admin"],
    categories: ["hyperloglog", "admin", "slow", "dangerous"],
    group: "hyperloglog",
    summary: "An internal command for testing HyperLogLog values",
    since: "2.8.9",
    complexity: "N/A",
    handler: pfselftestCommand,
  },
];
