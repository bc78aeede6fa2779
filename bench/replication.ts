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

import { parseArgs } from "node:util";
import { pickFreePort } from "../tests/_support/ports.ts";
import { RawClient } from "../tests/_support/raw_client.ts";
import { delay, findExecutable, stopChild } from "../tests/_support/redis_peer.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    keys: { type: "string", default: "1000000" },
    requests: { type: "string", default: "300000" },
  },
});
const keyCount = Number(flags.keys);
const requestCount = Number(flags.requests);
const LAG_PROBES = 200;

interface Node {
  port: number;
  stop(): Promise<void>;
}

async function waitForPing(port: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    try {
      const client = await RawClient.connect(port, 1000);
      const pong = await client.commandText("PING");
      client.close();
      if (pong === "+PONG\r\n") return;
    } catch {
      // not up yet
    }
    await delay(50);
  }
  throw new Error(`no PING answer on ${port}`);
}

async function startNode(kind: "redis" | "resplica", dir: string): Promise<Node> {
  const port = pickFreePort();
  const child = kind === "redis"
    ? new Deno.Command(findExecutable("redis-server")!, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
      ],
      stdout: "null",
      stderr: "null",
    }).spawn()
    : new Deno.Command(Deno.execPath(), {
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
        "--loglevel",
        "warning",
      ],
      stdout: "null",
      stderr: "inherit",
    }).spawn();
  await waitForPing(port);
  return { port, stop: () => stopChild(child) };
}

async function cmd(port: number, ...args: string[]): Promise<string> {
  const client = await RawClient.connect(port, 120_000);
  try {
    return await client.commandText(...args);
  } finally {
    client.close();
  }
}

function field(info: string, name: string): string {
  return new RegExp(`${name}:([^\\r\\n]*)`).exec(info)?.[1] ?? "";
}

async function waitInSync(master: number, replica: number): Promise<void> {
  while (true) {
    const r = await cmd(replica, "INFO", "replication");
    const m = await cmd(master, "INFO", "replication");
    if (
      field(r, "master_link_status") === "up" &&
      field(r, "slave_repl_offset") === field(m, "master_repl_offset")
    ) return;
    await delay(10);
  }
}

async function loadKeys(port: number, path: string): Promise<void> {
  const child = new Deno.Command(findExecutable("redis-cli")!, {
    args: ["-p", String(port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await (await Deno.open(path)).readable.pipeTo(child.stdin);
  const text = new TextDecoder().decode((await child.output()).stdout);
  if (!text.includes(`errors: 0, replies: ${keyCount}`)) throw new Error(text);
}

async function benchmarkSet(port: number): Promise<number> {
  const output = await new Deno.Command(findExecutable("redis-benchmark")!, {
    args: [
      "-p",
      String(port),
      "-q",
      "-t",
      "set",
      "-n",
      String(requestCount),
      "-c",
      "50",
      "-P",
      "16",
      "-r",
      String(keyCount),
      "-d",
      "100",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const match = /SET: ([\d.]+) requests per second/.exec(
    new TextDecoder().decode(output.stdout).replaceAll("\r", "\n"),
  );
  return match ? Number(match[1]) : NaN;
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
    await loadKeys(master.port, insertion);
    let startedMs = performance.now();
    await cmd(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(master.port, replica.port);
    const fullSyncMs = performance.now() - startedMs;
    await cmd(replica.port, "REPLICAOF", "NO", "ONE");
    const alone = await benchmarkSet(master.port);
    startedMs = performance.now();
    const during = benchmarkSet(master.port);
    await cmd(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));
    const duringRate = await during;
    await waitInSync(master.port, replica.port);
    const load = benchmarkSet(master.port);
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
  const file = await Deno.open(insertion, { write: true, create: true });
  const encoder = new TextEncoder();
  for (let start = 0; start < keyCount; start += 10_000) {
    let chunk = "";
    for (let i = start; i < Math.min(keyCount, start + 10_000); i++) {
      const key = `key:${String(i).padStart(12, "0")}`;
      const value = String(i).padStart(100, "v");
      chunk += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
    }
    await file.write(encoder.encode(chunk));
  }
  file.close();
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
