// Differential tests for lists: every list command, its error cases and a long seeded random
// sequence must get byte-identical replies from resplica and from redis-server 7.0.
//
// The hand-written cases pin Redis 7.0.15's exact texts with `expect` where clients match on
// them. The random sequence mixes list commands with DEL/EXISTS/TYPE/EXPIRE/RENAME/COPY and
// string SETs (for ERR_WRONGTYPE) over a few keys; elements are drawn from a small pool so LREM,
// LPOS and LINSERT find matches, with some large ones so lists span several 8 KB nodes.
// RESPLICA_DIFF_SEED=<n> replays one sequence; RESPLICA_SELFTEST=1 runs it against a second
// redis-server to check the corpus itself.

import {
  arity,
  type DiffCase,
  diffSeed,
  type DiffStep,
  type DiffTarget,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  ERR_WRONGTYPE,
  expect,
  keepGoingFromEnv,
  runCase,
  runCorpus,
  seededRandom,
  unordered,
  weightedPicker,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { startSubject } from "./_support/subject.ts";

/** Commands in the random sequence. */
const RANDOM_COMMAND_COUNT = 12_000;
/** Keys the random sequence draws from. */
const RANDOM_KEY_COUNT = 5;

const keepGoing = keepGoingFromEnv();

const ERR_POSITIVE = "-ERR value is out of range, must be positive\r\n";

const listCases: DiffCase[] = [
  {
    name: "LPUSH RPUSH LPUSHX RPUSHX LLEN",
    steps: [
      expect("LPUSH l a b c", ":3\r\n"),
      expect("RPUSH l d e", ":5\r\n"),
      "LRANGE l 0 -1",
      expect("LPUSHX nokey a", ":0\r\n"),
      expect("RPUSHX nokey a b", ":0\r\n"),
      "EXISTS nokey",
      "LPUSHX l x y",
      "RPUSHX l z",
      "LRANGE l 0 -1",
      "LLEN l",
      expect("LLEN nokey", ":0\r\n"),
      expect("LPUSH l", arity("lpush")),
      expect("RPUSHX l", arity("rpushx")),
      expect("LLEN", arity("llen")),
      ["RPUSH", "bin", "", "\u0000\u00ff", "x".repeat(100)],
      "LRANGE bin 0 -1",
      "TYPE l",
      expect("OBJECT ENCODING l", "$9\r\nquicklist\r\n"),
    ],
  },
  {
    name: "LPOP and RPOP with and without count",
    steps: [
      expect("LPOP nokey", "$-1\r\n"),
      expect("LPOP nokey 0", "*-1\r\n"),
      expect("RPOP nokey 3", "*-1\r\n"),
      "RPUSH l a b c d e",
      expect("LPOP l 0", "*0\r\n"),
      expect("LPOP l -1", ERR_POSITIVE),
      expect("LPOP l x", ERR_POSITIVE),
      expect("LPOP nokey x", ERR_POSITIVE),
      expect("LPOP l 1 2", arity("lpop")),
      "LPOP l",
      "RPOP l",
      "LPOP l 1",
      "RPOP l 10",
      "EXISTS l",
      "RPUSH l a",
      "RPOP l 9223372036854775807",
      "EXISTS l",
      "RPUSH l a b",
      "LPOP l 9223372036854775808",
    ],
  },
  {
    name: "LRANGE and LINDEX index rules",
    steps: [
      "RPUSH l a b c d e f",
      "LRANGE l 0 -1",
      "LRANGE l 1 3",
      "LRANGE l -3 -1",
      "LRANGE l -100 100",
      "LRANGE l 4 2",
      "LRANGE l 6 10",
      "LRANGE l -1 -1",
      "LRANGE l 0 -9223372036854775808",
      "LRANGE l -9223372036854775808 9223372036854775807",
      expect("LRANGE l a 1", ERR_NOT_INTEGER),
      expect("LRANGE l 0 1.5", ERR_NOT_INTEGER),
      expect("LRANGE nokey 0 -1", "*0\r\n"),
      expect("LRANGE nokey x 1", ERR_NOT_INTEGER),
      "LINDEX l 0",
      "LINDEX l -1",
      "LINDEX l 5",
      "LINDEX l 6",
      "LINDEX l -7",
      "LINDEX l 9223372036854775807",
      expect("LINDEX l x", ERR_NOT_INTEGER),
      expect("LINDEX nokey x", "$-1\r\n"),
    ],
  },
  {
    name: "LSET",
    steps: [
      expect("LSET nokey 0 a", "-ERR no such key\r\n"),
      expect("LSET nokey x a", "-ERR no such key\r\n"),
      "RPUSH l a b c",
      expect("LSET l 5 a", "-ERR index out of range\r\n"),
      expect("LSET l -4 a", "-ERR index out of range\r\n"),
      expect("LSET l x a", ERR_NOT_INTEGER),
      "LSET l 0 first",
      "LSET l -1 last",
      ["LSET", "l", "1", "y".repeat(300)],
      "LSET l 1 m",
      "LRANGE l 0 -1",
      "SET s v",
      expect("LSET s 0 a", ERR_WRONGTYPE),
    ],
  },
  {
    name: "LINSERT",
    steps: [
      expect("LINSERT nokey BEFORE a b", ":0\r\n"),
      "RPUSH l a b c b",
      "LINSERT l BEFORE b x",
      "LINSERT l after b y",
      "LINSERT l AFTER c z",
      expect("LINSERT l BEFORE nope x", ":-1\r\n"),
      expect("LINSERT l MIDDLE a x", ERR_SYNTAX),
      expect("LINSERT nokey MIDDLE a x", ERR_SYNTAX),
      "LRANGE l 0 -1",
      "SET s v",
      expect("LINSERT s BEFORE a b", ERR_WRONGTYPE),
      expect("LINSERT l BEFORE a", arity("linsert")),
    ],
  },
  {
    name: "LREM",
    steps: [
      expect("LREM nokey 0 a", ":0\r\n"),
      expect("LREM l x a", ERR_NOT_INTEGER),
      "RPUSH l a b a c a b a",
      "LREM l 2 a",
      "LRANGE l 0 -1",
      "LREM l -1 a",
      "LRANGE l 0 -1",
      "LREM l 0 b",
      "LRANGE l 0 -1",
      "LREM l -100 a",
      "LRANGE l 0 -1",
      "LREM l 0 c",
      "EXISTS l",
    ],
  },
  {
    name: "LTRIM",
    steps: [
      expect("LTRIM nokey 0 1", "+OK\r\n"),
      "RPUSH l a b c d e f g",
      "LTRIM l 1 -2",
      "LRANGE l 0 -1",
      "LTRIM l -3 100",
      "LRANGE l 0 -1",
      expect("LTRIM l x 1", ERR_NOT_INTEGER),
      "LTRIM l 2 1",
      "EXISTS l",
      "RPUSH l a b",
      "LTRIM l 5 10",
      "EXISTS l",
    ],
  },
  {
    name: "LPOS options and errors",
    steps: [
      "RPUSH l a b a c a d",
      "LPOS l a",
      "LPOS l a RANK 2",
      "LPOS l a RANK -1",
      "LPOS l a RANK -2 COUNT 0",
      "LPOS l a COUNT 0",
      "LPOS l a COUNT 2",
      "LPOS l a COUNT 0 MAXLEN 3",
      "LPOS l a RANK -1 MAXLEN 2",
      "LPOS l z",
      "LPOS l z COUNT 0",
      "LPOS l a RANK 9",
      "LPOS l a rank -9223372036854775808",
      "LPOS l a rank -9223372036854775807",
      "LPOS l a count 9223372036854775807",
      expect("LPOS nokey a", "$-1\r\n"),
      expect("LPOS nokey a COUNT 0", "*0\r\n"),
      expect(
        "LPOS l a RANK 0",
        "-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... " +
          "or use negative to start from the end of the list\r\n",
      ),
      expect("LPOS l a COUNT -1", "-ERR COUNT can't be negative\r\n"),
      expect("LPOS l a COUNT x", "-ERR COUNT can't be negative\r\n"),
      expect("LPOS l a MAXLEN -1", "-ERR MAXLEN can't be negative\r\n"),
      expect("LPOS l a RANK x", ERR_NOT_INTEGER),
      expect("LPOS l a FOO", ERR_SYNTAX),
      expect("LPOS l a RANK", ERR_SYNTAX),
      "SET s v",
      expect("LPOS s a", ERR_WRONGTYPE),
    ],
  },
  {
    name: "LMOVE and RPOPLPUSH",
    steps: [
      expect("LMOVE nokey dst LEFT RIGHT", "$-1\r\n"),
      "RPUSH src a b c",
      "LMOVE src dst LEFT RIGHT",
      "LMOVE src dst RIGHT LEFT",
      "LMOVE src dst left left",
      "EXISTS src",
      "LRANGE dst 0 -1",
      "LMOVE dst dst LEFT RIGHT",
      "LRANGE dst 0 -1",
      "RPOPLPUSH dst dst",
      "LRANGE dst 0 -1",
      "RPOPLPUSH dst other",
      "LRANGE other 0 -1",
      expect("LMOVE dst other UP LEFT", ERR_SYNTAX),
      expect("LMOVE nokey other LEFT DOWN", ERR_SYNTAX),
      "SET s v",
      expect("LMOVE s dst LEFT LEFT", ERR_WRONGTYPE),
      expect("LMOVE dst s LEFT LEFT", ERR_WRONGTYPE),
      expect("LMOVE nokey s LEFT LEFT", "$-1\r\n"),
      expect("RPOPLPUSH dst s", ERR_WRONGTYPE),
      "LRANGE dst 0 -1",
      "RPUSH one x",
      "EXPIRE one 1000",
      "LMOVE one one LEFT RIGHT",
      "TTL one",
      expect("RPOPLPUSH a", arity("rpoplpush")),
    ],
  },
  {
    name: "LMPOP",
    steps: [
      expect("LMPOP 1 nokey LEFT", "*-1\r\n"),
      "RPUSH l2 a b c d",
      "LMPOP 2 l1 l2 LEFT",
      "LMPOP 2 l1 l2 RIGHT COUNT 2",
      "LMPOP 1 l2 left count 10",
      "EXISTS l2",
      expect("LMPOP 0 l LEFT", "-ERR numkeys should be greater than 0\r\n"),
      expect("LMPOP x l LEFT", "-ERR numkeys should be greater than 0\r\n"),
      expect("LMPOP -1 l LEFT", "-ERR numkeys should be greater than 0\r\n"),
      expect("LMPOP 1 l MIDDLE", ERR_SYNTAX),
      expect("LMPOP 2 l LEFT", ERR_SYNTAX),
      expect("LMPOP 1 l LEFT COUNT 0", "-ERR count should be greater than 0\r\n"),
      expect("LMPOP 1 l LEFT COUNT -1", "-ERR count should be greater than 0\r\n"),
      expect("LMPOP 1 l LEFT COUNT 1 COUNT 2", ERR_SYNTAX),
      expect("LMPOP 1 l LEFT COUNT", ERR_SYNTAX),
      expect("LMPOP 1 l LEFT FOO", ERR_SYNTAX),
      expect("LMPOP 1 l", arity("lmpop")),
      "SET s v",
      "RPUSH l3 x",
      expect("LMPOP 2 s l3 LEFT", ERR_WRONGTYPE),
      "LMPOP 2 l3 s LEFT",
    ],
  },
  {
    name: "blocking commands served at once, timing out, and inside MULTI",
    steps: [
      "RPUSH l a b c",
      "BLPOP nokey l 0",
      "BRPOP l 1",
      "BLMOVE l dst LEFT RIGHT 0",
      expect("BLPOP l 0.01", "*-1\r\n"),
      expect("BRPOP nokey 0.01", "*-1\r\n"),
      expect("BRPOPLPUSH nokey dst 0.01", "*-1\r\n"),
      expect("BLMOVE nokey dst LEFT LEFT 0.01", "*-1\r\n"),
      expect("BLMPOP 0.01 2 nokey l LEFT", "*-1\r\n"),
      "RPUSH l x y z",
      "BRPOPLPUSH l dst 0",
      "BLMPOP 0 2 nokey l RIGHT COUNT 5",
      "LRANGE dst 0 -1",
      expect("BLPOP l -1", "-ERR timeout is negative\r\n"),
      expect("BLPOP l x", "-ERR timeout is not a float or out of range\r\n"),
      expect("BLPOP l nan", "-ERR timeout is not a float or out of range\r\n"),
      expect("BLPOP l inf", "-ERR timeout is negative\r\n"),
      expect("BLPOP l 1e999", "-ERR timeout is negative\r\n"),
      expect("BLMPOP 0 0 l LEFT", "-ERR numkeys should be greater than 0\r\n"),
      expect("BLMPOP x 1 l LEFT", "-ERR timeout is not a float or out of range\r\n"),
      expect("BLMOVE l dst UP LEFT x", ERR_SYNTAX),
      expect("BLPOP l", arity("blpop")),
      "SET s v",
      expect("BLPOP s 0", ERR_WRONGTYPE),
      expect("BLMPOP 0 2 nokey s LEFT", ERR_WRONGTYPE),
      expect("BRPOPLPUSH s dst 0", ERR_WRONGTYPE),
      "RPUSH l2 v",
      expect("BLMOVE l2 s LEFT LEFT 0", ERR_WRONGTYPE),
      "MULTI",
      "BLPOP nokey 1",
      "BLMOVE nokey x LEFT LEFT 1",
      "BRPOPLPUSH nokey x 1",
      "BLMPOP 1 1 nokey LEFT",
      "RPUSH m 1",
      "BLPOP m 1",
      expect("EXEC", "*6\r\n*-1\r\n$-1\r\n$-1\r\n*-1\r\n:1\r\n*2\r\n$1\r\nm\r\n$1\r\n1\r\n"),
    ],
  },
  {
    name: "RESP3 replies",
    steps: [
      { args: ["HELLO", "3"], ignore: true },
      "LPOP nokey",
      "LPOP nokey 2",
      "RPUSH l a b",
      "LPOP l 0",
      "LRANGE l 0 -1",
      "LPOS l z",
      "LMPOP 1 nokey LEFT",
      "BLPOP nokey 0.01",
      "BLMOVE nokey x LEFT LEFT 0.01",
      "LMPOP 1 l RIGHT",
      "MULTI",
      "BLMOVE nokey x LEFT LEFT 1",
      "EXEC",
    ],
  },
  {
    name: "large lists span many nodes",
    steps: [
      ["RPUSH", "l", ...Array.from({ length: 500 }, (_, i) => `element-${i}`.padEnd(40, "."))],
      ["LPUSH", "l", ...Array.from({ length: 300 }, (_, i) => String(i))],
      ["RPUSH", "l", "z".repeat(20_000), "tail"],
      "LLEN l",
      "LINDEX l 400",
      "LINDEX l -2",
      "LRANGE l 295 305",
      "LRANGE l -3 -1",
      "LINSERT l BEFORE 5 inserted",
      "LSET l 600 replaced",
      "LPOS l replaced",
      "LREM l 0 inserted",
      "LTRIM l 100 -100",
      "LLEN l",
      "LRANGE l 0 -1",
      "LPOP l 50",
      "RPOP l 50",
      "LRANGE l 0 -1",
      "COPY l l2",
      "LRANGE l2 0 -1",
      "RENAME l2 l3",
      "LRANGE l3 -5 -1",
      "DEL l l3",
    ],
  },
  {
    name: "CLIENT UNBLOCK replies",
    steps: [
      expect("CLIENT UNBLOCK 999999", ":0\r\n"),
      expect("CLIENT UNBLOCK 999999 TIMEOUT", ":0\r\n"),
      expect("CLIENT UNBLOCK 999999 error", ":0\r\n"),
      expect("CLIENT UNBLOCK 1 later", "-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n"),
      expect("CLIENT UNBLOCK x", ERR_NOT_INTEGER),
      "CLIENT UNBLOCK x later",
      expect("CLIENT UNBLOCK", arity("client|unblock")),
      "CLIENT UNBLOCK 1 timeout extra",
    ],
  },
];

/**
 * Cases that change how lists are cut into nodes (CONFIG SET list-max-listpack-size, DEBUG
 * QUICKLIST-PACKED-THRESHOLD): no reply shows a node, so these check that every command still
 * answers the same with one element per node and with plain nodes beside packed ones. They
 * need DEBUG on the reference and leave the defaults restored.
 */
const nodeShapeCases: DiffCase[] = [
  {
    name: "list-max-listpack-size, list-compress-depth and DEBUG QUICKLIST-PACKED-THRESHOLD",
    steps: [
      "CONFIG GET list-max-listpack-size",
      "CONFIG GET list-max-ziplist-size",
      "CONFIG GET list-compress-depth",
      expect("CONFIG SET list-max-ziplist-size 1", "+OK\r\n"),
      "CONFIG GET list-max-listpack-size",
      expect("CONFIG SET list-compress-depth 2", "+OK\r\n"),
      "CONFIG SET list-compress-depth -1",
      "CONFIG SET list-max-listpack-size x",
      "CONFIG SET list-max-listpack-size 2147483648",
      "CONFIG SET list-max-listpack-size -2147483648",
      "CONFIG SET list-max-listpack-size 1",
      // One element per node: the test unit's insert / trim / set sequences.
      ["RPUSH", "l", "a".repeat(500), "b".repeat(500), "c".repeat(500)],
      ["LINSERT", "l", "AFTER", "a".repeat(500), "e".repeat(500)],
      ["LINSERT", "l", "BEFORE", "c".repeat(500), "f"],
      "LTRIM l 1 -1",
      ["LSET", "l", "0", "g".repeat(500)],
      "LRANGE l 0 -1",
      // Plain nodes from 1 byte up, then mixed with packed ones.
      expect("DEBUG QUICKLIST-PACKED-THRESHOLD 1b", "+OK\r\n"),
      "LPUSH p d c b a",
      "LINSERT p AFTER b x",
      "LSET p -1 zz",
      "LREM p 0 x",
      "LPOS p c",
      "LMOVE p p LEFT RIGHT",
      "LRANGE p 0 -1",
      "CONFIG SET list-max-listpack-size -2",
      expect("DEBUG QUICKLIST-PACKED-THRESHOLD 10b", "+OK\r\n"),
      "RPUSH q aa bb",
      ["LSET", "q", "-2", "x".repeat(10)],
      "RPOP q",
      "LRANGE q 0 -1",
      ["RPUSH", "q", "y".repeat(100), "s", "t"],
      ["LSET", "q", "-1", "z".repeat(100)],
      "LRANGE q 0 -1",
      expect(
        "DEBUG QUICKLIST-PACKED-THRESHOLD -1",
        "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n",
      ),
      "DEBUG QUICKLIST-PACKED-THRESHOLD 4gb",
      "DEBUG QUICKLIST-PACKED-THRESHOLD 4293918720",
      "DEBUG QUICKLIST-PACKED-THRESHOLD 4293918721",
      "DEBUG QUICKLIST-PACKED-THRESHOLD abc",
      expect("DEBUG QUICKLIST-PACKED-THRESHOLD 0", "+OK\r\n"),
      "CONFIG SET list-compress-depth 0",
      // Redis lists matches in its dict's order: compare them as a set.
      unordered("CONFIG GET list-*"),
    ],
  },
];

/** Runs `body` against a DEBUG-enabled redis-server and the subject, stopping both after. */
async function withDebugPeers(
  body: (reference: DiffTarget, subject: DiffTarget) => Promise<void>,
): Promise<void> {
  const reference = await startRedisServer(["--enable-debug-command", "yes"]);
  try {
    const subject = await startSubject({ debug: true });
    try {
      await body({ label: "redis-server", port: reference.port }, subject);
    } finally {
      await subject.close();
    }
  } finally {
    await reference.stop();
  }
}

peerTest("differential: list corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, listCases, reference, subject, { keepGoing })
  );
});

