// When and how the server writes dump.rdb: SAVE, BGSAVE, `save <seconds> <changes>` points,
// save on shutdown, and the figures INFO persistence reports.
//
// BGSAVE has no fork(): it takes a copy-on-write snapshot (cow_snapshot.ts). Starting it is
// O(databases); the keyspace is then scanned in slices between which the event loop serves
// clients, while the dispatcher's pre-write hook (beforeCommand) side-saves any key a command
// is about to change. Slices are bounded by time (sliceBudgetMs): short while clients are being
// served, since a request that arrives during a slice waits for its end; up to
// SNAPSHOT_SLICE_MAX_MS while nobody is. Between slices the saver yields with a timer
// (nextTurn), the one hop after which Deno reliably reads ready sockets (issue 18: yielding by
// a small async op while idle kept a client's first write waiting 150–330 ms). While idle the
// timer is armed before the slice, so its ~1 ms runs concurrently and the save keeps nearly
// the whole thread; while busy it is armed after, and that hop is the clients' time. Encoded
// chunks go to the file by asynchronous writes while the next slices run. The file is still exactly the
// keyspace at the BGSAVE instant. For the snapshot's life engine expiry deletes nothing
// (expired keys read as missing, active expiry idles), so a key alive at the instant stays
// readable until the scan reaches it.
//
// SAVE stays synchronous. A synchronous save (SHUTDOWN, DEBUG RELOAD) aborts a running
// BGSAVE first, as Redis kills its child: the newer file must not be renamed over later.

import type { CommandSpec } from "../command_meta/spec.ts";
import type { Engine } from "../engine/mod.ts";
import type { Logger } from "../log.ts";
import { SnapshotSlot } from "../engine/snapshot.ts";
import { CowSnapshot, type SnapshotOptions } from "./cow_snapshot.ts";
import { AtomicFileWriter, fileSink, saveRdbSync } from "./rdb_file.ts";

/**
 * Longest one scan slice holds the event loop, when no command ran since the previous slice.
 * Redis's fork costs it nothing; 2 ms bounds what a client arriving mid-slice waits.
 */
const SNAPSHOT_SLICE_MAX_MS = 2;
/**
 * Bounds of a slice while clients are being served. A request that arrives during a slice
 * waits for the rest of it, so a client writing one command at a time loses about
 * share × slice / 2 per request (issue 18: slices of about 0.5 ms held such a client to a
 * fifth of its rate, 0.25 ms to two thirds; 0.05–0.1 ms keeps about 0.8 of it).
 */
const SNAPSHOT_SLICE_BUSY_MIN_MS = 0.05;
const SNAPSHOT_SLICE_BUSY_MAX_MS = 1;
/**
 * Pending keys per engine scan step while clients are being served (about 30 µs for small
 * strings), so a busy slice ends close to its budget; idle slices use CowSnapshot's default.
 */
const SNAPSHOT_STEP_KEYS_BUSY = 32;
/**
 * Share of a busy loop a slice may take: it lasts this fraction of the time the loop spent
 * elsewhere since the previous slice. Under saturating load (long gaps) slices grow toward
 * SNAPSHOT_SLICE_BUSY_MAX_MS, so the save still progresses; under a light load, where the gap
 * is about one timer hop (~1 ms), they stay near SNAPSHOT_SLICE_BUSY_MIN_MS and the save
 * takes longer (400 k keys: about 4 s against 2 s at a share of 0.15 and 0.8 s at 0.5, while
 * one client writing in a loop kept 0.8, 0.6 and 0.2 of its rate).
 */
const SNAPSHOT_BUSY_SHARE = 0.1;
/**
 * The save counts as idle (whole slices, timer armed before them) once no command has run for
 * this long; one quiet gap between two commands of a client writing in a loop is not idle.
 */
const SNAPSHOT_IDLE_AFTER_MS = 10;
/**
 * Encoded bytes waiting for the disk beyond which the scan waits for the file: bounds the
 * memory a save holds when the disk is slower than the encoder.
 */
