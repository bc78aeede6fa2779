// REPLCONF, PSYNC, SYNC and ROLE: the commands a replica sends its master during the handshake
// (REFERENCE.md "Replication handshake"), and ROLE, which reports this server's side of it;
// REPLICAOF / SLAVEOF, which make this server a replica (or a master again).
// The stream, backlog and resync logic live in core/replication/master.ts (master side) and
// core/network/master_link.ts (replica side); these handlers only parse, reply and log in
// Redis's words.

import { isWord, latin1, lowerName, parseInt64 } from "../bytes.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";
import type { ServerState } from "../state/server_state.ts";
import { replicaIp } from "../replication/identity.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import { type FailoverRequest, FailoverState } from "../replication/failover.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

function int64ArgOrFail(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null) fail(ERR_NOT_INTEGER);
  return Number(value);
}

/**
 * REPLCONF <option> <value> [<option> <value> …]
 *
 * Contract: options are read in pairs, left to right.
 * - `listening-port <port>`, `ip-address <ip>`, `capa <eof|psync2|…>` (unknown capas ignored),
 *   `rdb-only <0|1>`, `rdb-filter-only <filters>` → `+OK` once all pairs are read. With
 *   `rdb-only 1` the next SYNC/PSYNC gets the snapshot alone and the connection is then closed
 *   (redis-cli --rdb); the client never becomes a streaming replica.
 * - `ack <offset>` → no reply at all (a reply would desync a real replica); from a replica it
 *   records the acknowledged offset and time. From an ordinary client it is ignored.
 * - `getack <…>` → no reply (only a replica answers GETACK; a master has nothing to send).
 * - An odd number of arguments → wrong-arity error; an unknown option →
 *   `-ERR Unrecognized REPLCONF option: <opt>`; a bad port → `-ERR value is not an integer…`.
 */
function replconfCommand(ctx: CommandContext): void {
  const { argv, client } = ctx;
  if (argv.length % 2 === 0) fail("ERR wrong number of arguments for 'replconf' command");
  for (let i = 1; i < argv.length; i += 2) {
    const option = lowerName(argv[i]);
    const value = argv[i + 1];
    switch (option) {
      case "listening-port": {
        const port = int64ArgOrFail(value);
        if (port < 0 || port > 65535) fail(ERR_NOT_INTEGER);
        client.replListeningPort = port;
        break;
      }
      case "ip-address":
        client.replAnnouncedIp = latin1(value);
        break;
      case "capa":
        if (isWord(value, "eof")) client.replCapaEof = true;
        else if (isWord(value, "psync2")) client.replCapaPsync2 = true;
        else if (isWord(value, "lz4")) client.replCapaLz4 = true;
        else if (isWord(value, "interleave")) client.replCapaInterleave = true;
        break;
      case "ack": {
        if (client.replState === ReplicaState.None) return;
        const offset = parseInt64(value);
        if (offset === null) return;
        // Acks may arrive out of order after a reconnect; the recorded offset only grows.
        if (Number(offset) > client.replAckOffset) client.replAckOffset = Number(offset);
        client.replAckTimeMs = ctx.nowMs;
        ctx.server.replication.replicaAcked(client);
        return;
      }
      case "getack":
        return;
      case "rdb-only": {
        const flag = int64ArgOrFail(value);
        // Redis's wording, missing "to" included.
        if (flag !== 0 && flag !== 1) fail("ERR value is out of range, value must between 0 and 1");
        client.replRdbOnly = flag === 1;
        break;
      }
      case "rdb-filter-only":
        // Accepted for redis-cli --rdb / --replica; the snapshot is the same either way.
        break;
      default:
        fail(`ERR Unrecognized REPLCONF option: ${latin1(argv[i])}`);
    }
  }
  ctx.out.simple("OK");
}

/**
 * PSYNC <replid> <offset>
 *
 * Contract (`offset` is the next byte the replica wants, its applied offset + 1):
 * - replid is ours (or our previous id up to second_repl_offset) and offset is inside the
 *   backlog → `+CONTINUE <replid>` (`+CONTINUE` without capa psync2), then exactly the bytes
 *   from offset on; the client is an online replica.
 * - otherwise (`?`, another id, offset outside the backlog) → `+FULLRESYNC <replid> <offset>`,
 *   `$<len>\r\n<RDB>`, then the live stream from that offset.
 * - offset not an integer → `-ERR value is not an integer or out of range`.
 * - a client that is already a replica → ignored, no reply (as Redis).
 */
