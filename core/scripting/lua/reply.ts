// The neutral reply tree that crosses the Lua engine's boundary both ways: what host.call returns
// for redis.call, and what a script's return value converts to. It is shaped after the RESP3 types
// so that one tree describes a RESP2 or a RESP3 reply; the shell encodes it for its client.

/**
 * A Redis reply as the Lua engine sees it.
 *
 * - `null`: a null (RESP2 nil bulk / nil array, RESP3 null)
 * - `bigint`: an integer reply
 * - `Uint8Array`: a bulk string
 * - `LuaReply[]`: an array
 * - `{ status }`: a status reply, without the leading `+`
 * - `{ error, statsCounted? }`: an error reply, without the leading `-` (e.g. `"ERR syntax
 *   error"`); `statsCounted` is true when the error came from a command run by redis.call, whose
 *   error statistics the command already updated (Redis's `ignore_error_stats_update`)
 * - `{ map }`, `{ set }`, `{ double }`, `boolean`, `{ bignum }`, `{ verbatim, format }`: RESP3
 *
 * @example
 * ```ts
 * import type { LuaReply } from "./reply.ts";
 * const reply: LuaReply = [1n, new TextEncoder().encode("a"), { status: "OK" }, null];
 * ```
 */
export type LuaReply =
  | null
  | bigint
  | Uint8Array
  | boolean
  | LuaReply[]
  | { status: string }
  | { error: string; statsCounted?: boolean }
  | { map: [LuaReply, LuaReply][] }
  | { set: LuaReply[] }
  | { double: number }
  | { bignum: string }
  | { verbatim: Uint8Array; format: string };

/** True when `reply` is an error reply. */
export function isErrorReply(reply: LuaReply): reply is { error: string; statsCounted?: boolean } {
  return reply !== null && typeof reply === "object" && "error" in reply;
}
