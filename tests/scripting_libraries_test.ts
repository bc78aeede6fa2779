// Libraries whose work is done by their own Lua scripts, doing that work unchanged against
// resplica (started in process with startServer; with RESPLICA_SELFTEST=1, redis-server instead,
// which is how the expectations below were checked).
//
// scripting_clients_test.ts shows clients can send scripts; this file shows that scripts written
// for real Redis by other people run here as they do there. The two libraries are the most used
// of their kind on npm, and both keep their logic server-side in Lua:
//
// - BullMQ (the most downloaded Redis job queue, successor of Bull): every state change of a job
//   (add, move to active, complete, fail, retry with backoff, delay, priority, rate limit, job
//   schedulers) is one of ~100 scripts run by EVALSHA that unpack msgpackr-packed options with
//   `cmsgpack`, write JSON with `cjson`, and touch hashes, lists, sorted sets, sets and streams
//   (XADD events). A Worker also blocks on BZPOPMIN. A wrong reply or conversion anywhere shows up
//   as a job in the wrong state, a wrong return value, a wrong count or a Worker "error" event.
// - Redlock (`redlock` v5, the most downloaded Redis lock; the Redis-backed alternatives are far
//   less used): acquire, extend and release are three scripts sent by EVALSHA with the EVAL
//   fallback, and their integer reply decides who holds the lock. Tested with one server and with
//   three (quorum 2), where a foreign lock on one server must not block and on two must.

