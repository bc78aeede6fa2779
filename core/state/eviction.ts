// maxmemory eviction: before a command runs on a master that is over `maxmemory`, keys are
// evicted under `maxmemory-policy` until memory is back under the limit, as Redis's
// performEvictions does. The choice of key is the engine's (wasm/assembly/eviction.ts
// evictionCandidate: Redis's sampling approximation of LRU, LFU, random and TTL order over each
// key's access stamp, wasm/assembly/access.ts); the deletion is the host's, run as a DEL
// command so that a running snapshot side-saves the key first, WATCH sees it, and replicas and
// the AOF receive the DEL — a replica never evicts on its own and stays identical.
//
// "Memory" is the engine's allocated bytes (INFO used_memory; streams' node bytes included),
// not the WASM memory size: linear memory only grows, but freed pages go back to the engine's
// free lists and are reused, which INFO memory shows as wasm_free_pages and
// mem_fragmentation_ratio.

import type { Config } from "../config/table.ts";
import type { Engine } from "../engine/mod.ts";
import type { LazyFreeQueue } from "./lazyfree_queue.ts";
import {
  ACCESS_MODE_LFU,
  ACCESS_MODE_LRU,
  EVICT_ALLKEYS_LFU,
  EVICT_ALLKEYS_LRU,
  EVICT_ALLKEYS_RANDOM,
  EVICT_NOEVICTION,
  EVICT_VOLATILE_LFU,
  EVICT_VOLATILE_LRU,
  EVICT_VOLATILE_RANDOM,
  EVICT_VOLATILE_TTL,
} from "../engine/abi.ts";

/** maxmemory-policy → the engine's policy code (0: noeviction, never asked). */
const POLICY_CODES: Readonly<Record<string, number>> = {
  "noeviction": EVICT_NOEVICTION,
  "allkeys-lru": EVICT_ALLKEYS_LRU,
  "allkeys-lfu": EVICT_ALLKEYS_LFU,
  "allkeys-random": EVICT_ALLKEYS_RANDOM,
  "volatile-lru": EVICT_VOLATILE_LRU,
  "volatile-lfu": EVICT_VOLATILE_LFU,
  "volatile-random": EVICT_VOLATILE_RANDOM,
  "volatile-ttl": EVICT_VOLATILE_TTL,
};
/** Evictions per command at most: a bound on one command's latency, as Redis's tenacity. */
const EVICTIONS_PER_COMMAND_MAX = 1000;

export class MaxmemoryEvictor {
  readonly #engine: Engine;
  readonly #config: Config;
  #policyCode = 0;
  /** INFO stats evicted_keys. */
  evictedKeys = 0;

  constructor(engine: Engine, config: Config) {
    this.#engine = engine;
    this.#config = config;
    this.#applyPolicy();
    for (const name of ["maxmemory-policy", "lfu-log-factor", "lfu-decay-time"]) {
      config.onChange(name, () => this.#applyPolicy());
    }
  }

  /** Stamps follow the policy's family: LFU policies count uses, the others record time. */
  #applyPolicy(): void {
    const policy = this.#config.getString("maxmemory-policy");
    this.#policyCode = POLICY_CODES[policy] ?? EVICT_NOEVICTION;
    this.#engine.setAccessMode(
      policy.endsWith("-lfu") ? ACCESS_MODE_LFU : ACCESS_MODE_LRU,
      this.#config.getNumber("lfu-log-factor"),
      this.#config.getNumber("lfu-decay-time"),
    );
  }

  /** The configured policy counts uses (OBJECT FREQ answers; OBJECT IDLETIME refuses). */
  get lfu(): boolean {
    return this.#config.getString("maxmemory-policy").endsWith("-lfu");
  }

  /**
   * Evicts until used memory is at most `maxmemoryBytes`, deleting each chosen key through
   * `deleteKey`. Returns false when still over the limit (noeviction, or nothing left that
   * the policy may evict): the caller then refuses commands that would grow memory.
   */
  evictUntilUnder(
    maxmemoryBytes: number,
    nowMs: number,
    lazyFree: LazyFreeQueue,
    deleteKey: (db: number, key: Uint8Array) => void,
  ): boolean {
    const engine = this.#engine;
    if (engine.usedMemoryBytes() <= maxmemoryBytes) return true;
    if (this.#policyCode === EVICT_NOEVICTION) return this.#waitLazyFree(maxmemoryBytes, lazyFree);
    const samples = this.#config.getNumber("maxmemory-samples");
    for (let evicted = 0; evicted < EVICTIONS_PER_COMMAND_MAX; evicted++) {
      const candidate = engine.evictionCandidate(this.#policyCode, samples, nowMs);
      if (candidate === null) return this.#waitLazyFree(maxmemoryBytes, lazyFree);
      const usedBefore = engine.usedMemoryBytes();
      const pendingBefore = lazyFree.pendingObjects;
      deleteKey(candidate.db, candidate.key);
      // An evicted stream's node blocks are freed by the sweep, which must run now for the
      // memory to show as freed (a walk over the keys, only when a stream was dropped).
      engine.reclaimHostValues(nowMs, true);
      const queued = lazyFree.pendingObjects > pendingBefore; // lazyfree-lazy-eviction
      if (engine.usedMemoryBytes() >= usedBefore && !queued) return false; // freed nothing
      this.evictedKeys++;
      if (engine.usedMemoryBytes() <= maxmemoryBytes) return true;
    }
    return engine.usedMemoryBytes() <= maxmemoryBytes ||
      this.#waitLazyFree(maxmemoryBytes, lazyFree);
  }

  /**
   * Out of keys to evict while the lazy-free queue still holds memory: one bounded slice of it
   * now, then the verdict (Redis's performEvictions waits briefly for its lazyfree thread).
   */
  #waitLazyFree(maxmemoryBytes: number, lazyFree: LazyFreeQueue): boolean {
    if (lazyFree.pendingObjects === 0) return false;
    if (lazyFree.slice()) lazyFree.kick();
    return this.#engine.usedMemoryBytes() <= maxmemoryBytes;
  }
}
