// Generic keyspace commands: existence, deletion, expiry, renaming, iteration and the database
// switches (SELECT lives with connection commands). Expiry options follow Redis 7.0's
// NX/XX/GT/LT rules, where "no TTL" counts as an infinite TTL for GT and LT.

import { bytesEqual, globMatch, isWord, latin1, lowerName, parseInt64 } from "../bytes.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { countLazyfreeOfKey, flushAllLazily, flushDbLazily } from "./lazyfree.ts";
import { DB_COUNT, ENCODING_HINT_NOT_INT, ENCODING_HINT_RAW, ValueType } from "../engine/mod.ts";
import { ERR_DB_INDEX, ERR_NO_SUCH_KEY, ERR_SYNTAX, fail } from "../errors.ts";
import { dbIndexArg, expireAtMsArg, ExpireUnit } from "./_args.ts";
import { replyScanPage, scanCursorArg, scanOptionsArg } from "./_scan.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { writeHelp } from "./_help.ts";
import { countRead } from "./_keyspace_stats.ts";

/** TYPE / SCAN TYPE names by engine tag. */
export const TYPE_NAMES: Record<number, string> = {
  [ValueType.String]: "string",
  [ValueType.List]: "list",
  [ValueType.Set]: "set",
  [ValueType.Zset]: "zset",
  [ValueType.Hash]: "hash",
  [ValueType.Stream]: "stream",
};

function typeTagFromName(name: string): number {
  for (const [tag, typeName] of Object.entries(TYPE_NAMES)) {
    if (typeName === name) return Number(tag);
  }
  return -2; // a type no key has: SCAN TYPE with an unknown name returns nothing, as Redis does
}

function delCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  let deleted = 0;
  // UNLINK (and DEL under lazyfree-lazy-user-del) hands big values to the lazy-free queue.
  const lazy = ctx.spec.fullName === "unlink" || server.config.getBool("lazyfree-lazy-user-del");
  for (let i = 1; i < argv.length; i++) {
    if (lazy) countLazyfreeOfKey(server, client.db, argv[i], ctx.nowMs);
    const removed = lazy
      ? server.engine.unlink(client.db, argv[i], ctx.nowMs)
      : server.engine.del(client.db, argv[i], ctx.nowMs);
    if (removed) {
      deleted++;
      server.keyModified(client.db, argv[i]);
    }
  }
  if (lazy) server.lazyFree.kick();
  ctx.out.integer(deleted);
}

/**
 * A handler whose key lookups do not count as a use of the key (Redis's LOOKUP_NOTOUCH):
 * EXISTS, TYPE, TTL, PTTL, EXPIRETIME, PEXPIRETIME and OBJECT leave OBJECT IDLETIME / FREQ as
 * they were.
 */
function withoutTouch(
  handler: (ctx: CommandContext) => void,
): (ctx: CommandContext) => void {
  return (ctx) => ctx.server.engine.withoutTouch(() => handler(ctx));
}

function existsCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  let count = 0;
  for (let i = 1; i < argv.length; i++) {
    const found = server.engine.exists(client.db, argv[i], ctx.nowMs);
    countRead(server, found);
    if (found) count++;
  }
  ctx.out.integer(count);
}

function typeCommand(ctx: CommandContext): void {
  const tag = ctx.server.engine.typeOf(ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, tag >= 0);
  ctx.out.simple(tag < 0 ? "none" : TYPE_NAMES[tag] ?? "unknown");
}

/** Every live key of a db, each once (SCAN may repeat keys while the table rehashes). */
function forEachKey(ctx: CommandContext, db: number, visit: (key: Uint8Array) => void): void {
  const seen = new Set<string>();
  let cursor = 0;
  do {
    const page = ctx.server.engine.scan(db, cursor, 1000, -1, ctx.nowMs);
    for (const key of page.keys) {
      const tag = latin1(key);
      if (seen.has(tag)) continue;
      seen.add(tag);
      visit(key);
    }
    cursor = page.cursor;
  } while (cursor !== 0);
}

function keysCommand(ctx: CommandContext): void {
  const pattern = ctx.argv[1];
  const matchAll = pattern.length === 1 && pattern[0] === 42;
  const found: Uint8Array[] = [];
  forEachKey(ctx, ctx.client.db, (key) => {
    if (matchAll || globMatch(pattern, key)) found.push(key);
  });
  ctx.out.arrayHeader(found.length);
  for (const key of found) ctx.out.bulk(key);
}

