// Interleaved full sync: between resplica nodes, the snapshot and the stream written while it is
// taken travel at once on the replication connection, and the REPLICA holds the stream until it
// has loaded the snapshot. The master keeps nothing per syncing replica (no spool, no spill file,
// no wait for an ACK): it is Redis 8's rdb channel and Valkey 8's dual channel on one socket.
//
// Negotiation: a resplica replica with repl-interleaved-sync on sends `REPLCONF capa interleave`
// (redis-server ignores capabilities it does not know); a resplica master with
// repl-interleaved-sync and repl-diskless-sync on answers that replica's full sync with
//
//   +FULLRESYNC <replid> <offset>\r\n
//   $INTERLEAVED\r\n
//   frame*                      each: <type: 1 byte><payload length: u32 LE><payload>
//
//   ┌──────┬───────────────┬──────────────────────────────────────────────────────────────┐
//   │ type │ payload       │ meaning                                                      │
//   ├──────┼───────────────┼──────────────────────────────────────────────────────────────┤
//   │ 'R'  │ snapshot      │ the bytes a `$EOF:` transfer carries between its marks: RDB, │
//   │      │               │ or LZ4 frames when the replica also sent `capa lz4`          │
//   │ 'S'  │ stream        │ replication stream written since the snapshot's instant, in  │
//   │      │               │ order, counted in master_repl_offset as always               │
//   │ 'E'  │ offset, ASCII │ the snapshot is complete; the payload is master_repl_offset  │
//   │      │               │ now (= <offset> + every 'S' byte). What follows is the plain │
//   │      │               │ live stream: the replica is online on the master.            │
//   └──────┴───────────────┴──────────────────────────────────────────────────────────────┘
//
// 'R' and 'S' frames interleave in the order the master produced them (one event loop: a
// snapshot chunk and a write never overlap). Payloads are at most FRAME_PAYLOAD_MAX_BYTES (the
// master splits larger pieces), which the replica checks before it trusts a length. Any other
// type, an oversized length or a connection cut before 'E' fails the sync like a cut `$EOF:`
// transfer. One connection, not two: the replica reads the socket as it loads, and a stream
// frame costs it one append, so the stream never waits long on the master behind snapshot bytes.

/** The line after `+FULLRESYNC` announcing frames instead of `$EOF:` or `$<len>`. */
export const INTERLEAVED_HEADER = "$INTERLEAVED";
/** The capability a replica announces in `REPLCONF capa`. */
export const CAPA_INTERLEAVE = "interleave";

/** Frame types (one byte each). */
export const FRAME_SNAPSHOT = 0x52; // 'R'
export const FRAME_STREAM = 0x53; // 'S'
export const FRAME_END = 0x45; // 'E'

/** Type byte + u32 length. */
export const FRAME_HEADER_BYTES = 5;
/** Largest payload of one frame; larger snapshot chunks or writes become several frames. */
export const FRAME_PAYLOAD_MAX_BYTES = 1024 * 1024;
/** Longest 'E' payload: an offset in decimal. */
const END_PAYLOAD_MAX_BYTES = 20;

/** One frame header. */
export function encodeFrameHeader(type: number, payloadBytes: number): Uint8Array {
  if (payloadBytes < 0 || payloadBytes > FRAME_PAYLOAD_MAX_BYTES) {
    throw new RangeError(`frame payload of ${payloadBytes} bytes`);
  }
  const header = new Uint8Array(FRAME_HEADER_BYTES);
  header[0] = type;
  new DataView(header.buffer).setUint32(1, payloadBytes, true);
  return header;
}

/**
 * Writes `bytes` as frames of `type` through `out` (header, then a view of the payload),
 * splitting at FRAME_PAYLOAD_MAX_BYTES. Returns the bytes written on the wire.
 */
export function writeFrames(
  type: number,
  bytes: Uint8Array,
  out: (chunk: Uint8Array) => void,
): number {
  let wireBytes = 0;
  for (let at = 0; at < bytes.length; at += FRAME_PAYLOAD_MAX_BYTES) {
    const payload = bytes.subarray(at, Math.min(bytes.length, at + FRAME_PAYLOAD_MAX_BYTES));
    out(encodeFrameHeader(type, payload.length));
    out(payload);
    wireBytes += FRAME_HEADER_BYTES + payload.length;
  }
  return wireBytes;
}

