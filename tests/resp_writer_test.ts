// Tests of ReplyWriter and encodeCommand: exact bytes for every method in RESP2 and RESP3,
// buffer growth, mark/truncate, CR/LF sanitising, UTF-8 lengths, and Redis 7.0's "%.17g"
// double text (checked against glibc printf and a live redis-server 7.0.15).

import assert from "node:assert/strict";
import { encodeCommand, formatDoubleG17, ReplyWriter, RespReader } from "../core/resp/mod.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Encodes with a fresh writer of the given protocol and returns the bytes as text. */
function encode(protocol: 2 | 3, write: (writer: ReplyWriter) => void): string {
  const writer = new ReplyWriter();
  writer.protocol = protocol;
  write(writer);
  return decoder.decode(writer.view());
}

/** [method, RESP2 bytes, RESP3 bytes] for every method. */
const CASES: [string, (writer: ReplyWriter) => void, string, string][] = [
  ["simple", (w) => w.simple("OK"), "+OK\r\n", "+OK\r\n"],
  ["simple with CRLF", (w) => w.simple("a\r\nb"), "+a  b\r\n", "+a  b\r\n"],
  [
    "error",
    (w) => w.error("ERR unknown command"),
    "-ERR unknown command\r\n",
    "-ERR unknown command\r\n",
  ],
  ["error trims and maps CR/LF", (w) => w.error("ERR a\nb\r\n"), "-ERR a b\r\n", "-ERR a b\r\n"],
  ["integer 0", (w) => w.integer(0), ":0\r\n", ":0\r\n"],
  ["integer", (w) => w.integer(1234567890), ":1234567890\r\n", ":1234567890\r\n"],
  ["integer negative", (w) => w.integer(-42), ":-42\r\n", ":-42\r\n"],
  [
    "integer max safe",
    (w) => w.integer(Number.MAX_SAFE_INTEGER),
    ":9007199254740991\r\n",
    ":9007199254740991\r\n",
  ],
  [
    "integer unsafe number",
    (w) => w.integer(2 ** 60),
    ":1152921504606846976\r\n",
    ":1152921504606846976\r\n",
  ],
  [
    "integer bigint",
    (w) => w.integer(-9223372036854775808n),
    ":-9223372036854775808\r\n",
    ":-9223372036854775808\r\n",
  ],
  [
    "bulk",
    (w) => w.bulk(new Uint8Array([0x61, 0x0d, 0x0a, 0x00])),
    "$4\r\na\r\n\0\r\n",
    "$4\r\na\r\n\0\r\n",
  ],
  ["bulk empty", (w) => w.bulk(new Uint8Array()), "$0\r\n\r\n", "$0\r\n\r\n"],
  ["bulkString ascii", (w) => w.bulkString("hello"), "$5\r\nhello\r\n", "$5\r\nhello\r\n"],
  ["bulkString utf-8", (w) => w.bulkString("é€😀"), "$9\r\né€😀\r\n", "$9\r\né€😀\r\n"],
  ["nullBulk", (w) => w.nullBulk(), "$-1\r\n", "_\r\n"],
  ["nullArray", (w) => w.nullArray(), "*-1\r\n", "_\r\n"],
  ["arrayHeader", (w) => w.arrayHeader(3), "*3\r\n", "*3\r\n"],
  ["arrayHeader 0", (w) => w.arrayHeader(0), "*0\r\n", "*0\r\n"],
  ["mapHeader", (w) => w.mapHeader(2), "*4\r\n", "%2\r\n"],
  ["setHeader", (w) => w.setHeader(5), "*5\r\n", "~5\r\n"],
  ["pushHeader", (w) => w.pushHeader(3), "*3\r\n", ">3\r\n"],
  ["double", (w) => w.double(0.1), "$19\r\n0.10000000000000001\r\n", ",0.10000000000000001\r\n"],
  ["double integral", (w) => w.double(3), "$1\r\n3\r\n", ",3\r\n"],
  ["double exponent", (w) => w.double(1e20), "$5\r\n1e+20\r\n", ",1e+20\r\n"],
  ["double inf", (w) => w.double(Infinity), "$3\r\ninf\r\n", ",inf\r\n"],
  ["double -inf", (w) => w.double(-Infinity), "$4\r\n-inf\r\n", ",-inf\r\n"],
  ["double nan", (w) => w.double(NaN), "$3\r\nnan\r\n", ",nan\r\n"],
  ["boolean true", (w) => w.boolean(true), ":1\r\n", "#t\r\n"],
  ["boolean false", (w) => w.boolean(false), ":0\r\n", "#f\r\n"],
  [
    "verbatim",
    (w) => w.verbatim("hi\r\nthere"),
    "$9\r\nhi\r\nthere\r\n",
    "=13\r\ntxt:hi\r\nthere\r\n",
  ],
  ["verbatim mkd utf-8", (w) => w.verbatim("é", "mkd"), "$2\r\né\r\n", "=6\r\nmkd:é\r\n"],
  ["raw", (w) => w.raw(encoder.encode("+PONG\r\n")), "+PONG\r\n", "+PONG\r\n"],
];

for (const [name, write, resp2, resp3] of CASES) {
  Deno.test(`ReplyWriter ${name} encodes exact RESP2 and RESP3 bytes`, () => {
    assert.equal(encode(2, write), resp2);
    assert.equal(encode(3, write), resp3);
  });
}

