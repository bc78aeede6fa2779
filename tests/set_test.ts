// Tests for sets: the engine module (wasm/assembly/set.ts) through its binding
// (core/engine/set.ts), then the commands (core/commands/sets.ts) run in process.
//
// Engine tests cover valid data (every encoding, the transitions between them at Redis 7.0's
// thresholds, large sets), invalid data (wrong types), data turning invalid (emptied sets,
// expired keys), and memory: freeing returns every byte, and an OOM leaves the key as it was.
// After each mutation the engine's own invariant walk (setCheck) must pass.

import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { latin1 } from "../core/bytes.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { Engine, OutOfMemoryError, WrongTypeError } from "../core/engine/mod.ts";
import {
  setAdd,
  setAreMembers,
  setCardinality,
  setCheck,
  setEncoding,
  setInterCard,
  setIsMember,
  setMembers,
  setMove,
  SetOperation,
  setOperation,
  setPop,
  setRandomMembers,
  setRemove,
  setScan,
  setStore,
} from "../core/engine/set.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import { inProcessClient, inProcessServer, recordPropagated } from "./_support/in_process.ts";

const encoder = new TextEncoder();
const NOW_MS = 1_700_000_000_000;

function b(text: string): Uint8Array {
  return encoder.encode(text);
}

function all(texts: readonly string[]): Uint8Array[] {
  return texts.map(b);
}

function strings(members: readonly Uint8Array[] | null): string[] | null {
  return members === null ? null : members.map(latin1);
}

function sorted(members: readonly Uint8Array[] | null): string[] {
  return (strings(members) ?? []).sort();
}

function range(from: number, count: number, prefix = ""): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
}

const KEY = b("s");

function add(engine: Engine, members: readonly string[], key = KEY): number {
  const added = setAdd(engine, 0, key, all(members), NOW_MS);
  setCheck(engine, 0, key, NOW_MS);
  return added;
}

function encodingOf(engine: Engine, key = KEY): string {
  return setEncoding(engine, 0, key, NOW_MS);
}

// ── Engine: encodings ───────────────────────────────────────────────────────────────────

Deno.test("set engine: an all-integer set is an ascending intset that widens as needed", () => {
  const engine = Engine.create();
  strictEqual(add(engine, ["3", "1", "2", "-5", "1"]), 4);
  strictEqual(encodingOf(engine), "intset");
  deepStrictEqual(strings(setMembers(engine, 0, KEY, NOW_MS)), ["-5", "1", "2", "3"]);
  add(engine, ["70000"]); // 16 → 32 bits
  add(engine, ["-9223372036854775808", "9223372036854775807"]); // → 64 bits
  deepStrictEqual(strings(setMembers(engine, 0, KEY, NOW_MS)), [
    "-9223372036854775808",
    "-5",
    "1",
    "2",
    "3",
    "70000",
    "9223372036854775807",
  ]);
  strictEqual(encodingOf(engine), "intset");
  ok(setIsMember(engine, 0, KEY, b("70000"), NOW_MS));
  ok(!setIsMember(engine, 0, KEY, b("070000"), NOW_MS));
  strictEqual(setRemove(engine, 0, KEY, all(["70000", "-5", "4"]), NOW_MS), 2);
  setCheck(engine, 0, KEY, NOW_MS);
  strictEqual(setCardinality(engine, 0, KEY, NOW_MS), 5);
});

Deno.test("set engine: non-canonical integer text is a string member (hashtable)", () => {
  for (const text of ["007", "-0", "+1", "1.0", " 1", "", "9223372036854775808", "-"]) {
    const engine = Engine.create();
    add(engine, [text]);
    strictEqual(encodingOf(engine), "hashtable", `member ${JSON.stringify(text)}`);
    ok(setIsMember(engine, 0, KEY, b(text), NOW_MS));
  }
});

