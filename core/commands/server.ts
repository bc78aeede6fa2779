// Server administration commands: INFO, CONFIG, COMMAND, TIME, DEBUG, SHUTDOWN. CONFIG GET/SET
// are in config.ts, driven by the directive table (config/table.ts); COMMAND LIST, GETKEYS and
// the flags COMMAND INFO shows are in command_introspection.ts.

import { isWord, latin1, lowerName } from "../bytes.ts";
import { rewriteConfigFile } from "../config/rewrite.ts";
import { configGetCommand, configSetCommand } from "./config.ts";
import { commandGetkeysCommand, commandListCommand, infoFlags } from "./command_introspection.ts";
import { busyErrorText, ERR_NO_SUCH_KEY, ERR_SYNTAX, fail } from "../errors.ts";
import { ENCODING_HINT_NOT_INT, ENCODING_HINT_RAW, ValueType } from "../engine/mod.ts";
import { collectionEncoding } from "../engine/collections.ts";
import { listSetPackedThreshold, PACKED_THRESHOLD_MAX_BYTES } from "../engine/list.ts";
import { parseMemory } from "../config/units.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import type { CommandTable } from "./context.ts";
import { renderInfo } from "./info.ts";
import { loadRdbFileSync } from "../persistence/rdb_file.ts";
import type { CommandContext, CommandDefinition, CommandSpec } from "./context.ts";
import { writeHelp } from "./_help.ts";
import { datasetDigestHex, valueDigestHex } from "./_digest.ts";
import { isScriptClient, setDenyScriptsDisabled } from "./_script_run.ts";

/** DEBUG SLEEP upper bound, so a typo cannot park a client for days. */
const DEBUG_SLEEP_MAX_S = 3600;

function infoCommand(ctx: CommandContext): void {
  const sections = ctx.argv.slice(1).map((a) => lowerName(a));
  ctx.out.verbatim(renderInfo(ctx.server, sections, ctx.nowMs));
}

/**
 * CONFIG REWRITE
 *
 * Contract: rewrites the config file the server was started with to match the live
 * configuration (config/rewrite.ts) → `+OK`. Started without a file →
 * `-ERR The server is running without a config file`; a read or write failure →
 * `-ERR Rewriting config file: <reason>`, the old file untouched.
 */
function configRewriteCommand(ctx: CommandContext): void {
  const { config, log, port } = ctx.server;
  if (config.configFilePath === "") fail("ERR The server is running without a config file");
  try {
    rewriteConfigFile(config, port > 0 ? { port } : {});
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log.warning(`CONFIG REWRITE failed: ${reason}`);
    fail(`ERR Rewriting config file: ${reason}`);
  }
  log.notice("CONFIG REWRITE executed with success.");
  ctx.out.simple("OK");
}

function configResetstatCommand(ctx: CommandContext): void {
  ctx.server.stats.reset();
  ctx.out.simple("OK");
}

// --- COMMAND introspection ---

function writeCommandInfo(ctx: CommandContext, spec: CommandSpec): void {
  const out = ctx.out;
  out.arrayHeader(10);
  out.bulkString(spec.fullName);
  out.integer(spec.arity);
  const flags = infoFlags(spec);
  out.setHeader(flags.length);
  for (const flag of flags) out.simple(flag);
  out.integer(spec.firstKey);
  out.integer(spec.lastKey);
  out.integer(spec.keyStep);
  out.setHeader(spec.categories.length);
  for (const category of spec.categories) out.simple("@" + category);
  // Redis 7.0 writes tips, key specs and an empty subcommand list as sets (RESP3 `~`).
  out.setHeader(spec.tips.length);
  for (const tip of spec.tips) out.bulkString(tip);
  out.setHeader(spec.keySpecs.length);
  for (const keySpec of spec.keySpecs) writeKeySpec(ctx, keySpec);
  const subs = spec.subcommands ? [...spec.subcommands.values()] : [];
  if (subs.length === 0) out.setHeader(0);
  else out.arrayHeader(subs.length);
  for (const sub of subs) writeCommandInfo(ctx, sub);
}

