// The replica side of replication: the link from this server to its master (REPLICAOF).
//
// One async loop per REPLICAOF owns the link. Each turn is one session over one TCP connection:
//
//   Connect ─▶ Connecting ─▶ ReceivePingReply ─▶ ReceiveHandshakeReplies ─▶ ReceivePsyncReply
//                                                                           │          │
//                                             +FULLRESYNC <id> <off>  ◀─────┘          │ +CONTINUE
//                                                   │                                  ▼
//                                                Transfer (flush, load snapshot) ─▶ Connected
//
// and when it ends (EOF, error, repl-timeout, a malformed snapshot) the loop waits with
// exponential back-off (100 ms doubling to 5 s, reset after a successful sync) and starts over,
// offering PSYNC <cached replid> <offset + 1> so a short cut costs a partial resync only. Every
// wait gets a random extra of up to half of it (retryWaitMs), drawn per replica, so the
// replicas of one master that lost it together do not come back (and ask for full syncs) in
// lock-step.
//
// Offsets (REFERENCE.md "Offsets and PSYNC2"): our ReplicationMaster's replId/masterReplOffset
// ARE the master's history while we are a replica. masterReplOffset (slave_repl_offset) counts
// every byte of every fully applied stream command — PING, SELECT and REPLCONF GETACK included —
// and, as in Redis, stands still inside MULTI until EXEC has run, so a link cut mid-transaction
// resumes at the MULTI. The read offset (slave_read_repl_offset) counts bytes received.
//
// How the snapshot is loaded follows repl-diskless-load (Redis 7.0's readSyncBulkPayload):
//
//   disabled, on-empty-db  flush, then load into the live databases while `server.loading`
//                          makes clients wait (-LOADING); a malformed or truncated snapshot
//                          flushes again. (Redis's two differ only in whether the RDB goes
//                          through a file first; ours never does.)
//   swapdb                 load into the engine's staging databases (STAGING_DB_BASE + db, which
//                          no command reaches), then swap each pair and free the old dataset;
//                          a failed load frees the staging ones and the old dataset stays.
//                          When the master's replication id is ours (we follow the same history
//                          and only missed too much of it) this is async loading: clients go on
//                          reading the old dataset throughout (async_loading:1); otherwise the
//                          old dataset is another history and clients get -LOADING meanwhile,
//                          as in Redis.
//
// Interleaved full sync (core/replication/interleaved_sync.ts, resplica masters only, when we
// announced `capa interleave`): after `$INTERLEAVED` the snapshot and the stream written since
// its instant arrive as frames on this socket. Snapshot frames go to the loader as `$EOF:` bytes
// would; stream frames go into the sync buffer (a StreamSpool: repl-sync-buffer-memory in
// memory, the rest in a spill file in `dir`), so the master holds none of it. The end frame
// names the master's offset (checked: snapshot offset + buffered bytes), after which the socket
// carries the live stream and the master counts us online. After the load (and the swap, under
// swapdb) #applyStream applies the buffer first, through the same path and offset accounting
// as the live stream; meanwhile a pump keeps reading the socket into the buffer's tail, so the
// master's output buffer stays empty while we catch up. When the buffer is drained the pump
// stops and the socket is read directly again.
//
// Two datasets in one engine rather than a second Engine: ServerState.engine is read-only and
// held by every Store, command route, snapshot and the backlog ring (all in that engine's
// memory), while a database is a 64-byte record (wasm/assembly/dict.ts) that SWAPDB already
// swaps in O(1); the engine keeps DB_COUNT more records for this (abi.ts DB_SLOT_COUNT).
// Either way a half-loaded dataset is never served as complete. Stream commands run through
// the dispatcher as a private client flagged `isMaster`, so replica-read-only does not refuse
// them.

import { concatBytes, latin1 } from "../bytes.ts";
import type { CommandTable } from "../commands/context.ts";
import { executeCommand } from "../commands/dispatch.ts";
import { DB_COUNT } from "../engine/engine.ts";
import { STAGING_DB_BASE } from "../engine/abi.ts";
import { loadEntries } from "../persistence/keyspace_records.ts";
import { RdbReader } from "../rdb/mod.ts";
import { isLz4Frames, LZ4_FRAMES_MAGIC, Lz4FrameReader } from "../rdb/lz4_frames.ts";
import { encodeCommand, ReplyWriter, RespReader } from "../resp/mod.ts";
import { ClientState } from "../sessions/client.ts";
import type { ServerState } from "../state/server_state.ts";
import { UnappliedBytes } from "../replication/applied_bytes.ts";
import { OffsetTimeline } from "../replication/offset_timeline.ts";
import { isDisconnect } from "./connection.ts";
import { randomReplId } from "../replication/identity.ts";
import {
  CAPA_INTERLEAVE,
  INTERLEAVED_HEADER,
  InterleavedFrameError,
  InterleavedFrameReader,
} from "../replication/interleaved_sync.ts";
import { StreamSpool } from "../replication/stream_spool.ts";
import { type InvariantCheck, invariantsOf } from "../assert.ts";

const assertInvariant: InvariantCheck = invariantsOf("ReplicationReplica");

/** First reconnect delay after the link drops; doubles per failed attempt. */
const RECONNECT_DELAY_MS_MIN = 100;
/** Ceiling of the reconnect back-off. */
const RECONNECT_DELAY_MS_MAX = 5_000;
/**
 * First wait after a snapshot from the master could not be loaded; doubles per failure in a
 * row. A snapshot we cannot read (a type or module we lack) fails the same way every time, and
 * each try costs the master a full sync: the retries slow down to one per
 * SNAPSHOT_RETRY_DELAY_MS_MAX instead of one every few seconds.
 */
const SNAPSHOT_RETRY_DELAY_MS_MIN = 1_000;
const SNAPSHOT_RETRY_DELAY_MS_MAX = 300_000;
/**
 * Largest random extra added to a retry wait, as a share of the wait: a wait of w becomes
 * w..w·(1 + RETRY_JITTER_FRACTION). Only added, never taken off, so no retry comes sooner than
 * the back-off (or INFO's resplica_master_sync_retry_delay_ms) promised.
 */
export const RETRY_JITTER_FRACTION = 0.5;
/** How much of a divergent command INFO and the log quote. */
const DIVERGENT_COMMAND_ECHO_MAX_CHARS = 128;
/** REPLCONF ACK period, and the period of the repl-timeout check. */
const ACK_PERIOD_MS = 1_000;
/** Bytes asked of each socket read. */
const READ_CHUNK_BYTES = 64 * 1024;
/** Longest handshake line accepted from a master (replies are short; keepalives are "\n"). */
const LINE_LEN_MAX_BYTES = 64 * 1024;
/** How long the catch-up from the sync buffer applies commands before it lets the pump read. */
const SYNC_BUFFER_APPLY_SLICE_MS = 10;
/** Length of the diskless delimiter in `$EOF:<mark>` and after the RDB. */
const EOF_MARK_LEN_BYTES = 40;
const LF = 0x0a;
const MINUS = 0x2d;

const encoder = new TextEncoder();

