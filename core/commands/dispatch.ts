// The command dispatcher: from one parsed argv to one reply, applying the checks Redis applies
// before a handler runs, in Redis's order: lookup (unknown command), arity, authentication, ACL
// permissions (server/acl.ts), MULTI queuing. Handlers can then assume a well-formed call.
// Engine errors (wrong type, out of memory) surface here as error replies, so no handler needs
// its own try/catch.

import { latin1, lowerName } from "../bytes.ts";
import { OutOfMemoryError, WrongTypeError } from "../engine/mod.ts";
import {
  CommandError,
  ERR_LOADING,
  ERR_MASTERDOWN,
  ERR_NOAUTH,
  ERR_NOREPLICAS,
  ERR_OOM,
  ERR_READONLY,
  ERR_WRONGTYPE,
  wrongArity,
} from "../errors.ts";
import { AclDenial, type AclLogContext, type AclUser } from "../server/acl.ts";
import { ClientState } from "../server/client.ts";
import { ReplyWriter, RespReader } from "../resp/mod.ts";
import type { ServerState } from "../server/state.ts";
import { SUBSCRIBE_CONTEXT_COMMANDS } from "./pubsub.ts";
import { type CommandContext, type CommandSpec, WriteKeysKind } from "./spec.ts";

/** Commands that run immediately even inside MULTI. */
const MULTI_CONTROL_COMMANDS = new Set(["exec", "discard", "multi", "watch", "quit", "reset"]);
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

export class CommandTable {
  readonly commands = new Map<string, CommandSpec>();
  /** Commands by foldedNameHash; collisions fall back to the string map. */
  readonly #byHash = new Map<number, CommandSpec>();
  /** Every command and subcommand, indexed by aclId: a container first, then its subcommands. */
  readonly byAclId: CommandSpec[] = [];

  /**
   * Commands by their original names, untouched by rename-command: ACL rules name commands
   * this way, as Redis's orig_commands, so an aclfile means the same whatever is renamed.
   */
  readonly originalCommands = new Map<string, CommandSpec>();

  add(spec: CommandSpec): void {
    this.commands.set(spec.name, spec);
    this.originalCommands.set(spec.name, spec);
    spec.aclId = this.byAclId.push(spec) - 1;
    for (const sub of spec.subcommands?.values() ?? []) sub.aclId = this.byAclId.push(sub) - 1;
    const hash = foldedNameHash(new TextEncoder().encode(spec.name));
    if (!this.#byHash.has(hash)) this.#byHash.set(hash, spec);
  }

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

  #lookup(nameBytes: Uint8Array): CommandSpec | undefined {
    if (nameBytes.length > COMMAND_NAME_LEN_MAX) return undefined;
    const spec = this.#byHash.get(foldedNameHash(nameBytes));
    if (spec && sameFoldedName(nameBytes, spec.name)) return spec;
    return this.commands.get(lowerName(nameBytes));
  }

