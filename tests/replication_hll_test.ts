// HyperLogLogs across replication, both ways with a real redis-server 7.0: a replica gets the
// master's bytes in the full sync and keeps them equal through the live stream, so every
// HyperLogLog must read back byte for byte the same on both sides (GET): sparse and dense ones,
// stale and fresh caches, merges, promotions, and PFCOUNT's cache write, which a master
// propagates although PFCOUNT is a read-only command.
//
//   (a) redis-server master ──► resplica replica
//   (b) resplica master     ──► redis-server replica
//
// Each side also checks what a master puts in its stream for PFCOUNT: the command itself when
// it refreshed the cache, nothing when the cache was fresh (offsets measured on the master,
// with the keepalive PING pushed out of the test's way).

import assert from "node:assert/strict";
import { latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import {
  infoField,
  run,
  startMaster,
  startRedisReplica,
  startReplica,
  waitInSync,
} from "./_support/replication.ts";

/** Databases the dataset uses. */
const DATABASES = ["0", "3"];
/** Elements enough to turn a HyperLogLog dense at the default hll-sparse-max-bytes. */
const DENSE_ELEMENT_COUNT = 3_000;

function elements(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}`);
}

/** HyperLogLogs of every kind in two databases, before any replica connects. */
async function fillHlls(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "PFADD", "hll:empty");
  await run(client, "PFADD", "hll:sparse", ...elements("s", 40));
  await run(client, "PFADD", "hll:dense", ...elements("d", DENSE_ELEMENT_COUNT));
  await run(client, "PFADD", "hll:cached", ...elements("c", 100));
  await run(client, "PFCOUNT", "hll:cached");
  await run(client, "PFADD", "hll:todense", "x", "y");
  await run(client, "PFDEBUG", "TODENSE", "hll:todense");
  await run(client, "PFMERGE", "hll:merged", "hll:sparse", "hll:dense");
  await run(client, "PFADD", "hll:ttl", "a", "b");
  await run(client, "EXPIRE", "hll:ttl", "1000");
  await run(client, "SELECT", "3");
  await run(client, "PFADD", "hll:db3", ...elements("z", 500));
  await run(client, "SELECT", "0");
}

/** Live writes the replica must replay to the same bytes. */
async function liveHllWrites(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "PFADD", "hll:sparse", "new1", "new2");
  await run(client, "PFADD", "hll:sparse", "new1"); // changes nothing, propagates nothing
  await run(client, "PFADD", "hll:grow", ...elements("g", 400));
  await run(client, "PFADD", "hll:grow", ...elements("h", 600)); // promoted to dense
  await run(client, "PFCOUNT", "hll:grow"); // caches: propagated
  await run(client, "PFCOUNT", "hll:grow"); // cache fresh: not propagated
  await run(client, "PFCOUNT", "hll:sparse", "hll:dense"); // a union writes nothing
  await run(client, "PFMERGE", "hll:merged2", "hll:sparse", "hll:empty");
  await run(client, "PFMERGE", "hll:sparse", "hll:todense");
  await run(client, "PFDEBUG", "GETREG", "hll:merged2");
  await run(client, "MULTI");
  await run(client, "PFADD", "hll:tx", "a", "b", "c");
  await run(client, "PFCOUNT", "hll:tx");
  await run(client, "PFMERGE", "hll:tx", "hll:cached");
  await run(client, "EXEC");
  await run(client, "SELECT", "3");
  await run(client, "PFADD", "hll:db3", ...elements("y", 3_000));
  await run(client, "SELECT", "0");
}

/** Every key of the dataset's databases with its raw value on `client`. */
async function hllValues(client: RawClient): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (const db of DATABASES) {
    await run(client, "SELECT", db);
    const keys = splitAggregate(await client.command("KEYS", "*"))!.map((reply) => {
      const text = latin1Text(reply);
      return text.slice(text.indexOf("\r\n") + 2, -2);
    });
    for (const key of keys.sort()) {
      values.set(`${db}:${key}`, latin1Text(await client.command("GET", key)));
    }
  }
  await run(client, "SELECT", "0");
  return values;
}

/** Asserts the replica holds exactly the master's keys with the same bytes. */
async function assertSameHlls(master: RawClient, replica: RawClient): Promise<void> {
  const expected = await hllValues(master);
  const actual = await hllValues(replica);
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [key, value] of expected) {
    assert.ok(value.startsWith("$") && value.includes("HYLL"), `${key} is no HyperLogLog`);
    assert.ok(actual.get(key) === value, `${key} differs between master and replica`);
  }
}

/**
 * What a PFCOUNT adds to the master's stream: `PFCOUNT key` (35 bytes for `hll:fresh`) when
 * it cached a cardinality, nothing when the cache was fresh or for a union.
 */
async function assertPfcountPropagation(master: RawClient): Promise<void> {
  await run(master, "PFADD", "hll:fresh", "p", "q");
  const offset = async () => Number(await infoField(master, "replication", "master_repl_offset"));
  const before = await offset();
  await run(master, "PFCOUNT", "hll:fresh");
  const afterStale = await offset();
  await run(master, "PFCOUNT", "hll:fresh");
  await run(master, "PFCOUNT", "hll:fresh", "hll:sparse");
  const afterFresh = await offset();
  const pfcount = "*2\r\n$7\r\nPFCOUNT\r\n$9\r\nhll:fresh\r\n";
  assert.equal(afterStale - before, pfcount.length, "a PFCOUNT that caches is propagated");
  assert.equal(afterFresh, afterStale, "a PFCOUNT from the cache is not propagated");
}

peerTest(
  "replication: a resplica replica of redis-server keeps its HyperLogLogs' bytes",
  async () => {
    const master = await startRedisServer([
      "--repl-diskless-sync-delay",
      "0",
      "--repl-ping-replica-period",
      "3600",
    ]);
    const masterClient = await RawClient.connect(master.port);
    await fillHlls(masterClient);
    const ours = await startReplica(master.port);
    const client = await RawClient.connect(ours.port);
    try {
      await waitInSync(masterClient, client);
      await assertSameHlls(masterClient, client);
      await liveHllWrites(masterClient);
      await waitInSync(masterClient, client);
      await assertSameHlls(masterClient, client);
      await assertPfcountPropagation(masterClient);
      await waitInSync(masterClient, client);
      await assertSameHlls(masterClient, client);
      // The replica refuses client writes, but answers reads from the same bytes.
      assert.match(await client.commandText("PFADD", "hll:sparse", "zz"), /^-READONLY/);
      assert.equal(
        await client.commandText("PFCOUNT", "hll:dense", "hll:db3"),
        await masterClient.commandText("PFCOUNT", "hll:dense", "hll:db3"),
      );
    } finally {
      client.close();
      masterClient.close();
      await ours.close();
      await master.stop();
    }
  },
);

peerTest(
  "replication: a redis-server replica of resplica keeps its HyperLogLogs' bytes",
  async () => {
    const ours = await startMaster({ "repl-ping-replica-period": "3600" });
    const client = await RawClient.connect(ours.port);
    await fillHlls(client);
    const replica = await startRedisReplica(ours.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(client, replicaClient);
      await assertSameHlls(client, replicaClient);
      await liveHllWrites(client);
      await waitInSync(client, replicaClient);
      await assertSameHlls(client, replicaClient);
      await assertPfcountPropagation(client);
      await waitInSync(client, replicaClient);
      await assertSameHlls(client, replicaClient);
    } finally {
      replicaClient.close();
      client.close();
      await replica.stop();
      await ours.close();
    }
  },
);
