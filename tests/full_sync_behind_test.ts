// A replica that cannot keep up with the stream during its full sync is reported, and dropped
// only past repl-spill-max-bytes (core/replication/master.ts, stream_spool.ts). A scripted
// replica speaks the protocol itself so it can stop reading at the worst moments: before it
// acknowledges the snapshot (everything written meanwhile waits in its spool), and after (the
// spool is pumped into a socket nobody reads). The spill file goes away with the replica.

import assert from "node:assert/strict";
import { RawClient } from "./_support/raw_client.ts";
import { infoField, run, startMaster, waitFor } from "./_support/replication.ts";
import { killHard, spawnResplica } from "./_support/resplica_process.ts";

const VALUE = "x".repeat(2048);

/** Connects as a replica asking for a diskless full sync; returns once the RDB has arrived. */
async function scriptedReplica(port: number): Promise<RawClient> {
  const replica = await RawClient.connect(port, 20_000);
  assert.equal(await replica.commandText("REPLCONF", "capa", "eof", "capa", "psync2"), "+OK\r\n");
  await replica.send("*3\r\n$5\r\nPSYNC\r\n$1\r\n?\r\n$2\r\n-1\r\n");
  await replica.readUntil("+FULLRESYNC");
  await replica.readUntil("\r\n");
  const header = new TextDecoder().decode(await replica.readUntil("\r\n"));
  assert.match(header, /^\$EOF:[0-9a-f]{40}\r\n$/);
  await replica.readUntil(header.slice(5, 45)); // the snapshot ends with the same mark
  return replica;
}

function spoolFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((entry) => entry.name).filter((name) =>
    name.startsWith("temp-repl-spool-")
  );
}

Deno.test("a replica owing more than repl-spill-max-bytes is dropped and its spill file removed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-spool-" });
  const master = await startMaster({ dir, "repl-spill-max-bytes": "2mb" });
  const client = await RawClient.connect(master.port);
  const replica = await scriptedReplica(master.port);
  try {
    // No ACK: what is written now waits in the spool, memory first, then the file.
    for (let i = 0; i < 1500; i++) await run(client, "SET", `k${i}`, VALUE);
    assert.ok(await replica.waitForClose(10_000), "the replica was dropped");
    assert.equal(await infoField(client, "replication", "repl_replicas_dropped_behind"), "1");
    assert.ok(Number(await infoField(client, "replication", "repl_spilled_bytes_total")) > 0);
    assert.deepEqual(spoolFiles(dir), []);
    assert.equal(await infoField(client, "replication", "connected_slaves"), "0");
  } finally {
    replica.close();
    client.close();
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a replica taking the stream slower than it is written is reported, not dropped", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-spool-" });
  const master = await startMaster({ dir });
  const client = await RawClient.connect(master.port);
  const replica = await scriptedReplica(master.port);
  try {
    // Owed before the ACK, so it is still catching up from its spool afterwards.
    for (let i = 0; i < 4000; i++) await run(client, "SET", `k${i % 1000}`, VALUE);
    // Acknowledged: the spool is pumped to it from now on; then it stops reading.
    await replica.send("*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n");
    // The first check comes CATCH_UP_CHECK_MS (10 s) after the pumping began.
    const deadlineMs = Date.now() + 20_000;
    let i = 0;
    await waitFor("the replica reported as falling behind", async () => {
      for (let n = 0; n < 200; n++) await run(client, "SET", `k${i++ % 1000}`, VALUE);
      return (await infoField(client, "replication", "repl_replicas_falling_behind")) === "1";
    }, deadlineMs - Date.now()).catch(async (error) => {
      throw new Error(`${error.message}: ${await client.commandText("INFO", "replication")}`);
    });
    assert.equal(await infoField(client, "replication", "repl_replicas_dropped_behind"), "0");
    const slave0 = await infoField(client, "replication", "slave0");
    assert.match(slave0, /state=send_bulk|state=wait_bgsave/);
    assert.ok(Number(/spool_bytes=(\d+)/.exec(slave0)![1]) > 0, slave0);
    assert.equal(spoolFiles(dir).length, 1);
  } finally {
    replica.close();
    await waitFor("the spill file removed with the replica", async () => {
      await client.commandText("PING");
      return spoolFiles(dir).length === 0;
    });
    client.close();
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an online replica whose socket falls behind takes the stream from a spool, not a resync", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-spool-" });
  const master = await startMaster({ dir, "client-output-buffer-limit": "replica 4mb 2mb 5" });
  const client = await RawClient.connect(master.port);
  const replica = await spawnResplica(["--replicaof", "127.0.0.1", String(master.port)]);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    await waitFor(
      "the replica online",
      async () => (await client.commandText("INFO", "replication")).includes("state=online"),
    );
    replica.child.kill("SIGSTOP");
    // Far more than its output buffer limit (4 MB hard) while it reads nothing.
    for (let i = 0; i < 12_000; i++) await run(client, "SET", `k${i}`, VALUE);
    const behind = await infoField(client, "replication", "slave0");
    assert.match(behind, /state=online/);
    assert.ok(Number(/spool_bytes=(\d+)/.exec(behind)![1]) > 4 * 1024 * 1024, behind);
    replica.child.kill("SIGCONT");
    const offset = await infoField(client, "replication", "master_repl_offset");
    await waitFor(
      "the replica to apply the whole stream",
      async () => (await infoField(replicaClient, "replication", "slave_repl_offset")) === offset,
    );
    await waitFor(
      "the spool gone",
      async () =>
        /spool_bytes=0\b/.test(await infoField(client, "replication", "slave0")) &&
        spoolFiles(dir).length === 0,
    );
    assert.equal(await infoField(client, "stats", "sync_full"), "1");
    assert.equal(await replicaClient.commandText("DBSIZE"), ":12000\r\n");
    assert.equal(
      await replicaClient.commandText("GET", "k11999"),
      `$${VALUE.length}\r\n${VALUE}\r\n`,
    );
  } finally {
    try {
      replica.child.kill("SIGCONT");
    } catch {
      // Already gone.
    }
    replicaClient.close();
    client.close();
    await killHard(replica);
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
});
