// Chained replication and PSYNC2 failover between resplica nodes: a replica proxies its master's
// stream byte for byte to its own replicas (same replication id, same offsets), keeps a backlog
// of it, and after a promotion serves its former siblings a partial resync. WAIT counts the
// replicas that acknowledged a client's writes. The failover chain runs as real processes so the
// master can die by SIGKILL.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { encodeCommand, RawClient } from "./_support/raw_client.ts";
import { pickFreePort } from "./_support/ports.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import { infoField, QUIET, run, startMaster, waitFor, waitInSync } from "./_support/replication.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";

async function writeBatch(client: RawClient, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await run(client, "SET", `${prefix}:${i}`, `value-${i}`);
    if (i % 10 === 0) await run(client, "RPUSH", `${prefix}:list`, String(i));
  }
}

async function replicationIds(client: RawClient): Promise<[string, string]> {
  return [
    await infoField(client, "replication", "master_replid"),
    await infoField(client, "replication", "master_repl_offset"),
  ];
}

Deno.test("chained: a replica's replica gets the same stream, ids and offsets", async () => {
  const master = await startMaster();
  const middle = await startMaster();
  const leaf = await startServer(QUIET);
  const m = await RawClient.connect(master.port);
  const r1 = await RawClient.connect(middle.port);
  const r2 = await RawClient.connect(leaf.port);
  try {
    await fillDataset(m);
    await run(r1, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r1);
    await run(r2, "REPLICAOF", "127.0.0.1", String(middle.port));
    await waitInSync(r1, r2);
    await writeBatch(m, "live", 200);
    await waitInSync(m, r1);
    await waitInSync(r1, r2);
    assert.deepEqual(await replicationIds(r2), await replicationIds(m));
    assert.deepEqual(await replicationIds(r1), await replicationIds(m));
    const digest = await datasetDigest(m);
    assert.equal(await datasetDigest(r1), digest);
    assert.equal(await datasetDigest(r2), digest);
    assert.equal(await infoField(r1, "replication", "connected_slaves"), "1");

    // The leaf's link to the middle is cut: it resumes from the middle's backlog.
    assert.equal(await r1.commandText("CLIENT", "KILL", "TYPE", "replica"), ":1\r\n");
    await writeBatch(m, "away", 50);
    await waitInSync(m, r1);
    await waitInSync(r1, r2);
    assert.equal(await infoField(r1, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(r1, "stats", "sync_full"), "1");

    // The middle's own link is cut: it resumes from the master; the leaf is not disturbed.
    assert.equal(await m.commandText("CLIENT", "KILL", "TYPE", "replica"), ":1\r\n");
    await writeBatch(m, "cut", 50);
    await waitInSync(m, r1);
    await waitInSync(r1, r2);
    assert.equal(await infoField(m, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(r1, "stats", "sync_full"), "1");
    assert.equal(await datasetDigest(r2), await datasetDigest(m));

    // The middle follows another master with a full sync: the leaf must resync with it whole.
    const other = await startMaster();
    const o = await RawClient.connect(other.port);
    try {
      await run(o, "SET", "only-on-other", "1");
      await run(r1, "REPLICAOF", "127.0.0.1", String(other.port));
      await waitInSync(o, r1);
      await waitInSync(r1, r2);
      assert.equal(await r2.commandText("GET", "only-on-other"), "$1\r\n1\r\n");
      assert.equal(await r2.commandText("EXISTS", "live:1"), ":0\r\n");
      assert.deepEqual(await replicationIds(r2), await replicationIds(o));
    } finally {
      o.close();
      await other.close();
    }
  } finally {
    m.close();
    r1.close();
    r2.close();
    await leaf.close();
    await middle.close();
    await master.close();
  }
});

Deno.test("WAIT: counts replicas that acknowledged the client's writes", async () => {
  const master = await startMaster();
  const replicaA = await startServer(QUIET);
  const replicaB = await startServer(QUIET);
  const m = await RawClient.connect(master.port);
  const a = await RawClient.connect(replicaA.port);
  const b = await RawClient.connect(replicaB.port);
  try {
    // No replica: nothing can acknowledge; WAIT 0 returns at once, WAIT 1 at its timeout.
    await run(m, "SET", "k", "v");
    assert.equal(await m.commandText("WAIT", "0", "0"), ":0\r\n");
    const startedMs = Date.now();
    assert.equal(await m.commandText("WAIT", "1", "200"), ":0\r\n");
    assert.ok(Date.now() - startedMs >= 190);
    assert.equal(
      await m.commandText("WAIT", "1", "-1"),
      "-ERR timeout is negative\r\n",
    );
    assert.equal(
      await m.commandText("WAIT", "1", "soon"),
      "-ERR timeout is not an integer or out of range\r\n",
    );

    await run(a, "REPLICAOF", "127.0.0.1", String(master.port));
    await run(b, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, a);
    await waitInSync(m, b);
    await run(m, "SET", "k", "v2");
    // Forever (0) is fine: GETACK makes both answer well within the test's time.
    assert.equal(await m.commandText("WAIT", "2", "0"), ":2\r\n");
    assert.equal(await a.commandText("GET", "k"), "$2\r\nv2\r\n");
    assert.equal(await b.commandText("GET", "k"), "$2\r\nv2\r\n");
    // More than exist: the timeout ends it with the count that did acknowledge.
    await run(m, "INCR", "n");
    assert.equal(await m.commandText("WAIT", "3", "300"), ":2\r\n");
    assert.match(await a.commandText("WAIT", "1", "0"), /^-ERR WAIT cannot be used with replica/);
  } finally {
    m.close();
    a.close();
    b.close();
    await replicaB.close();
    await replicaA.close();
    await master.close();
  }
});

Deno.test("failover chain: A dies, B is promoted, C continues partially, D follows", async () => {
  const nodes: ResplicaProcess[] = [];
  const clients: RawClient[] = [];
  const spawn = async () => {
    const node = await spawnResplica(["--repl-diskless-sync-delay", "0"]);
    nodes.push(node);
    const client = await RawClient.connect(node.port);
    clients.push(client);
    return { node, client };
  };
  try {
    const A = await spawn();
    const B = await spawn();
    const C = await spawn();
    const D = await spawn();
    await fillDataset(A.client);
    await run(B.client, "REPLICAOF", "127.0.0.1", String(A.node.port));
    await run(C.client, "REPLICAOF", "127.0.0.1", String(A.node.port));
    await waitInSync(A.client, B.client);
    await waitInSync(A.client, C.client);
    await run(D.client, "REPLICAOF", "127.0.0.1", String(C.node.port));
    await waitInSync(C.client, D.client);

    // Acknowledged writes: WAIT 2 says both direct replicas hold them before A dies.
    await writeBatch(A.client, "acked", 300);
    assert.equal(await A.client.commandText("WAIT", "2", "5000"), ":2\r\n");
    const digestBefore = await datasetDigest(A.client);
    await waitInSync(C.client, D.client);
    await killHard(A.node);

    await run(B.client, "REPLICAOF", "NO", "ONE");
    await run(C.client, "REPLICAOF", "127.0.0.1", String(B.node.port));
    await waitInSync(B.client, C.client);
    await waitInSync(C.client, D.client);
    // C continued from B's backlog under B's new id: no full sync anywhere after the failover.
    assert.equal(await infoField(B.client, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(B.client, "stats", "sync_full"), "0");
    assert.equal(await infoField(C.client, "stats", "sync_full"), "1"); // D's first sync only
    assert.ok(Number(await infoField(C.client, "stats", "sync_partial_ok")) >= 1);
    const newId = await infoField(B.client, "replication", "master_replid");
    assert.equal(await infoField(C.client, "replication", "master_replid"), newId);
    assert.equal(await infoField(D.client, "replication", "master_replid"), newId);

    // Nothing acknowledged was lost, and the new chain carries new writes to the end.
    assert.equal(await datasetDigest(B.client), digestBefore);
    await writeBatch(B.client, "after", 100);
    assert.equal(await B.client.commandText("WAIT", "1", "5000"), ":1\r\n");
    await waitInSync(B.client, C.client);
    await waitInSync(C.client, D.client);
    const digestAfter = await datasetDigest(B.client);
    assert.equal(await datasetDigest(C.client), digestAfter);
    assert.equal(await datasetDigest(D.client), digestAfter);
  } finally {
    for (const client of clients) client.close();
    for (const node of nodes) await killHard(node);
  }
});

peerTest("chained with redis-server on both ends: redis → resplica → redis", async () => {
  const top = await startRedisServer();
  const leaf = await startRedisServer();
  const middle = await startMaster();
  const t = await RawClient.connect(top.port);
  const m = await RawClient.connect(middle.port);
  const l = await RawClient.connect(leaf.port);
  try {
    await fillDataset(t);
    await run(m, "REPLICAOF", "127.0.0.1", String(top.port));
    await waitInSync(t, m);
    await run(l, "REPLICAOF", "127.0.0.1", String(middle.port));
    await waitInSync(m, l);
    await writeBatch(t, "live", 300);
    await waitInSync(t, m);
    await waitInSync(m, l);
    // redis-server's replica sees the top's history through us: same id, same offset.
    assert.deepEqual(await replicationIds(l), await replicationIds(t));
    const digest = await datasetDigest(t);
    assert.equal(await datasetDigest(m), digest);
    assert.equal(await datasetDigest(l), digest);

    // We are promoted: redis-server below continues partially under our new id.
    await run(m, "REPLICAOF", "NO", "ONE");
    await run(m, "SET", "after-promotion", "yes");
    await waitInSync(m, l);
    assert.equal(await l.commandText("GET", "after-promotion"), "$3\r\nyes\r\n");
    assert.equal(await infoField(m, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(m, "stats", "sync_full"), "1");
    assert.equal(
      await infoField(l, "replication", "master_replid"),
      await infoField(m, "replication", "master_replid"),
    );
  } finally {
    t.close();
    m.close();
    l.close();
    await middle.close();
    await leaf.stop();
    await top.stop();
  }
});

Deno.test("restart: a replica restarted from its RDB resumes with a partial resync", async () => {
  const master = await startMaster();
  const m = await RawClient.connect(master.port);
  const dir = await Deno.makeTempDir({ prefix: "resplica-restart-" });
  const replicaArgs = ["--dir", dir, "--replicaof", "127.0.0.1", String(master.port)];
  let replica: ResplicaProcess | null = null;
  let r: RawClient | null = null;
  try {
    await fillDataset(m);
    replica = await spawnResplica(replicaArgs);
    r = await RawClient.connect(replica.port);
    await waitInSync(m, r);
    // The stream ends in db 3: the restarted replica must apply the next write there too.
    await run(m, "SELECT", "3");
    await writeBatch(m, "db3", 20);
    await waitInSync(m, r);
    // SHUTDOWN saves the dataset with our master's history (repl-id, repl-offset,
    // repl-stream-db); the connection then just closes.
    await r.commandText("SHUTDOWN", "SAVE").catch(() => "");
    await replica.child.status;
    r.close();
    replica = null;
    await writeBatch(m, "while-down", 20);

    replica = await spawnResplica(replicaArgs);
    r = await RawClient.connect(replica.port);
    await waitInSync(m, r);
    assert.equal(await infoField(m, "stats", "sync_full"), "1");
    assert.equal(await infoField(m, "stats", "sync_partial_ok"), "1");
    await run(m, "SELECT", "0");
    assert.equal(await datasetDigest(r), await datasetDigest(m));
  } finally {
    r?.close();
    m.close();
    if (replica !== null) await killHard(replica);
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("min-replicas-to-write: writes need enough replicas heard from recently", async () => {
  const master = await startMaster({ "min-replicas-to-write": "1", "min-replicas-max-lag": "2" });
  const replica = await startServer(QUIET);
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    const refused = "-NOREPLICAS Not enough good replicas to write.\r\n";
    assert.equal(await m.commandText("SET", "k", "v"), refused);
    assert.equal(await m.commandText("GET", "k"), "$-1\r\n"); // reads are fine
    assert.equal(await infoField(m, "replication", "min_slaves_good_slaves"), "0");
    // Inside MULTI the refusal is queued as an error: EXEC aborts.
    await run(m, "MULTI");
    assert.equal(await m.commandText("SET", "k", "v"), refused);
    assert.match(await m.commandText("EXEC"), /^-EXECABORT/);

    await run(r, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r);
    assert.equal(await m.commandText("SET", "k", "v"), "+OK\r\n");
    assert.equal(await infoField(m, "replication", "min_slaves_good_slaves"), "1");

    // The replica goes away: once its last ACK is older than the max lag, writes stop.
    await run(r, "REPLICAOF", "NO", "ONE");
    await waitFor(
      "the master to refuse writes",
      async () => (await m.commandText("SET", "k", "v")) === refused,
      5_000,
    );
    await run(m, "CONFIG", "SET", "min-replicas-to-write", "0");
    assert.equal(await m.commandText("SET", "k", "v"), "+OK\r\n");
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("FAILOVER: master and replica switch roles with no acknowledged write lost", async () => {
  const first = await startMaster();
  const second = await startMaster();
  const a = await RawClient.connect(first.port);
  const b = await RawClient.connect(second.port);
  const writer = await RawClient.connect(first.port);
  try {
    assert.equal(await a.commandText("FAILOVER"), "-ERR FAILOVER requires connected replicas.\r\n");
    assert.equal(await a.commandText("FAILOVER", "ABORT"), "-ERR No failover in progress.\r\n");
    await fillDataset(a);
    await run(b, "REPLICAOF", "127.0.0.1", String(first.port));
    await waitInSync(a, b);
    assert.equal(
      await a.commandText("FAILOVER", "TO", "127.0.0.1", "1", "TIMEOUT", "100"),
      "-ERR FAILOVER target HOST and PORT is not a replica.\r\n",
    );
    assert.equal(
      await a.commandText("FAILOVER", "TO", "127.0.0.1", String(second.port), "FORCE"),
      "-ERR FAILOVER with force option requires both a timeout and target HOST and IP.\r\n",
    );
    assert.equal(
      await b.commandText("FAILOVER"),
      "-ERR FAILOVER is not valid when server is a replica.\r\n",
    );

    await writeBatch(a, "before", 100);
    assert.equal(
      await a.commandText("FAILOVER", "TO", "127.0.0.1", String(second.port), "TIMEOUT", "10000"),
      "+OK\r\n",
    );
    // A write sent during the failover waits, then meets a replica: -READONLY.
    const pausedWrite = writer.commandText("SET", "during", "failover");
    await waitFor(
      "the roles to switch",
      async () =>
        (await infoField(a, "replication", "role")) === "slave" &&
        (await infoField(b, "replication", "role")) === "master" &&
        (await infoField(a, "replication", "master_link_status")) === "up",
    );
    assert.equal(await pausedWrite, "-READONLY You can't write against a read only replica.\r\n");
    assert.equal(await infoField(a, "replication", "master_failover_state"), "no-failover");
    // The old master continued from the new one's backlog: no full sync on the new master.
    assert.equal(await infoField(b, "stats", "sync_partial_ok"), "1");
    assert.equal(await infoField(b, "stats", "sync_full"), "0");
    assert.equal(await datasetDigest(b), await datasetDigest(a));
    await writeBatch(b, "after", 50);
    await waitInSync(b, a);
    assert.equal(await datasetDigest(a), await datasetDigest(b));
  } finally {
    a.close();
    b.close();
    writer.close();
    await second.close();
    await first.close();
  }
});

Deno.test("FAILOVER: a target that never catches up: timeout, ABORT, FORCE", async () => {
  const server = await startServer(QUIET);
  const m = await RawClient.connect(server.port);
  const writer = await RawClient.connect(server.port);
  // A replica that syncs and then never acknowledges anything, listening nowhere.
  const stuck = await RawClient.connect(server.port);
  const stuckPort = String(pickFreePort());
  try {
    await run(stuck, "REPLCONF", "listening-port", stuckPort);
    await stuck.send(encodeCommand(["PSYNC", "?", "-1"]));
    await waitFor(
      "the stuck replica to be online",
      async () => (await infoField(m, "replication", "slave0")).includes("state=online"),
    );
    await run(m, "SET", "k", "v");
    const target = ["TO", "127.0.0.1", stuckPort];

    // Timeout without FORCE: the failover is abandoned, paused writes then run on us.
    assert.equal(await m.commandText("FAILOVER", ...target, "TIMEOUT", "300"), "+OK\r\n");
    assert.equal(await infoField(m, "replication", "master_failover_state"), "waiting-for-sync");
    assert.match(await m.commandText("FAILOVER"), /^-ERR FAILOVER already in progress/);
    assert.match(await m.commandText("REPLICAOF", "NO", "ONE"), /^-ERR REPLICAOF not allowed/);
    const startedMs = Date.now();
    assert.equal(await writer.commandText("SET", "paused", "1"), "+OK\r\n");
    assert.ok(Date.now() - startedMs >= 250, "the write waited for the failover to end");
    assert.equal(await infoField(m, "replication", "master_failover_state"), "no-failover");
    assert.equal(await infoField(m, "replication", "role"), "master");

    // ABORT: the paused write runs at once.
    assert.equal(await m.commandText("FAILOVER", ...target, "TIMEOUT", "60000"), "+OK\r\n");
    const pausedWrite = writer.commandText("SET", "paused", "2");
    assert.equal(await m.commandText("GET", "paused"), "$1\r\n1\r\n"); // reads are not paused
    assert.equal(await m.commandText("FAILOVER", "ABORT"), "+OK\r\n");
    assert.equal(await pausedWrite, "+OK\r\n");

    // FORCE: after the timeout we switch anyway; nobody answers there, so we are master again.
    assert.equal(await m.commandText("FAILOVER", ...target, "TIMEOUT", "200", "FORCE"), "+OK\r\n");
    await waitFor(
      "the forced failover to fail and end",
      async () =>
        (await infoField(m, "replication", "master_failover_state")) === "no-failover" &&
        (await infoField(m, "replication", "role")) === "master",
      10_000,
    );
    assert.equal(await writer.commandText("SET", "paused", "3"), "+OK\r\n");
  } finally {
    stuck.close();
    writer.close();
    m.close();
    await server.close();
  }
});

peerTest("FAILOVER with redis-server: to a redis-server replica, and back to us", async () => {
  const ours = await startMaster();
  const redis = await startRedisServer(["--repl-diskless-sync-delay", "0"]);
  const o = await RawClient.connect(ours.port);
  const r = await RawClient.connect(redis.port);
  const switched = (master: RawClient, replica: RawClient) => async () =>
    (await infoField(master, "replication", "role")) === "master" &&
    (await infoField(replica, "replication", "role")) === "slave" &&
    (await infoField(replica, "replication", "master_link_status")) === "up";
  try {
    await fillDataset(o);
    await run(r, "REPLICAOF", "127.0.0.1", String(ours.port));
    await waitInSync(o, r);
    await writeBatch(o, "ours", 100);
    // Our PSYNC … FAILOVER makes redis-server promote itself; we continue under its new id.
    await run(o, "FAILOVER", "TIMEOUT", "10000");
    await waitFor("redis-server to take over", switched(r, o));
    await waitInSync(r, o);
    assert.equal(await infoField(r, "stats", "sync_full"), "0");
    assert.equal(await datasetDigest(o), await datasetDigest(r));

    // And back: redis-server's FAILOVER asks us to take over the same way.
    await writeBatch(r, "redis", 100);
    await run(r, "FAILOVER", "TIMEOUT", "10000");
    await waitFor("us to take over", switched(o, r));
    await waitInSync(o, r);
    assert.ok(Number(await infoField(o, "stats", "sync_partial_ok")) >= 1);
    await writeBatch(o, "back", 50);
    await waitInSync(o, r);
    assert.equal(await datasetDigest(r), await datasetDigest(o));
  } finally {
    o.close();
    r.close();
    await redis.stop();
    await ours.close();
  }
});
