// CLIENT PAUSE / UNPAUSE and the lazyfree counters, run as one transcript against resplica and
// against redis-server 7.0 and compared: argument errors; which commands a WRITE pause holds
// (writes, PUBLISH, PFCOUNT, scripts without no-writes, EXEC of a write transaction) and which
// it lets through (reads, no-writes scripts, read-only transactions); a second pause keeping
// the later end; keys that expire during a pause read as missing but are not counted expired
// until it ends; an ALL pause that runs out by itself; lazyfreed_objects after UNLINK,
// lazyfree-lazy-user-del and FLUSHALL ASYNC.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { infoField, waitFor } from "./_support/replication.ts";

const WAIT_MS = 5_000;

async function blockedClients(admin: RawClient): Promise<number> {
  return Number(await infoField(admin, "clients", "blocked_clients"));
}

async function waitBlocked(admin: RawClient, count: number): Promise<void> {
  await waitFor(
    `blocked_clients ${count}`,
    async () => (await blockedClients(admin)) === count,
    WAIT_MS,
  );
}

/** Sends a command whose reply is read later. */
async function sendOnly(client: RawClient, ...args: string[]): Promise<void> {
  const parts = args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("");
  await client.send(`*${args.length}\r\n${parts}`);
}

async function readOne(client: RawClient): Promise<string> {
  const [reply] = await client.readReplies(1, WAIT_MS);
  return latin1Text(reply);
}

/** The CLIENT PAUSE scenario; returns what it saw, for comparing two servers. */
async function pauseTranscript(port: number): Promise<string[]> {
  const seen: string[] = [];
  const admin = await RawClient.connect(port);
  const other = await RawClient.connect(port);
  const third = await RawClient.connect(port);
  try {
    const note = async (label: string, reply: Promise<string>) =>
      seen.push(`${label} ${await reply}`);
    await note("bad timeout", admin.commandText("CLIENT", "PAUSE", "abc"));
    await note("negative", admin.commandText("CLIENT", "PAUSE", "-1"));
    await note("bad mode", admin.commandText("CLIENT", "PAUSE", "100", "MAYBE"));
    await note("bad mode first", admin.commandText("CLIENT", "PAUSE", "abc", "MAYBE"));
    await note("too many", admin.commandText("CLIENT", "PAUSE", "1", "WRITE", "x"));
    await note("arity", admin.commandText("CLIENT", "UNPAUSE", "x"));
    await note("unpause idle", admin.commandText("CLIENT", "UNPAUSE"));
    await admin.command("SET", "k", "v");
    await admin.command("PFADD", "hll", "a");

    // WRITE: reads, no-writes scripts and read-only transactions go on.
    await note("pause", admin.commandText("CLIENT", "PAUSE", "100000", "WRITE"));
    await note("get", other.commandText("GET", "k"));
    await note("ping", other.commandText("PING"));
    await note(
      "ro script",
      other.commandText("EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0"),
    );
    await note("eval_ro", other.commandText("EVAL_RO", "return 1", "0"));
    await other.command("MULTI");
    await note("queued get", other.commandText("GET", "k"));
    await note("ro exec", other.commandText("EXEC"));
    seen.push(`blocked ${await blockedClients(admin)}`);

    // Writes, PUBLISH, PFCOUNT and scripts that may write wait, and run on UNPAUSE in order.
    await sendOnly(other, "SET", "k", "w");
    await waitBlocked(admin, 1);
    await sendOnly(third, "PFCOUNT", "hll");
    await waitBlocked(admin, 2);
    await note("unpause", admin.commandText("CLIENT", "UNPAUSE"));
    await note("set after", readOne(other));
    await note("pfcount after", readOne(third));

    await admin.command("CLIENT", "PAUSE", "100000", "WRITE");
    await sendOnly(other, "PUBLISH", "ch", "m");
    await sendOnly(third, "EVAL", "return 1", "0");
    await waitBlocked(admin, 2);
    await admin.command("CLIENT", "UNPAUSE");
    await note("publish after", readOne(other));
    await note("eval after", readOne(third));

    // A transaction queued before the pause waits at EXEC.
    await other.command("MULTI");
    await other.command("INCR", "n");
    await admin.command("CLIENT", "PAUSE", "100000", "WRITE");
    await sendOnly(other, "EXEC");
    await waitBlocked(admin, 1);
    // A command refused before the pause check answers at once.
    await note("arity while paused", third.commandText("SET", "k"));
    await admin.command("CLIENT", "UNPAUSE");
    await note("exec after", readOne(other));

    // Pausing again keeps the later end: the 50 ms pause does not cut the 100 s one short.
    await admin.command("CLIENT", "PAUSE", "100000", "WRITE");
    await admin.command("CLIENT", "PAUSE", "50", "WRITE");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sendOnly(other, "SET", "k", "x");
    await waitBlocked(admin, 1);
    await admin.command("CLIENT", "UNPAUSE");
    await note("set after second pause", readOne(other));

    // Expired keys read as missing but stay unexpired (and uncounted) until the pause ends.
    const expiredBefore = Number(await infoField(admin, "stats", "expired_keys"));
    await admin.command("SET", "short", "v", "PX", "20");
    await admin.command("CLIENT", "PAUSE", "100000", "WRITE");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await note("expired get", admin.commandText("GET", "short"));
    const expiredDuring = Number(await infoField(admin, "stats", "expired_keys"));
    seen.push(`expired during ${expiredDuring - expiredBefore}`);
    await admin.command("CLIENT", "UNPAUSE");
    await admin.command("GET", "short");
    const expiredAfter = Number(await infoField(admin, "stats", "expired_keys"));
    seen.push(`expired after ${expiredAfter - expiredBefore}`);

    // ALL holds everything, the pausing client's own commands too, and ends by itself.
    await note("pause all", admin.commandText("CLIENT", "PAUSE", "300", "ALL"));
    const startedMs = Date.now();
    await note("ping after all", other.commandText("PING"));
    seen.push(`waited ${Date.now() - startedMs >= 150}`);
  } finally {
    admin.close();
    other.close();
    third.close();
  }
  return seen;
}

