// RespReader: the server side request parser, one per connection. It owns the connection's
// query buffer and turns it into argv arrays the command layer executes.
//
// Shape, and why:
// - Incremental. Bytes arrive in arbitrary pieces; `next()` returns a command only when it is
//   complete and otherwise remembers where it stopped (cursor, pending argument count, pending
//   bulk length, terminator scan position), so a command fed one byte at a time is parsed in
//   linear time, not quadratic.
// - Zero-copy. `conn.read()` fills `writable()` directly and argv entries are `subarray` views
//   of the same buffer; inline arguments with escapes are decoded in place (decoding never
//   lengthens them). The only allocation per command is the argv array and its views.
// - Redis 7.0 semantics (`processInlineBuffer`, `processMultibulkBuffer`, `string2ll` and
//   `sdssplitargs`), including the quirks: terminators are searched like `strchr` (a NUL byte
//   ends the search, so a NUL before the terminator makes the request wait until it is "too
//   big"); the two bytes after a bulk payload are skipped without being checked; `*0` and
//   `*-n` are skipped; only `\r` is searched in `*`/`$` headers and the byte after it is skipped.
// - Every length is checked against a limit before anything is sized from it. A bulk that
//   announces 512 MB grows the buffer by doubling as bytes arrive, never to the announced size
//   at once (growth is clamped to the end of the pending bulk, so no more than that is kept).
//
// Deterministic "too big" checks. Redis tests "no terminator and more than PROTO_INLINE_MAX_SIZE
// bytes buffered" after each socket read, so its verdict on a 70 KB line depends on how the
// bytes were chunked. We search for the terminator only in the first `inlineLenMaxBytes + 1`
// bytes of the line: a line is refused iff its terminator is beyond that, which is what Redis
// answers when the bytes arrive one at a time (its strictest chunking). It also bounds the scan.
//
// Buffer layout (`#buf`, indices absolute; argument offsets are kept relative to `#readIndex`
// so moving the unconsumed tail to the front does not disturb them):
//
//   0            #readIndex              #cursor               #writeIndex          capacity
//   +------------+-----------------------+---------------------+--------------------+
//   | consumed   | current command:      | received, not yet   | free: writable()   |
//   |            | args parsed so far    | parsed              | hands this out     |
//   +------------+-----------------------+---------------------+--------------------+
//                 <------------------ bufferedBytes ---------->
//
// The consumed prefix is reclaimed only when `writable()` lacks room at the end (or for free
// when everything is consumed), so a steady pipeline moves at most one partial command per read.

import {
  CLIENT_QUERY_BUFFER_LIMIT_DEFAULT_BYTES,
  CR,
  CRLF_SIZE_BYTES,
  DIGIT_0,
  DIGIT_1,
  DIGIT_9,
  ERR_INVALID_BULK_LEN,
  ERR_INVALID_MULTIBULK_LEN,
  ERR_TOO_BIG_BULK_COUNT,
  ERR_TOO_BIG_INLINE,
  ERR_TOO_BIG_MBULK_COUNT,
  ERR_UNAUTHENTICATED_BULK_LEN,
  ERR_UNAUTHENTICATED_MULTIBULK_LEN,
  ERR_UNBALANCED_QUOTES,
  errExpectedDollar,
  LF,
  LLONG_MAX_DIGITS,
  LLONG_MIN_ABS_DIGITS,
  LONG_STR_SIZE_BYTES,
  MINUS,
  NUL,
  PROTO_INLINE_MAX_SIZE_BYTES,
  PROTO_IOBUF_LEN_BYTES,
  PROTO_MAX_BULK_LEN_DEFAULT_BYTES,
  PROTO_MULTIBULK_LEN_MAX,
  RESP_ARRAY,
  RESP_BULK,
  UNAUTHENTICATED_BULK_LEN_MAX_BYTES,
  UNAUTHENTICATED_MULTIBULK_LEN_MAX,
} from "./_codes.ts";
import { ProtocolError, QueryBufferLimitError } from "./errors.ts";

export { ProtocolError, QueryBufferLimitError };

