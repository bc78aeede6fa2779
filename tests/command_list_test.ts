// The README's command list against the command table (issue 17). The server runs in process;
// COMMAND LIST, COUNT and DOCS are asked as a client asks them, and the README's "Command list"
// bullet must name exactly the commands served and, as "Not served yet", exactly the Redis 7.0
// commands that are not. Adding a command without the README, or serving one the README still
// calls missing, fails here; the failure prints the bullet's lists as they should read.

import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { latin1 } from "../core/bytes.ts";
import { executeCommand } from "../core/commands/dispatch.ts";
import { ReplyWriter } from "../core/resp/mod.ts";
import { inProcessClient, inProcessServer } from "./_support/in_process.ts";

/** Redis 7.0.15's top-level commands (src/commands/*.json without a container), lower case. */
const REDIS_7_0_COMMANDS: readonly string[] = `
  acl append asking auth bgrewriteaof bgsave bitcount bitfield bitfield_ro bitop bitpos blmove
  blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin client cluster command config copy
  dbsize debug decr decrby del discard dump echo eval eval_ro evalsha evalsha_ro exec exists
  expire expireat expiretime failover fcall fcall_ro flushall flushdb function geoadd geodist
  geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch
  geosearchstore get getbit getdel getex getrange getset hdel hello hexists hget hgetall
  hincrby hincrbyfloat hkeys hlen hmget hmset hrandfield hscan hset hsetnx hstrlen hvals incr
  incrby incrbyfloat info keys lastsave latency lcs lindex linsert llen lmove lmpop lolwut lpop
  lpos lpush lpushx lrange lrem lset ltrim memory mget migrate module monitor move mset msetnx
  multi object persist pexpire pexpireat pexpiretime pfadd pfcount pfdebug pfmerge pfselftest
  ping psetex psubscribe psync pttl publish pubsub punsubscribe quit randomkey readonly
  readwrite rename renamenx replconf replicaof reset restore restore-asking role rpop rpoplpush
  rpush rpushx sadd save scan scard script sdiff sdiffstore select sentinel set setbit setex
  setnx setrange shutdown sinter sintercard sinterstore sismember slaveof slowlog smembers
  smismember smove sort sort_ro spop spublish srandmember srem sscan ssubscribe strlen
  subscribe substr sunion sunionstore sunsubscribe swapdb sync time touch ttl type unlink
  unsubscribe unwatch wait watch xack xadd xautoclaim xclaim xdel xgroup xinfo xlen xpending
  xrange xread xreadgroup xrevrange xsetid xtrim zadd zcard zcount zdiff zdiffstore zincrby
  zinter zintercard zinterstore zlexcount zmpop zmscore zpopmax zpopmin zrandmember zrange
  zrangebylex zrangebyscore zrangestore zrank zrem zremrangebylex zremrangebyrank
  zremrangebyscore zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion
  zunionstore
`.trim().split(/\s+/);

const README_PATH = new URL("../README.md", import.meta.url);
const SECTION_HEADING = "## What is implemented";
const BULLET_START = "- **Command list**";

/** A decoded reply: null for nil, string for simple/bulk/error/number text, array for aggregates. */
type Reply = null | string | Reply[];

/** Decodes one RESP2/RESP3 reply from `text` at `at`; maps and sets become flat arrays. */
function decode(text: string, at = 0): [Reply, number] {
  const lineEnd = text.indexOf("\r\n", at);
  ok(lineEnd > at, `reply truncated at ${at}`);
  const type = text[at];
  const head = text.slice(at + 1, lineEnd);
  let next = lineEnd + 2;
  if (type === "$") {
    const length = Number(head);
    if (length < 0) return [null, next];
    return [text.slice(next, next + length), next + length + 2];
  }
  if (type === "*" || type === "~" || type === "%") {
    const count = Number(head) * (type === "%" ? 2 : 1);
    if (count < 0) return [null, next];
    const items: Reply[] = [];
    for (let i = 0; i < count; i++) {
      const [item, after] = decode(text, next);
      items.push(item);
      next = after;
    }
    return [items, next];
  }
  if (type === "_") return [null, next];
  return [head, next];
}

/** A fresh in-process server; `run` executes one command and decodes its reply. */
function harness(): (...args: string[]) => Reply {
  const { state, table } = inProcessServer();
  const writer = new ReplyWriter();
  const client = inProcessClient(1, writer);
  const encoder = new TextEncoder();
  return (...args) => {
    writer.reset();
    const pending = executeCommand(table, state, client, args.map((a) => encoder.encode(a)));
    ok(pending === undefined, "COMMAND never waits");
    const text = latin1(writer.view());
    const [reply, end] = decode(text);
    strictEqual(end, text.length, "one reply per command");
    return reply;
  };
}

/** Top-level command names COMMAND LIST returns (subcommands, "client|list", left out). */
function servedCommands(run: (...args: string[]) => Reply): string[] {
  const reply = run("COMMAND", "LIST");
  ok(Array.isArray(reply));
  return reply.map((name) => String(name)).filter((name) => !name.includes("|")).sort();
}