/** Where the link to our master stands (Redis's REPL_STATE_*), in order. */
export const enum ReplLinkState {
  /** Not a replica (or REPLICAOF NO ONE). */
  None = 0,
  /** A replica that must (re)connect: after REPLICAOF, or waiting out the back-off. */
  Connect = 1,
  /** TCP connect in flight. */
  Connecting = 2,
  /** PING sent; waiting for +PONG (or -NOAUTH, which still proves the master is there). */
  ReceivePingReply = 3,
  /** AUTH (with masterauth), REPLCONF listening-port and capa sent; reading their replies. */
  ReceiveHandshakeReplies = 4,
  /** PSYNC (or SYNC) sent; waiting for +FULLRESYNC, +CONTINUE or an error. */
  ReceivePsyncReply = 5,
  /** Receiving the snapshot and loading it (flushed keyspace, or staging databases). */
  Transfer = 6,
  /** Applying the live stream; the link is up. */
  Connected = 7,
}

/** The state word ROLE reports for a link state. */
export function linkStateRoleName(state: ReplLinkState): string {
  switch (state) {
    case ReplLinkState.None:
      return "none";
    case ReplLinkState.Connect:
      return "connect";
    case ReplLinkState.Connecting:
      return "connecting";
    case ReplLinkState.ReceivePingReply:
    case ReplLinkState.ReceiveHandshakeReplies:
    case ReplLinkState.ReceivePsyncReply:
      return "handshake";
    case ReplLinkState.Transfer:
      return "sync";
    case ReplLinkState.Connected:
      return "connected";
  }
}

/** Where a full sync's snapshot is loaded (repl-diskless-load; see the file comment). */
const enum LoadMode {
  /** Flush, load into the live databases; clients get -LOADING. */
  Flush = 0,
  /** Load into the staging databases, swap at the end; clients get -LOADING. */
  Staging = 1,
  /** As Staging, while clients go on reading the old dataset (async_loading). */
  StagingAsync = 2,
}

/**
 * The wait before the next full sync may be asked after `failureCount` snapshots in a row
 * could not be loaded (0: none): SNAPSHOT_RETRY_DELAY_MS_MIN doubling to _MAX, before jitter.
 */
export function snapshotRetryDelayMs(failureCount: number): number {
  if (failureCount === 0) return 0;
  const doublings = Math.min(failureCount - 1, 30);
  return Math.min(SNAPSHOT_RETRY_DELAY_MS_MIN * 2 ** doublings, SNAPSHOT_RETRY_DELAY_MS_MAX);
}

/**
 * The wait before the next attempt: the larger of the reconnect back-off and the snapshot
 * retry delay, plus a random extra of up to RETRY_JITTER_FRACTION of it drawn from `random`
 * (0 <= random() < 1; Math.random in service, a seeded source in tests).
 */
export function retryWaitMs(
  backoffMs: number,
  snapshotFailureCount: number,
  random: () => number,
): number {
  const baseMs = Math.max(backoffMs, snapshotRetryDelayMs(snapshotFailureCount));
  const draw = random();
  assertInvariant(draw >= 0 && draw < 1, "a random source draws from [0, 1)");
  return Math.round(baseMs * (1 + RETRY_JITTER_FRACTION * draw));
}

/** The session ended for a reason worth one log line (no stack trace). */
class LinkError extends Error {}

/** The master's snapshot was received but could not be loaded (the staging or all data freed). */
class SnapshotLoadError extends LinkError {}

/** One line of text for INFO: no CR/LF, at most `maxChars`. */
function infoText(text: string, maxChars: number): string {
  const line = text.replace(/[\r\n]+/g, " ");
  return line.length > maxChars ? line.slice(0, maxChars) + "..." : line;
}

/**
 * The master's socket as the handshake and the snapshot read it: a byte buffer filled by
 * `fill()`, from which lines and raw bytes are taken. The stream phase takes what is left over.
 */
class MasterSocket {
  readonly conn: Deno.TcpConn;
  #buf = new Uint8Array(READ_CHUNK_BYTES);
  #start = 0;
  #end = 0;
  /** Called with the size of every read (I/O time, byte counters). */
  readonly #onRead: (sizeBytes: number) => void;
  #writing: Promise<void> = Promise.resolve();

  constructor(conn: Deno.TcpConn, onRead: (sizeBytes: number) => void) {
    this.conn = conn;
    this.#onRead = onRead;
  }

  get bufferedBytes(): number {
    return this.#end - this.#start;
  }

  /** Reads once more from the socket; throws LinkError at EOF. */
  async fill(): Promise<void> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    if (this.#buf.length - this.#end < READ_CHUNK_BYTES) {
      const liveBytes = this.#end - this.#start;
      const next = liveBytes + READ_CHUNK_BYTES > this.#buf.length
        ? new Uint8Array(Math.max(this.#buf.length * 2, liveBytes + READ_CHUNK_BYTES))
        : this.#buf;
      next.set(this.#buf.subarray(this.#start, this.#end), 0);
      this.#buf = next;
      this.#start = 0;
      this.#end = liveBytes;
    }
    const n = await this.conn.read(this.#buf.subarray(this.#end));
    if (n === null) throw new LinkError("connection closed by the master");
    this.#end += n;
    this.#onRead(n);
  }

  /** The next line without its CR LF; throws LinkError past LINE_LEN_MAX_BYTES. */
  async readLine(): Promise<string> {
    while (true) {
      const lf = this.#buf.subarray(this.#start, this.#end).indexOf(LF);
      if (lf >= 0) {
        let line = this.#buf.subarray(this.#start, this.#start + lf);
        this.#start += lf + 1;
        if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, -1);
        return latin1(line);
      }
      if (this.bufferedBytes > LINE_LEN_MAX_BYTES) {
        throw new LinkError("master sent a line longer than 64 KiB during the handshake");
      }
      await this.fill();
    }
  }

  /** The next non-empty line: skips the "\n" keepalives a master sends while it prepares. */
  async readReplyLine(): Promise<string> {
    while (true) {
      const line = await this.readLine();
      if (line !== "") return line;
    }
  }

  /** Takes up to `maxBytes` buffered bytes (a view, valid until the next fill). */
  take(maxBytes: number): Uint8Array {
    const sizeBytes = Math.min(maxBytes, this.bufferedBytes);
    const bytes = this.#buf.subarray(this.#start, this.#start + sizeBytes);
    this.#start += sizeBytes;
    return bytes;
  }

  /** Writes all of `bytes`, after any write already queued. */
  write(bytes: Uint8Array): Promise<void> {
    const conn = this.conn;
    const next = this.#writing.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
    });
    this.#writing = next.catch(() => {});
    return next;
  }
}

