// Layer 7 of the shell (README "Architecture"): what each command does. Handlers reach the
// server through `ServerState` (core/state/) and the calling client's `ClientState`; nothing
// here owns a socket, so the network server, the embedded Store and a replica's link run
// commands through the one dispatcher.
//
// - `context.ts`: `CommandContext` (what a handler is handed) and the handler-typed
//   `CommandSpec`, `CommandDefinition` and `CommandTable`.
// - `dispatch.ts`: `executeCommand`, Redis's checks in Redis's order, then the handler.
// - `registry.ts`: `buildCommandTable`, every command module's definitions in one table.
// - one module per command group (strings, keys, hashes, lists, sets, sorted sets, pub/sub,
//   transactions, replication, persistence, server, connection, ACL), `info.ts` for INFO; the
//   sorted sets' argument parsing, set operations and replies in `zset_args.ts`,
//   `zset_setops.ts` and `zset_reply.ts`; the bitmap commands in `bitmaps.ts`, their bit
//   arithmetic in `_bits.ts`.
// - `_args.ts`, `_scan.ts`: argument parsers shared by several groups (SCAN cursors and options).

export type { CommandContext, CommandHandler, CommandSpec, CommandTable } from "./context.ts";
export { executeCommand } from "./dispatch.ts";
export { buildCommandTable } from "./registry.ts";
