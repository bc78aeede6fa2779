// Which arguments of a command are keys, and which are Pub/Sub channels: what ACL checks match
// against a user's ~key and &channel patterns. Fixed layouts come from the spec's legacy
// (firstKey, lastKey, keyStep) triple; the few commands whose keys follow a numkeys argument
// (ZUNIONSTORE, SINTERCARD, LMPOP …) are listed here by name, because their triple cannot say
// where the keys end. Results are argv indices, so a denial can name the offending argument.

import { isCWord, isWord, parseInt64 } from "../bytes.ts";
import { type CommandSpec, migrateKeyIndexes } from "./spec.ts";

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
  // Scripts name their keys the same way (EVAL body numkeys key … arg …).
  eval: { numkeysIndex: 2, destinationIndex: 0 },
  evalsha: { numkeysIndex: 2, destinationIndex: 0 },
  eval_ro: { numkeysIndex: 2, destinationIndex: 0 },
  evalsha_ro: { numkeysIndex: 2, destinationIndex: 0 },
  fcall: { numkeysIndex: 2, destinationIndex: 0 },
  fcall_ro: { numkeysIndex: 2, destinationIndex: 0 },
};

const R = KEY_READ;
const W = KEY_WRITE;
const RW = KEY_READ | KEY_WRITE;

/**
 * The permission each key needs where it differs from the default (a read-only command reads,
 * a write command writes): [first key, every other key]. Taken from Redis 7.0's key-spec flags
 * (ACCESS needs %R, INSERT / DELETE / UPDATE need %W, neither needs any pattern at all).
 */
const KEY_ACCESS_OVERRIDES: Readonly<Record<string, readonly [number, number]>> = {
  // Look at metadata only.
  exists: [0, 0],
  hexists: [0, 0],
  hlen: [0, 0],
  hstrlen: [0, 0],
  llen: [0, 0],
  xlen: [0, 0],
  scard: [0, 0],
  sismember: [0, 0],
  strlen: [0, 0],
  touch: [0, 0],
  type: [0, 0],
  zcard: [0, 0],
  watch: [0, 0],
  "object|encoding": [0, 0],
  "object|freq": [0, 0],
  "object|idletime": [0, 0],
  "object|refcount": [0, 0],
  "memory|usage": [0, 0],
  // Read only (a PFDEBUG key spec is RW access, which asks for %R alone).
  pfdebug: [R, R],
  // A write whose key specs are RO access: a group read needs %R alone.
  xreadgroup: [R, R],
  // Read and change (BITFIELD: see bitfieldOnlyReads).
  blmpop: [RW, RW],
  blpop: [RW, RW],
  brpop: [RW, RW],
  bzmpop: [RW, RW],
  bzpopmax: [RW, RW],
  bzpopmin: [RW, RW],
  decr: [RW, RW],
  decrby: [RW, RW],
  getdel: [RW, RW],
  getex: [RW, RW],
  getset: [RW, RW],
  hincrby: [RW, RW],
  hincrbyfloat: [RW, RW],
  incr: [RW, RW],
  incrby: [RW, RW],
  incrbyfloat: [RW, RW],
  lmpop: [RW, RW],
  lpop: [RW, RW],
  move: [RW, RW],
  rpop: [RW, RW],
  setbit: [RW, RW],
  spop: [RW, RW],
  zincrby: [RW, RW],
  zmpop: [RW, RW],
  zpopmax: [RW, RW],
  zpopmin: [RW, RW],
  // Read to send, then delete (its key specs: RW access delete).
  migrate: [RW, RW],
  // Take from the first key, put into the second.
  blmove: [RW, W],
  brpoplpush: [RW, W],
  lmove: [RW, W],
  rpoplpush: [RW, W],
  smove: [RW, W],
  rename: [RW, W],
  renamenx: [RW, W],
  copy: [R, W],
  // Store into the first key what is read from the others.
  pfmerge: [RW, R],
  bitop: [W, R],
  sdiffstore: [W, R],
  sinterstore: [W, R],
  sunionstore: [W, R],
  zdiffstore: [W, R],
  zinterstore: [W, R],
  zunionstore: [W, R],
  zrangestore: [W, R],
  geosearchstore: [W, R],
  // Read the first key; write the one a STORE / STOREDIST option names (see STORE_OPTION_KEYS).
  georadius: [R, W],
  georadiusbymember: [R, W],
  // Read the sorted key; overwrite the STORE destination (see sortKeys).
  sort: [R, W],
};

/**
 * Commands with keys that options name, as Redis's "keyword" key specs find them: after the
 * first STORE at or past `startFrom`, and after the first STOREDIST there (GEORADIUS … STORE k).
 */
