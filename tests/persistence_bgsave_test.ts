// BGSAVE as a copy-on-write snapshot: the server keeps serving (writes included) while the
// file is written, and the file still holds exactly the keyspace at the BGSAVE instant, through
// overwrites, deletes, new keys, MOVE/COPY across databases, clients served from BLMOVE,
// FLUSHALL, and keys expiring mid-save. Datasets are compared through a pipelined digest (every
// key of every db: type, value in a canonical order, whether it has a TTL).

import assert from "node:assert/strict";
import { openStore, type ResplicaServer, startServer, type Store } from "../mod.ts";
import { keyspaceEntries } from "../core/persistence/keyspace_records.ts";
import { RdbReader } from "../core/rdb/mod.ts";
import type { RdbEntry, RdbValue } from "../core/rdb/mod.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { findExecutable } from "./_support/redis_peer.ts";

/** String keys of the big dataset for the point-in-time test (acceptance: at least 1 M keys). */
const POINT_IN_TIME_KEY_COUNT = 1_000_000;
/** String keys of the big dataset for the other tests, which only need a save that takes a while. */
const STRING_KEY_COUNT = 200_000;
/** Keys per MSET while loading, and commands per pipelined batch while reading. */
const LOAD_BATCH_KEYS = 2000;
const PIPELINE_BATCH_COMMANDS = 500;
/** Collections of each type in the big dataset. */
const COLLECTION_COUNT = 20;
/**
 * PINGs that must be answered while one BGSAVE runs: a save that blocked the server would let
 * one through, at its end. (How long they take is a benchmark's business, bench/bgsave.ts, not
 * a test's: a loaded CI machine must not fail a correct server.)
 */
const PINGS_DURING_SAVE_MIN = 5;
/** Upper bound for waiting on a BGSAVE to end. */
const BGSAVE_WAIT_MAX_MS = 15_000;

async function run(client: RawClient, ...args: string[]): Promise<string> {
  const reply = await client.commandText(...args);
  assert.ok(!reply.startsWith("-"), `${args.join(" ")} → ${reply}`);
  return reply;
}

/** Sends commands in pipelined batches; returns every raw reply, in order. */
async function pipeline(client: RawClient, commands: string[][]): Promise<Uint8Array[]> {
  const replies: Uint8Array[] = [];
  for (let i = 0; i < commands.length; i += PIPELINE_BATCH_COMMANDS) {
    const batch = commands.slice(i, i + PIPELINE_BATCH_COMMANDS);
    await client.send(concatBytes(batch.map((args) => encodeCommand(args))));
    replies.push(...await client.readReplies(batch.length, 20_000));
  }
  return replies;
}

/** The big dataset: `stringKeyCount` strings, collections of every type, TTLs, dbs 0/3/15. */
async function fillBigDataset(client: RawClient, stringKeyCount = STRING_KEY_COUNT): Promise<void> {
  await run(client, "SELECT", "0");
  for (let i = 0; i < stringKeyCount; i += LOAD_BATCH_KEYS) {
    const args = ["MSET"];
    for (let k = i; k < Math.min(stringKeyCount, i + LOAD_BATCH_KEYS); k++) {
      args.push(`s:${k}`, `value-${k}`);
    }
    await run(client, ...args);
  }
  for (let j = 0; j < COLLECTION_COUNT; j++) {
    const size = j % 2 === 0 ? 5 : 300; // small and large encodings
    const items = Array.from({ length: size }, (_, i) => `item-${j}-${i}`);
    await run(client, "RPUSH", `list:${j}`, ...items);
    await run(client, "SADD", `set:${j}`, ...items);
    await run(client, "ZADD", `zset:${j}`, ...items.flatMap((item, i) => [String(i / 3), item]));
    await run(client, "HSET", `hash:${j}`, ...items.flatMap((item) => [item, `v-${item}`]));
    await run(client, "SET", `ttl:${j}`, `t${j}`, "EX", "100000");
  }
  await run(client, "SELECT", "3");
  await run(client, "SET", "db3:a", "three");
  await run(client, "SELECT", "15");
  // Database 15 is scanned last, so writes there meet keys the scan has not reached.
  await run(client, "RPUSH", "bl:dst", "old-1", "old-2");
  await run(client, "HSET", "db15:hash", "f", "v");
  await run(client, "SET", "db15:str", "fifteen");
  await run(client, "SELECT", "0");
}

