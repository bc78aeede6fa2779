// Where a stream's nodes keep their bytes. On a server that is the engine's linear memory
// (core/engine/stream.ts gives a StreamMemory over the page allocator), so stream bytes are
// in used_memory, maxmemory and eviction see them, and a node costs what Redis's listpack
// costs. The interface is all this folder knows of it: core/streams stays free of engine
// types, and ArenaStreamMemory serves a Stream used on its own (tests, examples).
//
// Addresses are plain numbers into bytes(); a view from bytes() is valid only until the next
// alloc or realloc (the memory may grow and move), so a node fetches it again after either.

/** The allocator a Stream's nodes live in. */
export interface StreamMemory {
  /** A block of at least `sizeBytes`; throws (an out-of-memory error) when there is none. */
  alloc(sizeBytes: number): number;
  /**
   * The block moved to one of `newSizeBytes`, its first min(old, new) bytes kept; throws when
   * there is no room (the old block then stays valid and unchanged).
   */
  realloc(ptr: number, oldSizeBytes: number, newSizeBytes: number): number;
  /** Gives a block back. */
  free(ptr: number): void;
  /** The bytes addresses point into; valid until the next alloc or realloc. */
  bytes(): Uint8Array;
}

/** First capacity of an arena. */
const ARENA_INITIAL_BYTES = 1 << 16;

/**
 * A StreamMemory of its own: one growing buffer, blocks handed out in order and never reused.
 * For a Stream outside a server (tests, examples); memory is given back only with the arena.
 */
export class ArenaStreamMemory implements StreamMemory {
  #bytes = new Uint8Array(ARENA_INITIAL_BYTES);
  /** Address 0 is never handed out, as with the engine's allocator. */
  #top = 8;

  alloc(sizeBytes: number): number {
    const ptr = this.#top;
    const end = ptr + ((sizeBytes + 7) & ~7);
    if (end > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.#bytes.length * 2));
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    this.#top = end;
    return ptr;
  }

  realloc(ptr: number, oldSizeBytes: number, newSizeBytes: number): number {
    const fresh = this.alloc(newSizeBytes);
    this.#bytes.copyWithin(fresh, ptr, ptr + Math.min(oldSizeBytes, newSizeBytes));
    return fresh;
  }

  free(_ptr: number): void {}

  bytes(): Uint8Array {
    return this.#bytes;
  }
}
