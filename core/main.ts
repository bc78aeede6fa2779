// Command-line entry point: `deno task serve [redis.conf] [--directive value …]`, taking the same
// arguments as redis-server so users can bring their config and scripts unchanged. SIGINT and
// SIGTERM shut down cleanly (clients closed, listeners released) before the process exits.

import { applyArgs, ConfigLoadError } from "./config/load.ts";
import { Config } from "./config/table.ts";
import { startNetworkServer } from "./network/start.ts";
import { RdbFormatError } from "./rdb/mod.ts";
import { AofFormatError } from "./persistence/aof_load.ts";

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
