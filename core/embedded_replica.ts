// The embedded replica: a replica of a remote master (resplica or redis-server 7.0) that lives
// inside a Deno app, so its reads are plain calls into WASM memory with no network hop.
//
// It is the server's replica without the server: a ServerState (engine, config, stats; it owns
// no sockets) with the same ReplicationReplica a `REPLICAOF` runs (handshake, PSYNC, full or
// partial sync, back-off reconnect, ACKs once a second), and no listener. So everything the
// replica tests prove of the server's link holds here too; this file only adds what an app
// needs around it:
//
//   master ──stream──▶ ReplicationReplica ──executeCommand──▶ engine ◀── Store reads (direct)
//                                                 │
//                                   propagationListeners (db, argv)
//                                                 │
//                                   change feeds: one { db, key, command } per key written
//
// - Reads go straight to the engine (core/store.ts). Writes would fork the dataset from the
//   master's history, so every Store write method throws ReplicaReadOnlyError (a command route
//   on the engine, the hook a served Store already writes through).
// - Change events are derived from the applied writes as a replica's own sub-replicas would
//   receive them (after `propagateAs`: SPOP arrives as SREM, an expired key as DEL). The keys
//   come from the command table's write-key layout (the one the copy-on-write snapshot's
//   pre-write hook uses), so MSET, DEL k1 k2, LMOVE, MOVE and COPY name every key they touch.
//   Commands that change whole databases (FLUSHDB, FLUSHALL, SWAPDB) and a full sync (the whole
//   dataset replaced) come as events with `key: null`.
// - Each feed buffers at most `bufferedEventsMax` events; past that the buffer is dropped and
//   one `overflow` event (key null) tells the consumer to re-read what it caches. The master
//   never waits for a slow consumer, and memory stays bounded.
// - Reads never see a half-loaded dataset: the replica runs with `repl-diskless-load swapdb`
//   unless the app's config says otherwise, so a full sync loads into the engine's staging
//   databases while reads go on seeing the previous dataset (empty before the first sync), and
//   the new one replaces it in one synchronous step (core/network/master_link.ts). The price is
//   memory: both datasets are held until the swap.
// - Nothing here listens or keeps a timer of its own except while `waitForSync` waits; close()
//   stops the link (socket, ACK and retry timers) and ends every feed.

import type { CommandTable } from "./commands/context.ts";
import { buildCommandTable } from "./commands/registry.ts";
import { visitWrittenKeys } from "./command_meta/spec.ts";
import { applyRecord } from "./config/load.ts";
import { Config } from "./config/table.ts";
import { Engine } from "./engine/mod.ts";
import { ERR_READONLY } from "./errors.ts";
import { Logger, type LogLevel } from "./log.ts";
import { ReplicationReplica } from "./network/master_link.ts";
import { type PropagationListener, ServerState } from "./state/server_state.ts";
import { attachCommandRoute, detachCommandRoute, Store } from "./store.ts";

/** repl-diskless-load of an embedded replica: reads never see a half-loaded dataset. */
const EMBEDDED_DISKLESS_LOAD_DEFAULT = "swapdb";

/** Events a feed holds for a consumer that has not caught up, by default. */
export const BUFFERED_EVENTS_MAX_DEFAULT = 100_000;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A write on a replica's Store: the dataset belongs to the master. */
export class ReplicaReadOnlyError extends Error {
  constructor() {
    super(ERR_READONLY);
    this.name = "ReplicaReadOnlyError";
  }
}

/**
 * One change the replica applied. `key` is null when the change is not per key: `fullsync`
 * (db -1, the whole dataset was replaced by the master's snapshot), `overflow` (db -1, this
 * feed dropped events), `flushall` (db -1), `flushdb` and `swapdb` (one event per database).
 */
export interface ReplicaChange {
  /** Database index 0..15, or -1 for changes to every database. */
  db: number;
  /** The key written, decoded as UTF-8; null for the whole-database changes above. */
  key: string | null;
  /** Lower-case command name as applied (`set`, `del`, `srem` …), or `fullsync` / `overflow`. */
  command: string;
}

/** Options for {@linkcode EmbeddedReplica.open}. */
export interface EmbeddedReplicaOptions {
  /** The master's host. */
  host: string;
  /** The master's TCP port. */
  port: number;
  /** `masterauth`: password sent with AUTH before the handshake. */
  masterauth?: string;
  /** `masteruser`: ACL user for AUTH (with masterauth). */
  masteruser?: string;
  /**
   * Other redis.conf directives for the link, e.g. `{ "repl-timeout": "10" }`. The embedded
   * replica's `repl-diskless-load` is `swapdb` unless given here (`disabled` flushes first, so
   * reads see a partial dataset while a full sync loads).
   */
  config?: Record<string, string>;
  /** Log verbosity of the link (stdout). @default {"warning"} */
  logLevel?: LogLevel;
  /** Ceiling on engine memory in bytes (0 = up to WebAssembly's 4 GiB). @default {0} */
  maxMemoryBytes?: number;
}

