// Persistence of the newer types end to end — streams (consumer groups, pending entries,
// consumers, deleted entries, IDs at 2^64-1, an empty stream made by MKSTREAM), sparse and dense
// HyperLogLogs, bitmaps (SETBIT, BITFIELD, BITOP) and geo sets (GEOADD, GEOSEARCHSTORE,
// GEORADIUS STORE), some with TTLs — against real peers, as processes on 127.0.0.1:
//
//   RDB    resplica SAVE ──► redis-check-rdb ──► redis-server 7.0 loads it, resplica restarts on it
//          redis-server SAVE ──► resplica loads it
//   AOF    appendfsync always, kill -9, restart; BGREWRITEAOF, more writes, kill -9, restart;
//          redis-check-aof and redis-server 7.0 accept both files (commands only, and an RDB
//          preamble plus commands)
//   BGSAVE the file is exactly the instant while streams keep being written (in process, so
//          the instant is read straight from the engine, as persistence_bgsave_test.ts does)
//
// Datasets are compared key by key (tests/_support/types_dataset.ts): TYPE, PTTL presence, GET's
// bytes, ZRANGE WITHSCORES, XRANGE and XINFO STREAM FULL. An RDB round trip keeps times, so those
// comparisons mask nothing. An AOF replay stamps consumers with the replay's clock, and Redis 7.0
// does not propagate a group's entries-read (a delivery goes out as XCLAIM … LASTID): against
// the live server those are masked, and redis-server replaying the same file is the reference
// for them, matched exactly (times masked only).

import assert from "node:assert/strict";
import { openStore, type ResplicaServer, startServer, type Store } from "../mod.ts";
import { keyspaceEntries } from "../core/persistence/keyspace_records.ts";
import type { RdbValue } from "../core/rdb/mod.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { delay, findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import {
  assertSameDigest,
  fillTypesDataset,
  maskEntriesRead,
  runAll,
  typesDigest,
} from "./_support/types_dataset.ts";

/** String keys around the streams in the BGSAVE test, so the save takes a while. */
const BGSAVE_STRING_KEY_COUNT = 100_000;
/** Stream keys and entries per stream in the BGSAVE test (20k entries in all). */
const BGSAVE_STREAM_COUNT = 100;
const BGSAVE_STREAM_ENTRY_COUNT = 200;
/** Streams the BGSAVE test's writes rename, move, delete or copy, one per batch. */
const BGSAVE_VICTIM_COUNT = 40;
/** Keys per MSET while loading the BGSAVE test's strings. */
const LOAD_BATCH_KEYS = 2_000;
/** Upper bound for waiting on a BGSAVE or an AOF rewrite to end. */
const BACKGROUND_WAIT_MAX_MS = 15_000;

