// MULTI/EXEC/DISCARD/WATCH/UNWATCH. Queued commands are copies of their argv (the read buffer
// they came from is reused); EXEC runs them back to back with no other client in between, which
// holds here because every handler on the path is synchronous. WATCH is optimistic: writes mark
// watchers dirty through ServerState.keyModified, and EXEC refuses if any was touched or has
// expired since. As Redis 7.0, a key already expired when WATCHed is remembered as such: its
// deletion (lazy expiry, DEL, FLUSHDB, SWAPDB with a missing key) is no change.

import { fail } from "../errors.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import type { CommandTable } from "./context.ts";
import { logDenial, runHandler } from "./dispatch.ts";
import { AclDenial } from "../sessions/acl.ts";

/** Why EXEC refuses a queued command whose permission was revoked (Redis's wording). */
const EXEC_DENIAL_REASONS: Readonly<Record<number, string>> = {
  [AclDenial.Command]: "no permission to execute the command or subcommand",
  [AclDenial.Key]: "no permission to touch the specified keys",
  [AclDenial.Channel]: "no permission to access one of the channels used as arguments",
};

function multiCommand(ctx: CommandContext): void {
  if (ctx.client.inMulti) fail("ERR MULTI calls can not be nested");
  ctx.client.inMulti = true;
  ctx.client.queued = [];
  ctx.client.multiError = false;
  ctx.out.simple("OK");
}

function endMulti(ctx: CommandContext): void {
  ctx.client.inMulti = false;
  ctx.client.queued = [];
  ctx.client.multiError = false;
  ctx.server.unwatchAll(ctx.client);
}

function discardCommand(ctx: CommandContext): void {
  if (!ctx.client.inMulti) fail("ERR DISCARD without MULTI");
  endMulti(ctx);
  ctx.out.simple("OK");
}

/** Builds EXEC against the table it dispatches queued commands through. */
export function makeExecCommand(table: CommandTable) {
  return async function execCommand(ctx: CommandContext): Promise<void> {
    const { client, server, out } = ctx;
    if (!client.inMulti) fail("ERR EXEC without MULTI");
    const queued = client.queued;
    if (client.multiError) {
      endMulti(ctx);
      fail("EXECABORT Transaction discarded because of previous errors.");
    }
    // A watched key that expired since WATCH (and is not deleted yet) fails EXEC too.
    if (client.watchDirty || server.watchedKeyExpired(client, ctx.nowMs)) {
      endMulti(ctx);
      out.nullArray();
      return;
    }
    endMulti(ctx);
    // The queued commands propagate themselves as they run; EXEC adds nothing of its own,
    // but the replication stream wraps their writes in MULTI … EXEC.
    ctx.propagateAs = [];
    out.arrayHeader(queued.length);
    client.executingMulti = true;
    server.replication.beginTransaction();
    try {
      for (const { argv } of queued) {
        const spec = table.resolve(argv);
        if (typeof spec === "string") {
          out.error(spec);
          continue;
        }
        // Permissions were checked when the command was queued; Redis checks again here in
        // case ACL rules changed in between, and refuses just that command.
        const user = client.user;
        if (user !== null && !user.unrestricted) {
          const denial = server.acl.checkCommand(user, spec, argv);
          if (denial !== AclDenial.None) {
            const nowMs = Date.now();
            logDenial(server, client, user, denial, "multi", spec, argv, nowMs);
            out.error(
              "NOPERM ACLs rules changed between the moment the transaction was accumulated " +
                `and the EXEC call. This command is no longer allowed for the following reason: ${
                  EXEC_DENIAL_REASONS[denial]
                }`,
            );
            continue;
          }
        }
        const pending = runHandler(server, client, spec, argv, Date.now());
        if (pending) await pending;
      }
    } finally {
      client.executingMulti = false;
      server.replication.endTransaction();
    }
  };
}

function watchCommand(ctx: CommandContext): void {
  if (ctx.client.inMulti) fail("ERR WATCH inside MULTI is not allowed");
  // A client whose transaction already failed has no use for more keys (as Redis).
  if (!ctx.client.watchDirty) {
    for (let i = 1; i < ctx.argv.length; i++) {
      ctx.server.watch(ctx.client, ctx.client.db, ctx.argv[i].slice(), ctx.nowMs);
    }
  }
  ctx.out.simple("OK");
}

function unwatchCommand(ctx: CommandContext): void {
  ctx.server.unwatchAll(ctx.client);
  ctx.out.simple("OK");
}

export function transactionCommands(table: CommandTable): CommandDefinition[] {
  const flags = ["noscript", "loading", "stale", "fast", "allow_busy"];
  return [
    {
      name: "multi",
      arity: 1,
      flags,
      categories: ["fast", "transaction"],
      group: "transactions",
      summary: "Starts a transaction.",
      since: "1.2.0",
      handler: multiCommand,
    },
    {
      name: "exec",
      arity: 1,
      flags: ["noscript", "loading", "stale", "skip_slowlog"],
      categories: ["slow", "transaction"],
      group: "transactions",
      summary: "Executes all commands in a transaction.",
      since: "1.2.0",
      handler: makeExecCommand(table),
    },
    {
      name: "discard",
      arity: 1,
      flags,
      categories: ["fast", "transaction"],
      group: "transactions",
      summary: "Discards a transaction.",
      since: "2.0.0",
      handler: discardCommand,
    },
    {
      name: "watch",
      arity: -2,
      flags,
      keys: [1, -1, 1],
      categories: ["fast", "transaction"],
      group: "transactions",
      summary: "Monitors changes to keys to determine the execution of a transaction.",
      since: "2.2.0",
      handler: watchCommand,
    },
    {
      name: "unwatch",
      arity: 1,
      flags,
      categories: ["fast", "transaction"],
      group: "transactions",
      summary: "Forgets about watched keys of a transaction.",
      since: "2.2.0",
      handler: unwatchCommand,
    },
  ];
}
