// Differential tests for SLOWLOG, LATENCY and OBJECT REFCOUNT (Redis's unit/slowlog,
// unit/latency-monitor and the shared-integer check of unit/type/incr): the replies that do not
// carry a time, a duration or a client address, byte for byte as redis-server 7.0 gives them.
// Entries' contents (times, durations, peers) are checked on resplica alone in
// slowlog_latency_test.ts.

import { type DiffCase, expect, runCorpus, withDiffPeers } from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";

const slowlogCases: DiffCase[] = [
  {
    name: "SLOWLOG LEN / RESET / HELP, and a log that records nothing",
    steps: [
      "CONFIG SET slowlog-log-slower-than -1",
      expect("SLOWLOG RESET", "+OK\r\n"),
      expect("SLOWLOG LEN", ":0\r\n"),
      expect("SLOWLOG GET", "*0\r\n"),
      "SLOWLOG GET -1",
      "SLOWLOG GET 0",
      "SLOWLOG HELP",
      "SLOWLOG NOSUCH",
      "SLOWLOG GET 1 2",
      "SLOWLOG LEN 1",
      "SLOWLOG",
      "CONFIG SET slowlog-log-slower-than 10000",
    ],
  },
  {
    name: "SLOWLOG GET: counts below -1 and non-integers are refused",
    steps: [
      expect("SLOWLOG GET -2", "-ERR count should be greater than or equal to -1\r\n"),
      "SLOWLOG GET -222",
      "SLOWLOG GET abc",
      "SLOWLOG GET 9223372036854775808",
    ],
  },
  {
    name:
      "slowlog-log-slower-than, slowlog-max-len and latency-monitor-threshold: CONFIG GET / SET",
    steps: [
      "CONFIG GET slowlog-log-slower-than",
      "CONFIG GET slowlog-max-len",
      "CONFIG GET latency-monitor-threshold",
      "CONFIG SET slowlog-log-slower-than -2",
      "CONFIG SET slowlog-max-len -1",
      "CONFIG SET latency-monitor-threshold -1",
      "CONFIG SET slowlog-max-len 10",
      "CONFIG GET slowlog-max-len",
      "CONFIG SET slowlog-max-len 128",
    ],
  },
  {
    name: "LATENCY with the monitor off: empty LATEST / HISTORY, RESET counts, GRAPH errors",
    steps: [
      expect("LATENCY RESET", ":0\r\n"),
      expect("LATENCY LATEST", "*0\r\n"),
      "LATENCY HISTORY command",
      "LATENCY HISTORY blabla",
      "LATENCY RESET blabla",
      "LATENCY RESET blabla command",
      "LATENCY GRAPH command",
      "LATENCY HELP",
      "LATENCY HELP xxx",
      "LATENCY NOSUCH",
      "LATENCY HISTORY",
      "LATENCY LATEST x",
      "LATENCY HISTOGRAM blabla",
      "LATENCY HISTOGRAM blabla blabla2",
    ],
  },
  {
    name: "OBJECT REFCOUNT: shared integers 0..9999, other strings and types",
    steps: [
      "SET foo -1",
      "INCR foo",
      "OBJECT REFCOUNT foo",
      "SET foo 9998",
      "INCR foo",
      "OBJECT REFCOUNT foo",
      "INCR foo",
      "OBJECT REFCOUNT foo",
      "SET n 0",
      "OBJECT REFCOUNT n",
      "SET n 10000",
      "OBJECT REFCOUNT n",
      "SET n 012",
      "OBJECT REFCOUNT n",
      "SET s hello",
      "OBJECT REFCOUNT s",
      "APPEND a 5",
      "OBJECT REFCOUNT a",
      "RPUSH l 1",
      "OBJECT REFCOUNT l",
      "SADD set 1",
      "OBJECT REFCOUNT set",
      "HSET h f 1",
      "OBJECT REFCOUNT h",
      "OBJECT REFCOUNT nosuch",
      "OBJECT REFCOUNT",
    ],
  },
];

peerTest("SLOWLOG, LATENCY and OBJECT REFCOUNT match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, slowlogCases, reference, subject, { noun: "slowlog / latency cases" })
  );
});
