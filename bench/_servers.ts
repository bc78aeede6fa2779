// Shared plumbing of the load scripts in bench/: their command-line flags, starting resplica and
// redis-server as their own processes, one-off commands, INFO fields, waiting for a replica to
// catch up, bulk loading through `redis-cli --pipe`, redis-benchmark runs (SET, or any command),
// bounded tool runs, resident memory and medians. One copy, so every script measures the same way.

import { parseArgs } from "node:util";
import { pickFreePort } from "../tests/_support/ports.ts";
import { encodeCommand, RawClient } from "../tests/_support/raw_client.ts";
import {
  answersPing,
  delay,
  findExecutable,
  startRedisServer,
  stopChild,
} from "../tests/_support/redis_peer.ts";

/** Size of every value the scripts load and write. */
export const VALUE_SIZE_BYTES = 100;

export interface BenchProcess {
  port: number;
  stop(): Promise<void>;
}

/** What `benchFlags` returns: a number for each flag whose default is a number, else a string. */
export type BenchFlags<Defaults extends Record<string, number | string>> = {
  [Name in keyof Defaults]: Defaults[Name] extends number ? number : string;
};

/**
 * Reads the script's `--name value` flags, one for each key of `defaults`; a flag whose default
 * is a number is read as a number. An unknown flag throws.
 *
 * @example
 * ```ts ignore
 * const { keys: keyCount } = benchFlags({ keys: 1_000_000 }); // --keys 1000
 * ```
 */
export function benchFlags<const Defaults extends Record<string, number | string>>(
  defaults: Defaults,
): BenchFlags<Defaults> {
  const entries = Object.entries(defaults);
  const { values } = parseArgs({
    args: Deno.args,
    options: Object.fromEntries(
      entries.map(([name, value]) => [name, { type: "string", default: String(value) }] as const),
    ),
  });
  const read = ([name, value]: [string, number | string]) => {
    const text = String(values[name]);
    return [name, typeof value === "number" ? Number(text) : text];
  };
  return Object.fromEntries(entries.map(read)) as BenchFlags<Defaults>;
}

/** Waits until a server on `port` answers PING; fails after about 30 s. */
export async function waitForPing(port: number): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (await answersPing(port)) return;
    await delay(50);
  }
  throw new Error(`no PING answer on port ${port}`);
}

/**
 * Starts resplica through its CLI (no save points, data in `dir`, `extraArgs` appended as
 * `--directive value` flags) and waits for PING.
 */
export async function startResplicaProcess(
  dir: string,
  extraArgs: string[] = [],
): Promise<BenchProcess> {
  const port = pickFreePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "core/main.ts",
      "--port",
      String(port),
      "--save",
      "",
      "--dir",
      dir,
      // As redis-server runs in bench/replication.ts: no wait for more replicas to share.
      "--repl-diskless-sync-delay",
      "0",
      "--loglevel",
      "warning",
      ...extraArgs,
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitForPing(port).catch(async (error) => {
    await stopChild(child);
    throw error;
  });
  return { port, stop: () => stopChild(child) };
}

/**
 * Starts redis-server (as the tests do: a free port, no save points, stopped by PID) with its
 * data in `dir` and `extraArgs` appended as flags.
 */
export async function startRedisProcess(
  dir: string,
  extraArgs: string[] = [],
): Promise<BenchProcess> {
  const peer = await startRedisServer(["--dir", dir, ...extraArgs]);
  return { port: peer.port, stop: () => peer.stop() };
}

/** Sends one command on a fresh connection and returns the raw reply. */
export async function command(port: number, ...args: string[]): Promise<string> {
  const client = await RawClient.connect(port, 120_000);
  try {
    return await client.commandText(...args);
  } finally {
    client.close();
  }
}

/** One `name:value` field of INFO text ("" when absent). */
export function infoField(info: string, name: string): string {
  return new RegExp(`${name}:([^\\r\\n]*)`).exec(info)?.[1] ?? "";
}

/**
 * Polls until the replica on `replicaPort` has its link up and has applied every byte of its
 * master's stream (its slave_repl_offset equals the master's master_repl_offset); returns the
 * replica's INFO replication text of that moment.
 */
