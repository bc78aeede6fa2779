// Differential test of INFO stats keyspace_hits / keyspace_misses: one transcript of reads and
// writes over every type, sent to a redis-server 7.0 and to resplica, with both counters read
// after each step and compared. Redis counts a hit or a miss in every read lookup
// (lookupKeyRead: per key for EXISTS, MGET, TOUCH, a key of the wrong type being a hit) and
// nothing in write lookups; a step that counts differently fails the test, naming the step.

import { withDiffPeers } from "./_support/differential.ts";
import { RawClient } from "./_support/raw_client.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** The transcript: setup writes (which must count nothing) interleaved with reads. */
const STEPS: string[][] = [
  // strings
  ["SET", "s", "hello"],
  ["GET", "s"],
  ["GET", "nosuch"],
  ["MGET", "s", "nosuch", "h"],
  ["STRLEN", "s"],
  ["STRLEN", "nosuch"],
  ["GETRANGE", "s", "0", "2"],
  ["GETRANGE", "nosuch", "0", "2"],
  ["APPEND", "s", "!"],
  ["INCR", "n"],
  ["SET", "s2", "x", "GET"],
  ["SET", "s2", "y", "GET"],
  ["GETSET", "s2", "z"],
  ["GETDEL", "s2"],
  ["GETDEL", "s2"],
  ["GETEX", "s", "EX", "100"],
  ["LCS", "s", "nosuch"],
  // keys
  ["EXISTS", "s", "nosuch", "s"],
  ["TYPE", "s"],
  ["TYPE", "nosuch"],
  ["TTL", "s"],
  ["PTTL", "nosuch"],
  ["EXPIRETIME", "s"],
  ["TOUCH", "s", "nosuch"],
  ["OBJECT", "ENCODING", "s"],
  ["OBJECT", "ENCODING", "nosuch"],
  ["OBJECT", "REFCOUNT", "n"],
  ["OBJECT", "IDLETIME", "s"],
  ["OBJECT", "FREQ", "s"],
  ["OBJECT", "FREQ", "nosuch"],
  ["COPY", "s", "s3"],
  ["COPY", "nosuch", "s4"],
  ["DEL", "s3", "nosuch"],
  ["EXPIRE", "n", "100"],
  ["PERSIST", "n"],
  ["RENAME", "n", "n2"],
  // hashes
  ["HSET", "h", "f", "v", "g", "w"],
  ["HGET", "h", "f"],
  ["HGET", "h", "nofield"],
  ["HGET", "nosuch", "f"],
  ["HMGET", "h", "nofield", "other"],
  ["HMGET", "nosuch", "f"],
  ["HEXISTS", "h", "nofield"],
  ["HSTRLEN", "h", "f"],
  ["HLEN", "h"],
  ["HLEN", "nosuch"],
  ["HGETALL", "h"],
  ["HKEYS", "nosuch"],
  ["HVALS", "h"],
  ["HSCAN", "h", "0"],
  ["HRANDFIELD", "h"],
  ["HRANDFIELD", "nosuch", "2"],
  ["HINCRBY", "h", "c", "1"],
  ["HDEL", "h", "c"],
  ["GET", "h"],
  // lists
  ["RPUSH", "l", "a", "b", "c"],
  ["LRANGE", "l", "0", "-1"],
  ["LRANGE", "l", "10", "20"],
  ["LRANGE", "nosuch", "0", "-1"],
  ["LLEN", "l"],
  ["LLEN", "nosuch"],
  ["LINDEX", "l", "0"],
  ["LINDEX", "nosuch", "0"],
  ["LPOS", "l", "b"],
  ["LPOS", "nosuch", "b"],
  ["LPOP", "l"],
  ["LRANGE", "h", "0", "-1"],
  // sets
  ["SADD", "st", "a", "b"],
  ["SADD", "st2", "b", "c"],
  ["SMEMBERS", "st"],
  ["SMEMBERS", "nosuch"],
  ["SISMEMBER", "st", "zz"],
  ["SISMEMBER", "nosuch", "a"],
  ["SMISMEMBER", "st", "zz"],
  ["SCARD", "st"],
  ["SCARD", "nosuch"],
  ["SRANDMEMBER", "st"],
  ["SRANDMEMBER", "nosuch", "3"],
  ["SINTER", "st", "st2", "nosuch"],
  ["SUNION", "st", "st2"],
  ["SDIFF", "st", "nosuch"],
  ["SINTERCARD", "2", "st", "st2"],
  ["SUNIONSTORE", "dst", "st", "nosuch"],
  ["SSCAN", "st", "0"],
  ["SSCAN", "nosuch", "0"],
  ["SREM", "st", "a"],
  // sorted sets
  ["ZADD", "z", "1", "a", "2", "b"],
  ["ZSCORE", "z", "a"],
  ["ZSCORE", "z", "nomember"],
  ["ZSCORE", "nosuch", "a"],
  ["ZMSCORE", "z", "a", "x"],
  ["ZCARD", "z"],
  ["ZCARD", "nosuch"],
  ["ZRANK", "z", "b"],
  ["ZRANK", "z", "nomember"],
  ["ZREVRANK", "nosuch", "a"],
  ["ZRANGE", "z", "0", "-1"],
  ["ZRANGE", "z", "5", "10"],
  ["ZRANGE", "nosuch", "0", "-1"],
  ["ZRANGEBYSCORE", "z", "-inf", "+inf"],
  ["ZCOUNT", "z", "0", "10"],
  ["ZCOUNT", "nosuch", "0", "10"],
  ["ZLEXCOUNT", "z", "-", "+"],
  ["ZRANGESTORE", "zd", "z", "0", "-1"],
  ["ZINCRBY", "z", "1", "a"],
  ["ZREM", "z", "a"],
  ["ZSCORE", "l", "a"],
  // sort
  ["SORT", "l", "ALPHA"],
  ["SORT", "nosuch"],
  ["SORT_RO", "l", "ALPHA"],
  // transactions count the commands they run
  ["MULTI"],
  ["GET", "s"],
  ["GET", "nosuch"],
  ["SET", "t", "1"],
  ["EXEC"],
  ["FLUSHALL"],
  ["GET", "s"],
];

/** keyspace_hits and keyspace_misses from an INFO stats reply. */
function keyspaceCounts(info: string): string {
  const hits = /keyspace_hits:(\d+)/.exec(info)?.[1] ?? "?";
  const misses = /keyspace_misses:(\d+)/.exec(info)?.[1] ?? "?";
  return `hits=${hits} misses=${misses}`;
}

peerTest("keyspace_hits / keyspace_misses count every read lookup as redis-server", async () => {
  await withDiffPeers(async (reference, subject) => {
    const clients = [
      await RawClient.connect(reference.port),
      await RawClient.connect(subject.port),
    ];
    try {
      for (const client of clients) await client.commandText("CONFIG", "RESETSTAT");
      const mismatches: string[] = [];
      for (const step of STEPS) {
        const counts: string[] = [];
        for (const client of clients) {
          await client.commandText(...step);
          counts.push(keyspaceCounts(await client.commandText("INFO", "stats")));
        }
        if (counts[0] !== counts[1]) {
          mismatches.push(`${step.join(" ")}: redis-server ${counts[0]}, resplica ${counts[1]}`);
          // Realign, so one mismatch is reported once, not at every later step.
          for (const client of clients) await client.commandText("CONFIG", "RESETSTAT");
        }
      }
      if (mismatches.length > 0) {
        throw new Error(`${mismatches.length} steps count differently:\n${mismatches.join("\n")}`);
      }
    } finally {
      for (const client of clients) client.close();
    }
  });
});
