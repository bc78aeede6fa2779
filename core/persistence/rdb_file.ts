// dump.rdb on disk: writing a snapshot of the keyspace safely and loading one at start-up.
//
// Writing goes to `temp-<pid>.rdb` in the same directory, is fsynced, then renamed over the
// target, so a crash or a full disk at any point leaves the previous file whole. Loading
// streams the file through the RDB reader in fixed-size chunks into a fresh engine, and any
// format error aborts the load with the byte offset: a server never starts serving half a file.
// With `rdb-lz4 yes` the file is the RDB wrapped in LZ4 frames; loading recognizes either.

import type { Engine } from "../engine/mod.ts";
import { RdbReader } from "../rdb/mod.ts";
import { isLz4Frames, Lz4FrameReader, Lz4FrameWriter } from "../rdb/lz4_frames.ts";
import { CowSnapshot, type SnapshotOptions } from "./cow_snapshot.ts";
import { loadEntries } from "./keyspace_records.ts";

/** Bytes read from disk per step while loading. */
const LOAD_CHUNK_BYTES = 256 * 1024;

export interface SaveResult {
  keyCount: number;
  sizeBytes: number;
}

/**
 * Serializes the whole keyspace, synchronously (one point in time), into chunks handed to
 * `onChunk`. Returns how many keys were written.
 */
export function writeSnapshot(
  engine: Engine,
  options: SnapshotOptions,
  nowMs: number,
  onChunk: (chunk: Uint8Array) => void,
): number {
  const snapshot = new CowSnapshot(engine, options, nowMs, onChunk);
  snapshot.finish();
  return snapshot.keysProcessed;
}

let tempFileSeq = 0;

/** Writes chunks to a temp file beside `path`, fsyncs it and renames it over `path`. */
export class AtomicFileWriter {
  readonly path: string;
  readonly tempPath: string;
  #file: Deno.FsFile;
  sizeBytes = 0;
  /** sizeBytes when syncAsync last completed (-1 never): commit skips a second fsync. */
  #syncedSizeBytes = -1;

  /** Opens `temp-<pid>-<ms>-<seq>.<extension>` beside `path`. */
  constructor(path: string, extension = "rdb") {
    this.path = path;
    const slash = path.lastIndexOf("/");
    const dir = slash >= 0 ? path.slice(0, slash) : ".";
    // The sequence number keeps a SAVE and a BGSAVE started in the same millisecond apart.
    this.tempPath = `${dir}/temp-${Deno.pid}-${Date.now()}-${tempFileSeq++}.${extension}`;
    this.#file = Deno.openSync(this.tempPath, { write: true, create: true, truncate: true });
  }

  writeSync(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) offset += this.#file.writeSync(chunk.subarray(offset));
    this.sizeBytes += chunk.length;
  }

  async write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) offset += await this.#file.write(chunk.subarray(offset));
    this.sizeBytes += chunk.length;
  }

  /** Queued writes, one after another, in order; never rejects (failures land in `failure`). */
  #writes: Promise<void> = Promise.resolve();
  /** Bytes queued and not yet written. */
  queuedBytes = 0;
  /** The first queued write that failed; nothing queued after it is written. */
  failure: Error | null = null;

  /** Writes `chunks` after everything queued before, while the caller goes on. */
  queue(chunks: Uint8Array[]): void {
    if (chunks.length === 0 || this.failure !== null) return;
    const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    this.queuedBytes += bytes;
    this.#writes = this.#writes.then(async () => {
      if (this.failure !== null) return;
      for (const chunk of chunks) await this.write(chunk);
      this.queuedBytes -= bytes;
    }).catch((error) => {
      this.failure ??= error instanceof Error ? error : new Error(String(error));
    });
  }

  /** Waits for the queued writes; throws the first failure. */
  async drain(): Promise<void> {
    await this.#writes;
    if (this.failure !== null) throw this.failure;
  }

  /** fsync (unless syncAsync already flushed every byte), close, rename over the target. */
  commit(): void {
    if (this.#syncedSizeBytes !== this.sizeBytes) this.#file.syncSync();
    this.#file.close();
    Deno.renameSync(this.tempPath, this.path);
  }

  /**
   * fsync off the main thread, so the commit() after it has nothing left to flush and holds
   * the event loop only for its close and rename (which stays synchronous: a caller can check,
   * in the same turn, that nothing newer was renamed into place meanwhile).
   */
  async syncAsync(): Promise<void> {
    const sizeBytes = this.sizeBytes;
    await this.#file.sync();
    this.#syncedSizeBytes = sizeBytes;
  }

  /** Close and delete the temp file; the previous target stays as it was. */
  abort(): void {
    try {
      this.#file.close();
    } catch {
      // Already closed.
    }
    try {
      Deno.removeSync(this.tempPath);
    } catch {
      // Never created or already gone.
    }
  }
}

