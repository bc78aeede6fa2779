// Shared plumbing of the load scripts in bench/: their command-line flags, starting resplica and
// redis-server as their own processes, one-off commands, INFO fields, waiting for a replica to
// catch up, bulk loading through `redis-cli --pipe`, and a pipelined redis-benchmark SET run.
// One copy, so every script measures the same way.

import { parseArgs } from "node:util";
import { pickFreePort } from "../tests/_support/ports.ts";
import { RawClient } from "../tests/_support/raw_client.ts";
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

/** Pipes a RESP file through `redis-cli --pipe`; fails unless every reply is clean. */
export async function pipeLoad(port: number, path: string, replyCount: number): Promise<void> {
  const child = new Deno.Command(findExecutable("redis-cli")!, {
    args: ["-p", String(port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await (await Deno.open(path)).readable.pipeTo(child.stdin);
  const text = new TextDecoder().decode((await child.output()).stdout);
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
