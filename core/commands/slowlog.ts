// SLOWLOG, and what every call's end offers the slow log and the latency monitor (observeCall,
// called from dispatch.ts's endCall once the call's duration is known). The log itself and the
// timing policy live in core/state/command_latency.ts.

import { isWord, lowerName } from "../bytes.ts";
import type { ClientState } from "../sessions/client.ts";
import type { ServerState } from "../state/server_state.ts";
import { int64RangeArg } from "./_args.ts";
import { writeHelp } from "./_help.ts";
import { subcommandSyntaxError } from "./_streams.ts";
import type { CommandContext, CommandDefinition, CommandSpec } from "./context.ts";

/** The flag of commands never logged (EXEC: its commands are, one by one). */
const SKIP_SLOWLOG_FLAG = "skip_slowlog";
/** Entries SLOWLOG GET replies without a count. */
const GET_COUNT_DEFAULT = 10;
/** Microseconds per millisecond. */
const USEC_PER_MS = 1000;
/** Directives whose values CONFIG SET hides from the slow log (Redis's SENSITIVE_CONFIG). */
const SENSITIVE_DIRECTIVES = new Set(["masterauth", "requirepass"]);

/**
 * A finished call of `durationUs`: the latency monitor's "command" / "fast-command" event and
 * the slow log, each when its threshold is reached (both compare first, so a call under them
 * costs two comparisons).
 */
export function observeCall(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: readonly Uint8Array[],
  durationUs: number,
): void {
  const latency = server.latency;
  if (latency.thresholdMs > 0 && durationUs >= latency.thresholdMs * USEC_PER_MS) {
    const event = spec.isFast ? "fast-command" : "command";
    latency.addSampleIfNeeded(event, durationUs / USEC_PER_MS, Date.now());
  }
  const slowlog = server.slowlog;
  if (slowlog.slowerThanUs < 0 || durationUs < slowlog.slowerThanUs) return;
  if (spec.flags.includes(SKIP_SLOWLOG_FLAG)) return;
  slowlog.pushIfNeeded(client, argv, redactedArgs(spec, argv), durationUs, Date.now());
}

/**
 * Argument positions the slow log shows as "(redacted)": passwords, the users they go with and
 * the rules of ACL SETUSER, as Redis's redactClientCommandArgument calls. Null when none.
 */
export function redactedArgs(spec: CommandSpec, argv: readonly Uint8Array[]): Set<number> | null {
  const hidden = new Set<number>();
  switch (spec.fullName) {
    case "auth":
      for (let i = 1; i < argv.length; i++) hidden.add(i);
      break;
    case "acl|setuser":
      for (let i = 2; i < argv.length; i++) hidden.add(i);
      break;
    case "config|set":
      for (let i = 2; i + 1 < argv.length; i += 2) {
        if (SENSITIVE_DIRECTIVES.has(lowerName(argv[i]))) hidden.add(i + 1);
      }
      break;
    case "hello":
      for (let i = 2; i < argv.length; i++) {
        if (isWord(argv[i], "auth") && i + 2 < argv.length) {
          hidden.add(i + 1);
          hidden.add(i + 2);
          i += 2;
        } else if (isWord(argv[i], "setname")) i++;
      }
      break;
    case "migrate":
      for (let i = 6; i < argv.length; i++) {
        if (isWord(argv[i], "auth") && i + 1 < argv.length) hidden.add(++i);
        else if (isWord(argv[i], "auth2") && i + 2 < argv.length) {
          hidden.add(i + 1);
          hidden.add(i + 2);
          i += 2;
        }
      }
      break;
  }
  return hidden.size > 0 ? hidden : null;
}

/**
 * SLOWLOG GET [count]: the newest `count` entries (default 10, -1 all), newest first, each
 * [id, unix time, duration µs, argv, client ip:port, client name]. A count below -1 is an error.
 */
function slowlogGetCommand(ctx: CommandContext): void {
  const { server, argv, out } = ctx;
  let count = GET_COUNT_DEFAULT;
  if (argv.length === 3) {
    count = Number(
      int64RangeArg(
        argv[2],
        -1n,
        9223372036854775807n,
        "ERR count should be greater than or equal to -1",
      ),
    );
    if (count === -1) count = server.slowlog.length;
  } else if (argv.length > 3) {
    throw subcommandSyntaxError(ctx);
  }
  const entries = server.slowlog.newest(count);
  out.arrayHeader(entries.length);
  for (const entry of entries) {
    out.arrayHeader(6);
    out.integer(entry.id);
    out.integer(entry.timeS);
    out.integer(entry.durationUs);
    out.arrayHeader(entry.argv.length);
    for (const arg of entry.argv) out.bulk(arg);
    out.bulkString(entry.peer);
    out.bulkString(entry.clientName);
  }
}

const SLOWLOG_HELP = [
  "SLOWLOG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GET [<count>]",
  "    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
  "    Entries are made of:",
  "    id, timestamp, time in microseconds, arguments array, client IP and port,",
  "    client name",
  "LEN",
  "    Return the length of the slowlog.",
  "RESET",
  "    Reset the slowlog.",
  "HELP",
  "    Prints this help.",
];

const ADMIN_FLAGS = ["admin", "loading", "stale"];
const ADMIN_CATEGORIES = ["admin", "slow", "dangerous"];

export const SLOWLOG_COMMANDS: CommandDefinition[] = [
  {
    name: "slowlog",
    arity: -2,
    group: "server",
    summary: "A container for slow log commands.",
    since: "2.2.12",
    complexity: "Depends on subcommand.",
    categories: ["slow"],
    subcommands: [
      {
        name: "get",
        arity: -2,
        flags: ADMIN_FLAGS,
        categories: ADMIN_CATEGORIES,
        group: "server",
        summary: "Returns the slow log's entries.",
        since: "2.2.12",
        complexity: "O(N) where N is the number of entries returned",
        tips: ["request_policy:all_nodes", "nondeterministic_output"],
        handler: slowlogGetCommand,
      },
      {
        name: "len",
        arity: 2,
        flags: ADMIN_FLAGS,
        categories: ADMIN_CATEGORIES,
        group: "server",
        summary: "Returns the number of entries in the slow log.",
        since: "2.2.12",
        tips: [
          "request_policy:all_nodes",
          "response_policy:agg_sum",
          "nondeterministic_output",
        ],
        handler: (ctx) => ctx.out.integer(ctx.server.slowlog.length),
      },
      {
        name: "reset",
        arity: 2,
        flags: ADMIN_FLAGS,
        categories: ADMIN_CATEGORIES,
        group: "server",
        summary: "Clears all entries from the slow log.",
        since: "2.2.12",
        complexity: "O(N) where N is the number of entries in the slowlog",
        tips: ["request_policy:all_nodes", "response_policy:all_succeeded"],
        handler: (ctx) => {
          ctx.server.slowlog.reset();
          ctx.out.simple("OK");
        },
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "server",
        summary: "Show helpful text about the different subcommands",
        since: "6.2.0",
        handler: (ctx) => writeHelp(ctx.out, SLOWLOG_HELP),
      },
    ],
  },
];
