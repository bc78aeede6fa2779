// Differential tests for what Redis 7.0 does around transactions, lazy expiry and DEBUG DIGEST,
// against a redis-server started with DEBUG enabled (the shared corpus's reference has it off):
//
//   WATCH of an already expired key   remembered as such: its deletion (lazy, DEL, FLUSHDB,
//                                     SWAPDB with a missing or expired key) does not fail EXEC;
//                                     a key that expires after WATCH does, even undeleted
//   FLUSHDB / FLUSHALL / SWAPDB       fail EXEC only for watched keys they really change
//   no_multi commands (SAVE …)        refused inside MULTI, and EXEC then aborts
//   EXEC on a stale replica           -EXECABORT …MASTERDOWN… for queued commands without "stale"
//   LCS                               every option, errors, RESP3
//   DEBUG DIGEST / DIGEST-VALUE       the same 40 hex digits as Redis for every type
//   SCAN                              expired keys are deleted as SCAN meets them
//   the replication stream            one write of a transaction goes bare, more are wrapped in
//                                     MULTI … EXEC; GETDEL → DEL, GETEX PERSIST → PERSIST;
//                                     PUBLISH reaches replicas
//
// RESPLICA_DIFF_KEEP_GOING=1 reports every mismatching step of a case.

import assert from "node:assert/strict";
import {
  type DiffCase,
  type DiffTarget,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  expect,
  keepGoingFromEnv,
  runCorpus,
} from "./_support/differential.ts";
import { peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { startSubject, type Subject } from "./_support/subject.ts";
import { latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";

const keepGoing = keepGoingFromEnv();

const NULL_ARRAY = "*-1\r\n";
const EXEC_PONG = "*1\r\n+PONG\r\n";
const ACTIVE_EXPIRE_OFF = "DEBUG SET-ACTIVE-EXPIRE 0";
const ACTIVE_EXPIRE_ON = "DEBUG SET-ACTIVE-EXPIRE 1";
/** Long enough for a key set with PX 1 to be past its TTL. */
const STALE_WAIT = { sleepMs: 5 };

/** Starts a redis-server with DEBUG enabled and the subject; stops both whatever happens. */
async function withDebugPeers(
  body: (reference: DiffTarget, subject: Subject) => Promise<void>,
): Promise<void> {
  const reference = await startRedisServer([
    "--enable-debug-command",
    "yes",
    "--repl-diskless-sync-delay",
    "0",
  ]);
  const subject = await startSubject({ debug: true });
  try {
    await body({ label: "redis-server", port: reference.port }, subject);
  } finally {
    await subject.close();
    await reference.stop();
  }
}

const watchCases: DiffCase[] = [
  {
    name: "WATCH of a stale key does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "a watched stale key deleted lazily does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      expect("EXISTS x", ":0\r\n"),
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "a watched stale key deleted by DEL does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      expect("DEL x", ":0\r\n"),
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "a watched stale key written again fails EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      { args: ["SET", "x", "bar"], conn: 2 },
      "MULTI",
      "PING",
      expect("EXEC", NULL_ARRAY),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "a watched key expiring after WATCH fails EXEC though nothing deleted it",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET key 1 PX 30",
      "WATCH key",
      { sleepMs: 50 },
      "MULTI",
      "INCR key",
      expect("EXEC", NULL_ARRAY),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "FLUSHDB while watching a stale key does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      "FLUSHDB",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "FLUSHALL and FLUSHDB fail EXEC only for watched keys that exist",
    steps: [
      "SET y 1",
      "WATCH x",
      "FLUSHALL",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      "WATCH x",
      "FLUSHDB",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      "SET x 30",
      "WATCH x",
      "FLUSHDB",
      "MULTI",
      "PING",
      expect("EXEC", NULL_ARRAY),
      "MSET a a b b",
      "WATCH b a",
      "FLUSHALL",
      "PING",
    ],
  },
  {
    name: "SWAPDB: a stale key replaced by nothing does not fail EXEC",
    steps: [
      "SELECT 1",
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "WATCH x",
      "SWAPDB 0 1",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "SWAPDB: nothing replaced by a stale key does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "SELECT 1",
      "WATCH x",
      "SWAPDB 0 1",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "SWAPDB: a stale key replaced by another stale key does not fail EXEC",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SELECT 1",
      "SET x foo PX 1",
      "SELECT 0",
      "SET x bar PX 1",
      STALE_WAIT,
      "SELECT 1",
      "WATCH x",
      "SWAPDB 0 1",
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "SWAPDB: a live key replaced, or a missing key created, fails EXEC",
    steps: [
      "SET x 30",
      "WATCH x",
      "SWAPDB 0 1",
      "MULTI",
      "PING",
      expect("EXEC", NULL_ARRAY),
      "WATCH x",
      "SWAPDB 0 1",
      "MULTI",
      "PING",
      expect("EXEC", NULL_ARRAY),
    ],
  },
  {
    name: "WATCH after the transaction already failed adds nothing",
    steps: [
      "WATCH x",
      { args: ["SET", "x", "1"], conn: 2 },
      "WATCH y",
      "MULTI",
      "PING",
      expect("EXEC", NULL_ARRAY),
      "MULTI",
      "PING",
      expect("EXEC", EXEC_PONG),
    ],
  },
  {
    name: "SAVE and SHUTDOWN cannot be queued and abort EXEC",
    steps: [
      "MULTI",
      "SET foo bar",
      expect("SAVE", "-ERR Command not allowed inside a transaction\r\n"),
      expect("SHUTDOWN", "-ERR Command not allowed inside a transaction\r\n"),
      expect("EXEC", "-EXECABORT Transaction discarded because of previous errors.\r\n"),
      expect("GET foo", "$-1\r\n"),
    ],
  },
  {
    name: "EXEC of queued reads aborts once the server is a stale replica",
    steps: [
      "CONFIG SET replica-serve-stale-data no",
      "SET xx 1",
      "MULTI",
      "GET xx",
      { args: ["REPLICAOF", "127.0.0.1", "1"], conn: 2 },
      expect(
        "EXEC",
        "-EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down " +
          "and replica-serve-stale-data is set to 'no'.\r\n",
      ),
      { args: ["REPLICAOF", "NO", "ONE"], conn: 2 },
      "MULTI",
      "PING",
      { args: ["REPLICAOF", "127.0.0.1", "1"], conn: 2 },
      expect(
        "EXEC",
        "-EXECABORT Transaction discarded because of: MASTERDOWN Link with MASTER is down " +
          "and replica-serve-stale-data is set to 'no'.\r\n",
      ),
      "MULTI",
      { args: ["REPLICAOF", "NO", "ONE"], conn: 2 },
      "GET xx",
      expect("EXEC", "*1\r\n$1\r\n1\r\n"),
      "CONFIG SET replica-serve-stale-data yes",
    ],
  },
];

const RNA1 =
  "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGG";
const RNA2 =
  "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTG";

const lcsCases: DiffCase[] = [
  {
    name: "LCS: subsequence, LEN, IDX, WITHMATCHLEN, MINMATCHLEN",
    steps: [
      ["SET", "a{t}", RNA1],
      ["SET", "b{t}", RNA2],
      "LCS a{t} b{t}",
      "LCS a{t} b{t} LEN",
      "LCS a{t} b{t} IDX",
      "LCS a{t} b{t} IDX WITHMATCHLEN",
      "LCS a{t} b{t} IDX WITHMATCHLEN MINMATCHLEN 5",
      "LCS a{t} b{t} IDX MINMATCHLEN -3 WITHMATCHLEN",
      "SET c{t} ohmytext",
      "SET d{t} mynewtext",
      expect("LCS c{t} d{t}", "$6\r\nmytext\r\n"),
      "LCS c{t} d{t} idx withmatchlen",
      "LCS d{t} c{t} IDX MINMATCHLEN 4",
      { args: ["HELLO", "3"], ignore: true }, // the client id differs
      "LCS c{t} d{t} IDX WITHMATCHLEN",
      "LCS c{t} d{t} LEN",
    ],
  },
  {
    name: "LCS: missing keys are empty strings; errors",
    steps: [
      "SET a{t} hello",
      expect("LCS a{t} nosuch{t}", "$0\r\n\r\n"),
      "LCS nosuch{t} other{t} IDX",
      expect("LCS a{t} a{t} LEN", ":5\r\n"),
      expect(
        "LCS a{t} a{t} LEN IDX",
        "-ERR If you want both the length and indexes, please just use IDX.\r\n",
      ),
      expect("LCS a{t} a{t} FOO", ERR_SYNTAX),
      expect("LCS a{t} a{t} MINMATCHLEN", ERR_SYNTAX),
      expect("LCS a{t} a{t} MINMATCHLEN x", ERR_NOT_INTEGER),
      "RPUSH l{t} x",
      expect("LCS a{t} l{t}", "-ERR The specified keys must contain string values\r\n"),
      expect(
        "LCS l{t} nosuch{t} LEN IDX",
        "-ERR The specified keys must contain string values\r\n",
      ),
      expect("LCS a{t}", "-ERR wrong number of arguments for 'lcs' command\r\n"),
    ],
  },
];

const digestCases: DiffCase[] = [
  {
    name: "DEBUG DIGEST and DIGEST-VALUE of every type",
    steps: [
      expect("DEBUG DIGEST", "+0000000000000000000000000000000000000000\r\n"),
      "SET s hello",
      "SET n 123 EX 100",
      "RPUSH l a b c 1 2",
      "SADD st x y 1 2 300",
      "ZADD z 1.5 a 2 b 3e10 c -0.1 d",
      "ZADD zbig 1 m1 2 m2 3 m3",
      "CONFIG SET zset-max-listpack-entries 0",
      "ZADD zskip 1 a 2.25 b",
      "CONFIG SET zset-max-listpack-entries 128",
      "HSET h f v g w",
      "XADD x 1-1 f v g w",
      "XADD x 2-5 a b",
      "XADD x 3-0 c d",
      "XDEL x 2-5",
      "SELECT 3",
      "SET k v",
      "SELECT 0",
      "DEBUG DIGEST",
      "DEBUG DIGEST-VALUE s n l st z zbig zskip h x missing",
      "DEBUG DIGEST-VALUE",
      "COPY z zc",
      "COPY h hc",
      "DEBUG DIGEST-VALUE zc hc",
      "PERSIST n",
      "DEBUG DIGEST-VALUE n",
      "DEBUG DIGEST",
    ],
  },
  {
    name: "DEBUG DIGEST-VALUE reads a logically expired key",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET x foo PX 1",
      STALE_WAIT,
      "DEBUG DIGEST-VALUE x",
      "DEBUG DIGEST",
      ACTIVE_EXPIRE_ON,
    ],
  },
];

const expireCases: DiffCase[] = [
  {
    name: "SCAN deletes the expired keys it meets",
    steps: [
      ACTIVE_EXPIRE_OFF,
      "SET foo1 bar PX 1",
      "SET foo2 bar PX 1",
      "SET live bar",
      STALE_WAIT,
      expect("DBSIZE", ":3\r\n"),
      { scan: [] },
      expect("DBSIZE", ":1\r\n"),
      ACTIVE_EXPIRE_ON,
    ],
  },
  {
    name: "PEXPIREAT and GETEX with times past 2^53 ms",
    steps: [
      "SET foo bar",
      expect("PEXPIREAT foo 9223372036854770000", ":1\r\n"),
      expect("EXISTS foo", ":1\r\n"),
      "SET g bar",
      expect("GETEX g PXAT 9223372036854770000", "$3\r\nbar\r\n"),
      { args: ["TTL", "g"], pattern: /^:9\d{12,15}\r\n$/ }, // held to 2^53 ms here
      "PEXPIREAT foo -9223372036854770000",
      expect("TTL foo", ":-2\r\n"),
    ],
  },
];

peerTest(
  "differential: transactions, LCS, DEBUG DIGEST, lazy expiry match redis-server",
  async (t) => {
    await withDebugPeers((reference, subject) =>
      runCorpus(
        t,
        [...watchCases, ...lcsCases, ...digestCases, ...expireCases],
        reference,
        subject,
        {
          keepGoing,
        },
      )
    );
  },
);

// ── The replication stream ─────────────────────────────────────────────────────────────────

/** A raw SYNC connection, positioned just past the RDB and a marker write. */
async function attachToStream(port: number, client: RawClient): Promise<RawClient> {
  const stream = await RawClient.connect(port);
  await stream.send("SYNC\r\n");
  // Once the payload's header line arrived the connection is a replica: the marker written now
  // follows the snapshot, so reading up to it skips the RDB and the first SELECT.
  await stream.readUntil("\r\n");
  await client.command("SET", "stream-start", "1");
  await stream.readUntil("$12\r\nstream-start\r\n$1\r\n1\r\n");
  return stream;
}

/** The commands in the stream up to the end marker, each as space-joined lowercase words. */
async function readStream(stream: RawClient, client: RawClient): Promise<string[]> {
  await client.command("SET", "stream-end", "1");
  const commands: string[] = [];
  for (;;) {
    const [reply] = await stream.readReplies(1);
    const parts = splitAggregate(reply);
    if (parts === null) continue; // keepalive newlines are not commands
    const words = parts.map((part) => {
      const text = latin1Text(part);
      return text.slice(text.indexOf("\r\n") + 2, -2);
    });
    const line = words.join(" ");
    if (line === "SET stream-end 1") return commands;
    if (words[0].toLowerCase() === "ping") continue;
    // Absolute expiry times depend on the moment each server ran the write.
    const command = [words[0].toLowerCase(), ...words.slice(1)].join(" ");
    commands.push(command.replace(/ PXAT \d+$/, " PXAT <ms>"));
  }
}

/** Writes whose propagation Redis 7.0 rewrites or wraps; `*` in the expected text: any number. */
const STREAM_SCRIPT: string[][] = [
  ["MULTI"],
  ["SET", "foo", "bar"],
  ["EXEC"],
  ["SET", "foo2", "bar"],
  ["MULTI"],
  ["SET", "a", "1"],
  ["GET", "a"],
  ["SET", "b", "2"],
  ["EXEC"],
  ["MULTI"],
  ["GET", "a"],
  ["EXEC"],
  ["MULTI"],
  ["PUBLISH", "ch", "msg"],
  ["EXEC"],
  ["PUBLISH", "ch", "msg2"],
  ["GETDEL", "foo"],
  ["GETDEL", "foo"],
  ["SET", "e", "v", "EX", "100"],
  ["GETEX", "e", "PERSIST"],
  ["GETEX", "e"],
  ["GETEX", "e", "PERSIST"],
  ["SELECT", "2"],
  ["MULTI"],
  ["SET", "c", "3"],
  ["SELECT", "0"],
  ["INCR", "a"],
  ["EXEC"],
];

peerTest(
  "differential: the replication stream of transactions, GETDEL, GETEX, PUBLISH",
  async () => {
    await withDebugPeers(async (reference, subject) => {
      const streams: string[][] = [];
      for (const target of [reference, subject]) {
        const client = await RawClient.connect(target.port);
        try {
          await client.command("FLUSHALL");
          const stream = await attachToStream(target.port, client);
          try {
            for (const args of STREAM_SCRIPT) await client.command(...args);
            streams.push(await readStream(stream, client));
          } finally {
            stream.close();
          }
        } finally {
          client.close();
        }
      }
      const [fromRedis, fromResplica] = streams;
      assert.deepEqual(fromResplica, fromRedis);
      // What Redis 7.0 decides, spelled out (the comparison above is the real check).
      assert.deepEqual(fromRedis.slice(0, 6), [
        "set foo bar",
        "set foo2 bar",
        "multi",
        "set a 1",
        "set b 2",
        "exec",
      ]);
    });
  },
);
