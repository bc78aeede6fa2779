// Client-side caching and MONITOR through real client libraries (ioredis 5, node-redis 4)
// against an in-process resplica: a connection subscribed to `__redis__:invalidate` receives
// the invalidation naming a key that a redirected, tracking connection read (default mode) or
// whose prefix it registered (BCAST PREFIX) once another client writes it; and ioredis
// `monitor()` emits "monitor" (time, args, source, database) for commands other clients send.
//
// node-redis 4.7.0 has no `monitor(listener)` API (it arrived in node-redis 5), so MONITOR is
// observed with ioredis, watching commands sent by both ioredis and node-redis.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { startServer } from "../mod.ts";

const INVALIDATE = "__redis__:invalidate";

function ioredis(port: number): Redis {
  return new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

function nodeRedis(port: number) {
  const client = createClient({
    socket: { host: "127.0.0.1", port, reconnectStrategy: false },
  });
  client.on("error", () => {}); // Errors surface through the awaited commands.
  return client;
}

/** Polls `condition` until it holds or `deadlineMs` elapses; fails with `what` then. */
async function waitFor(what: string, condition: () => boolean, deadlineMs = 5_000) {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

Deno.test("ioredis: CLIENT TRACKING REDIRECT delivers __redis__:invalidate for a read key", async () => {
  const server = await startServer({ port: 0, logLevel: "warning" });
  const subscriber = ioredis(server.port);
  const data = ioredis(server.port);
  const writer = ioredis(server.port);
  try {
    await Promise.all([subscriber.connect(), data.connect(), writer.connect()]);
    const subscriberId = await subscriber.client("ID");
    assert.equal(typeof subscriberId, "number");
    const messages: { channel: string; message: string }[] = [];
    subscriber.on("message", (channel: string, message: string) => {
      messages.push({ channel, message });
    });
    assert.equal(await subscriber.subscribe(INVALIDATE), 1);

    assert.equal(await data.client("TRACKING", "ON", "REDIRECT", String(subscriberId)), "OK");
    assert.equal(await data.client("GETREDIR"), subscriberId);
    await writer.set("user:1", "alice");
    assert.equal(await data.get("user:1"), "alice");
    // A key the tracking connection never read produces no invalidation.
    await writer.set("unread", "x");
    await writer.set("user:1", "bob");

    await waitFor("invalidation of user:1", () => messages.length > 0);
    assert.deepEqual(messages[0], { channel: INVALIDATE, message: "user:1" });

    // Tracking is one-shot per read: a second write without a new read sends nothing more,
    // while reading again re-arms it.
    await writer.set("user:1", "carol");
    assert.equal(await data.get("user:1"), "carol");
    await writer.del("user:1");
    await waitFor("second invalidation of user:1", () => messages.length > 1);
    // Replies on the subscriber connection are ordered after any invalidation already pushed
    // to it, so after this PING the list is complete: exactly two, none for the unread write.
    // (In RESP2 subscribed mode PING replies ["pong", ""], as Redis does.)
    assert.deepEqual(await subscriber.ping(), ["pong", ""]);
    assert.deepEqual(messages, [
      { channel: INVALIDATE, message: "user:1" },
      { channel: INVALIDATE, message: "user:1" },
    ]);
  } finally {
    subscriber.disconnect();
    data.disconnect();
    writer.disconnect();
    await server.close();
  }
});

Deno.test("node-redis: CLIENT TRACKING REDIRECT delivers __redis__:invalidate for a read key", async () => {
  const server = await startServer({ port: 0, logLevel: "warning" });
  const subscriber = nodeRedis(server.port);
  const data = nodeRedis(server.port);
  const writer = nodeRedis(server.port);
  try {
    await Promise.all([subscriber.connect(), data.connect(), writer.connect()]);
    const subscriberId = await subscriber.clientId();
    const invalidations: (string[] | null)[] = [];
    await subscriber.subscribe(INVALIDATE, (message: unknown) => {
      invalidations.push(message as string[] | null);
    });

    assert.equal(await data.clientTracking(true, { REDIRECT: subscriberId }), "OK");
    assert.equal(await data.clientGetRedir(), subscriberId);
    await writer.set("cache:a", "1");
    assert.equal(await data.get("cache:a"), "1");
    await writer.set("cache:other", "unread");
    await writer.set("cache:a", "2");

    await waitFor("invalidation of cache:a", () => invalidations.length > 0);
    assert.deepEqual(invalidations, [["cache:a"]]);
  } finally {
    await Promise.all(
      [subscriber, data, writer].map((client) => client.disconnect().catch(() => {})),
    );
    await server.close();
  }
});

Deno.test("node-redis: CLIENT TRACKING BCAST PREFIX invalidates keys under the prefix", async () => {
  const server = await startServer({ port: 0, logLevel: "warning" });
  const subscriber = nodeRedis(server.port);
  const data = nodeRedis(server.port);
  const writer = nodeRedis(server.port);
  try {
    await Promise.all([subscriber.connect(), data.connect(), writer.connect()]);
    const subscriberId = await subscriber.clientId();
    const invalidations: (string[] | null)[] = [];
    await subscriber.subscribe(INVALIDATE, (message: unknown) => {
      invalidations.push(message as string[] | null);
    });

    assert.equal(
      await data.clientTracking(true, {
        REDIRECT: subscriberId,
        BCAST: true,
        PREFIX: ["user:"],
      }),
      "OK",
    );
    // Nothing was read: broadcast mode reports every write under the prefix regardless.
    await writer.set("session:9", "ignored");
    await writer.set("user:7", "x");
    await waitFor("invalidation of user:7", () => invalidations.length > 0);
    await writer.hSet("user:8", "f", "v");
    await waitFor("invalidation of user:8", () => invalidations.length > 1);
    assert.deepEqual(invalidations, [["user:7"], ["user:8"]]);
  } finally {
    await Promise.all(
      [subscriber, data, writer].map((client) => client.disconnect().catch(() => {})),
    );
    await server.close();
  }
});

Deno.test("ioredis: CLIENT TRACKING BCAST PREFIX invalidates keys under the prefix", async () => {
  const server = await startServer({ port: 0, logLevel: "warning" });
  const subscriber = ioredis(server.port);
  const data = ioredis(server.port);
  const writer = ioredis(server.port);
  try {
    await Promise.all([subscriber.connect(), data.connect(), writer.connect()]);
    const subscriberId = await subscriber.client("ID");
    const messages: string[] = [];
    subscriber.on("message", (channel: string, message: string) => {
      if (channel === INVALIDATE) messages.push(message);
    });
    await subscriber.subscribe(INVALIDATE);
    assert.equal(
      await data.client(
        "TRACKING",
        "ON",
        "REDIRECT",
        String(subscriberId),
        "BCAST",
        "PREFIX",
        "item:",
      ),
      "OK",
    );
    await writer.set("other", "1");
    await writer.set("item:1", "1");
    await waitFor("invalidation of item:1", () => messages.length > 0);
    assert.deepEqual(messages, ["item:1"]);
  } finally {
    subscriber.disconnect();
    data.disconnect();
    writer.disconnect();
    await server.close();
  }
});

Deno.test("ioredis: monitor() emits commands sent by ioredis and node-redis clients", async () => {
  const server = await startServer({ port: 0, logLevel: "warning" });
  const client = ioredis(server.port);
  const other = nodeRedis(server.port);
  let monitor: Redis | undefined;
  try {
    await Promise.all([client.connect(), other.connect()]);
    monitor = await client.monitor();
    assert.equal(monitor.mode, "monitor");
    const seen: { time: string; args: string[]; source: string; database: string }[] = [];
    monitor.on("monitor", (time: string, args: string[], source: string, database: string) => {
      seen.push({ time, args, source, database });
    });

    await client.set("watched", "value with spaces");
    await other.hSet("h", "field", "v");
    await client.select(3);
    await client.get("in-db-3");

    const find = (name: string) =>
      seen.find((entry) => entry.args[0]?.toLowerCase() === name.toLowerCase());
    await waitFor(
      "SET, HSET and GET in the monitor feed",
      () => find("set") !== undefined && find("hset") !== undefined && find("get") !== undefined,
    );

    const set = find("set")!;
    assert.deepEqual(set.args.slice(1), ["watched", "value with spaces"]);
    assert.match(set.time, /^\d+\.\d{6}$/);
    assert.match(set.source, /^127\.0\.0\.1:\d+$/);
    assert.equal(set.database, "0");
    assert.deepEqual(find("hset")!.args.slice(1), ["h", "field", "v"]);
    assert.notEqual(find("hset")!.source, set.source); // A different connection.
    const get = find("get")!;
    assert.deepEqual(get.args.slice(1), ["in-db-3"]);
    assert.equal(get.database, "3");
    assert.equal(get.source, set.source);
  } finally {
    monitor?.disconnect();
    client.disconnect();
    await other.disconnect().catch(() => {});
    await server.close();
  }
});
