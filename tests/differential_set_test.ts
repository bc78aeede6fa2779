// Differential tests for sets: every set command, its errors, and a long seeded random
// sequence must get the same replies from resplica as from redis-server 7.0.
//
// Sets add three kinds of replies the shared harness cannot compare as bytes, so this file
// runs its own steps (same FLUSHALL-then-compare discipline as tests/_support/differential.ts):
//
//   members  OBJECT ENCODING must agree; SMEMBERS then compares byte for byte for an intset
//            (ascending, Redis's promise) and as a multiset for a hashtable.
//   setop    SINTER/SUNION/SDIFF: a result Redis built as an intset (all integers, ≤ 512,
//            ascending, from SUNION/SDIFF) must match byte for byte, anything else as a multiset.
//   pop      SPOP: same reply type and size, distinct members of the set; then the subject is
//            reconciled to the reference (SREM what only the reference popped, SADD back what
//            only the subject popped; the counts prove membership) and OBJECT ENCODING must
//            agree, unless Redis's own choice was random (a mixed set rebuilt by SPOP).
//   rand     SRANDMEMBER: same reply type and size, members checked with SMISMEMBER, and
//            distinct for a non-negative count.
//   sscan    a whole SSCAN iteration; the sorted union of members is compared (pages are an
//            implementation detail).
//
// RESPLICA_DIFF_SEED=<n> replays one random sequence; the seed is printed on every run.

