// The client-output-buffer-limit directive's value: per client class a hard limit, a soft limit
// and the seconds a client may stay above the soft one. Parsing and Redis's normalized CONFIG GET
// form live with the config table; applying the limits to clients is sessions/output_limits.ts.
//
//   client-output-buffer-limit <class> <hard> <soft> <soft seconds> [<class> …]
//   classes: normal, replica (alias slave), pubsub; 0 = no limit

import { parseMemory } from "./units.ts";

export type OutputClass = "normal" | "replica" | "pubsub";

export interface OutputLimit {
  hardBytes: number;
  softBytes: number;
  softSeconds: number;
}

export type OutputLimits = Record<OutputClass, OutputLimit>;

/** Redis 7.0's defaults. */
export const DEFAULT_OUTPUT_LIMITS_TEXT = "normal 0 0 0 replica 256mb 64mb 60 pubsub 32mb 8mb 60";

/**
 * Parses the directive's value onto `base` (classes not named keep their limits). Null when
 * malformed: a word count that is not a multiple of 4, an unknown class, a bad size or time.
 */
export function parseOutputLimits(text: string, base?: OutputLimits): OutputLimits | null {
  const words = text.trim() === "" ? [] : text.trim().split(/\s+/);
  if (words.length % 4 !== 0) return null;
  const limits: OutputLimits = base
    ? { normal: { ...base.normal }, replica: { ...base.replica }, pubsub: { ...base.pubsub } }
    : {
      normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
      replica: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
      pubsub: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    };
  for (let i = 0; i < words.length; i += 4) {
    const name = words[i].toLowerCase();
    const outputClass = name === "slave" ? "replica" : name;
    if (outputClass !== "normal" && outputClass !== "replica" && outputClass !== "pubsub") {
      return null;
    }
    const hardBytes = parseMemory(words[i + 1]);
    const softBytes = parseMemory(words[i + 2]);
    const softSeconds = /^\d+$/.test(words[i + 3]) ? Number(words[i + 3]) : null;
    if (hardBytes === null || softBytes === null || softSeconds === null) return null;
    if (hardBytes < 0 || softBytes < 0) return null;
    limits[outputClass] = { hardBytes, softBytes, softSeconds };
  }
  return limits;
}

/** The value as CONFIG GET shows it: every class, in bytes, replicas under Redis's "slave". */
export function formatOutputLimits(limits: OutputLimits): string {
  const entry = (name: string, limit: OutputLimit) =>
    `${name} ${limit.hardBytes} ${limit.softBytes} ${limit.softSeconds}`;
  return [
    entry("normal", limits.normal),
    entry("slave", limits.replica),
    entry("pubsub", limits.pubsub),
  ].join(" ");
}
