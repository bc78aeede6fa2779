// Busy scripts, as Redis 7.0 serves them: a script past busy-reply-threshold (lua-time-limit)
// keeps running, other clients get -BUSY except for the allow_busy commands, SCRIPT KILL /
// FUNCTION KILL stop a script that has not written (UNKILLABLE otherwise, and the wrong KILL
// gets -BUSY), FUNCTION STATS shows the running function, a client's pipelined commands wait
// for its script, a blocked client is served only after the script, and SHUTDOWN NOSAVE ends
// the server under a script that cannot be killed. The same scenario runs against redis-server
// and resplica and the transcripts are compared line by line.
//
// Also here, resplica-only: a script that cannot pause (inside EXEC, where the transaction must
// finish synchronously) is stopped past busy-script-kill-threshold.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { startSubject } from "./_support/subject.ts";

const BUSY_REPLY_THRESHOLD_MS = 50;
const WAIT_STEP_MS = 10;
const WAIT_LIMIT_MS = 10_000;
/**
 * How long the script that ends by itself keeps the server busy: long enough past the busy
 * threshold that the polling client sees -BUSY even on a loaded CI machine (at 400 ms it once
 * did not).
 */
const SELF_ENDING_SCRIPT_US = 1_500_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls PING on `client` until its reply does (busy) or does not (!busy) start with -BUSY. */
async function waitBusy(client: RawClient, busy: boolean): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    const reply = await client.commandText("PING");
    if (reply.startsWith("-BUSY") === busy) return;
    await sleep(WAIT_STEP_MS);
  }
  throw new Error(`the server did not become ${busy ? "busy" : "free"} in ${WAIT_LIMIT_MS} ms`);
}

/** The reply text, or "closed" when the server closed the connection instead. */
async function replyOrClosed(client: RawClient, ...args: string[]): Promise<string> {
  try {
    return await client.commandText(...args);
  } catch {
    return "closed";
  }
}

/** Runs the scenario against the server on `port` and returns what each step answered. */
async function busyTranscript(port: number): Promise<string[]> {
  const lines: string[] = [];
  const note = (label: string, reply: string) => lines.push(`${label}: ${JSON.stringify(reply)}`);
  const caller = await RawClient.connect(port);
  const other = await RawClient.connect(port);
  const waiter = await RawClient.connect(port);
  try {
    const threshold = String(BUSY_REPLY_THRESHOLD_MS);
    note("config", await other.commandText("CONFIG", "SET", "lua-time-limit", threshold));

    // 1. A read-only EVAL that never ends: -BUSY for the rest, allow_busy commands run.
    await caller.send(encodeCommand(["EVAL", "local i = 0 while true do i = i + 1 end", "0"]));
    await waitBusy(other, true);
    note("ping", await other.commandText("PING"));
    note("set", await other.commandText("SET", "k", "v"));
    note("function kill on an eval", await other.commandText("FUNCTION", "KILL"));
    note("function stats on an eval", await other.commandText("FUNCTION", "STATS"));
    note("auth (allow_busy)", await other.commandText("AUTH", "nopass"));
    note("multi (allow_busy)", await other.commandText("MULTI"));
    note("queued set", await other.commandText("SET", "k", "v"));
    note("exec", await other.commandText("EXEC"));
    note("script kill", await other.commandText("SCRIPT", "KILL"));
    note("the killed eval", latin1Text((await caller.readReplies(1))[0]));
    await waitBusy(other, false);
    note("script kill when idle", await other.commandText("SCRIPT", "KILL"));

    // 2. The caller's pipelined command waits for its script, then is answered.
    await caller.send(
      encodeCommand(["EVAL", "while 1 do redis.call('ping') end", "0"]),
    );
    await caller.send(encodeCommand(["PING"]));
    await waitBusy(other, true);
    note("script kill (pipelined)", await other.commandText("SCRIPT", "KILL"));
    for (const reply of await caller.readReplies(2)) note("pipelined", latin1Text(reply));
    await waitBusy(other, false);

    // 3. A function: SCRIPT KILL is the wrong kill, FUNCTION STATS names it, FUNCTION KILL works.
    const library = "#!lua name=busylib\n" +
      "redis.register_function('spin', function(keys, args) while true do end end)";
    note("function load", await other.commandText("FUNCTION", "LOAD", library));
    await caller.send(encodeCommand(["FCALL", "spin", "0", "an-arg"]));
    await waitBusy(other, true);
    note("ping during fcall", await other.commandText("PING"));
    note("script kill on a function", await other.commandText("SCRIPT", "KILL"));
    const stats = await other.commandText("FUNCTION", "STATS");
    note("function stats", stats.replace(/(duration_ms\r\n:)\d+/, "$1<ms>"));
    note("function kill", await other.commandText("FUNCTION", "KILL"));
    note("the killed fcall", latin1Text((await caller.readReplies(1))[0]));
    await waitBusy(other, false);

    // 4. A script that wrote cannot be killed; a client blocked on its key is served after it.
    await waiter.send(encodeCommand(["BLPOP", "list", "0"]));
    await sleep(100);
    const selfEnding = "redis.call('lpush', KEYS[1], 'y') local t = redis.call('time') " +
      "repeat local n = redis.call('time') " +
      `until (n[1] - t[1]) * 1000000 + (n[2] - t[2]) > ${SELF_ENDING_SCRIPT_US} ` +
      "redis.call('lpush', KEYS[1], 'z') return 'done'";
    await caller.send(encodeCommand(["EVAL", selfEnding, "1", "list"]));
    await waitBusy(other, true);
    note("script kill after a write", await other.commandText("SCRIPT", "KILL"));
    note("lpush during the script", await other.commandText("LPUSH", "list", "w"));
    note("the script that ended", latin1Text((await caller.readReplies(1))[0]));
    note("the blocked client", latin1Text((await waiter.readReplies(1))[0]));
    await waitBusy(other, false);
    note("lrange", await other.commandText("LRANGE", "list", "0", "-1"));

    // 5. Only SHUTDOWN NOSAVE ends a script that wrote; the server goes away under it.
    await caller.send(
      encodeCommand(["EVAL", "redis.call('set', KEYS[1], 'w') while true do end", "1", "k"]),
    );
    await waitBusy(other, true);
    note("script kill (wrote)", await other.commandText("SCRIPT", "KILL"));
    note("shutdown", await other.commandText("SHUTDOWN"));
    note("shutdown nosave", await replyOrClosed(other, "SHUTDOWN", "NOSAVE"));
  } finally {
    caller.close();
    other.close();
    waiter.close();
  }
  return lines;
}

