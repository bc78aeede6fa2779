// dump.rdb interop with real Redis 7.0 in both directions, restart without loss, and refusal of
// a damaged file. Datasets are compared through a digest read with plain commands (every key of
// every db: type, value in a canonical order, whether it has a TTL), so the same function reads
// resplica and redis-server.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";

/** Every type in small and large encodings, with TTLs, in dbs 0, 3 and 15. */
async function fillDataset(client: RawClient): Promise<void> {
  const run = async (...args: string[]) => {
    const reply = await client.commandText(...args);
    assert.ok(!reply.startsWith("-"), `${args.join(" ")} → ${reply}`);
  };
  await run("SELECT", "0");
  await run("SET", "str:int", "12345");
  await run("SET", "str:short", "hello");
  await run("SET", "str:long", "x".repeat(500));
  await run("SET", "str:ttl", "v", "EX", "1000");
  await run("RPUSH", "list:small", "a", "b", "c");
  const many = Array.from({ length: 600 }, (_, i) => `element-${i}-${"y".repeat(i % 40)}`);
  await run("RPUSH", "list:big", ...many);
  await run("SADD", "set:ints", "1", "2", "3", "-7");
  await run("SADD", "set:strs", "alpha", "beta", "gamma");
  await run("SADD", "set:big", ...Array.from({ length: 700 }, (_, i) => String(i * 3)));
  await run("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c");
  const zargs: string[] = [];
  for (let i = 0; i < 300; i++) zargs.push(String(i / 7), `m${i}`);
  await run("ZADD", "zset:big", ...zargs);
  await run("HSET", "hash:small", "f1", "v1", "f2", "v2");
  const hargs: string[] = [];
  for (let i = 0; i < 600; i++) hargs.push(`field${i}`, `value${i}`);
  await run("HSET", "hash:big", ...hargs);
  await run("HSET", "hash:longval", "f", "z".repeat(100));
  await run("PEXPIRE", "hash:small", "5000000");
  await run("SELECT", "3");
  await run("SET", "db3:key", "three");
  await run("SELECT", "15");
  await run("RPUSH", "db15:list", "p", "q");
  await run("SELECT", "0");
}

/** A canonical text of the whole dataset, read with commands both servers answer alike. */
async function digest(client: RawClient): Promise<string> {
  const lines: string[] = [];
  for (let db = 0; db < 16; db++) {
    await client.commandText("SELECT", String(db));
    const keys: string[] = [];
    let cursor = "0";
    do {
      const parts = splitAggregate(await client.command("SCAN", cursor, "COUNT", "1000"))!;
      cursor = latin1Text(parts[0]).split("\r\n")[1];
      for (const key of splitAggregate(parts[1])!) keys.push(latin1Text(key).split("\r\n")[1]);
    } while (cursor !== "0");
    for (const key of [...new Set(keys)].sort()) {
      const type = (await client.commandText("TYPE", key)).trim();
      const ttl = (await client.commandText("PTTL", key)).startsWith(":-1") ? "none" : "ttl";
      let value: string;
      switch (type) {
        case "+string":
          value = await client.commandText("GET", key);
          break;
        case "+list":
          value = await client.commandText("LRANGE", key, "0", "-1");
          break;
        case "+set":
          value = (splitAggregate(await client.command("SMEMBERS", key)) ?? []).map(latin1Text)
            .sort()
            .join("|");
          break;
        case "+zset":
          value = await client.commandText("ZRANGE", key, "0", "-1", "WITHSCORES");
          break;
        case "+hash": {
          const flat = (splitAggregate(await client.command("HGETALL", key)) ?? []).map(latin1Text);
          const pairs: string[] = [];
          for (let i = 0; i < flat.length; i += 2) pairs.push(flat[i] + "=" + flat[i + 1]);
          value = pairs.sort().join("|");
          break;
        }
        default:
          value = "?";
      }
      lines.push(`${db} ${key} ${type} ${ttl} ${value}`);
    }
  }
  await client.commandText("SELECT", "0");
  return lines.join("\n");
}

