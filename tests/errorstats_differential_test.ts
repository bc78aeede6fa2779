// Differential test for Redis 7.0's error accounting: after a sequence of refused commands,
// failing commands and failing scripts, INFO errorstats, total_error_replies and the
// rejected_calls / failed_calls of the commands involved must read the same as redis-server's.
//
// Only those figures are compared: a script extracts them from INFO in the step itself (the
// rest of INFO differs between the two servers by design), with commandstats' timings cut out.
// The extracting EVAL sends no error, so it changes none of the figures it reads but its own
// cmdstat_eval calls, the same on both sides.

import assert from "node:assert/strict";
import {
  type DiffCase,
  type DiffTarget,
  keepGoingFromEnv,
  runCase,
  withDiffPeers,
} from "./_support/differential.ts";
import { encodeCommand, latin1Text, RawClient } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";

const keepGoing = keepGoingFromEnv();

/** Reads total_error_replies and the commandstats of the named commands, timings left out. */
const EXTRACT_COUNTS = [
  "local out = {string.match(redis.call('INFO', 'stats'), 'total_error_replies:%d+')}",
  "local stats = redis.call('INFO', 'commandstats')",
  "for _, name in ipairs(ARGV) do",
  "  local line = string.match(stats, 'cmdstat_' .. name .. ':[^\\r]*')",
  "  if line then out[#out + 1] = (string.gsub(line, 'usec=%d+,usec_per_call=[%d.]+,', '')) end",
  "end",
  "return out",
].join("\n");

const COUNTED_COMMANDS = ["get", "set", "lpush", "incr", "select", "eval", "exec", "multi"];

const errorCounts: DiffCase = {
  name: "error replies are counted by code, and against the command that sent them",
  steps: [
    "CONFIG RESETSTAT",
    // Refused before running: an unknown command, a wrong arity (rejected_calls).
    "NOSUCHCOMMAND x",
    "GET",
    // Ran and failed (failed_calls), with codes of their own.
    "SET k v",
    "LPUSH k x",
    "INCR k",
    // Scripts: an error the script makes, errors its redis.call raised (counted once, against
    // the command), a redis.pcall error the script swallows or returns, a runtime error.
    ["EVAL", "return redis.error_reply('MY_CODE made up by the script')", "0"],
    ["EVAL", "return redis.error_reply('')", "0"],
    ["EVAL", "return redis.call('select', 99)", "0"],
    ["EVAL", "return redis.pcall('lpush', KEYS[1], 'x')", "1", "k"],
    ["EVAL", "redis.pcall('incr', KEYS[1]); return 1", "1", "k"],
    ["EVAL", "return redis.call('nosuchcommand')", "0"],
    ["EVAL", "return nosuchglobal", "0"],
    ["EVAL", "#!lua flags=no-writes\nreturn redis.call('set', KEYS[1], 'w')", "1", "k"],
    ["EVAL", "return {err = 'NOSPACECODE'}", "0"],
    // A transaction refused at queue time, then aborted by EXEC.
    "MULTI",
    "GET",
    "EXEC",
    "INFO errorstats",
    ["EVAL", EXTRACT_COUNTS, "0", ...COUNTED_COMMANDS],
    // RESETSTAT clears them all.
    "CONFIG RESETSTAT",
    "INFO errorstats",
    ["EVAL", EXTRACT_COUNTS, "0", ...COUNTED_COMMANDS],
  ],
};

peerTest("differential: errorstats and failed / rejected calls match redis-server", async () => {
  await withDiffPeers((reference, subject) =>
    runCase(errorCounts, reference, subject, { keepGoing })
  );
});

/**
 * What a blocked reader woken with an error leaves in the counts: the -NOGROUP an XREADGROUP
 * gets when XGROUP DESTROY removes its group (and the -UNBLOCKED when DEL removes its stream)
 * is an error reply like any other in INFO errorstats, total_error_replies and failed_calls.
 * Before the fix resplica counted the reply in total_error_replies only.
 */
async function wokenErrorCounts(target: DiffTarget): Promise<string[]> {
  const client = await RawClient.connect(target.port);
  const reader = await RawClient.connect(target.port);
  const replies: string[] = [];
  try {
    await client.commandText("FLUSHALL");
    await client.commandText("CONFIG", "RESETSTAT");
    for (const destroy of [["XGROUP", "DESTROY", "s", "g"], ["DEL", "s"]]) {
      await client.commandText("XGROUP", "CREATE", "s", "g", "$", "MKSTREAM");
      await reader.send(
        encodeCommand(["XREADGROUP", "GROUP", "g", "c", "BLOCK", "0", "STREAMS", "s", ">"]),
      );
      await waitForBlocked(client, 1);
      await client.commandText(...destroy);
      replies.push(latin1Text((await reader.readReplies(1))[0]));
    }
    replies.push(await client.commandText("INFO", "errorstats"));
    replies.push(
      await client.commandText("EVAL", EXTRACT_COUNTS, "0", "xreadgroup", "xgroup|destroy"),
    );
  } finally {
    client.close();
    reader.close();
  }
  return replies;
}

async function waitForBlocked(client: RawClient, count: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const info = await client.commandText("INFO", "clients");
    if (info.includes(`blocked_clients:${count}\r\n`)) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no ${count} blocked client(s)`);
}

peerTest(
  "differential: a blocked reader woken with -NOGROUP / -UNBLOCKED is counted as redis-server counts it",
  async () => {
    await withDiffPeers(async (reference, subject) => {
      const expected = await wokenErrorCounts(reference);
      assert.match(expected[2], /errorstat_NOGROUP:count=1/);
      assert.deepEqual(await wokenErrorCounts(subject), expected);
    });
  },
);
