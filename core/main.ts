// Command-line entry point: `deno task serve [redis.conf] [--directive value …]`, taking the same
// arguments as redis-server so users can bring their config and scripts unchanged. SIGINT and
// SIGTERM shut down cleanly (clients closed, listeners released) before the process exits.
//
// Memory (issue 18, bench/memory_breakdown.ts): once per idle spell (the first soon after start),
// releaseMemoryWhenIdle gives malloc's free memory back to the kernel (malloc_trim): the
// runtime's socket and op buffers of the last burst of traffic. VmRSS also counts the clean
// pages of the Deno executable that start-up touched (about 44 MiB, shared with the page cache
// and reclaimable); RssAnon is the memory the server really holds, and what the README compares.
//
// The V8 flags live in deno.json's serve task: V8 reads them when the isolate is made, before
// this file runs (setting them later through node:v8 was measured to change nothing).
// `--max-semi-space-size=2` keeps the young generation near 4 MiB where traffic grew it to 26
// MiB that stayed resident when idle; the CPU per request of SET/GET/LPUSH/HSET/MSET/LRANGE
// measured the same (1 MiB cost 10–25 % on LPUSH, HSET and MSET, and promoted more to the old
// generation).

import { applyArgs, ConfigLoadError } from "./config/load.ts";
import { Config } from "./config/table.ts";
import { startNetworkServer } from "./network/start.ts";
import { RdbFormatError } from "./rdb/mod.ts";
import { AofFormatError } from "./persistence/aof_load.ts";

/** How often the server is checked for idleness (no command since the last check). */
const IDLE_CHECK_INTERVAL_MS = 1_000;
const LIBC_SYMBOLS = {
  malloc_trim: { parameters: ["usize"], result: "i32" },
} as const;

let libcLoaded: Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"] | null | undefined;

/**
 * glibc's functions used to give memory back (kept open for the process's life), or null off
 * Linux, without the FFI permission (the serve task grants it, for geo's libm too), or when the
 * library will not load.
 */
function libc(): Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"] | null {
  if (libcLoaded !== undefined) return libcLoaded;
  libcLoaded = null;
  if (Deno.build.os !== "linux") return null;
  try {
    // querySync never prompts: without --allow-ffi nothing is given back, nothing else changes.
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    libcLoaded = Deno.dlopen("libc.so.6", LIBC_SYMBOLS).symbols;
  } catch {
    // No glibc (musl, say): nothing is given back.
  }
  return libcLoaded;
}

/**
 * malloc_trim(0): malloc gives the free memory of its arenas back to the kernel (the runtime's
 * socket and op buffers of a burst of traffic, about 4–5 MiB after bench/memory_breakdown.ts's
 * benchmark; 0.5 ms). True when something was given back.
 */
export function trimMallocHeap(): boolean {
  return libc()?.malloc_trim(0n) === 1;
}

/**
 * Gives malloc's free memory back once per idle spell (issue 18): when a check finds no command
 * since the previous one; never while the server is busy, never twice in one spell (about 0.5
 * ms). The first spell is the one after start. The timer is unref'd: it never keeps the process
 * alive.
 */
function releaseMemoryWhenIdle(commandsProcessed: () => number): void {
  if (libc() === null) return;
  let seenCount = -1;
  let releasedAtCount = -1;
  const idleTimer = setInterval(() => {
    const count = commandsProcessed();
    if (count === seenCount && count !== releasedAtCount) {
      trimMallocHeap();
      releasedAtCount = count;
    }
    seenCount = count;
  }, IDLE_CHECK_INTERVAL_MS);
  Deno.unrefTimer(idleTimer);
}

function main(args: string[]): number | Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      "Usage: deno task serve [/path/to/redis.conf] [--port 6379] [--bind 127.0.0.1] [--requirepass pw] [--dir path] [--<directive> <value>…]",
    );
    return 0;
  }
  if (args.includes("--version") || args.includes("-v")) {
    console.log("resplica v=0.1.0 (redis 7.0 compatible)");
    return 0;
  }
  const config = new Config();
  try {
    applyArgs(config, args, (path) => Deno.readTextFileSync(path));
  } catch (error) {
    if (error instanceof ConfigLoadError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  let server;
  try {
    server = startNetworkServer(config);
  } catch (error) {
    if (error instanceof RdbFormatError || error instanceof AofFormatError) {
      console.error(`Fatal error loading the DB (${error.message}). Exiting.`);
      return 1;
    }
    console.error(
      `Failed listening on port ${config.getNumber("port")} (tcp): ${(error as Error).message}`,
    );
    return 1;
  }
  const stop = (signal: string) => {
    server.state.log.warning(`Received ${signal} scheduling shutdown...`);
    // As redis-server: with save points configured, save before exiting.
    if (server.state.savePoints.length > 0) {
      try {
        server.state.saver.save(Date.now());
      } catch {
        server.state.log.warning("Error trying to save the DB, exiting anyway");
      }
    }
    void server.close();
  };
  releaseMemoryWhenIdle(() => server.state.stats.commandsProcessed);
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));
  return server.closed.then(() => {
    server.state.log.warning("resplica is now ready to exit, bye bye...");
    return 0;
  });
}

if (import.meta.main) {
  const code = await main(Deno.args);
  Deno.exit(code);
}
