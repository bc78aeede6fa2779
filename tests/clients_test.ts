// Client libraries against resplica: ioredis 5 and node-redis 4, the two npm clients most
// Node/Deno applications use, must work unmodified. They exercise what hand-written RESP does
// not: their connection handshakes (CLIENT SETINFO, INFO, SELECT, ...), pipelining of many
// commands in one write, MULTI/EXEC wrapping, and Buffer (binary) replies.
//
// Both speak RESP2 here (ioredis has no RESP3; node-redis 4 neither), so RESP3 is covered by
// redis-cli -3 and the differential suite.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { Redis } from "ioredis";
import { commandOptions, createClient } from "redis";
import { peerTest } from "./_support/redis_peer.ts";
import { isSelfTest, startSubject } from "./_support/subject.ts";

/** What these tests need on PATH: nothing, unless redis-server stands in for resplica. */
const CLIENT_BINARIES = isSelfTest() ? ["redis-server"] : [];

/** Every byte value, so a lossy text conversion anywhere shows up. */
const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, index) => index));

peerTest("ioredis: strings, keys, expiry, pipeline, multi, binary values", async () => {
  const subject = await startSubject();
  const client = new Redis({
    host: "127.0.0.1",
    port: subject.port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    assert.deepEqual(await client.ping(), "PONG");
    assert.deepEqual(await client.set("name", "resplica"), "OK");
    assert.deepEqual(await client.get("name"), "resplica");
    assert.deepEqual(await client.get("missing"), null);
    assert.deepEqual(await client.incr("counter"), 1);
    assert.deepEqual(await client.incrby("counter", 41), 42);
    assert.deepEqual(await client.incrbyfloat("float", "1.5"), "1.5");
    assert.deepEqual(await client.mset({ a: "1", b: "2" }), "OK");
    assert.deepEqual(await client.mget("a", "b", "missing"), ["1", "2", null]);
    assert.deepEqual(await client.expire("name", 100), 1);
    assert.deepEqual(await client.ttl("name"), 100);
    assert.deepEqual(await client.set("px", "v", "PX", 100_000), "OK");
    assert.deepEqual(await client.exists("name", "a", "missing"), 2);
    assert.deepEqual(await client.del("a", "b", "missing"), 2);
    assert.deepEqual((await client.keys("*")).sort(), ["counter", "float", "name", "px"]);
    assert.deepEqual(await client.type("name"), "string");
    assert.deepEqual(await client.dbsize(), 4);

    const pipelineResults = await client.pipeline().set("p", "1").incr("p").get("p").exec();
    assert.deepEqual(pipelineResults, [[null, "OK"], [null, 2], [null, "2"]]);

    const multiResults = await client.multi().set("m", "x").append("m", "yz").get("m").exec();
    assert.deepEqual(multiResults, [[null, "OK"], [null, 3], [null, "xyz"]]);

    await client.set(Buffer.from("bin\r\n\0key"), ALL_BYTES);
    assert.deepEqual(await client.getBuffer(Buffer.from("bin\r\n\0key")), ALL_BYTES);

    await assert.rejects(() => client.incr("name"), /ERR value is not an integer/);

    await client.select(1);
    assert.deepEqual(await client.dbsize(), 0);
    assert.deepEqual(await client.flushall(), "OK");
  } finally {
    await client.quit().catch(() => client.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });

peerTest("node-redis: strings, keys, expiry, pipeline, multi, binary values", async () => {
  const subject = await startSubject();
  const client = createClient({
    socket: { host: "127.0.0.1", port: subject.port, reconnectStrategy: false },
  });
  client.on("error", () => {}); // Errors surface through the awaited commands below.
  try {
    await client.connect();
    assert.deepEqual(await client.ping(), "PONG");
    assert.deepEqual(await client.set("name", "resplica"), "OK");
    assert.deepEqual(await client.get("name"), "resplica");
    assert.deepEqual(await client.get("missing"), null);
    assert.deepEqual(await client.incr("counter"), 1);
    assert.deepEqual(await client.decrBy("counter", 3), -2);
    assert.deepEqual(await client.set("k", "v", { EX: 100, NX: true }), "OK");
    assert.deepEqual(await client.set("k", "w", { NX: true }), null);
    assert.deepEqual(await client.ttl("k"), 100);
    assert.deepEqual(await client.expire("counter", 50), true);
    assert.deepEqual(await client.persist("counter"), true);
    assert.deepEqual(await client.ttl("counter"), -1);
    assert.deepEqual(await client.mSet(["a", "1", "b", "2"]), "OK");
    assert.deepEqual(await client.mGet(["a", "b", "missing"]), ["1", "2", null]);
    assert.deepEqual(await client.getDel("a"), "1");
    assert.deepEqual(await client.del(["a", "b"]), 1);
    assert.deepEqual(await client.exists(["name", "k", "missing"]), 2);
    assert.deepEqual(await client.strLen("name"), 8);
    assert.deepEqual(await client.getRange("name", 0, 2), "res");

    const multiResults = await client.multi().set("m", "1").incrBy("m", 9).get("m").exec();
    assert.deepEqual(multiResults, ["OK", 10, "10"]);

    // Commands issued in the same tick are written to the socket together (auto-pipelining).
    const pipelined = await Promise.all([
      client.set("p1", "x"),
      client.append("p1", "y"),
      client.get("p1"),
      client.dbSize(),
    ]);
    assert.deepEqual(pipelined, ["OK", 2, "xy", 5]);

    await client.set("bin", ALL_BYTES);
    const binary = await client.get(commandOptions({ returnBuffers: true }), "bin");
    assert.deepEqual(binary, ALL_BYTES);

    await assert.rejects(() => client.sendCommand(["NOSUCHCOMMAND"]), /ERR unknown command/);
    assert.deepEqual(await client.flushAll(), "OK");
  } finally {
    await client.quit().catch(() => client.disconnect());
    await subject.close();
  }
}, { binaries: CLIENT_BINARIES });
