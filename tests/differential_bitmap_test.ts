// Differential tests for the bitmap commands: SETBIT GETBIT BITCOUNT BITPOS BITOP BITFIELD
// BITFIELD_RO, every option and error, answered byte for byte like redis-server 7.0; then a
// seeded random sequence mixing them with plain string commands on a few keys, so bit writes
// meet values that SET, APPEND and SETRANGE left behind (integers, empty strings, TTLs).
//
// Every reply is compared exactly: nothing in this family is unordered or random. The cases
// also pin Redis's quirks, which a reimplementation gets wrong by doing the sensible thing:
// the order of argument checks (a missing key answers BITCOUNT before its range is parsed),
// BITFIELD's 64-bit overflow arithmetic (SET i8 to -2^63 under SAT stores 127), a string grown
// by BITFIELD even when OVERFLOW FAIL refused every write, and WATCH seeing only real changes.
//
// RESPLICA_DIFF_SEED=<n> replays one random sequence; RESPLICA_SELFTEST=1 runs everything
// against a second redis-server (checks the corpus); RESPLICA_DIFF_KEEP_GOING=1 lists every
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
import { latin1Bytes } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** Commands in the random sequence: a few thousand, so the test stays within seconds. */
const RANDOM_COMMAND_COUNT = 5_000;
/** Keys the random sequence draws from; few, so commands keep meeting each other's values. */
const RANDOM_KEY_COUNT = 5;
/** Highest bit offset the random sequence usually writes (values stay a few dozen bytes). */
const RANDOM_BIT_OFFSET_MAX = 400;
/** Widest unsigned BITFIELD type (u63). */
const FIELD_UNSIGNED_WIDTH_MAX = 63;

const ERR_BIT_OFFSET = "-ERR bit offset is not an integer or out of range\r\n";
const ERR_BIT_VALUE = "-ERR bit is not an integer or out of range\r\n";
const ERR_FIELD_TYPE =
  "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n";
const ERR_OVERFLOW_TYPE = "-ERR Invalid OVERFLOW type specified\r\n";
const ERR_BITFIELD_RO = "-ERR BITFIELD_RO only supports the GET subcommand\r\n";
const ERR_BITOP_NOT = "-ERR BITOP NOT must be called with a single source key.\r\n";
const ERR_BITPOS_BIT = "-ERR The bit argument must be 1 or 0.\r\n";

const INT64_MIN = "-9223372036854775808";
const INT64_MAX = "9223372036854775807";

/** SET key to the bytes of `latin1` (one byte per char; a plain string would go out as UTF-8). */
function setBytes(key: string, latin1: string): DiffStep {
  return { args: ["SET", key, latin1Bytes(latin1)] };
}

/** `count` bytes of 0xff then `tail`, as latin1 text for setBytes. */
function ones(count: number, tail = ""): string {
  return "\xff".repeat(count) + tail;
}

