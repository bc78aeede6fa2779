// LZ4 frames around an RDB stream (core/rdb/lz4_frames.ts): what goes in comes out whatever the
// chunking, and damaged input (cut anywhere, a block cut short, a size that disagrees, a frame
// declared too large, bytes after the end) is an RdbFormatError.

import assert from "node:assert/strict";
import { RdbFormatError } from "../core/rdb/mod.ts";
import { concatBytes } from "./_support/raw_client.ts";
import { LZ4_FRAME_RAW_MAX_BYTES, Lz4FrameReader, Lz4FrameWriter } from "../core/rdb/lz4_frames.ts";

function sample(sizeBytes: number): Uint8Array {
  const out = new Uint8Array(sizeBytes);
  let x = 12345;
  for (let i = 0; i < sizeBytes; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = i % 31 === 0 ? x >>> 24 : 0x61 + (i % 13); // compressible, not trivial
  }
  return out;
}

function frame(data: Uint8Array, frameRawBytes: number, chunkBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const writer = new Lz4FrameWriter((chunk) => parts.push(chunk), frameRawBytes);
  for (let at = 0; at < data.length; at += chunkBytes) {
    writer.write(data.subarray(at, at + chunkBytes));
  }
  writer.finish();
  return concatBytes(parts);
}

function unframe(framed: Uint8Array, chunkBytes: number): Uint8Array {
  const reader = new Lz4FrameReader();
  const parts: Uint8Array[] = [];
  for (let at = 0; at < framed.length; at += chunkBytes) {
    parts.push(...reader.push(framed.subarray(at, at + chunkBytes)));
  }
  reader.finish();
  return concatBytes(parts);
}

Deno.test("lz4 frames: round trip over frame sizes and chunkings", () => {
  const data = sample(300_000);
  for (const frameRawBytes of [1000, 65536, LZ4_FRAME_RAW_MAX_BYTES]) {
    for (const chunkBytes of [1, 777, 100_000, data.length]) {
      if (chunkBytes === 1 && frameRawBytes !== 65536) continue; // slow, and covered once
      const framed = frame(data, frameRawBytes, chunkBytes);
      assert.ok(framed.length < data.length / 2, "compressible data shrinks");
      for (const readChunk of [3, 4096, framed.length]) {
        assert.deepEqual(unframe(framed, readChunk), data);
      }
    }
  }
  assert.deepEqual(unframe(frame(new Uint8Array(0), 1000, 1), 1), new Uint8Array(0));
});

Deno.test("lz4 frames: damaged input is an RdbFormatError", () => {
  const framed = frame(sample(5000), 1000, 5000);
  for (let cut = 0; cut < framed.length; cut++) {
    assert.throws(() => unframe(framed.subarray(0, cut), 64), RdbFormatError, `cut at ${cut}`);
  }
  // A block cut short (its header claims one byte less): the block cannot decode whole. LZ4
  // blocks carry no checksum; flipped bytes inside one are caught by the RDB's own CRC64.
  const short = framed.slice();
  const view = new DataView(short.buffer);
  view.setUint32(12, view.getUint32(12, true) - 1, true);
  assert.throws(() => unframe(short, short.length), RdbFormatError);
  const prefix = framed.slice();
  prefix[8 + 8] ^= 1; // the block's own size prefix no longer matches the frame header
  assert.throws(() => unframe(prefix, prefix.length), /size prefix/);
  const huge = framed.slice();
  new DataView(huge.buffer).setUint32(8, LZ4_FRAME_RAW_MAX_BYTES + 1, true);
  assert.throws(() => unframe(huge, huge.length), /declared/);
  const trailing = new Uint8Array(framed.length + 1);
  trailing.set(framed);
  assert.throws(() => unframe(trailing, trailing.length), /after the LZ4 end/);
  const notFramed = new TextEncoder().encode("REDIS0010");
  assert.throws(() => unframe(notFramed, notFramed.length), /not an LZ4-framed/);
});