peerTest("differential: busy scripts, KILL and SHUTDOWN NOSAVE match redis-server", async () => {
  const reference = await startRedisServer();
  let expected: string[];
  try {
    expected = await busyTranscript(reference.port);
  } finally {
    await reference.stop();
  }
  const subject = await startSubject();
  let actual: string[];
  try {
    actual = await busyTranscript(subject.port);
  } finally {
    await subject.close();
  }
  assert.deepEqual(actual, expected);
});

Deno.test("a script inside EXEC cannot pause: busy-script-kill-threshold stops it", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(
      await client.commandText("CONFIG", "SET", "busy-script-kill-threshold", "300"),
      "+OK\r\n",
    );
    assert.equal(await client.commandText("CONFIG", "SET", "lua-time-limit", "50"), "+OK\r\n");
    assert.equal(await client.commandText("MULTI"), "+OK\r\n");
    assert.equal(
      await client.commandText(
        "EVAL",
        "redis.call('SET', KEYS[1], 'before') while true do end",
        "1",
        "k",
      ),
      "+QUEUED\r\n",
    );
    const startedMs = Date.now();
    const reply = await client.commandText("EXEC");
    const elapsedMs = Date.now() - startedMs;
    assert.match(
      reply,
      /^\*1\r\n-ERR Script killed by the server: it ran past busy-script-kill-threshold/,
    );
    assert.ok(elapsedMs >= 300 && elapsedMs < 5_000, `stopped after ${elapsedMs} ms`);
    // What it wrote before the stop stays, and the server serves on.
    assert.equal(await client.commandText("GET", "k"), "$6\r\nbefore\r\n");
    assert.equal(await client.commandText("PING"), "+PONG\r\n");

    // A script outside EXEC is never stopped by the server: past the threshold it pauses and
    // runs to its end.
    const slow = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
      "repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - s > 500000 return 'done'";
    assert.equal(await client.commandText("EVAL", slow, "0"), "$4\r\ndone\r\n");

    // Redis's directive and its old name are one setting.
    assert.equal(await client.commandText("CONFIG", "SET", "lua-time-limit", "1234"), "+OK\r\n");
    assert.equal(
      await client.commandText("CONFIG", "GET", "busy-reply-threshold"),
      "*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n1234\r\n",
    );
  } finally {
    client.close();
    await server.close();
  }
});