/** Limits on one client's requests. All are live: CONFIG SET may change them at any time. */
export interface RequestLimits {
  /**
   * `proto-max-bulk-len`: largest bulk argument.
   * @default {512 * 1024 * 1024}
   */
  bulkLenMaxBytes: number;
  /**
   * Largest argument count of one multibulk request (never above Redis's `INT_MAX`).
   * @default {2147483647}
   */
  multibulkLenMax: number;
  /**
   * `client-query-buffer-limit`: most unconsumed bytes one client may have buffered.
   * @default {1024 ** 3}
   */
  queryBufferMaxBytes: number;
  /**
   * `PROTO_INLINE_MAX_SIZE`: longest inline line and longest `*<n>` / `$<n>` header line.
   * @default {64 * 1024}
   */
  inlineLenMaxBytes: number;
}

/** Redis 7.0's defaults for {@linkcode RequestLimits}. */
export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = Object.freeze({
  bulkLenMaxBytes: PROTO_MAX_BULK_LEN_DEFAULT_BYTES,
  multibulkLenMax: PROTO_MULTIBULK_LEN_MAX,
  queryBufferMaxBytes: CLIENT_QUERY_BUFFER_LIMIT_DEFAULT_BYTES,
  inlineLenMaxBytes: PROTO_INLINE_MAX_SIZE_BYTES,
});

/** Initial (and post-`shrink()`) capacity of the query buffer. */
const READER_INITIAL_SIZE_BYTES = PROTO_IOBUF_LEN_BYTES;
/** `#findByte` result when the terminator is not (yet) in the searched window. */
const NOT_FOUND = -1;
/** `#bulkLenBytes` while the `$<n>` header of the next argument has not been read. */
const BULK_LEN_UNKNOWN = -1;
/** unparsedRequestBytes while a command is partly parsed. */
const EMPTY_BYTES = new Uint8Array(0);
/** Shared result of an inline line with no arguments (skipped, never returned). */
const EMPTY_ARGV: Uint8Array[] = [];

/**
 * Incremental, zero-copy parser of client requests (multibulk and inline), with Redis 7.0's
 * limits and error texts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RespReader } from "./reader.ts";
 * const reader = new RespReader();
 * reader.push(new TextEncoder().encode("*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nPING\r\n"));
 * const decode = (argv: Uint8Array[] | null) => argv?.map((a) => new TextDecoder().decode(a));
 * assert.ok(decode(reader.next())?.join(" ") === "ECHO hi");
 * assert.ok(decode(reader.next())?.join(" ") === "PING");
 * assert.ok(reader.next() === null);
 * ```
 */
export class RespReader {
  /** Limits in force; mutable so CONFIG SET applies to connected clients at once. */
  limits: RequestLimits;
  /**
   * While true, Redis's pre-AUTH limits apply (at most 10 arguments and 16384-byte bulks,
   * CVE-2021-32675). The server sets it while `requirepass` is set and the client is not
   * authenticated.
   */
  authRequired = false;

  /** The query buffer. Replaced (not resized in place) when it grows or shrinks. */
  #buf: Uint8Array;
  /** First byte of the current, not yet returned command; everything before is consumed. */
  #readIndex = 0;
  /** One past the last received byte. */
  #writeIndex = 0;
  /** Parse position inside the current command (a header or a bulk payload starts here). */
  #cursor = 0;
  /** Where the next terminator search resumes; 0 means "at the start of the header/line". */
  #scanIndex = 0;
  /** Multibulk arguments still to be read; 0 between commands. */
  #argsPendingCount = 0;
  /** Announced size of the bulk being read, or BULK_LEN_UNKNOWN before its header. */
  #bulkLenBytes = BULK_LEN_UNKNOWN;
  /** Pairs (start relative to #readIndex, size in bytes) of the arguments parsed so far. */
  #argOffsets: number[] = [];
  /** Arguments of the current command recorded in #argOffsets. */
  #argCount = 0;
  /** Capacity at construction and after `shrink()`. */
  readonly #initialSizeBytes: number;
  /** The first error thrown; a failed reader rethrows it from next(), commit() and push(). */
  #failure: Error | null = null;

