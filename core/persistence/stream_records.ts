// A stream value (core/streams/) as the RDB codec's logical record (RdbStream, core/rdb/types.ts)
// and back: what snapshots, full syncs, AOF rewrites and loading see of a stream.
//
// The record carries both the live entries (what the AOF rewrite and checks read) and the
// nodes as listpacks: a stream's nodes are Redis's listpacks byte for byte, so a save writes
// them as they are and a load adopts them, deleted entries and node boundaries included —
// approximate trimming and XINFO then see what the writer had. A record without nodes (built
// by hand) is laid out as XADD would lay it out.
//
// Both directions copy: the record must keep the instant's value while the live stream goes on
// changing (a snapshot side-saves it just before a write), and a loaded stream must not share
// arrays with a reader's buffers.

import {
  decodeStreamId,
  encodeStreamId,
  type RdbStream,
  type RdbStreamConsumer,
  type RdbStreamGroup,
  type RdbStreamPending,
} from "../rdb/mod.ts";
import {
  DEFAULT_NODE_LIMITS,
  type Nack,
  Stream,
  type StreamId,
  type StreamMemory,
} from "../streams/mod.ts";
import { fromLatin1, latin1 } from "../bytes.ts";

/** The stream as an RDB record (a deep copy of what it holds now). */
export function streamToRecord(stream: Stream): RdbStream {
  const entries = stream.liveEntries().map((entry) => ({
    id: entry.id,
    fields: entry.fields.map((field, i) => ({ field, value: entry.values[i] })),
  }));
  const groups: RdbStreamGroup[] = stream.sortedGroups().map((group) => {
    const pending: RdbStreamPending[] = [];
    for (let i = 0; i < group.pel.size; i++) {
      const nack = group.pel.valueAt(i);
      pending.push({
        id: group.pel.idAt(i),
        deliveryTimeMs: BigInt(nack.deliveryTimeMs),
        deliveryCount: nack.deliveryCount,
      });
    }
    const consumers: RdbStreamConsumer[] = group.sortedConsumers().map((consumer) => ({
      name: fromLatin1(consumer.name),
      seenTimeMs: BigInt(consumer.seenTimeMs),
      pending: [...consumer.pel.ids()],
    }));
    return {
      name: fromLatin1(group.name),
      lastDeliveredId: group.lastId,
      entriesRead: group.entriesRead,
      pending,
      consumers,
    };
  });
  const nodes = stream.nodeListpacks().map(({ masterId, listpack }) => ({
    key: encodeStreamId(masterId),
    listpack,
  }));
  return {
    entries,
    nodes,
    lastId: stream.lastId,
    firstId: stream.firstId,
    maxDeletedId: stream.maxDeletedId,
    entriesAdded: stream.entriesAdded,
    groups,
  };
}

/**
 * A Stream from an RDB record, its nodes in `memory`. Pending entries no consumer owns (Redis
 * refuses such a file) are dropped, so every NACK has an owner. Throws when memory runs out,
 * having kept nothing.
 */
export function streamFromRecord(record: RdbStream, memory: StreamMemory): Stream {
  const stream = new Stream(memory);
  try {
    if (record.nodes !== undefined) {
      for (const node of record.nodes) {
        stream.appendListpack(decodeStreamId(node.key, 0), node.listpack);
      }
      stream.length = record.entries.length;
    } else {
      for (const entry of record.entries) {
        const pairs: Uint8Array[] = [];
        for (const { field, value } of entry.fields) pairs.push(field, value);
        stream.append(copyId(entry.id), pairs, DEFAULT_NODE_LIMITS);
      }
    }
  } catch (error) {
    stream.release();
    throw error;
  }
  stream.lastId = copyId(record.lastId);
  stream.firstId = copyId(record.firstId);
  stream.maxDeletedId = copyId(record.maxDeletedId);
  stream.entriesAdded = record.entriesAdded;
  for (const groupRecord of record.groups) {
    const group = stream.createGroup(
      latin1(groupRecord.name),
      copyId(groupRecord.lastDeliveredId),
      groupRecord.entriesRead,
    );
    if (group === null) continue; // a duplicate name: the first one stands
    const nacks = new Map<string, { id: StreamId; nack: Nack }>();
    for (const pending of groupRecord.pending) {
      nacks.set(idKey(pending.id), {
        id: copyId(pending.id),
        nack: {
          deliveryTimeMs: Number(pending.deliveryTimeMs),
          deliveryCount: pending.deliveryCount,
          consumer: null,
        },
      });
    }
    for (const consumerRecord of groupRecord.consumers) {
      const consumer = group.createConsumer(
        latin1(consumerRecord.name),
        Number(consumerRecord.seenTimeMs),
      );
      if (consumer === null) continue;
      for (const id of consumerRecord.pending) {
        const found = nacks.get(idKey(id));
        if (found === undefined || found.nack.consumer !== null) continue;
        found.nack.consumer = consumer;
        consumer.pel.set(found.id, found.nack);
      }
    }
    for (const { id, nack } of nacks.values()) {
      if (nack.consumer !== null) group.pel.set(id, nack);
    }
  }
  return stream;
}

function copyId(id: StreamId): StreamId {
  return { ms: id.ms, seq: id.seq };
}

function idKey(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}
