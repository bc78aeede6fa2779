// The master side of replication: the replication stream, its backlog, and the replicas fed
// from it. It owns the replication id and master_repl_offset, turns propagated writes into
// stream bytes (SELECT when the database changes, MULTI/EXEC around a transaction's writes,
// the periodic PING), and serves full and partial resynchronization.
//
// Offset accounting follows Redis exactly, so a replica that moves between resplica and
// redis-server (or compares offsets, as WAIT and failover do) agrees on every byte:
// - master_repl_offset counts every RESP byte fed to the stream, SELECT and PING included
//   (`*1\r\n$4\r\nping\r\n` adds 14, `SELECT 0` adds 23, `set k2 v2` adds 29).
// - Nothing is counted until a backlog exists; it is created when the first replica attaches,
//   with a fresh replication id, as Redis's syncCommand does.
// - A full sync forgets the stream's database, so the next write is preceded by a SELECT.
//
// Full sync, two ways:
// - Diskless (repl-diskless-sync yes and the replica sent `capa eof`, which Redis 7 replicas,
//   redis-cli and resplica all do): the replica waits (wait_bgsave) up to
//   repl-diskless-sync-delay for others to join, then one background copy-on-write snapshot
//   (the one BGSAVE uses, core/persistence/saver.ts) streams to all of them as
//   `$EOF:<40-byte mark>\r\n<rdb><mark>` while writes go on. At the snapshot's instant each
//   gets `+FULLRESYNC <replid> <offset>`. The stream written from that instant on goes to the
//   replica's StreamSpool (stream_spool.ts): at most REPL_SPOOL_MEMORY_BYTES in memory, the rest
//   in a spill file in `dir`, so a sync under sustained writes neither grows the master's
//   memory nor outgrows the backlog and loops (what Redis's output buffer limit does to it).
//   At the replica's first REPLCONF ACK after the mark (nothing may follow the mark before: the
//   replica spots the end by its last 40 bytes) the spool is pumped to it as fast as its socket
//   drains, never more than a few MB ahead; when the spool is empty the replica goes online and
//   is fed live. A replica that falls further behind than repl-spill-max-bytes is dropped and
//   reported as one that cannot keep up.
// - Interleaved (diskless, repl-interleaved-sync yes and the replica sent `capa interleave`,
//   which only resplica replicas do; interleaved_sync.ts draws the frames): as diskless, but
//   after `+FULLRESYNC` comes `$INTERLEAVED` and then frames. Snapshot chunks and the stream
//   written since the snapshot's instant go out at once, in the order they are produced, and
//   the replica buffers the stream while it loads. Nothing is spooled here and no ACK is
//   awaited: the end frame carries master_repl_offset, and the replica is online from that
//   byte on. Its output buffer holds only what its socket has not taken; one that stops
//   reading is dropped by repl-timeout (no snapshot progress) or, past the replica class's
//   hard output limit plus the snapshot's own queue, at once.
// - Disk-style (otherwise): `+FULLRESYNC`, then a snapshot taken synchronously, sent as
//   `$<len>\r\n<bytes>` in one call, so no write can fall between it and the stream.

import { encodeCommand } from "../resp/mod.ts";
import { writeSnapshot } from "../persistence/rdb_file.ts";
import { Lz4FrameWriter } from "../rdb/lz4_frames.ts";
import type { ClientState } from "../sessions/client.ts";
import type { Config } from "../config/table.ts";
import type { Engine } from "../engine/mod.ts";
import type { Logger } from "../log.ts";
import type { SnapshotOptions } from "../persistence/cow_snapshot.ts";
import type { RdbSaver } from "../persistence/saver.ts";
import type { BlockingRegistry } from "../sessions/blocking.ts";
import { ReplBacklog } from "./backlog.ts";
import { OffsetTimeline } from "./offset_timeline.ts";
import { SPOOL_OVERFLOW, StreamSpool } from "./stream_spool.ts";
import {
  encodeEndFrame,
  FRAME_SNAPSHOT,
  FRAME_STREAM,
  INTERLEAVED_HEADER,
  writeFrames,
} from "./interleaved_sync.ts";
import type { OutputLimits } from "../config/output_limits.ts";
import { randomReplId, REPL_ID_NONE, replicaIp } from "./identity.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import { type InvariantCheck, invariantsOf } from "../assert.ts";

const assertInvariant: InvariantCheck = invariantsOf("ReplicationMaster");

/** Receives every write as a replica must replay it (replication and the AOF attach here). */
export type PropagationListener = (db: number, argv: readonly (Uint8Array | string)[]) => void;

/**
 * What the master side needs of the server it runs in, and nothing more (ServerState provides
 * it): the engine to snapshot, the saver that shares one snapshot among consumers, the write
 * stream to listen to, WAIT's blocked clients, and whether this server is itself a replica.
 */
export interface MasterHost {
  readonly engine: Engine;
  readonly config: Config;
  readonly log: Logger;
  readonly saver: RdbSaver;
  readonly blocking: BlockingRegistry;
  readonly propagationListeners: PropagationListener[];
  readonly isReplica: boolean;
  /** FAILOVER's pause: while set, the stream stands still (no PINGs). */
  readonly failover: { readonly writesPaused: Promise<void> | null };
  /** client-output-buffer-limit: the replica class bounds how far a spool is pumped ahead. */
  readonly outputLimits: OutputLimits;
  snapshotOptions(): SnapshotOptions;
}

/** Stream bytes a syncing replica's spool keeps in memory before spilling to disk. */
export const REPL_SPOOL_MEMORY_BYTES = 1024 * 1024;
/** The most spooled bytes pumped into a replica's output buffer ahead of its socket. */
const SPOOL_PUMP_AHEAD_BYTES_MAX = 4 * 1024 * 1024;
/**
 * How often a replica catching up from its spool is checked: owing more than at the previous
 * check means it takes the stream slower than the master writes it, and is reported.
 */
const CATCH_UP_CHECK_MS = 10_000;
/** One spool read while pumping. */
const SPOOL_PUMP_CHUNK_BYTES = 256 * 1024;
/**
 * What an interleaved sync's output buffer may hold beyond the replica class's hard limit: the
 * snapshot's own queue (the scan waits past 8 MB, persistence/saver.ts) and a frame or two.
 */
