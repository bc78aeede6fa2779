// Connection commands: the ones that change who the client is (AUTH, HELLO, CLIENT SETNAME),
// how it talks (HELLO's protocol switch) or where it points (SELECT, RESET). Credentials are
// checked by the ACL registry (sessions/acl.ts), which compares password digests in constant time.

import { isCWord, isWord, latin1 } from "../bytes.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { AclDenial } from "../sessions/acl.ts";
import type { ClientState } from "../sessions/client.ts";
import { dbIndexArg, intArg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { REDIS_COMPAT_VERSION } from "../version.ts";
import { subcommandSyntaxError } from "./_streams.ts";
import { clientPauseCommand, clientUnpauseCommand } from "./client_pause.ts";
import { MONITOR_COMMANDS, stopMonitoring } from "./monitor.ts";
import { writeHelp } from "./_help.ts";
import { CLIENT_TRACKING_SUBCOMMANDS } from "./tracking.ts";

const ERR_WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

/**
 * Authenticates `client` as `username` (null: the default user) with `password`. On failure
 * the attempt goes to ACL LOG (reason auth, object the command as typed) and WRONGPASS is
 * thrown; on success the client runs as that user from its next command on.
 */
function authenticate(
  ctx: CommandContext,
  username: Uint8Array | null,
  password: Uint8Array,
): void {
  const { server, client } = ctx;
  const name = username === null ? "default" : latin1(username);
  const user = server.acl.checkCredentials(name, password);
  if (user === null) {
    const context = client.inMulti || client.executingMulti ? "multi" : "toplevel";
    server.acl.addLogEntry(client, AclDenial.Auth, context, latin1(ctx.argv[0]), name, ctx.nowMs);
    server.log.verbose(`AUTH failed for client id=${client.id} addr=${client.addr}`);
    fail(ERR_WRONGPASS);
  }
  client.user = user;
  client.authenticated = true;
}

/** AUTH [username] password */
function authCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  if (argv.length > 3) fail(ERR_SYNTAX);
  if (argv.length === 2 && ctx.server.acl.defaultUser.nopass) {
    fail(
      "ERR AUTH <password> called without any password configured for the default user. " +
        "Are you sure your configuration is correct?",
    );
  }
  const user = argv.length === 3 ? argv[1] : null;
  authenticate(ctx, user, argv[argv.length - 1]);
  ctx.out.simple("OK");
}

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
function helloCommand(ctx: CommandContext): void {
  const { argv, client } = ctx;
  let protocol = client.protocol;
  if (argv.length >= 2) {
    const requested = Number(
      intArg(argv[1], "ERR Protocol version is not an integer or out of range"),
    );
    if (requested < 2 || requested > 3) fail("NOPROTO unsupported protocol version");
    protocol = requested as 2 | 3;
  }
  let name: string | null = null;
  for (let i = 2; i < argv.length; i++) {
    const more = argv.length - i - 1;
    if (isWord(argv[i], "auth") && more >= 2) {
      authenticate(ctx, argv[i + 1], argv[i + 2]);
      i += 2;
    } else if (isWord(argv[i], "setname") && more >= 1) {
      name = validClientName(argv[i + 1]);
      i += 1;
    } else {
      fail(`ERR Syntax error in HELLO option '${latin1(argv[i])}'`);
    }
  }
  if (!client.authenticated) {
    fail(
      "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time",
    );
  }
  if (name !== null) client.name = name;
  client.writer.protocol = protocol;
  const out = ctx.out;
  out.mapHeader(7);
  out.bulkString("server");
  out.bulkString("redis");
  out.bulkString("version");
  out.bulkString(REDIS_COMPAT_VERSION);
  out.bulkString("proto");
  out.integer(protocol);
  out.bulkString("id");
  out.integer(client.id);
  out.bulkString("mode");
  out.bulkString("standalone");
  out.bulkString("role");
  out.bulkString(ctx.server.isReplica ? "replica" : "master");
  out.bulkString("modules");
  out.arrayHeader(0);
}

function validClientName(arg: Uint8Array): string {
  for (const c of arg) {
    if (c < 33 || c > 126) {
      fail("ERR Client names cannot contain spaces, newlines or special characters.");
    }
  }
  return latin1(arg);
}

function pingCommand(ctx: CommandContext): void {
  if (ctx.argv.length > 2) fail("ERR wrong number of arguments for 'ping' command");
  if (ctx.client.protocol === 2 && ctx.client.subscriptionCount > 0) {
    // Subscribed RESP2 clients get PING as a message-shaped array, as Redis sends it.
    ctx.out.arrayHeader(2);
    ctx.out.bulkString("pong");
    ctx.out.bulk(ctx.argv.length === 2 ? ctx.argv[1] : new Uint8Array(0));
    return;
  }
  if (ctx.argv.length === 2) ctx.out.bulk(ctx.argv[1]);
  else ctx.out.simple("PONG");
}