/** One key specification as Redis 7.0's COMMAND INFO writes an index/range spec. */
function writeKeySpec(ctx: CommandContext, keySpec: KeySpec): void {
  const out = ctx.out;
  out.mapHeader(keySpec.notes === undefined ? 3 : 4);
  if (keySpec.notes !== undefined) {
    out.bulkString("notes");
    out.bulkString(keySpec.notes);
  }
  out.bulkString("flags");
  out.setHeader(keySpec.flags.length);
  for (const flag of keySpec.flags) out.simple(flag);
  out.bulkString("begin_search");
  out.mapHeader(2);
  out.bulkString("type");
  if (keySpec.beginKeyword !== undefined) {
    out.bulkString("keyword");
    out.bulkString("spec");
    out.mapHeader(2);
    out.bulkString("keyword");
    out.bulkString(keySpec.beginKeyword.keyword);
    out.bulkString("startfrom");
    out.integer(keySpec.beginKeyword.startFrom);
  } else {
    out.bulkString("index");
    out.bulkString("spec");
    out.mapHeader(1);
    out.bulkString("index");
    out.integer(keySpec.beginIndex);
  }
  out.bulkString("find_keys");
  out.mapHeader(2);
  out.bulkString("type");
  out.bulkString("range");
  out.bulkString("spec");
  out.mapHeader(3);
  out.bulkString("lastkey");
  out.integer(keySpec.lastKey);
  out.bulkString("keystep");
  out.integer(keySpec.keyStep);
  out.bulkString("limit");
  out.integer(keySpec.limit);
}

/**
 * One command's COMMAND DOCS map, in Redis 7.0's key order: summary, since, group, complexity
 * (left out when the definition declares none, as Redis leaves out a missing field), then
 * subcommands. The table holds no argument descriptions, history or doc flags, so those keys are
 * never written (Redis writes them only when present too).
 */
function writeCommandDocs(ctx: CommandContext, spec: CommandSpec): void {
  const out = ctx.out;
  const subs = spec.subcommands ? [...spec.subcommands.values()] : [];
  const hasComplexity = spec.complexity !== "";
  out.mapHeader(3 + (hasComplexity ? 1 : 0) + (subs.length > 0 ? 1 : 0));
  out.bulkString("summary");
  out.bulkString(spec.summary);
  out.bulkString("since");
  out.bulkString(spec.since);
  out.bulkString("group");
  out.bulkString(spec.group);
  if (hasComplexity) {
    out.bulkString("complexity");
    out.bulkString(spec.complexity);
  }
  if (subs.length > 0) {
    out.bulkString("subcommands");
    out.mapHeader(subs.length);
    for (const sub of subs) {
      out.bulkString(sub.fullName);
      writeCommandDocs(ctx, sub);
    }
  }
}

function lookupForIntrospection(table: CommandTable, name: string): CommandSpec | undefined {
  const [top, sub, ...deeper] = name.split("|");
  if (deeper.length > 0) return undefined;
  const spec = table.commands.get(top);
  if (sub === undefined) return spec;
  return spec?.subcommands?.get(sub);
}

function commandSubcommands(table: CommandTable): CommandDefinition[] {
  const flags = ["loading", "stale"];
  const categories = ["slow", "connection"];
  return [
    {
      name: "count",
      arity: 2,
      flags,
      categories,
      group: "server",
      summary: "Returns a count of commands.",
      since: "2.8.13",
      handler: (ctx) => ctx.out.integer(table.commands.size),
    },
    {
      name: "getkeys",
      arity: -4,
      flags,
      categories,
      group: "server",
      summary: "Extracts the key names from an arbitrary command.",
      since: "2.8.13",
      handler: (ctx) => commandGetkeysCommand(ctx, table, false),
    },
    {
      name: "getkeysandflags",
      arity: -4,
      flags,
      categories,
      group: "server",
      summary: "Extracts the key names and access flags for an arbitrary command.",
      since: "7.0.0",
      handler: (ctx) => commandGetkeysCommand(ctx, table, true),
    },
    {
      name: "info",
      arity: -2,
      flags,
      categories,
      group: "server",
      summary: "Returns information about one, multiple or all commands.",
      since: "2.8.13",
      handler: (ctx) => {
        const names = ctx.argv.slice(2).map((a) => lowerName(a));
        const specs = names.length === 0
          ? [...table.commands.values()]
          : names.map((n) => lookupForIntrospection(table, n));
        ctx.out.arrayHeader(specs.length);
        for (const spec of specs) {
          if (spec) writeCommandInfo(ctx, spec);
          else ctx.out.nullBulk();
        }
      },
    },
    {
      name: "docs",
      arity: -2,
      flags,
      categories,
      group: "server",
      summary: "Returns documentary information about one, multiple or all commands.",
      since: "7.0.0",
      handler: (ctx) => {
        const names = ctx.argv.slice(2).map((a) => lowerName(a));
        const specs =
          (names.length === 0
            ? [...table.commands.values()]
            : names.map((n) => lookupForIntrospection(table, n)))
            .filter((s): s is CommandSpec => s !== undefined);
        ctx.out.mapHeader(specs.length);
        for (const spec of specs) {
          ctx.out.bulkString(spec.fullName);
          writeCommandDocs(ctx, spec);
        }
      },
    },
    {
      name: "list",
      arity: -2,
      flags,
      categories,
      group: "server",
      summary: "Returns a list of command names.",
      since: "7.0.0",
      handler: (ctx) => commandListCommand(ctx, table),
    },
  ];
}

