// decimal.ts — decimal text of 64-bit integers, the two ways Redis converts: string2ll (only
// the canonical form is an integer) and ll2string.
//
// Canonical means what Redis accepts as an integer-encoded string: an optional '-', then
// digits with no leading zero, "0" alone, never "-0", within int64. Intset members
// (set_intset.ts) and RDB's int-encoded strings (snapshot.ts writes them, snapshot_load.ts
// reads them) both depend on exactly this rule, so it is written once.
//
// Results come back through globals (parsedInt, formattedLen), so the functions return only
// success or an address and nothing allocates.

/** Room formatInt needs: 20 digits and a sign, rounded up. */
export const INT_TEXT_BYTES: i32 = 24;

/** u64 max = U64_MAX_DIV_10 × 10 + U64_MAX_MOD_10: the overflow bound of one more digit. */
const U64_MAX_DIV_10: u64 = 1844674407370955161;
const U64_MAX_MOD_10: u64 = 5;
/** Longest canonical int64 text: "-9223372036854775808". */
const INT64_TEXT_MAX_BYTES: u32 = 20;

const CHAR_MINUS: u8 = 0x2d;
const CHAR_ZERO: u8 = 0x30;
const CHAR_ONE: u8 = 0x31;
const CHAR_NINE: u8 = 0x39;

/** Set by parseCanonicalInt. */
export let parsedInt: i64 = 0;
/** Set by formatInt: the length of the text it wrote. */
export let formattedLen: u32 = 0;

/**
 * True when bytes are exactly the canonical decimal text of an int64 (what Redis's
 * string2ll accepts: optional '-', no leading zeros, no "-0", in range); sets parsedInt.
 */
export function parseCanonicalInt(src: usize, len: u32): bool {
  if (len == 0 || len > INT64_TEXT_MAX_BYTES) return false;
  if (len == 1 && load<u8>(src) == CHAR_ZERO) {
    parsedInt = 0;
    return true;
  }
  let i: u32 = 0;
  const negative = load<u8>(src) == CHAR_MINUS;
  if (negative) {
    if (len == 1) return false;
    i = 1;
  }
  const first = load<u8>(src + i);
  if (first < CHAR_ONE || first > CHAR_NINE) return false;
  let magnitude: u64 = 0;
  for (; i < len; i++) {
    const c = load<u8>(src + i);
    if (c < CHAR_ZERO || c > CHAR_NINE) return false;
    const digit = <u64>(c - CHAR_ZERO);
    if (magnitude > U64_MAX_DIV_10 || (magnitude == U64_MAX_DIV_10 && digit > U64_MAX_MOD_10)) {
      return false;
    }
    magnitude = magnitude * 10 + digit;
  }
  if (negative) {
    if (magnitude > <u64>0x8000000000000000) return false;
    parsedInt = <i64>(<u64>0 - magnitude);
  } else {
    if (magnitude > <u64>0x7fffffffffffffff) return false;
    parsedInt = <i64>magnitude;
  }
  return true;
}

/**
 * Writes value's decimal text ending at buffer + INT_TEXT_BYTES; returns its first byte
 * (formattedLen holds its length).
 */
export function formatInt(buffer: usize, value: i64): usize {
  let at = buffer + <usize>INT_TEXT_BYTES;
  const negative = value < 0;
  let magnitude: u64 = negative ? <u64>0 - <u64>value : <u64>value;
  do {
    at--;
    store<u8>(at, <u8>(CHAR_ZERO + <u8>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (negative) {
    at--;
    store<u8>(at, CHAR_MINUS);
  }
  formattedLen = <u32>(buffer + <usize>INT_TEXT_BYTES - at);
  return at;
}