/** SAVE: the whole snapshot written and renamed into place before returning. */
export function saveRdbSync(
  engine: Engine,
  path: string,
  options: SnapshotOptions,
  nowMs: number,
): SaveResult {
  const file = new AtomicFileWriter(path);
  try {
    const sink = fileSink(options, (chunk) => file.writeSync(chunk));
    const keyCount = writeSnapshot(engine, options, nowMs, sink.write);
    sink.finish();
    file.commit();
    return { keyCount, sizeBytes: file.sizeBytes };
  } catch (error) {
    file.abort();
    throw error;
  }
}

/** What a snapshot file receives: the RDB as is, or wrapped in LZ4 frames (`lz4Frames`). */
export interface FileSink {
  write: (chunk: Uint8Array) => void;
  /** After the RDB's last chunk (writes the LZ4 end marker). */
  finish: () => void;
}

export function fileSink(options: SnapshotOptions, out: (chunk: Uint8Array) => void): FileSink {
  if (!options.lz4Frames) return { write: out, finish: () => {} };
  const frames = new Lz4FrameWriter(out);
  return { write: (chunk) => frames.write(chunk), finish: () => frames.finish() };
}

export interface LoadResult {
  keyCount: number;
  expiredSkipped: number;
  aux: Record<string, string>;
  /** The function libraries' code, in file order (the caller loads them). */
  libraryCodes: Uint8Array[];
}

/**
 * Loads an RDB file into `engine` (which should be empty). Throws RdbFormatError (with the
 * byte offset) on a malformed or truncated file, NotFound when the file does not exist.
 * Keys already expired at load time are skipped, as a master does.
 */
export function loadRdbFileSync(engine: Engine, path: string, nowMs: number): LoadResult {
  const file = Deno.openSync(path, { read: true });
  const reader = new RdbReader();
  const buffer = new Uint8Array(LOAD_CHUNK_BYTES);
  const counts = { keyCount: 0, expiredSkipped: 0, libraryCodes: [] as Uint8Array[] };
  let frames: Lz4FrameReader | null = null;
  let readBytes = 0;
  try {
    while (true) {
      const n = file.readSync(buffer);
      if (n === null) break;
      const chunk = buffer.subarray(0, n);
      if (readBytes === 0 && isLz4Frames(chunk)) frames = new Lz4FrameReader();
      readBytes += n;
      for (const rdbBytes of frames === null ? [chunk] : frames.push(chunk)) {
        reader.push(rdbBytes);
        loadEntries(engine, reader, nowMs, true, counts);
      }
    }
    frames?.finish();
    reader.finish();
  } finally {
    file.close();
  }
  const { keyCount, expiredSkipped, libraryCodes } = counts;
  const aux: Record<string, string> = {};
  for (const [name, value] of Object.entries(reader.aux)) {
    aux[name] = new TextDecoder().decode(value);
  }
  return { keyCount, expiredSkipped, aux, libraryCodes };
}
