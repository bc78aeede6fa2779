// Stream values (Redis 7.0 streams), free of any server, client or engine type: entry IDs and
// their parsing (`id.ts`), the stream with its listpack nodes (in a `memory.ts` allocator), trimming and
// entries-read / lag rules (`stream.ts`), and consumer groups with their pending entries
// (`groups.ts`). core/engine/stream.ts stores one per stream key; core/commands/streams.ts
// and stream_groups.ts speak the commands over it.
//
// @example
// ```ts
// import { ArenaStreamMemory, DEFAULT_NODE_LIMITS, formatId, makeId, Stream } from "./mod.ts";
// const stream = new Stream(new ArenaStreamMemory());
// const field = new TextEncoder().encode("temp");
// stream.append(makeId(1n, 0n), [field, new TextEncoder().encode("21")], DEFAULT_NODE_LIMITS);
// console.assert(stream.length === 1 && formatId(stream.lastId) === "1-0");
// ```

export * from "./id.ts";
export * from "./groups.ts";
export * from "./stream.ts";
export * from "./memory.ts";
