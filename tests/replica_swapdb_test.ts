// repl-diskless-load on the replica side (Redis 7.0's semantics, core/network/master_link.ts):
// with swapdb a replica that lost its master for too long (the same history, so a full sync)
// goes on answering reads from its old dataset while the new one loads beside it, and swaps it
// in whole; a snapshot that fails to load leaves the old dataset in place. With disabled, the
// old behaviour: the keyspace is flushed and clients get -LOADING until the load is done. Also
// the retry back-off's jitter, at unit level (retryWaitMs).
//
// The full-sync tests use a real redis-server master behind a TcpProxy, so the test decides when
// the link is down: writes made meanwhile overflow the master's 16 KB backlog, and the replica's
// PSYNC is answered +FULLRESYNC with the replication id it already follows.

import assert from "node:assert/strict";
import { openReplica, startServer } from "../mod.ts";
import {
  RETRY_JITTER_FRACTION,
  retryWaitMs,
  snapshotRetryDelayMs,
} from "../core/network/master_link.ts";
import { concatBytes, latin1Text, RawClient } from "./_support/raw_client.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { startFakeMaster } from "./_support/fake_master.ts";
import { infoField, QUIET, run, waitFor } from "./_support/replication.ts";
import { TcpProxy } from "./_support/tcp_proxy.ts";
import { seededRandom } from "./_support/differential.ts";

/** Keys of the new dataset (the figure); SWAPDB_TEST_KEYS overrides it. */
const NEW_KEY_COUNT = Number(Deno.env.get("SWAPDB_TEST_KEYS") ?? 1_000_000);
/** Keys the disabled-mode test loads: enough for several polls to land inside the load. */
const DISABLED_KEY_COUNT = 100_000;
/**
 * Writes made while the link is down, of OVERFLOW_VALUE_BYTES each: ten times the master's
 * 16 KB backlog (Redis 7.0 trims its backlog a whole buffer block at a time).
 */
const OVERFLOW_WRITE_COUNT = 8;
const OVERFLOW_VALUE_BYTES = 20_000;
const FULL_SYNC_TIMEOUT_MS = 60_000;

const encoder = new TextEncoder();

interface Rig {
  master: Awaited<ReturnType<typeof startRedisServer>>;
  masterClient: RawClient;
  proxy: TcpProxy;
  replica: Awaited<ReturnType<typeof startServer>>;
  client: RawClient;
}

/** A redis-server master holding oldkey=old, and our replica of it, synced, through a proxy. */
async function startRig(disklessLoad: string): Promise<Rig> {
  const master = await startRedisServer([
    "--repl-diskless-sync-delay",
    "0",
    "--repl-backlog-size",
    "16kb",
    "--enable-debug-command",
    "yes",
  ]);
  const masterClient = await RawClient.connect(master.port);
  await run(masterClient, "SET", "oldkey", "old");
  const proxy = TcpProxy.start(master.port);
  const replica = await startServer({
    ...QUIET,
    config: { replicaof: `127.0.0.1 ${proxy.port}`, "repl-diskless-load": disklessLoad },
  });
  const client = await RawClient.connect(replica.port);
  await waitFor("the first sync", async () => {
    return await infoField(client, "replication", "master_link_status") === "up" &&
      await client.commandText("GET", "oldkey") === "$3\r\nold\r\n";
  });
  return { master, masterClient, proxy, replica, client };
}

async function stopRig(rig: Rig): Promise<void> {
  rig.client.close();
  rig.masterClient.close();
  await rig.replica.close();
  await rig.proxy.close();
  await rig.master.stop();
}

/**
 * Cuts the link, makes the master's dataset new (oldkey=new, `keyCount` more keys) with more
 * stream than its backlog holds, and lets the replica back in: its PSYNC gets +FULLRESYNC.
 */
async function replaceMasterDataset(rig: Rig, keyCount: number): Promise<void> {
  rig.proxy.refusing = true;
  rig.proxy.cut();
  await waitFor("the link down", async () => {
    return await infoField(rig.client, "replication", "master_link_status") === "down";
  });
  await run(rig.masterClient, "SET", "oldkey", "new");
  for (let i = 0; i < OVERFLOW_WRITE_COUNT; i++) {
    await run(rig.masterClient, "SET", `overflow:${i}`, "x".repeat(OVERFLOW_VALUE_BYTES));
  }
  // DEBUG POPULATE is not propagated: the keys reach the replica only in the snapshot.
  await run(rig.masterClient, "DEBUG", "POPULATE", String(keyCount), "key");
  rig.proxy.refusing = false;
}

