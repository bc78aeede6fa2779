// Client-side caching on resplica alone: RESP2 redirection through `__redis__:invalidate`,
// a broken redirect, the INFO counters, CLIENT LIST's flags and redir=, scripts' reads, the
// tracking-table-max-keys limit and expired keys. The byte-exact comparison with redis-server
// is tests/differential_tracking_test.ts.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";

type Server = Awaited<ReturnType<typeof startServer>>;

async function withServer(body: (server: Server) => Promise<void>): Promise<void> {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

async function connect(server: Server): Promise<RawClient> {
  return await RawClient.connect(server.port);
}

/** A RESP2 client subscribed to __redis__:invalidate, and its id. */
async function redirectClient(server: Server): Promise<{ client: RawClient; id: string }> {
  const client = await connect(server);
  const id = (await client.commandText("CLIENT", "ID")).slice(1, -2);
  assert.match(
    await client.commandText("SUBSCRIBE", "__redis__:invalidate"),
    /^\*3\r\n\$9\r\nsubscribe/,
  );
  return { client, id };
}

/** The RESP2 Pub/Sub message carrying an invalidation of `keys` (null: a flush). */
function invalidateMessage(keys: string[] | null): string {
  const payload = keys === null
    ? "$-1\r\n"
    : `*${keys.length}\r\n` + keys.map((k) => `$${k.length}\r\n${k}\r\n`).join("");
  return "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n" + payload;
}

async function infoField(client: RawClient, field: string): Promise<string> {
  const info = await client.commandText("INFO");
  const match = info.match(new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`));
  assert.ok(match, `INFO has ${field}`);
  return match[1];
}

Deno.test("tracking: RESP2 invalidations reach the redirect client as Pub/Sub messages", async () => {
  await withServer(async (server) => {
    const redirect = await redirectClient(server);
    const tracker = await connect(server);
    const writer = await connect(server);
    try {
      assert.equal(
        await tracker.commandText("CLIENT", "TRACKING", "on", "REDIRECT", redirect.id),
        "+OK\r\n",
      );
      await writer.command("SET", "a", "1");
      await tracker.command("GET", "a");
      await writer.command("INCR", "b"); // never read: no message
      await writer.command("INCR", "a");
      const [message] = await redirect.client.readReplies(1);
      assert.equal(latin1Text(message), invalidateMessage(["a"]));
      await tracker.command("GET", "a");
      await writer.command("FLUSHALL");
      const [flush] = await redirect.client.readReplies(1);
      assert.equal(latin1Text(flush), invalidateMessage(null));
      assert.equal(await tracker.commandText("CLIENT", "GETREDIR"), `:${redirect.id}\r\n`);
    } finally {
      redirect.client.close();
      tracker.close();
      writer.close();
    }
  });
});

Deno.test("tracking: INFO counts clients, keys, items and prefixes; CLIENT LIST shows t and B", async () => {
  await withServer(async (server) => {
    const a = await connect(server);
    const b = await connect(server);
    try {
      await a.command("HELLO", "3");
      await a.command("CLIENT", "TRACKING", "on");
      await a.command("MGET", "k1", "k2");
      await b.command("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:");
      await b.command("GET", "k1"); // BCAST clients track nothing key by key
      assert.equal(await infoField(a, "tracking_clients"), "2");
      assert.equal(await infoField(a, "tracking_total_keys"), "2");
      assert.equal(await infoField(a, "tracking_total_items"), "2");
      assert.equal(await infoField(a, "tracking_total_prefixes"), "1");
      const list = await a.commandText("CLIENT", "LIST");
      assert.match(list, /flags=t db=0 .* redir=0 resp=3/);
      assert.match(list, /flags=tB db=0 .* redir=0 resp=2/);
      await b.command("CLIENT", "TRACKING", "off");
      assert.equal(await infoField(a, "tracking_total_prefixes"), "0");
      assert.equal(await infoField(a, "tracking_clients"), "1");
      assert.match(await b.commandText("CLIENT", "INFO"), / flags=N .* redir=-1 /);
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("tracking: a redirect client that left breaks the redirect (R, tracking-redir-broken)", async () => {
  await withServer(async (server) => {
    const redirect = await redirectClient(server);
    const tracker = await connect(server);
    const writer = await connect(server);
    try {
      await tracker.command("HELLO", "3");
      await tracker.command("CLIENT", "TRACKING", "on", "REDIRECT", redirect.id);
      await tracker.command("GET", "k");
      redirect.client.close();
      // The server notices the close on its next read; retry until it has.
      for (let attempt = 0; attempt < 50; attempt++) {
        if (!(await tracker.commandText("CLIENT", "LIST")).includes(`id=${redirect.id} `)) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await writer.command("SET", "k", "1");
      await tracker.send("PING\r\n");
      const [push, pong] = await tracker.readReplies(2);
      assert.equal(
        latin1Text(push),
        `>2\r\n$21\r\ntracking-redir-broken\r\n:${redirect.id}\r\n`,
      );
      assert.equal(latin1Text(pong), "+PONG\r\n");
      const info = await tracker.commandText("CLIENT", "TRACKINGINFO");
      assert.match(info, /~2\r\n\$2\r\non\r\n\$15\r\nbroken_redirect\r\n/);
      assert.match(await tracker.commandText("CLIENT", "INFO"), / flags=tR /);
    } finally {
      tracker.close();
      writer.close();
    }
  });
});

Deno.test("tracking: a script's reads track its declared keys for the caller", async () => {
  await withServer(async (server) => {
    const tracker = await connect(server);
    const writer = await connect(server);
    try {
      await tracker.command("HELLO", "3");
      await tracker.command("CLIENT", "TRACKING", "on");
      // A script that only writes tracks nothing.
      await tracker.command("EVAL", "redis.call('set', 'x', 'bar')", "2", "k1", "k2");
      assert.equal(await infoField(tracker, "tracking_total_keys"), "0");
      await tracker.command("EVAL", "redis.call('get', 'x')", "2", "k1", "k2");
      assert.equal(await infoField(tracker, "tracking_total_keys"), "2");
      await writer.command("MSET", "k2", "1", "k1", "1");
      await tracker.send("PING\r\n");
      const replies = (await tracker.readReplies(3)).map(latin1Text);
      assert.deepEqual(replies, [
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk2\r\n",
        ">2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n",
        "+PONG\r\n",
      ]);
    } finally {
      tracker.close();
      writer.close();
    }
  });
});

Deno.test("tracking: tracking-table-max-keys invalidates keys down to the limit", async () => {
  await withServer(async (server) => {
    const redirect = await redirectClient(server);
    const tracker = await connect(server);
    try {
      await tracker.command("CLIENT", "TRACKING", "on", "REDIRECT", redirect.id);
      const keyCount = 250;
      for (let i = 0; i < keyCount; i++) await tracker.command("GET", `key${i}`);
      assert.equal(await infoField(tracker, "tracking_total_keys"), String(keyCount));
      await tracker.command("CONFIG", "SET", "tracking-table-max-keys", "1");
      // The cron and each command take a bounded effort (100 keys, then 200 …).
      const messages = await redirect.client.readReplies(keyCount - 1, 10_000);
      assert.equal(messages.length, keyCount - 1);
      assert.equal(await infoField(tracker, "tracking_total_keys"), "1");
      assert.equal(
        await tracker.commandText("CONFIG", "GET", "tracking-table-max-keys"),
        "*2\r\n$23\r\ntracking-table-max-keys\r\n$1\r\n1\r\n",
      );
    } finally {
      redirect.client.close();
      tracker.close();
    }
  });
});

Deno.test("tracking: an expired key is invalidated, also for a NOLOOP BCAST client", async () => {
  await withServer(async (server) => {
    const tracker = await connect(server);
    try {
      await tracker.command("HELLO", "3");
      await tracker.command("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP");
      await tracker.command("SET", "soon", "v", "PX", "1");
      await tracker.command("SET", "kept", "v");
      const [push] = await tracker.readReplies(1, 3_000);
      assert.equal(latin1Text(push), ">2\r\n$10\r\ninvalidate\r\n*1\r\n$4\r\nsoon\r\n");
    } finally {
      tracker.close();
    }
  });
});
