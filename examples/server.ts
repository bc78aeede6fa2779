// A resplica server started from a Deno program, shared with an embedded store: the app writes
// in-process while Redis clients read the same data over RESP.
// Run: deno run --allow-net --allow-read --allow-env --allow-sys examples/server.ts
import { openStore, startServer } from "../mod.ts";

const store = openStore();
store.set("motd", "served from WASM memory");

const server = await startServer({ port: 0, store });
console.log(`listening on ${server.hostname}:${server.port}`);

// Talk to it as any Redis client would (inline command, as telnet would send it).
const conn = await Deno.connect({ hostname: server.hostname, port: server.port });
await conn.write(new TextEncoder().encode("GET motd\r\n"));
const buffer = new Uint8Array(128);
const n = await conn.read(buffer);
console.log("reply:", JSON.stringify(new TextDecoder().decode(buffer.subarray(0, n ?? 0))));
conn.close();

await server.close();
store.close();
