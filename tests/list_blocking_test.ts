// Blocking list commands over real connections: several RawClients against one in-process
// server. Covers what the single-connection differential harness cannot: a client woken by
// another client's push, arrival-order fairness (one push wakes exactly the longest waiter),
// BLMOVE delivering into its destination, timeouts with decimals and their reply types, a
// blocked client that hangs up, and MULTI (never blocks; a push inside EXEC wakes waiters).

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { delay } from "./_support/redis_peer.ts";

/** How long a test waits for the server to register a blocked client. */
const BLOCK_WAIT_MS_MAX = 2_000;

async function withServer(body: (port: number) => Promise<void>): Promise<void> {
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "enable-debug-command": "yes" },
  });
  try {
    await body(server.port);
  } finally {
    await server.close();
  }
}

/** Sends a command without waiting for its reply. */
async function sendOnly(client: RawClient, ...args: string[]): Promise<void> {
  await client.send(encodeCommand(args));
}

async function nextReply(client: RawClient, timeoutMs?: number): Promise<string> {
  const [reply] = await client.readReplies(1, timeoutMs);
  return latin1Text(reply);
}

/** Polls INFO clients until blocked_clients is `count`. */
async function waitBlocked(control: RawClient, count: number): Promise<void> {
  const deadlineMs = Date.now() + BLOCK_WAIT_MS_MAX;
  while (Date.now() < deadlineMs) {
    const info = await control.commandText("INFO", "clients");
    if (info.includes(`blocked_clients:${count}\r\n`)) return;
    await delay(2);
  }
  throw new Error(`blocked_clients never reached ${count}`);
}

Deno.test("BLPOP times out after a decimal timeout with a null array", async () => {
  await withServer(async (port) => {
    const client = await RawClient.connect(port);
    const startedMs = performance.now();
    assert.equal(await client.commandText("BLPOP", "empty", "0.15"), "*-1\r\n");
    const elapsedMs = performance.now() - startedMs;
    assert.ok(elapsedMs >= 140, `returned after ${elapsedMs} ms`);
    assert.ok(elapsedMs < 1000, `returned after ${elapsedMs} ms`);
    assert.equal(await client.commandText("PING"), "+PONG\r\n", "the connection is usable again");
    client.close();
  });
});

Deno.test("BLPOP is woken by another client's RPUSH", async () => {
  await withServer(async (port) => {
    const waiter = await RawClient.connect(port);
    const pusher = await RawClient.connect(port);
    await sendOnly(waiter, "BLPOP", "a", "q", "0");
    await waitBlocked(pusher, 1);
    assert.equal(await pusher.commandText("RPUSH", "q", "job1", "job2"), ":2\r\n");
    assert.equal(await nextReply(waiter), "*2\r\n$1\r\nq\r\n$4\r\njob1\r\n");
    assert.equal(await pusher.commandText("LRANGE", "q", "0", "-1"), "*1\r\n$4\r\njob2\r\n");
    await waitBlocked(pusher, 0);
    waiter.close();
    pusher.close();
  });
});

