// A real redis-sentinel as a test peer, watching one master: started from a config file in its
// own temporary directory (Sentinel rewrites that file as it learns replicas and epochs, so it
// must be writable and must not land in the repo), on a free port, stopped by its own PID.
//
// The timings are cut far below Sentinel's defaults (down-after 30 s, failover-timeout 3 min) so
// a failover test ends in seconds; the directives are the ones Redis documents for sentinel.conf.

import { pickFreePort } from "./ports.ts";
import { findExecutable, spawnPeerProcess } from "./redis_peer.ts";

/** A running redis-sentinel started by a test. */
export interface SentinelProcess {
  readonly port: number;
  readonly pid: number;
  /** Sentinel's log (loglevel verbose), for failure messages. */
  readonly logPath: string;
  /** Stops the sentinel (SIGTERM, then SIGKILL) and removes its directory. Idempotent. */
  stop(): Promise<void>;
}

export interface SentinelOptions {
  /** The name clients ask Sentinel for (`SENTINEL GET-MASTER-ADDR-BY-NAME <name>`). */
  masterName: string;
  masterPort: number;
  /** Sentinels that must agree the master is down; 1 for a lone sentinel. */
  quorum: number;
  /** Silence after which the master is subjectively down. */
  downAfterMs: number;
  /** Bound on one failover attempt (and the delay before retrying one). */
  failoverTimeoutMs: number;
}

/** Starts redis-sentinel monitoring `127.0.0.1:<masterPort>` and waits until it answers PING. */
export async function startSentinel(options: SentinelOptions): Promise<SentinelProcess> {
  const binary = findExecutable("redis-sentinel");
  if (binary === null) throw new Error("startSentinel: redis-sentinel not found on PATH");
  const port = pickFreePort();
  const dir = await Deno.makeTempDir({ prefix: "resplica-sentinel-" });
  const logPath = `${dir}/sentinel.log`;
  const configPath = `${dir}/sentinel.conf`;
  const name = options.masterName;
  await Deno.writeTextFile(
    configPath,
    [
      `port ${port}`,
      "bind 127.0.0.1",
      `dir ${dir}`,
      `logfile ${logPath}`,
      "loglevel verbose",
      "sentinel resolve-hostnames no",
      `sentinel monitor ${name} 127.0.0.1 ${options.masterPort} ${options.quorum}`,
      `sentinel down-after-milliseconds ${name} ${options.downAfterMs}`,
      `sentinel failover-timeout ${name} ${options.failoverTimeoutMs}`,
      `sentinel parallel-syncs ${name} 1`,
      "",
    ].join("\n"),
  );
  const { pid, stop } = await spawnPeerProcess({ binary, args: [configPath], port, dir, logPath });
  return { port, pid, logPath, stop };
}
