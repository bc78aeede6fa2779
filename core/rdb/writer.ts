// RdbWriter: the streaming RDB file encoder. It owns the chunk being filled and the running
// CRC, and emits version 10 exactly as Redis 7.0 would for the same logical data.
//
// Shape, and why:
// - Streaming. The caller hands over aux fields, then databases (SELECTDB + RESIZEDB, sizes
//   given by the caller) and their entries one at a time; bytes leave through `onChunk` in
//   chunks of about `chunkSizeBytes`, each a fresh array the writer never touches again. Only
//   one value's encoding is ever held beyond the current chunk.
// - Redis's encoding choices (rdb.c `rdbSaveObject`, redis.conf defaults):
//     string → type 0; each string (keys, values, elements, blobs) as `rdbSaveRawString`:
//              int8/16/32 when it is an integer's canonical text of ≤ 11 bytes, else LZF when
//              longer than 20 bytes, compression is on and LZF saves ≥ 4 bytes, else raw.
//     list   → type 18 quicklist2: listpack nodes filled as RPUSH fills them (a new node when
//              node bytes + element bytes + 8 > 8192), PLAIN nodes for elements ≥ 1 GB.
//     set    → type 11 intset if every member is an int64's canonical text and ≤ 512 members,
//              else type 2 (members in the given order).
//     zset   → type 17 listpack (member, score as d2string text; sorted by score, then member)
//              when ≤ 128 entries and every member ≤ 64 bytes, else type 5: member + LE binary
//              double, from the highest (score, member) down, as Redis walks its skiplist.
//     hash   → type 16 listpack (field, value, in the given order) when ≤ 512 fields and every
//              field and value ≤ 64 bytes, else type 4 in the given order.
//     stream → type 19: the live entries in nodes as XADDs would build them on a fresh stream
//              (stream.ts; stream-node-max-bytes / -entries from the options), then length,
//              last ID, first ID, max deleted ID, entries-added, and the groups sorted by name
//              with their PEL sorted by ID and consumers sorted by name — the radix tree orders
//              rdb.c walks. A stream the reader would refuse (`streamRuleBroken`) is refused.
//     expiry → 0xFC + int64 LE milliseconds.
//   `encodeRdbValue` gives the type byte + payload alone, which is what DUMP carries, so tests
//   can compare our bytes with a live redis-server's DUMP.
// - Trailer: 0xFF + CRC64 LE of everything before it, or 8 zero bytes when `checksum` is off.

import {
  HASH_MAX_LISTPACK_ENTRIES,
  HASH_MAX_LISTPACK_VALUE_BYTES,
  QUICKLIST_NODE_CONTAINER_PACKED,
  QUICKLIST_NODE_CONTAINER_PLAIN,
  QUICKLIST_NODE_SIZE_MAX_BYTES,
  QUICKLIST_PACKED_THRESHOLD_BYTES,
  QUICKLIST_SIZE_ESTIMATE_OVERHEAD_BYTES,
  RDB_CHECKSUM_SIZE_BYTES,
  RDB_ENC_INT16,
  RDB_ENC_INT32,
  RDB_ENC_INT8,
  RDB_ENC_LZF,
  RDB_ENCVAL,
  RDB_INT_ENCODING_LEN_MAX_BYTES,
  RDB_LZF_LEN_MIN_EXCLUSIVE_BYTES,
  RDB_LZF_SAVING_MIN_BYTES,
  RDB_MAGIC,
  RDB_OPCODE_AUX,
  RDB_OPCODE_EOF,
  RDB_OPCODE_EXPIRETIME_MS,
  RDB_OPCODE_FUNCTION2,
  RDB_OPCODE_RESIZEDB,
  RDB_OPCODE_SELECTDB,
  RDB_TYPE_HASH,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_SET,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_STRING,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_VERSION_MAX,
  SET_MAX_INTSET_ENTRIES,
  STREAM_NODE_MAX_BYTES_DEFAULT,
  STREAM_NODE_MAX_ENTRIES_DEFAULT,
  ZSET_MAX_LISTPACK_ENTRIES,
  ZSET_MAX_LISTPACK_VALUE_BYTES,
} from "./_codes.ts";
import { intInRange, parseCanonicalInt64 } from "./_int.ts";
import { Crc64 } from "./crc64.ts";
import { encodeIntset } from "./intset.ts";
import { encodeLength, encodeLengthBig, lengthSizeBytes } from "./length.ts";
import { ListpackBuilder } from "./listpack.ts";
import { lzfCompress } from "./lzf.ts";
import {
  compareStreamIds,
  encodeStreamId,
  encodeStreamNodes,
  type StreamNodeLimits,
  streamRuleBroken,
} from "./stream.ts";
import type { RdbEntry, RdbStream, RdbStreamId, RdbValue } from "./types.ts";
import { formatDoubleG17 } from "../doubles.ts";
import { grownBuffer } from "../bytes.ts";

