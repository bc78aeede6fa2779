// LZF, the compression RDB applies to strings longer than 20 bytes (`src/lzf_c.c`,
// `src/lzf_d.c`). Owns both directions.
//
// Compressed format, a sequence of:
//   000LLLLL <L+1 literal bytes>                  literal run of 1..32 bytes
//   LLLooooo oooooooo                              backref, L+2 = 3..8 bytes, L in 1..6
//   111ooooo LLLLLLLL oooooooo                     backref, L+9 = 9..264 bytes
// A backref copies from `output position - offset - 1` (offset 0..8191), possibly
// overlapping itself (a run of one byte repeats it).
//
// The compressor is written to make the same choices as Redis's build of liblzf (HLOG 16,
// VERY_FAST, hash IDX(h) = ((h >> 8) - h * 5) & 0xffff over the last four bytes, never a
// reference to input position 0, the same output-room checks), so that our RDB bytes match
// what Redis writes for the same value. Redis's hash table starts with stale stack contents
// (INIT_HTAB 0); ours starts empty, which can only make Redis find an extra match by chance.

import { BlobFormatError } from "./errors.ts";

/** Longest literal run. */
const LZF_LITERAL_RUN_MAX_BYTES = 32;
/** Backrefs reach back at most this far. */
const LZF_OFFSET_MAX = 1 << 13;
/** Longest backref copy. */
const LZF_REF_LEN_MAX_BYTES = (1 << 8) + (1 << 3);
/** Short backref lengths (L field) below this; 7 means an extra length byte follows. */
const LZF_SHORT_REF_LEN_FIELD = 7;
const LZF_HASH_LOG = 16;
const LZF_HASH_SIZE = 1 << LZF_HASH_LOG;
/** Bytes the unrolled match loop checks before it looks at the length cap. */
const LZF_UNROLLED_MATCH_BYTES = 16;

/**
 * Decompresses `input` into exactly `outputLenBytes` bytes. Throws `BlobFormatError` (offset
 * inside `input`) on a backref before the start, output overflow or a short result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzfCompress, lzfDecompress } from "./lzf.ts";
 * const data = new TextEncoder().encode("abcabcabcabcabcabcabcabcabcabc");
 * const packed = lzfCompress(data, data.length)!;
 * assert.deepEqual(lzfDecompress(packed, data.length), data);
 * ```
 */
export function lzfDecompress(input: Uint8Array, outputLenBytes: number): Uint8Array {
  const output = new Uint8Array(outputLenBytes);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    const ctrlAt = ip;
    const ctrl = input[ip++];
    if (ctrl < LZF_LITERAL_RUN_MAX_BYTES) {
      const runBytes = ctrl + 1;
      if (op + runBytes > outputLenBytes) {
        throw new BlobFormatError(ctrlAt, "LZF literal run overflows the declared length");
      }
      if (ip + runBytes > input.length) {
        throw new BlobFormatError(ctrlAt, "LZF literal run past the end of the data");
      }
      output.set(input.subarray(ip, ip + runBytes), op);
      ip += runBytes;
      op += runBytes;
      continue;
    }
    let len = ctrl >> 5;
    if (len === LZF_SHORT_REF_LEN_FIELD) {
      if (ip >= input.length) throw new BlobFormatError(ctrlAt, "LZF backref truncated");
      len += input[ip++];
    }
    if (ip >= input.length) throw new BlobFormatError(ctrlAt, "LZF backref truncated");
    const distance = ((ctrl & 0x1f) << 8) + input[ip++] + 1;
    const copyBytes = len + 2;
    if (distance > op) throw new BlobFormatError(ctrlAt, "LZF backref before the start");
    if (op + copyBytes > outputLenBytes) {
      throw new BlobFormatError(ctrlAt, "LZF backref overflows the declared length");
    }
    for (let index = 0; index < copyBytes; index++, op++) output[op] = output[op - distance];
  }
  if (op !== outputLenBytes) {
    throw new BlobFormatError(ip, `LZF data yields ${op} bytes, declared ${outputLenBytes}`);
  }
  return output;
}

/**
 * Reused hash table of input positions + 1, valid only where `hashStamp` holds the current
 * call's stamp: clearing 256 KB per call would cost more than compressing a small string.
 */
const hashTable = new Int32Array(LZF_HASH_SIZE);
const hashStamp = new Uint32Array(LZF_HASH_SIZE);
let currentStamp = 0;

