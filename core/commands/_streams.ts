// What the stream commands (streams.ts, stream_read.ts, stream_groups.ts) share: ID arguments
// with Redis's error texts, the XADD / XTRIM trimming options, the node limits from the config,
// entry replies, and the C-string views Redis's error messages and option words go through.

import { cString, isCWord, latin1 } from "../bytes.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import { streamCreate, streamRead, streamWrite } from "../engine/stream.ts";
import { CommandError, fail } from "../errors.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import type { ClientState } from "../sessions/client.ts";
import {
  formatId,
  type NodeLimits,
  parseId,
  type Stream,
  type StreamEntry,
  type StreamId,
  type TrimSpec,
} from "../streams/mod.ts";
import { int64Arg } from "./_args.ts";
import type { CommandContext } from "./context.ts";

export const ERR_INVALID_ID = "ERR Invalid stream ID specified as stream command argument";
export const ERR_START_INTERVAL = "ERR invalid start ID for the interval";
export const ERR_END_INTERVAL = "ERR invalid end ID for the interval";
/** Redis's AOF-loading client: it obeys like a master (mustObeyClient). */
const AOF_CLIENT_ADDR = "aof";
/** Approximate trimming's default work limit: 100 nodes, within [10000 when 0, 1000000]. */
const TRIM_LIMIT_NODES = 100n;
const TRIM_LIMIT_FALLBACK = 10_000n;
const TRIM_LIMIT_MAX = 1_000_000n;
/** How much of a subcommand name an error echoes (Redis's %.128s). */
const SUBCOMMAND_ECHO_MAX_CHARS = 128;

/** latin1 text of the argument up to its first NUL (a `%s` in Redis's error formats). */
export function cText(arg: Uint8Array): string {
  return latin1(cString(arg));
}

