// The replication backlog: the newest `sizeBytes` bytes of the replication stream, kept so a
// replica that lost its link can continue with PSYNC (partial resync) instead of a full sync.
// It lives in TypeScript as a plain Uint8Array ring for now; moving it into WASM memory beside
// the keyspace is later work, and nothing outside this file sees the difference.
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
// Before the ring has wrapped, the oldest byte (startOffset) sits at index 0.

/** Throws when an invariant of the ring does not hold (a bug, never bad client input). */
function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`ReplBacklog invariant: ${message}`);
}

export class ReplBacklog {
  /** Capacity of the ring (repl-backlog-size). */
  readonly sizeBytes: number;
  readonly #ring: Uint8Array;
  /** Index in #ring where the next byte is written. */
  #writeIndex = 0;
  /** Bytes held, at most sizeBytes (repl_backlog_histlen). */
  histLenBytes = 0;
  /** Stream offset of the oldest byte held (repl_backlog_first_byte_offset). */
  startOffset: number;

  /**
   * An empty ring whose first byte will be stream offset `nextOffset`
   * (master_repl_offset + 1 when the backlog is created).
   *
   * @example
   * ```ts
   * import { ReplBacklog } from "./backlog.ts";
   * const backlog = new ReplBacklog(4, 1);
   * backlog.append(new TextEncoder().encode("abcdef"));
   * console.assert(backlog.startOffset === 3 && backlog.histLenBytes === 4);
   * console.assert(new TextDecoder().decode(backlog.readFrom(5)) === "ef");
   * ```
   */
  constructor(sizeBytes: number, nextOffset: number) {
    if (!Number.isSafeInteger(sizeBytes) || sizeBytes <= 0) {
      throw new RangeError(`ReplBacklog: sizeBytes must be a positive integer, got ${sizeBytes}`);
    }
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 1) {
      throw new RangeError(`ReplBacklog: nextOffset must be >= 1, got ${nextOffset}`);
    }
    this.sizeBytes = sizeBytes;
    this.#ring = new Uint8Array(sizeBytes);
    this.startOffset = nextOffset;
  }

  /** Offset of the newest byte held (startOffset - 1 while empty). */
  get endOffset(): number {
    return this.startOffset + this.histLenBytes - 1;
  }

  /** Appends stream bytes, dropping the oldest ones beyond sizeBytes. */
  append(bytes: Uint8Array): void {
    const endBefore = this.endOffset;
    // Only the last sizeBytes of a huge write can survive; skip the rest up front.
    const skipBytes = Math.max(0, bytes.length - this.sizeBytes);
    let source = bytes.subarray(skipBytes);
    if (skipBytes > 0) this.#writeIndex = (this.#writeIndex + skipBytes) % this.sizeBytes;
    while (source.length > 0) {
      const roomBytes = this.sizeBytes - this.#writeIndex;
      const countBytes = Math.min(roomBytes, source.length);
      this.#ring.set(source.subarray(0, countBytes), this.#writeIndex);
      this.#writeIndex = (this.#writeIndex + countBytes) % this.sizeBytes;
      source = source.subarray(countBytes);
    }
    const histLenBytes = Math.min(this.sizeBytes, this.histLenBytes + bytes.length);
    this.startOffset += this.histLenBytes + bytes.length - histLenBytes;
    this.histLenBytes = histLenBytes;
    assertInvariant(this.endOffset === endBefore + bytes.length, "end advances by bytes fed");
    assertInvariant(this.histLenBytes <= this.sizeBytes, "histlen within size");
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
    // Index of the oldest byte: 0 until the ring wraps, then the write index.
    const oldestIndex = this.histLenBytes < this.sizeBytes ? 0 : this.#writeIndex;
    let index = (oldestIndex + (offset - this.startOffset)) % this.sizeBytes;
    let copiedBytes = 0;
    while (copiedBytes < countBytes) {
      const chunkBytes = Math.min(countBytes - copiedBytes, this.sizeBytes - index);
      out.set(this.#ring.subarray(index, index + chunkBytes), copiedBytes);
      copiedBytes += chunkBytes;
      index = (index + chunkBytes) % this.sizeBytes;
    }
    return out;
  }
}
