// Pub/Sub: who listens to which channel, pattern or shard channel, and delivery of published
// messages into the subscribers' reply buffers. Delivery is synchronous inside PUBLISH (so the returned
// receiver count is exact and ordering per publisher holds); each subscriber's connection is
// then flushed on its own, so a slow subscriber never stalls the publisher.
// Channel names are kept as latin1 strings: one char per byte, so binary names round-trip.
// Shard channels (SSUBSCRIBE / SPUBLISH, Redis 7.0) are a second, separate namespace: a
// standalone server has one shard holding every slot, so they behave as plain channels that
// patterns never match and that SUBSCRIBE's channels never see.

import { globMatch, latin1 } from "../bytes.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import type { ClientState } from "./client.ts";

const MESSAGE = new TextEncoder().encode("message");
const PMESSAGE = new TextEncoder().encode("pmessage");
const SMESSAGE = new TextEncoder().encode("smessage");

interface PatternEntry {
  pattern: Uint8Array;
  clients: Set<ClientState>;
}

export class PubSubRegistry {
  readonly #channels = new Map<string, Set<ClientState>>();
  readonly #patterns = new Map<string, PatternEntry>();
  readonly #shardChannels = new Map<string, Set<ClientState>>();

  get channelCount(): number {
    return this.#channels.size;
  }
  get shardChannelCount(): number {
    return this.#shardChannels.size;
  }
  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Adds client to channel; false if it was already subscribed. */
  subscribe(client: ClientState, channel: Uint8Array): boolean {
    return addMember(this.#channels, client.channels, client, channel);
  }

  unsubscribe(client: ClientState, name: string): boolean {
    return removeMember(this.#channels, client.channels, client, name);
  }

  /** SSUBSCRIBE: adds client to a shard channel; false if it was already subscribed. */
  ssubscribe(client: ClientState, channel: Uint8Array): boolean {
    return addMember(this.#shardChannels, client.shardChannels, client, channel);
  }

  sunsubscribe(client: ClientState, name: string): boolean {
    return removeMember(this.#shardChannels, client.shardChannels, client, name);
  }

  psubscribe(client: ClientState, pattern: Uint8Array): boolean {
    const name = latin1(pattern);
    if (client.patterns.has(name)) return false;
    client.patterns.add(name);
    let entry = this.#patterns.get(name);
    if (!entry) this.#patterns.set(name, entry = { pattern: pattern.slice(), clients: new Set() });
    entry.clients.add(client);
    return true;
  }

  punsubscribe(client: ClientState, name: string): boolean {
    if (!client.patterns.delete(name)) return false;
    const entry = this.#patterns.get(name);
    entry?.clients.delete(client);
    if (entry?.clients.size === 0) this.#patterns.delete(name);
    return true;
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  removeClient(client: ClientState): void {
    for (const name of [...client.channels]) this.unsubscribe(client, name);
    for (const name of [...client.patterns]) this.punsubscribe(client, name);
    for (const name of [...client.shardChannels]) this.sunsubscribe(client, name);
  }

  /** Delivers to channel and pattern subscribers; returns how many received it. */
  publish(channel: Uint8Array, message: Uint8Array): number {
    let receivers = 0;
    const set = this.#channels.get(latin1(channel));
    if (set) {
      for (const client of set) {
        writeMessage(client.writer, MESSAGE, channel, message);
        client.flushSoon();
        receivers++;
      }
    }
    for (const entry of this.#patterns.values()) {
      if (!globMatch(entry.pattern, channel)) continue;
      for (const client of entry.clients) {
        const out = client.writer;
        out.pushHeader(4);
        out.bulk(PMESSAGE);
        out.bulk(entry.pattern);
        out.bulk(channel);
        out.bulk(message);
        client.flushSoon();
        receivers++;
      }
    }
    return receivers;
  }

  /** SPUBLISH: delivers to the shard channel's subscribers only (patterns never match). */
  spublish(channel: Uint8Array, message: Uint8Array): number {
    const set = this.#shardChannels.get(latin1(channel));
    if (!set) return 0;
    for (const client of set) {
      writeMessage(client.writer, SMESSAGE, channel, message);
      client.flushSoon();
    }
    return set.size;
  }

  /** Channel names with at least one subscriber, optionally matching a pattern. */
  channels(pattern: Uint8Array | null): string[] {
    return matchingNames(this.#channels, pattern);
  }

  /** PUBSUB SHARDCHANNELS: shard channel names with a subscriber, optionally matching. */
  shardChannels(pattern: Uint8Array | null): string[] {
    return matchingNames(this.#shardChannels, pattern);
  }

  subscriberCount(channel: Uint8Array): number {
    return this.#channels.get(latin1(channel))?.size ?? 0;
  }

  shardSubscriberCount(channel: Uint8Array): number {
    return this.#shardChannels.get(latin1(channel))?.size ?? 0;
  }
}

/** Adds client under `channel` in `byName` and in its own `names`; false if already there. */
function addMember(
  byName: Map<string, Set<ClientState>>,
  names: Set<string>,
  client: ClientState,
  channel: Uint8Array,
): boolean {
  const name = latin1(channel);
  if (names.has(name)) return false;
  names.add(name);
  let set = byName.get(name);
  if (!set) byName.set(name, set = new Set());
  set.add(client);
  return true;
}

/** Undoes addMember; an emptied channel is dropped so PUBSUB listings stay exact. */
function removeMember(
  byName: Map<string, Set<ClientState>>,
  names: Set<string>,
  client: ClientState,
  name: string,
): boolean {
  if (!names.delete(name)) return false;
  const set = byName.get(name);
  set?.delete(client);
  if (set?.size === 0) byName.delete(name);
  return true;
}

function matchingNames(
  byName: Map<string, Set<ClientState>>,
  pattern: Uint8Array | null,
): string[] {
  const names: string[] = [];
  for (const name of byName.keys()) {
    if (pattern === null) names.push(name);
    else {
      const bytes = new Uint8Array(name.length);
      for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
      if (globMatch(pattern, bytes)) names.push(name);
    }
  }
  return names;
}

function writeMessage(
  out: ReplyWriter,
  kind: Uint8Array,
  channel: Uint8Array,
  message: Uint8Array,
): void {
  out.pushHeader(3);
  out.bulk(kind);
  out.bulk(channel);
  out.bulk(message);
}
