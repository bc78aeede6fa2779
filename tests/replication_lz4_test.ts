// Compressed full sync between resplica nodes: a replica announces `REPLCONF capa lz4`, a master
// with repl-lz4-sync sends the snapshot in LZ4 frames, diskless or with a length; a replica or a
// master that turned it off gets and sends plain RDB. Redis peers never announce it: the
// interop tests elsewhere prove they keep getting plain RDB.

import assert from "node:assert/strict";
import { startServer } from "../mod.ts";
import { concatBytes, encodeCommand, RawClient } from "./_support/raw_client.ts";
import { datasetDigest, fillDataset } from "./_support/dataset.ts";
import { infoField, QUIET, run, startMaster, waitInSync } from "./_support/replication.ts";

const KEY_COUNT = 4_000;

/** Compressible values: what LZ4 over the whole stream is for. */
async function fillCompressible(client: RawClient): Promise<void> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < KEY_COUNT; i++) {
    parts.push(encodeCommand(["SET", `user:${i}`, `{"id":${i},"plan":"free","region":"eu-west"}`]));
  }
  await client.send(concatBytes(parts));
  await client.readReplies(KEY_COUNT, 20_000);
}

async function syncCost(client: RawClient): Promise<{ wire: number; rdb: number; lz4: string }> {
  return {
    wire: Number(await infoField(client, "replication", "resplica_last_sync_wire_bytes")),
    rdb: Number(await infoField(client, "replication", "resplica_last_sync_rdb_bytes")),
    lz4: await infoField(client, "replication", "resplica_last_sync_lz4"),
  };
}

for (const disklessSync of ["yes", "no"]) {
  Deno.test(`lz4 sync (repl-diskless-sync ${disklessSync}): framed for capa lz4, plain otherwise`, async () => {
    const master = await startMaster({ "repl-diskless-sync": disklessSync });
    const framed = await startServer(QUIET);
    const plain = await startServer({ ...QUIET, config: { "repl-lz4-sync": "no" } });
    const m = await RawClient.connect(master.port);
    const f = await RawClient.connect(framed.port);
    const p = await RawClient.connect(plain.port);
    try {
      await fillDataset(m);
      await fillCompressible(m);
      await run(f, "REPLICAOF", "127.0.0.1", String(master.port));
      await run(p, "REPLICAOF", "127.0.0.1", String(master.port));
      await waitInSync(m, f);
      await waitInSync(m, p);
      const digest = await datasetDigest(m);
      assert.equal(await datasetDigest(f), digest);
      assert.equal(await datasetDigest(p), digest);

      const framedCost = await syncCost(f);
      const plainCost = await syncCost(p);
      assert.equal(framedCost.lz4, "1");
      assert.equal(plainCost.lz4, "0");
      // The same RDB either way; LZ4 frames carry it in well under half the bytes.
      assert.ok(
        Math.abs(framedCost.rdb - plainCost.rdb) < 64,
        JSON.stringify([framedCost, plainCost]),
      );
      assert.ok(framedCost.wire < plainCost.wire / 2, JSON.stringify([framedCost, plainCost]));

      // The stream that follows is plain RESP, as always.
      await run(m, "SET", "after", "sync");
      await waitInSync(m, f);
      assert.equal(await f.commandText("GET", "after"), "$4\r\nsync\r\n");
    } finally {
      m.close();
      f.close();
      p.close();
      await plain.close();
      await framed.close();
      await master.close();
    }
  });
}

Deno.test("lz4 sync: a master with repl-lz4-sync no sends plain RDB to a replica that asks", async () => {
  const master = await startMaster({ "repl-lz4-sync": "no" });
  const replica = await startServer(QUIET);
  const m = await RawClient.connect(master.port);
  const r = await RawClient.connect(replica.port);
  try {
    await fillCompressible(m);
    await run(r, "REPLICAOF", "127.0.0.1", String(master.port));
    await waitInSync(m, r);
    assert.equal((await syncCost(r)).lz4, "0");
    assert.equal(await r.commandText("DBSIZE"), `:${KEY_COUNT}\r\n`);
  } finally {
    m.close();
    r.close();
    await replica.close();
    await master.close();
  }
});