const SNAPSHOT_QUEUED_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Resolves on a later event-loop turn, after which Deno has polled the sockets: setTimeout(0)
 * (a hop of about 1 ms). Never a small async op (a stat) nor setImmediate or a MessageChannel:
 * Deno may settle those turn after turn without reading sockets, so a save chained by them
 * starves every client (issue 18: 150–330 ms for one write).
 */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * How long the next scan slice may hold the loop: the whole SNAPSHOT_SLICE_MAX_MS when idle
 * (no command for SNAPSHOT_IDLE_AFTER_MS), else SNAPSHOT_BUSY_SHARE of the gap since the
 * previous slice, within SNAPSHOT_SLICE_BUSY_MIN_MS … SNAPSHOT_SLICE_BUSY_MAX_MS.
 */
export function sliceBudgetMs(gapMs: number, idle: boolean): number {
  if (idle) return SNAPSHOT_SLICE_MAX_MS;
  return Math.min(
    SNAPSHOT_SLICE_BUSY_MAX_MS,
    Math.max(SNAPSHOT_SLICE_BUSY_MIN_MS, gapMs * SNAPSHOT_BUSY_SHARE),
  );
}

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
  /** Commands run so far (any counter that moves when clients are being served). */
  commandsProcessed(): number;
  path(): string;
  snapshotOptions(): SnapshotOptions;
}

/**
 * Someone besides dump.rdb who takes a background snapshot as it is produced: a replica's
 * diskless full sync (core/replication/master.ts). Several share one snapshot.
 */
export interface SnapshotConsumer {
  /** The snapshot's instant: called before any chunk, in the turn the snapshot starts. */
  start(): void;
  /** The next piece of the RDB stream, in order (a fresh array, never reused). */
  chunk(chunk: Uint8Array): void;
  /** The snapshot is complete (ok) or failed or was aborted; no call follows. */
  end(ok: boolean): void;
  /**
   * Bytes of it the consumer still holds unsent (a replica's output buffer): past
   * SNAPSHOT_QUEUED_MAX_BYTES the scan waits for it, as it waits for a slow disk. A consumer
   * that stopped taking bytes must end itself (answer 0) rather than hold the snapshot open.
   */
  pendingBytes?(): number;
}

export class RdbSaver {
  readonly #host: SaverHost;
  /** Unix ms of the last successful save (LASTSAVE), start time until the first. */
  lastSaveMs: number;
  lastSaveOk = true;
  #dirtyAtLastSave = 0;
  /** The running BGSAVE: settles when its file is renamed into place or given up. */
  #bgsave: Promise<boolean> | null = null;
  #bgsaveStartedMs = 0;
  lastBgsaveDurationS = -1;
  /** A BGSAVE SCHEDULE waiting for the running one to end. */
  #scheduled = false;
  /** Consumers waiting for the next background snapshot. */
  readonly #waiting: SnapshotConsumer[] = [];
  /** The running BGSAVE's snapshot while it still reads the keyspace; null otherwise. */
  #snapshot: CowSnapshot | null = null;
  /** The engine's expireDeletes setting before the snapshot turned it off. */
  #expireDeletesBefore = true;
  /** Keys written and bytes side-saved by the running BGSAVE, kept after its scan ends. */
  #current: CowSnapshot | null = null;
  /** rdb_last_cow_size: bytes side-saved by the last finished BGSAVE. */
  lastCowSizeBytes = 0;
  /** Longest scan slice of the last BGSAVE, in ms (logged; measures the event-loop stall). */
  lastSliceMaxMs = 0;

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
  /** True while a BGSAVE still reads the keyspace: writes must pass beforeCommand first. */
  get snapshotRunning(): boolean {
    return this.#snapshot !== null;
  }
  /** current_save_keys_processed: keys the running BGSAVE has written, 0 when none runs. */
  get currentKeysProcessed(): number {
    return this.#current?.keysProcessed ?? 0;
  }
  /** current_save_keys_total: keys at the running BGSAVE's instant, 0 when none runs. */
  get currentKeysTotal(): number {
    return this.#current?.keyCountTotal ?? 0;
  }
  /** current_cow_size: bytes side-saved by the running BGSAVE, 0 when none runs. */
  get currentCowSizeBytes(): number {
    return this.#current?.cowSizeBytes ?? 0;
  }

  /**
   * The pre-write hook, called by the dispatcher (and for blocked clients being served)
   * before a write command runs in database `db`. A no-op unless a snapshot is running.
   */
  beforeCommand(db: number, spec: CommandSpec, argv: readonly Uint8Array[]): void {
    const snapshot = this.#snapshot;
    if (snapshot === null) return;
    try {
      snapshot.beforeCommand(db, spec, argv);
    } catch (error) {
      // The BGSAVE fails (as a child dying would), never the command about to run.
      snapshot.abort(error instanceof Error ? error : new Error(String(error)));
    }
    if (snapshot.done) this.#releaseSnapshot(snapshot);
  }

