// Tests of the Lua engine layer (core/scripting/lua/): conversions both ways as Redis 7.0's
// script_lua.c does them, the sandbox's error texts, the libraries against outputs known from
// Redis, the interrupt hook, and compile errors. One engine is shared (Redis has one Lua state);
// each script is compiled under its own name.

import assert from "node:assert/strict";
import {
  LuaEngine,
  type LuaHost,
  LuaPausedCall,
  type LuaReply,
  PAUSE_LUA,
} from "../core/scripting/lua/mod.ts";
import { rewriteTailCalls } from "../core/scripting/lua/_tail_calls.ts";
import { LUA_REPLY_DEPTH_MAX } from "../core/scripting/lua/limits.ts";

const assertEquals = (actual: unknown, expected: unknown) =>
  assert.deepStrictEqual(actual, expected);
const assertMatch = (text: string, pattern: RegExp, message?: string) =>
  assert.match(text, pattern, message);
const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);
const engine = await LuaEngine.create();
let scriptCount = 0;

const quietHost: LuaHost = { call: () => ({ error: "ERR no commands in this test" }) };

/** Compiles and runs `body` once; throws on a compile error. */
function run(
  body: string,
  host: LuaHost = quietHost,
  keys: string[] = [],
  args: string[] = [],
): LuaReply {
  const name = `f_test${scriptCount++}`;
  const compileError = engine.compile(name, bytes(body));
  if (compileError !== null) throw new Error(compileError.error);
  const reply = engine.call(name, keys.map(bytes), args.map(bytes), host);
  if (reply instanceof LuaPausedCall) throw new Error("the script paused");
  return reply;
}

/** Runs `body` with a host that pauses it at every interrupt check; resumes it to its end. */
function runPausing(body: string, stopAfterPauses = Infinity): { reply: LuaReply; pauses: number } {
  const name = `f_test${scriptCount++}`;
  const compileError = engine.compile(name, bytes(body));
  if (compileError !== null) throw new Error(compileError.error);
  let pauses = 0;
  const host: LuaHost = {
    call: (argv) => argv[1] ?? null,
    checkInterrupt: () =>
      pauses >= stopAfterPauses ? "ERR Script killed by user with SCRIPT KILL..." : PAUSE_LUA,
  };
  let result = engine.call(name, [], [], host);
  while (result instanceof LuaPausedCall) {
    pauses++;
    assert.equal(engine.paused, true);
    // Nothing else may enter the engine while a script is paused.
    assert.throws(() => engine.compile("f_while_paused", bytes("return 1")), /paused/);
    result = result.resume();
  }
  assert.equal(engine.paused, false);
  return { reply: result, pauses };
}

function errorOf(reply: LuaReply): string {
  if (reply === null || typeof reply !== "object" || !("error" in reply)) {
    throw new Error(`expected an error reply, got ${String(reply)}`);
  }
  return reply.error;
}

Deno.test("Lua values convert to replies as luaReplyToRedisReply does", () => {
  assertEquals(run("return 3.99"), 3n);
  assertEquals(run("return -3.99"), -3n);
  assertEquals(run("return 'hi'"), bytes("hi"));
  assertEquals(run("return true"), 1n);
  assertEquals(run("return false"), null);
  assertEquals(run("return nil"), null);
  assertEquals(run("return {1, 2, nil, 4}"), [1n, 2n]);
  assertEquals(run("return {1, {2, 'x'}, true, false}"), [1n, [2n, bytes("x")], 1n, null]);
  assertEquals(run("return {err='My Error'}"), { error: "My Error" });
  assertEquals(run("return {ok='fine\\r\\nline'}"), { status: "fine  line" });
  assertEquals(run("return redis.error_reply('My Error')"), { error: "My Error" });
  assertEquals(run("return redis.error_reply('oops')"), { error: "ERR oops" });
  assertEquals(run("return redis.status_reply('FINE')"), { status: "FINE" });
  assertEquals(run("return 0/0"), -9223372036854775808n);
});

