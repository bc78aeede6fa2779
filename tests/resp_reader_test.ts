// Tests of RespReader: raw wire strings in, argv or the exact Redis error text out.
//
// Valid data (multibulk, inline, pipelines split at every byte), invalid data (each protocol
// error, each limit at a tiny configured value) and data turning invalid (a request that grows
// past a limit while it arrives). The last test sends the same malformed bytes to a real
// redis-server and requires our ProtocolError message to equal its reply.

import assert from "node:assert/strict";
import {
  encodeCommand,
  parseLongLong,
  ProtocolError,
  QueryBufferLimitError,
  RespReader,
} from "../core/resp/mod.ts";
import { pickFreePort } from "./_support/ports.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a wire string whose characters are all below 256 (one byte each). */
function wire(s: string): Uint8Array {
  const bytes = new Uint8Array(s.length);
  for (let index = 0; index < s.length; index++) {
    const code = s.charCodeAt(index);
    if (code > 0xff) throw new RangeError(`wire() takes bytes, got U+${code.toString(16)}`);
    bytes[index] = code;
  }
  return bytes;
}

/** An argv as byte strings (latin1), so binary payloads compare exactly. */
function text(argv: Uint8Array[]): string[] {
  return argv.map((arg) => String.fromCharCode(...arg));
}

/** Pushes all chunks, draining commands after each; returns every argv (as copies). */
function parseChunks(reader: RespReader, chunks: Uint8Array[]): string[][] {
  const commands: string[][] = [];
  for (const chunk of chunks) {
    reader.push(chunk);
    for (let argv = reader.next(); argv !== null; argv = reader.next()) commands.push(text(argv));
  }
  return commands;
}

function parseAll(input: string, limits = {}): string[][] {
  return parseChunks(new RespReader(limits), [wire(input)]);
}

function parseByteByByte(input: string, limits = {}): string[][] {
  const bytes = wire(input);
  const chunks: Uint8Array[] = [];
  for (let index = 0; index < bytes.length; index++) chunks.push(bytes.subarray(index, index + 1));
  return parseChunks(new RespReader(limits), chunks);
}

/** The ProtocolError message the reader throws for `input` (fed whole), or fails. */
function protocolErrorOf(input: string | Uint8Array, limits = {}): string {
  const reader = new RespReader(limits);
  try {
    reader.push(typeof input === "string" ? wire(input) : input);
    for (let step = 0; step < 1000; step++) {
      if (reader.next() === null) break;
    }
  } catch (error) {
    assert.ok(error instanceof ProtocolError, `expected ProtocolError, got ${error}`);
    return error.message;
  }
  assert.fail(`no ProtocolError for ${JSON.stringify(input)}`);
}

const PIPELINE = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n" +
  "PING\r\n" +
  "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n" +
  "set \"a b\" 'c'\n" +
  "*1\r\n$4\r\nPING\r\n";
const PIPELINE_ARGV = [
  ["SET", "key", "value"],
  ["PING"],
  ["ECHO", ""],
  ["set", "a b", "c"],
  ["PING"],
];

// ---- Valid requests ----------------------------------------------------------------------------

Deno.test("RespReader parses one multibulk command into argv views", () => {
  const reader = new RespReader();
  reader.push(encoder.encode("*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"));
  const argv = reader.next();
  assert.ok(argv !== null);
  assert.deepEqual(argv.map((arg) => decoder.decode(arg)), ["GET", "key"]);
  assert.equal(reader.next(), null);
  assert.equal(reader.bufferedBytes, 0);
});

Deno.test("RespReader returns argv as views into its own buffer (zero-copy)", () => {
  const reader = new RespReader();
  const region = reader.writable();
  const bytes = encoder.encode("*1\r\n$4\r\nPING\r\n");
  region.set(bytes);
  reader.commit(bytes.length);
  const argv = reader.next();
  assert.ok(argv !== null);
  assert.equal(argv[0].buffer, region.buffer);
});

Deno.test("RespReader parses a pipeline fed whole", () => {
  assert.deepEqual(parseAll(PIPELINE), PIPELINE_ARGV);
});

Deno.test("RespReader parses a pipeline fed one byte at a time", () => {
  assert.deepEqual(parseByteByByte(PIPELINE), PIPELINE_ARGV);
});

Deno.test("RespReader parses a pipeline split in two at every byte boundary", () => {
  const bytes = wire(PIPELINE);
  for (let split = 0; split <= bytes.length; split++) {
    const commands = parseChunks(new RespReader(), [
      bytes.slice(0, split),
      bytes.slice(split),
    ]);
    assert.deepEqual(commands, PIPELINE_ARGV, `split at ${split}`);
  }
});

