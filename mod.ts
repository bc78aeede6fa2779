/**
 * resplica: a Redis-compatible in-memory store for Deno whose keyspace lives in WebAssembly
 * memory. Use it two ways from this module:
 *
 * - {@linkcode openStore} opens an embedded store: typed, synchronous calls into the engine with
 *   no network hop.
 * - {@linkcode startServer} starts a RESP server (RESP2/RESP3) that redis-cli, ioredis and
 *   node-redis talk to, optionally over the same engine as an embedded store.
 * - {@linkcode openReplica} opens an embedded replica of a remote master (resplica or
 *   redis-server 7.0): synced over the network, read in-process, with change events.
 *
 * @example Embedded store
 * ```ts
 * import { openStore } from "./mod.ts";
 *
 * const store = openStore();
 * store.set("greeting", "hello", { ex: 60 });
 * console.log(store.get("greeting")); // "hello"
 * store.close();
 * ```
 *
 * @module
 */

import { applyRecord } from "./core/config/load.ts";
import { Config } from "./core/config/table.ts";
import { Engine } from "./core/engine/mod.ts";
import { startNetworkServer } from "./core/network/start.ts";
import { Store as StoreImpl } from "./core/store.ts";
import type { KeyLike, SetOptions } from "./core/store.ts";
import {
  EmbeddedReplica as EmbeddedReplicaImpl,
  ReplicaReadOnlyError,
} from "./core/embedded_replica.ts";
import type { ChangeFeedOptions, ReplicaChange } from "./core/embedded_replica.ts";

export type { ChangeFeedOptions, KeyLike, ReplicaChange, SetOptions };
export { ReplicaReadOnlyError };

/** Log verbosity, as Redis's `loglevel`. */
export type LogLevel = "debug" | "verbose" | "notice" | "warning" | "nothing";

/** Options for {@linkcode startServer}. */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. @default {0} */
  port?: number;
  /** Address to bind. @default {"127.0.0.1"} */
  bind?: string;
  /** Any redis.conf directives, e.g. `{ requirepass: "secret", "proto-max-bulk-len": "1mb" }`. */
  config?: Record<string, string>;
  /** Log verbosity. @default {"warning"} */
  logLevel?: LogLevel;
  /**
   * Serve this embedded store's data instead of a fresh keyspace. While served, the store's
   * writes run as commands through the server, so replicas, the AOF and a running BGSAVE see
   * them as they see a client's (on a read-only replica they throw READONLY).
   */
  store?: Store;
}

/** A running server, as returned by {@linkcode startServer}. */
export interface ResplicaServer {
  /** The bound TCP port. */
  readonly port: number;
  /** The bound address. */
  readonly hostname: string;
  /** Resolves when the server stops (SHUTDOWN or close()). */
  readonly closed: Promise<void>;
  /** Stops listening and closes every client connection. */
  close(): Promise<void>;
}

/**
 * Starts a Redis-compatible server in this process.
 *
 * @example Start, use with any Redis client, stop
 * ```ts
 * import { startServer } from "./mod.ts";
 *
 * const server = await startServer({ port: 0 });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
 * await conn.write(new TextEncoder().encode("PING\r\n"));
 * const reply = new Uint8Array(16);
 * const n = await conn.read(reply);
 * console.log(new TextDecoder().decode(reply.subarray(0, n ?? 0))); // "+PONG\r\n"
 * conn.close();
 * await server.close();
 * ```
 */
export function startServer(options: ServerOptions = {}): Promise<ResplicaServer> {
  const config = new Config();
  config.setText("loglevel", options.logLevel ?? "warning", true);
  config.setText("port", String(options.port ?? 0), true);
  config.setText("bind", options.bind ?? "127.0.0.1", true);
  // An embedded server writes no dump.rdb unless asked to (options.config.save).
  config.setText("save", "", true);
  applyRecord(config, options.config ?? {});
  const server = startNetworkServer(config, options.store?.engine);
  const hostname = config.getString("bind").split(/\s+/)[0];
  return Promise.resolve({
    port: server.port,
    hostname,
    closed: server.closed,
    close: () => server.close(),
  });
}

/** Options for {@linkcode openStore}. */
export interface StoreOptions {
  /** Database index 0..15. @default {0} */
  db?: number;
  /** Ceiling on engine memory in bytes (0 = up to WebAssembly's 4 GiB). @default {0} */
  maxMemoryBytes?: number;
}