/** A time before every TTL: the engine's scan then lists stored keys, expired or not. */
const BEFORE_EVERY_TTL_MS = 0;

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scanCommand(ctx: CommandContext): void {
  const { argv, server, client, out } = ctx;
  const cursor = scanCursorArg(argv[1]);
  const { count, pattern, type } = scanOptionsArg(argv, 2, true);
  const typeFilter = type === null ? -1 : typeTagFromName(lowerName(type));
  // As Redis, the page holds expired keys too (counted against COUNT); each that passes the
  // pattern is then looked up, which deletes it lazily (a DEL for replicas) and leaves it out.
  const page = typeFilter === -2
    ? server.engine.scan(client.db, cursor, count, -1, BEFORE_EVERY_TTL_MS)
    : server.engine.scan(client.db, cursor, count, typeFilter, BEFORE_EVERY_TTL_MS);
  const keys = typeFilter === -2
    ? []
    : page.keys.filter((k) =>
      (pattern === null || globMatch(pattern, k)) && server.engine.exists(client.db, k, ctx.nowMs)
    );
  replyScanPage(out, page.cursor, keys.length);
  for (const key of keys) out.bulk(key);
}

function randomkeyCommand(ctx: CommandContext): void {
  const key = ctx.server.engine.randomKey(ctx.client.db, ctx.nowMs);
  if (key === null) ctx.out.nullBulk();
  else ctx.out.bulk(key);
}

function renameGeneric(ctx: CommandContext, nx: boolean): void {
  const { argv, server, client } = ctx;
  if (bytesEqual(argv[1], argv[2])) {
    if (!server.engine.exists(client.db, argv[1], ctx.nowMs)) fail(ERR_NO_SUCH_KEY);
    return nx ? ctx.out.integer(0) : ctx.out.simple("OK");
  }
  const result = server.engine.rename(client.db, argv[1], client.db, argv[2], nx, ctx.nowMs);
  if (result < 0) fail(ERR_NO_SUCH_KEY);
  if (result === 1) {
    server.keyModified(client.db, argv[1]);
    server.keyModified(client.db, argv[2]);
  }
  if (nx) ctx.out.integer(result);
  else ctx.out.simple("OK");
}

// --- expiry ---

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/** EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT] */
function expireGeneric(
  ctx: CommandContext,
  unit: ExpireUnit,
  relative: boolean,
  name: string,
): void {
  const { argv, server, client } = ctx;
  let flags = 0;
  for (let i = 3; i < argv.length; i++) {
    if (isWord(argv[i], "nx")) flags |= EXPIRE_NX;
    else if (isWord(argv[i], "xx")) flags |= EXPIRE_XX;
    else if (isWord(argv[i], "gt")) flags |= EXPIRE_GT;
    else if (isWord(argv[i], "lt")) flags |= EXPIRE_LT;
    else fail(`ERR Unsupported option ${latin1(argv[i])}`);
  }
  if ((flags & EXPIRE_NX) && (flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
    fail("ERR NX and XX, GT or LT options at the same time are not compatible");
  }
  if ((flags & EXPIRE_GT) && (flags & EXPIRE_LT)) {
    fail("ERR GT and LT options at the same time are not compatible");
  }
  const expireAtMs = expireAtMsArg(argv[2], unit, relative, ctx.nowMs, name, false);
  const current = server.engine.getExpireAtMs(client.db, argv[1], ctx.nowMs);
  if (current === -2) return ctx.out.integer(0);
  if (flags) {
    const hasTtl = current !== -1;
    if ((flags & EXPIRE_NX) && hasTtl) return ctx.out.integer(0);
    if ((flags & EXPIRE_XX) && !hasTtl) return ctx.out.integer(0);
    if ((flags & EXPIRE_GT) && (!hasTtl || expireAtMs <= current)) return ctx.out.integer(0);
    if ((flags & EXPIRE_LT) && hasTtl && expireAtMs >= current) return ctx.out.integer(0);
  }
  expireOrDelete(ctx, argv[1], expireAtMs);
  ctx.out.integer(1);
}

/**
 * Gives the existing `key` the expiry time `expireAtMs` (absolute, ms), or deletes it when that
 * time has passed, as EXPIRE and GETEX do in Redis, and reports the write. Replicas and the AOF
 * get PEXPIREAT with the absolute time, whatever form the command took, or DEL.
 */
export function expireOrDelete(ctx: CommandContext, key: Uint8Array, requestedAtMs: number): void {
  const { server, client } = ctx;
  // Redis keeps any long long; a time past 2^53 ms (the year 287396) is beyond exact JS
  // numbers and is held as the largest exact one, which expires just as never.
  const expireAtMs = Math.min(requestedAtMs, Number.MAX_SAFE_INTEGER);
  if (expireAtMs <= ctx.nowMs) {
    server.engine.del(client.db, key, ctx.nowMs);
    ctx.propagateAs = [["DEL", key]];
  } else {
    server.engine.setExpireAtMs(client.db, key, expireAtMs, ctx.nowMs);
    ctx.propagateAs = [["PEXPIREAT", key, String(expireAtMs)]];
  }
  server.keyModified(client.db, key);
}

/** getExpireAtMs's answer for a missing key (TTL's -2). */
const EXPIRE_AT_MISSING = -2;

function ttlGeneric(ctx: CommandContext, ms: boolean): void {
  const at = ctx.server.engine.getExpireAtMs(ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, at !== EXPIRE_AT_MISSING);
  if (at < 0) return ctx.out.integer(at);
  const ttlMs = Math.max(0, at - ctx.nowMs);
  ctx.out.integer(ms ? ttlMs : Math.floor((ttlMs + 500) / 1000));
}

function expiretimeGeneric(ctx: CommandContext, ms: boolean): void {
  const at = ctx.server.engine.getExpireAtMs(ctx.client.db, ctx.argv[1], ctx.nowMs);
  countRead(ctx.server, at !== EXPIRE_AT_MISSING);
  if (at < 0) return ctx.out.integer(at);
  ctx.out.integer(ms ? at : Math.floor(at / 1000));
}

function persistCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const removed = server.engine.persist(client.db, argv[1], ctx.nowMs);
  if (removed) server.keyModified(client.db, argv[1]);
  ctx.out.integer(removed ? 1 : 0);
}