async function psyncCommand(ctx: CommandContext): Promise<void> {
  const { client, server } = ctx;
  if (client.replState !== ReplicaState.None) return;
  if (ctx.argv.length > 3 && isWord(ctx.argv[3], "failover")) await takeOverAsMaster(ctx);
  refuseSyncOnReplica(server);
  const replId = latin1(ctx.argv[1]);
  const offset = int64ArgOrFail(ctx.argv[2]);
  const master = server.replication;
  server.log.notice(`Replica ${master.replicaName(client)} asks for synchronization`);
  if (master.tryPartialResync(client, replId, offset) === "continue") return;
  master.fullResync(client, true, ctx.nowMs);
}

/**
 * `PSYNC <replid> <offset> FAILOVER`, from our master running FAILOVER: if it names our history
 * we become a master first (REPLICAOF NO ONE), so the PSYNC that follows continues under our
 * new id with the old one as replid2.
 */
async function takeOverAsMaster(ctx: CommandContext): Promise<void> {
  const { server } = ctx;
  const replId = latin1(ctx.argv[1]);
  server.log.warning(`Failover request received for replid ${replId}.`);
  if (!server.isReplica) fail("ERR PSYNC FAILOVER can't be sent to a master.");
  if (replId !== server.replication.replId) {
    fail("ERR PSYNC FAILOVER replid must match my replid.");
  }
  await server.replicaLink!.promote();
  server.config.setText("replicaof", "", true);
  server.log.notice(
    `MASTER MODE enabled (failover request from 'id=${ctx.client.id} addr=${ctx.client.addr}')`,
  );
}

/**
 * A replica serves replicas of its own (chained replication) only while its link is up: its
 * history is its master's, and a snapshot taken mid-sync would be half a dataset. While the link
 * is down the asker gets `-NOMASTERLINK` (as Redis) and retries.
 */
function refuseSyncOnReplica(server: ServerState): void {
  if (server.failover.state !== FailoverState.None) {
    fail("NOMASTERLINK Can't SYNC while failing over");
  }
  if (!server.isReplica) return;
  if (!(server.replicaLink?.linkUp ?? false)) {
    fail("NOMASTERLINK Can't SYNC while not connected with my master");
  }
}

/**
 * SYNC
 *
 * Contract: the pre-PSYNC full sync: `$<len>\r\n<RDB>` with no `+FULLRESYNC` line, then the
 * live stream. Ignored (no reply) from a client that is already a replica.
 */
function syncCommand(ctx: CommandContext): void {
  const { client, server } = ctx;
  if (client.replState !== ReplicaState.None) return;
  refuseSyncOnReplica(server);
  const master = server.replication;
  server.log.notice(`Replica ${master.replicaName(client)} asks for synchronization`);
  client.replPrePsync = true;
  master.fullResync(client, false, ctx.nowMs);
}

/**
 * ROLE
 *
 * Contract: on a master `["master", <offset>, [[ip, "port", "ackoffset"], …]]`, online
 * replicas only, port and ack offset as bulk strings; on a replica
 * `["slave", host, <port>, none|connect|connecting|handshake|sync|connected, <offset|-1>]`.
 */
function roleCommand(ctx: CommandContext): void {
  const { out, server } = ctx;
  const link = server.replicaLink;
  if (server.isReplica && link !== null) {
    const { state, offset } = link.roleFields();
    out.arrayHeader(5);
    out.bulkString("slave");
    out.bulkString(link.masterHost);
    out.integer(link.masterPort);
    out.bulkString(state);
    out.integer(offset);
    return;
  }
  const master = server.replication;
  const online = master.replicas.filter((r) => r.replState === ReplicaState.Online);
  out.arrayHeader(3);
  out.bulkString("master");
  out.integer(master.masterReplOffset);
  out.arrayHeader(online.length);
  for (const replica of online) {
    out.arrayHeader(3);
    out.bulkString(replicaIp(replica));
    out.bulkString(String(replica.replListeningPort));
    out.bulkString(String(replica.replAckOffset));
  }
}

