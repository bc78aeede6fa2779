// When and how the server writes dump.rdb: SAVE, BGSAVE, `save <seconds> <changes>` points,
// save on shutdown, and the figures INFO persistence reports.
//
// BGSAVE today serializes the keyspace in one synchronous pass (so the file is exactly the
// keyspace at the BGSAVE instant), keeps the encoded chunks in memory, and writes them to disk
// in the background while the server keeps serving. The serialization pass is the part Redis
// avoids with fork(); copy-on-write engine pages will let it run incrementally too.

import type { Engine } from "../engine/mod.ts";
import type { Logger } from "../log.ts";
import { AtomicFileWriter, saveRdbSync, type SnapshotOptions, writeSnapshot } from "./rdb_file.ts";

export interface SavePoint {
  seconds: number;
  changes: number;
}

/** Parses the `save` directive ("3600 1 300 100", or "" for none). Null when malformed. */
export function parseSavePoints(text: string): SavePoint[] | null {
  const words = text.trim() === "" ? [] : text.trim().split(/\s+/);
  if (words.length % 2 !== 0) return null;
  const points: SavePoint[] = [];
  for (let i = 0; i < words.length; i += 2) {
    if (!/^\d+$/.test(words[i]) || !/^\d+$/.test(words[i + 1])) return null;
    points.push({ seconds: Number(words[i]), changes: Number(words[i + 1]) });
  }
  return points;
}

/** What the saver needs from the server, so it stays testable without one. */
export interface SaverHost {
  engine: Engine;
  log: Logger;
  /** Writes since start; the saver remembers the value at each successful save. */
  dirty(): number;
  path(): string;
  snapshotOptions(): SnapshotOptions;
}

export class RdbSaver {
  readonly #host: SaverHost;
  /** Unix ms of the last successful save (LASTSAVE), start time until the first. */
  lastSaveMs: number;
  lastSaveOk = true;
  #dirtyAtLastSave = 0;
  #bgsave: Promise<boolean> | null = null;
  #bgsaveStartedMs = 0;
  lastBgsaveDurationS = -1;
  /** A BGSAVE SCHEDULE waiting for the running one to end. */
  #scheduled = false;

  constructor(host: SaverHost, nowMs: number) {
    this.#host = host;
    this.lastSaveMs = nowMs;
  }

  get changesSinceLastSave(): number {
    return this.#host.dirty() - this.#dirtyAtLastSave;
  }
  get bgsaveInProgress(): boolean {
    return this.#bgsave !== null;
  }
  get bgsaveStartedMs(): number {
    return this.#bgsaveStartedMs;
  }

  /** SAVE: synchronous. Throws on failure (the previous file stays). */
  save(nowMs: number): void {
    const dirty = this.#host.dirty();
    try {
      const result = saveRdbSync(
        this.#host.engine,
        this.#host.path(),
        this.#host.snapshotOptions(),
        nowMs,
      );
      this.#succeeded(dirty, nowMs);
      this.#host.log.notice(
        `DB saved on disk (${result.keyCount} keys, ${result.sizeBytes} bytes)`,
      );
    } catch (error) {
      this.lastSaveOk = false;
      this.#host.log.warning(`Failed saving the DB: ${(error as Error).message}`);
      throw error;
    }
  }

  /** BGSAVE: false when one is already running. The promise resolves when it has ended. */
  bgsave(nowMs: number): Promise<boolean> | null {
    if (this.#bgsave) return null;
    this.#bgsaveStartedMs = nowMs;
    const dirty = this.#host.dirty();
    const chunks: Uint8Array[] = [];
    let keyCount = 0;
    try {
      keyCount = writeSnapshot(
        this.#host.engine,
        this.#host.snapshotOptions(),
        nowMs,
        (c) => chunks.push(c),
      );
    } catch (error) {
      this.lastSaveOk = false;
      this.#host.log.warning(`Background saving error: ${(error as Error).message}`);
      return Promise.resolve(false);
    }
    this.#host.log.notice(`Background saving started (${keyCount} keys serialized)`);
    this.#bgsave = this.#writeInBackground(chunks, dirty).finally(() => {
      this.#bgsave = null;
      if (this.#scheduled) {
        this.#scheduled = false;
        void this.bgsave(Date.now());
      }
    });
    return this.#bgsave;
  }

  /** BGSAVE SCHEDULE while one runs: start another when it ends. */
  schedule(): void {
    this.#scheduled = true;
  }

  async #writeInBackground(chunks: Uint8Array[], dirty: number): Promise<boolean> {
    let file: AtomicFileWriter | null = null;
    try {
      file = new AtomicFileWriter(this.#host.path());
      for (const chunk of chunks) await file.write(chunk);
      file.commit();
      const nowMs = Date.now();
      this.lastBgsaveDurationS = Math.round((nowMs - this.#bgsaveStartedMs) / 1000);
      this.#succeeded(dirty, nowMs);
      this.#host.log.notice("Background saving terminated with success");
      return true;
    } catch (error) {
      file?.abort();
      this.lastSaveOk = false;
      this.#host.log.warning(`Background saving error: ${(error as Error).message}`);
      return false;
    }
  }

  #succeeded(dirtyAtStart: number, nowMs: number): void {
    this.lastSaveOk = true;
    this.lastSaveMs = nowMs;
    this.#dirtyAtLastSave = dirtyAtStart;
  }

  /** Called from the server cron: starts a BGSAVE when a save point is due. */
  cron(points: SavePoint[], nowMs: number): void {
    if (this.#bgsave || points.length === 0) return;
    const changes = this.changesSinceLastSave;
    for (const point of points) {
      if (
        changes >= point.changes && nowMs - this.lastSaveMs >= point.seconds * 1000 && changes > 0
      ) {
        this.#host.log.notice(`${point.changes} changes in ${point.seconds} seconds. Saving...`);
        void this.bgsave(nowMs);
        return;
      }
    }
  }

  /** Waits for a running BGSAVE (shutdown). */
  async drain(): Promise<void> {
    while (this.#bgsave) await this.#bgsave;
  }
}
