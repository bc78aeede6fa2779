// XREAD and XREADGROUP: one parser and one server for both (as Redis's xreadCommand), and the
// group delivery rules they share with nothing else: a read through a group moves the group's
// last-delivered ID and entries-read counter, and each entry delivered (without NOACK) enters
// the group's and the consumer's pending lists.
//
// Serving order and blocking follow t_stream.c and blocked.c:
//
//   XREAD[GROUP] … STREAMS k1 k2 id1 id2
//     ├─ each key with something past its ID is served now ([key, entries] per key);
//     ├─ else with BLOCK: park in the BlockingRegistry on every key; a write to one key wakes
//     │  the reader for that key only (readers pass over each other: each new entry is for
//     │  every reader waiting past its ID). A group reader whose key is gone or is no longer a
//     │  stream gets -UNBLOCKED, whose group was destroyed -NOGROUP;
//     └─ else a null array.
//
// What a replica replays is never the read itself (it would deliver to whoever reads there):
// each pending entry created or moved is sent as `XCLAIM key group consumer 0 id TIME ms
// RETRYCOUNT n FORCE JUSTID LASTID last-id`, a NOACK read's progress as `XGROUP SETID … ENTRIESREAD`,
// and a consumer a NOACK read creates as `XGROUP CREATECONSUMER`.

import { fromLatin1, isCWord, latin1 } from "../bytes.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import { WrongTypeError } from "../engine/mod.ts";
import { CommandError, ERR_WRONGTYPE, fail } from "../errors.ts";
import {
  compareIds,
  formatId,
  ID_MAX,
  ID_ZERO,
  type Nack,
  nextId,
  type Stream,
  type StreamConsumer,
  type StreamEntry,
  type StreamGroup,
  type StreamId,
} from "../streams/mod.ts";
import { int64Arg } from "./_args.ts";
import { cText, idArg, isCText, readStream, writeEntries, writeEntry } from "./_streams.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** XREAD_BLOCKED_DEFAULT_COUNT: a woken reader without COUNT gets at most this many entries. */
const BLOCKED_COUNT_DEFAULT = 1000;
/** A reply's entry count: COUNT values beyond this read as "all" (no stream is that long). */
const COUNT_MAX = 0x7fffffff;
/** Timeouts beyond this many ms outlast setTimeout's range; they block until woken. */
const BLOCK_TIMEOUT_MS_FOREVER = 2_000_000_000;

const ERR_UNBALANCED = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' " +
  "must be specified.";
const ERR_DOLLAR_IN_GROUP = "ERR The $ ID is meaningless in the context of XREADGROUP: you want " +
  "to read the history of this consumer by specifying a proper ID, or use the > ID to get new " +
  "messages. The $ ID would just return an empty result set.";
const ERR_GT_WITHOUT_GROUP = "ERR The > ID can be specified only when calling XREADGROUP using " +
  "the GROUP <group> <consumer> option.";

/** What a group read propagates: the commands a replica replays instead. */
export type Propagated = (Uint8Array | string)[][];

/** The XCLAIM a replica replays for one pending entry created or moved (streamPropagateXCLAIM). */
export function xclaimPropagation(
  key: Uint8Array,
  groupName: Uint8Array,
  group: StreamGroup,
  id: Uint8Array | string,
  nack: Nack,
): (Uint8Array | string)[] {
  return [
    "XCLAIM",
    key,
    groupName,
    fromLatin1(nack.consumer!.name),
    "0",
    id,
    "TIME",
    String(nack.deliveryTimeMs),
    "RETRYCOUNT",
    String(nack.deliveryCount),
    "FORCE",
    "JUSTID",
    "LASTID",
    formatId(group.lastId),
  ];
}

/** XGROUP SETID with ENTRIESREAD, for a NOACK read's progress (streamPropagateGroupID). */
export function setIdPropagation(
  key: Uint8Array,
  groupName: Uint8Array,
  group: StreamGroup,
): (Uint8Array | string)[] {
  return [
    "XGROUP",
    "SETID",
    key,
    groupName,
    formatId(group.lastId),
    "ENTRIESREAD",
    String(group.entriesRead),
  ];
}

