// A cache that stays in sync with a Redis master: an embedded replica holds the master's data
// in this process (reads are calls into WASM memory, no network hop), and a derived cache of
// parsed objects follows the replica's change feed, so the app never polls and never serves a
// value the master has replaced.
//
// Run against your own master (resplica or redis-server 7.0), watching changes for 10 s:
//   deno run --allow-net --allow-read --allow-env --allow-sys examples/replica_cache.ts 127.0.0.1:6379
// Without an argument it starts a resplica master in this process and drives a short demo.
import { type EmbeddedReplica, openReplica, type ResplicaServer, startServer } from "../mod.ts";

interface Product {
  name: string;
  priceCents: number;
}

/** Parsed `product:*` values, kept equal to the replica's keys by `followChanges`. */
const products = new Map<string, Product>();

function loadProduct(replica: EmbeddedReplica, key: string): void {
  const text = replica.store.get(key);
  if (text === null) products.delete(key);
  else products.set(key, JSON.parse(text) as Product);
}

function loadAll(replica: EmbeddedReplica): void {
  products.clear();
  for (const key of replica.store.keys("product:*")) loadProduct(replica, key);
}

/** Applies each change to the cache until the replica closes. */
async function followChanges(replica: EmbeddedReplica): Promise<void> {
  for await (const change of replica.changes()) {
    if (change.key === null) {
      // fullsync, overflow, FLUSHDB/FLUSHALL: rebuild from the replica.
      loadAll(replica);
      console.log(`cache: reloaded after ${change.command} (${products.size} products)`);
    } else if (change.db === 0 && change.key.startsWith("product:")) {
      loadProduct(replica, change.key);
      const product = products.get(change.key);
      console.log(
        `cache: ${change.key} ${change.command} -> ${
          product ? `${product.name} ${(product.priceCents / 100).toFixed(2)}` : "gone"
        }`,
      );
    }
  }
}

/** One command on a short-lived connection to the demo master (inline RESP). */
async function masterCommand(port: number, line: string): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(line + "\r\n"));
    await conn.read(new Uint8Array(64));
  } finally {
    conn.close();
  }
}

/** Waits until `check` holds (the cache follows the master asynchronously). */
async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadlineMs) throw new Error("the cache did not catch up");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const target = Deno.args[0];
let demoMaster: ResplicaServer | null = null;
let host = "127.0.0.1";
let port: number;
if (target !== undefined) {
  const colon = target.lastIndexOf(":");
  host = target.slice(0, colon);
  port = Number(target.slice(colon + 1));
} else {
  demoMaster = await startServer({ port: 0, config: { "repl-diskless-sync-delay": "0" } });
  port = demoMaster.port;
  await masterCommand(port, `SET product:1 '{"name":"tea","priceCents":450}'`);
  await masterCommand(port, `SET product:2 '{"name":"cake","priceCents":300}'`);
}

const replica = await openReplica({ host, port });
loadAll(replica);
console.log(`replica of ${host}:${port} synced at offset ${replica.replicationOffset}`);
console.log(`cache: ${products.size} products loaded`);
const following = followChanges(replica);

if (demoMaster !== null) {
  await masterCommand(port, `SET product:1 '{"name":"tea","priceCents":425}'`);
  await masterCommand(port, "DEL product:2");
  await masterCommand(port, `SET product:3 '{"name":"scone","priceCents":275}'`);
  await until(() => products.has("product:3") && !products.has("product:2"));
  console.log("tea costs", (products.get("product:1")!.priceCents / 100).toFixed(2));
  console.log("in-process read:", replica.store.get("product:3"));
} else {
  await new Promise((resolve) => setTimeout(resolve, 10_000));
}

await replica.close();
await following;
await demoMaster?.close();
