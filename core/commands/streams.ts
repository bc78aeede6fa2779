// Stream commands without consumer groups: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XSETID
// and XINFO; the table STREAM_COMMANDS also carries XREAD / XREADGROUP (stream_read.ts) and the
// group commands (stream_groups.ts), so the registry needs one line for the whole family.
//
// Each handler follows its t_stream.c counterpart step by step — argument parsing, key lookup
// and type check in Redis's order — so the same bad call fails with the same error first. The
// stream itself (core/streams/) decides IDs, trimming and node layout; handlers write replies
// and say what a replica must replay: XADD with `*` or `<ms>-*` is propagated with the ID it
// made, and an approximate trim (`~`) as the exact one it performed.

import { fromLatin1, isCWord, latin1 } from "../bytes.ts";
import { fail, wrongArity } from "../errors.ts";
import {
  compareIds,
  formatId,
  ID_MAX,
  ID_ZERO,
  nextId,
  previousId,
  type Stream,
  type StreamId,
} from "../streams/mod.ts";
import { int64Arg } from "./_args.ts";
import {
  addTrimArgs,
  createStream,
  cText,
  ERR_END_INTERVAL,
  ERR_START_INTERVAL,
  idArg,
  intervalIdArg,
  keyAt,
  nodeLimits,
  readStream,
  rewriteApproxTrim,
  subcommandSyntaxError,
  writeEntries,
  writeEntry,
  writeStream,
} from "./_streams.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { STREAM_GROUP_COMMANDS } from "./stream_groups.ts";
import { STREAM_READ_COMMANDS } from "./stream_read.ts";
import { writeHelp } from "./_help.ts";

/** A node never holds more than 1 GiB of field and value bytes (STREAM_LISTPACK_MAX_SIZE). */
const ENTRY_RAW_MAX_BYTES = 1 << 30;
/** XINFO STREAM FULL's default COUNT: bounded so one call cannot stall the server. */
const XINFO_FULL_COUNT_DEFAULT = 10n;

const ERR_XADD_ZERO_ID = "ERR The ID specified in XADD must be greater than 0-0";
const ERR_XADD_EXHAUSTED =
  "ERR The stream has exhausted the last possible ID, unable to add more items";
const ERR_XADD_SMALLER =
  "ERR The ID specified in XADD is equal or smaller than the target stream top item";
const ERR_XADD_TOO_LARGE = "ERR Elements are too large to be stored";

// ── XADD ───────────────────────────────────────────────────────────────────────────────

/**
 * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field
 * value …] — replies the new ID, or a null bulk for NOMKSTREAM on a missing key.
 */
function xaddCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const args = addTrimArgs(ctx, true);
  const fieldIndex = args.idIndex + 1;
  const pairCount = argv.length - fieldIndex;
  if (pairCount < 2 || pairCount % 2 === 1) throw wrongArity("xadd");
  if (args.id !== null && args.seqGiven && compareIds(args.id, ID_ZERO) === 0) {
    fail(ERR_XADD_ZERO_ID);
  }
  const key = argv[1];
  let stream = writeStream(ctx, key);
  if (stream === null) {
    if (args.noMkStream) return out.nullBulk();
    stream = createStream(ctx, key);
  }
  if (compareIds(stream.lastId, ID_MAX) === 0) fail(ERR_XADD_EXHAUSTED);
  let id: StreamId | null;
  if (args.id === null) id = stream.autoId(ctx.nowMs);
  else if (!args.seqGiven) id = stream.autoSeqId(args.id.ms);
  else id = args.id;
  if (id === null) fail(ERR_XADD_TOO_LARGE);
  if (compareIds(id, stream.lastId) <= 0) fail(ERR_XADD_SMALLER);
  let rawBytes = 0;
  for (let i = fieldIndex; i < argv.length; i++) rawBytes += argv[i].length;
  if (rawBytes > ENTRY_RAW_MAX_BYTES) fail(ERR_XADD_TOO_LARGE);
  stream.append(id, argv.slice(fieldIndex), nodeLimits(ctx));
  const idText = formatId(id);
  out.bulkString(idText);
  ctx.server.keyModified(ctx.client.db, key);
  const propagated: (Uint8Array | string)[] = [...argv];
  if (args.trim !== null) {
    stream.trim(args.trim);
    if (args.trim.approx) rewriteApproxTrim(propagated, stream, args.trim, args.trimArgIndex);
  }
  if (args.id === null || !args.seqGiven) propagated[args.idIndex] = idText;
  ctx.propagateAs = [propagated];
}

