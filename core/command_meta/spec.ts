// The shape of a command: the metadata Redis publishes through COMMAND INFO / COMMAND DOCS
// (arity, flags, key positions, ACL categories) next to the handler that runs it. One record per
// command keeps the dispatcher's checks (arity, auth, MULTI queuing, write accounting) and the
// introspection replies from drifting apart.
//
// This layer knows what a command is, not how it runs: the handler's type is a parameter
// (`Handler`), filled in by the commands layer (core/commands/context.ts), so ACL, blocking,
// persistence and the embedded replica read command metadata without depending on the server.

import { isCWord, latin1, parseInt64 } from "../bytes.ts";
import { DB_COUNT } from "../engine/engine.ts";
export interface CommandSpec<Handler = unknown> {
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
  /** COMMAND DOCS's complexity; "" when the definition declares none (DOCS then omits it). */
  complexity: string;
  handler?: Handler;
  subcommands?: Map<string, CommandSpec<Handler>>;
  /** Full name for errors and CLIENT LIST, e.g. "config|get". */
  fullName: string;
  /** Index of this command's bit in every ACL user's command bitmap (set by CommandTable.add). */
  aclId: number;
  /** The container command of a subcommand (CONFIG for CONFIG GET); null for top-level ones. */
  parent: CommandSpec<Handler> | null;
  /** Precomputed from flags so the dispatcher tests a boolean, not an array, per command. */
  noAuth: boolean;
  denyOom: boolean;
  /** Has the "write" flag: its argv is what a replica replays, unless it says otherwise. */
  isWrite: boolean;
  /** Has the "fast" flag: LATENCY files its slow runs under "fast-command", not "command". */
  isFast: boolean;
  /**
   * Redis's CMD_PROTECTED: the config (enable-debug-command, enable-module-command) that must
   * allow the caller before the command runs; null for every other command, so the dispatcher
   * tests one field per command.
   */
  protectedBy: ProtectedConfig | null;
  /** Which keys the command may change, for a running snapshot's pre-write hook. */
  writeKeys: WriteKeys;
  /** Redis 7.0's key specifications, as COMMAND INFO lists them; empty when not declared. */
  keySpecs: readonly KeySpec[];
  /** COMMAND INFO's tips for clients ("nondeterministic_output" …); empty when none. */
  tips: readonly string[];
}

/**
 * One key specification of COMMAND INFO in the one form it takes here: keys found from an
 * argv index (`begin_search` "index") over a range (`find_keys` "range": lastKey relative to
 * the first, 0 = just it, -1 = to the end; keyStep; limit).
 */
export interface KeySpec {
  /** Redis's note on the spec, when it has one. */
  notes?: string;
  /** Key-spec flags as Redis names them: RO/RW/OW/RM, access, update, insert, delete. */
  flags: readonly string[];
  beginIndex: number;
  /**
   * Set when the search begins at a keyword instead (`begin_search` "keyword": the first
   * `keyword` at or after argv index `startFrom`, GEORADIUS's STORE); beginIndex is then unused.
   */
  beginKeyword?: { keyword: string; startFrom: number };
  lastKey: number;
  keyStep: number;
  limit: number;
}

/** How a write command's changed keys are found in argv (see persistence/cow_snapshot.ts). */
export const enum WriteKeysKind {
  /** Not a write: no key changes. */
  None,
  /** argv[first..last] every `step` (last < 0 counts from the end: -1 = the last argument). */
  Positions,
  /** argv[numkeysIndex] holds a key count; that many keys follow it (LMPOP, BZMPOP …). */
  Numkeys,
  /** MOVE key db: the key in the client's database and in the target one. */
  Move,
  /** COPY source destination [DB n]: the destination, in database n when given. */
  Copy,
  /** Not per key (FLUSHDB, FLUSHALL, SWAPDB): changes whole databases. */
  Databases,
  /**
   * A key an option names: argv[i + 1] after each STORE or STOREDIST word at i ≥ `first`
   * (GEORADIUS … STORE key). Every such word counts, so the key written is always among them.
   */
  StoreOption,
  /**
   * XREADGROUP's keys: after the first STREAMS word at i ≥ `first`, the first half of the
   * arguments that follow it (the second half are their IDs).
   */
  StreamsOption,
  /** MIGRATE's keys: argv[3], or every argument after its KEYS option (migrateKeyIndexes). */
  Migrate,
}

