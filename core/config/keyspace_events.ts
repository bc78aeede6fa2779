// The classes of keyspace notifications (`notify-keyspace-events`): one bit per class, as
// Redis's NOTIFY_* flags, and the letters CONFIG SET takes and CONFIG GET shows. A class
// letter selects which events are sent; K and E select where (__keyspace@<db>__:<key> carrying
// the event, __keyevent@<db>__:<event> carrying the key). Nothing is sent without K or E.

/** K: __keyspace@<db>__:<key> channels. */
export const NOTIFY_KEYSPACE = 1 << 0;
/** E: __keyevent@<db>__:<event> channels. */
export const NOTIFY_KEYEVENT = 1 << 1;
/** g: type-independent commands (DEL, EXPIRE, RENAME, …). */
export const NOTIFY_GENERIC = 1 << 2;
/** $: string commands. */
export const NOTIFY_STRING = 1 << 3;
/** l: list commands. */
export const NOTIFY_LIST = 1 << 4;
/** s: set commands. */
export const NOTIFY_SET = 1 << 5;
/** h: hash commands. */
export const NOTIFY_HASH = 1 << 6;
/** z: sorted-set commands. */
export const NOTIFY_ZSET = 1 << 7;
/** x: a key expired (lazily or by the active cycle). */
export const NOTIFY_EXPIRED = 1 << 8;
/** e: a key was evicted under maxmemory. */
export const NOTIFY_EVICTED = 1 << 9;
/** t: stream commands. */
export const NOTIFY_STREAM = 1 << 10;
/** m: a read missed its key (not part of A, as in Redis). */
export const NOTIFY_KEY_MISS = 1 << 11;
/** d: module events (accepted for compatibility; no module emits any here). */
export const NOTIFY_MODULE = 1 << 13;
/** n: a key was created (not part of A, as in Redis). */
export const NOTIFY_NEW = 1 << 14;
/** A: every class but m and n. */
export const NOTIFY_ALL = NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET |
  NOTIFY_HASH | NOTIFY_ZSET | NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE;

const FLAG_OF_LETTER: Readonly<Record<string, number>> = {
  A: NOTIFY_ALL,
  g: NOTIFY_GENERIC,
  $: NOTIFY_STRING,
  l: NOTIFY_LIST,
  s: NOTIFY_SET,
  h: NOTIFY_HASH,
  z: NOTIFY_ZSET,
  x: NOTIFY_EXPIRED,
  e: NOTIFY_EVICTED,
  K: NOTIFY_KEYSPACE,
  E: NOTIFY_KEYEVENT,
  t: NOTIFY_STREAM,
  m: NOTIFY_KEY_MISS,
  d: NOTIFY_MODULE,
  n: NOTIFY_NEW,
};

/** The class letters CONFIG GET lists, in Redis's order, when not all of A is set. */
const CLASS_LETTERS: readonly [string, number][] = [
  ["g", NOTIFY_GENERIC],
  ["$", NOTIFY_STRING],
  ["l", NOTIFY_LIST],
  ["s", NOTIFY_SET],
  ["h", NOTIFY_HASH],
  ["z", NOTIFY_ZSET],
  ["x", NOTIFY_EXPIRED],
  ["e", NOTIFY_EVICTED],
  ["t", NOTIFY_STREAM],
  ["d", NOTIFY_MODULE],
  ["n", NOTIFY_NEW],
];

/**
 * The flags named by `text` (any order, repeats allowed, "" for none), or null when a
 * character names no class.
 *
 * @example
 * ```ts
 * import { NOTIFY_KEYSPACE, NOTIFY_LIST, parseKeyspaceEvents } from "./keyspace_events.ts";
 * if (parseKeyspaceEvents("Kl") !== (NOTIFY_KEYSPACE | NOTIFY_LIST)) throw new Error();
 * if (parseKeyspaceEvents("Kq") !== null) throw new Error();
 * ```
 */
export function parseKeyspaceEvents(text: string): number | null {
  let flags = 0;
  for (const letter of text) {
    const flag = FLAG_OF_LETTER[letter];
    if (flag === undefined) return null;
    flags |= flag;
  }
  return flags;
}

/**
 * The canonical text of `flags`, as CONFIG GET shows it: "A" when every class of A is set
 * (else the class letters, n among them), then K, E and m.
 *
 * @example
 * ```ts
 * import { formatKeyspaceEvents, parseKeyspaceEvents } from "./keyspace_events.ts";
 * if (formatKeyspaceEvents(parseKeyspaceEvents("KA")!) !== "AK") throw new Error();
 * ```
 */
export function formatKeyspaceEvents(flags: number): string {
  let text = "";
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) text += "A";
  else {
    for (const [letter, flag] of CLASS_LETTERS) if (flags & flag) text += letter;
  }
  if (flags & NOTIFY_KEYSPACE) text += "K";
  if (flags & NOTIFY_KEYEVENT) text += "E";
  if (flags & NOTIFY_KEY_MISS) text += "m";
  return text;
}
