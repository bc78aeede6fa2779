// SLOWLOG, LATENCY, OBJECT REFCOUNT and CLIENT LIST's qbuf fields, run in process (the parts
// a byte comparison with redis-server cannot judge: times, durations, client addresses), and
// the slow log's and timing policy's own units. The deterministic replies are compared with
// redis-server in differential_slowlog_test.ts.

import assert from "node:assert/strict";
import { executeCommand } from "../core/commands/dispatch.ts";
import {
  CallTiming,
  LatencyMonitor,
  PRECISE_BELOW_US,
  SlowLog,
  trimArgv,
} from "../core/state/command_latency.ts";
import { renderGraph } from "../core/commands/latency.ts";
import { inProcessClient, inProcessServer } from "./_support/in_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Reply = string | number | null | Reply[] | { error: string };

/** Decodes one RESP2/RESP3 reply at `at` (enough for these commands' replies). */
function decode(bytes: Uint8Array, at = { i: 0 }): Reply {
  const lineEnd = bytes.indexOf(0x0d, at.i);
  const type = String.fromCharCode(bytes[at.i]);
  const line = decoder.decode(bytes.subarray(at.i + 1, lineEnd));
  at.i = lineEnd + 2;
  switch (type) {
    case "+":
      return line;
    case "-":
      return { error: line };
    case ":":
      return Number(line);
    case "$":
    case "=": {
      if (Number(line) < 0) return null;
      const text = decoder.decode(bytes.subarray(at.i, at.i + Number(line)));
      at.i += Number(line) + 2;
      return text;
    }
    case "*":
    case "%": {
      const count = Number(line) * (type === "%" ? 2 : 1);
      if (count < 0) return null;
      const items: Reply[] = [];
      for (let k = 0; k < count; k++) items.push(decode(bytes, at));
      return items;
    }
  }
  throw new Error(`unexpected reply type ${type}`);
}

function setup() {
  const { state, table } = inProcessServer();
  const client = inProcessClient(1);
  client.name = "tester";
  const run = async (...args: string[]): Promise<Reply> => {
    client.writer.reset();
    const pending = executeCommand(table, state, client, args.map((a) => encoder.encode(a)));
    if (pending) await pending;
    const reply = decode(client.writer.view());
    client.writer.reset();
    return reply;
  };
  return { state, table, client, run };
}

Deno.test("SLOWLOG GET returns Redis's six fields, newest first, with trimmed arguments", async () => {
  const { run } = setup();
  await run("CONFIG", "SET", "slowlog-log-slower-than", "0");
  await run("SLOWLOG", "RESET");
  const args = Array.from({ length: 32 }, (_, i) => String(i));
  await run("SADD", "set", ...args);
  await run("SET", "foo", "A".repeat(129));
  const entries = await run("SLOWLOG", "GET") as Reply[][];
  assert.equal(entries.length, 3);
  const [set, sadd, reset] = entries;
  assert.deepEqual(reset[3], ["SLOWLOG", "RESET"]);
  assert.ok((set[0] as number) > (sadd[0] as number));
  assert.ok(Math.abs((set[1] as number) - Date.now() / 1000) < 5);
  assert.equal(typeof set[2], "number");
  assert.deepEqual(set[3], ["SET", "foo", "A".repeat(128) + "... (1 more bytes)"]);
  assert.equal(set[4], "127.0.0.1:1");
  assert.equal(set[5], "tester");
  const saddArgv = sadd[3] as string[];
  assert.equal(saddArgv.length, 32);
  assert.equal(saddArgv[30], "28"); // SADD set 0 … 28, then the note
  assert.equal(saddArgv[31], "... (3 more arguments)");
  assert.equal(((await run("SLOWLOG", "GET", "1")) as Reply[]).length, 1);
  assert.equal(((await run("SLOWLOG", "GET", "0")) as Reply[]).length, 0);
  assert.deepEqual(await run("SLOWLOG", "GET", "-2"), {
    error: "ERR count should be greater than or equal to -1",
  });
});

Deno.test("SLOWLOG redacts passwords and ACL rules, skips EXEC, logs its commands", async () => {
  const { run } = setup();
  await run("CONFIG", "SET", "slowlog-log-slower-than", "0");
  await run("SLOWLOG", "RESET");
  await run("CONFIG", "SET", "masterauth", "secret");
  await run("ACL", "SETUSER", "someone", "on", ">pw");
  await run("MULTI");
  await run("SET", "k", "v");
  await run("EXEC");
  await run("CONFIG", "SET", "slowlog-log-slower-than", "-1");
  const argvs = ((await run("SLOWLOG", "GET")) as Reply[][]).map((entry) => entry[3]);
  assert.deepEqual(argvs, [
    ["SET", "k", "v"],
    ["MULTI"],
    ["ACL", "SETUSER", "(redacted)", "(redacted)", "(redacted)"],
    ["CONFIG", "SET", "masterauth", "(redacted)"],
    ["SLOWLOG", "RESET"],
  ]);
});