function commandCommand(table: CommandTable) {
  return (ctx: CommandContext): void => {
    // Bare COMMAND: every command's INFO record.
    const specs = [...table.commands.values()];
    ctx.out.arrayHeader(specs.length);
    for (const spec of specs) writeCommandInfo(ctx, spec);
  };
}

function timeCommand(ctx: CommandContext): void {
  const micros = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  ctx.out.arrayHeader(2);
  ctx.out.bulkString(String(Math.floor(micros / 1_000_000)));
  ctx.out.bulkString(String(micros % 1_000_000));
}

/**
 * DEBUG <subcommand>. Synchronous except SLEEP from a client (which returns a promise), so an
 * error from a script's DEBUG call is a reply, not a rejected promise the script cannot wait for.
 */
function debugCommand(ctx: CommandContext): void | Promise<void> {
  const { argv } = ctx;
  if (isWord(argv[1], "sleep") && argv.length === 3) {
    const seconds = Number(latin1(argv[2]));
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > DEBUG_SLEEP_MAX_S) fail(ERR_SYNTAX);
    if (isScriptClient(ctx.server, ctx.client)) {
      // A script runs to its end without yielding, so from a script the sleep blocks the
      // process, as Redis's usleep blocks its server (the script's clock stays frozen).
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, seconds * 1000);
      ctx.out.simple("OK");
      return;
    }
    return new Promise<void>((resolve) =>
      setTimeout(() => {
        ctx.out.simple("OK");
        resolve();
      }, seconds * 1000)
    );
  }
  if (isWord(argv[1], "reload")) {
    // Save, empty the keyspace, load the file back: proves the RDB round trip in place.
    // NOSAVE loads the file as it is; NOFLUSH keeps the dataset, and then a library the file
    // holds too is an error unless MERGE lets the file's copy replace ours (RDBFLAGS_ALLOW_DUP).
    // Keys are always loaded over ours (the file's value wins), as MERGE does.
    let save = true;
    let flush = true;
    let merge = false;
    for (const option of argv.slice(2)) {
      if (isWord(option, "merge")) merge = true;
      else if (isWord(option, "noflush")) flush = false;
      else if (isWord(option, "nosave")) save = false;
      else fail("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
    }
    const { server } = ctx;
    if (save) {
      try {
        server.saver.save(ctx.nowMs);
      } catch {
        fail("ERR Error trying to save the DB, can't reload");
      }
    }
    if (flush) server.engine.flushAll();
    try {
      const { libraryCodes } = loadRdbFileSync(server.engine, server.rdbPath(), Date.now());
      const libraryError = flush
        ? server.functions.replaceAll(libraryCodes, server.lua)
        : server.lua === null
        ? server.functions.loadUncompiled(libraryCodes, merge ? "replace" : "append")
        : server.functions.restore(libraryCodes, merge ? "replace" : "append", server.lua);
      if (libraryError !== null) throw new Error(`Failed loading library, ${libraryError}`);
    } catch (error) {
      fail(`ERR Error trying to load the RDB dump: ${(error as Error).message}`);
    }
    server.log.notice("DB reloaded by DEBUG RELOAD");
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "loadaof") && argv.length === 2) {
    // Empty the keyspace and replay the AOF: proves that what was logged rebuilds the data.
    const reloader = ctx.server.aofReloader;
    if (reloader === null) fail("ERR DEBUG LOADAOF needs a server that loads its files");
    try {
      reloader();
    } catch (error) {
      fail(`ERR Error trying to load the AOF: ${(error as Error).message}`);
    }
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "pause-cron") && argv.length === 3) {
    // Stops (1) or restarts (0) the server's periodic work, as Redis's serverCron pause.
    ctx.server.cronPaused = latin1(argv[2]) !== "0";
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "set-active-expire") && argv.length === 3) {
    ctx.server.config.setText(
      "active-expire-enabled",
      latin1(argv[2]) === "0" ? "no" : "yes",
      false,
    );
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "quicklist-packed-threshold") && argv.length === 3) {
    // Elements at least this long get a list node of their own from now on; 0 = 1 GB default.
    const bytes = parseMemory(latin1(argv[2]));
    if (bytes === null || bytes < 0 || bytes > PACKED_THRESHOLD_MAX_BYTES) {
      fail("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
    }
    listSetPackedThreshold(ctx.server.engine, bytes);
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "set-disable-deny-scripts") && argv.length === 3) {
    // Lets scripts call commands flagged noscript (Redis's script_disable_deny_script; atoi).
    const value = Number.parseInt(latin1(argv[2]), 10);
    setDenyScriptsDisabled(ctx.server, !Number.isNaN(value) && value !== 0);
    ctx.out.simple("OK");
    return;
  }
  if (isWord(argv[1], "object") && argv.length === 3) {
    // Redis reads the entry straight from the dict: no access-time update.
    ctx.server.engine.withoutTouch(() => debugObject(ctx, argv[2]));
    return;
  }
  if (isWord(argv[1], "digest") && argv.length === 2) {
    ctx.out.simple(datasetDigestHex(ctx.server.engine));
    return;
  }
  if (isWord(argv[1], "digest-value")) {
    ctx.out.arrayHeader(argv.length - 2);
    for (let i = 2; i < argv.length; i++) {
      ctx.out.simple(valueDigestHex(ctx.server.engine, ctx.client.db, argv[i]));
    }
    return;
  }
  if (isWord(argv[1], "protocol") && argv.length === 3) {
    debugProtocol(ctx, latin1(argv[2]).toLowerCase());
    return;
  }
  if (isWord(argv[1], "help")) {
    const lines = [
      "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "SLEEP <seconds>",
      "    Stop the server for <seconds>. Decimals allowed.",
      "SET-ACTIVE-EXPIRE <0|1>",
      "    Setting it to 0 disables expiring keys in background when they are not accessed.",
      "PROTOCOL <type>",
      "    Reply with a test value of the specified type. <type> can be: string,",
      "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
      "    true, false.",
      "RELOAD [option ...]",
      "    Save the RDB on disk and reload it back to memory. Options: MERGE, NOFLUSH, NOSAVE.",
      "OBJECT <key>",
      "    Show low level info about `key` and associated value.",
      "DIGEST",
      "    Output a hex signature representing the current DB content.",
      "DIGEST-VALUE <key> [<key> ...]",
      "    Output a hex signature of the values of all the specified keys.",
      "QUICKLIST-PACKED-THRESHOLD <size>",
      "    List elements of at least <size> bytes get a node of their own (plain node).",
      "    0 restores the 1GB default; at most 4GB.",
      "SET-DISABLE-DENY-SCRIPTS <0|1>",
      "    Enable/disable calling commands flagged noscript from scripts.",
    ];
    writeHelp(ctx.out, lines);
    return;
  }
  fail(`ERR unknown subcommand '${latin1(argv[1])}'. Try DEBUG HELP.`);
}

