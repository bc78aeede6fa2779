// The one error the RDB codec raises for bad input, so callers can tell a malformed or
// unsupported file (refuse it, keep running) from a bug (any other exception).
//
// Every message names the absolute byte offset in the file where the problem was found and
// what was wrong: "RDB format error at offset 1234: truncated (…)". The reader never throws
// anything else for any input bytes (tested by truncating and mutating valid files).

/**
 * A malformed, truncated, too new or unsupported RDB file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RdbFormatError } from "./errors.ts";
 * const error = new RdbFormatError(9, "bad length");
 * assert.equal(error.message, "RDB format error at offset 9: bad length");
 * assert.equal(error.offset, 9);
 * ```
 */
export class RdbFormatError extends Error {
  /** Absolute byte offset in the file where the problem was found. */
  readonly offset: number;
  /** What was wrong, without the offset prefix. */
  readonly reason: string;

  constructor(offset: number, reason: string) {
    super(`RDB format error at offset ${offset}: ${reason}`);
    this.name = "RdbFormatError";
    this.offset = offset;
    this.reason = reason;
  }
}

/**
 * A malformed embedded blob (listpack, ziplist, intset, zipmap, LZF). The blob decoders know
 * only offsets inside the blob; the reader adds the blob's file offset and rethrows it as an
 * `RdbFormatError`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BlobFormatError } from "./errors.ts";
 * assert.equal(new BlobFormatError(3, "bad encoding").blobOffset, 3);
 * ```
 */
export class BlobFormatError extends Error {
  /** Offset inside the blob. */
  readonly blobOffset: number;
  readonly reason: string;

  constructor(blobOffset: number, reason: string) {
    super(`at blob offset ${blobOffset}: ${reason}`);
    this.name = "BlobFormatError";
    this.blobOffset = blobOffset;
    this.reason = reason;
  }
}
