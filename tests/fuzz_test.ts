// Seeded fuzzing of every place bytes from outside arrive: the RESP request parser, the RDB
// loader (mutated real snapshots), the AOF loader, and the replication stream a replica applies.
// The oracle is the same everywhere: the input is either accepted or refused with the module's
// own error (ProtocolError, RdbFormatError, AofFormatError); anything else (a TypeError, a WASM
// trap, an "internal error" reply, a hang, a buffer past its limit) is a bug. A last target throws
// fuzz cases at a live server over TCP and checks it still serves a well-behaved client.
//
// CI runs RESPLICA_FUZZ_CASES (default 100,000) cases per target with one seed
// (RESPLICA_FUZZ_SEED, fixed by .ci/run); by hand, run long with other seeds:
//   RESPLICA_FUZZ_SEED=7 RESPLICA_FUZZ_CASES=2000000 deno test -A tests/fuzz_test.ts
// A failure prints the seed, the case number and the input; it becomes a regression test in
// tests/fuzz_regressions_test.ts.

import assert from "node:assert/strict";
import { buildCommandTable } from "../core/commands/registry.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { Config } from "../core/config/table.ts";
import { Engine } from "../core/engine/mod.ts";
import { Logger } from "../core/log.ts";
import { AofFormatError, replayAofSync } from "../core/persistence/aof_load.ts";
import { loadEntries } from "../core/persistence/keyspace_records.ts";
import { writeSnapshot } from "../core/persistence/rdb_file.ts";
import { RdbFormatError, RdbReader } from "../core/rdb/mod.ts";
import { ProtocolError, QueryBufferLimitError, ReplyWriter, RespReader } from "../core/resp/mod.ts";
import { ClientState } from "../core/sessions/client.ts";
import { ServerState } from "../core/state/server_state.ts";
import { startServer } from "../mod.ts";
import { seededRandom } from "./_support/differential.ts";
import { concatBytes, RawClient } from "./_support/raw_client.ts";

const CASE_COUNT = Number(Deno.env.get("RESPLICA_FUZZ_CASES") ?? "100000");
const SEED = Number(Deno.env.get("RESPLICA_FUZZ_SEED") ?? Math.floor(Math.random() * 2 ** 31));
const encoder = new TextEncoder();

/** The request limits the RESP target runs under: small, so the limits themselves get hit. */
const FUZZ_LIMITS = {
  bulkLenMaxBytes: 64 * 1024,
  multibulkLenMax: 1024,
  queryBufferMaxBytes: 256 * 1024,
};
/** No reader may hold more than this, whatever it was sent (limits plus one read's slack). */
const READER_CAPACITY_MAX_BYTES = 2 * 1024 * 1024;

type Rand = () => number;

function int(rand: Rand, below: number): number {
  return Math.floor(rand() * below);
}

function pick<T>(rand: Rand, items: readonly T[]): T {
  return items[int(rand, items.length)];
}

function randomBytes(rand: Rand, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = int(rand, 256);
  return bytes;
}

function encodeArgv(argv: readonly (string | Uint8Array)[]): Uint8Array {
  const parts: Uint8Array[] = [encoder.encode(`*${argv.length}\r\n`)];
  for (const arg of argv) {
    const bytes = typeof arg === "string" ? encoder.encode(arg) : arg;
    parts.push(encoder.encode(`$${bytes.length}\r\n`), bytes, encoder.encode("\r\n"));
  }
  return concatBytes(parts);
}

