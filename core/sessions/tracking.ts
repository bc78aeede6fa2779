// Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c. Two ways to hear about
// changes:
//
//   default mode                          BCAST mode
//   ┌────────────────────────────┐        ┌───────────────────────────────────────────┐
//   │ #table: key → {client ids} │        │ #prefixes: prefix → { clients,            │
//   │  filled by reads of a      │        │   keys written since the last broadcast → │
//   │  tracking client, emptied  │        │   who wrote them (for NOLOOP) }           │
//   │  key by key on its write   │        │  sent once per turn of the event loop     │
//   └────────────────────────────┘        └───────────────────────────────────────────┘
//
// An invalidation goes to the tracking client as a RESP3 push `>2 invalidate [keys]`, or to the
// client it redirects to: a RESP3 push there too, or for a RESP2 client subscribed to anything
// a `message __redis__:invalidate [keys]`. A flush sends a null instead of the key array. As in
// Redis the table is keyed by key name alone (not by database), ids stay in it after a client
// turns tracking off or leaves (skipped when the key is written), and `tracking-table-max-keys`
// bounds it by invalidating keys (a bounded effort per call, growing while still over).
//
// An invalidation for the client whose command is running is held until its reply is written
// (Redis's tracking_pending_keys), as is one for a blocked client being served.

import { latin1 } from "../bytes.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import { type ClientState, TrackingFlag } from "./client.ts";

const INVALIDATE = new TextEncoder().encode("invalidate");
const REDIR_BROKEN = new TextEncoder().encode("tracking-redir-broken");
const MESSAGE = new TextEncoder().encode("message");
/** The channel a RESP2 redirect client hears invalidations on. */
export const TRACKING_CHANNEL = new TextEncoder().encode("__redis__:invalidate");
/** The null payload of a flush, in the tracking client's protocol (Redis's shared.null[resp]). */
const NULL_RESP2 = new TextEncoder().encode("$-1\r\n");
const NULL_RESP3 = new TextEncoder().encode("_\r\n");

/** Keys invalidated per call while the table is over its limit, times the calls still over. */
const EVICTION_EFFORT_KEYS = 100;

/** One BCAST prefix: its clients, and the keys under it written since the last broadcast. */
interface BcastPrefix {
  readonly prefix: Uint8Array;
  readonly clients: Set<ClientState>;
  /** latin1 key → its bytes and the client that wrote it last (null: expiry, eviction). */
  keys: Map<string, { key: Uint8Array; writer: ClientState | null }>;
}

/** CLIENT TRACKING ON's options, parsed. */
export interface TrackingOptions {
  /** Client id invalidations go to; 0 for the tracking client itself. */
  redirectId: number;
  /** TrackingFlag bits among Bcast, Optin, Optout, Noloop. */
  flags: number;
  prefixes: Uint8Array[];
}

export class TrackingRegistry {
  /** Tracked keys (latin1) → ids of the clients that read them. */
  readonly #table = new Map<string, Set<number>>();
  /** Ids across the whole table (INFO tracking_total_items). */
  #totalItems = 0;
  /** BCAST prefixes (latin1) in use by at least one client. */
  readonly #prefixes = new Map<string, BcastPrefix>();
  /** Clients with tracking on (INFO tracking_clients). */
  #clientCount = 0;
  /** Calls of limitKeys that found the table still over its limit (raises the effort). */
  #overLimitCalls = 0;
  #broadcastScheduled = false;
  readonly #lookup: (id: number) => ClientState | undefined;
  /** `tracking-table-max-keys` (0: no limit); kept current by the server state. */
  maxKeys = 1_000_000;
  /**
   * The client whose command is running (Redis's server.current_client): NOLOOP skips it, and
   * its own invalidations wait for its reply. Set by the dispatcher; null between commands.
   */
  current: ClientState | null = null;

  constructor(lookup: (id: number) => ClientState | undefined) {
    this.#lookup = lookup;
  }

  /** Anything to invalidate on a write: a tracked key or a BCAST prefix (one check per write). */
  get active(): boolean {
    return this.#table.size > 0 || this.#prefixes.size > 0;
  }

  get clientCount(): number {
    return this.#clientCount;
  }
  /** INFO tracking_total_keys. */
  get totalKeys(): number {
    return this.#table.size;
  }
  /** INFO tracking_total_items. */
  get totalItems(): number {
    return this.#totalItems;
  }
  /** INFO tracking_total_prefixes. */
  get totalPrefixes(): number {
    return this.#prefixes.size;
  }

