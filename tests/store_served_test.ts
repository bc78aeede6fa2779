// An embedded Store whose engine a server also serves (startServer({ store })): its writes
// reach the server's replicas and AOF, and a BGSAVE running meanwhile still holds its instant,
// exactly as for a client's commands; once the server is closed the Store writes directly.

import assert from "node:assert/strict";
import { openStore, startServer } from "../mod.ts";
import { RawClient } from "./_support/raw_client.ts";
import { run, waitFor, waitInSync } from "./_support/replication.ts";
import { RdbReader } from "../core/rdb/mod.ts";

Deno.test("a served Store's writes replicate, reach the AOF, and respect a running BGSAVE", async () => {
  const dir = await Deno.makeTempDir({ prefix: "resplica-store-" });
  const store = openStore();
  const master = await startServer({
    port: 0,
    logLevel: "nothing",
    store,
    config: { dir, appendonly: "yes", "repl-diskless-sync-delay": "0" },
  });
  const replica = await startServer({ port: 0, logLevel: "nothing" });
  const masterClient = await RawClient.connect(master.port);
  const replicaClient = await RawClient.connect(replica.port);
  try {
    for (let batch = 0; batch < 100; batch++) {
      const args = ["MSET"];
      for (let i = 0; i < 1000; i++) args.push(`key:${batch}:${i}`, "old");
      await run(masterClient, ...args);
    }
    await run(replicaClient, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(masterClient, replicaClient);

    // A BGSAVE, then Store writes while it runs: the file keeps the instant's values.
    assert.equal(await masterClient.commandText("BGSAVE"), "+Background saving started\r\n");
    for (let batch = 99; batch >= 0; batch--) store.set(`key:${batch}:999`, "new");
    store.set("ttl", "x", { px: 600_000 });
    assert.equal(store.del("key:0:0"), 1);
    assert.equal(store.persist("ttl"), true);
    await waitFor("the BGSAVE to end", async () => {
      return (await masterClient.commandText("INFO", "persistence")).includes(
        "rdb_bgsave_in_progress:0",
      );
    });
    const reader = new RdbReader();
    reader.push(await Deno.readFile(`${dir}/dump.rdb`));
    const values = new Map<string, string>();
    for (let entry = reader.next(); entry !== null; entry = reader.next()) {
      if (entry.value.type === "string") {
        values.set(
          new TextDecoder().decode(entry.key),
          new TextDecoder().decode(entry.value.value),
        );
      }
    }
    reader.finish();
    assert.equal(values.size, 100_000);
    assert.equal(values.get("key:50:999"), "old");
    assert.equal(values.get("key:0:0"), "old");

    // The replica got every Store write.
    await waitInSync(masterClient, replicaClient);
    assert.equal(await replicaClient.commandText("GET", "key:50:999"), "$3\r\nnew\r\n");
    assert.equal(await replicaClient.commandText("EXISTS", "key:0:0"), ":0\r\n");
    assert.equal(await replicaClient.commandText("TTL", "ttl"), ":-1\r\n");
    // And so did the AOF.
    const aof = await Deno.readTextFile(`${dir}/appendonly.aof`);
    assert.match(aof, /\$3\r\nSET\r\n\$10\r\nkey:50:999\r\n\$3\r\nnew\r\n/);
    assert.match(aof, /PERSIST\r\n\$3\r\nttl/);
    // A Store error surfaces as an exception, as before.
    store.set("text", "abc");
    assert.throws(() => store.incr("text"), /not an integer/);
  } finally {
    masterClient.close();
    replicaClient.close();
    await replica.close();
    await master.close();
    await Deno.remove(dir, { recursive: true });
  }
  // Once the server is gone the Store writes straight to its engine again.
  store.set("after", "1");
  assert.equal(store.get("after"), "1");
  store.close();
});
