// CLIENT KILL by TYPE, the form Sentinel sends to a promoted replica (`CLIENT KILL TYPE normal`,
// `CLIENT KILL TYPE pubsub`, inside MULTI/EXEC) so clients reconnect and learn the new roles:
// which connections each type matches, that the caller is spared unless SKIPME no, and that
// TYPE replica / master cut the two ends of a replication link (which then comes back).

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";
import {
  infoField,
  startMaster,
  startReplica,
  waitFor,
  waitReplicaCount,
} from "./_support/replication.ts";

Deno.test("CLIENT KILL TYPE normal and pubsub pick their own kind; SKIPME spares the caller", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const admin = await RawClient.connect(server.port);
  const normal = await RawClient.connect(server.port);
  const subscriber = await RawClient.connect(server.port);
  try {
    assert.equal(await normal.commandText("PING"), "+PONG\r\n");
    await subscriber.command("SUBSCRIBE", "news");

    // pubsub: the subscriber only.
    assert.equal(await admin.commandText("CLIENT", "KILL", "TYPE", "pubsub"), ":1\r\n");
    assert.ok(await subscriber.waitForClose(2_000));
    assert.equal(await normal.commandText("PING"), "+PONG\r\n");

    // normal: everyone but the caller (SKIPME yes is the default).
    assert.equal(await admin.commandText("CLIENT", "KILL", "TYPE", "normal"), ":1\r\n");
    assert.ok(await normal.waitForClose(2_000));
    assert.equal(await admin.commandText("PING"), "+PONG\r\n");

    // SKIPME no: the caller too; it gets its reply, then the connection closes.
    assert.equal(
      await admin.commandText("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"),
      ":1\r\n",
    );
    assert.ok(await admin.waitForClose(2_000));

    const checker = await RawClient.connect(server.port);
    assert.equal(
      await checker.commandText("CLIENT", "KILL", "TYPE", "bogus"),
      "-ERR Unknown client type 'bogus'\r\n",
    );
    assert.equal(
      await checker.commandText("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"),
      "-ERR syntax error\r\n",
    );
    assert.equal(await checker.commandText("CLIENT", "KILL", "TYPE", "pubsub"), ":0\r\n");
    checker.close();
  } finally {
    admin.close();
    normal.close();
    subscriber.close();
    await server.close();
  }
});

Deno.test("CLIENT KILL TYPE normal and pubsub inside MULTI/EXEC, as Sentinel sends them", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const sentinel = await RawClient.connect(server.port);
  const app = await RawClient.connect(server.port);
  const subscriber = await RawClient.connect(server.port);
  try {
    await subscriber.command("SUBSCRIBE", "__sentinel__:hello");
    assert.equal(await app.commandText("PING"), "+PONG\r\n");
    await sentinel.send("MULTI\r\nCLIENT KILL TYPE normal\r\nCLIENT KILL TYPE pubsub\r\nEXEC\r\n");
    const replies = await sentinel.readReplies(4);
    assert.deepEqual(
      replies.map((reply) => new TextDecoder().decode(reply)),
      ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n:1\r\n:1\r\n"],
    );
    assert.ok(await app.waitForClose(2_000));
    assert.ok(await subscriber.waitForClose(2_000));
    assert.equal(await sentinel.commandText("PING"), "+PONG\r\n");
  } finally {
    sentinel.close();
    app.close();
    subscriber.close();
    await server.close();
  }
});

Deno.test("CLIENT KILL TYPE replica on the master and TYPE master on the replica cut the link", async () => {
  const master = await startMaster();
  const replica = await startReplica(master.port);
  const masterClient = await RawClient.connect(master.port);
  const replicaClient = await RawClient.connect(replica.port);
  const linkUp = async () =>
    await infoField(replicaClient, "replication", "master_link_status") === "up";
  try {
    await waitFor("the link to come up", linkUp);
    assert.equal(await masterClient.commandText("CLIENT", "KILL", "TYPE", "normal"), ":0\r\n");
    assert.equal(await masterClient.commandText("CLIENT", "KILL", "TYPE", "replica"), ":1\r\n");
    await waitReplicaCount(masterClient, 0, "the master to forget its replica");
    await waitFor("the link to come back", linkUp);
    assert.equal(await replicaClient.commandText("CLIENT", "KILL", "TYPE", "master"), ":1\r\n");
    await waitFor("the link to come back again", linkUp);
    assert.equal(await masterClient.commandText("SET", "k", "v"), "+OK\r\n");
    await waitFor(
      "the write to arrive",
      async () => await replicaClient.commandText("GET", "k") === "$1\r\nv\r\n",
    );
  } finally {
    masterClient.close();
    replicaClient.close();
    await replica.close();
    await master.close();
  }
});