/**
 * Compresses `input` as Redis's liblzf does, into at most `outputLenMaxBytes` bytes (Redis
 * passes the input length - 4). Returns null when it does not fit (incompressible).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzfCompress } from "./lzf.ts";
 * assert.equal(lzfCompress(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), 4), null);
 * assert.ok(lzfCompress(new Uint8Array(100), 96)!.length < 10);
 * ```
 */
export function lzfCompress(input: Uint8Array, outputLenMaxBytes: number): Uint8Array | null {
  const inLen = input.length;
  if (inLen === 0 || outputLenMaxBytes === 0) return null;
  currentStamp = (currentStamp + 1) >>> 0;
  if (currentStamp === 0) {
    hashStamp.fill(0); // wrapped around: old stamps could collide
    currentStamp = 1;
  }
  const stamp = currentStamp;
  // One spare byte: the final literal loop may start a run header past the checked room,
  // exactly like liblzf writing into Redis's `outlen + 1` buffer.
  const out = new Uint8Array(outputLenMaxBytes + 1);
  const outEnd = outputLenMaxBytes;
  const hashIndex = (h: number) => ((h >>> 8) - Math.imul(h, 5)) & (LZF_HASH_SIZE - 1);
  let ip = 0;
  let op = 1; // out[0] is the first run's header
  let lit = 0;
  let hval = (input[0] << 8) | input[1];
  while (ip < inLen - 2) {
    hval = ((hval << 8) | input[ip + 2]) >>> 0;
    const slot = hashIndex(hval);
    const ref = hashStamp[slot] === stamp ? hashTable[slot] - 1 : -1; // -1 when empty
    hashTable[slot] = ip + 1;
    hashStamp[slot] = stamp;
    const off = ip - ref - 1;
    if (
      ref > 0 && off < LZF_OFFSET_MAX && off >= 0 &&
      input[ref + 2] === input[ip + 2] && input[ref] === input[ip] &&
      input[ref + 1] === input[ip + 1]
    ) {
      let maxLen = inLen - ip - 2;
      if (maxLen > LZF_REF_LEN_MAX_BYTES) maxLen = LZF_REF_LEN_MAX_BYTES;
      if (op + 4 >= outEnd && op - (lit === 0 ? 1 : 0) + 4 >= outEnd) return null;
      out[op - lit - 1] = lit - 1; // close the literal run
      if (lit === 0) op--; // drop an empty run header
      let len = 2;
      let mismatched = false;
      if (maxLen > LZF_UNROLLED_MATCH_BYTES) {
        for (let step = 0; step < LZF_UNROLLED_MATCH_BYTES; step++) {
          len++;
          if (input[ref + len] !== input[ip + len]) {
            mismatched = true;
            break;
          }
        }
      }
      if (!mismatched) {
        do len++; while (len < maxLen && input[ref + len] === input[ip + len]);
      }
      len -= 2; // stored length: copied bytes - 2
      ip++;
      if (len < LZF_SHORT_REF_LEN_FIELD) {
        out[op++] = (off >> 8) + (len << 5);
      } else {
        out[op++] = (off >> 8) + (LZF_SHORT_REF_LEN_FIELD << 5);
        out[op++] = len - LZF_SHORT_REF_LEN_FIELD;
      }
      out[op++] = off & 0xff;
      lit = 0;
      op++; // start a new run
      ip += len + 1;
      if (ip >= inLen - 2) break;
      // VERY_FAST: hash the two positions before the new one.
      ip -= 2;
      hval = (input[ip] << 8) | input[ip + 1];
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      let hashed = hashIndex(hval);
      hashTable[hashed] = ip + 1;
      hashStamp[hashed] = stamp;
      ip++;
      hval = ((hval << 8) | input[ip + 2]) >>> 0;
      hashed = hashIndex(hval);
      hashTable[hashed] = ip + 1;
      hashStamp[hashed] = stamp;
      ip++;
    } else {
      if (op >= outEnd) return null;
      lit++;
      out[op++] = input[ip++];
      if (lit === LZF_LITERAL_RUN_MAX_BYTES) {
        out[op - lit - 1] = lit - 1;
        lit = 0;
        op++;
      }
    }
  }
  if (op + 3 > outEnd) return null;
  while (ip < inLen) {
    lit++;
    out[op++] = input[ip++];
    if (lit === LZF_LITERAL_RUN_MAX_BYTES) {
      out[op - lit - 1] = lit - 1;
      lit = 0;
      op++;
    }
  }
  out[op - lit - 1] = lit - 1;
  if (lit === 0) op--;
  return out.slice(0, op);
}
