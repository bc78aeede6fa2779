// Compressed full sync benchmark: how many bytes a full sync puts on the wire between two
// resplica nodes with LZ4 frames (REPLCONF capa lz4, the default) and with plain RDB
// (repl-lz4-sync no on the replica), and how long each takes.
//
//   deno run -A bench/lz4_sync.ts [--keys 1000000]
//
// The master holds `keys` keys × 100 B of compressible values (a number padded with one
// repeated letter, as bench/replication.ts loads). Each replica attaches once; the figures are
// its INFO replication resplica_last_sync_wire_bytes / _rdb_bytes and the time until its
// offset equals the master's. Every server is its own process on 127.0.0.1, stopped by PID.

import {
  benchFlags,
  type BenchProcess,
  command,
  infoField,
  pipeLoad,
  startResplicaProcess,
  waitInSync,
  writeStringKeysFile,
} from "./_servers.ts";

const { keys: keyCount } = benchFlags({ keys: 1_000_000 });

async function syncOnce(master: BenchProcess, dir: string, lz4: boolean) {
  const replica = await startResplicaProcess(dir, ["--repl-lz4-sync", lz4 ? "yes" : "no"]);
  try {
    const startedMs = performance.now();
    await command(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
    const info = await waitInSync(master.port, replica.port);
    return {
      syncMs: performance.now() - startedMs,
      wireBytes: Number(infoField(info, "resplica_last_sync_wire_bytes")),
      rdbBytes: Number(infoField(info, "resplica_last_sync_rdb_bytes")),
      lz4: infoField(info, "resplica_last_sync_lz4") === "1",
    };
  } finally {
    await replica.stop();
  }
}

const dir = await Deno.makeTempDir({ prefix: "resplica-bench-lz4-" });
const master = await startResplicaProcess(dir);
try {
  const loadPath = `${dir}/load.resp`;
  await writeStringKeysFile(loadPath, keyCount);
  await pipeLoad(master.port, loadPath, keyCount);
  const plain = await syncOnce(master, dir, false);
  const framed = await syncOnce(master, dir, true);
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`full sync of ${keyCount} keys × 100 B between two resplica processes`);
  console.log(
    `plain RDB:  ${mib(plain.wireBytes)} MiB on the wire (RDB ${mib(plain.rdbBytes)} MiB), ` +
      `${plain.syncMs.toFixed(0)} ms`,
  );
  console.log(
    `LZ4 frames: ${mib(framed.wireBytes)} MiB on the wire (RDB ${mib(framed.rdbBytes)} MiB), ` +
      `${framed.syncMs.toFixed(0)} ms, lz4=${framed.lz4}`,
  );
  console.log(
    `wire bytes lz4/plain: ${(framed.wireBytes / plain.wireBytes).toFixed(3)}; ` +
      `sync time lz4/plain: ${(framed.syncMs / plain.syncMs).toFixed(2)}`,
  );
} finally {
  await master.stop();
  await Deno.remove(dir, { recursive: true });
}
