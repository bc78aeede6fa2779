// List tests that a differential run cannot show: the engine's node chain against a JS model
// under long random operation sequences (with every structural invariant checked through
// listCheck), allocation failure leaving lists unchanged, memory given back on delete, deep
// copies, and at the command level the replies, keyModified signalling and the propagated forms
// of non-deterministic commands.

import assert from "node:assert/strict";
import { Engine, OutOfMemoryError, WrongTypeError } from "../core/engine/mod.ts";
import {
  listCheck,
  listEncoding,
  listIndex,
  listInsert,
  listLength,
  listPop,
  listPos,
  listPush,
  listRange,
  listRemove,
  listSet,
  listSetFill,
  listSetPackedThreshold,
  ListSetResult,
  listTrim,
  PACKED_THRESHOLD_MAX_BYTES,
} from "../core/engine/list.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import type { ServerState } from "../core/state/server_state.ts";
import { seededRandom } from "./_support/differential.ts";
import { inProcessClient, inProcessServer, recordPropagated } from "./_support/in_process.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const texts = (values: Uint8Array[]) => values.map((v) => decoder.decode(v));
const NOW = 1_700_000_000_000;

function pushTexts(engine: Engine, key: string, values: string[], toTail = true): number {
  return listPush(engine, 0, bytes(key), values.map(bytes), toTail, false, NOW);
}

function rangeTexts(engine: Engine, key: string): string[] {
  return texts(listRange(engine, 0, bytes(key), 0n, -1n, NOW));
}

Deno.test("list engine: push, pop, range and length at both ends", () => {
  const engine = Engine.create();
  assert.equal(pushTexts(engine, "l", ["a", "b", "c"]), 3);
  assert.equal(pushTexts(engine, "l", ["x", "y"], false), 5);
  assert.deepEqual(rangeTexts(engine, "l"), ["y", "x", "a", "b", "c"]);
  assert.deepEqual(texts(listPop(engine, 0, bytes("l"), false, 2, NOW)!), ["y", "x"]);
  assert.deepEqual(texts(listPop(engine, 0, bytes("l"), true, 1, NOW)!), ["c"]);
  assert.equal(listLength(engine, 0, bytes("l"), NOW), 2);
  assert.deepEqual(texts(listPop(engine, 0, bytes("l"), true, 10, NOW)!), ["b", "a"]);
  assert.equal(engine.exists(0, bytes("l"), NOW), false, "an emptied list deletes its key");
  assert.equal(listPop(engine, 0, bytes("l"), true, 1, NOW), null);
  assert.equal(listEncoding(engine, 0, bytes("l"), NOW), "quicklist");
});

Deno.test("list engine: entries of every length-field size round-trip", () => {
  const engine = Engine.create();
  const sizes = [0, 1, 127, 128, 129, 16383, 16384, 70000, 2_100_000];
  const values = sizes.map((size, i) => {
    const value = new Uint8Array(size);
    for (let j = 0; j < size; j++) value[j] = (i * 31 + j) & 0xff;
    return value;
  });
  listPush(engine, 0, bytes("l"), values, true, false, NOW);
  const back = listRange(engine, 0, bytes("l"), 0n, -1n, NOW);
  assert.deepEqual(back, values);
  for (let i = 0; i < sizes.length; i++) {
    assert.deepEqual(listIndex(engine, 0, bytes("l"), BigInt(-sizes.length + i), NOW), values[i]);
  }
  assert.ok(listCheck(engine, 0, bytes("l"), NOW) >= 3, "big elements get nodes of their own");
});

Deno.test("list engine: 100k pushes fill 8 KB nodes and LINDEX walks from the nearer end", () => {
  const engine = Engine.create();
  const count = 100_000;
  const batch: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    batch.push(bytes(`v${i}`));
    if (batch.length === 1000) {
      listPush(engine, 0, bytes("big"), batch, true, false, NOW);
      batch.length = 0;
    }
  }
  assert.equal(listLength(engine, 0, bytes("big"), NOW), count);
  const nodeCount = listCheck(engine, 0, bytes("big"), NOW);
  // ~8.9 bytes per entry on average, 8 KB nodes: a few hundred nodes, none tiny.
  assert.ok(nodeCount > 50 && nodeCount < 200, `node count ${nodeCount}`);
  for (const index of [0, 1, 4999, 50_000, 77_777, count - 1]) {
    assert.equal(
      decoder.decode(listIndex(engine, 0, bytes("big"), BigInt(index), NOW)!),
      `v${index}`,
    );
  }
  assert.equal(decoder.decode(listIndex(engine, 0, bytes("big"), -3n, NOW)!), `v${count - 3}`);
  assert.deepEqual(
    texts(listRange(engine, 0, bytes("big"), 49_998n, 50_001n, NOW)),
    ["v49998", "v49999", "v50000", "v50001"],
  );
  const used = engine.usedMemoryBytes();
  assert.ok(used < 1.6 * count * 10 + 2_000_000, `used ${used} bytes for ${count} elements`);
});

