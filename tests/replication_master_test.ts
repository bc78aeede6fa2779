// The master side of replication against real redis-server replicas: full sync of every type,
// the live stream (including MULTI/EXEC and SELECT), master_repl_offset counted byte for byte as
// redis-server counts it, partial resync from the backlog, ROLE and INFO replication, and the
// diskless full sync (replicas sharing one background snapshot while writes run). The backlog
// ring is also tested on its own (wrap-around, bounds).

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { ReplBacklog } from "../core/replication/backlog.ts";
import { Engine } from "../core/engine/mod.ts";
import { RdbReader } from "../core/rdb/mod.ts";
import {
  concatBytes,
  encodeCommand,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import {
  debugDigest,
  infoField,
  run,
  startMaster,
  startRedisReplica,
  waitFor,
  waitInSync,
  waitReplicaCount,
} from "./_support/replication.ts";

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Live writes of every kind a replica must replay, ending in db 0. */
async function liveWrites(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "SET", "live:s", "1");
  await run(client, "INCR", "live:s");
  await run(client, "LPUSH", "live:l", "a", "b");
  await run(client, "HSET", "live:h", "f", "v");
  await run(client, "EXPIRE", "live:h", "1000");
  await run(client, "SET", "live:ttl", "v", "EX", "500");
  await run(client, "DEL", "str:short");
  await run(client, "DEL", "no-such-key");
  await run(client, "SADD", "live:one", "only");
  await run(client, "SPOP", "live:one");
  await run(client, "SELECT", "5");
  await run(client, "SET", "db5:key", "five");
  await run(client, "MULTI");
  await run(client, "INCR", "db5:counter");
  await run(client, "ZADD", "db5:z", "1", "m");
  await run(client, "GET", "db5:key");
  await run(client, "EXEC");
  await run(client, "SELECT", "0");
  await run(client, "SET", "live:last", "x");
}

Deno.test("ReplBacklog keeps the newest sizeBytes bytes across wrap-around", () => {
  const backlog = new ReplBacklog(Engine.create(), 8, 1);
  assert.equal(backlog.histLenBytes, 0);
  assert.ok(backlog.covers(1));
  assert.deepEqual(backlog.readFrom(1), new Uint8Array(0));
  backlog.append(bytes("abcde"));
  assert.equal(latin1Text(backlog.readFrom(1)), "abcde");
  assert.equal(latin1Text(backlog.readFrom(4)), "de");
  backlog.append(bytes("fghij"));
  assert.equal(backlog.startOffset, 3);
  assert.equal(backlog.histLenBytes, 8);
  assert.equal(latin1Text(backlog.readFrom(3)), "cdefghij");
  assert.equal(latin1Text(backlog.readFrom(9)), "ij");
  assert.equal(latin1Text(backlog.readFrom(11)), "");
  assert.equal(backlog.covers(2), false);
  assert.equal(backlog.covers(12), false);
  assert.throws(() => backlog.readFrom(2), RangeError);
  assert.throws(() => backlog.readFrom(12), RangeError);
  // A write larger than the ring keeps only its tail.
  backlog.append(bytes("0123456789AB"));
  assert.equal(backlog.startOffset, 15);
  assert.equal(backlog.endOffset, 22);
  assert.equal(latin1Text(backlog.readFrom(15)), "456789AB");
});

Deno.test("ReplBacklog in engine memory matches a model over 2,000 random appends and reads", () => {
  let seed = 20261125;
  const random = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (const sizeBytes of [1, 7, 64, 4096]) {
    const engine = Engine.create();
    const backlog = new ReplBacklog(engine, sizeBytes, 1);
    const stream: number[] = [];
    for (let step = 0; step < 500; step++) {
      const chunk = new Uint8Array(random(3) === 0 ? random(3 * sizeBytes + 2) : random(9));
      for (let i = 0; i < chunk.length; i++) chunk[i] = random(256);
      backlog.append(chunk);
      stream.push(...chunk);
      const held = Math.min(sizeBytes, stream.length);
      assert.equal(backlog.histLenBytes, held);
      assert.equal(backlog.endOffset, stream.length);
      const from = stream.length + 1 - random(held + 1);
      assert.deepEqual([...backlog.readFrom(from)], stream.slice(from - 1));
    }
    backlog.free();
  }
});

