// The sorted-set operations: ZUNION, ZINTER, ZDIFF, their STORE forms, and ZINTERCARD, one
// generic handler as Redis's zunionInterDiffGenericCommand. Unlike every other sorted-set
// command they are not one engine call: they read each input whole (a set counts, its members
// scored 1), combine the inputs here in JavaScript, and hand a sorted result to the engine only
// to store it. That is why they have a file of their own: the rest of the sorted-set code asks
// the engine, this asks for copies and does the work, and it follows Redis's algorithm closely
// (smallest input first, a stable sort of the inputs, inf + -inf = 0) because the order of
// float additions shows in the scores it replies.

import { INT64_MAX, isWord, latin1 } from "../bytes.ts";
import { ValueType, WrongTypeError } from "../engine/mod.ts";
import { setMembers } from "../engine/set.ts";
import {
  RANGE_WITHSCORES,
  type ZsetElements,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
} from "../engine/zset.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { ERR_LIMIT_NEGATIVE, int64Arg, int64RangeArg } from "./_args.ts";
import type { CommandContext } from "./context.ts";
import { scoreArg } from "./zset_args.ts";
import { replyElements, storeElements, withScoresLayout } from "./zset_reply.ts";

export const enum SetOp {
  Union,
  Inter,
  Diff,
}

/** Where a set operation's result goes. */
export const enum SetOpOutput {
  /** ZUNIONSTORE / ZINTERSTORE / ZDIFFSTORE: into argv[1]; replies with the size. */
  Store,
  /** ZUNION / ZINTER / ZDIFF: as a reply, optionally WITHSCORES. */
  Reply,
  /** ZINTERCARD: only the size, optionally stopping at LIMIT. */
  Cardinality,
}

/** How scores of the same member in several inputs combine (AGGREGATE). */
const enum Aggregate {
  Sum,
  Min,
  Max,
}

/** One input: a key's elements, read whole. */
interface SourceSet {
  /** latin1 of the key: the same key twice is the same input. */
  tag: string;
  /** The key's type tag, -1 when missing (an empty input). */
  type: number;
  members: Uint8Array[];
  scores: number[];
  /** WEIGHTS: multiplies this input's scores. @default {1} */
  weight: number;
  /** Member (latin1) → index, built at the first lookup. */
  index: Map<string, number> | null;
}

interface ScoredMember {
  member: Uint8Array;
  score: number;
}

/**
 * ZUNIONSTORE / ZINTERSTORE destination numkeys key [key ...] [WEIGHTS w ...]
 * [AGGREGATE SUM|MIN|MAX]; ZDIFFSTORE destination numkeys key [key ...]; ZUNION / ZINTER
 * numkeys key [key ...] [WEIGHTS …] [AGGREGATE …] [WITHSCORES]; ZDIFF numkeys key [key ...]
 * [WITHSCORES]; ZINTERCARD numkeys key [key ...] [LIMIT limit]. Checks in Redis's order:
 * numkeys, key types (WRONGTYPE before option errors), options. Replies: the result (sorted by
 * score, then member bytes), its size (STORE forms, ZINTERCARD). A stored empty result deletes
 * the destination.
 */
export function zsetOpGeneric(
  ctx: CommandContext,
  op: SetOp,
  output: SetOpOutput,
  name: string,
): void {
  const { argv, server, client } = ctx;
  const numkeysIndex = output === SetOpOutput.Store ? 2 : 1;
  const setCount = int64Arg(argv[numkeysIndex]);
  if (setCount < 1n) fail(`ERR at least 1 input key is needed for '${name}' command`);
  if (setCount > BigInt(argv.length - numkeysIndex - 1)) fail(ERR_SYNTAX);
  const sourceCount = Number(setCount);
  const firstKeyIndex = numkeysIndex + 1;
  const sources: SourceSet[] = [];
  for (let i = 0; i < sourceCount; i++) {
    const key = argv[firstKeyIndex + i];
    const type = server.engine.typeOf(client.db, key, ctx.nowMs);
    if (type >= 0 && type !== ValueType.Zset && type !== ValueType.Set) {
      throw new WrongTypeError();
    }
    sources.push({ tag: latin1(key), type, members: [], scores: [], weight: 1, index: null });
  }
  const cardinalityOnly = output === SetOpOutput.Cardinality;
  let how = Aggregate.Sum;
  let withScores = false;
  let cardinalityLimit = 0;
  let j = firstKeyIndex + sourceCount;
  while (j < argv.length) {
    const remaining = argv.length - j;
    const weighable = op !== SetOp.Diff && !cardinalityOnly;
    if (weighable && remaining >= sourceCount + 1 && isWord(argv[j], "weights")) {
      j++;
      for (let i = 0; i < sourceCount; i++, j++) {
        sources[i].weight = scoreArg(argv[j], "ERR weight value is not a float");
      }
    } else if (weighable && remaining >= 2 && isWord(argv[j], "aggregate")) {
      const word = argv[j + 1];
      if (isWord(word, "sum")) how = Aggregate.Sum;
      else if (isWord(word, "min")) how = Aggregate.Min;
      else if (isWord(word, "max")) how = Aggregate.Max;
      else fail(ERR_SYNTAX);
      j += 2;
    } else if (output === SetOpOutput.Reply && isWord(argv[j], "withscores")) {
      withScores = true;
      j++;
    } else if (cardinalityOnly && remaining >= 2 && isWord(argv[j], "limit")) {
      cardinalityLimit = Number(int64RangeArg(argv[j + 1], 0n, INT64_MAX, ERR_LIMIT_NEGATIVE));
      j += 2;
    } else fail(ERR_SYNTAX);
  }
  for (let i = 0; i < sourceCount; i++) readSource(ctx, sources[i], argv[firstKeyIndex + i]);
  if (cardinalityOnly) {
    return ctx.out.integer(interSources(sources, Aggregate.Sum, cardinalityLimit).length);
  }
  const result = op === SetOp.Diff
    ? diffSources(sources)
    : op === SetOp.Inter
    ? interSources(sources, how, 0)
    : unionSources(sources, how);
  result.sort((x, y) =>
    x.score < y.score ? -1 : x.score > y.score ? 1 : compareBytes(x.member, y.member)
  );
  const members = result.map((element) => element.member);
  const scores = result.map((element) => element.score);
  if (output === SetOpOutput.Reply) {
    return replyElements(ctx.out, { members, scores }, withScoresLayout(ctx.out, withScores));
  }
  storeElements(ctx, argv[1], members, scores);
}

