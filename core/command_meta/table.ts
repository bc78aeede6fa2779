// The command table: every command by name (with Redis's rename-command), by a case-folded hash
// so the hot path looks a command up without building a string, and by ACL id. It holds
// metadata only; the handler's type is the commands layer's (see spec.ts), so ACL checks and
// introspection below the commands layer can read the table without running anything.

import { latin1, lowerName } from "../bytes.ts";
import type { CommandSpec } from "./spec.ts";

/** How much of an unknown command's arguments the error echoes (as Redis: 128 chars). */
const UNKNOWN_ARGS_ECHO_MAX_CHARS = 128;

/** Names longer than any command skip the hash lookup. */
const COMMAND_NAME_LEN_MAX = 32;

/** Case-folded FNV-1a over the name bytes: the lookup key that needs no string per command. */
function foldedNameHash(bytes: Uint8Array): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    hash = Math.imul(hash ^ c, 0x01000193);
  }
  return hash >>> 0;
}

function sameFoldedName(bytes: Uint8Array, lowerNameText: string): boolean {
  if (bytes.length !== lowerNameText.length) return false;
  for (let i = 0; i < bytes.length; i++) {
    let c = bytes[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerNameText.charCodeAt(i)) return false;
  }
  return true;
}

export class CommandTable<Handler = unknown> {
  readonly commands = new Map<string, CommandSpec<Handler>>();
  /** Commands by foldedNameHash; collisions fall back to the string map. */
  readonly #byHash = new Map<number, CommandSpec<Handler>>();
  /** Every command and subcommand, indexed by aclId: a container first, then its subcommands. */
  readonly byAclId: CommandSpec<Handler>[] = [];

  /**
   * Commands by their original names, untouched by rename-command: ACL rules name commands
   * this way, as Redis's orig_commands, so an aclfile means the same whatever is renamed.
   */
  readonly originalCommands = new Map<string, CommandSpec<Handler>>();

  add(spec: CommandSpec<Handler>): void {
    this.commands.set(spec.name, spec);
    this.originalCommands.set(spec.name, spec);
    spec.aclId = this.byAclId.push(spec) - 1;
    for (const sub of spec.subcommands?.values() ?? []) sub.aclId = this.byAclId.push(sub) - 1;
    const hash = foldedNameHash(new TextEncoder().encode(spec.name));
    if (!this.#byHash.has(hash)) this.#byHash.set(hash, spec);
  }

  /** Whether rename-command renamed or disabled any command (the request pipeline then stands aside). */
  renamedAny = false;

  /** rename-command: original name → the name it answers to now (null: disabled). */
  readonly #renamedTo = new Map<string, string | null>();

  /**
   * The name a command answers to after rename-command, for internal callers that know it by
   * its original name (the embedded Store's writes); null when it was disabled.
   */
  currentName(originalName: string): string | null {
    const lower = originalName.toLowerCase();
    const renamed = this.#renamedTo.get(lower);
    return renamed === undefined ? lower : renamed;
  }

  /**
   * rename-command `from` `to`: the command answers to `to` only, or to nothing when `to` is
   * empty. Errors and ACL rules keep its original name, as in Redis. Throws Redis's config
   * error text for an unknown command or a taken name.
   */
  rename(from: string, to: string): void {
    this.renamedAny = true;
    const fromLower = from.toLowerCase();
    const spec = this.commands.get(fromLower);
    if (spec === undefined) throw new Error("No such command in rename-command");
    this.commands.delete(fromLower);
    const hash = foldedNameHash(new TextEncoder().encode(fromLower));
    if (this.#byHash.get(hash) === spec) this.#byHash.delete(hash);
    if (to === "") {
      this.#renamedTo.set(fromLower, null);
      return;
    }
    const toLower = to.toLowerCase();
    if (this.commands.has(toLower)) throw new Error("Target command name already exists");
    this.#renamedTo.set(fromLower, toLower);
    // Only the string map knows the new name: #lookup's hash path checks spec.name, which
    // stays the original, and falls back to this map.
    this.commands.set(toLower, spec);
  }

  #lookup(nameBytes: Uint8Array): CommandSpec<Handler> | undefined {
    if (nameBytes.length > COMMAND_NAME_LEN_MAX) return undefined;
    const spec = this.#byHash.get(foldedNameHash(nameBytes));
    if (spec && sameFoldedName(nameBytes, spec.name)) return spec;
    return this.commands.get(lowerName(nameBytes));
  }

  /** Resolves argv to a command or subcommand; an error text when it names neither. */
  resolve(argv: Uint8Array[]): CommandSpec<Handler> | string {
    const spec = this.#lookup(argv[0]);
    if (!spec) return unknownCommandText(argv);
    const name = spec.name;
    if (!spec.subcommands) return spec;
    if (argv.length === 1 && spec.handler) return spec;
    if (argv.length === 1) return `ERR wrong number of arguments for '${name}' command`;
    const sub = spec.subcommands.get(lowerName(argv[1]));
    if (!sub) {
      return `ERR unknown subcommand '${
        truncateEcho(latin1(argv[1]))
      }'. Try ${name.toUpperCase()} HELP.`;
    }
    return sub;
  }
}

function truncateEcho(text: string): string {
  return text.length > UNKNOWN_ARGS_ECHO_MAX_CHARS
    ? text.slice(0, UNKNOWN_ARGS_ECHO_MAX_CHARS)
    : text;
}

function unknownCommandText(argv: Uint8Array[]): string {
  let args = "";
  for (let i = 1; i < argv.length && args.length < UNKNOWN_ARGS_ECHO_MAX_CHARS; i++) {
    const room = UNKNOWN_ARGS_ECHO_MAX_CHARS - args.length;
    args += `'${latin1(argv[i]).slice(0, room)}' `;
  }
  return `ERR unknown command '${
    truncateEcho(latin1(argv[0]))
  }', with args beginning with: ${args}`;
}
