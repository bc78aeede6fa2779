// StreamSpool: the replication stream a replica has not received yet while its full sync runs,
// kept in a bounded amount of memory and spilled to a file beyond it.
//
// Why: during a full sync the master keeps writing. Redis holds those bytes in the replica's
// output buffer, which passes `client-output-buffer-limit replica` under sustained writes, so
// the replica is dropped and starts over, forever (redis/redis#11534). resplica used to serve
// them from the backlog ring, which overflows the same way. A spool is a FIFO of stream bytes:
// appends go to an in-memory tail; when the tail passes `memoryMaxBytes` it is written to the
// spill file in one call. Reads take the file's unread bytes first, then the tail, so order is
// kept. When a read has consumed the whole file, the file is truncated and reused, so a replica
// that keeps up never grows it. Memory is bounded by memoryMaxBytes, disk by what the replica
// has not taken yet (`spilledMaxBytes`, 0 = no limit, makes `append` report overflow).
//
// File I/O is synchronous (one write per memoryMaxBytes appended, one read per chunk sent): the
// page cache absorbs it, and the event loop must not interleave a read with an append.

/** What `append` answers when the spill file would pass spilledMaxBytes. */
export const SPOOL_OVERFLOW = "overflow";

/** Options of {@linkcode StreamSpool}. */
export interface StreamSpoolOptions {
  /** Where the spill file goes (created on first spill, removed by `close`). */
  path: string;
  /** Bytes held in memory before they go to the file. */
  memoryMaxBytes: number;
  /** Unread bytes the file may hold; 0 = no limit. */
  spilledMaxBytes: number;
}

/**
 * A FIFO of stream bytes bounded in memory, spilling to a file.
 *
 * @example
 * ```ts
 * import { StreamSpool } from "./stream_spool.ts";
 * const path = Deno.makeTempFileSync();
 * const spool = new StreamSpool({ path, memoryMaxBytes: 4, spilledMaxBytes: 0 });
 * spool.append(new TextEncoder().encode("abcdef")); // past 4 bytes: spilled
 * spool.append(new TextEncoder().encode("gh"));
 * console.assert(new TextDecoder().decode(spool.read(100)) === "abcdef");
 * console.assert(new TextDecoder().decode(spool.read(100)) === "gh");
 * console.assert(spool.pendingBytes === 0);
 * spool.close();
 * ```
 */
export class StreamSpool {
  readonly #options: StreamSpoolOptions;
  #file: Deno.FsFile | null = null;
  /** Bytes written to the file since it was last truncated, and how many were read back. */
  #fileBytes = 0;
  #fileReadBytes = 0;
  /** The in-memory tail: chunks appended after the file's end. */
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  /** Offset into #tail[0] already read. */
  #tailHeadOffset = 0;
  /** Every byte ever written to the file (INFO's spilled bytes). */
  spilledTotalBytes = 0;
  /** The most unread bytes the file held at once. */
  spilledPeakBytes = 0;
  #closed = false;

  constructor(options: StreamSpoolOptions) {
    if (options.memoryMaxBytes <= 0) {
      throw new RangeError("StreamSpool: memoryMaxBytes must be > 0");
    }
    this.#options = options;
  }

  /** Bytes appended and not read yet. */
  get pendingBytes(): number {
    return this.#fileBytes - this.#fileReadBytes + this.#tailBytes - this.#tailHeadOffset;
  }

  /** Unread bytes in the spill file. */
  get spilledPendingBytes(): number {
    return this.#fileBytes - this.#fileReadBytes;
  }

  /** Bytes held in memory. */
  get memoryBytes(): number {
    return this.#tailBytes - this.#tailHeadOffset;
  }

