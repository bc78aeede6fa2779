// Stream entry IDs: two unsigned 64-bit numbers, milliseconds and sequence, ordered as one
// 128-bit number. Held as bigints because both halves use the full 64-bit range
// (`18446744073709551615-18446744073709551615` is a valid ID) and JS numbers stop at 2^53.
//
// Parsing follows Redis 7.0's streamGenericParseIDOrReply byte for byte, quirks included: each
// half goes through string2ull, which first tries the strict int64 parse and, failing that, C's
// strtoull — so " 5", "+5", "007" and even "-0" are accepted, while "-5" is refused. The text is
// cut at its first NUL (Redis copies it into a C string) and refused past 127 bytes.

/** A stream entry ID. Treat as immutable: IDs are shared between entries, groups and replies. */
export interface StreamId {
  readonly ms: bigint;
  readonly seq: bigint;
}

/** 2^64 - 1, the largest value of either half. */
export const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
/** 2^64, for unsigned wrap-around. */
const UINT64_RANGE = 0x1_0000_0000_0000_0000n;

/** `0-0`: the smallest ID, and "none" for last/first/max-deleted IDs. */
export const ID_ZERO: StreamId = Object.freeze({ ms: 0n, seq: 0n });
/** The largest ID (`+`). */
export const ID_MAX: StreamId = Object.freeze({ ms: UINT64_MAX, seq: UINT64_MAX });

/** Longest ID argument Redis copies into its 128-byte parse buffer. */
const ID_TEXT_MAX_BYTES = 127;
/** strtoull's isspace(): space, \t, \n, \v, \f, \r. */
const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
/** Longest text string2ll considers (LONG_STR_SIZE - 1). */
const LONG_TEXT_MAX_BYTES = 20;

export function makeId(ms: bigint, seq: bigint): StreamId {
  return { ms, seq };
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function idIsZero(id: StreamId): boolean {
  return id.ms === 0n && id.seq === 0n;
}

/** The next ID, or null when `id` is the largest one (Redis's streamIncrID failing). */
export function nextId(id: StreamId): StreamId | null {
  if (id.seq !== UINT64_MAX) return { ms: id.ms, seq: id.seq + 1n };
  if (id.ms === UINT64_MAX) return null;
  return { ms: id.ms + 1n, seq: 0n };
}

/** The previous ID, or null when `id` is 0-0 (Redis's streamDecrID failing). */
export function previousId(id: StreamId): StreamId | null {
  if (id.seq !== 0n) return { ms: id.ms, seq: id.seq - 1n };
  if (id.ms === 0n) return null;
  return { ms: id.ms - 1n, seq: UINT64_MAX };
}

/** `<ms>-<seq>`, as every reply and propagated argument writes an ID. */
export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** What parseId found: the ID, and whether a sequence was given (false for `<ms>-*`). */
export interface ParsedId {
  id: StreamId;
  seqGiven: boolean;
}

/** parseId options, Redis's streamGenericParseIDOrReply arguments. */
export interface ParseIdOptions {
  /** Sequence of an ID given as `<ms>` alone (0 for starts, UINT64_MAX for range ends). */
  missingSeq: bigint;
  /** `-` and `+` are refused (every ID argument but range bounds and XGROUP SETID). */
  strict: boolean;
  /** `<ms>-*` is accepted (XADD only): seqGiven comes back false. */
  allowSeqWildcard?: boolean;
}

/** An ID argument, or null when Redis would answer "Invalid stream ID …". */
export function parseId(arg: Uint8Array, options: ParseIdOptions): ParsedId | null {
  if (arg.length > ID_TEXT_MAX_BYTES) return null;
  const nul = arg.indexOf(0);
  const text = nul < 0 ? arg : arg.subarray(0, nul);
  const single = text.length === 1 ? text[0] : -1;
  if (single === 0x2d /* - */ || single === 0x2b /* + */) {
    if (options.strict) return null;
    return { id: single === 0x2d ? ID_ZERO : ID_MAX, seqGiven: true };
  }
  const dash = text.indexOf(0x2d);
  const ms = parseUint64(dash < 0 ? text : text.subarray(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { id: { ms, seq: options.missingSeq }, seqGiven: true };
  const seqText = text.subarray(dash + 1);
  if (options.allowSeqWildcard === true && seqText.length === 1 && seqText[0] === 0x2a) {
    return { id: { ms, seq: 0n }, seqGiven: false };
  }
  const seq = parseUint64(seqText);
  if (seq === null) return null;
  return { id: { ms, seq }, seqGiven: true };
}

/**
 * Redis's string2ull: the strict signed parse first (a negative result is refused), else C's
 * strtoull over the whole text (leading spaces, a sign, at least one digit, nothing after, at
 * most 2^64 - 1 in magnitude; a '-' negates modulo 2^64).
 */
export function parseUint64(text: Uint8Array): bigint | null {
  const strict = strictInt64(text);
  if (strict !== null) return strict < 0n ? null : strict;
  let i = 0;
  while (i < text.length && C_SPACE.has(text[i])) i++;
  let negative = false;
  if (i < text.length && (text[i] === 0x2b || text[i] === 0x2d)) negative = text[i++] === 0x2d;
  const digitsStart = i;
  let value = 0n;
  for (; i < text.length; i++) {
    const digit = text[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10n + BigInt(digit);
    if (value > UINT64_MAX) return null; // ERANGE
  }
  if (i === digitsStart) return null;
  return negative ? (UINT64_RANGE - value) % UINT64_RANGE : value;
}

/** string2ll: optional '-', no leading zeros, no spaces, within int64; else null. */
function strictInt64(text: Uint8Array): bigint | null {
  const len = text.length;
  if (len === 0 || len > LONG_TEXT_MAX_BYTES) return null;
  if (len === 1 && text[0] === 0x30) return 0n;
  let i = 0;
  const negative = text[0] === 0x2d;
  if (negative) i++;
  if (i === len || text[i] < 0x31 || text[i] > 0x39) return null;
  let value = 0n;
  for (; i < len; i++) {
    const digit = text[i] - 0x30;
    if (digit < 0 || digit > 9) return null;
    value = value * 10n + BigInt(digit);
  }
  if (negative) value = -value;
  if (value > 0x7fff_ffff_ffff_ffffn || value < -0x8000_0000_0000_0000n) return null;
  return value;
}
