// Lazy freeing (wasm/assembly/lazyfree.ts, core/state/lazyfree_queue.ts): FLUSHALL ASYNC and
// UNLINK detach in O(1) and the memory is freed in slices while commands are served; a
// snapshot started before a flush still writes the old dataset; used_memory comes back; the
// counters (lazyfree_pending_objects, lazyfreed_objects) follow Redis's rules, compared with a
// live redis-server 7.0. No timing assertions: "served meanwhile" is shown by a PING answered
// while objects are still pending.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { Engine } from "../core/engine/mod.ts";
import { hashSet } from "../core/engine/hash.ts";
import { snapshotBegin, snapshotClaim, snapshotScanStep } from "../core/engine/snapshot.ts";
import { RdbReader } from "../core/rdb/mod.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { infoField, run } from "./_support/replication.ts";

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** Sends commands in pipelined batches, returns nothing; fails on any error reply. */
async function pipeline(client: RawClient, commands: string[][]): Promise<void> {
  for (let start = 0; start < commands.length; start += 500) {
    const batch = commands.slice(start, start + 500);
    await client.send(concatBytes(batch.map((argv) => encodeCommand(argv))));
    for (const reply of await client.readReplies(batch.length, 60_000)) {
      assert.ok(reply[0] !== 0x2d, latin1Text(reply));
    }
  }
}

/** MSETs `count` small keys prefix0 … prefixN. */
async function fillKeys(client: RawClient, prefix: string, count: number): Promise<void> {
  const commands: string[][] = [];
  for (let at = 0; at < count; at += 1000) {
    const argv = ["MSET"];
    for (let i = at; i < Math.min(count, at + 1000); i++) argv.push(`${prefix}${i}`, `v${i}`);
    commands.push(argv);
  }
  await pipeline(client, commands);
}

async function infoNumber(client: RawClient, field: string): Promise<number> {
  return Number(await infoField(client, "memory", field));
}

