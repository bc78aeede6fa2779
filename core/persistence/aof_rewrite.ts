// BGREWRITEAOF in the background, on the copy-on-write snapshot BGSAVE and diskless full sync
// use (saver.ts), so the server keeps serving writes while the log is compacted.
//
//   instant ──► the new file gets the snapshot as an RDB preamble (Redis's
//               aof-use-rdb-preamble), written while the scan runs; every write from the
//               instant on goes both to the old AOF (still the durable one) and to a buffer
//   end     ──► the buffer is appended to the new file (most of it asynchronously, the last
//               part synchronously), which is fsynced and renamed over the AOF; appending
//               continues there
//
// Until the rename the old file holds every acknowledged write, so a crash mid-rewrite loses
// nothing. A rewrite asked while a snapshot runs is scheduled for when it ends, as Redis does.

import type { Logger } from "../log.ts";
import type { AofWriter } from "./aof.ts";
import { AtomicFileWriter } from "./rdb_file.ts";
import type { RdbSaver } from "./saver.ts";

/** What the rewriter needs from the server. */
export interface AofRewriteHost {
  saver: RdbSaver;
  log: Logger;
  /** The live AOF writer, null while appendonly is off. */
  aof(): AofWriter | null;
}

export type AofRewriteStart = "started" | "scheduled" | "in-progress";

export class AofRewriter {
  readonly #host: AofRewriteHost;
  /** aof_rewrite_in_progress */
  inProgress = false;
  /** aof_rewrite_scheduled */
  scheduled = false;
  /** aof_last_bgrewrite_status */
  lastOk = true;

  constructor(host: AofRewriteHost) {
    this.#host = host;
  }

  /** BGREWRITEAOF with appendonly on: starts now, or once the running snapshot ends. */
  request(nowMs: number): AofRewriteStart {
    if (this.inProgress) return "in-progress";
    if (this.#host.saver.bgsaveInProgress) {
      this.scheduled = true;
      return "scheduled";
    }
    this.#start(nowMs);
    return "started";
  }

  /** Server cron: starts a scheduled rewrite once no snapshot runs. */
  cron(nowMs: number): void {
    if (!this.scheduled || this.inProgress || this.#host.saver.bgsaveInProgress) return;
    this.scheduled = false;
    this.#start(nowMs);
  }

  #start(nowMs: number): void {
    const aof = this.#host.aof();
    if (aof === null) return;
    const { saver, log } = this.#host;
    this.inProgress = true;
    let temp: AtomicFileWriter | null = null;
    let startError: Error | null = null;
    saver.shareNextSnapshot({
      start: () => {
        try {
          temp = new AtomicFileWriter(aof.path, "aof");
          aof.beginRewrite();
        } catch (error) {
          startError = error instanceof Error ? error : new Error(String(error));
        }
      },
      chunk: (chunk) => temp?.queue([chunk]),
      end: (ok) => {
        void this.#complete(ok, aof, temp, startError);
      },
    });
    saver.startForConsumers(nowMs);
    log.notice("Background append only file rewriting started");
  }

  async #complete(
    snapshotOk: boolean,
    aof: AofWriter,
    temp: AtomicFileWriter | null,
    startError: Error | null,
  ): Promise<void> {
    const { log } = this.#host;
    try {
      if (temp === null) throw startError ?? new Error("no file");
      await temp.drain();
      if (!snapshotOk) throw new Error("the snapshot was aborted");
      // Most of what was written meanwhile goes out asynchronously; finishRewrite takes the
      // last part in the same turn as the rename.
      for (let batch = aof.takeRewriteBuffer(); batch.length > 0; batch = aof.takeRewriteBuffer()) {
        temp.queue(batch);
        await temp.drain();
      }
      await temp.syncAsync();
      if (this.#host.aof() !== aof) throw new Error("appendonly was turned off meanwhile");
      aof.finishRewrite(temp);
      this.lastOk = true;
      log.notice(
        `Background AOF rewrite finished successfully (${aof.sizeBytes} bytes, RDB preamble)`,
      );
    } catch (error) {
      aof.abortRewrite();
      temp?.abort();
      this.lastOk = false;
      log.warning(`Background AOF rewrite failed: ${(error as Error).message}`);
    } finally {
      this.inProgress = false;
    }
  }
}
