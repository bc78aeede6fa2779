// List commands, including the blocking pops. Each handler parses its arguments in Redis's
// order (so the same bad call fails with the same error first), makes one or two calls into the
// list binding (core/engine/list.ts), replies, and reports every key it wrote through
// keyModified, which also wakes clients blocked on that key.
//
// Two-key commands (LMOVE, RPOPLPUSH, BLMOVE) are a pop from the source and a push to the
// destination, with both types checked before anything changes, as Redis does. Blocking
// commands first try to serve at once; otherwise they park in the BlockingRegistry with an
// `attempt` that re-reads its arguments from ctx.argv. A served blocking pop is replicated as
// its non-blocking form (BLPOP → LPOP key, BLMOVE → LMOVE …), since a replica must never block.

import { bytesEqual, INT64_MAX, INT64_MIN, isWord } from "../bytes.ts";
import { OutOfMemoryError, ValueType, WrongTypeError } from "../engine/mod.ts";
import {
  listExists,
  listIndex,
  listInsert,
  listLength,
  listPop,
  listPopInto,
  listPos,
  listPush,
  listRangeInto,
  listRemove,
  listSet,
  ListSetResult,
  listTrim,
} from "../engine/list.ts";
import {
  CommandError,
  ERR_NO_SUCH_KEY,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  fail,
  wrongArity,
} from "../errors.ts";
import {
  blockTimeoutMsArg,
  ERR_NOT_POSITIVE,
  int64Arg,
  int64RangeArg,
  type MultiPopArgs,
  multiPopArgs,
} from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { countRead, countReadOf } from "./_keyspace_stats.ts";

const ERR_RANK_ZERO = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the " +
  "second ... or use negative to start from the end of the list";

// --- argument helpers ---

/** LEFT → false, RIGHT → true (the "from tail" flag); anything else is a syntax error. */
function whereArg(arg: Uint8Array): boolean {
  if (isWord(arg, "left")) return false;
  if (isWord(arg, "right")) return true;
  fail(ERR_SYNTAX);
}

function keyModified(ctx: CommandContext, key: Uint8Array): void {
  ctx.server.keyModified(ctx.client.db, key);
}

/** Bytes of an empty array reply ("*0\r\n"): LRANGE's answer for a missing key. */
const EMPTY_ARRAY_REPLY_BYTES = 4;

/** The engine's type tag at key, -1 when missing. */
function typeAt(ctx: CommandContext, key: Uint8Array): number {
  return ctx.server.engine.typeOf(ctx.client.db, key, ctx.nowMs);
}

// --- push and pop ---

/** LPUSH/RPUSH/LPUSHX/RPUSHX key element [element …] */
function pushGeneric(ctx: CommandContext, toTail: boolean, mustExist: boolean): void {
  const { server, client, argv } = ctx;
  const elements = argv.slice(2);
  const length = listPush(
    server.engine,
    client.db,
    argv[1],
    elements,
    toTail,
    mustExist,
    ctx.nowMs,
  );
  if (length > 0) keyModified(ctx, argv[1]);
  ctx.out.integer(length);
}

/**
 * LPOP/RPOP key [count]. Without count: the element or a null bulk. With count: an array
 * (empty for count 0) or a null array for a missing key, as Redis 7.0.
 */
function popGeneric(ctx: CommandContext, fromTail: boolean, name: string): void {
  const { server, client, argv, out } = ctx;
  if (argv.length > 3) throw wrongArity(name);
  const withCount = argv.length === 3;
  const count = withCount ? int64RangeArg(argv[2], 0n, INT64_MAX, ERR_NOT_POSITIVE) : 1n;
  const found = listPopInto(
    server.engine,
    client.db,
    argv[1],
    fromTail,
    Number(count),
    ctx.nowMs,
    out,
    withCount,
  );
  if (!found) return withCount ? out.nullArray() : out.nullBulk();
  if (count > 0n) keyModified(ctx, argv[1]);
}

// --- reads ---

function llenCommand(ctx: CommandContext): void {
  const length = listLength(ctx.server.engine, ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, length > 0); // a list that exists is never empty
  ctx.out.integer(length);
}

