// Which keyspace events a command emits (Redis's notifyKeyspaceEvent calls, gathered in one
// table instead of spread over every handler). The dispatcher opens a frame before a handler
// runs and closes it after; in between, ServerState.keyModified records each key the command
// changed (core/sessions/keyspace_events.ts). Closing the frame names one event per changed key:
//
//   the command's name in its type's class    LPUSH → lpush (l), HINCRBY → hincrby (h)
//   a shared name                             SETEX → set ($) + expire (g), HMSET → hset (h)
//   by key role                               RENAME → rename_from / rename_to, LMOVE → lpop + lpush
//   "del" (g) after it                        a collection the command emptied (LPOP of the last item)
//   "del" (g) instead                         a STORE whose result was empty, EXPIRE in the past
//   "new" (n) before it                       a key that did not exist before the command
//
// Stream consumer-group events are found by looking at the group before and after (a consumer
// XREADGROUP / XCLAIM created, one XGROUP DELCONSUMER removed). Expired and evicted keys have
// their own events (ServerState.absorbExpired, the dispatcher's eviction); nothing here runs
// while notifications are off.

import { isCWord, latin1 } from "../bytes.ts";
import {
  NOTIFY_EVICTED,
  NOTIFY_GENERIC,
  NOTIFY_HASH,
  NOTIFY_LIST,
  NOTIFY_NEW,
  NOTIFY_SET,
  NOTIFY_STREAM,
  NOTIFY_STRING,
  NOTIFY_ZSET,
} from "../config/keyspace_events.ts";
import { visitWrittenKeys } from "../command_meta/spec.ts";
import { streamRead } from "../engine/stream.ts";
import type { KeyspaceFrame } from "../sessions/keyspace_events.ts";
import type { ServerState } from "../state/server_state.ts";
import type { CommandContext } from "./context.ts";

/** The class of a command's own event, by its COMMAND DOCS group. */
const CLASS_OF_GROUP: Readonly<Record<string, number>> = {
  string: NOTIFY_STRING,
  bitmap: NOTIFY_STRING,
  hyperloglog: NOTIFY_STRING,
  list: NOTIFY_LIST,
  set: NOTIFY_SET,
  "sorted-set": NOTIFY_ZSET,
  geo: NOTIFY_ZSET,
  hash: NOTIFY_HASH,
  stream: NOTIFY_STREAM,
  generic: NOTIFY_GENERIC,
};

/** Commands whose event is not their own name. */
const EVENT_ALIASES: Readonly<Record<string, string>> = {
  setex: "set",
  psetex: "set",
  setnx: "set",
  getset: "set",
  mset: "set",
  msetnx: "set",
  incr: "incrby",
  decr: "incrby",
  decrby: "incrby",
  getdel: "del",
  unlink: "del",
  bitfield: "setbit",
  pfmerge: "pfadd",
  lpushx: "lpush",
  rpushx: "rpush",
  blpop: "lpop",
  brpop: "rpop",
  hmset: "hset",
  hsetnx: "hset",
  zincrby: "zincr",
  bzpopmin: "zpopmin",
  bzpopmax: "zpopmax",
  geoadd: "zadd",
  pexpire: "expire",
  expireat: "expire",
  pexpireat: "expire",
  renamenx: "rename",
  restore: "restore",
  "restore-asking": "restore",
  "xgroup|create": "xgroup-create",
  "xgroup|setid": "xgroup-setid",
  "xgroup|destroy": "xgroup-destroy",
};

/** Writes into a destination that an empty result deletes instead ("del" alone, no event). */
const STORE_EVENTS: Readonly<Record<string, string>> = {
  sinterstore: "sinterstore",
  sunionstore: "sunionstore",
  sdiffstore: "sdiffstore",
  zunionstore: "zunionstore",
  zinterstore: "zinterstore",
  zdiffstore: "zdiffstore",
  zrangestore: "zrangestore",
  geosearchstore: "geosearchstore",
  georadius: "georadiusstore",
  georadiusbymember: "georadiusstore",
  bitop: "set",
  sort: "sortstore",
};

/** Events that already say the key is gone (no "del" follows them). */
const GONE_EVENTS = new Set(["del", "rename_from", "move_from", "xgroup-destroy"]);

/** Stream commands that may create a consumer (key, group, consumer at these argv indexes). */
const CONSUMER_CREATORS: Readonly<Record<string, readonly [number, number, number]>> = {
  xclaim: [1, 2, 3],
  xautoclaim: [1, 2, 3],
  "xgroup|createconsumer": [2, 3, 4],
  "xgroup|delconsumer": [2, 3, 4],
};

/** What a frame knew before its command ran. */
interface CommandFrame {
  frame: KeyspaceFrame;
  /** "db:key" of written keys that existed (only filled when class n is on). */
  existed: Set<string> | null;
  /** Consumers (stream, group, consumer, existed) looked at before the command. */
  consumers: ConsumerProbe[];
}

