// Pub/Sub commands. Subscription replies are push messages in RESP3 and arrays in RESP2, one
// per channel, each carrying the client's subscription count (channels plus patterns for
// (P)SUBSCRIBE, shard channels alone for SSUBSCRIBE), exactly as Redis sends them; a RESP2 client with subscriptions is held to the commands Redis allows in that mode
// (enforced in the dispatcher, see SUBSCRIBE_CONTEXT_COMMANDS).

import { latin1 } from "../bytes.ts";
import { fromLatin1 } from "../bytes.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { writeHelp } from "./_help.ts";
import { fail } from "../errors.ts";
import { PROPAGATE_REPL } from "../state/server_state.ts";

/** Commands a RESP2 client may send while subscribed. */
export const SUBSCRIBE_CONTEXT_COMMANDS = new Set([
  "subscribe",
  "unsubscribe",
  "psubscribe",
  "punsubscribe",
  "ssubscribe",
  "sunsubscribe",
  "ping",
  "quit",
  "reset",
]);

function writeSubscriptionReply(
  ctx: CommandContext,
  kind: string,
  name: Uint8Array | null,
  count: number,
): void {
  const out = ctx.out;
  out.pushHeader(3);
  out.bulkString(kind);
  if (name === null) out.nullBulk();
  else out.bulk(name);
  out.integer(count);
}

function subscribeCommand(ctx: CommandContext): void {
  for (let i = 1; i < ctx.argv.length; i++) {
    ctx.server.pubsub.subscribe(ctx.client, ctx.argv[i]);
    writeSubscriptionReply(ctx, "subscribe", ctx.argv[i], ctx.client.channelSubscriptionCount);
  }
}

function psubscribeCommand(ctx: CommandContext): void {
  for (let i = 1; i < ctx.argv.length; i++) {
    ctx.server.pubsub.psubscribe(ctx.client, ctx.argv[i]);
    writeSubscriptionReply(ctx, "psubscribe", ctx.argv[i], ctx.client.channelSubscriptionCount);
  }
}

function unsubscribeGeneric(ctx: CommandContext, patterns: boolean): void {
  const { client, server } = ctx;
  const kind = patterns ? "punsubscribe" : "unsubscribe";
  const names = ctx.argv.length > 1
    ? ctx.argv.slice(1).map((a) => latin1(a))
    : [...(patterns ? client.patterns : client.channels)];
  if (names.length === 0) {
    writeSubscriptionReply(ctx, kind, null, client.channelSubscriptionCount);
    return;
  }
  for (const name of names) {
    if (patterns) server.pubsub.punsubscribe(client, name);
    else server.pubsub.unsubscribe(client, name);
    writeSubscriptionReply(ctx, kind, fromLatin1(name), client.channelSubscriptionCount);
  }
}

/**
 * SSUBSCRIBE shardchannel [shardchannel ...]: one `ssubscribe` reply per channel with the
 * client's shard subscription count. Inside MULTI (EXEC runs it as a DENY BLOCKING client) it
 * fails whole, as Redis 7.0's does; SUBSCRIBE keeps its older exemption there.
 */
