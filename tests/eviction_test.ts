// maxmemory eviction, policy by policy, against redis-server running the same sequence: the
// keys evicted must be of the class the policy names (only keys with a TTL for volatile-*, the
// soonest to expire for volatile-ttl, the idle or rarely used ones for LRU/LFU), both servers
// must show it, and resplica's used_memory must stay at or under maxmemory. Evictions reach
// replicas as DELs. Both servers' limits are set as their own empty baseline plus the same
// budget, since their per-key overheads differ.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { applyConfigText } from "../core/config/load.ts";
import { Config } from "../core/config/table.ts";
import { startNetworkServer } from "../core/network/start.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { datasetDigest } from "./_support/dataset.ts";
import { infoField, run, startMaster, waitInSync } from "./_support/replication.ts";

const BUDGET_BYTES = 1_500_000;
const VALUE = "v".repeat(200);

async function pipeline(client: RawClient, commands: string[][]): Promise<Uint8Array[]> {
  const replies: Uint8Array[] = [];
  for (let start = 0; start < commands.length; start += 2000) {
    const batch = commands.slice(start, start + 2000);
    await client.send(concatBytes(batch.map((argv) => encodeCommand(argv))));
    replies.push(...await client.readReplies(batch.length, 20_000));
  }
  return replies;
}

async function exists(client: RawClient, keys: string[]): Promise<boolean[]> {
  const replies = await pipeline(client, keys.map((key) => ["EXISTS", key]));
  return replies.map((reply) => latin1Text(reply) === ":1\r\n");
}

function share(flags: boolean[]): number {
  return flags.filter(Boolean).length / flags.length;
}

/** Sets maxmemory to the empty server's used_memory plus the budget, under `policy`. */
async function limit(client: RawClient, policy: string): Promise<number> {
  await run(client, "FLUSHALL");
  const baseline = Number(await infoField(client, "memory", "used_memory"));
  const maxmemory = baseline + BUDGET_BYTES;
  await run(client, "CONFIG", "SET", "maxmemory-policy", policy);
  await run(client, "CONFIG", "SET", "maxmemory", String(maxmemory));
  return maxmemory;
}

interface Outcome {
  evicted: number;
  usedBytes: number;
  maxmemory: number;
  /** Policy-specific survival shares. */
  shares: Record<string, number>;
}

