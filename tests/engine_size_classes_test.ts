// The page allocator's small size classes step by 8 bytes up to 128 (wasm/assembly/pages.ts;
// issue 18): a string key costs its entry (40-byte header + key bytes) and its value, each
// rounded up to a multiple of 8, and used_memory (usedMemoryBytes) sees exactly that. The keys
// are bench/load.ts's: `key:` + 10 digits, 100-byte values.

import { ok, strictEqual } from "node:assert/strict";
import { Engine } from "../core/engine/mod.ts";

const encoder = new TextEncoder();
const NOW_MS = 1_700_000_000_000;
/** entry.ts's header: expireAtMs, next, hash, keyLen, value words, TTL slot, LRU, type, marks. */
const ENTRY_HEADER_SIZE_BYTES = 40;

const roundUp8 = (sizeBytes: number) => Math.ceil(sizeBytes / 8) * 8;

Deno.test("a key costs its entry and value rounded up to 8 bytes (1,000 keys × 100 B)", () => {
  const engine = Engine.create();
  const keyCount = 1_000;
  // One key first: the table's bucket array and the staging region exist before counting.
  engine.set(0, encoder.encode("warm"), new Uint8Array(100), 0, 0, NOW_MS);
  const beforeBytes = engine.usedMemoryBytes();
  for (let i = 0; i < keyCount; i++) {
    const key = encoder.encode(`key:${String(i).padStart(10, "0")}`);
    ok(engine.set(0, key, encoder.encode(String(i).padStart(100, "v")), 0, 0, NOW_MS));
  }
  const perKeyBytes = (engine.usedMemoryBytes() - beforeBytes) / keyCount;
  const entryBytes = roundUp8(ENTRY_HEADER_SIZE_BYTES + 14); // 54 → 56
  const valueBytes = roundUp8(100); // 104
  // Bucket arrays grow with the key count (4 bytes a bucket, power-of-two sizes): allow for them.
  ok(perKeyBytes >= entryBytes + valueBytes, `${perKeyBytes} B a key`);
  ok(perKeyBytes <= entryBytes + valueBytes + 8, `${perKeyBytes} B a key`);
});

Deno.test("values of every small size round up to the next multiple of 8", () => {
  const engine = Engine.create();
  engine.set(0, encoder.encode("warm"), new Uint8Array(1), 0, 0, NOW_MS);
  for (let sizeBytes = 1; sizeBytes <= 128; sizeBytes++) {
    const key = encoder.encode("k");
    ok(engine.set(0, key, new Uint8Array(sizeBytes), 0, 0, NOW_MS));
    const withBytes = engine.usedMemoryBytes();
    ok(engine.del(0, key, NOW_MS));
    const withoutBytes = engine.usedMemoryBytes();
    strictEqual(
      withBytes - withoutBytes,
      roundUp8(ENTRY_HEADER_SIZE_BYTES + 1) + roundUp8(sizeBytes),
      `a ${sizeBytes}-byte value`,
    );
  }
});