  /**
   * @param limits Overrides of {@linkcode DEFAULT_REQUEST_LIMITS}; each must be a number >= 0
   * (Infinity disables a limit, e.g. for the replication link from a master).
   */
  constructor(limits: Partial<RequestLimits> = {}, initialSizeBytes = READER_INITIAL_SIZE_BYTES) {
    const merged = { ...DEFAULT_REQUEST_LIMITS, ...limits };
    for (const [name, value] of Object.entries(merged)) {
      if (typeof value !== "number" || !(value >= 0)) {
        throw new RangeError(`RespReader limit ${name} must be a number >= 0, got ${value}`);
      }
    }
    this.limits = merged;
    this.#initialSizeBytes = initialSizeBytes;
    this.#buf = new Uint8Array(initialSizeBytes);
  }

  /** Bytes received but not yet returned as a command (Redis's `qbuf` + parsed partial args). */
  get bufferedBytes(): number {
    return this.#writeIndex - this.#readIndex;
  }

  /** Current capacity of the query buffer (CLIENT LIST `qbuf-free` is this minus used). */
  get capacityBytes(): number {
    return this.#buf.length;
  }

  /**
   * Returns the free region at the end of the buffer, at least `minBytes` long, for
   * `conn.read()` to fill; follow with `commit(n)`. Reclaims the consumed prefix first when
   * that makes room, else grows (doubling, clamped to the end of a pending bulk). Invalidates
   * argv views returned earlier.
   *
   * @param minBytes Smallest region wanted. @default {16384} (Redis's PROTO_IOBUF_LEN)
   */
  writable(minBytes: number = PROTO_IOBUF_LEN_BYTES): Uint8Array {
    if (!Number.isInteger(minBytes) || minBytes <= 0) {
      throw new RangeError(`writable(minBytes) needs a positive integer, got ${minBytes}`);
    }
    if (this.#readIndex === this.#writeIndex) {
      // Everything consumed and no partial command: restart at 0 without moving bytes.
      this.#readIndex = 0;
      this.#writeIndex = 0;
      this.#cursor = 0;
      this.#scanIndex = 0;
    }
    const capacityBytes = this.#buf.length;
    if (capacityBytes - this.#writeIndex >= minBytes) {
      return this.#buf.subarray(this.#writeIndex);
    }
    const liveBytes = this.#writeIndex - this.#readIndex;
    if (capacityBytes - liveBytes >= minBytes) {
      this.#buf.copyWithin(0, this.#readIndex, this.#writeIndex);
      this.#rebase(this.#readIndex);
    } else {
      let targetBytes = capacityBytes * 2;
      if (this.#bulkLenBytes !== BULK_LEN_UNKNOWN) {
        // Never keep room beyond the end of the pending bulk: it arrives as it arrives.
        const commandEndBytes = this.#cursor + this.#bulkLenBytes + CRLF_SIZE_BYTES -
          this.#readIndex;
        if (commandEndBytes < targetBytes) targetBytes = commandEndBytes;
      }
      this.#moveTo(new Uint8Array(Math.max(liveBytes + minBytes, targetBytes)));
    }
    return this.#buf.subarray(this.#writeIndex);
  }

