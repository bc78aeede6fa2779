// MEMORY USAGE and MEMORY HELP (Redis 7.0, object.c memoryCommand).
//
// MEMORY USAGE answers an estimate, as Redis's does (objectComputeSize samples a few elements
// and extrapolates), but from the key's element count and encoding alone: O(1), with a fixed
// cost per element for each encoding, close to what redis-server 7.0 reports for short
// elements. The engine's pages are not attributed to keys, so this is no exact measure of
// either server; SAMPLES is accepted and checked, and changes nothing.

import { isWord, parseInt64 } from "../bytes.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { hashLength } from "../engine/hash.ts";
import { listLength } from "../engine/list.ts";
import { ValueType } from "../engine/mod.ts";
import { setCardinality } from "../engine/set.ts";
import { zsetCard } from "../engine/zset.ts";
import { ERR_NOT_INTEGER, ERR_SYNTAX, fail } from "../errors.ts";
import { writeHelp } from "./_help.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** A key's fixed cost: its dict entry, the object header and the key's sds header. */
const KEY_OVERHEAD_BYTES = 24 + 16 + 3;
/** A collection's fixed cost besides its elements (a listpack header, a dict, a skiplist). */
const COLLECTION_OVERHEAD_BYTES = 64;
/** A stream without counting its entries: rax, listpack node, group tables. */
const STREAM_ESTIMATE_BYTES = 640;
/** Bytes per element (per pair for a hash) by encoding, for elements of a few bytes. */
const ELEMENT_BYTES: Record<string, number> = {
  "hash:listpack": 8,
  "hash:hashtable": 72,
  "set:intset": 8,
  "set:hashtable": 48,
  "zset:listpack": 12,
  "zset:skiplist": 88,
  "list:listpack": 6,
  "list:quicklist": 6,
};

const MEMORY_HELP = [
  "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "USAGE <key> [SAMPLES <count>]",
  "    Return memory in bytes used by <key> and its value. Nested values are",
  "    sampled up to <count> times (default: 5, 0 means sample all).",
];

/**
 * MEMORY USAGE key [SAMPLES count] → the estimated bytes of the key and its value, or a null
 * bulk when the key does not exist. A SAMPLES that is no integer is an error, a negative one
 * a syntax error (object.c).
 */
function memoryUsageCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  for (let i = 3; i < argv.length; i += 2) {
    if (!isWord(argv[i], "samples") || i + 1 >= argv.length) fail(ERR_SYNTAX);
    const samples = parseInt64(argv[i + 1]);
    if (samples === null) fail(ERR_NOT_INTEGER);
    if (samples < 0n) fail(ERR_SYNTAX);
  }
  const { engine } = server;
  const key = argv[2];
  const tag = engine.typeOf(client.db, key, ctx.nowMs);
  if (tag < 0) return ctx.out.nullBulk();
  let valueBytes: number;
  if (tag === ValueType.String) {
    valueBytes = 16 + (engine.getString(client.db, key, ctx.nowMs)?.length ?? 0);
  } else if (tag === ValueType.Stream) {
    valueBytes = STREAM_ESTIMATE_BYTES;
  } else {
    const count = tag === ValueType.Hash
      ? hashLength(engine, client.db, key, ctx.nowMs)
      : tag === ValueType.Set
      ? setCardinality(engine, client.db, key, ctx.nowMs)
      : tag === ValueType.Zset
      ? zsetCard(engine, client.db, key, ctx.nowMs)
      : listLength(engine, client.db, key, ctx.nowMs);
    const typeName = tag === ValueType.Hash
      ? "hash"
      : tag === ValueType.Set
      ? "set"
      : tag === ValueType.Zset
      ? "zset"
      : "list";
    const encoding = collectionEncoding(engine, tag, client.db, key, ctx.nowMs);
    valueBytes = COLLECTION_OVERHEAD_BYTES +
      count * (ELEMENT_BYTES[`${typeName}:${encoding}`] ?? 16);
  }
  ctx.out.integer(KEY_OVERHEAD_BYTES + key.length + valueBytes);
}

export const MEMORY_COMMANDS: CommandDefinition[] = [
  {
    name: "memory",
    arity: -2,
    group: "server",
    summary: "A container for memory diagnostics commands.",
    since: "4.0.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "usage",
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        categories: ["read", "slow"],
        group: "server",
        summary: "Estimates the memory usage of a key.",
        since: "4.0.0",
        handler: memoryUsageCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "server",
        summary: "Returns helpful text about the different subcommands.",
        since: "4.0.0",
        handler: (ctx) => writeHelp(ctx.out, MEMORY_HELP),
      },
    ],
  },
];
