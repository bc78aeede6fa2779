// Access control end to end: a restricted user is held to its commands, keys and channels, each
// denial (and each failed AUTH) lands in ACL LOG; the ACL subcommands round-trip users; the
// aclfile saves and loads; requirepass keeps working through the default user; and a replica
// authenticates to its master as a user allowed only what replication needs. Servers run
// in-process on ports they pick; each test closes what it started.

import assert from "node:assert/strict";
import { type ServerOptions, startServer } from "../mod.ts";
import { commandKeys } from "../core/command_meta/keys_of.ts";
import { buildCommandTable } from "../core/commands/registry.ts";
import { applyConfigText } from "../core/config/load.ts";
import { Config } from "../core/config/table.ts";
import { startNetworkServer } from "../core/network/start.ts";
import { Engine } from "../core/engine/mod.ts";
import { Store } from "../core/store.ts";
import type { CommandSpec } from "../core/command_meta/spec.ts";
import { latin1Bytes, RawClient, splitAggregate } from "./_support/raw_client.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import { QUIET, run, startMaster, waitInSync } from "./_support/replication.ts";

async function withServer(
  options: ServerOptions,
  body: (port: number) => Promise<void>,
): Promise<void> {
  const server = await startServer({ ...QUIET, ...options });
  try {
    await body(server.port);
  } finally {
    await server.close();
  }
}

/** The text of each element of a flat aggregate reply (bulk, simple or integer). */
function elements(reply: Uint8Array): string[] {
  const parts = splitAggregate(reply);
  assert.ok(parts !== null, `not an aggregate: ${new TextDecoder().decode(reply)}`);
  return parts.map((part) => {
    const text = new TextDecoder().decode(part);
    if (text[0] === "$") return text.slice(text.indexOf("\r\n") + 2, -2);
    return text.slice(1, -2);
  });
}

/** ACL LOG's entries as field → value records (values of nested replies left raw). */
async function aclLog(client: RawClient): Promise<Record<string, string>[]> {
  const reply = await client.command("ACL", "LOG");
  const entries = splitAggregate(reply)!;
  return entries.map((entry) => {
    const fields = elements(entry);
    const record: Record<string, string> = {};
    for (let i = 0; i < fields.length; i += 2) record[fields[i]] = fields[i + 1];
    return record;
  });
}

function bulk(text: string): string {
  return `$${text.length}\r\n${text}\r\n`;
}

const NOPERM_KEYS =
  "-NOPERM this user has no permissions to access one of the keys used as arguments\r\n";

Deno.test("a user limited to ~cache:* +get +set can do only that, and each denial is logged", async () => {
  await withServer({}, async (port) => {
    const admin = await RawClient.connect(port);
    const cache = await RawClient.connect(port);
    try {
      await run(admin, "ACL", "SETUSER", "cacher", "on", ">s3cret", "~cache:*", "+get", "+set");
      assert.equal(await cache.commandText("AUTH", "cacher", "s3cret"), "+OK\r\n");
      assert.equal(await cache.commandText("SET", "cache:a", "1"), "+OK\r\n");
      assert.equal(await cache.commandText("GET", "cache:a"), "$1\r\n1\r\n");

      assert.equal(await cache.commandText("GET", "other"), NOPERM_KEYS);
      assert.equal(await cache.commandText("SET", "other", "x"), NOPERM_KEYS);
      assert.equal(
        await cache.commandText("CONFIG", "GET", "port"),
        "-NOPERM this user has no permissions to run the 'config|get' command\r\n",
      );
      assert.equal(
        await cache.commandText("DEL", "cache:a"),
        "-NOPERM this user has no permissions to run the 'del' command\r\n",
      );
      assert.equal(await admin.commandText("EXISTS", "other"), ":0\r\n");

      const log = await aclLog(admin);
      const summary = log.map((e) => [e.reason, e.object, e.username, e.context, e.count]);
      assert.deepEqual(summary, [
        ["command", "del", "cacher", "toplevel", "1"],
        ["command", "config|get", "cacher", "toplevel", "1"],
        // GET other and SET other: the same key, user and reason fold into one entry.
        ["key", "other", "cacher", "toplevel", "2"],
      ]);
      assert.match(log[0]["client-info"], /^id=\d+ addr=127\.0\.0\.1:\d+ .* user=cacher /);
      assert.ok(Number(log[0]["age-seconds"]) >= 0);
      assert.equal(await admin.commandText("ACL", "LOG", "RESET"), "+OK\r\n");
      assert.equal(await admin.commandText("ACL", "LOG"), "*0\r\n");
    } finally {
      admin.close();
      cache.close();
    }
  });
});

