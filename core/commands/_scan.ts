// What SCAN, SSCAN, HSCAN and ZSCAN share, as Redis shares it in scanGenericCommand: the cursor
// as strtoul reads it, the MATCH / COUNT (/ TYPE) options, and the [cursor, [items …]] frame.
// They are pieces rather than one generic handler because the commands differ exactly between
// them: a collection scan looks at its key after the cursor and before the options (a missing
// key answers an empty page even with bad options, as in Redis), SCAN has no key, and an item is
// a key, a member, a field and its value, or a member and its score as text.

import { isWord, latin1 } from "../bytes.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import { int64Arg } from "./_args.ts";

/** COUNT when not given (Redis's). */
const SCAN_COUNT_DEFAULT = 10;
/** Largest cursor strtoul accepts (ULLONG_MAX); beyond it is "invalid cursor". */
const CURSOR_MAX = 18446744073709551615n;

/**
 * A cursor as Redis's strtoul reads it: decimal, optional sign (a negative value wraps modulo
 * 2^64), no spaces, no overflow ("invalid cursor"). Only the low 32 bits can address a bucket
 * of an engine table, which is also all Redis's reverse-binary iteration keeps of a cursor for
 * tables of that size.
 */
export function scanCursorArg(arg: Uint8Array): number {
  const match = /^([+-]?)(\d+)$/.exec(latin1(arg));
  if (!match || BigInt(match[2]) > CURSOR_MAX) fail("ERR invalid cursor");
  let value = BigInt(match[2]);
  if (match[1] === "-") value = BigInt.asUintN(64, -value);
  return Number(BigInt.asUintN(32, value));
}

/** The options after a scan's cursor. */
export interface ScanOptions {
  /** COUNT, ≥ 1 (the engine bindings clamp it to what a scan step takes). @default {10} */
  count: number;
  /** MATCH's glob; null when not given or "*", which matches everything. */
  pattern: Uint8Array | null;
  /** TYPE's argument as given (SCAN only); null when not given. */
  type: Uint8Array | null;
}

/**
 * Reads `[MATCH pattern] [COUNT count] [TYPE type]` from argv[start], in any order, the last of
 * a repeated option winning. Every option takes a value; a missing value, an unknown word, TYPE
 * without `acceptsType`, and a COUNT below 1 are syntax errors; a COUNT that is no integer is
 * "value is not an integer or out of range".
 */
export function scanOptionsArg(
  argv: Uint8Array[],
  start: number,
  acceptsType: boolean,
): ScanOptions {
  const options: ScanOptions = { count: SCAN_COUNT_DEFAULT, pattern: null, type: null };
  for (let i = start; i < argv.length; i += 2) {
    if (i + 1 >= argv.length) fail(ERR_SYNTAX);
    const value = argv[i + 1];
    if (isWord(argv[i], "count")) {
      const count = int64Arg(value);
      if (count < 1n) fail(ERR_SYNTAX);
      options.count = Number(count);
    } else if (isWord(argv[i], "match")) {
      options.pattern = value.length === 1 && value[0] === 42 ? null : value;
    } else if (acceptsType && isWord(argv[i], "type")) {
      options.type = value;
    } else fail(ERR_SYNTAX);
  }
  return options;
}

/** Opens a scan reply: the next cursor, then the caller writes an array of `itemCount` items. */
export function replyScanPage(out: ReplyWriter, cursor: number, itemCount: number): void {
  out.arrayHeader(2);
  out.bulkString(String(cursor));
  out.arrayHeader(itemCount);
}