/** Reads one input whole: a zset's elements with their scores, a set's members scored 1. */
function readSource(ctx: CommandContext, source: SourceSet, key: Uint8Array): void {
  const { server, client } = ctx;
  if (source.type === ValueType.Zset) {
    const elements = zsetRange(server.engine, client.db, key, {
      op: ZsetRangeOp.Emit,
      kind: ZsetRangeKind.Rank,
      flags: RANGE_WITHSCORES,
      a: 0,
      b: -1,
    }, ctx.nowMs) as ZsetElements | null;
    if (elements !== null) {
      source.members = elements.members;
      source.scores = elements.scores;
    }
  } else if (source.type === ValueType.Set) {
    source.members = setMembers(server.engine, client.db, key, ctx.nowMs) ?? [];
    source.scores = source.members.map(() => 1);
  }
}

function aggregate(target: number, value: number, how: Aggregate): number {
  if (how === Aggregate.Sum) {
    const sum = target + value;
    return Number.isNaN(sum) ? 0 : sum; // inf + -inf is 0 by Redis's convention
  }
  if (how === Aggregate.Min) return value < target ? value : target;
  return value > target ? value : target;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

/** The member's score in `source`, undefined when it is not there. */
function scoreOf(source: SourceSet, member: Uint8Array): number | undefined {
  if (source.index === null) {
    source.index = new Map();
    for (let i = 0; i < source.members.length; i++) source.index.set(latin1(source.members[i]), i);
  }
  const at = source.index.get(latin1(member));
  return at === undefined ? undefined : source.scores[at];
}

/** Smallest inputs first; a stable sort, as glibc's qsort (a merge sort) behaves here. */
function bySize(sources: SourceSet[]): SourceSet[] {
  return sources.map((source, i) => ({ source, i }))
    .sort((x, y) => x.source.members.length - y.source.members.length || x.i - y.i)
    .map((entry) => entry.source);
}

function unionSources(sources: SourceSet[], how: Aggregate): ScoredMember[] {
  const accumulator = new Map<string, ScoredMember>();
  for (const source of bySize(sources)) {
    for (let i = 0; i < source.members.length; i++) {
      let score = source.weight * source.scores[i];
      if (Number.isNaN(score)) score = 0;
      const tag = latin1(source.members[i]);
      const existing = accumulator.get(tag);
      if (existing === undefined) accumulator.set(tag, { member: source.members[i], score });
      else existing.score = aggregate(existing.score, score, how);
    }
  }
  return [...accumulator.values()];
}

/** The intersection; with limit > 0 it stops once it has that many (ZINTERCARD LIMIT). */
function interSources(sources: SourceSet[], how: Aggregate, limit: number): ScoredMember[] {
  const ordered = bySize(sources);
  const first = ordered[0];
  const result: ScoredMember[] = [];
  for (let i = 0; i < first.members.length; i++) {
    let score = first.weight * first.scores[i];
    if (Number.isNaN(score)) score = 0;
    let inAll = true;
    for (let k = 1; k < ordered.length; k++) {
      const other = ordered[k];
      const value = other.tag === first.tag ? first.scores[i] : scoreOf(other, first.members[i]);
      if (value === undefined) {
        inAll = false;
        break;
      }
      score = aggregate(score, value * other.weight, how);
    }
    if (inAll) {
      result.push({ member: first.members[i], score });
      if (limit > 0 && result.length >= limit) break;
    }
  }
  return result;
}

/** The first input's elements that no other input holds. */
function diffSources(sources: SourceSet[]): ScoredMember[] {
  const [first, ...others] = sources;
  const result: ScoredMember[] = [];
  for (let i = 0; i < first.members.length; i++) {
    const member = first.members[i];
    if (others.some((other) => scoreOf(other, member) !== undefined)) continue;
    result.push({ member, score: first.scores[i] });
  }
  return result;
}
