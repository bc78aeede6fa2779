// ServerState: the one object every command handler reaches the server through. It holds the
// engine, the live config, connected clients, the counters INFO reports and the WATCH registry.
// It owns no sockets (server.ts does), so the embedded store and the network server share it and
// tests can drive commands without a listener.

import { LazyFreeQueue } from "./lazyfree_queue.ts";
import type { Engine } from "../engine/mod.ts";
import type { Config } from "../config/table.ts";
import type { Logger } from "../log.ts";
import { latin1 } from "../bytes.ts";
import { BlockingRegistry } from "../sessions/blocking.ts";
import { PubSubRegistry } from "../sessions/pubsub.ts";
import { TrackingRegistry } from "../sessions/tracking.ts";
import { KeyspaceNotifier } from "../sessions/keyspace_events.ts";
import { NOTIFY_EXPIRED, parseKeyspaceEvents } from "../config/keyspace_events.ts";
import { AclRegistry } from "../sessions/acl.ts";
import { parseSavePoints, RdbSaver, type SavePoint } from "../persistence/saver.ts";
import { AofRewriter } from "../persistence/aof_rewrite.ts";
import {
  DEFAULT_OUTPUT_LIMITS_TEXT,
  type OutputLimits,
  parseOutputLimits,
} from "../config/output_limits.ts";
import { AofWriter, type FsyncPolicy } from "../persistence/aof.ts";
import type { SnapshotOptions } from "../persistence/cow_snapshot.ts";
import type { ClientState } from "../sessions/client.ts";
import { type PropagationListener, ReplicationMaster } from "../replication/master.ts";
import { CoordinatedFailover } from "../replication/failover.ts";
import { MaxmemoryEvictor } from "./eviction.ts";
import type { MasterLink } from "../replication/link.ts";
import type { LuaEngine } from "../scripting/lua/mod.ts";
import { ScriptCache } from "../scripting/scripts.ts";
import { FunctionRegistry } from "../scripting/functions.ts";
import { CallTiming, LatencyMonitor, SlowLog } from "./command_latency.ts";
import { ClientPause } from "./client_pause.ts";

/** Directives whose values reach the engine as encoding thresholds. */
const ENCODING_LIMIT_DIRECTIVES = [
  "hash-max-listpack-entries",
  "hash-max-listpack-value",
  "set-max-intset-entries",
  "zset-max-listpack-entries",
  "zset-max-listpack-value",
] as const;
export type { PropagationListener };

/** Where a propagated write goes (Redis's PROPAGATE_AOF / PROPAGATE_REPL, redis.set_repl). */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
export const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;

/** One WATCHed (db, key) and its watchers, each with Redis's watchedKey.expired flag. */
interface WatchedKey {
  readonly db: number;
  /** The key's bytes (a copy: WATCH's argv view is reused). */
  readonly key: Uint8Array;
  /** Watching client → the key was already expired (stored, past its TTL) at WATCH time. */
  readonly clients: Map<ClientState, boolean>;
}

/** A time before every TTL: the engine then reports a stored key whether expired or not. */
const BEFORE_EVERY_TTL_MS = 0;

/**
 * A script that ran past busy-reply-threshold and pauses now and then so the server can answer
 * others (Redis's SCRIPT_TIMEDOUT run): they get -BUSY except for the allow-busy commands, which
 * include SCRIPT KILL / FUNCTION KILL (core/commands/_script_run.ts owns the run).
 */
export interface BusyScript {
  /** Started by EVAL* (else FCALL*): which KILL reaches it and which -BUSY text others get. */
  readonly isEval: boolean;
  /** FUNCTION STATS running_script: the function's name and the caller's command line. */
  readonly functionName: string;
  readonly callerArgv: readonly Uint8Array[];
  /** performance.now() when the script started. */
  readonly startedMs: number;
  /** The script has run a write: SCRIPT KILL answers UNKILLABLE. */
  readonly writeDirty: boolean;
  /** SCRIPT KILL / FUNCTION KILL: the script ends with an error at its next interrupt check. */
  kill(): void;
  /** SHUTDOWN NOSAVE: as kill, and nothing it wrote is propagated (the server is going away). */
  abandon(): void;
  /** Settles once the script has ended and its effects were propagated. */
  readonly ended: Promise<void>;
}

