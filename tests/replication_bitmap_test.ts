// Bitmaps across replication, both directions with a real redis-server 7.0: a master holding
// SETBIT'ed, BITOP'ed and BITFIELD-written strings (a 100 KB bitmap among them, a TTL, two
// databases), a full sync, then live SETBIT / BITOP / BITFIELD writes of every shape (a bit
// flipped inside a value, a value grown, a write that changes nothing and must not be sent, an
// empty BITOP result deleting its destination, MULTI/EXEC, another database); after each phase
// every key is compared byte for byte (GET) on master and replica, with its type and whether it
// has a TTL.
//
// (a) redis-server master → resplica replica: resplica applies Redis's stream (argv as sent).
// (b) resplica master → redis-server replica: Redis applies ours, and one more write: a BITFIELD
//     whose only op OVERFLOW FAIL refuses still grows its string; Redis does not propagate that
//     (its replicas miss the padding), resplica does, so both ends hold the same bytes.

import assert from "node:assert/strict";
import { blobText, latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import {
  infoField,
  run,
  startMaster,
  startRedisReplica,
  startReplica,
  waitInSync,
} from "./_support/replication.ts";

/** The databases the writes use. */
const DBS = [0, 3];
/** A bit far enough out that its bitmap exceeds the engine's 64 KiB direct-write threshold. */
const BIG_BIT_OFFSET = 800_000;
/** Replies longer than this show in a digest as their length and hash. */
const SHOWN_VALUE_BYTES_MAX = 200;

/** Bitmaps written before the replica connects; ends in db 0. */
async function fillBitmaps(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "SETBIT", "bm:small", "7", "1");
  await run(client, "SETBIT", "bm:small", "100", "1");
  await run(client, "SETBIT", "bm:ttl", "33", "1");
  await run(client, "EXPIRE", "bm:ttl", "1000");
  await run(client, "SETBIT", "bm:big", String(BIG_BIT_OFFSET), "1");
  await run(client, "SETBIT", "bm:big", "1", "1");
  await run(client, "SET", "bm:int", "12");
  await run(client, "SETBIT", "bm:int", "0", "0");
  await run(client, "BITOP", "AND", "bm:and", "bm:small", "bm:big");
  await run(client, "BITOP", "OR", "bm:or", "bm:small", "bm:ttl", "bm:int");
  await run(client, "BITOP", "XOR", "bm:xor", "bm:small", "bm:int");
  await run(client, "BITOP", "NOT", "bm:not", "bm:small");
  await run(
    client,
    "BITFIELD",
    "bm:field",
    "SET",
    "i8",
    "0",
    "-100",
    "INCRBY",
    "u12",
    "#3",
    "4000",
  );
  await run(client, "BITFIELD", "bm:field", "OVERFLOW", "SAT", "INCRBY", "i16", "40", "-99999");
  await run(client, "SELECT", "3");
  await run(client, "SETBIT", "bm:db3", "12", "1");
  await run(client, "SELECT", "0");
}

/** Live writes of every shape, ending in db 0. */
async function liveBitmapWrites(client: RawClient): Promise<void> {
  await run(client, "SELECT", "0");
  await run(client, "SETBIT", "bm:small", "7", "0"); // inside the value
  await run(client, "SETBIT", "bm:small", "2000", "1"); // grows it
  await run(client, "SETBIT", "bm:small", "3", "0"); // changes nothing
  await run(client, "SETBIT", "bm:big", "5", "1"); // inside a large value
  await run(client, "SETBIT", "bm:big", String(BIG_BIT_OFFSET + 9000), "1");
  await run(client, "SETBIT", "bm:ttl", "0", "1");
  await run(client, "SETBIT", "bm:new", "64", "1");
  await run(client, "BITOP", "XOR", "bm:xor", "bm:small", "bm:big");
  await run(client, "BITOP", "NOT", "bm:not", "bm:field");
  await run(client, "BITOP", "AND", "bm:and", "bm:nothing"); // empty: deletes bm:and
  await run(client, "BITOP", "OR", "bm:ttl2", "bm:ttl");
  await run(
    client,
    "BITFIELD",
    "bm:field",
    "INCRBY",
    "u8",
    "#3",
    "300",
    "OVERFLOW",
    "SAT",
    "INCRBY",
    "i16",
    "0",
    "-99999",
    "GET",
    "u8",
    "0",
  );
  await run(client, "BITFIELD", "bm:field2", "SET", "i64", "100", "-5", "SET", "u63", "200", "7");
  await run(client, "BITFIELD", "bm:field2", "OVERFLOW", "FAIL", "INCRBY", "i64", "100", "1");
  await run(client, "BITFIELD", "bm:field", "GET", "u8", "0"); // reads only: nothing to send
  await run(client, "MULTI");
  await run(client, "SETBIT", "bm:tx", "5", "1");
  await run(client, "BITFIELD", "bm:tx", "INCRBY", "u4", "0", "7");
  await run(client, "BITOP", "NOT", "bm:tx2", "bm:tx");
  await run(client, "EXEC");
  await run(client, "SELECT", "3");
  await run(client, "SETBIT", "bm:db3", "9", "1");
  await run(client, "BITOP", "NOT", "bm:db3not", "bm:db3");
  await run(client, "SELECT", "0");
  await run(client, "SET", "bm:last", "x");
}

