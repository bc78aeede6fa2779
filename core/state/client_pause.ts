// CLIENT PAUSE as Redis 7.0 (networking.c pauseClients / unpauseClients): while a pause is on,
// clients' commands of the paused kind wait, and run once it ends (or is relaxed).
//
//   type   Off ──CLIENT PAUSE ms WRITE──► Write ──CLIENT PAUSE ms ALL──► All
//           ▲                               │                             │
//           └──── CLIENT UNPAUSE, or endMs passed (checked on dispatch and every cron tick)
//
// Pausing again keeps the stricter type and the later end (Redis's p->type = max, p->end = max).
// A pause also freezes the dataset: expired keys read as missing but are not deleted (the
// engine's expireDeletes off, as a replica), so expired_keys does not move until the pause ends,
// and eviction stops (state/eviction.ts asks `active`). Which commands wait is the dispatcher's
// call (core/commands/client_pause.ts): under Write the may-replicate ones (writes, PUBLISH,
// PFCOUNT, EVAL without no-writes, EXEC of such), under All everything; replicas never wait.
//
// The pause does not time anything itself: the server's cron and every dispatch call refresh(),
// so a pause ends within one cron tick of endMs (Redis checks in serverCron as well).

/** The pause kinds, ordered by strictness as Redis's pause_type. */
export const enum PauseType {
  /** No pause. */
  Off = 0,
  /** Commands that may replicate (writes, PUBLISH, PFCOUNT, write scripts) wait. */
  Write = 1,
  /** Every command of a non-replica client waits. */
  All = 2,
}

/** What the pause needs of the server: the engine's expiry switch and the snapshot's state. */
export interface ClientPauseHost {
  readonly engine: {
    readonly expireDeletes: boolean;
    setExpireDeletes(on: boolean): void;
  };
  readonly saver: { readonly snapshotRunning: boolean };
}

export class ClientPause {
  readonly #host: ClientPauseHost;
  /** The strictest pause in force. */
  type: PauseType = PauseType.Off;
  /** Unix ms at which the pause ends (0 with type Off). */
  endMs = 0;
  /** Commands waiting for the pause to end or relax (counted in INFO blocked_clients). */
  postponedCount = 0;
  /** Resolves the promise postponed commands wait on; null when none was handed out. */
  #wake: (() => void) | null = null;
  #wakePromise: Promise<void> | null = null;
  /** The engine's expireDeletes setting before the pause turned it off. */
  #expireDeletesBefore = true;

  constructor(host: ClientPauseHost) {
    this.#host = host;
  }

  /** True while some pause is in force (Redis's areClientsPaused). */
  get active(): boolean {
    return this.type !== PauseType.Off;
  }

  /**
   * CLIENT PAUSE: pauses `type` until endMs (an absolute Unix time in ms). A pause already on
   * keeps the stricter type and the later end.
   */
  pause(type: PauseType.Write | PauseType.All, endMs: number, nowMs: number): void {
    const wasActive = this.active;
    this.type = Math.max(this.type, type) as PauseType;
    this.endMs = Math.max(this.endMs, endMs);
    if (!wasActive) {
      this.#expireDeletesBefore = this.#host.engine.expireDeletes;
      this.#host.engine.setExpireDeletes(false);
    }
    // An end already in the past (CLIENT PAUSE 0) ends the pause at once, as Redis.
    this.refresh(nowMs);
  }

  /** CLIENT UNPAUSE: ends the pause; waiting commands are run again (and may wait again). */
  unpause(): void {
    if (!this.active) return;
    this.type = PauseType.Off;
    this.endMs = 0;
    // A snapshot turned expiry off too and puts back its own setting when it ends.
    if (!this.#host.saver.snapshotRunning) {
      this.#host.engine.setExpireDeletes(this.#expireDeletesBefore);
    }
    this.#wakeAll();
  }

  /**
   * Ends a pause whose time is up (Redis's checkClientPauseTimeoutAndReturnIfPaused); while
   * one is on, keeps expiry off (a snapshot ending puts its own setting back). Returns whether a
   * pause is still on.
   */
  refresh(nowMs: number): boolean {
    if (!this.active) return false;
    if (this.endMs < nowMs) {
      this.unpause();
      return false;
    }
    if (this.#host.engine.expireDeletes) this.#host.engine.setExpireDeletes(false);
    return true;
  }

  /** Whether a command of this kind waits now: any under All, may-replicate ones under Write. */
  holds(mayReplicate: boolean): boolean {
    return this.type === PauseType.All || (this.type === PauseType.Write && mayReplicate);
  }

  /**
   * Parks one command until the pause ends: `rerun` is called then (it re-dispatches, so the
   * command may wait again under a pause started meanwhile). Counted in postponedCount.
   */
  postpone(rerun: () => void | Promise<void>): Promise<void> {
    if (this.#wakePromise === null) {
      this.#wakePromise = new Promise<void>((resolve) => this.#wake = resolve);
    }
    this.postponedCount++;
    return this.#wakePromise.then(() => {
      this.postponedCount--;
      return rerun();
    });
  }

  #wakeAll(): void {
    const wake = this.#wake;
    this.#wake = null;
    this.#wakePromise = null;
    wake?.();
  }
}
