// How stream values live in the keyspace: the engine keeps each stream key as an entry holding
// a handle, the stream itself sits in the engine object's host value table (core/engine/
// stream.ts). These tests hold the storage to its promises:
//
// - no two keys share one stream: COPY deep-copies (entries, groups, PELs, consumers), while
//   RENAME / MOVE / SWAPDB move the one stream;
// - a stream whose key is gone (DEL, overwrite, expiry, FLUSHDB / FLUSHALL, SWAPDB + FLUSHDB)
//   is unreachable and its memory reclaimed by the sweep, and a live one never is;
// - snapshots capture the instant: a BGSAVE file holds each stream as it was when BGSAVE ran,
//   through writes made to it while the save goes on, and DEBUG RELOAD gives the same streams
//   back (XINFO STREAM FULL byte for byte).

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1, utf8 } from "../core/bytes.ts";
import { executeCommand } from "../core/commands/mod.ts";
import { streamToRecord } from "../core/persistence/stream_records.ts";
import { type RdbEntry, RdbReader } from "../core/rdb/mod.ts";
import { ArenaStreamMemory, ID_MAX, ID_ZERO, Stream } from "../core/streams/mod.ts";
import { streamRead } from "../core/engine/stream.ts";
import { inProcessClient, inProcessServer } from "./_support/in_process.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";

/** Streams created and dropped in the reclaim test: past the sweep's garbage threshold. */
const DROPPED_STREAM_COUNT = 300;
/** Upper bound for waiting on a BGSAVE to end. */
const BGSAVE_WAIT_MAX_MS = 15_000;

function setup() {
  const { state, table } = inProcessServer();
  const client = inProcessClient(1);
  const run = (...args: string[]): string => {
    client.writer.reset();
    const pending = executeCommand(table, state, client, args.map(utf8));
    assert.equal(pending, undefined, `${args.join(" ")} did not complete at once`);
    return latin1(client.writer.view());
  };
  return { state, run };
}

let sweepCount = 0;

/** A clock reading far enough past the previous one that the sweep runs for any garbage. */
function sweepTime(): number {
  return Date.now() + 10_000 * ++sweepCount;
}