export async function waitInSync(masterPort: number, replicaPort: number): Promise<string> {
  while (true) {
    const replicaInfo = await command(replicaPort, "INFO", "replication");
    const masterInfo = await command(masterPort, "INFO", "replication");
    if (
      infoField(replicaInfo, "master_link_status") === "up" &&
      infoField(replicaInfo, "slave_repl_offset") === infoField(masterInfo, "master_repl_offset")
    ) return replicaInfo;
    await delay(10);
  }
}

/** Writes `keyCount` SET commands (fixed-width keys, VALUE_SIZE_BYTES values) as RESP. */
export async function writeStringKeysFile(path: string, keyCount: number): Promise<void> {
  const encoder = new TextEncoder();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let start = 0; start < keyCount; start += 10_000) {
      let chunk = "";
      for (let i = start; i < Math.min(keyCount, start + 10_000); i++) {
        const key = `key:${String(i).padStart(12, "0")}`;
        const value = String(i).padStart(VALUE_SIZE_BYTES, "v");
        chunk += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
      }
      const bytes = encoder.encode(chunk);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
    }
  } finally {
    file.close();
  }
}

/**
 * Pipes a RESP file through `redis-cli --pipe` (bounded by TOOL_TIMEOUT_MS); fails unless every
 * one of `replyCount` replies is clean.
 */
export async function pipeLoad(port: number, path: string, replyCount: number): Promise<void> {
  const text = await runTool(
    findExecutable("redis-cli")!,
    ["-h", "127.0.0.1", "-p", String(port), "--pipe"],
    { stdinPath: path },
  );
  if (!text.includes(`errors: 0, replies: ${replyCount}`)) {
    throw new Error(`redis-cli --pipe on port ${port}: ${text}`);
  }
}

/**
 * redis-benchmark's arguments for a quiet SET run against `port`: `requestCount` requests over
 * `clientCount` connections, `pipelineDepth` deep, on random keys of a `keySpace`-key space
 * (the `key:` + 12 digits keys writeStringKeysFile writes), values of VALUE_SIZE_BYTES.
 */
export function benchmarkSetArgs(options: {
  port: number;
  requestCount: number;
  keySpace: number;
  clientCount: number;
  pipelineDepth: number;
}): string[] {
  return [
    "-p",
    String(options.port),
    "-q",
    "-t",
    "set",
    "-n",
    String(options.requestCount),
    "-c",
    String(options.clientCount),
    "-P",
    String(options.pipelineDepth),
    "-r",
    String(options.keySpace),
    "-d",
    String(VALUE_SIZE_BYTES),
  ];
}

/** redis-benchmark SET, 50 clients, pipeline 16, random keys in a key space; req/s. */
export async function benchmarkSetRate(
  port: number,
  requestCount: number,
  keySpace: number,
): Promise<number> {
  const output = await new Deno.Command(findExecutable("redis-benchmark")!, {
    args: benchmarkSetArgs({ port, requestCount, keySpace, clientCount: 50, pipelineDepth: 16 }),
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout).replaceAll("\r", "\n");
  const match = /SET: ([\d.]+) requests per second/.exec(text);
  if (!match) throw new Error(`cannot read redis-benchmark output: ${text}`);
  return Number(match[1]);
}

// --- Side-by-side runs: both servers as processes known by PID, bounded tool runs -------------

/** Longest one redis-benchmark or redis-cli run may take before it is killed and the bench fails. */
export const TOOL_TIMEOUT_MS = 300_000;

/** A server a side-by-side script measures: its name in the report, its port and its PID. */
export interface BenchServer extends BenchProcess {
  label: string;
  pid: number;
}

/**
 * Starts resplica through its CLI as `deno task serve` runs it (its flags, serveTaskRunArgs: the
 * same permissions, FFI included for geo's trigonometry, and V8 flags), on a free 127.0.0.1 port
 * with no save points, and waits for PING. Stopped by its PID (SIGTERM, then SIGKILL).
 */
export function startResplicaServer(label = "resplica"): Promise<BenchServer> {
  return spawnResplicaServer(label, [], "inherit");
}

/**
 * The `deno run` flags of deno.json's serve task (permissions, and V8 flags such as the young
 * generation's size), so the benches run resplica exactly as `deno task serve` does.
 */
export function serveTaskRunArgs(): string[] {
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  const words = String(config.tasks?.serve ?? "").split(/\s+/);
  const mainIndex = words.indexOf("core/main.ts");
  if (words[0] !== "deno" || words[1] !== "run" || mainIndex < 0) {
    throw new Error(`deno.json's serve task is not 'deno run … core/main.ts': ${words.join(" ")}`);
  }
  return words.slice(2, mainIndex);
}

/** startResplicaServer with `extraArgs` after its own flags and the server's stdout as given. */
async function spawnResplicaServer(
  label: string,
  extraArgs: string[],
  stdout: "inherit" | "null",
): Promise<BenchServer> {
  const port = pickFreePort();
  const mainPath = new URL("../core/main.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...serveTaskRunArgs(),
      mainPath,
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      ...extraArgs,
    ],
    stdin: "null",
    stdout,
    stderr: "inherit",
  }).spawn();
  const server = { label, port, pid: child.pid, stop: () => stopChild(child) };
  await waitForPing(port).catch(async (error) => {
    await server.stop();
    throw error;
  });
  return server;
}

