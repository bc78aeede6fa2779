// RdbReader: the streaming RDB file parser. It owns the bytes received and not yet parsed, and
// turns them into aux fields, database events and key/value entries, in file order.
//
// Shape, and why:
// - Streaming. The file arrives in chunks (`push`) from a socket or a file; events come out of
//   `nextEvent()` / `next()` as soon as they are complete. Only the bytes of the item being
//   parsed are buffered, never the whole file: memory is bounded by the largest single string
//   (a value's elements are kept, of course, until the value is complete).
// - The parser is a generator that suspends (yields null) whenever a primitive read (a byte,
//   a length, a string, a fixed-size field) lacks bytes. Each primitive is atomic — it either
//   consumes its bytes or nothing — so resuming never re-parses: a list of a million elements
//   fed one byte at a time is parsed in linear time.
// - Every length is checked against a named limit (`RdbReaderLimits`) before anything is
//   waited for or allocated; LZF strings also against the largest expansion LZF allows. A
//   declared 4 GB string in a short file fails as "above the limit" or, within the limit, at
//   the truncation — the buffer grows only with bytes actually received.
// - Every problem is an `RdbFormatError` naming the absolute file offset and what was wrong.
//   Embedded blobs (listpack, ziplist, intset, zipmap, LZF) are decoded by their own modules,
//   whose offsets are translated to file offsets here.
// - CRC64 is computed over the bytes as they are consumed and checked at the end when the
//   stored checksum is non-zero (zero means the writer had rdbchecksum off).
// - Empty collections (which Redis skips on load) are skipped and counted. Streams may be
//   empty (XGROUP CREATE … MKSTREAM, XDEL of every entry) and are kept, as Redis keeps them.
// - Streams (types 15 and 19) are read record by record like any value; what is inside a
//   node listpack is stream.ts's. A stream is held to what Redis 7.0 can produce (see
//   `streamRuleBroken`), each rule checked where its bytes are, so the error names them.
//   Counts of nodes, groups, PEL entries and consumers are checked against elementCountMax
//   and never preallocated: a huge count in a short file ends at the truncation.
//
// Buffer (`#buf`, indices relative to `#base`, the file offset of `#buf[0]`):
//
//   0          #crcIndex          #pos                       #end           capacity
//   +----------+------------------+--------------------------+--------------+
//   | in CRC,  | consumed, not    | received, not consumed   | free         |
//   | dropped  | yet in the CRC   | (the pending primitive)  |              |
//   +----------+------------------+--------------------------+--------------+
// `push` folds [#crcIndex, #pos) into the CRC and moves [#pos, #end) to the front when room
// is needed.

import {
  describeType,
  LZF_EXPANSION_RATIO_MAX,
  QUICKLIST_NODE_CONTAINER_PACKED,
  QUICKLIST_NODE_CONTAINER_PLAIN,
  RDB_CHECKSUM_SIZE_BYTES,
  RDB_DB_COUNT_MAX_DEFAULT,
  RDB_DOUBLE_TEXT_NAN,
  RDB_DOUBLE_TEXT_NEG_INF,
  RDB_DOUBLE_TEXT_POS_INF,
  RDB_ELEMENT_COUNT_MAX_DEFAULT,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_INT8,
  RDB_ENC_LZF,
  RDB_HEADER_SIZE_BYTES,
  RDB_MAGIC,
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FREQ,
  RDB_OPCODE_FUNCTION2,
  RDB_OPCODE_FUNCTION_PRE_GA,
  RDB_OPCODE_IDLE,
  RDB_OPCODE_MODULE_AUX,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_STRING_LEN_MAX_BYTES_DEFAULT,
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_MODULE,
  RDB_TYPE_MODULE_2,
  RDB_TYPE_SET,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_SET_LISTPACK,
  RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STREAM_LISTPACKS_3,
  RDB_TYPE_STRING,
  RDB_TYPE_ZSET,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_ZSET_ZIPLIST,
  RDB_VERSION_CHECKSUM_MIN,
  RDB_VERSION_MAX,
  RDB_VERSION_MIN,
  STREAM_ENTRIES_READ_INVALID,
  STREAM_ID_SIZE_BYTES,
} from "./_codes.ts";
import { decimalBytes } from "./_int.ts";
import { Crc64 } from "./crc64.ts";
import { BlobFormatError, RdbFormatError } from "./errors.ts";
import { decodeIntset } from "./intset.ts";
import {
  type DecodedLength,
  type DecodedLengthBig,
  decodeLength,
  decodeLengthBig,
  LENGTH_BAD_ENCODING,
  LENGTH_NEED_MORE,
  LENGTH_OK,
} from "./length.ts";
import { decodeListpack } from "./listpack.ts";
import { lzfDecompress } from "./lzf.ts";
import {
  compareStreamIds,
  decodeStreamId,
  decodeStreamNode,
  estimateEntriesRead,
  STREAM_ID_MAX,
  streamIdText,
} from "./stream.ts";
import type {
  RdbAux,
  RdbEntry,
  RdbEvent,
  RdbStream,
  RdbStreamConsumer,
  RdbStreamEntry,
  RdbStreamGroup,
  RdbStreamId,
  RdbStreamNode,
  RdbStreamPending,
  RdbValue,
} from "./types.ts";
import { decodeZiplist, decodeZipmap } from "./ziplist.ts";

/** Limits on what a file may declare. Each is checked before bytes are awaited. */
export interface RdbReaderLimits {
  /** Longest string (key, value, element, blob, uncompressed LZF) in bytes. @default 512 MB */
  stringLenMaxBytes: number;
  /** Most elements (pairs for hashes and zsets, nodes for quicklists). @default 2^32 - 1 */
  elementCountMax: number;
  /** Database ids must be below this. @default 16 */
  dbCountMax: number;
}

/** The limits a reader uses unless told otherwise (Redis 7.0 defaults). */
export const DEFAULT_RDB_READER_LIMITS: Readonly<RdbReaderLimits> = Object.freeze({
  stringLenMaxBytes: RDB_STRING_LEN_MAX_BYTES_DEFAULT,
  elementCountMax: RDB_ELEMENT_COUNT_MAX_DEFAULT,
  dbCountMax: RDB_DB_COUNT_MAX_DEFAULT,
});

