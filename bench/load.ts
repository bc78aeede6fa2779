// Load benchmark: resplica against redis-server 7.0 on this machine, same client, same run.
//
// Run by hand from the repo root (it is not a `deno bench` file):
//
//   deno run -A bench/load.ts [--rounds 3] [--requests 200000] [--clients 50] [--keys 1000000]
//     [--tests set,get] [--memory strings,hash,set,zset|none] [--bgsave-keys 400000|0]
//
// The collection types' run: --tests lpush,lpop,sadd,hset,zadd,lrange_100 --memory hash,set,zset
//
// Throughput: `redis-benchmark -q -t set,get -n <requests> -c <clients>`, unpipelined and with
// `-P 16`, in alternating rounds (the order of the two servers flips every round so neither
// always runs on a warmer or cooler machine); the median of the rounds is reported.
// Memory: `<keys>` keys with 100-byte values loaded through `redis-cli --pipe`, then VmRSS of
// each server process from /proc/<pid>/status.
// BGSAVE (issue 18; `--bgsave-keys 0` skips it): fresh servers get `<bgsave-keys>` keys × 100 B
// through `redis-cli --pipe`; each round starts a BGSAVE while one client writes SET on those
// keys in a loop, one at a time, until INFO says the save ended (measureWritesDuringBgsave):
// writes served per second of save and the slowest single write, medians of the rounds.
//
// resplica runs as its own process through the CLI (`core/main.ts`), as users run it, so its
// RSS is that of a whole Deno process. Both servers are stopped by PID at the end. All traffic
// stays on 127.0.0.1 and every loop is bounded. RESPLICA_SELFTEST=1 puts a second redis-server
// in resplica's place to check the bench itself.

import {
  delay,
  findExecutable,
  type RedisPeer,
  startRedisServer,
} from "../tests/_support/redis_peer.ts";
import { RawClient } from "../tests/_support/raw_client.ts";
import {
  benchFlags,
  type BenchServer,
  type BgsaveWriteFigures,
  measureWritesDuringBgsave,
  measureWritesWithoutSave,
  pipeLoad,
  startRedisServerWith,
  startResplicaServer,
  startResplicaServerIn,
  VALUE_SIZE_BYTES,
  writeStringKeysFile,
} from "./_servers.ts";

/** Longest one redis-benchmark or redis-cli --pipe run may take before the bench gives up. */
const TOOL_TIMEOUT_MS = 300_000;

const flags = benchFlags({
  rounds: 3,
  requests: 200_000,
  clients: 50,
  keys: 1_000_000,
  tests: "set,get",
  memory: "strings",
  "bgsave-keys": 400_000,
});
const benchmarkTests = flags.tests;
/** Datasets to load for the memory comparison, each into a fresh pair of servers. */
const memoryDatasets = flags.memory.split(",").filter((name) => name !== "" && name !== "none");
const roundCount = Math.max(1, flags.rounds);
const requestCount = flags.requests;
const clientCount = flags.clients;
const keyCount = flags.keys;
const bgsaveKeyCount = flags["bgsave-keys"];

function redisAsBenchServer(peer: RedisPeer): BenchServer {
  return { label: "redis-server", port: peer.port, pid: peer.pid, stop: () => peer.stop() };
}

/** Runs a tool to completion (bounded by TOOL_TIMEOUT_MS); returns stdout, fails on non-zero. */
async function runTool(
  path: string,
  args: string[],
  stdinFile?: string,
): Promise<string> {
  const child = new Deno.Command(path, {
    args,
    stdin: stdinFile ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), TOOL_TIMEOUT_MS);
  try {
    if (stdinFile) {
      const file = await Deno.open(stdinFile, { read: true });
      await file.readable.pipeTo(child.stdin);
    }
    const output = await child.output();
    const stdout = new TextDecoder().decode(output.stdout);
    if (!output.success) {
      throw new Error(
        `${path} ${args.join(" ")} exited ${output.code}: ${
          new TextDecoder().decode(output.stderr)
        }${stdout}`,
      );
    }
    return stdout;
  } finally {
    clearTimeout(timer);
  }
}