Deno.test("set engine: the intset turns hashtable at its 513th member or a string", () => {
  const engine = Engine.create();
  add(engine, range(0, 512));
  strictEqual(encodingOf(engine), "intset");
  add(engine, ["512"]);
  strictEqual(encodingOf(engine), "hashtable");
  strictEqual(setCardinality(engine, 0, KEY, NOW_MS), 513);
  setRemove(engine, 0, KEY, all(range(0, 500)), NOW_MS);
  strictEqual(encodingOf(engine), "hashtable", "no conversion back, as Redis");

  const mixed = b("mixed");
  add(engine, range(0, 10), mixed);
  add(engine, ["x"], mixed);
  strictEqual(encodingOf(engine, mixed), "hashtable");
  deepStrictEqual(sorted(setMembers(engine, 0, mixed, NOW_MS)), [...range(0, 10), "x"].sort());
});

Deno.test("set engine: small string sets stay packed until 128 members or a 65-byte member", () => {
  const engine = Engine.create();
  add(engine, range(0, 128, "m"));
  const packedBytes = engine.usedMemoryBytes();
  add(engine, ["m128"]); // 129 members: a real table
  ok(engine.usedMemoryBytes() > packedBytes, "the table costs more than the packed block");
  deepStrictEqual(sorted(setMembers(engine, 0, KEY, NOW_MS)), range(0, 129, "m").sort());

  const long = b("long");
  add(engine, ["a", "b"], long);
  add(engine, ["x".repeat(65)], long);
  ok(setIsMember(engine, 0, long, b("x".repeat(65)), NOW_MS));
  ok(setIsMember(engine, 0, long, b("a"), NOW_MS));
  strictEqual(encodingOf(engine, long), "hashtable");
});

Deno.test("set engine: binary members round-trip in every encoding", () => {
  const engine = Engine.create();
  const binary = new Uint8Array([0, 255, 13, 10, 0]);
  setAdd(engine, 0, KEY, [binary, b("1")], NOW_MS);
  deepStrictEqual(setMembers(engine, 0, KEY, NOW_MS)?.map((m) => [...m]).sort(), [
    [0, 255, 13, 10, 0],
    [49],
  ]);
  setAdd(engine, 0, KEY, all(range(0, 200, "z")), NOW_MS);
  setCheck(engine, 0, KEY, NOW_MS);
  ok(setIsMember(engine, 0, KEY, binary, NOW_MS));
});

Deno.test("set engine: a large set keeps its invariants through grow and shrink", () => {
  const engine = Engine.create();
  const members = range(0, 20_000, "member:");
  for (let i = 0; i < members.length; i += 1000) add(engine, members.slice(i, i + 1000));
  strictEqual(setCardinality(engine, 0, KEY, NOW_MS), 20_000);
  deepStrictEqual(
    setAreMembers(engine, 0, KEY, all(["member:0", "member:19999", "member:20000"]), NOW_MS),
    [true, true, false],
  );
  strictEqual(setRemove(engine, 0, KEY, all(members.slice(0, 19_990)), NOW_MS), 19_990);
  strictEqual(setCheck(engine, 0, KEY, NOW_MS), 10);
  deepStrictEqual(sorted(setMembers(engine, 0, KEY, NOW_MS)), members.slice(19_990).sort());
});

// ── Engine: key lifecycle and memory ────────────────────────────────────────────────────

Deno.test("set engine: emptied sets are deleted and every byte is given back", () => {
  const engine = Engine.create();
  const cycle = () => {
    for (const members of [range(0, 5), range(0, 5, "p"), range(0, 600, "t")]) {
      add(engine, members);
      strictEqual(setRemove(engine, 0, KEY, all(members), NOW_MS), members.length);
      strictEqual(engine.exists(0, KEY, NOW_MS), false);
    }
    add(engine, range(0, 300, "t"));
    strictEqual(setPop(engine, 0, KEY, 1000, NOW_MS)?.length, 300);
    strictEqual(engine.exists(0, KEY, NOW_MS), false);
    add(engine, range(0, 700, "t"));
    setMembers(engine, 0, KEY, NOW_MS);
    engine.del(0, KEY, NOW_MS);
  };
  cycle(); // the first round grows the staging region and the out buffer, which stay
  const baseline = engine.usedMemoryBytes();
  cycle();
  strictEqual(engine.usedMemoryBytes(), baseline);
});

