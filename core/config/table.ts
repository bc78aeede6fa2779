// The one table of configuration directives. Each row names a directive, its type, bounds,
// default and unit; CONFIG GET/SET, redis.conf parsing, command-line flags and the README's
// option list are all driven from it, so a directive cannot exist in one place and not another.
// Values are kept as typed JS values in `Config`; a row's `apply` hook pushes a change into the
// live server (limits on the RESP reader, log level, …) when one is registered.

import { LOG_LEVELS } from "../log.ts";
import { parseMemory, parseYesNo } from "./units.ts";
import { formatKeyspaceEvents, parseKeyspaceEvents } from "./keyspace_events.ts";
import {
  DEFAULT_OUTPUT_LIMITS_TEXT,
  formatOutputLimits,
  parseOutputLimits,
} from "./output_limits.ts";

export type ConfigValue = string | number | boolean;

export interface DirectiveSpec {
  name: string;
  /** Old names Redis still accepts (e.g. slaveof). */
  aliases?: string[];
  kind: "int" | "memory" | "bool" | "string" | "enum";
  defaultValue: ConfigValue;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /**
   * The upper bound as Redis's range errors print it, when `max` stands in for one a JS number
   * cannot hold (LONG_MAX: "9223372036854775807").
   */
  maxText?: string;
  /** Only settable at start-up (config file or flags), as in Redis. */
  immutable?: boolean;
  /**
   * Left out of CONFIG GET patterns (a test hook, as Redis's HIDDEN_CONFIG): shown only when
   * asked for by its exact name.
   */
  hidden?: boolean;
  /** How many words the value takes in redis.conf; "rest" joins all remaining words. */
  arity?: "one" | "rest";
  /** For strings: why `text` is not acceptable (Redis's wording), or null. */
  validate?: (text: string) => string | null;
  /**
   * For strings that merge into what is set (a CONFIG SET naming one class of several): the
   * stored value, in the form CONFIG GET shows, from the new text and the current value.
   */
  normalize?: (text: string, current: string) => string;
  description: string;
}

const GB = 1024 * 1024 * 1024;
/** LONG_MAX, the upper bound of Redis's size_t and long long directives, as its errors print it. */
const LONG_MAX_TEXT = "9223372036854775807";
const MB = 1024 * 1024;
/** A percentage as Redis's percent directives take it: a plain non-negative integer and "%". */
const PERCENT_PATTERN = /^(0|[1-9]\d*)%$/;

