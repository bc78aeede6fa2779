// RDB codec of resplica: the transport-free, engine-independent file format layer between a
// snapshot's bytes and logical key/value records.
//
// - `reader.ts`: `RdbReader`, the streaming parser (versions 1..10, every encoding Redis 7.0
//   loads) with named limits and `RdbFormatError`s that name the byte offset.
// - `writer.ts`: `RdbWriter` / `encodeRdb`, the streaming encoder writing version 10 exactly as
//   Redis 7.0 does; `encodeRdbValue` for one value (the body of a DUMP payload).
// - `types.ts`: `RdbValue`, `RdbEntry`, `RdbAux`, `RdbEvent`.
// - `stream.ts`: stream nodes (listpacks of entries) both ways, stream IDs, and the rules a
//   stream record keeps (the reader checks them, the writer asserts them).
// - `listpack.ts`, `ziplist.ts` (ziplist + zipmap), `intset.ts`, `lzf.ts`, `length.ts`,
//   `crc64.ts`: the embedded encodings, each decoded with full validation.
// - `function_payload.ts`: FUNCTION DUMP / RESTORE payloads (library records + version + CRC64).
// - `dump_payload.ts`: DUMP / RESTORE payloads of one key (value record + version + CRC64).
// - `_codes.ts`: wire facts (opcodes, types, encodings, Redis's encoding thresholds, limits).
//
// Nothing here touches a file or socket; the engine wiring feeds bytes in and takes chunks out.

/**
 * RDB codec: streaming reader and writer of Redis 7.0 snapshot files.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRdb, RdbReader } from "./mod.ts";
 * const key = new TextEncoder().encode("list");
 * const elements = [new TextEncoder().encode("a"), new TextEncoder().encode("b")];
 * const reader = new RdbReader();
 * const entries = [{ db: 0, key, expireAtMs: 0, value: { type: "list" as const, elements } }];
 * for (const chunk of encodeRdb({ databases: [{ db: 0, keyCount: 1, expiresCount: 0, entries }] })) {
 *   reader.push(chunk);
 * }
 * assert.deepEqual(reader.next(), entries[0]);
 * reader.finish();
 * ```
 *
 * @module
 */

export * from "./_codes.ts";
export { Crc64, crc64 } from "./crc64.ts";
export { RdbFormatError } from "./errors.ts";
export { decodeIntset, encodeIntset } from "./intset.ts";
export {
  decodeLength,
  decodeLengthBig,
  encodeLength,
  encodeLengthBig,
  lengthSizeBytes,
} from "./length.ts";
export { decodeListpack, ListpackBuilder } from "./listpack.ts";
export { lzfCompress, lzfDecompress } from "./lzf.ts";
export { DEFAULT_RDB_READER_LIMITS, RdbReader, type RdbReaderLimits } from "./reader.ts";
export {
  compareStreamIds,
  decodeStreamId,
  decodeStreamNode,
  encodeStreamId,
  encodeStreamNodes,
  estimateEntriesRead,
  STREAM_ID_MAX,
  STREAM_ID_PART_MAX,
  streamIdText,
  type StreamNodeLimits,
  streamRuleBroken,
} from "./stream.ts";
export type {
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
export {
  encodeFunctionRecords,
  encodeRdb,
  encodeRdbValue,
  formatScore,
  type RdbDatabase,
  RdbWriter,
  type RdbWriterOptions,
} from "./writer.ts";
export { decodeZiplist, decodeZipmap } from "./ziplist.ts";
export {
  decodeFunctionPayload,
  encodeFunctionPayload,
  FUNCTION_PAYLOAD_FOOTER_SIZE_BYTES,
} from "./function_payload.ts";
export {
  decodeDumpPayload,
  DUMP_PAYLOAD_BAD_DATA,
  DUMP_PAYLOAD_BAD_FOOTER,
  DUMP_PAYLOAD_FOOTER_SIZE_BYTES,
  encodeDumpPayload,
  verifyDumpPayload,
} from "./dump_payload.ts";