/** Options of `RdbWriter`. */
export interface RdbWriterOptions {
  /** Receives each finished chunk; the writer never reuses a chunk it handed out. */
  onChunk: (chunk: Uint8Array) => void;
  /** LZF-compress strings as rdbcompression yes does. @default true */
  compression?: boolean;
  /** Write the CRC64 trailer (rdbchecksum yes); else 8 zero bytes. @default true */
  checksum?: boolean;
  /** Bytes per emitted chunk (larger single strings leave as their own chunk). @default 65536 */
  chunkSizeBytes?: number;
  /**
   * stream-node-max-bytes: streams are cut into nodes as XADD cuts them; 0 = 1 GB.
   * @default 4096
   */
  streamNodeMaxBytes?: number;
  /** stream-node-max-entries: the same, by entries. 0 = no limit. @default 100 */
  streamNodeMaxEntries?: number;
}

/** Options of `encodeRdbValue`. */
export interface RdbValueOptions {
  /** @default true */
  compression?: boolean;
  /** As in `RdbWriterOptions`. @default 4096 */
  streamNodeMaxBytes?: number;
  /** As in `RdbWriterOptions`. @default 100 */
  streamNodeMaxEntries?: number;
  /**
   * For a hash, set or zset: the encoding the value has where it lives — true for the large one
   * (hashtable, skiplist: types 4, 2, 5), false for the small one (listpack, intset: 16, 11, 17)
   * — as DUMP writes what the object is, not what Redis's default thresholds would make of it.
   * Left out, the record type follows the default thresholds. @default undefined
   */
  largeEncoding?: boolean;
}

const CHUNK_SIZE_DEFAULT_BYTES = 64 * 1024;
const CHUNK_SIZE_MIN_BYTES = 64;
/** Largest fixed-size record written in one piece (opcode + 9-byte length or 8-byte field). */
const SMALL_RECORD_SIZE_MAX_BYTES = 16;
const INT8_MIN = -128;
const INT8_MAX = 127;
const INT16_MIN = -32768;
const INT16_MAX = 32767;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** d2string prints integral doubles in [-2^62, 2^62] as integers (double2ll). */
const D2STRING_INT_ABS_MAX = 2 ** 62;

const encoder = new TextEncoder();

/** Where encoded bytes go: the file writer's chunk stream, or one growable buffer. */
interface ByteSink {
  byte(value: number): void;
  bytes(data: Uint8Array): void;
  length(len: number): void;
}

/**
 * Streaming RDB writer (version 10).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RdbWriter } from "./writer.ts";
 * const chunks: Uint8Array[] = [];
 * const writer = new RdbWriter({ onChunk: (chunk) => chunks.push(chunk), checksum: false });
 * writer.writeAux("redis-ver", "7.0.15");
 * writer.finish();
 * const text = new TextDecoder().decode(chunks[0].subarray(0, 9));
 * assert.equal(text, "REDIS0010");
 * ```
 */