function selectCommand(ctx: CommandContext): void {
  ctx.client.db = dbIndexArg(ctx.argv[1]);
  ctx.out.simple("OK");
}

function quitCommand(ctx: CommandContext): void {
  ctx.out.simple("OK");
  ctx.client.closeAfterReply = true;
}

function resetCommand(ctx: CommandContext): void {
  const { client, server } = ctx;
  client.inMulti = false;
  client.queued = [];
  client.multiError = false;
  server.unwatchAll(client);
  server.pubsub.removeClient(client);
  server.tracking.disable(client);
  stopMonitoring(server, client);
  client.repliesOff = false;
  client.skipNextReply = false;
  client.db = 0;
  client.name = "";
  client.writer.protocol = 2;
  client.user = server.acl.defaultUser;
  client.authenticated = server.acl.defaultUserNeedsNoAuth();
  ctx.out.simple("RESET");
}

// --- CLIENT ---

/**
 * CLIENT REPLY ON|OFF|SKIP. ON answers +OK; OFF and SKIP answer nothing (the dispatcher drops
 * the replies of the commands they silence, core/commands/dispatch.ts).
 */
function clientReplyCommand(ctx: CommandContext): void {
  const mode = ctx.argv[2];
  const client = ctx.client;
  if (isCWord(mode, "on")) {
    client.repliesOff = false;
    client.skipNextReply = false;
    ctx.out.simple("OK");
  } else if (isCWord(mode, "off")) {
    client.repliesOff = true;
  } else if (isCWord(mode, "skip")) {
    if (!client.repliesOff) client.skipNextReply = true;
  } else {
    fail(ERR_SYNTAX);
  }
}

function clientKillCommand(ctx: CommandContext): void {
  const { argv, server, client } = ctx;
  if (argv.length === 3) {
    // Old form: CLIENT KILL addr:port
    const addr = latin1(argv[2]);
    const target = [...server.clients.values()].find((c) => c.addr === addr);
    if (!target) fail("ERR No such client");
    killClient(target, client);
    return ctx.out.simple("OK");
  }
  if ((argv.length - 2) % 2 !== 0) fail(ERR_SYNTAX);
  let id: number | null = null;
  let addr: string | null = null;
  let laddr: string | null = null;
  let skipMe = true;
  let type: string | null = null;
  let user: string | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const value = argv[i + 1];
    if (isWord(argv[i], "id")) {
      id = intArg(value, "ERR client-id should be greater than 0");
      if (id <= 0) fail("ERR client-id should be greater than 0");
    } else if (isWord(argv[i], "addr")) addr = latin1(value);
    else if (isWord(argv[i], "laddr")) laddr = latin1(value);
    else if (isWord(argv[i], "type")) {
      type = latin1(value).toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        fail(`ERR Unknown client type '${latin1(value)}'`);
      }
    } else if (isWord(argv[i], "user")) {
      user = latin1(value);
      if (!server.acl.users.has(user)) fail(`ERR No such user '${user}'`);
    } else if (isWord(argv[i], "skipme")) {
      if (isWord(value, "yes")) skipMe = true;
      else if (isWord(value, "no")) skipMe = false;
      else fail(ERR_SYNTAX);
    } else fail(ERR_SYNTAX);
  }
  let killed = 0;
  for (const target of [...server.clients.values()]) {
    if (id !== null && target.id !== id) continue;
    if (addr !== null && target.addr !== addr) continue;
    if (laddr !== null && target.laddr !== laddr) continue;
    if (type !== null && !clientTypeMatches(target, type)) continue;
    if (user !== null && target.user?.name !== user) continue;
    if (skipMe && target === client) continue;
    killClient(target, client);
    killed++;
  }
  // The link to our master is a private client, not in server.clients: TYPE master (with no
  // id/addr/laddr filter, which it could not match) cuts it; the link reconnects on its own.
  const masterOnly = type === "master" && id === null && addr === null && laddr === null &&
    user === null;
  if (masterOnly && server.replicaLink?.dropLink()) killed++;
  ctx.out.integer(killed);
}

/** True when `client` is of `type` (normal|master|replica|slave|pubsub, lowercased). */
function clientTypeMatches(client: ClientState, type: string): boolean {
  return client.clientType === (type === "slave" ? "replica" : type);
}

