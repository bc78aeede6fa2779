// Access control, as Redis 7.0's ACL: users, the rules that shape them (ACL SETUSER's language),
// the permission check the dispatcher runs before a command, the ACL LOG, and the aclfile.
//
// A user's command permissions are a bitmap indexed by CommandSpec.aclId, one byte per command
// plus one trailing "future commands" byte that only +@all sets; rules apply in order, each one
// flipping bits, exactly as Redis's allowed_commands (so "+@all -config +config|get" means what
// it means there). ACL LIST cannot replay the rules as typed (Redis 7.0 does not keep them), so
// it re-derives a description from the bitmap with Redis's best-fit-category algorithm.
//
//   commandBits: [ get | set | … | config | config|get | config|set | … | future ]
//                  aclId 0 …                                              aclId = count
//
// The hot path: a user allowed every command, key and channel (the default user) has
// `unrestricted` set, and the dispatcher tests that one boolean and nothing else.

import { createHash } from "node:crypto";
import { fromLatin1, globMatch, latin1 } from "../bytes.ts";
import type { CommandTable } from "../command_meta/table.ts";
import {
  commandChannels,
  commandKeys,
  KEY_READ,
  KEY_WRITE,
  keyAccessFlags,
} from "../command_meta/keys_of.ts";
import type { CommandSpec } from "../command_meta/spec.ts";

/** What the ACL LOG keeps of the client a denial came from (its CLIENT LIST line). */
export interface LoggedClient {
  describe(nowMs: number): string;
}

/** Why a command was refused; the numbers are Redis's ACL_DENIED_* (the log's reason field). */
export const enum AclDenial {
  None = 0,
  Command = 1,
  Key = 2,
  Auth = 3,
  Channel = 4,
}

/** Where a denial happened, as ACL LOG's context field. */
export type AclLogContext = "toplevel" | "multi" | "lua";

/** The ACL categories, in Redis's order (ACL CAT lists them so; descriptions try them so). */
export const ACL_CATEGORIES: readonly string[] = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
];

/** Length of a password's stored form: SHA-256 as lowercase hex. */
const PASSWORD_HASH_HEX_CHARS = 64;
/** ACL LOG folds a denial into an equal entry at most this old, among the newest few. */
const LOG_GROUPING_WINDOW_MS = 60_000;
const LOG_GROUPING_SCAN_MAX = 10;

const ERR_SETUSER_UNKNOWN = "Unknown command or category name in ACL";
const ERR_SETUSER_SYNTAX = "Syntax error";
const ERR_SETUSER_AFTER_ALLKEYS =
  "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
const ERR_SETUSER_AFTER_ALLCHANNELS =
  "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
const ERR_SETUSER_NO_SUCH_PASSWORD =
  "The password you are trying to remove from the user does not exist";
const ERR_SETUSER_BAD_HASH =
  "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters";
const ERR_SETUSER_FIRSTARG_OF_SUB = "Allowing first-arg of a subcommand is not supported";

/** A rule that could not be applied; `message` is Redis's ACLSetUserStringError text. */
export class AclRuleError extends Error {
  /** ENOENT-class errors (unknown command/category) are reported per rule by ACL LOAD. */
  readonly unknownName: boolean;
  constructor(message: string, unknownName = false) {
    super(message);
    this.unknownName = unknownName;
  }
}

/** A ~pattern (both permissions), %R~pattern or %W~pattern. */
interface KeyPattern {
  text: string;
  bytes: Uint8Array;
  /** KEY_READ | KEY_WRITE bits it grants. */
  flags: number;
}

interface ChannelPattern {
  text: string;
  bytes: Uint8Array;
}

/** SHA-256 of a password as lowercase hex: the only form a password is kept in. */
export function hashPassword(password: Uint8Array): string {
  return createHash("sha256").update(password).digest("hex");
}

/** Compares two hex digests in time independent of where they differ. */
function digestsEqual(a: string, b: string): boolean {
  // Both are PASSWORD_HASH_HEX_CHARS long; the loop never exits early.
  let diff = a.length ^ b.length;
  for (let i = 0; i < PASSWORD_HASH_HEX_CHARS; i++) {
    diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  }
  return diff === 0;
}

function isPasswordHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

/** True when a name or pattern holds whitespace or NUL (Redis refuses those). */
export function hasSpaces(text: string): boolean {
  return /[ \t\n\v\f\r\0]/.test(text);
}

export class AclUser {
  readonly name: string;
  // --- flags (GETUSER's "flags", in Redis's order) ---
  /** "on": may authenticate. A new user is "off". */
  enabled = false;
  /** "nopass": any password works. */
  nopass = false;
  /** "sanitize-payload" (1), "skip-sanitize-payload" (2), or neither (0). */
  sanitizePayload = 0;
  /** SHA-256 hex of each accepted password, in the order added. */
  passwordHashes: string[] = [];

  // --- commands ---
  /** One byte per command aclId, plus the trailing future-commands byte (see the file note). */
  commandBits: Uint8Array;
  /** Set by +@all, cleared by any rule that denies a command: skips the bitmap test. */
  allCommands = false;
  /** Allowed first arguments of otherwise denied commands (+select|0), by aclId. */
  firstArgs: Map<number, string[]> | null = null;

  // --- keys and channels ---
  allKeys = false;
  keyPatterns: KeyPattern[] = [];
  allChannels = false;
  channelPatterns: ChannelPattern[] = [];

  /** Allowed every command, key and channel: the dispatcher's one-boolean fast path. */
  unrestricted = false;
  /** Cached ACL LIST description; rules invalidate it. */
  describedCache: string | null = null;

  constructor(name: string, commandCount: number) {
    this.name = name;
    this.commandBits = new Uint8Array(commandCount + 1);
  }

  /** A copy with another name (SETUSER stages its rules on one; LOAD copies into default). */
  clone(name = this.name): AclUser {
    const copy = new AclUser(name, 0);
    copy.enabled = this.enabled;
    copy.nopass = this.nopass;
    copy.sanitizePayload = this.sanitizePayload;
    copy.passwordHashes = [...this.passwordHashes];
    copy.commandBits = this.commandBits.slice();
    copy.allCommands = this.allCommands;
    copy.firstArgs = this.firstArgs === null
      ? null
      : new Map([...this.firstArgs].map(([id, args]) => [id, [...args]]));
    copy.allKeys = this.allKeys;
    copy.keyPatterns = this.keyPatterns.map((p) => ({ ...p }));
    copy.allChannels = this.allChannels;
    copy.channelPatterns = [...this.channelPatterns];
    copy.refresh();
    return copy;
  }

  /** Takes every rule of `source` (keeps this user's name and identity for its clients). */
  copyRulesFrom(source: AclUser): void {
    const copy = source.clone(this.name);
    this.enabled = copy.enabled;
    this.nopass = copy.nopass;
    this.sanitizePayload = copy.sanitizePayload;
    this.passwordHashes = copy.passwordHashes;
    this.commandBits = copy.commandBits;
    this.allCommands = copy.allCommands;
    this.firstArgs = copy.firstArgs;
    this.allKeys = copy.allKeys;
    this.keyPatterns = copy.keyPatterns;
    this.allChannels = copy.allChannels;
    this.channelPatterns = copy.channelPatterns;
    this.refresh();
  }

  /** Recomputes what rules changed: the fast-path flag and the cached description. */
  refresh(): void {
    this.unrestricted = this.allCommands && this.allKeys && this.allChannels;
    this.describedCache = null;
  }

  /** GETUSER's flags, in Redis's order. */
  flagNames(): string[] {
    const flags = [this.enabled ? "on" : "off"];
    if (this.nopass) flags.push("nopass");
    if (this.sanitizePayload === 2) flags.push("skip-sanitize-payload");
    if (this.sanitizePayload === 1) flags.push("sanitize-payload");
    return flags;
  }

