// SAVE, BGSAVE, LASTSAVE: the dump.rdb commands, over the server's RdbSaver.

import { isWord } from "../bytes.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

function saveCommand(ctx: CommandContext): void {
  if (ctx.server.saver.bgsaveInProgress) fail("ERR Background save already in progress");
  try {
    ctx.server.saver.save(ctx.nowMs);
  } catch {
    fail("ERR");
  }
  ctx.out.simple("OK");
}

/** BGSAVE [SCHEDULE] */
function bgsaveCommand(ctx: CommandContext): void {
  const schedule = ctx.argv.length === 2 && isWord(ctx.argv[1], "schedule");
  if (ctx.argv.length === 2 && !schedule) fail(ERR_SYNTAX);
  const saver = ctx.server.saver;
  if (saver.bgsaveInProgress) {
    if (!schedule) fail("ERR Background save already in progress");
    saver.schedule();
    ctx.out.simple("Background saving scheduled");
    return;
  }
  saver.bgsave(ctx.nowMs);
  ctx.out.simple("Background saving started");
}

/**
 * BGREWRITEAOF: with appendonly on, a background rewrite on the snapshot machinery
 * (core/persistence/aof_rewrite.ts), scheduled if a snapshot is running. With appendonly off,
 * Redis still writes the file; so do we, synchronously, through a short-lived writer.
 */
function bgrewriteaofCommand(ctx: CommandContext): void {
  const { server } = ctx;
  if (server.aof) {
    switch (server.aofRewriter.request(ctx.nowMs)) {
      case "in-progress":
        fail("ERR Background append only file rewriting already in progress");
        break;
      case "scheduled":
        ctx.out.simple("Background append only file rewriting scheduled");
        return;
      case "started":
        ctx.out.simple("Background append only file rewriting started");
        return;
    }
  }
  try {
    server.setAof(true, false);
    server.setAof(false, false);
  } catch (error) {
    server.log.warning(`AOF rewrite failed: ${(error as Error).message}`);
    fail("ERR Background AOF rewrite failed, check the log");
  }
  server.log.notice("Background AOF rewrite finished successfully");
  ctx.out.simple("Background append only file rewriting started");
}

const FLAGS = ["admin", "noscript", "no_async_loading"];
const CATEGORIES = ["admin", "slow", "dangerous"];

export const PERSISTENCE_COMMANDS: CommandDefinition[] = [
  {
    name: "save",
    arity: 1,
    flags: [...FLAGS, "no_multi"],
    categories: CATEGORIES,
    group: "server",
    summary: "Synchronously saves the database(s) to disk.",
    handler: saveCommand,
  },
  {
    name: "bgsave",
    arity: -1,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "server",
    summary: "Asynchronously saves the database(s) to disk.",
    handler: bgsaveCommand,
  },
  {
    name: "bgrewriteaof",
    arity: 1,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "server",
    summary: "Asynchronously rewrites the append-only file to disk.",
    handler: bgrewriteaofCommand,
  },
  {
    name: "lastsave",
    arity: 1,
    flags: ["loading", "stale", "fast"],
    categories: ["fast", "admin", "dangerous"],
    group: "server",
    summary: "Returns the Unix timestamp of the last successful save to disk.",
    handler: (ctx) => ctx.out.integer(Math.floor(ctx.server.saver.lastSaveMs / 1000)),
  },
];
