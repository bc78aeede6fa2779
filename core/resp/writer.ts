// ReplyWriter: one growable output buffer per connection that every reply of a read batch is
// encoded into, so the server does one `conn.write` per batch; plus `encodeCommand` for
// building request frames (replication stream, test clients).
//
// Shape, and why:
// - Speed on the hot path: type byte, ASCII digits and CRLF are written straight into the
//   buffer with a cursor (no string building per reply); capacity is reserved once per reply
//   for its worst case and grows by doubling; strings are encoded with a JS loop when short and
//   ASCII, else with `TextEncoder.encodeInto` into the buffer.
// - UTF-8 strings whose byte length is unknown up front are encoded after a header slot sized
//   for the worst case (3 bytes per UTF-16 unit); if the real length has fewer digits the
//   payload is moved left by those few bytes.
// - `protocol` (2 or 3, set by HELLO) picks the RESP3 types or their RESP2 fallbacks, as
//   Redis 7.0's `addReply*` functions do: null -> `$-1`/`*-1`, map -> flat array of 2n,
//   set/push -> array, boolean -> integer 1/0, verbatim -> bulk, double -> bulk string.
// - Doubles are formatted as C's `"%.17g"`, which Redis 7.0 uses for both RESP2 and RESP3
//   (checked on 7.0.15: ZSCORE of 0.1 answers `,0.10000000000000001` in RESP3; Redis 7.2 moved
//   to shortest round-trip). `toExponential` gives the 17 digits; exact ties, where JS rounds
//   half up and glibc rounds half to even, are settled on the exact binary value with BigInt.
// - `mark()`/`truncate()` let MULTI/EXEC and error paths drop replies already encoded.
//
// Layout: `#buf[0, #lengthBytes)` holds encoded replies, the rest is free capacity.

import {
  CR,
  CRLF_SIZE_BYTES,
  DIGIT_0,
  LF,
  MINUS,
  RESP3_BOOLEAN,
  RESP3_DOUBLE,
  RESP3_MAP,
  RESP3_NULL,
  RESP3_PUSH,
  RESP3_SET,
  RESP3_VERBATIM,
  RESP_ARRAY,
  RESP_BULK,
  RESP_ERROR,
  RESP_INTEGER,
  RESP_SIMPLE_STRING,
  VERBATIM_PREFIX_SIZE_BYTES,
} from "./_codes.ts";
import { formatDoubleG17 } from "../doubles.ts";

export { formatDoubleG17 };

/** Default initial capacity of a connection's reply buffer (Redis's PROTO_REPLY_CHUNK_BYTES). */
const WRITER_INITIAL_SIZE_BYTES = 16 * 1024;
const EMPTY_BUFFER = new Uint8Array(0);
/** `reset()` gives back capacity above this, so one huge reply does not pin memory forever. */
const WRITER_RETAIN_MAX_BYTES = 1024 * 1024;
/** Largest `type + int64 digits with sign + CRLF` header. */
const HEADER_SIZE_MAX_BYTES = 1 + 20 + CRLF_SIZE_BYTES;
/** Strings up to this many UTF-16 units try the JS ASCII loop before TextEncoder. */
const ASCII_FAST_PATH_MAX_CHARS = 64;
/** Worst-case UTF-8 bytes per UTF-16 code unit. */
const UTF8_BYTES_PER_UNIT_MAX = 3;
/** Bytes of the RESP2 null bulk / null array after the type byte: "-1". */
const NULL_LENGTH_DIGITS = "-1";

const encoder = new TextEncoder();

/**
 * Encodes replies for one connection into a single growable buffer.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReplyWriter } from "./writer.ts";
 * const writer = new ReplyWriter();
 * writer.arrayHeader(2);
 * writer.bulkString("hi");
 * writer.nullBulk();
 * assert.ok(new TextDecoder().decode(writer.view()) === "*2\r\n$2\r\nhi\r\n$-1\r\n");
 * writer.protocol = 3;
 * writer.reset();
 * writer.nullBulk();
 * assert.ok(new TextDecoder().decode(writer.view()) === "_\r\n");
 * ```
 */
export class ReplyWriter {
  /** RESP version the client negotiated with HELLO. @default {2} */
  protocol: 2 | 3 = 2;

