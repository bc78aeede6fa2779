// boundary.ts — the memory the host and the engine share besides the keyspace: the staging
// region the host writes arguments into, the result cells it reads answers from, and the
// growable buffers replies with many parts go through.
//
// The boundary stays numeric: an export takes lengths and numbers, finds its bytes in staging,
// and answers with a number plus, when there is more, addresses and lengths in the result
// cells (abi.ts RESULT_*). No export allocates on the host's behalf except through the regions
// drawn here.
//
//   staging region (host writes, engine reads; grown by reserveStaging, address in cell 12)
//   ┌──────────────────┬──────────────────────────────────────────────┐
//   │ key (keyLen B)   │ the command's other arguments, often framed  │
//   └──────────────────┴──────────────────────────────────────────────┘
//   frame (how a variable argument list is staged after the key; core/engine/engine.ts stage)
//   ┌──────────┬───────────┐
//   │ len u32  │ len bytes │ … next frame right after, unpadded
//   └──────────┴───────────┘
//
//   host buffer (a static descriptor; the records live in one block it points at)
//   ┌──────────┬──────────────┬──────────┐
//   │ ptr u32  │ capacity u32 │ len u32  │   records are appended at ptr + len, 4-aligned
//   └──────────┴──────────────┴──────────┘
//   out buffer: [u32 len][bytes, padded to 4] records (collection replies; cells 20 and 24)
//
// Values above 64 KiB skip staging: the export sizes their block and hands its address back in
// cell ptr; the host copies the bytes there at once (see strings.ts).

import {
  RESULT_CELLS_SIZE_BYTES,
  RESULT_OUT_LEN,
  RESULT_OUT_PTR,
  RESULT_PTR,
  RESULT_STAGING,
} from "./abi";
import { alloc, free, realloc, usableSize } from "./pages";

/** The result cells (abi.ts RESULT_* are offsets into them). */
export const resultCells: usize = memory.data(<i32>RESULT_CELLS_SIZE_BYTES, 16);

/** Staging capacity init reserves, and shrinkStaging goes back to. */
const STAGING_INITIAL_BYTES: u32 = 4096;
/** Host buffers grow to at least this, then double. */
const BUFFER_MIN_BYTES: usize = 256;
/** Host buffers above this size may be released once drained (bufferTrim). */
const BUFFER_KEEP_MAX_BYTES: usize = 1 << 20;

const BUFFER_PTR: usize = 0;
const BUFFER_CAPACITY: usize = 4;
const BUFFER_LEN: usize = 8;
/** Size of a host buffer descriptor, for memory.data. */
export const BUFFER_DESCRIPTOR_BYTES: i32 = 12;

/** Staging region the host writes arguments into. */
let stagingBase: usize = 0;
let stagingCapacityBytes: usize = 0;

// ── Result cells ────────────────────────────────────────────────────────────────────────

/** Address of the result cells (host export). */
export function resultCellsPtr(): usize {
  return resultCells;
}

@inline export function setResultPtr(ptr: usize): void {
  store<u32>(resultCells, <u32>ptr, RESULT_PTR);
}

// ── Staging ─────────────────────────────────────────────────────────────────────────────

/** Address of the staging region: the staged key's first byte. */
@inline export function stagingPtr(): usize {
  return stagingBase;
}

/** Address of the first byte after the staged key: where a command's other arguments start. */
@inline export function argsPtr(keyLen: u32): usize {
  return stagingBase + <usize>keyLen;
}

/** Sets up the first staging region; 1, or 0 on OOM. */
export function initStaging(): i32 {
  return reserveStaging(STAGING_INITIAL_BYTES);
}

/** Makes the staging region at least sizeBytes; 1, or 0 on OOM (old region kept). */
export function reserveStaging(sizeBytes: u32): i32 {
  if (<usize>sizeBytes <= stagingCapacityBytes && stagingBase != 0) {
    store<u32>(resultCells, <u32>stagingBase, RESULT_STAGING);
    return 1;
  }
  const fresh = alloc(sizeBytes < 16 ? 16 : <usize>sizeBytes);
  if (fresh == 0) return 0;
  free(stagingBase);
  stagingBase = fresh;
  stagingCapacityBytes = usableSize(fresh);
  store<u32>(resultCells, <u32>stagingBase, RESULT_STAGING);
  return 1;
}

/** Replaces a large staging region by a small one (after a big value went through). */
export function shrinkStaging(): i32 {
  free(stagingBase);
  stagingBase = 0;
  stagingCapacityBytes = 0;
  return reserveStaging(STAGING_INITIAL_BYTES);
}

