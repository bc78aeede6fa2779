// Differential tests for Redis 7.0 functions: FUNCTION LOAD (and each of its errors), LIST,
// DELETE, FLUSH, DUMP / RESTORE with each policy, STATS, KILL, HELP, and FCALL / FCALL_RO must
// get byte-identical replies from resplica and from redis-server 7.0, in RESP2 and RESP3.
//
// Redis keeps libraries (and a library's functions) in hash tables whose order is random per
// process, so a case never shows two libraries (or two functions of one library) in one LIST or
// DUMP reply: LIBRARYNAME narrows the list, and multi-library DUMPs are only restored, never
// compared. FLUSHALL (the harness's reset) keeps functions, so every case starts with
// FUNCTION FLUSH. DUMP payloads are also checked against the codec's own encoding of the same
// code, which is what the RESTORE steps send (a payload made once, restored on both servers).

import {
  arity,
  type DiffCase,
  type DiffStep,
  expect,
  keepGoingFromEnv,
  runCorpus,
  withDiffPeers,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { encodeFunctionPayload } from "../core/rdb/mod.ts";

const keepGoing = keepGoingFromEnv();
const encoder = new TextEncoder();

const LIB1 = "#!lua name=lib1\n" +
  "redis.register_function('f1', function(keys, args) return redis.call('set', keys[1], args[1]) end)";
const LIB1_V2 = "#!lua name=lib1\n" +
  "redis.register_function('f1', function(keys, args) return 'v2' end)";
const LIB_FLAGS = "#!lua name=libflags\n" +
  "redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, " +
  "flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}, " +
  "description='reads a key'}";
const LIB_WRITER_NOWRITES = "#!lua name=libnw\n" +
  "redis.register_function{function_name='nw', callback=function(keys) return redis.call('set', keys[1], 'x') end, flags={'no-writes'}}";
const LIB2 = "#!lua name=lib2\n" +
  "redis.register_function('f2', function(keys, args) return {#keys, #args, keys[1], args[1]} end)";
const LIB_CLASH = "#!lua name=libclash\nredis.register_function('f1', function() return 1 end)";
const LIB_LONG = "#!lua name=liblong\n" + "-- padding padding padding padding padding\n".repeat(8) +
  "redis.register_function('long', function() return 'long' end)";

/** The payload FUNCTION DUMP gives for these libraries (one library: a deterministic order). */
function payload(...codes: string[]): Uint8Array {
  return encodeFunctionPayload(codes.map((code) => encoder.encode(code)));
}

function bulk(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return `$${bytes.length}\r\n${text}\r\n`;
}

const FLUSH: DiffStep = expect("FUNCTION FLUSH", "+OK\r\n");

/** FUNCTION RESTORE with a binary payload and options. */
function restore(bytes: Uint8Array, ...options: string[]): DiffStep {
  return { args: ["FUNCTION", "RESTORE", bytes, ...options] };
}

function load(code: string, ...options: string[]): string[] {
  return ["FUNCTION", "LOAD", ...options, code];
}

const functionCases: DiffCase[] = [
  {
    name: "FUNCTION LOAD, LIST, FCALL",
    steps: [
      FLUSH,
      expect(load(LIB1), "$4\r\nlib1\r\n"),
      "FUNCTION LIST",
      "FUNCTION LIST WITHCODE",
      "FUNCTION LIST LIBRARYNAME lib*",
      "FUNCTION LIST LIBRARYNAME nomatch",
      "FUNCTION LIST withcode LIBRARYNAME LIB1",
      expect("FCALL f1 1 k v", "+OK\r\n"),
      "GET k",
      "FCALL F1 1 k w",
      "GET k",
      "FUNCTION STATS",
    ],
  },
  {
    name: "FUNCTION LOAD errors",
    steps: [
      FLUSH,
      load(LIB1),
      load(LIB1),
      expect(load(LIB1_V2, "REPLACE"), "$4\r\nlib1\r\n"),
      "FCALL f1 0",
      load(LIB_CLASH),
      load("return 1"),
      load("#!lua name=x"),
      load("#!lua\nredis.register_function('a', function() end)"),
      load("#!lua name=a name=b\nredis.register_function('a', function() end)"),
      load("#!lua name=a foo=bar\nredis.register_function('a', function() end)"),
      load("#!lua name=bad-name\nredis.register_function('a', function() end)"),
      load("#!lua name=\nredis.register_function('a', function() end)"),
      load("#!js name=jslib\nredis.register_function('a', function() end)"),
      load("#!lua \"name=x\nredis.register_function('a', function() end)"),
      expect(
        load("#!LUA name=upper\nredis.register_function('up', function() return 1 end)"),
        "$5\r\nupper\r\n",
      ),
      load("#!lua name=nofn\nlocal a = 1"),
      load("#!lua name=syntax\nfoo("),
      load("#!lua name=callx\nredis.call('ping')"),
      load("#!lua name=mathx\nlocal x = math.floor"),
      load("#!lua name=globalx\nx = 1"),
      load("#!lua name=runtime\nlocal t = nil\nt.x = 1"),
      load("#!lua name=errtable\nerror({err='my error'})"),
      load("#!lua name=badfn\nredis.register_function('bad-fn', function() end)"),
      load(
        "#!lua name=dupfn\nredis.register_function('d', function() end)\nredis.register_function('d', function() end)",
      ),
      load("#!lua name=args0\nredis.register_function()"),
      load("#!lua name=args3\nredis.register_function('a', function() end, 3)"),
      load("#!lua name=arg1\nredis.register_function('a')"),
      load("#!lua name=arg2\nredis.register_function(1, 2)"),
      load("#!lua name=arg2b\nredis.register_function({}, function() end)"),
      load("#!lua name=named1\nredis.register_function{callback=function() end}"),
      load("#!lua name=named2\nredis.register_function{function_name='a'}"),
      load("#!lua name=named3\nredis.register_function{function_name='a', callback=1}"),
      load(
        "#!lua name=named4\nredis.register_function{function_name='a', callback=function() end, flags='x'}",
      ),
      load(
        "#!lua name=named5\nredis.register_function{function_name='a', callback=function() end, flags={'bad'}}",
      ),
      load(
        "#!lua name=named6\nredis.register_function{function_name='a', callback=function() end, other=1}",
      ),
      load("#!lua name=named7\nredis.register_function{function_name={}, callback=function() end}"),
      load(
        "#!lua name=named8\nredis.register_function{function_name='a', callback=function() end, description={}}",
      ),
      load(
        "#!lua name=ver\nredis.log(redis.LOG_NOTICE, redis.REDIS_VERSION)\nredis.register_function('ver', function() return 1 end)",
      ),
      "FUNCTION LOAD BADOPT " + "x",
      ["FUNCTION", "LOAD", "REPLACE", "REPLACE", LIB1_V2],
      "FUNCTION LOAD",
      "FUNCTION STATS",
    ],
  },
  {
    name: "FUNCTION LIST flags, descriptions and argument errors",
    steps: [
      FLUSH,
      load(LIB_FLAGS),
      "FUNCTION LIST",
      "FUNCTION LIST LIBRARYNAME libflags WITHCODE",
      "FUNCTION LIST bad_argument",
      "FUNCTION LIST libraryname",
      "FUNCTION LIST withcode withcode",
      "FUNCTION LIST withcode libraryname foo libraryname foo",
    ],
  },
  {
    name: "FUNCTION DELETE and FLUSH",
    steps: [
      FLUSH,
      load(LIB1),
      load(LIB2),
      "FUNCTION DELETE lib1",
      "FUNCTION DELETE lib1",
      "FUNCTION DELETE LIB2",
      "FCALL f1 0",
      "FUNCTION LIST",
      "FUNCTION DELETE",
      "FUNCTION DELETE a b",
      "FUNCTION FLUSH SYNC",
      "FUNCTION FLUSH async",
      "FUNCTION FLUSH bad_arg",
      "FUNCTION FLUSH sync extra_arg",
      "FUNCTION LIST",
      "FUNCTION STATS",
    ],
  },
  {
    name: "FUNCTION DUMP and RESTORE with each policy",
    steps: [
      FLUSH,
      expect("FUNCTION DUMP", bulk(payload())),
      load(LIB1),
      expect("FUNCTION DUMP", bulk(payload(LIB1))),
      "FUNCTION FLUSH",
      load(LIB_LONG),
      expect("FUNCTION DUMP", bulk(payload(LIB_LONG))),
      "FUNCTION FLUSH",
      restore(payload(LIB1)),
      "FUNCTION LIST",
      restore(payload(LIB1)),
      restore(payload(LIB1), "APPEND"),
      restore(payload(LIB1_V2), "REPLACE"),
      "FCALL f1 0",
      restore(payload(LIB_CLASH), "REPLACE"),
      restore(payload(LIB2), "FLUSH"),
      "FUNCTION LIST",
      "FCALL f1 0",
      restore(payload(LIB1, LIB_FLAGS), "append"),
      "FUNCTION STATS",
      restore(payload(LIB1, LIB1), "FLUSH"),
      restore(payload(LIB1, LIB_CLASH), "FLUSH"),
      "FUNCTION STATS",
      restore(payload(LIB1), "BADPOLICY"),
      restore(payload(LIB1), "FLUSH", "extra"),
      "FUNCTION RESTORE bad_payload",
      restore(payload(LIB1).subarray(0, 20)),
      restore(encoder.encode("x".repeat(10))),
      restore(payload("#!lua name=bad\nfoo(")),
      restore(payload("no shebang")),
      "FUNCTION STATS",
      restore(payload()),
      "FUNCTION LIST LIBRARYNAME lib2",
    ],
  },
  {
    name: "FCALL and FCALL_RO: numkeys, flags, unknown functions",
    steps: [
      FLUSH,
      load(LIB2),
      load(LIB_FLAGS),
      load(LIB_WRITER_NOWRITES),
      "SET k hello",
      "FCALL f2 0",
      "FCALL f2 2 a b c d",
      "FCALL f2 4 a b c d",
      "FCALL f2 5 a b c d",
      "FCALL f2 -1 a",
      "FCALL f2 x a",
      "FCALL f2 1.5 a",
      "FCALL nosuch 0",
      "FCALL nosuch x",
      "FCALL_RO ro 1 k",
      "FCALL ro 1 k",
      "FCALL_RO f2 0",
      "FCALL nw 1 k",
      "FCALL_RO nw 1 k",
      "GET k",
      expect("FCALL", arity("fcall")),
      "FCALL f2",
      "FCALL_RO f2",
    ],
  },
  {
    name: "library names in quotes, and the library API is readonly at call time",
    steps: [
      FLUSH,
      load("#!lua name=\"quoted\"\nredis.register_function('q', function() return 1 end)"),
      "FCALL q 0",
      load("#!lua name='single'\nredis.register_function('s', function() return 2 end)"),
      load('#!lua name="bad"x\nreturn 1'),
      load(
        "#!lua name=lib1\nlocal lib = redis\n" +
          "lib.register_function('f1', function() lib.redis = redis return {ok='OK'} end)",
      ),
      "FCALL f1 0",
      load("#!lua name=lib2\nredis.math.random()"),
      ["COMMAND", "GETKEYS", "FCALL", "f1", "2", "a", "b", "c"],
    ],
  },
  {
    name: "FUNCTION STATS, KILL, HELP and unknown subcommands",
    steps: [
      FLUSH,
      "FUNCTION STATS",
      "FUNCTION STATS extra",
      "FUNCTION KILL",
      "FUNCTION HELP",
      "FUNCTION NOSUCH",
      "FUNCTION",
      "FUNCTION DUMP extra",
    ],
  },
];

const HELLO3: DiffStep = { args: ["HELLO", "3"], mask: /(?<=\$2\r\nid\r\n:)\d+/g };

const resp3Cases: DiffCase[] = functionCases.map((c) => ({
  name: `RESP3: ${c.name}`,
  steps: [HELLO3, ...c.steps],
}));

peerTest("differential: functions corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, functionCases, reference, subject, { keepGoing })
  );
});

peerTest("differential: functions corpus in RESP3 matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, resp3Cases, reference, subject, { keepGoing })
  );
});