Deno.test("RESP3 results after redis.setresp(3)", () => {
  const host: LuaHost = { call: () => null };
  assertEquals(run("redis.setresp(3) return {double=3.5}", host), { double: 3.5 });
  assertEquals(run("redis.setresp(3) return true", host), true);
  assertEquals(run("redis.setresp(3) return false", host), false);
  assertEquals(run("redis.setresp(3) return {big_number='123456789012345678901'}", host), {
    bignum: "123456789012345678901",
  });
  assertEquals(run("redis.setresp(3) return {map={a=1}}", host), { map: [[bytes("a"), 1n]] });
  assertEquals(run("redis.setresp(3) return {set={a=true}}", host), { set: [bytes("a")] });
  assertEquals(run("return {double=3.5}"), { double: 3.5 });
});

Deno.test("replies convert to Lua values as redisProtocolToLuaType does", () => {
  const replies: LuaReply[] = [
    7n,
    bytes("bulk"),
    null,
    { status: "OK" },
    [1n, bytes("a"), null],
  ];
  let index = 0;
  const host: LuaHost = { call: () => replies[index++] };
  assertEquals(
    run(
      `local i = redis.call('x')
       local b = redis.call('x')
       local n = redis.call('x')
       local s = redis.call('x')
       local a = redis.call('x')
       return {type(i), i, b, tostring(n), s.ok, #a, a[2], tostring(a[3])}`,
      host,
    ),
    [
      bytes("number"),
      7n,
      bytes("bulk"),
      bytes("false"),
      bytes("OK"),
      3n,
      bytes("a"),
      bytes(
        "false",
      ),
    ],
  );
});

Deno.test("RESP3 replies convert to Lua tables after redis.setresp(3)", () => {
  const replies: LuaReply[] = [
    null,
    { map: [[bytes("f"), 1n]] },
    { set: [bytes("m")] },
    { double: 1.5 },
    true,
    { bignum: "1234" },
    { verbatim: bytes("text"), format: "txt" },
  ];
  let index = 0;
  const host: LuaHost = { call: () => replies[index++] };
  assertEquals(
    run(
      `redis.setresp(3)
       local n = redis.call('x')
       local m = redis.call('x')
       local s = redis.call('x')
       local d = redis.call('x')
       local b = redis.call('x')
       local big = redis.call('x')
       local v = redis.call('x')
       return {tostring(n), m.map.f, tostring(s.set.m), d.double, tostring(b), big.big_number,
               v.verbatim_string.format, v.verbatim_string.string}`,
      host,
    ),
    [
      bytes("nil"),
      1n,
      bytes("true"),
      1n,
      bytes("true"),
      bytes("1234"),
      bytes("txt"),
      bytes("text"),
    ],
  );
});

Deno.test("redis.call passes arguments as Redis does and raises errors with the script's line", () => {
  let seen: string[] = [];
  const host: LuaHost = {
    call: (argv) => {
      seen = argv.map((a) => new TextDecoder().decode(a));
      return { error: "WRONGTYPE Operation against a key holding the wrong kind of value" };
    },
  };
  const reply = run("local x = 1\nreturn redis.call('incr', KEYS[1], 1.5, 3)", host, ["k"]);
  assertEquals(seen, ["incr", "k", "1.5", "3"]);
  assertMatch(
    errorOf(reply),
    /^WRONGTYPE Operation against a key holding the wrong kind of value script: test\d+, on @user_script:2\.$/,
  );
  assertEquals((reply as { statsCounted?: boolean }).statsCounted, true);
  assertEquals(
    run("local e = redis.pcall('incr') return e", host),
    {
      error: "WRONGTYPE Operation against a key holding the wrong kind of value",
      statsCounted: true,
    },
  );
  assertEquals(
    run("local ok, e = pcall(redis.call, 'x') return {tostring(ok), e}", host),
    [bytes("false"), bytes("WRONGTYPE Operation against a key holding the wrong kind of value")],
  );
  assertMatch(
    errorOf(run("return redis.call('x', {})", host)),
    /^ERR Lua redis lib command arguments must be strings or integers script: .*, on @user_script:1\.$/,
  );
});

