// Function libraries survive everything a dataset survives, with real Redis 7.0 on the other
// side: dump.rdb both ways (redis-check-rdb accepts ours), AOF replay and BGREWRITEAOF (the RDB
// preamble carries them), DEBUG RELOAD, and replication both ways — a replica started after
// the libraries were loaded gets them by full sync, a library loaded later comes down the
// stream, and FCALL's writes replicate.
//
// Libraries are compared one at a time with FUNCTION LIST LIBRARYNAME … WITHCODE, and each has
// one function (Redis lists several in a per-process hash order); they must also answer FCALL.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import {
  run,
  startMaster,
  startRedisReplica,
  startReplica,
  waitFor,
  waitInSync,
} from "./_support/replication.ts";

const LIB_SET = "#!lua name=libset\n" +
  "redis.register_function('setit', function(keys, args) return redis.call('set', keys[1], args[1]) end)";
const LIB_GET = "#!lua name=libget\n" +
  "redis.register_function{function_name='getit', callback=function(keys) return redis.call('get', keys[1]) end, " +
  "flags={'no-writes'}, description='reads the key'}";
const LIB_LONG = "#!lua name=liblong\n" +
  "-- a comment long enough for LZF to compress it\n".repeat(20) +
  "redis.register_function('hello', function() return 'hello' end)";
const LIB_LATE =
  "#!lua name=liblate\nredis.register_function('late', function() return 'late' end)";
const LIBRARIES = [LIB_SET, LIB_GET, LIB_LONG];
const NAMES = ["libset", "libget", "liblong"];

async function loadLibraries(client: RawClient, codes = LIBRARIES): Promise<void> {
  for (const code of codes) await run(client, "FUNCTION", "LOAD", code);
}

/** Each library's FUNCTION LIST WITHCODE entry, and the FUNCTION STATS counts. */
async function librariesDigest(client: RawClient, names = NAMES): Promise<string> {
  const parts: string[] = [];
  for (const name of names) {
    parts.push(await client.commandText("FUNCTION", "LIST", "LIBRARYNAME", name, "WITHCODE"));
  }
  parts.push(await client.commandText("FUNCTION", "STATS"));
  return parts.join("\n");
}

/** The libraries work: FCALL writes, FCALL_RO reads, the long one answers. */
async function assertCallable(client: RawClient, key: string): Promise<void> {
  assert.equal(await client.commandText("FCALL", "setit", "1", key, "v"), "+OK\r\n");
  assert.equal(await client.commandText("FCALL_RO", "getit", "1", key), "$1\r\nv\r\n");
  assert.equal(await client.commandText("FCALL", "hello", "0"), "$5\r\nhello\r\n");
}

