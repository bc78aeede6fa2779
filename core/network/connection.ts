// One client's connection: admission (maxclients, protected mode), then its read → execute →
// write loop. The loop reads straight into the client's RespReader buffer, executes every
// complete command in what arrived (pipelining), and answers the whole batch with one write,
// which is what keeps a Deno server level with redis-server at the socket (REFERENCE.md, "Deno
// and AssemblyScript"). As Redis's networking.c, three things bound what a client may cost:
// reads are sized to the client (an idle one holds SMALL_READ_BYTES), replies are flushed past
// REPLY_FLUSH_THRESHOLD_BYTES, and a client past its client-output-buffer-limit is closed.
//
// Writes to the socket are serialized: the client's own loop and pushes from other clients
// (Pub/Sub messages, the replication stream) both flush one writer, and bytes appended during
// a write wait for the next one.

import type { CommandTable } from "../commands/context.ts";
import { executeCommand } from "../commands/dispatch.ts";
import { runRequestPipeline } from "../commands/request_pipeline.ts";
import { ProtocolError, QueryBufferLimitError, ReplyWriter, RespReader } from "../resp/mod.ts";
import { ClientState } from "../sessions/client.ts";
import { outputLimitExceeded } from "../sessions/output_limits.ts";
import type { ServerState } from "../state/server_state.ts";

/** Bytes asked of each socket read once reads fill their region (pipelines, bulk loads). */
const READ_CHUNK_BYTES = 16 * 1024;
/** Read region of a client that sends little, and its reader's resting capacity. */
const SMALL_READ_BYTES = 1024;
/** Flush replies mid-batch past this size so a long pipeline cannot build a huge reply buffer. */
const REPLY_FLUSH_THRESHOLD_BYTES = 256 * 1024;

const MAX_CLIENTS_TEXT = "-ERR max number of clients reached\r\n";
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
export function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.ConnectionAborted || error instanceof Deno.errors.NotConnected;
}

export class ClientConnection {
  readonly #state: ServerState;
  readonly #table: CommandTable;
  readonly #conn: Deno.TcpConn;
  #client: ClientState | null = null;
  #socketClosed = false;
  /** The write in flight; flushes wait for it so bytes leave in order. */
  #writing: Promise<unknown> | null = null;
  #flushScheduled = false;
  /**
   * At most one socket read is in flight; while the client is blocked (BLPOP …) its read stays
   * outstanding so a disconnect is noticed, and the next loop turn takes its result.
   */
  #inflightRead: Promise<number | null> | null = null;
  /** Size of the last read and of the region it was offered: a full region asks for more. */
  #lastReadBytes = 0;
  #lastRegionBytes = 0;

  constructor(state: ServerState, table: CommandTable, conn: Deno.TcpConn) {
    this.#state = state;
    this.#table = table;
    this.#conn = conn;
  }

