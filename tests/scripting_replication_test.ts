// Scripts under replication and the AOF, with real redis-server 7.0 peers. Redis 7.0 replicates a
// script by its effects: the write commands it ran, wrapped in MULTI … EXEC when there are
// several, never EVAL itself. So a redis-server replica of resplica must end equal key by key
// after scripts ran on resplica, resplica as a replica of redis-server must end equal after
// EVALs ran there, and the AOF written while scripts ran must replay to the same data.
//
// The scripts mix what effects replication must get right: several keys and types, a SELECT
// inside the script, INCRBYFLOAT (propagated as SET … KEEPTTL), SPOP (propagated as SREM),
// an EXPIRE, redis.set_repl(REPL_NONE) around a write that must stay local, a failing command
// after a write, and a script inside MULTI.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";
import {
  QUIET,
  run,
  startMaster,
  startRedisReplica,
  startReplica,
  waitInSync,
} from "./_support/replication.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";

/** Databases the scripts write to. */
const DBS = [0, 3];

/** A script that writes several keys of several types, and one in database 3. */
const MANY_WRITES = `
redis.call('set', KEYS[1], ARGV[1])
redis.call('rpush', KEYS[2], 'a', 'b', 'c')
redis.call('hset', KEYS[3], 'f1', 'v1', 'f2', 'v2')
redis.call('sadd', KEYS[4], 'x', 'y', 'z')
redis.call('zadd', KEYS[5], 1, 'one', 2.5, 'two')
redis.call('incrbyfloat', KEYS[6], '1.5')
redis.call('expire', KEYS[1], 1000)
redis.call('select', 3)
redis.call('set', 'in-db3', 'yes')
return redis.call('dbsize')`;

/** SPOP is nondeterministic: replicas must get the SREM of what was popped. */
const POP = "return redis.call('spop', KEYS[1])";

/** A write the replicas must not see (set_repl REPL_NONE), then one they must. */
const LOCAL_ONLY = `
redis.set_repl(redis.REPL_NONE)
redis.call('set', 'local-only', '1')
redis.set_repl(redis.REPL_ALL)
redis.call('set', 'replicated', '1')
return 'ok'`;

/** A write, then a command error: the write stays and is replicated. */
const WRITE_THEN_FAIL = `
redis.call('set', 'before-error', '1')
return redis.call('incr', 'string-key')`;

async function runScripts(client: RawClient): Promise<void> {
  await run(client, "SET", "string-key", "not a number");
  await run(client, "EVAL", MANY_WRITES, "6", "s", "l", "h", "set", "z", "f", "value");
  await run(client, "EVAL", MANY_WRITES, "6", "s2", "l2", "h2", "set2", "z2", "f", "v2");
  await run(client, "EVAL", POP, "1", "set");
  await run(client, "EVAL", POP, "1", "set");
  await run(client, "EVAL", LOCAL_ONLY, "0");
  const sha = (await run(client, "SCRIPT", "LOAD", "return redis.call('lpush', KEYS[1], ARGV[1])"))
    .split("\r\n")[1];
  await run(client, "EVALSHA", sha, "1", "l", "pushed");
  const failed = await client.commandText("EVAL", WRITE_THEN_FAIL, "0");
  assert.match(failed, /^-ERR value is not an integer/);
  await run(client, "MULTI");
  await run(client, "EVAL", "return redis.call('incr', 'counter')", "0");
  await run(client, "EVAL", "redis.call('incr', 'counter') return redis.call('incr', 'c2')", "0");
  await run(client, "SET", "plain", "x");
  await run(client, "EXEC");
}