async function lazyfreeStats(admin: RawClient): Promise<string> {
  await waitFor(
    "lazyfree done",
    async () => (await infoField(admin, "memory", "lazyfree_pending_objects")) === "0",
    WAIT_MS,
  );
  return await infoField(admin, "memory", "lazyfreed_objects");
}

/** The lazyfree counter scenario; returns what it saw. */
async function lazyfreeTranscript(port: number): Promise<string[]> {
  const seen: string[] = [];
  const admin = await RawClient.connect(port);
  try {
    for (
      const name of [
        "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire",
        "lazyfree-lazy-server-del",
        "lazyfree-lazy-user-del",
        "lazyfree-lazy-user-flush",
        "replica-lazy-flush",
        "slave-lazy-flush",
      ]
    ) seen.push(await admin.commandText("CONFIG", "GET", name));
    await admin.command("CONFIG", "RESETSTAT");
    const members = (count: number, prefix: string) =>
      Array.from({ length: count }, (_, i) => `${prefix}${i}`);
    await admin.command("SADD", "bigset", ...members(100, "m"));
    await admin.command("SADD", "smallset", ...members(10, "m"));
    await admin.command("SADD", "intset", ...members(300, ""));
    await admin.command("HSET", "bighash", ...members(400, "f"));
    await admin.command("ZADD", "bigzset", ...members(200, "").flatMap((m) => [m, `z${m}`]));
    await admin.command("RPUSH", "biglist", ...members(2_000, "e"));
    await admin.command("SET", "str", "v");
    for (const key of ["bigset", "smallset", "intset", "bighash", "bigzset", "biglist", "str"]) {
      seen.push(`unlink ${key} ${await admin.commandText("UNLINK", key)}`);
      seen.push(`lazyfreed ${await lazyfreeStats(admin)}`);
    }
    await admin.command("SADD", "bigset", ...members(100, "m"));
    seen.push(`del ${await admin.commandText("DEL", "bigset")}`);
    seen.push(`lazyfreed after del ${await lazyfreeStats(admin)}`);
    await admin.command("CONFIG", "SET", "lazyfree-lazy-user-del", "yes");
    await admin.command("SADD", "bigset", ...members(100, "m"));
    seen.push(`lazy del ${await admin.commandText("DEL", "bigset")}`);
    seen.push(`lazyfreed after lazy del ${await lazyfreeStats(admin)}`);
    await admin.command("MSET", "a", "1", "b", "2", "c", "3");
    await admin.command("FLUSHALL", "SYNC");
    seen.push(`lazyfreed after flush sync ${await lazyfreeStats(admin)}`);
    await admin.command("MSET", "a", "1", "b", "2", "c", "3");
    await admin.command("FLUSHALL", "ASYNC");
    seen.push(`lazyfreed after flushall async ${await lazyfreeStats(admin)}`);
    await admin.command("MSET", "a", "1", "b", "2");
    await admin.command("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes");
    await admin.command("FLUSHDB");
    seen.push(`lazyfreed after lazy flushdb ${await lazyfreeStats(admin)}`);
    await admin.command("CONFIG", "RESETSTAT");
    seen.push(`lazyfreed after resetstat ${await lazyfreeStats(admin)}`);
  } finally {
    admin.close();
  }
  return seen;
}

Deno.test("CLIENT PAUSE on resplica: WRITE holds writes until UNPAUSE, ALL runs out", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  try {
    const seen = await pauseTranscript(server.port);
    assert.ok(seen.includes("set after +OK\r\n"), seen.join("\n"));
    assert.ok(seen.includes("expired during 0"), seen.join("\n"));
    assert.ok(seen.includes("expired after 1"), seen.join("\n"));
    assert.ok(seen.includes("waited true"), seen.join("\n"));
  } finally {
    await server.close();
  }
});

Deno.test("lazyfreed_objects on resplica counts big UNLINKed values and async flushes", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  try {
    const seen = await lazyfreeTranscript(server.port);
    assert.ok(seen.includes("lazyfreed after flushall async 6"), seen.join("\n"));
  } finally {
    await server.close();
  }
});

peerTest("CLIENT PAUSE / UNPAUSE as redis-server 7.0 (differential)", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const redis = await startRedisServer();
  try {
    const ours = await pauseTranscript(server.port);
    const theirs = await pauseTranscript(redis.port);
    assert.deepEqual(ours, theirs);
  } finally {
    await server.close();
    await redis.stop();
  }
});

peerTest("lazyfree directives and counters as redis-server 7.0 (differential)", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const redis = await startRedisServer();
  try {
    const ours = await lazyfreeTranscript(server.port);
    const theirs = await lazyfreeTranscript(redis.port);
    assert.deepEqual(ours, theirs);
  } finally {
    await server.close();
    await redis.stop();
  }
});