Deno.test("list engine: list-max-listpack-size shapes the nodes built from then on", () => {
  const engine = Engine.create();
  const small = Array.from({ length: 10 }, (_, i) => `e${i}`);
  pushTexts(engine, "default", small);
  assert.equal(listCheck(engine, 0, bytes("default"), NOW), 1, "-2: one 8 KB node");

  listSetFill(engine, 3);
  pushTexts(engine, "three", small);
  assert.equal(listCheck(engine, 0, bytes("three"), NOW), 4, "3 per node: 3+3+3+1");
  assert.equal(listCheck(engine, 0, bytes("default"), NOW), 1, "earlier lists keep their nodes");
  // An insert into a full node splits it; every node still holds at most 3.
  listInsert(engine, 0, bytes("three"), false, bytes("e4"), bytes("mid"), NOW);
  assert.deepEqual(rangeTexts(engine, "three"), [
    ...small.slice(0, 4),
    "mid",
    ...small.slice(4),
  ]);
  assert.ok(listCheck(engine, 0, bytes("three"), NOW) >= 4);

  listSetFill(engine, 1);
  pushTexts(engine, "one", small);
  assert.equal(listCheck(engine, 0, bytes("one"), NOW), 10);
  listSetFill(engine, 0);
  pushTexts(engine, "zero", small.slice(0, 4));
  assert.equal(listCheck(engine, 0, bytes("zero"), NOW), 4, "0 keeps no two elements together");

  // Byte caps: 1000 elements of 100 bytes (102 packed) are ~100 KB.
  const hundred = Array.from({ length: 1000 }, (_, i) => String(i).padStart(100, "x"));
  const nodesAt = (fill: number): number => {
    listSetFill(engine, fill);
    const key = `bytes${fill}`;
    pushTexts(engine, key, hundred);
    assert.deepEqual(rangeTexts(engine, key), hundred);
    return listCheck(engine, 0, bytes(key), NOW);
  };
  const counts = [-1, -2, -3, -4, -5].map(nodesAt);
  // 4/8/16/32/64 KB nodes (16-byte header) of 40/80/160/321/642 elements.
  assert.deepEqual(counts, [25, 13, 7, 4, 2]);
  assert.equal(nodesAt(-6), 1000, "below -5 no second element fits (as in Redis)");
  assert.equal(nodesAt(128), 13, "a count fill is still capped at 8 KB");
  listSetFill(engine, -2);
});

Deno.test("list engine: elements at the packed threshold get nodes of their own", () => {
  const engine = Engine.create();
  listSetPackedThreshold(engine, 10);
  pushTexts(engine, "l", ["a", "b", "x".repeat(10), "c", "y".repeat(20), "d", "e"]);
  // [a b] [xxxxxxxxxx] [c] [yyyy…] [d e]
  assert.equal(listCheck(engine, 0, bytes("l"), NOW), 5);
  // LSET of a large value into a shared node moves it out; a small one back into a plain node
  // replaces in place.
  assert.equal(listSet(engine, 0, bytes("l"), 0n, bytes("z".repeat(12)), NOW), ListSetResult.Done);
  assert.equal(listSet(engine, 0, bytes("l"), 2n, bytes("small"), NOW), ListSetResult.Done);
  assert.deepEqual(rangeTexts(engine, "l"), [
    "z".repeat(12),
    "b",
    "small",
    "c",
    "y".repeat(20),
    "d",
    "e",
  ]);
  listCheck(engine, 0, bytes("l"), NOW);
  listSetPackedThreshold(engine, 0);
  pushTexts(engine, "m", ["a", "x".repeat(10), "b"]);
  assert.equal(listCheck(engine, 0, bytes("m"), NOW), 1, "0 restores the 1 GB default");
  assert.throws(() => listSetPackedThreshold(engine, PACKED_THRESHOLD_MAX_BYTES + 1), RangeError);
  assert.throws(() => listSetFill(engine, 2 ** 31), RangeError);
});

