// MIGRATE against redis-server 7.0: the same scenario (single key, KEYS form, COPY, REPLACE,
// BUSYKEY, NOKEY, TTLs, another database, collections, AUTH and AUTH2 against a target with a
// password, a wrong password, a port nobody listens on, argument errors) is run from
// redis-server to redis-server — the reference transcript — and then resplica → redis-server,
// redis-server → resplica and resplica → resplica; every transcript must equal the reference.
// A second test checks what only the asynchronous design has to get right: the moved keys reach
// a replica as DEL, and a key another client rewrites while MIGRATE waits is not deleted.
//
// Every server is a child process on its own free port, stopped by its own PID.

import assert from "node:assert/strict";
import { pickFreePort } from "./_support/ports.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";
import { delay, peerTest, type RedisPeer, startRedisServer } from "./_support/redis_peer.ts";
import { type ResplicaProcess, spawnResplica } from "./_support/resplica_process.ts";

const PASSWORD = "secret-pw";
const ACL_USER = "mover";
const ACL_PASSWORD = "mover-pw";
/** MIGRATE's timeout in the scenario, ms. */
const TIMEOUT_MS = 5000;
/** How long a key's TTL is in the scenario; the target must keep most of it. */
const TTL_MS = 100_000;

/** A server of either kind, with how to stop it by its own PID. */
interface Node {
  port: number;
  stop(): Promise<void>;
}

function fromPeer(peer: RedisPeer): Node {
  return { port: peer.port, stop: () => peer.stop() };
}

