// Keeps a script's line in the errors redis.call raises, on a stock Lua 5.1.
//
// Why: Redis's redis.call / redis.pcall are C functions; ours are Lua functions defined in the
// prelude. Lua 5.1 turns `return f(...)` into a tail call when f is a Lua function, which drops
// the caller's frame, so the error handler would see "(tail call)" where Redis reports
// "@user_script:N". Rewriting the script text before it is compiled avoids that:
//
//   return redis.call('get', KEYS[1])     →     return (redis.call('get', KEYS[1]))
//
// A parenthesised call is not a tail call, and it keeps exactly one result — all redis.call and
// redis.pcall ever return — so the script computes the same values. Only characters are inserted,
// never newlines, so every line number the compiler and the error handler report is unchanged.
//
// The scan is a small Lua tokenizer over the raw bytes: it skips strings in every quote form
// ('…', "…" with escapes, [[…]], [==[…]==]) and comments (-- to end of line, --[[…]],
// --[==[…]==]), so text inside them is never touched. It knows only the shape it rewrites:
// the keyword `return`, then `redis` `.` `call`|`pcall` `(` … the matching `)`, with spaces and
// comments allowed between the tokens. Anything else (a call with a string or table argument,
// `redis.call` under another name, code built at run time with loadstring) is left as it is:
// its results are the same either way, only an error's line would read "(tail call)".
//
// Known difference: a script that shadows `redis` with a local table whose `call` returns several
// values gets only the first from `return redis.call(...)`.

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const BACKSLASH = 0x5c;
const QUOTE_SINGLE = 0x27;
const QUOTE_DOUBLE = 0x22;
const BRACKET_OPEN = 0x5b;
const BRACKET_CLOSE = 0x5d;
const EQUALS = 0x3d;
const MINUS = 0x2d;
const PAREN_OPEN = 0x28;
const PAREN_CLOSE = 0x29;
const DOT = 0x2e;
const PAREN_OPEN_BYTES = new Uint8Array([PAREN_OPEN]);
const PAREN_CLOSE_BYTES = new Uint8Array([PAREN_CLOSE]);
/** The first byte of a precompiled chunk ("\x1bLua"); those are refused, never rewritten. */
const BINARY_CHUNK_MARK = 0x1b;

const encoder = new TextEncoder();
const RETURN = encoder.encode("return");
const REDIS = encoder.encode("redis");
const CALL = encoder.encode("call");
const PCALL = encoder.encode("pcall");

/**
 * Returns `body` with every `return redis.call(…)` / `return redis.pcall(…)` parenthesised (see
 * the head comment); `body` itself when there is nothing to rewrite.
 *
 * @example
 * ```ts
 * import { rewriteTailCalls } from "./_tail_calls.ts";
 * const out = rewriteTailCalls(new TextEncoder().encode("return redis.call('ping')"));
 * // new TextDecoder().decode(out) === "return (redis.call('ping'))"
 * ```
 */