  /** SAVE: synchronous; aborts a running BGSAVE. Throws on failure (the previous file stays). */
  save(nowMs: number): void {
    this.#abortBgsave();
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

  /**
   * BGSAVE: starts a snapshot of the keyspace as of `nowMs` and returns at once; consumers
   * waiting for a snapshot share it. Null when one is already running. The promise resolves
   * when it has ended (true: file in place).
   */
  bgsave(nowMs: number): Promise<boolean> | null {
    if (this.#bgsave) return null;
    return this.#startBackground(true, nowMs);
  }

  /** Adds a consumer to the next background snapshot (see startForConsumers, bgsave). */
  shareNextSnapshot(consumer: SnapshotConsumer): void {
    this.#waiting.push(consumer);
  }

  /** Consumers waiting for the next background snapshot. */
  get waitingConsumerCount(): number {
    return this.#waiting.length;
  }

  /**
   * Starts a background snapshot for the waiting consumers alone (no file). False when one
   * is running (they are served by the next) or nobody waits.
   */
  startForConsumers(nowMs: number): boolean {
    if (this.#bgsave || this.#waiting.length === 0) return false;
    void this.#startBackground(false, nowMs);
    return true;
  }

  #startBackground(withFile: boolean, nowMs: number): Promise<boolean> {
    this.#bgsaveStartedMs = nowMs;
    const dirty = this.#host.dirty();
    const engine = this.#host.engine;
    const chunks: Uint8Array[] = [];
    const options = this.#host.snapshotOptions();
    const snapshot = new CowSnapshot(
      engine,
      options,
      nowMs,
      (chunk) => chunks.push(chunk),
      SnapshotSlot.Background,
    );
    // Same turn as the snapshot's instant: nothing can be written in between.
    const consumers = this.#waiting.splice(0);
    for (const consumer of consumers) consumer.start();
    this.#expireDeletesBefore = engine.expireDeletes;
    engine.setExpireDeletes(false);
    this.#snapshot = snapshot;
    this.#current = snapshot;
    this.#host.log.notice(
      withFile
        ? `Background saving started (${snapshot.keyCountTotal} keys` +
          (consumers.length > 0 ? `, shared with ${consumers.length} replicas)` : ")")
        : `Starting snapshot for ${consumers.length} replicas (${snapshot.keyCountTotal} keys)`,
    );
    const run = this.#runInBackground(snapshot, chunks, dirty, withFile, options, consumers);
    this.#bgsave = run.finally(() => {
      this.#releaseSnapshot(snapshot);
      this.#current = null;
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

  /**
   * Scans in slices sized by sliceBudgetMs, handing what each produced (side-saves included,
   * in order) to a chain of file writes that runs while the next slices encode. `chunks` is
   * the writer's output queue, shared with side-saves made meanwhile.
   */
  async #runInBackground(
    snapshot: CowSnapshot,
    chunks: Uint8Array[],
    dirty: number,
    withFile: boolean,
    options: SnapshotOptions,
    consumers: SnapshotConsumer[],
  ): Promise<boolean> {
    let file: AtomicFileWriter | null = null;
    let sliceMaxMs = 0;
    let consumersEnded = false;
    const endConsumers = (ok: boolean) => {
      if (consumersEnded) return;
      consumersEnded = true;
      for (const consumer of consumers) consumer.end(ok);
    };
    // What the file gets: the RDB, or its LZ4 frames (rdb-lz4); replicas always get the RDB.
    // The file writes are queued and run while the next slices encode.
    const fileChunks: Uint8Array[] = [];
    const sink = fileSink(options, (chunk) => fileChunks.push(chunk));
    try {
      const target = file = withFile ? new AtomicFileWriter(this.#host.path()) : null;
      let lastSliceEndMs = performance.now();
      let commandsAtSliceEnd = this.#host.commandsProcessed();
      /** When a command was last seen to have run (BGSAVE itself, at the start). */
      let commandSeenMs = lastSliceEndMs;
      while (true) {
        /** An idle slice's hop, armed before it; dropped when the loop awaited anything else. */
        let armedTurn: Promise<void> | null = null;
        if (!snapshot.done) {
          const sliceStartMs = performance.now();
          if (this.#host.commandsProcessed() !== commandsAtSliceEnd) commandSeenMs = sliceStartMs;
          const idle = sliceStartMs - commandSeenMs >= SNAPSHOT_IDLE_AFTER_MS;
          if (idle) armedTurn = nextTurn();
          snapshot.step(
            sliceStartMs + sliceBudgetMs(sliceStartMs - lastSliceEndMs, idle),
            idle ? undefined : SNAPSHOT_STEP_KEYS_BUSY,
          );
          commandsAtSliceEnd = this.#host.commandsProcessed();
          lastSliceEndMs = performance.now();
          sliceMaxMs = Math.max(sliceMaxMs, lastSliceEndMs - sliceStartMs);
          if (snapshot.done) this.#releaseSnapshot(snapshot);
        }
        if (chunks.length > 0) {
          const batch = chunks.splice(0);
          for (const consumer of consumers) for (const chunk of batch) consumer.chunk(chunk);
          // Replicas slower than the scan: wait for their sockets, so the snapshot is not
          // buffered whole in their output buffers.
          while (
            consumers.some((consumer) =>
              (consumer.pendingBytes?.() ?? 0) > SNAPSHOT_QUEUED_MAX_BYTES
            )
          ) {
            armedTurn = null;
            await nextTurn();
          }
          if (target !== null) {
            for (const chunk of batch) sink.write(chunk);
            target.queue(fileChunks.splice(0));
          }
        }
        if (snapshot.aborted) throw snapshot.failure ?? new Error("aborted by a synchronous save");
        if (snapshot.done) {
          // Replicas have every byte: they need not wait for our disk.
          endConsumers(true);
          if (target !== null) {
            sink.finish();
            target.queue(fileChunks.splice(0));
            await target.drain();
          }
          break;
        }
        if (target?.failure) throw target.failure;
        if (target !== null && target.queuedBytes > SNAPSHOT_QUEUED_MAX_BYTES) {
          armedTurn = null; // a file write settling may not have let sockets in
          await target.drain();
        }
        await (armedTurn ?? nextTurn());
      }
      if (file === null) {
        this.#host.log.notice(
          `Background RDB transfer terminated with success (${snapshot.keysProcessed} keys, ` +
            `${snapshot.cowSizeBytes} bytes copy-on-write, longest slice ${
              sliceMaxMs.toFixed(1)
            } ms)`,
        );
        return true;
      }
      await file.syncAsync();
      // A synchronous save during the fsync has put a newer file in place: keep it.
      if (snapshot.aborted) throw snapshot.failure ?? new Error("aborted by a synchronous save");
      file.commit();
      const nowMs = Date.now();
      this.lastBgsaveDurationS = Math.round((nowMs - this.#bgsaveStartedMs) / 1000);
      this.lastCowSizeBytes = snapshot.cowSizeBytes;
      this.lastSliceMaxMs = sliceMaxMs;
      this.#succeeded(dirty, nowMs);
      this.#host.log.notice(
        `Background saving terminated with success (${snapshot.keysProcessed} keys, ` +
          `${file.sizeBytes} bytes, ${snapshot.cowSizeBytes} bytes copy-on-write, ` +
          `longest slice ${sliceMaxMs.toFixed(1)} ms)`,
      );
      return true;
    } catch (error) {
      endConsumers(false);
      await file?.drain().catch(() => {}); // let queued writes settle before removing the file
      file?.abort();
      if (snapshot.aborted && snapshot.failure === null) {
        this.#host.log.notice("Background saving aborted by a synchronous save");
        return false;
      }
      if (withFile) this.lastSaveOk = false;
      this.#host.log.warning(`Background saving error: ${(error as Error).message}`);
      return false;
    }
  }

  /** The snapshot reads no more: hooks stop, expiry deletes again. Idempotent. */
  #releaseSnapshot(snapshot: CowSnapshot): void {
    if (this.#snapshot !== snapshot) return;
    this.#snapshot = null;
    this.#host.engine.setExpireDeletes(this.#expireDeletesBefore);
  }

  #abortBgsave(): void {
    const snapshot = this.#current;
    if (snapshot === null || snapshot.aborted) return;
    snapshot.abort();
    this.#releaseSnapshot(snapshot);
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
