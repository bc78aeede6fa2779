// Pub/Sub against a real redis-server: the same two-client scripts (a subscriber and a
// publisher) run on both servers and every raw reply and pushed message must be identical.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";

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
  "pubsub: RESP2 subscribe, publish, patterns and unsubscribe match redis-server",
  async () => {
    await compareWithRedis([
      { client: "sub", send: ["SUBSCRIBE", "news", "sport"], replies: 2 },
      { client: "pub", send: ["PUBLISH", "news", "hello"], replies: 1 },
      { client: "sub", expectPushes: 1 },
      { client: "pub", send: ["PUBLISH", "nobody", "x"], replies: 1 },
      { client: "sub", send: ["PSUBSCRIBE", "n*"], replies: 1 },
      { client: "pub", send: ["PUBLISH", "news", "again"], replies: 1 },
      { client: "sub", expectPushes: 2 },
      { client: "pub", send: ["PUBSUB", "NUMSUB", "news", "sport", "none"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "NUMPAT"], replies: 1 },
      { client: "pub", send: ["PUBSUB", "CHANNELS", "s*"], replies: 1 },
      { client: "sub", send: ["GET", "k"], replies: 1 },
      { client: "sub", send: ["PING"], replies: 1 },
      { client: "sub", send: ["PING", "hi"], replies: 1 },
      { client: "sub", send: ["UNSUBSCRIBE", "sport"], replies: 1 },
      { client: "sub", send: ["PUNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["UNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["UNSUBSCRIBE"], replies: 1 },
      { client: "sub", send: ["PING"], replies: 1 },
      { client: "sub", send: ["SUBSCRIBE"], replies: 1 },
    ]);
  },
);

peerTest("pubsub: RESP3 pushes and commands while subscribed match redis-server", async () => {
  // HELLO 3 itself is left out of the comparison (its map names each server's version); the
  // subscriber switches with HELLO first in both runs via the "resp3" step below.
  await compareWithRedis([
    { client: "sub", send: ["HELLO", "3"], replies: 1, ignore: true },
    { client: "sub", send: ["SUBSCRIBE", "ch"], replies: 1 },
    { client: "sub", send: ["SET", "k", "v"], replies: 1 },
    { client: "pub", send: ["PUBLISH", "ch", "m1"], replies: 1 },
    { client: "sub", expectPushes: 1 },
    { client: "sub", send: ["GET", "k"], replies: 1 },
    { client: "sub", send: ["PING"], replies: 1 },
    { client: "sub", send: ["UNSUBSCRIBE", "ch"], replies: 1 },
  ]);
});

Deno.test("pubsub: a subscriber disconnecting is forgotten and RESET clears subscriptions", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  try {
    const sub = await RawClient.connect(server.port);
    const pub = await RawClient.connect(server.port);
    await sub.send("SUBSCRIBE a\r\n");
    await sub.readReplies(1);
    assert.equal(await pub.commandText("PUBLISH", "a", "x"), ":1\r\n");
    assert.equal(
      latin1Text((await sub.readReplies(1))[0]),
      "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$1\r\nx\r\n",
    );
    assert.equal(await sub.commandText("RESET"), "+RESET\r\n");
    assert.equal(await pub.commandText("PUBLISH", "a", "x"), ":0\r\n");
    await sub.send("SUBSCRIBE b\r\n");
    await sub.readReplies(1);
    sub.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await pub.commandText("PUBLISH", "b", "x"), ":0\r\n");
    pub.close();
  } finally {
    await server.close();
  }
});
