// CLIENT TRACKING, CLIENT CACHING, CLIENT GETREDIR, CLIENT TRACKINGINFO: the commands of
// client-side caching. The table they feed and the invalidations it sends live in
// core/sessions/tracking.ts; the dispatcher tells it which keys a read-only command read.

import { isCWord, isWord } from "../bytes.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import { TrackingFlag } from "../sessions/client.ts";
import type { TrackingOptions } from "../sessions/tracking.ts";
import { intArg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** The option words CLIENT TRACKING takes without a value, and the flag each sets. */
const TRACKING_WORDS: readonly [string, TrackingFlag][] = [
  ["bcast", TrackingFlag.Bcast],
  ["optin", TrackingFlag.Optin],
  ["optout", TrackingFlag.Optout],
  ["noloop", TrackingFlag.Noloop],
];

/** CLIENT TRACKING's options after ON|OFF, checked as Redis parses them (syntax first). */
function parseTrackingOptions(ctx: CommandContext): TrackingOptions {
  const { argv, server } = ctx;
  const options: TrackingOptions = { redirectId: 0, flags: 0, prefixes: [] };
  for (let i = 3; i < argv.length; i++) {
    const more = argv.length - 1 - i;
    const word = argv[i];
    if (isWord(word, "redirect") && more > 0) {
      i++;
      if (options.redirectId !== 0) fail("ERR A client can only redirect to a single other client");
      const id = intArg(argv[i]);
      if (!server.clients.has(id)) fail("ERR The client ID you want redirect to does not exist");
      options.redirectId = id;
      continue;
    }
    if (isWord(word, "prefix") && more > 0) {
      options.prefixes.push(argv[++i]);
      continue;
    }
    const flag = TRACKING_WORDS.find(([name]) => isWord(word, name));
    if (flag === undefined) fail(ERR_SYNTAX);
    options.flags |= flag[1];
  }
  return options;
}

/**
 * CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX prefix …] [BCAST] [OPTIN] [OPTOUT] [NOLOOP].
 * +OK, or Redis's errors: a syntax error, a second REDIRECT or an unknown id, PREFIX without
 * BCAST, a switch of BCAST or OPTIN/OPTOUT while on, OPTIN with OPTOUT or BCAST, overlapping
 * prefixes. ON while on keeps the BCAST prefixes and adds the new ones.
 */
function clientTrackingCommand(ctx: CommandContext): void {
  const { argv, client, server } = ctx;
  const options = parseTrackingOptions(ctx);
  if (isCWord(argv[2], "off")) {
    server.tracking.disable(client);
    ctx.out.simple("OK");
    return;
  }
  if (!isCWord(argv[2], "on")) fail(ERR_SYNTAX);
  const wanted = options.flags;
  const current = client.trackingFlags;
  const bcast = (wanted & TrackingFlag.Bcast) !== 0;
  if (!bcast && options.prefixes.length > 0) {
    fail("ERR PREFIX option requires BCAST mode to be enabled");
  }
  if ((current & TrackingFlag.On) !== 0 && ((current & TrackingFlag.Bcast) !== 0) !== bcast) {
    fail(
      "ERR You can't switch BCAST mode on/off before disabling tracking for this client, " +
        "and then re-enabling it with a different mode.",
    );
  }
  if (bcast && (wanted & (TrackingFlag.Optin | TrackingFlag.Optout)) !== 0) {
    fail("ERR OPTIN and OPTOUT are not compatible with BCAST");
  }
  if ((wanted & TrackingFlag.Optin) !== 0 && (wanted & TrackingFlag.Optout) !== 0) {
    fail("ERR You can't specify both OPTIN mode and OPTOUT mode");
  }
  if (
    ((wanted & TrackingFlag.Optin) !== 0 && (current & TrackingFlag.Optout) !== 0) ||
    ((wanted & TrackingFlag.Optout) !== 0 && (current & TrackingFlag.Optin) !== 0)
  ) {
    fail(
      "ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, " +
        "and then re-enabling it with a different mode.",
    );
  }
  if (bcast) {
    const collision = server.tracking.prefixCollision(client, options.prefixes);
    if (collision !== null) fail(collision);
  }
  server.tracking.enable(client, options);
  ctx.out.simple("OK");
}

/**
 * CLIENT CACHING YES|NO: whether the next command (or transaction) is tracked, against the
 * OPTIN (YES) or OPTOUT (NO) default. +OK, or an error outside that mode.
 */
function clientCachingCommand(ctx: CommandContext): void {
  const { argv, client } = ctx;
  const flags = client.trackingFlags;
  if ((flags & TrackingFlag.On) === 0) {
    fail(
      "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN " +
        "or OPTOUT mode enabled",
    );
  }
  if (isCWord(argv[2], "yes")) {
    if ((flags & TrackingFlag.Optin) === 0) {
      fail("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
    }
  } else if (isCWord(argv[2], "no")) {
    if ((flags & TrackingFlag.Optout) === 0) {
      fail("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
    }
  } else fail(ERR_SYNTAX);
  client.trackingFlags |= TrackingFlag.Caching;
  ctx.out.simple("OK");
}

/** CLIENT GETREDIR: the redirect id (0: none) while tracking, else -1. */
function clientGetredirCommand(ctx: CommandContext): void {
  const { client } = ctx;
  ctx.out.integer((client.trackingFlags & TrackingFlag.On) !== 0 ? client.trackingRedirectId : -1);
}

/** CLIENT TRACKINGINFO: a map of flags (a set), redirect and prefixes, as Redis 6.2+. */
function clientTrackinginfoCommand(ctx: CommandContext): void {
  const { client, out } = ctx;
  const flags = client.trackingFlags;
  const on = (flags & TrackingFlag.On) !== 0;
  const caching = (flags & TrackingFlag.Caching) !== 0;
  const names = [on ? "on" : "off"];
  if ((flags & TrackingFlag.Bcast) !== 0) names.push("bcast");
  if ((flags & TrackingFlag.Optin) !== 0) {
    names.push("optin");
    if (caching) names.push("caching-yes");
  }
  if ((flags & TrackingFlag.Optout) !== 0) {
    names.push("optout");
    if (caching) names.push("caching-no");
  }
  if ((flags & TrackingFlag.Noloop) !== 0) names.push("noloop");
  if ((flags & TrackingFlag.BrokenRedir) !== 0) names.push("broken_redirect");
  out.mapHeader(3);
  out.bulkString("flags");
  out.setHeader(names.length);
  for (const name of names) out.bulkString(name);
  out.bulkString("redirect");
  out.integer(on ? client.trackingRedirectId : -1);
  out.bulkString("prefixes");
  // In byte order, as Redis's radix tree lists them.
  const prefixes = [...client.trackingPrefixes ?? []].sort();
  out.arrayHeader(prefixes.length);
  for (const prefix of prefixes) out.bulk(latinBytes(prefix));
}

function latinBytes(name: string): Uint8Array {
  const bytes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
  return bytes;
}

const FLAGS = ["noscript", "loading", "stale"];
const CATEGORIES = ["slow", "connection"];

/** CLIENT's client-side caching subcommands (core/commands/connection.ts lists them). */
export const CLIENT_TRACKING_SUBCOMMANDS: CommandDefinition[] = [
  {
    name: "tracking",
    arity: -3,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "connection",
    summary: "Enable or disable server assisted client side caching support",
    since: "6.0.0",
    complexity: "O(1). Some options may introduce additional complexity.",
    handler: clientTrackingCommand,
  },
  {
    name: "caching",
    arity: 3,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "connection",
    summary: "Instruct the server about tracking or not keys in the next request",
    since: "6.0.0",
    handler: clientCachingCommand,
  },
  {
    name: "getredir",
    arity: 2,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "connection",
    summary: "Get tracking notifications redirection client ID if any",
    since: "6.0.0",
    handler: clientGetredirCommand,
  },
  {
    name: "trackinginfo",
    arity: 2,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "connection",
    summary:
      "Return information about server assisted client side caching for the current connection",
    since: "6.2.0",
    handler: clientTrackinginfoCommand,
  },
];
