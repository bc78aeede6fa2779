// client-output-buffer-limit: what a client that does not read may cost us. Bytes we push to a
// client unasked (the replication stream, Pub/Sub messages) pile up in its writer when it
// reads slower than we write; past the class's hard limit, or above its soft limit for its
// soft seconds, the client is closed, as Redis does, so our memory stays bounded.
//
//   client-output-buffer-limit <class> <hard> <soft> <soft seconds> [<class> …]
//   classes: normal, replica (alias slave), pubsub; 0 = no limit
//
// A client's own replies need no limit: its connection loop writes them out before it reads
// the next command. During a diskless full sync the snapshot goes to the replica with no limit
// (dropping it would only start the sync over); the stream of that time waits in the backlog.

import { parseMemory } from "../config/units.ts";
import type { ClientState } from "./client.ts";
import { ReplicaState } from "../replication/replica_state.ts";

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

/** The class whose limits apply to `client` (Redis's getClientType). */
export function outputClassOf(client: ClientState): OutputClass {
  if (client.replState !== ReplicaState.None && !client.isMaster) return "replica";
  if (client.channels.size > 0 || client.patterns.size > 0) return "pubsub";
  return "normal";
}

/**
 * Checks `client`'s unsent bytes against its class's limits after we pushed bytes to it.
 * Returns a reason when it must be closed (the caller closes it), else null.
 */
export function outputLimitExceeded(
  client: ClientState,
  limits: OutputLimits,
  nowMs: number,
): string | null {
  const outputClass = outputClassOf(client);
  // A full sync in flight has no limit (see the file comment).
  if (outputClass === "replica" && client.replState !== ReplicaState.Online) return null;
  const limit = limits[outputClass];
  const pendingBytes = client.writer.lengthBytes;
  if (limit.hardBytes > 0 && pendingBytes >= limit.hardBytes) {
    return `${outputClass} output buffer of ${pendingBytes} bytes reached the hard limit`;
  }
  if (limit.softBytes > 0 && pendingBytes >= limit.softBytes) {
    if (client.outputSoftSinceMs === 0) client.outputSoftSinceMs = nowMs;
    else if (nowMs - client.outputSoftSinceMs >= limit.softSeconds * 1000) {
      return `${outputClass} output buffer above the soft limit for ${limit.softSeconds} s`;
    }
    return null;
  }
  client.outputSoftSinceMs = 0;
  return null;
}
