// Pub/Sub: who listens to which channel or pattern, and delivery of published messages into
// the subscribers' reply buffers. Delivery is synchronous inside PUBLISH (so the returned
// receiver count is exact and ordering per publisher holds); each subscriber's connection is
// then flushed on its own, so a slow subscriber never stalls the publisher.
// Channel names are kept as latin1 strings: one char per byte, so binary names round-trip.

import { globMatch, latin1 } from "../bytes.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import type { ClientState } from "./client.ts";

const MESSAGE = new TextEncoder().encode("message");
const PMESSAGE = new TextEncoder().encode("pmessage");

interface PatternEntry {
  pattern: Uint8Array;
  clients: Set<ClientState>;
}

export class PubSubRegistry {
  readonly #channels = new Map<string, Set<ClientState>>();
  readonly #patterns = new Map<string, PatternEntry>();

  get channelCount(): number {
    return this.#channels.size;
  }
  get patternCount(): number {
    return this.#patterns.size;
  }

  /** Adds client to channel; false if it was already subscribed. */
  subscribe(client: ClientState, channel: Uint8Array): boolean {
    const name = latin1(channel);
    if (client.channels.has(name)) return false;
    client.channels.add(name);
    let set = this.#channels.get(name);
    if (!set) this.#channels.set(name, set = new Set());
    set.add(client);
    return true;
  }

  unsubscribe(client: ClientState, name: string): boolean {
    if (!client.channels.delete(name)) return false;
    const set = this.#channels.get(name);
    set?.delete(client);
    if (set?.size === 0) this.#channels.delete(name);
    return true;
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
  }

  /** Delivers to channel and pattern subscribers; returns how many received it. */
  publish(channel: Uint8Array, message: Uint8Array): number {
    let receivers = 0;
    const set = this.#channels.get(latin1(channel));
    if (set) {
      for (const client of set) {
        writeMessage(client.writer, channel, message);
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

  /** Channel names with at least one subscriber, optionally matching a pattern. */
  channels(pattern: Uint8Array | null): string[] {
    const names: string[] = [];
    for (const name of this.#channels.keys()) {
      if (pattern === null) names.push(name);
      else {
        const bytes = new Uint8Array(name.length);
        for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
        if (globMatch(pattern, bytes)) names.push(name);
      }
    }
    return names;
  }

  subscriberCount(channel: Uint8Array): number {
    return this.#channels.get(latin1(channel))?.size ?? 0;
  }
}

function writeMessage(out: ReplyWriter, channel: Uint8Array, message: Uint8Array): void {
  out.pushHeader(3);
  out.bulk(MESSAGE);
  out.bulk(channel);
  out.bulk(message);
}