/** LRANGE key start stop */
function lrangeCommand(ctx: CommandContext): void {
  const { server, client, argv, out } = ctx;
  const start = int64Arg(argv[2]);
  const stop = int64Arg(argv[3]);
  const replyStart = out.lengthBytes;
  listRangeInto(server.engine, client.db, argv[1], start, stop, ctx.nowMs, out);
  // An empty reply is a missing key or a range outside the list: only then ask the engine.
  if (out.lengthBytes - replyStart !== EMPTY_ARRAY_REPLY_BYTES) countRead(server, true);
  else countReadOf(ctx, argv[1]);
}

/** LINDEX key index — the key is looked up before the index is parsed, as in Redis. */
function lindexCommand(ctx: CommandContext): void {
  const { server, client, argv, out } = ctx;
  const found = listExists(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, found);
  if (!found) return out.nullBulk();
  const element = listIndex(server.engine, client.db, argv[1], int64Arg(argv[2]), ctx.nowMs);
  if (element === null) out.nullBulk();
  else out.bulk(element);
}

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]. Without COUNT: the first
 * match's index or a null bulk; with COUNT: an array (COUNT 0 = every match).
 */
function lposCommand(ctx: CommandContext): void {
  const { server, client, argv, out } = ctx;
  let rank = 1n;
  let count: bigint | null = null;
  let maxlen = 0n;
  for (let i = 3; i < argv.length; i++) {
    const moreArgs = i + 1 < argv.length;
    if (isWord(argv[i], "rank") && moreArgs) {
      rank = int64Arg(argv[++i]);
      if (rank === 0n) fail(ERR_RANK_ZERO);
      // Redis negates the rank in a long: LONG_MIN stays negative and every match qualifies,
      // which is what rank -1 does.
      if (rank === INT64_MIN) rank = -1n;
    } else if (isWord(argv[i], "count") && moreArgs) {
      count = int64RangeArg(argv[++i], 0n, INT64_MAX, "ERR COUNT can't be negative");
    } else if (isWord(argv[i], "maxlen") && moreArgs) {
      maxlen = int64RangeArg(argv[++i], 0n, INT64_MAX, "ERR MAXLEN can't be negative");
    } else {
      fail(ERR_SYNTAX);
    }
  }
  const positions = listPos(
    server.engine,
    client.db,
    argv[1],
    argv[2],
    rank,
    count ?? 1n,
    maxlen,
    ctx.nowMs,
  );
  countRead(server, positions !== null);
  if (count === null) {
    if (positions === null || positions.length === 0) return out.nullBulk();
    return out.integer(positions[0]);
  }
  const found = positions ?? [];
  out.arrayHeader(found.length);
  for (const position of found) out.integer(position);
}

// --- in-place writes ---

/** LSET key index element */
function lsetCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  if (!listExists(server.engine, client.db, argv[1], ctx.nowMs)) fail(ERR_NO_SUCH_KEY);
  const index = int64Arg(argv[2]);
  const result = listSet(server.engine, client.db, argv[1], index, argv[3], ctx.nowMs);
  if (result === ListSetResult.Missing) fail(ERR_NO_SUCH_KEY);
  if (result === ListSetResult.OutOfRange) fail("ERR index out of range");
  keyModified(ctx, argv[1]);
  ctx.out.simple("OK");
}

/** LINSERT key BEFORE|AFTER pivot element */
function linsertCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  let after: boolean;
  if (isWord(argv[2], "after")) after = true;
  else if (isWord(argv[2], "before")) after = false;
  else fail(ERR_SYNTAX);
  const length = listInsert(server.engine, client.db, argv[1], after, argv[3], argv[4], ctx.nowMs);
  if (length > 0) keyModified(ctx, argv[1]);
  ctx.out.integer(length);
}

/** LREM key count element */
function lremCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  const count = int64Arg(argv[2]);
  const removed = listRemove(server.engine, client.db, argv[1], count, argv[3], ctx.nowMs);
  if (removed > 0) keyModified(ctx, argv[1]);
  ctx.out.integer(removed);
}

