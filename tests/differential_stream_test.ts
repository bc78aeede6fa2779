// Differential tests for streams: every stream command, option and error, consumer groups
// included, and a long seeded random sequence must get byte-identical replies from resplica
// and from redis-server 7.0, in RESP2 and RESP3.
//
// What depends on the clock is kept out of the comparison, never out of the test: entries use
// explicit IDs (an `*` ID is checked by shape only), pending entries get fixed delivery times
// through XCLAIM … TIME where their value shows, and the few replies that carry a time of
// their own (consumers' seen-time and idle, XPENDING's elapsed times) have just that number
// masked. The random sequence draws explicit, mostly increasing IDs over a few keys and groups,
// and runs XADD / XDEL / XTRIM (exact and approximate, so node boundaries must match) with the
// group commands between them; node sizes are kept small so trimming crosses many nodes.
// RESPLICA_DIFF_SEED=<n> replays one sequence.

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
  unordered,
  weightedPicker,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** Commands in the random sequence. */
const RANDOM_COMMAND_COUNT = 3_000;
/** Keys, groups and consumers the random sequence draws from. */
const RANDOM_KEY_COUNT = 3;
const RANDOM_GROUP_COUNT = 2;
const RANDOM_CONSUMER_COUNT = 3;

const keepGoing = keepGoingFromEnv();

const ERR_INVALID_ID = "-ERR Invalid stream ID specified as stream command argument\r\n";
/** Unix-ms numbers (13 digits) as integers or bulk strings: seen-times, delivery times. */
const MASK_TIMES = /:1\d{12}\r\n/g;
/** XINFO CONSUMERS' idle field. */
const MASK_IDLE = /(?<=\$4\r\nidle\r\n:)\d+/g;
/** XPENDING's elapsed time, the third field of each [id, consumer, elapsed, count] row. */
const MASK_ELAPSED = /(?<=\*4\r\n\$\d+\r\n\d+-\d+\r\n\$\d+\r\n[^\r]*\r\n:)\d+/g;
/** An XADD `*` ID: the time part differs by the ms between the two servers. */
const AUTO_ID = /^\$\d+\r\n\d{13}-\d+\r\n$/;

/** Sends a command on connection 2 without reading its reply (it blocks). */
function park(command: string): DiffStep {
  const args = command.split(" ");
  const raw = `*${args.length}\r\n` + args.map((arg) => `$${arg.length}\r\n${arg}\r\n`).join("");
  return { raw, replies: 0, conn: 2 };
}

/** Time for a parked command to reach the server before the next step's command does. */
const PARK_SETTLE: DiffStep = { sleepMs: 50 };

/** HELLO 3, whose reply carries the client ID (which differs between the servers). */
const HELLO3: DiffStep = { args: ["HELLO", "3"], mask: /(?<=\$2\r\nid\r\n:)\d+/g };

/** Reads the reply a parked command on connection 2 got. */
const WOKEN: DiffStep = { raw: "", replies: 1, conn: 2 };

function masked(command: string | string[], mask: RegExp): DiffStep {
  return { args: typeof command === "string" ? command.split(" ") : command, mask };
}