peerTest(
  "functions persistence: redis-check-rdb accepts our dump with libraries, redis-server loads them",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-fn-" });
    let expected: string;
    const ours = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    try {
      const client = await RawClient.connect(ours.port);
      await loadLibraries(client);
      await run(client, "SET", "k", "1");
      expected = await librariesDigest(client);
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
      assert.equal(await librariesDigest(client), expected);
      assert.equal(await client.commandText("GET", "k"), "$1\r\n1\r\n");
      await assertCallable(client, "x");
      client.close();
    } finally {
      await redis.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

peerTest(
  "functions persistence: resplica starts on redis-server's dump with libraries",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-fn-" });
    let expected: string;
    const redis = await startRedisServer(["--dir", dir, "--dbfilename", "dump.rdb"]);
    try {
      const client = await RawClient.connect(redis.port);
      await loadLibraries(client);
      expected = await librariesDigest(client);
      assert.equal(await client.commandText("SAVE"), "+OK\r\n");
      client.close();
    } finally {
      await redis.stop();
    }
    const ours = await startServer({
      port: 0,
      logLevel: "nothing",
      config: { dir, "enable-debug-command": "yes" },
    });
    try {
      const client = await RawClient.connect(ours.port);
      assert.equal(await librariesDigest(client), expected);
      await assertCallable(client, "x");
      // DEBUG RELOAD saves and loads them back.
      assert.equal(await client.commandText("DEBUG", "RELOAD"), "+OK\r\n");
      assert.equal(await librariesDigest(client), expected);
      await assertCallable(client, "y");
      client.close();
    } finally {
      await ours.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("functions persistence: DEBUG RELOAD's NOSAVE, NOFLUSH and MERGE options", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-fn-" });
  const ours = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { dir, save: "", "enable-debug-command": "yes" },
  });
  try {
    const client = await RawClient.connect(ours.port);
    await loadLibraries(client, [LIB_SET]);
    const before = await librariesDigest(client, ["libset"]);
    // NOFLUSH keeps our libraries, and the file's copy of one is a duplicate without MERGE.
    assert.match(
      await client.commandText("DEBUG", "RELOAD", "NOFLUSH"),
      /^-ERR Error trying to load the RDB dump/,
    );
    assert.equal(await client.commandText("DEBUG", "RELOAD", "NOFLUSH", "MERGE"), "+OK\r\n");
    assert.equal(await librariesDigest(client, ["libset"]), before);
    // NOSAVE loads the file as it was: a library loaded since survives only with NOFLUSH.
    await loadLibraries(client, [LIB_LATE]);
    assert.equal(
      await client.commandText("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"),
      "+OK\r\n",
    );
    assert.equal(await client.commandText("FCALL", "late", "0"), "$4\r\nlate\r\n");
    await assertCallableSet(client);
    assert.equal(await client.commandText("DEBUG", "RELOAD", "NOSAVE"), "+OK\r\n");
    assert.equal(await client.commandText("FCALL", "late", "0"), "-ERR Function not found\r\n");
    await assertCallableSet(client);
    assert.equal(
      await client.commandText("DEBUG", "RELOAD", "BOGUS"),
      "-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n",
    );
    client.close();
  } finally {
    await ours.close();
    await Deno.remove(dir, { recursive: true });
  }
});

async function assertCallableSet(client: RawClient): Promise<void> {
  assert.equal(await client.commandText("FCALL", "setit", "1", "k", "v"), "+OK\r\n");
}

Deno.test("functions persistence: AOF replay and BGREWRITEAOF keep the libraries", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-fn-" });
  const config = { dir, appendonly: "yes", save: "" };
  try {
    let expected: string;
    const first = await startServer({ port: 0, logLevel: "nothing", config });
    try {
      const client = await RawClient.connect(first.port);
      await loadLibraries(client, [...LIBRARIES, LIB_LATE]);
      await run(client, "FUNCTION", "DELETE", "liblate");
      await assertCallable(client, "k");
      expected = await librariesDigest(client);
      client.close();
    } finally {
      await first.close();
    }
    const aofText = await Deno.readTextFile(`${dir}/appendonly.aof`);
    assert.ok(aofText.includes("FUNCTION"), "the AOF logs FUNCTION LOAD");
    const second = await startServer({ port: 0, logLevel: "nothing", config });
    try {
      const client = await RawClient.connect(second.port);
      assert.equal(await librariesDigest(client), expected);
      assert.equal(await client.commandText("GET", "k"), "$1\r\nv\r\n");
      assert.equal(await client.commandText("FCALL", "late", "0"), "-ERR Function not found\r\n");
      await run(client, "BGREWRITEAOF");
      await waitFor("the AOF rewrite", async () => {
        const info = await client.commandText("INFO", "persistence");
        return info.includes("aof_rewrite_in_progress:0") &&
          info.includes("aof_rewrite_scheduled:0");
      });
      client.close();
    } finally {
      await second.close();
    }
    const rewritten = await Deno.readFile(`${dir}/appendonly.aof`);
    assert.equal(new TextDecoder().decode(rewritten.subarray(0, 5)), "REDIS", "an RDB preamble");
    const third = await startServer({ port: 0, logLevel: "nothing", config });
    try {
      const client = await RawClient.connect(third.port);
      assert.equal(await librariesDigest(client), expected);
      await assertCallable(client, "k2");
      client.close();
    } finally {
      await third.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

peerTest("functions replication: redis-server master to a resplica replica", async () => {
  const master = await startRedisServer();
  const masterClient = await RawClient.connect(master.port);
  try {
    await loadLibraries(masterClient);
    await assertCallable(masterClient, "before");
    const replica = await startReplica(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(masterClient, replicaClient);
      assert.equal(await librariesDigest(replicaClient), await librariesDigest(masterClient));
      await run(masterClient, "FUNCTION", "LOAD", LIB_LATE);
      await run(masterClient, "FCALL", "setit", "1", "after", "w");
      await waitInSync(masterClient, replicaClient);
      const names = [...NAMES, "liblate"];
      assert.equal(
        await librariesDigest(replicaClient, names),
        await librariesDigest(masterClient, names),
      );
      assert.equal(await replicaClient.commandText("GET", "after"), "$1\r\nw\r\n");
      assert.equal(await replicaClient.commandText("GET", "before"), "$1\r\nv\r\n");
      assert.equal(
        await replicaClient.commandText("FCALL_RO", "getit", "1", "after"),
        "$1\r\nw\r\n",
      );
      await run(masterClient, "FUNCTION", "FLUSH");
      await waitInSync(masterClient, replicaClient);
      assert.equal(await replicaClient.commandText("FUNCTION", "LIST"), "*0\r\n");
      replicaClient.close();
    } finally {
      await replica.close();
    }
  } finally {
    masterClient.close();
    await master.stop();
  }
});

peerTest("functions replication: resplica master to a redis-server replica", async () => {
  const master = await startMaster();
  const masterClient = await RawClient.connect(master.port);
  try {
    await loadLibraries(masterClient);
    await assertCallable(masterClient, "before");
    const replica = await startRedisReplica(master.port);
    const replicaClient = await RawClient.connect(replica.port);
    try {
      await waitInSync(masterClient, replicaClient);
      assert.equal(await librariesDigest(replicaClient), await librariesDigest(masterClient));
      await run(masterClient, "FUNCTION", "LOAD", LIB_LATE);
      await run(masterClient, "FCALL", "setit", "1", "after", "w");
      await waitInSync(masterClient, replicaClient);
      const names = [...NAMES, "liblate"];
      assert.equal(
        await librariesDigest(replicaClient, names),
        await librariesDigest(masterClient, names),
      );
      assert.equal(await replicaClient.commandText("GET", "after"), "$1\r\nw\r\n");
      assert.equal(
        await replicaClient.commandText("FCALL_RO", "getit", "1", "after"),
        "$1\r\nw\r\n",
      );
      await run(masterClient, "FUNCTION", "DELETE", "liblate");
      await waitInSync(masterClient, replicaClient);
      assert.equal(
        await replicaClient.commandText("FUNCTION", "LIST", "LIBRARYNAME", "liblate"),
        "*0\r\n",
      );
      replicaClient.close();
    } finally {
      await replica.stop();
    }
  } finally {
    masterClient.close();
    await master.close();
  }
});