/**
 * Reading at this instant sees every key, TTL or not (every TTL is a later instant), and so
 * expires none: DEBUG OBJECT looks a key up raw, as debug.c's dictFind does.
 */
const BEFORE_EVERY_TTL_MS = 0;
/** Redis's strings up to this length are "embstr" (OBJ_ENCODING_EMBSTR_SIZE_LIMIT). */
const EMBSTR_LEN_MAX = 44;
/** A canonical integer Redis keeps "int"-encoded has at most this many characters. */
const INT_ENCODED_LEN_MAX = 20;

/**
 * DEBUG OBJECT <key>: the key's encoding and idle time, found even past its TTL and without
 * expiring it or counting as an access (tests use it to see that a key is still there). Fields
 * we have no figure for (address, refcount, serialized length, lru) are Redis's neutral values.
 * Replies "ERR no such key" when the keyspace holds no entry for it.
 */
function debugObject(ctx: CommandContext, key: Uint8Array): void {
  const { engine } = ctx.server;
  const db = ctx.client.db;
  if (engine.accessInfo(db, key, BEFORE_EVERY_TTL_MS) < 0) fail(ERR_NO_SUCH_KEY);
  // accessInfo is -1 for a key past its TTL, and leaves it in place (exists() would expire it).
  // A live key is read now; one past its TTL (not yet reclaimed) at an instant before it.
  const access = engine.accessInfo(db, key, ctx.nowMs);
  const live = access >= 0;
  const readAtMs = live ? ctx.nowMs : BEFORE_EVERY_TTL_MS;
  const idleMs = live && !ctx.server.evictor.lfu ? access : 0;
  const tag = engine.typeOf(db, key, readAtMs);
  let encoding: string;
  if (tag === ValueType.String) {
    const hint = engine.encodingHint(db, key, readAtMs);
    const value = engine.getString(db, key, readAtMs) ?? new Uint8Array();
    const intText = !(hint & ENCODING_HINT_NOT_INT) && value.length <= INT_ENCODED_LEN_MAX &&
      /^(0|-?[1-9][0-9]*)$/.test(latin1(value));
    encoding = hint & ENCODING_HINT_RAW
      ? "raw"
      : intText
      ? "int"
      : value.length <= EMBSTR_LEN_MAX
      ? "embstr"
      : "raw";
  } else encoding = collectionEncoding(engine, tag, db, key, readAtMs);
  const idleS = Math.floor(idleMs / 1000);
  ctx.out.simple(
    `Value at:0x0 refcount:1 encoding:${encoding} serializedlength:0 lru:0 ` +
      `lru_seconds_idle:${idleS}`,
  );
}