Deno.test("COPY gives the copy a stream of its own; RENAME and MOVE move the one stream", () => {
  const { state, run } = setup();
  run("XADD", "s", "1-0", "f", "v");
  run("XGROUP", "CREATE", "s", "g", "0");
  run("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">");
  const before = run("XINFO", "STREAM", "s", "FULL");
  assert.equal(run("COPY", "s", "t"), ":1\r\n");
  assert.equal(run("XINFO", "STREAM", "t", "FULL"), before, "the copy starts equal");
  run("XADD", "t", "2-0", "f", "w");
  run("XACK", "t", "g", "1-0");
  run("XGROUP", "CREATECONSUMER", "t", "g", "bob");
  run("XGROUP", "CREATE", "t", "h", "$");
  assert.equal(run("XINFO", "STREAM", "s", "FULL"), before, "the original did not change");
  const source = streamRead(state.engine, 0, utf8("s"), Date.now())!;
  const copy = streamRead(state.engine, 0, utf8("t"), Date.now())!;
  assert.notEqual(source, copy);
  assert.equal(state.engine.hostValueCount, 2);

  run("RENAME", "t", "u");
  assert.equal(streamRead(state.engine, 0, utf8("u"), Date.now()), copy, "RENAME moved it");
  run("MOVE", "u", "5");
  run("SWAPDB", "0", "5");
  assert.equal(streamRead(state.engine, 0, utf8("u"), Date.now()), copy, "MOVE + SWAPDB too");
  assert.equal(streamRead(state.engine, 5, utf8("s"), Date.now()), source);
  assert.equal(state.engine.reclaimHostValues(sweepTime()), 0, "nothing to reclaim");
  assert.equal(state.engine.hostValueCount, 2);
});

Deno.test("streams whose keys are gone are swept; live ones never are", async () => {
  const { state, run } = setup();
  run("XADD", "keep", "1-0", "f", "v");
  run("SELECT", "3");
  run("XADD", "keep3", "1-0", "f", "v");
  run("SELECT", "0");
  for (let i = 0; i < DROPPED_STREAM_COUNT; i++) run("XADD", `gone:${i}`, "1-0", "f", "v");
  for (let i = 0; i < DROPPED_STREAM_COUNT; i += 3) run("DEL", `gone:${i}`);
  for (let i = 1; i < DROPPED_STREAM_COUNT; i += 3) run("SET", `gone:${i}`, "overwritten");
  for (let i = 2; i < DROPPED_STREAM_COUNT; i += 3) run("PEXPIRE", `gone:${i}`, "1");
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (let i = 2; i < DROPPED_STREAM_COUNT; i += 3) run("EXISTS", `gone:${i}`);
  const kept = new Set([
    streamRead(state.engine, 0, utf8("keep"), Date.now()),
    streamRead(state.engine, 3, utf8("keep3"), Date.now()),
  ]);
  assert.equal(state.engine.reclaimHostValues(sweepTime()), DROPPED_STREAM_COUNT);
  assert.equal(state.engine.hostValueCount, 2);
  assert.equal(run("XLEN", "keep"), ":1\r\n");
  assert.ok(kept.has(streamRead(state.engine, 0, utf8("keep"), Date.now())));

  // Whole databases: FLUSHDB, and SWAPDB bringing a stream into a database FLUSHALL empties.
  run("SWAPDB", "0", "3");
  run("FLUSHDB");
  assert.equal(state.engine.reclaimHostValues(sweepTime()), 1);
  run("SELECT", "3");
  assert.equal(run("XLEN", "keep"), ":1\r\n");
  run("FLUSHALL");
  assert.equal(state.engine.reclaimHostValues(sweepTime()), 1);
  assert.equal(state.engine.hostValueCount, 0);

  // Without a due time the sweep waits for garbage worth a walk over the keyspace.
  run("XADD", "a", "1-0", "f", "v");
  run("DEL", "a");
  assert.equal(state.engine.reclaimHostValues(Date.now() - 60_000), 0, "one stream: later");
  assert.equal(state.engine.hostValueCount, 1);
  // New streams trigger the check too (hosts without a cron: an embedded store).
  for (let i = 0; i < 200; i++) {
    run("XADD", "churn", "1-0", "f", "v");
    run("DEL", "churn");
  }
  assert.ok(state.engine.hostValueCount < 100, `${state.engine.hostValueCount} held`);
});

async function waitForBgsaveEnd(client: RawClient): Promise<string> {
  const deadlineMs = Date.now() + BGSAVE_WAIT_MAX_MS;
  while (Date.now() < deadlineMs) {
    const text = latin1Text(await client.command("INFO", "persistence"));
    if (text.includes("rdb_bgsave_in_progress:0")) return text;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`BGSAVE still running after ${BGSAVE_WAIT_MAX_MS} ms`);
}

/** Comparable text of a stream record (bigints and bytes as strings). */
function recordText(value: unknown): string {
  return JSON.stringify(
    value,
    (_, part) =>
      typeof part === "bigint" ? String(part) : part instanceof Uint8Array ? latin1(part) : part,
  );
}

Deno.test("BGSAVE writes each stream as it was at the instant, through writes made meanwhile", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-stream-" });
  const server = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
  const client = await RawClient.connect(server.port, 20_000);
  try {
    const setupCommands: string[][] = [];
    for (let i = 1; i <= 3_000; i++) setupCommands.push(["XADD", "big", `${i}-0`, "n", String(i)]);
    for (let i = 0; i < 2_000; i++) setupCommands.push(["SET", `pad:${i}`, "x".repeat(100)]);
    setupCommands.push(
      ["XGROUP", "CREATE", "big", "g", "0"],
      ["XREADGROUP", "GROUP", "g", "alice", "COUNT", "10", "STREAMS", "big", ">"],
      ["XADD", "small", "1-1", "a", "1"],
      ["XADD", "gone", "1-1", "a", "1"],
    );
    await client.send(concatBytes(setupCommands.map((args) => encodeCommand(args))));
    await client.readReplies(setupCommands.length, 20_000);
    // What the file must hold: the streams now, as the snapshot code reads them.
    const expected = new Map<string, string>();
    for (const key of ["big", "small", "gone"]) {
      const info = await client.command("XINFO", "STREAM", key, "FULL", "COUNT", "0");
      expected.set(key, latin1Text(info));
    }
    // BGSAVE and the writes in one batch: they run before the save's first slice.
    const during = [
      ["BGSAVE"],
      ["XADD", "big", "9000-0", "n", "new"],
      ["XTRIM", "big", "MAXLEN", "100"],
      ["XACK", "big", "g", "1-0"],
      ["XREADGROUP", "GROUP", "g", "bob", "COUNT", "5", "STREAMS", "big", ">"],
      ["XGROUP", "CREATE", "small", "h", "$"],
      ["DEL", "gone"],
      ["XADD", "later", "1-0", "a", "1"],
    ];
    await client.send(concatBytes(during.map((args) => encodeCommand(args))));
    const replies = (await client.readReplies(during.length)).map(latin1Text);
    assert.equal(replies[0], "+Background saving started\r\n");
    assert.ok(replies.every((reply) => !reply.startsWith("-")), replies.join(""));
    assert.match(await waitForBgsaveEnd(client), /rdb_last_bgsave_status:ok/);

    // The file, read back into a fresh server, answers as the streams did at the instant.
    const reloaded = await startServer({ port: 0, logLevel: "nothing", config: { dir } });
    const reloadedClient = await RawClient.connect(reloaded.port);
    try {
      for (const [key, info] of expected) {
        const now = await reloadedClient.command("XINFO", "STREAM", key, "FULL", "COUNT", "0");
        assert.equal(latin1Text(now), info, key);
      }
      assert.equal(await reloadedClient.commandText("EXISTS", "later"), ":0\r\n");
    } finally {
      reloadedClient.close();
      await reloaded.close();
    }
    // The records themselves equal what the snapshot code makes of a stream built the same way.
    const reader = new RdbReader();
    reader.push(await Deno.readFile(`${dir}/dump.rdb`));
    const entries: RdbEntry[] = [];
    for (let entry = reader.next(); entry !== null; entry = reader.next()) entries.push(entry);
    const small = entries.find((entry) => latin1(entry.key) === "small")!;
    const model = new Stream(new ArenaStreamMemory());
    model.append({ ms: 1n, seq: 1n }, [utf8("a"), utf8("1")], {
      maxBytes: 4096,
      maxEntries: 100,
    });
    assert.equal(
      recordText(small.value),
      recordText({ type: "stream", stream: streamToRecord(model) }),
    );
  } finally {
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DEBUG RELOAD gives every stream back as it was", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-stream-" });
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { dir, "enable-debug-command": "yes" },
  });
  const client = await RawClient.connect(server.port);
  try {
    const commands = [
      ["XADD", "s", "1-1", "a", "1", "b", "2"],
      ["XADD", "s", "2-2", "a", "3"],
      ["XADD", "s", "3-3", "c", "4"],
      ["XDEL", "s", "2-2"],
      ["XSETID", "s", "10-0", "ENTRIESADDED", "20", "MAXDELETEDID", "5-0"],
      ["XGROUP", "CREATE", "s", "g", "0", "ENTRIESREAD", "1"],
      ["XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"],
      ["XCLAIM", "s", "g", "bob", "0", "3-3", "TIME", "1234", "RETRYCOUNT", "5"],
      ["XGROUP", "CREATECONSUMER", "s", "g", "carol"],
      ["XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM"],
      ["EXPIRE", "empty", "1000"],
    ];
    for (const args of commands) {
      assert.ok(!(await client.commandText(...args)).startsWith("-"), args.join(" "));
    }
    const before = [
      await client.commandText("XINFO", "STREAM", "s", "FULL"),
      await client.commandText("XINFO", "STREAM", "empty", "FULL"),
      await client.commandText("TTL", "empty"),
    ];
    assert.equal(await client.commandText("DEBUG", "RELOAD"), "+OK\r\n");
    const after = [
      await client.commandText("XINFO", "STREAM", "s", "FULL"),
      await client.commandText("XINFO", "STREAM", "empty", "FULL"),
      await client.commandText("TTL", "empty"),
    ];
    assert.deepEqual(after, before);
  } finally {
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("node lookups agree with a plain sorted list: wrapped seq diffs, huge IDs, ID_MAX", () => {
  // A node compares IDs as numbers when its master ID is small and as BigInts otherwise, and a
  // seq below the master's is stored as a negative (wrapped) diff: every lookup must agree.
  const ids: { ms: bigint; seq: bigint }[] = [
    { ms: 5n, seq: 10n },
    { ms: 6n, seq: 0n },
    { ms: 6n, seq: 2n ** 40n },
    { ms: 2n ** 52n - 1n, seq: 3n },
    { ms: 2n ** 52n, seq: 0n },
    { ms: 2n ** 63n, seq: 2n ** 64n - 2n },
    { ms: 2n ** 64n - 1n, seq: 0n },
    { ms: 2n ** 64n - 1n, seq: 2n ** 64n - 1n },
  ];
  for (const maxEntries of [1, 3, 100]) {
    const stream = new Stream(new ArenaStreamMemory());
    for (const id of ids) {
      stream.append(id, [utf8("f"), utf8(`${id.ms}-${id.seq}`)], { maxBytes: 4096, maxEntries });
    }
    const text = (id: { ms: bigint; seq: bigint }) => `${id.ms}-${id.seq}`;
    assert.deepEqual(stream.liveEntries().map((e) => text(e.id)), ids.map(text));
    for (const [i, id] of ids.entries()) {
      assert.equal(latin1(stream.entry(id)!.values[0]), text(id), `entry ${text(id)}`);
      const after = stream.range({ ms: id.ms, seq: id.seq }, ID_MAX, false, 0).map((e) =>
        text(e.id)
      );
      assert.deepEqual(after, ids.slice(i).map(text), `from ${text(id)}, maxEntries ${maxEntries}`);
      const before = stream.range(ID_ZERO, id, true, 0).map((e) => text(e.id));
      assert.deepEqual(before, ids.slice(0, i + 1).reverse().map(text));
    }
    assert.equal(stream.hasEntry({ ms: 6n, seq: 1n }), false);
    assert.equal(stream.deleteIds([{ ms: 6n, seq: 0n }, { ms: 2n ** 52n, seq: 0n }]), 2);
    assert.equal(stream.length, ids.length - 2);
  }
});
