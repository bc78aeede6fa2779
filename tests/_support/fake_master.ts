// A fake master for bad-peer tests of the replica side: it answers the handshake (PING,
// REPLCONF, PSYNC) like a master, then sends whatever the test scripted, so a test controls
// exactly what a replica receives (a snapshot it cannot load, a command it does not know)
// without needing a real master able to produce it.

import { RdbWriter } from "../../core/rdb/mod.ts";
import { concatBytes, latin1Text } from "./raw_client.ts";

/**
 * A fake master for bad-peer tests: answers the handshake; after each PSYNC it writes what
 * `afterPsync(session)` returns, then keeps the link open until the replica drops it. Records
 * every PSYNC line it received.
 */
export function startFakeMaster(afterPsync: (session: number) => Uint8Array) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const psyncLines: string[] = [];
  const encoder = new TextEncoder();
  const serving = (async () => {
    for await (const conn of listener) {
      const session = psyncLines.length;
      void (async () => {
        const buf = new Uint8Array(4096);
        let text = "";
        let answered = 0;
        try {
          for (;;) {
            const n = await conn.read(buf);
            if (n === null) break;
            text += latin1Text(buf.subarray(0, n));
            if (answered === 0 && text.includes("PING")) {
              await conn.write(encoder.encode("+PONG\r\n"));
              answered = 1;
            }
            if (answered === 1 && text.includes("psync2\r\n")) {
              await conn.write(encoder.encode("+OK\r\n+OK\r\n"));
              answered = 2;
            }
            const psyncAt = text.indexOf("PSYNC");
            const parts = text.slice(psyncAt).split("\r\n");
            if (answered === 2 && psyncAt >= 0 && parts.length >= 6) {
              psyncLines.push(`${parts[2]} ${parts[4]}`);
              await conn.write(afterPsync(session));
              answered = 3;
            }
          }
        } catch {
          // The replica hung up.
        } finally {
          try {
            conn.close();
          } catch {
            // Already closed.
          }
        }
      })();
    }
  })();
  return {
    port,
    psyncLines,
    async close() {
      listener.close();
      await serving.catch(() => {});
    },
  };
}

/** A whole RDB holding string keys, as a master would send it. */
export function rdbWith(keys: Record<string, string>): Uint8Array {
  const chunks: Uint8Array[] = [];
  const writer = new RdbWriter({ onChunk: (chunk) => chunks.push(chunk) });
  writer.selectDb(0, Object.keys(keys).length, 0);
  for (const [key, value] of Object.entries(keys)) {
    writer.writeEntry({
      db: 0,
      key: new TextEncoder().encode(key),
      expireAtMs: 0,
      value: { type: "string", value: new TextEncoder().encode(value) },
    });
  }
  writer.finish();
  return concatBytes(chunks);
}
