// Start-up configuration from the places a Redis user keeps it: a redis.conf-style file given as
// the first argument, then `--name value…` flags (which win, as with redis-server), then options
// passed programmatically. Unknown directives stop start-up with the file and line, as Redis does,
// rather than being ignored: a typo in a limit should never pass silently.

import { type Config, ConfigValueError, findDirective } from "./table.ts";
import { splitConfigLine } from "./units.ts";

export class ConfigLoadError extends Error {}

/** Applies the text of a redis.conf file to `config`. */
export function applyConfigText(config: Config, text: string, sourceName: string): void {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const words = splitConfigLine(trimmed);
    if (words === null || words.length === 0) {
      throw new ConfigLoadError(
        `*** FATAL CONFIG FILE ERROR *** ${sourceName}:${
          i + 1
        } 'Unbalanced quotes in configuration line'`,
      );
    }
    try {
      applyDirective(config, words[0], words.slice(1));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConfigLoadError(
        `*** FATAL CONFIG FILE ERROR *** ${sourceName}:${i + 1} >>> '${trimmed}' ${reason}`,
      );
    }
  }
}

function applyDirective(config: Config, name: string, args: string[]): void {
  if (name.toLowerCase() === "user") {
    if (args.length < 1) throw new ConfigValueError("wrong number of arguments");
    if (config.configuredUsers.some(([existing]) => existing === args[0])) {
      throw new ConfigValueError(
        `Error in user declaration '${args[0]}': Duplicate user found. A user can only be ` +
          "defined once in config files",
      );
    }
    config.configuredUsers.push([args[0], ...args.slice(1)]);
    return;
  }
  if (name.toLowerCase() === "rename-command") {
    if (args.length !== 2) throw new ConfigValueError("wrong number of arguments");
    config.commandRenames.push([args[0], args[1]]);
    return;
  }
  const spec = findDirective(name);
  if (!spec) throw new ConfigValueError("Bad directive or wrong number of arguments");
  if (args.length === 0 && spec.kind !== "string") {
    throw new ConfigValueError("wrong number of arguments");
  }
  if (spec.arity !== "rest" && args.length > 1) {
    throw new ConfigValueError("wrong number of arguments");
  }
  config.setText(spec.name, args.join(" "), true);
}

/**
 * Parses redis-server style arguments: an optional config file path first, then `--directive
 * value [value…]` groups. Returns nothing; throws ConfigLoadError with the offending argument.
 */
export function applyArgs(
  config: Config,
  args: string[],
  readFile: (path: string) => string,
): void {
  let i = 0;
  if (args.length > 0 && !args[0].startsWith("--")) {
    const path = args[0];
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      throw new ConfigLoadError(
        `Fatal error, can't open config file '${path}': ${(error as Error).message}`,
      );
    }
    applyConfigText(config, text, path);
    // Absolute, as Redis keeps it: CONFIG REWRITE must find the file whatever the cwd becomes.
    config.configFilePath = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
    i = 1;
  }
  while (i < args.length) {
    const flag = args[i];
    if (!flag.startsWith("--")) throw new ConfigLoadError(`Invalid argument '${flag}'`);
    const values: string[] = [];
    i++;
    while (i < args.length && !args[i].startsWith("--")) values.push(args[i++]);
    try {
      applyDirective(config, flag.slice(2), values);
    } catch (error) {
      throw new ConfigLoadError(
        `Invalid argument '${flag} ${values.join(" ")}': ${(error as Error).message}`,
      );
    }
  }
}

/** Applies programmatic options (from `startServer`), after file and flags. */
export function applyRecord(config: Config, record: Record<string, string>): void {
  for (const [name, value] of Object.entries(record)) {
    try {
      applyDirective(config, name, value === "" ? [""] : [value]);
    } catch (error) {
      throw new ConfigLoadError(`Invalid option '${name} ${value}': ${(error as Error).message}`);
    }
  }
}