const streamCases: DiffCase[] = [
  {
    name: "XADD with explicit, partial and automatic IDs",
    steps: [
      expect("XADD s 1-1 a 1", "$3\r\n1-1\r\n"),
      "XADD s 1-2 b 2 c 3",
      expect(
        "XADD s 1-2 a 1",
        "-ERR The ID specified in XADD is equal or smaller than the " +
          "target stream top item\r\n",
      ),
      "XADD s 1-1 a 1",
      "XADD s 0-5 a 1",
      expect("XADD s 2-* a 1", "$3\r\n2-0\r\n"),
      expect("XADD s 2-* a 1", "$3\r\n2-1\r\n"),
      "XADD s 1-* a 1",
      "XADD s 3 a 1",
      "XADD s 3 a 1",
      { args: ["XADD", "s", "*", "f", "v"], pattern: AUTO_ID },
      "XLEN s",
      expect("XADD t 0-0 a 1", "-ERR The ID specified in XADD must be greater than 0-0\r\n"),
      "EXISTS t",
      "XADD t 0-* a 1",
      "XADD u 18446744073709551615-18446744073709551615 a 1",
      expect(
        "XADD u * a 1",
        "-ERR The stream has exhausted the last possible ID, unable to " +
          "add more items\r\n",
      ),
      "XADD v 5-18446744073709551615 a 1",
      expect("XADD v 5-* a 1", "-ERR Elements are too large to be stored\r\n"),
      "XADD v 18446744073709551615-* a 1",
      "XADD v 18446744073709551615-* a 1",
      "XRANGE v - +",
      "XADD w 18446744073709551616-1 a 1",
      "XADD w 1-18446744073709551616 a 1",
      expect("XADD w - a 1", ERR_INVALID_ID),
      expect("XADD w + a 1", ERR_INVALID_ID),
      "XADD w -1 a 1",
      "XADD w 1- a 1",
      "XADD w 1-x a 1",
      "XADD w 1-2-3 a 1",
      ["XADD", "w", " 7", "a", "1"],
      ["XADD", "w", "+8", "a", "1"],
      ["XADD", "w", "009", "a", "1"],
      ["XADD", "w", "10- 3", "a", "1"],
      ["XADD", "w", "10--3", "a", "1"],
      ["XADD", "w", "11-+4", "a", "1"],
      ["XADD", "w", "12-\u00003", "a", "1"],
      ["XADD", "w", "x".repeat(130), "a", "1"],
      "XRANGE w - +",
      expect("XADD s", arity("xadd")),
      expect("XADD s 9-1", arity("xadd")),
      expect("XADD s 9-1 a", arity("xadd")),
      expect("XADD s 9-1 a 1 b", arity("xadd")),
      expect("XADD s * a", arity("xadd")),
      "XADD s NOMKSTREAM a",
      "SET str x",
      expect("XADD str 1-1 a 1", ERR_WRONGTYPE),
      "XADD str NOMKSTREAM 1-1 a 1",
      ["XADD", "bin", "1-1", "", "\u0000\u00ff", "x".repeat(100), "12345"],
      "XRANGE bin - +",
      "TYPE s",
      expect("OBJECT ENCODING s", "$6\r\nstream\r\n"),
    ],
  },
  {
    name: "XADD NOMKSTREAM, MAXLEN, MINID and LIMIT options",
    steps: [
      "XADD s NOMKSTREAM 1-1 a 1",
      "EXISTS s",
      "XADD s 1-1 a 1",
      "XADD s NOMKSTREAM 1-2 a 1",
      "XADD s MAXLEN 2 1-3 a 1",
      "XRANGE s - +",
      "XADD s MAXLEN = 1 1-4 a 1",
      "XRANGE s - +",
      "XADD s MAXLEN ~ 0 1-5 a 1",
      "XLEN s",
      "XADD s MINID 1-5 1-6 a 1",
      "XRANGE s - +",
      "XADD s MINID = 2 2-0 a 1",
      "XADD s MINID ~ 2 2-1 a 1",
      "XRANGE s - +",
      expect(
        "XADD s MAXLEN 1 MINID 1 3-0 a 1",
        "-ERR syntax error, MAXLEN and MINID options " +
          "at the same time are not compatible\r\n",
      ),
      expect("XADD s MAXLEN -1 3-0 a 1", "-ERR The MAXLEN argument must be >= 0.\r\n"),
      expect("XADD s MAXLEN x 3-0 a 1", ERR_NOT_INTEGER),
      expect("XADD s MAXLEN * a 1", ERR_NOT_INTEGER),
      "XADD s MINID x 3-0 a 1",
      "XADD s MINID - 3-0 a 1",
      expect(
        "XADD s LIMIT 10 3-0 a 1",
        "-ERR syntax error, LIMIT cannot be used without " +
          "specifying a trimming strategy\r\n",
      ),
      expect(
        "XADD s MAXLEN 10 LIMIT 5 3-0 a 1",
        "-ERR syntax error, LIMIT cannot be used " +
          "without the special ~ option\r\n",
      ),
      expect("XADD s MAXLEN ~ 10 LIMIT -1 3-0 a 1", "-ERR The LIMIT argument must be >= 0.\r\n"),
      "XADD s MAXLEN ~ 10 LIMIT x 3-0 a 1",
      "XADD s MAXLEN ~ 10 LIMIT 0 3-0 a 1",
      "XADD s MAXLEN ~ 10 LIMIT 0 LIMIT 5 3-1 a 1",
      "XADD s LIMIT 0 3-2 a 1",
      "XADD s MAXLEN 5 NOMKSTREAM",
      "XADD s MAXLEN 5 NOMKSTREAM 4-0 a 1",
      "XADD s maxlen 5 nomkstream 4-1 a 1",
      "XADD s NOMKSTREAM NOMKSTREAM 4-2 a 1",
      "XADD s FOO 4-3 a 1",
      "XRANGE s - +",
      "XADD s MAXLEN 0 5-0 a 1",
      "XLEN s",
      "EXISTS s",
      "XINFO STREAM s",
    ],
  },
  {
    name: "approximate trimming follows node boundaries",
    steps: [
      "CONFIG SET stream-node-max-entries 4",
      ...Array.from({ length: 30 }, (_, i) => `XADD s ${i + 1}-0 f ${i}`),
      "XINFO STREAM s",
      "XTRIM s MAXLEN ~ 10",
      "XLEN s",
      "XINFO STREAM s",
      "XTRIM s MAXLEN ~ 10 LIMIT 3",
      "XTRIM s MAXLEN ~ 5 LIMIT 4",
      "XLEN s",
      "XTRIM s MINID ~ 25",
      "XRANGE s - +",
      "XTRIM s MINID 27",
      "XRANGE s - +",
      "XINFO STREAM s",
      "XADD s MAXLEN ~ 2 31-0 f x",
      "XRANGE s - +",
      "CONFIG SET stream-node-max-entries 100",
      "CONFIG SET stream-node-max-bytes 60",
      ...Array.from({ length: 12 }, (_, i) => `XADD b ${i + 1}-0 field value${i}`),
      "XINFO STREAM b",
      "XTRIM b MAXLEN ~ 3",
      "XINFO STREAM b",
      "CONFIG SET stream-node-max-bytes 4096",
      "CONFIG SET stream-node-max-entries 0",
      ...Array.from({ length: 5 }, (_, i) => `XADD z ${i + 1}-0 f ${i}`),
      "XINFO STREAM z",
      "CONFIG SET stream-node-max-entries 100",
      unordered("CONFIG GET stream-node-*"),
    ],
  },
  {
    name: "XTRIM",
    steps: [
      expect("XTRIM s MAXLEN 1", ":0\r\n"),
      "XADD s 1-0 a 1",
      "XADD s 2-0 a 1",
      "XADD s 3-0 a 1",
      "XADD s 4-0 a 1",
      expect("XTRIM s", arity("xtrim")),
      expect("XTRIM s MAXLEN", arity("xtrim")),
      expect("XTRIM s FOO 1", ERR_SYNTAX),
      expect("XTRIM s LIMIT 1 1", ERR_SYNTAX),
      expect(
        "XTRIM s LIMIT 0",
        "-ERR syntax error, XTRIM must be called with a trimming " +
          "strategy\r\n",
      ),
      "XTRIM s MAXLEN 3 junk",
      "XTRIM s NOMKSTREAM MAXLEN 3",
      "XTRIM s MAXLEN = 3",
      "XTRIM s MINID = 3",
      "XTRIM s MINID 3-1",
      "XRANGE s - +",
      "XTRIM s MAXLEN 0",
      "EXISTS s",
      "XLEN s",
      "XTRIM s MINID (5",
      "SET str x",
      "XTRIM str MAXLEN 0",
      "XTRIM nokey MINID bad",
    ],
  },
  {
    name: "XRANGE and XREVRANGE",
    steps: [
      ...Array.from({ length: 10 }, (_, i) => `XADD s ${Math.floor(i / 3) + 1}-${i % 3} n ${i}`),
      "XRANGE s - +",
      "XREVRANGE s + -",
      "XRANGE s 2 2",
      "XRANGE s 2 3-1",
      "XRANGE s (1-2 (3-1",
      "XREVRANGE s (3-1 (1-2",
      "XRANGE s (2 +",
      "XRANGE s - (2",
      "XRANGE s - + COUNT 3",
      "XREVRANGE s + - COUNT 3",
      "XRANGE s - + COUNT 0",
      "XRANGE s - + COUNT -1",
      "XRANGE s - + count 2 COUNT 4",
      "XRANGE s - + COUNT",
      "XRANGE s - + COUNT x",
      "XRANGE s - + LIMIT 2",
      "XRANGE s 5 1",
      "XRANGE s + -",
      expect("XRANGE s (- +", ERR_INVALID_ID),
      expect("XRANGE s - (+", ERR_INVALID_ID),
      "XRANGE s ( +",
      expect(
        "XRANGE s (18446744073709551615-18446744073709551615 +",
        "-ERR invalid start ID for the interval\r\n",
      ),
      expect("XRANGE s - (0-0", "-ERR invalid end ID for the interval\r\n"),
      "XREVRANGE s (0 -",
      "XRANGE s x +",
      "XRANGE nokey - +",
      "XRANGE nokey - + COUNT 0",
      "XREVRANGE nokey + -",
      "SET str x",
      "XRANGE str - +",
      "XRANGE str x +",
      expect("XRANGE s -", arity("xrange")),
      "XLEN s",
      "XLEN nokey",
      "XLEN str",
      expect("XLEN", arity("xlen")),
    ],
  },
  {
    name: "XDEL, first and max-deleted IDs",
    steps: [
      "XDEL nokey 1-1",
      "XDEL nokey bad",
      ...Array.from({ length: 8 }, (_, i) => `XADD s ${i + 1}-0 f ${i}`),
      "XDEL s 1-0 bad",
      "XDEL s 3-0",
      "XDEL s 3-0 4-0 9-0 4-0",
      "XINFO STREAM s",
      "XDEL s 1-0",
      "XINFO STREAM s",
      "XDEL s 8-0",
      "XINFO STREAM s",
      "XDEL s 2-0 5-0 6-0 7-0",
      "XINFO STREAM s",
      "EXISTS s",
      "XADD s 9-0 f 9",
      "XINFO STREAM s FULL",
      "SET str x",
      "XDEL str 1-0",
      expect("XDEL s", arity("xdel")),
    ],
  },
  {
    name: "XSETID",
    steps: [
      expect("XSETID nokey 1-1", "-ERR no such key\r\n"),
      "XADD s 5-0 a 1",
      "XSETID s 10-0",
      "XINFO STREAM s",
      expect(
        "XSETID s 1-0",
        "-ERR The ID specified in XSETID is smaller than the target " +
          "stream top item\r\n",
      ),
      "XSETID s 5-0",
      "XSETID s 5-0 ENTRIESADDED 0",
      "XSETID s 6-0 ENTRIESADDED 5 MAXDELETEDID 3-0",
      "XINFO STREAM s",
      "XSETID s 6-0 ENTRIESADDED -1",
      "XSETID s 6-0 MAXDELETEDID 7-0",
      "XSETID s 6-0 0",
      "XSETID s 6-0 0-0",
      "XSETID s 6-0 ENTRIESADDED",
      "XSETID s bad",
      "XSETID s + ",
      "XSETID s 6 ENTRIESADDED x",
      "XDEL s 5-0",
      "XSETID s 1-0",
      "XINFO STREAM s",
      "SET str x",
      "XSETID str 1-0",
      "XSETID str 1-0 junk",
    ],
  },
  {
    name: "XINFO STREAM, GROUPS, CONSUMERS and HELP",
    steps: [
      expect("XINFO STREAM nokey", "-ERR no such key\r\n"),
      "XINFO GROUPS nokey",
      "XINFO CONSUMERS nokey g",
      "XINFO STREAM nokey FULL junk",
      "XADD s 1-0 a 1 b 2",
      "XADD s 2-0 a 3 b 4",
      "XADD s 3-0 c 5",
      "XINFO STREAM s",
      "XINFO STREAM s FULL",
      "XINFO STREAM s FULL COUNT 1",
      "XINFO STREAM s FULL COUNT 0",
      "XINFO STREAM s FULL COUNT -5",
      "XINFO STREAM s FULL COUNT x",
      "XINFO STREAM s FULL COUNT",
      "XINFO STREAM s FULLY",
      "XINFO STREAM s FULL LIMIT 1",
      "XINFO stream s full junk",
      "XINFO GROUPS s",
      "XINFO CONSUMERS s g",
      "XINFO CONSUMERS s g extra",
      "XINFO HELP",
      "XINFO help xxx",
      "XINFO",
      "XINFO FOO s",
      "XINFO STREAM",
      "SET str x",
      "XINFO STREAM str",
      "XINFO GROUPS str",
      "XADD e MAXLEN 0 1-0 a 1",
      "XINFO STREAM e",
      "XINFO STREAM e FULL",
    ],
  },
  {
    name: "XREAD without blocking",
    steps: [
      "XREAD STREAMS s 0",
      "XADD s 1-0 a 1",
      "XADD s 2-0 b 2",
      "XADD t 1-5 c 3",
      "XREAD STREAMS s 0",
      "XREAD COUNT 1 STREAMS s t 0 0",
      "XREAD STREAMS s t 1-0 1-4",
      "XREAD STREAMS s t $ $",
      "XREAD STREAMS nokey s 0 0",
      "XREAD STREAMS s s 0 1",
      "XREAD COUNT 0 STREAMS s 0",
      "XREAD COUNT -3 STREAMS s 0",
      "XREAD count 1 count 2 STREAMS s 0",
      expect("XREAD STREAMS s", arity("xread")),
      "XREAD STREAMS s t 0",
      "XREAD COUNT 1 s 0",
      "XREAD STREAMS s 0 COUNT",
      "XREAD BLOCK x STREAMS s 0",
      "XREAD BLOCK -1 STREAMS s 0",
      "XREAD COUNT x STREAMS s 0",
      "XREAD GROUP g c STREAMS s 0",
      "XREAD NOACK STREAMS s 0",
      "XREAD STREAMS s >",
      "XREAD STREAMS s -",
      "XREAD STREAMS s bad",
      "XREAD STREAMS s 18446744073709551615-18446744073709551615",
      "XREAD FOO STREAMS s 0",
      "SET str x",
      "XREAD STREAMS s str 0 0",
      "XREAD STREAMS str s 0 0",
      "XREAD BLOCK 1 STREAMS nokey $",
      "XREAD BLOCK 1 STREAMS s $",
      "MULTI",
      "XREAD BLOCK 0 STREAMS s $",
      "XREAD BLOCK 0 STREAMS s 0",
      "EXEC",
      HELLO3,
      "XREAD STREAMS s t 0 0",
      "XREAD STREAMS nokey 0",
      "XRANGE s - +",
      "XINFO STREAM s",
    ],
  },
  {
    name: "blocking XREAD is served by XADD",
    steps: [
      "XADD s 1-0 old 1",
      park("XREAD BLOCK 0 STREAMS s nokey $ $"),
      PARK_SETTLE,
      "XADD other 1-0 x 1",
      "XADD s 2-0 new 2",
      WOKEN,
      { args: ["XREAD", "COUNT", "1", "BLOCK", "0", "STREAMS", "s", "0"], conn: 2 },
      park("XREAD BLOCK 0 STREAMS nokey $"),
      PARK_SETTLE,
      "XADD nokey 5-0 a 1",
      WOKEN,
    ],
  },
  {
    name: "XGROUP CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP",
    steps: [
      expect(
        "XGROUP CREATE s g $",
        "-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may " +
          "want to use the MKSTREAM option to create an empty stream automatically.\r\n",
      ),
      "XGROUP CREATE s g $ MKSTREAM",
      "TYPE s",
      expect("XGROUP CREATE s g $", "-BUSYGROUP Consumer Group name already exists\r\n"),
      "XADD s 1-0 a 1",
      "XADD s 2-0 a 2",
      "XGROUP CREATE s g2 0",
      "XGROUP CREATE s g3 1-0 ENTRIESREAD 1",
      "XGROUP CREATE s g4 $ ENTRIESREAD -1",
      "XGROUP CREATE s g5 $ ENTRIESREAD -2",
      "XGROUP CREATE s g5 $ ENTRIESREAD x",
      "XGROUP CREATE s g5 $ ENTRIESREAD",
      "XGROUP CREATE s g5 $ MKSTREAM MKSTREAM MKSTREAM MKSTREAM",
      "XGROUP CREATE s g5 $ FOO",
      "XGROUP CREATE s g5 -",
      "XGROUP CREATE s g5 bad",
      "XGROUP CREATE s g5 (1",
      "XGROUP CREATE s g5 3",
      "XINFO GROUPS s",
      "XGROUP SETID s g 1-0",
      "XGROUP SETID s g2 $ ENTRIESREAD 2",
      "XGROUP SETID s g3 -",
      "XGROUP SETID s g4 +",
      "XGROUP SETID s nogroup 0",
      "XGROUP SETID s g 0 ENTRIESREAD",
      "XGROUP SETID s g 0 MKSTREAM",
      "XGROUP SETID s g bad",
      "XINFO GROUPS s",
      expect("XGROUP CREATECONSUMER s g alice", ":1\r\n"),
      expect("XGROUP CREATECONSUMER s g alice", ":0\r\n"),
      "XGROUP CREATECONSUMER s nogroup alice",
      "XGROUP CREATECONSUMER nokey g alice",
      masked("XINFO CONSUMERS s g", MASK_IDLE),
      "XGROUP DELCONSUMER s g alice",
      "XGROUP DELCONSUMER s g alice",
      "XGROUP DELCONSUMER s nogroup alice",
      "XGROUP DESTROY s g5",
      "XGROUP DESTROY s g4",
      "XGROUP DESTROY nokey g4",
      "XINFO GROUPS s",
      "XGROUP HELP",
      "XGROUP help xxx",
      "XGROUP FOO s g",
      "XGROUP CREATE s",
      "XGROUP DESTROY s g extra",
      "XGROUP",
      "SET str x",
      "XGROUP CREATE str g $",
      "XGROUP CREATE str g $ MKSTREAM",
      "XGROUP DESTROY str g",
    ],
  },
  {
    name: "XREADGROUP delivers, tracks pending entries and reads history",
    steps: [
      "XGROUP CREATE s g $ MKSTREAM",
      "XADD s 1-0 a 1",
      "XADD s 2-0 b 2",
      "XADD s 3-0 c 3",
      "XREADGROUP GROUP g alice COUNT 1 STREAMS s >",
      "XREADGROUP GROUP g bob STREAMS s >",
      "XREADGROUP GROUP g bob STREAMS s >",
      "XREADGROUP GROUP g alice STREAMS s 0",
      "XREADGROUP GROUP g bob STREAMS s 0",
      "XREADGROUP GROUP g bob COUNT 1 STREAMS s 2-0",
      "XREADGROUP GROUP g carol STREAMS s 0",
      "XINFO GROUPS s",
      "XPENDING s g",
      "XDEL s 2-0",
      "XREADGROUP GROUP g bob STREAMS s 0",
      "XINFO GROUPS s",
      "XADD s 4-0 d 4",
      "XREADGROUP GROUP g alice NOACK STREAMS s >",
      "XPENDING s g",
      "XINFO GROUPS s",
      "XGROUP SETID s g 0",
      "XREADGROUP GROUP g carol STREAMS s >",
      "XPENDING s g",
      "XINFO GROUPS s",
      "XREADGROUP GROUP nogroup alice STREAMS s >",
      "XREADGROUP GROUP g alice STREAMS nokey >",
      "XREADGROUP GROUP g alice STREAMS s $",
      "XREADGROUP GROUP g alice STREAMS s",
      "XREADGROUP STREAMS s > GROUP g alice",
      "XREADGROUP COUNT 1 STREAMS s >",
      "XREADGROUP GROUP g alice STREAMS s bad",
      "XREADGROUP GROUP g alice STREAMS s -",
      "XREADGROUP GROUP g alice BLOCK 1 STREAMS s >",
      "XREADGROUP GROUP g alice STREAMS s s > 0",
      "SET str x",
      "XREADGROUP GROUP g alice STREAMS str >",
      HELLO3,
      "XREADGROUP GROUP g alice STREAMS s 0",
      "XREADGROUP GROUP g dave STREAMS s >",
      "XPENDING s g",
    ],
  },
  {
    name: "blocking XREADGROUP: served, unblocked by DEL and by DESTROY",
    steps: [
      "XGROUP CREATE s g $ MKSTREAM",
      park("XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >"),
      PARK_SETTLE,
      "XADD s 1-0 a 1",
      WOKEN,
      "XPENDING s g",
      park("XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >"),
      PARK_SETTLE,
      "DEL s",
      WOKEN,
      "XGROUP CREATE s g $ MKSTREAM",
      park("XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >"),
      PARK_SETTLE,
      "XGROUP DESTROY s g",
      WOKEN,
      "XGROUP CREATE s g $",
      park("XREADGROUP GROUP g c1 BLOCK 0 STREAMS s >"),
      PARK_SETTLE,
      "SET s x",
      WOKEN,
    ],
  },
  {
    name: "XACK",
    steps: [
      "XACK nokey g 1-0",
      "XACK nokey g bad",
      "XGROUP CREATE s g 0 MKSTREAM",
      "XACK s nogroup bad",
      "XADD s 1-0 a 1",
      "XADD s 2-0 a 2",
      "XADD s 3-0 a 3",
      "XREADGROUP GROUP g c STREAMS s >",
      "XACK s g 1-0 bad",
      "XACK s g 1-0",
      "XACK s g 1-0",
      "XACK s g 2-0 3-0 4-0 2-0",
      "XPENDING s g",
      "SET str x",
      "XACK str g 1-0",
      expect("XACK s g", arity("xack")),
    ],
  },
  {
    name: "XPENDING summary and extended forms",
    steps: [
      "XPENDING nokey g",
      "XGROUP CREATE s g 0 MKSTREAM",
      "XPENDING s g",
      "XPENDING s nogroup",
      "XPENDING s g - + 10",
      ...Array.from({ length: 6 }, (_, i) => `XADD s ${i + 1}-0 f ${i}`),
      "XREADGROUP GROUP g bob COUNT 2 STREAMS s >",
      "XREADGROUP GROUP g alice COUNT 3 STREAMS s >",
      "XREADGROUP GROUP g bob STREAMS s >",
      "XPENDING s g",
      "XCLAIM s g alice 0 1-0 TIME 1000 RETRYCOUNT 3 JUSTID",
      masked("XPENDING s g - + 10", MASK_ELAPSED),
      masked("XPENDING s g - + 2", MASK_ELAPSED),
      masked("XPENDING s g (1-0 (5-0 10", MASK_ELAPSED),
      masked("XPENDING s g - + 10 bob", MASK_ELAPSED),
      "XPENDING s g - + 10 nobody",
      masked("XPENDING s g IDLE 100000 - + 10", MASK_ELAPSED),
      masked("XPENDING s g IDLE 100000 - + 10 alice", MASK_ELAPSED),
      "XPENDING s g IDLE 9999999999999 - + 10",
      masked("XPENDING s g - + 10 bob junk junk", MASK_ELAPSED),
      "XPENDING s g - + 0",
      "XPENDING s g - + -1",
      "XPENDING s g - + x",
      "XPENDING s g - +",
      "XPENDING s g -",
      "XPENDING s g IDLE 10 - +",
      "XPENDING s g IDLE x - + 10",
      "XPENDING s g bad + 10",
      "XPENDING s g - bad 10",
      "XPENDING s g (18446744073709551615-18446744073709551615 + 10",
      "XPENDING s g - (0 10",
      "XPENDING s g - + 10 a b c d",
      "SET str x",
      "XPENDING str g",
      "XPENDING str g - + x",
    ],
  },
  {
    name: "XCLAIM",
    steps: [
      "XCLAIM nokey g c 0 1-0",
      "XGROUP CREATE s g 0 MKSTREAM",
      "XCLAIM s nogroup c 0 1-0",
      ...Array.from({ length: 5 }, (_, i) => `XADD s ${i + 1}-0 f ${i}`),
      "XREADGROUP GROUP g alice STREAMS s >",
      "XCLAIM s g bob 0 1-0 2-0",
      "XCLAIM s g bob 0 1-0 JUSTID",
      "XCLAIM s g bob 3600000 3-0",
      "XCLAIM s g bob 0 9-0 FORCE",
      "XDEL s 4-0",
      "XCLAIM s g bob 0 4-0",
      "XCLAIM s g carol 0 5-0 TIME 1234 RETRYCOUNT 7",
      masked("XINFO STREAM s FULL", MASK_TIMES),
      "XCLAIM s g carol 0 3-0 IDLE 1000 JUSTID",
      "XCLAIM s g dave 0 1-0 2-0 FORCE JUSTID LASTID 9-0",
      "XINFO GROUPS s",
      "XACK s g 1-0",
      "XCLAIM s g dave 0 1-0 FORCE TIME 5555 RETRYCOUNT 1",
      "XCLAIM s g dave 0 1-0 FORCE",
      masked("XINFO STREAM s FULL", MASK_TIMES),
      "XCLAIM s g dave 0 1-0 LASTID 20-0",
      "XINFO GROUPS s",
      "XCLAIM s g dave x 1-0",
      "XCLAIM s g dave -5 1-0 JUSTID TIME 10",
      "XCLAIM s g dave 0 1-0 IDLE x",
      "XCLAIM s g dave 0 1-0 TIME x",
      "XCLAIM s g dave 0 1-0 RETRYCOUNT x",
      "XCLAIM s g dave 0 1-0 LASTID bad",
      "XCLAIM s g dave 0 1-0 FOO",
      "XCLAIM s g dave 0 1-0 JUSTID 2-0",
      "XCLAIM s g dave 0 bad",
      "XCLAIM s g dave 0 1-0 IDLE",
      "SET str x",
      "XCLAIM str g c 0 1-0",
      expect("XCLAIM s g c 0", arity("xclaim")),
    ],
  },
  {
    name: "XAUTOCLAIM",
    steps: [
      "XAUTOCLAIM nokey g c 0 0",
      "XAUTOCLAIM nokey g c x 0",
      "XGROUP CREATE s g 0 MKSTREAM",
      "XAUTOCLAIM s nogroup c 0 0",
      ...Array.from({ length: 8 }, (_, i) => `XADD s ${i + 1}-0 f ${i}`),
      "XREADGROUP GROUP g alice STREAMS s >",
      "XAUTOCLAIM s g bob 0 0 COUNT 3",
      "XAUTOCLAIM s g bob 0 (3-0 COUNT 2 JUSTID",
      "XDEL s 6-0 7-0",
      "XAUTOCLAIM s g carol 0 5-0",
      "XAUTOCLAIM s g carol 0 0 COUNT 1",
      "XAUTOCLAIM s g carol 3600000 0",
      "XAUTOCLAIM s g carol 0 9-0",
      "XPENDING s g",
      expect("XAUTOCLAIM s g c 1 1 COUNT 0", "-ERR COUNT must be > 0\r\n"),
      "XAUTOCLAIM s g c 1 1 COUNT x",
      "XAUTOCLAIM s g c 1 1 COUNT 576460752303423488",
      "XAUTOCLAIM s g c 1 1 COUNT",
      "XAUTOCLAIM s g c 1 1 FOO",
      "XAUTOCLAIM s g c x 1",
      "XAUTOCLAIM s g c 1 bad",
      "XAUTOCLAIM s g c 1 (18446744073709551615-18446744073709551615",
      "SET str x",
      "XAUTOCLAIM str g c 0 0",
      expect("XAUTOCLAIM s g c 0", arity("xautoclaim")),
    ],
  },
  {
    name: "lag and entries-read",
    steps: [
      "XADD s 1-0 a 1",
      "XADD s 2-0 a 2",
      "XADD s 3-0 a 3",
      "XADD s 4-0 a 4",
      "XGROUP CREATE s g 0",
      "XGROUP CREATE s h $",
      "XGROUP CREATE s i 2-0",
      "XINFO GROUPS s",
      "XREADGROUP GROUP g c COUNT 1 STREAMS s >",
      "XINFO GROUPS s",
      "XDEL s 3-0",
      "XINFO GROUPS s",
      "XREADGROUP GROUP g c STREAMS s >",
      "XINFO GROUPS s",
      "XADD s 5-0 a 5",
      "XREADGROUP GROUP i c STREAMS s >",
      "XINFO GROUPS s",
      "XTRIM s MAXLEN 1",
      "XINFO GROUPS s",
      "XGROUP SETID s g 0 ENTRIESREAD 3",
      "XINFO GROUPS s",
      "XSETID s 9-0 ENTRIESADDED 100",
      "XINFO GROUPS s",
      "XADD e MAXLEN 0 1-0 a 1",
      "XGROUP CREATE e g 0",
      "XINFO GROUPS e",
      "XGROUP CREATE e h $",
      "XINFO GROUPS e",
    ],
  },
  {
    name: "streams across key commands: COPY, RENAME, MOVE, EXPIRE, SCAN TYPE",
    steps: [
      "XADD s 1-0 a 1",
      "XGROUP CREATE s g 0",
      "XREADGROUP GROUP g c STREAMS s >",
      "COPY s t",
      "XADD t 2-0 b 2",
      "XACK t g 1-0",
      "XRANGE s - +",
      "XPENDING s g",
      "XPENDING t g",
      "RENAME t u",
      "XRANGE u - +",
      "MOVE u 1",
      "SELECT 1",
      "XLEN u",
      "COPY u s DB 0",
      "SELECT 0",
      "COPY u s",
      "COPY s v REPLACE",
      "XLEN v",
      "EXPIRE v 100",
      "TTL v",
      { scan: ["TYPE", "stream"] },
      "SET str x",
      "LPUSH l a",
      "GET s",
      "LPUSH s a",
      "HSET s f v",
      "SADD s m",
      "ZADD s 1 m",
      "INCR s",
      "APPEND s x",
      "LLEN s",
      "SET s x",
      "TYPE s",
      "XADD s 1-0 a 1",
      "DEL s v",
      "EXISTS s v",
    ],
  },
  {
    name: "COMMAND INFO of the stream commands",
    steps: [
      // Containers list their subcommands in the order of a randomly seeded dict: each alone.
      "COMMAND INFO xadd xrange xrevrange xlen xdel xtrim xsetid",
      "COMMAND INFO xread xreadgroup xack xpending xclaim xautoclaim",
      "COMMAND INFO xgroup|create xgroup|setid xgroup|destroy xgroup|createconsumer",
      "COMMAND INFO xgroup|delconsumer xgroup|help",
      "COMMAND INFO xinfo|stream xinfo|groups xinfo|consumers xinfo|help",
    ],
  },
  {
    name: "streams in MULTI/EXEC",
    steps: [
      "MULTI",
      "XADD s 1-0 a 1",
      "XGROUP CREATE s g 0",
      "XREADGROUP GROUP g c STREAMS s >",
      "XACK s g 1-0",
      "XADD s 1-0 a 1",
      "XLEN s",
      "EXEC",
      "XPENDING s g",
    ],
  },
  {
    // Redis 7.0 signals WATCH from XADD, XDEL, XTRIM and XGROUP CREATE … MKSTREAM only: a
    // transaction watching a stream survives group reads, acks, claims, XSETID and the other
    // XGROUP subcommands, even the watcher's own.
    name: "WATCH on a stream: which stream writes abort the transaction",
    steps: [
      "XADD s 1-0 a 1",
      "XADD s 2-0 a 2",
      "XGROUP CREATE s g 0",
      ...[
        "XREADGROUP GROUP g c COUNT 1 STREAMS s >",
        "XREADGROUP GROUP g c NOACK COUNT 1 STREAMS s 0",
        "XACK s g 1-0",
        "XCLAIM s g d 0 2-0",
        "XAUTOCLAIM s g e 0 0",
        "XSETID s 5-0",
        "XGROUP SETID s g 0",
        "XGROUP CREATECONSUMER s g f",
        "XGROUP DELCONSUMER s g f",
        "XGROUP CREATE s g2 0",
        "XGROUP DESTROY s g2",
        "XGROUP CREATE s2 g 0 MKSTREAM",
        "XGROUP CREATE s2 g3 $",
        "XADD s 9-0 a 3",
        "XDEL s 9-0",
        "XTRIM s MAXLEN 1",
        "XTRIM s MAXLEN 5",
      ].flatMap((write) => [
        `WATCH s s2`,
        write,
        "MULTI",
        "PING",
        "EXEC",
      ]),
    ],
  },
];

