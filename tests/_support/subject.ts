// The server under test for the interop suites: resplica in process, or — in self-test mode —
// a real redis-server.
//
// RESPLICA_SELFTEST=1 runs the differential, redis-cli and client-library suites against
// redis-server instead of resplica. Every test must then pass; that is how the harness, the
// corpus and the expectations in the tests are checked on their own, before (or apart from)
// judging resplica.

import { startServer } from "../../mod.ts";
import { startRedisServer } from "./redis_peer.ts";

/** A running server a test talks to over TCP on 127.0.0.1. */
export interface Subject {
  readonly label: string;
  readonly port: number;
  close(): Promise<void>;
}

/** True in self-test mode (`RESPLICA_SELFTEST=1`). */
export function isSelfTest(): boolean {
  return Deno.env.get("RESPLICA_SELFTEST") === "1";
}

/**
 * Starts the subject on a free port: resplica, or redis-server in self-test mode. With
 * `debug`, DEBUG is enabled (`enable-debug-command yes`; off by default, as in Redis).
 */
export async function startSubject(options: { debug?: boolean } = {}): Promise<Subject> {
  if (isSelfTest()) {
    const peer = await startRedisServer(options.debug ? ["--enable-debug-command", "yes"] : []);
    return { label: "redis-server (self-test)", port: peer.port, close: () => peer.stop() };
  }
  const config: Record<string, string> = options.debug ? { "enable-debug-command": "yes" } : {};
  const server = await startServer({ port: 0, logLevel: "warning", config });
  return { label: "resplica", port: server.port, close: () => server.close() };
}
