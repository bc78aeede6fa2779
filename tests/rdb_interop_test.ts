// Interop tests of the RDB codec against a real redis-server 7.0.
//
// One logical dataset (every type in its small and large encodings, TTLs, databases 0, 3 and
// 15) is used three ways:
// - read:  loaded into redis-server with commands, SAVEd; our reader must return exactly the
//          dataset from dump.rdb, and our encoding of every value must equal the body of
//          Redis's DUMP of that key byte for byte (except hash-table sets and hashes, whose
//          element order is Redis's hash order);
// - write: our writer's file must pass redis-check-rdb and, loaded by redis-server, answer
//          every command as the dataset says;
// - round trip: our reader returns our writer's output unchanged.

import assert from "node:assert/strict";
import {
  encodeRdb,
  encodeRdbValue,
  type RdbDatabase,
  type RdbEntry,
  RdbReader,
  type RdbValue,
} from "../core/rdb/mod.ts";
import {
  blobText,
  concatBytes,
  latin1Bytes,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./_support/raw_client.ts";
import { findExecutable, peerTest, startRedisServer } from "./_support/redis_peer.ts";

const t = (text: string) => latin1Bytes(text);
/** A fixed expiry far in the future (ms), so keys do not expire during the test. */
const EXPIRE_AT_MS = Date.now() + 3_600_000;
/** Bytes per chunk when feeding files to the reader (deliberately not a power of two). */
const READ_CHUNK_BYTES = 1_000;
/** Arguments per RPUSH/SADD/ZADD/HSET command when filling big values. */
const FILL_BATCH_COUNT = 100;

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The dataset: entries by db, in the order they are created. */
function dataset(): RdbEntry[] {
  const random = seededRandom(7);
  const entries: RdbEntry[] = [];
  const add = (db: number, key: string, value: RdbValue, expireAtMs = 0) =>
    entries.push({ db, key: t(key), expireAtMs, value });
  const str = (text: string): RdbValue => ({ type: "string", value: t(text) });
  add(0, "str:int8", str("-7"));
  add(0, "str:int16", str("12345"));
  add(0, "str:int32", str("-2147483648"));
  add(0, "str:int64", str("9223372036854775807"));
  add(0, "str:leading-zero", str("0123"));
  add(0, "str:short", str("hello"));
  add(0, "str:empty", str(""));
  add(0, "str:compressible", str("abc".repeat(200) + "tail"));
  const binary = new Uint8Array(300);
  for (let index = 0; index < binary.length; index++) binary[index] = (index * 37 + 11) & 0xff;
  add(0, "str:binary", { type: "string", value: binary });
  add(0, "str:ttl", str("expiring"), EXPIRE_AT_MS);
  add(0, "12", str("integer key"));
  add(0, "key:" + "k".repeat(40), str("compressible key"));

  add(0, "list:small", { type: "list", elements: [t("a"), t("1"), t("-300")] });
  const bigList: Uint8Array[] = [];
  for (let index = 0; index < 2000; index++) {
    if (index % 500 === 7) bigList.push(t("x".repeat(10_000 + index))); // a node > 8 KB
    else if (index % 3 === 0) bigList.push(t(String(index * 7919 - 5_000_000)));
    else bigList.push(t("element-" + index + "-" + "y".repeat(Math.floor(random() * 80))));
  }
  add(0, "list:big", { type: "list", elements: bigList });

  add(0, "set:ints", { type: "set", members: ["1", "2", "3", "-5", "70000"].map(t) });
  add(0, "set:strings", { type: "set", members: ["x", "y", "z"].map(t) });
  const intsBig: Uint8Array[] = [];
  for (let index = 0; index < 1000; index++) intsBig.push(t(String(index * 3 - 100)));
  add(0, "set:ints-big", { type: "set", members: intsBig });
  add(0, "set:wide", { type: "set", members: ["1", "9223372036854775807"].map(t) });

  add(0, "zset:small", {
    type: "zset",
    entries: [
      { member: t("a"), score: 1 },
      { member: t("b"), score: 1.5 },
      { member: t("c"), score: -Infinity },
      { member: t("d"), score: Infinity },
      { member: t("e"), score: 0.1 },
      { member: t("f"), score: -2.5e-20 },
      { member: t("g"), score: 1e20 },
      { member: t("h"), score: 1 },
    ],
  });
  const bigZset: { member: Uint8Array; score: number }[] = [];
  for (let index = 0; index < 500; index++) {
    const score = index === 0
      ? Infinity
      : index === 1
      ? -Infinity
      : index % 5 === 0
      ? Math.floor(index / 10)
      : (random() - 0.5) * 1e6;
    bigZset.push({ member: t("member:" + index), score });
  }
  add(0, "zset:big", { type: "zset", entries: bigZset });

  const pairs = (count: number, valueOf: (index: number) => string) =>
    Array.from({ length: count }, (_, index) => ({
      field: t("f" + index),
      value: t(valueOf(index)),
    }));
  add(0, "hash:small", { type: "hash", fields: pairs(3, (index) => ["v", "42", "-1"][index]) });
  add(0, "hash:big", { type: "hash", fields: pairs(1000, (index) => "value" + index) });
  add(0, "hash:long-value", {
    type: "hash",
    fields: [{ field: t("short"), value: t("s") }, { field: t("long"), value: t("L".repeat(100)) }],
  });
  add(0, "hash:ttl", { type: "hash", fields: pairs(2, String) }, EXPIRE_AT_MS + 1);

  add(3, "db3:str", str("three"));
  add(3, "db3:list", { type: "list", elements: [t("p"), t("q")] }, EXPIRE_AT_MS + 2);
  add(15, "db15:set", { type: "set", members: [t("only")] });
  add(15, "db15:zset", { type: "zset", entries: [{ member: t("m"), score: 3.25 }] });
  return entries;
}

function databasesOf(entries: RdbEntry[]): RdbDatabase[] {
  const dbs = [...new Set(entries.map((entry) => entry.db))];
  return dbs.map((db) => {
    const own = entries.filter((entry) => entry.db === db);
    return {
      db,
      keyCount: own.length,
      expiresCount: own.filter((entry) => entry.expireAtMs !== 0).length,
      entries: own,
    };
  });
}

/** A canonical, order-insensitive (for sets and hashes) text form of an entry, for compares. */
function canonical(entry: RdbEntry): string {
  const value = entry.value;
  let body: unknown;
  switch (value.type) {
    case "string":
      body = latin1Text(value.value);
      break;
    case "list":
      body = value.elements.map(latin1Text);
      break;
    case "set":
      body = value.members.map(latin1Text).sort();
      break;
    case "zset":
      body = value.entries.map((e) => [latin1Text(e.member), String(e.score)])
        .sort((a, b) => (a[0] < b[0] ? -1 : 1));
      break;
    case "hash":
      body = value.fields.map((p) => [latin1Text(p.field), latin1Text(p.value)]).sort();
      break;
  }
  return JSON.stringify([entry.db, latin1Text(entry.key), entry.expireAtMs, value.type, body]);
}

function readAll(bytes: Uint8Array, chunkBytes = READ_CHUNK_BYTES): RdbEntry[] {
  const reader = new RdbReader();
  const entries: RdbEntry[] = [];
  for (let start = 0; start < bytes.length; start += chunkBytes) {
    reader.push(bytes.subarray(start, start + chunkBytes));
    for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
  }
  reader.finish();
  return entries;
}

/** Whether Redis's bytes for this value depend on its hash-table order. */
function hashOrdered(value: RdbValue): boolean {
  const body = encodeRdbValue(value);
  return body[0] === 2 || body[0] === 4; // RDB_TYPE_SET, RDB_TYPE_HASH
}

async function fill(client: RawClient, entries: RdbEntry[]): Promise<void> {
  const ok = async (...args: (string | Uint8Array)[]) => {
    const reply = await client.command(...args);
    assert.notEqual(reply[0], 0x2d, `${args.slice(0, 2).map(String)}: ${latin1Text(reply)}`);
  };
  for (const entry of entries) {
    await ok("SELECT", String(entry.db));
    const key = entry.key;
    const value = entry.value;
    const batches = <T>(items: T[], toArgs: (item: T) => Uint8Array[]) => {
      const out: Uint8Array[][] = [];
      for (let start = 0; start < items.length; start += FILL_BATCH_COUNT) {
        out.push(items.slice(start, start + FILL_BATCH_COUNT).flatMap(toArgs));
      }
      return out;
    };
    switch (value.type) {
      case "string":
        await ok("SET", key, value.value);
        break;
      case "list":
        for (const args of batches(value.elements, (e) => [e])) await ok("RPUSH", key, ...args);
        break;
      case "set":
        for (const args of batches(value.members, (e) => [e])) await ok("SADD", key, ...args);
        break;
      case "zset":
        for (const args of batches(value.entries, (e) => [t(redisScore(e.score)), e.member])) {
          await ok("ZADD", key, ...args);
        }
        break;
      case "hash":
        for (const args of batches(value.fields, (p) => [p.field, p.value])) {
          await ok("HSET", key, ...args);
        }
        break;
    }
    if (entry.expireAtMs !== 0) await ok("PEXPIREAT", key, String(entry.expireAtMs));
  }
}

function redisScore(score: number): string {
  return score === Infinity ? "inf" : score === -Infinity ? "-inf" : String(score);
}

function parseRedisScore(text: string): number {
  return text === "inf" ? Infinity : text === "-inf" ? -Infinity : Number(text);
}

/** Checks every key of the dataset through commands: TYPE, value, PEXPIRETIME. */
async function verifyByCommands(client: RawClient, entries: RdbEntry[]): Promise<void> {
  const list = async (...args: (string | Uint8Array)[]) =>
    (splitAggregate(await client.command(...args)) ?? []).map((e) => blobText(e) ?? "");
  for (const entry of entries) {
    await client.command("SELECT", String(entry.db));
    const key = entry.key;
    const name = latin1Text(key);
    assert.equal(await client.commandText("TYPE", key), `+${entry.value.type}\r\n`, name);
    const value = entry.value;
    switch (value.type) {
      case "string":
        assert.equal(blobText(await client.command("GET", key)), latin1Text(value.value), name);
        break;
      case "list":
        assert.deepEqual(await list("LRANGE", key, "0", "-1"), value.elements.map(latin1Text));
        break;
      case "set":
        assert.deepEqual(
          (await list("SMEMBERS", key)).sort(),
          value.members.map(latin1Text).sort(),
          name,
        );
        break;
      case "zset": {
        const flat = await list("ZRANGE", key, "0", "-1", "WITHSCORES");
        const got = new Map<string, number>();
        for (let index = 0; index < flat.length; index += 2) {
          got.set(flat[index], parseRedisScore(flat[index + 1]));
        }
        assert.equal(got.size, value.entries.length, name);
        for (const e of value.entries) assert.equal(got.get(latin1Text(e.member)), e.score, name);
        break;
      }
      case "hash": {
        const flat = await list("HGETALL", key);
        const got: string[][] = [];
        for (let index = 0; index < flat.length; index += 2) {
          got.push([flat[index], flat[index + 1]]);
        }
        const want = value.fields.map((p) => [latin1Text(p.field), latin1Text(p.value)]);
        assert.deepEqual(got.sort(), want.sort(), name);
        break;
      }
    }
    const expire = await client.commandText("PEXPIRETIME", key);
    assert.equal(expire, `:${entry.expireAtMs === 0 ? -1 : entry.expireAtMs}\r\n`, name);
  }
}

/** Our encoding of every value equals the body of Redis's DUMP (order-free encodings). */
async function compareWithDump(client: RawClient, entries: RdbEntry[]): Promise<void> {
  for (const entry of entries) {
    await client.command("SELECT", String(entry.db));
    const dump = latin1Bytes(blobText(await client.command("DUMP", entry.key)) ?? "");
    const body = dump.subarray(0, dump.length - 10); // minus RDB version (2) and CRC64 (8)
    const ours = encodeRdbValue(entry.value);
    const name = latin1Text(entry.key);
    if (hashOrdered(entry.value)) {
      assert.equal(ours[0], body[0], `${name}: type byte`);
    } else {
      assert.deepEqual(ours, body, `${name}: our bytes differ from DUMP`);
    }
  }
}

peerTest("RDB interop read: our reader parses redis-server's dump.rdb exactly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-read-" });
  const peer = await startRedisServer(["--dir", dir]);
  const client = await RawClient.connect(peer.port, 30_000);
  try {
    const entries = dataset();
    await fill(client, entries);
    await compareWithDump(client, entries);
    assert.equal(await client.commandText("SAVE"), "+OK\r\n");
    const file = await Deno.readFile(`${dir}/dump.rdb`);
    for (const chunkBytes of [READ_CHUNK_BYTES, 1, 65_536]) {
      if (chunkBytes === 1 && file.length > 200_000) continue;
      const got = readAll(file, chunkBytes).map(canonical).sort();
      assert.deepEqual(got, entries.map(canonical).sort());
    }
    const reader = new RdbReader();
    reader.push(file);
    while (reader.next() !== null) { /* drain */ }
    reader.finish();
    assert.equal(latin1Text(reader.aux["redis-ver"]), await redisVersion(client));
    assert.equal(reader.version, 10);
  } finally {
    client.close();
    await peer.stop();
    await Deno.remove(dir, { recursive: true });
  }
});

