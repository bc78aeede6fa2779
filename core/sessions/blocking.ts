// Clients blocked on keys (BLPOP, BRPOP, BLMOVE, BLMPOP, BZPOPMIN, BZPOPMAX …). A blocked
// command parks with an `attempt` callback; any write to one of its keys marks the key ready,
// and after the writing command finishes the dispatcher calls serveReady(), which offers each
// ready key to its waiters in arrival order until an attempt fails (nothing left to pop). So a
// push of one element wakes exactly one client, and the longest waiting one, as in Redis.
// Attempts run synchronously inside serveReady, between two commands, so no other client can
// observe a state in between.
//
// Stream readers (XREAD, XREADGROUP) differ in two ways, as in Redis's
// serveClientsBlockedOnStreamKey: a new entry is for every reader waiting past its ID, not just
// the first, so a reader that cannot be served does not stop the others (`passOver`); and a
// reader is served from the key that became ready only, which the attempt is told.

import type { CommandSpec } from "../command_meta/spec.ts";
import type { ClientState } from "./client.ts";

/**
 * What the registry keeps of a parked command: the fields of the commands layer's
 * CommandContext it reads (the context itself is passed in and handed back unchanged).
 */
export interface ParkedCommand {
  client: ClientState;
  argv: Uint8Array[];
  spec: CommandSpec;
}

/** Called before a parked command is attempted, as the dispatcher does before any write. */
export type BeforeWriteHook = (db: number, spec: CommandSpec, argv: readonly Uint8Array[]) => void;

interface Waiter {
  /** The parked command's context (argv already copied). */
  ctx: ParkedCommand;
  client: ClientState;
  db: number;
  /** "db:latin1(key)" tags this waiter is registered under. */
  tags: string[];
  /**
   * Tries to serve the command now; writes its reply and returns true when it did. `readyKey`
   * is the key whose write woke it (null when retried for another reason).
   */
  attempt: (readyKey: Uint8Array | null) => boolean;
  /** A failed attempt lets the next waiter on the key try (stream readers). */
  passOver: boolean;
  onTimeout: () => void;
  resolve: () => void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

function keyTag(db: number, key: Uint8Array): string {
  let tag = db + ":";
  for (let i = 0; i < key.length; i++) tag += String.fromCharCode(key[i]);
  return tag;
}

/** The key bytes of a tag (after "db:"). */
function tagKey(tag: string): Uint8Array {
  const start = tag.indexOf(":") + 1;
  const key = new Uint8Array(tag.length - start);
  for (let i = 0; i < key.length; i++) key[i] = tag.charCodeAt(start + i);
  return key;
}

export class BlockingRegistry {
  /** Waiters per key tag, oldest first. */
  readonly #byKey = new Map<string, Waiter[]>();
  readonly #byClient = new Map<ClientState, Waiter>();
  /** Keys written since the last serveReady, in the order they became ready. */
  #ready: string[] = [];
  #serving = false;
  /** The running snapshot's pre-write hook: attempts write without passing the dispatcher. */
  readonly #beforeWrite: BeforeWriteHook;

  constructor(beforeWrite: BeforeWriteHook) {
    this.#beforeWrite = beforeWrite;
  }

  /** Number of blocked clients (INFO blocked_clients). */
  get blockedCount(): number {
    return this.#byClient.size;
  }

