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

import type { OutputClass, OutputLimits } from "../config/output_limits.ts";
import type { ClientState } from "./client.ts";
import { ReplicaState } from "./replica_state.ts";

/** The class whose limits apply to `client` (Redis's getClientType). */
export function outputClassOf(client: ClientState): OutputClass {
  if (client.replState !== ReplicaState.None && !client.isMaster) return "replica";
  if (client.subscriptionCount > 0) return "pubsub";
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