/** Our link to a master: REPLICAOF's state, the sync, the applied stream. */
export class ReplicationReplica {
  readonly #server: ServerState;
  readonly #table: CommandTable;
  /** REPLICAOF host and port ("" / 0 while a master). */
  masterHost = "";
  masterPort = 0;
  /** Where the link stands. */
  state: ReplLinkState = ReplLinkState.None;
  /** replid/offset in ReplicationMaster name a history we can offer PSYNC (the cached master). */
  #hasCachedMaster = false;
  /** slave_read_repl_offset: stream bytes received (applied or not). */
  readOffset = 0;
  /** When the read offset reached which value, oldest first (INFO replica_lag_ms). */
  readonly #readTimes = new OffsetTimeline();
  /** Last byte received from the master, for master_last_io_seconds_ago and repl-timeout. */
  lastIoMs = 0;
  /** When the link last went down (0: it never was up). */
  linkDownSinceMs = 0;
  /** While transferring: snapshot size (-1 when diskless) and bytes read so far. */
  syncTotalBytes = -1;
  syncReadBytes = 0;
  /** The last full sync's snapshot: bytes on the wire, bytes of RDB, whether in LZ4 frames. */
  lastSyncWireBytes = 0;
  lastSyncRdbBytes = 0;
  lastSyncLz4 = false;
  /** The last full sync came interleaved (snapshot and stream at once, the stream kept here). */
  lastSyncInterleaved = false;
  /**
   * Interleaved sync: the master's stream received while the snapshot loads and not applied
   * yet, in memory and spilled (null outside an interleaved sync and its catch-up).
   */
  #syncBuffer: StreamSpool | null = null;
  /** The most bytes the sync buffer held at once in the current (or last) interleaved sync. */
  syncBufferPeakBytes = 0;
  /** Bytes the current (or last) interleaved sync spilled to disk. */
  syncBufferSpilledBytes = 0;
  /**
   * Commands from the master this replica answered with an error: each one is a divergence
   * (the master applied it, we did not, or not the same way), counted in INFO, never silent.
   */
  streamErrorCount = 0;
  /** The last of them: the command as received (truncated) and our error reply. */
  lastStreamError = "";
  /** Snapshots from the master that failed to load in a row (0 once one loads). */
  snapshotFailureCount = 0;
  /** Why the last snapshot failed to load ("" once one loads). */
  lastSnapshotError = "";
  /** A swapdb load is under way while clients read the old dataset (INFO async_loading). */
  asyncLoading = false;
  /** A swapdb load (async or not) is filling the staging databases. */
  #stagingLoad = false;
  /** Engine bytes in use when the staging load began: the old dataset and fixed overhead. */
  #stagingBaseBytes = 0;
  /** Random source of the retry jitter, in [0, 1); tests may replace it before replicaOf. */
  random: () => number = Math.random;
  /** The loop owning the link, while a replica. */
  #loop: Promise<void> | null = null;
  #active = false;
  #socket: MasterSocket | null = null;
  #ackTimer: ReturnType<typeof setInterval> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryResolve: (() => void) | null = null;
  /** FAILOVER: the next PSYNC carries FAILOVER, asking the target to take over as master. */
  #failoverPsync = false;
  /** Database the stream left the master client in, kept across partial resyncs. */
  #streamDb = 0;
  /**
   * Called when a sync (full: the snapshot is loaded; partial: +CONTINUE) has succeeded, just
   * before the live stream is applied. The embedded replica waits on it; the server sets none.
   */
  onSyncDone: ((kind: "full" | "partial") => void) | null = null;

  constructor(server: ServerState, table: CommandTable) {
    this.#server = server;
    this.#table = table;
  }

  /** The database our master's stream has selected (saved as repl-stream-db). */
  get streamDb(): number {
    return this.#streamDb;
  }

