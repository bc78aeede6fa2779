// Byte-level helpers for command arguments. Arguments arrive as views into the connection's read
// buffer and stay bytes all the way into the WASM engine; these helpers let the command layer
// compare option names and parse numbers without first turning every argument into a JS string.
// Parsing rules mirror Redis's `string2ll` / `string2ld` so replies agree byte-for-byte.

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** One char per byte: lossless for binary data, used for map keys and error echoes. */
export function latin1(bytes: Uint8Array): string {
  // TextDecoder("latin1") is really windows-1252 (0x80 → "€"), which is not byte-transparent.
  let text = "";
  if (bytes.length <= LATIN1_SHORT_BYTES) {
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
    return text;
  }
  for (let i = 0; i < bytes.length; i += LATIN1_CHUNK_BYTES) {
    text += String.fromCharCode(...bytes.subarray(i, i + LATIN1_CHUNK_BYTES));
  }
  return text;
}

/** Up to this length a plain loop beats the spread call (measured on short keys and numbers). */
const LATIN1_SHORT_BYTES = 32;
/** Bytes per String.fromCharCode call: bounded so spread arguments stay within engine limits. */
const LATIN1_CHUNK_BYTES = 8192;

export function fromLatin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** Case-insensitive compare of an argument against a lower-case ASCII word. */
export function isWord(arg: Uint8Array, lowerWord: string): boolean {
  if (arg.length !== lowerWord.length) return false;
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c += 32;
    if (c !== lowerWord.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The argument as a C string: Redis compares and copies some arguments (option words, IDs,
 * types) with C's string functions, which stop at the first NUL byte ("count\0x" is COUNT).
 */
export function cString(arg: Uint8Array): Uint8Array {
  const nul = arg.indexOf(0);
  return nul < 0 ? arg : arg.subarray(0, nul);
}

/** strcasecmp(arg, lowerWord) === 0: `isWord` on the argument read as a C string. */
export function isCWord(arg: Uint8Array, lowerWord: string): boolean {
  return isWord(cString(arg), lowerWord);
}

/** Lower-cased ASCII name of an argument (command names, option words). */
export function lowerName(arg: Uint8Array): string {
  let s = "";
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c >= 65 && c <= 90) c += 32;
    s += String.fromCharCode(c);
  }
  return s;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const INT64_MAX = 9223372036854775807n;
export const INT64_MIN = -9223372036854775808n;
/** Longest decimal text of a signed 64-bit integer ("-9223372036854775808"). */
const INT64_TEXT_LEN_MAX = 20;

/**
 * Strict signed 64-bit integer parse as Redis's string2ll: optional '-', no '+', no spaces, no
 * leading zeros, range checked. Returns null when the bytes are not such an integer.
 */
export function parseInt64(arg: Uint8Array): bigint | null {
  const len = arg.length;
  if (len === 0 || len > INT64_TEXT_LEN_MAX) return null;
  let i = 0;
  let negative = false;
  if (arg[0] === 45) {
    negative = true;
    i = 1;
    if (len === 1) return null;
  }
  if (arg[i] === 48) return len === i + 1 && !negative ? 0n : null;
  // Fast path: up to 15 digits fits exactly in a double.
  if (len - i <= 15) {
    let n = 0;
    for (; i < len; i++) {
      const d = arg[i] - 48;
      if (d < 0 || d > 9) return null;
      n = n * 10 + d;
    }
    return BigInt(negative ? -n : n);
  }
  let n = 0n;
  for (; i < len; i++) {
    const d = arg[i] - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10n + BigInt(d);
  }
  if (negative) n = -n;
  if (n > INT64_MAX || n < INT64_MIN) return null;
  return n;
}

/**
 * Glob match with Redis's stringmatchlen rules: * ? [abc] [^a] [a-z] and backslash escapes.
 * Iterative with one backtrack point (the last '*'), so time is O(pattern × text) even for
 * hostile patterns like "*a*a*a…b", where naive recursion is exponential.
 */
export function globMatch(pattern: Uint8Array, text: Uint8Array, noCase = false): boolean {
  let pi = 0;
  let si = 0;
  let starPi = -1;
  let starSi = 0;
  while (si < text.length) {
    if (pi < pattern.length && pattern[pi] === 42) { // '*'
      while (pi < pattern.length && pattern[pi] === 42) pi++;
      if (pi === pattern.length) return true;
      starPi = pi;
      starSi = si;
      continue;
    }
    if (pi < pattern.length) {
      const step = matchOne(pattern, pi, text[si], noCase);
      if (step > 0) {
        pi += step;
        si++;
        continue;
      }
    }
    if (starPi < 0) return false;
    pi = starPi;
    si = ++starSi;
  }
  while (pi < pattern.length && pattern[pi] === 42) pi++;
  return pi === pattern.length;
}

function lowerByte(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/**
 * Matches one pattern element at `pi` against byte `c`. Returns how many pattern bytes the element
 * spans when it matches, 0 when it does not.
 */
function matchOne(p: Uint8Array, pi: number, c: number, noCase: boolean): number {
  const pc = p[pi];
  if (pc === 63) return 1; // '?'
  const cc = noCase ? lowerByte(c) : c;
  if (pc === 91) { // '['
    let i = pi + 1;
    const negate = p[i] === 94;
    if (negate) i++;
    let matched = false;
    while (i < p.length && p[i] !== 93) {
      if (p[i] === 92 && i + 1 < p.length) {
        if ((noCase ? lowerByte(p[i + 1]) : p[i + 1]) === cc) matched = true;
        i += 2;
      } else if (i + 2 < p.length && p[i + 1] === 45) {
        let lo = noCase ? lowerByte(p[i]) : p[i];
        let hi = noCase ? lowerByte(p[i + 2]) : p[i + 2];
        if (lo > hi) [lo, hi] = [hi, lo];
        if (cc >= lo && cc <= hi) matched = true;
        i += 3;
      } else {
        if ((noCase ? lowerByte(p[i]) : p[i]) === cc) matched = true;
        i++;
      }
    }
    // An unterminated class ends at the pattern's end, as in Redis.
    const span = (i < p.length ? i + 1 : p.length) - pi;
    return matched !== negate ? span : 0;
  }
  if (pc === 92 && pi + 1 < p.length) { // '\'
    return (noCase ? lowerByte(p[pi + 1]) : p[pi + 1]) === cc ? 2 : 0;
  }
  return (noCase ? lowerByte(pc) : pc) === cc ? 1 : 0;
}

/**
 * A buffer holding `usedBytes` of `buf` plus room for `extraBytes` more: `buf` itself when it
 * has the room, else a copy in one twice as large as needed steps (amortized O(1) appends).
 */
export function grownBuffer(
  buf: Uint8Array<ArrayBuffer>,
  usedBytes: number,
  extraBytes: number,
): Uint8Array<ArrayBuffer> {
  if (usedBytes + extraBytes <= buf.length) return buf;
  let capacity = Math.max(1, buf.length) * 2;
  while (capacity < usedBytes + extraBytes) capacity *= 2;
  const next = new Uint8Array(capacity);
  next.set(buf.subarray(0, usedBytes));
  return next;
}

/** Joins byte arrays (an array, or any iterable such as the RDB writer's chunks) into one. */
export function concatBytes(parts: Iterable<Uint8Array>): Uint8Array {
  const list = Array.isArray(parts) ? parts : [...parts];
  let sizeBytes = 0;
  for (const part of list) sizeBytes += part.length;
  const joined = new Uint8Array(sizeBytes);
  let cursor = 0;
  for (const part of list) {
    joined.set(part, cursor);
    cursor += part.length;
  }
  return joined;
}
