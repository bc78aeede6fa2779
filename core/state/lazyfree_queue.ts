// The host half of lazy freeing: drives the engine's lazy-free queue (wasm/assembly/lazyfree.ts)
// in bounded slices between event-loop turns, where Redis has a background thread (bio.c).
//
//   FLUSHALL ASYNC / UNLINK / lazyfree-lazy-* ──► engine detaches in O(1) ──► kick()
//                                                                               │
//        ┌──────────────────────── setTimeout 0, only while work is pending ◄──┘
//        ▼
//   slice(): engine.lazyFreeStep(LAZYFREE_STEP_BUDGET) until LAZYFREE_SLICE_BUDGET_MS has
//            passed or the queue is empty; then the timer is armed again if work remains.
//   The server cron runs one slice per tick as well (work left by lazy expiry, which no
//   command kicks).
//
// Commands run between slices, so a FLUSHALL ASYNC of millions of keys costs the clients at
// most one slice of latency at a time. Pending bytes stay in used_memory until freed (maxmemory
// sees them, as Redis's do). lazyfreed_objects (ServerStats) grows by what the engine reports
// freed after each slice.

import type { Engine } from "../engine/mod.ts";
import { LAZYFREE_MODE_EXPIRE, LAZYFREE_MODE_SERVER_DEL } from "../engine/abi.ts";
import type { Config } from "../config/table.ts";

/** Wall time one slice may spend freeing before it yields to the event loop. */
export const LAZYFREE_SLICE_BUDGET_MS = 1;
/**
 * Keys, elements or nodes one engine call frees at most (bucket slots count 1/64): small
 * enough that one call stays far below the slice budget (≈ 50–100 µs), large enough that the
 * boundary crossing is noise.
 */
export const LAZYFREE_STEP_BUDGET = 1024;
/** Engine calls per slice at most, whatever the clock says (a bound on every loop). */
const LAZYFREE_SLICE_STEPS_MAX = 256;

/** Where freed objects are counted (ServerStats.lazyfreedObjects). */
export interface LazyfreeCounter {
  lazyfreedObjects: number;
}

export class LazyFreeQueue {
  readonly #engine: Engine;
  readonly #counter: LazyfreeCounter;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** The engine's cumulative freed count at the last absorb. */
  #freedSeen: number;
  /** Slices run and the longest one (ms), for the benchmark and tests. */
  slicesRun = 0;
  sliceMsMax = 0;

  constructor(engine: Engine, counter: LazyfreeCounter, config?: Config) {
    this.#engine = engine;
    this.#counter = counter;
    this.#freedSeen = engine.lazyFreedObjects();
    if (config !== undefined) {
      const apply = () => this.applyModes(config);
      apply();
      config.onChange("lazyfree-lazy-expire", apply);
      config.onChange("lazyfree-lazy-server-del", apply);
    }
  }

  /** Pushes lazyfree-lazy-expire / -server-del into the engine (the deletions it decides). */
  applyModes(config: Config): void {
    let modes = 0;
    if (config.getBool("lazyfree-lazy-expire")) modes |= LAZYFREE_MODE_EXPIRE;
    if (config.getBool("lazyfree-lazy-server-del")) modes |= LAZYFREE_MODE_SERVER_DEL;
    this.#engine.setLazyFreeModes(modes);
  }

  /** Keys and values waiting (INFO lazyfree_pending_objects). */
  get pendingObjects(): number {
    return this.#engine.lazyFreePendingObjects();
  }

  /** Arms the slice timer if there is work and it is not armed; call after queueing work. */
  kick(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    if (this.#engine.lazyFreePendingObjects() === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.slice()) this.kick();
    }, 0);
  }

  /** Frees for about LAZYFREE_SLICE_BUDGET_MS at most; true when work remains. */
  slice(): boolean {
    if (this.#engine.lazyFreePendingObjects() === 0) return false;
    const startedMs = performance.now();
    let more = true;
    for (let step = 0; step < LAZYFREE_SLICE_STEPS_MAX && more; step++) {
      more = this.#engine.lazyFreeStep(LAZYFREE_STEP_BUDGET);
      if (performance.now() - startedMs >= LAZYFREE_SLICE_BUDGET_MS) break;
    }
    const sliceMs = performance.now() - startedMs;
    this.slicesRun++;
    if (sliceMs > this.sliceMsMax) this.sliceMsMax = sliceMs;
    this.absorb();
    return more;
  }

  /** Frees everything now (tests, and whoever must see memory back at once). */
  drain(): void {
    while (this.#engine.lazyFreeStep(LAZYFREE_STEP_BUDGET * 64));
    this.absorb();
  }

  /** Objects the engine's queue has freed since start. */
  freedTotal = 0;

  /** Takes what the engine freed since the last call into freedTotal. */
  absorb(): void {
    const freed = this.#engine.lazyFreedObjects();
    // lazyfreed_objects is counted at deletion, by Redis's rule (core/commands/lazyfree.ts);
    // the engine's own count (its encodings, not Redis's) is kept for MEMORY MALLOC-STATS.
    this.freedTotal += freed - this.#freedSeen;
    this.#freedSeen = freed;
  }

  /** Stops the timer for good (server shutdown); the engine keeps what is pending. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
