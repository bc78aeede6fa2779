// Streams across replication, both ways with a real redis-server 7.0:
//
//   (a) redis-server master ──► resplica replica
//   (b) resplica master     ──► redis-server replica
//
// The master holds streams of every shape before the replica connects (entries with several
// field sets, XDEL holes, trimmed heads, XSETID counters, an empty stream with a group, groups
// with pending entries, consumers with and without them, a TTL, a second database), so the
// full sync carries them as RDB type 19 records. Then live writes run on the master — XADD with
// `*` and `<ms>-*` IDs and approximate trims (propagated with the ID made and the exact trim),
// XREADGROUP with and without NOACK, a blocked XREADGROUP served by an XADD, XACK, XCLAIM with a
// relative IDLE, XAUTOCLAIM over deleted entries, XTRIM, XDEL, the XGROUP subcommands and a
// MULTI block — and both sides must answer XRANGE and XINFO STREAM FULL alike.
//
// Masked in the comparison, because they are not replicated state: consumers' seen-time (a
// replica stamps consumers it creates with its own clock, as Redis's replicas do) and the
// radix-tree node counts (a replica's node layout comes from its own loading and appends).
// A group's entries-read (and the lag derived from it) is not replicated by Redis 7.0 either:
// a delivery goes out as XCLAIM … LASTID, which moves the last-delivered ID but leaves the
// replica's counter as it was. So in (a) a real redis-server replica of the same master is the
// reference for those two fields (resplica's replica must equal it exactly), and against the
// master they are masked.

