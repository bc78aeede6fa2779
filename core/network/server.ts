// The network server: accepts TCP connections and runs one read → execute → write loop per client.
// Each loop reads straight into its RespReader's buffer, executes every complete command in what
// arrived (pipelining), and answers the whole batch with one write, which is what keeps a Deno
// server level with redis-server at the socket (see REFERENCE.md, "Deno and AssemblyScript").
// Background work (active expiry, rehashing, idle timeouts) runs on a `hz` timer.

import { executeCommand } from "../commands/dispatch.ts";
import type { CommandTable } from "../commands/context.ts";
import { ProtocolError, QueryBufferLimitError, ReplyWriter, RespReader } from "../resp/mod.ts";
import { ClientState } from "../sessions/client.ts";
import { ReplicaState } from "../sessions/replica_state.ts";
import type { ServerState } from "../state/server_state.ts";
import { outputLimitExceeded } from "../sessions/output_limits.ts";

/** Bytes asked of each socket read; larger requests grow the buffer as they arrive. */
const READ_CHUNK_BYTES = 16 * 1024;
/** Read region of a client that sends little, and its reader's resting capacity. */
const SMALL_READ_BYTES = 1024;
/** Flush replies mid-batch past this size so a long pipeline cannot build a huge reply buffer. */
const REPLY_FLUSH_THRESHOLD_BYTES = 256 * 1024;
/** Share of each cron tick active expiry may use (Redis: 25%). */
const ACTIVE_EXPIRE_TICK_SHARE = 0.25;
/** Buckets of incremental rehash per db per tick. */
const CRON_REHASH_STEPS = 1000;

const PROTECTED_MODE_TEXT =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a bind address or an authentication password. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

function isLoopback(hostname: string): boolean {
  return hostname === "127.0.0.1" || hostname === "::1" || hostname.startsWith("127.") ||
    hostname === "::ffff:127.0.0.1";
}

function formatAddr(addr: Deno.Addr): string {
  const net = addr as Deno.NetAddr;
  return net.hostname.includes(":")
    ? `[${net.hostname}]:${net.port}`
    : `${net.hostname}:${net.port}`;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
}

