// MODULE LIST / LOAD / LOADEX / UNLOAD / HELP (Redis 7.0, module.c moduleCommand). resplica
// runs no native modules (a Redis module is a shared library written against Redis's C API),
// so the command answers as a redis-server with none loaded that fails every load: LIST is
// empty, LOAD and LOADEX give Redis's load error, UNLOAD finds no such module. The command
// stays, so clients and tools that probe it get Redis's replies rather than an unknown
// command. As Redis's, LOAD, LOADEX and UNLOAD (its PROTECTED subcommands) are refused unless
// `enable-module-command` allows them (yes, or local for loopback clients); the dispatcher
// checks it before the command runs (their `protectedBy`), so a refusal counts as a rejected
// call and inside MULTI makes EXEC abort, as in Redis.

import { writeHelp } from "./_help.ts";
import { fail } from "../errors.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** Redis's reply to a LOAD or LOADEX that did not load (the reason goes to Redis's log). */
const ERR_LOAD_FAILED = "ERR Error loading the extension. Please check the server logs.";
/** Redis's reply to UNLOAD of a name no module has. */
const ERR_NO_SUCH_MODULE = "ERR Error unloading module: no such module with that name";
const MODULE_HELP = [
  "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "LIST",
  "    List the loaded modules (resplica loads none).",
  "LOAD <path> [<arg> ...]",
  "    Load the module at <path> with optional arguments. resplica runs no native",
  "    modules, so this always fails.",
  "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
  "    As LOAD, with module configuration; fails the same way.",
  "UNLOAD <name>",
  "    Unload the module called <name>; there is none to unload.",
  "HELP",
  "    Prints this help.",
];

/** MODULE LIST → an empty array: no module is loaded. */
function moduleListCommand(ctx: CommandContext): void {
  ctx.out.arrayHeader(0);
}

/** MODULE LOAD path [arg ...] / LOADEX path … → Redis's load error: nothing can be loaded. */
function moduleLoadCommand(_ctx: CommandContext): void {
  fail(ERR_LOAD_FAILED);
}

/** MODULE UNLOAD name → Redis's "no such module" error. */
function moduleUnloadCommand(_ctx: CommandContext): void {
  fail(ERR_NO_SUCH_MODULE);
}

const MODULE_FLAGS = ["admin", "noscript", "no_async_loading"];
const MODULE_CATEGORIES = ["admin", "slow", "dangerous"];

export const MODULE_COMMANDS: CommandDefinition[] = [
  {
    name: "module",
    arity: -2,
    group: "server",
    summary: "A container for module commands.",
    since: "4.0.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "list",
        arity: 2,
        flags: ["admin", "noscript"],
        categories: MODULE_CATEGORIES,
        tips: ["nondeterministic_output_order"],
        group: "server",
        summary: "Returns all loaded modules.",
        since: "4.0.0",
        handler: moduleListCommand,
      },
      {
        name: "load",
        arity: -3,
        flags: MODULE_FLAGS,
        categories: MODULE_CATEGORIES,
        group: "server",
        summary: "Loads a module.",
        since: "4.0.0",
        protectedBy: "enable-module-command",
        handler: moduleLoadCommand,
      },
      {
        name: "loadex",
        arity: -3,
        flags: MODULE_FLAGS,
        categories: MODULE_CATEGORIES,
        group: "server",
        summary: "Loads a module using extended parameters.",
        since: "7.0.0",
        protectedBy: "enable-module-command",
        handler: moduleLoadCommand,
      },
      {
        name: "unload",
        arity: 3,
        flags: MODULE_FLAGS,
        categories: MODULE_CATEGORIES,
        group: "server",
        summary: "Unloads a module.",
        since: "4.0.0",
        protectedBy: "enable-module-command",
        handler: moduleUnloadCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "server",
        summary: "Returns helpful text about the different subcommands.",
        since: "5.0.0",
        handler: (ctx) => writeHelp(ctx.out, MODULE_HELP),
      },
    ],
  },
];
