// LZ4 frames: resplica's own compressed wrapping of an RDB stream (lz4-wasm from npm), for a
// user who chose it for dump.rdb (`rdb-lz4 yes`). Redis cannot read it; nothing writes it
// unless asked, and a plain RDB is always what goes to Redis peers.
//
// Why a wrapping and not another string encoding: LZF inside the RDB compresses each long
// string alone; LZ4 over the whole stream also catches what repeats *between* records (key
// prefixes, small values LZF never touches) and decompresses several times faster.
//
//   "RSPLZ4" 0x01 0x00                         magic, format version, reserved
//   frame*: rawLen u32 LE │ packedLen u32 LE │ packed bytes (lz4-wasm's block: a u32 LE
//           size prefix, then the LZ4 block)
//   end:    rawLen 0      │ packedLen 0
//
// Each frame holds at most LZ4_FRAME_RAW_MAX_BYTES of the RDB, so a reader never allocates
// more than one frame's worth, whatever a damaged or hostile file declares. LZ4 blocks carry
// no checksum: structural damage is refused here, flipped bytes by the RDB's CRC64 inside.

import { compress, decompress } from "lz4-wasm";
import { RdbFormatError } from "./errors.ts";

export const LZ4_FRAMES_MAGIC = new Uint8Array([0x52, 0x53, 0x50, 0x4c, 0x5a, 0x34, 0x01, 0x00]);
/** Largest slice of the RDB one frame holds. */
export const LZ4_FRAME_RAW_MAX_BYTES = 1024 * 1024;
/** LZ4's worst case for n bytes is n + n/255 + 16; plus lz4-wasm's 4-byte size prefix. */
const LZ4_PACKED_MAX_BYTES = LZ4_FRAME_RAW_MAX_BYTES + (LZ4_FRAME_RAW_MAX_BYTES >> 8) + 32;
const FRAME_HEADER_BYTES = 8;

/** True when `bytes` start with the LZ4 frames magic (at least its 8 bytes are needed). */
export function isLz4Frames(bytes: Uint8Array): boolean {
  if (bytes.length < LZ4_FRAMES_MAGIC.length) return false;
  return LZ4_FRAMES_MAGIC.every((byte, index) => bytes[index] === byte);
}

/**
 * Wraps an RDB stream into LZ4 frames as its chunks arrive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Lz4FrameReader, Lz4FrameWriter } from "./lz4_frames.ts";
 * const packed: Uint8Array[] = [];
 * const writer = new Lz4FrameWriter((chunk) => packed.push(chunk));
 * writer.write(new TextEncoder().encode("REDIS0010".repeat(100)));
 * writer.finish();
 * const reader = new Lz4FrameReader();
 * const out = packed.flatMap((chunk) => reader.push(chunk));
 * assert.equal(out.reduce((n, c) => n + c.length, 0), 900);
 * assert.ok(reader.ended);
 * ```
 */
export class Lz4FrameWriter {
  readonly #onChunk: (chunk: Uint8Array) => void;
  readonly #frameRawBytes: number;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #started = false;
  #finished = false;
  /** Bytes emitted so far. */
  sizeBytes = 0;

  constructor(onChunk: (chunk: Uint8Array) => void, frameRawBytes = 256 * 1024) {
    if (frameRawBytes <= 0 || frameRawBytes > LZ4_FRAME_RAW_MAX_BYTES) {
      throw new RangeError(`Lz4FrameWriter: frame size ${frameRawBytes} out of range`);
    }
    this.#onChunk = onChunk;
    this.#frameRawBytes = frameRawBytes;
  }