/** One value as text that tells apart every difference a load could introduce. */
function canonicalValue(value: RdbValue): string {
  switch (value.type) {
    case "string":
      return "string " + JSON.stringify(latin1Text(value.value));
    case "list":
      return "list " + JSON.stringify(value.elements.map(latin1Text));
    case "set":
      return "set " + JSON.stringify(value.members.map(latin1Text).sort());
    case "zset":
      return "zset " + JSON.stringify(value.entries.map((e) => [latin1Text(e.member), e.score]));
    case "hash": {
      const pairs = value.fields.map((f) => [latin1Text(f.field), latin1Text(f.value)]);
      return "hash " + JSON.stringify(pairs.sort((a, b) => a[0] < b[0] ? -1 : 1));
    }
    case "stream":
      return "stream " +
        JSON.stringify(
          value.stream,
          (_key, part) =>
            typeof part === "bigint"
              ? part.toString()
              : part instanceof Uint8Array
              ? latin1Text(part)
              : part,
        );
  }
}

/**
 * A canonical view of the whole dataset, one line per key (db, key, TTL or none, value),
 * sorted. Read straight from the served engine: 200k keys in well under a second, where the
 * same digest over the wire takes many.
 */
function digest(store: Store): string[] {
  const lines: string[] = [];
  for (const entry of keyspaceEntries(store.engine, Date.now())) {
    const ttl = entry.expireAtMs > 0 ? "ttl" : "none";
    lines.push(`${entry.db} ${latin1Text(entry.key)} ${ttl} ${canonicalValue(entry.value)}`);
  }
  return lines.sort();
}

/** Equal digests, or a failure naming the first lines that differ (not a 200k-line diff). */
function assertSameDigest(actual: string[], expected: string[]): void {
  const actualSet = new Set(actual);
  const expectedSet = new Set(expected);
  const missing = expected.filter((line) => !actualSet.has(line)).slice(0, 5);
  const extra = actual.filter((line) => !expectedSet.has(line)).slice(0, 5);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] });
  assert.equal(actual.length, expected.length);
}

async function info(client: RawClient): Promise<Map<string, string>> {
  const text = await client.commandText("INFO", "persistence");
  const fields = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

async function waitForBgsaveEnd(client: RawClient): Promise<Map<string, string>> {
  const deadlineMs = Date.now() + BGSAVE_WAIT_MAX_MS;
  while (Date.now() < deadlineMs) {
    const fields = await info(client);
    if (fields.get("rdb_bgsave_in_progress") === "0") return fields;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`BGSAVE still running after ${BGSAVE_WAIT_MAX_MS} ms`);
}

/** Every entry of an RDB file, in file order. */
async function readRdbEntries(path: string): Promise<RdbEntry[]> {
  const reader = new RdbReader();
  reader.push(await Deno.readFile(path));
  const entries: RdbEntry[] = [];
  for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
  reader.finish();
  return entries;
}

async function withTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "resplica-bgsave-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Starts a server over an embedded store, so the test can read the engine directly. */
async function startWithStore(dir: string): Promise<{ server: ResplicaServer; store: Store }> {
  const store = openStore();
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { dir, "enable-debug-command": "yes" },
    store,
  });
  return { server, store };
}

/** Digest of a fresh server started on `dir`'s dump.rdb. */
async function digestOfFile(dir: string): Promise<string[]> {
  const { server, store } = await startWithStore(dir);
  try {
    return digest(store);
  } finally {
    await server.close();
    store.close();
  }
}