import assert from "node:assert/strict";
import {
  arity,
  compareReplies,
  describeStep,
  diffSeed,
  type DiffStep,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  escapeBytes,
  expect,
  flushAll,
  seededRandom,
  stepCases,
  toStep,
  unordered,
  weightedPicker,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { blobText, latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** Commands in the random sequence. */
const RANDOM_COMMAND_COUNT = 10_000;
/** Set keys the random sequence draws from (plus one string key). */
const RANDOM_KEY_COUNT = 6;
/** Longest SSCAN iteration the harness follows before calling it endless. */
const SSCAN_CALL_COUNT_MAX = 10_000;
/** Largest result Redis 7.0 builds as an intset (set-max-intset-entries). */
const INTSET_ENTRIES_MAX = 512;

type SetStep =
  | string
  | string[]
  | DiffStep
  | { members: string }
  | { setop: string[] }
  | { pop: string[] }
  | { rand: string[] }
  | { sscan: string[] };

interface SetCase {
  name: string;
  steps: SetStep[];
}

function range(from: number, count: number, prefix = ""): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
}

// ── Hand-written cases ──────────────────────────────────────────────────────────────────

const setCases: SetCase[] = [
  {
    name: "SADD, SCARD, SISMEMBER, SMISMEMBER on intset and hashtable",
    steps: [
      expect("SADD s 3 1 2 -5 10 1", ":5\r\n"),
      expect("SMEMBERS s", "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"),
      expect("OBJECT ENCODING s", "$6\r\nintset\r\n"),
      "SCARD s",
      "SISMEMBER s 1",
      "SISMEMBER s 01",
      "SISMEMBER s 4",
      "SMISMEMBER s 1 4 10 x",
      "SCARD nokey",
      "SISMEMBER nokey a",
      "SMISMEMBER nokey a b",
      expect("SADD h a b c a", ":3\r\n"),
      expect("OBJECT ENCODING h", "$9\r\nhashtable\r\n"),
      { members: "h" },
      "SISMEMBER h a",
      "SMISMEMBER h a z c",
      "SCARD h",
      "TYPE h",
      "TYPE s",
      expect("SADD", arity("sadd")),
      expect("SADD s", arity("sadd")),
      expect("SCARD", arity("scard")),
      expect("SCARD a b", arity("scard")),
      expect("SISMEMBER s", arity("sismember")),
      expect("SISMEMBER s a b", arity("sismember")),
      expect("SMISMEMBER s", arity("smismember")),
    ],
  },
  {
    name: "integer canonical forms decide the encoding",
    steps: [
      "SADD a 9223372036854775807 -9223372036854775808 0",
      { members: "a" },
      "SADD b 9223372036854775808",
      { members: "b" },
      "SADD c 007",
      { members: "c" },
      "SADD d -0",
      { members: "d" },
      "SADD e +1",
      { members: "e" },
      "SADD f 1.0",
      { members: "f" },
      ["SADD", "g", " 1"],
      { members: "g" },
      ["SADD", "h", ""],
      { members: "h" },
      "SADD i 32767 -32768",
      { members: "i" },
      "SADD i 32768",
      { members: "i" },
      "SADD i -2147483649",
      { members: "i" },
      "SISMEMBER i 32768",
      "SISMEMBER i 032768",
      "SREM i 32768 -32768",
      { members: "i" },
    ],
  },
  {
    name: "intset converts to hashtable past 512 members or on a string",
    steps: [
      ["SADD", "big", ...range(0, 512)],
      expect("OBJECT ENCODING big", "$6\r\nintset\r\n"),
      { members: "big" },
      expect("SADD big 511", ":0\r\n"),
      expect("OBJECT ENCODING big", "$6\r\nintset\r\n"),
      expect("SADD big 512", ":1\r\n"),
      expect("OBJECT ENCODING big", "$9\r\nhashtable\r\n"),
      { members: "big" },
      "SREM big 512 511",
      expect("OBJECT ENCODING big", "$9\r\nhashtable\r\n"),
      ["SADD", "over", ...range(0, 600)],
      { members: "over" },
      ["SADD", "mixed", ...range(0, 100)],
      "SADD mixed x",
      { members: "mixed" },
      "SREM mixed x",
      expect("OBJECT ENCODING mixed", "$9\r\nhashtable\r\n"),
      { members: "mixed" },
      ["SADD", "strs", ...range(0, 300, "m")],
      { members: "strs" },
      "SCARD strs",
      ["SADD", "long", "x".repeat(100), "y"],
      { members: "long" },
      ["SADD", "intthenlong", "1", "y".repeat(65)],
      { members: "intthenlong" },
    ],
  },
  {
    name: "SREM deletes the key when emptied",
    steps: [
      "SADD s 1 2",
      expect("SREM s 1 9", ":1\r\n"),
      expect("SREM s 2 2", ":1\r\n"),
      expect("EXISTS s", ":0\r\n"),
      "SADD h a b",
      "SREM h a b c",
      "EXISTS h",
      "SREM nokey a",
      expect("SREM s", arity("srem")),
      ["SADD", "t", ...range(0, 200, "t")],
      ["SREM", "t", ...range(0, 199, "t")],
      { members: "t" },
      "SREM t t199",
      "EXISTS t",
    ],
  },
  {
    name: "WRONGTYPE from every set command",
    steps: [
      "SET str x",
      expect("SADD str a", ERR_WRONGTYPE),
      expect("SREM str a", ERR_WRONGTYPE),
      expect("SISMEMBER str a", ERR_WRONGTYPE),
      expect("SMISMEMBER str a", ERR_WRONGTYPE),
      expect("SCARD str", ERR_WRONGTYPE),
      expect("SMEMBERS str", ERR_WRONGTYPE),
      expect("SRANDMEMBER str", ERR_WRONGTYPE),
      expect("SRANDMEMBER str 2", ERR_WRONGTYPE),
      expect("SRANDMEMBER str 0", ERR_WRONGTYPE),
      expect("SRANDMEMBER str x", ERR_NOT_INTEGER),
      expect("SPOP str", ERR_WRONGTYPE),
      expect("SPOP str 2", ERR_WRONGTYPE),
      expect("SPOP str 0", ERR_WRONGTYPE),
      expect("SINTER str", ERR_WRONGTYPE),
      expect("SINTER nokey str", ERR_WRONGTYPE),
      expect("SUNION nokey str", ERR_WRONGTYPE),
      expect("SDIFF nokey str", ERR_WRONGTYPE),
      expect("SINTERSTORE d str", ERR_WRONGTYPE),
      expect("SUNIONSTORE d nokey str", ERR_WRONGTYPE),
      expect("SDIFFSTORE d str", ERR_WRONGTYPE),
      expect("SINTERCARD 2 nokey str", ERR_WRONGTYPE),
      expect("SSCAN str 0", ERR_WRONGTYPE),
      expect("SSCAN str x", "-ERR invalid cursor\r\n"),
      "SADD s 1",
      expect("SMOVE s str 1", ERR_WRONGTYPE),
      expect("SMOVE str s 1", ERR_WRONGTYPE),
      expect("SMOVE nokey str 1", ":0\r\n"),
      "GET str",
      "SMEMBERS s",
      expect("GET s", ERR_WRONGTYPE),
      expect("INCR s", ERR_WRONGTYPE),
      "TYPE s",
    ],
  },
  {
    name: "SRANDMEMBER arguments and deterministic replies",
    steps: [
      "SADD s 3 1 2",
      expect("SRANDMEMBER s 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("SRANDMEMBER s 100", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("SRANDMEMBER s 0", "*0\r\n"),
      expect("SRANDMEMBER nokey 5", "*0\r\n"),
      expect("SRANDMEMBER nokey -5", "*0\r\n"),
      expect("SRANDMEMBER nokey", "$-1\r\n"),
      expect("SRANDMEMBER s abc", ERR_NOT_INTEGER),
      expect("SRANDMEMBER s 1 2", ERR_SYNTAX),
      expect(
        "SRANDMEMBER s -9223372036854775808",
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
      ),
      expect("SRANDMEMBER s 9223372036854775808", ERR_NOT_INTEGER),
      expect("SRANDMEMBER", arity("srandmember")),
      { rand: ["s"] },
      { rand: ["s", "2"] },
      { rand: ["s", "-7"] },
      { rand: ["s", "1"] },
      ["SADD", "h", ...range(0, 300, "h")],
      { rand: ["h", "5"] },
      { rand: ["h", "150"] },
      { rand: ["h", "299"] },
      { rand: ["h", "-20"] },
      { rand: ["h"] },
      ["SADD", "p", ...range(0, 20, "p")],
      { rand: ["p", "5"] },
      { rand: ["p", "19"] },
      { rand: ["p", "-40"] },
    ],
  },
  {
    name: "SPOP arguments, counts and key deletion",
    steps: [
      "SADD s 3 1 2",
      expect("SPOP s abc", "-ERR value is out of range, must be positive\r\n"),
      expect("SPOP s -1", "-ERR value is out of range, must be positive\r\n"),
      expect("SPOP s 1 2", ERR_SYNTAX),
      expect("SPOP s 0", "*0\r\n"),
      expect("SPOP nokey 3", "*0\r\n"),
      expect("SPOP nokey", "$-1\r\n"),
      expect("SPOP", arity("spop")),
      expect("SPOP s 3", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("EXISTS s", ":0\r\n"),
      "SADD s 5 6 7 8",
      { pop: ["s"] },
      { members: "s" },
      { pop: ["s", "2"] },
      { members: "s" },
      { pop: ["s", "10"] },
      "EXISTS s",
      ["SADD", "h", ...range(0, 300, "h")],
      { pop: ["h", "10"] },
      { pop: ["h", "250"] },
      { pop: ["h"] },
      { members: "h" },
      { pop: ["h", "100"] },
      "EXISTS h",
      ["SADD", "mixed", "a", ...range(0, 10)],
      "SREM mixed a",
      expect(
        "SPOP mixed 20",
        "*10\r\n$1\r\n0\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$1\r\n5\r\n$1\r\n6\r\n$1\r\n7\r\n$1\r\n8\r\n$1\r\n9\r\n",
      ),
      ["SADD", "ints", ...range(0, 700)],
      { pop: ["ints", "600"] },
      { members: "ints" },
      "SADD ttl a b c",
      "EXPIRE ttl 1000",
      { pop: ["ttl", "1"] },
      "TTL ttl",
    ],
  },
  {
    name: "SMOVE",
    steps: [
      "SADD a 1 2 x",
      "SADD b 3",
      expect("SMOVE a b 1", ":1\r\n"),
      { members: "a" },
      { members: "b" },
      expect("SMOVE a b 1", ":0\r\n"),
      expect("SMOVE a a 2", ":1\r\n"),
      expect("SMOVE a a 9", ":0\r\n"),
      expect("SMOVE a new x", ":1\r\n"),
      { members: "new" },
      "SMOVE a new2 2",
      { members: "new2" },
      "EXISTS a",
      "SADD b 2",
      "SMOVE new2 b 2",
      "EXISTS new2",
      { members: "b" },
      expect("SMOVE nokey b 1", ":0\r\n"),
      expect("SMOVE a b", arity("smove")),
      "SADD c 1",
      "EXPIRE c 1000",
      "SMOVE b c 3",
      "TTL c",
      { members: "c" },
    ],
  },
  {
    name: "SINTER, SUNION, SDIFF and their orders",
    steps: [
      "SADD s 3 1 2 -5 10",
      "SADD t 1 2 3 4",
      "SADD h a b 1 2",
      expect("SINTER s t", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("SINTER t s", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("SINTER s", "*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n"),
      "SINTER s s",
      expect("SINTER s nokey", "*0\r\n"),
      expect("SINTER nokey s", "*0\r\n"),
      expect(
        "SUNION s t",
        "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$2\r\n10\r\n",
      ),
      "SUNION s nokey t",
      "SUNION nokey",
      expect("SDIFF s t", "*2\r\n$2\r\n-5\r\n$2\r\n10\r\n"),
      "SDIFF t s",
      "SDIFF s s",
      "SDIFF nokey s",
      "SDIFF s nokey",
      { setop: ["SINTER", "s", "h"] },
      { setop: ["SINTER", "h", "t"] },
      { setop: ["SUNION", "s", "h"] },
      { setop: ["SDIFF", "h", "s"] },
      { setop: ["SDIFF", "h", "a"] },
      "SREM h a b",
      { setop: ["SUNION", "h"] },
      { setop: ["SDIFF", "h", "nokey"] },
      ["SADD", "big", ...range(0, 600)],
      { setop: ["SINTER", "big", "s"] },
      { setop: ["SUNION", "big", "s"] },
      { setop: ["SDIFF", "big", "t"] },
      expect("SINTER", arity("sinter")),
      expect("SUNION", arity("sunion")),
      expect("SDIFF", arity("sdiff")),
    ],
  },
  {
    name: "STORE variants overwrite any type, clear the TTL, delete on empty",
    steps: [
      "SADD s 3 1 2",
      "SADD t 2 3 4",
      "SADD h a b 2",
      expect("SINTERSTORE d s t", ":2\r\n"),
      { members: "d" },
      expect("SUNIONSTORE d s t", ":4\r\n"),
      { members: "d" },
      expect("SDIFFSTORE d s t", ":1\r\n"),
      { members: "d" },
      "SUNIONSTORE d s h",
      { members: "d" },
      "SINTERSTORE d s h",
      { members: "d" },
      "SET str x",
      "EXPIRE str 1000",
      expect("SUNIONSTORE str s", ":3\r\n"),
      "TTL str",
      "TYPE str",
      { members: "str" },
      "SET str2 x",
      expect("SINTERSTORE str2 s nokey", ":0\r\n"),
      expect("EXISTS str2", ":0\r\n"),
      expect("SDIFFSTORE d s s", ":0\r\n"),
      expect("EXISTS d", ":0\r\n"),
      expect("SDIFFSTORE d nokey", ":0\r\n"),
      "SUNIONSTORE s s t",
      { members: "s" },
      "SINTERSTORE t t",
      { members: "t" },
      "SREM h a b",
      "SUNIONSTORE d2 h",
      expect("OBJECT ENCODING d2", "$6\r\nintset\r\n"),
      ["SADD", "big", ...range(0, 600)],
      "SUNIONSTORE d3 big",
      { members: "d3" },
      "SINTERSTORE d4 big s",
      { members: "d4" },
      "SDIFFSTORE d5 big t",
      { members: "d5" },
      expect("SINTERSTORE d", arity("sinterstore")),
      expect("SUNIONSTORE d", arity("sunionstore")),
      expect("SDIFFSTORE d", arity("sdiffstore")),
    ],
  },
  {
    name: "SINTERCARD",
    steps: [
      "SADD s 3 1 2 -5 10",
      "SADD t 1 2 3 4",
      "SADD h a b 1 2",
      expect("SINTERCARD 2 s t", ":3\r\n"),
      expect("SINTERCARD 2 s t LIMIT 2", ":2\r\n"),
      expect("SINTERCARD 2 s t LIMIT 0", ":3\r\n"),
      expect("SINTERCARD 2 s t limit 100", ":3\r\n"),
      "SINTERCARD 3 s t h",
      "SINTERCARD 1 h",
      "SINTERCARD 2 s nokey",
      expect("SINTERCARD 0 s", "-ERR numkeys should be greater than 0\r\n"),
      expect("SINTERCARD abc s", "-ERR numkeys should be greater than 0\r\n"),
      expect("SINTERCARD -1 s", "-ERR numkeys should be greater than 0\r\n"),
      expect("SINTERCARD 3 s t", "-ERR Number of keys can't be greater than number of args\r\n"),
      expect("SINTERCARD 2 s t LIMIT abc", "-ERR LIMIT can't be negative\r\n"),
      expect("SINTERCARD 2 s t LIMIT -1", "-ERR LIMIT can't be negative\r\n"),
      expect("SINTERCARD 2 s t foo", ERR_SYNTAX),
      expect("SINTERCARD 2 s t LIMIT", ERR_SYNTAX),
      expect("SINTERCARD 1 nokey str", ERR_SYNTAX),
      expect(
        "SINTERCARD 9223372036854775807 s",
        "-ERR Number of keys can't be greater than number of args\r\n",
      ),
      expect("SINTERCARD 1", arity("sintercard")),
    ],
  },
  {
    name: "SSCAN",
    steps: [
      "SADD s 3 1 2 -5 10",
      expect(
        "SSCAN s 0",
        "*2\r\n$1\r\n0\r\n*5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n",
      ),
      "SSCAN s 7",
      "SSCAN s -1",
      expect("SSCAN s 0 MATCH 1*", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$2\r\n10\r\n"),
      "SSCAN s 0 COUNT 1",
      expect("SSCAN nokey 0", "*2\r\n$1\r\n0\r\n*0\r\n"),
      expect("SSCAN nokey 0 COUNT abc", "*2\r\n$1\r\n0\r\n*0\r\n"),
      expect("SSCAN s abc", "-ERR invalid cursor\r\n"),
      expect("SSCAN s 18446744073709551616", "-ERR invalid cursor\r\n"),
      expect("SSCAN s 0 COUNT 0", ERR_SYNTAX),
      expect("SSCAN s 0 COUNT abc", ERR_NOT_INTEGER),
      expect("SSCAN s 0 TYPE string", ERR_SYNTAX),
      expect("SSCAN s 0 NOPE", ERR_SYNTAX),
      expect("SSCAN s 0 COUNT", ERR_SYNTAX),
      expect("SSCAN s", arity("sscan")),
      ["SADD", "h", ...range(0, 1000, "m")],
      { sscan: ["h"] },
      { sscan: ["h", "COUNT", "3"] },
      { sscan: ["h", "MATCH", "m1*", "COUNT", "50"] },
      { sscan: ["h", "MATCH", "nothing*"] },
      ["SADD", "p", "a", "b", "c"],
      { sscan: ["p"] },
      { sscan: ["p", "MATCH", "[ab]"] },
    ],
  },
  {
    name: "sets under RESP3",
    steps: [
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      "SADD s 1 2 3",
      expect("SMEMBERS s", "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      expect("SMEMBERS nokey", "~0\r\n"),
      "SINTER s nokey",
      "SUNION s",
      "SDIFF s",
      "SINTER s",
      expect("SRANDMEMBER s 5", "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
      "SRANDMEMBER nokey 3",
      "SRANDMEMBER nokey",
      "SPOP s 0",
      "SPOP nokey 2",
      "SPOP nokey",
      "SSCAN s 0",
      "SSCAN nokey 0",
      "SMISMEMBER s 1 9",
      expect("SPOP s 5", "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"),
    ],
  },
  {
    name: "sets with generic key commands",
    steps: [
      "SADD s 1 2 3",
      "SADD h a b",
      "COPY s s2",
      { members: "s2" },
      "COPY h h2",
      { members: "h2" },
      "SADD h2 c",
      { members: "h" },
      ["SADD", "big", ...range(0, 300, "b")],
      "COPY big big2",
      "SREM big b1",
      "SCARD big2",
      "SISMEMBER big2 b1",
      "RENAME s r",
      { members: "r" },
      "EXISTS s",
      "EXPIRE r 1000",
      "SADD r 4",
      "TTL r",
      "PERSIST r",
      "DEL r h",
      "EXISTS r h",
      "SET h x",
      "SADD big2 y",
      "MOVE big2 1",
      "SELECT 1",
      "SCARD big2",
      "SELECT 0",
      "SWAPDB 0 1",
      "SCARD big2",
      "TYPE big2",
      unordered("KEYS *"),
      "DBSIZE",
    ],
  },
];

// ── Running steps ───────────────────────────────────────────────────────────────────────

/** Both servers' connections for one case. */
interface Pair {
  reference: RawClient;
  subject: RawClient;
}

function aggregateTexts(reply: Uint8Array): string[] | null {
  const parts = splitAggregate(reply);
  if (parts === null) return null;
  return parts.map((part) => blobText(part) ?? latin1Text(part));
}

function isCanonicalInt(text: string): boolean {
  if (!/^(0|-?[1-9]\d{0,18})$/.test(text)) return false;
  const value = BigInt(text);
  return value >= -9223372036854775808n && value <= 9223372036854775807n;
}

function mismatch(where: string, problem: string, reference: Uint8Array, subject: Uint8Array) {
  return new Error(
    `${where}: ${problem}\n  redis-server: ${escapeBytes(reference)}\n  resplica: ${
      escapeBytes(subject)
    }`,
  );
}

/** Sends args to both; returns both replies. */
async function both(pair: Pair, args: string[]): Promise<[Uint8Array, Uint8Array]> {
  const reference = await pair.reference.command(...args);
  const subject = await pair.subject.command(...args);
  return [reference, subject];
}

async function runPlain(pair: Pair, step: DiffStep, where: string): Promise<void> {
  const [reference, subject] = await both(pair, step.args!.map(String));
  if (step.expect !== undefined && latin1Text(reference) !== step.expect) {
    throw new Error(
      `${where}: corpus error, redis-server replied ${escapeBytes(reference)}, ` +
        `the case expects ${escapeBytes(step.expect)}`,
    );
  }
  const problem = compareReplies(step, reference, subject);
  if (problem !== null) throw mismatch(where, problem, reference, subject);
}

async function runMembers(pair: Pair, key: string, where: string): Promise<void> {
  const [referenceEncoding, subjectEncoding] = await both(pair, ["OBJECT", "ENCODING", key]);
  if (latin1Text(referenceEncoding) !== latin1Text(subjectEncoding)) {
    throw mismatch(`${where} OBJECT ENCODING`, "differs", referenceEncoding, subjectEncoding);
  }
  const ordered = latin1Text(referenceEncoding).includes("intset");
  const [reference, subject] = await both(pair, ["SMEMBERS", key]);
  const problem = compareReplies({ sortArray: !ordered }, reference, subject);
  if (problem !== null) throw mismatch(`${where} SMEMBERS`, problem, reference, subject);
}

async function runSetOp(pair: Pair, args: string[], where: string): Promise<void> {
  const [reference, subject] = await both(pair, args);
  const texts = aggregateTexts(reference);
  // Redis's SDIFF may copy a whole big first set before removing (its second algorithm), so a
  // small all-integer result can still be a hashtable: only an ascending reply is intset order.
  const isStoreOrder = args[0].toUpperCase() !== "SINTER" && texts !== null &&
    texts.length <= INTSET_ENTRIES_MAX && texts.every(isCanonicalInt) &&
    texts.every((text, i) => i === 0 || BigInt(texts[i - 1]!) < BigInt(text!));
  const problem = compareReplies({ sortArray: !isStoreOrder }, reference, subject);
  if (problem !== null) throw mismatch(where, problem, reference, subject);
}

async function runPop(pair: Pair, args: string[], where: string): Promise<void> {
  // Which encoding the remainder gets is random when Redis rebuilds a mixed set (SPOP with a
  // count near the size re-creates the survivors), so note whether the set is mixed.
  const before = aggregateTexts(await pair.reference.command("SMEMBERS", args[0])) ?? [];
  const mixed = before.some(isCanonicalInt) && !before.every(isCanonicalInt);
  const [reference, subject] = await both(pair, ["SPOP", ...args]);
  if (reference[0] !== subject[0]) throw mismatch(where, "reply types differ", reference, subject);
  const referencePopped = args.length > 1 ? aggregateTexts(reference) : [blobText(reference)];
  const subjectPopped = args.length > 1 ? aggregateTexts(subject) : [blobText(subject)];
  if (referencePopped === null || subjectPopped === null) {
    if (latin1Text(reference) === latin1Text(subject)) return; // errors, nil
    throw mismatch(where, "replies differ", reference, subject);
  }
  const referenceMembers = referencePopped.filter((m): m is string => m !== null);
  const subjectMembers = subjectPopped.filter((m): m is string => m !== null);
  if (referenceMembers.length !== subjectMembers.length) {
    throw mismatch(where, "popped counts differ", reference, subject);
  }
  assert.equal(new Set(subjectMembers).size, subjectMembers.length, `${where}: repeated pops`);
  assert.ok(subjectMembers.every((m) => before.includes(m)), `${where}: popped non-members`);
  // Reconcile the subject to the reference's state. Removing first keeps the set within its
  // final size (growing past it could change its encoding), unless that would delete the key
  // and let SADD create a fresh one; adding first is then safe, the set staying a subset of
  // what it was before the pop.
  const toRemove = referenceMembers.filter((m) => !subjectMembers.includes(m));
  const toAdd = subjectMembers.filter((m) => !referenceMembers.includes(m));
  const remaining = before.length - subjectMembers.length;
  const reconcile = [["SREM", ...toRemove], ["SADD", ...toAdd]];
  if (toRemove.length >= remaining) reconcile.reverse();
  for (const [command, ...members] of reconcile) {
    if (members.length === 0) continue;
    const reply = await pair.subject.command(command, args[0], ...members);
    assert.equal(latin1Text(reply), `:${members.length}\r\n`, `${where}: reconcile ${command}`);
  }
  const [referenceEncoding, subjectEncoding] = await both(pair, ["OBJECT", "ENCODING", args[0]]);
  if (latin1Text(referenceEncoding) === latin1Text(subjectEncoding)) return;
  if (!mixed) {
    throw mismatch(`${where} OBJECT ENCODING`, "differs", referenceEncoding, subjectEncoding);
  }
  // A mixed set whose survivors differed: give the subject the reference's encoding.
  if (latin1Text(referenceEncoding).includes("intset")) {
    const expireAtMs = latin1Text(await pair.subject.command("PEXPIRETIME", args[0]));
    await pair.subject.command("SUNIONSTORE", args[0], args[0]);
    const at = /^:(\d+)\r\n$/.exec(expireAtMs);
    if (at) await pair.subject.command("PEXPIREAT", args[0], at[1]);
  } else {
    await pair.subject.command("SADD", args[0], "reconcile-tmp");
    await pair.subject.command("SREM", args[0], "reconcile-tmp");
  }
}

async function runRand(pair: Pair, args: string[], where: string): Promise<void> {
  const [reference, subject] = await both(pair, ["SRANDMEMBER", ...args]);
  if (reference[0] !== subject[0]) throw mismatch(where, "reply types differ", reference, subject);
  const drawn = args.length > 1 ? aggregateTexts(subject) : [blobText(subject)];
  const referenceDrawn = args.length > 1 ? aggregateTexts(reference) : [blobText(reference)];
  if (drawn === null || referenceDrawn === null) {
    if (latin1Text(reference) === latin1Text(subject)) return;
    throw mismatch(where, "replies differ", reference, subject);
  }
  if (drawn.length !== referenceDrawn.length) {
    throw mismatch(where, "member counts differ", reference, subject);
  }
  const members = drawn.filter((m): m is string => m !== null);
  if (members.length === 0) return;
  if (args.length > 1 && !args[1].startsWith("-")) {
    assert.equal(new Set(members).size, members.length, `${where}: repeated members`);
  }
  const flags = await pair.subject.command("SMISMEMBER", args[0], ...members);
  assert.deepEqual(
    aggregateTexts(flags),
    members.map(() => ":1\r\n"),
    `${where}: drew non-members`,
  );
}

async function scanUnion(client: RawClient, args: string[]): Promise<string[]> {
  const members = new Set<string>();
  let cursor = "0";
  for (let callCount = 0; callCount < SSCAN_CALL_COUNT_MAX; callCount++) {
    const reply = await client.command("SSCAN", args[0], cursor, ...args.slice(1));
    const parts = splitAggregate(reply);
    const page = parts && parts.length === 2 ? aggregateTexts(parts[1]) : null;
    if (parts === null || page === null) return [`bad SSCAN reply ${latin1Text(reply)}`];
    for (const member of page) members.add(member);
    cursor = blobText(parts[0]) ?? "?";
    if (cursor === "0") return [...members].sort();
  }
  return ["SSCAN never returned to cursor 0"];
}

async function runScan(pair: Pair, args: string[], where: string): Promise<void> {
  const reference = await scanUnion(pair.reference, args);
  const subject = await scanUnion(pair.subject, args);
  assert.deepEqual(subject, reference, `${where}: SSCAN iterations differ`);
}

function describe(step: SetStep): string {
  if (typeof step === "string" || Array.isArray(step) || "args" in step) {
    return describeStep(toStep(step as string | string[] | DiffStep));
  }
  return JSON.stringify(step).slice(0, 200);
}

async function runSetCase(
  testCase: SetCase,
  referencePort: number,
  subjectPort: number,
): Promise<void> {
  await flushAll({ label: "redis-server", port: referencePort });
  await flushAll({ label: "resplica", port: subjectPort });
  const pair: Pair = {
    reference: await RawClient.connect(referencePort),
    subject: await RawClient.connect(subjectPort),
  };
  try {
    for (const [index, step] of testCase.steps.entries()) {
      const where = `case ${JSON.stringify(testCase.name)} step ${index} (${describe(step)})`;
      if (typeof step === "string" || Array.isArray(step) || "args" in step) {
        await runPlain(pair, toStep(step as string | string[] | DiffStep), where);
      } else if ("members" in step) await runMembers(pair, step.members, where);
      else if ("setop" in step) await runSetOp(pair, step.setop, where);
      else if ("pop" in step) await runPop(pair, step.pop, where);
      else if ("rand" in step) await runRand(pair, step.rand, where);
      else if ("sscan" in step) await runScan(pair, step.sscan, where);
      else throw new Error(`${where}: unknown step`);
    }
  } finally {
    pair.reference.close();
    pair.subject.close();
  }
}

// ── Random sequence ─────────────────────────────────────────────────────────────────────

/**
 * A reproducible random sequence over RANDOM_KEY_COUNT set keys and one string key: members
 * mix small and extreme integers, non-canonical integer text, short and long strings, and
 * occasional bulk adds that cross the intset (512) and packed (128) limits.
 */
function randomSetCase(seed: number): SetCase {
  const random = seededRandom(seed);
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)];
  const key = () => random() < 0.05 ? "str" : `s${below(RANDOM_KEY_COUNT)}`;
  const keys = (min: number) => Array.from({ length: min + below(3) }, key);
  const member = () =>
    pick([
      () => String(below(40)),
      () => String(below(40) - 20),
      () => String(below(40)),
      () => pick(["9223372036854775807", "-9223372036854775808", "70000", "-2147483649"]),
      () => pick(["007", "-0", "+5", "1.5", "", " 3"]),
      () => `m${below(30)}`,
      () => `m${below(30)}`,
      () => "x".repeat(60 + below(10)),
    ])();
  const members = (max: number) => Array.from({ length: 1 + below(max) }, member);
  const count = () => String(pick([0, 1, 2, 3, 5, 10, 50, 200, 1000]));
  const generators: [number, () => SetStep][] = [
    [12, () => ["SADD", key(), ...members(4)]],
    [1, () => ["SADD", key(), ...range(below(600), 20 + below(560))]],
    [1, () => ["SADD", key(), ...range(below(100), 10 + below(150), "m")]],
    [6, () => ["SREM", key(), ...members(4)]],
    [4, () => ["SISMEMBER", key(), member()]],
    [3, () => ["SMISMEMBER", key(), ...members(4)]],
    [4, () => ["SCARD", key()]],
    [4, () => ({ members: key() })],
    [
      3,
      () => ({ rand: random() < 0.3 ? [key()] : [key(), (random() < 0.3 ? "-" : "") + count()] }),
    ],
    [3, () => ({ pop: random() < 0.4 ? [key()] : [key(), count()] })],
    [4, () => ["SMOVE", key(), key(), member()]],
    [3, () => ({ setop: [pick(["SINTER", "SUNION", "SDIFF"]), ...keys(1)] })],
    [3, () => [pick(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key(), ...keys(1)]],
    [2, () => ["SINTERCARD", "2", key(), key(), ...(random() < 0.5 ? ["LIMIT", count()] : [])]],
    [2, () => ({ sscan: [key(), ...(random() < 0.5 ? ["COUNT", String(1 + below(20))] : [])] })],
    [1, () => ({ sscan: [key(), "MATCH", pick(["m1*", "*5", "?", "-*"])] })],
    [1, () => ["OBJECT", "ENCODING", key()]],
    [2, () => ["DEL", key()]],
    [1, () => ["EXISTS", key(), key()]],
    [2, () => ["TYPE", key()]],
    [1, () => ["EXPIRE", key(), String(1000 + below(1000))]],
    [1, () => ["TTL", key()]],
    [1, () => ["RENAME", key(), key()]],
    [1, () => ["COPY", key(), key(), ...(random() < 0.5 ? ["REPLACE"] : [])]],
    [1, () => ["SET", "str", pick(["v", "1"])]],
  ];
  const pickGenerator = weightedPicker(random, generators);
  const steps: SetStep[] = [];
  for (let index = 0; index < RANDOM_COMMAND_COUNT; index++) steps.push(pickGenerator()());
  return { name: `random set sequence seed ${seed}`, steps };
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────

peerTest("differential sets: hand-written cases match redis-server", async (t) => {
  await withDiffPeers(async (reference, subject) => {
    const failures = await stepCases(
      t,
      setCases,
      (testCase) => runSetCase(testCase, reference.port, subject.port),
    );
    if (failures.length > 0) throw new Error(`cases differ: ${failures.join(", ")}`);
  });
});

peerTest("differential sets: seeded random sequence matches redis-server", async () => {
  const seed = diffSeed("differential random set sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runSetCase(randomSetCase(seed), reference.port, subject.port))
  );
});