Deno.test("sandbox errors have Redis 7.0.15's texts", () => {
  assertMatch(
    errorOf(run("return a")),
    /^ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: test\d+, on @user_script:1\.$/,
  );
  assertMatch(
    errorOf(run("a = 10")),
    /^ERR user_script:1: Attempt to modify a readonly table script: .*, on @user_script:1\.$/,
  );
  for (
    const body of [
      "redis.call = function() return 1 end",
      "cjson.encode = function() return 1 end",
      "cmsgpack.pack = function() return 1 end",
      "bit.lshift = function() return 1 end",
      "setmetatable(_G, {})",
      "local g = getmetatable(_G) g.__index = {}",
      "_G = {}",
      "rawset(_G, 'x', 1)",
      "table.insert(string, 1)",
    ]
  ) {
    assertMatch(errorOf(run(body)), /Attempt to modify a readonly table/, body);
  }
  for (const name of ["print", "loadfile", "dofile", "os", "io", "debug", "require"]) {
    assertMatch(
      errorOf(run(`return ${name}`)),
      new RegExp(`Script attempted to access nonexistent global variable '${name}'`),
    );
  }
  assertMatch(
    errorOf(run("return loadstring(string.dump(function() return 1 end))()")),
    /attempt to call a nil value/,
  );
  assertEquals(run("local f = loadstring('return 1 + 1') return f()"), 2n);
  assertMatch(errorOf(run("local f = loadstring('x = 1') f()")), /readonly table/);
});

Deno.test("the VM is Lua 5.1: number printing, unpack, loadstring, table.getn", () => {
  assertEquals(
    run(
      "return {tostring(0.1), tostring(1/3), tostring(10/2), tostring(2^53), " +
        "string.format('%d %5.2f %s', 3.7, 2, 'x'), table.getn({1,2,3}), select('#', unpack({1,2})), _VERSION}",
    ),
    [
      bytes("0.1"),
      bytes("0.33333333333333"),
      bytes("5"),
      bytes("9.007199254741e+15"),
      bytes("3  2.00 x"),
      3n,
      2n,
      bytes("Lua 5.1"),
    ],
  );
});

Deno.test("redis.* facts and helpers", () => {
  assertEquals(
    run(
      "return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM, redis.LOG_WARNING, redis.REPL_ALL, " +
        "redis.sha1hex(''), redis.sha1hex('Pizza & Mandolino')}",
    ),
    [
      bytes("7.0.15"),
      0x0007000fn,
      3n,
      3n,
      bytes("da39a3ee5e6b4b0d3255bfef95601890afd80709"),
      bytes("74822d82031af7493c20eefa13bd07ec4fada82f"),
    ],
  );
  const logs: [number, string][] = [];
  let repl = -1;
  const host: LuaHost = {
    call: () => null,
    log: (level, message) => logs.push([level, new TextDecoder().decode(message)]),
    setRepl: (flags) => repl = flags,
  };
  run("redis.log(redis.LOG_NOTICE, 'a', 1.5, {}, 'b') redis.set_repl(redis.REPL_AOF)", host);
  assertEquals(logs, [[2, "a 1.5 b"]]);
  assertEquals(repl, 1);
  assertMatch(errorOf(run("redis.setresp(4)")), /^ERR RESP version must be 2 or 3\. script:/);
  assertMatch(errorOf(run("redis.log(9, 'x')")), /^ERR Invalid debug level\. script:/);
});

Deno.test("cjson matches Redis's outputs", () => {
  assertEquals(run("return cjson.encode({1,2,3})"), bytes("[1,2,3]"));
  assertEquals(run("return cjson.encode({})"), bytes("{}"));
  assertEquals(run("return cjson.encode({a='x/y\\n'})"), bytes('{"a":"x\\/y\\n"}'));
  assertEquals(run("return cjson.encode(0.1)"), bytes("0.1"));
  assertEquals(run("return cjson.encode(1/3)"), bytes("0.33333333333333"));
  assertMatch(errorOf(run("return cjson.encode({[1]=1, [100]=2})")), /excessively sparse array/);
  assertEquals(
    run(
      'local t = cjson.decode(\'{"a":[1,2,{"b":null}],"c":"\\\\u00e9"}\') ' +
        "return {t.a[2], tostring(t.a[3].b == cjson.null), t.c}",
    ),
    [2n, bytes("true"), bytes("é")],
  );
  assertEquals(
    run("return tostring(cjson.decode('123456789012345678901'))"),
    bytes("1.2345678901235e+20"),
  );
  assertMatch(
    errorOf(run("return cjson.decode('[1,2')")),
    /Expected comma or array end but found T_END at character 5/,
  );
  assertEquals(run("return cjson.encode_keep_buffer(false)"), bytes("off"));
});