// ── Reading ────────────────────────────────────────────────────────────────────────────

/** XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count] */
function xrangeGeneric(ctx: CommandContext, rev: boolean): void {
  const { argv, out } = ctx;
  const startArg = intervalIdArg(rev ? argv[3] : argv[2], 0n);
  let start: StreamId | null = startArg.id;
  if (startArg.exclusive && (start = nextId(start)) === null) fail(ERR_START_INTERVAL);
  const endArg = intervalIdArg(rev ? argv[2] : argv[3], 0xffff_ffff_ffff_ffffn);
  let end: StreamId | null = endArg.id;
  if (endArg.exclusive && (end = previousId(end)) === null) fail(ERR_END_INTERVAL);
  let count = -1n;
  for (let j = 4; j < argv.length; j++) {
    if (isCWord(argv[j], "count") && argv.length - j - 1 >= 1) {
      count = int64Arg(argv[j + 1]);
      if (count < 0n) count = 0n;
      j++;
    } else {
      fail("ERR syntax error");
    }
  }
  const stream = readStream(ctx, argv[1]);
  if (stream === null) return out.arrayHeader(0);
  if (count === 0n) return out.nullArray();
  const limit = count === -1n ? 0 : Number(count > 0x7fffffffn ? 0x7fffffffn : count);
  writeEntries(out, stream.range(start, end, rev, limit));
}

/** XLEN key */
function xlenCommand(ctx: CommandContext): void {
  const stream = readStream(ctx, ctx.argv[1]);
  ctx.out.integer(stream === null ? 0 : stream.length);
}

// ── Deleting and trimming ──────────────────────────────────────────────────────────────

/** XDEL key id [id …] — the key is looked up before the IDs are parsed, as in Redis. */
function xdelCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const stream = writeStream(ctx, argv[1]);
  if (stream === null) return out.integer(0);
  const ids = argv.slice(2).map((arg) => idArg(arg, true));
  const deleted = stream.deleteIds(ids);
  if (deleted > 0) {
    ctx.server.keyModified(ctx.client.db, argv[1]);
    ctx.server.dirty += deleted - 1;
  }
  out.integer(deleted);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] — replies the entries removed. */
function xtrimCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const args = addTrimArgs(ctx, false);
  const stream = writeStream(ctx, argv[1]);
  if (stream === null) return out.integer(0);
  const deleted = stream.trim(args.trim!);
  if (deleted > 0) {
    if (args.trim!.approx) {
      const propagated: (Uint8Array | string)[] = [...argv];
      rewriteApproxTrim(propagated, stream, args.trim!, args.trimArgIndex);
      ctx.propagateAs = [propagated];
    }
    ctx.server.keyModified(ctx.client.db, argv[1]);
    ctx.server.dirty += deleted - 1;
  }
  out.integer(deleted);
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetidCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const id = idArg(argv[2], true);
  let entriesAdded = -1n;
  let maxDeletedId = ID_ZERO;
  for (let i = 3; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    if (isCWord(argv[i], "entriesadded") && moreArgs > 0) {
      entriesAdded = int64Arg(argv[i + 1]);
      if (entriesAdded < 0n) fail("ERR entries_added must be positive");
      i++;
    } else if (isCWord(argv[i], "maxdeletedid") && moreArgs > 0) {
      maxDeletedId = idArg(argv[i + 1], true);
      if (compareIds(id, maxDeletedId) < 0) {
        fail("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
      }
      i++;
    } else {
      fail("ERR syntax error");
    }
  }
  const stream = writeStream(ctx, argv[1]);
  if (stream === null) fail("ERR no such key");
  if (stream.length > 0) {
    if (compareIds(id, stream.lastValidId()) < 0) {
      fail("ERR The ID specified in XSETID is smaller than the target stream top item");
    }
    if (entriesAdded !== -1n && BigInt(stream.length) > entriesAdded) {
      fail("ERR The entries_added specified in XSETID is smaller than the target stream length");
    }
  }
  stream.lastId = id;
  if (entriesAdded !== -1n) stream.entriesAdded = entriesAdded;
  if (compareIds(maxDeletedId, ID_ZERO) !== 0) stream.maxDeletedId = maxDeletedId;
  ctx.server.keyChangedUnwatched(ctx.client.db, argv[1]); // XSETID: no WATCH signal in 7.0
  out.simple("OK");
}