  /** GETUSER's "keys": `~*`, or each pattern with its permission prefix. */
  keysDescription(): string {
    if (this.allKeys) return "~*";
    return this.keyPatterns.map(describeKeyPattern).join(" ");
  }

  /** GETUSER's "channels": `&*`, or each pattern. */
  channelsDescription(): string {
    if (this.allChannels) return "&*";
    return this.channelPatterns.map((p) => `&${p.text}`).join(" ");
  }
}

function describeKeyPattern(pattern: KeyPattern): string {
  if (pattern.flags === KEY_READ) return `%R~${pattern.text}`;
  if (pattern.flags === KEY_WRITE) return `%W~${pattern.text}`;
  return `~${pattern.text}`;
}

/** One ACL LOG entry, with Redis's fields. */
export interface AclLogEntry {
  count: number;
  reason: AclDenial;
  context: AclLogContext;
  /** The command's full name, the key, the channel, or (auth) the command as typed. */
  object: string;
  username: string;
  /** When it last happened. */
  timeMs: number;
  /** CLIENT INFO line of the client it last happened to. */
  clientInfo: string;
}

export const ACL_REASON_NAMES: Readonly<Record<number, string>> = {
  [AclDenial.Command]: "command",
  [AclDenial.Key]: "key",
  [AclDenial.Auth]: "auth",
  [AclDenial.Channel]: "channel",
};

/** The users, the command catalogue their bitmaps index, and the ACL LOG. */
export class AclRegistry {
  /** Users by name; iterate sorted (Redis keeps them in a radix tree, so LIST is ordered). */
  readonly users = new Map<string, AclUser>();
  /** Newest first; at most `logLenMax` entries. */
  readonly log: AclLogEntry[] = [];
  /** `acl-pubsub-default allchannels`: new (and reset) users may use every channel. */
  newUsersGetAllChannels = false;
  /** `acllog-max-len`. */
  logLenMax = 128;
  /** Every command and subcommand by aclId (empty until a command table is attached). */
  #specs: readonly CommandSpec[] = [];
  #table: CommandTable | null = null;
  /** argv index of the key or channel the last failed check refused. */
  deniedArgIndex = 0;
  /** The user every new connection starts as. */
  defaultUser: AclUser;

  constructor() {
    this.defaultUser = this.#createDefaultUser();
    this.users.set("default", this.defaultUser);
  }

  /**
   * Sizes the bitmaps to the command table (done once, before any client connects) and
   * rebuilds the default user on it.
   */
  attachCommandTable(table: CommandTable): void {
    this.#table = table;
    this.#specs = table.byAclId;
    const fresh = this.#createDefaultUser();
    this.defaultUser.copyRulesFrom(fresh);
  }

  #createDefaultUser(): AclUser {
    const user = new AclUser("default", this.#specs.length);
    for (const rule of ["+@all", "~*", "&*", "on", "nopass"]) this.applyRule(user, rule);
    return user;
  }

