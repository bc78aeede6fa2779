// The two answers to "which keys did this write touch" must agree, for every write command.
//
//   declared  ── spec.writeKeys, read by visitWrittenKeys (core/command_meta/spec.ts) ──► the
//                copy-on-write snapshot's pre-write hook, the embedded replica's change events
//   reported  ── server.keyModified(db, key) / server.dbModified(db) in the handlers ──────► WATCH,
//                blocked clients, the dirty counter (keyChangedUnwatched: all but WATCH, for the
//                stream writes Redis 7.0 keeps from WATCH)
//
// Each write command in the table has sample invocations below (a setup that gives the write
// something to change, then the write). A sample runs in process on a fresh ServerState whose
// saver pretends a BGSAVE is running, so the dispatcher (and the blocking registry, for a woken
// client) calls the real pre-write hook with the (db, spec, argv) a snapshot would get. Each hook
// call opens a write window:
//
//   hook(SET …)        hook(RPUSH q …)     hook(BLPOP q …, woken)      end
//   │ keyspace before   │ keyspace before   │ keyspace before          │ keyspace after
//   ├── window 1 ───────┼── window 2 ───────┼── window 3 ──────────────┤
//   │ declared: visitWrittenKeys(spec, db, argv); reported: keyModified / dbModified calls
//
// Per window, with "changed" = keys whose type, value or expiry time differ across the window:
// - a reported key is declared (else a BGSAVE would not side-save it before it changes);
// - a changed key is declared (the same) and reported (else WATCH and blocked clients miss it);
// - dbModified(db) pairs with visitWrittenKeys' null-key (whole database) visits: reported only
//   for a database a null visit covers, and reported for each such database that changed.
// Reporting a key that did not change is allowed (Redis signals HSET of the same value too).
// Expiry is left out: a key the engine expires is reported by ServerState.absorbExpired, not by
// a handler, and a running snapshot stops expiry; the samples' TTLs are far from due.

import assert from "node:assert/strict";
import { latin1, utf8 } from "../core/bytes.ts";
import { type CommandSpec, visitWrittenKeys, WriteKeysKind } from "../core/command_meta/mod.ts";
import { buildCommandTable, type CommandTable, executeCommand } from "../core/commands/mod.ts";
import { Config } from "../core/config/mod.ts";
import { Engine } from "../core/engine/mod.ts";
import { Logger } from "../core/log.ts";
import { keyspaceEntries } from "../core/persistence/keyspace_records.ts";
import { encodeDumpPayload, type RdbEntry } from "../core/rdb/mod.ts";
import { ReplyWriter, RespReader } from "../core/resp/mod.ts";
import { ClientState } from "../core/sessions/mod.ts";
import { ServerState } from "../core/state/mod.ts";

/** One sample invocation of a write command. */
interface Sample {
  /** Commands the same client runs first, unrecorded (SELECT moves it between databases). */
  setup?: string[][];
  /** The database the client is in when `argv` runs. @default 0 */
  db?: number;
  /** The write under test. */
  argv: string[];
  /**
   * For a blocking command that must park: what a second client (in the same database) runs
   * once `argv` has blocked. It wakes the first, whose served write is checked as well.
   */
  wake?: string[][];
  /** What the run must do: change some key, change nothing, or reply an error. @default "changes" */
  outcome?: "changes" | "unchanged" | "error";
}

/** 2100-01-01, for EXPIREAT / PEXPIREAT / PXAT times that stay in the future. */
/**
 * A DUMP payload of a short string whose bytes (checksum included) are all ASCII, so it survives
 * the UTF-8 encoding samples' argv goes through: RESTORE's samples use it.
 */
function asciiDumpPayload(): string {
  for (let i = 0;; i++) {
    const payload = encodeDumpPayload({ type: "string", value: utf8(`v${i}`) });
    if (payload.every((byte) => byte < 0x80)) return latin1(payload);
  }
}
const DUMP_PAYLOAD = asciiDumpPayload();

const FUTURE_S = "4102444800";
const FUTURE_MS = "4102444800000";

/**
 * Sample invocations per write command (spec.fullName). A write command added to the table
 * without a row here fails "every write command in the table has sample invocations".
 */
