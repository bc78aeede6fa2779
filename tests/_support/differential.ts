// The differential harness: send the same commands to a real redis-server and to resplica and
// compare the raw reply bytes one by one.
//
// Redis is the specification here. A case is a list of steps; before each case both servers
// get FLUSHALL and fresh connections (so SELECT, MULTI, WATCH and HELLO state never leaks from
// one case into the next). Each step goes to the reference first, then to the subject, and the
// two replies must be byte-identical unless the step relaxes the comparison:
//
//   sortArray  both are aggregates of the same type whose elements, as a multiset, are equal
//              (KEYS, SMEMBERS: Redis promises no order)
//   ignore     both replies merely start with the same RESP type byte (TIME, CLIENT ID)
//   pattern    both replies match the regex (PTTL a few ms apart, HELLO's version field)
//   scan       the step is a whole SCAN iteration; the sorted union of keys is compared,
//              because page boundaries are an implementation detail
//
// `expect` pins the reference's reply to a literal: it checks the corpus itself against Redis
// (a typo in a case, or a Redis upgrade, shows up as "reference differs from expect").
//
// A step is written as a string (split on single spaces), a string array, or a `DiffStep`.

import {
  blobText,
  concatBytes,
  encodeCommand,
  latin1Bytes,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./raw_client.ts";
import { delay } from "./redis_peer.ts";

/** One step of a case; exactly one of `args`, `raw`, `scan`, `sleepMs` is set. */
export interface DiffStep {
  /** A command, sent as a multibulk; strings go out as UTF-8. */
  args?: (string | Uint8Array)[];
  /** Bytes sent as they are (latin1, so "\x00" is one NUL byte); inline or pipelined commands. */
  raw?: string;
  /** How many replies `raw` produces (default 1; 0 for bytes that get no reply). */
  replies?: number;
  /** Full SCAN iteration with these options (e.g. ["MATCH", "k*", "COUNT", "3"]). */
  scan?: string[];
  /** Pause before the next step, for expiry. */
  sleepMs?: number;
  /** Which of the case's connections sends it: 1 (default) or 2. */
  conn?: 1 | 2;
  sortArray?: boolean;
  ignore?: boolean;
  pattern?: RegExp;
  /** The reference's exact reply, as a latin1 string. */
  expect?: string;
  /** After this step the server must close the connection (protocol errors). */
  expectClose?: boolean;
}

/** A named list of steps run from an empty keyspace. */
export interface DiffCase {
  name: string;
  steps: (string | string[] | DiffStep)[];
}

/** A server under comparison. */
export interface DiffTarget {
  label: string;
  port: number;
}

/** How long a SCAN iteration may run before the harness calls it endless. */
const SCAN_CALL_COUNT_MAX = 10_000;

/** Normalizes the three ways to write a step. */
export function toStep(step: string | string[] | DiffStep): DiffStep {
  if (typeof step === "string") return { args: step.split(" ") };
  if (Array.isArray(step)) return { args: step };
  return step;
}

/**
 * Bytes (or latin1 text) as a JSON string literal for failure messages, with bytes 0x7f–0xff
 * escaped too (JSON.stringify leaves them raw, and they do not show in a terminal).
 */
export function escapeBytes(data: Uint8Array | string): string {
  const text = typeof data === "string" ? data : latin1Text(data);
  return JSON.stringify(text).replace(
    /[\x7f-\xff]/g,
    (char) => `\\u00${char.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** A short human description of a step, for failure messages. */
export function describeStep(step: DiffStep): string {
  if (step.args) {
    return step.args.map((arg) => escapeBytes(typeof arg === "string" ? arg : latin1Text(arg)))
      .join(" ");
  }
  if (step.raw !== undefined) return `raw ${escapeBytes(step.raw)}`;
  if (step.scan) return `SCAN iteration ${step.scan.join(" ")}`;
  return `sleep ${step.sleepMs} ms`;
}

/** The per-target state of a running case: its two connections, opened lazily. */
class Session {
  #clients: (RawClient | undefined)[] = [];
  constructor(readonly target: DiffTarget) {}

  async client(index: 1 | 2): Promise<RawClient> {
    this.#clients[index] ??= await RawClient.connect(this.target.port);
    return this.#clients[index]!;
  }

  close(): void {
    for (const client of this.#clients) client?.close();
  }
}

/** Sends FLUSHALL to `target` on a connection of its own. */
export async function flushAll(target: DiffTarget): Promise<void> {
  const client = await RawClient.connect(target.port);
  try {
    const reply = await client.commandText("FLUSHALL");
    if (reply !== "+OK\r\n") throw new Error(`${target.label}: FLUSHALL replied ${reply}`);
  } finally {
    client.close();
  }
}

/** Runs one step on one target; returns the replies it produced (one for SCAN, the key set). */
async function runStep(session: Session, step: DiffStep): Promise<Uint8Array[]> {
  const client = await session.client(step.conn ?? 1);
  if (step.args) {
    await client.send(encodeCommand(step.args));
    return await client.readReplies(1);
  }
  if (step.raw !== undefined) {
    await client.send(latin1Bytes(step.raw));
    return await client.readReplies(step.replies ?? 1);
  }
  if (step.scan) return [await scanAllKeys(client, step.scan)];
  return [];
}

/** Iterates SCAN to cursor 0 and returns the sorted, deduplicated keys, one per line. */
async function scanAllKeys(client: RawClient, options: string[]): Promise<Uint8Array> {
  const keys = new Set<string>();
  let cursor = "0";
  for (let callCount = 0; callCount < SCAN_CALL_COUNT_MAX; callCount++) {
    const reply = await client.command("SCAN", cursor, ...options);
    const parts = splitAggregate(reply);
    const nextCursor = parts && parts.length === 2 ? blobText(parts[0]) : null;
    const page = parts && parts.length === 2 ? splitAggregate(parts[1]) : null;
    if (nextCursor === null || page === null) {
      return concatBytes([latin1Bytes("SCAN reply not [cursor, keys]: "), reply]);
    }
    for (const key of page) keys.add(blobText(key) ?? latin1Text(key));
    cursor = nextCursor;
    if (cursor === "0") return latin1Bytes([...keys].sort().join("\n"));
  }
  return latin1Bytes(`SCAN did not return to cursor 0 within ${SCAN_CALL_COUNT_MAX} calls`);
}

/** Why `subject` does not count as equal to `reference` under the step's rule, or null. */
export function compareReplies(
  step: DiffStep,
  reference: Uint8Array,
  subject: Uint8Array,
): string | null {
  if (step.pattern) {
    const referenceText = latin1Text(reference);
    const subjectText = latin1Text(subject);
    if (!step.pattern.test(referenceText)) return `reference does not match ${step.pattern}`;
    if (!step.pattern.test(subjectText)) return `subject does not match ${step.pattern}`;
    return null;
  }
  if (step.ignore) {
    return reference[0] === subject[0] ? null : "replies are of different RESP types";
  }
  if (step.sortArray) {
    if (reference[0] !== subject[0]) return "replies are of different RESP types";
    const referenceParts = splitAggregate(reference);
    const subjectParts = splitAggregate(subject);
    if (referenceParts === null || subjectParts === null) {
      return bytesEqual(reference, subject) ? null : "replies differ (not both aggregates)";
    }
    const sortedText = (parts: Uint8Array[]) => parts.map(latin1Text).sort().join("\u0000");
    return sortedText(referenceParts) === sortedText(subjectParts)
      ? null
      : "aggregates hold different elements";
  }
  return bytesEqual(reference, subject) ? null : "replies differ";
}

function bytesEqual(left: Uint8Array, right: Uint8Array): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index++) {
    if (left[index] !== right[index]) return false;
  }
  return true;
}

/**
 * Runs `testCase` against both targets from an empty keyspace and throws at the first step
 * whose replies differ, naming the step and showing both replies escaped.
 *
 * With `keepGoing` (RESPLICA_DIFF_KEEP_GOING=1 in the tests) a reply mismatch is recorded and the
 * case goes on, and the error at the end lists them all; later mismatches may be consequences
 * of earlier ones, so fix from the top.
 */
export async function runCase(
  testCase: DiffCase,
  reference: DiffTarget,
  subject: DiffTarget,
  options: { keepGoing?: boolean } = {},
): Promise<void> {
  const mismatches: string[] = [];
  await flushAll(reference);
  await flushAll(subject);
  const sessions = [new Session(reference), new Session(subject)];
  try {
    for (const [stepIndex, rawStep] of testCase.steps.entries()) {
      const step = toStep(rawStep);
      if (step.sleepMs !== undefined) {
        await delay(step.sleepMs);
        continue;
      }
      const where = `case ${JSON.stringify(testCase.name)} step ${stepIndex} (${
        describeStep(step)
      })`;
      const referenceReplies = await runTarget(sessions[0], step, where);
      const subjectReplies = await runTarget(sessions[1], step, where);
      for (const [replyIndex, referenceReply] of referenceReplies.entries()) {
        const subjectReply = subjectReplies[replyIndex];
        const replyWhere = referenceReplies.length > 1 ? `${where} reply ${replyIndex}` : where;
        if (replyIndex === 0 && step.expect !== undefined) {
          const referenceText = latin1Text(referenceReply);
          if (referenceText !== step.expect) {
            throw new Error(
              `${replyWhere}: corpus error, ${reference.label} replied ` +
                `${escapeBytes(referenceText)}, the case expects ${escapeBytes(step.expect)}`,
            );
          }
        }
        const problem = compareReplies(step, referenceReply, subjectReply);
        if (problem !== null) {
          mismatches.push(
            `${replyWhere}: ${problem}\n  ${reference.label}: ${escapeBytes(referenceReply)}\n  ` +
              `${subject.label}: ${escapeBytes(subjectReply)}`,
          );
          if (!options.keepGoing) throw new Error(mismatches[0]);
        }
      }
      if (step.expectClose) {
        for (const session of sessions) {
          const client = await session.client(step.conn ?? 1);
          if (!(await client.waitForClose())) {
            throw new Error(`${where}: ${session.target.label} kept the connection open`);
          }
        }
      }
    }
  } finally {
    for (const session of sessions) session.close();
  }
  if (mismatches.length > 0) {
    throw new Error(`${mismatches.length} mismatches:\n${mismatches.join("\n")}`);
  }
}

async function runTarget(session: Session, step: DiffStep, where: string): Promise<Uint8Array[]> {
  try {
    return await runStep(session, step);
  } catch (error) {
    throw new Error(`${where}: ${session.target.label}: ${(error as Error).message}`);
  }
}

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same sequence, so a failing random
 * sequence reproduces from the seed printed with it.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}
