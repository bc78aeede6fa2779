// Issue 16's scenario as a bench: a full sync under sustained writes, with the tight replica
// output limit that makes redis-server drop its replica and start over. It owns the scenario and
// its report; starting servers, loading keys and reading RSS come from bench/_servers.ts.
//
//   deno run -A bench/full_sync_load.ts [--keys 1000000] [--seconds 30] [--rounds 3]
//
// Per pair (master → replica): (a) redis-server → redis-server, (b) resplica → redis-server,
// (c) resplica → resplica. Each round starts a fresh master (client-output-buffer-limit replica
// 16mb 8mb 10, repl-backlog-size 1mb, repl-diskless-sync yes, repl-diskless-sync-delay 0) and a
// fresh replica, loads `keys` keys × 100 B into the master (redis-cli --pipe), starts
// `redis-benchmark -t set -d 1024 -P 16 -c 20 -r <keys>` against it for the whole window, and
// ~1 s later sends REPLICAOF to the replica. For `seconds` from then, every 100 ms, it samples
// the master: INFO replication (slave0 state, offsets, resplica's lag_bytes / lag_ms), INFO stats
// (total_commands_processed, sync_full), VmRSS, and what holds the stream owed to the replica:
// CLIENT LIST TYPE replica omem on redis-server, INFO repl_spool_memory_bytes on resplica.
//
// Shaped so that a replica that never comes online is a result, not an error: every window runs
// its full length whatever happens, so sync counts and throughput compare across pairs. Pairs
// alternate order every round; figures are medians over rounds, reported with ratios to pair (a)
// of the same run. Every process is started here and stopped by its PID in a `finally`.

import { RawClient } from "../tests/_support/raw_client.ts";
import { delay, findExecutable } from "../tests/_support/redis_peer.ts";
import {
  benchFlags,
  type BenchServer,
  command,
  infoField,
  median,
  pipeLoad,
  residentBytes,
  startRedisServerWith,
  startResplicaServerIn,
  writeStringKeysFile,
} from "./_servers.ts";

const flags = benchFlags({ keys: 1_000_000, seconds: 30, rounds: 3 });
const keyCount = flags.keys;
const windowMs = flags.seconds * 1000;
const roundCount = Math.max(1, flags.rounds);

/** The master settings of issue 16, as flags both servers accept. */
const MASTER_ARGS = [
  "--client-output-buffer-limit",
  "replica",
  "16mb",
  "8mb",
  "10",
  "--repl-backlog-size",
  "1mb",
  "--repl-diskless-sync",
  "yes",
  "--repl-diskless-sync-delay",
  "0",
];
/** Writes before the replica attaches, so the sync starts under load. */
const ATTACH_AFTER_MS = 1_000;
const SAMPLE_INTERVAL_MS = 100;
/** Size of the values redis-benchmark writes during the window. */
const WRITE_VALUE_SIZE_BYTES = 1024;

type Kind = "redis-server" | "resplica";
interface Pair {
  name: string;
  master: Kind;
  replica: Kind;
}
const PAIRS: Pair[] = [
  { name: "(a) redis → redis", master: "redis-server", replica: "redis-server" },
  { name: "(b) resplica → redis", master: "resplica", replica: "redis-server" },
  { name: "(c) resplica → resplica", master: "resplica", replica: "resplica" },
];

/** One round of one pair; NaN where a figure does not apply or was never seen. */
interface RoundResult {
  onlineMs: number;
  onlineAtEnd: boolean;
  fullSyncCount: number;
  rateBefore: number;
  rateDuringSync: number;
  rateAfterOnline: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
  omemPeakBytes: number;
  spoolMemoryPeakBytes: number;
  spilledBytes: number;
  lagBytesP50: number;
  lagBytesP99: number;
  lagMsP50: number;
  lagMsP99: number;
}

function startServer(kind: Kind, dir: string, extraArgs: string[]): Promise<BenchServer> {
  return kind === "resplica"
    ? startResplicaServerIn(dir, extraArgs)
    : startRedisServerWith(["--dir", dir, ...extraArgs]);
}