/** LTRIM key start stop */
function ltrimCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  const start = int64Arg(argv[2]);
  const stop = int64Arg(argv[3]);
  if (listTrim(server.engine, client.db, argv[1], start, stop, ctx.nowMs)) {
    keyModified(ctx, argv[1]);
  }
  ctx.out.simple("OK");
}

// --- moves between lists ---

/**
 * Pops one element from src (head or tail) and pushes it onto dst. Null when src is missing;
 * WRONGTYPE (nothing changed) when src, or an existing dst, is not a list. When src and dst are
 * the same one-element list the list stays as it is (and keeps its TTL), as in Redis.
 */
function moveElement(
  ctx: CommandContext,
  src: Uint8Array,
  dst: Uint8Array,
  fromTail: boolean,
  toTail: boolean,
): Uint8Array | null {
  const { server, client } = ctx;
  const engine = server.engine;
  const srcType = typeAt(ctx, src);
  if (srcType < 0) return null;
  if (srcType !== ValueType.List) throw new WrongTypeError();
  const dstType = typeAt(ctx, dst);
  if (dstType >= 0 && dstType !== ValueType.List) throw new WrongTypeError();
  let element: Uint8Array;
  if (bytesEqual(src, dst) && listLength(engine, client.db, src, ctx.nowMs) === 1) {
    element = listIndex(engine, client.db, src, 0n, ctx.nowMs)!;
  } else {
    element = listPop(engine, client.db, src, fromTail, 1, ctx.nowMs)![0];
    try {
      listPush(engine, client.db, dst, [element], toTail, false, ctx.nowMs);
    } catch (error) {
      // Put the element back where it came from (a push to an existing list end).
      listPush(engine, client.db, src, [element], fromTail, false, ctx.nowMs);
      throw error;
    }
  }
  keyModified(ctx, src);
  keyModified(ctx, dst);
  return element;
}

function whereWord(fromTail: boolean): string {
  return fromTail ? "RIGHT" : "LEFT";
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
function lmoveCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  const fromTail = whereArg(argv[3]);
  const toTail = whereArg(argv[4]);
  const element = moveElement(ctx, argv[1], argv[2], fromTail, toTail);
  if (element === null) ctx.out.nullBulk();
  else ctx.out.bulk(element);
}

/** RPOPLPUSH source destination */
function rpoplpushCommand(ctx: CommandContext): void {
  const element = moveElement(ctx, ctx.argv[1], ctx.argv[2], true, false);
  if (element === null) ctx.out.nullBulk();
  else ctx.out.bulk(element);
}

// --- multi-key pops ---

/**
 * Pops up to count elements from the first non-empty list of keys and replies [key, [elements]];
 * `args.where` is the from-tail flag (LEFT|RIGHT).
 * A key of another type is WRONGTYPE unless `skipWrongType` (a woken client ignores it, as
 * Redis serves only lists). False, with nothing written, when every key is missing.
 */
function mpopServe(
  ctx: CommandContext,
  args: MultiPopArgs<boolean>,
  skipWrongType: boolean,
): boolean {
  const { server, client, out } = ctx;
  const fromTail = args.where;
  for (const key of args.keys) {
    if (skipWrongType && typeAt(ctx, key) !== ValueType.List) continue;
    const popped = listPop(server.engine, client.db, key, fromTail, Number(args.count), ctx.nowMs);
    if (popped === null) continue;
    keyModified(ctx, key);
    // Redis replays the count actually popped (LMPOP COUNT 10 on 2 elements → LPOP key 2).
    ctx.propagateAs = [[fromTail ? "RPOP" : "LPOP", key, String(popped.length)]];
    out.arrayHeader(2);
    out.bulk(key);
    out.arrayHeader(popped.length);
    for (const element of popped) out.bulk(element);
    return true;
  }
  return false;
}

/** LMPOP numkeys key [key …] LEFT|RIGHT [COUNT count] */
function lmpopCommand(ctx: CommandContext): void {
  if (!mpopServe(ctx, multiPopArgs(ctx.argv, 1, whereArg), false)) ctx.out.nullArray();
}