const SAMPLES: Record<string, Sample[]> = {
  // ── strings ──
  append: [
    { argv: ["APPEND", "s", "xy"] },
    { setup: [["SET", "s", "ab", "EX", "100"]], argv: ["APPEND", "s", "cd"] },
  ],
  decr: [
    { argv: ["DECR", "n"] },
    { setup: [["SET", "n", "10", "EX", "100"]], argv: ["DECR", "n"] },
    { setup: [["SET", "n", "ten"]], argv: ["DECR", "n"], outcome: "error" },
  ],
  decrby: [{ setup: [["SET", "n", "10"]], argv: ["DECRBY", "n", "4"] }],
  incr: [{ argv: ["INCR", "n"] }, { setup: [["SET", "n", "41"]], argv: ["INCR", "n"] }],
  incrby: [{ setup: [["SET", "n", "1"]], argv: ["INCRBY", "n", "99"] }],
  incrbyfloat: [
    { argv: ["INCRBYFLOAT", "f", "1.5"] },
    { setup: [["SET", "f", "10.5", "EX", "100"]], argv: ["INCRBYFLOAT", "f", "-0.25"] },
  ],
  getdel: [
    { setup: [["SET", "s", "v"]], argv: ["GETDEL", "s"] },
    { argv: ["GETDEL", "s"], outcome: "unchanged" },
  ],
  getex: [
    { setup: [["SET", "s", "v"]], argv: ["GETEX", "s", "EX", "100"] },
    { setup: [["SET", "s", "v", "EX", "100"]], argv: ["GETEX", "s", "PERSIST"] },
    { setup: [["SET", "s", "v"]], argv: ["GETEX", "s", "PXAT", FUTURE_MS] },
    { setup: [["SET", "s", "v"]], argv: ["GETEX", "s", "EXAT", "1"] },
    { setup: [["SET", "s", "v"]], argv: ["GETEX", "s"], outcome: "unchanged" },
  ],
  getset: [
    { setup: [["SET", "s", "old", "EX", "100"]], argv: ["GETSET", "s", "new"] },
    { argv: ["GETSET", "s", "new"] },
  ],
  mset: [{ setup: [["SET", "a", "0"]], argv: ["MSET", "a", "1", "b", "2", "a", "3"] }],
  msetnx: [
    { argv: ["MSETNX", "a", "1", "b", "2"] },
    { setup: [["SET", "b", "0"]], argv: ["MSETNX", "a", "1", "b", "2"], outcome: "unchanged" },
  ],
  psetex: [{ argv: ["PSETEX", "s", "100000", "v"] }],
  set: [
    { argv: ["SET", "s", "v"] },
    { setup: [["SET", "s", "old"]], argv: ["SET", "s", "new", "GET"] },
    { setup: [["SET", "s", "old"]], argv: ["SET", "s", "new", "XX", "GET", "EX", "100"] },
    { argv: ["SET", "s", "new", "NX", "GET"] },
    { setup: [["SET", "s", "old", "EX", "100"]], argv: ["SET", "s", "new", "KEEPTTL"] },
    { setup: [["SET", "s", "old", "EX", "100"]], argv: ["SET", "s", "new"] },
    { argv: ["SET", "s", "v", "PXAT", FUTURE_MS] },
    { setup: [["SET", "s", "old"]], argv: ["SET", "s", "new", "NX"], outcome: "unchanged" },
    { setup: [["RPUSH", "s", "a"]], argv: ["SET", "s", "new", "GET"], outcome: "error" },
  ],
  setex: [{ setup: [["SET", "s", "old"]], argv: ["SETEX", "s", "100", "v"] }],
  setnx: [
    { argv: ["SETNX", "s", "v"] },
    { setup: [["SET", "s", "old"]], argv: ["SETNX", "s", "v"], outcome: "unchanged" },
  ],
  setrange: [
    { argv: ["SETRANGE", "s", "3", "xy"] },
    { setup: [["SET", "s", "hello", "EX", "100"]], argv: ["SETRANGE", "s", "1", "EY"] },
    { argv: ["SETRANGE", "s", "3", ""], outcome: "unchanged" },
    { setup: [["SADD", "s", "m"]], argv: ["SETRANGE", "s", "0", "x"], outcome: "error" },
  ],
  // ── bitmaps ──
  setbit: [
    { argv: ["SETBIT", "b", "9", "1"] },
    { setup: [["SET", "b", "ab", "EX", "100"]], argv: ["SETBIT", "b", "3", "1"] },
    { setup: [["SET", "b", "ab"]], argv: ["SETBIT", "b", "100", "0"] },
    { setup: [["SET", "b", "12"]], argv: ["SETBIT", "b", "0", "0"], outcome: "unchanged" },
    { setup: [["HSET", "b", "f", "v"]], argv: ["SETBIT", "b", "0", "1"], outcome: "error" },
  ],
  bitop: [
    { setup: [["SET", "x", "ab"], ["SET", "y", "c"]], argv: ["BITOP", "XOR", "d", "x", "y"] },
    {
      setup: [["SET", "x", "ab"], ["SET", "d", "old", "EX", "100"]],
      argv: ["BITOP", "NOT", "d", "x"],
    },
    { setup: [["SET", "d", "old"]], argv: ["BITOP", "AND", "d", "missing"] },
    { setup: [["SET", "x", "ab"], ["SET", "y", "c"]], argv: ["BITOP", "XOR", "x", "x", "y"] },
    { argv: ["BITOP", "OR", "d", "missing"], outcome: "unchanged" },
    { setup: [["SADD", "x", "m"]], argv: ["BITOP", "OR", "d", "x"], outcome: "error" },
  ],
  bitfield: [
    { argv: ["BITFIELD", "b", "SET", "u8", "0", "200", "INCRBY", "i5", "100", "3"] },
    {
      setup: [["SET", "b", "abc", "EX", "100"]],
      argv: ["BITFIELD", "b", "INCRBY", "u4", "#1", "1"],
    },
    // Grown, though OVERFLOW FAIL refuses the write.
    {
      setup: [["SET", "b", "a"]],
      argv: ["BITFIELD", "b", "OVERFLOW", "FAIL", "SET", "u2", "40", "9"],
    },
    { setup: [["SET", "b", "a"]], argv: ["BITFIELD", "b", "GET", "u8", "0"], outcome: "unchanged" },
    {
      setup: [["SET", "b", "a"]],
      argv: ["BITFIELD", "b", "SET", "u1", "1", "1"],
      outcome: "unchanged",
    },
    {
      setup: [["RPUSH", "b", "a"]],
      argv: ["BITFIELD", "b", "SET", "u1", "1", "1"],
      outcome: "error",
    },
  ],
  // ── keys and databases ──
  copy: [
    { setup: [["RPUSH", "src", "a", "b"]], argv: ["COPY", "src", "dst"] },
    {
      setup: [["HSET", "src", "f", "v"], ["SELECT", "3"], ["SET", "dst", "old"]],
      argv: ["COPY", "src", "dst", "DB", "3", "REPLACE"],
    },
    { setup: [["SET", "src", "v"]], argv: ["COPY", "src", "dst", "DB", "16"], outcome: "error" },
    {
      setup: [["SET", "src", "v"], ["SELECT", "1"]],
      db: 1,
      argv: ["COPY", "src", "dst", "DB", "0"],
      outcome: "unchanged",
    },
    {
      setup: [["SET", "src", "v"], ["SELECT", "2"], ["SET", "dst", "old"]],
      argv: ["COPY", "src", "dst", "REPLACE", "db", "2"],
    },
    {
      setup: [["SET", "src", "v"], ["SET", "dst", "old"]],
      argv: ["COPY", "src", "dst"],
      outcome: "unchanged",
    },
  ],
  del: [{ setup: [["SET", "a", "1"], ["RPUSH", "l", "x"]], argv: ["DEL", "a", "missing", "l"] }],
  unlink: [{ setup: [["SADD", "s", "m"], ["SET", "a", "1"]], argv: ["UNLINK", "s", "a", "none"] }],
  expire: [
    { setup: [["SET", "k", "v"]], argv: ["EXPIRE", "k", "100"] },
    { setup: [["SET", "k", "v"]], argv: ["EXPIRE", "k", "-1"] },
    { setup: [["SET", "k", "v", "EX", "10"]], argv: ["EXPIRE", "k", "100", "GT"] },
    {
      setup: [["SET", "k", "v", "EX", "10"]],
      argv: ["EXPIRE", "k", "100", "NX"],
      outcome: "unchanged",
    },
  ],
  pexpire: [
    { setup: [["SADD", "k", "m"]], argv: ["PEXPIRE", "k", "100000"] },
    { setup: [["SADD", "k", "m"]], argv: ["PEXPIRE", "k", "0"] },
  ],
  expireat: [
    { setup: [["SET", "k", "v"]], argv: ["EXPIREAT", "k", FUTURE_S] },
    { setup: [["SET", "k", "v"]], argv: ["EXPIREAT", "k", "1"] },
  ],
  pexpireat: [
    {
      setup: [["HSET", "k", "f", "v"]],
      argv: ["PEXPIREAT", "k", FUTURE_MS, "XX"],
      outcome: "unchanged",
    },
    { setup: [["HSET", "k", "f", "v"]], argv: ["PEXPIREAT", "k", FUTURE_MS] },
    { setup: [["HSET", "k", "f", "v"]], argv: ["PEXPIREAT", "k", "1"] },
  ],
  persist: [
    { setup: [["SET", "k", "v", "EX", "100"]], argv: ["PERSIST", "k"] },
    { setup: [["SET", "k", "v"]], argv: ["PERSIST", "k"], outcome: "unchanged" },
  ],
  move: [
    { setup: [["SET", "k", "v", "EX", "100"]], argv: ["MOVE", "k", "5"] },
    { setup: [["SET", "k", "v"]], argv: ["MOVE", "k", "16"], outcome: "error" },
    { setup: [["SELECT", "2"], ["RPUSH", "k", "a"]], db: 2, argv: ["MOVE", "k", "0"] },
    {
      setup: [["SET", "k", "v"], ["SELECT", "5"], ["SET", "k", "w"]],
      argv: ["MOVE", "k", "5"],
      outcome: "unchanged",
    },
  ],
  rename: [
    { setup: [["SET", "a", "1", "EX", "100"], ["SET", "b", "2"]], argv: ["RENAME", "a", "b"] },
    { setup: [["ZADD", "a", "1", "m"]], argv: ["RENAME", "a", "c"] },
  ],
  renamenx: [
    { setup: [["SET", "a", "1"]], argv: ["RENAMENX", "a", "c"] },
    {
      setup: [["SET", "a", "1"], ["SET", "b", "2"]],
      argv: ["RENAMENX", "a", "b"],
      outcome: "unchanged",
    },
  ],
  flushdb: [
    {
      setup: [["SET", "a", "1"], ["SELECT", "2"], ["SET", "b", "2"], ["SADD", "s", "m"]],
      db: 2,
      argv: ["FLUSHDB"],
    },
    { setup: [["SET", "a", "1"]], argv: ["FLUSHDB", "ASYNC"] },
    { setup: [["SET", "a", "1"]], argv: ["FLUSHDB", "NOW"], outcome: "error" },
  ],
  flushall: [
    { setup: [["SET", "a", "1"], ["SELECT", "3"], ["RPUSH", "l", "x"]], argv: ["FLUSHALL"] },
    { setup: [["SELECT", "15"], ["SET", "a", "1"]], db: 7, argv: ["FLUSHALL", "SYNC"] },
  ],
  swapdb: [
    { setup: [["SET", "a", "1"], ["SELECT", "1"], ["SET", "b", "2"]], argv: ["SWAPDB", "0", "1"] },
    {
      setup: [["SET", "a", "1"], ["SELECT", "2"], ["SET", "b", "2"], ["SELECT", "3"], [
        "SET",
        "c",
        "3",
      ]],
      argv: ["SWAPDB", "2", "3"],
    },
    { setup: [["SET", "a", "1"]], argv: ["SWAPDB", "0", "0"], outcome: "unchanged" },
    { setup: [["SET", "a", "1"]], argv: ["SWAPDB", "0", "16"], outcome: "error" },
  ],
  // ── hashes ──
  hdel: [
    { setup: [["HSET", "h", "f", "1", "g", "2"]], argv: ["HDEL", "h", "f", "none"] },
    { setup: [["HSET", "h", "f", "1"]], argv: ["HDEL", "h", "f"] },
  ],
  hincrby: [
    { argv: ["HINCRBY", "h", "n", "5"] },
    {
      setup: [["HSET", "h", "n", "9223372036854775807"]],
      argv: ["HINCRBY", "h", "n", "1"],
      outcome: "error",
    },
  ],
  hincrbyfloat: [
    { argv: ["HINCRBYFLOAT", "h", "x", "1.25"] },
    { setup: [["HSET", "h", "x", "1.5"]], argv: ["HINCRBYFLOAT", "h", "x", "0.25"] },
    {
      setup: [["HSET", "h", "x", "abc"]],
      argv: ["HINCRBYFLOAT", "h", "x", "1"],
      outcome: "error",
    },
  ],
  hmset: [{ setup: [["HSET", "h", "a", "0"]], argv: ["HMSET", "h", "a", "1", "b", "2"] }],
  hset: [{ argv: ["HSET", "h", "a", "1", "b", "2"] }],
  hsetnx: [
    { argv: ["HSETNX", "h", "a", "1"] },
    { setup: [["HSET", "h", "a", "0"]], argv: ["HSETNX", "h", "a", "1"], outcome: "unchanged" },
  ],
  // ── lists ──
  blmove: [
    { setup: [["RPUSH", "src", "a", "b"]], argv: ["BLMOVE", "src", "dst", "LEFT", "RIGHT", "1"] },
    { argv: ["BLMOVE", "src", "dst", "RIGHT", "LEFT", "1"], wake: [["RPUSH", "src", "a", "b"]] },
    {
      argv: ["BLMOVE", "src", "dst", "LEFT", "LEFT", "1"],
      wake: [["RPUSH", "tmp", "a"], ["RENAME", "tmp", "src"]],
    },
    {
      setup: [["SET", "dst", "v"]],
      argv: ["BLMOVE", "src", "dst", "LEFT", "LEFT", "1"],
      wake: [["RPUSH", "src", "a"]],
      outcome: "error",
    },
  ],
  blmpop: [
    {
      setup: [["RPUSH", "l", "a", "b", "c"]],
      argv: ["BLMPOP", "1", "2", "empty", "l", "LEFT", "COUNT", "2"],
    },
    { argv: ["BLMPOP", "1", "2", "e", "l", "RIGHT"], wake: [["RPUSH", "l", "x", "y"]] },
    {
      argv: ["BLMPOP", "1", "2", "e", "l", "LEFT", "COUNT", "3"],
      wake: [["RPUSH", "src", "x"], ["LMOVE", "src", "l", "LEFT", "LEFT"]],
    },
  ],
  blpop: [
    { setup: [["RPUSH", "l", "a"]], argv: ["BLPOP", "empty", "l", "1"] },
    { argv: ["BLPOP", "q", "1"], wake: [["RPUSH", "q", "a", "b"]] },
    { argv: ["BLPOP", "q", "1"], wake: [["RPUSH", "src", "a"], ["RPOPLPUSH", "src", "q"]] },
    // SWAPDB brings a list into the waiter's database: served, as redis-server serves it.
    {
      setup: [["SELECT", "1"], ["RPUSH", "q", "a"], ["SELECT", "0"]],
      argv: ["BLPOP", "q", "1"],
      wake: [["SWAPDB", "0", "1"]],
    },
  ],
  brpop: [
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["BRPOP", "l", "empty", "1"] },
    { argv: ["BRPOP", "e", "q", "1"], wake: [["LPUSH", "q", "a"]] },
    { argv: ["BRPOP", "q", "1"], wake: [["SELECT", "1"], ["RPUSH", "q", "a"], ["MOVE", "q", "0"]] },
  ],
  brpoplpush: [
    { setup: [["RPUSH", "src", "a"]], argv: ["BRPOPLPUSH", "src", "dst", "1"] },
    { argv: ["BRPOPLPUSH", "src", "dst", "1"], wake: [["RPUSH", "src", "a"]] },
  ],
  linsert: [
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["LINSERT", "l", "BEFORE", "b", "x"] },
    {
      setup: [["RPUSH", "l", "a"]],
      argv: ["LINSERT", "l", "AFTER", "none", "x"],
      outcome: "unchanged",
    },
  ],
  lmove: [
    { setup: [["RPUSH", "src", "a", "b"]], argv: ["LMOVE", "src", "dst", "LEFT", "RIGHT"] },
    { setup: [["RPUSH", "l", "a", "b", "c"]], argv: ["LMOVE", "l", "l", "LEFT", "RIGHT"] },
    { setup: [["RPUSH", "src", "a"]], argv: ["LMOVE", "src", "dst", "RIGHT", "LEFT"] },
    {
      setup: [["RPUSH", "src", "a"], ["SET", "dst", "s"]],
      argv: ["LMOVE", "src", "dst", "LEFT", "LEFT"],
      outcome: "error",
    },
  ],
  lmpop: [
    {
      setup: [["RPUSH", "l", "a", "b", "c"]],
      argv: ["LMPOP", "2", "empty", "l", "RIGHT", "COUNT", "2"],
    },
    { setup: [["RPUSH", "l", "a"], ["RPUSH", "m", "b"]], argv: ["LMPOP", "2", "l", "m", "LEFT"] },
  ],
  lpop: [
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["LPOP", "l"] },
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["LPOP", "l", "5"] },
    { setup: [["RPUSH", "l", "a"]], argv: ["LPOP", "l", "0"], outcome: "unchanged" },
  ],
  lpush: [
    { argv: ["LPUSH", "l", "a", "b"] },
    { setup: [["SET", "l", "v"]], argv: ["LPUSH", "l", "a"], outcome: "error" },
  ],
  lpushx: [
    { setup: [["RPUSH", "l", "a"]], argv: ["LPUSHX", "l", "b"] },
    { argv: ["LPUSHX", "l", "b"], outcome: "unchanged" },
  ],
  lrem: [{ setup: [["RPUSH", "l", "a", "b", "a"]], argv: ["LREM", "l", "0", "a"] }],
  lset: [
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["LSET", "l", "-1", "z"] },
    { setup: [["RPUSH", "l", "a"]], argv: ["LSET", "l", "5", "z"], outcome: "error" },
  ],
  ltrim: [
    { setup: [["RPUSH", "l", "a", "b", "c"]], argv: ["LTRIM", "l", "1", "-1"] },
    { setup: [["RPUSH", "l", "a", "b"]], argv: ["LTRIM", "l", "5", "10"] },
  ],
  rpop: [{ setup: [["RPUSH", "l", "a", "b"]], argv: ["RPOP", "l", "3"] }],
  rpoplpush: [
    {
      setup: [["RPUSH", "src", "a", "b"], ["RPUSH", "dst", "c"]],
      argv: ["RPOPLPUSH", "src", "dst"],
    },
    {
      setup: [["RPUSH", "src", "a"], ["HSET", "dst", "f", "v"]],
      argv: ["RPOPLPUSH", "src", "dst"],
      outcome: "error",
    },
  ],
  rpush: [{ setup: [["RPUSH", "l", "a"]], argv: ["RPUSH", "l", "b", "c"] }],
  rpushx: [{ setup: [["RPUSH", "l", "a"]], argv: ["RPUSHX", "l", "b"] }],
  // ── sets ──
  sadd: [
    { argv: ["SADD", "s", "a", "b"] },
    { setup: [["SADD", "s", "a"]], argv: ["SADD", "s", "a"], outcome: "unchanged" },
    { setup: [["SET", "s", "v"]], argv: ["SADD", "s", "a"], outcome: "error" },
  ],
  sdiffstore: [
    {
      setup: [["SADD", "a", "1", "2", "3"], ["SADD", "b", "2"]],
      argv: ["SDIFFSTORE", "d", "a", "b"],
    },
    { setup: [["SADD", "a", "1"], ["SADD", "d", "x"]], argv: ["SDIFFSTORE", "d", "a", "a"] },
    {
      setup: [["SET", "a", "v"], ["SADD", "d", "x"]],
      argv: ["SDIFFSTORE", "d", "a"],
      outcome: "error",
    },
  ],
  sinterstore: [
    {
      setup: [["SADD", "a", "1", "2"], ["SADD", "b", "2", "3"]],
      argv: ["SINTERSTORE", "d", "a", "b"],
    },
    {
      setup: [["SADD", "a", "1"], ["SADD", "b", "2"], ["SET", "d", "old"]],
      argv: ["SINTERSTORE", "d", "a", "b"],
    },
    { setup: [["SADD", "a", "1", "2"], ["SADD", "b", "2"]], argv: ["SINTERSTORE", "a", "a", "b"] },
  ],
  sunionstore: [
    {
      setup: [["SADD", "a", "1"], ["SADD", "b", "2"], ["SET", "d", "old"]],
      argv: ["SUNIONSTORE", "d", "a", "b"],
    },
  ],
  smove: [
    { setup: [["SADD", "src", "m", "n"]], argv: ["SMOVE", "src", "dst", "m"] },
    { setup: [["SADD", "src", "m"], ["SADD", "dst", "m"]], argv: ["SMOVE", "src", "dst", "m"] },
    { setup: [["SADD", "src", "m"]], argv: ["SMOVE", "src", "src", "m"], outcome: "unchanged" },
    {
      setup: [["SADD", "src", "m"], ["SET", "dst", "v"]],
      argv: ["SMOVE", "src", "dst", "m"],
      outcome: "error",
    },
  ],
  spop: [
    { setup: [["SADD", "s", "a", "b", "c"]], argv: ["SPOP", "s"] },
    { setup: [["SADD", "s", "a", "b", "c"]], argv: ["SPOP", "s", "2"] },
    { setup: [["SADD", "s", "a", "b"]], argv: ["SPOP", "s", "10"] },
    { setup: [["SADD", "s", "a"]], argv: ["SPOP", "s", "0"], outcome: "unchanged" },
  ],
  srem: [{ setup: [["SADD", "s", "a", "b"]], argv: ["SREM", "s", "a", "z"] }],
  // ── sorted sets ──
  bzmpop: [
    {
      setup: [["ZADD", "z", "1", "a", "2", "b", "3", "c"]],
      argv: ["BZMPOP", "1", "2", "empty", "z", "MIN", "COUNT", "2"],
    },
    { argv: ["BZMPOP", "1", "1", "z", "MAX"], wake: [["ZADD", "z", "1", "a", "2", "b"]] },
    { argv: ["BZMPOP", "1", "1", "z", "MIN"], wake: [["ZADD", "t", "1", "a"], ["COPY", "t", "z"]] },
  ],
  bzpopmax: [
    { setup: [["ZADD", "z", "1", "a", "2", "b"]], argv: ["BZPOPMAX", "empty", "z", "1"] },
    { argv: ["BZPOPMAX", "z", "1"], wake: [["ZADD", "z", "1", "a"]] },
  ],
  bzpopmin: [
    { setup: [["ZADD", "z", "1", "a"]], argv: ["BZPOPMIN", "z", "1"] },
    { argv: ["BZPOPMIN", "e", "z", "1"], wake: [["ZADD", "z", "1", "a", "2", "b"]] },
    { argv: ["BZPOPMIN", "z", "1"], wake: [["MULTI"], ["ZADD", "z", "1", "a"], ["EXEC"]] },
  ],
  zadd: [
    { argv: ["ZADD", "z", "1", "a", "2", "b"] },
    { setup: [["ZADD", "z", "1", "a"]], argv: ["ZADD", "z", "INCR", "5", "a"] },
    { setup: [["ZADD", "z", "1", "a"]], argv: ["ZADD", "z", "GT", "CH", "5", "a", "0", "b"] },
    {
      setup: [["ZADD", "z", "5", "a"]],
      argv: ["ZADD", "z", "GT", "INCR", "-1", "a"],
      outcome: "unchanged",
    },
    { argv: ["ZADD", "z", "XX", "1", "a"], outcome: "unchanged" },
    {
      setup: [["ZADD", "z", "-inf", "a"]],
      argv: ["ZADD", "z", "INCR", "+inf", "a"],
      outcome: "error",
    },
  ],
  zincrby: [
    { argv: ["ZINCRBY", "z", "2", "a"] },
    { setup: [["ZADD", "z", "1", "a"]], argv: ["ZINCRBY", "z", "-3.5", "a"] },
  ],
  zdiffstore: [
    {
      setup: [["ZADD", "a", "1", "x", "2", "y"], ["ZADD", "b", "1", "y"]],
      argv: ["ZDIFFSTORE", "d", "2", "a", "b"],
    },
  ],
  zinterstore: [
    {
      setup: [["ZADD", "a", "1", "x", "2", "y"], ["ZADD", "b", "3", "y"]],
      argv: ["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"],
    },
    {
      setup: [["ZADD", "a", "1", "x"], ["ZADD", "b", "1", "y"], ["ZADD", "d", "1", "old"]],
      argv: ["ZINTERSTORE", "d", "2", "a", "b"],
    },
  ],
  zunionstore: [
    {
      setup: [["ZADD", "a", "1", "x"], ["SADD", "b", "y"]],
      argv: ["ZUNIONSTORE", "d", "2", "a", "b", "AGGREGATE", "MAX"],
    },
  ],
  zrangestore: [
    {
      setup: [["ZADD", "z", "1", "a", "2", "b", "3", "c"]],
      argv: ["ZRANGESTORE", "d", "z", "0", "1"],
    },
    {
      setup: [["ZADD", "z", "1", "a"], ["SET", "d", "old"]],
      argv: ["ZRANGESTORE", "d", "z", "10", "20"],
    },
    {
      setup: [["ZADD", "z", "1", "a", "2", "b", "3", "c"]],
      argv: ["ZRANGESTORE", "z", "z", "(1", "+inf", "BYSCORE"],
    },
  ],
  zmpop: [
    {
      setup: [["ZADD", "z", "1", "a", "2", "b"]],
      argv: ["ZMPOP", "2", "empty", "z", "MAX", "COUNT", "5"],
    },
    {
      setup: [["ZADD", "y", "1", "a"], ["ZADD", "z", "1", "b"]],
      argv: ["ZMPOP", "2", "y", "z", "MIN"],
    },
  ],
  zpopmax: [{ setup: [["ZADD", "z", "1", "a", "2", "b"]], argv: ["ZPOPMAX", "z"] }],
  zpopmin: [{ setup: [["ZADD", "z", "1", "a", "2", "b"]], argv: ["ZPOPMIN", "z", "2"] }],
  zrem: [{ setup: [["ZADD", "z", "1", "a", "2", "b"]], argv: ["ZREM", "z", "a", "none"] }],
  zremrangebylex: [
    {
      setup: [["ZADD", "z", "0", "a", "0", "b", "0", "c"]],
      argv: ["ZREMRANGEBYLEX", "z", "[a", "(c"],
    },
  ],
  zremrangebyrank: [{
    setup: [["ZADD", "z", "1", "a", "2", "b"]],
    argv: ["ZREMRANGEBYRANK", "z", "0", "-1"],
  }],
  zremrangebyscore: [
    { setup: [["ZADD", "z", "1", "a", "2", "b"]], argv: ["ZREMRANGEBYSCORE", "z", "-inf", "(2"] },
  ],
  // ── geo ──
  geoadd: [
    { argv: ["GEOADD", "g", "13.361389", "38.115556", "Palermo"] },
    {
      setup: [["GEOADD", "g", "1", "1", "a"]],
      argv: ["GEOADD", "g", "CH", "XX", "2", "2", "a", "3", "3", "b"],
    },
    { argv: ["GEOADD", "g", "XX", "1", "1", "a"], outcome: "unchanged" },
    { setup: [["SET", "g", "v"]], argv: ["GEOADD", "g", "1", "1", "a"], outcome: "error" },
    { argv: ["GEOADD", "g", "200", "1", "a"], outcome: "error" },
  ],
  // The key written is the one after STORE / STOREDIST, an option anywhere after the radius.
  georadius: [
    {
      setup: [[
        "GEOADD",
        "src",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
      ]],
      argv: ["GEORADIUS", "src", "15", "37", "200", "km", "STORE", "d"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["SET", "d", "v"]],
      argv: ["GEORADIUS", "src", "15", "37", "200", "km", "ASC", "STOREDIST", "d", "COUNT", "1"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["SET", "d", "v"]],
      argv: ["GEORADIUS", "src", "0", "0", "1", "km", "STORE", "x", "STOREDIST", "d"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["SADD", "d", "m"]],
      argv: ["GEORADIUS", "src", "0", "0", "1", "km", "store", "d"],
    },
    { setup: [["SET", "d", "v"]], argv: ["GEORADIUS", "nosrc", "0", "0", "1", "km", "STORE", "d"] },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"]],
      argv: ["GEORADIUS", "src", "15", "37", "200", "km", "WITHDIST"],
      outcome: "unchanged",
    },
  ],
  georadiusbymember: [
    {
      setup: [[
        "GEOADD",
        "src",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
      ]],
      argv: ["GEORADIUSBYMEMBER", "src", "Palermo", "500", "km", "STOREDIST", "d"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["SET", "src2", "v"]],
      argv: ["GEORADIUSBYMEMBER", "src", "Palermo", "1", "m", "COUNT", "1", "STORE", "src2"],
    },
    {
      setup: [["ZADD", "d", "1", "m"]],
      argv: ["GEORADIUSBYMEMBER", "nosrc", "m", "1", "km", "STOREDIST", "d"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"]],
      argv: ["GEORADIUSBYMEMBER", "src", "nope", "1", "km", "STORE", "d"],
      outcome: "error",
    },
  ],
  // Only MIGRATE's synchronous answers: moving a key waits for a target (tests/migrate_test.ts).
  migrate: [
    { argv: ["MIGRATE", "127.0.0.1", "1", "k", "0", "100"], outcome: "unchanged" },
    {
      argv: ["MIGRATE", "127.0.0.1", "1", "", "0", "100", "KEYS", "a", "b"],
      outcome: "unchanged",
    },
    {
      setup: [["SET", "k", "v"]],
      argv: ["MIGRATE", "127.0.0.1", "1", "k", "0", "100", "NOSUCHOPTION"],
      outcome: "error",
    },
  ],
  restore: [
    { argv: ["RESTORE", "k", "0", DUMP_PAYLOAD] },
    {
      setup: [["SET", "k", "x", "EX", "100"]],
      argv: ["RESTORE", "k", "0", DUMP_PAYLOAD, "REPLACE"],
    },
    { argv: ["RESTORE", "k", "100000", DUMP_PAYLOAD] },
    { setup: [["SET", "k", "x"]], argv: ["RESTORE", "k", "0", DUMP_PAYLOAD], outcome: "error" },
  ],
  "restore-asking": [
    { argv: ["RESTORE-ASKING", "k", "0", DUMP_PAYLOAD] },
    {
      setup: [["SET", "k", "x"]],
      argv: ["RESTORE-ASKING", "k", "0", DUMP_PAYLOAD, "REPLACE"],
    },
  ],
  // The key written is the one after the last STORE; the sorted key and BY/GET keys are read.
  sort: [
    { setup: [["RPUSH", "src", "3", "1", "2"]], argv: ["SORT", "src", "STORE", "d"] },
    {
      setup: [["RPUSH", "src", "b", "a"], ["SET", "d", "v", "EX", "1000"]],
      argv: ["SORT", "src", "ALPHA", "STORE", "x", "STORE", "d"],
    },
    {
      setup: [["SADD", "src", "b", "a"], ["SET", "w_a", "1"]],
      argv: ["SORT", "src", "BY", "nosort", "GET", "#", "GET", "w_*", "STORE", "d"],
    },
    { setup: [["SET", "d", "v"]], argv: ["SORT", "nosrc", "STORE", "d"] },
    { argv: ["SORT", "nosrc", "STORE", "d"], outcome: "unchanged" },
    { setup: [["RPUSH", "src", "1"]], argv: ["SORT", "src", "DESC"], outcome: "unchanged" },
    { setup: [["RPUSH", "src", "x"]], argv: ["SORT", "src", "STORE", "d"], outcome: "error" },
  ],
  geosearchstore: [
    {
      setup: [[
        "GEOADD",
        "src",
        "13.361389",
        "38.115556",
        "Palermo",
        "15.087269",
        "37.502669",
        "Catania",
      ]],
      argv: ["GEOSEARCHSTORE", "d", "src", "FROMLONLAT", "15", "37", "BYBOX", "400", "400", "km"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["HSET", "d", "f", "v"]],
      argv: [
        "GEOSEARCHSTORE",
        "d",
        "src",
        "FROMMEMBER",
        "Palermo",
        "BYRADIUS",
        "1",
        "km",
        "STOREDIST",
      ],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"], ["SET", "d", "v"]],
      argv: ["GEOSEARCHSTORE", "d", "src", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    },
    {
      setup: [["GEOADD", "src", "13.361389", "38.115556", "Palermo"]],
      argv: ["GEOSEARCHSTORE", "src", "src", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
    },
    {
      argv: ["GEOSEARCHSTORE", "d", "nosrc", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
      outcome: "unchanged",
    },
  ],
  // ── HyperLogLog ──
  pfadd: [
    { argv: ["PFADD", "h", "a", "b"] },
    { argv: ["PFADD", "h"] },
    { setup: [["PFADD", "h", "a"]], argv: ["PFADD", "h", "b", "c"] },
    { setup: [["PFADD", "h", "a"]], argv: ["PFADD", "h", "a"], outcome: "unchanged" },
    { setup: [["SET", "h", "v"]], argv: ["PFADD", "h", "a"], outcome: "error" },
  ],
  // Read-only, but caches the cardinality inside the value when the cache is stale.
  pfcount: [
    { setup: [["PFADD", "h", "a", "b"]], argv: ["PFCOUNT", "h"] },
    {
      setup: [["PFADD", "h", "a"], ["PFCOUNT", "h"]],
      argv: ["PFCOUNT", "h"],
      outcome: "unchanged",
    },
    {
      setup: [["PFADD", "h", "a"], ["PFADD", "g", "b"]],
      argv: ["PFCOUNT", "h", "g"],
      outcome: "unchanged",
    },
  ],
  pfmerge: [
    { setup: [["PFADD", "a", "x"], ["PFADD", "b", "y"]], argv: ["PFMERGE", "d", "a", "b"] },
    {
      setup: [["PFADD", "d", "x"], ["PFADD", "b", "y"], ["PFDEBUG", "TODENSE", "b"]],
      argv: ["PFMERGE", "d", "b"],
    },
    { setup: [["SET", "a", "v"]], argv: ["PFMERGE", "d", "a"], outcome: "error" },
  ],
  pfdebug: [
    { setup: [["PFADD", "h", "a"]], argv: ["PFDEBUG", "TODENSE", "h"] },
    { setup: [["PFADD", "h", "a"]], argv: ["PFDEBUG", "GETREG", "h"] },
    { setup: [["PFADD", "h", "a"]], argv: ["PFDEBUG", "ENCODING", "h"], outcome: "unchanged" },
  ],
  // ── streams ──
  xadd: [
    { argv: ["XADD", "x", "1-0", "f", "v"] },
    {
      setup: [["XADD", "x", "1-0", "f", "v"]],
      argv: ["XADD", "x", "MAXLEN", "~", "0", "*", "g", "w"],
    },
    { argv: ["XADD", "x", "NOMKSTREAM", "1-0", "f", "v"], outcome: "unchanged" },
    { setup: [["SET", "x", "v"]], argv: ["XADD", "x", "1-0", "f", "v"], outcome: "error" },
  ],
  xdel: [
    { setup: [["XADD", "x", "1-0", "f", "v"]], argv: ["XDEL", "x", "1-0", "2-0"] },
    { setup: [["XADD", "x", "1-0", "f", "v"]], argv: ["XDEL", "x", "2-0"], outcome: "unchanged" },
  ],
  xtrim: [
    {
      setup: [["XADD", "x", "1-0", "f", "v"], ["XADD", "x", "2-0", "f", "v"]],
      argv: ["XTRIM", "x", "MAXLEN", "1"],
    },
    {
      setup: [["XADD", "x", "1-0", "f", "v"]],
      argv: ["XTRIM", "x", "MINID", "1"],
      outcome: "unchanged",
    },
  ],
  xsetid: [
    { setup: [["XADD", "x", "1-0", "f", "v"]], argv: ["XSETID", "x", "5-0", "ENTRIESADDED", "3"] },
    { argv: ["XSETID", "x", "5-0"], outcome: "error" },
  ],
  "xgroup|create": [
    { argv: ["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"] },
    { setup: [["XADD", "x", "1-0", "f", "v"]], argv: ["XGROUP", "CREATE", "x", "g", "0"] },
    { argv: ["XGROUP", "CREATE", "x", "g", "$"], outcome: "error" },
  ],
  "xgroup|setid": [
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]],
      argv: ["XGROUP", "SETID", "x", "g", "5-0"],
    },
  ],
  "xgroup|destroy": [
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]],
      argv: ["XGROUP", "DESTROY", "x", "g"],
    },
    {
      setup: [["XADD", "x", "1-0", "f", "v"]],
      argv: ["XGROUP", "DESTROY", "x", "g"],
      outcome: "unchanged",
    },
  ],
  "xgroup|createconsumer": [
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]],
      argv: ["XGROUP", "CREATECONSUMER", "x", "g", "c"],
    },
  ],
  "xgroup|delconsumer": [
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"], [
        "XGROUP",
        "CREATECONSUMER",
        "x",
        "g",
        "c",
      ]],
      argv: ["XGROUP", "DELCONSUMER", "x", "g", "c"],
    },
  ],
  xreadgroup: [
    {
      setup: [["XADD", "x", "1-0", "f", "v"], ["XGROUP", "CREATE", "x", "g", "0"]],
      argv: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
    },
    {
      setup: [
        ["XADD", "x", "1-0", "f", "v"],
        ["XGROUP", "CREATE", "x", "g", "0"],
        ["XADD", "y", "1-0", "f", "v"],
        ["XGROUP", "CREATE", "y", "g", "0"],
      ],
      argv: ["XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "1", "STREAMS", "x", "y", ">", ">"],
    },
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]],
      argv: ["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "x", ">"],
      wake: [["XADD", "x", "1-0", "f", "v"]],
    },
    {
      setup: [["XADD", "x", "1-0", "f", "v"]],
      argv: ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
      outcome: "error",
    },
  ],
  xack: [
    {
      setup: [
        ["XADD", "x", "1-0", "f", "v"],
        ["XGROUP", "CREATE", "x", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
      ],
      argv: ["XACK", "x", "g", "1-0"],
    },
    {
      setup: [["XGROUP", "CREATE", "x", "g", "$", "MKSTREAM"]],
      argv: ["XACK", "x", "g", "1-0"],
      outcome: "unchanged",
    },
  ],
  xclaim: [
    {
      setup: [
        ["XADD", "x", "1-0", "f", "v"],
        ["XGROUP", "CREATE", "x", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
      ],
      argv: ["XCLAIM", "x", "g", "d", "0", "1-0", "JUSTID"],
    },
  ],
  xautoclaim: [
    {
      setup: [
        ["XADD", "x", "1-0", "f", "v"],
        ["XGROUP", "CREATE", "x", "g", "0"],
        ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "x", ">"],
      ],
      argv: ["XAUTOCLAIM", "x", "g", "d", "0", "0"],
    },
  ],
};

