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
//   mask       what the regex matches is blanked in both replies before the byte comparison
//              (a timestamp or idle time inside an otherwise exact reply: XINFO STREAM FULL)
//
// `expect` pins the reference's reply to a literal: it checks the corpus itself against Redis
// (a typo in a case, or a Redis upgrade, shows up as "reference differs from expect").
//
// A step is written as a string (split on single spaces), a string array, or a `DiffStep`.
//
// The differential_*_test.ts files share the rest: `expect`, `arity` and the error texts to write
// cases with; `withDiffPeers` (one reference and one subject per test, both stopped whatever
// happens); `runCorpus` (each hand-written case a test step); `diffSeed`, `withSeedReplay` and
// `weightedPicker` for the seeded random sequences, whose draw order a seed must reproduce.

import {
  blobText,
  concatBytes,
  encodeCommand,
  latin1Bytes,
  latin1Text,
  RawClient,
  splitAggregate,
} from "./raw_client.ts";
import { delay, startRedisServer } from "./redis_peer.ts";
import { startSubject, type Subject } from "./subject.ts";

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
  /** Blanked in both replies before comparing (a global regex; see the file comment). */
  mask?: RegExp;
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

// ── Corpus vocabulary ───────────────────────────────────────────────────────────────────
// The step builders and Redis 7.0.15 error texts every corpus writes its cases with.

/** A step whose reference reply must be exactly `reply` (see `DiffStep.expect`). */
export function expect(command: string | string[], reply: string): DiffStep {
  return { args: typeof command === "string" ? command.split(" ") : command, expect: reply };
}

/** A command whose reply is an unordered aggregate (see `DiffStep.sortArray`). */
export function unordered(command: string): DiffStep {
  return { args: command.split(" "), sortArray: true };
}

/** Redis's reply to `command` (lower case, as Redis names it) with a wrong argument count. */
export function arity(command: string): string {
  return `-ERR wrong number of arguments for '${command}' command\r\n`;
}

export const ERR_SYNTAX = "-ERR syntax error\r\n";
export const ERR_NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
export const ERR_NOT_FLOAT = "-ERR value is not a valid float\r\n";
export const ERR_WRONGTYPE =
  "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n";

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
  if (step.mask) {
    const masked = (reply: Uint8Array) => latin1Text(reply).replace(step.mask!, "#");
    return masked(reference) === masked(subject) ? null : "replies differ outside the mask";
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

// ── Test drivers ────────────────────────────────────────────────────────────────────────

/**
 * Starts the reference (a redis-server on a free port) and the subject (see subject.ts), runs
 * `body` against both, then stops both, the subject first, whether `body` passed or threw.
 */
export async function withDiffPeers(
  body: (reference: DiffTarget, subject: Subject) => Promise<void>,
): Promise<void> {
  const reference = await startRedisServer();
  const subject = await startSubject();
  try {
    await body({ label: "redis-server", port: reference.port }, subject);
  } finally {
    await subject.close();
    await reference.stop();
  }
}

/**
 * Runs each of `cases` as a test step of `t`, so a run names every case that fails, not only
 * the first; returns the names of the failed cases, in corpus order.
 */
export async function stepCases<Case extends { name: string }>(
  t: Deno.TestContext,
  cases: readonly Case[],
  run: (testCase: Case) => Promise<void>,
): Promise<string[]> {
  const failures: string[] = [];
  for (const testCase of cases) {
    const passed = await t.step(testCase.name, () => run(testCase));
    if (!passed) failures.push(testCase.name);
  }
  return failures;
}

/**
 * Runs every case of a corpus with `runCase` as a test step of `t` and throws, after the last
 * one, naming the cases that differ (`noun` names them in that message).
 */
export async function runCorpus(
  t: Deno.TestContext,
  cases: readonly DiffCase[],
  reference: DiffTarget,
  subject: DiffTarget,
  options: { keepGoing?: boolean; noun?: string } = {},
): Promise<void> {
  const failures = await stepCases(
    t,
    cases,
    (testCase) => runCase(testCase, reference, subject, { keepGoing: options.keepGoing }),
  );
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} of ${cases.length} ${options.noun ?? "cases"} differ: ${failures}`,
    );
  }
}

/** True when RESPLICA_DIFF_KEEP_GOING=1: `runCase` then reports every mismatching step. */
export function keepGoingFromEnv(): boolean {
  return Deno.env.get("RESPLICA_DIFF_KEEP_GOING") === "1";
}

/**
 * The seed of a random sequence: RESPLICA_DIFF_SEED when set (CI replays a fixed one), else a
 * fresh one. Logged as `<what>: RESPLICA_DIFF_SEED=<seed>`, so every run can be replayed.
 */
export function diffSeed(what: string): number {
  const seedText = Deno.env.get("RESPLICA_DIFF_SEED");
  const seed = seedText ? Number(seedText) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${what}: RESPLICA_DIFF_SEED=${seed}`);
  return seed;
}

/** Runs `body`; an error it throws is rethrown prefixed with `seed` and how to replay it. */
export async function withSeedReplay(seed: number, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    throw new Error(`seed ${seed} (rerun with RESPLICA_DIFF_SEED=${seed}): ${error}`);
  }
}

// ── Random sequences ────────────────────────────────────────────────────────────────────

/**
 * Returns a picker over `choices`: each call draws exactly one `random()` and returns the
 * choice whose weight span holds it, so a seed gives the same picks in the same draw order.
 */
export function weightedPicker<T>(
  random: () => number,
  choices: readonly (readonly [number, T])[],
): () => T {
  const totalWeight = choices.reduce((sum, [weight]) => sum + weight, 0);
  return () => {
    let roll = random() * totalWeight;
    for (const [weight, choice] of choices) {
      roll -= weight;
      if (roll < 0) return choice;
    }
    return choices[0][1]; // Rounding left the roll at the very top: the first choice.
  };
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