  /**
   * Start-up with `replicaof` and an RDB that recorded our master's history (repl-id,
   * repl-offset, repl-stream-db): that history is offered as the cached master, so a
   * restarted replica asks for a partial resync first, as Redis does.
   */
  restoreHistory(replId: string, offset: number, streamDb: number): void {
    assertInvariant(!this.#active, "the history is restored before the link starts");
    const replication = this.#server.replication;
    replication.replId = replId;
    replication.masterReplOffset = offset;
    this.#streamDb = streamDb;
    this.#hasCachedMaster = true;
  }

  /** The link is up: the live stream is being applied. */
  get linkUp(): boolean {
    return this.state === ReplLinkState.Connected;
  }

  /**
   * REPLICAOF host port / config `replicaof`: stops any current link and starts one to
   * host:port. A master turning replica offers its own history as the cached master when
   * `cacheMyself` (REPLICAOF at run time, as Redis does), so a former replica of ours can
   * continue it; at start-up there is none.
   */
  async replicaOf(
    host: string,
    port: number,
    cacheMyself: boolean,
    failoverPsync = false,
  ): Promise<void> {
    const server = this.#server;
    if (this.#active) await this.#stopLink();
    else {
      this.#hasCachedMaster ||= cacheMyself;
      server.isReplica = true;
      server.engine.setExpireDeletes(false);
    }
    server.replication.becomeReplica();
    this.masterHost = host;
    this.masterPort = port;
    this.#failoverPsync = failoverPsync;
    this.linkDownSinceMs = 0;
    this.state = ReplLinkState.Connect;
    this.#active = true;
    this.#loop = this.#run();
  }

  /** REPLICAOF NO ONE: stops the link, keeps the dataset, and makes us a master. */
  async promote(): Promise<void> {
    if (!this.#active) return;
    await this.#stopLink();
    const server = this.#server;
    server.isReplica = false;
    server.engine.setExpireDeletes(true);
    this.masterHost = "";
    this.masterPort = 0;
    this.state = ReplLinkState.None;
    this.#hasCachedMaster = false;
    server.replication.promoteToMaster();
    server.log.notice("MASTER MODE enabled");
  }

  /**
   * CLIENT KILL TYPE master: closes the connection to the master while the link is up. The
   * link loop then reconnects as after any drop (PSYNC with the cached history). Returns true
   * when a connected link was cut, false when there was none (nothing to kill).
   */
  dropLink(): boolean {
    if (!this.#active || this.state !== ReplLinkState.Connected) return false;
    this.#server.log.notice("Closing the connection with master (CLIENT KILL)");
    this.#closeSocket();
    return true;
  }

  /** Server shutdown: closes the link and every timer. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#active) await this.#stopLink();
  }

  async #stopLink(): Promise<void> {
    this.#active = false;
    this.#closeSocket();
    clearTimeout(this.#retryTimer);
    this.#retryResolve?.();
    await this.#loop;
    this.#loop = null;
    assertInvariant(this.#socket === null, "no socket outlives the link loop");
    assertInvariant(this.#ackTimer === undefined, "no ack timer outlives the link loop");
  }

  #closeSocket(): void {
    try {
      this.#socket?.conn.close();
    } catch {
      // Already closed.
    }
  }

  async #run(): Promise<void> {
    const log = this.#server.log;
    let backoffMs = RECONNECT_DELAY_MS_MIN;
    while (this.#active) {
      const syncedBefore = this.#syncCount;
      try {
        await this.#session();
      } catch (error) {
        if (error instanceof SnapshotLoadError) {
          this.snapshotFailureCount++;
          this.lastSnapshotError = error.message;
        }
        if (this.#active) {
          const text = error instanceof Error ? error.message : String(error);
          if (error instanceof LinkError || error instanceof Deno.errors.ConnectionRefused) {
            log.warning(`Replication link to MASTER ${this.#masterName()}: ${text}`);
          } else log.warning(`Replication link to MASTER ${this.#masterName()} failed: ${text}`);
        }
      } finally {
        this.#endSession();
      }
      if (this.#failoverPsync && this.#active) {
        // The failover target could not be asked: FAILOVER aborts (we become master again).
        this.#failoverPsync = false;
        this.#server.failover.psyncAnswered(false);
      }
      if (!this.#active) break;
      if (this.#syncCount !== syncedBefore) backoffMs = RECONNECT_DELAY_MS_MIN;
      this.state = ReplLinkState.Connect;
      const waitMs = retryWaitMs(backoffMs, this.snapshotFailureCount, this.random);
      if (this.#snapshotRetryDelayMs() > RECONNECT_DELAY_MS_MAX) {
        log.warning(
          `MASTER ${this.#masterName()}: ${this.snapshotFailureCount} snapshot(s) in a row ` +
            `could not be loaded; next full sync in ${Math.round(waitMs / 1000)} s`,
        );
      }
      await new Promise<void>((resolve) => {
        this.#retryResolve = resolve;
        this.#retryTimer = setTimeout(resolve, waitMs);
      });
      this.#retryResolve = null;
      this.#retryTimer = undefined;
      backoffMs = Math.min(backoffMs * 2, RECONNECT_DELAY_MS_MAX);
    }
  }

  /** The wait a run of unloadable snapshots imposes before the next full sync (0: none). */
  #snapshotRetryDelayMs(): number {
    return snapshotRetryDelayMs(this.snapshotFailureCount);
  }

  /** Successful syncs (full or partial) so far: resets the back-off. */
  #syncCount = 0;

  #masterName(): string {
    return `${this.masterHost}:${this.masterPort}`;
  }

  #endSession(): void {
    const server = this.#server;
    clearInterval(this.#ackTimer);
    this.#ackTimer = undefined;
    this.#closeSocket();
    this.#socket = null;
    this.#closeSyncBuffer();
    if (this.state === ReplLinkState.Connected) {
      if (this.#active) {
        server.log.notice("Connection with master lost.");
        server.log.notice("Caching the disconnected master state.");
      }
      this.#hasCachedMaster = true;
      this.linkDownSinceMs = Date.now();
    }
    this.state = this.#active ? ReplLinkState.Connect : ReplLinkState.None;
  }

  /** One connection: handshake, PSYNC, snapshot or backlog, then the stream until it ends. */
  async #session(): Promise<void> {
    const server = this.#server;
    const log = server.log;
    log.notice(`Connecting to MASTER ${this.#masterName()}`);
    this.state = ReplLinkState.Connecting;
    const conn = await Deno.connect({ hostname: this.masterHost, port: this.masterPort });
    const socket = new MasterSocket(conn, (sizeBytes) => {
      this.lastIoMs = Date.now();
      server.stats.netInputBytes += sizeBytes;
    });
    this.#socket = socket;
    if (!this.#active) return; // stopped while connecting; #endSession closes it
    try {
      conn.setNoDelay(true);
    } catch {
      // Only latency suffers.
    }
    this.lastIoMs = Date.now();
    this.#ackTimer = setInterval(() => this.#tick(), ACK_PERIOD_MS);
    log.notice("MASTER <-> REPLICA sync started");

    this.state = ReplLinkState.ReceivePingReply;
    await socket.write(encodeCommand(["PING"]));
    const pong = await socket.readReplyLine();
    if (
      pong.startsWith("-") && !pong.startsWith("-NOAUTH") && !pong.startsWith("-NOPERM") &&
      !pong.startsWith("-ERR operation not permitted")
    ) throw new LinkError(`Error reply to PING from master: '${pong}'`);
    log.notice("Master replied to PING, replication can continue...");

    this.state = ReplLinkState.ReceiveHandshakeReplies;
    await this.#handshake(socket);

    this.state = ReplLinkState.ReceivePsyncReply;
    const replication = server.replication;
    if (this.#hasCachedMaster) {
      const offset = replication.masterReplOffset + 1;
      log.notice(`Trying a partial resynchronization (request ${replication.replId}:${offset}).`);
      const psync = ["PSYNC", replication.replId, String(offset)];
      if (this.#failoverPsync) psync.push("FAILOVER");
      await socket.write(encodeCommand(psync));
    } else {
      log.notice("Partial resynchronization not possible (no cached master)");
      await socket.write(encodeCommand(["PSYNC", "?", "-1"]));
    }
    const reply = await socket.readReplyLine();
    if (this.#failoverPsync) {
      this.#failoverPsync = false;
      server.failover.psyncAnswered(
        reply.startsWith("+CONTINUE") || reply.startsWith("+FULLRESYNC"),
      );
      if (!this.#active) return;
    }
    if (reply.startsWith("+FULLRESYNC")) {
      const [, replId, offsetText] = reply.split(" ");
      const offset = Number(offsetText);
      if (replId?.length !== 40 || !Number.isSafeInteger(offset) || offset < 0) {
        throw new LinkError(`Master replied to PSYNC with a malformed '${reply}'`);
      }
      log.notice(`Full resync from master: ${replId}:${offset}`);
      replication.discardHistory();
      await this.#fullSync(socket, replId, offset);
    } else if (reply.startsWith("+CONTINUE")) {
      const newId = reply.slice("+CONTINUE".length).trim();
      log.notice("Successful partial resynchronization with master.");
      if (newId !== "" && newId !== replication.replId) {
        log.notice(`Master replication ID changed to ${newId}`);
        replication.switchMasterId(newId);
      }
      log.notice("MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.");
    } else if (reply.startsWith("-NOMASTERLINK") || reply.startsWith("-LOADING")) {
      throw new LinkError(
        `Master is currently unable to PSYNC but should be in the future: ${reply}`,
      );
    } else if (reply.startsWith("-")) {
      log.warning(`Unexpected reply to PSYNC from master: ${reply}; retrying with SYNC`);
      replication.discardHistory();
      await socket.write(encodeCommand(["SYNC"]));
      // SYNC carries no history: the snapshot starts a fresh one we cannot PSYNC from later.
      await this.#fullSync(socket, randomReplId(), 0);
      this.#hasCachedMaster = false;
    } else throw new LinkError(`Unexpected reply to PSYNC from master: '${reply}'`);
    this.#syncCount++;
    this.onSyncDone?.(reply.startsWith("+CONTINUE") ? "partial" : "full");
    await this.#applyStream(socket);
  }

  /**
   * AUTH (masterauth), REPLCONF listening-port, ip-address (replica-announce-ip) and capa, sent
   * together, replies in order.
   */
  async #handshake(socket: MasterSocket): Promise<void> {
    const { config, log } = this.#server;
    const password = config.getString("masterauth");
    const user = config.getString("masteruser");
    const parts: Uint8Array[] = [];
    if (password !== "") {
      parts.push(encodeCommand(user !== "" ? ["AUTH", user, password] : ["AUTH", password]));
    }
    // replica-announce-port/-ip: what the master (and Sentinel, through its INFO) should use to
    // reach us when our own address is not reachable from there (NAT, containers).
    const announcePort = config.getNumber("replica-announce-port");
    const announceIp = config.getString("replica-announce-ip");
    const listeningPort = announcePort > 0 ? announcePort : this.#server.port;
    parts.push(encodeCommand(["REPLCONF", "listening-port", String(listeningPort)]));
    if (announceIp !== "") parts.push(encodeCommand(["REPLCONF", "ip-address", announceIp]));
    // capa lz4 is ours alone: redis-server ignores capabilities it does not know.
    const capas = ["capa", "eof", "capa", "psync2"];
    if (config.getBool("repl-lz4-sync")) capas.push("capa", "lz4");
    if (config.getBool("repl-interleaved-sync")) capas.push("capa", CAPA_INTERLEAVE);
    parts.push(encodeCommand(["REPLCONF", ...capas]));
    await socket.write(concatBytes(parts));
    if (password !== "") {
      const auth = await socket.readReplyLine();
      if (auth.startsWith("-")) throw new LinkError(`Unable to AUTH to MASTER: ${auth}`);
    }
    const portReply = await socket.readReplyLine();
    if (portReply.startsWith("-")) {
      log.notice(`(Non critical) Master does not understand REPLCONF listening-port: ${portReply}`);
    }
    if (announceIp !== "") {
      const ipReply = await socket.readReplyLine();
      if (ipReply.startsWith("-")) {
        log.notice(`(Non critical) Master does not understand REPLCONF ip-address: ${ipReply}`);
      }
    }
    const capaReply = await socket.readReplyLine();
    if (capaReply.startsWith("-")) {
      log.notice(`(Non critical) Master does not understand REPLCONF capa: ${capaReply}`);
    }
  }

  /**
   * Receives the snapshot (`$<len>\r\n` + len bytes, or `$EOF:<mark>\r\n` + RDB + mark) into
   * the flushed keyspace, or beside the old one (repl-diskless-load swapdb, see the file
   * comment). On any failure the keyspace is flushed again (or the staging databases freed,
   * the old dataset kept) before the error propagates; on success our history becomes
   * `replId`/`offset`.
   */
  async #fullSync(socket: MasterSocket, replId: string, offset: number): Promise<void> {
    const server = this.#server;
    const log = server.log;
    this.state = ReplLinkState.Transfer;
    const header = await socket.readReplyLine();
    if (!header.startsWith("$")) {
      throw new LinkError(
        `Bad protocol from MASTER, the first byte is not '$' (we received '${header}'), are you sure the host and port are right?`,
      );
    }
    const interleaved = header === INTERLEAVED_HEADER;
    const eofMark = header.startsWith("$EOF:") ? encoder.encode(header.slice(5)) : null;
    if (interleaved) {
      if (!this.#server.config.getBool("repl-interleaved-sync")) {
        throw new LinkError("MASTER sent an interleaved sync we did not ask for");
      }
      this.syncTotalBytes = -1;
      log.notice(
        "MASTER <-> REPLICA sync: receiving the snapshot interleaved with the stream, " +
          "buffering the stream here",
      );
    } else if (eofMark !== null) {
      if (eofMark.length !== EOF_MARK_LEN_BYTES) {
        throw new LinkError(`Bad diskless EOF mark from MASTER: '${header}'`);
      }
      this.syncTotalBytes = -1;
      log.notice("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
    } else {
      const totalBytes = Number(header.slice(1));
      if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) {
        throw new LinkError(`Bad snapshot length from MASTER: '${header}'`);
      }
      this.syncTotalBytes = totalBytes;
      log.notice(`MASTER <-> REPLICA sync: receiving ${totalBytes} bytes from master to disk`);
    }
    this.syncReadBytes = 0;
    const mode = this.#loadMode(replId);
    if (mode === LoadMode.Flush) {
      log.notice("MASTER <-> REPLICA sync: Flushing old data");
      this.#flushKeyspace();
    } else this.#beginStagingLoad(mode);
    server.loading = mode !== LoadMode.StagingAsync;
    log.notice("MASTER <-> REPLICA sync: Loading DB in memory");
    const dbBase = mode === LoadMode.Flush ? 0 : STAGING_DB_BASE;
    const startedMs = Date.now();
    let keyCount = 0;
    const wire = new SnapshotWireDecoder();
    try {
      const reader = new RdbReader();
      const counts = { keyCount: 0, expiredSkipped: 0, libraryCodes: [] as Uint8Array[] };
      const drain = (chunk: Uint8Array) => {
        for (const rdbBytes of wire.push(chunk)) {
          reader.push(rdbBytes);
          // A replica keeps expired keys: the master's DEL removes them.
          loadEntries(server.engine, reader, Date.now(), false, counts, dbBase);
        }
        keyCount = counts.keyCount;
      };
      if (interleaved) {
        await this.#receiveInterleaved(socket, offset, (chunk) => {
          this.syncReadBytes += chunk.length;
          drain(chunk);
        });
        if (!(wire.lz4 ? wire.ended : reader.ended)) {
          throw new LinkError("the interleaved snapshot ended before its RDB did");
        }
      } else if (eofMark === null) {
        let leftBytes = this.syncTotalBytes;
        while (leftBytes > 0) {
          if (socket.bufferedBytes === 0) await socket.fill();
          const chunk = socket.take(leftBytes);
          leftBytes -= chunk.length;
          this.syncReadBytes += chunk.length;
          drain(chunk);
        }
      } else {
        // The mark's 40 bytes are held back so the reader only ever sees RDB bytes.
        const ended = () => wire.lz4 ? wire.ended : reader.ended;
        while (!ended() || socket.bufferedBytes < EOF_MARK_LEN_BYTES) {
          if (socket.bufferedBytes > EOF_MARK_LEN_BYTES && !ended()) {
            const chunk = socket.take(socket.bufferedBytes - EOF_MARK_LEN_BYTES);
            this.syncReadBytes += chunk.length;
            drain(chunk);
            continue;
          }
          await socket.fill();
        }
        const mark = socket.take(EOF_MARK_LEN_BYTES);
        this.syncReadBytes += mark.length;
        if (!mark.every((byte, index) => byte === eofMark[index])) {
          throw new LinkError("the diskless snapshot does not end with its EOF mark");
        }
      }
      wire.finish();
      reader.finish();
      // The master's libraries replace ours (Redis clears its functions with the data).
      const libraryError = server.functions.replaceAll(counts.libraryCodes, server.lua);
      if (libraryError !== null) throw new Error(`Failed loading library, ${libraryError}`);
    } catch (error) {
      if (mode === LoadMode.Flush) this.#flushKeyspace();
      else {
        this.#endStagingLoad();
        log.notice("MASTER <-> REPLICA sync: Discarding the loaded DB, keeping the old one");
      }
      server.loading = false;
      const text = error instanceof Error ? error.message : String(error);
      // A cut link or a lying length is the wire's fault: retry as after any drop. Anything
      // else (a format we cannot read, engine memory) will fail again: back off (#run).
      this.#closeSyncBuffer();
      const wireFault = error instanceof LinkError || isDisconnect(error) ||
        error instanceof InterleavedFrameError;
      throw new (wireFault ? LinkError : SnapshotLoadError)(
        `Failed trying to load the MASTER synchronization DB: ${text}; ` +
          (mode === LoadMode.Flush ? "keyspace flushed" : "old dataset kept"),
      );
    }
    if (mode !== LoadMode.Flush) {
      log.notice("MASTER <-> REPLICA sync: Swapping active DB with loaded DB");
      this.#swapInStaging();
      this.#endStagingLoad();
      log.notice("MASTER <-> REPLICA sync: Discarded the old DB");
    }
    server.loading = false;
    this.snapshotFailureCount = 0;
    this.lastSnapshotError = "";
    this.lastSyncWireBytes = this.syncReadBytes;
    this.lastSyncRdbBytes = wire.rdbBytes;
    this.lastSyncLz4 = wire.lz4;
    this.lastSyncInterleaved = interleaved;
    server.replication.adoptMasterHistory(replId, offset);
    this.#hasCachedMaster = true;
    this.#streamDb = 0;
    log.notice(
      `Done loading RDB, keys loaded: ${keyCount}, took ${Date.now() - startedMs} ms; ` +
        (wire.lz4
          ? `received ${this.syncReadBytes} bytes in LZ4 frames for ${wire.rdbBytes} bytes of RDB`
          : `received ${this.syncReadBytes} bytes of RDB`),
    );
    log.notice("MASTER <-> REPLICA sync: Finished with success");
  }

