// Differential tests for MEMORY STATS / DOCTOR / PURGE / MALLOC-STATS / HELP, INFO
// latencystats with latency-tracking and latency-tracking-info-percentiles, MODULE and LOLWUT
// against redis-server 7.0. Byte for byte where the replies are Redis's own (error texts,
// CONFIG GET, MODULE LIST); by shape where the numbers or the prose are the server's own:
// MEMORY STATS's field names, order and RESP types (RESP2 and RESP3), INFO latencystats's
// line format, LOLWUT's last line, the reply types of DOCTOR and MALLOC-STATS.

import nodeAssert from "node:assert/strict";

function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}
function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepEqual(actual, expected, message);
}
function assertMatch(text: string, pattern: RegExp): void {
  nodeAssert.match(text, pattern);
}
import { type DiffCase, expect, runCorpus, withDiffPeers } from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";
import { startSubject } from "./_support/subject.ts";
import { latin1Text, RawClient } from "./_support/raw_client.ts";

/** A parsed reply: its RESP type byte and value (children for aggregates). */
interface Reply {
  type: string;
  value: string | Reply[];
}

/** Parses one RESP2/RESP3 reply from `text` at `at`; returns it and the index after it. */
function parseReply(text: string, at = 0): [Reply, number] {
  const type = text[at];
  const lineEnd = text.indexOf("\r\n", at);
  const header = text.slice(at + 1, lineEnd);
  let next = lineEnd + 2;
  if (type === "$" || type === "=") {
    const lengthBytes = Number(header);
    if (lengthBytes < 0) return [{ type, value: "" }, next];
    return [{ type, value: text.slice(next, next + lengthBytes) }, next + lengthBytes + 2];
  }
  if (type === "*" || type === "%" || type === "~") {
    const count = Number(header) * (type === "%" ? 2 : 1);
    const children: Reply[] = [];
    for (let i = 0; i < count; i++) {
      const [child, after] = parseReply(text, next);
      children.push(child);
      next = after;
    }
    return [{ type, value: children }, next];
  }
  return [{ type, value: header }, next];
}

/** MEMORY STATS as [name, type] pairs, nested maps as "name{...}" with their own pairs. */
function statsShape(reply: Reply): string[] {
  const items = reply.value as Reply[];
  const shape: string[] = [];
  for (let i = 0; i < items.length; i += 2) {
    const name = items[i].value as string;
    const value = items[i + 1];
    if (typeof value.value === "string") shape.push(`${name}:${value.type}`);
    else shape.push(`${name}:${value.type}{${statsShape(value).join(",")}}`);
  }
  return shape;
}

async function withClients(
  body: (reference: RawClient, subject: RawClient) => Promise<void>,
): Promise<void> {
  await withDiffPeers(async (reference, subject) => {
    const referenceClient = await RawClient.connect(reference.port);
    const subjectClient = await RawClient.connect(subject.port);
    try {
      await body(referenceClient, subjectClient);
    } finally {
      referenceClient.close();
      subjectClient.close();
    }
  });
}

/** Sends the same command to both; returns both replies parsed. */
async function both(
  reference: RawClient,
  subject: RawClient,
  ...args: string[]
): Promise<[Reply, Reply]> {
  const [referenceReply] = parseReply(await reference.commandText(...args));
  const [subjectReply] = parseReply(await subject.commandText(...args));
  return [referenceReply, subjectReply];
}

peerTest("MEMORY STATS has redis-server's fields, order and types", async () => {
  await withClients(async (reference, subject) => {
    for (const client of [reference, subject]) {
      await client.command("SET", "a", "1");
      await client.command("SET", "b", "2", "EX", "100");
      await client.command("SELECT", "3");
      await client.command("SET", "c", "3");
      await client.command("SELECT", "0");
    }
    for (const protocol of ["2", "3"]) {
      await both(reference, subject, "HELLO", protocol);
      const [referenceStats, subjectStats] = await both(reference, subject, "MEMORY", "STATS");
      const referenceShape = statsShape(referenceStats);
      assertEquals(statsShape(subjectStats), referenceShape, `RESP${protocol}`);
      assert(referenceShape.includes(
        "db.3:" + (protocol === "3" ? "%" : "*") +
          "{overhead.hashtable.main::,overhead.hashtable.expires::," +
          "overhead.hashtable.slot-to-keys::}",
      ));
    }
  });
});

