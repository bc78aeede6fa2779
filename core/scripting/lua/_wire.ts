// The byte format on the Lua channel (see _wasm_lua.ts), in both directions. It is read on the Lua
// side with io.read("*l") for a header line and io.read(n) for a body, so every value is a
// one-letter type, a header ending in "\n", and for strings exactly `len` raw bytes after it:
//
//   $<len>\n<bytes>   bulk string          :<int>\n     integer (Lua number)
//   n<number>\n       plain Lua number     _\n          nil          T\n / F\n   booleans
//   +<len>\n<bytes>   status {ok=}         -<len>\n<bytes> error {err=}   !<len>\n…  error whose
//   *<n>\n            array of n values                                  stats were counted
//   %<n>\n            map of n pairs       ~<n>\n       set of n values
//   ,<number>\n       double {double=}     (<len>\n<bytes> big number {big_number=}
//   =<len>\n<fmt:3 bytes><bytes>           verbatim string {verbatim_string=}
//   s<text>\n         status {ok=} / bulk string, to Lua only, when short and free of "\n" and
//   b<bytes>\n        NUL (a status also ASCII): one io.read("*l") rather than two per reply
//
// Requests from Lua are `<op>\n<argc>\n` followed by argc `<len>\n<bytes>` strings.
//
// A call's keys and arguments go to Lua as one list (WireWriter.stringList): the two counts and
// every length as 4-byte big-endian integers (Lua turns them into numbers with one string.byte
// call; parsing decimal text costs more there, see _prelude_lua.ts), then all the bytes, then
// "\n" (the counts alone when there are no strings). Lua reads the strings with an
// io.read(len1, len2, …, "*l") call rather than two reads per string; the final "\n" lets
// io.read(0) peek a byte that is there.
//
// Both sides are on the hot path of every script (one request per redis.call): headers are
// parsed from the bytes without TextDecoder, one buffer is reused per direction, and the strings
// read out of a message are views into one copy of it (as RespReader's argv are views).

import type { LuaReply } from "./reply.ts";
import { formatLuaErrorText } from "./_errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 0x0a;
const UINT32_SIZE_BYTES = 4;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
/** Longest body `s<text>\n` / `b<bytes>\n` carry; longer ones use the length-prefixed form. */
const SHORT_LINE_BODY_MAX_BYTES = 256;
const NUL = 0x00;
const ASCII_MAX = 0x7f;
/** Texts up to this long are decoded without TextDecoder when ASCII (see utf8Text). */
const SHORT_LINE_MAX_CHARS = 32;
/** The type byte each value's header line starts with. */
const TYPE_BYTE = {
  bulk: 0x24, // $
  integer: 0x3a, // :
  nil: 0x5f, // _
  true: 0x54, // T
  false: 0x46, // F
  status: 0x2b, // +
  error: 0x2d, // -
  countedError: 0x21, // !
  double: 0x2c, // ,
  bignum: 0x28, // (
  verbatim: 0x3d, // =
  array: 0x2a, // *
  map: 0x25, // %
  set: 0x7e, // ~
  shortStatus: 0x73, // s (to Lua only)
  shortBulk: 0x62, // b (to Lua only)
} as const;
const SHORT_STATUS_PREFIX = String.fromCharCode(TYPE_BYTE.shortStatus);

/** Accumulates wire bytes with one growing buffer (a reply may be large). */
export class WireWriter {
  #bytes = new Uint8Array(256);
  #length = 0;

  /** Appends `header` (ASCII, "\n" added). */
  line(header: string): void {
    this.#reserve(header.length + 1);
    for (let i = 0; i < header.length; i++) this.#bytes[this.#length++] = header.charCodeAt(i);
    this.#bytes[this.#length++] = NEWLINE;
  }

  /** Appends a length-prefixed string value of `type`. */
  string(type: string, body: Uint8Array): void {
    this.line(type + body.length);
    this.raw(body);
  }

  /** Appends the line `<type byte><body>\n` (body without "\n"). */
  lineBytes(type: number, body: Uint8Array): void {
    this.#reserve(body.length + 2);
    this.#bytes[this.#length++] = type;
    this.#bytes.set(body, this.#length);
    this.#length += body.length;
    this.#bytes[this.#length++] = NEWLINE;
  }

  /** Appends bytes as they are. */
  raw(body: Uint8Array): void {
    this.#reserve(body.length);
    this.#bytes.set(body, this.#length);
    this.#length += body.length;
  }

  /**
   * Writes `lists` as one list for Lua's read_keys_args: each of `counts`, then each string's
   * length, as 4-byte big-endian integers; then every string's bytes and "\n" (which lets Lua's
   * io.read(0) peek a byte); with no strings at all, only the counts.
   */
  stringList(counts: readonly number[], lists: readonly (readonly Uint8Array[])[]): void {
    let stringCount = 0;
    let bodyBytes = 0;
    for (const list of lists) {
      stringCount += list.length;
      for (const item of list) bodyBytes += item.length;
    }
    this.#reserve((counts.length + stringCount) * UINT32_SIZE_BYTES);
    for (const count of counts) this.#uint32(count);
    if (stringCount === 0) return;
    for (const list of lists) for (const item of list) this.#uint32(item.length);
    this.#reserve(bodyBytes + 1);
    for (const list of lists) for (const item of list) this.raw(item);
    this.#bytes[this.#length++] = NEWLINE;
  }

