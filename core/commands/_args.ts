// Argument parsing shared by command handlers, each failing with the exact error Redis gives for
// the same mistake, so a client sees the same text from resplica as from redis-server.

import { INT64_MAX, INT64_MIN, parseInt64 } from "../bytes.ts";
import { DB_COUNT } from "../engine/mod.ts";
import { ERR_DB_INDEX, ERR_NOT_INTEGER, fail } from "../errors.ts";

/** A signed 64-bit argument as bigint, or "value is not an integer or out of range". */
export function int64Arg(arg: Uint8Array, message = ERR_NOT_INTEGER): bigint {
  const value = parseInt64(arg);
  if (value === null) fail(message);
  return value;
}

/** A 64-bit argument that must fit a JS number exactly (counts, offsets, indexes). */
export function intArg(arg: Uint8Array, message = ERR_NOT_INTEGER): number {
  const value = int64Arg(arg, message);
  return Number(value);
}

/** A database index: integer error first, then range, as SELECT/MOVE/COPY report. */
export function dbIndexArg(arg: Uint8Array): number {
  const value = parseInt64(arg);
  if (value === null || value > 2147483647n || value < -2147483648n) fail(ERR_NOT_INTEGER);
  const db = Number(value);
  if (db < 0 || db >= DB_COUNT) fail(ERR_DB_INDEX);
  return db;
}

export const enum ExpireUnit {
  Seconds,
  Milliseconds,
}

/**
 * Converts an expire argument to absolute milliseconds with Redis's overflow checks; `relative`
 * for EX/PX/EXPIRE forms. Throws "invalid expire time in '<cmd>' command" when the result cannot
 * be represented or (when `mustBePositive`) is not positive.
 */
export function expireAtMsArg(
  arg: Uint8Array,
  unit: ExpireUnit,
  relative: boolean,
  nowMs: number,
  commandName: string,
  mustBePositive: boolean,
): number {
  const invalid = `ERR invalid expire time in '${commandName}' command`;
  let value = int64Arg(arg);
  if (mustBePositive && value <= 0n) fail(invalid);
  if (unit === ExpireUnit.Seconds) {
    if (value > INT64_MAX / 1000n || value < INT64_MIN / 1000n) fail(invalid);
    value *= 1000n;
  }
  if (relative) {
    if (value > INT64_MAX - BigInt(nowMs)) fail(invalid);
    value += BigInt(nowMs);
  }
  if (mustBePositive && value <= 0n) fail(invalid);
  return Number(value);
}

/** Longest blocking timeout accepted, in seconds (keeps timers within setTimeout's range). */
const BLOCK_TIMEOUT_S_MAX = 2_000_000;

/**
 * A blocking command's timeout in seconds (decimals allowed) as milliseconds; 0 = forever.
 * Errors as Redis 7.0: "timeout is not a float or out of range", "timeout is negative".
 */
export function blockTimeoutMsArg(arg: Uint8Array): number {
  let text = "";
  for (let i = 0; i < arg.length; i++) text += String.fromCharCode(arg[i]);
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value) || value > BLOCK_TIMEOUT_S_MAX) {
    fail("ERR timeout is not a float or out of range");
  }
  if (value < 0) fail("ERR timeout is negative");
  return value === 0 ? 0 : Math.max(1, Math.ceil(value * 1000));
}
