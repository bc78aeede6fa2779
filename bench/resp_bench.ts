// Benchmarks of the RESP codec on the shapes the server sees most: a read chunk holding a
// pipeline of 16 SET commands (redis-benchmark -P 16), and a batch of 16 bulk replies encoded
// into one connection buffer. Each iteration reuses one reader / one writer, as a connection
// does, so the numbers are per batch of 16 without setup.

import { encodeCommand, ReplyWriter, RespReader } from "../core/resp/mod.ts";

const PIPELINE_DEPTH = 16;

const pipeline = (() => {
  const frames: Uint8Array[] = [];
  for (let index = 0; index < PIPELINE_DEPTH; index++) {
    frames.push(encodeCommand(["SET", `key:${index.toString().padStart(12, "0")}`, "xxx"]));
  }
  const bytes = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
  frames.reduce((at, frame) => (bytes.set(frame, at), at + frame.length), 0);
  return bytes;
})();

const reader = new RespReader();
let argCount = 0;

Deno.bench({
  name: "RespReader: parse a pipeline of 16 SET commands (one read chunk)",
  group: "reader",
  baseline: true,
  fn() {
    const region = reader.writable(pipeline.length);
    region.set(pipeline);
    reader.commit(pipeline.length);
    for (let argv = reader.next(); argv !== null; argv = reader.next()) argCount += argv.length;
  },
});

const inlinePipeline = new TextEncoder().encode("PING\r\n".repeat(PIPELINE_DEPTH));
const inlineReader = new RespReader();

Deno.bench({
  name: "RespReader: parse 16 inline PING lines",
  group: "reader",
  fn() {
    const region = inlineReader.writable(inlinePipeline.length);
    region.set(inlinePipeline);
    inlineReader.commit(inlinePipeline.length);
    for (let argv = inlineReader.next(); argv !== null; argv = inlineReader.next()) {
      argCount += argv.length;
    }
  },
});

const value = new Uint8Array(3).fill(0x78);
const writer = new ReplyWriter();

Deno.bench({
  name: "ReplyWriter: encode 16 bulk replies (3-byte values)",
  group: "writer",
  baseline: true,
  fn() {
    writer.reset();
    for (let index = 0; index < PIPELINE_DEPTH; index++) writer.bulk(value);
  },
});

Deno.bench({
  name: "ReplyWriter: encode 16 bulkString replies (ASCII strings)",
  group: "writer",
  fn() {
    writer.reset();
    for (let index = 0; index < PIPELINE_DEPTH; index++) writer.bulkString("value-string");
  },
});

Deno.bench({
  name: "ReplyWriter: encode 16 +OK replies",
  group: "writer",
  fn() {
    writer.reset();
    for (let index = 0; index < PIPELINE_DEPTH; index++) writer.simple("OK");
  },
});

Deno.bench({
  name: "ReplyWriter: encode 16 RESP3 doubles",
  group: "writer",
  fn() {
    writer.reset();
    writer.protocol = 3;
    for (let index = 0; index < PIPELINE_DEPTH; index++) writer.double(index + 0.1);
    writer.protocol = 2;
  },
});

globalThis.addEventListener("unload", () => {
  if (argCount < 0) console.log(argCount);
});
