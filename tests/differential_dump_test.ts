// Differential tests for DUMP, RESTORE and RESTORE-ASKING against redis-server 7.0:
//
// - DUMP payloads byte for byte, for every type and encoding whose element order Redis fixes
//   (strings in each RDB string form, LZF on and off, quicklists of one and several nodes,
//   intsets of each width, zset listpacks and skiplists, hash listpacks, hashtables of one
//   element, encodings kept after shrinking, streams with groups);
// - RESTORE's errors in Redis's order, TTLs (relative, absolute, past, REPLACE over a key),
//   and hand-made payloads: older RDB versions and encodings (linked lists, ziplists, zipmaps,
//   quicklists of ziplists, text scores), bytes after the value, malformed records with a
//   correct checksum — Redis judges what each must give;
// - payloads crossing between the two servers both ways (all types, hashtables included);
// - keyspace notifications and replication: a resplica master's RESTORE replayed by a
//   redis-server replica with the same absolute expiry, and a past TTL as DEL.

import assert from "node:assert/strict";
import {
  arity,
  type DiffCase,
  type DiffStep,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  expect,
  keepGoingFromEnv,
  runCorpus,
  withDiffPeers,
} from "./_support/differential.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { run, startMaster, startRedisReplica, waitInSync } from "./_support/replication.ts";
import { Crc64 } from "../core/rdb/crc64.ts";

const ERR_FOOTER = "-ERR DUMP payload version or checksum are wrong\r\n";
const ERR_BAD_DATA = "-ERR Bad data format\r\n";
const ERR_BUSYKEY = "-BUSYKEY Target key name already exists.\r\n";
const OK = "+OK\r\n";
const NIL = "$-1\r\n";

// ── Hand-made payloads ───────────────────────────────────────────────────────────────────────

type Part = number | string | Uint8Array | Part[];

/** Bytes of `parts` in order: numbers are single bytes, strings latin1. */
function bytesOf(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  const add = (part: Part): void => {
    if (typeof part === "number") out.push(part);
    else if (typeof part === "string") { for (const ch of part) out.push(ch.charCodeAt(0)); }
    else if (part instanceof Uint8Array) out.push(...part);
    else part.forEach(add);
  };
  parts.forEach(add);
  return new Uint8Array(out);
}

/** A DUMP payload: `record`, the 2-byte version, the CRC64 (right unless `badCrc`). */
function payload(record: Uint8Array, version = 10, badCrc = false): Uint8Array {
  const out = new Uint8Array(record.length + 10);
  out.set(record, 0);
  out[record.length] = version & 0xff;
  out[record.length + 1] = version >> 8;
  const crc = new Crc64();
  crc.update(out, 0, record.length + 2);
  crc.writeLittleEndian(out, record.length + 2);
  if (badCrc) out[out.length - 1] ^= 1;
  return out;
}

/** An RDB string of fewer than 64 bytes (6-bit length). */
function rdbString(text: string): Part[] {
  assert.ok(text.length < 64);
  return [text.length, text];
}

/** A ziplist of short strings and small integers (0..12 immediate, else int16). */
function ziplist(items: (string | number)[]): Uint8Array {
  const entries: number[][] = [];
  let prevLen = 0;
  for (const item of items) {
    const body: number[] = [];
    if (typeof item === "number") {
      if (item >= 0 && item <= 12) body.push(0xf1 + item);
      else body.push(0xc0, item & 0xff, (item >> 8) & 0xff);
    } else {
      assert.ok(item.length < 64);
      body.push(item.length, ...[...item].map((ch) => ch.charCodeAt(0)));
    }
    const entry = [prevLen, ...body];
    entries.push(entry);
    prevLen = entry.length;
  }
  const headerBytes = 10;
  const bodyBytes = entries.reduce((sum, entry) => sum + entry.length, 0);
  const total = headerBytes + bodyBytes + 1;
  const tail = entries.length === 0 ? headerBytes : total - 1 - entries.at(-1)!.length;
  const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
  return bytesOf(le32(total), le32(tail), items.length & 0xff, items.length >> 8, entries, 0xff);
}