  /**
   * A new user as ACL SETUSER creates it: off, no passwords, commands or keys, and every
   * channel only under `acl-pubsub-default allchannels`.
   */
  newUser(name: string): AclUser {
    const user = new AclUser(name, this.#specs.length);
    user.allChannels = this.newUsersGetAllChannels;
    return user;
  }

  /** Users sorted by name (byte order, as Redis's radix tree). */
  sortedUsers(): AclUser[] {
    return [...this.users.values()].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  /** A new connection starts authenticated when the default user is on and needs no password. */
  defaultUserNeedsNoAuth(): boolean {
    return this.defaultUser.nopass && this.defaultUser.enabled;
  }

  /**
   * Replaces every user with `loaded` (ACL LOAD). The default user keeps its identity (clients
   * hold it) and takes the loaded rules, or fresh defaults if the file has none; returns the
   * other old users, whose clients the caller disconnects, as Redis does.
   */
  replaceUsers(loaded: Map<string, AclUser>): AclUser[] {
    const replaced = [...this.users.values()].filter((u) => u !== this.defaultUser);
    this.defaultUser.copyRulesFrom(loaded.get("default") ?? this.#createDefaultUser());
    this.users.clear();
    for (const [name, user] of loaded) if (name !== "default") this.users.set(name, user);
    this.users.set("default", this.defaultUser);
    return replaced;
  }

  /** `requirepass`: the default user's only password, or nopass when empty (as Redis). */
  setDefaultPassword(password: string): void {
    const user = this.defaultUser;
    this.applyRule(user, "resetpass");
    this.applyRule(user, password === "" ? "nopass" : `>${password}`);
    user.refresh();
  }

  // --- rules ---

  /**
   * Applies one ACL SETUSER rule to `user` (rules are case-insensitive keywords, or start with
   * > < # ! ~ % & + -). Throws AclRuleError with Redis's message. Call user.refresh() after.
   */
  applyRule(user: AclUser, rule: string): void {
    user.describedCache = null;
    if (rule === "") return;
    const lower = rule.toLowerCase();
    switch (lower) {
      case "on":
        user.enabled = true;
        return;
      case "off":
        user.enabled = false;
        return;
      case "skip-sanitize-payload":
        user.sanitizePayload = 2;
        return;
      case "sanitize-payload":
        user.sanitizePayload = 1;
        return;
      case "nopass":
        user.nopass = true;
        user.passwordHashes = [];
        return;
      case "resetpass":
        user.nopass = false;
        user.passwordHashes = [];
        return;
      case "reset":
        for (const step of ["resetpass", "resetkeys", "resetchannels", "off", "-@all"]) {
          this.applyRule(user, step);
        }
        if (this.newUsersGetAllChannels) this.applyRule(user, "allchannels");
        user.sanitizePayload = 1;
        return;
      case "allkeys":
      case "~*":
        user.allKeys = true;
        user.keyPatterns = [];
        return;
      case "resetkeys":
        user.allKeys = false;
        user.keyPatterns = [];
        return;
      case "allchannels":
      case "&*":
        user.allChannels = true;
        user.channelPatterns = [];
        return;
      case "resetchannels":
        user.allChannels = false;
        user.channelPatterns = [];
        return;
      case "allcommands":
      case "+@all":
        user.commandBits.fill(1);
        user.allCommands = true;
        user.firstArgs = null;
        return;
      case "nocommands":
      case "-@all":
        user.commandBits.fill(0);
        user.allCommands = false;
        user.firstArgs = null;
        return;
    }
    const sigil = rule[0];
    if (sigil === ">" || sigil === "#") return addPassword(user, rule);
    if (sigil === "<" || sigil === "!") return removePassword(user, rule);
    if (sigil === "~" || sigil === "%") return addKeyPattern(user, rule);
    if (sigil === "&") return addChannelPattern(user, rule);
    if (rule[0] === "(") throw new AclRuleError("Selectors are not supported by resplica");
    if ((sigil === "+" || sigil === "-") && rule[1] === "@") {
      const category = lower.slice(2);
      if (!ACL_CATEGORIES.includes(category)) throw new AclRuleError(ERR_SETUSER_UNKNOWN, true);
      return this.#setCategory(user.commandBits, user, category, sigil === "+");
    }
    if (sigil === "+") return this.#allowCommandRule(user, rule.slice(1));
    if (sigil === "-") {
      const spec = this.lookupCommand(rule.slice(1));
      if (spec === null) throw new AclRuleError(ERR_SETUSER_UNKNOWN, true);
      return this.#changePermission(user.commandBits, user, spec, false);
    }
    throw new AclRuleError(ERR_SETUSER_SYNTAX);
  }

  /** +command, +container|subcommand, or +command|first-arg (Redis's deprecated form). */
  #allowCommandRule(user: AclUser, name: string): void {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const spec = this.lookupCommand(name);
      if (spec === null) throw new AclRuleError(ERR_SETUSER_UNKNOWN, true);
      return this.#changePermission(user.commandBits, user, spec, true);
    }
    const container = this.lookupCommand(name.slice(0, bar));
    if (container === null) throw new AclRuleError(ERR_SETUSER_UNKNOWN, true);
    if (container.parent !== null) throw new AclRuleError(ERR_SETUSER_FIRSTARG_OF_SUB);
    const firstArg = name.slice(bar + 1);
    if (firstArg === "") throw new AclRuleError(ERR_SETUSER_SYNTAX);
    if (container.subcommands) {
      const sub = this.lookupCommand(name);
      if (sub === null) throw new AclRuleError(ERR_SETUSER_UNKNOWN, true);
      return this.#changePermission(user.commandBits, user, sub, true);
    }
    user.firstArgs ??= new Map();
    const allowed = user.firstArgs.get(container.aclId) ?? [];
    if (!allowed.some((arg) => arg.toLowerCase() === firstArg.toLowerCase())) {
      allowed.push(firstArg);
    }
    user.firstArgs.set(container.aclId, allowed);
  }

  /** A command or "container|sub" by name, case-insensitive; null when there is none. */
  lookupCommand(name: string): CommandSpec | null {
    if (this.#table === null) return null;
    const parts = name.toLowerCase().split("|");
    if (parts.length > 2) return null;
    const spec = this.#table.originalCommands.get(parts[0]);
    if (spec === undefined) return null;
    if (parts.length === 1) return spec;
    return spec.subcommands?.get(parts[1]) ?? null;
  }

  /**
   * Allows or denies one command; a container takes its subcommands with it (as Redis's
   * ACLChangeSelectorPerm). `user` null: a scratch bitmap of the description algorithm.
   */
  #changePermission(
    bits: Uint8Array,
    user: AclUser | null,
    spec: CommandSpec,
    allow: boolean,
  ): void {
    const value = allow ? 1 : 0;
    bits[spec.aclId] = value;
    if (user !== null) {
      if (!allow) user.allCommands = false;
      user.firstArgs?.delete(spec.aclId);
    }
    for (const sub of spec.subcommands?.values() ?? []) bits[sub.aclId] = value;
  }

  #setCategory(bits: Uint8Array, user: AclUser | null, category: string, allow: boolean): void {
    for (const spec of this.#specs) {
      if (spec.categories.includes(category)) this.#changePermission(bits, user, spec, allow);
    }
  }

