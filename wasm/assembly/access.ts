// access.ts — what maxmemory eviction knows about each key: one u32 per entry (the header's
// `lruClock` cell), stamped on every lookup, read by the eviction sampler and OBJECT
// IDLETIME / FREQ. Its meaning follows the policy family, as Redis's `lru` field does:
//
//   LRU mode: seconds since the epoch, modulo 2^24 (Redis's LRU clock, 1 s resolution)
//   LFU mode: minutes modulo 2^16 << 8 │ logarithmic counter u8 (Redis's ldt │ counter)
//
// A lookup only stores a word and, in LFU mode, draws one random number, so reads stay cheap.
// Switching families reinterprets the stamps (as in Redis); they converge as keys are used.
// This module knows the entry's stamp cell and nothing else of the keyspace: dict.ts asks it
// for a new entry's stamp, the lookups in keyspace.ts call noteClock and touchEntry.

import { ACCESS_MODE_LFU, ACCESS_MODE_LRU } from "./abi";
import { ENTRY_LRU_CLOCK } from "./entry";
import { randomUnit } from "./random";

/** Redis's LRU_CLOCK_MAX: the clock wraps at 24 bits. */
const LRU_CLOCK_MAX: u32 = (1 << 24) - 1;
/** Redis's LFU_INIT_VAL: new keys start here so they are not evicted before a second use. */
const LFU_INIT_COUNTER: u32 = 5;

let accessMode: u32 = ACCESS_MODE_LRU;
let lfuLogFactor: u32 = 10;
let lfuDecayTimeMinutes: u32 = 1;
/** The stamp a new entry gets: refreshed by every noteClock. */
let newEntryStamp: u32 = 0;
let nowMinutes: u32 = 0;
let nowLruClock: u32 = 0;

/** maxmemory-policy family and the LFU tunables (lfu-log-factor, lfu-decay-time). */
export function setAccessMode(mode: u32, logFactor: u32, decayTimeMinutes: u32): void {
  notedMs = -1; // the new-entry stamp depends on the mode
  accessMode = mode;
  lfuLogFactor = logFactor;
  lfuDecayTimeMinutes = decayTimeMinutes;
}

export function getAccessMode(): u32 {
  return accessMode;
}

/** The command time noteClock last derived the clocks from. */
let notedMs: i64 = -1;

/** The time of the command being run; called by every lookup before stamping. */
@inline export function noteClock(nowMs: i64): void {
  // Many lookups share a millisecond: skip the divisions then (they cost more than the rest).
  if (nowMs == notedMs) return;
  notedMs = nowMs;
  const seconds = <u64>nowMs / 1000;
  nowLruClock = <u32>(seconds & <u64>LRU_CLOCK_MAX);
  nowMinutes = <u32>((seconds / 60) & 0xffff);
  newEntryStamp = accessMode == ACCESS_MODE_LFU
    ? (nowMinutes << 8) | LFU_INIT_COUNTER
    : nowLruClock;
}

@inline export function stampForNewEntry(): u32 {
  return newEntryStamp;
}

/**
 * While set, lookups leave stamps alone: Redis's LOOKUP_NOTOUCH, which TTL, TYPE, EXISTS,
 * OBJECT and SCAN's TYPE filter look keys up with. The host sets it around those commands.
 */
let touchSuppressed = false;

export function setTouchSuppressed(on: u32): void {
  touchSuppressed = on != 0;
}

/** A key was looked up: LRU records now, LFU decays then maybe increments the counter. */
@inline export function touchEntry(e: usize): void {
  if (touchSuppressed) return;
  if (accessMode == ACCESS_MODE_LRU) {
    store<u32>(e, nowLruClock, ENTRY_LRU_CLOCK);
    return;
  }
  let counter = decayedCounter(load<u32>(e, ENTRY_LRU_CLOCK));
  if (counter < 255) {
    const base = counter > LFU_INIT_COUNTER ? counter - LFU_INIT_COUNTER : 0;
    const p = 1.0 / (<f64>base * <f64>lfuLogFactor + 1.0);
    if (randomUnit() < p) counter++;
  }
  store<u32>(e, (nowMinutes << 8) | counter, ENTRY_LRU_CLOCK);
}

/** LFU: the counter less one per lfu-decay-time minutes since its last access. */
export function decayedCounter(stamp: u32): u32 {
  const counter = stamp & 0xff;
  if (lfuDecayTimeMinutes == 0) return counter;
  const last = stamp >> 8;
  const elapsed = nowMinutes >= last ? nowMinutes - last : 65536 - last + nowMinutes;
  const periods = elapsed / lfuDecayTimeMinutes;
  return periods >= counter ? 0 : counter - periods;
}

/** LRU: milliseconds since the entry's last access (1 s resolution, wrap-aware). */
export function idleMs(stamp: u32): f64 {
  const clock = stamp & LRU_CLOCK_MAX;
  const idleS = nowLruClock >= clock ? nowLruClock - clock : LRU_CLOCK_MAX - clock + nowLruClock;
  return <f64>idleS * 1000.0;
}

/**
 * The stamp RESTORE … IDLETIME / FREQ gives a key (Redis's objectSetLRUOrLFU): in LFU mode now
 * with counter `value` (0..255); in LRU mode the clock `value` seconds ago, or, when that would
 * fall before the clock's zero, a stamp half a wrap away so the key still reads as old.
 */
export function stampFromAccessInfo(value: f64): u32 {
  if (accessMode == ACCESS_MODE_LFU) return (nowMinutes << 8) | (<u32>value & 0xff);
  if (value > <f64>nowLruClock) return (nowLruClock + LRU_CLOCK_MAX / 2) % LRU_CLOCK_MAX;
  return nowLruClock - <u32>value;
}