  /** Resolves argv to a command or subcommand; an error text when it names neither. */
  resolve(argv: Uint8Array[]): CommandSpec | string {
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

function arityOk(spec: CommandSpec, argc: number): boolean {
  return spec.arity > 0 ? argc === spec.arity : argc >= -spec.arity;
}

/**
 * Executes one command for `client`, writing its reply into client.writer. Returns a promise
 * only for commands that wait (DEBUG SLEEP, SHUTDOWN); the hot path stays synchronous.
 */
export function executeCommand(
  table: CommandTable,
  server: ServerState,
  client: ClientState,
  argv: Uint8Array[],
): void | Promise<void> {
  const out = client.writer;
  const nowMs = Date.now();
  client.lastInteractionMs = nowMs;
  server.stats.commandsProcessed++;
  const resolved = table.resolve(argv);
  if (typeof resolved === "string") {
    flagMultiError(client);
    return replyError(server, client, resolved);
  }
  const spec = resolved;
  client.lastCommand = spec.fullName;
  if (!arityOk(spec, argv.length)) {
    return rejectCommand(server, client, spec, wrongArity(spec.fullName).message);
  }
  // As Redis's authRequired: a client that never authenticated is let through once the
  // default user needs no password (CONFIG SET requirepass "" after it connected).
  if (!client.authenticated && !spec.noAuth && !server.acl.defaultUserNeedsNoAuth()) {
    return rejectCommand(server, client, spec, ERR_NOAUTH);
  }
  // ACL: one boolean for a user allowed everything (the default user); internal clients
  // (the master link, AOF replay, an embedded store) have no user and are never checked.
  const user = client.user;
  if (user !== null && !user.unrestricted) {
    const denial = server.acl.checkCommand(user, spec, argv);
    if (denial !== AclDenial.None) {
      const context = client.inMulti ? "multi" : "toplevel";
      logDenial(server, client, user, denial, context, spec, argv, nowMs);
      return rejectCommand(server, client, spec, denialText(denial, spec));
    }
  }
  if (
    client.protocol === 2 && client.subscriptionCount > 0 &&
    !SUBSCRIBE_CONTEXT_COMMANDS.has(spec.fullName)
  ) {
    return rejectCommand(
      server,
      client,
      spec,
      `ERR Can't execute '${spec.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`,
    );
  }
  if (server.isReplica && !client.isMaster) {
    const refusal = replicaRefusal(server, spec);
    if (refusal !== null) return rejectCommand(server, client, spec, refusal);
  }
  // FAILOVER pauses client writes (and EXEC) until the switch is done; they run afterwards,
  // as whatever this server has become. argv stays valid: the connection reads nothing more
  // while a command is pending.
  const paused = server.failover.writesPaused;
  if (paused !== null && (spec.isWrite || spec.fullName === "exec") && !client.isMaster) {
    server.stats.commandsProcessed--;
    return paused.then(() => executeCommand(table, server, client, argv));
  }
  // Before queueing, as Redis: a write refused inside MULTI makes EXEC abort.
  if (spec.isWrite && server.minReplicasToWrite > 0 && !client.isMaster) {
    if (!server.replication.enoughGoodReplicas(nowMs)) {
      return rejectCommand(server, client, spec, ERR_NOREPLICAS);
    }
  }
  if (client.inMulti && !MULTI_CONTROL_COMMANDS.has(spec.fullName)) {
    client.queued.push({ argv: argv.map((a) => a.slice()) });
    out.simple("QUEUED");
    return;
  }
  if (server.maxmemoryBytes > 0 && !client.isMaster && !server.loading) {
    if (!evictForCommand(table, server, nowMs) && spec.denyOom) {
      return rejectCommand(server, client, spec, ERR_OOM);
    }
  }
  return runHandler(server, client, spec, argv, nowMs);
}

/** Records an ACL denial in ACL LOG, naming the command, key or channel as Redis does. */
export function logDenial(
  server: ServerState,
  client: ClientState,
  user: AclUser,
  denial: AclDenial,
  context: AclLogContext,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void {
  const object = denial === AclDenial.Command
    ? spec.fullName
    : latin1(argv[server.acl.deniedArgIndex]);
  server.acl.addLogEntry(client, denial, context, object, user.name, nowMs);
}

/** The -NOPERM reply for a command refused before it was queued or run (Redis's processCommand). */
function denialText(denial: AclDenial, spec: CommandSpec): string {
  if (denial === AclDenial.Command) {
    return `NOPERM this user has no permissions to run the '${spec.fullName}' command`;
  }
  if (denial === AclDenial.Key) {
    return "NOPERM this user has no permissions to access one of the keys used as arguments";
  }
  return "NOPERM this user has no permissions to access one of the channels used as arguments";
}

/**
 * Why a replica refuses a client's command before it runs, in Redis's order: -LOADING while
 * the master's snapshot loads, -MASTERDOWN while the link is down and
 * replica-serve-stale-data is no, -READONLY for writes under replica-read-only; else null.
 */
function replicaRefusal(server: ServerState, spec: CommandSpec): string | null {
  if (server.loading && !spec.flags.includes("loading")) return ERR_LOADING;
  if (
    !(server.replicaLink?.linkUp ?? false) && !server.config.getBool("replica-serve-stale-data") &&
    !spec.flags.includes("stale")
  ) return ERR_MASTERDOWN;
  if (spec.isWrite && server.config.getBool("replica-read-only")) return ERR_READONLY;
  return null;
}

/** Runs a resolved command's handler, turning thrown errors into replies. */
export function runHandler(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  argv: Uint8Array[],
  nowMs: number,
): void | Promise<void> {
  const ctx: CommandContext = {
    server,
    client,
    argv,
    out: client.writer,
    spec,
    nowMs,
    propagateAs: null,
  };
  const dirtyBefore = server.dirty;
  const db = client.db;
  // A running BGSAVE side-saves the keys this write may change before it changes them.
  if (spec.writeKeys.kind !== WriteKeysKind.None && server.saver.snapshotRunning) {
    server.saver.beforeCommand(db, spec, argv);
  }
  try {
    const result = spec.handler!(ctx);
    if (result instanceof Promise) {
      return result.then(
        () => afterCommand(server, ctx, db, dirtyBefore, spec.isWrite),
        (error) => {
          handleError(server, client, error);
          afterCommand(server, ctx, db, dirtyBefore, spec.isWrite);
        },
      );
    }
  } catch (error) {
    handleError(server, client, error);
  }
  afterCommand(server, ctx, db, dirtyBefore, spec.isWrite);
}

/** Bookkeeping after every command: expired keys, propagation, waking blocked clients. */
function afterCommand(
  server: ServerState,
  ctx: CommandContext,
  db: number,
  dirtyBefore: number,
  isWrite: boolean,
): void {
  // Expired keys go out as DELs first (absorbExpired), then the command's own effect: the
  // argv of a write command that changed something, or what it asked to propagate instead.
  const dirtyAfterCommand = server.dirty;
  server.absorbExpired();
  if (server.propagationListeners.length > 0 && dirtyAfterCommand !== dirtyBefore) {
    if (ctx.propagateAs !== null) {
      for (const argv of ctx.propagateAs) server.propagate(db, argv);
    } else if (isWrite) server.propagate(db, ctx.argv);
    ctx.client.replWriteOffset = server.replication.masterReplOffset;
  }
  // Inside EXEC, blocked clients wait for the whole transaction: EXEC's own end serves them.
  if (server.blocking.hasReady && !ctx.client.executingMulti) server.blocking.serveReady();
}

function handleError(server: ServerState, client: ClientState, error: unknown): void {
  if (error instanceof CommandError || error instanceof OutOfMemoryError) {
    replyError(server, client, error.message);
  } else if (error instanceof WrongTypeError) {
    replyError(server, client, ERR_WRONGTYPE);
  } else {
    const text = error instanceof Error ? error.stack ?? error.message : String(error);
    server.log.warning(`Internal error executing command: ${text}`);
    replyError(
      server,
      client,
      `ERR internal error: ${error instanceof Error ? error.message : error}`,
    );
  }
}

function replyError(server: ServerState, client: ClientState, text: string): void {
  server.stats.errorReplies++;
  client.writer.error(text);
}

/** The private client evictions run their DELs as, one per server. */
const evictionClients = new WeakMap<ServerState, ClientState>();

/**
 * Past maxmemory, evicts under the policy (core/server/eviction.ts) before the command runs,
 * each key deleted by a DEL run as a command (snapshot hook, WATCH, replicas, AOF). A replica
 * leaves that to its master (replica-ignore-maxmemory). False when memory is still over.
 */
function evictForCommand(table: CommandTable, server: ServerState, nowMs: number): boolean {
  if (server.isReplica && server.config.getBool("replica-ignore-maxmemory")) {
    return server.engine.usedMemoryBytes() <= server.maxmemoryBytes;
  }
  return server.evictor.evictUntilUnder(server.maxmemoryBytes, nowMs, (db, key) => {
    let client = evictionClients.get(server);
    if (client === undefined) {
      client = new ClientState(
        0,
        "eviction",
        "eviction",
        new RespReader(),
        new ReplyWriter(),
        true,
        nowMs,
      );
      evictionClients.set(server, client);
    }
    client.db = db;
    // By its original name: an eviction is not a client's DEL, rename-command does not apply.
    const spec = table.originalCommands.get("del")!;
    void runHandler(server, client, spec, [DEL_NAME, key], nowMs);
    client.writer.reset();
  });
}

const DEL_NAME = new TextEncoder().encode("DEL");

/**
 * Refuses a command before it runs. Inside MULTI the transaction is flagged; a refused EXEC
 * (even outside MULTI) answers EXECABORT with the reason and drops any transaction, as Redis 7.
 */
function rejectCommand(
  server: ServerState,
  client: ClientState,
  spec: CommandSpec,
  text: string,
): void {
  if (spec.fullName === "exec") {
    client.inMulti = false;
    client.queued = [];
    client.multiError = false;
    server.unwatchAll(client);
    const reason = text.startsWith("ERR ") ? text.slice(4) : text;
    return replyError(server, client, `EXECABORT Transaction discarded because of: ${reason}`);
  }
  flagMultiError(client);
  replyError(server, client, text);
}

function flagMultiError(client: ClientState): void {
  if (client.inMulti) client.multiError = true;
}
