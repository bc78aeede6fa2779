// Load benchmark of Lua scripting: EVALSHA of a one-call script and FCALL of a one-call
// function, resplica against redis-server 7.0 on this machine, same client, same run. A sibling
// of bench/types_load.ts, run by hand from the repo root (it is not a `deno bench` file):
//
//   deno run -A bench/scripting_load.ts [--rounds 3] [--requests 100000] [--clients 50]
//     [--pipeline 16]
//
// Workloads (redis-benchmark's arbitrary-command mode, `__rand_int__` a random 12-digit number
// below KEY_SPACE), once unpipelined and once `-P <pipeline>` deep:
//
//   EVALSHA <sha of SET_SCRIPT> 1 k:__rand_int__ v    one redis.call('SET', …) per request
//   EVALSHA <sha of GET_SCRIPT> 1 k:__rand_int__      one redis.call('GET', …) per request
//   FCALL bench_set 1 k:__rand_int__ v                the SET script as a library function
//   EVAL "return 1" 0                                 the cost of a script that calls nothing
//
// The scripts are loaded (SCRIPT LOAD, FUNCTION LOAD) into both servers first, and each SHA1 is
// checked to be the same on both. Rounds alternate the servers' order; the median of the rounds
// is reported as req/s and as the ratio resplica / redis. Every server is stopped by PID, every
// tool run is bounded (bench/_servers.ts). RESPLICA_SELFTEST=1 puts a second redis-server in
// resplica's place (ratios ≈ 1.0) to check the bench itself.

import { findExecutable } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  benchmarkCommandRate,
  type BenchServer,
  command,
  median,
  startRedisServerAs,
  startResplicaServer,
} from "./_servers.ts";

/** Keys the scripts touch (-r). */
const KEY_SPACE = 100_000;
const SET_SCRIPT = "return redis.call('SET', KEYS[1], ARGV[1])";
const GET_SCRIPT = "return redis.call('GET', KEYS[1])";
const LIBRARY = "#!lua name=benchlib\n" +
  "redis.register_function('bench_set', function(keys, args) " +
  "return redis.call('SET', keys[1], args[1]) end)";

const flags = benchFlags({ rounds: 3, requests: 100_000, clients: 50, pipeline: 16 });
const roundCount = Math.max(1, flags.rounds);
const selfTest = Deno.env.get("RESPLICA_SELFTEST") === "1";

/** A bulk reply's text (SCRIPT LOAD's SHA1). */
function bulkText(reply: string): string {
  const match = /^\$\d+\r\n(.*)\r\n$/s.exec(reply);
  if (match === null) throw new Error(`expected a bulk reply, got ${JSON.stringify(reply)}`);
  return match[1];
}

/** Loads the scripts and the library into `server`; returns the two SHA1s. */
async function prepare(server: BenchServer): Promise<{ setSha: string; getSha: string }> {
  const setSha = bulkText(await command(server.port, "SCRIPT", "LOAD", SET_SCRIPT));
  const getSha = bulkText(await command(server.port, "SCRIPT", "LOAD", GET_SCRIPT));
  const loaded = await command(server.port, "FUNCTION", "LOAD", "REPLACE", LIBRARY);
  if (loaded !== "$8\r\nbenchlib\r\n") {
    throw new Error(`${server.label}: FUNCTION LOAD answered ${JSON.stringify(loaded)}`);
  }
  const called = await command(server.port, "FCALL", "bench_set", "1", "check", "v");
  if (called !== "+OK\r\n") {
    throw new Error(`${server.label}: FCALL answered ${JSON.stringify(called)}`);
  }
  return { setSha, getSha };
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark"]) {
    if (!findExecutable(tool)) throw new Error(`${tool} not found on PATH`);
  }
  const pipelineDepths = [...new Set([1, flags.pipeline])];
  const samples = new Map<string, Map<string, number[]>>();
  let redis: BenchServer | undefined;
  let resplica: BenchServer | undefined;
  try {
    redis = await startRedisServerAs();
    resplica = selfTest ? await startRedisServerAs("resplica") : await startResplicaServer();
    const servers = [redis, resplica];
    const shas = await Promise.all(servers.map(prepare));
    if (JSON.stringify(shas[0]) !== JSON.stringify(shas[1])) {
      throw new Error(`the servers disagree on the scripts' SHA1s: ${JSON.stringify(shas)}`);
    }
    const { setSha, getSha } = shas[0];
    const workloads = [
      { name: "EVALSHA (SET)", argv: ["EVALSHA", setSha, "1", "k:__rand_int__", "v"] },
      { name: "EVALSHA (GET)", argv: ["EVALSHA", getSha, "1", "k:__rand_int__"] },
      { name: "FCALL (SET)", argv: ["FCALL", "bench_set", "1", "k:__rand_int__", "v"] },
      { name: "EVAL return 1", argv: ["EVAL", "return 1", "0"] },
    ];
    for (const server of servers) samples.set(server.label, new Map());
    for (let round = 0; round < roundCount; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const pipelineDepth of pipelineDepths) {
        for (const workload of workloads) {
          const key = `${workload.name} -P${pipelineDepth}`;
          for (const server of order) {
            const rate = await benchmarkCommandRate(server.port, {
              argv: workload.argv,
              requestCount: flags.requests,
              clientCount: flags.clients,
              pipelineDepth,
              keySpace: KEY_SPACE,
            });
            const series = samples.get(server.label)!;
            series.set(key, [...(series.get(key) ?? []), rate]);
            console.log(
              `round ${round + 1} ${server.label.padEnd(12)} ${key}: ${Math.round(rate)}`,
            );
          }
        }
      }
    }
  } finally {
    await resplica?.stop();
    await redis?.stop();
  }
  console.log(`\n| workload | redis-server 7.0 | resplica | resplica / redis |`);
  console.log(`| --- | ---: | ---: | ---: |`);
  for (const key of samples.get("redis-server")!.keys()) {
    const redisRate = median(samples.get("redis-server")!.get(key)!);
    const ourRate = median(samples.get("resplica")!.get(key)!);
    console.log(
      `| ${key} (req/s, median of ${roundCount}) | ${
        Math.round(redisRate).toLocaleString("en-US")
      } | ` +
        `${Math.round(ourRate).toLocaleString("en-US")} | ${(ourRate / redisRate).toFixed(2)}× |`,
    );
  }
}

await main();
