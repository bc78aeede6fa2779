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

import { parseArgs } from "node:util";
import { pickFreePort } from "../tests/_support/ports.ts";
import { RawClient } from "../tests/_support/raw_client.ts";
import {
  delay,
  findExecutable,
  startRedisServer,
  stopChild,
} from "../tests/_support/redis_peer.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    keys: { type: "string", default: "1000000" },
    requests: { type: "string", default: "400000" },
  },
});
const keyCount = Number(flags.keys);
const requestCount = Number(flags.requests);
const VALUE_SIZE_BYTES = 100;

interface Target {
  label: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

async function startResplica(dir: string): Promise<Target> {
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
      "--loglevel",
      "warning",
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let i = 0; i < 300; i++) {
    try {
      const client = await RawClient.connect(port, 1000);
      const pong = await client.commandText("PING");
      client.close();
      if (pong === "+PONG\r\n") break;
    } catch {
      await delay(50);
    }
  }
  return { label: "resplica", port, dir, stop: () => stopChild(child) };
}

async function info(port: number, field: string): Promise<string> {
  const client = await RawClient.connect(port, 30_000);
  try {
    const text = await client.commandText("INFO", "persistence");
    return new RegExp(`${field}:([^\\r\\n]*)`).exec(text)?.[1] ?? "";
  } finally {
    client.close();
  }
}

async function command(port: number, ...args: string[]): Promise<string> {
  const client = await RawClient.connect(port, 60_000);
  try {
    return await client.commandText(...args);
  } finally {
    client.close();
  }
}

async function load(target: Target, path: string): Promise<void> {
  const child = new Deno.Command(findExecutable("redis-cli")!, {
    args: ["-p", String(target.port), "--pipe"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const file = await Deno.open(path);
  await file.readable.pipeTo(child.stdin);
  const output = await child.output();
  const text = new TextDecoder().decode(output.stdout);
  if (!text.includes(`errors: 0, replies: ${keyCount}`)) {
    throw new Error(`${target.label}: ${text}`);
  }
}

async function waitBgsave(port: number): Promise<void> {
  while ((await info(port, "rdb_bgsave_in_progress")) !== "0") await delay(20);
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
      String(VALUE_SIZE_BYTES),
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const match = /SET: ([\d.]+) requests per second/.exec(text.replaceAll("\r", "\n"));
  if (!match) throw new Error(`cannot read redis-benchmark output: ${text}`);
  return Number(match[1]);
}

async function measure(target: Target, insertion: string) {
  await load(target, insertion);
  let startedMs = performance.now();
  await command(target.port, "BGSAVE");
  await waitBgsave(target.port);
  const bgsaveMs = performance.now() - startedMs;
  const fileBytes = (await Deno.stat(`${target.dir}/dump.rdb`)).size;
  const alone = await benchmarkSet(target.port);
  startedMs = performance.now();
  const during = benchmarkSet(target.port);
  await command(target.port, "BGSAVE");
  const duringRate = await during;
  await waitBgsave(target.port);
  const cowBytes = Number(await info(target.port, "rdb_last_cow_size"));
  return { bgsaveMs, fileBytes, alone, duringRate, cowBytes };
}

const scratch = await Deno.makeTempDir({ prefix: "resplica-bgsave-bench-" });
const insertion = `${scratch}/insert.resp`;
{
  const encoder = new TextEncoder();
  const file = await Deno.open(insertion, { write: true, create: true });
  for (let start = 0; start < keyCount; start += 10_000) {
    let chunk = "";
    for (let i = start; i < Math.min(keyCount, start + 10_000); i++) {
      const key = `key:${String(i).padStart(12, "0")}`;
      const value = String(i).padStart(VALUE_SIZE_BYTES, "v");
      chunk += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`;
    }
    await file.write(encoder.encode(chunk));
  }
  file.close();
}
const rows: string[] = [];
try {
  await Deno.mkdir(`${scratch}/redis`);
  await Deno.mkdir(`${scratch}/resplica`);
  const peer = await startRedisServer(["--dir", `${scratch}/redis`]);
  const redis: Target = {
    label: "redis-server",
    port: peer.port,
    dir: `${scratch}/redis`,
    stop: () => peer.stop(),
  };
  const redisFigures = await measure(redis, insertion).finally(() => redis.stop());
  const resplica = await startResplica(`${scratch}/resplica`);
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
