// The ACL command: SETUSER, GETUSER, DELUSER, USERS, LIST, WHOAMI, CAT, LOG, GENPASS, DRYRUN,
// LOAD, SAVE, HELP, with Redis 7.0's reply shapes and error texts. The users and the checks
// themselves live in sessions/acl.ts; this file only parses arguments and writes replies, and
// disconnects clients whose user went away (DELUSER, LOAD), as Redis does.

import { fromLatin1, latin1, lowerName } from "../bytes.ts";
import { ERR_NOT_INTEGER, fail } from "../errors.ts";
import {
  ACL_CATEGORIES,
  ACL_REASON_NAMES,
  AclDenial,
  AclRuleError,
  type AclUser,
  channelAllowed,
  channelsNarrowed,
  hasSpaces,
} from "../sessions/acl.ts";
import { readAclFile, saveAclFile } from "../sessions/acl_file.ts";
import type { ClientState } from "../sessions/client.ts";
import { intArg } from "./_args.ts";
import type { CommandSpec } from "../command_meta/spec.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { writeHelp } from "./_help.ts";

/** GENPASS's default and largest sizes. */
const GENPASS_BITS_DEFAULT = 256;
const GENPASS_BITS_MAX = 4096;
/** How many ACL LOG entries a bare ACL LOG shows. */
const LOG_COUNT_DEFAULT = 10;
/** How much of an unknown category ACL CAT echoes. */
const CATEGORY_ECHO_MAX_CHARS = 128;

const ERR_NO_ACLFILE =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

const ACL_HELP = [
  "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
  "HELP",
  "    Prints this help.",
];

/**
 * ACL SETUSER username [rule …]: creates or changes a user. All rules are staged on a copy and
 * applied together, so a bad rule changes nothing. Replies +OK, or
 * "ERR Error in ACL SETUSER modifier '<rule>': <why>".
 */
function setuserCommand(ctx: CommandContext): void {
  const { server, argv } = ctx;
  const acl = server.acl;
  const name = latin1(argv[2]);
  if (hasSpaces(name)) fail("ERR Usernames can't contain spaces or null characters");
  const existing = acl.users.get(name);
  const staged = existing ? existing.clone() : acl.newUser(name);
  for (let i = 3; i < argv.length; i++) {
    const rule = latin1(argv[i]);
    try {
      acl.applyRule(staged, rule);
    } catch (error) {
      if (!(error instanceof AclRuleError)) throw error;
      fail(`ERR Error in ACL SETUSER modifier '${rule}': ${error.message}`);
    }
  }
  staged.refresh();
  if (existing && channelsNarrowed(existing, staged)) {
    disconnectRevokedSubscribers(ctx, existing, staged);
  }
  if (existing) existing.copyRulesFrom(staged);
  else acl.users.set(name, staged);
  ctx.out.simple("OK");
}

/**
 * Disconnects clients of `user` subscribed to a channel or pattern `revised` no longer allows,
 * as Redis 7.0 does when ACL SETUSER narrows a user's channels.
 */
function disconnectRevokedSubscribers(
  ctx: CommandContext,
  user: AclUser,
  revised: AclUser,
): void {
  for (const client of [...ctx.server.clients.values()]) {
    if (client.user !== user || client.subscriptionCount === 0) continue;
    const revoked = [...client.patterns].some((p) =>
      !channelAllowed(revised, fromLatin1(p), true)
    ) ||
      [...client.channels, ...client.shardChannels].some((c) =>
        !channelAllowed(revised, fromLatin1(c), false)
      );
    if (revoked) closeClient(client, ctx.client);
  }
}

/** ACL GETUSER username: a map of flags, passwords, commands, keys, channels, selectors. */
function getuserCommand(ctx: CommandContext): void {
  const { server, out } = ctx;
  const user = server.acl.users.get(latin1(ctx.argv[2]));
  if (user === undefined) return out.nullBulk();
  out.mapHeader(6);
  out.bulkString("flags");
  const flags = user.flagNames();
  out.setHeader(flags.length);
  for (const flag of flags) out.bulkString(flag);
  out.bulkString("passwords");
  out.arrayHeader(user.passwordHashes.length);
  for (const hash of user.passwordHashes) out.bulkString(hash);
  out.bulkString("commands");
  out.bulkString(server.acl.describeCommandRules(user));
  out.bulkString("keys");
  out.bulkString(user.keysDescription());
  out.bulkString("channels");
  out.bulkString(user.channelsDescription());
  out.bulkString("selectors");
  out.arrayHeader(0);
}

/** ACL DELUSER username [username …]: how many existed; their clients are disconnected. */
function deluserCommand(ctx: CommandContext): void {
  const { server, argv } = ctx;
  const names = argv.slice(2).map(latin1);
  if (names.includes("default")) fail("ERR The 'default' user cannot be removed");
  let deleted = 0;
  for (const name of names) {
    const user = server.acl.users.get(name);
    if (user === undefined) continue;
    server.acl.users.delete(name);
    disconnectClientsOf(ctx, user);
    deleted++;
  }
  ctx.out.integer(deleted);
}

