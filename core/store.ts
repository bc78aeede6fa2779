// The embedded store: the same WASM engine the server runs on, called directly from a Deno app
// with no socket in between. Methods are synchronous because nothing here waits: a call copies
// the key into engine memory, runs one exported function and reads the answer back. Keys and
// values may be strings (UTF-8) or bytes; string keys are encoded into one reused scratch
// buffer so a GET allocates nothing but its result.
//
// While a server serves the same engine (startServer({ store })), writes must not go around
// it: a BGSAVE or a replica's snapshot must see them through its pre-write hook, replicas and
// the AOF must receive them. So the server registers a command route for the engine, and
// every write method then runs as a command through it (a private client); reads stay direct.

import { type Engine, SET_KEEPTTL, SET_NX, SET_XX } from "./engine/mod.ts";
import { globMatch, latin1 } from "./bytes.ts";

/** Options for {@linkcode Store.set}, as SET's EX/PX/EXAT/PXAT/NX/XX/KEEPTTL. */
export interface SetOptions {
  /** Expire after this many seconds. */
  ex?: number;
  /** Expire after this many milliseconds. */
  px?: number;
  /** Expire at this Unix time in seconds. */
  exat?: number;
  /** Expire at this Unix time in milliseconds. */
  pxat?: number;
  /** Only set if the key does not exist. */
  nx?: boolean;
  /** Only set if the key already exists. */
  xx?: boolean;
  /** Keep the key's current time to live. */
  keepTtl?: boolean;
}

export type KeyLike = string | Uint8Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Longest key encoded through the scratch buffer; longer ones get their own array. */
const SCRATCH_KEY_BYTES = 4096;
/** Reads served from one cached clock reading at most (see readClockMs). */
const CLOCK_READS_PER_SAMPLE_MAX = 256;

// The read clock. Date.now() costs about as much as the engine lookup itself (~70 ns of a
// ~200 ns GET), so reads share one sample: within one synchronous run of JS (one task, as a
// Redis command or script sees one instant) and for at most CLOCK_READS_PER_SAMPLE_MAX reads.
// A microtask marks the sample stale as soon as the run yields, so a read after any await or
// in a later task sees a fresh clock; inside a tight loop the sample is at most 256 reads old
// (tens of µs). Writes always read the clock themselves.
let clockSampleMs = 0;
let clockReadsLeft = 0;
const expireClockSample = () => clockReadsLeft = 0;

/** Values up to this size are copied out into a shared slab (see copyOut). */
const SLAB_COPY_MAX_BYTES = 1024;
const SLAB_SIZE_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_SIZE_BYTES);
let slabUsedBytes = 0;

/**
 * A copy of `view` the caller owns. A fresh ArrayBuffer costs ~1 µs, five GETs' worth, so
 * small copies are views into a shared 64 KiB slab (as Node's Buffer pool does): each copy's
 * bytes are its own, but its `.buffer` holds other copies too.
 */
function copyOut(view: Uint8Array): Uint8Array {
  const sizeBytes = view.length;
  if (sizeBytes > SLAB_COPY_MAX_BYTES) return view.slice();
  if (slabUsedBytes + sizeBytes > SLAB_SIZE_BYTES) {
    slab = new ArrayBuffer(SLAB_SIZE_BYTES);
    slabUsedBytes = 0;
  }
  const copy = new Uint8Array(slab, slabUsedBytes, sizeBytes);
  copy.set(view);
  // Keep the next copy 8-byte aligned, so a caller may view it as wider typed arrays.
  slabUsedBytes += (sizeBytes + 7) & ~7;
  return copy;
}

function readClockMs(): number {
  if (clockReadsLeft > 0) {
    clockReadsLeft--;
    return clockSampleMs;
  }
  clockSampleMs = Date.now();
  clockReadsLeft = CLOCK_READS_PER_SAMPLE_MAX - 1;
  queueMicrotask(expireClockSample);
  return clockSampleMs;
}

/** Runs one command in database `db` as the serving server would; returns its raw RESP reply. */
export type CommandRoute = (db: number, argv: (string | Uint8Array)[]) => Uint8Array;

const routes = new WeakMap<Engine, CommandRoute>();

/** A server starts serving `engine`: Store writes go through `route` until detached. */
export function attachCommandRoute(engine: Engine, route: CommandRoute): void {
  routes.set(engine, route);
}

