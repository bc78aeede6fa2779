// The bitmap and bit-field commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD BITFIELD_RO.
// A bitmap is an ordinary string value in the engine (OBJECT ENCODING "raw" once a bit command
// wrote it, as in Redis), so these handlers read with getString and write with set or append;
// the bit arithmetic itself lives in _bits.ts.
//
// Why the writes are shaped so: the engine offers no in-place byte write (a SETRANGE-like call),
// only whole-value set() and append(). SETBIT and BITFIELD therefore edit a BitEdit (a copy of
// just the bytes they may change) and commit it one of two ways:
//
//   window at or past the end ─► append(window): the engine grows the value in place
//                                (amortized), the stored bytes are not copied;
//   window inside the value   ─► set(value with the window laid over it): one copy of the value
//                                in JS and one back into the engine, O(length) per call.
//
// A write that changes no bit and no length writes nothing (except turning a short value's
// encoding raw, as Redis unshares it). Argument checks run in Redis's order (bitops.c), because
// the first failing check decides which error a client sees: BITCOUNT and BITPOS look the key up
// before parsing their range (a missing key answers 0 or -1 whatever follows), SETBIT and
// BITFIELD parse everything before touching the key.

import { cString, isCWord, parseInt64 } from "../bytes.ts";
import type { KeySpec } from "../command_meta/spec.ts";
import {
  ENCODING_HINT_RAW,
  OutOfMemoryError,
  SET_ENCODING_RAW,
  SET_KEEPTTL,
} from "../engine/mod.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import type { ClientState } from "../sessions/client.ts";
import {
  BitEdit,
  BitOp,
  bitposInRange,
  type ByteRange,
  clampRange,
  FIELD_SIGNED_BITS_MAX,
  FIELD_UNSIGNED_BITS_MAX,
  type FieldOp,
  FieldOpKind,
  type FieldType,
  foldSource,
  Overflow,
  popcount,
  popcountByte,
  readFieldOp,
  wholeValue,
  writeFieldOp,
} from "./_bits.ts";
import { int64Arg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

const ERR_BIT_OFFSET = "ERR bit offset is not an integer or out of range";
const ERR_BIT_VALUE = "ERR bit is not an integer or out of range";
const ERR_BITPOS_BIT = "ERR The bit argument must be 1 or 0.";
const ERR_BITOP_NOT = "ERR BITOP NOT must be called with a single source key.";
const ERR_FIELD_TYPE =
  "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const ERR_OVERFLOW_TYPE = "ERR Invalid OVERFLOW type specified";
const ERR_BITFIELD_RO = "ERR BITFIELD_RO only supports the GET subcommand";

/**
 * Bytes a wasm32 engine could ever hold. The master and the AOF are not held to
 * proto-max-bulk-len (Redis's mustObeyClient), but an offset past this cannot be stored at all:
 * it is refused as out of memory rather than attempted.
 */
const ENGINE_BYTES_MAX = 2 ** 32;
/** Strings up to this length show as "embstr" or "int" unless marked raw (keys.ts's limit). */
const EMBSTR_LEN_MAX = 44;
/** The address the AOF replay client carries (core/network/start.ts); it obeys no size limit. */
const AOF_CLIENT_ADDR = "aof";
/** `#` before a BITFIELD offset: the offset counts fields of the type's width, not bits. */
const FIELD_INDEX_PREFIX = 0x23;
const LOWER_I = 0x69;
const LOWER_U = 0x75;

// ── Arguments ───────────────────────────────────────────────────────────────────────────

/** True for the clients Redis exempts from proto-max-bulk-len: our master and the AOF. */
function obeysWithoutLimits(client: ClientState): boolean {
  return client.isMaster || client.addr === AOF_CLIENT_ADDR;
}

/**
 * A bit offset (getBitOffsetFromArgument): a non-negative integer whose byte lies below
 * proto-max-bulk-len. With `fieldBits` > 0 (BITFIELD) `#n` means n fields of that width; C
 * multiplies in 64 bits, so a huge n wraps, usually to a negative offset, which is refused.
 */
function bitOffsetArg(ctx: CommandContext, arg: Uint8Array, fieldBits: number): number {
  const fieldIndexed = fieldBits > 0 && arg.length > 0 && arg[0] === FIELD_INDEX_PREFIX;
  const parsed = parseInt64(fieldIndexed ? arg.subarray(1) : arg);
  if (parsed === null) fail(ERR_BIT_OFFSET);
  const offset = fieldIndexed ? BigInt.asIntN(64, parsed * BigInt(fieldBits)) : parsed;
  if (offset < 0n) fail(ERR_BIT_OFFSET);
  const byteIndex = offset >> 3n;
  if (!obeysWithoutLimits(ctx.client)) {
    const maxBytes = BigInt(ctx.server.config.getNumber("proto-max-bulk-len"));
    if (byteIndex >= maxBytes) fail(ERR_BIT_OFFSET);
  } else if (byteIndex >= BigInt(ENGINE_BYTES_MAX)) {
    throw new OutOfMemoryError();
  }
  return Number(offset);
}

/** SETBIT's value: 0 or 1, else "bit is not an integer or out of range". */
function bitValueArg(arg: Uint8Array): 0 | 1 {
  const value = parseInt64(arg);
  if (value !== 0n && value !== 1n) fail(ERR_BIT_VALUE);
  return value === 1n ? 1 : 0;
}

/** BITCOUNT / BITPOS unit: BIT (true) or BYTE (false), else a syntax error. */
function inBitsArg(arg: Uint8Array): boolean {
  if (isCWord(arg, "bit")) return true;
  if (isCWord(arg, "byte")) return false;
  fail(ERR_SYNTAX);
}

/** A BITFIELD type: i1..i64 or u1..u63 (lower-case letter; digits read up to a NUL, as C). */
function fieldTypeArg(arg: Uint8Array): FieldType {
  const text = cString(arg);
  const signed = text.length > 0 && text[0] === LOWER_I;
  if (!signed && !(text.length > 0 && text[0] === LOWER_U)) fail(ERR_FIELD_TYPE);
  const bits = parseInt64(text.subarray(1));
  const bitsMax = signed ? FIELD_SIGNED_BITS_MAX : FIELD_UNSIGNED_BITS_MAX;
  if (bits === null || bits < 1n || bits > BigInt(bitsMax)) fail(ERR_FIELD_TYPE);
  return { signed, bits: Number(bits) };
}

function overflowArg(arg: Uint8Array): Overflow {
  if (isCWord(arg, "wrap")) return Overflow.Wrap;
  if (isCWord(arg, "sat")) return Overflow.Sat;
  if (isCWord(arg, "fail")) return Overflow.Fail;
  fail(ERR_OVERFLOW_TYPE);
}

// ── Reading and writing the value ───────────────────────────────────────────────────────

/** The string at key for a read (counted as a keyspace hit or miss), or null; WRONGTYPE throws. */
function readBitmap(ctx: CommandContext, key: Uint8Array): Uint8Array | null {
  const value = ctx.server.engine.getString(ctx.client.db, key, ctx.nowMs);
  if (value === null) ctx.server.stats.keyspaceMisses++;
  else ctx.server.stats.keyspaceHits++;
  return value;
}

/**
 * Opens the string at key for writes to bytes lowByte..highByte (WRONGTYPE throws). A window
 * that reaches past the end starts no later than the end, so the zeros Redis pads with
 * (lookupStringForBitCommand) are part of it and an append can carry them.
 */
function openForBitWrite(
  ctx: CommandContext,
  key: Uint8Array,
  lowByte: number,
  highByte: number,
): BitEdit {
  if (highByte >= ENGINE_BYTES_MAX) throw new OutOfMemoryError();
  const base = ctx.server.engine.getString(ctx.client.db, key, ctx.nowMs);
  const baseLength = base === null ? 0 : base.length;
  const windowStart = highByte >= baseLength ? Math.min(lowByte, baseLength) : lowByte;
  return new BitEdit(base, windowStart, highByte + 1);
}

/**
 * Writes an edit back to the engine and reports it. `changes` counts what Redis counts: fields
 * (or the bit) whose value changed, each also counted when the string was created or grew.
 * A created or grown string is always written and reported, even when every BITFIELD op failed
 * under OVERFLOW FAIL (Redis grows it then too, but neither signals nor propagates that, which
 * leaves its replicas without the padding; here the change reaches WATCH and the replicas).
 */
function commitBitWrite(
  ctx: CommandContext,
  key: Uint8Array,
  edit: BitEdit,
  changes: number,
): void {
  const { server, client, nowMs } = ctx;
  const base = edit.base;
  const grew = base === null || edit.newLength > base.length;
  if (changes === 0 && !grew) return markRaw(ctx, key, base!);
  if (base === null) {
    // A new key: the window starts at byte 0 and is the whole value.
    server.engine.set(client.db, key, edit.window, 0, SET_ENCODING_RAW, nowMs);
  } else if (edit.windowStart === base.length) {
    server.engine.append(client.db, key, edit.window, nowMs);
  } else {
    const value = new Uint8Array(edit.newLength);
    value.set(base);
    value.set(edit.window, edit.windowStart);
    server.engine.set(client.db, key, value, 0, SET_KEEPTTL | SET_ENCODING_RAW, nowMs);
  }
  server.keyModified(client.db, key);
  // Redis adds one to its dirty counter per changed field; keyModified added the first.
  if (changes > 1) server.dirty += changes - 1;
}

/**
 * A bit write that changed nothing still leaves the value "raw" in Redis (it unshares the
 * object first). Only a short value can show otherwise, so only it is rewritten, with its TTL.
 * Not a change: no report, no propagation.
 */
function markRaw(ctx: CommandContext, key: Uint8Array, base: Uint8Array): void {
  if (base.length > EMBSTR_LEN_MAX) return;
  const { engine } = ctx.server;
  const bytes = base.slice(); // the view dies with the next engine call
  if (engine.encodingHint(ctx.client.db, key, ctx.nowMs) & ENCODING_HINT_RAW) return;
  engine.set(ctx.client.db, key, bytes, 0, SET_KEEPTTL | SET_ENCODING_RAW, ctx.nowMs);
}

// ── SETBIT GETBIT ───────────────────────────────────────────────────────────────────────

/**
 * SETBIT key offset value → the bit's previous value. Creates the key, or pads it with zero
 * bytes up to the offset's byte; WRONGTYPE for another type.
 */
function setbitCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  const offset = bitOffsetArg(ctx, argv[2], 0);
  const on = bitValueArg(argv[3]);
  const byteIndex = Math.floor(offset / 8);
  const edit = openForBitWrite(ctx, argv[1], byteIndex, byteIndex);
  const previous = edit.bitAt(offset);
  if (previous !== on) edit.setBit(offset, on);
  commitBitWrite(ctx, argv[1], edit, previous !== on ? 1 : 0);
  ctx.out.integer(previous);
}