  /**
   * Reads the frames of an interleaved sync up to and including the end frame (never a byte
   * past it: what follows is live stream): snapshot bytes to `snapshot`, stream bytes into a new
   * sync buffer. Checks that the end frame's offset is the snapshot's plus the stream buffered.
   */
  async #receiveInterleaved(
    socket: MasterSocket,
    offset: number,
    snapshot: (chunk: Uint8Array) => void,
  ): Promise<void> {
    const config = this.#server.config;
    const dir = config.getString("dir");
    const buffer = new StreamSpool({
      path: `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/temp-repl-syncbuf-${Deno.pid}.bin`,
      memoryMaxBytes: config.getNumber("repl-sync-buffer-memory"),
      spilledMaxBytes: 0,
    });
    this.#closeSyncBuffer();
    this.#syncBuffer = buffer;
    this.syncBufferPeakBytes = 0;
    this.syncBufferSpilledBytes = 0;
    let streamBytes = 0;
    let endOffset = -1;
    const frames = new InterleavedFrameReader({
      snapshot,
      stream: (bytes) => {
        streamBytes += bytes.length;
        this.#bufferStream(buffer, bytes);
      },
      end: (at) => endOffset = at,
    });
    while (!frames.ended) {
      if (socket.bufferedBytes === 0) await socket.fill();
      frames.push(socket.take(frames.wantBytes));
    }
    if (endOffset !== offset + streamBytes) {
      throw new LinkError(
        `the interleaved sync ended at offset ${endOffset}, not at ${offset} + ${streamBytes} ` +
          `bytes of stream`,
      );
    }
    this.#server.log.notice(
      `MASTER <-> REPLICA sync: ${streamBytes} bytes of stream buffered during the transfer ` +
        `(peak ${this.syncBufferPeakBytes}, ${buffer.spilledTotalBytes} spilled to disk)`,
    );
  }

  /** Appends received stream bytes to the sync buffer, tracking its peak. */
  #bufferStream(buffer: StreamSpool, bytes: Uint8Array): void {
    buffer.append(bytes);
    this.syncBufferPeakBytes = Math.max(this.syncBufferPeakBytes, buffer.pendingBytes);
    this.syncBufferSpilledBytes = buffer.spilledTotalBytes;
  }

  /** Drops the sync buffer and its spill file, if any. */
  #closeSyncBuffer(): void {
    this.#syncBuffer?.close();
    this.#syncBuffer = null;
  }

  /**
   * Where this full sync loads (Redis's useDisklessLoad and its asyncLoading test): swapdb
   * loads into the staging databases, asynchronously when the master's replication id is the
   * one we follow (the old dataset is an earlier point of the same history).
   */
  #loadMode(masterReplId: string): LoadMode {
    if (this.#server.config.getString("repl-diskless-load") !== "swapdb") return LoadMode.Flush;
    return masterReplId === this.#server.replication.replId
      ? LoadMode.StagingAsync
      : LoadMode.Staging;
  }

  /** Empties the staging databases and notes the memory the old dataset holds. */
  #beginStagingLoad(mode: LoadMode): void {
    const engine = this.#server.engine;
    for (let db = 0; db < DB_COUNT; db++) engine.flushDb(STAGING_DB_BASE + db);
    this.#stagingLoad = true;
    this.asyncLoading = mode === LoadMode.StagingAsync;
    this.#stagingBaseBytes = engine.usedMemoryBytes();
  }

  /**
   * Empties the staging databases (a failed load, or the old dataset after the swap). Their
   * memory goes to the lazy-free queue, freed in slices while clients are served (Redis's
   * discardTempDb frees it in the background too), not in one blocking walk.
   */
  #endStagingLoad(): void {
    const engine = this.#server.engine;
    for (let db = 0; db < DB_COUNT; db++) engine.flushDbAsync(STAGING_DB_BASE + db);
    this.#server.lazyFree.kick();
    this.#stagingLoad = false;
    this.asyncLoading = false;
    this.#stagingBaseBytes = 0;
  }

  /**
   * The loaded dataset becomes the live one in one synchronous step: each database record is
   * swapped with its staging twin (O(1) each), so no client sees a mix of the two.
   */
  #swapInStaging(): void {
    const server = this.#server;
    this.#beforeWholeKeyspaceChange();
    for (let db = 0; db < DB_COUNT; db++) {
      server.engine.swapDb(db, STAGING_DB_BASE + db);
      server.dbModified(db);
    }
    // Client-side caches hold the old dataset: a flush invalidation to every tracking client.
    server.tracking.invalidateAll(server.clients.values());
  }

  /**
   * A running BGSAVE reads the live databases in slices: before they are replaced wholesale
   * it is finished at once (the pre-write hook's answer to FLUSHALL), so the file holds the
   * old dataset whole rather than a mix of the two.
   */
  #beforeWholeKeyspaceChange(): void {
    const server = this.#server;
    if (!server.saver.snapshotRunning) return;
    const argv = [encoder.encode("FLUSHALL")];
    const spec = this.#table.resolve(argv);
    assertInvariant(typeof spec !== "string", "FLUSHALL is in the command table");
    if (typeof spec !== "string") server.saver.beforeCommand(0, spec, argv);
  }

  /** Memory the two datasets take while a swapdb load runs (INFO persistence); [] otherwise. */
  loadInfoLines(): string[] {
    if (!this.#stagingLoad) return [];
    const usedBytes = this.#server.engine.usedMemoryBytes();
    return [
      // resplica's own: the engine's bytes in use when the load began (the old dataset, still
      // served, and fixed overhead) and those taken since (the new dataset, in staging).
      `resplica_swapdb_old_dataset_bytes:${this.#stagingBaseBytes}`,
      `resplica_swapdb_new_dataset_bytes:${Math.max(0, usedBytes - this.#stagingBaseBytes)}`,
    ];
  }

  #flushKeyspace(): void {
    const server = this.#server;
    this.#beforeWholeKeyspaceChange();
    // replica-lazy-flush: the old dataset goes to the lazy-free queue (emptyData async).
    if (server.config.getBool("replica-lazy-flush")) {
      server.engine.flushAllAsync();
      server.lazyFree.kick();
    } else {
      server.engine.flushAll();
    }
    server.functions.flush(server.lua);
    for (let db = 0; db < DB_COUNT; db++) server.dbModified(db);
    server.tracking.invalidateAll(server.clients.values());
  }

  /** Applies the live stream until the link ends, counting every byte of each command. */
  async #applyStream(socket: MasterSocket): Promise<void> {
    const server = this.#server;
    const replication = server.replication;
    this.state = ReplLinkState.Connected;
    this.linkDownSinceMs = 0;
    this.readOffset = replication.masterReplOffset;
    const reader = new RespReader({
      bulkLenMaxBytes: Infinity,
      multibulkLenMax: Infinity,
      queryBufferMaxBytes: Infinity,
    });
    const writer = new ReplyWriter();
    const client = new ClientState(
      server.nextClientId(),
      this.#masterName(),
      "",
      reader,
      writer,
      true,
      Date.now(),
    );
    client.isMaster = true;
    client.db = this.#streamDb;
    // What came with the PSYNC reply or after the snapshot is already stream. After an
    // interleaved sync it follows the buffered stream, so it joins the buffer's tail.
    const leftover = socket.take(socket.bufferedBytes);
    const unapplied = new UnappliedBytes();
    const buffer = this.#syncBuffer;
    const catchUp = buffer === null ? null : this.#startCatchUp(socket, buffer);
    if (buffer === null) {
      reader.push(leftover);
      unapplied.push(leftover);
    } else {
      this.readOffset += buffer.pendingBytes;
      this.#bufferStream(buffer, leftover);
    }
    this.readOffset += leftover.length;
    this.#readTimes.note(this.readOffset);
    void this.#sendAck();
    /** Bytes of commands applied inside an unfinished MULTI: counted once EXEC has run. */
    let pendingBytes = 0;
    let sliceStartMs = Date.now();
    while (true) {
      while (true) {
        const bufferedBefore = reader.bufferedBytes;
        const argv = reader.next();
        if (argv === null) break;
        const sizeBytes = bufferedBefore - reader.bufferedBytes;
        assertInvariant(sizeBytes > 0, "every stream command has bytes");
        if (isGetack(argv)) {
          // As Redis: the ACK names the offset before the GETACK itself.
          void this.#sendAck();
        } else {
          // A busy script runs first: the stream waits for it, unanswered (as Redis, which
          // leaves the master's input unread meanwhile).
          while (server.busyScript !== null) await server.busyScript.ended;
          const pending = executeCommand(this.#table, server, client, argv);
          if (pending) await pending;
          if (writer.lengthBytes > 0 && writer.view()[0] === MINUS) this.#diverged(argv, writer);
          writer.reset();
        }
        pendingBytes += sizeBytes;
        if (!client.inMulti) {
          replication.feedFromMaster(unapplied.take(pendingBytes));
          pendingBytes = 0;
        }
        this.#streamDb = client.db;
      }
      if (buffer !== null && catchUp !== null && this.#syncBuffer === buffer) {
        // Catching up from the sync buffer: apply it chunk by chunk, letting the pump read the
        // socket between slices; once it is empty and the pump has stopped, read directly.
        if (Date.now() - sliceStartMs >= SYNC_BUFFER_APPLY_SLICE_MS) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          sliceStartMs = Date.now();
        }
        const chunk = buffer.read(READ_CHUNK_BYTES);
        if (chunk.length === 0) {
          // Applied all of it: the buffer (and its spill file) goes now; the pump's read in
          // flight lands in the reader, and from then on the socket is read directly.
          this.#closeSyncBuffer();
          this.#server.log.notice(
            `MASTER <-> REPLICA sync: caught up with the stream buffered during the sync ` +
              `(peak ${this.syncBufferPeakBytes} bytes)`,
          );
          const handoff = await catchUp.stop();
          reader.push(handoff);
          unapplied.push(handoff);
          continue;
        }
        reader.push(chunk);
        unapplied.push(chunk);
        continue;
      }
      const into = reader.writable(READ_CHUNK_BYTES);
      const n = await socket.conn.read(into);
      if (n === null) throw new LinkError("connection closed by the master");
      unapplied.push(into.subarray(0, n));
      reader.commit(n);
      this.readOffset += n;
      this.lastIoMs = Date.now();
      this.#readTimes.note(this.readOffset);
      server.stats.netInputBytes += n;
    }
  }

  /**
   * While the sync buffer is applied: reads the socket into the buffer's tail, so the master
   * never holds our stream. `stop()` resolves, once the read in flight has landed, with the
   * bytes it brought (they follow all the buffer held), or throws what ended the socket.
   */
  #startCatchUp(socket: MasterSocket, buffer: StreamSpool): { stop: () => Promise<Uint8Array> } {
    const server = this.#server;
    let stopping = false;
    const into = new Uint8Array(READ_CHUNK_BYTES);
    const pump = (async (): Promise<Uint8Array> => {
      while (true) {
        const n = await socket.conn.read(into);
        if (n === null) throw new LinkError("connection closed by the master");
        this.readOffset += n;
        this.lastIoMs = Date.now();
        this.#readTimes.note(this.readOffset);
        server.stats.netInputBytes += n;
        if (stopping) return into.subarray(0, n);
        if (this.#syncBuffer !== buffer) return new Uint8Array(0); // the session ended
        this.#bufferStream(buffer, into.subarray(0, n));
      }
    })();
    // A failure is raised by stop(); until then it must not count as unhandled.
    pump.catch(() => {});
    return {
      stop: () => {
        stopping = true;
        return pump;
      },
    };
  }

  /** `REPLCONF ACK <applied offset>`; a write failure ends the session through the read. */
  async #sendAck(): Promise<void> {
    const socket = this.#socket;
    if (socket === null || this.state !== ReplLinkState.Connected) return;
    const offset = this.#server.replication.masterReplOffset;
    await socket.write(encodeCommand(["REPLCONF", "ACK", String(offset)])).catch(() => {});
  }

  /** Once a second: ACK while connected; drop a link silent for repl-timeout. */
  #tick(): void {
    const timeoutMs = this.#server.config.getNumber("repl-timeout") * 1000;
    if (Date.now() - this.lastIoMs > timeoutMs) {
      this.#server.log.warning(
        this.state === ReplLinkState.Connected
          ? "MASTER timeout: no data nor PING received..."
          : "Timeout connecting to the MASTER...",
      );
      this.#closeSocket();
      return;
    }
    void this.#sendAck();
  }

  /**
   * A command from the master failed here: the replica no longer holds what its master holds.
   * Redis only logs this; we also count it (INFO resplica_master_stream_errors) and keep the
   * command, so an operator sees the divergence and can resync (README "Replication").
   */
  #diverged(argv: readonly Uint8Array[], writer: ReplyWriter): void {
    const reply = latin1(writer.view()).trim();
    const command = infoText(
      argv.map((arg) => latin1(arg)).join(" "),
      DIVERGENT_COMMAND_ECHO_MAX_CHARS,
    );
    this.streamErrorCount++;
    this.lastStreamError = `${command} -> ${infoText(reply, DIVERGENT_COMMAND_ECHO_MAX_CHARS)}`;
    this.#server.log.warning(
      `== CRITICAL == This replica is sending an error to its master: '${reply}' after ` +
        `processing the command '${command}'; the replica now differs from its master ` +
        `(divergence #${this.streamErrorCount})`,
    );
  }

  /** ROLE's replica form: ["slave", host, port, state, applied offset or -1]. */
  roleFields(): { state: string; offset: number } {
    return {
      state: linkStateRoleName(this.state),
      offset: this.linkUp ? this.#server.replication.masterReplOffset : -1,
    };
  }

  /** INFO replication's replica fields, from master_host to replica_announced. */
  infoLines(nowMs: number): string[] {
    const server = this.#server;
    const known = this.linkUp || this.#hasCachedMaster;
    const appliedOffset = known ? server.replication.masterReplOffset : 1;
    const readOffset = this.linkUp ? this.readOffset : appliedOffset;
    const lines = [
      `master_host:${this.masterHost}`,
      `master_port:${this.masterPort}`,
      `master_link_status:${this.linkUp ? "up" : "down"}`,
      `master_last_io_seconds_ago:${this.linkUp ? Math.floor((nowMs - this.lastIoMs) / 1000) : -1}`,
      `master_sync_in_progress:${this.state === ReplLinkState.Transfer ? 1 : 0}`,
      `slave_read_repl_offset:${readOffset}`,
      `slave_repl_offset:${appliedOffset}`,
    ];
    // Our side of the lag: bytes received and not applied yet (a sync buffer, a command cut
    // across reads), and the ms since the oldest of them arrived.
    const lag = this.#readTimes.lag(appliedOffset, readOffset, nowMs);
    if (this.state === ReplLinkState.Transfer) {
      const total = this.syncTotalBytes;
      lines.push(
        `master_sync_total_bytes:${total}`,
        `master_sync_read_bytes:${this.syncReadBytes}`,
        `master_sync_left_bytes:${total >= 0 ? total - this.syncReadBytes : -1}`,
        `master_sync_perc:${total > 0 ? (this.syncReadBytes * 100 / total).toFixed(2) : "0.00"}`,
        `master_sync_last_io_seconds_ago:${Math.floor((nowMs - this.lastIoMs) / 1000)}`,
      );
    }
    if (!this.linkUp) {
      lines.push(
        `master_link_down_since_seconds:${
          this.linkDownSinceMs > 0 ? Math.floor((nowMs - this.linkDownSinceMs) / 1000) : -1
        }`,
      );
    }
    lines.push(
      `slave_priority:${server.config.getNumber("replica-priority")}`,
      `slave_read_only:${server.config.getBool("replica-read-only") ? 1 : 0}`,
      `replica_announced:${server.config.getBool("replica-announced") ? 1 : 0}`,
      // resplica's own: what the last full sync cost on the wire (repl-lz4-sync).
      `resplica_last_sync_wire_bytes:${this.lastSyncWireBytes}`,
      `resplica_last_sync_rdb_bytes:${this.lastSyncRdbBytes}`,
      `resplica_last_sync_lz4:${this.lastSyncLz4 ? 1 : 0}`,
      // resplica's own: the interleaved sync's stream buffer (repl-interleaved-sync): bytes
      // received and not applied yet, the most it held in this (or the last) sync, and spilled.
      `resplica_last_sync_interleaved:${this.lastSyncInterleaved ? 1 : 0}`,
      `replica_sync_buffer_bytes:${this.#syncBuffer?.pendingBytes ?? 0}`,
      `replica_sync_buffer_peak_bytes:${this.syncBufferPeakBytes}`,
      `replica_sync_buffer_spilled_bytes:${this.syncBufferSpilledBytes}`,
      // resplica's own: received and not applied yet, in bytes and ms since the oldest arrived.
      `replica_lag_bytes:${lag.bytes}`,
      `replica_lag_ms:${lag.ms}`,
      // resplica's own: divergences (commands from the master that failed here) and
      // snapshots that could not be loaded, with the back-off before the next full sync.
      `resplica_master_stream_errors:${this.streamErrorCount}`,
      `resplica_master_stream_last_error:${this.lastStreamError}`,
      `resplica_master_sync_failures:${this.snapshotFailureCount}`,
      `resplica_master_sync_last_error:${infoText(this.lastSnapshotError, 256)}`,
      `resplica_master_sync_retry_delay_ms:${this.#snapshotRetryDelayMs()}`,
    );
    return lines;
  }
}

