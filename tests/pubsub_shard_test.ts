// Sharded Pub/Sub (SSUBSCRIBE / SUNSUBSCRIBE / SPUBLISH, PUBSUB SHARDCHANNELS / SHARDNUMSUB)
// as a standalone Redis 7.0 serves it: the same subscriber and publisher scripts run against
// redis-server and resplica and every raw reply and pushed message must be identical, in RESP2
// and RESP3; then ioredis and node-redis each receive a sharded message, and a replica's shard
// subscriber receives what its master's SPUBLISH propagated.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startServer } from "../mod.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { isSelfTest, startSubject } from "./_support/subject.ts";
import { startMaster, startRedisReplica, waitInSync } from "./_support/replication.ts";

type Step =
  | { client: "sub" | "pub"; send: string[]; replies: number; ignore?: boolean }
  | { client: "sub"; expectPushes: number };

/** Runs the script on one server; returns every reply and push in order, as text. */
async function runScript(port: number, steps: Step[]): Promise<string[]> {
  const sub = await RawClient.connect(port);
  const pub = await RawClient.connect(port);
  const seen: string[] = [];
  try {
    for (const step of steps) {
      if ("expectPushes" in step) {
        for (const reply of await sub.readReplies(step.expectPushes)) seen.push(latin1Text(reply));
        continue;
      }
      const client = step.client === "sub" ? sub : pub;
      await client.send(step.send.join(" ") + "\r\n");
      for (const reply of await client.readReplies(step.replies)) {
        if (!step.ignore) seen.push(`${step.client}: ${latin1Text(reply)}`);
      }
    }
  } finally {
    sub.close();
    pub.close();
  }
  return seen;
}

async function compareWithRedis(steps: Step[]): Promise<void> {
  const redis = await startRedisServer();
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  try {
    const expected = await runScript(redis.port, steps);
    const actual = await runScript(ours.port, steps);
    assert.deepEqual(actual, expected);
  } finally {
    await ours.close();
    await redis.stop();
  }
}

