// redis-cli against resplica: the stock Redis command-line client must work unmodified —
// plain commands, RESP3 (`-3` sends HELLO 3), formatted (`--no-raw`) output and `--pipe` mass
// insertion, which streams raw RESP as fast as it can and counts replies and errors itself.

import assert from "node:assert/strict";
import { peerTest } from "./_support/redis_peer.ts";
import { isSelfTest, startSubject, type Subject } from "./_support/subject.ts";
import { findExecutable } from "./_support/redis_peer.ts";

/** Keys written by the --pipe test. */
const PIPE_KEY_COUNT = 100_000;

/** What these tests need on PATH (a redis-server only when it stands in for resplica). */
const CLI_BINARIES = isSelfTest() ? ["redis-server", "redis-cli"] : ["redis-cli"];

/** Runs redis-cli against `subject` and returns its stdout; fails on a non-zero exit. */
async function redisCli(subject: Subject, args: string[], stdin?: Uint8Array): Promise<string> {
  const child = new Deno.Command(findExecutable("redis-cli")!, {
    args: ["-h", "127.0.0.1", "-p", String(subject.port), ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(
    output.success,
    `redis-cli ${args.join(" ")} exited ${output.code}\nstdout: ${stdout}\nstderr: ${stderr}`,
  );
  return stdout;
}

/** Builds the RESP stream `SET key:<i> value:<i>` for i in [0, keyCount). */
function massInsertionBytes(keyCount: number): Uint8Array {
  const lines: string[] = [];
  for (let index = 0; index < keyCount; index++) {
    const key = `key:${index}`;
    const value = `value:${index}`;
    lines.push(`*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$${value.length}\r\n${value}\r\n`);
  }
  return new TextEncoder().encode(lines.join(""));
}

peerTest("redis-cli: PING, SET and GET with arguments", async () => {
  const subject = await startSubject();
  try {
    assert.deepEqual(await redisCli(subject, ["PING"]), "PONG\n");
    assert.deepEqual(await redisCli(subject, ["SET", "greeting", "hello world"]), "OK\n");
    assert.deepEqual(await redisCli(subject, ["GET", "greeting"]), "hello world\n");
    assert.deepEqual(await redisCli(subject, ["--no-raw", "GET", "greeting"]), '"hello world"\n');
    assert.deepEqual(await redisCli(subject, ["--no-raw", "GET", "missing"]), "(nil)\n");
    assert.deepEqual(await redisCli(subject, ["--no-raw", "INCR", "counter"]), "(integer) 1\n");
    assert.deepEqual(
      await redisCli(subject, ["--no-raw", "MGET", "greeting", "missing"]),
      '1) "hello world"\n2) (nil)\n',
    );
    assert.match(
      await redisCli(subject, ["--no-raw", "GET"]),
      /^\(error\) ERR wrong number of arguments for 'get' command\n$/,
    );
  } finally {
    await subject.close();
  }
}, { binaries: CLI_BINARIES });

peerTest("redis-cli: -3 speaks RESP3 after HELLO 3", async () => {
  const subject = await startSubject();
  try {
    assert.deepEqual(await redisCli(subject, ["-3", "--no-raw", "GET", "missing"]), "(nil)\n");
    assert.deepEqual(await redisCli(subject, ["-3", "SET", "k", "v"]), "OK\n");
    assert.deepEqual(await redisCli(subject, ["-3", "--no-raw", "GET", "k"]), '"v"\n');
  } finally {
    await subject.close();
  }
}, { binaries: CLI_BINARIES });

peerTest("redis-cli: --pipe inserts 100k keys without errors", async () => {
  const subject = await startSubject();
  try {
    const output = await redisCli(subject, ["--pipe"], massInsertionBytes(PIPE_KEY_COUNT));
    assert.match(output, new RegExp(`errors: 0, replies: ${PIPE_KEY_COUNT}`), output);
    assert.deepEqual(await redisCli(subject, ["DBSIZE"]), `${PIPE_KEY_COUNT}\n`);
    assert.deepEqual(await redisCli(subject, ["GET", "key:99999"]), "value:99999\n");
    const info = await redisCli(subject, ["--no-raw", "INFO", "keyspace"]);
    assert.match(info, new RegExp(`db0:keys=${PIPE_KEY_COUNT},expires=0`), info);
  } finally {
    await subject.close();
  }
}, { binaries: CLI_BINARIES });
