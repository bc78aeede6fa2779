// Differential ACL tests: the same ACL commands, and the same allowed and denied commands run as
// restricted users, must give byte-identical replies from redis-server 7.0 and resplica.
//
// Connection 1 is the admin (the default user); connection 2 authenticates as the user under
// test. Replies that are random by nature are relaxed: GENPASS (pattern), HELLO's map (its id
// differs), and ACL LOG, whose age-seconds and client-info cannot agree, is compared after the
// run with those two values removed. Redis lists a user's single commands in its hash table's
// random order, so the users whose descriptions are compared hold at most one single command.

import assert from "node:assert/strict";
import {
  type DiffCase,
  keepGoingFromEnv,
  runCase,
  stepCases,
  withDiffPeers,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { latin1Text, RawClient, splitAggregate } from "./_support/raw_client.ts";

const CASES: DiffCase[] = [
  {
    name: "restricted user: keys, commands, MULTI, DRYRUN, AUTH failures",
    steps: [
      "ACL LOG RESET",
      "ACL SETUSER cacher on >s3cret ~cache:* +get",
      "ACL GETUSER cacher",
      "ACL LIST",
      "ACL USERS",
      "ACL SETUSER cacher +set +multi +exec",
      { args: ["AUTH", "cacher", "s3cret"], conn: 2 },
      { args: ["ACL", "WHOAMI"], conn: 2 },
      { args: ["SET", "cache:a", "1"], conn: 2 },
      { args: ["GET", "cache:a"], conn: 2 },
      { args: ["GET", "other"], conn: 2 },
      { args: ["SET", "other", "x"], conn: 2 },
      { args: ["GET", "other"], conn: 2 },
      { args: ["CONFIG", "GET", "port"], conn: 2 },
      { args: ["DEL", "cache:a"], conn: 2 },
      { args: ["MULTI"], conn: 2 },
      { args: ["GET", "other"], conn: 2 },
      { args: ["SET", "cache:b", "1"], conn: 2 },
      { args: ["EXEC"], conn: 2 },
      { args: ["MULTI"], conn: 2 },
      { args: ["SET", "cache:c", "1"], conn: 2 },
      { args: ["GET", "cache:c"], conn: 2 },
      "ACL SETUSER cacher -set",
      { args: ["EXEC"], conn: 2 },
      { args: ["AUTH", "cacher", "wrong"], conn: 2 },
      { args: ["AUTH", "ghost", "s3cret"], conn: 2 },
      { args: ["AUTH", "only-password"], conn: 2 },
      { args: ["HELLO", "3", "AUTH", "cacher", "wrong"], conn: 2 },
      { args: ["GET", "cache:a"], conn: 2 },
      "ACL DRYRUN cacher get cache:x",
      "ACL DRYRUN cacher get other",
      "ACL DRYRUN cacher set cache:x 1",
      "ACL DRYRUN cacher config get port",
      "ACL DRYRUN cacher get",
      "ACL DRYRUN cacher nosuch",
      "ACL DRYRUN ghost get x",
      "ACL DRYRUN default flushall",
      "ACL DELUSER default",
      "ACL DELUSER cacher ghost",
      "ACL GETUSER cacher",
      "ACL USERS",
    ],
  },
  {
    name: "channels: PUBLISH, SUBSCRIBE, PSUBSCRIBE against &patterns",
    steps: [
      "ACL SETUSER pub on nopass &news.* +publish",
      "ACL GETUSER pub",
      "ACL SETUSER pub +subscribe +psubscribe",
      { args: ["AUTH", "pub", "anything"], conn: 2 },
      { args: ["PUBLISH", "news.today", "x"], conn: 2 },
      { args: ["PUBLISH", "sports", "x"], conn: 2 },
      { args: ["PSUBSCRIBE", "news.*"], conn: 2 },
      { args: ["PSUBSCRIBE", "news.t*"], conn: 2 },
      { args: ["SUBSCRIBE", "news.a", "sports"], conn: 2 },
      "ACL DRYRUN pub publish sports x",
      "ACL DRYRUN pub subscribe news.b",
      "ACL DELUSER pub",
    ],
  },
  {
    name: "read and write key permissions: %R~ and %W~",
    steps: [
      "ACL SETUSER rw on nopass %R~r:* %W~w:* ~rw:* +@all",
      "ACL GETUSER rw",
      "SET r:1 1",
      "RPUSH r:l a b",
      "SADD r:a x y",
      "SADD r:b y z",
      { args: ["AUTH", "rw", "x"], conn: 2 },
      { args: ["GET", "r:1"], conn: 2 },
      { args: ["SET", "r:1", "x"], conn: 2 },
      { args: ["GET", "w:1"], conn: 2 },
      { args: ["SET", "w:1", "x"], conn: 2 },
      { args: ["SET", "w:1", "y", "GET"], conn: 2 },
      { args: ["INCR", "w:n"], conn: 2 },
      { args: ["INCR", "rw:n"], conn: 2 },
      { args: ["LPUSH", "w:l", "a"], conn: 2 },
      { args: ["LPOP", "w:l"], conn: 2 },
      { args: ["EXISTS", "w:1", "r:1"], conn: 2 },
      { args: ["EXISTS", "zzz"], conn: 2 },
      { args: ["STRLEN", "r:1"], conn: 2 },
      { args: ["LMOVE", "r:l", "w:l", "LEFT", "LEFT"], conn: 2 },
      { args: ["LMOVE", "rw:l", "w:l", "LEFT", "LEFT"], conn: 2 },
      { args: ["SINTERSTORE", "w:d", "r:a", "r:b"], conn: 2 },
      { args: ["SINTERSTORE", "r:d", "r:a", "r:b"], conn: 2 },
      { args: ["SINTERCARD", "2", "r:a", "w:b"], conn: 2 },
      { args: ["COPY", "r:1", "w:c"], conn: 2 },
      { args: ["RENAME", "rw:n", "w:m"], conn: 2 },
      { args: ["DEL", "w:m", "r:1"], conn: 2 },
      { args: ["ZUNIONSTORE", "w:z", "2", "r:a", "rw:b"], conn: 2 },
      { args: ["MSET", "w:1", "a", "r:2", "b"], conn: 2 },
      "ACL DRYRUN rw incr w:n",
      "ACL DRYRUN rw set w:1 v get",
      "ACL DRYRUN rw blpop r:l 0",
      "ACL DELUSER rw",
    ],
  },
  {
    name: "ACL SETUSER rules, errors and descriptions",
    steps: [
      "ACL SETUSER u1",
      "ACL GETUSER u1",
      "ACL SETUSER u1 reset",
      "ACL LIST",
      "ACL SETUSER u1 on nopass allkeys allchannels allcommands",
      "ACL GETUSER u1",
      "ACL SETUSER u1 -@dangerous",
      "ACL GETUSER u1",
      "ACL SETUSER u1 nocommands +@string +@list",
      "ACL GETUSER u1",
      "ACL SETUSER u1 resetkeys %R~r:* %W~w:* ~rw:* %RW~x:*",
      "ACL GETUSER u1",
      "ACL SETUSER u1 resetchannels &a &b",
      "ACL LIST",
      "ACL SETUSER u1 >p1 >p2 <p1",
      "ACL GETUSER u1",
      "ACL SETUSER u1 #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
      "ACL SETUSER u1 !30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4",
      "ACL SETUSER u1 resetpass",
      "ACL GETUSER u1",
      "ACL SETUSER u1 -@all +config|get",
      "ACL GETUSER u1",
      "ACL SETUSER u1 +@all -config|set",
      "ACL GETUSER u1",
      "ACL SETUSER u1 -@all +select|0",
      "ACL GETUSER u1",
      "ACL DRYRUN u1 select 0",
      "ACL DRYRUN u1 select 1",
      "ACL SETUSER u1 <nosuch",
      "ACL SETUSER u1 #abc",
      "ACL SETUSER u1 +nosuch",
      "ACL SETUSER u1 +@nosuch",
      "ACL SETUSER u1 -config|nosuch",
      "ACL SETUSER u1 +config|get|x",
      "ACL SETUSER u1 +get|",
      "ACL SETUSER u1 bogus",
      "ACL SETUSER u1 ~* ~more",
      "ACL SETUSER u1 allchannels &more",
      "ACL SETUSER u1 %X~k",
      ["ACL", "SETUSER", "bad name"],
      "ACL SETUSER u1 on >a +get nosuchrule",
      "ACL GETUSER u1",
      "ACL DELUSER u1",
    ],
  },
  {
    name: "ACL CAT, GENPASS, LOG, LOAD/SAVE without aclfile, HELP, WHOAMI",
    steps: [
      "ACL CAT",
      "ACL CAT nosuch",
      { args: ["ACL", "GENPASS"], pattern: /^\$64\r\n[0-9a-f]{64}\r\n$/ },
      { args: ["ACL", "GENPASS", "5"], pattern: /^\$2\r\n[0-9a-f]{2}\r\n$/ },
      "ACL GENPASS 0",
      "ACL GENPASS 4097",
      "ACL GENPASS x",
      "ACL LOG x",
      "ACL LOG -1",
      "ACL LOG 0",
      "ACL LOAD",
      "ACL SAVE",
      "ACL WHOAMI",
      "ACL HELP",
      "ACL",
      "ACL NOSUCH",
      "ACL SETUSER",
      "ACL GETUSER",
      "ACL USERS extra",
    ],
  },
  {
    name: "requirepass is the default user's password",
    steps: [
      "ACL GETUSER default",
      ["CONFIG", "SET", "requirepass", "pw"],
      "ACL GETUSER default",
      "ACL LIST",
      { args: ["PING"], conn: 2 },
      { args: ["AUTH", "wrong"], conn: 2 },
      { args: ["AUTH", "pw"], conn: 2 },
      { args: ["AUTH", "default", "pw"], conn: 2 },
      { args: ["HELLO", "3", "AUTH", "default", "pw"], conn: 2, ignore: true },
      ["CONFIG", "SET", "requirepass", ""],
      "ACL GETUSER default",
      "AUTH x",
    ],
  },
];

/** ACL LOG entries with their field names and values, minus age-seconds and client-info. */
async function comparableLog(port: number): Promise<string[]> {
  const client = await RawClient.connect(port);
  try {
    const entries = splitAggregate(await client.command("ACL", "LOG", "100"));
    assert.ok(entries !== null);
    return entries.map((entry) => {
      const fields = splitAggregate(entry)!.map(latin1Text);
      const kept: string[] = [];
      for (let i = 0; i < fields.length; i += 2) {
        if (fields[i].includes("age-seconds") || fields[i].includes("client-info")) continue;
        kept.push(fields[i], fields[i + 1]);
      }
      return kept.join("");
    });
  } finally {
    client.close();
  }
}

peerTest("differential: ACL commands and permission checks match redis-server", async (t) => {
  await withDiffPeers(async (reference, subject) => {
    const failures = await stepCases(
      t,
      CASES,
      (testCase) => runCase(testCase, reference, subject, { keepGoing: keepGoingFromEnv() }),
    );
    assert.deepEqual(failures, []);
    const referenceLog = await comparableLog(reference.port);
    assert.ok(referenceLog.length > 5, "the cases produce ACL LOG entries");
    assert.deepEqual(await comparableLog(subject.port), referenceLog);
  });
});