/** One write held back while a script runs (see ServerState.propagationCapture). */
export interface CapturedWrite {
  db: number;
  argv: (Uint8Array | string)[];
  /** PROPAGATE_AOF and/or PROPAGATE_REPL. */
  targets: number;
}

/** One command's INFO commandstats line (Redis's redisCommand calls / microseconds / …). */
export interface CommandStat {
  /** calls: times the handler ran (a rejected call never does). */
  calls: number;
  /** usec: time spent in the handler, in microseconds. */
  usec: number;
  /** rejected_calls: refused before running (arity, ACL, OOM, READONLY, a script's checks). */
  rejectedCalls: number;
  /** failed_calls: ran and replied an error. */
  failedCalls: number;
  /** LATENCY HISTOGRAM's buckets (core/state/command_latency.ts); null until a call is timed. */
  latencyHistogram: Uint32Array | null;
}

/**
 * Distinct error codes errorstats keeps. Redis 7.0 keeps every code; a script can make up any
 * number of them (redis.error_reply), so ours is bounded: later codes count only in the total.
 */
export const ERROR_CODES_MAX = 128;
/** Redis looks for the code's end (a space) only within this many bytes of "-CODE …". */
const ERROR_CODE_SEARCH_BYTES = 32;

/** Whether a command's outcome is recorded as rejected or failed (incrCommandStatsOnError). */
export const enum CallOutcome {
  /** Refused before it ran. */
  Rejected,
  /** Ran. */
  Ran,
}

/** Counters INFO stats shows, with Redis's field names in comments. */
export class ServerStats {
  /** total_connections_received */
  connectionsReceived = 0;
  /** total_commands_processed */
  commandsProcessed = 0;
  /** rejected_connections (maxclients) */
  connectionsRejected = 0;
  /** expired_keys */
  expiredKeys = 0;
  /** keyspace_hits / keyspace_misses */
  keyspaceHits = 0;
  keyspaceMisses = 0;
  /** total_net_input_bytes / total_net_output_bytes */
  netInputBytes = 0;
  netOutputBytes = 0;
  /** total_error_replies */
  errorReplies = 0;
  /**
   * lazyfreed_objects: values (and keys of flushed databases) Redis 7.0 would have handed to
   * its lazyfree thread (core/commands/lazyfree.ts), counted once freed: the engine's lazy-free
   * queue reports them (lazyfree_queue.ts), streams (host values) are counted at deletion.
   */
  lazyfreedObjects = 0;
  /** errorstats: error replies by code (the reply's first word), at most ERROR_CODES_MAX codes. */
  readonly errorCounts = new Map<string, number>();
  /** commandstats, by CommandSpec.fullName ("config|resetstat"). */
  readonly commandStats = new Map<string, CommandStat>();
  /** errorReplies when the last command's errors were attributed (Redis's prev_err_count). */
  #errorRepliesAttributed = 0;

  /**
   * One error reply sent (Redis's afterErrorReply): total_error_replies and the code's count.
   * `text` is the reply without its "-"; the code is its first word, or ERR when no space
   * comes early enough, as Redis reads it.
   */
  countErrorReply(text: string): void {
    this.errorReplies++;
    const spaceIndex = text.indexOf(" ");
    const code = spaceIndex > 0 && spaceIndex < ERROR_CODE_SEARCH_BYTES - 1
      ? text.slice(0, spaceIndex)
      : "ERR";
    const count = this.errorCounts.get(code);
    if (count !== undefined) this.errorCounts.set(code, count + 1);
    else if (this.errorCounts.size < ERROR_CODES_MAX) this.errorCounts.set(code, 1);
  }

  /** The commandstats record of `fullName`, created at zero. */
  commandStat(fullName: string): CommandStat {
    let stat = this.commandStats.get(fullName);
    if (stat === undefined) {
      stat = { calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0, latencyHistogram: null };
      this.commandStats.set(fullName, stat);
    }
    return stat;
  }

  /**
   * Redis's incrCommandStatsOnError: when error replies were sent since the last attribution,
   * counts `stat` as rejected or failed (per `outcome`) and returns true. Either way the errors
   * so far are attributed, so a command's errors count against the innermost command that
   * sent them (a script's redis.call), not again against the script. `stat` null only marks.
   */
  attributeErrors(stat: CommandStat | null, outcome: CallOutcome): boolean {
    const sent = this.errorReplies > this.#errorRepliesAttributed;
    this.#errorRepliesAttributed = this.errorReplies;
    if (stat === null || !sent) return false;
    if (outcome === CallOutcome.Rejected) stat.rejectedCalls++;
    else stat.failedCalls++;
    return true;
  }

