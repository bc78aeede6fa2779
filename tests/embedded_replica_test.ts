// The embedded replica (openReplica): a replica inside this process of a real redis-server
// master and of a resplica master. It must take a full sync, apply a pipelined burst of 100k
// writes byte for byte (its offset equal to the master's, every key readable in-process),
// survive link cuts from either side with a partial resync only (the master's sync_full stays,
// sync_partial_ok rises), refuse writes, and report every key a write touched on its change
// feeds. Masters are redis-server processes on test-picked 127.0.0.1 ports stopped by PID, or
// resplica started in this process.

import assert from "node:assert/strict";
import { openReplica, type ReplicaChange, ReplicaReadOnlyError } from "../mod.ts";
import type { EmbeddedReplica } from "../mod.ts";
import { pickFreePort } from "./_support/ports.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { infoField, run, startMaster, waitFor } from "./_support/replication.ts";

const BURST_WRITE_COUNT = 100_000;
const OK_REPLY_BYTES = "+OK\r\n".length;

/** Writes `count` pipelined `SET <prefix>:<i> value-<i>` in one go and reads every +OK. */
async function pipelineSets(port: number, prefix: string, count: number): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = `${prefix}:${i}`;
      const value = `value-${i}`;
      parts.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
    }
    const request = new TextEncoder().encode(parts.join(""));
    const writing = (async () => {
      let offset = 0;
      while (offset < request.length) offset += await conn.write(request.subarray(offset));
    })();
    // Read while writing, or both sides' socket buffers fill and the pipeline stalls.
    const replyBuffer = new Uint8Array(64 * 1024);
    let replyBytes = 0;
    while (replyBytes < count * OK_REPLY_BYTES) {
      const n = await conn.read(replyBuffer);
      assert.ok(n !== null, "the master closed the pipelining connection");
      const chunk = replyBuffer.subarray(0, n);
      // Every reply is +OK: a '-' byte anywhere means an error reply.
      assert.ok(!chunk.includes(0x2d), `a pipelined SET failed: ${latin1Text(chunk)}`);
      replyBytes += n;
    }
    await writing;
    assert.equal(replyBytes, count * OK_REPLY_BYTES);
  } finally {
    conn.close();
  }
}

/** Waits until the replica's link is up and it applied the master's whole stream. */
async function waitReplicaInSync(master: RawClient, replica: EmbeddedReplica): Promise<void> {
  let masterOffset = "";
  await waitFor("the embedded replica to reach the master's offset", async () => {
    masterOffset = await infoField(master, "replication", "master_repl_offset");
    return replica.linkUp && String(replica.replicationOffset) === masterOffset;
  }).catch((error) => {
    throw new Error(
      `${(error as Error).message}: master ${masterOffset}, replica ` +
        `${replica.replicationOffset} (link ${replica.linkUp ? "up" : "down"})`,
    );
  });
}

/** Takes events from `feed` until `count` of them satisfy `wanted`; returns those. */
async function takeChanges(
  feed: AsyncIterableIterator<ReplicaChange>,
  count: number,
  wanted: (change: ReplicaChange) => boolean = () => true,
): Promise<ReplicaChange[]> {
  const taken: ReplicaChange[] = [];
  while (taken.length < count) {
    const { value, done } = await feed.next();
    assert.ok(!done, `the feed ended after ${taken.length} of ${count} events`);
    if (wanted(value)) taken.push(value);
  }
  return taken;
}

async function syncCounts(master: RawClient): Promise<{ full: number; partialOk: number }> {
  return {
    full: Number(await infoField(master, "stats", "sync_full")),
    partialOk: Number(await infoField(master, "stats", "sync_partial_ok")),
  };
}

