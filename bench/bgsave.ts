// BGSAVE benchmark: resplica against redis-server 7.0 on this machine, same data, same run.
//
//   deno run -A bench/bgsave.ts [--keys 1000000] [--requests 400000]
//
// For each server: load `keys` keys of 100-byte values (redis-cli --pipe), then
//  1. BGSAVE alone: wall time until rdb_bgsave_in_progress:0, and the dump.rdb size;
//  2. write throughput without a save (redis-benchmark SET -P 16 over the same key space);
//  3. the same benchmark started together with a BGSAVE: throughput while the snapshot runs,
//     and rdb_last_cow_size (bytes copied because of writes during the snapshot).
// redis-server forks (its copy-on-write is the kernel's pages); resplica copies keys on their
// first write (core/persistence/cow_snapshot.ts). Both are stopped by PID at the end.

import { delay } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  benchmarkSetRate,
  command,
  infoField,
  pipeLoad,
  startRedisProcess,
  startResplicaProcess,
  writeStringKeysFile,
} from "./_servers.ts";

const { keys: keyCount, requests: requestCount } = benchFlags({
  keys: 1_000_000,
  requests: 400_000,
});

interface Target {
  port: number;
  dir: string;
  stop(): Promise<void>;
}

async function persistenceField(port: number, name: string): Promise<string> {
  return infoField(await command(port, "INFO", "persistence"), name);
}

async function waitBgsave(port: number): Promise<void> {
  while ((await persistenceField(port, "rdb_bgsave_in_progress")) !== "0") await delay(20);
}

async function measure(target: Target, insertion: string) {
  await pipeLoad(target.port, insertion, keyCount);
  let startedMs = performance.now();
  await command(target.port, "BGSAVE");
  await waitBgsave(target.port);
  const bgsaveMs = performance.now() - startedMs;
  const fileBytes = (await Deno.stat(`${target.dir}/dump.rdb`)).size;
  const alone = await benchmarkSetRate(target.port, requestCount, keyCount);
  startedMs = performance.now();
  const during = benchmarkSetRate(target.port, requestCount, keyCount);
  await command(target.port, "BGSAVE");
  const duringRate = await during;
  await waitBgsave(target.port);
  const cowBytes = Number(await persistenceField(target.port, "rdb_last_cow_size"));
  return { bgsaveMs, fileBytes, alone, duringRate, cowBytes };
}

const scratch = await Deno.makeTempDir({ prefix: "resplica-bgsave-bench-" });
const insertion = `${scratch}/insert.resp`;
await writeStringKeysFile(insertion, keyCount);
const rows: string[] = [];
try {
  await Deno.mkdir(`${scratch}/redis`);
  await Deno.mkdir(`${scratch}/resplica`);
  const redis: Target = {
    ...await startRedisProcess(`${scratch}/redis`),
    dir: `${scratch}/redis`,
  };
  const redisFigures = await measure(redis, insertion).finally(() => redis.stop());
  const resplica: Target = {
    ...await startResplicaProcess(`${scratch}/resplica`),
    dir: `${scratch}/resplica`,
  };
  const ourFigures = await measure(resplica, insertion).finally(() => resplica.stop());
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  rows.push(
    "| figure | redis-server 7.0 | resplica | ratio |",
    "| --- | ---: | ---: | ---: |",
    `| BGSAVE time, ${keyCount.toLocaleString("en-US")} keys × 100 B (ms) | ${
      redisFigures.bgsaveMs.toFixed(0)
    } | ${ourFigures.bgsaveMs.toFixed(0)} | ${
      (ourFigures.bgsaveMs / redisFigures.bgsaveMs).toFixed(2)
    }× |`,
    `| dump.rdb size (MiB) | ${mib(redisFigures.fileBytes)} | ${mib(ourFigures.fileBytes)} | ${
      (ourFigures.fileBytes / redisFigures.fileBytes).toFixed(2)
    }× |`,
    `| SET -P16 without a save (req/s) | ${redisFigures.alone.toFixed(0)} | ${
      ourFigures.alone.toFixed(0)
    } | ${(ourFigures.alone / redisFigures.alone).toFixed(2)}× |`,
    `| SET -P16 during BGSAVE (req/s) | ${redisFigures.duringRate.toFixed(0)} | ${
      ourFigures.duringRate.toFixed(0)
    } | ${(ourFigures.duringRate / redisFigures.duringRate).toFixed(2)}× |`,
    `| during / without, same server | ${
      (redisFigures.duringRate / redisFigures.alone).toFixed(2)
    } | ${(ourFigures.duringRate / ourFigures.alone).toFixed(2)} | — |`,
    `| rdb_last_cow_size (MiB) | ${mib(redisFigures.cowBytes)} | ${mib(ourFigures.cowBytes)} | — |`,
  );
  console.log(rows.join("\n"));
} finally {
  await Deno.remove(scratch, { recursive: true });
}
