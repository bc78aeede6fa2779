// Consumer group commands: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
// XACK, XPENDING, XCLAIM and XAUTOCLAIM. Reading through a group (XREADGROUP) is in
// stream_read.ts, which also builds the XCLAIM / XGROUP SETID commands these propagate.
//
// XGROUP's subcommands share one preamble, as Redis's single xgroupCommand: options, then the
// key (it must exist unless CREATE … MKSTREAM), then the group (SETID, CREATECONSUMER and
// DELCONSUMER need it), so a bad call fails with Redis's first error. XCLAIM and XAUTOCLAIM are
// not replayed as typed (idle times are relative): each claim goes out as an exact XCLAIM with
// TIME, RETRYCOUNT and LASTID, and a claim of an entry that no longer exists as the XCLAIM that
// drops it from the replica's PEL.

import { fromLatin1, isCWord, latin1 } from "../bytes.ts";
import { fail } from "../errors.ts";
import {
  compareIds,
  ENTRIES_READ_INVALID,
  formatId,
  ID_MAX,
  ID_ZERO,
  type Nack,
  nextId,
  previousId,
  type StreamConsumer,
  type StreamGroup,
  type StreamId,
} from "../streams/mod.ts";
import { int64Arg, int64RangeArg } from "./_args.ts";
import {
  createStream,
  cText,
  ERR_END_INTERVAL,
  ERR_START_INTERVAL,
  idArg,
  intervalIdArg,
  isCText,
  keyAt,
  readStream,
  subcommandSyntaxError,
  writeEntry,
  writeStream,
} from "./_streams.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { type Propagated, setIdPropagation, xclaimPropagation } from "./stream_read.ts";
import { writeHelp } from "./_help.ts";

/** XAUTOCLAIM's default COUNT, and how many PEL entries it may look at per claim. */
const AUTOCLAIM_COUNT_DEFAULT = 100n;
const AUTOCLAIM_ATTEMPTS_FACTOR = 10n;
/** LONG_MAX / max(sizeof(streamID), attempts factor): XAUTOCLAIM's COUNT ceiling. */
const AUTOCLAIM_COUNT_MAX = 0x7fff_ffff_ffff_ffffn / 16n;
/**
 * Redis allocates COUNT stream IDs (16 bytes each) for the deleted-IDs reply up front and
 * refuses COUNTs whose array malloc cannot give; here the same refusal past 1 GiB of IDs.
 */
const AUTOCLAIM_COUNT_ALLOC_MAX = (1n << 30n) / 16n;

const ERR_NEEDS_KEY = "ERR The XGROUP subcommand requires the key to exist. Note that for " +
  "CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";

function noSuchGroup(key: Uint8Array, group: Uint8Array): string {
  return `NOGROUP No such key '${cText(key)}' or consumer group '${cText(group)}'`;
}

// ── XGROUP ─────────────────────────────────────────────────────────────────────────────