/** Initial buffer size; it grows by doubling to the largest pending primitive. */
const BUFFER_SIZE_INITIAL_BYTES = 64 * 1024;
/** Bytes of an int64 / int32 expiry, and of a binary double. */
const EXPIRE_MS_SIZE_BYTES = 8;
const EXPIRE_S_SIZE_BYTES = 4;
/** Bytes of a stream PEL delivery time and a consumer's seen time (int64 LE ms). */
const STREAM_TIME_SIZE_BYTES = 8;
const BINARY_DOUBLE_SIZE_BYTES = 8;
const MS_PER_S = 1000;
/** Returned by the `#try…` primitives when bytes are missing. */
const NEED = -1;

/** Float text as strtod accepts it in valid files (Redis writes %.17g, "inf", "-inf"). */
const FLOAT_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INF_TEXT = /^[+]?inf(inity)?$/i;
const NEG_INF_TEXT = /^-inf(inity)?$/i;

/**
 * Streaming RDB parser (versions 1..10).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RdbReader, RdbWriter } from "./mod.ts";
 * const chunks: Uint8Array[] = [];
 * const writer = new RdbWriter({ onChunk: (chunk) => chunks.push(chunk) });
 * writer.selectDb(0, 1, 0);
 * writer.writeEntry({
 *   db: 0,
 *   key: new TextEncoder().encode("k"),
 *   expireAtMs: 0,
 *   value: { type: "string", value: new TextEncoder().encode("v") },
 * });
 * writer.finish();
 * const reader = new RdbReader();
 * for (const chunk of chunks) reader.push(chunk);
 * const entry = reader.next()!;
 * assert.equal(new TextDecoder().decode(entry.key), "k");
 * assert.equal(reader.next(), null);
 * reader.finish();
 * ```
 */
export class RdbReader {
  /** File version from the header; 0 until it has been read. */
  version = 0;
  /** Aux fields seen so far. */
  readonly aux: RdbAux = {};
  /** Keys skipped because their collection was empty (Redis skips them too). */
  emptyKeysSkipped = 0;

  readonly #limits: RdbReaderLimits;
  #buf = new Uint8Array(BUFFER_SIZE_INITIAL_BYTES);
  #base = 0;
  #pos = 0;
  #end = 0;
  #crcIndex = 0;
  readonly #crc = new Crc64();
  readonly #gen: Generator<RdbEvent | null, void>;
  #ended = false;
  #failed: RdbFormatError | null = null;
  /** An event parsed by `finish` that the caller has not taken yet. */
  #peeked: RdbEvent | null = null;
  /** What the pending primitive reads and where it starts (for truncation errors). */
  #pendingWhat = "the header";
  #pendingAt = 0;
  readonly #len: DecodedLength = { value: 0, sizeBytes: 0, isEncoded: false };
  readonly #lenBig: DecodedLengthBig = { value: 0n, sizeBytes: 0 };
  #db = 0;
  /** The parser is suspended between records (nothing half-read, no expiry pending). */
  #atRecordBoundary = false;
  readonly #trailingData: boolean;

  /**
   * With `trailingData`, bytes after the RDB's checksum are not an error: they stay buffered
   * for `takeTrailingBytes` (an AOF whose RDB preamble is followed by commands).
   */
  constructor(limits: Partial<RdbReaderLimits> = {}, options: { trailingData?: boolean } = {}) {
    this.#limits = { ...DEFAULT_RDB_READER_LIMITS, ...limits };
    this.#trailingData = options.trailingData ?? false;
    this.#gen = this.#run();
  }

