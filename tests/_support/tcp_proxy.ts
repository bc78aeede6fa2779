// A TCP proxy a test puts between a replica and its master, to inject the faults a network
// produces: cut every connection at once, delay every chunk, refuse new connections for a while.
// Loopback only; the test owns its lifetime (close() stops the listener and every pipe).

interface Pipe {
  client: Deno.TcpConn;
  upstream: Deno.TcpConn;
}

export class TcpProxy {
  readonly port: number;
  readonly #listener: Deno.TcpListener;
  readonly #upstreamPort: number;
  readonly #pipes = new Set<Pipe>();
  readonly #tasks = new Set<Promise<void>>();
  /** Added to every chunk forwarded, either way. */
  delayMs = 0;
  /** While true, new connections are accepted and closed at once (the master looks down). */
  refusing = false;
  /** Connections accepted so far (each is one replica session). */
  acceptedCount = 0;

  private constructor(listener: Deno.TcpListener, upstreamPort: number) {
    this.#listener = listener;
    this.port = (listener.addr as Deno.NetAddr).port;
    this.#upstreamPort = upstreamPort;
    this.#track(this.#acceptLoop());
  }

  static start(upstreamPort: number): TcpProxy {
    return new TcpProxy(Deno.listen({ hostname: "127.0.0.1", port: 0 }), upstreamPort);
  }

  /** Closes every proxied connection: both ends see the link drop. */
  cut(): number {
    const count = this.#pipes.size;
    for (const pipe of [...this.#pipes]) this.#closePipe(pipe);
    return count;
  }

  async close(): Promise<void> {
    this.#listener.close();
    this.cut();
    await Promise.allSettled([...this.#tasks]);
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    void task.finally(() => this.#tasks.delete(task));
  }

  async #acceptLoop(): Promise<void> {
    while (true) {
      let client: Deno.TcpConn;
      try {
        client = await this.#listener.accept();
      } catch {
        return; // listener closed
      }
      this.acceptedCount++;
      if (this.refusing) {
        client.close();
        continue;
      }
      let upstream: Deno.TcpConn;
      try {
        upstream = await Deno.connect({ hostname: "127.0.0.1", port: this.#upstreamPort });
      } catch {
        client.close();
        continue;
      }
      const pipe = { client, upstream };
      this.#pipes.add(pipe);
      this.#track(this.#forward(pipe, client, upstream));
      this.#track(this.#forward(pipe, upstream, client));
    }
  }

  async #forward(pipe: Pipe, from: Deno.TcpConn, to: Deno.TcpConn): Promise<void> {
    const buffer = new Uint8Array(64 * 1024);
    // Chunks keep their order when delayed: each write waits for the one before.
    let writing: Promise<void> = Promise.resolve();
    try {
      while (true) {
        const n = await from.read(buffer);
        if (n === null) break;
        const chunk = buffer.slice(0, n);
        const delayMs = this.delayMs;
        const previous = writing;
        writing = (async () => {
          await previous;
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          let written = 0;
          while (written < chunk.length) written += await to.write(chunk.subarray(written));
        })();
        if (delayMs === 0) await writing;
      }
      await writing;
    } catch {
      // Either side closed: the pipe is done.
    } finally {
      await writing.catch(() => {});
      this.#closePipe(pipe);
    }
  }

  #closePipe(pipe: Pipe): void {
    if (!this.#pipes.delete(pipe)) return;
    for (const conn of [pipe.client, pipe.upstream]) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}