Deno.test("RespReader keeps binary bulk payloads with CRLF and NUL intact", () => {
  const payload = "a\r\nb\0c\r\n\0\n*$";
  const input = `*2\r\n$3\r\nSET\r\n$${payload.length}\r\n${payload}\r\n`;
  assert.deepEqual(parseAll(input), [["SET", payload]]);
  assert.deepEqual(parseByteByByte(input), [["SET", payload]]);
  const allBytes = new Uint8Array(256).map((_, index) => index);
  const frame = encodeCommand(["SET", "k", allBytes]);
  const commands = parseChunks(new RespReader(), [frame]);
  assert.deepEqual(commands, [["SET", "k", String.fromCharCode(...allBytes)]]);
});

Deno.test("RespReader round-trips random binary commands split at random points", () => {
  let seed = 12345;
  const random = (limit: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % limit;
  };
  const expected: string[][] = [];
  const frames: Uint8Array[] = [];
  for (let commandIndex = 0; commandIndex < 200; commandIndex++) {
    const argv: Uint8Array[] = [];
    for (let argIndex = 0, count = 1 + random(5); argIndex < count; argIndex++) {
      argv.push(new Uint8Array(random(40)).map(() => random(256)));
    }
    frames.push(encodeCommand(argv));
    expected.push(text(argv));
  }
  const stream = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  frames.reduce((at, frame) => (stream.set(frame, at), at + frame.length), 0);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length;) {
    const size = 1 + random(300);
    chunks.push(stream.subarray(at, at + size));
    at += size;
  }
  assert.deepEqual(parseChunks(new RespReader(), chunks), expected);
});

Deno.test("RespReader splits inline requests like Redis sdssplitargs", () => {
  const cases: [string, string[]][] = [
    ["PING\r\n", ["PING"]],
    ["PING\n", ["PING"]],
    ["  set   a\tb  \r\n", ["set", "a", "b"]],
    ['echo "a\\x41\\n"\r\n', ["echo", "aA\n"]],
    ['echo "\\q\\\\\\"\\t\\b\\a\\r"\r\n', ["echo", 'q\\"\t\b\x07\r']],
    ['echo "\\x4g"\r\n', ["echo", "x4g"]],
    ["echo 'it\\'s'\r\n", ["echo", "it's"]],
    ["echo 'a\\b'\r\n", ["echo", "a\\b"]],
    ['echo ""\r\n', ["echo", ""]],
    ['echo a"b c"\r\n', ["echo", "ab c"]],
    ["echo a\x0bb\r\n", ["echo", "a\x0bb"]],
    ['echo "a"\x0b\r\n', ["echo", "a"]],
    ["echo \x0bx\r\n", ["echo", "x"]],
    ["echo \"a b\" 'c d'\r\n", ["echo", "a b", "c d"]],
    ["a\rb\r\n", ["a", "b"]],
  ];
  for (const [input, argv] of cases) {
    assert.deepEqual(parseAll(input), [argv], JSON.stringify(input));
    assert.deepEqual(parseByteByByte(input), [argv], JSON.stringify(input));
  }
});

Deno.test("RespReader skips empty and blank inline lines", () => {
  assert.deepEqual(parseAll("\r\n\n   \r\n\r\r\nPING\r\n\n"), [["PING"]]);
  assert.deepEqual(parseByteByByte("\n\nping\n"), [["ping"]]);
});

Deno.test("RespReader skips *0, *-1 and other non-positive counts", () => {
  const input = "*0\r\n*-1\r\n*-5\r\n*-9223372036854775808\r\n*1\r\n$4\r\nPING\r\n";
  assert.deepEqual(parseAll(input), [["PING"]]);
  assert.deepEqual(parseByteByByte(input), [["PING"]]);
});

Deno.test("RespReader skips the two bytes after a payload without checking them (as Redis)", () => {
  assert.deepEqual(parseAll("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"), [["PING"], ["PING"]]);
  assert.deepEqual(parseAll("*1\rX$4\rXPING\r\n"), [["PING"]]);
});

Deno.test("RespReader waits for a header until its CRLF is complete", () => {
  const reader = new RespReader();
  reader.push(wire("*1\r"));
  assert.equal(reader.next(), null);
  reader.push(wire("\n$4\r"));
  assert.equal(reader.next(), null);
  reader.push(wire("\nPING\r"));
  assert.equal(reader.next(), null);
  reader.push(wire("\n"));
  assert.deepEqual(text(reader.next() ?? []), ["PING"]);
});

