// Load benchmark of the newer types: streams, HyperLogLog, bitmaps and geo, resplica against
// redis-server 7.0 on this machine, same client, same run. The sibling of bench/load.ts.
//
// Run by hand from the repo root (it is not a `deno bench` file):
//
//   deno run -A bench/types_load.ts [--rounds 3] [--requests 200000] [--clients 50]
//     [--pipeline 16] [--stream-entries 1000000]
//
// Throughput: redis-benchmark's arbitrary-command mode, `redis-benchmark -q -n <requests>
// -c <clients> [-P <pipeline>] -r <key space> <command…>`, each `__rand_int__` a random
// 12-digit number below the key space, once unpipelined and once `-P <pipeline>` deep, for:
//
//   XADD s:__rand_int__ * f v                  new entries over KEY_SPACE streams
//   XADD xs * f v                              one stream that keeps growing
//   XREADGROUP GROUP g c COUNT 1 STREAMS s >   one new entry per request (see below)
//   PFADD h:__rand_int__ e:__rand_int__        over KEY_SPACE HyperLogLogs
//   PFCOUNT hc:__rand_int__                    over PFCOUNT_KEY_COUNT prepared HyperLogLogs
//   SETBIT b:__rand_int__ 8191 1               over SETBIT_KEY_SPACE bitmaps of 1 KiB each
//   GEOADD g 13.361389 38.115556 m:__rand_int__   KEY_SPACE members at one valid point
//
// SETBIT's offset is fixed: redis-benchmark writes `__rand_int__` zero-padded to 12 digits and
// both servers refuse a bit offset with leading zeros ("ERR bit offset is not an integer or out
// of range"), so a random offset cannot be written; the random key and the bounded key space keep
// every bitmap at SETBIT_OFFSET / 8 + 1 bytes.
//
// Rounds alternate: the order of the two servers flips every round, so neither always runs on a
// warmer or cooler machine; within a round every command runs on both servers back to back. The
// median of the rounds is reported, as req/s and as the ratio resplica / redis.
//
// XREADGROUP reads one entry per request, every request: stream `s` is filled once (redis-cli
// --pipe) with requests + clients × pipeline entries, more than one redis-benchmark run can send
// (it sends exactly -n requests unpipelined, at most -n + pipeline - 1 pipelined), and right
// before each run its group is destroyed and created again at ID 0, so `>` always has an entry
// to deliver. Afterwards the group's pending count (XPENDING summary: one PEL entry per entry
// delivered, COUNT 1 per request) must be at least -n, or the bench fails.
//
// Memory: a fresh pair of servers, `<stream-entries>` entries of one small field
// (`XADD mem * f <index>`) in one stream loaded through `redis-cli --pipe`; VmRSS of each server
// process (/proc/<pid>/status) and INFO memory `used_memory`, before and after the load. RSS is
// the comparable figure: resplica's stream nodes are in engine memory (used_memory counts them),
// but the node index and its JS objects are in the JS heap, and its RSS is a whole Deno process.
//
// resplica runs as its own process through its CLI (core/main.ts) with the permissions of
// `deno task serve`, as bench/load.ts starts it. Every server is stopped by PID, every tool run
// is killed after TOOL_TIMEOUT_MS, every loop is bounded, all traffic stays on 127.0.0.1.
// RESPLICA_SELFTEST=1 puts a second redis-server in resplica's place (ratios ≈ 1.0) to check the
// bench itself.

import { delay, findExecutable } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  benchmarkCommandRate,
  type BenchServer,
  command,
  infoField,
  median,
  pipeLoad,
  residentBytes,
  startRedisServerAs,
  startResplicaServer,
  writeCommandsFile,
} from "./_servers.ts";

/** Random key space (-r) of XADD, PFADD and GEOADD: that many streams, HLLs, geo members. */
const KEY_SPACE = 100_000;
/** -r of SETBIT: at most 10,000 bitmaps, each of SETBIT_OFFSET / 8 + 1 = 1,024 bytes. */
const SETBIT_KEY_SPACE = 10_000;
/** The bit SETBIT sets; fixed (see the note at the top). */
const SETBIT_OFFSET = 8191;
/** HyperLogLogs prepared for PFCOUNT, and the elements added to each (sparse encoding). */
const PFCOUNT_KEY_COUNT = 10_000;
const PFCOUNT_ELEMENT_COUNT = 100;
/** Time given to both allocators (and V8's GC) after a load before RSS is read. */
const SETTLE_MS = 1_000;

