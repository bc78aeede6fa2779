// Differential tests for the HyperLogLog commands: every reply, and the value's raw bytes after
// every write (GET), must be what redis-server 7.0 gives, because a replica, an RDB and DUMP
// carry those bytes. The corpus walks every command, option and error: sparse values and their
// promotion (by size at hll-sparse-max-bytes, by a register above 32), dense values, merges of
// both, PFCOUNT's cache written back, PFDEBUG, hand-made sparse values (non-canonical,
// truncated, overflowing) and values corrupted by SETRANGE / APPEND. A seeded random sequence
// then mixes PFADD, PFCOUNT, PFMERGE with GET, SET, APPEND, SETRANGE, DEL over a few keys.
//
// Test inputs that need an element landing on a given register are found with resplica's own
// hash (core/hll/); redis-server stays the only judge of what the replies must be.
//
// RESPLICA_DIFF_SEED=<n> replays one random sequence; RESPLICA_DIFF_KEEP_GOING=1 reports every
// mismatching step of a case.

import {
  arity,
  type DiffCase,
  diffSeed,
  type DiffStep,
  ERR_WRONGTYPE,
  expect,
  keepGoingFromEnv,
  runCase,
  runCorpus,
  seededRandom,
  weightedPicker,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { hllPattern, patternCount, patternIndex } from "../core/hll/mod.ts";

const ERR_NOT_HLL = "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n";
const ERR_CORRUPTED = "-INVALIDOBJ Corrupted HLL object detected\r\n";

/** Commands in the random sequence. */
const RANDOM_COMMAND_COUNT = 5_000;
/** Keys the random sequence draws from. */
const RANDOM_KEY_COUNT = 5;
/** Distinct elements the random sequence adds: enough to push keys past promotion. */
const RANDOM_ELEMENT_COUNT = 4_000;

const keepGoing = keepGoingFromEnv();
const encoder = new TextEncoder();

// ── Building values and elements ────────────────────────────────────────────────────────────

/** ZERO opcode: `run` (1..64) registers at 0. */
function zero(run: number): number[] {
  return [run - 1];
}
/** XZERO opcode: `run` (1..16384) registers at 0. */
function xzero(run: number): number[] {
  return [0x40 | ((run - 1) >> 8), (run - 1) & 0xff];
}
/** VAL opcode: `run` (1..4) registers at `value` (1..32). */
function val(value: number, run: number): number[] {
  return [0x80 | ((value - 1) << 2) | (run - 1)];
}

/** A sparse value from opcodes; the cache stale unless `cardinality` is given. */
function sparse(ops: number[][], cardinality?: number, unused = [0, 0, 0]): Uint8Array {
  const header = [0x48, 0x59, 0x4c, 0x4c, 1, ...unused];
  const card = new Array(8).fill(0);
  if (cardinality === undefined) card[7] = 0x80;
  else for (let i = 0; i < 6; i++) card[i] = Math.floor(cardinality / 256 ** i) % 256;
  return new Uint8Array([...header, ...card, ...ops.flat()]);
}

/** A dense value whose registers are all `register` (0..63), cache stale. */
function denseFilled(register: number): Uint8Array {
  const value = new Uint8Array(12304);
  value.set([0x48, 0x59, 0x4c, 0x4c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]);
  for (let bit = 0; bit < 16384 * 6; bit += 6) {
    for (let b = 0; b < 6; b++) {
      if (register & (1 << b)) value[16 + ((bit + b) >> 3)] |= 1 << ((bit + b) & 7);
    }
  }
  return value;
}

/**
 * The first element `<prefix><n>` whose hash lands on register `index` (any register when -1)
 * with a count of at least `countMin`.
 */
function elementFor(index: number, countMin = 1, prefix = "r"): string {
  for (let n = 0;; n++) {
    const element = `${prefix}${n}`;
    const pattern = hllPattern(encoder.encode(element));
    if (index >= 0 && patternIndex(pattern) !== index) continue;
    if (patternCount(pattern) >= countMin) return element;
  }
}

/** `count` elements `e<from>`, `e<from+1>` …, as PFADD arguments. */
function elements(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `e${from + i}`);
}

