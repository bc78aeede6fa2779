// Which arguments of a command are keys, and which are Pub/Sub channels: what ACL checks match
// against a user's ~key and &channel patterns. Fixed layouts come from the spec's legacy
// (firstKey, lastKey, keyStep) triple; the few commands whose keys follow a numkeys argument
// (ZUNIONSTORE, SINTERCARD, LMPOP …) are listed here by name, because their triple cannot say
// where the keys end. Results are argv indices, so a denial can name the offending argument.

import { parseInt64 } from "../bytes.ts";
import type { CommandSpec } from "./spec.ts";

/** ACL key permission a key argument needs, as Redis's %R~ / %W~ patterns grant them. */
export const KEY_READ = 1;
export const KEY_WRITE = 2;

/** Where a numkeys command keeps its count, whether a destination key comes first. */
interface NumkeysLayout {
  /** argv index of the numkeys argument. */
  numkeysIndex: number;
  /** argv index of a destination key before numkeys (ZUNIONSTORE dest …); 0 when none. */
  destinationIndex: number;
}

const NUMKEYS_LAYOUTS: Readonly<Record<string, NumkeysLayout>> = {
  zunionstore: { numkeysIndex: 2, destinationIndex: 1 },
  zinterstore: { numkeysIndex: 2, destinationIndex: 1 },
  zdiffstore: { numkeysIndex: 2, destinationIndex: 1 },
  zunion: { numkeysIndex: 1, destinationIndex: 0 },
  zinter: { numkeysIndex: 1, destinationIndex: 0 },
  zdiff: { numkeysIndex: 1, destinationIndex: 0 },
  zintercard: { numkeysIndex: 1, destinationIndex: 0 },
  sintercard: { numkeysIndex: 1, destinationIndex: 0 },
  lmpop: { numkeysIndex: 1, destinationIndex: 0 },
  zmpop: { numkeysIndex: 1, destinationIndex: 0 },
  blmpop: { numkeysIndex: 2, destinationIndex: 0 },
  bzmpop: { numkeysIndex: 2, destinationIndex: 0 },
};

/** Commands that write only their first key and read the rest (SINTERSTORE dest src…). */
const STORES_INTO_FIRST_KEY = new Set([
  "sinterstore",
  "sunionstore",
  "sdiffstore",
  "zrangestore",
  "zunionstore",
  "zinterstore",
  "zdiffstore",
  "smove",
  "lmove",
  "blmove",
  "rpoplpush",
  "brpoplpush",
  "copy",
]);

/**
 * The argv indices of the keys `argv` names, in order. A numkeys count that is not a positive
 * integer within argv yields no keys (as Redis: the command itself then fails on its syntax).
 */
export function commandKeys(spec: CommandSpec, argv: readonly Uint8Array[]): number[] {
  const layout = NUMKEYS_LAYOUTS[spec.fullName];
  if (layout !== undefined) return numkeysKeys(layout, argv);
  if (spec.firstKey <= 0 || spec.keyStep <= 0) return [];
  const argc = argv.length;
  const last = spec.lastKey < 0 ? argc + spec.lastKey : Math.min(spec.lastKey, argc - 1);
  const indices: number[] = [];
  for (let i = spec.firstKey; i <= last; i += spec.keyStep) indices.push(i);
  return indices;
}

function numkeysKeys(layout: NumkeysLayout, argv: readonly Uint8Array[]): number[] {
  const indices: number[] = [];
  if (layout.destinationIndex > 0 && layout.destinationIndex < argv.length) {
    indices.push(layout.destinationIndex);
  }
  if (layout.numkeysIndex >= argv.length) return indices;
  const count = parseInt64(argv[layout.numkeysIndex]);
  const first = layout.numkeysIndex + 1;
  if (count === null || count <= 0n || BigInt(first) + count > BigInt(argv.length)) return indices;
  for (let i = 0; i < Number(count); i++) indices.push(first + i);
  return indices;
}

/**
 * The permission a key at argv index `keyIndex` needs. An approximation of Redis's per-key-spec
 * flags: a read-only command reads, a store command writes its destination and reads its
 * sources, any other write command writes (and may read) each key it names.
 */
export function keyAccessFlags(spec: CommandSpec, keyIndex: number, firstKeyIndex: number): number {
  if (!spec.isWrite) return KEY_READ;
  if (STORES_INTO_FIRST_KEY.has(spec.fullName)) {
    return keyIndex === firstKeyIndex ? KEY_WRITE : KEY_READ;
  }
  return KEY_WRITE;
}

/** Channel arguments of a Pub/Sub command: which argv indices, and whether they are patterns. */
export interface ChannelArgs {
  first: number;
  /** Exclusive end index. */
  end: number;
  isPattern: boolean;
}

/**
 * The channels an ACL user must be allowed for `spec`, or null when it names none that Redis
 * checks (UNSUBSCRIBE and PUNSUBSCRIBE are always allowed, as in Redis 7.0).
 */
export function commandChannels(spec: CommandSpec, argc: number): ChannelArgs | null {
  switch (spec.fullName) {
    case "publish":
    case "spublish":
      return { first: 1, end: 2, isPattern: false };
    case "subscribe":
    case "ssubscribe":
      return { first: 1, end: argc, isPattern: false };
    case "psubscribe":
      return { first: 1, end: argc, isPattern: true };
    default:
      return null;
  }
}
