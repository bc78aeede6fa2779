// Tests for SORT and SORT_RO beyond their replies (tests/differential_sort_test.ts compares those
// with redis-server): what a STORE propagates, the keyspace events it sends, the clients it
// wakes, and the ACL rules on BY and GET.

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { latin1 } from "../core/bytes.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import { startServer } from "../mod.ts";
import { inProcessClient, inProcessServer, recordPropagated } from "./_support/in_process.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";

const encoder = new TextEncoder();

/** One in-process server and client; `run` executes a command and returns its reply text. */
function commandHarness() {
  const { state, table } = inProcessServer();
  const writer = new ReplyWriter();
  const client = inProcessClient(1, writer);
  const propagated = recordPropagated(state, latin1);
  const run = (...args: string[]): string => {
    writer.reset();
    const pending = executeCommand(table, state, client, args.map((a) => encoder.encode(a)));
    ok(pending === undefined, "SORT never waits");
    return latin1(writer.view());
  };
  return { state, run, propagated };
}

Deno.test("SORT propagates only a STORE that changed the keyspace", () => {
  const { run, propagated } = commandHarness();
  strictEqual(run("RPUSH", "src", "3", "1", "2"), ":3\r\n");
  propagated.length = 0;
  strictEqual(run("SORT", "src"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  strictEqual(run("SORT_RO", "src", "DESC"), "*3\r\n$1\r\n3\r\n$1\r\n2\r\n$1\r\n1\r\n");
  deepStrictEqual(propagated, []);
  strictEqual(run("SORT", "src", "STORE", "dst"), ":3\r\n");
  deepStrictEqual(propagated, [["SORT", "src", "STORE", "dst"]]);
  propagated.length = 0;
  strictEqual(run("SORT", "missing", "STORE", "nothing"), ":0\r\n");
  deepStrictEqual(propagated, [], "an empty result into a missing key changes nothing");
  strictEqual(run("SORT", "missing", "STORE", "dst"), ":0\r\n");
  deepStrictEqual(propagated, [["SORT", "missing", "STORE", "dst"]], "the delete propagates");
  strictEqual(run("EXISTS", "dst"), ":0\r\n");
  propagated.length = 0;
  strictEqual(run("RPUSH", "bad", "x"), ":1\r\n");
  strictEqual(
    run("SORT", "bad", "STORE", "dst"),
    "-ERR One or more scores can't be converted into double\r\n",
  );
  deepStrictEqual(propagated, [["RPUSH", "bad", "x"]]);
});

Deno.test("SORT keys: the STORE key is the written one (COMMAND GETKEYS, snapshot hook)", () => {
  const { run } = commandHarness();
  strictEqual(run("COMMAND", "GETKEYS", "SORT", "a", "STORE", "b"), "*2\r\n$1\r\na\r\n$1\r\nb\r\n");
  strictEqual(run("COMMAND", "GETKEYS", "SORT", "a", "GET", "STORE", "c"), "*1\r\n$1\r\na\r\n");
  strictEqual(run("COMMAND", "GETKEYS", "SORT_RO", "a", "STORE", "b"), "*1\r\n$1\r\na\r\n");
});

Deno.test("SORT … STORE wakes a client blocked on the destination", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const blocked = await RawClient.connect(server.port);
  const writer = await RawClient.connect(server.port);
  try {
    strictEqual(await writer.commandText("RPUSH", "src", "b", "c", "a"), ":3\r\n");
    await blocked.send("BLPOP dst 5\r\n");
    // Let the BLPOP park before the store.
    strictEqual(await writer.commandText("PING"), "+PONG\r\n");
    strictEqual(await writer.commandText("SORT", "src", "ALPHA", "STORE", "dst"), ":3\r\n");
    const [served] = await blocked.readReplies(1);
    strictEqual(latin1Text(served), "*2\r\n$3\r\ndst\r\n$1\r\na\r\n");
    strictEqual(
      await writer.commandText("LRANGE", "dst", "0", "-1"),
      "*2\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
  } finally {
    blocked.close();
    writer.close();
    await server.close();
  }
});

Deno.test("SORT BY and GET need read access to every key", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const admin = await RawClient.connect(server.port);
  const user = await RawClient.connect(server.port);
  try {
    await admin.commandText("RPUSH", "k1", "2", "1");
    await admin.commandText("ACL", "SETUSER", "narrow", "on", "nopass", "~k*", "+@all");
    await admin.commandText("ACL", "SETUSER", "wide", "on", "nopass", "%R~*", "~k*", "+@all");
    strictEqual(await user.commandText("AUTH", "narrow", "x"), "+OK\r\n");
    strictEqual(
      await user.commandText("SORT", "k1", "BY", "w_*"),
      "-ERR BY option of SORT denied due to insufficient ACL permissions.\r\n",
    );
    strictEqual(
      await user.commandText("SORT", "k1", "GET", "#"),
      "-ERR GET option of SORT denied due to insufficient ACL permissions.\r\n",
    );
    strictEqual(
      await user.commandText("SORT", "k1", "BY", "nosort"),
      "*2\r\n$1\r\n2\r\n$1\r\n1\r\n",
    );
    ok((await user.commandText("SORT", "k1", "STORE", "other")).startsWith("-NOPERM"));
    strictEqual(await user.commandText("SORT", "k1", "STORE", "k2"), ":2\r\n");
    strictEqual(await user.commandText("AUTH", "wide", "x"), "+OK\r\n");
    strictEqual(
      await user.commandText("SORT", "k1", "BY", "w_*", "GET", "#"),
      "*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
    );
  } finally {
    admin.close();
    user.close();
    await server.close();
  }
});

/** SORT runs whose keyspace events are compared with redis-server's, with events each. */
const EVENT_SCRIPT: [command: string[], events: number][] = [
  [["RPUSH", "src", "b", "a"], 1], // rpush
  [["SORT", "src", "ALPHA"], 0],
  [["SORT", "src", "ALPHA", "STORE", "dst"], 1], // sortstore
  [["SORT", "src", "ALPHA", "STORE", "dst"], 1], // sortstore
  [["SORT", "missing", "STORE", "dst"], 1], // del
  [["SORT", "missing", "STORE", "dst"], 0],
];

async function sortEvents(port: number): Promise<string[]> {
  const sub = await RawClient.connect(port);
  const pub = await RawClient.connect(port);
  const seen: string[] = [];
  try {
    await pub.commandText("CONFIG", "SET", "notify-keyspace-events", "EA");
    await sub.send("PSUBSCRIBE __keyevent*\r\n");
    seen.push(...(await sub.readReplies(1)).map(latin1Text));
    let events = 0;
    for (const [command, count] of EVENT_SCRIPT) {
      seen.push("pub: " + await pub.commandText(...command));
      events += count;
    }
    for (const push of await sub.readReplies(events)) seen.push(latin1Text(push));
  } finally {
    sub.close();
    pub.close();
  }
  return seen;
}

peerTest("SORT … STORE keyspace events match redis-server", async () => {
  const redis = await startRedisServer();
  const ours = await startServer({ port: 0, logLevel: "nothing" });
  try {
    deepStrictEqual(await sortEvents(ours.port), await sortEvents(redis.port));
  } finally {
    await ours.close();
    await redis.stop();
  }
});
