// Replication acceptance against the real tools: redis-cli --rdb and --replica on a resplica
// master, a backlog overflow between two resplicas that must end in a full resync, a
// redis-server replica and a resplica replica killed with SIGKILL in the middle of a full sync
// (the master drops them and a new replica syncs whole), and 100k pipelined
// live writes in both directions (redis-server replica of resplica, resplica replica of
// redis-server), compared key by key once the offsets match.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { delay, findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import {
  infoField,
  run,
  startMaster,
  startRedisReplica,
  SYNC_TIMEOUT_MS,
  waitFor,
  waitInSync,
  waitReplicaCount,
} from "./_support/replication.ts";

/** Commands per pipelined batch: their replies are read before the next batch goes out. */
const PIPELINE_BATCH_COUNT = 5_000;

/** Sends `commands` pipelined in batches and checks that no reply is an error. */
async function pipeline(client: RawClient, commands: readonly string[][]): Promise<void> {
  for (let start = 0; start < commands.length; start += PIPELINE_BATCH_COUNT) {
    const batch = commands.slice(start, start + PIPELINE_BATCH_COUNT);
    await client.send(concatBytes(batch.map((argv) => encodeCommand(argv))));
    const replies = await client.readReplies(batch.length, SYNC_TIMEOUT_MS);
    const failed = replies.findIndex((reply) => reply[0] === 0x2d);
    assert.equal(failed, -1, `${batch[failed]?.join(" ")} → ${latin1Text(replies[failed] ?? [])}`);
  }
}

/**
 * `count` writes of every type over a bounded set of keys (so the digest stays quick to
 * compute), across dbs 0 and 2, ending in db 0.
 */
function liveWriteCommands(count: number, tag: string): string[][] {
  const commands: string[][] = [];
  for (let i = 0; i < count; i++) {
    const slot = i % 500;
    switch (i % 8) {
      case 0:
        commands.push(["SET", `${tag}:s:${slot}`, `v${i}`]);
        break;
      case 1:
        commands.push(["INCR", `${tag}:n:${slot % 50}`]);
        break;
      case 2:
        commands.push(["RPUSH", `${tag}:l:${slot % 20}`, `e${i}`]);
        break;
      case 3:
        commands.push(["HSET", `${tag}:h:${slot % 20}`, `f${i % 300}`, `v${i}`]);
        break;
      case 4:
        commands.push(["SADD", `${tag}:set:${slot % 20}`, String(i % 1000)]);
        break;
      case 5:
        commands.push(["ZADD", `${tag}:z:${slot % 20}`, String(i % 97), `m${i % 400}`]);
        break;
      case 6:
        commands.push(i % 16 === 6 ? ["SELECT", "2"] : ["DEL", `${tag}:s:${(slot + 7) % 500}`]);
        break;
      default:
        commands.push(
          i % 16 === 15 ? ["SELECT", "0"] : ["SET", `${tag}:ttl:${slot}`, "t", "EX", "1000"],
        );
    }
  }
  commands.push(["SELECT", "0"]);
  return commands;
}

peerTest(
  "redis-cli --rdb gets our snapshot alone and exits 0; redis-check-rdb and redis-server load it",
  async () => {
    const ours = await startMaster();
    const client = await RawClient.connect(ours.port);
    const dir = await Deno.makeTempDir({ prefix: "resplica-cli-rdb-" });
    try {
      assert.equal(
        await client.commandText("REPLCONF", "rdb-only", "2"),
        "-ERR value is out of range, value must between 0 and 1\r\n",
      );
      assert.match(
        await client.commandText("REPLCONF", "rdb-only", "x"),
        /^-ERR value is not an integer or out of range/,
      );
      assert.equal(await client.commandText("REPLCONF", "rdb-only", "0"), "+OK\r\n");
      await fillDataset(client);
      const cli = await new Deno.Command(findExecutable("redis-cli")!, {
        args: ["-p", String(ours.port), "--rdb", `${dir}/dump.rdb`],
        stdin: "null",
      }).output();
      const cliOutput = new TextDecoder().decode(cli.stdout) + new TextDecoder().decode(cli.stderr);
      assert.equal(cli.code, 0, cliOutput);
      assert.match(cliOutput, /Transfer finished with success/);
      const check = await new Deno.Command(findExecutable("redis-check-rdb")!, {
        args: [`${dir}/dump.rdb`],
      }).output();
      assert.equal(check.code, 0, new TextDecoder().decode(check.stdout));
      // rdb-only: the client got the snapshot and was closed, never attached as a replica.
      await waitFor("the rdb-only client to go", async () => {
        return (await infoField(client, "clients", "connected_clients")) === "1";
      });
      assert.equal(await infoField(client, "replication", "connected_slaves"), "0");

      const loaded = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"]);
      const loadedClient = await RawClient.connect(loaded.port);
      try {
        assert.equal(await datasetDigest(loadedClient), await datasetDigest(client));
      } finally {
        loadedClient.close();
        await loaded.stop();
      }
    } finally {
      client.close();
      await ours.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
  { binaries: ["redis-server", "redis-cli", "redis-check-rdb"] },
);

peerTest(
  "redis-cli --replica prints the writes it receives from our stream",
  async () => {
    const ours = await startMaster();
    const client = await RawClient.connect(ours.port);
    const cli = new Deno.Command(findExecutable("redis-cli")!, {
      args: ["-p", String(ours.port), "--replica"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let cliExited = false;
    try {
      await run(client, "SET", "before", "1");
      // Online once its first REPLCONF ACK follows the diskless snapshot (redis-cli sends one).
      await waitFor("redis-cli to attach as a replica", async () => {
        return latin1Text(await client.command("INFO", "replication")).includes("state=online");
      });
      await run(client, "SET", "seen:by:cli", "hello");
      await run(client, "RPUSH", "seen:list", "a");
      // Kill it by its PID once the writes had time to travel, then read all it printed.
      await delay(300);
      cli.kill("SIGTERM");
      const output = await cli.output();
      cliExited = true;
      const text = new TextDecoder().decode(output.stdout) +
        new TextDecoder().decode(output.stderr);
      assert.match(text, /SYNC done( after \d+ bytes)?\. Logging commands from master\./);
      // Commands travel as the client sent them (Redis propagates argv as is).
      assert.ok(text.includes(`"SET","seen:by:cli","hello"`), text);
      assert.ok(text.includes(`"RPUSH","seen:list","a"`), text);
      await waitReplicaCount(client, 0, "the master to drop redis-cli");
    } finally {
      if (!cliExited) {
        try {
          cli.kill("SIGKILL");
        } catch {
          // Already exited.
        }
        await cli.output();
      }
      client.close();
      await ours.close();
    }
  },
  { binaries: ["redis-cli"] },
);

Deno.test("replication: a backlog overflow while the link is down forces a full resync", async () => {
  const master = await startMaster({
    "repl-backlog-size": "16kb",
    "repl-ping-replica-period": "3600",
  });
  const replica = await startServer({ port: 0, logLevel: "nothing" });
  const masterClient = await RawClient.connect(master.port);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    await fillDataset(masterClient);
    await run(replicaClient, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(masterClient, replicaClient);
    assert.equal(await infoField(masterClient, "replication", "repl_backlog_size"), "16384");
    // Counters before the cut (the first attach may already count a partial-resync miss: a
    // replica that was a master offers its own history first).
    const syncFullBefore = Number(await infoField(masterClient, "stats", "sync_full"));
    const partialErrBefore = Number(await infoField(masterClient, "stats", "sync_partial_err"));
    // Wrong types are refused, and only the replica's link matches TYPE replica.
    assert.match(
      await masterClient.commandText("CLIENT", "KILL", "TYPE", "bogus"),
      /^-ERR Unknown client type 'bogus'/,
    );
    assert.equal(await masterClient.commandText("CLIENT", "KILL", "TYPE", "master"), ":0\r\n");
    assert.equal(await replicaClient.commandText("CLIENT", "KILL", "TYPE", "normal"), ":0\r\n");
    // On the replica, TYPE master cuts its link; it comes back with a partial resync.
    const partialOkBefore = Number(await infoField(masterClient, "stats", "sync_partial_ok"));
    assert.equal(await replicaClient.commandText("CLIENT", "KILL", "TYPE", "master"), ":1\r\n");
    await waitFor("the replica's partial resync", async () => {
      return Number(await infoField(masterClient, "stats", "sync_partial_ok")) ===
        partialOkBefore + 1;
    });
    await waitInSync(masterClient, replicaClient);
    // Cut the link and, in the same pipelined batch (well inside the replica's 100 ms
    // reconnect delay), write three times the backlog.
    const big = "b".repeat(16 * 1024);
    await pipeline(masterClient, [
      ["CLIENT", "KILL", "TYPE", "replica"],
      ["SET", "overflow:1", big],
      ["SET", "overflow:2", big],
      ["SET", "overflow:3", big],
    ]);
    await waitFor("the replica's full resync", async () => {
      return Number(await infoField(masterClient, "stats", "sync_full")) === syncFullBefore + 1;
    });
    assert.equal(
      Number(await infoField(masterClient, "stats", "sync_partial_err")),
      partialErrBefore + 1,
    );
    assert.equal(
      Number(await infoField(masterClient, "stats", "sync_partial_ok")),
      partialOkBefore + 1,
    );
    await run(masterClient, "SET", "after:resync", "yes");
    await waitInSync(masterClient, replicaClient);
    assert.equal(await datasetDigest(replicaClient), await datasetDigest(masterClient));
  } finally {
    replicaClient.close();
    masterClient.close();
    await replica.close();
    await master.close();
  }
});

peerTest(
  "replication: a redis-server replica killed with SIGKILL mid full sync is dropped cleanly",
  async () => {
    const ours = await startMaster({ "repl-ping-replica-period": "3600" });
    const client = await RawClient.connect(ours.port);
    try {
      // ~8 MB of incompressible values: more than the loopback socket buffers hold.
      const commands: string[][] = [];
      for (let i = 0; i < 500; i++) {
        const random = crypto.getRandomValues(new Uint8Array(8 * 1024));
        const value = Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
        commands.push(["SET", `bulk:${i}`, value]);
      }
      await pipeline(client, commands);
      // The replica loads straight from the socket, slowly (key-load-delay: 20 ms per key, so
      // ~0.8 MB/s), and is killed 300 ms after PSYNC was answered: most of the ~7 MB snapshot
      // is still in our writer or the socket buffers. (Its own INFO is no help here: it answers
      // only between 2 MB read chunks while loading.)
      // REPLICAOF only once it is up: while loading it answers nothing, not even PING.
      const victim = await startRedisServer([
        "--repl-diskless-load",
        "on-empty-db",
        "--key-load-delay",
        "20000",
      ]);
      try {
        const victimClient = await RawClient.connect(victim.port);
        try {
          await run(victimClient, "REPLICAOF", "127.0.0.1", String(ours.port));
        } finally {
          victimClient.close();
        }
        await waitReplicaCount(client, 1, "the victim's PSYNC");
        await delay(300);
      } finally {
        Deno.kill(victim.pid, "SIGKILL");
        await victim.stop();
      }
      const syncFullBefore = Number(await infoField(client, "stats", "sync_full"));
      await waitReplicaCount(client, 0, "the master to drop the killed replica");
      assert.equal(await client.commandText("PING"), "+PONG\r\n");
      await run(client, "SET", "after:kill", "ok");

      // A new replica full-syncs the whole dataset.
      const replica = await startRedisReplica(ours.port);
      const replicaClient = await RawClient.connect(replica.port);
      try {
        await waitInSync(client, replicaClient);
        assert.equal(await replicaClient.commandText("DBSIZE"), ":501\r\n");
        assert.equal(Number(await infoField(client, "stats", "sync_full")), syncFullBefore + 1);
        assert.equal(await run(replicaClient, "GET", "after:kill"), "$2\r\nok\r\n");
        assert.equal(
          await replicaClient.commandText("GET", "bulk:1999"),
          await client.commandText("GET", "bulk:1999"),
        );
      } finally {
        replicaClient.close();
        await replica.stop();
      }
    } finally {
      client.close();
      await ours.close();
    }
  },
);

peerTest(
  "replication: 100k pipelined live writes reach a redis-server replica of ours",
  async () => {
    const ours = await startMaster({ "repl-ping-replica-period": "3600" });
    const client = await RawClient.connect(ours.port);
    const replica = await startRedisReplica(ours.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await fillDataset(client);
      await waitInSync(client, replicaClient);
      await pipeline(client, liveWriteCommands(100_000, "live"));
      await waitInSync(client, replicaClient);
      assert.equal(await datasetDigest(replicaClient), await datasetDigest(client));
    } finally {
      replicaClient.close();
      await replica.stop();
      client.close();
      await ours.close();
    }
  },
);

peerTest("replica: 100k pipelined live writes from a redis-server master reach us", async () => {
  const master = await startRedisServer(["--repl-diskless-sync-delay", "0"]);
  const masterClient = await RawClient.connect(master.port);
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(ours.port);
  try {
    await fillDataset(masterClient);
    await run(client, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(masterClient, client);
    await pipeline(masterClient, liveWriteCommands(100_000, "live"));
    await waitInSync(masterClient, client);
    assert.equal(await datasetDigest(client), await datasetDigest(masterClient));
  } finally {
    client.close();
    await ours.close();
    masterClient.close();
    await master.stop();
  }
});

Deno.test("replication: a resplica replica killed with SIGKILL mid full sync; a new one syncs whole", async () => {
  const ours = await startMaster({ "repl-ping-replica-period": "3600" });
  const client = await RawClient.connect(ours.port);
  let victim: ResplicaProcess | null = null;
  try {
    // ~64 MB of incompressible values, so the transfer takes long enough to be cut.
    for (let batch = 0; batch < 20; batch++) {
      const parts: Uint8Array[] = [];
      for (let i = 0; i < 100; i++) {
        const value = crypto.getRandomValues(new Uint8Array(32 * 1024));
        parts.push(encodeCommand(["SET", `bulk:${batch * 100 + i}`, value]));
      }
      await client.send(concatBytes(parts));
      await client.readReplies(parts.length, SYNC_TIMEOUT_MS);
    }
    // Up first, then REPLICAOF: its INFO is then watched from the handshake on.
    victim = await spawnResplica([]);
    const victimClient = await RawClient.connect(victim.port);
    let sawTransfer = false;
    try {
      await run(victimClient, "REPLICAOF", "127.0.0.1", String(ours.port));
      for (let attempt = 0; attempt < 5000 && !sawTransfer; attempt++) {
        const info = latin1Text(await victimClient.command("INFO", "replication"));
        const readBytes = Number(/master_sync_read_bytes:(\d+)/.exec(info)?.[1] ?? "0");
        sawTransfer = info.includes("master_sync_in_progress:1") && readBytes > 0;
      }
    } finally {
      victimClient.close();
      await killHard(victim);
      victim = null;
    }
    assert.ok(sawTransfer, "never saw the transfer in progress: the test proves nothing");
    await waitReplicaCount(client, 0, "the master to drop the killed replica");
    assert.equal(await client.commandText("PING"), "+PONG\r\n");
    await run(client, "SET", "after:kill", "ok");
    await waitFor("the master's snapshot to end", async () => {
      return (await infoField(client, "persistence", "rdb_bgsave_in_progress")) === "0";
    });

    const replica = await spawnResplica(["--replicaof", "127.0.0.1", String(ours.port)]);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(client, replicaClient);
      assert.equal(await replicaClient.commandText("DBSIZE"), ":2001\r\n");
      assert.equal(await run(replicaClient, "GET", "after:kill"), "$2\r\nok\r\n");
      for (const key of ["bulk:0", "bulk:1000", "bulk:1999"]) {
        assert.deepEqual(await replicaClient.command("GET", key), await client.command("GET", key));
      }
    } finally {
      replicaClient.close();
      await killHard(replica);
    }
  } finally {
    if (victim !== null) await killHard(victim);
    client.close();
    await ours.close();
  }
});