export function rewriteTailCalls(body: Uint8Array): Uint8Array {
  if (body.length === 0 || body[0] === BINARY_CHUNK_MARK) return body;
  if (!containsBytes(body, REDIS)) return body;
  const insertions: { at: number; bytes: Uint8Array }[] = [];
  let i = 0;
  while (i < body.length) {
    const skipped = skipStringOrComment(body, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    const c = body[i];
    if (isIdentifierStart(c) || isDigit(c)) {
      const end = identifierEnd(body, i);
      if (!isDigit(c) && bytesEqual(body, i, end, RETURN)) {
        const call = redisCallAfter(body, end);
        if (call !== null) {
          insertions.push({ at: call.start, bytes: PAREN_OPEN_BYTES });
          insertions.push({ at: call.end, bytes: PAREN_CLOSE_BYTES });
        }
      }
      i = end;
      continue;
    }
    i++;
  }
  if (insertions.length === 0) return body;
  insertions.sort((a, b) => a.at - b.at);
  const out = new Uint8Array(body.length + insertions.length);
  let from = 0;
  let to = 0;
  for (const { at, bytes } of insertions) {
    out.set(body.subarray(from, at), to);
    to += at - from;
    out.set(bytes, to);
    to += bytes.length;
    from = at;
  }
  out.set(body.subarray(from), to);
  return out;
}

/**
 * After a `return` ending at `pos`: the span of `redis.call(…)` / `redis.pcall(…)` (start of
 * `redis`, one past the matching `)`), or null when the return value is something else.
 */
function redisCallAfter(body: Uint8Array, pos: number): { start: number; end: number } | null {
  const start = skipSpaceAndComments(body, pos);
  if (start === pos || !isIdentifierStart(body[start] ?? 0)) return null;
  const redisEnd = identifierEnd(body, start);
  if (!bytesEqual(body, start, redisEnd, REDIS)) return null;
  let i = skipSpaceAndComments(body, redisEnd);
  if (body[i] !== DOT) return null;
  i = skipSpaceAndComments(body, i + 1);
  if (!isIdentifierStart(body[i] ?? 0)) return null;
  const nameEnd = identifierEnd(body, i);
  if (!bytesEqual(body, i, nameEnd, CALL) && !bytesEqual(body, i, nameEnd, PCALL)) return null;
  i = skipSpaceAndComments(body, nameEnd);
  if (body[i] !== PAREN_OPEN) return null;
  const close = matchingParen(body, i);
  return close < 0 ? null : { start, end: close + 1 };
}

/** The index of the `)` closing the `(` at `open`, or -1 when the text ends first. */
function matchingParen(body: Uint8Array, open: number): number {
  let depth = 0;
  let i = open;
  while (i < body.length) {
    const skipped = skipStringOrComment(body, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (body[i] === PAREN_OPEN) depth++;
    else if (body[i] === PAREN_CLOSE && --depth === 0) return i;
    i++;
  }
  return -1;
}

/** Skips whitespace and comments from `pos`; returns the next token's index. */
function skipSpaceAndComments(body: Uint8Array, pos: number): number {
  let i = pos;
  while (i < body.length) {
    if (isSpace(body[i])) {
      i++;
    } else if (body[i] === MINUS && body[i + 1] === MINUS) {
      i = skipStringOrComment(body, i);
    } else {
      break;
    }
  }
  return i;
}

/**
 * When a string or a comment starts at `pos`, the index one past its end (the text's end when
 * it is not closed); otherwise `pos` itself.
 */
function skipStringOrComment(body: Uint8Array, pos: number): number {
  const c = body[pos];
  if (c === MINUS && body[pos + 1] === MINUS) {
    const level = longBracketLevel(body, pos + 2);
    if (level >= 0) return longBracketEnd(body, pos + 2, level);
    let i = pos + 2;
    while (i < body.length && body[i] !== LINE_FEED) i++;
    return i;
  }
  if (c === QUOTE_SINGLE || c === QUOTE_DOUBLE) {
    let i = pos + 1;
    while (i < body.length) {
      const d = body[i];
      if (d === BACKSLASH) i += 2;
      else if (d === c) return i + 1;
      else if (d === LINE_FEED || d === CARRIAGE_RETURN) return i; // unfinished: the compiler says so
      else i++;
    }
    return body.length;
  }
  if (c === BRACKET_OPEN) {
    const level = longBracketLevel(body, pos);
    if (level >= 0) return longBracketEnd(body, pos, level);
  }
  return pos;
}

/** At `[` `=`* `[`: the number of `=`; otherwise -1. */
function longBracketLevel(body: Uint8Array, pos: number): number {
  if (body[pos] !== BRACKET_OPEN) return -1;
  let i = pos + 1;
  while (body[i] === EQUALS) i++;
  return body[i] === BRACKET_OPEN ? i - pos - 1 : -1;
}

/** One past the `]` `=`{level} `]` closing the long bracket opened at `pos`. */
function longBracketEnd(body: Uint8Array, pos: number, level: number): number {
  let i = pos + level + 2;
  while (i < body.length) {
    if (body[i] === BRACKET_CLOSE) {
      let j = i + 1;
      while (body[j] === EQUALS) j++;
      if (j - i - 1 === level && body[j] === BRACKET_CLOSE) return j + 1;
      i = j;
    } else {
      i++;
    }
  }
  return body.length;
}

/** One past the identifier (or number) starting at `pos`. */
function identifierEnd(body: Uint8Array, pos: number): number {
  let i = pos;
  while (i < body.length && (isIdentifierStart(body[i]) || isDigit(body[i]))) i++;
  return i;
}

function bytesEqual(body: Uint8Array, start: number, end: number, word: Uint8Array): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (body[start + k] !== word[k]) return false;
  return true;
}

function containsBytes(body: Uint8Array, word: Uint8Array): boolean {
  let from = 0;
  while (true) {
    const at = body.indexOf(word[0], from);
    if (at < 0 || at + word.length > body.length) return false;
    if (bytesEqual(body, at, at + word.length, word)) return true;
    from = at + 1;
  }
}

/** Lua 5.1 in the C locale: letters and `_` (bytes ≥ 0x80 are not identifier characters). */
function isIdentifierStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** C's isspace: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}