  // --- checks ---

  /**
   * Whether `user` may run `spec` with `argv`: AclDenial.None, or why not (then
   * `deniedArgIndex` names the refused key or channel). Allocation-free for the command test;
   * keys and channels are only looked at for users without allkeys / allchannels.
   */
  checkCommand(user: AclUser, spec: CommandSpec, argv: readonly Uint8Array[]): AclDenial {
    if (!user.allCommands && !spec.noAuth && user.commandBits[spec.aclId] === 0) {
      if (!this.#firstArgAllowed(user, spec, argv)) return AclDenial.Command;
    }
    if (!user.allKeys) {
      const keys = commandKeys(spec, argv);
      for (let ordinal = 0; ordinal < keys.length; ordinal++) {
        const index = keys[ordinal];
        const needed = keyAccessFlags(spec, argv, ordinal);
        if (!keyAllowed(user, argv[index], needed)) {
          this.deniedArgIndex = index;
          return AclDenial.Key;
        }
      }
    }
    if (!user.allChannels) {
      const channels = commandChannels(spec, argv.length);
      if (channels !== null) {
        for (let i = channels.first; i < channels.end; i++) {
          if (!channelAllowed(user, argv[i], channels.isPattern)) {
            this.deniedArgIndex = i;
            return AclDenial.Channel;
          }
        }
      }
    }
    return AclDenial.None;
  }

  #firstArgAllowed(user: AclUser, spec: CommandSpec, argv: readonly Uint8Array[]): boolean {
    const allowed = user.firstArgs?.get(spec.aclId);
    if (allowed === undefined || argv.length < 2) return false;
    const arg = latin1(argv[spec.parent !== null ? 2 : 1] ?? new Uint8Array(0)).toLowerCase();
    return allowed.some((a) => a.toLowerCase() === arg);
  }