  /** Encoded replies in [0, #lengthBytes); replaced when it grows. */
  #buf: Uint8Array;
  /** Bytes of encoded replies. */
  #lengthBytes = 0;
  /** Capacity to return to after a reset that follows a huge reply. */
  readonly #initialSizeBytes: number;

  /** @param initialSizeBytes Starting capacity. @default {16384} */
  constructor(initialSizeBytes: number = WRITER_INITIAL_SIZE_BYTES) {
    if (!Number.isInteger(initialSizeBytes) || initialSizeBytes <= 0) {
      throw new RangeError(`initialSizeBytes must be a positive integer, got ${initialSizeBytes}`);
    }
    this.#initialSizeBytes = initialSizeBytes;
    // Allocated at the first reply: an idle connection (10,000 of them, say) costs nothing here.
    this.#buf = EMPTY_BUFFER;
  }

  /** Bytes encoded so far. */
  get lengthBytes(): number {
    return this.#lengthBytes;
  }

  /** The encoded bytes so far, as a view valid until the next write or reset. */
  view(): Uint8Array {
    return this.#buf.subarray(0, this.#lengthBytes);
  }

  /** Drops everything encoded; gives back capacity grown above 1 MiB. */
  reset(): void {
    this.#lengthBytes = 0;
    if (this.#buf.length > WRITER_RETAIN_MAX_BYTES && this.#buf.length > this.#initialSizeBytes) {
      this.#buf = new Uint8Array(this.#initialSizeBytes);
    }
  }

