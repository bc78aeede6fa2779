// Where resident memory goes (issue 18): resplica beside redis-server, each a process known by
// PID, at three moments: fresh and empty; still empty after `redis-benchmark -t set,get` rounds
// (-P 1 and -P 16); and fresh again after `redis-cli --pipe` loaded `--keys` keys of 100-byte
// values (the keys bench/load.ts loads). For each: VmRSS split into anonymous and file-backed
// pages (/proc/<pid>/status), the mappings that hold them (/proc/<pid>/smaps: the runtime's
// binary, malloc's heap, other anonymous memory), and for resplica the V8 heap
// (Deno.memoryUsage through MEMORY MALLOC-STATS), the engine's WebAssembly memory and page
// usage, and the Lua VM (INFO memory). resplica runs as `deno task serve` does: the run flags
// come from deno.json's serve task (serveTaskRunArgs).
//
//   deno run -A bench/memory_breakdown.ts [--keys 1000000] [--requests 200000] [--clients 50]
//
// RSS is not disturbed by other load on the machine; no throughput is reported.

import {
  benchFlags,
  type BenchServer,
  residentBytes,
  runTool,
  startRedisServerAs,
  startResplicaServer,
  VALUE_SIZE_BYTES,
} from "./_servers.ts";
import { RawClient } from "../tests/_support/raw_client.ts";
import { delay, findExecutable } from "../tests/_support/redis_peer.ts";

const flags = benchFlags({ keys: 1_000_000, requests: 200_000, clients: 50 });
const MIB_BYTES = 1024 * 1024;
/**
 * Pause before reading a process's memory, so the last replies and frees have settled: resplica
 * gives memory back after one idle second (core/main.ts, releaseMemoryWhenIdle), checked every
 * second.
 */
const SETTLE_MS = 3_000;

/** One process's memory at one moment, in bytes; -1 where a figure does not apply. */
interface MemoryFigures {
  rssBytes: number;
  anonBytes: number;
  fileBytes: number;
  /** Resident pages of the executable's own mappings (deno / redis-server). */
  binaryBytes: number;
  /** Resident pages of malloc's [heap]. */
  mallocHeapBytes: number;
  v8HeapTotalBytes: number;
  v8HeapUsedBytes: number;
  v8ExternalBytes: number;
  wasmMemoryBytes: number;
  wasmPagesInUseBytes: number;
  engineAllocatedBytes: number;
  luaUsedBytes: number;
  /** 1 when the Lua VM exists, 0 when it is not started yet, -1 for redis-server. */
  luaStarted: number;
}

async function commandText(port: number, ...args: string[]): Promise<string> {
  const client = await RawClient.connect(port, 60_000);
  try {
    return await client.commandText(...args);
  } finally {
    client.close();
  }
}

/** `name: value` or `name:value` from a text reply; -1 when absent. */
function field(text: string, name: string): number {
  const match = new RegExp(`^\\s*${name}:\\s*(-?\\d+)`, "m").exec(text);
  return match ? Number(match[1]) : -1;
}

/** Resident bytes per mapping kind, from /proc/<pid>/smaps. */
async function residentByMapping(pid: number, executablePath: string) {
  const smaps = await Deno.readTextFile(`/proc/${pid}/smaps`);
  let binaryBytes = 0;
  let mallocHeapBytes = 0;
  let current = "";
  for (const line of smaps.split("\n")) {
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      current = header[1].trim();
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const bytes = Number(rss[1]) * 1024;
    if (current === executablePath) binaryBytes += bytes;
    else if (current === "[heap]") mallocHeapBytes += bytes;
  }
  return { binaryBytes, mallocHeapBytes };
}

async function measure(server: BenchServer, isResplica: boolean): Promise<MemoryFigures> {
  await delay(SETTLE_MS);
  const status = await Deno.readTextFile(`/proc/${server.pid}/status`);
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  const executablePath = await Deno.readLink(`/proc/${server.pid}/exe`);
  const mappings = await residentByMapping(server.pid, executablePath);
  const figures: MemoryFigures = {
    rssBytes: await residentBytes(server.pid),
    anonBytes: kib("RssAnon") * 1024,
    fileBytes: kib("RssFile") * 1024,
    ...mappings,
    v8HeapTotalBytes: -1,
    v8HeapUsedBytes: -1,
    v8ExternalBytes: -1,
    wasmMemoryBytes: -1,
    wasmPagesInUseBytes: -1,
    engineAllocatedBytes: -1,
    luaUsedBytes: -1,
    luaStarted: -1,
  };
  const info = await commandText(server.port, "INFO", "memory");
  figures.luaUsedBytes = field(info, "used_memory_lua");
  if (!isResplica) return figures;
  const stats = await commandText(server.port, "MEMORY", "MALLOC-STATS");
  figures.v8HeapTotalBytes = field(stats, "heap.total.bytes");
  figures.v8HeapUsedBytes = field(stats, "heap.used.bytes");
  figures.v8ExternalBytes = field(stats, "external.bytes");
  figures.wasmMemoryBytes = field(stats, "memory.bytes");
  figures.wasmPagesInUseBytes = field(stats, "pages.in-use.bytes");
  figures.engineAllocatedBytes = field(stats, "allocated.bytes");
  // A started VM has allocated its environment; before it starts (on first use) it reports 0.
  figures.luaStarted = figures.luaUsedBytes > 0 ? 1 : 0;
  return figures;
}