  /**
   * Checks a username/password pair: the user exists, is on, and is nopass or has this
   * password. Every stored hash is compared, in constant time each.
   */
  checkCredentials(username: string, password: Uint8Array): AclUser | null {
    const user = this.users.get(username);
    if (user === undefined || !user.enabled) return null;
    if (user.nopass) return user;
    const hashed = hashPassword(password);
    let matched = false;
    for (const stored of user.passwordHashes) {
      if (digestsEqual(hashed, stored)) matched = true;
    }
    return matched ? user : null;
  }

  // --- the log ---

  /** Records a denial, folding it into a recent equal entry as Redis does. */
  addLogEntry(
    client: LoggedClient,
    reason: AclDenial,
    context: AclLogContext,
    object: string,
    username: string,
    nowMs: number,
  ): void {
    const clientInfo = client.describe(nowMs);
    const scanned = Math.min(this.log.length, LOG_GROUPING_SCAN_MAX);
    for (let i = 0; i < scanned; i++) {
      const entry = this.log[i];
      if (
        entry.reason === reason && entry.context === context && entry.object === object &&
        entry.username === username && Math.abs(entry.timeMs - nowMs) <= LOG_GROUPING_WINDOW_MS
      ) {
        this.log.splice(i, 1);
        entry.count++;
        entry.timeMs = nowMs;
        entry.clientInfo = clientInfo;
        this.log.unshift(entry);
        return;
      }
    }
    this.log.unshift({ count: 1, reason, context, object, username, timeMs: nowMs, clientInfo });
    if (this.log.length > this.logLenMax) this.log.length = this.logLenMax;
  }

  // --- descriptions ---

  /** The rules ACL LIST and ACL SAVE write after "user <name> ". */
  describeUser(user: AclUser): string {
    if (user.describedCache !== null) return user.describedCache;
    let text = user.flagNames().join(" ") + " ";
    for (const hash of user.passwordHashes) text += `#${hash} `;
    if (user.allKeys) text += "~* ";
    else for (const pattern of user.keyPatterns) text += `${describeKeyPattern(pattern)} `;
    if (user.allChannels) text += "&* ";
    else {
      text += "resetchannels ";
      for (const pattern of user.channelPatterns) text += `&${pattern.text} `;
    }
    text += this.describeCommandRules(user);
    user.describedCache = text;
    return text;
  }