const flags = benchFlags({
  rounds: 3,
  requests: 200_000,
  clients: 50,
  pipeline: 16,
  "stream-entries": 1_000_000,
});
const roundCount = Math.max(1, flags.rounds);
const requestCount = flags.requests;
const clientCount = flags.clients;
const pipelineDepthMax = flags.pipeline;
const streamEntryCount = flags["stream-entries"];
const selfTest = Deno.env.get("RESPLICA_SELFTEST") === "1";

/** One measured command: its redis-benchmark argv, its -r, and what it needs first. */
interface Workload {
  name: string;
  argv: string[];
  keySpace: number;
  /** Runs right before every measured run of this workload on `server`. */
  beforeRun?: (server: BenchServer) => Promise<void>;
  /** Runs right after it and fails the bench when the run did not do what it should. */
  afterRun?: (server: BenchServer) => Promise<void>;
}

const workloads: Workload[] = [
  { name: "XADD s:<r>", argv: ["XADD", "s:__rand_int__", "*", "f", "v"], keySpace: KEY_SPACE },
  { name: "XADD xs (one stream)", argv: ["XADD", "xs", "*", "f", "v"], keySpace: KEY_SPACE },
  {
    name: "XREADGROUP COUNT 1",
    argv: ["XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "s", ">"],
    keySpace: KEY_SPACE,
    beforeRun: resetReadGroup,
    afterRun: checkEveryReadDelivered,
  },
  {
    name: "PFADD h:<r> e:<r>",
    argv: ["PFADD", "h:__rand_int__", "e:__rand_int__"],
    keySpace: KEY_SPACE,
  },
  { name: "PFCOUNT hc:<r>", argv: ["PFCOUNT", "hc:__rand_int__"], keySpace: PFCOUNT_KEY_COUNT },
  {
    name: `SETBIT b:<r> ${SETBIT_OFFSET} 1`,
    argv: ["SETBIT", "b:__rand_int__", String(SETBIT_OFFSET), "1"],
    keySpace: SETBIT_KEY_SPACE,
  },
  {
    name: "GEOADD g m:<r>",
    argv: ["GEOADD", "g", "13.361389", "38.115556", "m:__rand_int__"],
    keySpace: KEY_SPACE,
  },
];

/** The 12-digit form redis-benchmark gives `__rand_int__`, so prepared keys are the ones it hits. */
const randKey = (prefix: string, index: number) => `${prefix}${String(index).padStart(12, "0")}`;

/** Entries stream `s` holds for XREADGROUP: more than one redis-benchmark run can ask for. */
const readStreamEntryCount = requestCount + clientCount * pipelineDepthMax;

/** Drops group `g` of stream `s` (with its PEL) and creates it again at ID 0. */
async function resetReadGroup(server: BenchServer): Promise<void> {
  await command(server.port, "XGROUP", "DESTROY", "s", "g");
  const reply = await command(server.port, "XGROUP", "CREATE", "s", "g", "0");
  if (reply !== "+OK\r\n") throw new Error(`${server.label}: XGROUP CREATE: ${reply}`);
}

/** Fails unless group `g` delivered at least one entry per request (its PEL count). */
async function checkEveryReadDelivered(server: BenchServer): Promise<void> {
  const reply = await command(server.port, "XPENDING", "s", "g");
  const pendingCount = Number(/^\*4\r\n:(\d+)\r\n/.exec(reply)?.[1] ?? NaN);
  if (!(pendingCount >= requestCount)) {
    throw new Error(
      `${server.label}: XREADGROUP delivered ${pendingCount} entries for ${requestCount} ` +
        `requests: ${JSON.stringify(reply.slice(0, 80))}`,
    );
  }
  console.log(
    `  ${server.label}: XPENDING s g counts ${pendingCount} for ${requestCount} requests`,
  );
}

/** Loads a RESP file of `commandCount` commands into `server` through redis-cli --pipe. */
async function load(server: BenchServer, path: string, commandCount: number): Promise<void> {
  await pipeLoad(server.port, path, commandCount);
}

/** Fills stream `s` for XREADGROUP and the HyperLogLogs PFCOUNT reads. */
async function prepare(servers: BenchServer[], scratchDir: string): Promise<void> {
  const streamPath = `${scratchDir}/read_stream.resp`;
  await writeCommandsFile(streamPath, readStreamEntryCount, (index) => [
    "XADD",
    "s",
    "*",
    "f",
    String(index),
  ]);
  const hllPath = `${scratchDir}/pfcount_keys.resp`;
  await writeCommandsFile(hllPath, PFCOUNT_KEY_COUNT, (index) => {
    const argv = ["PFADD", randKey("hc:", index)];
    for (let element = 0; element < PFCOUNT_ELEMENT_COUNT; element++) {
      argv.push(`e:${index}:${element}`);
    }
    return argv;
  });
  for (const server of servers) {
    await load(server, streamPath, readStreamEntryCount);
    await load(server, hllPath, PFCOUNT_KEY_COUNT);
    const length = await command(server.port, "XLEN", "s");
    if (length !== `:${readStreamEntryCount}\r\n`) {
      throw new Error(`${server.label}: XLEN s is ${length.trim()}, not ${readStreamEntryCount}`);
    }
    const keyCount = await command(server.port, "DBSIZE");
    if (keyCount !== `:${1 + PFCOUNT_KEY_COUNT}\r\n`) {
      throw new Error(`${server.label}: DBSIZE ${keyCount.trim()} after preparing`);
    }
  }
}

/** Resident and engine-reported memory of one server at one moment. */
interface MemorySample {
  residentBytes: number;
  usedMemoryBytes: number;
}

async function sampleMemory(server: BenchServer): Promise<MemorySample> {
  const info = await command(server.port, "INFO", "memory");
  return {
    residentBytes: await residentBytes(server.pid),
    usedMemoryBytes: Number(infoField(info, "used_memory")),
  };
}

/** Loads `streamEntryCount` entries into stream `mem` of fresh servers; memory before and after. */
async function measureStreamMemory(
  scratchDir: string,
): Promise<Map<string, { before: MemorySample; after: MemorySample }>> {
  const path = `${scratchDir}/mem_stream.resp`;
  await writeCommandsFile(path, streamEntryCount, (index) => ["XADD", "mem", "*", "f", `${index}`]);
  const samples = new Map<string, { before: MemorySample; after: MemorySample }>();
  const redis = await startRedisServerAs();
  let resplica: BenchServer | undefined;
  try {
    resplica = selfTest ? await startRedisServerAs("resplica") : await startResplicaServer();
    for (const server of [redis, resplica]) {
      await delay(SETTLE_MS);
      const before = await sampleMemory(server);
      await load(server, path, streamEntryCount);
      const length = await command(server.port, "XLEN", "mem");
      if (length !== `:${streamEntryCount}\r\n`) {
        throw new Error(`${server.label}: XLEN mem is ${length.trim()} after the load`);
      }
      await delay(SETTLE_MS);
      samples.set(server.label, { before, after: await sampleMemory(server) });
    }
  } finally {
    await resplica?.stop();
    await redis.stop();
  }
  return samples;
}

const formatRate = (rate: number) => Math.round(rate).toLocaleString("en-US");
const formatMiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const formatKiB = (bytes: number) => Math.round(bytes / 1024).toLocaleString("en-US");
const formatRatio = (ratio: number) => Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : "—";

/** One markdown row: what, redis-server's figure, resplica's figure, resplica / redis. */
function row(
  what: string,
  redisValue: number,
  resplicaValue: number,
  format: (value: number) => string,
) {
  return `| ${what} | ${format(redisValue)} | ${format(resplicaValue)} | ` +
    `${formatRatio(resplicaValue / redisValue)} |`;
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
    if (!findExecutable(tool)) throw new Error(`${tool} not found on PATH`);
  }
  const scratchDir = await Deno.makeTempDir({ prefix: "resplica-types-bench-" });
  const pipelineDepths = [...new Set([1, pipelineDepthMax])];
  // samples[label][`${workload} -P${depth}`]: one rate per round
  const samples = new Map<string, Map<string, number[]>>();
  let redis: BenchServer | undefined;
  let resplica: BenchServer | undefined;
  try {
    redis = await startRedisServerAs();
    resplica = selfTest ? await startRedisServerAs("resplica") : await startResplicaServer();
    const servers = [redis, resplica];
    console.log(
      `redis-server pid ${redis.pid} port ${redis.port}; resplica${
        selfTest ? " (self-test)" : ""
      }` +
        ` pid ${resplica.pid} port ${resplica.port}; ${navigator.hardwareConcurrency} cores`,
    );
    for (const server of servers) samples.set(server.label, new Map());
    await prepare(servers, scratchDir);

    for (let round = 0; round < roundCount; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const pipelineDepth of pipelineDepths) {
        for (const workload of workloads) {
          const key = `${workload.name} -P${pipelineDepth}`;
          for (const server of order) {
            await workload.beforeRun?.(server);
            const rate = await benchmarkCommandRate(server.port, {
              argv: workload.argv,
              requestCount,
              clientCount,
              pipelineDepth,
              keySpace: workload.keySpace,
            });
            const series = samples.get(server.label)!;
            series.set(key, [...(series.get(key) ?? []), rate]);
            console.log(
              `round ${round + 1} ${server.label.padEnd(12)} ${key}: ${formatRate(rate)}`,
            );
            await workload.afterRun?.(server);
          }
        }
      }
    }
  } finally {
    await resplica?.stop();
    await redis?.stop();
  }

  try {
    // A fresh pair: neither server's RSS shrinks back after the throughput runs.
    const memory = await measureStreamMemory(scratchDir);
    const redisMemory = memory.get("redis-server")!;
    const resplicaMemory = memory.get("resplica")!;

    const rows = [
      `| workload | redis-server 7.0 | resplica | resplica / redis |`,
      `| --- | ---: | ---: | ---: |`,
    ];
    for (const key of samples.get("redis-server")!.keys()) {
      rows.push(row(
        `${key} (req/s, median of ${roundCount})`,
        median(samples.get("redis-server")!.get(key)!),
        median(samples.get("resplica")!.get(key)!),
        formatRate,
      ));
    }
    const entries = `${streamEntryCount.toLocaleString("en-US")} stream entries`;
    type MemoryFigure = (sample: { before: MemorySample; after: MemorySample }) => number;
    const residentGrowth: MemoryFigure = (sample) =>
      sample.after.residentBytes - sample.before.residentBytes;
    const memoryRows: [string, MemoryFigure, (value: number) => string][] = [
      ["VmRSS, empty (MiB)", (sample) => sample.before.residentBytes, formatMiB],
      [`VmRSS, ${entries} (MiB)`, (sample) => sample.after.residentBytes, formatMiB],
      [`VmRSS growth, ${entries} (MiB)`, residentGrowth, formatMiB],
      [
        "VmRSS growth per entry (bytes)",
        (sample) => residentGrowth(sample) / streamEntryCount,
        (bytes) => bytes.toFixed(1),
      ],
      ["used_memory, empty (KiB)", (sample) => sample.before.usedMemoryBytes, formatKiB],
      [`used_memory, ${entries} (KiB)`, (sample) => sample.after.usedMemoryBytes, formatKiB],
      [
        `used_memory growth, ${entries} (KiB)`,
        (sample) => sample.after.usedMemoryBytes - sample.before.usedMemoryBytes,
        formatKiB,
      ],
    ];
    for (const [what, figure, format] of memoryRows) {
      rows.push(row(what, figure(redisMemory), figure(resplicaMemory), format));
    }

    console.log(
      `\nredis-benchmark -q -n ${requestCount} -c ${clientCount} [-P ${pipelineDepthMax}] ` +
        `-r <key space> <command>, ${roundCount} alternating rounds; memory: ` +
        `${entries} (XADD mem * f <index>) via redis-cli --pipe into a fresh pair, ` +
        `VmRSS from /proc/<pid>/status and INFO used_memory\n`,
    );
    console.log(rows.join("\n"));
    console.log(
      `\nused_memory compares the streams' node bytes (Redis's listpacks on both sides); VmRSS ` +
        `adds what each process holds besides: here the node index and groups in the JS heap.`,
    );
  } finally {
    await Deno.remove(scratchDir, { recursive: true }).catch(() => {});
  }
}

await main();
