// resplica as its own process (the CLI, as users run it), for tests that must kill it for real
// (kill -9) or restart it on the same files. Always on 127.0.0.1, on a port picked here.

import { pickFreePort } from "./ports.ts";
import { answersPing, delay } from "./redis_peer.ts";

/** How long a spawned server may take to answer its first PING. */
const START_TIMEOUT_MS = 20_000;

export interface ResplicaProcess {
  port: number;
  child: Deno.ChildProcess;
}

/**
 * Starts `deno run -A core/main.ts [configPath] --port <port> --save "" …args` and waits for
 * PING. With `configPath` the server runs from that redis.conf (so CONFIG REWRITE has a file to
 * rewrite); the flags still win over it, as with redis-server. `port` (default: a free one)
 * brings a killed server back where its peers know it.
 */
export async function spawnResplica(
  args: string[],
  options: { configPath?: string; port?: number } = {},
): Promise<ResplicaProcess> {
  const port = options.port ?? pickFreePort();
  const configArgs = options.configPath === undefined ? [] : [options.configPath];
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "core/main.ts",
      ...configArgs,
      "--port",
      String(port),
      "--save",
      "",
      ...args,
    ],
    // RESPLICA_TEST_LOG=1 shows the servers' logs when a test needs debugging.
    stdout: Deno.env.get("RESPLICA_TEST_LOG") === "1" ? "inherit" : "null",
    stderr: Deno.env.get("RESPLICA_TEST_LOG") === "1" ? "inherit" : "null",
  }).spawn();
  const deadlineMs = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadlineMs) {
    if (await answersPing(port)) return { port, child };
    await delay(50);
  }
  child.kill("SIGKILL");
  await child.status;
  throw new Error("spawnResplica: the server did not start");
}

/** kill -9 by PID, and wait until the process is gone. */
export async function killHard(server: ResplicaProcess): Promise<void> {
  try {
    server.child.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await server.child.status;
}
