// MONITOR: a client that asks for it is sent one line per command the server runs, as Redis's
// replicationFeedMonitors writes it:
//
//   +1733250000.123456 [0 127.0.0.1:50412] "set" "foo" "bar"
//    └ seconds.micros   │ └ peer ("lua" for a script's redis.call)
//                       └ the db the command ran in
//
// Each argument is quoted and escaped as sdscatrepr does (\" \\ \n \r \t \a \b, \xHH for the
// rest outside printable ASCII). Commands flagged admin or skip_monitor are not shown; EVAL and
// FCALL show themselves before they run, so the commands of the script follow them. Passwords
// (AUTH, HELLO … AUTH) show as "(redacted)".
//
// The monitors of a server are kept here, not in ServerState: the dispatcher asks
// monitorsActive() (one comparison) before doing anything, and a monitor that disconnected is
// dropped the next time a line is fed (it is no longer in server.clients).

import { isWord } from "../bytes.ts";
import { fail } from "../errors.ts";
import type { ClientState } from "../sessions/client.ts";
import type { ServerState } from "../state/server_state.ts";
import type { CommandContext, CommandDefinition, CommandSpec } from "./context.ts";

/** Monitors per server. */
const monitorsByServer = new WeakMap<ServerState, Set<ClientState>>();
/** Monitors across every server in this process: the dispatcher's fast path. */
let monitorCount = 0;

/** Commands that feed themselves before running, so their script's commands come after. */
const FEED_BEFORE_RUN = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro"]);

const REDACTED = '"(redacted)"';

/** True when some client of some server is a monitor; false is the common case. */
export function monitorsActive(): boolean {
  return monitorCount > 0;
}

/** Feeds a command that shows itself before it runs (EVAL, FCALL …); no-op for the rest. */
export function feedMonitorsBeforeRun(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
): void {
  if (FEED_BEFORE_RUN.has(spec.fullName)) feedMonitors(server, client, argv);
}

/** Feeds a command that just ran, unless it is admin or skip_monitor. */
export function feedMonitorsAfterRun(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
): void {
  if (spec.flags.includes("admin") || spec.flags.includes("skip_monitor")) return;
  feedMonitors(server, client, argv);
}

/** Sends the line for `argv`, run by `client`, to every live monitor of `server`. */
export function feedMonitors(server: ServerState, client: ClientState, argv: Uint8Array[]): void {
  const monitors = monitorsByServer.get(server);
  if (monitors === undefined || monitors.size === 0 || server.loading) return;
  const line = monitorLine(client, argv, performance.timeOrigin + performance.now());
  for (const monitor of monitors) {
    if (server.clients.get(monitor.id) !== monitor || monitor.closeNow) {
      monitors.delete(monitor);
      monitorCount--;
      continue;
    }
    monitor.writer.simple(line);
    monitor.flushSoon();
  }
}

/** The line (without "+" and CRLF) for one command, at `nowMs` (fractional milliseconds). */
export function monitorLine(
  client: ClientState,
  argv: Uint8Array[],
  nowMs: number,
): string {
  const micros = Math.floor(nowMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000).padStart(6, "0");
  // The script client's address is "lua" (_script_run.ts), which is what Redis shows for it.
  const peer = client.addr;
  const redacted = redactedIndexes(argv);
  const args = argv.map((arg, i) => redacted.has(i) ? REDACTED : reprArg(arg));
  return `${seconds}.${fraction} [${client.db} ${peer}] ${args.join(" ")}`;
}

/** Argument positions Redis hides from monitors: passwords and the users they go with. */
function redactedIndexes(argv: Uint8Array[]): Set<number> {
  const hidden = new Set<number>();
  if (isWord(argv[0], "auth")) {
    for (let i = 1; i < argv.length; i++) hidden.add(i);
  } else if (isWord(argv[0], "hello")) {
    for (let i = 2; i < argv.length; i++) {
      if (isWord(argv[i], "auth") && i + 2 < argv.length) {
        hidden.add(i + 1);
        hidden.add(i + 2);
        i += 2;
      } else if (isWord(argv[i], "setname")) i++;
    }
  } else if (isWord(argv[0], "migrate")) {
    for (let i = 6; i < argv.length; i++) {
      if (isWord(argv[i], "auth") && i + 1 < argv.length) hidden.add(++i);
      else if (isWord(argv[i], "auth2") && i + 2 < argv.length) {
        hidden.add(i + 1);
        hidden.add(i + 2);
        i += 2;
      }
    }
  }
  return hidden;
}

/** One argument quoted and escaped as Redis's sdscatrepr. */
export function reprArg(arg: Uint8Array): string {
  let text = '"';
  for (const byte of arg) {
    switch (byte) {
      case 0x5c:
        text += "\\\\";
        break;
      case 0x22:
        text += '\\"';
        break;
      case 0x0a:
        text += "\\n";
        break;
      case 0x0d:
        text += "\\r";
        break;
      case 0x09:
        text += "\\t";
        break;
      case 0x07:
        text += "\\a";
        break;
      case 0x08:
        text += "\\b";
        break;
      default:
        text += byte >= 0x20 && byte <= 0x7e
          ? String.fromCharCode(byte)
          : "\\x" + byte.toString(16).padStart(2, "0");
    }
  }
  return text + '"';
}

/** Ends MONITOR for `client` (RESET); a client that is not a monitor is left alone. */
export function stopMonitoring(server: ServerState, client: ClientState): void {
  if (!client.monitor) return;
  client.monitor = false;
  if (monitorsByServer.get(server)?.delete(client)) monitorCount--;
}

/**
 * MONITOR
 *
 * Contract: → `+OK`, then a line per command run (see the top of this file) until the client
 * leaves. Again from a monitor (or a replica): nothing. Inside MULTI or a script:
 * `-ERR MONITOR isn't allowed for DENY BLOCKING client`.
 */
function monitorCommand(ctx: CommandContext): void {
  const { server, client } = ctx;
  // A script's client runs with executingMulti set too.
  if (client.executingMulti) {
    fail("ERR MONITOR isn't allowed for DENY BLOCKING client");
  }
  if (client.monitor || client.clientType === "replica") return;
  let monitors = monitorsByServer.get(server);
  if (monitors === undefined) {
    monitors = new Set();
    monitorsByServer.set(server, monitors);
  }
  client.monitor = true;
  monitors.add(client);
  monitorCount++;
  ctx.out.simple("OK");
}

export const MONITOR_COMMANDS: CommandDefinition[] = [
  {
    name: "monitor",
    arity: 1,
    flags: ["admin", "noscript", "loading", "stale"],
    categories: ["admin", "slow", "dangerous"],
    group: "server",
    summary: "Listens for all requests received by the server in real-time.",
    since: "1.0.0",
    handler: monitorCommand,
  },
];
