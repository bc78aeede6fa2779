// The TypeScript face of the WebAssembly keyspace engine (wasm/assembly/, built to
// wasm/build/engine.wasm).
//
// Shaped for the hot path: every method copies its key (and value) bytes into the engine's
// staging region, calls one exported function with numbers only, and reads the answer from
// the engine's result cells or from engine memory they point at. Nothing on the GET path
// allocates except the returned subarray view. Any engine call may grow WebAssembly memory,
// which detaches the old ArrayBuffer; a detached view reports byteLength 0, so the cached
// views are checked with that one comparison and rebuilt only after a grow.
//
// The engine's status codes (negative returns, abi.ts) become typed errors here:
// STATUS_WRONGTYPE → WrongTypeError, STATUS_OOM → OutOfMemoryError. Engine invariant failures
// (an AssemblyScript assert) arrive as EngineInvariantError; the instance must not be used after
// one. Every number the engine and this file both know comes from abi.ts.
//
// Host values: a stream is too rich for a flat value block, so the host holds it (core/streams/)
// and the engine's entry holds a handle into this object's table (wasm/assembly/stream.ts).
// This class keeps the two sides honest: copy() deep-copies a stream so no two keys share one,
// and reclaimHostValues() drops the values whose key the engine no longer has (deleted,
// overwritten, expired, flushed, evicted): the engine counts its stream entries, and when the
// table holds more values than that, one walk lists the handles still referenced.

import {
  DB_COUNT,
  ENCODING_HINT_NOT_INT,
  ENCODING_HINT_RAW,
  PIPELINE_CELL_CALLS,
  PIPELINE_CELL_DIRTY,
  PIPELINE_CELL_HITS,
  PIPELINE_CELL_LAST_COMMAND,
  PIPELINE_CELL_MISSES,
  PIPELINE_CELL_OUT_LEN,
  PIPELINE_CELL_OUT_PTR,
  PIPELINE_CMD_COUNT,
  RESULT_COL_STATUS,
  RESULT_CURSOR,
  RESULT_EXPIRED_LOG_LEN,
  RESULT_LEN,
  RESULT_OUT_LEN,
  RESULT_OUT_PTR,
  RESULT_PTR,
  RESULT_STAGING,
  SET_ENCODING_SHIFT,
  SET_KEEPTTL,
  SET_NX,
  SET_XX,
  STATUS_MISSING,
  STATUS_OOM,
  STATUS_WRONGTYPE,
  TYPE_HASH,
  TYPE_LIST,
  TYPE_SET,
  TYPE_STREAM,
  TYPE_STRING,
  TYPE_ZSET,
} from "./abi.ts";

/** The counts and replies of one {@linkcode Engine.runPipeline} call. */
export interface PipelineResult {
  /** Calls per command id (abi.ts PIPELINE_CMD_*). */
  calls: Uint32Array;
  /** GETs that found their key, and that did not. */
  hits: number;
  misses: number;
  /** Writes that changed a key (each adds one to the server's dirty count). */
  dirty: number;
  /** The id of the last command run, -1 when none ran. */
  lastCommand: number;
  /** The RESP replies of the commands run, in order. */
  replies: Uint8Array;
}

export { DB_COUNT, ENCODING_HINT_NOT_INT, ENCODING_HINT_RAW, SET_KEEPTTL, SET_NX, SET_XX };

/** Value type tags stored with every key (abi.ts TYPE_*), as typeOf returns them. */
export const enum ValueType {
  String = TYPE_STRING,
  List = TYPE_LIST,
  Set = TYPE_SET,
  Zset = TYPE_ZSET,
  Hash = TYPE_HASH,
  Stream = TYPE_STREAM,
}

/**
 * A value the host holds for an engine key (a stream): COPY deep-copies it through clone()
 * (which throws on OOM having kept nothing), and release() gives its engine memory back once
 * no key holds it.
 */
export interface HostValue {
  clone(): HostValue;
  release(): void;
}

/** set() flags carrying an encoding hint (abi.ts ENCODING_HINT_*, in SET_ENCODING_SHIFT). */
export const SET_ENCODING_RAW = ENCODING_HINT_RAW << SET_ENCODING_SHIFT;
export const SET_ENCODING_NOT_INT = ENCODING_HINT_NOT_INT << SET_ENCODING_SHIFT;

/** The key holds a value of another type than the command works on. */
export class WrongTypeError extends Error {
  constructor() {
    super("WRONGTYPE Operation against a key holding the wrong kind of value");
    this.name = "WrongTypeError";
  }
}

/** The engine could not allocate (its page ceiling or the host refused memory). */
export class OutOfMemoryError extends Error {
  constructor() {
    super("ERR out of memory allocating the value (engine memory limit reached)");
    this.name = "OutOfMemoryError";
  }
}

/** An engine invariant failed (a bug); the engine instance is unusable afterwards. */
export class EngineInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EngineInvariantError";
  }
}

/** A key deleted by lazy or active expiry. */
export interface ExpiredKey {
  db: number;
  /** A copy of the key bytes (a view into a buffer shared by one drain's keys). */
  key: Uint8Array;
}

/** One page of SCAN results. */
export interface ScanPage {
  /** Cursor for the next call; 0 when the scan is complete. */
  cursor: number;
  /** Copies of the keys found (views into one buffer owned by this page, not the engine). */
  keys: Uint8Array[];
}

/**
 * The encoding thresholds of {@linkcode Engine.setEncodingLimits}, named after the Redis 7.0
 * directives they come from.
 */
export interface EncodingLimits {
  /** hash-max-listpack-entries. @default 512 */
  hashEntries: number;
  /** hash-max-listpack-value, bytes. @default 64 */
  hashValueBytes: number;
  /** set-max-intset-entries. @default 512 */
  setIntsetEntries: number;
  /** zset-max-listpack-entries. @default 128 */
  zsetEntries: number;
  /** zset-max-listpack-value, bytes. @default 64 */
  zsetValueBytes: number;
}

/** Options for {@linkcode Engine.create}. */
export interface EngineOptions {
  /**
   * Ceiling on engine heap pages (64 KiB each); allocations beyond it fail with
   * OutOfMemoryError.
   * @default the wasm32 maximum (just under 4 GiB)
   */
  maxPages?: number;
}