/** Byte-level damage: flips, magic values, cuts, inserted noise, repeated slices. */
function mutate(rand: Rand, input: Uint8Array): Uint8Array {
  let bytes: Uint8Array = input.slice();
  const rounds = 1 + int(rand, 4);
  for (let round = 0; round < rounds && bytes.length > 0; round++) {
    const at = int(rand, bytes.length);
    switch (int(rand, 6)) {
      case 0:
        bytes[at] = int(rand, 256);
        break;
      case 1:
        bytes[at] = pick(rand, [0x00, 0xff, 0x7f, 0x80, 0xc0, 0xfe, 0x0d, 0x0a, 0x2a, 0x24, 0x2d]);
        break;
      case 2:
        bytes = bytes.subarray(0, at);
        break;
      case 3:
        bytes = concatBytes([
          bytes.subarray(0, at),
          randomBytes(rand, 1 + int(rand, 16)),
          bytes.subarray(at),
        ]);
        break;
      case 4: {
        const end = Math.min(bytes.length, at + 1 + int(rand, 64));
        bytes = concatBytes([bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end)]);
        break;
      }
      default:
        bytes = concatBytes([bytes.subarray(0, at), bytes.subarray(at + 1 + int(rand, 8))]);
    }
  }
  return bytes;
}

/** Splits `bytes` into 1–4 chunks at random points (partial frames are the point). */
function chunks(rand: Rand, bytes: Uint8Array): Uint8Array[] {
  const count = 1 + int(rand, 4);
  const cuts = Array.from({ length: count - 1 }, () => int(rand, bytes.length + 1)).sort((a, b) =>
    a - b
  );
  const out: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, cut));
    from = cut;
  }
  return out;
}

function describe(target: string, index: number, input: Uint8Array, error: unknown): string {
  const hex = Array.from(input.subarray(0, 256), (b) => b.toString(16).padStart(2, "0")).join("");
  const text = error instanceof Error ? error.stack ?? error.message : String(error);
  return `${target}: RESPLICA_FUZZ_SEED=${SEED} case ${index} (${input.length} bytes, first ` +
    `256 in hex: ${hex}) failed: ${text}`;
}

// --- RESP requests ------------------------------------------------------------------------

const LENGTH_WORDS = [
  "-1",
  "-5",
  "0",
  "1",
  "3",
  "1024",
  "1025",
  "65536",
  "65537",
  "2147483648",
  "9223372036854775807",
  "99999999999999999999",
  "abc",
  "",
  "+5",
  " 5",
  "5 ",
  "0x10",
];

function randomArg(rand: Rand): Uint8Array {
  switch (int(rand, 4)) {
    case 0:
      return encoder.encode(pick(rand, ["get", "set", "k", "ping", "", '"q"', "'s'", "\\x41"]));
    case 1:
      return randomBytes(rand, int(rand, 12));
    case 2:
      return encoder.encode(String(int(rand, 1_000_000) - 500_000));
    default:
      return encoder.encode("x".repeat(int(rand, 300)));
  }
}

/** A request: valid (must round-trip) or damaged in one of the ways clients get it wrong. */
function respRequest(rand: Rand): { bytes: Uint8Array; argvs: Uint8Array[][] | null } {
  switch (int(rand, 8)) {
    case 0: {
      const argvs = Array.from(
        { length: 1 + int(rand, 3) },
        () => Array.from({ length: 1 + int(rand, 5) }, () => randomArg(rand)),
      );
      return { bytes: concatBytes(argvs.map(encodeArgv)), argvs };
    }
    case 1:
      return { bytes: randomBytes(rand, int(rand, 200)), argvs: null };
    case 2: {
      const args = Array.from({ length: 1 + int(rand, 4) }, () => randomArg(rand));
      return { bytes: mutate(rand, encodeArgv(args)), argvs: null };
    }
    case 3:
      return {
        bytes: encoder.encode(`*${pick(rand, LENGTH_WORDS)}\r\n$3\r\nget\r\n`),
        argvs: null,
      };
    case 4:
      return {
        bytes: encoder.encode(`*2\r\n$3\r\nget\r\n$${pick(rand, LENGTH_WORDS)}\r\nkey\r\n`),
        argvs: null,
      };
    case 5:
      // Nested arrays are not requests.
      return {
        bytes: encoder.encode("*1\r\n".repeat(1 + int(rand, 5)) + "$1\r\na\r\n"),
        argvs: null,
      };
    case 6: {
      const words = ["set", '"a b"', "'c d'", '"\\x4', '"unterminated', "'", '"\\n"', "x"];
      const line = Array.from({ length: int(rand, 6) }, () => pick(rand, words)).join(" ");
      return { bytes: encoder.encode(line + pick(rand, ["\r\n", "\n", "", "\r"])), argvs: null };
    }
    default:
      // A long inline line with no terminator: the inline limit must stop it.
      return { bytes: encoder.encode("a".repeat(int(rand, 100_000))), argvs: null };
  }
}