/** One group read's context: where propagation goes and who reads. */
interface GroupRead {
  key: Uint8Array;
  groupName: Uint8Array;
  group: StreamGroup;
  consumer: StreamConsumer;
  noack: boolean;
  nowMs: number;
  propagated: Propagated;
}

/**
 * Entries from `start` on, delivered through a group (streamReplyWithRange with a group): the
 * group's last ID and entries-read advance, and unless NOACK each entry becomes pending for the
 * consumer (taken from another consumer if it was theirs), each change propagated as XCLAIM.
 */
function deliverNew(
  stream: Stream,
  start: StreamId,
  count: number,
  read: GroupRead,
): StreamEntry[] {
  const { group, consumer } = read;
  const entries = stream.range(start, ID_MAX, false, count);
  let propagateLastId = false;
  for (const entry of entries) {
    if (stream.advanceGroup(group, entry.id) && read.noack) propagateLastId = true;
    if (read.noack) continue;
    let nack = group.pel.get(entry.id);
    if (nack === undefined) {
      nack = { deliveryTimeMs: read.nowMs, deliveryCount: 1n, consumer };
      group.pel.set(entry.id, nack);
    } else {
      nack.consumer!.pel.delete(entry.id);
      nack.consumer = consumer;
      nack.deliveryTimeMs = read.nowMs;
      nack.deliveryCount = 1n;
    }
    consumer.pel.set(entry.id, nack);
    read.propagated.push(
      xclaimPropagation(read.key, read.groupName, group, formatId(entry.id), nack),
    );
  }
  if (propagateLastId) read.propagated.push(setIdPropagation(read.key, read.groupName, group));
  return entries;
}

/** A history read: entries of the consumer's own PEL from `start` (null for deleted ones). */
type HistoryItem = { id: StreamId; entry: StreamEntry | null };

/** streamReplyWithRangeFromConsumerPEL: delivery times and counts of what still exists move. */
function deliverHistory(
  stream: Stream,
  start: StreamId,
  count: number,
  consumer: StreamConsumer,
  nowMs: number,
): HistoryItem[] {
  const items: HistoryItem[] = [];
  const pel = consumer.pel;
  for (let i = pel.lowerBound(start); i < pel.size && (count === 0 || items.length < count); i++) {
    const id = pel.idAt(i);
    const entry = stream.entry(id);
    if (entry !== null) {
      const nack = pel.valueAt(i);
      nack.deliveryTimeMs = nowMs;
      nack.deliveryCount++;
    }
    items.push({ id, entry });
  }
  return items;
}

function writeHistory(ctx: CommandContext, items: readonly HistoryItem[]): void {
  const out = ctx.out;
  out.arrayHeader(items.length);
  for (const item of items) {
    if (item.entry !== null) {
      writeEntry(out, item.entry);
      continue;
    }
    out.arrayHeader(2);
    out.bulkString(formatId(item.id));
    out.nullArray();
  }
}

/** The consumer of a group read, created (and for NOACK, propagated) when new. */
function consumerFor(
  ctx: CommandContext,
  key: Uint8Array,
  groupName: Uint8Array,
  group: StreamGroup,
  consumerName: Uint8Array,
  noack: boolean,
  propagated: Propagated,
): StreamConsumer {
  const name = latin1(consumerName);
  let consumer = group.lookupConsumer(name, ctx.nowMs);
  if (consumer === undefined) {
    consumer = group.createConsumer(name, ctx.nowMs)!;
    ctx.server.keyChangedUnwatched(ctx.client.db, key);
    if (noack) propagated.push(["XGROUP", "CREATECONSUMER", key, groupName, consumerName]);
  }
  return consumer;
}

// ── Arguments ──────────────────────────────────────────────────────────────────────────

interface ReadArgs {
  /** BLOCK in ms (0 = forever), null without BLOCK. */
  blockMs: number | null;
  /** COUNT, 0 = all. */
  count: number;
  noack: boolean;
  groupName: Uint8Array | null;
  consumerName: Uint8Array | null;
  /** argv index of the first key. */
  streamsIndex: number;
  streamCount: number;
}