/**
 * Every key of DBS as `db key type ttl? value` lines, sorted: the value as GET's raw reply
 * (latin1, so every byte shows; hashed when long), TTLs only as present or not (the two
 * clocks differ by ms).
 */
async function bitmapDigest(client: RawClient): Promise<string> {
  const lines: string[] = [];
  for (const db of DBS) {
    await run(client, "SELECT", String(db));
    const keys = splitAggregate(await client.command("KEYS", "*"))!.map((k) => blobText(k)!);
    for (const key of keys.sort()) {
      const type = (await client.commandText("TYPE", key)).trim();
      const ttl = (await client.commandText("PTTL", key)).trim() === ":-1" ? "no-ttl" : "ttl";
      const value = await client.command("GET", key);
      lines.push(`${db} ${key} ${type} ${ttl} ${await shownValue(value)}`);
    }
  }
  await run(client, "SELECT", "0");
  return lines.join("\n");
}

/** A reply as text, or for a long one its length and SHA-256 (a failure stays readable). */
async function shownValue(reply: Uint8Array): Promise<string> {
  if (reply.length <= SHOWN_VALUE_BYTES_MAX) return JSON.stringify(latin1Text(reply));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", reply.slice()));
  const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${reply.length} bytes, sha256 ${hex}`;
}

async function assertSameBitmaps(master: RawClient, replica: RawClient): Promise<void> {
  const expected = await bitmapDigest(master);
  assert.ok(expected.includes("bm:small"), "the master holds the bitmaps");
  assert.equal(await bitmapDigest(replica), expected);
}

peerTest("replication: a redis-server master's bitmaps reach a resplica replica", async () => {
  const master = await startRedisServer(["--repl-diskless-sync-delay", "0"]);
  const masterClient = await RawClient.connect(master.port);
  let ours: Awaited<ReturnType<typeof startReplica>> | undefined;
  let client: RawClient | undefined;
  try {
    await fillBitmaps(masterClient);
    ours = await startReplica(master.port);
    client = await RawClient.connect(ours.port);
    await waitInSync(masterClient, client);
    await assertSameBitmaps(masterClient, client);
    await liveBitmapWrites(masterClient);
    await waitInSync(masterClient, client);
    await assertSameBitmaps(masterClient, client);
    // BITFIELD_RO reads on the replica; BITFIELD, a write command, is refused there.
    assert.equal(
      await client.commandText("BITFIELD_RO", "bm:field", "GET", "u8", "0"),
      await masterClient.commandText("BITFIELD_RO", "bm:field", "GET", "u8", "0"),
    );
    assert.match(await client.commandText("BITFIELD", "bm:field", "GET", "u8", "0"), /^-READONLY/);
    assert.equal(
      await infoField(client, "replication", "resplica_master_stream_errors"),
      "0",
      "the replica applied every command of the stream",
    );
  } finally {
    client?.close();
    masterClient.close();
    await ours?.close();
    await master.stop();
  }
});

peerTest("replication: a resplica master's bitmaps reach a redis-server replica", async () => {
  const ours = await startMaster();
  const client = await RawClient.connect(ours.port);
  let replica: Awaited<ReturnType<typeof startRedisReplica>> | undefined;
  let replicaClient: RawClient | undefined;
  try {
    await fillBitmaps(client);
    replica = await startRedisReplica(ours.port);
    replicaClient = await RawClient.connect(replica.port);
    await waitInSync(client, replicaClient);
    await assertSameBitmaps(client, replicaClient);
    await liveBitmapWrites(client);
    assert.equal(
      await client.commandText(
        "BITFIELD",
        "bm:grown",
        "OVERFLOW",
        "FAIL",
        "INCRBY",
        "u2",
        "200",
        "9",
      ),
      "*1\r\n$-1\r\n",
    );
    await waitInSync(client, replicaClient);
    await assertSameBitmaps(client, replicaClient);
    assert.equal(await replicaClient.commandText("STRLEN", "bm:grown"), ":26\r\n");
  } finally {
    replicaClient?.close();
    client.close();
    await replica?.stop();
    await ours.close();
  }
});