  /**
   * Rules that rebuild the user's command bitmap, as Redis 7.0 derives them: start from +@all
   * (if the future-commands bit is set) or -@all, greedily apply the category that best fits
   * what differs, then name the single commands still different.
   */
  describeCommandRules(user: AclUser): string {
    const bits = user.commandBits;
    const futureIndex = bits.length - 1;
    const additive = bits[futureIndex] === 0;
    const rules: string[] = [additive ? "-@all" : "+@all"];
    const fake = new Uint8Array(bits.length).fill(additive ? 0 : 1);
    const temp = bits.slice();
    const applied = new Set<string>();
    while (true) {
      let best: string | null = null;
      let minDiff = Number.MAX_SAFE_INTEGER;
      let maxSame = 0;
      for (const category of ACL_CATEGORIES) {
        if (applied.has(category)) continue;
        let on = 0;
        let off = 0;
        for (const spec of this.#specs) {
          if (!spec.categories.includes(category)) continue;
          if (temp[spec.aclId]) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = category;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best === null) break;
      this.#setCategory(fake, null, best, additive);
      this.#setCategory(temp, null, best, !additive);
      rules.push(`${additive ? "+" : "-"}@${best}`);
      applied.add(best);
    }
    for (const spec of this.#specs) {
      const userBit = bits[spec.aclId];
      if (userBit !== fake[spec.aclId]) {
        rules.push(`${userBit ? "+" : "-"}${spec.fullName}`);
        this.#changePermission(fake, null, spec, userBit === 1);
      }
      const firstArgs = user.firstArgs?.get(spec.aclId);
      if (userBit === 0 && firstArgs !== undefined) {
        for (const arg of firstArgs) rules.push(`+${spec.fullName}|${arg}`);
      }
    }
    return rules.join(" ");
  }

  /** Command full names in `category` (ACL CAT <category>). */
  commandsInCategory(category: string): string[] {
    return this.#specs.filter((spec) => spec.categories.includes(category)).map((s) => s.fullName);
  }
}

function addPassword(user: AclUser, rule: string): void {
  let hash: string;
  if (rule[0] === ">") hash = hashPassword(fromLatin1(rule.slice(1)));
  else {
    hash = rule.slice(1);
    if (!isPasswordHash(hash)) throw new AclRuleError(ERR_SETUSER_BAD_HASH);
  }
  if (!user.passwordHashes.includes(hash)) user.passwordHashes.push(hash);
  user.nopass = false;
}

function removePassword(user: AclUser, rule: string): void {
  let hash: string;
  if (rule[0] === "<") hash = hashPassword(fromLatin1(rule.slice(1)));
  else {
    hash = rule.slice(1);
    if (!isPasswordHash(hash)) throw new AclRuleError(ERR_SETUSER_BAD_HASH);
  }
  const index = user.passwordHashes.indexOf(hash);
  if (index < 0) throw new AclRuleError(ERR_SETUSER_NO_SUCH_PASSWORD);
  user.passwordHashes.splice(index, 1);
}

/** ~pattern, or %R~ / %W~ / %RW~ pattern. */
function addKeyPattern(user: AclUser, rule: string): void {
  if (user.allKeys) throw new AclRuleError(ERR_SETUSER_AFTER_ALLKEYS);
  let flags = 0;
  let offset = 1;
  if (rule[0] === "%") {
    for (; offset < rule.length; offset++) {
      const c = rule[offset].toUpperCase();
      if (c === "R" && !(flags & KEY_READ)) flags |= KEY_READ;
      else if (c === "W" && !(flags & KEY_WRITE)) flags |= KEY_WRITE;
      else if (c === "~") {
        offset++;
        break;
      } else throw new AclRuleError(ERR_SETUSER_SYNTAX);
    }
  } else flags = KEY_READ | KEY_WRITE;
  const text = rule.slice(offset);
  if (hasSpaces(text)) throw new AclRuleError(ERR_SETUSER_SYNTAX);
  const existing = user.keyPatterns.find((p) => p.text === text);
  if (existing) existing.flags |= flags;
  else user.keyPatterns.push({ text, bytes: fromLatin1(text), flags });
}

function addChannelPattern(user: AclUser, rule: string): void {
  if (user.allChannels) throw new AclRuleError(ERR_SETUSER_AFTER_ALLCHANNELS);
  const text = rule.slice(1);
  if (hasSpaces(text)) throw new AclRuleError(ERR_SETUSER_SYNTAX);
  if (!user.channelPatterns.some((p) => p.text === text)) {
    user.channelPatterns.push({ text, bytes: fromLatin1(text) });
  }
}

/**
 * Whether `revised` lost channel permissions `original` had (Redis's superset test: every
 * pattern of the original still listed, and no allchannels lost). Only then need subscribed
 * clients be checked one by one.
 */
export function channelsNarrowed(original: AclUser, revised: AclUser): boolean {
  if (revised.allChannels) return false;
  if (original.allChannels) return true;
  return original.channelPatterns.some((p) =>
    !revised.channelPatterns.some((q) => q.text === p.text)
  );
}

function keyAllowed(user: AclUser, key: Uint8Array, needed: number): boolean {
  for (const pattern of user.keyPatterns) {
    if ((pattern.flags & needed) !== needed) continue;
    if (globMatch(pattern.bytes, key)) return true;
  }
  return false;
}

/** A PSUBSCRIBE pattern must equal an allowed pattern; a channel name may match one. */
export function channelAllowed(user: AclUser, channel: Uint8Array, isPattern: boolean): boolean {
  for (const pattern of user.channelPatterns) {
    if (isPattern ? pattern.text === latin1(channel) : globMatch(pattern.bytes, channel)) {
      return true;
    }
  }
  return false;
}
