// Limits under load: what one client (or ten thousand) may cost the server. Ten thousand idle
// connections held open, a client trickling a huge bulk, a client that stops reading its replies,
// and idle clients past `timeout` — none may exhaust memory or stall another client, who keeps
// being served throughout. The server runs as its own process so its memory is its own.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { encodeCommand, RawClient } from "./_support/raw_client.ts";
import { killHard, spawnResplica } from "./_support/resplica_process.ts";
import { infoField, run } from "./_support/replication.ts";
import { delay } from "./_support/redis_peer.ts";

const IDLE_CONNECTIONS_WANTED = 10_000;
/** Bound on the server's resident memory with all of them open: far from exhausted. */
const IDLE_RSS_MAX_BYTES = 512 * 1024 * 1024;

/** This process's open-file limit (the test holds one descriptor per connection). */
async function openFileLimit(): Promise<number> {
  const output = await new Deno.Command("sh", { args: ["-c", "ulimit -n"] }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  return text === "unlimited" ? Infinity : Number(text);
}

async function rss(client: RawClient): Promise<number> {
  return Number(await infoField(client, "memory", "used_memory_rss"));
}

Deno.test("limits: 10,000 idle connections are held; another client is served meanwhile", async () => {
  const limit = await openFileLimit();
  const count = Math.min(IDLE_CONNECTIONS_WANTED, limit - 1000);
  console.log(`idle connections: ${count} (open-file limit ${limit})`);
  const server = await spawnResplica(["--maxclients", String(count + 100)]);
  const probe = await RawClient.connect(server.port);
  const idle: Deno.TcpConn[] = [];
  try {
    const rssBefore = await rss(probe);
    for (let opened = 0; opened < count; opened += 500) {
      const batch = Math.min(500, count - opened);
      idle.push(
        ...await Promise.all(
          Array.from(
            { length: batch },
            () => Deno.connect({ hostname: "127.0.0.1", port: server.port }),
          ),
        ),
      );
      // The well-behaved client is answered while the connections pile up.
      assert.equal(await probe.commandText("INCR", "served"), `:${opened / 500 + 1}\r\n`);
    }
    await waitUntil(async () =>
      Number(await infoField(probe, "clients", "connected_clients")) === count + 1
    );
    const rssAfter = await rss(probe);
    console.log(
      `RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB → ${(rssAfter / 2 ** 20).toFixed(0)} MiB ` +
        `(${((rssAfter - rssBefore) / count / 1024).toFixed(1)} KiB per idle connection)`,
    );
    assert.ok(rssAfter < IDLE_RSS_MAX_BYTES, `RSS ${rssAfter}`);
    assert.equal(await probe.commandText("SET", "k", "v"), "+OK\r\n");
    assert.equal(await probe.commandText("GET", "k"), "$1\r\nv\r\n");
  } finally {
    for (const conn of idle) conn.close();
    probe.close();
    await killHard(server);
  }
});

Deno.test("limits: a huge bulk sent slowly costs what arrived, not what it declares", async () => {
  const server = await spawnResplica([]);
  const probe = await RawClient.connect(server.port);
  const slow = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  const greedy = await RawClient.connect(server.port);
  try {
    const rssBefore = await rss(probe);
    // 512 MB declared (proto-max-bulk-len allows it); 2 MiB sent, 64 KiB at a time.
    await slow.write(new TextEncoder().encode("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$536870912\r\n"));
    const piece = new Uint8Array(64 * 1024).fill(0x61);
    for (let i = 0; i < 32; i++) {
      await slow.write(piece);
      if (i % 8 === 0) assert.equal(await probe.commandText("PING"), "+PONG\r\n");
      await delay(5);
    }
    const rssDuring = await rss(probe);
    assert.ok(rssDuring - rssBefore < 64 * 2 ** 20, `RSS grew ${rssDuring - rssBefore} bytes`);
    assert.equal(await probe.commandText("EXISTS", "big"), ":0\r\n");
    // Past proto-max-bulk-len (512 MB) the length alone is refused, and that client closed.
    await greedy.send("*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$1073741824\r\n");
    assert.equal(
      new TextDecoder().decode((await greedy.readReplies(1))[0]),
      "-ERR Protocol error: invalid bulk length\r\n",
    );
    assert.equal(await probe.commandText("PING"), "+PONG\r\n");
  } finally {
    slow.close();
    greedy.close();
    probe.close();
    await killHard(server);
  }
});

Deno.test("limits: a client that stops reading costs bounded memory and stalls no one", async () => {
  // A normal client's replies are written as it reads them: when it stops, its connection
  // stops being read (back-pressure), so its requests wait in the socket, not in our memory.
  // (Pub/Sub subscribers and replicas, fed by others, are closed past their
  // client-output-buffer-limit instead: tests/output_limits_test.ts.)
  const server = await spawnResplica([]);
  const probe = await RawClient.connect(server.port);
  const stalled = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
  try {
    await run(probe, "SET", "big", "x".repeat(100_000));
    const rssBefore = await rss(probe);
    // 2,000 GETs of 100 kB, never read: 200 MB of replies.
    const frame = encodeCommand(["GET", "big"]);
    const request = new Uint8Array(frame.length * 2000);
    for (let i = 0; i < 2000; i++) request.set(frame, i * frame.length);
    const writing = stalled.write(request).catch(() => 0);
    await delay(1000);
    for (let i = 0; i < 20; i++) assert.equal(await probe.commandText("PING"), "+PONG\r\n");
    const rssDuring = await rss(probe);
    assert.ok(rssDuring - rssBefore < 64 * 2 ** 20, `RSS grew ${rssDuring - rssBefore} bytes`);
    stalled.close();
    await writing;
    assert.equal(await probe.commandText("GET", "big").then((r) => r.length), 100_000 + 11);
  } finally {
    try {
      stalled.close();
    } catch {
      // Closed above.
    }
    probe.close();
    await killHard(server);
  }
});

Deno.test("limits: a reply past a normal client's output limit closes it, as Redis", async () => {
  const server = await startServer({
    port: 0,
    logLevel: "nothing",
    config: { "client-output-buffer-limit": "normal 1mb 0 0" },
  });
  const probe = await RawClient.connect(server.port);
  const greedy = await RawClient.connect(server.port);
  try {
    await run(probe, "SET", "big", "x".repeat(2 * 1024 * 1024));
    await run(probe, "SET", "small", "ok");
    assert.equal(await greedy.commandText("GET", "small"), "$2\r\nok\r\n");
    await greedy.send(encodeCommand(["GET", "big"]));
    await waitUntil(async () =>
      Number(await infoField(probe, "clients", "connected_clients")) === 1
    );
    assert.equal(await probe.commandText("PING"), "+PONG\r\n");
  } finally {
    greedy.close();
    probe.close();
    await server.close();
  }
});

Deno.test("limits: timeout closes idle clients, not busy ones", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing", config: { timeout: "1" } });
  const busy = await RawClient.connect(server.port);
  const idle = await RawClient.connect(server.port);
  try {
    assert.equal(await idle.commandText("PING"), "+PONG\r\n");
    await waitUntil(async () => {
      assert.equal(await busy.commandText("PING"), "+PONG\r\n");
      return Number(await infoField(busy, "clients", "connected_clients")) === 1;
    }, 10_000);
    assert.equal(await busy.commandText("PING"), "+PONG\r\n");
  } finally {
    busy.close();
    idle.close();
    await server.close();
  }
});

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadlineMs = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadlineMs) throw new Error("limits: timed out waiting");
    await delay(100);
  }
}