/** A zipmap (type 9) of short pairs. */
function zipmap(pairs: [string, string][]): Uint8Array {
  return bytesOf(pairs.length, pairs.map(([k, v]) => [k.length, k, v.length, 0, v]), 0xff);
}

/** An RDB string holding `bytes` (fewer than 64). */
function blob(bytes: Uint8Array): Part[] {
  assert.ok(bytes.length < 64);
  return [bytes.length, bytes];
}

/** RESTORE `key` 0 `data` plus `extra`, then what must hold after it. */
function restoreSteps(key: string, data: Uint8Array, reply: string, after: string[]): DiffStep[] {
  return [
    { args: ["RESTORE", key, "0", data], expect: reply },
    ...after.map((command) => ({ args: command.split(" ") })),
  ];
}

// ── The corpus ───────────────────────────────────────────────────────────────────────────────

const LONG_TEXT = "abcdefghij".repeat(10);
const INCOMPRESSIBLE = Array.from(
  { length: 100 },
  (_, i) => String.fromCharCode(33 + (i * 37) % 90),
)
  .join("");

const dumpCases: DiffCase[] = [
  {
    name: "strings in every RDB string form",
    steps: [
      "SET s bar",
      "DUMP s",
      "SET s 12",
      "DUMP s",
      "SET s -129",
      "DUMP s",
      "SET s 70000",
      "DUMP s",
      "SET s 2147483648",
      "DUMP s",
      "SET s -9223372036854775808",
      "DUMP s",
      "SET s 012",
      "DUMP s",
      ["SET", "s", ""],
      "DUMP s",
      ["SET", "s", "\x00\xff binary"],
      "DUMP s",
      ["SET", "s", LONG_TEXT],
      "DUMP s",
      ["SET", "s", INCOMPRESSIBLE],
      "DUMP s",
      "CONFIG SET rdbcompression no",
      ["SET", "s", LONG_TEXT],
      "DUMP s",
      "CONFIG SET rdbcompression yes",
      "APPEND a x",
      "DUMP a",
      expect("DUMP missing", NIL),
    ],
  },
  {
    name: "lists: one node, several nodes, integers",
    steps: [
      "RPUSH l a b c 1 -2 300000 9223372036854775807",
      "DUMP l",
      "LPUSH l2 z y x",
      "DUMP l2",
      ["RPUSH", "l3", ...Array.from({ length: 300 }, (_, i) => `element-${i}-${LONG_TEXT}`)],
      "DUMP l3",
    ],
  },
  {
    name: "sets: intsets of each width, a one-member hashtable, a kept hashtable",
    steps: [
      "SADD s 1 2 3",
      "DUMP s",
      "SADD s 40000",
      "DUMP s",
      "SADD s 5000000000 -7",
      "DUMP s",
      "SADD h abc",
      "DUMP h",
      "SADD k 1 x",
      "SREM k x",
      "DUMP k",
      "OBJECT ENCODING k",
    ],
  },
  {
    name: "zsets: listpack, skiplist, special scores",
    steps: [
      "ZADD z 1 a 2.5 b -3 c 1e100 d 0.1 e",
      "DUMP z",
      "ZADD z +inf p -inf n",
      "DUMP z",
      ["ZADD", "big", ...Array.from({ length: 200 }, (_, i) => [String(i / 3), `m${i}`]).flat()],
      "DUMP big",
      ["ZADD", "long", "1", "x".repeat(65)],
      "DUMP long",
      ["ZADD", "kept", "1", "x".repeat(65), "2", "y"],
      ["ZREM", "kept", "x".repeat(65)],
      "DUMP kept",
    ],
  },
  {
    name: "hashes: listpack, one-field hashtable, kept hashtable, configured limits",
    steps: [
      "HSET h f1 v1 f2 2 f3 -300",
      "DUMP h",
      ["HSET", "big", "f", "v".repeat(65)],
      "DUMP big",
      ["HSET", "kept", "f", "v".repeat(65), "g", "1"],
      "HDEL kept g",
      ["HSET", "kept", "f", "short"],
      "DUMP kept",
      "CONFIG SET hash-max-listpack-entries 1",
      "HSET conv a 1 b 2",
      "HDEL conv b",
      "DUMP conv",
      "CONFIG SET hash-max-listpack-entries 128",
    ],
  },
  {
    name: "streams: entries, deletions, groups without pending entries",
    steps: [
      "XADD x 1-1 a 1 b 2",
      "XADD x 1-2 a 3 b 4",
      "XADD x 2-0 c 5",
      "DUMP x",
      "XDEL x 1-2",
      "XGROUP CREATE x g1 0",
      "XGROUP CREATE x g2 $",
      "DUMP x",
      "XGROUP CREATE empty g 0 MKSTREAM",
      "DUMP empty",
      "CONFIG SET stream-node-max-entries 2",
      "XADD y 1-1 a 1",
      "XADD y 1-2 a 2",
      "XADD y 1-3 a 3",
      "DUMP y",
      "CONFIG SET stream-node-max-entries 100",
    ],
  },
];