/** Whether the argument is exactly `text` as a C string ("$", ">", "~", "="). */
export function isCText(arg: Uint8Array, text: string): boolean {
  const bytes = cString(arg);
  if (bytes.length !== text.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Our master and the AOF replay: Redis's mustObeyClient, exempt from trimming limits. */
export function obeysAsMaster(client: ClientState): boolean {
  return client.isMaster || client.addr === AOF_CLIENT_ADDR;
}

/**
 * An ID argument (streamParseStrictIDOrReply when strict, streamParseIDOrReply when not);
 * `missingSeq` completes an ID given as `<ms>`.
 */
export function idArg(arg: Uint8Array, strict: boolean, missingSeq = 0n): StreamId {
  const parsed = parseId(arg, { missingSeq, strict });
  if (parsed === null) fail(ERR_INVALID_ID);
  return parsed.id;
}

/** A range bound: `(` makes it exclusive (and strict), as streamParseIntervalIDOrReply. */
export function intervalIdArg(
  arg: Uint8Array,
  missingSeq: bigint,
): { id: StreamId; exclusive: boolean } {
  const exclusive = arg.length > 1 && arg[0] === 0x28;
  if (!exclusive) return { id: idArg(arg, false, missingSeq), exclusive };
  return { id: idArg(arg.subarray(1), true, missingSeq), exclusive };
}

/** stream-node-max-bytes / -entries as the config holds them now. */
export function nodeLimits(ctx: CommandContext): NodeLimits {
  const config = ctx.server.config;
  return {
    maxBytes: config.getNumber("stream-node-max-bytes"),
    maxEntries: config.getNumber("stream-node-max-entries"),
  };
}

/** What streamParseAddOrTrimArgsOrReply found for XADD / XTRIM. */
export interface AddTrimArgs {
  trim: TrimSpec | null;
  /** argv index of the MAXLEN/MINID threshold (its `~` is just before), for the rewrite. */
  trimArgIndex: number;
  noMkStream: boolean;
  /** XADD: argv index of the ID (argv.length when none was found). */
  idIndex: number;
  /** XADD: the ID given, or null for `*`. */
  id: StreamId | null;
  /** XADD: false for `<ms>-*` (and `*`). */
  seqGiven: boolean;
}

/**
 * Parses XADD's (xadd true) or XTRIM's options from argv[2] in Redis's order, failing with its
 * errors. An approximate trim without LIMIT gets the default work limit; our master and the AOF
 * trim without one (what they send was made exact by their own master).
 */
export function addTrimArgs(ctx: CommandContext, xadd: boolean): AddTrimArgs {
  const argv = ctx.argv;
  let strategy: "maxlen" | "minid" | null = null;
  let approx = false;
  let maxlen = 0n;
  let minid: StreamId | null = null;
  let limit = 0n;
  let limitGiven = false;
  let trimArgIndex = 0;
  let noMkStream = false;
  let id: StreamId | null = null;
  let seqGiven = true;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    const opt = argv[i];
    if (xadd && opt.length > 0 && opt[0] === 0x2a && (opt.length === 1 || opt[1] === 0)) {
      seqGiven = false;
      break;
    } else if ((isCWord(opt, "maxlen") || isCWord(opt, "minid")) && moreArgs > 0) {
      if (strategy !== null) {
        fail("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
      }
      approx = false;
      const next = argv[i + 1];
      if (moreArgs >= 2 && isCText(next, "~")) {
        approx = true;
        i++;
      } else if (moreArgs >= 2 && isCText(next, "=")) {
        i++;
      }
      if (isCWord(opt, "maxlen")) {
        maxlen = int64Arg(argv[i + 1]);
        if (maxlen < 0n) fail("ERR The MAXLEN argument must be >= 0.");
        strategy = "maxlen";
      } else {
        minid = idArg(argv[i + 1], true);
        strategy = "minid";
      }
      i++;
      trimArgIndex = i;
    } else if (isCWord(opt, "limit") && moreArgs > 0) {
      limit = int64Arg(argv[i + 1]);
      if (limit < 0n) fail("ERR The LIMIT argument must be >= 0.");
      limitGiven = true;
      i++;
    } else if (xadd && isCWord(opt, "nomkstream")) {
      noMkStream = true;
    } else if (xadd) {
      const parsed = parseId(opt, { missingSeq: 0n, strict: true, allowSeqWildcard: true });
      if (parsed === null) fail(ERR_INVALID_ID);
      id = parsed.id;
      seqGiven = parsed.seqGiven;
      break;
    } else {
      fail("ERR syntax error");
    }
  }
  if (limit !== 0n && strategy === null) {
    fail("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
  }
  if (!xadd && strategy === null) {
    fail("ERR syntax error, XTRIM must be called with a trimming strategy");
  }
  if (obeysAsMaster(ctx.client)) {
    limit = 0n;
  } else if (limitGiven) {
    if (!approx) fail("ERR syntax error, LIMIT cannot be used without the special ~ option");
  } else if (approx) {
    limit = TRIM_LIMIT_NODES * BigInt(ctx.server.config.getNumber("stream-node-max-entries"));
    if (limit <= 0n) limit = TRIM_LIMIT_FALLBACK;
    if (limit > TRIM_LIMIT_MAX) limit = TRIM_LIMIT_MAX;
  } else {
    limit = 0n;
  }
  let trim: TrimSpec | null = null;
  if (strategy === "maxlen") trim = { strategy, maxlen, approx, limit };
  else if (strategy === "minid") trim = { strategy, minid: minid!, approx, limit };
  return { trim, trimArgIndex, noMkStream, idIndex: i, id, seqGiven };
}

/**
 * After an approximate trim, what a replica must replay: `=` for the `~` and the exact
 * threshold reached (streamRewriteTrimArgument), so the replica's trim is deterministic.
 */
export function rewriteApproxTrim(
  propagated: (Uint8Array | string)[],
  stream: Stream,
  trim: TrimSpec,
  trimArgIndex: number,
): void {
  propagated[trimArgIndex - 1] = "=";
  propagated[trimArgIndex] = trim.strategy === "maxlen"
    ? String(stream.length)
    : formatId(stream.edgeId(true, false));
}

/** One entry as Redis replies it: [id, [field, value, …]]. */
export function writeEntry(out: ReplyWriter, entry: StreamEntry): void {
  out.arrayHeader(2);
  out.bulkString(formatId(entry.id));
  out.arrayHeader(entry.fields.length * 2);
  for (let i = 0; i < entry.fields.length; i++) {
    out.bulk(entry.fields[i]);
    out.bulk(entry.values[i]);
  }
}

/** An array of entries. */
export function writeEntries(out: ReplyWriter, entries: readonly StreamEntry[]): void {
  out.arrayHeader(entries.length);
  for (const entry of entries) writeEntry(out, entry);
}

/** The stream at argv[index] for reading, or null (WRONGTYPE thrown). */
export function readStream(ctx: CommandContext, key: Uint8Array): Stream | null {
  return streamRead(ctx.server.engine, ctx.client.db, key, ctx.nowMs);
}

/** The stream at key for writing, or null (WRONGTYPE thrown). */
export function writeStream(ctx: CommandContext, key: Uint8Array): Stream | null {
  return streamWrite(ctx.server.engine, ctx.client.db, key, ctx.nowMs);
}

/** The stream at key for writing, created when missing (WRONGTYPE / OOM thrown). */
export function createStream(ctx: CommandContext, key: Uint8Array): Stream {
  return streamCreate(ctx.server.engine, ctx.client.db, key, ctx.nowMs).stream;
}

/** Redis's addReplySubcommandSyntaxError, naming the subcommand as the client typed it. */
export function subcommandSyntaxError(ctx: CommandContext): CommandError {
  const sub = cText(ctx.argv[1]).slice(0, SUBCOMMAND_ECHO_MAX_CHARS);
  const parent = cText(ctx.argv[0]).toUpperCase();
  return new CommandError(
    `ERR unknown subcommand or wrong number of arguments for '${sub}'. Try ${parent} HELP.`,
  );
}

/** COMMAND INFO key spec of a command whose one key is argv[index]. */
export function keyAt(index: number, flags: string[]): KeySpec[] {
  return [{ flags, beginIndex: index, lastKey: 0, keyStep: 1, limit: 0 }];
}
