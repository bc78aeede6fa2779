// String commands. Values stay bytes end to end: GET replies straight from a view into WASM
// memory, SET hands the request's own bytes to the engine. Read-modify-write commands (INCR,
// SETRANGE, …) read, compute in JS and write back with the TTL kept, which is what Redis does
// observably; the engine stays a store of bytes with no string arithmetic of its own.

import { INT64_MAX, INT64_MIN, isWord, latin1, parseInt64, utf8 } from "../bytes.ts";
import { addLongDouble, formatLongDoubleHuman, parseLongDouble } from "../long_double.ts";
import {
  SET_ENCODING_NOT_INT,
  SET_ENCODING_RAW,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  ValueType,
} from "../engine/mod.ts";
import {
  ERR_NOT_FLOAT,
  ERR_NOT_INTEGER,
  ERR_OVERFLOW,
  ERR_SYNTAX,
  fail,
  wrongArity,
} from "../errors.ts";
import { expireAtMsArg, ExpireUnit, int64Arg, intArg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { expireOrDelete } from "./keys.ts";
import { countRead } from "./_keyspace_stats.ts";

const STRING_CATEGORIES = ["write", "string"];

/** Longest stored string that still parses as an integer for INCR (as Redis's 20-char limit). */
const INT_TEXT_LEN_MAX = 20;

/**
 * A string read (Redis's lookupKeyRead), counted as a keyspace hit or miss; a key of another
 * type throws WRONGTYPE, which the dispatcher counts as a hit (_keyspace_stats.ts).
 */
function readString(ctx: CommandContext, key: Uint8Array): Uint8Array | null {
  const value = ctx.server.engine.getString(ctx.client.db, key, ctx.nowMs);
  countRead(ctx.server, value !== null);
  return value;
}

function getCommand(ctx: CommandContext): void {
  const value = readString(ctx, ctx.argv[1]);
  if (value === null) ctx.out.nullBulk();
  else ctx.out.bulk(value);
}

// --- SET and its relatives ---

const FLAG_EX = 1 << 4;
const FLAG_PX = 1 << 5;
const FLAG_EXAT = 1 << 6;
const FLAG_PXAT = 1 << 7;
const FLAG_GET = 1 << 8;
const FLAG_PERSIST = 1 << 9;
const EXPIRE_FLAGS = FLAG_EX | FLAG_PX | FLAG_EXAT | FLAG_PXAT;

interface ExtendedStringArgs {
  flags: number;
  expireArg: Uint8Array | null;
}

/**
 * Parses SET/GETEX options from argv[start]: NX XX GET EX PX EXAT PXAT KEEPTTL PERSIST with
 * Redis's compatibility rules; any conflict or unknown word is a syntax error.
 */
function parseExtendedArgs(argv: Uint8Array[], start: number, forSet: boolean): ExtendedStringArgs {
  let flags = 0;
  let expireArg: Uint8Array | null = null;
  for (let i = start; i < argv.length; i++) {
    const opt = argv[i];
    const next = i + 1 < argv.length ? argv[i + 1] : null;
    const noExpire = (flags & (EXPIRE_FLAGS | SET_KEEPTTL | FLAG_PERSIST)) === 0;
    if (forSet && isWord(opt, "nx") && !(flags & SET_XX)) flags |= SET_NX;
    else if (forSet && isWord(opt, "xx") && !(flags & SET_NX)) flags |= SET_XX;
    else if (forSet && isWord(opt, "get")) flags |= FLAG_GET;
    else if (forSet && isWord(opt, "keepttl") && noExpire) flags |= SET_KEEPTTL;
    else if (!forSet && isWord(opt, "persist") && noExpire) flags |= FLAG_PERSIST;
    else if (noExpire && next !== null && isWord(opt, "ex")) {
      flags |= FLAG_EX;
      expireArg = next;
      i++;
    } else if (noExpire && next !== null && isWord(opt, "px")) {
      flags |= FLAG_PX;
      expireArg = next;
      i++;
    } else if (noExpire && next !== null && isWord(opt, "exat")) {
      flags |= FLAG_EXAT;
      expireArg = next;
      i++;
    } else if (noExpire && next !== null && isWord(opt, "pxat")) {
      flags |= FLAG_PXAT;
      expireArg = next;
      i++;
    } else fail(ERR_SYNTAX);
  }
  return { flags, expireArg };
}

function expireFromFlags(
  ctx: CommandContext,
  args: ExtendedStringArgs,
  commandName: string,
): number {
  if (args.expireArg === null) return 0;
  const unit = args.flags & (FLAG_EX | FLAG_EXAT) ? ExpireUnit.Seconds : ExpireUnit.Milliseconds;
  const relative = (args.flags & (FLAG_EX | FLAG_PX)) !== 0;
  return expireAtMsArg(args.expireArg, unit, relative, ctx.nowMs, commandName, true);
}

/** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ms|KEEPTTL] */
function setCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const args = argv.length > 3 ? parseExtendedArgs(argv, 3, true) : { flags: 0, expireArg: null };
  const expireAtMs = expireFromFlags(ctx, args, "set");
  let old: Uint8Array | null = null;
  if (args.flags & FLAG_GET) {
    const view = readString(ctx, argv[1]); // Redis's SET … GET reads with lookupKeyRead
    old = view === null ? null : view.slice();
  }
  const written = server.engine.set(
    client.db,
    argv[1],
    argv[2],
    expireAtMs,
    args.flags & (SET_NX | SET_XX | SET_KEEPTTL),
    ctx.nowMs,
  );
  if (written) server.keyModified(client.db, argv[1]);
  if (written && expireAtMs !== 0) {
    // A relative expiry replays as an absolute one, or a late replay would extend it.
    const keep = args.flags & (SET_NX | SET_XX);
    ctx.propagateAs = [[
      "SET",
      argv[1],
      argv[2],
      "PXAT",
      String(expireAtMs),
      ...(keep & SET_NX ? ["NX"] : keep & SET_XX ? ["XX"] : []),
    ]];
  }
  if (args.flags & FLAG_GET) {
    if (old === null) ctx.out.nullBulk();
    else ctx.out.bulk(old);
  } else if (written) ctx.out.simple("OK");
  else ctx.out.nullBulk();
}

function setnxCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const written = server.engine.set(client.db, argv[1], argv[2], 0, SET_NX, ctx.nowMs);
  if (written) server.keyModified(client.db, argv[1]);
  ctx.out.integer(written ? 1 : 0);
}

function setexGeneric(ctx: CommandContext, unit: ExpireUnit, name: string): void {
  const { argv, server, client } = ctx;
  const expireAtMs = expireAtMsArg(argv[2], unit, true, ctx.nowMs, name, true);
  server.engine.set(client.db, argv[1], argv[3], expireAtMs, 0, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.propagateAs = [["SET", argv[1], argv[3], "PXAT", String(expireAtMs)]];
  ctx.out.simple("OK");
}

function getsetCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const view = readString(ctx, argv[1]);
  const old = view === null ? null : view.slice();
  server.engine.set(client.db, argv[1], argv[2], 0, 0, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  if (old === null) ctx.out.nullBulk();
  else ctx.out.bulk(old);
}

function getdelCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const view = readString(ctx, argv[1]);
  if (view === null) return ctx.out.nullBulk();
  ctx.out.bulk(view);
  server.engine.del(client.db, argv[1], ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.propagateAs = [["DEL", argv[1]]]; // replicas replay the deletion, not the read
}

/** GETEX key [EX s|PX ms|EXAT ts|PXAT ms|PERSIST] */
function getexCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const args = parseExtendedArgs(argv, 2, false);
  const expireAtMs = expireFromFlags(ctx, args, "getex");
  const view = readString(ctx, argv[1]);
  if (view === null) return ctx.out.nullBulk();
  ctx.out.bulk(view);
  if (args.expireArg !== null) {
    expireOrDelete(ctx, argv[1], expireAtMs);
  } else if (args.flags & FLAG_PERSIST) {
    if (server.engine.persist(client.db, argv[1], ctx.nowMs)) {
      server.keyModified(client.db, argv[1]);
      ctx.propagateAs = [["PERSIST", argv[1]]];
    }
  }
}

function mgetCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  out.arrayHeader(argv.length - 1);
  for (let i = 1; i < argv.length; i++) {
    // MGET answers nil for keys of other types rather than failing the whole call.
    const type = server.engine.typeOf(client.db, argv[i], ctx.nowMs);
    const value = type === ValueType.String
      ? server.engine.getString(client.db, argv[i], ctx.nowMs)
      : null;
    // A key of another type is a hit for Redis's lookupKeyRead, then answered nil.
    countRead(server, type >= 0);
    if (value === null) out.nullBulk();
    else out.bulk(value);
  }
}

function msetGeneric(ctx: CommandContext, nx: boolean): void {
  const { argv, server, client } = ctx;
  if (argv.length % 2 === 0) throw wrongArity(nx ? "msetnx" : "mset");
  if (nx) {
    for (let i = 1; i < argv.length; i += 2) {
      if (server.engine.exists(client.db, argv[i], ctx.nowMs)) return ctx.out.integer(0);
    }
  }
  for (let i = 1; i < argv.length; i += 2) {
    server.engine.set(client.db, argv[i], argv[i + 1], 0, 0, ctx.nowMs);
    server.keyModified(client.db, argv[i]);
  }
  if (nx) ctx.out.integer(1);
  else ctx.out.simple("OK");
}

// --- counters ---

const INT64_TEXT_CACHE = new Map<bigint, Uint8Array>();

function int64Bytes(value: bigint): Uint8Array {
  if (value >= 0n && value < 10000n) {
    let cached = INT64_TEXT_CACHE.get(value);
    if (!cached) INT64_TEXT_CACHE.set(value, cached = utf8(value.toString()));
    return cached;
  }
  return utf8(value.toString());
}

function incrGeneric(ctx: CommandContext, delta: bigint): void {
  const { argv, server, client } = ctx;
  const view = server.engine.getString(client.db, argv[1], ctx.nowMs);
  let current = 0n;
  if (view !== null) {
    const parsed = view.length <= INT_TEXT_LEN_MAX ? parseInt64(view) : null;
    if (parsed === null) fail(ERR_NOT_INTEGER);
    current = parsed;
  }
  const next = current + delta;
  if (next > INT64_MAX || next < INT64_MIN) fail(ERR_OVERFLOW);
  server.engine.set(client.db, argv[1], int64Bytes(next), 0, SET_KEEPTTL, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.out.integer(next);
}

function decrbyCommand(ctx: CommandContext): void {
  const delta = int64Arg(ctx.argv[2]);
  if (delta === INT64_MIN) fail("ERR decrement would overflow");
  incrGeneric(ctx, -delta);
}

function incrbyfloatCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const view = server.engine.getString(client.db, argv[1], ctx.nowMs);
  const current = view === null ? parseLongDouble("0") : parseLongDouble(latin1(view));
  const increment = parseLongDouble(latin1(argv[2]));
  if (current === null || increment === null) fail(ERR_NOT_FLOAT);
  const next = addLongDouble(current, increment);
  if (next.infinite) fail("ERR increment would produce NaN or Infinity");
  const text = utf8(formatLongDoubleHuman(next));
  server.engine.set(client.db, argv[1], text, 0, SET_KEEPTTL | SET_ENCODING_NOT_INT, ctx.nowMs);
  // A float sum can come out differently on another machine: replicate the result.
  ctx.propagateAs = [["SET", argv[1], text, "KEEPTTL"]];
  server.keyModified(client.db, argv[1]);
  ctx.out.bulk(text);
}

