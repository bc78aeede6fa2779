// CONFIG REWRITE: the text edit on its own (rewriteConfigText, against Redis's rules: keep what
// the operator wrote, update in place, append only non-defaults, drop replicaof when there is no
// master), the rewritten file read back giving the same configuration, and the command on a
// server started from a file, without one, and with a file it cannot write.

import assert from "node:assert/strict";
import { applyArgs, applyConfigText } from "../core/config/load.ts";
import { REWRITE_SIGNATURE, rewriteConfigText } from "../core/config/rewrite.ts";
import { Config } from "../core/config/table.ts";
import { startNetworkServer } from "../core/network/start.ts";
import { startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";

function configFrom(text: string): Config {
  const config = new Config();
  applyConfigText(config, text, "test.conf");
  return config;
}

Deno.test("rewriteConfigText keeps comments and blank lines and updates a directive in place", () => {
  const old = "# my server\n\nmaxclients 50\n# the port\nport 7001\n";
  const config = configFrom(old);
  config.setText("maxclients", "77", false);
  assert.equal(
    rewriteConfigText(old, config),
    "# my server\n\nmaxclients 77\n# the port\nport 7001\n",
  );
});

Deno.test("rewriteConfigText appends non-default values once, after the signature line", () => {
  const old = "port 7001\n";
  const config = configFrom(old);
  config.setText("replica-priority", "5", false);
  config.setText("requirepass", "two words", false);
  const once = rewriteConfigText(old, config);
  assert.equal(
    once,
    `port 7001\n${REWRITE_SIGNATURE}\nrequirepass "two words"\nreplica-priority 5\n`,
  );
  // A second rewrite finds them in the file: nothing more is appended.
  assert.equal(rewriteConfigText(once, configFrom(once)), once);
});

Deno.test("rewriteConfigText writes a directive the file names even at its default", () => {
  const old = "hz 50\n";
  const config = configFrom(old);
  config.setText("hz", "10", false);
  assert.equal(rewriteConfigText(old, config), "hz 10\n");
});

Deno.test("rewriteConfigText replaces the first of duplicate lines (aliases too) and drops the rest", () => {
  const old = "slaveof 10.0.0.1 6379\n# moved\nreplicaof 10.0.0.2 6380\n";
  const config = configFrom(old);
  config.setText("replicaof", "127.0.0.1 7000", true);
  assert.equal(rewriteConfigText(old, config), "replicaof 127.0.0.1 7000\n# moved\n");
});

Deno.test("rewriteConfigText removes replicaof once the server is a master", () => {
  const old = "port 7002\nreplicaof 127.0.0.1 7001\nloglevel verbose\n";
  const config = configFrom(old);
  config.setText("replicaof", "", true);
  assert.equal(rewriteConfigText(old, config), "port 7002\nloglevel verbose\n");
});

Deno.test("rewriteConfigText keeps unknown and unparsable lines as they are", () => {
  const old = 'sentinel-ish thing 1\nrequirepass "unterminated\nport 7001\n';
  const config = new Config();
  config.setText("port", "7003", true);
  assert.equal(
    rewriteConfigText(old, config),
    'sentinel-ish thing 1\nrequirepass "unterminated\nport 7003\n',
  );
});

Deno.test("a rewritten file reads back to the same values (quoting, memory units, multi-word)", () => {
  const config = new Config();
  config.setText("requirepass", 'a "quoted"\\ pass\n', false);
  config.setText("repl-backlog-size", String(3 * 1024 * 1024), false);
  config.setText("maxmemory", "1500", false);
  config.setText("save", "", false);
  config.setText("replicaof", "127.0.0.1 7001", true);
  config.setText("appendonly", "yes", false);
  const text = rewriteConfigText("", config);
  assert.match(text, /^repl-backlog-size 3mb$/m);
  assert.match(text, /^maxmemory 1500$/m);
  assert.match(text, /^save ""$/m);
  assert.match(text, /^replicaof 127\.0\.0\.1 7001$/m);
  const back = configFrom(text);
  for (const [spec, value] of config.entries()) {
    assert.deepEqual(back.get(spec.name), value, spec.name);
  }
});

Deno.test("CONFIG REWRITE without a config file is an error", async () => {
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const client = await RawClient.connect(server.port);
  try {
    assert.equal(
      await client.commandText("CONFIG", "REWRITE"),
      "-ERR The server is running without a config file\r\n",
    );
    assert.equal(
      await client.commandText("CONFIG", "REWRITE", "extra"),
      "-ERR wrong number of arguments for 'config|rewrite' command\r\n",
    );
  } finally {
    client.close();
    await server.close();
  }
});

Deno.test("CONFIG REWRITE updates the start-up file; INFO names it; an unwritable one is an error", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-rewrite-" });
  const path = `${dir}/resplica.conf`;
  await Deno.writeTextFile(path, "# kept\nmaxclients 50\nloglevel nothing\n");
  const config = new Config();
  applyArgs(config, [path, "--port", "0", "--save", ""], (p) => Deno.readTextFileSync(p));
  const server = startNetworkServer(config);
  const client = await RawClient.connect(server.port);
  try {
    const info = await client.commandText("INFO", "server");
    assert.match(info, new RegExp(`\r\nconfig_file:${path}\r\n`));
    assert.equal(await client.commandText("CONFIG", "SET", "maxclients", "60"), "+OK\r\n");
    assert.equal(await client.commandText("CONFIG", "SET", "slave-priority", "3"), "+OK\r\n");
    assert.equal(await client.commandText("CONFIG", "REWRITE"), "+OK\r\n");
    assert.equal(
      await Deno.readTextFile(path),
      // port: the one bound for "--port 0", as CONFIG GET port reports it.
      `# kept\nmaxclients 60\nloglevel nothing\n${REWRITE_SIGNATURE}\nport ${server.port}\n` +
        `save ""\nreplica-priority 3\n`,
    );
    // Inside MULTI, as Sentinel sends it.
    assert.equal(await client.commandText("MULTI"), "+OK\r\n");
    assert.equal(await client.commandText("CONFIG", "SET", "maxclients", "70"), "+QUEUED\r\n");
    assert.equal(await client.commandText("CONFIG", "REWRITE"), "+QUEUED\r\n");
    assert.equal(await client.commandText("EXEC"), "*2\r\n+OK\r\n+OK\r\n");
    assert.match(await Deno.readTextFile(path), /^maxclients 70$/m);

    await Deno.remove(dir, { recursive: true });
    const reply = await client.commandText("CONFIG", "REWRITE");
    assert.match(reply, /^-ERR Rewriting config file: /);
  } finally {
    client.close();
    await server.close();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