  /** Serves the connection until the client leaves or is closed; never throws. */
  async serve(): Promise<void> {
    const state = this.#state;
    state.stats.connectionsReceived++;
    const refusal = this.#admissionRefusal();
    if (refusal !== null) {
      await writeAll(this.#conn, new TextEncoder().encode(refusal)).catch(() => {});
      this.#conn.close();
      return;
    }
    try {
      this.#conn.setNoDelay(true);
    } catch {
      // Not fatal: only latency suffers.
    }
    const client = this.#open();
    try {
      await this.#loop(client);
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

  /** Redis's refusals before a client exists: maxclients, then protected mode. */
  #admissionRefusal(): string | null {
    const state = this.#state;
    const config = state.config;
    const remote = this.#conn.remoteAddr as Deno.NetAddr;
    if (state.clients.size >= config.getNumber("maxclients")) {
      state.stats.connectionsRejected++;
      state.log.verbose(`Rejected ${formatAddr(remote)}: max number of clients reached`);
      return MAX_CLIENTS_TEXT;
    }
    if (
      config.getBool("protected-mode") && state.acl.defaultUser.nopass &&
      !isLoopback(remote.hostname)
    ) {
      return PROTECTED_MODE_TEXT;
    }
    return null;
  }

  /** Creates the client's state, reader and writer, and registers it with the server. */
  #open(): ClientState {
    const state = this.#state;
    const config = state.config;
    const reader = new RespReader({
      bulkLenMaxBytes: config.getNumber("proto-max-bulk-len"),
      multibulkLenMax: config.getNumber("proto-max-multibulk-len"),
      queryBufferMaxBytes: config.getNumber("client-query-buffer-limit"),
    }, SMALL_READ_BYTES);
    const client = new ClientState(
      state.nextClientId(),
      formatAddr(this.#conn.remoteAddr),
      formatAddr(this.#conn.localAddr),
      reader,
      new ReplyWriter(),
      state.acl.defaultUserNeedsNoAuth(),
      Date.now(),
    );
    client.user = state.acl.defaultUser;
    const peer = (this.#conn.remoteAddr as Deno.NetAddr).hostname;
    client.isLocalPeer = peer === "127.0.0.1" || peer === "::1";
    client.close = () => this.#close(client);
    client.flushSoon = () => this.#flushSoon(client);
    reader.authRequired = !client.authenticated;
    state.clients.set(client.id, client);
    this.#client = client;
    return client;
  }

  #close(client: ClientState): void {
    this.#state.blocking.cancel(client);
    if (this.#socketClosed) return;
    this.#socketClosed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed by the peer.
    }
  }

  /** Writes out everything the client's writer holds, after any write in flight. */
  async #flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    const writer = this.#client!.writer;
    if (writer.lengthBytes === 0) return;
    // Writes reach the AOF (and the disk, under appendfsync always) before their replies.
    this.#state.beforeReply();
    const bytes = writer.view();
    const sizeBytes = bytes.length;
    this.#state.stats.netOutputBytes += sizeBytes;
    this.#writing = writeAll(this.#conn, bytes);
    try {
      await this.#writing;
    } finally {
      this.#writing = null;
    }
    writer.consume(sizeBytes);
    this.#client!.onOutputDrained?.();
  }

  /**
   * The flush at the end of each batch, with a single awaited socket write in the common case
   * (nothing in flight, everything written at once): no nested async calls, whose promises were
   * a measurable share of an unpipelined request (bench/PROFILE.md). Anything else: #flush.
   */
  #flushBatch(client: ClientState): Promise<void> | void {
    const writer = client.writer;
    if (this.#writing !== null || writer.lengthBytes === 0) return this.#flush();
    this.#state.beforeReply();
    const bytes = writer.view();
    const write = this.#conn.write(bytes);
    this.#writing = write;
    return write.then(
      (written) => {
        this.#writing = null;
        this.#state.stats.netOutputBytes += written;
        writer.consume(written);
        if (writer.lengthBytes > 0) return this.#flush(); // a short write, or pushes meanwhile
        client.onOutputDrained?.();
        return undefined;
      },
      (error) => {
        this.#writing = null;
        throw error;
      },
    );
  }

  /** Bytes were pushed to this client from elsewhere: check its limits, flush this turn. */
  #flushSoon(client: ClientState): void {
    if (client.writer.lengthBytes >= this.#state.outputLimitMinBytes && !client.closeNow) {
      if (this.#overOutputLimit(client)) {
        client.closeNow = true;
        client.close();
        return;
      }
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush().catch(() => client.close());
    });
  }

