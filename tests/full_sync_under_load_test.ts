// Full sync under sustained writes (issue 16): the scenario in which redis-server 7.0 as a master
// never gets a replica online (redis/redis#11534) — a loaded master, writes at the full rate
// redis-benchmark reaches (1 KB SETs, pipelined), `client-output-buffer-limit replica 16mb 8mb
// 10` and a 1 MB backlog — run against resplica as the master, with a redis-server replica and a
// resplica replica attaching under the load.
//
// What must hold: each replica comes online with at most 2 full syncs (the master's sync_full
// stays at or under 4), the master's resident memory stays within 2.5× what it held idle with
// the dataset (the stream written during the syncs waits in spill files, not in memory), and
// once the load stops master and replicas hold the same keys with the same values. Sizes are
// chosen so the whole test runs in well under a minute on a 2-vCPU machine.

import assert from "node:assert/strict";
import { RawClient } from "./_support/raw_client.ts";
import { findExecutable, peerTest } from "./_support/redis_peer.ts";
import { killHard, spawnResplica } from "./_support/resplica_process.ts";
import { infoField, run, startRedisReplica, waitFor } from "./_support/replication.ts";

const KEY_COUNT = 200_000;
const KEY_BATCH = 1_000;
const VALUE_BYTES = 100;
const LOAD_VALUE_BYTES = 1024;
const LOAD_KEYSPACE = 50_000;
const ONLINE_TIMEOUT_MS = 45_000;
const CATCH_UP_TIMEOUT_MS = 30_000;
const RSS_SAMPLE_MS = 50;
const RSS_PEAK_FACTOR_MAX = 2.5;
const FULL_SYNCS_MAX = 4;
const SAMPLED_KEYS = 500;
/** Cap on the disk a replica that cannot keep up may cost the test machine. */
const SPILL_MAX = "512mb";

/**
 * Resident memory of process `pid`, from `ps` (reading /proc/<pid>/status directly needs
 * Deno's --allow-all, which the test task does not grant).
 */
async function rssBytes(pid: number): Promise<number> {
  const output = await new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)] })
    .output();
  const kib = Number(new TextDecoder().decode(output.stdout).trim());
  if (!output.success || !Number.isFinite(kib) || kib <= 0) throw new Error(`no RSS for ${pid}`);
  return kib * 1024;
}

/**
 * Loads KEY_COUNT keys of VALUE_BYTES, and the keys the load will overwrite at their final size
 * (so the idle memory measured after this is the dataset's whole size), with pipelined MSETs.
 */
async function loadDataset(client: RawClient): Promise<void> {
  const value = "v".repeat(VALUE_BYTES);
  for (let start = 0; start < KEY_COUNT; start += KEY_BATCH) {
    const args = ["MSET"];
    for (let i = start; i < start + KEY_BATCH; i++) args.push(`base:${i}`, value);
    await run(client, ...args);
  }
  const loadValue = "x".repeat(LOAD_VALUE_BYTES);
  for (let start = 0; start < LOAD_KEYSPACE; start += KEY_BATCH) {
    const args = ["MSET"];
    for (let i = start; i < start + KEY_BATCH; i++) {
      args.push(`key:${String(i).padStart(12, "0")}`, loadValue);
    }
    await run(client, ...args);
  }
}

/** The `slaveN` lines of the master's INFO replication. */
async function replicaLines(master: RawClient): Promise<string[]> {
  const text = new TextDecoder().decode(await master.command("INFO", "replication"));
  return text.split("\r\n").filter((line) => /^slave\d+:/.test(line));
}

