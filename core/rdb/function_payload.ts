// FUNCTION DUMP / RESTORE payloads (functions.c functionDumpCommand, functionRestoreCommand;
// cluster.c verifyDumpPayload): the libraries' RDB records, then a footer as DUMP of a key has it.
//
//   { 0xF5 <library code as an RDB string> }   one record per library (rdbSaveFunctions)
//   <RDB version: 2 bytes LE>                  10 for Redis 7.0; a newer one is refused
//   <CRC64 of everything before: 8 bytes LE>
//
// Decoding parses the records with the RDB reader itself (inside a synthetic file header), so a
// payload gets the same validation and limits as a dump.rdb. Library code stays bytes: what the
// code means is the function registry's business, not the codec's.

import { RDB_MAGIC, RDB_OPCODE_EOF, RDB_VERSION_MAX } from "./_codes.ts";
import { Crc64 } from "./crc64.ts";
import { RdbReader } from "./reader.ts";
import { encodeFunctionRecords } from "./writer.ts";

/** Bytes of the footer: RDB version (2) + CRC64 (8). */
export const FUNCTION_PAYLOAD_FOOTER_SIZE_BYTES = 10;
const VERSION_SIZE_BYTES = 2;
const CRC_SIZE_BYTES = 8;

/** FUNCTION DUMP's payload for these libraries' code. */
export function encodeFunctionPayload(
  codes: readonly Uint8Array[],
  compression = true,
): Uint8Array {
  const records = encodeFunctionRecords(codes, compression);
  const payload = new Uint8Array(records.length + FUNCTION_PAYLOAD_FOOTER_SIZE_BYTES);
  payload.set(records, 0);
  payload[records.length] = RDB_VERSION_MAX & 0xff;
  payload[records.length + 1] = (RDB_VERSION_MAX >> 8) & 0xff;
  const crc = new Crc64();
  crc.update(payload, 0, records.length + VERSION_SIZE_BYTES);
  crc.writeLittleEndian(payload, records.length + VERSION_SIZE_BYTES);
  return payload;
}

/**
 * The library codes of a FUNCTION RESTORE payload, or the error text (without "ERR ") Redis
 * replies with: the footer's version or checksum, a record that is not a library.
 */
export function decodeFunctionPayload(payload: Uint8Array): { codes: Uint8Array[] } | {
  error: string;
} {
  const footerAt = payload.length - FUNCTION_PAYLOAD_FOOTER_SIZE_BYTES;
  if (footerAt < 0) return { error: "DUMP payload version or checksum are wrong" };
  const version = payload[footerAt] | (payload[footerAt + 1] << 8);
  const crc = new Crc64();
  crc.update(payload, 0, payload.length - CRC_SIZE_BYTES);
  if (
    version > RDB_VERSION_MAX || !crc.equalsLittleEndian(payload, footerAt + VERSION_SIZE_BYTES)
  ) {
    return { error: "DUMP payload version or checksum are wrong" };
  }
  const reader = new RdbReader();
  const header = new Uint8Array(RDB_MAGIC.length + 4);
  header.set(RDB_MAGIC, 0);
  header.set(new TextEncoder().encode(String(RDB_VERSION_MAX).padStart(4, "0")), RDB_MAGIC.length);
  const trailer = new Uint8Array(1 + CRC_SIZE_BYTES); // EOF, checksum 0 (not checked)
  trailer[0] = RDB_OPCODE_EOF;
  const codes: Uint8Array[] = [];
  try {
    for (const part of [header, payload.subarray(0, footerAt), trailer]) {
      reader.push(part);
      for (let event = reader.nextEvent(); event !== null; event = reader.nextEvent()) {
        if (event.kind !== "function") return { error: "given type is not a function" };
        codes.push(event.code);
      }
    }
    reader.finish();
  } catch {
    return { error: "Failed loading library payload" };
  }
  return { codes };
}
