// A dataset of every type and a digest of a whole keyspace, read with plain commands, so one
// function reads resplica and redis-server alike (replication and persistence comparisons).

import assert from "node:assert/strict";
import { latin1Text, type RawClient, splitAggregate } from "./raw_client.ts";

/** Every type in small and large encodings, with TTLs, in dbs 0, 3 and 15; ends in db 0. */
export async function fillDataset(client: RawClient): Promise<void> {
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
  // Elements of varied length, so the list spans several packed nodes.
  await run(
    "RPUSH",
    "list:big",
    ...Array.from({ length: 600 }, (_, i) => `element-${i}-${"y".repeat(i % 40)}`),
  );
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

/** A canonical text of all 16 dbs: key, type, whether it has a TTL, value in canonical order. */
export async function datasetDigest(client: RawClient): Promise<string> {
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
            .sort().join("|");
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
