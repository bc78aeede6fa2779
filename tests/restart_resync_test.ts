// Restarts that resync partially (Redis 7.0, redis/redis#4102): a server's RDB records its
// replication history (aux repl-id, repl-offset, repl-stream-db) when it has one a restart could
// continue, and start-up brings it back: a replica offers it to its master (`PSYNC <id> <off+1>`),
// a master keeps serving it as replid2 from a backlog created at start. The restarted servers run
// as real processes (SHUTDOWN, then a new process on the same files and port) against real
// peers, resplica and redis-server alike, since wire compatibility is the contract. Each process
// is stopped by its own PID; every directory is the test's own temporary one.

import assert from "node:assert/strict";
import { Engine } from "../core/engine/mod.ts";
import { loadRdbFileSync } from "../core/persistence/rdb_file.ts";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import {
  infoField,
  QUIET,
  run,
  startRedisReplica,
  startReplica,
  waitInSync,
} from "./_support/replication.ts";
import { peerTest, type RedisPeer, startRedisServer } from "./_support/redis_peer.ts";

/**
 * Master flags for the restart tests: full syncs start at once, and no PING enters the stream
 * on its own (resplica's SHUTDOWN does not wait for replicas to acknowledge the last bytes, as
 * Redis 7.0's shutdown-timeout does, so a PING fed just before it could be missed).
 */
const MASTER_ARGS = ["--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "3600"];

async function writeBatch(client: RawClient, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await run(client, "SET", `${prefix}:${i}`, `value-${i}`);
    if (i % 10 === 0) await run(client, "RPUSH", `${prefix}:list`, String(i));
  }
}

/** SHUTDOWN SAVE through `client`, then waits until the process is gone. */
async function shutdownSave(process: ResplicaProcess, client: RawClient): Promise<void> {
  await client.commandText("SHUTDOWN", "SAVE").catch(() => ""); // the connection just closes
  client.close();
  await process.child.status;
}

function savedAux(dir: string): Record<string, string> {
  return loadRdbFileSync(Engine.create(), `${dir}/dump.rdb`, Date.now()).aux;
}

Deno.test("restart: an RDB records the replication history only when one can be continued", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-restart-aux-" });
  const master = await startServer({
    ...QUIET,
    config: { dir, "repl-diskless-sync-delay": "0" },
  });
  const replica = await startServer(QUIET);
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    // A master that never had a replica has no backlog: nothing a restart could continue.
    await run(m, "SET", "k", "v");
    await run(m, "SAVE");
    const before = savedAux(dir);
    for (const field of ["repl-id", "repl-offset", "repl-stream-db"]) {
      assert.equal(before[field], undefined, field);
    }
    assert.equal(before["aof-base"], "0");

    // With a backlog, the file names our id and the offset at the instant of the save.
    await run(r, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r);
    await writeBatch(m, "live", 20);
    await waitInSync(m, r);
    await run(m, "SAVE");
    const after = savedAux(dir);
    assert.equal(after["repl-id"], await infoField(m, "replication", "master_replid"));
    assert.equal(after["repl-offset"], await infoField(m, "replication", "master_repl_offset"));
    assert.equal(after["repl-stream-db"], "0");
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
});

