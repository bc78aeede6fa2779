// COMMAND's introspection pieces that read the command table as a whole: COMMAND LIST with its
// filters, COMMAND GETKEYS / GETKEYSANDFLAGS, and the flag set COMMAND INFO shows (Redis's
// order, its hidden flags left out). The rest of COMMAND (INFO, DOCS, COUNT) is in server.ts.

import { globMatch, isWord, latin1 } from "../bytes.ts";
import { commandHasKeys, commandKeys, keyAccessFlags } from "../command_meta/keys_of.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { ACL_CATEGORIES } from "../sessions/acl.ts";
import type { CommandContext, CommandSpec, CommandTable } from "./context.ts";

/**
 * The flags COMMAND INFO shows, in the order Redis 7.0 lists them (addReplyFlagsForCommand).
 * may_replicate, sentinel, only_sentinel and protected are hidden there, so absent here.
 */
const INFO_FLAG_ORDER = [
  "write",
  "readonly",
  "denyoom",
  "module",
  "admin",
  "pubsub",
  "noscript",
  "blocking",
  "loading",
  "stale",
  "skip_monitor",
  "skip_slowlog",
  "asking",
  "fast",
  "no_auth",
  "no_mandatory_keys",
  "no_async_loading",
  "no_multi",
  "movablekeys",
  "allow_busy",
] as const;

/** Definitions spell a few flags with a dash; COMMAND INFO spells them Redis's way. */
const FLAG_SPELLINGS: Readonly<Record<string, string>> = { "no-auth": "no_auth" };

/** `spec`'s flags as COMMAND INFO replies them. */
export function infoFlags(spec: CommandSpec): string[] {
  const present = new Set(spec.flags.map((flag) => FLAG_SPELLINGS[flag] ?? flag));
  return INFO_FLAG_ORDER.filter((flag) => present.has(flag));
}

/** What COMMAND LIST FILTERBY keeps, or null for no filter. */
type ListFilter = (spec: CommandSpec) => boolean;

/**
 * COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]
 *
 * Contract: → every command and subcommand name ("client|list") the filter keeps, parents
 * before their subcommands. MODULE keeps nothing (no modules here); an unknown ACL category
 * keeps nothing; PATTERN globs the full name, case-insensitively. Anything else →
 * `-ERR syntax error`.
 */
export function commandListCommand(ctx: CommandContext, table: CommandTable): void {
  const { argv } = ctx;
  let keep: ListFilter = () => true;
  for (let i = 2; i < argv.length; i++) {
    if (!isWord(argv[i], "filterby") || argv.length - 1 - i !== 2) fail(ERR_SYNTAX);
    const kind = argv[i + 1];
    const arg = argv[i + 2];
    if (isWord(kind, "module")) keep = () => false;
    else if (isWord(kind, "aclcat")) {
      const category = latin1(arg).toLowerCase();
      const known = ACL_CATEGORIES.includes(category);
      keep = (spec) => known && spec.categories.includes(category);
    } else if (isWord(kind, "pattern")) {
      keep = (spec) => globMatch(arg, new TextEncoder().encode(spec.fullName), true);
    } else fail(ERR_SYNTAX);
    i += 2;
  }
  const names: string[] = [];
  const visit = (spec: CommandSpec): void => {
    if (keep(spec)) names.push(spec.fullName);
    for (const sub of spec.subcommands?.values() ?? []) visit(sub);
  };
  for (const spec of table.commands.values()) visit(spec);
  ctx.out.arrayHeader(names.length);
  for (const name of names) ctx.out.bulkString(name);
}

/**
 * Key-spec flags for commands whose keys are read and written in ways the read/write split
 * cannot tell (they declare no key specs yet): one entry per key, in argv order, as Redis 7.0's
 * key specs give them.
 */