const STORE_OPTION_KEYS: Readonly<Record<string, number>> = {
  georadius: 6,
  georadiusbymember: 5,
};
const STORE_OPTION_WORDS = ["store", "storedist"];
/**
 * Commands whose keys follow a STREAMS word at or past `startFrom` (Redis's keyword key spec
 * with limit 2): the first half of the arguments after it, the second half being IDs.
 */
const STREAMS_OPTION_KEYS: Readonly<Record<string, number>> = { xread: 1, xreadgroup: 4 };

/** The index after the first `word` (case-insensitive, to a NUL byte) in argv[from..argc-2]. */
function keyAfterWord(argv: readonly Uint8Array[], from: number, word: string): number | null {
  for (let i = from; i < argv.length - 1; i++) {
    if (isCWord(argv[i], word)) return i + 1;
  }
  return null;
}

/** Whether the command takes key arguments at all (Redis's doesCommandHaveKeys). */
export function commandHasKeys(spec: CommandSpec): boolean {
  return spec.firstKey > 0 || NUMKEYS_LAYOUTS[spec.fullName] !== undefined ||
    STREAMS_OPTION_KEYS[spec.fullName] !== undefined;
}

/**
 * The argv indices of the keys `argv` names, in order. A numkeys count that is not a positive
 * integer within argv yields no keys (as Redis: the command itself then fails on its syntax).
 */
export function commandKeys(spec: CommandSpec, argv: readonly Uint8Array[]): number[] {
  const layout = NUMKEYS_LAYOUTS[spec.fullName];
  if (layout !== undefined) return numkeysKeys(layout, argv);
  const streamsFrom = STREAMS_OPTION_KEYS[spec.fullName];
  if (streamsFrom !== undefined) {
    const first = keyAfterWord(argv, streamsFrom, "streams");
    if (first === null) return [];
    const count = Math.floor((argv.length - first) / 2);
    return Array.from({ length: count }, (_, i) => first + i);
  }
  if (spec.fullName === "sort") return sortKeys(argv);
  if (spec.fullName === "migrate") return migrateKeyIndexes(argv);
  if (spec.firstKey <= 0 || spec.keyStep <= 0) return [];
  const argc = argv.length;
  const last = spec.lastKey < 0 ? argc + spec.lastKey : Math.min(spec.lastKey, argc - 1);
  const indices: number[] = [];
  for (let i = spec.firstKey; i <= last; i += spec.keyStep) indices.push(i);
  const storeFrom = STORE_OPTION_KEYS[spec.fullName];
  if (storeFrom !== undefined) {
    for (const word of STORE_OPTION_WORDS) {
      const index = keyAfterWord(argv, storeFrom, word);
      if (index !== null) indices.push(index);
    }
  }
  return indices;
}

/** SORT's options that take arguments, with how many (Redis's sortGetKeys skip list). */
const SORT_OPTION_ARG_COUNTS: Readonly<Record<string, number>> = { limit: 2, get: 1, by: 1 };

/**
 * SORT's keys as Redis's sortGetKeys finds them: the sorted key, then the key after the last
 * STORE word, skipping the arguments of LIMIT, GET and BY (not the STORE key itself).
 */
function sortKeys(argv: readonly Uint8Array[]): number[] {
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    const skip = Object.entries(SORT_OPTION_ARG_COUNTS).find(([word]) => isCWord(argv[i], word));
    if (skip !== undefined) i += skip[1];
    else if (isCWord(argv[i], "store") && i + 1 < argv.length) store = i + 1;
  }
  return store < 0 ? [1] : [1, store];
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
 * The permission (KEY_READ | KEY_WRITE bits, possibly none) the `keyOrdinal`-th key of `argv`
 * needs, as Redis 7.0's key specs say; SET needs read access only with its GET option.
 */
export function keyAccessFlags(
  spec: CommandSpec,
  argv: readonly Uint8Array[],
  keyOrdinal: number,
): number {
  if (spec.fullName === "bitfield") return bitfieldOnlyReads(argv) ? R : RW;
  const override = KEY_ACCESS_OVERRIDES[spec.fullName];
  if (override !== undefined) return keyOrdinal === 0 ? override[0] : override[1];
  if (spec.fullName === "set") return argv.some((arg, i) => i > 2 && isWord(arg, "get")) ? RW : W;
  return spec.isWrite ? W : R;
}

/**
 * True when a BITFIELD only GETs (its key spec's variable flags, Redis's bitfieldGetKeys): then
 * its key needs read access alone. A SET, an INCRBY or anything it cannot read as an op (the
 * command will answer a syntax error) counts as a write.
 */
function bitfieldOnlyReads(argv: readonly Uint8Array[]): boolean {
  for (let i = 2; i < argv.length; i++) {
    const remaining = argv.length - i - 1;
    if (isWord(argv[i], "get") && remaining >= 2) i += 2;
    else if (isWord(argv[i], "overflow") && remaining >= 1) i += 1;
    else return false;
  }
  return true;
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