Deno.test("three waiters and one push: exactly the first is served, in arrival order", async () => {
  await withServer(async (port) => {
    const control = await RawClient.connect(port);
    const waiters = [];
    for (let i = 0; i < 3; i++) {
      const waiter = await RawClient.connect(port);
      await sendOnly(waiter, "BRPOP", "q", "0");
      await waitBlocked(control, i + 1);
      waiters.push(waiter);
    }
    assert.equal(await control.commandText("LPUSH", "q", "one"), ":1\r\n");
    assert.equal(await nextReply(waiters[0]), "*2\r\n$1\r\nq\r\n$3\r\none\r\n");
    await waitBlocked(control, 2);
    assert.equal(await control.commandText("EXISTS", "q"), ":0\r\n", "the element was consumed");
    // The others are still blocked: a second push goes to the second waiter.
    assert.equal(await control.commandText("LPUSH", "q", "two"), ":1\r\n");
    assert.equal(await nextReply(waiters[1]), "*2\r\n$1\r\nq\r\n$3\r\ntwo\r\n");
    await waitBlocked(control, 1);
    // Two elements pushed at once serve the last waiter and leave one behind.
    assert.equal(await control.commandText("RPUSH", "q", "x", "y"), ":2\r\n");
    assert.equal(await nextReply(waiters[2]), "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
    assert.equal(await control.commandText("LRANGE", "q", "0", "-1"), "*1\r\n$1\r\nx\r\n");
    for (const waiter of waiters) waiter.close();
    control.close();
  });
});

Deno.test("BLMOVE waits for its source and delivers into the destination", async () => {
  await withServer(async (port) => {
    const waiter = await RawClient.connect(port);
    const pusher = await RawClient.connect(port);
    await sendOnly(waiter, "BLMOVE", "src", "dst", "RIGHT", "LEFT", "5");
    await waitBlocked(pusher, 1);
    await pusher.commandText("RPUSH", "src", "a", "b");
    assert.equal(await nextReply(waiter), "$1\r\nb\r\n");
    assert.equal(await pusher.commandText("LRANGE", "src", "0", "-1"), "*1\r\n$1\r\na\r\n");
    assert.equal(await pusher.commandText("LRANGE", "dst", "0", "-1"), "*1\r\n$1\r\nb\r\n");
    // A client blocked on the destination is served by the move.
    await sendOnly(waiter, "BLPOP", "chain", "0");
    await waitBlocked(pusher, 1);
    assert.equal(await pusher.commandText("LMOVE", "src", "chain", "LEFT", "LEFT"), "$1\r\na\r\n");
    assert.equal(await nextReply(waiter), "*2\r\n$5\r\nchain\r\n$1\r\na\r\n");
    waiter.close();
    pusher.close();
  });
});

Deno.test("BRPOPLPUSH and BLMOVE time out with a null array, BLMPOP is woken with a count", async () => {
  await withServer(async (port) => {
    const client = await RawClient.connect(port);
    assert.equal(await client.commandText("BRPOPLPUSH", "none", "dst", "0.05"), "*-1\r\n");
    assert.equal(
      await client.commandText("BLMOVE", "none", "d", "LEFT", "LEFT", "0.05"),
      "*-1\r\n",
    );
    assert.equal(await client.commandText("BLMPOP", "0.05", "1", "none", "LEFT"), "*-1\r\n");
    const pusher = await RawClient.connect(port);
    await sendOnly(client, "BLMPOP", "0", "2", "x", "y", "RIGHT", "COUNT", "2");
    await waitBlocked(pusher, 1);
    await pusher.commandText("RPUSH", "y", "1", "2", "3");
    assert.equal(await nextReply(client), "*2\r\n$1\r\ny\r\n*2\r\n$1\r\n3\r\n$1\r\n2\r\n");
    client.close();
    pusher.close();
  });
});

Deno.test("a blocked client that disconnects is forgotten and consumes nothing", async () => {
  await withServer(async (port) => {
    const control = await RawClient.connect(port);
    const quitter = await RawClient.connect(port);
    await sendOnly(quitter, "BLPOP", "q", "0");
    await waitBlocked(control, 1);
    quitter.close();
    await waitBlocked(control, 0);
    assert.equal(await control.commandText("RPUSH", "q", "kept"), ":1\r\n");
    assert.equal(await control.commandText("LLEN", "q"), ":1\r\n");
    control.close();
  });
});

Deno.test("a waiter ignores a key that became another type and is served once it is a list", async () => {
  await withServer(async (port) => {
    const control = await RawClient.connect(port);
    const waiter = await RawClient.connect(port);
    await sendOnly(waiter, "BLPOP", "k", "0");
    await waitBlocked(control, 1);
    assert.equal(await control.commandText("SET", "k", "string"), "+OK\r\n");
    await delay(20);
    await waitBlocked(control, 1);
    await control.commandText("DEL", "k");
    await control.commandText("RPUSH", "k", "v");
    assert.equal(await nextReply(waiter), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    waiter.close();
    control.close();
  });
});

Deno.test("inside MULTI blocking commands return at once; a push in EXEC wakes a waiter", async () => {
  await withServer(async (port) => {
    const client = await RawClient.connect(port);
    await client.send(
      [
        encodeCommand(["MULTI"]),
        encodeCommand(["BLPOP", "none", "0"]),
        encodeCommand(["BRPOPLPUSH", "none", "dst", "0"]),
        encodeCommand(["EXEC"]),
      ].reduce((all, part) => new Uint8Array([...all, ...part]), new Uint8Array()),
    );
    const replies = (await client.readReplies(4)).map(latin1Text);
    assert.deepEqual(replies, ["+OK\r\n", "+QUEUED\r\n", "+QUEUED\r\n", "*2\r\n*-1\r\n$-1\r\n"]);
    const waiter = await RawClient.connect(port);
    await sendOnly(waiter, "BLPOP", "q", "0");
    await waitBlocked(client, 1);
    assert.equal(await client.commandText("MULTI"), "+OK\r\n");
    assert.equal(await client.commandText("RPUSH", "q", "a", "b"), "+QUEUED\r\n");
    assert.equal(await client.commandText("LLEN", "q"), "+QUEUED\r\n");
    assert.equal(await client.commandText("EXEC"), "*2\r\n:2\r\n:2\r\n");
    assert.equal(await nextReply(waiter), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
    assert.equal(await client.commandText("LRANGE", "q", "0", "-1"), "*1\r\n$1\r\nb\r\n");
    // An element pushed and popped inside one EXEC never reaches a waiter.
    await sendOnly(waiter, "BLPOP", "r", "0");
    await waitBlocked(client, 1);
    assert.equal(await client.commandText("MULTI"), "+OK\r\n");
    await client.commandText("RPUSH", "r", "z");
    await client.commandText("RPOP", "r");
    assert.equal(await client.commandText("EXEC"), "*2\r\n:1\r\n$1\r\nz\r\n");
    await delay(20);
    await waitBlocked(client, 1);
    await client.commandText("RPUSH", "r", "w");
    assert.equal(await nextReply(waiter), "*2\r\n$1\r\nr\r\n$1\r\nw\r\n");
    waiter.close();
    client.close();
  });
});

Deno.test("CLIENT UNBLOCK ends a blocked pop with its timeout reply or -UNBLOCKED", async () => {
  await withServer(async (port) => {
    const control = await RawClient.connect(port);
    const waiter = await RawClient.connect(port);
    const id = (await waiter.commandText("CLIENT", "ID")).slice(1, -2);
    assert.equal(await control.commandText("CLIENT", "UNBLOCK", id), ":0\r\n", "not blocked");
    assert.equal(await control.commandText("CLIENT", "UNBLOCK", "999999"), ":0\r\n");

    await sendOnly(waiter, "BLPOP", "q", "0");
    await waitBlocked(control, 1);
    assert.equal(await control.commandText("CLIENT", "UNBLOCK", id), ":1\r\n");
    assert.equal(await nextReply(waiter), "*-1\r\n", "BLPOP's timeout reply");
    await waitBlocked(control, 0);

    await sendOnly(waiter, "BLMOVE", "q", "dst", "LEFT", "RIGHT", "0");
    await waitBlocked(control, 1);
    assert.equal(await control.commandText("CLIENT", "UNBLOCK", id, "TIMEOUT"), ":1\r\n");
    assert.equal(await nextReply(waiter), "*-1\r\n", "BLMOVE times out with a null array too");

    await sendOnly(waiter, "BLMPOP", "0", "1", "q", "LEFT");
    await waitBlocked(control, 1);
    assert.equal(await control.commandText("CLIENT", "UNBLOCK", id, "error"), ":1\r\n");
    assert.equal(
      await nextReply(waiter),
      "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n",
    );
    assert.match(
      await control.commandText("INFO", "errorstats"),
      /errorstat_UNBLOCKED:count=1\r\n/,
    );
    // The unblocked client is an ordinary one again: a later push does not reach it.
    await control.commandText("RPUSH", "q", "a");
    assert.equal(await waiter.commandText("LLEN", "q"), ":1\r\n");

    assert.equal(
      await control.commandText("CLIENT", "UNBLOCK", id, "later"),
      "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n",
    );
    assert.equal(
      await control.commandText("CLIENT", "UNBLOCK", "x"),
      "-ERR value is not an integer or out of range\r\n",
    );
    waiter.close();
    control.close();
  });
});

Deno.test("list-max-listpack-size, its alias and list-compress-depth in CONFIG", async () => {
  await withServer(async (port) => {
    const client = await RawClient.connect(port);
    const get = (name: string) => client.commandText("CONFIG", "GET", name);
    assert.equal(
      await get("list-max-listpack-size"),
      "*2\r\n$22\r\nlist-max-listpack-size\r\n$2\r\n-2\r\n",
    );
    assert.equal(
      await get("list-compress-depth"),
      "*2\r\n$19\r\nlist-compress-depth\r\n$1\r\n0\r\n",
    );
    assert.equal(
      await client.commandText("CONFIG", "SET", "list-max-ziplist-size", "1"),
      "+OK\r\n",
    );
    assert.equal(
      await get("list-max-listpack-size"),
      "*2\r\n$22\r\nlist-max-listpack-size\r\n$1\r\n1\r\n",
    );
    assert.equal(await client.commandText("CONFIG", "SET", "list-compress-depth", "2"), "+OK\r\n");
    assert.match(
      await client.commandText("CONFIG", "SET", "list-compress-depth", "-1"),
      /^-ERR CONFIG SET failed \(possibly related to argument 'list-compress-depth'\) - argument must be between 0 and 2147483647 inclusive\r\n$/,
    );
    // Lists still work node by node, one element per node, with plain nodes from 1 byte up.
    assert.equal(await client.commandText("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1b"), "+OK\r\n");
    await client.commandText("RPUSH", "l", "a", "b", "c");
    await client.commandText("LINSERT", "l", "AFTER", "a", "x".repeat(600));
    assert.equal(await client.commandText("LSET", "l", "-1", "z"), "+OK\r\n");
    assert.equal(
      await client.commandText("LRANGE", "l", "0", "-1"),
      `*4\r\n$1\r\na\r\n$600\r\n${"x".repeat(600)}\r\n$1\r\nb\r\n$1\r\nz\r\n`,
    );
    assert.equal(await client.commandText("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"), "+OK\r\n");
    for (const bad of ["-1", "4gb", "abc"]) {
      assert.equal(
        await client.commandText("DEBUG", "QUICKLIST-PACKED-THRESHOLD", bad),
        "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n",
      );
    }
    client.close();
  });
});