import assert from "node:assert/strict";
import { latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import {
  run,
  startMaster,
  startRedisReplica,
  startReplica,
  waitInSync,
} from "./_support/replication.ts";

/** Databases the dataset uses. */
const DATABASES = ["0", "2"];
/** Entries of the long stream: enough for many nodes at the default node limits. */
const LONG_STREAM_ENTRY_COUNT = 2_500;
/** A blocked reader is given this long to reach the master before the write that serves it. */
const PARK_SETTLE_MS = 100;

/** Streams of every shape in two databases, before any replica connects. */
async function fillStreams(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  for (let i = 1; i <= LONG_STREAM_ENTRY_COUNT; i++) {
    const fields = i % 7 === 0
      ? ["item", String(i), "extra", "x".repeat(i % 50)]
      : ["item", String(i)];
    await run(client, "XADD", "st:long", `${1000 + i}-${i % 3}`, ...fields);
  }
  await run(client, "XDEL", "st:long", "1010-1", "1500-0", "2000-2", "3500-2");
  await run(client, "XTRIM", "st:long", "MAXLEN", "2400");
  await run(client, "XADD", "st:holes", "1-0", "a", "1");
  await run(client, "XADD", "st:holes", "2-0", "a", "2");
  await run(client, "XADD", "st:holes", "3-0", "a", "3");
  await run(client, "XDEL", "st:holes", "2-0");
  await run(client, "XSETID", "st:holes", "50-0", "ENTRIESADDED", "10", "MAXDELETEDID", "40-0");
  await run(client, "XGROUP", "CREATE", "st:empty", "g", "$", "MKSTREAM");
  await run(client, "XADD", "st:ttl", "5-5", "k", "v");
  await run(client, "EXPIRE", "st:ttl", "10000");
  // Groups: pending entries of several consumers, a consumer without any, a NOACK reader.
  await run(client, "XGROUP", "CREATE", "st:long", "workers", "0");
  await run(client, "XGROUP", "CREATE", "st:long", "audit", "1500-0", "ENTRIESREAD", "400");
  await run(
    client,
    "XREADGROUP",
    "GROUP",
    "workers",
    "alice",
    "COUNT",
    "30",
    "STREAMS",
    "st:long",
    ">",
  );
  await run(
    client,
    "XREADGROUP",
    "GROUP",
    "workers",
    "bob",
    "COUNT",
    "20",
    "STREAMS",
    "st:long",
    ">",
  );
  await run(
    client,
    "XREADGROUP",
    "GROUP",
    "audit",
    "carol",
    "NOACK",
    "COUNT",
    "5",
    "STREAMS",
    "st:long",
    ">",
  );
  await run(client, "XGROUP", "CREATECONSUMER", "st:long", "workers", "idle-dave");
  await run(client, "XACK", "st:long", "workers", "1001-1", "1002-2", "1003-0");
  await run(
    client,
    "XCLAIM",
    "st:long",
    "workers",
    "bob",
    "0",
    "1004-1",
    "TIME",
    "1700000000000",
    "RETRYCOUNT",
    "9",
  );
  await run(client, "XSETID", "st:long", "999999-0");
  await run(client, "SELECT", "2");
  await run(client, "XADD", "st:db2", "1-1", "f", "v");
  await run(client, "XGROUP", "CREATE", "st:db2", "g", "0");
  await run(client, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "st:db2", ">");
  await run(client, "SELECT", "0");
}

/** Live writes the replica must replay to the same streams. */
async function liveStreamWrites(master: RawClient, masterPort: number): Promise<void> {
  await run(master, "SELECT", "0");
  await run(master, "XADD", "st:live", "*", "a", "1");
  await run(master, "XADD", "st:live", "*", "b", "2");
  await run(master, "XADD", "st:live", "MAXLEN", "~", "1", "*", "c", "3");
  await run(master, "XADD", "st:seq", "7-*", "a", "1");
  await run(master, "XADD", "st:seq", "7-*", "a", "2");
  await run(master, "XADD", "st:long", "MINID", "~", "1300", "1000000-0", "item", "new");
  await run(master, "XTRIM", "st:long", "MAXLEN", "~", "2000");
  await run(master, "XTRIM", "st:long", "MINID", "1400-1");
  await run(master, "XDEL", "st:long", "1450-0", "1451-1");
  await run(
    master,
    "XREADGROUP",
    "GROUP",
    "workers",
    "alice",
    "COUNT",
    "10",
    "STREAMS",
    "st:long",
    ">",
  );
  await run(
    master,
    "XREADGROUP",
    "GROUP",
    "audit",
    "erin",
    "NOACK",
    "COUNT",
    "3",
    "STREAMS",
    "st:long",
    ">",
  );
  await run(master, "XACK", "st:long", "workers", "1401-1", "1402-2");
  await run(
    master,
    "XCLAIM",
    "st:long",
    "workers",
    "frank",
    "0",
    "1403-0",
    "1404-1",
    "IDLE",
    "5000",
  );
  await run(master, "XCLAIM", "st:long", "workers", "frank", "0", "1405-2", "JUSTID");
  await run(master, "XDEL", "st:long", "1406-0", "1407-1");
  await run(master, "XAUTOCLAIM", "st:long", "workers", "gina", "0", "0", "COUNT", "8");
  await run(master, "XGROUP", "CREATECONSUMER", "st:long", "workers", "hank");
  await run(master, "XGROUP", "DELCONSUMER", "st:long", "workers", "bob");
  await run(master, "XGROUP", "SETID", "st:long", "audit", "1600-0", "ENTRIESREAD", "500");
  await run(master, "XGROUP", "CREATE", "st:live", "g", "0");
  await run(master, "XGROUP", "CREATE", "st:live", "h", "0");
  await run(master, "XGROUP", "DESTROY", "st:live", "h");
  await run(master, "MULTI");
  await run(master, "XADD", "st:live", "*", "d", "4");
  await run(master, "XREADGROUP", "GROUP", "g", "ivy", "STREAMS", "st:live", ">");
  await run(master, "XACK", "st:live", "g", "0-1");
  await run(master, "EXEC");
  // A blocked group reader, served by a later XADD: its delivery must reach the replica too.
  const reader = await RawClient.connect(masterPort);
  try {
    await run(reader, "XGROUP", "CREATE", "st:blocked", "g", "$", "MKSTREAM");
    const served = reader.command(
      "XREADGROUP",
      "GROUP",
      "g",
      "jay",
      "BLOCK",
      "0",
      "STREAMS",
      "st:blocked",
      ">",
    );
    await delay(PARK_SETTLE_MS);
    await run(master, "XADD", "st:blocked", "9-9", "woke", "1");
    assert.ok(latin1Text(await served).includes("woke"), "the blocked reader was served");
  } finally {
    reader.close();
  }
  await run(master, "SELECT", "2");
  await run(master, "XADD", "st:db2", "2-2", "f", "w");
  await run(master, "XREADGROUP", "GROUP", "g", "c", "STREAMS", "st:db2", ">");
  await run(master, "SELECT", "0");
}

/** seen-time values and radix-tree node counts (see the file comment). */
const UNREPLICATED =
  /(?<=\$9\r\nseen-time\r\n:)\d+|(?<=\$15\r\nradix-tree-keys\r\n:)\d+|(?<=\$16\r\nradix-tree-nodes\r\n:)\d+/g;
/** Groups' entries-read and lag: Redis 7.0 does not replicate them (see the file comment). */
const GROUP_COUNTERS = /(?<=\$12\r\nentries-read\r\n)(:\d+|\$-1)|(?<=\$3\r\nlag\r\n)(:\d+|\$-1)/g;

/** Every stream key of the dataset's databases with its XRANGE and XINFO STREAM FULL replies. */
async function streamViews(client: RawClient, masks: RegExp[]): Promise<Map<string, string>> {
  const views = new Map<string, string>();
  for (const db of DATABASES) {
    await run(client, "SELECT", db);
    const keys = splitAggregate(await client.command("KEYS", "*"))!.map((reply) => {
      const text = latin1Text(reply);
      return text.slice(text.indexOf("\r\n") + 2, -2);
    });
    for (const key of keys.sort()) {
      const range = latin1Text(await client.command("XRANGE", key, "-", "+"));
      const info = latin1Text(await client.command("XINFO", "STREAM", key, "FULL", "COUNT", "0"));
      const ttl = latin1Text(await client.command("PEXPIRETIME", key));
      const shown = masks.reduce((text, mask) => text.replace(mask, "#"), info);
      views.set(`${db}:${key}`, `${range}\n${shown}\n${ttl}`);
    }
  }
  await run(client, "SELECT", "0");
  return views;
}

/**
 * Asserts `replica` holds exactly the streams `reference` holds, up to `masks`; `what` names
 * the pair in failures.
 */
async function assertSameStreams(
  reference: RawClient,
  replica: RawClient,
  what: string,
  masks: RegExp[] = [UNREPLICATED, GROUP_COUNTERS],
): Promise<void> {
  const expected = await streamViews(reference, masks);
  const actual = await streamViews(replica, masks);
  assert.deepEqual([...actual.keys()], [...expected.keys()]);
  for (const [key, view] of expected) {
    assert.ok(view.startsWith("*"), `${key} is no stream: ${view.slice(0, 80)}`);
    assert.equal(actual.get(key), view, `${key} differs between ${what}`);
  }
}

peerTest("replication: a resplica replica of redis-server keeps its streams", async () => {
  const master = await startRedisServer([
    "--repl-diskless-sync-delay",
    "0",
    "--repl-ping-replica-period",
    "3600",
  ]);
  const masterClient = await RawClient.connect(master.port);
  await fillStreams(masterClient);
  const ours = await startReplica(master.port);
  const client = await RawClient.connect(ours.port);
  const theirs = await startRedisReplica(master.port);
  const theirsClient = await RawClient.connect(theirs.port);
  try {
    await waitInSync(masterClient, client);
    await waitInSync(masterClient, theirsClient);
    await assertSameStreams(masterClient, client, "master and replica");
    await assertSameStreams(theirsClient, client, "replicas", [UNREPLICATED]);
    await liveStreamWrites(masterClient, master.port);
    await waitInSync(masterClient, client);
    await waitInSync(masterClient, theirsClient);
    await assertSameStreams(masterClient, client, "master and replica");
    await assertSameStreams(theirsClient, client, "replicas", [UNREPLICATED]);
    assert.match(await client.commandText("XADD", "st:live", "*", "x", "y"), /^-READONLY/);
    const errors = latin1Text(await client.command("INFO", "replication"));
    assert.match(errors, /resplica_master_stream_errors:0\r\n/, "every command applied");
  } finally {
    theirsClient.close();
    client.close();
    masterClient.close();
    await theirs.stop();
    await ours.close();
    await master.stop();
  }
});

peerTest("replication: a redis-server replica of resplica keeps its streams", async () => {
  const ours = await startMaster({ "repl-ping-replica-period": "3600" });
  const client = await RawClient.connect(ours.port);
  await fillStreams(client);
  const replica = await startRedisReplica(ours.port);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    await waitInSync(client, replicaClient);
    await assertSameStreams(client, replicaClient, "master and replica");
    await liveStreamWrites(client, ours.port);
    await waitInSync(client, replicaClient);
    await assertSameStreams(client, replicaClient, "master and replica");
  } finally {
    replicaClient.close();
    client.close();
    await replica.stop();
    await ours.close();
  }
});
