// Geo sets across replication with real redis-server 7.0, both ways: a redis-server master with a
// resplica replica, and a resplica master with a redis-server replica. Each gets a full sync of
// geo sets (GEOADD and GEOSEARCHSTORE results, a skiplist-sized one among them), then live geo
// writes, after which every key is compared on both sides (ZRANGE 0 -1 WITHSCORES).
//
// What travels: GEOADD as the ZADD Redis rewrites it into (integer geohash scores), the STORE
// forms as they were sent (the replica recomputes them, STOREDIST distances to the last bit). The
// same live writes must also advance master_repl_offset by the same number of bytes on both
// masters: the bytes resplica propagates are the bytes redis-server propagates.

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

/** Points of a skiplist-encoded set (more than zset-max-listpack-entries, 128). */
const GRID_SIDE = 12;

/** Geo sets written before the replica connects (reach it by the full sync). */
const SNAPSHOT_WRITES: string[][] = [
  ["GEOADD", "Sicily", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
  ["GEOADD", "Sicily", "12.758489", "38.788135", "edge1", "17.241510", "38.788135", "edge2"],
  ["GEOADD", "limits", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw", "0", "0", "o"],
  gridGeoadd("grid", 10, 40, GRID_SIDE, 0.05),
  ["GEOSEARCHSTORE", "near", "grid", "FROMLONLAT", "10.2", "40.2", "BYRADIUS", "20", "km"],
  ["GEOSEARCHSTORE", "dist", "grid", "FROMMEMBER", "g3_4", "BYBOX", "30", "20", "km", "STOREDIST"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "STOREDIST", "sicily:dist"],
  ["GEORADIUSBYMEMBER", "grid", "g0_0", "10", "mi", "STORE", "corner", "COUNT", "5"],
];

/** Geo writes made while the replica is online (reach it by the live stream). */
const LIVE_WRITES: string[][] = [
  ["GEOADD", "Sicily", "14.5", "37.5", "Enna", "15.55", "38.19", "Messina"],
  ["GEOADD", "Sicily", "CH", "XX", "13.4", "38.1", "Palermo", "1", "1", "ghost"],
  ["GEOADD", "Sicily", "nx", "13.5", "38.2", "Palermo", "12.5", "37.8", "Marsala"],
  ["GEOADD", "Sicily", "13.4", "38.1", "Palermo"],
  ["GEOADD", "limits", "179.9999", "-85", "edge", "-179.9999", "85", "edge2"],
  ["GEOSEARCHSTORE", "live:box", "Sicily", "FROMLONLAT", "14", "37.8", "BYBOX", "300", "200", "km"],
  ["GEOSEARCHSTORE", "live:dist", "grid", "FROMLONLAT", "10.3", "40.3", "BYRADIUS", "25", "km"],
  ["GEOSEARCHSTORE", "dist", "grid", "FROMMEMBER", "g5_5", "BYRADIUS", "15", "km", "STOREDIST"],
  [
    "GEOSEARCHSTORE",
    "live:desc",
    "grid",
    "FROMMEMBER",
    "g1_1",
    "BYBOX",
    "40",
    "40",
    "km",
    "DESC",
    "COUNT",
    "7",
    "STOREDIST",
  ],
  ["GEORADIUS", "Sicily", "15", "37", "300", "km", "STORE", "live:radius"],
  [
    "GEORADIUS",
    "grid",
    "10.25",
    "40.25",
    "30",
    "km",
    "ASC",
    "COUNT",
    "9",
    "STOREDIST",
    "live:nine",
  ],
  ["GEORADIUSBYMEMBER", "Sicily", "Enna", "150", "km", "STOREDIST", "live:enna"],
  ["GEORADIUSBYMEMBER", "limits", "ne", "3000", "km", "STORE", "live:pole"],
  // Into keys of other types, an empty result (deletes), a missing source (deletes).
  ["SET", "live:str", "v"],
  ["GEORADIUS", "Sicily", "15", "37", "300", "km", "STOREDIST", "live:str"],
  ["HSET", "live:hash", "f", "v"],
  ["GEOSEARCHSTORE", "live:hash", "grid", "FROMLONLAT", "10", "40", "BYRADIUS", "5", "km"],
  ["GEOSEARCHSTORE", "near", "grid", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
  ["GEORADIUS", "no-such-key", "0", "0", "1", "km", "STORE", "corner"],
  // Read-only forms and searches without STORE propagate nothing.
  ["GEORADIUS_RO", "Sicily", "15", "37", "200", "km", "WITHDIST"],
  ["GEOSEARCH", "grid", "FROMMEMBER", "g2_2", "BYRADIUS", "10", "km"],
  ["GEORADIUS", "Sicily", "15", "37", "200", "km", "WITHCOORD"],
  ["GEOADD", "live:last", "1", "1", "done"],
];

function gridGeoadd(key: string, lon0: number, lat0: number, side: number, step: number) {
  const args = ["GEOADD", key];
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < side; j++) {
      args.push(String(lon0 + i * step), String(lat0 + j * step), `g${i}_${j}`);
    }
  }
  return args;
}

async function runAll(client: RawClient, commands: string[][]): Promise<void> {
  for (const command of commands) await run(client, ...command);
}

/** Every key with its type and, for sorted sets, ZRANGE 0 -1 WITHSCORES; sorted by key. */
async function keyspaceOf(client: RawClient): Promise<string[]> {
  const keys = (splitAggregate(await client.command("KEYS", "*")) ?? []).map((reply) =>
    latin1Text(reply).split("\r\n")[1]
  ).sort();
  const entries: string[] = [];
  for (const key of keys) {
    const type = latin1Text(await client.command("TYPE", key));
    const body = type === "+zset\r\n"
      ? latin1Text(await client.command("ZRANGE", key, "0", "-1", "WITHSCORES"))
      : "";
    entries.push(`${key} ${type.trim()} ${body}`);
  }
  return entries;
}

async function assertSameKeyspace(master: RawClient, replica: RawClient): Promise<void> {
  const expected = await keyspaceOf(master);
  assert.ok(expected.length >= 7, `too few keys to compare: ${expected.length}`);
  assert.deepEqual(await keyspaceOf(replica), expected);
}

/** master_repl_offset growth while `commands` run on `client` (replicas in sync around it). */
async function offsetGrowth(
  master: RawClient,
  replica: RawClient,
  commands: string[][],
): Promise<number> {
  const before = Number(await infoField(master, "replication", "master_repl_offset"));
  await runAll(master, commands);
  await waitInSync(master, replica);
  return Number(await infoField(master, "replication", "master_repl_offset")) - before;
}

/** Bytes the live writes added to each master's stream, shared by the two tests. */
const liveStreamBytes: { redis?: number; resplica?: number } = {};

peerTest("geo replication: redis-server master, resplica replica", async () => {
  const master = await startRedisServer([
    "--repl-diskless-sync-delay",
    "0",
    "--repl-ping-replica-period",
    "3600",
  ]);
  const masterClient = await RawClient.connect(master.port);
  try {
    await runAll(masterClient, SNAPSHOT_WRITES);
    const replica = await startReplica(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(masterClient, replicaClient);
      await assertSameKeyspace(masterClient, replicaClient);
      liveStreamBytes.redis = await offsetGrowth(masterClient, replicaClient, LIVE_WRITES);
      await assertSameKeyspace(masterClient, replicaClient);
      assert.equal(
        await run(replicaClient, "OBJECT", "ENCODING", "grid"),
        await run(masterClient, "OBJECT", "ENCODING", "grid"),
      );
    } finally {
      replicaClient.close();
      await replica.close();
    }
  } finally {
    masterClient.close();
    await master.stop();
  }
});

peerTest("geo replication: resplica master, redis-server replica", async () => {
  const master = await startMaster({ "repl-ping-replica-period": "3600" });
  const masterClient = await RawClient.connect(master.port);
  try {
    await runAll(masterClient, SNAPSHOT_WRITES);
    const replica = await startRedisReplica(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(masterClient, replicaClient);
      await assertSameKeyspace(masterClient, replicaClient);
      liveStreamBytes.resplica = await offsetGrowth(masterClient, replicaClient, LIVE_WRITES);
      await assertSameKeyspace(masterClient, replicaClient);
      if (liveStreamBytes.redis !== undefined) {
        assert.equal(
          liveStreamBytes.resplica,
          liveStreamBytes.redis,
          "the live geo writes took a different number of stream bytes than on redis-server",
        );
      }
    } finally {
      replicaClient.close();
      await replica.stop();
    }
  } finally {
    masterClient.close();
    await master.close();
  }
});
