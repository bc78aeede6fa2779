// The Lua VM starts on first use (issue 18: a server that never runs a script does not pay the
// VM's ~15 MiB of resident memory). Before that, INFO's scripting memory fields are present and
// report 0, and flushing scripts or functions leaves it unstarted; the first SCRIPT LOAD, EVAL or
// FUNCTION LOAD starts it and behaves as it always did.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { LuaEngine } from "../core/scripting/lua/mod.ts";
import { RawClient } from "./_support/raw_client.ts";

const encoder = new TextEncoder();
const LIBRARY = "#!lua name=lazylib\n" +
  "redis.register_function('lazy_echo', function(keys, args) return args[1] end)";

/** A field of an INFO reply, or null when absent. */
function infoField(info: string, name: string): string | null {
  const match = new RegExp(`^${name}:(.*)$`, "m").exec(info);
  return match ? match[1].trim() : null;
}

/** Runs `body` against a fresh in-process server and one client, closing both after. */
async function withServer(body: (client: RawClient) => Promise<void>): Promise<void> {
  const server = await startServer();
  const client = await RawClient.connect(server.port);
  try {
    await body(client);
  } finally {
    client.close();
    await server.close();
  }
}

async function luaUsedBytes(client: RawClient): Promise<number> {
  const info = await client.commandText("INFO", "memory");
  for (const name of ["used_memory_vm_eval", "used_memory_vm_total", "used_memory_lua_human"]) {
    assert.notEqual(infoField(info, name), null, `INFO memory has ${name}`);
  }
  return Number(infoField(info, "used_memory_lua"));
}

Deno.test("LuaEngine starts its VM on first use, not at create", async () => {
  const engine = await LuaEngine.create();
  try {
    assert.equal(engine.started, false);
    assert.equal(engine.usedMemoryBytes, 0);
    assert.equal(engine.heapSizeBytes, 0);
    assert.equal(engine.paused, false);
    engine.forget("f_none"); // nothing was compiled: nothing to do
    engine.commitLibraries([], false);
    assert.equal(engine.started, false);
    assert.equal(engine.compile("f_one", encoder.encode("return 1")), null);
    assert.equal(engine.started, true);
    assert.ok(engine.usedMemoryBytes > 0);
    assert.ok(engine.heapSizeBytes > engine.usedMemoryBytes);
    assert.equal(engine.call("f_one", [], [], { call: () => null }), 1n);
  } finally {
    engine.close();
  }
});

Deno.test("LuaEngine startNow starts the VM at create; a closed engine never starts", async () => {
  const eager = await LuaEngine.create({ startNow: true });
  assert.equal(eager.started, true);
  assert.ok(eager.usedMemoryBytes > 0);
  eager.close();
  const closed = await LuaEngine.create();
  closed.close();
  assert.throws(() => closed.compile("f_x", encoder.encode("return 1")), /closed/);
  assert.equal(closed.started, false);
});

Deno.test("a fresh server reports used_memory_lua 0 until SCRIPT LOAD starts the VM", async () => {
  await withServer(async (client) => {
    assert.equal(await luaUsedBytes(client), 0);
    assert.equal(await client.commandText("SCRIPT", "FLUSH"), "+OK\r\n");
    assert.equal(await client.commandText("FUNCTION", "FLUSH"), "+OK\r\n");
    assert.equal(await luaUsedBytes(client), 0, "flushing does not start the VM");
    const loaded = await client.commandText("SCRIPT", "LOAD", "return ARGV[1]");
    const sha = /^\$40\r\n([0-9a-f]{40})\r\n$/.exec(loaded)?.[1];
    assert.ok(sha, loaded);
    assert.ok(await luaUsedBytes(client) > 0);
    assert.equal(await client.commandText("EVALSHA", sha, "0", "hi"), "$2\r\nhi\r\n");
    assert.equal(await client.commandText("SCRIPT", "EXISTS", sha), "*1\r\n:1\r\n");
  });
});

Deno.test("EVAL and FUNCTION LOAD work as the first scripting commands of a server", async () => {
  await withServer(async (client) => {
    assert.equal(
      await client.commandText("EVAL", "return redis.call('SET', KEYS[1], ARGV[1])", "1", "k", "v"),
      "+OK\r\n",
    );
    assert.equal(await client.commandText("GET", "k"), "$1\r\nv\r\n");
  });
  await withServer(async (client) => {
    assert.equal(await client.commandText("FUNCTION", "LOAD", LIBRARY), "$7\r\nlazylib\r\n");
    assert.equal(await client.commandText("FCALL", "lazy_echo", "0", "x"), "$1\r\nx\r\n");
    assert.ok(await luaUsedBytes(client) > 0);
  });
});