/** Starts redis-server as the tests do (free port, no persistence, own dir, stopped by PID). */
export function startRedisServerAs(label = "redis-server"): Promise<BenchServer> {
  return startRedisServerWith([], label);
}

/**
 * Runs `path args` to completion and returns its stdout; SIGKILLs it after `timeoutMs` (default
 * TOOL_TIMEOUT_MS). `stdinPath` is piped to its stdin. Fails on a non-zero exit, with its output.
 */
export async function runTool(
  path: string,
  args: string[],
  options: { stdinPath?: string; timeoutMs?: number } = {},
): Promise<string> {
  const child = new Deno.Command(path, {
    args,
    stdin: options.stdinPath ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, options.timeoutMs ?? TOOL_TIMEOUT_MS);
  try {
    const output = child.output();
    if (options.stdinPath) {
      const file = await Deno.open(options.stdinPath, { read: true });
      await file.readable.pipeTo(child.stdin).catch(() => {}); // a killed tool closes its stdin
    }
    const { code, success, stdout, stderr } = await output;
    const text = new TextDecoder().decode(stdout);
    if (!success) {
      throw new Error(
        `${path} ${args.join(" ")} exited ${code}: ${new TextDecoder().decode(stderr)}${text}`,
      );
    }
    return text;
  } finally {
    clearTimeout(timer);
  }
}

/** The resident set size of process `pid` in bytes (VmRSS of /proc/<pid>/status). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** The median of `values` (the mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Writes `commandCount` commands as RESP, command `index` being `commandAt(index)`; arguments
 * must be ASCII (their lengths are written as character counts, checked per chunk).
 */
export async function writeCommandsFile(
  path: string,
  commandCount: number,
  commandAt: (index: number) => string[],
): Promise<void> {
  const chunkCommandCount = 10_000;
  const encoder = new TextEncoder();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let start = 0; start < commandCount; start += chunkCommandCount) {
      let chunk = "";
      for (let index = start; index < Math.min(commandCount, start + chunkCommandCount); index++) {
        const argv = commandAt(index);
        chunk += `*${argv.length}\r\n` + argv.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("");
      }
      const bytes = encoder.encode(chunk);
      if (bytes.length !== chunk.length) throw new RangeError(`${path}: non-ASCII argument`);
      let writtenBytes = 0;
      while (writtenBytes < bytes.length) {
        writtenBytes += await file.write(bytes.subarray(writtenBytes));
      }
    }
  } finally {
    file.close();
  }
}

/**
 * redis-benchmark in its arbitrary-command mode against `port`, bounded by TOOL_TIMEOUT_MS:
 * `redis-benchmark -q -n <requestCount> -c <clientCount> -P <pipelineDepth> -r <keySpace>
 * <argv…>`, where each `__rand_int__` in argv becomes a random 12-digit number below keySpace
 * (drawn anew for every occurrence and request). Returns requests per second.
 */