/** Staging capacity in bytes (the host tracks it to skip reserveStaging calls). */
export function stagingCapacity(): u32 {
  return <u32>stagingCapacityBytes;
}

// ── Frames ──────────────────────────────────────────────────────────────────────────────

@inline export function frameLen(frame: usize): u32 {
  return load<u32>(frame);
}
@inline export function frameBytes(frame: usize): usize {
  return frame + 4;
}
@inline export function frameNext(frame: usize): usize {
  return frame + 4 + <usize>load<u32>(frame);
}

// ── Host buffers ────────────────────────────────────────────────────────────────────────

@inline export function align4(n: usize): usize {
  return (n + 3) & ~<usize>3;
}
@inline export function bufferPtr(buffer: usize): usize {
  return <usize>load<u32>(buffer, BUFFER_PTR);
}
@inline export function bufferLen(buffer: usize): usize {
  return <usize>load<u32>(buffer, BUFFER_LEN);
}

/**
 * Appends room for a record of recordBytes: the address to write it at, or 0 when the buffer
 * cannot grow (then nothing changed). The block may move; bufferPtr names it afterwards.
 */
export function bufferClaim(buffer: usize, recordBytes: usize): usize {
  const lenBytes = bufferLen(buffer);
  const needBytes = lenBytes + recordBytes;
  const capacity = <usize>load<u32>(buffer, BUFFER_CAPACITY);
  if (needBytes > capacity) {
    let newCapacity: usize = capacity < BUFFER_MIN_BYTES ? BUFFER_MIN_BYTES : capacity * 2;
    if (newCapacity < needBytes) newCapacity = needBytes;
    const fresh = realloc(bufferPtr(buffer), lenBytes, newCapacity);
    if (fresh == 0) return 0;
    store<u32>(buffer, <u32>fresh, BUFFER_PTR);
    store<u32>(buffer, <u32>newCapacity, BUFFER_CAPACITY);
  }
  store<u32>(buffer, <u32>needBytes, BUFFER_LEN);
  return bufferPtr(buffer) + lenBytes;
}

/** Drops the records after the first lenBytes (a claim given back); lenBytes ≤ bufferLen. */
export function bufferTruncate(buffer: usize, lenBytes: usize): void {
  assert(lenBytes <= bufferLen(buffer));
  store<u32>(buffer, <u32>lenBytes, BUFFER_LEN);
}

/** Empties the buffer; a block above BUFFER_KEEP_MAX_BYTES is given back. */
export function bufferReset(buffer: usize): void {
  store<u32>(buffer, 0, BUFFER_LEN);
  if (<usize>load<u32>(buffer, BUFFER_CAPACITY) > BUFFER_KEEP_MAX_BYTES) {
    free(bufferPtr(buffer));
    store<u32>(buffer, 0, BUFFER_PTR);
    store<u32>(buffer, 0, BUFFER_CAPACITY);
  }
}

// ── Out buffer ──────────────────────────────────────────────────────────────────────────

const outBuffer: usize = memory.data(BUFFER_DESCRIPTOR_BYTES, 4);

/** Empties the out buffer (call at the start of every command that replies through it). */
export function outReset(): void {
  store<u32>(outBuffer, 0, BUFFER_LEN);
  store<u32>(resultCells, 0, RESULT_OUT_LEN);
}

/** Appends one [u32 len][bytes] record to the out buffer; false on OOM. */
export function outPush(src: usize, len: u32): bool {
  const at = bufferClaim(outBuffer, 4 + align4(<usize>len));
  if (at == 0) return false;
  store<u32>(at, len);
  if (len != 0) memory.copy(at + 4, src, len);
  store<u32>(resultCells, <u32>bufferPtr(outBuffer), RESULT_OUT_PTR);
  store<u32>(resultCells, <u32>bufferLen(outBuffer), RESULT_OUT_LEN);
  return true;
}

/** Appends an f64 as an 8-byte record (scores); false on OOM. */
export function outPushF64(value: f64): bool {
  const tmp = memory.data(8, 8);
  store<f64>(tmp, value);
  return outPush(tmp, 8);
}

/** The out buffer's first record, and the address after its last (to read records back). */
@inline export function outRecordsStart(): usize {
  return bufferPtr(outBuffer);
}
@inline export function outRecordsEnd(): usize {
  return bufferPtr(outBuffer) + bufferLen(outBuffer);
}