/** Engine.copy's answer when the source key is missing. */
const COPY_NO_SOURCE = -1;

/** COPY source destination [DB destination-db] [REPLACE] */
function copyCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  let dstDb = client.db;
  let replace = false;
  for (let i = 3; i < argv.length; i++) {
    if (isWord(argv[i], "replace")) replace = true;
    else if (isWord(argv[i], "db") && i + 1 < argv.length) {
      dstDb = dbIndexArg(argv[++i]);
    } else fail(ERR_SYNTAX);
  }
  if (dstDb === client.db && latin1(argv[1]) === latin1(argv[2])) {
    fail("ERR source and destination objects are the same");
  }
  const result = server.engine.copy(client.db, argv[1], dstDb, argv[2], replace, ctx.nowMs);
  countRead(server, result !== COPY_NO_SOURCE); // Redis reads the source with lookupKeyRead
  if (result === 1) server.keyModified(dstDb, argv[2]);
  ctx.out.integer(result === 1 ? 1 : 0);
}

function moveCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  const dstDb = dbIndexArg(argv[2]);
  if (dstDb === client.db) fail("ERR source and destination objects are the same");
  const result = server.engine.rename(client.db, argv[1], dstDb, argv[1], true, ctx.nowMs);
  if (result === 1) {
    server.keyModified(client.db, argv[1]);
    server.keyModified(dstDb, argv[1]);
  }
  ctx.out.integer(result === 1 ? 1 : 0);
}

function dbsizeCommand(ctx: CommandContext): void {
  ctx.out.integer(ctx.server.engine.dbSize(ctx.client.db));
}

/** FLUSHALL / FLUSHDB [ASYNC | SYNC]: true for ASYNC, or no mode under lazyfree-lazy-user-flush. */
function flushMode(ctx: CommandContext): boolean {
  if (ctx.argv.length > 2) fail(ERR_SYNTAX);
  if (ctx.argv.length === 2 && !isWord(ctx.argv[1], "async") && !isWord(ctx.argv[1], "sync")) {
    fail(ERR_SYNTAX);
  }
  if (ctx.argv.length === 2) return isWord(ctx.argv[1], "async");
  return ctx.server.config.getBool("lazyfree-lazy-user-flush");
}

function flushdbCommand(ctx: CommandContext): void {
  const lazy = flushMode(ctx);
  // Watchers are judged while the keys are still there (Redis's signalFlushedDb).
  ctx.server.touchWatchedDb(ctx.client.db, null, ctx.nowMs);
  if (lazy) flushDbLazily(ctx.server, ctx.client.db);
  else ctx.server.engine.flushDb(ctx.client.db);
  ctx.server.dbModified(ctx.client.db);
  ctx.server.tracking.invalidateAll(ctx.server.clients.values());
  ctx.out.simple("OK");
}