interface ConsumerProbe {
  key: Uint8Array;
  group: string;
  consumer: string;
  existed: boolean;
}

const frames = new WeakMap<CommandContext, CommandFrame>();

/** Opens the keyspace-event frame of one command run (call only while notifications are on). */
export function openKeyspaceFrame(ctx: CommandContext): void {
  const { server, spec, argv } = ctx;
  if (!spec.isWrite) return;
  const db = ctx.client.db;
  let existed: Set<string> | null = null;
  if (server.keyspaceEvents.wants(NOTIFY_NEW)) {
    const seen = new Set<string>();
    visitWrittenKeys(spec, db, argv, (keyDb, key) => {
      if (key !== null && keyDb >= 0 && server.engine.exists(keyDb, key, ctx.nowMs)) {
        seen.add(keyDb + ":" + latin1(key));
      }
    });
    existed = seen;
  }
  const consumers = server.keyspaceEvents.wants(NOTIFY_STREAM) ? probeConsumers(ctx) : [];
  frames.set(ctx, { frame: server.keyspaceEvents.beginFrame(), existed, consumers });
}

/** Closes the frame of `ctx` (if one was opened) and publishes its command's events. */
export function closeKeyspaceFrame(ctx: CommandContext): void {
  const state = frames.get(ctx);
  if (state === undefined) return;
  frames.delete(ctx);
  const { server } = ctx;
  const notifier = server.keyspaceEvents;
  notifier.endFrame(state.frame);
  const touched = state.frame.touched;
  if (ctx.client.addr === EVICTION_CLIENT_ADDR) return; // "evicted" was sent instead
  const name = ctx.spec.fullName;
  const cls = CLASS_OF_GROUP[ctx.spec.group] ?? NOTIFY_GENERIC;
  for (let i = 0; i < touched.length; i++) {
    const { db, key } = touched[i];
    const exists = server.engine.exists(db, key, ctx.nowMs);
    if (state.existed !== null && exists && !state.existed.has(db + ":" + latin1(key))) {
      notifier.notify(NOTIFY_NEW, "new", key, db);
    }
    const events = eventsOf(ctx, name, cls, key, i);
    const store = STORE_EVENTS[name];
    if (store !== undefined && !exists) {
      notifier.notify(NOTIFY_GENERIC, "del", key, db);
      continue;
    }
    // EXPIRE in the past, RESTORE … REPLACE with a TTL in the past: "del" alone.
    const expiring = name === "expire" || EVENT_ALIASES[name] === "expire" ||
      EVENT_ALIASES[name] === "restore";
    if (!exists && expiring) {
      notifier.notify(NOTIFY_GENERIC, "del", key, db);
      continue;
    }
    for (const [type, event] of events) notifier.notify(type, event, key, db);
    const last = events.at(-1);
    if (!exists && last !== undefined && !GONE_EVENTS.has(last[1]) && !isStreamGroupEvent(name)) {
      notifier.notify(NOTIFY_GENERIC, "del", key, db);
    }
  }
  for (const probe of state.consumers) {
    const db = ctx.client.db;
    const now = consumerExists(ctx, probe);
    if (!probe.existed && now) {
      notifier.notify(NOTIFY_STREAM, "xgroup-createconsumer", probe.key, db);
    } else if (probe.existed && !now) {
      notifier.notify(NOTIFY_STREAM, "xgroup-delconsumer", probe.key, db);
    }
  }
}

/** The address of the client the dispatcher runs evictions' DELs as (no event of their own). */
export const EVICTION_CLIENT_ADDR = "eviction";

/** Redis's "evicted" event for a key maxmemory removed. */
export function notifyEvicted(server: ServerState, db: number, key: Uint8Array): void {
  server.keyspaceEvents.notify(NOTIFY_EVICTED, "evicted", key, db);
}

function isStreamGroupEvent(name: string): boolean {
  return name.startsWith("xgroup|") || name === "xreadgroup" || name === "xclaim" ||
    name === "xautoclaim" || name === "xack";
}