function readArgs(ctx: CommandContext, xreadgroup: boolean): ReadArgs {
  const argv = ctx.argv;
  const args: ReadArgs = {
    blockMs: null,
    count: 0,
    noack: false,
    groupName: null,
    consumerName: null,
    streamsIndex: 0,
    streamCount: 0,
  };
  const name = xreadgroup ? "XREADGROUP" : "XREAD";
  for (let i = 1; i < argv.length; i++) {
    const moreArgs = argv.length - i - 1;
    const opt = argv[i];
    if (isCWord(opt, "block") && moreArgs > 0) {
      i++;
      const timeout = int64Arg(argv[i], "ERR timeout is not an integer or out of range");
      if (timeout < 0n) fail("ERR timeout is negative");
      args.blockMs = timeout > BigInt(BLOCK_TIMEOUT_MS_FOREVER) ? 0 : Number(timeout);
    } else if (isCWord(opt, "count") && moreArgs > 0) {
      i++;
      const count = int64Arg(argv[i]);
      args.count = count < 0n ? 0 : count > BigInt(COUNT_MAX) ? COUNT_MAX : Number(count);
    } else if (isCWord(opt, "streams") && moreArgs > 0) {
      args.streamsIndex = i + 1;
      const remaining = argv.length - args.streamsIndex;
      if (remaining % 2 !== 0) fail(ERR_UNBALANCED);
      args.streamCount = remaining / 2;
      break;
    } else if (isCWord(opt, "group") && moreArgs >= 2) {
      if (!xreadgroup) {
        fail("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
      }
      args.groupName = argv[i + 1];
      args.consumerName = argv[i + 2];
      i += 2;
    } else if (isCWord(opt, "noack")) {
      if (!xreadgroup) {
        fail("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
      }
      args.noack = true;
    } else {
      fail("ERR syntax error");
    }
  }
  if (args.streamsIndex === 0) fail("ERR syntax error");
  if (xreadgroup && args.groupName === null) fail(`ERR Missing GROUP option for ${name}`);
  return args;
}

/** One key of the read: its stream, group and the ID entries must be past (MAX for `>`). */
interface ReadTarget {
  key: Uint8Array;
  stream: Stream | null;
  group: StreamGroup | null;
  after: StreamId;
}

/** Resolves each key's ID (and group), failing as Redis does, key by key. */
function readTargets(ctx: CommandContext, args: ReadArgs, xreadgroup: boolean): ReadTarget[] {
  const argv = ctx.argv;
  const targets: ReadTarget[] = [];
  for (let n = 0; n < args.streamCount; n++) {
    const key = argv[args.streamsIndex + n];
    const idArgBytes = argv[args.streamsIndex + args.streamCount + n];
    const stream = readStream(ctx, key);
    let group: StreamGroup | null = null;
    if (args.groupName !== null) {
      group = stream?.groups.get(latin1(args.groupName)) ?? null;
      if (group === null) {
        fail(
          `NOGROUP No such key '${cText(key)}' or consumer group '${
            cText(args.groupName)
          }' in XREADGROUP with GROUP option`,
        );
      }
    }
    let after: StreamId;
    if (isCText(idArgBytes, "$")) {
      if (xreadgroup) fail(ERR_DOLLAR_IN_GROUP);
      after = stream?.lastId ?? ID_ZERO;
    } else if (isCText(idArgBytes, ">")) {
      if (!xreadgroup) fail(ERR_GT_WITHOUT_GROUP);
      after = ID_MAX;
    } else {
      after = idArg(idArgBytes, true);
    }
    targets.push({ key, stream, group, after });
  }
  return targets;
}

// ── Serving ────────────────────────────────────────────────────────────────────────────

/** One served key: [key, entries] (or the consumer's history). */
type Served = { key: Uint8Array; entries: StreamEntry[] | null; history: HistoryItem[] | null };

function writeServed(ctx: CommandContext, served: readonly Served[]): void {
  const out = ctx.out;
  if (out.protocol === 2) out.arrayHeader(served.length);
  else out.mapHeader(served.length);
  for (const item of served) {
    if (out.protocol === 2) out.arrayHeader(2);
    out.bulk(item.key);
    if (item.history !== null) writeHistory(ctx, item.history);
    else writeEntries(out, item.entries!);
  }
}

/** Serves what can be served now (xreadCommand's synchronous pass); [] when nothing. */
function serveNow(
  ctx: CommandContext,
  args: ReadArgs,
  targets: readonly ReadTarget[],
  propagated: Propagated,
): Served[] {
  const served: Served[] = [];
  for (const target of targets) {
    const stream = readStream(ctx, target.key);
    if (stream === null) continue;
    const group = target.group;
    let after = target.after;
    let history = false;
    if (group !== null) {
      if (compareIds(after, ID_MAX) !== 0) history = true;
      else if (stream.length > 0 && compareIds(stream.lastValidId(), group.lastId) > 0) {
        after = group.lastId;
      } else continue;
    } else if (stream.length === 0 || compareIds(stream.lastValidId(), after) <= 0) {
      continue;
    }
    const start = nextId(after) ?? ID_ZERO;
    if (group === null) {
      served.push({
        key: target.key,
        entries: stream.range(start, ID_MAX, false, args.count),
        history: null,
      });
      continue;
    }
    const groupName = args.groupName!;
    const consumer = consumerFor(
      ctx,
      target.key,
      groupName,
      group,
      args.consumerName!,
      args.noack,
      propagated,
    );
    if (history) {
      const items = deliverHistory(stream, start, args.count, consumer, ctx.nowMs);
      served.push({ key: target.key, entries: null, history: items });
    } else {
      const read: GroupRead = {
        key: target.key,
        groupName,
        group,
        consumer,
        noack: args.noack,
        nowMs: ctx.nowMs,
        propagated,
      };
      served.push({
        key: target.key,
        entries: deliverNew(stream, start, args.count, read),
        history: null,
      });
    }
    ctx.server.keyChangedUnwatched(ctx.client.db, target.key);
  }
  return served;
}

/**
 * A woken reader's attempt for the key that became ready (serveClientsBlockedOnStreamKey):
 * true when it replied (entries, or an error for a group reader whose key or group went).
 */
function serveWoken(
  ctx: CommandContext,
  args: ReadArgs,
  waitAfter: Map<string, StreamId>,
  readyKey: Uint8Array | null,
): boolean {
  if (readyKey === null) return false;
  const after = waitAfter.get(latin1(readyKey));
  if (after === undefined) return false;
  ctx.nowMs = Date.now();
  let stream: Stream | null;
  try {
    stream = readStream(ctx, readyKey);
  } catch (error) {
    if (!(error instanceof WrongTypeError)) throw error;
    stream = null;
  }
  const groupName = args.groupName;
  if (stream === null) {
    if (groupName === null) return false;
    return replyError(ctx, "UNBLOCKED the stream key no longer exists");
  }
  let group: StreamGroup | null = null;
  let gt = after;
  if (groupName !== null) {
    group = stream.groups.get(latin1(groupName)) ?? null;
    if (group === null) {
      return replyError(
        ctx,
        "NOGROUP the consumer group this client was blocked on no longer exists",
      );
    }
    gt = group.lastId;
  }
  if (compareIds(stream.lastId, gt) <= 0) return false;
  const start = nextId(gt) ?? ID_ZERO;
  const count = args.count === 0 ? BLOCKED_COUNT_DEFAULT : args.count;
  const propagated: Propagated = [];
  let entries: StreamEntry[];
  if (group === null) {
    entries = stream.range(start, ID_MAX, false, count);
  } else {
    const consumer = consumerFor(
      ctx,
      readyKey,
      groupName!,
      group,
      args.consumerName!,
      args.noack,
      propagated,
    );
    entries = deliverNew(stream, start, count, {
      key: readyKey,
      groupName: groupName!,
      group,
      consumer,
      noack: args.noack,
      nowMs: ctx.nowMs,
      propagated,
    });
    ctx.server.keyChangedUnwatched(ctx.client.db, readyKey);
  }
  ctx.propagateAs = propagated;
  const out = ctx.out;
  if (out.protocol === 2) {
    out.arrayHeader(1);
    out.arrayHeader(2);
  } else out.mapHeader(1);
  out.bulk(readyKey);
  writeEntries(out, entries);
  return true;
}

function replyError(ctx: CommandContext, text: string): true {
  // total_error_replies and INFO errorstats, as Redis's afterErrorReply.
  ctx.server.stats.countErrorReply(text);
  ctx.out.error(text);
  ctx.propagateAs = [];
  return true;
}

/** XREAD and XREADGROUP (xreadgroup true). */
function xreadGeneric(ctx: CommandContext, xreadgroup: boolean): void | Promise<void> {
  const args = readArgs(ctx, xreadgroup);
  const targets = readTargets(ctx, args, xreadgroup);
  const propagated: Propagated = [];
  ctx.propagateAs = propagated;
  const served = serveNow(ctx, args, targets, propagated);
  if (served.length > 0) return writeServed(ctx, served);
  if (args.blockMs === null) return ctx.out.nullArray();
  // What each key must be past, resolved now (`$` is the last ID at this instant); a key named
  // twice waits for its first ID, as Redis keeps the first.
  const waitAfter = new Map<string, StreamId>();
  for (const target of targets) {
    const tag = latin1(target.key);
    if (!waitAfter.has(tag)) waitAfter.set(tag, target.after);
  }
  const parked = {
    ...args,
    groupName: args.groupName?.slice() ?? null,
    consumerName: args.consumerName?.slice() ?? null,
  };
  return ctx.server.blocking.block(
    ctx,
    targets.map((target) => target.key),
    args.blockMs,
    (readyKey) => {
      try {
        return serveWoken(ctx, parked, waitAfter, readyKey);
      } catch (error) {
        if (error instanceof CommandError) return replyError(ctx, error.message);
        if (error instanceof WrongTypeError) return replyError(ctx, ERR_WRONGTYPE);
        throw error;
      }
    },
    () => {
      ctx.propagateAs = [];
      ctx.out.nullArray();
    },
    true,
  );
}

// ── The table ────────────────────────────────────────────────────────────────────────

/** The keys after STREAMS (from argv index startFrom on), the first half of what follows. */
function streamsKeySpec(startFrom: number): KeySpec[] {
  return [{
    flags: ["RO", "access"],
    beginIndex: 0,
    beginKeyword: { keyword: "STREAMS", startFrom },
    lastKey: -1,
    keyStep: 1,
    limit: 2,
  }];
}

export const STREAM_READ_COMMANDS: CommandDefinition[] = [
  {
    name: "xread",
    arity: -4,
    flags: ["readonly", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: streamsKeySpec(1),
    categories: ["read", "stream", "slow", "blocking"],
    group: "stream",
    summary: "Returns messages from multiple streams with IDs greater than the ones " +
      "requested. Blocks until a message is available otherwise.",
    since: "5.0.0",
    complexity: "For each stream mentioned: O(N) with N being the number of elements being " +
      "returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK " +
      "option is used, XADD will pay O(M) time in order to serve the M clients blocked on the " +
      "stream getting new data.",
    handler: (ctx) => xreadGeneric(ctx, false),
  },
  {
    name: "xreadgroup",
    arity: -7,
    flags: ["write", "blocking", "movablekeys"],
    keys: [0, 0, 0],
    keySpecs: streamsKeySpec(4),
    categories: ["write", "stream", "slow", "blocking"],
    group: "stream",
    summary: "Returns new or historical messages from a stream for a consumer in a group. " +
      "Blocks until a message is available otherwise.",
    since: "5.0.0",
    complexity: "For each stream mentioned: O(M) with M being the number of elements " +
      "returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), " +
      "you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the " +
      "O(N) time in order to serve the N clients blocked on the stream getting new data.",
    handler: (ctx) => xreadGeneric(ctx, true),
  },
];
