// Layer 8 of the shell (README "Architecture"): sockets. It may import every layer below it
// (commands, server state, replication, persistence, sessions, metadata, codecs) and nothing
// above it but the entry points' own files.
//
// - `server.ts`: `NetworkServer`, the listeners and the `hz` cron (as Redis's serverCron).
// - `connection.ts`: `ClientConnection`, one client's admission and read → execute → write loop.
// - `master_link.ts`: `ReplicationReplica`, a replica's link to its master (handshake, PSYNC,
//   snapshot load, the stream applied through the dispatcher); the layers below hold it as
//   `MasterLink` (core/replication/link.ts).
// - `start.ts`: `startNetworkServer`, start-up as redis-server's main(): config, data files,
//   ACL, listeners, the link.

export { ClientConnection } from "./connection.ts";
export { ReplicationReplica } from "./master_link.ts";
export { NetworkServer } from "./server.ts";
export { startNetworkServer } from "./start.ts";
