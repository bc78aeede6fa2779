// The append-only file: acknowledged writes survive kill -9 under appendfsync always, a tail cut
// mid-command loads up to the last whole command (or refuses with aof-load-truncated no), a
// malformed middle refuses to start, and BGREWRITEAOF keeps the dataset (in the background, with
// an RDB preamble; writes made during the rewrite survive kill -9; scheduled after a BGSAVE).
// Servers run as their own processes (the CLI, as users run it) so they can be killed for real.

import assert from "node:assert/strict";
import { RawClient } from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { startServer } from "../mod.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";

/** resplica on its own, with its data in `dir`. */
function spawnServer(dir: string, extra: string[]): Promise<ResplicaProcess> {
  return spawnResplica(["--dir", dir, ...extra]);
}

async function runToExit(dir: string, extra: string[]): Promise<{ code: number; stderr: string }> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "core/main.ts", "--port", "0", "--dir", dir, "--save", "", ...extra],
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: output.code, stderr: new TextDecoder().decode(output.stderr) };
}

/** Waits until INFO persistence reports no AOF rewrite running or scheduled. */
async function waitForRewrite(client: RawClient): Promise<string> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const info = await client.commandText("INFO", "persistence");
    if (info.includes("aof_rewrite_in_progress:0") && info.includes("aof_rewrite_scheduled:0")) {
      return info;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the AOF rewrite did not end");
}

