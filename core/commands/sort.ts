// SORT and SORT_RO: the elements of a list, set or sorted set, sorted by themselves or by weights
// read from other keys, optionally replaced by other keys' values (GET), returned or stored as a
// list (STORE, SORT only). Redis 7.0's sortCommandGeneric, step by step:
//
//   parse options    ASC DESC ALPHA LIMIT BY GET STORE, left to right; the last of each wins
//   look up the key  missing = empty list; a type other than list/set/zset is WRONGTYPE
//   "don't sort"     BY <pattern without '*'>: the native order (list order, zset rank order,
//                    DESC reversing it; a set's iteration order, unless STORE or a script asks:
//                    then a set is sorted ALPHA, so replicas and scripts see one order)
//   clamp LIMIT      Redis's rules (see sortRange); a "don't sort" list/zset loads just the range
//   weigh            numeric weights by C's strtod (a bad one is an error after the whole load),
//                    ALPHA by the bytes as strcoll compares them in the C locale (strcmp: up to
//                    a NUL byte); equal weights fall back to the element's bytes
//   sort             all of it, stable as glibc's qsort; with BY and a LIMIT range, Redis's
//                    partial quicksort (core/geo/sort.ts), which leaves ties as Redis does
//   reply or store   GET patterns per element (`#` the element, `k*` a string key, `h*->f` a
//                    hash field); STORE overwrites the destination (TTL gone) with a list, or
//                    deletes it when the result is empty, and replies the count
//
// Pattern keys are looked up as lookupKeyRead does (hits and misses counted; a key of the wrong
// type reads as missing), and only their C-string part is searched for '*' and "->".

import { isCWord, parseInt64 } from "../bytes.ts";
import { ValueType, WrongTypeError } from "../engine/mod.ts";
import { hashGet } from "../engine/hash.ts";
import { listLength, listPush, listRange } from "../engine/list.ts";
import { setMembers } from "../engine/set.ts";
import {
  RANGE_REV,
  zsetCard,
  type ZsetElements,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
} from "../engine/zset.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";
import { partialSort } from "../geo/mod.ts";
import { KEY_READ } from "../command_meta/keys_of.ts";
import { isScriptClient } from "./_script_run.ts";
import { strtod } from "./zset_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

const ERR_BAD_DOUBLE = "ERR One or more scores can't be converted into double";
const ERR_BY_ACL = "ERR BY option of SORT denied due to insufficient ACL permissions.";
const ERR_GET_ACL = "ERR GET option of SORT denied due to insufficient ACL permissions.";

/** Elements pushed into the destination list per engine call (bounds one staging copy). */
const STORE_CHUNK_COUNT_MAX = 4096;

const ASTERISK = 0x2a;
const HASH_SIGN = 0x23;
const DASH = 0x2d;
const GREATER = 0x3e;

/** What SORT's options asked for. */
interface SortOptions {
  desc: boolean;
  alpha: boolean;
  limitStart: bigint;
  limitCount: bigint;
  /** The BY pattern, or null. */
  by: Uint8Array | null;
  /** BY had no '*': keep the native order. */
  dontSort: boolean;
  /** GET patterns, in order. */
  gets: Uint8Array[];
  /** STORE destination (the last one given), or null. */
  store: Uint8Array | null;
}

/** One element of the sorting vector (Redis's redisSortObject). */
interface SortItem {
  element: Uint8Array;
  /** Numeric weight (0 when BY found nothing). */
  score: number;
  /** ALPHA BY weight, or null when BY found nothing. */
  weight: Uint8Array | null;
}

// ── Options ─────────────────────────────────────────────────────────────────────────────

/**
 * Reads argv[2..] as sortCommandGeneric does: unknown words (and STORE for SORT_RO, and an
 * option missing its arguments) are a syntax error; a LIMIT that is not an integer fails with
 * Redis's integer error; BY with a real pattern and GET need read access to every key.
 */
