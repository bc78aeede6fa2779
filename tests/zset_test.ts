// Sorted sets below and beside the wire: the engine binding against a plain JS model (with the
// engine's own invariant check after every step, across both encodings and the conversion
// between them), out-of-memory atomicity, deep copies, ZSCAN's coverage guarantee on the
// skiplist's hash, ZRANDMEMBER's membership, the score parsers, and the command layer's
// side effects a differential test cannot see (replication of served BZPOPMIN, WATCH).

import assert from "node:assert/strict";
import { latin1, utf8 } from "../core/bytes.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { parseLexBound, parseScore, parseScoreBound } from "../core/commands/zset_args.ts";
import { Engine, OutOfMemoryError, WrongTypeError } from "../core/engine/mod.ts";
import {
  RANGE_MAXEX,
  RANGE_MINEX,
  RANGE_REV,
  RANGE_WITHSCORES,
  ZADD_CH,
  ZADD_INCR,
  ZADD_NX,
  ZADD_RESULT_NAN,
  ZADD_XX,
  zsetAdd,
  zsetCard,
  type ZsetElements,
  zsetEncoding,
  zsetPop,
  zsetRandom,
  zsetRange,
  ZsetRangeKind,
  ZsetRangeOp,
  zsetRank,
  zsetRemove,
  zsetResultScore,
  zsetScan,
  zsetScores,
  zsetStore,
  zsetVerify,
} from "../core/engine/zset.ts";
import type { ClientState } from "../core/sessions/client.ts";
import { seededRandom } from "./_support/differential.ts";
import { inProcessClient, inProcessServer } from "./_support/in_process.ts";

const NOW = 1_700_000_000_000;
const key = utf8("z");

/** A sorted-set model: member (latin1) → score, ordered on demand. */
class Model {
  readonly scores = new Map<string, number>();
  sorted(): [string, number][] {
    return [...this.scores.entries()].sort((a, b) =>
      a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
    );
  }
}

function texts(elements: ZsetElements): string[] {
  return elements.members.map(latin1);
}

function allElements(engine: Engine, k: Uint8Array): [string, number][] {
  const elements = zsetRange(engine, 0, k, {
    op: ZsetRangeOp.Emit,
    kind: ZsetRangeKind.Rank,
    flags: RANGE_WITHSCORES,
    a: 0,
    b: -1,
  }, NOW) as ZsetElements | null;
  if (elements === null) return [];
  return elements.members.map((m, i) => [latin1(m), elements.scores[i]]);
}

Deno.test("zset engine: random operations match a model in both encodings", () => {
  const engine = Engine.create();
  const random = seededRandom(20261125);
  const model = new Model();
  const memberPool = (n: number) => `m${Math.floor(random() * n)}`;
  let pool = 40;
  for (let step = 0; step < 6000; step++) {
    if (step === 2000) pool = 400; // grow past 128 elements: skiplist
    if (step === 4000) pool = 30; // shrink back by removals (the encoding stays skiplist)
    const r = random();
    if (r < 0.45) {
      const pairs = 1 + Math.floor(random() * 6);
      const members: Uint8Array[] = [];
      const scores: number[] = [];
      for (let i = 0; i < pairs; i++) {
        members.push(utf8(memberPool(pool)));
        scores.push(Math.floor(random() * 41) - 20);
      }
      const added = zsetAdd(engine, 0, key, scores, members, 0, NOW);
      let expected = 0;
      for (let i = 0; i < pairs; i++) {
        const m = latin1(members[i]);
        if (!model.scores.has(m)) expected++;
        model.scores.set(m, scores[i]);
      }
      assert.equal(added, expected);
    } else if (r < 0.7 || (step >= 4000 && r < 0.85)) {
      const members = [utf8(memberPool(pool)), utf8(memberPool(pool))];
      const removed = zsetRemove(engine, 0, key, members, NOW);
      let expected = 0;
      for (const m of members.map(latin1)) if (model.scores.delete(m)) expected++;
      assert.equal(removed, expected);
    } else if (r < 0.8) {
      const m = utf8(memberPool(pool));
      const result = zsetAdd(engine, 0, key, [0.5], [m], ZADD_INCR, NOW);
      assert.equal(result, 1);
      const next = (model.scores.get(latin1(m)) ?? 0) + 0.5;
      model.scores.set(latin1(m), next);
      assert.equal(zsetResultScore(engine), next);
    } else if (r < 0.9) {
      const min = Math.floor(random() * 41) - 20;
      const max = min + Math.floor(random() * 20);
      const count = zsetRange(engine, 0, key, {
        op: ZsetRangeOp.Count,
        kind: ZsetRangeKind.Score,
        flags: RANGE_MINEX,
        a: min,
        b: max,
      }, NOW);
      const expected = [...model.scores.values()].filter((s) => s > min && s <= max).length;
      assert.equal(count ?? 0, expected);
    } else {
      const m = memberPool(pool);
      const rank = zsetRank(engine, 0, key, utf8(m), false, NOW);
      const index = model.sorted().findIndex(([member]) => member === m);
      assert.equal(rank, index < 0 ? null : index);
    }
    if (model.scores.size === 0) assert.equal(engine.exists(0, key, NOW), false);
    else assert.equal(zsetVerify(engine, 0, key, NOW), model.scores.size);
    if (step % 250 === 0) assert.deepEqual(allElements(engine, key), model.sorted());
  }
  assert.deepEqual(allElements(engine, key), model.sorted());
});

