// Differential tests for listpacks holding long elements: with hash-max-listpack-value or
// zset-max-listpack-value raised, fields, values and members of 65, 200, 8191 and 65535 bytes
// stay in the listpack as in redis-server 7.0, converting at the same write, keeping insertion
// order (HGETALL) and surviving DUMP/RESTORE and DEBUG RELOAD with the same encoding. The tcl
// test "Hash ziplist of various encodings" (unit/type/hash) is the case that found the gap.
//
// One pair of servers runs every case, DEBUG enabled on both; FLUSHALL leaves CONFIG alone, so
// every case ends by setting the defaults back.

import { startServer } from "../mod.ts";
import { encodeDumpPayload } from "../core/rdb/mod.ts";
import { type DiffCase, type DiffTarget, expect, runCorpus } from "./_support/differential.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { isSelfTest } from "./_support/subject.ts";

const encoder = new TextEncoder();

const RESTORE_DEFAULTS = [
  "CONFIG SET hash-max-listpack-entries 512",
  "CONFIG SET hash-max-listpack-value 64",
  "CONFIG SET zset-max-listpack-entries 128",
  "CONFIG SET zset-max-listpack-value 64",
];

/** `len` bytes that differ by position and by `seed`. */
function long(len: number, seed = 0): string {
  let text = "";
  for (let i = 0; i < len; i++) text += String.fromCharCode(97 + ((i + seed) % 26));
  return text;
}

const LENGTHS = [65, 200, 8191, 65535];

/** The hash of the tcl test "Hash ziplist of various encodings", and its DUMP payload. */
const TCL_FIELDS: [string, string][] = [
  ["ZIP_INT_8B", "127"],
  ["ZIP_INT_16B", "32767"],
  ["ZIP_INT_32B", "2147483647"],
  ["ZIP_INT_64B", "9223372036854775808"],
  ["ZIP_INT_IMM_MIN", "0"],
  ["ZIP_INT_IMM_MAX", "12"],
  ["ZIP_STR_06B", "x".repeat(31)],
  ["ZIP_STR_14B", "x".repeat(8191)],
  ["ZIP_STR_32B", "x".repeat(65535)],
];
const TCL_PAYLOAD = encodeDumpPayload({
  type: "hash",
  fields: TCL_FIELDS.map(([field, value]) => ({
    field: encoder.encode(field),
    value: encoder.encode(value),
  })),
}, { largeEncoding: false });

/** A hash listpack payload of one pair per length (field i, value of that length). */
const LONG_HASH_PAYLOAD = encodeDumpPayload({
  type: "hash",
  fields: LENGTHS.map((len, i) => ({
    field: encoder.encode(`f${i}`),
    value: encoder.encode(long(len, i)),
  })),
}, { largeEncoding: false });