// ── Recording ───────────────────────────────────────────────────────────────────────────────

/** Keys as "db:key" tags (key in latin1, one char per byte). */
function keyTag(db: number, key: Uint8Array): string {
  return `${db}:${latin1(key)}`;
}

function tagDb(tag: string): number {
  return Number(tag.slice(0, tag.indexOf(":")));
}

function tagText(tag: string): string {
  const colon = tag.indexOf(":");
  return `"${tag.slice(colon + 1)}" in db ${tag.slice(0, colon)}`;
}

/** One entry as comparable text: type, expiry time, value (sets and hashes sorted). */
function entryText(entry: RdbEntry): string {
  const value = entry.value;
  let body: unknown;
  switch (value.type) {
    case "string":
      body = latin1(value.value);
      break;
    case "list":
      body = value.elements.map(latin1);
      break;
    case "set":
      body = value.members.map(latin1).sort();
      break;
    case "zset":
      body = value.entries.map((e) => [latin1(e.member), e.score]);
      break;
    case "hash":
      body = value.fields.map((f) => [latin1(f.field), latin1(f.value)]).sort();
      break;
    case "stream":
      // Every part a snapshot records, consumers' times and pending lists included.
      body = JSON.stringify(
        value.stream,
        (_, part) =>
          typeof part === "bigint"
            ? String(part)
            : part instanceof Uint8Array
            ? latin1(part)
            : part,
      );
      break;
  }
  return JSON.stringify([value.type, entry.expireAtMs, body]);
}