Deno.test("zset engine: encodings switch at 128 entries and 64-byte members", () => {
  const engine = Engine.create();
  const members = Array.from({ length: 128 }, (_, i) => utf8(`m${i}`));
  zsetAdd(engine, 0, key, members.map((_, i) => i), members, 0, NOW);
  assert.equal(zsetEncoding(engine, 0, key, NOW), "listpack");
  zsetAdd(engine, 0, key, [1], [utf8("m0")], 0, NOW); // an update adds nothing
  assert.equal(zsetEncoding(engine, 0, key, NOW), "listpack");
  zsetAdd(engine, 0, key, [1], [utf8("new")], 0, NOW);
  assert.equal(zsetEncoding(engine, 0, key, NOW), "skiplist");
  assert.equal(zsetVerify(engine, 0, key, NOW), 129);
  const long = utf8("x".repeat(65));
  zsetAdd(engine, 0, utf8("v"), [1], [utf8("x".repeat(64))], 0, NOW);
  assert.equal(zsetEncoding(engine, 0, utf8("v"), NOW), "listpack");
  zsetAdd(engine, 0, utf8("v"), [1], [long], 0, NOW);
  assert.equal(zsetEncoding(engine, 0, utf8("v"), NOW), "skiplist");
  // Duplicates within one ZADD count once towards the limit.
  const dups = Array.from({ length: 127 }, (_, i) => utf8(`d${i}`));
  zsetAdd(engine, 0, utf8("d"), dups.map(() => 1), dups, 0, NOW);
  zsetAdd(engine, 0, utf8("d"), [1, 2, 3], [utf8("x"), utf8("x"), utf8("x")], 0, NOW);
  assert.equal(zsetEncoding(engine, 0, utf8("d"), NOW), "listpack");
  assert.equal(zsetCard(engine, 0, utf8("d"), NOW), 128);
});

