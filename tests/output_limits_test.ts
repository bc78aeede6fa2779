// client-output-buffer-limit: the directive parses as Redis's does (and refuses what Redis
// refuses), and a Pub/Sub subscriber or a replica that stops reading is closed once the bytes
// pushed to it pass its class's limit, while everyone else keeps being served.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { parseOutputLimits } from "../core/config/output_limits.ts";
import { encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { infoField, waitFor, waitReplicaCount } from "./_support/replication.ts";

/** Large enough that the loopback socket buffers fill and bytes pile up in our writer. */
const PUSHED_BYTES = 32 * 1024 * 1024;
const MESSAGE_BYTES = 64 * 1024;

Deno.test("client-output-buffer-limit: parsing, defaults, refusals", () => {
  const limits = parseOutputLimits("normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60")!;
  assert.deepEqual(limits.replica, {
    hardBytes: 256 * 1024 * 1024,
    softBytes: 64 * 1024 * 1024,
    softSeconds: 60,
  });
  const changed = parseOutputLimits("slave 1kb 0 0", limits)!;
  assert.equal(changed.replica.hardBytes, 1024);
  assert.equal(changed.pubsub.hardBytes, 32 * 1024 * 1024, "other classes keep their limits");
  for (const bad of ["replica 1mb", "bogus 1 2 3", "pubsub x 0 0", "normal 1 2 -3"]) {
    assert.equal(parseOutputLimits(bad), null, bad);
  }
});

Deno.test("client-output-buffer-limit: CONFIG SET and GET", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(
      await client.commandText("CONFIG", "SET", "client-output-buffer-limit", "bogus 1 2 3"),
      "-ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit\r\n",
    );
    assert.equal(
      await client.commandText("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0"),
      "+OK\r\n",
    );
    // As Redis shows it: every class, in bytes, the untouched ones as they were.
    const limits = "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 0 0";
    assert.equal(
      await client.commandText("CONFIG", "GET", "client-output-buffer-limit"),
      `*2\r\n$26\r\nclient-output-buffer-limit\r\n$${limits.length}\r\n${limits}\r\n`,
    );
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("client-output-buffer-limit: a subscriber that stops reading is closed", async () => {
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "client-output-buffer-limit": "pubsub 256kb 0 0" },
  });
  const publisher = await RawClient.connect(server.port);
  const subscriber = await RawClient.connect(server.port);
  try {
    assert.match(await subscriber.commandText("SUBSCRIBE", "news"), /subscribe/);
    // The subscriber never reads again.
    const message = "x".repeat(MESSAGE_BYTES);
    for (let sent = 0; sent < PUSHED_BYTES; sent += MESSAGE_BYTES) {
      const reply = await publisher.commandText("PUBLISH", "news", message);
      if (reply === ":0\r\n") break; // dropped already
    }
    await waitFor("the subscriber dropped", async () => {
      return (await publisher.commandText("PUBSUB", "NUMSUB", "news")).endsWith(":0\r\n");
    });
    assert.equal(await publisher.commandText("PING"), "+PONG\r\n");
  } finally {
    subscriber.close();
    publisher.close();
    await server.close();
  }
});

// A replica is not closed at its output buffer limit (Redis's answer, which makes it full-sync
// again, maybe forever): past half its limit it takes the stream from a spool, memory bounded,
// the rest on disk (core/replication/master.ts #spoolOnline). One that never reads is closed once
// it owes more than repl-spill-max-bytes (or, sending no ACK, after repl-timeout).
Deno.test("client-output-buffer-limit: a replica that stops reading is spooled, then closed past repl-spill-max-bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-limits-" });
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: {
      dir,
      "client-output-buffer-limit": "replica 256kb 0 0",
      "repl-diskless-sync": "no",
      "repl-backlog-size": "64mb",
      "repl-spill-max-bytes": "8mb",
    },
  });
  const client = await RawClient.connect(server.port);
  const replica = await RawClient.connect(server.port);
  try {
    await replica.send(encodeCommand(["SYNC"]));
    await waitFor("the replica online", async () => {
      return latin1Text(await client.command("INFO", "replication")).includes("state=online");
    });
    // It never reads its stream.
    const value = "v".repeat(MESSAGE_BYTES);
    for (let sent = 0, i = 0; sent < PUSHED_BYTES; sent += MESSAGE_BYTES, i++) {
      assert.equal(await client.commandText("SET", `k${i % 10}`, value), "+OK\r\n");
      if (i % 64 === 0 && (await infoField(client, "replication", "connected_slaves")) === "0") {
        break;
      }
    }
    await waitReplicaCount(client, 0, "the replica dropped");
    assert.equal(await infoField(client, "replication", "repl_replicas_dropped_behind"), "1");
    assert.equal(await client.commandText("GET", "k0"), `$${MESSAGE_BYTES}\r\n${value}\r\n`);
  } finally {
    replica.close();
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});