/** Every key of every database → its entry text: the keyspace as a snapshot would write it. */
function keyspaceTexts(engine: Engine): Map<string, string> {
  const texts = new Map<string, string>();
  for (const entry of keyspaceEntries(engine, Date.now())) {
    texts.set(keyTag(entry.db, entry.key), entryText(entry));
  }
  return texts;
}

/** What happened between one pre-write hook call and the next (or the end of the run). */
interface WriteWindow {
  /** The command the hook was called for, e.g. `BLPOP q 1`. */
  label: string;
  fullName: string;
  /** The keyspace when the hook was called. */
  keysBefore: Map<string, string>;
  /** Keys visitWrittenKeys named. */
  declaredKeys: Set<string>;
  /** Databases visitWrittenKeys named whole (key null); -1 = all of them. */
  declaredDbs: Set<number>;
  /** keyModified / keyChangedUnwatched calls. */
  reportedKeys: Set<string>;
  /** dbModified calls. */
  reportedDbs: Set<number>;
}

/** Deliberate faults, to show the checks catch them (see the last test). */
const enum Tamper {
  None,
  /** Handlers' keyModified / dbModified calls go through but are not recorded. */
  HideReports,
  /** The hook runs but visitWrittenKeys' visits are not recorded. */
  HideDeclarations,
}