Deno.test("zset engine: ranges by rank, score and lex on a large set", () => {
  const engine = Engine.create();
  const n = 5000;
  const members = Array.from({ length: n }, (_, i) => utf8(`k${String(i).padStart(5, "0")}`));
  zsetAdd(engine, 0, key, members.map((_, i) => i * 2), members, 0, NOW);
  const range = (spec: Parameters<typeof zsetRange>[3]) =>
    zsetRange(engine, 0, key, spec, NOW) as ZsetElements;
  assert.deepEqual(
    texts(range({ op: ZsetRangeOp.Emit, kind: ZsetRangeKind.Rank, flags: 0, a: 10, b: 12 })),
    ["k00010", "k00011", "k00012"],
  );
  assert.deepEqual(
    texts(range({ op: ZsetRangeOp.Emit, kind: ZsetRangeKind.Rank, flags: RANGE_REV, a: 0, b: 1 })),
    ["k04999", "k04998"],
  );
  const byScore = range({
    op: ZsetRangeOp.Emit,
    kind: ZsetRangeKind.Score,
    flags: RANGE_WITHSCORES | RANGE_MAXEX,
    a: 100,
    b: 110,
  });
  assert.deepEqual(texts(byScore), ["k00050", "k00051", "k00052", "k00053", "k00054"]);
  assert.deepEqual(byScore.scores, [100, 102, 104, 106, 108]);
  assert.equal(
    zsetRange(engine, 0, key, {
      op: ZsetRangeOp.Count,
      kind: ZsetRangeKind.Score,
      flags: 0,
      a: -Infinity,
      b: Infinity,
    }, NOW),
    n,
  );
  // All scores differ here, so make a lex set to test lex ranges.
  const lexKey = utf8("lex");
  zsetAdd(engine, 0, lexKey, members.map(() => 0), members, 0, NOW);
  const lexCount = zsetRange(engine, 0, lexKey, {
    op: ZsetRangeOp.Count,
    kind: ZsetRangeKind.Lex,
    flags: 0,
    lexMin: parseLexBound(utf8("[k01000"))!,
    lexMax: parseLexBound(utf8("(k02000"))!,
  }, NOW);
  assert.equal(lexCount, 1000);
  const removed = zsetRange(engine, 0, lexKey, {
    op: ZsetRangeOp.Delete,
    kind: ZsetRangeKind.Lex,
    flags: 0,
    lexMin: parseLexBound(utf8("-"))!,
    lexMax: parseLexBound(utf8("(k04000"))!,
  }, NOW);
  assert.equal(removed, 4000);
  assert.equal(zsetVerify(engine, 0, lexKey, NOW), 1000);
  assert.equal(zsetRank(engine, 0, lexKey, utf8("k04500"), false, NOW), 500);
  const popped = zsetPop(engine, 0, key, 3, true, NOW)!;
  assert.deepEqual(texts(popped), ["k04999", "k04998", "k04997"]);
  assert.equal(
    zsetRange(engine, 0, key, {
      op: ZsetRangeOp.Delete,
      kind: ZsetRangeKind.Rank,
      flags: 0,
      a: 0,
      b: 99,
    }, NOW),
    100,
  );
  assert.equal(zsetVerify(engine, 0, key, NOW), n - 103);
  assert.equal(zsetRank(engine, 0, key, utf8("k00100"), false, NOW), 0);
});

Deno.test("zset engine: ZADD flags and NaN", () => {
  const engine = Engine.create();
  const a = utf8("a");
  assert.equal(zsetAdd(engine, 0, key, [1], [a], ZADD_XX, NOW), 0);
  assert.equal(engine.exists(0, key, NOW), false);
  assert.equal(zsetAdd(engine, 0, key, [1], [a], ZADD_NX, NOW), 1);
  assert.equal(zsetAdd(engine, 0, key, [2], [a], ZADD_CH, NOW), 1);
  assert.equal(zsetAdd(engine, 0, key, [Infinity], [a], ZADD_INCR, NOW), 1);
  assert.equal(zsetAdd(engine, 0, key, [-Infinity], [a], ZADD_INCR, NOW), ZADD_RESULT_NAN);
  assert.deepEqual(zsetScores(engine, 0, key, [a, utf8("b")], NOW), [Infinity, null]);
  assert.equal(zsetScores(engine, 0, utf8("nokey"), [a], NOW), null);
  engine.set(0, utf8("s"), utf8("x"), 0, 0, NOW);
  assert.throws(() => zsetAdd(engine, 0, utf8("s"), [1], [a], 0, NOW), WrongTypeError);
  assert.throws(() => zsetCard(engine, 0, utf8("s"), NOW), WrongTypeError);
});

