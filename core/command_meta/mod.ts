// Layer 2 of the shell (README "Architecture"): what a command is, not how it runs — the
// metadata Redis publishes through COMMAND INFO and DOCS, and what ACL, blocking, snapshots
// and the embedded replica read of it. Handlers are a type parameter here, filled in by the
// commands layer, so nothing below the commands depends on the server to read metadata.
//
// - `spec.ts`: `CommandSpec`, `defineCommand`, the written-keys layouts (`visitWrittenKeys`).
// - `table.ts`: `CommandTable`, lookup by name (rename-command), by folded hash, by ACL id.
// - `keys_of.ts`: the keys and channels a call names, as ACL checks them.

export { type CommandSpec, defineCommand, visitWrittenKeys, WriteKeysKind } from "./spec.ts";
export { CommandTable } from "./table.ts";
export { commandChannels, commandKeys } from "./keys_of.ts";