/** Every XGROUP subcommand but HELP (their shared preamble, then the subcommand). */
function xgroupCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const sub = ctx.spec.name;
  let mkstream = false;
  let entriesRead = ENTRIES_READ_INVALID;
  for (let i = 5; i < argv.length;) {
    if (sub === "create" && isCWord(argv[i], "mkstream")) {
      mkstream = true;
      i++;
    } else if (
      (sub === "create" || sub === "setid") && isCWord(argv[i], "entriesread") &&
      i + 1 < argv.length
    ) {
      entriesRead = int64Arg(argv[i + 1]);
      if (entriesRead < 0n && entriesRead !== ENTRIES_READ_INVALID) {
        fail("ERR value for ENTRIESREAD must be positive or -1");
      }
      i += 2;
    } else {
      throw subcommandSyntaxError(ctx);
    }
  }
  const key = argv[2];
  const groupName = argv[3];
  let stream = writeStream(ctx, key);
  let group: StreamGroup | null = null;
  if (!mkstream) {
    if (stream === null) fail(ERR_NEEDS_KEY);
    group = stream.groups.get(latin1(groupName)) ?? null;
    if (group === null && (sub === "setid" || sub === "createconsumer" || sub === "delconsumer")) {
      fail(`NOGROUP No such consumer group '${cText(groupName)}' for key name '${cText(key)}'`);
    }
  }
  const db = ctx.client.db;
  switch (sub) {
    case "create": {
      if (argv.length > 8) throw subcommandSyntaxError(ctx);
      const id = isCText(argv[4], "$") ? stream?.lastId ?? ID_ZERO : idArg(argv[4], true);
      // Only a stream MKSTREAM creates is signalled to WATCH, as in Redis.
      const created = stream === null;
      if (stream === null) stream = createStream(ctx, key);
      if (stream.createGroup(latin1(groupName), id, entriesRead) === null) {
        fail("BUSYGROUP Consumer Group name already exists");
      }
      if (created) ctx.server.keyModified(db, key);
      else ctx.server.keyChangedUnwatched(db, key);
      return out.simple("OK");
    }
    case "setid": {
      if (argv.length !== 5 && argv.length !== 7) throw subcommandSyntaxError(ctx);
      const id = isCText(argv[4], "$") ? stream!.lastId : idArg(argv[4], false);
      group!.lastId = id;
      group!.entriesRead = entriesRead;
      ctx.server.keyChangedUnwatched(db, key);
      return out.simple("OK");
    }
    case "destroy": {
      if (group === null) return out.integer(0);
      stream!.groups.delete(group.name);
      // Also wakes readers blocked on the group, which then get -NOGROUP.
      ctx.server.keyChangedUnwatched(db, key);
      return out.integer(1);
    }
    case "createconsumer": {
      const created = group!.createConsumer(latin1(argv[4]), ctx.nowMs);
      if (created !== null) ctx.server.keyChangedUnwatched(db, key);
      return out.integer(created === null ? 0 : 1);
    }
    case "delconsumer": {
      const consumer = group!.lookupConsumer(latin1(argv[4]), ctx.nowMs, false);
      if (consumer === undefined) return out.integer(0);
      const pending = group!.deleteConsumer(consumer);
      ctx.server.keyChangedUnwatched(db, key);
      return out.integer(pending);
    }
  }
  throw subcommandSyntaxError(ctx);
}

const XGROUP_HELP = [
  "XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CREATE <key> <groupname> <id|$> [option]",
  "    Create a new consumer group. Options are:",
  "    * MKSTREAM",
  "      Create the empty stream if it does not exist.",
  "    * ENTRIESREAD entries_read",
  "      Set the group's entries_read counter (internal use).",
  "CREATECONSUMER <key> <groupname> <consumer>",
  "    Create a new consumer in the specified group.",
  "DELCONSUMER <key> <groupname> <consumer>",
  "    Remove the specified consumer.",
  "DESTROY <key> <groupname>",
  "    Remove the specified group.",
  "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
  "    Set the current group ID and entries_read counter.",
  "HELP",
  "    Prints this help.",
];

// ── XACK ───────────────────────────────────────────────────────────────────────────────

/** XACK key group id [id …] — a missing key or group acknowledges nothing, before any parse. */
function xackCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const stream = readStream(ctx, argv[1]);
  const group = stream?.groups.get(latin1(argv[2]));
  if (group === undefined) return out.integer(0);
  const ids = argv.slice(3).map((arg) => idArg(arg, true));
  let acknowledged = 0;
  for (const id of ids) if (group.acknowledge(id)) acknowledged++;
  if (acknowledged > 0) {
    ctx.server.keyChangedUnwatched(ctx.client.db, argv[1]);
    ctx.server.dirty += acknowledged - 1;
  }
  out.integer(acknowledged);
}