Deno.test("list engine: random operations agree with an array model", () => {
  const random = seededRandom(20261125);
  const engine = Engine.create();
  const key = bytes("m");
  let model: Uint8Array[] = [];
  const element = (): Uint8Array => {
    const roll = random();
    const size = roll < 0.7
      ? Math.floor(random() * 4)
      : roll < 0.95
      ? Math.floor(random() * 400)
      : 5000 + Math.floor(random() * 12000);
    const value = new Uint8Array(size);
    value.fill(97 + Math.floor(random() * 3));
    return value;
  };
  const index = () => BigInt(Math.floor(random() * (model.length * 2 + 4)) - model.length - 2);
  const normalize = (i: bigint) => {
    const n = Number(i);
    return n < 0 ? n + model.length : n;
  };
  const same = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.every((byte, i) => byte === b[i]);
  // Node shapes change under the list now and then (CONFIG SET list-max-listpack-size, DEBUG
  // QUICKLIST-PACKED-THRESHOLD), so nodes built under different limits sit side by side.
  const fills = [-2, -1, -5, 0, 1, 3, 128];
  const thresholds = [0, 0, 1, 3, 300];
  for (let step = 0; step < 20_000; step++) {
    if (step % 1000 === 999) {
      listSetFill(engine, fills[Math.floor(random() * fills.length)]);
      listSetPackedThreshold(engine, thresholds[Math.floor(random() * thresholds.length)]);
    }
    const op = Math.floor(random() * 9);
    if (op === 0 || op === 1) {
      const values = Array.from({ length: 1 + Math.floor(random() * 30) }, element);
      const toTail = op === 1;
      listPush(engine, 0, key, values, toTail, false, NOW);
      if (toTail) model.push(...values);
      else for (const value of values) model.unshift(value);
    } else if (op === 2) {
      const fromTail = random() < 0.5;
      const count = Math.floor(random() * 40);
      const popped = listPop(engine, 0, key, fromTail, count, NOW);
      if (model.length === 0) assert.equal(popped, null);
      else {
        const expected = fromTail
          ? model.splice(Math.max(0, model.length - count)).reverse()
          : model.splice(0, count);
        assert.deepEqual(popped, expected);
      }
    } else if (op === 3 && model.length > 0) {
      const i = index();
      const value = element();
      const at = normalize(i);
      const result = listSet(engine, 0, key, i, value, NOW);
      if (at >= 0 && at < model.length) {
        assert.equal(result, ListSetResult.Done);
        model[at] = value;
      } else assert.equal(result, ListSetResult.OutOfRange);
    } else if (op === 4 && model.length > 0) {
      const pivot = model[Math.floor(random() * model.length)];
      const after = random() < 0.5;
      const value = element();
      const length = listInsert(engine, 0, key, after, pivot, value, NOW);
      const at = model.findIndex((v) => same(v, pivot));
      model.splice(after ? at + 1 : at, 0, value);
      assert.equal(length, model.length);
    } else if (op === 5 && model.length > 0) {
      const needle = model[Math.floor(random() * model.length)];
      const count = BigInt(Math.floor(random() * 7) - 3);
      const removed = listRemove(engine, 0, key, count, needle, NOW);
      let expectedRemoved = 0;
      if (count >= 0n) {
        model = model.filter((v) => {
          if ((count === 0n || expectedRemoved < Number(count)) && same(v, needle)) {
            expectedRemoved++;
            return false;
          }
          return true;
        });
      } else {
        model = model.reverse().filter((v) => {
          if (expectedRemoved < -Number(count) && same(v, needle)) {
            expectedRemoved++;
            return false;
          }
          return true;
        }).reverse();
      }
      assert.equal(removed, expectedRemoved);
    } else if (op === 6 && random() < 0.2) {
      const start = index();
      const stop = index();
      listTrim(engine, 0, key, start, stop, NOW);
      let s = normalize(start);
      let e = normalize(stop);
      if (s < 0) s = 0;
      if (s > e || s >= model.length) model = [];
      else {
        if (e >= model.length) e = model.length - 1;
        model = model.slice(s, e + 1);
      }
    } else if (op === 7 && model.length > 0) {
      const needle = model[Math.floor(random() * model.length)];
      const rank = BigInt(
        random() < 0.5 ? 1 + Math.floor(random() * 3) : -1 - Math.floor(random() * 3),
      );
      const positions = listPos(engine, 0, key, needle, rank, 0n, 0n, NOW)!;
      const matches = model.flatMap((v, i) => same(v, needle) ? [i] : []);
      const ordered = rank > 0n ? matches : matches.reverse();
      assert.deepEqual(positions, ordered.slice(Math.abs(Number(rank)) - 1));
    } else if (op === 8 && model.length > 0) {
      const start = index();
      const stop = index();
      let s = normalize(start);
      const e = normalize(stop);
      if (s < 0) s = 0;
      const expected = s > e || s >= model.length
        ? []
        : model.slice(s, Math.min(e, model.length - 1) + 1);
      assert.deepEqual(listRange(engine, 0, key, start, stop, NOW), expected);
    }
    assert.equal(listLength(engine, 0, key, NOW), model.length, `step ${step}`);
    if (step % 50 === 0 || model.length < 20) listCheck(engine, 0, key, NOW);
  }
  assert.deepEqual(listRange(engine, 0, key, 0n, -1n, NOW), model);
});

