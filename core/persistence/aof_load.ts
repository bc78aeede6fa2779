// Replaying the append-only file at start-up. The file is a RESP command stream; each command
// runs through the normal dispatcher as a private client, so the keyspace ends exactly as the
// live commands left it. A file cut short at the end (a crash mid-write) loads up to its last
// whole command when `aof-load-truncated` allows, and is trimmed there; anything malformed
// before the end stops start-up with the byte offset, because silently skipping commands in
// the middle would serve a dataset that never existed.
//
// A rewritten file starts with an RDB preamble (as Redis's aof-use-rdb-preamble): the keyspace
// at the rewrite's instant, then the commands written since. The preamble is loaded through
// the RDB reader (`loadPreamble`), the rest replayed as commands.

import { RespReader } from "../resp/mod.ts";
import { ProtocolError } from "../resp/mod.ts";
import { RDB_MAGIC, RdbReader } from "../rdb/mod.ts";

/** Bytes read from disk per step. */
const LOAD_CHUNK_BYTES = 256 * 1024;

export class AofFormatError extends Error {}

export interface AofLoadResult {
  commandCount: number;
  /** Set when a truncated tail was dropped: the length the file was trimmed to. */
  truncatedToBytes: number | null;
}

/**
 * Reads `path` and hands every command to `execute`, which returns an error text to abort the
 * load (unknown command) or null. Throws AofFormatError on malformed input.
 */
export function replayAofSync(
  path: string,
  execute: (argv: Uint8Array[]) => string | null,
  allowTruncated: boolean,
  loadPreamble: (reader: RdbReader) => void,
): AofLoadResult {
  const file = Deno.openSync(path, { read: true, write: true });
  // The AOF is written by us with proto limits far above any one command; keep Redis's caps.
  const reader = new RespReader({ queryBufferMaxBytes: Number.MAX_SAFE_INTEGER });
  const buffer = new Uint8Array(LOAD_CHUNK_BYTES);
  let readBytes = 0;
  let commandCount = 0;
  let preamble: RdbReader | null = null;
  try {
    while (true) {
      const n = file.readSync(buffer);
      if (n === null) break;
      let chunk: Uint8Array = buffer.subarray(0, n);
      if (readBytes === 0 && startsWithRdbMagic(chunk)) {
        preamble = new RdbReader({}, { trailingData: true });
      }
      readBytes += n;
      if (preamble !== null && !preamble.ended) {
        preamble.push(chunk);
        loadPreamble(preamble);
        if (!preamble.ended) continue;
        preamble.finish();
        chunk = preamble.takeTrailingBytes();
      }
      reader.push(chunk);
      while (true) {
        let argv: Uint8Array[] | null;
        try {
          argv = reader.next();
        } catch (error) {
          if (error instanceof ProtocolError) {
            throw new AofFormatError(
              `Bad file format reading the append only file at offset ${
                readBytes - reader.bufferedBytes
              }: ${error.message}`,
            );
          }
          throw error;
        }
        if (argv === null) break;
        const problem = execute(argv);
        if (problem !== null) {
          throw new AofFormatError(
            `${problem} reading the append only file at offset ${readBytes - reader.bufferedBytes}`,
          );
        }
        commandCount++;
      }
    }
    if (preamble !== null && !preamble.ended) preamble.finish(); // throws: truncated preamble
    const leftoverBytes = reader.bufferedBytes;
    if (leftoverBytes === 0) return { commandCount, truncatedToBytes: null };
    const validBytes = readBytes - leftoverBytes;
    if (!allowTruncated) {
      throw new AofFormatError(
        `Unexpected end of file reading the append only file at offset ${validBytes} ` +
          `(aof-load-truncated is no)`,
      );
    }
    file.truncateSync(validBytes);
    return { commandCount, truncatedToBytes: validBytes };
  } finally {
    file.close();
  }
}

function startsWithRdbMagic(bytes: Uint8Array): boolean {
  if (bytes.length < RDB_MAGIC.length) return false;
  return RDB_MAGIC.every((byte, index) => bytes[index] === byte);
}