/** GET oldkey on the replica until it reads "new"; every distinct reply run, in order. */
async function pollOldKey(
  client: RawClient,
): Promise<{ runs: string[]; asyncSeen: boolean; oldReadsWhileLoading: number }> {
  const runs: string[] = [];
  let asyncSeen = false;
  /** GETs answered "old" after INFO first said async_loading:1. */
  let oldReadsWhileLoading = 0;
  const deadlineMs = Date.now() + FULL_SYNC_TIMEOUT_MS;
  for (let poll = 0; Date.now() < deadlineMs; poll++) {
    const reply = await client.commandText("GET", "oldkey");
    if (runs[runs.length - 1] !== reply) runs.push(reply);
    if (reply === "$3\r\nnew\r\n") return { runs, asyncSeen, oldReadsWhileLoading };
    if (asyncSeen && reply === "$3\r\nold\r\n") oldReadsWhileLoading++;
    if (poll % 8 === 0) {
      const persistence = latin1Text(await client.command("INFO", "persistence"));
      if (persistence.includes("async_loading:1")) {
        asyncSeen = true;
        assert.match(persistence, /loading:0\r\n/);
        assert.match(persistence, /resplica_swapdb_new_dataset_bytes:\d+/);
      }
    }
  }
  throw new Error(`oldkey never read "new"; replies so far: ${JSON.stringify(runs)}`);
}

peerTest(
  "replica swapdb: reads see the old dataset through a full sync, then the new",
  async () => {
    const rig = await startRig("swapdb");
    try {
      await replaceMasterDataset(rig, NEW_KEY_COUNT);
      const startedMs = Date.now();
      const { runs, asyncSeen, oldReadsWhileLoading } = await pollOldKey(rig.client);
      const tookMs = Date.now() - startedMs;
      // Never -LOADING, never nil: the old value until the switch, then the new one.
      assert.deepEqual(runs, ["$3\r\nold\r\n", "$3\r\nnew\r\n"]);
      assert.ok(asyncSeen, "INFO persistence showed async_loading:1 during the sync");
      assert.ok(oldReadsWhileLoading > 0, "reads were served while the new dataset loaded");
      assert.equal(
        await rig.client.commandText("DBSIZE"),
        `:${NEW_KEY_COUNT + 1 + OVERFLOW_WRITE_COUNT}\r\n`,
      );
      assert.equal(await rig.client.commandText("GET", "key:7"), "$7\r\nvalue:7\r\n");
      assert.equal(await infoField(rig.client, "persistence", "async_loading"), "0");
      assert.equal(await infoField(rig.client, "replication", "master_link_status"), "up");
      console.log(
        `swapdb full sync of ${NEW_KEY_COUNT} keys: new value read after ${tookMs} ms, ` +
          `${oldReadsWhileLoading} reads of the old value while loading`,
      );
    } finally {
      await stopRig(rig);
    }
  },
);

peerTest("replica disabled: the keyspace is flushed and reads get -LOADING meanwhile", async () => {
  const rig = await startRig("disabled");
  try {
    await replaceMasterDataset(rig, DISABLED_KEY_COUNT);
    const { runs } = await pollOldKey(rig.client);
    assert.equal(runs[0], "$3\r\nold\r\n");
    assert.equal(runs[runs.length - 1], "$3\r\nnew\r\n");
    assert.ok(
      runs.some((reply) => reply.startsWith("-LOADING")),
      `a read during the load got -LOADING: ${JSON.stringify(runs)}`,
    );
    assert.equal(
      await rig.client.commandText("DBSIZE"),
      `:${DISABLED_KEY_COUNT + 1 + OVERFLOW_WRITE_COUNT}\r\n`,
    );
  } finally {
    await stopRig(rig);
  }
});

peerTest("embedded replica: store reads never see a half-loaded dataset", async () => {
  const master = await startRedisServer([
    "--repl-diskless-sync-delay",
    "0",
    "--repl-backlog-size",
    "16kb",
    "--enable-debug-command",
    "yes",
  ]);
  const masterClient = await RawClient.connect(master.port);
  const proxy = TcpProxy.start(master.port);
  const replica = await openReplica({ port: proxy.port, logLevel: "nothing" });
  try {
    await run(masterClient, "SET", "oldkey", "old");
    await waitFor(
      "oldkey on the replica",
      () => Promise.resolve(replica.store.get("oldkey") === "old"),
    );
    proxy.refusing = true;
    proxy.cut();
    await waitFor("the link down", () => Promise.resolve(!replica.linkUp));
    await run(masterClient, "SET", "oldkey", "new");
    for (let i = 0; i < OVERFLOW_WRITE_COUNT; i++) {
      await run(masterClient, "SET", `overflow:${i}`, "x".repeat(OVERFLOW_VALUE_BYTES));
    }
    await run(masterClient, "DEBUG", "POPULATE", String(DISABLED_KEY_COUNT), "key");
    const fullSyncsBefore = replica.fullSyncCount;
    proxy.refusing = false;
    const seen: (string | null)[] = [];
    let readsWhileLoading = 0;
    const deadlineMs = Date.now() + FULL_SYNC_TIMEOUT_MS;
    while (Date.now() < deadlineMs) {
      const value = replica.store.get("oldkey");
      if (seen[seen.length - 1] !== value) seen.push(value);
      if (value === "new") break;
      if (replica.loading) readsWhileLoading++;
      await delay(1);
    }
    assert.deepEqual(seen, ["old", "new"]);
    assert.ok(readsWhileLoading > 0, "reads were made while the new dataset loaded");
    assert.equal(replica.fullSyncCount, fullSyncsBefore + 1);
    assert.equal(replica.store.dbSize(), DISABLED_KEY_COUNT + 1 + OVERFLOW_WRITE_COUNT);
    assert.equal(replica.loading, false);
  } finally {
    await replica.close();
    masterClient.close();
    await proxy.close();
    await master.stop();
  }
});