Deno.test("list engine: out of memory leaves the list as it was", () => {
  const engine = Engine.create({ maxPages: 48 });
  const key = bytes("l");
  pushTexts(engine, "l", ["first", "second"]);
  const big = new Uint8Array(7000).fill(120);
  let lastGood = 2;
  assert.throws(() => {
    for (;;) {
      const batch = Array.from({ length: 50 }, () => big);
      lastGood = listPush(engine, 0, key, batch, true, false, NOW);
    }
  }, OutOfMemoryError);
  assert.equal(listLength(engine, 0, key, NOW), lastGood, "a failed push adds nothing");
  listCheck(engine, 0, key, NOW);
  assert.deepEqual(texts(listRange(engine, 0, key, 0n, 1n, NOW)), ["first", "second"]);
  // A failed push to a new key leaves no key behind.
  assert.throws(
    () => listPush(engine, 0, bytes("fresh"), [new Uint8Array(4_000_000)], true, false, NOW),
    OutOfMemoryError,
  );
  assert.equal(engine.exists(0, bytes("fresh"), NOW), false);
  // Removal needs no memory and gives it back: trim, then pushing works again. (A pop's reply
  // goes through the engine's out buffer, which may itself need to grow.)
  assert.equal(listTrim(engine, 0, key, 0n, 9n, NOW), true);
  assert.equal(pushTexts(engine, "l", ["again"]), 11);
  listCheck(engine, 0, key, NOW);
  assert.deepEqual(texts(listPop(engine, 0, key, false, 1, NOW)!), ["first"]);
});

Deno.test("list engine: DEL gives node memory back and COPY is a deep copy", () => {
  const engine = Engine.create();
  const values = Array.from({ length: 5000 }, (_, i) => bytes(`element number ${i}`));
  const cycle = () => {
    listPush(engine, 0, bytes("a"), values, true, false, NOW);
    assert.equal(engine.copy(0, bytes("a"), 0, bytes("b"), false, NOW), 1);
    listCheck(engine, 0, bytes("b"), NOW);
    listPop(engine, 0, bytes("a"), false, 4000, NOW);
    assert.equal(listLength(engine, 0, bytes("b"), NOW), 5000);
    assert.deepEqual(listRange(engine, 0, bytes("b"), 0n, -1n, NOW), values);
    engine.del(0, bytes("a"), NOW);
    engine.del(0, bytes("b"), NOW);
    return engine.usedMemoryBytes();
  };
  // The first cycle also grows the staging region and the out buffer, which the engine keeps.
  const afterFirst = cycle();
  assert.equal(cycle(), afterFirst, "every node is freed");
});

Deno.test("list engine: other types are WRONGTYPE, missing keys have defined answers", () => {
  const engine = Engine.create();
  engine.set(0, bytes("s"), bytes("v"), 0, 0, NOW);
  assert.throws(() => pushTexts(engine, "s", ["a"]), WrongTypeError);
  assert.throws(() => listRange(engine, 0, bytes("s"), 0n, -1n, NOW), WrongTypeError);
  assert.throws(() => listPop(engine, 0, bytes("s"), false, 1, NOW), WrongTypeError);
  assert.equal(listPush(engine, 0, bytes("none"), [bytes("a")], false, true, NOW), 0);
  assert.equal(engine.exists(0, bytes("none"), NOW), false);
  assert.equal(listInsert(engine, 0, bytes("none"), true, bytes("p"), bytes("e"), NOW), 0);
  assert.equal(listRemove(engine, 0, bytes("none"), 0n, bytes("e"), NOW), 0);
  assert.equal(listTrim(engine, 0, bytes("none"), 0n, 1n, NOW), false);
  assert.equal(listPos(engine, 0, bytes("none"), bytes("e"), 1n, 0n, 0n, NOW), null);
  assert.equal(listSet(engine, 0, bytes("none"), 0n, bytes("e"), NOW), ListSetResult.Missing);
  assert.equal(engine.typeOf(0, bytes("s"), NOW), 0);
  pushTexts(engine, "l", ["a"]);
  assert.equal(engine.typeOf(0, bytes("l"), NOW), 1);
});