const encoder = new TextEncoder();
const DEBUG_PROTOCOL_TYPES =
  "string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false";

/** DEBUG PROTOCOL <type>: one test value of each RESP3 type (debug.c), for clients and scripts. */
function debugProtocol(ctx: CommandContext, type: string): void {
  const out = ctx.out;
  const resp3 = out.protocol === 3;
  switch (type) {
    case "string":
      return out.bulkString("Hello World");
    case "integer":
      return out.integer(12345);
    case "double":
      return out.double(3.141);
    case "bignum": {
      const digits = "1234567999999999999999999999999999999";
      if (resp3) return out.raw(encoder.encode(`(${digits}\r\n`));
      return out.bulkString(digits);
    }
    case "null":
      return out.nullBulk();
    case "array":
    case "set":
      if (type === "array") out.arrayHeader(3);
      else out.setHeader(3);
      for (let j = 0; j < 3; j++) out.integer(j);
      return;
    case "map":
      out.mapHeader(3);
      for (let j = 0; j < 3; j++) {
        out.integer(j);
        out.boolean(j === 1);
      }
      return;
    case "attrib":
      // An attribute is not a reply: a real one follows it.
      if (resp3) {
        out.raw(encoder.encode("|1\r\n"));
        out.bulkString("key-popularity");
        out.arrayHeader(2);
        out.bulkString("key:123");
        out.integer(90);
      }
      return out.bulkString("Some real reply following the attribute");
    case "push":
      if (!resp3) fail("ERR RESP2 is not supported by this command");
      out.pushHeader(2);
      out.bulkString("server-cpu-usage");
      out.integer(42);
      return out.bulkString("Some real reply following the push reply");
    case "true":
    case "false":
      return out.boolean(type === "true");
    case "verbatim":
      return out.verbatim("This is a verbatim\nstring", "txt");
    default:
      fail(
        `ERR Wrong protocol type name. Please use one of the following: ${DEBUG_PROTOCOL_TYPES}`,
      );
  }
}