  /**
   * Declares that `n` bytes were written at the start of the last `writable()` region.
   * Throws {@linkcode QueryBufferLimitError} when the buffered bytes now exceed
   * `limits.queryBufferMaxBytes` (checked right after the read, as Redis does).
   */
  commit(n: number): void {
    if (this.#failure !== null) throw this.#failure;
    if (!Number.isInteger(n) || n < 0 || n > this.#buf.length - this.#writeIndex) {
      throw new RangeError(
        `commit(${n}) outside the writable region of ${this.#buf.length - this.#writeIndex} bytes`,
      );
    }
    this.#writeIndex += n;
    const bufferedBytes = this.#writeIndex - this.#readIndex;
    if (bufferedBytes > this.limits.queryBufferMaxBytes) {
      this.#failure = new QueryBufferLimitError(bufferedBytes, this.limits.queryBufferMaxBytes);
      throw this.#failure;
    }
  }

  /** Copies `chunk` into the buffer and commits it (tests, replication, non-socket sources). */
  push(chunk: Uint8Array): void {
    if (this.#failure !== null) throw this.#failure;
    this.writable(Math.max(1, chunk.length)).set(chunk);
    this.commit(chunk.length);
  }

  /**
   * Parses the next complete command. Returns its argv as views into the buffer (valid until
   * the next `writable()`/`push()`), or null when more bytes are needed. Empty inline lines,
   * `*0` and `*-n` are skipped. Throws {@linkcode ProtocolError}; the reader is then unusable
   * and rethrows it (the server replies the error and closes the connection).
   */
  next(): Uint8Array[] | null {
    if (this.#failure !== null) throw this.#failure;
    try {
      return this.#parse();
    } catch (error) {
      if (error instanceof Error) this.#failure = error;
      throw error;
    }
  }

  /**
   * The received bytes no command has been parsed from yet, at most `maxBytes` of them, when
   * no command is partly parsed (else an empty view): for a caller that runs whole commands
   * from the raw bytes itself (core/commands/string_pipeline.ts), then `consumeRequestBytes`.
   * A view into the buffer, valid until the next `writable()`/`push()`.
   */
  unparsedRequestBytes(maxBytes: number): Uint8Array {
    if (this.#failure !== null || this.#argsPendingCount !== 0 || this.#scanIndex !== 0) {
      return EMPTY_BYTES;
    }
    const from = this.#readIndex;
    return this.#buf.subarray(from, Math.min(this.#writeIndex, from + maxBytes));
  }

  /**
   * The byte at `offset` in `unparsedRequestBytes()`, or -1 when there is none (beyond what
   * arrived, or while a command is partly parsed): a look without making a view.
   */
  unparsedByteAt(offset: number): number {
    if (this.#argsPendingCount !== 0 || this.#scanIndex !== 0) return -1;
    const at = this.#readIndex + offset;
    return at < this.#writeIndex ? this.#buf[at] : -1;
  }

  /**
   * Marks the first `sizeBytes` of `unparsedRequestBytes()` as consumed: the whole commands a
   * caller ran from them (never part of one).
   */
  consumeRequestBytes(sizeBytes: number): void {
    if (
      this.#argsPendingCount !== 0 || this.#scanIndex !== 0 || !Number.isInteger(sizeBytes) ||
      sizeBytes < 0 || sizeBytes > this.#writeIndex - this.#readIndex
    ) {
      throw new RangeError(`consumeRequestBytes(${sizeBytes}) outside the unparsed bytes`);
    }
    this.#readIndex += sizeBytes;
    this.#cursor = this.#readIndex;
  }

  /**
   * Gives back capacity grown for a big argument once the buffered bytes fit the initial size
   * again (Redis resizes query buffers from its client cron). Invalidates argv views.
   */
  shrink(): void {
    const liveBytes = this.#writeIndex - this.#readIndex;
    if (this.#buf.length > this.#initialSizeBytes && liveBytes < this.#initialSizeBytes) {
      this.#moveTo(new Uint8Array(this.#initialSizeBytes));
    }
    if (this.#argOffsets.length > 2 * this.#argCount + 1024) {
      this.#argOffsets.length = 2 * this.#argCount;
    }
  }

  // ---- Parsing ------------------------------------------------------------------------------

  /** One step per consumed request; each loop iteration consumes bytes or returns. */
  #parse(): Uint8Array[] | null {
    for (;;) {
      if (this.#argsPendingCount === 0) {
        if (this.#readIndex === this.#writeIndex) return null;
        if (this.#buf[this.#readIndex] !== RESP_ARRAY) {
          const argv = this.#readInline();
          if (argv === null) return null;
          if (argv.length === 0) continue;
          return argv;
        }
        const started = this.#readMultibulkHeader();
        if (started === null) return null;
        if (!started) continue;
      }
      if (!this.#readBulks()) return null;
      return this.#takeArgv();
    }
  }

  /**
   * Reads `*<n>\r\n` at #readIndex. Returns null when more bytes are needed, false when the
   * request was `*0`/`*-n` and was skipped, true when n arguments are now pending.
   */
  #readMultibulkHeader(): boolean | null {
    const from = this.#readIndex;
    const cr = this.#findByte(from, CR);
    if (cr === NOT_FOUND) {
      if (this.#writeIndex - from > this.limits.inlineLenMaxBytes) {
        throw new ProtocolError(ERR_TOO_BIG_MBULK_COUNT);
      }
      return null;
    }
    if (cr + CRLF_SIZE_BYTES > this.#writeIndex) return null;
    this.#scanIndex = 0;
    const count = parseLongLong(this.#buf, from + 1, cr);
    // NaN (not a string2ll integer) fails this comparison too.
    if (!(count <= Math.min(PROTO_MULTIBULK_LEN_MAX, this.limits.multibulkLenMax))) {
      throw new ProtocolError(ERR_INVALID_MULTIBULK_LEN);
    }
    if (count > UNAUTHENTICATED_MULTIBULK_LEN_MAX && this.authRequired) {
      throw new ProtocolError(ERR_UNAUTHENTICATED_MULTIBULK_LEN);
    }
    this.#cursor = cr + CRLF_SIZE_BYTES;
    if (count <= 0) {
      this.#readIndex = this.#cursor;
      return false;
    }
    this.#argsPendingCount = count;
    this.#argCount = 0;
    this.#bulkLenBytes = BULK_LEN_UNKNOWN;
    return true;
  }

  /** Reads `$<len>\r\n<payload>\r\n` arguments until none is pending (true) or bytes run out. */
  #readBulks(): boolean {
    const buf = this.#buf;
    while (this.#argsPendingCount > 0) {
      if (this.#bulkLenBytes === BULK_LEN_UNKNOWN) {
        const from = this.#cursor;
        const cr = this.#findByte(from, CR);
        if (cr === NOT_FOUND) {
          if (this.#writeIndex - from > this.limits.inlineLenMaxBytes) {
            throw new ProtocolError(ERR_TOO_BIG_BULK_COUNT);
          }
          return false;
        }
        if (cr + CRLF_SIZE_BYTES > this.#writeIndex) return false;
        this.#scanIndex = 0;
        if (buf[from] !== RESP_BULK) throw new ProtocolError(errExpectedDollar(buf[from]));
        const lenBytes = parseLongLong(buf, from + 1, cr);
        // NaN fails this comparison too.
        if (!(lenBytes >= 0 && lenBytes <= this.limits.bulkLenMaxBytes)) {
          throw new ProtocolError(ERR_INVALID_BULK_LEN);
        }
        if (lenBytes > UNAUTHENTICATED_BULK_LEN_MAX_BYTES && this.authRequired) {
          throw new ProtocolError(ERR_UNAUTHENTICATED_BULK_LEN);
        }
        this.#cursor = cr + CRLF_SIZE_BYTES;
        this.#bulkLenBytes = lenBytes;
      }
      const start = this.#cursor;
      const lenBytes = this.#bulkLenBytes;
      // Redis skips the two bytes after the payload without looking at them; so do we.
      if (this.#writeIndex - start < lenBytes + CRLF_SIZE_BYTES) return false;
      const pairIndex = this.#argCount * 2;
      this.#argOffsets[pairIndex] = start - this.#readIndex;
      this.#argOffsets[pairIndex + 1] = lenBytes;
      this.#argCount++;
      this.#argsPendingCount--;
      this.#cursor = start + lenBytes + CRLF_SIZE_BYTES;
      this.#bulkLenBytes = BULK_LEN_UNKNOWN;
    }
    return true;
  }

  /** Builds the argv of the completed multibulk command and consumes it. */
  #takeArgv(): Uint8Array[] {
    // `new Uint8Array(buffer, offset, size)` measured faster than `subarray` (no species
    // lookup); #buf is always allocated here, so its byteOffset is 0.
    const arrayBuffer = this.#buf.buffer;
    const base = this.#readIndex;
    const offsets = this.#argOffsets;
    const argv: Uint8Array[] = [];
    for (let argIndex = 0; argIndex < this.#argCount; argIndex++) {
      argv.push(
        new Uint8Array(arrayBuffer, base + offsets[argIndex * 2], offsets[argIndex * 2 + 1]),
      );
    }
    this.#argCount = 0;
    this.#readIndex = this.#cursor;
    return argv;
  }

  /**
   * Reads one inline line at #readIndex (ended by `\n`, an optional `\r` before it is dropped).
   * Returns null when more bytes are needed, EMPTY_ARGV for a blank line.
   */
  #readInline(): Uint8Array[] | null {
    const from = this.#readIndex;
    const lf = this.#findByte(from, LF);
    if (lf === NOT_FOUND) {
      if (this.#writeIndex - from > this.limits.inlineLenMaxBytes) {
        throw new ProtocolError(ERR_TOO_BIG_INLINE);
      }
      return null;
    }
    this.#scanIndex = 0;
    let lineEnd = lf;
    if (lf > from && this.#buf[lf - 1] === CR) lineEnd--;
    const argv = this.#splitArgs(from, lineEnd);
    this.#readIndex = lf + 1;
    this.#cursor = lf + 1;
    return argv;
  }

  /**
   * Splits buf[lineStart, lineEnd) into arguments like Redis's `sdssplitargs`, decoding quotes
   * and escapes in place (the output index never passes the input index), and returns views
   * of the decoded arguments. The line holds no NUL (the newline search stops at one), so the
   * C string's terminating NUL is "index == lineEnd" here.
   */
  #splitArgs(lineStart: number, lineEnd: number): Uint8Array[] {
    const buf = this.#buf;
    const at = (index: number): number => index < lineEnd ? buf[index] : NUL;
    const starts: number[] = [];
    const ends: number[] = [];
    let readIndex = lineStart;
    let writeIndex = lineStart;
    for (;;) {
      while (readIndex < lineEnd && isSpace(buf[readIndex])) readIndex++;
      if (readIndex >= lineEnd) break;
      const argStart = writeIndex;
      let inDoubleQuotes = false;
      let inSingleQuotes = false;
      let done = false;
      while (!done) {
        const byte = at(readIndex);
        if (inDoubleQuotes) {
          if (
            byte === BACKSLASH && at(readIndex + 1) === LOWER_X &&
            isHexDigit(at(readIndex + 2)) && isHexDigit(at(readIndex + 3))
          ) {
            buf[writeIndex++] = hexValue(at(readIndex + 2)) * 16 + hexValue(at(readIndex + 3));
            readIndex += 3;
          } else if (byte === BACKSLASH && at(readIndex + 1) !== NUL) {
            readIndex++;
            buf[writeIndex++] = unescapeByte(buf[readIndex]);
          } else if (byte === DOUBLE_QUOTE) {
            // A closing quote must be followed by a space or the end of the line.
            const after = at(readIndex + 1);
            if (after !== NUL && !isSpace(after)) throw new ProtocolError(ERR_UNBALANCED_QUOTES);
            done = true;
          } else if (byte === NUL) {
            throw new ProtocolError(ERR_UNBALANCED_QUOTES);
          } else {
            buf[writeIndex++] = byte;
          }
        } else if (inSingleQuotes) {
          if (byte === BACKSLASH && at(readIndex + 1) === SINGLE_QUOTE) {
            readIndex++;
            buf[writeIndex++] = SINGLE_QUOTE;
          } else if (byte === SINGLE_QUOTE) {
            const after = at(readIndex + 1);
            if (after !== NUL && !isSpace(after)) throw new ProtocolError(ERR_UNBALANCED_QUOTES);
            done = true;
          } else if (byte === NUL) {
            throw new ProtocolError(ERR_UNBALANCED_QUOTES);
          } else {
            buf[writeIndex++] = byte;
          }
        } else if (
          byte === SPACE || byte === LF || byte === CR || byte === TAB || byte === NUL
        ) {
          done = true;
        } else if (byte === DOUBLE_QUOTE) {
          inDoubleQuotes = true;
        } else if (byte === SINGLE_QUOTE) {
          inSingleQuotes = true;
        } else {
          buf[writeIndex++] = byte;
        }
        if (readIndex < lineEnd) readIndex++;
      }
      starts.push(argStart);
      ends.push(writeIndex);
    }
    if (starts.length === 0) return EMPTY_ARGV;
    const argv: Uint8Array[] = [];
    for (let argIndex = 0; argIndex < starts.length; argIndex++) {
      argv.push(buf.subarray(starts[argIndex], ends[argIndex]));
    }
    return argv;
  }

  // ---- Buffer management ----------------------------------------------------------------------

  /**
   * Searches `target` from `from` (resuming at #scanIndex) like `strchr`: stops at a NUL, and
   * looks no further than `inlineLenMaxBytes + 1` bytes past `from`. Leaves #scanIndex where
   * it stopped so a header fed byte by byte is scanned once.
   */
  #findByte(from: number, target: number): number {
    const buf = this.#buf;
    const windowEnd = Math.min(this.#writeIndex, from + this.limits.inlineLenMaxBytes + 1);
    let index = this.#scanIndex > from ? this.#scanIndex : from;
    for (; index < windowEnd; index++) {
      const byte = buf[index];
      if (byte === target) {
        this.#scanIndex = index;
        return index;
      }
      if (byte === NUL) break;
    }
    this.#scanIndex = index;
    return NOT_FOUND;
  }

  /** Copies the unconsumed bytes to the front of `next` and makes it the buffer. */
  #moveTo(next: Uint8Array): void {
    next.set(this.#buf.subarray(this.#readIndex, this.#writeIndex));
    const shift = this.#readIndex;
    this.#buf = next;
    this.#rebase(shift);
  }

  /** Moves every absolute index `shift` bytes towards the front after the bytes moved. */
  #rebase(shift: number): void {
    this.#readIndex -= shift;
    this.#writeIndex -= shift;
    this.#cursor -= shift;
    this.#scanIndex = this.#scanIndex > shift ? this.#scanIndex - shift : 0;
  }
}

// ---- Byte classes of sdssplitargs ----------------------------------------------------------------

const SPACE = 0x20;
const TAB = 0x09;
const VERTICAL_TAB = 0x0b;
const FORM_FEED = 0x0c;
const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const LOWER_X = 0x78;

/** C `isspace` in the "C" locale: space, \t, \n, \v, \f, \r. */
function isSpace(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === LF || byte === VERTICAL_TAB ||
    byte === FORM_FEED || byte === CR;
}

function isHexDigit(byte: number): boolean {
  return (byte >= DIGIT_0 && byte <= DIGIT_9) || (byte >= 0x61 && byte <= 0x66) ||
    (byte >= 0x41 && byte <= 0x46);
}

/** Value of a byte already checked by isHexDigit. */
function hexValue(byte: number): number {
  if (byte <= DIGIT_9) return byte - DIGIT_0;
  return (byte | 0x20) - 0x61 + 10;
}

/** The byte a backslash escape stands for inside double quotes (`\n \r \t \b \a`, else itself). */
function unescapeByte(byte: number): number {
  switch (byte) {
    case 0x6e: // n
      return LF;
    case 0x72: // r
      return CR;
    case 0x74: // t
      return TAB;
    case 0x62: // b
      return 0x08;
    case 0x61: // a
      return 0x07;
    default:
      return byte;
  }
}

// ---- Integers -------------------------------------------------------------------------------------

/**
 * Redis's `string2ll` over buf[from, to) without making a string: optional `-`, no `+`, no
 * spaces, no leading zeros ("0" alone is fine, "-0" is not), fewer than 21 bytes, within
 * int64. Returns NaN where string2ll fails. Values beyond 2^53 come back rounded, which only
 * matters for comparisons against limits far below that.
 */
export function parseLongLong(buf: Uint8Array, from: number, to: number): number {
  const sizeBytes = to - from;
  if (sizeBytes <= 0 || sizeBytes >= LONG_STR_SIZE_BYTES) return Number.NaN;
  if (sizeBytes === 1 && buf[from] === DIGIT_0) return 0;
  let index = from;
  const negative = buf[index] === MINUS;
  if (negative) {
    index++;
    if (index === to) return Number.NaN;
  }
  const first = buf[index];
  if (first < DIGIT_1 || first > DIGIT_9) return Number.NaN;
  const digitsFrom = index;
  let value = 0;
  for (; index < to; index++) {
    const byte = buf[index];
    if (byte < DIGIT_0 || byte > DIGIT_9) return Number.NaN;
    value = value * 10 + (byte - DIGIT_0);
  }
  const digitCount = to - digitsFrom;
  if (digitCount >= LLONG_MAX_DIGITS.length) {
    if (digitCount > LLONG_MAX_DIGITS.length) return Number.NaN;
    const bound = negative ? LLONG_MIN_ABS_DIGITS : LLONG_MAX_DIGITS;
    for (let digitIndex = 0; digitIndex < digitCount; digitIndex++) {
      const diff = buf[digitsFrom + digitIndex] - bound.charCodeAt(digitIndex);
      if (diff < 0) break;
      if (diff > 0) return Number.NaN;
    }
  }
  return negative ? -value : value;
}
