// Set commands: argument checks in Redis 7.0's order with its exact error texts, reply shapes
// per protocol (RESP3 set type where Redis replies a set), and the keyspace bookkeeping after
// each write (keyModified; SPOP propagates as SREM of what it popped, because a replica must
// not draw its own random members). The engine half is core/engine/set.ts over
// wasm/assembly/set.ts, which also decides member order (an intset replies ascending, as
// Redis's does; other encodings have no promised order).

import { globMatch, INT64_MAX, isWord, latin1 } from "../bytes.ts";
import {
  setAdd,
  setAreMembers,
  setCardinality,
  setInterCard,
  setIsMember,
  setMembers,
  setMove,
  SetOperation,
  setOperation,
  setPop,
  setRandomMembers,
  setRemove,
  setScan,
  setStore,
} from "../engine/set.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { ERR_LIMIT_NEGATIVE, ERR_NOT_POSITIVE, ERR_NUMKEYS, int64RangeArg } from "./_args.ts";
import { replyScanPage, scanCursorArg, scanOptionsArg } from "./_scan.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { countRead, countReadOf, countReadsOf } from "./_keyspace_stats.ts";

const ERR_NUMKEYS_TOO_MANY = "ERR Number of keys can't be greater than number of args";

function writeMembers(ctx: CommandContext, members: readonly Uint8Array[], asSet: boolean): void {
  if (asSet) ctx.out.setHeader(members.length);
  else ctx.out.arrayHeader(members.length);
  for (const member of members) ctx.out.bulk(member);
}

/** SADD key member [member ...] */
function saddCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const added = setAdd(server.engine, client.db, argv[1], argv.slice(2), ctx.nowMs);
  if (added > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(added);
}

/** SREM key member [member ...] */
function sremCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const removed = setRemove(server.engine, client.db, argv[1], argv.slice(2), ctx.nowMs);
  if (removed > 0) server.keyModified(client.db, argv[1]);
  ctx.out.integer(removed);
}

/** SISMEMBER key member → 1 / 0 */
function sismemberCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const found = setIsMember(server.engine, client.db, argv[1], argv[2], ctx.nowMs);
  if (found) countRead(server, true);
  else countReadOf(ctx, argv[1]);
  ctx.out.integer(found ? 1 : 0);
}

/** SMISMEMBER key member [member ...] → array of 1 / 0 */
function smismemberCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const flags = setAreMembers(server.engine, client.db, argv[1], argv.slice(2), ctx.nowMs);
  if (flags.includes(true)) countRead(server, true);
  else countReadOf(ctx, argv[1]);
  ctx.out.arrayHeader(flags.length);
  for (const flag of flags) ctx.out.integer(flag ? 1 : 0);
}

/** SCARD key */
function scardCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const size = setCardinality(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, size > 0); // a set that exists is never empty
  ctx.out.integer(size);
}

/** SMEMBERS key (a set reply; an empty one for a missing key, as Redis 7.0's SINTER path) */
function smembersCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const members = setMembers(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, members !== null);
  writeMembers(ctx, members ?? [], true);
}

/**
 * SRANDMEMBER key [count]: without count a bulk (nil when missing); with count an array, of
 * distinct members for count ≥ 0, of |count| independent draws for count < 0.
 */
function srandmemberCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  if (argv.length > 3) fail(ERR_SYNTAX);
  if (argv.length === 2) {
    const members = setRandomMembers(server.engine, client.db, argv[1], 1, false, ctx.nowMs);
    countRead(server, members !== null);
    if (members === null) ctx.out.nullBulk();
    else ctx.out.bulk(members[0]);
    return;
  }
  const count = int64RangeArg(argv[2], -INT64_MAX, INT64_MAX);
  const unique = count >= 0n;
  const magnitude = Number(unique ? count : -count);
  const members = magnitude === 0
    ? checkSetOrMissing(ctx, argv[1])
    : setRandomMembers(server.engine, client.db, argv[1], magnitude, unique, ctx.nowMs);
  if (magnitude === 0) countReadOf(ctx, argv[1]);
  else countRead(server, members !== null);
  writeMembers(ctx, members ?? [], false);
}

/**
 * SPOP key [count]: without count a bulk (nil when missing); with count a set reply. The
 * replica gets SREM of the popped members instead of a command that would draw again.
 */
function spopCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  if (argv.length > 3) fail(ERR_SYNTAX);
  let count = 1;
  if (argv.length === 3) {
    count = Number(int64RangeArg(argv[2], 0n, INT64_MAX, ERR_NOT_POSITIVE));
  }
  const members = count === 0
    ? checkSetOrMissing(ctx, argv[1])
    : setPop(server.engine, client.db, argv[1], count, ctx.nowMs);
  if (members !== null && members.length > 0) {
    server.keyModified(client.db, argv[1]);
    ctx.propagateAs = [["SREM", argv[1], ...members]];
  }
  if (argv.length === 2) {
    if (members === null) ctx.out.nullBulk();
    else ctx.out.bulk(members[0]);
  } else {
    writeMembers(ctx, members ?? [], true);
  }
}

/** A count of 0: no members, but still WRONGTYPE for another type. */
function checkSetOrMissing(ctx: CommandContext, key: Uint8Array): Uint8Array[] {
  setCardinality(ctx.server.engine, ctx.client.db, key, ctx.nowMs);
  return [];
}

/** SMOVE source destination member → 1 moved / 0 */
function smoveCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const outcome = setMove(server.engine, client.db, argv[1], argv[2], argv[3], ctx.nowMs);
  const sameKey = latin1(argv[1]) === latin1(argv[2]);
  if (outcome !== 0 && !sameKey) {
    server.keyModified(client.db, argv[1]);
    if (outcome === 1) server.keyModified(client.db, argv[2]);
  }
  ctx.out.integer(outcome === 0 ? 0 : 1);
}

function setOpCommand(ctx: CommandContext, op: SetOperation): void {
  const { argv, server, client } = ctx;
  const members = setOperation(server.engine, client.db, argv.slice(1), op, ctx.nowMs);
  countReadsOf(ctx, argv, 1, argv.length);
  writeMembers(ctx, members, true);
}

function setStoreCommand(ctx: CommandContext, op: SetOperation): void {
  const { argv, server, client } = ctx;
  countReadsOf(ctx, argv, 2, argv.length); // Redis reads the sources before it writes
  const result = setStore(server.engine, client.db, argv[1], argv.slice(2), op, ctx.nowMs);
  if (result.dstChanged) server.keyModified(client.db, argv[1]);
  ctx.out.integer(result.size);
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercardCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const numkeys = int64RangeArg(argv[1], 1n, INT64_MAX, ERR_NUMKEYS);
  if (numkeys > BigInt(argv.length - 2)) fail(ERR_NUMKEYS_TOO_MANY);
  const keyEnd = 2 + Number(numkeys);
  let limit = 0;
  for (let i = keyEnd; i < argv.length; i++) {
    if (isWord(argv[i], "limit") && i + 1 < argv.length) {
      i++;
      limit = Number(int64RangeArg(argv[i], 0n, INT64_MAX, ERR_LIMIT_NEGATIVE));
    } else fail(ERR_SYNTAX);
  }
  const keys = argv.slice(2, keyEnd);
  const cardinality = setInterCard(server.engine, client.db, keys, limit, ctx.nowMs);
  countReadsOf(ctx, argv, 2, keyEnd);
  ctx.out.integer(cardinality);
}

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
function sscanCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const cursor = scanCursorArg(argv[2]);
  // Redis answers a missing key before it reads the options; WRONGTYPE comes first too.
  const probe = setCardinality(server.engine, client.db, argv[1], ctx.nowMs);
  countRead(server, probe > 0);
  if (probe === 0) return replyScanPage(out, 0, 0);
  const { count, pattern } = scanOptionsArg(argv, 3, false);
  const page = setScan(server.engine, client.db, argv[1], cursor, count, ctx.nowMs);
  const members = page === null
    ? []
    : pattern === null
    ? page.members
    : page.members.filter((member) => globMatch(pattern, member));
  replyScanPage(out, page === null ? 0 : page.cursor, members.length);
  for (const member of members) out.bulk(member);
}

const READ_FAST = ["readonly", "fast"];
const WRITE_FAST = ["write", "fast"];
const SET_GROUP = "set";

