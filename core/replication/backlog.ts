// The replication backlog: the newest `sizeBytes` bytes of the replication stream, kept so a
// replica that lost its link can continue with PSYNC (partial resync) instead of a full sync.
// The bytes live in a ring in the engine's WASM memory (wasm/assembly/backlog.ts) beside the
// keyspace; this class owns the stream offsets, which outgrow the engine's 32-bit positions.
//
// Offsets number stream bytes from 1, as Redis does: the Nth byte ever fed to the stream has
// offset N, and master_repl_offset is the offset of the newest byte (0 before any byte). The
// ring always ends at the newest byte, so it holds offsets
// [startOffset, startOffset + histLenBytes - 1] = [.., master_repl_offset].
//
//            writeIndex (next byte goes here)
//                 v
//   +-------------+-----------------------------+
//   | newest part |  oldest part (startOffset)  |   once wrapped: oldest byte at writeIndex
//   +-------------+-----------------------------+
//   0                                        sizeBytes
//
// Before the ring has wrapped, the oldest byte (startOffset) sits at index 0. An engine holds
// one ring: creating a backlog replaces the previous one.

import { type Engine, OutOfMemoryError } from "../engine/mod.ts";
import { type InvariantCheck, invariantsOf } from "../assert.ts";

const assertInvariant: InvariantCheck = invariantsOf("ReplBacklog");

/** Throws when an invariant of the ring does not hold (a bug, never bad client input). */
/** Exports of wasm/assembly/backlog.ts. */
interface BacklogExports {
  backlogCreate(sizeBytes: number): number;
  backlogFree(): void;
  backlogAppend(src: number, len: number): void;
  backlogWriteIndex(): number;
  backlogHistLen(): number;
}

export class ReplBacklog {
  /** Capacity of the ring (repl-backlog-size). */
  readonly sizeBytes: number;
  readonly #engine: Engine;
  readonly #exports: BacklogExports;
  /** Engine address of the ring. */
  readonly #ringPtr: number;
  /** Bytes held, at most sizeBytes (repl_backlog_histlen). */
  histLenBytes = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  startOffset: number;
  #freed = false;

  /**
   * An empty ring in `engine`'s memory whose first byte will be stream offset `nextOffset`
   * (master_repl_offset + 1 when the backlog is created). Throws OutOfMemoryError.
   *
   * @example
   * ```ts
   * import { Engine } from "../engine/mod.ts";
   * import { ReplBacklog } from "./backlog.ts";
   * const backlog = new ReplBacklog(Engine.create(), 4, 1);
   * backlog.append(new TextEncoder().encode("abcdef"));
   * console.assert(backlog.startOffset === 3 && backlog.histLenBytes === 4);
   * console.assert(new TextDecoder().decode(backlog.readFrom(5)) === "ef");
   * ```
   */
  constructor(engine: Engine, sizeBytes: number, nextOffset: number) {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0 || sizeBytes > 0xffffffff) {
      throw new RangeError(`ReplBacklog: sizeBytes must be a positive integer, got ${sizeBytes}`);
    }
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 1) {
      throw new RangeError(`ReplBacklog: nextOffset must be >= 1, got ${nextOffset}`);
    }
    this.#engine = engine;
    this.#exports = engine.internals.exports as unknown as BacklogExports;
    this.#ringPtr = this.#exports.backlogCreate(sizeBytes);
    if (this.#ringPtr === 0) throw new OutOfMemoryError();
    this.sizeBytes = sizeBytes;
    this.startOffset = nextOffset;
  }

  /** Offset of the newest byte held (startOffset - 1 while empty). */
  get endOffset(): number {
    return this.startOffset + this.histLenBytes - 1;
  }

  /** Appends stream bytes, dropping the oldest ones beyond sizeBytes. */
  append(bytes: Uint8Array): void {
    assertInvariant(!this.#freed, "append to a freed backlog");
    if (bytes.length === 0) return;
    const endBefore = this.endOffset;
    const internals = this.#engine.internals;
    // Only the last sizeBytes of a huge write can survive: stage no more than that (the ring
    // then holds exactly them, oldest at the write index, as if all had gone through it).
    const tail = bytes.subarray(Math.max(0, bytes.length - this.sizeBytes));
    internals.stage([tail], false);
    this.#exports.backlogAppend(internals.stagingPtr(), tail.length);
    const histLenBytes = Math.min(this.sizeBytes, this.histLenBytes + bytes.length);
    this.startOffset += this.histLenBytes + bytes.length - histLenBytes;
    this.histLenBytes = histLenBytes;
    assertInvariant(this.endOffset === endBefore + bytes.length, "end advances by bytes fed");
    assertInvariant(
      this.#exports.backlogHistLen() === this.histLenBytes,
      "the engine's ring holds histLenBytes",
    );
  }

  /** True when offset is the next byte a replica may ask for: inside the ring or just past it. */
  covers(offset: number): boolean {
    return offset >= this.startOffset && offset <= this.startOffset + this.histLenBytes;
  }

  /** Copies the bytes from stream offset `offset` to the newest byte (empty just past it). */
  readFrom(offset: number): Uint8Array {
    if (!this.covers(offset)) {
      throw new RangeError(
        `ReplBacklog: offset ${offset} outside [${this.startOffset}, ${this.endOffset + 1}]`,
      );
    }
    const countBytes = this.endOffset + 1 - offset;
    const out = new Uint8Array(countBytes);
    const ring = this.#engine.internals.bytes();
    const writeIndex = this.#exports.backlogWriteIndex();
    // Index of the oldest byte: 0 until the ring wraps, then the write index.
    const oldestIndex = this.histLenBytes < this.sizeBytes ? 0 : writeIndex;
    let index = (oldestIndex + (offset - this.startOffset)) % this.sizeBytes;
    let copiedBytes = 0;
    while (copiedBytes < countBytes) {
      const chunkBytes = Math.min(countBytes - copiedBytes, this.sizeBytes - index);
      const at = this.#ringPtr + index;
      out.set(ring.subarray(at, at + chunkBytes), copiedBytes);
      copiedBytes += chunkBytes;
      index = (index + chunkBytes) % this.sizeBytes;
    }
    return out;
  }

  /** Gives the ring's memory back to the engine; the backlog is unusable afterwards. */
  free(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#exports.backlogFree();
  }
}