/** Result cell word indexes (u32): abi.ts RESULT_* byte offsets / 4 (wasm/assembly/boundary.ts). */
const CELL_PTR = RESULT_PTR >>> 2;
const CELL_LEN = RESULT_LEN >>> 2;
const CELL_CURSOR = RESULT_CURSOR >>> 2;
const CELL_STAGING = RESULT_STAGING >>> 2;
const CELL_EXPIRED_LOG_LEN = RESULT_EXPIRED_LOG_LEN >>> 2;
const CELL_OUT_PTR = RESULT_OUT_PTR >>> 2;
const CELL_OUT_LEN = RESULT_OUT_LEN >>> 2;
const CELL_COL_STATUS = RESULT_COL_STATUS >>> 2;
/** Returned by drainExpired when nothing expired: the per-command check allocates nothing. */
const NO_EXPIRED_KEYS: readonly ExpiredKey[] = Object.freeze([]);

/** A staging region above this size is given back after the call that needed it. */
const STAGING_KEEP_MAX_BYTES = 1 << 20;
/** A staging region above this size is given back by trimStaging (the engine starts at 4 KiB). */
const STAGING_TRIM_MIN_BYTES = 64 * 1024;
/** Values above this size bypass staging: the engine sizes their block, the host fills it. */
const DIRECT_VALUE_MIN_BYTES = 64 * 1024;
/** Keys up to this length are copied with a loop (cheaper than TypedArray#set for short keys). */
const SHORT_COPY_MAX_BYTES = 24;
/** Host value handles are u31 (engine exports return them as i32); 0 is never issued. */
const HOST_HANDLE_MAX = 0x7fffffff;
/**
 * Unreferenced host values tolerated before a sweep runs at once: a sweep walks every key, so
 * it waits for at least this many (and as many as are alive) unless the last sweep is old.
 */
const HOST_GARBAGE_MIN = 64;
/** A sweep for any garbage at all runs at most this often (bounds a dropped huge stream's life). */
const HOST_SWEEP_INTERVAL_MS = 1000;

/** Exports of engine.wasm (wasm/assembly/index.ts lists the module holding each contract). */
interface EngineExports {
  memory: WebAssembly.Memory;
  init(seedLow: number, seedHigh: number): number;
  resultCellsPtr(): number;
  reserveStaging(sizeBytes: number): number;
  shrinkStaging(): number;
  stagingCapacity(): number;
  getString(db: number, keyLen: number, nowMs: number): number;
  pipelineInput(lenBytes: number): number;
  runPipeline(
    db: number,
    inLen: number,
    nowMs: number,
    flags: number,
    maxCommands: number,
    outMaxBytes: number,
  ): number;
  pipelineCellsPtr(): number;
  setString(
    db: number,
    keyLen: number,
    valueLen: number,
    expireAtMs: number,
    flags: number,
    nowMs: number,
    valueStaged: number,
  ): number;
  appendString(
    db: number,
    keyLen: number,
    suffixLen: number,
    nowMs: number,
    suffixStaged: number,
  ): number;
  delKey(db: number, keyLen: number, nowMs: number): number;
  unlinkKey(db: number, keyLen: number, nowMs: number): number;
  existsKey(db: number, keyLen: number, nowMs: number): number;
  typeOf(db: number, keyLen: number, nowMs: number): number;
  encodingHint(db: number, keyLen: number, nowMs: number): number;
  getExpireAtMs(db: number, keyLen: number, nowMs: number): number;
  setExpireAtMs(db: number, keyLen: number, expireAtMs: number, nowMs: number): number;
  persistKey(db: number, keyLen: number, nowMs: number): number;
  renameKey(
    srcDb: number,
    keyLen: number,
    dstDb: number,
    dstKeyLen: number,
    nx: number,
    nowMs: number,
  ): number;
  copyKey(
    srcDb: number,
    keyLen: number,
    dstDb: number,
    dstKeyLen: number,
    replace: number,
    nowMs: number,
  ): number;
  dbSize(db: number): number;
  dbExpiresCount(db: number): number;
  flushDb(db: number): void;
  flushAll(): void;
  flushDbAsync(db: number): void;
  flushAllAsync(): void;
  lazyFreeStep(budget: number): number;
  lazyFreePendingObjects(): number;
  lazyFreedObjects(): number;
  setLazyFreeModes(modes: number): void;
  swapDb(a: number, b: number): void;
  rehashStep(steps: number): number;
  scan(db: number, cursor: number, count: number, typeFilter: number, nowMs: number): number;
  randomKey(db: number, nowMs: number): number;
  evictionCandidate(policy: number, samples: number, nowMs: number): number;
  accessInfo(db: number, keyLen: number, nowMs: number): number;
  setAccessInfo(db: number, keyLen: number, nowMs: number, value: number): number;
  setTouchSuppressed(on: number): void;
  setAccessMode(mode: number, logFactor: number, decayTimeMinutes: number): void;
  setEncodingLimits(
    hashEntries: number,
    hashValueBytes: number,
    setIntsetEntries: number,
    zsetEntries: number,
    zsetValueBytes: number,
  ): void;
  activeExpireCycle(nowMs: number, timeBudgetMs: number): number;
  expiredLogInfo(): void;
  expiredLogReset(): void;
  setExpireDeletes(on: number): void;
  usedMemoryBytes(): number;
  pageCount(): number;
  freePageCount(): number;
  setMaxPages(pageCountMax: number): void;
  streamOpen(db: number, keyLen: number, nowMs: number, forWrite: number): number;
  streamOpenOrCreate(db: number, keyLen: number, nowMs: number, handle: number): number;
  streamSetHandle(db: number, keyLen: number, nowMs: number, handle: number): number;
  streamCount(): number;
  streamCollectHandles(): number;
}

/** Where writeOut puts records: the reply writer's shape, without depending on it. */
export interface BulkSink {
  arrayHeader(count: number): void;
  bulkSlice(source: Uint8Array, start: number, lengthBytes: number): void;
}