export const SET_COMMANDS: CommandDefinition[] = [
  {
    name: "sadd",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    categories: ["write", "set", "fast"],
    group: SET_GROUP,
    summary: "Add one or more members to a set",
    complexity:
      "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.",
    handler: saddCommand,
  },
  {
    name: "srem",
    arity: -3,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "set", "fast"],
    group: SET_GROUP,
    summary: "Remove one or more members from a set",
    complexity: "O(N) where N is the number of members to be removed.",
    handler: sremCommand,
  },
  {
    name: "sismember",
    arity: 3,
    flags: READ_FAST,
    keys: [1, 1, 1],
    categories: ["read", "set", "fast"],
    group: SET_GROUP,
    summary: "Determine if a given value is a member of a set",
    handler: sismemberCommand,
  },
  {
    name: "smismember",
    arity: -3,
    flags: READ_FAST,
    keys: [1, 1, 1],
    categories: ["read", "set", "fast"],
    group: SET_GROUP,
    summary: "Returns the membership associated with the given elements for a set",
    since: "6.2.0",
    complexity: "O(N) where N is the number of elements being checked for membership",
    handler: smismemberCommand,
  },
  {
    name: "scard",
    arity: 2,
    flags: READ_FAST,
    keys: [1, 1, 1],
    categories: ["read", "set", "fast"],
    group: SET_GROUP,
    summary: "Get the number of members in a set",
    handler: scardCommand,
  },
  {
    name: "smembers",
    arity: 2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Get all the members in a set",
    complexity: "O(N) where N is the set cardinality.",
    handler: smembersCommand,
  },
  {
    name: "srandmember",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Get one or multiple random members from a set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.",
    handler: srandmemberCommand,
  },
  {
    name: "spop",
    arity: -2,
    flags: WRITE_FAST,
    keys: [1, 1, 1],
    categories: ["write", "set", "fast"],
    group: SET_GROUP,
    summary: "Remove and return one or multiple random members from a set",
    complexity:
      "Without the count argument O(1), otherwise O(N) where N is the value of the passed count.",
    handler: spopCommand,
  },
  {
    name: "smove",
    arity: 4,
    flags: WRITE_FAST,
    keys: [1, 2, 1],
    categories: ["write", "set", "fast"],
    group: SET_GROUP,
    summary: "Move a member from one set to another",
    handler: smoveCommand,
  },
  {
    name: "sinter",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Intersect multiple sets",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    handler: (ctx) => setOpCommand(ctx, SetOperation.Inter),
  },
  {
    name: "sunion",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Add multiple sets",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    handler: (ctx) => setOpCommand(ctx, SetOperation.Union),
  },
  {
    name: "sdiff",
    arity: -2,
    flags: ["readonly"],
    keys: [1, -1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Subtract multiple sets",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    handler: (ctx) => setOpCommand(ctx, SetOperation.Diff),
  },
  {
    name: "sinterstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    categories: ["write", "set", "slow"],
    group: SET_GROUP,
    summary: "Intersect multiple sets and store the resulting set in a key",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    handler: (ctx) => setStoreCommand(ctx, SetOperation.Inter),
  },
  {
    name: "sunionstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    categories: ["write", "set", "slow"],
    group: SET_GROUP,
    summary: "Add multiple sets and store the resulting set in a key",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    handler: (ctx) => setStoreCommand(ctx, SetOperation.Union),
  },
  {
    name: "sdiffstore",
    arity: -3,
    flags: ["write", "denyoom"],
    keys: [1, -1, 1],
    categories: ["write", "set", "slow"],
    group: SET_GROUP,
    summary: "Subtract multiple sets and store the resulting set in a key",
    complexity: "O(N) where N is the total number of elements in all given sets.",
    handler: (ctx) => setStoreCommand(ctx, SetOperation.Diff),
  },
  {
    name: "sintercard",
    arity: -3,
    flags: ["readonly", "movablekeys"],
    keys: [0, 0, 0],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Intersect multiple sets and return the cardinality of the result",
    since: "7.0.0",
    complexity:
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.",
    handler: sintercardCommand,
  },
  {
    name: "sscan",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "set", "slow"],
    group: SET_GROUP,
    summary: "Incrementally iterate Set elements",
    since: "2.8.0",
    complexity:
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..",
    handler: sscanCommand,
  },
];
