// Inputs the fuzzers (tests/fuzz_test.ts) once found mishandled, kept as plain tests so they
// stay fixed whatever seed CI replays.

import assert from "node:assert/strict";
import { Engine } from "../core/engine/mod.ts";
import { loadEntries } from "../core/persistence/keyspace_records.ts";
import { writeSnapshot } from "../core/persistence/rdb_file.ts";
import { RdbReader } from "../core/rdb/mod.ts";
import { Store } from "../core/store.ts";

Deno.test("fuzz regression: an RDB expire time beyond 2^53 ms loads as 'never' (seed 1, case 4431)", () => {
  // Found as RangeError from Engine.setExpireAtMs instead of a loaded key or RdbFormatError.
  const source = Engine.create();
  const store = new Store(source, 0);
  store.set("k", "v", { pxat: Date.now() + 60_000 });
  const parts: Uint8Array[] = [];
  writeSnapshot(
    source,
    { compression: false, checksum: false, replId: "0".repeat(40), replOffset: 0 },
    Date.now(),
    (chunk) => parts.push(chunk.slice()),
  );
  const rdb = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    rdb.set(part, at);
    at += part.length;
  }
  // The key's 0xFC opcode comes right after the SELECTDB/RESIZEDB opcodes of db 0.
  const opcodeAt = rdb.indexOf(0xfc, rdb.indexOf(0xfb));
  assert.ok(opcodeAt > 0);
  new DataView(rdb.buffer).setBigInt64(opcodeAt + 1, 0x7fff_ffff_0000_0000n, true);

  const target = Engine.create();
  const reader = new RdbReader();
  reader.push(rdb);
  const counts = { keyCount: 0, expiredSkipped: 0 };
  loadEntries(target, reader, Date.now(), true, counts);
  reader.finish();
  assert.equal(counts.keyCount, 1);
  const loaded = new Store(target, 0);
  assert.equal(loaded.get("k"), "v");
  assert.ok(loaded.pttl("k") > 1e15, "a TTL far in the future");
});