  /**
   * The error CLIENT TRACKING ON … BCAST PREFIX … answers when a prefix overlaps one the client
   * has or another given (one is a prefix of the other), else null.
   */
  prefixCollision(client: ClientState, prefixes: readonly Uint8Array[]): string | null {
    for (let i = 0; i < prefixes.length; i++) {
      for (const existing of client.trackingPrefixes ?? []) {
        if (overlaps(latinBytes(existing), prefixes[i])) {
          return `ERR Prefix '${latin1(prefixes[i])}' overlaps with an existing prefix ` +
            `'${existing}'. Prefixes for a single client must not overlap.`;
        }
      }
      for (let j = i + 1; j < prefixes.length; j++) {
        if (overlaps(prefixes[i], prefixes[j])) {
          return `ERR Prefix '${latin1(prefixes[i])}' overlaps with another provided prefix ` +
            `'${latin1(prefixes[j])}'. Prefixes for a single client must not overlap.`;
        }
      }
    }
    return null;
  }

  /** CLIENT TRACKING ON (options already checked): Redis's enableTracking. */
  enable(client: ClientState, options: TrackingOptions): void {
    if ((client.trackingFlags & TrackingFlag.On) === 0) this.#clientCount++;
    client.trackingFlags = TrackingFlag.On;
    client.trackingRedirectId = options.redirectId;
    if ((options.flags & TrackingFlag.Bcast) !== 0) {
      client.trackingFlags |= TrackingFlag.Bcast;
      if (options.prefixes.length === 0) this.#addPrefix(client, new Uint8Array(0));
      for (const prefix of options.prefixes) this.#addPrefix(client, prefix);
    }
    client.trackingFlags |= options.flags &
      (TrackingFlag.Optin | TrackingFlag.Optout | TrackingFlag.Noloop);
  }