/** A valid string payload from redis-server 7.0 ("bar"). */
const BAR = payload(bytesOf(0, rdbString("bar")));

const restoreCases: DiffCase[] = [
  {
    name: "errors in Redis's order",
    steps: [
      arity("restore"),
      "SET k v",
      expect("RESTORE k 0 junk", ERR_BUSYKEY),
      expect("RESTORE k 0 junk BADOPT", ERR_SYNTAX),
      expect("RESTORE k 0 junk IDLETIME x", ERR_NOT_INTEGER),
      expect("RESTORE k 0 junk IDLETIME -1", "-ERR Invalid IDLETIME value, must be >= 0\r\n"),
      expect("RESTORE k 0 junk FREQ 256", "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"),
      expect("RESTORE k 0 junk FREQ -1", "-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n"),
      expect("RESTORE k 0 junk FREQ 1 IDLETIME 1", ERR_SYNTAX),
      expect("RESTORE k 0 junk IDLETIME 1 FREQ 1", ERR_SYNTAX),
      expect("RESTORE k 0 junk IDLETIME", ERR_SYNTAX),
      expect("RESTORE n x junk", ERR_NOT_INTEGER),
      expect("RESTORE n -1 junk", "-ERR Invalid TTL value, must be >= 0\r\n"),
      expect("RESTORE n 0 junk", ERR_FOOTER),
      expect("RESTORE n 0 0123456789", ERR_FOOTER),
      {
        args: ["RESTORE", "n", "0", payload(bytesOf(0, rdbString("bar")), 10, true)],
        expect: ERR_FOOTER,
      },
      {
        args: ["RESTORE", "n", "0", payload(bytesOf(0, rdbString("bar")), 11)],
        expect: ERR_FOOTER,
      },
      { args: ["RESTORE", "n", "0", payload(bytesOf())], expect: ERR_BAD_DATA },
      expect("EXISTS n", ":0\r\n"),
      { args: ["RESTORE", "k", "0", BAR, "REPLACE", "ABSTTL", "FREQ", "0"], expect: OK },
      { args: ["RESTORE", "k2", "0", BAR, "idletime", "10", "replace"], expect: OK },
      { args: ["RESTORE-ASKING", "k3", "0", BAR], expect: OK },
      { args: ["RESTORE-ASKING", "k3", "0", BAR], expect: ERR_BUSYKEY },
      "MGET k k2 k3",
      expect("DUMP", arity("dump")),
      expect("DUMP a b", arity("dump")),
    ],
  },
  {
    name: "TTLs: relative, absolute, in the past",
    steps: [
      { args: ["RESTORE", "r", "100000", BAR], expect: OK },
      { args: ["PTTL", "r"], pattern: /^:(99\d\d\d|100000)\r\n$/ },
      { args: ["RESTORE", "a", "99999999999999", BAR, "ABSTTL"], expect: OK },
      "PEXPIRETIME a",
      { args: ["RESTORE", "old", "1", BAR, "ABSTTL"], expect: OK },
      expect("EXISTS old", ":0\r\n"),
      "SET gone v",
      { args: ["RESTORE", "gone", "1000", BAR, "ABSTTL", "REPLACE"], expect: OK },
      expect("EXISTS gone", ":0\r\n"),
      { args: ["RESTORE", "zero", "0", BAR, "ABSTTL"], expect: OK },
      expect("TTL zero", ":-1\r\n"),
      "SET keep v EX 100",
      { args: ["RESTORE", "keep", "0", BAR, "REPLACE"], expect: OK },
      expect("TTL keep", ":-1\r\n"),
      "GET keep",
    ],
  },
  {
    name: "older RDB versions and encodings",
    steps: [
      ...restoreSteps("s6", payload(bytesOf(0, rdbString("old")), 6), OK, ["GET s6"]),
      ...restoreSteps("s1", payload(bytesOf(0, 0xc0, 42), 1), OK, ["GET s1"]),
      ...restoreSteps(
        "list",
        payload(bytesOf(1, 3, rdbString("a"), rdbString("b"), 0xc1, 0x39, 0x30), 6),
        OK,
        [
          "LRANGE list 0 -1",
          "OBJECT ENCODING list",
        ],
      ),
      ...restoreSteps("zl", payload(bytesOf(10, blob(ziplist(["a", 5, "bc", 1000]))), 6), OK, [
        "LRANGE zl 0 -1",
      ]),
      ...restoreSteps(
        "ql",
        payload(bytesOf(14, 2, blob(ziplist(["a", "b"])), blob(ziplist([7]))), 9),
        OK,
        [
          "LRANGE ql 0 -1",
        ],
      ),
      ...restoreSteps("zm", payload(bytesOf(9, blob(zipmap([["f", "v"], ["g", "ww"]]))), 3), OK, [
        "HGETALL zm",
        "OBJECT ENCODING zm",
      ]),
      ...restoreSteps("hz", payload(bytesOf(13, blob(ziplist(["f", "v", "n", 12]))), 9), OK, [
        "HGETALL hz",
        "OBJECT ENCODING hz",
      ]),
      ...restoreSteps(
        "hp",
        payload(bytesOf(4, 2, rdbString("f"), rdbString("v"), rdbString("g"), rdbString("w")), 6),
        OK,
        [
          "HGET hp f",
          "HGET hp g",
          "OBJECT ENCODING hp",
        ],
      ),
      ...restoreSteps("zz", payload(bytesOf(12, blob(ziplist(["a", "1.5", "b", 2]))), 9), OK, [
        "ZRANGE zz 0 -1 WITHSCORES",
        "OBJECT ENCODING zz",
      ]),
      ...restoreSteps(
        "zt",
        payload(bytesOf(3, 2, rdbString("a"), 3, "1.5", rdbString("b"), 254), 6),
        OK,
        [
          "ZRANGE zt 0 -1 WITHSCORES",
        ],
      ),
      ...restoreSteps("st", payload(bytesOf(2, 2, rdbString("x"), rdbString("y")), 6), OK, [
        "SISMEMBER st x",
        "SCARD st",
      ]),
      ...restoreSteps(
        "is",
        payload(bytesOf(11, blob(bytesOf([2, 0, 0, 0], [2, 0, 0, 0], [1, 0], [0xff, 0x7f]))), 6),
        OK,
        ["SMEMBERS is", "OBJECT ENCODING is"],
      ),
    ],
  },
  {
    name: "malformed records with a correct checksum",
    steps: [
      {
        args: ["RESTORE", "t", "0", payload(bytesOf(0, rdbString("bar"), "trailing"))],
        expect: OK,
      },
      "GET t",
      // The record is read from the whole payload: a string cut short runs into the footer.
      { args: ["RESTORE", "f", "0", payload(bytesOf(0, 10, "abc"))], expect: OK },
      "STRLEN f",
      { args: ["RESTORE", "u", "0", payload(bytesOf(0, 63, "abc"))], expect: ERR_BAD_DATA },
      { args: ["RESTORE", "u", "0", payload(bytesOf(8, rdbString("x")))], expect: ERR_BAD_DATA },
      { args: ["RESTORE", "u", "0", payload(bytesOf(20, rdbString("x")))], expect: ERR_BAD_DATA },
      { args: ["RESTORE", "u", "0", payload(bytesOf(0xfe, 0))], expect: ERR_BAD_DATA },
      { args: ["RESTORE", "u", "0", payload(bytesOf(1, 0))], expect: ERR_BAD_DATA },
      { args: ["RESTORE", "u", "0", payload(bytesOf(4, 0))], expect: ERR_BAD_DATA },
      {
        args: ["RESTORE", "u", "0", payload(bytesOf(2, 2, rdbString("x"), rdbString("x")))],
        expect: ERR_BAD_DATA,
      },
      expect("EXISTS u", ":0\r\n"),
    ],
  },
  {
    // Before the fix RESTORE ignored both options and TTL, TYPE, EXISTS and OBJECT touched the
    // key, so OBJECT IDLETIME answered 0 and OBJECT FREQ the new-key counter.
    name: "IDLETIME / FREQ set the access stamp; TTL, TYPE, EXISTS and OBJECT keep it",
    steps: [
      { args: ["RESTORE", "k", "0", BAR, "IDLETIME", "1000"], expect: OK },
      "TTL k",
      "PTTL k",
      "EXPIRETIME k",
      "PEXPIRETIME k",
      "TYPE k",
      "EXISTS k",
      "OBJECT ENCODING k",
      "OBJECT REFCOUNT k",
      { args: ["OBJECT", "IDLETIME", "k"], pattern: /^:100[0-9]\r\n$/ },
      "GET k",
      { args: ["OBJECT", "IDLETIME", "k"], pattern: /^:[01]\r\n$/ },
      // IDLETIME past the LRU clock's reach: Redis parks the stamp half a wrap away.
      { args: ["RESTORE", "far", "0", BAR, "IDLETIME", "999999999999"], expect: OK },
      { args: ["OBJECT", "IDLETIME", "far"], pattern: /^:\d{7,8}\r\n$/ },
      expect("CONFIG SET maxmemory-policy allkeys-lfu", OK),
      { args: ["RESTORE", "f", "0", BAR, "FREQ", "100"], expect: OK },
      "TYPE f",
      "EXISTS f",
      "TTL f",
      "OBJECT FREQ f",
      // FREQ under an LRU policy and IDLETIME under an LFU one are accepted and not applied.
      { args: ["RESTORE", "g", "0", BAR, "IDLETIME", "1000"], expect: OK },
      "OBJECT FREQ g",
      expect("CONFIG SET maxmemory-policy noeviction", OK),
      { args: ["RESTORE", "h", "0", BAR, "FREQ", "100"], expect: OK },
      { args: ["OBJECT", "IDLETIME", "h"], pattern: /^:[01]\r\n$/ },
    ],
  },
  {
    name: "sanitize-dump-payload",
    steps: [
      expect(
        "CONFIG GET sanitize-dump-payload",
        "*2\r\n$21\r\nsanitize-dump-payload\r\n$2\r\nno\r\n",
      ),
      "CONFIG SET sanitize-dump-payload yes",
      "CONFIG GET sanitize-dump-payload",
      { args: ["RESTORE", "k", "0", BAR], expect: OK },
      "CONFIG SET sanitize-dump-payload clients",
      "CONFIG GET sanitize-dump-payload",
      "CONFIG SET sanitize-dump-payload maybe",
      "CONFIG SET sanitize-dump-payload no",
    ],
  },
];

