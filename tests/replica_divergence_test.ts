// A replica never differs from its master silently. A command from the master that fails here
// is counted in INFO replication (resplica_master_stream_errors) with the command and the
// error; a snapshot it cannot load backs off (1 s, doubling up to 5 minutes) instead of
// costing the master a full sync every few seconds, and INFO says why; and the operator's way
// back, REPLICAOF NO ONE then REPLICAOF again, costs exactly one full sync.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { concatBytes, encodeCommand, RawClient } from "./_support/raw_client.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { rdbWith, startFakeMaster } from "./_support/fake_master.ts";
import { infoField, run, waitFor, waitInSync } from "./_support/replication.ts";

const encoder = new TextEncoder();
const REPL_ID = "c".repeat(40);

/** `+FULLRESYNC` then `rdb` as a disk-style snapshot (`$<len>`). */
function fullResync(rdb: Uint8Array): Uint8Array {
  return concatBytes([
    encoder.encode(`+FULLRESYNC ${REPL_ID} 0\r\n$${rdb.length}\r\n`),
    rdb,
  ]);
}

/**
 * An RDB whose only key has a module type (RDB_TYPE_MODULE_2 = 7) no server without that
 * module can load: the snapshot is whole, its content is what cannot be read.
 */
function unloadableRdb(): Uint8Array {
  const header = encoder.encode("REDIS0010");
  const selectDb0 = [0xfe, 0x00];
  const moduleKey = [0x07, 0x01, "m".charCodeAt(0), 0x81, 0x02, 0x03, 0x04];
  const eofAndNoChecksum = [0xff, 0, 0, 0, 0, 0, 0, 0, 0];
  return concatBytes([header, new Uint8Array([...selectDb0, ...moduleKey, ...eofAndNoChecksum])]);
}

Deno.test("replica: a command from the master that fails here is a counted divergence", async () => {
  const stream = concatBytes([
    encodeCommand(["SET", "before", "1"]),
    encodeCommand(["NOSUCHCOMMAND", "arg"]),
    encodeCommand(["SET", "after", "2"]),
  ]);
  const fake = startFakeMaster(() => concatBytes([fullResync(rdbWith({})), stream]));
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "REPLICAOF", "127.0.0.1", String(fake.port));
    await waitFor("the stream after the failing command", async () => {
      return await client.commandText("GET", "after") === "$1\r\n2\r\n";
    });
    assert.equal(await client.commandText("GET", "before"), "$1\r\n1\r\n");
    assert.equal(await infoField(client, "replication", "resplica_master_stream_errors"), "1");
    assert.equal(
      await infoField(client, "replication", "resplica_master_stream_last_error"),
      "NOSUCHCOMMAND arg -> -ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'arg'",
    );
    // The link stays up: a divergence is reported, not a reason to drop the stream.
    assert.equal(await infoField(client, "replication", "master_link_status"), "up");
  } finally {
    client.close();
    await ours.close();
    await fake.close();
  }
});

Deno.test("replica: a snapshot it cannot load backs off and says why", async () => {
  const fake = startFakeMaster(() => fullResync(unloadableRdb()));
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "SET", "local", "1");
    await run(client, "REPLICAOF", "127.0.0.1", String(fake.port));
    await waitFor("two failed full syncs", async () => {
      return await infoField(client, "replication", "resplica_master_sync_failures") === "2";
    });
    assert.equal(fake.psyncLines.length, 2);
    assert.match(
      await infoField(client, "replication", "resplica_master_sync_last_error"),
      /^Failed trying to load the MASTER synchronization DB: .*type.*; keyspace flushed$/,
    );
    // The second failure doubled the wait: no third full sync for 2 s (timers never fire
    // early), where the plain reconnect back-off would have tried again within 400 ms.
    assert.equal(
      await infoField(client, "replication", "resplica_master_sync_retry_delay_ms"),
      "2000",
    );
    await delay(1_500);
    assert.equal(fake.psyncLines.length, 2);
    assert.equal(await client.commandText("DBSIZE"), ":0\r\n");
    assert.equal(await infoField(client, "replication", "master_link_status"), "down");
  } finally {
    client.close();
    await ours.close();
    await fake.close();
  }
});

peerTest("replica: REPLICAOF NO ONE then REPLICAOF again resyncs in full", async () => {
  const master = await startRedisServer(["--repl-diskless-sync-delay", "0"]);
  const masterClient = await RawClient.connect(master.port);
  const ours = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { replicaof: `127.0.0.1 ${master.port}` },
  });
  const client = await RawClient.connect(ours.port);
  try {
    await run(masterClient, "SET", "k", "1");
    await waitInSync(masterClient, client);
    assert.equal(await infoField(masterClient, "stats", "sync_full"), "1");
    // The operator's way back from a divergence: this node's own history is abandoned, so the
    // master cannot continue it and sends a whole new snapshot.
    await run(client, "REPLICAOF", "NO", "ONE");
    await run(client, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitFor("a second full sync", async () => {
      return await infoField(masterClient, "stats", "sync_full") === "2";
    });
    await waitInSync(masterClient, client);
    assert.equal(await client.commandText("GET", "k"), "$1\r\n1\r\n");
  } finally {
    client.close();
    masterClient.close();
    await ours.close();
    await master.stop();
  }
});