Deno.test("zset engine: out of memory leaves the key unchanged", () => {
  for (const startCount of [10, 127, 300]) {
    const engine = Engine.create({ maxPages: 64 });
    const members = Array.from({ length: startCount }, (_, i) => utf8(`base${i}`));
    zsetAdd(engine, 0, key, members.map((_, i) => i), members, 0, NOW);
    const before = allElements(engine, key);
    const encodingBefore = zsetEncoding(engine, 0, key, NOW);
    // Fill memory with strings until little is left.
    let fill = 0;
    try {
      for (;; fill++) engine.set(0, utf8(`filler${fill}`), new Uint8Array(2000), 0, 0, NOW);
    } catch (error) {
      assert.ok(error instanceof OutOfMemoryError);
    }
    let failed = false;
    for (let round = 0; round < 50 && !failed; round++) {
      const big = Array.from(
        { length: 2000 },
        (_, i) => utf8(`new${round}-${i}-${"y".repeat(40)}`),
      );
      try {
        zsetAdd(engine, 0, key, big.map((_, i) => i), big, 0, NOW);
        engine.del(0, key, NOW);
        zsetAdd(engine, 0, key, before.map(([, s]) => s), before.map(([m]) => utf8(m)), 0, NOW);
      } catch (error) {
        assert.ok(error instanceof OutOfMemoryError);
        failed = true;
      }
    }
    assert.ok(failed, "ZADD never ran out of memory");
    assert.deepEqual(allElements(engine, key), before);
    assert.equal(zsetEncoding(engine, 0, key, NOW), encodingBefore);
    assert.equal(zsetVerify(engine, 0, key, NOW), startCount);
    // A store that cannot be built leaves its destination alone too. The first fillers make
    // room for the destination itself: memory is full to the last page, and a small new value
    // needs a whole free page for its size class (100 × 2000 B frees at least one).
    for (let i = 0; i < Math.min(fill, 100); i++) engine.del(0, utf8(`filler${i}`), NOW);
    const dst = utf8("dst");
    zsetAdd(engine, 0, dst, [1], [utf8("keep")], 0, NOW);
    const huge = Array.from(
      { length: 3000 },
      (_, i) => utf8(`h${String(i).padStart(5, "0")}${"z".repeat(60)}`),
    );
    assert.throws(
      () => zsetStore(engine, 0, dst, huge, huge.map(() => 1), NOW),
      OutOfMemoryError,
    );
    assert.deepEqual(allElements(engine, dst), [["keep", 1]]);
  }
});

Deno.test("zset engine: COPY is deep in both encodings", () => {
  const engine = Engine.create();
  for (const n of [5, 300]) {
    const source = utf8(`src${n}`);
    const target = utf8(`dst${n}`);
    const members = Array.from({ length: n }, (_, i) => utf8(`m${i}`));
    zsetAdd(engine, 0, source, members.map((_, i) => i), members, 0, NOW);
    assert.equal(engine.copy(0, source, 0, target, false, NOW), 1);
    zsetRemove(engine, 0, target, [utf8("m0"), utf8("m1")], NOW);
    zsetAdd(engine, 0, target, [-1], [utf8("extra")], 0, NOW);
    assert.equal(zsetVerify(engine, 0, source, NOW), n);
    assert.equal(zsetVerify(engine, 0, target, NOW), n - 1);
    assert.equal(zsetEncoding(engine, 0, target, NOW), zsetEncoding(engine, 0, source, NOW));
    engine.del(0, source, NOW);
    assert.equal(zsetVerify(engine, 0, target, NOW), n - 1);
  }
});

Deno.test("zset engine: ZSCAN returns every element present throughout, across resizes", () => {
  const engine = Engine.create();
  const n = 2000;
  const members = Array.from({ length: n }, (_, i) => utf8(`s${i}`));
  zsetAdd(engine, 0, key, members.map((_, i) => i), members, 0, NOW);
  const seen = new Set<string>();
  let cursor = 0;
  let calls = 0;
  let extra = 0;
  do {
    const page = zsetScan(engine, 0, key, cursor, 50, NOW)!;
    page.elements.members.forEach((m, i) => {
      seen.add(latin1(m));
      assert.equal(page.elements.scores[i], Number(latin1(m).slice(1)) || 0);
    });
    cursor = page.cursor;
    calls++;
    // Grow (forcing a rehash) and shrink with members outside the original set.
    if (calls === 5) {
      const more = Array.from({ length: 3000 }, (_, i) => utf8(`x${extra++}-${i}`));
      zsetAdd(engine, 0, key, more.map(() => 0), more, 0, NOW);
    }
    if (calls === 20) {
      const all = allElements(engine, key).filter(([m]) => m.startsWith("x"));
      zsetRemove(engine, 0, key, all.map(([m]) => utf8(m)), NOW);
    }
  } while (cursor !== 0 && calls < 10_000);
  assert.equal(cursor, 0);
  for (const m of members) assert.ok(seen.has(latin1(m)), `ZSCAN missed ${latin1(m)}`);
  assert.equal(zsetVerify(engine, 0, key, NOW), n);
  // A listpack answers in one call, in order.
  const small = utf8("small");
  zsetAdd(engine, 0, small, [2, 1], [utf8("b"), utf8("a")], 0, NOW);
  const page = zsetScan(engine, 0, small, 0, 1, NOW)!;
  assert.equal(page.cursor, 0);
  assert.deepEqual(texts(page.elements), ["a", "b"]);
});