Deno.test("set engine: wrong types are refused, missing keys read as empty", () => {
  const engine = Engine.create();
  engine.set(0, KEY, b("string"), 0, 0, NOW_MS);
  throws(() => setAdd(engine, 0, KEY, all(["a"]), NOW_MS), WrongTypeError);
  throws(() => setRemove(engine, 0, KEY, all(["a"]), NOW_MS), WrongTypeError);
  throws(() => setCardinality(engine, 0, KEY, NOW_MS), WrongTypeError);
  throws(() => setMembers(engine, 0, KEY, NOW_MS), WrongTypeError);
  throws(() => setOperation(engine, 0, [b("nokey"), KEY], SetOperation.Union, NOW_MS));
  const missing = b("missing");
  strictEqual(setCardinality(engine, 0, missing, NOW_MS), 0);
  strictEqual(setMembers(engine, 0, missing, NOW_MS), null);
  strictEqual(setPop(engine, 0, missing, 1, NOW_MS), null);
  strictEqual(setScan(engine, 0, missing, 0, 10, NOW_MS), null);
  ok(!setIsMember(engine, 0, missing, b("a"), NOW_MS));
});

Deno.test("set engine: an expired set reads as missing and is replaced by SADD", () => {
  const engine = Engine.create();
  add(engine, ["a", "b"]);
  engine.setExpireAtMs(0, KEY, NOW_MS + 10, NOW_MS);
  strictEqual(setCardinality(engine, 0, KEY, NOW_MS + 11), 0);
  strictEqual(setAdd(engine, 0, KEY, all(["c"]), NOW_MS + 11), 1);
  deepStrictEqual(strings(setMembers(engine, 0, KEY, NOW_MS + 11)), ["c"]);
  strictEqual(engine.getExpireAtMs(0, KEY, NOW_MS + 11), -1);
});

Deno.test("set engine: COPY deep-copies every encoding; RENAME moves the value", () => {
  const engine = Engine.create();
  const sources = [range(0, 10), range(0, 10, "p"), range(0, 300, "t")];
  for (const [index, members] of sources.entries()) {
    const source = b(`src${index}`);
    const copy = b(`copy${index}`);
    add(engine, members, source);
    strictEqual(engine.copy(0, source, 0, copy, false, NOW_MS), 1);
    setRemove(engine, 0, source, all([members[0]]), NOW_MS);
    strictEqual(setCardinality(engine, 0, copy, NOW_MS), members.length);
    strictEqual(setCheck(engine, 0, copy, NOW_MS), members.length);
    strictEqual(encodingOf(engine, copy), encodingOf(engine, source));
  }
  strictEqual(engine.rename(0, b("copy2"), 0, b("moved"), false, NOW_MS), 1);
  strictEqual(setCardinality(engine, 0, b("moved"), NOW_MS), 300);
});

Deno.test("set engine: OOM leaves the set exactly as it was", () => {
  for (const initial of [range(0, 20), range(0, 20, "p"), range(0, 200, "t")]) {
    const engine = Engine.create();
    add(engine, initial);
    const before = sorted(setMembers(engine, 0, KEY, NOW_MS));
    const encodingBefore = encodingOf(engine);
    engine.setMaxPages(engine.pageCount());
    // Fill the remaining pages with string keys so the next set growth fails.
    let filled = 0;
    try {
      for (;; filled++) engine.set(0, b(`filler:${filled}`), new Uint8Array(2000), 0, 0, NOW_MS);
    } catch (error) {
      ok(error instanceof OutOfMemoryError);
    }
    let failures = 0;
    for (let round = 0; round < 20; round++) {
      const extra = range(round * 1000, 600, "big-member-with-a-long-name:");
      try {
        setAdd(engine, 0, KEY, all(extra), NOW_MS);
      } catch (error) {
        ok(error instanceof OutOfMemoryError);
        failures++;
        break;
      }
    }
    strictEqual(failures, 1, "SADD reached the page ceiling");
    setCheck(engine, 0, KEY, NOW_MS);
    const after = sorted(setMembers(engine, 0, KEY, NOW_MS));
    ok(after.length >= before.length);
    if (after.length === before.length) {
      deepStrictEqual(after, before);
      strictEqual(encodingOf(engine), encodingBefore);
    }
  }
});