  /** True (and logged) when the client's pending replies are past its output buffer limit. */
  #overOutputLimit(client: ClientState): boolean {
    const reason = outputLimitExceeded(client, this.#state.outputLimits, Date.now());
    if (reason === null) return false;
    this.#state.log.warning(
      `Client ${client.addr} closed for overcoming of output buffer limits: ${reason}`,
    );
    return true;
  }

  /**
   * The read in flight, or a new one. Reads are sized to the client: one that sends little
   * (idle, interactive) reads into SMALL_READ_BYTES, so 10,000 idle connections hold little
   * memory; a read that filled its region asks for READ_CHUNK_BYTES next time.
   */
  #readMore(reader: RespReader): Promise<number | null> {
    if (this.#inflightRead !== null) return this.#inflightRead;
    const region = reader.writable(
      this.#lastReadBytes >= this.#lastRegionBytes && this.#lastReadBytes > 0
        ? READ_CHUNK_BYTES
        : SMALL_READ_BYTES,
    );
    this.#lastRegionBytes = region.length;
    this.#inflightRead = this.#conn.read(region);
    return this.#inflightRead;
  }

  /** Takes the finished read's result: false when the peer closed. */
  #readDone(reader: RespReader, n: number | null): boolean {
    this.#inflightRead = null;
    this.#lastReadBytes = n ?? 0;
    if (n === null) return false;
    reader.commit(n);
    this.#state.stats.netInputBytes += n;
    return true;
  }

  async #loop(client: ClientState): Promise<void> {
    const state = this.#state;
    const reader = client.reader;
    const writer = client.writer;
    while (!client.closeNow) {
      if (!this.#readDone(reader, await this.#readMore(reader))) return;
      while (true) {
        // Pipelined GET, SET, LPUSH … run in the engine straight from the request bytes.
        if (runRequestPipeline(this.#table, state, client, reader) > 0) {
          if (writer.lengthBytes >= state.outputLimitMinBytes && this.#overOutputLimit(client)) {
            return;
          }
          if (writer.lengthBytes > REPLY_FLUSH_THRESHOLD_BYTES) await this.#flush();
          continue;
        }
        let argv: Uint8Array[] | null;
        const bufferedBefore = reader.bufferedBytes;
        try {
          argv = reader.next();
        } catch (error) {
          if (error instanceof ProtocolError) {
            state.log.verbose(`Protocol error (${error.message}) from client: ${client.addr}`);
            writer.error(error.message);
            await this.#flush();
          }
          throw error;
        }
        if (argv === null) break;
        client.runningCommandBytes = bufferedBefore - reader.bufferedBytes;
        const pending = executeCommand(this.#table, state, client, argv);
        client.runningCommandBytes = 0;
        if (pending) {
          if (client.blocked) {
            if (!await this.#waitBlocked(client, pending)) return;
          } else await pending;
        }
        // Before AUTH the reader applies Redis's tighter unauthenticated request limits.
        reader.authRequired = !client.authenticated;
        if (client.closeNow) return;
        if (client.closeAfterReply) return await this.#flush();
        // A reply past the client's output limit closes it, as in Redis (normal clients have
        // none by default; one comparison per command when under the smallest limit).
        if (writer.lengthBytes >= state.outputLimitMinBytes && this.#overOutputLimit(client)) {
          return;
        }
        if (writer.lengthBytes > REPLY_FLUSH_THRESHOLD_BYTES) await this.#flush();
      }
      await this.#flushBatch(client);
      // Give back a read buffer grown for a big request once it is drained. Only when no read
      // is in flight: a pending conn.read() holds a view of the current buffer.
      if (
        this.#inflightRead === null && reader.bufferedBytes === 0 &&
        this.#lastReadBytes < SMALL_READ_BYTES
      ) {
        reader.shrink();
      }
    }
  }

  /**
   * A blocked command (BLPOP …): flushes what came before it, then waits for it to be served
   * or time out while the socket read stays outstanding. False when the peer hung up meanwhile.
   */
  async #waitBlocked(client: ClientState, pending: Promise<void>): Promise<boolean> {
    await this.#flush();
    while (true) {
      const read = this.#readMore(client.reader);
      const winner = await Promise.race([pending.then(() => 0), read.then(() => 1)]);
      if (winner === 0) return true;
      if (!this.#readDone(client.reader, await read)) {
        this.#state.blocking.cancel(client);
        await pending;
        return false;
      }
    }
  }
}