/** The 'E' frame: header and the offset in ASCII. */
export function encodeEndFrame(offset: number): Uint8Array {
  const payload = new TextEncoder().encode(String(offset));
  const frame = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  frame.set(encodeFrameHeader(FRAME_END, payload.length));
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** What the frame reader hands on. */
export interface InterleavedFrameSink {
  snapshot(bytes: Uint8Array): void;
  stream(bytes: Uint8Array): void;
  end(offset: number): void;
}

/** A malformed frame from the master. */
export class InterleavedFrameError extends Error {}

/**
 * Splits the frame sequence incrementally. The caller hands it at most `wantBytes` at a time
 * (so it never takes a byte past the 'E' frame, which belongs to the live stream); payload
 * bytes are passed on as they arrive, without waiting for a whole frame.
 *
 * @example
 * ```ts
 * import { encodeEndFrame, FRAME_STREAM, InterleavedFrameReader, writeFrames } from "./interleaved_sync.ts";
 * const wire: Uint8Array[] = [];
 * writeFrames(FRAME_STREAM, new TextEncoder().encode("*1\r\n$4\r\nping\r\n"), (c) => wire.push(c));
 * wire.push(encodeEndFrame(14));
 * let streamBytes = 0;
 * let endOffset = -1;
 * const reader = new InterleavedFrameReader({
 *   snapshot: () => {},
 *   stream: (bytes) => streamBytes += bytes.length,
 *   end: (offset) => endOffset = offset,
 * });
 * for (const chunk of wire) {
 *   for (let at = 0; at < chunk.length;) {
 *     const take = Math.min(reader.wantBytes, chunk.length - at);
 *     reader.push(chunk.subarray(at, at + take));
 *     at += take;
 *   }
 * }
 * console.assert(streamBytes === 14 && endOffset === 14 && reader.ended);
 * ```
 */
export class InterleavedFrameReader {
  readonly #sink: InterleavedFrameSink;
  readonly #header = new Uint8Array(FRAME_HEADER_BYTES);
  /** Header bytes gathered (< FRAME_HEADER_BYTES while reading a header). */
  #headerBytes = 0;
  /** Type and remaining payload of the frame being read (-1: reading a header). */
  #type = -1;
  #payloadLeftBytes = 0;
  /** The 'E' payload, gathered whole. */
  #endPayload: number[] = [];
  ended = false;

  constructor(sink: InterleavedFrameSink) {
    this.#sink = sink;
  }

  /** Bytes the reader may take now: the rest of a header or of a payload; 0 once ended. */
  get wantBytes(): number {
    if (this.ended) return 0;
    if (this.#type < 0) return FRAME_HEADER_BYTES - this.#headerBytes;
    return this.#payloadLeftBytes;
  }

  /** Takes `bytes` (at most wantBytes); throws InterleavedFrameError on a malformed frame. */
  push(bytes: Uint8Array): void {
    if (bytes.length > this.wantBytes) {
      throw new RangeError(`pushed ${bytes.length} bytes where ${this.wantBytes} were wanted`);
    }
    if (bytes.length === 0) return;
    if (this.#type < 0) {
      this.#header.set(bytes, this.#headerBytes);
      this.#headerBytes += bytes.length;
      if (this.#headerBytes === FRAME_HEADER_BYTES) this.#beginFrame();
      return;
    }
    this.#payloadLeftBytes -= bytes.length;
    switch (this.#type) {
      case FRAME_SNAPSHOT:
        this.#sink.snapshot(bytes);
        break;
      case FRAME_STREAM:
        this.#sink.stream(bytes);
        break;
      case FRAME_END:
        for (const byte of bytes) this.#endPayload.push(byte);
        break;
    }
    if (this.#payloadLeftBytes === 0) this.#endFrame();
  }

  #beginFrame(): void {
    const type = this.#header[0];
    const lengthBytes = new DataView(this.#header.buffer).getUint32(1, true);
    this.#headerBytes = 0;
    if (type !== FRAME_SNAPSHOT && type !== FRAME_STREAM && type !== FRAME_END) {
      throw new InterleavedFrameError(`unknown interleaved frame type ${type}`);
    }
    const maxBytes = type === FRAME_END ? END_PAYLOAD_MAX_BYTES : FRAME_PAYLOAD_MAX_BYTES;
    if (lengthBytes > maxBytes) {
      throw new InterleavedFrameError(`interleaved frame of ${lengthBytes} bytes`);
    }
    this.#type = type;
    this.#payloadLeftBytes = lengthBytes;
    // An empty payload ends its frame at once ('E' never has one; tolerated for the others).
    if (lengthBytes === 0) this.#endFrame();
  }

  #endFrame(): void {
    const type = this.#type;
    this.#type = -1;
    if (type !== FRAME_END) return;
    const text = String.fromCharCode(...this.#endPayload);
    const offset = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(offset)) {
      throw new InterleavedFrameError(`bad offset '${text}' in the interleaved end frame`);
    }
    this.ended = true;
    this.#sink.end(offset);
  }
}
