// Differential tests for the encoding thresholds (hash-max-listpack-entries / -value,
// set-max-intset-entries, zset-max-listpack-entries / -value, and their ziplist aliases):
// CONFIG GET/SET must answer as redis-server 7.0 does, and OBJECT ENCODING must turn at the
// same write, at the boundary, after a runtime change, for the STORE commands.
//
// Cases share one pair of servers and FLUSHALL leaves CONFIG alone, so every case that sets a
// threshold ends by setting the defaults back (`RESTORE_DEFAULTS`).

import {
  type DiffCase,
  ERR_NOT_INTEGER,
  expect,
  runCorpus,
  withDiffPeers,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** Redis 7.0.15's defaults (config.c), set back at the end of every case. */
const RESTORE_DEFAULTS = [
  "CONFIG SET hash-max-listpack-entries 512",
  "CONFIG SET hash-max-listpack-value 64",
  "CONFIG SET set-max-intset-entries 512",
  "CONFIG SET zset-max-listpack-entries 128",
  "CONFIG SET zset-max-listpack-value 64",
];

/** `COMMAND key p0 s0 p1 s1 …` for n members named with `prefix`, s = score or value. */
function fill(command: string, key: string, count: number, prefix = "m"): string[] {
  const args = [command, key];
  for (let i = 0; i < count; i++) {
    if (command === "ZADD") args.push(String(i), `${prefix}${i}`);
    else if (command === "HSET") args.push(`${prefix}${i}`, `v${i}`);
    else args.push(`${prefix}${i}`);
  }
  return args;
}

/** SADD key 0 1 … n-1. */
function ints(key: string, count: number, from = 0): string[] {
  return ["SADD", key, ...Array.from({ length: count }, (_, i) => String(from + i))];
}

const ENCODING_CASES: DiffCase[] = [
  {
    name: "CONFIG GET: defaults under both names",
    steps: [
      expect(
        "CONFIG GET hash-max-listpack-entries",
        "*2\r\n$25\r\nhash-max-listpack-entries\r\n$3\r\n512\r\n",
      ),
      "CONFIG GET hash-max-ziplist-entries",
      "CONFIG GET hash-max-listpack-value",
      "CONFIG GET hash-max-ziplist-value",
      "CONFIG GET set-max-intset-entries",
      "CONFIG GET zset-max-listpack-entries",
      "CONFIG GET zset-max-ziplist-entries",
      "CONFIG GET zset-max-listpack-value",
      "CONFIG GET zset-max-ziplist-value",
      { args: ["CONFIG", "GET", "*max-listpack-*"], sortArray: true },
    ],
  },
  {
    name: "CONFIG SET: aliases, memory units and refused values",
    steps: [
      expect("CONFIG SET hash-max-ziplist-entries 32", "+OK\r\n"),
      "CONFIG GET hash-max-listpack-entries",
      "CONFIG SET zset-max-ziplist-value 1kb",
      "CONFIG GET zset-max-listpack-value",
      "CONFIG SET hash-max-listpack-value 10",
      "CONFIG GET hash-max-ziplist-value",
      "CONFIG SET set-max-intset-entries -1",
      "CONFIG SET set-max-intset-entries abc",
      "CONFIG SET zset-max-listpack-entries 1.5",
      "CONFIG SET hash-max-listpack-value -1",
      "CONFIG SET hash-max-listpack-value 12x",
      "CONFIG GET set-max-intset-entries",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "hash: entries threshold at the boundary, and no way back",
    steps: [
      "CONFIG SET hash-max-listpack-entries 4",
      fill("HSET", "h", 4),
      expect("OBJECT ENCODING h", "$8\r\nlistpack\r\n"),
      "HSET h m0 again",
      "OBJECT ENCODING h",
      "HSET h m4 v4",
      expect("OBJECT ENCODING h", "$9\r\nhashtable\r\n"),
      "HDEL h m0 m1 m2",
      "OBJECT ENCODING h",
      fill("HSET", "g", 6),
      "OBJECT ENCODING g",
      "CONFIG SET hash-max-listpack-entries 0",
      "HSET z a 1",
      "OBJECT ENCODING z",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "hash: value threshold for fields, values and HINCRBYFLOAT",
    steps: [
      "CONFIG SET hash-max-listpack-value 8",
      "HSET h f 12345678",
      "OBJECT ENCODING h",
      "HSET h f 123456789",
      "OBJECT ENCODING h",
      "HSET k 123456789 v",
      "OBJECT ENCODING k",
      "HSET n x 1",
      "HINCRBYFLOAT n x 0.5",
      "OBJECT ENCODING n",
      "HINCRBYFLOAT n x 0.0000001",
      "OBJECT ENCODING n",
      "HGETALL n",
      "HSET s x 1",
      "HINCRBY s x 1000000000",
      "OBJECT ENCODING s",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "hash: lowering a threshold converts at the next write only",
    steps: [
      fill("HSET", "h", 10),
      "CONFIG SET hash-max-listpack-entries 5",
      "OBJECT ENCODING h",
      "HSET h m0 changed",
      "OBJECT ENCODING h",
      "HSET h new 1",
      "OBJECT ENCODING h",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "set: intset entries threshold, zero, and STORE results",
    steps: [
      "CONFIG SET set-max-intset-entries 4",
      ints("s", 4),
      expect("OBJECT ENCODING s", "$6\r\nintset\r\n"),
      "SADD s 2",
      "OBJECT ENCODING s",
      "SADD s 4",
      expect("OBJECT ENCODING s", "$9\r\nhashtable\r\n"),
      "SREM s 0 1 2 3",
      "OBJECT ENCODING s",
      ints("a", 3),
      ints("b", 3, 2),
      "SUNIONSTORE u a b",
      "OBJECT ENCODING u",
      "SINTERSTORE i a b",
      "OBJECT ENCODING i",
      "SMOVE b a 4",
      "OBJECT ENCODING a",
      "SMEMBERS a",
      "CONFIG SET set-max-intset-entries 0",
      "SADD z 1",
      "OBJECT ENCODING z",
      "SUNIONSTORE u2 i",
      "OBJECT ENCODING u2",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "set: raising the intset threshold past the default",
    steps: [
      "CONFIG SET set-max-intset-entries 600",
      ints("s", 600),
      "OBJECT ENCODING s",
      "SADD s 600",
      "OBJECT ENCODING s",
      "SCARD s",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "zset: entries and value thresholds at the boundary",
    steps: [
      "CONFIG SET zset-max-listpack-entries 3",
      fill("ZADD", "z", 3),
      expect("OBJECT ENCODING z", "$8\r\nlistpack\r\n"),
      "ZADD z 9 m0",
      "OBJECT ENCODING z",
      "ZADD z 3 m3",
      expect("OBJECT ENCODING z", "$8\r\nskiplist\r\n"),
      "ZREM z m0 m1 m2",
      "OBJECT ENCODING z",
      "CONFIG SET zset-max-listpack-value 5",
      "ZADD v 1 abcde",
      "OBJECT ENCODING v",
      "ZADD v 2 abcdef",
      "OBJECT ENCODING v",
      "ZINCRBY w 1 abcdef",
      "OBJECT ENCODING w",
      "CONFIG SET zset-max-listpack-entries 0",
      "ZADD e 1 a",
      "OBJECT ENCODING e",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "zset: STORE results follow the thresholds",
    steps: [
      fill("ZADD", "a", 3),
      fill("ZADD", "b", 3, "n"),
      "CONFIG SET zset-max-listpack-entries 4",
      "ZUNIONSTORE u 2 a b",
      "OBJECT ENCODING u",
      "ZINTERSTORE i 2 a a",
      "OBJECT ENCODING i",
      "ZDIFFSTORE d 1 a",
      "OBJECT ENCODING d",
      "CONFIG SET zset-max-listpack-entries 1",
      "ZRANGESTORE r1 a 0 0",
      "OBJECT ENCODING r1",
      "ZRANGESTORE r2 a 0 1",
      "OBJECT ENCODING r2",
      "ZRANGESTORE r3 a 0 1 BYSCORE",
      "OBJECT ENCODING r3",
      "CONFIG SET zset-max-listpack-entries 0",
      "ZRANGESTORE r4 a 0 -1",
      "OBJECT ENCODING r4",
      "CONFIG SET zset-max-listpack-entries 128",
      "CONFIG SET zset-max-listpack-value 1",
      "ZUNIONSTORE u2 1 a",
      "OBJECT ENCODING u2",
      "ZRANGE u2 0 -1 WITHSCORES",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "zset: raising the entries threshold past the default",
    steps: [
      "CONFIG SET zset-max-listpack-entries 256",
      fill("ZADD", "z", 200),
      "OBJECT ENCODING z",
      "ZRANGE z 195 -1 WITHSCORES",
      fill("ZADD", "y", 257),
      "OBJECT ENCODING y",
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "threshold errors keep the value",
    steps: [
      expect(
        "CONFIG SET set-max-intset-entries x",
        "-ERR CONFIG SET failed (possibly related to argument 'set-max-intset-entries') - argument couldn't be parsed into an integer\r\n",
      ),
      expect(
        "CONFIG GET set-max-intset-entries",
        "*2\r\n$22\r\nset-max-intset-entries\r\n$3\r\n512\r\n",
      ),
      expect("SADD s notanumber", ":1\r\n"),
      "OBJECT ENCODING s",
      expect("ZADD z x m", "-ERR value is not a valid float\r\n"),
      expect("HINCRBY h f x", ERR_NOT_INTEGER),
    ],
  },
];

/** MEMORY USAGE is an estimate on both sides: only its shape and its errors must agree. */
const MEMORY_CASES: DiffCase[] = [
  {
    name: "MEMORY USAGE: missing key, estimates, SAMPLES and errors",
    steps: [
      expect("MEMORY USAGE nokey", "$-1\r\n"),
      "SET s hello",
      "HSET h a 1",
      "SADD i 1 2 3",
      "ZADD z 1 a",
      "RPUSH l a b",
      { args: ["MEMORY", "USAGE", "s"], pattern: /^:[1-9][0-9]*\r\n$/ },
      { args: ["MEMORY", "USAGE", "h"], pattern: /^:[1-9][0-9]*\r\n$/ },
      { args: ["MEMORY", "USAGE", "i", "SAMPLES", "0"], pattern: /^:[1-9][0-9]*\r\n$/ },
      { args: ["MEMORY", "USAGE", "z", "samples", "5"], pattern: /^:[1-9][0-9]*\r\n$/ },
      { args: ["MEMORY", "USAGE", "l"], pattern: /^:[1-9][0-9]*\r\n$/ },
      "MEMORY USAGE s SAMPLES x",
      "MEMORY USAGE s SAMPLES -1",
      "MEMORY USAGE s SAMPLES",
      "MEMORY USAGE s FOO 1",
      "MEMORY USAGE",
      "MEMORY USAGE nokey SAMPLES x",
    ],
  },
];

peerTest("differential: MEMORY USAGE matches redis-server in shape and errors", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, MEMORY_CASES, reference, subject, { noun: "MEMORY cases" })
  );
});

peerTest("differential: encoding thresholds match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, ENCODING_CASES, reference, subject, { noun: "encoding threshold cases" })
  );
});