export async function benchmarkCommandRate(port: number, options: {
  argv: string[];
  requestCount: number;
  clientCount: number;
  pipelineDepth: number;
  keySpace: number;
}): Promise<number> {
  const stdout = await runTool(findExecutable("redis-benchmark")!, [
    "-h",
    "127.0.0.1",
    "-p",
    String(port),
    "-q",
    "-n",
    String(options.requestCount),
    "-c",
    String(options.clientCount),
    "-P",
    String(options.pipelineDepth),
    "-r",
    String(options.keySpace),
    ...options.argv,
  ]);
  // -q prints progress lines ended by \r, then one `<command>: <rate> requests per second` line.
  let rate = NaN;
  for (const line of stdout.split(/[\r\n]+/)) {
    const match = /: ([\d.]+) requests per second/.exec(line);
    if (match) rate = Number(match[1]);
  }
  if (!(rate > 0)) {
    throw new Error(`cannot read redis-benchmark output for ${options.argv.join(" ")}:\n${stdout}`);
  }
  return rate;
}

/**
 * Starts resplica as startResplicaServer does (its CLI, the `deno task serve` permissions, a free
 * 127.0.0.1 port, no save points), with its data — and any replication spool it spills — in
 * `dir`, `extraArgs` appended as `--directive value…` flags, and only warnings logged. Known by
 * PID, so its RSS can be read.
 */
export function startResplicaServerIn(
  dir: string,
  extraArgs: string[] = [],
  label = "resplica",
): Promise<BenchServer> {
  return spawnResplicaServer(
    label,
    ["--dir", dir, "--loglevel", "warning", ...extraArgs],
    "null",
  );
}

/**
 * Starts redis-server as startRedisServerAs does (free port, no persistence, its own dir,
 * stopped by PID), with `extraArgs` appended as flags.
 */
export async function startRedisServerWith(
  extraArgs: string[],
  label = "redis-server",
): Promise<BenchServer> {
  const peer = await startRedisServer(extraArgs);
  return { label, port: peer.port, pid: peer.pid, stop: () => peer.stop() };
}

// --- Writes during a BGSAVE: how long one client waits per write while the snapshot runs -------

/** How often the INFO poller asks whether the BGSAVE is still running. */
const BGSAVE_POLL_INTERVAL_MS = 10;
/** Distinct pre-encoded SET commands the writer cycles through (random keys, built once). */
const BGSAVE_WRITE_COMMAND_COUNT = 4096;
/** How long the same client writes without a save, for the baseline row. */
const BASELINE_WRITE_MS = 1_000;
/** Longest a BGSAVE may run in this measurement before the bench gives up. */
const BGSAVE_WAIT_MAX_MS = 300_000;

/** What one client saw while a BGSAVE ran: see measureWritesDuringBgsave. */
export interface BgsaveWriteFigures {
  /** Writes acknowledged per second, from the BGSAVE reply until INFO said it ended. */
  writesPerSecond: number;
  /** The slowest single SET's round trip (ms). */
  writeMaxMs: number;
  /** When the slowest write started, in ms after BGSAVE was sent (where in the save it was). */
  writeMaxAtMs: number;
  /** How long the save ran as the client saw it (ms). */
  saveMs: number;
  writeCount: number;
}

/**
 * Starts a BGSAVE on `port` (whose keyspace the caller loaded, `keySpace` keys as
 * writeStringKeysFile names them), then one client writes SET on random keys of that space in a
 * loop, one at a time, timing each round trip, while a second connection polls INFO persistence
 * every BGSAVE_POLL_INTERVAL_MS until rdb_bgsave_in_progress:0. Waits first for any save still
 * running. Bounded by BGSAVE_WAIT_MAX_MS.
 */
