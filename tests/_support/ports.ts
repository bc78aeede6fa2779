// Free TCP ports on 127.0.0.1 for tests and benchmarks.
//
// Tests never assume 6379 (a developer may run a Redis there) and never share a port between
// servers: each server started by a test asks for its own port here. The port is found by
// listening on port 0, reading the port the kernel chose and closing the listener, so there is
// a short window in which another process could take it; on a test machine that is acceptable.

/**
 * Returns a TCP port on 127.0.0.1 that was free a moment ago.
 *
 * @example
 * ```ts
 * import { pickFreePort } from "./ports.ts";
 * const port = pickFreePort();
 * console.assert(port > 0 && port < 65536);
 * ```
 */
export function pickFreePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
