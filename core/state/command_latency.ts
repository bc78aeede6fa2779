// What the server remembers about slow commands and latency spikes: the slow log (SLOWLOG),
// the latency monitor's per-event time series (LATENCY LATEST / HISTORY / GRAPH / DOCTOR), the
// per-command latency histograms (LATENCY HISTOGRAM), and the timing policy the dispatcher
// follows to feed them (core/commands/dispatch.ts, beginCall / endCall).
//
// Timing policy. A clock read is not free here (performance.now() ~80 ns, Date.now() ~40 ns,
// against ~1 µs for a pipelined GET), so how each call is timed depends on the thresholds:
//
//   smallest threshold of interest        how a call is timed
//   ─────────────────────────────────     ─────────────────────────────────────────────────
//   none (slowlog -1, latency monitor 0)  1 call in 8 (commandstats' sample), nothing else
//   < PRECISE_BELOW_US                    every call, performance.now() at both ends
//   ≥ PRECISE_BELOW_US                    1 in 8 precisely; the others by the ms clock: a
//                                         call's start is the Date.now() the dispatcher reads
//                                         anyway, its end the next call's start, or one
//                                         Date.now() per pipeline in a microtask
//                                         (dispatch.ts, deferCoarseCheck)
//
// So with the default slowlog-log-slower-than (10 ms) a pipelined GET or SET pays no clock read
// of its own, a slow KEYS is logged with its duration to the millisecond (an upper bound: it
// includes writing the reply), and only a small threshold (as the tests' 0) pays for a precise
// clock on every call.

import type { Config } from "../config/table.ts";
import type { ClientState } from "../sessions/client.ts";

/** What the histograms hang on: a commandstats record (server_state.ts's CommandStat). */
export interface CallCount {
  calls: number;
  /** Timed calls by duration bucket (see recordCallLatency); null until one is timed. */
  latencyHistogram: Uint32Array | null;
}

/** Below this many µs of threshold, every call is timed precisely (see the table above). */
export const PRECISE_BELOW_US = 5000;
/** SLOWLOG_ENTRY_MAX_ARGC: arguments kept per entry, the last one standing for the rest. */
export const SLOWLOG_ENTRY_ARGC_MAX = 32;
/** SLOWLOG_ENTRY_MAX_STRING: bytes kept per argument. */
export const SLOWLOG_ENTRY_ARG_BYTES_MAX = 128;
/** LATENCY_TS_LEN: samples kept per latency event (one per second at most). */
export const LATENCY_SAMPLES_MAX = 160;
// Latency histograms (LATENCY HISTOGRAM, INFO latencystats) are log-linear, as HdrHistogram's
// with two significant digits: durations in ns, one bucket per ns below HISTOGRAM_LINEAR_NS,
// then every power of two [2^e, 2^(e+1)) cut into HISTOGRAM_SUB_BUCKET_COUNT equal buckets,
// so a bucket is at most 1/64 (1.6%) wider than the values it holds. Recording is a clz32, two
// shifts and one array increment; a histogram is a fixed 6.75 KiB array, made at a command's first
// recorded call.
//
//   index:  0 … 127        128 … 191        192 … 255        …   1664 … 1727
//   ns:     0 … 127 (1 ns)  128 … 255 (2 ns)  256 … 511 (4 ns)  …   2^31 … 2^32-1 (2^25 ns)
//
/** Linear buckets (1 ns wide) below this many ns. */
const HISTOGRAM_LINEAR_NS = 128;
/** log2(HISTOGRAM_LINEAR_NS): the first power of two cut into sub-buckets. */
const HISTOGRAM_LINEAR_BITS = 7;
/** Sub-buckets per power of two above the linear range. */
const HISTOGRAM_SUB_BUCKET_COUNT = 64;
/** log2(HISTOGRAM_SUB_BUCKET_COUNT). */
const HISTOGRAM_SUB_BUCKET_BITS = 6;
/** Longest duration kept apart, ns (~4.3 s); longer calls count in the top bucket. */
const HISTOGRAM_MAX_NS = 0xffffffff;
/** 128 linear buckets, then 64 per power of two from 2^7 to 2^31. */
const HISTOGRAM_BUCKET_COUNT = HISTOGRAM_LINEAR_NS +
  (32 - HISTOGRAM_LINEAR_BITS) * HISTOGRAM_SUB_BUCKET_COUNT;
/** After the buckets: the bucket (+1) holding a first call's ms-clock estimate, 0 when none. */
const HISTOGRAM_PROVISIONAL_SLOT = HISTOGRAM_BUCKET_COUNT;
const HISTOGRAM_SLOT_COUNT = HISTOGRAM_BUCKET_COUNT + 1;
/** LATENCY HISTOGRAM's first power-of-two bound, as log2 ns (1024 ns, as Redis's iteration). */
const DISTRIBUTION_FIRST_EXPONENT = 10;
/** NS_PER_US: recorded durations arrive in µs. */
const NS_PER_US = 1000;

