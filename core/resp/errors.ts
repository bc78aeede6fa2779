// The two ways a client's request bytes can be refused, as distinct error classes.
//
// They are separate because Redis treats them differently: a protocol error is answered
// ("-" + message + CRLF) and the connection closes after the reply; an oversized query buffer
// closes the connection at once, with only a log line. Both are typed client-input errors,
// never assertions (STYLE: two tiers of checks).

/**
 * A request that breaks RESP framing. `message` is the full Redis reply text without the
 * leading "-" and without CRLF, e.g. `ERR Protocol error: invalid bulk length`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProtocolError } from "./errors.ts";
 * const error = new ProtocolError("ERR Protocol error: invalid bulk length");
 * assert.ok(error.name === "ProtocolError");
 * ```
 */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/**
 * The unconsumed request bytes of one client went above `client-query-buffer-limit`.
 * The server logs it and closes the connection without a reply, as Redis does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QueryBufferLimitError } from "./errors.ts";
 * const error = new QueryBufferLimitError(101, 100);
 * assert.ok(error.bufferedBytes === 101 && error.queryBufferMaxBytes === 100);
 * ```
 */
export class QueryBufferLimitError extends Error {
  /** Bytes that were buffered when the limit was crossed. */
  readonly bufferedBytes: number;
  /** The limit in force at that moment. */
  readonly queryBufferMaxBytes: number;

  constructor(bufferedBytes: number, queryBufferMaxBytes: number) {
    super(
      `Closing client that reached max query buffer length ` +
        `(qbuf=${bufferedBytes}, limit=${queryBufferMaxBytes})`,
    );
    this.name = "QueryBufferLimitError";
    this.bufferedBytes = bufferedBytes;
    this.queryBufferMaxBytes = queryBufferMaxBytes;
  }
}
