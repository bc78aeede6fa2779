// The replica fields Sentinel reads: replica-priority (INFO slave_priority, which Sentinel sorts
// candidates by; 0 = never promote), replica-announced (INFO replica_announced) and
// replica-announce-ip / -port, which the replica sends as REPLCONF ip-address / listening-port
// so its master's INFO slaveN line and ROLE name the address Sentinel must use; and HELLO's
// role, which clients that follow Sentinel check before trusting a connection.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { blobText, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { infoField, startMaster, startReplica, waitFor } from "./_support/replication.ts";

Deno.test("replica-priority and replica-announced show in the replica's INFO, live", async () => {
  const master = await startMaster();
  const replica = await startReplica(master.port, { "replica-priority": "7" });
  const client = await RawClient.connect(replica.port);
  try {
    assert.equal(await infoField(client, "replication", "slave_priority"), "7");
    assert.equal(await infoField(client, "replication", "replica_announced"), "1");
    assert.equal(await client.commandText("CONFIG", "SET", "slave-priority", "0"), "+OK\r\n");
    assert.equal(await client.commandText("CONFIG", "SET", "replica-announced", "no"), "+OK\r\n");
    assert.equal(await infoField(client, "replication", "slave_priority"), "0");
    assert.equal(await infoField(client, "replication", "replica_announced"), "0");
    assert.equal(
      await client.commandText("CONFIG", "GET", "replica-priority"),
      "*2\r\n$16\r\nreplica-priority\r\n$1\r\n0\r\n",
    );
    assert.match(
      await client.commandText("CONFIG", "SET", "replica-priority", "-1"),
      /^-ERR CONFIG SET failed \(possibly related to argument 'replica-priority'\)/,
    );
  } finally {
    client.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("replica-announce-ip and -port reach the master's INFO slaveN line and ROLE", async () => {
  const master = await startMaster();
  const replica = await startReplica(master.port, {
    "replica-announce-ip": "10.9.8.7",
    "slave-announce-port": "4242",
  });
  const client = await RawClient.connect(master.port);
  try {
    await waitFor("the replica to be online", async () => {
      const line = await infoField(client, "replication", "connected_slaves");
      return line === "1" &&
        (await client.commandText("INFO", "replication")).includes("state=online");
    });
    const slave0 = await infoField(client, "replication", "slave0");
    assert.match(
      slave0,
      /^ip=10\.9\.8\.7,port=4242,state=online,offset=\d+,lag=\d+,lag_bytes=\d+,lag_ms=\d+,spool_bytes=\d+$/,
    );
    const role = splitAggregate(await client.command("ROLE")) ?? [];
    const [entry] = splitAggregate(role[2]) ?? [];
    const [ip, port] = (splitAggregate(entry) ?? []).map((part) => blobText(part));
    assert.deepEqual([ip, port], ["10.9.8.7", "4242"]);
  } finally {
    client.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("without announce settings the master reports the replica's own address and port", async () => {
  const master = await startMaster();
  const replica = await startReplica(master.port);
  const client = await RawClient.connect(master.port);
  try {
    await waitFor(
      "the replica to be listed",
      async () => (await client.commandText("INFO", "replication")).includes("slave0:"),
    );
    const slave0 = await infoField(client, "replication", "slave0");
    assert.match(slave0, new RegExp(`^ip=127\\.0\\.0\\.1,port=${replica.port},`));
  } finally {
    client.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("HELLO reports role replica on a replica and master once promoted", async () => {
  const master = await startServer({ port: 0, logLevel: "nothing" });
  const replica = await startReplica(master.port);
  const client = await RawClient.connect(replica.port);
  const helloRole = async () => {
    const fields = (splitAggregate(await client.command("HELLO", "2")) ?? []).map((field) =>
      blobText(field)
    );
    return fields[fields.indexOf("role") + 1];
  };
  try {
    assert.equal(await helloRole(), "replica");
    assert.equal(await client.commandText("REPLICAOF", "NO", "ONE"), "+OK\r\n");
    assert.equal(await helloRole(), "master");
  } finally {
    client.close();
    await replica.close();
    await master.close();
  }
});
