// Embedded-replica benchmark: in-process GET throughput of an embedded replica (openReplica)
// while it applies a redis-server master's write stream.
//
//   deno run -A bench/embedded_replica_bench.ts [--keys 100000] [--requests 1000000]
//     [--clients 10] [--pipeline 16] [--hot-keys 1024] [--batch 20000]
//
// 1. A redis-server master (its own process on a free 127.0.0.1 port, stopped by PID) is
//    loaded with `keys` keys × 100 B through redis-cli --pipe; the replica full-syncs them.
// 2. Idle: GETs on a hot set of `hot-keys` keys for 2 s, through store.get (a string),
//    store.getBytes (a copy) and store.getInto (no allocation).
// 3. Under load: redis-benchmark SETs random keys of the same key space on the master
//    (`clients` connections, `pipeline` deep) while this process runs GET batches of `batch` calls and
//    yields to the event loop between batches, which is when the link reads and applies the
//    stream (one JS thread does both). Reported: GET ops/s inside the batches and over the
//    wall clock, and the applied write rate from the replica's offset growth (bytes / the
//    144 B each SET frame adds) from the first write until the replica reached the master's
//    final offset.

import { openReplica } from "../mod.ts";
import { encodeCommand } from "../core/resp/mod.ts";
import { delay, findExecutable, startRedisServer } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  benchmarkSetArgs,
  command,
  infoField,
  pipeLoad,
  VALUE_SIZE_BYTES,
  writeStringKeysFile,
} from "./_servers.ts";

const {
  keys: keyCount,
  requests: requestCount,
  clients: clientCount,
  pipeline: pipelineDepth,
  "hot-keys": hotKeyCount,
  batch: batchSize,
} = benchFlags({
  keys: 100_000,
  requests: 1_000_000,
  clients: 10,
  pipeline: 16,
  "hot-keys": 1024,
  batch: 20_000,
});
const IDLE_MEASURE_MS = 2_000;

/** Same key format as writeStringKeysFile and redis-benchmark -r (`key:` + 12 digits). */
type Reader = "get" | "getBytes" | "getInto";
if (!Number.isInteger(Math.log2(hotKeyCount))) throw new RangeError("--hot-keys: a power of 2");
const hotKeyMask = hotKeyCount - 1;
const hotKeys = Array.from({ length: hotKeyCount }, (_, i) => `key:${String(i).padStart(12, "0")}`);
const setFrameBytes = encodeCommand(["SET", hotKeys[0], "x".repeat(VALUE_SIZE_BYTES)]).length;

const dir = await Deno.makeTempDir({ prefix: "resplica-embedded-bench-" });
const master = await startRedisServer([
  "--repl-diskless-sync-delay",
  "0",
  "--repl-backlog-size",
  "256mb",
  "--client-output-buffer-limit",
  "replica 0 0 0",
]);
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

async function masterOffset(): Promise<number> {
  return Number(infoField(await command(master.port, "INFO", "replication"), "master_repl_offset"));
}

try {
  const loadPath = `${dir}/load.resp`;
  await writeStringKeysFile(loadPath, keyCount);
  await pipeLoad(master.port, loadPath, keyCount);
  const syncStartMs = performance.now();
  const replica = await openReplica({ port: master.port, syncTimeoutMs: 120_000 });
  const finalOffset = await masterOffset();
  while (replica.replicationOffset < finalOffset) await delay(5);
  console.log(
    `full sync of ${keyCount} keys: ${(performance.now() - syncStartMs).toFixed(0)} ms, ` +
      `dbsize ${replica.store.dbSize()}`,
  );
  const store = replica.store;
  const target = new Uint8Array(4096);
  /** One batch of `batchSize` reads over the hot keys; returns the bytes read (a checksum). */
  const readBatch = (reader: Reader): number => {
    let sizeBytesTotal = 0;
    // One loop per reader keeps each call site monomorphic, as an app's own loop would be.
    if (reader === "get") {
      for (let i = 0; i < batchSize; i++) {
        sizeBytesTotal += store.get(hotKeys[i & hotKeyMask])!.length;
      }
    } else if (reader === "getBytes") {
      for (let i = 0; i < batchSize; i++) {
        sizeBytesTotal += store.getBytes(hotKeys[i & hotKeyMask])!.length;
      }
    } else {
      for (let i = 0; i < batchSize; i++) {
        sizeBytesTotal += store.getInto(hotKeys[i & hotKeyMask], target);
      }
    }
    return sizeBytesTotal;
  };
  const readerNames: Reader[] = ["get", "getBytes", "getInto"];

  // Idle: no writes arrive.
  for (const name of readerNames) {
    let operationCount = 0;
    let checksum = 0;
    const startedMs = performance.now();
    while (performance.now() - startedMs < IDLE_MEASURE_MS) {
      checksum += readBatch(name);
      operationCount += batchSize;
    }
    const elapsedMs = performance.now() - startedMs;
    if (checksum !== operationCount * VALUE_SIZE_BYTES) throw new Error("wrong values read");
    console.log(`idle ${name.padEnd(8)} ${(operationCount / elapsedMs / 1000).toFixed(2)} M ops/s`);
  }

  // Under load, once per reader.
  for (const name of readerNames) {
    const offsetBefore = replica.replicationOffset;
    const benchmark = new Deno.Command(findExecutable("redis-benchmark")!, {
      args: benchmarkSetArgs({
        port: master.port,
        requestCount,
        keySpace: keyCount,
        clientCount,
        pipelineDepth,
      }),
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let benchmarkDone = false;
    const benchmarkOutput = benchmark.output().then((output) => {
      benchmarkDone = true;
      return new TextDecoder().decode(output.stdout).replaceAll("\r", "\n");
    });
    // The window opens with the first applied write and closes at the master's final offset.
    while (replica.replicationOffset === offsetBefore) await delay(1);
    const windowStartMs = performance.now();
    const offsetStart = replica.replicationOffset;
    let operationCount = 0;
    let readingMs = 0;
    let offsetTarget = Infinity;
    while (replica.replicationOffset < offsetTarget) {
      const batchStartMs = performance.now();
      readBatch(name);
      readingMs += performance.now() - batchStartMs;
      operationCount += batchSize;
      await yieldToEventLoop();
      if (benchmarkDone && offsetTarget === Infinity) offsetTarget = await masterOffset();
    }
    const windowMs = performance.now() - windowStartMs;
    const text = await benchmarkOutput;
    const masterRate = /SET: ([\d.]+) requests per second/.exec(text)?.[1] ?? "?";
    const appliedPerSecond = (replica.replicationOffset - offsetStart) / setFrameBytes /
      (windowMs / 1000);
    console.log(
      `under load ${name.padEnd(8)}: GET ${
        (operationCount / readingMs / 1000).toFixed(2)
      } M ops/s ` +
        `in batches, ${(operationCount / windowMs / 1000).toFixed(2)} M ops/s wall clock ` +
        `(${(100 * readingMs / windowMs).toFixed(0)}% of the time reading); applied ` +
        `${(appliedPerSecond / 1000).toFixed(0)}k SET/s over ${windowMs.toFixed(0)} ms ` +
        `(master took ${masterRate} SET/s from redis-benchmark -c ${clientCount} -P ${pipelineDepth})`,
    );
  }
  console.log(
    `link: up=${replica.linkUp}, full syncs ${replica.fullSyncCount}, partial ` +
      `${replica.partialSyncCount}, offset ${replica.replicationOffset}`,
  );
  await replica.close();
} finally {
  await master.stop();
  await Deno.remove(dir, { recursive: true });
}
