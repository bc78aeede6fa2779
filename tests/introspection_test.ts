// Introspection checks a byte comparison with redis-server cannot make (timestamps, peer
// addresses, ports, flag letters): MONITOR's line format, ordering and redaction, CLIENT INFO's
// qbuf and flags, CONFIG SET port rebinding and its rollback, COMMAND INFO's flag set, and the
// monitor line's quoting. The byte-exact parts are in differential_introspection_test.ts.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1Bytes, latin1Text, RawClient } from "./_support/raw_client.ts";
import { inProcessClient } from "./_support/in_process.ts";
import { buildCommandTable } from "../core/commands/registry.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { Config } from "../core/config/table.ts";
import { Engine } from "../core/engine/mod.ts";
import { Logger } from "../core/log.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import { ServerState } from "../core/state/server_state.ts";
import { reprArg } from "../core/commands/monitor.ts";

/** One monitor line: `+<seconds>.<micros> [<db> <peer>] "arg" …`, captured for assertions. */
const MONITOR_LINE = /^\+(\d+)\.(\d{6}) \[(\d+) ([^\]]+)\] (.*)\r\n$/;

Deno.test("MONITOR shows each command with time, db, peer and quoted arguments", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const monitor = await RawClient.connect(server.port);
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(await monitor.commandText("MONITOR"), "+OK\r\n");
    await client.command("SELECT", "3");
    await client.command("SET", "foo", 'a "b"\n\x01');
    const [select, set] = (await monitor.readReplies(2)).map((r) => new TextDecoder().decode(r));
    const match = MONITOR_LINE.exec(set);
    assert.ok(match, set);
    assert.ok(Math.abs(Number(match[1]) - Date.now() / 1000) < 60);
    assert.equal(match[3], "3");
    assert.match(match[4], /^127\.0\.0\.1:\d+$/);
    assert.equal(match[5], '"SET" "foo" "a \\"b\\"\\n\\x01"');
    assert.match(select, /\[3 127\.0\.0\.1:\d+\] "SELECT" "3"/); // the db after the command, as Redis
  } finally {
    monitor.close();
    client.close();
    await server.close();
  }
});

Deno.test("MONITOR: scripts show after their EVAL as lua, MULTI/EXEC in order, no admin commands", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const monitor = await RawClient.connect(server.port);
  const client = await RawClient.connect(server.port);
  try {
    await monitor.command("MONITOR");
    await client.command("EVAL", "redis.call('set',KEYS[1],ARGV[1])", "1", "foo", "bar");
    await client.command("CONFIG", "GET", "maxmemory"); // admin: not shown
    await client.command("MULTI");
    await client.command("SET", "foo", "bar");
    await client.command("EXEC");
    await client.command("MULTI");
    await client.command("NOSUCHCOMMAND"); // rejected before it runs: not shown
    await client.command("EXEC");
    const lines = (await monitor.readReplies(7)).map((r) => new TextDecoder().decode(r));
    assert.match(lines[0], /"EVAL" "redis\.call/);
    assert.match(lines[1], /\[0 lua\] "set" "foo" "bar"/);
    assert.match(lines[2], /"MULTI"/);
    assert.match(lines[3], /"SET" "foo" "bar"/);
    assert.match(lines[4], /"EXEC"/);
    assert.match(lines[5], /"MULTI"/);
    assert.match(lines[6], /"EXEC"/);
  } finally {
    monitor.close();
    client.close();
    await server.close();
  }
});

Deno.test("MONITOR redacts AUTH and HELLO AUTH passwords", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const monitor = await RawClient.connect(server.port);
  const client = await RawClient.connect(server.port);
  try {
    await monitor.command("MONITOR");
    await client.command("AUTH", "not-real");
    await client.command("AUTH", "not-real", "not-a-password");
    await client.command("HELLO", "2", "AUTH", "not-real", "not-a-password", "SETNAME", "n");
    const lines = (await monitor.readReplies(3)).map((r) => new TextDecoder().decode(r));
    assert.match(lines[0], /"AUTH" "\(redacted\)"\r\n$/);
    assert.match(lines[1], /"AUTH" "\(redacted\)" "\(redacted\)"\r\n$/);
    assert.match(lines[2], /"HELLO" "2" "AUTH" "\(redacted\)" "\(redacted\)" "SETNAME" "n"\r\n$/);
    for (const line of lines) assert.ok(!line.includes("not-a-password"));
  } finally {
    monitor.close();
    client.close();
    await server.close();
  }
});

Deno.test("MONITOR's argument quoting is sdscatrepr's", () => {
  const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
  assert.equal(reprArg(bytes("plain")), '"plain"');
  assert.equal(reprArg(bytes('\\"\n\r\t\x07\x08')), '"\\\\\\"\\n\\r\\t\\a\\b"');
  assert.equal(reprArg(bytes("\x00\x7f\xff ~")), '"\\x00\\x7f\\xff ~"');
});