/** GETBIT key offset → 0 or 1; bits past the end (or of a missing key) are 0. */
function getbitCommand(ctx: CommandContext): void {
  const offset = bitOffsetArg(ctx, ctx.argv[2], 0);
  const value = readBitmap(ctx, ctx.argv[1]);
  const byteIndex = Math.floor(offset / 8);
  if (value === null || byteIndex >= value.length) return ctx.out.integer(0);
  ctx.out.integer((value[byteIndex] >> (7 - (offset % 8))) & 1);
}

// ── BITCOUNT BITPOS ─────────────────────────────────────────────────────────────────────

/** BITCOUNT key [start end [BYTE|BIT]] → set bits in the range (0 for a missing key). */
function bitcountCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const value = readBitmap(ctx, argv[1]);
  if (value === null) return out.integer(0);
  let range: ByteRange;
  if (argv.length === 4 || argv.length === 5) {
    const start = int64Arg(argv[2]);
    const end = int64Arg(argv[3]);
    // Checked before the unit word, as Redis does: `BITCOUNT k -1 -2 nonsense` answers 0.
    if (start < 0n && end < 0n && start > end) return out.integer(0);
    const inBits = argv.length === 5 && inBitsArg(argv[4]);
    range = clampRange(start, end, value.length, inBits);
  } else if (argv.length === 2) {
    range = wholeValue(value.length);
  } else {
    fail(ERR_SYNTAX);
  }
  if (range.start > range.end) return out.integer(0);
  const outside = popcountByte(value[range.start] & range.firstByteOutside) +
    popcountByte(value[range.end] & range.lastByteOutside);
  out.integer(popcount(value, range.start, range.end + 1) - outside);
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]] → the first bit equal to `bit`, or -1. A missing key
 * is all zeros (0 for bit 0, -1 for bit 1) and answers before its range is parsed.
 */
