// Stream keys: the typed binding over wasm/assembly/stream.ts. The engine keeps a stream key's
// entry (TTL, LRU, snapshot marks, RENAME …) with a handle in its value words; the stream
// itself (core/streams/ Stream) sits in the engine object's host value table under that
// handle. These functions turn a key into its Stream and back, so no caller sees handles.
//
// Why the structure lives on the host side: a stream is four kinds of ordered structure at once
// (entries by ID, groups by name, a PEL per group and per consumer) mutated in place by most
// commands, read back in ID order, and shared between a group's PEL and its consumers'. Held in
// AssemblyScript it would be Redis's radix trees ported, a project of its own. But its bytes —
// the node listpacks, nearly all of a stream's size — are allocated in engine memory through
// streamMemory() below, so used_memory, maxmemory and eviction count them as Redis does. A
// handle keeps everything the keyspace does to keys in the engine (expiry, eviction sampling,
// RENAME / MOVE / SWAPDB / FLUSH, snapshot marks). What it must then ensure, and does
// (tests/stream_storage_test.ts):
//   - no two keys share a stream: COPY deep-copies (Engine.copy), every other move is the
//     entry's own, handle included;
//   - a stream whose key went is unreachable (only an engine entry leads to a handle) and its
//     memory freed: Engine.reclaimHostValues sweeps handles no entry holds and releases their
//     blocks (from the cron, from stream creation, and from eviction when a delete frees
//     nothing yet);
//   - snapshots see the instant: a stream is serialized through readEntry like any collection,
//     side-saved by the pre-write hook before a write changes it — so the host may write its
//     blocks in place, with no page copying.

// A Stream returned here is the live value: a command mutates it in place, and it stays the
// key's value until the key is deleted or overwritten. Callers must not keep one across
// commands.

import { Stream, type StreamMemory } from "../streams/mod.ts";
import { STATUS_MISSING, STATUS_OOM, STATUS_WRONGTYPE } from "./abi.ts";
import { type Engine, EngineInvariantError, OutOfMemoryError, WrongTypeError } from "./engine.ts";

interface StreamExports {
  streamOpen(db: number, keyLen: number, nowMs: number, forWrite: number): number;
  streamOpenOrCreate(db: number, keyLen: number, nowMs: number, handle: number): number;
  streamBlockAlloc(sizeBytes: number): number;
  streamBlockRealloc(ptr: number, oldSizeBytes: number, newSizeBytes: number): number;
  streamBlockFree(ptr: number): void;
}

const memories = new WeakMap<Engine, StreamMemory>();

/**
 * The allocator a stream of this engine keeps its node bytes in: the engine's own pages.
 * Out of memory is OutOfMemoryError, as for any engine write.
 */
export function streamMemory(engine: Engine): StreamMemory {
  let memory = memories.get(engine);
  if (memory !== undefined) return memory;
  const exports = exportsOf(engine);
  const internals = engine.internals;
  memory = {
    alloc(sizeBytes: number): number {
      const ptr = exports.streamBlockAlloc(sizeBytes) >>> 0;
      if (ptr === 0) throw new OutOfMemoryError();
      return ptr;
    },
    realloc(ptr: number, oldSizeBytes: number, newSizeBytes: number): number {
      const moved = exports.streamBlockRealloc(ptr, oldSizeBytes, newSizeBytes) >>> 0;
      if (moved === 0) throw new OutOfMemoryError();
      return moved;
    },
    free(ptr: number): void {
      exports.streamBlockFree(ptr);
    },
    bytes: () => internals.bytes(),
  };
  memories.set(engine, memory);
  return memory;
}

function exportsOf(engine: Engine): StreamExports {
  return engine.internals.exports as unknown as StreamExports;
}

/** The stream a handle names; a missing one is an engine/host disagreement. */
function streamOf(engine: Engine, handle: number): Stream {
  const value = engine.internals.hostValues.get(handle);
  if (!(value instanceof Stream)) {
    throw new EngineInvariantError(`stream handle ${handle} holds no stream`);
  }
  return value;
}

function open(engine: Engine, db: number, key: Uint8Array, nowMs: number, forWrite: boolean) {
  engine.internals.stage([key], false);
  const handle = exportsOf(engine).streamOpen(db, key.length, nowMs, forWrite ? 1 : 0);
  if (handle === STATUS_MISSING) return null;
  if (handle === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (handle < 0) throw new OutOfMemoryError();
  return streamOf(engine, handle);
}

/**
 * The stream at key for reading (expired keys read as missing), or null.
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function streamRead(engine: Engine, db: number, key: Uint8Array, nowMs: number) {
  return open(engine, db, key, nowMs, false);
}

/**
 * The stream at key for a write, or null when missing (on a replica an expired stream is
 * dropped first, as for every collection write).
 *
 * @throws {WrongTypeError} the key holds another type.
 */
export function streamWrite(engine: Engine, db: number, key: Uint8Array, nowMs: number) {
  return open(engine, db, key, nowMs, true);
}

/**
 * The stream at key for a write, created empty when missing (or `value` when given and the
 * key is missing; `value` must live in streamMemory(engine), and is released when it is not
 * used). Returns the key's stream and whether it was created.
 *
 * @throws {WrongTypeError} the key holds another type.
 * @throws {OutOfMemoryError} the key could not be created; nothing changed.
 */
export function streamCreate(
  engine: Engine,
  db: number,
  key: Uint8Array,
  nowMs: number,
  value?: Stream,
): { stream: Stream; created: boolean } {
  const existing = open(engine, db, key, nowMs, true);
  if (existing !== null) return { stream: existing, created: false };
  // Dropped streams are reclaimed as new ones come, so hosts without a cron (an embedded
  // store) keep their table bounded too.
  engine.reclaimHostValues(nowMs);
  const internals = engine.internals;
  const handle = internals.newHostHandle();
  const stream = value ?? new Stream(streamMemory(engine));
  internals.hostValues.set(handle, stream);
  internals.stage([key], false);
  const held = exportsOf(engine).streamOpenOrCreate(db, key.length, nowMs, handle);
  if (held === handle) return { stream, created: true };
  internals.hostValues.delete(handle);
  stream.release();
  if (held === STATUS_WRONGTYPE) throw new WrongTypeError();
  if (held === STATUS_OOM || held < 0) throw new OutOfMemoryError();
  throw new EngineInvariantError("a stream key appeared between lookup and creation");
}