// ── XINFO ──────────────────────────────────────────────────────────────────────────────

/** The stream XINFO's subcommands read: "ERR no such key" when missing, as Redis. */
function xinfoStream(ctx: CommandContext): Stream {
  const stream = readStream(ctx, ctx.argv[2]);
  if (stream === null) fail("ERR no such key");
  return stream;
}

/** A group's lag: an integer, or a null when it cannot be known. */
function writeLag(ctx: CommandContext, lag: bigint | null): void {
  if (lag === null) ctx.out.nullBulk();
  else ctx.out.integer(lag);
}

/** XINFO STREAM key [FULL [COUNT count]] */
function xinfoStreamCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const stream = xinfoStream(ctx);
  const options = argv.length - 3;
  let full = false;
  let count = XINFO_FULL_COUNT_DEFAULT;
  if (options > 0) {
    if (options !== 1 && options !== 3) throw subcommandSyntaxError(ctx);
    if (!isCWord(argv[3], "full")) throw subcommandSyntaxError(ctx);
    if (options === 3) {
      if (!isCWord(argv[4], "count")) throw subcommandSyntaxError(ctx);
      count = int64Arg(argv[5]);
      if (count < 0n) count = XINFO_FULL_COUNT_DEFAULT;
    }
    full = true;
  }
  out.mapHeader(full ? 9 : 10);
  out.bulkString("length");
  out.integer(stream.length);
  out.bulkString("radix-tree-keys");
  out.integer(stream.nodeCount);
  out.bulkString("radix-tree-nodes");
  out.integer(stream.radixTreeNodeCount());
  out.bulkString("last-generated-id");
  out.bulkString(formatId(stream.lastId));
  out.bulkString("max-deleted-entry-id");
  out.bulkString(formatId(stream.maxDeletedId));
  out.bulkString("entries-added");
  out.integer(stream.entriesAdded);
  out.bulkString("recorded-first-entry-id");
  out.bulkString(formatId(stream.firstId));
  if (!full) {
    out.bulkString("groups");
    out.integer(stream.groups.size);
    const first = stream.range(ID_ZERO, ID_MAX, false, 1)[0];
    out.bulkString("first-entry");
    if (first === undefined) out.nullBulk();
    else writeEntry(out, first);
    const last = stream.range(ID_ZERO, ID_MAX, true, 1)[0];
    out.bulkString("last-entry");
    if (last === undefined) out.nullBulk();
    else writeEntry(out, last);
    return;
  }
  const limit = count > 0x7fffffffn ? 0x7fffffff : Number(count);
  out.bulkString("entries");
  writeEntries(out, stream.range(ID_ZERO, ID_MAX, false, limit));
  out.bulkString("groups");
  const groups = stream.sortedGroups();
  out.arrayHeader(groups.length);
  for (const group of groups) {
    out.mapHeader(7);
    out.bulkString("name");
    out.bulk(fromLatin1(group.name));
    out.bulkString("last-delivered-id");
    out.bulkString(formatId(group.lastId));
    out.bulkString("entries-read");
    if (group.entriesRead === -1n) out.nullBulk();
    else out.integer(group.entriesRead);
    out.bulkString("lag");
    writeLag(ctx, stream.groupLag(group));
    out.bulkString("pel-count");
    out.integer(group.pel.size);
    out.bulkString("pending");
    const pelShown = limit === 0 ? group.pel.size : Math.min(limit, group.pel.size);
    out.arrayHeader(pelShown);
    for (let i = 0; i < pelShown; i++) {
      const nack = group.pel.valueAt(i);
      out.arrayHeader(4);
      out.bulkString(formatId(group.pel.idAt(i)));
      out.bulk(fromLatin1(nack.consumer!.name));
      out.integer(nack.deliveryTimeMs);
      out.integer(nack.deliveryCount);
    }
    const consumers = group.sortedConsumers();
    out.bulkString("consumers");
    out.arrayHeader(consumers.length);
    for (const consumer of consumers) {
      out.mapHeader(4);
      out.bulkString("name");
      out.bulk(fromLatin1(consumer.name));
      out.bulkString("seen-time");
      out.integer(consumer.seenTimeMs);
      out.bulkString("pel-count");
      out.integer(consumer.pel.size);
      out.bulkString("pending");
      const shown = limit === 0 ? consumer.pel.size : Math.min(limit, consumer.pel.size);
      out.arrayHeader(shown);
      for (let i = 0; i < shown; i++) {
        const nack = consumer.pel.valueAt(i);
        out.arrayHeader(3);
        out.bulkString(formatId(consumer.pel.idAt(i)));
        out.integer(nack.deliveryTimeMs);
        out.integer(nack.deliveryCount);
      }
    }
  }
}

