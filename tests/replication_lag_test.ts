// Replica lag as the master's INFO replication reports it (issue 16, "lag people can read"):
// besides Redis's `lag` (seconds since the last ACK), each slaveN line carries `lag_bytes`
// (stream bytes not acknowledged) and `lag_ms` (since the master wrote the oldest of them). A
// resplica replica is stopped with SIGSTOP while the master writes: both grow; after SIGCONT it
// catches up and both return to 0.

import assert from "node:assert/strict";
import { RawClient } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { killHard, spawnResplica } from "./_support/resplica_process.ts";
import { infoField, run, startMaster, waitFor } from "./_support/replication.ts";

const STOPPED_MS = 600;

function slaveField(line: string, name: string): number {
  const match = new RegExp(`[:,]${name}=(\\d+)`).exec(line);
  assert.ok(match !== null, `${name} in ${line}`);
  return Number(match[1]);
}

peerTest("INFO replication gives each replica's lag in bytes and in milliseconds", async () => {
  const master = await startMaster();
  const client = await RawClient.connect(master.port);
  const replica = await spawnResplica(["--replicaof", "127.0.0.1", String(master.port)]);
  try {
    await waitFor(
      "the replica online",
      async () => (await client.commandText("INFO", "replication")).includes("state=online"),
    );
    await run(client, "SET", "k", "v");
    await waitFor(
      "lag_bytes 0",
      async () => slaveField(await infoField(client, "replication", "slave0"), "lag_bytes") === 0,
    );

    replica.child.kill("SIGSTOP");
    const stoppedAtMs = Date.now();
    for (let i = 0; i < 50; i++) await run(client, "SET", `k${i}`, "x".repeat(100));
    await new Promise((resolve) => setTimeout(resolve, STOPPED_MS));
    const line = await infoField(client, "replication", "slave0");
    const lagBytes = slaveField(line, "lag_bytes");
    const lagMs = slaveField(line, "lag_ms");
    assert.ok(lagBytes > 50 * 100, line);
    assert.ok(lagMs >= STOPPED_MS - 50 && lagMs <= Date.now() - stoppedAtMs + 50, line);

    replica.child.kill("SIGCONT");
    await waitFor("the replica to acknowledge everything", async () => {
      const now = await infoField(client, "replication", "slave0");
      return slaveField(now, "lag_bytes") === 0 && slaveField(now, "lag_ms") === 0;
    });
    // The replica's side: everything it received is applied.
    const replicaClient = await RawClient.connect(replica.port);
    try {
      assert.equal(await infoField(replicaClient, "replication", "replica_lag_bytes"), "0");
      assert.equal(await infoField(replicaClient, "replication", "replica_lag_ms"), "0");
      assert.equal(
        await infoField(replicaClient, "replication", "slave_read_repl_offset"),
        await infoField(client, "replication", "master_repl_offset"),
      );
    } finally {
      replicaClient.close();
    }
  } finally {
    try {
      replica.child.kill("SIGCONT");
    } catch {
      // Already gone.
    }
    client.close();
    await killHard(replica);
    await master.close();
  }
});