async function redisVersion(client: RawClient): Promise<string> {
  const info = blobText(await client.command("INFO", "server")) ?? "";
  return /redis_version:([^\r\n]+)/.exec(info)![1];
}

peerTest(
  "RDB interop write: redis-check-rdb passes and redis-server loads our file",
  async () => {
    const entries = dataset();
    const file = concatBytes(encodeRdb({
      aux: {
        "redis-ver": "7.0.15",
        "redis-bits": "64",
        "ctime": String(Math.floor(Date.now() / 1000)),
      },
      databases: databasesOf(entries),
    }, { chunkSizeBytes: 4096 }));
    const dir = await Deno.makeTempDir({ prefix: "resplica-rdb-write-" });
    try {
      await Deno.writeFile(`${dir}/ours.rdb`, file);
      const check = await new Deno.Command(findExecutable("redis-check-rdb")!, {
        args: [`${dir}/ours.rdb`],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const checkText = new TextDecoder().decode(check.stdout) +
        new TextDecoder().decode(check.stderr);
      assert.equal(check.code, 0, checkText);
      assert.match(checkText, /RDB looks OK/);

      const peer = await startRedisServer(["--dir", dir, "--dbfilename", "ours.rdb"]);
      const client = await RawClient.connect(peer.port, 30_000);
      try {
        assert.equal(
          await client.commandText("DBSIZE"),
          `:${entries.filter((e) => e.db === 0).length}\r\n`,
        );
        await verifyByCommands(client, entries);
        await compareWithDump(client, entries);
      } finally {
        client.close();
        await peer.stop();
      }
      // Uncompressed and checksum-free files load too.
      const plain = concatBytes(encodeRdb({ databases: databasesOf(entries) }, {
        compression: false,
        checksum: false,
      }));
      assert.deepEqual(readAll(plain).map(canonical), entries.map(canonical));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
  { binaries: ["redis-server", "redis-check-rdb"] },
);

Deno.test("RDB round trip: the reader returns the writer's output unchanged", () => {
  const entries = dataset();
  for (const options of [{}, { compression: false }, { checksum: false, chunkSizeBytes: 100 }]) {
    const file = concatBytes(encodeRdb({ databases: databasesOf(entries) }, options));
    const got = readAll(file);
    assert.equal(got.length, entries.length);
    for (let index = 0; index < entries.length; index++) {
      const want = entries[index];
      const value = want.value;
      // Intsets come back sorted, zsets in score order: compare those canonically.
      if (value.type === "set" || value.type === "zset") {
        assert.equal(canonical(got[index]), canonical(want));
      } else {
        assert.deepEqual(got[index], want);
      }
    }
  }
});
