// Wiring: from a finished Config to a running server. Registers the hooks that push CONFIG SET
// changes into live objects (every client's RESP limits, the logger), binds the listeners and
// prints Redis's start-up lines, so the CLI and the embedded startServer() behave the same.

import { buildCommandTable } from "../commands/registry.ts";
import type { Config } from "../config/table.ts";
import { Engine } from "../engine/mod.ts";
import { listSetFill } from "../engine/list.ts";
import type { LogLevel } from "../log.ts";
import { Logger } from "../log.ts";
import type { FsyncPolicy } from "../persistence/aof.ts";
import { RESPLICA_VERSION } from "../version.ts";
import { NetworkServer } from "./server.ts";
import { loadRdbFileSync } from "../persistence/rdb_file.ts";
import { replayAofSync } from "../persistence/aof_load.ts";
import { type LoadCounts, loadEntries } from "../persistence/keyspace_records.ts";
import type { RdbReader } from "../rdb/mod.ts";
import type { CommandTable } from "../commands/context.ts";
import { executeCommand } from "../commands/dispatch.ts";
import { ReplyWriter, RespReader } from "../resp/mod.ts";
import { ClientState } from "../sessions/client.ts";
import { ServerState } from "../state/server_state.ts";
import { readAclFile } from "../sessions/acl_file.ts";
import { type AclRegistry, AclRuleError, hasSpaces } from "../sessions/acl.ts";
import { ReplicationReplica } from "./master_link.ts";
import { attachCommandRoute, type CommandRoute, detachCommandRoute } from "../store.ts";
import { LuaEngine } from "../scripting/lua/mod.ts";

const encoder = new TextEncoder();

/** Pushes live-changeable directives into the running server when CONFIG SET changes them. */
function registerConfigHooks(state: ServerState): void {
  const { config, log } = state;
  config.onChange("loglevel", (value) => log.level = value as LogLevel);
  config.onChange("logfile", (value) => log.setFile(value as string));
  config.onChange("appendonly", (value) => state.setAof(value as boolean, false));
  config.onChange("appendfsync", (value) => {
    if (state.aof) state.aof.policy = value as FsyncPolicy;
  });
  config.onChange("requirepass", (value) => state.acl.setDefaultPassword(value as string));
  config.onChange("acl-pubsub-default", (value) => {
    state.acl.newUsersGetAllChannels = value === "allchannels";
  });
  config.onChange("acllog-max-len", (value) => {
    state.acl.logLenMax = value as number;
    if (state.acl.log.length > state.acl.logLenMax) state.acl.log.length = state.acl.logLenMax;
  });
  config.onChange("proto-max-bulk-len", (value) => {
    for (const c of state.clients.values()) c.reader.limits.bulkLenMaxBytes = value as number;
  });
  config.onChange("proto-max-multibulk-len", (value) => {
    for (const c of state.clients.values()) c.reader.limits.multibulkLenMax = value as number;
  });
  config.onChange("client-query-buffer-limit", (value) => {
    for (const c of state.clients.values()) c.reader.limits.queryBufferMaxBytes = value as number;
  });
  config.onChange("list-max-listpack-size", (value) => listSetFill(state.engine, value as number));
  listSetFill(state.engine, config.getNumber("list-max-listpack-size"));
}

/**
 * Loads the dataset as redis-server does at start: the AOF when `appendonly` is on and the file
 * exists, else dir/dbfilename. A malformed file stops start-up (the error names the offset):
 * serving half a dataset is never an option.
 */
