// CLIENT PAUSE / CLIENT UNPAUSE (Redis 7.0 networking.c), and the dispatcher's question "does
// this command wait under the pause in force?" — Redis's is_may_replicate_command in
// processCommand, with getCommandFlags' view of scripts: a script that declares flags (a
// shebang, or a function) is a write unless it says no-writes, and never merely may-replicate;
// a script without a shebang keeps EVAL's own flags (may_replicate). EXEC waits when one of the
// commands it queued would. The pause state itself is core/state/client_pause.ts.

import { latin1 } from "../bytes.ts";
import { CommandError } from "../errors.ts";
import { PauseType } from "../state/client_pause.ts";
import type { ServerState } from "../state/server_state.ts";
import { parseShebang } from "../scripting/scripts.ts";
import type { ClientState } from "../sessions/client.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import type { CommandContext, CommandSpec, CommandTable } from "./context.ts";
import { subcommandSyntaxError } from "./_streams.ts";

/** Commands flagged may_replicate in Redis 7.0 whose table rows here may not carry the flag. */
const MAY_REPLICATE_COMMANDS = new Set(["pfcount", "publish", "spublish"]);
const MAY_REPLICATE_FLAGS = ["may_replicate", "may-replicate"];
const EVAL_COMMANDS = new Set(["eval", "evalsha", "eval_ro", "evalsha_ro"]);
const FCALL_COMMANDS = new Set(["fcall", "fcall_ro"]);
/** FunctionInfo.flags bit of no-writes (LUA_FUNCTION_FLAG_NAMES order). */
const FUNCTION_FLAG_NO_WRITES = 1;
const SHA_LEN_CHARS = 40;

/** Whether `spec` run with `argv` would be flagged write or may_replicate by Redis 7.0. */
export function mayReplicateCall(
  server: ServerState,
  spec: CommandSpec,
  argv: readonly Uint8Array[],
): boolean {
  if (EVAL_COMMANDS.has(spec.fullName)) return evalMayReplicate(server, spec, argv);
  if (FCALL_COMMANDS.has(spec.fullName)) {
    const fn = server.functions.findFunction(latin1(argv[1]));
    if (fn === undefined) return specMayReplicate(spec);
    return (fn.flags & FUNCTION_FLAG_NO_WRITES) === 0;
  }
  return specMayReplicate(spec);
}

function specMayReplicate(spec: CommandSpec): boolean {
  return spec.isWrite || MAY_REPLICATE_COMMANDS.has(spec.fullName) ||
    MAY_REPLICATE_FLAGS.some((flag) => spec.flags.includes(flag));
}

/** evalGetCommandFlags: the cached script's flags, else the body's shebang, else EVAL's own. */
function evalMayReplicate(
  server: ServerState,
  spec: CommandSpec,
  argv: readonly Uint8Array[],
): boolean {
  const bySha = spec.fullName.startsWith("evalsha");
  if (bySha && argv[1].length !== SHA_LEN_CHARS) return specMayReplicate(spec);
  const cached = bySha ? server.scripts.get(latin1(argv[1]).toLowerCase()) : undefined;
  let compatMode: boolean;
  let noWrites: boolean;
  if (cached !== undefined) {
    compatMode = cached.compatMode;
    noWrites = cached.flags.noWrites;
  } else {
    if (bySha) return specMayReplicate(spec);
    const shebang = parseShebang(argv[1]);
    if ("error" in shebang) return specMayReplicate(spec);
    compatMode = shebang.compatMode;
    noWrites = shebang.flags.noWrites;
  }
  if (compatMode) return specMayReplicate(spec);
  return !noWrites;
}

/**
 * Whether `client`'s command waits under the pause in force (processCommand's pause check):
 * replicas never wait; under ALL everything does; under WRITE the may-replicate commands, and
 * EXEC of a transaction holding one.
 */
export function heldByPause(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: readonly Uint8Array[],
): boolean {
  const pause = server.clientPause;
  if (!pause.active || client.isMaster || client.replState !== ReplicaState.None) return false;
  if (!pause.refresh(Date.now())) return false;
  if (pause.type === PauseType.All) return true;
  if (mayReplicateCall(server, spec, argv)) return true;
  if (spec.fullName !== "exec" || !client.inMulti) return false;
  for (const queued of client.queued) {
    const queuedSpec = table.resolve(queued.argv);
    if (typeof queuedSpec !== "string" && mayReplicateCall(server, queuedSpec, queued.argv)) {
      return true;
    }
  }
  return false;
}

/**
 * CLIENT PAUSE timeout [WRITE | ALL]: pauses clients for `timeout` ms (ALL when no mode is
 * given). Replies +OK, or: "CLIENT PAUSE mode must be WRITE or ALL", a timeout that is not an
 * integer or is negative.
 */
export function clientPauseCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  let type: PauseType.Write | PauseType.All = PauseType.All;
  if (argv.length === 4) {
    const mode = latin1(argv[3]).toLowerCase();
    if (mode === "write") type = PauseType.Write;
    else if (mode !== "all") throw new CommandError("ERR CLIENT PAUSE mode must be WRITE or ALL");
  } else if (argv.length !== 3) {
    throw subcommandSyntaxError(ctx);
  }
  const text = latin1(argv[2]);
  if (!/^-?(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new CommandError("ERR timeout is not an integer or out of range");
  }
  const timeoutMs = Number(text);
  if (timeoutMs < 0) throw new CommandError("ERR timeout is negative");
  const nowMs = Date.now();
  // As getTimeoutFromObjectOrReply: 0 stays 0 (a pause that ends at once).
  const endMs = timeoutMs > 0 ? Math.min(nowMs + timeoutMs, Number.MAX_SAFE_INTEGER) : 0;
  ctx.server.clientPause.pause(type, endMs, nowMs);
  ctx.out.simple("OK");
}

/** CLIENT UNPAUSE: ends any pause; replies +OK. */
export function clientUnpauseCommand(ctx: CommandContext): void {
  ctx.server.clientPause.unpause();
  ctx.out.simple("OK");
}
