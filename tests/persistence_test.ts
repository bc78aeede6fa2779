// dump.rdb interop with real Redis 7.0 in both directions, restart without loss, and refusal of
// a damaged file. Datasets are compared through a digest read with plain commands (every key of
// every db: type, value in a canonical order, whether it has a TTL), so the same function reads
// resplica and redis-server.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { datasetDigest as digest, fillDataset } from "./_support/dataset.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";

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
    const first = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { dir, "enable-debug-command": "yes" },
    });
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

Deno.test("persistence: rdb-lz4 writes LZ4 frames (smaller), and SAVE, BGSAVE, restart read them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-" });
  try {
    const first = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { dir, "enable-debug-command": "yes" },
    });
    const client = await RawClient.connect(first.port);
    await fillDataset(client);
    for (let batch = 0; batch < 10; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 1000; i++) args.push(`user:${batch}:${i}:name`, `name-${i % 97}`);
      await client.commandText(...args);
    }
    const expected = await digest(client);
    assert.equal(await client.commandText("SAVE"), "+OK\r\n");
    const plainBytes = (await Deno.stat(`${dir}/dump.rdb`)).size;
    assert.equal(await client.commandText("CONFIG", "SET", "rdb-lz4", "yes"), "+OK\r\n");
    assert.equal(await client.commandText("BGSAVE"), "+Background saving started\r\n");
    while (
      !(await client.commandText("INFO", "persistence")).includes("rdb_bgsave_in_progress:0")
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const file = await Deno.readFile(`${dir}/dump.rdb`);
    assert.equal(new TextDecoder().decode(file.subarray(0, 6)), "RSPLZ4");
    assert.ok(file.length < plainBytes * 0.7, `lz4 ${file.length} vs plain ${plainBytes} bytes`);
    assert.equal(await client.commandText("DEBUG", "RELOAD"), "+OK\r\n"); // SAVE, then load
    assert.equal(await digest(client), expected);
    client.close();
    await first.close();
    const second = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const again = await RawClient.connect(second.port);
    assert.equal(await digest(again), expected);
    again.close();
    await second.close();
    // Cut short, the file is refused with a clear error, not half loaded.
    await Deno.writeFile(`${dir}/dump.rdb`, file.subarray(0, file.length - 3));
    await assert.rejects(async () => {
      await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    }, /LZ4-framed snapshot has no end marker/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