function loadOnStart(state: ServerState, table: CommandTable): Record<string, string> {
  const startedMs = Date.now();
  const aofWanted = state.config.getBool("appendonly");
  if (aofWanted && exists(state.aofPath())) {
    const preambleCounts = { keyCount: 0, expiredSkipped: 0, libraryCodes: [] as Uint8Array[] };
    state.functions.flush(state.lua);
    const result = replayAofSync(
      state.aofPath(),
      aofCommandRunner(state, table),
      state.config.getBool("aof-load-truncated"),
      (reader) => loadPreamble(state, reader, startedMs, preambleCounts),
    );
    if (preambleCounts.keyCount + preambleCounts.expiredSkipped > 0) {
      state.log.notice(
        `Reading RDB preamble from AOF file: ${preambleCounts.keyCount} keys loaded, ` +
          `${preambleCounts.expiredSkipped} expired skipped`,
      );
    }
    if (result.truncatedToBytes !== null) {
      state.log.warning(
        `!!! Warning: short read while loading the AOF file ${state.aofPath()}!!! ` +
          `AOF loaded anyway because aof-load-truncated is enabled; trimmed to ` +
          `${result.truncatedToBytes} bytes`,
      );
    }
    state.log.notice(
      `DB loaded from append only file: ${((Date.now() - startedMs) / 1000).toFixed(3)} seconds ` +
        `(${result.commandCount} commands)`,
    );
    state.dirty = 0;
    state.setAof(true, true);
    return {};
  }
  let aux: Record<string, string> = {};
  if (exists(state.rdbPath())) {
    const result = loadRdbFileSync(state.engine, state.rdbPath(), startedMs);
    const libraryError = state.functions.replaceAll(result.libraryCodes, state.lua);
    if (libraryError !== null) throw new Error(`Failed loading library, ${libraryError}`);
    state.log.notice(
      `DB loaded from disk: ${((Date.now() - startedMs) / 1000).toFixed(3)} seconds ` +
        `(${result.keyCount} keys, ${result.expiredSkipped} expired skipped)`,
    );
    aux = result.aux;
  }
  if (aofWanted) state.setAof(true, false);
  return aux;
}

/**
 * An AOF's RDB preamble, as its bytes arrive: keys into the engine, function libraries into the
 * registry (they precede the databases, so they are in before any command after the preamble).
 */
