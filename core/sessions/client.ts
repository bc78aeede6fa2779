// Per-connection state: everything a command may read or change about the client that sent it.
// Grouped by concern (identity, protocol, transaction, accounting) with a comment on each field,
// so CLIENT LIST, MULTI/EXEC and the replication handshake later all find their state in one place.

import type { ReplyWriter, RespReader } from "../resp/mod.ts";
import { ReplicaState } from "./replica_state.ts";
import type { AclUser } from "./acl.ts";

/** A command queued inside MULTI: its argv copied out of the read buffer. */
export interface QueuedCommand {
  argv: Uint8Array[];
}

/** CLIENT TRACKING state bits (ClientState.trackingFlags; sessions/tracking.ts). */
export const enum TrackingFlag {
  /** CLIENT TRACKING ON. */
  On = 1 << 0,
  /** The redirect client went away (CLIENT LIST flag R). */
  BrokenRedir = 1 << 1,
  /** BCAST mode (flag B). */
  Bcast = 1 << 2,
  Optin = 1 << 3,
  Optout = 1 << 4,
  /** CLIENT CACHING YES (OPTIN) or NO (OPTOUT) for the next command or transaction. */
  Caching = 1 << 5,
  Noloop = 1 << 6,
}

export class ClientState {
  // --- identity ---
  /** Monotone id, as CLIENT ID reports. */
  readonly id: number;
  /** "ip:port" of the peer. */
  readonly addr: string;
  /** "ip:port" of our side. */
  readonly laddr: string;
  /**
   * The peer is 127.0.0.1 or ::1 (Redis's islocalClient; resplica has no unix socket): what
   * enable-debug-command "local" allows. Set by the TCP connection when it opens.
   */
  isLocalPeer = false;
  /** CLIENT SETNAME value. */
  name = "";
  readonly createdAtMs: number;

  // --- protocol ---
  /** Selected database index. */
  db = 0;
  /** Passed AUTH (or no password is configured). */
  authenticated: boolean;
  /**
   * The ACL user commands run as. Null for internal clients (the master link, AOF replay, an
   * embedded store), which may run anything, as Redis's clients with no user.
   */
  user: AclUser | null = null;
  readonly reader: RespReader;
  readonly writer: ReplyWriter;
  /** CLIENT REPLY OFF: command replies are dropped (Pub/Sub pushes still go out). */
  repliesOff = false;
  /** CLIENT REPLY SKIP: the next command's reply is dropped. */
  skipNextReply = false;
  /** Reply then close the connection (QUIT, protocol errors, CLIENT KILL on self). */
  closeAfterReply = false;
  /** Close without replying (killed by another client, query buffer overflow). */
  closeNow = false;
  /** Since when pushed bytes exceed the soft output limit (0: they do not); output_limits.ts. */
  outputSoftSinceMs = 0;

  // --- transaction ---
  /** Inside MULTI: commands are queued, not executed. */
  inMulti = false;
  queued: QueuedCommand[] = [];
  /** A command failed to queue: EXEC must abort with EXECABORT. */
  multiError = false;
  /** Keys WATCHed, as "db:latin1key" tags. */
  watchedKeys = new Set<string>();
  /** A watched key changed: the next EXEC returns a null array. */
  watchDirty = false;
  /** EXEC is running this client's queue: blocking commands must not block. */
  executingMulti = false;
  /** Parked in the BlockingRegistry (BLPOP and friends). */
  blocked = false;
  /** master_repl_offset after this client's last propagated write: what WAIT waits for. */
  replWriteOffset = 0;

  // --- pub/sub ---
  /** Subscribed channels, patterns and shard channels (SSUBSCRIBE), as latin1 names. */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly shardChannels = new Set<string>();
  /** Set by the server: writes out whatever is in the writer soon (Pub/Sub delivery). */
  flushSoon: () => void = () => {};
  /**
   * Called after each socket write of this client's output (a syncing replica's stream spool
   * is pumped from here, paced by its socket); null for none.
   */
  onOutputDrained: (() => void) | null = null;

  // --- client-side caching (sessions/tracking.ts) ---
  /** TrackingFlag bits; 0 while tracking is off. */
  trackingFlags = 0;
  /** CLIENT TRACKING REDIRECT: the id invalidations go to; 0 for this connection itself. */
  trackingRedirectId = 0;
  /** BCAST prefixes (latin1); null when none. */
  trackingPrefixes: Set<string> | null = null;
  /** Invalidations (a key, or null for a flush) held until this client's reply is written. */
  trackingPending: (Uint8Array | null)[] | null = null;

  // --- replication (this client as a replica of ours) ---
  /** Where it stands in SYNC/PSYNC; None for ordinary clients. */
  replState: ReplicaState = ReplicaState.None;
  /** REPLCONF listening-port: the port the replica serves on (0: not told). */
  replListeningPort = 0;
  /** REPLCONF ip-address: the address it announces ("" : use the peer address). */
  replAnnouncedIp = "";
  /** REPLCONF capa eof / capa psync2. */
  replCapaEof = false;
  replCapaPsync2 = false;
  /** Sent `capa lz4` (a resplica replica): its full-sync snapshot may come in LZ4 frames. */
  replCapaLz4 = false;
  /** Sent `capa interleave` (a resplica replica): its full sync may come as interleaved frames. */
  replCapaInterleave = false;
  /** REPLCONF rdb-only 1 (redis-cli --rdb): send the snapshot alone, then close. */
  replRdbOnly = false;
  /** REPLCONF ack: the stream offset it has applied, and when it said so. */
  replAckOffset = 0;
  replAckTimeMs = 0;
  /** Came with SYNC, not PSYNC: sends no ACKs, so repl-timeout cannot judge it (as Redis). */
  replPrePsync = false;