function ssubscribeCommand(ctx: CommandContext): void {
  if (ctx.client.executingMulti) fail("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
  for (let i = 1; i < ctx.argv.length; i++) {
    ctx.server.pubsub.ssubscribe(ctx.client, ctx.argv[i]);
    writeSubscriptionReply(ctx, "ssubscribe", ctx.argv[i], ctx.client.shardChannels.size);
  }
}

/** SUNSUBSCRIBE [shardchannel ...]: as UNSUBSCRIBE, over the shard channels only. */
function sunsubscribeCommand(ctx: CommandContext): void {
  const { client, server } = ctx;
  const names = ctx.argv.length > 1
    ? ctx.argv.slice(1).map((a) => latin1(a))
    : [...client.shardChannels];
  if (names.length === 0) {
    writeSubscriptionReply(ctx, "sunsubscribe", null, 0);
    return;
  }
  for (const name of names) {
    server.pubsub.sunsubscribe(client, name);
    writeSubscriptionReply(ctx, "sunsubscribe", fromLatin1(name), client.shardChannels.size);
  }
}

/** PUBLISH channel message: the receivers' count. Replicas get it too (not the AOF), as Redis. */
function publishCommand(ctx: CommandContext): void {
  const { server } = ctx;
  ctx.out.integer(server.pubsub.publish(ctx.argv[1], ctx.argv[2]));
  if (server.propagationListeners.length > 0) {
    server.propagate(ctx.client.db, ctx.argv, PROPAGATE_REPL);
  }
}

/**
 * SPUBLISH shardchannel message: the receivers' count. A standalone Redis 7.0 propagates it to
 * replicas as PUBLISH (cluster mode would use the bus instead); so do we.
 */
function spublishCommand(ctx: CommandContext): void {
  const { server } = ctx;
  ctx.out.integer(server.pubsub.spublish(ctx.argv[1], ctx.argv[2]));
  if (server.propagationListeners.length > 0) {
    server.propagate(ctx.client.db, ctx.argv, PROPAGATE_REPL);
  }
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: the names `list` finds for the pattern. */
function writeChannelNames(
  ctx: CommandContext,
  list: (pattern: Uint8Array | null) => readonly string[],
): void {
  const names = list(ctx.argv.length > 2 ? ctx.argv[2] : null);
  ctx.out.arrayHeader(names.length);
  for (const name of names) ctx.out.bulk(fromLatin1(name));
}

/**
 * PUBSUB NUMSUB / SHARDNUMSUB channel …: a flat array of channel, count pairs in both
 * protocols, as Redis 7.0 replies.
 */
function writeSubscriberCounts(ctx: CommandContext, count: (channel: Uint8Array) => number): void {
  const channels = ctx.argv.slice(2);
  ctx.out.arrayHeader(channels.length * 2);
  for (const channel of channels) {
    ctx.out.bulk(channel);
    ctx.out.integer(count(channel));
  }
}

function pubsubShardchannelsCommand(ctx: CommandContext): void {
  writeChannelNames(ctx, (pattern) => ctx.server.pubsub.shardChannels(pattern));
}

function pubsubShardnumsubCommand(ctx: CommandContext): void {
  writeSubscriberCounts(ctx, (channel) => ctx.server.pubsub.shardSubscriberCount(channel));
}

function pubsubChannelsCommand(ctx: CommandContext): void {
  writeChannelNames(ctx, (pattern) => ctx.server.pubsub.channels(pattern));
}

function pubsubNumsubCommand(ctx: CommandContext): void {
  writeSubscriberCounts(ctx, (channel) => ctx.server.pubsub.subscriberCount(channel));
}

const PUBSUB_HELP = [
  "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CHANNELS [<pattern>]",
  "    Return the currently active channels matching a <pattern> (default: '*').",
  "NUMPAT",
  "    Return number of subscriptions to patterns.",
  "NUMSUB [<channel> ...]",
  "    Return the number of subscribers for the specified channels, excluding",
  "    pattern subscriptions(default: no channels).",
  "SHARDCHANNELS [<pattern>]",
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  "SHARDNUMSUB [<shardchannel> ...]",
  "    Return the number of subscribers for the specified shard level channel(s)",
  "HELP",
  "    Prints this help.",
];

const FLAGS = ["pubsub", "noscript", "loading", "stale"];
const CATEGORIES = ["pubsub", "slow"];

export const PUBSUB_COMMANDS: CommandDefinition[] = [
  {
    name: "subscribe",
    arity: -2,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Listens for messages published to channels.",
    since: "2.0.0",
    handler: subscribeCommand,
  },
  {
    name: "unsubscribe",
    arity: -1,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Stops listening to messages posted to channels.",
    since: "2.0.0",
    handler: (ctx) => unsubscribeGeneric(ctx, false),
  },
  {
    name: "psubscribe",
    arity: -2,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Listens for messages published to channels that match one or more patterns.",
    since: "2.0.0",
    handler: psubscribeCommand,
  },
  {
    name: "punsubscribe",
    arity: -1,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Stops listening to messages published to channels that match one or more patterns.",
    since: "2.0.0",
    handler: (ctx) => unsubscribeGeneric(ctx, true),
  },
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may-replicate"],
    categories: ["pubsub", "fast"],
    group: "pubsub",
    summary: "Posts a message to a channel.",
    since: "2.0.0",
    handler: publishCommand,
  },
  {
    name: "ssubscribe",
    arity: -2,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Listens for messages published to shard channels.",
    since: "7.0.0",
    handler: ssubscribeCommand,
  },
  {
    name: "sunsubscribe",
    arity: -1,
    flags: FLAGS,
    categories: CATEGORIES,
    group: "pubsub",
    summary: "Stops listening to messages posted to shard channels.",
    since: "7.0.0",
    handler: sunsubscribeCommand,
  },
  {
    name: "spublish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast", "may-replicate"],
    categories: ["pubsub", "fast"],
    group: "pubsub",
    summary: "Posts a message to a shard channel.",
    since: "7.0.0",
    handler: spublishCommand,
  },
  {
    name: "pubsub",
    arity: -2,
    group: "pubsub",
    summary: "A container for Pub/Sub commands.",
    since: "2.8.0",
    categories: ["slow"],
    subcommands: [
      {
        name: "channels",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        categories: CATEGORIES,
        group: "pubsub",
        summary: "Returns the active channels.",
        since: "2.8.0",
        handler: pubsubChannelsCommand,
      },
      {
        name: "numsub",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        categories: CATEGORIES,
        group: "pubsub",
        summary: "Returns a count of subscribers to channels.",
        since: "2.8.0",
        handler: pubsubNumsubCommand,
      },
      {
        name: "numpat",
        arity: 2,
        flags: ["pubsub", "loading", "stale"],
        categories: CATEGORIES,
        group: "pubsub",
        summary: "Returns a count of unique pattern subscriptions.",
        since: "2.8.0",
        handler: (ctx) => ctx.out.integer(ctx.server.pubsub.patternCount),
      },
      {
        name: "shardchannels",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        categories: CATEGORIES,
        group: "pubsub",
        summary: "Returns the active shard channels.",
        since: "7.0.0",
        handler: pubsubShardchannelsCommand,
      },
      {
        name: "shardnumsub",
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        categories: CATEGORIES,
        group: "pubsub",
        summary: "Returns the count of subscribers of shard channels.",
        since: "7.0.0",
        handler: pubsubShardnumsubCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["slow"],
        group: "pubsub",
        summary: "Returns helpful text about the different subcommands.",
        since: "6.2.0",
        handler: (ctx) => writeHelp(ctx.out, PUBSUB_HELP),
      },
    ],
  },
];