peerTest("MEMORY STATS's numbers add up as documented", async () => {
  await withClients(async (_reference, subject) => {
    await subject.command("SET", "k", "v", "EX", "100");
    const [stats] = parseReply(await subject.commandText("MEMORY", "STATS"));
    const items = stats.value as Reply[];
    const field = (name: string) => {
      const at = items.findIndex((item) => item.value === name);
      assert(at >= 0, `no ${name}`);
      return Number(items[at + 1].value as string);
    };
    const info = await subject.commandText("INFO", "memory");
    const usedMemory = Number(/used_memory:(\d+)/.exec(info)![1]);
    assertEquals(field("total.allocated"), usedMemory);
    assertEquals(field("allocator.allocated"), usedMemory);
    assertEquals(field("keys.count"), 1);
    assertEquals(field("dataset.bytes"), field("total.allocated") - field("overhead.total"));
    assert(field("peak.allocated") >= field("total.allocated"));
    assert(field("allocator.resident") >= field("allocator.active"));
    assertEquals(field("replication.backlog") >= 0, true);
  });
});

peerTest("MEMORY DOCTOR, PURGE, MALLOC-STATS and HELP reply as redis-server's do", async () => {
  await withClients(async (reference, subject) => {
    for (const protocol of ["2", "3"]) {
      await both(reference, subject, "HELLO", protocol);
      const [referenceDoctor, subjectDoctor] = await both(reference, subject, "MEMORY", "DOCTOR");
      assertEquals(subjectDoctor.type, referenceDoctor.type);
      assertMatch(subjectDoctor.value as string, /^(txt:)?Memory doctor: .+\n$/s);
      const [referencePurge, subjectPurge] = await both(reference, subject, "MEMORY", "PURGE");
      assertEquals(subjectPurge, referencePurge);
      const [referenceMalloc, subjectMalloc] = await both(
        reference,
        subject,
        "MEMORY",
        "MALLOC-STATS",
      );
      assertEquals(subjectMalloc.type, referenceMalloc.type);
      const [referenceHelp, subjectHelp] = await both(reference, subject, "MEMORY", "HELP");
      const subcommands = (reply: Reply) =>
        (reply.value as Reply[]).map((line) => line.value as string).filter((line) =>
          /^[A-Z]/.test(line)
        ).map((line) => line.split(" ")[0]);
      assertEquals(subcommands(subjectHelp), subcommands(referenceHelp));
    }
  });
});

const configCases: DiffCase[] = [
  {
    name: "latency-tracking and its percentiles: defaults, normal form, errors",
    steps: [
      expect("CONFIG GET latency-tracking", "*2\r\n$16\r\nlatency-tracking\r\n$3\r\nyes\r\n"),
      "CONFIG GET latency-tracking-info-percentiles",
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "0.0 50.0 100.0"],
      "CONFIG GET latency-tracking-info-percentiles",
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 a"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "10.0 50.0 101.0"],
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "-1"],
      "CONFIG GET latency-tracking-info-percentiles",
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "99.99 1e1 .5"],
      "CONFIG GET latency-tracking-info-percentiles",
      ["CONFIG", "SET", "latency-tracking-info-percentiles", ""],
      "CONFIG GET latency-tracking-info-percentiles",
      ["CONFIG", "SET", "latency-tracking-info-percentiles", "50 99 99.9"],
      "CONFIG SET latency-tracking maybe",
      "CONFIG SET latency-tracking no",
      "CONFIG GET latency-tracking",
      "CONFIG SET latency-tracking yes",
    ],
  },
  {
    name: "MODULE under enable-module-command no",
    steps: [
      "MODULE LIST",
      "MODULE LOAD /nonexistent/module.so",
      "MODULE LOADEX /nonexistent/module.so CONFIG a b",
      "MODULE UNLOAD nosuchmodule",
      "MODULE NOSUCH",
      "MODULE",
      "CONFIG GET enable-module-command",
      "CONFIG SET enable-module-command yes",
    ],
  },
  {
    name: "LOLWUT VERSION argument errors",
    steps: ["LOLWUT VERSION notanumber", "LOLWUT VERSION 99999999999999999999"],
  },
];

peerTest("latency-tracking CONFIG, MODULE and LOLWUT errors match redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, configCases, reference, subject, { noun: "cases" })
  );
});