Deno.test(`fuzz: RESP request parser (${CASE_COUNT} cases)`, () => {
  const rand = seededRandom(SEED);
  let refused = 0;
  for (let index = 0; index < CASE_COUNT; index++) {
    const { bytes, argvs } = respRequest(rand);
    const reader = new RespReader(FUZZ_LIMITS);
    const parsed: Uint8Array[][] = [];
    try {
      for (const chunk of chunks(rand, bytes)) {
        reader.push(chunk);
        for (let steps = 0; steps < 10_000; steps++) {
          const argv = reader.next();
          if (argv === null) break;
          parsed.push(argv.map((arg) => arg.slice()));
        }
        assert.ok(reader.capacityBytes <= READER_CAPACITY_MAX_BYTES, "reader grew past its cap");
      }
      if (argvs !== null) assert.deepEqual(parsed, argvs, "a valid request round-trips");
    } catch (error) {
      if (error instanceof ProtocolError || error instanceof QueryBufferLimitError) {
        assert.ok(argvs === null, `a valid request was refused: ${error.message}`);
        assert.ok(error.message.length > 0);
        refused++;
        continue;
      }
      throw new Error(describe("RESP", index, bytes, error));
    }
  }
  assert.ok(refused > CASE_COUNT / 10, `too few refusals (${refused}): the generator is too tame`);
});

// --- RDB loading --------------------------------------------------------------------------

function serverState(): { state: ServerState; run: (...args: string[]) => void } {
  const state = new ServerState(Engine.create(), new Config(), new Logger("nothing"));
  const table = buildCommandTable();
  const client = new ClientState(1, "fuzz", "fuzz", new RespReader(), new ReplyWriter(), true, 0);
  return {
    state,
    run: (...args) => {
      void executeCommand(table, state, client, args.map((a) => encoder.encode(a)));
      client.writer.reset();
    },
  };
}