/** One batch of the writes made while BGSAVE runs: every kind of change, in dbs 0 and 15. */
function writeBatch(batch: number): string[][] {
  const pick = (salt: number) => `s:${(batch * 7919 + salt * 104_729) % STRING_KEY_COUNT}`;
  const j = batch % COLLECTION_COUNT;
  return [
    ["SET", pick(1), `overwritten-${batch}`],
    ["DEL", pick(2)],
    ["SET", `new:${batch}`, "created after the instant"],
    ["APPEND", pick(3), "-appended"],
    ["EXPIRE", pick(4), "5000"],
    ["PERSIST", `ttl:${j}`],
    ["RENAME", pick(5), `renamed:${batch}`],
    ["MOVE", pick(6), "5"],
    ["COPY", pick(7), `copied:${batch}`, "DB", "7"],
    ["MSET", pick(8), "m1", pick(9), "m2"],
    ["RPUSH", `list:${j}`, `pushed-${batch}`],
    ["LPOP", `list:${(j + 1) % COLLECTION_COUNT}`],
    ["LMPOP", "2", "no-such-list", `list:${(j + 2) % COLLECTION_COUNT}`, "RIGHT"],
    ["HSET", `hash:${j}`, `item-${j}-0`, `changed-${batch}`, `new-field-${batch}`, "x"],
    ["HDEL", `hash:${(j + 1) % COLLECTION_COUNT}`, `item-${(j + 1) % COLLECTION_COUNT}-1`],
    ["SADD", `set:${j}`, `added-${batch}`],
    ["SREM", `set:${(j + 1) % COLLECTION_COUNT}`, `item-${(j + 1) % COLLECTION_COUNT}-2`],
    ["ZADD", `zset:${j}`, "99", `added-${batch}`],
    ["ZINCRBY", `zset:${(j + 1) % COLLECTION_COUNT}`, "5", `item-${(j + 1) % COLLECTION_COUNT}-0`],
    ["ZUNIONSTORE", `zset:${(j + 2) % COLLECTION_COUNT}`, "2", `zset:${j}`, "set:0"],
    ["SELECT", "15"],
    ["HSET", "db15:hash", "f", `changed-${batch}`],
    ["SET", "db15:str", `changed-${batch}`],
    ["SET", `db15:new:${batch}`, "x"],
    ["SELECT", "0"],
  ];
}