Deno.test("zset engine: ZRANDMEMBER picks members of the set", () => {
  const engine = Engine.create();
  for (const n of [10, 400]) {
    const k = utf8(`r${n}`);
    const members = Array.from({ length: n }, (_, i) => utf8(`m${i}`));
    zsetAdd(engine, 0, k, members.map((_, i) => i), members, 0, NOW);
    const all = new Set(members.map(latin1));
    const distinct = zsetRandom(engine, 0, k, 7, false, true, NOW)!;
    assert.equal(distinct.members.length, 7);
    assert.equal(new Set(texts(distinct)).size, 7);
    distinct.members.forEach((m, i) => {
      assert.ok(all.has(latin1(m)));
      assert.equal(distinct.scores[i], Number(latin1(m).slice(1)));
    });
    const most = zsetRandom(engine, 0, k, n - 1, false, false, NOW)!;
    assert.equal(new Set(texts(most)).size, n - 1);
    const repeats = zsetRandom(engine, 0, k, 50, true, false, NOW)!;
    assert.equal(repeats.members.length, 50);
    for (const m of repeats.members) assert.ok(all.has(latin1(m)));
    const whole = zsetRandom(engine, 0, k, n + 5, false, false, NOW)!;
    assert.deepEqual(texts(whole), members.map(latin1).reverse());
  }
});

Deno.test("zset score parsers follow strtod and string2d", () => {
  const score = (text: string) => parseScore(utf8(text));
  assert.equal(score("1.5"), 1.5);
  assert.equal(score("-inf"), -Infinity);
  assert.equal(score("+Infinity"), Infinity);
  assert.equal(score("0x10"), 16);
  assert.equal(score("0x1.8p1"), 3);
  assert.equal(score(".5"), 0.5);
  assert.equal(score("5."), 5);
  assert.equal(score("1e-310"), 1e-310);
  // "1e" and "0x": strtod converts "1" / "0" and leaves text behind.
  for (const bad of ["", " 1", "1 ", "nan", "1e400", "1e-400", "abc", "1e", "(1", "--1", "0x"]) {
    assert.equal(score(bad), null, bad);
  }
  const bound = (text: string) => parseScoreBound(utf8(text));
  assert.deepEqual(bound("(1"), { value: 1, exclusive: true });
  assert.deepEqual(bound(""), { value: 0, exclusive: false });
  assert.deepEqual(bound("("), { value: 0, exclusive: true });
  assert.deepEqual(bound(" 2"), { value: 2, exclusive: false });
  assert.deepEqual(bound("1e400"), { value: Infinity, exclusive: false });
  assert.equal(bound("(nan"), null);
  assert.equal(bound("1 "), null);
  assert.equal(parseLexBound(utf8("")), null);
  assert.equal(parseLexBound(utf8("+x")), null);
  assert.equal(parseLexBound(utf8("x")), null);
  assert.deepEqual(parseLexBound(utf8("[")), { kind: 0, value: new Uint8Array(0) });
});

// ── Command layer ───────────────────────────────────────────────────────────────────────

function harness() {
  const { state, table } = inProcessServer();
  const propagated: string[] = [];
  state.propagationListeners.push((_db, argv) =>
    propagated.push(argv.map((a) => typeof a === "string" ? a : latin1(a)).join(" "))
  );
  const client = () => inProcessClient(state.nextClientId());
  const run = async (c: ClientState, ...args: string[]): Promise<string> => {
    const mark = c.writer.lengthBytes;
    await executeCommand(table, state, c, args.map(utf8));
    return latin1(c.writer.view().subarray(mark));
  };
  return { state, propagated, client, run };
}

