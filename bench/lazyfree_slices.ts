// FLUSHALL ASYNC of 1M small keys on an in-process server: how long the command takes to
// answer, how long the lazy-free queue takes to drain in slices, and the longest slice (the
// most a client can wait behind it). Prints one line; not a `deno bench` case (it measures a
// single long event, not a repeated call).
//
//   deno run -A bench/lazyfree_slices.ts [keyCount]

import { applyConfigText } from "../core/config/load.ts";
import { Config } from "../core/config/table.ts";
import { startNetworkServer } from "../core/network/start.ts";
import { concatBytes, encodeCommand, latin1Text, RawClient } from "../tests/_support/raw_client.ts";
import { LAZYFREE_SLICE_BUDGET_MS } from "../core/state/lazyfree_queue.ts";

const keyCount = Number(Deno.args[0] ?? 1_000_000);

async function info(client: RawClient, field: string): Promise<number> {
  const text = latin1Text(await client.command("INFO", "memory"));
  const line = text.split("\r\n").find((l) => l.startsWith(field + ":"))!;
  return Number(line.slice(field.length + 1));
}

const config = new Config();
applyConfigText(config, 'port 0\nsave ""\nloglevel nothing\n', "bench.conf");
const server = startNetworkServer(config);
const client = await RawClient.connect(server.port, 120_000);
for (let at = 0; at < keyCount; at += 500_000) {
  const commands: Uint8Array[] = [];
  for (let b = at; b < Math.min(keyCount, at + 500_000); b += 1000) {
    const argv = ["MSET"];
    for (let i = b; i < Math.min(keyCount, b + 1000); i++) argv.push(`key:${i}`, `v${i}`);
    commands.push(encodeCommand(argv));
  }
  await client.send(concatBytes(commands));
  await client.readReplies(commands.length, 120_000);
}
const fullBytes = await info(client, "used_memory");
const startedMs = performance.now();
await client.send(encodeCommand(["FLUSHALL", "ASYNC"]));
await client.readReplies(1, 120_000);
const replyMs = performance.now() - startedMs;
let pingMsMax = 0;
let pings = 0;
while (await info(client, "lazyfree_pending_objects") > 0) {
  const pingStartedMs = performance.now();
  await client.command("PING");
  pingMsMax = Math.max(pingMsMax, performance.now() - pingStartedMs);
  pings++;
}
const drainMs = performance.now() - startedMs;
const afterBytes = await info(client, "used_memory");
const queue = server.state.lazyFree;
client.close();
await server.close();
console.log(
  `FLUSHALL ASYNC of ${keyCount} keys: reply ${replyMs.toFixed(2)} ms, drained in ${
    drainMs.toFixed(0)
  } ms, used_memory ${fullBytes} → ${afterBytes} B, ${pings} PINGs answered meanwhile ` +
    `(slowest ${pingMsMax.toFixed(2)} ms), slice budget ${LAZYFREE_SLICE_BUDGET_MS} ms` +
    `, ${queue.slicesRun} slices, longest ${queue.sliceMsMax.toFixed(2)} ms`,
);