/** `redis-benchmark` SET of 1 KB values on the loaded keys, running until killed. */
function startWriter(port: number): Deno.ChildProcess {
  return new Deno.Command(findExecutable("redis-benchmark")!, {
    args: [
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-q",
      "-t",
      "set",
      "-n",
      "2000000000",
      "-c",
      "20",
      "-P",
      "16",
      "-r",
      String(keyCount),
      "-d",
      String(WRITE_VALUE_SIZE_BYTES),
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function stopWriter(writer: Deno.ChildProcess): Promise<void> {
  try {
    writer.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await writer.status;
}

/** The `key=value` fields of INFO replication's slave0 line, or null when there is none. */
function slave0Fields(info: string): Map<string, string> | null {
  const line = infoField(info, "slave0");
  if (line === "") return null;
  return new Map(line.split(",").map((part) => part.split("=", 2) as [string, string]));
}

/** The largest omem among CLIENT LIST TYPE replica lines (NaN when the reply has none). */
function omemMaxBytes(reply: string): number {
  let max = NaN;
  for (const match of reply.matchAll(/\bomem=(\d+)/g)) {
    max = Number.isNaN(max) ? Number(match[1]) : Math.max(max, Number(match[1]));
  }
  return max;
}

function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))];
}

const numberField = (info: string, name: string) => Number(infoField(info, name));

async function runPair(pair: Pair, insertionPath: string, scratch: string): Promise<RoundResult> {
  const masterDir = await Deno.makeTempDir({ dir: scratch, prefix: "master-" });
  const replicaDir = await Deno.makeTempDir({ dir: scratch, prefix: "replica-" });
  const started: { stop(): Promise<void> }[] = [];
  let writer: Deno.ChildProcess | undefined;
  let probe: RawClient | undefined;
  try {
    const master = await startServer(pair.master, masterDir, MASTER_ARGS);
    started.push(master);
    const replica = await startServer(pair.replica, replicaDir, []);
    started.push(replica);
    const limit = await command(master.port, "CONFIG", "GET", "client-output-buffer-limit");
    if (!/(replica|slave) 16777216 8388608 10/.test(limit)) {
      throw new Error(`${pair.master}: client-output-buffer-limit not applied: ${limit}`);
    }
    await pipeLoad(master.port, insertionPath, keyCount);
    probe = await RawClient.connect(master.port, 60_000);
    const stats = () => probe!.commandText("INFO", "stats");

    writer = startWriter(master.port);
    const writerStartMs = performance.now();
    const commandsAtWriterStart = numberField(await stats(), "total_commands_processed");
    await delay(ATTACH_AFTER_MS);
    const statsAtAttach = await stats();
    const attachMs = performance.now();
    const rssBeforeBytes = await residentBytes(master.pid);
    const rateBefore =
      (numberField(statsAtAttach, "total_commands_processed") - commandsAtWriterStart) /
      ((attachMs - writerStartMs) / 1000);
    const spilledAtAttach = numberField(
      await probe.commandText("INFO", "replication"),
      "repl_spilled_bytes_total",
    );
    await command(replica.port, "REPLICAOF", "127.0.0.1", String(master.port));

    let onlineMs = NaN;
    let commandsAtOnline = NaN;
    let onlineAtEnd = false;
    let rssPeakBytes = rssBeforeBytes;
    let omemPeakBytes = NaN;
    let spoolMemoryPeakBytes = NaN;
    const lagBytes: number[] = [];
    const lagMs: number[] = [];
    let replicationInfo = "";
    let statsInfo = statsAtAttach;
    for (let tick = 1; performance.now() - attachMs < windowMs; tick++) {
      await delay(Math.max(0, attachMs + tick * SAMPLE_INTERVAL_MS - performance.now()));
      replicationInfo = await probe.commandText("INFO", "replication");
      statsInfo = await stats();
      if (pair.master === "redis-server") {
        // A Redis replica's stream waits in its output buffer; resplica's in its spool.
        const clients = await probe.commandText("CLIENT", "LIST", "TYPE", "replica");
        const omem = omemMaxBytes(clients);
        if (!Number.isNaN(omem)) {
          omemPeakBytes = Number.isNaN(omemPeakBytes) ? omem : Math.max(omemPeakBytes, omem);
        }
      } else {
        const spool = numberField(replicationInfo, "repl_spool_memory_bytes");
        spoolMemoryPeakBytes = Number.isNaN(spoolMemoryPeakBytes)
          ? spool
          : Math.max(spoolMemoryPeakBytes, spool);
      }
      rssPeakBytes = Math.max(rssPeakBytes, await residentBytes(master.pid));
      const slave = slave0Fields(replicationInfo);
      onlineAtEnd = slave?.get("state") === "online";
      if (!onlineAtEnd) continue;
      if (Number.isNaN(onlineMs)) {
        onlineMs = performance.now() - attachMs;
        commandsAtOnline = numberField(statsInfo, "total_commands_processed");
      }
      if (slave!.has("lag_bytes")) {
        lagBytes.push(Number(slave!.get("lag_bytes")));
        lagMs.push(Number(slave!.get("lag_ms")));
      } else {
        lagBytes.push(
          numberField(replicationInfo, "master_repl_offset") - Number(slave!.get("offset")),
        );
      }
    }
    const endMs = performance.now();
    const commandsAtEnd = numberField(statsInfo, "total_commands_processed");
    const commandsAtAttach = numberField(statsAtAttach, "total_commands_processed");
    const syncEndMs = Number.isNaN(onlineMs) ? endMs - attachMs : onlineMs;
    const syncEndCommands = Number.isNaN(onlineMs) ? commandsAtEnd : commandsAtOnline;
    lagBytes.sort((left, right) => left - right);
    lagMs.sort((left, right) => left - right);
    const spilledAtEnd = numberField(replicationInfo, "repl_spilled_bytes_total");
    return {
      onlineMs,
      onlineAtEnd,
      fullSyncCount: numberField(statsInfo, "sync_full") - numberField(statsAtAttach, "sync_full"),
      rateBefore,
      rateDuringSync: (syncEndCommands - commandsAtAttach) / (syncEndMs / 1000),
      rateAfterOnline: Number.isNaN(onlineMs)
        ? NaN
        : (commandsAtEnd - commandsAtOnline) / ((endMs - attachMs - onlineMs) / 1000),
      rssBeforeBytes,
      rssPeakBytes,
      omemPeakBytes,
      spoolMemoryPeakBytes,
      spilledBytes: pair.master === "resplica" ? spilledAtEnd - spilledAtAttach : NaN,
      lagBytesP50: percentile(lagBytes, 0.5),
      lagBytesP99: percentile(lagBytes, 0.99),
      lagMsP50: percentile(lagMs, 0.5),
      lagMsP99: percentile(lagMs, 0.99),
    };
  } finally {
    probe?.close();
    if (writer) await stopWriter(writer);
    for (const server of started.reverse()) await server.stop();
  }
}

// --- Report ------------------------------------------------------------------------------------

/** The median of a figure over rounds, NaN rounds left out (NaN when every round is NaN). */
function medianOf(rounds: readonly RoundResult[], pick: (round: RoundResult) => number): number {
  return median(rounds.map(pick).filter((value) => !Number.isNaN(value)));
}

const MiB = 1024 * 1024;
const formatNumber = (value: number, digits = 0) =>
  Number.isNaN(value) ? "—" : value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const formatRatio = (value: number, base: number) =>
  Number.isNaN(value) || Number.isNaN(base) || base === 0 ? "—" : `${(value / base).toFixed(2)}×`;

interface Row {
  label: string;
  cells: (rounds: RoundResult[]) => string;
  ratio: (rounds: RoundResult[], base: RoundResult[]) => string;
}

/** A row of one figure: its median per pair, and the median's ratio to pair (a)'s. */
function figureRow(
  label: string,
  pick: (round: RoundResult) => number,
  scale = 1,
  digits = 0,
): Row {
  return {
    label,
    cells: (rounds) => formatNumber(medianOf(rounds, pick) / scale, digits),
    ratio: (rounds, base) => formatRatio(medianOf(rounds, pick), medianOf(base, pick)),
  };
}

/** A row of two figures shown as `x / y` (p50 / p99), ratios likewise. */
function pairRow(
  label: string,
  first: (round: RoundResult) => number,
  second: (round: RoundResult) => number,
  scale = 1,
  digits = 0,
): Row {
  const left = figureRow(label, first, scale, digits);
  const right = figureRow(label, second, scale, digits);
  return {
    label,
    cells: (rounds) => `${left.cells(rounds)} / ${right.cells(rounds)}`,
    ratio: (rounds, base) => `${left.ratio(rounds, base)} / ${right.ratio(rounds, base)}`,
  };
}

const rows: Row[] = [
  {
    label: `replica online after (ms; window ${flags.seconds} s)`,
    cells: (rounds) => {
      const online = rounds.filter((round) => !Number.isNaN(round.onlineMs));
      if (online.length === 0) {
        const syncs = medianOf(rounds, (round) => round.fullSyncCount);
        return `never online, ${formatNumber(syncs)} full syncs in ${flags.seconds} s`;
      }
      const time = formatNumber(medianOf(online, (round) => round.onlineMs));
      return online.length === rounds.length
        ? time
        : `${time} (online in ${online.length} of ${rounds.length})`;
    },
    ratio: (rounds, base) =>
      base.every((round) => Number.isNaN(round.onlineMs))
        ? "— ((a) never online)"
        : formatRatio(medianOf(rounds, (r) => r.onlineMs), medianOf(base, (r) => r.onlineMs)),
  },
  {
    label: "replica online at window end (rounds)",
    cells: (rounds) => `${rounds.filter((round) => round.onlineAtEnd).length} of ${rounds.length}`,
    ratio: () => "—",
  },
  figureRow("full syncs by the master in the window", (round) => round.fullSyncCount),
  figureRow("master SET/s before attach", (round) => round.rateBefore),
  figureRow("master SET/s during the sync (to online, else whole window)", (r) => r.rateDuringSync),
  {
    label: "during sync / before attach, same master",
    cells: (rounds) => formatNumber(medianOf(rounds, (r) => r.rateDuringSync / r.rateBefore), 2),
    ratio: () => "—",
  },
  figureRow("master SET/s after online", (round) => round.rateAfterOnline),
  figureRow("master RSS before attach (MiB)", (round) => round.rssBeforeBytes, MiB, 1),
  figureRow("master peak RSS in the window (MiB)", (round) => round.rssPeakBytes, MiB, 1),
  figureRow(
    "master peak RSS / RSS before attach",
    (round) => round.rssPeakBytes / round.rssBeforeBytes,
    1,
    2,
  ),
  figureRow("replica output buffer peak, CLIENT LIST omem (MiB)", (r) => r.omemPeakBytes, MiB, 1),
  figureRow(
    "replica spool in memory peak, repl_spool_memory_bytes (MiB)",
    (r) => r.spoolMemoryPeakBytes,
    MiB,
    1,
  ),
  figureRow("spilled bytes, repl_spilled_bytes_total (MiB)", (r) => r.spilledBytes, MiB, 1),
  pairRow(
    "replica lag after online, p50 / p99 (bytes)",
    (r) => r.lagBytesP50,
    (r) => r.lagBytesP99,
  ),
  pairRow("replica lag after online, p50 / p99 (ms)", (r) => r.lagMsP50, (r) => r.lagMsP99),
];

function report(results: Map<string, RoundResult[]>): string {
  const [base, ...others] = PAIRS.map((pair) => results.get(pair.name)!);
  const lines = [
    `| figure | ${PAIRS.map((pair) => pair.name).join(" | ")} | ${
      PAIRS.slice(1).map((pair) => `${pair.name.slice(0, 3)} / (a)`).join(" | ")
    } |`,
    `| --- | ${PAIRS.map(() => "---:").join(" | ")} | ${
      PAIRS.slice(1).map(() => "---:").join(" | ")
    } |`,
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.label} | ${[base, ...others].map((rounds) => row.cells(rounds)).join(" | ")} | ${
        others.map((rounds) => row.ratio(rounds, base)).join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  for (const tool of ["redis-server", "redis-benchmark", "redis-cli"]) {
    if (!findExecutable(tool)) throw new Error(`${tool} not found on PATH`);
  }
  const commandLine = `deno run -A bench/full_sync_load.ts ${Deno.args.join(" ")}`.trim();
  const scratch = await Deno.makeTempDir({ prefix: "resplica-full-sync-bench-" });
  try {
    const insertionPath = `${scratch}/insert.resp`;
    await writeStringKeysFile(insertionPath, keyCount);
    const results = new Map<string, RoundResult[]>(PAIRS.map((pair) => [pair.name, []]));
    for (let round = 0; round < roundCount; round++) {
      const order = round % 2 === 0 ? PAIRS : [...PAIRS].reverse();
      for (const pair of order) {
        const result = await runPair(pair, insertionPath, scratch);
        results.get(pair.name)!.push(result);
        console.log(
          `round ${round + 1} ${pair.name}: online ${
            Number.isNaN(result.onlineMs) ? "never" : `after ${result.onlineMs.toFixed(0)} ms`
          }, ${result.fullSyncCount} full syncs, SET/s before ${result.rateBefore.toFixed(0)} ` +
            `during ${result.rateDuringSync.toFixed(0)}, RSS ${
              (result.rssBeforeBytes / MiB).toFixed(0)
            } → peak ${(result.rssPeakBytes / MiB).toFixed(0)} MiB`,
        );
      }
    }
    console.log(
      `\n${commandLine}\n(${
        keyCount.toLocaleString("en-US")
      } keys × 100 B; redis-benchmark -t set ` +
        `-d ${WRITE_VALUE_SIZE_BYTES} -P 16 -c 20 -r ${keyCount} throughout; replica attached ` +
        `after ${ATTACH_AFTER_MS} ms; ${flags.seconds} s window sampled every ` +
        `${SAMPLE_INTERVAL_MS} ms; medians of ${roundCount} alternating rounds; ` +
        `${navigator.hardwareConcurrency} cores)\n`,
    );
    console.log(report(results));
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

await main();