function shutdownCommand(ctx: CommandContext): void {
  let save: boolean | null = null;
  let force = false;
  for (let i = 1; i < ctx.argv.length; i++) {
    const word = lowerName(ctx.argv[i]);
    if (!["nosave", "save", "now", "force", "abort"].includes(word)) fail(ERR_SYNTAX);
    if (word === "abort") fail("ERR No shutdown in progress.");
    if (word === "nosave") save = false;
    if (word === "save") save = true;
    if (word === "force") force = true;
  }
  // A busy script stops only SHUTDOWN NOSAVE, which abandons it (Redis exits under it): what the
  // script wrote is neither saved nor propagated.
  const busy = ctx.server.busyScript;
  if (busy !== null) {
    if (save !== false) fail(busyErrorText(busy.isEval));
    busy.abandon();
  }
  // As Redis: save when asked to, or by default when save points are configured.
  if (save ?? ctx.server.savePoints.length > 0) {
    try {
      ctx.server.saver.save(ctx.nowMs);
    } catch {
      if (!force) fail("ERR Errors trying to SHUTDOWN. Check logs.");
    }
  }
  ctx.server.log.warning("User requested shutdown...");
  ctx.client.closeNow = true;
  // Shut down after this call returns: the dispatcher is still inside the client's loop.
  queueMicrotask(() => void ctx.server.shutdown?.());
}

export function serverCommands(table: CommandTable): CommandDefinition[] {
  return [
    {
      name: "info",
      arity: -1,
      flags: ["loading", "stale", "sentinel"],
      categories: ["slow", "dangerous"],
      group: "server",
      summary: "Returns information and statistics about the server.",
      handler: infoCommand,
    },
    {
      name: "config",
      arity: -2,
      group: "server",
      summary: "A container for server configuration commands.",
      since: "2.0.0",
      categories: ["slow"],
      subcommands: [
        {
          name: "get",
          arity: -3,
          flags: ["admin", "noscript", "loading", "stale"],
          categories: ["admin", "slow", "dangerous"],
          group: "server",
          summary: "Returns the effective values of configuration parameters.",
          since: "2.0.0",
          handler: configGetCommand,
        },
        {
          name: "set",
          arity: -4,
          flags: ["admin", "noscript", "loading", "stale"],
          categories: ["admin", "slow", "dangerous"],
          group: "server",
          summary: "Sets configuration parameters in-flight.",
          since: "2.0.0",
          handler: configSetCommand,
        },
        {
          name: "rewrite",
          arity: 2,
          flags: ["admin", "noscript", "loading", "stale"],
          categories: ["admin", "slow", "dangerous"],
          group: "server",
          summary: "Persists the effective configuration to file.",
          since: "2.8.0",
          handler: configRewriteCommand,
        },
        {
          name: "resetstat",
          arity: 2,
          flags: ["admin", "noscript", "loading", "stale"],
          categories: ["admin", "slow", "dangerous"],
          group: "server",
          summary: "Resets the server's statistics.",
          since: "2.0.0",
          handler: configResetstatCommand,
        },
      ],
    },
    {
      name: "command",
      arity: -1,
      flags: ["loading", "stale"],
      categories: ["slow", "connection"],
      group: "server",
      summary: "Returns detailed information about all commands.",
      since: "2.8.13",
      handler: commandCommand(table),
      subcommands: commandSubcommands(table),
    },
    {
      name: "time",
      arity: 1,
      flags: ["loading", "stale", "fast"],
      categories: ["fast"],
      group: "server",
      summary: "Returns the server time.",
      since: "2.6.0",
      handler: timeCommand,
    },
    {
      name: "debug",
      arity: -2,
      flags: ["admin", "noscript", "loading", "stale"],
      categories: ["admin", "slow", "dangerous"],
      group: "server",
      summary: "A container for debugging commands.",
      protectedBy: "enable-debug-command",
      handler: debugCommand,
    },
    {
      name: "shutdown",
      arity: -1,
      flags: ["admin", "noscript", "loading", "stale", "no_multi", "sentinel", "allow_busy"],
      categories: ["admin", "slow", "dangerous"],
      group: "server",
      summary: "Synchronously saves the database(s) to disk and shuts down the Redis server.",
      handler: shutdownCommand,
    },
  ];
}