Deno.test("SLOWLOG: a blocked BLPOP is logged when served, charged its run, not its wait", async () => {
  const { state, table, run } = setup();
  await run("CONFIG", "SET", "slowlog-log-slower-than", "0");
  const blocked = inProcessClient(2);
  const pending = executeCommand(
    table,
    state,
    blocked,
    ["BLPOP", "l", "0"].map((a) => encoder.encode(a)),
  );
  assert.ok(pending instanceof Promise);
  await run("SLOWLOG", "RESET");
  await new Promise((resolve) => setTimeout(resolve, 30));
  await run("LPUSH", "l", "x");
  await pending;
  const entries = (await run("SLOWLOG", "GET")) as Reply[][];
  const blpop = entries.find((entry) => (entry[3] as string[])[0] === "BLPOP")!;
  assert.deepEqual(blpop[3], ["BLPOP", "l", "0"]);
  assert.ok((blpop[2] as number) < 25_000, `duration ${blpop[2]} µs includes the wait`);
});

Deno.test("SLOWLOG: slowlog-max-len keeps the newest entries; -1 logs nothing; LEN counts", async () => {
  const { run } = setup();
  await run("CONFIG", "SET", "slowlog-log-slower-than", "0");
  await run("CONFIG", "SET", "slowlog-max-len", "10");
  for (let i = 0; i < 50; i++) await run("PING");
  assert.equal(await run("SLOWLOG", "LEN"), 10);
  await run("CONFIG", "SET", "slowlog-log-slower-than", "-1");
  await run("SLOWLOG", "RESET");
  await run("DEBUG", "SLEEP", "0.01");
  assert.equal(await run("SLOWLOG", "LEN"), 0);
});

Deno.test("SLOWLOG: a slow command under a coarse threshold is logged (ms clock)", async () => {
  const { run } = setup();
  await run("CONFIG", "SET", "slowlog-log-slower-than", "20000");
  await run("SLOWLOG", "RESET");
  await run("DEBUG", "SLEEP", "0.05");
  const [entry] = (await run("SLOWLOG", "GET")) as Reply[][];
  assert.deepEqual(entry[3], ["DEBUG", "SLEEP", "0.05"]);
  assert.ok((entry[2] as number) >= 40_000);
});