function loadPreamble(
  state: ServerState,
  reader: RdbReader,
  nowMs: number,
  counts: LoadCounts & { libraryCodes: Uint8Array[] },
): void {
  loadEntries(state.engine, reader, nowMs, true, counts);
  const libraryError = state.functions.adopt(counts.libraryCodes.splice(0), state.lua);
  if (libraryError !== null) throw new Error(`Failed loading library, ${libraryError}`);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * DEBUG LOADAOF (Redis's loadAppendOnlyFiles after emptyData): the AOF's pending writes go to
 * disk, the keyspace is emptied, and the file is replayed. The replay is not fed back to the
 * AOF or to replicas (Redis loads with propagation off), and leaves nothing dirty.
 */
function reloadAof(state: ServerState, table: CommandTable): void {
  const startedMs = Date.now();
  state.beforeReply();
  state.engine.flushAll();
  const listeners = state.propagationListeners.splice(0);
  try {
    state.functions.flush(state.lua);
    replayAofSync(
      state.aofPath(),
      aofCommandRunner(state, table),
      state.config.getBool("aof-load-truncated"),
      (reader) =>
        loadPreamble(state, reader, startedMs, {
          keyCount: 0,
          expiredSkipped: 0,
          libraryCodes: [],
        }),
    );
  } finally {
    state.propagationListeners.push(...listeners);
  }
  state.dirty = 0;
  state.log.warning("Append Only File loaded by DEBUG LOADAOF");
}

/** Runs AOF commands through the dispatcher as a private, authenticated client. */
function aofCommandRunner(state: ServerState, table: CommandTable) {
  const writer = new ReplyWriter();
  const client = new ClientState(0, "aof", "aof", new RespReader(), writer, true, Date.now());
  return (argv: Uint8Array[]): string | null => {
    const spec = table.resolve(argv);
    if (typeof spec === "string") return spec.replace(/^ERR /, "");
    void executeCommand(table, state, client, argv);
    writer.reset();
    return null;
  };
}

/**
 * How an embedded Store writes while this server serves its engine: each write runs as a
 * command of a private client, so the snapshot hook, replication and the AOF all see it.
 */
function storeCommandRoute(state: ServerState, table: CommandTable): CommandRoute {
  const writer = new ReplyWriter();
  const client = new ClientState(0, "store", "store", new RespReader(), writer, true, Date.now());
  return (db, argv) => {
    client.db = db;
    // The Store names commands by their original names; rename-command may have moved them.
    const original = typeof argv[0] === "string" ? argv[0] : new TextDecoder().decode(argv[0]);
    const name = table.currentName(original);
    if (name === null) {
      return encoder.encode(`-ERR '${original}' is disabled by rename-command\r\n`);
    }
    const command = name === original.toLowerCase() ? argv[0] : name;
    const args = [command, ...argv.slice(1)].map((arg) =>
      typeof arg === "string" ? encoder.encode(arg) : arg
    );
    void executeCommand(table, state, client, args);
    state.beforeReply(); // the AOF gets it before the write returns, as a client's reply would
    const reply = writer.view().slice();
    writer.reset();
    return reply;
  };
}

/** The replication history an RDB recorded (aux repl-id, repl-offset, repl-stream-db). */
interface SavedHistory {
  replId: string;
  offset: number;
  streamDb: number;
}

/**
 * The history in a loaded RDB's aux fields, or null when it recorded none or a malformed one
 * (Redis's loadDataFromDisk wants all three, and a stream db other than -1).
 */
function savedHistory(aux: Record<string, string>): SavedHistory | null {
  const replId = aux["repl-id"] ?? "";
  const offset = Number(aux["repl-offset"]);
  const streamDb = Number(aux["repl-stream-db"]);
  if (!/^[0-9a-f]{40}$/.test(replId)) return null;
  if (!Number.isSafeInteger(offset) || offset < 0) return null;
  if (!Number.isInteger(streamDb) || streamDb < 0) return null;
  return { replId, offset, streamDb };
}

/**
 * Start-up's replication role, with the history the loaded RDB recorded (none from an AOF: as
 * in Redis 7.0, its preamble's fields are not trusted, the commands after it moved on):
 * - config `replicaof "<host> <port>"`: a replica that offers the history to its master as
 *   the cached master (`PSYNC <replid> <offset + 1>`), resuming partially if the master's
 *   backlog still has it;
 * - otherwise a master that keeps serving the history (as replid2, with a backlog created now),
 *   so its replicas reconnecting after the restart continue with a partial resync.
 */
function startReplication(state: ServerState, aux: Record<string, string>): void {
  const history = savedHistory(aux);
  const text = state.config.getString("replicaof").trim();
  const words = text.split(/\s+/);
  const port = Number(words[1]);
  const valid = words.length === 2 && Number.isInteger(port) && port >= 0 && port <= 65535;
  if (text !== "" && !valid) {
    state.log.warning(`Ignoring replicaof '${text}': expected "<host> <port>"`);
  }
  if (text === "" || !valid) {
    if (history !== null) state.replication.restoreHistory(history.replId, history.offset);
    return;
  }
  if (history !== null) {
    state.replicaLink!.restoreHistory(history.replId, history.offset, history.streamDb);
    state.log.notice(
      `Restored the replication history ${history.replId}:${history.offset} from the RDB file`,
    );
  }
  void state.replicaLink!.replicaOf(words[0], port, false);
}

/**
 * Users as redis-server starts with them: the default user sized to the command table, its
 * password from `requirepass`, then the aclfile if one is set (it wins, as in Redis). An
 * aclfile that does not load stops start-up: serving with the wrong users is never an option.
 */
function setUpAcl(state: ServerState, table: CommandTable): void {
  const { acl, config } = state;
  acl.attachCommandTable(table);
  acl.logLenMax = config.getNumber("acllog-max-len");
  acl.newUsersGetAllChannels = config.getString("acl-pubsub-default") === "allchannels";
  const requirepass = config.getString("requirepass");
  if (requirepass !== "") acl.setDefaultPassword(requirepass);
  const path = config.getString("aclfile");
  if (path !== "" && config.configuredUsers.length > 0) {
    throw new Error(
      "Configuring Redis with users defined in redis.conf and at the same setting an ACL file " +
        "path is invalid. This setup is very likely to lead to configuration errors and security " +
        "holes, please define either an ACL file or declare users directly in your redis.conf, " +
        "but not both.",
    );
  }
  for (const [name, ...rules] of config.configuredUsers) createConfiguredUser(acl, name, rules);
  if (path === "") return;
  const loaded = readAclFile(acl, path);
  if (loaded.errors !== "") {
    throw new Error(`Aborting Redis startup because of ACL errors: ${loaded.errors}`);
  }
  acl.replaceUsers(loaded.users);
}

/** A `user` line of redis.conf: a new user, or the default user reset, then its rules. */
function createConfiguredUser(acl: AclRegistry, name: string, rules: string[]): void {
  if (hasSpaces(name)) throw new Error("Spaces not allowed in ACL usernames");
  const user = name === "default" ? acl.defaultUser : acl.newUser(name);
  if (user === acl.defaultUser) acl.applyRule(user, "reset");
  for (const rule of rules) {
    try {
      acl.applyRule(user, rule);
    } catch (error) {
      if (!(error instanceof AclRuleError)) throw error;
      throw new Error(
        `Error loading ACL rule '${rule}' for the user named '${name}': ${error.message}`,
      );
    }
  }
  user.refresh();
  acl.users.set(name, user);
}

/**
 * Gives the server its Lua state (EVAL, FCALL). Creating one is async but settles within
 * microtasks (the WebAssembly module is compiled synchronously), so it is in place before the
 * first client's bytes can be read; until then scripting commands answer an error. The state
 * is closed with the server.
 */
function attachLua(state: ServerState, closed: Promise<void>): void {
  let serverClosed = false;
  void closed.then(() => {
    serverClosed = true;
    state.lua?.close();
    state.lua = null;
  });
  LuaEngine.create().then((lua) => {
    if (serverClosed) lua.close();
    else state.lua = lua;
  }, (error) => {
    state.log.warning(`Scripting is unavailable: the Lua engine failed to start: ${error}`);
  });
}

/** Starts a server on `config`, optionally over an existing engine (an embedded store). */
export function startNetworkServer(config: Config, engine?: Engine): NetworkServer {
  const log = new Logger(config.getString("loglevel") as LogLevel, config.getString("logfile"));
  const state = new ServerState(engine ?? Engine.create(), config, log);
  registerConfigHooks(state);
  const table = buildCommandTable();
  setUpAcl(state, table);
  for (const [from, to] of config.commandRenames) {
    try {
      table.rename(from, to);
    } catch (error) {
      throw new Error(`rename-command ${from} "${to}": ${(error as Error).message}`);
    }
  }
  const aux = loadOnStart(state, table);
  state.aofReloader = () => reloadAof(state, table);
  const server = new NetworkServer(state, table);
  attachLua(state, server.closed);
  const hostnames = config.getString("bind").split(/\s+/).filter((h) => h !== "").map((h) =>
    h.startsWith("-") ? h.slice(1) : h
  );
  log.notice("oO0OoO0OoO0Oo resplica is starting oO0OoO0OoO0Oo");
  log.notice(`resplica version=${RESPLICA_VERSION}, redis compatibility=7.0, pid=${Deno.pid}`);
  server.listen(hostnames.length > 0 ? hostnames : ["127.0.0.1"], config.getNumber("port"));
  const pidfile = config.getString("pidfile");
  if (pidfile !== "") Deno.writeTextFileSync(pidfile, `${Deno.pid}\n`);
  log.notice(`Running mode=standalone, port=${server.port}.`);
  log.notice("Server initialized");
  log.notice("Ready to accept connections tcp");
  state.replicaLink = new ReplicationReplica(state, table);
  startReplication(state, aux);
  const route = storeCommandRoute(state, table);
  attachCommandRoute(state.engine, route);
  void server.closed.then(() => detachCommandRoute(state.engine, route));
  return server;
}