  /**
   * Drops the first `sizeBytes` bytes (those just written to the socket), keeping anything
   * appended meanwhile, such as a Pub/Sub message encoded while the write was in flight.
   */
  consume(sizeBytes: number): void {
    if (sizeBytes >= this.#lengthBytes) return this.reset();
    this.#buf.copyWithin(0, sizeBytes, this.#lengthBytes);
    this.#lengthBytes -= sizeBytes;
  }

  /** The current length, to `truncate()` back to later. */
  mark(): number {
    return this.#lengthBytes;
  }

  /** Drops the replies encoded after `mark` (a value from `mark()`, not above the length). */
  truncate(mark: number): void {
    if (!Number.isInteger(mark) || mark < 0 || mark > this.#lengthBytes) {
      throw new RangeError(`truncate(${mark}) outside [0, ${this.#lengthBytes}]`);
    }
    this.#lengthBytes = mark;
  }

  /**
   * `$len\r\n<bytes>\r\n` from `source[start, start + lengthBytes)`: a bulk straight out of
   * engine memory with no intermediate view or copy (LRANGE, LPOP replies).
   */
  bulkSlice(source: Uint8Array, start: number, lengthBytes: number): void {
    this.#reserve(HEADER_SIZE_MAX_BYTES + lengthBytes + CRLF_SIZE_BYTES);
    this.#writeHeader(RESP_BULK, lengthBytes);
    const buf = this.#buf;
    let at = this.#lengthBytes;
    if (lengthBytes <= 32) {
      for (let i = 0; i < lengthBytes; i++) buf[at++] = source[start + i];
    } else {
      buf.set(source.subarray(start, start + lengthBytes), at);
      at += lengthBytes;
    }
    this.#lengthBytes = at;
    this.#writeCrlf();
  }

  /** `+s\r\n`. CR and LF in `s` become spaces so the reply stays one line. */
  simple(s: string): void {
    if (s === "OK") return this.raw(OK_REPLY); // the most common reply of all, pre-encoded
    this.#writeLine(RESP_SIMPLE_STRING, oneLine(s));
  }

  /**
   * `-s\r\n`, `s` starting with its code (`ERR ...`, `WRONGTYPE ...`). Like Redis's
   * addReplyErrorFormat, CR/LF at either end are trimmed and the rest become spaces.
   */
  error(s: string): void {
    // Error texts echo client bytes (unknown command names, option words) decoded one char per
    // byte; writing them back one byte per char returns the client's exact bytes, as Redis does.
    const line = oneLine(trimCrLf(s));
    if (!isLatin1(line)) return this.#writeLine(RESP_ERROR, line);
    this.#reserve(1 + line.length + CRLF_SIZE_BYTES);
    this.#buf[this.#lengthBytes++] = RESP_ERROR;
    for (let i = 0; i < line.length; i++) this.#buf[this.#lengthBytes++] = line.charCodeAt(i);
    this.#writeCrlf();
  }

  /** `:n\r\n`. `n` must be an integer (a number beyond 2^53 is written exactly as stored). */
  integer(n: number | bigint): void {
    if (typeof n === "bigint" || !Number.isSafeInteger(n)) {
      if (typeof n === "number" && !Number.isInteger(n)) {
        throw new RangeError(`integer reply needs an integer, got ${n}`);
      }
      this.#writeLine(RESP_INTEGER, BigInt(n).toString());
      return;
    }
    this.#writeHeader(RESP_INTEGER, n);
  }

  /** `$len\r\n<bytes>\r\n`. */
  bulk(bytes: Uint8Array): void {
    this.#reserve(HEADER_SIZE_MAX_BYTES + bytes.length + CRLF_SIZE_BYTES);
    this.#writeHeader(RESP_BULK, bytes.length);
    this.#buf.set(bytes, this.#lengthBytes);
    this.#lengthBytes += bytes.length;
    this.#writeCrlf();
  }

  /** A bulk string holding `s` as UTF-8. */
  bulkString(s: string): void {
    this.#writeSized(RESP_BULK, "", s);
  }

  /** RESP2 `$-1\r\n`, RESP3 `_\r\n`. */
  nullBulk(): void {
    this.#writeNull(RESP_BULK);
  }

  /** RESP2 `*-1\r\n`, RESP3 `_\r\n`. */
  nullArray(): void {
    this.#writeNull(RESP_ARRAY);
  }

  /** `*n\r\n`; `n` elements follow. */
  arrayHeader(n: number): void {
    this.#writeHeader(RESP_ARRAY, checkCount(n));
  }

  /** RESP3 `%pairs\r\n`, RESP2 `*<2 * pairs>\r\n`; key, value, key, value... follow. */
  mapHeader(pairs: number): void {
    checkCount(pairs);
    if (this.protocol === 3) this.#writeHeader(RESP3_MAP, pairs);
    else this.#writeHeader(RESP_ARRAY, pairs * 2);
  }

  /** RESP3 `~n\r\n`, RESP2 `*n\r\n`. */
  setHeader(n: number): void {
    this.#writeHeader(this.protocol === 3 ? RESP3_SET : RESP_ARRAY, checkCount(n));
  }

  /** RESP3 `>n\r\n`, RESP2 `*n\r\n` (pub/sub messages). */
  pushHeader(n: number): void {
    this.#writeHeader(this.protocol === 3 ? RESP3_PUSH : RESP_ARRAY, checkCount(n));
  }

  /**
   * RESP3 `,<%.17g>\r\n` (`inf`, `-inf`, `nan`); RESP2 the same text as a bulk string, as
   * Redis 7.0's addReplyDouble does.
   */
  double(d: number): void {
    const text = formatDoubleG17(d);
    if (this.protocol === 3) this.#writeLine(RESP3_DOUBLE, text);
    else this.#writeSized(RESP_BULK, "", text);
  }

  /** RESP3 `#t\r\n` / `#f\r\n`, RESP2 `:1\r\n` / `:0\r\n`. */
  boolean(b: boolean): void {
    if (this.protocol === 3) this.#writeLine(RESP3_BOOLEAN, b ? "t" : "f");
    else this.#writeHeader(RESP_INTEGER, b ? 1 : 0);
  }

  /**
   * RESP3 `=<len>\r\n<format>:<s>\r\n` (len counts the 4-byte `txt:` prefix), RESP2 a bulk
   * string of `s`. `format` is exactly three ASCII characters, e.g. `txt` or `mkd`.
   */
  verbatim(s: string, format: string = "txt"): void {
    if (this.protocol !== 3) {
      this.#writeSized(RESP_BULK, "", s);
      return;
    }
    const prefix = format + ":";
    if (prefix.length !== VERBATIM_PREFIX_SIZE_BYTES || !/^[\x21-\x7e]+$/.test(format)) {
      throw new RangeError(`verbatim format must be 3 printable ASCII characters, got ${format}`);
    }
    this.#writeSized(RESP3_VERBATIM, prefix, s);
  }

  /** Appends bytes that are already RESP (shared replies, proxied frames). */
  raw(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#lengthBytes);
    this.#lengthBytes += bytes.length;
  }

  // ---- Encoding primitives -----------------------------------------------------------------

  /** Makes room for `sizeBytes` more bytes, doubling the capacity as often as needed. */
  #reserve(sizeBytes: number): void {
    const neededBytes = this.#lengthBytes + sizeBytes;
    if (neededBytes <= this.#buf.length) return;
    let capacityBytes = Math.max(this.#buf.length * 2, this.#initialSizeBytes);
    while (capacityBytes < neededBytes) capacityBytes *= 2;
    const grown = new Uint8Array(capacityBytes);
    grown.set(this.#buf.subarray(0, this.#lengthBytes));
    this.#buf = grown;
  }

  #writeCrlf(): void {
    const at = this.#lengthBytes;
    this.#buf[at] = CR;
    this.#buf[at + 1] = LF;
    this.#lengthBytes = at + CRLF_SIZE_BYTES;
  }

  /** `<type><n>\r\n` for a safe integer n. */
  #writeHeader(typeByte: number, n: number): void {
    this.#reserve(HEADER_SIZE_MAX_BYTES);
    const buf = this.#buf;
    buf[this.#lengthBytes] = typeByte;
    this.#lengthBytes = writeDecimal(buf, this.#lengthBytes + 1, n);
    this.#writeCrlf();
  }

  /** `<type>-1\r\n` in RESP2, `_\r\n` in RESP3. */
  #writeNull(resp2TypeByte: number): void {
    if (this.protocol === 3) this.#writeLine(RESP3_NULL, "");
    else this.#writeLine(resp2TypeByte, NULL_LENGTH_DIGITS);
  }

  /** `<type><s as UTF-8>\r\n`; `s` holds no CR or LF. */
  #writeLine(typeByte: number, s: string): void {
    this.#reserve(1 + s.length * UTF8_BYTES_PER_UNIT_MAX + CRLF_SIZE_BYTES);
    this.#buf[this.#lengthBytes++] = typeByte;
    this.#lengthBytes = writeUtf8(this.#buf, this.#lengthBytes, s);
    this.#writeCrlf();
  }

