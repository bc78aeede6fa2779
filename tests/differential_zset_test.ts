// Differential tests for sorted sets: every zset command, its options and its error texts, and
// two long seeded random sequences (RESP2 and RESP3) mixing zset commands with DEL, EXISTS,
// TYPE, EXPIRE, RENAME, COPY and string SETs, must get the same bytes from resplica as from
// redis-server 7.0.
//
// Order-insensitive comparison is used only where Redis's order is unspecified: ZRANDMEMBER
// with a count below the set's size (and negative counts, where only the length is fixed), and
// ZSCAN of a skiplist-encoded set (dict order). Lex commands run on keys whose scores are all
// 0, since Redis leaves lex ranges over mixed scores unspecified (and its answer then depends
// on the skiplist's random levels).
//
// RESPLICA_DIFF_SEED=<n> replays one random sequence; RESPLICA_DIFF_KEEP_GOING=1 reports every
// mismatching step.

import {
  arity,
  type DiffCase,
  diffSeed,
  type DiffStep,
  ERR_NOT_FLOAT,
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

/** Commands in the RESP2 and the RESP3 random sequences. */
const RANDOM_RESP2_COMMAND_COUNT = 8_000;
const RANDOM_RESP3_COMMAND_COUNT = 3_000;

const keepGoing = keepGoingFromEnv();

const ERR_RANGE_FLOAT = "-ERR min or max is not a float\r\n";
const ERR_RANGE_LEX = "-ERR min or max not valid string range item\r\n";
const LONG = "m".repeat(70);

/** Steps that fill key with count members m0…, scores i * step. */
function fill(key: string, count: number, step = 1, prefix = "m"): DiffStep {
  const args = ["ZADD", key];
  for (let i = 0; i < count; i++) args.push(String(i * step), `${prefix}${i}`);
  return { args };
}

export const zsetCases: DiffCase[] = [
  {
    name: "ZADD basics and reply counts",
    steps: [
      expect("ZADD z 1 a", ":1\r\n"),
      expect("ZADD z 1 a", ":0\r\n"),
      expect("ZADD z 2 a 3 b", ":1\r\n"),
      "ZRANGE z 0 -1 WITHSCORES",
      expect("ZADD z CH 5 a 3 b 4 c", ":2\r\n"),
      expect("ZADD z NX 10 a 10 d", ":1\r\n"),
      expect("ZADD z XX 11 a 11 e", ":0\r\n"),
      "ZRANGE z 0 -1 WITHSCORES",
      expect("ZADD z XX CH 12 a 12 e", ":1\r\n"),
      expect("ZADD z GT CH 1 a 20 b", ":1\r\n"),
      expect("ZADD z LT CH 1 a 30 c", ":1\r\n"),
      expect("ZADD z GT 5 new", ":1\r\n"),
      "ZRANGE z 0 -1 WITHSCORES",
      expect("ZADD z GT XX CH 100 new 100 nope", ":1\r\n"),
      "ZCARD z",
      expect("ZADD missing XX 1 a", ":0\r\n"),
      "EXISTS missing",
      "ZADD z nx ch 7 q",
      "ZADD z 1 a 2 a 3 a",
      "ZSCORE z a",
      "ZADD z CH 1 dup 2 dup",
      "ZSCORE z dup",
    ],
  },
  {
    name: "ZADD errors",
    steps: [
      expect("ZADD z", arity("zadd")),
      expect("ZADD z 1", arity("zadd")),
      expect("ZADD z 1 a 2", ERR_SYNTAX),
      expect("ZADD z NX", arity("zadd")),
      expect("ZADD z NX XX", ERR_SYNTAX),
      expect("ZADD z NX XX 1 a", "-ERR XX and NX options at the same time are not compatible\r\n"),
      expect(
        "ZADD z GT LT 1 a",
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
      ),
      expect(
        "ZADD z NX GT 1 a",
        "-ERR GT, LT, and/or NX options at the same time are not compatible\r\n",
      ),
      expect(
        "ZADD z INCR 1 a 2 b",
        "-ERR INCR option supports a single increment-element pair\r\n",
      ),
      expect("ZADD z abc a", ERR_NOT_FLOAT),
      expect("ZADD z 1 a x b", ERR_NOT_FLOAT),
      "EXISTS z",
      expect("ZADD z nan a", ERR_NOT_FLOAT),
      expect(["ZADD", "z", " 1", "a"], ERR_NOT_FLOAT),
      expect(["ZADD", "z", "1 ", "a"], ERR_NOT_FLOAT),
      expect(["ZADD", "z", "", "a"], ERR_NOT_FLOAT),
      expect("ZADD z 1e400 a", ERR_NOT_FLOAT),
      expect("ZADD z 1e-400 a", ERR_NOT_FLOAT),
      expect("ZADD z (1 a", ERR_NOT_FLOAT),
      "ZADD z 1e-310 tiny 0x10 hex 0x1.8p1 hexf inf i1 +inf i2 -inf i3 INFINITY i4 1e308 big",
      "ZADD z 1E2 e1 .5 half 5. five -.5e1 neg +3 plus 00012 lead",
      "ZRANGE z 0 -1 WITHSCORES",
      "SET s x",
      expect("ZADD s 1 a", ERR_WRONGTYPE),
      expect("ZADD s abc a", ERR_NOT_FLOAT),
      "ZADD z 1 ok",
      expect("ZADD z BOGUS 1 a", ERR_SYNTAX),
    ],
  },
  {
    name: "ZADD INCR and ZINCRBY",
    steps: [
      expect("ZADD z INCR 1.5 a", "$3\r\n1.5\r\n"),
      "ZADD z INCR 0.1 a",
      "ZINCRBY z 0.2 a",
      "ZINCRBY z -10 b",
      expect("ZADD z NX INCR 1 a", "$-1\r\n"),
      expect("ZADD z XX INCR 1 nope", "$-1\r\n"),
      "ZADD z GT INCR -1 a",
      "ZADD z LT INCR -1 a",
      "ZADD z INCR inf a",
      expect("ZADD z INCR -inf a", "-ERR resulting score is not a number (NaN)\r\n"),
      expect("ZINCRBY z -inf a", "-ERR resulting score is not a number (NaN)\r\n"),
      "ZSCORE z a",
      "ZINCRBY z 0 a",
      expect("ZINCRBY z abc a", ERR_NOT_FLOAT),
      expect("ZINCRBY z nx a", ERR_SYNTAX),
      expect("ZINCRBY z 1", arity("zincrby")),
      "ZINCRBY new 5 m",
      "ZSCORE new m",
      "SET s x",
      expect("ZINCRBY s 1 a", ERR_WRONGTYPE),
      "ZINCRBY z 1e308 big",
      "ZINCRBY z 1e308 big",
      "ZADD z INCR -0 negzero",
      "ZSCORE z negzero",
      "ZINCRBY z 0.30000000000000004 f",
      "ZINCRBY z 123456789012345678 f",
    ],
  },
  {
    name: "ZREM, ZCARD, ZSCORE, ZMSCORE",
    steps: [
      "ZADD z 1 a 2 b 3 c",
      expect("ZREM z a x", ":1\r\n"),
      expect("ZREM z x y", ":0\r\n"),
      expect("ZCARD z", ":2\r\n"),
      expect("ZSCORE z b", "$1\r\n2\r\n"),
      expect("ZSCORE z x", "$-1\r\n"),
      expect("ZSCORE nokey x", "$-1\r\n"),
      "ZMSCORE z b x c",
      "ZMSCORE nokey a b",
      expect("ZREM z b c c", ":2\r\n"),
      expect("EXISTS z", ":0\r\n"),
      expect("ZREM nokey a", ":0\r\n"),
      expect("ZCARD nokey", ":0\r\n"),
      "SET s x",
      expect("ZREM s a", ERR_WRONGTYPE),
      expect("ZCARD s", ERR_WRONGTYPE),
      expect("ZSCORE s a", ERR_WRONGTYPE),
      expect("ZMSCORE s a", ERR_WRONGTYPE),
      expect("ZREM z", arity("zrem")),
      expect("ZSCORE z", arity("zscore")),
      expect("ZMSCORE z", arity("zmscore")),
      expect("ZCARD", arity("zcard")),
      ["ZADD", "bin", "1", "a\u0000b", "2", ""],
      ["ZSCORE", "bin", "a\u0000b"],
      ["ZSCORE", "bin", ""],
      "ZRANGE bin 0 -1 WITHSCORES",
    ],
  },
  {
    name: "ZRANK, ZREVRANK",
    steps: [
      "ZADD z 1 a 2 b 3 c 3 d",
      expect("ZRANK z a", ":0\r\n"),
      expect("ZRANK z d", ":3\r\n"),
      expect("ZREVRANK z a", ":3\r\n"),
      expect("ZRANK z x", "$-1\r\n"),
      expect("ZRANK nokey x", "$-1\r\n"),
      "ZREVRANK z c",
      "SET s x",
      expect("ZRANK s a", ERR_WRONGTYPE),
      expect("ZRANK z", arity("zrank")),
      expect("ZRANK z a b", arity("zrank")),
      fill("big", 300),
      "ZRANK big m0",
      "ZRANK big m150",
      "ZREVRANK big m150",
      "ZRANK big m299",
      "ZRANK big nope",
    ],
  },
  {
    name: "ZRANGE by rank and ZREVRANGE",
    steps: [
      "ZADD z 1 a 2 b 3 c 4 d 5 e",
      "ZRANGE z 0 -1",
      "ZRANGE z 1 3 WITHSCORES",
      "ZRANGE z -2 -1",
      "ZRANGE z -100 100",
      "ZRANGE z 3 1",
      "ZRANGE z 5 10",
      "ZRANGE z 0 -1 REV",
      "ZRANGE z 0 1 REV WITHSCORES",
      "ZREVRANGE z 0 -1",
      "ZREVRANGE z 1 2 WITHSCORES",
      "ZREVRANGE z -1 -1",
      "ZRANGE z 0 9223372036854775807",
      "ZRANGE z -9223372036854775808 0",
      expect("ZRANGE z a 1", ERR_NOT_INTEGER),
      expect("ZRANGE z 0 1.5", ERR_NOT_INTEGER),
      expect(
        "ZRANGE z 0 1 LIMIT 0 1",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
      ),
      expect("ZRANGE z 0 1 BOGUS", ERR_SYNTAX),
      expect("ZREVRANGE z 0 1 REV", ERR_SYNTAX),
      expect("ZREVRANGE z 0 1 BYSCORE", ERR_SYNTAX),
      expect("ZRANGE z 0 1 BYSCORE BYLEX", ERR_SYNTAX),
      expect("ZRANGE z 0 1 REV REV", ERR_SYNTAX),
      expect("ZRANGE z 0 1 LIMIT 0", ERR_SYNTAX),
      expect("ZRANGE nokey 0 -1", "*0\r\n"),
      "SET s x",
      expect("ZRANGE s 0 -1", ERR_WRONGTYPE),
      expect("ZRANGE s a b", ERR_NOT_INTEGER),
      expect("ZRANGE z 0", arity("zrange")),
      fill("big", 300, 0.5),
      "ZRANGE big 0 9 WITHSCORES",
      "ZRANGE big 145 155",
      "ZRANGE big -5 -1 WITHSCORES",
      "ZREVRANGE big 0 4",
      "ZRANGE big 0 -1",
    ],
  },
  {
    name: "ZRANGEBYSCORE, ZREVRANGEBYSCORE, ZCOUNT",
    steps: [
      "ZADD z 1 a 2 b 3 c 4 d 5 e -inf ninf inf pinf",
      "ZRANGEBYSCORE z -inf +inf WITHSCORES",
      "ZRANGEBYSCORE z 2 4",
      "ZRANGEBYSCORE z (2 4",
      "ZRANGEBYSCORE z (2 (4",
      "ZRANGEBYSCORE z 4 2",
      "ZRANGEBYSCORE z (3 3",
      "ZRANGEBYSCORE z 3 3",
      "ZRANGEBYSCORE z -inf +inf LIMIT 1 2",
      "ZRANGEBYSCORE z -inf +inf LIMIT 1 -1",
      "ZRANGEBYSCORE z -inf +inf LIMIT -1 5",
      "ZRANGEBYSCORE z -inf +inf LIMIT 10 5",
      "ZRANGEBYSCORE z -inf +inf LIMIT 0 0",
      "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 2 2",
      "ZREVRANGEBYSCORE z +inf -inf",
      "ZREVRANGEBYSCORE z 4 2 WITHSCORES",
      "ZREVRANGEBYSCORE z (4 (2",
      "ZREVRANGEBYSCORE z 2 4",
      "ZREVRANGEBYSCORE z +inf -inf LIMIT 1 3",
      "ZRANGE z 2 4 BYSCORE",
      "ZRANGE z 4 2 BYSCORE REV WITHSCORES",
      "ZRANGE z -inf +inf BYSCORE LIMIT 2 3",
      "ZRANGE z +inf -inf BYSCORE REV LIMIT 2 3",
      ["ZRANGEBYSCORE", "z", "", "("],
      ["ZRANGEBYSCORE", "z", " 1", "2"],
      ["ZRANGEBYSCORE", "z", "1e400", "inf"],
      "ZRANGEBYSCORE z -inf 0x1p2",
      expect("ZRANGEBYSCORE z (nan 2", ERR_RANGE_FLOAT),
      expect("ZRANGEBYSCORE z a 2", ERR_RANGE_FLOAT),
      expect(["ZRANGEBYSCORE", "z", "1 ", "2"], ERR_RANGE_FLOAT),
      expect("ZRANGEBYSCORE z 1 2 REV", ERR_SYNTAX),
      expect("ZRANGEBYSCORE z 1 2 LIMIT 0", ERR_SYNTAX),
      expect("ZRANGEBYSCORE z 1 2 LIMIT a 1", ERR_NOT_INTEGER),
      expect("ZRANGEBYSCORE z 1 2 BYSCORE", ERR_SYNTAX),
      expect("ZCOUNT z -inf +inf", ":7\r\n"),
      expect("ZCOUNT z (1 (5", ":3\r\n"),
      "ZCOUNT z 5 1",
      "ZCOUNT nokey 1 2",
      expect("ZCOUNT z a b", ERR_RANGE_FLOAT),
      "SET s x",
      expect("ZCOUNT s 1 2", ERR_WRONGTYPE),
      expect("ZCOUNT s a 2", ERR_RANGE_FLOAT),
      expect("ZRANGEBYSCORE s 1 2", ERR_WRONGTYPE),
      "ZRANGEBYSCORE nokey 1 2",
      fill("big", 400, 0.25),
      "ZCOUNT big 10 20",
      "ZCOUNT big (10 (20",
      "ZRANGEBYSCORE big 10 12 WITHSCORES",
      "ZREVRANGEBYSCORE big 12 (10 LIMIT 2 3",
      "ZRANGEBYSCORE big -inf +inf LIMIT 395 10",
    ],
  },
  {
    name: "Lex ranges",
    steps: [
      "ZADD z 0 a 0 b 0 c 0 d 0 e 0 f 0 aa",
      "ZRANGEBYLEX z - +",
      "ZRANGEBYLEX z [b [d",
      "ZRANGEBYLEX z (b (d",
      "ZRANGEBYLEX z [a (b",
      "ZRANGEBYLEX z - (c",
      "ZRANGEBYLEX z [c +",
      "ZRANGEBYLEX z + -",
      "ZRANGEBYLEX z - -",
      "ZRANGEBYLEX z [d [b",
      "ZRANGEBYLEX z [b [b",
      "ZRANGEBYLEX z (b [b",
      "ZRANGEBYLEX z - + LIMIT 2 3",
      "ZRANGEBYLEX z - + LIMIT -1 3",
      "ZREVRANGEBYLEX z + -",
      "ZREVRANGEBYLEX z [d [b",
      "ZREVRANGEBYLEX z (d - LIMIT 1 2",
      "ZRANGE z [b [e BYLEX",
      "ZRANGE z [e [b BYLEX REV LIMIT 0 2",
      ["ZRANGEBYLEX", "z", "[", "+"],
      ["ZRANGEBYLEX", "z", "(", "(c"],
      expect("ZLEXCOUNT z - +", ":7\r\n"),
      expect("ZLEXCOUNT z [b (e", ":3\r\n"),
      "ZLEXCOUNT z + -",
      "ZLEXCOUNT nokey - +",
      expect("ZRANGEBYLEX z a b", ERR_RANGE_LEX),
      expect("ZRANGEBYLEX z +a -", ERR_RANGE_LEX),
      expect(["ZRANGEBYLEX", "z", "", "+"], ERR_RANGE_LEX),
      expect("ZLEXCOUNT z [a x", ERR_RANGE_LEX),
      expect(
        "ZRANGEBYLEX z - + WITHSCORES",
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
      ),
      expect(
        "ZRANGE z - + BYLEX WITHSCORES",
        "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n",
      ),
      expect("ZRANGEBYLEX z - + BYLEX", ERR_SYNTAX),
      "SET s x",
      expect("ZRANGEBYLEX s - +", ERR_WRONGTYPE),
      expect("ZLEXCOUNT s - +", ERR_WRONGTYPE),
      fill("big", 300, 0, "k"),
      "ZRANGEBYLEX big [k1 [k11",
      "ZLEXCOUNT big [k1 (k2",
      "ZREVRANGEBYLEX big (k3 [k29 LIMIT 1 4",
      "ZREMRANGEBYLEX big [k1 (k2",
      "ZCARD big",
      "ZRANGEBYLEX big - + LIMIT 0 5",
    ],
  },
  {
    name: "ZREMRANGEBYRANK, ZREMRANGEBYSCORE, ZREMRANGEBYLEX",
    steps: [
      "ZADD z 1 a 2 b 3 c 4 d 5 e",
      expect("ZREMRANGEBYRANK z 0 1", ":2\r\n"),
      "ZRANGE z 0 -1",
      expect("ZREMRANGEBYRANK z 5 10", ":0\r\n"),
      expect("ZREMRANGEBYRANK z -1 -1", ":1\r\n"),
      expect("ZREMRANGEBYSCORE z (3 +inf", ":1\r\n"),
      "ZRANGE z 0 -1",
      expect("ZREMRANGEBYSCORE z -inf +inf", ":1\r\n"),
      "EXISTS z",
      "ZADD l 0 a 0 b 0 c",
      expect("ZREMRANGEBYLEX l [a (c", ":2\r\n"),
      expect("ZREMRANGEBYLEX l - +", ":1\r\n"),
      "EXISTS l",
      expect("ZREMRANGEBYRANK nokey 0 -1", ":0\r\n"),
      expect("ZREMRANGEBYSCORE nokey 0 1", ":0\r\n"),
      expect("ZREMRANGEBYRANK z a 1", ERR_NOT_INTEGER),
      expect("ZREMRANGEBYSCORE z a 1", ERR_RANGE_FLOAT),
      expect("ZREMRANGEBYLEX z a 1", ERR_RANGE_LEX),
      "SET s x",
      expect("ZREMRANGEBYRANK s 0 1", ERR_WRONGTYPE),
      expect("ZREMRANGEBYSCORE s a 1", ERR_RANGE_FLOAT),
      expect("ZREMRANGEBYRANK z 0", arity("zremrangebyrank")),
      fill("big", 300),
      "ZREMRANGEBYRANK big 10 19",
      "ZREMRANGEBYSCORE big 100 (150",
      "ZCARD big",
      "ZRANGE big 5 25 WITHSCORES",
      "ZREMRANGEBYRANK big 0 -1",
      "EXISTS big",
    ],
  },
  {
    name: "ZPOPMIN, ZPOPMAX",
    steps: [
      "ZADD z 1 a 2 b 3 c 4 d",
      "ZPOPMIN z",
      "ZPOPMAX z",
      "ZPOPMIN z 0",
      "ZPOPMIN z 5",
      "EXISTS z",
      expect("ZPOPMIN z", "*0\r\n"),
      "ZPOPMIN nokey 0",
      expect("ZPOPMIN z -1", "-ERR value is out of range, must be positive\r\n"),
      expect("ZPOPMIN z a", "-ERR value is out of range, must be positive\r\n"),
      expect("ZPOPMIN z 1 2", ERR_SYNTAX),
      "SET s x",
      expect("ZPOPMAX s", ERR_WRONGTYPE),
      expect("ZPOPMAX s 0", ERR_WRONGTYPE),
      expect("ZPOPMIN", arity("zpopmin")),
      fill("big", 200),
      "ZPOPMAX big 3",
      "ZPOPMIN big 2",
      "ZCARD big",
      "OBJECT ENCODING big",
    ],
  },
  {
    name: "BZPOPMIN, BZPOPMAX (non-blocking paths)",
    steps: [
      "ZADD z 1 a 2 b",
      "BZPOPMIN z 0",
      "BZPOPMAX nokey z 0",
      "BZPOPMIN z 0.01",
      expect("BZPOPMIN nokey 0.01", "*-1\r\n"),
      "SET s x",
      expect("BZPOPMIN s 0", ERR_WRONGTYPE),
      "ZADD z2 5 q",
      expect("BZPOPMIN nokey s z2 0", ERR_WRONGTYPE),
      "BZPOPMIN z2 s 0",
      expect("BZPOPMIN z abc", "-ERR timeout is not a float or out of range\r\n"),
      expect("BZPOPMIN z -1", "-ERR timeout is negative\r\n"),
      expect("BZPOPMIN z", arity("bzpopmin")),
      "MULTI",
      "BZPOPMIN nokey 0",
      "ZADD z 1 x",
      "BZPOPMAX z 0",
      "EXEC",
    ],
  },
  {
    name: "BZPOPMIN blocks until a ZADD from another client",
    steps: [
      // Connection 1 sends BZPOPMIN and does not wait; connection 2's ZADD wakes it.
      { raw: "*4\r\n$8\r\nBZPOPMIN\r\n$2\r\nk1\r\n$2\r\nk2\r\n$1\r\n5\r\n", replies: 0 },
      { args: ["ZADD", "k2", "3", "x", "4", "y"], conn: 2 },
      { raw: "", replies: 1 },
      { args: ["ZRANGE", "k2", "0", "-1", "WITHSCORES"], conn: 2 },
      { raw: "*3\r\n$8\r\nBZPOPMAX\r\n$2\r\nk2\r\n$1\r\n5\r\n", replies: 1 },
      { args: ["EXISTS", "k2"], conn: 2 },
      { raw: "*3\r\n$8\r\nBZPOPMAX\r\n$2\r\nk3\r\n$4\r\n0.05\r\n", replies: 1 },
    ],
  },
  {
    name: "ZMPOP, BZMPOP",
    steps: [
      "ZADD a 1 x 2 y 3 z",
      "ZADD b 5 q",
      "ZMPOP 1 a MIN",
      "ZMPOP 2 nokey a MAX COUNT 5",
      "EXISTS a",
      expect("ZMPOP 1 nokey MIN", "*-1\r\n"),
      "ZMPOP 3 nokey a b min count 1",
      expect("ZMPOP 0 a MIN", "-ERR numkeys should be greater than 0\r\n"),
      expect("ZMPOP x a MIN", "-ERR numkeys should be greater than 0\r\n"),
      expect("ZMPOP 2 a MIN", ERR_SYNTAX),
      expect("ZMPOP 1 a FOO", ERR_SYNTAX),
      expect("ZMPOP 1 a MIN COUNT 0", "-ERR count should be greater than 0\r\n"),
      expect("ZMPOP 1 a MIN COUNT x", "-ERR count should be greater than 0\r\n"),
      expect("ZMPOP 1 a MIN COUNT 1 COUNT 1", ERR_SYNTAX),
      expect("ZMPOP 1 a MIN COUNT", ERR_SYNTAX),
      expect("ZMPOP 9223372036854775807 a MIN", ERR_SYNTAX),
      expect("ZMPOP 1 a", arity("zmpop")),
      "SET s v",
      "ZADD c 1 m",
      expect("ZMPOP 2 s c MIN", ERR_WRONGTYPE),
      "ZMPOP 2 c s MIN",
      "ZADD c 1 m 2 n",
      "BZMPOP 0 1 c MAX COUNT 10",
      expect("BZMPOP 0.01 1 nokey MIN", "*-1\r\n"),
      expect("BZMPOP x 1 nokey MIN", "-ERR timeout is not a float or out of range\r\n"),
      expect("BZMPOP x 1 nokey MIN COUNT 0", "-ERR count should be greater than 0\r\n"),
      expect("BZMPOP 0 0 a MIN", "-ERR numkeys should be greater than 0\r\n"),
      expect("BZMPOP 0 1 s MIN", ERR_WRONGTYPE),
      expect("BZMPOP 0 1 a", arity("bzmpop")),
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      "ZADD d 1 m 2 n",
      "ZMPOP 1 d MIN COUNT 1",
      "BZMPOP 0 1 d MIN",
      "ZMPOP 1 d MIN",
      "MULTI",
      "BZMPOP 0 1 nokey MIN",
      "EXEC",
      { raw: "*5\r\n$6\r\nBZMPOP\r\n$1\r\n5\r\n$1\r\n1\r\n$1\r\ne\r\n$3\r\nMAX\r\n", replies: 0 },
      { args: ["ZADD", "e", "1", "a", "2", "b"], conn: 2 },
      { raw: "", replies: 1 },
      { args: ["ZRANGE", "e", "0", "-1"], conn: 2 },
    ],
  },
  {
    name: "ZRANDMEMBER (deterministic forms)",
    steps: [
      "ZADD z 1 a 2 b 3 c",
      "ZRANDMEMBER z 3",
      "ZRANDMEMBER z 10 WITHSCORES",
      "ZRANDMEMBER z 0",
      "ZRANDMEMBER nokey",
      "ZRANDMEMBER nokey 5",
      "ZRANDMEMBER nokey 0",
      { args: ["ZRANDMEMBER", "z"], pattern: /^\$1\r\n[abc]\r\n$/ },
      { args: ["ZRANDMEMBER", "z", "2"], pattern: /^\*2\r\n(\$1\r\n[abc]\r\n){2}$/ },
      { args: ["ZRANDMEMBER", "z", "-5"], pattern: /^\*5\r\n(\$1\r\n[abc]\r\n){5}$/ },
      {
        args: ["ZRANDMEMBER", "z", "-2", "WITHSCORES"],
        pattern: /^\*4\r\n(\$1\r\n[abc]\r\n\$1\r\n[123]\r\n){2}$/,
      },
      expect("ZRANDMEMBER z 1 x", ERR_SYNTAX),
      expect("ZRANDMEMBER z 1 WITHSCORES x", ERR_SYNTAX),
      expect("ZRANDMEMBER z a", ERR_NOT_INTEGER),
      expect(
        "ZRANDMEMBER z -9223372036854775808",
        "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n",
      ),
      expect("ZRANDMEMBER z 4611686018427387904 WITHSCORES", "-ERR value is out of range\r\n"),
      expect("ZRANDMEMBER z -4611686018427387904 WITHSCORES", "-ERR value is out of range\r\n"),
      "SET s x",
      expect("ZRANDMEMBER s", ERR_WRONGTYPE),
      expect("ZRANDMEMBER s 0", ERR_WRONGTYPE),
      fill("big", 200),
      "ZRANDMEMBER big 500 WITHSCORES",
      { args: ["ZRANDMEMBER", "big", "-3"], pattern: /^\*3\r\n(\$\d+\r\nm\d+\r\n){3}$/ },
    ],
  },
  {
    name: "ZSCAN",
    steps: [
      "ZADD z 1 a 2 b 1.5 c 0.1 d",
      "ZSCAN z 0",
      "ZSCAN z 0 MATCH a*",
      "ZSCAN z 0 MATCH [bc] COUNT 1",
      "ZSCAN z 0 COUNT 100 MATCH *",
      "ZSCAN nokey 0",
      "ZSCAN nokey 0 BOGUS",
      expect("ZSCAN z abc", "-ERR invalid cursor\r\n"),
      expect("ZSCAN z 0 COUNT 0", ERR_SYNTAX),
      expect("ZSCAN z 0 COUNT a", ERR_NOT_INTEGER),
      expect("ZSCAN z 0 TYPE zset", ERR_SYNTAX),
      expect("ZSCAN z 0 MATCH", ERR_SYNTAX),
      "SET s x",
      expect("ZSCAN s 0", ERR_WRONGTYPE),
      expect("ZSCAN s x", "-ERR invalid cursor\r\n"),
      expect("ZSCAN z", arity("zscan")),
      "ZADD neg -0 m 1e20 big inf i 1e15 q",
      "ZSCAN neg 0",
    ],
  },
  {
    name: "ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE",
    steps: [
      "ZADD a 1 x 2 y 3 z",
      "ZADD b 10 y 20 z 30 w",
      expect("ZUNIONSTORE d 2 a b", ":4\r\n"),
      "ZRANGE d 0 -1 WITHSCORES",
      "ZUNIONSTORE d 2 a b WEIGHTS 2 0.5",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZUNIONSTORE d 2 a b AGGREGATE MIN",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZUNIONSTORE d 2 a b AGGREGATE MAX WEIGHTS 1 -1",
      "ZRANGE d 0 -1 WITHSCORES",
      expect("ZINTERSTORE d 2 a b", ":2\r\n"),
      "ZRANGE d 0 -1 WITHSCORES",
      "ZINTERSTORE d 2 a b AGGREGATE MAX",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZINTERSTORE d 3 a b nokey",
      "EXISTS d",
      "ZUNIONSTORE d 2 a a",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZINTERSTORE d 2 a a WEIGHTS 1 2",
      "ZRANGE d 0 -1 WITHSCORES",
      expect("ZDIFFSTORE d 2 a b", ":1\r\n"),
      "ZRANGE d 0 -1 WITHSCORES",
      "ZDIFFSTORE d 1 nokey",
      "EXISTS d",
      "ZADD inf 1 x inf y -inf z",
      "ZUNIONSTORE d 2 inf inf WEIGHTS 1 -1",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZINTERSTORE d 2 inf a WEIGHTS 0 1",
      "ZRANGE d 0 -1 WITHSCORES",
      "SET dst string",
      "EXPIRE dst 1000",
      "ZUNIONSTORE dst 1 a",
      "TYPE dst",
      "TTL dst",
      "ZUNIONSTORE a 2 a b",
      "ZRANGE a 0 -1 WITHSCORES",
      expect(
        "ZUNIONSTORE d 0 a",
        "-ERR at least 1 input key is needed for 'zunionstore' command\r\n",
      ),
      expect(
        "ZINTERSTORE d -1 a",
        "-ERR at least 1 input key is needed for 'zinterstore' command\r\n",
      ),
      expect(
        "ZDIFFSTORE d 0 a",
        "-ERR at least 1 input key is needed for 'zdiffstore' command\r\n",
      ),
      expect("ZUNIONSTORE d 3 a b", ERR_SYNTAX),
      expect("ZUNIONSTORE d x a", ERR_NOT_INTEGER),
      expect("ZUNIONSTORE d 2 a b WEIGHTS 1", ERR_SYNTAX),
      expect("ZUNIONSTORE d 2 a b WEIGHTS 1 x", "-ERR weight value is not a float\r\n"),
      expect("ZUNIONSTORE d 2 a b AGGREGATE avg", ERR_SYNTAX),
      expect("ZUNIONSTORE d 2 a b AGGREGATE", ERR_SYNTAX),
      expect("ZUNIONSTORE d 2 a b WITHSCORES", ERR_SYNTAX),
      expect("ZDIFFSTORE d 2 a b WEIGHTS 1 1", ERR_SYNTAX),
      "SET s x",
      expect("ZUNIONSTORE d 2 a s", ERR_WRONGTYPE),
      expect("ZUNIONSTORE d 2 s a WEIGHTS x", ERR_WRONGTYPE),
      expect("ZUNIONSTORE d", arity("zunionstore")),
      fill("big", 300),
      fill("big2", 200, 2),
      "ZUNIONSTORE d 2 big big2",
      "OBJECT ENCODING d",
      "ZRANGE d 0 9 WITHSCORES",
      "ZINTERSTORE d 2 big big2 WEIGHTS 1 0.5",
      "ZRANGE d -10 -1 WITHSCORES",
      "OBJECT ENCODING d",
      "ZINTERSTORE d 2 big big2 AGGREGATE MIN",
      "ZCARD d",
      "OBJECT ENCODING d",
      "ZDIFFSTORE d 2 big big2",
      "ZCARD d",
      "OBJECT ENCODING d",
      ["ZADD", "long", "1", LONG],
      "ZUNIONSTORE d 1 long",
      "OBJECT ENCODING d",
    ],
  },
  {
    name: "ZRANGESTORE, ZUNION, ZINTER, ZDIFF, ZINTERCARD",
    steps: [
      "ZADD a 1 x 2 y 3 z -0 n",
      "ZADD b 10 y 20 z 30 w",
      expect("ZRANGESTORE d a 0 -1", ":4\r\n"),
      "ZRANGE d 0 -1 WITHSCORES",
      "ZSCORE d n",
      "ZRANGESTORE d a (1 +inf BYSCORE LIMIT 0 1",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZRANGESTORE d a +inf -inf BYSCORE REV LIMIT 1 2",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZRANGESTORE d a 0 0 REV",
      "ZRANGE d 0 -1 WITHSCORES",
      "ZADD l 0 a 0 b 0 c",
      "ZRANGESTORE d l [b + BYLEX",
      "ZRANGE d 0 -1",
      "SET d string",
      "EXPIRE d 100",
      "ZRANGESTORE d a 0 1",
      "TTL d",
      expect("ZRANGESTORE d nokey 0 -1", ":0\r\n"),
      "EXISTS d",
      "ZRANGESTORE d a 5 10",
      expect("ZRANGESTORE d a 0 -1 WITHSCORES", ERR_SYNTAX),
      expect("ZRANGESTORE d a 0", arity("zrangestore")),
      "SET s x",
      expect("ZRANGESTORE d s 0 -1", ERR_WRONGTYPE),
      expect(
        "ZRANGESTORE d a 0 -1 LIMIT 0 1",
        "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n",
      ),
      fill("big", 200),
      "ZRANGESTORE d big 0 127",
      "OBJECT ENCODING d",
      "ZRANGESTORE d big 0 128",
      "OBJECT ENCODING d",
      "ZRANGESTORE d big -inf +inf BYSCORE",
      "OBJECT ENCODING d",
      "ZRANGESTORE d big 0 +inf BYSCORE LIMIT 0 100",
      "OBJECT ENCODING d",
      "ZUNION 2 a b",
      "ZUNION 2 a b WITHSCORES",
      "ZUNION 2 a b WEIGHTS 1 -1 AGGREGATE MIN WITHSCORES",
      "ZINTER 2 a b WITHSCORES",
      "ZINTER 2 a b AGGREGATE MAX",
      "ZDIFF 2 a b WITHSCORES",
      "ZDIFF 1 nokey",
      "ZUNION 1 nokey WITHSCORES",
      expect("ZUNION 0 a", "-ERR at least 1 input key is needed for 'zunion' command\r\n"),
      expect("ZUNION 2 a", ERR_SYNTAX),
      expect("ZDIFF 2 a b WEIGHTS 1 1", ERR_SYNTAX),
      expect("ZUNION 2 a s", ERR_WRONGTYPE),
      expect("ZUNION 1", arity("zunion")),
      expect("ZINTERCARD 2 a b", ":2\r\n"),
      expect("ZINTERCARD 2 a b LIMIT 1", ":1\r\n"),
      "ZINTERCARD 2 a b LIMIT 0",
      "ZINTERCARD 1 nokey",
      expect("ZINTERCARD 2 a b LIMIT -1", "-ERR LIMIT can't be negative\r\n"),
      expect("ZINTERCARD 2 a b LIMIT x", "-ERR LIMIT can't be negative\r\n"),
      expect("ZINTERCARD 2 a b WITHSCORES", ERR_SYNTAX),
      expect("ZINTERCARD 1 a WEIGHTS 1", ERR_SYNTAX),
      expect("ZINTERCARD 0 a", "-ERR at least 1 input key is needed for 'zintercard' command\r\n"),
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      "ZUNION 2 a b WITHSCORES",
      "ZDIFF 1 a",
    ],
  },
  {
    name: "Encodings and conversion thresholds",
    steps: [
      fill("z", 128),
      expect("OBJECT ENCODING z", "$8\r\nlistpack\r\n"),
      "ZADD z 5 m3",
      "OBJECT ENCODING z",
      "ZADD z 1000 extra",
      expect("OBJECT ENCODING z", "$8\r\nskiplist\r\n"),
      "ZREM z extra m1 m2",
      "OBJECT ENCODING z",
      ["ZADD", "v", "1", "x".repeat(64)],
      "OBJECT ENCODING v",
      ["ZADD", "v", "1", "y".repeat(65)],
      "OBJECT ENCODING v",
      ["ZADD", "w", "1", "y".repeat(65)],
      "OBJECT ENCODING w",
      ["ZADD", "u", "XX", "1", "y".repeat(65)],
      "OBJECT ENCODING u",
      ["ZADD", "neg", "-0", "a", "1", LONG],
      "ZSCORE neg a",
      "ZADD neg -0 b",
      "ZSCORE neg b",
      "ZADD lp -0 a",
      "ZSCORE lp a",
      "ZADD lp INCR -0 c",
      "ZSCORE lp c",
      fill("many", 129),
      "OBJECT ENCODING many",
      fill("dups", 10),
      "ZADD dups 1 n1 2 n1 3 n1",
      "OBJECT ENCODING dups",
      "COPY many many2",
      "OBJECT ENCODING many2",
      "ZRANGE many2 120 -1 WITHSCORES",
      "COPY dups dups2",
      "ZRANGE dups2 0 -1 WITHSCORES",
      "RENAME many moved",
      "ZCARD moved",
      "TYPE moved",
      "OBJECT ENCODING moved",
    ],
  },
  {
    name: "RESP3 replies",
    steps: [
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      "ZADD z 1 a 2.5 b inf c",
      "ZSCORE z b",
      "ZSCORE z nope",
      "ZMSCORE z a nope c",
      "ZINCRBY z 1 a",
      "ZADD z NX INCR 1 a",
      "ZRANGE z 0 -1 WITHSCORES",
      "ZRANGE z 0 -1",
      "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 2",
      "ZREVRANGE z 0 0 WITHSCORES",
      "ZRANDMEMBER z 5 WITHSCORES",
      "ZRANDMEMBER nokey",
      "ZSCAN z 0",
      "ZRANK z b",
      "ZRANK z nope",
      "ZPOPMIN z",
      "ZPOPMIN z 1",
      "ZPOPMAX z 5",
      "ZPOPMIN nokey 2",
      "ZADD y 7 q",
      "BZPOPMAX y 0",
      "BZPOPMIN nokey 0.01",
    ],
  },
  {
    name: "Zsets with keyspace commands",
    steps: [
      "ZADD z 1 a 2 b",
      "TYPE z",
      "EXPIRE z 100",
      "TTL z",
      "RENAME z y",
      "ZRANGE y 0 -1 WITHSCORES",
      "COPY y x",
      "ZADD x 3 c",
      "ZCARD y",
      "ZCARD x",
      "DEL x y",
      "EXISTS x y",
      "ZADD k 1 a",
      "SET k v",
      "TYPE k",
      "ZADD k 1 a",
      "ZADD t 1 a",
      { scan: ["TYPE", "zset"] },
      "MOVE t 1",
      "SELECT 1",
      "ZRANGE t 0 -1",
      "SELECT 0",
      "WATCH t2",
      "ZADD t2 1 a",
      "MULTI",
      "ZCARD t2",
      "EXEC",
    ],
  },
];

// ── Random sequences ────────────────────────────────────────────────────────────────────

/**
 * A reproducible random sequence over a small key space: numeric zsets (z*), lex zsets (l*,
 * scores always 0), and large zsets (b*) that cross into the skiplist encoding.
 */
function randomCase(seed: number, commandCount: number, resp3: boolean): DiffCase {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const chance = (p: number) => random() < p;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const zKey = () => pick(["z0", "z1", "z2", "z3"]);
  const lKey = () => pick(["l0", "l1", "l2"]);
  const bKey = () => pick(["b0", "b1"]);
  const anyKey = () => chance(0.15) ? "str" : pick([zKey, lKey, bKey])();
  // No long members in z*: a skiplist's ZSCAN order is Redis's dict order (compared in the
  // engine tests instead); b* holds the long member and the large sets.
  const member = () => pick(["a", "b", "c", "d", "e", "f", "g", "h", "aa", "ab", ""]);
  const lexMember = () => pick(["a", "b", "c", "d", "e", "aa", "ab", "ba", "bb", "\u00ff", ""]);
  const bigMember = () => chance(0.01) ? LONG : `m${int(0, 299)}`;
  const score = () =>
    pick([
      () => String(int(-5, 5)),
      () => String(int(-100, 100) / 4),
      () => pick(["inf", "-inf", "+inf", "-0", "0.1", "1e3", "1e-5", "3.0", "1e308", "0x10"]),
      () => pick(["abc", "nan", "(1", ""]),
    ])();
  const goodScore = () => String(int(-20, 20) / 2);
  const bound = () =>
    pick(["-inf", "+inf", "(1", "2", "(0", "-1", "5", "(-2.5", "0.5", "inf", "abc", "(", "3"]);
  const lexBound = () =>
    pick(["-", "+", "[a", "(c", "[e", "(b", "[aa", "(ab", "[", "x", "[\u00ff", "(bb"]);
  const index = () => String(int(-8, 8));
  const zsetKey = () => pick([zKey, zKey, lKey, bKey])();
  const groupOf = (key: string) => key[0];
  const sameGroupKey = (key: string) =>
    key === "str" ? "str" : groupOf(key) === "z" ? zKey() : groupOf(key) === "l" ? lKey() : bKey();

  const generators: [number, () => DiffStep][] = [
    [8, () => {
      const args = ["ZADD", zKey()];
      if (chance(0.3)) {
        args.push(
          ...pick([
            ["NX"],
            ["XX"],
            ["CH"],
            ["GT"],
            ["LT"],
            ["XX", "CH"],
            ["GT", "CH"],
            ["NX", "XX"],
            ["GT", "LT"],
          ]),
        );
      }
      const pairs = int(1, 4);
      for (let i = 0; i < pairs; i++) args.push(chance(0.9) ? goodScore() : score(), member());
      return { args };
    }],
    [
      3,
      () => ({
        args: [
          "ZADD",
          zKey(),
          "INCR",
          ...(chance(0.3) ? [pick(["NX", "XX", "GT", "LT"])] : []),
          score(),
          member(),
        ],
      }),
    ],
    [4, () => {
      const args = ["ZADD", lKey()];
      const pairs = int(1, 4);
      for (let i = 0; i < pairs; i++) args.push("0", lexMember());
      return { args };
    }],
    [4, () => {
      const args = ["ZADD", bKey()];
      if (chance(0.2)) args.push(pick(["NX", "XX", "GT", "LT", "CH"]));
      const pairs = int(1, 40);
      for (let i = 0; i < pairs; i++) args.push(String(int(-50, 50)), bigMember());
      return { args };
    }],
    [3, () => {
      const key = pick([zKey, bKey])();
      const increment = chance(0.9) ? goodScore() : score();
      return { args: ["ZINCRBY", key, increment, key[0] === "z" ? member() : bigMember()] };
    }],
    [4, () => ({ args: ["ZREM", zsetKey(), member(), lexMember(), bigMember()] })],
    [3, () => ({ args: ["ZSCORE", anyKey(), pick([member, bigMember])()] })],
    [2, () => ({ args: ["ZMSCORE", anyKey(), member(), bigMember(), lexMember()] })],
    [3, () => ({ args: ["ZCARD", anyKey()] })],
    [3, () => ({ args: ["ZCOUNT", anyKey(), bound(), bound()] })],
    [
      3,
      () => ({
        args: [pick(["ZRANK", "ZREVRANK"]), anyKey(), pick([member, bigMember, lexMember])()],
      }),
    ],
    [6, () => {
      const args = [pick(["ZRANGE", "ZREVRANGE"]), anyKey(), index(), index()];
      if (chance(0.5)) args.push("WITHSCORES");
      if (args[0] === "ZRANGE" && chance(0.2)) args.push("REV");
      return { args };
    }],
    [6, () => {
      const rev = chance(0.5);
      const args = [rev ? "ZREVRANGEBYSCORE" : "ZRANGEBYSCORE", anyKey(), bound(), bound()];
      if (chance(0.4)) args.push("WITHSCORES");
      if (chance(0.3)) args.push("LIMIT", String(int(-1, 5)), String(int(-1, 5)));
      return { args };
    }],
    [3, () => {
      const args = ["ZRANGE", anyKey(), bound(), bound(), "BYSCORE"];
      if (chance(0.5)) args.push("REV");
      if (chance(0.4)) args.push("LIMIT", String(int(0, 4)), String(int(-1, 4)));
      if (chance(0.4)) args.push("WITHSCORES");
      return { args };
    }],
    [5, () => {
      const rev = chance(0.5);
      const key = chance(0.9) ? lKey() : pick(["str", "nokey"]);
      const args = [rev ? "ZREVRANGEBYLEX" : "ZRANGEBYLEX", key, lexBound(), lexBound()];
      if (chance(0.3)) args.push("LIMIT", String(int(-1, 4)), String(int(-1, 4)));
      return { args };
    }],
    [2, () => {
      const args = ["ZRANGE", lKey(), lexBound(), lexBound(), "BYLEX"];
      if (chance(0.5)) args.push("REV");
      return { args };
    }],
    [3, () => ({ args: ["ZLEXCOUNT", chance(0.9) ? lKey() : "str", lexBound(), lexBound()] })],
    [2, () => ({ args: ["ZREMRANGEBYRANK", zsetKey(), index(), index()] })],
    [2, () => ({ args: ["ZREMRANGEBYSCORE", pick([zKey, bKey])(), bound(), bound()] })],
    [2, () => ({ args: ["ZREMRANGEBYLEX", lKey(), lexBound(), lexBound()] })],
    [
      3,
      () => ({
        args: [
          pick(["ZPOPMIN", "ZPOPMAX"]),
          anyKey(),
          ...(chance(0.6) ? [String(int(-1, 6))] : []),
        ],
      }),
    ],
    [
      1,
      () => ({
        args: [pick(["BZPOPMIN", "BZPOPMAX"]), zsetKey(), zsetKey(), "0.01"],
      }),
    ],
    [1, () => {
      const args = [chance(0.5) ? "ZMPOP" : "BZMPOP"];
      if (args[0] === "BZMPOP") args.push("0.01");
      const n = int(1, 3);
      args.push(String(n));
      for (let i = 0; i < n; i++) args.push(chance(0.1) ? "str" : zsetKey());
      args.push(pick(["MIN", "MAX", "min"]));
      if (chance(0.5)) args.push("COUNT", String(int(0, 5)));
      return { args };
    }],
    [2, () => {
      const key = anyKey();
      const count = int(-6, 6);
      const withScores = chance(0.4);
      const args = ["ZRANDMEMBER", key, String(count), ...(withScores ? ["WITHSCORES"] : [])];
      if (count >= 0) {
        // Whole-set answers (count ≥ size) are exact; smaller counts only by shape.
        return { args, pattern: /^(-WRONGTYPE[^\r]*\r\n|\*\d+\r\n[\s\S]*)$/ };
      }
      const length = withScores && !resp3 ? -count * 2 : -count;
      return {
        args,
        pattern: new RegExp(`^(-WRONGTYPE[^\\r]*\\r\\n|\\*0\\r\\n|\\*${length}\\r\\n[\\s\\S]*)$`),
      };
    }],
    [
      1,
      () => ({
        args: ["ZRANDMEMBER", pick([zKey, lKey])(), "200", ...(chance(0.5) ? ["WITHSCORES"] : [])],
      }),
    ],
    [2, () => {
      const key = pick([zKey, lKey])();
      const args = ["ZSCAN", key, "0"];
      if (chance(0.4)) args.push("MATCH", pick(["a*", "*", "?", "[a-c]*", "x"]));
      if (chance(0.3)) args.push("COUNT", String(int(1, 20)));
      return { args };
    }],
    [1, () => ({ args: ["ZSCAN", bKey(), "0", "COUNT", "1000"], ignore: true })],
    [3, () => {
      const op = pick(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]);
      const group = pick(["z", "z", "l", "b"]);
      const key = () => group === "z" ? zKey() : group === "l" ? lKey() : bKey();
      const n = int(1, 3);
      const args = [op, key(), String(n)];
      for (let i = 0; i < n; i++) args.push(chance(0.1) ? "str" : key());
      if (op !== "ZDIFFSTORE" && group !== "l" && chance(0.4)) {
        args.push("WEIGHTS");
        for (let i = 0; i < n; i++) args.push(pick(["1", "2", "-1", "0.5", "0", "inf"]));
      }
      if (op !== "ZDIFFSTORE" && chance(0.4)) args.push("AGGREGATE", pick(["SUM", "MIN", "MAX"]));
      return { args };
    }],
    [2, () => {
      const group = pick(["z", "z", "l", "b"]);
      const key = () => group === "z" ? zKey() : group === "l" ? lKey() : bKey();
      const source = chance(0.1) ? "str" : key();
      if (group === "l" && chance(0.5)) {
        return { args: ["ZRANGESTORE", key(), source, lexBound(), lexBound(), "BYLEX"] };
      }
      const args = ["ZRANGESTORE", key(), source];
      if (chance(0.5)) args.push(index(), index());
      else args.push(bound(), bound(), "BYSCORE");
      if (chance(0.3)) args.push("REV");
      return { args };
    }],
    [2, () => {
      const op = pick(["ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD"]);
      const group = pick(["z", "l", "b"]);
      const key = () => group === "z" ? zKey() : group === "l" ? lKey() : bKey();
      const n = int(1, 3);
      const args = [op, String(n)];
      for (let i = 0; i < n; i++) args.push(chance(0.1) ? "str" : key());
      if ((op === "ZUNION" || op === "ZINTER") && chance(0.3)) {
        args.push("AGGREGATE", pick(["SUM", "MIN", "MAX"]));
      }
      if (op === "ZINTERCARD" && chance(0.5)) args.push("LIMIT", String(int(0, 3)));
      else if (op !== "ZINTERCARD" && chance(0.5)) args.push("WITHSCORES");
      return { args };
    }],
    [2, () => ({ args: ["OBJECT", "ENCODING", anyKey()] })],
    [2, () => ({ args: ["DEL", anyKey()] })],
    [1, () => ({ args: ["EXISTS", anyKey(), anyKey()] })],
    [1, () => ({ args: ["TYPE", anyKey()] })],
    [1, () => ({ args: ["EXPIRE", anyKey(), "1000"] })],
    [1, () => {
      const source = anyKey();
      return { args: ["RENAME", source, sameGroupKey(source)] };
    }],
    [1, () => {
      const source = anyKey();
      return { args: ["COPY", source, sameGroupKey(source), ...(chance(0.5) ? ["REPLACE"] : [])] };
    }],
    [1, () => ({ args: ["SET", "str", "v"] })],
    [1, () => ({ args: ["SET", pick([zKey, lKey, bKey])(), "v"] })],
  ];
  const pickGenerator = weightedPicker(random, generators);
  const steps: DiffStep[] = [];
  if (resp3) steps.push({ args: ["HELLO", "3"], pattern: /^%7\r\n/ });
  for (let i = 0; i < commandCount; i++) steps.push(pickGenerator()());
  return { name: `zset random sequence seed ${seed}${resp3 ? " (RESP3)" : ""}`, steps };
}

peerTest("differential zset: corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, zsetCases, reference, subject, { keepGoing })
  );
});

peerTest("differential zset: seeded random sequences match redis-server", async (t) => {
  const seed = diffSeed("differential zset random sequences");
  await withDiffPeers(async (reference, subject) => {
    for (const resp3 of [false, true]) {
      const count = resp3 ? RANDOM_RESP3_COMMAND_COUNT : RANDOM_RESP2_COMMAND_COUNT;
      const testCase = randomCase(seed + (resp3 ? 1 : 0), count, resp3);
      const passed = await t.step(
        testCase.name,
        () => withSeedReplay(seed, () => runCase(testCase, reference, subject, { keepGoing })),
      );
      if (!passed) throw new Error(`random sequence differs, RESPLICA_DIFF_SEED=${seed}`);
    }
  });
});