function parseSortOptions(ctx: CommandContext, readonly: boolean): SortOptions {
  const { argv } = ctx;
  const options: SortOptions = {
    desc: false,
    alpha: false,
    limitStart: 0n,
    limitCount: -1n,
    by: null,
    dontSort: false,
    gets: [],
    store: null,
  };
  for (let j = 2; j < argv.length; j++) {
    const word = argv[j];
    const leftCount = argv.length - j - 1;
    if (isCWord(word, "asc")) options.desc = false;
    else if (isCWord(word, "desc")) options.desc = true;
    else if (isCWord(word, "alpha")) options.alpha = true;
    else if (isCWord(word, "limit") && leftCount >= 2) {
      const start = parseInt64(argv[j + 1]);
      const count = start === null ? null : parseInt64(argv[j + 2]);
      if (start === null || count === null) fail(ERR_NOT_INTEGER);
      options.limitStart = start;
      options.limitCount = count;
      j += 2;
    } else if (!readonly && isCWord(word, "store") && leftCount >= 1) {
      options.store = argv[++j];
    } else if (isCWord(word, "by") && leftCount >= 1) {
      const pattern = argv[++j];
      options.by = pattern;
      if (cIndexOf(pattern, ASTERISK, 0) < 0) options.dontSort = true;
      else if (!hasFullKeyAccess(ctx)) fail(ERR_BY_ACL);
    } else if (isCWord(word, "get") && leftCount >= 1) {
      if (!hasFullKeyAccess(ctx)) fail(ERR_GET_ACL);
      options.gets.push(argv[++j]);
    } else fail(ERR_SYNTAX);
  }
  return options;
}

/**
 * Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reads: no user (an internal client),
 * allkeys, or a `%R~*` / `~*` pattern.
 */
function hasFullKeyAccess(ctx: CommandContext): boolean {
  const user = ctx.client.user;
  if (user === null || user.allKeys) return true;
  return user.keyPatterns.some((p) => p.text === "*" && (p.flags & KEY_READ) !== 0);
}

// ── Patterns ────────────────────────────────────────────────────────────────────────────

/** Length of `bytes` read as a C string (up to the first NUL). */
function cLength(bytes: Uint8Array): number {
  const nul = bytes.indexOf(0);
  return nul < 0 ? bytes.length : nul;
}

/** strchr on the C-string part of `bytes` from `from`: the index of `byte`, or -1. */
function cIndexOf(bytes: Uint8Array, byte: number, from: number): number {
  const end = cLength(bytes);
  for (let i = from; i < end; i++) if (bytes[i] === byte) return i;
  return -1;
}

/**
 * Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first '*' is replaced by
 * the element, and a non-empty "->field" after it names a hash field. Null when the pattern has
 * no '*', or the key is missing or of the wrong type, or the field is missing. A copy.
 */
function lookupByPattern(
  ctx: CommandContext,
  pattern: Uint8Array,
  element: Uint8Array,
): Uint8Array | null {
  const patternLen = cLength(pattern);
  if (patternLen === 1 && pattern[0] === HASH_SIGN) return element;
  const star = cIndexOf(pattern, ASTERISK, 0);
  if (star < 0) return null;
  let arrow = -1;
  for (let i = star + 1; i + 1 < patternLen; i++) {
    if (pattern[i] === DASH && pattern[i + 1] === GREATER) {
      arrow = i;
      break;
    }
  }
  // "->" at the very end of the C string is not a dereference (then the key keeps it).
  if (arrow >= 0 && arrow + 2 >= patternLen) arrow = -1;
  const keyEnd = arrow >= 0 ? arrow : pattern.length;
  const key = new Uint8Array(keyEnd - 1 + element.length);
  key.set(pattern.subarray(0, star), 0);
  key.set(element, star);
  key.set(pattern.subarray(star + 1, keyEnd), star + element.length);

  const { server, client } = ctx;
  const type = server.engine.typeOf(client.db, key, ctx.nowMs);
  if (type < 0) {
    server.stats.keyspaceMisses++;
    return null;
  }
  server.stats.keyspaceHits++;
  if (arrow >= 0) {
    if (type !== ValueType.Hash) return null;
    const field = pattern.subarray(arrow + 2);
    return hashGet(server.engine, client.db, key, field, ctx.nowMs)?.slice() ?? null;
  }
  if (type !== ValueType.String) return null;
  return server.engine.getString(client.db, key, ctx.nowMs)?.slice() ?? null;
}

// ── Ordering ────────────────────────────────────────────────────────────────────────────