/**
 * Disconnects every client authenticated as `user`, after the reply for the caller itself.
 * Each is first moved back to the default user, unauthenticated, so nothing more runs as
 * a user that no longer exists.
 */
function disconnectClientsOf(ctx: CommandContext, user: AclUser): void {
  const { server } = ctx;
  for (const client of [...server.clients.values()]) {
    if (client.user !== user) continue;
    client.user = server.acl.defaultUser;
    client.authenticated = false;
    closeClient(client, ctx.client);
  }
}

function closeClient(target: ClientState, caller: ClientState): void {
  if (target === caller) {
    target.closeAfterReply = true;
    return;
  }
  target.closeNow = true;
  target.close();
}

/** ACL USERS: the usernames, sorted. */
function usersCommand(ctx: CommandContext): void {
  const users = ctx.server.acl.sortedUsers();
  ctx.out.arrayHeader(users.length);
  for (const user of users) ctx.out.bulkString(user.name);
}

/** ACL LIST: each user as its aclfile line. */
function listCommand(ctx: CommandContext): void {
  const acl = ctx.server.acl;
  const users = acl.sortedUsers();
  ctx.out.arrayHeader(users.length);
  for (const user of users) ctx.out.bulkString(`user ${user.name} ${acl.describeUser(user)}`);
}

/** ACL WHOAMI: the connection's username (nil for an internal client). */
function whoamiCommand(ctx: CommandContext): void {
  const user = ctx.client.user;
  if (user === null) ctx.out.nullBulk();
  else ctx.out.bulkString(user.name);
}

/** ACL CAT [category]: the categories, or the commands in one. */
function catCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  if (argv.length === 2) {
    out.arrayHeader(ACL_CATEGORIES.length);
    for (const category of ACL_CATEGORIES) out.bulkString(category);
    return;
  }
  const category = latin1(argv[2]);
  if (!ACL_CATEGORIES.includes(category.toLowerCase())) {
    fail(`ERR Unknown category '${category.slice(0, CATEGORY_ECHO_MAX_CHARS)}'`);
  }
  const names = ctx.server.acl.commandsInCategory(category.toLowerCase());
  out.arrayHeader(names.length);
  for (const name of names) out.bulkString(name);
}

/** ACL GENPASS [bits]: random hex, 4 bits per character, rounded up. */
function genpassCommand(ctx: CommandContext): void {
  const bits = ctx.argv.length === 3 ? intArg(ctx.argv[2]) : GENPASS_BITS_DEFAULT;
  if (bits <= 0 || bits > GENPASS_BITS_MAX) {
    fail(
      "ERR ACL GENPASS argument must be the number of bits for the output password, a positive " +
        `number up to ${GENPASS_BITS_MAX}`,
    );
  }
  const chars = Math.floor((bits + 3) / 4);
  const random = crypto.getRandomValues(new Uint8Array(Math.ceil(chars / 2)));
  let hex = "";
  for (const byte of random) hex += byte.toString(16).padStart(2, "0");
  ctx.out.bulkString(hex.slice(0, chars));
}

/** ACL LOG [count | RESET]: the newest entries first (10 by default), or +OK after clearing. */
function logCommand(ctx: CommandContext): void {
  const { argv, out, server } = ctx;
  const log = server.acl.log;
  let count = LOG_COUNT_DEFAULT;
  if (argv.length === 3) {
    if (lowerName(argv[2]) === "reset") {
      log.length = 0;
      return out.simple("OK");
    }
    count = Math.max(0, intArg(argv[2], ERR_NOT_INTEGER));
  }
  count = Math.min(count, log.length);
  out.arrayHeader(count);
  for (let i = 0; i < count; i++) {
    const entry = log[i];
    out.mapHeader(7);
    out.bulkString("count");
    out.integer(entry.count);
    out.bulkString("reason");
    out.bulkString(ACL_REASON_NAMES[entry.reason]);
    out.bulkString("context");
    out.bulkString(entry.context);
    out.bulkString("object");
    out.bulkString(entry.object);
    out.bulkString("username");
    out.bulkString(entry.username);
    out.bulkString("age-seconds");
    out.double((ctx.nowMs - entry.timeMs) / 1000);
    out.bulkString("client-info");
    out.bulkString(entry.clientInfo);
  }
}

/**
 * ACL DRYRUN username command [arg …]: +OK if the user could run it, else a bulk string
 * saying why (the command, or the key or channel refused). Nothing runs.
 */