Deno.test("cmsgpack matches Redis's bytes and round-trips", () => {
  assertEquals(run("return cmsgpack.pack(1, 2)"), new Uint8Array([1, 2]));
  assertEquals(
    run("return cmsgpack.pack(-1, 200, 'ab')"),
    new Uint8Array([0xff, 0xcc, 200, 0xa2, 97, 98]),
  );
  assertEquals(run("return cmsgpack.pack({1,2})"), new Uint8Array([0x92, 1, 2]));
  assertEquals(run("return cmsgpack.pack(1.5)"), new Uint8Array([0xca, 0x3f, 0xc0, 0, 0]));
  assertEquals(
    run("return cmsgpack.pack(0.1)"),
    new Uint8Array([0xcb, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a]),
  );
  assertEquals(
    run(
      "local a, b, c = cmsgpack.unpack(cmsgpack.pack({x=1, y={1,2,3}}, -70000, 0.1)) " +
        "return {a.x, a.y[3], b, tostring(c)}",
    ),
    [1n, 3n, -70000n, bytes("0.1")],
  );
});

Deno.test("bit and struct match LuaBitOp and struct.c", () => {
  assertEquals(
    run(
      "return {bit.tohex(65535), bit.tohex(-1, -4), bit.band(0xff, 0x0f), bit.bor(1, 2, 4), " +
        "bit.bxor(5, 1), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4), " +
        "bit.tobit(2^32 + 5), bit.bnot(0), bit.rol(0x80000001, 1), bit.bswap(0x01020304)}",
    ),
    [
      bytes("0000ffff"),
      bytes("FFFF"),
      15n,
      7n,
      4n,
      -2147483648n,
      15n,
      -16n,
      5n,
      -1n,
      3n,
      0x04030201n,
    ],
  );
  assertEquals(run("return struct.pack('>I2', 1)"), new Uint8Array([0, 1]));
  assertEquals(run("return struct.pack('<i4', -2)"), new Uint8Array([0xfe, 0xff, 0xff, 0xff]));
  assertEquals(
    run(
      "local a, b, c, pos = struct.unpack('>hBs', struct.pack('>hBs', -3, 250, 'hi')) return {a, b, c, pos}",
    ),
    [-3n, 250n, bytes("hi"), 7n],
  );
  assertEquals(run("return struct.size('!4bi')"), 8n);
  assertEquals(run("return tostring(struct.unpack('<d', struct.pack('<d', 0.1)))"), bytes("0.1"));
});

Deno.test("the interrupt hook stops a busy script and pcall cannot catch the kill", () => {
  let checks = 0;
  const host: LuaHost = {
    call: () => null,
    checkInterrupt: () => (++checks >= 3 ? "ERR Script killed by user with SCRIPT KILL..." : null),
  };
  const reply = run("while true do pcall(function() while true do end end) end", host);
  assertMatch(
    errorOf(reply),
    /^ERR Script killed by user with SCRIPT KILL\.\.\. script: test\d+, on @user_script:1\.$/,
  );
  assertEquals(checks >= 3, true);
  // The engine is usable afterwards.
  assertEquals(run("return 1"), 1n);
});

