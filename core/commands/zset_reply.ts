// How sorted-set elements leave a command: written out as a reply, or stored into a destination
// key. Both the range and pop commands (zsets.ts) and the set operations (zset_setops.ts) end
// this way; it is a file of its own so neither of those has to import the other (zsets.ts
// imports the set operations for its command table).

import { type ZsetElements, zsetStore } from "../engine/zset.ts";
import type { ReplyWriter } from "../resp/mod.ts";
import type { CommandContext } from "./context.ts";

/** How a reply lays out members and their scores. */
export const enum ScoreLayout {
  /** Members only. */
  None,
  /** member, score, member, score, … (RESP2 WITHSCORES; ZPOPMIN/ZPOPMAX without a count). */
  Flat,
  /** [member, score] pairs (RESP3 WITHSCORES; ZMPOP and BZMPOP in either protocol). */
  Nested,
}

/** WITHSCORES laid out as the client's protocol has it (flat in RESP2, pairs in RESP3). */
export function withScoresLayout(out: ReplyWriter, withScores: boolean): ScoreLayout {
  if (!withScores) return ScoreLayout.None;
  return out.protocol === 3 ? ScoreLayout.Nested : ScoreLayout.Flat;
}

/** An array of the elements in `layout`; scores as doubles (%.17g). */
export function replyElements(out: ReplyWriter, elements: ZsetElements, layout: ScoreLayout): void {
  const { members, scores } = elements;
  if (layout === ScoreLayout.None) {
    out.arrayHeader(members.length);
    for (const member of members) out.bulk(member);
  } else if (layout === ScoreLayout.Nested) {
    out.arrayHeader(members.length);
    for (let i = 0; i < members.length; i++) {
      out.arrayHeader(2);
      out.bulk(members[i]);
      out.double(scores[i]);
    }
  } else {
    out.arrayHeader(members.length * 2);
    for (let i = 0; i < members.length; i++) {
      out.bulk(members[i]);
      out.double(scores[i]);
    }
  }
}

/**
 * The *STORE ending (ZRANGESTORE, ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE): replaces `destination`
 * with the elements, already sorted and distinct (none deletes it), reports the write when
 * anything changed, and replies with the element count.
 */
export function storeElements(
  ctx: CommandContext,
  destination: Uint8Array,
  members: Uint8Array[],
  scores: number[],
): void {
  const { server, client } = ctx;
  const stored = zsetStore(server.engine, client.db, destination, members, scores, ctx.nowMs);
  if (stored > 0) server.keyModified(client.db, destination);
  ctx.out.integer(members.length);
}