/** Options for {@linkcode EmbeddedReplica.changes}. */
export interface ChangeFeedOptions {
  /** Events held for a slow consumer before they are dropped for one `overflow` event. */
  bufferedEventsMax?: number;
}

/** One consumer's queue of changes, iterated with `for await`. */
class ChangeFeed implements AsyncIterableIterator<ReplicaChange> {
  readonly #bufferedEventsMax: number;
  readonly #onEnd: (feed: ChangeFeed) => void;
  #queue: ReplicaChange[] = [];
  /** Index of the next event in #queue (shifting an array per event is O(n)). */
  #headIndex = 0;
  #waiting: ((result: IteratorResult<ReplicaChange>) => void) | null = null;
  #ended = false;

  constructor(bufferedEventsMax: number, onEnd: (feed: ChangeFeed) => void) {
    this.#bufferedEventsMax = bufferedEventsMax;
    this.#onEnd = onEnd;
  }

  push(change: ReplicaChange): void {
    if (this.#ended) return;
    if (this.#waiting !== null) {
      const resolve = this.#waiting;
      this.#waiting = null;
      resolve({ value: change, done: false });
      return;
    }
    if (this.#queue.length - this.#headIndex >= this.#bufferedEventsMax) {
      this.#queue = [{ db: -1, key: null, command: "overflow" }];
      this.#headIndex = 0;
      return;
    }
    this.#queue.push(change);
  }

  next(): Promise<IteratorResult<ReplicaChange>> {
    if (this.#headIndex < this.#queue.length) {
      const value = this.#queue[this.#headIndex++];
      if (this.#headIndex === this.#queue.length) {
        this.#queue = [];
        this.#headIndex = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#waiting = resolve);
  }

  /** The consumer left (`break`) or the replica closed: no more events. */
  return(): Promise<IteratorResult<ReplicaChange>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    this.#headIndex = 0;
    this.#waiting?.({ value: undefined, done: true });
    this.#waiting = null;
    this.#onEnd(this);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ReplicaChange> {
    return this;
  }
}

/** A replica of a remote master inside this process: see the file comment. */
export class EmbeddedReplica {
  /** The server state the link applies the stream to (no listener, no clients). */
  readonly #server: ServerState;
  /** Reads go straight to the engine; every write throws ReplicaReadOnlyError. */
  readonly store: Store;
  readonly #table: CommandTable;
  readonly #link: ReplicationReplica;
  readonly #feeds = new Set<ChangeFeed>();
  #synced = false;
  #closed = false;
  /** Resolvers of waitForSync calls still waiting. */
  readonly #syncWaiters = new Set<() => void>();
  /** Successful syncs since open, by kind. */
  fullSyncCount = 0;
  partialSyncCount = 0;

  private constructor(server: ServerState, table: CommandTable) {
    this.#server = server;
    this.#table = table;
    this.#link = new ReplicationReplica(server, table);
    server.replicaLink = this.#link;
    this.#link.onSyncDone = (kind) => this.#syncDone(kind);
    this.store = new Store(server.engine, 0);
    attachCommandRoute(server.engine, this.#refuseWrite);
  }

  /** Builds the replica and starts its link to `host:port` (it does not wait for a sync). */
  static open(options: EmbeddedReplicaOptions): EmbeddedReplica {
    if (typeof options.host !== "string" || options.host === "") {
      throw new TypeError("host must be a non-empty string");
    }
    if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
      throw new RangeError("port must be an integer 1..65535");
    }
    const maxMemoryBytes = options.maxMemoryBytes ?? 0;
    if (!Number.isSafeInteger(maxMemoryBytes) || maxMemoryBytes < 0) {
      throw new RangeError("maxMemoryBytes must be a non-negative integer");
    }
    const config = new Config();
    config.setText("loglevel", options.logLevel ?? "warning", true);
    config.setText("save", "", true);
    config.setText("repl-diskless-load", EMBEDDED_DISKLESS_LOAD_DEFAULT, true);
    applyRecord(config, options.config ?? {});
    if (options.masterauth !== undefined) config.setText("masterauth", options.masterauth, true);
    if (options.masteruser !== undefined) config.setText("masteruser", options.masteruser, true);
    const log = new Logger(config.getString("loglevel") as LogLevel, config.getString("logfile"));
    log.role = "S";
    const maxPages = maxMemoryBytes > 0 ? Math.ceil(maxMemoryBytes / 65536) : undefined;
    const engine = Engine.create(maxPages !== undefined ? { maxPages } : {});
    const replica = new EmbeddedReplica(new ServerState(engine, config, log), buildCommandTable());
    void replica.#link.replicaOf(options.host, options.port, false);
    return replica;
  }

  /** The link is up: the live stream is being applied. */
  get linkUp(): boolean {
    return this.#link.linkUp;
  }

  /** Offset of the master's stream applied so far (slave_repl_offset). */
  get replicationOffset(): number {
    return this.#server.replication.masterReplOffset;
  }

  /** The master's replication id this replica follows. */
  get replicationId(): string {
    return this.#server.replication.replId;
  }

  get masterHost(): string {
    return this.#link.masterHost;
  }

  get masterPort(): number {
    return this.#link.masterPort;
  }

  /**
   * A full sync is being loaded. With `repl-diskless-load swapdb` (the default here) reads
   * meanwhile see the previous dataset whole; with `disabled`, a partial one until it is done.
   */
  get loading(): boolean {
    return this.#server.loading || this.#link.asyncLoading;
  }

  /** True once a first sync has finished (the dataset is the master's). */
  get synced(): boolean {
    return this.#synced;
  }

  /**
   * Resolves once the first sync has finished (at once if it has); rejects after `timeoutMs`
   * naming the link's state, or when the replica is closed first.
   */
  waitForSync(timeoutMs: number): Promise<void> {
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0) {
      throw new RangeError("timeoutMs must be a non-negative number");
    }
    if (this.#synced) return Promise.resolve();
    if (this.#closed) return Promise.reject(new Error("the replica is closed"));
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#syncWaiters.delete(done);
        if (this.#synced) resolve();
        else reject(new Error("the replica was closed before its first sync"));
      };
      const timer = setTimeout(() => {
        this.#syncWaiters.delete(done);
        reject(
          new Error(
            `no sync with ${this.masterHost}:${this.masterPort} within ${timeoutMs} ms ` +
              `(link state: ${this.#link.roleFields().state})`,
          ),
        );
      }, timeoutMs);
      this.#syncWaiters.add(done);
    });
  }

  /**
   * A new feed of the changes applied from now on, one event per key written. End it with
   * `break` (or `return()`); close() ends every feed.
   */
  changes(options: ChangeFeedOptions = {}): AsyncIterableIterator<ReplicaChange> {
    const bufferedEventsMax = options.bufferedEventsMax ?? BUFFERED_EVENTS_MAX_DEFAULT;
    if (!Number.isSafeInteger(bufferedEventsMax) || bufferedEventsMax < 1) {
      throw new RangeError("bufferedEventsMax must be a positive integer");
    }
    const feed = new ChangeFeed(bufferedEventsMax, (ended) => {
      this.#feeds.delete(ended);
      if (this.#feeds.size === 0) this.#setListening(false);
    });
    if (this.#closed) {
      feed.end();
      return feed;
    }
    this.#feeds.add(feed);
    this.#setListening(true);
    return feed;
  }

  /**
   * Cuts the connection to the master while the link is up, as CLIENT KILL TYPE master does;
   * the link reconnects and offers PSYNC from its offset. False when no link was up.
   */
  dropLink(): boolean {
    return this.#link.dropLink();
  }

  /** Stops the link (socket and timers), ends every change feed. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#link.shutdown();
    detachCommandRoute(this.#server.engine, this.#refuseWrite);
    for (const feed of [...this.#feeds]) feed.end();
    for (const waiter of [...this.#syncWaiters]) waiter();
  }

  readonly #refuseWrite = (): never => {
    throw new ReplicaReadOnlyError();
  };

  #syncDone(kind: "full" | "partial"): void {
    if (kind === "full") {
      this.fullSyncCount++;
      this.#emit({ db: -1, key: null, command: "fullsync" });
    } else this.partialSyncCount++;
    if (this.#synced) return;
    this.#synced = true;
    for (const waiter of [...this.#syncWaiters]) waiter();
  }

  #emit(change: ReplicaChange): void {
    for (const feed of this.#feeds) feed.push(change);
  }

  #setListening(on: boolean): void {
    const listeners = this.#server.propagationListeners;
    const index = listeners.indexOf(this.#onApplied);
    if (on && index < 0) listeners.push(this.#onApplied);
    if (!on && index >= 0) listeners.splice(index, 1);
  }

  /** Propagation listener: turns one applied write into its per-key events. */
  readonly #onApplied: PropagationListener = (db, argv) => {
    const args = argv.map((arg) => typeof arg === "string" ? encoder.encode(arg) : arg);
    const spec = this.#table.resolve(args);
    if (typeof spec === "string") return; // the dispatcher ran it, so this cannot happen
    const command = spec.fullName;
    visitWrittenKeys(spec, db, args, (keyDb, key) => {
      this.#emit({ db: keyDb, key: key === null ? null : decoder.decode(key), command });
    });
  };
}
