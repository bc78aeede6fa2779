// The replica side of replication: resplica following a real redis-server master (diskless and
// disk-style snapshots, the live stream with SELECT and MULTI/EXEC, slave_repl_offset equal to
// the master's master_repl_offset byte for byte, -READONLY for client writes), partial resync
// after the master kills the link, resplica following resplica, REPLICAOF NO ONE, and bad
// peers: a truncated snapshot or one whose length lies must leave no half dataset behind, and
// garbage in the live stream drops the link and resumes with PSYNC from the last whole command.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import {
  debugDigest,
  infoField,
  run,
  startMaster,
  waitFor,
  waitInSync,
} from "./_support/replication.ts";
import { rdbWith, startFakeMaster } from "./_support/fake_master.ts";

/** Live writes of every kind a replica must replay, ending in db 0. */
async function liveWrites(client: RawClient, tag: string): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "SET", `${tag}:s`, "1");
  await run(client, "INCR", `${tag}:s`);
  await run(client, "LPUSH", `${tag}:l`, "a", "b");
  await run(client, "HSET", `${tag}:h`, "f", "v");
  await run(client, "EXPIRE", `${tag}:h`, "1000");
  await run(client, "DEL", "str:short");
  await run(client, "SELECT", "5");
  await run(client, "SET", `${tag}:db5`, "five");
  await run(client, "MULTI");
  await run(client, "INCR", `${tag}:counter`);
  await run(client, "ZADD", `${tag}:z`, "1", "m");
  await run(client, "EXEC");
  await run(client, "SELECT", "0");
  await run(client, "SET", `${tag}:last`, "x");
}

const READONLY_REPLY = "-READONLY You can't write against a read only replica.\r\n";

peerTest(
  "replica: follows a redis-server master (diskless full sync, live stream, -READONLY)",
  async () => {
    const master = await startRedisServer([
      "--repl-diskless-sync-delay",
      "0",
      "--enable-debug-command",
      "yes",
    ]);
    const masterClient = await RawClient.connect(master.port);
    await fillDataset(masterClient);
    const ours = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { replicaof: `127.0.0.1 ${master.port}`, "enable-debug-command": "yes" },
    });
    const client = await RawClient.connect(ours.port);
    try {
      await waitInSync(masterClient, client);
      assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
      // Redis's own DEBUG DIGEST agrees on both sides.
      assert.equal(await debugDigest(client), await debugDigest(masterClient));
      assert.equal(
        await infoField(client, "replication", "master_replid"),
        await infoField(masterClient, "replication", "master_replid"),
      );
      await liveWrites(masterClient, "live");
      await waitInSync(masterClient, client);
      assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
      assert.equal(await debugDigest(client), await debugDigest(masterClient));

      // Client writes are refused; reads are served.
      assert.equal(await client.commandText("SET", "k", "v"), READONLY_REPLY);
      assert.equal(await client.commandText("GET", "live:last"), "$1\r\nx\r\n");
      // Inside MULTI the refusal flags the transaction.
      assert.equal(await client.commandText("MULTI"), "+OK\r\n");
      assert.equal(await client.commandText("INCR", "k"), READONLY_REPLY);
      assert.match(await client.commandText("EXEC"), /^-EXECABORT/);

      // ROLE and INFO in the replica form.
      const offset = await infoField(masterClient, "replication", "master_repl_offset");
      assert.equal(
        await client.commandText("ROLE"),
        `*5\r\n$5\r\nslave\r\n$9\r\n127.0.0.1\r\n:${master.port}\r\n$9\r\nconnected\r\n` +
          `:${offset}\r\n`,
      );
      const info = latin1Text(await client.command("INFO", "replication"));
      for (
        const line of [
          "role:slave",
          "master_host:127.0.0.1",
          `master_port:${master.port}`,
          "master_link_status:up",
          "master_sync_in_progress:0",
          `slave_repl_offset:${offset}`,
          "slave_priority:100",
          "slave_read_only:1",
          "replica_announced:1",
          "connected_slaves:0",
          `master_repl_offset:${offset}`,
        ]
      ) assert.ok(info.includes(line + "\r\n"), `INFO replication lacks ${line}:\n${info}`);
      // The master sees us online under our listening port, acking the whole stream.
      await waitFor("our ACK on the master", async () => {
        const text = latin1Text(await masterClient.command("INFO", "replication"));
        return text.includes(`port=${ours.port},state=online,offset=${offset},`);
      });
    } finally {
      client.close();
      masterClient.close();
      await ours.close();
      await master.stop();
    }
  },
);

