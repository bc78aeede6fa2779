// Sorted set commands and their table. Handlers parse and validate in Redis 7.0's order (so the
// first error a client sees is the one redis-server gives), then make one engine call through
// core/engine/zset.ts and shape the reply for RESP2 or RESP3; scores go out with %.17g
// (ctx.out.double), except in ZSCAN, where Redis sends them as strings. Beside this file:
// zset_args.ts reads scores and ranges as Redis's strtod-based parsers do, zset_reply.ts writes
// elements out (as a reply, or stored), and zset_setops.ts holds ZUNION, ZINTER, ZDIFF (and
// their STORE forms) and ZINTERCARD, which combine whole inputs rather than ask the engine.

import type { Config } from "../config/table.ts";
import { globMatch, INT64_MAX, isWord } from "../bytes.ts";
import { formatDoubleG17 } from "../doubles.ts";
import { ValueType, WrongTypeError } from "../engine/mod.ts";
import {
  RANGE_REV,
  RANGE_WITHSCORES,
  ZADD_CH,
  ZADD_GT,
  ZADD_INCR,
  ZADD_LT,
  ZADD_NX,
  ZADD_RESULT_NAN,
  ZADD_XX,
  zsetAdd,
  zsetCard,
  type ZsetElements,
  zsetPop,
  zsetRandom,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
  zsetRank,
  zsetRemove,
  zsetResultChanged,
  zsetResultScore,
  zsetScan,
  zsetScores,
} from "../engine/zset.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import {
  blockTimeoutMsArg,
  ERR_NOT_POSITIVE,
  int64Arg,
  int64RangeArg,
  multiPopArgs,
  randomCountArgs,
} from "./_args.ts";
import { replyScanPage, scanCursorArg, scanOptionsArg } from "./_scan.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { countRead, countReadOf } from "./_keyspace_stats.ts";
import { rangeSpecArg, scoreArg } from "./zset_args.ts";
import { replyElements, ScoreLayout, storeElements, withScoresLayout } from "./zset_reply.ts";
import { SetOp, SetOpOutput, zsetOpGeneric } from "./zset_setops.ts";

const ERR_NAN_SCORE = "ERR resulting score is not a number (NaN)";

/**
 * The most elements and longest member (bytes) a zset listpack holds: zset-max-listpack-entries
 * / -value, within the engine's bounds (1024, 64). A result within them is stored as a listpack,
 * which keeps scores as integers where it can, so a -0 score is stored as 0.
 */
function zsetListpackLimits(config: Config): { entriesMax: number; valueMaxBytes: number } {
  return {
    entriesMax: Math.min(config.getNumber("zset-max-listpack-entries"), 1024),
    valueMaxBytes: Math.min(config.getNumber("zset-max-listpack-value"), 64),
  };
}
/** Largest count the engine is asked for at once (a reply this long is not servable anyway). */
const ENGINE_COUNT_MAX = 0x7fffffff;

// ── ZADD, ZINCRBY, ZREM ─────────────────────────────────────────────────────────────────

/**
 * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
 * ZINCRBY key increment member (the same code with INCR, as in Redis: option words are
 * recognised here too, which turns `ZINCRBY k nx m` into a syntax error).
 * Replies: added (or changed with CH) count; with INCR the new score, or nil if prevented.
 */