function bitposCommand(ctx: CommandContext): void {
  const { argv, out } = ctx;
  const bitArg = int64Arg(argv[2]);
  if (bitArg !== 0n && bitArg !== 1n) fail(ERR_BITPOS_BIT);
  const bit = bitArg === 1n ? 1 : 0;
  const value = readBitmap(ctx, argv[1]);
  if (value === null) return out.integer(bit === 1 ? -1 : 0);
  let range: ByteRange;
  let endGiven = false;
  if (argv.length >= 4 && argv.length <= 6) {
    const start = int64Arg(argv[3]);
    // The unit is read before the end, as Redis reads them.
    const inBits = argv.length === 6 && inBitsArg(argv[5]);
    let end: bigint;
    if (argv.length >= 5) {
      end = int64Arg(argv[4]);
      endGiven = true;
    } else {
      end = inBits ? BigInt(value.length) * 8n + 7n : BigInt(value.length) - 1n;
    }
    range = clampRange(start, end, value.length, inBits);
  } else if (argv.length === 3) {
    range = wholeValue(value.length);
  } else {
    fail(ERR_SYNTAX);
  }
  out.integer(bitposInRange(value, range, bit, endGiven));
}

// ── BITOP ───────────────────────────────────────────────────────────────────────────────

function bitOpArg(arg: Uint8Array): BitOp {
  if (isCWord(arg, "and")) return BitOp.And;
  if (isCWord(arg, "or")) return BitOp.Or;
  if (isCWord(arg, "xor")) return BitOp.Xor;
  if (isCWord(arg, "not")) return BitOp.Not;
  fail(ERR_SYNTAX);
}