/**
 * Wraps `server`'s keyModified, dbModified and the saver's pre-write hook (and makes the saver
 * say a snapshot runs, so the dispatcher and the blocking registry call the hook). Each hook
 * call opens a window; reports land in the open window, or in `strays` before any.
 */
class WriteRecorder {
  readonly windows: WriteWindow[] = [];
  readonly strays: string[] = [];

  constructor(server: ServerState, tamper: Tamper) {
    const keyModified = server.keyModified.bind(server);
    const dbModified = server.dbModified.bind(server);
    server.keyModified = (db, key) => {
      if (tamper !== Tamper.HideReports) {
        this.#report(`keyModified(${db}, "${latin1(key)}")`)?.reportedKeys.add(keyTag(db, key));
      }
      keyModified(db, key);
    };
    // A change Redis keeps from WATCH (stream group bookkeeping) is still a reported change.
    const keyChangedUnwatched = server.keyChangedUnwatched.bind(server);
    server.keyChangedUnwatched = (db, key) => {
      if (tamper !== Tamper.HideReports) {
        this.#report(`keyChangedUnwatched(${db}, "${latin1(key)}")`)?.reportedKeys.add(
          keyTag(db, key),
        );
      }
      keyChangedUnwatched(db, key);
    };
    server.dbModified = (db) => {
      if (tamper !== Tamper.HideReports) this.#report(`dbModified(${db})`)?.reportedDbs.add(db);
      dbModified(db);
    };
    Object.defineProperty(server.saver, "snapshotRunning", { get: () => true });
    server.saver.beforeCommand = (db, spec, argv) => {
      const window: WriteWindow = {
        label: [spec.fullName.toUpperCase(), ...argv.slice(1).map(latin1)].join(" "),
        fullName: spec.fullName,
        keysBefore: keyspaceTexts(server.engine),
        declaredKeys: new Set(),
        declaredDbs: new Set(),
        reportedKeys: new Set(),
        reportedDbs: new Set(),
      };
      visitWrittenKeys(spec, db, argv, (visitedDb, key) => {
        if (tamper === Tamper.HideDeclarations) return;
        if (key === null) window.declaredDbs.add(visitedDb);
        else window.declaredKeys.add(keyTag(visitedDb, key));
      });
      this.windows.push(window);
    };
  }

  #report(what: string): WriteWindow | undefined {
    const window = this.windows.at(-1);
    if (window === undefined) this.strays.push(what);
    return window;
  }
}