/** Redis's compareStringObjects: memcmp over the shorter length, then the length. */
function compareBinary(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** strcoll in the C locale: strcmp, unsigned bytes up to the first NUL of either. */
function compareCString(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0;; i++) {
    const x = i < a.length ? a[i] : 0;
    const y = i < b.length ? b[i] : 0;
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
}

/** Redis's sortCompare for the options in force. */
function sortComparator(
  options: SortOptions,
  byPattern: boolean,
): (x: SortItem, y: SortItem) => number {
  const sign = options.desc ? -1 : 1;
  const compareText = options.store !== null ? compareBinary : compareCString;
  if (!options.alpha) {
    return (x, y) => {
      const cmp = x.score > y.score
        ? 1
        : x.score < y.score
        ? -1
        : compareBinary(x.element, y.element);
      return sign * cmp;
    };
  }
  if (byPattern) {
    return (x, y) => {
      let cmp: number;
      if (x.weight === null || y.weight === null) {
        cmp = x.weight === y.weight ? 0 : x.weight === null ? -1 : 1;
      } else cmp = compareText(x.weight, y.weight);
      return sign * cmp;
    };
  }
  return (x, y) => sign * compareText(x.element, y.element);
}

/**
 * LIMIT clamped as Redis clamps it against the element count: the inclusive output range
 * [start, end], empty when end < start.
 */
function sortRange(options: SortOptions, length: number): [start: number, end: number] {
  const big = BigInt(length);
  let start = options.limitStart < 0n ? 0n : options.limitStart > big ? big : options.limitStart;
  const count = options.limitCount < -1n
    ? -1n
    : options.limitCount > big
    ? big
    : options.limitCount;
  let end = count < 0n ? big - 1n : start + count - 1n;
  if (start >= big) {
    start = big - 1n;
    end = big - 2n;
  }
  if (end >= big) end = big - 1n;
  return [Number(start), Number(end)];
}

// ── Loading ─────────────────────────────────────────────────────────────────────────────

function items(elements: readonly Uint8Array[]): SortItem[] {
  return elements.map((element) => ({ element, score: 0, weight: null }));
}

/** The elements of a zset between ranks start and end (reversed with `reverse`). */
function zsetSlice(
  ctx: CommandContext,
  key: Uint8Array,
  start: number,
  end: number,
  reverse: boolean,
): Uint8Array[] {
  const result = zsetRange(ctx.server.engine, ctx.client.db, key, {
    op: ZsetRangeOp.Emit,
    kind: ZsetRangeKind.Rank,
    flags: reverse ? RANGE_REV : 0,
    a: start,
    b: end,
  }, ctx.nowMs) as ZsetElements | null;
  return result?.members ?? [];
}

// ── The command ─────────────────────────────────────────────────────────────────────────

/**
 * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA]
 * [STORE destination]; SORT_RO the same without STORE.
 *
 * Replies the (GET-mapped) elements, nulls for GETs that found nothing; with STORE the count
 * stored. Errors: syntax, LIMIT integer, BY/GET ACL, WRONGTYPE, "One or more scores can't be
 * converted into double" (nothing stored then).
 */
function sortCommandGeneric(ctx: CommandContext, readonly: boolean): void {
  const { server, client, argv } = ctx;
  const options = parseSortOptions(ctx, readonly);
  const engine = server.engine;
  const db = client.db;
  const key = argv[1];

  const type = engine.typeOf(db, key, ctx.nowMs);
  if (type < 0) server.stats.keyspaceMisses++;
  else server.stats.keyspaceHits++;
  if (type >= 0 && type !== ValueType.List && type !== ValueType.Set && type !== ValueType.Zset) {
    throw new WrongTypeError();
  }
  const kind = type < 0 ? ValueType.List : type;

  let { dontSort, alpha, by } = options;
  // A set has no order of its own: stored or scripted results are sorted so they replay alike.
  if (
    dontSort && kind === ValueType.Set && (options.store !== null || isScriptClient(server, client))
  ) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  const sorting: SortOptions = { ...options, alpha, by, dontSort };

  let length = 0;
  if (type === ValueType.List || type === ValueType.Zset) {
    length = type === ValueType.List
      ? listLength(engine, db, key, ctx.nowMs)
      : zsetCard(engine, db, key, ctx.nowMs);
  }
  let vector: SortItem[];
  let [start, end] = [0, -1];
  if (type === ValueType.Set) {
    vector = items(setMembers(engine, db, key, ctx.nowMs) ?? []);
    [start, end] = sortRange(sorting, vector.length);
  } else if (type < 0) {
    vector = [];
    [start, end] = sortRange(sorting, 0);
  } else {
    [start, end] = sortRange(sorting, length);
    if (dontSort) {
      // Only the range, in native order (DESC from the other end).
      let elements: Uint8Array[] = [];
      if (end >= start) {
        if (type === ValueType.List) {
          elements = options.desc
            ? listRange(
              engine,
              db,
              key,
              BigInt(length - 1 - end),
              BigInt(length - 1 - start),
              ctx.nowMs,
            )
              .reverse()
            : listRange(engine, db, key, BigInt(start), BigInt(end), ctx.nowMs);
        } else {
          elements = zsetSlice(ctx, key, start, end, options.desc);
        }
        end -= start;
        start = 0;
      }
      vector = items(elements);
    } else if (type === ValueType.List) {
      vector = items(listRange(engine, db, key, 0n, -1n, ctx.nowMs));
    } else {
      vector = items(zsetSlice(ctx, key, 0, -1, false));
    }
  }

  let badDouble = false;
  if (!dontSort) {
    for (const item of vector) {
      const weight = by !== null ? lookupByPattern(ctx, by, item.element) : item.element;
      if (weight === null) continue;
      if (alpha) {
        if (by !== null) item.weight = weight;
      } else {
        const parsed = strtod(weight, 0);
        const terminated = parsed.end === weight.length || weight[parsed.end] === 0;
        if (!terminated || parsed.rangeError || Number.isNaN(parsed.value)) badDouble = true;
        item.score = parsed.value;
      }
    }
    const compare = sortComparator(sorting, by !== null);
    if (by !== null && (start !== 0 || end !== vector.length - 1)) {
      if (end >= start && vector.length > 1) partialSort(vector, compare, start, end);
    } else vector.sort(compare);
  }

  const rangeCount = Math.max(0, end - start + 1);
  const outputCount = options.gets.length > 0 ? options.gets.length * rangeCount : rangeCount;
  if (badDouble) fail(ERR_BAD_DOUBLE);
  if (options.store === null) {
    const out = ctx.out;
    out.arrayHeader(outputCount);
    for (let j = start; j <= end; j++) {
      const element = vector[j].element;
      if (options.gets.length === 0) out.bulk(element);
      for (const pattern of options.gets) {
        const value = lookupByPattern(ctx, pattern, element);
        if (value === null) out.nullBulk();
        else out.bulk(value);
      }
    }
    return;
  }
  const stored: Uint8Array[] = [];
  for (let j = start; j <= end; j++) {
    const element = vector[j].element;
    if (options.gets.length === 0) stored.push(element);
    for (const pattern of options.gets) {
      stored.push(lookupByPattern(ctx, pattern, element) ?? new Uint8Array(0));
    }
  }
  storeList(ctx, options.store, stored);
  ctx.out.integer(outputCount);
}

/**
 * Replaces `destination` (any type, TTL included) with a list of `elements`, or deletes it when
 * there are none; reports the change (which wakes clients blocked on it).
 */
function storeList(ctx: CommandContext, destination: Uint8Array, elements: Uint8Array[]): void {
  const { server, client } = ctx;
  const engine = server.engine;
  const removed = engine.del(client.db, destination, ctx.nowMs);
  if (elements.length === 0) {
    if (removed) server.keyModified(client.db, destination);
    return;
  }
  try {
    for (let i = 0; i < elements.length; i += STORE_CHUNK_COUNT_MAX) {
      const chunk = elements.slice(i, i + STORE_CHUNK_COUNT_MAX);
      listPush(engine, client.db, destination, chunk, true, false, ctx.nowMs);
    }
  } finally {
    server.keyModified(client.db, destination);
  }
}

const SORT_CATEGORIES = ["set", "sortedset", "list", "slow", "dangerous"];
const SORT_COMPLEXITY =
  "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the " +
  "number of returned elements. When the elements are not sorted, complexity is O(N).";

export const SORT_COMMANDS: CommandDefinition[] = [
  {
    name: "sort",
    arity: -2,
    flags: ["write", "denyoom", "movablekeys"],
    keys: [1, 1, 1],
    categories: ["write", ...SORT_CATEGORIES],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set",
    complexity: SORT_COMPLEXITY,
    handler: (ctx) => sortCommandGeneric(ctx, false),
  },
  {
    name: "sort_ro",
    arity: -2,
    flags: ["readonly", "movablekeys"],
    keys: [1, 1, 1],
    categories: ["read", ...SORT_CATEGORIES],
    group: "generic",
    summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
    since: "7.0.0",
    complexity: SORT_COMPLEXITY,
    handler: (ctx) => sortCommandGeneric(ctx, true),
  },
];
