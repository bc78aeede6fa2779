// Runaway scripts. resplica runs a script synchronously and serves no other socket meanwhile,
// so it cannot answer other clients -BUSY nor take SCRIPT KILL as Redis does; instead it stops
// a script that runs past `busy-script-kill-threshold` (a resplica-native directive) with an
// error. What this file proves: the loop is stopped near the threshold, the caller gets the
// error, the writes made before the stop stay (and the server serves on), 0 turns the limit
// off for scripts that end, and `busy-reply-threshold` answers to Redis's old name.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";

Deno.test("busy-script-kill-threshold stops a runaway script and a runaway function", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(
      await client.commandText("CONFIG", "SET", "busy-script-kill-threshold", "300"),
      "+OK\r\n",
    );
    const startedMs = Date.now();
    const reply = await client.commandText(
      "EVAL",
      "redis.call('SET', KEYS[1], 'before') while true do end",
      "1",
      "k",
    );
    const elapsedMs = Date.now() - startedMs;
    assert.match(
      reply,
      /^-ERR Script killed by the server: it ran past busy-script-kill-threshold/,
    );
    assert.ok(elapsedMs >= 300 && elapsedMs < 5_000, `stopped after ${elapsedMs} ms`);
    assert.equal(await client.commandText("GET", "k"), "$6\r\nbefore\r\n");
    assert.equal(await client.commandText("PING"), "+PONG\r\n");

    const library =
      "#!lua name=spin\nredis.register_function('spin', function() while true do end end)";
    assert.equal(await client.commandText("FUNCTION", "LOAD", library), "$4\r\nspin\r\n");
    assert.match(
      await client.commandText("FCALL", "spin", "0"),
      /^-ERR Script killed by the server/,
    );

    // 0 = never: a script longer than the old threshold runs to its end.
    assert.equal(
      await client.commandText("CONFIG", "SET", "busy-script-kill-threshold", "0"),
      "+OK\r\n",
    );
    const slow = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] " +
      "repeat local n = redis.call('TIME') until n[1] * 1000000 + n[2] - s > 400000 return 'done'";
    assert.equal(await client.commandText("EVAL", slow, "0"), "$4\r\ndone\r\n");

    // Redis's directive and its old name are one setting.
    assert.equal(await client.commandText("CONFIG", "SET", "lua-time-limit", "1234"), "+OK\r\n");
    assert.equal(
      await client.commandText("CONFIG", "GET", "busy-reply-threshold"),
      "*2\r\n$20\r\nbusy-reply-threshold\r\n$4\r\n1234\r\n",
    );
  } finally {
    client.close();
    await server.close();
  }
});