Deno.test("set engine: a failed SADD into a new key leaves no key behind", () => {
  const engine = Engine.create();
  engine.setMaxPages(engine.pageCount());
  let filled = 0;
  try {
    for (;; filled++) engine.set(0, b(`filler:${filled}`), new Uint8Array(4000), 0, 0, NOW_MS);
  } catch (error) {
    ok(error instanceof OutOfMemoryError);
  }
  const fresh = b("fresh");
  throws(
    () => setAdd(engine, 0, fresh, all(range(0, 5000, "a-long-member-name:")), NOW_MS),
    OutOfMemoryError,
  );
  strictEqual(engine.exists(0, fresh, NOW_MS), false);
});

// ── Engine: random members, SPOP, SMOVE ─────────────────────────────────────────────────

Deno.test("set engine: SRANDMEMBER draws members, distinct when unique", () => {
  for (const members of [range(0, 50), range(0, 50, "p"), range(0, 3000, "t")]) {
    const engine = Engine.create();
    add(engine, members);
    const universe = new Set(members);
    for (const count of [1, 2, 10, 40, 49, 50, 51, 5000]) {
      const drawn = strings(setRandomMembers(engine, 0, KEY, count, true, NOW_MS))!;
      strictEqual(drawn.length, Math.min(count, members.length));
      strictEqual(new Set(drawn).size, drawn.length, "distinct");
      ok(drawn.every((m) => universe.has(m)));
      const repeated = strings(setRandomMembers(engine, 0, KEY, count, false, NOW_MS))!;
      strictEqual(repeated.length, count);
      ok(repeated.every((m) => universe.has(m)));
    }
    setCheck(engine, 0, KEY, NOW_MS); // no drawn marks left in table nodes
  }
});

Deno.test("set engine: SRANDMEMBER reaches every member", () => {
  const engine = Engine.create();
  add(engine, range(0, 300, "t"));
  const seen = new Set<string>();
  // 10,000 fair draws miss one of 300 members with probability ~300·e^-33.
  for (let round = 0; round < 200; round++) {
    for (const m of strings(setRandomMembers(engine, 0, KEY, 50, false, NOW_MS))!) seen.add(m);
  }
  strictEqual(seen.size, 300);
});

Deno.test("set engine: SPOP removes exactly what it returns", () => {
  for (const members of [range(0, 100), range(0, 100, "p"), range(0, 1000, "t")]) {
    const engine = Engine.create();
    add(engine, members);
    const remaining = new Set(members);
    for (const count of [1, 3, 30, 500]) {
      const popped = strings(setPop(engine, 0, KEY, count, NOW_MS)) ?? [];
      strictEqual(new Set(popped).size, popped.length);
      for (const m of popped) ok(remaining.delete(m), `popped ${m} once`);
      if (remaining.size > 0) setCheck(engine, 0, KEY, NOW_MS);
      deepStrictEqual(sorted(setMembers(engine, 0, KEY, NOW_MS)), [...remaining].sort());
    }
  }
});

Deno.test("set engine: SPOP of most of a hashtable of integers rebuilds it as an intset", () => {
  const engine = Engine.create();
  add(engine, range(0, 700));
  strictEqual(encodingOf(engine), "hashtable");
  strictEqual(setPop(engine, 0, KEY, 600, NOW_MS)?.length, 600);
  strictEqual(encodingOf(engine), "intset");
  strictEqual(setCheck(engine, 0, KEY, NOW_MS), 100);
});

Deno.test("set engine: SMOVE between encodings, creating and deleting keys", () => {
  const engine = Engine.create();
  const src = b("src");
  const dst = b("dst");
  add(engine, ["1", "x"], src);
  strictEqual(setMove(engine, 0, src, dst, b("1"), NOW_MS), 1);
  strictEqual(encodingOf(engine, dst), "intset");
  strictEqual(setMove(engine, 0, src, dst, b("nope"), NOW_MS), 0);
  strictEqual(setMove(engine, 0, src, src, b("x"), NOW_MS), 2);
  strictEqual(setMove(engine, 0, src, dst, b("x"), NOW_MS), 1);
  strictEqual(engine.exists(0, src, NOW_MS), false);
  deepStrictEqual(sorted(setMembers(engine, 0, dst, NOW_MS)), ["1", "x"]);
  strictEqual(encodingOf(engine, dst), "hashtable");
  add(engine, ["x"], src);
  strictEqual(setMove(engine, 0, src, dst, b("x"), NOW_MS), 2);
  strictEqual(engine.exists(0, src, NOW_MS), false);
  engine.set(0, b("str"), b("v"), 0, 0, NOW_MS);
  throws(() => setMove(engine, 0, dst, b("str"), b("x"), NOW_MS), WrongTypeError);
  strictEqual(setMove(engine, 0, b("missing"), b("str"), b("x"), NOW_MS), 0);
});

