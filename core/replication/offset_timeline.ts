// OffsetTimeline: when a replication stream reached which offset, so lag can be told in time as
// well as bytes. The master notes its stream's end offset as it writes (INFO slaveN lag_ms: since
// it wrote the oldest byte a replica has not acknowledged), a replica its read offset as bytes
// arrive (replica_lag_ms: since the oldest byte it has not applied arrived).
//
// One sample per SAMPLE_MS (a later note in the same period moves that sample's offset on), so a
// busy stream costs a clock read and a compare per note; the oldest half is dropped past
// SAMPLES_MAX. Times are as precise as SAMPLE_MS.

/** Resolution of the timeline. */
const SAMPLE_MS = 10;
/** Samples kept (at one per SAMPLE_MS, the last few minutes at least). */
const SAMPLES_MAX = 32_768;

/**
 * Offsets a stream reached, in time order.
 *
 * @example
 * ```ts
 * import { OffsetTimeline } from "./offset_timeline.ts";
 * const timeline = new OffsetTimeline();
 * timeline.note(100, 1_000);
 * timeline.note(250, 2_000);
 * console.assert(timeline.lag(100, 250, 2_500).ms === 500); // byte 101 came at 2,000
 * console.assert(timeline.lag(250, 250, 2_500).bytes === 0);
 * ```
 */
export class OffsetTimeline {
  readonly #samples: { endOffset: number; timeMs: number }[] = [];

  /** The stream reached `endOffset` at `nowMs`. */
  note(endOffset: number, nowMs = Date.now()): void {
    const samples = this.#samples;
    const last = samples[samples.length - 1];
    if (last !== undefined && nowMs - last.timeMs < SAMPLE_MS) {
      last.endOffset = endOffset;
      return;
    }
    samples.push({ endOffset, timeMs: nowMs });
    if (samples.length > SAMPLES_MAX) samples.splice(0, samples.length / 2);
  }

  /**
   * How far `doneOffset` is behind `endOffset`: the bytes between them, and the ms since the
   * stream passed `doneOffset` (0 and 0 when it is not behind).
   */
  lag(doneOffset: number, endOffset: number, nowMs: number): { bytes: number; ms: number } {
    const bytes = Math.max(0, endOffset - doneOffset);
    if (bytes === 0) return { bytes, ms: 0 };
    // The first sample past doneOffset was taken when that byte (or a later one of the same
    // sample period) reached the stream.
    const samples = this.#samples;
    let low = 0;
    let high = samples.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (samples[mid].endOffset > doneOffset) high = mid;
      else low = mid + 1;
    }
    const passedMs = low < samples.length ? samples[low].timeMs : nowMs;
    return { bytes, ms: Math.max(0, nowMs - passedMs) };
  }
}
