// The append-only file: every write, as the replication stream would carry it (RESP commands,
// SELECT when the database changes), appended to `dir/appendfilename`.
//
// Durability follows `appendfsync`: the commands of one batch are written to the file before
// any reply of that batch leaves the server (the server calls beforeReply()), and with
// `always` also fsynced then, so an acknowledged write survives kill -9. `everysec` fsyncs from
// the cron once a second; `no` leaves flushing to the OS. The file is a single RESP stream
// (Redis 6 style, which redis-check-aof and `redis-cli --pipe` both read).

import { encodeCommand } from "../resp/mod.ts";
import type { Engine } from "../engine/mod.ts";
import type { Logger } from "../log.ts";
import { keyspaceEntries } from "./keyspace_records.ts";
import type { AtomicFileWriter } from "./rdb_file.ts";
import type { RdbEntry, RdbStream, RdbStreamId } from "../rdb/mod.ts";

export type FsyncPolicy = "always" | "everysec" | "no";

/** Elements per command when a rewrite writes a large collection. */
const REWRITE_BATCH_ELEMENTS = 64;

export class AofWriter {
  readonly path: string;
  readonly #log: Logger;
  #file: Deno.FsFile;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  /** Database the last appended command ran in (-1: none yet, a SELECT comes first). */
  #db = -1;
  #lastFsyncMs = 0;
  policy: FsyncPolicy;
  /** aof_last_write_status */
  lastWriteOk = true;
  sizeBytes: number;
  /** Writes kept for the background rewrite in progress (db: its last SELECT). */
  #rewrite: { buffer: Uint8Array[]; db: number } | null = null;

  constructor(path: string, policy: FsyncPolicy, log: Logger) {
    this.path = path;
    this.policy = policy;
    this.#log = log;
    this.#file = Deno.openSync(path, { append: true, create: true });
    this.sizeBytes = Deno.statSync(path).size;
  }

  /** Queues one write (called for every propagated command). */
  append(db: number, argv: readonly (Uint8Array | string)[]): void {
    if (db !== this.#db) {
      this.#push(encodeCommand(["SELECT", String(db)]));
      this.#db = db;
    }
    const command = encodeCommand(argv as (Uint8Array | string)[]);
    this.#push(command);
    const rewrite = this.#rewrite;
    if (rewrite === null) return;
    if (db !== rewrite.db) {
      rewrite.buffer.push(encodeCommand(["SELECT", String(db)]));
      rewrite.db = db;
    }
    rewrite.buffer.push(command);
  }

  /**
   * A background rewrite's snapshot instant: from now on every write is also kept for the new
   * file, to follow its RDB preamble.
   */
  beginRewrite(): void {
    this.#rewrite = { buffer: [], db: -1 };
  }

  /** The commands kept since beginRewrite, taken (the buffer keeps filling). */
  takeRewriteBuffer(): Uint8Array[] {
    return this.#rewrite?.buffer.splice(0) ?? [];
  }

  /** The rewrite failed or was abandoned: stop keeping writes for it. */
  abortRewrite(): void {
    this.#rewrite = null;
  }

  /**
   * Ends a background rewrite, synchronously so no write falls between: `temp` holds the RDB
   * preamble and the commands taken so far; the rest is appended, the file fsynced and renamed
   * over the AOF, and appending continues there.
   */
  finishRewrite(temp: AtomicFileWriter): void {
    const rewrite = this.#rewrite;
    if (rewrite === null) throw new Error("AofWriter.finishRewrite: no rewrite in progress");
    this.beforeReply(); // pending commands belong to the old file (the new one has them too)
    for (const command of rewrite.buffer.splice(0)) temp.writeSync(command);
    temp.commit();
    this.#rewrite = null;
    this.#file.close();
    this.#file = Deno.openSync(this.path, { append: true });
    this.#db = rewrite.db; // the preamble selects nothing that outlives it
    this.sizeBytes = temp.sizeBytes;
  }