// ── XPENDING ───────────────────────────────────────────────────────────────────────────

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
function xpendingCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const summary = argv.length === 3;
  if (!summary && (argv.length < 6 || argv.length > 9)) fail("ERR syntax error");
  let minIdleMs = 0n;
  let count = 0n;
  let start: StreamId = ID_ZERO;
  let end: StreamId = ID_MAX;
  let consumerName: Uint8Array | null = null;
  if (!summary) {
    let startIndex = 3;
    if (isCWord(argv[3], "idle")) {
      minIdleMs = int64Arg(argv[4]);
      if (argv.length < 8) fail("ERR syntax error");
      startIndex += 2;
    }
    count = int64Arg(argv[startIndex + 2]);
    if (count < 0n) count = 0n;
    const startArg = intervalIdArg(argv[startIndex], 0n);
    const startId = startArg.exclusive ? nextId(startArg.id) : startArg.id;
    if (startId === null) fail(ERR_START_INTERVAL);
    start = startId;
    const endArg = intervalIdArg(argv[startIndex + 1], 0xffff_ffff_ffff_ffffn);
    const endId = endArg.exclusive ? previousId(endArg.id) : endArg.id;
    if (endId === null) fail(ERR_END_INTERVAL);
    end = endId;
    if (startIndex + 3 < argv.length) consumerName = argv[startIndex + 3];
  }
  const stream = readStream(ctx, argv[1]);
  const group = stream?.groups.get(latin1(argv[2]));
  if (group === undefined) fail(noSuchGroup(argv[1], argv[2]));
  if (summary) return writePendingSummary(ctx, group);
  let pel = group.pel;
  if (consumerName !== null) {
    const consumer = group.lookupConsumer(latin1(consumerName), ctx.nowMs, false);
    if (consumer === undefined) return out.arrayHeader(0);
    pel = consumer.pel;
  }
  const rows: { id: StreamId; nack: Nack }[] = [];
  for (let i = pel.lowerBound(start); count > 0n && i < pel.size; i++) {
    const id = pel.idAt(i);
    if (compareIds(id, end) > 0) break;
    const nack = pel.valueAt(i);
    if (minIdleMs !== 0n && BigInt(ctx.nowMs - nack.deliveryTimeMs) < minIdleMs) continue;
    rows.push({ id, nack });
    count--;
  }
  out.arrayHeader(rows.length);
  for (const { id, nack } of rows) {
    out.arrayHeader(4);
    out.bulkString(formatId(id));
    out.bulk(fromLatin1(nack.consumer!.name));
    out.integer(Math.max(0, ctx.nowMs - nack.deliveryTimeMs));
    out.integer(nack.deliveryCount);
  }
}

/** XPENDING key group: [count, first, last, [[consumer, count] …]] (nulls when empty). */
function writePendingSummary(ctx: CommandContext, group: StreamGroup): void {
  const out = ctx.out;
  out.arrayHeader(4);
  out.integer(group.pel.size);
  if (group.pel.size === 0) {
    out.nullBulk();
    out.nullBulk();
    out.nullArray();
    return;
  }
  out.bulkString(formatId(group.pel.idAt(0)));
  out.bulkString(formatId(group.pel.idAt(group.pel.size - 1)));
  const owners = group.sortedConsumers().filter((consumer) => consumer.pel.size > 0);
  out.arrayHeader(owners.length);
  for (const consumer of owners) {
    out.arrayHeader(2);
    out.bulk(fromLatin1(consumer.name));
    out.bulkString(String(consumer.pel.size));
  }
}

// ── Claiming ───────────────────────────────────────────────────────────────────────────

/** Removes a pending entry from its group and owner. */
function dropNack(group: StreamGroup, id: StreamId, nack: Nack): void {
  group.pel.delete(id);
  nack.consumer?.pel.delete(id);
}

/** Gives a pending entry to `consumer` (from whoever had it, if anyone). */
function moveNack(id: StreamId, nack: Nack, consumer: StreamConsumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pel.delete(id);
  consumer.pel.set(id, nack);
  nack.consumer = consumer;
}