export interface WriteKeys {
  kind: WriteKeysKind;
  first: number;
  last: number;
  step: number;
  numkeysIndex: number;
}

/**
 * Calls `visit(db, key)` for each key the write `spec` may change when run with `argv` in
 * database `db`. `key` null stands for a whole database: FLUSHDB's, SWAPDB's two, and db -1 for
 * all of them (FLUSHALL, or a MOVE / COPY / SWAPDB database that does not parse, which the
 * command will refuse: a caller must then assume anything). One reading of the layouts, for the
 * snapshot's pre-write hook and the embedded replica's change events.
 */
export function visitWrittenKeys(
  spec: CommandSpec,
  db: number,
  argv: readonly Uint8Array[],
  visit: (db: number, key: Uint8Array | null) => void,
): void {
  const layout = spec.writeKeys;
  switch (layout.kind) {
    case WriteKeysKind.None:
      return;
    case WriteKeysKind.Positions: {
      const last = layout.last < 0 ? argv.length + layout.last : layout.last;
      for (let i = layout.first; i <= last && i < argv.length; i += layout.step) visit(db, argv[i]);
      return;
    }
    case WriteKeysKind.Numkeys: {
      const numkeys = Number(latin1(argv[layout.numkeysIndex] ?? new Uint8Array()));
      if (!Number.isSafeInteger(numkeys) || numkeys < 0) return; // the command will refuse it
      const end = Math.min(argv.length, layout.numkeysIndex + 1 + numkeys);
      for (let i = layout.numkeysIndex + 1; i < end; i++) visit(db, argv[i]);
      return;
    }
    case WriteKeysKind.Move: {
      if (argv.length < 3) return;
      const targetDb = parseDbIndex(argv[2]);
      if (targetDb === null) return visit(-1, null);
      visit(db, argv[1]);
      visit(targetDb, argv[1]);
      return;
    }
    case WriteKeysKind.Copy: {
      if (argv.length < 3) return;
      let targetDb = db;
      for (let i = 3; i < argv.length - 1; i++) {
        if (latin1(argv[i]).toLowerCase() !== "db") continue;
        const parsed = parseDbIndex(argv[i + 1]);
        if (parsed === null) return visit(-1, null);
        targetDb = parsed;
      }
      visit(targetDb, argv[2]);
      return;
    }
    case WriteKeysKind.Databases: {
      if (spec.fullName === "flushall") return visit(-1, null);
      if (spec.fullName !== "swapdb") return visit(db, null);
      const first = argv.length > 2 ? parseDbIndex(argv[1]) : null;
      const second = argv.length > 2 ? parseDbIndex(argv[2]) : null;
      if (first === null || second === null) return visit(-1, null);
      visit(first, null);
      visit(second, null);
      return;
    }
    case WriteKeysKind.StoreOption: {
      for (let i = layout.first; i + 1 < argv.length; i++) {
        if (isStoreOption(argv[i])) visit(db, argv[i + 1]);
      }
      return;
    }
    case WriteKeysKind.Migrate: {
      for (const index of migrateKeyIndexes(argv)) visit(db, argv[index]);
      return;
    }
    case WriteKeysKind.StreamsOption: {
      for (let i = layout.first; i < argv.length; i++) {
        if (latin1(argv[i]).toLowerCase() !== "streams") continue;
        const keyCount = Math.floor((argv.length - i - 1) / 2);
        for (let k = 1; k <= keyCount; k++) visit(db, argv[i + k]);
        return;
      }
      return;
    }
  }
}

