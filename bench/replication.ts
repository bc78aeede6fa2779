// Replication benchmark: redis-server → redis-server against resplica → resplica on this machine.
//
//   deno run -A bench/replication.ts [--keys 1000000] [--requests 300000]
//
// For each pair: load `keys` keys × 100 B into the master (redis-cli --pipe), then
//  1. full sync time: a replica attaches (REPLICAOF) until it reports master_link_status:up and
//     its offset equals the master's;
//  2. master write throughput (redis-benchmark SET -P 16) with no sync running, and while a
//     second full sync runs (the replica re-attached with REPLICAOF NO ONE + REPLICAOF);
//  3. replication lag under that write load: a probe writes a unique key on the master and
//     polls the replica until it appears, 200 times; p50 and p99 in ms.
// Every server is its own process on 127.0.0.1, stopped by PID at the end.

import { RawClient } from "../tests/_support/raw_client.ts";
import { delay } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  benchmarkSetRate,
  type BenchProcess,
  command,
  pipeLoad,
  startRedisProcess,
  startResplicaProcess,
  waitInSync,
  writeStringKeysFile,
} from "./_servers.ts";

const { keys: keyCount, requests: requestCount } = benchFlags({
  keys: 1_000_000,
  requests: 300_000,
});
const LAG_PROBES = 200;

function startNode(kind: "redis" | "resplica", dir: string): Promise<BenchProcess> {
  if (kind === "resplica") return startResplicaProcess(dir);
  // No diskless-sync delay: Redis would otherwise wait 5 s for more replicas before each
  // full sync, and that wait is not sync time.
  return startRedisProcess(dir, ["--repl-diskless-sync-delay", "0"]);
}

async function lagProbes(master: number, replica: number): Promise<number[]> {
  const writer = await RawClient.connect(master);
  const reader = await RawClient.connect(replica);
  const lagsMs: number[] = [];
  try {
    for (let i = 0; i < LAG_PROBES; i++) {
      const startedMs = performance.now();
      await writer.commandText("SET", `probe:${i}`, "1");
      while ((await reader.commandText("EXISTS", `probe:${i}`)) !== ":1\r\n") await delay(0);
      lagsMs.push(performance.now() - startedMs);
    }
  } finally {
    writer.close();
    reader.close();
  }
  return lagsMs.sort((a, b) => a - b);
}

async function measure(kind: "redis" | "resplica", scratch: string, insertion: string) {
  await Deno.mkdir(`${scratch}/${kind}-m`);
  await Deno.mkdir(`${scratch}/${kind}-r`);
  const master = await startNode(kind, `${scratch}/${kind}-m`);
  const replica = await startNode(kind, `${scratch}/${kind}-r`);
  try {
    await pipeLoad(master.port, insertion, keyCount);
    let startedMs = performance.now();
    await command(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(master.port, replica.port);
    const fullSyncMs = performance.now() - startedMs;
    await command(replica.port, "REPLICAOF", "NO", "ONE");
    const alone = await benchmarkSetRate(master.port, requestCount, keyCount);
    startedMs = performance.now();
    const during = benchmarkSetRate(master.port, requestCount, keyCount);
    await command(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
    const duringRate = await during;
    await waitInSync(master.port, replica.port);
    const load = benchmarkSetRate(master.port, requestCount, keyCount);
    const lags = await lagProbes(master.port, replica.port);
    await load;
    return {
      fullSyncMs,
      alone,
      duringRate,
      p50: lags[Math.floor(lags.length * 0.5)],
      p99: lags[Math.floor(lags.length * 0.99)],
    };
  } finally {
    await replica.stop();
    await master.stop();
  }
}

const scratch = await Deno.makeTempDir({ prefix: "resplica-repl-bench-" });
try {
  const insertion = `${scratch}/insert.resp`;
  await writeStringKeysFile(insertion, keyCount);
  const redis = await measure("redis", scratch, insertion);
  const ours = await measure("resplica", scratch, insertion);
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  console.log([
    "| figure | redis → redis | resplica → resplica | ratio |",
    "| --- | ---: | ---: | ---: |",
    `| full sync, ${keyCount.toLocaleString("en-US")} keys × 100 B (ms) | ${
      redis.fullSyncMs.toFixed(0)
    } | ${ours.fullSyncMs.toFixed(0)} | ${ratio(ours.fullSyncMs, redis.fullSyncMs)} |`,
    `| master SET -P16, no sync (req/s) | ${redis.alone.toFixed(0)} | ${ours.alone.toFixed(0)} | ${
      ratio(ours.alone, redis.alone)
    } |`,
    `| master SET -P16 during a full sync (req/s) | ${redis.duringRate.toFixed(0)} | ${
      ours.duringRate.toFixed(0)
    } | ${ratio(ours.duringRate, redis.duringRate)} |`,
    `| during / without, same master | ${(redis.duringRate / redis.alone).toFixed(2)} | ${
      (ours.duringRate / ours.alone).toFixed(2)
    } | — |`,
    `| replication lag under load, p50 / p99 (ms) | ${redis.p50.toFixed(1)} / ${
      redis.p99.toFixed(1)
    } | ${ours.p50.toFixed(1)} / ${ours.p99.toFixed(1)} | — |`,
  ].join("\n"));
} finally {
  await Deno.remove(scratch, { recursive: true });
}