Deno.test("ReplBacklog rejects a non-positive size or offset", () => {
  assert.throws(() => new ReplBacklog(Engine.create(), 0, 1), RangeError);
  assert.throws(() => new ReplBacklog(Engine.create(), 16, 0), RangeError);
});

Deno.test("REPLCONF: OK for known options, no reply to ACK/GETACK, error for unknown", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(await client.commandText("REPLCONF", "listening-port", "6380"), "+OK\r\n");
    assert.equal(
      await client.commandText("REPLCONF", "capa", "eof", "capa", "psync2"),
      "+OK\r\n",
    );
    assert.equal(
      await client.commandText("REPLCONF", "foo", "bar"),
      "-ERR Unrecognized REPLCONF option: foo\r\n",
    );
    assert.match(await client.commandText("REPLCONF", "ack"), /^-ERR wrong number of arguments/);
    // ACK and GETACK are silent: the PING after them gets the first reply.
    await client.send(
      concatBytes([
        encodeCommand(["REPLCONF", "ACK", "5"]),
        encodeCommand(["REPLCONF", "GETACK", "*"]),
        encodeCommand(["PING"]),
      ]),
    );
    assert.equal(latin1Text((await client.readReplies(1))[0]), "+PONG\r\n");
    assert.match(
      await client.commandText("PSYNC", "?", "notanumber"),
      /^-ERR value is not an integer/,
    );
    // Before any replica: no backlog, offset 0, and ROLE lists no replicas.
    assert.equal(await infoField(client, "replication", "repl_backlog_active"), "0");
    assert.equal(await infoField(client, "replication", "master_repl_offset"), "0");
    assert.equal(await client.commandText("ROLE"), "*3\r\n$6\r\nmaster\r\n:0\r\n*0\r\n");
  } finally {
    client.close();
    await server.close();
  }
});

peerTest(
  "replication: redis-server full-syncs every type, follows live writes, resyncs partially",
  async () => {
    const ours = await startMaster({
      "repl-ping-replica-period": "3600",
      "enable-debug-command": "yes",
    });
    const client = await RawClient.connect(ours.port);
    await fillDataset(client);
    const replica = await startRedisReplica(ours.port, ["--enable-debug-command", "yes"]);
    const replicaClient = await RawClient.connect(replica.port);
    let replicaStopped = false;
    try {
      // 1. Full sync, then the live stream; Redis's own DEBUG DIGEST agrees on both sides.
      await waitInSync(client, replicaClient);
      assert.equal(await datasetDigest(replicaClient), await datasetDigest(client));
      assert.equal(await debugDigest(replicaClient), await debugDigest(client));
      await liveWrites(client);
      await waitInSync(client, replicaClient);
      assert.equal(await datasetDigest(replicaClient), await datasetDigest(client));
      assert.equal(await debugDigest(replicaClient), await debugDigest(client));
      assert.equal(await run(replicaClient, "GET", "live:last"), "$1\r\nx\r\n");

      // 2. ROLE and INFO replication, once the replica has acked the whole stream.
      const offset = await infoField(client, "replication", "master_repl_offset");
      await waitFor("the replica's ACK", async () => {
        const info = latin1Text(await client.command("INFO", "replication"));
        return info.includes(`,offset=${offset},`);
      });
      const info = latin1Text(await client.command("INFO", "replication"));
      const replid = await infoField(client, "replication", "master_replid");
      assert.match(replid, /^[0-9a-f]{40}$/);
      for (
        const line of [
          "role:master",
          "connected_slaves:1",
          `slave0:ip=127.0.0.1,port=${replica.port},state=online,offset=${offset},lag=`,
          "master_failover_state:no-failover",
          "master_replid2:0000000000000000000000000000000000000000",
          `master_repl_offset:${offset}`,
          "second_repl_offset:-1",
          "repl_backlog_active:1",
          "repl_backlog_size:1048576",
          "repl_backlog_first_byte_offset:1",
          `repl_backlog_histlen:${offset}`,
        ]
      ) assert.ok(info.includes(line), `INFO replication lacks ${line}:\n${info}`);
      assert.equal(
        await client.commandText("ROLE"),
        `*3\r\n$6\r\nmaster\r\n:${offset}\r\n*1\r\n*3\r\n$9\r\n127.0.0.1\r\n` +
          `$${
            String(replica.port).length
          }\r\n${replica.port}\r\n$${offset.length}\r\n${offset}\r\n`,
      );
      assert.equal(await infoField(client, "stats", "sync_full"), "1");
      // The replica sees the same ids and offset from its side.
      assert.equal(await infoField(replicaClient, "replication", "master_replid"), replid);

      // 3. The replica dies; writes go on; a PSYNC from where it stopped gets exactly them.
      replicaClient.close();
      Deno.kill(replica.pid, "SIGKILL");
      await replica.stop();
      replicaStopped = true;
      await waitReplicaCount(client, 0, "the replica to be dropped");
      const missed = [["SET", "p1", "v1"], ["RPUSH", "p2", "a", "b"]];
      for (const argv of missed) await run(client, ...argv);
      const expected = concatBytes(missed.map((argv) => encodeCommand(argv)));
      const offsetAfter = await infoField(client, "replication", "master_repl_offset");
      assert.equal(Number(offsetAfter) - Number(offset), expected.length);

      const resumer = await RawClient.connect(ours.port);
      try {
        assert.equal(await resumer.commandText("REPLCONF", "capa", "psync2"), "+OK\r\n");
        await resumer.send(encodeCommand(["PSYNC", replid, String(Number(offset) + 1)]));
        const replies = await resumer.readReplies(1 + missed.length);
        assert.equal(latin1Text(replies[0]), `+CONTINUE ${replid}\r\n`);
        assert.deepEqual(concatBytes(replies.slice(1)), expected);
        assert.equal(await infoField(client, "stats", "sync_partial_ok"), "1");
        assert.equal(await infoField(client, "replication", "connected_slaves"), "1");
      } finally {
        resumer.close();
      }

      // An unknown id, or an offset the backlog no longer holds, means a full resync.
      const stranger = await RawClient.connect(ours.port);
      try {
        await stranger.send(encodeCommand(["PSYNC", "f".repeat(40), "1"]));
        const [line] = await stranger.readReplies(1);
        assert.equal(latin1Text(line), `+FULLRESYNC ${replid} ${offsetAfter}\r\n`);
        assert.equal(await infoField(client, "stats", "sync_partial_err"), "1");
        assert.equal(await infoField(client, "stats", "sync_full"), "2");
      } finally {
        stranger.close();
      }
      await waitReplicaCount(client, 0, "both raw replicas to be dropped");
    } finally {
      replicaClient.close();
      if (!replicaStopped) await replica.stop();
      client.close();
      await ours.close();
    }
  },
);