peerTest(
  "embedded replica of redis-server: 100k pipelined writes, partial resync after cuts, reads in-process",
  async () => {
    const master = await startRedisServer([
      "--repl-diskless-sync-delay",
      "0",
      "--repl-backlog-size",
      "64mb",
    ]);
    const masterClient = await RawClient.connect(master.port);
    let replica: EmbeddedReplica | null = null;
    try {
      await run(masterClient, "SET", "before:sync", "snapshot");
      await run(masterClient, "HSET", "before:hash", "f", "v");
      replica = await openReplica({ port: master.port, logLevel: "nothing" });
      assert.ok(replica.synced);
      assert.equal(replica.loading, false);
      assert.equal(replica.fullSyncCount, 1);
      assert.equal(replica.masterHost, "127.0.0.1");
      assert.equal(replica.masterPort, master.port);
      assert.equal(
        replica.replicationId,
        await infoField(masterClient, "replication", "master_replid"),
      );
      assert.equal(replica.store.get("before:sync"), "snapshot");
      await waitReplicaInSync(masterClient, replica);

      // The burst: 100k SETs pipelined on one connection, seen by a change feed.
      const feed = replica.changes({ bufferedEventsMax: 2 * BURST_WRITE_COUNT });
      await pipelineSets(master.port, "burst", BURST_WRITE_COUNT);
      await waitReplicaInSync(masterClient, replica);
      assert.equal(replica.store.dbSize(), BURST_WRITE_COUNT + 2);
      for (let i = 0; i < BURST_WRITE_COUNT; i++) {
        const value = replica.store.get(`burst:${i}`);
        if (value !== `value-${i}`) assert.fail(`burst:${i} is ${value} on the replica`);
      }
      const burstChanges = await takeChanges(feed, BURST_WRITE_COUNT);
      for (let i = 0; i < BURST_WRITE_COUNT; i++) {
        const change = burstChanges[i];
        if (change.key !== `burst:${i}` || change.command !== "set" || change.db !== 0) {
          assert.fail(`change ${i} is ${JSON.stringify(change)}`);
        }
      }

      // Writes are refused; the dataset stays the master's.
      assert.throws(() => replica!.store.set("burst:0", "mine"), ReplicaReadOnlyError);
      assert.throws(() => replica!.store.del("burst:0"), { message: /^READONLY / });
      assert.equal(replica.store.get("burst:0"), "value-0");

      // Cut 1: the master kills the link; writes made meanwhile arrive by partial resync.
      const before = await syncCounts(masterClient);
      assert.equal(before.full, 1);
      const killed = await masterClient.commandText("CLIENT", "KILL", "TYPE", "replica");
      assert.equal(killed, ":1\r\n");
      await run(masterClient, "SET", "during:cut1", "a");
      await run(masterClient, "DEL", "burst:1");
      await waitReplicaInSync(masterClient, replica);
      assert.equal(replica.store.get("during:cut1"), "a");
      assert.equal(replica.store.get("burst:1"), null);
      assert.deepEqual(await takeChanges(feed, 2), [
        { db: 0, key: "during:cut1", command: "set" },
        { db: 0, key: "burst:1", command: "del" },
      ]);

      // Cut 2: this side drops the link.
      assert.equal(replica.dropLink(), true);
      await run(masterClient, "MSET", "during:cut2:a", "1", "during:cut2:b", "2");
      await waitReplicaInSync(masterClient, replica);
      assert.equal(replica.store.get("during:cut2:b"), "2");
      assert.deepEqual(await takeChanges(feed, 2), [
        { db: 0, key: "during:cut2:a", command: "mset" },
        { db: 0, key: "during:cut2:b", command: "mset" },
      ]);

      const after = await syncCounts(masterClient);
      assert.equal(after.full, before.full, "no full resync after a cut");
      assert.equal(after.partialOk, before.partialOk + 2, "one partial resync per cut");
      assert.equal(replica.fullSyncCount, 1);
      assert.equal(replica.partialSyncCount, 2);
      assert.equal(replica.store.dbSize(), BURST_WRITE_COUNT + 2 + 1 - 1 + 2);
      await feed.return!();
    } finally {
      await replica?.close();
      masterClient.close();
      await master.stop();
    }
  },
);