peerTest("differential: list node shapes (list-max-listpack-size, plain nodes)", async (t) => {
  await withDebugPeers((reference, subject) =>
    runCorpus(t, nodeShapeCases, reference, subject, { keepGoing })
  );
});

peerTest("differential: seeded random list sequence with small and plain nodes", async () => {
  const seed = diffSeed("differential random list sequence, small nodes");
  await withDebugPeers((reference, subject) =>
    withSeedReplay(seed, async () => {
      const shaped = randomListCase(seed);
      shaped.steps.unshift(
        expect("CONFIG SET list-max-listpack-size 3", "+OK\r\n"),
        expect("DEBUG QUICKLIST-PACKED-THRESHOLD 100b", "+OK\r\n"),
      );
      await runCase(shaped, reference, subject, { keepGoing });
    })
  );
});

peerTest("differential: seeded random list sequence matches redis-server", async () => {
  const seed = diffSeed("differential random list sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomListCase(seed), reference, subject, { keepGoing }))
  );
});

/**
 * A reproducible random sequence of list commands (and some key/string commands) over a small
 * key space. Blocking commands use a 1 ms timeout, so an empty key times out on both servers.
 */
function randomListCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const key = () => `k${Math.floor(random() * RANDOM_KEY_COUNT)}`;
  const index = () => String(Math.floor(random() * 40) - 20);
  const small = () => pick(["a", "b", "c", "d", "", "1", "-7", "hello"]);
  const element = () => {
    const roll = random();
    if (roll < 0.85) return small();
    if (roll < 0.97) return `${pick(["x", "y"])}${"-".repeat(Math.floor(random() * 300))}`;
    return "L".repeat(2000 + Math.floor(random() * 9000));
  };
  const elements = (countMax: number) =>
    Array.from({ length: 1 + Math.floor(random() * countMax) }, element);
  const where = () => pick(["LEFT", "RIGHT"]);
  const weighted: [number, () => DiffStep][] = [
    [8, () => ({ args: [pick(["LPUSH", "RPUSH"]), key(), ...elements(4)] })],
    [2, () => ({ args: [pick(["LPUSH", "RPUSH"]), key(), ...elements(60)] })],
    [2, () => ({ args: [pick(["LPUSHX", "RPUSHX"]), key(), ...elements(3)] })],
    [4, () => ({ args: [pick(["LPOP", "RPOP"]), key()] })],
    [3, () => ({ args: [pick(["LPOP", "RPOP"]), key(), String(Math.floor(random() * 6))] })],
    [3, () => ({ args: ["LLEN", key()] })],
    [6, () => ({ args: ["LRANGE", key(), index(), index()] })],
    [3, () => ({ args: ["LRANGE", key(), "0", "-1"] })],
    [3, () => ({ args: ["LINDEX", key(), index()] })],
    [3, () => ({ args: ["LSET", key(), index(), element()] })],
    [3, () => ({ args: ["LINSERT", key(), pick(["BEFORE", "AFTER"]), small(), element()] })],
    [3, () => ({ args: ["LREM", key(), String(Math.floor(random() * 7) - 3), small()] })],
    [2, () => ({ args: ["LTRIM", key(), index(), index()] })],
    [
      3,
      () => ({
        args: [
          "LPOS",
          key(),
          small(),
          ...(random() < 0.5 ? ["RANK", pick(["1", "2", "-1", "-3"])] : []),
          ...(random() < 0.5 ? ["COUNT", pick(["0", "1", "3"])] : []),
          ...(random() < 0.3 ? ["MAXLEN", pick(["0", "2", "10"])] : []),
        ],
      }),
    ],
    [3, () => ({ args: ["LMOVE", key(), key(), where(), where()] })],
    [1, () => ({ args: ["RPOPLPUSH", key(), key()] })],
    [
      2,
      () => ({
        args: [
          "LMPOP",
          "2",
          key(),
          key(),
          where(),
          ...(random() < 0.5 ? ["COUNT", String(1 + Math.floor(random() * 4))] : []),
        ],
      }),
    ],
    [1, () => ({ args: [pick(["BLPOP", "BRPOP"]), key(), key(), "0.001"] })],
    [1, () => ({ args: ["BLMOVE", key(), key(), where(), where(), "0.001"] })],
    [1, () => ({ args: ["BLMPOP", "0.001", "1", key(), where(), "COUNT", "2"] })],
    [1, () => ({ args: ["DEL", key()] })],
    [1, () => ({ args: ["EXISTS", key(), key()] })],
    [1, () => ({ args: ["TYPE", key()] })],
    [1, () => ({ args: ["OBJECT", "ENCODING", key()] })],
    [1, () => ({ args: ["EXPIRE", key(), "1000"] })],
    [1, () => ({ args: ["TTL", key()] })],
    [1, () => ({ args: ["RENAME", key(), key()] })],
    [1, () => ({ args: ["COPY", key(), key(), ...(random() < 0.5 ? ["REPLACE"] : [])] })],
    [1, () => ({ args: ["SET", key(), small()] })],
  ];
  const pickGenerator = weightedPicker(random, weighted);
  const steps: DiffStep[] = [];
  for (let i = 0; i < RANDOM_COMMAND_COUNT; i++) steps.push(pickGenerator()());
  return { name: `random list sequence seed ${seed}`, steps };
}