peerTest(
  "replica: partial resync after the master kills the link (disk-style snapshot)",
  async () => {
    const master = await startRedisServer(["--repl-diskless-sync", "no"]);
    const masterClient = await RawClient.connect(master.port);
    await fillDataset(masterClient);
    const ours = await startServer({ port: 0, logLevel: "nothing" });
    const client = await RawClient.connect(ours.port);
    try {
      assert.equal(
        await client.commandText("REPLICAOF", "127.0.0.1", "notaport"),
        "-ERR Invalid master port\r\n",
      );
      assert.equal(
        await client.commandText("REPLICAOF", "127.0.0.1", String(master.port)),
        "+OK\r\n",
      );
      assert.equal(
        await client.commandText("SLAVEOF", "127.0.0.1", String(master.port)),
        "+OK Already connected to specified master\r\n",
      );
      await waitInSync(masterClient, client);
      assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
      assert.equal(await infoField(masterClient, "stats", "sync_full"), "1");
      assert.equal(await infoField(masterClient, "stats", "sync_partial_ok"), "0");

      // Cut the link, write while we are away, and come back with PSYNC from the backlog.
      assert.equal(await masterClient.commandText("CLIENT", "KILL", "TYPE", "replica"), ":1\r\n");
      await liveWrites(masterClient, "away");
      await waitInSync(masterClient, client);
      assert.equal(await infoField(masterClient, "stats", "sync_partial_ok"), "1");
      assert.equal(await infoField(masterClient, "stats", "sync_full"), "1");
      assert.equal(await datasetDigest(client), await datasetDigest(masterClient));

      // The stream keeps flowing after the partial resync.
      await liveWrites(masterClient, "after");
      await waitInSync(masterClient, client);
      assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
    } finally {
      client.close();
      masterClient.close();
      await ours.close();
      await master.stop();
    }
  },
);

Deno.test("replica: resplica follows a resplica master, then REPLICAOF NO ONE", async () => {
  const master = await startMaster();
  const masterClient = await RawClient.connect(master.port);
  await fillDataset(masterClient);
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "SET", "stale", "gone after the full sync");
    await run(client, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(masterClient, client);
    assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
    await liveWrites(masterClient, "live");
    await waitInSync(masterClient, client);
    assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
    assert.equal(await client.commandText("SET", "k", "v"), READONLY_REPLY);

    // Promotion: the data stays, writes are accepted, the old history becomes replid2.
    const oldReplId = await infoField(client, "replication", "master_replid");
    const offset = Number(await infoField(client, "replication", "master_repl_offset"));
    const digest = await datasetDigest(client);
    assert.equal(await client.commandText("REPLICAOF", "NO", "ONE"), "+OK\r\n");
    assert.equal(await infoField(client, "replication", "role"), "master");
    assert.equal(await infoField(client, "replication", "master_replid2"), oldReplId);
    assert.equal(
      await infoField(client, "replication", "second_repl_offset"),
      String(offset + 1),
    );
    assert.notEqual(await infoField(client, "replication", "master_replid"), oldReplId);
    assert.equal(await datasetDigest(client), digest);
    assert.equal(await client.commandText("SET", "k", "v"), "+OK\r\n");
    assert.equal(await client.commandText("GET", "k"), "$1\r\nv\r\n");
    // The former master's writes no longer reach us.
    await run(masterClient, "SET", "k", "from-old-master");
    await delay(200);
    assert.equal(await client.commandText("GET", "k"), "$1\r\nv\r\n");
    assert.equal((await client.commandText("ROLE")).startsWith("*3\r\n$6\r\nmaster\r\n"), true);
  } finally {
    client.close();
    masterClient.close();
    await ours.close();
    await master.close();
  }
});

