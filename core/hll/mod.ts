// HyperLogLog codec of resplica: Redis 7.0's HyperLogLog bytes inside a string value, read and
// changed exactly as redis-server reads and changes them, with no server behind it (layer 1 of
// README "Architecture", beside the RDB codec). The commands (core/commands/hyperloglog.ts)
// fetch a value from the engine, use this to read or change it, and store it back.
//
// - `layout.ts`: the header, dense registers and sparse opcodes, drawn and named; validity.
// - `murmur.ts`: MurmurHash64A on 32-bit halves; an element's register index and count.
// - `estimate.ts`: register histograms, the union of several values, Redis 7.0's estimator.
// - `draft.ts`: `HllDraft`, a value being changed (Redis's sparse update and promotion).
// - `selftest.ts`: PFSELFTEST's checks.

/**
 * HyperLogLog values as Redis 7.0 stores them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   estimateCardinality,
 *   HllDraft,
 *   hllPattern,
 *   newHistogram,
 *   valueHistogram,
 * } from "./mod.ts";
 * const draft = new HllDraft();
 * draft.loadEmpty();
 * for (const word of ["a", "b", "c"]) draft.add(hllPattern(new TextEncoder().encode(word)), 3000);
 * const histogram = newHistogram();
 * assert.ok(valueHistogram(draft.value, histogram));
 * assert.equal(estimateCardinality(histogram), 3);
 * ```
 */
export * from "./layout.ts";
export * from "./murmur.ts";
export * from "./estimate.ts";
export * from "./draft.ts";
export { hllSelfTest } from "./selftest.ts";