/** INFO latencystats's lines, as [command, percentile names] in the order printed. */
function latencystatsLines(info: string): [string, string[]][] {
  const lines = info.split("\r\n").filter((line) => line.startsWith("latency_percentiles_usec_"));
  return lines.map((line) => {
    const match = /^latency_percentiles_usec_([^:]+):(.*)$/.exec(line);
    assert(match !== null, line);
    const names = match[2] === "" ? [] : match[2].split(",").map((field) => {
      assertMatch(field, /^p[0-9.]+=\d+\.\d{3}$/);
      return field.split("=")[0];
    });
    return [match[1], names];
  });
}

peerTest("INFO latencystats lists the same commands and percentiles as redis-server", async () => {
  await withClients(async (reference, subject) => {
    const sorted = (info: string) =>
      latencystatsLines(info).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
    for (const client of [reference, subject]) {
      await client.command("CONFIG", "RESETSTAT");
      await client.command("SET", "a", "b");
      await client.command("GET", "a");
      await client.command("CLIENT", "ID");
    }
    const [referenceInfo, subjectInfo] = await both(reference, subject, "INFO", "latencystats");
    const referenceLines = sorted(referenceInfo.value as string);
    assertEquals(sorted(subjectInfo.value as string), referenceLines);
    assertEquals(referenceLines.map(([name]) => name), [
      "client|id",
      "config|resetstat",
      "get",
      "set",
    ]);
    for (const client of [reference, subject]) {
      await client.command("CONFIG", "SET", "latency-tracking-info-percentiles", "0 50 100");
    }
    const [reference2, subject2] = await both(reference, subject, "INFO", "latencystats");
    assertEquals(sorted(subject2.value as string), sorted(reference2.value as string));
    // Not in the default sections, in "all" and "everything", after Errorstats.
    for (const sections of [[], ["all"], ["everything"], ["default"]]) {
      const [referenceAll, subjectAll] = await both(reference, subject, "INFO", ...sections);
      const has = (reply: Reply) => (reply.value as string).includes("# Latencystats\r\n");
      assertEquals(has(subjectAll), has(referenceAll), `INFO ${sections}`);
    }
    // Off: the section is there, empty; CONFIG RESETSTAT drops the histograms.
    for (const client of [reference, subject]) {
      await client.command("CONFIG", "SET", "latency-tracking", "no");
      await client.command("CONFIG", "RESETSTAT");
      await client.command("SET", "a", "b");
    }
    const [referenceOff, subjectOff] = await both(reference, subject, "INFO", "latencystats");
    assertEquals(subjectOff, referenceOff);
    assertEquals(referenceOff.value, "# Latencystats\r\n");
  });
});

peerTest("a slow command's percentiles measure it", async () => {
  const server = await startSubject({ debug: true });
  const subject = await RawClient.connect(server.port);
  try {
    await subject.command("CONFIG", "SET", "latency-tracking-info-percentiles", "50");
    await subject.command("CONFIG", "RESETSTAT");
    await subject.command("DEBUG", "SLEEP", "0.05");
    await subject.command("SET", "k", "v");
    const info = latin1Text(await subject.command("INFO", "latencystats"));
    const p50 = (name: string) =>
      Number(new RegExp(`latency_percentiles_usec_${name}:p50=([0-9.]+)`).exec(info)![1]);
    assert(p50("debug") >= 50000, info);
    assert(p50("debug") >= p50("set"), info);
  } finally {
    subject.close();
    await server.close();
  }
});

peerTest(
  "LOLWUT ends with redis-server's last line, and draws the same for a version",
  async () => {
    await withClients(async (reference, subject) => {
      const lastLine = (reply: Reply) => {
        const lines = (reply.value as string).replace(/^txt:/, "").split("\n");
        assertEquals(lines.at(-1), "");
        return lines.at(-2);
      };
      for (const protocol of ["2", "3"]) {
        await both(reference, subject, "HELLO", protocol);
        const [referenceReply, subjectReply] = await both(reference, subject, "LOLWUT");
        assertEquals(subjectReply.type, referenceReply.type);
        assertEquals(lastLine(subjectReply), lastLine(referenceReply));
        const [, again] = await both(reference, subject, "LOLWUT");
        assertEquals(again, subjectReply);
      }
      const [, five] = await both(reference, subject, "LOLWUT", "VERSION", "5");
      const [, six] = await both(reference, subject, "LOLWUT", "VERSION", "6");
      assert(five.value !== six.value);
      assertMatch(five.value as string, /Redis ver\. 7\.0\.15\n$/);
    });
  },
);
