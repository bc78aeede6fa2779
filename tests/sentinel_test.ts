// Redis Sentinel managing resplica: a real redis-sentinel 7.0 watches a resplica master with two
// resplica replicas, each a separate process started from its own redis.conf (so the master can
// be killed -9 and CONFIG REWRITE has files to rewrite). Sentinel must find the replicas through
// the master's INFO, greet our servers over Pub/Sub (`__sentinel__:hello`), and, once the master
// is gone, promote the replica with the lowest replica-priority (MULTI, REPLICAOF NO ONE,
// CONFIG REWRITE, CLIENT KILL TYPE normal / pubsub, EXEC) and re-point the other at it; an
// ioredis client that only knows the sentinel then reaches the new master and writes. Last,
// the old master returns (empty, on its port) and Sentinel makes it a replica of the new one.
//
// Three sentinels with quorum 2: they find each other only through the hello messages they
// publish on our servers, so their meeting proves our Pub/Sub carries Sentinel's gossip; the
// vote itself is Sentinel's business and is not examined.

import assert from "node:assert/strict";
import { Redis } from "ioredis";
import {
  blobText,
  concatBytes,
  latin1Bytes,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./_support/raw_client.ts";
import { killHard, type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { waitFor, waitInSync } from "./_support/replication.ts";
import { type SentinelProcess, startSentinel } from "./_support/sentinel_process.ts";

const MASTER_NAME = "mymaster";
const SENTINEL_COUNT = 3;
const QUORUM = 2;
/**
 * Sentinel's silence before +sdown: short, so the failover starts within seconds, but not 1 s,
 * Sentinel's own ping period, which on a loaded machine made a healthy new master look down.
 */
const DOWN_AFTER_MS = 2_000;
const FAILOVER_TIMEOUT_MS = 5_000;
/** Bound on each Sentinel milestone (discovery, hello, failover, reconfiguration). */
const SENTINEL_STEP_TIMEOUT_MS = 15_000;
/**
 * Sentinel waits about 4 hello periods (8 s) of a returned master reporting the wrong role, and
 * refreshes a down instance's INFO every 10 s, before it sends REPLICAOF.
 */
const SENTINEL_RECONVERT_TIMEOUT_MS = 30_000;
/** The replica Sentinel must promote has the lower priority. */
const PROMOTED_PRIORITY = 10;
const OTHER_PRIORITY = 100;

/** Runs one command on a fresh connection (Sentinel's CLIENT KILL may cut long-lived ones). */
async function once(port: number, ...args: string[]): Promise<Uint8Array> {
  const client = await RawClient.connect(port);
  try {
    return await client.command(...args);
  } finally {
    client.close();
  }
}

/** A Sentinel reply listing instances as flat field/value arrays, as records. */
function instanceRecords(reply: Uint8Array): Record<string, string>[] {
  const instances = splitAggregate(reply);
  assert.ok(instances !== null, `not an array: ${latin1Text(reply)}`);
  return instances.map((instance) => {
    const fields = (splitAggregate(instance) ?? []).map((field) => blobText(field) ?? "");
    const record: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i]] = fields[i + 1];
    return record;
  });
}