/** See Engine.internals. */
export interface EngineInternals {
  /** Every WASM export, untyped (a type module declares the ones it calls). */
  readonly exports: Record<string, (...args: number[]) => number>;
  /** Current whole-memory views (refreshed after memory growth). */
  bytes(): Uint8Array;
  words(): Uint32Array;
  /** Engine address of the staging region (key first, then the module's arguments). */
  stagingPtr(): number;
  /** Copies parts back to back into staging (parts[0] = key, bare); returns bytes staged. */
  stage(parts: readonly Uint8Array[], framed: boolean): number;
  /** The out buffer's [u32 len][bytes] records, as copies. */
  readOut(): Uint8Array[];
  /**
   * Writes the out buffer's records straight from engine memory into a reply: as an array of
   * bulks, or (asArray false) the first record as one bulk. Returns the record count.
   */
  writeOut(sink: BulkSink, asArray: boolean): number;
  /** Outcome of the last colOpen* call: COL_OK or a STATUS_* (abi.ts). */
  colStatus(): number;
  /** Host values by handle (streams), see the file comment. */
  readonly hostValues: Map<number, HostValue>;
  /** A handle not in hostValues (wraps around past HOST_HANDLE_MAX). */
  newHostHandle(): number;
}

let compiledModule: WebAssembly.Module | undefined;

function engineModule(): WebAssembly.Module {
  if (compiledModule === undefined) {
    const wasmBytes = Deno.readFileSync(new URL("../../wasm/build/engine.wasm", import.meta.url));
    compiledModule = new WebAssembly.Module(wasmBytes);
  }
  return compiledModule;
}

/** Reads an AssemblyScript static string (UTF-16, byte length stored just before it). */
function readEngineString(memory: WebAssembly.Memory, ptr: number): string {
  if (ptr === 0) return "";
  const byteLength = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, byteLength >>> 1));
}

/**
 * The keyspace: 16 databases of binary-safe keys with TTLs, held in WebAssembly memory.
 *
 * Every method takes `nowMs` (Unix ms) so expiry is decided by the caller's clock, and every
 * returned view into engine memory is valid only until the next call on the engine.
 *
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * const engine = Engine.create();
 * const key = new TextEncoder().encode("greeting");
 * engine.set(0, key, new TextEncoder().encode("hello"), 0, 0, Date.now());
 * const view = engine.getString(0, key, Date.now());
 * console.assert(new TextDecoder().decode(view!) === "hello");
 * ```
 */
export class Engine {
  readonly #exports: EngineExports;
  readonly #memory: WebAssembly.Memory;
  /** Whole-memory views, rebuilt after memory.grow (detached views have byteLength 0). */
  #bytes: Uint8Array;
  #words: Uint32Array;
  /** Index of the result cells in #words. */
  readonly #cellsIndex: number;
  #stagingPtr: number;
  #stagingCapacityBytes: number;
  // Hot exports bound once.
  readonly #getString: EngineExports["getString"];
  readonly #setString: EngineExports["setString"];
  readonly #delKey: EngineExports["delKey"];
  readonly #existsKey: EngineExports["existsKey"];
  #internals: EngineInternals | undefined;
  /** Mirror of the engine's expireDeletes flag (on at creation). */
  #expireDeletes = true;
  /** Host values (streams) by handle; an engine entry of TYPE_STREAM holds the handle. */
  readonly #hostValues = new Map<number, HostValue>();
  #nextHostHandle = 1;
  #lastHostSweepMs = 0;

  private constructor(exports: EngineExports) {
    this.#exports = exports;
    this.#memory = exports.memory;
    this.#bytes = new Uint8Array(this.#memory.buffer);
    this.#words = new Uint32Array(this.#memory.buffer);
    const cellsPtr = exports.resultCellsPtr();
    if (cellsPtr % 4 !== 0) throw new EngineInvariantError("result cells are not aligned");
    this.#cellsIndex = cellsPtr >>> 2;
    this.#stagingPtr = this.#words[this.#cellsIndex + CELL_STAGING];
    this.#stagingCapacityBytes = exports.stagingCapacity();
    this.#getString = exports.getString;
    this.#setString = exports.setString;
    this.#delKey = exports.delKey;
    this.#existsKey = exports.existsKey;
  }

  /**
   * Instantiates the engine synchronously from the committed wasm/build/engine.wasm.
   *
   * @example
   * ```ts
   * import { Engine } from "./engine.ts";
   * const engine = Engine.create({ maxPages: 1024 });
   * console.assert(engine.dbSize(0) === 0);
   * ```
   */
  static create(options: EngineOptions = {}): Engine {
    const bound: { memory?: WebAssembly.Memory } = {};
    const imports = {
      env: {
        abort(messagePtr: number, fileNamePtr: number, line: number, column: number): never {
          const message = bound.memory ? readEngineString(bound.memory, messagePtr) : "";
          const fileName = bound.memory ? readEngineString(bound.memory, fileNamePtr) : "";
          throw new EngineInvariantError(
            `engine invariant failed: ${message} at ${fileName}:${line}:${column}`,
          );
        },
        monotonicMs: () => performance.now(),
      },
    };
    const instance = new WebAssembly.Instance(engineModule(), imports);
    const exports = instance.exports as unknown as EngineExports;
    bound.memory = exports.memory;
    const seed = crypto.getRandomValues(new Uint32Array(2));
    if (exports.init(seed[0], seed[1]) !== 1) throw new OutOfMemoryError();
    const engine = new Engine(exports);
    if (options.maxPages !== undefined) engine.setMaxPages(options.maxPages);
    return engine;
  }

  // ── Staging ─────────────────────────────────────────────────────────────────────────