  /**
   * Appends stream bytes (copied). Returns SPOOL_OVERFLOW, appending nothing, when spilling
   * them would pass spilledMaxBytes; null otherwise.
   */
  append(bytes: Uint8Array): typeof SPOOL_OVERFLOW | null {
    if (this.#closed) throw new Error("StreamSpool: append after close");
    if (bytes.length === 0) return null;
    if (this.memoryBytes + bytes.length > this.#options.memoryMaxBytes) {
      const limit = this.#options.spilledMaxBytes;
      if (limit > 0 && this.spilledPendingBytes + this.memoryBytes + bytes.length > limit) {
        return SPOOL_OVERFLOW;
      }
      this.#tail.push(bytes.slice());
      this.#tailBytes += bytes.length;
      this.#spillTail();
      return null;
    }
    this.#tail.push(bytes.slice());
    this.#tailBytes += bytes.length;
    return null;
  }

  /** Takes up to maxBytes of the oldest unread bytes (empty when none are pending). */
  read(maxBytes: number): Uint8Array {
    if (this.#fileReadBytes < this.#fileBytes) return this.#readFile(maxBytes);
    if (this.#tail.length === 0) return new Uint8Array(0);
    const parts: Uint8Array[] = [];
    let taken = 0;
    while (taken < maxBytes && this.#tail.length > 0) {
      const head = this.#tail[0];
      const count = Math.min(maxBytes - taken, head.length - this.#tailHeadOffset);
      parts.push(head.subarray(this.#tailHeadOffset, this.#tailHeadOffset + count));
      taken += count;
      this.#tailHeadOffset += count;
      if (this.#tailHeadOffset === head.length) {
        this.#tail.shift();
        this.#tailBytes -= head.length;
        this.#tailHeadOffset = 0;
      }
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(taken);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /** Drops everything and removes the spill file. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tail = [];
    this.#tailBytes = 0;
    this.#tailHeadOffset = 0;
    if (this.#file !== null) {
      this.#file.close();
      this.#file = null;
      try {
        Deno.removeSync(this.#options.path);
      } catch {
        // Already gone.
      }
    }
  }

  /** Writes the whole in-memory tail to the end of the file. */
  #spillTail(): void {
    const file = this.#openFile();
    const unread = this.#tailBytes - this.#tailHeadOffset;
    const block = new Uint8Array(unread);
    let at = 0;
    for (let i = 0; i < this.#tail.length; i++) {
      const part = i === 0 ? this.#tail[0].subarray(this.#tailHeadOffset) : this.#tail[i];
      block.set(part, at);
      at += part.length;
    }
    file.seekSync(this.#fileBytes, Deno.SeekMode.Start);
    writeAllSync(file, block);
    this.#fileBytes += block.length;
    this.spilledTotalBytes += block.length;
    this.spilledPeakBytes = Math.max(this.spilledPeakBytes, this.spilledPendingBytes);
    this.#tail = [];
    this.#tailBytes = 0;
    this.#tailHeadOffset = 0;
  }

  #readFile(maxBytes: number): Uint8Array {
    const file = this.#file!;
    const count = Math.min(maxBytes, this.#fileBytes - this.#fileReadBytes);
    const out = new Uint8Array(count);
    file.seekSync(this.#fileReadBytes, Deno.SeekMode.Start);
    let filled = 0;
    while (filled < count) {
      const n = file.readSync(out.subarray(filled));
      if (n === null || n === 0) throw new Error("StreamSpool: the spill file ended early");
      filled += n;
    }
    this.#fileReadBytes += count;
    if (this.#fileReadBytes === this.#fileBytes) {
      // All read back: start the file over so it only ever holds what is still owed.
      file.truncateSync(0);
      this.#fileBytes = 0;
      this.#fileReadBytes = 0;
    }
    return out;
  }

  #openFile(): Deno.FsFile {
    this.#file ??= Deno.openSync(this.#options.path, {
      read: true,
      write: true,
      create: true,
      truncate: true,
    });
    return this.#file;
  }
}

function writeAllSync(file: Deno.FsFile, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += file.writeSync(bytes.subarray(written));
}