Deno.test("failed AUTH and HELLO AUTH answer WRONGPASS and are logged with reason auth", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    try {
      await run(client, "ACL", "SETUSER", "alice", "on", ">pw", "+@all", "~*");
      const wrongpass = "-WRONGPASS invalid username-password pair or user is disabled.\r\n";
      assert.equal(await client.commandText("AUTH", "alice", "nope"), wrongpass);
      assert.equal(await client.commandText("AUTH", "ghost", "pw"), wrongpass);
      assert.equal(await client.commandText("HELLO", "3", "AUTH", "alice", "bad"), wrongpass);
      await run(client, "ACL", "SETUSER", "alice", "off");
      assert.equal(await client.commandText("AUTH", "alice", "pw"), wrongpass);
      const log = await aclLog(client);
      assert.deepEqual(log.map((e) => [e.reason, e.object, e.username]), [
        ["auth", "AUTH", "alice"],
        ["auth", "HELLO", "alice"],
        ["auth", "AUTH", "ghost"],
      ]);
      assert.equal(log[0].count, "2");
      await run(client, "ACL", "SETUSER", "alice", "on");
      const hello = await client.command("HELLO", "3", "AUTH", "alice", "pw");
      assert.equal(new TextDecoder().decode(hello.subarray(0, 2)), "%7");
      assert.equal(await client.commandText("ACL", "WHOAMI"), "$5\r\nalice\r\n");
    } finally {
      client.close();
    }
  });
});

Deno.test("ACL SETUSER, GETUSER, USERS, LIST, CAT, DELUSER and WHOAMI round trips", async () => {
  await withServer({}, async (port) => {
    const admin = await RawClient.connect(port);
    const bob = await RawClient.connect(port);
    try {
      assert.equal(await admin.commandText("ACL", "WHOAMI"), "$7\r\ndefault\r\n");
      await run(
        admin,
        "ACL",
        "SETUSER",
        "bob",
        "on",
        ">pw",
        "~k:*",
        "&news.*",
        "+@string",
        "-set",
        "+publish",
      );
      assert.deepEqual(elements(await admin.command("ACL", "USERS")), ["bob", "default"]);
      const getuser = elements(await admin.command("ACL", "GETUSER", "bob"));
      assert.equal(getuser[0], "flags");
      assert.equal(getuser[4], "commands");
      assert.equal(getuser[5], "-@all +@string -set +publish");
      assert.deepEqual(getuser.slice(6, 10), ["keys", "~k:*", "channels", "&news.*"]);
      const hashHex = "30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4";
      assert.deepEqual(elements(await admin.command("ACL", "LIST")), [
        `user bob on #${hashHex} ~k:* resetchannels &news.* -@all +@string -set +publish`,
        "user default on nopass ~* &* +@all",
      ]);
      // The description is itself a valid rule list that rebuilds the same user.
      await run(
        admin,
        "ACL",
        "SETUSER",
        "bob2",
        "reset",
        ...elements(
          await admin.command("ACL", "LIST"),
        )[0].split(" ").slice(2),
      );
      assert.equal(
        elements(await admin.command("ACL", "LIST"))[1],
        `user bob2 on sanitize-payload #${hashHex} ~k:* resetchannels &news.* -@all +@string -set +publish`,
      );
      assert.ok(elements(await admin.command("ACL", "CAT")).includes("dangerous"));
      assert.ok(elements(await admin.command("ACL", "CAT", "string")).includes("get"));
      assert.equal(await admin.commandText("ACL", "DRYRUN", "bob", "GET", "k:1"), "+OK\r\n");
      assert.equal(
        await admin.commandText("ACL", "DRYRUN", "bob", "SET", "k:1", "v"),
        bulk("This user has no permissions to run the 'set' command"),
      );

      await run(bob, "AUTH", "bob", "pw");
      assert.equal(
        await bob.commandText("ACL", "WHOAMI"),
        "-NOPERM this user has no permissions to run the 'acl|whoami' command\r\n",
      );
      assert.equal(
        await bob.commandText("PUBLISH", "sports", "x"),
        "-NOPERM this user has no permissions to access one of the channels used as arguments\r\n",
      );
      assert.equal(
        await admin.commandText("ACL", "DELUSER", "default"),
        "-ERR The 'default' user cannot be removed\r\n",
      );
      assert.equal(await admin.commandText("ACL", "DELUSER", "bob", "bob2", "ghost"), ":2\r\n");
      assert.ok(await bob.waitForClose(2000), "a deleted user's connection is closed");
      assert.equal(await admin.commandText("ACL", "GETUSER", "bob"), "$-1\r\n");
    } finally {
      admin.close();
      bob.close();
    }
  });
});