const NO_BYTES = new Uint8Array(0);

/**
 * BITOP AND|OR|XOR|NOT destkey key [key …] → the result's length, the longest source's. Missing
 * sources are empty, shorter ones zero-padded. The result replaces destkey whatever its type
 * and TTL; an empty result deletes it.
 *
 * Two passes over the sources, because a value is a view that dies with the next engine call:
 * the first checks types (WRONGTYPE at the first non-string) and finds the length, the second
 * folds each source into the result as it is looked up, so no source is copied.
 */
function bitopCommand(ctx: CommandContext): void {
  const { argv, server, client, nowMs } = ctx;
  const op = bitOpArg(argv[1]);
  if (op === BitOp.Not && argv.length !== 4) fail(ERR_BITOP_NOT);
  const destination = argv[2];
  let resultLength = 0;
  for (let i = 3; i < argv.length; i++) {
    const source = readBitmap(ctx, argv[i]);
    if (source !== null) resultLength = Math.max(resultLength, source.length);
  }
  if (resultLength === 0) {
    if (server.engine.del(client.db, destination, nowMs)) {
      server.keyModified(client.db, destination);
    }
    return ctx.out.integer(0);
  }
  const result = new Uint8Array(resultLength);
  result.set(server.engine.getString(client.db, argv[3], nowMs) ?? NO_BYTES);
  if (op === BitOp.Not) {
    for (let i = 0; i < resultLength; i++) result[i] = ~result[i] & 0xff;
  }
  for (let i = 4; i < argv.length; i++) {
    foldSource(result, server.engine.getString(client.db, argv[i], nowMs) ?? NO_BYTES, op);
  }
  server.engine.set(client.db, destination, result, 0, SET_ENCODING_RAW, nowMs);
  server.keyModified(client.db, destination);
  ctx.out.integer(resultLength);
}