/** Steps adding elements in batches of `batch`, the raw bytes and the encoding after each. */
function addInBatches(key: string, from: number, count: number, batch: number): DiffStep[] {
  const steps: DiffStep[] = [];
  for (let i = 0; i < count; i += batch) {
    steps.push({ args: ["PFADD", key, ...elements(from + i, Math.min(batch, count - i))] });
    steps.push({ args: ["GET", key] }, { args: ["PFDEBUG", "ENCODING", key] });
  }
  return steps;
}

/**
 * Elements with a count above 32 (33, 34, 33): a sparse VAL cannot hold one, so adding it
 * promotes the value to dense. About one hash in 2^32 has one; these were found offline by a
 * search with Redis's own hash function.
 */
const ELEMENTS_COUNT_ABOVE_32 = ["big6209776902", "big7985688365", "big8298289851"];
const ELEMENT_COUNT_ABOVE_32 = ELEMENTS_COUNT_ABOVE_32[0];

// ── Hand-written cases ──────────────────────────────────────────────────────────────────────

const hllCases: DiffCase[] = [
  {
    name: "PFADD creates a sparse value, raises registers, reports changes",
    steps: [
      expect("PFADD h", ":1\r\n"),
      "GET h",
      expect("PFADD h", ":0\r\n"),
      expect("PFADD h a b c", ":1\r\n"),
      "GET h",
      expect("PFADD h a b c", ":0\r\n"),
      "GET h",
      ["PFADD", "h", ""],
      "GET h",
      expect("EXISTS h", ":1\r\n"),
      expect("TYPE h", "+string\r\n"),
      "STRLEN h",
      expect("OBJECT ENCODING h", "$3\r\nraw\r\n"),
      "PFADD n a",
      expect("OBJECT ENCODING n", "$3\r\nraw\r\n"),
      expect("PFADD", arity("pfadd")),
    ],
  },
  {
    name: "PFCOUNT caches the cardinality in the value; PFADD marks it stale",
    steps: [
      expect("PFCOUNT nokey", ":0\r\n"),
      "PFADD h 1 2 3 4 5",
      "GET h",
      expect("PFCOUNT h", ":5\r\n"),
      "GET h",
      expect("PFCOUNT h", ":5\r\n"),
      expect("PFADD h 1 2", ":0\r\n"),
      "GET h",
      "PFADD h 6 7 8 8 9 10",
      "GET h",
      expect("PFCOUNT h", ":10\r\n"),
      "GET h",
      ["GETRANGE", "h", "15", "15"],
      expect("PFCOUNT", arity("pfcount")),
    ],
  },
  {
    name: "PFCOUNT of several keys is the union and writes nothing",
    steps: [
      "PFADD a x y z",
      "PFADD b y z w",
      "PFADD c 1 2",
      "PFDEBUG TODENSE c",
      "GET a",
      "GET c",
      expect("PFCOUNT a b", ":4\r\n"),
      "PFCOUNT a b c missing",
      "PFCOUNT a a",
      "PFCOUNT missing other",
      "GET a",
      "GET b",
      "GET c",
    ],
  },
  {
    name: "elements of every length and byte (the hash's block and tail paths)",
    steps: [
      ["PFADD", "h", ...Array.from({ length: 40 }, (_, n) => "x".repeat(n))],
      "GET h",
      [
        "PFADD",
        "h",
        "\u00ff\u00fe\u0080",
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007",
        "\u0000".repeat(17),
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "é",
      ],
      "GET h",
      "PFCOUNT h",
    ],
  },
  {
    name: "sparse grows until hll-sparse-max-bytes, then turns dense",
    steps: [
      ...addInBatches("h", 0, 3000, 150),
      "PFCOUNT h",
      "GET h",
    ],
  },
  {
    name: "one element at a time across the promotion boundary",
    steps: [
      "CONFIG SET hll-sparse-max-bytes 200",
      ...addInBatches("h", 0, 160, 1),
      "PFCOUNT h",
      "CONFIG SET hll-sparse-max-bytes 3000",
    ],
  },
  {
    name: "hll-sparse-max-bytes: CONFIG GET/SET, 0 promotes at the first growth",
    steps: [
      expect(
        "CONFIG GET hll-sparse-max-bytes",
        "*2\r\n$20\r\nhll-sparse-max-bytes\r\n$4\r\n3000\r\n",
      ),
      expect("CONFIG SET hll-sparse-max-bytes 0", "+OK\r\n"),
      "PFADD h",
      "GET h",
      "PFADD h a",
      "GET h",
      "PFDEBUG ENCODING h",
      "CONFIG SET hll-sparse-max-bytes 1kb",
      "CONFIG GET hll-sparse-max-bytes",
      "CONFIG SET hll-sparse-max-bytes -1",
      "CONFIG SET hll-sparse-max-bytes abc",
      "CONFIG GET hll-sparse-max-bytes",
      "CONFIG SET hll-sparse-max-bytes 3000",
    ],
  },
  {
    name: "a register above 32 promotes a sparse value to dense",
    steps: [
      "PFADD h a b c",
      "GET h",
      ["PFADD", "h", ELEMENT_COUNT_ABOVE_32],
      "GET h",
      "PFDEBUG ENCODING h",
      "PFCOUNT h",
      ["PFADD", "fresh", ELEMENT_COUNT_ABOVE_32],
      "GET fresh",
      ["PFADD", "fresh", ELEMENT_COUNT_ABOVE_32],
      "PFCOUNT fresh",
      ["PFADD", "mixed", ...elements(0, 30), ELEMENTS_COUNT_ABOVE_32[1], ...elements(30, 30)],
      "GET mixed",
      ["PFADD", "s1", ...elements(0, 10)],
      ["PFADD", "d1", ELEMENTS_COUNT_ABOVE_32[2]],
      "PFMERGE s1 d1",
      "GET s1",
      "PFCOUNT s1 d1 mixed",
    ],
  },
  {
    name: "PFMERGE: sparse inputs stay sparse, a dense input makes it dense",
    steps: [
      ["PFADD", "s1", ...elements(0, 50)],
      ["PFADD", "s2", ...elements(25, 50)],
      ["PFADD", "d1", ...elements(100, 20)],
      "PFDEBUG TODENSE d1",
      expect("PFMERGE m s1 s2", "+OK\r\n"),
      "GET m",
      "PFDEBUG ENCODING m",
      "PFCOUNT m",
      "PFMERGE m2 s1 d1",
      "GET m2",
      "PFDEBUG ENCODING m2",
      "PFCOUNT m2",
      "PFMERGE s1 s2",
      "GET s1",
      "PFMERGE s2 s2",
      "GET s2",
      "PFMERGE d1 s1",
      "GET d1",
      "PFMERGE empty",
      "GET empty",
      "PFMERGE empty2 nokey1 nokey2",
      "GET empty2",
      "PFMERGE s1",
      "GET s1",
      "PFCOUNT s1 s2 d1 m m2",
      expect("PFMERGE", arity("pfmerge")),
    ],
  },
  {
    name: "PFMERGE of sparse inputs is promoted by size on the way",
    steps: [
      ["PFADD", "a", ...elements(0, 700)],
      ["PFADD", "b", ...elements(700, 700)],
      "PFDEBUG ENCODING a",
      "PFDEBUG ENCODING b",
      "PFMERGE m a b",
      "PFDEBUG ENCODING m",
      "GET m",
      "CONFIG SET hll-sparse-max-bytes 10000",
      "PFMERGE m2 a b",
      "PFDEBUG ENCODING m2",
      "GET m2",
      "PFCOUNT m2",
      "CONFIG SET hll-sparse-max-bytes 3000",
    ],
  },
  {
    name: "PFMERGE keeps the destination's TTL; PFADD too",
    steps: [
      "PFADD d a",
      "EXPIRE d 1000",
      "PFMERGE d nokey",
      "TTL d",
      "PFADD d b c",
      "TTL d",
      "PFCOUNT d",
      "TTL d",
    ],
  },
  {
    name: "PFDEBUG GETREG, DECODE, ENCODING, TODENSE and its errors",
    steps: [
      "PFADD h a b c d",
      expect("PFDEBUG ENCODING h", "+sparse\r\n"),
      "PFDEBUG DECODE h",
      "PFDEBUG decode h",
      "PFDEBUG GETREG h",
      "GET h",
      expect("PFDEBUG ENCODING h", "+dense\r\n"),
      expect("PFDEBUG DECODE h", "-ERR HLL encoding is not sparse\r\n"),
      expect("PFDEBUG TODENSE h", ":0\r\n"),
      "PFADD s x",
      expect("PFDEBUG TODENSE s", ":1\r\n"),
      "GET s",
      "PFADD e",
      "PFDEBUG DECODE e",
      expect("PFDEBUG GETREG nokey", "-ERR The specified key does not exist\r\n"),
      expect("PFDEBUG NOSUCH nokey", "-ERR The specified key does not exist\r\n"),
      expect("PFDEBUG NoSuch h", "-ERR Unknown PFDEBUG subcommand 'NoSuch'\r\n"),
      "SET str hello",
      expect("PFDEBUG ENCODING str", ERR_NOT_HLL),
      "RPUSH list a",
      expect("PFDEBUG ENCODING list", ERR_WRONGTYPE),
      expect("PFDEBUG ENCODING", arity("pfdebug")),
      expect("PFDEBUG GETREG h extra", arity("pfdebug")),
    ],
  },
  {
    name: "PFSELFTEST",
    steps: [
      expect("PFSELFTEST", "+OK\r\n"),
      expect("PFSELFTEST x", arity("pfselftest")),
    ],
  },
  {
    name: "WRONGTYPE: other types, strings that are no HyperLogLog",
    steps: [
      "RPUSH list a",
      expect("PFADD list a", ERR_WRONGTYPE),
      expect("PFCOUNT list", ERR_WRONGTYPE),
      expect("PFCOUNT nokey list", ERR_WRONGTYPE),
      expect("PFMERGE list nokey", ERR_WRONGTYPE),
      expect("PFMERGE dest list", ERR_WRONGTYPE),
      "EXISTS dest",
      "SET foo bar",
      expect("PFADD foo 1", ERR_NOT_HLL),
      expect("PFCOUNT foo", ERR_NOT_HLL),
      expect("PFMERGE bar foo", ERR_NOT_HLL),
      expect("PFMERGE foo bar", ERR_NOT_HLL),
      "EXISTS bar",
      "SET int 12345",
      expect("PFADD int a", ERR_NOT_HLL),
      ["SET", "short", "HYLL\u0001"],
      expect("PFCOUNT short", ERR_NOT_HLL),
      "PFADD ok a",
      expect("PFCOUNT ok foo", ERR_NOT_HLL),
      "SADD set m",
      expect("PFCOUNT ok set", ERR_WRONGTYPE),
    ],
  },
  {
    name: "corrupted values: magic, encoding, dense length → WRONGTYPE",
    steps: [
      "PFADD h a b c",
      "SETRANGE h 0 0123",
      expect("PFCOUNT h", ERR_NOT_HLL),
      "DEL h",
      "PFADD h a b c",
      "SETRANGE h 4 x",
      expect("PFCOUNT h", ERR_NOT_HLL),
      "DEL h",
      "PFADD h a b c",
      ["SETRANGE", "h", "4", "\u0000"],
      expect("PFCOUNT h", ERR_NOT_HLL),
      "DEL h",
      "PFADD h a",
      "PFDEBUG TODENSE h",
      "APPEND h x",
      expect("PFADD h z", ERR_NOT_HLL),
    ],
  },
  {
    name: "corrupted sparse values → INVALIDOBJ, a fresh cache still answers",
    steps: [
      "PFADD h a b c",
      "APPEND h hello",
      expect("PFCOUNT h", ERR_CORRUPTED),
      "GET h",
      "PFCOUNT h ok",
      "PFMERGE m h",
      "EXISTS m",
      "PFDEBUG GETREG h",
      "PFDEBUG TODENSE h",
      "PFDEBUG DECODE h",
      "GET h",
      "DEL h",
      "PFADD h a b c",
      "PFCOUNT h",
      "APPEND h hello",
      expect("PFCOUNT h", ":3\r\n"),
    ],
  },
  {
    name: "hand-made sparse values: non-canonical, truncated, overflowing",
    steps: [
      { args: ["SET", "nc", sparse([val(3, 1), val(3, 1), zero(1), xzero(16381)])] },
      "PFCOUNT nc",
      "GET nc",
      ["PFADD", "nc", elementFor(2), elementFor(0, 4)],
      "GET nc",
      "PFDEBUG DECODE nc",
      { args: ["SET", "x1", sparse([xzero(1), xzero(16383)])] },
      ["PFADD", "x1", elementFor(0)],
      "GET x1",
      { args: ["SET", "short", sparse([xzero(16000)])] },
      expect("PFCOUNT short", ERR_CORRUPTED),
      ["PFADD", "short", elementFor(100)],
      "GET short",
      ["PFADD", "short", elementFor(16200)],
      "GET short",
      { args: ["SET", "over", sparse([xzero(16384), val(1, 1)])] },
      expect("PFCOUNT over", ERR_CORRUPTED),
      expect("PFMERGE m over", ERR_CORRUPTED),
      { args: ["SET", "valover", sparse([xzero(16383), val(5, 4)])] },
      expect("PFCOUNT valover", ERR_CORRUPTED),
      "PFDEBUG TODENSE valover",
      { args: ["SET", "empty", sparse([])] },
      "PFCOUNT empty",
      "PFADD empty a",
      "PFDEBUG DECODE empty",
      // An XZERO cut after its first byte: Redis reads the string's NUL as its second byte.
      { args: ["SET", "cut", sparse([xzero(16383), [0x40]])] },
      "PFCOUNT cut",
      ["PFADD", "cut", elementFor(16383)],
      "GET cut",
      { args: ["SET", "unused", sparse([xzero(16384)], undefined, [7, 8, 9])] },
      "PFADD unused a",
      "GET unused",
      "PFDEBUG TODENSE unused",
      "GET unused",
      { args: ["SET", "cached", sparse([xzero(16384)], 12345)] },
      expect("PFCOUNT cached", ":12345\r\n"),
      "OBJECT ENCODING cached",
      { args: ["SET", "huge", sparse([xzero(16384)], 2 ** 47)] },
      "PFCOUNT huge",
    ],
  },
  {
    name: "PFADD on a corrupted sparse value keeps what it changed before the error",
    steps: [
      { args: ["SET", "c", sparse([xzero(8000)])] },
      ["PFADD", "c", elementFor(10), elementFor(9000)],
      "GET c",
      ["PFADD", "c", elementFor(20), elementFor(12000), elementFor(30)],
      "GET c",
      ["PFADD", "c", ELEMENT_COUNT_ABOVE_32],
    ],
  },
  {
    name: "forged dense values: odd register histograms",
    steps: [
      { args: ["SET", "d51", denseFilled(51)] },
      "PFCOUNT d51",
      { args: ["SET", "d63", denseFilled(63)] },
      "PFCOUNT d63",
      { args: ["SET", "d20", denseFilled(20)] },
      "PFCOUNT d20",
      "PFCOUNT d20 d63",
      "PFMERGE d20 d63",
      "GET d20",
      { args: ["SET", "d1", denseFilled(1)] },
      "PFCOUNT d1",
      "PFADD d1 a b c",
      "GET d1",
    ],
  },
  {
    name: "WATCH sees PFCOUNT caching, not a PFADD that changes nothing",
    steps: [
      "PFADD w a b c",
      "WATCH w",
      { args: ["PFCOUNT", "w"], conn: 2 },
      "MULTI",
      "PFADD w d",
      expect("EXEC", "*-1\r\n"),
      "WATCH w",
      { args: ["PFCOUNT", "w"], conn: 2 },
      { args: ["PFADD", "w", "a"], conn: 2 },
      "MULTI",
      "PFCOUNT w",
      "EXEC",
      "MULTI",
      "PFADD w q",
      "PFCOUNT w",
      "PFMERGE w2 w",
      "EXEC",
      "GET w",
      "GET w2",
    ],
  },
  {
    name: "keyspace hits and misses of PF commands",
    steps: [
      "PFADD a x",
      "CONFIG RESETSTAT",
      "PFCOUNT a",
      "PFCOUNT a nokey",
      "PFMERGE a nokey",
      "PFADD a y",
      "PFDEBUG ENCODING a",
      {
        args: ["INFO", "stats"],
        pattern: /\r\nkeyspace_hits:3\r\nkeyspace_misses:2\r\n/,
      },
    ],
  },
  {
    name: "COMMAND INFO of the HyperLogLog commands, RESP2 and RESP3",
    steps: [
      "COMMAND INFO pfadd pfcount pfmerge pfdebug pfselftest",
      { args: ["HELLO", "3"], ignore: true },
      "COMMAND INFO pfadd pfcount pfmerge pfdebug pfselftest",
      "PFADD h a",
      "PFDEBUG ENCODING h",
      "PFCOUNT h",
    ],
  },
];