// --- command level, without sockets ---

interface Harness {
  state: ServerState;
  run(...args: string[]): string;
  propagated: string[][];
}

function harness(): Harness {
  const { state, table } = inProcessServer();
  const writer = new ReplyWriter();
  const client = inProcessClient(1, writer);
  const propagated = recordPropagated(state, (arg) => decoder.decode(arg));
  return {
    state,
    propagated,
    run(...args: string[]): string {
      writer.reset();
      const pending = executeCommand(table, state, client, args.map(bytes));
      assert.equal(pending, undefined, "a served command completes synchronously");
      return decoder.decode(writer.view());
    },
  };
}

Deno.test("list commands: replies and keyModified for writes only", () => {
  const h = harness();
  assert.equal(h.run("RPUSH", "l", "a", "b", "c"), ":3\r\n");
  const dirty = h.state.dirty;
  assert.equal(h.run("LRANGE", "l", "0", "-1"), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  assert.equal(h.run("LPOS", "l", "c"), ":2\r\n");
  assert.equal(h.run("LREM", "l", "0", "zz"), ":0\r\n");
  assert.equal(h.run("LPUSHX", "missing", "a"), ":0\r\n");
  assert.equal(h.state.dirty, dirty, "reads and no-op writes change nothing");
  assert.equal(h.run("LSET", "l", "1", "B"), "+OK\r\n");
  assert.equal(h.state.dirty, dirty + 1);
  assert.equal(h.run("OBJECT", "ENCODING", "l"), "$9\r\nquicklist\r\n");
  assert.equal(h.run("TYPE", "l"), "+list\r\n");
});

Deno.test("list commands: LMPOP and served blocking pops propagate as LPOP/RPOP/LMOVE", () => {
  const h = harness();
  h.run("RPUSH", "l", "a", "b", "c", "d");
  h.propagated.length = 0;
  assert.equal(
    h.run("LMPOP", "2", "none", "l", "RIGHT", "COUNT", "2"),
    "*2\r\n$1\r\nl\r\n*2\r\n$1\r\nd\r\n$1\r\nc\r\n",
  );
  assert.equal(h.run("BLPOP", "none", "l", "0"), "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
  assert.equal(h.run("BLMOVE", "l", "dst", "LEFT", "RIGHT", "5"), "$1\r\nb\r\n");
  h.run("RPUSH", "l", "x");
  assert.equal(h.run("BRPOPLPUSH", "l", "dst", "0"), "$1\r\nx\r\n");
  h.run("RPUSH", "l", "y");
  assert.equal(h.run("BLMPOP", "0", "1", "l", "LEFT"), "*2\r\n$1\r\nl\r\n*1\r\n$1\r\ny\r\n");
  assert.deepEqual(h.propagated, [
    ["RPOP", "l", "2"],
    ["LPOP", "l"],
    ["LMOVE", "l", "dst", "LEFT", "RIGHT"],
    ["RPUSH", "l", "x"],
    ["RPOPLPUSH", "l", "dst"],
    ["RPUSH", "l", "y"],
    ["LPOP", "l", "1"],
  ]);
  // Deterministic commands replicate as they are.
  h.propagated.length = 0;
  h.run("LPOP", "dst", "1");
  assert.deepEqual(h.propagated, [["LPOP", "dst", "1"]]);
  // LMPOP replays the count it popped, not the COUNT asked for.
  h.propagated.length = 0;
  h.run("LMPOP", "1", "dst", "RIGHT", "COUNT", "10");
  assert.deepEqual(h.propagated, [["RPOP", "dst", "1"]]);
});

Deno.test("list commands: a woken BLPOP replies to its own client and propagates as LPOP", async () => {
  const { state, table } = inProcessServer();
  const waiter = inProcessClient(1);
  const pusher = inProcessClient(2);
  const propagated = recordPropagated(state, (arg) => decoder.decode(arg));
  const pending = executeCommand(table, state, waiter, ["BLPOP", "q", "0"].map(bytes));
  assert.ok(pending instanceof Promise, "BLPOP on an empty list blocks");
  assert.equal(state.blocking.blockedCount, 1);
  executeCommand(table, state, pusher, ["RPUSH", "q", "a", "b"].map(bytes));
  await pending;
  assert.equal(decoder.decode(pusher.writer.view()), ":2\r\n");
  assert.equal(decoder.decode(waiter.writer.view()), "*2\r\n$1\r\nq\r\n$1\r\na\r\n");
  assert.deepEqual(propagated, [["RPUSH", "q", "a", "b"], ["LPOP", "q"]]);
  assert.equal(state.blocking.blockedCount, 0);
});