// ── BITFIELD ────────────────────────────────────────────────────────────────────────────

/** BITFIELD's parsed ops, and the bytes the writing ones may touch. */
interface FieldOps {
  ops: FieldOp[];
  /** Any SET or INCRBY. */
  writes: boolean;
  lowByte: number;
  highByte: number;
}

/**
 * Reads `GET type offset | SET type offset value | INCRBY type offset increment |
 * OVERFLOW WRAP|SAT|FAIL` from argv[2] on, failing at the first bad argument in order: an
 * unknown word or one short of arguments is a syntax error, then the type, the offset, the
 * value.
 */
function fieldOpsArg(ctx: CommandContext): FieldOps {
  const { argv } = ctx;
  const ops: FieldOp[] = [];
  let overflow = Overflow.Wrap;
  let lowByte = Infinity;
  let highByte = -1;
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    let kind: FieldOpKind;
    if (isCWord(argv[i], "get") && remaining >= 2) kind = FieldOpKind.Get;
    else if (isCWord(argv[i], "set") && remaining >= 3) kind = FieldOpKind.Set;
    else if (isCWord(argv[i], "incrby") && remaining >= 3) kind = FieldOpKind.Incrby;
    else if (isCWord(argv[i], "overflow") && remaining >= 1) {
      overflow = overflowArg(argv[++i]);
      continue;
    } else fail(ERR_SYNTAX);
    const type = fieldTypeArg(argv[i + 1]);
    const offset = bitOffsetArg(ctx, argv[i + 2], type.bits);
    let operand = 0n;
    if (kind !== FieldOpKind.Get) {
      lowByte = Math.min(lowByte, Math.floor(offset / 8));
      highByte = Math.max(highByte, Math.floor((offset + type.bits - 1) / 8));
      operand = int64Arg(argv[i + 3]);
    }
    ops.push({ kind, type, offset, operand, overflow });
    i += kind === FieldOpKind.Get ? 2 : 3;
  }
  return { ops, writes: highByte >= 0, lowByte, highByte };
}

/**
 * BITFIELD key [GET type offset | SET type offset value | INCRBY type offset increment |
 * OVERFLOW WRAP|SAT|FAIL] … → one reply per GET/SET/INCRBY. With no SET or INCRBY it only reads
 * (a missing key reads as zeros); BITFIELD_RO (`readOnly`) refuses SET and INCRBY. With writes
 * the string is first created or zero-padded to the farthest byte a write reaches, even when
 * every write then fails under OVERFLOW FAIL, as Redis does.
 */
function bitfieldGeneric(ctx: CommandContext, readOnly: boolean): void {
  const { argv, out } = ctx;
  const { ops, writes, lowByte, highByte } = fieldOpsArg(ctx);
  if (!writes) {
    const reads = new BitEdit(readBitmap(ctx, argv[1]), 0, 0);
    out.arrayHeader(ops.length);
    for (const op of ops) out.integer(readFieldOp(reads, op));
    return;
  }
  if (readOnly) fail(ERR_BITFIELD_RO);
  const edit = openForBitWrite(ctx, argv[1], lowByte, highByte);
  const grew = edit.newLength > edit.baseLength || edit.base === null;
  const replies: (bigint | null)[] = [];
  let changes = 0;
  for (const op of ops) {
    if (op.kind === FieldOpKind.Get) {
      replies.push(readFieldOp(edit, op));
      continue;
    }
    const { reply, changed } = writeFieldOp(edit, op);
    replies.push(reply);
    if (reply !== null && (grew || changed)) changes++;
  }
  // Committed before replying: an out-of-memory error must be the only reply.
  commitBitWrite(ctx, argv[1], edit, changes);
  out.arrayHeader(replies.length);
  for (const reply of replies) {
    if (reply === null) out.nullBulk();
    else out.integer(reply);
  }
}

// ── Definitions ─────────────────────────────────────────────────────────────────────────