Deno.test("RespReader counts the unconsumed bytes in bufferedBytes", () => {
  const reader = new RespReader();
  reader.push(wire("*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET"));
  assert.equal(reader.bufferedBytes, 25);
  assert.ok(reader.next() !== null);
  assert.equal(reader.bufferedBytes, 11);
  assert.equal(reader.next(), null);
  assert.equal(reader.bufferedBytes, 11);
});

// ---- Limits ----------------------------------------------------------------------------------

Deno.test("RespReader rejects a bulk length above bulkLenMaxBytes", () => {
  const limits = { bulkLenMaxBytes: 10 };
  assert.deepEqual(parseAll("*1\r\n$10\r\n0123456789\r\n", limits), [["0123456789"]]);
  assert.equal(
    protocolErrorOf("*1\r\n$11\r\n", limits),
    "ERR Protocol error: invalid bulk length",
  );
});

Deno.test("RespReader rejects a multibulk count above multibulkLenMax", () => {
  const limits = { multibulkLenMax: 3 };
  assert.deepEqual(parseAll("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", limits), [["a", "b", "c"]]);
  assert.equal(protocolErrorOf("*4\r\n", limits), "ERR Protocol error: invalid multibulk length");
  assert.equal(protocolErrorOf("*3000000000\r\n"), "ERR Protocol error: invalid multibulk length");
});

Deno.test("RespReader throws QueryBufferLimitError when buffered bytes exceed the limit", () => {
  const reader = new RespReader({ queryBufferMaxBytes: 100 });
  reader.push(wire("*2\r\n$3\r\nSET\r\n$200\r\n"));
  assert.equal(reader.next(), null);
  reader.push(wire("x".repeat(100 - reader.bufferedBytes)));
  assert.equal(reader.bufferedBytes, 100);
  assert.throws(() => reader.push(wire("x")), QueryBufferLimitError);
  assert.throws(() => reader.next(), QueryBufferLimitError);
});

Deno.test("RespReader applies the query buffer limit after consumed commands are dropped", () => {
  const reader = new RespReader({ queryBufferMaxBytes: 100 });
  for (let round = 0; round < 50; round++) {
    reader.push(wire("*1\r\n$4\r\nPING\r\n"));
    assert.ok(reader.next() !== null);
  }
  assert.equal(reader.bufferedBytes, 0);
});

Deno.test("RespReader applies a limit changed live through reader.limits", () => {
  const reader = new RespReader();
  reader.push(wire("*1\r\n$4\r\nPING\r\n"));
  assert.ok(reader.next() !== null);
  reader.limits.bulkLenMaxBytes = 3;
  reader.push(wire("*1\r\n$4\r\n"));
  assert.throws(() => reader.next(), { message: "ERR Protocol error: invalid bulk length" });
});

Deno.test("RespReader rejects an inline line longer than inlineLenMaxBytes", () => {
  const limits = { inlineLenMaxBytes: 10 };
  assert.deepEqual(parseAll("0123456789\n", limits), [["0123456789"]]);
  assert.deepEqual(parseByteByByte("0123456789\n", limits), [["0123456789"]]);
  const reader = new RespReader(limits);
  reader.push(wire("0123456789"));
  assert.equal(reader.next(), null);
  reader.push(wire("0"));
  assert.throws(() => reader.next(), { message: "ERR Protocol error: too big inline request" });
  // Deterministic: refused even when the newline is already buffered past the limit.
  assert.equal(
    protocolErrorOf("0123456789a\n", limits),
    "ERR Protocol error: too big inline request",
  );
});

Deno.test("RespReader rejects *<n> and $<n> header lines longer than inlineLenMaxBytes", () => {
  const limits = { inlineLenMaxBytes: 10 };
  assert.equal(
    protocolErrorOf("*" + "1".repeat(10), limits),
    "ERR Protocol error: too big mbulk count string",
  );
  assert.equal(
    protocolErrorOf("*1\r\n$" + "1".repeat(10), limits),
    "ERR Protocol error: too big bulk count string",
  );
  const reader = new RespReader(limits);
  reader.push(wire("*1\r\n$" + "0".repeat(9)));
  assert.equal(reader.next(), null);
});