  reset(): void {
    this.connectionsReceived = 0;
    this.commandsProcessed = 0;
    this.connectionsRejected = 0;
    this.expiredKeys = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.errorReplies = 0;
    this.lazyfreedObjects = 0;
    this.errorCounts.clear();
    this.commandStats.clear();
  }
}

export class ServerState {
  readonly engine: Engine;
  readonly config: Config;
  readonly log: Logger;
  readonly stats = new ServerStats();
  readonly startedAtMs = Date.now();
  /** Random 40-hex run id, as INFO server's run_id. */
  readonly runId: string;
  /** Connected clients by id. */
  readonly clients = new Map<number, ClientState>();
  #nextClientId = 1;
  /** Writes since the last save (rdb_changes_since_last_save). */
  dirty = 0;
  /** `maxmemory`, cached: the dispatcher reads it for every command that may add data. */
  maxmemoryBytes = 0;
  /** `min-replicas-to-write`, cached: the dispatcher reads it for every write. */
  minReplicasToWrite = 0;
  /** The TCP port actually bound (config port may be 0). */
  port = 0;
  /** Watchers per "db:key" tag; empty in the common case so writes pay one size check. */
  readonly #watchers = new Map<string, WatchedKey>();
  /** Databases whose watchers touchWatchedDb judged for the dbModified call that follows. */
  readonly #watchersJudgedDbs = new Set<number>();
  /** ACL users, permission checks and the ACL LOG. */
  readonly acl = new AclRegistry();
  /** Channel and pattern subscriptions. */
  readonly pubsub = new PubSubRegistry();
  /** Keyspace notifications (`notify-keyspace-events`), published through `pubsub`. */
  readonly keyspaceEvents = new KeyspaceNotifier(this.pubsub);
  /** Client-side caching: CLIENT TRACKING's table and BCAST prefixes. */
  readonly tracking = new TrackingRegistry((id) => this.clients.get(id));
  /** Clients blocked on keys (BLPOP …). */
  readonly blocking = new BlockingRegistry((db, spec, argv) => {
    if (this.saver.snapshotRunning) this.saver.beforeCommand(db, spec, argv);
  });
  /** CLIENT PAUSE: commands held until it ends (state/client_pause.ts). */
  readonly clientPause: ClientPause = new ClientPause(this);
  /** Consumers of the write stream; empty until replication or AOF is on. */
  readonly propagationListeners: PropagationListener[] = [];
  /** dump.rdb: SAVE, BGSAVE, save points. */
  readonly saver: RdbSaver;
  /** The append-only file while `appendonly` is on. */
  aof: AofWriter | null = null;
  /** BGREWRITEAOF in the background. */
  readonly aofRewriter: AofRewriter;
  /** Replication stream, backlog and replicas (master side). */
  readonly replication: ReplicationMaster;
  /** maxmemory eviction (core/state/eviction.ts). */
  readonly evictor: MaxmemoryEvictor;
  /** Drives the engine's lazy-free queue in slices between event-loop turns (lazyfree_queue.ts). */
  readonly lazyFree: LazyFreeQueue;
  /** FAILOVER's state, and the pause of writes while it waits. */
  readonly failover: CoordinatedFailover;
  /** The link to our master (replica side); set by the network server. */
  replicaLink: MasterLink | null = null;
  /** REPLICAOF is set: client writes may be refused (replica-read-only), expiry is the master's. */
  isReplica = false;
  /** A snapshot from the master is being loaded: commands without the "loading" flag wait. */
  loading = false;
  /** The `save` directive, parsed (kept current by a config hook). */
  savePoints: SavePoint[] = [];
  /** DEBUG PAUSE-CRON 1: the periodic work (expiry, saves, timeouts …) is skipped. */
  cronPaused = false;
  /** Set by the network server: stops listening and closes clients. */
  shutdown: (() => Promise<void>) | null = null;