Deno.test("aof: with appendfsync always no acknowledged write is lost to kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const first = await spawnServer(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
    const client = await RawClient.connect(first.port);
    const acknowledged: number[] = [];
    for (let i = 0; i < 300; i++) {
      const reply = await client.commandText("SET", `key:${i}`, `value:${i}`);
      if (reply === "+OK\r\n") acknowledged.push(i);
    }
    await client.commandText("RPUSH", "list", "a", "b", "c");
    await client.commandText("HSET", "hash", "f", "v");
    await client.commandText("ZADD", "zset", "1.5", "m");
    await client.commandText("SADD", "set", "x");
    await client.commandText("SELECT", "4");
    await client.commandText("SET", "in-db-4", "yes");
    await client.commandText("INCRBYFLOAT", "float", "10.5");
    client.close();
    await killHard(first);

    const second = await spawnServer(dir, ["--appendonly", "yes"]);
    const check = await RawClient.connect(second.port);
    assert.equal(acknowledged.length, 300);
    for (const i of acknowledged) {
      assert.equal(
        await check.commandText("GET", `key:${i}`),
        `$${`value:${i}`.length}\r\nvalue:${i}\r\n`,
      );
    }
    assert.equal(
      await check.commandText("LRANGE", "list", "0", "-1"),
      "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
    );
    assert.equal(await check.commandText("ZSCORE", "zset", "m"), "$3\r\n1.5\r\n");
    assert.equal(await check.commandText("SELECT", "4"), "+OK\r\n");
    assert.equal(await check.commandText("GET", "in-db-4"), "$3\r\nyes\r\n");
    assert.equal(await check.commandText("GET", "float"), "$4\r\n10.5\r\n");
    check.close();
    await killHard(second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: a truncated tail loads up to the last whole command; a bad middle refuses", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  const path = `${dir}/appendonly.aof`;
  try {
    const whole = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n";
    await Deno.writeTextFile(path, whole + "*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$5\r\nhal");
    const refused = await runToExit(dir, ["--appendonly", "yes", "--aof-load-truncated", "no"]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /Unexpected end of file reading the append only file at offset 50/,
    );

    const server = await spawnServer(dir, ["--appendonly", "yes"]);
    const client = await RawClient.connect(server.port);
    assert.equal(await client.commandText("GET", "a"), "$1\r\n1\r\n");
    assert.equal(await client.commandText("EXISTS", "b"), ":0\r\n");
    client.close();
    await killHard(server);
    assert.equal((await Deno.readTextFile(path)).startsWith(whole), true);

    await Deno.writeTextFile(path, whole + "*3\r\n$3\r\nSET\r\n$x\r\n" + whole);
    const corrupt = await runToExit(dir, ["--appendonly", "yes"]);
    assert.equal(corrupt.code, 1);
    assert.match(corrupt.stderr, /Bad file format reading the append only file at offset \d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: BGREWRITEAOF compacts the log and keeps the dataset", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const first = await spawnServer(dir, ["--appendonly", "yes"]);
    const client = await RawClient.connect(first.port);
    for (let i = 0; i < 200; i++) await client.commandText("INCR", "counter");
    await client.commandText("RPUSH", "list", "x", "y");
    await client.commandText("PEXPIRE", "list", "100000000");
    const before = (await Deno.stat(`${dir}/appendonly.aof`)).size;
    assert.equal(
      await client.commandText("BGREWRITEAOF"),
      "+Background append only file rewriting started\r\n",
    );
    await waitForRewrite(client);
    const after = (await Deno.stat(`${dir}/appendonly.aof`)).size;
    assert.ok(after < before / 4, `${after} vs ${before}`);
    // Redis's layout: an RDB preamble (aof-use-rdb-preamble), then commands.
    const head = (await Deno.readFile(`${dir}/appendonly.aof`)).subarray(0, 9);
    assert.equal(new TextDecoder().decode(head), "REDIS0010");
    await client.commandText("INCR", "counter");
    client.close();
    await killHard(first);
    const second = await spawnServer(dir, ["--appendonly", "yes"]);
    const check = await RawClient.connect(second.port);
    assert.equal(await check.commandText("GET", "counter"), "$3\r\n201\r\n");
    assert.equal(
      await check.commandText("LRANGE", "list", "0", "-1"),
      "*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
    );
    assert.match(await check.commandText("PTTL", "list"), /^:\d{8}\r\n$/);
    check.close();
    await killHard(second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: the log holds what a replica must replay (absolute expiries, rewritten non-deterministic writes)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const server = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { dir, appendonly: "yes", appendfsync: "always" },
    });
    const client = await RawClient.connect(server.port);
    await client.commandText("SET", "s", "v", "EX", "100");
    await client.commandText("EXPIRE", "s", "200");
    await client.commandText("INCRBYFLOAT", "f", "1.5");
    await client.commandText("SADD", "set", "only");
    await client.commandText("SPOP", "set");
    await client.commandText("GET", "s");
    await client.commandText("SET", "gone", "x", "PX", "1");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await client.commandText("GET", "gone");
    client.close();
    await server.close();
    const log = await Deno.readTextFile(`${dir}/appendonly.aof`);
    const commands = log.split(/\*\d+\r\n/).filter((c) => c !== "").map((c) =>
      c.split("\r\n").filter((_, i) => i % 2 === 1).join(" ")
    );
    assert.match(commands[1], /^SET s v PXAT \d{13}$/);
    assert.match(commands[2], /^PEXPIREAT s \d{13}$/);
    assert.equal(commands[3], "SET f 1.5 KEEPTTL");
    assert.equal(commands[4], "SADD set only");
    assert.equal(commands[5], "SREM set only");
    assert.match(commands[6], /^SET gone x PXAT \d{13}$/);
    assert.equal(commands[7], "DEL gone");
    assert.equal(commands.length, 8, JSON.stringify(commands));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: with appendfsync everysec acknowledged writes survive kill -9 (written before the reply)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const first = await spawnServer(dir, ["--appendonly", "yes", "--appendfsync", "everysec"]);
    const client = await RawClient.connect(first.port);
    for (let i = 0; i < 100; i++) await client.commandText("SET", `early:${i}`, "v");
    // Every reply follows the write() of its command, so a killed process loses nothing; the
    // fsync once a second (after this pause) only matters when the machine itself goes down.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await client.commandText("SET", "late", "v");
    client.close();
    await killHard(first);
    const second = await spawnServer(dir, ["--appendonly", "yes"]);
    const check = await RawClient.connect(second.port);
    assert.equal(
      await check.commandText("EXISTS", ...Array.from({ length: 100 }, (_, i) => `early:${i}`)),
      ":100\r\n",
    );
    check.close();
    await killHard(second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: BGREWRITEAOF runs in the background; writes made meanwhile survive kill -9", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const first = await spawnServer(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
    const client = await RawClient.connect(first.port);
    for (let batch = 0; batch < 100; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 1000; i++) args.push(`key:${batch}:${i}`, `value ${batch} ${i}`);
      assert.equal(await client.commandText(...args), "+OK\r\n");
    }
    await client.commandText("RPUSH", "list", "a", "b");
    assert.equal(
      await client.commandText("BGREWRITEAOF"),
      "+Background append only file rewriting started\r\n",
    );
    assert.equal(
      await client.commandText("BGREWRITEAOF"),
      "-ERR Background append only file rewriting already in progress\r\n",
    );
    // Writes while the rewrite runs: acknowledged, so they must survive.
    let writesDuring = 0;
    for (;;) {
      const info = await client.commandText("INFO", "persistence");
      if (info.includes("aof_rewrite_in_progress:0")) break;
      assert.equal(await client.commandText("INCR", "during"), `:${++writesDuring}\r\n`);
      await client.commandText("SET", `key:${writesDuring % 100}:0`, `rewritten ${writesDuring}`);
      await client.commandText("LPUSH", "list", String(writesDuring));
    }
    assert.ok(writesDuring > 0, "the rewrite ended before any write: the test proves nothing");
    const info = await waitForRewrite(client);
    assert.match(info, /aof_last_bgrewrite_status:ok/);
    await client.commandText("INCR", "during");
    const expected = [
      await client.commandText("GET", "during"),
      await client.commandText("LRANGE", "list", "0", "-1"),
      await client.commandText("GET", `key:${writesDuring % 100}:0`),
      await client.commandText("DBSIZE"),
    ];
    client.close();
    await killHard(first);
    const second = await spawnServer(dir, ["--appendonly", "yes"]);
    const check = await RawClient.connect(second.port);
    assert.deepEqual([
      await check.commandText("GET", "during"),
      await check.commandText("LRANGE", "list", "0", "-1"),
      await check.commandText("GET", `key:${writesDuring % 100}:0`),
      await check.commandText("DBSIZE"),
    ], expected);
    assert.equal(await check.commandText("GET", "key:99:999"), "$12\r\nvalue 99 999\r\n");
    check.close();
    await killHard(second);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("aof: BGREWRITEAOF during a BGSAVE is scheduled, then runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
  try {
    const server = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { dir, appendonly: "yes" },
    });
    const client = await RawClient.connect(server.port);
    for (let batch = 0; batch < 100; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 1000; i++) args.push(`key:${batch}:${i}`, "v");
      await client.commandText(...args);
    }
    assert.equal(await client.commandText("BGSAVE"), "+Background saving started\r\n");
    assert.equal(
      await client.commandText("BGREWRITEAOF"),
      "+Background append only file rewriting scheduled\r\n",
    );
    assert.match(await client.commandText("INFO", "persistence"), /aof_rewrite_scheduled:1/);
    const info = await waitForRewrite(client);
    assert.match(info, /aof_last_bgrewrite_status:ok/);
    const head = (await Deno.readFile(`${dir}/appendonly.aof`)).subarray(0, 5);
    assert.equal(new TextDecoder().decode(head), "REDIS");
    client.close();
    await server.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

peerTest(
  "aof: redis-check-aof accepts our rewritten AOF and redis-server 7.0 loads it",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-aof-" });
    try {
      const ours = await spawnServer(dir, ["--appendonly", "yes", "--appendfsync", "always"]);
      const client = await RawClient.connect(ours.port);
      await client.commandText("MSET", "a", "1", "b", "two");
      await client.commandText("RPUSH", "list", "x", "y");
      await client.commandText("HSET", "hash", "f", "v");
      await client.commandText("BGREWRITEAOF");
      await waitForRewrite(client);
      await client.commandText("SET", "after", "3"); // the AOF tail after the preamble
      client.close();
      await killHard(ours);
      const check = await new Deno.Command(findExecutable("redis-check-aof")!, {
        args: [`${dir}/appendonly.aof`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const checkText = new TextDecoder().decode(check.stdout);
      assert.equal(check.code, 0, checkText);
      assert.match(checkText, /RDB preamble is OK/);
      assert.match(checkText, /is valid/);
      // Redis 7 migrates a single-file AOF into its multi-part layout and loads it.
      const redis = await startRedisServer(["--dir", dir, "--appendonly", "yes"]);
      const theirs = await RawClient.connect(redis.port);
      try {
        assert.equal(
          await theirs.commandText("MGET", "a", "b", "after"),
          "*3\r\n$1\r\n1\r\n$3\r\ntwo\r\n$1\r\n3\r\n",
        );
        assert.equal(
          await theirs.commandText("LRANGE", "list", "0", "-1"),
          "*2\r\n$1\r\nx\r\n$1\r\ny\r\n",
        );
        assert.equal(await theirs.commandText("HGET", "hash", "f"), "$1\r\nv\r\n");
      } finally {
        theirs.close();
        await redis.stop();
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { binaries: ["redis-server", "redis-check-aof"] },
);
