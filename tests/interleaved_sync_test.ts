// Interleaved full sync between resplica nodes (issue 16, part 2; core/replication/
// interleaved_sync.ts): the snapshot and the stream written during it travel at once, the
// replica buffers the stream while it loads, and the master holds nothing for it — no spool in
// memory, nothing spilled. Real processes: a resplica master under continuous redis-benchmark
// writes, a resplica replica attaching (loading into the live dbs, and with repl-diskless-load
// swapdb over an old dataset); each must come online with the master's data and offset. The
// frame reader's checks on malformed input are tested on raw bytes.

import assert from "node:assert/strict";
import {
  encodeEndFrame,
  encodeFrameHeader,
  FRAME_PAYLOAD_MAX_BYTES,
  FRAME_SNAPSHOT,
  FRAME_STREAM,
  InterleavedFrameError,
  InterleavedFrameReader,
  writeFrames,
} from "../core/replication/interleaved_sync.ts";
import { RawClient } from "./_support/raw_client.ts";
import { findExecutable, peerTest } from "./_support/redis_peer.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import {
  infoField,
  run,
  startMaster,
  startReplica,
  waitFor,
  waitInSync,
} from "./_support/replication.ts";

const KEY_COUNT = 150_000;
const KEY_BATCH = 1_000;
const VALUE_BYTES = 100;
const LOAD_KEYSPACE = 20_000;
const ONLINE_TIMEOUT_MS = 45_000;
const CATCH_UP_TIMEOUT_MS = 30_000;
const SAMPLED_KEYS = 300;
const INFO_SAMPLE_MS = 20;

async function loadDataset(client: RawClient, prefix: string): Promise<void> {
  const value = "v".repeat(VALUE_BYTES);
  for (let start = 0; start < KEY_COUNT; start += KEY_BATCH) {
    const args = ["MSET"];
    for (let i = start; i < start + KEY_BATCH; i++) args.push(`${prefix}:${i}`, value);
    await run(client, ...args);
  }
}