/** MIGRATE's options before KEYS, with the count of arguments each takes. */
const MIGRATE_OPTION_ARG_COUNTS: Readonly<Record<string, number>> = {
  copy: 0,
  replace: 0,
  auth: 1,
  auth2: 2,
};
/** argv index of MIGRATE's key argument, and where its options start. */
const MIGRATE_KEY_INDEX = 3;
const MIGRATE_OPTIONS_INDEX = 6;

/**
 * The argv indices of MIGRATE's keys, as Redis's migrateGetKeys finds them: argv[3], unless a
 * KEYS word follows the options (skipping AUTH's and AUTH2's arguments), then every argument
 * after it; none when KEYS comes with a non-empty argv[3] (the command refuses that).
 */
export function migrateKeyIndexes(argv: readonly Uint8Array[]): number[] {
  for (let i = MIGRATE_OPTIONS_INDEX; i < argv.length; i++) {
    if (isCWord(argv[i], "keys")) {
      if (argv[MIGRATE_KEY_INDEX].length > 0) return [];
      return Array.from({ length: argv.length - i - 1 }, (_, k) => i + 1 + k);
    }
    const option = Object.keys(MIGRATE_OPTION_ARG_COUNTS).find((word) => isCWord(argv[i], word));
    if (option !== undefined) i += MIGRATE_OPTION_ARG_COUNTS[option];
  }
  return argv.length > MIGRATE_KEY_INDEX ? [MIGRATE_KEY_INDEX] : [];
}

/** STORE or STOREDIST in any case, read as C's strcasecmp reads it (up to a NUL byte). */
function isStoreOption(arg: Uint8Array): boolean {
  return isCWord(arg, "store") || isCWord(arg, "storedist");
}

/** A database index 0..DB_COUNT-1 as MOVE, COPY and SWAPDB parse it, or null. */
function parseDbIndex(arg: Uint8Array): number | null {
  const value = parseInt64(arg);
  if (value === null || value < 0n || value >= BigInt(DB_COUNT)) return null;
  return Number(value);
}

/** Write commands whose keys follow a numkeys argument: the argv index of numkeys. */
const WRITE_NUMKEYS_INDEX: Readonly<Record<string, number>> = {
  lmpop: 1,
  zmpop: 1,
  blmpop: 2,
  bzmpop: 2,
};
/** Writes that store into their first key and only read the others. */
const WRITES_FIRST_KEY_ONLY = new Set([
  "bitop",
  "pfmerge",
  "sinterstore",
  "sunionstore",
  "sdiffstore",
  "zunionstore",
  "zinterstore",
  "zdiffstore",
  "zrangestore",
  "geosearchstore",
]);
const WRITES_DATABASES = new Set(["flushdb", "flushall", "swapdb"]);
/**
 * Writes whose only written key follows a STORE / STOREDIST option: the argv index the option
 * search starts at (past the fixed arguments; their source key is only read).
 */
const WRITE_STORE_OPTION_FROM: Readonly<Record<string, number>> = {
  georadius: 6,
  georadiusbymember: 5,
  sort: 2,
};
/**
 * Read-only commands that may still change their first key: PFCOUNT of one key caches the
 * cardinality inside the value (and propagates), so a running snapshot must side-save it first.
 */
const READONLY_WRITES_FIRST_KEY = new Set(["pfcount"]);
/** Writes whose keys follow a STREAMS word: the argv index the search starts at. */
const WRITE_STREAMS_OPTION_FROM: Readonly<Record<string, number>> = { xreadgroup: 4 };

/**
 * Writes that change no key: the function libraries (FUNCTION LOAD …). A snapshot records the
 * libraries of its instant when it starts, so there is nothing to side-save before they run.
 */
const WRITES_NO_KEYS = new Set([
  "function|load",
  "function|delete",
  "function|flush",
  "function|restore",
]);

