// The HELP subcommand's reply, as Redis's addReplyHelp writes it: one status reply per line.
// Every container command with HELP (OBJECT, PUBSUB, ACL, XINFO, XGROUP, DEBUG) answers this way.

import type { ReplyWriter } from "../resp/mod.ts";

/** Writes `lines` as an array of simple-string replies. */
export function writeHelp(out: ReplyWriter, lines: readonly string[]): void {
  out.arrayHeader(lines.length);
  for (const line of lines) out.simple(line);
}