  // --- replication (this client as our master's link) ---
  /** The private client applying our master's stream: its writes pass replica-read-only. */
  isMaster = false;

  // --- accounting ---
  lastInteractionMs: number;
  /** Name of the last command, for CLIENT LIST's cmd=. */
  lastCommand = "NULL";
  /**
   * Wire size of the command being run, already taken from the reader: CLIENT LIST's qbuf
   * counts it, as Redis trims its query buffer only after the command (0 between commands).
   */
  runningCommandBytes = 0;
  /** MONITOR issued: every command the server runs is echoed to it (commands/monitor.ts). */
  monitor = false;
  /** CLIENT NO-EVICT ON: exempt from client eviction (shown as flag e; nothing evicts here). */
  noEvict = false;
  /** Set by the server so CLIENT KILL can close the socket. */
  close: () => void = () => {};

  constructor(
    id: number,
    addr: string,
    laddr: string,
    reader: RespReader,
    writer: ReplyWriter,
    authenticated: boolean,
    nowMs: number,
  ) {
    this.id = id;
    this.addr = addr;
    this.laddr = laddr;
    this.reader = reader;
    this.writer = writer;
    this.authenticated = authenticated;
    this.createdAtMs = nowMs;
    this.lastInteractionMs = nowMs;
  }

  get protocol(): 2 | 3 {
    return this.writer.protocol;
  }

  /**
   * Every subscription, shard channels included: non-zero is Redis's CLIENT_PUBSUB (the RESP2
   * subscribed context, the pubsub client type, flag P).
   */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** Channels plus patterns: the count (P)SUBSCRIBE and (P)UNSUBSCRIBE replies carry. */
  get channelSubscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /**
   * The class CLIENT LIST TYPE and CLIENT KILL TYPE filter on, as Redis's getClientType:
   * "master" (the link to our master), "replica" (SYNC/PSYNC issued), "pubsub" (subscribed),
   * else "normal".
   */
  get clientType(): "normal" | "master" | "replica" | "pubsub" {
    if (this.isMaster) return "master";
    if (this.replState !== ReplicaState.None) return "replica";
    if (this.subscriptionCount > 0) return "pubsub";
    return "normal";
  }

  /**
   * CLIENT LIST's flags=, in Redis's order: O monitor or S replica, M our master's link,
   * P subscribed, x in MULTI, b blocked, t tracking (R its redirect is gone, B in BCAST mode),
   * d a WATCHed key changed, c closing after this reply,
   * e CLIENT NO-EVICT on; N for none.
   */
  flagLetters(): string {
    let flags = "";
    if (this.monitor) flags += "O";
    else if (this.replState !== ReplicaState.None) flags += "S";
    if (this.isMaster) flags += "M";
    if (this.subscriptionCount > 0) flags += "P";
    if (this.inMulti) flags += "x";
    if (this.blocked) flags += "b";
    if ((this.trackingFlags & TrackingFlag.On) !== 0) flags += "t";
    if ((this.trackingFlags & TrackingFlag.BrokenRedir) !== 0) flags += "R";
    if ((this.trackingFlags & TrackingFlag.Bcast) !== 0) flags += "B";
    if (this.watchDirty) flags += "d";
    if (this.closeAfterReply) flags += "c";
    if (this.noEvict) flags += "e";
    return flags === "" ? "N" : flags;
  }

  /** The CLIENT LIST / CLIENT INFO line, with Redis's field names. */
  describe(nowMs: number): string {
    const ageS = Math.floor((nowMs - this.createdAtMs) / 1000);
    const idleS = Math.floor((nowMs - this.lastInteractionMs) / 1000);
    const flags = this.flagLetters();
    // qbuf: bytes received and not yet done with (the running command's included, as Redis
    // trims after it); qbuf-free: the rest of the read buffer's capacity.
    const qbufBytes = this.reader.bufferedBytes + this.runningCommandBytes;
    const qbufFreeBytes = Math.max(0, this.reader.capacityBytes - qbufBytes);
    return `id=${this.id} addr=${this.addr} laddr=${this.laddr} fd=-1 name=${this.name} ` +
      `age=${ageS} idle=${idleS} flags=${flags} db=${this.db} sub=${this.channels.size} psub=${this.patterns.size} ssub=${this.shardChannels.size} ` +
      `multi=${this.inMulti ? this.queued.length : -1} qbuf=${qbufBytes} ` +
      `qbuf-free=${qbufFreeBytes} argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0 events=r ` +
      `cmd=${this.lastCommand} user=${this.user?.name ?? "(superuser)"} redir=${
        (this.trackingFlags & TrackingFlag.On) !== 0 ? this.trackingRedirectId : -1
      } resp=${this.protocol}`;
  }
}
