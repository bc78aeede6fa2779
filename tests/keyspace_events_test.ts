// Keyspace notifications (notify-keyspace-events): the flag text CONFIG GET shows, and the
// events a run of commands publishes, compared message by message with a real redis-server.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import {
  formatKeyspaceEvents,
  NOTIFY_KEYSPACE,
  NOTIFY_LIST,
  parseKeyspaceEvents,
} from "../core/config/keyspace_events.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";

Deno.test("parseKeyspaceEvents accepts class letters and rejects others", () => {
  assert.equal(parseKeyspaceEvents("Kl"), NOTIFY_KEYSPACE | NOTIFY_LIST);
  assert.equal(parseKeyspaceEvents(""), 0);
  assert.equal(parseKeyspaceEvents("Kq"), null);
});

Deno.test("formatKeyspaceEvents writes Redis's canonical order", () => {
  assert.equal(formatKeyspaceEvents(parseKeyspaceEvents("gKE")!), "gKE");
  assert.equal(formatKeyspaceEvents(parseKeyspaceEvents("$lshzxeKE")!), "$lshzxeKE");
  assert.equal(formatKeyspaceEvents(parseKeyspaceEvents("KA")!), "AK");
  assert.equal(formatKeyspaceEvents(parseKeyspaceEvents("EA")!), "AE");
  assert.equal(formatKeyspaceEvents(parseKeyspaceEvents("nE")!), "nE");
});

/** Commands run by the publisher, and how many events each sends (every class on, K and E). */
const SCRIPT: [command: string[], events: number][] = [
  [["SET", "k", "v", "EX", "100"], 2], // set, expire
  [["SET", "k", "v2"], 1], // set
  [["LPUSH", "l", "a", "b"], 1],
  [["RPOP", "l"], 1],
  [["LPOP", "l"], 2], // lpop, del
  [["HSET", "h", "f", "1"], 1],
  [["HINCRBY", "h", "f", "2"], 1],
  [["SADD", "s", "a"], 1],
  [["SREM", "s", "nope"], 0],
  [["SREM", "s", "a"], 2], // srem, del
  [["ZADD", "z", "1", "a"], 1],
  [["ZINCRBY", "z", "1", "a"], 1], // zincr
  [["RENAME", "k", "k2"], 2], // rename_from, rename_to
  [["DEL", "k2", "h", "missing"], 2],
  [["INCR", "n"], 1], // incrby
  [["APPEND", "n", "0"], 1],
  [["EXPIRE", "n", "0"], 1], // del
  [["XADD", "st", "1-1", "f", "v"], 1],
  [["XGROUP", "CREATE", "st", "g", "$"], 1], // xgroup-create
  [["XGROUP", "CREATECONSUMER", "st", "g", "c"], 1],
  [["XGROUP", "CREATECONSUMER", "st", "g", "c"], 0],
  [["XGROUP", "DELCONSUMER", "st", "g", "c"], 1],
];

async function runScript(port: number, flags: string): Promise<string[]> {
  const sub = await RawClient.connect(port);
  const pub = await RawClient.connect(port);
  const seen: string[] = [];
  try {
    await pub.send(`CONFIG SET notify-keyspace-events ${flags}\r\n`);
    seen.push(...(await pub.readReplies(1)).map(latin1Text));
    await pub.send("CONFIG GET notify-keyspace-events\r\n");
    seen.push(...(await pub.readReplies(1)).map(latin1Text));
    await sub.send("PSUBSCRIBE *\r\n");
    seen.push(...(await sub.readReplies(1)).map(latin1Text));
    let events = 0;
    for (const [command, count] of SCRIPT) {
      await pub.send(command.join(" ") + "\r\n");
      seen.push(...(await pub.readReplies(1)).map((reply) => "pub: " + latin1Text(reply)));
      events += count;
    }
    const perEvent = flags.includes("K") && flags.includes("E") ? 2 : 1;
    for (const push of await sub.readReplies(events * perEvent)) seen.push(latin1Text(push));
  } finally {
    sub.close();
    pub.close();
  }
  return seen;
}

async function compareWithRedis(flags: string): Promise<void> {
  const redis = await startRedisServer();
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  try {
    const expected = await runScript(redis.port, flags);
    const actual = await runScript(ours.port, flags);
    assert.deepEqual(actual, expected);
  } finally {
    await ours.close();
    await redis.stop();
  }
}

peerTest("keyspace events: every class on both channels matches redis-server", async () => {
  await compareWithRedis("KEA");
});

peerTest("keyspace events: the key-event channel alone matches redis-server", async () => {
  await compareWithRedis("EA");
});