  #push(bytes: Uint8Array): void {
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
  }

  /** Writes what is queued (and fsyncs under `always`); called before replies are sent. */
  beforeReply(): void {
    if (this.#pendingBytes === 0) return;
    const chunk = new Uint8Array(this.#pendingBytes);
    let at = 0;
    for (const part of this.#pending) {
      chunk.set(part, at);
      at += part.length;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    try {
      let offset = 0;
      while (offset < chunk.length) offset += this.#file.writeSync(chunk.subarray(offset));
      this.sizeBytes += chunk.length;
      if (this.policy === "always") this.#file.syncDataSync();
      this.lastWriteOk = true;
    } catch (error) {
      this.lastWriteOk = false;
      this.#log.warning(`Error writing to the AOF file: ${(error as Error).message}`);
    }
  }

  /** everysec: fsync at most once a second. */
  cron(nowMs: number): void {
    this.beforeReply();
    if (this.policy !== "everysec" || nowMs - this.#lastFsyncMs < 1000) return;
    this.#lastFsyncMs = nowMs;
    try {
      this.#file.syncDataSync();
    } catch (error) {
      this.lastWriteOk = false;
      this.#log.warning(`Error fsyncing the AOF file: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.beforeReply();
    try {
      this.#file.syncDataSync();
      this.#file.close();
    } catch {
      // Already closed.
    }
  }

  /**
   * BGREWRITEAOF: writes the function libraries (FUNCTION LOAD) and the keyspace as the shortest
   * commands that rebuild them to a temp file, fsyncs, renames it over the AOF and continues
   * appending there. Synchronous: the file holds exactly the dataset of this instant.
   */
  rewrite(engine: Engine, nowMs: number, functionCodes: readonly Uint8Array[] = []): number {
    this.beforeReply();
    const slash = this.path.lastIndexOf("/");
    const tempPath = `${
      slash >= 0 ? this.path.slice(0, slash) : "."
    }/temp-rewriteaof-${Deno.pid}.aof`;
    const temp = Deno.openSync(tempPath, { write: true, create: true, truncate: true });
    let sizeBytes = 0;
    let db = -1;
    const write = (argv: (Uint8Array | string)[]) => {
      const bytes = encodeCommand(argv);
      let offset = 0;
      while (offset < bytes.length) offset += temp.writeSync(bytes.subarray(offset));
      sizeBytes += bytes.length;
    };
    try {
      // The function libraries first, as Redis's rewriteFunctions (no RDB preamble here).
      for (const code of functionCodes) write(["FUNCTION", "LOAD", code]);
      for (const entry of keyspaceEntries(engine, nowMs)) {
        if (entry.db !== db) {
          write(["SELECT", String(entry.db)]);
          db = entry.db;
        }
        for (const argv of rebuildCommands(entry)) write(argv);
      }
      temp.syncSync();
      temp.close();
      Deno.renameSync(tempPath, this.path);
    } catch (error) {
      try {
        temp.close();
        Deno.removeSync(tempPath);
      } catch {
        // Nothing more to undo.
      }
      throw error;
    }
    this.#file.close();
    this.#file = Deno.openSync(this.path, { append: true });
    this.#db = db;
    this.sizeBytes = sizeBytes;
    return sizeBytes;
  }
}

/** The commands that recreate one entry, TTL last (as an absolute PEXPIREAT). */
function* rebuildCommands(entry: RdbEntry): Generator<(Uint8Array | string)[]> {
  const { key, value } = entry;
  const batches = <T>(items: T[]) => {
    const out: T[][] = [];
    for (let i = 0; i < items.length; i += REWRITE_BATCH_ELEMENTS) {
      out.push(items.slice(i, i + REWRITE_BATCH_ELEMENTS));
    }
    return out;
  };
  switch (value.type) {
    case "string":
      yield ["SET", key, value.value];
      break;
    case "list":
      for (const batch of batches(value.elements)) yield ["RPUSH", key, ...batch];
      break;
    case "set":
      for (const batch of batches(value.members)) yield ["SADD", key, ...batch];
      break;
    case "zset":
      for (const batch of batches(value.entries)) {
        yield ["ZADD", key, ...batch.flatMap((e) => [formatScore(e.score), e.member])];
      }
      break;
    case "hash":
      for (const batch of batches(value.fields)) {
        yield ["HSET", key, ...batch.flatMap((f) => [f.field, f.value])];
      }
      break;
    case "stream":
      yield* rebuildStream(key, value.stream);
      break;
  }
  if (entry.expireAtMs > 0) yield ["PEXPIREAT", key, String(entry.expireAtMs)];
}

/**
 * A stream as Redis's rewriteStreamObject writes it: its entries as XADDs (an empty stream as
 * `XADD key MAXLEN 0 0-1 x y`), XSETID with the counters, then per group XGROUP CREATE … ENTRIESREAD
 * and, per consumer, XCLAIM … FORCE JUSTID for each pending entry (XGROUP CREATECONSUMER when it
 * has none).
 */
function* rebuildStream(key: Uint8Array, stream: RdbStream): Generator<(Uint8Array | string)[]> {
  const id = (at: RdbStreamId) => `${at.ms}-${at.seq}`;
  if (stream.entries.length === 0) yield ["XADD", key, "MAXLEN", "0", "0-1", "x", "y"];
  for (const entry of stream.entries) {
    yield ["XADD", key, id(entry.id), ...entry.fields.flatMap((f) => [f.field, f.value])];
  }
  yield [
    "XSETID",
    key,
    id(stream.lastId),
    "ENTRIESADDED",
    String(stream.entriesAdded),
    "MAXDELETEDID",
    id(stream.maxDeletedId),
  ];
  for (const group of stream.groups) {
    const lastId = id(group.lastDeliveredId);
    yield ["XGROUP", "CREATE", key, group.name, lastId, "ENTRIESREAD", String(group.entriesRead)];
    const pendingById = new Map(group.pending.map((pending) => [id(pending.id), pending]));
    for (const consumer of group.consumers) {
      if (consumer.pending.length === 0) {
        yield ["XGROUP", "CREATECONSUMER", key, group.name, consumer.name];
        continue;
      }
      for (const pendingId of consumer.pending) {
        const pending = pendingById.get(id(pendingId));
        if (pending === undefined) continue;
        yield [
          "XCLAIM",
          key,
          group.name,
          consumer.name,
          "0",
          id(pendingId),
          "TIME",
          String(pending.deliveryTimeMs),
          "RETRYCOUNT",
          String(pending.deliveryCount),
          "JUSTID",
          "FORCE",
        ];
      }
    }
  }
}

function formatScore(score: number): string {
  if (score === Infinity) return "inf";
  if (score === -Infinity) return "-inf";
  // 17 significant digits round-trip every double exactly.
  return Number.isInteger(score) ? String(score) : score.toPrecision(17);
}