type Digest = Map<string, string>;

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "resplica-types-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Runs one of Redis's checkers (redis-check-rdb, redis-check-aof) on `path`; returns stdout. */
async function runChecker(name: string, path: string): Promise<string> {
  const output = await new Deno.Command(findExecutable(name)!, {
    args: [path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  assert.equal(
    output.code,
    0,
    `${name} ${path}:\n${text}${new TextDecoder().decode(output.stderr)}`,
  );
  return text;
}

/** Starts resplica as a process on `dir` (with `extra` flags) and connects a client. */
async function spawnOn(
  dir: string,
  extra: string[] = [],
): Promise<{ server: ResplicaProcess; client: RawClient }> {
  const server = await spawnResplica(["--dir", dir, ...extra]);
  return { server, client: await RawClient.connect(server.port, 20_000) };
}

/** The digest of redis-server 7.0 started on `dir` with `args`, then stopped by its PID. */
async function redisDigestOn(
  dir: string,
  args: string[],
  masks: { maskTimes: boolean },
): Promise<Digest> {
  const redis = await startRedisServer(["--dir", dir, ...args]);
  try {
    const client = await RawClient.connect(redis.port, 20_000);
    try {
      return await typesDigest(client, masks);
    } finally {
      client.close();
    }
  } finally {
    await redis.stop();
  }
}

/** One INFO section as fields. */
async function info(client: RawClient, section: string): Promise<Map<string, string>> {
  const fields = new Map<string, string>();
  for (const line of (await client.commandText("INFO", section)).split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Polls INFO persistence until `done` holds; returns the fields then. */
async function waitForPersistence(
  client: RawClient,
  what: string,
  done: (fields: Map<string, string>) => boolean,
): Promise<Map<string, string>> {
  const deadlineMs = Date.now() + BACKGROUND_WAIT_MAX_MS;
  while (Date.now() < deadlineMs) {
    const fields = await info(client, "persistence");
    if (done(fields)) return fields;
    await delay(10);
  }
  throw new Error(`${what} still running after ${BACKGROUND_WAIT_MAX_MS} ms`);
}

function waitForRewrite(client: RawClient): Promise<Map<string, string>> {
  return waitForPersistence(
    client,
    "BGREWRITEAOF",
    (fields) =>
      fields.get("aof_rewrite_in_progress") === "0" && fields.get("aof_rewrite_scheduled") === "0",
  );
}

function waitForBgsave(client: RawClient): Promise<Map<string, string>> {
  return waitForPersistence(
    client,
    "BGSAVE",
    (fields) => fields.get("rdb_bgsave_in_progress") === "0",
  );
}

/** The digest with each group's entries-read and lag masked (see the file comment). */
function withoutEntriesRead(digest: Digest): Digest {
  return new Map([...digest].map(([key, value]) => [key, maskEntriesRead(value)]));
}

// ── RDB ─────────────────────────────────────────────────────────────────────────────────────

peerTest(
  "persistence types: resplica's dump.rdb passes redis-check-rdb, and redis-server and a restarted resplica load the same data",
  async () => {
    await withTempDir(async (dir) => {
      const { server, client } = await spawnOn(dir, ["--enable-debug-command", "yes"]);
      let expected: Digest;
      try {
        await fillTypesDataset(client);
        expected = await typesDigest(client, { maskTimes: false });
        assert.equal(await client.commandText("DEBUG", "RELOAD"), "+OK\r\n"); // SAVE, then load
        assertSameDigest(
          await typesDigest(client, { maskTimes: false }),
          expected,
          "resplica after DEBUG RELOAD",
        );
        assert.equal(await client.commandText("SAVE"), "+OK\r\n");
      } finally {
        client.close();
        await killHard(server);
      }
      const checked = await runChecker("redis-check-rdb", `${dir}/dump.rdb`);
      const expiresCount = [...expected.values()].filter((v) => v.split(" ")[1] === "ttl").length;
      assert.match(checked, new RegExp(`\\b${expected.size} keys read`));
      assert.match(checked, new RegExp(`\\b${expiresCount} expires`));

      const theirs = await redisDigestOn(dir, ["--dbfilename", "dump.rdb"], { maskTimes: false });
      assertSameDigest(theirs, expected, "redis-server on resplica's dump.rdb");
      const again = await spawnOn(dir);
      try {
        assertSameDigest(
          await typesDigest(again.client, { maskTimes: false }),
          expected,
          "resplica restarted on its dump.rdb",
        );
      } finally {
        again.client.close();
        await killHard(again.server);
      }
    });
  },
  { binaries: ["redis-server", "redis-check-rdb"] },
);

peerTest(
  "persistence types: resplica starts on redis-server's dump.rdb of the same dataset",
  async () => {
    await withTempDir(async (dir) => {
      const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"]);
      let expected: Digest;
      try {
        const client = await RawClient.connect(redis.port, 20_000);
        try {
          await fillTypesDataset(client);
          expected = await typesDigest(client, { maskTimes: false });
          assert.equal(await client.commandText("SAVE"), "+OK\r\n");
        } finally {
          client.close();
        }
      } finally {
        await redis.stop();
      }
      const { server, client } = await spawnOn(dir);
      try {
        assertSameDigest(
          await typesDigest(client, { maskTimes: false }),
          expected,
          "resplica on redis-server's dump.rdb",
        );
      } finally {
        client.close();
        await killHard(server);
      }
    });
  },
);

// A stream's node layout survives an RDB round trip. In Redis an RDB stream node is a listpack
// kept as it was: its deleted entries stay in it and its size is what stream-node-max-entries /
// -bytes made it; XINFO's radix-tree-keys and where an approximate trim (MAXLEN ~ / MINID ~)
// cuts depend on that layout. resplica's nodes are those listpacks, written and adopted as they
// are (core/persistence/stream_records.ts). Two sequences, each compared before SAVE and after
// a restart, the first also by the approximate trim that follows:
//
//   (a) stream-node-max-entries 10; XADD s 1-0 … 100-0; SAVE; restart;
//       XTRIM s MAXLEN ~ 85 trims one node (:10, XLEN 90), as Redis does;
//   (b) XADD s 1-0 … 200-0; XDEL s 2-0 4-0 … 200-0; SAVE; restart: radix-tree-keys 2.
Deno.test({
  name: "persistence types: a stream's node layout survives an RDB round trip",
  fn: async () => {
    const cases: { flags: string[]; commands: string[][] }[] = [
      {
        flags: ["--stream-node-max-entries", "10"],
        commands: Array.from({ length: 100 }, (_, i) => ["XADD", "s", `${i + 1}-0`, "f", "v"]),
      },
      {
        flags: [],
        commands: [
          ...Array.from({ length: 200 }, (_, i) => ["XADD", "s", `${i + 1}-0`, "f", "v"]),
          ...Array.from({ length: 100 }, (_, i) => ["XDEL", "s", `${2 * i + 2}-0`]),
        ],
      },
    ];
    for (const { flags, commands } of cases) {
      await withTempDir(async (dir) => {
        const { server, client } = await spawnOn(dir, flags);
        let before: string;
        try {
          await runAll(client, commands);
          before = await client.commandText("XINFO", "STREAM", "s");
          assert.equal(await client.commandText("SAVE"), "+OK\r\n");
        } finally {
          client.close();
          await killHard(server);
        }
        const again = await spawnOn(dir, flags);
        try {
          assert.equal(await again.client.commandText("XINFO", "STREAM", "s"), before);
          if (flags.length > 0) {
            assert.equal(
              await again.client.commandText("XTRIM", "s", "MAXLEN", "~", "85"),
              ":10\r\n",
            );
            assert.equal(await again.client.commandText("XLEN", "s"), ":90\r\n");
          }
        } finally {
          again.client.close();
          await killHard(again.server);
        }
      });
    }
  },
});

// ── AOF ─────────────────────────────────────────────────────────────────────────────────────

/**
 * Writes after the dataset, before the rewrite: above all those logged as something else than
 * themselves (XADD * with its ID, approximate trims as exact ones, group reads as XCLAIM and
 * XGROUP SETID / CREATECONSUMER, XAUTOCLAIM, PFCOUNT's cache, GEORADIUS … STORE, EXPIRE as
 * PEXPIREAT). A history read (XREADGROUP … 0) is left out: Redis 7.0 bumps its delivery counts
 * without propagating anything, so neither its AOF nor ours carries them.
 */
const WRITES_BEFORE_REWRITE: string[][] = [
  ["XADD", "st:auto", "*", "f", "1"],
  ["XADD", "st:auto", "*", "f", "2"],
  ["XADD", "st:auto", "MAXLEN", "~", "1", "*", "f", "3"], // nothing to cut: one node
  ["XADD", "st:big", "MAXLEN", "~", "1500", "*", "n", "new"],
  ["XTRIM", "st:big", "MAXLEN", "~", "1200"],
  ["XTRIM", "st:big", "MINID", "~", "1450-0"],
  ["XTRIM", "st:trimmed", "MAXLEN", "8"],
  ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "st:main", ">"],
  ["XREADGROUP", "GROUP", "g1", "zoe", "COUNT", "2", "STREAMS", "st:main", "st:main", ">", ">"],
  ["XACK", "st:main", "g1", "1002-2", "1006-0", "1999-0"],
  ["XCLAIM", "st:main", "g1", "frank", "0", "1007-1", "1008-2"],
  ["XCLAIM", "st:main", "g1", "frank", "0", "1009-0", "IDLE", "5000", "JUSTID"],
  ["XCLAIM", "st:main", "g1", "frank", "0", "1012-0", "TIME", "1500000000000", "RETRYCOUNT", "3"],
  ["XAUTOCLAIM", "st:main", "g1", "gina", "0", "0-0", "COUNT", "8"], // meets 1005-2, deleted
  ["XREADGROUP", "GROUP", "g3", "erin", "NOACK", "COUNT", "3", "STREAMS", "st:main", ">"],
  ["XREADGROUP", "GROUP", "g3", "newbie", "NOACK", "COUNT", "1", "STREAMS", "st:main", ">"],
  ["XGROUP", "SETID", "st:main", "g2", "1200-0", "ENTRIESREAD", "150"],
  ["XGROUP", "DELCONSUMER", "st:main", "g1", "dave"],
  ["XGROUP", "CREATECONSUMER", "st:main", "g2", "hank"],
  ["XGROUP", "CREATE", "st:auto", "ga", "0"],
  ["XREADGROUP", "GROUP", "ga", "h", "COUNT", "2", "STREAMS", "st:auto", ">"],
  ["XDEL", "st:main", "1040-1"],
  ["XSETID", "st:trimmed", "200-0", "ENTRIESADDED", "90", "MAXDELETEDID", "150-0"],
  ["XGROUP", "DESTROY", "st:max", "g"],
  ["PFADD", "hll:sparse", "e", "f", "g"],
  ["PFCOUNT", "hll:sparse"], // caches the cardinality in the value: a write
  ["PFADD", "hll:dense", "more-1", "more-2", "more-3"],
  ["PFCOUNT", "hll:dense"],
  ["PFCOUNT", "hll:sparse", "hll:sparse2"], // several keys: nothing written
  ["PFMERGE", "hll:merged2", "hll:dense", "hll:sparse"],
  ["GEORADIUS", "geo:places", "15", "37", "300", "km", "STORE", "geo:radius"],
  ["GEORADIUS", "geo:places", "15", "37", "3000", "km", "ASC", "COUNT", "4", "STOREDIST", "geo:rd"],
  ["GEORADIUSBYMEMBER", "geo:grid", "g7_7", "8", "km", "DESC", "STORE", "geo:bymember"],
  ["GEOADD", "geo:places", "XX", "CH", "13.4", "38.2", "Palermo"],
  ["BITOP", "AND", "bm:and", "bm:bits", "bm:low"],
  ["BITOP", "XOR", "bm:xor", "bm:bits", "bm:field"],
  ["BITOP", "OR", "bm:or", "bm:field", "bm:db2-none"],
  ["SETBIT", "bm:bits", "3", "1"],
  "BITFIELD bm:field OVERFLOW FAIL INCRBY u8 0 255 INCRBY u4 8 1".split(" "),
  ["EXPIRE", "geo:radius", "70000"],
  ["PERSIST", "bm:bits"],
  ["DEL", "st:drained"],
  ["MULTI"],
  ["XADD", "st:auto", "*", "in", "multi"],
  ["XREADGROUP", "GROUP", "ga", "h", "COUNT", "1", "STREAMS", "st:auto", ">"],
  ["PFADD", "hll:sparse", "in-multi"],
  ["EXEC"],
  ["SELECT", "2"],
  ["XADD", "st:db2", "*", "f", "w"],
  ["XREADGROUP", "GROUP", "g", "c2", "STREAMS", "st:db2", ">"],
  ["SELECT", "0"],
];

/** Writes pipelined with BGREWRITEAOF: they run after its instant, from the rewrite buffer. */
const WRITES_DURING_REWRITE: string[][] = [
  ["XADD", "st:auto", "*", "during", "rewrite"],
  ["XREADGROUP", "GROUP", "ga", "h3", "COUNT", "1", "STREAMS", "st:auto", ">"],
  ["XCLAIM", "st:main", "g1", "frank", "0", "1021-0"],
  ["XDEL", "st:wide", "2-0"],
  ["PFADD", "hll:dense", "during"],
  ["PFCOUNT", "hll:dense"],
  ["SETBIT", "bm:huge", "7", "1"],
  ["GEOADD", "geo:places", "1", "1", "during"],
];

/** Writes after the rewrite: they land in the AOF's tail, after the RDB preamble. */
const WRITES_AFTER_REWRITE: string[][] = [
  ["XADD", "st:auto", "*", "f", "4"],
  ["XREADGROUP", "GROUP", "ga", "h2", "COUNT", "1", "STREAMS", "st:auto", ">"],
  ["XACK", "st:main", "g1", "1019-1", "1020-2"],
  ["XAUTOCLAIM", "st:main", "g1", "ivan", "0", "1020-0", "COUNT", "3"],
  ["XTRIM", "st:big", "MINID", "~", "1700-0"],
  ["XADD", "st:new", "MAXLEN", "~", "10", "*", "x", "1"],
  ["XGROUP", "CREATE", "st:new", "g", "$"],
  ["XGROUP", "DESTROY", "st:main", "g2"],
  ["PFADD", "hll:sparse", "z"],
  ["PFCOUNT", "hll:sparse"],
  ["GEOSEARCHSTORE", "geo:after", "geo:grid", "FROMMEMBER", "g2_2", "BYBOX", "20", "10", "km"],
  ["BITOP", "NOT", "bm:not2", "bm:field"],
  ["SETBIT", "bm:low", "9", "1"],
  ["PEXPIRE", "st:auto", "80000000"],
];

/**
 * A reader blocked on XREADGROUP, served by another client's XADD: the delivery is not a command
 * of its own, it reaches the log as the XCLAIM a replica replays, right after the XADD.
 */
async function blockedGroupRead(port: number, client: RawClient): Promise<void> {
  await runAll(client, [["XGROUP", "CREATE", "st:block", "gb", "$", "MKSTREAM"]]);
  const reader = await RawClient.connect(port, 20_000);
  try {
    await reader.send(
      encodeCommand("XREADGROUP GROUP gb waiter BLOCK 0 STREAMS st:block >".split(" ")),
    );
    for (let attempt = 0;; attempt++) {
      if ((await info(client, "clients")).get("blocked_clients") === "1") break;
      assert.ok(attempt < 500, "the XREADGROUP did not block");
      await delay(5);
    }
    const id = await client.commandText("XADD", "st:block", "*", "woken", "yes");
    const [served] = await reader.readReplies(1);
    assert.ok(latin1Text(served).includes(id.split("\r\n")[1]), latin1Text(served));
  } finally {
    reader.close();
  }
}

peerTest(
  "persistence types: the AOF survives kill -9 before and after BGREWRITEAOF; redis-check-aof and redis-server 7.0 accept it",
  async () => {
    await withTempDir(async (dir) => {
      const flags = ["--appendonly", "yes", "--appendfsync", "always"];
      const plainDir = `${dir}/plain`;
      await Deno.mkdir(plainDir);

      // 1. Commands only: kill -9 and replay.
      const first = await spawnOn(dir, flags);
      let live: Digest;
      try {
        await fillTypesDataset(first.client);
        await runAll(first.client, WRITES_BEFORE_REWRITE);
        await blockedGroupRead(first.server.port, first.client);
        live = await typesDigest(first.client, { maskTimes: true });
      } finally {
        first.client.close();
        await killHard(first.server);
      }
      await Deno.copyFile(`${dir}/appendonly.aof`, `${plainDir}/appendonly.aof`);
      const second = await spawnOn(dir, flags);
      let replayed: Digest;
      let rewritten: Digest;
      try {
        replayed = await typesDigest(second.client, { maskTimes: true });
        assertSameDigest(
          withoutEntriesRead(replayed),
          withoutEntriesRead(live),
          "resplica replaying its AOF after kill -9",
        );

        // 2. BGREWRITEAOF (an RDB preamble), more writes in the tail, kill -9, replay.
        await second.client.send(
          concatBytes([["BGREWRITEAOF"], ...WRITES_DURING_REWRITE].map((a) => encodeCommand(a))),
        );
        const replies = (await second.client.readReplies(WRITES_DURING_REWRITE.length + 1))
          .map(latin1Text);
        assert.equal(replies[0], "+Background append only file rewriting started\r\n");
        assert.ok(replies.every((reply) => !reply.startsWith("-")), replies.join(""));
        assert.equal((await waitForRewrite(second.client)).get("aof_last_bgrewrite_status"), "ok");
        const head = (await Deno.readFile(`${dir}/appendonly.aof`)).subarray(0, 9);
        assert.equal(new TextDecoder().decode(head), "REDIS0010");
        await runAll(second.client, WRITES_AFTER_REWRITE);
        rewritten = await typesDigest(second.client, { maskTimes: true });
      } finally {
        second.client.close();
        await killHard(second.server);
      }
      const third = await spawnOn(dir, flags);
      let replayedRewritten: Digest;
      try {
        replayedRewritten = await typesDigest(third.client, { maskTimes: true });
        assertSameDigest(
          withoutEntriesRead(replayedRewritten),
          withoutEntriesRead(rewritten),
          "resplica replaying its rewritten AOF after kill -9",
        );
      } finally {
        third.client.close();
        await killHard(third.server);
      }

      // 3. Redis's tools on both files; redis-server 7.0 migrates each to its multi-part layout
      // and replays it into exactly what resplica replayed.
      await runChecker("redis-check-aof", `${plainDir}/appendonly.aof`);
      const checked = await runChecker("redis-check-aof", `${dir}/appendonly.aof`);
      assert.match(checked, /RDB preamble is OK/);
      assert.match(checked, /is valid/);
      assertSameDigest(
        await redisDigestOn(plainDir, ["--appendonly", "yes"], { maskTimes: true }),
        replayed,
        "redis-server replaying resplica's AOF",
      );
      assertSameDigest(
        await redisDigestOn(dir, ["--appendonly", "yes"], { maskTimes: true }),
        replayedRewritten,
        "redis-server loading resplica's rewritten AOF",
      );
    });
  },
  { binaries: ["redis-server", "redis-check-aof"] },
);

// ── BGSAVE ──────────────────────────────────────────────────────────────────────────────────

/** One value as text that tells apart every difference a load could introduce. */
function canonicalValue(value: RdbValue): string {
  return JSON.stringify(
    value,
    (_key, part) =>
      typeof part === "bigint"
        ? part.toString()
        : part instanceof Uint8Array
        ? latin1Text(part)
        : part,
  );
}

/**
 * The whole keyspace, one line per key (db, key, TTL or none, value with every stream field:
 * entries, counters, groups, PELs with delivery times and counts, consumers with seen-times),
 * read from the served engine: 100k keys in well under a second.
 */
function engineDigest(store: Store): string[] {
  const lines: string[] = [];
  for (const entry of keyspaceEntries(store.engine, Date.now())) {
    const ttl = entry.expireAtMs > 0 ? "ttl" : "none";
    lines.push(`${entry.db} ${latin1Text(entry.key)} ${ttl} ${canonicalValue(entry.value)}`);
  }
  return lines.sort();
}

/** Equal digests, or a failure naming the first lines that differ (not a 100k-line diff). */
function assertSameLines(actual: string[], expected: string[]): void {
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  const missing = expected.filter((line) => !actualSet.has(line)).slice(0, 3);
  const extra = actual.filter((line) => !expectedSet.has(line)).slice(0, 3);
  const cut = (lines: string[]) => lines.map((line) => line.slice(0, 600));
  assert.deepEqual({ missing: cut(missing), extra: cut(extra) }, { missing: [], extra: [] });
  assert.equal(actual.length, expected.length);
}

async function startWithStore(dir: string): Promise<{ server: ResplicaServer; store: Store }> {
  const store = openStore();
  const server = await startServer({ port: 0, logLevel: "nothing", config: { dir }, store });
  return { server, store };
}

/** Stream `j` of the BGSAVE test: dbs 0 and 15 (scanned last, so writes meet unsaved keys). */
function bgsaveStream(j: number): { db: string; key: string } {
  return { db: j % 4 === 3 ? "15" : "0", key: `bs:${j}` };
}

/** The BGSAVE test's dataset: strings, then streams with groups, PELs and consumers. */
function bgsaveDatasetCommands(): string[][] {
  const commands: string[][] = [];
  for (let i = 0; i < BGSAVE_STRING_KEY_COUNT; i += LOAD_BATCH_KEYS) {
    const args = ["MSET"];
    for (let k = i; k < i + LOAD_BATCH_KEYS; k++) args.push(`s:${k}`, `value-${k}`);
    commands.push(args);
  }
  for (let j = 0; j < BGSAVE_STREAM_COUNT; j++) {
    const { db, key } = bgsaveStream(j);
    commands.push(["SELECT", db]);
    for (let i = 1; i <= BGSAVE_STREAM_ENTRY_COUNT; i++) {
      commands.push(["XADD", key, `${i}-${j}`, "n", String(i), "j", String(j)]);
    }
    commands.push(
      ["XGROUP", "CREATE", key, "g", "0"],
      ["XGROUP", "CREATE", key, "doomed", "$"],
      ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "20", "STREAMS", key, ">"],
      ["XREADGROUP", "GROUP", "g", "c2", "COUNT", "10", "STREAMS", key, ">"],
      ["XACK", key, "g", `3-${j}`],
      ["XDEL", key, `50-${j}`],
    );
    if (j % 10 === 0) commands.push(["EXPIRE", key, "100000"]);
  }
  // The other new types, in db 15 (scanned last), each written mid-save by a command whose
  // written key is not simply its first argument's, or whose write is a cache (PFCOUNT).
  commands.push(
    ["SELECT", "15"],
    ["PFADD", "nt:hll", "a", "b", "c"], // cache invalid: the PFCOUNT below writes it back
    ["PFADD", "nt:hll-dst", "z"],
    ["SETBIT", "nt:bits", "5", "1"],
    ["SET", "nt:bitop-dst", "before"],
    ["GEOADD", "nt:geo", "13.36", "38.11", "Palermo", "15.08", "37.50", "Catania"],
    ["GEOADD", "nt:radius-dst", "0", "0", "old"],
    ["GEOADD", "nt:search-dst", "0", "0", "old"],
    ["SELECT", "0"],
  );
  for (let v = 0; v < BGSAVE_VICTIM_COUNT; v++) {
    commands.push(
      ["XADD", `v:${v}`, "1-1", "victim", String(v)],
      ["XGROUP", "CREATE", `v:${v}`, "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c", "STREAMS", `v:${v}`, ">"],
    );
  }
  return commands;
}

/** Writes to the other new types, in the batch pipelined with BGSAVE. */
const OTHER_TYPES_WRITES: string[][] = [
  ["SELECT", "15"],
  ["PFCOUNT", "nt:hll"],
  ["PFMERGE", "nt:hll-dst", "nt:hll"],
  ["BITFIELD", "nt:bits", "INCRBY", "u8", "8", "3"],
  ["BITOP", "NOT", "nt:bitop-dst", "nt:bits"],
  ["GEORADIUS", "nt:geo", "15", "37", "200", "km", "STORE", "nt:radius-dst"],
  ["GEOSEARCHSTORE", "nt:search-dst", "nt:geo", "FROMLONLAT", "15", "37", "BYRADIUS", "300", "km"],
  ["SELECT", "0"],
];

/** One batch of stream writes made while BGSAVE runs, over every stream in turn. */
function streamWriteBatch(batch: number): string[][] {
  const j = batch % BGSAVE_STREAM_COUNT;
  const { db, key } = bgsaveStream(j);
  const other = bgsaveStream((j + 37) % BGSAVE_STREAM_COUNT);
  return [
    ["SELECT", db],
    ["XADD", key, "*", "during", String(batch)],
    ["XDEL", key, `${10 + (batch % 150)}-${j}`],
    ["XTRIM", key, "MAXLEN", "~", "120"],
    ["XTRIM", key, "MINID", `${5 + (batch % 20)}-0`],
    ["XGROUP", "CREATE", key, `h${batch}`, "$"],
    ["XGROUP", "SETID", key, "g", "100-0"],
    ["XGROUP", "CREATECONSUMER", key, "g", `late-${batch}`],
    ["XGROUP", "DELCONSUMER", key, "g", "c2"],
    ["XREADGROUP", "GROUP", "g", "c3", "COUNT", "5", "STREAMS", key, ">"],
    ["XACK", key, "g", `1-${j}`, `2-${j}`],
    ["XCLAIM", key, "g", "c4", "0", `4-${j}`, `5-${j}`],
    ["XAUTOCLAIM", key, "g", "c5", "0", "0-0", "COUNT", "3"],
    ["SET", `s:${(batch * 7919) % BGSAVE_STRING_KEY_COUNT}`, `overwritten-${batch}`],
    ["SELECT", other.db],
    ["XGROUP", "DESTROY", other.key, "doomed"],
    ["PERSIST", other.key],
    ["XADD", `new:${batch}`, "1-1", "born", "after"],
    ["SELECT", "0"],
    ...victimWrites(batch),
  ];
}

/** The key-level change batch `batch` makes to victim stream `v:<batch>`, if any. */
function victimWrites(batch: number): string[][] {
  if (batch >= BGSAVE_VICTIM_COUNT) return [];
  const key = `v:${batch}`;
  switch (batch % 4) {
    case 0:
      return [["RENAME", key, `v-renamed:${batch}`]];
    case 1:
      return [["MOVE", key, "15"]];
    case 2:
      return [["DEL", key]];
    default:
      return [["COPY", key, `v-copy:${batch}`], ["XACK", key, "g", "1-1"], ["EXPIRE", key, "9000"]];
  }
}

peerTest(
  "persistence types: BGSAVE holds every stream as it was at the instant while streams are written",
  async () => {
    await withTempDir(async (dir) => {
      const { server, store } = await startWithStore(dir);
      let expected: string[] = [];
      try {
        const client = await RawClient.connect(server.port, 20_000);
        const writer = await RawClient.connect(server.port, 20_000);
        try {
          await runAll(client, bgsaveDatasetCommands());
          expected = engineDigest(store);
          assert.equal(
            expected.length,
            BGSAVE_STRING_KEY_COUNT + BGSAVE_STREAM_COUNT + BGSAVE_VICTIM_COUNT + 7,
          );

          // The first batch goes in the same pipeline as BGSAVE: it runs before the first slice.
          const firstBatch = [["BGSAVE"], ...OTHER_TYPES_WRITES, ...streamWriteBatch(0)];
          await writer.send(concatBytes(firstBatch.map((args) => encodeCommand(args))));
          const firstReplies = (await writer.readReplies(firstBatch.length)).map(latin1Text);
          assert.equal(firstReplies[0], "+Background saving started\r\n");
          assert.ok(firstReplies.every((reply) => !reply.startsWith("-")), firstReplies.join(""));
          let batchesWhileRunning = 1;
          for (let batch = 1;; batch++) {
            if ((await info(writer, "persistence")).get("rdb_bgsave_in_progress") !== "1") break;
            await runAll(writer, streamWriteBatch(batch));
            batchesWhileRunning++;
          }
          const ended = await waitForBgsave(client);
          assert.equal(ended.get("rdb_last_bgsave_status"), "ok");
          assert.ok(Number(ended.get("rdb_last_cow_size")) > 0, "nothing was side-saved");
          console.log(
            `${batchesWhileRunning} batches of stream writes while BGSAVE ran; ` +
              `rdb_last_cow_size ${ended.get("rdb_last_cow_size")}`,
          );
          // The live server has the writes; the file has none of them.
          assert.equal(await client.commandText("EXISTS", "new:0"), ":1\r\n");
          // Every one of the other types' writes changed its key (PFCOUNT too: its cache).
          const instant = new Set(expected);
          const changed = engineDigest(store).filter((line) =>
            line.startsWith("15 nt:") && !instant.has(line)
          ).map((line) => line.split(" ")[1]);
          assert.deepEqual(changed, [
            "nt:bitop-dst",
            "nt:bits",
            "nt:hll",
            "nt:hll-dst",
            "nt:radius-dst",
            "nt:search-dst",
          ]);
        } finally {
          client.close();
          writer.close();
        }
      } finally {
        await server.close();
        store.close();
      }
      // Side-saves re-select their database mid-file; Redis's own checker must accept that.
      await runChecker("redis-check-rdb", `${dir}/dump.rdb`);
      const reloaded = await startWithStore(dir);
      try {
        assertSameLines(engineDigest(reloaded.store), expected);
      } finally {
        await reloaded.server.close();
        reloaded.store.close();
      }
    });
  },
  { binaries: ["redis-check-rdb"] },
);