/** SENTINEL GET-MASTER-ADDR-BY-NAME as "host:port". */
async function sentinelMasterAddr(sentinel: SentinelProcess): Promise<string> {
  const reply = await once(sentinel.port, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
  const parts = (splitAggregate(reply) ?? []).map((part) => blobText(part));
  return parts.join(":");
}

/** A resplica server from a redis.conf in `dir`, logging verbosely next to it. */
async function startFromConfig(
  dir: string,
  name: string,
  lines: string[],
): Promise<{ server: ResplicaProcess; configPath: string; logPath: string }> {
  const configPath = `${dir}/${name}.conf`;
  const logPath = `${dir}/${name}.log`;
  await Deno.mkdir(`${dir}/${name}`);
  await Deno.writeTextFile(
    configPath,
    [
      `# ${name}: written by sentinel_test.ts`,
      "bind 127.0.0.1",
      `dir ${dir}/${name}`,
      `logfile ${logPath}`,
      "loglevel verbose",
      ...lines,
      "",
    ].join("\n"),
  );
  const server = await spawnResplica([], { configPath });
  return { server, configPath, logPath };
}

peerTest(
  "Sentinel discovers resplica replicas, says hello over Pub/Sub, fails over on kill -9, and ioredis follows",
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "resplica-sentinel-test-" });
    const servers: ResplicaProcess[] = [];
    const sentinels: SentinelProcess[] = [];
    let ioredis: Redis | null = null;
    const logsOnFailure = async (error: unknown): Promise<never> => {
      const tails: string[] = [];
      for (
        const path of [
          ...sentinels.map((sentinel) => sentinel.logPath),
          ...["master", "a", "b"].map((n) => `${dir}/${n}.log`),
        ]
      ) {
        if (path === undefined) continue;
        const text = await Deno.readTextFile(path).catch(() => "(no log)");
        tails.push(`--- ${path}\n${text.split("\n").slice(-40).join("\n")}`);
      }
      throw new Error(`${(error as Error).message}\n${tails.join("\n")}`, { cause: error });
    };
    try {
      const master = await startFromConfig(dir, "master", ["repl-diskless-sync-delay 0"]);
      servers.push(master.server);
      const masterPort = master.server.port;
      const replicaLines = (priority: number) => [
        `replicaof 127.0.0.1 ${masterPort}`,
        `replica-priority ${priority}`,
        "repl-diskless-sync-delay 0",
      ];
      const promoted = await startFromConfig(dir, "a", replicaLines(PROMOTED_PRIORITY));
      servers.push(promoted.server);
      const other = await startFromConfig(dir, "b", replicaLines(OTHER_PRIORITY));
      servers.push(other.server);

      // Data written before the failover must survive it on both replicas.
      const masterClient = await RawClient.connect(masterPort);
      for (let i = 0; i < 100; i++) await masterClient.command("SET", `before:${i}`, `v${i}`);
      await masterClient.command("RPUSH", "list", "a", "b", "c");
      for (const replica of [promoted.server, other.server]) {
        const replicaClient = await RawClient.connect(replica.port);
        await waitInSync(masterClient, replicaClient);
        replicaClient.close();
      }

      for (let i = 0; i < SENTINEL_COUNT; i++) {
        sentinels.push(
          await startSentinel({
            masterName: MASTER_NAME,
            masterPort,
            quorum: QUORUM,
            downAfterMs: DOWN_AFTER_MS,
            failoverTimeoutMs: FAILOVER_TIMEOUT_MS,
          }).catch(logsOnFailure),
        );
      }
      const sentinelPorts = sentinels.map((sentinel) => sentinel.port);

      // Discovery: both replicas, from the master's INFO slaveN lines, healthy, with the
      // priorities their own INFO reports; and the other sentinels, from hellos on our servers.
      let replicas: Record<string, string>[] = [];
      for (const port of sentinelPorts) {
        await waitFor(`sentinel ${port} to list both replicas, healthy`, async () => {
          replicas = instanceRecords(await once(port, "SENTINEL", "REPLICAS", MASTER_NAME));
          return replicas.length === 2 &&
            replicas.every((r) => r.flags === "slave" && r["master-link-status"] === "ok");
        }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);
        await waitFor(`sentinel ${port} to know the other sentinels`, async () => {
          const peers = instanceRecords(await once(port, "SENTINEL", "SENTINELS", MASTER_NAME));
          return peers.length === SENTINEL_COUNT - 1;
        }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);
      }
      const byPort = new Map(replicas.map((r) => [Number(r.port), r]));
      assert.equal(byPort.get(promoted.server.port)?.["slave-priority"], String(PROMOTED_PRIORITY));
      assert.equal(byPort.get(other.server.port)?.["slave-priority"], String(OTHER_PRIORITY));
      assert.equal(byPort.get(promoted.server.port)?.ip, "127.0.0.1");

      // Hello: Sentinel PUBLISHes "<ip>,<port>,<runid>,<epoch>,<name>,<master ip>,<master port>,
      // <master epoch>" to __sentinel__:hello on every instance, every 2 s.
      const subscriber = await RawClient.connect(masterPort, SENTINEL_STEP_TIMEOUT_MS);
      await subscriber.command("SUBSCRIBE", "__sentinel__:hello");
      const [message] = await subscriber.readReplies(1).catch(logsOnFailure);
      subscriber.close();
      const [kind, channel, payload] = (splitAggregate(message) ?? []).map((p) => blobText(p));
      assert.equal(kind, "message");
      assert.equal(channel, "__sentinel__:hello");
      const hello = (payload ?? "").split(",");
      assert.equal(hello.length, 8, payload ?? "");
      assert.deepEqual(
        [hello[0], hello[1], hello[4], hello[5], hello[6]],
        ["127.0.0.1", hello[1], MASTER_NAME, "127.0.0.1", String(masterPort)],
      );
      assert.ok(sentinelPorts.includes(Number(hello[1])), payload ?? "");

      // Failover: kill -9 the master; the priority-10 replica becomes the master.
      await masterClient.command("SET", "last-before-kill", "yes");
      for (const replica of [promoted.server, other.server]) {
        const replicaClient = await RawClient.connect(replica.port);
        await waitInSync(masterClient, replicaClient);
        replicaClient.close();
      }
      masterClient.close();
      await killHard(master.server);
      for (const sentinel of sentinels) {
        await waitFor(`sentinel ${sentinel.port} to switch to the promoted replica`, async () => {
          return await sentinelMasterAddr(sentinel) === `127.0.0.1:${promoted.server.port}`;
        }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);
      }

      // The other replica is re-pointed: the new master's ROLE lists it online.
      await waitFor("the new master to list the other replica as connected", async () => {
        const role = splitAggregate(await once(promoted.server.port, "ROLE")) ?? [];
        if (blobText(role[0]) !== "master") return false;
        const listed = splitAggregate(role[2]) ?? [];
        return listed.some((entry) => {
          const [ip, port] = (splitAggregate(entry) ?? []).map((p) => blobText(p));
          return ip === "127.0.0.1" && port === String(other.server.port);
        });
      }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);

      // What Sentinel sent, in our servers' own words: promotion and config rewrite.
      const promotedLog = await Deno.readTextFile(promoted.logPath);
      assert.match(promotedLog, /MASTER MODE enabled \(user request/);
      assert.match(promotedLog, /CONFIG REWRITE executed with success/);
      const promotedConfig = await Deno.readTextFile(promoted.configPath);
      assert.doesNotMatch(promotedConfig, /^replicaof /m);
      assert.match(promotedConfig, /^# a: written by sentinel_test\.ts$/m);
      await waitFor("the other replica's config to name the new master", async () => {
        const text = await Deno.readTextFile(other.configPath);
        return text.includes(`\nreplicaof 127.0.0.1 ${promoted.server.port}\n`);
      }, SENTINEL_STEP_TIMEOUT_MS);

      // Data from before the kill is on both.
      for (const port of [promoted.server.port, other.server.port]) {
        assert.equal(latin1Text(await once(port, "GET", "before:42")), "$3\r\nv42\r\n");
        assert.equal(latin1Text(await once(port, "GET", "last-before-kill")), "$3\r\nyes\r\n");
        assert.equal(latin1Text(await once(port, "LLEN", "list")), ":3\r\n");
      }

      // Nothing Sentinel sent us (INFO, PING, PUBLISH, SUBSCRIBE, CLIENT SETNAME, the
      // promotion and re-pointing transactions) got an error reply.
      for (const port of [promoted.server.port, other.server.port]) {
        const stats = latin1Text(await once(port, "INFO", "stats"));
        assert.match(stats, /\r\ntotal_error_replies:0\r\n/, `port ${port}:\n${stats}`);
      }

      // A client that knows only the sentinel follows the failover.
      ioredis = new Redis({
        sentinels: sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
        name: MASTER_NAME,
        maxRetriesPerRequest: 3,
        sentinelRetryStrategy: () => null,
      });
      assert.equal(await ioredis.set("after-failover", "written"), "OK");
      assert.equal(await ioredis.get("before:7"), "v7");
      const serverInfo = await ioredis.info("server");
      assert.match(serverInfo, new RegExp(`\r\ntcp_port:${promoted.server.port}\r\n`));
      const newMaster = await RawClient.connect(promoted.server.port);
      const otherClient = await RawClient.connect(other.server.port);
      await waitInSync(newMaster, otherClient);
      assert.equal(
        latin1Text(await otherClient.command("GET", "after-failover")),
        "$7\r\nwritten\r\n",
      );
      otherClient.close();

      // The old master comes back on its port, empty (it kept no files): Sentinel turns it into
      // a replica of the new master (REPLICAOF + CONFIG REWRITE into its file) and it syncs.
      // Not before every sentinel has closed the failover: a master reappearing mid-failover is
      // a different story (and made the sentinels fail over a second time).
      for (const port of sentinelPorts) {
        await waitFor(`sentinel ${port} to end the failover`, async () => {
          const [record] = instanceRecords(
            concatBytes([
              latin1Bytes("*1\r\n"),
              await once(port, "SENTINEL", "MASTER", MASTER_NAME),
            ]),
          );
          return record.flags === "master" && record.port === String(promoted.server.port);
        }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);
      }
      const returned = await spawnResplica([], { configPath: master.configPath, port: masterPort });
      servers.push(returned);
      await waitFor("Sentinel to turn the old master into a replica of the new one", async () => {
        // The conversion ends with CLIENT KILL TYPE normal, which may cut this very probe: a
        // probe cut that way is asked again, like one that found the old role.
        let reply: Uint8Array;
        try {
          reply = await once(masterPort, "ROLE");
        } catch (error) {
          if (/connection closed/.test((error as Error).message)) return false;
          throw error;
        }
        const role = splitAggregate(reply) ?? [];
        return blobText(role[0]) === "slave" &&
          latin1Text(role[2]) === `:${promoted.server.port}\r\n` &&
          blobText(role[3]) === "connected";
      }, SENTINEL_RECONVERT_TIMEOUT_MS).catch(logsOnFailure);
      // The conversion's CLIENT KILL TYPE normal / pubsub also cut the other sentinels' links
      // to it ("slave,disconnected" until they reconnect), as with Redis.
      for (const port of sentinelPorts) {
        await waitFor(`sentinel ${port} to list the old master as a healthy replica`, async () => {
          const listed = instanceRecords(await once(port, "SENTINEL", "REPLICAS", MASTER_NAME));
          return listed.find((r) => r.port === String(masterPort))?.flags === "slave";
        }, SENTINEL_STEP_TIMEOUT_MS).catch(logsOnFailure);
      }
      assert.match(
        await Deno.readTextFile(master.configPath),
        new RegExp(`\nreplicaof 127\.0\.0\.1 ${promoted.server.port}\n`),
      );
      const returnedClient = await RawClient.connect(masterPort);
      await waitInSync(newMaster, returnedClient);
      assert.equal(
        latin1Text(await returnedClient.command("GET", "after-failover")),
        "$7\r\nwritten\r\n",
      );
      returnedClient.close();
      newMaster.close();
    } finally {
      ioredis?.disconnect();
      for (const sentinel of sentinels) await sentinel.stop();
      for (const server of servers) await killHard(server);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
  { binaries: ["redis-sentinel"], sanitizeOps: false, sanitizeResources: false },
);