  #refreshViews(): void {
    const buffer = this.#memory.buffer;
    this.#bytes = new Uint8Array(buffer);
    this.#words = new Uint32Array(buffer);
  }

  /** Fresh whole-memory byte view. */
  #view(): Uint8Array {
    if (this.#bytes.byteLength === 0) this.#refreshViews();
    return this.#bytes;
  }

  #reserveStaging(sizeBytes: number): void {
    if (sizeBytes > 0xffffffff) throw new OutOfMemoryError();
    // Grow geometrically for small regions, exactly for large ones (no 2× of a huge value).
    const want = sizeBytes <= STAGING_KEEP_MAX_BYTES
      ? Math.max(sizeBytes, this.#stagingCapacityBytes * 2)
      : sizeBytes;
    if (this.#exports.reserveStaging(want) !== 1) {
      if (want === sizeBytes || this.#exports.reserveStaging(sizeBytes) !== 1) {
        throw new OutOfMemoryError();
      }
    }
    this.#refreshViews();
    this.#stagingPtr = this.#words[this.#cellsIndex + CELL_STAGING];
    this.#stagingCapacityBytes = this.#exports.stagingCapacity();
  }

  /** Gives a large staging region back once the call that needed it is over. */
  #releaseLargeStaging(): void {
    if (this.#stagingCapacityBytes <= STAGING_KEEP_MAX_BYTES) return;
    if (this.#exports.shrinkStaging() !== 1) throw new OutOfMemoryError();
    this.#refreshViews();
    this.#stagingPtr = this.#words[this.#cellsIndex + CELL_STAGING];
    this.#stagingCapacityBytes = this.#exports.stagingCapacity();
  }

  /**
   * Gives back a staging region grown past its initial size by a big command (kept up to
   * STAGING_KEEP_MAX_BYTES for reuse meanwhile), as Redis trims an idle client's query buffer
   * in clientsCron: the server's cron calls it, so used_memory settles after a large SADD.
   */
  trimStaging(): void {
    if (this.#stagingCapacityBytes <= STAGING_TRIM_MIN_BYTES) return;
    if (this.#exports.shrinkStaging() !== 1) throw new OutOfMemoryError();
    this.#refreshViews();
    this.#stagingPtr = this.#words[this.#cellsIndex + CELL_STAGING];
    this.#stagingCapacityBytes = this.#exports.stagingCapacity();
  }

  /** Copies key to the start of staging. */
  #stageKey(key: Uint8Array): void {
    const keyLen = key.length;
    if (keyLen > this.#stagingCapacityBytes) this.#reserveStaging(keyLen);
    const bytes = this.#bytes.byteLength === 0 ? this.#view() : this.#bytes;
    const at = this.#stagingPtr;
    if (keyLen <= SHORT_COPY_MAX_BYTES) {
      for (let i = 0; i < keyLen; i++) bytes[at + i] = key[i];
    } else {
      bytes.set(key, at);
    }
  }

  /** Copies first then second back to back into staging. */
  #stagePair(first: Uint8Array, second: Uint8Array): void {
    const totalBytes = first.length + second.length;
    if (totalBytes > this.#stagingCapacityBytes) this.#reserveStaging(totalBytes);
    const bytes = this.#bytes.byteLength === 0 ? this.#view() : this.#bytes;
    const at = this.#stagingPtr;
    const firstLen = first.length;
    if (firstLen <= SHORT_COPY_MAX_BYTES) {
      for (let i = 0; i < firstLen; i++) bytes[at + i] = first[i];
    } else {
      bytes.set(first, at);
    }
    const secondAt = at + firstLen;
    const secondLen = second.length;
    if (secondLen <= SHORT_COPY_MAX_BYTES) {
      for (let i = 0; i < secondLen; i++) bytes[secondAt + i] = second[i];
    } else {
      bytes.set(second, secondAt);
    }
  }

  /** Copies bytes to the engine address in the ptr cell (the block an export just sized). */
  #writeAtResult(source: Uint8Array): void {
    const bytes = this.#view();
    bytes.set(source, this.#words[this.#cellsIndex + CELL_PTR]);
  }

  // ── Extension surface for the collection types ────────────────────────────────────────

  /**
   * Low-level access for the per-type modules beside this file (hash.ts, list.ts, set.ts,
   * zset.ts). Not part of the public API: it exposes raw exports and memory so each type's
   * binding can stage its own argument layout and read its own replies.
   */
  get internals(): EngineInternals {
    if (this.#internals) return this.#internals;
    this.#internals = {
      exports: this.#exports as unknown as Record<string, (...args: number[]) => number>,
      bytes: () => this.#view(),
      words: () => {
        this.#view();
        return this.#words;
      },
      stagingPtr: () => this.#stagingPtr,
      stage: (parts: readonly Uint8Array[], framed: boolean): number => {
        // The key (parts[0]) is always written bare; with `framed`, every later part is
        // written as [u32 len][bytes] so the module can walk a variable argument list.
        let totalBytes = parts.length === 0 ? 0 : parts[0].length;
        for (let i = 1; i < parts.length; i++) totalBytes += (framed ? 4 : 0) + parts[i].length;
        if (totalBytes > this.#stagingCapacityBytes) this.#reserveStaging(totalBytes);
        const bytes = this.#view();
        let at = this.#stagingPtr;
        for (let i = 0; i < parts.length; i++) {
          const part = parts[i];
          if (framed && i > 0) {
            const len = part.length;
            bytes[at] = len & 0xff;
            bytes[at + 1] = (len >>> 8) & 0xff;
            bytes[at + 2] = (len >>> 16) & 0xff;
            bytes[at + 3] = len >>> 24;
            at += 4;
          }
          if (part.length <= SHORT_COPY_MAX_BYTES) {
            for (let j = 0; j < part.length; j++) bytes[at + j] = part[j];
          } else bytes.set(part, at);
          at += part.length;
        }
        return totalBytes;
      },
      readOut: (): Uint8Array[] => {
        this.#view();
        const words = this.#words;
        const outPtr = words[this.#cellsIndex + CELL_OUT_PTR];
        const outLenBytes = words[this.#cellsIndex + CELL_OUT_LEN];
        const copied = this.#view().slice(outPtr, outPtr + outLenBytes);
        const records: Uint8Array[] = [];
        let at = 0;
        while (at < outLenBytes) {
          const len = copied[at] | (copied[at + 1] << 8) | (copied[at + 2] << 16) |
            (copied[at + 3] << 24);
          records.push(copied.subarray(at + 4, at + 4 + (len >>> 0)));
          at += 4 + (((len >>> 0) + 3) & ~3);
        }
        return records;
      },
      writeOut: (sink: BulkSink, asArray: boolean): number => {
        this.#view();
        const words = this.#words;
        const bytes = this.#bytes;
        const outPtr = words[this.#cellsIndex + CELL_OUT_PTR];
        const endPtr = outPtr + words[this.#cellsIndex + CELL_OUT_LEN];
        let count = 0;
        for (let at = outPtr; at < endPtr; count++) at += 4 + ((words[at >>> 2] + 3) & ~3);
        if (asArray) sink.arrayHeader(count);
        for (let at = outPtr, i = 0; at < endPtr && (asArray || i < 1); i++) {
          const len = words[at >>> 2];
          sink.bulkSlice(bytes, at + 4, len);
          at += 4 + ((len + 3) & ~3);
        }
        return count;
      },
      colStatus: () => {
        this.#view();
        const words = this.#words;
        return words[this.#cellsIndex + CELL_COL_STATUS] | 0;
      },
      hostValues: this.#hostValues,
      newHostHandle: () => this.#newHostHandle(),
    };
    return this.#internals;
  }

  // ── Strings ─────────────────────────────────────────────────────────────────────────

  /**
   * The string value at key as a view into engine memory (valid until the next engine
   * call), or null if the key is missing or expired.
   *
   * @throws {WrongTypeError} the key holds another type.
   */
  getString(db: number, key: Uint8Array, nowMs: number): Uint8Array | null {
    this.#stageKey(key);
    const valueLen = this.#getString(db, key.length, nowMs);
    if (valueLen < 0) {
      if (valueLen === STATUS_MISSING) return null;
      throw new WrongTypeError();
    }
    if (this.#bytes.byteLength === 0) this.#refreshViews();
    const valuePtr = this.#words[this.#cellsIndex + CELL_PTR];
    return this.#bytes.subarray(valuePtr, valuePtr + valueLen);
  }

  /**
   * Runs the pipelined commands at the start of `request`, RESP bytes as a client sent them, in
   * one engine call (wasm/assembly/pipeline.ts says which commands, and where it stops and
   * why). Returns the bytes of the commands it ran; their replies and counts are in
   * {@linkcode Engine.pipelineResult} until the next engine call.
   */
  runPipeline(
    db: number,
    request: Uint8Array,
    nowMs: number,
    flags: number,
    maxCommands: number,
    outMaxBytes: number,
  ): number {
    const exports = this.#exports;
    const inLen = request.length;
    const inputPtr = exports.pipelineInput(inLen);
    if (inputPtr === 0) return 0;
    this.#view().set(request, inputPtr);
    const consumed = exports.runPipeline(db, inLen, nowMs, flags, maxCommands, outMaxBytes);
    // The pipeline may have grown staging (and memory): take both afresh.
    this.#refreshViews();
    this.#stagingPtr = this.#words[this.#cellsIndex + CELL_STAGING];
    this.#stagingCapacityBytes = exports.stagingCapacity();
    const cellsIndex = exports.pipelineCellsPtr() >>> 2;
    const words = this.#words;
    const result = this.pipelineResult;
    result.hits = words[cellsIndex + (PIPELINE_CELL_HITS >>> 2)];
    result.misses = words[cellsIndex + (PIPELINE_CELL_MISSES >>> 2)];
    result.dirty = words[cellsIndex + (PIPELINE_CELL_DIRTY >>> 2)];
    result.lastCommand = words[cellsIndex + (PIPELINE_CELL_LAST_COMMAND >>> 2)] | 0;
    const callsIndex = cellsIndex + (PIPELINE_CELL_CALLS >>> 2);
    for (let id = 0; id < PIPELINE_CMD_COUNT; id++) result.calls[id] = words[callsIndex + id];
    const outPtr = words[cellsIndex + (PIPELINE_CELL_OUT_PTR >>> 2)];
    result.replies = this.#bytes.subarray(
      outPtr,
      outPtr + words[cellsIndex + (PIPELINE_CELL_OUT_LEN >>> 2)],
    );
    return consumed;
  }

  /** What the last runPipeline did; `replies` is a view valid until the next engine call. */
  readonly pipelineResult: PipelineResult = {
    calls: new Uint32Array(PIPELINE_CMD_COUNT),
    hits: 0,
    misses: 0,
    dirty: 0,
    lastCommand: -1,
    replies: new Uint8Array(0),
  };

  /**
   * Stores a string. expireAtMs is an absolute Unix time in ms, 0 for no TTL (which clears
   * an existing TTL unless flags has SET_KEEPTTL). Overwrites keys of any type.
   *
   * @returns true if written, false if SET_NX / SET_XX prevented it.
   * @throws {OutOfMemoryError} nothing was changed.
   */
  set(
    db: number,
    key: Uint8Array,
    value: Uint8Array,
    expireAtMs: number,
    flags: number,
    nowMs: number,
  ): boolean {
    if (!(expireAtMs >= 0)) throw new RangeError(`expireAtMs must be >= 0, got ${expireAtMs}`);
    if (value.length > DIRECT_VALUE_MIN_BYTES) {
      // Large value: stage the key only, then write the value straight into its block.
      this.#stageKey(key);
      const status = this.#setString(db, key.length, value.length, expireAtMs, flags, nowMs, 0);
      if (status < 0) throw new OutOfMemoryError();
      if (status === 1) this.#writeAtResult(value);
      this.#releaseLargeStaging();
      return status === 1;
    }
    this.#stagePair(key, value);
    const status = this.#setString(db, key.length, value.length, expireAtMs, flags, nowMs, 1);
    if (this.#stagingCapacityBytes > STAGING_KEEP_MAX_BYTES) this.#releaseLargeStaging();
    if (status < 0) throw new OutOfMemoryError();
    return status === 1;
  }

  /**
   * Appends to a string, creating it if missing; the TTL is kept.
   *
   * @returns the new length.
   * @throws {WrongTypeError} the key holds another type.
   * @throws {OutOfMemoryError} nothing was changed.
   */
  append(db: number, key: Uint8Array, value: Uint8Array, nowMs: number): number {
    const direct = value.length > DIRECT_VALUE_MIN_BYTES;
    if (direct) this.#stageKey(key);
    else this.#stagePair(key, value);
    const result = this.#exports.appendString(db, key.length, value.length, nowMs, direct ? 0 : 1);
    if (result >= 0 && direct) this.#writeAtResult(value);
    if (this.#stagingCapacityBytes > STAGING_KEEP_MAX_BYTES) this.#releaseLargeStaging();
    if (result === STATUS_WRONGTYPE) throw new WrongTypeError();
    if (result < 0) throw new OutOfMemoryError();
    return result;
  }

  // ── Keys ────────────────────────────────────────────────────────────────────────────

  /** Deletes a key; true if a live key was removed. */
  del(db: number, key: Uint8Array, nowMs: number): boolean {
    this.#stageKey(key);
    return this.#delKey(db, key.length, nowMs) === 1;
  }

  /**
   * UNLINK: deletes a key as del does, but a value costing more than Redis's LAZYFREE_THRESHOLD
   * to free goes to the engine's lazy-free queue (wasm/assembly/lazyfree.ts; lazyFreeStep).
   */
  unlink(db: number, key: Uint8Array, nowMs: number): boolean {
    this.#stageKey(key);
    return this.#exports.unlinkKey(db, key.length, nowMs) === 1;
  }

  /** True if the key exists and has not expired. */
  exists(db: number, key: Uint8Array, nowMs: number): boolean {
    this.#stageKey(key);
    return this.#existsKey(db, key.length, nowMs) === 1;
  }

  /** The key's ValueType tag, or STATUS_MISSING (-1) if missing. */
  typeOf(db: number, key: Uint8Array, nowMs: number): number {
    this.#stageKey(key);
    return this.#exports.typeOf(db, key.length, nowMs);
  }

  /** The ENCODING_HINT_* bits stored with a string by set()/append(), or -1 if missing. */
  encodingHint(db: number, key: Uint8Array, nowMs: number): number {
    this.#stageKey(key);
    return this.#exports.encodingHint(db, key.length, nowMs);
  }

  /** -2 if missing, -1 if the key has no TTL, else its absolute expiry in Unix ms. */
  getExpireAtMs(db: number, key: Uint8Array, nowMs: number): number {
    this.#stageKey(key);
    return this.#exports.getExpireAtMs(db, key.length, nowMs);
  }

  /**
   * Sets an absolute TTL (Unix ms, > 0) on an existing key. The caller deletes the key
   * instead when expireAtMs <= nowMs.
   *
   * @returns false if the key is missing.
   * @throws {RangeError} expireAtMs is not a positive integer.
   * @throws {OutOfMemoryError} the TTL index could not grow; nothing was changed.
   */
  setExpireAtMs(db: number, key: Uint8Array, expireAtMs: number, nowMs: number): boolean {
    if (!Number.isSafeInteger(expireAtMs) || expireAtMs <= 0) {
      throw new RangeError(`expireAtMs must be a positive integer, got ${expireAtMs}`);
    }
    this.#stageKey(key);
    const status = this.#exports.setExpireAtMs(db, key.length, expireAtMs, nowMs);
    if (status === STATUS_OOM) throw new OutOfMemoryError();
    return status === 1;
  }

  /** Removes the key's TTL; true if there was one. */
  persist(db: number, key: Uint8Array, nowMs: number): boolean {
    this.#stageKey(key);
    return this.#exports.persistKey(db, key.length, nowMs) === 1;
  }

  /**
   * Moves (srcDb, key) with its value and TTL to (dstDb, dstKey) without copying value
   * bytes, replacing the destination unless nx.
   *
   * @returns -1 no source, 0 destination exists and nx, 1 done. The same key in the same
   * database is a no-op: 1, or 0 with nx (as RENAMENX k k replies 0 in Redis).
   * @throws {OutOfMemoryError} nothing was changed.
   */
  rename(
    srcDb: number,
    key: Uint8Array,
    dstDb: number,
    dstKey: Uint8Array,
    nx: boolean,
    nowMs: number,
  ): number {
    this.#stagePair(key, dstKey);
    const status = this.#exports.renameKey(
      srcDb,
      key.length,
      dstDb,
      dstKey.length,
      nx ? 1 : 0,
      nowMs,
    );
    if (status === STATUS_OOM) throw new OutOfMemoryError();
    return status;
  }

  /**
   * Deep-copies value and TTL of (srcDb, key) to (dstDb, dstKey).
   *
   * @returns -1 no source, 0 destination exists and !replace (or is the source itself),
   * 1 done.
   * @throws {OutOfMemoryError} nothing was changed.
   */
  copy(
    srcDb: number,
    key: Uint8Array,
    dstDb: number,
    dstKey: Uint8Array,
    replace: boolean,
    nowMs: number,
  ): number {
    // A stream's deep copy is made first, so running out of memory changes nothing.
    const sourceValue = this.#hostValueAt(srcDb, key, nowMs);
    const copiedValue = sourceValue?.clone();
    this.#stagePair(key, dstKey);
    const status = this.#exports.copyKey(
      srcDb,
      key.length,
      dstDb,
      dstKey.length,
      replace ? 1 : 0,
      nowMs,
    );
    if (status !== 1 || copiedValue === undefined) {
      copiedValue?.release();
      if (status === STATUS_OOM) throw new OutOfMemoryError();
      return status;
    }
    // The copy still holds the source's handle: give it its own value.
    const copyHandle = this.#newHostHandle();
    this.#hostValues.set(copyHandle, copiedValue);
    this.#stageKey(dstKey);
    if (this.#exports.streamSetHandle(dstDb, dstKey.length, nowMs, copyHandle) !== 1) {
      throw new EngineInvariantError("COPY: the copied stream vanished");
    }
    return status;
  }

  /** The host value (stream) at a key, or undefined when the key holds none. */
  #hostValueAt(db: number, key: Uint8Array, nowMs: number): HostValue | undefined {
    this.#stageKey(key);
    const handle = this.#exports.streamOpen(db, key.length, nowMs, 0);
    if (handle < 0) return undefined; // missing, or not a stream
    const value = this.#hostValues.get(handle);
    if (value === undefined) throw new EngineInvariantError(`stream handle ${handle} unknown`);
    return value;
  }

  #newHostHandle(): number {
    for (;;) {
      const handle = this.#nextHostHandle;
      this.#nextHostHandle = handle === HOST_HANDLE_MAX ? 1 : handle + 1;
      if (!this.#hostValues.has(handle)) return handle;
    }
  }

  /**
   * Drops host values (streams) no key refers to any more. Cheap unless there is garbage: a
   * sweep walks every key, so it runs when the unreferenced values are at least
   * HOST_GARBAGE_MIN and as many as the live ones, or when any exist and the last sweep is
   * HOST_SWEEP_INTERVAL_MS old, or when any exist and `force` (eviction: a stream's blocks
   * count as used memory until swept). Each dropped value's engine memory is freed. Returns
   * the values dropped.
   */
  reclaimHostValues(nowMs: number, force = false): number {
    const alive = this.#exports.streamCount();
    const garbage = this.#hostValues.size - alive;
    if (garbage <= 0) return 0;
    const due = force || nowMs - this.#lastHostSweepMs >= HOST_SWEEP_INTERVAL_MS;
    if (!due && garbage < Math.max(HOST_GARBAGE_MIN, alive)) return 0;
    this.#lastHostSweepMs = nowMs;
    const count = this.#exports.streamCollectHandles();
    if (count < 0) return 0; // no memory for the list: keep everything, try again later
    this.#view();
    const words = this.#words;
    const listIndex = words[this.#cellsIndex + CELL_PTR] >>> 2;
    const referenced = new Set<number>();
    for (let i = 0; i < count; i++) referenced.add(words[listIndex + i]);
    let dropped = 0;
    for (const handle of [...this.#hostValues.keys()]) {
      if (referenced.has(handle)) continue;
      this.#hostValues.get(handle)!.release();
      this.#hostValues.delete(handle);
      dropped++;
    }
    return dropped;
  }

  /** Host values held (referenced or not yet swept), for tests and INFO. */
  get hostValueCount(): number {
    return this.#hostValues.size;
  }

  // ── Databases ───────────────────────────────────────────────────────────────────────

  /** Keys in db, counting expired keys not yet reclaimed (like Redis's DBSIZE). */
  dbSize(db: number): number {
    return this.#exports.dbSize(db);
  }

  /** Keys in db that have a TTL. */
  expiresCount(db: number): number {
    return this.#exports.dbExpiresCount(db);
  }

  flushDb(db: number): void {
    this.#exports.flushDb(db);
  }

  flushAll(): void {
    this.#exports.flushAll();
  }

  swapDb(a: number, b: number): void {
    this.#exports.swapDb(a, b);
  }

  // ── Lazy freeing (wasm/assembly/lazyfree.ts) ────────────────────────────────────────

  /** FLUSHDB ASYNC: db (logical or staging) is empty now; its memory is freed by lazyFreeStep. */
  flushDbAsync(db: number): void {
    this.#exports.flushDbAsync(db);
  }

  /** FLUSHALL ASYNC: every logical database empty now, freed by lazyFreeStep later. */
  flushAllAsync(): void {
    this.#exports.flushAllAsync();
  }

  /**
   * Frees at most about `budget` keys, elements or nodes from the lazy-free queue; true when
   * work remains.
   */
  lazyFreeStep(budget: number): boolean {
    return this.#exports.lazyFreeStep(budget) === 1;
  }

  /** Keys and values waiting on the lazy-free queue (INFO lazyfree_pending_objects). */
  lazyFreePendingObjects(): number {
    return this.#exports.lazyFreePendingObjects();
  }

  /** Keys and values the lazy-free queue has freed since the engine started. */
  lazyFreedObjects(): number {
    return this.#exports.lazyFreedObjects();
  }

  /** Which server-side deletions are lazy (abi.ts LAZYFREE_MODE_* bits). */
  setLazyFreeModes(modes: number): void {
    this.#exports.setLazyFreeModes(modes);
  }

  /**
   * One SCAN step with Redis semantics: a reverse-binary cursor over the buckets, so every
   * key present for the whole scan is returned at least once, across incremental rehashing.
   * Expired keys are skipped. typeFilter -1 matches any type.
   *
   * @example
   * ```ts
   * import { Engine } from "./engine.ts";
   * const engine = Engine.create();
   * let cursor = 0;
   * do {
   *   const page = engine.scan(0, cursor, 100, -1, Date.now());
   *   cursor = page.cursor;
   * } while (cursor !== 0);
   * ```
   */
  scan(db: number, cursor: number, count: number, typeFilter: number, nowMs: number): ScanPage {
    const countClamped = Math.min(Math.max(Math.trunc(count), 1), 0x7fffffff);
    const status = this.#exports.scan(db, cursor >>> 0, countClamped, typeFilter, nowMs);
    if (status === STATUS_OOM) throw new OutOfMemoryError();
    const bytes = this.#view();
    const words = this.#words;
    const nextCursor = words[this.#cellsIndex + CELL_CURSOR];
    const outPtr = words[this.#cellsIndex + CELL_PTR];
    const outLenBytes = words[this.#cellsIndex + CELL_LEN];
    // One copy of the whole output; the keys are views into it (one allocation per page).
    const copied = bytes.slice(outPtr, outPtr + outLenBytes);
    const keys: Uint8Array[] = [];
    let at = 0;
    while (at < outLenBytes) {
      const keyLen = words[(outPtr + at) >>> 2];
      keys.push(copied.subarray(at + 4, at + 4 + keyLen));
      at += 4 + ((keyLen + 3) & ~3);
    }
    return { cursor: nextCursor, keys };
  }

  /** A random live key (a copy), or null if the database has none. */
  randomKey(db: number, nowMs: number): Uint8Array | null {
    const keyLen = this.#exports.randomKey(db, nowMs);
    if (keyLen < 0) return null;
    const bytes = this.#view();
    const keyPtr = this.#words[this.#cellsIndex + CELL_PTR];
    return bytes.slice(keyPtr, keyPtr + keyLen);
  }

  // ── maxmemory eviction ──────────────────────────────────────────────────────────────

  /**
   * What each key's access stamp records (core/state/eviction.ts maps maxmemory-policy to a
   * mode): ACCESS_MODE_LRU (0) the LRU clock, ACCESS_MODE_LFU (1) the LFU counter with
   * lfu-log-factor and lfu-decay-time (minutes); abi.ts.
   */
  setAccessMode(mode: 0 | 1, logFactor: number, decayTimeMinutes: number): void {
    this.#exports.setAccessMode(mode, logFactor, decayTimeMinutes);
  }

  /**
   * The thresholds past which a write converts a value to its large encoding, as Redis's
   * hash-max-listpack-entries / -value, set-max-intset-entries, zset-max-listpack-entries /
   * -value. The engine clamps each to what its small encoding holds (512 hash pairs, 64-byte
   * hash fields and values, 2^30 intset members, 1024 zset elements, 64-byte zset members).
   * Values already small stay so until a write crosses the new limit, as in Redis.
   */
  setEncodingLimits(limits: EncodingLimits): void {
    this.#exports.setEncodingLimits(
      limits.hashEntries,
      limits.hashValueBytes,
      limits.setIntsetEntries,
      limits.zsetEntries,
      limits.zsetValueBytes,
    );
  }

  /**
   * The key maxmemory eviction should remove next under `policyCode` (abi.ts EVICT_*),
   * sampling `samples` keys per database; null when no key qualifies. Nothing is deleted.
   */
  evictionCandidate(
    policyCode: number,
    samples: number,
    nowMs: number,
  ): { db: number; key: Uint8Array } | null {
    const keyLen = this.#exports.evictionCandidate(policyCode, samples, nowMs);
    if (keyLen < 0) return null;
    const keyPtr = this.#words[this.#cellsIndex + CELL_PTR];
    const db = this.#words[this.#cellsIndex + CELL_CURSOR];
    return { db, key: this.#view().slice(keyPtr, keyPtr + keyLen) };
  }

  /**
   * OBJECT IDLETIME / FREQ, without counting as an access: idle ms (LRU mode) or the LFU
   * counter (LFU mode); -1 when the key is missing.
   */
  accessInfo(db: number, key: Uint8Array, nowMs: number): number {
    this.#stageKey(key);
    return this.#exports.accessInfo(db, key.length, nowMs);
  }

  /**
   * RESTORE … IDLETIME / FREQ: in LRU mode the key reads as last used `value` seconds ago, in
   * LFU mode its counter becomes `value` (0..255). False when the key is missing.
   */
  setAccessInfo(db: number, key: Uint8Array, nowMs: number, value: number): boolean {
    this.#stageKey(key);
    return this.#exports.setAccessInfo(db, key.length, nowMs, value) === 0;
  }

  /**
   * Runs `body` with lookups that leave access stamps alone (Redis's LOOKUP_NOTOUCH: TTL,
   * TYPE, EXISTS, OBJECT, SCAN's TYPE filter do not count as a use of the key).
   */
  withoutTouch<T>(body: () => T): T {
    this.#exports.setTouchSuppressed(1);
    try {
      return body();
    } finally {
      this.#exports.setTouchSuppressed(0);
    }
  }

  // ── Expiry ──────────────────────────────────────────────────────────────────────────

  /**
   * Redis's active expiry: samples keys with a TTL per database and deletes expired ones,
   * repeating while over a quarter of a sample was expired, within timeBudgetMs.
   *
   * @returns keys expired.
   */
  activeExpireCycle(nowMs: number, timeBudgetMs: number): number {
    return this.#exports.activeExpireCycle(nowMs, timeBudgetMs);
  }

  /** Keys deleted by lazy or active expiry since the last drain, oldest first. */
  drainExpired(): readonly ExpiredKey[] {
    if (this.#words[this.#cellsIndex + CELL_EXPIRED_LOG_LEN] === 0) return NO_EXPIRED_KEYS;
    this.#exports.expiredLogInfo();
    const bytes = this.#view();
    const words = this.#words;
    const logPtr = words[this.#cellsIndex + CELL_PTR];
    const logLenBytes = words[this.#cellsIndex + CELL_LEN];
    const copied = bytes.slice(logPtr, logPtr + logLenBytes);
    const expired: ExpiredKey[] = [];
    let at = 0;
    while (at < logLenBytes) {
      const db = words[(logPtr + at) >>> 2];
      const keyLen = words[((logPtr + at) >>> 2) + 1];
      expired.push({ db, key: copied.subarray(at + 8, at + 8 + keyLen) });
      at += 8 + ((keyLen + 3) & ~3);
    }
    this.#exports.expiredLogReset();
    return expired;
  }

  /**
   * When false (replica mode) expired keys read as missing but are not deleted, and active
   * expiry does nothing; the master's DEL removes them. Default true.
   */
  setExpireDeletes(on: boolean): void {
    this.#exports.setExpireDeletes(on ? 1 : 0);
    this.#expireDeletes = on;
  }

  /** The current setExpireDeletes setting. */
  get expireDeletes(): boolean {
    return this.#expireDeletes;
  }

  /** Moves up to `steps` buckets in every rehashing database; true if work remains. */
  rehashStep(steps: number): boolean {
    return this.#exports.rehashStep(steps) === 1;
  }

  // ── Memory ──────────────────────────────────────────────────────────────────────────

  /** Bytes held by live allocations (slot or page-run sizes, headers included). */
  usedMemoryBytes(): number {
    return this.#exports.usedMemoryBytes();
  }

  /** Size of the engine's WebAssembly memory. */
  totalMemoryBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Heap pages (64 KiB) obtained so far, free or used. */
  pageCount(): number {
    return this.#exports.pageCount();
  }

  /** Heap pages currently free for reuse. */
  freePageCount(): number {
    return this.#exports.freePageCount();
  }

  /** Ceiling on heap pages; allocations beyond it throw OutOfMemoryError. */
  setMaxPages(pages: number): void {
    this.#exports.setMaxPages(Math.min(Math.max(Math.trunc(pages), 0), 0xffffffff));
  }
}