// ── Random sequence ─────────────────────────────────────────────────────────────────────────

/**
 * A reproducible random mix of HyperLogLog and string commands over a few keys. Batches of up
 * to 300 elements push keys through promotion; APPEND and SETRANGE corrupt values now and
 * then, SET replaces them with plain strings, and GET shows every representation.
 */
function randomCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const key = () => `h${int(RANDOM_KEY_COUNT)}`;
  const element = () => `e${int(RANDOM_ELEMENT_COUNT)}`;
  const some = <T>(count: number, make: () => T) => Array.from({ length: count }, make);
  const pick = weightedPicker<() => DiffStep>(random, [
    [30, () => ({ args: ["PFADD", key(), ...some(int(6), element)] })],
    [6, () => ({ args: ["PFADD", key(), ...some(50 + int(250), element)] })],
    [1, () => ({ args: ["PFADD", key(), ELEMENTS_COUNT_ABOVE_32[int(3)], element()] })],
    [14, () => ({ args: ["PFCOUNT", key()] })],
    [6, () => ({ args: ["PFCOUNT", ...some(2 + int(3), key)] })],
    [7, () => ({ args: ["PFMERGE", key(), ...some(int(4), key)] })],
    [16, () => ({ args: ["GET", key()] })],
    [2, () => ({ args: ["SET", key(), `plain${int(10)}`] })],
    [1, () => ({ args: ["APPEND", key(), String.fromCharCode(int(256))] })],
    [1, () => ({ args: ["SETRANGE", key(), String(int(40)), String.fromCharCode(int(256))] })],
    [3, () => ({ args: ["DEL", key()] })],
    [2, () => ({ args: ["PFDEBUG", ["ENCODING", "TODENSE", "DECODE"][int(3)], key()] })],
    [1, () => ({ args: ["EXPIRE", key(), "1000"] })],
    [1, () => ({ args: ["TTL", key()] })],
    [1, () => ({
      args: ["CONFIG", "SET", "hll-sparse-max-bytes", ["0", "100", "800", "3000"][int(4)]],
    })],
  ]);
  const steps: DiffStep[] = ["CONFIG SET hll-sparse-max-bytes 3000"].map((s) => ({
    args: s.split(" "),
  }));
  for (let i = 0; i < RANDOM_COMMAND_COUNT; i++) steps.push(pick()());
  for (let i = 0; i < RANDOM_KEY_COUNT; i++) steps.push({ args: ["GET", `h${i}`] });
  steps.push({ args: ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"] });
  return { name: `random HyperLogLog sequence (seed ${seed})`, steps };
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────────

peerTest("differential: HyperLogLog corpus matches redis-server byte for byte", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, hllCases, reference, subject, { keepGoing, noun: "HyperLogLog cases" })
  );
});

peerTest("differential: seeded random HyperLogLog sequence matches redis-server", async () => {
  const seed = diffSeed("differential HyperLogLog random sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomCase(seed), reference, subject, { keepGoing }))
  );
});
