// The network server: binds the listeners, accepts TCP connections and hands each to a
// ClientConnection (connection.ts), which runs that client's read → execute → write loop.
// Background work (active expiry, rehashing, save points, replication and idle timeouts) runs
// here on a `hz` timer, as Redis's serverCron.

import type { CommandTable } from "../commands/context.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import type { ServerState } from "../state/server_state.ts";
import { ClientConnection, isDisconnect } from "./connection.ts";
import { ConfigValueError } from "../config/table.ts";

/** The addresses a `bind` value names ("-" marks an optional address in Redis; bound here). */
function bindHostnames(text: string): string[] {
  return text.split(/\s+/).filter((h) => h !== "").map((h) => h.startsWith("-") ? h.slice(1) : h);
}

/** Share of each cron tick active expiry may use (Redis: 25%). */
const ACTIVE_EXPIRE_TICK_SHARE = 0.25;
/** Buckets of incremental rehash per db per tick. */
const CRON_REHASH_STEPS = 1000;

export class NetworkServer {
  readonly state: ServerState;
  readonly table: CommandTable;
  readonly listeners: Deno.TcpListener[] = [];
  readonly #connections = new Set<Promise<void>>();
  #cronTimer: ReturnType<typeof setInterval> | undefined;
  #closing: Promise<void> | null = null;
  #closedResolve!: () => void;
  /** Resolves once the server has stopped (SHUTDOWN, signal or close()). */
  readonly closed: Promise<void>;

  constructor(state: ServerState, table: CommandTable) {
    this.state = state;
    this.table = table;
    this.closed = new Promise((resolve) => this.#closedResolve = resolve);
    state.shutdown = () => this.close();
  }

  /** Binds every configured address on `port` (0 = any free port) and starts serving. */
  listen(hostnames: string[], port: number): void {
    let boundPort = port;
    for (const hostname of hostnames) {
      const listener = Deno.listen({ hostname, port: boundPort, transport: "tcp" });
      boundPort = (listener.addr as Deno.NetAddr).port;
      this.listeners.push(listener);
      void this.#acceptLoop(listener);
    }
    this.state.port = boundPort;
    // CONFIG SET port / bind rebind while serving (config/table.ts rows; commands/config.ts).
    this.state.config.onChange("port", (value) => this.#rebind(this.#hostnames, value as number));
    this.state.config.onChange("bind", (value) => {
      this.#rebind(bindHostnames(value as string), this.state.port);
    });
    const hz = this.state.config.getNumber("hz");
    this.#cronTimer = setInterval(() => this.#cron(), Math.max(1, Math.floor(1000 / hz)));
  }

  get port(): number {
    return this.state.port;
  }

  /** The addresses the listeners are bound to. */
  get #hostnames(): string[] {
    return this.listeners.map((listener) => (listener.addr as Deno.NetAddr).hostname);
  }

  /**
   * Listens on `hostnames` at `port` instead of the current listeners (CONFIG SET port, bind).
   * A listener already on a wanted address and port is kept; the new ones are opened before any
   * old one closes, so a failure (port in use) closes only what it opened and throws
   * ConfigValueError in Redis's words, the server still listening where it was.
   */
  #rebind(hostnames: string[], port: number): void {
    if (hostnames.length === 0) hostnames = ["127.0.0.1"];
    const kept: Deno.TcpListener[] = [];
    const opened: Deno.TcpListener[] = [];
    let boundPort = port;
    try {
      for (const hostname of hostnames) {
        const current = this.listeners.find((listener) => {
          const addr = listener.addr as Deno.NetAddr;
          return addr.hostname === hostname && addr.port === boundPort;
        });
        if (current !== undefined) {
          kept.push(current);
          continue;
        }
        const listener = Deno.listen({ hostname, port: boundPort, transport: "tcp" });
        boundPort = (listener.addr as Deno.NetAddr).port;
        opened.push(listener);
      }
    } catch (error) {
      for (const listener of opened) listener.close();
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigValueError(`Unable to listen on this port: ${reason}`);
    }
    for (const listener of this.listeners) if (!kept.includes(listener)) listener.close();
    this.listeners.splice(0, this.listeners.length, ...kept, ...opened);
    for (const listener of opened) void this.#acceptLoop(listener);
    this.state.port = boundPort;
  }

  async #acceptLoop(listener: Deno.TcpListener): Promise<void> {
    while (true) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch (error) {
        if (this.#closing || isDisconnect(error)) return;
        this.state.log.warning(`Accepting a connection failed: ${(error as Error).message}`);
        continue;
      }
      const task = new ClientConnection(this.state, this.table, conn).serve();
      this.#connections.add(task);
      void task.finally(() => this.#connections.delete(task));
    }
  }

  #cron(): void {
    const { state } = this;
    // A busy script owns the keyspace until it ends: no expiry, saves, syncs or timeouts (as
    // Redis, which runs only its event handlers while a script is timed out).
    if (state.busyScript !== null || state.cronPaused) return;
    const nowMs = Date.now();
    const tickMs = 1000 / state.config.getNumber("hz");
    // A CLIENT PAUSE that ran out ends here at the latest (its commands then run).
    state.clientPause.refresh(nowMs);
    if (state.config.getBool("active-expire-enabled")) {
      const expireStartedMs = performance.now();
      state.engine.activeExpireCycle(nowMs, tickMs * ACTIVE_EXPIRE_TICK_SHARE);
      state.absorbExpired();
      // LATENCY's "expire-cycle" event: the cycle and the deletions it propagates.
      state.latency.addSampleIfNeeded("expire-cycle", performance.now() - expireStartedMs, nowMs);
    }
    state.absorbExpired();
    if (state.tracking.clientCount > 0) state.tracking.limitKeys();
    state.engine.rehashStep(CRON_REHASH_STEPS);
    // One lazy-free slice per tick (lazy expiry queues work no command kicks), then the timer.
    if (state.lazyFree.slice()) state.lazyFree.kick();
    // A big command's staging region goes back once it is over (clientsCron trims query buffers).
    state.engine.trimStaging();
    // Streams whose key went (DEL, overwrite, expiry, FLUSH) are freed here or at the next
    // stream creation, whichever comes first.
    state.engine.reclaimHostValues(nowMs);
    state.saver.cron(state.savePoints, nowMs);
    state.aof?.cron(nowMs);
    state.aofRewriter.cron(nowMs);
    state.replication.cron(nowMs);
    state.failover.cron(nowMs);
    const timeoutS = state.config.getNumber("timeout");
    if (timeoutS > 0) {
      for (const client of state.clients.values()) {
        // Replicas are never idle-closed (Redis exempts them; repl-timeout governs them).
        if (client.replState !== ReplicaState.None) continue;
        if (nowMs - client.lastInteractionMs > timeoutS * 1000) {
          state.log.verbose(`Closing idle client ${client.addr}`);
          client.closeNow = true;
          client.close();
        }
      }
    }
  }

  /** Stops accepting, closes every client, stops background work. Idempotent. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closing = (async () => {
      clearInterval(this.#cronTimer);
      this.state.lazyFree.stop();
      this.state.blocking.cancelAll();
      for (const listener of this.listeners) {
        try {
          listener.close();
        } catch {
          // Already closed.
        }
      }
      for (const client of this.state.clients.values()) {
        client.closeNow = true;
        client.close();
      }
      await this.state.replicaLink?.shutdown();
      await Promise.allSettled([...this.#connections]);
      await this.state.saver.drain();
      this.state.aof?.close();
      this.#closedResolve();
    })();
    return this.#closing;
  }
}