const WRITE_FLAGS = ["write", "denyoom"];
const WRITE_CATEGORIES = ["write", "bitmap", "slow"];
const FIELD_COMPLEXITY = "O(1) for each subcommand specified";
/** The key spec of the commands that only read their one key. */
const READ_KEY_SPEC: KeySpec = {
  flags: ["RO", "access"],
  beginIndex: 1,
  lastKey: 0,
  keyStep: 1,
  limit: 0,
};

export const BITMAP_COMMANDS: CommandDefinition[] = [
  {
    name: "setbit",
    arity: 4,
    flags: WRITE_FLAGS,
    keys: [1, 1, 1],
    keySpecs: [{
      flags: ["RW", "access", "update"],
      beginIndex: 1,
      lastKey: 0,
      keyStep: 1,
      limit: 0,
    }],
    categories: WRITE_CATEGORIES,
    group: "bitmap",
    summary: "Sets or clears the bit at offset in the string value stored at key",
    since: "2.2.0",
    complexity: "O(1)",
    handler: setbitCommand,
  },
  {
    name: "getbit",
    arity: 3,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keySpecs: [READ_KEY_SPEC],
    categories: ["read", "bitmap", "fast"],
    group: "bitmap",
    summary: "Returns the bit value at offset in the string value stored at key",
    since: "2.2.0",
    complexity: "O(1)",
    handler: getbitCommand,
  },
  {
    name: "bitcount",
    arity: -2,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_KEY_SPEC],
    categories: ["read", "bitmap", "slow"],
    group: "bitmap",
    summary: "Count set bits in a string",
    since: "2.6.0",
    complexity: "O(N)",
    handler: bitcountCommand,
  },
  {
    name: "bitpos",
    arity: -3,
    flags: ["readonly"],
    keys: [1, 1, 1],
    keySpecs: [READ_KEY_SPEC],
    categories: ["read", "bitmap", "slow"],
    group: "bitmap",
    summary: "Find first bit set or clear in a string",
    since: "2.8.7",
    complexity: "O(N)",
    handler: bitposCommand,
  },
  {
    // Writes only its destination (spec.ts WRITES_FIRST_KEY_ONLY); the sources are read.
    name: "bitop",
    arity: -4,
    flags: WRITE_FLAGS,
    keys: [2, -1, 1],
    keySpecs: [
      { flags: ["OW", "update"], beginIndex: 2, lastKey: 0, keyStep: 1, limit: 0 },
      { flags: ["RO", "access"], beginIndex: 3, lastKey: -1, keyStep: 1, limit: 0 },
    ],
    categories: WRITE_CATEGORIES,
    group: "bitmap",
    summary: "Perform bitwise operations between strings",
    since: "2.6.0",
    complexity: "O(N)",
    handler: bitopCommand,
  },
  {
    // A write command even when it only GETs, as in Redis (refused on a read-only replica,
    // under OOM): BITFIELD_RO is the read-only form.
    name: "bitfield",
    arity: -2,
    flags: WRITE_FLAGS,
    keys: [1, 1, 1],
    keySpecs: [{
      notes: "This command allows both access and modification of the key",
      // variable_flags: with only GETs the key is read, not written (keys_of.ts).
      flags: ["RW", "access", "update", "variable_flags"],
      beginIndex: 1,
      lastKey: 0,
      keyStep: 1,
      limit: 0,
    }],
    categories: WRITE_CATEGORIES,
    group: "bitmap",
    summary: "Perform arbitrary bitfield integer operations on strings",
    since: "3.2.0",
    complexity: FIELD_COMPLEXITY,
    handler: (ctx) => bitfieldGeneric(ctx, false),
  },
  {
    name: "bitfield_ro",
    arity: -2,
    flags: ["readonly", "fast"],
    keys: [1, 1, 1],
    keySpecs: [READ_KEY_SPEC],
    categories: ["read", "bitmap", "fast"],
    group: "bitmap",
    summary:
      "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD",
    since: "6.0.0",
    complexity: FIELD_COMPLEXITY,
    handler: (ctx) => bitfieldGeneric(ctx, true),
  },
];