Deno.test("RespReader treats NUL before a terminator like strchr: waits, then too big", () => {
  const limits = { inlineLenMaxBytes: 10 };
  const reader = new RespReader(limits);
  reader.push(wire("ping\0\r\n"));
  assert.equal(reader.next(), null);
  assert.equal(
    protocolErrorOf("ping\0\r\nping\r\n", limits),
    "ERR Protocol error: too big inline request",
  );
  assert.equal(
    protocolErrorOf("*1\0\r\n$4\r\nPING\r\n", limits),
    "ERR Protocol error: too big mbulk count string",
  );
});

Deno.test("RespReader enforces the pre-AUTH limits while authRequired is set", () => {
  const reader = new RespReader();
  reader.authRequired = true;
  reader.push(wire("*10\r\n$16384\r\n"));
  assert.equal(reader.next(), null);
  const tooMany = new RespReader();
  tooMany.authRequired = true;
  tooMany.push(wire("*11\r\n"));
  assert.throws(() => tooMany.next(), {
    message: "ERR Protocol error: unauthenticated multibulk length",
  });
  const tooLong = new RespReader();
  tooLong.authRequired = true;
  tooLong.push(wire("*1\r\n$16385\r\n"));
  assert.throws(() => tooLong.next(), {
    message: "ERR Protocol error: unauthenticated bulk length",
  });
});

Deno.test("RespReader grows for a big announced bulk only as its bytes arrive", () => {
  const announcedBytes = 512 * 1024 * 1024;
  const reader = new RespReader();
  reader.push(wire(`*2\r\n$3\r\nSET\r\n$${announcedBytes}\r\n`));
  assert.equal(reader.next(), null);
  for (let round = 0; round < 8; round++) {
    const region = reader.writable();
    region.fill(0x61, 0, 4096);
    reader.commit(4096);
    assert.equal(reader.next(), null);
  }
  assert.ok(reader.capacityBytes <= 128 * 1024, `capacity ${reader.capacityBytes}`);
});

Deno.test("RespReader growth stops at the end of a pending bulk", () => {
  const valueBytes = 100_000;
  const reader = new RespReader();
  reader.push(wire(`*2\r\n$3\r\nSET\r\n$${valueBytes}\r\n`));
  let sentBytes = 0;
  while (sentBytes < valueBytes) {
    const region = reader.writable(4096);
    const size = Math.min(4096, valueBytes - sentBytes);
    region.fill(0x62, 0, size);
    reader.commit(size);
    sentBytes += size;
    assert.equal(reader.next(), null);
  }
  reader.push(wire("\r\n"));
  const argv = reader.next();
  assert.ok(argv !== null);
  assert.equal(argv[1].length, valueBytes);
  assert.ok(argv[1].every((byte) => byte === 0x62));
  assert.ok(reader.capacityBytes < valueBytes + 64 * 1024, `capacity ${reader.capacityBytes}`);
  reader.shrink();
  assert.equal(reader.capacityBytes, 16 * 1024);
});

// ---- Malformed requests --------------------------------------------------------------------

Deno.test("RespReader rejects negative, non-numeric and badly written bulk lengths", () => {
  const lengths = ["-1", "-0", "abc", "", "01", "+4", " 4", "4 ", "1e3", "99999999999999999999"];
  for (const length of lengths) {
    assert.equal(
      protocolErrorOf(`*1\r\n$${length}\r\nPING\r\n`),
      "ERR Protocol error: invalid bulk length",
      JSON.stringify(length),
    );
  }
});

Deno.test("RespReader rejects non-numeric multibulk counts", () => {
  for (const count of ["abc", "", "+1", "1 ", "01", "-0", "-99999999999999999999", "1.5"]) {
    assert.equal(
      protocolErrorOf(`*${count}\r\n`),
      "ERR Protocol error: invalid multibulk length",
      JSON.stringify(count),
    );
  }
});

Deno.test("RespReader reports expected '$' with the offending byte", () => {
  assert.equal(protocolErrorOf("*1\r\nX3\r\n"), "ERR Protocol error: expected '$', got 'X'");
  assert.equal(
    protocolErrorOf("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n"),
    "ERR Protocol error: expected '$', got 'f'",
  );
  // Redis maps CR and LF in error texts to spaces.
  assert.equal(protocolErrorOf("*1\r\n\r\n"), "ERR Protocol error: expected '$', got ' '");
  assert.equal(protocolErrorOf("*1\r\n\n\r\n"), "ERR Protocol error: expected '$', got ' '");
});