/** Attaches a raw PSYNC ? -1 replica and returns the master's offset delta over liveWrites. */
async function offsetDelta(port: number): Promise<number> {
  const client = await RawClient.connect(port);
  const dummyReplica = await RawClient.connect(port);
  try {
    await fillDataset(client);
    await dummyReplica.send(encodeCommand(["PSYNC", "?", "-1"]));
    await dummyReplica.readReplies(1, 10_000);
    const before = Number(await infoField(client, "replication", "master_repl_offset"));
    await liveWrites(client);
    const after = Number(await infoField(client, "replication", "master_repl_offset"));
    return after - before;
  } finally {
    dummyReplica.close();
    client.close();
  }
}

peerTest("replication: master_repl_offset advances exactly as redis-server's", async () => {
  const redis = await startRedisServer();
  const ours = await startMaster({ "repl-ping-replica-period": "3600" });
  try {
    const theirs = await offsetDelta(redis.port);
    assert.ok(theirs > 0);
    assert.equal(await offsetDelta(ours.port), theirs);
  } finally {
    await ours.close();
    await redis.stop();
  }
});

Deno.test("replication: the stream's first bytes are SELECT then the write, PING adds 14", async () => {
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  const replica = await RawClient.connect(ours.port);
  try {
    await replica.send(encodeCommand(["SYNC"]));
    // SYNC: the bulk alone, no +FULLRESYNC line, no CRLF after the RDB.
    await run(client, "set", "k2", "v2");
    assert.equal(await infoField(client, "replication", "master_repl_offset"), "52");
    assert.equal(await infoField(client, "replication", "repl_backlog_histlen"), "52");
    const parts = splitAggregate(await client.command("ROLE"))!;
    assert.equal(latin1Text(parts[1]), ":52\r\n");
    // The keepalive: lowercase ping, fed with no SELECT, counted in the offset.
    assert.equal(
      await client.commandText("CONFIG", "SET", "repl-ping-replica-period", "1"),
      "+OK\r\n",
    );
    await waitFor("a keepalive PING", async () => {
      return Number(await infoField(client, "replication", "master_repl_offset")) > 52;
    });
    assert.equal(await infoField(client, "replication", "master_repl_offset"), "66");
  } finally {
    replica.close();
    client.close();
    await ours.close();
  }
});