/** The same corpus in RESP3 (maps, nulls and the XREAD map reply differ from RESP2). */
const resp3Cases: DiffCase[] = streamCases
  .filter((c) => !c.name.startsWith("blocking"))
  .map((c) => ({ name: `RESP3: ${c.name}`, steps: [HELLO3, ...c.steps] }));

peerTest("differential: stream corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, streamCases, reference, subject, { keepGoing })
  );
});

peerTest("differential: stream corpus in RESP3 matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, resp3Cases, reference, subject, { keepGoing })
  );
});

peerTest("differential: seeded random stream sequence matches redis-server", async () => {
  const seed = diffSeed("differential random stream sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomStreamCase(seed), reference, subject, { keepGoing }))
  );
});

/**
 * A reproducible random sequence of stream commands over a few keys, groups and consumers.
 * IDs are explicit: an XADD draws the next ID a little past the key's last one (sometimes at
 * or before it, for the error), so the sequence never depends on the clock. Delivery times and
 * idle times show only through XPENDING's counts and XINFO's masked fields.
 */
function randomStreamCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const keyIndex = () => int(RANDOM_KEY_COUNT);
  const lastMs = Array.from({ length: RANDOM_KEY_COUNT }, () => 0);
  const key = () => `s${keyIndex()}`;
  const group = () => `g${int(RANDOM_GROUP_COUNT)}`;
  const consumer = () => `c${int(RANDOM_CONSUMER_COUNT)}`;
  const anyId = (k: number) => `${int(lastMs[k] + 3)}-${int(3)}`;
  const field = () => pick(["f", "g", "h", "123", ""]);
  const value = () =>
    random() < 0.9 ? pick(["v", "1", "-5", "x".repeat(int(40))]) : "y".repeat(int(300));
  const fields = () => {
    const parts: string[] = [];
    const count = random() < 0.7 ? 1 : 1 + int(4);
    for (let i = 0; i < count; i++) parts.push(field(), value());
    return parts;
  };
  const xadd = (): DiffStep => {
    const k = keyIndex();
    const trim: string[] = [];
    const roll = random();
    if (roll < 0.15) trim.push("MAXLEN", pick(["=", "~", ""]), String(int(30)));
    else if (roll < 0.25) trim.push("MINID", pick(["=", "~", ""]), anyId(k));
    if (trim.length > 0 && trim[2] === "~" && random() < 0.3) trim.push("LIMIT", String(int(20)));
    let id: string;
    const idRoll = random();
    if (idRoll < 0.05) id = anyId(k);
    else if (idRoll < 0.2) id = `${lastMs[k]}-*`;
    else {
      lastMs[k] += 1 + int(3);
      id = random() < 0.5 ? `${lastMs[k]}` : `${lastMs[k]}-${int(5)}`;
    }
    return { args: ["XADD", `s${k}`, ...trim.filter((part) => part !== ""), id, ...fields()] };
  };
  const weighted: [number, () => DiffStep][] = [
    [30, xadd],
    [3, () => ({ args: ["XDEL", key(), anyId(keyIndex()), anyId(keyIndex())] })],
    [2, () => ({ args: ["XTRIM", key(), "MAXLEN", pick(["=", "~"]), String(int(40))] })],
    [2, () => ({ args: ["XTRIM", key(), "MINID", pick(["=", "~"]), anyId(keyIndex())] })],
    [3, () => ({ args: ["XRANGE", key(), "-", "+", "COUNT", String(1 + int(5))] })],
    [3, () => ({ args: ["XREVRANGE", key(), "+", anyId(keyIndex()), "COUNT", String(int(4))] })],
    [2, () => ({ args: ["XRANGE", key(), `(${anyId(keyIndex())}`, "+"] })],
    [2, () => ({ args: ["XLEN", key()] })],
    [3, () => ({ args: ["XINFO", "STREAM", key()] })],
    [1, () => ({ args: ["XINFO", "STREAM", key(), "FULL", "COUNT", "3"], mask: MASK_TIMES })],
    [
      2,
      () => ({
        args: ["XREAD", "COUNT", String(1 + int(3)), "STREAMS", key(), key(), anyId(0), anyId(1)],
      }),
    ],
    [
      3,
      () => ({ args: ["XGROUP", "CREATE", key(), group(), pick(["$", "0", anyId(keyIndex())])] }),
    ],
    [1, () => ({ args: ["XGROUP", "SETID", key(), group(), pick(["$", "0", anyId(keyIndex())])] })],
    [1, () => ({ args: ["XGROUP", "DESTROY", key(), group()] })],
    [1, () => ({ args: ["XGROUP", "CREATECONSUMER", key(), group(), consumer()] })],
    [1, () => ({ args: ["XGROUP", "DELCONSUMER", key(), group(), consumer()] })],
    [
      8,
      () => ({
        args: [
          "XREADGROUP",
          "GROUP",
          group(),
          consumer(),
          ...(random() < 0.2 ? ["NOACK"] : []),
          "COUNT",
          String(1 + int(4)),
          "STREAMS",
          key(),
          random() < 0.85 ? ">" : "0",
        ],
      }),
    ],
    [4, () => ({ args: ["XACK", key(), group(), anyId(keyIndex()), anyId(keyIndex())] })],
    [3, () => ({ args: ["XPENDING", key(), group()] })],
    [2, () => ({ args: ["XPENDING", key(), group(), "-", "+", "5"], mask: MASK_ELAPSED })],
    [
      3,
      () => ({
        args: [
          "XCLAIM",
          key(),
          group(),
          consumer(),
          "0",
          anyId(keyIndex()),
          anyId(keyIndex()),
          ...(random() < 0.3 ? ["FORCE"] : []),
          ...(random() < 0.5 ? ["JUSTID"] : []),
          "TIME",
          "1000",
        ],
      }),
    ],
    [
      2,
      () => ({
        args: ["XAUTOCLAIM", key(), group(), consumer(), "0", anyId(keyIndex()), "COUNT", "3"],
      }),
    ],
    [2, () => ({ args: ["XINFO", "GROUPS", key()] })],
    [1, () => ({ args: ["XINFO", "CONSUMERS", key(), group()], mask: MASK_IDLE })],
    [1, () => ({ args: ["DEL", key()] })],
    [1, () => ({ args: ["COPY", key(), key(), "REPLACE"] })],
  ];
  const pickGenerator = weightedPicker(random, weighted);
  const steps: DiffStep[] = [
    "CONFIG SET stream-node-max-entries 5",
    "CONFIG SET stream-node-max-bytes 200",
  ].map((command) => ({ args: command.split(" ") }));
  for (let i = 0; i < RANDOM_COMMAND_COUNT; i++) steps.push(pickGenerator()());
  return { name: `random stream sequence seed ${seed}`, steps };
}
