// Differential tests for SORT and SORT_RO: every option (ASC/DESC, ALPHA, LIMIT with Redis's
// clamping, BY with `*` and `->field`, BY without `*`, GET `#` / keys / hash fields, STORE), the
// error texts and their order, and a seeded random sequence must get the replies redis-server 7.0
// gives, byte for byte.
//
// Redis itself leaves some orders to chance, and the corpus avoids them: a hashtable set's
// iteration order (BY nosort without STORE), and ties between ALPHA BY weights of set or sorted
// set elements (Redis loads those from a hash table). Lists keep their order, intsets iterate in
// ascending order, and numeric ties fall back to the elements' bytes, so everything else is
// deterministic. (Not compared: OBJECT ENCODING of a small sorted set after SORT, which Redis
// converts to a skiplist and resplica leaves as it was.)
//
// RESPLICA_DIFF_SEED=<n> replays one random sequence; RESPLICA_DIFF_KEEP_GOING=1 reports every
// mismatching step of a case.

import {
  arity,
  type DiffCase,
  diffSeed,
  type DiffStep,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
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

const ERR_BAD_DOUBLE = "-ERR One or more scores can't be converted into double\r\n";

/** Commands in the random sequence. */
const RANDOM_COMMAND_COUNT = 3_000;
/** Elements the random sequence draws from (e0 … e<n-1>, and the integers 0 … n-1). */
const RANDOM_ELEMENT_COUNT = 40;

const keepGoing = keepGoingFromEnv();

// ── Hand-written cases ──────────────────────────────────────────────────────────────────────

const sortCases: DiffCase[] = [
  {
    name: "numeric sort of a list: ASC, DESC, floats, signs, spaces, hex, inf, empty",
    steps: [
      ["RPUSH", "l", "3", "-1", "2.5", "10", " 7", "0x10", "inf", "-inf", "1e3", "", "+4", "-0"],
      "SORT l",
      "SORT l DESC",
      "SORT l ASC DESC ASC",
      "SORT_RO l DESC",
      "SORT l desc limit 0 3",
      expect("SORT missing", "*0\r\n"),
      expect("SORT_RO missing", "*0\r\n"),
    ],
  },
  {
    name: "numeric sort: bad doubles are an error after the whole load",
    steps: [
      "RPUSH bad 1 2 abc 3",
      expect("SORT bad", ERR_BAD_DOUBLE),
      expect("SORT bad LIMIT 0 0", ERR_BAD_DOUBLE),
      "RPUSH nan 1 nan",
      expect("SORT nan", ERR_BAD_DOUBLE),
      "RPUSH big 1 1e400",
      expect("SORT big", ERR_BAD_DOUBLE),
      "RPUSH tail 1 12abc",
      expect("SORT tail", ERR_BAD_DOUBLE),
      "RPUSH trailing 1 ",
      ["RPUSH", "trailing2", "1", "2 "],
      "SORT trailing2",
      expect("SORT bad STORE dst", ERR_BAD_DOUBLE),
      expect("EXISTS dst", ":0\r\n"),
      "SORT bad ALPHA",
      "SORT bad BY nosort",
    ],
  },
  {
    name: "numeric ties fall back to the elements' bytes",
    steps: [
      "RPUSH t 1.0 1 01 1e0 +1 2 0.5",
      "SORT t",
      "SORT t DESC",
    ],
  },
  {
    name: "ALPHA: byte order, integer-encoded strings, DESC, NUL bytes",
    steps: [
      "RPUSH a 2 1 3 10 b B a aa ab A _ ~",
      "SORT a ALPHA",
      "SORT a ALPHA DESC",
      "SORT a alpha limit 2 4",
      ["RPUSH", "nul", "a\x00c", "a\x00b", "a", "a\x00a", "b"],
      ["SORT", "nul", "ALPHA"],
      ["SORT", "nul", "ALPHA", "STORE", "nulsorted"],
      "LRANGE nulsorted 0 -1",
    ],
  },
  {
    name: "LIMIT clamping",
    steps: [
      "RPUSH l 5 4 3 2 1",
      "SORT l LIMIT 0 2",
      "SORT l LIMIT 2 2",
      "SORT l LIMIT 3 10",
      "SORT l LIMIT 5 1",
      "SORT l LIMIT 10 1",
      "SORT l LIMIT -3 2",
      "SORT l LIMIT 1 -1",
      "SORT l LIMIT 1 -5",
      "SORT l LIMIT 1 0",
      "SORT l LIMIT 0 9223372036854775807",
      "SORT l LIMIT 9223372036854775807 1",
      "SORT l LIMIT -9223372036854775808 -9223372036854775808",
      "SORT l DESC LIMIT 1 2",
      "SORT l LIMIT 0 1 LIMIT 3 1",
      "SORT missing LIMIT 2 3",
      expect("SORT l LIMIT 1 2.5", ERR_NOT_INTEGER),
      expect("SORT l LIMIT x 1", ERR_NOT_INTEGER),
      expect("SORT l LIMIT 9223372036854775808 1", ERR_NOT_INTEGER),
      expect("SORT l LIMIT 1", ERR_SYNTAX),
    ],
  },
  {
    name: "BY nosort: native order of lists and sorted sets, LIMIT, DESC",
    steps: [
      "RPUSH l c a d b e",
      "SORT l BY nosort",
      "SORT l BY nosort DESC",
      "SORT l BY nosort LIMIT 1 2",
      "SORT l BY nosort DESC LIMIT 1 2",
      "SORT l BY nosort LIMIT 4 10",
      "SORT l BY nosort LIMIT 5 1",
      "SORT l BY nosort LIMIT 0 0",
      "SORT l BY nosort ALPHA",
      "SORT l BY nosort STORE dst",
      "LRANGE dst 0 -1",
      "SORT l BY nosort DESC LIMIT 1 3 STORE dst",
      "LRANGE dst 0 -1",
      "ZADD z 1 a 5 b 2 c 10 d 3 e",
      "SORT z BY nosort",
      "SORT z BY nosort DESC",
      "SORT z BY nosort LIMIT 0 1",
      "SORT z BY nosort DESC LIMIT 0 2",
      "SORT z BY nosort DESC LIMIT 2 2",
      "SORT z BY nosort LIMIT 5 10",
      "SORT z BY nosort LIMIT -10 100",
      "SORT z BY nosort DESC LIMIT 3 100",
      "SORT z ALPHA DESC",
      "SORT z ALPHA LIMIT 1 3",
      "SORT_RO z BY nosort DESC",
      "MULTI",
      "SORT z BY nosort ASC",
      "SORT z BY nosort DESC",
      "EXEC",
    ],
  },
  {
    name: "sets: intsets, hashtables, BY nosort with STORE and from scripts",
    steps: [
      "SADD i 5 -2 30 7 1",
      "SORT i",
      "SORT i DESC LIMIT 1 2",
      "SORT i ALPHA",
      "SORT i BY nosort",
      "SORT i BY nosort DESC LIMIT 1 2",
      "SADD h a b c d e f g h i l m n o p q r s t u v z aa aaa azz",
      "SORT h ALPHA",
      "SORT h ALPHA DESC LIMIT 3 5",
      "SORT h BY nosort STORE dst",
      "LRANGE dst 0 -1",
      "SORT h BY nosort DESC LIMIT 2 3 STORE dst",
      "LRANGE dst 0 -1",
      "EVAL \"return redis.call('sort', KEYS[1], 'by', 'nosort')\" 1 h",
      "EVAL \"return redis.call('sort', KEYS[1], 'by', 'nosort', 'desc', 'limit', '1', '4')\" 1 h",
      "EVAL \"return redis.call('sort_ro', KEYS[1], 'by', 'nosort', 'get', '#')\" 1 h",
      expect("SORT h", ERR_BAD_DOUBLE),
    ],
  },
  {
    name: "BY patterns: string keys, hash fields, missing weights, ALPHA weights",
    steps: [
      "RPUSH l 1 2 3 4 5",
      "MSET w_1 50 w_2 -3 w_3 50 w_5 0.5",
      "HSET o_1 f 9 g b",
      "HSET o_2 f 8 g a",
      "HSET o_3 f 7",
      "HSET o_4 f 7 g c",
      "SORT l BY w_*",
      "SORT l BY w_* DESC",
      "SORT l BY w_* LIMIT 1 2",
      "SORT l BY w_* DESC LIMIT 0 3",
      "SORT l BY o_*->f",
      "SORT l BY o_*->f DESC LIMIT 2 2",
      "SORT l BY o_*->g ALPHA",
      "SORT l BY o_*->g ALPHA DESC",
      "SORT l BY o_*->g ALPHA LIMIT 0 2",
      "SORT l BY o_*->g ALPHA DESC LIMIT 1 3",
      "SORT l BY w_* ALPHA",
      "SORT l BY w_*-> GET #",
      "SORT l BY o_*->missing",
      "SORT l BY w_*->f",
      "SORT l BY missing_*",
      "SORT l BY missing_* DESC LIMIT 1 2",
      "SORT l BY *",
      "SORT l BY x BY w_*",
      "SET w_4 notanumber",
      expect("SORT l BY w_*", ERR_BAD_DOUBLE),
      "SORT l BY w_* ALPHA",
      "RPUSH wl 1",
      "SET w_4 wl",
      "SORT l BY w_*",
      "SORT l BY o_*->f STORE dst",
      "LRANGE dst 0 -1",
      "SADD s 1 2 3 4 5",
      "SORT s BY o_*->f",
      "SORT s BY w_* DESC LIMIT 0 2",
      "ZADD z 1 1 2 2 3 3 4 4 5 5",
      "SORT z BY o_*->f DESC",
    ],
  },
  {
    name: "GET patterns: #, keys, hash fields, missing values, several GETs",
    steps: [
      "RPUSH l 3 1 2",
      "MSET v_1 one v_2 two x:3-> arrow",
      "HSET h_1 name ada",
      "HSET h_3 name cy",
      "RPUSH v_3 notastring",
      "SORT l GET #",
      "SORT l GET v_*",
      "SORT l GET # GET v_* GET h_*->name",
      "SORT l GET h_*->name DESC LIMIT 1 5",
      "SORT l GET constant",
      "SORT l GET x:*->",
      "SORT l GET v_*->name",
      "SORT l BY nosort GET # GET v_*",
      "SORT l GET # STORE dst",
      "LRANGE dst 0 -1",
      "SORT l GET v_* GET h_*->name STORE dst",
      "LRANGE dst 0 -1",
      "SORT_RO l GET # GET v_*",
      "SORT missing GET #",
      "SORT l LIMIT 0 0 GET # GET #",
    ],
  },
  {
    name: "STORE: replaces any type and its TTL, empty results delete, count replies",
    steps: [
      "RPUSH src b c a",
      "SET dst old EX 1000",
      expect("SORT src ALPHA STORE dst", ":3\r\n"),
      "TYPE dst",
      "TTL dst",
      "LRANGE dst 0 -1",
      "SORT src ALPHA DESC STORE dst STORE dst2",
      "EXISTS dst2",
      "LRANGE dst 0 -1",
      expect("SORT missing STORE dst", ":0\r\n"),
      "EXISTS dst",
      expect("SORT missing STORE dst", ":0\r\n"),
      expect("SORT src ALPHA LIMIT 10 10 STORE zap", ":0\r\n"),
      "EXISTS zap",
      "SORT src ALPHA STORE src",
      "LRANGE src 0 -1",
      "HSET hdst f v",
      "SORT src ALPHA LIMIT 0 2 STORE hdst",
      "TYPE hdst",
      "LRANGE hdst 0 -1",
      "SORT src ALPHA GET # GET # STORE dst",
      "LRANGE dst 0 -1",
    ],
  },
  {
    name: "errors and their order",
    steps: [
      expect("SORT", arity("sort")),
      expect("SORT_RO", arity("sort_ro")),
      "SET str x",
      expect("SORT str", ERR_WRONGTYPE),
      expect("SORT str foo", ERR_SYNTAX),
      expect("SORT str LIMIT a b", ERR_NOT_INTEGER),
      expect("SORT_RO str", ERR_WRONGTYPE),
      "HSET hash f v",
      expect("SORT hash", ERR_WRONGTYPE),
      expect("SORT missing BY", ERR_SYNTAX),
      expect("SORT missing GET", ERR_SYNTAX),
      expect("SORT missing STORE", ERR_SYNTAX),
      expect("SORT_RO missing STORE dst", ERR_SYNTAX),
      expect("SORT_RO missing STORE", ERR_SYNTAX),
      expect("SORT missing ASC DESC ALPHA foo", ERR_SYNTAX),
      expect("SORT missing LIMIT 1 x", ERR_NOT_INTEGER),
      "SORT str STORE dst",
      "EXISTS dst",
    ],
  },
  {
    name: "COMMAND GETKEYS",
    steps: [
      "COMMAND GETKEYS sort abc store def",
      "COMMAND GETKEYS sort abc store invalid store stillbad store def",
      "COMMAND GETKEYS sort abc by store get store limit store 1 store def",
      "COMMAND GETKEYS sort abc store",
      "COMMAND GETKEYS sort_ro abc store def",
      "COMMAND GETKEYS sort abc",
    ],
  },
  {
    name: "inside MULTI and scripts",
    steps: [
      "RPUSH l 3 1 2",
      "MULTI",
      "SORT l",
      "SORT l STORE dst",
      "LRANGE dst 0 -1",
      "SORT_RO l DESC",
      "EXEC",
      "EVAL \"return redis.call('sort', KEYS[1], 'desc', 'store', KEYS[2])\" 2 l dst2",
      "LRANGE dst2 0 -1",
      "EVAL \"return redis.pcall('sort', KEYS[1], 'foo')\" 1 l",
      "EVAL \"return redis.pcall('sort_ro', KEYS[1], 'store', 'x')\" 1 l",
    ],
  },
];

// ── Random sequence ─────────────────────────────────────────────────────────────────────────

/**
 * Lists (any option), intsets and sorted sets (no ALPHA BY, whose ties Redis orders by hash
 * table), weights as strings and hash fields, a few non-numeric ones, and STOREs read back.
 */
function randomCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const element = () => (random() < 0.5 ? `e${int(RANDOM_ELEMENT_COUNT)}` : String(int(40) - 5));
  const number = () => String(int(40) - 5);
  const weight = () =>
    [String(int(20)), (random() * 10).toFixed(int(3)), `w${int(10)}`, "", "1e3"][int(5)];
  const some = <T>(count: number, make: () => T) => Array.from({ length: count }, make);
  const options = (kind: "list" | "other"): string[] => {
    const words: string[] = [];
    const draws = int(5);
    for (let i = 0; i < draws; i++) {
      const pick = int(9);
      if (pick === 0) words.push("DESC");
      else if (pick === 1) words.push("ASC");
      else if (pick === 2 && kind === "list") words.push("ALPHA");
      else if (pick === 3) words.push("LIMIT", String(int(12) - 3), String(int(12) - 3));
      else if (pick === 4) words.push("BY", ["w_*", "h_*->f", "nosort", "w_*->f"][int(4)]);
      else if (pick === 5) words.push("GET", ["#", "w_*", "h_*->f", "h_*->g"][int(4)]);
      else if (pick === 6) words.push("STORE", "dst");
    }
    return words;
  };
  const pick = weightedPicker<() => DiffStep[]>(random, [
    [6, () => [{ args: ["RPUSH", "l", ...some(1 + int(6), element)] }]],
    [2, () => [{ args: ["LPOP", "l", String(int(4))] }]],
    [4, () => [{ args: ["SADD", "s", ...some(1 + int(6), number)] }]],
    [1, () => [{ args: ["SPOP", "s", "100"] }, { args: ["DEL", "s"] }]],
    [4, () => [{ args: ["ZADD", "z", String(int(10)), element()] }]],
    [4, () => [{ args: ["SET", `w_${element()}`, weight()] }]],
    [4, () => [{ args: ["HSET", `h_${element()}`, "f", weight(), "g", `g${int(5)}`] }]],
    [1, () => [{ args: ["DEL", `w_${element()}`, `h_${element()}`] }]],
    [
      20,
      () => [{ args: ["SORT", "l", ...options("list")] }, { args: ["LRANGE", "dst", "0", "-1"] }],
    ],
    [6, () => [{ args: ["SORT_RO", "l", ...options("list").filter((w) => w !== "STORE")] }]],
    [
      8,
      () => [{ args: ["SORT", "z", ...options("other")] }, { args: ["LRANGE", "dst", "0", "-1"] }],
    ],
    [
      8,
      () => [{ args: ["SORT", "s", ...options("other")] }, { args: ["LRANGE", "dst", "0", "-1"] }],
    ],
  ]);
  const steps: DiffStep[] = [];
  for (let i = 0; i < RANDOM_COMMAND_COUNT; i++) steps.push(...pick()());
  return { name: `random SORT sequence (seed ${seed})`, steps };
}

// ── Tests ───────────────────────────────────────────────────────────────────────────────────

peerTest("differential: SORT corpus matches redis-server byte for byte", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, sortCases, reference, subject, { keepGoing, noun: "SORT cases" })
  );
});

peerTest("differential: seeded random SORT sequence matches redis-server", async () => {
  const seed = diffSeed("differential SORT random sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomCase(seed), reference, subject, { keepGoing }))
  );
});