export class RdbWriter {
  readonly #onChunk: (chunk: Uint8Array) => void;
  readonly #compression: boolean;
  readonly #checksum: boolean;
  readonly #chunkSizeBytes: number;
  readonly #streamNodeLimits: StreamNodeLimits;
  readonly #crc = new Crc64();
  #chunk: Uint8Array;
  #pos = 0;
  #headerWritten = false;
  #finished = false;
  #db = -1;
  /** Bytes handed to onChunk so far (the current chunk's bytes not included). */
  #emittedBytes = 0;
  readonly #sink: ByteSink;

  constructor(options: RdbWriterOptions) {
    this.#onChunk = options.onChunk;
    this.#compression = options.compression ?? true;
    this.#checksum = options.checksum ?? true;
    this.#chunkSizeBytes = Math.max(
      CHUNK_SIZE_MIN_BYTES,
      options.chunkSizeBytes ?? CHUNK_SIZE_DEFAULT_BYTES,
    );
    this.#streamNodeLimits = streamNodeLimitsOf(options);
    this.#chunk = new Uint8Array(this.#chunkSizeBytes);
    this.#sink = {
      byte: (value) => this.#byte(value),
      bytes: (data) => this.#bytes(data),
      length: (len) => this.#length(len),
    };
  }

  /** Writes one aux field (0xFA name value). Must come before the first database. */
  writeAux(name: string | Uint8Array, value: string | Uint8Array): void {
    this.#begin();
    if (this.#db !== -1) throw new TypeError("RdbWriter: aux fields must precede databases");
    this.#byte(RDB_OPCODE_AUX);
    writeString(this.#sink, toBytes(name), this.#compression);
    writeString(this.#sink, toBytes(value), this.#compression);
  }

  /**
   * Writes one function library (0xF5 + its code as a string), where Redis 7.0 writes them:
   * after the aux fields, before the first database.
   */
  writeFunction(code: Uint8Array): void {
    this.#begin();
    if (this.#db !== -1) {
      throw new TypeError("RdbWriter: function libraries must precede databases");
    }
    this.#byte(RDB_OPCODE_FUNCTION2);
    writeString(this.#sink, code, this.#compression);
  }

  /** Starts a database: SELECTDB `db`, RESIZEDB `keyCount` `expiresCount`. */
  selectDb(db: number, keyCount: number, expiresCount: number): void {
    this.#begin();
    for (
      const [name, count] of [["db", db], ["keyCount", keyCount], [
        "expiresCount",
        expiresCount,
      ]] as const
    ) {
      if (!Number.isSafeInteger(count) || count < 0) {
        throw new RangeError(`RdbWriter.selectDb: ${name} must be a non-negative integer`);
      }
    }
    this.#db = db;
    this.#byte(RDB_OPCODE_SELECTDB);
    this.#length(db);
    this.#byte(RDB_OPCODE_RESIZEDB);
    this.#length(keyCount);
    this.#length(expiresCount);
  }

  /**
   * Returns to a database already started with selectDb (SELECTDB alone, no RESIZEDB hint).
   * Loaders, Redis's included, accept SELECTDB at any point, so a snapshot written while the
   * keyspace changes can interleave records of several databases.
   */
  reselectDb(db: number): void {
    this.#begin();
    if (!Number.isSafeInteger(db) || db < 0) {
      throw new RangeError("RdbWriter.reselectDb: db must be a non-negative integer");
    }
    this.#db = db;
    this.#byte(RDB_OPCODE_SELECTDB);
    this.#length(db);
  }

  /** Bytes encoded so far (emitted chunks plus the chunk being filled). */
  get sizeBytes(): number {
    return this.#emittedBytes + this.#pos;
  }

  /** Writes one key of the current database (`entry.db` must be the selected one). */
  writeEntry(entry: RdbEntry): void {
    if (this.#finished) throw new TypeError("RdbWriter: already finished");
    if (entry.db !== this.#db) {
      throw new TypeError(`RdbWriter: entry for db ${entry.db} while db ${this.#db} is selected`);
    }
    if (entry.expireAtMs !== 0) {
      this.#byte(RDB_OPCODE_EXPIRETIME_MS);
      this.#ensure(8);
      new DataView(this.#chunk.buffer).setBigInt64(this.#pos, BigInt(entry.expireAtMs), true);
      this.#pos += 8;
    }
    writeValue(this.#sink, entry.key, entry.value, this.#compression, this.#streamNodeLimits);
  }

  /**
   * Appends records already encoded for the selected database, as `writeEntry` would have
   * written them (the engine encodes string keys itself: core/engine/snapshot.ts). Copies
   * `records` before returning (it may be a view of engine memory), into the current chunk.
   */
  writeEncodedRecords(records: Uint8Array): void {
    if (this.#finished) throw new TypeError("RdbWriter: already finished");
    if (this.#db === -1) throw new TypeError("RdbWriter: records before any SELECTDB");
    this.#bytes(records);
  }

  /** Writes the EOF opcode and checksum and flushes the last chunk. */
  finish(): void {
    this.#begin();
    if (this.#finished) throw new TypeError("RdbWriter: already finished");
    this.#byte(RDB_OPCODE_EOF);
    this.#crc.update(this.#chunk, 0, this.#pos);
    const trailer = new Uint8Array(RDB_CHECKSUM_SIZE_BYTES);
    if (this.#checksum) this.#crc.writeLittleEndian(trailer, 0);
    this.#chunk.set(trailer, this.#pos); // #byte kept room for it
    this.#pos += RDB_CHECKSUM_SIZE_BYTES;
    this.#emit(false);
    this.#finished = true;
  }

  #begin(): void {
    if (this.#headerWritten) return;
    this.#headerWritten = true;
    this.#bytes(RDB_MAGIC);
    this.#bytes(encoder.encode(String(RDB_VERSION_MAX).padStart(4, "0")));
  }

  /** Makes room for `sizeBytes` (≤ SMALL_RECORD_SIZE_MAX_BYTES) in the current chunk. */
  #ensure(sizeBytes: number): void {
    if (this.#pos + sizeBytes > this.#chunk.length) this.#emit(true);
  }

  #byte(value: number): void {
    // The trailer needs 8 more bytes after the EOF byte; keep that room for every byte.
    this.#ensure(1 + RDB_CHECKSUM_SIZE_BYTES);
    this.#chunk[this.#pos++] = value;
  }

  #length(len: number): void {
    this.#ensure(SMALL_RECORD_SIZE_MAX_BYTES);
    this.#pos += encodeLength(len, this.#chunk, this.#pos);
  }

  #bytes(data: Uint8Array): void {
    if (data.length <= this.#chunk.length - this.#pos) {
      this.#chunk.set(data, this.#pos);
      this.#pos += data.length;
      return;
    }
    if (data.length < this.#chunkSizeBytes) {
      this.#emit(true);
      this.#chunk.set(data, 0);
      this.#pos = data.length;
      return;
    }
    this.#emit(true);
    const copy = data.slice();
    this.#crc.update(copy);
    this.#emittedBytes += copy.length;
    this.#onChunk(copy);
  }

  /** Hands the filled part of the chunk out; starts a fresh chunk when `more`. */
  #emit(more: boolean): void {
    if (this.#pos === 0) return;
    const out = this.#chunk.subarray(0, this.#pos);
    if (more) this.#crc.update(out);
    this.#emittedBytes += out.length;
    this.#onChunk(out);
    this.#chunk = new Uint8Array(this.#chunkSizeBytes);
    this.#pos = 0;
  }
}

/**
 * One value as RDB bytes: the type byte followed by the payload (what DUMP carries before its
 * version and CRC).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRdbValue } from "./writer.ts";
 * const bytes = encodeRdbValue({ type: "string", value: new TextEncoder().encode("12") });
 * assert.deepEqual([...bytes], [0, 0xc0, 12]);
 * ```
 */
export function encodeRdbValue(value: RdbValue, options: RdbValueOptions = {}): Uint8Array {
  const sink = new GrowableSink();
  writeValue(
    sink,
    null,
    value,
    options.compression ?? true,
    streamNodeLimitsOf(options),
    options.largeEncoding,
  );
  return sink.result();
}

/** The node limits in `options`, checked: non-negative integers, as their config allows. */
function streamNodeLimitsOf(
  options: { streamNodeMaxBytes?: number; streamNodeMaxEntries?: number },
): StreamNodeLimits {
  const limits = {
    nodeMaxBytes: options.streamNodeMaxBytes ?? STREAM_NODE_MAX_BYTES_DEFAULT,
    nodeMaxEntries: options.streamNodeMaxEntries ?? STREAM_NODE_MAX_ENTRIES_DEFAULT,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(`RdbWriter: stream ${name} must be a non-negative integer`);
    }
  }
  return limits;
}

class GrowableSink implements ByteSink {
  #buf = new Uint8Array(256);
  #pos = 0;

  byte(value: number): void {
    this.#reserve(1);
    this.#buf[this.#pos++] = value;
  }

  bytes(data: Uint8Array): void {
    this.#reserve(data.length);
    this.#buf.set(data, this.#pos);
    this.#pos += data.length;
  }

  length(len: number): void {
    this.#reserve(lengthSizeBytes(len));
    this.#pos += encodeLength(len, this.#buf, this.#pos);
  }

  result(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }

  #reserve(extraBytes: number): void {
    this.#buf = grownBuffer(this.#buf, this.#pos, extraBytes);
  }
}

function toBytes(text: string | Uint8Array): Uint8Array {
  return typeof text === "string" ? encoder.encode(text) : text;
}

/** `<type> [<key>] <payload>`; the key is left out for `encodeRdbValue`. */
function writeValue(
  sink: ByteSink,
  key: Uint8Array | null,
  value: RdbValue,
  compression: boolean,
  streamNodeLimits: StreamNodeLimits,
  largeEncoding?: boolean,
): void {
  switch (value.type) {
    case "string":
      sink.byte(RDB_TYPE_STRING);
      if (key !== null) writeString(sink, key, compression);
      writeString(sink, value.value, compression);
      return;
    case "list":
      writeList(sink, key, value.elements, compression);
      return;
    case "set":
      writeSet(sink, key, value.members, compression, largeEncoding ?? value.largeEncoding);
      return;
    case "zset":
      writeZset(sink, key, value.entries, compression, largeEncoding ?? value.largeEncoding);
      return;
    case "hash":
      writeHash(sink, key, value.fields, compression, largeEncoding ?? value.largeEncoding);
      return;
    case "stream":
      writeStream(sink, key, value.stream, compression, streamNodeLimits);
      return;
    default:
      throw new TypeError(`RdbWriter: unknown value type ${(value as { type: string }).type}`);
  }
}

function requireNonEmpty(count: number, what: string): void {
  if (count === 0) throw new RangeError(`RdbWriter: an empty ${what} is never stored`);
}

function writeList(
  sink: ByteSink,
  key: Uint8Array | null,
  elements: readonly Uint8Array[],
  compression: boolean,
): void {
  requireNonEmpty(elements.length, "list");
  // Split into nodes exactly as RPUSH fills a quicklist (quicklist.c _quicklistNodeAllowInsert).
  const nodes: { container: number; blob: Uint8Array }[] = [];
  const builder = new ListpackBuilder();
  const flush = () => {
    if (builder.count === 0) return;
    nodes.push({ container: QUICKLIST_NODE_CONTAINER_PACKED, blob: builder.finish() });
    builder.reset();
  };
  for (const element of elements) {
    if (element.length >= QUICKLIST_PACKED_THRESHOLD_BYTES) {
      flush();
      nodes.push({ container: QUICKLIST_NODE_CONTAINER_PLAIN, blob: element });
      continue;
    }
    const estimatedBytes = builder.sizeBytes + element.length +
      QUICKLIST_SIZE_ESTIMATE_OVERHEAD_BYTES;
    if (builder.count > 0 && estimatedBytes > QUICKLIST_NODE_SIZE_MAX_BYTES) flush();
    builder.append(element);
  }
  flush();
  sink.byte(RDB_TYPE_LIST_QUICKLIST_2);
  if (key !== null) writeString(sink, key, compression);
  sink.length(nodes.length);
  for (const node of nodes) {
    sink.length(node.container);
    writeString(sink, node.blob, compression);
  }
}

function writeSet(
  sink: ByteSink,
  key: Uint8Array | null,
  members: readonly Uint8Array[],
  compression: boolean,
  largeEncoding?: boolean,
): void {
  requireNonEmpty(members.length, "set");
  let ints: bigint[] | null = null;
  const intsetFits = largeEncoding === undefined
    ? members.length <= SET_MAX_INTSET_ENTRIES
    : !largeEncoding;
  if (intsetFits) {
    ints = [];
    for (const member of members) {
      const value = parseCanonicalInt64(member);
      if (value === null) {
        ints = null;
        break;
      }
      ints.push(BigInt(value));
    }
  }
  if (ints !== null) {
    sink.byte(RDB_TYPE_SET_INTSET);
    if (key !== null) writeString(sink, key, compression);
    writeString(sink, encodeIntset(ints), compression);
    return;
  }
  sink.byte(RDB_TYPE_SET);
  if (key !== null) writeString(sink, key, compression);
  sink.length(members.length);
  for (const member of members) writeString(sink, member, compression);
}

function writeZset(
  sink: ByteSink,
  key: Uint8Array | null,
  entries: readonly { member: Uint8Array; score: number }[],
  compression: boolean,
  largeEncoding?: boolean,
): void {
  requireNonEmpty(entries.length, "zset");
  for (const entry of entries) {
    if (Number.isNaN(entry.score)) throw new RangeError("RdbWriter: a zset score cannot be NaN");
  }
  const sorted = [...entries].sort(compareZsetEntries);
  const small = largeEncoding !== undefined
    ? !largeEncoding
    : sorted.length <= ZSET_MAX_LISTPACK_ENTRIES &&
      sorted.every((entry) => entry.member.length <= ZSET_MAX_LISTPACK_VALUE_BYTES);
  if (small) {
    const builder = new ListpackBuilder();
    for (const entry of sorted) {
      builder.append(entry.member);
      builder.append(encoder.encode(formatScore(entry.score)));
    }
    sink.byte(RDB_TYPE_ZSET_LISTPACK);
    if (key !== null) writeString(sink, key, compression);
    writeString(sink, builder.finish(), compression);
    return;
  }
  sink.byte(RDB_TYPE_ZSET_2);
  if (key !== null) writeString(sink, key, compression);
  sink.length(sorted.length);
  const double = new Uint8Array(8);
  const view = new DataView(double.buffer);
  for (let index = sorted.length - 1; index >= 0; index--) {
    writeString(sink, sorted[index].member, compression);
    view.setFloat64(0, sorted[index].score, true);
    sink.bytes(double);
  }
}

/** Skiplist order: by score, then member bytes (memcmp, shorter first on a common prefix). */
function compareZsetEntries(
  a: { member: Uint8Array; score: number },
  b: { member: Uint8Array; score: number },
): number {
  if (a.score !== b.score) return a.score < b.score ? -1 : 1;
  return compareBytes(a.member, b.member);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const len = Math.min(a.length, b.length);
  for (let index = 0; index < len; index++) {
    if (a[index] !== b[index]) return a[index] - b[index];
  }
  return a.length - b.length;
}

/** A score as Redis's d2string prints it into a zset listpack. */
export function formatScore(score: number): string {
  if (Number.isInteger(score) && Math.abs(score) <= D2STRING_INT_ABS_MAX && !Object.is(score, -0)) {
    return BigInt(score).toString();
  }
  return formatDoubleG17(score);
}

function writeHash(
  sink: ByteSink,
  key: Uint8Array | null,
  fields: readonly { field: Uint8Array; value: Uint8Array }[],
  compression: boolean,
  largeEncoding?: boolean,
): void {
  requireNonEmpty(fields.length, "hash");
  const small = largeEncoding !== undefined
    ? !largeEncoding
    : fields.length <= HASH_MAX_LISTPACK_ENTRIES &&
      fields.every((pair) =>
        pair.field.length <= HASH_MAX_LISTPACK_VALUE_BYTES &&
        pair.value.length <= HASH_MAX_LISTPACK_VALUE_BYTES
      );
  if (small) {
    const builder = new ListpackBuilder();
    for (const pair of fields) {
      builder.append(pair.field);
      builder.append(pair.value);
    }
    sink.byte(RDB_TYPE_HASH_LISTPACK);
    if (key !== null) writeString(sink, key, compression);
    writeString(sink, builder.finish(), compression);
    return;
  }
  sink.byte(RDB_TYPE_HASH);
  if (key !== null) writeString(sink, key, compression);
  sink.length(fields.length);
  for (const pair of fields) {
    writeString(sink, pair.field, compression);
    writeString(sink, pair.value, compression);
  }
}

/** Type 19, laid out as rdb.c rdbSaveObject lays a stream out (see the head comment). */
function writeStream(
  sink: ByteSink,
  key: Uint8Array | null,
  stream: RdbStream,
  compression: boolean,
  limits: StreamNodeLimits,
): void {
  const broken = streamRuleBroken(stream);
  if (broken !== null) throw new RangeError(`RdbWriter: bad stream: ${broken}`);
  const nodes = stream.nodes ?? encodeStreamNodes(stream.entries, limits);
  sink.byte(RDB_TYPE_STREAM_LISTPACKS_2);
  if (key !== null) writeString(sink, key, compression);
  sink.length(nodes.length);
  for (const node of nodes) {
    writeString(sink, node.key, compression);
    writeString(sink, node.listpack, compression);
  }
  sink.length(stream.entries.length);
  writeStreamId(sink, stream.lastId);
  writeStreamId(sink, stream.firstId);
  writeStreamId(sink, stream.maxDeletedId);
  sink.bytes(encodeLengthBig(stream.entriesAdded));
  const byName = (a: { name: Uint8Array }, b: { name: Uint8Array }) => compareBytes(a.name, b.name);
  const groups = [...stream.groups].sort(byName);
  sink.length(groups.length);
  for (const group of groups) {
    writeString(sink, group.name, compression);
    writeStreamId(sink, group.lastDeliveredId);
    // entries-read is an int64 that rdbSaveLen takes as a uint64: -1 goes out as 2^64 - 1.
    sink.bytes(encodeLengthBig(BigInt.asUintN(64, group.entriesRead)));
    const pending = [...group.pending].sort((a, b) => compareStreamIds(a.id, b.id));
    sink.length(pending.length);
    for (const entry of pending) {
      sink.bytes(encodeStreamId(entry.id));
      writeInt64LE(sink, entry.deliveryTimeMs);
      sink.bytes(encodeLengthBig(entry.deliveryCount));
    }
    const consumers = [...group.consumers].sort(byName);
    sink.length(consumers.length);
    for (const consumer of consumers) {
      writeString(sink, consumer.name, compression);
      writeInt64LE(sink, consumer.seenTimeMs);
      sink.length(consumer.pending.length);
      for (const id of [...consumer.pending].sort(compareStreamIds)) {
        sink.bytes(encodeStreamId(id));
      }
    }
  }
}

/** An ID as two lengths (rdbSaveLen of ms, then seq). */
function writeStreamId(sink: ByteSink, id: RdbStreamId): void {
  sink.bytes(encodeLengthBig(id.ms));
  sink.bytes(encodeLengthBig(id.seq));
}

/** A millisecond time as rdbSaveMillisecondTime writes it: int64 little endian. */
function writeInt64LE(sink: ByteSink, value: bigint): void {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value, true);
  sink.bytes(bytes);
}

/** One string as `rdbSaveRawString` writes it: integer, LZF or raw. */
function writeString(sink: ByteSink, data: Uint8Array, compression: boolean): void {
  const len = data.length;
  if (len <= RDB_INT_ENCODING_LEN_MAX_BYTES) {
    const value = parseCanonicalInt64(data);
    if (value !== null && intInRange(value, INT32_MIN, INT32_MAX)) {
      const int = value as number;
      if (int >= INT8_MIN && int <= INT8_MAX) {
        sink.byte((RDB_ENCVAL << 6) | RDB_ENC_INT8);
        sink.byte(int & 0xff);
      } else if (int >= INT16_MIN && int <= INT16_MAX) {
        sink.byte((RDB_ENCVAL << 6) | RDB_ENC_INT16);
        sink.byte(int & 0xff);
        sink.byte((int >> 8) & 0xff);
      } else {
        sink.byte((RDB_ENCVAL << 6) | RDB_ENC_INT32);
        sink.byte(int & 0xff);
        sink.byte((int >> 8) & 0xff);
        sink.byte((int >> 16) & 0xff);
        sink.byte((int >>> 24) & 0xff);
      }
      return;
    }
  }
  if (compression && len > RDB_LZF_LEN_MIN_EXCLUSIVE_BYTES) {
    const packed = lzfCompress(data, len - RDB_LZF_SAVING_MIN_BYTES);
    if (packed !== null) {
      sink.byte((RDB_ENCVAL << 6) | RDB_ENC_LZF);
      sink.length(packed.length);
      sink.length(len);
      sink.bytes(packed);
      return;
    }
  }
  sink.length(len);
  sink.bytes(data);
}

/**
 * Function library records as rdbSaveFunctions writes them (0xF5 + code, per library): the body
 * of a FUNCTION DUMP payload.
 */
export function encodeFunctionRecords(
  codes: readonly Uint8Array[],
  compression = true,
): Uint8Array {
  const sink = new GrowableSink();
  for (const code of codes) {
    sink.byte(RDB_OPCODE_FUNCTION2);
    writeString(sink, code, compression);
  }
  return sink.result();
}

/** A database's keys for `encodeRdb`. */
export interface RdbDatabase {
  db: number;
  keyCount: number;
  expiresCount: number;
  entries: Iterable<RdbEntry>;
}

/**
 * A whole RDB file as a lazy sequence of chunks: aux fields, then each database.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRdb } from "./writer.ts";
 * const chunks = [...encodeRdb({ aux: { "redis-ver": "7.0.15" }, databases: [] })];
 * assert.equal(chunks.reduce((sum, chunk) => sum + chunk.length, 0) > 9, true);
 * ```
 */
export function* encodeRdb(
  input: { aux?: Record<string, string | Uint8Array>; databases: Iterable<RdbDatabase> },
  options: Omit<RdbWriterOptions, "onChunk"> = {},
): Generator<Uint8Array, void> {
  const ready: Uint8Array[] = [];
  const writer = new RdbWriter({ ...options, onChunk: (chunk) => ready.push(chunk) });
  for (const [name, value] of Object.entries(input.aux ?? {})) writer.writeAux(name, value);
  yield* ready.splice(0);
  for (const database of input.databases) {
    writer.selectDb(database.db, database.keyCount, database.expiresCount);
    for (const entry of database.entries) {
      writer.writeEntry(entry);
      yield* ready.splice(0);
    }
  }
  writer.finish();
  yield* ready.splice(0);
}