/** A snapshot that loads one key (`new`), then holds a module-typed key no server can read. */
function failingSnapshot(): Uint8Array {
  const header = encoder.encode("REDIS0010");
  const selectDb0 = [0xfe, 0x00];
  const stringKey = [0x00, 0x03, ...encoder.encode("new"), 0x01, ...encoder.encode("1")];
  const moduleKey = [0x07, 0x01, "m".charCodeAt(0), 0x81, 0x02, 0x03, 0x04];
  const eofAndNoChecksum = [0xff, 0, 0, 0, 0, 0, 0, 0, 0];
  const rdb = concatBytes([
    header,
    new Uint8Array([...selectDb0, ...stringKey, ...moduleKey, ...eofAndNoChecksum]),
  ]);
  return concatBytes([
    encoder.encode(`+FULLRESYNC ${"d".repeat(40)} 0\r\n$${rdb.length}\r\n`),
    rdb,
  ]);
}

Deno.test("replica swapdb: a snapshot that fails to load leaves the old dataset", async () => {
  const fake = startFakeMaster(failingSnapshot);
  const ours = await startServer({ ...QUIET, config: { "repl-diskless-load": "swapdb" } });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "SET", "local", "kept");
    await run(client, "REPLICAOF", "127.0.0.1", String(fake.port));
    await waitFor("a failed full sync", async () => {
      return await infoField(client, "replication", "resplica_master_sync_failures") === "1";
    });
    assert.match(
      await infoField(client, "replication", "resplica_master_sync_last_error"),
      /^Failed trying to load the MASTER synchronization DB: .*; old dataset kept$/,
    );
    assert.equal(await client.commandText("GET", "local"), "$4\r\nkept\r\n");
    assert.equal(await client.commandText("GET", "new"), "$-1\r\n");
    assert.equal(await client.commandText("DBSIZE"), ":1\r\n");
    assert.equal(await infoField(client, "persistence", "loading"), "0");
  } finally {
    client.close();
    await ours.close();
    await fake.close();
  }
});

Deno.test("retryWaitMs: waits are bounded by the back-off and its jitter", () => {
  for (const backoffMs of [100, 800, 5_000]) {
    assert.equal(retryWaitMs(backoffMs, 0, () => 0), backoffMs);
    const highest = retryWaitMs(backoffMs, 0, () => 1 - Number.EPSILON);
    assert.ok(highest <= backoffMs * (1 + RETRY_JITTER_FRACTION));
    assert.ok(highest > backoffMs);
  }
  // A run of unloadable snapshots outweighs the reconnect back-off: 1 s doubling to 300 s.
  assert.equal(snapshotRetryDelayMs(0), 0);
  assert.equal(snapshotRetryDelayMs(1), 1_000);
  assert.equal(snapshotRetryDelayMs(3), 4_000);
  assert.equal(snapshotRetryDelayMs(40), 300_000);
  assert.equal(retryWaitMs(100, 2, () => 0), 2_000);
  assert.ok(retryWaitMs(100, 40, () => 0.999) <= 300_000 * (1 + RETRY_JITTER_FRACTION));
});

Deno.test("retryWaitMs: replicas of one master spread their retries", () => {
  /** Replicas that lost the same master at the same instant, each with its own random source. */
  const REPLICA_COUNT = 100;
  for (const [backoffMs, failures] of [[100, 0], [5_000, 0], [1_000, 3]]) {
    const baseMs = Math.max(backoffMs, snapshotRetryDelayMs(failures));
    const waits = Array.from(
      { length: REPLICA_COUNT },
      (_, index) => retryWaitMs(backoffMs, failures, seededRandom(index + 1)),
    );
    for (const waitMs of waits) {
      assert.ok(waitMs >= baseMs, `${waitMs} ms is not below the back-off ${baseMs} ms`);
      assert.ok(waitMs <= baseMs * (1 + RETRY_JITTER_FRACTION));
    }
    // Spread over the whole window: distinct instants, none crowding one end.
    const spanMs = Math.max(...waits) - Math.min(...waits);
    assert.ok(spanMs >= baseMs * RETRY_JITTER_FRACTION * 0.8, `span ${spanMs} ms`);
    const instantCount = Math.min(REPLICA_COUNT, baseMs * RETRY_JITTER_FRACTION);
    assert.ok(new Set(waits).size >= instantCount * 0.5, `${new Set(waits).size} distinct`);
    const lowerHalf = waits.filter((w) => w < baseMs * (1 + RETRY_JITTER_FRACTION / 2)).length;
    assert.ok(lowerHalf > REPLICA_COUNT * 0.25 && lowerHalf < REPLICA_COUNT * 0.75);
  }
});
