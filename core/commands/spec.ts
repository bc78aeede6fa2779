// The shape of a command: the metadata Redis publishes through COMMAND INFO / COMMAND DOCS
// (arity, flags, key positions, ACL categories) next to the handler that runs it. One record per
// command keeps the dispatcher's checks (arity, auth, MULTI queuing, write accounting) and the
// introspection replies from drifting apart.

import type { ReplyWriter } from "../resp/mod.ts";
import type { ClientState } from "../server/client.ts";
import type { ServerState } from "../server/state.ts";

export interface CommandContext {
  server: ServerState;
  client: ClientState;
  /** Arguments, argv[0] being the command name; views valid only during the call. */
  argv: Uint8Array[];
  out: ReplyWriter;
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

export interface CommandSpec {
  /** Lower-case name (for subcommands: the subcommand word). */
  name: string;
  /** Redis arity: exact argc when positive, minimum argc when negative. */
  arity: number;
  flags: string[];
  /** Key positions (1-based, lastKey -1 = to the end, step between keys). */
  firstKey: number;
  lastKey: number;
  keyStep: number;
  /** ACL categories without '@'. */
  categories: string[];
  group: string;
  summary: string;
  since: string;
  complexity: string;
  handler?: CommandHandler;
  subcommands?: Map<string, CommandSpec>;
  /** Full name for errors and CLIENT LIST, e.g. "config|get". */
  fullName: string;
  /** Precomputed from flags so the dispatcher tests a boolean, not an array, per command. */
  noAuth: boolean;
  denyOom: boolean;
  /** Has the "write" flag: its argv is what a replica replays, unless it says otherwise. */
  isWrite: boolean;
}

export interface CommandDefinition {
  name: string;
  arity: number;
  flags?: string[];
  keys?: [first: number, last: number, step: number];
  categories?: string[];
  group: string;
  summary: string;
  since?: string;
  complexity?: string;
  handler?: CommandHandler;
  subcommands?: CommandDefinition[];
}

export function defineCommand(def: CommandDefinition, parent?: string): CommandSpec {
  const fullName = parent ? `${parent}|${def.name}` : def.name;
  const keys = def.keys ?? [0, 0, 0];
  const spec: CommandSpec = {
    name: def.name,
    arity: def.arity,
    flags: def.flags ?? [],
    firstKey: keys[0],
    lastKey: keys[1],
    keyStep: keys[2],
    categories: def.categories ?? [],
    group: def.group,
    summary: def.summary,
    since: def.since ?? "1.0.0",
    complexity: def.complexity ?? "O(1)",
    handler: def.handler,
    fullName,
    noAuth: (def.flags ?? []).includes("no-auth"),
    denyOom: (def.flags ?? []).includes("denyoom"),
    isWrite: (def.flags ?? []).includes("write"),
  };
  if (def.subcommands) {
    spec.subcommands = new Map();
    for (const sub of def.subcommands) {
      spec.subcommands.set(sub.name, defineCommand(sub, def.name));
    }
  }
  return spec;
}