async function redisBenchmark(server: BenchServer, pipelineDepth: number): Promise<void> {
  await runTool(findExecutable("redis-benchmark")!, [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "-q",
    "-t",
    "set,get",
    "-n",
    String(flags.requests),
    "-c",
    String(flags.clients),
    "-P",
    String(pipelineDepth),
  ]);
}

/** The keys bench/load.ts's `strings` dataset loads: `key:` + 10 digits, 100-byte values. */
async function writeKeysFile(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    for (let start = 0; start < flags.keys; start += 10_000) {
      let chunk = "";
      for (let index = start; index < Math.min(flags.keys, start + 10_000); index++) {
        const key = `key:${String(index).padStart(10, "0")}`;
        const value = String(index).padStart(VALUE_SIZE_BYTES, "v");
        chunk += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
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

async function pipeKeys(server: BenchServer, path: string): Promise<void> {
  const output = await runTool(findExecutable("redis-cli")!, [
    "-h",
    "127.0.0.1",
    "-p",
    String(server.port),
    "--pipe",
  ], { stdinPath: path });
  if (!output.includes(`errors: 0, replies: ${flags.keys}`)) {
    throw new Error(`${server.label}: redis-cli --pipe did not load cleanly:\n${output}`);
  }
  const size = (await commandText(server.port, "DBSIZE")).trim();
  if (size !== `:${flags.keys}`) throw new Error(`${server.label}: DBSIZE ${size} after load`);
}

/** Starts a fresh pair, runs `work` on each, and measures both; stops both by PID. */
async function measurePair(
  work: (server: BenchServer) => Promise<void>,
): Promise<[MemoryFigures, MemoryFigures]> {
  const redis = await startRedisServerAs();
  let resplica: BenchServer | undefined;
  try {
    resplica = await startResplicaServer();
    await work(redis);
    await work(resplica);
    return [await measure(redis, false), await measure(resplica, true)];
  } finally {
    await resplica?.stop();
    await redis.stop();
  }
}

const mib = (bytes: number) => (bytes < 0 ? "—" : (bytes / MIB_BYTES).toFixed(1));

function printTable(moments: [string, [MemoryFigures, MemoryFigures]][]): void {
  const rows: [string, (f: MemoryFigures) => string][] = [
    ["VmRSS (MiB)", (f) => mib(f.rssBytes)],
    ["  anonymous (MiB)", (f) => mib(f.anonBytes)],
    ["  file-backed (MiB)", (f) => mib(f.fileBytes)],
    ["  of which the executable's pages (MiB)", (f) => mib(f.binaryBytes)],
    ["  malloc [heap] (MiB)", (f) => mib(f.mallocHeapBytes)],
    ["V8 heap total / used (MiB)", (f) => `${mib(f.v8HeapTotalBytes)} / ${mib(f.v8HeapUsedBytes)}`],
    ["V8 external: ArrayBuffers (MiB)", (f) => mib(f.v8ExternalBytes)],
    ["engine WASM memory (MiB)", (f) => mib(f.wasmMemoryBytes)],
    [
      "engine pages in use / allocated (MiB)",
      (f) => `${mib(f.wasmPagesInUseBytes)} / ${mib(f.engineAllocatedBytes)}`,
    ],
    [
      "Lua VM started / used_memory_lua (KiB)",
      (f) =>
        `${f.luaStarted < 0 ? "—" : f.luaStarted ? "yes" : "no"} / ${
          (f.luaUsedBytes / 1024).toFixed(0)
        }`,
    ],
  ];
  const header = ["figure", ...moments.flatMap(([name]) => [`redis ${name}`, `resplica ${name}`])];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`| --- | ${header.slice(1).map(() => "---:").join(" | ")} |`);
  for (const [what, show] of rows) {
    const cells = moments.flatMap(([, [redis, resplica]]) => [show(redis), show(resplica)]);
    console.log(`| ${what} | ${cells.join(" | ")} |`);
  }
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
    if (!findExecutable(tool)) throw new Error(`${tool} not found on PATH`);
  }
  const scratchDir = await Deno.makeTempDir({ prefix: "resplica-memory-" });
  try {
    const fresh = await measurePair(() => Promise.resolve());
    console.log("measured: fresh");
    const afterBenchmark = await measurePair(async (server) => {
      await redisBenchmark(server, 1);
      await redisBenchmark(server, 16);
    });
    console.log("measured: after redis-benchmark");
    const keysPath = `${scratchDir}/keys.resp`;
    await writeKeysFile(keysPath);
    const loaded = await measurePair((server) => pipeKeys(server, keysPath));
    console.log(
      `\nredis-benchmark -t set,get -n ${flags.requests} -c ${flags.clients} [-P 16]; ` +
        `${flags.keys} keys × ${VALUE_SIZE_BYTES} B by redis-cli --pipe; each column a fresh pair\n`,
    );
    printTable([["fresh", fresh], ["after bench", afterBenchmark], ["keys", loaded]]);
    const [redisKeys, resplicaKeys] = loaded;
    console.log(
      `\nRSS with keys: resplica / redis-server = ${
        (resplicaKeys.rssBytes / redisKeys.rssBytes).toFixed(2)
      }×; engine allocated per key ${
        ((resplicaKeys.engineAllocatedBytes - fresh[1].engineAllocatedBytes) / flags.keys)
          .toFixed(1)
      } B`,
    );
  } finally {
    await Deno.remove(scratchDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await main();