/** Sends a replica's handshake (capa eof, psync2) and `PSYNC ? -1`; replies are read later. */
async function askDisklessSync(replica: RawClient): Promise<void> {
  assert.equal(await replica.commandText("REPLCONF", "capa", "eof", "capa", "psync2"), "+OK\r\n");
  await replica.send(encodeCommand(["PSYNC", "?", "-1"]));
}

/** `+FULLRESYNC <id> <offset>`, then the `$EOF:<mark>` snapshot: id, offset, RDB bytes. */
async function readDisklessSnapshot(replica: RawClient) {
  const resync = latin1Text(await replica.readUntil("\r\n")).match(
    /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n$/,
  );
  assert.ok(resync, "no +FULLRESYNC line");
  const header = latin1Text(await replica.readUntil("\r\n"));
  const mark = header.match(/^\$EOF:(.{40})\r\n$/)?.[1];
  assert.ok(mark !== undefined, `not a diskless header: ${JSON.stringify(header)}`);
  const rdb = await replica.readUntil(mark);
  return { replId: resync[1], offset: Number(resync[2]), rdb: rdb.subarray(0, rdb.length - 40) };
}

Deno.test("diskless full sync: replicas asking within the delay share one snapshot, then the stream", async () => {
  const ours = await startMaster({
    "repl-diskless-sync-delay": "1",
    "repl-ping-replica-period": "3600",
  });
  const client = await RawClient.connect(ours.port);
  const replicas = [await RawClient.connect(ours.port), await RawClient.connect(ours.port)];
  try {
    for (let batch = 0; batch < 20; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 500; i++) args.push(`key:${batch}:${i}`, `value ${i}`.repeat(3));
      await run(client, ...args);
    }
    await askDisklessSync(replicas[0]);
    // Written after the first replica asked but before the snapshot: in the snapshot for both.
    await run(client, "SET", "between", "1");
    await askDisklessSync(replicas[1]);
    const info = latin1Text(await client.command("INFO", "replication"));
    assert.match(info, /connected_slaves:2\r\n/);
    assert.match(info, /slave0:.*state=wait_bgsave/);
    const [first, second] = [
      await readDisklessSnapshot(replicas[0]),
      await readDisklessSnapshot(replicas[1]),
    ];
    assert.equal(first.replId, second.replId);
    assert.equal(first.offset, second.offset, "one snapshot instant for both");
    assert.deepEqual(first.rdb, second.rdb, "the same snapshot bytes");
    const reader = new RdbReader();
    reader.push(first.rdb);
    const keys = new Set<string>();
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      keys.add(latin1Text(entry.key));
    }
    reader.finish();
    assert.equal(keys.size, 10_001);
    assert.ok(keys.has("between"));
    assert.equal(latin1Text(reader.aux["repl-id"]), first.replId);
    assert.equal(latin1Text(reader.aux["repl-offset"]), String(first.offset));

    // A replica goes online at its first ACK after the mark (nothing may follow the mark
    // before it: the replica finds the snapshot's end by its last 40 bytes).
    assert.match(
      latin1Text(await client.command("INFO", "replication")),
      /slave0:.*state=send_bulk/,
    );
    for (const replica of replicas) {
      await replica.send(encodeCommand(["REPLCONF", "ACK", String(first.offset)]));
    }
    // Both are online; a write now reaches each as stream bytes, preceded by SELECT.
    await waitFor("both replicas online", async () => {
      const text = latin1Text(await client.command("INFO", "replication"));
      return (text.match(/state=online/g) ?? []).length === 2;
    });
    await run(client, "SET", "after", "2");
    for (const replica of replicas) {
      const stream = latin1Text(await replica.readUntil("$5\r\nafter\r\n$1\r\n2\r\n"));
      assert.ok(stream.includes("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"), stream);
    }
    assert.equal(await infoField(client, "stats", "sync_full"), "2");
  } finally {
    for (const replica of replicas) replica.close();
    client.close();
    await ours.close();
  }
});