/**
 * The snapshot as it arrives: plain RDB from Redis (or a master with repl-lz4-sync no), or LZ4
 * frames from a resplica master that saw our `capa lz4`; told apart by the frames' magic in the
 * first bytes, so nothing in the handshake changes.
 */
class SnapshotWireDecoder {
  /** Bytes held until there are enough to recognise the magic. */
  #head: Uint8Array | null = new Uint8Array(0);
  #frames: Lz4FrameReader | null = null;
  rdbBytes = 0;

  get lz4(): boolean {
    return this.#frames !== null;
  }

  /** The frames' end marker was read (only meaningful when lz4). */
  get ended(): boolean {
    return this.#frames?.ended ?? false;
  }

  /** Takes bytes off the wire; returns RDB bytes. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#head !== null) {
      const joined = new Uint8Array(this.#head.length + chunk.length);
      joined.set(this.#head);
      joined.set(chunk, this.#head.length);
      if (joined.length < LZ4_FRAMES_MAGIC.length) {
        this.#head = joined;
        return [];
      }
      this.#head = null;
      if (isLz4Frames(joined)) this.#frames = new Lz4FrameReader();
      chunk = joined;
    }
    const out = this.#frames === null ? [chunk] : this.#frames.push(chunk);
    for (const bytes of out) this.rdbBytes += bytes.length;
    return out;
  }

  /** After the last byte: an unfinished frame stream or a stub too short to judge is an error. */
  finish(): void {
    if (this.#head !== null && this.#head.length > 0) {
      throw new LinkError(`the snapshot is only ${this.#head.length} bytes long`);
    }
    this.#frames?.finish();
  }
}

/** REPLCONF GETACK …, compared without allocating. */
function isGetack(argv: Uint8Array[]): boolean {
  if (argv.length < 2 || argv[0].length !== 8 || argv[1].length !== 6) return false;
  return latin1(argv[0]).toLowerCase() === "replconf" &&
    latin1(argv[1]).toLowerCase() === "getack";
}