// --- substrings ---

/** SETRANGE and APPEND refuse to build strings beyond proto-max-bulk-len, as Redis does. */
function checkStringLength(ctx: CommandContext, totalBytes: number): void {
  if (totalBytes > ctx.server.config.getNumber("proto-max-bulk-len")) {
    fail("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  }
}

function appendCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const view = server.engine.getString(client.db, argv[1], ctx.nowMs);
  checkStringLength(ctx, (view?.length ?? 0) + argv[2].length);
  const length = server.engine.append(client.db, argv[1], argv[2], ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.out.integer(length);
}

function strlenCommand(ctx: CommandContext): void {
  const view = readString(ctx, ctx.argv[1]);
  ctx.out.integer(view === null ? 0 : view.length);
}

function getrangeCommand(ctx: CommandContext): void {
  let start = intArg(ctx.argv[2]);
  let end = intArg(ctx.argv[3]);
  const view = readString(ctx, ctx.argv[1]);
  const empty = new Uint8Array(0);
  if (view === null) return ctx.out.bulk(empty);
  const length = view.length;
  if (start < 0 && end < 0 && start > end) return ctx.out.bulk(empty);
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= length) end = length - 1;
  if (start > end || length === 0) return ctx.out.bulk(empty);
  ctx.out.bulk(view.subarray(start, end + 1));
}

function setrangeCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const offset = intArg(argv[2]);
  if (offset < 0) fail("ERR offset is out of range");
  const patch = argv[3];
  const view = server.engine.getString(client.db, argv[1], ctx.nowMs);
  if (view === null) {
    if (patch.length === 0) return ctx.out.integer(0);
    checkStringLength(ctx, offset + patch.length);
    const created = new Uint8Array(offset + patch.length);
    created.set(patch, offset);
    server.engine.set(client.db, argv[1], created, 0, SET_ENCODING_RAW, ctx.nowMs);
    server.keyModified(client.db, argv[1]);
    return ctx.out.integer(created.length);
  }
  if (patch.length === 0) return ctx.out.integer(view.length);
  checkStringLength(ctx, offset + patch.length);
  const length = Math.max(view.length, offset + patch.length);
  const updated = new Uint8Array(length);
  updated.set(view);
  updated.set(patch, offset);
  server.engine.set(client.db, argv[1], updated, 0, SET_KEEPTTL | SET_ENCODING_RAW, ctx.nowMs);
  server.keyModified(client.db, argv[1]);
  ctx.out.integer(length);
}

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence
 * of two strings (a missing key is ""), by the textbook dynamic-programming table Redis 7.0
 * builds. Replies the subsequence; with LEN its length; with IDX a map {matches, len} whose
 * matches are the matched ranges, last first, as [[aStart, aEnd], [bStart, bEnd], (len)].
 * Errors: a key of another type, LEN with IDX, a table larger than proto-max-bulk-len.
 */
function lcsCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  // As Redis: both keys are looked up (and counted) before either's type is checked.
  const typeA = server.engine.typeOf(client.db, argv[1], ctx.nowMs);
  const typeB = server.engine.typeOf(client.db, argv[2], ctx.nowMs);
  countRead(server, typeA >= 0);
  countRead(server, typeB >= 0);
  for (const type of [typeA, typeB]) {
    if (type >= 0 && type !== ValueType.String) {
      fail("ERR The specified keys must contain string values");
    }
  }
  // Copies: a second read may move the first view's memory.
  const a = server.engine.getString(client.db, argv[1], ctx.nowMs)?.slice() ?? new Uint8Array(0);
  const b = server.engine.getString(client.db, argv[2], ctx.nowMs)?.slice() ?? new Uint8Array(0);
  let getLen = false;
  let getIdx = false;
  let withMatchLen = false;
  let minMatchLen = 0;
  for (let j = 3; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (isWord(argv[j], "idx")) getIdx = true;
    else if (isWord(argv[j], "len")) getLen = true;
    else if (isWord(argv[j], "withmatchlen")) withMatchLen = true;
    else if (isWord(argv[j], "minmatchlen") && moreArgs > 0) {
      const value = parseInt64(argv[++j]);
      if (value === null) fail(ERR_NOT_INTEGER);
      minMatchLen = value < 0n ? 0 : Number(value);
    } else fail(ERR_SYNTAX);
  }
  if (getLen && getIdx) fail("ERR If you want both the length and indexes, please just use IDX.");
  const aLen = a.length;
  const bLen = b.length;
  const cellCount = (aLen + 1) * (bLen + 1);
  if (cellCount * 4 > server.config.getNumber("proto-max-bulk-len")) {
    fail("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
  }
  // table[j + (bLen + 1) * i]: the LCS length of a[0..i) and b[0..j).
  const stride = bLen + 1;
  const table = new Uint32Array(cellCount);
  for (let i = 1; i <= aLen; i++) {
    for (let j = 1; j <= bLen; j++) {
      table[j + stride * i] = a[i - 1] === b[j - 1]
        ? table[j - 1 + stride * (i - 1)] + 1
        : Math.max(table[j + stride * (i - 1)], table[j - 1 + stride * i]);
    }
  }
  const lcsLen = table[bLen + stride * aLen];
  if (getLen) return out.integer(lcsLen);
  // Walk back from the end, collecting the subsequence and its contiguous ranges.
  const result = new Uint8Array(lcsLen);
  const ranges: number[][] = [];
  let idx = lcsLen;
  let aStart = aLen; // aLen: no range open
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = aLen;
  let j = bLen;
  while (i > 0 && j > 0) {
    let emitRange = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (aStart === aLen) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emitRange = true;
      }
      if (aStart === 0 || bStart === 0) emitRange = true;
      idx--;
      i--;
      j--;
    } else {
      if (table[j + stride * (i - 1)] > table[j - 1 + stride * i]) i--;
      else j--;
      if (aStart !== aLen) emitRange = true;
    }
    if (emitRange) {
      const matchLen = aEnd - aStart + 1;
      if (minMatchLen === 0 || matchLen >= minMatchLen) {
        ranges.push([aStart, aEnd, bStart, bEnd, matchLen]);
      }
      aStart = aLen;
    }
  }
  if (!getIdx) return out.bulk(result);
  out.mapHeader(2);
  out.bulk(utf8("matches"));
  out.arrayHeader(ranges.length);
  for (const [aFrom, aTo, bFrom, bTo, matchLen] of ranges) {
    out.arrayHeader(withMatchLen ? 3 : 2);
    out.arrayHeader(2);
    out.integer(aFrom);
    out.integer(aTo);
    out.arrayHeader(2);
    out.integer(bFrom);
    out.integer(bTo);
    if (withMatchLen) out.integer(matchLen);
  }
  out.bulk(utf8("len"));
  out.integer(lcsLen);
}

const W = ["write", "denyoom"];
const R = ["readonly", "fast"];