/** The claiming consumer, created on first use (streamLookupConsumer / streamCreateConsumer). */
function claimer(ctx: CommandContext, group: StreamGroup, name: Uint8Array): StreamConsumer {
  const consumerName = latin1(name);
  return group.lookupConsumer(consumerName, ctx.nowMs) ??
    group.createConsumer(consumerName, ctx.nowMs)!;
}

/**
 * XCLAIM key group consumer min-idle-time id [id …] [IDLE ms] [TIME unix-ms]
 * [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id]
 */
function xclaimCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const key = argv[1];
  const groupName = argv[2];
  const stream = readStream(ctx, key);
  const group = stream?.groups.get(latin1(groupName));
  if (stream === null || group === undefined) fail(noSuchGroup(key, groupName));
  let minIdleMs = int64Arg(argv[4], "ERR Invalid min-idle-time argument for XCLAIM");
  if (minIdleMs < 0n) minIdleMs = 0n;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const id = tryId(argv[j]);
    if (id === null) break;
    ids.push(id);
  }
  const nowMs = ctx.nowMs;
  let deliveryTimeMs = -1n;
  let retryCount = -1n;
  let force = false;
  let justId = false;
  let lastId = ID_ZERO;
  for (; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    const opt = argv[j];
    if (isCWord(opt, "force")) force = true;
    else if (isCWord(opt, "justid")) justId = true;
    else if (isCWord(opt, "idle") && moreArgs > 0) {
      const idle = int64Arg(argv[++j], "ERR Invalid IDLE option argument for XCLAIM");
      deliveryTimeMs = BigInt(nowMs) - idle;
    } else if (isCWord(opt, "time") && moreArgs > 0) {
      deliveryTimeMs = int64Arg(argv[++j], "ERR Invalid TIME option argument for XCLAIM");
    } else if (isCWord(opt, "retrycount") && moreArgs > 0) {
      retryCount = int64Arg(argv[++j], "ERR Invalid RETRYCOUNT option argument for XCLAIM");
    } else if (isCWord(opt, "lastid") && moreArgs > 0) {
      lastId = idArg(argv[++j], true);
    } else {
      fail(`ERR Unrecognized XCLAIM option '${cText(opt)}'`);
    }
  }
  const propagated: Propagated = [];
  ctx.propagateAs = propagated;
  let changed = 0;
  let propagateLastId = false;
  if (compareIds(lastId, group.lastId) > 0) {
    group.lastId = lastId;
    propagateLastId = true;
  }
  if (deliveryTimeMs === -1n || deliveryTimeMs < 0n || deliveryTimeMs > BigInt(nowMs)) {
    deliveryTimeMs = BigInt(nowMs);
  }
  const deliveredAt = Number(deliveryTimeMs);
  let consumer: StreamConsumer | null = null;
  const claimed: (() => void)[] = [];
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    const idText = argv[5 + n];
    let nack = group.pel.get(id);
    const entry = stream.entry(id);
    if (entry === null) {
      if (nack !== undefined) {
        propagated.push(xclaimPropagation(key, groupName, group, idText, nack));
        propagateLastId = false;
        changed++;
        dropNack(group, id, nack);
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { deliveryTimeMs: nowMs, deliveryCount: 1n, consumer: null };
      group.pel.set(id, nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdleMs !== 0n) {
      if (BigInt(nowMs - nack.deliveryTimeMs) < minIdleMs) continue;
    }
    consumer ??= claimer(ctx, group, argv[3]);
    nack.deliveryTimeMs = deliveredAt;
    if (retryCount >= 0n) nack.deliveryCount = retryCount;
    else if (!justId) nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
    moveNack(id, nack, consumer);
    claimed.push(justId ? () => out.bulkString(formatId(id)) : () => writeEntry(out, entry));
    propagated.push(xclaimPropagation(key, groupName, group, idText, nack));
    propagateLastId = false;
    changed++;
  }
  if (propagateLastId) {
    propagated.push(setIdPropagation(key, groupName, group));
    changed++;
  }
  if (changed > 0 || consumer !== null) ctx.server.keyChangedUnwatched(ctx.client.db, key);
  out.arrayHeader(claimed.length);
  for (const write of claimed) write();
}