function fromResplica(server: ResplicaProcess): Node {
  return {
    port: server.port,
    stop: async () => {
      try {
        server.child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await server.child.status;
    },
  };
}

/** One text line per reply: simple strings and errors as sent, bulks and arrays decoded. */
function show(reply: Uint8Array): string {
  return latin1Text(reply).replaceAll("\r\n", "|");
}

/**
 * The scenario from `source` to `target` (plain) and `locked` (requirepass + an ACL user),
 * returning the transcript of every reply that should not depend on which server is which.
 */
async function scenario(source: Node, target: Node, locked: Node): Promise<string[]> {
  const src = await RawClient.connect(source.port);
  const dst = await RawClient.connect(target.port);
  const pw = await RawClient.connect(locked.port);
  const log: string[] = [];
  const on = async (client: RawClient, label: string, ...args: string[]) => {
    log.push(`${label} ${args.join(" ")} -> ${show(await client.command(...args))}`);
  };
  // The transcript leaves out host and port: they differ between runs.
  const migrate = async (port: number, ...args: string[]) => {
    const reply = await src.command("MIGRATE", "127.0.0.1", String(port), ...args);
    log.push(`src MIGRATE <target> ${args.join(" ")} -> ${show(reply)}`);
  };
  try {
    await on(src, "src", "FLUSHALL");
    await on(dst, "dst", "FLUSHALL");
    assert.equal(await pw.commandText("AUTH", PASSWORD), "+OK\r\n");
    await on(pw, "pw", "FLUSHALL");

    // One key; then NOKEY.
    await on(src, "src", "SET", "k1", "v1");
    await migrate(target.port, "k1", "0", String(TIMEOUT_MS));
    await on(src, "src", "EXISTS", "k1");
    await on(dst, "dst", "GET", "k1");
    await migrate(target.port, "k1", "0", String(TIMEOUT_MS));

    // The TTL travels (relative, so only its size is compared).
    await on(src, "src", "SET", "k2", "v2", "PX", String(TTL_MS));
    await migrate(target.port, "k2", "0", String(TIMEOUT_MS));
    const ttlMs = Number(latin1Text(await dst.command("PTTL", "k2")).slice(1));
    log.push(`dst PTTL k2 kept: ${ttlMs > TTL_MS - 10_000 && ttlMs <= TTL_MS}`);

    // COPY keeps the source; BUSYKEY without REPLACE; REPLACE moves it.
    await on(src, "src", "SET", "k3", "v3");
    await migrate(target.port, "k3", "0", String(TIMEOUT_MS), "COPY");
    await on(src, "src", "GET", "k3");
    await on(dst, "dst", "GET", "k3");
    await on(src, "src", "SET", "k3", "newer");
    await migrate(target.port, "k3", "0", String(TIMEOUT_MS));
    await on(src, "src", "GET", "k3");
    await migrate(target.port, "k3", "0", String(TIMEOUT_MS), "REPLACE");
    await on(src, "src", "EXISTS", "k3");
    await on(dst, "dst", "GET", "k3");

    // KEYS form, with a missing key among them, and BUSYKEY for one of several.
    await on(src, "src", "MSET", "a", "1", "b", "2", "c", "3");
    await migrate(target.port, "", "0", String(TIMEOUT_MS), "KEYS", "a", "missing", "b", "c");
    await on(src, "src", "EXISTS", "a", "b", "c");
    await on(dst, "dst", "MGET", "a", "b", "c");
    await on(src, "src", "MSET", "a", "10", "fresh", "20");
    await migrate(target.port, "", "0", String(TIMEOUT_MS), "KEYS", "a", "fresh");
    await on(src, "src", "MGET", "a", "fresh");
    await on(dst, "dst", "MGET", "a", "fresh");
    await migrate(target.port, "", "0", String(TIMEOUT_MS), "COPY", "REPLACE", "KEYS", "a");
    await on(dst, "dst", "GET", "a");

    // Collections, into another database.
    await on(src, "src", "RPUSH", "list", "x", "y", "z");
    await on(src, "src", "HSET", "hash", "f1", "v1", "f2", "v2");
    await on(src, "src", "ZADD", "zset", "1", "m1", "2.5", "m2");
    await on(src, "src", "SADD", "set", "1", "2", "3");
    await migrate(target.port, "", "5", String(TIMEOUT_MS), "KEYS", "list", "hash", "zset", "set");
    await on(dst, "dst", "SELECT", "5");
    await on(dst, "dst", "LRANGE", "list", "0", "-1");
    await on(dst, "dst", "HGETALL", "hash");
    await on(dst, "dst", "ZRANGE", "zset", "0", "-1", "WITHSCORES");
    await on(dst, "dst", "SMEMBERS", "set");
    await on(dst, "dst", "SELECT", "0");
    await on(src, "src", "SET", "far", "1");
    await migrate(target.port, "far", "99", String(TIMEOUT_MS));
    await on(src, "src", "EXISTS", "far");

    // A target with a password: AUTH, AUTH2, a wrong one, none.
    await on(src, "src", "SET", "p1", "v");
    await migrate(locked.port, "p1", "0", String(TIMEOUT_MS), "AUTH", PASSWORD);
    await on(pw, "pw", "GET", "p1");
    await on(src, "src", "SET", "p2", "v");
    await migrate(locked.port, "p2", "0", String(TIMEOUT_MS), "AUTH2", ACL_USER, ACL_PASSWORD);
    await on(pw, "pw", "GET", "p2");
    await on(src, "src", "SET", "p3", "v");
    await migrate(locked.port, "p3", "0", String(TIMEOUT_MS), "AUTH", "wrong");
    await migrate(locked.port, "p3", "0", String(TIMEOUT_MS), "AUTH2", ACL_USER, "wrong");
    await migrate(locked.port, "p3", "0", String(TIMEOUT_MS));
    await on(src, "src", "EXISTS", "p3");
    await on(pw, "pw", "EXISTS", "p3");

    // Nobody listens: IOERR, the key stays.
    await migrate(pickFreePort(), "p3", "0", "200");
    await on(src, "src", "EXISTS", "p3");

    // Argument errors.
    await migrate(target.port, "p3", "0", String(TIMEOUT_MS), "AUTH");
    await migrate(target.port, "p3", "0", String(TIMEOUT_MS), "AUTH2", "u");
    await migrate(target.port, "p3", "0", String(TIMEOUT_MS), "BOGUS");
    await migrate(target.port, "p3", "0", String(TIMEOUT_MS), "KEYS", "p3");
    await migrate(target.port, "p3", "0", "soon");
    await migrate(target.port, "p3", "zero", String(TIMEOUT_MS));
    await on(src, "src", "MIGRATE", "127.0.0.1", "1", "p3", "0");
    await on(src, "src", "COMMAND", "GETKEYS", "MIGRATE", "h", "1", "", "0", "1", "KEYS", "x", "y");
    await on(src, "src", "COMMAND", "GETKEYSANDFLAGS", "MIGRATE", "h", "1", "k", "0", "1");
  } finally {
    src.close();
    dst.close();
    pw.close();
  }
  return log;
}

/**
 * Starts a redis-server or a resplica, plain or locked: PASSWORD set by CONFIG SET once it
 * answers PING (the start-up probe sends no AUTH), and the ACL user.
 */
async function startNode(kind: "redis" | "resplica", locked: boolean): Promise<Node> {
  const node = kind === "redis"
    ? fromPeer(await startRedisServer())
    : fromResplica(await spawnResplica([]));
  if (locked) {
    const client = await RawClient.connect(node.port);
    try {
      const user = ["ACL", "SETUSER", ACL_USER, "on", `>${ACL_PASSWORD}`, "~*", "+@all"];
      assert.equal(await client.commandText(...user), "+OK\r\n");
      const reply = await client.commandText("CONFIG", "SET", "requirepass", PASSWORD);
      assert.equal(reply, "+OK\r\n");
    } finally {
      client.close();
    }
  }
  return node;
}

peerTest("MIGRATE gives redis-server's replies in every direction", async (t) => {
  const nodes: Node[] = [];
  try {
    const start = async (kind: "redis" | "resplica", locked = false) => {
      const node = await startNode(kind, locked);
      nodes.push(node);
      return node;
    };
    // One at a time: several resplicas compiling at once on a small machine start slowly.
    const redisA = await start("redis");
    const redisB = await start("redis");
    const redisLocked = await start("redis", true);
    const resplicaA = await start("resplica");
    const resplicaB = await start("resplica");
    const resplicaLocked = await start("resplica", true);
    const reference = await scenario(redisA, redisB, redisLocked);
    const directions: [string, Node, Node, Node][] = [
      ["resplica → redis-server", resplicaA, redisB, redisLocked],
      ["redis-server → resplica", redisA, resplicaB, resplicaLocked],
      ["resplica → resplica", resplicaA, resplicaB, resplicaLocked],
    ];
    for (const [name, source, target, locked] of directions) {
      await t.step(name, async () => {
        assert.deepEqual(await scenario(source, target, locked), reference);
      });
    }
  } finally {
    await Promise.all(nodes.map((node) => node.stop()));
  }
});

peerTest("MIGRATE from resplica: replicas get DEL, a key rewritten meanwhile stays", async () => {
  const nodes: Node[] = [];
  try {
    const source = fromResplica(await spawnResplica([]));
    nodes.push(source);
    const replica = fromPeer(
      await startRedisServer(["--replicaof", "127.0.0.1", String(source.port)]),
    );
    nodes.push(replica);
    // A "target" that accepts the connection and answers slowly, by hand.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const targetPort = (listener.addr as Deno.NetAddr).port;
    const src = await RawClient.connect(source.port);
    const other = await RawClient.connect(source.port);
    const rep = await RawClient.connect(replica.port);
    try {
      for (let i = 0; i < 100; i++) {
        const info = await rep.commandText("INFO", "replication");
        if (info.includes("master_link_status:up")) break;
        await delay(100);
      }
      assert.equal(await src.commandText("MSET", "moved", "1", "rewritten", "2"), "+OK\r\n");
      await src.send(
        "*9\r\n$7\r\nMIGRATE\r\n$9\r\n127.0.0.1\r\n$" + String(targetPort).length + "\r\n" +
          targetPort + "\r\n$0\r\n\r\n$1\r\n0\r\n$4\r\n5000\r\n$4\r\nKEYS\r\n" +
          "$5\r\nmoved\r\n$9\r\nrewritten\r\n",
      );
      const conn = await listener.accept();
      const buffer = new Uint8Array(4096);
      let received = "";
      while ((received.match(/RESTORE/g) ?? []).length < 2) {
        const count = await conn.read(buffer);
        assert.ok(count !== null, "the source closed the connection");
        received += latin1Text(buffer.subarray(0, count));
      }
      // While MIGRATE waits, the server serves others, and one of them rewrites a key.
      assert.equal(await other.commandText("SET", "rewritten", "new"), "+OK\r\n");
      await conn.write(new TextEncoder().encode("+OK\r\n+OK\r\n+OK\r\n")); // SELECT, 2 RESTOREs
      assert.equal(latin1Text((await src.readReplies(1))[0]), "+OK\r\n");
      conn.close();
      assert.equal(await src.commandText("EXISTS", "moved"), ":0\r\n");
      assert.equal(await src.commandText("GET", "rewritten"), "$3\r\nnew\r\n");
      // The replica saw the DEL of "moved" only, and the rewrite.
      assert.equal(await src.commandText("WAIT", "1", "5000"), ":1\r\n");
      assert.equal(await rep.commandText("EXISTS", "moved"), ":0\r\n");
      assert.equal(await rep.commandText("GET", "rewritten"), "$3\r\nnew\r\n");
    } finally {
      src.close();
      other.close();
      rep.close();
      listener.close();
    }
  } finally {
    for (const node of nodes.reverse()) await node.stop();
  }
});