/**
 * An embedded keyspace: synchronous, typed access to the WASM engine. Keys and values may be
 * strings (UTF-8) or bytes.
 *
 * @example
 * ```ts
 * import { openStore } from "./mod.ts";
 *
 * const store = openStore();
 * store.set("counter", "41");
 * console.log(store.incr("counter")); // 42
 * console.log(store.ttl("counter")); // -1
 * store.close();
 * ```
 */
export class Store {
  readonly #impl: StoreImpl;
  readonly #timer: ReturnType<typeof setInterval>;

  /** @internal Use {@linkcode openStore}. */
  constructor(impl: StoreImpl) {
    this.#impl = impl;
    // Active expiry reclaims memory of keys nobody reads again; unref'd so it never keeps the
    // process alive.
    this.#timer = setInterval(() => {
      impl.engine.activeExpireCycle(Date.now(), 25);
      impl.engine.drainExpired();
    }, 100);
    Deno.unrefTimer(this.#timer);
  }

  /** @internal The engine, shared with a server started with `{ store }`. */
  get engine(): Engine {
    return this.#impl.engine;
  }

  /** The database index this store reads and writes. */
  get db(): number {
    return this.#impl.db;
  }

  /** GET as a UTF-8 string; null when missing. */
  get(key: KeyLike): string | null {
    return this.#impl.get(key);
  }
  /**
   * GET as bytes (a copy); null when missing. Small values are copied into a shared slab, so
   * the result's `.buffer` may hold other results' bytes too.
   */
  getBytes(key: KeyLike): Uint8Array | null {
    return this.#impl.getBytes(key);
  }
  /**
   * GET into `target` with no allocation (the fastest read): returns the value's size in
   * bytes, -1 when missing; the bytes are copied only when they fit in `target`.
   *
   * @example
   * ```ts
   * import { openStore } from "./mod.ts";
   *
   * const store = openStore();
   * store.set("k", "hello");
   * const buffer = new Uint8Array(64);
   * const sizeBytes = store.getInto("k", buffer);
   * console.log(new TextDecoder().decode(buffer.subarray(0, sizeBytes))); // "hello"
   * store.close();
   * ```
   */
  getInto(key: KeyLike, target: Uint8Array): number {
    return this.#impl.getInto(key, target);
  }
  /** SET with options; false when NX/XX prevented the write. */
  set(key: KeyLike, value: string | Uint8Array, options?: SetOptions): boolean {
    return this.#impl.set(key, value, options);
  }
  /** DEL; returns how many keys were removed. */
  del(...keys: KeyLike[]): number {
    return this.#impl.del(...keys);
  }
  /** EXISTS; counts keys that exist (repeats count again). */
  exists(...keys: KeyLike[]): number {
    return this.#impl.exists(...keys);
  }
  /** EXPIRE in seconds; false when the key does not exist. */
  expire(key: KeyLike, seconds: number): boolean {
    return this.#impl.expire(key, seconds);
  }
  /** PEXPIRE in milliseconds. */
  pexpire(key: KeyLike, milliseconds: number): boolean {
    return this.#impl.pexpire(key, milliseconds);
  }
  /** PEXPIREAT: absolute Unix time in milliseconds. */
  pexpireAt(key: KeyLike, unixMs: number): boolean {
    return this.#impl.pexpireAt(key, unixMs);
  }
  /** TTL in seconds: -2 missing, -1 no expiry. */
  ttl(key: KeyLike): number {
    return this.#impl.ttl(key);
  }
  /** PTTL in milliseconds: -2 missing, -1 no expiry. */
  pttl(key: KeyLike): number {
    return this.#impl.pttl(key);
  }
  /** PERSIST: true when a TTL was removed. */
  persist(key: KeyLike): boolean {
    return this.#impl.persist(key);
  }
  /** INCR. Throws on a non-integer value. */
  incr(key: KeyLike): number {
    return this.#impl.incr(key);
  }
  /** INCRBY. Throws on a non-integer value or overflow. */
  incrBy(key: KeyLike, delta: number): number {
    return this.#impl.incrBy(key, delta);
  }
  /** KEYS with a Redis glob pattern. */
  keys(pattern = "*"): string[] {
    return this.#impl.keys(pattern);
  }
  /** DBSIZE of this database. */
  dbSize(): number {
    return this.#impl.dbSize();
  }
  /** FLUSHDB of this database. */
  flushDb(): void {
    this.#impl.flushDb();
  }
  /** A store over the same engine and another database index. */
  select(db: number): Store {
    return new Store(this.#impl.select(db));
  }
  /** Stops background expiry. The data stays readable until the store is dropped. */
  close(): void {
    clearInterval(this.#timer);
  }
}

/**
 * Opens an embedded store on a fresh WASM engine.
 *
 * @example
 * ```ts
 * import { openStore } from "./mod.ts";
 *
 * const store = openStore();
 * store.set(new Uint8Array([0, 13, 10]), "binary keys are fine");
 * console.log(store.get(new Uint8Array([0, 13, 10])));
 * store.close();
 * ```
 */
export function openStore(options: StoreOptions = {}): Store {
  const maxPages = options.maxMemoryBytes ? Math.ceil(options.maxMemoryBytes / 65536) : undefined;
  const engine = Engine.create(maxPages !== undefined ? { maxPages } : {});
  return new Store(new StoreImpl(engine, options.db ?? 0));
}

/** Options for {@linkcode openReplica}. */
export interface ReplicaOptions {
  /** The master's host. @default {"127.0.0.1"} */
  host?: string;
  /** The master's TCP port. */
  port: number;
  /** Password for AUTH to the master (redis.conf `masterauth`). */
  masterauth?: string;
  /** ACL user for AUTH to the master (redis.conf `masteruser`). */
  masteruser?: string;
  /** Other replica directives, e.g. `{ "repl-timeout": "10" }`. */
  config?: Record<string, string>;
  /** Log verbosity of the link (stdout). @default {"warning"} */
  logLevel?: LogLevel;
  /** Ceiling on engine memory in bytes (0 = up to WebAssembly's 4 GiB). @default {0} */
  maxMemoryBytes?: number;
  /**
   * How long openReplica waits for the first sync; on timeout it closes the replica and
   * throws. 0 returns at once (check {@linkcode EmbeddedReplica.synced}). @default {30000}
   */
  syncTimeoutMs?: number;
}

/**
 * A replica of a remote master inside this process, as returned by {@linkcode openReplica}.
 * Its {@linkcode EmbeddedReplica.store} reads the replicated keyspace with no network hop;
 * writes throw {@linkcode ReplicaReadOnlyError}. After a cut the link reconnects on its own
 * (back-off 100 ms to 5 s) and resumes with a partial resync when the master's backlog allows.
 *
 * @example
 * ```ts
 * import { openReplica, startServer } from "./mod.ts";
 *
 * // No 5 s wait for more replicas to share the snapshot (Redis's default delay).
 * const master = await startServer({ port: 0, config: { "repl-diskless-sync-delay": "0" } });
 * const replica = await openReplica({ port: master.port, syncTimeoutMs: 10_000 });
 * console.log(replica.linkUp, replica.masterPort === master.port); // true true
 * await replica.close();
 * await master.close();
 * ```
 */
export class EmbeddedReplica {
  readonly #impl: EmbeddedReplicaImpl;
  /** The replicated keyspace (db 0; `store.select(n)` for others). Read-only. */
  readonly store: Store;

  /** @internal Use {@linkcode openReplica}. */
  constructor(impl: EmbeddedReplicaImpl) {
    this.#impl = impl;
    this.store = new Store(impl.store);
  }

  /** The link is up: the master's live stream is being applied. */
  get linkUp(): boolean {
    return this.#impl.linkUp;
  }
  /** Bytes of the master's replication stream applied (slave_repl_offset). */
  get replicationOffset(): number {
    return this.#impl.replicationOffset;
  }
  /** The master's replication id being followed. */
  get replicationId(): string {
    return this.#impl.replicationId;
  }
  /** The master's host. */
  get masterHost(): string {
    return this.#impl.masterHost;
  }
  /** The master's port. */
  get masterPort(): number {
    return this.#impl.masterPort;
  }
  /** A first sync has finished: the store holds the master's dataset. */
  get synced(): boolean {
    return this.#impl.synced;
  }
  /**
   * A snapshot from the master is being loaded (a full sync, first or after a break too long
   * for a partial resync): until it ends the store holds only part of the new dataset.
   */
  get loading(): boolean {
    return this.#impl.loading;
  }
  /** Full syncs (snapshot loads) since open; a partial resync does not count. */
  get fullSyncCount(): number {
    return this.#impl.fullSyncCount;
  }
  /** Partial resyncs (+CONTINUE after a cut) since open. */
  get partialSyncCount(): number {
    return this.#impl.partialSyncCount;
  }

  /** Resolves once the first sync has finished; rejects after `timeoutMs`. */
  waitForSync(timeoutMs: number): Promise<void> {
    return this.#impl.waitForSync(timeoutMs);
  }

  /**
   * Changes applied from now on, one `{ db, key, command }` per key a replicated write touched
   * (keys found by the command table's key positions: `MSET a 1 b 2` gives two events). `key`
   * is null for FLUSHDB/FLUSHALL/SWAPDB, for `fullsync` (the dataset was replaced) and for
   * `overflow` (this feed fell more than `bufferedEventsMax` events behind and dropped them).
   *
   * @example
   * ```ts
   * import { openReplica, startServer } from "./mod.ts";
   *
   * const master = await startServer({ port: 0, config: { "repl-diskless-sync-delay": "0" } });
   * const replica = await openReplica({ port: master.port });
   * const changes = replica.changes(); // events from now on
   * const conn = await Deno.connect({ hostname: "127.0.0.1", port: master.port });
   * await conn.write(new TextEncoder().encode("SET greeting hello\r\n"));
   * for await (const change of changes) {
   *   console.log(change); // { db: 0, key: "greeting", command: "set" }
   *   break;
   * }
   * console.log(replica.store.get("greeting")); // "hello"
   * conn.close();
   * await replica.close();
   * await master.close();
   * ```
   */
  changes(options: ChangeFeedOptions = {}): AsyncIterableIterator<ReplicaChange> {
    return this.#impl.changes(options);
  }

  /** Cuts the connection to the master (it reconnects with PSYNC); false when none was up. */
  dropLink(): boolean {
    return this.#impl.dropLink();
  }

  /** Stops the link and its timers and ends every change feed. Idempotent. */
  async close(): Promise<void> {
    this.store.close();
    await this.#impl.close();
  }
}

/**
 * Opens an embedded replica of the master at `host:port` and (unless `syncTimeoutMs` is 0)
 * waits for its first sync.
 *
 * @example
 * ```ts
 * import { openReplica, startServer } from "./mod.ts";
 *
 * // Any resplica or redis-server 7.0 master; here one in this process on a free port.
 * const master = await startServer({ port: 0, config: { "repl-diskless-sync-delay": "0" } });
 * const conn = await Deno.connect({ hostname: "127.0.0.1", port: master.port });
 * await conn.write(new TextEncoder().encode("SET user:1 Ada\r\n"));
 * await conn.read(new Uint8Array(16)); // +OK
 *
 * const replica = await openReplica({ host: "127.0.0.1", port: master.port });
 * console.log(replica.store.get("user:1")); // "Ada", read in-process
 * try {
 *   replica.store.set("user:1", "Bob");
 * } catch (error) {
 *   console.log((error as Error).message); // "READONLY You can't write against a read only replica."
 * }
 * conn.close();
 * await replica.close();
 * await master.close();
 * ```
 */
export async function openReplica(options: ReplicaOptions): Promise<EmbeddedReplica> {
  const syncTimeoutMs = options.syncTimeoutMs ?? 30_000;
  if (!Number.isFinite(syncTimeoutMs) || syncTimeoutMs < 0) {
    throw new RangeError("syncTimeoutMs must be a non-negative number");
  }
  const impl = EmbeddedReplicaImpl.open({
    host: options.host ?? "127.0.0.1",
    port: options.port,
    masterauth: options.masterauth,
    masteruser: options.masteruser,
    config: options.config,
    logLevel: options.logLevel,
    maxMemoryBytes: options.maxMemoryBytes,
  });
  const replica = new EmbeddedReplica(impl);
  if (syncTimeoutMs === 0) return replica;
  try {
    await impl.waitForSync(syncTimeoutMs);
  } catch (error) {
    await replica.close();
    throw error;
  }
  return replica;
}