function flushallCommand(ctx: CommandContext): void {
  const lazy = flushMode(ctx);
  for (let db = 0; db < DB_COUNT; db++) ctx.server.touchWatchedDb(db, null, ctx.nowMs);
  if (lazy) flushAllLazily(ctx.server);
  else ctx.server.engine.flushAll();
  for (let db = 0; db < DB_COUNT; db++) ctx.server.dbModified(db);
  ctx.server.tracking.invalidateAll(ctx.server.clients.values());
  ctx.out.simple("OK");
}

function swapdbCommand(ctx: CommandContext): void {
  const first = parseInt64(ctx.argv[1]);
  if (first === null || first > 2147483647n || first < -2147483648n) {
    fail("ERR invalid first DB index");
  }
  const second = parseInt64(ctx.argv[2]);
  if (second === null || second > 2147483647n || second < -2147483648n) {
    fail("ERR invalid second DB index");
  }
  const a = Number(first);
  const b = Number(second);
  if (a < 0 || a >= DB_COUNT || b < 0 || b >= DB_COUNT) fail(ERR_DB_INDEX);
  if (a !== b) {
    ctx.server.touchWatchedDb(a, b, ctx.nowMs);
    ctx.server.touchWatchedDb(b, a, ctx.nowMs);
    ctx.server.engine.swapDb(a, b);
    ctx.server.dbModified(a);
    ctx.server.dbModified(b);
  }
  ctx.out.simple("OK");
}

/** Values that Redis would keep in its shared integer encoding (a long, canonical text). */
function isIntEncodable(value: Uint8Array): boolean {
  return value.length <= 20 && parseInt64(value) !== null;
}

/** Strings up to this length are "embstr" in Redis (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LEN_MAX = 44;

function objectEncodingCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  const tag = server.engine.typeOf(client.db, argv[2], ctx.nowMs);
  countRead(server, tag >= 0);
  if (tag < 0) return ctx.out.nullBulk();
  if (tag === ValueType.String) {
    const hint = server.engine.encodingHint(client.db, argv[2], ctx.nowMs);
    if (hint & ENCODING_HINT_RAW) return ctx.out.bulkString("raw");
    const value = server.engine.getString(client.db, argv[2], ctx.nowMs)!;
    if (!(hint & ENCODING_HINT_NOT_INT) && isIntEncodable(value)) return ctx.out.bulkString("int");
    return ctx.out.bulkString(value.length <= EMBSTR_LEN_MAX ? "embstr" : "raw");
  }
  ctx.out.bulkString(collectionEncoding(server.engine, tag, client.db, argv[2], ctx.nowMs));
}

/** OBJ_SHARED_REFCOUNT: the count Redis reports for its shared objects (INT_MAX, never freed). */
const SHARED_REFCOUNT = 2147483647;
/** OBJ_SHARED_INTEGERS: Redis keeps one shared object for each integer 0 … 9999. */
const SHARED_INTEGERS_COUNT = 10000;

/**
 * OBJECT REFCOUNT key: what Redis reports. Values are not shared here, but Redis stores a string
 * holding an integer in 0 … 9999 as its shared object (SHARED_REFCOUNT) unless maxmemory is set
 * with an LRU or LFU policy (the object needs its own access stamp); every other value is 1.
 */
function objectRefcountCommand(ctx: CommandContext): void {
  const { server, client, argv } = ctx;
  const tag = server.engine.typeOf(client.db, argv[2], ctx.nowMs);
  countRead(server, tag >= 0);
  if (tag < 0) return ctx.out.nullBulk();
  ctx.out.integer(tag === ValueType.String && isSharedInteger(ctx) ? SHARED_REFCOUNT : 1);
}

function isSharedInteger(ctx: CommandContext): boolean {
  const { server, client, argv } = ctx;
  const policy = server.config.getString("maxmemory-policy");
  if (server.maxmemoryBytes > 0 && (policy.includes("lru") || policy.includes("lfu"))) {
    return false;
  }
  const hint = server.engine.encodingHint(client.db, argv[2], ctx.nowMs);
  if (hint & (ENCODING_HINT_RAW | ENCODING_HINT_NOT_INT)) return false;
  const value = server.engine.getString(client.db, argv[2], ctx.nowMs)!;
  if (!isIntEncodable(value)) return false;
  const n = parseInt64(value);
  return n !== null && n >= 0n && n < BigInt(SHARED_INTEGERS_COUNT);
}