Deno.test("a command queued in MULTI is refused at EXEC when its permission was revoked", async () => {
  await withServer({}, async (port) => {
    const admin = await RawClient.connect(port);
    const user = await RawClient.connect(port);
    try {
      await run(admin, "ACL", "SETUSER", "u", "on", "nopass", "~*", "+@all");
      await run(user, "AUTH", "u", "any");
      await run(user, "MULTI");
      assert.equal(await user.commandText("SET", "a", "1"), "+QUEUED\r\n");
      assert.equal(await user.commandText("GET", "a"), "+QUEUED\r\n");
      await run(admin, "ACL", "SETUSER", "u", "-set");
      assert.equal(
        await user.commandText("EXEC"),
        "*2\r\n-NOPERM ACLs rules changed between the moment the transaction was accumulated " +
          "and the EXEC call. This command is no longer allowed for the following reason: no " +
          "permission to execute the command or subcommand\r\n$-1\r\n",
      );
      const [entry] = await aclLog(admin);
      assert.deepEqual([entry.reason, entry.object, entry.context], ["command", "set", "multi"]);
    } finally {
      admin.close();
      user.close();
    }
  });
});

Deno.test("requirepass sets the default user's password, at start-up and by CONFIG SET", async () => {
  await withServer({ config: { requirepass: "first" } }, async (port) => {
    const client = await RawClient.connect(port);
    try {
      assert.equal(await client.commandText("GET", "k"), "-NOAUTH Authentication required.\r\n");
      assert.equal(await client.commandText("AUTH", "first"), "+OK\r\n");
      await run(client, "CONFIG", "SET", "requirepass", "second");
      const waiting = await RawClient.connect(port);
      assert.equal(await waiting.commandText("PING"), "-NOAUTH Authentication required.\r\n");
      const other = await RawClient.connect(port);
      assert.equal(await other.commandText("PING"), "-NOAUTH Authentication required.\r\n");
      assert.equal(
        await other.commandText("AUTH", "first"),
        "-WRONGPASS invalid username-password pair or user is disabled.\r\n",
      );
      assert.equal(await other.commandText("AUTH", "default", "second"), "+OK\r\n");
      other.close();
      await run(client, "CONFIG", "SET", "requirepass", "");
      // Never authenticated, but the default user needs no password any more (as Redis).
      assert.equal(await waiting.commandText("PING"), "+PONG\r\n");
      waiting.close();
      const open = await RawClient.connect(port);
      assert.equal(await open.commandText("PING"), "+PONG\r\n");
      open.close();
    } finally {
      client.close();
    }
  });
});