const CASES: DiffCase[] = [
  ...LENGTHS.map((len): DiffCase => ({
    name: `hash: ${len}-byte values and fields stay a listpack under a raised threshold`,
    steps: [
      `CONFIG SET hash-max-listpack-value ${len}`,
      ["HSET", "h", "a", "1", "b", long(len, 1), long(len, 2), "c", "d", "short"],
      expect("OBJECT ENCODING h", "$8\r\nlistpack\r\n"),
      "HGETALL h",
      ["HSET", "h", "a", long(len, 3)],
      ["HSET", "h", "b", "now short"],
      "HGETALL h",
      "HLEN h",
      ["HSTRLEN", "h", long(len, 2)],
      { args: ["HSCAN", "h", "0"] },
      "DUMP h",
      "DEBUG RELOAD",
      "OBJECT ENCODING h",
      "HGETALL h",
      ["HSET", "h", "e", long(len + 1, 4)],
      expect("OBJECT ENCODING h", "$9\r\nhashtable\r\n"),
      { args: ["HGETALL", "h"], sortArray: true },
      ...RESTORE_DEFAULTS,
    ],
  })),
  {
    name: "hash: the tcl hash of various encodings, DUMP, RESTORE at lower limits, DEBUG RELOAD",
    steps: [
      "CONFIG SET hash-max-ziplist-entries 1000000000",
      "CONFIG SET hash-max-ziplist-value 1000000000",
      ...TCL_FIELDS.map(([field, value]) => ["HSET", "k", field, value]),
      expect("OBJECT ENCODING k", "$8\r\nlistpack\r\n"),
      "HGETALL k",
      "DUMP k",
      { args: ["RESTORE", "kk", "0", TCL_PAYLOAD] },
      "OBJECT ENCODING kk",
      "HGETALL kk",
      "DEBUG RELOAD",
      "OBJECT ENCODING k",
      "HGETALL k",
      "CONFIG SET hash-max-ziplist-entries 2",
      { args: ["RESTORE", "k2", "0", TCL_PAYLOAD] },
      "OBJECT ENCODING k2",
      { args: ["HGETALL", "k2"], sortArray: true },
      ...RESTORE_DEFAULTS,
    ],
  },
  {
    name: "hash: RESTORE of a long-value listpack under raised and default thresholds",
    steps: [
      "CONFIG SET hash-max-listpack-value 100000",
      { args: ["RESTORE", "h", "0", LONG_HASH_PAYLOAD] },
      "OBJECT ENCODING h",
      "HGETALL h",
      "DUMP h",
      "HSET h g 1",
      "HGETALL h",
      "CONFIG SET hash-max-listpack-value 200",
      ["HSET", "h", "f0", long(300)],
      "OBJECT ENCODING h",
      ...RESTORE_DEFAULTS,
    ],
  },
  ...LENGTHS.map((len): DiffCase => ({
    name: `zset: ${len}-byte members stay a listpack under a raised threshold`,
    steps: [
      `CONFIG SET zset-max-listpack-value ${len}`,
      ["ZADD", "z", "2", long(len, 1), "1", "a", "2", long(len, 0), "3", "b"],
      expect("OBJECT ENCODING z", "$8\r\nlistpack\r\n"),
      "ZRANGE z 0 -1 WITHSCORES",
      ["ZINCRBY", "z", "5", long(len, 1)],
      "ZRANGE z 0 -1 WITHSCORES",
      ["ZSCORE", "z", long(len, 0)],
      ["ZRANK", "z", long(len, 1)],
      "ZRANGEBYLEX z - + LIMIT 0 2",
      { args: ["ZSCAN", "z", "0"] },
      "DUMP z",
      "ZRANGESTORE dst z 0 -1",
      "OBJECT ENCODING dst",
      "DEBUG RELOAD",
      "OBJECT ENCODING z",
      "ZRANGE z 0 -1 WITHSCORES",
      ["ZREM", "z", long(len, 0)],
      "ZRANGE z 0 -1",
      ["ZADD", "z", "0", long(len + 1, 7)],
      expect("OBJECT ENCODING z", "$8\r\nskiplist\r\n"),
      "ZRANGE z 0 -1 WITHSCORES",
      ...RESTORE_DEFAULTS,
    ],
  })),
];

/**
 * redis-server and the subject, both with DEBUG enabled and DEBUG RELOAD's dump.rdb in a
 * temporary directory of their own, stopped (and the directory removed) whatever happens.
 */
async function withDebugPeers(
  body: (reference: DiffTarget, subject: DiffTarget) => Promise<void>,
): Promise<void> {
  const reference = await startRedisServer(["--enable-debug-command", "yes"]);
  const dir = await Deno.makeTempDir({ prefix: "resplica-long-listpack-" });
  try {
    if (isSelfTest()) {
      const peer = await startRedisServer(["--enable-debug-command", "yes"]);
      try {
        await body({ label: "redis-server", port: reference.port }, {
          label: "self",
          port: peer.port,
        });
      } finally {
        await peer.stop();
      }
      return;
    }
    const server = await startServer({
      port: 0,
      logLevel: "warning",
      config: { dir, "enable-debug-command": "yes" },
    });
    try {
      await body({ label: "redis-server", port: reference.port }, {
        label: "resplica",
        port: server.port,
      });
    } finally {
      await server.close();
    }
  } finally {
    await reference.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

peerTest("differential: listpacks of long elements match redis-server", async (t) => {
  await withDebugPeers((reference, subject) =>
    runCorpus(t, CASES, reference, subject, { noun: "long listpack cases" })
  );
});