/**
 * OBJECT IDLETIME / FREQ: the key's access stamp, read without counting as an access. Which
 * one is tracked depends on maxmemory-policy's family, and asking for the other is an error
 * with Redis's wording.
 */
function objectAccessCommand(ctx: CommandContext, wantFreq: boolean): void {
  const { server } = ctx;
  // As Redis: the key is looked up (and counted) first; a missing key is nil under any policy.
  const info = server.engine.accessInfo(ctx.client.db, ctx.argv[2], ctx.nowMs);
  countRead(server, info >= 0);
  if (info < 0) return ctx.out.nullBulk();
  const lfu = server.evictor.lfu;
  if (wantFreq && !lfu) {
    fail(
      "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note " +
        "that when switching between policies at runtime LRU and LFU data will take some time " +
        "to adjust.",
    );
  }
  if (!wantFreq && lfu) {
    fail(
      "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when " +
        "switching between policies at runtime LRU and LFU data will take some time to adjust.",
    );
  }
  ctx.out.integer(wantFreq ? info : Math.floor(info / 1000));
}

const OBJECT_HELP = [
  "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "ENCODING <key>",
  "    Return the kind of internal representation used in order to store the value",
  "    associated with a <key>.",
  "FREQ <key>",
  "    Return the access frequency index of the <key>. The returned integer is",
  "    proportional to the logarithm of the recent access frequency of the key.",
  "IDLETIME <key>",
  "    Return the idle time of the <key>, that is the approximated number of",
  "    seconds elapsed since the last access to the key.",
  "REFCOUNT <key>",
  "    Return the number of references of the value associated with the specified",
  "    <key>.",
  "HELP",
  "    Print this help.",
];

const WRITE = ["write"];
const KEYSPACE = ["keyspace"];