function killClient(target: ClientState, caller: ClientState): void {
  if (target === caller) {
    target.closeAfterReply = true;
    return;
  }
  target.closeNow = true;
  target.close();
}

/** CLIENT NO-EVICT ON|OFF: marks the client exempt from client eviction (flag e). */
function clientNoEvictCommand(ctx: CommandContext): void {
  const mode = ctx.argv[2];
  if (isCWord(mode, "on")) ctx.client.noEvict = true;
  else if (isCWord(mode, "off")) ctx.client.noEvict = false;
  else fail(ERR_SYNTAX);
  ctx.out.simple("OK");
}

/** CLIENT HELP's lines: the subcommands resplica serves, in Redis's layout. */
const CLIENT_HELP = [
  "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "GETNAME",
  "    Return the name of the current connection.",
  "ID",
  "    Return the ID of the current connection.",
  "INFO",
  "    Return information about the current client connection.",
  "KILL <ip:port>",
  "    Kill connection made from <ip:port>.",
  "KILL <option> <value> [<option> <value> [...]]",
  "    Kill connections. Options are:",
  "    * ADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made from the specified address",
  "    * LADDR (<ip:port>|<unixsocket>:0)",
  "      Kill connections made to specified local address",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Kill connections by type.",
  "    * USER <username>",
  "      Kill connections authenticated by <username>.",
  "    * SKIPME (YES|NO)",
  "      Skip killing current connection (default: yes).",
  "LIST [options ...]",
  "    Return information about client connections. Options:",
  "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
  "      Return clients of specified type.",
  "UNPAUSE",
  "    Stop the current client pause, resuming traffic.",
  "PAUSE <timeout> [WRITE|ALL]",
  "    Suspend all, or just write, clients for <timeout> milliseconds.",
  "REPLY (ON|OFF|SKIP)",
  "    Control the replies sent to the current connection.",
  "SETNAME <name>",
  "    Assign the name <name> to the current connection.",
  "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
  "         [OPTIN] [OPTOUT] [NOLOOP]",
  "    Control server assisted client side caching.",
  "TRACKINGINFO",
  "    Report tracking status for the current connection.",
  "CACHING (YES|NO)",
  "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
  "GETREDIR",
  "    Return the client ID we are redirecting to when tracking is enabled.",
  "UNBLOCK <clientid> [TIMEOUT|ERROR]",
  "    Unblock the specified blocked client.",
  "NO-EVICT (ON|OFF)",
  "    Protect current client connection from eviction.",
  "HELP",
  "    Print this help.",
];

/** The error a client unblocked by CLIENT UNBLOCK … ERROR gets. */
const UNBLOCKED_ERROR = "UNBLOCKED client unblocked via CLIENT UNBLOCK";

/**
 * CLIENT UNBLOCK client-id [TIMEOUT|ERROR]: ends a blocked command (BLPOP, XREAD BLOCK, WAIT …)
 * of another client now, with its timeout reply (the default) or -UNBLOCKED. Replies :1 when
 * that client was blocked, :0 otherwise (no such client, or not blocked).
 */
