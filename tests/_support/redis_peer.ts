// A real redis-server as a test peer: find it, start it on a free port, stop it by its PID.
//
// The interop and differential tests hold resplica to what a real Redis does, so they need a
// redis-server binary. On a developer machine without one those tests are skipped (ignored); in
// CI (`CI=true`) a missing binary is a broken install, so `peerTest` fails loudly instead of
// skipping — a CI run that silently skipped every comparison would prove nothing.
//
// Each server gets its own port, its own temporary `--dir` (so no dump.rdb lands in the repo),
// no persistence (`--save "" --appendonly no`), and is stopped by signalling its own child
// process, never by name, so a developer's own redis-server is never touched.

import { pickFreePort } from "./ports.ts";
import { RawClient } from "./raw_client.ts";

/** How long `spawnPeerProcess` (redis-server, redis-sentinel) waits for the first `+PONG`. */
const STARTUP_TIMEOUT_MS = 10_000;
/** How long `stop()` waits after SIGTERM before sending SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;
/** Start attempts when the chosen port was taken in the meantime. */
const START_ATTEMPT_COUNT_MAX = 3;

/** A running redis-server started by a test. */
export interface RedisPeer {
  readonly port: number;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after a timeout) and removes its directory. */
  stop(): Promise<void>;
}

/**
 * The absolute path of the redis-server binary: `$REDIS_SERVER` if set, else the first
 * `redis-server` on `$PATH`, else null.
 */
export function redisServerPath(): string | null {
  return findExecutable("redis-server");
}

/** True when a redis-server binary can be found (see `redisServerPath`). */
export function hasRedisServer(): boolean {
  return redisServerPath() !== null;
}

/**
 * Finds an executable: the path in the env var named after it (`redis-cli` → `$REDIS_CLI`) if
 * set, else `name` on `$PATH`, else null. Shared with the tests that need redis-cli and
 * redis-benchmark.
 */
export function findExecutable(name: string): string | null {
  const fromEnv = Deno.env.get(name.toUpperCase().replaceAll("-", "_"));
  if (fromEnv) return fromEnv;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${name}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return candidate;
    } catch {
      // Not in this PATH entry.
    }
  }
  return null;
}

/** True when this run is CI, where missing peers are failures rather than skips. */
export function isCi(): boolean {
  return Deno.env.get("CI") === "true";
}

/**
 * A `Deno.test` that needs the binaries in `binaries` (default: redis-server).
 *
 * Ignored when one is missing outside CI; fails with a message naming the binary when one is
 * missing in CI.
 */
export function peerTest(
  name: string,
  fn: (t: Deno.TestContext) => Promise<void>,
  options: { binaries?: string[]; sanitizeOps?: boolean; sanitizeResources?: boolean } = {},
): void {
  const binaries = options.binaries ?? ["redis-server"];
  const missing = binaries.filter((binary) => findExecutable(binary) === null);
  Deno.test({
    name,
    ignore: missing.length > 0 && !isCi(),
    sanitizeOps: options.sanitizeOps ?? true,
    sanitizeResources: options.sanitizeResources ?? true,
    fn: async (t) => {
      if (missing.length > 0) {
        throw new Error(
          `CI=true but ${missing.join(", ")} not found on PATH: install redis-server, ` +
            `redis-tools, redis-sentinel (apt-get install -y redis-server redis-tools redis-sentinel); ` +
            `.ci/run does this`,
        );
      }
      await fn(t);
    },
  });
}

/**
 * Starts redis-server on a free 127.0.0.1 port with no persistence and waits until it
 * answers PING. `extraArgs` are appended as redis-server flags (e.g. `["--requirepass", "x"]`).
 * Throws, with the tail of the server's log, if it does not come up.
 */
export async function startRedisServer(extraArgs: string[] = []): Promise<RedisPeer> {
  const binary = redisServerPath();
  if (binary === null) throw new Error("startRedisServer: redis-server not found on PATH");
  let lastError: unknown;
  for (let attempt = 0; attempt < START_ATTEMPT_COUNT_MAX; attempt++) {
    try {
      return await startOnce(binary, extraArgs);
    } catch (error) {
      lastError = error; // Most likely the port was taken between pick and bind: retry.
    }
  }
  throw lastError;
}

async function startOnce(binary: string, extraArgs: string[]): Promise<RedisPeer> {
  const port = pickFreePort();
  const dir = await Deno.makeTempDir({ prefix: "resplica-redis-peer-" });
  const logPath = `${dir}/redis.log`;
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dir,
    "--logfile",
    logPath,
    "--daemonize",
    "no",
    ...extraArgs,
  ];
  const { pid, stop } = await spawnPeerProcess({ binary, args, port, dir, logPath });
  return { port, pid, stop };
}

/** A peer server a test spawned, as `spawnPeerProcess` returns it. */
export interface PeerProcess {
  readonly pid: number;
  /** Stops the process (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Spawns `binary args` (no stdio: the server logs to `logPath`, inside the temporary `dir` it
 * owns) and waits until it answers PING on `port`. If it exits first or stays silent for
 * `STARTUP_TIMEOUT_MS`, stops it, removes `dir`, and throws with the tail of its log.
 */
export async function spawnPeerProcess(options: {
  binary: string;
  args: string[];
  port: number;
  dir: string;
  logPath: string;
}): Promise<PeerProcess> {
  const { binary, port, dir, logPath } = options;
  const child = new Deno.Command(binary, {
    args: options.args,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await stopChild(child);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const deadlineMs = Date.now() + STARTUP_TIMEOUT_MS;
  const exited = child.status.then(() => true);
  while (Date.now() < deadlineMs) {
    if (await Promise.race([exited, delay(0).then(() => false)])) break;
    if (await answersPing(port)) return { pid: child.pid, stop };
    await delay(20);
  }
  const log = await Deno.readTextFile(logPath).catch(() => "(no log)");
  await stop();
  const name = binary.split("/").pop();
  throw new Error(
    `${name} on port ${port} did not answer PING; log tail:\n${
      log.split("\n").slice(-15).join("\n")
    }`,
  );
}

/** True when something on `port` answers PING with +PONG. */
export async function answersPing(port: number): Promise<boolean> {
  let client: RawClient | undefined;
  try {
    client = await RawClient.connect(port, 1_000);
    return (await client.commandText("PING")) === "+PONG\r\n";
  } catch {
    return false;
  } finally {
    client?.close();
  }
}

/** Sends SIGTERM to `child`, then SIGKILL if it has not exited after `STOP_TIMEOUT_MS`. */
export async function stopChild(child: Deno.ChildProcess): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      child.kill(name);
    } catch {
      // Already exited.
    }
  };
  signal("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([child.status, timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    signal("SIGKILL");
    await child.status;
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