  /** Appends `value` as 4 bytes, big-endian (space reserved by the caller). */
  #uint32(value: number): void {
    this.#bytes[this.#length++] = (value >>> 24) & 0xff;
    this.#bytes[this.#length++] = (value >>> 16) & 0xff;
    this.#bytes[this.#length++] = (value >>> 8) & 0xff;
    this.#bytes[this.#length++] = value & 0xff;
  }

  /** Empties the writer for the next message (its buffer is kept). */
  reset(): void {
    this.#length = 0;
  }

  /** The bytes written so far (a view: valid until the next reset). */
  finish(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#bytes.length) return;
    let size = this.#bytes.length * 2;
    while (size < this.#length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }
}

/** Formats a double as Lua's `tonumber` reads it back exactly. */
export function numberText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return Object.is(value, -0) ? "-0" : String(value);
}

/**
 * Writes `reply` as a redis.call result for Lua (Redis's redisProtocolToLuaType). A null becomes
 * false under RESP2 and nil under RESP3, as the two protocols' nulls do in Redis.
 */
export function writeReplyForLua(out: WireWriter, reply: LuaReply, resp: 2 | 3): void {
  if (reply === null) {
    out.line(resp === 2 ? "F" : "_");
  } else if (typeof reply === "bigint") {
    out.line(":" + reply);
  } else if (reply instanceof Uint8Array) {
    if (isShortLine(reply)) out.lineBytes(TYPE_BYTE.shortBulk, reply);
    else out.string("$", reply);
  } else if (typeof reply === "boolean") {
    out.line(reply ? "T" : "F");
  } else if (Array.isArray(reply)) {
    out.line("*" + reply.length);
    for (const item of reply) writeReplyForLua(out, item, resp);
  } else if ("status" in reply) {
    if (isShortStatus(reply.status)) out.line(SHORT_STATUS_PREFIX + reply.status);
    else out.string("+", encoder.encode(reply.status));
  } else if ("error" in reply) {
    out.string("-", encoder.encode(formatLuaErrorText("-" + reply.error)));
  } else if ("map" in reply) {
    out.line("%" + reply.map.length);
    for (const [key, value] of reply.map) {
      writeReplyForLua(out, key, resp);
      writeReplyForLua(out, value, resp);
    }
  } else if ("set" in reply) {
    out.line("~" + reply.set.length);
    for (const item of reply.set) writeReplyForLua(out, item, resp);
  } else if ("double" in reply) {
    out.line("," + numberText(reply.double));
  } else if ("bignum" in reply) {
    out.string("(", encoder.encode(reply.bignum));
  } else {
    out.line("=" + reply.verbatim.length);
    out.raw(encoder.encode(reply.format.padEnd(3, " ").slice(0, 3)));
    out.raw(reply.verbatim);
  }
}

/**
 * True when `text` can travel as `s<text>\n`: ASCII (UTF-8 is itself), not long, and neither
 * "\n" nor NUL (Lua 5.1's io.read("*l") ends a line at the first NUL: it uses fgets + strlen).
 */
function isShortStatus(text: string): boolean {
  if (text.length > SHORT_LINE_BODY_MAX_BYTES) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > ASCII_MAX || code === NEWLINE || code === NUL) return false;
  }
  return true;
}

/** True when `bytes` can travel as `b<bytes>\n`: not long, neither "\n" nor NUL (as above). */
function isShortLine(bytes: Uint8Array): boolean {
  if (bytes.length > SHORT_LINE_BODY_MAX_BYTES) return false;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === NEWLINE || bytes[i] === NUL) return false;
  }
  return true;
}

/**
 * Reads wire values written by the Lua side (a script's converted result). When `shared` is
 * false the reader owns `bytes` and the strings it returns are views into them; when true,
 * `bytes` is a reused buffer (the channel's) and each string is copied out of it.
 */
export class WireReader {
  readonly #bytes: Uint8Array;
  readonly #shared: boolean;
  #pos = 0;

  constructor(bytes: Uint8Array, shared = false) {
    this.#bytes = bytes;
    this.#shared = shared;
  }