// --- blocking commands ---

/**
 * Wraps a blocked command's attempt: runs it with a fresh clock, and turns an error it raises
 * (OOM, WRONGTYPE for BLMOVE's destination) into the client's reply, which ends the wait as in
 * Redis. (A push inside EXEC wakes waiters only after the whole transaction: the dispatcher
 * holds ready keys until EXEC ends.)
 */
function guardedAttempt(
  ctx: CommandContext,
  attempt: () => boolean,
): () => boolean {
  return () => {
    ctx.nowMs = Date.now();
    try {
      return attempt();
    } catch (error) {
      let text: string;
      if (error instanceof WrongTypeError) text = ERR_WRONGTYPE;
      else if (error instanceof CommandError || error instanceof OutOfMemoryError) {
        text = error.message;
      } else throw error;
      ctx.out.error(text);
      // Counted in INFO errorstats too, as Redis's afterErrorReply counts every error reply.
      ctx.server.stats.countErrorReply(text);
      ctx.propagateAs = [];
      return true;
    }
  };
}

/** Timeout reply: a null array; inside EXEC (never blocks) BLMOVE/BRPOPLPUSH answer null bulk. */
function timeoutReply(ctx: CommandContext, nullBulkInMulti: boolean): () => void {
  return () => {
    ctx.propagateAs = [];
    if (nullBulkInMulti && ctx.client.executingMulti) ctx.out.nullBulk();
    else ctx.out.nullArray();
  };
}

/** One pop from the first non-empty key of argv[1..-2]; replies [key, element]. */
function bpopServe(ctx: CommandContext, fromTail: boolean, skipWrongType: boolean): boolean {
  const { server, client, argv, out } = ctx;
  for (let i = 1; i < argv.length - 1; i++) {
    const key = argv[i];
    if (skipWrongType && typeAt(ctx, key) !== ValueType.List) continue;
    const popped = listPop(server.engine, client.db, key, fromTail, 1, ctx.nowMs);
    if (popped === null) continue;
    keyModified(ctx, key);
    ctx.propagateAs = [[fromTail ? "RPOP" : "LPOP", key]];
    out.arrayHeader(2);
    out.bulk(key);
    out.bulk(popped[0]);
    return true;
  }
  return false;
}

/** BLPOP/BRPOP key [key …] timeout */
function bpopGeneric(ctx: CommandContext, fromTail: boolean): void | Promise<void> {
  const timeoutMs = blockTimeoutMsArg(ctx.argv[ctx.argv.length - 1]);
  if (bpopServe(ctx, fromTail, false)) return;
  const keys = ctx.argv.slice(1, -1);
  return ctx.server.blocking.block(
    ctx,
    keys,
    timeoutMs,
    guardedAttempt(ctx, () => bpopServe(ctx, fromTail, true)),
    timeoutReply(ctx, false),
  );
}

/**
 * BLMOVE/BRPOPLPUSH core: serves like LMOVE when the source has elements, else blocks on the
 * source. `propagate` names the non-blocking form a replica replays.
 */