const keysOf = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${prefix}:${i}`);

/** volatile-*: half the keys have a TTL (the shorter, the lower the index), half do not. */
async function volatileSequence(client: RawClient, policy: string): Promise<Outcome> {
  const maxmemory = await limit(client, policy);
  const persistent = keysOf("p", 2000);
  const volatile = keysOf("v", 4000);
  await pipeline(client, persistent.map((key) => ["SET", key, VALUE]));
  await pipeline(
    client,
    volatile.map((key, i) => ["SET", key, VALUE, "EX", String(100_000 + i * 10)]),
  );
  const volatileLeft = await exists(client, volatile);
  // Where the evicted keys sat in TTL order: 0 = the soonest to expire, 1 = the latest.
  const evictedRanks = volatileLeft.flatMap((left, i) => left ? [] : [i / volatile.length]);
  return {
    evicted: Number(await infoField(client, "stats", "evicted_keys")),
    usedBytes: Number(await infoField(client, "memory", "used_memory")),
    maxmemory,
    shares: {
      persistent: share(await exists(client, persistent)),
      volatile: share(volatileLeft),
      evictedTtlRank: evictedRanks.reduce((sum, rank) => sum + rank, 0) / evictedRanks.length,
    },
  };
}

/** allkeys-lru / -lfu: cold keys, then hot keys used many times, then new keys push out. */
async function hotColdSequence(client: RawClient, policy: string): Promise<Outcome> {
  const maxmemory = await limit(client, policy);
  const hot = keysOf("hot", 500);
  const cold = keysOf("cold", 3000);
  await pipeline(client, [...hot, ...cold].map((key) => ["SET", key, VALUE]));
  // The LRU clock has a resolution of one second: let the cold keys age.
  await delay(2100);
  for (let round = 0; round < 30; round++) await pipeline(client, hot.map((key) => ["GET", key]));
  await pipeline(client, keysOf("new", 3000).map((key) => ["SET", key, VALUE]));
  const evicted = Number(await infoField(client, "stats", "evicted_keys"));
  const coldLeft = share(await exists(client, cold));
  return {
    evicted,
    usedBytes: Number(await infoField(client, "memory", "used_memory")),
    maxmemory,
    shares: {
      hot: share(await exists(client, hot)),
      cold: coldLeft,
      /** Of all evictions, the share that hit a cold key. */
      evictionsCold: Math.min(1, (1 - coldLeft) * cold.length / evicted),
    },
  };
}

async function bothServers(
  sequence: (client: RawClient, policy: string) => Promise<Outcome>,
  policy: string,
): Promise<{ redis: Outcome; ours: Outcome }> {
  const redis = await startRedisServer();
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const r = await RawClient.connect(redis.port);
  const o = await RawClient.connect(server.port);
  try {
    const [redisOutcome, ourOutcome] = await Promise.all([
      sequence(r, policy),
      sequence(o, policy),
    ]);
    console.log(`${policy}: redis-server ${JSON.stringify(redisOutcome)}`);
    console.log(`${policy}: resplica     ${JSON.stringify(ourOutcome)}`);
    for (const outcome of [redisOutcome, ourOutcome]) {
      assert.ok(outcome.evicted > 0, "nothing was evicted");
    }
    assert.ok(ourOutcome.usedBytes <= ourOutcome.maxmemory, "resplica stayed under maxmemory");
    return { redis: redisOutcome, ours: ourOutcome };
  } finally {
    r.close();
    o.close();
    await server.close();
    await redis.stop();
  }
}

for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"]) {
  peerTest(`eviction ${policy}: only keys with a TTL go, as on redis-server`, async () => {
    const { redis, ours } = await bothServers(volatileSequence, policy);
    for (const outcome of [redis, ours]) {
      assert.equal(outcome.shares.persistent, 1, "a key without a TTL was evicted");
      // Soonest to expire go first under volatile-ttl; the others pick from all TTL keys.
      if (policy === "volatile-ttl") {
        // Evicting the soonest fraction f exactly gives a mean rank of f/2; at random, 0.5.
        const ideal = (1 - outcome.shares.volatile) / 2;
        assert.ok(outcome.shares.evictedTtlRank < ideal + 0.15, JSON.stringify(outcome.shares));
      }
    }
  });
}

for (const policy of ["allkeys-lru", "allkeys-lfu"]) {
  peerTest(`eviction ${policy}: hot keys survive, cold ones go, as on redis-server`, async () => {
    const { redis, ours } = await bothServers(hotColdSequence, policy);
    for (const outcome of [redis, ours]) {
      assert.ok(outcome.shares.hot >= 0.9, JSON.stringify(outcome.shares));
      if (policy === "allkeys-lru") {
        // The cold keys are the longest idle: nearly every eviction hits one.
        assert.ok(outcome.shares.evictionsCold > 0.8, JSON.stringify(outcome.shares));
      } else {
        // LFU cannot tell a cold key from a new one (both at the initial count): they share.
        assert.ok(outcome.shares.cold < 0.95, JSON.stringify(outcome.shares));
      }
    }
  });
}

peerTest("eviction allkeys-random: any key may go; memory stays under the limit", async () => {
  const { redis, ours } = await bothServers(volatileSequence, "allkeys-random");
  for (const outcome of [redis, ours]) {
    // Keys without a TTL are evicted too, at about the rate of the others.
    assert.ok(outcome.shares.persistent < 0.95, JSON.stringify(outcome.shares));
  }
});

Deno.test("eviction noeviction: writes past maxmemory get -OOM, reads and deletes still work", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    await limit(client, "noeviction");
    const replies = await pipeline(client, keysOf("k", 8000).map((key) => ["SET", key, VALUE]));
    const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    assert.ok(replies.some((reply) => latin1Text(reply) === oom), "no write was refused");
    assert.equal(await client.commandText("SET", "another", "x"), oom);
    assert.equal(await client.commandText("GET", "k:0"), `$200\r\n${VALUE}\r\n`);
    assert.equal(await client.commandText("DEL", "k:0"), ":1\r\n");
    assert.equal(await infoField(client, "stats", "evicted_keys"), "0");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("eviction: evicted keys reach replicas as DEL; OBJECT IDLETIME / FREQ", async () => {
  const master = await startMaster();
  const replica = await startServer({ port: 0, logLevel: "nothing" });
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await run(r, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r);
    await limit(m, "allkeys-lru");
    await pipeline(m, keysOf("k", 8000).map((key) => ["SET", key, VALUE]));
    assert.ok(Number(await infoField(m, "stats", "evicted_keys")) > 0);
    // No more evictions while the two are compared (reads past the limit would evict too).
    await run(m, "CONFIG", "SET", "maxmemory", "0");
    await waitInSync(m, r);
    // The replica does not evict by itself (it has no limit here): it mirrors the master.
    assert.equal(await r.commandText("DBSIZE"), await m.commandText("DBSIZE"));
    assert.equal(await datasetDigest(r), await datasetDigest(m));

    await run(m, "SET", "fresh", "1");
    assert.equal(await m.commandText("OBJECT", "IDLETIME", "fresh"), ":0\r\n");
    assert.match(
      await m.commandText("OBJECT", "FREQ", "fresh"),
      /^-ERR An LFU maxmemory policy is not selected/,
    );
    await run(m, "CONFIG", "SET", "maxmemory-policy", "allkeys-lfu");
    await run(m, "SET", "counted", "1");
    assert.equal(await m.commandText("OBJECT", "FREQ", "counted"), ":5\r\n"); // Redis's LFU_INIT_VAL
    assert.match(
      await m.commandText("OBJECT", "IDLETIME", "counted"),
      /^-ERR An LFU maxmemory policy is selected/,
    );
    assert.equal(await m.commandText("OBJECT", "FREQ", "missing"), "$-1\r\n");
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("memory: pages freed by deletes are reused; INFO reports what WASM holds", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    const fill = () => pipeline(client, keysOf("k", 20_000).map((key) => ["SET", key, VALUE]));
    await fill();
    const grownBytes = Number(await infoField(client, "memory", "wasm_memory_bytes"));
    const usedFull = Number(await infoField(client, "memory", "used_memory"));
    await run(client, "FLUSHALL");
    // Linear memory never shrinks, but the engine's free pages hold what was freed ...
    assert.equal(Number(await infoField(client, "memory", "wasm_memory_bytes")), grownBytes);
    assert.ok(Number(await infoField(client, "memory", "used_memory")) < usedFull / 10);
    assert.ok(Number(await infoField(client, "memory", "mem_fragmentation_ratio")) > 5);
    // ... and the same data again fits in it without growing.
    await fill();
    assert.equal(Number(await infoField(client, "memory", "wasm_memory_bytes")), grownBytes);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("eviction still deletes when rename-command disabled DEL", async () => {
  const config = new Config();
  applyConfigText(config, 'port 0\nsave ""\nloglevel nothing\nrename-command DEL ""\n', "t.conf");
  const server = startNetworkServer(config);
  const client = await RawClient.connect(server.port);
  try {
    await limit(client, "allkeys-random");
    const replies = await pipeline(client, keysOf("k", 8000).map((key) => ["SET", key, VALUE]));
    assert.ok(replies.every((reply) => latin1Text(reply) === "+OK\r\n"));
    assert.ok(Number(await infoField(client, "stats", "evicted_keys")) > 0);
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("streams count in used_memory: maxmemory refuses XADD past it, eviction frees a stream's nodes", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  const used = async () => Number(await infoField(client, "memory", "used_memory"));
  const oom = "-OOM command not allowed when used memory > 'maxmemory'.\r\n";
  try {
    // A stream's bytes are the engine's: 20,000 entries of 100-byte values grow used_memory
    // by at least their size, and deleting the key gives it back.
    const before = await used();
    const value = "v".repeat(100);
    const adds = Array.from({ length: 20_000 }, (_, i) => ["XADD", "s", `${i + 1}-0`, "f", value]);
    await pipeline(client, adds);
    const grown = (await used()) - before;
    assert.ok(grown >= 20_000 * 100, `used_memory grew by ${grown} only`);
    assert.equal(await client.commandText("DEL", "s"), ":1\r\n");
    await delay(150); // the cron's sweep frees the nodes (HOST_SWEEP_INTERVAL_MS)
    const released = (await used()) - before;
    assert.ok(released < grown / 10, `after DEL, used_memory still ${released} above`);

    // noeviction: a stream that grows past maxmemory gets -OOM, its entries so far intact.
    await limit(client, "noeviction");
    const replies = await pipeline(
      client,
      Array.from({ length: 20_000 }, (_, i) => ["XADD", "t", `${i + 1}-0`, "f", value]),
    );
    const refused = replies.filter((reply) => latin1Text(reply) === oom).length;
    assert.ok(refused > 0, "no XADD was refused");
    assert.equal(await client.commandText("XLEN", "t"), `:${20_000 - refused}\r\n`);

    // allkeys-lru: evicting streams brings memory back under the limit.
    await run(client, "FLUSHALL");
    const maxmemory = await limit(client, "allkeys-lru");
    for (let k = 0; k < 40; k++) {
      await pipeline(
        client,
        Array.from({ length: 500 }, (_, i) => ["XADD", `st:${k}`, `${i + 1}-0`, "f", value]),
      );
    }
    assert.ok(Number(await infoField(client, "stats", "evicted_keys")) > 0, "nothing evicted");
    assert.ok((await used()) <= maxmemory, "used_memory above maxmemory after eviction");
  } finally {
    client.close();
    await server.close();
  }
});