  /** After the end (trailingData mode): the bytes received past the checksum, once. */
  takeTrailingBytes(): Uint8Array {
    if (!this.#ended) throw new TypeError("RdbReader.takeTrailingBytes: the RDB has not ended");
    const trailing = this.#buf.slice(this.#pos, this.#end);
    this.#pos = this.#end;
    return trailing;
  }

  /** True once the EOF opcode and checksum have been read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** File offset of the next byte to parse. */
  get offset(): number {
    return this.#base + this.#pos;
  }

  /**
   * Bulk-load fast path (see core/persistence/keyspace_records.ts loadEntries). When the
   * parser stands between records, calls `decode` with the received bytes it has not parsed,
   * the current database and the string length limit; `decode` returns how many leading
   * bytes it consumed as whole records, stopping before anything it does not handle in full.
   * Those bytes count as parsed (offsets, CRC) but produce no events. Returns the bytes
   * consumed: 0 when not between records or nothing is buffered.
   */
  consumeRecords(
    decode: (bytes: Uint8Array, db: number, stringLenMaxBytes: number) => number,
  ): number {
    if (!this.#atRecordBoundary || this.#peeked !== null || this.#failed !== null) return 0;
    if (this.#ended || this.#pos === this.#end) return 0;
    const available = this.#buf.subarray(this.#pos, this.#end);
    const consumed = decode(available, this.#db, this.#limits.stringLenMaxBytes);
    if (!Number.isInteger(consumed) || consumed < 0 || consumed > available.length) {
      throw new RangeError(`RdbReader.consumeRecords: decode consumed ${consumed} bytes`);
    }
    this.#pos += consumed;
    if (consumed > 0) this.#pendingAt = this.#base + this.#pos; // a truncation is past them
    return consumed;
  }

  /** Appends received bytes (copied; the caller may reuse `chunk`). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.#ended) {
      if (this.#trailingData) throw new TypeError("RdbReader.push: the RDB has ended");
      throw new RdbFormatError(this.#base + this.#end, "data after the end of the RDB file");
    }
    if (this.#end + chunk.length > this.#buf.length) this.#makeRoom(chunk.length);
    this.#buf.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /** The next complete event, or null when more bytes are needed (or the file has ended). */
  nextEvent(): RdbEvent | null {
    if (this.#failed !== null) throw this.#failed;
    if (this.#peeked !== null) {
      const event = this.#peeked;
      this.#peeked = null;
      return event;
    }
    if (this.#ended) return null;
    try {
      const step = this.#gen.next();
      return step.done ? null : step.value;
    } catch (error) {
      if (error instanceof RdbFormatError) this.#failed = error;
      throw error;
    }
  }

  /**
   * The next key/value entry, or null when more bytes are needed. Aux fields are collected
   * in `aux` on the way; other events are skipped (use `nextEvent` to see them).
   */
  next(): RdbEntry | null {
    for (;;) {
      const event = this.nextEvent();
      if (event === null) return null;
      if (event.kind === "entry") return event.entry;
    }
  }

  /**
   * Call after the last chunk: parses what is left (the trailer) and throws RdbFormatError
   * unless the whole file was there. Throws TypeError if events are still unread (drain
   * `next()` / `nextEvent()` until null first).
   */
  finish(): void {
    if (this.#failed !== null) throw this.#failed;
    if (!this.#ended && this.#peeked === null) this.#peeked = this.nextEvent();
    if (this.#peeked !== null) {
      throw new TypeError("RdbReader.finish: events remain unread; drain next() first");
    }
    if (this.#ended) return;
    throw new RdbFormatError(
      this.#pendingAt,
      `truncated: the file ends at offset ${this.#base + this.#end} inside ${this.#pendingWhat}`,
    );
  }

  // --- buffer ------------------------------------------------------------------------------

  #makeRoom(extraBytes: number): void {
    this.#crc.update(this.#buf, this.#crcIndex, this.#pos);
    const kept = this.#end - this.#pos;
    let target = this.#buf;
    if (kept + extraBytes > this.#buf.length) {
      let capacity = this.#buf.length * 2;
      while (capacity < kept + extraBytes) capacity *= 2;
      target = new Uint8Array(capacity);
    }
    target.set(this.#buf.subarray(this.#pos, this.#end), 0);
    this.#buf = target;
    this.#base += this.#pos;
    this.#end = kept;
    this.#pos = 0;
    this.#crcIndex = 0;
  }

  #fail(offset: number, reason: string): never {
    throw new RdbFormatError(offset, reason);
  }

  #need(what: string): number {
    this.#pendingWhat = what;
    this.#pendingAt = this.#base + this.#pos;
    return NEED;
  }

  // --- atomic primitives: consume everything or nothing ------------------------------------

  /** One byte, or NEED. */
  #tryByte(what: string): number {
    if (this.#pos >= this.#end) return this.#need(what);
    return this.#buf[this.#pos++];
  }

  /** Index in #buf of `sizeBytes` consumed bytes, or NEED. */
  #tryFixed(sizeBytes: number, what: string): number {
    if (this.#end - this.#pos < sizeBytes) return this.#need(what);
    const at = this.#pos;
    this.#pos += sizeBytes;
    return at;
  }

  /** A plain length (no special encoding) not above `max`, or NEED. */
  #tryLength(what: string, max: number): number {
    const at = this.#base + this.#pos;
    const status = decodeLength(this.#buf, this.#pos, this.#end, this.#len);
    if (status === LENGTH_NEED_MORE) return this.#need(what);
    if (status !== LENGTH_OK) this.#fail(at, `bad length encoding for ${what}`);
    if (this.#len.isEncoded) {
      this.#fail(at, `bad length for ${what}: special string encoding where a length belongs`);
    }
    if (this.#len.value > max) {
      this.#fail(at, `bad length for ${what}: ${this.#len.value} is above the limit ${max}`);
    }
    this.#pos += this.#len.sizeBytes;
    return this.#len.value;
  }

  /** A 64-bit length (stream IDs and counters) as a bigint, or null when bytes are missing. */
  #tryLengthBig(what: string): bigint | null {
    const at = this.#base + this.#pos;
    const status = decodeLengthBig(this.#buf, this.#pos, this.#end, this.#lenBig);
    if (status === LENGTH_NEED_MORE) {
      this.#need(what);
      return null;
    }
    if (status !== LENGTH_OK) this.#fail(at, `bad length encoding for ${what}`);
    this.#pos += this.#lenBig.sizeBytes;
    return this.#lenBig.value;
  }

  /** A string in any RDB string encoding (a fresh copy), or null when bytes are missing. */
  #tryString(what: string): Uint8Array | null {
    const start = this.#pos;
    const at = this.#base + start;
    const len = this.#len;
    const status = decodeLength(this.#buf, start, this.#end, len);
    if (status === LENGTH_NEED_MORE) return this.#needString(what);
    if (status === LENGTH_BAD_ENCODING) this.#fail(at, `bad length encoding for ${what}`);
    if (status !== LENGTH_OK) this.#fail(at, `bad length for ${what}: above 2^53`);
    const limit = this.#limits.stringLenMaxBytes;
    if (!len.isEncoded) {
      if (len.value > limit) {
        this.#fail(at, `bad length for ${what}: ${len.value} bytes is above the limit ${limit}`);
      }
      const dataAt = start + len.sizeBytes;
      if (this.#end - dataAt < len.value) return this.#needString(what);
      this.#pos = dataAt + len.value;
      return this.#buf.slice(dataAt, dataAt + len.value);
    }
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
    switch (len.value) {
      case RDB_ENC_INT8:
        if (this.#end - start < 2) return this.#needString(what);
        this.#pos = start + 2;
        return decimalBytes(view.getInt8(start + 1));
      case RDB_ENC_INT16:
        if (this.#end - start < 3) return this.#needString(what);
        this.#pos = start + 3;
        return decimalBytes(view.getInt16(start + 1, true));
      case RDB_ENC_INT32:
        if (this.#end - start < 5) return this.#needString(what);
        this.#pos = start + 5;
        return decimalBytes(view.getInt32(start + 1, true));
      case RDB_ENC_LZF:
        return this.#tryLzfString(what);
      default:
        return this.#fail(at, `bad string encoding ${len.value} for ${what}`);
    }
  }

  #needString(what: string): null {
    this.#need(what);
    return null;
  }

  /** `11000011 <compressed len> <uncompressed len> <data>` at #pos. */
  #tryLzfString(what: string): Uint8Array | null {
    const start = this.#pos;
    const at = this.#base + start;
    const limit = this.#limits.stringLenMaxBytes;
    const len = this.#len;
    let cursor = start + 1;
    const lengths: number[] = [];
    for (const field of ["compressed", "uncompressed"]) {
      const fieldAt = this.#base + cursor;
      const status = decodeLength(this.#buf, cursor, this.#end, len);
      if (status === LENGTH_NEED_MORE) return this.#needString(what);
      if (status !== LENGTH_OK || len.isEncoded) {
        this.#fail(fieldAt, `bad ${field} length encoding in LZF string for ${what}`);
      }
      if (len.value > limit) {
        this.#fail(
          fieldAt,
          `bad ${field} length in LZF string for ${what}: ${len.value} is above the limit ${limit}`,
        );
      }
      lengths.push(len.value);
      cursor += len.sizeBytes;
    }
    const [compressedBytes, uncompressedBytes] = lengths;
    if (compressedBytes === 0 || uncompressedBytes === 0) {
      this.#fail(at, `bad LZF string for ${what}: zero length`);
    }
    if (uncompressedBytes > compressedBytes * LZF_EXPANSION_RATIO_MAX) {
      this.#fail(
        at,
        `bad LZF string for ${what}: ${compressedBytes} bytes cannot expand to ${uncompressedBytes}`,
      );
    }
    if (this.#end - cursor < compressedBytes) return this.#needString(what);
    const data = this.#buf.subarray(cursor, cursor + compressedBytes);
    let out: Uint8Array;
    try {
      out = lzfDecompress(data, uncompressedBytes);
    } catch (error) {
      if (!(error instanceof BlobFormatError)) throw error;
      this.#fail(this.#base + cursor + error.blobOffset, `${error.reason} (${what})`);
    }
    this.#pos = cursor + compressedBytes;
    return out;
  }

  // --- the parser --------------------------------------------------------------------------

  *#run(): Generator<RdbEvent | null, void> {
    let at: number;
    while ((at = this.#tryFixed(RDB_HEADER_SIZE_BYTES, "the header")) === NEED) yield null;
    for (let index = 0; index < RDB_MAGIC.length; index++) {
      if (this.#buf[at + index] !== RDB_MAGIC[index]) {
        this.#fail(0, "not an RDB file (no REDIS magic)");
      }
    }
    let version = 0;
    for (let index = RDB_MAGIC.length; index < RDB_HEADER_SIZE_BYTES; index++) {
      const digit = this.#buf[at + index] - 0x30;
      if (digit < 0 || digit > 9) this.#fail(index, "bad version: not four digits");
      version = version * 10 + digit;
    }
    if (version < RDB_VERSION_MIN) this.#fail(5, `bad version ${version}`);
    if (version > RDB_VERSION_MAX) {
      this.#fail(5, `version too new: ${version} (this reader handles up to ${RDB_VERSION_MAX})`);
    }
    this.version = version;

    let expireAtMs = 0;
    for (;;) {
      let type: number;
      while ((type = this.#tryByte("a type or opcode")) === NEED) {
        this.#atRecordBoundary = expireAtMs === 0;
        yield null;
        this.#atRecordBoundary = false;
      }
      const typeAt = this.#base + this.#pos - 1;
      switch (type) {
        case RDB_OPCODE_EXPIRETIME_MS: {
          while ((at = this.#tryFixed(EXPIRE_MS_SIZE_BYTES, "an expire time")) === NEED) yield null;
          const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
          // Beyond 2^53 ms (285,000 years) a time cannot be held exactly; it means "never" in
          // practice, so it is held as the largest exact one rather than refused.
          expireAtMs = Math.min(Number(view.getBigInt64(at, true)), Number.MAX_SAFE_INTEGER);
          continue;
        }
        case RDB_OPCODE_EXPIRETIME: {
          while ((at = this.#tryFixed(EXPIRE_S_SIZE_BYTES, "an expire time")) === NEED) yield null;
          const view = new DataView(this.#buf.buffer, this.#buf.byteOffset);
          expireAtMs = view.getInt32(at, true) * MS_PER_S;
          continue;
        }
        case RDB_OPCODE_IDLE:
          while (this.#tryLength("an LRU idle time", Number.MAX_SAFE_INTEGER) === NEED) {
            yield null;
          }
          continue;
        case RDB_OPCODE_FREQ:
          while (this.#tryByte("an LFU frequency") === NEED) yield null;
          continue;
        case RDB_OPCODE_SELECTDB: {
          let db: number;
          while ((db = this.#tryLength("a database id", this.#limits.dbCountMax - 1)) === NEED) {
            yield null;
          }
          this.#db = db;
          this.#atRecordBoundary = expireAtMs === 0;
          yield { kind: "selectdb", db };
          this.#atRecordBoundary = false;
          continue;
        }
        case RDB_OPCODE_RESIZEDB: {
          const max = Number.MAX_SAFE_INTEGER;
          let keyCount: number;
          while ((keyCount = this.#tryLength("a RESIZEDB key count", max)) === NEED) yield null;
          let expiresCount: number;
          while ((expiresCount = this.#tryLength("a RESIZEDB expires count", max)) === NEED) {
            yield null;
          }
          this.#atRecordBoundary = expireAtMs === 0;
          yield { kind: "resizedb", db: this.#db, keyCount, expiresCount };
          this.#atRecordBoundary = false;
          continue;
        }
        case RDB_OPCODE_AUX: {
          let name: Uint8Array | null;
          while ((name = this.#tryString("an aux field name")) === null) yield null;
          let value: Uint8Array | null;
          while ((value = this.#tryString("an aux field value")) === null) yield null;
          const nameText = latin1(name);
          this.aux[nameText] = value;
          yield { kind: "aux", name: nameText, value };
          continue;
        }
        case RDB_OPCODE_FUNCTION2: {
          let code: Uint8Array | null;
          while ((code = this.#tryString("a function library")) === null) yield null;
          yield { kind: "function", code };
          continue;
        }
        case RDB_OPCODE_FUNCTION_PRE_GA:
          return this.#fail(typeAt, "unsupported: pre-release (7.0 RC) function format (0xF6)");
        case RDB_OPCODE_MODULE_AUX:
          return this.#fail(typeAt, "unsupported: module aux data (0xF7)");
        case RDB_OPCODE_EOF: {
          this.#crc.update(this.#buf, this.#crcIndex, this.#pos);
          this.#crcIndex = this.#pos;
          if (this.version >= RDB_VERSION_CHECKSUM_MIN) {
            while ((at = this.#tryFixed(RDB_CHECKSUM_SIZE_BYTES, "the checksum")) === NEED) {
              yield null;
            }
            this.#crcIndex = this.#pos;
            const stored = this.#buf.subarray(at, at + RDB_CHECKSUM_SIZE_BYTES);
            if (stored.some((byte) => byte !== 0) && !this.#crc.equalsLittleEndian(this.#buf, at)) {
              this.#fail(this.#base + at, "checksum mismatch");
            }
          }
          if (this.#pos !== this.#end && !this.#trailingData) {
            this.#fail(this.#base + this.#pos, "data after the end of the RDB file");
          }
          this.#ended = true;
          return;
        }
        default: {
          const entry = yield* this.#readEntry(type, typeAt, expireAtMs);
          expireAtMs = 0;
          if (entry === null) {
            this.emptyKeysSkipped++;
            continue;
          }
          this.#atRecordBoundary = true;
          yield { kind: "entry", entry };
          this.#atRecordBoundary = false;
        }
      }
    }
  }

  *#readEntry(
    type: number,
    typeAt: number,
    expireAtMs: number,
  ): Generator<null, RdbEntry | null> {
    checkSupportedType(type, typeAt);
    let key: Uint8Array | null;
    while ((key = this.#tryString("a key")) === null) yield null;
    const value = yield* this.#readValue(type, typeAt);
    if (value === null) return null;
    return { db: this.#db, key, expireAtMs, value };
  }

  /** The value of `type` (already checked as supported); null for an empty collection. */
  *#readValue(type: number, typeAt: number): Generator<null, RdbValue | null> {
    const countMax = this.#limits.elementCountMax;
    switch (type) {
      case RDB_TYPE_STRING: {
        let value: Uint8Array | null;
        while ((value = this.#tryString("a string value")) === null) yield null;
        return { type: "string", value };
      }
      case RDB_TYPE_LIST:
      case RDB_TYPE_SET: {
        const what = type === RDB_TYPE_LIST ? "list" : "set";
        let count: number;
        while ((count = this.#tryLength(`a ${what} length`, countMax)) === NEED) yield null;
        const elements: Uint8Array[] = [];
        for (let index = 0; index < count; index++) {
          let element: Uint8Array | null;
          while ((element = this.#tryString(`a ${what} element`)) === null) yield null;
          elements.push(element);
        }
        if (count === 0) return null;
        if (type === RDB_TYPE_LIST) return { type: "list", elements };
        this.#checkUnique(elements, 1, typeAt, "set member");
        return { type: "set", members: elements };
      }
      case RDB_TYPE_ZSET:
      case RDB_TYPE_ZSET_2: {
        let count: number;
        while ((count = this.#tryLength("a zset length", countMax)) === NEED) yield null;
        const entries: { member: Uint8Array; score: number }[] = [];
        for (let index = 0; index < count; index++) {
          let member: Uint8Array | null;
          while ((member = this.#tryString("a zset member")) === null) yield null;
          const scoreAt = this.#base + this.#pos;
          let score: number;
          if (type === RDB_TYPE_ZSET_2) {
            let at: number;
            while ((at = this.#tryFixed(BINARY_DOUBLE_SIZE_BYTES, "a zset score")) === NEED) {
              yield null;
            }
            score = new DataView(this.#buf.buffer, this.#buf.byteOffset).getFloat64(at, true);
          } else {
            let parsed: number | null;
            while ((parsed = this.#tryTextDouble()) === null) yield null;
            score = parsed;
          }
          if (Number.isNaN(score)) this.#fail(scoreAt, "zset score is NaN");
          entries.push({ member, score });
        }
        if (count === 0) return null;
        this.#checkUnique(entries.map((entry) => entry.member), 1, typeAt, "zset member");
        return { type: "zset", entries };
      }
      case RDB_TYPE_HASH: {
        let count: number;
        while ((count = this.#tryLength("a hash length", countMax)) === NEED) yield null;
        const fields: { field: Uint8Array; value: Uint8Array }[] = [];
        for (let index = 0; index < count; index++) {
          let field: Uint8Array | null;
          while ((field = this.#tryString("a hash field")) === null) yield null;
          let value: Uint8Array | null;
          while ((value = this.#tryString("a hash value")) === null) yield null;
          fields.push({ field, value });
        }
        if (count === 0) return null;
        this.#checkUnique(fields.map((pair) => pair.field), 1, typeAt, "hash field");
        return { type: "hash", fields };
      }
      case RDB_TYPE_LIST_QUICKLIST:
      case RDB_TYPE_LIST_QUICKLIST_2: {
        let nodeCount: number;
        while ((nodeCount = this.#tryLength("a quicklist node count", countMax)) === NEED) {
          yield null;
        }
        const elements: Uint8Array[] = [];
        for (let index = 0; index < nodeCount; index++) {
          let container = QUICKLIST_NODE_CONTAINER_PACKED;
          if (type === RDB_TYPE_LIST_QUICKLIST_2) {
            const containerAt = this.#base + this.#pos;
            while ((container = this.#tryLength("a quicklist container", countMax)) === NEED) {
              yield null;
            }
            if (
              container !== QUICKLIST_NODE_CONTAINER_PACKED &&
              container !== QUICKLIST_NODE_CONTAINER_PLAIN
            ) {
              this.#fail(containerAt, `bad quicklist node container ${container}`);
            }
          }
          const blobAt = this.#base + this.#pos;
          let blob: Uint8Array | null;
          while ((blob = this.#tryString("a quicklist node")) === null) yield null;
          if (container === QUICKLIST_NODE_CONTAINER_PLAIN) {
            elements.push(blob);
            continue;
          }
          const nodeElements = type === RDB_TYPE_LIST_QUICKLIST
            ? this.#decodeBlob(decodeZiplist, blob, blobAt, "quicklist ziplist node")
            : this.#decodeBlob(decodeListpack, blob, blobAt, "quicklist listpack node");
          for (const element of nodeElements) elements.push(element);
          if (elements.length > countMax) this.#fail(blobAt, "list has too many elements");
        }
        if (elements.length === 0) return null;
        return { type: "list", elements };
      }
      case RDB_TYPE_STREAM_LISTPACKS:
      case RDB_TYPE_STREAM_LISTPACKS_2:
        return { type: "stream", stream: yield* this.#readStream(type) };
      default:
        break;
    }
    // The remaining types are one blob each.
    const blobAt = this.#base + this.#pos;
    let blob: Uint8Array | null;
    while ((blob = this.#tryString("an encoded value")) === null) yield null;
    return this.#decodeBlobValue(type, blob, blobAt, typeAt);
  }

  // --- streams -----------------------------------------------------------------------------

  /**
   * A stream of type 15 or 19 (rdb.c rdbLoadObject): nodes, length, last ID, [first ID, max
   * deleted ID, entries-added: type 19], groups with [entries-read: type 19], PEL and
   * consumers. Type 15's missing counters are filled as Redis 7.0 fills them.
   */
  *#readStream(type: number): Generator<null, RdbStream> {
    const nodes: RdbStreamNode[] = [];
    const entries = yield* this.#readStreamNodes(nodes);
    const counters = yield* this.#readStreamCounters(type, entries);
    let groupCount: number;
    while (
      (groupCount = this.#tryLength("a consumer group count", this.#limits.elementCountMax)) ===
        NEED
    ) {
      yield null;
    }
    const groups: RdbStreamGroup[] = [];
    const groupNames = new Set<string>();
    for (let index = 0; index < groupCount; index++) {
      groups.push(yield* this.#readStreamGroup(type, counters, groupNames));
    }
    const { lastId, firstId, maxDeletedId, entriesAdded } = counters;
    return { entries, nodes, lastId, firstId, maxDeletedId, entriesAdded, groups };
  }

  /**
   * The nodes' live entries: each node key and listpack checked by `decodeStreamNode`, and
   * kept as they are in `nodes`.
   */
  *#readStreamNodes(nodes: RdbStreamNode[]): Generator<null, RdbStreamEntry[]> {
    const countMax = this.#limits.elementCountMax;
    let nodeCount: number;
    while ((nodeCount = this.#tryLength("a stream node count", countMax)) === NEED) yield null;
    const entries: RdbStreamEntry[] = [];
    let lastSeenId: RdbStreamId | null = null;
    for (let node = 0; node < nodeCount; node++) {
      const keyAt = this.offset;
      let key: Uint8Array | null;
      while ((key = this.#tryString("a stream node key")) === null) yield null;
      if (key.length !== STREAM_ID_SIZE_BYTES) {
        this.#fail(keyAt, `stream node key is ${key.length} bytes, not a 16-byte ID`);
      }
      const blobAt = this.offset;
      let listpack: Uint8Array | null;
      while ((listpack = this.#tryString("a stream node listpack")) === null) yield null;
      try {
        lastSeenId = decodeStreamNode(decodeStreamId(key, 0), listpack, lastSeenId, entries);
        nodes.push({ key, listpack });
      } catch (error) {
        if (!(error instanceof BlobFormatError)) throw error;
        // The blob may have been LZF-compressed, so its offset is only exact for raw blobs.
        this.#fail(blobAt, `bad stream node listpack (${error.message})`);
      }
      if (entries.length > countMax) this.#fail(blobAt, "stream has more entries than the limit");
    }
    return entries;
  }

  /** Length, last ID and (type 19) first ID, max deleted ID, entries-added. */
  *#readStreamCounters(type: number, entries: RdbStreamEntry[]): Generator<null, StreamCounters> {
    const lengthAt = this.offset;
    let length: number;
    while ((length = this.#tryLength("a stream length", this.#limits.elementCountMax)) === NEED) {
      yield null;
    }
    if (length !== entries.length) {
      this.#fail(lengthAt, `stream length ${length}, but its nodes hold ${entries.length} entries`);
    }
    const firstEntryId = entries.length > 0 ? entries[0].id : null;
    const lastEntryId = entries.length > 0 ? entries[entries.length - 1].id : null;
    const lastIdAt = this.offset;
    const lastId = yield* this.#readStreamId("a stream's last ID");
    if (lastEntryId !== null && compareStreamIds(lastId, lastEntryId) < 0) {
      this.#fail(
        lastIdAt,
        `stream last ID ${streamIdText(lastId)} is below entry ${streamIdText(lastEntryId)}`,
      );
    }
    if (type !== RDB_TYPE_STREAM_LISTPACKS_2) {
      // What Redis 7.0 records for a type-15 stream: the first live entry's ID (the largest ID
      // when there is none: streamGetEdgeID), no tombstone, every entry added still there.
      const firstId = firstEntryId ?? { ...STREAM_ID_MAX };
      const entriesAdded = BigInt(length);
      return { length, lastId, firstId, maxDeletedId: { ms: 0n, seq: 0n }, entriesAdded };
    }
    const firstIdAt = this.offset;
    const firstId = yield* this.#readStreamId("a stream's first ID");
    if (firstEntryId !== null && compareStreamIds(firstId, firstEntryId) !== 0) {
      this.#fail(
        firstIdAt,
        `stream first ID ${streamIdText(firstId)} is not entry ${streamIdText(firstEntryId)}`,
      );
    }
    const maxDeletedId = yield* this.#readStreamId("a stream's max deleted ID");
    const addedAt = this.offset;
    const entriesAdded = yield* this.#readLengthBig("a stream's entries-added");
    if (entriesAdded < BigInt(length)) {
      this.#fail(addedAt, `stream entries-added ${entriesAdded} is below its length ${length}`);
    }
    return { length, lastId, firstId, maxDeletedId, entriesAdded };
  }

  /** One consumer group; its name must not be in `names` (it is added). */
  *#readStreamGroup(
    type: number,
    counters: StreamCounters,
    names: Set<string>,
  ): Generator<null, RdbStreamGroup> {
    const nameAt = this.offset;
    let name: Uint8Array | null;
    while ((name = this.#tryString("a consumer group name")) === null) yield null;
    const nameText = latin1(name);
    if (names.has(nameText)) this.#fail(nameAt, "duplicate consumer group name");
    names.add(nameText);
    const lastDeliveredId = yield* this.#readStreamId("a group's last delivered ID");
    let entriesRead: bigint;
    if (type === RDB_TYPE_STREAM_LISTPACKS_2) {
      const readAt = this.offset;
      // A uint64 on disk holding an int64: -1 (unknown) is written as 2^64 - 1.
      entriesRead = BigInt.asIntN(64, yield* this.#readLengthBig("a group's entries-read"));
      if (entriesRead < STREAM_ENTRIES_READ_INVALID) {
        this.#fail(readAt, `group entries-read ${entriesRead} is below -1`);
      }
    } else {
      entriesRead = estimateEntriesRead(counters, lastDeliveredId);
    }
    const pel = yield* this.#readGroupPel();
    const consumers = yield* this.#readConsumers(pel);
    // As rdb.c checks with deep sanitization: every pending entry has its consumer.
    const orphan = pel.owned.indexOf(false);
    if (orphan !== -1) {
      this.#fail(
        pel.offsets[orphan],
        `PEL entry ${streamIdText(pel.pending[orphan].id)} has no consumer`,
      );
    }
    // Redis writes PELs ascending (radix tree order); a file that does not is sorted here.
    const pending = isAscending(pel.pending.map((entry) => entry.id))
      ? pel.pending
      : [...pel.pending].sort((a, b) => compareStreamIds(a.id, b.id));
    return { name, lastDeliveredId, entriesRead, pending, consumers };
  }

  /** A group's PEL, indexed by raw ID, with each entry's file offset and owner flag. */
  *#readGroupPel(): Generator<null, GroupPel> {
    let count: number;
    while ((count = this.#tryLength("a group PEL size", this.#limits.elementCountMax)) === NEED) {
      yield null;
    }
    const pel: GroupPel = { pending: [], offsets: [], owned: [], index: new Map() };
    for (let entry = 0; entry < count; entry++) {
      const idAt = this.offset;
      let at: number;
      while ((at = this.#tryFixed(STREAM_ID_SIZE_BYTES, "a PEL entry ID")) === NEED) yield null;
      const raw = latin1(this.#buf.subarray(at, at + STREAM_ID_SIZE_BYTES));
      const id = decodeStreamId(this.#buf, at);
      if (pel.index.has(raw)) this.#fail(idAt, `duplicate PEL entry ${streamIdText(id)}`);
      while ((at = this.#tryFixed(STREAM_TIME_SIZE_BYTES, "a PEL delivery time")) === NEED) {
        yield null;
      }
      const deliveryTimeMs = new DataView(this.#buf.buffer, this.#buf.byteOffset)
        .getBigInt64(at, true);
      const deliveryCount = yield* this.#readLengthBig("a PEL delivery count");
      pel.index.set(raw, pel.pending.length);
      pel.offsets.push(idAt);
      pel.owned.push(false);
      pel.pending.push({ id, deliveryTimeMs, deliveryCount });
    }
    return pel;
  }

  /**
   * A group's consumers. Each ID a consumer owns must be in the group's PEL and owned by no
   * other consumer (nor twice by this one); it is marked owned in `pel`.
   */
  *#readConsumers(pel: GroupPel): Generator<null, RdbStreamConsumer[]> {
    const countMax = this.#limits.elementCountMax;
    let count: number;
    while ((count = this.#tryLength("a consumer count", countMax)) === NEED) yield null;
    const consumers: RdbStreamConsumer[] = [];
    const names = new Set<string>();
    for (let index = 0; index < count; index++) {
      const nameAt = this.offset;
      let name: Uint8Array | null;
      while ((name = this.#tryString("a consumer name")) === null) yield null;
      const nameText = latin1(name);
      if (names.has(nameText)) this.#fail(nameAt, "duplicate consumer name");
      names.add(nameText);
      let at: number;
      while ((at = this.#tryFixed(STREAM_TIME_SIZE_BYTES, "a consumer seen time")) === NEED) {
        yield null;
      }
      const seenTimeMs = new DataView(this.#buf.buffer, this.#buf.byteOffset).getBigInt64(at, true);
      let ownCount: number;
      while ((ownCount = this.#tryLength("a consumer PEL size", countMax)) === NEED) yield null;
      const pending: RdbStreamId[] = [];
      for (let own = 0; own < ownCount; own++) {
        const idAt = this.offset;
        while ((at = this.#tryFixed(STREAM_ID_SIZE_BYTES, "a consumer PEL entry ID")) === NEED) {
          yield null;
        }
        const raw = latin1(this.#buf.subarray(at, at + STREAM_ID_SIZE_BYTES));
        const id = decodeStreamId(this.#buf, at);
        const entry = pel.index.get(raw);
        if (entry === undefined) {
          this.#fail(idAt, `consumer PEL entry ${streamIdText(id)} is not in the group's PEL`);
        }
        if (pel.owned[entry]) {
          this.#fail(idAt, `PEL entry ${streamIdText(id)} is owned twice`);
        }
        pel.owned[entry] = true;
        pending.push(id);
      }
      consumers.push({ name, seenTimeMs, pending: sortedIds(pending) });
    }
    return consumers;
  }

  /** A stream ID as two 64-bit lengths (ms, seq). */
  *#readStreamId(what: string): Generator<null, RdbStreamId> {
    let ms: bigint | null;
    while ((ms = this.#tryLengthBig(what)) === null) yield null;
    let seq: bigint | null;
    while ((seq = this.#tryLengthBig(what)) === null) yield null;
    return { ms, seq };
  }

  *#readLengthBig(what: string): Generator<null, bigint> {
    let value: bigint | null;
    while ((value = this.#tryLengthBig(what)) === null) yield null;
    return value;
  }

  #decodeBlobValue(
    type: number,
    blob: Uint8Array,
    blobAt: number,
    typeAt: number,
  ): RdbValue | null {
    let elements: Uint8Array[];
    switch (type) {
      case RDB_TYPE_LIST_ZIPLIST:
        elements = this.#decodeBlob(decodeZiplist, blob, blobAt, "list ziplist");
        return elements.length === 0 ? null : { type: "list", elements };
      case RDB_TYPE_SET_INTSET:
      case RDB_TYPE_SET_LISTPACK:
        elements = type === RDB_TYPE_SET_INTSET
          ? this.#decodeBlob(decodeIntset, blob, blobAt, "intset")
          : this.#decodeBlob(decodeListpack, blob, blobAt, "set listpack");
        if (elements.length === 0) return null;
        this.#checkUnique(elements, 1, blobAt, "set member");
        return { type: "set", members: elements };
      case RDB_TYPE_ZSET_ZIPLIST:
      case RDB_TYPE_ZSET_LISTPACK: {
        elements = type === RDB_TYPE_ZSET_ZIPLIST
          ? this.#decodeBlob(decodeZiplist, blob, blobAt, "zset ziplist")
          : this.#decodeBlob(decodeListpack, blob, blobAt, "zset listpack");
        this.#checkPairs(elements, blobAt, "zset");
        const entries: { member: Uint8Array; score: number }[] = [];
        for (let index = 0; index < elements.length; index += 2) {
          const score = parseScoreText(elements[index + 1]);
          if (score === null) this.#fail(blobAt, "zset listpack holds a score that is no number");
          entries.push({ member: elements[index], score });
        }
        if (entries.length === 0) return null;
        this.#checkUnique(elements, 2, blobAt, "zset member");
        return { type: "zset", entries };
      }
      case RDB_TYPE_HASH_ZIPMAP:
      case RDB_TYPE_HASH_ZIPLIST:
      case RDB_TYPE_HASH_LISTPACK: {
        elements = type === RDB_TYPE_HASH_ZIPMAP
          ? this.#decodeBlob(decodeZipmap, blob, blobAt, "zipmap")
          : type === RDB_TYPE_HASH_ZIPLIST
          ? this.#decodeBlob(decodeZiplist, blob, blobAt, "hash ziplist")
          : this.#decodeBlob(decodeListpack, blob, blobAt, "hash listpack");
        this.#checkPairs(elements, blobAt, "hash");
        const fields: { field: Uint8Array; value: Uint8Array }[] = [];
        for (let index = 0; index < elements.length; index += 2) {
          fields.push({ field: elements[index], value: elements[index + 1] });
        }
        if (fields.length === 0) return null;
        this.#checkUnique(elements, 2, blobAt, "hash field");
        return { type: "hash", fields };
      }
      default:
        return this.#fail(typeAt, `unknown value type ${type}`);
    }
  }

  #decodeBlob(
    decode: (blob: Uint8Array) => Uint8Array[],
    blob: Uint8Array,
    blobAt: number,
    what: string,
  ): Uint8Array[] {
    try {
      const elements = decode(blob);
      if (elements.length > this.#limits.elementCountMax * 2) {
        this.#fail(blobAt, `${what} has more elements than the limit`);
      }
      return elements;
    } catch (error) {
      if (!(error instanceof BlobFormatError)) throw error;
      // The blob may have been LZF-compressed, so its offset is only exact for raw blobs.
      return this.#fail(blobAt, `bad ${what} (${error.message})`);
    }
  }

  #checkPairs(elements: Uint8Array[], blobAt: number, what: string): void {
    if (elements.length % 2 !== 0) {
      this.#fail(blobAt, `bad ${what} encoding: odd number of elements ${elements.length}`);
    }
  }

  /** Every `stride`-th element must be distinct (Redis refuses duplicates on load). */
  #checkUnique(elements: Uint8Array[], stride: number, at: number, what: string): void {
    const seen = new Set<string>();
    for (let index = 0; index < elements.length; index += stride) {
      const text = latin1(elements[index]);
      if (seen.has(text)) this.#fail(at, `duplicate ${what}`);
      seen.add(text);
    }
  }

  /** A type-3 zset score: `<len byte> <text>` or a special length byte; null for NEED. */
  #tryTextDouble(): number | null {
    const start = this.#pos;
    if (start >= this.#end) return this.#needString("a zset score");
    const lenByte = this.#buf[start];
    if (lenByte === RDB_DOUBLE_TEXT_NAN || lenByte === RDB_DOUBLE_TEXT_POS_INF) {
      this.#pos = start + 1;
      return lenByte === RDB_DOUBLE_TEXT_NAN ? NaN : Infinity;
    }
    if (lenByte === RDB_DOUBLE_TEXT_NEG_INF) {
      this.#pos = start + 1;
      return -Infinity;
    }
    if (this.#end - start - 1 < lenByte) return this.#needString("a zset score");
    const score = parseScoreText(this.#buf.subarray(start + 1, start + 1 + lenByte));
    if (score === null) this.#fail(this.#base + start, "zset score text is no number");
    this.#pos = start + 1 + lenByte;
    return score;
  }
}

/** A stream's counters, as the groups of a type-15 stream need them for entries-read. */
interface StreamCounters {
  length: number;
  lastId: RdbStreamId;
  firstId: RdbStreamId;
  maxDeletedId: RdbStreamId;
  entriesAdded: bigint;
}

/** A group's PEL while its consumers are read. */
interface GroupPel {
  pending: RdbStreamPending[];
  /** File offset of each entry, for errors. */
  offsets: number[];
  /** Whether a consumer owns each entry yet. */
  owned: boolean[];
  /** Raw 16-byte ID (latin1) → entry index. */
  index: Map<string, number>;
}

function isAscending(ids: readonly RdbStreamId[]): boolean {
  for (let index = 1; index < ids.length; index++) {
    if (compareStreamIds(ids[index - 1], ids[index]) >= 0) return false;
  }
  return true;
}

/** IDs ascending (Redis writes them so; a file that does not is sorted). */
function sortedIds(ids: RdbStreamId[]): RdbStreamId[] {
  return isAscending(ids) ? ids : ids.sort(compareStreamIds);
}

/** Throws "unsupported type" for modules and Redis 7.2's streams. */
function checkSupportedType(type: number, typeAt: number): void {
  if (
    type === RDB_TYPE_MODULE || type === RDB_TYPE_MODULE_2 || type === RDB_TYPE_STREAM_LISTPACKS_3
  ) {
    throw new RdbFormatError(typeAt, `unsupported type ${describeType(type)}`);
  }
  const known = type <= RDB_TYPE_ZSET_2 || (type >= RDB_TYPE_HASH_ZIPMAP &&
    type <= RDB_TYPE_SET_LISTPACK);
  if (!known) throw new RdbFormatError(typeAt, `unknown value type ${type}`);
}

/** A score written as text (%.17g, integers, "inf", "-inf"), or null when malformed. */
function parseScoreText(bytes: Uint8Array): number | null {
  const text = latin1(bytes);
  if (FLOAT_TEXT.test(text)) return Number(text);
  if (INF_TEXT.test(text)) return Infinity;
  if (NEG_INF_TEXT.test(text)) return -Infinity;
  if (text.toLowerCase() === "nan") return NaN;
  return null;
}

/** Bytes per String.fromCharCode call, bounded so spread arguments stay within engine limits. */
const LATIN1_CHUNK_BYTES = 8192;

function latin1(bytes: Uint8Array): string {
  if (bytes.length <= LATIN1_CHUNK_BYTES) return String.fromCharCode(...bytes);
  let text = "";
  for (let index = 0; index < bytes.length; index += LATIN1_CHUNK_BYTES) {
    text += String.fromCharCode(...bytes.subarray(index, index + LATIN1_CHUNK_BYTES));
  }
  return text;
}