/** Every key of `dbs` as "db key → type and contents", for comparing two servers. */
async function snapshot(client: RawClient, dbs: number[] = DBS): Promise<Map<string, string>> {
  const result = new Map<string, string>();
  for (const db of dbs) {
    await run(client, "SELECT", String(db));
    const keys = (await client.commandText("KEYS", "*")).split("\r\n")
      .filter((line, i) => i > 0 && i % 2 === 0 && line !== "");
    for (const key of keys) {
      const type = (await client.commandText("TYPE", key)).trim();
      const read: Record<string, string[]> = {
        "+string": ["GET", key],
        "+list": ["LRANGE", key, "0", "-1"],
        "+hash": ["HGETALL", key],
        "+set": ["SMEMBERS", key],
        "+zset": ["ZRANGE", key, "0", "-1", "WITHSCORES"],
      };
      let contents = await client.commandText(...read[type]);
      if (type === "+set" || type === "+hash") {
        contents = contents.split("\r\n").slice(1).sort().join("|");
      }
      const hasTtl = (await client.commandText("TTL", key)) !== ":-1\r\n";
      result.set(`${db} ${key}`, `${type} ttl=${hasTtl} ${contents}`);
    }
  }
  await run(client, "SELECT", "0");
  return result;
}

function assertSameData(expected: Map<string, string>, actual: Map<string, string>): void {
  assert.ok(expected.size > 10, `the scripts wrote too few keys: ${[...expected.keys()]}`);
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
  for (const [key, value] of expected) assert.equal(actual.get(key), value, key);
}

peerTest("scripting: a redis-server replica of resplica gets a script's effects", async () => {
  const ours = await startMaster({ "repl-ping-replica-period": "3600" });
  const client = await RawClient.connect(ours.port);
  const replica = await startRedisReplica(ours.port);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    await waitInSync(client, replicaClient);
    await runScripts(client);
    await waitInSync(client, replicaClient);
    const expected = await snapshot(client);
    assert.ok(expected.delete("0 local-only"), "the master keeps its local-only write");
    assert.equal(await replicaClient.commandText("EXISTS", "local-only"), ":0\r\n");
    assertSameData(expected, await snapshot(replicaClient));
  } finally {
    replicaClient.close();
    client.close();
    await replica.stop();
    await ours.close();
  }
});

peerTest("scripting: a resplica replica of redis-server applies EVAL's effects", async () => {
  const master = await startRedisServer([
    "--repl-diskless-sync-delay",
    "0",
    "--repl-ping-replica-period",
    "3600",
  ]);
  const masterClient = await RawClient.connect(master.port);
  const ours = await startReplica(master.port);
  const client = await RawClient.connect(ours.port);
  try {
    await waitInSync(masterClient, client);
    await runScripts(masterClient);
    await waitInSync(masterClient, client);
    const expected = await snapshot(masterClient);
    assert.ok(expected.delete("0 local-only"), "the master keeps its local-only write");
    assertSameData(expected, await snapshot(client));
    // The replica refuses a script that writes, as redis-server does.
    assert.equal(
      await client.commandText("EVAL", "#!lua\nreturn 1", "0"),
      "-READONLY Can not run script with write flag on readonly replica\r\n",
    );
  } finally {
    client.close();
    masterClient.close();
    await ours.close();
    await master.stop();
  }
});

Deno.test("scripting: the AOF holds a script's effects and replays them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-script-aof-" });
  const config = { dir, appendonly: "yes", appendfsync: "always" };
  try {
    const first = await startServer({ ...QUIET, config });
    const client = await RawClient.connect(first.port);
    let expected: Map<string, string>;
    try {
      await runScripts(client);
      expected = await snapshot(client);
    } finally {
      client.close();
      await first.close();
    }
    const aof = new TextDecoder().decode(await Deno.readFile(`${dir}/appendonly.aof`));
    assert.ok(!/\$4\r\nEVAL\r\n/i.test(aof), "EVAL itself is never written to the AOF");
    assert.ok(aof.includes("$5\r\nMULTI\r\n"), "a script's writes are wrapped in MULTI");
    assert.ok(aof.includes("$4\r\nSREM\r\n"), "SPOP is written as the SREM it did");
    const second = await startServer({ ...QUIET, config });
    const reader = await RawClient.connect(second.port);
    try {
      const replayed = await snapshot(reader);
      assert.ok(expected.delete("0 local-only"), "the first run kept its local-only write");
      assertSameData(expected, replayed);
    } finally {
      reader.close();
      await second.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