/** XINFO GROUPS key */
function xinfoGroupsCommand(ctx: CommandContext): void {
  const { out } = ctx;
  const stream = xinfoStream(ctx);
  const groups = stream.sortedGroups();
  out.arrayHeader(groups.length);
  for (const group of groups) {
    out.mapHeader(6);
    out.bulkString("name");
    out.bulk(fromLatin1(group.name));
    out.bulkString("consumers");
    out.integer(group.consumers.size);
    out.bulkString("pending");
    out.integer(group.pel.size);
    out.bulkString("last-delivered-id");
    out.bulkString(formatId(group.lastId));
    out.bulkString("entries-read");
    if (group.entriesRead === -1n) out.nullBulk();
    else out.integer(group.entriesRead);
    out.bulkString("lag");
    writeLag(ctx, stream.groupLag(group));
  }
}

/** XINFO CONSUMERS key group */
function xinfoConsumersCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const stream = xinfoStream(ctx);
  const group = stream.groups.get(latin1(argv[3]));
  if (group === undefined) {
    fail(
      `NOGROUP No such consumer group '${cText(argv[3])}' for key name '${cText(argv[2])}'`,
    );
  }
  const consumers = group.sortedConsumers();
  out.arrayHeader(consumers.length);
  for (const consumer of consumers) {
    out.mapHeader(3);
    out.bulkString("name");
    out.bulk(fromLatin1(consumer.name));
    out.bulkString("pending");
    out.integer(consumer.pel.size);
    out.bulkString("idle");
    out.integer(Math.max(0, ctx.nowMs - consumer.seenTimeMs));
  }
}

const XINFO_HELP = [
  "XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
  "CONSUMERS <key> <groupname>",
  "    Show consumers of <groupname>.",
  "GROUPS <key>",
  "    Show the stream consumer groups.",
  "STREAM <key> [FULL [COUNT <count>]",
  "    Show information about the stream.",
  "HELP",
  "    Prints this help.",
];

// ── The table ──────────────────────────────────────────────────────────────────────────