export const DIRECTIVES: readonly DirectiveSpec[] = [
  {
    name: "port",
    kind: "int",
    defaultValue: 6379,
    min: 0,
    max: 65535,
    description: "TCP port to listen on (0 = pick a free port); CONFIG SET rebinds.",
  },
  {
    name: "bind",
    kind: "string",
    defaultValue: "127.0.0.1",
    arity: "rest",
    description: "Addresses to listen on (space separated); CONFIG SET rebinds.",
  },
  {
    name: "requirepass",
    kind: "string",
    defaultValue: "",
    description: "Password clients must AUTH with (empty = none).",
  },
  {
    name: "aclfile",
    kind: "string",
    defaultValue: "",
    immutable: true,
    description: "File of ACL users (ACL LOAD / ACL SAVE; loaded at start-up when set).",
  },
  {
    name: "acl-pubsub-default",
    kind: "enum",
    defaultValue: "resetchannels",
    choices: ["allchannels", "resetchannels"],
    description: "Channel permission a new ACL user starts with (Redis 7.0: none).",
  },
  {
    name: "acllog-max-len",
    kind: "int",
    defaultValue: 128,
    min: 0,
    max: 2 ** 53 - 1,
    description: "Most entries ACL LOG keeps.",
  },
  {
    name: "dir",
    kind: "string",
    defaultValue: ".",
    description: "Working directory for data files.",
  },
  { name: "dbfilename", kind: "string", defaultValue: "dump.rdb", description: "RDB file name." },
  {
    name: "databases",
    kind: "int",
    defaultValue: 16,
    min: 16,
    max: 16,
    immutable: true,
    description: "Number of databases (fixed at 16).",
  },
  {
    name: "maxclients",
    kind: "int",
    defaultValue: 10000,
    min: 1,
    max: 1_000_000,
    description: "Most simultaneous client connections.",
  },
  {
    name: "proto-max-bulk-len",
    kind: "memory",
    defaultValue: 512 * MB,
    min: 1024 * 1024,
    max: 2 ** 52,
    description: "Largest bulk string a request may carry (bytes).",
  },
  {
    name: "proto-max-multibulk-len",
    kind: "int",
    defaultValue: 1024 * 1024,
    min: 1,
    max: 2 ** 31 - 1,
    description: "Most arguments in one request (resplica extension; Redis fixes it at 1048576).",
  },
  {
    name: "client-query-buffer-limit",
    kind: "memory",
    defaultValue: GB,
    min: 1024 * 1024,
    max: 2 ** 52,
    description: "Largest unparsed input buffered for one client (bytes).",
  },
  {
    name: "timeout",
    kind: "int",
    defaultValue: 0,
    min: 0,
    max: 2 ** 31 - 1,
    description: "Close clients idle this many seconds (0 = never).",
  },
  {
    name: "tracking-table-max-keys",
    kind: "int",
    defaultValue: 1_000_000,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Keys the client-side caching table remembers before it invalidates some " +
      "(0 = no limit).",
  },
  {
    name: "tcp-keepalive",
    kind: "int",
    defaultValue: 300,
    min: 0,
    max: 2 ** 31 - 1,
    description: "TCP keepalive in seconds (accepted for compatibility).",
  },
  {
    name: "hz",
    kind: "int",
    defaultValue: 10,
    min: 1,
    max: 500,
    description: "Background task frequency (active expiry, rehashing).",
  },
  {
    name: "loglevel",
    kind: "enum",
    defaultValue: "notice",
    choices: LOG_LEVELS,
    description: "Log verbosity.",
  },
  {
    name: "logfile",
    kind: "string",
    defaultValue: "",
    description: "Log file path (empty = stdout).",
  },
  {
    name: "daemonize",
    kind: "bool",
    defaultValue: false,
    immutable: true,
    description: "Accepted for compatibility; resplica always runs in the foreground.",
  },
  {
    name: "pidfile",
    kind: "string",
    defaultValue: "",
    immutable: true,
    description: "Write the process id to this file.",
  },
  {
    name: "protected-mode",
    kind: "bool",
    defaultValue: true,
    description: "Refuse non-loopback clients when no password is set.",
  },
  {
    name: "save",
    kind: "string",
    defaultValue: "3600 1 300 100 60 10000",
    arity: "rest",
    description: 'RDB save points: "<seconds> <changes>" pairs, "" for none.',
  },
  {
    name: "rdbcompression",
    kind: "bool",
    defaultValue: true,
    description: "LZF-compress strings in dump.rdb.",
  },
  {
    name: "rdb-lz4",
    kind: "bool",
    defaultValue: false,
    description:
      "Write dump.rdb wrapped in LZ4 frames (resplica-native: smaller, only resplica reads it).",
  },
  {
    name: "rdbchecksum",
    kind: "bool",
    defaultValue: true,
    description: "Write and verify the CRC64 trailer of dump.rdb.",
  },
  {
    name: "sanitize-dump-payload",
    kind: "enum",
    defaultValue: "no",
    choices: ["no", "yes", "clients"],
    description:
      "Accepted for compatibility: RESTORE always checks a payload's listpacks, ziplists and intsets in full.",
  },
  {
    name: "appendonly",
    kind: "bool",
    defaultValue: false,
    description: "Log every write to the append-only file; replayed at start.",
  },
  {
    name: "appendfilename",
    kind: "string",
    defaultValue: "appendonly.aof",
    immutable: true,
    description: "AOF file name inside `dir`.",
  },
  {
    name: "appendfsync",
    kind: "enum",
    defaultValue: "everysec",
    choices: ["always", "everysec", "no"],
    description: "fsync the AOF before every reply batch, once a second, or never.",
  },
  {
    name: "aof-load-truncated",
    kind: "bool",
    defaultValue: true,
    description: "Load an AOF cut short at the end up to its last whole command.",
  },
  {
    name: "maxmemory",
    kind: "memory",
    defaultValue: 0,
    min: 0,
    max: 2 ** 52,
    description: "Memory limit for the keyspace in bytes (0 = the engine's own ceiling).",
  },
  {
    name: "maxmemory-policy",
    kind: "enum",
    defaultValue: "noeviction",
    choices: [
      "noeviction",
      "allkeys-lru",
      "allkeys-lfu",
      "allkeys-random",
      "volatile-lru",
      "volatile-lfu",
      "volatile-random",
      "volatile-ttl",
    ],
    description:
      "What to do past maxmemory: refuse writes (noeviction) or evict keys chosen among all keys or those with a TTL, by approximate LRU, LFU, at random, or soonest TTL.",
  },
  {
    name: "maxmemory-clients",
    kind: "string",
    defaultValue: "0",
    validate: (text) => {
      if (parseMaxmemoryClients(text) !== null) return null;
      return PERCENT_PATTERN.test(text)
        ? "percentage argument must be less or equal to 100"
        : "argument must be a memory or percent value";
    },
    normalize: (text) => parseMaxmemoryClients(text)!,
    description: "Accepted for compatibility (Redis: evict clients past this memory, bytes or " +
      "N% of maxmemory; 0 = never); resplica does not evict clients.",
  },
  {
    name: "maxmemory-samples",
    kind: "int",
    defaultValue: 5,
    min: 1,
    max: 64,
    description:
      "Keys sampled per database for each eviction (more: closer to true LRU/LFU, slower).",
  },
  {
    name: "lfu-log-factor",
    kind: "int",
    defaultValue: 10,
    min: 0,
    max: 2147483647,
    description: "How slowly the LFU counter grows: about 1M hits saturate it at the default 10.",
  },
  {
    name: "lfu-decay-time",
    kind: "int",
    defaultValue: 1,
    min: 0,
    max: 2147483647,
    description: "Minutes for the LFU counter to lose one (0: never decays).",
  },
  {
    name: "replica-ignore-maxmemory",
    aliases: ["slave-ignore-maxmemory"],
    kind: "bool",
    defaultValue: true,
    description: "A replica does not evict on its own: its master's DELs keep it the same size.",
  },
  {
    name: "replicaof",
    aliases: ["slaveof"],
    kind: "string",
    defaultValue: "",
    immutable: true,
    arity: "rest",
    description:
      'Start as a replica of "<host> <port>" (empty = master); REPLICAOF changes it live.',
  },
  {
    name: "masterauth",
    kind: "string",
    defaultValue: "",
    description: "Password this replica sends its master with AUTH (empty = none).",
  },
  {
    name: "masteruser",
    kind: "string",
    defaultValue: "",
    description: "ACL user this replica authenticates as (empty = AUTH with the password alone).",
  },
  {
    name: "replica-serve-stale-data",
    aliases: ["slave-serve-stale-data"],
    kind: "bool",
    defaultValue: true,
    description: "While the master link is down, keep answering from the possibly stale dataset.",
  },
  {
    name: "repl-timeout",
    kind: "int",
    defaultValue: 60,
    min: 1,
    max: 2 ** 31 - 1,
    description: "Seconds of master silence after which a replica drops the link and reconnects.",
  },
  {
    name: "replica-read-only",
    aliases: ["slave-read-only"],
    kind: "bool",
    defaultValue: true,
    description: "Replicas refuse writes from clients.",
  },
  {
    name: "replica-priority",
    aliases: ["slave-priority"],
    kind: "int",
    defaultValue: 100,
    min: 0,
    max: 2 ** 31 - 1,
    description:
      "Sentinel promotes the replica with the lowest priority first; 0 means never promote this one.",
  },
  {
    name: "replica-announce-ip",
    aliases: ["slave-announce-ip"],
    kind: "string",
    defaultValue: "",
    description:
      "IP this replica tells its master (REPLCONF ip-address) for INFO, ROLE and Sentinel (empty = the connection's address).",
  },
  {
    name: "replica-announce-port",
    aliases: ["slave-announce-port"],
    kind: "int",
    defaultValue: 0,
    min: 0,
    max: 65535,
    description:
      "Port this replica tells its master (REPLCONF listening-port) instead of its own (0 = its own).",
  },
  {
    name: "replica-announced",
    kind: "bool",
    defaultValue: true,
    description: "Sentinel lists this replica (INFO replica_announced); no hides it from clients.",
  },
  {
    name: "repl-backlog-size",
    kind: "memory",
    defaultValue: MB,
    min: 16 * 1024,
    max: 2 ** 40,
    description: "Replication backlog size in bytes.",
  },
  {
    name: "notify-keyspace-events",
    kind: "string",
    defaultValue: "",
    validate: (text) =>
      parseKeyspaceEvents(text) === null
        ? "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
        : null,
    normalize: (text) => formatKeyspaceEvents(parseKeyspaceEvents(text)!),
    description:
      "Keyspace notification classes published over Pub/Sub: K and/or E, then classes (g $ l s h z x e t m d n, A for g$lshzxetd); empty: none.",
  },
  {
    name: "client-output-buffer-limit",
    kind: "string",
    defaultValue: formatOutputLimits(parseOutputLimits(DEFAULT_OUTPUT_LIMITS_TEXT)!),
    arity: "rest",
    validate: (text) =>
      parseOutputLimits(text) === null ? "Invalid client class specified in buffer limit" : null,
    normalize: (text, current) =>
      formatOutputLimits(parseOutputLimits(text, parseOutputLimits(current)!)!),
    description:
      "<class> <hard> <soft> <soft seconds> per class (normal, replica, pubsub): a client that lets pushed bytes pile up past them is closed.",
  },
  {
    name: "repl-backlog-ttl",
    kind: "int",
    defaultValue: 3600,
    min: 0,
    max: 2 ** 31 - 1,
    description:
      "Seconds without replicas after which a master frees its backlog (0: never); its replication id changes then.",
  },
  {
    name: "min-replicas-to-write",
    aliases: ["min-slaves-to-write"],
    kind: "int",
    defaultValue: 0,
    min: 0,
    max: 2147483647,
    description:
      "A master refuses writes (-NOREPLICAS) unless this many replicas acknowledged within min-replicas-max-lag seconds; 0 disables.",
  },
  {
    name: "min-replicas-max-lag",
    aliases: ["min-slaves-max-lag"],
    kind: "int",
    defaultValue: 10,
    min: 0,
    max: 2147483647,
    description:
      "Seconds since a replica's last ACK within which it counts as good for min-replicas-to-write; 0 disables.",
  },
  {
    name: "repl-lz4-sync",
    kind: "bool",
    defaultValue: true,
    description:
      "Between resplica nodes, full-sync snapshots travel in LZ4 frames: a replica announces REPLCONF capa lz4, a master honours it; Redis peers never announce it and get plain RDB.",
  },
  {
    name: "repl-diskless-sync",
    kind: "bool",
    defaultValue: true,
    description:
      "Full sync streams a background snapshot to replicas that accept $EOF (capa eof), shared by all waiting; no: a snapshot taken at once, sent with its length.",
  },
  {
    name: "repl-spill-max-bytes",
    kind: "memory",
    defaultValue: 0,
    min: 0,
    max: 2 ** 50,
    description:
      "resplica-native: stream bytes a replica in full sync may owe, spilled to a file in dir " +
      "beyond 1 MB of memory, before it is dropped as unable to keep up; 0 = no limit (the disk's).",
  },
  {
    name: "repl-interleaved-sync",
    kind: "bool",
    defaultValue: true,
    description:
      "resplica-native: between resplica nodes a diskless full sync sends the snapshot and the " +
      "stream written meanwhile at once, in frames (REPLCONF capa interleave); the replica " +
      "buffers the stream while it loads, so the master holds nothing. Redis peers never ask.",
  },
  {
    name: "repl-sync-buffer-memory",
    kind: "memory",
    defaultValue: 16 * MB,
    min: 64 * 1024,
    max: 2 ** 50,
    description:
      "resplica-native, replica side of an interleaved full sync: stream bytes buffered in " +
      "memory while the snapshot loads; beyond this they are spilled to a file in dir.",
  },
  {
    name: "repl-diskless-load",
    kind: "enum",
    defaultValue: "disabled",
    choices: ["disabled", "on-empty-db", "swapdb"],
    description:
      "How a replica loads a full sync: disabled / on-empty-db flush first and answer -LOADING " +
      "meanwhile; swapdb loads beside the old dataset and swaps it in whole (old reads served " +
      "meanwhile when the master's history is ours; a failed load keeps the old dataset).",
  },
  {
    name: "repl-diskless-sync-delay",
    kind: "int",
    defaultValue: 5,
    min: 0,
    max: 2 ** 31 - 1,
    description: "Seconds a diskless full sync waits for more replicas to share its snapshot.",
  },
  {
    name: "repl-ping-replica-period",
    aliases: ["repl-ping-slave-period"],
    kind: "int",
    defaultValue: 10,
    min: 1,
    max: 2 ** 31 - 1,
    description: "Seconds between the PINGs a master feeds its replication stream.",
  },
  {
    name: "hll-sparse-max-bytes",
    kind: "memory",
    defaultValue: 3000,
    min: 0,
    // Redis allows up to LONG_MAX; a JS number is exact to 2^53 - 1, far beyond any value.
    max: 2 ** 53 - 1,
    description:
      "Largest sparse HyperLogLog (header included, bytes): an update growing one past it converts it to dense (12304 bytes).",
  },
  {
    name: "aof-use-rdb-preamble",
    kind: "bool",
    defaultValue: true,
    description:
      "Accepted for compatibility: an AOF rewrite always starts with an RDB preamble (Redis's default); loading reads either form.",
  },
  {
    name: "stream-node-max-bytes",
    kind: "memory",
    defaultValue: 4096,
    min: 0,
    // Redis allows up to LONG_MAX; a node never grows past 1 GiB whatever the setting.
    max: 2 ** 53 - 1,
    description:
      "Bytes of a stream node (listpack) past which XADD starts a new node; 0 = no limit (1 GiB).",
  },
  {
    name: "stream-node-max-entries",
    kind: "int",
    defaultValue: 100,
    min: 0,
    max: 2 ** 53 - 1,
    description:
      "Entries (deleted ones included) of a stream node past which XADD starts a new node; 0 = no limit.",
  },
  {
    name: "hash-max-listpack-entries",
    aliases: ["hash-max-ziplist-entries"],
    kind: "int",
    defaultValue: 512,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Fields past which a hash converts from listpack to hashtable (the engine " +
      "converts at 512 whatever the setting).",
  },
  {
    name: "hash-max-listpack-value",
    aliases: ["hash-max-ziplist-value"],
    kind: "memory",
    defaultValue: 64,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Longest field or value (bytes) a listpack hash holds; a longer one converts it " +
      "to hashtable (as does a listpack passing 1 GiB).",
  },
  {
    name: "set-max-intset-entries",
    kind: "int",
    defaultValue: 512,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Members past which an all-integer set converts from intset to hashtable " +
      "(at most 2^30, as Redis).",
  },
  {
    name: "zset-max-listpack-entries",
    aliases: ["zset-max-ziplist-entries"],
    kind: "int",
    defaultValue: 128,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Elements past which a sorted set converts from listpack to skiplist (the " +
      "engine converts at 1024 whatever the setting).",
  },
  {
    name: "zset-max-listpack-value",
    aliases: ["zset-max-ziplist-value"],
    kind: "memory",
    defaultValue: 64,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Longest member (bytes) a listpack sorted set holds; a longer one converts it " +
      "to skiplist (as does a listpack passing 1 GiB).",
  },
  {
    name: "slowlog-log-slower-than",
    kind: "int",
    defaultValue: 10000,
    min: -1,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description:
      "Microseconds a command runs before SLOWLOG records it; -1 records nothing, 0 everything.",
  },
  {
    name: "slowlog-max-len",
    kind: "int",
    defaultValue: 128,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description: "Most entries SLOWLOG keeps (the oldest go first).",
  },
  {
    name: "latency-monitor-threshold",
    kind: "int",
    defaultValue: 0,
    min: 0,
    max: 2 ** 53 - 1,
    maxText: LONG_MAX_TEXT,
    description:
      "Milliseconds an event (a command, an expire cycle …) takes before LATENCY records it; " +
      "0 turns the latency monitor off.",
  },
  {
    name: "latency-tracking",
    kind: "bool",
    defaultValue: true,
    description: "Keep a latency histogram per command (LATENCY HISTOGRAM, INFO latencystats).",
  },
  {
    name: "latency-tracking-info-percentiles",
    kind: "string",
    defaultValue: "50 99 99.9",
    arity: "rest",
    validate: (text) => {
      const percentiles = parsePercentiles(text);
      if (percentiles === null) return "Invalid latency-tracking-info-percentiles parameters";
      if (percentiles.some((p) => p < 0 || p > 100)) {
        return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]";
      }
      return null;
    },
    normalize: (text) => (parsePercentiles(text) ?? []).map(formatPercentile).join(" "),
    description: 'Percentiles INFO latencystats prints, space separated ("" for none).',
  },
  {
    name: "busy-reply-threshold",
    aliases: ["lua-time-limit"],
    kind: "int",
    defaultValue: 5000,
    min: 0,
    max: 2 ** 53 - 1,
    description:
      "Milliseconds a script runs before other clients get -BUSY (and may send SCRIPT KILL / " +
      "FUNCTION KILL / SHUTDOWN NOSAVE); until then the script runs alone.",
  },
  {
    name: "busy-script-kill-threshold",
    kind: "int",
    defaultValue: 5000,
    min: 0,
    max: 2 ** 53 - 1,
    description: "Milliseconds after which a script that cannot pause (inside EXEC, from the " +
      "master, while loading: no client could reach it) is stopped with an error, writes or " +
      "not (resplica-native); 0 = never. Other scripts pause past busy-reply-threshold instead.",
  },
  {
    name: "enable-debug-command",
    kind: "enum",
    defaultValue: "no",
    choices: ["yes", "no", "local"],
    immutable: true,
    description: "Allow DEBUG: yes, no (Redis's default), or local (loopback clients only).",
  },
  {
    name: "enable-module-command",
    kind: "enum",
    defaultValue: "no",
    choices: ["yes", "no", "local"],
    immutable: true,
    description: "Allow MODULE: yes, no (Redis's default), or local (loopback clients only); " +
      "resplica loads no modules either way.",
  },
  {
    name: "active-expire-enabled",
    kind: "bool",
    defaultValue: true,
    description: "Sample and delete expired keys in the background.",
  },
  {
    name: "lazyfree-lazy-eviction",
    kind: "bool",
    defaultValue: false,
    description:
      "Evicted values are freed lazily (resplica frees at once; counted in lazyfreed_objects).",
  },
  {
    name: "lazyfree-lazy-expire",
    kind: "bool",
    defaultValue: false,
    description: "Expired values are freed lazily (resplica frees at once).",
  },
  {
    name: "lazyfree-lazy-server-del",
    kind: "bool",
    defaultValue: false,
    description:
      "Values deleted by the server (RENAME, SET over a key …) are freed lazily (resplica frees at once).",
  },
  {
    name: "lazyfree-lazy-user-del",
    kind: "bool",
    defaultValue: false,
    description: "DEL acts as UNLINK (counted in lazyfreed_objects).",
  },
  {
    name: "lazyfree-lazy-user-flush",
    kind: "bool",
    defaultValue: false,
    description: "FLUSHALL / FLUSHDB without a mode act as ASYNC (counted in lazyfreed_objects).",
  },
  {
    name: "replica-lazy-flush",
    aliases: ["slave-lazy-flush"],
    kind: "bool",
    defaultValue: false,
    description:
      "A replica empties its dataset lazily before a full sync (resplica frees at once).",
  },
  {
    name: "list-max-listpack-size",
    aliases: ["list-max-ziplist-size"],
    kind: "int",
    defaultValue: -2,
    min: -(2 ** 31),
    max: 2 ** 31 - 1,
    description: "Shape of a list node (quicklist): -1..-5 cap its bytes at 4/8/16/32/64 KB, " +
      "a positive value caps its elements (within 8 KB); lists built earlier keep their nodes.",
  },
  {
    name: "list-compress-depth",
    kind: "int",
    defaultValue: 0,
    min: 0,
    max: 2 ** 31 - 1,
    description: "Accepted for compatibility (Redis: uncompressed nodes at each end of a list); " +
      "resplica never compresses list nodes.",
  },
  {
    name: "rdb-key-save-delay",
    kind: "int",
    defaultValue: 0,
    min: -(2 ** 31),
    max: 2 ** 31 - 1,
    hidden: true,
    description: "Accepted for compatibility (Redis: a test hook slowing each key a snapshot " +
      "child saves); resplica ignores it.",
  },
  {
    name: "key-load-delay",
    kind: "int",
    defaultValue: 0,
    min: -(2 ** 31),
    max: 2 ** 31 - 1,
    hidden: true,
    description: "Accepted for compatibility (Redis: a test hook slowing each key loaded); " +
      "resplica ignores it.",
  },
];

/**
 * maxmemory-clients as CONFIG GET shows it ("<bytes>" or "<n>%", n at most 100), or null when
 * `text` is neither a memory value nor such a percentage.
 */
function parseMaxmemoryClients(text: string): string | null {
  const bytes = parseMemory(text);
  if (bytes !== null && bytes >= 0 && Number.isSafeInteger(bytes)) return String(bytes);
  const percent = PERCENT_PATTERN.exec(text);
  if (percent === null || Number(percent[1]) > 100) return null;
  return `${percent[1]}%`;
}

/** A double as Redis's string2d takes it (strtod over the whole text, no NaN, no blank). */
const STRTOD_PATTERN =
  /^[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|0[xX]([\da-fA-F]+\.?[\da-fA-F]*|\.[\da-fA-F]+)([pP][+-]?\d+)?|inf|infinity)$/i;

/**
 * latency-tracking-info-percentiles' words as numbers ("" is none), or null when one is no
 * number (Redis splits the value into arguments, then string2d each).
 */
export function parsePercentiles(text: string): number[] | null {
  const words = text.split(/\s+/).filter((word) => word.length > 0);
  const out: number[] = [];
  for (const word of words) {
    if (!STRTOD_PATTERN.test(word)) return null;
    const lower = word.toLowerCase();
    const sign = lower.startsWith("-") ? -1 : 1;
    const unsigned = lower.replace(/^[+-]/, "");
    const value = unsigned.startsWith("inf")
      ? sign * Infinity
      : unsigned.startsWith("0x")
      ? sign * parseHexFloat(unsigned.slice(2))
      : Number(word);
    if (Number.isNaN(value)) return null;
    out.push(value);
  }
  return out;
}

/** A C99 hex float's digits after "0x" ("1.8p3" → 12). */
function parseHexFloat(text: string): number {
  const [mantissa, exponent = "0"] = text.toLowerCase().split("p");
  const [whole, fraction = ""] = mantissa.split(".");
  const value = parseInt(whole || "0", 16) +
    (fraction ? parseInt(fraction, 16) / 16 ** fraction.length : 0);
  return value * 2 ** Number(exponent);
}

/** A percentile as Redis prints it: "%f" with trailing zeros (and a bare point) trimmed. */
export function formatPercentile(percentile: number): string {
  return percentile.toFixed(6).replace(/\.?0+$/, "");
}

/** Error text Redis gives for a value that fails to parse or is out of range. */
export class ConfigValueError extends Error {}

export function findDirective(name: string): DirectiveSpec | undefined {
  const lower = name.toLowerCase();
  return DIRECTIVES.find((d) => d.name === lower || d.aliases?.includes(lower));
}

/** Converts text to the directive's typed value, or throws ConfigValueError with Redis's wording. */
export function parseDirectiveValue(spec: DirectiveSpec, text: string): ConfigValue {
  switch (spec.kind) {
    case "bool": {
      const value = parseYesNo(text);
      if (value === null) throw new ConfigValueError("argument must be 'yes' or 'no'");
      return value;
    }
    case "enum": {
      const lower = text.toLowerCase();
      if (!spec.choices!.includes(lower)) {
        throw new ConfigValueError(
          `argument(s) must be one of the following: ${spec.choices!.join(", ")}`,
        );
      }
      return lower;
    }
    case "int":
    case "memory": {
      const value = spec.kind === "int"
        ? (/^-?\d+$/.test(text) ? Number(text) : null)
        : parseMemory(text);
      // Every memory directive here is unsigned in Redis, whose memtoull refuses a sign too.
      if (spec.kind === "memory" && (value === null || value < 0)) {
        throw new ConfigValueError("argument must be a memory value");
      }
      if (value === null || !Number.isSafeInteger(value)) {
        throw new ConfigValueError("argument couldn't be parsed into an integer");
      }
      if (
        (spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)
      ) {
        throw new ConfigValueError(
          `argument must be between ${spec.min} and ${spec.maxText ?? spec.max} inclusive`,
        );
      }
      return value;
    }
    case "string": {
      const problem = spec.validate?.(text) ?? null;
      if (problem !== null) throw new ConfigValueError(problem);
      return text;
    }
  }
}

/** Renders a value the way CONFIG GET shows it. */
export function formatDirectiveValue(spec: DirectiveSpec, value: ConfigValue): string {
  if (spec.kind === "bool") return value ? "yes" : "no";
  return String(value);
}

/** Live configuration: typed values keyed by canonical directive name. */
export class Config {
  /**
   * Absolute path of the redis.conf the server was started with, "" without one: CONFIG
   * REWRITE writes back to it, INFO shows it as config_file.
   */
  configFilePath = "";
  #values = new Map<string, ConfigValue>();
  #listeners = new Map<string, (value: ConfigValue) => void>();
  /**
   * `rename-command <name> <new-name>` lines, in order (new-name "" disables the command).
   * Not a directive: it may repeat, CONFIG GET/SET never see it, and it only applies at start.
   */
  readonly commandRenames: [from: string, to: string][] = [];
  /** `user <name> [rule …]` lines: users defined in redis.conf, created at start-up. */
  readonly configuredUsers: [name: string, ...rules: string[]][] = [];

  constructor() {
    for (const spec of DIRECTIVES) this.#values.set(spec.name, spec.defaultValue);
  }

  get(name: string): ConfigValue {
    // Canonical names hit the map directly; the hot path (every command) never scans the table.
    const direct = this.#values.get(name);
    if (direct !== undefined) return direct;
    const spec = findDirective(name);
    if (!spec) throw new Error(`unknown directive ${name}`);
    return this.#values.get(spec.name)!;
  }
  getNumber(name: string): number {
    return this.get(name) as number;
  }
  getString(name: string): string {
    return this.get(name) as string;
  }
  getBool(name: string): boolean {
    return this.get(name) as boolean;
  }

  /** Sets from text; throws ConfigValueError. `startup` allows immutable directives. */
  setText(name: string, text: string, startup: boolean): void {
    const spec = findDirective(name);
    if (!spec) throw new Error(`unknown directive ${name}`);
    if (spec.immutable && !startup) throw new ConfigValueError("can't set immutable config");
    let value = parseDirectiveValue(spec, text);
    if (spec.normalize) {
      value = spec.normalize(value as string, this.#values.get(spec.name) as string);
    }
    this.#values.set(spec.name, value);
    this.#listeners.get(spec.name)?.(value);
  }

  /** Registers the hook that applies a directive's new value to the running server. */
  onChange(name: string, listener: (value: ConfigValue) => void): void {
    this.#listeners.set(name, listener);
  }

  entries(): [DirectiveSpec, ConfigValue][] {
    return DIRECTIVES.map((spec) => [spec, this.#values.get(spec.name)!]);
  }
}
