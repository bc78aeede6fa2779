// The EVAL script cache and the facts Redis 7.0 keeps per cached script (eval.c): a script is
// named by the SHA1 of its body (40 lowercase hex digits, its Lua function `f_<sha>`), and a
// first line `#!lua flags=…` (the shebang) declares its flags; a body without one runs in
// "eval compatibility mode", with the pre-7.0 rules.
//
//   ScriptCache ── sha ("3f…a1") ──► CachedScript { sha, body, flags, compatMode, functionName }
//                                                      │
//                    LuaEngine (core/scripting/lua/) ◄─┘ compiled as functionName, body minus
//                                                        the shebang line (its "\n" is kept, so
//                                                        line numbers stay the user's)
//
// This file is pure bookkeeping: nothing here compiles or runs Lua, so the cache sits below the
// commands that fill it (core/commands/scripting.ts) and the ServerState that holds it. The
// flags type is shared with FUNCTION / FCALL, whose functions declare the same five flags.

import { createHash } from "node:crypto";
import { splitArgs } from "./_split_args.ts";

/** The five script flags of Redis 7.0 (script.c scripts_flags_def), as a shebang or a function
 * declares them. */
export interface ScriptFlags {
  /** `no-writes`: the script may not run write commands (and may run where writes may not). */
  noWrites: boolean;
  /** `allow-oom`: the script may run (and run deny-oom commands) past maxmemory. */
  allowOom: boolean;
  /** `allow-stale`: the script may run on a replica whose link is down (serve-stale-data no). */
  allowStale: boolean;
  /** `no-cluster`: the script refuses to run in cluster mode (never the case here). */
  noCluster: boolean;
  /** `allow-cross-slot-keys`: the script may touch keys of several slots (cluster only). */
  allowCrossSlotKeys: boolean;
}

/** Flags of a script that declares none (a shebang without `flags=`). */
export const NO_SCRIPT_FLAGS: Readonly<ScriptFlags> = Object.freeze({
  noWrites: false,
  allowOom: false,
  allowStale: false,
  noCluster: false,
  allowCrossSlotKeys: false,
});

/** Flag names as Redis spells them, in scripts_flags_def's order. */
export const SCRIPT_FLAG_NAMES: Readonly<Record<string, keyof ScriptFlags>> = {
  "no-writes": "noWrites",
  "allow-oom": "allowOom",
  "allow-stale": "allowStale",
  "no-cluster": "noCluster",
  "allow-cross-slot-keys": "allowCrossSlotKeys",
};

/** Length of a script's SHA1 in hex digits: EVALSHA refuses any other length at once. */
export const SCRIPT_SHA_LEN_CHARS = 40;

/** Prefix of the Lua function a script is compiled as (`f_<sha>`, as Redis names it). */
export const SCRIPT_FUNCTION_PREFIX = "f_";

/** One cached script. */
export interface CachedScript {
  /** SHA1 of the whole body (shebang included), 40 lowercase hex digits. */
  readonly sha: string;
  readonly body: Uint8Array;
  readonly flags: Readonly<ScriptFlags>;
  /** No shebang: the pre-7.0 rules apply (SCRIPT_FLAG_EVAL_COMPAT_MODE). */
  readonly compatMode: boolean;
  /** The function's name in the LuaEngine. */
  readonly functionName: string;
}

/** What parseShebang found: flags and the shebang's length, or Redis's error text (no "ERR "). */
export type ShebangResult =
  | { flags: ScriptFlags; compatMode: boolean; shebangLenBytes: number }
  | { error: string };

const NEWLINE = 0x0a;
const latin1Decoder = new TextDecoder("latin1");
const ASCII_UPPER_A = 0x41;
const ASCII_UPPER_Z = 0x5a;
/** 'a' - 'A' */
const ASCII_CASE_OFFSET = 0x20;
const ASCII_MAX = 0x7f;

/**
 * Reads a body's shebang as evalExtractShebangFlags does: none → compatibility mode; else
 * `#!lua` followed by `flags=a,b` words only. Errors are Redis's texts ("Invalid script
 * shebang", "Unexpected engine in script shebang: x", "Unexpected flag in script shebang: x",
 * "Unknown lua shebang option: x", "Invalid engine in script shebang").
 */
