// A dataset of the newer types (streams with consumer groups, HyperLogLogs, bitmaps and bit
// fields, geo sets) and a per-key digest of them read with plain commands, so one function reads
// resplica and redis-server alike (the persistence tests for these types).
//
// The digest maps each key of every database to what it holds:
//
//   "<db> <key>" → "<TYPE> ttl|none <value>"
//
//   string → GET's raw reply (bitmaps and HLLs are strings: their exact bytes, PFCOUNT's cache
//            included); zset (geo) → ZRANGE 0 -1 WITHSCORES; stream → XRANGE - + and
//            XINFO STREAM <key> FULL COUNT 0 (every entry, group, PEL entry and consumer).
//
// Times in XINFO STREAM FULL (consumers' seen-time, PEL delivery times) are wall-clock stamps:
// equal across an RDB round trip, but not across two servers fed the same commands, nor across
// an AOF replay (a replayed XCLAIM stamps its consumer with the replay's clock). `maskTimes`
// replaces every 13-digit integer reply starting with 1 (any Unix millisecond time from 2001 to
// 2286) by `:<time>`; IDs are bulk strings and are never masked.

import assert from "node:assert/strict";
import {
  concatBytes,
  encodeCommand,
  latin1Bytes,
  latin1Text,
  type RawClient,
  splitAggregate,
} from "./raw_client.ts";

/** Commands per pipelined batch. */
const PIPELINE_BATCH_COMMANDS = 500;
/** Integer replies that are Unix millisecond times (see the file comment). */
const TIME_REPLY = /:1\d{12}\r\n/g;
/** A group's entries-read and lag in XINFO STREAM FULL (an integer, or nil when unknown). */
const ENTRIES_READ_REPLY = /(?<=\$12\r\nentries-read\r\n|\$3\r\nlag\r\n)(?::\d+|\$-1)\r\n/g;

/** 2^64 - 1 and 2^64 - 2, the ID parts at the top of the range. */
const U64_MAX = "18446744073709551615";
const U64_MAX_LESS_1 = "18446744073709551614";

/** Entries of `st:big`: enough for many nodes at the default node limits (100 entries each). */
const BIG_STREAM_ENTRY_COUNT = 2_000;
/** Elements of the dense HLL: past hll-sparse-max-bytes (3000) as a sparse value. */
const DENSE_HLL_ELEMENT_COUNT = 3_000;

/** Sends `commands` in pipelined batches; fails on any error reply. Returns the raw replies. */
export async function runAll(client: RawClient, commands: string[][]): Promise<string[]> {
  const replies: string[] = [];
  for (let i = 0; i < commands.length; i += PIPELINE_BATCH_COMMANDS) {
    const batch = commands.slice(i, i + PIPELINE_BATCH_COMMANDS);
    await client.send(concatBytes(batch.map((args) => encodeCommand(args))));
    const batchReplies = (await client.readReplies(batch.length, 20_000)).map(latin1Text);
    batchReplies.forEach((reply, j) => {
      assert.ok(!reply.startsWith("-"), `${batch[j].join(" ")} → ${reply}`);
    });
    replies.push(...batchReplies);
  }
  return replies;
}

/** Places for the geo sets: [longitude, latitude, name]. */
const PLACES: [string, string, string][] = [
  ["13.361389", "38.115556", "Palermo"],
  ["15.087269", "37.502669", "Catania"],
  ["12.758489", "38.788135", "edge1"],
  ["12.496366", "41.902782", "Rome"],
  ["9.189982", "45.464204", "Milan"],
  ["2.352222", "48.856613", "Paris"],
  ["-0.127758", "51.507351", "London"],
  ["-73.935242", "40.730610", "NewYork"],
  ["139.691711", "35.689487", "Tokyo"],
  ["151.209290", "-33.868820", "Sydney"],
  ["-179.999999", "-85.05112878", "corner-sw"],
  ["179.999999", "85.05112878", "corner-ne"],
  ["0", "0", "origin"],
];

/**
 * The dataset, as commands (explicit stream IDs everywhere, so two servers fed these commands
 * hold the same data except for the times `maskTimes` hides). Ends in db 0.
 */