/** Runs redis-benchmark for SET and GET; returns requests per second by test name. */
async function benchmark(server: BenchServer, pipelineDepth: number): Promise<Map<string, number>> {
  const stdout = await runTool(findExecutable("redis-benchmark")!, [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-q",
    "-t",
    benchmarkTests,
    "-n",
    String(requestCount),
    "-c",
    String(clientCount),
    "-P",
    String(pipelineDepth),
  ]);
  const rates = new Map<string, number>();
  for (const line of stdout.split(/[\r\n]+/)) {
    const match = /^([A-Z_0-9]+)(?: \([^)]*\))?: ([\d.]+) requests per second/.exec(line.trim());
    if (match) rates.set(match[1], Number(match[2]));
  }
  if (rates.size < benchmarkTests.split(",").length) {
    throw new Error(`${server.label}: cannot read redis-benchmark output:\n${stdout}`);
  }
  return rates;
}

/**
 * The command that creates key `index` of a memory dataset: `strings` are 100-byte values;
 * `hash`, `set` and `zset` are small collections of 5 short elements each, the shape that
 * stays in Redis's compact encodings (listpack / intset) — the case the memory target is about.
 */
function datasetCommand(dataset: string, index: number): string[] {
  const key = `key:${String(index).padStart(10, "0")}`;
  switch (dataset) {
    case "strings":
      return ["SET", key, String(index).padStart(VALUE_SIZE_BYTES, "v")];
    case "hash":
      return [
        "HSET",
        key,
        "name",
        `user${index}`,
        "age",
        String(index % 90),
        "city",
        "paris",
        "score",
        "42",
        "flag",
        "1",
      ];
    case "set":
      return ["SADD", key, `m${index}`, "alpha", "beta", "gamma", "delta"];
    case "zset":
      return [
        "ZADD",
        key,
        "1",
        `m${index}`,
        "2",
        "alpha",
        "3",
        "beta",
        "4.5",
        "gamma",
        "5",
        "delta",
      ];
    default:
      throw new Error(`unknown memory dataset '${dataset}' (strings, hash, set, zset)`);
  }
}