Deno.test("a paused script resumes where it was: loops, pcall, callbacks, metamethods", () => {
  const cases: [string, LuaReply][] = [
    ["local s = 0 for i = 1, 3000000 do s = s + i % 7 end return s", 8999997n],
    [
      "local n = 0 local f = function() for i = 1, 300000 do n = n + 1 end error('x') end " +
      "for j = 1, 10 do pcall(f) end return n",
      3000000n,
    ],
    [
      "local t = {} for i = 1, 20000 do t[i] = (i * 7919) % 20000 end " +
      "table.sort(t, function(a, b) local x = 0 for k = 1, 20 do x = x + k end return a < b end) " +
      "return t[1] .. ',' .. t[20000]",
      bytes("0,19999"),
    ],
    [
      "local c = 0 string.gsub(string.rep('a', 20000), 'a', function() " +
      "for k = 1, 30 do c = c + 1 end return 'b' end) return c",
      600000n,
    ],
    [
      "local t = setmetatable({}, {__index = function(t, k) local x = 0 " +
      "for i = 1, 50 do x = x + i end return x end}) local s = 0 " +
      "for i = 1, 20000 do s = s + t[i] end return s",
      25500000n,
    ],
    ["local n = 0 for i = 1, 30000 do n = n + #redis.call('get', 'vv') end return n", 60000n],
  ];
  for (const [body, expected] of cases) {
    const { reply, pauses } = runPausing(body);
    assertEquals(reply, expected);
    assert.ok(pauses > 0, `${body} never paused`);
  }
  // A kill decided while paused ends the script at its resume, pcall or not.
  const killed = runPausing("while true do pcall(function() while true do end end) end", 3);
  assertMatch(errorOf(killed.reply), /^ERR Script killed by user with SCRIPT KILL\.\.\./);
  assertEquals(killed.pauses, 3);
  assertEquals(run("return 'usable'"), bytes("usable"));
});

Deno.test("compile errors read as Redis's", () => {
  assertEquals(
    engine.compile("f_bad", bytes("x x")),
    { error: "ERR Error compiling script (new function): user_script:1: '=' expected near 'x'" },
  );
  assertEquals(
    engine.compile("f_bad2", bytes("\x1bLua")),
    {
      error: "ERR Error compiling script (new function): user_script:1: unexpected symbol near " +
        "'char(27)'",
    },
  );
});

Deno.test("math.random follows Redis's rand48 and is deterministic per seed", () => {
  const host: LuaHost = { call: () => null };
  const first = run("math.randomseed(7) return {math.random(100), math.random(1, 6)}", host);
  const again = run("math.randomseed(7) return {math.random(100), math.random(1, 6)}", host);
  assertEquals(first, again);
  assertMatch(errorOf(run("return math.random(0)", host)), /interval is empty/);
});

Deno.test("a tail call of redis.call is parenthesised, and strings and comments are not", () => {
  const rewrite = (text: string) => new TextDecoder().decode(rewriteTailCalls(bytes(text)));
  assertEquals(rewrite("return redis.call('get', KEYS[1])"), "return (redis.call('get', KEYS[1]))");
  assertEquals(
    rewrite("return  redis . pcall ( 'x', (1) )"),
    "return  (redis . pcall ( 'x', (1) ))",
  );
  assertEquals(
    rewrite("return --[[c]] redis.call('a', ')', \"(\", [[)]])\nx"),
    "return --[[c]] (redis.call('a', ')', \"(\", [[)]]))\nx",
  );
  assertEquals(
    rewrite("return redis.call('a', function() return redis.call('b') end)"),
    "return (redis.call('a', function() return (redis.call('b')) end))",
  );
  // Not a return of redis.call / pcall, or inside a string or comment: left as it is.
  for (
    const text of [
      "redis.call('x') return 1",
      "return redis.callx('a')",
      "return myredis.call('a')",
      "return redis.call'a'",
      "return redis.call('a'",
      "x = 'return redis.call(1)'",
      "-- return redis.call(1)\nreturn 1",
      "--[==[ return redis.call(1) ]==] return 1",
      "x = [=[ return redis.call(1) ]=]",
      "x = 'a\\' return redis.call(1)'",
      "\x1bLua return redis.call(1)",
    ]
  ) assertEquals(rewrite(text), text);
});

