// backlog.ts — the replication backlog's bytes: a ring in engine memory holding the newest
// `size` bytes of the replication stream, so the keyspace and the history a reconnecting
// replica resumes from live in the same linear memory (and used_memory counts both, as
// Redis's mem_replication_backlog).
//
// The engine keeps one ring (a server has one backlog). Offsets, which outgrow 32 bits, stay
// with the host (core/replication/backlog.ts); here only positions inside the ring:
//
//   ┌─────────────┬─────────────────────────────┐
//   │ newest part │  oldest part                │   once wrapped: oldest byte at writeIndex
//   └─────────────┴─────────────────────────────┘
//   0        writeIndex                       size
//
// The host reads held bytes straight from memory (ringPtr, writeIndex, histLen); appends come
// through the staging region.

import { alloc, free } from "./pages";

let ringPtr: usize = 0;
let ringSize: u32 = 0;
let writeIndex: u32 = 0;
let histLen: u32 = 0;

/** A new empty ring of sizeBytes (the previous one is freed). Its address, or 0 on OOM. */
export function backlogCreate(sizeBytes: u32): usize {
  assert(sizeBytes > 0);
  backlogFree();
  const ring = alloc(<usize>sizeBytes);
  if (ring == 0) return 0;
  ringPtr = ring;
  ringSize = sizeBytes;
  return ring;
}

/** Frees the ring (no backlog: the last replica left long ago, or we became a replica). */
export function backlogFree(): void {
  if (ringPtr != 0) free(ringPtr);
  ringPtr = 0;
  ringSize = 0;
  writeIndex = 0;
  histLen = 0;
}

/** Appends len bytes from src; only the newest ringSize bytes are kept. */
export function backlogAppend(src: usize, len: u32): void {
  assert(ringPtr != 0);
  let from = src;
  let left = len;
  if (left > ringSize) {
    // Only the tail of a write larger than the ring can survive.
    const skip = left - ringSize;
    writeIndex = <u32>((<u64>writeIndex + <u64>skip) % <u64>ringSize);
    from += <usize>skip;
    left = ringSize;
  }
  while (left > 0) {
    const room = ringSize - writeIndex;
    const count = left < room ? left : room;
    memory.copy(ringPtr + <usize>writeIndex, from, count);
    writeIndex += count;
    if (writeIndex == ringSize) writeIndex = 0;
    from += <usize>count;
    left -= count;
  }
  const grown = <u64>histLen + <u64>len;
  histLen = grown > <u64>ringSize ? ringSize : <u32>grown;
  assert(histLen <= ringSize && writeIndex < ringSize);
}

export function backlogWriteIndex(): u32 {
  return writeIndex;
}

export function backlogHistLen(): u32 {
  return histLen;
}