const INTERLEAVED_SNAPSHOT_QUEUE_BYTES = 10 * 1024 * 1024;

/** A replica in an interleaved full sync (see the file comment): nothing is held for it. */
interface InterleavedSync {
  /** master_repl_offset at the snapshot's instant. */
  readonly offset: number;
  /** Stream bytes sent to it in frames so far. */
  streamBytes: number;
  readonly startedMs: number;
}

/** A replica in full sync: the stream it is owed since the snapshot's instant. */
interface ReplicaSync {
  readonly spool: StreamSpool;
  /** master_repl_offset at the snapshot's instant: the spool starts after it. */
  readonly offset: number;
  /** Stream bytes appended to the spool (spool start to now). */
  appendedBytes: number;
  /** The snapshot is sent and acknowledged: the spool is being pumped. */
  pumping: boolean;
  /** An online replica behind the live stream (#spoolOnline), not one in full sync. */
  readonly online: boolean;
  readonly startedMs: number;
  /** The last catch-up check (cron): when, bytes appended and owed then. */
  checkedMs: number;
  appendedAtCheck: number;
  owedAtCheck: number;
  /** The last check found it further behind than the one before (INFO, the log). */
  fallingBehind: boolean;
}

const PING_FRAME = encodeCommand(["ping"]);
const MULTI_FRAME = encodeCommand(["MULTI"]);
const EXEC_FRAME = encodeCommand(["EXEC"]);
const GETACK_FRAME = encodeCommand(["REPLCONF", "GETACK", "*"]);
const encoder = new TextEncoder();
/** Length of the random mark that ends a diskless snapshot (Redis's RDB_EOF_MARK_SIZE). */
const EOF_MARK_LEN_BYTES = 40;

/**
 * How one replica's snapshot goes on the wire: plain RDB, or LZ4 frames when it announced
 * `capa lz4` (only resplica replicas do) and repl-lz4-sync is on. Counts both sizes for the
 * log line that reports what compression saved.
 */
class SnapshotWireEncoder {
  rdbBytes = 0;
  wireBytes = 0;
  readonly lz4: boolean;
  readonly #frames: Lz4FrameWriter | null;
  readonly #out: (chunk: Uint8Array) => void;

  constructor(server: MasterHost, client: ClientState, out: (chunk: Uint8Array) => void) {
    this.lz4 = client.replCapaLz4 && server.config.getBool("repl-lz4-sync");
    this.#out = (chunk) => {
      this.wireBytes += chunk.length;
      out(chunk);
    };
    this.#frames = this.lz4 ? new Lz4FrameWriter(this.#out) : null;
  }

  write(chunk: Uint8Array): void {
    this.rdbBytes += chunk.length;
    if (this.#frames !== null) this.#frames.write(chunk);
    else this.#out(chunk);
  }

  finish(): void {
    this.#frames?.finish();
  }

  describe(): string {
    if (!this.lz4) return `${this.wireBytes} bytes of RDB`;
    const ratio = this.rdbBytes > 0 ? (this.wireBytes / this.rdbBytes).toFixed(3) : "1";
    return `${this.wireBytes} bytes in LZ4 frames for ${this.rdbBytes} bytes of RDB (${ratio})`;
  }
}

/** What PSYNC decided, for the command handler to count and log. */
export type PsyncOutcome = "continue" | "fullresync";

export class ReplicationMaster {
  readonly #server: MasterHost;
  /** master_replid: the history this server's stream belongs to. */
  replId = randomReplId();
  /** master_replid2: the previous history still served for partial resync (REPLICAOF NO ONE). */
  replId2 = REPL_ID_NONE;
  /** second_repl_offset: last offset (+1) valid under replId2; -1 when unset. */
  secondReplOffset = -1;
  /** master_repl_offset: stream bytes fed so far. */
  masterReplOffset = 0;
  /** The stream's newest bytes; null until the first replica attaches. */
  backlog: ReplBacklog | null = null;
  /** Replicas in attach order (INFO's slave0, slave1, …). */
  readonly replicas: ClientState[] = [];
  /** Database the stream last SELECTed (-1: none; the next write is preceded by SELECT). */
  #streamDb = -1;
  /**
   * Inside EXEC: the first write waits here; a second one sends MULTI, both, and EXEC is owed
   * after the last. A transaction with one write sends it bare (Redis 7.0 wraps only when more
   * than one command propagates: a single command is atomic anyway).
   */
  #transactionOpen = false;
  #transactionMultiSent = false;
  #transactionFirstWrite: { db: number; bytes: Uint8Array } | null = null;
  /** When the cron last fed PING. */
  #lastPingMs = 0;
  /** When the oldest replica still waiting for a diskless snapshot asked (0: none waits). */
  #disklessWaitSinceMs = 0;
  /** Since when no replica is attached while a backlog exists (repl-backlog-ttl), 0: some are. */
  #noReplicasSinceMs = 0;
  /** Clients blocked in WAIT: retried at every replica ACK. */
  readonly #ackWaiters = new Set<ClientState>();
  /** A REPLCONF GETACK is due in the stream at the end of this turn (one per turn). */
  #getackScheduled = false;
  /** Replicas that have their diskless snapshot: what puts each online at its first ACK. */
  readonly #onlineOnAck = new Map<ClientState, () => void>();
  // INFO stats counters.
  /** sync_full */
  syncFullCount = 0;
  /** sync_partial_ok */
  syncPartialOkCount = 0;
  /** sync_partial_err */
  syncPartialErrCount = 0;
  /**
   * Replicas dropped because the stream owed to them passed repl-spill-max-bytes, or (in an
   * interleaved sync) their output buffer passed the replica hard limit plus the snapshot queue.
   */
  replicasDroppedBehind = 0;
  /** Bytes spilled to disk by spools already closed (spoolStats adds the open ones). */
  spilledTotalBytes = 0;
  /** When the stream reached which offset, oldest first (lagOf). */
  readonly #writeTimes = new OffsetTimeline();
  /** Replicas in full sync, with the stream owed to each since its snapshot. */
  readonly #syncs = new Map<ClientState, ReplicaSync>();
  /** Replicas in an interleaved full sync: the stream goes to them in frames at once. */
  readonly #interleaved = new Map<ClientState, InterleavedSync>();
  /** Interleaved full syncs completed (INFO repl_interleaved_syncs_total). */
  interleavedSyncCount = 0;