  #addPrefix(client: ClientState, prefix: Uint8Array): void {
    const name = latin1(prefix);
    let entry = this.#prefixes.get(name);
    if (entry === undefined) {
      entry = { prefix: prefix.slice(), clients: new Set(), keys: new Map() };
      this.#prefixes.set(name, entry);
    }
    entry.clients.add(client);
    (client.trackingPrefixes ??= new Set()).add(name);
  }

  /** CLIENT TRACKING OFF, RESET, a disconnect: Redis's disableTracking. */
  disable(client: ClientState): void {
    if (client.trackingPrefixes !== null) {
      for (const name of client.trackingPrefixes) {
        const entry = this.#prefixes.get(name);
        if (entry === undefined) continue;
        entry.clients.delete(client);
        if (entry.clients.size === 0) this.#prefixes.delete(name);
      }
      client.trackingPrefixes = null;
    }
    if ((client.trackingFlags & TrackingFlag.On) !== 0) this.#clientCount--;
    client.trackingFlags = 0;
  }

  /**
   * A read-only command of `client` named these keys: remember that it may cache them, unless
   * OPTIN without CACHING YES or OPTOUT with CACHING NO says otherwise (trackingRememberKeys).
   */
  rememberKeys(client: ClientState, keys: readonly Uint8Array[]): void {
    const flags = client.trackingFlags;
    if ((flags & TrackingFlag.On) === 0 || (flags & TrackingFlag.Bcast) !== 0) return;
    const caching = (flags & TrackingFlag.Caching) !== 0;
    if ((flags & TrackingFlag.Optin) !== 0 && !caching) return;
    if ((flags & TrackingFlag.Optout) !== 0 && caching) return;
    for (const key of keys) {
      const name = latin1(key);
      let ids = this.#table.get(name);
      if (ids === undefined) this.#table.set(name, ids = new Set());
      if (ids.has(client.id)) continue;
      ids.add(client.id);
      this.#totalItems++;
    }
  }

  /**
   * `key` was written (by `writer`, null for expiry): queue it for BCAST prefixes it falls under,
   * and invalidate it for every client that read it (trackingInvalidateKey).
   */
  invalidateKey(key: Uint8Array, writer: ClientState | null, bcast = true): void {
    if (bcast && this.#prefixes.size > 0) this.#rememberForBroadcast(key, writer);
    if (this.#table.size === 0) return;
    const name = latin1(key);
    const ids = this.#table.get(name);
    if (ids === undefined) return;
    this.#table.delete(name);
    this.#totalItems -= ids.size;
    for (const id of ids) {
      const target = this.#lookup(id);
      if (target === undefined) continue;
      const flags = target.trackingFlags;
      if ((flags & TrackingFlag.On) === 0 || (flags & TrackingFlag.Bcast) !== 0) continue;
      if ((flags & TrackingFlag.Noloop) !== 0 && target === this.current) continue;
      if (target === this.current || target.blocked) this.#hold(target, key.slice());
      else this.#send(target, [key]);
    }
  }

  /** FLUSHDB, FLUSHALL: a null invalidation to every tracking client, and an empty table. */
  invalidateAll(clients: Iterable<ClientState>): void {
    if (this.#clientCount > 0) {
      for (const client of clients) {
        if ((client.trackingFlags & TrackingFlag.On) === 0) continue;
        if (client === this.current) this.#hold(client, null);
        else this.#send(client, null);
      }
    }
    this.#table.clear();
    this.#totalItems = 0;
  }

  /**
   * Keeps the table within `maxKeys` by invalidating keys, oldest first, at most
   * EVICTION_EFFORT_KEYS times the number of calls in a row that found it over (as Redis's
   * trackingLimitUsedSlots, which walks at random). Called before each command and from cron.
   */
  limitKeys(): void {
    if (this.maxKeys === 0 || this.#table.size <= this.maxKeys) {
      this.#overLimitCalls = 0;
      return;
    }
    let effort = EVICTION_EFFORT_KEYS * (this.#overLimitCalls + 1);
    for (const name of this.#table.keys()) {
      if (effort-- <= 0) break;
      this.invalidateKey(latinBytes(name), null, false);
      if (this.#table.size <= this.maxKeys) {
        this.#overLimitCalls = 0;
        return;
      }
    }
    this.#overLimitCalls++;
  }

  /** Writes the invalidations held for `client` (after its reply); see invalidateKey. */
  deliverHeld(client: ClientState): void {
    const held = client.trackingPending;
    if (held === null) return;
    client.trackingPending = null;
    for (const key of held) this.#send(client, key === null ? null : [key]);
  }

  #hold(client: ClientState, key: Uint8Array | null): void {
    if (client.trackingPending === null) {
      client.trackingPending = [];
      // A blocked client is answered inside another client's command: deliver after it.
      if (client !== this.current) queueMicrotask(() => this.deliverHeld(client));
    }
    client.trackingPending.push(key);
  }

  #rememberForBroadcast(key: Uint8Array, writer: ClientState | null): void {
    let copy: Uint8Array | null = null;
    for (const entry of this.#prefixes.values()) {
      if (!startsWith(key, entry.prefix)) continue;
      copy ??= key.slice();
      entry.keys.set(latin1(key), { key: copy, writer });
    }
    if (copy !== null && !this.#broadcastScheduled) {
      this.#broadcastScheduled = true;
      queueMicrotask(() => this.broadcast());
    }
  }

  /**
   * Sends each BCAST prefix's written keys to its clients, one message per prefix, leaving out
   * for a NOLOOP client the keys it wrote itself (trackingBroadcastInvalidationMessages). Runs
   * once the current turn's commands are done.
   */
  broadcast(): void {
    this.#broadcastScheduled = false;
    // Prefixes and keys in byte order, as Redis walks its radix trees.
    const names = [...this.#prefixes.keys()].sort();
    for (const name of names) {
      const entry = this.#prefixes.get(name)!;
      if (entry.keys.size === 0) continue;
      const written = [...entry.keys.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
        .map(([, w]) => w);
      entry.keys = new Map();
      const all = written.map((w) => w.key);
      for (const client of entry.clients) {
        if ((client.trackingFlags & TrackingFlag.Noloop) === 0) {
          this.#send(client, all);
          continue;
        }
        const others = written.filter((w) => w.writer !== client).map((w) => w.key);
        if (others.length > 0) this.#send(client, others);
      }
    }
  }

  /**
   * One invalidation for tracking client `client` (keys, or null for a flush), to it or to its
   * redirect client (sendTrackingMessage). A redirect client that is gone marks the redirect
   * broken and, for a RESP3 client, tells it so.
   */
  #send(client: ClientState, keys: readonly Uint8Array[] | null): void {
    let to = client;
    const redirectId = client.trackingRedirectId;
    if (redirectId !== 0) {
      const redirect = this.#lookup(redirectId);
      if (redirect === undefined) {
        client.trackingFlags |= TrackingFlag.BrokenRedir;
        if (client.protocol === 3) {
          client.writer.pushHeader(2);
          client.writer.bulk(REDIR_BROKEN);
          client.writer.integer(redirectId);
          client.flushSoon();
        }
        return;
      }
      to = redirect;
    }
    const out = to.writer;
    if (to.protocol === 3) {
      out.pushHeader(2);
      out.bulk(INVALIDATE);
    } else if (to !== client && to.subscriptionCount > 0) {
      out.pushHeader(3);
      out.bulk(MESSAGE);
      out.bulk(TRACKING_CHANNEL);
    } else {
      return; // RESP2 on its own connection has no way to push
    }
    writeKeys(out, keys, client.protocol);
    to.flushSoon();
  }
}

function writeKeys(out: ReplyWriter, keys: readonly Uint8Array[] | null, protocol: 2 | 3): void {
  if (keys === null) {
    out.raw(protocol === 3 ? NULL_RESP3 : NULL_RESP2);
    return;
  }
  out.arrayHeader(keys.length);
  for (const key of keys) out.bulk(key);
}

/** True when one of `a`, `b` starts with the other (Redis's stringCheckPrefix). */
function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return a.length <= b.length ? startsWith(b, a) : startsWith(a, b);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > bytes.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** The bytes of a latin1 string (one char per byte). */
function latinBytes(name: string): Uint8Array {
  const bytes = new Uint8Array(name.length);
  for (let i = 0; i < name.length; i++) bytes[i] = name.charCodeAt(i);
  return bytes;
}
