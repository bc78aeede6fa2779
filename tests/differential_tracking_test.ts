// Differential tests for client-side caching (CLIENT TRACKING, CACHING, GETREDIR,
// TRACKINGINFO): the errors, the state replies, and the invalidation pushes a RESP3 client gets
// on its own connection (a key it read was written, a flush, BCAST prefixes, NOLOOP, OPTIN /
// OPTOUT with CACHING), byte for byte against redis-server 7.0. Pushes are read together with
// the reply of a PING sent after the write (`replies: 2`), so their place in the stream counts.
// Redirection needs the other connection's id, which differs between the servers: it is covered
// by tests/tracking_test.ts and the Tcl suite (unit/tracking).

import {
  type DiffCase,
  type DiffStep,
  ERR_NOT_INTEGER,
  ERR_SYNTAX,
  expect,
  runCorpus,
  withDiffPeers,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** HELLO 3 on a connection: its reply names the server's version and the client id. */
function hello3(conn: 1 | 2 = 1): DiffStep {
  return { args: ["HELLO", "3"], ignore: true, conn };
}

/** A command on connection 2. */
function on2(command: string): DiffStep {
  return { args: command.split(" "), conn: 2 };
}

/** PING on connection 1, read with the `pushes` pushes expected before its PONG. */
function pingAfter(pushes: number): DiffStep {
  return { args: ["PING"], replies: pushes + 1 };
}

const TRACKING_CASES: DiffCase[] = [
  {
    name: "CLIENT TRACKING: option errors",
    steps: [
      "CLIENT TRACKING",
      "CLIENT TRACKING maybe",
      expect("CLIENT TRACKING on foo", ERR_SYNTAX),
      "CLIENT TRACKING on REDIRECT",
      "CLIENT TRACKING on PREFIX",
      expect(
        "CLIENT TRACKING on PREFIX a:",
        "-ERR PREFIX option requires BCAST mode to be enabled\r\n",
      ),
      "CLIENT TRACKING on BCAST OPTIN",
      "CLIENT TRACKING on BCAST OPTOUT",
      "CLIENT TRACKING on OPTIN OPTOUT",
      expect("CLIENT TRACKING on REDIRECT abc", ERR_NOT_INTEGER),
      "CLIENT TRACKING on REDIRECT 987654",
      "CLIENT TRACKING on REDIRECT 987654 REDIRECT 987655",
      "CLIENT TRACKING off foo",
      "CLIENT TRACKING off PREFIX a:",
      "CLIENT TRACKINGINFO",
      "CLIENT GETREDIR",
    ],
  },
  {
    name: "CLIENT TRACKING: mode switches and prefix collisions",
    steps: [
      "CLIENT TRACKING on OPTIN",
      "CLIENT TRACKING on OPTOUT",
      "CLIENT TRACKING on BCAST",
      "CLIENT TRACKING on OPTIN NOLOOP",
      "CLIENT TRACKINGINFO",
      "CLIENT TRACKING off",
      "CLIENT TRACKING on BCAST PREFIX FOOBAR PREFIX FOO",
      "CLIENT TRACKING on BCAST PREFIX FOO PREFIX FOOBAR",
      "CLIENT TRACKING on BCAST PREFIX FOO PREFIX BAR",
      "CLIENT TRACKING on BCAST PREFIX FO",
      "CLIENT TRACKING on BCAST PREFIX BARB",
      "CLIENT TRACKING on BCAST PREFIX baz",
      "CLIENT TRACKING on",
      "CLIENT TRACKINGINFO",
      "CLIENT GETREDIR",
      "CLIENT TRACKING off",
      "CLIENT TRACKING on BCAST",
      "CLIENT TRACKINGINFO",
      "CLIENT TRACKING off",
      "CLIENT TRACKINGINFO",
    ],
  },
  {
    name: "CLIENT CACHING: errors and TRACKINGINFO flags, RESP2 and RESP3",
    steps: [
      "CLIENT CACHING yes",
      "CLIENT CACHING",
      "CLIENT TRACKING on",
      "CLIENT CACHING yes",
      "CLIENT CACHING no",
      "CLIENT CACHING maybe",
      "CLIENT TRACKING off",
      "CLIENT TRACKING on OPTIN",
      "CLIENT CACHING no",
      "CLIENT CACHING yes",
      "CLIENT TRACKINGINFO",
      "CLIENT GETREDIR",
      // Any command but CLIENT ends CACHING's effect.
      "PING",
      "CLIENT TRACKINGINFO",
      "CLIENT TRACKING off",
      hello3(),
      "CLIENT TRACKING on OPTOUT NOLOOP",
      "CLIENT CACHING no",
      "CLIENT TRACKINGINFO",
      "CLIENT TRACKING off",
      "CLIENT TRACKING on BCAST PREFIX b PREFIX a",
      "CLIENT TRACKINGINFO",
    ],
  },
  {
    name: "RESP3: a read key written by another client is invalidated",
    steps: [
      hello3(),
      "CLIENT TRACKING on",
      on2("SET k 1"),
      "GET k",
      on2("SET k 2"),
      pingAfter(1),
      // Invalidated once: the key must be read again to be tracked again.
      on2("SET k 3"),
      pingAfter(0),
      "MGET k other",
      on2("MSET other 1 k 4"),
      pingAfter(2),
      // A key never read is not invalidated.
      on2("SET unread 1"),
      pingAfter(0),
    ],
  },
  {
    name: "RESP3: the client's own write is invalidated after its reply",
    steps: [
      hello3(),
      "CLIENT TRACKING on",
      "HSET h f 1",
      "HGET h f",
      { args: ["HDEL", "h", "f"], replies: 2 },
      "SET a 1",
      "GET a",
      "MULTI",
      "INCR a",
      "GET a",
      { args: ["EXEC"], replies: 2 },
    ],
  },
  {
    name: "RESP3: NOLOOP leaves out the client's own writes",
    steps: [
      hello3(),
      "CLIENT TRACKING on NOLOOP",
      "MGET mine theirs",
      "SET mine 1",
      on2("SET theirs 1"),
      pingAfter(1),
    ],
  },
  {
    name: "RESP3: OPTIN tracks only after CACHING yes, OPTOUT all but after CACHING no",
    steps: [
      hello3(),
      "CLIENT TRACKING on OPTIN",
      "GET a",
      on2("SET a 1"),
      pingAfter(0),
      "CLIENT CACHING yes",
      "GET a",
      on2("SET a 2"),
      pingAfter(1),
      "CLIENT TRACKING off",
      "CLIENT TRACKING on OPTOUT",
      "CLIENT CACHING no",
      "GET b",
      "GET c",
      on2("MSET b 1 c 1"),
      pingAfter(1),
    ],
  },
  {
    name: "RESP3: FLUSHALL and FLUSHDB send a null invalidation",
    steps: [
      hello3(),
      "CLIENT TRACKING on",
      "GET k",
      on2("FLUSHALL"),
      pingAfter(1),
      on2("FLUSHDB"),
      pingAfter(1),
      { args: ["FLUSHDB"], replies: 2 },
      "CLIENT TRACKING off",
      "CLIENT TRACKING on BCAST",
      on2("FLUSHALL"),
      pingAfter(1),
    ],
  },
  {
    name: "RESP3: BCAST sends each prefix's written keys once per round",
    steps: [
      hello3(),
      "CLIENT TRACKING on BCAST PREFIX b: PREFIX a:",
      on2("MSET b:2 1 a:2 1 c:1 1 a:1 1"),
      pingAfter(2),
      "CLIENT TRACKING on BCAST PREFIX c:",
      on2("SET c:9 1"),
      pingAfter(1),
      "CLIENT TRACKING off",
      "CLIENT TRACKING on BCAST NOLOOP",
      "SET mine 1",
      on2("SET theirs 1"),
      pingAfter(1),
    ],
  },
  {
    name: "RESP2: tracking a client with no redirect sends nothing",
    steps: [
      "CLIENT TRACKING on",
      "GET k",
      on2("SET k 1"),
      "PING",
      on2("FLUSHALL"),
      "PING",
    ],
  },
];

peerTest("differential: client-side caching (CLIENT TRACKING)", async (t) => {
  await withDiffPeers(async (reference, subject) => {
    await runCorpus(t, TRACKING_CASES, reference, subject);
  });
});