export const STREAM_COMMANDS: CommandDefinition[] = [
  {
    name: "xadd",
    arity: -5,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: [{
      notes: "UPDATE instead of INSERT because of the optional trimming feature",
      ...keyAt(1, ["RW", "update"])[0],
    }],
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "Appends a new message to a stream. Creates the key if it doesn't exist.",
    since: "5.0.0",
    complexity: "O(1) when adding a new entry, O(N) when trimming where N being the number " +
      "of entries evicted.",
    tips: ["nondeterministic_output"],
    handler: xaddCommand,
  },
  {
    name: "xrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RO", "access"]),
    categories: ["read", "stream", "slow"],
    group: "stream",
    summary: "Returns the messages from a stream within a range of IDs.",
    since: "5.0.0",
    complexity: "O(N) with N being the number of elements being returned. If N is constant " +
      "(e.g. always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: (ctx) => xrangeGeneric(ctx, false),
  },
  {
    name: "xrevrange",
    arity: -4,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RO", "access"]),
    categories: ["read", "stream", "slow"],
    group: "stream",
    summary: "Returns the messages from a stream within a range of IDs in reverse order.",
    since: "5.0.0",
    complexity: "O(N) with N being the number of elements returned. If N is constant (e.g. " +
      "always asking for the first 10 elements with COUNT), you can consider it O(1).",
    handler: (ctx) => xrangeGeneric(ctx, true),
  },
  {
    name: "xlen",
    arity: 2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RO"]),
    categories: ["read", "stream", "fast"],
    group: "stream",
    summary: "Return the number of messages in a stream.",
    since: "5.0.0",
    handler: xlenCommand,
  },
  {
    name: "xdel",
    arity: -3,
    flags: ["write", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "delete"]),
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "Returns the number of messages after removing them from a stream.",
    since: "5.0.0",
    complexity: "O(1) for each single item to delete in the stream, regardless of the stream " +
      "size.",
    handler: xdelCommand,
  },
  {
    name: "xtrim",
    arity: -4,
    flags: ["write"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "delete"]),
    categories: ["write", "stream", "slow"],
    group: "stream",
    summary: "Deletes messages from the beginning of a stream.",
    since: "5.0.0",
    complexity: "O(N), with N being the number of evicted entries. Constant times are very " +
      "small however, since entries are organized in macro nodes containing multiple entries " +
      "that can be released with a single deallocation.",
    tips: ["nondeterministic_output"],
    handler: xtrimCommand,
  },
  {
    name: "xsetid",
    arity: -3,
    flags: ["write", "denyoom", "fast"],
    keys: [1, 1, 1],
    keySpecs: keyAt(1, ["RW", "update"]),
    categories: ["write", "stream", "fast"],
    group: "stream",
    summary: "An internal command for replicating stream values.",
    since: "5.0.0",
    handler: xsetidCommand,
  },
  {
    name: "xinfo",
    arity: -2,
    group: "stream",
    summary: "A container for stream introspection commands.",
    since: "5.0.0",
    complexity: "Depends on subcommand.",
    categories: ["slow"],
    subcommands: [
      {
        name: "stream",
        arity: -3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        keySpecs: keyAt(2, ["RO", "access"]),
        categories: ["read", "stream", "slow"],
        group: "stream",
        summary: "Returns information about a stream.",
        since: "5.0.0",
        handler: xinfoStreamCommand,
      },
      {
        name: "help",
        arity: 2,
        flags: ["loading", "stale"],
        categories: ["stream", "slow"],
        group: "stream",
        summary: "Returns helpful text about the different subcommands.",
        since: "5.0.0",
        handler: (ctx) => writeHelp(ctx.out, XINFO_HELP),
      },
      {
        name: "groups",
        arity: 3,
        flags: ["readonly"],
        keys: [2, 2, 1],
        keySpecs: keyAt(2, ["RO", "access"]),
        categories: ["read", "stream", "slow"],
        group: "stream",
        summary: "Returns a list of the consumer groups of a stream.",
        since: "5.0.0",
        handler: xinfoGroupsCommand,
      },
      {
        name: "consumers",
        arity: 4,
        flags: ["readonly"],
        keys: [2, 2, 1],
        keySpecs: keyAt(2, ["RO", "access"]),
        categories: ["read", "stream", "slow"],
        group: "stream",
        summary: "Returns a list of the consumers in a consumer group.",
        since: "5.0.0",
        tips: ["nondeterministic_output"],
        handler: xinfoConsumersCommand,
      },
    ],
  },
  ...STREAM_READ_COMMANDS,
  ...STREAM_GROUP_COMMANDS,
];