Deno.test("aclfile: SAVE then LOAD round trip, start-up load, malformed file refused", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/users.acl`;
  try {
    await Deno.writeTextFile(path, "user default on nopass ~* &* +@all\n");
    await withServer({ config: { aclfile: path } }, async (port) => {
      const client = await RawClient.connect(port);
      try {
        await run(client, "ACL", "SETUSER", "saved", "on", ">pw", "~a:*", "+get");
        await run(client, "ACL", "SAVE");
        const text = await Deno.readTextFile(path);
        assert.match(
          text,
          /^user default on nopass ~\* &\* \+@all\nuser saved on #[0-9a-f]{64} ~a:\* resetchannels -@all \+get\n$/,
        );
        await run(client, "ACL", "DELUSER", "saved");
        await run(client, "ACL", "LOAD");
        assert.deepEqual(elements(await client.command("ACL", "USERS")), ["default", "saved"]);
        const probe = await RawClient.connect(port);
        assert.equal(await probe.commandText("AUTH", "saved", "pw"), "+OK\r\n");
        probe.close();

        await Deno.writeTextFile(path, "user ok on nopass\nnot-a-user line\nuser x +nosuch\n");
        const reply = await client.commandText("ACL", "LOAD");
        assert.equal(
          reply,
          `-ERR ${path}:2 should start with user keyword followed by the username. ` +
            `${path}:3: Error in applying operation '+nosuch': Unknown command or category ` +
            "name in ACL. WARNING: ACL errors detected, no change to the previously active ACL " +
            "rules was performed\r\n",
        );
        assert.deepEqual(elements(await client.command("ACL", "USERS")), ["default", "saved"]);
      } finally {
        client.close();
      }
    });
    // Start-up loads the file and refuses to serve with a broken one.
    await Deno.writeTextFile(path, "user loaded on >pw ~* +@all\n");
    await withServer({ config: { aclfile: path } }, async (port) => {
      const client = await RawClient.connect(port);
      assert.equal(await client.commandText("AUTH", "loaded", "pw"), "+OK\r\n");
      client.close();
    });
    await Deno.writeTextFile(path, "user broken ~a ~* ~b\n");
    await assert.rejects(
      async () => await startServer({ ...QUIET, config: { aclfile: path } }),
      /Aborting Redis startup because of ACL errors: .*users\.acl:1: Adding a pattern after/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("ACL LOAD and SAVE without an aclfile answer Redis's error", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    const reply = await client.commandText("ACL", "SAVE");
    assert.ok(reply.startsWith("-ERR This Redis instance is not configured to use an ACL file."));
    assert.equal(await client.commandText("ACL", "LOAD"), reply);
    client.close();
  });
});

Deno.test("a replica syncs as a master's user allowed only +psync +replconf +ping", async () => {
  const master = await startMaster({ requirepass: "adminpw" });
  const replica = await startServer({
    ...QUIET,
    config: { masteruser: "replicator", masterauth: "replpw" },
  });
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await run(m, "AUTH", "adminpw");
    await run(m, "ACL", "SETUSER", "replicator", "on", ">replpw", "+psync", "+replconf", "+ping");
    await fillDataset(m);
    await run(r, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r);
    await run(m, "SET", "after-sync", "1");
    await waitInSync(m, r);
    assert.equal(await datasetDigest(r), await datasetDigest(m));
    assert.equal(await m.commandText("ACL", "LOG"), "*0\r\n");
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});

Deno.test("commandKeys finds keys at fixed positions and after numkeys", () => {
  const table = buildCommandTable();
  const keysOf = (...args: string[]): number[] => {
    const resolved = table.resolve(args.map(latin1Bytes));
    assert.ok(typeof resolved !== "string", String(resolved));
    return commandKeys(resolved as CommandSpec, args.map(latin1Bytes));
  };
  assert.deepEqual(keysOf("GET", "k"), [1]);
  assert.deepEqual(keysOf("MSET", "a", "1", "b", "2"), [1, 3]);
  assert.deepEqual(keysOf("DEL", "a", "b", "c"), [1, 2, 3]);
  assert.deepEqual(keysOf("BLPOP", "a", "b", "0"), [1, 2]);
  assert.deepEqual(keysOf("ZUNIONSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2"), [1, 3, 4]);
  assert.deepEqual(keysOf("ZINTER", "2", "a", "b"), [2, 3]);
  assert.deepEqual(keysOf("SINTERCARD", "2", "a", "b", "LIMIT", "1"), [2, 3]);
  assert.deepEqual(keysOf("LMPOP", "2", "a", "b", "LEFT"), [2, 3]);
  assert.deepEqual(keysOf("BLMPOP", "0", "1", "a", "LEFT"), [3]);
  assert.deepEqual(keysOf("BZMPOP", "0", "2", "a", "b", "MIN"), [3, 4]);
  assert.deepEqual(keysOf("ZMPOP", "9", "a", "MIN"), [], "numkeys beyond argv: no keys");
  assert.deepEqual(keysOf("PING"), []);
  assert.deepEqual(keysOf("CONFIG", "GET", "port"), []);
});

Deno.test("the default user pays one boolean per command; a restricted one is fully checked", async () => {
  await withServer({}, async (port) => {
    const client = await RawClient.connect(port);
    try {
      await run(client, "ACL", "SETUSER", "default", "-flushall");
      assert.equal(
        await client.commandText("FLUSHALL"),
        "-NOPERM this user has no permissions to run the 'flushall' command\r\n",
      );
      await run(client, "ACL", "SETUSER", "default", "+flushall");
      assert.equal(await client.commandText("FLUSHALL"), "+OK\r\n");
    } finally {
      client.close();
    }
  });
});

Deno.test("rename-command: a served embedded Store still writes (through the new name)", async () => {
  const config = new Config();
  applyConfigText(
    config,
    'port 0\nsave ""\nloglevel nothing\nrename-command SET myset\nrename-command DEL ""\n',
    "renames.conf",
  );
  const engine = Engine.create();
  const store = new Store(engine, 0);
  const server = startNetworkServer(config, engine);
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(store.set("k", "v"), true);
    assert.equal(await client.commandText("GET", "k"), "$1\r\nv\r\n");
    assert.throws(() => store.del("k"), /'DEL' is disabled by rename-command/);
    assert.equal(store.get("k"), "v");
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("rename-command in the config file renames or disables; ACL rules keep the old names", async () => {
  const config = new Config();
  applyConfigText(
    config,
    'port 0\nsave ""\nloglevel nothing\nrename-command FLUSHALL ""\nrename-command config xyz\n',
    "renames.conf",
  );
  const server = startNetworkServer(config);
  const client = await RawClient.connect(server.port);
  try {
    assert.match(await client.commandText("FLUSHALL"), /^-ERR unknown command 'FLUSHALL'/);
    assert.match(
      await client.commandText("CONFIG", "GET", "port"),
      /^-ERR unknown command 'CONFIG'/,
    );
    assert.equal(await client.commandText("XYZ", "GET", "hz"), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
    await run(client, "ACL", "SETUSER", "ops", "on", "nopass", "+config|get");
    assert.equal(await client.commandText("AUTH", "ops", "x"), "+OK\r\n");
    assert.equal(await client.commandText("XYZ", "GET", "hz"), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  } finally {
    client.close();
    await server.close();
  }
  const broken = new Config();
  applyConfigText(broken, "port 0\nrename-command nosuch x\n", "broken.conf");
  assert.throws(
    () => startNetworkServer(broken),
    /rename-command nosuch "x": No such command in rename-command/,
  );
});

Deno.test("narrowing a user's channels disconnects its clients subscribed outside them", async () => {
  await withServer({}, async (port) => {
    const admin = await RawClient.connect(port);
    const kept = await RawClient.connect(port);
    const dropped = await RawClient.connect(port);
    try {
      await run(admin, "ACL", "SETUSER", "sub", "on", "nopass", "&news.*", "&sports", "+@all");
      for (const client of [kept, dropped]) await run(client, "AUTH", "sub", "x");
      await kept.command("SUBSCRIBE", "news.today");
      await dropped.command("SUBSCRIBE", "sports");
      await run(admin, "ACL", "SETUSER", "sub", "resetchannels", "&news.*");
      assert.ok(await dropped.waitForClose(2000), "the sports subscriber is disconnected");
      await admin.command("PUBLISH", "news.today", "hello");
      const [message] = await kept.readReplies(1);
      assert.match(new TextDecoder().decode(message), /news\.today\r\n\$5\r\nhello/);
    } finally {
      admin.close();
      kept.close();
      dropped.close();
    }
  });
});

Deno.test("user lines in the config file define users; acl-pubsub-default applies to new users", async () => {
  const config = new Config();
  applyConfigText(
    config,
    'port 0\nsave ""\nloglevel nothing\nacl-pubsub-default allchannels\n' +
      "user ops on >opspw ~* +@all -@dangerous\nuser default on nopass ~* &* +@all\n",
    "users.conf",
  );
  const server = startNetworkServer(config);
  const client = await RawClient.connect(server.port);
  try {
    assert.deepEqual(
      elements(await client.command("ACL", "LIST")),
      [
        "user default on nopass sanitize-payload ~* &* +@all",
        `user ops on #${await sha256Hex("opspw")} ~* &* +@all -@dangerous`,
      ].sort(),
    );
    await run(client, "ACL", "SETUSER", "fresh");
    assert.equal(
      elements(await client.command("ACL", "LIST"))[1],
      "user fresh off &* -@all",
    );
  } finally {
    client.close();
    await server.close();
  }
  const clash = new Config();
  applyConfigText(clash, "port 0\naclfile /nonexistent\nuser a on\n", "clash.conf");
  assert.throws(() => startNetworkServer(clash), /users defined in redis\.conf and at the same/);
  const bad = new Config();
  applyConfigText(bad, "port 0\nuser a on +nosuch\n", "bad.conf");
  assert.throws(
    () => startNetworkServer(bad),
    /Error loading ACL rule '\+nosuch' for the user named 'a': Unknown command or category/,
  );
});

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