function clientUnblockCommand(ctx: CommandContext): void {
  const { argv, server } = ctx;
  if (argv.length > 4) throw subcommandSyntaxError(ctx);
  let withError = false;
  if (argv.length === 4) {
    if (isWord(argv[3], "error")) withError = true;
    else if (!isWord(argv[3], "timeout")) {
      fail("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
    }
  }
  const id = intArg(argv[2]);
  const target = [...server.clients.values()].find((c) => c.id === id);
  let unblocked = false;
  if (target !== undefined) {
    unblocked = server.blocking.unblock(target, withError ? UNBLOCKED_ERROR : null);
    if (unblocked && withError) server.stats.countErrorReply(UNBLOCKED_ERROR);
  }
  ctx.out.integer(unblocked ? 1 : 0);
}

function clientListCommand(ctx: CommandContext): void {
  const { argv, server } = ctx;
  let ids: Set<number> | null = null;
  if (argv.length > 2) {
    if (isWord(argv[2], "type") && argv.length === 4) {
      const type = latin1(argv[3]).toLowerCase();
      if (!["normal", "master", "replica", "slave", "pubsub"].includes(type)) {
        fail(`ERR Unknown client type '${latin1(argv[3])}'`);
      }
      ids = new Set();
      for (const c of server.clients.values()) {
        if (clientTypeMatches(c, type)) ids.add(c.id);
      }
    } else if (isWord(argv[2], "id") && argv.length >= 4) {
      ids = new Set();
      for (let i = 3; i < argv.length; i++) {
        const id = intArg(argv[i], "ERR Invalid client ID");
        if (id <= 0) fail("ERR Invalid client ID");
        ids.add(id);
      }
    } else fail(ERR_SYNTAX);
  }
  let text = "";
  for (const c of server.clients.values()) {
    if (ids !== null && !ids.has(c.id)) continue;
    text += c.describe(ctx.nowMs) + "\n";
  }
  ctx.out.verbatim(text);
}

export const CONNECTION_COMMANDS: CommandDefinition[] = [
  ...MONITOR_COMMANDS,
  {
    name: "ping",
    arity: -1,
    flags: ["fast", "sentinel"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Returns the server's liveliness response.",
    handler: pingCommand,
  },
  {
    name: "echo",
    arity: 2,
    flags: ["fast"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Returns the given string.",
    handler: (ctx) => ctx.out.bulk(ctx.argv[1]),
  },
  {
    name: "hello",
    arity: -1,
    flags: ["noscript", "loading", "stale", "fast", "no-auth", "sentinel", "allow_busy"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Handshakes with the Redis server.",
    since: "6.0.0",
    handler: helloCommand,
  },
  {
    name: "auth",
    arity: -2,
    flags: ["noscript", "loading", "stale", "fast", "no-auth", "sentinel", "allow_busy"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Authenticates the connection.",
    handler: authCommand,
  },
  {
    name: "select",
    arity: 2,
    flags: ["loading", "stale", "fast"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Changes the selected database.",
    handler: selectCommand,
  },
  {
    name: "quit",
    arity: -1,
    flags: ["allow_busy", "noscript", "loading", "stale", "fast", "no-auth"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Closes the connection.",
    handler: quitCommand,
  },
  {
    name: "reset",
    arity: 1,
    flags: ["noscript", "loading", "stale", "fast", "no-auth", "allow_busy"],
    categories: ["fast", "connection"],
    group: "connection",
    summary: "Resets the connection.",
    since: "6.2.0",
    handler: resetCommand,
  },
  {
    name: "client",
    arity: -2,
    group: "connection",
    summary: "A container for client connection commands.",
    since: "2.4.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "id",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Returns the unique client ID of the connection.",
        since: "5.0.0",
        handler: (ctx) => ctx.out.integer(ctx.client.id),
      },
      {
        name: "setname",
        arity: 3,
        flags: ["noscript", "loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Sets the connection name.",
        since: "2.6.9",
        handler: (ctx) => {
          ctx.client.name = validClientName(ctx.argv[2]);
          ctx.out.simple("OK");
        },
      },
      {
        name: "reply",
        arity: 3,
        flags: ["noscript", "loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Instructs the server whether to reply to commands.",
        since: "3.2.0",
        handler: clientReplyCommand,
      },
      {
        name: "getname",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Returns the name of the connection.",
        since: "2.6.9",
        handler: (ctx) =>
          ctx.client.name === "" ? ctx.out.nullBulk() : ctx.out.bulkString(ctx.client.name),
      },
      {
        name: "list",
        arity: -2,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Lists open connections.",
        since: "2.4.0",
        handler: clientListCommand,
      },
      {
        name: "info",
        arity: 2,
        flags: ["noscript", "loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Returns information about the connection.",
        since: "6.2.0",
        handler: (ctx) => ctx.out.verbatim(ctx.client.describe(ctx.nowMs) + "\n"),
      },
      {
        name: "kill",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Terminates open connections.",
        since: "2.4.0",
        handler: clientKillCommand,
      },
      {
        name: "no-evict",
        arity: 3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Sets the client eviction mode of the connection.",
        since: "7.0.0",
        handler: clientNoEvictCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow", "connection"],
        group: "connection",
        summary: "Returns helpful text about the different subcommands.",
        since: "5.0.0",
        handler: (ctx) => writeHelp(ctx.out, CLIENT_HELP),
      },
      {
        name: "pause",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Suspends commands processing.",
        since: "3.0.0",
        handler: clientPauseCommand,
      },
      {
        name: "unpause",
        arity: 2,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Resumes processing commands from paused clients.",
        since: "6.2.0",
        handler: clientUnpauseCommand,
      },
      {
        name: "unblock",
        arity: -3,
        flags: ["admin", "noscript", "loading", "stale"],
        categories: ["admin", "slow", "dangerous", "connection"],
        group: "connection",
        summary: "Unblocks a client blocked by a blocking command from a different connection.",
        since: "5.0.0",
        handler: clientUnblockCommand,
      },
      ...CLIENT_TRACKING_SUBCOMMANDS,
    ],
  },
];