peerTest("DUMP payloads are redis-server's, byte for byte", async (t) => {
  await withDiffPeers(async (reference, subject) => {
    await runCorpus(t, dumpCases, reference, subject, { keepGoing: keepGoingFromEnv() });
  });
});

peerTest("RESTORE replies, TTLs and payload checks are redis-server's", async (t) => {
  await withDiffPeers(async (reference, subject) => {
    await runCorpus(t, restoreCases, reference, subject, { keepGoing: keepGoingFromEnv() });
  });
});

// ── Payloads crossing between the servers ───────────────────────────────────────────────────

/** Commands building one key of each type and encoding, and how to read each back. */
const CROSS_KEYS: { key: string; build: string[][]; read: string[] }[] = [
  { key: "str", build: [["SET", "str", LONG_TEXT]], read: ["GET", "str"] },
  { key: "int", build: [["SET", "int", "-42"]], read: ["GET", "int"] },
  {
    key: "list",
    build: [["RPUSH", "list", "a", "1", LONG_TEXT]],
    read: ["LRANGE", "list", "0", "-1"],
  },
  {
    key: "intset",
    build: [["SADD", "intset", "1", "-70000", "5000000000"]],
    read: ["SMEMBERS", "intset"],
  },
  {
    key: "set",
    build: [["SADD", "set", ...Array.from({ length: 600 }, (_, i) => `m${i}`)]],
    read: ["SMEMBERS", "set"],
  },
  {
    key: "zlp",
    build: [["ZADD", "zlp", "1", "a", "-inf", "b"]],
    read: ["ZRANGE", "zlp", "0", "-1", "WITHSCORES"],
  },
  {
    key: "zsk",
    build: [[
      "ZADD",
      "zsk",
      ...Array.from({ length: 300 }, (_, i) => [String(i * 1.25), `m${i}`]).flat(),
    ]],
    read: ["ZRANGE", "zsk", "0", "-1", "WITHSCORES"],
  },
  { key: "hlp", build: [["HSET", "hlp", "f", "v", "n", "1"]], read: ["HGETALL", "hlp"] },
  {
    key: "hht",
    build: [["HSET", "hht", ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()]],
    read: ["HGETALL", "hht"],
  },
  {
    key: "stream",
    build: [
      ["XADD", "stream", "1-1", "a", "1"],
      ["XADD", "stream", "2-1", "b", "2"],
      ["XGROUP", "CREATE", "stream", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "stream", ">"],
    ],
    read: ["XINFO", "STREAM", "stream", "FULL"],
  },
];