Deno.test("BGSAVE under continuous writes: commands keep being served and the file is the instant", async () => {
  await withTempDir(async (dir) => {
    const { server, store } = await startWithStore(dir);
    try {
      const loader = await RawClient.connect(server.port, 20_000);
      await fillBigDataset(loader, POINT_IN_TIME_KEY_COUNT);
      const expected = digest(store);
      assert.ok(expected.length >= POINT_IN_TIME_KEY_COUNT);

      // A client parked on BLMOVE into db 15's bl:dst: served mid-save, it writes without
      // passing the dispatcher's hook, so the blocking registry must side-save bl:dst too.
      const blocked = await RawClient.connect(server.port, 20_000);
      await run(blocked, "SELECT", "15");
      await blocked.send(encodeCommand(["BLMOVE", "bl:src", "bl:dst", "LEFT", "LEFT", "0"]));
      while ((await loader.commandText("INFO", "clients")).includes("blocked_clients:0")) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }

      const writer = await RawClient.connect(server.port, 20_000);
      const pinger = await RawClient.connect(server.port, 20_000);
      const bgsaveStartMs = performance.now();
      assert.equal(await loader.commandText("BGSAVE"), "+Background saving started\r\n");
      const bgsaveReplyMs = performance.now() - bgsaveStartMs;
      assert.equal(
        await loader.commandText("BGSAVE"),
        "-ERR Background save already in progress\r\n",
      );

      let running = true;
      let batchesWhileRunning = 0;
      const writing = (async () => {
        await run(writer, "SELECT", "15");
        await run(writer, "RPUSH", "bl:src", "served-mid-save");
        await run(writer, "SELECT", "0");
        for (let batch = 0; running; batch++) {
          const replies = await pipeline(writer, writeBatch(batch));
          for (const reply of replies) {
            const text = latin1Text(reply);
            // RENAME of a key an earlier batch deleted is the one refusal expected.
            assert.ok(!text.startsWith("-") || text === "-ERR no such key\r\n", text);
          }
          const fields = await info(writer);
          if (fields.get("rdb_bgsave_in_progress") === "1") batchesWhileRunning++;
          else running = false;
        }
      })();
      let pingMaxMs = 0;
      let pings = 0;
      const pinging = (async () => {
        while (running) {
          const startMs = performance.now();
          assert.equal(await pinger.commandText("PING"), "+PONG\r\n");
          pingMaxMs = Math.max(pingMaxMs, performance.now() - startMs);
          pings++;
        }
      })();
      const ended = await waitForBgsaveEnd(loader);
      running = false;
      await Promise.all([writing, pinging]);
      assert.equal(latin1Text((await blocked.readReplies(1))[0]), "$15\r\nserved-mid-save\r\n");

      assert.ok(batchesWhileRunning > 0, "no write batch completed while BGSAVE ran");
      assert.ok(pings >= PINGS_DURING_SAVE_MIN, `only ${pings} PINGs answered during the save`);
      assert.equal(ended.get("rdb_last_bgsave_status"), "ok");
      assert.ok(Number(ended.get("rdb_last_cow_size")) > 0, "nothing was side-saved");
      assert.equal(ended.get("current_save_keys_processed"), "0");
      console.log(
        `BGSAVE reply ${bgsaveReplyMs.toFixed(1)} ms; ${batchesWhileRunning} write batches and ` +
          `${pings} PINGs while it ran, slowest PING ${pingMaxMs.toFixed(1)} ms; ` +
          `rdb_last_cow_size ${ended.get("rdb_last_cow_size")}`,
      );

      // The live server has the writes; the file has none of them.
      assert.equal(await loader.commandText("EXISTS", "new:0"), ":1\r\n");
      assertSameDigest(await digestOfFile(dir), expected);
      // Side-saves re-select their database mid-file; Redis's own checker must accept that.
      const checker = findExecutable("redis-check-rdb");
      if (checker !== null) {
        const check = await new Deno.Command(checker, {
          args: [`${dir}/dump.rdb`],
          stdout: "piped",
          stderr: "piped",
        }).output();
        assert.equal(check.code, 0, new TextDecoder().decode(check.stdout));
      }
      for (const client of [loader, blocked, writer, pinger]) client.close();
    } finally {
      await server.close();
      store.close();
    }
  });
});

Deno.test("BGSAVE then FLUSHALL, SWAPDB and new keys: the file still holds the state before", async () => {
  await withTempDir(async (dir) => {
    const { server, store } = await startWithStore(dir);
    try {
      const client = await RawClient.connect(server.port, 20_000);
      await fillBigDataset(client);
      const expected = digest(store);
      await client.send(
        concatBytes([
          encodeCommand(["BGSAVE"]),
          encodeCommand(["SET", "s:1", "changed"]),
          encodeCommand(["SWAPDB", "0", "3"]),
          encodeCommand(["FLUSHALL"]),
          encodeCommand(["SET", "after", "1"]),
        ]),
      );
      const replies = (await client.readReplies(5)).map(latin1Text);
      assert.deepEqual(replies, [
        "+Background saving started\r\n",
        "+OK\r\n",
        "+OK\r\n",
        "+OK\r\n",
        "+OK\r\n",
      ]);
      const ended = await waitForBgsaveEnd(client);
      assert.equal(ended.get("rdb_last_bgsave_status"), "ok");
      assert.equal(await client.commandText("DBSIZE"), ":1\r\n");
      client.close();
      assertSameDigest(await digestOfFile(dir), expected);
    } finally {
      await server.close();
      store.close();
    }
  });
});

