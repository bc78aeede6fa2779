/**
 * resplica: a Redis-compatible in-memory store for Deno whose keyspace lives in WebAssembly
 * memory. Use it two ways from this module:
 *
 * - {@linkcode openStore} opens an embedded store: typed, synchronous calls into the engine with
 *   no network hop.
 * - {@linkcode startServer} starts a RESP server (RESP2/RESP3) that redis-cli, ioredis and
 *   node-redis talk to, optionally over the same engine as an embedded store.
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
import { startNetworkServer } from "./core/server/start.ts";
import { Store as StoreImpl } from "./core/store.ts";
import type { KeyLike, SetOptions } from "./core/store.ts";

export type { KeyLike, SetOptions };

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
  /** GET as bytes (a copy); null when missing. */
  getBytes(key: KeyLike): Uint8Array | null {
    return this.#impl.getBytes(key);
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
