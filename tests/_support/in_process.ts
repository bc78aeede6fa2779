// Commands run in process, without sockets: a fresh ServerState over an empty engine, the full
// command table, and clients whose replies collect in their own ReplyWriter. For tests of a
// command family's replies and propagation, where a TCP round trip would prove nothing more.

import { buildCommandTable } from "../../core/commands/registry.ts";
import { Config } from "../../core/config/table.ts";
import { Engine } from "../../core/engine/mod.ts";
import { Logger } from "../../core/log.ts";
import { ReplyWriter, RespReader } from "../../core/resp/mod.ts";
import { ClientState } from "../../core/sessions/client.ts";
import { ServerState } from "../../core/state/server_state.ts";

/** A server state (empty engine, default config, no log output) and the full command table. */
export function inProcessServer(): {
  state: ServerState;
  table: ReturnType<typeof buildCommandTable>;
} {
  const state = new ServerState(Engine.create(), new Config(), new Logger("nothing"));
  return { state, table: buildCommandTable() };
}

/** An authenticated client number `id`, replying into `writer`, as if it came from 127.0.0.1. */
export function inProcessClient(id: number, writer = new ReplyWriter()): ClientState {
  return new ClientState(id, "127.0.0.1:1", "127.0.0.1:2", new RespReader(), writer, true, 0);
}

/**
 * Collects, from now on, every command `state` propagates to replicas and the AOF, each argv
 * as strings (`decode` turns byte arguments into text).
 */
export function recordPropagated(
  state: ServerState,
  decode: (bytes: Uint8Array) => string,
): string[][] {
  const propagated: string[][] = [];
  state.propagationListeners.push((_db, argv) =>
    propagated.push(argv.map((arg) => typeof arg === "string" ? arg : decode(arg)))
  );
  return propagated;
}
