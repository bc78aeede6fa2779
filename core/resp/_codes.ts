// Wire facts of RESP2/RESP3 as named constants: type bytes, terminators, the default request
// limits and the exact protocol error texts of Redis 7.0 (`src/networking.c`, checked against a
// live redis-server 7.0.15).
//
// Everything here is a fact about the protocol, never a tuning choice, so the reader and the
// writer can stay free of magic numbers and the tests can name what they check. Error texts are
// stored without the leading "-" and without CRLF, exactly as `ProtocolError.message` carries
// them; the server's reply writer adds both.

// ---- Type bytes (first byte of every RESP value) ------------------------------------------

/** `+` simple string (RESP2/3). */
export const RESP_SIMPLE_STRING = 0x2b;
/** `-` simple error (RESP2/3). */
export const RESP_ERROR = 0x2d;
/** `:` integer (RESP2/3). */
export const RESP_INTEGER = 0x3a;
/** `$` bulk string (RESP2/3). */
export const RESP_BULK = 0x24;
/** `*` array (RESP2/3); also the first byte of a multibulk request. */
export const RESP_ARRAY = 0x2a;
/** `_` null (RESP3). */
export const RESP3_NULL = 0x5f;
/** `,` double (RESP3). */
export const RESP3_DOUBLE = 0x2c;
/** `#` boolean (RESP3). */
export const RESP3_BOOLEAN = 0x23;
/** `=` verbatim string (RESP3). */
export const RESP3_VERBATIM = 0x3d;
/** `%` map (RESP3). */
export const RESP3_MAP = 0x25;
/** `~` set (RESP3). */
export const RESP3_SET = 0x7e;
/** `>` push (RESP3). */
export const RESP3_PUSH = 0x3e;

// ---- Bytes the parsers look at ---------------------------------------------------------------

/** `\r`, the first byte of the CRLF terminator. */
export const CR = 0x0d;
/** `\n`, the second byte of the CRLF terminator; alone it ends an inline request. */
export const LF = 0x0a;
/** Redis scans for terminators with `strchr`, which stops at a NUL byte. */
export const NUL = 0x00;
/** `-`, sign of a negative length or integer. */
export const MINUS = 0x2d;
/** `0`. */
export const DIGIT_0 = 0x30;
/** `1`: `string2ll` wants the first digit of a multi-digit number in 1-9. */
export const DIGIT_1 = 0x31;
/** `9`. */
export const DIGIT_9 = 0x39;
/** Length of the CRLF terminator. */
export const CRLF_SIZE_BYTES = 2;
/** Length of the `txt:` style prefix of a RESP3 verbatim string (3-byte format + colon). */
export const VERBATIM_PREFIX_SIZE_BYTES = 4;

// ---- Request limits (Redis 7.0 defaults) ------------------------------------------------------

/** `proto-max-bulk-len` default: 512 MiB. */
export const PROTO_MAX_BULK_LEN_DEFAULT_BYTES = 512 * 1024 * 1024;
/**
 * Largest multibulk count Redis 7.0 accepts: `INT_MAX`. (Redis 6.0 and older capped it at
 * 1024 * 1024; 7.0.15 answers `*2000000` by waiting for the arguments.)
 */
export const PROTO_MULTIBULK_LEN_MAX = 2147483647;
/** `client-query-buffer-limit` default: 1 GiB. */
export const CLIENT_QUERY_BUFFER_LIMIT_DEFAULT_BYTES = 1024 ** 3;
/** `PROTO_INLINE_MAX_SIZE`: longest inline line, and longest `*<n>` / `$<n>` header line. */
export const PROTO_INLINE_MAX_SIZE_BYTES = 64 * 1024;
/** `PROTO_IOBUF_LEN`: Redis reads at most this much per read call; our default read region. */
export const PROTO_IOBUF_LEN_BYTES = 16 * 1024;
/** While authentication is required, a multibulk may announce at most this many arguments. */
export const UNAUTHENTICATED_MULTIBULK_LEN_MAX = 10;
/** While authentication is required, a bulk may announce at most this many bytes. */
export const UNAUTHENTICATED_BULK_LEN_MAX_BYTES = 16384;
/** `LONG_STR_SIZE`: `string2ll` rejects inputs of this many bytes or more. */
export const LONG_STR_SIZE_BYTES = 21;
/** Digits of `LLONG_MAX`, the largest magnitude `string2ll` accepts for a positive number. */
export const LLONG_MAX_DIGITS = "9223372036854775807";
/** Digits of `-LLONG_MIN`, the largest magnitude `string2ll` accepts for a negative number. */
export const LLONG_MIN_ABS_DIGITS = "9223372036854775808";

// ---- Protocol error texts (reply is "-" + text + CRLF) ----------------------------------------

/** An inline line exceeded `PROTO_INLINE_MAX_SIZE` without a newline. */
export const ERR_TOO_BIG_INLINE = "ERR Protocol error: too big inline request";
/** An inline line whose quotes do not close, or a closing quote not followed by a space. */
export const ERR_UNBALANCED_QUOTES = "ERR Protocol error: unbalanced quotes in request";
/** A `*<n>` header line exceeded `PROTO_INLINE_MAX_SIZE` without a `\r`. */
export const ERR_TOO_BIG_MBULK_COUNT = "ERR Protocol error: too big mbulk count string";
/** A `$<n>` header line exceeded `PROTO_INLINE_MAX_SIZE` without a `\r`. */
export const ERR_TOO_BIG_BULK_COUNT = "ERR Protocol error: too big bulk count string";
/** `*<n>` that is not an integer or is above the multibulk limit. */
export const ERR_INVALID_MULTIBULK_LEN = "ERR Protocol error: invalid multibulk length";
/** `$<n>` that is not an integer, is negative, or is above `proto-max-bulk-len`. */
export const ERR_INVALID_BULK_LEN = "ERR Protocol error: invalid bulk length";
/** `*<n>` above 10 before AUTH. */
export const ERR_UNAUTHENTICATED_MULTIBULK_LEN =
  "ERR Protocol error: unauthenticated multibulk length";
/** `$<n>` above 16384 before AUTH. */
export const ERR_UNAUTHENTICATED_BULK_LEN = "ERR Protocol error: unauthenticated bulk length";

/**
 * `ERR Protocol error: expected '$', got 'X'`, where X is the offending byte. Redis formats
 * it with `%c` and then maps `\r` and `\n` to spaces, so `got '\r'` reads `got ' '`.
 */
export function errExpectedDollar(gotByte: number): string {
  const shown = gotByte === CR || gotByte === LF ? " " : String.fromCharCode(gotByte);
  return `ERR Protocol error: expected '$', got '${shown}'`;
}