import assert from "node:assert/strict";
import { type Job, type JobType, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import Redlock, { ExecutionError, type Lock, ResourceLockedError } from "redlock";
import { startServer } from "../mod.ts";
import { delay, peerTest, startRedisServer } from "./_support/redis_peer.ts";
import { isSelfTest } from "./_support/subject.ts";

const LIBRARY_BINARIES = isSelfTest() ? ["redis-server"] : [];
/** How long a test waits for the jobs it queued to reach their final state. */
const JOBS_SETTLE_TIMEOUT_MS = 15_000;
/** How often the wait polls the queue's counts. */
const JOBS_POLL_INTERVAL_MS = 20;

/** A server the libraries talk to over TCP on 127.0.0.1. */
interface Target {
  readonly port: number;
  close(): Promise<void>;
}

/** resplica in process (no log output), or redis-server in self-test mode. */
async function startTarget(): Promise<Target> {
  if (isSelfTest()) {
    const peer = await startRedisServer();
    return { port: peer.port, close: () => peer.stop() };
  }
  const server = await startServer({ port: 0, logLevel: "nothing" });
  return { port: server.port, close: () => server.close() };
}

/** ioredis connection options for BullMQ: fail fast instead of reconnecting forever. */
function bullConnection(port: number) {
  return { host: "127.0.0.1", port, retryStrategy: () => null };
}

/** Polls `queue` until `completed` and `failed` reach the counts given, or throws at the deadline. */
async function waitForCounts(queue: Queue, completed: number, failed: number): Promise<void> {
  const deadlineMs = Date.now() + JOBS_SETTLE_TIMEOUT_MS;
  let counts: Record<string, number> = {};
  while (Date.now() < deadlineMs) {
    counts = await countsOf(queue, "completed", "failed");
    if (counts.completed === completed && counts.failed === failed) return;
    await delay(JOBS_POLL_INTERVAL_MS);
  }
  throw new Error(
    `queue ${queue.name}: want completed ${completed}, failed ${failed}; ` +
      `have ${JSON.stringify(counts)}`,
  );
}

/**
 * The queue's counts for exactly `types` (getJobCounts adds related states, e.g. "paused" with
 * "waiting").
 */
async function countsOf(queue: Queue, ...types: string[]): Promise<Record<string, number>> {
  const counts = await queue.getJobCounts(...types as JobType[]);
  return Object.fromEntries(types.map((type) => [type, counts[type]]));
}

// ---------------------------------------------------------------------------------------------
// BullMQ
// ---------------------------------------------------------------------------------------------

peerTest(
  "BullMQ: a Worker processes plain, prioritized, delayed, retried and failing jobs",
  async () => {
    const target = await startTarget();
    const connection = bullConnection(target.port);
    const queue = new Queue("jobs", { connection });
    let worker: Worker | undefined;
    try {
      // All queued before the worker starts, so the order it takes them in is the queue's.
      const plain = await queue.add("sum", { a: 2, b: 3 });
      await queue.add("prio", { tag: "p3" }, { priority: 3 });
      await queue.add("prio", { tag: "p1" }, { priority: 1 });
      await queue.add("prio", { tag: "p2" }, { priority: 2 });
      const delayedAtMs = Date.now();
      const delayed = await queue.add("sum", { a: 10, b: 20 }, { delay: 300 });
      const flaky = await queue.add("flaky", { n: 7 }, {
        attempts: 3,
        backoff: { type: "fixed", delay: 50 },
      });
      const doomed = await queue.add("doomed", {}, {
        attempts: 2,
        backoff: { type: "exponential", delay: 20 },
      });
      assert.deepEqual(
        await countsOf(queue, "waiting", "prioritized", "delayed"),
        { waiting: 3, prioritized: 3, delayed: 1 },
      );

      const order: string[] = [];
      let flakyCalls = 0;
      const runJob = (job: Job): unknown => {
        order.push(job.name === "prio" ? job.data.tag : job.name);
        switch (job.name) {
          case "sum":
            return job.data.a + job.data.b;
          case "prio":
            return `done ${job.data.tag}`;
          case "flaky":
            flakyCalls++;
            if (flakyCalls === 1) throw new Error("first attempt fails");
            return { squared: job.data.n * job.data.n, attempt: flakyCalls };
          default:
            throw new Error(`always fails (attempt ${job.attemptsMade + 1})`);
        }
      };
      // A throw becomes a rejected promise, which is how a processor reports failure.
      worker = new Worker("jobs", (job: Job) => Promise.resolve(job).then(runJob), {
        connection,
        concurrency: 1,
      });
      // A script that errors does not stop a Worker; it reports it as an "error" event.
      const workerErrors: Error[] = [];
      worker.on("error", (error) => workerErrors.push(error));
      await waitForCounts(queue, 6, 1);
      assert.deepEqual(workerErrors, []);

      // Plain jobs (the wait list) come first, prioritized ones by priority; retries and the
      // delayed job come back when their time comes (where exactly depends on timing).
      assert.deepEqual(order.slice(0, 3), ["sum", "flaky", "doomed"]);
      assert.deepEqual(order.filter((name) => name.startsWith("p")), ["p1", "p2", "p3"]);
      assert.equal(order.length, 9);
      assert.equal(flakyCalls, 2);

      const plainDone = await queue.getJob(plain.id!);
      assert.equal(plainDone?.returnvalue, 5);
      assert.equal(plainDone?.attemptsMade, 1);

      const delayedDone = await queue.getJob(delayed.id!);
      assert.equal(delayedDone?.returnvalue, 30);
      assert.ok(delayedDone!.processedOn! - delayedAtMs >= 300, "delayed job ran early");

      const flakyDone = await queue.getJob(flaky.id!);
      assert.deepEqual(flakyDone?.returnvalue, { squared: 49, attempt: 2 });
      assert.equal(flakyDone?.attemptsMade, 2);
      assert.equal(flakyDone?.stacktrace?.length, 1);
      assert.equal(await flakyDone?.getState(), "completed");

      const doomedDone = await queue.getJob(doomed.id!);
      assert.equal(await doomedDone?.getState(), "failed");
      assert.equal(doomedDone?.failedReason, "always fails (attempt 2)");
      assert.equal(doomedDone?.attemptsMade, 2);

      const prioritized = await queue.getCompleted();
      assert.deepEqual(
        prioritized.filter((job) => job.name === "prio").map((job) => job.returnvalue).sort(),
        ["done p1", "done p2", "done p3"],
      );
      assert.deepEqual(
        await countsOf(queue, "waiting", "prioritized", "delayed", "active"),
        { waiting: 0, prioritized: 0, delayed: 0, active: 0 },
      );
    } finally {
      await worker?.close();
      await queue.close();
      await target.close();
    }
  },
  { binaries: LIBRARY_BINARIES },
);

peerTest(
  "BullMQ: a rate-limited Worker and a job scheduler that repeats a job 3 times",
  async () => {
    const target = await startTarget();
    const connection = bullConnection(target.port);
    const queue = new Queue("limited", { connection });
    let worker: Worker | undefined;
    try {
      for (let i = 0; i < 3; i++) await queue.add("limited", { i });
      await queue.upsertJobScheduler("every-100ms", { every: 100, limit: 3 }, {
        name: "tick",
        data: { from: "scheduler" },
      });
      const startedAtMs: number[] = [];
      worker = new Worker(
        "limited",
        (job: Job) => {
          if (job.name === "limited") startedAtMs.push(Date.now());
          return Promise.resolve(job.name === "tick" ? job.data.from : job.data.i * 10);
        },
        { connection, concurrency: 3, limiter: { max: 1, duration: 150 } },
      );
      const workerErrors: Error[] = [];
      worker.on("error", (error) => workerErrors.push(error));
      await waitForCounts(queue, 6, 0);
      assert.deepEqual(workerErrors, []);

      // One job per 150 ms window: three jobs span at least two windows.
      assert.equal(startedAtMs.length, 3);
      assert.ok(startedAtMs[2] - startedAtMs[0] >= 280, `limiter let through ${startedAtMs}`);
      const completed = await queue.getCompleted();
      assert.deepEqual(
        completed.filter((job) => job.name === "limited").map((job) => job.returnvalue).sort(),
        [0, 10, 20],
      );
      const ticks = completed.filter((job) => job.name === "tick");
      assert.deepEqual(ticks.map((job) => job.returnvalue), [
        "scheduler",
        "scheduler",
        "scheduler",
      ]);
      // The scheduler stopped at its limit: nothing more is due.
      await delay(300);
      assert.deepEqual(await countsOf(queue, "completed", "delayed", "waiting"), {
        completed: 6,
        delayed: 0,
        waiting: 0,
      });
    } finally {
      await worker?.close();
      await queue.close();
      await target.close();
    }
  },
  { binaries: LIBRARY_BINARIES },
);

// ---------------------------------------------------------------------------------------------
// Redlock
// ---------------------------------------------------------------------------------------------

/** An ioredis client for Redlock that fails fast instead of reconnecting. */
function lockClient(port: number): Redis {
  return new Redis({
    host: "127.0.0.1",
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
}

/** A Redlock that gives up at once (no retries), collecting the errors it emits. */
function newRedlock(clients: Redis[], errors: Error[]): Redlock {
  // redlock declares no ioredis dependency; its types bind to another ioredis 5 in the graph
  // (bullmq's), whose Redis class is the same API under a different private shape.
  type RedlockClients = ConstructorParameters<typeof Redlock>[0];
  const redlock = new Redlock(clients as unknown as RedlockClients, { retryCount: 0 });
  // Redlock emits "error" for every refused vote; an EventEmitter without a listener throws.
  redlock.on("error", (error: Error) => errors.push(error));
  return redlock;
}

peerTest(
  "Redlock: one server: acquire, exclusive while held, extend, release, reacquire",
  async () => {
    const target = await startTarget();
    const client = lockClient(target.port);
    const errors: Error[] = [];
    try {
      await client.connect();
      await client.script("FLUSH"); // The first acquire goes through the EVAL fallback.
      const redlock = newRedlock([client], errors);

      const lock = await redlock.acquire(["res:a"], 1_000);
      assert.equal(await client.get("res:a"), lock.value);
      const ttlMs = await client.pttl("res:a");
      assert.ok(ttlMs > 0 && ttlMs <= 1_000, `pttl ${ttlMs}`);

      // Held: a second acquire fails, also as part of a multi-resource lock (which must not
      // leave its other resource locked).
      await assert.rejects(() => redlock.acquire(["res:a"], 1_000), ExecutionError);
      await assert.rejects(() => redlock.acquire(["res:b", "res:a"], 1_000), ExecutionError);
      assert.equal(await client.exists("res:b"), 0);
      // Each refused acquire is one refused vote, and so is the release of its partial state.
      assert.equal(errors.length, 4);
      assert.ok(errors.every((error) => error instanceof ResourceLockedError));

      const extended = await lock.extend(5_000);
      assert.equal(extended.value, lock.value);
      assert.ok(await client.pttl("res:a") > 1_000, "extend did not move the expiry");
      assert.equal(await client.get("res:a"), lock.value);

      // Another holder's release changes nothing.
      await client.set("res:c", "someone-else");
      const foreign = await redlock.acquire(["res:d"], 1_000);
      await assert.rejects(
        () => redlock.release({ ...foreign, resources: ["res:c"] } as Lock),
        ExecutionError,
      );
      assert.equal(await client.get("res:c"), "someone-else");
      await foreign.release();

      await extended.release();
      assert.equal(await client.exists("res:a"), 0);
      const again = await redlock.acquire(["res:a"], 1_000);
      assert.notEqual(again.value, lock.value);
      assert.equal(await client.get("res:a"), again.value);

      // using(): held for the routine, gone after it.
      const inside = await redlock.using(["res:e"], 1_000, async () => {
        await assert.rejects(() => redlock.acquire(["res:e"], 1_000), ExecutionError);
        return await client.get("res:e");
      });
      assert.equal(typeof inside, "string");
      assert.equal(await client.exists("res:e"), 0);
      await again.release();
    } finally {
      await client.quit().catch(() => client.disconnect());
      await target.close();
    }
  },
  { binaries: LIBRARY_BINARIES },
);

peerTest("Redlock: three servers: a lock needs a quorum of two", async () => {
  const targets = await Promise.all([startTarget(), startTarget(), startTarget()]);
  const clients = targets.map((target) => lockClient(target.port));
  const errors: Error[] = [];
  try {
    await Promise.all(clients.map((client) => client.connect()));
    const redlock = newRedlock(clients, errors);

    const lock = await redlock.acquire(["res:q"], 2_000);
    for (const client of clients) assert.equal(await client.get("res:q"), lock.value);
    await assert.rejects(() => redlock.acquire(["res:q"], 2_000), ExecutionError);
    await lock.release();
    for (const client of clients) assert.equal(await client.exists("res:q"), 0);

    // Someone else holds the resource on one server: two votes of three still win.
    await clients[0].set("res:r", "other", "PX", 5_000);
    const majority = await redlock.acquire(["res:r"], 2_000);
    assert.equal(await clients[0].get("res:r"), "other");
    assert.equal(await clients[1].get("res:r"), majority.value);
    assert.equal(await clients[2].get("res:r"), majority.value);
    await majority.release();
    assert.equal(await clients[0].get("res:r"), "other");

    // On two servers: no quorum, and the failed attempt is rolled back on the third.
    await clients[1].set("res:s", "other", "PX", 5_000);
    await clients[2].set("res:s", "other", "PX", 5_000);
    await assert.rejects(() => redlock.acquire(["res:s"], 2_000), ExecutionError);
    assert.equal(await clients[0].exists("res:s"), 0);
  } finally {
    await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    await Promise.all(targets.map((target) => target.close()));
  }
}, { binaries: LIBRARY_BINARIES });