/** A strict ID, or null (XCLAIM reads IDs until one does not parse, then options). */
function tryId(arg: Uint8Array): StreamId | null {
  try {
    return idArg(arg, true);
  } catch {
    return null;
  }
}

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
function xautoclaimCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const key = argv[1];
  const groupName = argv[2];
  let minIdleMs = int64Arg(argv[4], "ERR Invalid min-idle-time argument for XAUTOCLAIM");
  if (minIdleMs < 0n) minIdleMs = 0n;
  const startArg = intervalIdArg(argv[5], 0n);
  const start = startArg.exclusive ? nextId(startArg.id) : startArg.id;
  if (start === null) fail(ERR_START_INTERVAL);
  let count = AUTOCLAIM_COUNT_DEFAULT;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const moreArgs = argv.length - 1 - j;
    if (isCWord(argv[j], "count") && moreArgs > 0) {
      count = int64RangeArg(argv[j + 1], 1n, AUTOCLAIM_COUNT_MAX, "ERR COUNT must be > 0");
      j++;
    } else if (isCWord(argv[j], "justid")) {
      justId = true;
    } else {
      fail("ERR syntax error");
    }
  }
  const stream = readStream(ctx, key);
  const group = stream?.groups.get(latin1(groupName));
  if (stream === null || group === undefined) fail(noSuchGroup(key, groupName));
  if (count > AUTOCLAIM_COUNT_ALLOC_MAX) {
    fail("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
  }
  const propagated: Propagated = [];
  ctx.propagateAs = propagated;
  const nowMs = ctx.nowMs;
  const pel = group.pel;
  let attempts = count * AUTOCLAIM_ATTEMPTS_FACTOR;
  let left = count;
  let next = pel.lowerBound(start);
  let exhausted = false;
  let consumer: StreamConsumer | null = null;
  const deletedIds: StreamId[] = [];
  const claimed: (() => void)[] = [];
  let changed = 0;
  // The loop mirrors `while (attempts-- && count && raxNext(&ri))`, `next` being where raxNext
  // would land.
  for (;;) {
    if (attempts-- === 0n || left === 0n) break;
    if (next >= pel.size) {
      exhausted = true;
      break;
    }
    const at = next++;
    const id = pel.idAt(at);
    const nack = pel.valueAt(at);
    const entry = stream.entry(id);
    if (entry === null) {
      propagated.push(xclaimPropagation(key, groupName, group, formatId(id), nack));
      changed++;
      dropNack(group, id, nack);
      deletedIds.push(id);
      next = at;
      left--;
      continue;
    }
    if (minIdleMs !== 0n && BigInt(nowMs - nack.deliveryTimeMs) < minIdleMs) continue;
    consumer ??= claimer(ctx, group, argv[3]);
    nack.deliveryTimeMs = nowMs;
    if (!justId) nack.deliveryCount = BigInt.asUintN(64, nack.deliveryCount + 1n);
    moveNack(id, nack, consumer);
    claimed.push(justId ? () => out.bulkString(formatId(id)) : () => writeEntry(out, entry));
    left--;
    propagated.push(xclaimPropagation(key, groupName, group, formatId(id), nack));
    changed++;
  }
  const cursor = !exhausted && next < pel.size ? pel.idAt(next) : ID_ZERO;
  if (changed > 0 || consumer !== null) ctx.server.keyChangedUnwatched(ctx.client.db, key);
  out.arrayHeader(3);
  out.bulkString(formatId(cursor));
  out.arrayHeader(claimed.length);
  for (const write of claimed) write();
  out.arrayHeader(deletedIds.length);
  for (const id of deletedIds) out.bulkString(formatId(id));
}