export const bitmapCases: DiffCase[] = [
  {
    name: "SETBIT and GETBIT: create, pad, read back",
    steps: [
      expect("SETBIT k 7 1", ":0\r\n"),
      expect("GET k", "$1\r\n\x01\r\n"),
      expect("SETBIT k 7 1", ":1\r\n"),
      expect("SETBIT k 0 1", ":0\r\n"),
      expect("GET k", "$1\r\n\x81\r\n"),
      expect("SETBIT k 7 0", ":1\r\n"),
      "GETBIT k 0",
      "GETBIT k 7",
      expect("GETBIT k 8", ":0\r\n"),
      expect("GETBIT k 100000", ":0\r\n"),
      expect("SETBIT k 100 1", ":0\r\n"),
      expect("STRLEN k", ":13\r\n"),
      "GET k",
      expect("OBJECT ENCODING k", "$3\r\nraw\r\n"),
      expect("SETBIT k 100 0", ":1\r\n"),
      "GET k",
      expect("SETBIT zero 0 0", ":0\r\n"),
      expect("GET zero", "$1\r\n\x00\r\n"),
      expect("SETBIT far 800 0", ":0\r\n"),
      expect("STRLEN far", ":101\r\n"),
      expect("GETBIT missing 0", ":0\r\n"),
      "SETBIT K 0 1",
      "EXISTS k K",
      expect("SETBIT big 65535 1", ":0\r\n"),
      expect("SETBIT big 524287 1", ":0\r\n"),
      expect("BITCOUNT big", ":2\r\n"),
      expect("SETBIT big 65535 0", ":1\r\n"),
      "BITCOUNT big",
      "STRLEN big",
    ],
  },
  {
    name: "SETBIT keeps the TTL and turns the encoding raw",
    steps: [
      "SET t abc EX 1000",
      "SETBIT t 1 0",
      expect("TTL t", ":1000\r\n"),
      "SETBIT t 100 1",
      expect("TTL t", ":1000\r\n"),
      "GET t",
      "SET n 12",
      expect("OBJECT ENCODING n", "$3\r\nint\r\n"),
      // Nothing changes, yet Redis unshares the value: it is raw afterwards.
      expect("SETBIT n 0 0", ":0\r\n"),
      expect("OBJECT ENCODING n", "$3\r\nraw\r\n"),
      "GET n",
      "SET e hello",
      expect("OBJECT ENCODING e", "$6\r\nembstr\r\n"),
      "SETBIT e 1 1",
      expect("OBJECT ENCODING e", "$3\r\nraw\r\n"),
      "GET e",
      // Reads leave the encoding alone.
      "SET r 7",
      "GETBIT r 3",
      "BITCOUNT r",
      "BITFIELD r GET u8 0",
      expect("OBJECT ENCODING r", "$3\r\nint\r\n"),
      "SET long xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "SETBIT long 0 0",
      "OBJECT ENCODING long",
      "SETBIT long 1 0",
      "GET long",
    ],
  },
  {
    name: "SETBIT and GETBIT argument errors",
    steps: [
      expect("SETBIT k", arity("setbit")),
      expect("SETBIT k 0", arity("setbit")),
      expect("SETBIT k 0 1 1", arity("setbit")),
      expect("GETBIT k", arity("getbit")),
      expect("GETBIT k 0 1", arity("getbit")),
      expect("SETBIT k -1 1", ERR_BIT_OFFSET),
      expect("SETBIT k abc 1", ERR_BIT_OFFSET),
      expect("SETBIT k +1 1", ERR_BIT_OFFSET),
      expect("SETBIT k 01 1", ERR_BIT_OFFSET),
      expect("SETBIT k #1 1", ERR_BIT_OFFSET),
      expect(["SETBIT", "k", "", "1"], ERR_BIT_OFFSET),
      expect("SETBIT k 4294967296 1", ERR_BIT_OFFSET),
      expect(`SETBIT k ${INT64_MAX} 1`, ERR_BIT_OFFSET),
      expect("SETBIT k 99999999999999999999 1", ERR_BIT_OFFSET),
      expect("SETBIT k 0 2", ERR_BIT_VALUE),
      expect("SETBIT k 0 -1", ERR_BIT_VALUE),
      expect("SETBIT k 0 abc", ERR_BIT_VALUE),
      expect(["SETBIT", "k", "0", ""], ERR_BIT_VALUE),
      expect("SETBIT k 0 01", ERR_BIT_VALUE),
      // The offset is checked before the value.
      expect("SETBIT k -1 2", ERR_BIT_OFFSET),
      expect("GETBIT k -1", ERR_BIT_OFFSET),
      expect("GETBIT k 4294967296", ERR_BIT_OFFSET),
      expect("GETBIT k 4294967295", ":0\r\n"),
      expect("GETBIT k x", ERR_BIT_OFFSET),
      expect("EXISTS k", ":0\r\n"),
      "RPUSH l a",
      expect("SETBIT l 0 1", ERR_WRONGTYPE),
      expect("GETBIT l 0", ERR_WRONGTYPE),
      // Argument errors come before the type check.
      expect("SETBIT l -1 1", ERR_BIT_OFFSET),
      expect("SETBIT l 0 5", ERR_BIT_VALUE),
      expect("GETBIT l -1", ERR_BIT_OFFSET),
      expect("LRANGE l 0 -1", "*1\r\n$1\r\na\r\n"),
    ],
  },
  {
    name: "BITCOUNT whole strings, byte and bit ranges",
    steps: [
      "SET s foobar",
      expect("BITCOUNT s", ":26\r\n"),
      expect("BITCOUNT s 0 0", ":4\r\n"),
      expect("BITCOUNT s 1 1", ":6\r\n"),
      "BITCOUNT s 1 1 BYTE",
      expect("BITCOUNT s 5 30 BIT", ":17\r\n"),
      "BITCOUNT s 5 30 bit",
      "BITCOUNT s 0 -1",
      "BITCOUNT s -2 -1",
      "BITCOUNT s -100 -1",
      "BITCOUNT s -1 -100",
      "BITCOUNT s 2 1",
      "BITCOUNT s 100 200",
      "BITCOUNT s 0 100",
      "BITCOUNT s 0 -1 BIT",
      "BITCOUNT s -3 -1 BIT",
      "BITCOUNT s -9 -2 BIT",
      "BITCOUNT s 1 6 BIT",
      "BITCOUNT s 3 3 BIT",
      "BITCOUNT s 7 8 BIT",
      "BITCOUNT s 46 47 BIT",
      "BITCOUNT s 47 47 BIT",
      "BITCOUNT s 47 1000 BIT",
      "BITCOUNT s 48 1000 BIT",
      `BITCOUNT s ${INT64_MIN} ${INT64_MAX}`,
      `BITCOUNT s ${INT64_MIN} ${INT64_MAX} BIT`,
      `BITCOUNT s -9223372036854775807 ${INT64_MIN}`,
      `BITCOUNT s ${INT64_MAX} ${INT64_MAX}`,
      "BITCOUNT missing",
      "BITCOUNT missing 0 -1",
      ["SET", "empty", ""],
      "BITCOUNT empty",
      "BITCOUNT empty 0 -1 BIT",
      "SET int 255",
      "BITCOUNT int",
      "BITCOUNT int 1 1 BIT",
      setBytes("ff", ones(40, "\x0f")),
      "BITCOUNT ff",
      "BITCOUNT ff 1 39",
      "BITCOUNT ff 3 325 BIT",
    ],
  },
  {
    name: "BITCOUNT checks its arguments in Redis's order",
    steps: [
      "SET s foobar",
      expect("BITCOUNT", arity("bitcount")),
      expect("BITCOUNT s 0", ERR_SYNTAX),
      expect("BITCOUNT s 0 1 BIT x", ERR_SYNTAX),
      expect("BITCOUNT s 0 1 bits", ERR_SYNTAX),
      expect(["BITCOUNT", "s", "0", "1", ""], ERR_SYNTAX),
      expect("BITCOUNT s a 1", ERR_NOT_INTEGER),
      expect("BITCOUNT s 0 b", ERR_NOT_INTEGER),
      expect("BITCOUNT s a b c", ERR_NOT_INTEGER),
      // Both negative with start after end: 0 before the unit word is looked at.
      expect("BITCOUNT s -1 -2 nonsense", ":0\r\n"),
      expect("BITCOUNT s 0 1 nonsense", ERR_SYNTAX),
      // A missing key answers 0 before anything else is parsed.
      expect("BITCOUNT missing 0", ":0\r\n"),
      expect("BITCOUNT missing a b c d e", ":0\r\n"),
      "HSET h f v",
      expect("BITCOUNT h", ERR_WRONGTYPE),
      expect("BITCOUNT h a", ERR_WRONGTYPE),
    ],
  },
  {
    name: "BITPOS over bytes and bits, with and without an end",
    steps: [
      setBytes("s", "\xff\xf0\x00"),
      expect("BITPOS s 0", ":12\r\n"),
      expect("BITPOS s 1", ":0\r\n"),
      "BITPOS s 1 1",
      "BITPOS s 1 2",
      "BITPOS s 0 0 0",
      "BITPOS s 0 0 1",
      "BITPOS s 1 2 -1",
      "BITPOS s 0 -1",
      "BITPOS s 1 -1",
      "BITPOS s 1 7 15 BIT",
      "BITPOS s 0 7 15 BIT",
      "BITPOS s 0 0 11 BIT",
      "BITPOS s 0 0 12 BIT",
      "BITPOS s 1 12 -1 BIT",
      "BITPOS s 1 3 3 BIT",
      "BITPOS s 0 3 3 BIT",
      "BITPOS s 0 3 5 bit",
      "BITPOS s 1 5 3 BIT",
      "BITPOS s 1 1 1 BYTE",
      "BITPOS s 0 100",
      "BITPOS s 0 -100 -50",
      `BITPOS s 0 ${INT64_MIN} ${INT64_MAX}`,
      `BITPOS s 1 ${INT64_MIN} ${INT64_MAX} BIT`,
      setBytes("all", ones(20)),
      // No 0 in the value: past its end without an end given, -1 with one.
      expect("BITPOS all 0", ":160\r\n"),
      expect("BITPOS all 0 0 -1", ":-1\r\n"),
      "BITPOS all 0 3",
      "BITPOS all 0 3 -1",
      "BITPOS all 0 5 BIT",
      "BITPOS all 0 5 100 BIT",
      "BITPOS all 0 5 158 BIT",
      "BITPOS all 1 17",
      ["SET", "zeros", "\x00".repeat(20)],
      expect("BITPOS zeros 1", ":-1\r\n"),
      "BITPOS zeros 0",
      "BITPOS zeros 1 3 -1 BIT",
      "BITPOS zeros 0 9 12 BIT",
      "SETBIT zeros 150 1",
      "BITPOS zeros 1",
      "BITPOS zeros 1 18",
      "BITPOS zeros 1 19",
      "BITPOS zeros 1 150 150 BIT",
      "BITPOS zeros 1 151 159 BIT",
      "BITPOS zeros 1 140 152 BIT",
      "BITPOS zeros 0 150 150 BIT",
      expect("BITPOS missing 0", ":0\r\n"),
      expect("BITPOS missing 1", ":-1\r\n"),
      ["SET", "empty", ""],
      expect("BITPOS empty 0", ":-1\r\n"),
      "BITPOS empty 1 0 -1",
      "SET int 1234",
      "BITPOS int 1",
      "BITPOS int 0 1 2 BIT",
    ],
  },
  {
    name: "BITPOS and BITCOUNT over long runs, from every alignment",
    steps: [
      setBytes("ones", ones(137, "\xfe")),
      setBytes("zeros", "\x00".repeat(133) + "\x02"),
      ...[0, 1, 2, 3, 4, 5, 7, 64, 130].flatMap((start) => [
        `BITPOS ones 0 ${start}`,
        `BITPOS ones 0 ${start} -1`,
        `BITPOS ones 0 ${start * 8 + 3} -2 BIT`,
        `BITPOS zeros 1 ${start}`,
        `BITPOS zeros 1 ${start} 132`,
        `BITPOS zeros 1 ${start * 8 + 5} -1 BIT`,
        `BITCOUNT ones ${start} -1`,
        `BITCOUNT ones ${start} ${start + 66}`,
        `BITCOUNT ones ${start * 8 + 1} -3 BIT`,
        `BITCOUNT zeros ${start} -1`,
      ]),
      "BITOP XOR x ones zeros",
      "GET x",
      "BITOP AND x ones zeros",
      "BITCOUNT x",
      "BITOP OR x zeros ones zeros",
      "BITCOUNT x",
    ],
  },
  {
    name: "BITPOS checks its arguments in Redis's order",
    steps: [
      setBytes("s", "\x0f"),
      expect("BITPOS s", arity("bitpos")),
      expect("BITPOS s 2", ERR_BITPOS_BIT),
      expect("BITPOS s -1", ERR_BITPOS_BIT),
      expect("BITPOS s x", ERR_NOT_INTEGER),
      expect("BITPOS s 1 x", ERR_NOT_INTEGER),
      expect("BITPOS s 1 0 x", ERR_NOT_INTEGER),
      // The unit is read before the end.
      expect("BITPOS s 1 0 x BITS", ERR_SYNTAX),
      expect("BITPOS s 1 0 x BIT", ERR_NOT_INTEGER),
      expect("BITPOS s 1 x 0 BITS", ERR_NOT_INTEGER),
      expect("BITPOS s 1 0 1 BIT x", ERR_SYNTAX),
      // A missing key answers before its range is parsed, but not before the bit.
      expect("BITPOS missing 1 x y z w v", ":-1\r\n"),
      expect("BITPOS missing 0 x", ":0\r\n"),
      expect("BITPOS missing 2 x", ERR_BITPOS_BIT),
      "SADD set m",
      expect("BITPOS set 1", ERR_WRONGTYPE),
      expect("BITPOS set 3", ERR_BITPOS_BIT),
      expect("BITPOS set 1 x", ERR_WRONGTYPE),
    ],
  },
  {
    name: "BITOP AND OR XOR NOT over missing, short and integer sources",
    steps: [
      setBytes("a", "\xff\x0f\xf0"),
      setBytes("b", "\x0f"),
      "SET c 12",
      expect("BITOP AND d a b", ":3\r\n"),
      expect("GET d", "$3\r\n\x0f\x00\x00\r\n"),
      expect("BITOP OR d a b", ":3\r\n"),
      "GET d",
      expect("BITOP XOR d a b", ":3\r\n"),
      "GET d",
      expect("BITOP NOT d a", ":3\r\n"),
      "GET d",
      "OBJECT ENCODING d",
      "BITOP AND d a missing",
      "GET d",
      "BITOP OR d missing a",
      "GET d",
      "BITOP XOR d a b c a",
      "GET d",
      "BITOP and d a c",
      "GET d",
      "BITOP oR d c",
      "GET d",
      "OBJECT ENCODING d",
      "BITOP NOT d c",
      "GET d",
      // Destination is one of the sources.
      "BITOP XOR a a b",
      "GET a",
      "BITOP NOT a a",
      "GET a",
      ["SET", "long", "x".repeat(70)],
      setBytes("long2", ones(66, "abc")),
      "BITOP AND d long long2",
      "GET d",
      "BITOP XOR d long long2 b",
      "GET d",
      "BITOP OR d long2 long",
      "GET d",
      "BITOP NOT d long2",
      "GET d",
    ],
  },
  {
    name: "BITOP replaces the destination, drops its TTL, deletes it on an empty result",
    steps: [
      "SET src hi",
      "SET dst old EX 1000",
      expect("BITOP OR dst src", ":2\r\n"),
      expect("TTL dst", ":-1\r\n"),
      "GET dst",
      "RPUSH list x",
      expect("BITOP AND list src", ":2\r\n"),
      "TYPE list",
      "GET list",
      "SET dst old",
      expect("BITOP AND dst missing1 missing2", ":0\r\n"),
      expect("EXISTS dst", ":0\r\n"),
      "SET dst old",
      ["SET", "empty", ""],
      expect("BITOP XOR dst empty missing", ":0\r\n"),
      expect("EXISTS dst", ":0\r\n"),
      expect("BITOP NOT dst missing", ":0\r\n"),
      "RPUSH list2 x",
      expect("BITOP OR list2 missing", ":0\r\n"),
      expect("EXISTS list2", ":0\r\n"),
    ],
  },
  {
    name: "BITOP errors",
    steps: [
      "SET a x",
      "SADD s m",
      expect("BITOP AND d", arity("bitop")),
      expect("BITOP AND", arity("bitop")),
      expect("BITOP NAND d a", ERR_SYNTAX),
      expect(["BITOP", "", "d", "a"], ERR_SYNTAX),
      expect("BITOP NOT d a a", ERR_BITOP_NOT),
      expect("BITOP NOT d s a", ERR_BITOP_NOT),
      expect("BITOP AND d a s", ERR_WRONGTYPE),
      expect("BITOP OR d s missing", ERR_WRONGTYPE),
      expect("BITOP NOT d s", ERR_WRONGTYPE),
      expect("EXISTS d", ":0\r\n"),
      // The destination may hold any type; only sources are checked.
      expect("BITOP OR s a", ":1\r\n"),
      "TYPE s",
    ],
  },
  {
    name: "BITFIELD SET GET INCRBY, signed and unsigned, chained",
    steps: [
      expect("BITFIELD bits SET i8 0 -100 GET i8 0", "*2\r\n:0\r\n:-100\r\n"),
      "BITFIELD bits SET i8 0 101 GET i8 0",
      "BITFIELD bits GET u8 0",
      expect("BITFIELD bits SET u8 0 255 GET u8 0", "*2\r\n:101\r\n:255\r\n"),
      "BITFIELD bits GET i8 0 GET u4 0 GET i4 4 GET u1 7 GET i1 7",
      "BITFIELD bits SET u2 100 1 SET i3 13 -2 INCRBY u10 20 700 GET u10 20 GET i64 0",
      "GET bits",
      "BITFIELD bits INCRBY i5 100 1 GET u4 0",
      "BITFIELD bits incrby i5 100 1 get u4 0 set u7 3 9",
      "GET bits",
      expect("BITFIELD bits", "*0\r\n"),
      expect("BITFIELD missing", "*0\r\n"),
      expect("BITFIELD missing GET u8 0 GET i64 100", "*2\r\n:0\r\n:0\r\n"),
      expect("EXISTS missing", ":0\r\n"),
      // # offsets count fields of the type's width.
      "BITFIELD h SET u8 #0 65 SET u8 #1 66 SET u8 #2 67",
      expect("GET h", "$3\r\nABC\r\n"),
      "BITFIELD h GET u8 #1 GET u4 #3 GET i16 #1",
      "BITFIELD h SET u3 #5 7 GET u3 #5 GET u3 15",
      "GET h",
      // Fields across byte boundaries and past the end.
      "BITFIELD x SET u13 3 8191 GET u16 0 GET u8 1",
      "GET x",
      "BITFIELD x SET i64 5 -2 GET i64 5 GET u63 6 GET u63 5",
      "GET x",
      `BITFIELD y SET i64 0 ${INT64_MIN} GET i64 0 GET u63 1 GET u63 0`,
      `BITFIELD y SET u63 0 ${INT64_MAX} GET u63 0 GET i64 0`,
      "BITFIELD y GET u8 1000 GET i9 1000",
      "STRLEN y",
      "SET n 1234",
      "BITFIELD n GET u8 0 GET u32 0 GET i16 8",
      "BITFIELD n INCRBY u8 0 1",
      "GET n",
      "OBJECT ENCODING n",
    ],
  },
  {
    name: "BITFIELD overflow: WRAP, SAT and FAIL, signed and unsigned",
    steps: [
      expect(
        "BITFIELD u INCRBY u2 0 1 INCRBY u2 0 1 INCRBY u2 0 1 INCRBY u2 0 1",
        "*4\r\n:1\r\n:2\r\n:3\r\n:0\r\n",
      ),
      "BITFIELD u OVERFLOW WRAP INCRBY u2 0 -1 INCRBY u2 0 -3 INCRBY u2 0 10",
      "BITFIELD u OVERFLOW SAT INCRBY u2 0 10 INCRBY u2 0 -10 INCRBY u2 0 2",
      "BITFIELD u OVERFLOW FAIL INCRBY u2 0 5 INCRBY u2 0 1 GET u2 0",
      "BITFIELD u OVERFLOW fail INCRBY u2 0 -4 OVERFLOW sat INCRBY u2 0 -4 OVERFLOW wrap INCRBY u2 0 -5",
      "BITFIELD s INCRBY i4 0 7 INCRBY i4 0 1 INCRBY i4 0 -1 INCRBY i4 0 -9",
      "BITFIELD s OVERFLOW SAT INCRBY i4 0 100 INCRBY i4 0 -100 INCRBY i4 0 1",
      "BITFIELD s OVERFLOW FAIL INCRBY i4 0 -1 INCRBY i4 0 20 GET i4 0",
      // SET out of range: wrapped, saturated, or refused.
      "BITFIELD v SET u8 0 256 GET u8 0 SET u8 0 -1 GET u8 0",
      "BITFIELD v OVERFLOW SAT SET u8 0 256 GET u8 0 SET u8 0 -1 GET u8 0",
      "BITFIELD v OVERFLOW FAIL SET u8 0 256 SET u8 0 -1 GET u8 0",
      "BITFIELD v SET i8 0 128 GET i8 0 SET i8 0 -129 GET i8 0",
      "BITFIELD v OVERFLOW SAT SET i8 0 128 GET i8 0 SET i8 0 -129 GET i8 0",
      // Redis's 64-bit headroom arithmetic wraps: -2^63 into an i8 counts as too big.
      "DEL v",
      expect(`BITFIELD v OVERFLOW SAT SET i8 0 ${INT64_MIN} GET i8 0`, "*2\r\n:0\r\n:127\r\n"),
      `BITFIELD v OVERFLOW WRAP SET i8 0 ${INT64_MIN} GET i8 0`,
      `BITFIELD v OVERFLOW FAIL SET i8 0 ${INT64_MIN} GET i8 0`,
      `BITFIELD v OVERFLOW SAT SET i8 0 ${INT64_MAX} GET i8 0`,
      `BITFIELD v OVERFLOW SAT SET u8 0 ${INT64_MIN} GET u8 0`,
      `BITFIELD v OVERFLOW WRAP SET u63 0 ${INT64_MIN} GET u63 0`,
      `BITFIELD v OVERFLOW SAT SET u63 0 -1 GET u63 0`,
      // 64-bit signed fields at the edges of int64.
      `BITFIELD w SET i64 0 ${INT64_MAX} INCRBY i64 0 1 GET i64 0`,
      `BITFIELD w OVERFLOW SAT SET i64 0 ${INT64_MAX} INCRBY i64 0 1 INCRBY i64 0 ${INT64_MIN}`,
      `BITFIELD w OVERFLOW SAT INCRBY i64 0 ${INT64_MIN} INCRBY i64 0 -1 INCRBY i64 0 ${INT64_MAX}`,
      `BITFIELD w OVERFLOW FAIL SET i64 0 -5 INCRBY i64 0 ${INT64_MIN} INCRBY i64 0 ${INT64_MAX}`,
      `BITFIELD w OVERFLOW WRAP SET i64 0 -5 INCRBY i64 0 ${INT64_MIN} INCRBY i64 0 ${INT64_MAX}`,
      `BITFIELD w OVERFLOW SAT SET u63 0 ${INT64_MAX} INCRBY u63 0 ${INT64_MAX} INCRBY u63 0 ${INT64_MIN}`,
      `BITFIELD w OVERFLOW WRAP SET u63 0 5 INCRBY u63 0 ${INT64_MIN} INCRBY u63 0 ${INT64_MAX}`,
      `BITFIELD w OVERFLOW FAIL SET u1 0 1 INCRBY u1 0 ${INT64_MIN} INCRBY u1 0 -1 INCRBY u1 0 -1`,
      `BITFIELD w OVERFLOW SAT SET i1 0 0 INCRBY i1 0 1 INCRBY i1 0 -1 INCRBY i1 0 -5`,
      "GET w",
    ],
  },
  {
    name: "BITFIELD grows the string even when OVERFLOW FAIL refuses every write",
    steps: [
      expect("BITFIELD g OVERFLOW FAIL INCRBY u2 100 10", "*1\r\n$-1\r\n"),
      expect("STRLEN g", ":13\r\n"),
      "GET g",
      "OBJECT ENCODING g",
      "SET t ab EX 1000",
      "BITFIELD t OVERFLOW FAIL SET u4 40 100",
      "GET t",
      expect("TTL t", ":1000\r\n"),
      // A write that changes nothing still makes a short value raw.
      "SET i 99",
      "BITFIELD i SET u1 0 0",
      "OBJECT ENCODING i",
      "SET j 77",
      "BITFIELD j OVERFLOW FAIL SET u1 0 2",
      "OBJECT ENCODING j",
      "GET j",
    ],
  },
  {
    name: "BITFIELD argument errors, in Redis's order",
    steps: [
      "SET k x",
      expect("BITFIELD", arity("bitfield")),
      expect("BITFIELD k FOO", ERR_SYNTAX),
      expect("BITFIELD k GET", ERR_SYNTAX),
      expect("BITFIELD k GET u8", ERR_SYNTAX),
      expect("BITFIELD k SET u8 0", ERR_SYNTAX),
      expect("BITFIELD k INCRBY u8 0", ERR_SYNTAX),
      expect("BITFIELD k OVERFLOW", ERR_SYNTAX),
      expect("BITFIELD k OVERFLOW BOUNCE", ERR_OVERFLOW_TYPE),
      expect(["BITFIELD", "k", "OVERFLOW", "", "GET", "u8", "0"], ERR_OVERFLOW_TYPE),
      expect("BITFIELD k GET u64 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET i65 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET i0 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET u0 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET I8 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET U8 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET x8 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET u 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET i-8 0", ERR_FIELD_TYPE),
      expect("BITFIELD k GET i08 0", ERR_FIELD_TYPE),
      expect(["BITFIELD", "k", "GET", "", "0"], ERR_FIELD_TYPE),
      expect("BITFIELD k GET u8 -1", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 x", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 #", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 #-1", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 ##1", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 4294967296", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 #536870912", ERR_BIT_OFFSET),
      expect("BITFIELD k GET u8 #536870911", "*1\r\n:0\r\n"),
      // #n times the width wraps in 64 bits, to a negative offset here.
      expect("BITFIELD k GET i8 #1152921504606846977", ERR_BIT_OFFSET),
      expect("BITFIELD k SET i64 #9223372036854775807 1", ERR_BIT_OFFSET),
      expect("BITFIELD k SET u8 0 x", ERR_NOT_INTEGER),
      expect("BITFIELD k SET u8 0 99999999999999999999", ERR_NOT_INTEGER),
      expect("BITFIELD k INCRBY u8 0 1.5", ERR_NOT_INTEGER),
      // The first bad argument, left to right, names the error.
      expect("BITFIELD k GET u8 0 SET u99 0 1 FOO", ERR_FIELD_TYPE),
      expect("BITFIELD k GET u8 -1 SET u99 0 1", ERR_BIT_OFFSET),
      expect("BITFIELD k FOO GET u99 0", ERR_SYNTAX),
      expect("BITFIELD k SET u8 0 x GET u99 0", ERR_NOT_INTEGER),
      expect("GET k", "$1\r\nx\r\n"),
      "ZADD z 1 m",
      expect("BITFIELD z GET u8 0", ERR_WRONGTYPE),
      expect("BITFIELD z SET u8 0 1", ERR_WRONGTYPE),
      expect("BITFIELD z", ERR_WRONGTYPE),
      expect("BITFIELD z GET u99 0", ERR_FIELD_TYPE),
      expect("BITFIELD_RO z GET u8 0", ERR_WRONGTYPE),
      expect("BITFIELD_RO z", ERR_WRONGTYPE),
    ],
  },
  {
    name: "BITFIELD_RO reads only",
    steps: [
      "BITFIELD r SET u8 0 200 SET i8 8 -3",
      expect("BITFIELD_RO r GET u8 0 GET i8 8 GET u16 0", "*3\r\n:200\r\n:-3\r\n:51453\r\n"),
      expect("BITFIELD_RO r", "*0\r\n"),
      expect("BITFIELD_RO missing GET i8 0", "*1\r\n:0\r\n"),
      expect("BITFIELD_RO r OVERFLOW SAT GET u8 0", "*1\r\n:200\r\n"),
      expect("BITFIELD_RO r SET u8 0 1", ERR_BITFIELD_RO),
      expect("BITFIELD_RO r GET u8 0 INCRBY u8 0 1", ERR_BITFIELD_RO),
      expect("BITFIELD_RO missing INCRBY u8 0 1", ERR_BITFIELD_RO),
      // Parse errors come first.
      expect("BITFIELD_RO r SET u8 0 x", ERR_NOT_INTEGER),
      expect("BITFIELD_RO r SET u99 0 1", ERR_FIELD_TYPE),
      expect("BITFIELD_RO r GET", ERR_SYNTAX),
      expect("BITFIELD_RO", arity("bitfield_ro")),
      expect("GET r", "$2\r\n\xc8\xfd\r\n"),
      expect("EXISTS missing", ":0\r\n"),
    ],
  },
  {
    name: "option words end at a NUL byte, as C compares them",
    steps: [
      ["SET", "s", "foobar"],
      ["BITCOUNT", "s", "0", "3", "bit\x00ignored"],
      ["BITPOS", "s", "1", "0", "3", "BYTE\x00"],
      ["BITOP", "and\x00x", "d", "s"],
      "GET d",
      ["BITFIELD", "s", "get\x00", "u8", "0", "overflow", "sat\x00!"],
      ["BITFIELD", "s", "GET", "u8\x00junk", "0"],
      ["BITFIELD", "s", "GET", "i\x008", "0"],
      ["BITFIELD", "s", "OVERFLOW", "fail\x00", "INCRBY", "u8", "0", "1000"],
      ["BITFIELD", "s", "GET", "u8", "8\x00"],
      ["SETBIT", "s", "1\x00", "1"],
    ],
  },
  {
    name: "bit commands meet string commands",
    steps: [
      "SET s ab",
      "APPEND s cd",
      "SETBIT s 33 1",
      "GET s",
      "SETRANGE s 10 z",
      "BITCOUNT s",
      "BITPOS s 1 5",
      "GETRANGE s 3 6",
      "BITFIELD s INCRBY u16 72 1000",
      "GET s",
      "APPEND s !",
      "BITFIELD_RO s GET u8 #11",
      "INCR s",
      "SET num 100",
      expect("SETBIT num 7 1", ":1\r\n"),
      expect("SETBIT num 23 1", ":0\r\n"),
      expect("GET num", "$3\r\n101\r\n"),
      expect("INCR num", ":102\r\n"),
      expect("SETBIT num 1 1", ":0\r\n"),
      expect("INCR num", ERR_NOT_INTEGER),
    ],
  },
  {
    name: "transactions, WATCH and RESP3",
    steps: [
      "MULTI",
      "SETBIT m 3 1",
      "BITFIELD m INCRBY u4 0 3 GET u8 0",
      "BITOP NOT n m",
      "BITCOUNT n",
      "BITFIELD m GET u99 0",
      "EXEC",
      expect("GET m", "$1\r\n@\r\n"),
      // A SETBIT that changes a bit aborts a watcher's EXEC; one that changes nothing does not.
      "WATCH m",
      { args: ["SETBIT", "m", "1", "1"], conn: 2, expect: ":1\r\n" },
      "MULTI",
      "GET m",
      expect("EXEC", "*1\r\n$1\r\n@\r\n"),
      "WATCH m",
      { args: ["SETBIT", "m", "1", "0"], conn: 2, expect: ":1\r\n" },
      "MULTI",
      "GET m",
      expect("EXEC", "*-1\r\n"),
      "WATCH m",
      { args: ["BITFIELD", "m", "SET", "u4", "0", "0"], conn: 2 },
      "MULTI",
      "GET m",
      expect("EXEC", "*1\r\n$1\r\n\x00\r\n"),
      "WATCH m",
      { args: ["BITFIELD", "m", "INCRBY", "u4", "0", "0"], conn: 2 },
      "MULTI",
      "GET m",
      "EXEC",
      "WATCH d",
      { args: ["BITOP", "AND", "d", "nothing"], conn: 2 },
      "MULTI",
      "GET d",
      expect("EXEC", "*1\r\n$-1\r\n"),
      { args: ["HELLO", "3"], pattern: /^%7\r\n/ },
      expect("BITFIELD m OVERFLOW FAIL INCRBY u2 0 7 GET u2 0", "*2\r\n_\r\n:0\r\n"),
      "BITCOUNT m",
      "BITPOS m 0",
      "GETBIT m 2",
    ],
  },
  {
    name: "COMMAND INFO, and ACL key access: a BITFIELD that only GETs needs read access alone",
    steps: [
      "COMMAND INFO setbit getbit bitcount bitpos bitop bitfield bitfield_ro",
      "SET k abc",
      "ACL SETUSER reader on nopass +@all %R~*",
      "ACL SETUSER writer on nopass +@all %W~*",
      "AUTH reader x",
      "BITFIELD k GET u8 0",
      "BITFIELD k OVERFLOW SAT GET u8 0 GET i4 4",
      "BITFIELD_RO k GET u8 0",
      "BITFIELD k SET u8 0 1",
      "BITFIELD k GET u8 0 INCRBY u8 0 1",
      "BITFIELD k GET u8",
      "SETBIT k 0 1",
      "GETBIT k 0",
      "BITCOUNT k",
      "BITPOS k 1",
      "BITOP AND k k",
      "AUTH writer x",
      "BITOP AND d k",
      "BITOP NOT d d",
      "BITFIELD k GET u8 0",
      "BITFIELD_RO k GET u8 0",
      "BITFIELD k SET u8 0 1",
      "SETBIT k 1 1",
      "GETBIT k 1",
      { args: ["ACL", "DELUSER", "reader", "writer"], conn: 2 },
      { args: ["HELLO", "3"], conn: 2, pattern: /^%7\r\n/ },
      { args: ["COMMAND", "INFO", "bitop", "bitfield", "getbit"], conn: 2 },
      { args: ["GET", "k"], conn: 2 },
    ],
  },
  // Last: it changes a server setting, put back at its end.
  {
    name: "bit offsets are limited by proto-max-bulk-len",
    steps: [
      expect("CONFIG SET proto-max-bulk-len 1mb", "+OK\r\n"),
      expect("SETBIT k 8388608 1", ERR_BIT_OFFSET),
      expect("GETBIT k 8388608", ERR_BIT_OFFSET),
      expect("BITFIELD k SET u8 8388608 1", ERR_BIT_OFFSET),
      expect("BITFIELD k SET u8 #1048576 1", ERR_BIT_OFFSET),
      expect("BITFIELD_RO k GET u8 8388608", ERR_BIT_OFFSET),
      expect("SETBIT k 8388607 1", ":0\r\n"),
      expect("STRLEN k", ":1048576\r\n"),
      expect("BITCOUNT k", ":1\r\n"),
      expect("BITPOS k 1", ":8388607\r\n"),
      // A field starting below the limit may end above it: the string grows past it.
      expect("BITFIELD k2 SET u8 8388607 255", "*1\r\n:0\r\n"),
      expect("STRLEN k2", ":1048577\r\n"),
      expect("CONFIG SET proto-max-bulk-len 512mb", "+OK\r\n"),
      expect("GETBIT k 8388608", ":0\r\n"),
    ],
  },
];

/**
 * A reproducible random sequence of bit and string commands over a few keys. Offsets stay
 * small so values stay short, with rare jumps that pad a value by a few hundred bytes.
 */
function randomCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)];
  const key = () => `b${below(RANDOM_KEY_COUNT)}`;
  const bitOffset = () =>
    String(random() < 0.05 ? below(RANDOM_BIT_OFFSET_MAX * 8) : below(RANDOM_BIT_OFFSET_MAX));
  const index = () => String(below(60) - 30);
  const value = () =>
    pick([
      "",
      "a",
      "foobar",
      "12",
      "-7",
      latin1Bytes("\xff\xff\x00\x0f"),
      // Long runs: BITPOS and BITCOUNT take these a word at a time.
      latin1Bytes("\xff".repeat(100 + below(40)) + "\x7f"),
      latin1Bytes("\x00".repeat(90 + below(40)) + "\x10"),
      "y".repeat(130),
      "\x00\x00\x00",
      "x".repeat(50),
      String(below(100000)),
    ]);
  const unit = () => pick([[], [], ["BIT"], ["BYTE"], ["bit"]]);
  const fieldType = () =>
    random() < 0.5 ? `u${1 + below(FIELD_UNSIGNED_WIDTH_MAX)}` : `i${1 + below(64)}`;
  const fieldOffset = () => random() < 0.2 ? `#${below(20)}` : String(below(200));
  const fieldValue = () =>
    pick([
      String(below(300) - 150),
      String(below(2 ** 31) - 2 ** 30),
      INT64_MAX,
      INT64_MIN,
      "0",
      "1",
      "-1",
    ]);
  const fieldOps = (writes: boolean): string[] => {
    const args: string[] = [];
    const count = 1 + below(3);
    for (let i = 0; i < count; i++) {
      const roll = writes ? random() : 0;
      if (roll < 0.35) args.push("GET", fieldType(), fieldOffset());
      else if (roll < 0.6) args.push("SET", fieldType(), fieldOffset(), fieldValue());
      else if (roll < 0.85) args.push("INCRBY", fieldType(), fieldOffset(), fieldValue());
      else args.push("OVERFLOW", pick(["WRAP", "SAT", "FAIL"]));
    }
    return args;
  };
  const generators: [number, () => DiffStep][] = [
    [12, () => ({ args: ["SETBIT", key(), bitOffset(), pick(["0", "1", "1"])] })],
    [6, () => ({ args: ["GETBIT", key(), bitOffset()] })],
    [3, () => ({ args: ["BITCOUNT", key()] })],
    [5, () => ({ args: ["BITCOUNT", key(), index(), index(), ...unit()] })],
    [3, () => ({ args: ["BITPOS", key(), pick(["0", "1"])] })],
    [3, () => ({ args: ["BITPOS", key(), pick(["0", "1"]), index()] })],
    [5, () => ({ args: ["BITPOS", key(), pick(["0", "1"]), index(), index(), ...unit()] })],
    [2, () => ({ args: ["BITOP", "NOT", key(), key()] })],
    [
      5,
      () => ({
        args: [
          "BITOP",
          pick(["AND", "OR", "XOR"]),
          key(),
          key(),
          ...(random() < 0.5 ? [key()] : []),
        ],
      }),
    ],
    [10, () => ({ args: ["BITFIELD", key(), ...fieldOps(true)] })],
    [3, () => ({ args: ["BITFIELD_RO", key(), ...fieldOps(false)] })],
    [5, () => ({ args: ["SET", key(), value()] })],
    [1, () => ({ args: ["SET", key(), value(), "EX", "1000"] })],
    [3, () => ({ args: ["APPEND", key(), value()] })],
    [3, () => ({ args: ["SETRANGE", key(), String(below(40)), value()] })],
    [3, () => ({ args: ["GETRANGE", key(), index(), index()] })],
    [6, () => ({ args: ["GET", key()] })],
    [3, () => ({ args: ["STRLEN", key()] })],
    [2, () => ({ args: ["DEL", key()] })],
    [1, () => ({ args: ["RPUSH", key(), "x"] })],
    [2, () => ({ args: ["OBJECT", "ENCODING", key()] })],
    [1, () => ({ args: ["TTL", key()] })],
  ];
  const pickGenerator = weightedPicker(random, generators);
  const steps: DiffStep[] = [];
  for (let i = 0; i < RANDOM_COMMAND_COUNT; i++) steps.push(pickGenerator()());
  for (let k = 0; k < RANDOM_KEY_COUNT; k++) steps.push({ args: ["GET", `b${k}`] });
  return { name: `random bitmap sequence seed ${seed}`, steps };
}

const keepGoing = keepGoingFromEnv();

peerTest("differential: bitmap corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, bitmapCases, reference, subject, { keepGoing, noun: "bitmap cases" })
  );
});

peerTest("differential: seeded random bitmap sequence matches redis-server", async () => {
  const seed = diffSeed("differential random bitmap sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomCase(seed), reference, subject, { keepGoing }))
  );
});