Deno.test("embedded replica of resplica: per-key change events, databases, partial resync", async () => {
  const master = await startMaster();
  const masterClient = await RawClient.connect(master.port);
  let replica: EmbeddedReplica | null = null;
  try {
    await run(masterClient, "SET", "seed", "1");
    replica = await openReplica({ port: master.port, logLevel: "nothing" });
    assert.equal(replica.store.get("seed"), "1");
    const feed = replica.changes();
    const second = replica.changes();

    await run(masterClient, "MSET", "a", "1", "b", "2");
    await run(masterClient, "DEL", "a", "seed");
    await run(masterClient, "HSET", "h", "f", "v");
    await run(masterClient, "SADD", "s", "x", "y");
    await run(masterClient, "SPOP", "s"); // replayed as SREM
    await run(masterClient, "LPUSH", "src", "e");
    await run(masterClient, "LMOVE", "src", "dst", "LEFT", "RIGHT");
    await run(masterClient, "COPY", "b", "b2", "DB", "3");
    await run(masterClient, "MOVE", "h", "5");
    await run(masterClient, "SELECT", "3");
    await run(masterClient, "FLUSHDB");
    await run(masterClient, "SELECT", "0");
    await run(masterClient, "GET", "b"); // a read: no event
    await run(masterClient, "SET", "last", "z");
    const changes = await takeChanges(feed, 14);
    assert.deepEqual(changes, [
      { db: 0, key: "a", command: "mset" },
      { db: 0, key: "b", command: "mset" },
      { db: 0, key: "a", command: "del" },
      { db: 0, key: "seed", command: "del" },
      { db: 0, key: "h", command: "hset" },
      { db: 0, key: "s", command: "sadd" },
      { db: 0, key: "s", command: "srem" },
      { db: 0, key: "src", command: "lpush" },
      { db: 0, key: "src", command: "lmove" },
      { db: 0, key: "dst", command: "lmove" },
      { db: 3, key: "b2", command: "copy" },
      { db: 0, key: "h", command: "move" },
      { db: 5, key: "h", command: "move" },
      { db: 3, key: null, command: "flushdb" },
    ]);
    assert.deepEqual(await takeChanges(feed, 1), [{ db: 0, key: "last", command: "set" }]);
    // A second feed sees the same events; ending it leaves the first running.
    assert.deepEqual((await takeChanges(second, 2)).map((c) => c.key), ["a", "b"]);
    await second.return!();
    assert.deepEqual(await second.next(), { value: undefined, done: true });

    await waitReplicaInSync(masterClient, replica);
    assert.equal(replica.store.get("b"), "2");
    assert.equal(replica.store.select(5).exists("h"), 1);
    assert.equal(replica.store.select(3).dbSize(), 0);
    assert.equal(replica.store.get("last"), "z");

    const before = await syncCounts(masterClient);
    assert.equal(replica.dropLink(), true);
    await run(masterClient, "SET", "after:cut", "y");
    await waitReplicaInSync(masterClient, replica);
    assert.equal(replica.store.get("after:cut"), "y");
    const after = await syncCounts(masterClient);
    assert.equal(after.full, before.full);
    assert.equal(after.partialOk, before.partialOk + 1);
    assert.equal(replica.partialSyncCount, 1);
    assert.deepEqual(await takeChanges(feed, 1), [{ db: 0, key: "after:cut", command: "set" }]);

    // close() ends the feed a consumer is waiting on.
    const waiting = feed.next();
    await replica.close();
    assert.deepEqual(await waiting, { value: undefined, done: true });
  } finally {
    await replica?.close();
    masterClient.close();
    await master.close();
  }
});

Deno.test("embedded replica: a feed that falls behind gets one overflow event", async () => {
  const master = await startMaster();
  const masterClient = await RawClient.connect(master.port);
  const replica = await openReplica({ port: master.port, logLevel: "nothing" });
  try {
    const feed = replica.changes({ bufferedEventsMax: 3 });
    for (let i = 0; i < 5; i++) await run(masterClient, "SET", `k${i}`, "v");
    await waitReplicaInSync(masterClient, replica);
    assert.deepEqual(await takeChanges(feed, 2), [
      { db: -1, key: null, command: "overflow" },
      { db: 0, key: "k4", command: "set" },
    ]);
  } finally {
    await replica.close();
    masterClient.close();
    await master.close();
  }
});

Deno.test("openReplica: no master within syncTimeoutMs rejects and leaves nothing running", async () => {
  const port = pickFreePort(); // nothing listens there
  await assert.rejects(
    openReplica({ port, logLevel: "nothing", syncTimeoutMs: 300 }),
    /no sync with 127\.0\.0\.1:\d+ within 300 ms/,
  );
  await assert.rejects(openReplica({ port: 0 }), RangeError);
  await assert.rejects(openReplica({ port, host: "" }), TypeError);
});

Deno.test("openReplica: syncTimeoutMs 0 returns at once; close before the first sync", async () => {
  const port = pickFreePort();
  const replica = await openReplica({ port, logLevel: "nothing", syncTimeoutMs: 0 });
  assert.equal(replica.synced, false);
  assert.equal(replica.linkUp, false);
  const waiting = replica.waitForSync(10_000);
  await replica.close();
  await assert.rejects(waiting, /closed before its first sync/);
});
