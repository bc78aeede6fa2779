// Layer 5 of the shell (README "Architecture"): the master side of replication, as Redis's
// replication.c. It sees the server through `MasterHost` and `FailoverHost` (the server state
// provides both) and may import persistence (snapshots), sessions (replica clients), metadata,
// config and the codecs, never the server state, the commands or the network.
//
// - `master.ts`: `ReplicationMaster`, the stream counted in bytes, full and partial resync, WAIT.
// - `backlog.ts`: `ReplBacklog`, the ring in engine memory PSYNC continues from.
// - `applied_bytes.ts`: `UnappliedBytes`, what a replica received but has not applied yet.
// - `failover.ts`: `CoordinatedFailover`, FAILOVER.
// - `identity.ts`: replication ids and how a replica is named.
// - `link.ts`: `MasterLink`, the replica side's link as the layers below the network see it.
// - `stream_spool.ts`: `StreamSpool`, stream owed to a replica, bounded in memory, spilled to a file.
// - `offset_timeline.ts`: `OffsetTimeline`, when a stream reached which offset (lag in ms).
// - `interleaved_sync.ts`: the frames of an interleaved full sync (snapshot and stream at once,
//   between resplica nodes) and their incremental reader.

export { type MasterHost, type PropagationListener, ReplicationMaster } from "./master.ts";
export { ReplBacklog } from "./backlog.ts";
export { UnappliedBytes } from "./applied_bytes.ts";
export { CoordinatedFailover, type FailoverHost, FailoverState } from "./failover.ts";
export { randomReplId, REPL_ID_NONE, replicaIp } from "./identity.ts";
export type { LinkRoleFields, MasterLink } from "./link.ts";
export {
  CAPA_INTERLEAVE,
  INTERLEAVED_HEADER,
  InterleavedFrameError,
  InterleavedFrameReader,
} from "./interleaved_sync.ts";