/** True when the window's whole-database visits include `db`. */
function coversDb(dbs: ReadonlySet<number>, db: number): boolean {
  return dbs.has(-1) || dbs.has(db);
}

/** The tags whose entry text differs between two keyspaces (created, changed, deleted). */
function changedTags(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [tag, text] of before) if (after.get(tag) !== text) changed.push(tag);
  for (const tag of after.keys()) if (!before.has(tag)) changed.push(tag);
  return changed.sort();
}

/** The disagreements in one window, as messages; `keysAfter` is the keyspace when it closed. */
function windowProblems(window: WriteWindow, keysAfter: Map<string, string>): string[] {
  const problems: string[] = [];
  const label = window.label;
  const declared = (tag: string) =>
    window.declaredKeys.has(tag) || coversDb(window.declaredDbs, tagDb(tag));
  for (const tag of window.reportedKeys) {
    if (declared(tag)) continue;
    problems.push(
      `${label}: keyModified reports ${tagText(tag)}, which visitWrittenKeys does not name: ` +
        `a running BGSAVE would not side-save it before the write (spec.ts writeKeys)`,
    );
  }
  for (const db of window.reportedDbs) {
    if (coversDb(window.declaredDbs, db)) continue;
    problems.push(
      `${label}: dbModified(${db}) but visitWrittenKeys names no whole database ${db}: ` +
        `a running BGSAVE would not finish before the write (spec.ts writeKeys)`,
    );
  }
  const changedDbs = new Set<number>();
  for (const tag of changedTags(window.keysBefore, keysAfter)) {
    const db = tagDb(tag);
    changedDbs.add(db);
    if (!declared(tag)) {
      problems.push(
        `${label}: ${tagText(tag)} changed but visitWrittenKeys does not name it: ` +
          `a running BGSAVE would save its new value (spec.ts writeKeys)`,
      );
    }
    if (!window.reportedKeys.has(tag) && !window.reportedDbs.has(db)) {
      problems.push(
        `${label}: ${tagText(tag)} changed without keyModified: ` +
          `WATCH and clients blocked on it miss the write (the handler in core/commands/)`,
      );
    }
  }
  for (const db of changedDbs) {
    if (!coversDb(window.declaredDbs, db) || window.reportedDbs.has(db)) continue;
    problems.push(
      `${label}: visitWrittenKeys names database ${db} whole and it changed, ` +
        `but the handler did not call dbModified(${db}): WATCH misses keys it does not report`,
    );
  }
  return problems;
}