/** A reply's text with its aggregate elements sorted at the top level (unordered readers). */
function comparable(reply: Uint8Array, read: string[]): string {
  const text = latin1Text(reply);
  if (read[0] === "SMEMBERS" || read[0] === "HGETALL") {
    const lines = text.split("\r\n");
    const items: string[] = [];
    for (let i = 1; i + 1 < lines.length; i += 2) items.push(lines[i + 1]);
    if (read[0] === "HGETALL") {
      const pairs: string[] = [];
      for (let i = 0; i < items.length; i += 2) pairs.push(`${items[i]}=${items[i + 1]}`);
      return pairs.sort().join(",");
    }
    return items.sort().join(",");
  }
  // Delivery and seen times are each server's clock.
  return text.replace(/:1\d{12}\r\n/g, ":<ms>\r\n");
}

peerTest("payloads cross between redis-server and resplica both ways", async () => {
  await withDiffPeers(async (reference, subject) => {
    const redis = await RawClient.connect(reference.port);
    const ours = await RawClient.connect(subject.port);
    try {
      for (const { key, build, read } of CROSS_KEYS) {
        for (const client of [redis, ours]) {
          for (const command of build) await client.command(...command);
        }
        const fromRedis = await redis.command("DUMP", key);
        const fromOurs = await ours.command("DUMP", key);
        const pairs: [string, RawClient, Uint8Array, RawClient][] = [
          ["redis-server → resplica", ours, fromRedis, redis],
          ["resplica → redis-server", redis, fromOurs, ours],
          ["resplica → resplica", ours, fromOurs, ours],
        ];
        for (const [direction, target, dumped, source] of pairs) {
          const body = dumped.subarray(dumped.indexOf(0x0a) + 1, dumped.length - 2);
          const copy = `${key}:copy`;
          assert.equal(
            await target.commandText("RESTORE", copy, "0", body, "REPLACE"),
            OK,
            `${direction}: ${key}`,
          );
          const want = comparable(await source.command(...read), read);
          const readCopy = read.map((word) => word === key ? copy : word);
          const got = comparable(await target.command(...readCopy), read);
          assert.equal(got, want, `${direction}: ${key}`);
        }
      }
    } finally {
      redis.close();
      ours.close();
    }
  });
});

