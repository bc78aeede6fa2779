// Helpers the replication tests share: starting in-process masters and replicas and
// redis-server replicas, reading one INFO field, polling with a deadline, and waiting until a
// replica has applied every byte of its master's stream.

import assert from "node:assert/strict";
import { type ResplicaServer, startServer } from "../../mod.ts";
import { latin1Text, type RawClient } from "./raw_client.ts";
import { delay, type RedisPeer, startRedisServer } from "./redis_peer.ts";

/** How long a replica may take to catch up before a test fails. */
export const SYNC_TIMEOUT_MS = 20_000;

/** Options of an in-process server in these tests: a port the OS picks, no log output. */
export const QUIET = { port: 0, logLevel: "nothing" } as const;

/**
 * Starts an in-process resplica that begins a full sync as soon as a replica asks
 * (repl-diskless-sync-delay 0, not Redis's 5 s wait for more replicas), with `config` on top.
 */
export function startMaster(config: Record<string, string> = {}): Promise<ResplicaServer> {
  return startServer({ ...QUIET, config: { "repl-diskless-sync-delay": "0", ...config } });
}

/** Starts an in-process resplica replicating 127.0.0.1:`masterPort`, with `config` on top. */
export function startReplica(
  masterPort: number,
  config: Record<string, string> = {},
): Promise<ResplicaServer> {
  return startServer({ ...QUIET, config: { replicaof: `127.0.0.1 ${masterPort}`, ...config } });
}

/**
 * Starts a redis-server (see `startRedisServer`) replicating 127.0.0.1:`masterPort`, with
 * `extraArgs` appended (e.g. `--enable-debug-command yes` for DEBUG DIGEST).
 */
export function startRedisReplica(
  masterPort: number,
  extraArgs: string[] = [],
): Promise<RedisPeer> {
  return startRedisServer(["--replicaof", "127.0.0.1", String(masterPort), ...extraArgs]);
}

/** DEBUG DIGEST: Redis's digest of the whole dataset, as 40 hex digits (both servers agree). */
export async function debugDigest(client: RawClient): Promise<string> {
  const reply = await client.commandText("DEBUG", "DIGEST");
  assert.match(reply, /^\+[0-9a-f]{40}\r\n$/, `DEBUG DIGEST → ${reply}`);
  return reply.slice(1, 41);
}

export async function infoField(
  client: RawClient,
  section: string,
  field: string,
): Promise<string> {
  const text = latin1Text(await client.command("INFO", section));
  const line = text.split("\r\n").find((l) => l.startsWith(field + ":"));
  assert.ok(line !== undefined, `INFO ${section} has no ${field}:\n${text}`);
  return line.slice(field.length + 1);
}

/** Polls until `check` holds, failing with `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = SYNC_TIMEOUT_MS,
): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (Date.now() < deadlineMs) {
    if (await check()) return;
    await delay(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Polls the master's INFO until it lists `count` connected replicas, failing with `what`. */
export async function waitReplicaCount(
  master: RawClient,
  count: number,
  what: string,
  timeoutMs = SYNC_TIMEOUT_MS,
): Promise<void> {
  await waitFor(what, async () => {
    return (await infoField(master, "replication", "connected_slaves")) === String(count);
  }, timeoutMs);
}

/** Polls until the replica's link is up and it applied every byte of the master's stream. */
export async function waitInSync(master: RawClient, replica: RawClient): Promise<void> {
  let last = "";
  await waitFor("the replica to reach the master's offset", async () => {
    const offset = await infoField(master, "replication", "master_repl_offset");
    const text = latin1Text(await replica.command("INFO", "replication"));
    last = `master_repl_offset:${offset}\n${text}`;
    return text.includes("master_link_status:up") &&
      text.includes(`slave_repl_offset:${offset}\r\n`);
  }).catch((error) => {
    throw new Error(`${(error as Error).message}:\n${last}`);
  });
}

/** Runs a command that must not fail; returns its raw reply. */
export async function run(client: RawClient, ...args: string[]): Promise<string> {
  const reply = await client.commandText(...args);
  assert.ok(!reply.startsWith("-"), `${args.join(" ")} → ${reply}`);
  return reply;
}