Deno.test("replica: a truncated snapshot leaves an empty keyspace and the link retrying", async () => {
  // A fake master: answers the handshake, announces a 1000-byte snapshot, sends 20 bytes of
  // it and hangs up, every time.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const fakePort = (listener.addr as Deno.NetAddr).port;
  let sessionCount = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      sessionCount++;
      const buf = new Uint8Array(4096);
      const encoder = new TextEncoder();
      let text = "";
      let step = 0;
      while (step < 3) {
        const n = await conn.read(buf);
        if (n === null) break;
        text += latin1Text(buf.subarray(0, n));
        if (step === 0 && text.includes("PING")) {
          await conn.write(encoder.encode("+PONG\r\n"));
          step = 1;
        }
        if (step === 1 && text.includes("psync2\r\n")) {
          await conn.write(encoder.encode("+OK\r\n+OK\r\n"));
          step = 2;
        }
        const psyncAt = text.indexOf("PSYNC");
        if (step === 2 && psyncAt >= 0 && text.slice(psyncAt).split("\r\n").length >= 6) {
          await conn.write(
            encoder.encode(`\n\n+FULLRESYNC ${"a".repeat(40)} 0\r\n\n$1000\r\nREDIS0010`),
          );
          step = 3;
        }
      }
      conn.close();
    }
  })();
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "SET", "before", "1");
    await run(client, "REPLICAOF", "127.0.0.1", String(fakePort));
    await waitFor("two sync attempts", () => Promise.resolve(sessionCount >= 2));
    assert.equal(await client.commandText("DBSIZE"), ":0\r\n");
    assert.equal(await infoField(client, "replication", "master_link_status"), "down");
    assert.equal(await infoField(client, "replication", "master_sync_in_progress"), "0");
    assert.match(await client.commandText("ROLE"), /^\*5\r\n\$5\r\nslave\r\n/);
  } finally {
    client.close();
    await ours.close();
    listener.close();
    await serving.catch(() => {});
  }
});

Deno.test("replica: garbage in the live stream drops the link; the data so far stays, PSYNC resumes", async () => {
  const replId = "b".repeat(40);
  const stream = encodeCommand(["SET", "live", "2"]);
  const fake = startFakeMaster(() => {
    const rdb = rdbWith({ snap: "1" });
    return concatBytes([
      new TextEncoder().encode(`+FULLRESYNC ${replId} 100\r\n$${rdb.length}\r\n`),
      rdb,
      stream,
      new TextEncoder().encode("*2\r\n$3\r\nSET\r\n$-7\r\nnot a bulk\r\n"),
    ]);
  });
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await run(client, "REPLICAOF", "127.0.0.1", String(fake.port));
    await waitFor("a second PSYNC", () => Promise.resolve(fake.psyncLines.length >= 2));
    // (The first PSYNC offers our own history, as a former master does in Redis 7.)
    // It resumes right after the last whole command it applied (offset 100 + the SET).
    assert.equal(fake.psyncLines[1], `${replId} ${100 + stream.length + 1}`);
    assert.equal(await client.commandText("GET", "snap"), "$1\r\n1\r\n");
    assert.equal(await client.commandText("GET", "live"), "$1\r\n2\r\n");
    assert.equal(await client.commandText("PING"), "+PONG\r\n");
  } finally {
    client.close();
    await ours.close();
    await fake.close();
  }
});

Deno.test("replica: a snapshot longer or shorter than its $len is refused; nothing half-loaded", async () => {
  for (const lengthDelta of [+10, -10]) {
    const fake = startFakeMaster(() => {
      const rdb = rdbWith({ a: "1", b: "2", c: "3" });
      return concatBytes([
        new TextEncoder().encode(
          `+FULLRESYNC ${"c".repeat(40)} 0\r\n$${rdb.length + lengthDelta}\r\n`,
        ),
        rdb,
        new TextEncoder().encode("0123456789"), // 10 bytes that are not RDB
      ]);
    });
    const ours = await startServer({ port: 0, logLevel: "nothing" });
    const client = await RawClient.connect(ours.port);
    try {
      await run(client, "SET", "before", "1");
      await run(client, "REPLICAOF", "127.0.0.1", String(fake.port));
      await waitFor("a second sync attempt", () => Promise.resolve(fake.psyncLines.length >= 2));
      assert.equal(await client.commandText("DBSIZE"), ":0\r\n", `delta ${lengthDelta}`);
      assert.equal(await infoField(client, "replication", "master_link_status"), "down");
    } finally {
      client.close();
      await ours.close();
      await fake.close();
    }
  }
});