peerTest(
  "persistence: redis-check-rdb accepts our dump.rdb and redis-server loads the same data",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
    const ours = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    let expected: string;
    try {
      const client = await RawClient.connect(ours.port);
      await fillDataset(client);
      expected = await digest(client);
      assert.equal(await client.commandText("SAVE"), "+OK\r\n");
      client.close();
    } finally {
      await ours.close();
    }
    const check = await new Deno.Command(findExecutable("redis-check-rdb")!, {
      args: [`${dir}/dump.rdb`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(check.code, 0, new TextDecoder().decode(check.stdout));
    const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"]);
    try {
      const client = await RawClient.connect(redis.port);
      assert.equal(await digest(client), expected);
      client.close();
    } finally {
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

peerTest("persistence: resplica starts on a dump.rdb written by redis-server", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"]);
  let expected: string;
  try {
    const client = await RawClient.connect(redis.port);
    await fillDataset(client);
    expected = await digest(client);
    assert.equal(await client.commandText("SAVE"), "+OK\r\n");
    client.close();
  } finally {
    await redis.stop();
  }
  const ours = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
  try {
    const client = await RawClient.connect(ours.port);
    assert.equal(await digest(client), expected);
    client.close();
  } finally {
    await ours.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: SHUTDOWN SAVE then restart keeps everything; DEBUG RELOAD too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  try {
    const first = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const client = await RawClient.connect(first.port);
    await fillDataset(client);
    const expected = await digest(client);
    assert.equal(await client.commandText("DEBUG", "RELOAD"), "+OK\r\n");
    assert.equal(await digest(client), expected);
    await client.send("SHUTDOWN SAVE\r\n");
    assert.ok(await client.waitForClose(5000));
    client.close();
    await first.closed;
    const second = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const again = await RawClient.connect(second.port);
    assert.equal(await digest(again), expected);
    assert.match(await again.commandText("INFO", "persistence"), /rdb_changes_since_last_save:0/);
    again.close();
    await second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: BGSAVE holds the keyspace as it was at the BGSAVE instant", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  try {
    const server = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const client = await RawClient.connect(server.port);
    for (let i = 0; i < 2000; i++) await client.send(`SET k${i} v${i}\r\n`);
    await client.readReplies(2000);
    // BGSAVE and writes after it in one pipeline: the file must not see the later writes.
    await client.send("BGSAVE\r\nSET k0 changed\r\nSET late 1\r\nDEL k1\r\n");
    const replies = await client.readReplies(4);
    assert.equal(latin1Text(replies[0]), "+Background saving started\r\n");
    for (let i = 0; i < 100; i++) {
      if ((await client.commandText("INFO", "persistence")).includes("rdb_bgsave_in_progress:0")) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    client.close();
    await server.close();
    const reloaded = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const check = await RawClient.connect(reloaded.port);
    assert.equal(await check.commandText("GET", "k0"), "$2\r\nv0\r\n");
    assert.equal(await check.commandText("GET", "k1"), "$2\r\nv1\r\n");
    assert.equal(await check.commandText("EXISTS", "late"), ":0\r\n");
    assert.equal(await check.commandText("DBSIZE"), ":2000\r\n");
    check.close();
    await reloaded.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: a damaged dump.rdb stops start-up with the byte offset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  try {
    const server = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const client = await RawClient.connect(server.port);
    await client.commandText("SET", "a", "1");
    await client.commandText("SAVE");
    client.close();
    await server.close();
    const bytes = await Deno.readFile(`${dir}/dump.rdb`);
    await Deno.writeFile(`${dir}/dump.rdb`, bytes.subarray(0, bytes.length - 5));
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "core/main.ts", "--port", "0", "--dir", dir],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(output.code, 1);
    assert.match(new TextDecoder().decode(output.stderr), /RDB format error at offset \d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("persistence: a failed save keeps the previous file and reports rdb_last_bgsave_status:err", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  try {
    const server = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const client = await RawClient.connect(server.port);
    await client.commandText("SET", "a", "1");
    assert.equal(await client.commandText("SAVE"), "+OK\r\n");
    const before = await Deno.readFile(`${dir}/dump.rdb`);
    await client.commandText("SET", "a", "2");
    // A directory that does not exist: the temp file cannot be created.
    assert.equal(await client.commandText("CONFIG", "SET", "dir", `${dir}/missing`), "+OK\r\n");
    assert.match(await client.commandText("SAVE"), /^-ERR/);
    assert.equal(await client.commandText("BGSAVE"), "+Background saving started\r\n");
    for (let i = 0; i < 100; i++) {
      if ((await client.commandText("INFO", "persistence")).includes("rdb_bgsave_in_progress:0")) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.match(await client.commandText("INFO", "persistence"), /rdb_last_bgsave_status:err/);
    assert.deepEqual(await Deno.readFile(`${dir}/dump.rdb`), before);
    client.close();
    await server.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
