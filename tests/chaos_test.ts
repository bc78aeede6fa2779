// Chaos: a master with two replica processes under a steady write load, while a seeded
// controller injects faults one at a time — links cut or delayed through a TCP proxy, replicas
// killed with SIGKILL and restarted from their persisted RDB, disconnections long enough to
// overflow the backlog. After each fault the master's sync counters must move exactly as the
// backlog predicts (a short break costs a partial resync, an overflow a full one, a delay
// nothing); at the end every replica's dataset equals the master's, key by key.
//
// CI runs a short profile; run a long one by hand:
//   RESPLICA_CHAOS_SEED=7 RESPLICA_CHAOS_FAULTS=200 deno test -A tests/chaos_test.ts

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { loadRdbFileSync } from "../core/persistence/rdb_file.ts";
import { Engine } from "../core/engine/mod.ts";
import { seededRandom } from "./_support/differential.ts";
import { concatBytes, encodeCommand, RawClient } from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { datasetDigest } from "./_support/dataset.ts";
import { infoField, waitInSync } from "./_support/replication.ts";
import { delay } from "./_support/redis_peer.ts";
import { TcpProxy } from "./_support/tcp_proxy.ts";

const FAULT_COUNT = Number(Deno.env.get("RESPLICA_CHAOS_FAULTS") ?? "12");
const SEED = Number(Deno.env.get("RESPLICA_CHAOS_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const BACKLOG_BYTES = 1024 * 1024;
/** Writes per batch and the pause between batches of the steady load (about 400 writes/s). */
const LOAD_BATCH_COUNT = 10;
const LOAD_PAUSE_MS = 25;

type Rand = () => number;
type FaultKind = "cut" | "delay" | "kill" | "overflow";
type Expected = "none" | "partial" | "full";

function int(rand: Rand, below: number): number {
  return Math.floor(rand() * below);
}

/** One random write over a bounded keyspace of every type, in dbs 0 and 1. */
function randomWrite(rand: Rand): string[][] {
  const n = int(rand, 50);
  switch (int(rand, 10)) {
    case 0:
      return [["SET", `s:${int(rand, 200)}`, `value-${int(rand, 1e6)}`]];
    case 1:
      return [["INCRBY", `n:${int(rand, 20)}`, String(int(rand, 100) - 50)]];
    case 2:
      return [["RPUSH", `l:${n}`, `e${int(rand, 1000)}`], ["LTRIM", `l:${n}`, "-20", "-1"]];
    case 3:
      return [["HSET", `h:${n}`, `f${int(rand, 30)}`, `v${int(rand, 1000)}`]];
    case 4:
      return [["ZADD", `z:${n}`, String(int(rand, 1000) / 8), `m${int(rand, 40)}`]];
    case 5:
      return [["SADD", `set:${n}`, String(int(rand, 100))], [
        "SREM",
        `set:${n}`,
        String(int(rand, 100)),
      ]];
    case 6:
      return [["DEL", `s:${int(rand, 200)}`]];
    case 7:
      return [["PEXPIRE", `s:${int(rand, 200)}`, String(10_000_000 + int(rand, 1000))]];
    case 8:
      return [["MULTI"], ["SET", `s:${int(rand, 200)}`, "tx"], ["INCR", `n:${int(rand, 20)}`], [
        "EXEC",
      ]];
    default:
      return [["SELECT", "1"], ["SET", `db1:${int(rand, 50)}`, `v${int(rand, 100)}`], [
        "SELECT",
        "0",
      ]];
  }
}

/** Pipelined random writes at a steady pace until stopped. */
class SteadyLoad {
  writeCount = 0;
  #running = true;
  readonly #done: Promise<void>;

  constructor(client: RawClient, rand: Rand) {
    this.#done = (async () => {
      while (this.#running) {
        const commands = Array.from({ length: LOAD_BATCH_COUNT }, () => randomWrite(rand)).flat();
        await client.send(concatBytes(commands.map((argv) => encodeCommand(argv))));
        const replies = await client.readReplies(commands.length, 20_000);
        for (const reply of replies) assert.notEqual(reply[0], 0x2d, "a load write failed");
        this.writeCount += commands.length;
        await delay(LOAD_PAUSE_MS);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#done;
  }
}

interface Replica {
  name: string;
  dir: string;
  proxy: TcpProxy;
  process: ResplicaProcess;
  client: RawClient;
}

async function startReplica(replica: Omit<Replica, "process" | "client">): Promise<Replica> {
  const process = await spawnResplica([
    "--dir",
    replica.dir,
    "--save",
    "1 1",
    "--replicaof",
    "127.0.0.1",
    String(replica.proxy.port),
  ]);
  return { ...replica, process, client: await RawClient.connect(process.port) };
}

async function syncCounts(master: RawClient): Promise<{ full: number; partial: number }> {
  return {
    full: Number(await infoField(master, "stats", "sync_full")),
    partial: Number(await infoField(master, "stats", "sync_partial_ok")),
  };
}

/** Bytes the load may write while a killed replica restarts (~10 KiB/s), with room to spare. */
const RESTART_MARGIN_BYTES = 256 * 1024;

/**
 * What a restart from dir/dump.rdb should cost: partial when the file recorded our master's
 * history at an offset the backlog still holds (with a margin for what the load writes while
 * the replica starts), full when it recorded none or one the backlog has dropped (the last save
 * may predate an overflow), either when it is too close to the edge to call.
 */
async function restartExpectation(dir: string, master: RawClient): Promise<Expected | "either"> {
  let aux: Record<string, string>;
  try {
    aux = loadRdbFileSync(Engine.create(), `${dir}/dump.rdb`, Date.now()).aux;
  } catch {
    return "full"; // not saved yet: the replica starts with no history
  }
  if (aux["repl-id"] !== await infoField(master, "replication", "master_replid")) return "full";
  const wanted = Number(aux["repl-offset"]) + 1;
  const firstByte = Number(
    await infoField(master, "replication", "repl_backlog_first_byte_offset"),
  );
  if (wanted >= firstByte + RESTART_MARGIN_BYTES) return "partial";
  if (wanted < firstByte) return "full";
  return "either";
}

Deno.test(`chaos: ${FAULT_COUNT} faults under load, zero divergence`, async () => {
  console.log(`chaos: RESPLICA_CHAOS_SEED=${SEED} RESPLICA_CHAOS_FAULTS=${FAULT_COUNT}`);
  const rand = seededRandom(SEED);
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "repl-backlog-size": String(BACKLOG_BYTES), "repl-diskless-sync-delay": "0" },
  });
  const master = await RawClient.connect(server.port);
  const loadClient = await RawClient.connect(server.port);
  const burstClient = await RawClient.connect(server.port);
  const replicas: Replica[] = [];
  const faults: Record<FaultKind, number> = { cut: 0, delay: 0, kill: 0, overflow: 0 };
  let load: SteadyLoad | null = null;
  try {
    for (const name of ["r1", "r2"]) {
      const dir = await Deno.makeTempDir({ prefix: `resplica-chaos-${name}-` });
      replicas.push(await startReplica({ name, dir, proxy: TcpProxy.start(server.port) }));
    }
    load = new SteadyLoad(loadClient, seededRandom(SEED + 1));
    for (const replica of replicas) await waitInSync(master, replica.client);
    let before = await syncCounts(master);
    assert.deepEqual(before, { full: 2, partial: 0 });

    for (let step = 0; step < FAULT_COUNT; step++) {
      const index = int(rand, replicas.length);
      const replica = replicas[index];
      const kind = (["cut", "delay", "kill", "overflow"] as const)[int(rand, 4)];
      let expected: Expected | "either";
      switch (kind) {
        case "cut":
          // A short break: the load writes a few KiB meanwhile, far inside the backlog.
          await waitFor(() => replica.proxy.cut() > 0);
          await delay(int(rand, 300));
          expected = "partial";
          break;
        case "delay":
          replica.proxy.delayMs = 50 + int(rand, 200);
          await delay(500 + int(rand, 500));
          replica.proxy.delayMs = 0;
          expected = "none";
          break;
        case "kill": {
          await delay(int(rand, 1500)); // sometimes before, sometimes after a save
          await killHard(replica.process);
          replica.client.close();
          expected = await restartExpectation(replica.dir, master);
          await delay(int(rand, 300));
          replicas[index] = await startReplica(replica);
          break;
        }
        case "overflow": {
          // Away while more than twice the backlog is written: only a full sync can bring it back.
          replica.proxy.refusing = true;
          await waitFor(() => replica.proxy.cut() > 0);
          const big = "x".repeat(32 * 1024);
          const count = Math.ceil((2.5 * BACKLOG_BYTES) / big.length);
          const burst = Array.from(
            { length: count },
            (_, i) => encodeCommand(["SET", `big:${i % 8}`, big]),
          );
          await burstClient.send(concatBytes(burst));
          await burstClient.readReplies(count, 20_000);
          replica.proxy.refusing = false;
          expected = "full";
          break;
        }
      }
      faults[kind]++;
      const current = replicas[index];
      await waitInSync(master, current.client);
      const after = await syncCounts(master);
      const observed: { full: number; partial: number } = {
        full: after.full - before.full,
        partial: after.partial - before.partial,
      };
      const allowed: Expected[] = expected === "either" ? ["full", "partial"] : [expected];
      const matches = allowed.some((cost) =>
        observed.full === (cost === "full" ? 1 : 0) &&
        observed.partial === (cost === "partial" ? 1 : 0)
      );
      assert.ok(
        matches,
        `step ${step}: ${kind} on ${current.name} should cost ${expected}, cost ` +
          `${JSON.stringify(observed)} (seed ${SEED})`,
      );
      before = after;
    }

    await load.stop();
    const writeCount = load.writeCount;
    load = null;
    const digest = await datasetDigest(master);
    for (const replica of replicas) {
      await waitInSync(master, replica.client);
      assert.equal(await datasetDigest(replica.client), digest, `${replica.name} diverged`);
    }
    const final = await syncCounts(master);
    console.log(
      `chaos report: faults ${JSON.stringify(faults)}; syncs full ${final.full} ` +
        `(2 initial), partial ${final.partial}; ${writeCount} load writes` +
        `; ${await keyCount(master)} keys compared on ${replicas.length} replicas`,
    );
  } finally {
    await load?.stop().catch(() => {});
    for (const replica of replicas) {
      replica.client.close();
      await killHard(replica.process);
      await replica.proxy.close();
      await Deno.remove(replica.dir, { recursive: true }).catch(() => {});
    }
    master.close();
    loadClient.close();
    burstClient.close();
    await server.close();
  }
});

async function keyCount(client: RawClient): Promise<number> {
  let total = 0;
  for (const db of ["0", "1"]) {
    await client.commandText("SELECT", db);
    total += Number((await client.commandText("DBSIZE")).slice(1));
  }
  await client.commandText("SELECT", "0");
  return total;
}

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) throw new Error("chaos: timed out waiting for a link to cut");
    await delay(10);
  }
}