// ── The table ──────────────────────────────────────────────────────────────────────────

function xgroupSub(
  name: string,
  arity: number,
  flags: string[],
  keyFlags: string[],
  summary: string,
  complexity: string,
  since: string,
): CommandDefinition {
  return {
    name,
    arity,
    flags,
    keys: [2, 2, 1],
    keySpecs: keyAt(2, keyFlags),
    categories: ["write", "stream", "slow"],
    group: "stream",
    summary,
    since,
    complexity,
    handler: xgroupCommand,
  };
}

export const STREAM_GROUP_COMMANDS: CommandDefinition[] = [
  {
    name: "xgroup",
    arity: -2,
    group: "stream",
    summary: "A container for consumer groups commands.",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    categories: ["slow"],
    subcommands: [
      xgroupSub(
        "destroy",
        4,
        ["write"],
        ["RW", "delete"],
        "Destroys a consumer group.",
        "O(N) where N is the number of entries in the group's pending entries list (PEL).",
        "5.0.0",
      ),
      xgroupSub(
        "createconsumer",
        5,
        ["write", "denyoom"],
        ["RW", "insert"],
        "Creates a consumer in a consumer group.",
        "O(1)",
        "6.2.0",
      ),
      xgroupSub(
        "create",
        -5,
        ["write", "denyoom"],
        ["RW", "insert"],
        "Creates a consumer group.",
        "O(1)",
        "5.0.0",
      ),
      xgroupSub(
        "delconsumer",
        5,
        ["write"],
        ["RW", "delete"],
        "Deletes a consumer from a consumer group.",
        "O(1)",
        "5.0.0",
      ),
      xgroupSub(
        "setid",
        -5,
        ["write"],
        ["RW", "update"],
        "Sets the last-delivered ID of a consumer group.",
        "O(1)",
        "5.0.0",
      ),
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["stream", "slow"],
        group: "stream",
        summary: "Returns helpful text about the different subcommands.",
        since: "5.0.0",
        handler: (ctx) => writeHelp(ctx.out, XGROUP_HELP),
      },
    ],
  },
  {
    name: "xack",
    arity: -4,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "update"]),
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "Returns the number of messages that were successfully acknowledged by the " +
      "consumer group member of a stream.",
    since: "5.0.0",
    complexity: "O(1) for each message ID processed.",
    handler: xackCommand,
  },
  {
    name: "xpending",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RO", "access"]),
    categories: ["read", "stream", "slow"],
    group: "stream",
    summary: "Returns the information and entries from a stream consumer group's pending " +
      "entries list.",
    since: "5.0.0",
    complexity: "O(N) with N being the number of elements returned, so asking for a small " +
      "fixed number of entries per call is O(1). O(M), where M is the total number of " +
      "entries scanned when used with the IDLE filter. When the command returns just the " +
      "summary and the list of consumers is small, it runs in O(1) time; otherwise, an " +
      "additional O(N) time for iterating every consumer.",
    tips: ["nondeterministic_output"],
    handler: xpendingCommand,
  },
  {
    name: "xclaim",
    arity: -6,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "update"]),
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "Changes, or acquires, ownership of a message in a consumer group, as if the " +
      "message was delivered a consumer group member.",
    since: "5.0.0",
    complexity: "O(log N) with N being the number of messages in the PEL of the consumer " +
      "group.",
    tips: ["nondeterministic_output"],
    handler: xclaimCommand,
  },
  {
    name: "xautoclaim",
    arity: -6,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "delete"]),
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "Changes, or acquires, ownership of messages in a consumer group, as if the " +
      "messages were delivered to as consumer group member.",
    since: "6.2.0",
    complexity: "O(1) if COUNT is small.",
    tips: ["nondeterministic_output"],
    handler: xautoclaimCommand,
  },
];