// ── Engine: multi-set operations and SSCAN ──────────────────────────────────────────────

Deno.test("set engine: SINTER, SUNION, SDIFF and SINTERCARD", () => {
  const engine = Engine.create();
  const a = b("a");
  const c = b("c");
  const t = b("t");
  add(engine, ["1", "2", "3", "4"], a);
  add(engine, ["3", "4", "5", "x"], c);
  add(engine, range(0, 500, "t").concat(["3", "4"]), t);
  const op = (keys: Uint8Array[], kind: SetOperation) =>
    strings(setOperation(engine, 0, keys, kind, NOW_MS))!;
  deepStrictEqual(op([a, c], SetOperation.Inter), ["3", "4"]);
  deepStrictEqual(op([a, c, t], SetOperation.Inter).sort(), ["3", "4"]);
  deepStrictEqual(op([a, b("missing")], SetOperation.Inter), []);
  deepStrictEqual(op([a, c], SetOperation.Union).sort(), ["1", "2", "3", "4", "5", "x"]);
  deepStrictEqual(op([a, c], SetOperation.Diff), ["1", "2"]);
  deepStrictEqual(op([c, a], SetOperation.Diff).sort(), ["5", "x"]);
  deepStrictEqual(op([a, a], SetOperation.Diff), []);
  deepStrictEqual(op([b("missing"), a], SetOperation.Diff), []);
  strictEqual(op([t, a], SetOperation.Union).length, 504);
  strictEqual(setInterCard(engine, 0, [a, c, t], 0, NOW_MS), 2);
  strictEqual(setInterCard(engine, 0, [a, c, t], 1, NOW_MS), 1);
  strictEqual(setInterCard(engine, 0, [t, t], 0, NOW_MS), 502);
});

Deno.test("set engine: STORE replaces any type, clears the TTL, deletes on empty", () => {
  const engine = Engine.create();
  const a = b("a");
  const c = b("c");
  const dst = b("dst");
  add(engine, ["1", "2", "3"], a);
  add(engine, ["2", "3", "x"], c);
  engine.set(0, dst, b("string"), NOW_MS + 100_000, 0, NOW_MS);
  deepStrictEqual(setStore(engine, 0, dst, [a, c], SetOperation.Inter, NOW_MS), {
    size: 2,
    dstChanged: true,
  });
  strictEqual(encodingOf(engine, dst), "intset");
  strictEqual(engine.getExpireAtMs(0, dst, NOW_MS), -1);
  setStore(engine, 0, dst, [a, c], SetOperation.Union, NOW_MS);
  strictEqual(encodingOf(engine, dst), "hashtable");
  strictEqual(setCheck(engine, 0, dst, NOW_MS), 4);
  deepStrictEqual(setStore(engine, 0, dst, [a, a], SetOperation.Diff, NOW_MS), {
    size: 0,
    dstChanged: true,
  });
  strictEqual(engine.exists(0, dst, NOW_MS), false);
  deepStrictEqual(setStore(engine, 0, dst, [a, a], SetOperation.Diff, NOW_MS), {
    size: 0,
    dstChanged: false,
  });
  // The destination may be one of the sources.
  setStore(engine, 0, a, [a, c], SetOperation.Union, NOW_MS);
  deepStrictEqual(sorted(setMembers(engine, 0, a, NOW_MS)), ["1", "2", "3", "x"]);
});