/** Errors that only mean the peer went away. */
function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.NotConnected;
}

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
    const hz = this.state.config.getNumber("hz");
    this.#cronTimer = setInterval(() => this.#cron(), Math.max(1, Math.floor(1000 / hz)));
  }

  get port(): number {
    return this.state.port;
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
      const task = this.#serveConnection(conn);
      this.#connections.add(task);
      void task.finally(() => this.#connections.delete(task));
    }
  }

  async #serveConnection(conn: Deno.TcpConn): Promise<void> {
    const { state } = this;
    const config = state.config;
    state.stats.connectionsReceived++;
    const remote = conn.remoteAddr as Deno.NetAddr;
    if (state.clients.size >= config.getNumber("maxclients")) {
      state.stats.connectionsRejected++;
      state.log.verbose(`Rejected ${formatAddr(remote)}: max number of clients reached`);
      await writeAll(conn, new TextEncoder().encode("-ERR max number of clients reached\r\n"))
        .catch(() => {});
      conn.close();
      return;
    }
    if (
      config.getBool("protected-mode") && state.acl.defaultUser.nopass &&
      !isLoopback(remote.hostname)
    ) {
      await writeAll(conn, new TextEncoder().encode(PROTECTED_MODE_TEXT)).catch(() => {});
      conn.close();
      return;
    }
    try {
      conn.setNoDelay(true);
    } catch {
      // Not fatal: only latency suffers.
    }
    const reader = new RespReader({
      bulkLenMaxBytes: config.getNumber("proto-max-bulk-len"),
      multibulkLenMax: config.getNumber("proto-max-multibulk-len"),
      queryBufferMaxBytes: config.getNumber("client-query-buffer-limit"),
    }, SMALL_READ_BYTES);
    const writer = new ReplyWriter();
    const client = new ClientState(
      state.nextClientId(),
      formatAddr(remote),
      formatAddr(conn.localAddr),
      reader,
      writer,
      state.acl.defaultUserNeedsNoAuth(),
      Date.now(),
    );
    client.user = state.acl.defaultUser;
    let socketClosed = false;
    client.close = () => {
      state.blocking.cancel(client);
      if (socketClosed) return;
      socketClosed = true;
      try {
        conn.close();
      } catch {
        // Already closed by the peer.
      }
    };
    reader.authRequired = !client.authenticated;
    state.clients.set(client.id, client);
    // Writes are serialized: the client's own loop and Pub/Sub deliveries from other clients
    // both flush this writer, and bytes appended during a write stay for the next one.
    let writing: Promise<void> | null = null;
    const flush = async (): Promise<void> => {
      while (writing) await writing;
      if (writer.lengthBytes === 0) return;
      // Writes reach the AOF (and the disk, under appendfsync always) before their replies.
      state.beforeReply();
      const bytes = writer.view();
      const sizeBytes = bytes.length;
      state.stats.netOutputBytes += sizeBytes;
      writing = writeAll(conn, bytes);
      try {
        await writing;
      } finally {
        writing = null;
      }
      writer.consume(sizeBytes);
    };
    let flushScheduled = false;
    client.flushSoon = () => {
      // Bytes were pushed to this client: within its output buffer limits?
      if (client.writer.lengthBytes >= state.outputLimitMinBytes && !client.closeNow) {
        const reason = outputLimitExceeded(client, state.outputLimits, Date.now());
        if (reason !== null) {
          state.log.warning(
            `Client ${client.addr} closed for overcoming of output buffer limits: ${reason}`,
          );
          client.closeNow = true;
          client.close();
          return;
        }
      }
      if (flushScheduled) return;
      flushScheduled = true;
      queueMicrotask(() => {
        flushScheduled = false;
        flush().catch(() => client.close());
      });
    };
    // At most one socket read is in flight; while a client is blocked (BLPOP …) its read stays
    // outstanding so a disconnect is noticed, and the next loop turn takes its result.
    let inflightRead: Promise<number | null> | null = null;
    // Reads are sized to the client: one that sends little (idle, interactive) reads into
    // SMALL_READ_BYTES, so 10,000 idle connections hold little memory; a read that fills its
    // region asks for READ_CHUNK_BYTES next time (pipelines, bulk loads).
    let lastReadBytes = 0;
    let lastRegionBytes = 0;
    const readMore = () => {
      if (inflightRead !== null) return inflightRead;
      const region = reader.writable(
        lastReadBytes >= lastRegionBytes && lastReadBytes > 0 ? READ_CHUNK_BYTES : SMALL_READ_BYTES,
      );
      lastRegionBytes = region.length;
      inflightRead = conn.read(region);
      return inflightRead;
    };
    try {
      serve: while (!client.closeNow) {
        const n = await readMore();
        inflightRead = null;
        lastReadBytes = n ?? 0;
        if (n === null) break;
        reader.commit(n);
        state.stats.netInputBytes += n;
        while (true) {
          let argv: Uint8Array[] | null;
          try {
            argv = reader.next();
          } catch (error) {
            if (error instanceof ProtocolError) {
              state.log.verbose(`Protocol error (${error.message}) from client: ${client.addr}`);
              writer.error(error.message);
              await flush();
            }
            throw error;
          }
          if (argv === null) break;
          const pending = executeCommand(this.table, state, client, argv);
          if (pending) {
            if (client.blocked) {
              // Flush what came before the blocking command, then wait for it or a hang-up.
              await flush();
              while (true) {
                const read = readMore();
                const winner = await Promise.race([pending.then(() => 0), read.then(() => 1)]);
                if (winner === 0) break;
                const more = await read;
                inflightRead = null;
                lastReadBytes = more ?? 0;
                if (more === null) {
                  state.blocking.cancel(client);
                  await pending;
                  break serve;
                }
                reader.commit(more);
                state.stats.netInputBytes += more;
              }
            } else await pending;
          }
          // Before AUTH the reader applies Redis's tighter unauthenticated request limits.
          reader.authRequired = !client.authenticated;
          if (client.closeNow) break serve;
          if (client.closeAfterReply) {
            await flush();
            break serve;
          }
          // A reply past the client's output limit closes it, as in Redis (normal clients have
          // none by default; one comparison per command when under the smallest limit).
          if (writer.lengthBytes >= state.outputLimitMinBytes) {
            const reason = outputLimitExceeded(client, state.outputLimits, Date.now());
            if (reason !== null) {
              state.log.warning(
                `Client ${client.addr} closed for overcoming of output buffer limits: ${reason}`,
              );
              break serve;
            }
          }
          if (writer.lengthBytes > REPLY_FLUSH_THRESHOLD_BYTES) await flush();
        }
        await flush();
        // Give back a read buffer grown for a big request once it is drained. Only when no read
        // is in flight: a pending conn.read() holds a view of the current buffer.
        if (
          inflightRead === null && reader.bufferedBytes === 0 && lastReadBytes < SMALL_READ_BYTES
        ) {
          reader.shrink();
        }
      }
    } catch (error) {
      if (error instanceof QueryBufferLimitError) {
        state.log.warning(`Closing client that reached max query buffer length: ${client.addr}`);
      } else if (!(error instanceof ProtocolError) && !isDisconnect(error)) {
        state.log.warning(`Client ${client.addr} failed: ${(error as Error).message}`);
      }
    } finally {
      state.removeClient(client);
      client.close();
    }
  }

  #cron(): void {
    const { state } = this;
    const nowMs = Date.now();
    const tickMs = 1000 / state.config.getNumber("hz");
    if (state.config.getBool("active-expire-enabled")) {
      state.engine.activeExpireCycle(nowMs, tickMs * ACTIVE_EXPIRE_TICK_SHARE);
    }
    state.absorbExpired();
    state.engine.rehashStep(CRON_REHASH_STEPS);
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
