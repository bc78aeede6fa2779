// StreamSpool (core/replication/stream_spool.ts): the replication stream owed to a replica in
// full sync, FIFO, bounded in memory, spilling to a file. Random appends and reads against a
// plain array model: bytes come back in order whatever mix of memory and file held them, the
// memory never passes its bound, the file is started over once read back, the disk limit refuses
// an append whole, and close removes the file.

import assert from "node:assert/strict";
import { SPOOL_OVERFLOW, StreamSpool } from "../core/replication/stream_spool.ts";

function randomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

Deno.test("a spool gives back every byte in order across memory and spill file", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/spool.bin`;
  const memoryMaxBytes = 1000;
  const spool = new StreamSpool({ path, memoryMaxBytes, spilledMaxBytes: 0 });
  const model: number[] = [];
  let seed = 1;
  let readBack = 0;
  try {
    for (let step = 0; step < 5_000; step++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      if (seed % 3 !== 0) {
        const bytes = randomBytes(1 + (seed % 700), seed);
        assert.equal(spool.append(bytes), null);
        model.push(...bytes);
      } else {
        const chunk = spool.read(1 + (seed % 1500));
        assert.deepEqual([...chunk], model.slice(readBack, readBack + chunk.length));
        readBack += chunk.length;
        if (chunk.length === 0) assert.equal(readBack, model.length);
      }
      assert.ok(spool.memoryBytes <= memoryMaxBytes, `memory ${spool.memoryBytes}`);
      assert.equal(spool.pendingBytes, model.length - readBack);
    }
    for (let chunk = spool.read(4096); chunk.length > 0; chunk = spool.read(4096)) {
      assert.deepEqual([...chunk], model.slice(readBack, readBack + chunk.length));
      readBack += chunk.length;
    }
    assert.equal(readBack, model.length);
    assert.ok(spool.spilledTotalBytes > 0, "the test spilled");
    // Everything read back: the file was started over.
    assert.equal(Deno.statSync(path).size, 0);
  } finally {
    spool.close();
  }
  assert.throws(() => Deno.statSync(path), Deno.errors.NotFound);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("a spool refuses, whole, an append that would pass its disk limit", () => {
  const dir = Deno.makeTempDirSync();
  const spool = new StreamSpool({
    path: `${dir}/spool.bin`,
    memoryMaxBytes: 10,
    spilledMaxBytes: 30,
  });
  try {
    assert.equal(spool.append(randomBytes(8, 1)), null);
    assert.equal(spool.append(randomBytes(8, 2)), null); // 16 > 10: spilled
    assert.equal(spool.spilledPendingBytes, 16);
    assert.equal(spool.append(randomBytes(20, 3)), SPOOL_OVERFLOW);
    assert.equal(spool.pendingBytes, 16);
    assert.deepEqual([...spool.read(100)], [...randomBytes(8, 1), ...randomBytes(8, 2)]);
    // Once taken, the same append fits.
    assert.equal(spool.append(randomBytes(20, 3)), null);
  } finally {
    spool.close();
    Deno.removeSync(dir, { recursive: true });
  }
});