function dryrunCommand(ctx: CommandContext): void {
  const { server, argv } = ctx;
  const user = server.acl.users.get(latin1(argv[2]));
  if (user === undefined) fail(`ERR User '${latin1(argv[2])}' not found`);
  const commandArgv = argv.slice(3);
  const spec = lookupForDryrun(ctx, commandArgv);
  if (spec === null) fail(`ERR Command '${latin1(argv[3])}' not found`);
  const argc = commandArgv.length;
  if ((spec.arity > 0 && spec.arity !== argc) || argc < -spec.arity) {
    fail(`ERR wrong number of arguments for '${spec.fullName}' command`);
  }
  const denial = server.acl.checkCommand(user, spec, commandArgv);
  if (denial === AclDenial.None) return ctx.out.simple("OK");
  const object = latin1(commandArgv[server.acl.deniedArgIndex]);
  ctx.out.bulkString(
    denial === AclDenial.Command
      ? `This user has no permissions to run the '${spec.fullName}' command`
      : denial === AclDenial.Key
      ? `This user has no permissions to access the '${object}' key`
      : `This user has no permissions to access the '${object}' channel`,
  );
}

/** As Redis's lookupCommand: the subcommand when argv names one, null for an unknown one. */
function lookupForDryrun(ctx: CommandContext, argv: Uint8Array[]): CommandSpec | null {
  const spec = ctx.server.acl.lookupCommand(latin1(argv[0]));
  if (spec === null || spec.parent !== null) return null;
  if (argv.length === 1 || !spec.subcommands) return spec;
  return spec.subcommands.get(lowerName(argv[1])) ?? null;
}

/** ACL LOAD: replaces every user with the aclfile's, or changes nothing and says why. */
function loadCommand(ctx: CommandContext): void {
  const { server } = ctx;
  const path = server.config.getString("aclfile");
  if (path === "") fail(ERR_NO_ACLFILE);
  const loaded = readAclFile(server.acl, path);
  if (loaded.errors !== "") fail(`ERR ${loaded.errors}`);
  for (const user of server.acl.replaceUsers(loaded.users)) disconnectClientsOf(ctx, user);
  ctx.out.simple("OK");
}

/** ACL SAVE: writes every user to the aclfile. */
function saveCommand(ctx: CommandContext): void {
  const { server } = ctx;
  const path = server.config.getString("aclfile");
  if (path === "") fail(ERR_NO_ACLFILE);
  try {
    saveAclFile(server.acl, path);
  } catch (error) {
    server.log.warning(`Writing ACL file for ACL SAVE: ${(error as Error).message}`);
    fail(
      "ERR There was an error trying to save the ACLs. Please check the server logs for more " +
        "information",
    );
  }
  ctx.out.simple("OK");
}

const FLAGS = ["noscript", "loading", "stale", "sentinel"];
const ADMIN_FLAGS = ["admin", ...FLAGS];
const ADMIN_CATEGORIES = ["admin", "slow", "dangerous"];

function aclSubcommand(
  name: string,
  arity: number,
  admin: boolean,
  summary: string,
  handler: (ctx: CommandContext) => void,
): CommandDefinition {
  return {
    name,
    arity,
    flags: admin ? ADMIN_FLAGS : FLAGS,
    categories: admin ? ADMIN_CATEGORIES : ["slow"],
    group: "server",
    summary,
    since: "6.0.0",
    handler,
  };
}

export const ACL_COMMANDS: CommandDefinition[] = [
  {
    name: "acl",
    arity: -2,
    flags: ["sentinel"],
    categories: ["slow"],
    group: "server",
    summary: "A container for Access List Control commands.",
    since: "6.0.0",
    subcommands: [
      aclSubcommand(
        "cat",
        -2,
        false,
        "Lists the ACL categories, or the commands inside a category.",
        catCommand,
      ),
      aclSubcommand(
        "deluser",
        -3,
        true,
        "Deletes ACL users, and terminates their connections.",
        deluserCommand,
      ),
      aclSubcommand(
        "dryrun",
        -4,
        true,
        "Simulates the execution of a command by a user, without executing the command.",
        dryrunCommand,
      ),
      aclSubcommand(
        "genpass",
        -2,
        false,
        "Generates a pseudorandom, secure password that can be used to identify ACL users.",
        genpassCommand,
      ),
      aclSubcommand("getuser", 3, true, "Lists the ACL rules of a user.", getuserCommand),
      aclSubcommand("list", 2, true, "Dumps the effective rules in ACL file format.", listCommand),
      aclSubcommand(
        "load",
        2,
        true,
        "Reloads the rules from the configured ACL file.",
        loadCommand,
      ),
      aclSubcommand(
        "log",
        -2,
        true,
        "Lists recent security events generated due to ACL rules.",
        logCommand,
      ),
      aclSubcommand(
        "save",
        2,
        true,
        "Saves the effective ACL rules in the configured ACL file.",
        saveCommand,
      ),
      aclSubcommand(
        "setuser",
        -3,
        true,
        "Creates and modifies an ACL user and its rules.",
        setuserCommand,
      ),
      aclSubcommand("users", 2, true, "Lists all ACL users.", usersCommand),
      aclSubcommand(
        "whoami",
        2,
        false,
        "Returns the authenticated username of the current connection.",
        whoamiCommand,
      ),
      {
        ...aclSubcommand(
          "help",
          2,
          false,
          "Returns helpful text about the different subcommands.",
          (ctx) => writeHelp(ctx.out, ACL_HELP),
        ),
        flags: ["loading", "stale", "sentinel"],
      },
    ],
  },
];
