// Redis's sdssplitargs, which splits the shebang line of an EVAL script (eval.c
// evalExtractShebangFlags) and of a function library (functions.c functionExtractLibMetaData).
// Kept apart from the config-file splitter because shebangs need its exact rules: a quote opens
// anywhere in a word (`name="foo"` is the word `name=foo`), a closing quote must be followed by a
// space or the end, and a NUL ends the line as it ends a C string.

const NUL = "\0";

/** C's isspace: space, \t, \n, \v, \f, \r. */
function isSpace(c: string): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}

/**
 * Splits `line` (latin1 text) into words as sdssplitargs does; null for unbalanced quotes or a
 * closing quote followed by something other than a space.
 *
 * @example
 * ```ts
 * import { splitArgs } from "./_split_args.ts";
 * splitArgs('#!lua name="foo" x'); // ["#!lua", "name=foo", "x"]
 * ```
 */
export function splitArgs(line: string): string[] | null {
  const cut = line.indexOf(NUL);
  const text = cut < 0 ? line : line.slice(0, cut);
  const words: string[] = [];
  let p = 0;
  while (true) {
    while (p < text.length && isSpace(text[p])) p++;
    if (p >= text.length) return words;
    let inDouble = false;
    let inSingle = false;
    let done = false;
    let word = "";
    while (!done) {
      const c = text[p];
      if (inDouble) {
        if (
          c === "\\" && text[p + 1] === "x" && isHexDigit(text[p + 2]) && isHexDigit(text[p + 3])
        ) {
          word += String.fromCharCode(parseInt(text.slice(p + 2, p + 4), 16));
          p += 3;
        } else if (c === "\\" && p + 1 < text.length) {
          p++;
          const e = text[p];
          word += e === "n"
            ? "\n"
            : e === "r"
            ? "\r"
            : e === "t"
            ? "\t"
            : e === "b"
            ? "\b"
            : e === "a"
            ? "\x07"
            : e;
        } else if (c === '"') {
          if (p + 1 < text.length && !isSpace(text[p + 1])) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          word += c;
        }
      } else if (inSingle) {
        if (c === "\\" && text[p + 1] === "'") {
          p++;
          word += "'";
        } else if (c === "'") {
          if (p + 1 < text.length && !isSpace(text[p + 1])) return null;
          done = true;
        } else if (c === undefined) {
          return null;
        } else {
          word += c;
        }
      } else if (c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t") {
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        word += c;
      }
      if (p < text.length) p++;
    }
    words.push(word);
  }
}
