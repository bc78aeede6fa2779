// Server behaviour that a differential test against redis-server cannot show: the configurable
// input limits, protocol errors closing only the offending connection, authentication, client
// management, inline commands, pipelining and shutdown. Every server is started in-process on a
// port of its own choosing and closed at the end of its test.

import assert from "node:assert/strict";
import { type ServerOptions, startServer } from "../mod.ts";
import { latin1Bytes, RawClient } from "./_support/raw_client.ts";

async function withServer(
  options: ServerOptions,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const server = await startServer({ port: 0, logLevel: "nothing", ...options });
  try {
    await body(server.port);
  } finally {
    await server.close();
  }
}

Deno.test("inline commands, quotes and pipelining", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    await client.send('SET greeting "hello world"\r\nGET greeting\r\n\r\nPING\n');
    const replies = await client.readReplies(3);
    assert.deepEqual(replies.map((r) => new TextDecoder().decode(r)), [
      "+OK\r\n",
      "$11\r\nhello world\r\n",
      "+PONG\r\n",
    ]);
    client.close();
  });
});

Deno.test("binary keys and values with CRLF and NUL round-trip", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    const key = latin1Bytes("k\r\n\x00ey");
    const value = "\x00\r\n\xff\x01";
    assert.equal(await client.commandText("SET", key, latin1Bytes(value)), "+OK\r\n");
    assert.equal(await client.commandText("GET", key), `$${value.length}\r\n${value}\r\n`);
    assert.equal(await client.commandText("EXISTS", key), ":1\r\n");
    client.close();
  });
});

Deno.test("a protocol error closes only the offending connection", async () => {
  await withServer({}, async (port) => {
    const bystander = await RawClient.connect(port);
    const offender = await RawClient.connect(port);
    await offender.send("*1\r\n$x\r\n");
    const [reply] = await offender.readReplies(1);
    assert.equal(new TextDecoder().decode(reply), "-ERR Protocol error: invalid bulk length\r\n");
    assert.ok(await offender.waitForClose(2000));
    assert.equal(await bystander.commandText("PING"), "+PONG\r\n");
    bystander.close();
    offender.close();
  });
});