export function detachCommandRoute(engine: Engine, route: CommandRoute): void {
  if (routes.get(engine) === route) routes.delete(engine);
}

/** The value of a one-line RESP reply (+, :, $-1 or a short bulk); an error reply throws. */
function replyValue(reply: Uint8Array): string | number | null {
  const text = decoder.decode(reply);
  const end = text.indexOf("\r\n");
  const line = text.slice(1, end);
  switch (text[0]) {
    case "+":
      return line;
    case ":":
      return Number(line);
    case "$":
      return line === "-1" ? null : text.slice(end + 2, end + 2 + Number(line));
    case "_":
      return null;
    case "-":
      throw new Error(line);
    default:
      throw new Error(`unexpected reply ${JSON.stringify(text.slice(0, 40))}`);
  }
}

export class Store {
  readonly engine: Engine;
  readonly db: number;
  #scratch = new Uint8Array(SCRATCH_KEY_BYTES);

  constructor(engine: Engine, db: number) {
    if (!Number.isInteger(db) || db < 0 || db > 15) throw new RangeError("db must be 0..15");
    this.engine = engine;
    this.db = db;
  }

  #key(key: KeyLike): Uint8Array {
    if (typeof key !== "string") return key;
    const length = key.length;
    if (length * 3 > SCRATCH_KEY_BYTES) return encoder.encode(key);
    // ASCII keys (the common case) are copied char by char: ~5x cheaper than encodeInto for
    // short keys. The first non-ASCII char hands the whole key to the UTF-8 encoder.
    const scratch = this.#scratch;
    for (let i = 0; i < length; i++) {
      const code = key.charCodeAt(i);
      if (code >= 0x80) {
        const { written } = encoder.encodeInto(key, scratch);
        return scratch.subarray(0, written);
      }
      scratch[i] = code;
    }
    return scratch.subarray(0, length);
  }

  get(key: KeyLike): string | null {
    const view = this.engine.getString(this.db, this.#key(key), readClockMs());
    return view === null ? null : decoder.decode(view);
  }

  getBytes(key: KeyLike): Uint8Array | null {
    const view = this.engine.getString(this.db, this.#key(key), readClockMs());
    if (view === null) return null;
    return copyOut(view);
  }

  /**
   * GET into the caller's buffer, allocating nothing: returns the value's size in bytes (-1
   * when missing). The value is copied only when it fits (size <= target.length).
   */
  getInto(key: KeyLike, target: Uint8Array): number {
    const view = this.engine.getString(this.db, this.#key(key), readClockMs());
    if (view === null) return -1;
    if (view.length <= target.length) target.set(view);
    return view.length;
  }

  set(key: KeyLike, value: string | Uint8Array, options: SetOptions = {}): boolean {
    const nowMs = Date.now();
    if (options.nx && options.xx) throw new TypeError("nx and xx are mutually exclusive");
    const expiries = [options.ex, options.px, options.exat, options.pxat].filter((v) =>
      v !== undefined
    );
    if (expiries.length > 1 || (expiries.length === 1 && options.keepTtl)) {
      throw new TypeError("only one of ex, px, exat, pxat, keepTtl may be given");
    }
    let expireAtMs = 0;
    if (options.ex !== undefined) expireAtMs = nowMs + options.ex * 1000;
    else if (options.px !== undefined) expireAtMs = nowMs + options.px;
    else if (options.exat !== undefined) expireAtMs = options.exat * 1000;
    else if (options.pxat !== undefined) expireAtMs = options.pxat;
    if (expiries.length === 1 && !(expireAtMs > 0 && Number.isFinite(expireAtMs))) {
      throw new RangeError("invalid expire time");
    }
    const flags = (options.nx ? SET_NX : 0) | (options.xx ? SET_XX : 0) |
      (options.keepTtl ? SET_KEEPTTL : 0);
    const bytes = typeof value === "string" ? encoder.encode(value) : value;
    const route = routes.get(this.engine);
    if (route !== undefined) {
      const argv: (string | Uint8Array)[] = ["SET", this.#key(key).slice(), bytes];
      if (expireAtMs > 0) argv.push("PXAT", String(expireAtMs));
      if (options.nx) argv.push("NX");
      if (options.xx) argv.push("XX");
      if (options.keepTtl) argv.push("KEEPTTL");
      return replyValue(route(this.db, argv)) !== null;
    }
    return this.engine.set(this.db, this.#key(key), bytes, expireAtMs, flags, nowMs);
  }

  del(...keys: KeyLike[]): number {
    const route = routes.get(this.engine);
    if (route !== undefined) {
      if (keys.length === 0) return 0;
      const argv = ["DEL", ...keys.map((key) => this.#key(key).slice())];
      return replyValue(route(this.db, argv)) as number;
    }
    const nowMs = Date.now();
    let deleted = 0;
    for (const key of keys) if (this.engine.del(this.db, this.#key(key), nowMs)) deleted++;
    return deleted;
  }

  exists(...keys: KeyLike[]): number {
    const nowMs = Date.now();
    let count = 0;
    for (const key of keys) if (this.engine.exists(this.db, this.#key(key), nowMs)) count++;
    return count;
  }

  expire(key: KeyLike, seconds: number): boolean {
    return this.pexpireAt(key, Date.now() + seconds * 1000);
  }

  pexpire(key: KeyLike, milliseconds: number): boolean {
    return this.pexpireAt(key, Date.now() + milliseconds);
  }

  pexpireAt(key: KeyLike, unixMs: number): boolean {
    const route = routes.get(this.engine);
    if (route !== undefined) {
      const argv = ["PEXPIREAT", this.#key(key).slice(), String(Math.trunc(unixMs))];
      return replyValue(route(this.db, argv)) === 1;
    }
    const nowMs = Date.now();
    const bytes = this.#key(key);
    if (!this.engine.exists(this.db, bytes, nowMs)) return false;
    if (unixMs <= nowMs) return this.engine.del(this.db, bytes, nowMs);
    return this.engine.setExpireAtMs(this.db, bytes, unixMs, nowMs);
  }

  ttl(key: KeyLike): number {
    const ms = this.pttl(key);
    return ms < 0 ? ms : Math.floor((ms + 500) / 1000);
  }

  pttl(key: KeyLike): number {
    const nowMs = Date.now();
    const at = this.engine.getExpireAtMs(this.db, this.#key(key), nowMs);
    return at < 0 ? at : Math.max(0, at - nowMs);
  }

  persist(key: KeyLike): boolean {
    const route = routes.get(this.engine);
    if (route !== undefined) return replyValue(route(this.db, ["PERSIST", this.#key(key)])) === 1;
    return this.engine.persist(this.db, this.#key(key), Date.now());
  }

  incrBy(key: KeyLike, delta: number): number {
    if (!Number.isSafeInteger(delta)) throw new RangeError("delta must be a safe integer");
    const current = this.get(key);
    const base = current === null ? 0 : Number(current);
    if (current !== null && (!/^-?\d+$/.test(current) || !Number.isSafeInteger(base))) {
      throw new TypeError("ERR value is not an integer or out of range");
    }
    const next = base + delta;
    if (!Number.isSafeInteger(next)) {
      throw new RangeError("ERR increment or decrement would overflow");
    }
    this.set(key, String(next), { keepTtl: true });
    return next;
  }

  incr(key: KeyLike): number {
    return this.incrBy(key, 1);
  }

  /** Keys matching a Redis glob pattern (decoded as UTF-8). */
  keys(pattern = "*"): string[] {
    const nowMs = Date.now();
    const patternBytes = encoder.encode(pattern);
    const seen = new Set<string>();
    const found: string[] = [];
    let cursor = 0;
    do {
      const page = this.engine.scan(this.db, cursor, 1000, -1, nowMs);
      for (const key of page.keys) {
        const tag = latin1(key);
        if (seen.has(tag) || !globMatch(patternBytes, key)) continue;
        seen.add(tag);
        found.push(decoder.decode(key));
      }
      cursor = page.cursor;
    } while (cursor !== 0);
    return found;
  }

  dbSize(): number {
    return this.engine.dbSize(this.db);
  }

  flushDb(): void {
    const route = routes.get(this.engine);
    if (route !== undefined) {
      replyValue(route(this.db, ["FLUSHDB"]));
      return;
    }
    this.engine.flushDb(this.db);
  }

  /** The same engine seen through another database index. */
  select(db: number): Store {
    return new Store(this.engine, db);
  }
}