  write(chunk: Uint8Array): void {
    if (this.#finished) throw new TypeError("Lz4FrameWriter: already finished");
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(chunk.length - offset, this.#frameRawBytes - this.#pendingBytes);
      this.#pending.push(chunk.subarray(offset, offset + take));
      this.#pendingBytes += take;
      offset += take;
      if (this.#pendingBytes === this.#frameRawBytes) this.#flushFrame();
    }
  }

  /** Emits the last frame and the end marker. */
  finish(): void {
    if (this.#finished) return;
    this.#flushFrame();
    this.#emit(new Uint8Array(FRAME_HEADER_BYTES));
    this.#finished = true;
  }

  #flushFrame(): void {
    if (this.#pendingBytes === 0) {
      if (!this.#started) this.#emit(LZ4_FRAMES_MAGIC.slice());
      this.#started = true;
      return;
    }
    const raw = new Uint8Array(this.#pendingBytes);
    let at = 0;
    for (const part of this.#pending) {
      raw.set(part, at);
      at += part.length;
    }
    this.#pending = [];
    this.#pendingBytes = 0;
    const packed = compress(raw);
    const frame = new Uint8Array(FRAME_HEADER_BYTES + packed.length);
    const view = new DataView(frame.buffer);
    view.setUint32(0, raw.length, true);
    view.setUint32(4, packed.length, true);
    frame.set(packed, FRAME_HEADER_BYTES);
    if (!this.#started) this.#emit(LZ4_FRAMES_MAGIC.slice());
    this.#started = true;
    this.#emit(frame);
  }

  #emit(chunk: Uint8Array): void {
    this.sizeBytes += chunk.length;
    this.#onChunk(chunk);
  }
}

/** Unwraps LZ4 frames back into the RDB stream; errors are RdbFormatError with the offset. */
export class Lz4FrameReader {
  #buf = new Uint8Array(0);
  /** File offset of #buf[0]. */
  #base = 0;
  #magicSeen = false;
  #ended = false;

  /** True once the end marker has been read. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Takes received bytes; returns the RDB bytes of every frame now complete. */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#ended) {
      if (chunk.length > 0) throw new RdbFormatError(this.#base, "data after the LZ4 end marker");
      return [];
    }
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    let at = 0;
    const out: Uint8Array[] = [];
    if (!this.#magicSeen) {
      if (joined.length < LZ4_FRAMES_MAGIC.length) {
        this.#buf = joined;
        return out;
      }
      if (!isLz4Frames(joined)) throw new RdbFormatError(0, "not an LZ4-framed snapshot");
      this.#magicSeen = true;
      at = LZ4_FRAMES_MAGIC.length;
    }
    const view = new DataView(joined.buffer);
    while (joined.length - at >= FRAME_HEADER_BYTES) {
      const rawLen = view.getUint32(at, true);
      const packedLen = view.getUint32(at + 4, true);
      const frameAt = this.#base + at;
      if (rawLen === 0 && packedLen === 0) {
        at += FRAME_HEADER_BYTES;
        if (at !== joined.length) {
          throw new RdbFormatError(this.#base + at, "data after the LZ4 end marker");
        }
        this.#ended = true;
        break;
      }
      if (rawLen === 0 || rawLen > LZ4_FRAME_RAW_MAX_BYTES) {
        throw new RdbFormatError(frameAt, `bad LZ4 frame: ${rawLen} bytes declared`);
      }
      if (packedLen < 4 || packedLen > LZ4_PACKED_MAX_BYTES) {
        throw new RdbFormatError(frameAt, `bad LZ4 frame: ${packedLen} packed bytes`);
      }
      if (joined.length - at - FRAME_HEADER_BYTES < packedLen) break;
      const packed = joined.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + packedLen);
      // lz4-wasm sizes its output from the block's own prefix: it must match the header.
      if (new DataView(packed.buffer, packed.byteOffset).getUint32(0, true) !== rawLen) {
        throw new RdbFormatError(frameAt, "bad LZ4 frame: size prefix disagrees with the header");
      }
      let raw: Uint8Array;
      try {
        raw = decompress(packed);
      } catch {
        throw new RdbFormatError(frameAt + FRAME_HEADER_BYTES, "bad LZ4 frame: corrupt block");
      }
      if (raw.length !== rawLen) {
        throw new RdbFormatError(frameAt, `bad LZ4 frame: ${raw.length} bytes, ${rawLen} declared`);
      }
      out.push(raw);
      at += FRAME_HEADER_BYTES + packedLen;
    }
    this.#buf = joined.slice(at);
    this.#base += at;
    return out;
  }

  /** Call after the last bytes: throws unless the end marker was read. */
  finish(): void {
    if (!this.#ended) {
      throw new RdbFormatError(this.#base, "truncated: the LZ4-framed snapshot has no end marker");
    }
  }
}