export const STRING_COMMANDS: CommandDefinition[] = [
  {
    name: "get",
    arity: 2,
    flags: R,
    keys: [1, 1, 1],
    categories: ["read", "string", "fast"],
    group: "string",
    summary: "Returns the string value of a key.",
    handler: getCommand,
  },
  {
    name: "set",
    arity: -3,
    flags: W,
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary:
      "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.",
    handler: setCommand,
  },
  {
    name: "setnx",
    arity: 3,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Set the string value of a key only when the key doesn't exist.",
    handler: setnxCommand,
  },
  {
    name: "setex",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Sets the string value and expiration time of a key.",
    since: "2.0.0",
    handler: (ctx) => setexGeneric(ctx, ExpireUnit.Seconds, "setex"),
  },
  {
    name: "psetex",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Sets both string value and expiration time in milliseconds of a key.",
    since: "2.6.0",
    handler: (ctx) => setexGeneric(ctx, ExpireUnit.Milliseconds, "psetex"),
  },
  {
    name: "getset",
    arity: 3,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Returns the previous string value of a key after setting it to a new value.",
    handler: getsetCommand,
  },
  {
    name: "getdel",
    arity: 2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Returns the string value of a key after deleting the key.",
    since: "6.2.0",
    handler: getdelCommand,
  },
  {
    name: "getex",
    arity: -2,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Returns the string value of a key after setting its expiration time.",
    since: "6.2.0",
    handler: getexCommand,
  },
  {
    name: "mget",
    arity: -2,
    flags: R,
    keys: [1, -1, 1],
    categories: ["read", "string", "fast"],
    group: "string",
    summary: "Atomically returns the string values of one or more keys.",
    handler: mgetCommand,
  },
  {
    name: "mset",
    arity: -3,
    flags: W,
    keys: [1, -1, 2],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Atomically creates or modifies the string values of one or more keys.",
    since: "1.0.1",
    handler: (ctx) => msetGeneric(ctx, false),
  },
  {
    name: "msetnx",
    arity: -3,
    flags: W,
    keys: [1, -1, 2],
    categories: STRING_CATEGORIES,
    group: "string",
    summary:
      "Atomically modifies the string values of one or more keys only when all keys don't exist.",
    since: "1.0.1",
    handler: (ctx) => msetGeneric(ctx, true),
  },
  {
    name: "incr",
    arity: 2,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Increments the integer value of a key by one.",
    handler: (ctx) => incrGeneric(ctx, 1n),
  },
  {
    name: "decr",
    arity: 2,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Decrements the integer value of a key by one.",
    handler: (ctx) => incrGeneric(ctx, -1n),
  },
  {
    name: "incrby",
    arity: 3,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Increments the integer value of a key by a number.",
    handler: (ctx) => incrGeneric(ctx, int64Arg(ctx.argv[2])),
  },
  {
    name: "decrby",
    arity: 3,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Decrements a number from the integer value of a key.",
    handler: decrbyCommand,
  },
  {
    name: "incrbyfloat",
    arity: 3,
    flags: [...W, "fast"],
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Increment the floating point value of a key by a number.",
    since: "2.6.0",
    handler: incrbyfloatCommand,
  },
  {
    name: "append",
    arity: 3,
    flags: W,
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Appends a string to the value of a key.",
    since: "2.0.0",
    handler: appendCommand,
  },
  {
    name: "strlen",
    arity: 2,
    flags: R,
    keys: [1, 1, 1],
    categories: ["read", "string", "fast"],
    group: "string",
    summary: "Returns the length of a string value.",
    since: "2.2.0",
    handler: strlenCommand,
  },
  {
    name: "getrange",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "string", "slow"],
    group: "string",
    summary: "Returns a substring of the string stored at a key.",
    since: "2.4.0",
    complexity: "O(N)",
    handler: getrangeCommand,
  },
  {
    name: "substr",
    arity: 4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    categories: ["read", "string", "slow"],
    group: "string",
    summary: "Returns a substring from a string value.",
    complexity: "O(N)",
    handler: getrangeCommand,
  },
  {
    name: "lcs",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 2, 1],
    categories: ["read", "string", "slow"],
    group: "string",
    summary: "Finds the longest common substring.",
    since: "7.0.0",
    complexity: "O(N*M) where N and M are the lengths of s1 and s2, respectively",
    handler: lcsCommand,
  },
  {
    name: "setrange",
    arity: 4,
    flags: W,
    keys: [1, 1, 1],
    categories: STRING_CATEGORIES,
    group: "string",
    summary: "Overwrites a part of a string value with another by an offset.",
    since: "2.2.0",
    handler: setrangeCommand,
  },
];