/**
 * REPLICAOF host port | REPLICAOF NO ONE (SLAVEOF is the same command)
 *
 * Contract:
 * - `NO ONE` → `+OK`; a replica stops its link, keeps its dataset and becomes a master (the
 *   old history stays servable as replid2 up to offset + 1).
 * - `host port` → `+OK`; the link starts in the background (ROLE / INFO show its progress).
 *   The same master again → `+OK Already connected to specified master`.
 * - port not an integer in 0..65535 → `-ERR Invalid master port`.
 */
async function replicaofCommand(ctx: CommandContext): Promise<void> {
  const { argv, server, out, client } = ctx;
  const link = server.replicaLink;
  if (link === null) fail("ERR REPLICAOF needs the network server");
  if (server.failover.state !== FailoverState.None) {
    fail("ERR REPLICAOF not allowed while failing over.");
  }
  if (isWord(argv[1], "no") && isWord(argv[2], "one")) {
    if (server.isReplica) {
      server.log.notice(
        `MASTER MODE enabled (user request from 'id=${client.id} addr=${client.addr}')`,
      );
      await link.promote();
      server.config.setText("replicaof", "", true);
    }
    out.simple("OK");
    return;
  }
  const port = parseInt64(argv[2]);
  if (port === null || port < 0n || port > 65535n) fail("ERR Invalid master port");
  const host = latin1(argv[1]);
  if (server.isReplica && link.masterHost === host && link.masterPort === Number(port)) {
    server.log.notice(
      "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.",
    );
    out.simple("OK Already connected to specified master");
    return;
  }
  await link.replicaOf(host, Number(port), true);
  server.config.setText("replicaof", `${host} ${port}`, true);
  server.log.notice(
    `REPLICAOF ${host}:${port} enabled (user request from 'id=${client.id} addr=${client.addr}')`,
  );
  out.simple("OK");
}

/**
 * WAIT numreplicas timeout
 *
 * Contract: waits until `numreplicas` replicas acknowledged every write this client made (its
 * last write's master_repl_offset), or `timeout` ms passed (0: forever); replies with the
 * number that did, which may be more or fewer than asked. Replicas are asked for an ACK with
 * `REPLCONF GETACK *` at once rather than waiting for their once-a-second ACK. Inside MULTI it
 * never blocks. On a replica → `-ERR WAIT cannot be used with replica instances…`; a
 * timeout that is not an integer or is negative → `-ERR timeout is …`.
 */
function waitCommand(ctx: CommandContext): void | Promise<void> {
  const { server, client, argv } = ctx;
  if (server.isReplica) {
    fail(
      "ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 " +
        "if a replica is configured to be writable (which is not the default) writes to " +
        "replicas are just local and are not propagated.",
    );
  }
  const numReplicas = int64ArgOrFail(argv[1]);
  const timeoutMs = parseInt64(argv[2]);
  if (timeoutMs === null) fail("ERR timeout is not an integer or out of range");
  if (timeoutMs < 0n) fail("ERR timeout is negative");
  const master = server.replication;
  const offset = client.replWriteOffset;
  const acked = master.replicasAckedAt(offset);
  if (acked >= numReplicas || client.executingMulti) {
    ctx.out.integer(acked);
    return;
  }
  master.waitForAcks(client);
  return server.blocking.block(
    ctx,
    [],
    Number(timeoutMs),
    () => {
      const count = master.replicasAckedAt(offset);
      if (count < numReplicas) return false;
      ctx.out.integer(count);
      return true;
    },
    () => ctx.out.integer(master.replicasAckedAt(offset)),
  );
}

/**
 * FAILOVER [TO host port [FORCE]] [TIMEOUT ms] | FAILOVER ABORT
 *
 * Contract (core/replication/failover.ts has the sequence): `+OK` once the failover starts;
 * client writes pause until a replica (the one named by TO, else the first) has acknowledged
 * the whole stream, then this server becomes its replica and it becomes the master. Errors as
 * Redis: on a replica, without replicas, a TO that is not an online replica, FORCE without
 * TO and TIMEOUT, a timeout ≤ 0, a failover already running, `ABORT` with none running.
 */