  // --- scripting ---
  /**
   * The server's one Lua state (EVAL, FCALL); set by the start-up path once created (creation
   * is async). Null where nothing set it (a ServerState built by hand): scripting commands
   * then reply an error.
   */
  lua: LuaEngine | null = null;
  /** EVAL's script cache by SHA1 (SCRIPT LOAD / EXISTS / FLUSH). */
  readonly scripts = new ScriptCache();
  /** Redis 7.0 function libraries (FUNCTION LOAD …, FCALL); saved in every RDB and sync. */
  readonly functions = new FunctionRegistry();
  /**
   * While a script runs, the writes it propagates are collected here instead of fed to the
   * listeners (core/commands/_script_run.ts sends them once the script ends, wrapped in
   * MULTI … EXEC, as Redis's also_propagate); null otherwise.
   */
  propagationCapture: CapturedWrite[] | null = null;
  /** redis.set_repl of the running script: the targets its writes are captured with. */
  propagationCaptureTargets = PROPAGATE_ALL;
  /** The script past busy-reply-threshold, while it runs; null otherwise. */
  busyScript: BusyScript | null = null;

  // --- slow log and latency monitor (core/state/command_latency.ts) ---
  /** SLOWLOG's entries and thresholds (slowlog-log-slower-than, slowlog-max-len). */
  readonly slowlog = new SlowLog();
  /** LATENCY's events (latency-monitor-threshold). */
  readonly latency = new LatencyMonitor();
  /** How the dispatcher times each call, from the two thresholds above. */
  readonly callTiming = new CallTiming();