const encoder = new TextEncoder();

/** One slow log record, as SLOWLOG GET replies it. */
export interface SlowlogEntry {
  /** Unique, increasing; not reset by SLOWLOG RESET. */
  readonly id: number;
  /** Unix time in seconds when the command was logged. */
  readonly timeS: number;
  readonly durationUs: number;
  /** The arguments, trimmed (SLOWLOG_ENTRY_ARGC_MAX / SLOWLOG_ENTRY_ARG_BYTES_MAX), redacted. */
  readonly argv: readonly Uint8Array[];
  /** ip:port of the client. */
  readonly peer: string;
  /** CLIENT SETNAME's name, "" when none. */
  readonly clientName: string;
}

/** The slow log: the newest `lenMax` commands that ran at least `slowerThanUs`. */
export class SlowLog {
  /** `slowlog-log-slower-than`: µs; -1 logs nothing, 0 logs every command. */
  slowerThanUs = 10000;
  /** `slowlog-max-len`. */
  #lenMax = 128;
  #nextId = 0;
  /** Oldest first from `#head`; the prefix before `#head` is dead and compacted lazily. */
  #entries: SlowlogEntry[] = [];
  #head = 0;

  get lenMax(): number {
    return this.#lenMax;
  }

  set lenMax(value: number) {
    this.#lenMax = value;
    this.#trim();
  }

  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Logs the command when `durationUs` reaches the threshold; trims argv as Redis does. */
  pushIfNeeded(
    client: ClientState,
    argv: readonly Uint8Array[],
    redacted: ReadonlySet<number> | null,
    durationUs: number,
    nowMs: number,
  ): void {
    if (this.slowerThanUs < 0 || durationUs < this.slowerThanUs) return;
    this.#entries.push({
      id: this.#nextId++,
      timeS: Math.floor(nowMs / 1000),
      durationUs: Math.floor(durationUs),
      argv: trimArgv(argv, redacted),
      peer: client.addr,
      clientName: client.name,
    });
    this.#trim();
  }

  /** The newest `count` entries, newest first. */
  newest(count: number): SlowlogEntry[] {
    const out: SlowlogEntry[] = [];
    for (let i = this.#entries.length - 1; i >= this.#head && out.length < count; i--) {
      out.push(this.#entries[i]);
    }
    return out;
  }

  reset(): void {
    this.#entries = [];
    this.#head = 0;
  }

  #trim(): void {
    while (this.length > this.#lenMax) this.#head++;
    // Compact once the dead prefix is as long as the live part: O(1) amortized per push.
    if (this.#head > 0 && this.#head >= this.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
  }
}

const REDACTED_ARG = encoder.encode("(redacted)");

/** An entry's argv: at most 32 arguments and 128 bytes each, with Redis's notes on the rest. */
export function trimArgv(
  argv: readonly Uint8Array[],
  redacted: ReadonlySet<number> | null,
): Uint8Array[] {
  const keptCount = Math.min(argv.length, SLOWLOG_ENTRY_ARGC_MAX);
  const out: Uint8Array[] = [];
  for (let i = 0; i < keptCount; i++) {
    if (i === SLOWLOG_ENTRY_ARGC_MAX - 1 && argv.length > SLOWLOG_ENTRY_ARGC_MAX) {
      out.push(encoder.encode(`... (${argv.length - i} more arguments)`));
      break;
    }
    const arg = argv[i];
    if (redacted !== null && redacted.has(i)) out.push(REDACTED_ARG);
    else if (arg.length <= SLOWLOG_ENTRY_ARG_BYTES_MAX) out.push(arg.slice());
    else {
      const note = encoder.encode(`... (${arg.length - SLOWLOG_ENTRY_ARG_BYTES_MAX} more bytes)`);
      const kept = new Uint8Array(SLOWLOG_ENTRY_ARG_BYTES_MAX + note.length);
      kept.set(arg.subarray(0, SLOWLOG_ENTRY_ARG_BYTES_MAX));
      kept.set(note, SLOWLOG_ENTRY_ARG_BYTES_MAX);
      out.push(kept);
    }
  }
  return out;
}

/** One second's worst latency of an event. */
export interface LatencySample {
  /** Unix time, seconds. */
  readonly timeS: number;
  latencyMs: number;
}

/** An event's history: its latest LATENCY_SAMPLES_MAX samples and its all-time maximum. */
export interface LatencySeries {
  /** Oldest first. */
  readonly samples: LatencySample[];
  maxMs: number;
}

/**
 * The latency monitor: events ("command", "fast-command", "expire-cycle" …) whose latency
 * reached `latency-monitor-threshold`, one sample per event and second (the worst).
 */
export class LatencyMonitor {
  /** `latency-monitor-threshold`, ms; 0 is off. */
  thresholdMs = 0;
  readonly events = new Map<string, LatencySeries>();

  /** Records `latencyMs` for `event` when the monitor is on and it reaches the threshold. */
  addSampleIfNeeded(event: string, latencyMs: number, nowMs: number): void {
    if (this.thresholdMs === 0 || latencyMs < this.thresholdMs) return;
    this.addSample(event, Math.floor(latencyMs), Math.floor(nowMs / 1000));
  }

  addSample(event: string, latencyMs: number, timeS: number): void {
    let series = this.events.get(event);
    if (series === undefined) this.events.set(event, series = { samples: [], maxMs: 0 });
    if (latencyMs > series.maxMs) series.maxMs = latencyMs;
    const last = series.samples[series.samples.length - 1];
    if (last !== undefined && last.timeS === timeS) {
      if (latencyMs > last.latencyMs) last.latencyMs = latencyMs;
      return;
    }
    series.samples.push({ timeS, latencyMs });
    if (series.samples.length > LATENCY_SAMPLES_MAX) series.samples.shift();
  }

  /** Drops `event`'s data (case-insensitively), or every event's; returns how many went. */
  reset(event: string | null): number {
    let resets = 0;
    for (const name of [...this.events.keys()]) {
      if (event === null || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        resets++;
      }
    }
    return resets;
  }
}

/**
 * Adds one timed call of `durationUs` to `stat`'s latency histogram (LATENCY HISTOGRAM, INFO
 * latencystats). It lives on the commandstats record, so CONFIG RESETSTAT drops it with the
 * record. Fed with the calls timed precisely (all of them under a small threshold, else one in
 * eight), replacing a first call's estimate (recordFirstCallEstimate);
 * latencyDistribution scales the counts to the command's calls. The dispatcher calls it only
 * while latency-tracking is on.
 */
export function recordCallLatency(stat: CallCount, durationUs: number): void {
  let histogram = stat.latencyHistogram;
  if (histogram === null) {
    histogram = stat.latencyHistogram = new Uint32Array(HISTOGRAM_SLOT_COUNT);
  }
  const provisional = histogram[HISTOGRAM_PROVISIONAL_SLOT];
  if (provisional !== 0) {
    // A measured call replaces the ms-clock estimate of the first one.
    histogram[provisional - 1]--;
    histogram[HISTOGRAM_PROVISIONAL_SLOT] = 0;
  }
  histogram[bucketOf(nsOf(durationUs))]++;
}

/**
 * Starts `stat`'s histogram with an estimate of its first call, `durationUs` read from the ms
 * clock (the call was not sampled): so every command that ran has a histogram, as Redis's, and
 * the estimate gives way to the first measured call (recordCallLatency).
 */
export function recordFirstCallEstimate(stat: CallCount, durationUs: number): void {
  const histogram = stat.latencyHistogram = new Uint32Array(HISTOGRAM_SLOT_COUNT);
  const bucket = bucketOf(nsOf(durationUs));
  histogram[bucket]++;
  histogram[HISTOGRAM_PROVISIONAL_SLOT] = bucket + 1;
}

/** `durationUs` as whole ns in [0, HISTOGRAM_MAX_NS]. */
function nsOf(durationUs: number): number {
  if (durationUs >= HISTOGRAM_MAX_NS / NS_PER_US) return HISTOGRAM_MAX_NS;
  return durationUs > 0 ? (durationUs * NS_PER_US) >>> 0 : 0;
}

/** Calls a histogram holds. */
function recordedCount(histogram: Uint32Array): number {
  let recorded = 0;
  for (let bucket = 0; bucket < HISTOGRAM_BUCKET_COUNT; bucket++) recorded += histogram[bucket];
  return recorded;
}

/** The bucket holding `ns` (an integer in [0, HISTOGRAM_MAX_NS]). */
function bucketOf(ns: number): number {
  if (ns < HISTOGRAM_LINEAR_NS) return ns;
  const exponent = 31 - Math.clz32(ns);
  const shift = exponent - HISTOGRAM_SUB_BUCKET_BITS;
  return HISTOGRAM_LINEAR_NS + (exponent - HISTOGRAM_LINEAR_BITS) * HISTOGRAM_SUB_BUCKET_COUNT +
    ((ns >>> shift) - HISTOGRAM_SUB_BUCKET_COUNT);
}

/** The first bucket of the power of two 2^exponent (exponent ≥ HISTOGRAM_LINEAR_BITS). */
function firstBucketOfExponent(exponent: number): number {
  return HISTOGRAM_LINEAR_NS + (exponent - HISTOGRAM_LINEAR_BITS) * HISTOGRAM_SUB_BUCKET_COUNT;
}

/** The largest ns a bucket holds (HdrHistogram's highest equivalent value). */
function bucketHighestNs(bucket: number): number {
  if (bucket < HISTOGRAM_LINEAR_NS) return bucket;
  const octave = Math.floor((bucket - HISTOGRAM_LINEAR_NS) / HISTOGRAM_SUB_BUCKET_COUNT);
  const sub = (bucket - HISTOGRAM_LINEAR_NS) % HISTOGRAM_SUB_BUCKET_COUNT;
  const shift = octave + HISTOGRAM_LINEAR_BITS - HISTOGRAM_SUB_BUCKET_BITS;
  return (HISTOGRAM_SUB_BUCKET_COUNT + sub + 1) * 2 ** shift - 1;
}

/**
 * `stat`'s cumulative distribution as LATENCY HISTOGRAM replies it: [bucket bound µs,
 * calls up to it] for each power-of-two bound (1024 ns · 2^k) where the count grows, scaled
 * from the recorded calls to all `stat.calls`. Empty when no call of it was recorded.
 */
export function latencyDistribution(stat: CallCount): [number, number][] {
  const histogram = stat.latencyHistogram;
  if (histogram === null) return [];
  const recorded = recordedCount(histogram);
  if (recorded === 0) return [];
  const out: [number, number][] = [];
  let cumulative = 0;
  let previous = 0;
  let bucket = 0;
  for (let exponent = DISTRIBUTION_FIRST_EXPONENT; exponent <= 32; exponent++) {
    // Calls below 2^exponent ns: every bucket before that power of two's first one.
    const end = exponent === 32 ? HISTOGRAM_BUCKET_COUNT : firstBucketOfExponent(exponent);
    while (bucket < end) cumulative += histogram[bucket++];
    const scaled = Math.round(cumulative * stat.calls / recorded);
    if (scaled > previous) {
      out.push([Math.floor(2 ** exponent / NS_PER_US), scaled]);
      previous = scaled;
    }
    if (cumulative === recorded) break;
  }
  return out;
}

/**
 * The duration in µs at or below which `percentile` % of `stat`'s recorded calls fall, as
 * HdrHistogram's value_at_percentile answers it (the bucket's highest value), or null when
 * nothing was recorded. `percentile` is in [0, 100].
 */
export function latencyPercentileUs(stat: CallCount, percentile: number): number | null {
  const histogram = stat.latencyHistogram;
  if (histogram === null) return null;
  const recorded = recordedCount(histogram);
  if (recorded === 0) return null;
  const wanted = Math.max(1, Math.floor(Math.min(percentile, 100) / 100 * recorded + 0.5));
  let cumulative = 0;
  for (let bucket = 0; bucket < HISTOGRAM_BUCKET_COUNT; bucket++) {
    cumulative += histogram[bucket];
    if (cumulative >= wanted) return bucketHighestNs(bucket) / NS_PER_US;
  }
  return bucketHighestNs(HISTOGRAM_BUCKET_COUNT - 1) / NS_PER_US;
}

/**
 * How the dispatcher times calls, derived from the two thresholds (see the table at the top).
 * `everyCall`: a precise clock on every call; `coarseThresholdUs`: the smallest threshold a
 * call is compared with through Date.now() (Infinity when none).
 */
export class CallTiming {
  everyCall = false;
  coarseThresholdUs = Infinity;
  /** Any threshold is on: timed calls are offered to the slow log and the latency monitor. */
  watching = false;
  /** `latency-tracking`: calls feed the per-command histograms (watchLatencyTracking). */
  latencyTracking = true;

  update(slowlog: SlowLog, latency: LatencyMonitor): void {
    let smallestUs = Infinity;
    if (slowlog.slowerThanUs >= 0) smallestUs = slowlog.slowerThanUs;
    if (latency.thresholdMs > 0) smallestUs = Math.min(smallestUs, latency.thresholdMs * 1000);
    this.watching = smallestUs !== Infinity;
    this.everyCall = smallestUs < PRECISE_BELOW_US;
    this.coarseThresholdUs = this.everyCall ? Infinity : smallestUs;
  }
}

/**
 * Keeps `timing.latencyTracking` equal to the `latency-tracking` directive, from now on (the
 * dispatcher calls it once per server, so the hot path reads a field, not the config map).
 */
export function watchLatencyTracking(config: Config, timing: CallTiming): void {
  timing.latencyTracking = config.getBool("latency-tracking");
  config.onChange("latency-tracking", (value) => {
    timing.latencyTracking = value === true;
  });
}