  /**
   * Parks the command until `attempt()` succeeds after a write to one of `keys`, or until
   * timeoutMs passes (0 = forever), when `onTimeout()` writes the timeout reply. ctx.argv is
   * replaced by copies first: the read buffer its views point into is reused while the
   * client waits, so attempt() must read its arguments from ctx.argv, not from earlier views.
   * Inside MULTI/EXEC a blocking command never blocks: it times out at once, as in Redis.
   * With `passOver`, a failed attempt does not keep later waiters on the key from trying.
   */
  block(
    ctx: ParkedCommand,
    keys: readonly Uint8Array[],
    timeoutMs: number,
    attempt: (readyKey: Uint8Array | null) => boolean,
    onTimeout: () => void,
    passOver = false,
  ): Promise<void> {
    if (ctx.client.executingMulti) {
      onTimeout();
      return Promise.resolve();
    }
    ctx.argv = ctx.argv.map((arg) => arg.slice());
    const db = ctx.client.db;
    return new Promise<void>((resolve) => {
      const waiter: Waiter = {
        ctx,
        client: ctx.client,
        db,
        tags: [...new Set(keys.map((key) => keyTag(db, key)))],
        attempt,
        passOver,
        onTimeout,
        resolve,
        timer: undefined,
      };
      for (const tag of waiter.tags) {
        let list = this.#byKey.get(tag);
        if (!list) this.#byKey.set(tag, list = []);
        list.push(waiter);
      }
      this.#byClient.set(ctx.client, waiter);
      ctx.client.blocked = true;
      if (timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          this.#remove(waiter);
          waiter.onTimeout();
          waiter.resolve();
        }, timeoutMs);
      }
    });
  }

  /** A key was written (called from ServerState.keyModified). */
  signal(db: number, key: Uint8Array): void {
    if (this.#byClient.size === 0) return;
    const tag = keyTag(db, key);
    if (this.#byKey.has(tag)) this.#ready.push(tag);
  }

  /**
   * A whole database changed under its keys (SWAPDB brings in another database's data): every
   * key waited on in `db` is offered again, as Redis's scanDatabaseForReadyKeys.
   */
  signalDb(db: number): void {
    if (this.#byClient.size === 0) return;
    const prefix = db + ":";
    for (const tag of this.#byKey.keys()) if (tag.startsWith(prefix)) this.#ready.push(tag);
  }

  get hasReady(): boolean {
    return this.#ready.length > 0 && !this.#serving;
  }

  /** Offers every ready key to its waiters, oldest first, until one cannot be served. */
  serveReady(): void {
    if (this.#serving) return;
    this.#serving = true;
    try {
      while (this.#ready.length > 0) {
        const tag = this.#ready.shift()!;
        const waiters = this.#byKey.get(tag);
        if (waiters === undefined) continue;
        const key = tagKey(tag);
        // A copy: served waiters leave the live list while it is walked.
        for (const waiter of [...waiters]) {
          if (!this.#byClient.has(waiter.client)) continue; // served from an earlier key
          this.#beforeWrite(waiter.db, waiter.ctx.spec, waiter.ctx.argv);
          if (waiter.attempt(key)) {
            this.#remove(waiter);
            waiter.resolve();
          } else if (!waiter.passOver) {
            break;
          }
        }
      }
    } finally {
      this.#serving = false;
    }
  }

  /**
   * Attempts one client's parked command now, for waits that no key write ends (WAIT ends on a
   * replica's ACK). Returns true when it was served and unblocked.
   */
  retry(client: ClientState): boolean {
    const waiter = this.#byClient.get(client);
    if (!waiter || !waiter.attempt(null)) return false;
    this.#remove(waiter);
    waiter.resolve();
    return true;
  }

  /**
   * CLIENT UNBLOCK: ends a client's wait now with its timeout reply, or with `errorText` as an
   * error reply when given. Returns false when the client was not blocked.
   */
  unblock(client: ClientState, errorText: string | null): boolean {
    const waiter = this.#byClient.get(client);
    if (!waiter) return false;
    this.#remove(waiter);
    if (errorText === null) waiter.onTimeout();
    else waiter.client.writer.error(errorText);
    waiter.resolve();
    return true;
  }

  /** Unblocks a client without a reply (it disconnected or was killed). */
  cancel(client: ClientState): void {
    const waiter = this.#byClient.get(client);
    if (!waiter) return;
    this.#remove(waiter);
    waiter.resolve();
  }

  #remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiter.client.blocked = false;
    this.#byClient.delete(waiter.client);
    for (const tag of waiter.tags) {
      const list = this.#byKey.get(tag);
      if (!list) continue;
      const index = list.indexOf(waiter);
      if (index >= 0) list.splice(index, 1);
      if (list.length === 0) this.#byKey.delete(tag);
    }
  }

  /** Cancels every waiter (server shutdown). */
  cancelAll(): void {
    for (const client of [...this.#byClient.keys()]) this.cancel(client);
  }
}