export const KEY_COMMANDS: CommandDefinition[] = [
  {
    name: "del",
    arity: -2,
    flags: WRITE,
    keys: [1, -1, 1],
    categories: ["keyspace", "write", "slow"],
    group: "generic",
    summary: "Deletes one or more keys.",
    complexity: "O(N)",
    handler: delCommand,
  },
  {
    name: "unlink",
    arity: -2,
    flags: [...WRITE, "fast"],
    keys: [1, -1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Asynchronously deletes one or more keys.",
    since: "4.0.0",
    complexity: "O(1) for each key removed",
    handler: delCommand,
  },
  {
    name: "exists",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Determines whether one or more keys exist.",
    handler: withoutTouch(existsCommand),
  },
  {
    name: "type",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Determines the type of value stored at a key.",
    handler: withoutTouch(typeCommand),
  },
  {
    name: "keys",
    arity: 2,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow", "dangerous"],
    group: "generic",
    summary: "Returns all key names that match a pattern.",
    complexity: "O(N)",
    handler: keysCommand,
  },
  {
    name: "scan",
    arity: -2,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    group: "generic",
    summary: "Iterates over the key names in the database.",
    since: "2.8.0",
    handler: scanCommand,
  },
  {
    name: "randomkey",
    arity: 1,
    flags: ["readonly"],
    categories: ["keyspace", "read", "slow"],
    group: "generic",
    summary: "Returns a random key name from the database.",
    handler: randomkeyCommand,
  },
  {
    name: "rename",
    arity: 3,
    flags: WRITE,
    keys: [1, 2, 1],
    categories: ["keyspace", "write", "slow"],
    group: "generic",
    summary: "Renames a key and overwrites the destination.",
    handler: (ctx) => renameGeneric(ctx, false),
  },
  {
    name: "renamenx",
    arity: 3,
    flags: [...WRITE, "fast"],
    keys: [1, 2, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Renames a key only when the target key name doesn't exist.",
    handler: (ctx) => renameGeneric(ctx, true),
  },
  {
    name: "expire",
    arity: -3,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Sets the expiration time of a key in seconds.",
    handler: (ctx) => expireGeneric(ctx, ExpireUnit.Seconds, true, "expire"),
  },
  {
    name: "pexpire",
    arity: -3,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Sets the expiration time of a key in milliseconds.",
    since: "2.6.0",
    handler: (ctx) => expireGeneric(ctx, ExpireUnit.Milliseconds, true, "pexpire"),
  },
  {
    name: "expireat",
    arity: -3,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Sets the expiration time of a key to a Unix timestamp.",
    since: "1.2.0",
    handler: (ctx) => expireGeneric(ctx, ExpireUnit.Seconds, false, "expireat"),
  },
  {
    name: "pexpireat",
    arity: -3,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Sets the expiration time of a key to a Unix milliseconds timestamp.",
    since: "2.6.0",
    handler: (ctx) => expireGeneric(ctx, ExpireUnit.Milliseconds, false, "pexpireat"),
  },
  {
    name: "ttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Returns the expiration time in seconds of a key.",
    handler: withoutTouch((ctx) => ttlGeneric(ctx, false)),
  },
  {
    name: "pttl",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Returns the expiration time in milliseconds of a key.",
    since: "2.6.0",
    handler: withoutTouch((ctx) => ttlGeneric(ctx, true)),
  },
  {
    name: "expiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Returns the expiration time of a key as a Unix timestamp.",
    since: "7.0.0",
    handler: withoutTouch((ctx) => expiretimeGeneric(ctx, false)),
  },
  {
    name: "pexpiretime",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Returns the expiration time of a key as a Unix milliseconds timestamp.",
    since: "7.0.0",
    handler: withoutTouch((ctx) => expiretimeGeneric(ctx, true)),
  },
  {
    name: "persist",
    arity: 2,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Removes the expiration time of a key.",
    since: "2.2.0",
    handler: persistCommand,
  },
  {
    name: "copy",
    arity: -3,
    flags: [...WRITE, "denyoom"],
    keys: [1, 2, 1],
    categories: ["keyspace", "write", "slow"],
    group: "generic",
    summary: "Copies the value of a key to a new key.",
    since: "6.2.0",
    handler: copyCommand,
  },
  {
    name: "move",
    arity: 3,
    flags: [...WRITE, "fast"],
    keys: [1, 1, 1],
    categories: ["keyspace", "write", "fast"],
    group: "generic",
    summary: "Moves a key to another database.",
    handler: moveCommand,
  },
  {
    name: "dbsize",
    arity: 1,
    flags: ["readonly", "fast"],
    categories: ["keyspace", "read", "fast"],
    group: "server",
    summary: "Returns the number of keys in the database.",
    handler: dbsizeCommand,
  },
  {
    name: "flushdb",
    arity: -1,
    flags: WRITE,
    categories: ["keyspace", "write", "slow", "dangerous"],
    group: "server",
    summary: "Remove all keys from the current database.",
    handler: flushdbCommand,
  },
  {
    name: "flushall",
    arity: -1,
    flags: WRITE,
    categories: ["keyspace", "write", "slow", "dangerous"],
    group: "server",
    summary: "Removes all keys from all databases.",
    handler: flushallCommand,
  },
  {
    name: "swapdb",
    arity: 3,
    flags: [...WRITE, "fast"],
    categories: ["keyspace", "write", "fast", "dangerous"],
    group: "server",
    summary: "Swaps two Redis databases.",
    since: "4.0.0",
    handler: swapdbCommand,
  },
  {
    name: "object",
    arity: -2,
    group: "generic",
    summary: "A container for object introspection commands.",
    since: "2.2.3",
    categories: KEYSPACE,
    subcommands: [
      {
        name: "encoding",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["keyspace", "read", "slow"],
        group: "generic",
        summary: "Returns the internal encoding of a Redis object.",
        handler: withoutTouch(objectEncodingCommand),
      },
      {
        name: "freq",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["keyspace", "read", "slow"],
        group: "generic",
        summary: "Returns the logarithmic access frequency counter of a Redis object.",
        handler: withoutTouch((ctx) => objectAccessCommand(ctx, true)),
      },
      {
        name: "idletime",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["keyspace", "read", "slow"],
        group: "generic",
        summary: "Returns the time since the last access to a Redis object.",
        handler: withoutTouch((ctx) => objectAccessCommand(ctx, false)),
      },
      {
        name: "refcount",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["keyspace", "read", "slow"],
        group: "generic",
        summary: "Returns the reference count of a value of a key.",
        handler: withoutTouch(objectRefcountCommand),
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["keyspace", "slow"],
        group: "generic",
        summary: "Returns helpful text about the different subcommands.",
        handler: (ctx) => writeHelp(ctx.out, OBJECT_HELP),
      },
    ],
  },
];