function failoverCommand(ctx: CommandContext): void {
  const { argv, server } = ctx;
  const failover = server.failover;
  if (argv.length === 2 && isWord(argv[1], "abort")) {
    if (failover.state === FailoverState.None) fail("ERR No failover in progress.");
    failover.abort("Failover manually aborted");
    ctx.out.simple("OK");
    return;
  }
  const request: FailoverRequest = { host: null, port: 0, timeoutMs: 0, force: false };
  for (let i = 1; i < argv.length; i++) {
    if (isWord(argv[i], "timeout") && i + 1 < argv.length && request.timeoutMs === 0) {
      request.timeoutMs = int64ArgOrFail(argv[++i]);
      if (request.timeoutMs <= 0) fail("ERR FAILOVER timeout must be greater than 0");
    } else if (isWord(argv[i], "to") && i + 2 < argv.length && request.host === null) {
      request.port = int64ArgOrFail(argv[i + 2]);
      request.host = latin1(argv[i + 1]);
      i += 2;
    } else if (isWord(argv[i], "force") && !request.force) {
      request.force = true;
    } else fail(ERR_SYNTAX);
  }
  if (failover.state !== FailoverState.None) fail("ERR FAILOVER already in progress.");
  if (server.isReplica) fail("ERR FAILOVER is not valid when server is a replica.");
  const master = server.replication;
  if (master.replicas.length === 0) fail("ERR FAILOVER requires connected replicas.");
  if (request.force && (request.timeoutMs === 0 || request.host === null)) {
    fail("ERR FAILOVER with force option requires both a timeout and target HOST and IP.");
  }
  if (request.host !== null) {
    const target = master.replicas.find((replica) =>
      replicaIp(replica) === request.host && replica.replListeningPort === request.port
    );
    if (target === undefined) fail("ERR FAILOVER target HOST and PORT is not a replica.");
    if (target.replState !== ReplicaState.Online) {
      fail("ERR FAILOVER target replica is not online.");
    }
  }
  failover.start(request, ctx.nowMs);
  ctx.out.simple("OK");
}

const REPLICAOF_DEFINITION = {
  arity: 3,
  flags: ["admin", "noscript", "stale", "no_async_loading"],
  categories: ["slow", "admin", "dangerous"],
  group: "replication",
  summary: "Configures a server as replica of another, or promotes it to a master.",
  since: "5.0.0",
  handler: replicaofCommand,
};

export const REPLICATION_COMMANDS: CommandDefinition[] = [
  {
    name: "failover",
    arity: -1,
    flags: ["admin", "noscript", "stale"],
    categories: ["slow", "admin", "dangerous"],
    group: "server",
    summary: "Starts a coordinated failover from a server to one of its replicas.",
    since: "6.2.0",
    complexity: "O(1)",
    handler: failoverCommand,
  },
  {
    name: "wait",
    arity: 3,
    flags: ["noscript", "blocking"],
    categories: ["slow", "connection"],
    group: "generic",
    summary: "Blocks until the asynchronous replication of all preceding write commands sent " +
      "by the connection is completed.",
    since: "3.0.0",
    complexity: "O(1)",
    handler: waitCommand,
  },
  { name: "replicaof", ...REPLICAOF_DEFINITION },
  { name: "slaveof", ...REPLICAOF_DEFINITION, since: "1.0.0" },
  {
    name: "replconf",
    arity: -1,
    flags: ["admin", "noscript", "loading", "stale", "allow_busy"],
    categories: ["slow", "admin", "dangerous"],
    group: "server",
    summary: "An internal command for configuring the replication stream.",
    since: "3.0.0",
    handler: replconfCommand,
  },
  {
    name: "psync",
    arity: -3,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: ["slow", "admin", "dangerous"],
    group: "server",
    summary: "An internal command used in replication.",
    since: "2.8.0",
    handler: psyncCommand,
  },
  {
    name: "sync",
    arity: 1,
    flags: ["admin", "noscript", "no_async_loading", "no_multi"],
    categories: ["slow", "admin", "dangerous"],
    group: "server",
    summary: "An internal command used in replication.",
    handler: syncCommand,
  },
  {
    name: "role",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast"],
    categories: ["admin", "fast", "dangerous"],
    group: "server",
    summary: "Returns the replication role.",
    since: "2.8.12",
    handler: roleCommand,
  },
];
