// Unit tests of the test harness's own RESP framing (tests/_support/raw_client.ts): the
// differential suite is only as good as its reply boundaries, so they are checked on raw wire
// strings of every RESP2/RESP3 type, whole and cut short at every byte.

import assert from "node:assert/strict";
import {
  blobText,
  encodeCommand,
  latin1Bytes,
  latin1Text,
  scanReply,
  splitAggregate,
} from "./_support/raw_client.ts";

/** One complete reply of each type, nested where the type allows. */
const COMPLETE_REPLIES = [
  "+OK\r\n",
  "-ERR wrong\r\n",
  ":-42\r\n",
  "_\r\n",
  ",3.14\r\n",
  "#t\r\n",
  "(3492890328409238509324850943850943825024385\r\n",
  "$5\r\nhe\r\no\r\n",
  "$0\r\n\r\n",
  "$-1\r\n",
  "!21\r\nSYNTAX invalid syntax\r\n",
  "=15\r\ntxt:Some string\r\n",
  "*-1\r\n",
  "*0\r\n",
  "*3\r\n:1\r\n$1\r\na\r\n*2\r\n+x\r\n_\r\n",
  "~2\r\n+a\r\n+b\r\n",
  ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n",
  "%2\r\n+first\r\n:1\r\n+second\r\n%1\r\n+n\r\n*1\r\n#f\r\n",
  "|1\r\n+ttl\r\n:3600\r\n$3\r\nval\r\n",
];

Deno.test("scanReply finds the end of one complete reply of every RESP type", () => {
  for (const wire of COMPLETE_REPLIES) {
    const bytes = latin1Bytes(wire + "+NEXT\r\n");
    assert.equal(scanReply(bytes, 0, bytes.length), wire.length, JSON.stringify(wire));
  }
});

Deno.test("scanReply reports need-more-bytes for every truncation", () => {
  for (const wire of COMPLETE_REPLIES) {
    const bytes = latin1Bytes(wire);
    for (let end = 0; end < bytes.length; end++) {
      assert.equal(scanReply(bytes, 0, end), -1, `${JSON.stringify(wire)} cut at ${end}`);
    }
  }
});

Deno.test("scanReply rejects an unknown type byte and a bad length", () => {
  assert.throws(() => scanReply(latin1Bytes("?x\r\n"), 0, 4), /unknown type byte/);
  assert.throws(() => scanReply(latin1Bytes("$x\r\n"), 0, 4), /bad length header/);
  assert.throws(() => scanReply(latin1Bytes("$1\r\nabc\r\n"), 0, 9), /not followed by CRLF/);
});

Deno.test("splitAggregate and blobText take replies apart", () => {
  const parts = splitAggregate(latin1Bytes("*3\r\n$1\r\na\r\n:2\r\n*1\r\n_\r\n"))!;
  assert.deepEqual(parts.map(latin1Text), ["$1\r\na\r\n", ":2\r\n", "*1\r\n_\r\n"]);
  assert.deepEqual(splitAggregate(latin1Bytes("%1\r\n+k\r\n+v\r\n"))!.map(latin1Text), [
    "+k\r\n",
    "+v\r\n",
  ]);
  assert.equal(splitAggregate(latin1Bytes("*-1\r\n")), null);
  assert.equal(splitAggregate(latin1Bytes("+OK\r\n")), null);
  assert.equal(blobText(latin1Bytes("$3\r\n\x00\r\n\r\n")), "\x00\r\n");
  assert.equal(blobText(latin1Bytes("$-1\r\n")), null);
});

Deno.test("encodeCommand writes a multibulk with UTF-8 strings and raw bytes", () => {
  const wire = latin1Text(encodeCommand(["SET", "\u00e9", new Uint8Array([0, 255])]));
  assert.equal(wire, "*3\r\n$3\r\nSET\r\n$2\r\n\xc3\xa9\r\n$2\r\n\x00\xff\r\n");
});