peerTest("RESTORE's keyspace events are redis-server's", async () => {
  await withDiffPeers(async (reference, subject) => {
    const events: string[][] = [];
    for (const port of [reference.port, subject.port]) {
      const client = await RawClient.connect(port);
      const listener = await RawClient.connect(port);
      try {
        await client.command("CONFIG", "SET", "notify-keyspace-events", "KEA");
        await listener.command("PSUBSCRIBE", "__keyevent@0__:*");
        await client.command("RESTORE", "a", "0", BAR);
        await client.command("RESTORE", "a", "0", BAR, "REPLACE");
        await client.command("RESTORE-ASKING", "b", "0", BAR);
        await client.command("RESTORE", "a", "1", BAR, "REPLACE", "ABSTTL");
        await client.command("RESTORE", "c", "1", BAR, "ABSTTL");
        await client.command("RESTORE", "d", "100000", BAR);
        await client.command("PING");
        const replies = await listener.readReplies(5);
        events.push(replies.map((reply) => latin1Text(reply).split("\r\n").slice(-3).join(" ")));
      } finally {
        client.close();
        listener.close();
      }
    }
    assert.deepEqual(events[1], events[0]);
  });
});

// ── Replication ───────────────────────────────────────────────────────────────────────────

peerTest("a redis-server replica replays a resplica master's RESTORE", async () => {
  const master = await startMaster();
  const replica = await startRedisReplica(master.port);
  const masterClient = await RawClient.connect(master.port);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    await waitInSync(masterClient, replicaClient);
    await run(masterClient, "SET", "gone", "v");
    assert.equal(await masterClient.commandText("RESTORE", "rel", "100000", BAR), OK);
    assert.equal(
      await masterClient.commandText("RESTORE", "abs", "99999999999999", BAR, "ABSTTL"),
      OK,
    );
    assert.equal(
      await masterClient.commandText("RESTORE", "gone", "1", BAR, "ABSTTL", "REPLACE"),
      OK,
    );
    assert.equal(await masterClient.commandText("RESTORE", "never", "1", BAR, "ABSTTL"), OK);
    assert.equal(await masterClient.commandText("RESTORE", "plain", "0", BAR), OK);
    await waitInSync(masterClient, replicaClient);
    for (const key of ["rel", "abs", "plain"]) {
      assert.equal(
        await replicaClient.commandText("PEXPIRETIME", key),
        await masterClient.commandText("PEXPIRETIME", key),
        key,
      );
      assert.equal(await replicaClient.commandText("GET", key), "$3\r\nbar\r\n");
    }
    assert.equal(await replicaClient.commandText("EXISTS", "gone", "never"), ":0\r\n");
  } finally {
    masterClient.close();
    replicaClient.close();
    await replica.stop();
    await master.close();
  }
});