/** A small snapshot with every type and encoding, so mutations reach every decoder. */
function baseSnapshot(): Uint8Array {
  const { state, run } = serverState();
  run("SET", "int", "12345");
  run("SET", "str", "hello world");
  run("SET", "long", "abc".repeat(40));
  run("SET", "ttl", "v", "PX", "100000000");
  run("RPUSH", "list", "a", "b", "1", "-2");
  run("RPUSH", "biglist", ...Array.from({ length: 150 }, (_, i) => `e${i}`.repeat(1 + i % 3)));
  run("SADD", "ints", "1", "2", "300000", "-4");
  run("SADD", "strs", "x", "y", "z");
  run("SADD", "bigset", ...Array.from({ length: 600 }, (_, i) => `m${i}`));
  run("ZADD", "z", "1", "a", "2.5", "b", "-inf", "c");
  run("ZADD", "bigz", ...Array.from({ length: 140 }, (_, i) => [String(i / 3), `z${i}`]).flat());
  run("HSET", "h", "f", "v", "g", "12");
  run("HSET", "bigh", ...Array.from({ length: 140 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  run("SELECT", "2");
  run("SET", "db2", "two");
  const parts: Uint8Array[] = [];
  writeSnapshot(
    state.engine,
    { compression: true, checksum: true, replId: "0".repeat(40), replOffset: 0 },
    Date.now(),
    (chunk) => parts.push(chunk.slice()),
  );
  return concatBytes(parts);
}

Deno.test(`fuzz: RDB loader on mutated snapshots (${CASE_COUNT} cases)`, () => {
  const rand = seededRandom(SEED + 1);
  const base = baseSnapshot();
  const engine = Engine.create();
  const nowMs = Date.now();
  let refused = 0;
  // The unmutated snapshot loads: the oracle below is not refusing everything.
  const check = new RdbReader();
  check.push(base);
  loadEntries(engine, check, nowMs, true, { keyCount: 0, expiredSkipped: 0 });
  check.finish();
  engine.flushAll();
  for (let index = 0; index < CASE_COUNT; index++) {
    const bytes = mutate(rand, base);
    const reader = new RdbReader();
    try {
      for (const chunk of chunks(rand, bytes)) {
        reader.push(chunk);
        loadEntries(engine, reader, nowMs, true, { keyCount: 0, expiredSkipped: 0 });
      }
      reader.finish();
    } catch (error) {
      if (!(error instanceof RdbFormatError)) throw new Error(describe("RDB", index, bytes, error));
      refused++;
    } finally {
      engine.flushAll();
    }
  }
  assert.ok(refused > CASE_COUNT / 2, `too few refusals (${refused})`);
});

// --- AOF loading --------------------------------------------------------------------------

Deno.test(`fuzz: AOF loader on mutated files (${CASE_COUNT} cases)`, () => {
  const rand = seededRandom(SEED + 2);
  const table = buildCommandTable();
  const dir = Deno.makeTempDirSync({ prefix: "resplica-fuzz-aof-" });
  const path = `${dir}/appendonly.aof`;
  const commands = [
    ["SELECT", "0"],
    ["SET", "k", "v"],
    ["RPUSH", "l", "a", "b"],
    ["PEXPIREAT", "k", "99999999999999"],
    ["MULTI"],
    ["INCR", "n"],
    ["EXEC"],
    ["HSET", "h", "f", "v"],
  ];
  const base = concatBytes(commands.map(encodeArgv));
  const execute = (argv: Uint8Array[]): string | null => {
    const spec = table.resolve(argv);
    return typeof spec === "string" ? spec : null;
  };
  try {
    for (let index = 0; index < CASE_COUNT; index++) {
      const bytes = mutate(rand, base);
      Deno.writeFileSync(path, bytes);
      try {
        replayAofSync(path, execute, rand() < 0.5, () => {});
      } catch (error) {
        if (!(error instanceof AofFormatError) && !(error instanceof RdbFormatError)) {
          throw new Error(describe("AOF", index, bytes, error));
        }
      }
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

// --- the replication stream ---------------------------------------------------------------

const STREAM_COMMANDS: ((rand: Rand) => string[])[] = [
  (r) => ["SET", `k${int(r, 8)}`, String(int(r, 1000))],
  (r) => ["SET", `k${int(r, 8)}`, "v", "PXAT", String(Date.now() + int(r, 100_000))],
  (r) => ["DEL", `k${int(r, 8)}`, `l${int(r, 4)}`],
  (r) => ["INCRBY", `n${int(r, 3)}`, String(int(r, 100) - 50)],
  (r) => ["APPEND", `k${int(r, 8)}`, "xyz"],
  (r) => ["RPUSH", `l${int(r, 4)}`, ...Array.from({ length: 1 + int(r, 4) }, (_, i) => `e${i}`)],
  (r) => ["LPOP", `l${int(r, 4)}`],
  (r) => ["SADD", `s${int(r, 4)}`, String(int(r, 20)), `m${int(r, 20)}`],
  (r) => ["SREM", `s${int(r, 4)}`, String(int(r, 20))],
  (r) => ["ZADD", `z${int(r, 4)}`, String(int(r, 100) / 7), `m${int(r, 20)}`],
  (r) => ["ZREM", `z${int(r, 4)}`, `m${int(r, 20)}`],
  (r) => ["HSET", `h${int(r, 4)}`, `f${int(r, 10)}`, `v${int(r, 10)}`],
  (r) => ["HDEL", `h${int(r, 4)}`, `f${int(r, 10)}`],
  (r) => ["PEXPIREAT", `k${int(r, 8)}`, String(Date.now() + int(r, 100_000))],
  (r) => ["SELECT", String(int(r, 3))],
  () => ["MULTI"],
  () => ["EXEC"],
  () => ["PING"],
  () => ["REPLCONF", "GETACK", "*"],
  (r) => ["FLUSHDB", ...(r() < 0.5 ? ["ASYNC"] : [])],
];

Deno.test(`fuzz: replication stream applied by a replica (${CASE_COUNT} cases)`, async () => {
  const rand = seededRandom(SEED + 3);
  const { state } = serverState();
  state.isReplica = true;
  const table = buildCommandTable();
  const writer = new ReplyWriter();
  const master = new ClientState(2, "master", "master", new RespReader(), writer, true, 0);
  master.isMaster = true;
  for (let index = 0; index < CASE_COUNT; index++) {
    const commands = Array.from(
      { length: 1 + int(rand, 8) },
      () => pick(rand, STREAM_COMMANDS)(rand),
    );
    const clean = concatBytes(commands.map(encodeArgv));
    const bytes = rand() < 0.7 ? mutate(rand, clean) : clean;
    // As core/network/master_link.ts reads the stream: no request limits from a master.
    const reader = new RespReader({
      bulkLenMaxBytes: Infinity,
      multibulkLenMax: Infinity,
      queryBufferMaxBytes: Infinity,
    });
    try {
      for (const chunk of chunks(rand, bytes)) {
        reader.push(chunk);
        while (true) {
          const argv = reader.next();
          if (argv === null) break;
          const pending = executeCommand(table, state, master, argv);
          if (pending) {
            state.blocking.cancel(master);
            await pending;
          }
          const reply = new TextDecoder().decode(writer.view());
          writer.reset();
          assert.ok(!reply.includes("internal error"), `internal error: ${reply}`);
        }
      }
    } catch (error) {
      // A malformed stream drops the link (the replica reconnects and PSYNCs).
      if (error instanceof ProtocolError) continue;
      throw new Error(describe("stream", index, bytes, error));
    } finally {
      if (master.inMulti) void executeCommand(table, state, master, [encoder.encode("DISCARD")]);
      writer.reset();
    }
  }
  // Still a working keyspace.
  const probe = new ClientState(3, "probe", "probe", new RespReader(), new ReplyWriter(), true, 0);
  probe.isMaster = true;
  void executeCommand(table, state, probe, ["SET", "after", "fuzz"].map((a) => encoder.encode(a)));
  assert.equal(new TextDecoder().decode(probe.writer.view()), "+OK\r\n");
});

// --- a live server ------------------------------------------------------------------------

Deno.test("fuzz: a live server under garbage on many connections keeps serving", async () => {
  const rand = seededRandom(SEED + 4);
  const server = await startServer({ port: 0, logLevel: "nothing" });
  const good = await RawClient.connect(server.port);
  try {
    await good.commandText("SET", "steady", "1");
    const connectionCount = Math.max(50, Math.floor(CASE_COUNT / 500));
    for (let wave = 0; wave < connectionCount; wave += 25) {
      await Promise.all(Array.from({ length: 25 }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port: server.port });
        try {
          for (let i = 0; i < 20; i++) {
            await conn.write(respRequest(rand).bytes).catch(() => {});
          }
        } finally {
          conn.close();
        }
      }));
      // The well-behaved client is served throughout.
      assert.equal(await good.commandText("INCR", "steady"), `:${2 + wave / 25}\r\n`);
    }
  } finally {
    good.close();
    await server.close();
  }
});