function zaddGeneric(ctx: CommandContext, incrOnly: boolean): void {
  const { argv, server, client } = ctx;
  let flags = incrOnly ? ZADD_INCR : 0;
  let scoreIndex = 2;
  while (scoreIndex < argv.length) {
    const opt = argv[scoreIndex];
    if (isWord(opt, "nx")) flags |= ZADD_NX;
    else if (isWord(opt, "xx")) flags |= ZADD_XX;
    else if (isWord(opt, "ch")) flags |= ZADD_CH;
    else if (isWord(opt, "incr")) flags |= ZADD_INCR;
    else if (isWord(opt, "gt")) flags |= ZADD_GT;
    else if (isWord(opt, "lt")) flags |= ZADD_LT;
    else break;
    scoreIndex++;
  }
  const elementArgs = argv.length - scoreIndex;
  if (elementArgs === 0 || elementArgs % 2 !== 0) fail(ERR_SYNTAX);
  const pairCount = elementArgs / 2;
  if ((flags & ZADD_NX) && (flags & ZADD_XX)) {
    fail("ERR XX and NX options at the same time are not compatible");
  }
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const nx = (flags & ZADD_NX) !== 0;
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    fail("ERR GT, LT, and/or NX options at the same time are not compatible");
  }
  if ((flags & ZADD_INCR) && pairCount > 1) {
    fail("ERR INCR option supports a single increment-element pair");
  }
  const scores: number[] = new Array(pairCount);
  const members: Uint8Array[] = new Array(pairCount);
  for (let j = 0; j < pairCount; j++) {
    scores[j] = scoreArg(argv[scoreIndex + j * 2]);
    members[j] = argv[scoreIndex + j * 2 + 1];
  }
  const key = argv[1];
  const result = zsetAdd(server.engine, client.db, key, scores, members, flags, ctx.nowMs);
  if (result === ZADD_RESULT_NAN) fail(ERR_NAN_SCORE);
  if (zsetResultChanged(server.engine) > 0) server.keyModified(client.db, key);
  if (flags & ZADD_INCR) {
    if (result === 1) ctx.out.double(zsetResultScore(server.engine));
    else ctx.out.nullBulk();
  } else {
    ctx.out.integer(result);
  }
}

/** ZREM key member [member ...] → removed count. */
function zremCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const removed = zsetRemove(server.engine, client.db, argv[1], argv.slice(2), ctx.nowMs);
  if (removed > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(removed);
}

// ── Reads by member ─────────────────────────────────────────────────────────────────────

/** ZSCORE key member → score or nil. */
function zscoreCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const scores = zsetScores(server.engine, client.db, argv[1], [argv[2]], ctx.nowMs);
  countRead(server, scores !== null);
  const score = scores === null ? null : scores[0];
  if (score === null) ctx.out.nullBulk();
  else ctx.out.double(score);
}

/** ZMSCORE key member [member ...] → array of score or nil (a missing key: all nil). */
function zmscoreCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const members = argv.slice(2);
  const scores = zsetScores(server.engine, client.db, argv[1], members, ctx.nowMs);
  countRead(server, scores !== null);
  out.arrayHeader(members.length);
  for (let i = 0; i < members.length; i++) {
    const score = scores === null ? null : scores[i];
    if (score === null) out.nullBulk();
    else out.double(score);
  }
}

/** ZCARD key → count (0 when missing). */
function zcardCommand(ctx: CommandContext): void {
  const size = zsetCard(ctx.server.engine, ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, size > 0); // a sorted set that exists is never empty
  ctx.out.integer(size);
}

/** ZRANK / ZREVRANK key member → rank or nil. */
function zrankGeneric(ctx: CommandContext, reverse: boolean): void {
  const { argv, server, client } = ctx;
  const rank = zsetRank(server.engine, client.db, argv[1], argv[2], reverse, ctx.nowMs);
  if (rank !== null) countRead(server, true);
  else countReadOf(ctx, argv[1]);
  if (rank === null) ctx.out.nullBulk();
  else ctx.out.integer(rank);
}

// ── Counts and ranges ───────────────────────────────────────────────────────────────────

/** ZCOUNT key min max → elements with min ≤ score ≤ max; ZLEXCOUNT: in the lex range. */
function zcountGeneric(ctx: CommandContext, kind: ZsetRangeKind): void {
  const { argv, server, client } = ctx;
  const spec = rangeSpecArg(ZsetRangeOp.Count, kind, argv[2], argv[3], 0);
  const count = zsetRange(server.engine, client.db, argv[1], spec, ctx.nowMs);
  countRead(server, count !== null);
  ctx.out.integer(count === null ? 0 : count as number);
}