Deno.test("set engine: SSCAN covers a table across resizes between calls", () => {
  const engine = Engine.create();
  const members = range(0, 5000, "m");
  add(engine, members);
  const seen = new Set<string>();
  let cursor = 0;
  let calls = 0;
  do {
    const page = setScan(engine, 0, KEY, cursor, 37, NOW_MS)!;
    for (const m of strings(page.members)!) seen.add(m);
    cursor = page.cursor;
    calls++;
    // Grow, then shrink, the table while the scan is under way.
    if (calls === 20) add(engine, range(0, 20_000, "extra"));
    if (calls === 60) setRemove(engine, 0, KEY, all(range(0, 20_000, "extra")), NOW_MS);
  } while (cursor !== 0);
  ok(calls > 10, "a table answers in pages");
  for (const m of members) ok(seen.has(m), `missed ${m}`);

  const small = b("small");
  add(engine, range(0, 20), small);
  const page = setScan(engine, 0, small, 12345, 1, NOW_MS)!;
  strictEqual(page.cursor, 0);
  deepStrictEqual(strings(page.members), range(0, 20).sort((x, y) => Number(x) - Number(y)));
});

// ── Commands ────────────────────────────────────────────────────────────────────────────

/** One in-process server and client; `run` executes a command and returns its reply text. */
function commandHarness() {
  const { state, table } = inProcessServer();
  const writer = new ReplyWriter();
  const client = inProcessClient(1, writer);
  const propagated = recordPropagated(state, latin1);
  const run = (...args: string[]): string => {
    writer.reset();
    const pending = executeCommand(table, state, client, args.map(b));
    ok(pending === undefined, "set commands never wait");
    return latin1(writer.view());
  };
  return { state, client, run, propagated };
}

Deno.test("set commands: replies and errors", () => {
  const { run } = commandHarness();
  strictEqual(run("SADD", "s", "3", "1", "2"), ":3\r\n");
  strictEqual(run("SMEMBERS", "s"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  strictEqual(run("SMISMEMBER", "s", "1", "9"), "*2\r\n:1\r\n:0\r\n");
  strictEqual(run("SINTERCARD", "0", "s"), "-ERR numkeys should be greater than 0\r\n");
  strictEqual(run("SPOP", "s", "-1"), "-ERR value is out of range, must be positive\r\n");
  strictEqual(
    run("SSCAN", "s", "0", "MATCH", "[12]"),
    "*2\r\n$1\r\n0\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n",
  );
  strictEqual(run("SET", "str", "x"), "+OK\r\n");
  strictEqual(
    run("SADD", "str", "a"),
    "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
  );
  strictEqual(run("OBJECT", "ENCODING", "s"), "$6\r\nintset\r\n");
  strictEqual(run("TYPE", "s"), "+set\r\n");
  strictEqual(run("HELLO", "3").startsWith("%"), true);
  strictEqual(run("SUNION", "s"), "~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  strictEqual(run("SRANDMEMBER", "s", "9"), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
});

Deno.test("set commands: SPOP propagates as SREM of the popped members", () => {
  const { run, propagated } = commandHarness();
  run("SADD", "s", "a", "b", "c", "d");
  propagated.length = 0;
  const reply = run("SPOP", "s", "2");
  const popped = [...reply.matchAll(/\$1\r\n(\w)\r\n/g)].map((m) => m[1]);
  strictEqual(popped.length, 2);
  deepStrictEqual(propagated, [["SREM", "s", ...popped]]);
  propagated.length = 0;
  run("SPOP", "s", "0");
  run("SPOP", "missing");
  run("SREM", "s", "nothing");
  deepStrictEqual(propagated, [], "no change, nothing propagated");
  run("SADD", "s", "z");
  deepStrictEqual(propagated, [["SADD", "s", "z"]]);
});

Deno.test("set commands: writes invalidate WATCH, reads and no-ops do not", () => {
  const { state, run, client } = commandHarness();
  run("SADD", "s", "a");
  const dirty = state.dirty;
  run("SADD", "s", "a");
  run("SREM", "s", "zz");
  run("SMOVE", "s", "s", "a");
  run("SINTER", "s");
  strictEqual(state.dirty, dirty);
  run("WATCH", "d");
  run("SUNIONSTORE", "d", "s");
  strictEqual(client.watchDirty, true);
  ok(state.dirty > dirty);
});
