// Snapshot micro-benchmark: how long the engine takes to turn a keyspace of 1 M string keys
// (100-byte values, as bench/bgsave.ts loads) into RDB bytes, with and without LZF and LZ4
// frames (rdb-lz4), synchronously (what SAVE and each BGSAVE slice spend), and to load that
// file back into a fresh engine (start-up, DEBUG RELOAD, a replica's full sync). Saving goes
// to memory only.
//
//   deno run -A bench/snapshot_bench.ts [--keys 1000000]

import { parseArgs } from "node:util";
import { Engine } from "../core/engine/mod.ts";
import { fileSink, loadRdbFileSync, writeSnapshot } from "../core/persistence/rdb_file.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: { keys: { type: "string", default: "1000000" } },
});
const keyCount = Number(flags.keys);
const engine = Engine.create();
const encoder = new TextEncoder();
const nowMs = Date.now();
for (let i = 0; i < keyCount; i++) {
  const key = encoder.encode(`key:${String(i).padStart(12, "0")}`);
  engine.set(0, key, encoder.encode(String(i).padStart(100, "v")), 0, 0, nowMs);
}
const scratch = await Deno.makeTempDir({ prefix: "resplica-snapshot-bench-" });
const variants = [
  { name: "rdbcompression yes", compression: true, lz4Frames: false },
  { name: "rdbcompression no ", compression: false, lz4Frames: false },
  { name: "rdb-lz4 yes (+LZF)", compression: true, lz4Frames: true },
  { name: "rdb-lz4 yes, no LZF", compression: false, lz4Frames: true },
];
for (const { name, compression, lz4Frames } of variants) {
  const chunks: Uint8Array[] = [];
  let sizeBytes = 0;
  const options = { compression, checksum: true, lz4Frames, replId: "0".repeat(40), replOffset: 0 };
  const startedMs = performance.now();
  const sink = fileSink(options, (chunk) => {
    chunks.push(chunk);
    sizeBytes += chunk.length;
  });
  const written = writeSnapshot(engine, options, nowMs, sink.write);
  sink.finish();
  const elapsedMs = performance.now() - startedMs;
  console.log(
    `${name}: ${written} keys, ` +
      `${(sizeBytes / 1024 / 1024).toFixed(1)} MiB in ${elapsedMs.toFixed(0)} ms ` +
      `(${(elapsedMs * 1000 / written).toFixed(2)} µs/key)`,
  );
  const path = `${scratch}/dump.rdb`;
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (const chunk of chunks) await file.write(chunk);
  file.close();
  const loadStartedMs = performance.now();
  const loaded = loadRdbFileSync(Engine.create(), path, nowMs);
  const loadMs = performance.now() - loadStartedMs;
  console.log(
    `  load: ${loaded.keyCount} keys in ${loadMs.toFixed(0)} ms ` +
      `(${(loadMs * 1000 / loaded.keyCount).toFixed(2)} µs/key)`,
  );
}
await Deno.remove(scratch, { recursive: true });