Deno.test("errors of a returned redis.call keep the script's line; results are unchanged", () => {
  const host: LuaHost = { call: () => ({ error: "ERR boom" }) };
  assertMatch(
    errorOf(run("local a = 1\n\nreturn redis.call('x')", host)),
    /^ERR boom script: test\d+, on @user_script:3\.$/,
  );
  assertMatch(
    errorOf(run("local t = {}\nlocal function f() return redis.call('x') end\nreturn f()", host)),
    /^ERR boom script: test\d+, on @user_script:2\.$/,
  );
  const echo: LuaHost = { call: (argv) => BigInt(argv.length) };
  assertEquals(run("return redis.call('a', 'b')", echo), 2n);
  assertEquals(run("return redis.pcall('a', 'b', 'c')", echo), 3n);
  // 7999 arguments: Redis passes them all (a coroutine-wrapped call could not resume with them).
  assertEquals(
    run(
      "local a = {} for i = 1, 7999 do a[i] = 1 end return redis.call('lpush', 'l', unpack(a))",
      echo,
    ),
    8001n,
  );
});

Deno.test("a result nested past the Lua stack limit ends in 'reached lua stack limit'", () => {
  let reply = run("local a = {} local b = {a} a[1] = b return a");
  let depth = 0;
  while (Array.isArray(reply)) {
    assertEquals(reply.length, 1);
    reply = reply[0];
    depth++;
  }
  assertEquals(reply, { error: "ERR reached lua stack limit" });
  assertEquals(depth, LUA_REPLY_DEPTH_MAX);
  assertEquals(run("return 1"), 1n);
});

Deno.test("usedMemoryBytes reports what the Lua state allocated, not the WebAssembly heap", () => {
  const before = engine.usedMemoryBytes;
  assert.ok(before > 0 && before < engine.heapSizeBytes, `used ${before}`);
  assertEquals(run("local t = {} for i = 1, 20000 do t[i] = i end return #t"), 20000n);
  assert.ok(engine.usedMemoryBytes > 0);
});

/** Redis 7.0's "EVAL does not leak in the Lua stack": used_memory_lua below this after 10,000 EVALs. */
const LUA_IDLE_HEAP_MAX_BYTES = 100 * 1024;

Deno.test("the Lua heap stays under LUA_IDLE_HEAP_MAX_BYTES through 10,000 calls", async () => {
  // A fresh state (the shared one holds this file's other scripts). cjson and cmsgpack are used
  // first, then their script dropped: with no EVAL script left they are let go.
  const fresh = await LuaEngine.create();
  try {
    const libs = "f_libs";
    fresh.compile(libs, bytes("cjson.encode_max_depth(3) return cmsgpack.pack(cjson.encode({1}))"));
    assertEquals(fresh.call(libs, [], [], quietHost), new Uint8Array([0xa3, ...bytes("[1]")]));
    fresh.forget(libs);
    const incr = "f_incr";
    fresh.compile(incr, bytes('return redis.call("incr",KEYS[1])'));
    let counter = 0n;
    const host: LuaHost = { call: () => ++counter };
    let usedMaxBytes = 0;
    for (let i = 0; i < 10_000; i++) {
      assertEquals(fresh.call(incr, [bytes("x")], [], host), counter);
      if (i % 10 === 0) usedMaxBytes = Math.max(usedMaxBytes, fresh.usedMemoryBytes);
    }
    usedMaxBytes = Math.max(usedMaxBytes, fresh.usedMemoryBytes);
    assert.ok(usedMaxBytes < LUA_IDLE_HEAP_MAX_BYTES, `used up to ${usedMaxBytes} bytes`);
    // Loaded again on use, with the settings and cjson.null kept.
    const again = "f_again";
    fresh.compile(
      again,
      bytes(
        "local ok, e = pcall(cjson.encode, {{{{1}}}}) " +
          "return {e, cjson.decode('null') == cjson.null and 1 or 0}",
      ),
    );
    assertEquals(fresh.call(again, [], [], quietHost), [
      bytes("Cannot serialise, excessive nesting (4)"),
      1n,
    ]);
  } finally {
    fresh.close();
  }
});