peerTest(
  "a full sync under sustained writes completes: two replicas online, memory bounded",
  async () => {
    const benchmark = findExecutable("redis-benchmark");
    assert.ok(benchmark !== null, "redis-benchmark is needed");
    const dir = await Deno.makeTempDir({ prefix: "resplica-sync-load-" });
    const master = await spawnResplica([
      "--dir",
      dir,
      "--client-output-buffer-limit",
      "replica",
      "16mb",
      "8mb",
      "10",
      "--repl-backlog-size",
      "1mb",
      "--repl-diskless-sync-delay",
      "0",
      "--repl-spill-max-bytes",
      SPILL_MAX,
    ]);
    const masterClient = await RawClient.connect(master.port, 30_000);
    let load: Deno.ChildProcess | null = null;
    let redisReplica: Awaited<ReturnType<typeof startRedisReplica>> | null = null;
    let resplicaReplica: Awaited<ReturnType<typeof spawnResplica>> | null = null;
    let sampling = true;
    let rssPeakBytes = 0;
    try {
      await loadDataset(masterClient);
      const idleRssBytes = await rssBytes(master.child.pid);
      const sampler = (async () => {
        while (sampling) {
          rssPeakBytes = Math.max(rssPeakBytes, await rssBytes(master.child.pid));
          await new Promise((resolve) => setTimeout(resolve, RSS_SAMPLE_MS));
        }
      })();

      load = new Deno.Command(benchmark, {
        args: [
          "-p",
          String(master.port),
          "-t",
          "set",
          "-d",
          String(LOAD_VALUE_BYTES),
          "-P",
          "16",
          "-c",
          "20",
          "-r",
          String(LOAD_KEYSPACE),
          "-n",
          "100000000",
          "-q",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      // Let the load reach its rate before the replicas attach.
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      redisReplica = await startRedisReplica(master.port);
      resplicaReplica = await spawnResplica(["--replicaof", "127.0.0.1", String(master.port)]);

      let lines: string[] = [];
      await waitFor("both replicas online under load", async () => {
        lines = await replicaLines(masterClient);
        return lines.length === 2 && lines.every((line) => line.includes("state=online"));
      }, ONLINE_TIMEOUT_MS).catch((error) => {
        throw new Error(`${(error as Error).message}: ${lines.join(" | ")}`);
      });
      const fullSyncs = Number(await infoField(masterClient, "stats", "sync_full"));
      const spilledBytes = Number(
        await infoField(masterClient, "replication", "repl_spilled_bytes_total"),
      );

      load.kill("SIGKILL");
      await load.status;
      load = null;
      sampling = false;
      await sampler;

      const redisClient = await RawClient.connect(redisReplica.port, 30_000);
      const resplicaClient = await RawClient.connect(resplicaReplica.port, 30_000);
      try {
        const offset = await infoField(masterClient, "replication", "master_repl_offset");
        for (
          const [name, client] of [["redis-server", redisClient], ["resplica", resplicaClient]]
        ) {
          await waitFor(
            `the ${name} replica to apply the whole stream`,
            async () =>
              (await infoField(client as RawClient, "replication", "slave_repl_offset")) === offset,
            CATCH_UP_TIMEOUT_MS,
          );
        }
        const size = await masterClient.commandText("DBSIZE");
        assert.equal(await redisClient.commandText("DBSIZE"), size);
        assert.equal(await resplicaClient.commandText("DBSIZE"), size);
        for (let i = 0; i < SAMPLED_KEYS; i++) {
          const key = i % 2 === 0
            ? `key:${String(Math.floor(Math.random() * LOAD_KEYSPACE)).padStart(12, "0")}`
            : `base:${Math.floor(Math.random() * KEY_COUNT)}`;
          const expected = await masterClient.commandText("GET", key);
          assert.equal(await redisClient.commandText("GET", key), expected, key);
          assert.equal(await resplicaClient.commandText("GET", key), expected, key);
        }
      } finally {
        redisClient.close();
        resplicaClient.close();
      }

      console.log(
        `full syncs ${fullSyncs}, spilled ${spilledBytes} bytes, master RSS idle ` +
          `${(idleRssBytes / 2 ** 20).toFixed(1)} MiB, peak ${
            (rssPeakBytes / 2 ** 20).toFixed(1)
          } MiB`,
      );
      assert.ok(fullSyncs <= FULL_SYNCS_MAX, `${fullSyncs} full syncs`);
      assert.ok(
        rssPeakBytes <= idleRssBytes * RSS_PEAK_FACTOR_MAX,
        `master RSS peak ${rssPeakBytes} > ${RSS_PEAK_FACTOR_MAX} × idle ${idleRssBytes}`,
      );
    } finally {
      sampling = false;
      if (load !== null) {
        load.kill("SIGKILL");
        await load.status;
      }
      masterClient.close();
      if (resplicaReplica !== null) await killHard(resplicaReplica);
      if (redisReplica !== null) await redisReplica.stop();
      await killHard(master);
      await Deno.remove(dir, { recursive: true });
    }
  },
);