Deno.test("proto-max-bulk-len is enforced and changeable with CONFIG SET", async () => {
  await withServer({ config: { "proto-max-bulk-len": "1mb" } }, async (port) => {
    const client = await RawClient.connect(port);
    await client.send(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${1024 * 1024 + 1}\r\n`);
    const [reply] = await client.readReplies(1);
    assert.equal(new TextDecoder().decode(reply), "-ERR Protocol error: invalid bulk length\r\n");
    client.close();
    const admin = await RawClient.connect(port);
    assert.equal(await admin.commandText("CONFIG", "SET", "proto-max-bulk-len", "2mb"), "+OK\r\n");
    const big = "x".repeat(1024 * 1024 + 1);
    assert.equal(await admin.commandText("SET", "k", big), "+OK\r\n");
    assert.equal(await admin.commandText("STRLEN", "k"), `:${big.length}\r\n`);
    admin.close();
  });
});

Deno.test("multibulk length above proto-max-multibulk-len is a protocol error", async () => {
  await withServer({ config: { "proto-max-multibulk-len": "3" } }, async (port) => {
    const client = await RawClient.connect(port);
    await client.send("*4\r\n");
    const [reply] = await client.readReplies(1);
    assert.equal(
      new TextDecoder().decode(reply),
      "-ERR Protocol error: invalid multibulk length\r\n",
    );
    assert.ok(await client.waitForClose(2000));
    client.close();
  });
});

Deno.test("client-query-buffer-limit closes a client that sends too much", async () => {
  await withServer({ config: { "client-query-buffer-limit": "1mb" } }, async (port) => {
    const client = await RawClient.connect(port);
    const bystander = await RawClient.connect(port);
    // A bulk announced within proto-max-bulk-len but never finished keeps growing the buffer.
    await client.send(`*2\r\n$4\r\nECHO\r\n$${8 * 1024 * 1024}\r\n`);
    const chunk = "y".repeat(64 * 1024);
    let closed = false;
    try {
      for (let i = 0; i < 40; i++) await client.send(chunk);
    } catch {
      closed = true;
    }
    assert.ok(closed || await client.waitForClose(3000));
    assert.equal(await bystander.commandText("PING"), "+PONG\r\n");
    bystander.close();
    client.close();
  });
});

Deno.test("maxclients refuses connections beyond the limit", async () => {
  await withServer({ config: { maxclients: "2" } }, async (port) => {
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    assert.equal(await a.commandText("PING"), "+PONG\r\n");
    assert.equal(await b.commandText("PING"), "+PONG\r\n");
    const c = await RawClient.connect(port);
    const [reply] = await c.readReplies(1);
    assert.equal(new TextDecoder().decode(reply), "-ERR max number of clients reached\r\n");
    for (const client of [a, b, c]) client.close();
  });
});

Deno.test("requirepass gates every command until AUTH", async () => {
  await withServer({ config: { requirepass: "s3cret" } }, async (port) => {
    const client = await RawClient.connect(port);
    assert.equal(await client.commandText("GET", "k"), "-NOAUTH Authentication required.\r\n");
    assert.equal(
      await client.commandText("AUTH", "wrong"),
      "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
    );
    assert.equal(await client.commandText("AUTH", "s3cret"), "+OK\r\n");
    assert.equal(await client.commandText("GET", "k"), "$-1\r\n");
    client.close();
    const viaHello = await RawClient.connect(port);
    const hello = await viaHello.commandText("HELLO", "3", "AUTH", "default", "s3cret");
    assert.match(hello, /^%7\r\n/);
    assert.equal(await viaHello.commandText("GET", "k"), "_\r\n");
    viaHello.close();
  });
});

Deno.test("CLIENT SETNAME, LIST and KILL", async () => {
  await withServer({}, async (port) => {
    const admin = await RawClient.connect(port);
    const victim = await RawClient.connect(port);
    assert.equal(await victim.commandText("CLIENT", "SETNAME", "victim"), "+OK\r\n");
    const id = (await victim.commandText("CLIENT", "ID")).slice(1, -2);
    const list = await admin.commandText("CLIENT", "LIST");
    assert.match(list, /name=victim/);
    assert.equal(await admin.commandText("CLIENT", "KILL", "ID", id), ":1\r\n");
    assert.ok(await victim.waitForClose(2000));
    assert.equal(
      await admin.commandText("CLIENT", "SETNAME", "bad name"),
      "-ERR Client names cannot contain spaces, newlines or special characters.\r\n",
    );
    admin.close();
    victim.close();
  });
});

Deno.test("WATCH aborts EXEC when another client touches the key", async () => {
  await withServer({}, async (port) => {
    const a = await RawClient.connect(port);
    const b = await RawClient.connect(port);
    assert.equal(await a.commandText("WATCH", "balance"), "+OK\r\n");
    assert.equal(await b.commandText("SET", "balance", "10"), "+OK\r\n");
    assert.equal(await a.commandText("MULTI"), "+OK\r\n");
    assert.equal(await a.commandText("INCR", "balance"), "+QUEUED\r\n");
    assert.equal(await a.commandText("EXEC"), "*-1\r\n");
    assert.equal(await a.commandText("GET", "balance"), "$2\r\n10\r\n");
    a.close();
    b.close();
  });
});

Deno.test("INFO reports Redis's sections and field names", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    await client.commandText("SET", "a", "1");
    await client.commandText("SET", "b", "2", "EX", "100");
    const info = await client.commandText("INFO");
    for (
      const field of [
        "redis_version:",
        "connected_clients:1",
        "used_memory:",
        "role:master",
        "total_commands_processed:",
        "db0:keys=2,expires=1",
      ]
    ) {
      assert.ok(info.includes(field), field);
    }
    client.close();
  });
});

Deno.test("SHUTDOWN stops the server", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  await client.send("SHUTDOWN NOSAVE\r\n");
  assert.ok(await client.waitForClose(2000));
  await server.closed;
  client.close();
  await assert.rejects(() => Deno.connect({ hostname: "127.0.0.1", port: server.port }));
});