Deno.test("keys and args reach the script whole, in one batch or one by one", () => {
  // Both sides of the batch limit (64 strings in one io.read), with empty and binary strings,
  // an empty one last (io.read(0) peeks the next byte: the list's final newline).
  for (const count of [0, 1, 2, 63, 64, 65, 200]) {
    const keys = Array.from({ length: count >> 1 }, (_, i) => i % 3 === 0 ? "" : `k${i}\n\r\0`);
    const args = Array.from({ length: count - keys.length }, (_, i) => i % 4 === 1 ? "" : `a${i}`);
    if (args.length > 0) args[args.length - 1] = "";
    const reply = run(
      "return {#KEYS, #ARGV, table.concat(KEYS, ','), table.concat(ARGV, ',')}",
      quietHost,
      keys,
      args,
    );
    assertEquals(reply, [
      BigInt(keys.length),
      BigInt(args.length),
      bytes(keys.join(",")),
      bytes(args.join(",")),
    ]);
  }
  const binary = new Uint8Array(256).map((_, i) => i);
  const name = `f_test${scriptCount++}`;
  assertEquals(engine.compile(name, bytes("return {KEYS[1], ARGV[1], ARGV[2]}")), null);
  assertEquals(engine.call(name, [binary], [binary.subarray(0, 0), binary], quietHost), [
    binary,
    new Uint8Array(0),
    binary,
  ]);
});

Deno.test("redis.call sends many arguments, numbers as %.17g, and gets statuses of any text", () => {
  let seen: string[] = [];
  const statuses = ["OK", "", "caf\u00e9", "x".repeat(300), "tab\there", "a\0b", "l1\nl2"];
  let status = "";
  const host: LuaHost = {
    call: (argv) => {
      seen = argv.map((a) => new TextDecoder().decode(a));
      return { status };
    },
  };
  for (status of statuses) {
    // The result conversion cuts a status at NUL and turns CR / LF into spaces, as Redis does.
    const shown = status.split("\0")[0].replace(/[\r\n]/g, " ");
    assertEquals(run("return redis.call('ping')", host), { status: shown });
    assertEquals(run("return redis.call('ping').ok", host), bytes(status));
  }
  // 30 arguments are 94 request parts (past the 64 written as io.write's arguments).
  const many = Array.from({ length: 30 }, (_, i) => `v${i}`);
  run(`return redis.call(${many.map((v) => `'${v}'`).join(", ")})`, host);
  assertEquals(seen, many);
  // -z is a true -0 (the compiler folds the literal -0 into 0).
  run("local z = 0 return redis.call('x', 0, -z, 1, 5, 4096, 4097, 1.5, -7, 1e20, 1/0)", host);
  assertEquals(seen, ["x", "0", "-0", "1", "5", "4096", "4097", "1.5", "-7", "1e+20", "inf"]);
});

Deno.test("integer results and lengths read the same below and above the number caches", () => {
  assertEquals(run("return {0, -0, 1, 4096, 4097, -5, 123456789012}"), [
    0n,
    0n,
    1n,
    4096n,
    4097n,
    -5n,
    123456789012n,
  ]);
  const host: LuaHost = { call: (argv) => BigInt(new TextDecoder().decode(argv[1])) };
  for (const value of ["0", "7", "4096", "4097", "123456", "-12"]) {
    assertEquals(run(`return redis.call('get', '${value}') + 1`, host), BigInt(value) + 1n);
  }
  const long = "y".repeat(5000);
  assertEquals(run("return {ARGV[1], #ARGV[1]}", quietHost, [], [long]), [bytes(long), 5000n]);
});

Deno.test("bulk replies of any bytes reach the script whole", () => {
  let reply: Uint8Array = new Uint8Array(0);
  const host: LuaHost = { call: () => reply };
  const cases = [
    "",
    "v",
    "a\0b",
    "a\nb",
    "\r\n",
    "\u00ff\u00fe",
    "z".repeat(256),
    "z".repeat(257),
    "z".repeat(5000) + "\n",
  ];
  for (const text of cases) {
    reply = bytes(text);
    assertEquals(run("local v = redis.call('get', 'k') return {v, #v}", host), [
      reply,
      BigInt(reply.length),
    ]);
  }
  reply = new Uint8Array([0x80, 0x0d, 0xff, 0x01]);
  assertEquals(run("return redis.call('get', 'k')", host), reply);
});
