// RESP codec of resplica: the transport-free wire layer between sockets and commands.
//
// - `reader.ts`: `RespReader`, the incremental zero-copy request parser with Redis 7.0's
//   limits and protocol error texts.
// - `writer.ts`: `ReplyWriter`, one growable reply buffer per connection (RESP2 and RESP3),
//   `encodeCommand` for request frames and `formatDoubleG17` for Redis's double text.
// - `errors.ts`: `ProtocolError` (reply and close) and `QueryBufferLimitError` (close).
// - `_codes.ts`: wire facts as named constants (type bytes, limits, error texts).
//
// Nothing here touches a socket; the server owns I/O and calls these per connection.

/**
 * RESP codec: request reader, reply writer, wire constants.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeCommand, ReplyWriter, RespReader } from "./mod.ts";
 * const reader = new RespReader();
 * reader.push(encodeCommand(["PING"]));
 * const writer = new ReplyWriter();
 * if (reader.next() !== null) writer.simple("PONG");
 * assert.ok(new TextDecoder().decode(writer.view()) === "+PONG\r\n");
 * ```
 *
 * @module
 */

export * from "./_codes.ts";
export * from "./errors.ts";
export { DEFAULT_REQUEST_LIMITS, parseLongLong, type RequestLimits, RespReader } from "./reader.ts";
export { encodeCommand, formatDoubleG17, ReplyWriter } from "./writer.ts";