export function typesDatasetCommands(): string[][] {
  const commands: string[][] = [["SELECT", "0"], ["SET", "str:plain", "plain string"]];

  // ── Streams ──
  // st:main: several field sets (so nodes hold entries unlike their master entry), holes,
  // three groups: g1 with pending entries of several consumers, one pending entry claimed with
  // a fixed time and retry count, one whose entry was deleted, and a consumer with none; g2 at
  // `$`; g3 from a middle ID with ENTRIESREAD and a NOACK reader.
  for (let i = 1; i <= 300; i++) {
    const fields = i % 5 === 0
      ? ["item", String(i), "extra", "e".repeat(i % 40), "n", String(i * 7)]
      : i % 7 === 0
      ? ["other", `v${i}`]
      : ["item", String(i)];
    commands.push(["XADD", "st:main", `${1000 + i}-${i % 3}`, ...fields]);
  }
  commands.push(
    ["XDEL", "st:main", "1010-1", "1011-2", "1150-0", "1299-2"],
    ["XGROUP", "CREATE", "st:main", "g1", "0"],
    ["XGROUP", "CREATE", "st:main", "g2", "$"],
    ["XGROUP", "CREATE", "st:main", "g3", "1100-1", "ENTRIESREAD", "100"],
    ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "20", "STREAMS", "st:main", ">"],
    ["XREADGROUP", "GROUP", "g1", "bob", "COUNT", "15", "STREAMS", "st:main", ">"],
    ["XACK", "st:main", "g1", "1001-1", "1003-0", "1004-1"],
    ["XCLAIM", "st:main", "g1", "carol", "0", "1030-0", "TIME", "1600000000000", "RETRYCOUNT", "7"],
    ["XGROUP", "CREATECONSUMER", "st:main", "g1", "dave"],
    ["XREADGROUP", "GROUP", "g3", "erin", "NOACK", "COUNT", "5", "STREAMS", "st:main", ">"],
    ["XDEL", "st:main", "1005-2"], // pending in g1 (alice), entry gone
  );
  // st:empty: created empty by a group; st:zero: emptied by a trim, no group.
  commands.push(["XGROUP", "CREATE", "st:empty", "grp", "$", "MKSTREAM"]);
  commands.push(["XADD", "st:zero", "3-3", "f", "v"], ["XTRIM", "st:zero", "MAXLEN", "0"]);
  // st:wide: entries past stream-node-max-bytes (a node each), many fields, NUL bytes.
  commands.push(
    ["XADD", "st:wide", "1-0", "big", "w".repeat(5_000)],
    ["XADD", "st:wide", "2-0", ...Array.from({ length: 60 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ["XADD", "st:wide", "3-0", "bin", "\x00\x01\xff", "big", "x".repeat(3_000)],
    ["XADD", "st:wide", "4-0", "small", "1"],
  );
  // Names outside ASCII: key, group, consumer (UTF-8 bytes, stored as bytes).
  commands.push(
    ["XADD", "st:ñandú", "9-9", "clé", "valeur-é"],
    ["XGROUP", "CREATE", "st:ñandú", "grupo-ñ", "0"],
    ["XREADGROUP", "GROUP", "grupo-ñ", "zoë", "STREAMS", "st:ñandú", ">"],
  );
  // st:max: IDs at the top of the range, the last one the greatest possible.
  commands.push(
    ["XADD", "st:max", `${U64_MAX_LESS_1}-0`, "a", "1"],
    ["XADD", "st:max", `${U64_MAX}-${U64_MAX_LESS_1}`, "a", "2"],
    ["XGROUP", "CREATE", "st:max", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "st:max", ">"],
    ["XADD", "st:max", `${U64_MAX}-*`, "a", "3"],
  );
  // st:trimmed: a trimmed head, counters set by XSETID.
  for (let i = 1; i <= 50; i++) commands.push(["XADD", "st:trimmed", `${i}-0`, "k", String(i)]);
  commands.push(
    ["XTRIM", "st:trimmed", "MAXLEN", "10"],
    ["XSETID", "st:trimmed", "100-0", "ENTRIESADDED", "80", "MAXDELETEDID", "60-0"],
  );
  // st:drained: every entry deleted, a group left.
  commands.push(
    ["XADD", "st:drained", "5-1", "f", "v"],
    ["XADD", "st:drained", "5-2", "f", "v"],
    ["XGROUP", "CREATE", "st:drained", "g", "0"],
    ["XDEL", "st:drained", "5-1", "5-2"],
  );
  // st:big: many nodes, an approximate trim cutting whole nodes, a group deep in it.
  for (let i = 1; i <= BIG_STREAM_ENTRY_COUNT; i++) {
    commands.push(["XADD", "st:big", `${i}-1`, "n", String(i), "pad", "p".repeat(i % 30)]);
  }
  commands.push(
    ["XTRIM", "st:big", "MAXLEN", "~", "1750"],
    ["XGROUP", "CREATE", "st:big", "g", "1000-0"],
    ["XREADGROUP", "GROUP", "g", "w", "COUNT", "50", "STREAMS", "st:big", ">"],
  );
  commands.push(["XADD", "st:ttl", "7-7", "k", "v"], ["PEXPIRE", "st:ttl", "50000000"]);

  // ── HyperLogLog ──
  commands.push(["PFADD", "hll:sparse", "a", "b", "c", "d"]);
  commands.push(["PFADD", "hll:empty"]);
  const dense = Array.from({ length: DENSE_HLL_ELEMENT_COUNT }, (_, i) => `el-${i}`);
  commands.push(["PFADD", "hll:dense", ...dense]);
  commands.push(["PFCOUNT", "hll:dense"]); // the cached cardinality written back
  commands.push(["PFADD", "hll:sparse2", "x", "y"]);
  commands.push(["PFMERGE", "hll:merged", "hll:sparse", "hll:sparse2"]);
  commands.push(["EXPIRE", "hll:sparse2", "100000"]);

  // ── Bitmaps and bit fields ──
  commands.push(
    ["SETBIT", "bm:bits", "7", "1"],
    ["SETBIT", "bm:bits", "100", "1"],
    ["SETBIT", "bm:bits", "80000", "1"],
    ["SETBIT", "bm:low", "0", "1"],
    ["SETBIT", "bm:huge", "4000000", "1"], // 500 KB, mostly zeros: LZF-compressed in the RDB
    "BITFIELD bm:field SET i8 0 -100 SET u16 #3 65000 INCRBY i5 100 7".split(" "),
    ["BITFIELD", "bm:field", "OVERFLOW", "SAT", "INCRBY", "u4", "200", "99"],
    ["BITFIELD", "bm:field", "SET", "i64", "300", "-5", "SET", "u63", "400", "123456789"],
    ["BITOP", "NOT", "bm:not", "bm:low"],
    ["PEXPIRE", "bm:bits", "60000000"],
  );

  // ── Geo ──
  commands.push(["GEOADD", "geo:places", ...PLACES.flat()]);
  const grid: string[] = [];
  for (let i = 0; i < 15; i++) {
    for (let j = 0; j < 15; j++) {
      grid.push((10 + i * 0.05).toFixed(4), (40 + j * 0.05).toFixed(4), `g${i}_${j}`);
    }
  }
  commands.push(["GEOADD", "geo:grid", ...grid]); // 225 members: a skiplist
  commands.push(
    "GEOSEARCHSTORE geo:near geo:grid FROMLONLAT 10.2 40.2 BYRADIUS 15 km".split(" "),
    "GEOSEARCHSTORE geo:dist geo:places FROMMEMBER Palermo BYRADIUS 2000 km ASC STOREDIST"
      .split(" "),
    ["EXPIRE", "geo:near", "90000"],
  );

  // ── Database 2 ──
  commands.push(
    ["SELECT", "2"],
    ["XADD", "st:db2", "1-1", "f", "v"],
    ["XGROUP", "CREATE", "st:db2", "g", "0"],
    ["XREADGROUP", "GROUP", "g", "c", "STREAMS", "st:db2", ">"],
    ["PFADD", "hll:db2", "one"],
    ["SETBIT", "bm:db2", "9", "1"],
    ["GEOADD", "geo:db2", "1", "2", "m"],
    ["SELECT", "0"],
  );
  return commands;
}

/** Fills the dataset (see `typesDatasetCommands`) and checks the HLLs have the encodings meant. */
export async function fillTypesDataset(client: RawClient): Promise<void> {
  await runAll(client, typesDatasetCommands());
  // Byte 4 of an HLL value: 0 dense, 1 sparse.
  assert.equal(await client.commandText("GETRANGE", "hll:dense", "4", "4"), "$1\r\n\x00\r\n");
  assert.equal(await client.commandText("GETRANGE", "hll:sparse", "4", "4"), "$1\r\n\x01\r\n");
}

/** Replaces the integer replies that are millisecond times (see the file comment). */
export function maskTimes(reply: string): string {
  return reply.replace(TIME_REPLY, ":<time>\r\n");
}

/**
 * Replaces each group's entries-read and lag. Redis 7.0 propagates a group read as XCLAIM …
 * LASTID, which moves the last-delivered ID but not the counter, so an AOF replay (or a replica)
 * leaves it as XGROUP CREATE set it; redis-server replaying the same file is the reference for
 * those two fields, and against the live server they are masked.
 */
export function maskEntriesRead(reply: string): string {
  return reply.replace(ENTRIES_READ_REPLY, "<entries-read>\r\n");
}

/** The digest (see the file comment) of every key of every database, keys in order. */
export async function typesDigest(
  client: RawClient,
  options: { maskTimes: boolean },
): Promise<Map<string, string>> {
  const digest = new Map<string, string>();
  for (let db = 0; db < 16; db++) {
    assert.equal(await client.commandText("SELECT", String(db)), "+OK\r\n");
    const keys = new Set<string>();
    let cursor = "0";
    do {
      const parts = splitAggregate(await client.command("SCAN", cursor, "COUNT", "1000"))!;
      cursor = latin1Text(parts[0]).split("\r\n")[1];
      for (const key of splitAggregate(parts[1])!) keys.add(latin1Text(key).split("\r\n")[1]);
    } while (cursor !== "0");
    for (const key of [...keys].sort()) {
      // The key's own bytes (SCAN's, read as latin1), not their UTF-8 encoding.
      const keyBytes = latin1Bytes(key);
      const type = (await client.commandText("TYPE", keyBytes)).trim();
      const ttl = (await client.commandText("PTTL", keyBytes)).startsWith(":-1") ? "none" : "ttl";
      let value: string;
      switch (type) {
        case "+string":
          value = await client.commandText("GET", keyBytes);
          break;
        case "+zset":
          value = await client.commandText("ZRANGE", keyBytes, "0", "-1", "WITHSCORES");
          break;
        case "+stream": {
          const range = await client.commandText("XRANGE", keyBytes, "-", "+");
          const info = await client.commandText("XINFO", "STREAM", keyBytes, "FULL", "COUNT", "0");
          value = `${range}\n${options.maskTimes ? maskTimes(info) : info}`;
          break;
        }
        default:
          throw new Error(`typesDigest: ${db} ${key} has type ${type}, not one of the dataset's`);
      }
      digest.set(`${db} ${key}`, `${type} ${ttl} ${value}`);
    }
  }
  assert.equal(await client.commandText("SELECT", "0"), "+OK\r\n");
  return digest;
}

/**
 * Equal digests, or a failure naming the keys missing, extra and (the first few) differing, with
 * both values, so one stream's difference is not buried in the whole dataset.
 */
export function assertSameDigest(
  actual: Map<string, string>,
  expected: Map<string, string>,
  what: string,
): void {
  const missing = [...expected.keys()].filter((key) => !actual.has(key));
  const extra = [...actual.keys()].filter((key) => !expected.has(key));
  const differing = [...expected.keys()].filter((key) =>
    actual.has(key) && actual.get(key) !== expected.get(key)
  );
  if (missing.length === 0 && extra.length === 0 && differing.length === 0) return;
  const details = differing.slice(0, 3).map((key) => {
    const [want, got] = [expected.get(key)!, actual.get(key)!];
    let at = 0;
    while (at < want.length && want[at] === got[at]) at++;
    const from = Math.max(0, at - 200);
    return `${key}, from char ${from}:\n  expected ${
      JSON.stringify(want.slice(from, at + 300))
    }\n` +
      `  actual   ${JSON.stringify(got.slice(from, at + 300))}`;
  });
  assert.fail(
    `${what}: missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}, ` +
      `${differing.length} differing ${JSON.stringify(differing)}\n${details.join("\n")}`,
  );
}
