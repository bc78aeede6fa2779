// Layer 4 of the shell (README "Architecture"): data on disk and the snapshots that feed it,
// as Redis's rdb.c and aof.c. The server is seen through `SaverHost` and `AofRewriteHost`;
// this layer may import sessions, command metadata, config, the engine and the codecs.
//
// - `cow_snapshot.ts`: `CowSnapshot`, a point-in-time copy-on-write snapshot of the keyspace.
// - `saver.ts`: `RdbSaver`, SAVE, BGSAVE and save points, one snapshot shared by consumers.
// - `rdb_file.ts`: dump.rdb written atomically and loaded at start.
// - `keyspace_records.ts`: engine values ⇄ RDB records.
// - `aof.ts`, `aof_load.ts`, `aof_rewrite.ts`: the append-only file, its replay, BGREWRITEAOF.

export { CowSnapshot, type SnapshotOptions } from "./cow_snapshot.ts";
export { RdbSaver, type SaverHost } from "./saver.ts";
export { loadRdbFileSync, writeSnapshot } from "./rdb_file.ts";
export { loadEntries } from "./keyspace_records.ts";
export { AofWriter, type FsyncPolicy } from "./aof.ts";
export { AofFormatError, replayAofSync } from "./aof_load.ts";
export { AofRewriter } from "./aof_rewrite.ts";
