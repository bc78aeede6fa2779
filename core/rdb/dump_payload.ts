// DUMP / RESTORE payloads of one key (cluster.c createDumpPayload, verifyDumpPayload): the value
// as an RDB record without its key, then the same footer FUNCTION DUMP uses.
//
//   <type: 1 byte> <value as the RDB writer encodes it>
//   <RDB version: 2 bytes LE>                  10 for Redis 7.0; a newer one is refused
//   <CRC64 of everything before: 8 bytes LE>
//
// Decoding hands the record to the RDB reader itself, inside a synthetic file
// (`REDIS0010 <type> <empty key> <value>`), so a payload gets the validation and limits a dump.rdb
// gets: every listpack, ziplist, intset and LZF string is checked in full whatever
// sanitize-dump-payload says (Redis checks them only with sanitization on). Older payload
// versions (1..9) carry encodings the reader takes in any file version, so the synthetic header
// always says 10. Bytes after the value, before the footer, are ignored, as Redis ignores them.

import {
  RDB_MAGIC,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_STREAM_LISTPACKS_2,
  RDB_TYPE_ZSET_2,
  RDB_VERSION_MAX,
} from "./_codes.ts";
import { Crc64 } from "./crc64.ts";
import { RdbReader } from "./reader.ts";
import type { RdbValue } from "./types.ts";
import { encodeRdbValue, type RdbValueOptions } from "./writer.ts";

/** Bytes of the footer: RDB version (2) + CRC64 (8). */
export const DUMP_PAYLOAD_FOOTER_SIZE_BYTES = 10;
const VERSION_SIZE_BYTES = 2;
const CRC_SIZE_BYTES = 8;
/** The synthetic file's key: an empty string (length 0). */
const EMPTY_KEY = new Uint8Array([0]);

/** Why a payload was refused, as RESTORE words it (without "ERR "). */
export const DUMP_PAYLOAD_BAD_FOOTER = "DUMP payload version or checksum are wrong";
export const DUMP_PAYLOAD_BAD_DATA = "Bad data format";

/**
 * DUMP's payload for `value`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeDumpPayload, encodeDumpPayload } from "./dump_payload.ts";
 * const value = { type: "string" as const, value: new TextEncoder().encode("bar") };
 * const payload = encodeDumpPayload(value);
 * assert.deepEqual([...payload.subarray(0, 5)], [0, 3, 0x62, 0x61, 0x72]);
 * assert.deepEqual(decodeDumpPayload(payload), { value });
 * ```
 */
export function encodeDumpPayload(value: RdbValue, options: RdbValueOptions = {}): Uint8Array {
  const record = encodeRdbValue(value, options);
  const payload = new Uint8Array(record.length + DUMP_PAYLOAD_FOOTER_SIZE_BYTES);
  payload.set(record, 0);
  payload[record.length] = RDB_VERSION_MAX & 0xff;
  payload[record.length + 1] = (RDB_VERSION_MAX >> 8) & 0xff;
  const crc = new Crc64();
  crc.update(payload, 0, record.length + VERSION_SIZE_BYTES);
  crc.writeLittleEndian(payload, record.length + VERSION_SIZE_BYTES);
  return payload;
}

/**
 * Checks the footer only (verifyDumpPayload): at least 10 bytes, a version Redis 7.0 takes, and
 * the CRC64 unless `skipChecksum`. Returns the payload's RDB version, or null when refused.
 */
export function verifyDumpPayload(payload: Uint8Array, skipChecksum = false): number | null {
  const footerAt = payload.length - DUMP_PAYLOAD_FOOTER_SIZE_BYTES;
  if (footerAt < 0) return null;
  const version = payload[footerAt] | (payload[footerAt + 1] << 8);
  if (version > RDB_VERSION_MAX) return null;
  if (skipChecksum) return version;
  const crc = new Crc64();
  crc.update(payload, 0, payload.length - CRC_SIZE_BYTES);
  return crc.equalsLittleEndian(payload, footerAt + VERSION_SIZE_BYTES) ? version : null;
}

/** Whether `type` is a value type Redis 7.0 loads without modules (rdbIsObjectType, no 6/7). */
function isLoadableType(type: number): boolean {
  return type <= RDB_TYPE_ZSET_2 ||
    (type >= RDB_TYPE_HASH_ZIPMAP && type <= RDB_TYPE_STREAM_LISTPACKS_2);
}

/**
 * The value of a RESTORE payload, or the error text (without "ERR ") Redis replies with: the
 * footer (version, checksum) or the record (unknown type, malformed, truncated, an empty
 * collection).
 */
export function decodeDumpPayload(payload: Uint8Array): { value: RdbValue } | { error: string } {
  if (verifyDumpPayload(payload) === null) return { error: DUMP_PAYLOAD_BAD_FOOTER };
  const recordEnd = payload.length - DUMP_PAYLOAD_FOOTER_SIZE_BYTES;
  if (recordEnd < 1 || !isLoadableType(payload[0])) return { error: DUMP_PAYLOAD_BAD_DATA };
  const header = new Uint8Array(RDB_MAGIC.length + 4);
  header.set(RDB_MAGIC, 0);
  header.set(new TextEncoder().encode(String(RDB_VERSION_MAX).padStart(4, "0")), RDB_MAGIC.length);
  const reader = new RdbReader();
  try {
    reader.push(header);
    reader.push(payload.subarray(0, 1));
    reader.push(EMPTY_KEY);
    // Redis reads the record from the whole payload, footer included (a record cut short may
    // run into it), and ignores whatever the record leaves unread.
    reader.push(payload.subarray(1));
    // The first event is the value (nothing precedes it); null means it was cut short, or it
    // was an empty collection the reader skipped.
    const event = reader.nextEvent();
    if (event === null || event.kind !== "entry" || reader.emptyKeysSkipped > 0) {
      return { error: DUMP_PAYLOAD_BAD_DATA };
    }
    return { value: event.entry.value };
  } catch {
    return { error: DUMP_PAYLOAD_BAD_DATA };
  }
}