const enum Direction {
  Auto,
  Forward,
  Reverse,
}

/**
 * The ZRANGE family (Redis's zrangeGenericCommand):
 *   ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]
 *   ZREVRANGE key start stop [WITHSCORES]
 *   Z[REV]RANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count]
 *   Z[REV]RANGEBYLEX key min max [LIMIT offset count]
 *   ZRANGESTORE dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] (`store`)
 * `kind` null (ZRANGE, ZRANGESTORE): BYSCORE or BYLEX choose, else a rank range. Options
 * first (syntax errors), then the LIMIT/WITHSCORES conflicts, then the range arguments, then
 * the key. A missing key is an empty array (ZRANGESTORE: 0, dst deleted).
 */
function zrangeGeneric(
  ctx: CommandContext,
  kind: ZsetRangeKind | null,
  direction: Direction,
  store = false,
): void {
  const { argv, server, client } = ctx;
  const keyIndex = store ? 2 : 1;
  let minIndex = keyIndex + 1;
  let maxIndex = keyIndex + 2;
  let withScores = false;
  let offset = 0n;
  let limit = -1n;
  for (let j = keyIndex + 3; j < argv.length; j++) {
    const leftArgs = argv.length - j - 1;
    if (!store && isWord(argv[j], "withscores")) withScores = true;
    else if (isWord(argv[j], "limit") && leftArgs >= 2) {
      offset = int64Arg(argv[j + 1]);
      limit = int64Arg(argv[j + 2]);
      j += 2;
    } else if (direction === Direction.Auto && isWord(argv[j], "rev")) {
      direction = Direction.Reverse;
    } else if (kind === null && isWord(argv[j], "bylex")) {
      kind = ZsetRangeKind.Lex;
    } else if (kind === null && isWord(argv[j], "byscore")) {
      kind = ZsetRangeKind.Score;
    } else fail(ERR_SYNTAX);
  }
  if (direction === Direction.Auto) direction = Direction.Forward;
  if (kind === null) kind = ZsetRangeKind.Rank;
  if (limit !== -1n && kind === ZsetRangeKind.Rank) {
    fail("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withScores && kind === ZsetRangeKind.Lex) {
    fail("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const reverse = direction === Direction.Reverse;
  if (reverse && kind !== ZsetRangeKind.Rank) {
    const swap = minIndex;
    minIndex = maxIndex;
    maxIndex = swap;
  }
  const flags = (reverse ? RANGE_REV : 0) | (withScores || store ? RANGE_WITHSCORES : 0);
  const spec = rangeSpecArg(ZsetRangeOp.Emit, kind, argv[minIndex], argv[maxIndex], flags);
  if (kind !== ZsetRangeKind.Rank) {
    spec.offset = Number(offset);
    spec.limit = Number(limit);
  }
  const found = zsetRange(server.engine, client.db, argv[keyIndex], spec, ctx.nowMs);
  countRead(server, found !== null);
  const elements = found as ZsetElements | null;
  if (store) return storeRange(ctx, elements, kind === ZsetRangeKind.Rank, reverse);
  if (elements === null) return ctx.out.arrayHeader(0);
  replyElements(ctx.out, elements, withScoresLayout(ctx.out, withScores));
}

/**
 * ZRANGESTORE's write. Redis adds the range element by element to a new set that starts as a
 * listpack (unless a rank range already exceeds its limit) and converts at the first element
 * over a limit; scores added while it is a listpack lose the sign of zero, so that is
 * replayed here before the engine builds the final value.
 */
function storeRange(
  ctx: CommandContext,
  found: ZsetElements | null,
  byRank: boolean,
  reverse: boolean,
): void {
  const members = found?.members ?? [];
  const scores = found?.scores ?? [];
  const { entriesMax, valueMaxBytes } = zsetListpackLimits(ctx.server.config);
  let packed = !(byRank && members.length > entriesMax);
  for (let i = 0; i < members.length; i++) {
    if (packed && (i + 1 > entriesMax || members[i].length > valueMaxBytes)) {
      packed = false;
    }
    if (packed && scores[i] === 0) scores[i] = 0;
  }
  if (reverse) {
    members.reverse();
    scores.reverse();
  }
  storeElements(ctx, ctx.argv[1], members, scores);
}

/** ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key a b → removed count. */
function zremrangeGeneric(ctx: CommandContext, kind: ZsetRangeKind): void {
  const { argv, server, client } = ctx;
  const spec = rangeSpecArg(ZsetRangeOp.Delete, kind, argv[2], argv[3], 0);
  const removed = zsetRange(server.engine, client.db, argv[1], spec, ctx.nowMs);
  const count = removed === null ? 0 : removed as number;
  if (count > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(count);
}

// ── Pops ────────────────────────────────────────────────────────────────────────────────

/**
 * ZPOPMIN / ZPOPMAX key [count] → RESP2 a flat [member, score, …]; RESP3 with a count an
 * array of [member, score] pairs. A missing key is an empty array.
 */
function zpopGeneric(ctx: CommandContext, max: boolean): void {
  const { argv, server, client, out } = ctx;
  if (argv.length > 3) fail(ERR_SYNTAX);
  const withCount = argv.length === 3;
  const count = withCount ? int64RangeArg(argv[2], 0n, INT64_MAX, ERR_NOT_POSITIVE) : 1n;
  const countClamped = Math.min(Number(count), ENGINE_COUNT_MAX);
  const popped = zsetPop(server.engine, client.db, argv[1], countClamped, max, ctx.nowMs);
  if (popped === null) return out.arrayHeader(0);
  if (popped.members.length > 0) server.keyModified(client.db, argv[1]);
  const nested = withCount && out.protocol === 3;
  replyElements(out, popped, nested ? ScoreLayout.Nested : ScoreLayout.Flat);
}

/** What a pop from several keys (BZPOPMIN/MAX, ZMPOP, BZMPOP) asks for. */
interface MultiPop {
  keys: Uint8Array[];
  max: boolean;
  /** Elements to pop from the chosen key (1 for BZPOPMIN/MAX). */
  count: number;
  /** ZMPOP/BZMPOP: reply [key, [[member, score], …]]; else [key, member, score]. */
  nested: boolean;
}

/**
 * Pops from the first non-empty zset among pop.keys and writes the reply. With `strict` a key
 * of another type is an error (the command's own call); when serving a blocked client such
 * keys are skipped. A pop replicates as ZPOPMIN/ZPOPMAX (with the count popped for the M
 * forms), as Redis rewrites it. True when served.
 */
function multiPopServe(ctx: CommandContext, pop: MultiPop, strict: boolean): boolean {
  const { server, client, out } = ctx;
  for (const key of pop.keys) {
    let popped: ZsetElements | null;
    try {
      popped = zsetPop(server.engine, client.db, key, pop.count, pop.max, ctx.nowMs);
    } catch (error) {
      if (strict || !(error instanceof WrongTypeError)) throw error;
      continue;
    }
    if (popped === null || popped.members.length === 0) continue;
    server.keyModified(client.db, key);
    const name = pop.max ? "ZPOPMAX" : "ZPOPMIN";
    // The count replicated is what was popped (t_zset.c genericZpopCommand's result_count).
    const popCount = String(popped.members.length);
    ctx.propagateAs = [pop.nested ? [name, key, popCount] : [name, key]];
    if (pop.nested) {
      out.arrayHeader(2);
      out.bulk(key);
      replyElements(out, popped, ScoreLayout.Nested);
    } else {
      out.arrayHeader(3);
      out.bulk(key);
      out.bulk(popped.members[0]);
      out.double(popped.scores[0]);
    }
    return true;
  }
  return false;
}

/** Blocks until multiPopServe succeeds for a write to one of the keys, or times out (null). */
async function blockForPop(
  ctx: CommandContext,
  timeoutMs: number,
  readPop: () => MultiPop,
): Promise<void> {
  await ctx.server.blocking.block(
    ctx,
    readPop().keys,
    timeoutMs,
    () => {
      ctx.nowMs = Date.now();
      return multiPopServe(ctx, readPop(), false); // argv was replaced by copies: re-read
    },
    () => {
      ctx.propagateAs = []; // other clients' writes while waiting are not this command's
      ctx.out.nullArray();
    },
  );
}

/** BZPOPMIN / BZPOPMAX's keys: between the command name and the timeout. */
function bzpopArgs(ctx: CommandContext, max: boolean): MultiPop {
  return { keys: ctx.argv.slice(1, -1), max, count: 1, nested: false };
}

/**
 * BZPOPMIN / BZPOPMAX key [key ...] timeout → [key, member, score], or a null array after
 * the timeout. A served pop replicates as ZPOPMIN / ZPOPMAX of that key.
 */
async function bzpopGeneric(ctx: CommandContext, max: boolean): Promise<void> {
  const timeoutMs = blockTimeoutMsArg(ctx.argv[ctx.argv.length - 1]);
  if (multiPopServe(ctx, bzpopArgs(ctx, max), true)) return;
  await blockForPop(ctx, timeoutMs, () => bzpopArgs(ctx, max));
}

/** MIN → false, MAX → true; anything else is a syntax error. */
function minMaxArg(arg: Uint8Array): boolean {
  if (isWord(arg, "min")) return false;
  if (isWord(arg, "max")) return true;
  fail(ERR_SYNTAX);
}

/** ZMPOP / BZMPOP arguments from numkeysIndex: numkeys key [key ...] MIN|MAX [COUNT count]. */
function zmpopArgs(argv: Uint8Array[], numkeysIndex: number): MultiPop {
  const { keys, where: max, count } = multiPopArgs(argv, numkeysIndex, minMaxArg);
  return { keys, max, count: Math.min(Number(count), ENGINE_COUNT_MAX), nested: true };
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] → [key, [[member, score], …]] or null. */
function zmpopCommand(ctx: CommandContext): void {
  if (!multiPopServe(ctx, zmpopArgs(ctx.argv, 1), true)) ctx.out.nullArray();
}

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: ZMPOP that blocks. */
async function bzmpopCommand(ctx: CommandContext): Promise<void> {
  const pop = zmpopArgs(ctx.argv, 2);
  const timeoutMs = blockTimeoutMsArg(ctx.argv[1]);
  if (multiPopServe(ctx, pop, true)) return;
  await blockForPop(ctx, timeoutMs, () => zmpopArgs(ctx.argv, 2));
}

// ── ZRANDMEMBER ─────────────────────────────────────────────────────────────────────────

/** ZRANDMEMBER key [count [WITHSCORES]] */
function zrandmemberCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  if (argv.length < 3) {
    const picked = zsetRandom(server.engine, client.db, argv[1], 1, true, false, ctx.nowMs);
    if (picked === null) return out.nullBulk();
    return out.bulk(picked.members[0]);
  }
  const { count, withPairs: withScores } = randomCountArgs(argv, "withscores");
  const type = server.engine.typeOf(client.db, argv[1], ctx.nowMs);
  if (type < 0) return out.arrayHeader(0);
  if (type !== ValueType.Zset) throw new WrongTypeError();
  if (count === 0n) return out.arrayHeader(0);
  const repeats = count < 0n;
  const magnitude = Math.min(Number(repeats ? -count : count), ENGINE_COUNT_MAX);
  const picked = zsetRandom(
    server.engine,
    client.db,
    argv[1],
    magnitude,
    repeats,
    withScores,
    ctx.nowMs,
  );
  if (picked === null) return out.arrayHeader(0);
  replyElements(out, picked, withScoresLayout(out, withScores));
}

// ── ZSCAN ───────────────────────────────────────────────────────────────────────────────

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count] → [cursor, [member, score-as-string, …]]. The
 * key is looked at before the options: a missing one answers an empty page whatever follows.
 */
function zscanCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const cursor = scanCursorArg(argv[2]);
  const type = server.engine.typeOf(client.db, argv[1], ctx.nowMs);
  if (type < 0) return replyScanPage(out, 0, 0);
  if (type !== ValueType.Zset) throw new WrongTypeError();
  const { count, pattern } = scanOptionsArg(argv, 3, false);
  const page = zsetScan(server.engine, client.db, argv[1], cursor, count, ctx.nowMs);
  const members = page?.elements.members ?? [];
  const scores = page?.elements.scores ?? [];
  const kept: number[] = [];
  for (let i = 0; i < members.length; i++) {
    if (pattern === null || globMatch(pattern, members[i])) kept.push(i);
  }
  replyScanPage(out, page?.cursor ?? 0, kept.length * 2);
  for (const i of kept) {
    out.bulk(members[i]);
    out.bulkString(formatDoubleG17(scores[i]));
  }
}

// ── Command table ───────────────────────────────────────────────────────────────────────

const WRITE_FAST = ["write", "sortedset", "fast"];
const WRITE_SLOW = ["write", "sortedset", "slow"];
const READ_FAST = ["read", "sortedset", "fast"];
const READ_SLOW = ["read", "sortedset", "slow"];
const GROUP = "sorted-set";

export const ZSET_COMMANDS: CommandDefinition[] = [
  {
    name: "zadd",
    arity: -4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn't exist.",
    since: "1.2.0",
    complexity:
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
    handler: (ctx) => zaddGeneric(ctx, false),
  },
  {
    name: "zincrby",
    arity: 4,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary: "Increments the score of a member in a sorted set.",
    since: "1.2.0",
    complexity: "O(log(N)) where N is the number of elements in the sorted set.",
    handler: (ctx) => zaddGeneric(ctx, true),
  },
  {
    name: "zrem",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.",
    since: "1.2.0",
    complexity:
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.",
    handler: zremCommand,
  },
  {
    name: "zscore",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the score of a member in a sorted set.",
    since: "1.2.0",
    handler: zscoreCommand,
  },
  {
    name: "zmscore",
    arity: -3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the score of one or more members in a sorted set.",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members being requested.",
    handler: zmscoreCommand,
  },
  {
    name: "zcard",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the number of members in a sorted set.",
    since: "1.2.0",
    handler: zcardCommand,
  },
  {
    name: "zcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the count of members in a sorted set that have scores within a range.",
    since: "2.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => zcountGeneric(ctx, ZsetRangeKind.Score),
  },
  {
    name: "zlexcount",
    arity: 4,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the number of members in a sorted set within a lexicographical range.",
    since: "2.8.9",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => zcountGeneric(ctx, ZsetRangeKind.Lex),
  },
  {
    name: "zrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the index of a member in a sorted set ordered by ascending scores.",
    since: "2.0.0",
    complexity: "O(log(N))",
    handler: (ctx) => zrankGeneric(ctx, false),
  },
  {
    name: "zrevrank",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: READ_FAST,
    group: GROUP,
    summary: "Returns the index of a member in a sorted set ordered by descending scores.",
    since: "2.0.0",
    complexity: "O(log(N))",
    handler: (ctx) => zrankGeneric(ctx, true),
  },
  {
    name: "zrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of indexes.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler: (ctx) => zrangeGeneric(ctx, null, Direction.Auto),
  },
  {
    name: "zrevrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of indexes in reverse order.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.",
    handler: (ctx) => zrangeGeneric(ctx, ZsetRangeKind.Rank, Direction.Reverse),
  },
  {
    name: "zrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of scores.",
    since: "1.0.5",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, ZsetRangeKind.Score, Direction.Forward),
  },
  {
    name: "zrevrangebyscore",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a range of scores in reverse order.",
    since: "2.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, ZsetRangeKind.Score, Direction.Reverse),
  },
  {
    name: "zrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a lexicographical range.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, ZsetRangeKind.Lex, Direction.Forward),
  },
  {
    name: "zrevrangebylex",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns members in a sorted set within a lexicographical range in reverse order.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned.",
    handler: (ctx) => zrangeGeneric(ctx, ZsetRangeKind.Lex, Direction.Reverse),
  },
  {
    name: "zremrangebyrank",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.",
    since: "2.0.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Rank),
  },
  {
    name: "zremrangebyscore",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.",
    since: "1.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Score),
  },
  {
    name: "zremrangebylex",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.",
    since: "2.8.9",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.",
    handler: (ctx) => zremrangeGeneric(ctx, ZsetRangeKind.Lex),
  },
  {
    name: "zpopmin",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx) => zpopGeneric(ctx, false),
  },
  {
    name: "zpopmax",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: WRITE_FAST,
    group: GROUP,
    summary:
      "Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.",
    since: "5.0.0",
    complexity:
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: (ctx) => zpopGeneric(ctx, true),
  },
  {
    name: "bzpopmin",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: [1, -2, 1],
    categories: ["write", "sortedset", "fast", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => bzpopGeneric(ctx, false),
  },
  {
    name: "bzpopmax",
    arity: -3,
    flags: ["write", "noscript", "blocking", "fast"],
    keys: [1, -2, 1],
    categories: ["write", "sortedset", "fast", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.",
    since: "5.0.0",
    complexity: "O(log(N)) with N being the number of elements in the sorted set.",
    handler: (ctx) => bzpopGeneric(ctx, true),
  },
  {
    name: "zmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    categories: WRITE_SLOW,
    group: GROUP,
    summary:
      "Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: zmpopCommand,
  },
  {
    name: "bzmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    categories: ["write", "sortedset", "slow", "blocking"],
    group: GROUP,
    summary:
      "Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.",
    since: "7.0.0",
    complexity:
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.",
    handler: bzmpopCommand,
  },
  {
    name: "zrandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns one or more random members from a sorted set.",
    since: "6.2.0",
    complexity: "O(N) where N is the number of members returned",
    handler: zrandmemberCommand,
  },
  {
    name: "zunionstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the union of multiple sorted sets in a key.",
    since: "2.0.0",
    complexity:
      "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Union, SetOpOutput.Store, "zunionstore"),
  },
  {
    name: "zinterstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the intersect of multiple sorted sets in a key.",
    since: "2.0.0",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Store, "zinterstore"),
  },
  {
    name: "zdiffstore",
    arity: -4,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores the difference of multiple sorted sets in a key.",
    since: "6.2.0",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Diff, SetOpOutput.Store, "zdiffstore"),
  },
  {
    name: "zunion",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the union of multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Union, SetOpOutput.Reply, "zunion"),
  },
  {
    name: "zinter",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the intersect of multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Reply, "zinter"),
  },
  {
    name: "zdiff",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the difference between multiple sorted sets.",
    since: "6.2.0",
    complexity:
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Diff, SetOpOutput.Reply, "zdiff"),
  },
  {
    name: "zintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Returns the number of members of the intersect of multiple sorted sets.",
    since: "7.0.0",
    complexity:
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.",
    handler: (ctx) => zsetOpGeneric(ctx, SetOp.Inter, SetOpOutput.Cardinality, "zintercard"),
  },
  {
    name: "zrangestore",
    arity: -5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    categories: WRITE_SLOW,
    group: GROUP,
    summary: "Stores a range of members from sorted set in a key.",
    since: "6.2.0",
    complexity:
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.",
    handler: (ctx) => zrangeGeneric(ctx, null, Direction.Auto, true),
  },
  {
    name: "zscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: READ_SLOW,
    group: GROUP,
    summary: "Iterates over members and scores of a sorted set.",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.",
    handler: zscanCommand,
  },
];
