// Consumer groups of a stream, as Redis 7.0 keeps them (stream.h streamCG, streamConsumer,
// streamNACK): a group has a last-delivered ID, an entries-read counter, a pending entries
// list (PEL) of delivered, unacknowledged IDs, and consumers, each with its own PEL. One NACK
// object is shared by the group's PEL and its owner's PEL, so a claim moves it between
// consumers without copying, and an ACK removes it from both.
//
// Names (of groups and consumers) are binary-safe: they are kept as latin1 strings, one char per
// byte, so Map lookups work and a plain string sort lists them in byte order, the order Redis's
// radix trees give XINFO GROUPS, XINFO CONSUMERS and the XPENDING summary.
//
// Times are Unix milliseconds as numbers (Redis's mstime_t, always within a double's exact
// range here: IDLE/TIME options are clamped to [0, now]); counters that clients may set to any
// 64-bit value (delivery count via RETRYCOUNT, entries-read via ENTRIESREAD) are bigints.

import { SortedIdMap } from "./_sorted_ids.ts";
import type { StreamId } from "./id.ts";

/** SCG_INVALID_ENTRIES_READ: the group's entries-read counter is unknown. */
export const ENTRIES_READ_INVALID = -1n;

/** A delivered, not yet acknowledged entry (streamNACK). */
export interface Nack {
  /** When it was last delivered, Unix ms. */
  deliveryTimeMs: number;
  /** Deliveries so far (uint64 in Redis). */
  deliveryCount: bigint;
  /** Its owner; null only transiently, for a NACK XCLAIM FORCE has just made. */
  consumer: StreamConsumer | null;
}

export class StreamConsumer {
  readonly name: string;
  /** Last time the consumer was active (Redis 7.0's seen-time), Unix ms. */
  seenTimeMs: number;
  /** This consumer's part of the group PEL, sharing the NACK objects. */
  readonly pel = new SortedIdMap<Nack>();

  constructor(name: string, seenTimeMs: number) {
    this.name = name;
    this.seenTimeMs = seenTimeMs;
  }
}

export class StreamGroup {
  readonly name: string;
  lastId: StreamId;
  /** Entries the group has read (its logical offset), or ENTRIES_READ_INVALID. */
  entriesRead: bigint;
  readonly pel = new SortedIdMap<Nack>();
  readonly consumers = new Map<string, StreamConsumer>();

  constructor(name: string, lastId: StreamId, entriesRead: bigint) {
    this.name = name;
    this.lastId = lastId;
    this.entriesRead = entriesRead;
  }

  /**
   * The consumer named `name`, its seen-time refreshed to nowMs unless `refresh` is false
   * (streamLookupConsumer); undefined when missing.
   */
  lookupConsumer(name: string, nowMs: number, refresh = true): StreamConsumer | undefined {
    const consumer = this.consumers.get(name);
    if (consumer !== undefined && refresh) consumer.seenTimeMs = nowMs;
    return consumer;
  }

  /** A new consumer, or null when one of that name exists (streamCreateConsumer). */
  createConsumer(name: string, nowMs: number): StreamConsumer | null {
    if (this.consumers.has(name)) return null;
    const consumer = new StreamConsumer(name, nowMs);
    this.consumers.set(name, consumer);
    return consumer;
  }

  /** Deletes a consumer and its pending entries from the group PEL; returns how many it had. */
  deleteConsumer(consumer: StreamConsumer): number {
    const pending = consumer.pel.size;
    for (const id of consumer.pel.ids()) this.pel.delete(id);
    this.consumers.delete(consumer.name);
    return pending;
  }

  /** Removes a pending entry from the group and its owner; false when it was not pending. */
  acknowledge(id: StreamId): boolean {
    const nack = this.pel.get(id);
    if (nack === undefined) return false;
    this.pel.delete(id);
    nack.consumer?.pel.delete(id);
    return true;
  }

  /** Consumers sorted by name in byte order (Redis's radix tree order). */
  sortedConsumers(): StreamConsumer[] {
    return [...this.consumers.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** A deep copy (COPY): same IDs, times and counts, fresh NACKs shared the same way. */
  clone(): StreamGroup {
    const copy = new StreamGroup(this.name, this.lastId, this.entriesRead);
    const nacks = new Map<Nack, Nack>();
    for (let i = 0; i < this.pel.size; i++) {
      const nack = this.pel.valueAt(i);
      const nackCopy: Nack = {
        deliveryTimeMs: nack.deliveryTimeMs,
        deliveryCount: nack.deliveryCount,
        consumer: null,
      };
      nacks.set(nack, nackCopy);
      copy.pel.set(this.pel.idAt(i), nackCopy);
    }
    for (const consumer of this.consumers.values()) {
      const consumerCopy = new StreamConsumer(consumer.name, consumer.seenTimeMs);
      copy.consumers.set(consumer.name, consumerCopy);
      for (let i = 0; i < consumer.pel.size; i++) {
        const nackCopy = nacks.get(consumer.pel.valueAt(i))!;
        nackCopy.consumer = consumerCopy;
        consumerCopy.pel.set(consumer.pel.idAt(i), nackCopy);
      }
    }
    return copy;
  }
}

/** Byte-order comparison of two latin1 names. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
