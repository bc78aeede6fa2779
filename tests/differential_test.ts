// Differential tests: resplica must answer every command of the corpus, and a long seeded
// random sequence, with the same bytes as a real redis-server 7.0.
//
// One redis-server (the reference) and one in-process resplica (the subject) serve all cases;
// each case is a test step, so a run lists every mismatching case, not only the first.
//
// RESPLICA_SELFTEST=1 swaps the subject for a second redis-server: every case must then pass,
// which checks the harness and the corpus (flags for nondeterministic replies, `expect` texts)
// independently of resplica. RESPLICA_DIFF_SEED=<n> replays one random sequence.
// RESPLICA_DIFF_KEEP_GOING=1 reports every mismatching step of a case, not only the first.

import { allCases } from "./_support/differential_cases.ts";
import {
  type DiffCase,
  diffSeed,
  type DiffStep,
  keepGoingFromEnv,
  runCase,
  runCorpus,
  seededRandom,
  withDiffPeers,
  withSeedReplay,
} from "./_support/differential.ts";
import { peerTest } from "./_support/redis_peer.ts";

/** Commands in the random sequence; enough to reach odd states, small enough for CI. */
const RANDOM_COMMAND_COUNT = 2_000;
/** Keys the random sequence draws from: few, so commands keep hitting each other's keys. */
const RANDOM_KEY_COUNT = 8;

const keepGoing = keepGoingFromEnv();

peerTest("differential: corpus matches redis-server", async (t) => {
  await withDiffPeers((reference, subject) =>
    runCorpus(t, allCases, reference, subject, { keepGoing })
  );
});

peerTest("differential: seeded random string/key sequence matches redis-server", async () => {
  const seed = diffSeed("differential random sequence");
  await withDiffPeers((reference, subject) =>
    withSeedReplay(seed, () => runCase(randomCase(seed), reference, subject, { keepGoing }))
  );
});

/**
 * Builds a reproducible random sequence of string and key commands over a small key space.
 * Expiries are long, so no reply depends on the clock; options given without their argument
 * (`SET k v EX`) are deliberate syntax errors.
 */
function randomCase(seed: number): DiffCase {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const key = () => `k${Math.floor(random() * RANDOM_KEY_COUNT)}`;
  const int = () => String(Math.floor(random() * 200) - 100);
  const value = () =>
    pick([
      "v",
      "hello",
      "",
      "12",
      "-7",
      "3.5",
      "9223372036854775807",
      "x".repeat(50),
      "a b",
      int(),
    ]);
  const generators: (() => DiffStep)[] = [
    () => ({ args: ["SET", key(), value()] }),
    () => ({ args: ["SET", key(), value(), pick(["NX", "XX", "GET", "KEEPTTL", "EX", "PX"])] }),
    () => ({ args: ["SET", key(), value(), "EX", String(100 + Math.floor(random() * 100))] }),
    () => ({ args: ["GET", key()] }),
    () => ({ args: ["MGET", key(), key(), key()] }),
    () => ({ args: ["MSET", key(), value(), key(), value()] }),
    () => ({ args: ["MSETNX", key(), value(), key(), value()] }),
    () => ({ args: ["SETNX", key(), value()] }),
    () => ({ args: ["GETSET", key(), value()] }),
    () => ({ args: ["GETDEL", key()] }),
    () => ({
      args: ["GETEX", key(), ...pick([[], ["PERSIST"], ["EX", "1000"], ["PX", "900000"]])],
    }),
    () => ({ args: ["DEL", key(), key()] }),
    () => ({ args: ["UNLINK", key()] }),
    () => ({ args: ["EXISTS", key(), key(), key()] }),
    () => ({ args: ["TYPE", key()] }),
    () => ({ args: ["INCR", key()] }),
    () => ({ args: ["DECR", key()] }),
    () => ({ args: ["INCRBY", key(), int()] }),
    () => ({ args: ["DECRBY", key(), int()] }),
    () => ({ args: ["INCRBYFLOAT", key(), pick(["0.5", "-1.25", "3", "1e2"])] }),
    () => ({ args: ["APPEND", key(), value()] }),
    () => ({ args: ["STRLEN", key()] }),
    () => ({ args: ["GETRANGE", key(), int(), int()] }),
    () => ({ args: ["SETRANGE", key(), String(Math.floor(random() * 20)), value()] }),
    () => ({ args: ["RENAME", key(), key()] }),
    () => ({ args: ["RENAMENX", key(), key()] }),
    () => ({ args: ["COPY", key(), key(), ...(random() < 0.5 ? ["REPLACE"] : [])] }),
    () => ({ args: ["EXPIRE", key(), String(500 + Math.floor(random() * 500))] }),
    () => ({ args: ["EXPIRE", key(), "1000", pick(["NX", "XX"])] }),
    // GT / LT compare ms-precise deadlines: after an earlier 1000 s expiry set within the same
    // millisecond on one server and not on the other, they answer differently. Either is right.
    () => ({ args: ["EXPIRE", key(), "1000", pick(["GT", "LT"])], pattern: /^:[01]\r\n$/ }),
    () => ({ args: ["PERSIST", key()] }),
    () => ({ args: ["TTL", key()] }),
    () => ({ args: ["EXPIRETIME", key()], pattern: /^:(-[12]|\d+)\r\n$/ }),
    () => ({ args: ["OBJECT", "ENCODING", key()] }),
    () => ({ args: ["KEYS", pick(["*", "k[0-3]", "k?", "k[^5]"])], sortArray: true }),
    () => ({ args: ["DBSIZE"] }),
    () => ({ args: ["MOVE", key(), "1"] }),
    () => ({ args: ["SELECT", pick(["0", "0", "0", "1"])] }),
    () => ({ args: ["SWAPDB", "0", "1"] }),
  ];
  const steps: DiffStep[] = [];
  for (let index = 0; index < RANDOM_COMMAND_COUNT; index++) steps.push(pick(generators)());
  return { name: `random sequence seed ${seed}`, steps };
}