export function parseShebang(body: Uint8Array): ShebangResult {
  const flags: ScriptFlags = { ...NO_SCRIPT_FLAGS };
  if (body.length < 2 || body[0] !== 0x23 /* # */ || body[1] !== 0x21 /* ! */) {
    return { flags, compatMode: true, shebangLenBytes: 0 };
  }
  // strchr: the search for the line's end stops at a NUL byte as well.
  let end = 0;
  while (end < body.length && body[end] !== NEWLINE && body[end] !== 0) end++;
  if (end >= body.length || body[end] !== NEWLINE) return { error: "Invalid script shebang" };
  const parts = splitArgs(latin1Decoder.decode(body.subarray(0, end)));
  if (parts === null || parts.length === 0) return { error: "Invalid engine in script shebang" };
  if (parts[0] !== "#!lua") return { error: `Unexpected engine in script shebang: ${parts[0]}` };
  for (const part of parts.slice(1)) {
    if (!part.startsWith("flags=")) return { error: `Unknown lua shebang option: ${part}` };
    // sdssplitlen on "": no flags at all; "a,,b" has an empty flag, which is unknown.
    const text = part.slice("flags=".length);
    if (text === "") continue;
    for (const name of text.split(",")) {
      const field = Object.hasOwn(SCRIPT_FLAG_NAMES, name) ? SCRIPT_FLAG_NAMES[name] : undefined;
      if (field === undefined) return { error: `Unexpected flag in script shebang: ${name}` };
      flags[field] = true;
    }
  }
  return { flags, compatMode: false, shebangLenBytes: end };
}

/** SHA1 of `body` as 40 lowercase hex digits (eval.c sha1hex). */
export function scriptSha1Hex(body: Uint8Array): string {
  return createHash("sha1").update(body).digest("hex");
}

/**
 * The SHA an EVALSHA names, lowercased as evalCalcFunctionName does (ASCII letters only);
 * null when it is not 40 characters long (Redis answers NOSCRIPT at once).
 */
export function normalizeSha(arg: Uint8Array): string | null {
  if (arg.length !== SCRIPT_SHA_LEN_CHARS) return null;
  // Runs on every EVALSHA: an ASCII SHA is folded by hand into a flat string (one
  // fromCharCode call: a string built by += would be flattened again by the cache's Map.get);
  // the decoder and regex serve the rest (the decoder's "latin1" is windows-1252, which differs
  // from char codes above 0x7f).
  for (let i = 0; i < arg.length; i++) {
    let c = arg[i];
    if (c > ASCII_MAX) {
      return latin1Decoder.decode(arg).replace(/[A-Z]/g, (letter) => letter.toLowerCase());
    }
    if (c >= ASCII_UPPER_A && c <= ASCII_UPPER_Z) c += ASCII_CASE_OFFSET;
    shaCodes[i] = c;
  }
  return String.fromCharCode.apply(null, shaCodes as unknown as number[]);
}

/** normalizeSha's folded characters (the length was checked first). */
const shaCodes = new Uint8Array(SCRIPT_SHA_LEN_CHARS);

/**
 * SHA → script, as Redis's lctx.lua_scripts. Bounded only by memory, as in Redis (SCRIPT FLUSH
 * empties it); `memoryBytes` approximates used_memory_scripts_eval.
 */
export class ScriptCache {
  readonly #scripts = new Map<string, CachedScript>();
  #bodyBytes = 0;

  get size(): number {
    return this.#scripts.size;
  }

  /** Bytes of cached bodies and SHAs (INFO's used_memory_scripts_eval, roughly). */
  get memoryBytes(): number {
    return this.#bodyBytes + this.#scripts.size * SCRIPT_SHA_LEN_CHARS;
  }

  /** The script named `sha` (already lowercase), or undefined. */
  get(sha: string): CachedScript | undefined {
    return this.#scripts.get(sha);
  }

  /** SCRIPT EXISTS: Redis's dict compares SHAs case-insensitively. */
  has(sha: string): boolean {
    return this.#scripts.has(sha.replace(/[A-Z]/g, (c) => c.toLowerCase()));
  }

  /** Records a script that compiled; `body` is copied. */
  add(
    sha: string,
    body: Uint8Array,
    flags: Readonly<ScriptFlags>,
    compatMode: boolean,
  ): CachedScript {
    const script: CachedScript = {
      sha,
      body: body.slice(),
      flags: Object.freeze({ ...flags }),
      compatMode,
      functionName: SCRIPT_FUNCTION_PREFIX + sha,
    };
    this.#scripts.set(sha, script);
    this.#bodyBytes += script.body.length;
    return script;
  }

  /** SCRIPT FLUSH: empties the cache and returns what was in it (to drop from the engine). */
  flush(): CachedScript[] {
    const all = [...this.#scripts.values()];
    this.#scripts.clear();
    this.#bodyBytes = 0;
    return all;
  }
}
