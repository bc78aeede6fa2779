// Hash values in the engine: the typed binding over wasm/assembly/hash.ts. Placeholder until the
// type lands; keys.ts already asks it for OBJECT ENCODING.

import type { Engine } from "./engine.ts";

/** OBJECT ENCODING of a hash value at key (Redis's names: listpack, hashtable, …). */
export function hashEncoding(
  _engine: Engine,
  _db: number,
  _key: Uint8Array,
  _nowMs: number,
): string {
  return "unknown";
}