Deno.test("BZPOPMIN served by a later ZADD replicates as ZPOPMIN", async () => {
  const { propagated, client, run } = harness();
  const waiter = client();
  const writer = client();
  const pending = run(waiter, "BZPOPMIN", "a", "b", "0");
  assert.equal(waiter.blocked, true);
  assert.equal(await run(writer, "ZADD", "b", "1", "x", "2", "y"), ":2\r\n");
  assert.equal(await pending, "*3\r\n$1\r\nb\r\n$1\r\nx\r\n$1\r\n1\r\n");
  assert.deepEqual(propagated, ["ZADD b 1 x 2 y", "ZPOPMIN b"]);
  // Served at once: propagated the same way; a timeout propagates nothing.
  assert.equal(await run(writer, "BZPOPMAX", "b", "0"), "*3\r\n$1\r\nb\r\n$1\r\ny\r\n$1\r\n2\r\n");
  const timing = run(waiter, "BZPOPMAX", "none", "0.05");
  await run(writer, "SET", "other", "1");
  assert.equal(await timing, "*-1\r\n");
  assert.deepEqual(propagated, ["ZADD b 1 x 2 y", "ZPOPMIN b", "ZPOPMAX b", "SET other 1"]);
});

Deno.test("ZMPOP and a served BZMPOP replicate as ZPOPMIN/ZPOPMAX with the count popped", async () => {
  const { propagated, client, run } = harness();
  const waiter = client();
  const writer = client();
  await run(writer, "ZADD", "a", "1", "x", "2", "y", "3", "z");
  assert.equal(
    await run(writer, "ZMPOP", "2", "none", "a", "MAX", "COUNT", "2"),
    "*2\r\n$1\r\na\r\n*2\r\n*2\r\n$1\r\nz\r\n$1\r\n3\r\n*2\r\n$1\r\ny\r\n$1\r\n2\r\n",
  );
  const pending = run(waiter, "BZMPOP", "0", "1", "b", "MIN", "COUNT", "5");
  await run(writer, "ZADD", "b", "7", "q");
  assert.equal(await pending, "*2\r\n$1\r\nb\r\n*1\r\n*2\r\n$1\r\nq\r\n$1\r\n7\r\n");
  assert.deepEqual(propagated, [
    "ZADD a 1 x 2 y 3 z",
    "ZPOPMAX a 2",
    "ZADD b 7 q",
    "ZPOPMIN b 1", // COUNT 5 popped one: Redis replicates what was popped
  ]);
});

Deno.test("a blocked BZPOPMIN ignores keys of other types when served", async () => {
  const { client, run } = harness();
  const waiter = client();
  const writer = client();
  const pending = run(waiter, "BZPOPMIN", "s", "z", "0");
  await run(writer, "SET", "s", "v");
  assert.equal(waiter.blocked, true);
  await run(writer, "ZADD", "z", "5", "m");
  assert.equal(await pending, "*3\r\n$1\r\nz\r\n$1\r\nm\r\n$1\r\n5\r\n");
});

Deno.test("zset writes invalidate WATCH only when they change the set", async () => {
  const { client, run } = harness();
  const watcher = client();
  const other = client();
  await run(other, "ZADD", "z", "1", "a");
  await run(watcher, "WATCH", "z");
  await run(other, "ZADD", "z", "1", "a"); // no change
  await run(other, "ZREM", "z", "nope");
  await run(other, "ZADD", "z", "XX", "5", "nope");
  await run(watcher, "MULTI");
  await run(watcher, "ZCARD", "z");
  assert.equal(await run(watcher, "EXEC"), "*1\r\n:1\r\n");
  await run(watcher, "WATCH", "z");
  await run(other, "ZADD", "z", "2", "a"); // a score change, not an addition
  await run(watcher, "MULTI");
  await run(watcher, "ZCARD", "z");
  assert.equal(await run(watcher, "EXEC"), "*-1\r\n");
});

Deno.test("ZUNIONSTORE writes a result that reads back", async () => {
  const { client, run } = harness();
  const c = client();
  await run(c, "ZADD", "z", "1", "a");
  assert.equal(await run(c, "ZUNIONSTORE", "d", "1", "z"), ":1\r\n");
  assert.equal(
    await run(c, "ZRANGE", "d", "0", "-1", "WITHSCORES"),
    "*2\r\n$1\r\na\r\n$1\r\n1\r\n",
  );
});
