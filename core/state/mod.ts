// Layer 6 of the shell (README "Architecture"): the server's state. `ServerState` is the one
// object command handlers reach the server through: the engine, the live config, clients, the
// counters INFO reports, WATCH, and the replication, persistence and eviction machinery it
// constructs. Those machines see it only through their host interfaces (`MasterHost`,
// `FailoverHost`, `SaverHost`), so they stand below it. It owns no socket.
//
// - `server_state.ts`: `ServerState`, `ServerStats`.
// - `eviction.ts`: `MaxmemoryEvictor`, maxmemory eviction with Redis's policies.

export { type PropagationListener, ServerState, ServerStats } from "./server_state.ts";
export { MaxmemoryEvictor } from "./eviction.ts";
