// MIGRATE (cluster.c migrateCommand): moves keys to another Redis-protocol server. Each key's
// value is serialized with DUMP's payload code (dump.ts), sent as `RESTORE key ttl payload
// [REPLACE]` after `AUTH` / `AUTH username password` and `SELECT db` on one connection, and the
// replies are read line by line as Redis's connSyncReadLine does. Keys the target acknowledged
// are deleted here unless COPY, and replicas and the AOF get one `DEL` of exactly those keys.
// Replies, error texts and the single retry on a stale cached socket follow Redis 7.0.
//
// Connections are cached per "host:port" (the port text as given, as Redis's cache names
// them), at most MIGRATE_SOCKET_CACHE_ITEMS, each closed after MIGRATE_SOCKET_CACHE_TTL_MS
// unused (an unref'd timer: a cached socket never keeps the process alive). The SELECT is sent
// only when the socket's last database differs, as Redis's last_dbid. A socket is checked out
// of the cache while a MIGRATE uses it, so two clients migrating to one target at once never
// interleave their commands on one connection: the second opens its own, and only one of them
// goes back to the cache.
//
// Redis blocks the whole server while it waits for the target. Here the command is
// asynchronous: other clients are served meanwhile. What that changes, and how no write is lost:
// - Payloads and expiry times are taken in one synchronous step when the command starts, so
//   the target receives the keys as they all were at one instant, as with Redis.
// - When the replies are in, the deletions, their keyspace events ("del", as Redis), the
//   snapshot's pre-write hook and the propagated DEL happen in one synchronous step too, so no
//   other command can run between a deletion and its DEL reaching replicas and the AOF (the
//   dispatcher's own propagation would come later, after other clients' writes queued in the
//   meantime). The command's own argv is never propagated.
// - A key another client changed while MIGRATE waited is not deleted: it is deleted only if
//   its DUMP payload and its expiry time are still exactly what was sent. A changed key stays
//   here with its new value (the target holds the value of the command's start), which is the
//   state a serial order "MIGRATE, then that write" gives for writes that set the whole value;
//   so a write is never lost, at the price of the key being on both servers. A key deleted
//   meanwhile stays deleted; a key that expired is left to expiry.
// - Inside MULTI/EXEC or a script there is no waiting without breaking their atomicity: there
//   MIGRATE answers NOKEY or its argument errors as usual, and an error instead of connecting.
//
// Timeouts apply per step, as Redis's: to connect, to write the commands, to read each reply
// line (`timeout` ms; 0 or less means 1000). An IO failure closes the cached socket; one that
// is not a timeout and happened before any RESTORE reply was read is retried once on a new
// connection (a cached socket the target closed is common).

import { isCWord, latin1 } from "../bytes.ts";
import { NOTIFY_GENERIC } from "../config/keyspace_events.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import type { ServerState } from "../state/server_state.ts";
import { int64Arg } from "./_args.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";
import { dumpPayload } from "./dump.ts";

/** Cached connections per server, as Redis's MIGRATE_SOCKET_CACHE_ITEMS. */
export const MIGRATE_SOCKET_CACHE_ITEMS = 64;
/** A cached connection unused this long is closed (Redis's MIGRATE_SOCKET_CACHE_TTL, 10 s). */
const MIGRATE_SOCKET_CACHE_TTL_MS = 10_000;
/** The timeout used when the argument is 0 or negative (Redis's). */
const TIMEOUT_MS_DEFAULT = 1000;
/** Longest timeout a timer can wait (setTimeout's 32-bit limit); larger ones are clamped. */
const TIMEOUT_MS_MAX = 2 ** 31 - 1;
/** Longest reply line accepted from the target; a longer one is an IO error. */
const REPLY_LINE_MAX_BYTES = 64 * 1024;
/** Bytes asked of the socket per read. */
const READ_CHUNK_BYTES = 16 * 1024;
/** argv indices of the fixed arguments. */
const HOST_INDEX = 1;
const PORT_INDEX = 2;
const KEY_INDEX = 3;
const DB_INDEX = 4;
const TIMEOUT_INDEX = 5;
const OPTIONS_INDEX = 6;

const ERR_KEYS_WITH_KEY =
  "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