function startLoad(benchmark: string, port: number): Deno.ChildProcess {
  return new Deno.Command(benchmark, {
    args: [
      "-p",
      String(port),
      "-t",
      "set",
      "-d",
      "200",
      "-P",
      "16",
      "-c",
      "8",
      "-r",
      String(LOAD_KEYSPACE),
      "-n",
      "100000000",
      "-q",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function syncUnderLoad(replicaArgs: string[], oldDataset: boolean): Promise<void> {
  const benchmark = findExecutable("redis-benchmark");
  assert.ok(benchmark !== null, "redis-benchmark is needed");
  const dir = await Deno.makeTempDir({ prefix: "resplica-interleaved-" });
  const master = await spawnResplica(["--dir", dir, "--repl-diskless-sync-delay", "0"]);
  let replica: ResplicaProcess | null = null;
  let load: Deno.ChildProcess | null = null;
  const masterClient = await RawClient.connect(master.port, 30_000);
  let replicaClient: RawClient | null = null;
  let sampling = true;
  try {
    await loadDataset(masterClient, "base");
    replica = await spawnResplica([
      "--dir",
      dir,
      "--repl-sync-buffer-memory",
      "64kb",
      ...replicaArgs,
    ]);
    replicaClient = await RawClient.connect(replica.port, 30_000);
    if (oldDataset) {
      // Another history's data, replaced by the sync (under swapdb: after it has loaded).
      await run(replicaClient, "SET", "old:key", "gone after the sync");
    }
    load = startLoad(benchmark, master.port);
    await new Promise((resolve) => setTimeout(resolve, 500));

    // The master's spool must stay unused throughout; sampled while the sync runs.
    let spoolSeen = 0;
    let interleavingSeen = false;
    const sampler = (async () => {
      const probe = await RawClient.connect(master.port, 30_000);
      try {
        while (sampling) {
          spoolSeen += Number(await infoField(probe, "replication", "repl_spool_memory_bytes"));
          if (await infoField(probe, "replication", "repl_interleaved_syncs") !== "0") {
            interleavingSeen = true;
          }
          await new Promise((resolve) => setTimeout(resolve, INFO_SAMPLE_MS));
        }
      } finally {
        probe.close();
      }
    })();

    await run(replicaClient, "REPLICAOF", "127.0.0.1", String(master.port));
    let lines = "";
    await waitFor("the replica online under load", async () => {
      lines = await infoField(masterClient, "replication", "slave0").catch(() => "");
      const link = await infoField(replicaClient!, "replication", "master_link_status");
      return lines.includes("state=online") && link === "up";
    }, ONLINE_TIMEOUT_MS).catch((error) => {
      throw new Error(`${(error as Error).message}: ${lines}`);
    });
    // Keep writing a while after it came online: the live stream follows the buffered one.
    await new Promise((resolve) => setTimeout(resolve, 500));
    load.kill("SIGKILL");
    await load.status;
    load = null;
    sampling = false;
    await sampler;

    const offset = await infoField(masterClient, "replication", "master_repl_offset");
    await waitFor(
      "the replica to apply the whole stream",
      async () => (await infoField(replicaClient!, "replication", "slave_repl_offset")) === offset,
      CATCH_UP_TIMEOUT_MS,
    );
    assert.equal(
      await replicaClient.commandText("DBSIZE"),
      await masterClient.commandText("DBSIZE"),
    );
    assert.equal(await replicaClient.commandText("EXISTS", "old:key"), ":0\r\n");
    for (let i = 0; i < SAMPLED_KEYS; i++) {
      const key = i % 2 === 0
        ? `key:${String(Math.floor(Math.random() * LOAD_KEYSPACE)).padStart(12, "0")}`
        : `base:${Math.floor(Math.random() * KEY_COUNT)}`;
      assert.equal(
        await replicaClient.commandText("GET", key),
        await masterClient.commandText("GET", key),
        key,
      );
    }

    // Nothing held on the master: no spool, nothing spilled, and it did interleave.
    assert.equal(spoolSeen, 0, "the master's spool held stream during the sync");
    assert.equal(await infoField(masterClient, "replication", "repl_spilled_bytes_total"), "0");
    assert.equal(await infoField(masterClient, "replication", "repl_spool_memory_bytes"), "0");
    assert.equal(await infoField(masterClient, "replication", "repl_interleaved_syncs"), "0");
    assert.equal(await infoField(masterClient, "replication", "repl_interleaved_syncs_total"), "1");
    assert.ok(interleavingSeen, "INFO never showed the sync interleaving");
    assert.equal(await infoField(masterClient, "stats", "sync_full"), "1");
    // The replica held it: a non-zero peak, spilled past 64 KB, empty now.
    const peak = Number(
      await infoField(replicaClient, "replication", "replica_sync_buffer_peak_bytes"),
    );
    const spilled = Number(
      await infoField(replicaClient, "replication", "replica_sync_buffer_spilled_bytes"),
    );
    assert.ok(peak > 0, `buffer peak ${peak}`);
    assert.ok(spilled > 0, `buffer spilled ${spilled}`);
    assert.equal(await infoField(replicaClient, "replication", "replica_sync_buffer_bytes"), "0");
    assert.equal(
      await infoField(replicaClient, "replication", "resplica_last_sync_interleaved"),
      "1",
    );
    // The spill file went with the sync.
    const leftovers = [...Deno.readDirSync(dir)].filter((e) => e.name.startsWith("temp-repl"));
    assert.deepEqual(leftovers, []);
    console.log(`interleaved sync: replica buffer peak ${peak} bytes, ${spilled} spilled`);
  } finally {
    sampling = false;
    if (load !== null) {
      load.kill("SIGKILL");
      await load.status;
    }
    masterClient.close();
    replicaClient?.close();
    if (replica !== null) await killHard(replica);
    await killHard(master);
    await Deno.remove(dir, { recursive: true });
  }
}

peerTest(
  "interleaved sync under writes: replica online and equal, nothing held on the master",
  () => syncUnderLoad([], false),
);

peerTest(
  "interleaved sync under writes with repl-diskless-load swapdb over an old dataset",
  () => syncUnderLoad(["--repl-diskless-load", "swapdb"], true),
);

for (const side of ["master", "replica"]) {
  Deno.test(`repl-interleaved-sync no on the ${side}: the spooled $EOF sync as before`, async () => {
    const off = { "repl-interleaved-sync": "no" };
    const master = await startMaster(side === "master" ? off : {});
    const m = await RawClient.connect(master.port);
    try {
      for (let i = 0; i < 100; i++) await run(m, "SET", `k${i}`, `v${i}`);
      const replica = await startReplica(master.port, side === "replica" ? off : {});
      const r = await RawClient.connect(replica.port);
      try {
        await waitInSync(m, r);
        await run(m, "SET", "after", "sync");
        await waitInSync(m, r);
        assert.equal(await r.commandText("DBSIZE"), ":101\r\n");
        assert.equal(await infoField(r, "replication", "resplica_last_sync_interleaved"), "0");
        assert.equal(await infoField(m, "replication", "repl_interleaved_syncs_total"), "0");
      } finally {
        r.close();
        await replica.close();
      }
    } finally {
      m.close();
      await master.close();
    }
  });
}

function readAll(reader: InterleavedFrameReader, wire: Uint8Array): number {
  let at = 0;
  while (at < wire.length && !reader.ended) {
    const take = Math.min(reader.wantBytes, wire.length - at);
    reader.push(wire.subarray(at, at + take));
    at += take;
  }
  return at;
}

Deno.test("InterleavedFrameReader splits frames and stops at the end frame", () => {
  const parts: Uint8Array[] = [];
  const big = new Uint8Array(FRAME_PAYLOAD_MAX_BYTES + 10).fill(7);
  writeFrames(FRAME_SNAPSHOT, big, (chunk) => parts.push(chunk.slice()));
  writeFrames(FRAME_STREAM, new TextEncoder().encode("abc"), (chunk) => parts.push(chunk.slice()));
  parts.push(encodeEndFrame(123), new TextEncoder().encode("live"));
  const wire = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    wire.set(part, at);
    at += part.length;
  }
  let snapshotBytes = 0;
  let stream = "";
  let end = -1;
  const reader = new InterleavedFrameReader({
    snapshot: (bytes) => snapshotBytes += bytes.length,
    stream: (bytes) => stream += new TextDecoder().decode(bytes),
    end: (offset) => end = offset,
  });
  const consumed = readAll(reader, wire);
  assert.equal(snapshotBytes, big.length);
  assert.equal(stream, "abc");
  assert.equal(end, 123);
  assert.equal(new TextDecoder().decode(wire.subarray(consumed)), "live");
});

Deno.test("InterleavedFrameReader rejects an unknown type, an oversized frame, a bad offset", () => {
  const sink = { snapshot: () => {}, stream: () => {}, end: () => {} };
  const unknown = encodeFrameHeader(FRAME_STREAM, 0);
  unknown[0] = 0x58;
  assert.throws(() => readAll(new InterleavedFrameReader(sink), unknown), InterleavedFrameError);
  const oversized = encodeFrameHeader(FRAME_STREAM, 0);
  new DataView(oversized.buffer).setUint32(1, FRAME_PAYLOAD_MAX_BYTES + 1, true);
  assert.throws(() => readAll(new InterleavedFrameReader(sink), oversized), InterleavedFrameError);
  const badEnd = encodeEndFrame(12);
  badEnd[5] = 0x2d; // "-2"
  assert.throws(() => readAll(new InterleavedFrameReader(sink), badEnd), InterleavedFrameError);
});