peerTest(
  "restart: a replica of redis-server restarted from its RDB continues with a partial resync",
  async () => {
    const master = await startRedisServer();
    const m = await RawClient.connect(master.port);
    const dir = await Deno.makeTempDir({ prefix: "resplica-restart-replica-" });
    const replicaArgs = ["--dir", dir, "--replicaof", "127.0.0.1", String(master.port)];
    let replica: ResplicaProcess | null = null;
    let r: RawClient | null = null;
    try {
      await fillDataset(m);
      replica = await spawnResplica(replicaArgs);
      r = await RawClient.connect(replica.port);
      await waitInSync(m, r);
      // The stream is left in db 3: after the restart (no SELECT in what the backlog sends)
      // the next writes must land in db 3 too, from repl-stream-db.
      await run(m, "SELECT", "3");
      await writeBatch(m, "db3", 20);
      await waitInSync(m, r);
      const masterReplId = await infoField(m, "replication", "master_replid");
      await shutdownSave(replica, r);
      r = null;
      replica = null;
      const aux = savedAux(dir);
      assert.equal(aux["repl-id"], masterReplId);
      assert.equal(aux["repl-stream-db"], "3");
      await writeBatch(m, "while-down", 30);

      replica = await spawnResplica(replicaArgs);
      r = await RawClient.connect(replica.port);
      await waitInSync(m, r);
      assert.equal(await infoField(m, "stats", "sync_full"), "1");
      assert.equal(await infoField(m, "stats", "sync_partial_ok"), "1");
      assert.equal(await infoField(m, "stats", "sync_partial_err"), "0");
      await writeBatch(m, "after", 10);
      await waitInSync(m, r);
      assert.equal(await datasetDigest(r), await datasetDigest(m));
      assert.equal(await infoField(r, "replication", "master_replid"), masterReplId);
    } finally {
      r?.close();
      m.close();
      if (replica !== null) await killHard(replica);
      await master.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

/**
 * A resplica master with one replica (started by `startPeer` on the master's port) is shut
 * down with SAVE and started again on the same files and port: the replica continues with a
 * partial resync under the master's new id, and the data stays equal.
 */
async function masterRestartCase(
  startPeer: (masterPort: number) => Promise<{ port: number; stop(): Promise<void> }>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "resplica-restart-master-" });
  const masterArgs = ["--dir", dir, ...MASTER_ARGS];
  let master: ResplicaProcess | null = await spawnResplica(masterArgs);
  const port = master.port;
  let m: RawClient | null = await RawClient.connect(port);
  const peer = await startPeer(port);
  const r = await RawClient.connect(peer.port);
  try {
    await fillDataset(m);
    await waitInSync(m, r);
    await run(m, "SELECT", "3");
    await writeBatch(m, "db3", 20);
    await waitInSync(m, r);
    const oldId = await infoField(m, "replication", "master_replid");
    const oldOffset = await infoField(m, "replication", "master_repl_offset");
    await shutdownSave(master, m);
    m = null;
    master = null;
    const aux = savedAux(dir);
    assert.equal(aux["repl-id"], oldId);
    assert.equal(aux["repl-offset"], oldOffset);

    master = await spawnResplica(masterArgs, { port });
    m = await RawClient.connect(port);
    // The history is kept as replid2, under a new id, before any replica is back.
    assert.equal(await infoField(m, "replication", "master_replid2"), oldId);
    assert.equal(
      await infoField(m, "replication", "second_repl_offset"),
      String(Number(oldOffset) + 1),
    );
    assert.equal(await infoField(m, "replication", "master_repl_offset"), oldOffset);
    const newId = await infoField(m, "replication", "master_replid");
    assert.notEqual(newId, oldId);
    await waitInSync(m, r);
    assert.equal(await infoField(m, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(m, "stats", "sync_full"), "0");
    assert.equal(await infoField(r, "replication", "master_replid"), newId);
    await run(m, "SELECT", "3");
    await writeBatch(m, "after", 20);
    await waitInSync(m, r);
    assert.equal(await datasetDigest(r), await datasetDigest(m));
  } finally {
    r.close();
    m?.close();
    await peer.stop();
    if (master !== null) await killHard(master);
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("restart: a master restarted from its RDB serves its resplica replica a partial resync", async () => {
  await masterRestartCase(async (masterPort) => {
    const replica = await startReplica(masterPort);
    return { port: replica.port, stop: () => replica.close() };
  });
});

peerTest(
  "restart: a master restarted from its RDB serves its redis-server replica a partial resync",
  async () => {
    await masterRestartCase(async (masterPort): Promise<RedisPeer> => {
      return await startRedisReplica(masterPort);
    });
  },
);