const ERR_IO_CONNECT = "IOERR error or timeout connecting to the client";
const ERR_IO_WRITE = "IOERR error or timeout writing to target instance";
const ERR_IO_READ = "IOERR error or timeout reading to target instance";
const ERR_CANNOT_WAIT =
  "ERR resplica: MIGRATE cannot wait for its target inside MULTI/EXEC or a script";

const encoder = new TextEncoder();

// ── Options ──────────────────────────────────────────────────────────────────────────────────

/** What MIGRATE's options asked for. */
interface MigrateOptions {
  copy: boolean;
  replace: boolean;
  username: Uint8Array | null;
  password: Uint8Array | null;
  /** argv indices of the keys to move: argv[3], or those after KEYS. */
  keyIndexes: number[];
}

/**
 * Parses `[COPY] [REPLACE] [AUTH password] [AUTH2 username password] [KEYS key …]` from argv[6]
 * on, as migrateCommand does: an unknown word or a missing argument is a syntax error, KEYS
 * with a non-empty key argument an error of its own, and everything after KEYS is a key.
 */
function migrateOptions(argv: readonly Uint8Array[]): MigrateOptions {
  const options: MigrateOptions = {
    copy: false,
    replace: false,
    username: null,
    password: null,
    keyIndexes: [KEY_INDEX],
  };
  for (let i = OPTIONS_INDEX; i < argv.length; i++) {
    const moreArgs = argv.length - 1 - i;
    if (isCWord(argv[i], "copy")) {
      options.copy = true;
    } else if (isCWord(argv[i], "replace")) {
      options.replace = true;
    } else if (isCWord(argv[i], "auth")) {
      if (moreArgs < 1) fail(ERR_SYNTAX);
      options.password = argv[++i];
    } else if (isCWord(argv[i], "auth2")) {
      if (moreArgs < 2) fail(ERR_SYNTAX);
      options.username = argv[++i];
      options.password = argv[++i];
    } else if (isCWord(argv[i], "keys")) {
      if (argv[KEY_INDEX].length !== 0) fail(ERR_KEYS_WITH_KEY);
      options.keyIndexes = Array.from({ length: moreArgs }, (_, k) => i + 1 + k);
      break;
    } else {
      fail(ERR_SYNTAX);
    }
  }
  return options;
}

/** C's atoi: optional spaces and sign, then leading digits; 0 when there are none. */
function atoi(arg: Uint8Array): number {
  const match = /^\s*([+-]?\d+)/.exec(latin1(arg));
  return match === null ? 0 : Number.parseInt(match[1], 10);
}

// ── The socket cache ─────────────────────────────────────────────────────────────────────────

/** One connection to a target, cached or checked out by a running MIGRATE. */
interface MigrateSocket {
  /** "host:port" as given in argv: the cache's key. */
  readonly name: string;
  readonly conn: Deno.TcpConn;
  /** The database the last successful MIGRATE selected; -1 forces a SELECT. */
  lastDbid: bigint;
  /** Bytes read and not yet consumed: inbox[inboxStart, inboxEnd). */
  inbox: Uint8Array;
  inboxStart: number;
  inboxEnd: number;
  /** The idle timer while cached; null while checked out. */
  idleTimer: ReturnType<typeof setTimeout> | null;
  closed: boolean;
}

const socketCaches = new WeakMap<ServerState, Map<string, MigrateSocket>>();

function socketCache(server: ServerState): Map<string, MigrateSocket> {
  let cache = socketCaches.get(server);
  if (cache === undefined) socketCaches.set(server, cache = new Map());
  return cache;
}

/** How many connections `server` holds in its MIGRATE cache (INFO's migrate_cached_sockets). */
export function migrateCachedSocketCount(server: ServerState): number {
  return socketCaches.get(server)?.size ?? 0;
}

function closeSocket(socket: MigrateSocket): void {
  if (socket.closed) return;
  socket.closed = true;
  if (socket.idleTimer !== null) clearTimeout(socket.idleTimer);
  socket.idleTimer = null;
  try {
    socket.conn.close();
  } catch {
    // Already closed by the peer's reset.
  }
}