  /** True when every byte was read. */
  get done(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  /** Reads one header line (without its "\n"). */
  line(): string {
    return this.#restTo(this.#lineEnd());
  }

  /** Reads one header line holding a count or length (decimal digits, as Lua prints them). */
  count(): number {
    return this.#countTo(this.#lineEnd());
  }

  /** Reads `count` raw bytes (a view into the reader's bytes, or a copy when they are shared). */
  body(count: number): Uint8Array {
    if (this.#pos + count > this.#bytes.length) throw new Error("lua wire: truncated body");
    const start = this.#pos;
    this.#pos += count;
    if (this.#shared) return this.#bytes.slice(start, start + count);
    return new Uint8Array(this.#bytes.buffer, this.#bytes.byteOffset + start, count);
  }

  /** Reads one reply value (the Lua side's luaReplyToRedisReply output). */
  reply(): LuaReply {
    const end = this.#lineEnd();
    const type = this.#bytes[this.#pos++];
    switch (type) {
      case TYPE_BYTE.bulk:
        return this.body(this.#countTo(end));
      case TYPE_BYTE.integer:
        return BigInt(this.#restTo(end));
      case TYPE_BYTE.nil:
        this.#pos = end + 1;
        return null;
      case TYPE_BYTE.true:
        this.#pos = end + 1;
        return true;
      case TYPE_BYTE.false:
        this.#pos = end + 1;
        return false;
      case TYPE_BYTE.status:
        return { status: this.#text(this.#countTo(end)) };
      case TYPE_BYTE.error:
        return { error: this.#text(this.#countTo(end)) };
      case TYPE_BYTE.countedError:
        return { error: this.#text(this.#countTo(end)), statsCounted: true };
      case TYPE_BYTE.double: {
        // C's printf writes infinities as inf / -inf, which Number() does not read.
        const rest = this.#restTo(end);
        return { double: rest === "inf" ? Infinity : rest === "-inf" ? -Infinity : Number(rest) };
      }
      case TYPE_BYTE.bignum:
        return { bignum: this.#text(this.#countTo(end)) };
      case TYPE_BYTE.verbatim: {
        const length = this.#countTo(end);
        const format = decoder.decode(this.body(3));
        return { verbatim: this.body(length), format };
      }
      case TYPE_BYTE.array: {
        const items: LuaReply[] = [];
        for (let i = this.#countTo(end); i > 0; i--) items.push(this.reply());
        return items;
      }
      case TYPE_BYTE.map: {
        const pairs: [LuaReply, LuaReply][] = [];
        for (let i = this.#countTo(end); i > 0; i--) pairs.push([this.reply(), this.reply()]);
        return { map: pairs };
      }
      case TYPE_BYTE.set: {
        const items: LuaReply[] = [];
        for (let i = this.#countTo(end); i > 0; i--) items.push(this.reply());
        return { set: items };
      }
      default:
        throw new Error(`lua wire: unknown type '${String.fromCharCode(type)}'`);
    }
  }

  /** The index of the "\n" ending the header line at the cursor. */
  #lineEnd(): number {
    const end = this.#bytes.indexOf(NEWLINE, this.#pos);
    if (end < 0) throw new Error("lua wire: truncated header");
    return end;
  }

  /** The text (UTF-8) from the cursor to `end`, cursor moved past the "\n". */
  #restTo(end: number): string {
    const start = this.#pos;
    this.#pos = end + 1;
    return utf8Text(this.#bytes, start, end);
  }

  /** The next `count` bytes as UTF-8 text (a status or error body: no copy as bytes first). */
  #text(count: number): string {
    if (this.#pos + count > this.#bytes.length) throw new Error("lua wire: truncated body");
    const start = this.#pos;
    this.#pos += count;
    return utf8Text(this.#bytes, start, start + count);
  }

  /** The number from the cursor to `end` (Number() of the text if not plain digits). */
  #countTo(end: number): number {
    let value = 0;
    for (let i = this.#pos; i < end; i++) {
      const c = this.#bytes[i];
      if (c < DIGIT_0 || c > DIGIT_9 || i - this.#pos > 15) return Number(this.#restTo(end));
      value = value * 10 + (c - DIGIT_0);
    }
    if (end === this.#pos) return Number(this.#restTo(end));
    this.#pos = end + 1;
    return value;
  }
}

/**
 * `bytes[start, end)` decoded as UTF-8. Short ASCII texts (op names, integers, "OK") are built
 * directly: a TextDecoder call costs more than they do.
 */
function utf8Text(bytes: Uint8Array, start: number, end: number): string {
  if (end - start > SHORT_LINE_MAX_CHARS) return decoder.decode(bytes.subarray(start, end));
  let text = "";
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c > ASCII_MAX) return decoder.decode(bytes.subarray(start, end));
    text += String.fromCharCode(c);
  }
  return text;
}

/** One request from Lua: an operation name and its string arguments. */
export interface LuaRequest {
  op: string;
  args: Uint8Array[];
}

/**
 * Parses `<op>\n<argc>\n` and the argc length-prefixed strings that follow. `bytes` may be a
 * reused buffer: it is copied once and the arguments are views into that copy.
 */
export function parseRequest(bytes: Uint8Array): LuaRequest {
  // new + set: TypedArray.prototype.slice costs more (its species lookup) for these few bytes.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const reader = new WireReader(copy);
  const op = reader.line();
  const argCount = reader.count();
  const args: Uint8Array[] = [];
  for (let i = 0; i < argCount; i++) args.push(reader.body(reader.count()));
  return { op, args };
}