Deno.test("LATENCY: DEBUG SLEEP past the threshold is a 'command' event; RESET drops it", async () => {
  const { run } = setup();
  assert.deepEqual(await run("LATENCY", "LATEST"), []);
  await run("CONFIG", "SET", "latency-monitor-threshold", "20");
  await run("DEBUG", "SLEEP", "0.03");
  const latest = (await run("LATENCY", "LATEST")) as Reply[][];
  assert.equal(latest.length, 1);
  assert.equal(latest[0][0], "command");
  assert.ok((latest[0][2] as number) >= 25 && (latest[0][3] as number) >= 25);
  const history = (await run("LATENCY", "HISTORY", "command")) as number[][];
  assert.equal(history.length, 1);
  assert.equal(history[0][0], latest[0][1]);
  const graph = await run("LATENCY", "GRAPH", "command") as string;
  assert.match(graph, /^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n#/);
  assert.match(await run("LATENCY", "DOCTOR") as string, /command: 1 latency spikes/);
  assert.deepEqual(await run("LATENCY", "GRAPH", "nosuch"), {
    error: "ERR No samples available for event 'nosuch'",
  });
  assert.equal(await run("LATENCY", "RESET", "nosuch"), 0);
  assert.equal(await run("LATENCY", "RESET"), 1);
  assert.deepEqual(await run("LATENCY", "LATEST"), []);
});

Deno.test("LATENCY HISTOGRAM counts calls per command and subcommand since RESETSTAT", async () => {
  const { run } = setup();
  await run("CONFIG", "RESETSTAT");
  await run("SET", "a", "b");
  await run("SET", "c", "d");
  await run("CLIENT", "ID");
  const all = await run("LATENCY", "HISTOGRAM") as Reply[];
  const names = all.filter((_, i) => i % 2 === 0);
  assert.deepEqual(names.sort(), ["client|id", "config|resetstat", "set"]);
  const set = await run("LATENCY", "HISTOGRAM", "set", "nosuch") as Reply[];
  assert.equal(set[0], "set");
  const [callsName, calls, histogramName] = set[1] as Reply[];
  assert.deepEqual([callsName, calls, histogramName], ["calls", 2, "histogram_usec"]);
  const client = await run("LATENCY", "HISTOGRAM", "client") as Reply[];
  assert.deepEqual(client.filter((_, i) => i % 2 === 0), ["client|id"]);
});

Deno.test("OBJECT REFCOUNT: Redis's shared integers 0..9999 report INT_MAX, others 1", async () => {
  const { run } = setup();
  await run("SET", "foo", "-1");
  await run("INCR", "foo");
  assert.equal(await run("OBJECT", "REFCOUNT", "foo"), 2147483647);
  await run("SET", "foo", "9998");
  await run("INCR", "foo");
  assert.equal(await run("OBJECT", "REFCOUNT", "foo"), 2147483647);
  await run("INCR", "foo");
  assert.equal(await run("OBJECT", "REFCOUNT", "foo"), 1);
  await run("SET", "s", "hello");
  assert.equal(await run("OBJECT", "REFCOUNT", "s"), 1);
  await run("RPUSH", "l", "1");
  assert.equal(await run("OBJECT", "REFCOUNT", "l"), 1);
  assert.equal(await run("OBJECT", "REFCOUNT", "nosuch"), null);
  await run("SET", "n", "5");
  await run("CONFIG", "SET", "maxmemory", "100mb");
  await run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
  assert.equal(await run("OBJECT", "REFCOUNT", "n"), 1);
});

Deno.test("CLIENT INFO: qbuf + qbuf-free is the read buffer's capacity", async () => {
  const { run } = setup();
  const info = await run("CLIENT", "INFO") as string;
  const qbuf = Number(/ qbuf=(\d+)/.exec(info)![1]);
  const free = Number(/ qbuf-free=(\d+)/.exec(info)![1]);
  assert.equal(qbuf + free, 16384);
});

Deno.test("trimArgv keeps 32 arguments and 128 bytes each, with Redis's notes", () => {
  const args = Array.from({ length: 40 }, (_, i) => encoder.encode(String(i)));
  const trimmed = trimArgv(args, null).map((a) => decoder.decode(a));
  assert.equal(trimmed.length, 32);
  assert.equal(trimmed[31], "... (9 more arguments)");
  const exactly = trimArgv(args.slice(0, 32), null);
  assert.equal(decoder.decode(exactly[31]), "31");
  const long = trimArgv([encoder.encode("x".repeat(200))], new Set());
  assert.equal(decoder.decode(long[0]), "x".repeat(128) + "... (72 more bytes)");
  assert.equal(decoder.decode(trimArgv(args.slice(0, 2), new Set([1]))[1]), "(redacted)");
});

Deno.test("SlowLog stays bounded by lenMax across many pushes and a shrink", () => {
  const log = new SlowLog();
  log.slowerThanUs = 0;
  log.lenMax = 5;
  const client = inProcessClient(1);
  for (let i = 0; i < 1000; i++) log.pushIfNeeded(client, [encoder.encode("PING")], null, i, 0);
  assert.equal(log.length, 5);
  assert.deepEqual(log.newest(10).map((e) => e.id), [999, 998, 997, 996, 995]);
  log.lenMax = 2;
  assert.deepEqual(log.newest(10).map((e) => e.durationUs), [999, 998]);
  log.slowerThanUs = 1000;
  log.pushIfNeeded(client, [encoder.encode("PING")], null, 999, 0);
  assert.equal(log.newest(1)[0].id, 999);
});

Deno.test("LatencyMonitor keeps one sample per second (the worst) and 160 at most", () => {
  const monitor = new LatencyMonitor();
  monitor.addSampleIfNeeded("command", 50, 1000);
  assert.equal(monitor.events.size, 0); // off at threshold 0
  monitor.thresholdMs = 10;
  monitor.addSampleIfNeeded("command", 5, 1000);
  assert.equal(monitor.events.size, 0);
  monitor.addSampleIfNeeded("command", 20, 1000);
  monitor.addSampleIfNeeded("command", 30, 1500);
  monitor.addSampleIfNeeded("command", 15, 1900);
  assert.deepEqual(monitor.events.get("command")!.samples, [{ timeS: 1, latencyMs: 30 }]);
  for (let s = 2; s < 300; s++) monitor.addSampleIfNeeded("command", 10 + s, s * 1000);
  const series = monitor.events.get("command")!;
  assert.equal(series.samples.length, 160);
  assert.equal(series.maxMs, 309);
  assert.match(renderGraph("command", series, 300_000), /^command - high 309 ms, low 230 ms/);
});

Deno.test("CallTiming: precise on every call only under a small threshold", () => {
  const slowlog = new SlowLog();
  const latency = new LatencyMonitor();
  const timing = new CallTiming();
  timing.update(slowlog, latency);
  assert.deepEqual([timing.everyCall, timing.coarseThresholdUs, timing.watching], [
    false,
    10000,
    true,
  ]);
  slowlog.slowerThanUs = PRECISE_BELOW_US - 1;
  timing.update(slowlog, latency);
  assert.deepEqual([timing.everyCall, timing.coarseThresholdUs], [true, Infinity]);
  slowlog.slowerThanUs = -1;
  timing.update(slowlog, latency);
  assert.deepEqual([timing.everyCall, timing.coarseThresholdUs, timing.watching], [
    false,
    Infinity,
    false,
  ]);
  latency.thresholdMs = 100;
  timing.update(slowlog, latency);
  assert.deepEqual([timing.everyCall, timing.coarseThresholdUs], [false, 100_000]);
});