Deno.test("CLIENT INFO counts the running command in qbuf and shows O, x and e flags", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  const monitor = await RawClient.connect(server.port);
  try {
    // *2 $6 client $4 info: 4 + 4 + 8 + 4 + 6 = 26 bytes.
    const info = await client.commandText("CLIENT", "INFO");
    assert.match(info, / flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 /);
    assert.match(info, / cmd=client\|info user=default redir=-1 resp=2\n\r\n$/);
    assert.equal(await client.commandText("CLIENT", "NO-EVICT", "on"), "+OK\r\n");
    await client.command("MULTI");
    await client.command("PING");
    await client.command("EXEC");
    assert.match(await client.commandText("CLIENT", "INFO"), / flags=e /);
    await monitor.command("MONITOR");
    const list = await client.commandText("CLIENT", "LIST");
    assert.match(list, / flags=O .* cmd=monitor /);
    await client.command("CLIENT", "NO-EVICT", "off");
    assert.match(await client.commandText("CLIENT", "INFO"), / flags=N /);
  } finally {
    client.close();
    monitor.close();
    await server.close();
  }
});

Deno.test("CONFIG SET port rebinds; a port in use is refused and nothing changes", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const usedPort = (blocker.addr as Deno.NetAddr).port;
  const oldPort = server.port;
  const client = await RawClient.connect(oldPort);
  try {
    const refused = await client.commandText(
      "CONFIG",
      "SET",
      "maxmemory",
      "10000001",
      "port",
      String(usedPort),
    );
    assert.match(
      refused,
      /^-ERR CONFIG SET failed \(possibly related to argument 'port'\) - Unable to listen on this port/,
    );
    assert.equal(
      await client.commandText("CONFIG", "GET", "maxmemory"),
      "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n",
    );
    assert.equal(
      await client.commandText("CONFIG", "GET", "port"),
      `*2\r\n$4\r\nport\r\n$${String(oldPort).length}\r\n${oldPort}\r\n`,
    );
    const fresh = await RawClient.connect(oldPort);
    assert.equal(await fresh.commandText("PING"), "+PONG\r\n");
    fresh.close();

    // Setting the port it has is a no-op; a free port moves the listener there.
    assert.equal(await client.commandText("CONFIG", "SET", "port", String(oldPort)), "+OK\r\n");
    blocker.close();
    assert.equal(await client.commandText("CONFIG", "SET", "port", String(usedPort)), "+OK\r\n");
    const moved = await RawClient.connect(usedPort);
    assert.equal(await moved.commandText("PING"), "+PONG\r\n");
    moved.close();
    assert.equal(await client.commandText("PING"), "+PONG\r\n"); // connections stay
    await assert.rejects(() => RawClient.connect(oldPort));
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("COMMAND INFO flags: Redis's order, hidden ones left out, movablekeys on EVAL and FCALL", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    const flagsOf = async (name: string) => {
      const reply = await client.commandText("COMMAND", "INFO", name);
      return [...reply.matchAll(/\+([a-z_]+)\r\n/g)].map((m) => m[1]);
    };
    assert.deepEqual(await flagsOf("eval"), [
      "noscript",
      "stale",
      "skip_monitor",
      "no_mandatory_keys",
      "movablekeys",
    ]);
    assert.ok((await flagsOf("fcall")).includes("movablekeys"));
    assert.deepEqual(await flagsOf("auth"), [
      "noscript",
      "loading",
      "stale",
      "fast",
      "no_auth",
      "allow_busy",
    ]);
    assert.ok(!(await flagsOf("set")).includes("movablekeys"));
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("RESET ends MONITOR: the client gets no more lines and loses flag O", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const monitor = await RawClient.connect(server.port);
  const client = await RawClient.connect(server.port);
  try {
    await monitor.command("MONITOR");
    assert.equal(await monitor.commandText("RESET"), "+RESET\r\n");
    await client.command("SET", "foo", "bar");
    assert.doesNotMatch(await client.commandText("CLIENT", "LIST"), /flags=O/);
    assert.equal(await monitor.commandText("PING"), "+PONG\r\n"); // no monitor line before it
  } finally {
    monitor.close();
    client.close();
    await server.close();
  }
});

Deno.test("enable-debug-command local refuses a client that is not on 127.0.0.1 / ::1", () => {
  // A loopback peer is what every TCP test has; the refusal is checked in process, where the
  // client's peer can be anything (the differential test covers the loopback side).
  const config = new Config();
  config.setText("enable-debug-command", "local", true);
  const state = new ServerState(Engine.create(), config, new Logger("nothing"));
  const table = buildCommandTable();
  const refused = (isLocalPeer: boolean): string => {
    const writer = new ReplyWriter();
    const client = inProcessClient(1, writer);
    client.user = state.acl.defaultUser;
    client.isLocalPeer = isLocalPeer;
    const pending = executeCommand(table, state, client, [
      latin1Bytes("DEBUG"),
      latin1Bytes("HELP"),
    ]);
    assert.equal(pending, undefined);
    return latin1Text(writer.view());
  };
  assert.match(
    refused(false),
    /^-ERR DEBUG command not allowed\. If the enable-debug-command option is set to "local"/,
  );
  assert.match(refused(true), /^\*\d+\r\n/);
  assert.equal(state.stats.commandStat("debug").rejectedCalls, 1);
});