  constructor(engine: Engine, config: Config, log: Logger) {
    this.engine = engine;
    this.config = config;
    this.log = log;
    this.maxmemoryBytes = config.getNumber("maxmemory");
    config.onChange("maxmemory", (value) => this.maxmemoryBytes = value as number);
    this.keyspaceEvents.flags = parseKeyspaceEvents(config.getString("notify-keyspace-events"))!;
    config.onChange("notify-keyspace-events", (value) => {
      this.keyspaceEvents.flags = parseKeyspaceEvents(value as string)!;
    });
    this.tracking.maxKeys = config.getNumber("tracking-table-max-keys");
    config.onChange("tracking-table-max-keys", (value) => this.tracking.maxKeys = value as number);
    this.minReplicasToWrite = config.getNumber("min-replicas-to-write");
    config.onChange("min-replicas-to-write", (value) => this.minReplicasToWrite = value as number);
    this.#setOutputLimits(config.getString("client-output-buffer-limit"));
    config.onChange(
      "client-output-buffer-limit",
      (value) => this.#setOutputLimits(value as string),
    );
    this.savePoints = parseSavePoints(config.getString("save")) ?? [];
    config.onChange("save", (value) => this.savePoints = parseSavePoints(value as string) ?? []);
    this.saver = new RdbSaver({
      engine,
      log,
      dirty: () => this.dirty,
      commandsProcessed: () => this.stats.commandsProcessed,
      path: () => this.rdbPath(),
      snapshotOptions: () => this.snapshotOptions(),
    }, Date.now());
    this.aofRewriter = new AofRewriter({
      saver: this.saver,
      log,
      aof: () => this.aof,
    });
    this.replication = new ReplicationMaster(this);
    this.evictor = new MaxmemoryEvictor(engine, config);
    this.lazyFree = new LazyFreeQueue(engine, this.stats, config);
    this.#applyEncodingLimits();
    for (const name of ENCODING_LIMIT_DIRECTIVES) {
      config.onChange(name, () => this.#applyEncodingLimits());
    }
    this.failover = new CoordinatedFailover(this);
    this.#applyLatencyThresholds();
    config.onChange("slowlog-log-slower-than", () => this.#applyLatencyThresholds());
    config.onChange("slowlog-max-len", () => this.#applyLatencyThresholds());
    config.onChange("latency-monitor-threshold", () => this.#applyLatencyThresholds());
    const bytes = crypto.getRandomValues(new Uint8Array(20));
    this.runId = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** Pushes the slow log's and the latency monitor's directives into them and the call timing. */
  #applyLatencyThresholds(): void {
    this.slowlog.slowerThanUs = this.config.getNumber("slowlog-log-slower-than");
    this.slowlog.lenMax = this.config.getNumber("slowlog-max-len");
    this.latency.thresholdMs = this.config.getNumber("latency-monitor-threshold");
    this.callTiming.update(this.slowlog, this.latency);
  }

  /** The engine converts values at the thresholds these directives set (Engine.setEncodingLimits). */
  #applyEncodingLimits(): void {
    this.engine.setEncodingLimits({
      hashEntries: this.config.getNumber("hash-max-listpack-entries"),
      hashValueBytes: this.config.getNumber("hash-max-listpack-value"),
      setIntsetEntries: this.config.getNumber("set-max-intset-entries"),
      zsetEntries: this.config.getNumber("zset-max-listpack-entries"),
      zsetValueBytes: this.config.getNumber("zset-max-listpack-value"),
    });
  }

  /** client-output-buffer-limit, parsed; and the smallest non-zero limit, for a cheap check. */
  outputLimits: OutputLimits = parseOutputLimits(DEFAULT_OUTPUT_LIMITS_TEXT)!;
  outputLimitMinBytes = 0;

  #setOutputLimits(text: string): void {
    // CONFIG SET names only the classes it changes; the others keep their limits.
    const limits = parseOutputLimits(text, this.outputLimits);
    if (limits === null) return; // refused by the directive's validation already
    this.outputLimits = limits;
    const sizes = Object.values(limits).flatMap((l) => [l.hardBytes, l.softBytes]);
    const nonZero = sizes.filter((bytes) => bytes > 0);
    this.outputLimitMinBytes = nonZero.length > 0 ? Math.min(...nonZero) : Infinity;
  }

  /**
   * DEBUG LOADAOF: empties the keyspace and replays the AOF. Set by the network layer
   * (core/network/start.ts), which owns the AOF replay; null where no server loads files.
   */
  aofReloader: (() => void) | null = null;

  /** Writes the AOF's pending commands (and fsyncs under `always`) before replies leave. */
  beforeReply(): void {
    this.aof?.beforeReply();
  }

  aofPath(): string {
    const dir = this.config.getString("dir");
    return `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/${
      this.config.getString("appendfilename")
    }`;
  }

  /** Turns the AOF on (rewriting it from the keyspace unless `fromExisting`) or off. */
  setAof(enabled: boolean, fromExisting: boolean): void {
    if (!enabled) {
      if (!this.aof) return;
      const writer = this.aof;
      this.aof = null;
      const index = this.propagationListeners.indexOf(this.#aofListener);
      if (index >= 0) this.propagationListeners.splice(index, 1);
      writer.close();
      return;
    }
    if (this.aof) return;
    const writer = new AofWriter(
      this.aofPath(),
      this.config.getString("appendfsync") as FsyncPolicy,
      this.log,
    );
    if (!fromExisting) writer.rewrite(this.engine, Date.now(), this.functions.codes());
    this.aof = writer;
    this.propagationListeners.push(this.#aofListener);
  }

  readonly #aofListener = (db: number, argv: readonly (Uint8Array | string)[]) => {
    this.aof?.append(db, argv);
  };

  /** dir + dbfilename. */
  rdbPath(): string {
    const dir = this.config.getString("dir");
    return `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/${this.config.getString("dbfilename")}`;
  }

  snapshotOptions(): SnapshotOptions {
    return {
      compression: this.config.getBool("rdbcompression"),
      checksum: this.config.getBool("rdbchecksum"),
      lz4Frames: this.config.getBool("rdb-lz4"),
      streamNodeMaxBytes: this.config.getNumber("stream-node-max-bytes"),
      streamNodeMaxEntries: this.config.getNumber("stream-node-max-entries"),
      replId: this.#hasResumableHistory() ? this.replication.replId : null,
      replOffset: this.replication.masterReplOffset,
      replStreamDb: this.isReplica ? this.replicaLink?.streamDb : 0,
      functionCodes: this.functions.codes(),
    };
  }

  /**
   * Whether a snapshot records our replication id and offset (Redis's rdbPopulateSaveInfo): a
   * master only with a backlog (without one no replica can continue anyway, and the next one
   * to attach starts a new id); a replica while its link is up or it keeps its master's stream
   * in a backlog. A replica mid full sync has neither (the +FULLRESYNC dropped the backlog and
   * the keyspace is being replaced), so its file never pairs an old history with new data.
   */
  #hasResumableHistory(): boolean {
    if (!this.isReplica) return this.replication.backlog !== null;
    return this.replicaLink?.linkUp === true || this.replication.backlog !== null;
  }

  nextClientId(): number {
    return this.#nextClientId++;
  }

  // --- WATCH registry ---

  /**
   * WATCH: remembers (db, key) for `client`, and whether the key was already expired (still
   * stored, past its TTL) then — as Redis 7.0's watchedKey.expired, such a key being deleted
   * later (lazily, by DEL, by FLUSHDB) is no change and does not fail EXEC.
   */
  watch(client: ClientState, db: number, key: Uint8Array, nowMs: number): void {
    const tag = db + ":" + latin1(key);
    if (client.watchedKeys.has(tag)) return;
    client.watchedKeys.add(tag);
    let watched = this.#watchers.get(tag);
    if (!watched) this.#watchers.set(tag, watched = { db, key, clients: new Map() });
    watched.clients.set(client, this.#keyIsExpired(db, key, nowMs));
  }

  unwatchAll(client: ClientState): void {
    for (const tag of client.watchedKeys) {
      const watched = this.#watchers.get(tag);
      if (!watched) continue;
      watched.clients.delete(client);
      if (watched.clients.size === 0) this.#watchers.delete(tag);
    }
    client.watchedKeys.clear();
    client.watchDirty = false;
  }

  /**
   * EXEC's check (Redis's isWatchedKeyExpired): true if a key `client` watches has expired
   * since WATCH without being deleted yet. Keys already expired at WATCH time do not count.
   */
  watchedKeyExpired(client: ClientState, nowMs: number): boolean {
    for (const tag of client.watchedKeys) {
      const watched = this.#watchers.get(tag);
      if (!watched || watched.clients.get(client) === true) continue;
      if (this.#keyIsExpired(watched.db, watched.key, nowMs)) return true;
    }
    return false;
  }

  /**
   * FLUSHDB, FLUSHALL, SWAPDB, before they change `db` and call dbModified(db) (Redis's
   * touchAllWatchedKeysInDb):
   * fails the transactions watching a key that exists in `db` (or, for SWAPDB, in
   * `replacedWith`), except where an already expired key is only deleted or replaced by
   * another expired key; a missing key replaced by an expired one becomes "watched expired".
   */
  touchWatchedDb(db: number, replacedWith: number | null, nowMs: number): void {
    this.#watchersJudgedDbs.add(db); // the dbModified(db) that follows leaves them be
    if (this.#watchers.size === 0) return;
    for (const watched of this.#watchers.values()) {
      if (watched.db !== db) continue;
      const key = watched.key;
      const existsInEmptied = this.#keyStored(db, key);
      const existsInReplacement = replacedWith !== null && this.#keyStored(replacedWith, key);
      if (!existsInEmptied && !existsInReplacement) continue;
      for (const [client, expired] of watched.clients) {
        if (expired) {
          if (!existsInReplacement) {
            watched.clients.set(client, false); // the expired key is gone: no logical change
            continue;
          }
          if (this.#keyIsExpired(replacedWith!, key, nowMs)) continue; // stays expired
        } else if (!existsInEmptied && this.#keyIsExpired(replacedWith!, key, nowMs)) {
          watched.clients.set(client, true); // nothing replaced by an expired key
          continue;
        }
        client.watchDirty = true;
      }
    }
  }

  /** True if (db, key) is stored, expired or not; never deletes it (Redis's dictFind). */
  #keyStored(db: number, key: Uint8Array): boolean {
    return this.engine.accessInfo(db, key, BEFORE_EVERY_TTL_MS) >= 0;
  }

  /** True if (db, key) is stored but past its TTL (Redis's keyIsExpired); never deletes it. */
  #keyIsExpired(db: number, key: Uint8Array, nowMs: number): boolean {
    return this.#keyStored(db, key) && this.engine.accessInfo(db, key, nowMs) < 0;
  }

  /**
   * A key's value changed in a way Redis 7.0 does not signal to WATCH (signalModifiedKey is
   * not called): a stream's group bookkeeping — group reads, acks, claims, XSETID, XGROUP on an
   * existing stream. Counted as a change, and blocked readers are woken (XGROUP DESTROY must
   * fail theirs with -NOGROUP), but a transaction watching the key still runs.
   */
  keyChangedUnwatched(db: number, key: Uint8Array): void {
    if (this.keyspaceEvents.flags !== 0) this.keyspaceEvents.touched(db, key);
    this.dirty++;
    this.blocking.signal(db, key);
  }

  /** A key was written: count the change and invalidate transactions watching it. */
  keyModified(db: number, key: Uint8Array): void {
    if (this.keyspaceEvents.flags !== 0) this.keyspaceEvents.touched(db, key);
    if (this.tracking.active) this.tracking.invalidateKey(key, this.tracking.current);
    this.#keyWritten(db, key);
  }

  /** keyModified's effects but the keyspace-event record (an expired key has its own event). */
  #keyWritten(db: number, key: Uint8Array): void {
    this.dirty++;
    this.blocking.signal(db, key);
    if (this.#watchers.size === 0) return;
    const watched = this.#watchers.get(db + ":" + latin1(key));
    if (!watched) return;
    let stored: boolean | null = null;
    let live = false;
    for (const [client, expired] of watched.clients) {
      // Redis's touchWatchedKey: a key expired at WATCH time that is now deleted is no
      // change (the flag clears: the key is simply missing from now on). Redis deletes the
      // expired key before the write that replaces it signals; here the write may signal
      // first, so a key found live again was rewritten, and that is a change.
      if (expired) {
        if (stored === null) {
          stored = this.#keyStored(db, key);
          live = stored && this.engine.accessInfo(db, key, Date.now()) >= 0;
        }
        if (!stored) {
          watched.clients.set(client, false);
          continue;
        }
        if (!live) continue;
        watched.clients.set(client, false);
      }
      client.watchDirty = true;
    }
  }

  /**
   * A whole database changed (FLUSHDB, FLUSHALL, SWAPDB, a full sync's load): count the change,
   * wake blocked clients, and invalidate every watcher on it — unless touchWatchedDb judged
   * them key by key just before the change.
   */
  dbModified(db: number): void {
    this.dirty++;
    this.blocking.signalDb(db);
    if (this.#watchersJudgedDbs.delete(db)) return;
    if (this.#watchers.size === 0) return;
    for (const watched of this.#watchers.values()) {
      if (watched.db !== db) continue;
      for (const client of watched.clients.keys()) client.watchDirty = true;
    }
  }

  /** Whether any client WATCHes a key (a write must then look its key up among them). */
  get hasWatchedKeys(): boolean {
    return this.#watchers.size > 0;
  }

  /** Collects keys expired by the engine since the last call, counting them and notifying WATCH. */
  absorbExpired(): void {
    const expired = this.engine.drainExpired();
    if (expired.length === 0) return;
    this.stats.expiredKeys += expired.length;
    for (const { db, key } of expired) {
      this.keyspaceEvents.notify(NOTIFY_EXPIRED, "expired", key, db);
      if (this.tracking.active) this.tracking.invalidateKey(key, null);
      this.#keyWritten(db, key);
      // Replicas and the AOF never expire keys themselves: they replay the master's DEL.
      if (this.propagationListeners.length > 0) this.propagate(db, ["DEL", key]);
    }
  }

  /**
   * Feeds one write, as it must be replayed, to every propagation listener; `targets` leaves
   * out the AOF or the others (replicas and in-process listeners). While a script runs the
   * write is captured instead (arguments copied: their views may be reused).
   */
  propagate(
    db: number,
    argv: readonly (Uint8Array | string)[],
    targets: number = PROPAGATE_ALL,
  ): void {
    const capture = this.propagationCapture;
    if (capture !== null) {
      const captureTargets = targets & this.propagationCaptureTargets;
      if (captureTargets === 0) return;
      const copy = argv.map((arg) => typeof arg === "string" ? arg : arg.slice());
      capture.push({ db, argv: copy, targets: captureTargets });
      return;
    }
    for (const listener of this.propagationListeners) {
      const isAof = listener === this.#aofListener;
      if ((targets & (isAof ? PROPAGATE_AOF : PROPAGATE_REPL)) === 0) continue;
      listener(db, argv);
    }
  }

  removeClient(client: ClientState): void {
    this.blocking.cancel(client);
    this.pubsub.removeClient(client);
    this.tracking.disable(client);
    this.unwatchAll(client);
    this.replication.removeReplica(client);
    this.clients.delete(client.id);
  }
}