  /** `<type><byte length>\r\n<asciiPrefix><s as UTF-8>\r\n`, e.g. a bulk or verbatim string. */
  #writeSized(typeByte: number, asciiPrefix: string, s: string): void {
    const start = this.#lengthBytes;
    if (s.length <= ASCII_FAST_PATH_MAX_CHARS) {
      // Optimistic: assume ASCII so the length is known; fall through if it is not.
      const sizeBytes = asciiPrefix.length + s.length;
      this.#reserve(HEADER_SIZE_MAX_BYTES + sizeBytes + CRLF_SIZE_BYTES);
      this.#writeHeader(typeByte, sizeBytes);
      const buf = this.#buf;
      let at = writeAscii(buf, this.#lengthBytes, asciiPrefix);
      let charIndex = 0;
      for (; charIndex < s.length; charIndex++) {
        const code = s.charCodeAt(charIndex);
        if (code >= 0x80) break;
        buf[at++] = code;
      }
      if (charIndex === s.length) {
        this.#lengthBytes = at;
        this.#writeCrlf();
        return;
      }
      this.#lengthBytes = start;
    }
    const sizeMaxBytes = asciiPrefix.length + s.length * UTF8_BYTES_PER_UNIT_MAX;
    const slotDigits = decimalDigitCount(sizeMaxBytes);
    this.#reserve(1 + slotDigits + CRLF_SIZE_BYTES + sizeMaxBytes + CRLF_SIZE_BYTES);
    const buf = this.#buf;
    const slotPayloadAt = start + 1 + slotDigits + CRLF_SIZE_BYTES;
    const textAt = writeAscii(buf, slotPayloadAt, asciiPrefix);
    const { written } = encoder.encodeInto(s, buf.subarray(textAt));
    const sizeBytes = asciiPrefix.length + written;
    const payloadAt = start + 1 + decimalDigitCount(sizeBytes) + CRLF_SIZE_BYTES;
    if (payloadAt !== slotPayloadAt) {
      buf.copyWithin(payloadAt, slotPayloadAt, slotPayloadAt + sizeBytes);
    }
    buf[start] = typeByte;
    const headerEnd = writeDecimal(buf, start + 1, sizeBytes);
    buf[headerEnd] = CR;
    buf[headerEnd + 1] = LF;
    this.#lengthBytes = payloadAt + sizeBytes;
    this.#writeCrlf();
  }
}