/** Writes the dataset's `keyCount` creating commands as RESP. */
async function writeMassInsertionFile(path: string, dataset = "strings"): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const batchCommandCount = 10_000;
  try {
    for (let start = 0; start < keyCount; start += batchCommandCount) {
      let chunk = "";
      for (let index = start; index < Math.min(keyCount, start + batchCommandCount); index++) {
        const argv = datasetCommand(dataset, index);
        chunk += `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("");
      }
      const bytes = encoder.encode(chunk);
      let writtenBytes = 0;
      while (writtenBytes < bytes.length) {
        writtenBytes += await file.write(bytes.subarray(writtenBytes));
      }
    }
  } finally {
    file.close();
  }
}

/** The resident set size of process `pid`, in bytes, from /proc. */
async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

async function dbSize(server: BenchServer): Promise<string> {
  const client = await RawClient.connect(server.port, 30_000);
  try {
    return (await client.commandText("DBSIZE")).trim();
  } finally {
    client.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const formatRate = (rate: number) => Math.round(rate).toLocaleString("en-US");
const formatMiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** Per server label, the figures of each round: while a BGSAVE runs, and without a save. */
interface BgsaveRounds {
  during: Map<string, BgsaveWriteFigures[]>;
  without: Map<string, BgsaveWriteFigures[]>;
}

/**
 * The BGSAVE rounds on fresh servers holding `bgsaveKeyCount` keys (their dump.rdb in
 * `scratchDir`), the servers' order alternating; each round also times the same client
 * without a save, the ceiling its round trips allow at that moment.
 */
async function measureBgsaveRounds(scratchDir: string): Promise<BgsaveRounds> {
  const dataDir = `${scratchDir}/bgsave`;
  await Deno.mkdir(dataDir, { recursive: true });
  const insertionPath = `${scratchDir}/bgsave_keys.resp`;
  await writeStringKeysFile(insertionPath, bgsaveKeyCount);
  const servers: BenchServer[] = [];
  try {
    servers.push(await startRedisServerWith([]));
    servers.push(
      Deno.env.get("RESPLICA_SELFTEST") === "1"
        ? await startRedisServerWith([], "redis-server#2")
        : await startResplicaServerIn(dataDir),
    );
    const figures = new Map<string, BgsaveWriteFigures[]>();
    const without = new Map<string, BgsaveWriteFigures[]>();
    for (const server of servers) {
      await pipeLoad(server.port, insertionPath, bgsaveKeyCount);
      figures.set(server.label, []);
      without.set(server.label, []);
    }
    for (let round = 0; round < roundCount; round++) {
      for (const server of round % 2 === 0 ? servers : [...servers].reverse()) {
        const baseline = await measureWritesWithoutSave(server.port, bgsaveKeyCount);
        without.get(server.label)!.push(baseline);
        const result = await measureWritesDuringBgsave(server.port, bgsaveKeyCount);
        figures.get(server.label)!.push(result);
        console.log(
          `round ${round + 1} ${server.label.padEnd(12)} BGSAVE: ${
            formatRate(result.writesPerSecond)
          } writes/s over ${result.saveMs.toFixed(0)} ms, slowest ${
            result.writeMaxMs.toFixed(1)
          } ms (without a save: ${formatRate(baseline.writesPerSecond)} writes/s)`,
        );
      }
    }
    return { during: figures, without };
  } finally {
    for (const server of servers.reverse()) await server.stop();
  }
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
    if (!findExecutable(tool)) throw new Error(`${tool} not found on PATH`);
  }
  const redis = redisAsBenchServer(await startRedisServer());
  let resplica: BenchServer | undefined;
  const scratchDir = await Deno.makeTempDir({ prefix: "resplica-bench-" });
  try {
    // RESPLICA_SELFTEST=1 benchmarks a second redis-server in resplica's place (ratios ≈ 1.0),
    // which checks the bench itself.
    resplica = Deno.env.get("RESPLICA_SELFTEST") === "1"
      ? { ...redisAsBenchServer(await startRedisServer()), label: "redis-server#2" }
      : await startResplicaServer();
    const servers = [redis, resplica];
    console.log(
      `redis-server pid ${redis.pid} port ${redis.port}; resplica pid ${resplica.pid} ` +
        `port ${resplica.port}; ${navigator.hardwareConcurrency} cores`,
    );

    // rates[label][`${test} -P${depth}`] = one sample per round
    const samples = new Map<string, Map<string, number[]>>();
    for (const server of servers) samples.set(server.label, new Map());
    for (let round = 0; round < roundCount; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const pipelineDepth of [1, 16]) {
        for (const server of order) {
          const rates = await benchmark(server, pipelineDepth);
          for (const [test, rate] of rates) {
            const key = `${test} -P${pipelineDepth}`;
            const series = samples.get(server.label)!;
            series.set(key, [...(series.get(key) ?? []), rate]);
            console.log(
              `round ${round + 1} ${server.label.padEnd(12)} ${key}: ${formatRate(rate)}`,
            );
          }
        }
      }
    }

    const bgsaveFigures = bgsaveKeyCount > 0 ? await measureBgsaveRounds(scratchDir) : null;

    const baselineBytes = new Map<string, number>();
    for (const server of servers) baselineBytes.set(server.label, await residentBytes(server.pid));
    const loadedBytesByDataset = new Map<string, Map<string, number>>();
    for (const dataset of memoryDatasets) {
      // Fresh servers per dataset: RSS does not shrink after FLUSHALL in either server.
      const freshRedis = redisAsBenchServer(await startRedisServer());
      const freshResplica = Deno.env.get("RESPLICA_SELFTEST") === "1"
        ? { ...redisAsBenchServer(await startRedisServer()), label: "redis-server#2" }
        : await startResplicaServer();
      try {
        const insertionPath = `${scratchDir}/mass_insertion_${dataset}.resp`;
        await writeMassInsertionFile(insertionPath, dataset);
        const loadedBytes = new Map<string, number>();
        for (const server of [freshRedis, freshResplica]) {
          const output = await runTool(findExecutable("redis-cli")!, [
            "-h",
            "127.0.0.1",
            "-p",
            String(server.port),
            "--pipe",
          ], insertionPath);
          if (!output.includes(`errors: 0, replies: ${keyCount}`)) {
            throw new Error(`${server.label}: redis-cli --pipe did not load cleanly:\n${output}`);
          }
          const size = await dbSize(server);
          if (size !== `:${keyCount}`) {
            throw new Error(`${server.label}: DBSIZE ${size} after load`);
          }
          await delay(1_000); // let the allocator settle before reading RSS
          loadedBytes.set(
            server === freshRedis ? redis.label : resplica.label,
            await residentBytes(server.pid),
          );
        }
        loadedBytesByDataset.set(dataset, loadedBytes);
      } finally {
        await freshResplica.stop();
        await freshRedis.stop();
      }
    }

    const rows: string[] = [
      `| workload | redis-server 7.0 | resplica | resplica / redis |`,
      `| --- | ---: | ---: | ---: |`,
    ];
    for (const key of samples.get(redis.label)!.keys()) {
      const redisRate = median(samples.get(redis.label)!.get(key)!);
      const resplicaRate = median(samples.get(resplica.label)!.get(key)!);
      rows.push(
        `| ${key} (req/s, median of ${roundCount}) | ${formatRate(redisRate)} | ` +
          `${formatRate(resplicaRate)} | ${(resplicaRate / redisRate).toFixed(2)}× |`,
      );
    }
    if (bgsaveFigures !== null) {
      const keysText = `${bgsaveKeyCount.toLocaleString("en-US")} keys × ${VALUE_SIZE_BYTES} B`;
      const bgsaveRows: [
        string,
        Map<string, BgsaveWriteFigures[]>,
        (figures: BgsaveWriteFigures) => number,
        (n: number) => string,
      ][] = [
        [
          `BGSAVE of ${keysText}: writes served per second of save`,
          bgsaveFigures.during,
          (f) => f.writesPerSecond,
          formatRate,
        ],
        [
          `BGSAVE of ${keysText}: slowest single write (ms)`,
          bgsaveFigures.during,
          (f) => f.writeMaxMs,
          (n) => n.toFixed(1),
        ],
        [
          `same client without a save: writes per second`,
          bgsaveFigures.without,
          (f) => f.writesPerSecond,
          formatRate,
        ],
      ];
      for (const [what, series, pick, format] of bgsaveRows) {
        const [redisValue, resplicaValue] = [...series.values()].map((rounds) =>
          median(rounds.map(pick))
        );
        rows.push(
          `| ${what}, median of ${roundCount} | ${format(redisValue)} | ` +
            `${format(resplicaValue)} | ${(resplicaValue / redisValue).toFixed(2)}× |`,
        );
      }
    }
    const memoryRows: [string, Map<string, number>][] = [["RSS, empty (MiB)", baselineBytes]];
    for (const [dataset, bytesMap] of loadedBytesByDataset) {
      const what = dataset === "strings"
        ? `${keyCount.toLocaleString("en-US")} keys × ${VALUE_SIZE_BYTES} B`
        : `${keyCount.toLocaleString("en-US")} small ${
          dataset === "hash" ? "hashes" : dataset + "s"
        } of 5 elements`;
      memoryRows.push([`RSS, ${what} (MiB)`, bytesMap]);
    }
    for (const [what, bytesMap] of memoryRows) {
      const redisBytes = bytesMap.get(redis.label)!;
      const resplicaBytes = bytesMap.get(resplica.label)!;
      rows.push(
        `| ${what} | ${formatMiB(redisBytes)} | ${formatMiB(resplicaBytes)} | ` +
          `${(resplicaBytes / redisBytes).toFixed(2)}× |`,
      );
    }
    console.log(
      `\nredis-benchmark -q -t ${benchmarkTests} -n ${requestCount} -c ${clientCount} [-P 16], ` +
        `${roundCount} alternating rounds; memory via redis-cli --pipe and /proc/<pid>/status VmRSS\n`,
    );
    console.log(rows.join("\n"));
  } finally {
    await resplica?.stop();
    await redis.stop();
    await Deno.remove(scratchDir, { recursive: true }).catch(() => {});
  }
}

await main();