peerTest(
  "diskless full sync to two redis-server replicas while writes run: both end identical",
  async () => {
    const ours = await startMaster({
      "repl-diskless-sync-delay": "1",
      "repl-ping-replica-period": "3600",
    });
    const client = await RawClient.connect(ours.port);
    await fillDataset(client);
    for (let batch = 0; batch < 10; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 1000; i++) args.push(`bulk:${batch}:${i}`, `value ${batch} ${i}`);
      await run(client, ...args);
    }
    const replicaPeers = [
      await startRedisReplica(ours.port),
      await startRedisReplica(ours.port),
    ];
    const replicaClients = await Promise.all(
      replicaPeers.map((peer) => RawClient.connect(peer.port)),
    );
    try {
      // Writes until both are online: some land before the snapshot, some during it (these
      // reach the replicas through the backlog once the RDB is through), some after.
      let batches = 0;
      for (;;) {
        const commands: Uint8Array[] = [];
        for (let i = 0; i < 50; i++) {
          commands.push(encodeCommand(["SET", `during:${i}`, String(batches)]));
          commands.push(encodeCommand(["INCR", "during:count"]));
          commands.push(
            encodeCommand(["SET", `bulk:${batches % 10}:${i}`, `overwritten ${batches}`]),
          );
        }
        await client.send(concatBytes(commands));
        await client.readReplies(commands.length);
        batches++;
        const text = latin1Text(await client.command("INFO", "replication"));
        if ((text.match(/state=online/g) ?? []).length === 2) break;
      }
      assert.ok(batches > 1, "the sync finished before any write ran: the test proves nothing");
      for (const replicaClient of replicaClients) await waitInSync(client, replicaClient);
      const expected = await datasetDigest(client);
      for (const replicaClient of replicaClients) {
        assert.equal(await datasetDigest(replicaClient), expected);
      }
      assert.equal(await infoField(client, "stats", "sync_full"), "2");
    } finally {
      for (const replicaClient of replicaClients) replicaClient.close();
      for (const peer of replicaPeers) await peer.stop();
      client.close();
      await ours.close();
    }
  },
);

Deno.test("repl-backlog-ttl: with no replica for that long the backlog is freed and the id changes", async () => {
  const ours = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "repl-backlog-ttl": "1", "repl-diskless-sync": "no", hz: "50" },
  });
  const client = await RawClient.connect(ours.port);
  try {
    const replica = await RawClient.connect(ours.port);
    await replica.send(encodeCommand(["SYNC"]));
    await waitFor("the replica online", async () => {
      return latin1Text(await client.command("INFO", "replication")).includes("state=online");
    });
    const replId = await infoField(client, "replication", "master_replid");
    assert.equal(await infoField(client, "replication", "repl_backlog_active"), "1");
    await run(client, "SET", "k", "v");
    replica.close();
    await waitReplicaCount(client, 0, "the replica gone");
    const goneMs = Date.now();
    await waitFor("the backlog freed", async () => {
      return (await infoField(client, "replication", "repl_backlog_active")) === "0";
    }, 5000);
    assert.ok(Date.now() - goneMs >= 900, "freed before the TTL");
    assert.notEqual(await infoField(client, "replication", "master_replid"), replId);
    // The old history can no longer be resumed.
    const again = await RawClient.connect(ours.port);
    const offset = Number(await infoField(client, "replication", "master_repl_offset"));
    await again.send(encodeCommand(["PSYNC", replId, String(offset + 1)]));
    assert.match(latin1Text(await again.readUntil("\r\n")), /^\+FULLRESYNC /);
    again.close();
  } finally {
    client.close();
    await ours.close();
  }
});

Deno.test("repl-timeout: a PSYNC replica that stops acking is dropped; a SYNC one is not", async () => {
  const ours = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "repl-timeout": "1", "repl-diskless-sync": "no", hz: "50" },
  });
  const client = await RawClient.connect(ours.port);
  const silent = await RawClient.connect(ours.port);
  const legacy = await RawClient.connect(ours.port);
  try {
    await silent.send(encodeCommand(["PSYNC", "?", "-1"]));
    await legacy.send(encodeCommand(["SYNC"]));
    await waitFor("two replicas online", async () => {
      const info = latin1Text(await client.command("INFO", "replication"));
      return (info.match(/state=online/g) ?? []).length === 2;
    });
    // Neither ever sends REPLCONF ACK.
    await waitReplicaCount(client, 1, "the silent PSYNC replica dropped", 5000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(await infoField(client, "replication", "connected_slaves"), "1");
    assert.ok(await silent.waitForClose(1000));
  } finally {
    silent.close();
    legacy.close();
    client.close();
    await ours.close();
  }
});