peerTest(
  "pubsub shard: RESP2 ssubscribe, spublish, counts and context match redis-server",
  async () => {
    await compareWithRedis([
      { client: "sub", send: ["SSUBSCRIBE", "a", "b"], replies: 2 },
      { client: "sub", send: ["SSUBSCRIBE", "a"], replies: 1 },
      // Shard and plain subscriptions are counted apart.
      { client: "sub", send: ["SUBSCRIBE", "c"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "a", "hello"], replies: 1 },
      { client: "sub", expectPushes: 1 },
      // Two namespaces: PUBLISH never reaches a shard subscriber, nor SPUBLISH a plain one.
      { client: "pub", send: ["PUBLISH", "a", "x"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "c", "x"], replies: 1 },
      // Patterns never match shard channels.
      { client: "sub", send: ["PSUBSCRIBE", "*"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "b", "m"], replies: 1 },
      { client: "sub", expectPushes: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDNUMSUB", "a", "b", "c", "none"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDNUMSUB"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDCHANNELS", "a*"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDCHANNELS", "z*"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "CHANNELS"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "NUMSUB", "a"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "HELP"], replies: 1 },
      { client: "sub", send: ["GET", "k"], replies: 1 },
      { client: "sub", send: ["PING"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE", "a", "nope"], replies: 2 },
      { client: "sub", send: ["UNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["PUNSUBSCRIBE"], replies: 1 },
      // Still subscribed (to shard channel b): the RESP2 context still holds.
      { client: "sub", send: ["GET", "k"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["PING"], replies: 1 },
      { client: "sub", send: ["SSUBSCRIBE"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "a"], replies: 1 },
      // EXEC runs commands as a DENY BLOCKING client: SSUBSCRIBE fails there.
      { client: "pub", send: ["MULTI"], replies: 1 },
      { client: "pub", send: ["SSUBSCRIBE", "q"], replies: 1 },
      { client: "pub", send: ["EXEC"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDNUMSUB", "q"], replies: 1 },
      { client: "pub", send: ["EVAL", '\'return redis.call("ssubscribe","q")\'', "0"], replies: 1 },
      // RESET drops shard subscriptions.
      { client: "sub", send: ["SSUBSCRIBE", "r"], replies: 1 },
      { client: "sub", send: ["RESET"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "r", "x"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "SHARDCHANNELS"], replies: 1 },
    ]);
  },
);

peerTest(
  "pubsub shard: RESP3 pushes and commands while subscribed match redis-server",
  async () => {
    // HELLO 3 is left out of the comparison (its map names each server's version).
    await compareWithRedis([
      { client: "sub", send: ["HELLO", "3"], replies: 1, ignore: true },
      { client: "sub", send: ["SSUBSCRIBE", "ch", "other"], replies: 2 },
      { client: "sub", send: ["SET", "k", "v"], replies: 1 },
      { client: "pub", send: ["SPUBLISH", "ch", "m1"], replies: 1 },
      { client: "sub", expectPushes: 1 },
      { client: "sub", send: ["GET", "k"], replies: 1 },
      { client: "sub", send: ["PING"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE", "ch"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["SUNSUBSCRIBE"], replies: 1 },
    ]);
  },
);

peerTest("pubsub shard: ACL channel permissions match redis-server", async () => {
  await compareWithRedis([
    {
      client: "pub",
      send: ["ACL", "SETUSER", "u", "on", "nopass", "+@all", "~*", "resetchannels", "&a*"],
      replies: 1,
    },
    { client: "sub", send: ["AUTH", "u", "x"], replies: 1 },
    { client: "sub", send: ["SSUBSCRIBE", "b"], replies: 1 },
    { client: "sub", send: ["SPUBLISH", "b", "x"], replies: 1 },
    { client: "sub", send: ["SSUBSCRIBE", "a1"], replies: 1 },
    { client: "pub", send: ["PUBSUB", "SHARDNUMSUB", "a1"], replies: 1 },
    // Narrowing u's channels disconnects its shard subscriber, as for SUBSCRIBE.
    { client: "pub", send: ["ACL", "SETUSER", "u", "resetchannels", "&z"], replies: 1 },
    { client: "pub", send: ["PUBSUB", "SHARDNUMSUB", "a1"], replies: 1 },
  ]);
});

Deno.test("pubsub shard: CLIENT LIST shows ssub= and flag P", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const sub = await RawClient.connect(server.port);
  const other = await RawClient.connect(server.port);
  try {
    await sub.send("HELLO 3\r\nSSUBSCRIBE x y\r\nSUBSCRIBE z\r\n");
    await sub.readReplies(4);
    const info = latin1Text(await sub.command("CLIENT", "INFO"));
    assert.match(info, / flags=P db=0 sub=1 psub=0 ssub=2 /);
    const list = latin1Text(await other.command("CLIENT", "LIST", "TYPE", "pubsub"));
    assert.match(list, / ssub=2 /);
  } finally {
    sub.close();
    other.close();
    await server.close();
  }
});

peerTest(
  "pubsub shard: SPUBLISH on a resplica master reaches a redis-server replica's subscriber",
  async () => {
    const master = await startMaster();
    const replica = await startRedisReplica(master.port);
    const masterClient = await RawClient.connect(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    const sub = await RawClient.connect(replica.port);
    try {
      await waitInSync(masterClient, replicaClient);
      await sub.send("SSUBSCRIBE feed\r\n");
      await sub.readReplies(1);
      assert.equal(await masterClient.commandText("SPUBLISH", "feed", "hi"), ":0\r\n");
      assert.equal(
        latin1Text((await sub.readReplies(1))[0]),
        "*3\r\n$8\r\nsmessage\r\n$4\r\nfeed\r\n$2\r\nhi\r\n",
      );
      await waitInSync(masterClient, replicaClient);
    } finally {
      sub.close();
      masterClient.close();
      replicaClient.close();
      await replica.stop();
      await master.close();
    }
  },
);

/** What the client-library tests need on PATH: nothing, unless redis-server stands in. */
const CLIENT_BINARIES = isSelfTest() ? ["redis-server"] : [];

peerTest("pubsub shard: ioredis ssubscribe receives an spublish", async () => {
  const subject = await startSubject();
  const options = {
    host: "127.0.0.1",
    port: subject.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  };
  const subscriber = new Redis(options);
  const publisher = new Redis(options);
  try {
    await subscriber.connect();
    await publisher.connect();
    const received = new Promise<[string, string]>((resolve) => {
      subscriber.on("smessage", (channel: string, message: string) => resolve([channel, message]));
    });
    assert.equal(await subscriber.ssubscribe("news"), 1);
    assert.equal(await publisher.spublish("news", "hello"), 1);
    assert.deepEqual(await received, ["news", "hello"]);
    assert.deepEqual(await publisher.call("PUBSUB", "SHARDNUMSUB", "news"), ["news", 1]);
  } finally {
    await subscriber.quit().catch(() => subscriber.disconnect());
    await publisher.quit().catch(() => publisher.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });

peerTest("pubsub shard: node-redis sSubscribe receives an sPublish", async () => {
  const subject = await startSubject();
  const publisher = createClient({ url: `redis://127.0.0.1:${subject.port}` });
  const subscriber = publisher.duplicate();
  try {
    await publisher.connect();
    await subscriber.connect();
    let resolveMessage: (value: [string, string]) => void = () => {};
    const received = new Promise<[string, string]>((resolve) => resolveMessage = resolve);
    await subscriber.sSubscribe("news", (message, channel) => resolveMessage([channel, message]));
    assert.equal(await publisher.sPublish("news", "hello"), 1);
    assert.deepEqual(await received, ["news", "hello"]);
    assert.deepEqual(await publisher.pubSubShardChannels(), ["news"]);
    await subscriber.sUnsubscribe("news");
    assert.deepEqual({ ...await publisher.pubSubShardNumSub("news") }, { news: 0 });
  } finally {
    await subscriber.quit().catch(() => subscriber.disconnect());
    await publisher.quit().catch(() => publisher.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });
