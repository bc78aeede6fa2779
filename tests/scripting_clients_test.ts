// Client libraries running Lua scripts against resplica (started in process with startServer,
// or redis-server in self-test mode): ioredis's defineCommand and node-redis's `scripts`
// option both send EVALSHA and fall back to EVAL when the server answers NOSCRIPT, so a run
// before and after SCRIPT FLUSH exercises both paths, with real work (a transfer between two
// balances that refuses overdrafts with an error reply, and a read-only script via EVAL_RO).

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient, defineScript } from "redis";
import { peerTest } from "./_support/redis_peer.ts";
import { isSelfTest, startSubject } from "./_support/subject.ts";

const CLIENT_BINARIES = isSelfTest() ? ["redis-server"] : [];

/** Moves ARGV[1] from KEYS[1] to KEYS[2]; returns both balances, or an error on overdraft. */
const TRANSFER_LUA = `
local amount = tonumber(ARGV[1])
local from = tonumber(redis.call('get', KEYS[1]) or '0')
if from < amount then return redis.error_reply('INSUFFICIENT funds in ' .. KEYS[1]) end
redis.call('decrby', KEYS[1], amount)
redis.call('incrby', KEYS[2], amount)
return {redis.call('get', KEYS[1]), redis.call('get', KEYS[2])}`;

/** SHA1 of TRANSFER_LUA, as SCRIPT LOAD reports it. */
async function sha1Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

peerTest("ioredis: defineCommand runs a script by EVALSHA, falling back to EVAL", async () => {
  const subject = await startSubject();
  const client = new Redis({
    host: "127.0.0.1",
    port: subject.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.defineCommand("transfer", { numberOfKeys: 2, lua: TRANSFER_LUA });
  const transfer = (from: string, to: string, amount: number): Promise<unknown> =>
    (client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)
      .transfer(from, to, amount);
  try {
    await client.connect();
    await client.script("FLUSH");
    await client.set("alice", "100");
    // First call: EVALSHA answers NOSCRIPT, ioredis sends EVAL (which caches the script).
    assert.deepEqual(await transfer("alice", "bob", 30), ["70", "30"]);
    const sha = await sha1Hex(TRANSFER_LUA);
    assert.deepEqual(await client.script("EXISTS", sha), [1]);
    // Now EVALSHA hits the cache.
    assert.deepEqual(await transfer("alice", "bob", 20), ["50", "50"]);
    await assert.rejects(() => transfer("bob", "alice", 500), /INSUFFICIENT funds in bob/);
    await client.script("FLUSH");
    assert.deepEqual(await client.script("EXISTS", sha), [0]);
    assert.deepEqual(await transfer("bob", "alice", 50), ["0", "100"]);
    // Pipelined: both script calls in one round trip.
    const pipeline = client.pipeline().set("carol", "5") as unknown as {
      transfer(from: string, to: string, amount: number): { exec(): Promise<unknown> };
    };
    const results = await pipeline.transfer("carol", "dave", 5).exec();
    assert.deepEqual(results, [[null, "OK"], [null, ["0", "5"]]]);
    assert.deepEqual(
      await client.call("EVAL_RO", "return redis.call('get', KEYS[1])", 1, "alice"),
      "100",
    );
    await assert.rejects(
      () => client.call("EVAL_RO", "return redis.call('del', KEYS[1])", 1, "alice"),
      /Write commands are not allowed from read-only scripts/,
    );
  } finally {
    await client.quit().catch(() => client.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });

peerTest("node-redis: scripts option runs a script by EVALSHA, falling back to EVAL", async () => {
  const subject = await startSubject();
  const client = createClient({
    socket: { host: "127.0.0.1", port: subject.port, reconnectStrategy: false },
    scripts: {
      transfer: defineScript({
        NUMBER_OF_KEYS: 2,
        SCRIPT: TRANSFER_LUA,
        transformArguments(from: string, to: string, amount: number): string[] {
          return [from, to, String(amount)];
        },
        transformReply(reply: unknown): unknown {
          return reply;
        },
      }),
      total: defineScript({
        NUMBER_OF_KEYS: 2,
        SCRIPT:
          "return tonumber(redis.call('get', KEYS[1])) + tonumber(redis.call('get', KEYS[2]))",
        transformArguments(a: string, b: string): string[] {
          return [a, b];
        },
        transformReply(reply: unknown): unknown {
          return reply;
        },
      }),
    },
  });
  client.on("error", () => {}); // Errors surface through the awaited commands below.
  try {
    await client.connect();
    await client.scriptFlush();
    await client.set("alice", "100");
    assert.deepEqual(await client.transfer("alice", "bob", 40), ["60", "40"]);
    assert.deepEqual(await client.transfer("alice", "bob", 10), ["50", "50"]);
    assert.deepEqual(await client.total("alice", "bob"), 100);
    await assert.rejects(() => client.transfer("bob", "alice", 51), /INSUFFICIENT funds in bob/);
    assert.deepEqual(await client.scriptExists(await sha1Hex(TRANSFER_LUA)), [true]);
    await client.scriptFlush();
    assert.deepEqual(await client.transfer("bob", "alice", 50), ["0", "100"]);
    const multi = await client.multi().set("x", "3").set("y", "4").total("x", "y").exec();
    assert.deepEqual(multi, ["OK", "OK", 7]);
  } finally {
    await client.quit().catch(() => client.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });

/** A library of two functions, one read-only (FCALL_RO), as node-redis `functions` call them. */
const COUNTER_LIBRARY = "#!lua name=counter\n" +
  "redis.register_function('bump', function(keys, args) " +
  "return redis.call('INCRBY', keys[1], args[1]) end)\n" +
  "redis.register_function{function_name='peek', flags={'no-writes'}, callback=function(keys) " +
  "return redis.call('GET', keys[1]) end}";

peerTest("node-redis: functions option calls library functions by FCALL and FCALL_RO", async () => {
  const subject = await startSubject();
  const client = createClient({
    socket: { host: "127.0.0.1", port: subject.port, reconnectStrategy: false },
    functions: {
      counter: {
        bump: {
          NUMBER_OF_KEYS: 1,
          transformArguments(key: string, by: number): string[] {
            return [key, String(by)];
          },
          transformReply(reply: unknown): unknown {
            return reply;
          },
        },
        peek: {
          NUMBER_OF_KEYS: 1,
          IS_READ_ONLY: true,
          transformArguments(key: string): string[] {
            return [key];
          },
          transformReply(reply: unknown): unknown {
            return reply;
          },
        },
      },
    },
  });
  client.on("error", () => {}); // Errors surface through the awaited commands below.
  try {
    await client.connect();
    await client.functionFlush();
    assert.equal(await client.functionLoad(COUNTER_LIBRARY), "counter");
    assert.equal(await client.counter.bump("hits", 5), 5);
    assert.equal(await client.counter.bump("hits", 2), 7);
    assert.equal(await client.counter.peek("hits"), "7");
    const libraries = await client.functionList();
    assert.deepEqual(libraries.map((library) => library.libraryName), ["counter"]);
    assert.deepEqual(
      libraries[0].functions.map((fn) => fn.name).sort(),
      ["bump", "peek"],
    );
    // The read-only function refuses to be replaced by a writing one under FCALL_RO.
    await client.functionLoad(
      COUNTER_LIBRARY.replace(
        "return redis.call('GET', keys[1])",
        "return redis.call('DEL', keys[1])",
      ),
      { REPLACE: true },
    );
    await assert.rejects(() => client.counter.peek("hits"), /Write commands are not allowed/);
    assert.equal(await client.get("hits"), "7");
  } finally {
    await client.functionFlush().catch(() => {});
    await client.quit().catch(() => client.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });
