// Layer 3 of the shell (README "Architecture"): what the server keeps per client and across
// clients, as the client struct and its registries in Redis's server.h. It may import command
// metadata, config, the codecs and the base modules, and knows nothing of the server state.
//
// - `client.ts`: `ClientState`, one connected client (or a replica, or the master link).
// - `acl.ts`, `acl_file.ts`: users, permission checks, ACL LOG, the aclfile.
// - `pubsub.ts`: `PubSubRegistry`, channel and pattern subscriptions.
// - `blocking.ts`: `BlockingRegistry`, clients blocked on keys (BLPOP …).
// - `tracking.ts`: `TrackingRegistry`, client-side caching (CLIENT TRACKING) and its invalidations.
// - `output_limits.ts`: closing a client past its client-output-buffer-limit.
// - `replica_state.ts`: `ReplicaState`, a replica client's place in its sync.

export { ClientState } from "./client.ts";
export { AclDenial, AclRegistry, type AclUser } from "./acl.ts";
export { PubSubRegistry } from "./pubsub.ts";
export { BlockingRegistry } from "./blocking.ts";
export { TrackingRegistry } from "./tracking.ts";
export { outputLimitExceeded } from "./output_limits.ts";
export { ReplicaState } from "./replica_state.ts";
