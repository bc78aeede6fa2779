// LOLWUT [VERSION version]: a small piece of generated art, then the server's version, as
// Redis's LOLWUT ends (lolwut.c: "Redis ver. <REDIS_VERSION>" on the last line, whatever
// VERSION asked for). The drawing is our own: a maze of diagonal strokes, each cell's stroke
// picked by a xorshift generator seeded with the version number, so the same version always
// draws the same maze and another version draws another. Arguments after the version are
// ignored, as Redis 7.0's default LOLWUT ignores them.

import { isWord, parseInt64 } from "../bytes.ts";
import { ERR_NOT_INTEGER, fail } from "../errors.ts";
import { REDIS_COMPAT_VERSION } from "../version.ts";
import type { CommandContext, CommandDefinition } from "./context.ts";

/** Maze width in cells (one character each). */
const MAZE_COLUMN_COUNT = 48;
/** Maze height in cells. */
const MAZE_ROW_COUNT = 12;
/** The version drawn when none is asked for: the major version served. */
const DEFAULT_VERSION = Number(REDIS_COMPAT_VERSION.split(".")[0]);
/** The two strokes a cell may hold. */
const STROKES = ["\u2571", "\u2572"] as const;

/**
 * The maze for `version`: MAZE_ROW_COUNT lines of MAZE_COLUMN_COUNT strokes, deterministic.
 *
 * @example
 * ```ts
 * import { drawMaze } from "./lolwut.ts";
 * console.assert(drawMaze(7) === drawMaze(7));
 * console.assert(drawMaze(7) !== drawMaze(6));
 * ```
 */
export function drawMaze(version: number): string {
  // xorshift32; the seed mixes the version so nearby versions start far apart, never at 0.
  let state = (Math.imul(version >>> 0, 0x9e3779b1) ^ 0x5bd1e995) >>> 0 || 1;
  const lines: string[] = [];
  for (let row = 0; row < MAZE_ROW_COUNT; row++) {
    let line = "";
    for (let column = 0; column < MAZE_COLUMN_COUNT; column++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      line += STROKES[(state >>> 16) & 1];
    }
    lines.push(line);
  }
  return lines.join("\n");
}

/**
 * LOLWUT [VERSION version] → verbatim text (a bulk string in RESP2): the maze, a blank line,
 * then "Redis ver. <version served>". A VERSION that is no integer is an error; a bare
 * "VERSION" with nothing after it is ignored, as Redis's.
 */
function lolwutCommand(ctx: CommandContext): void {
  const { argv } = ctx;
  let version = DEFAULT_VERSION;
  if (argv.length >= 3 && isWord(argv[1], "version")) {
    const asked = parseInt64(argv[2]);
    if (asked === null) fail(ERR_NOT_INTEGER);
    version = Number(BigInt.asUintN(32, asked));
  }
  ctx.out.verbatim(`${drawMaze(version)}\n\nRedis ver. ${REDIS_COMPAT_VERSION}\n`);
}

export const LOLWUT_COMMANDS: CommandDefinition[] = [
  {
    name: "lolwut",
    arity: -1,
    flags: ["readonly", "fast"],
    categories: ["read", "fast"],
    group: "server",
    summary: "Displays computer art and the Redis version",
    since: "5.0.0",
    handler: lolwutCommand,
  },
];
