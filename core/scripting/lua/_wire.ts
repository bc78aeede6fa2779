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
//
// Requests from Lua are `<op>\n<argc>\n` followed by argc `<len>\n<bytes>` strings.

import type { LuaReply } from "./reply.ts";
import { formatLuaErrorText } from "./_errors.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = 0x0a;

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

  /** Appends bytes as they are. */
  raw(body: Uint8Array): void {
    this.#reserve(body.length);
    this.#bytes.set(body, this.#length);
    this.#length += body.length;
  }

  /** The bytes written so far. */
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
    out.string("$", reply);
  } else if (typeof reply === "boolean") {
    out.line(reply ? "T" : "F");
  } else if (Array.isArray(reply)) {
    out.line("*" + reply.length);
    for (const item of reply) writeReplyForLua(out, item, resp);
  } else if ("status" in reply) {
    out.string("+", encoder.encode(reply.status));
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

/** Reads wire values written by the Lua side (a script's converted result). */
export class WireReader {
  readonly #bytes: Uint8Array;
  #pos = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** True when every byte was read. */
  get done(): boolean {
    return this.#pos >= this.#bytes.length;
  }

  /** Reads one header line (without its "\n"). */
  line(): string {
    const end = this.#bytes.indexOf(NEWLINE, this.#pos);
    if (end < 0) throw new Error("lua wire: truncated header");
    const text = decoder.decode(this.#bytes.subarray(this.#pos, end));
    this.#pos = end + 1;
    return text;
  }

  /** Reads `count` raw bytes (copied). */
  body(count: number): Uint8Array {
    if (this.#pos + count > this.#bytes.length) throw new Error("lua wire: truncated body");
    const bytes = this.#bytes.slice(this.#pos, this.#pos + count);
    this.#pos += count;
    return bytes;
  }

  /** Reads one reply value (the Lua side's luaReplyToRedisReply output). */
  reply(): LuaReply {
    const header = this.line();
    const type = header[0];
    const rest = header.slice(1);
    switch (type) {
      case "$":
        return this.body(Number(rest));
      case ":":
        return BigInt(rest);
      case "_":
        return null;
      case "T":
        return true;
      case "F":
        return false;
      case "+":
        return { status: decoder.decode(this.body(Number(rest))) };
      case "-":
        return { error: decoder.decode(this.body(Number(rest))) };
      case "!":
        return { error: decoder.decode(this.body(Number(rest))), statsCounted: true };
      case ",":
        // C's printf writes infinities as inf / -inf, which Number() does not read.
        return { double: rest === "inf" ? Infinity : rest === "-inf" ? -Infinity : Number(rest) };
      case "(":
        return { bignum: decoder.decode(this.body(Number(rest))) };
      case "=": {
        const format = decoder.decode(this.body(3));
        return { verbatim: this.body(Number(rest)), format };
      }
      case "*": {
        const items: LuaReply[] = [];
        for (let i = Number(rest); i > 0; i--) items.push(this.reply());
        return items;
      }
      case "%": {
        const pairs: [LuaReply, LuaReply][] = [];
        for (let i = Number(rest); i > 0; i--) pairs.push([this.reply(), this.reply()]);
        return { map: pairs };
      }
      case "~": {
        const items: LuaReply[] = [];
        for (let i = Number(rest); i > 0; i--) items.push(this.reply());
        return { set: items };
      }
      default:
        throw new Error(`lua wire: unknown type '${type}'`);
    }
  }
}

/** One request from Lua: an operation name and its string arguments. */
export interface LuaRequest {
  op: string;
  args: Uint8Array[];
}

/** Parses `<op>\n<argc>\n` and the argc length-prefixed strings that follow. */
export function parseRequest(bytes: Uint8Array): LuaRequest {
  const reader = new WireReader(bytes);
  const op = reader.line();
  const argCount = Number(reader.line());
  const args: Uint8Array[] = [];
  for (let i = 0; i < argCount; i++) args.push(reader.body(Number(reader.line())));
  return { op, args };
}