const KEY_FLAG_OVERRIDES: Readonly<Record<string, readonly (readonly string[])[]>> = {
  lmove: [["RW", "access", "delete"], ["RW", "insert"]],
  blmove: [["RW", "access", "delete"], ["RW", "insert"]],
  rpoplpush: [["RW", "access", "delete"], ["RW", "insert"]],
  brpoplpush: [["RW", "access", "delete"], ["RW", "insert"]],
  // Its keys come from a get-keys function (a key spec is incomplete), with these fixed flags.
  migrate: [["RW", "access", "delete"]],
};

/** KEY_READ / KEY_WRITE bits of keyAccessFlags. */
const KEY_READ = 1;
const KEY_WRITE = 2;

/**
 * The key-spec flags of the `ordinal`-th key found at argv index `argIndex`: from the overrides
 * above, else from the command's own key specs when one covers that index, else from whether
 * the key is read (RO access), written (OW update) or both (RW access update).
 */
function keyFlags(
  spec: CommandSpec,
  argv: readonly Uint8Array[],
  argIndex: number,
  ordinal: number,
): readonly string[] {
  const override = KEY_FLAG_OVERRIDES[spec.fullName];
  if (override !== undefined) return override[Math.min(ordinal, override.length - 1)];
  const declared = spec.keySpecs.find((keySpec) => keySpecCovers(keySpec, argv, argIndex));
  if (declared !== undefined) return declared.flags;
  const access = keyAccessFlags(spec, argv, ordinal);
  if ((access & KEY_READ) && (access & KEY_WRITE)) return ["RW", "access", "update"];
  if (access & KEY_WRITE) return ["OW", "update"];
  return ["RO", "access"];
}

/** True when `keySpec` finds a key at argv index `argIndex`. */
function keySpecCovers(keySpec: KeySpec, argv: readonly Uint8Array[], argIndex: number): boolean {
  let first = keySpec.beginIndex;
  if (keySpec.beginKeyword !== undefined) {
    const { keyword, startFrom } = keySpec.beginKeyword;
    first = -1;
    for (let i = startFrom; i < argv.length; i++) {
      if (isWord(argv[i], keyword)) {
        first = i + 1;
        break;
      }
    }
    if (first < 0) return false;
  }
  const last = keySpec.lastKey < 0 ? argv.length + keySpec.lastKey : first + keySpec.lastKey;
  if (argIndex < first || argIndex > last) return false;
  return (argIndex - first) % Math.max(1, keySpec.keyStep) === 0;
}

/**
 * COMMAND GETKEYS command [arg …] / COMMAND GETKEYSANDFLAGS command [arg …]
 *
 * Contract: → the arguments of the command that are keys (what ACL checks match), each with
 * its key-spec flags for GETKEYSANDFLAGS. Errors as Redis's getKeysSubcommandImpl, in its
 * order: `-ERR Invalid command specified`, `-ERR The command has no key arguments`,
 * `-ERR Invalid number of arguments specified for command`, `-ERR Invalid arguments specified
 * for command` (no key found, unless the command needs none).
 */
export function commandGetkeysCommand(
  ctx: CommandContext,
  table: CommandTable,
  withFlags: boolean,
): void {
  const argv = ctx.argv.slice(2);
  const spec = table.resolve(argv);
  if (typeof spec === "string") fail("ERR Invalid command specified");
  if (!commandHasKeys(spec)) fail("ERR The command has no key arguments");
  if (spec.arity > 0 ? spec.arity !== argv.length : argv.length < -spec.arity) {
    fail("ERR Invalid number of arguments specified for command");
  }
  const keys = commandKeys(spec, argv);
  if (keys.length === 0 && !spec.flags.includes("no_mandatory_keys")) {
    fail("ERR Invalid arguments specified for command");
  }
  const out = ctx.out;
  out.arrayHeader(keys.length);
  keys.forEach((index, ordinal) => {
    if (!withFlags) return out.bulk(argv[index]);
    out.arrayHeader(2);
    out.bulk(argv[index]);
    const flags = keyFlags(spec, argv, index, ordinal);
    out.setHeader(flags.length);
    for (const flag of flags) out.simple(flag);
  });
}
