// The embedded Store's read paths after their speed-ups (core/store.ts): ASCII keys copied
// without the UTF-8 encoder, one clock sample shared by a synchronous run of reads, and
// getBytes/getInto copies. Each must read exactly what the plain path read.

import assert from "node:assert/strict";
import { openStore } from "../mod.ts";
import { delay } from "./_support/redis_peer.ts";

Deno.test("Store reads: ASCII, non-ASCII and binary keys name the same entries", () => {
  const store = openStore();
  try {
    store.set("plain:key", "a");
    store.set("clé:ünïcode:😀", "b");
    store.set(new TextEncoder().encode("plain:key2"), "c");
    assert.equal(store.get("plain:key"), "a");
    assert.equal(store.get(new TextEncoder().encode("plain:key")), "a");
    assert.equal(store.get("clé:ünïcode:😀"), "b");
    assert.equal(store.get(new TextEncoder().encode("clé:ünïcode:😀")), "b");
    assert.equal(store.get("plain:key2"), "c");
    assert.equal(store.get("x".repeat(5000)), null); // past the scratch buffer
  } finally {
    store.close();
  }
});

Deno.test("Store reads: getBytes copies are independent; getInto copies only what fits", () => {
  const store = openStore();
  try {
    store.set("a", "first");
    store.set("b", "second");
    store.set("big", "z".repeat(5000));
    const a = store.getBytes("a")!;
    const b = store.getBytes("b")!;
    a.fill(0x21);
    assert.equal(new TextDecoder().decode(b), "second");
    store.set("b", "changed");
    assert.equal(new TextDecoder().decode(b), "second");
    assert.equal(store.getBytes("big")!.length, 5000);
    assert.equal(store.getBytes("missing"), null);
    const small = new Uint8Array(4);
    assert.equal(store.getInto("b", small), 7); // too small: size reported, nothing copied
    assert.deepEqual(small, new Uint8Array(4));
    const target = new Uint8Array(16);
    assert.equal(store.getInto("b", target), 7);
    assert.equal(new TextDecoder().decode(target.subarray(0, 7)), "changed");
    assert.equal(store.getInto("missing", target), -1);
  } finally {
    store.close();
  }
});

Deno.test("Store reads: expiry is seen by the first read after an await", async () => {
  const store = openStore();
  try {
    store.set("short", "v", { px: 30 });
    for (let i = 0; i < 1000; i++) assert.equal(store.get("short"), "v");
    await delay(60);
    assert.equal(store.get("short"), null);
  } finally {
    store.close();
  }
});