export async function measureWritesDuringBgsave(
  port: number,
  keySpace: number,
): Promise<BgsaveWriteFigures> {
  const poller = await RawClient.connect(port, 120_000);
  const writer = await RawClient.connect(port, 120_000);
  try {
    const inProgress = async () =>
      infoField(await poller.commandText("INFO", "persistence"), "rdb_bgsave_in_progress") !==
        "0";
    while (await inProgress()) await delay(BGSAVE_POLL_INTERVAL_MS);
    const commands = randomSetCommands(keySpace);
    await writer.command("PING"); // connected and served before the clock starts
    const startedMs = performance.now();
    const reply = await poller.commandText("BGSAVE");
    if (!reply.startsWith("+")) throw new Error(`BGSAVE on port ${port}: ${reply}`);
    let saving = true;
    const poll = (async () => {
      while (saving) {
        if (performance.now() - startedMs > BGSAVE_WAIT_MAX_MS) {
          throw new Error(`BGSAVE on port ${port} still running after ${BGSAVE_WAIT_MAX_MS} ms`);
        }
        if (!(await inProgress())) saving = false;
        else await delay(BGSAVE_POLL_INTERVAL_MS);
      }
      return performance.now();
    })();
    let writeCount = 0;
    let writeMaxMs = 0;
    let writeMaxAtMs = 0;
    const writesStartedMs = performance.now();
    while (saving) {
      const writeStartMs = performance.now();
      await writer.send(commands[writeCount % BGSAVE_WRITE_COMMAND_COUNT]);
      await writer.readReplies(1);
      const writeMs = performance.now() - writeStartMs;
      if (writeMs > writeMaxMs) {
        writeMaxMs = writeMs;
        writeMaxAtMs = writeStartMs - startedMs;
      }
      writeCount++;
    }
    const endedMs = await poll;
    return {
      writesPerSecond: writeCount / ((endedMs - writesStartedMs) / 1000),
      writeMaxMs,
      writeMaxAtMs,
      saveMs: endedMs - startedMs,
      writeCount,
    };
  } finally {
    writer.close();
    poller.close();
  }
}

/** BGSAVE_WRITE_COMMAND_COUNT SET commands on random keys of a `keySpace`-key space, as RESP. */
function randomSetCommands(keySpace: number): Uint8Array[] {
  const value = "w".repeat(VALUE_SIZE_BYTES);
  const commands: Uint8Array[] = [];
  for (let index = 0; index < BGSAVE_WRITE_COMMAND_COUNT; index++) {
    const key = `key:${String(Math.floor(Math.random() * keySpace)).padStart(12, "0")}`;
    commands.push(encodeCommand(["SET", key, value]));
  }
  return commands;
}

/**
 * The baseline of measureWritesDuringBgsave: the same client, the same SETs one at a time, for
 * BASELINE_WRITE_MS with no save running. Its rate is bound by round trips, so it shows what
 * the machine allows at the moment (an idle 2-vCPU VM wakes the client slowly: about 12 k/s
 * for both servers; with one vCPU kept busy, as a fork child keeps it, about 45 k/s).
 */
export async function measureWritesWithoutSave(
  port: number,
  keySpace: number,
): Promise<BgsaveWriteFigures> {
  const writer = await RawClient.connect(port, 120_000);
  try {
    const commands = randomSetCommands(keySpace);
    await writer.command("PING");
    let writeCount = 0;
    let writeMaxMs = 0;
    let writeMaxAtMs = 0;
    const startedMs = performance.now();
    while (performance.now() - startedMs < BASELINE_WRITE_MS) {
      const writeStartMs = performance.now();
      await writer.send(commands[writeCount % BGSAVE_WRITE_COMMAND_COUNT]);
      await writer.readReplies(1);
      const writeMs = performance.now() - writeStartMs;
      if (writeMs > writeMaxMs) {
        writeMaxMs = writeMs;
        writeMaxAtMs = writeStartMs - startedMs;
      }
      writeCount++;
    }
    const elapsedMs = performance.now() - startedMs;
    return {
      writesPerSecond: writeCount / (elapsedMs / 1000),
      writeMaxMs,
      writeMaxAtMs,
      saveMs: 0,
      writeCount,
    };
  } finally {
    writer.close();
  }
}