// ── Running a sample ────────────────────────────────────────────────────────────────────────

const decoder = new TextDecoder();

function newClient(id: number): ClientState {
  return new ClientState(
    id,
    "127.0.0.1:1",
    "127.0.0.1:2",
    new RespReader(),
    new ReplyWriter(),
    true,
    0,
  );
}

/** Starts one command for `client` (its reply buffer cleared first); a promise if it waits. */
function start(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: readonly string[],
): void | Promise<void> {
  client.writer.reset();
  return executeCommand(table, server, client, argv.map(utf8));
}

/** Runs one command to its end and returns the reply as text. */
async function run(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: readonly string[],
): Promise<string> {
  await start(table, server, client, argv);
  return decoder.decode(client.writer.view());
}

function isError(reply: string): boolean {
  return reply.startsWith("-");
}

/**
 * Runs `sample` of `fullName` on a fresh server and returns every disagreement found, as
 * messages (none: the two sources agree). Also reports a sample that does not do what its
 * `outcome` says, so a sample cannot silently stop exercising the write.
 */
async function sampleProblems(
  table: CommandTable,
  fullName: string,
  sample: Sample,
  tamper = Tamper.None,
): Promise<string[]> {
  const server = new ServerState(Engine.create(), new Config(), new Logger("nothing"));
  const client = newClient(1);
  const waker = newClient(2);
  const shown = sample.argv.join(" ");
  const problems: string[] = [];
  for (const argv of [...sample.setup ?? [], ["SELECT", String(sample.db ?? 0)]]) {
    const reply = await run(table, server, client, argv);
    if (isError(reply)) return [`${shown}: setup ${argv.join(" ")} failed: ${reply.trim()}`];
  }
  await run(table, server, waker, ["SELECT", String(sample.db ?? 0)]);

  const recorder = new WriteRecorder(server, tamper);
  const pending = start(table, server, client, sample.argv);
  if (sample.wake !== undefined) {
    if (server.blocking.blockedCount !== 1) {
      problems.push(`${shown}: expected to block until woken, did not`);
    }
    for (const argv of sample.wake) {
      const reply = await run(table, server, waker, argv);
      if (isError(reply)) {
        problems.push(`${shown}: waking ${argv.join(" ")} failed: ${reply.trim()}`);
      }
    }
  } else if (server.blocking.blockedCount !== 0) {
    problems.push(`${shown}: blocked, but the sample gives it data to be served at once`);
  }
  await pending;
  const reply = decoder.decode(client.writer.view());
  if (sample.wake !== undefined && (reply.startsWith("*-1") || reply.startsWith("$-1"))) {
    problems.push(`${shown}: timed out instead of being served by the wake-up writes`);
  }
  const keysAfter = keyspaceTexts(server.engine);

  for (const stray of recorder.strays) {
    problems.push(`${shown}: ${stray} outside any pre-write hook call (not run as a write?)`);
  }
  if (recorder.windows[0]?.fullName !== fullName) {
    problems.push(
      `${shown}: the dispatcher called no pre-write hook for ${fullName} ` +
        `(spec.isWrite / writeKeys.kind None?)`,
    );
  }
  let changedCount = 0;
  recorder.windows.forEach((window, i) => {
    const after = recorder.windows[i + 1]?.keysBefore ?? keysAfter;
    const changed = changedTags(window.keysBefore, after);
    // The sample's outcome is about its own command; wake-up writes change keys of their own.
    if (window.fullName === fullName) changedCount += changed.length;
    problems.push(...windowProblems(window, after));
  });
  const outcome = sample.outcome ?? "changes";
  if (outcome === "error" && !isError(reply)) {
    problems.push(`${shown}: expected an error reply, got ${JSON.stringify(reply)}`);
  }
  if (outcome !== "error" && isError(reply)) {
    problems.push(`${shown}: unexpected error reply ${reply.trim()}`);
  }
  if (outcome === "changes" && changedCount === 0) {
    problems.push(`${shown}: changed nothing; give it a setup that makes the write change data`);
  }
  if (outcome !== "changes" && changedCount !== 0) {
    problems.push(`${shown}: expected to change nothing, changed ${changedCount} key(s)`);
  }
  return problems;
}