Deno.test("BGSAVE keeps a key alive at the instant that expires mid-save, with its TTL", async () => {
  await withTempDir(async (dir) => {
    const server = await startServer({ port: 0, logLevel: "nothing", config: { dir, hz: "100" } });
    try {
      const client = await RawClient.connect(server.port, 20_000);
      // A million keys: the engine encodes strings fast enough that a smaller save could end
      // before the 40 ms TTLs run out.
      await fillBigDataset(client, POINT_IN_TIME_KEY_COUNT);
      await run(client, "SELECT", "15");
      await run(client, "SET", "gone", "expired before the instant", "PX", "1");
      await new Promise((resolve) => setTimeout(resolve, 5));
      await run(client, "SET", "soon", "alive at the instant", "PX", "40");
      await run(client, "SET", "soon-rewritten", "alive at the instant", "PX", "40");
      const instantMs = Date.now();
      assert.equal(await client.commandText("BGSAVE"), "+Background saving started\r\n");
      // Both keys expire while the save runs (db 15 is scanned last); one is then rewritten.
      await new Promise((resolve) => setTimeout(resolve, 60));
      assert.equal(await client.commandText("GET", "soon"), "$-1\r\n");
      await run(client, "SET", "soon-rewritten", "written after expiring");
      const stillRunning = (await info(client)).get("rdb_bgsave_in_progress");
      assert.equal(stillRunning, "1", "BGSAVE ended before the keys expired: test is void");
      const ended = await waitForBgsaveEnd(client);
      assert.equal(ended.get("rdb_last_bgsave_status"), "ok");

      const entries = await readRdbEntries(`${dir}/dump.rdb`);
      const byKey = new Map(
        entries.map((entry) => [`${entry.db}:${latin1Text(entry.key)}`, entry]),
      );
      assert.equal(byKey.has("15:gone"), false);
      for (const key of ["15:soon", "15:soon-rewritten"]) {
        const entry = byKey.get(key);
        assert.ok(entry, `${key} missing from the file`);
        assert.deepEqual(entry.value, {
          type: "string",
          value: new TextEncoder().encode("alive at the instant"),
        });
        assert.ok(entry.expireAtMs > instantMs - 1000 && entry.expireAtMs <= instantMs + 40);
      }
      assert.equal(entries.length, POINT_IN_TIME_KEY_COUNT + 5 * COLLECTION_COUNT + 1 + 3 + 2);
      // Expiry is back on after the save: the expired keys are gone from the live server.
      assert.equal(await client.commandText("EXISTS", "soon"), ":0\r\n");
      client.close();
    } finally {
      await server.close();
    }
  });
});

Deno.test("a synchronous save during BGSAVE (DEBUG RELOAD) aborts it and its file stays", async () => {
  await withTempDir(async (dir) => {
    const { server, store } = await startWithStore(dir);
    try {
      const client = await RawClient.connect(server.port, 20_000);
      await fillBigDataset(client);
      await client.send(
        concatBytes([
          encodeCommand(["BGSAVE"]),
          encodeCommand(["SET", "s:1", "after the BGSAVE instant"]),
          encodeCommand(["DEBUG", "RELOAD"]),
        ]),
      );
      const replies = (await client.readReplies(3)).map(latin1Text);
      assert.deepEqual(replies, ["+Background saving started\r\n", "+OK\r\n", "+OK\r\n"]);
      const expected = digest(store);
      const ended = await waitForBgsaveEnd(client);
      // Aborted on request, not failed; and the older snapshot never replaced the newer file.
      assert.equal(ended.get("rdb_last_bgsave_status"), "ok");
      assert.equal(await client.commandText("GET", "s:1"), "$24\r\nafter the BGSAVE instant\r\n");
      client.close();
      assertSameDigest(await digestOfFile(dir), expected);
    } finally {
      await server.close();
      store.close();
    }
  });
});
