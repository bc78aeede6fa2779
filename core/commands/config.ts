// CONFIG GET and CONFIG SET, driven by the directive table (config/table.ts): a directive listed
// there is gettable and settable here with the same validation as in redis.conf.
//
// CONFIG SET is all or nothing, in Redis 7.0's three phases:
//   1. lookup   every name must exist, be mutable and appear once; else nothing is touched
//   2. check    every value must parse; else nothing is touched
//   3. set      values that differ are set one by one, each running its apply hook (a port
//               rebinds); a hook that fails puts back every value set so far, hooks included

import { globMatch, latin1, lowerName, utf8 } from "../bytes.ts";
import {
  type ConfigValue,
  ConfigValueError,
  DIRECTIVES,
  type DirectiveSpec,
  findDirective,
  formatDirectiveValue,
  parseDirectiveValue,
} from "../config/table.ts";
import { ERR_SYNTAX, fail } from "../errors.ts";
import type { CommandContext } from "./context.ts";

/** Characters that make a CONFIG GET argument a pattern rather than a name (Redis: "[*?"). */
const GLOB_CHARS = /[[*?]/;

/**
 * CONFIG GET parameter [parameter …]
 *
 * Contract: → a map of every directive (or alias) matching any argument, each once. An argument
 * without glob characters is looked up by name, which also finds hidden directives; a pattern
 * never matches a hidden one.
 */
export function configGetCommand(ctx: CommandContext): void {
  const matches = new Map<string, string>();
  for (let i = 2; i < ctx.argv.length; i++) {
    const text = lowerName(ctx.argv[i]);
    const pattern = utf8(text);
    if (!GLOB_CHARS.test(text)) {
      const spec = findDirective(text);
      if (spec !== undefined && !matches.has(text)) matches.set(text, currentText(ctx, spec));
      continue;
    }
    for (const spec of DIRECTIVES) {
      if (spec.hidden) continue;
      for (const name of [spec.name, ...(spec.aliases ?? [])]) {
        if (matches.has(name) || !globMatch(pattern, utf8(name), true)) continue;
        matches.set(name, currentText(ctx, spec));
      }
    }
  }
  ctx.out.mapHeader(matches.size);
  for (const [name, value] of matches) {
    ctx.out.bulkString(name);
    ctx.out.bulkString(value);
  }
}

/**
 * A directive's value as CONFIG GET shows it; for `port`, the port actually bound (the
 * directive may say 0, "any free port"), which is also what a rollback must restore.
 */
function currentText(ctx: CommandContext, spec: DirectiveSpec): string {
  if (spec.name === "port" && ctx.server.port) return String(ctx.server.port);
  return formatDirectiveValue(spec, ctx.server.config.get(spec.name));
}

/** One name/value pair of a CONFIG SET, after the lookup phase. */
interface PendingSet {
  spec: DirectiveSpec;
  text: string;
}

/**
 * CONFIG SET parameter value [parameter value …]
 *
 * Contract: → `+OK` with every value set, or an error with none set. Errors, in Redis's words:
 * an odd count → `-ERR syntax error`; an unknown name → `-ERR Unknown option or number of
 * arguments for CONFIG SET - '<name>'`; else `-ERR CONFIG SET failed (possibly related to
 * argument '<name>') - <reason>`, reason one of "can't set immutable config", "duplicate
 * parameter", the value's parse error, or the apply hook's failure ("Unable to listen on this
 * port: …").
 */
export function configSetCommand(ctx: CommandContext): void {
  const { argv, server } = ctx;
  if (argv.length % 2 !== 0) fail(ERR_SYNTAX);
  const failed = (name: string, reason: string): never =>
    fail(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`);

  // 1. lookup: an unknown name wins over any other problem, as in Redis.
  const pending: PendingSet[] = [];
  let problem: [name: string, reason: string] | null = null;
  for (let i = 2; i < argv.length; i += 2) {
    const given = latin1(argv[i]);
    const spec = findDirective(given);
    if (spec === undefined) {
      fail(`ERR Unknown option or number of arguments for CONFIG SET - '${given}'`);
    }
    if (problem !== null) continue;
    if (spec.immutable) problem = [given, "can't set immutable config"];
    else if (pending.some((p) => p.spec === spec)) problem = [given, "duplicate parameter"];
    pending.push({ spec, text: new TextDecoder().decode(argv[i + 1]) });
  }
  if (problem !== null) failed(problem[0], problem[1]);

  // 2. check: every value parses before any is set.
  const changed: PendingSet[] = [];
  for (const set of pending) {
    let value: ConfigValue = "";
    try {
      value = parseDirectiveValue(set.spec, set.text);
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      failed(set.spec.name, error.message);
    }
    const current = server.config.get(set.spec.name);
    if (set.spec.normalize) value = set.spec.normalize(value as string, current as string);
    if (value !== current) changed.push(set);
  }

  // 3. set and apply; a failing hook rolls back what was set before it.
  const backups: [DirectiveSpec, string][] = [];
  for (const set of changed) {
    backups.push([set.spec, currentText(ctx, set.spec)]);
    try {
      server.config.setText(set.spec.name, set.text, false);
    } catch (error) {
      if (!(error instanceof ConfigValueError)) throw error;
      server.log.warning(
        `Failed applying new configuration. Possibly related to new ${set.spec.name} ` +
          "setting. Restoring previous settings.",
      );
      for (const [spec, text] of backups.reverse()) restoreDirective(ctx, spec, text);
      failed(set.spec.name, error.message);
    }
  }
  ctx.out.simple("OK");
}

/** Puts back a directive's previous value (and re-applies it), logging if even that fails. */
function restoreDirective(ctx: CommandContext, spec: DirectiveSpec, text: string): void {
  try {
    ctx.server.config.setText(spec.name, text, true);
  } catch (error) {
    ctx.server.log.warning(`Restoring ${spec.name} failed: ${(error as Error).message}`);
  }
}