  constructor(server: MasterHost) {
    this.#server = server;
  }

  /** Propagation listener: one write as replicas replay it. */
  readonly #onPropagate = (db: number, argv: readonly (Uint8Array | string)[]): void => {
    if (this.#transactionOpen && !this.#transactionMultiSent) {
      const first = this.#transactionFirstWrite;
      if (first === null) {
        // Encoded now: argv's views may be reused before the transaction ends.
        this.#transactionFirstWrite = { db, bytes: encodeCommand(argv as (Uint8Array | string)[]) };
        return;
      }
      // SELECT goes before MULTI, as in Redis (MULTI carries the first command's db).
      this.#transactionFirstWrite = null;
      this.#selectDb(first.db);
      this.#feed(MULTI_FRAME);
      this.#transactionMultiSent = true;
      this.#feed(first.bytes);
    }
    this.#selectDb(db);
    this.#feed(encodeCommand(argv as (Uint8Array | string)[]));
  };

  #selectDb(db: number): void {
    if (db === this.#streamDb) return;
    this.#feed(encodeCommand(["SELECT", String(db)]));
    this.#streamDb = db;
  }

  /** Appends bytes to the stream: backlog, offset, and every online replica. */
  #feed(bytes: Uint8Array): void {
    const backlog = this.backlog;
    assertInvariant(backlog !== null, "stream fed without a backlog");
    const offsetBefore = this.masterReplOffset;
    backlog.append(bytes);
    this.masterReplOffset += bytes.length;
    assertInvariant(this.masterReplOffset > offsetBefore, "offset strictly increases");
    assertInvariant(backlog.endOffset === this.masterReplOffset, "backlog ends at the offset");
    for (const replica of this.replicas) {
      if (replica.replState !== ReplicaState.Online || this.#syncs.has(replica)) continue;
      if (replica.writer.lengthBytes + bytes.length > this.#pumpAheadBytes()) {
        // Its socket is behind the stream: from here on it takes the stream from a spool (the
        // #syncs loop below appends these bytes), so it is never dropped for its output buffer.
        this.#spoolOnline(replica, offsetBefore);
        continue;
      }
      replica.writer.raw(bytes);
      replica.flushSoon();
    }
    for (const [replica, sync] of this.#syncs) this.#spoolFor(replica, sync, bytes);
    for (const [replica, sync] of this.#interleaved) this.#frameFor(replica, sync, bytes);
    this.#writeTimes.note(this.masterReplOffset);
  }

  /** Sends stream bytes to a replica in an interleaved sync as stream frames, at once. */
  #frameFor(client: ClientState, sync: InterleavedSync, bytes: Uint8Array): void {
    if (client.closeNow) return;
    writeFrames(FRAME_STREAM, bytes, (chunk) => client.writer.raw(chunk));
    sync.streamBytes += bytes.length;
    const hardBytes = this.#server.outputLimits.replica.hardBytes;
    if (hardBytes > 0 && client.writer.lengthBytes > hardBytes + INTERLEAVED_SNAPSHOT_QUEUE_BYTES) {
      this.#server.log.warning(
        `Replica ${this.replicaName(client)} does not take its interleaved sync: ` +
          `${client.writer.lengthBytes} bytes wait in its output buffer; dropping the link`,
      );
      this.replicasDroppedBehind++;
      this.#interleaved.delete(client);
      client.closeNow = true;
      client.close();
      return;
    }
    client.flushSoon();
  }

  /**
   * An online replica whose output buffer would pass #pumpAheadBytes takes the stream after
   * `offset` from a spool, pumped as its socket drains, until it has caught up (then it is fed
   * directly again). Where Redis drops it at client-output-buffer-limit and it full-syncs,
   * maybe forever, this costs disk for as long as it is behind, and is reported if it keeps
   * falling behind (#checkCatchUp).
   */
  #spoolOnline(client: ClientState, offset: number): void {
    this.#startPumping(client, this.#startSpool(client, offset, true));
    this.#server.log.notice(
      `Replica ${this.replicaName(client)} is behind the stream (${client.writer.lengthBytes} ` +
        `bytes wait for its socket); it takes the rest from a spool until it catches up`,
    );
  }

  /**
   * A spool for the stream after `offset`, owed to `client`: a full sync's from its snapshot's
   * instant, or an `online` replica's from where its socket fell behind.
   */
  #startSpool(client: ClientState, offset: number, online: boolean): ReplicaSync {
    const sync: ReplicaSync = {
      spool: new StreamSpool({
        path: this.#spoolPath(client),
        memoryMaxBytes: REPL_SPOOL_MEMORY_BYTES,
        spilledMaxBytes: this.#server.config.getNumber("repl-spill-max-bytes"),
      }),
      offset,
      appendedBytes: 0,
      pumping: false,
      online,
      startedMs: Date.now(),
      checkedMs: 0,
      appendedAtCheck: 0,
      owedAtCheck: 0,
      fallingBehind: false,
    };
    this.#syncs.set(client, sync);
    return sync;
  }

  /**
   * From now on the spool goes to the replica as its socket drains and as bytes are spooled
   * (#pump), and the catch-up checks (#checkCatchUp) count from here.
   */
  #startPumping(client: ClientState, sync: ReplicaSync): void {
    sync.pumping = true;
    sync.checkedMs = Date.now();
    sync.appendedAtCheck = sync.appendedBytes;
    sync.owedAtCheck = sync.spool.pendingBytes;
    client.onOutputDrained = () => this.#pump(client);
  }

  /** Appends stream bytes to a syncing replica's spool; drops a replica too far behind. */
  #spoolFor(client: ClientState, sync: ReplicaSync, bytes: Uint8Array): void {
    const spilledBefore = sync.spool.spilledTotalBytes;
    if (sync.spool.append(bytes) === SPOOL_OVERFLOW) {
      this.#server.log.warning(
        `Replica ${this.replicaName(client)} cannot keep up: ${sync.spool.pendingBytes} bytes ` +
          `of stream owed to it would pass repl-spill-max-bytes ` +
          `(${this.#server.config.getNumber("repl-spill-max-bytes")}); dropping the link`,
      );
      this.replicasDroppedBehind++;
      this.#endSync(client);
      client.closeNow = true;
      client.close();
      return;
    }
    sync.appendedBytes += bytes.length;
    if (spilledBefore === 0 && sync.spool.spilledTotalBytes > 0) {
      this.#server.log.notice(
        `Replica ${this.replicaName(client)}: the stream it owes passed ` +
          `${REPL_SPOOL_MEMORY_BYTES} bytes ${
            sync.online ? "while it is behind" : "during its sync"
          }; ` +
          `spilling it to disk until the replica takes it`,
      );
    }
    if (sync.pumping) this.#pump(client);
  }

  /** Forgets a replica's sync and removes its spill file. */
  #endSync(client: ClientState): void {
    this.#interleaved.delete(client);
    const sync = this.#syncs.get(client);
    if (sync === undefined) return;
    this.#syncs.delete(client);
    this.spilledTotalBytes += sync.spool.spilledTotalBytes;
    sync.spool.close();
    if (client.onOutputDrained !== null) client.onOutputDrained = null;
  }

  /** Bytes a replica's output buffer may hold ahead of its socket while its spool is pumped. */
  #pumpAheadBytes(): number {
    const limit = this.#server.outputLimits.replica;
    let ahead = SPOOL_PUMP_AHEAD_BYTES_MAX;
    if (limit.hardBytes > 0) ahead = Math.min(ahead, Math.floor(limit.hardBytes / 2));
    if (limit.softBytes > 0) ahead = Math.min(ahead, Math.floor(limit.softBytes / 2));
    return Math.max(ahead, 1);
  }

  /**
   * Moves spooled stream into the replica's output buffer, at most #pumpAheadBytes ahead of the
   * socket (called again each time the socket drained). An empty spool puts it online: from
   * then on #feed writes to it directly, in order, since the spool held everything before.
   */
  #pump(client: ClientState): void {
    const sync = this.#syncs.get(client);
    if (sync === undefined || client.closeNow) return;
    const ahead = this.#pumpAheadBytes();
    let moved = false;
    while (client.writer.lengthBytes < ahead) {
      const chunk = sync.spool.read(Math.min(SPOOL_PUMP_CHUNK_BYTES, ahead));
      if (chunk.length === 0) {
        assertInvariant(
          sync.offset + sync.appendedBytes === this.masterReplOffset,
          "a spool holds the whole stream since its snapshot",
        );
        const name = this.replicaName(client);
        const spilledBytes = sync.spool.spilledTotalBytes;
        this.#endSync(client);
        if (spilledBytes > 0 || sync.online) {
          this.#server.log.notice(
            `Replica ${name} caught up with ${sync.appendedBytes} bytes of stream written ` +
              `${sync.online ? "while it was behind" : "during its sync"} (${spilledBytes} of ` +
              `them spilled to disk) in ${Date.now() - sync.startedMs} ms`,
          );
        }
        if (!sync.online) this.#finishFullSync(client, name);
        return;
      }
      client.writer.raw(chunk);
      moved = true;
    }
    if (moved) client.flushSoon();
  }

  /**
   * A replica's lag (INFO): stream bytes it has not acknowledged, and the ms since the master
   * wrote the oldest of them (0 when it acknowledged everything).
   */
  lagOf(client: ClientState, nowMs: number): { bytes: number; ms: number } {
    return this.#writeTimes.lag(client.replAckOffset, this.masterReplOffset, nowMs);
  }

  /**
   * Every CATCH_UP_CHECK_MS, a replica catching up from its spool that owes more than at the
   * previous check is reported with both rates: it applies the stream slower than the master
   * writes it, and no resync would help. It stays connected (repl-spill-max-bytes bounds it).
   */
  #checkCatchUp(nowMs: number): void {
    for (const [client, sync] of this.#syncs) {
      if (!sync.pumping || nowMs - sync.checkedMs < CATCH_UP_CHECK_MS) continue;
      const owed = sync.spool.pendingBytes;
      const seconds = (nowMs - sync.checkedMs) / 1000;
      const written = sync.appendedBytes - sync.appendedAtCheck;
      const taken = written - (owed - sync.owedAtCheck);
      sync.fallingBehind = owed > sync.owedAtCheck;
      if (sync.fallingBehind) {
        this.#server.log.warning(
          `Replica ${this.replicaName(client)} cannot keep up: it takes ` +
            `${Math.round(taken / seconds)} bytes/s of stream while the master writes ` +
            `${Math.round(written / seconds)} bytes/s; ${owed} bytes owed ` +
            `(${sync.spool.spilledPendingBytes} on disk)`,
        );
      }
      sync.checkedMs = nowMs;
      sync.appendedAtCheck = sync.appendedBytes;
      sync.owedAtCheck = owed;
    }
  }

  /** Replicas found falling behind at their last catch-up check (INFO). */
  get replicasFallingBehind(): number {
    let count = 0;
    for (const sync of this.#syncs.values()) if (sync.fallingBehind) count++;
    return count;
  }

  /** Stream bytes owed to syncing replicas, in memory and spilled (INFO). */
  spoolStats(): { memoryBytes: number; spilledPendingBytes: number; spilledTotalBytes: number } {
    let memoryBytes = 0;
    let spilledPendingBytes = 0;
    let spilledTotalBytes = this.spilledTotalBytes;
    for (const sync of this.#syncs.values()) {
      memoryBytes += sync.spool.memoryBytes;
      spilledPendingBytes += sync.spool.spilledPendingBytes;
      spilledTotalBytes += sync.spool.spilledTotalBytes;
    }
    return { memoryBytes, spilledPendingBytes, spilledTotalBytes };
  }

  /** Interleaved full syncs in flight and the stream bytes sent in their frames (INFO). */
  interleavedStats(): { syncs: number; streamBytes: number } {
    let streamBytes = 0;
    for (const sync of this.#interleaved.values()) streamBytes += sync.streamBytes;
    return { syncs: this.#interleaved.size, streamBytes };
  }

  /** Bytes of stream a replica still waits for in its spool (INFO's slaveN), 0 when none. */
  spoolPendingBytesOf(client: ClientState): number {
    return this.#syncs.get(client)?.spool.pendingBytes ?? 0;
  }

  /** The spill file of one replica's spool: next to the RDB, named as Redis names temp files. */
  #spoolPath(client: ClientState): string {
    const dir = this.#server.config.getString("dir");
    return `${
      dir.endsWith("/") ? dir.slice(0, -1) : dir
    }/temp-repl-spool-${Deno.pid}-${client.id}.bin`;
  }

  /** EXEC begins: its writes, if any, reach the stream between MULTI and EXEC. */
  beginTransaction(): void {
    this.#transactionOpen = true;
    this.#transactionMultiSent = false;
    this.#transactionFirstWrite = null;
  }

  /** EXEC ended: closes the MULTI opened by its second write, or sends its only write bare. */
  endTransaction(): void {
    const multiSent = this.#transactionMultiSent;
    const first = this.#transactionFirstWrite;
    this.#transactionOpen = false;
    this.#transactionMultiSent = false;
    this.#transactionFirstWrite = null;
    if (multiSent) this.#feed(EXEC_FRAME);
    // A master turned replica inside the transaction streams its new master's writes only.
    if (first !== null && this.backlog !== null && !this.#server.isReplica) {
      this.#selectDb(first.db);
      this.#feed(first.bytes);
    }
  }

  /**
   * Creates the backlog when the first replica attaches. A master starts a new history (a
   * fresh replication id, as Redis's syncCommand); a replica already has one, its master's.
   */
  #createBacklog(): void {
    if (this.backlog) return;
    if (this.#server.isReplica) {
      this.#openBacklog();
      return;
    }
    this.replId = randomReplId();
    this.replId2 = REPL_ID_NONE;
    this.secondReplOffset = -1;
    this.#openBacklog();
    this.#listenToWrites(true);
    this.#server.log.notice(
      `Replication backlog created, my new replication IDs are '${this.replId}' and '${this.replId2}'`,
    );
  }

  /** An empty backlog starting after masterReplOffset. */
  #openBacklog(): void {
    this.backlog = new ReplBacklog(
      this.#server.engine,
      this.#server.config.getNumber("repl-backlog-size"),
      this.masterReplOffset + 1,
    );
    this.#streamDb = -1;
    this.#lastPingMs = Date.now();
  }

  #freeBacklog(): void {
    this.backlog?.free();
    this.backlog = null;
  }

  /**
   * A master turns its own writes into stream bytes; a replica must not (its stream is its
   * master's, proxied byte for byte by feedFromMaster), so the listener is on only while master.
   */
  #listenToWrites(on: boolean): void {
    const listeners = this.#server.propagationListeners;
    const index = listeners.indexOf(this.#onPropagate);
    if (on && index < 0) listeners.push(this.#onPropagate);
    if (!on && index >= 0) listeners.splice(index, 1);
  }

  /** Drops every replica of ours (they reconnect and PSYNC, learning what changed). */
  disconnectReplicas(): void {
    for (const replica of [...this.#syncs.keys()]) this.#endSync(replica);
    this.#interleaved.clear();
    for (const replica of [...this.replicas]) {
      replica.closeNow = true;
      replica.close();
    }
    this.replicas.length = 0;
    this.#onlineOnAck.clear();
  }

  // --- this server as a replica (core/network/master_link.ts drives these) ---
  //
  // A replica keeps a backlog too, fed with exactly the bytes it applied from its master, so
  // (1) its own replicas (chained replication) get the same stream with the same offsets and
  // the same replication id, and (2) after a failover, the promoted replica can serve its
  // former siblings a partial resync from the bytes they missed (PSYNC2).

  /**
   * Becoming a replica: our replicas are disconnected (they reconnect and PSYNC; if our new
   * master continues our history they continue too) and our own writes stop reaching the
   * stream. The backlog stays: it is our history, still servable while we offer it upstream.
   */
  becomeReplica(): void {
    this.disconnectReplicas();
    this.#listenToWrites(false);
  }

  /**
   * `+FULLRESYNC` from our master, before its snapshot loads: our history ends here. Our
   * replicas must resync with the new dataset, and the old backlog means nothing any more.
   */
  discardHistory(): void {
    this.disconnectReplicas();
    this.#freeBacklog();
  }

  /** A full sync from our master loaded: its history (id and offset) becomes ours. */
  adoptMasterHistory(replId: string, offset: number): void {
    assertInvariant(this.#server.isReplica, "only a replica adopts a master's history");
    assertInvariant(offset >= 0, "master offsets are never negative");
    this.#freeBacklog();
    this.replId = replId;
    this.replId2 = REPL_ID_NONE;
    this.secondReplOffset = -1;
    this.masterReplOffset = offset;
    this.#openBacklog();
  }

  /**
   * `+CONTINUE <newid>`: the master changed id (it was promoted); keep the old as replid2.
   * Our replicas are disconnected so that they, too, learn the new id on their next PSYNC.
   */
  switchMasterId(replId: string): void {
    if (replId === this.replId) return;
    this.replId2 = this.replId;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.replId = replId;
    this.disconnectReplicas();
  }

  /**
   * Bytes of the master's stream fully applied (whole commands, a MULTI … EXEC as one): they
   * extend our backlog and reach our replicas unchanged, so our offset follows the master's.
   */
  feedFromMaster(bytes: Uint8Array): void {
    assertInvariant(this.#server.isReplica, "only a replica proxies its master's stream");
    assertInvariant(bytes.length > 0, "applied commands have bytes");
    if (this.backlog === null) this.#openBacklog();
    this.#feed(bytes);
  }

  /**
   * REPLICAOF NO ONE: the old history stays servable as replid2 up to offset + 1 under a new
   * id, and the backlog (kept since we were a replica) serves former siblings a partial resync.
   * Our own replicas are disconnected to learn the new id (they continue partially).
   */
  promoteToMaster(): void {
    this.replId2 = this.replId;
    this.secondReplOffset = this.masterReplOffset + 1;
    this.replId = randomReplId();
    if (this.backlog === null) this.#openBacklog();
    // Whatever database the proxied stream left selected, our next write restates its own.
    this.#streamDb = -1;
    this.#listenToWrites(true);
    this.disconnectReplicas();
    this.#server.log.notice(
      `Setting secondary replication ID to ${this.replId2}, valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replId}`,
    );
  }

  /** "ip:listening-port" when the replica told its port, else its connection address. */
  replicaName(client: ClientState): string {
    return client.replListeningPort > 0
      ? `${replicaIp(client)}:${client.replListeningPort}`
      : client.addr;
  }

  /**
   * Decides PSYNC: partial when `replId` names our history (or the previous one up to
   * second_repl_offset) and `offset` is inside the backlog; writes `+CONTINUE` and the missing
   * bytes and makes the client an online replica. Otherwise writes nothing and returns
   * "fullresync" (the caller then calls fullResync).
   */
  tryPartialResync(client: ClientState, replId: string, offset: number): PsyncOutcome {
    const log = this.#server.log;
    const name = this.replicaName(client);
    const idMatches = replId === this.replId ||
      (replId === this.replId2 && offset <= this.secondReplOffset);
    if (!idMatches) {
      if (replId !== "?") {
        this.syncPartialErrCount++;
        log.notice(
          `Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replId}', my replication IDs are '${this.replId}' and '${this.replId2}')`,
        );
      } else log.notice(`Full resync requested by replica ${name}`);
      return "fullresync";
    }
    if (this.backlog === null || !this.backlog.covers(offset)) {
      this.syncPartialErrCount++;
      log.notice(
        `Unable to partial resync with replica ${name} for lack of backlog (Replica request was: ${offset}).`,
      );
      return "fullresync";
    }
    const missing = this.backlog.readFrom(offset);
    client.writer.raw(
      encoder.encode(client.replCapaPsync2 ? `+CONTINUE ${this.replId}\r\n` : "+CONTINUE\r\n"),
    );
    client.writer.raw(missing);
    this.#attach(client);
    this.syncPartialOkCount++;
    log.notice(
      `Partial resynchronization request from ${name} accepted. Sending ${missing.length} bytes of backlog starting from offset ${offset}.`,
    );
    return "continue";
  }

  /**
   * Full resync: `+FULLRESYNC <replid> <offset>` (PSYNC only; SYNC gets the bulk alone), the
   * snapshot as `$<len>\r\n<bytes>`, then the client is an online replica fed from `offset`.
   * A client that sent `REPLCONF rdb-only 1` gets the snapshot and is closed once it is
   * written: it is never attached, so no stream bytes follow the RDB.
   */
  fullResync(client: ClientState, withReplyLine: boolean, nowMs: number): void {
    const server = this.#server;
    this.#createBacklog();
    this.syncFullCount++;
    client.replState = ReplicaState.WaitBgsave;
    if (server.config.getBool("repl-diskless-sync") && client.replCapaEof) {
      this.#queueDiskless(client, withReplyLine, nowMs);
      return;
    }
    const name = this.replicaName(client);
    // The replica loads the snapshot with its own idea of the db: restate ours before the next
    // write.
    this.#streamDb = -1;
    const offset = this.masterReplOffset;
    if (withReplyLine) {
      client.writer.raw(encoder.encode(`+FULLRESYNC ${this.replId} ${offset}\r\n`));
    }
    server.log.notice(`Starting BGSAVE for SYNC with target: disk`);
    const chunks: Uint8Array[] = [];
    const wire = new SnapshotWireEncoder(server, client, (chunk) => chunks.push(chunk.slice()));
    writeSnapshot(
      server.engine,
      { ...server.snapshotOptions(), lz4Frames: false, replId: this.replId, replOffset: offset },
      nowMs,
      (chunk) => wire.write(chunk),
    );
    wire.finish();
    client.replState = ReplicaState.SendBulk;
    client.writer.raw(encoder.encode(`$${wire.wireBytes}\r\n`));
    for (const chunk of chunks) client.writer.raw(chunk);
    server.log.notice(`Snapshot for replica ${name}: ${wire.describe()}`);
    this.#finishFullSync(client, name);
  }

  /** After the snapshot: rdb-only clients are closed, replicas go online. */
  #finishFullSync(client: ClientState, name: string): void {
    if (client.replRdbOnly) {
      // The connection loop flushes the writer, then closes (as Redis closes an rdb-only
      // replica after the transfer).
      client.closeAfterReply = true;
      client.flushSoon();
      this.#server.log.notice(`Snapshot sent to rdb-only replica ${name}, closing the connection`);
      return;
    }
    this.#attach(client);
    this.#server.log.notice(`Synchronization with replica ${name} succeeded`);
  }

  /** A diskless full sync: waits to share the next background snapshot (see the file comment). */
  #queueDiskless(client: ClientState, withReplyLine: boolean, nowMs: number): void {
    const server = this.#server;
    const name = this.replicaName(client);
    let offset = -1;
    let mark: Uint8Array | null = null;
    const interleaved = client.replCapaInterleave && !client.replRdbOnly &&
      server.config.getBool("repl-interleaved-sync");
    const raw = (chunk: Uint8Array) => client.writer.raw(chunk);
    const wire = new SnapshotWireEncoder(server, client, (chunk) => {
      if (interleaved) writeFrames(FRAME_SNAPSHOT, chunk, raw);
      else client.writer.raw(chunk);
      client.flushSoon();
    });
    // Listed from now on (INFO shows it as wait_bgsave, then send_bulk); a closed connection
    // leaves the list, and its snapshot callbacks then do nothing.
    if (!this.replicas.includes(client)) this.replicas.push(client);
    this.#noReplicasSinceMs = 0;
    const live = () => this.replicas.includes(client) && !client.closeNow;
    // The snapshot waits for a replica slower than the scan (SnapshotConsumer.pendingBytes),
    // for at most repl-timeout without progress.
    let pendingBefore = 0;
    let lastProgressMs = Date.now();
    server.saver.shareNextSnapshot({
      start: () => {
        if (!live()) return;
        offset = this.masterReplOffset;
        // The replica loads the snapshot with its own idea of the db: the stream restates ours.
        this.#streamDb = -1;
        mark = encoder.encode(randomReplId().slice(0, EOF_MARK_LEN_BYTES));
        if (interleaved) {
          this.#interleaved.set(client, { offset, streamBytes: 0, startedMs: Date.now() });
          if (withReplyLine) {
            client.writer.raw(encoder.encode(`+FULLRESYNC ${this.replId} ${offset}\r\n`));
          }
          client.writer.raw(encoder.encode(`${INTERLEAVED_HEADER}\r\n`));
          client.replState = ReplicaState.SendBulk;
          client.flushSoon();
          return;
        }
        this.#startSpool(client, offset, false);
        if (withReplyLine) {
          client.writer.raw(encoder.encode(`+FULLRESYNC ${this.replId} ${offset}\r\n`));
        }
        client.writer.raw(encoder.encode("$EOF:"));
        client.writer.raw(mark);
        client.writer.raw(encoder.encode("\r\n"));
        client.replState = ReplicaState.SendBulk;
        client.flushSoon();
      },
      chunk: (chunk) => {
        if (mark === null || !live()) return;
        wire.write(chunk);
      },
      pendingBytes: () => {
        if (!live()) return 0;
        const pending = client.writer.lengthBytes;
        const nowMs = Date.now();
        if (pending < pendingBefore) lastProgressMs = nowMs;
        pendingBefore = pending;
        if (nowMs - lastProgressMs > server.config.getNumber("repl-timeout") * 1000) {
          server.log.warning(`Replica ${name} stopped reading its snapshot; dropping the link`);
          this.#endSync(client);
          client.closeNow = true;
          client.close();
          return 0;
        }
        return pending;
      },
      end: (ok) => {
        if (mark === null || !live()) return;
        if (!ok) {
          server.log.warning(`Diskless snapshot for replica ${name} failed; dropping the link`);
          this.#endSync(client);
          client.closeNow = true;
          client.close();
          return;
        }
        wire.finish();
        if (interleaved) {
          const sync = this.#interleaved.get(client);
          this.#interleaved.delete(client);
          assertInvariant(sync !== undefined, "an interleaved sync is listed until its end");
          assertInvariant(
            sync.offset + sync.streamBytes === this.masterReplOffset,
            "an interleaved sync sent the whole stream since its snapshot",
          );
          client.writer.raw(encodeEndFrame(this.masterReplOffset));
          this.interleavedSyncCount++;
          server.log.notice(
            `Snapshot for replica ${name}: ${wire.describe()}, interleaved with ` +
              `${sync.streamBytes} bytes of stream in ${Date.now() - sync.startedMs} ms`,
          );
          // The end frame is the last byte before the live stream: online from here on.
          return this.#finishFullSync(client, name);
        }
        client.writer.raw(mark);
        client.flushSoon();
        server.log.notice(`Snapshot for replica ${name}: ${wire.describe()}`);
        if (client.replRdbOnly) {
          this.#endSync(client);
          return this.#finishFullSync(client, name);
        }
        // A replica finds the end of a $EOF snapshot by its last 40 bytes, so nothing may
        // follow the mark until it says it has loaded: its first REPLCONF ACK (as Redis does).
        // Then the spool is pumped to it, paced by its socket.
        this.#onlineOnAck.set(client, () => {
          const sync = this.#syncs.get(client);
          if (sync === undefined) return;
          this.#startPumping(client, sync);
          this.#pump(client);
        });
      },
    });
    if (this.#disklessWaitSinceMs === 0) this.#disklessWaitSinceMs = nowMs;
    server.log.notice(`Replica ${name} waits for the next snapshot (diskless, capa eof)`);
    this.#startDisklessIfDue(nowMs);
  }

  /** Starts the snapshot for waiting replicas once repl-diskless-sync-delay has passed. */
  #startDisklessIfDue(nowMs: number): void {
    if (this.#disklessWaitSinceMs === 0) return;
    const server = this.#server;
    if (server.saver.waitingConsumerCount === 0) {
      this.#disklessWaitSinceMs = 0; // a BGSAVE took them along
      return;
    }
    const delayMs = server.config.getNumber("repl-diskless-sync-delay") * 1000;
    if (nowMs - this.#disklessWaitSinceMs < delayMs) return;
    if (server.saver.startForConsumers(nowMs)) this.#disklessWaitSinceMs = 0;
  }

  /**
   * repl-timeout, master side: an online replica whose last REPLCONF ACK is older than that is
   * gone in all but name (a dead host, a stuck process); it is disconnected, and resyncs when it
   * comes back. SYNC-only clients send no ACKs and are exempt, as in Redis.
   */
  #dropSilentReplicas(nowMs: number): void {
    const timeoutMs = this.#server.config.getNumber("repl-timeout") * 1000;
    for (const client of [...this.replicas]) {
      if (client.replState !== ReplicaState.Online || client.replPrePsync) continue;
      if (nowMs - client.replAckTimeMs <= timeoutMs) continue;
      this.#server.log.warning(`Disconnecting timedout replica ${this.replicaName(client)}`);
      client.closeNow = true;
      client.close();
    }
  }

  /**
   * repl-backlog-ttl: a master without replicas for that long frees its backlog. No replica
   * can resume from the old history any more, so it gets a new replication id (as Redis).
   */
  #freeIdleBacklog(nowMs: number): void {
    const ttlS = this.#server.config.getNumber("repl-backlog-ttl");
    if (this.backlog === null || this.replicas.length > 0 || ttlS === 0) return;
    if (this.#server.isReplica) return; // a replica keeps no backlog of its own
    if (this.#noReplicasSinceMs === 0) this.#noReplicasSinceMs = nowMs;
    if (nowMs - this.#noReplicasSinceMs < ttlS * 1000) return;
    this.#freeBacklog();
    this.#listenToWrites(false);
    this.replId = randomReplId();
    this.replId2 = REPL_ID_NONE;
    this.secondReplOffset = -1;
    this.#noReplicasSinceMs = 0;
    this.#server.log.notice(
      `Replication backlog freed after ${ttlS} seconds without connected replicas.`,
    );
  }

  #attach(client: ClientState): void {
    this.#noReplicasSinceMs = 0;
    client.replState = ReplicaState.Online;
    client.replAckTimeMs = Date.now();
    if (!this.replicas.includes(client)) this.replicas.push(client);
    client.flushSoon();
  }

  /**
   * REPLCONF ACK from a replica: the first after a diskless snapshot puts it online; any may
   * satisfy a client blocked in WAIT.
   */
  replicaAcked(client: ClientState): void {
    const goOnline = this.#onlineOnAck.get(client);
    if (goOnline !== undefined) {
      this.#onlineOnAck.delete(client);
      goOnline();
    }
    for (const waiter of [...this.#ackWaiters]) {
      if (!waiter.blocked || this.#server.blocking.retry(waiter)) this.#ackWaiters.delete(waiter);
    }
  }

  /**
   * min-replicas-to-write: whether a master may accept a write now. Replicas count as good
   * when online and heard from (REPLCONF ACK) within min-replicas-max-lag seconds, as Redis
   * counts them; a replica, or either setting at 0, always may.
   */
  enoughGoodReplicas(nowMs: number): boolean {
    const config = this.#server.config;
    const wanted = config.getNumber("min-replicas-to-write");
    const maxLagS = config.getNumber("min-replicas-max-lag");
    if (wanted === 0 || maxLagS === 0 || this.#server.isReplica) return true;
    return this.goodReplicaCount(nowMs) >= wanted;
  }

  /** Online replicas whose last ACK is at most min-replicas-max-lag seconds old. */
  goodReplicaCount(nowMs: number): number {
    const maxLagMs = this.#server.config.getNumber("min-replicas-max-lag") * 1000;
    let count = 0;
    for (const replica of this.replicas) {
      if (replica.replState !== ReplicaState.Online) continue;
      if (nowMs - replica.replAckTimeMs <= maxLagMs) count++;
    }
    return count;
  }

  /** Online replicas that acknowledged every stream byte up to `offset` (WAIT's count). */
  replicasAckedAt(offset: number): number {
    let count = 0;
    for (const replica of this.replicas) {
      if (replica.replState === ReplicaState.Online && replica.replAckOffset >= offset) count++;
    }
    return count;
  }

  /**
   * A client blocks in WAIT: it is retried at each ACK, and replicas are asked for one with
   * `REPLCONF GETACK *` in the stream, once per event-loop turn however many clients wait.
   */
  waitForAcks(client: ClientState): void {
    this.#ackWaiters.add(client);
    if (this.#getackScheduled) return;
    this.#getackScheduled = true;
    queueMicrotask(() => {
      this.#getackScheduled = false;
      if (this.backlog !== null && !this.#server.isReplica) this.#feed(GETACK_FRAME);
    });
  }

  /** A connection closed: forget it if it was a replica. */
  removeReplica(client: ClientState): void {
    this.#onlineOnAck.delete(client);
    this.#endSync(client);
    const index = this.replicas.indexOf(client);
    if (index < 0) return;
    this.replicas.splice(index, 1);
    if (this.replicas.length === 0) this.#noReplicasSinceMs = Date.now();
    this.#server.log.notice(`Connection with replica ${this.replicaName(client)} lost.`);
  }

  /**
   * Periodic work: starts a due diskless snapshot; PING into the stream every
   * repl-ping-replica-period while replicas exist.
   */
  cron(nowMs: number): void {
    this.#startDisklessIfDue(nowMs);
    this.#checkCatchUp(nowMs);
    this.#dropSilentReplicas(nowMs);
    this.#freeIdleBacklog(nowMs);
    // A replica's replicas get its master's PINGs, proxied; it adds none of its own.
    if (this.backlog === null || this.replicas.length === 0 || this.#server.isReplica) return;
    // During FAILOVER the stream must stand still for the target to catch up.
    if (this.#server.failover.writesPaused !== null) return;
    const periodMs = this.#server.config.getNumber("repl-ping-replica-period") * 1000;
    if (nowMs - this.#lastPingMs < periodMs) return;
    this.#lastPingMs = nowMs;
    // PING carries no database: no SELECT before it.
    this.#feed(PING_FRAME);
  }

  /**
   * Start-up as a master from an RDB that recorded a history (repl-id, repl-offset), as Redis
   * 7.0's loadDataFromDisk does: that history stays servable as replid2 up to offset + 1 under
   * our new id, master_repl_offset continues from it, and the backlog exists at once (empty,
   * starting at offset + 1), so a replica that was in sync when we stopped sends
   * `PSYNC <old id> <offset + 1>` and continues (`+CONTINUE <new id>`, nothing to send).
   */
  restoreHistory(replId: string, offset: number): void {
    assertInvariant(!this.#server.isReplica, "a replica's history is its link's to restore");
    assertInvariant(this.backlog === null, "the history is restored before any backlog exists");
    assertInvariant(this.masterReplOffset === 0, "the history is restored before any stream");
    assertInvariant(Number.isSafeInteger(offset) && offset >= 0, "offsets are never negative");
    this.replId2 = replId;
    this.secondReplOffset = offset + 1;
    this.masterReplOffset = offset;
    this.#openBacklog();
    this.#listenToWrites(true);
    this.#noReplicasSinceMs = Date.now(); // repl-backlog-ttl runs from the start (no replicas)
    this.#server.log.notice(
      `Restored the replication history ${replId}:${offset} as the secondary replication ID, ` +
        `valid up to offset: ${this.secondReplOffset}. New replication ID is ${this.replId}`,
    );
  }
}
