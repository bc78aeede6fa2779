// TOUCH: marks keys as accessed (their LRU idle time restarts, their LFU counter counts the
// access), as any read does, without reading them.

import type { CommandContext, CommandDefinition } from "./context.ts";
import { countRead } from "./_keyspace_stats.ts";

/**
 * TOUCH key [key …]
 *
 * Contract: → the number of the keys given that exist (a key named twice counts twice); each
 * existing one is stamped as accessed now. Nothing is written, so nothing is propagated.
 */
function touchCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  let count = 0;
  // The engine's existence lookup stamps the entry's access clock, as Redis's lookupKeyRead.
  for (let i = 1; i < argv.length; i++) {
    const found = server.engine.exists(client.db, argv[i], ctx.nowMs);
    countRead(server, found); // Redis's TOUCH looks each key up with lookupKeyRead
    if (found) count++;
  }
  ctx.out.integer(count);
}

export const TOUCH_COMMANDS: CommandDefinition[] = [
  {
    name: "touch",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, -1, 1],
    categories: ["keyspace", "read", "fast"],
    group: "generic",
    summary: "Returns the number of existing keys out of those specified after updating the " +
      "time they were last accessed.",
    since: "3.2.1",
    handler: touchCommand,
  },
];