function writeKeysOf(
  name: string,
  flags: readonly string[],
  keys: readonly number[],
  fullName = name,
): WriteKeys {
  const layout = { kind: WriteKeysKind.None, first: 0, last: 0, step: 0, numkeysIndex: 0 };
  if (WRITES_NO_KEYS.has(fullName)) return layout;
  if (READONLY_WRITES_FIRST_KEY.has(name)) {
    return { ...layout, kind: WriteKeysKind.Positions, first: keys[0], last: keys[0], step: 1 };
  }
  if (!flags.includes("write")) return layout;
  if (WRITES_DATABASES.has(name)) return { ...layout, kind: WriteKeysKind.Databases };
  if (name === "move") return { ...layout, kind: WriteKeysKind.Move };
  if (name === "copy") return { ...layout, kind: WriteKeysKind.Copy };
  if (name === "migrate") return { ...layout, kind: WriteKeysKind.Migrate };
  const storeOptionFrom = WRITE_STORE_OPTION_FROM[name];
  if (storeOptionFrom !== undefined) {
    return { ...layout, kind: WriteKeysKind.StoreOption, first: storeOptionFrom };
  }
  const streamsOptionFrom = WRITE_STREAMS_OPTION_FROM[name];
  if (streamsOptionFrom !== undefined) {
    return { ...layout, kind: WriteKeysKind.StreamsOption, first: streamsOptionFrom };
  }
  const numkeysIndex = WRITE_NUMKEYS_INDEX[name];
  if (numkeysIndex !== undefined) return { ...layout, kind: WriteKeysKind.Numkeys, numkeysIndex };
  const [first, last, step] = keys;
  // A write command without declared keys would escape the snapshot: refuse to define it.
  if (first <= 0 || step <= 0) throw new TypeError(`write command ${name} declares no keys`);
  const lastWritten = WRITES_FIRST_KEY_ONLY.has(name) ? first : last;
  return { ...layout, kind: WriteKeysKind.Positions, first, last: lastWritten, step };
}

/** The configs that guard Redis's PROTECTED commands (values "no", "yes", "local"). */
export type ProtectedConfig = "enable-debug-command" | "enable-module-command";

export interface CommandDefinition<Handler = unknown> {
  name: string;
  arity: number;
  flags?: string[];
  keys?: [first: number, last: number, step: number];
  /** COMMAND INFO's key specifications (see KeySpec); none declared when omitted. */
  keySpecs?: KeySpec[];
  /** COMMAND INFO's tips (see CommandSpec.tips); none when omitted. */
  tips?: string[];
  categories?: string[];
  group: string;
  summary: string;
  since?: string;
  complexity?: string;
  handler?: Handler;
  subcommands?: CommandDefinition<Handler>[];
  /** Redis's PROTECTED flag (hidden from COMMAND INFO, as Redis hides it): see CommandSpec. */
  protectedBy?: ProtectedConfig;
}

export function defineCommand<Handler>(
  def: CommandDefinition<Handler>,
  parent?: CommandSpec<Handler>,
): CommandSpec<Handler> {
  const fullName = parent ? `${parent.name}|${def.name}` : def.name;
  const keys = def.keys ?? [0, 0, 0];
  const spec: CommandSpec<Handler> = {
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
    complexity: def.complexity ?? "",
    handler: def.handler,
    fullName,
    aclId: -1,
    parent: parent ?? null,
    noAuth: (def.flags ?? []).includes("no-auth"),
    denyOom: (def.flags ?? []).includes("denyoom"),
    isWrite: (def.flags ?? []).includes("write"),
    isFast: (def.flags ?? []).includes("fast"),
    protectedBy: def.protectedBy ?? null,
    writeKeys: writeKeysOf(def.name, def.flags ?? [], keys, fullName),
    keySpecs: def.keySpecs ?? [],
    tips: def.tips ?? [],
  };
  if (def.subcommands) {
    spec.subcommands = new Map();
    for (const sub of def.subcommands) {
      spec.subcommands.set(sub.name, defineCommand(sub, spec));
    }
  }
  return spec;
}