Deno.test("RespReader rejects unbalanced quotes in inline requests", () => {
  const lines = ['echo "abc', 'echo "b"c', "echo 'a", "echo 'a'b", 'echo a"b c"d', 'echo "a\\'];
  for (const line of lines) {
    assert.equal(
      protocolErrorOf(line + "\r\n"),
      "ERR Protocol error: unbalanced quotes in request",
      line,
    );
  }
});

Deno.test("RespReader returns earlier commands before the error, then stays failed", () => {
  const reader = new RespReader();
  reader.push(wire("PING\r\n*1\r\n$x\r\n"));
  assert.deepEqual(text(reader.next() ?? []), ["PING"]);
  assert.throws(() => reader.next(), ProtocolError);
  assert.throws(() => reader.next(), { message: "ERR Protocol error: invalid bulk length" });
  assert.throws(() => reader.push(wire("PING\r\n")), ProtocolError);
});

Deno.test("parseLongLong follows Redis string2ll", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["7", 7],
    ["-7", -7],
    ["1234567890", 1234567890],
    ["9223372036854775807", 9223372036854775807],
    ["-9223372036854775808", -9223372036854775808],
    ["9223372036854775808", NaN],
    ["-9223372036854775809", NaN],
    ["", NaN],
    ["-", NaN],
    ["-0", NaN],
    ["00", NaN],
    ["+1", NaN],
    ["1a", NaN],
    ["123456789012345678901", NaN],
  ];
  for (const [input, value] of cases) {
    const bytes = wire(input);
    const parsed = parseLongLong(bytes, 0, bytes.length);
    if (Number.isNaN(value)) assert.ok(Number.isNaN(parsed), input);
    // Beyond 2^53 the value is documented as rounded; validity is what matters.
    else assert.ok(Math.abs(parsed - value) <= 2 ** 12, `${input}: ${parsed}`);
  }
});

// ---- Against a real redis-server ----------------------------------------------------------------

function redisServerAvailable(): boolean {
  try {
    return new Deno.Command("redis-server", { args: ["--version"], stdout: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

const HAVE_REDIS = redisServerAvailable();
if (!HAVE_REDIS && Deno.env.get("CI") === "true") {
  Deno.test("redis-server is installed (required when CI=true)", () => {
    assert.fail("redis-server not found on PATH");
  });
}

/** Sends `bytes` on a fresh connection and returns everything Redis sends until it closes. */
async function redisAnswer(port: number, bytes: Uint8Array): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let closed = false;
  const deadline = setTimeout(() => {
    closed = true;
    conn.close();
  }, 2000);
  const chunks: string[] = [];
  try {
    await conn.write(bytes);
    const buffer = new Uint8Array(4096);
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) break;
      chunks.push(decoder.decode(buffer.subarray(0, n)));
    }
  } catch {
    // Closed by the deadline or reset by the server: keep what arrived.
  } finally {
    clearTimeout(deadline);
    if (!closed) conn.close();
  }
  return chunks.join("");
}

async function waitForRedis(port: number): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`redis-server did not listen on ${port}`);
}

Deno.test({
  name: "RespReader protocol errors match a live redis-server byte for byte",
  ignore: !HAVE_REDIS,
  async fn() {
    const port = pickFreePort();
    const child = new Deno.Command("redis-server", {
      args: ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      await waitForRedis(port);
      // Over-long inputs are exactly one byte past the limit so Redis reads all of them.
      const malformed: Uint8Array[] = [
        wire("*1\r\n$-1\r\n"),
        wire("*1\r\n$abc\r\n"),
        wire("*1\r\n$01\r\n"),
        wire("*1\r\n$600000000\r\n"),
        wire("*abc\r\n"),
        wire("*3000000000\r\n"),
        wire("*-99999999999999999999\r\n"),
        wire("*1\r\nX3\r\n"),
        wire("*1\r\n\r\n"),
        wire('echo "a"b\r\n'),
        wire('echo "abc\r\n'),
        wire("echo 'abc\r\n"),
        wire("x".repeat(64 * 1024 + 1)),
        wire("*" + "1".repeat(64 * 1024)),
        wire("*1\r\n$" + "1".repeat(64 * 1024)),
      ];
      for (const bytes of malformed) {
        const ours = protocolErrorOf(bytes);
        const theirs = await redisAnswer(port, bytes);
        const label = JSON.stringify(decoder.decode(bytes.subarray(0, 40)));
        assert.equal(`-${ours}\r\n`, theirs, label);
      }
    } finally {
      child.kill("SIGTERM");
      await child.status;
    }
  },
});