async function waitDrained(client: RawClient): Promise<void> {
  for (let attempt = 0; attempt < 2000; attempt++) {
    if (await infoNumber(client, "lazyfree_pending_objects") === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail("the lazy-free queue never drained");
}

Deno.test("engine: lazyFreeStep interleaved with writes and a snapshot keeps data and counts", () => {
  const engine = Engine.create();
  const nowMs = Date.now();
  snapshotBegin(engine, 1); // allocates the snapshot buffers now, outside the measurement
  const baseBytes = engine.usedMemoryBytes();
  for (let i = 0; i < 20_000; i++) engine.set(0, bytes(`k${i}`), bytes(`value-${i}`), 0, 0, nowMs);
  const parts: Uint8Array[] = [bytes("big")];
  for (let i = 0; i < 5_000; i++) parts.push(bytes(`f${i}`), bytes(`x${i}`));
  hashSet(engine, 0, parts, false, nowMs);
  // A snapshot is running; the host's pre-write hook claims "big" before UNLINK changes it.
  snapshotBegin(engine, 0);
  assert.equal(snapshotClaim(engine, 0, 0, bytes("big"), false, nowMs).kind, "host");
  assert.equal(engine.unlink(0, bytes("big"), nowMs), true);
  assert.equal(engine.lazyFreePendingObjects(), 1, "a 5000-field hash is queued, not freed");
  let cursor = 0;
  let written = 0;
  let steps = 0;
  for (let done = false; !done;) {
    const step = snapshotScanStep(engine, 0, 0, cursor, 128, false, nowMs);
    written += step.recordKeyCount + step.deferredKeys.length;
    cursor = step.cursor;
    done = step.done;
    // Writes between steps reuse the memory the queue frees.
    engine.set(0, bytes(`new${steps}`), bytes(`fresh-${steps}`), 0, 0, nowMs);
    engine.lazyFreeStep(50);
    steps++;
  }
  assert.equal(written, 20_000, "every key of the instant, once; none written after it");
  while (engine.lazyFreeStep(50));
  assert.equal(engine.lazyFreePendingObjects(), 0);
  assert.equal(engine.lazyFreedObjects(), 1);
  for (let i = 0; i < steps; i++) {
    assert.equal(
      new TextDecoder().decode(engine.getString(0, bytes(`new${i}`), nowMs)!),
      `fresh-${i}`,
    );
  }
  // Now a flushed database with a big value inside: the value becomes its own job.
  hashSet(engine, 0, parts, false, nowMs);
  const keyCount = engine.dbSize(0);
  engine.flushDbAsync(0);
  assert.equal(engine.dbSize(0), 0);
  assert.equal(engine.lazyFreePendingObjects(), keyCount);
  let interleaved = 0;
  while (engine.lazyFreeStep(100)) {
    engine.set(0, bytes(`after${interleaved}`), bytes("x"), 0, 0, nowMs);
    interleaved++;
  }
  assert.ok(interleaved > 10, "a bounded step cannot free 25k objects in a few calls");
  assert.equal(engine.lazyFreedObjects(), 1 + keyCount);
  assert.equal(engine.dbSize(0), interleaved);
  engine.flushAll();
  engine.trimStaging(); // the HSETs' staging region, not lazy-free memory
  assert.ok(
    engine.usedMemoryBytes() <= baseBytes + 64 * 1024,
    `memory back: ${engine.usedMemoryBytes()} vs ${baseBytes}`,
  );
});

Deno.test({
  name: "FLUSHALL ASYNC of 1M keys: PING is served while objects are pending, memory comes back",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer({ port: 0, logLevel: "nothing" });
    const client = await RawClient.connect(server.port, 60_000);
    try {
      const baseBytes = await infoNumber(client, "used_memory");
      await fillKeys(client, "key:", 1_000_000);
      const fullBytes = await infoNumber(client, "used_memory");
      await client.send(
        concatBytes([encodeCommand(["FLUSHALL", "ASYNC"]), encodeCommand(["PING"])]),
      );
      const [flushReply, pingReply] = await client.readReplies(2, 60_000);
      assert.equal(latin1Text(flushReply), "+OK\r\n");
      assert.equal(latin1Text(pingReply), "+PONG\r\n");
      const pending = await infoNumber(client, "lazyfree_pending_objects");
      assert.ok(pending > 0, "the queue was drained before PING's next command: not lazy");
      assert.equal(await client.commandText("DBSIZE"), ":0\r\n");
      assert.ok(await infoNumber(client, "used_memory") > baseBytes + (fullBytes - baseBytes) / 10);
      await waitDrained(client);
      assert.equal(await infoNumber(client, "lazyfreed_objects"), 1_000_000);
      const afterBytes = await infoNumber(client, "used_memory");
      assert.ok(afterBytes < baseBytes + (fullBytes - baseBytes) / 20, `${afterBytes}`);
    } finally {
      client.close();
      await server.close();
    }
  },
});

Deno.test({
  name: "a BGSAVE started before FLUSHALL ASYNC writes the old dataset",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-lazyfree-" });
    const server = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const client = await RawClient.connect(server.port, 60_000);
    try {
      await fillKeys(client, "old:", 200_000);
      await run(client, "HSET", "h", ...Array.from({ length: 400 }, (_, i) => `f${i}`));
      assert.equal(await client.commandText("BGSAVE"), "+Background saving started\r\n");
      await run(client, "FLUSHALL", "ASYNC");
      await run(client, "SET", "new", "after the instant");
      for (let i = 0; i < 1000; i++) {
        if (await infoField(client, "persistence", "rdb_bgsave_in_progress") === "0") break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const reader = new RdbReader();
      reader.push(await Deno.readFile(`${dir}/dump.rdb`));
      const keys = new Set<string>();
      for (let entry = reader.next(); entry !== null; entry = reader.next()) {
        keys.add(latin1Text(entry.key));
      }
      reader.finish();
      assert.equal(keys.size, 200_001);
      assert.ok(keys.has("old:0") && keys.has("old:199999") && keys.has("h"));
      assert.ok(!keys.has("new"));
      await waitDrained(client);
    } finally {
      client.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "UNLINK of 1M-element hash, set, zset, list and stream goes through the queue",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const server = await startServer({ port: 0, logLevel: "nothing" });
    const client = await RawClient.connect(server.port, 60_000);
    try {
      const baseBytes = await infoNumber(client, "used_memory");
      const count = 1_000_000;
      const commands: string[][] = [];
      for (let at = 0; at < count; at += 1000) {
        const hash = ["HSET", "h"];
        const set = ["SADD", "s"];
        const zset = ["ZADD", "z"];
        const list = ["RPUSH", "l"];
        for (let i = at; i < at + 1000; i++) {
          hash.push(`f${i}`, "v");
          set.push(`m${i}`);
          zset.push(String(i), `m${i}`);
          list.push(`e${i}`);
        }
        commands.push(hash, set, zset, list);
      }
      for (let i = 0; i < 20_000; i++) commands.push(["XADD", "x", "*", "f", "v"]);
      await pipeline(client, commands);
      for (const key of ["h", "s", "z", "l"]) {
        const before = await infoNumber(client, "lazyfreed_objects");
        assert.equal(await client.commandText("UNLINK", key), ":1\r\n");
        assert.equal(await client.commandText("PING"), "+PONG\r\n");
        assert.equal(await infoNumber(client, "lazyfree_pending_objects"), 1, key);
        await waitDrained(client);
        assert.equal(await infoNumber(client, "lazyfreed_objects"), before + 1, key);
      }
      const before = await infoNumber(client, "lazyfreed_objects");
      assert.equal(await client.commandText("UNLINK", "x"), ":1\r\n");
      assert.equal(await infoNumber(client, "lazyfreed_objects"), before + 1, "stream");
      assert.equal(await client.commandText("DBSIZE"), ":0\r\n");
      // Streams are host values swept by the cron; give it a few ticks.
      await new Promise((resolve) => setTimeout(resolve, 1200));
      const afterBytes = await infoNumber(client, "used_memory");
      assert.ok(afterBytes < baseBytes + 4 * 1024 * 1024, `${afterBytes} vs ${baseBytes}`);
    } finally {
      client.close();
      await server.close();
    }
  },
});

/** The same sequence on both servers; the counters after each drain. */
async function counterSequence(client: RawClient): Promise<string[]> {
  const seen: string[] = [];
  const note = async () => {
    await waitDrained(client);
    seen.push(await infoField(client, "memory", "lazyfreed_objects"));
  };
  await run(client, "CONFIG", "SET", "hash-max-listpack-entries", "128");
  await fillKeys(client, "k", 300);
  await run(client, "HSET", "bighash", ...Array.from({ length: 400 }, (_, i) => `f${i}`));
  await run(client, "SADD", "bigset", ...Array.from({ length: 600 }, (_, i) => `m${i}`));
  await run(client, "SADD", "intset", ...Array.from({ length: 100 }, (_, i) => String(i)));
  await run(client, "RPUSH", "list", ...Array.from({ length: 1000 }, (_, i) => `e${i}`));
  await run(client, "UNLINK", "bighash", "k1", "intset", "list");
  await note();
  await run(client, "CONFIG", "SET", "lazyfree-lazy-user-del", "yes");
  await run(client, "DEL", "bigset", "k2");
  await note();
  await run(client, "CONFIG", "SET", "lazyfree-lazy-user-del", "no");
  await run(client, "FLUSHDB", "ASYNC");
  await note();
  await fillKeys(client, "again", 50);
  await run(client, "CONFIG", "SET", "lazyfree-lazy-user-flush", "yes");
  await run(client, "FLUSHALL");
  await note();
  await run(client, "CONFIG", "SET", "lazyfree-lazy-user-flush", "no");
  await fillKeys(client, "sync", 10);
  await run(client, "FLUSHALL", "SYNC");
  await note();
  return seen;
}

peerTest("lazyfreed_objects after UNLINK / lazy DEL / FLUSH ASYNC match redis-server", async () => {
  const peer = await startRedisServer();
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const theirs = await RawClient.connect(peer.port, 60_000);
  const ours = await RawClient.connect(server.port, 60_000);
  try {
    const expected = await counterSequence(theirs);
    assert.deepEqual(await counterSequence(ours), expected);
  } finally {
    theirs.close();
    ours.close();
    await server.close();
    await peer.stop();
  }
}, { sanitizeOps: false, sanitizeResources: false });