/**
 * Writes that change no key at all: the function libraries (tests/functions_*_test.ts cover
 * them). They declare no written keys; a snapshot records the libraries at its instant.
 */
const KEYLESS_WRITES = new Set([
  "function|delete",
  "function|flush",
  "function|load",
  "function|restore",
]);

/** Every write command's full name (subcommands included, and PFCOUNT, which may write), sorted. */
function writeCommandNames(table: CommandTable): string[] {
  // A write, or a read-only command that declares written keys all the same (PFCOUNT).
  const writes = (spec: CommandSpec) =>
    !KEYLESS_WRITES.has(spec.fullName) &&
    (spec.isWrite || spec.writeKeys.kind !== WriteKeysKind.None);
  const names: string[] = [];
  for (const spec of table.commands.values()) {
    if (writes(spec)) names.push(spec.fullName);
    for (const sub of spec.subcommands?.values() ?? []) if (writes(sub)) names.push(sub.fullName);
  }
  return names.sort();
}

/**
 * Writes that change data only after waiting on another server, which an in-process sample
 * cannot: their declared and reported keys are checked where they run (tests/migrate_test.ts).
 */
const CHANGES_AFTER_WAITING = new Set(["migrate"]);

// ── Tests ───────────────────────────────────────────────────────────────────────────────────

Deno.test("every write command in the table has sample invocations, and no sample is stale", () => {
  const table = buildCommandTable();
  const writes = writeCommandNames(table);
  assert.ok(writes.length > 0);
  const missing = writes.filter((name) => (SAMPLES[name]?.length ?? 0) === 0);
  assert.deepEqual(
    missing,
    [],
    `write commands without a sample in tests/written_keys_test.ts SAMPLES: ${missing.join(", ")}`,
  );
  const stale = Object.keys(SAMPLES).filter((name) => !writes.includes(name));
  assert.deepEqual(stale, [], `SAMPLES rows for commands that are not writes: ${stale.join(", ")}`);
  for (const [name, samples] of Object.entries(SAMPLES)) {
    const changing = samples.filter((sample) => (sample.outcome ?? "changes") === "changes");
    assert.ok(
      changing.length > 0 || CHANGES_AFTER_WAITING.has(name),
      `${name}: no sample that changes data`,
    );
    for (const sample of samples) {
      const spec = table.resolve(sample.argv.map(utf8));
      assert.ok(
        typeof spec !== "string" && spec.fullName === name,
        `${sample.argv.join(" ")} is not ${name}`,
      );
    }
  }
});

Deno.test("each write command reports (keyModified, dbModified) the keys its writeKeys declare", async (t) => {
  const table = buildCommandTable();
  let invocationCount = 0;
  for (const name of writeCommandNames(table)) {
    await t.step(name, async () => {
      const problems: string[] = [];
      for (const sample of SAMPLES[name] ?? []) {
        problems.push(...await sampleProblems(table, name, sample));
        invocationCount++;
      }
      assert.deepEqual(problems, [], `\n  ${problems.join("\n  ")}`);
    });
  }
  assert.ok(invocationCount > 0);
});

Deno.test("writes queued in MULTI pass the same checks when EXEC runs them", async () => {
  const table = buildCommandTable();
  const server = new ServerState(Engine.create(), new Config(), new Logger("nothing"));
  const client = newClient(1);
  await run(table, server, client, ["SADD", "src", "m", "n"]);
  const recorder = new WriteRecorder(server, Tamper.None);
  const queued = [
    ["SET", "a", "1"],
    ["RPUSH", "l", "x", "y"],
    ["SMOVE", "src", "dst", "m"],
    ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
    ["SWAPDB", "0", "4"],
  ];
  assert.equal(await run(table, server, client, ["MULTI"]), "+OK\r\n");
  for (const argv of queued) assert.equal(await run(table, server, client, argv), "+QUEUED\r\n");
  const reply = await run(table, server, client, ["EXEC"]);
  assert.ok(reply.startsWith(`*${queued.length}\r\n`), reply);
  assert.equal(recorder.strays.length, 0, recorder.strays.join(", "));
  assert.deepEqual(
    recorder.windows.map((w) => w.fullName),
    queued.map((argv) => argv[0].toLowerCase()),
    "one pre-write hook call per queued write",
  );
  const keysAfter = keyspaceTexts(server.engine);
  const problems = recorder.windows.flatMap((window, i) =>
    windowProblems(window, recorder.windows[i + 1]?.keysBefore ?? keysAfter)
  );
  assert.deepEqual(problems, []);
  assert.ok(keysAfter.has("4:a") && !keysAfter.has("0:a"), "SWAPDB ran last");
});

Deno.test("the checks catch a forgotten keyModified and a forgotten writeKeys position", async () => {
  const table = buildCommandTable();
  const sample: Sample = {
    setup: [["RPUSH", "src", "a"]],
    argv: ["LMOVE", "src", "dst", "LEFT", "LEFT"],
  };
  assert.deepEqual(await sampleProblems(table, "lmove", sample), []);
  const unreported = await sampleProblems(table, "lmove", sample, Tamper.HideReports);
  assert.ok(
    unreported.some((p) => p.includes('"src" in db 0 changed without keyModified')),
    unreported.join("\n"),
  );
  assert.ok(
    unreported.some((p) => p.includes('"dst" in db 0 changed without keyModified')),
    unreported.join("\n"),
  );
  const undeclared = await sampleProblems(table, "lmove", sample, Tamper.HideDeclarations);
  assert.ok(
    undeclared.some((p) => p.includes("which visitWrittenKeys does not name")),
    undeclared.join("\n"),
  );
  assert.ok(
    undeclared.some((p) => p.includes("changed but visitWrittenKeys does not name")),
    undeclared.join("\n"),
  );
  const flush: Sample = { setup: [["SET", "a", "1"]], argv: ["FLUSHDB"] };
  const flushUnreported = await sampleProblems(table, "flushdb", flush, Tamper.HideReports);
  assert.ok(
    flushUnreported.some((p) => p.includes("did not call dbModified(0)")),
    flushUnreported.join("\n"),
  );
});