/** Resolves with `op`'s value, or "timeout" after `timeoutMs`, calling `onTimeout` then. */
async function withTimeout<T>(
  op: Promise<T>,
  timeoutMs: number,
  onTimeout: () => void,
): Promise<T | "timeout"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const outcome = await Promise.race([op, timedOut]);
    if (outcome === "timeout") onTimeout();
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A connection to `host`:`port`: the cached one, taken out of the cache, or a new one. When
 * none can be made: "unreachable" if the address does not resolve or the connect timed out
 * (Redis's "connecting" error), "refused" if the target answered with a refusal or a reset
 * (Redis's non-blocking connect reports those only at the first write: "writing").
 */
async function checkoutSocket(
  server: ServerState,
  host: Uint8Array,
  port: Uint8Array,
  timeoutMs: number,
): Promise<MigrateSocket | "unreachable" | "refused"> {
  const name = latin1(host) + ":" + latin1(port);
  const cache = socketCache(server);
  const cached = cache.get(name);
  if (cached !== undefined) {
    cache.delete(name);
    if (cached.idleTimer !== null) clearTimeout(cached.idleTimer);
    cached.idleTimer = null;
    return cached;
  }
  let connecting: Promise<Deno.TcpConn>;
  try {
    connecting = Deno.connect({ hostname: new TextDecoder().decode(host), port: atoi(port) });
  } catch {
    return "unreachable"; // a port out of range, a malformed host
  }
  const outcome = await withTimeout(
    connecting.catch((error) => error instanceof Error ? error : new Error(String(error))),
    timeoutMs,
    () => {
      connecting.then((conn) => conn.close(), () => {});
    },
  );
  if (outcome === "timeout") return "unreachable";
  if (outcome instanceof Error) {
    const refused = outcome instanceof Deno.errors.ConnectionRefused ||
      outcome instanceof Deno.errors.ConnectionReset ||
      outcome instanceof Deno.errors.ConnectionAborted;
    return refused ? "refused" : "unreachable";
  }
  try {
    outcome.setNoDelay(true);
  } catch {
    // Not fatal: only latency.
  }
  return {
    name,
    conn: outcome,
    lastDbid: -1n,
    inbox: new Uint8Array(READ_CHUNK_BYTES),
    inboxStart: 0,
    inboxEnd: 0,
    idleTimer: null,
    closed: false,
  };
}

/**
 * Puts a healthy connection back in the cache, unless another one to the same target got there
 * first (then this one is closed). A full cache closes its least recently used entry first.
 */
function releaseSocket(server: ServerState, socket: MigrateSocket): void {
  const cache = socketCache(server);
  if (socket.closed || cache.has(socket.name)) return closeSocket(socket);
  if (cache.size >= MIGRATE_SOCKET_CACHE_ITEMS) {
    const [oldestName, oldest] = cache.entries().next().value!;
    cache.delete(oldestName);
    closeSocket(oldest);
  }
  cache.set(socket.name, socket); // insertion order is use order: the oldest comes first
  const idleTimer = setTimeout(() => {
    if (cache.get(socket.name) === socket) cache.delete(socket.name);
    closeSocket(socket);
  }, MIGRATE_SOCKET_CACHE_TTL_MS);
  Deno.unrefTimer(idleTimer);
  socket.idleTimer = idleTimer;
}

// ── Talking to the target ────────────────────────────────────────────────────────────────────

type IoFailure = "error" | "timeout";

/** Writes all of `bytes`, each write within `timeoutMs`. */
async function writeAll(
  socket: MigrateSocket,
  bytes: Uint8Array,
  timeoutMs: number,
): Promise<IoFailure | null> {
  let sentBytes = 0;
  while (sentBytes < bytes.length) {
    const writing = socket.conn.write(bytes.subarray(sentBytes)).catch(() => -1);
    const written = await withTimeout(writing, timeoutMs, () => closeSocket(socket));
    if (written === "timeout") return "timeout";
    if (written <= 0) return "error";
    sentBytes += written;
  }
  return null;
}

/**
 * One reply line from the target without its CRLF (as Redis's connSyncReadLine), read within
 * `timeoutMs`; a failure when the target closes, errs, is too slow or sends an overlong line.
 */
async function readLine(socket: MigrateSocket, timeoutMs: number): Promise<string | IoFailure> {
  const deadlineMs = Date.now() + timeoutMs;
  for (;;) {
    const newline = socket.inbox.subarray(socket.inboxStart, socket.inboxEnd).indexOf(0x0a);
    if (newline >= 0) {
      let end = socket.inboxStart + newline;
      const next = end + 1;
      if (end > socket.inboxStart && socket.inbox[end - 1] === 0x0d) end--;
      const line = latin1(socket.inbox.subarray(socket.inboxStart, end));
      socket.inboxStart = next;
      return line;
    }
    if (socket.inboxEnd - socket.inboxStart >= REPLY_LINE_MAX_BYTES) return "error";
    makeRoom(socket);
    const remainingMs = deadlineMs - Date.now();
    if (remainingMs <= 0) {
      closeSocket(socket);
      return "timeout";
    }
    const reading = socket.conn.read(socket.inbox.subarray(socket.inboxEnd)).catch(() => null);
    const count = await withTimeout(reading, remainingMs, () => closeSocket(socket));
    if (count === "timeout") return "timeout";
    if (count === null || count === 0) return "error";
    socket.inboxEnd += count;
  }
}

/** Moves unread bytes to the inbox's start, growing it when it is full. */
function makeRoom(socket: MigrateSocket): void {
  const unread = socket.inbox.subarray(socket.inboxStart, socket.inboxEnd);
  let inbox = socket.inbox;
  if (unread.length + READ_CHUNK_BYTES > inbox.length) {
    inbox = new Uint8Array(unread.length + READ_CHUNK_BYTES);
  }
  inbox.set(unread, 0);
  socket.inbox = inbox;
  socket.inboxStart = 0;
  socket.inboxEnd = unread.length;
}

/** A RESP multibulk of `args`. */
function encodeCommand(args: readonly (string | Uint8Array)[]): Uint8Array[] {
  const parts: Uint8Array[] = [encoder.encode(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
  }
  return parts;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One key as it was when the command started. */
interface MigratedKey {
  key: Uint8Array;
  payload: Uint8Array;
  /** Absolute expiry (Unix ms), -1 for none. */
  expireAtMs: number;
}

/** What one exchange with the target gave. */
interface Exchange {
  /** Set when the commands could not be written, or the AUTH / SELECT reply not read. */
  failedBeforeReplies: { failure: IoFailure; writing: boolean } | null;
  authReply: string | null;
  selectReply: string | null;
  /** Keys a RESTORE was sent for (those not expired by then), in order. */
  sent: MigratedKey[];
  /** RESTORE replies read, in order: fewer than `sent` after a socket failure. */
  replies: string[];
  /** Why the replies stopped short, when they did. */
  replyFailure: IoFailure | null;
}

/** Sends AUTH, SELECT (when needed) and the RESTOREs, and reads their replies. */
async function exchange(
  request: ExchangeRequest,
  keys: readonly MigratedKey[],
): Promise<Exchange> {
  const { socket: link, options, dbid, timeoutMs } = request;
  const parts: Uint8Array[] = [];
  if (options.password !== null) {
    const auth = options.username !== null
      ? ["AUTH", options.username, options.password]
      : ["AUTH", options.password];
    parts.push(...encodeCommand(auth));
  }
  const select = link.lastDbid !== dbid;
  if (select) parts.push(...encodeCommand(["SELECT", String(dbid)]));
  // The TTL is taken now, as Redis's: relative, at least 1 ms; a key past its expiry is left.
  const nowMs = Date.now();
  const sent: MigratedKey[] = [];
  for (const migrated of keys) {
    let ttlMs = 0;
    if (migrated.expireAtMs !== -1) {
      ttlMs = migrated.expireAtMs - nowMs;
      if (ttlMs < 0) continue;
      if (ttlMs < 1) ttlMs = 1;
    }
    sent.push(migrated);
    const restore = ["RESTORE", migrated.key, String(ttlMs), migrated.payload];
    if (options.replace) restore.push("REPLACE");
    parts.push(...encodeCommand(restore));
  }
  const result: Exchange = {
    failedBeforeReplies: null,
    authReply: null,
    selectReply: null,
    sent,
    replies: [],
    replyFailure: null,
  };
  const writeFailure = await writeAll(link, concat(parts), timeoutMs);
  if (writeFailure !== null) {
    result.failedBeforeReplies = { failure: writeFailure, writing: true };
    return result;
  }
  if (options.password !== null) {
    const line = await readLine(link, timeoutMs);
    if (line === "error" || line === "timeout") {
      result.failedBeforeReplies = { failure: line, writing: false };
      return result;
    }
    result.authReply = line;
  }
  if (select) {
    const line = await readLine(link, timeoutMs);
    if (line === "error" || line === "timeout") {
      result.failedBeforeReplies = { failure: line, writing: false };
      return result;
    }
    result.selectReply = line;
  }
  for (let i = 0; i < sent.length; i++) {
    const line = await readLine(link, timeoutMs);
    if (line === "error" || line === "timeout") {
      result.replyFailure = line;
      break;
    }
    result.replies.push(line);
  }
  return result;
}

/** Where and how an exchange talks to the target. */
interface ExchangeRequest {
  socket: MigrateSocket;
  options: MigrateOptions;
  dbid: bigint;
  timeoutMs: number;
}

// ── The command ──────────────────────────────────────────────────────────────────────────────

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password]
 *   [AUTH2 username password] [KEYS key …]
 *
 * Outcomes, in Redis's order: a syntax error, the KEYS-with-a-key error, a non-integer timeout
 * or db; `+NOKEY` when none of the keys exists; `-IOERR error or timeout connecting to the
 * client`; `-IOERR error or timeout writing|reading to target instance`; `-ERR Target instance
 * replied with error: …` (the first of AUTH's, SELECT's and the RESTOREs' errors; keys the
 * target still acknowledged are deleted); `+OK`.
 */
function migrateCommand(ctx: CommandContext): void | Promise<void> {
  const { server, client, argv, nowMs } = ctx;
  // MIGRATE propagates the DEL of what it deleted itself, never its own argv (see the top).
  ctx.propagateAs = [];
  const options = migrateOptions(argv);
  let timeoutMs = Number(int64Arg(argv[TIMEOUT_INDEX]));
  const dbid = int64Arg(argv[DB_INDEX]);
  if (timeoutMs <= 0) timeoutMs = TIMEOUT_MS_DEFAULT;
  timeoutMs = Math.min(timeoutMs, TIMEOUT_MS_MAX);

  const db = client.db;
  const keys: MigratedKey[] = [];
  for (const index of options.keyIndexes) {
    const payload = dumpPayload(server, db, argv[index], nowMs);
    if (payload === null) continue;
    const expireAtMs = server.engine.getExpireAtMs(db, argv[index], nowMs);
    keys.push({ key: argv[index].slice(), payload, expireAtMs });
  }
  if (keys.length === 0) return ctx.out.simple("NOKEY");
  if (client.executingMulti) fail(ERR_CANNOT_WAIT);
  return transfer(ctx, options, dbid, timeoutMs, db, keys);
}

/** The part of MIGRATE that waits for the target: connect, exchange, retry once, finish. */
async function transfer(
  ctx: CommandContext,
  options: MigrateOptions,
  dbid: bigint,
  timeoutMs: number,
  db: number,
  keys: readonly MigratedKey[],
): Promise<void> {
  const { server, argv } = ctx;
  const host = argv[HOST_INDEX].slice();
  const port = argv[PORT_INDEX].slice();
  let mayRetry = true;
  for (;;) {
    const socket = await checkoutSocket(server, host, port, timeoutMs);
    if (socket === "unreachable") fail(ERR_IO_CONNECT);
    if (socket === "refused") {
      if (mayRetry) {
        mayRetry = false;
        continue;
      }
      fail(ERR_IO_WRITE);
    }
    const result = await exchange({ socket, options, dbid, timeoutMs }, keys);
    const early = result.failedBeforeReplies;
    if (early !== null) {
      closeSocket(socket);
      if (early.failure !== "timeout" && mayRetry) {
        mayRetry = false;
        continue;
      }
      fail(early.writing ? ERR_IO_WRITE : ERR_IO_READ);
    }
    const socketError = result.replyFailure !== null;
    const targetError = firstTargetError(result);
    // Nothing was acknowledged yet and the socket failed: a stale cached one, try a new one.
    if (
      targetError === null && socketError && result.replies.length === 0 && mayRetry &&
      result.replyFailure !== "timeout"
    ) {
      closeSocket(socket);
      mayRetry = false;
      continue;
    }
    if (socketError) closeSocket(socket);
    else {
      socket.lastDbid = targetError === null ? dbid : -1n;
      releaseSocket(server, socket);
    }
    if (!options.copy) deleteAcknowledged(ctx, db, result);
    if (targetError !== null) fail(`ERR Target instance replied with error: ${targetError}`);
    if (socketError) fail(ERR_IO_READ);
    return ctx.out.simple("OK");
  }
}

/**
 * The error text (without its '-') the client is given, as Redis picks it: for the first
 * RESTORE reply read while AUTH, SELECT or that RESTORE failed, AUTH's error, else SELECT's,
 * else the RESTORE's. Null when every reply read was a success.
 */
function firstTargetError(result: Exchange): string | null {
  const authFailed = result.authReply?.startsWith("-") === true;
  const selectFailed = result.selectReply?.startsWith("-") === true;
  for (const reply of result.replies) {
    if (authFailed) return result.authReply!.slice(1);
    if (selectFailed) return result.selectReply!.slice(1);
    if (reply.startsWith("-")) return reply.slice(1);
  }
  return null;
}

/**
 * Deletes the keys whose RESTORE the target acknowledged (none when AUTH or SELECT failed) and
 * that still hold what was sent, and propagates their DEL: one synchronous step (see the top).
 */
function deleteAcknowledged(
  ctx: CommandContext,
  db: number,
  result: Exchange,
): void {
  const { server } = ctx;
  const authOrSelectFailed = result.authReply?.startsWith("-") === true ||
    result.selectReply?.startsWith("-") === true;
  if (authOrSelectFailed) return;
  const nowMs = Date.now();
  const acknowledged = result.sent.filter((_, i) =>
    i < result.replies.length && !result.replies[i].startsWith("-")
  );
  const unchanged = acknowledged.filter((migrated) => {
    const payload = dumpPayload(server, db, migrated.key, nowMs);
    return payload !== null && sameBytes(payload, migrated.payload) &&
      server.engine.getExpireAtMs(db, migrated.key, nowMs) === migrated.expireAtMs;
  });
  if (unchanged.length === 0) return;
  if (server.saver.snapshotRunning) server.saver.beforeCommand(db, ctx.spec, ctx.argv);
  // A frame of our own: the keys' events are "del" (as Redis), whatever command frames other
  // clients' runs left open meanwhile.
  const notifier = server.keyspaceEvents;
  const frame = notifier.beginFrame();
  const deleted: Uint8Array[] = [];
  try {
    for (const { key } of unchanged) {
      if (!server.engine.del(db, key, nowMs)) continue;
      server.keyModified(db, key);
      deleted.push(key);
    }
  } finally {
    notifier.endFrame(frame);
  }
  for (const key of deleted) notifier.notify(NOTIFY_GENERIC, "del", key, db);
  if (deleted.length > 0 && server.propagationListeners.length > 0) {
    server.propagate(db, ["DEL", ...deleted]);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export const MIGRATE_COMMANDS: CommandDefinition[] = [
  {
    name: "migrate",
    arity: -6,
    flags: ["write", "movablekeys"],
    keys: [3, 3, 1],
    keySpecs: [
      { flags: ["RW", "access", "delete"], beginIndex: 3, lastKey: 0, keyStep: 1, limit: 0 },
      {
        flags: ["RW", "access", "delete", "incomplete"],
        beginIndex: 0,
        beginKeyword: { keyword: "KEYS", startFrom: -2 },
        lastKey: -1,
        keyStep: 1,
        limit: 0,
      },
    ],
    categories: ["keyspace", "write", "slow", "dangerous"],
    group: "generic",
    summary: "Atomically transfer a key from a Redis instance to another one.",
    since: "2.6.0",
    complexity: "This command actually executes a DUMP+DEL in the source instance, and a " +
      "RESTORE in the target instance. See the pages of these commands for time complexity. " +
      "Also an O(N) data transfer between the two instances is performed.",
    tips: ["nondeterministic_output"],
    handler: migrateCommand,
  },
];