/** The README's "What is implemented" section, and the text of its "Command list" bullet. */
function readmeParts(): { section: string; bullet: string } {
  const text = Deno.readTextFileSync(README_PATH);
  const sectionStart = text.indexOf(SECTION_HEADING);
  ok(sectionStart >= 0, `README has "${SECTION_HEADING}"`);
  const sectionEnd = text.indexOf("\n## ", sectionStart + SECTION_HEADING.length);
  const section = text.slice(sectionStart, sectionEnd < 0 ? text.length : sectionEnd);
  const bulletStart = section.indexOf(BULLET_START);
  ok(bulletStart >= 0, `README's "${SECTION_HEADING}" has a "${BULLET_START}" bullet`);
  const bulletEnd = section.slice(bulletStart + 1).search(/\n(- |\n)/);
  const bullet = section.slice(
    bulletStart,
    bulletEnd < 0 ? section.length : bulletStart + 1 + bulletEnd,
  );
  return { section: section.replace(bullet, ""), bullet: bullet.replace(/\s+/g, " ") };
}

/** The upper-case names in `text` that are Redis 7.0 commands, lower case, in order. */
function redisCommandWords(text: string): string[] {
  const known = new Set(REDIS_7_0_COMMANDS);
  // An upper-case word not glued to a dash or letter before it (`-READONLY` is an error code).
  const words = text.matchAll(/(?<![\w-])[A-Z][A-Z0-9_]*(?:-[A-Z]+)*(?![\w-])/g);
  return [...words].map((m) => m[0].toLowerCase()).filter((word) => known.has(word));
}

function upper(names: readonly string[]): string {
  return names.map((name) => name.toUpperCase()).join(" ");
}

Deno.test("COMMAND COUNT is the number of top-level commands COMMAND LIST names", () => {
  const run = harness();
  const served = servedCommands(run);
  strictEqual(run("COMMAND", "COUNT"), String(served.length));
  const infos = run("COMMAND", "INFO");
  ok(Array.isArray(infos));
  strictEqual(infos.length, served.length);
  for (const name of served) {
    ok(REDIS_7_0_COMMANDS.includes(name), `${name} is a Redis 7.0 command`);
  }
});

Deno.test("COMMAND DOCS answers every served command in Redis 7.0's shape", () => {
  const run = harness();
  const served = servedCommands(run);
  const docs = run("COMMAND", "DOCS", ...served);
  ok(Array.isArray(docs));
  strictEqual(docs.length, served.length * 2);
  const allowed = ["summary", "since", "group", "complexity", "subcommands"];
  for (let i = 0; i < docs.length; i += 2) {
    const name: Reply = docs[i];
    const fields: Reply = docs[i + 1];
    strictEqual(name, served[i / 2]);
    ok(Array.isArray(fields));
    const keys = fields.filter((_, j) => j % 2 === 0) as string[];
    deepStrictEqual(keys.slice(0, 3), ["summary", "since", "group"], `${name}'s first keys`);
    // Redis's key order, each key at most once.
    deepStrictEqual(keys, allowed.filter((key) => keys.includes(key)), `${name}'s keys`);
    for (let j = 1; j < fields.length; j += 2) {
      if (keys[(j - 1) / 2] !== "subcommands") ok(String(fields[j]).length > 0, `${name}: value`);
    }
    ok(/^\d+\.\d+\.\d+$/.test(String(fields[3])), `${name}'s since is a version`);
  }
  // A subcommand by its full name, and unknown names skipped as Redis skips them.
  const some = run("COMMAND", "DOCS", "nosuchcommand", "config|get", "get", "config|nosuch");
  ok(Array.isArray(some));
  deepStrictEqual(some.filter((_, j) => j % 2 === 0), ["config|get", "get"]);
  deepStrictEqual(run("COMMAND", "DOCS", "nosuchcommand"), []);
});

Deno.test("the README's command list is what COMMAND LIST serves", () => {
  const served = servedCommands(harness());
  const missing = REDIS_7_0_COMMANDS.filter((name) => !served.includes(name));
  const { bullet } = readmeParts();
  const servedMatch = bullet.match(/(\d+) of Redis 7\.0's (\d+) commands are served: ([^.]*)\./);
  ok(servedMatch, "the bullet says how many commands are served and names them");
  const missingMatch = bullet.match(/Not served yet: ([^.]*)\./);
  ok(missingMatch, 'the bullet has a "Not served yet: …." sentence');
  const expected = `${served.length} of Redis 7.0's ${REDIS_7_0_COMMANDS.length} commands are ` +
    `served: ${upper(served)}. Not served yet: ${upper(missing)}.`;
  const hint = `README's command list should read: ${expected}`;
  deepStrictEqual(servedMatch[3].split(" "), upper(served).split(" "), hint);
  deepStrictEqual(missingMatch[1].split(" "), upper(missing).split(" "), hint);
  strictEqual(Number(servedMatch[1]), served.length, hint);
  strictEqual(Number(servedMatch[2]), REDIS_7_0_COMMANDS.length, hint);
});

Deno.test("every command the README's prose names as implemented is served", () => {
  const served = new Set(servedCommands(harness()));
  const { section } = readmeParts();
  const named = [...new Set(redisCommandWords(section))];
  ok(named.length > 100, "the prose names the commands it describes");
  deepStrictEqual(named.filter((name) => !served.has(name)), [], "named in README, not served");
});
