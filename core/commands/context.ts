// What a command handler is handed: the server, the calling client, argv, the reply writer and
// the command's own spec. It lives in the commands layer, not beside the command metadata
// (core/command_meta/spec.ts), because it names ServerState and ClientState: everything below the
// commands reads metadata only, and knows nothing of how a handler runs.

import type {
  CommandDefinition as GenericCommandDefinition,
  CommandSpec as GenericCommandSpec,
} from "../command_meta/spec.ts";
import type { CommandTable as GenericCommandTable } from "../command_meta/table.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import type { ClientState } from "../sessions/client.ts";
import type { ServerState } from "../state/server_state.ts";

export interface CommandContext {
  server: ServerState;
  client: ClientState;
  /** Arguments, argv[0] being the command name; views valid only during the call. */
  argv: Uint8Array[];
  out: ReplyWriter;
  /** The command (or subcommand) being run. */
  spec: CommandSpec;
  /** Wall clock for this command, so expiry decisions within one command agree. */
  nowMs: number;
  /**
   * What a replica must replay instead of argv, set by non-deterministic or relative-time
   * commands (SPOP → SREM, INCRBYFLOAT → SET … KEEPTTL, a served BLPOP → LPOP). Null means
   * "argv itself" for a write that changed data, nothing for a command that changed none.
   */
  propagateAs: (Uint8Array | string)[][] | null;
}

/** A handler writes exactly one reply, or throws CommandError before writing anything. */
export type CommandHandler = (ctx: CommandContext) => void | Promise<void>;

/** A command's metadata with its runnable handler. */
export type CommandSpec = GenericCommandSpec<CommandHandler>;

/** What a command module declares: metadata, handler, subcommands. */
export type CommandDefinition = GenericCommandDefinition<CommandHandler>;

/** The table of runnable commands. */
export type CommandTable = GenericCommandTable<CommandHandler>;