Deno.test("ReplyWriter writes a bulk length header for every digit width", () => {
  for (const size of [0, 9, 10, 99, 100, 999, 1000, 65535, 100000]) {
    const writer = new ReplyWriter(8);
    writer.bulk(new Uint8Array(size).fill(0x78));
    const bytes = writer.view();
    const header = `$${size}\r\n`;
    assert.equal(decoder.decode(bytes.subarray(0, header.length)), header);
    assert.equal(bytes.length, header.length + size + 2);
  }
});

Deno.test("ReplyWriter sizes UTF-8 bulk strings when the length has fewer digits than the slot", () => {
  // 4 units -> worst case 12 bytes (2 digits); real size 8 bytes (1 digit): payload moves left.
  assert.equal(encode(2, (w) => w.bulkString("éééé")), "$8\r\néééé\r\n");
  const long = "ü".repeat(40) + "x".repeat(100);
  assert.equal(encode(2, (w) => w.bulkString(long)), `$180\r\n${long}\r\n`);
  const longAscii = "y".repeat(1000);
  assert.equal(encode(2, (w) => w.bulkString(longAscii)), `$1000\r\n${longAscii}\r\n`);
  // A lone surrogate becomes U+FFFD (3 bytes), as TextEncoder does.
  assert.equal(encode(2, (w) => w.bulkString("\ud800")), "$3\r\n\ufffd\r\n");
});

Deno.test("ReplyWriter grows by doubling and keeps earlier replies", () => {
  const writer = new ReplyWriter(4);
  let expected = "";
  for (let index = 0; index < 1000; index++) {
    writer.bulkString(`value-${index}`);
    writer.integer(index);
    expected += `$${`value-${index}`.length}\r\nvalue-${index}\r\n:${index}\r\n`;
  }
  assert.equal(decoder.decode(writer.view()), expected);
  assert.equal(writer.lengthBytes, encoder.encode(expected).length);
});

Deno.test("ReplyWriter truncate drops replies after a mark", () => {
  const writer = new ReplyWriter();
  writer.simple("QUEUED");
  const mark = writer.mark();
  writer.arrayHeader(2);
  writer.bulkString("x");
  writer.truncate(mark);
  writer.error("EXECABORT Transaction discarded because of previous errors.");
  assert.equal(
    decoder.decode(writer.view()),
    "+QUEUED\r\n-EXECABORT Transaction discarded because of previous errors.\r\n",
  );
  assert.throws(() => writer.truncate(writer.lengthBytes + 1), RangeError);
});

Deno.test("ReplyWriter reset empties the buffer and gives back a huge capacity", () => {
  const writer = new ReplyWriter();
  writer.bulk(new Uint8Array(4 * 1024 * 1024));
  writer.reset();
  assert.equal(writer.lengthBytes, 0);
  writer.simple("OK");
  assert.equal(decoder.decode(writer.view()), "+OK\r\n");
});

Deno.test("ReplyWriter rejects non-integers, negative counts and bad verbatim formats", () => {
  const writer = new ReplyWriter();
  assert.throws(() => writer.integer(1.5), RangeError);
  assert.throws(() => writer.arrayHeader(-1), RangeError);
  assert.throws(() => writer.mapHeader(1.5), RangeError);
  writer.protocol = 3;
  assert.throws(() => writer.verbatim("x", "text"), RangeError);
  assert.equal(writer.lengthBytes, 0);
});

Deno.test("formatDoubleG17 matches C printf %.17g", () => {
  // Expected texts from glibc printf("%.17g") (and Redis 7.0.15 ZSCORE for the first four).
  const cases: [number, string][] = [
    [0.1, "0.10000000000000001"],
    [1.5, "1.5"],
    [1e20, "1e+20"],
    [123456789012345678, "1.2345678901234568e+17"],
    [1e-5, "1.0000000000000001e-05"],
    [0, "0"],
    [-0, "-0"],
    [1e16, "10000000000000000"],
    [1e17, "1e+17"],
    [1e-4, "0.0001"],
    [0.3, "0.29999999999999999"],
    [1 / 3, "0.33333333333333331"],
    [-2.5, "-2.5"],
    [2 ** 63, "9.2233720368547758e+18"],
    [5e-324, "4.9406564584124654e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [123.456, "123.456"],
    [1e100, "1e+100"],
    // An exact tie at the 17th digit: glibc rounds half to even, JS toExponential rounds up.
    [1125899906842624.25, "1125899906842624.2"],
    [1125899906842624.75, "1125899906842624.8"],
  ];
  for (const [value, text] of cases) assert.equal(formatDoubleG17(value), text, String(value));
});

Deno.test("encodeCommand builds a multibulk frame the reader parses back", () => {
  const frame = encodeCommand(["SET", "ключ", new Uint8Array([0, 13, 10])]);
  assert.equal(
    decoder.decode(frame),
    "*3\r\n$3\r\nSET\r\n$8\r\nключ\r\n$3\r\n\0\r\n\r\n",
  );
  const reader = new RespReader();
  reader.push(frame);
  const argv = reader.next();
  assert.ok(argv !== null);
  assert.deepEqual(argv.map((arg) => Array.from(arg)), [
    Array.from(encoder.encode("SET")),
    Array.from(encoder.encode("ключ")),
    [0, 13, 10],
  ]);
  assert.equal(decoder.decode(encodeCommand([])), "*0\r\n");
});