function bmoveGeneric(
  ctx: CommandContext,
  fromTail: boolean,
  toTail: boolean,
  timeoutArg: Uint8Array,
  propagate: (argv: Uint8Array[]) => (Uint8Array | string)[],
): void | Promise<void> {
  const timeoutMs = blockTimeoutMsArg(timeoutArg);
  const serve = (skipWrongSource: boolean): boolean => {
    const src = ctx.argv[1];
    if (skipWrongSource && typeAt(ctx, src) !== ValueType.List) return false;
    const element = moveElement(ctx, src, ctx.argv[2], fromTail, toTail);
    if (element === null) return false;
    ctx.propagateAs = [propagate(ctx.argv)];
    ctx.out.bulk(element);
    return true;
  };
  if (serve(false)) return;
  return ctx.server.blocking.block(
    ctx,
    [ctx.argv[1]],
    timeoutMs,
    guardedAttempt(ctx, () => serve(true)),
    timeoutReply(ctx, true),
  );
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
function blmoveCommand(ctx: CommandContext): void | Promise<void> {
  const fromTail = whereArg(ctx.argv[3]);
  const toTail = whereArg(ctx.argv[4]);
  return bmoveGeneric(ctx, fromTail, toTail, ctx.argv[5], (argv) => [
    "LMOVE",
    argv[1],
    argv[2],
    whereWord(fromTail),
    whereWord(toTail),
  ]);
}

/** BRPOPLPUSH source destination timeout */
function brpoplpushCommand(ctx: CommandContext): void | Promise<void> {
  return bmoveGeneric(ctx, true, false, ctx.argv[3], (argv) => ["RPOPLPUSH", argv[1], argv[2]]);
}

/** BLMPOP timeout numkeys key [key …] LEFT|RIGHT [COUNT count] */
function blmpopCommand(ctx: CommandContext): void | Promise<void> {
  const timeoutMs = blockTimeoutMsArg(ctx.argv[1]);
  const args = multiPopArgs(ctx.argv, 2, whereArg);
  if (mpopServe(ctx, args, false)) return;
  return ctx.server.blocking.block(
    ctx,
    args.keys,
    timeoutMs,
    // block() replaced ctx.argv by copies: re-read the keys from them.
    guardedAttempt(ctx, () => mpopServe(ctx, multiPopArgs(ctx.argv, 2, whereArg), true)),
    timeoutReply(ctx, false),
  );
}

// --- the table ---

const WRITE_FAST = ["write", "denyoom", "fast"];
const WRITE_CATEGORIES = ["write", "list", "slow"];
const BLOCKING_CATEGORIES = ["write", "list", "slow", "blocking"];

export const LIST_COMMANDS: CommandDefinition[] = [
  {
    name: "lpush",
    arity: -3,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Prepends one or more elements to a list. Creates the key if it doesn't exist.",
    complexity: "O(1) for each element added",
    handler: (ctx) => pushGeneric(ctx, false, false),
  },
  {
    name: "rpush",
    arity: -3,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Appends one or more elements to a list. Creates the key if it doesn't exist.",
    complexity: "O(1) for each element added",
    handler: (ctx) => pushGeneric(ctx, true, false),
  },
  {
    name: "lpushx",
    arity: -3,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Prepends one or more elements to a list only when the list exists.",
    since: "2.2.0",
    complexity: "O(1) for each element added",
    handler: (ctx) => pushGeneric(ctx, false, true),
  },
  {
    name: "rpushx",
    arity: -3,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Appends an element to a list only when the list exists.",
    since: "2.2.0",
    complexity: "O(1) for each element added",
    handler: (ctx) => pushGeneric(ctx, true, true),
  },
  {
    name: "lpop",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Returns the first elements in a list after removing it. Deletes the list if the " +
      "last element was popped.",
    complexity: "O(N) where N is the number of elements returned",
    handler: (ctx) => popGeneric(ctx, false, "lpop"),
  },
  {
    name: "rpop",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: ["write", "list", "fast"],
    group: "list",
    summary: "Returns and removes the last elements of a list. Deletes the list if the last " +
      "element was popped.",
    complexity: "O(N) where N is the number of elements returned",
    handler: (ctx) => popGeneric(ctx, true, "rpop"),
  },
  {
    name: "llen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["read", "list", "fast"],
    group: "list",
    summary: "Returns the length of a list.",
    handler: llenCommand,
  },
  {
    name: "lrange",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "list", "slow"],
    group: "list",
    summary: "Returns a range of elements from a list.",
    complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, " +
      "from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in " +
      "the specified range.",
    handler: lrangeCommand,
  },
  {
    name: "lindex",
    arity: 3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "list", "slow"],
    group: "list",
    summary: "Returns an element from a list by its index.",
    complexity: "O(N) where N is the number of elements to traverse to get to the element " +
      "at index.",
    handler: lindexCommand,
  },
  {
    name: "lset",
    arity: 4,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Sets the value of an element in a list by its index.",
    complexity: "O(N) where N is the length of the list.",
    handler: lsetCommand,
  },
  {
    name: "linsert",
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Inserts an element before or after another element in a list.",
    since: "2.2.0",
    complexity: "O(N) where N is the number of elements to traverse before seeing the value " +
      "pivot.",
    handler: linsertCommand,
  },
  {
    name: "lrem",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Removes elements from a list. Deletes the list if the last element was removed.",
    complexity: "O(N+M) where N is the length of the list and M is the number of elements " +
      "removed.",
    handler: lremCommand,
  },
  {
    name: "ltrim",
    arity: 4,
    flags: ["write"],
    keys: [1, 1, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Removes elements from both ends a list. Deletes the list if all elements were " +
      "trimmed.",
    complexity: "O(N) where N is the number of elements to be removed by the operation.",
    handler: ltrimCommand,
  },
  {
    name: "lpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "list", "slow"],
    group: "list",
    summary: "Returns the index of matching elements in a list.",
    since: "6.0.6",
    complexity: "O(N) where N is the number of elements in the list, for the average case.",
    handler: lposCommand,
  },
  {
    name: "lmove",
    arity: 5,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Returns an element after popping it from one list and pushing it to another. " +
      "Deletes the list if the last element was moved.",
    since: "6.2.0",
    handler: lmoveCommand,
  },
  {
    name: "rpoplpush",
    arity: 3,
    flags: ["write", "denyoom"],
    keys: [1, 2, 1],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Returns the last element of a list after removing and pushing it to another " +
      "list. Deletes the list if the last element was popped.",
    since: "1.2.0",
    handler: rpoplpushCommand,
  },
  {
    name: "lmpop",
    arity: -4,
    flags: ["write", "movablekeys"],
    keys: [0, 0, 0],
    categories: WRITE_CATEGORIES,
    group: "list",
    summary: "Returns multiple elements from a list after removing them. Deletes the list if " +
      "the last element was popped.",
    since: "7.0.0",
    complexity: "O(N+M) where N is the number of provided keys and M is the number of " +
      "elements returned.",
    handler: lmpopCommand,
  },
  {
    name: "blpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    keys: [1, -2, 1],
    categories: BLOCKING_CATEGORIES,
    group: "list",
    summary: "Removes and returns the first element in a list. Blocks until an element is " +
      "available otherwise. Deletes the list if the last element was popped.",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    handler: (ctx) => bpopGeneric(ctx, false),
  },
  {
    name: "brpop",
    arity: -3,
    flags: ["write", "noscript", "blocking"],
    keys: [1, -2, 1],
    categories: BLOCKING_CATEGORIES,
    group: "list",
    summary: "Removes and returns the last element in a list. Blocks until an element is " +
      "available otherwise. Deletes the list if the last element was popped.",
    since: "2.0.0",
    complexity: "O(N) where N is the number of provided keys.",
    handler: (ctx) => bpopGeneric(ctx, true),
  },
  {
    name: "blmove",
    arity: 6,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    categories: BLOCKING_CATEGORIES,
    group: "list",
    summary: "Pops an element from a list, pushes it to another list and returns it. Blocks " +
      "until an element is available otherwise. Deletes the list if the last element was moved.",
    since: "6.2.0",
    handler: blmoveCommand,
  },
  {
    name: "brpoplpush",
    arity: 4,
    flags: ["write", "denyoom", "noscript", "blocking"],
    keys: [1, 2, 1],
    categories: BLOCKING_CATEGORIES,
    group: "list",
    summary: "Pops an element from a list, pushes it to another list and returns it. Block " +
      "until an element is available otherwise. Deletes the list if the last element was popped.",
    since: "2.2.0",
    handler: brpoplpushCommand,
  },
  {
    name: "blmpop",
    arity: -5,
    flags: ["write", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    categories: BLOCKING_CATEGORIES,
    group: "list",
    summary: "Pops the first element from one of multiple lists. Blocks until an element is " +
      "available otherwise. Deletes the list if the last element was popped.",
    since: "7.0.0",
    complexity: "O(N+M) where N is the number of provided keys and M is the number of " +
      "elements returned.",
    handler: blmpopCommand,
  },
];
