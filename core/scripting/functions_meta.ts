// The metadata line of a Redis 7.0 function library: `#!<engine> name=<library>` before the
// first newline (functions.c functionExtractLibMetaData), with Redis's error texts. Split out of
// the registry because it is pure text work, shared by FUNCTION LOAD, RESTORE and every load of
// library code from an RDB or AOF.

import { latin1 } from "../bytes.ts";
import { splitArgs } from "./_split_args.ts";

/** The only engine Redis 7.0 registers; engine names match case-insensitively. */
export const LUA_ENGINE_NAME = "LUA";

/** Text of the error for a library or function name outside [a-zA-Z0-9_]+ (Redis uses it for both). */
export const ERR_BAD_LIBRARY_NAME =
  "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

const NEWLINE = 0x0a;
const NUL = 0x00;
const NAME_PREFIX = "name=";

/** What the metadata line says, and the code the engine runs (from that line's newline on). */
export interface LibraryMeta {
  engine: string;
  name: string;
  /** The library body as the engine compiles it: starts with the metadata line's "\n". */
  body: Uint8Array;
}

/** Parses the metadata line of `code`; an error text (without "ERR ") when it is wrong. */
export function parseLibraryMeta(code: Uint8Array): LibraryMeta | { error: string } {
  if (code.length < 2 || code[0] !== 0x23 /* # */ || code[1] !== 0x21 /* ! */) {
    return { error: "Missing library metadata" };
  }
  // strchr on a C string: a NUL before the newline ends the search.
  let newline = -1;
  for (let i = 0; i < code.length && code[i] !== NUL; i++) {
    if (code[i] === NEWLINE) {
      newline = i;
      break;
    }
  }
  if (newline < 0) return { error: "Invalid library metadata" };
  const parts = splitArgs(latin1(code.subarray(0, newline)));
  if (parts === null || parts.length === 0) return { error: "Invalid library metadata" };
  const engine = parts[0].slice(2);
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, NAME_PREFIX.length).toLowerCase() === NAME_PREFIX) {
      if (name !== null) {
        return { error: "Invalid metadata value, name argument was given multiple times" };
      }
      name = part.slice(NAME_PREFIX.length);
      continue;
    }
    return { error: `Invalid metadata value given: ${part}` };
  }
  if (name === null) return { error: "Library name was not given" };
  return { engine, name, body: code.subarray(newline) };
}

/** functionsVerifyName: at least one character, each a letter, digit or underscore. */
export function isValidFunctionName(name: string): boolean {
  return /^[a-zA-Z0-9_]+$/.test(name);
}