/**
 * Encodes a command as a RESP multibulk request: `*<n>\r\n` then `$<len>\r\n<arg>\r\n` per
 * argument (strings as UTF-8). Sizes first, allocates once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeCommand } from "./writer.ts";
 * const frame = encodeCommand(["SET", "k", new Uint8Array([0x76])]);
 * assert.ok(new TextDecoder().decode(frame) === "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n");
 * ```
 */
export function encodeCommand(argv: (string | Uint8Array)[]): Uint8Array {
  const args = argv.map((arg) => typeof arg === "string" ? encoder.encode(arg) : arg);
  let sizeBytes = 1 + decimalDigitCount(args.length) + CRLF_SIZE_BYTES;
  for (const arg of args) {
    sizeBytes += 1 + decimalDigitCount(arg.length) + CRLF_SIZE_BYTES + arg.length +
      CRLF_SIZE_BYTES;
  }
  const frame = new Uint8Array(sizeBytes);
  frame[0] = RESP_ARRAY;
  let at = writeCrlfAt(frame, writeDecimal(frame, 1, args.length));
  for (const arg of args) {
    frame[at] = RESP_BULK;
    at = writeCrlfAt(frame, writeDecimal(frame, at + 1, arg.length));
    frame.set(arg, at);
    at = writeCrlfAt(frame, at + arg.length);
  }
  if (at !== sizeBytes) throw new Error(`encodeCommand wrote ${at} of ${sizeBytes} bytes`);
  return frame;
}

/** Decimal digits of a non-negative safe integer. */
function decimalDigitCount(n: number): number {
  let count = 1;
  for (let bound = 10; n >= bound; bound *= 10) count++;
  return count;
}

/** Writes safe integer n in decimal at `at`; returns the index after it. */
function writeDecimal(buf: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    buf[at++] = MINUS;
    n = -n;
  }
  const end = at + decimalDigitCount(n);
  let index = end;
  if (n < 0x80000000) {
    do {
      const quotient = (n / 10) | 0;
      buf[--index] = DIGIT_0 + (n - quotient * 10);
      n = quotient;
    } while (n > 0);
  } else {
    do {
      const quotient = Math.floor(n / 10);
      buf[--index] = DIGIT_0 + (n - quotient * 10);
      n = quotient;
    } while (n > 0);
  }
  return end;
}

function writeCrlfAt(buf: Uint8Array, at: number): number {
  buf[at] = CR;
  buf[at + 1] = LF;
  return at + CRLF_SIZE_BYTES;
}

/** Writes a string known to be ASCII; returns the index after it. */
function writeAscii(buf: Uint8Array, at: number, s: string): number {
  for (let charIndex = 0; charIndex < s.length; charIndex++) buf[at++] = s.charCodeAt(charIndex);
  return at;
}

/** Writes `s` as UTF-8 (room for 3 bytes per unit reserved); returns the index after it. */
function writeUtf8(buf: Uint8Array, at: number, s: string): number {
  if (s.length <= ASCII_FAST_PATH_MAX_CHARS) {
    let index = at;
    let charIndex = 0;
    for (; charIndex < s.length; charIndex++) {
      const code = s.charCodeAt(charIndex);
      if (code >= 0x80) break;
      buf[index++] = code;
    }
    if (charIndex === s.length) return index;
  }
  return at + encoder.encodeInto(s, buf.subarray(at)).written;
}

/** Replaces CR and LF with spaces so a status/error reply stays one line. */
const OK_REPLY = new TextEncoder().encode("+OK\r\n");

function isLatin1(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

function oneLine(s: string): string {
  return s.includes("\r") || s.includes("\n") ? s.replace(/[\r\n]/g, " ") : s;
}

/** Removes CR/LF from both ends (Redis `sdstrim(s, "\r\n")`). */
function trimCrLf(s: string): string {
  return s.replace(/^[\r\n]+|[\r\n]+$/g, "");
}

/** Checks an aggregate element count. */
function checkCount(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new RangeError(`aggregate length must be a non-negative integer, got ${n}`);
  }
  return n;
}