/** The events for the `index`-th key `ctx` changed, in order. */
function eventsOf(
  ctx: CommandContext,
  name: string,
  cls: number,
  key: Uint8Array,
  index: number,
): [number, string][] {
  const argv = ctx.argv;
  switch (name) {
    case "set": {
      const events: [number, string][] = [[NOTIFY_STRING, "set"]];
      for (let i = 3; i < argv.length; i++) {
        const word = argv[i];
        if (["ex", "px", "exat", "pxat"].some((option) => isCWord(word, option))) {
          events.push([NOTIFY_GENERIC, "expire"]);
          break;
        }
      }
      return events;
    }
    case "setex":
    case "psetex":
      return [[NOTIFY_STRING, "set"], [NOTIFY_GENERIC, "expire"]];
    case "getex": {
      const persist = argv.slice(2).some((word) => isCWord(word, "persist"));
      return [[NOTIFY_GENERIC, persist ? "persist" : "expire"]];
    }
    case "rename":
    case "renamenx":
      return [[NOTIFY_GENERIC, sameKey(key, argv[1]) && index === 0 ? "rename_from" : "rename_to"]];
    case "move":
      return [[NOTIFY_GENERIC, index === 0 ? "move_from" : "move_to"]];
    case "copy":
      return [[NOTIFY_GENERIC, "copy_to"]];
    case "rpoplpush":
    case "brpoplpush":
      return [[NOTIFY_LIST, sameKey(key, argv[1]) && index === 0 ? "rpop" : "lpush"]];
    case "lmove":
    case "blmove": {
      const fromSource = sameKey(key, argv[1]) && index === 0;
      const side = fromSource ? argv[3] : argv[4];
      const left = isCWord(side, "left");
      return [[NOTIFY_LIST, fromSource ? (left ? "lpop" : "rpop") : (left ? "lpush" : "rpush")]];
    }
    case "lmpop":
    case "blmpop":
      return [[NOTIFY_LIST, directionWord(argv, "left") ? "lpop" : "rpop"]];
    case "zmpop":
    case "bzmpop":
      return [[NOTIFY_ZSET, directionWord(argv, "min") ? "zpopmin" : "zpopmax"]];
    case "smove":
      return [[NOTIFY_SET, sameKey(key, argv[1]) && index === 0 ? "srem" : "sadd"]];
    case "zadd": {
      const incr = argv.slice(2).some((word) => isCWord(word, "incr"));
      return [[NOTIFY_ZSET, incr ? "zincr" : "zadd"]];
    }
    case "xadd":
    case "xtrim":
    case "xdel":
    case "xsetid":
      return [[NOTIFY_STREAM, name]];
    case "xgroup|createconsumer":
    case "xgroup|delconsumer":
    case "xreadgroup":
    case "xclaim":
    case "xautoclaim":
    case "xack":
      return []; // consumer events come from the probes
  }
  const store = STORE_EVENTS[name];
  if (store !== undefined) return [[name === "sort" ? NOTIFY_LIST : cls, store]];
  const event = EVENT_ALIASES[name] ?? name;
  if (event === "del" || event === "expire" || event === "persist" || event === "restore") {
    return [[NOTIFY_GENERIC, event]];
  }
  if (name.startsWith("xgroup|")) return [[NOTIFY_STREAM, event]];
  return [[cls, event]];
}

/** True if a LEFT/RIGHT or MIN/MAX word after the keys is `word` (LMPOP, ZMPOP and blocking forms). */
function directionWord(argv: readonly Uint8Array[], word: string): boolean {
  return argv.some((arg, i) => i > 1 && isCWord(arg, word));
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The consumers `ctx` may create or remove, with whether each exists now. */
function probeConsumers(ctx: CommandContext): ConsumerProbe[] {
  const { argv } = ctx;
  const name = ctx.spec.fullName;
  const probes: ConsumerProbe[] = [];
  if (name === "xreadgroup") {
    // XREADGROUP GROUP group consumer … STREAMS key … id …
    const groupAt = argv.findIndex((arg, i) => i > 0 && isCWord(arg, "group"));
    const streamsAt = argv.findIndex((arg, i) => i > 0 && isCWord(arg, "streams"));
    if (groupAt < 0 || streamsAt < 0 || groupAt + 2 >= argv.length) return probes;
    const keyCount = (argv.length - streamsAt - 1) >> 1;
    for (let i = 0; i < keyCount; i++) {
      probes.push(probe(ctx, argv[streamsAt + 1 + i], argv[groupAt + 1], argv[groupAt + 2]));
    }
    return probes;
  }
  const at = CONSUMER_CREATORS[name];
  if (at === undefined || at[2] >= argv.length) return probes;
  probes.push(probe(ctx, argv[at[0]], argv[at[1]], argv[at[2]]));
  return probes;
}

function probe(
  ctx: CommandContext,
  key: Uint8Array,
  group: Uint8Array,
  consumer: Uint8Array,
): ConsumerProbe {
  const entry = {
    key: key.slice(),
    group: latin1(group),
    consumer: latin1(consumer),
    existed: false,
  };
  entry.existed = consumerExists(ctx, entry);
  return entry;
}

function consumerExists(ctx: CommandContext, probe: ConsumerProbe): boolean {
  try {
    const stream = streamRead(ctx.server.engine, ctx.client.db, probe.key, ctx.nowMs);
    const group = stream?.groups.get(probe.group);
    return group?.lookupConsumer(probe.consumer, ctx.nowMs, false) !== undefined;
  } catch {
    return false; // not a stream: the command fails with WRONGTYPE
  }
}
